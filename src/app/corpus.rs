//! File ▸ Open Folder… (and `warraq FOLDER`): the folder's documents in a panel beside the text — each with its
//! annotations per tag and when it last changed, a summary of the folder, a filter by name — to open one with a click
//! and go to the next or previous (Ctrl+PageDown / Ctrl+PageUp). The list is read on a worker
//! (`workspace::corpus`) and read again when a document is saved or another opened.

use std::path::PathBuf;

use egui::{RichText, Ui};

use super::WarraqApp;
use crate::tr;
use crate::view::{RtlInput, RtlInputState, RtlLabel, chrome};
use crate::workspace::corpus::{self, CorpusDocument, Hit};
use crate::workspace::job::{self, Job, Poll};

/// At most this many matches of a search across the folder are listed.
const MAX_HITS: usize = 2000;

pub(crate) struct Corpus {
    folder: PathBuf,
    documents: Vec<CorpusDocument>,
    reading: Option<Job<Result<Vec<CorpusDocument>, String>>>,
    picking: Option<Job<Option<PathBuf>>>,
    filter: RtlInputState,
    /// Show only finished (Some(true)) or unfinished (Some(false)) documents.
    state: Option<bool>,
    /// A search across the folder: the query, the search running, and its matches.
    query: RtlInputState,
    searching: Option<Job<Vec<Hit>>>,
    hits: Option<std::sync::Arc<Vec<Hit>>>,
    /// The document list was read for this state of the open document (generation, revision on disk).
    read_for: Option<(u64, bool)>,
    problem: Option<String>,
    /// A folder just chosen: its first document opens once the list is read.
    open_first: bool,
}

impl Corpus {
    /// The list of `folder`, not read yet; `open_first`: open its first document once read.
    fn new(folder: PathBuf, open_first: bool) -> Self {
        Self {
            folder,
            documents: Vec::new(),
            reading: None,
            picking: None,
            filter: RtlInputState::new(false),
            state: None,
            query: RtlInputState::new(false),
            searching: None,
            hits: None,
            read_for: None,
            problem: None,
            open_first,
        }
    }
}

impl WarraqApp {
    /// Lists `folder` as the corpus, and opens its first document when none is open from it.
    pub fn open_folder(&mut self, ctx: &egui::Context, folder: PathBuf) {
        self.corpus = Some(Corpus::new(folder, self.workspace.current().is_none()));
        self.settings.show_panel = true;
        self.read_corpus(ctx);
    }

    /// The system's folder chooser, on a worker (it blocks while open), titled `title` (written in English, shown in
    /// the interface language): the folder, or `None` when cancelled.
    pub(super) fn choose_folder(
        &mut self,
        ctx: &egui::Context,
        title: &str,
    ) -> Job<Option<PathBuf>> {
        let waker = self.waker(ctx);
        let title = crate::i18n::tr(title).into_owned();
        Job::spawn("the folder chooser", &waker, move || {
            rfd::FileDialog::new().set_title(title).pick_folder()
        })
    }

    /// File ▸ Open Folder…: choose a folder to work through.
    pub(super) fn open_folder_dialog(&mut self, ctx: &egui::Context) {
        let job = self.choose_folder(ctx, "Open a folder of documents");
        match &mut self.corpus {
            Some(c) => c.picking = Some(job),
            None => {
                let mut c = Corpus::new(PathBuf::new(), false);
                c.picking = Some(job);
                self.corpus = Some(c);
            }
        }
    }

    /// Searches every document of the folder (on a worker) with the find bar's matching.
    pub fn search_folder(&mut self, ctx: &egui::Context, query: &str) {
        let waker = self.waker(ctx);
        if let Some(c) = &mut self.corpus {
            let docs = c.documents.clone();
            let query = query.to_owned();
            c.searching = Some(Job::spawn("searching the folder", &waker, move || {
                corpus::search(
                    &docs,
                    &query,
                    crate::model::search::SearchOptions::default(),
                    MAX_HITS,
                )
            }));
            c.hits = None;
        }
    }

    /// The matches of the last search across the folder.
    #[must_use]
    pub fn folder_hits(&self) -> Option<&[Hit]> {
        self.corpus
            .as_ref()
            .and_then(|c| c.hits.as_deref())
            .map(Vec::as_slice)
    }

    /// Opens the document of a match at the match (selected, scrolled to).
    pub fn open_hit(&mut self, ctx: &egui::Context, hit: &Hit) {
        let here = self
            .workspace
            .current()
            .and_then(|d| d.path.as_ref())
            .is_some_and(|p| *p == hit.path);
        self.pending_jump = Some((hit.path.clone(), hit.span));
        if !here {
            self.open_path(ctx, hit.path.clone(), None);
        }
    }

    /// The corpus's documents, as last read.
    #[must_use]
    pub fn corpus_documents(&self) -> Option<&[CorpusDocument]> {
        self.corpus.as_ref().map(|c| c.documents.as_slice())
    }

    fn read_corpus(&mut self, ctx: &egui::Context) {
        let waker = self.waker(ctx);
        if let Some(c) = &mut self.corpus {
            let folder = c.folder.clone();
            c.reading = Some(Job::spawn("the folder's documents", &waker, move || {
                corpus::scan(&folder)
            }));
        }
    }

    /// Opens the next (or previous) document of the corpus after the open one.
    pub fn step_document(&mut self, ctx: &egui::Context, forward: bool) {
        let Some(c) = &self.corpus else { return };
        let current = self.workspace.current().and_then(|d| d.path.clone());
        let at = current
            .as_ref()
            .and_then(|p| c.documents.iter().position(|d| &d.path == p));
        let next = match (at, forward) {
            (Some(i), true) => i + 1,
            (Some(i), false) => i.wrapping_sub(1),
            (None, _) => 0,
        };
        if let Some(d) = c.documents.get(next) {
            let path = d.path.clone();
            self.open_path(ctx, path, None);
        }
    }

    /// Keeps the list up to date (a chosen folder, a finished read, a save or another document) and draws the
    /// panel section.
    pub(super) fn corpus_panel(&mut self, ctx: &egui::Context, ui: &mut Ui) {
        let Some(c) = &mut self.corpus else { return };
        if let Some(Poll::Ready(chosen)) = job::take_ready(&mut c.picking) {
            match chosen {
                Some(folder) => {
                    c.folder = folder;
                    c.documents.clear();
                    c.read_for = None;
                    c.open_first = true;
                }
                None if c.folder.as_os_str().is_empty() => {
                    self.corpus = None;
                    return;
                }
                None => {}
            }
        }
        if let Some(Poll::Ready(hits)) = job::take_ready(&mut c.searching) {
            c.hits = Some(std::sync::Arc::new(hits));
        }
        let mut open = None;
        match job::take_ready(&mut c.reading) {
            Some(Poll::Ready(Ok(docs))) => {
                c.documents = docs;
                c.problem = None;
                if std::mem::take(&mut c.open_first) {
                    open = c.documents.first().map(|d| d.path.clone());
                }
            }
            Some(Poll::Ready(Err(e))) => c.problem = Some(e),
            _ => {}
        }
        // Read again when another document is open or the open one was saved.
        let state = self
            .workspace
            .current()
            .map(|d| (d.generation, d.is_dirty()));
        let stale = c.read_for != state && c.reading.is_none() && !c.folder.as_os_str().is_empty();
        if stale {
            c.read_for = state;
            self.read_corpus(ctx);
        }
        if let Some(path) = open {
            self.open_path(ctx, path, None);
        }
        let Some(c) = &mut self.corpus else { return };
        let current = self.workspace.current().and_then(|d| d.path.clone());
        let needle = c.filter.text();
        let total: usize = c.documents.iter().map(|d| d.annotations).sum();
        let mut picked = None;
        let mut search = None;
        let mut jump = None;
        let folder_name = c
            .folder
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let title = tr!("Folder (%{n} documents)", n = c.documents.len());
        chrome::collapsing(ui, "corpus", title, true, |ui| {
            // Its name may be Arabic: drawn by the text engine.
            ui.add(RtlLabel::new(&folder_name).size(15.0));
            let totals: Vec<String> = corpus::totals(&c.documents)
                .into_iter()
                .map(|(t, n)| format!("{t} {n}"))
                .collect();
            chrome::weak(
                ui,
                tr!(
                    "%{n} annotations · %{tags}",
                    n = total,
                    tags = totals.join(" · ")
                ),
            );
            if let Some(p) = &c.problem {
                ui.colored_label(ui.visuals().error_fg_color, p);
            }
            ui.add(
                RtlInput::new(&mut c.filter, &tr!("Filter documents"))
                    .hint(&tr!("Filter by name — تصفية"))
                    .desired_width(ui.available_width()),
            );
            // A search across the folder, as the find bar matches.
            let response = ui.add(
                RtlInput::new(&mut c.query, &tr!("Search the folder"))
                    .hint(&tr!("Search the folder — بحث"))
                    .desired_width(ui.available_width()),
            );
            if response.has_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                search = Some(c.query.text());
            }
            if c.searching.is_some() {
                ui.spinner();
            }
            if let Some(hits) = &c.hits {
                chrome::weak(
                    ui,
                    if hits.len() >= MAX_HITS {
                        tr!("the first %{n} matches", n = MAX_HITS)
                    } else {
                        tr!("%{n} matches", n = hits.len())
                    },
                );
                egui::ScrollArea::vertical()
                    .id_salt("corpus-hits")
                    .max_height(180.0)
                    .show_rows(ui, 22.0, hits.len(), |ui, range| {
                        for h in &hits[range] {
                            ui.horizontal(|ui| {
                                // Names and text are Arabic: drawn by the text engine; a short context keeps the
                                // panel narrow.
                                ui.add(RtlLabel::new(&h.name).size(12.0));
                                let before: String = {
                                    let c: Vec<char> = h.before.chars().collect();
                                    c[c.len().saturating_sub(12)..].iter().collect()
                                };
                                let after: String = h.after.chars().take(12).collect();
                                let line = format!("…{before}«{}»{after}…", h.text);
                                if ui
                                    .add(
                                        RtlLabel::new(&line).size(14.0).sense(egui::Sense::click()),
                                    )
                                    .clicked()
                                {
                                    jump = Some(h.clone());
                                }
                            });
                        }
                    });
            }
            let finished = c.documents.iter().filter(|d| d.finished).count();
            ui.horizontal(|ui| {
                let all = chrome::atom(ui, tr!("All"));
                ui.selectable_value(&mut c.state, None, all);
                let done = chrome::atom(ui, tr!("Finished (%{n})", n = finished));
                ui.selectable_value(&mut c.state, Some(true), done);
                let open = chrome::atom(
                    ui,
                    tr!("Not finished (%{n})", n = c.documents.len() - finished),
                );
                ui.selectable_value(&mut c.state, Some(false), open);
            });
            let state = c.state;
            let rows: Vec<&CorpusDocument> = c
                .documents
                .iter()
                .filter(|d| needle.is_empty() || d.name.contains(&needle))
                .filter(|d| state.is_none_or(|s| d.finished == s))
                .collect();
            egui::ScrollArea::vertical()
                .id_salt("corpus-rows")
                .max_height(200.0)
                .show_rows(ui, 24.0, rows.len(), |ui, range| {
                    for d in &rows[range] {
                        ui.horizontal(|ui| {
                            ui.set_height(24.0);
                            let here = current.as_ref() == Some(&d.path);
                            if ui
                                .add(egui::Button::selectable(here, d.annotations.to_string()))
                                .on_hover_text(
                                    d.tags
                                        .iter()
                                        .map(|(t, n)| format!("{t} {n}"))
                                        .collect::<Vec<_>>()
                                        .join(", "),
                                )
                                .clicked()
                            {
                                picked = Some(d.path.clone());
                            }
                            let label = ui.add(
                                RtlLabel::new(&d.name)
                                    .size(14.0)
                                    .sense(egui::Sense::click()),
                            );
                            if label.clicked() {
                                picked = Some(d.path.clone());
                            }
                            if d.finished {
                                chrome::weak(ui, tr!("finished"));
                            }
                            if let Some(p) = &d.problem {
                                chrome::hover(
                                    chrome::weak(ui, tr!("(annotations unreadable)")),
                                    p.clone(),
                                );
                            } else if let Some(t) = d.changed {
                                let when = humantime::format_rfc3339_seconds(t).to_string();
                                ui.label(
                                    RichText::new(when.get(..16).unwrap_or(&when))
                                        .weak()
                                        .small(),
                                );
                            }
                        });
                    }
                });
        });
        ui.separator();
        if let Some(path) = picked {
            self.open_path(ctx, path, None);
        }
        if let Some(q) = search.filter(|q| !q.trim().is_empty()) {
            self.search_folder(ctx, &q);
        }
        if let Some(h) = jump {
            self.open_hit(ctx, &h);
        }
    }
}
