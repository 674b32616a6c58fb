//! Edit ▸ Tags…: the tag set and the relation schema. Each tag has a name (exported), an Arabic label, a colour, a
//! key and its attributes on one line (`Negated; Certainty=High|Low; Comment=*`); each relation type a name, an
//! Arabic label, a colour, the tags allowed at each end (empty: any) and whether it is symmetric. Applied as one
//! undoable change; a tag or relation type still in use cannot be removed.

use egui::Ui;

use super::WarraqApp;
use crate::model::tags::{RelationType, attributes_spec, parse_attributes};
use crate::model::{Tag, TagSet};
use crate::tr;
use crate::view::{RtlInput, RtlInputState, chrome};

/// One row of the tags grid.
pub(crate) struct TagRow {
    original: Option<String>,
    name: String,
    label: RtlInputState,
    color: [u8; 3],
    key: Option<char>,
    attributes: String,
}

/// One row of the relation types grid.
pub(crate) struct RelationRow {
    name: String,
    label: RtlInputState,
    color: [u8; 3],
    from: String,
    to: String,
    symmetric: bool,
}

/// The dialog's rows while it is open.
pub(crate) struct Draft {
    tags: Vec<TagRow>,
    relations: Vec<RelationRow>,
}

fn names(list: &str) -> Vec<String> {
    list.split([' ', ',', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl WarraqApp {
    pub(super) fn open_tags_dialog(&mut self) {
        let Some(d) = self.workspace.current() else {
            return;
        };
        let set = &d.annotations.tags;
        let tags = set
            .tags
            .iter()
            .map(|t| {
                let mut label = RtlInputState::new(false);
                label.set_text(&t.label);
                TagRow {
                    original: Some(t.name.clone()),
                    name: t.name.clone(),
                    label,
                    color: t.color,
                    key: t.key,
                    attributes: attributes_spec(&t.attributes),
                }
            })
            .collect();
        let relations = set
            .relations
            .iter()
            .map(|r| {
                let mut label = RtlInputState::new(false);
                label.set_text(&r.label);
                RelationRow {
                    name: r.name.clone(),
                    label,
                    color: r.color,
                    from: r.from.join(" "),
                    to: r.to.join(" "),
                    symmetric: r.symmetric,
                }
            })
            .collect();
        self.annotate.tags_draft = Some(Draft { tags, relations });
        self.annotate.tags_error = None;
    }

    /// Applies the dialog's rows as one undoable change; refuses to drop a tag or relation type still in use.
    fn apply_tags_draft(&mut self) -> Result<(), String> {
        let Some(draft) = &self.annotate.tags_draft else {
            return Ok(());
        };
        let Some(d) = self.workspace.current_mut() else {
            return Ok(());
        };
        let rows = &draft.tags;
        let mut seen = std::collections::HashSet::new();
        for r in rows {
            let name = r.name.trim();
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err(tr!(
                    "\"%{name}\": a tag name needs letters and no spaces",
                    name = r.name
                ));
            }
            if !seen.insert(name.to_owned()) {
                return Err(tr!("%{name} is used twice", name = name));
            }
        }
        let kept: Vec<&str> = rows.iter().filter_map(|r| r.original.as_deref()).collect();
        for t in &d.annotations.tags.tags {
            let used = d.annotations.count_of(&t.name);
            if !kept.contains(&t.name.as_str()) && used > 0 {
                return Err(tr!(
                    "%{n} annotations use %{tag}; retag or delete them before removing it",
                    n = used,
                    tag = t.name
                ));
            }
        }
        let renames: Vec<(String, String)> = rows
            .iter()
            .filter_map(|r| {
                r.original
                    .clone()
                    .filter(|o| o != r.name.trim())
                    .map(|o| (o, r.name.trim().to_owned()))
            })
            .collect();
        let mut tags = Vec::with_capacity(rows.len());
        for r in rows {
            let attributes =
                parse_attributes(&r.attributes).map_err(|e| format!("{}: {e}", r.name.trim()))?;
            tags.push(Tag {
                name: r.name.trim().to_owned(),
                label: r.label.text(),
                color: r.color,
                key: r.key,
                attributes,
            });
        }
        let mut relations: Vec<RelationType> = Vec::with_capacity(draft.relations.len());
        let tag_names: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
        for r in &draft.relations {
            let name = r.name.trim();
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err(tr!(
                    "\"%{name}\": a relation type needs letters and no spaces",
                    name = r.name
                ));
            }
            if relations.iter().any(|x| x.name == name) {
                return Err(tr!("relation type %{name} is given twice", name = name));
            }
            // A tag renamed in the same change is renamed here too.
            let renamed = |list: Vec<String>| -> Vec<String> {
                list.into_iter()
                    .map(|t| {
                        renames
                            .iter()
                            .find(|(old, _)| *old == t)
                            .map_or(t.clone(), |(_, new)| new.clone())
                    })
                    .collect()
            };
            let (from, to) = (renamed(names(&r.from)), renamed(names(&r.to)));
            if let Some(unknown) = from
                .iter()
                .chain(&to)
                .find(|t| !tag_names.contains(&t.as_str()))
            {
                return Err(tr!(
                    "%{name}: there is no tag %{tag}",
                    name = name,
                    tag = unknown
                ));
            }
            relations.push(RelationType {
                name: name.to_owned(),
                label: r.label.text(),
                color: r.color,
                from,
                to,
                symmetric: r.symmetric,
            });
        }
        for kind in d.annotations.relations().iter().map(|r| &r.kind) {
            if !relations.iter().any(|t| &t.name == kind) {
                let used = d
                    .annotations
                    .relations()
                    .iter()
                    .filter(|r| &r.kind == kind)
                    .count();
                return Err(tr!(
                    "%{n} relations are of type %{kind}; retype or delete them before removing it",
                    n = used,
                    kind = kind
                ));
            }
        }
        d.annotations.set_tags(TagSet { tags, relations }, renames);
        Ok(())
    }

    pub(super) fn dialogs(&mut self, ctx: &egui::Context) {
        if self.annotate.tags_draft.is_none() {
            return;
        }
        let mut open = !super::escape_closes(ctx);
        let mut apply = false;
        let mut content = None;
        let shown = egui::Window::new(chrome::title(ctx, tr!("Tags")))
            .id(egui::Id::unique("tags-dialog"))
            .open(&mut open)
            .resizable(false)
            .show(ctx, |ui| {
                content = Some(ui.max_rect());
                chrome::rtl(ui, |ui| {
                    let draft = self.annotate.tags_draft.as_mut().expect("draft");
                    tags_grid(ui, &mut draft.tags);
                    ui.separator();
                    relations_grid(ui, &mut draft.relations);
                    if let Some(e) = &self.annotate.tags_error {
                        chrome::error(ui, e);
                    }
                    ui.separator();
                    apply = ui.button(chrome::atom(ui, tr!("Apply"))).clicked();
                });
            });
        super::focus_on_open(ctx, "tags", shown.map(|r| r.response.layer_id), content);
        if apply {
            match self.apply_tags_draft() {
                Ok(()) => {
                    self.annotate.tags_draft = None;
                    self.annotate.tags_error = None;
                }
                Err(e) => self.annotate.tags_error = Some(e),
            }
        } else if !open {
            self.annotate.tags_draft = None;
        }
    }
}

fn tags_grid(ui: &mut Ui, rows: &mut Vec<TagRow>) {
    let mut swap = None;
    let mut remove = None;
    // egui's grid cannot run right to left (inside a right-to-left layout its first row starts at minus infinity):
    // it keeps to a left-to-right layout of its own, and in the Arabic interface takes its columns in the
    // opposite order, so that the name is at the right.
    let columns: Vec<usize> = if crate::i18n::rtl() {
        (0..6).rev().collect()
    } else {
        (0..6).collect()
    };
    ui.vertical(|ui| {
        egui::Grid::new("tags-grid")
            .num_columns(6)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                for &c in &columns {
                    match c {
                        0 => chrome::label(ui, tr!("Name")),
                        1 => chrome::label(ui, tr!("Arabic label")),
                        2 => chrome::label(ui, tr!("Colour")),
                        3 => chrome::label(ui, tr!("Key")),
                        4 => chrome::hover(
                            chrome::label(ui, tr!("Attributes")),
                            tr!(
                                "Negated; Certainty=High|Low; Comment=* — a flag, one of some values, free text"
                            ),
                        ),
                        _ => ui.label(""),
                    };
                }
                ui.end_row();
                let n = rows.len();
                for (i, r) in rows.iter_mut().enumerate() {
                    for &c in &columns {
                        match c {
                            0 => {
                                // (Sized: a grid's cell would shrink a field to its column's last width.)
                                let h = ui.spacing().interact_size.y;
                                ui.add_sized([80.0, h], egui::TextEdit::singleline(&mut r.name));
                            }
                            1 => {
                                ui.add(
                                    RtlInput::new(&mut r.label, &tr!("Arabic label"))
                                        .desired_width(140.0),
                                );
                            }
                            2 => {
                                ui.color_edit_button_srgb(&mut r.color);
                            }
                            3 => {
                                egui::ComboBox::from_id_salt(("tag-key", i))
                                    .width(50.0)
                                    .selected_text(r.key.map_or("—".to_owned(), |k| k.to_string()))
                                    .show_ui(ui, |ui| {
                                        ui.selectable_value(&mut r.key, None, "—");
                                        for k in '1'..='9' {
                                            ui.selectable_value(&mut r.key, Some(k), k.to_string());
                                        }
                                    });
                            }
                            4 => {
                                let h = ui.spacing().interact_size.y;
                                ui.add_sized(
                                    [200.0, h],
                                    egui::TextEdit::singleline(&mut r.attributes)
                                        .hint_text("Negated; Certainty=High|Low"),
                                );
                            }
                            _ => {
                                // A cell of the grid: it keeps the grid's direction (grids do not mirror).
                                ui.horizontal(|ui| {
                                    let up = chrome::atom(ui, tr!("Up"));
                                    if ui.add_enabled(i > 0, egui::Button::new(up)).clicked() {
                                        swap = Some((i, i - 1));
                                    }
                                    let down = chrome::atom(ui, tr!("Down"));
                                    if ui.add_enabled(i + 1 < n, egui::Button::new(down)).clicked() {
                                        swap = Some((i, i + 1));
                                    }
                                    if ui.button(chrome::atom(ui, tr!("Remove"))).clicked() {
                                        remove = Some(i);
                                    }
                                });
                            }
                        }
                    }
                    ui.end_row();
                }
            });
    });
    if let Some((a, b)) = swap {
        rows.swap(a, b);
    }
    if let Some(i) = remove {
        rows.remove(i);
    }
    // A key belongs to one tag: the last one given it keeps it.
    let mut seen = Vec::new();
    for r in rows.iter_mut().rev() {
        if let Some(k) = r.key {
            if seen.contains(&k) {
                r.key = None;
            } else {
                seen.push(k);
            }
        }
    }
    if ui.button(chrome::atom(ui, tr!("Add Tag"))).clicked() {
        let n = rows.len();
        rows.push(TagRow {
            original: None,
            name: format!("TAG{}", n + 1),
            label: RtlInputState::new(false),
            color: crate::model::tags::PALETTE[n % crate::model::tags::PALETTE.len()],
            key: ('1'..='9').find(|k| !seen.contains(k)),
            attributes: String::new(),
        });
    }
}

fn relations_grid(ui: &mut Ui, rows: &mut Vec<RelationRow>) {
    chrome::strong(ui, tr!("Relation types"));
    let mut remove = None;
    if !rows.is_empty() {
        // A left-to-right layout of its own, its columns mirrored in the Arabic interface, as for the tags grid.
        let columns: Vec<usize> = if crate::i18n::rtl() {
            (0..7).rev().collect()
        } else {
            (0..7).collect()
        };
        ui.vertical(|ui| {
            egui::Grid::new("relation-types-grid")
                .num_columns(7)
                .spacing([8.0, 6.0])
                .show(ui, |ui| {
                    for &c in &columns {
                        match c {
                            0 => chrome::label(ui, tr!("Name")),
                            1 => chrome::label(ui, tr!("Arabic label")),
                            2 => chrome::label(ui, tr!("Colour")),
                            3 => chrome::hover(
                                chrome::label(ui, tr!("From tags")),
                                tr!("Tags the source may have, e.g. PER (empty: any)"),
                            ),
                            4 => chrome::hover(
                                chrome::label(ui, tr!("To tags")),
                                tr!("Tags the target may have, e.g. ORG GPE (empty: any)"),
                            ),
                            5 => chrome::label(ui, tr!("Symmetric")),
                            _ => ui.label(""),
                        };
                    }
                    ui.end_row();
                    for (i, r) in rows.iter_mut().enumerate() {
                        let h = ui.spacing().interact_size.y;
                        for &c in &columns {
                            match c {
                                0 => {
                                    ui.add_sized(
                                        [100.0, h],
                                        egui::TextEdit::singleline(&mut r.name),
                                    );
                                }
                                1 => {
                                    ui.add(
                                        RtlInput::new(&mut r.label, &tr!("Relation label"))
                                            .desired_width(120.0),
                                    );
                                }
                                2 => {
                                    ui.color_edit_button_srgb(&mut r.color);
                                }
                                3 => {
                                    ui.add_sized(
                                        [90.0, h],
                                        egui::TextEdit::singleline(&mut r.from),
                                    );
                                }
                                4 => {
                                    ui.add_sized([90.0, h], egui::TextEdit::singleline(&mut r.to));
                                }
                                5 => {
                                    ui.checkbox(&mut r.symmetric, "");
                                }
                                _ => {
                                    if ui.button(chrome::atom(ui, tr!("Remove"))).clicked() {
                                        remove = Some(i);
                                    }
                                }
                            }
                        }
                        ui.end_row();
                    }
                });
        });
    }
    if let Some(i) = remove {
        rows.remove(i);
    }
    if ui
        .button(chrome::atom(ui, tr!("Add Relation Type")))
        .clicked()
    {
        let n = rows.len();
        rows.push(RelationRow {
            name: format!("REL{}", n + 1),
            label: RtlInputState::new(false),
            color: crate::model::tags::PALETTE[(n + 3) % crate::model::tags::PALETTE.len()],
            from: String::new(),
            to: String::new(),
            symmetric: false,
        });
    }
}
