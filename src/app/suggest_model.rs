//! Tools ▸ Suggestion Model…: a token-classification model's folder is chosen (and remembered), loaded on a
//! worker, its entity types mapped onto the tag set in a table, and run over the open document behind the window;
//! its suggestions appear window by window, with a progress bar and a Stop button.

use std::path::PathBuf;

use super::WarraqApp;
use crate::tr;
use crate::view::chrome;
use crate::workspace::Work;
use crate::workspace::job::{self, Job, Poll};
use crate::workspace::suggester::Suggester;

/// The window's own state (the model itself is the workspace's).
#[derive(Default)]
pub struct ModelDialog {
    /// The folder chooser, while it is open.
    picking: Option<Job<Option<PathBuf>>>,
    /// The folder as typed or pasted (where no chooser can be shown, or it is quicker).
    path: String,
}

impl WarraqApp {
    /// Opens the window; the folder used last is loaded again if nothing is loaded.
    pub(super) fn open_model_dialog(&mut self, ctx: &egui::Context) {
        self.model_dialog = Some(ModelDialog {
            picking: None,
            path: self
                .settings
                .model_folder
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        });
        if self.workspace.suggester.is_none()
            && let Some(folder) = self.settings.model_folder.clone()
        {
            self.load_model(ctx, folder);
        }
    }

    /// Loads the model in `folder` (replacing the one loaded), and remembers the folder.
    pub fn load_model(&mut self, ctx: &egui::Context, folder: PathBuf) {
        let waker = self.waker(ctx);
        self.workspace.suggester = Some(Suggester::load(&folder, &waker));
        self.settings.model_folder = Some(folder);
    }

    /// Runs the loaded model over the open document.
    pub fn run_model(&mut self, ctx: &egui::Context) {
        let waker = self.waker(ctx);
        if self.workspace.run_suggester(&waker) {
            self.settings.show_panel = true;
        }
    }

    /// Whether the model is running over the open document.
    #[must_use]
    pub fn is_running_model(&self) -> bool {
        self.workspace
            .current()
            .is_some_and(|d| d.is_running(Work::RunningModel))
    }

    pub(super) fn model_window(&mut self, ctx: &egui::Context) {
        let Some(w) = &mut self.model_dialog else {
            return;
        };
        let mut chosen = None;
        if let Some(Poll::Ready(Some(path))) = job::take_ready(&mut w.picking) {
            w.path = path.display().to_string();
            chosen = Some(path);
        }
        let mut open = !super::escape_closes(ctx);
        let (mut pick, mut run, mut stop) = (false, false, false);
        let picking = w.picking.is_some();
        let mut content = None;
        let (suggester, doc) = self.workspace.suggester_and_current();
        let tags: Vec<String> = doc
            .map(|d| {
                d.annotations
                    .tags
                    .tags
                    .iter()
                    .map(|t| t.name.clone())
                    .collect()
            })
            .unwrap_or_default();
        let progress = doc.and_then(|d| d.model_progress);
        let running = doc.is_some_and(|d| d.is_running(Work::RunningModel));
        let shown = egui::Window::new(chrome::title(ctx, tr!("Suggestion Model")))
            .id(egui::Id::unique("suggestion-model-window"))
            .open(&mut open)
            .default_width(520.0)
            // Below the message bar, which says what loading and running did.
            .default_pos(egui::pos2(24.0, 110.0))
            .show(ctx, |ui| {
                content = Some(ui.max_rect());
                chrome::rtl(ui, |ui| {
                    chrome::paragraph(
                        ui,
                        tr!("A token-classification model's folder as a model hub gives it (a BERT fine-tuned for named entities, such as CAMeLBERT-NER): config.json with its labels, tokenizer.json, and model.safetensors or pytorch_model.bin. It runs on this computer's processor; nothing is sent anywhere."),
                    );
                    chrome::row(ui, |ui| {
                        let choose = chrome::atom(ui, tr!("Choose Model Folder…"));
                        pick = ui
                            .add_enabled(!picking, egui::Button::new(choose))
                            .clicked();
                        let field = ui.add(
                            egui::TextEdit::singleline(&mut w.path)
                                .desired_width(260.0)
                                .hint_text("/home/…/camelbert-ner"),
                        );
                        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                        let load = ui.add_enabled(
                            !w.path.trim().is_empty(),
                            egui::Button::new(chrome::atom(ui, tr!("Load"))),
                        );
                        if (load.clicked() || enter) && !w.path.trim().is_empty() {
                            chosen = Some(typed_path(w.path.trim()));
                        }
                    });
                    let Some(s) = suggester else {
                        return;
                    };
                    if s.is_loading() {
                        chrome::row(ui, |ui| {
                            ui.spinner();
                            chrome::label(ui, tr!("Loading the model…"));
                        });
                        return;
                    }
                    if let Some(e) = s.error() {
                        chrome::error(ui, e);
                        return;
                    }
                    ui.separator();
                    chrome::strong(ui, tr!("The model's types become these tags:"));
                    for (i, (kind, tag)) in s.map.iter_mut().enumerate() {
                        chrome::row(ui, |ui| {
                            chrome::label(ui, kind.clone());
                            let left_out = tr!("(left out)").into_owned();
                            egui::ComboBox::from_id_salt(("model-type", i))
                                .width(140.0)
                                .selected_text(tag.clone().unwrap_or_else(|| left_out.clone()))
                                .show_ui(ui, |ui| {
                                    ui.selectable_value(tag, None, left_out.as_str());
                                    for t in &tags {
                                        ui.selectable_value(tag, Some(t.clone()), t.as_str());
                                    }
                                    if !tags.iter().any(|t| t == kind) {
                                        // A type with no tag of its name: accepting its suggestions adds the tag.
                                        ui.selectable_value(tag, Some(kind.clone()), kind.as_str());
                                    }
                                });
                        });
                    }
                    chrome::row(ui, |ui| {
                        chrome::label(ui, tr!("Leave out suggestions scoring below"));
                        ui.add(egui::Slider::new(&mut s.min_score, 0.0..=1.0).fixed_decimals(2));
                    });
                    ui.separator();
                    chrome::row(ui, |ui| {
                        let go = chrome::atom(ui, tr!("Suggest in This Document"));
                        run = ui
                            .add_enabled(doc.is_some() && !running, egui::Button::new(go))
                            .clicked();
                        if running {
                            stop = ui.button(chrome::atom(ui, tr!("Stop"))).clicked();
                        }
                    });
                    if let Some((done, total)) = progress.filter(|_| running) {
                        let share = if total == 0 { 0.0 } else { done as f32 / total as f32 };
                        ui.add(egui::ProgressBar::new(share).text(crate::i18n::number(format!(
                            "{done} / {total}"
                        ))));
                    }
                });
            });
        super::focus_on_open(
            ctx,
            "suggestion-model",
            shown.map(|r| r.response.layer_id),
            content,
        );
        if !open {
            self.model_dialog = None;
        }
        if let Some(folder) = chosen {
            self.load_model(ctx, folder);
        }
        if pick {
            let job = self.choose_folder(ctx, "A token-classification model's folder");
            if let Some(w) = &mut self.model_dialog {
                w.picking = Some(job);
            }
        }
        if run {
            self.run_model(ctx);
        }
        if stop && let Some(d) = self.workspace.current_mut() {
            d.stop(Work::RunningModel);
            d.model_progress = None;
            let n = crate::workspace::suggester::model_suggestions(d);
            self.message = Some(tr!(
                "The suggestion model was stopped; %{n} of its suggestions so far wait under Suggestions in the panel",
                n = n
            ));
        }
    }
}

/// A folder as typed: `~` is the home folder, as a shell reads it.
fn typed_path(text: &str) -> PathBuf {
    match (text.strip_prefix('~'), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            PathBuf::from(home).join(rest.trim_start_matches('/'))
        }
        _ => PathBuf::from(text),
    }
}
