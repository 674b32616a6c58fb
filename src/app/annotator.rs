//! Edit ▸ Annotator Name…: the name recorded on every annotation made in this window (by default the system user
//! name), kept in the settings. Exports carry it (JSONL `annotator`, W3C `creator`, a CSV column), so a team can
//! tell whose work an annotation is.

use super::WarraqApp;
use crate::tr;
use crate::view::chrome;
use crate::view::{RtlInput, RtlInputState};

impl WarraqApp {
    /// Opens the annotator name dialog.
    pub(super) fn open_annotator_dialog(&mut self) {
        let mut name = RtlInputState::new(false);
        name.set_text(&self.settings.annotator);
        self.annotator_draft = Some(name);
    }

    /// Whether the annotator name dialog is open.
    #[must_use]
    pub fn is_naming_annotator(&self) -> bool {
        self.annotator_draft.is_some()
    }

    pub(super) fn annotator_dialog(&mut self, ctx: &egui::Context) {
        let Some(draft) = &mut self.annotator_draft else {
            return;
        };
        let mut open = !super::escape_closes(ctx);
        let mut apply = false;
        let mut content = None;
        let shown = egui::Window::new(chrome::title(ctx, tr!("Annotator Name")))
            .id(egui::Id::unique("annotator-name"))
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .show(ctx, |ui| {
                content = Some(ui.max_rect());
                chrome::rtl(ui, |ui| {
                    chrome::label(
                        ui,
                        tr!("Recorded on every annotation you make here, and in the exports."),
                    );
                    ui.add(
                        RtlInput::new(draft, &tr!("Annotator name"))
                            .hint(&tr!("your name — اسمك"))
                            .desired_width(260.0),
                    );
                    apply = ui.button(chrome::atom(ui, tr!("Apply"))).clicked();
                });
            });
        super::focus_on_open(
            ctx,
            "annotator",
            shown.map(|r| r.response.layer_id),
            content,
        );
        if apply {
            let name = draft.text().trim().to_owned();
            self.settings.annotator.clone_from(&name);
            if let Some(d) = self.workspace.current_mut() {
                d.annotations.annotator = name;
            }
            self.annotator_draft = None;
        } else if !open {
            self.annotator_draft = None;
        }
    }
}
