//! The egui application: menus, status bar, error banner, file opening (dialog, drag and drop, recent files) and
//! reading settings. The document itself is drawn by [`crate::view::DocumentView`]; all Arabic text in the chrome
//! goes through [`crate::view::RtlLabel`].

mod annotate;
pub use annotate::AUTOSAVE_DELAY;
pub mod commands;
mod exchange;
mod find;
mod preannotate;
mod tagall;
pub use tagall::Decision;
pub mod settings;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};

use egui::{Color32, RichText, Ui, ViewportCommand};

pub use commands::{Command, Menu};
pub use settings::Settings;

use crate::model::{AnnotationSet, Document, TagSet};
use crate::store::sidecar::{self, Fingerprint, LoadReport, SidecarError};
use crate::store::{self, Decoded};
use crate::text::TextStyle;
use crate::view::{DocumentView, RtlLabel};

/// The bundled sample article, shown when no file is given.
pub const SAMPLE_TEXT: &str = include_str!("../../assets/sample-article-ar.txt");
pub const SAMPLE_NAME: &str = "sample-article-ar.txt";

/// The open document: its text, where it came from, how it was decoded, and its view.
pub struct OpenDocument {
    pub path: Option<PathBuf>,
    pub name: String,
    pub encoding: &'static encoding_rs::Encoding,
    pub bom: bool,
    pub guessed: bool,
    pub replaced: usize,
    pub view: DocumentView,
    /// The annotations, tag set and undo history.
    pub annotations: AnnotationSet,
    /// What the annotations were made on (none for the bundled sample).
    pub fingerprint: Option<Fingerprint>,
    /// Where the annotations are saved; `None` until a place is chosen (the sample).
    pub sidecar: Option<PathBuf>,
    /// The tag set lives in the folder's `warraq-tags.ron`.
    pub folder_tags: bool,
    /// The sidecar could not be read: nothing is saved until the user decides.
    pub read_only: bool,
    /// `annotations.revision()` when last saved.
    pub saved_revision: u64,
    pub last_change: Option<std::time::Instant>,
    /// The last save failed with this message (cleared by a successful save).
    pub save_error: Option<String>,
}

impl OpenDocument {
    /// Changes that are not yet on disk.
    #[must_use]
    pub fn is_dirty(&self) -> bool {
        self.annotations.revision() != self.saved_revision
    }
}

struct Loading {
    path: PathBuf,
    rx: Receiver<Result<(PathBuf, store::Opened), String>>,
}

pub struct WarraqApp {
    pub settings: Settings,
    doc: Option<OpenDocument>,
    loading: Option<Loading>,
    dialog: Option<Receiver<Option<Option<PathBuf>>>>,
    message: Option<String>,
    title: String,
    egui_configured: bool,
    pub(crate) annotate: annotate::AnnotateState,
    export: Option<exchange::ExportDialog>,
    find: Option<find::FindBar>,
    review: Option<tagall::Review>,
    preannotate: Option<preannotate::Pending>,
    import_pick: Option<Receiver<Option<PathBuf>>>,
    /// A message to show once the document being opened has arrived (e.g. an import report).
    pending_message: Option<String>,
}

impl WarraqApp {
    /// The application with the given settings and nothing open.
    #[must_use]
    pub fn new(settings: Settings) -> Self {
        Self {
            settings,
            doc: None,
            loading: None,
            dialog: None,
            message: None,
            title: String::new(),
            egui_configured: false,
            annotate: annotate::AnnotateState::default(),
            export: None,
            find: None,
            review: None,
            preannotate: None,
            import_pick: None,
            pending_message: None,
        }
    }

    /// Restores settings from eframe's storage (or defaults).
    #[must_use]
    pub fn from_storage(storage: Option<&dyn eframe::Storage>) -> Self {
        Self::new(storage.and_then(Settings::load).unwrap_or_default())
    }

    /// Writes the settings to eframe's storage.
    pub fn save_to(&self, storage: &mut dyn eframe::Storage) {
        self.settings.save(storage);
    }

    #[must_use]
    pub fn document(&self) -> Option<&OpenDocument> {
        self.doc.as_ref()
    }

    pub fn document_mut(&mut self) -> Option<&mut OpenDocument> {
        self.doc.as_mut()
    }

    /// An error or notice shown in the window, if any.
    #[must_use]
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The window title as last sent to the window.
    #[must_use]
    pub fn window_title(&self) -> &str {
        &self.title
    }

    #[must_use]
    pub fn is_loading(&self) -> bool {
        self.loading.is_some()
    }

    fn style(&self) -> TextStyle {
        TextStyle {
            font_size: self.settings.font_size,
            line_height: self.settings.line_spacing,
            bold: false,
        }
    }

    /// Shows the bundled sample article. Its annotations stay in memory until saved with Save Annotations As….
    pub fn open_sample(&mut self) {
        self.save_before_leaving();
        let doc = Document::new(SAMPLE_TEXT.to_owned());
        let decoded = Decoded {
            text: String::new(),
            encoding: encoding_rs::UTF_8,
            bom: false,
            guessed: false,
            replaced: 0,
        };
        let annotations = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
        self.set_document(
            None,
            SAMPLE_NAME.to_owned(),
            decoded,
            doc,
            Ok((annotations, LoadReport::default())),
            None,
        );
    }

    /// Starts opening a file on a worker thread (the window keeps repainting); with `encoding`, decodes with it
    /// instead of detecting.
    pub fn open_path(
        &mut self,
        ctx: &egui::Context,
        path: PathBuf,
        encoding: Option<&'static encoding_rs::Encoding>,
    ) {
        let (tx, rx) = std::sync::mpsc::channel();
        let p = path.clone();
        let ctx2 = ctx.clone();
        std::thread::Builder::new()
            .name("warraq-open".into())
            .spawn(move || {
                let result = store::open(&p, encoding).map(|opened| (p, opened));
                let _ = tx.send(result.map_err(|e| e.to_string()));
                ctx2.request_repaint();
            })
            .expect("spawn the file-opening thread");
        self.loading = Some(Loading { path, rx });
    }

    fn poll_loading(&mut self) {
        let Some(loading) = &self.loading else { return };
        match loading.rx.try_recv() {
            Ok(Ok((path, opened))) => {
                self.loading = None;
                // Whatever was open is saved first, so switching documents never loses annotations.
                self.save_before_leaving();
                let name = path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                self.settings.remember(&path);
                let store::Opened {
                    decoded,
                    doc,
                    fingerprint,
                    annotations,
                } = opened;
                self.set_document(
                    Some(path),
                    name,
                    decoded,
                    doc,
                    annotations,
                    Some(fingerprint),
                );
            }
            Ok(Err(message)) => {
                self.loading = None;
                self.message = Some(message);
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => {
                let path = loading.path.display().to_string();
                self.loading = None;
                self.message = Some(format!(
                    "{path}: opening failed unexpectedly; nothing was changed"
                ));
            }
        }
    }

    fn set_document(
        &mut self,
        path: Option<PathBuf>,
        name: String,
        decoded: Decoded,
        doc: Document,
        annotations: Result<(AnnotationSet, LoadReport), SidecarError>,
        fingerprint: Option<Fingerprint>,
    ) {
        let mut view = DocumentView::new(Arc::new(doc), self.style());
        view.set_max_line_width(self.settings.max_line_width);
        let mut notes = Vec::new();
        if decoded.replaced > 0 {
            notes.push(format!(
                "{name}: {} invalid byte sequences were shown as \u{FFFD}; try View > Encoding if the text looks wrong",
                decoded.replaced
            ));
        }
        let (annotations, folder_tags, read_only) = match annotations {
            Ok((set, report)) => {
                if report.moved > 0 || report.unplaced > 0 {
                    notes.push(format!(
                        "{name} changed since it was annotated: {} annotations moved with their text, {} could not be placed (listed under Unplaced in the panel, kept in the sidecar)",
                        report.moved, report.unplaced
                    ));
                }
                for w in &report.warnings {
                    notes.push(format!("{name}: annotations file: {w}"));
                }
                (set, report.folder_tags, false)
            }
            Err(e) => {
                self.annotate.broken_sidecar = path.as_deref().map(sidecar::sidecar_path);
                notes.push(format!(
                    "The annotations could not be read: {e}. The file was left untouched and nothing will be saved over it. Choose below how to go on."
                ));
                (
                    AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default()),
                    false,
                    true,
                )
            }
        };
        if let Some(m) = self.pending_message.take() {
            notes.insert(0, m);
        }
        self.message = (!notes.is_empty()).then(|| notes.join("\n"));
        let saved_revision = annotations.revision();
        self.annotate = annotate::AnnotateState::for_new_document(
            self.annotate.broken_sidecar.take().filter(|_| read_only),
        );
        self.doc = Some(OpenDocument {
            sidecar: path.as_deref().map(sidecar::sidecar_path),
            path,
            name,
            encoding: decoded.encoding,
            bom: decoded.bom,
            guessed: decoded.guessed,
            replaced: decoded.replaced,
            view,
            annotations,
            fingerprint,
            folder_tags,
            read_only,
            saved_revision,
            last_change: None,
            save_error: None,
        });
    }

    /// Runs a command from the table.
    pub fn run(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::Open => self.open_dialog(ctx),
            Command::OpenSample => self.open_sample(),
            Command::Quit => ctx.send_viewport_cmd(ViewportCommand::Close),
            Command::Copy => {
                if let Some(text) = self.doc.as_ref().and_then(|d| d.view.selected_text()) {
                    ctx.copy_text(text);
                }
            }
            Command::SelectAll => {
                if let Some(d) = &mut self.doc {
                    d.view.select_all();
                }
            }
            Command::ZoomIn => self.set_zoom(ctx, self.settings.zoom * 1.1),
            Command::ZoomOut => self.set_zoom(ctx, self.settings.zoom / 1.1),
            Command::ZoomReset => self.set_zoom(ctx, 1.0),
            Command::TextLarger => self.set_font_size(self.settings.font_size + 2.0),
            Command::TextSmaller => self.set_font_size(self.settings.font_size - 2.0),
            Command::ToggleTheme => {
                self.settings.dark = !self.settings.dark;
                self.apply_theme(ctx);
            }
            Command::Save => self.save_annotations(ctx),
            Command::SaveAs => self.save_as_dialog(ctx),
            Command::Undo => self.undo_redo(true),
            Command::Redo => self.undo_redo(false),
            Command::DeleteAnnotation => self.delete_selected_annotation(),
            Command::EditTags => self.open_tags_dialog(),
            Command::TogglePanel => self.settings.show_panel = !self.settings.show_panel,
            Command::SnapToWord => self.settings.snap_to_word = !self.settings.snap_to_word,
            Command::Export => self.open_export_dialog(),
            Command::Find => self.open_find(),
            Command::TagAll => {
                if let Some(id) = self.annotate.selected {
                    self.tag_all_occurrences(id);
                }
            }
            Command::Preannotate => self.preannotate_dialog(ctx),
            Command::NextAnnotation => self.step_annotation(true),
            Command::PreviousAnnotation => self.step_annotation(false),
            Command::NextSuggestion => self.step_suggestion(true),
            Command::PreviousSuggestion => self.step_suggestion(false),
            Command::FindNext => self.find_step(true),
            Command::FindPrevious => self.find_step(false),
            Command::Import => self.import_dialog(ctx),
        }
    }

    fn set_zoom(&mut self, ctx: &egui::Context, zoom: f32) {
        self.settings.zoom = zoom.clamp(0.5, 3.0);
        ctx.set_zoom_factor(self.settings.zoom);
    }

    fn set_font_size(&mut self, size: f32) {
        self.settings.font_size = size.clamp(10.0, 48.0);
        self.apply_reading_settings();
    }

    fn apply_reading_settings(&mut self) {
        let style = self.style();
        let width = self.settings.max_line_width;
        if let Some(d) = &mut self.doc {
            d.view.set_style(style);
            d.view.set_max_line_width(width);
        }
    }

    fn apply_theme(&self, ctx: &egui::Context) {
        ctx.set_theme(if self.settings.dark {
            egui::Theme::Dark
        } else {
            egui::Theme::Light
        });
    }

    /// Shows the native file dialog on a worker thread; its answer is picked up in a later frame.
    fn open_dialog(&mut self, ctx: &egui::Context) {
        if self.dialog.is_some() {
            return;
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let ctx2 = ctx.clone();
        let start_dir = self
            .doc
            .as_ref()
            .and_then(|d| d.path.as_ref())
            .and_then(|p| p.parent().map(Path::to_path_buf));
        std::thread::Builder::new()
            .name("warraq-dialog".into())
            .spawn(move || {
                let mut dialog = rfd::FileDialog::new()
                    .set_title("Open a text file")
                    .add_filter("Text", &["txt", "text", "md", "csv", "tsv", "srt"])
                    .add_filter("All files", &["*"]);
                if let Some(dir) = start_dir {
                    dialog = dialog.set_directory(dir);
                }
                let started = std::time::Instant::now();
                let choice = dialog.pick_file();
                // Nobody answers a file chooser in a blink: a quick "no file" means none could be shown.
                let shown =
                    choice.is_some() || started.elapsed() > std::time::Duration::from_millis(300);
                let _ = tx.send(shown.then_some(choice));
                ctx2.request_repaint();
            })
            .expect("spawn the dialog thread");
        self.dialog = Some(rx);
    }

    fn poll_dialog(&mut self, ctx: &egui::Context) {
        let Some(rx) = &self.dialog else { return };
        match rx.try_recv() {
            Ok(Some(choice)) => {
                self.dialog = None;
                if let Some(path) = choice {
                    self.open_path(ctx, path, None);
                }
            }
            Err(TryRecvError::Empty) => {}
            Ok(None) | Err(TryRecvError::Disconnected) => {
                self.dialog = None;
                self.message = Some("The file dialog could not be shown (no desktop portal or zenity found). Open a file by dropping it on the window or by giving its path on the command line.".into());
            }
        }
    }

    fn handle_keys_and_drops(&mut self, ctx: &egui::Context) {
        let text_input_focused =
            crate::view::rtl_input::input_has_focus(ctx) || ctx.egui_wants_keyboard_input();
        let mut to_run = Vec::new();
        // Shortcuts with more modifiers first: egui matches Ctrl+Z on Ctrl+Shift+Z too.
        let mut shortcuts: Vec<(Command, egui::KeyboardShortcut)> = Command::ALL
            .iter()
            .flat_map(|&c| c.shortcuts().into_iter().map(move |s| (c, s)))
            .collect();
        shortcuts.sort_by_key(|(_, s)| {
            std::cmp::Reverse(
                u8::from(s.modifiers.shift)
                    + u8::from(s.modifiers.alt)
                    + u8::from(s.modifiers.command),
            )
        });
        for (command, shortcut) in shortcuts {
            // Keys that edit text belong to a focused text input; leave them in the queue for it.
            let editing_keys = matches!(
                command,
                Command::Copy
                    | Command::SelectAll
                    | Command::DeleteAnnotation
                    | Command::Undo
                    | Command::Redo
            );
            if text_input_focused && editing_keys {
                continue;
            }
            if ctx.input_mut(|i| i.consume_shortcut(&shortcut)) {
                to_run.push(command);
            }
        }
        // The platform turns Ctrl+C into a Copy event rather than a key press.
        if !text_input_focused
            && ctx.input(|i| i.events.iter().any(|e| matches!(e, egui::Event::Copy)))
        {
            to_run.push(Command::Copy);
        }
        // Ctrl + mouse wheel zooms.
        let zoom_delta = ctx.input(|i| i.zoom_delta());
        if (zoom_delta - 1.0).abs() > 1e-3 {
            self.set_zoom(ctx, self.settings.zoom * zoom_delta);
        }
        for command in to_run {
            self.run(ctx, command);
        }
        if !text_input_focused {
            self.handle_tag_keys(ctx);
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if let Some(path) = dropped.into_iter().next() {
            self.open_path(ctx, path, None);
        }
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let title = match &self.doc {
            Some(d) if d.is_dirty() => format!("• {} — Warraq", d.name),
            Some(d) => format!("{} — Warraq", d.name),
            None => "Warraq".to_owned(),
        };
        if title != self.title {
            ctx.send_viewport_cmd(ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }

    /// The whole window, one frame.
    pub fn ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        if !self.egui_configured {
            self.egui_configured = true;
            ctx.options_mut(|o| o.zoom_with_keyboard = false);
            ctx.set_zoom_factor(self.settings.zoom);
            self.apply_theme(&ctx);
        }
        self.poll_loading();
        self.poll_dialog(&ctx);
        self.poll_save_as(&ctx);
        self.poll_import(&ctx);
        self.poll_preannotate(&ctx);
        self.handle_keys_and_drops(&ctx);
        self.autosave(&ctx);
        self.handle_close_request(&ctx);
        self.update_title(&ctx);

        egui::Panel::top("menu").show(ui, |ui| self.menu_bar(ui));
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar(ui));
        if self.find.is_some() && self.doc.is_some() {
            egui::Panel::top("find").show(ui, |ui| self.find_bar(ui));
        }
        if self.settings.show_panel && self.doc.is_some() {
            egui::Panel::right("annotations")
                .resizable(true)
                .default_size(330.0)
                .show(ui, |ui| self.annotation_panel(ui));
        }
        self.dialogs(&ctx);
        self.export_dialog(&ctx);
        self.review_window(&ctx);
        egui::CentralPanel::default().show(ui, |ui| {
            if let Some(message) = self.message.clone() {
                let mut dismissed = false;
                egui::Frame::new()
                    .fill(ui.visuals().warn_fg_color.gamma_multiply(0.15))
                    .inner_margin(6.0)
                    .show(ui, |ui| {
                        ui.horizontal(|ui| {
                            if ui.button("Dismiss").clicked() {
                                dismissed = true;
                            }
                            ui.add(RtlLabel::new(&message).wrap());
                        });
                    });
                if dismissed {
                    self.message = None;
                }
            }
            self.broken_sidecar_choices(ui);
            if let Some(loading) = &self.loading {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.add(RtlLabel::new(&format!(
                        "Opening {}…",
                        loading.path.display()
                    )));
                });
            }
            match &mut self.doc {
                Some(d) if d.view.document().is_empty() => {
                    ui.add_space(40.0);
                    ui.vertical_centered(|ui| {
                        ui.label(
                            RichText::new("This file is empty.")
                                .color(ui.visuals().weak_text_color()),
                        )
                    });
                }
                Some(_) => self.document_area(ui),
                None => {
                    ui.add_space(40.0);
                    ui.vertical_centered(|ui| {
                        ui.label("Open a text file with File > Open… or drop one on this window.")
                    });
                }
            }
        });
    }

    fn command_button(&mut self, ui: &mut Ui, command: Command) {
        let mut button = egui::Button::new(command.label());
        if let Some(keys) = command.shortcut_text(ui.ctx()) {
            button = button.shortcut_text(keys);
        }
        let toggle = match command {
            Command::ToggleTheme => Some(self.settings.dark),
            Command::TogglePanel => Some(self.settings.show_panel),
            Command::SnapToWord => Some(self.settings.snap_to_word),
            _ => None,
        };
        let enabled = self.command_enabled(command);
        let response = if let Some(checked) = toggle {
            ui.add(egui::Button::selectable(checked, command.label()))
        } else {
            ui.add_enabled(enabled, button)
        };
        if response.on_hover_text(command.description()).clicked() {
            let ctx = ui.ctx().clone();
            self.run(&ctx, command);
            ui.close();
        }
    }

    fn menu_bar(&mut self, ui: &mut Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                self.command_button(ui, Command::Open);
                ui.menu_button("Open Recent", |ui| {
                    if self.settings.recent.is_empty() {
                        ui.label(
                            RichText::new("No recent files").color(ui.visuals().weak_text_color()),
                        );
                    }
                    for path in self.settings.recent.clone() {
                        let label = path.display().to_string();
                        let response = ui.add(RtlLabel::new(&label).sense(egui::Sense::click()));
                        if response.hovered() {
                            ui.ctx().set_cursor_icon(egui::CursorIcon::PointingHand);
                        }
                        if response.clicked() {
                            let ctx = ui.ctx().clone();
                            self.open_path(&ctx, path, None);
                            ui.close();
                        }
                    }
                    ui.separator();
                    if ui.button("Clear Recent").clicked() {
                        self.settings.recent.clear();
                        ui.close();
                    }
                });
                self.command_button(ui, Command::OpenSample);
                ui.separator();
                self.command_button(ui, Command::Save);
                self.command_button(ui, Command::SaveAs);
                ui.separator();
                self.command_button(ui, Command::Export);
                self.command_button(ui, Command::Import);
                ui.separator();
                self.command_button(ui, Command::Quit);
            });
            ui.menu_button("Edit", |ui| {
                for &c in Command::ALL.iter().filter(|c| c.menu() == Menu::Edit) {
                    self.command_button(ui, c);
                }
            });
            ui.menu_button("Tools", |ui| {
                for &c in Command::ALL.iter().filter(|c| c.menu() == Menu::Tools) {
                    self.command_button(ui, c);
                }
            });
            ui.menu_button("View", |ui| {
                for &c in Command::ALL.iter().filter(|c| c.menu() == Menu::View) {
                    self.command_button(ui, c);
                }
                ui.separator();
                let mut changed = false;
                changed |= ui
                    .add(
                        egui::Slider::new(&mut self.settings.font_size, 10.0..=48.0)
                            .text("Text size"),
                    )
                    .changed();
                changed |= ui
                    .add(
                        egui::Slider::new(&mut self.settings.line_spacing, 1.0..=2.5)
                            .text("Line spacing"),
                    )
                    .changed();
                changed |= ui
                    .add(
                        egui::Slider::new(&mut self.settings.max_line_width, 300.0..=1600.0)
                            .text("Line width"),
                    )
                    .changed();
                if changed {
                    self.apply_reading_settings();
                }
                ui.separator();
                self.encoding_menu(ui);
            });
        });
    }

    fn encoding_menu(&mut self, ui: &mut Ui) {
        let current = self.doc.as_ref().map(|d| d.encoding);
        let path = self.doc.as_ref().and_then(|d| d.path.clone());
        ui.menu_button("Encoding", |ui| {
            if path.is_none() {
                ui.label("The sample is UTF-8; open a file to choose its encoding.");
                return;
            }
            ui.label("Reopen with:");
            for &enc in store::ENCODING_CHOICES {
                if ui
                    .add(egui::Button::selectable(current == Some(enc), enc.name()))
                    .clicked()
                {
                    if let Some(p) = path.clone() {
                        let ctx = ui.ctx().clone();
                        self.open_path(&ctx, p, Some(enc));
                    }
                    ui.close();
                }
            }
        });
    }

    fn status_bar(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            let Some(d) = &mut self.doc else {
                ui.label("No document");
                return;
            };
            let doc = d.view.document().clone();
            ui.add(RtlLabel::new(&d.name).size(13.0));
            ui.separator();
            let enc = format!(
                "{}{}{}",
                d.encoding.name(),
                if d.bom { " (BOM)" } else { "" },
                if d.guessed { " (detected)" } else { "" }
            );
            ui.label(enc).on_hover_text(
                "How the file was decoded. View > Encoding reopens it with another encoding.",
            );
            ui.separator();
            ui.label(format!("{} characters", doc.char_count()));
            ui.separator();
            ui.label(format!("{} lines", doc.paragraphs().len()));
            ui.separator();
            ui.label(doc.line_ending().label())
                .on_hover_text("Line endings");
            let sel = d.view.selection().span();
            if !sel.is_empty() {
                ui.separator();
                ui.label(format!(
                    "selected {}–{} ({} characters)",
                    sel.start.0,
                    sel.end.0,
                    sel.len()
                ));
            }
            if let Some(p) = d.view.measuring_progress() {
                ui.separator();
                ui.add(
                    egui::ProgressBar::new(p)
                        .desired_width(120.0)
                        .text(format!("laying out {:.0}%", p * 100.0)),
                );
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(
                    RichText::new(format!("{:.0}%", self.settings.zoom * 100.0))
                        .color(Color32::GRAY),
                );
            });
        });
    }
}

impl eframe::App for WarraqApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        WarraqApp::ui(self, ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.save_to(storage);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.save_before_leaving();
    }
}
