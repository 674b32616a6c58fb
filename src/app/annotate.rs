//! Annotating in the window: tagging the selection (keys, palette, context menu), the details popup, the annotation
//! panel, the tag-set dialog, saving (Ctrl+S, autosave, Save As, on close) and undo.

use std::path::{Path, PathBuf};
use std::time::Instant;

use egui::{Color32, Key, Pos2, Ui, ViewportCommand};

use super::{Command, WarraqApp};
use crate::model::words::snap_to_words;
use crate::model::{Annotation, CharOffset, Tag, TextSelection};
use crate::tr;
use crate::view::chrome;
use crate::view::{Overlay, RtlInput, RtlInputState, RtlLabel};
pub use crate::workspace::AUTOSAVE_DELAY;
use crate::workspace::{Due, LeaveChoice, Next, OpenDocument, Work};

/// Saves `d` to `path` (Save As) and says what happened.
fn save_as_message(d: &mut OpenDocument, path: PathBuf) -> String {
    match d.save_as(path.clone()) {
        Ok(saved) => saved.message(&path).unwrap_or_else(|| {
            tr!(
                "The annotations were saved to %{path}",
                path = path.display()
            )
        }),
        Err(e) => e.to_string(),
    }
}

pub(crate) struct AnnotateState {
    /// The annotation picked in the panel or the popup.
    pub selected: Option<u64>,
    /// Details popup: where it was opened (text position, screen position).
    pub popup: Option<(CharOffset, Pos2)>,
    flash: Option<(u64, Instant)>,
    note: RtlInputState,
    note_for: Option<u64>,
    /// The details were opened with Enter: the note takes the keyboard.
    focus_note: bool,
    filter_tag: Option<String>,
    filter_text: RtlInputState,
    pub(super) tags_draft: Option<super::tags_dialog::Draft>,
    pub(super) tags_error: Option<String>,
    /// A Save As dialog is open.
    pub(super) save_as_open: bool,
    /// The user chose Discard and Quit: the window may close.
    allow_close: bool,
    /// The user chose to keep reading with annotations off over an unreadable sidecar.
    keep_read_only: bool,
    /// A quit that waited for Save As goes ahead in the next frame.
    close_now: bool,
    /// The panel's filtered rows, kept until the annotations or the filters change (a book has 100 000
    /// annotations: filtering them every frame would cost milliseconds).
    panel: Option<PanelCache>,
}

/// The annotation panel's filtered rows, for one state of the annotations and filters.
struct PanelCache {
    key: (u64, u64, Option<String>, String),
    rows: std::sync::Arc<Vec<usize>>,
}

impl Default for AnnotateState {
    fn default() -> Self {
        Self {
            selected: None,
            popup: None,
            flash: None,
            note: RtlInputState::new(true),
            note_for: None,
            focus_note: false,
            panel: None,
            filter_tag: None,
            filter_text: RtlInputState::new(false),
            tags_draft: None,
            tags_error: None,
            save_as_open: false,
            allow_close: false,
            keep_read_only: false,
            close_now: false,
        }
    }
}

fn color32([r, g, b]: [u8; 3]) -> Color32 {
    Color32::from_rgb(r, g, b)
}

/// A tag as a coloured chip with its name; the Arabic label follows through the RTL label.
fn tag_chip(ui: &mut Ui, tag: &Tag, key_hint: bool) -> egui::Response {
    let text = match (key_hint, tag.key) {
        (true, Some(k)) => format!("{k}  {}", tag.name),
        _ => tag.name.clone(),
    };
    let r = ui.add(
        egui::Button::new(chrome::atom_colored(ui, text, Color32::WHITE)).fill(color32(tag.color)),
    );
    if !tag.label.is_empty() {
        ui.add(RtlLabel::new(&tag.label).size(14.0));
    }
    r
}

impl WarraqApp {
    /// What the panel's filter holds.
    pub(super) fn annotate_filter_text(&self) -> String {
        self.annotate.filter_text.text()
    }

    /// The annotation selected in the panel or popup.
    #[must_use]
    pub fn selected_annotation(&self) -> Option<u64> {
        self.annotate.selected
    }

    /// Picks an annotation (as clicking it in the panel does): selects it, scrolls to it and flashes it.
    /// Whether an annotation's details are open.
    #[must_use]
    pub fn is_showing_details(&self) -> bool {
        self.annotate.popup.is_some()
    }

    /// Opens the selected annotation's details (Enter), with the keyboard in its note.
    pub fn open_details(&mut self) {
        let Some(id) = self.annotate.selected else {
            return;
        };
        if self.link_to_selected(id) {
            return;
        }
        let (Some(d), Some((_, view))) = (self.workspace.current(), self.view.as_mut()) else {
            return;
        };
        let Some(a) = d.annotations.get(id) else {
            return;
        };
        let at = a.span();
        let pos = view
            .screen_rects(at)
            .first()
            .map_or_else(|| view.visible_rect().center(), |r| r.left_bottom());
        self.annotate.popup = Some((at.start, pos));
        self.annotate.focus_note = true;
    }

    pub fn pick_annotation(&mut self, id: u64) {
        self.commit_note();
        self.annotate.selected = Some(id);
        self.annotate.flash = Some((id, Instant::now()));
        if let (Some(d), Some((_, view))) = (self.workspace.current(), self.view.as_mut())
            && let Some(a) = d.annotations.get(id)
        {
            view.scroll_to_offset(CharOffset(a.start));
        }
    }

    pub(super) fn command_enabled(&self, command: Command) -> bool {
        let Some(d) = self.workspace.current() else {
            return matches!(
                command,
                Command::Open
                    | Command::OpenSample
                    | Command::Import
                    | Command::Quit
                    | Command::Agreement
                    | Command::Curate
                    | Command::AnnotatorName
                    | Command::OpenFolder
            ) || command.menu() == super::Menu::View;
        };
        match command {
            Command::Save => {
                !d.read_only && d.is_dirty()
                    || d.sidecar.is_none() && !d.annotations.items().is_empty()
            }
            Command::SaveAs => !d.read_only,
            Command::Undo => d.annotations.can_undo(),
            Command::Redo => d.annotations.can_redo(),
            Command::DeleteAnnotation | Command::TagAll => self.annotate.selected.is_some(),
            Command::EditTags => !d.read_only,
            Command::Export => !d.annotations.items().is_empty() || d.path.is_some(),
            c if c.menu() == super::Menu::Curation => self.curation().is_some(),
            _ => true,
        }
    }

    fn changed(&mut self) {
        // The save policy notices the new revision by itself; this only marks the moment for the title and autosave.
        if let Some(d) = self.workspace.current_mut() {
            d.save.observe(d.annotations.revision(), Instant::now());
        }
    }

    /// Tags the selection with `tag` (snapped to whole words when that is on); returns the new annotation's id.
    pub fn tag_selection(&mut self, tag: &str) -> Option<u64> {
        let (Some(d), Some((_, view))) = (self.workspace.current_mut(), self.view.as_mut()) else {
            return None;
        };
        // A selection made with the keys is taken as it is (but the spaces at its ends); one made with the mouse
        // snaps to whole words when that is on.
        let snap = self.settings.snap_to_word && !view.selected_by_keyboard();
        if d.read_only {
            self.message = Some(tr!("Annotations are off for this document until its annotations file is dealt with (see above).").into_owned());
            return None;
        }
        let doc = d.doc.clone();
        let snapped = |span| {
            if snap {
                snap_to_words(&doc, span)
            } else {
                crate::model::words::trim_spaces(&doc, span)
            }
        };
        let pieces: Vec<crate::model::Span> = view.pieces().into_iter().map(snapped).collect();
        let mut span = snapped(view.selection().span());
        let id = if pieces.len() > 1 {
            // Pieces picked with Ctrl+drag: one discontinuous annotation.
            span = pieces[pieces.len() - 1];
            d.annotations.create_discontinuous(&doc, &pieces, tag)?
        } else {
            d.annotations.create(&doc, span, tag)?
        };
        view.clear_pieces();
        view.set_selection(TextSelection::caret(span.end));
        self.annotate.selected = Some(id);
        self.annotate.flash = Some((id, Instant::now()));
        self.changed();
        Some(id)
    }

    pub(super) fn handle_tag_keys(&mut self, ctx: &egui::Context) {
        // The relation type chooser and the delete question take the digit keys and Escape themselves.
        if self.is_choosing_relation_type() || self.is_asking_before_delete() {
            return;
        }
        let (Some(d), Some((_, view))) = (self.workspace.current(), self.view.as_ref()) else {
            return;
        };
        // Only a frame with a tag key pressed goes further (the annotation lookup below is not every frame's work).
        let Some((key, tag)) = d.annotations.tags.tags.iter().find_map(|t| {
            let key = t.key.and_then(|k| Key::from_name(&k.to_string()))?;
            ctx.input(|i| {
                i.events.iter().any(|e| {
                    matches!(e, egui::Event::Key { key: k, pressed: true, modifiers, .. }
                        if *k == key && modifiers.matches_logically(egui::Modifiers::NONE))
                })
            })
            .then(|| (key, t.name.clone()))
        }) else {
            return;
        };
        // Selected text is tagged (anew: a second tag on the same words stays possible). With no text selected, the
        // selected annotation (Tab, a click, the one just made) that holds the caret gets the key's tag instead.
        let sel = view.selection().span();
        let retag = if sel.is_empty() {
            match self
                .annotate
                .selected
                .and_then(|id| d.annotations.get(id))
                .filter(|a| a.start <= sel.start.0 && sel.start.0 <= a.end)
            {
                Some(a) if !d.read_only => Some(a.id),
                _ => return,
            }
        } else {
            None
        };
        ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, key));
        match retag {
            Some(id) => {
                if let Some(d) = self.workspace.current_mut()
                    && d.annotations.retag(id, &tag)
                {
                    self.annotate.flash = Some((id, Instant::now()));
                    self.changed();
                }
            }
            None => {
                self.tag_selection(&tag);
            }
        }
    }

    pub(super) fn undo_redo(&mut self, undo: bool) {
        self.commit_note();
        if let Some(d) = self.workspace.current_mut() {
            let decided_before = d.annotations.curation().map(|r| r.decided.clone());
            let done = if undo {
                d.annotations.undo()
            } else {
                d.annotations.redo()
            };
            // An answer taken back while curating: look at its question again.
            if let (Some(before), Some(after), Some(Ok(c))) = (
                decided_before,
                d.annotations.curation().map(|r| r.decided.clone()),
                &mut d.curation,
            ) && let Some(key) = before.iter().find(|k| after.binary_search(k).is_err())
                && let Some(i) = c.groups.iter().position(|g| g.key == *key)
            {
                c.current = Some(i);
            }
            if done {
                if self
                    .annotate
                    .selected
                    .is_some_and(|id| d.annotations.get(id).is_none())
                {
                    self.annotate.selected = None;
                    self.annotate.popup = None;
                }
                self.annotate.note_for = None;
                self.changed();
            }
        }
    }

    pub(super) fn delete_selected_annotation(&mut self) {
        let Some(id) = self.annotate.selected.take() else {
            return;
        };
        // An annotation that relations link asks first: they go with it.
        if self
            .workspace
            .current()
            .is_some_and(|d| d.annotations.relations_of(id).next().is_some())
        {
            self.ask_before_deleting(id);
            return;
        }
        self.delete_annotation(id);
    }

    /// Deletes an annotation (and the relations it is part of, in the same undoable step).
    pub(super) fn delete_annotation(&mut self, id: u64) {
        if let Some(d) = self.workspace.current_mut()
            && d.annotations.delete(id)
        {
            self.annotate.popup = None;
            self.annotate.note_for = None;
            self.changed();
        }
    }

    /// Applies the note being edited in the popup, if it changed.
    fn commit_note(&mut self) {
        let Some(id) = self.annotate.note_for else {
            return;
        };
        let note = self.annotate.note.text();
        if let Some(d) = self.workspace.current_mut()
            && d.annotations.get(id).is_some_and(|a| a.note != note)
        {
            d.annotations.set_note(id, &note);
        }
    }

    // ----- saving -----

    /// Saves now (Ctrl+S), in the background like autosave; with no place yet (the sample), asks for one.
    pub(super) fn save_annotations(&mut self, ctx: &egui::Context) {
        self.commit_note();
        let Some(d) = self.workspace.current_mut() else {
            return;
        };
        if d.sidecar.is_none() {
            self.save_as_dialog(ctx);
            return;
        }
        if !d.can_save() {
            self.message = Some(crate::workspace::SaveError::Blocked.to_string());
            return;
        }
        // Saving starts in this frame's autosave step (one slice of work a frame).
        d.request_save();
        ctx.request_repaint();
    }

    /// Writes changes two seconds after the last edit (or at once after Ctrl+S) without stopping the window: the
    /// text is prepared a few milliseconds per frame and written by a worker. After a failure, tries again with
    /// backoff.
    pub(super) fn autosave(&mut self, ctx: &egui::Context) {
        let now = Instant::now();
        let waker = self.waker(ctx);
        let Some(d) = self.workspace.current_mut() else {
            return;
        };
        let had_error = d.save.error().is_some();
        match d.save_in_background(now, &waker) {
            Some(Ok(saved)) => {
                let mut m = saved.message(d.sidecar.as_deref().unwrap_or(Path::new("")));
                if had_error {
                    m = Some(m.unwrap_or_else(|| tr!("The annotations were saved.").into_owned()));
                }
                self.add_message(m);
            }
            Some(Err(e)) => self.message = Some(e.to_string()),
            None => {}
        }
        let Some(d) = self.workspace.current_mut() else {
            return;
        };
        // A merge gave some of this window's annotations new ids: what the window holds follows them.
        let renumbered = d.annotations.take_renumbered();
        if !renumbered.is_empty() {
            let follow = |id: &mut Option<u64>| {
                if let Some(x) = id
                    && let Some((_, new)) = renumbered.iter().find(|(old, _)| old == x)
                {
                    *x = *new;
                }
            };
            follow(&mut self.annotate.selected);
            follow(&mut self.annotate.note_for);
            self.relations_follow(&renumbered);
        }
        let Some(d) = self.workspace.current_mut() else {
            return;
        };
        if d.is_saving() {
            // Serializing goes on next frame; the worker's end wakes the window by itself.
            ctx.request_repaint();
        } else if let Due::After(wait) = d.autosave_due(now) {
            ctx.request_repaint_after(wait);
        }
    }

    /// File ▸ Save Annotations As…: the chooser runs as a job of this document, so its answer is applied to this
    /// document only.
    pub(super) fn save_as_dialog(&mut self, ctx: &egui::Context) {
        if self.annotate.save_as_open {
            return;
        }
        let waker = self.waker(ctx);
        let Some(d) = self.workspace.current_mut() else {
            return;
        };
        let default = d
            .sidecar
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("{}.warraq.ron", d.name)));
        self.annotate.save_as_open = true;
        d.spawn(Work::SaveAsDialog, &waker, move || {
            let mut dialog = rfd::FileDialog::new()
                .set_title(tr!("Save annotations as"))
                .add_filter(tr!("Warraq annotations"), &["ron"]);
            if let Some(dir) = default.parent().filter(|p| !p.as_os_str().is_empty()) {
                dialog = dialog.set_directory(dir);
            }
            if let Some(name) = default.file_name() {
                dialog = dialog.set_file_name(name.to_string_lossy());
            }
            let choice = super::chosen(|| dialog.save_file());
            Box::new(move |d: &mut OpenDocument| {
                let Ok(choice) = choice else {
                    return Some(
                        tr!("The file dialog could not be shown (no desktop portal or zenity found), so these annotations have no file yet; they are kept while the window is open. To annotate with saving, open a text file from the command line: warraq FILE.")
                            .into_owned(),
                    );
                };
                Some(save_as_message(d, choice?))
            })
        });
    }

    /// Saves to `path` and keeps saving there (File ▸ Save Annotations As…).
    pub fn save_annotations_to(&mut self, path: PathBuf) {
        self.commit_note();
        if let Some(d) = self.workspace.current_mut() {
            let m = save_as_message(d, path);
            self.message = Some(m);
            self.after_save_as();
        }
    }

    /// After a Save As: a leave that waited for the document to be saved goes ahead.
    pub(super) fn after_save_as(&mut self) {
        self.annotate.save_as_open = false;
        if self.workspace.leaving().is_some() && self.workspace.retry_leave() {
            // The Save As result stays in view after the next document's notes.
            let said = self.message.take();
            self.sync_document();
            self.add_message(said);
            if self.workspace.is_closed() {
                // The quit that waited goes ahead now (sent in the next frame, where the context is at hand).
                self.annotate.allow_close = true;
                self.annotate.close_now = true;
            }
        }
    }

    /// Closing the window settles the document first: saved, or the user chooses in the leave dialog.
    pub(super) fn handle_close_request(&mut self, ctx: &egui::Context) {
        if self.annotate.close_now {
            self.annotate.close_now = false;
            ctx.send_viewport_cmd(ViewportCommand::Close);
            return;
        }
        if !ctx.input(|i| i.viewport().close_requested()) || self.annotate.allow_close {
            return;
        }
        self.commit_note();
        if self.workspace.leaving().is_some() {
            ctx.send_viewport_cmd(ViewportCommand::CancelClose);
            return;
        }
        let m = self.workspace.go(Next::Close);
        self.add_message(m);
        if self.workspace.is_closed() {
            self.annotate.allow_close = true;
        } else {
            ctx.send_viewport_cmd(ViewportCommand::CancelClose);
        }
    }

    /// The dialog shown while leaving a document waits for the user: why, and Save As… / Discard / Cancel.
    pub(super) fn leave_dialog(&mut self, ctx: &egui::Context) {
        let Some(leaving) = self.workspace.leaving() else {
            return;
        };
        let (heading, discard) = match leaving.next {
            Next::Close => (tr!("Unsaved annotations"), tr!("Discard and Quit")),
            _ => (tr!("Unsaved annotations"), tr!("Discard and Continue")),
        };
        let why = leaving.reason.to_string();
        let closing = matches!(leaving.next, Next::Close);
        let mut choice = None;
        let mut save_as = false;
        egui::Modal::new(egui::Id::unique("leave-document")).show(ctx, |ui| {
            chrome::rtl(ui, |ui| {
                chrome::heading(ui, heading);
                ui.add(RtlLabel::new(&why).wrap());
                chrome::label(
                    ui,
                    tr!("Save them somewhere else, discard them, or stay here."),
                );
                ui.horizontal(|ui| {
                    save_as = ui.button(chrome::atom(ui, tr!("Save As…"))).clicked();
                    if ui.button(chrome::atom(ui, discard)).clicked() {
                        choice = Some(LeaveChoice::Discard);
                    }
                    if ui.button(chrome::atom(ui, tr!("Cancel"))).clicked() {
                        choice = Some(LeaveChoice::Cancel);
                    }
                });
            });
        });
        if save_as {
            self.save_as_dialog(ctx);
        }
        if let Some(c) = choice {
            self.workspace.choose(c);
            self.sync_document();
            if closing && self.workspace.is_closed() {
                self.annotate.allow_close = true;
                ctx.send_viewport_cmd(ViewportCommand::Close);
            }
        }
    }

    // ----- the document area -----

    pub(super) fn document_area(&mut self, ui: &mut Ui) {
        let flash = self.annotate.flash.and_then(|(id, t)| {
            let age = t.elapsed().as_secs_f32();
            (age < 1.2).then(|| (id, 1.0 - age / 1.2))
        });
        if flash.is_some() {
            ui.ctx().request_repaint();
        }
        let emphasized = flash.map(|(id, _)| id).or(self.annotate.selected);
        let drawn = self.curation_overlay();
        let (disputes, versions) = (&drawn.0, &drawn.1);
        let (Some(d), Some((_, view))) = (self.workspace.current(), self.view.as_mut()) else {
            return;
        };
        let (matches, current_match) = match &self.find {
            Some(f) => (f.found.spans.as_slice(), f.current),
            None => (&[][..], None),
        };
        let overlay = Overlay {
            annotations: &d.annotations,
            emphasized,
            flash: flash.map_or(0.0, |(_, f)| f),
            matches,
            current_match,
            disputes,
            versions,
        };
        let vr = view.show(ui, Some(overlay));
        // Linking (Alt-drag, "Link to…") and clicks on arcs come first.
        let used = self.relation_events(&vr);
        let d = self.workspace.current().expect("open document");
        // Clicking a highlight opens its details; clicking plain text closes them.
        if let Some(at) = vr.clicked.filter(|_| !used) {
            let hit = d.annotations.at(at).first().map(|a| a.id);
            if let Some(id) = hit {
                let pos = vr.response.interact_pointer_pos().unwrap_or_default();
                self.annotate.popup = Some((at, pos));
                self.commit_note();
                self.annotate.selected = Some(id);
            } else {
                self.commit_note();
                self.annotate.popup = None;
                self.annotate.selected = None;
            }
        }
        // Hovering shows tag and note.
        if let Some(at) = vr.hovered
            && self.annotate.popup.is_none()
        {
            let d = self.workspace.current().expect("open document");
            let here: Vec<Annotation> = d.annotations.at(at).into_iter().cloned().collect();
            if !here.is_empty() {
                vr.response.clone().on_hover_ui_at_pointer(|ui| {
                    for a in &here {
                        ui.horizontal(|ui| {
                            chrome::colored(
                                ui,
                                a.tag.clone(),
                                color32(d.annotations.tags.color_of(&a.tag)),
                                true,
                            );
                            ui.add(RtlLabel::new(&a.text).size(15.0));
                        });
                        let said = crate::model::annotations::said_of(a);
                        if !said.is_empty() {
                            ui.add(RtlLabel::new(&said).size(14.0));
                        }
                        if !a.note.is_empty() {
                            ui.add(RtlLabel::new(&a.note).size(14.0));
                        }
                    }
                });
            }
        }
        self.context_menu(&vr.response);
        self.palette(ui.ctx());
        self.popup(ui.ctx());
    }

    fn context_menu(&mut self, response: &egui::Response) {
        let (Some(d), Some(view)) = (self.workspace.current(), self.view()) else {
            return;
        };
        let tags = d.annotations.tags.clone();
        let has_selection = !view.selection().is_empty();
        let pointer_annotation = response
            .hover_pos()
            .and(self.annotate.selected)
            .filter(|_| self.annotate.popup.is_some());
        response.context_menu(|ui| {
            ui.add_enabled_ui(has_selection, |ui| {
                chrome::submenu(ui, tr!("Tag Selection As"), |ui| {
                    for t in &tags.tags {
                        let text = format!(
                            "{}  {}",
                            t.name,
                            t.key.map(|k| format!("({k})")).unwrap_or_default()
                        );
                        if ui.button(chrome::atom(ui, text)).clicked() {
                            self.tag_selection(&t.name);
                            ui.close();
                        }
                    }
                });
            });
            let ctx = ui.ctx().clone();
            for command in [
                Command::Copy,
                Command::SelectAll,
                Command::Undo,
                Command::Redo,
                Command::DeleteAnnotation,
            ] {
                let enabled = self.command_enabled(command)
                    && (command != Command::DeleteAnnotation
                        || pointer_annotation.is_some()
                        || self.annotate.selected.is_some());
                if ui
                    .add_enabled(
                        enabled,
                        egui::Button::new(chrome::atom(ui, command.title())),
                    )
                    .clicked()
                {
                    self.run(&ctx, command);
                    ui.close();
                }
            }
        });
    }

    /// The tag palette beside a fresh selection.
    fn palette(&mut self, ctx: &egui::Context) {
        let (Some(d), Some((_, view))) = (self.workspace.current(), self.view.as_mut()) else {
            return;
        };
        let sel = view.selection().span();
        if sel.is_empty() || d.read_only || view.is_dragging() {
            return;
        }
        // Only where the selection is on screen: scrolled away, it has no palette.
        let visible = view.visible_rect();
        let rects: Vec<_> = view
            .screen_rects(sel)
            .into_iter()
            .filter(|r| visible.intersects(*r))
            .collect();
        let Some(last) = rects.iter().max_by(|a, b| a.max.y.total_cmp(&b.max.y)) else {
            return;
        };
        // Under the selection's start on screen: its left edge, or in the Arabic interface its right edge, with the
        // chips running right to left from there (the first tag rightmost).
        let rtl = crate::i18n::rtl();
        let (anchor, pivot) = if rtl {
            (
                Pos2::new(last.max.x, last.max.y + 4.0),
                egui::Align2::RIGHT_TOP,
            )
        } else {
            (
                Pos2::new(last.min.x, last.max.y + 4.0),
                egui::Align2::LEFT_TOP,
            )
        };
        let tags = d.annotations.tags.clone();
        let mut chosen = None;
        egui::Area::new(egui::Id::unique("tag-palette"))
            .fixed_pos(anchor)
            .pivot(pivot)
            .order(egui::Order::Foreground)
            .show(ctx, |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.horizontal_wrapped(|ui| {
                        ui.spacing_mut().item_spacing.x = 4.0;
                        let in_order: Box<dyn Iterator<Item = _>> = if rtl {
                            Box::new(tags.tags.iter().rev())
                        } else {
                            Box::new(tags.tags.iter())
                        };
                        for t in in_order {
                            let chip = tag_chip(ui, t, true);
                            if chrome::hover(chip, tr!("Tag the selection as %{tag}", tag = t.name))
                                .clicked()
                            {
                                chosen = Some(t.name.clone());
                            }
                        }
                    });
                });
            });
        if let Some(tag) = chosen {
            self.tag_selection(&tag);
        }
    }

    /// Details of the annotations at the clicked position: change tag, edit note, delete.
    fn popup(&mut self, ctx: &egui::Context) {
        let Some((at, pos)) = self.annotate.popup else {
            return;
        };
        let Some(d) = self.workspace.current() else {
            return;
        };
        let here: Vec<Annotation> = d.annotations.at(at).into_iter().cloned().collect();
        let tags = d.annotations.tags.clone();
        if here.is_empty() {
            self.annotate.popup = None;
            return;
        }
        let selected = self
            .annotate
            .selected
            .filter(|id| here.iter().any(|a| a.id == *id))
            .unwrap_or(here[0].id);
        if self.annotate.note_for != Some(selected) {
            self.commit_note();
            let note = here
                .iter()
                .find(|a| a.id == selected)
                .map(|a| a.note.clone())
                .unwrap_or_default();
            self.annotate.note.set_text(&note);
            self.annotate.note_for = Some(selected);
            self.annotate.selected = Some(selected);
        }
        // Escape closes it, unless a text field (the note) has (or had until this Escape) the keyboard: the first
        // Escape leaves the note for the buttons (Tab walks them), the second closes.
        let leaving_note = crate::view::rtl_input::input_has_focus(ctx)
            && ctx.input(|i| i.key_pressed(egui::Key::Escape));
        let mut open = !super::escape_closes(ctx);
        let mut retag = None;
        let mut pick = None;
        let mut delete = false;
        let mut save_note = false;
        let mut tag_all = false;
        let mut delete_all = false;
        let mut link_to = false;
        egui::Window::new(chrome::title(ctx, tr!("Annotation")))
            .id(egui::Id::unique("annotation-popup"))
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .default_pos(pos + egui::vec2(8.0, 12.0))
            .default_width(340.0)
            .show(ctx, |ui| chrome::rtl(ui, |ui| {
                if here.len() > 1 {
                    chrome::label(ui, tr!("Annotations here:"));
                    for a in &here {
                        ui.horizontal(|ui| {
                            if ui
                                .add(egui::Button::selectable(a.id == selected, chrome::atom(ui, a.tag.clone())))
                                .clicked()
                            {
                                pick = Some(a.id);
                            }
                            ui.add(RtlLabel::new(&a.text).size(15.0));
                        });
                    }
                    ui.separator();
                }
                let a = here
                    .iter()
                    .find(|a| a.id == selected)
                    .expect("selected is here");
                let shown = self
                    .workspace
                    .current()
                    .map_or_else(|| a.text.clone(), |d| a.shown_text(&d.doc));
                ui.add(RtlLabel::new(&shown).size(18.0).wrap());
                if a.fragments.len() > 1 {
                    chrome::weak(ui, tr!("in %{n} pieces", n = a.fragments.len()));
                }
                chrome::weak(ui, tr!("characters %{start}–%{end}", start = a.start, end = a.end));
                ui.horizontal_wrapped(|ui| {
                    for t in &tags.tags {
                        let r = tag_chip(ui, t, false);
                        if t.name == a.tag {
                            ui.painter().rect_stroke(
                                r.rect.expand(2.0),
                                3.0,
                                ui.visuals().selection.stroke,
                                egui::StrokeKind::Outside,
                            );
                        }
                        if r.clicked() && t.name != a.tag {
                            retag = Some(t.name.clone());
                        }
                    }
                });
                chrome::label(ui, tr!("Note"));
                let focus = std::mem::take(&mut self.annotate.focus_note);
                ui.add(
                    RtlInput::new(&mut self.annotate.note, &tr!("Annotation note"))
                        .rows(3)
                        .hint("ملاحظة")
                        .take_focus(focus),
                );
                ui.horizontal(|ui| {
                    let save = ui.button(chrome::atom(ui, tr!("Save Note")));
                    if leaving_note {
                        save.request_focus();
                    }
                    save_note = save.clicked();
                    delete = ui.button(chrome::atom(ui, tr!("Delete"))).clicked();
                    let link = ui.button(chrome::atom(ui, tr!("Link to…")));
                    link_to = chrome::hover(
                        link,
                        tr!("Then click the annotation to link to (or Alt-drag from one to the other)"),
                    )
                    .clicked();
                });
                self.attributes_and_links(ui, a.id);
                ui.horizontal(|ui| {
                    let all = ui.button(chrome::atom(ui, tr!("Tag All Occurrences")));
                    tag_all = chrome::hover(
                        all,
                        tr!("Find every other mention (ignoring harakat, with clitics) and review them"),
                    )
                    .clicked();
                    delete_all = ui
                        .button(chrome::atom(ui, tr!("Delete All With This Text")))
                        .clicked();
                });
            }));
        if let Some(id) = pick {
            self.commit_note();
            self.annotate.selected = Some(id);
        }
        if let Some(tag) = retag
            && let Some(d) = self.workspace.current_mut()
        {
            d.annotations.retag(selected, &tag);
            self.changed();
        }
        if save_note {
            self.commit_note();
        }
        if delete {
            self.commit_note();
            self.annotate.selected = Some(selected);
            self.delete_selected_annotation();
        }
        if tag_all {
            self.commit_note();
            self.annotate.popup = None;
            self.tag_all_occurrences(selected);
        }
        if link_to {
            self.commit_note();
            self.annotate.popup = None;
            self.annotate.note_for = None;
            self.start_link_from(selected);
        }
        if delete_all {
            self.commit_note();
            self.delete_all_with_text(selected);
        }
        if !open {
            self.commit_note();
            self.annotate.popup = None;
            self.annotate.note_for = None;
            self.focus_document = 2;
        }
    }

    // ----- the annotation panel -----

    pub(super) fn annotation_panel(&mut self, ui: &mut Ui) {
        let Some(d) = self.workspace.current() else {
            return;
        };
        let tags = d.annotations.tags.clone();
        let needle = self.annotate.filter_text.text();
        // The rows that pass the filters (`None`: no filter, every row), kept until the annotations or the
        // filters change; only the rows in view are drawn.
        let filter_tag = &self.annotate.filter_tag;
        let rows = if filter_tag.is_none() && needle.is_empty() {
            None
        } else {
            let key = (
                d.generation,
                d.annotations.revision(),
                filter_tag.clone(),
                needle.clone(),
            );
            if self.annotate.panel.as_ref().is_none_or(|p| p.key != key) {
                let rows = d
                    .annotations
                    .items()
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| filter_tag.as_ref().is_none_or(|t| &a.tag == t))
                    .filter(|(_, a)| {
                        needle.is_empty()
                            || a.text.contains(&needle)
                            || a.note.contains(&needle)
                            || crate::model::annotations::said_of(a).contains(&needle)
                    })
                    .map(|(i, _)| i)
                    .collect();
                self.annotate.panel = Some(PanelCache {
                    key,
                    rows: std::sync::Arc::new(rows),
                });
            }
            self.annotate.panel.as_ref().map(|p| p.rows.clone())
        };
        let counts: Vec<(Tag, usize)> = tags
            .tags
            .iter()
            .map(|t| (t.clone(), d.annotations.count_of(&t.name)))
            .collect();
        let row_count = rows
            .as_ref()
            .map_or(d.annotations.items().len(), |r| r.len());
        chrome::heading(
            ui,
            tr!("Annotations (%{n})", n = d.annotations.items().len()),
        );
        let mut toggle_filter = None;
        ui.horizontal_wrapped(|ui| {
            for (t, n) in &counts {
                let active = self.annotate.filter_tag.as_deref() == Some(t.name.as_str());
                let color = if active {
                    Color32::WHITE
                } else {
                    color32(t.color)
                };
                let text = chrome::atom_colored(
                    ui,
                    format!("{} {}", t.name, crate::i18n::number(n)),
                    color,
                );
                let button = egui::Button::new(text).fill(if active {
                    color32(t.color)
                } else {
                    Color32::TRANSPARENT
                });
                if chrome::hover(ui.add(button), tr!("Show only this tag")).clicked() {
                    toggle_filter = Some(t.name.clone());
                }
            }
        });
        if let Some(name) = toggle_filter {
            self.annotate.filter_tag = if self.annotate.filter_tag.as_deref() == Some(name.as_str())
            {
                None
            } else {
                Some(name)
            };
        }
        self.suggestions_panel(ui);
        self.relations_panel(ui);
        self.links_panel(ui);
        ui.add(
            RtlInput::new(&mut self.annotate.filter_text, &tr!("Filter annotations"))
                .hint(&tr!("Filter by text or note — تصفية")),
        );
        ui.separator();
        let d = self.workspace.current().expect("open document");
        let unplaced = &d.annotations.unplaced;
        let mut picked = None;
        if !unplaced.is_empty() {
            let title = tr!("Unplaced (%{n})", n = unplaced.len());
            chrome::collapsing(ui, "unplaced-annotations", title, false, |ui| {
                chrome::weak(
                    ui,
                    tr!("Their text is no longer in the document; they are kept in the sidecar."),
                );
                egui::ScrollArea::vertical()
                    .id_salt("unplaced")
                    .max_height(160.0)
                    .show_rows(ui, 24.0, unplaced.len(), |ui, range| {
                        for a in &unplaced[range] {
                            ui.horizontal(|ui| {
                                ui.set_height(24.0);
                                chrome::label(ui, a.tag.clone());
                                ui.add(RtlLabel::new(&a.text).size(15.0));
                            });
                        }
                    });
            });
            ui.separator();
        }
        let row_height = 28.0;
        egui::ScrollArea::vertical()
            .auto_shrink(false)
            .id_salt("annotation-list")
            .show_rows(ui, row_height, row_count, |ui, range| {
                let d = self.workspace.current().expect("open document");
                let items = d.annotations.items();
                let shown: Box<dyn Iterator<Item = usize>> = match &rows {
                    Some(rows) => Box::new(rows[range].iter().copied()),
                    None => Box::new(range),
                };
                for i in shown {
                    let a = &items[i];
                    let selected = self.annotate.selected == Some(a.id);
                    let clicked = ui
                        .horizontal(|ui| {
                            ui.set_height(row_height);
                            let color = color32(tags.color_of(&a.tag));
                            let chip = ui.add(egui::Button::selectable(
                                selected,
                                chrome::atom_colored(ui, a.tag.clone(), color),
                            ));
                            // One line a row: line breaks inside a span show as spaces here.
                            let full = if a.fragments.is_empty() {
                                std::borrow::Cow::Borrowed(&a.text)
                            } else {
                                std::borrow::Cow::Owned(a.shown_text(&d.doc))
                            };
                            let text: String = full
                                .chars()
                                .take(60)
                                .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
                                .collect();
                            let label =
                                ui.add(RtlLabel::new(&text).size(15.0).sense(egui::Sense::click()));
                            let said = crate::model::annotations::said_of(a);
                            if !said.is_empty() {
                                chrome::weak(ui, said);
                            }
                            if !a.note.is_empty() {
                                chrome::label(ui, tr!("(note)")).on_hover_ui(|ui| {
                                    ui.add(RtlLabel::new(&a.note).size(14.0));
                                });
                            }
                            chip.clicked() || label.clicked()
                        })
                        .inner;
                    if clicked {
                        picked = Some(a.id);
                    }
                }
            });
        if let Some(id) = picked {
            self.pick_annotation(id);
        }
    }

    // ----- dialogs -----

    /// The choices offered when the sidecar could not be read.
    pub(super) fn broken_sidecar_choices(&mut self, ui: &mut Ui) {
        let broken = self
            .workspace
            .current()
            .is_some_and(|d| d.broken_sidecar.is_some());
        if !broken || self.annotate.keep_read_only {
            return;
        }
        ui.horizontal(|ui| {
            if ui
                .button(chrome::atom(ui, tr!("Read Only (annotations off)")))
                .clicked()
            {
                self.annotate.keep_read_only = true;
            }
            let start = ui.button(chrome::atom(ui, tr!("Start New Annotations")));
            if chrome::hover(
                start,
                tr!("Moves the unreadable file aside with a timestamped name"),
            )
            .clicked()
                && let Some(d) = self.workspace.current_mut()
            {
                self.message = Some(match d.start_new_annotations() {
                    Ok(aside) => tr!(
                        "The unreadable annotations file was moved to %{path}",
                        path = aside.display()
                    ),
                    Err(e) => e,
                });
            }
        });
    }
}
