//! Relations in the window: linking two annotations (Alt-drag from one to the other, or "Link to…" in an
//! annotation's popup and a click on the other), choosing the relation's type, the popup of a relation (clicking
//! its arc: retype, note, reverse, delete), the panel's list of relations, and an annotation's attributes and
//! knowledge-base links in its popup.

use egui::{Color32, Key, Pos2, Ui};

use std::path::PathBuf;
use std::sync::Arc;

use super::WarraqApp;
use crate::model::links::LinkTable;
use crate::model::tags::{AttributeKind, RelationType};
use crate::model::{AnnotationSet, CharOffset, Link};
use crate::tr;
use crate::view::{RtlInput, RtlInputState, RtlLabel, ViewResponse, chrome};
use crate::workspace::job::{self, Job, Poll};

/// A table being read: the file, or why it could not be.
type TableJob = Job<Result<(PathBuf, LinkTable, Vec<String>), String>>;

fn color32([r, g, b]: [u8; 3]) -> Color32 {
    Color32::from_rgb(r, g, b)
}

/// A row of the panel's relation list.
#[derive(Debug, Clone)]
struct RelationRow {
    id: u64,
    from: u64,
    kind: String,
    color: [u8; 3],
    /// "source — type › target", one line.
    text: String,
}

/// The panel's rows for (document generation, annotations revision).
type RowsCache = ((u64, u64), std::sync::Arc<Vec<RelationRow>>);

pub(crate) struct RelationState {
    /// A new relation waiting for its type: its two annotations and where the chooser opens.
    choosing: Option<(u64, u64, Pos2)>,
    /// "Link to…" was chosen for this annotation: the next click on another one links them.
    link_from: Option<u64>,
    /// The relation whose popup is open, and where.
    popup: Option<(u64, Pos2)>,
    new_type: RtlInputState,
    note: RtlInputState,
    note_for: Option<u64>,
    /// The note as it was put in the field: only a note the user changed is written back.
    note_loaded: String,
    /// The attribute value being typed in the annotation popup (free-text attributes), and a link being typed.
    attribute_name: RtlInputState,
    attribute_value: RtlInputState,
    link: RtlInputState,
    /// The panel's rows, for one state of the annotations.
    rows: Option<RowsCache>,
    /// An annotation with relations the user asked to delete: waiting for their yes.
    confirm_delete: Option<u64>,
    /// The knowledge-base table links are looked up in, and one being chosen or read.
    table: Option<(PathBuf, Arc<LinkTable>)>,
    table_job: Option<TableJob>,
    /// The panel's groups of annotations by link.
    link_groups: Option<LinkGroupsCache>,
    /// The last lookup in the link table: its query and what it found.
    lookup: Option<(String, Vec<Link>)>,
}

/// Annotations grouped by link: (link, the texts of its annotations, the first one's id), per annotations state.
type LinkGroupsCache = ((u64, u64), Arc<Vec<(Link, Vec<String>, u64)>>);

impl RelationState {
    /// Forgets what belonged to the document left: a link waiting for its other end, a type chooser, a relation's
    /// popup, the delete question (their ids mean other annotations in the next document). The link table stays.
    pub(super) fn leave_document(&mut self) {
        self.choosing = None;
        self.link_from = None;
        self.popup = None;
        self.note_for = None;
        self.confirm_delete = None;
    }
}

impl Default for RelationState {
    fn default() -> Self {
        Self {
            choosing: None,
            link_from: None,
            popup: None,
            new_type: RtlInputState::new(false),
            note: RtlInputState::new(true),
            note_for: None,
            note_loaded: String::new(),
            attribute_name: RtlInputState::new(false),
            attribute_value: RtlInputState::new(false),
            link: RtlInputState::new(false),
            rows: None,
            confirm_delete: None,
            table: None,
            table_job: None,
            link_groups: None,
            lookup: None,
        }
    }
}

/// "source — type › target" for a relation. The bundled fonts have no arrows; `›` is mirrored in right-to-left
/// text, so it points from the source to the target in either direction.
fn relation_line(set: &AnnotationSet, from: u64, kind: &str, to: u64) -> String {
    let text = |id: u64| {
        set.any(id)
            .map_or_else(|| format!("#{id}"), |a| a.text.replace(['\n', '\r'], " "))
    };
    line(&text(from), kind, &text(to))
}

fn line(from: &str, kind: &str, to: &str) -> String {
    format!("{from} — {kind} › {to}")
}

/// A link typed as `DB:ID label` (`Wikidata:Q649 موسكو`).
fn parse_link(s: &str) -> Option<Link> {
    let s = s.trim();
    let (reference, label) = s.split_once(char::is_whitespace).unwrap_or((s, ""));
    let (db, id) = reference.split_once(':')?;
    (!db.is_empty() && !id.is_empty()).then(|| Link {
        db: db.to_owned(),
        id: id.to_owned(),
        label: label.trim().to_owned(),
    })
}

impl WarraqApp {
    /// Whether a new relation is waiting for its type (the chooser is open).
    #[must_use]
    pub fn is_choosing_relation_type(&self) -> bool {
        self.relations.choosing.is_some()
    }

    /// The relation whose popup is open.
    #[must_use]
    pub fn relation_popup(&self) -> Option<u64> {
        self.relations.popup.map(|(id, _)| id)
    }

    /// Tools ▸ Load Link Table…: choose a table; it is read on a worker and used from then on (and next time).
    pub(super) fn link_table_dialog(&mut self, ctx: &egui::Context) {
        if self.relations.table_job.is_some() {
            return;
        }
        let waker = self.waker(ctx);
        self.relations.table_job = Some(Job::spawn("the link table", &waker, || {
            let path = super::chosen(|| {
                rfd::FileDialog::new()
                    .set_title(tr!("Load a knowledge-base table"))
                    .add_filter(tr!("ID, label, aliases"), &["tsv", "txt"])
                    .pick_file()
            })?
            .ok_or_else(String::new)?;
            read_table(path)
        }));
    }

    /// Reads the table at `path` (on a worker) and uses it from then on.
    pub fn load_link_table(&mut self, ctx: &egui::Context, path: PathBuf) {
        let waker = self.waker(ctx);
        self.relations.table_job = Some(Job::spawn("the link table", &waker, move || {
            read_table(path)
        }));
    }

    /// How many entries the link table in use has, and its file.
    #[must_use]
    pub fn link_table(&self) -> Option<(&std::path::Path, usize)> {
        self.relations
            .table
            .as_ref()
            .map(|(p, t)| (p.as_path(), t.len()))
    }

    /// A table read (or not): used, remembered, reported.
    fn poll_link_table(&mut self, ctx: &egui::Context) {
        if self.relations.table.is_none()
            && self.relations.table_job.is_none()
            && let Some(path) = self.settings.link_table.clone()
        {
            // The table chosen last time, read again at start.
            self.load_link_table(ctx, path);
        }
        match job::take_ready(&mut self.relations.table_job) {
            Some(Poll::Ready(Ok((path, table, problems)))) => {
                let mut message = if problems.is_empty() {
                    tr!(
                        "Link table %{path}: %{n} entries",
                        path = path.display(),
                        n = table.len()
                    )
                } else {
                    tr!(
                        "Link table %{path}: %{n} entries (%{skipped} lines skipped):",
                        path = path.display(),
                        n = table.len(),
                        skipped = problems.len()
                    )
                };
                if !problems.is_empty() {
                    message.push('\n');
                    message.push_str(
                        &problems
                            .iter()
                            .take(5)
                            .cloned()
                            .collect::<Vec<_>>()
                            .join("\n"),
                    );
                }
                self.message = Some(message);
                self.settings.link_table = Some(path.clone());
                self.relations.table = Some((path, Arc::new(table)));
                self.relations.lookup = None;
            }
            Some(Poll::Ready(Err(e))) if !e.is_empty() => {
                self.message = Some(tr!("No link table was loaded: %{error}", error = e));
                if self.relations.table.is_none() {
                    self.settings.link_table = None;
                }
            }
            _ => {}
        }
    }

    /// The ids this window holds for relations follow a renumbering (old, new) made by a merge.
    pub(super) fn relations_follow(&mut self, map: &[(u64, u64)]) {
        let new = |id: u64| {
            map.iter()
                .find(|(old, _)| *old == id)
                .map_or(id, |(_, n)| *n)
        };
        let r = &mut self.relations;
        r.choosing = r.choosing.map(|(a, b, p)| (new(a), new(b), p));
        r.link_from = r.link_from.map(new);
        r.popup = r.popup.map(|(id, p)| (new(id), p));
        r.note_for = r.note_for.map(new);
        r.confirm_delete = r.confirm_delete.map(new);
    }

    /// Asks before deleting annotation `id`, which relations link.
    pub(super) fn ask_before_deleting(&mut self, id: u64) {
        self.relations.confirm_delete = Some(id);
    }

    /// Whether the question before deleting an annotation with relations is open.
    #[must_use]
    pub fn is_asking_before_delete(&self) -> bool {
        self.relations.confirm_delete.is_some()
    }

    fn delete_question(&mut self, ctx: &egui::Context) {
        let Some(id) = self.relations.confirm_delete else {
            return;
        };
        let Some(d) = self.workspace.current() else {
            self.relations.confirm_delete = None;
            return;
        };
        let Some(a) = d.annotations.get(id) else {
            self.relations.confirm_delete = None;
            return;
        };
        let lines: Vec<String> = d
            .annotations
            .relations_of(id)
            .map(|r| relation_line(&d.annotations, r.from, &r.kind, r.to))
            .collect();
        let title = format!("«{}»", a.text.replace('\n', " "));
        let mut answer = None;
        egui::Modal::new(egui::Id::unique("delete-with-relations")).show(ctx, |ui| {
            chrome::rtl(ui, |ui| {
                chrome::heading(ui, tr!("Delete an annotation with relations?"));
                ui.add(RtlLabel::new(&title).size(17.0).wrap());
                chrome::paragraph(
                    ui,
                    if lines.len() == 1 {
                        tr!(
                            "It is linked by one relation; it is deleted with it (one Undo brings all back):"
                        )
                        .into_owned()
                    } else {
                        tr!(
                            "It is linked by %{n} relations; they are deleted with it (one Undo brings all back):",
                            n = lines.len()
                        )
                    },
                );
                for l in &lines {
                    ui.add(RtlLabel::new(l).size(15.0));
                }
                chrome::row(ui, |ui| {
                    if ui.button(chrome::atom(ui, tr!("Delete All"))).clicked() {
                        answer = Some(true);
                    }
                    if ui.button(chrome::atom(ui, tr!("Cancel"))).clicked() {
                        answer = Some(false);
                    }
                });
            });
        });
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::Escape)) {
            answer = Some(false);
        }
        match answer {
            Some(true) => {
                self.relations.confirm_delete = None;
                self.delete_annotation(id);
            }
            Some(false) => {
                self.relations.confirm_delete = None;
                self.annotate.selected = Some(id);
            }
            None => {}
        }
    }

    /// Starts linking from annotation `id`: the next annotation clicked is the other end.
    pub(super) fn start_link_from(&mut self, id: u64) {
        self.relations.link_from = Some(id);
        self.message = Some(
            tr!("Click the annotation to link to, or choose it with Tab and press Enter (Escape cancels).")
                .into_owned(),
        );
    }

    /// While "Link to…" waits for the other end, Enter on the selected annotation `id` (Tab picks it) is that end:
    /// the type chooser opens. Returns whether Enter was taken for this.
    pub(super) fn link_to_selected(&mut self, id: u64) -> bool {
        let Some(from) = self.relations.link_from else {
            return false;
        };
        if from == id {
            self.message = Some(
                tr!("Nothing was linked: choose another annotation (Tab), then Enter.")
                    .into_owned(),
            );
            return true;
        }
        self.relations.link_from = None;
        self.message = None;
        let pos = self
            .view
            .as_ref()
            .map(|(_, v)| v.visible_rect().center())
            .unwrap_or_default();
        self.relations.choosing = Some((from, id, pos));
        true
    }

    /// What the document view reported about relations: an Alt-drag that ended, a click on an arc, or the click
    /// that ends "Link to…". Returns true when the click was used here.
    pub(super) fn relation_events(&mut self, vr: &ViewResponse) -> bool {
        let pos = vr.response.interact_pointer_pos().unwrap_or_default();
        let Some(d) = self.workspace.current() else {
            return false;
        };
        let innermost = |at: CharOffset| d.annotations.at(at).first().map(|a| a.id);
        if let Some((a, b)) = vr.linked {
            match (innermost(a), innermost(b)) {
                (Some(from), Some(to)) if from != to => {
                    self.relations.choosing = Some((from, to, pos));
                }
                _ => {
                    self.message = Some(
                        tr!("To link two annotations, Alt-drag from one highlighted annotation to another.")
                            .into_owned(),
                    );
                }
            }
            return true;
        }
        if let Some(id) = vr.clicked_relation {
            self.relations.popup = Some((id, pos));
            return true;
        }
        if let (Some(from), Some(at)) = (self.relations.link_from, vr.clicked) {
            self.relations.link_from = None;
            match innermost(at) {
                Some(to) if to != from => {
                    self.message = None;
                    self.relations.choosing = Some((from, to, pos));
                }
                _ => {
                    self.message =
                        Some(tr!("Nothing was linked: click another annotation.").into_owned());
                }
            }
            return true;
        }
        false
    }

    /// The relation windows: the type chooser of a new relation and the popup of a relation.
    pub(super) fn relation_windows(&mut self, ctx: &egui::Context) {
        self.poll_link_table(ctx);
        if self.relations.link_from.is_some()
            && self.annotate.popup.is_none()
            && ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::Escape))
        {
            self.relations.link_from = None;
            self.message = None;
        }
        self.type_chooser(ctx);
        self.relation_popup_window(ctx);
        self.delete_question(ctx);
    }

    fn type_chooser(&mut self, ctx: &egui::Context) {
        let Some((from, to, pos)) = self.relations.choosing else {
            return;
        };
        let Some(d) = self.workspace.current() else {
            self.relations.choosing = None;
            return;
        };
        let (Some(a), Some(b)) = (d.annotations.any(from), d.annotations.any(to)) else {
            self.relations.choosing = None;
            return;
        };
        let line = format!(
            "{} › {}",
            a.text.replace(['\n', '\r'], " "),
            b.text.replace(['\n', '\r'], " ")
        );
        // The types the schema allows between these two tags, then the others.
        let (allowed, others): (Vec<RelationType>, Vec<RelationType>) = d
            .annotations
            .tags
            .relations
            .iter()
            .cloned()
            .partition(|t| t.allows(&a.tag, &b.tag));
        let mut chosen: Option<String> = None;
        let mut open = true;
        let mut cancel = false;
        // Keys 1–9 pick the allowed types in order; Escape cancels.
        // (The details window, when it is open in front, takes Escape first.)
        let typing =
            crate::view::document_view::text_field_focused(ctx) || self.annotate.popup.is_some();
        if !typing {
            for (k, t) in allowed.iter().take(9).enumerate() {
                let key = Key::from_name(&(k + 1).to_string()).expect("digit key");
                if ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, key)) {
                    chosen = Some(t.name.clone());
                }
            }
            if ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::Escape)) {
                cancel = true;
            }
        }
        let mut content = None;
        let shown = egui::Window::new(chrome::title(ctx, tr!("Link as")))
            .id(egui::Id::unique("relation-type-chooser"))
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .default_pos(pos + egui::vec2(8.0, 12.0))
            .show(ctx, |ui| {
                content = Some(ui.max_rect());
                chrome::rtl(ui, |ui| {
                    ui.add(RtlLabel::new(&line).size(16.0).wrap());
                    ui.separator();
                    for (k, t) in allowed.iter().enumerate() {
                        let text = if k < 9 {
                            format!("{}  {}", k + 1, t.name)
                        } else {
                            t.name.clone()
                        };
                        chrome::row(ui, |ui| {
                            if ui
                                .add(
                                    egui::Button::new(chrome::atom_colored(
                                        ui,
                                        text,
                                        Color32::WHITE,
                                    ))
                                    .fill(color32(t.color)),
                                )
                                .clicked()
                            {
                                chosen = Some(t.name.clone());
                            }
                            if !t.label.is_empty() {
                                ui.add(RtlLabel::new(&t.label).size(14.0));
                            }
                        });
                    }
                    if !others.is_empty() {
                        chrome::collapsing(
                            ui,
                            "relation-types-not-allowed",
                            tr!("Types the schema does not allow here"),
                            false,
                            |ui| {
                                for t in &others {
                                    if ui.button(&t.name).clicked() {
                                        chosen = Some(t.name.clone());
                                    }
                                }
                            },
                        );
                    }
                    chrome::row(ui, |ui| {
                        let field = ui.add(
                            RtlInput::new(&mut self.relations.new_type, &tr!("New relation type"))
                                .hint(&tr!("New type"))
                                .desired_width(160.0),
                        );
                        let name = self.relations.new_type.text();
                        let name = name.split_whitespace().collect::<Vec<_>>().join("_");
                        // Enter in the field links, as the button does.
                        let entered = field.has_focus()
                            && !name.is_empty()
                            && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::Enter));
                        if ui
                            .add_enabled(
                                !name.is_empty(),
                                egui::Button::new(chrome::atom(ui, tr!("Link"))),
                            )
                            .clicked()
                            || entered
                        {
                            chosen = Some(name);
                        }
                    });
                });
            });
        super::focus_on_open(ctx, "link-as", shown.map(|r| r.response.layer_id), content);
        if let Some(kind) = chosen {
            self.relations.choosing = None;
            self.relations.new_type.set_text("");
            if let Some(d) = self.workspace.current_mut() {
                if let Some(id) = d.annotations.relate(from, to, &kind) {
                    self.annotate.selected = Some(from);
                    self.relations.popup = None;
                    let _ = id;
                }
                d.save
                    .observe(d.annotations.revision(), std::time::Instant::now());
            }
        } else if !open || cancel {
            self.relations.choosing = None;
        }
    }

    /// Writes the relation note being edited, if the user changed it.
    fn commit_relation_note(&mut self) {
        let Some(id) = self.relations.note_for.take() else {
            return;
        };
        let text = self.relations.note.text();
        if text != self.relations.note_loaded
            && let Some(d) = self.workspace.current_mut()
        {
            d.annotations.set_relation_note(id, &text);
            d.save
                .observe(d.annotations.revision(), std::time::Instant::now());
        }
    }

    fn relation_popup_window(&mut self, ctx: &egui::Context) {
        // The popup closed or moved to another relation: a note typed for the one before is kept.
        if self.relations.note_for.is_some()
            && self.relations.popup.map(|(id, _)| id) != self.relations.note_for
        {
            self.commit_relation_note();
        }
        let Some((id, pos)) = self.relations.popup else {
            return;
        };
        let Some(d) = self.workspace.current() else {
            self.relations.popup = None;
            return;
        };
        let Some(r) = d.annotations.relation(id).cloned() else {
            self.relations.popup = None;
            return;
        };
        if self.relations.note_for != Some(id) {
            self.relations.note.set_text(&r.note);
            self.relations.note_loaded.clone_from(&r.note);
            self.relations.note_for = Some(id);
        }
        let line = relation_line(&d.annotations, r.from, &r.kind, r.to);
        let types = d.annotations.tags.relations.clone();
        // Escape closes it, unless a text field has the keyboard.
        let mut open = crate::view::document_view::typing(ctx)
            || !ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::Escape));
        let mut retype = None;
        let mut save_note = false;
        let mut reverse = false;
        let mut delete = false;
        let mut content = None;
        let shown = egui::Window::new(chrome::title(ctx, tr!("Relation")))
            .id(egui::Id::unique("relation-popup"))
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .default_pos(pos + egui::vec2(8.0, 12.0))
            .default_width(320.0)
            .show(ctx, |ui| {
                content = Some(ui.max_rect());
                chrome::rtl(ui, |ui| {
                    ui.add(RtlLabel::new(&line).size(17.0).wrap());
                    ui.horizontal_wrapped(|ui| {
                        for t in &types {
                            let b = ui.add(
                                egui::Button::new(chrome::atom_colored(
                                    ui,
                                    t.name.clone(),
                                    Color32::WHITE,
                                ))
                                .fill(color32(t.color)),
                            );
                            if t.name == r.kind {
                                ui.painter().rect_stroke(
                                    b.rect.expand(2.0),
                                    3.0,
                                    ui.visuals().selection.stroke,
                                    egui::StrokeKind::Outside,
                                );
                            }
                            if b.clicked() && t.name != r.kind {
                                retype = Some(t.name.clone());
                            }
                        }
                    });
                    chrome::label(ui, tr!("Note"));
                    ui.add(
                        RtlInput::new(&mut self.relations.note, &tr!("Relation note"))
                            .rows(2)
                            .hint("ملاحظة"),
                    );
                    chrome::row(ui, |ui| {
                        save_note = ui.button(chrome::atom(ui, tr!("Save Note"))).clicked();
                        reverse = ui.button(chrome::atom(ui, tr!("Reverse"))).clicked();
                        delete = ui
                            .button(chrome::atom(ui, tr!("Delete Relation")))
                            .clicked();
                    });
                });
            });
        super::focus_on_open(ctx, "relation", shown.map(|r| r.response.layer_id), content);
        let Some(d) = self.workspace.current_mut() else {
            return;
        };
        if let Some(kind) = retype {
            d.annotations.retype_relation(id, &kind);
        }
        if save_note {
            let text = self.relations.note.text();
            d.annotations.set_relation_note(id, &text);
            self.relations.note_loaded = text;
        }
        if reverse {
            d.annotations.reverse_relation(id);
        }
        if delete {
            d.annotations.delete_relation(id);
            self.relations.popup = None;
            self.relations.note_for = None;
        }
        d.save
            .observe(d.annotations.revision(), std::time::Instant::now());
        if !open {
            // Closed: a changed note is kept.
            self.commit_relation_note();
            self.relations.popup = None;
        }
    }

    /// The panel's list of relations (only the rows in view are drawn); a click opens the relation.
    pub(super) fn relations_panel(&mut self, ui: &mut Ui) {
        let Some(d) = self.workspace.current() else {
            return;
        };
        if d.annotations.relations().is_empty() {
            return;
        }
        let key = (d.generation, d.annotations.revision());
        if self.relations.rows.as_ref().is_none_or(|(k, _)| *k != key) {
            let set = &d.annotations;
            // One pass over the annotations for the texts the relations need.
            let wanted: std::collections::HashSet<u64> = set
                .relations()
                .iter()
                .flat_map(|r| [r.from, r.to])
                .collect();
            let texts: std::collections::HashMap<u64, String> = set
                .items()
                .iter()
                .chain(&set.unplaced)
                .filter(|a| wanted.contains(&a.id))
                .map(|a| (a.id, a.text.replace(['\n', '\r'], " ")))
                .collect();
            let text = |id: u64| texts.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));
            let rows = set
                .relations()
                .iter()
                .map(|r| RelationRow {
                    id: r.id,
                    from: r.from,
                    kind: r.kind.clone(),
                    color: set
                        .tags
                        .relation(&r.kind)
                        .map_or([110, 110, 110], |t| t.color),
                    text: line(&text(r.from), &r.kind, &text(r.to)),
                })
                .collect();
            self.relations.rows = Some((key, std::sync::Arc::new(rows)));
        }
        let all = self.relations.rows.as_ref().expect("just filled").1.clone();
        let needle = self.annotate_filter_text();
        let rows: Vec<&RelationRow> = all
            .iter()
            .filter(|r| needle.is_empty() || r.text.contains(&needle))
            .collect();
        let mut picked = None;
        let title = tr!("Relations (%{n})", n = all.len());
        chrome::collapsing(ui, "relations-list", title, true, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("relations-rows")
                .max_height(180.0)
                .show_rows(ui, 24.0, rows.len(), |ui, range| {
                    for r in &rows[range] {
                        chrome::row(ui, |ui| {
                            ui.set_height(24.0);
                            let chip = ui.add(egui::Button::selectable(
                                false,
                                chrome::atom_colored(ui, r.kind.clone(), color32(r.color)),
                            ));
                            let label = ui.add(
                                RtlLabel::new(&r.text)
                                    .size(15.0)
                                    .sense(egui::Sense::click()),
                            );
                            if chip.clicked() || label.clicked() {
                                picked = Some((r.id, r.from, label.rect.left_top()));
                            }
                        });
                    }
                });
        });
        ui.separator();
        if let Some((id, from, pos)) = picked {
            self.relations.popup = Some((id, pos));
            self.pick_annotation(from);
        }
    }

    /// The panel's list of entities grouped by their knowledge-base link; a click picks the first.
    pub(super) fn links_panel(&mut self, ui: &mut Ui) {
        let Some(d) = self.workspace.current() else {
            return;
        };
        // Nothing to show unless some annotation has a link (kept count: no pass over a book's annotations).
        let linked = d.annotations.linked_count();
        if linked == 0 {
            return;
        }
        let id = ui.make_persistent_id("link-groups");
        let state =
            egui::collapsing_header::CollapsingState::load_with_default_open(ui.ctx(), id, false);
        // The groups are found only while the list is open, once per state of the annotations.
        let key = (d.generation, d.annotations.revision());
        if state.is_open()
            && self
                .relations
                .link_groups
                .as_ref()
                .is_none_or(|(k, _)| *k != key)
        {
            let mut groups: Vec<(Link, Vec<String>, u64)> = Vec::new();
            let mut at: std::collections::HashMap<(String, String), usize> =
                std::collections::HashMap::new();
            for a in d.annotations.items() {
                for l in &a.links {
                    let k = *at.entry((l.db.clone(), l.id.clone())).or_insert_with(|| {
                        groups.push((l.clone(), Vec::new(), a.id));
                        groups.len() - 1
                    });
                    groups[k].1.push(a.text.replace(['\n', '\r'], " "));
                }
            }
            self.relations.link_groups = Some((key, Arc::new(groups)));
        }
        let groups = self
            .relations
            .link_groups
            .as_ref()
            .map(|(_, g)| g.clone())
            .unwrap_or_default();
        let mut picked = None;
        state
            .show_header(ui, |ui| {
                chrome::label(ui, tr!("Linked entities (%{n} annotations)", n = linked));
            })
            .body(|ui| {
                egui::ScrollArea::vertical()
                    .id_salt("link-group-rows")
                    .max_height(160.0)
                    .show_rows(ui, 24.0, groups.len(), |ui, range| {
                        for (link, texts, first) in &groups[range] {
                            chrome::row(ui, |ui| {
                                ui.set_height(24.0);
                                // The count in the interface's digits (drawn by the text engine when Arabic-Indic).
                                let count = crate::i18n::number(texts.len());
                                let text = format!("{}:{} ({count})", link.db, link.id);
                                if ui.button(chrome::atom(ui, text)).clicked() {
                                    picked = Some(*first);
                                }
                                let mut names: Vec<&str> =
                                    texts.iter().map(String::as_str).collect();
                                names.dedup();
                                let line = format!("{} — {}", link.label, names.join("، "));
                                ui.add(RtlLabel::new(&line).size(14.0));
                            });
                        }
                    });
            });
        if let Some(id) = picked {
            self.pick_annotation(id);
        }
    }

    /// The attributes and knowledge-base links of annotation `id`, in its popup: the tag's declared attributes as
    /// a checkbox (flag), buttons (one of several values) or a text; any other attribute it has; and its links,
    /// with a field to add one (`Wikidata:Q649 موسكو`).
    pub(super) fn attributes_and_links(&mut self, ui: &mut Ui, id: u64) {
        let Some(d) = self.workspace.current() else {
            return;
        };
        let Some(a) = d.annotations.get(id).cloned() else {
            return;
        };
        let declared = d
            .annotations
            .tags
            .get(&a.tag)
            .map(|t| t.attributes.clone())
            .unwrap_or_default();
        let mut set: Vec<(String, Option<String>)> = Vec::new();
        let mut add_link = None;
        let mut remove_link = None;
        ui.separator();
        for def in &declared {
            let value = a.attributes.get(&def.name).cloned();
            ui.horizontal_wrapped(|ui| match &def.kind {
                AttributeKind::Flag => {
                    let mut on = value.as_deref() == Some("true");
                    if chrome::checkbox(ui, &mut on, def.name.as_str()).changed() {
                        set.push((def.name.clone(), on.then(|| "true".to_owned())));
                    }
                }
                AttributeKind::Choice(values) => {
                    ui.label(&def.name);
                    for v in values {
                        let current = value.as_deref() == Some(v.as_str());
                        if ui.add(egui::Button::selectable(current, v)).clicked() {
                            set.push((def.name.clone(), (!current).then(|| v.clone())));
                        }
                    }
                }
                AttributeKind::Text => {
                    ui.label(&def.name);
                    ui.add(RtlLabel::new(value.as_deref().unwrap_or("—")).size(15.0));
                }
            });
        }
        // Attributes it has that its tag does not declare (imported, or added here).
        for (name, value) in &a.attributes {
            if declared.iter().any(|d| &d.name == name) {
                continue;
            }
            chrome::row(ui, |ui| {
                ui.add(RtlLabel::new(name).size(15.0));
                ui.add(RtlLabel::new(value).size(15.0));
                let remove = ui.small_button(chrome::atom(ui, tr!("Remove")));
                if chrome::hover(remove, tr!("Remove this attribute")).clicked() {
                    set.push((name.clone(), None));
                }
            });
        }
        chrome::row(ui, |ui| {
            ui.add(
                RtlInput::new(&mut self.relations.attribute_name, &tr!("Attribute name"))
                    .hint(&tr!("Attribute"))
                    .desired_width(110.0),
            );
            ui.add(
                RtlInput::new(&mut self.relations.attribute_value, &tr!("Attribute value"))
                    .hint(&tr!("value (empty: a flag)"))
                    .desired_width(150.0),
            );
            let name = self.relations.attribute_name.text();
            let name = name.trim();
            if ui
                .add_enabled(
                    !name.is_empty(),
                    egui::Button::new(chrome::atom(ui, tr!("Set"))),
                )
                .clicked()
            {
                let value = self.relations.attribute_value.text();
                let value = value.trim();
                set.push((
                    name.to_owned(),
                    Some(if value.is_empty() {
                        "true".to_owned()
                    } else {
                        value.to_owned()
                    }),
                ));
                self.relations.attribute_name.set_text("");
                self.relations.attribute_value.set_text("");
            }
        });
        for (k, l) in a.links.iter().enumerate() {
            chrome::row(ui, |ui| {
                chrome::strong(ui, format!("{}:{}", l.db, l.id));
                if !l.label.is_empty() {
                    ui.add(RtlLabel::new(&l.label).size(15.0));
                }
                let remove = ui.small_button(chrome::atom(ui, tr!("Remove")));
                if chrome::hover(remove, tr!("Remove this link")).clicked() {
                    remove_link = Some(k);
                }
            });
        }
        // Entries of the link table for what is typed (or, before typing, for the annotation's text).
        if let Some((_, table)) = &self.relations.table {
            let typed = self.relations.link.text();
            let query = if typed.trim().is_empty() {
                a.text.clone()
            } else {
                typed
            };
            // Looked up again only when the query changes (a table can hold a million names).
            if self
                .relations
                .lookup
                .as_ref()
                .is_none_or(|(q, _)| *q != query)
            {
                let found = table
                    .lookup(&query, 6)
                    .into_iter()
                    .map(|e| e.link.clone())
                    .collect();
                self.relations.lookup = Some((query, found));
            }
            let found: Vec<Link> = self
                .relations
                .lookup
                .as_ref()
                .map(|(_, f)| f.clone())
                .unwrap_or_default()
                .into_iter()
                .filter(|l| !a.links.iter().any(|x| x.db == l.db && x.id == l.id))
                .collect();
            if !found.is_empty() {
                chrome::weak(ui, tr!("From the link table:"));
            }
            for l in found {
                chrome::row(ui, |ui| {
                    let entry = ui.button(format!("{}:{}", l.db, l.id));
                    if chrome::hover(entry, tr!("Link this annotation to this entry")).clicked() {
                        add_link = Some(l.clone());
                        self.relations.link.set_text("");
                    }
                    ui.add(RtlLabel::new(&l.label).size(15.0));
                });
            }
        }
        chrome::row(ui, |ui| {
            ui.add(
                RtlInput::new(&mut self.relations.link, &tr!("Knowledge-base link"))
                    .hint("Wikidata:Q649 موسكو")
                    .desired_width(230.0),
            );
            let typed = parse_link(&self.relations.link.text());
            let add = chrome::atom(ui, tr!("Add Link"));
            if add_link.is_none()
                && chrome::hover(
                    ui.add_enabled(typed.is_some(), egui::Button::new(add)),
                    tr!("DB:ID, then a label if you like"),
                )
                .clicked()
            {
                add_link = typed;
                self.relations.link.set_text("");
            }
        });
        let Some(d) = self.workspace.current_mut() else {
            return;
        };
        for (name, value) in set {
            d.annotations.set_attribute(id, &name, value.as_deref());
        }
        if let Some(link) = add_link {
            d.annotations.add_link(id, link);
        }
        if let Some(k) = remove_link {
            d.annotations.remove_link(id, k);
        }
        d.save
            .observe(d.annotations.revision(), std::time::Instant::now());
    }
}

/// Reads a table file for the window (on a worker).
fn read_table(path: PathBuf) -> Result<(PathBuf, LinkTable, Vec<String>), String> {
    let (table, problems) = crate::store::read_link_table(&path)?;
    Ok((path, table, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_is_typed_as_db_colon_id_then_a_label() {
        assert_eq!(
            parse_link(" Wikidata:Q649 موسكو "),
            Some(Link {
                db: "Wikidata".into(),
                id: "Q649".into(),
                label: "موسكو".into()
            })
        );
        assert_eq!(parse_link("GeoNames:524901").unwrap().label, "");
        assert_eq!(parse_link("Q649"), None);
        assert_eq!(parse_link(":Q649"), None);
    }
}
