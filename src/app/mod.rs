//! The egui application: menus, status bar, error banner, file opening (dialog, drag and drop, recent files) and
//! reading settings. The document itself is drawn by [`crate::view::DocumentView`]; all Arabic text in the chrome
//! goes through [`crate::view::RtlLabel`].

mod agreement;
mod annotate;
mod annotator;
mod corpus;
mod curate;
pub use annotate::AUTOSAVE_DELAY;
pub mod commands;
mod exchange;
mod find;
mod preannotate;
mod relations;
mod suggest_model;
mod tagall;
mod tags_dialog;
pub use tagall::Decision;
pub mod settings;

use std::path::{Path, PathBuf};

use egui::{Ui, ViewportCommand};

pub use commands::{Command, Menu};
pub use settings::Settings;

use crate::store;
use crate::text::TextStyle;
use crate::tr;
use crate::view::chrome;
use crate::view::{DocumentView, RtlLabel};
use crate::workspace::job::{self, Job, Poll};
use crate::workspace::{Next, OpenDocument, Waker, Workspace};
pub use crate::workspace::{SAMPLE_NAME, SAMPLE_TEXT};

type CurationDrawn = (
    (u64, u64, Option<usize>),
    std::sync::Arc<(Vec<crate::view::Dispute>, Vec<crate::view::Version>)>,
);

/// Escape was pressed while no text field has the keyboard: it is taken, and the dialog that asks closes (a field
/// gives up the keyboard on the first Escape, the dialog closes on the second).
pub(super) fn escape_closes(ctx: &egui::Context) -> bool {
    !crate::view::document_view::text_field_focused(ctx)
        && ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape))
}

/// Gives the keyboard to the first control (a widget that takes clicks and the keyboard) of the dialog `key` drawn on
/// `layer` (its contents in `content`) when it opens (it was not shown the frame before), so that a dialog opened with a key is used with keys:
/// Tab walks it, Enter presses, Escape closes. A new window's first frame only measures it (its widgets are
/// disabled), so the keyboard goes to the first frame whose controls are live. Call it each frame the dialog shows.
pub(super) fn focus_on_open(
    ctx: &egui::Context,
    key: &str,
    shown: Option<egui::LayerId>,
    content: Option<egui::Rect>,
) {
    let (Some(layer), Some(content)) = (shown, content) else {
        return;
    };
    let id = egui::Id::unique(("dialog-shown", key));
    let pass = ctx.cumulative_pass_nr();
    // (The pass it was last shown in, and whether its first control is still to get the keyboard.)
    let (last, pending): (Option<u64>, bool) = ctx
        .data(|d| d.get_temp::<(u64, bool)>(id))
        .map_or((None, false), |(p, w)| (Some(p), w));
    let pending = pending || last.is_none_or(|p| p + 1 < pass);
    let first = pending
        .then(|| {
            ctx.viewport(|vp| {
                vp.this_pass
                    .widgets
                    .get_layer(layer)
                    .find(|w| {
                        // (Inside the window's contents: not its title bar's buttons.)
                        w.enabled
                            && w.sense.senses_click()
                            && w.sense.is_focusable()
                            && content.contains(w.rect.center())
                    })
                    .map(|w| w.id)
            })
        })
        .flatten();
    if let Some(first) = first {
        ctx.memory_mut(|m| m.request_focus(first));
    }
    ctx.data_mut(|d| d.insert_temp(id, (pass, pending && first.is_none())));
}

/// Runs a file chooser (on a worker: it blocks while open): the path, `Ok(None)` when the user cancelled, or the
/// message to show when no chooser could be shown at all.
pub(super) fn chosen(choose: impl FnOnce() -> Option<PathBuf>) -> Result<Option<PathBuf>, String> {
    let started = std::time::Instant::now();
    let choice = choose();
    // Nobody answers a file chooser in a blink: a quick "no file" means none could be shown.
    if choice.is_some() || started.elapsed() > std::time::Duration::from_millis(300) {
        Ok(choice)
    } else {
        Err(tr!("The file dialog could not be shown (no desktop portal or zenity found). Open a file by dropping it on the window or by giving its path on the command line.").into_owned())
    }
}

pub struct WarraqApp {
    pub settings: Settings,
    /// The open document (and the one being opened); owns annotations, saving and background work.
    workspace: Workspace,
    /// The view of the current document, and the generation it was made for.
    view: Option<(u64, DocumentView)>,
    /// The Open dialog: `None` when no chooser could be shown.
    dialog: Option<Job<Option<Option<PathBuf>>>>,
    message: Option<String>,
    title: String,
    egui_configured: bool,
    waker: Option<Waker>,
    /// The document view is to take the keyboard (a document opened, Escape pressed outside a field).
    /// (Frames to go: a click that closed a popup may take the focus away in the frame after.)
    focus_document: u8,
    /// F10 was pressed: the menu bar's first menu is to take the keyboard.
    focus_menu_bar: bool,
    /// The menu bar's menu buttons, as drawn in the last frame (Escape on one gives the text the keyboard).
    menu_bar_buttons: Vec<egui::Id>,
    pub(crate) annotate: annotate::AnnotateState,
    relations: relations::RelationState,
    /// The annotator name being edited (Edit ▸ Annotator Name…).
    annotator_draft: Option<crate::view::RtlInputState>,
    /// Tools ▸ Agreement…
    agreement: Option<agreement::AgreementWindow>,
    /// Tools ▸ Suggestion Model…
    model_dialog: Option<suggest_model::ModelDialog>,
    /// The order the panel lists suggestions in, for (document, revision, least certain first), and their scores
    /// sorted (to count those above a figure without a pass over the list every frame).
    suggestion_order: Option<preannotate::ReviewOrder>,
    /// The suggestion F6 went to last (in the least-certain-first order).
    stepped_suggestion: Option<usize>,
    /// Tools ▸ Curate…
    curate: Option<curate::CurateWindow>,
    /// The document generation and disagreement last scrolled to while curating.
    curation_shown: Option<(u64, Option<usize>)>,
    /// What the document view draws for the curation, for a (generation, revision, disagreement looked at).
    curation_drawn: Option<CurationDrawn>,
    /// While curating, the side panel shows the annotations instead of the curation.
    side_annotations: bool,
    /// File ▸ Open Folder…: the folder's documents.
    corpus: Option<corpus::Corpus>,
    /// A match of a folder search to select once its document is open.
    pending_jump: Option<(PathBuf, crate::model::Span)>,
    export: Option<exchange::ExportDialog>,
    find: Option<find::FindBar>,
    /// The find bar as it was closed: opening it again brings its query back.
    find_closed: Option<find::FindBar>,
    review: Option<tagall::Review>,
    pending_tag_all: Option<tagall::PendingTagAll>,
    import_pick: Option<Job<Result<Option<PathBuf>, String>>>,
    /// A message to show once the document being opened has arrived (e.g. an import report).
    pending_message: Option<String>,
}

impl WarraqApp {
    /// The application with the given settings and nothing open.
    #[must_use]
    pub fn new(settings: Settings) -> Self {
        if let Some(language) = settings.language {
            crate::i18n::set_language(language);
        }
        if settings.arabic_digits {
            crate::i18n::set_arabic_digits(true);
        }
        Self {
            settings,
            workspace: Workspace::new(),
            view: None,
            dialog: None,
            message: None,
            title: String::new(),
            egui_configured: false,
            focus_document: 0,
            focus_menu_bar: false,
            menu_bar_buttons: Vec::new(),
            waker: None,
            annotate: annotate::AnnotateState::default(),
            relations: relations::RelationState::default(),
            annotator_draft: None,
            agreement: None,
            model_dialog: None,
            suggestion_order: None,
            stepped_suggestion: None,
            curate: None,
            curation_shown: None,
            curation_drawn: None,
            side_annotations: false,
            corpus: None,
            pending_jump: None,
            export: None,
            find: None,
            find_closed: None,
            review: None,
            pending_tag_all: None,
            import_pick: None,
            pending_message: None,
        }
    }

    /// Restores settings from eframe's storage (or defaults).
    #[must_use]
    pub fn from_storage(storage: Option<&dyn eframe::Storage>) -> Self {
        let settings: Settings = storage.and_then(Settings::load).unwrap_or_default();
        // The window speaks the locale's language unless one was chosen in View ▸ Language.
        crate::i18n::set_language(settings.language.unwrap_or_else(crate::i18n::from_env));
        Self::new(settings)
    }

    /// Writes the settings to eframe's storage.
    pub fn save_to(&self, storage: &mut dyn eframe::Storage) {
        self.settings.save(storage);
    }

    /// The open document.
    #[must_use]
    pub fn document(&self) -> Option<&OpenDocument> {
        self.workspace.current()
    }

    pub fn document_mut(&mut self) -> Option<&mut OpenDocument> {
        self.workspace.current_mut()
    }

    /// The open documents, and the one on its way in.
    #[must_use]
    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    pub fn workspace_mut(&mut self) -> &mut Workspace {
        &mut self.workspace
    }

    /// The view of the open document.
    #[must_use]
    pub fn view(&self) -> Option<&DocumentView> {
        self.view.as_ref().map(|(_, v)| v)
    }

    pub fn view_mut(&mut self) -> Option<&mut DocumentView> {
        self.view.as_mut().map(|(_, v)| v)
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
        self.workspace.opening().is_some()
    }

    fn style(&self) -> TextStyle {
        TextStyle {
            font_size: self.settings.font_size,
            line_height: self.settings.line_spacing,
            bold: false,
        }
    }

    /// Wakes the window when background work is done.
    fn waker(&mut self, ctx: &egui::Context) -> Waker {
        self.waker
            .get_or_insert_with(|| {
                let ctx = ctx.clone();
                std::sync::Arc::new(move || ctx.request_repaint())
            })
            .clone()
    }

    /// Shows the bundled sample article, once the open document is settled.
    pub fn open_sample(&mut self) {
        let m = self.workspace.go(Next::Sample);
        self.sync_document();
        self.add_message(m);
    }

    /// Starts opening a file on a worker thread (the window keeps repainting); with `encoding`, decodes with it
    /// instead of detecting. The open document is settled before the new one replaces it.
    pub fn open_path(
        &mut self,
        ctx: &egui::Context,
        path: PathBuf,
        encoding: Option<&'static encoding_rs::Encoding>,
    ) {
        // A folder is opened as a corpus: its documents listed beside the text.
        if path.is_dir() {
            self.open_folder(ctx, path);
            return;
        }
        // An annotation file (from "Open with Warraq" in a file manager, or File ▸ Open): its annotations are
        // imported beside it and the document opens; once imported, the document itself opens.
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        if matches!(ext.as_deref(), Some("ann" | "conll" | "jsonl")) && path.is_file() {
            let text = path.with_extension("txt");
            if ext.as_deref() != Some("jsonl")
                && text.is_file()
                && crate::store::sidecar::sidecar_path(&text).is_file()
            {
                self.pending_message = Some(tr!(
                    "%{file} was imported before: its document is open",
                    file = path.display()
                ));
                self.open_path(ctx, text, None);
            } else {
                self.import_file(ctx, &path);
            }
            return;
        }
        let waker = self.waker(ctx);
        if let Err(e) = self.workspace.open(path, encoding, &waker) {
            self.message = Some(e);
        }
    }

    fn add_message(&mut self, m: Option<String>) {
        if let Some(m) = m {
            self.message = Some(match self.message.take() {
                Some(old) if !old.is_empty() => format!("{old}\n{m}"),
                _ => m,
            });
        }
    }

    /// After the workspace changed document: a new view, fresh per-document state, the document's notices.
    fn sync_document(&mut self) {
        let Some(d) = self.workspace.current_mut() else {
            self.view = None;
            return;
        };
        if self.view.as_ref().is_some_and(|(g, _)| *g == d.generation) {
            return;
        }
        let generation = d.generation;
        // Annotations made in this window carry the annotator's name.
        d.annotations.annotator.clone_from(&self.settings.annotator);
        let mut notes: Vec<String> = std::mem::take(&mut d.notices);
        if let Some(path) = &d.path {
            self.settings.remember(path);
        }
        let mut view = DocumentView::new(d.doc.clone(), self.style());
        view.set_max_line_width(self.settings.max_line_width);
        view.set_clitic_words(self.settings.clitic_words);
        // The document has the keyboard when it opens.
        self.focus_document = 2;
        self.view = Some((generation, view));
        // Everything that belonged to the previous document goes with it.
        self.annotate = annotate::AnnotateState::default();
        self.relations.leave_document();
        self.find = self.find.take().map(|f| f.for_new_document());
        self.review = None;
        self.pending_tag_all = None;
        self.export = None;
        if let Some(m) = self.pending_message.take() {
            notes.insert(0, m);
        }
        self.message = (!notes.is_empty()).then(|| notes.join("\n"));
    }

    /// A match chosen in a folder search is selected and scrolled to once its document is open.
    fn apply_pending_jump(&mut self) {
        let Some((path, span)) = self.pending_jump.clone() else {
            return;
        };
        let here = self
            .workspace
            .current()
            .and_then(|d| d.path.as_ref())
            .is_some_and(|p| *p == path);
        if !here {
            // Nothing on its way: the document did not open (a message says why).
            if self.workspace.opening().is_none() {
                self.pending_jump = None;
            }
            return;
        }
        if let Some(view) = self.view_mut() {
            view.set_selection(crate::model::TextSelection::new(span.start, span.end));
            view.scroll_to_offset(span.start);
            self.pending_jump = None;
        }
    }

    /// Polls the workspace and the current document's jobs; starts the learner when the annotations changed.
    fn poll_work(&mut self, ctx: &egui::Context) {
        let m = self.workspace.poll();
        let loaded = self.workspace.poll_suggester();
        self.add_message(loaded);
        if self.workspace.leaving().is_none() {
            self.sync_document();
        }
        self.add_message(m);
        let done = self
            .workspace
            .current_mut()
            .map(OpenDocument::poll_jobs)
            .unwrap_or_default();
        for m in done {
            self.add_message(Some(m));
        }
        let waker = self.waker(ctx);
        if let Some(d) = self.workspace.current_mut() {
            let m = crate::workspace::learned::step(d, &waker, self.settings.learn_live);
            self.add_message(m);
        }
        let save_as_running = self
            .workspace
            .current()
            .is_some_and(|d| d.is_running(crate::workspace::Work::SaveAsDialog));
        if self.annotate.save_as_open && !save_as_running {
            self.after_save_as();
        }
    }

    /// Runs a command from the table.
    pub fn run(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::Open => self.open_dialog(ctx),
            Command::OpenSample => self.open_sample(),
            Command::Quit => ctx.send_viewport_cmd(ViewportCommand::Close),
            Command::Copy => {
                if let Some(text) = self.view().and_then(DocumentView::selected_text) {
                    ctx.copy_text(text);
                }
            }
            Command::SelectAll => {
                if let Some(view) = self.view_mut() {
                    view.select_all();
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
            Command::MenuBar => self.focus_menu_bar = true,
            Command::SnapToWord => self.settings.snap_to_word = !self.settings.snap_to_word,
            Command::CliticWords => {
                self.settings.clitic_words = !self.settings.clitic_words;
                let on = self.settings.clitic_words;
                if let Some(view) = self.view_mut() {
                    view.set_clitic_words(on);
                }
            }
            Command::GoToStart
            | Command::GoToEnd
            | Command::SelectToStart
            | Command::SelectToEnd => {
                if let Some(view) = self.view_mut() {
                    let end = crate::model::CharOffset(view.document().char_count());
                    let to_end = matches!(command, Command::GoToEnd | Command::SelectToEnd);
                    let extend = matches!(command, Command::SelectToStart | Command::SelectToEnd);
                    let at = if to_end {
                        end
                    } else {
                        crate::model::CharOffset(0)
                    };
                    view.move_caret_to(at, extend);
                    view.scroll_to_offset(at);
                }
            }
            Command::AnnotationDetails => self.open_details(),
            Command::Export => self.open_export_dialog(),
            Command::Find => self.open_find(),
            Command::TagAll => {
                if let Some(id) = self.annotate.selected {
                    self.tag_all_occurrences(id);
                }
            }
            Command::Preannotate => self.preannotate_dialog(ctx),
            Command::SuggestLearned => self.suggest_learned(ctx),
            Command::SuggestionModel => self.open_model_dialog(ctx),
            Command::SuggestWhileAnnotating => self.settings.learn_live = !self.settings.learn_live,
            Command::LoadLinkTable => self.link_table_dialog(ctx),
            Command::AnnotatorName => self.open_annotator_dialog(),
            Command::Agreement => self.open_agreement(),
            Command::Curate => self.open_curate(),
            Command::TakeFirst => self.take(crate::model::curation::Choice::Annotator(0)),
            Command::TakeSecond => self.take(crate::model::curation::Choice::Annotator(1)),
            Command::TakeThird => self.take(crate::model::curation::Choice::Annotator(2)),
            Command::TakeAll => self.take(crate::model::curation::Choice::All),
            Command::TakeNeither => self.take(crate::model::curation::Choice::Neither),
            Command::NextDisagreement => self.step_disagreement(true),
            Command::PreviousDisagreement => self.step_disagreement(false),
            Command::OpenFolder => self.open_folder_dialog(ctx),
            Command::NextDocument => self.step_document(ctx, true),
            Command::MarkFinished => {
                if let Some(d) = self.workspace.current_mut() {
                    let finished = !d.annotations.is_finished();
                    d.annotations.set_finished(finished);
                    d.save
                        .observe(d.annotations.revision(), std::time::Instant::now());
                }
            }
            Command::PreviousDocument => self.step_document(ctx, false),
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
        if let Some(view) = self.view_mut() {
            view.set_style(style);
            view.set_max_line_width(width);
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
        let start_dir = self
            .document()
            .and_then(|d| d.path.as_ref())
            .and_then(|p| p.parent().map(Path::to_path_buf));
        let waker = self.waker(ctx);
        self.dialog = Some(Job::spawn("the Open dialog", &waker, move || {
            let mut dialog = rfd::FileDialog::new()
                .set_title(tr!("Open a text file"))
                .add_filter(tr!("Text"), &["txt", "text", "md", "csv", "tsv", "srt"])
                .add_filter(tr!("All files"), &["*"]);
            if let Some(dir) = start_dir {
                dialog = dialog.set_directory(dir);
            }
            chosen(|| dialog.pick_file()).ok()
        }));
    }

    fn poll_dialog(&mut self, ctx: &egui::Context) {
        match job::take_ready(&mut self.dialog) {
            Some(Poll::Ready(Some(Some(path)))) => self.open_path(ctx, path, None),
            Some(Poll::Ready(Some(None)) | Poll::Pending) | None => {}
            Some(Poll::Ready(None) | Poll::Lost) => {
                self.message = Some(tr!("The file dialog could not be shown (no desktop portal or zenity found). Open a file by dropping it on the window or by giving its path on the command line.").into_owned());
            }
        }
    }

    fn handle_keys_and_drops(&mut self, ctx: &egui::Context) {
        let text_input_focused =
            crate::view::rtl_input::input_has_focus(ctx) || crate::view::document_view::typing(ctx);
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
            // Tab and Enter belong to whatever widget has the keyboard (a button, a field); only in the document
            // do they step through annotations and open one.
            if crate::view::document_view::typing(ctx)
                && matches!(shortcut.logical_key, egui::Key::Tab | egui::Key::Enter)
            {
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
        let title = match self.workspace.current() {
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
        self.frame(ui);
        // Remembered for the next frame: an Escape there takes the keyboard from an egui text field before anything
        // can ask (so that the first Escape leaves the field and only the second closes its dialog).
        crate::view::document_view::note_text_edit_focus(&ctx);
    }

    fn frame(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        if !self.egui_configured {
            self.egui_configured = true;
            ctx.options_mut(|o| o.zoom_with_keyboard = false);
            ctx.set_zoom_factor(self.settings.zoom);
            self.apply_theme(&ctx);
        }
        self.waker(&ctx);
        // Escape outside any field brings the keyboard back to the document.
        let escape = ctx.input(|i| i.key_pressed(egui::Key::Escape));
        let had_details = self.annotate.popup.is_some();
        self.poll_work(&ctx);
        self.follow_curation(&ctx);
        self.apply_pending_jump();
        self.poll_tag_all();
        self.poll_dialog(&ctx);
        self.poll_import(&ctx);
        self.handle_keys_and_drops(&ctx);
        self.autosave(&ctx);
        self.handle_close_request(&ctx);
        self.update_title(&ctx);

        // In the Arabic interface the window is mirrored: rows run right to left, the annotation panel is on the
        // left and the folder's list on the right.
        let rtl = crate::i18n::rtl();
        let (start_side, end_side) = if rtl {
            (
                egui::Panel::right as fn(&'static str) -> egui::Panel,
                egui::Panel::left as fn(&'static str) -> egui::Panel,
            )
        } else {
            (
                egui::Panel::left as fn(&'static str) -> egui::Panel,
                egui::Panel::right as fn(&'static str) -> egui::Panel,
            )
        };
        egui::Panel::top("menu").show(ui, |ui| self.menu_bar(ui));
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar(ui));
        let has_doc = self.view.is_some();
        if self.find.is_some() && has_doc {
            egui::Panel::top("find").show(ui, |ui| self.find_bar(ui));
        }
        if self.corpus.is_some() {
            start_side("corpus")
                .resizable(true)
                .default_size(280.0)
                .show(ui, |ui| chrome::rtl(ui, |ui| self.corpus_panel(&ctx, ui)));
        }
        let curating = has_doc
            && self
                .workspace
                .current()
                .is_some_and(|d| d.annotations.curation().is_some());
        if curating {
            // One side panel while curating, so the text keeps its width: the curation, or the annotations.
            end_side("curation")
                .resizable(true)
                .default_size(330.0)
                .show(ui, |ui| {
                    chrome::row(ui, |ui| {
                        let curation = chrome::atom(ui, tr!("Curation"));
                        ui.selectable_value(&mut self.side_annotations, false, curation);
                        let annotations = chrome::atom(ui, tr!("Annotations"));
                        ui.selectable_value(&mut self.side_annotations, true, annotations);
                    });
                    ui.separator();
                    chrome::rtl(ui, |ui| {
                        if self.side_annotations {
                            self.annotation_panel(ui);
                        } else {
                            self.curation_panel(ui);
                        }
                    });
                });
        } else if self.settings.show_panel && has_doc {
            end_side("annotations")
                .resizable(true)
                .default_size(330.0)
                .show(ui, |ui| chrome::rtl(ui, |ui| self.annotation_panel(ui)));
        }
        self.dialogs(&ctx);
        self.leave_dialog(&ctx);
        self.export_dialog(&ctx);
        self.review_window(&ctx);
        self.relation_windows(&ctx);
        self.annotator_dialog(&ctx);
        self.agreement_window(&ctx);
        self.model_window(&ctx);
        self.curate_window(&ctx);
        egui::CentralPanel::default().show(ui, |ui| {
            if let Some(message) = self.message.clone() {
                let mut dismissed = false;
                egui::Frame::new()
                    .fill(ui.visuals().warn_fg_color.gamma_multiply(0.15))
                    .inner_margin(6.0)
                    .show(ui, |ui| {
                        chrome::row(ui, |ui| {
                            if ui.button(chrome::atom(ui, tr!("Dismiss"))).clicked() {
                                dismissed = true;
                            }
                            ui.add(RtlLabel::new(&message).wrap().interface());
                        });
                    });
                if dismissed {
                    self.message = None;
                }
            }
            self.broken_sidecar_choices(ui);
            if let Some(path) = self.workspace.opening() {
                let text = tr!("Opening %{name}…", name = path.display());
                let progress = self.workspace.opening_progress();
                chrome::row(ui, |ui| {
                    match progress {
                        Some((what, Some(p))) => {
                            ui.add(egui::ProgressBar::new(p).desired_width(200.0));
                            chrome::label(ui, progress_text(what, p));
                        }
                        _ => {
                            ui.spinner();
                        }
                    }
                    ui.add(RtlLabel::new(&text));
                });
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_millis(100));
            }
            match self.workspace.current() {
                Some(d) if d.doc.is_empty() => {
                    ui.add_space(40.0);
                    ui.vertical_centered(|ui| chrome::weak(ui, tr!("This file is empty.")));
                }
                Some(_) => self.document_area(ui),
                None => {
                    ui.add_space(40.0);
                    ui.vertical_centered(|ui| {
                        chrome::label(
                            ui,
                            tr!("Open a text file with File > Open… or drop one on this window."),
                        )
                    });
                }
            }
        });
        // Escape outside any field, or the details closing (Delete, a tag, Escape), gives the text the keyboard.
        let focused = ctx.memory(|m| m.focused());
        if (escape && focused.is_none_or(|id| self.menu_bar_buttons.contains(&id)))
            || (had_details && self.annotate.popup.is_none())
        {
            self.focus_document = 2;
        }
        if self.focus_document > 0 {
            self.focus_document -= 1;
            DocumentView::take_focus(&ctx);
        }
    }

    fn command_button(&mut self, ui: &mut Ui, command: Command) {
        let label = chrome::atom(ui, command.title());
        let keys = command.shortcut_text(ui.ctx());
        let toggle = match command {
            Command::ToggleTheme => Some(self.settings.dark),
            Command::TogglePanel => Some(self.settings.show_panel),
            Command::SnapToWord => Some(self.settings.snap_to_word),
            Command::SuggestWhileAnnotating => Some(self.settings.learn_live),
            Command::CliticWords => Some(self.settings.clitic_words),
            Command::MarkFinished => self
                .workspace
                .current()
                .map(|d| d.annotations.is_finished()),
            _ => None,
        };
        let enabled = self.command_enabled(command);
        let mut button = match toggle {
            Some(checked) => egui::Button::selectable(checked, label),
            None => egui::Button::new(label),
        };
        // The shortcut sits at the far end of the row: the left in the Arabic interface, where it is drawn as an
        // unnamed image so that the button's name stays its label.
        match keys {
            Some(keys) if crate::i18n::rtl() => {
                let weak = ui.visuals().weak_text_color();
                button = button.left_text(chrome::unnamed(ui, &keys, weak));
            }
            Some(keys) => button = button.shortcut_text(keys),
            // With no shortcut the label still keeps to the right.
            None if crate::i18n::rtl() => button = button.left_text(egui::Atom::default()),
            None => {}
        }
        let response = ui.add_enabled(toggle.is_some() || enabled, button);
        if chrome::hover(response, command.explanation()).clicked() {
            let ctx = ui.ctx().clone();
            self.run(&ctx, command);
            ui.close();
        }
    }

    fn menu_bar(&mut self, ui: &mut Ui) {
        let mut buttons = Vec::new();
        egui::MenuBar::new().ui(ui, |ui| {
            chrome::row(ui, |ui| {
                let file = ui.menu_button(chrome::atom(ui, Menu::File.title()), |ui| {
                    self.command_button(ui, Command::Open);
                    chrome::submenu(ui, tr!("Open Recent"), |ui| {
                        if self.settings.recent.is_empty() {
                            chrome::weak(ui, tr!("No recent files"));
                        }
                        for path in self.settings.recent.clone() {
                            let label = path.display().to_string();
                            let response =
                                ui.add(RtlLabel::new(&label).sense(egui::Sense::click()));
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
                        if ui
                            .add(chrome::menu_item(egui::Button::new(chrome::atom(
                                ui,
                                tr!("Clear Recent"),
                            ))))
                            .clicked()
                        {
                            self.settings.recent.clear();
                            ui.close();
                        }
                    });
                    self.command_button(ui, Command::OpenFolder);
                    self.command_button(ui, Command::OpenSample);
                    ui.separator();
                    self.command_button(ui, Command::Save);
                    self.command_button(ui, Command::SaveAs);
                    ui.separator();
                    self.command_button(ui, Command::Export);
                    self.command_button(ui, Command::Import);
                    ui.separator();
                    self.command_button(ui, Command::NextDocument);
                    self.command_button(ui, Command::PreviousDocument);
                    self.command_button(ui, Command::MarkFinished);
                    ui.separator();
                    self.command_button(ui, Command::Quit);
                });
                buttons.push(file.response.id);
                let mut menus = vec![Menu::Edit, Menu::Tools];
                if self.curation().is_some() {
                    menus.push(Menu::Curation);
                }
                for menu in menus {
                    let r = ui.menu_button(chrome::atom(ui, menu.title()), |ui| {
                        self.command_menu(ui, menu);
                    });
                    buttons.push(r.response.id);
                }
                let view = ui.menu_button(chrome::atom(ui, Menu::View.title()), |ui| {
                    // Right-to-left rows fill the width they are given: keep the menu to a menu's width.
                    ui.set_max_width(380.0);
                    self.command_menu(ui, Menu::View);
                    ui.separator();
                    self.language_menu(ui);
                    ui.separator();
                    let mut changed = false;
                    let settings = &mut self.settings;
                    let sliders = [
                        (&mut settings.font_size, 10.0..=48.0, tr!("Text size")),
                        (&mut settings.line_spacing, 1.0..=2.5, tr!("Line spacing")),
                        (
                            &mut settings.max_line_width,
                            300.0..=1600.0,
                            tr!("Line width"),
                        ),
                    ];
                    for (value, range, name) in sliders {
                        changed |= chrome::row(ui, |ui| {
                            let r = ui.add(egui::Slider::new(value, range));
                            chrome::label(ui, name);
                            r
                        })
                        .inner
                        .changed();
                    }
                    if changed {
                        self.apply_reading_settings();
                    }
                    ui.separator();
                    self.encoding_menu(ui);
                });
                buttons.push(view.response.id);
            });
        });
        if std::mem::take(&mut self.focus_menu_bar)
            && let Some(first) = buttons.first()
        {
            ui.memory_mut(|m| m.request_focus(*first));
        }
        // Down on a closed menu's title opens it, as in desktop menu bars (Enter and Space do too); once it is open,
        // Down walks its items.
        if let Some(id) = ui.memory(|m| m.focused()).filter(|id| buttons.contains(id)) {
            // (The id egui gives a menu button's popup: `Popup::default_response_id`.)
            let popup = id.with("popup");
            let open = egui::Popup::is_id_open(ui.ctx(), popup);
            ui.memory_mut(|m| {
                m.set_focus_lock_filter(
                    id,
                    egui::EventFilter {
                        vertical_arrows: !open,
                        ..Default::default()
                    },
                );
            });
            if !open && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowDown))
            {
                egui::Popup::open_id(ui.ctx(), popup);
            }
        }
        self.menu_bar_buttons = buttons;
    }

    /// The commands of `menu`, in table order.
    fn command_menu(&mut self, ui: &mut Ui, menu: Menu) {
        for &c in Command::ALL.iter().filter(|c| c.menu() == menu) {
            self.command_button(ui, c);
        }
    }

    /// View ▸ Language: the locale's language, or one chosen (remembered); and the digits numbers are written in.
    fn language_menu(&mut self, ui: &mut Ui) {
        use crate::i18n::{self, Language};
        chrome::submenu(ui, tr!("Language"), |ui| {
            let system = i18n::from_env();
            let choices = [
                (
                    None,
                    tr!(
                        "As the system (%{language})",
                        language = system.native_name()
                    ),
                ),
                (
                    Some(Language::English),
                    Language::English.native_name().into(),
                ),
                (
                    Some(Language::Arabic),
                    Language::Arabic.native_name().into(),
                ),
            ];
            for (choice, name) in choices {
                let selected = self.settings.language == choice;
                if ui
                    .add(chrome::menu_item(egui::Button::selectable(
                        selected,
                        chrome::atom(ui, name),
                    )))
                    .clicked()
                {
                    self.settings.language = choice;
                    i18n::set_language(choice.unwrap_or(system));
                    ui.close();
                }
            }
            ui.separator();
            let digits = chrome::atom(ui, tr!("Arabic-Indic Digits (١٢٣)"));
            if ui
                .add(chrome::menu_item(egui::Button::selectable(
                    self.settings.arabic_digits,
                    digits,
                )))
                .clicked()
            {
                self.settings.arabic_digits = !self.settings.arabic_digits;
                i18n::set_arabic_digits(self.settings.arabic_digits);
                ui.close();
            }
        });
    }

    fn encoding_menu(&mut self, ui: &mut Ui) {
        let current = self.document().map(|d| d.encoding);
        let path = self.document().and_then(|d| d.path.clone());
        chrome::submenu(ui, tr!("Encoding"), |ui| {
            if path.is_none() {
                chrome::label(
                    ui,
                    tr!("The sample is UTF-8; open a file to choose its encoding."),
                );
                return;
            }
            chrome::label(ui, tr!("Reopen with:"));
            for &enc in store::ENCODING_CHOICES {
                if ui
                    .add(chrome::menu_item(egui::Button::selectable(
                        current == Some(enc),
                        enc.name(),
                    )))
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
        chrome::row(ui, |ui| {
            let (Some(d), Some((_, view))) = (self.workspace.current(), self.view.as_ref()) else {
                chrome::label(ui, tr!("No document"));
                return;
            };
            let doc = d.doc.clone();
            ui.add(RtlLabel::new(&d.name).size(13.0));
            ui.separator();
            let mut enc = d.encoding.name().to_owned();
            if d.bom {
                enc.push_str(&format!(" ({})", tr!("BOM")));
            }
            if d.guessed {
                enc.push_str(&format!(" ({})", tr!("detected")));
            }
            chrome::hover(
                chrome::label(ui, enc),
                tr!("How the file was decoded. View > Encoding reopens it with another encoding."),
            );
            ui.separator();
            chrome::label(ui, tr!("%{n} characters", n = doc.char_count()));
            ui.separator();
            chrome::label(ui, tr!("%{n} lines", n = doc.paragraphs().len()));
            ui.separator();
            chrome::hover(
                chrome::label(ui, tr!(doc.line_ending().label())),
                tr!("Line endings"),
            );
            let sel = view.selection().span();
            if !sel.is_empty() {
                ui.separator();
                chrome::label(
                    ui,
                    tr!(
                        "selected %{start}–%{end} (%{n} characters)",
                        start = sel.start.0,
                        end = sel.end.0,
                        n = sel.len()
                    ),
                );
            }
            let mut work = d.activities();
            if let Some(p) = view.measuring_progress() {
                work.push(("laying out", Some(p)));
            }
            if !work.is_empty() {
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_millis(100));
            }
            for (what, progress) in work {
                ui.separator();
                match progress {
                    Some(p) => {
                        ui.add(egui::ProgressBar::new(p).desired_width(140.0));
                        chrome::label(ui, progress_text(what, p))
                    }
                    None => {
                        ui.spinner();
                        chrome::label(ui, format!("{}…", tr!(what)))
                    }
                };
            }
            let zoom = crate::i18n::number(format!("{:.0}%", self.settings.zoom * 100.0));
            let end = if crate::i18n::rtl() {
                egui::Layout::left_to_right(egui::Align::Center)
            } else {
                egui::Layout::right_to_left(egui::Align::Center)
            };
            ui.with_layout(end, |ui| {
                chrome::weak(ui, zoom);
            });
        });
    }
}

/// "saving 40%": a background activity and how far it is, in the interface language.
fn progress_text(what: &str, progress: f32) -> String {
    format!(
        "{} {}",
        tr!(what),
        crate::i18n::number(format!("{:.0}%", progress * 100.0))
    )
}

impl eframe::App for WarraqApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        WarraqApp::ui(self, ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.save_to(storage);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        // The close guard has already settled the document or the user chose to discard; one last try costs nothing.
        if let Some(d) = self.workspace.current_mut()
            && d.is_dirty()
            && d.can_save()
        {
            let _ = d.save_now();
        }
    }
}
