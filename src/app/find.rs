//! The find bar (Ctrl+F): Arabic-aware search over the document with every match highlighted, a count, and
//! Enter / Shift+Enter (F3 / Shift+F3) to go to the next / previous match. The current match is also the selection,
//! so a tag key tags it.

use egui::{Key, Modifiers, Ui};

use super::WarraqApp;
use crate::model::search::SearchOptions;
use crate::model::{Span, TextSelection};
use crate::tr;
use crate::view::chrome;
use crate::view::{RtlInput, RtlInputState};
use crate::workspace::OpenDocument;

/// How long typing must pause before a large text is searched.
const TYPING_PAUSE: std::time::Duration = std::time::Duration::from_millis(200);

pub(crate) struct FindBar {
    pub query: RtlInputState,
    pub options: SearchOptions,
    /// The matches, shared with the document's recent searches (not copied), and whether that is all of them.
    pub(crate) found: std::sync::Arc<crate::model::search::Found>,
    /// When the query or options last changed: on large texts the search waits until typing pauses.
    changed_at: Option<std::time::Instant>,
    last_key: Option<(String, SearchOptions)>,
    /// Enter (or Next / Previous) pressed while the search was still running: taken when it is done.
    pending_step: Option<bool>,
    pub current: Option<usize>,
    /// The document generation the matches were found in.
    generation: Option<u64>,
    searched: Option<(String, SearchOptions)>,
    /// The search runs on a worker (large texts); the index may still be being built.
    waiting: bool,
    focus: bool,
}

impl FindBar {
    fn new() -> Self {
        Self {
            query: RtlInputState::new(false),
            options: SearchOptions::default(),
            found: std::sync::Arc::default(),
            changed_at: None,
            last_key: None,
            pending_step: None,
            current: None,
            generation: None,
            searched: None,
            waiting: false,
            focus: true,
        }
    }

    /// The bar kept open over another document: same query and options, nothing found yet.
    pub(crate) fn for_new_document(self) -> Self {
        Self {
            query: self.query,
            options: self.options,
            focus: self.focus,
            ..Self::new()
        }
    }
}

impl WarraqApp {
    /// Opens the find bar (or focuses it).
    pub fn open_find(&mut self) {
        match &mut self.find {
            Some(f) => f.focus = true,
            // The query and options of the bar closed last come back (its matches are searched again).
            None => {
                self.find = Some(match self.find_closed.take() {
                    Some(old) => {
                        let mut f = old.for_new_document();
                        f.focus = true;
                        f
                    }
                    None => FindBar::new(),
                });
            }
        }
    }

    /// The matches of the current query and the current one, for tests.
    #[must_use]
    pub fn find_state(&self) -> Option<(&[Span], Option<usize>)> {
        self.find
            .as_ref()
            .map(|f| (f.found.spans.as_slice(), f.current))
    }

    /// Whether the find bar is waiting: for typing to pause, for the index or for the search (large texts).
    #[must_use]
    pub fn is_searching_or_waiting(&self) -> bool {
        self.find.as_ref().is_some_and(|f| f.waiting)
    }

    /// Goes to the next (or previous) match after the caret, selects it and scrolls to it.
    pub fn find_step(&mut self, forward: bool) {
        // F3 with the bar closed opens it again with the last query and goes to the next match once found.
        if self.find.is_none() && self.find_closed.is_some() {
            self.open_find();
            let generation = self.workspace.current().map(|d| d.generation);
            if let Some(f) = &mut self.find {
                f.generation = generation;
                f.pending_step = Some(forward);
                f.changed_at = None;
            }
            return;
        }
        let (Some(f), Some((_, view))) = (&mut self.find, self.view.as_mut()) else {
            return;
        };
        if f.found.spans.is_empty() {
            return;
        }
        let n = f.found.spans.len();
        let next = match f.current {
            Some(c) if forward => (c + 1) % n,
            Some(c) => (c + n - 1) % n,
            None => {
                let caret = view.selection().span().start;
                let i = f.found.spans.partition_point(|m| m.start < caret);
                if forward { i % n } else { (i + n - 1) % n }
            }
        };
        f.current = Some(next);
        let m = f.found.spans[next];
        view.set_selection(TextSelection::new(m.start, m.end));
        view.scroll_to_offset(m.start);
    }

    fn refresh_matches(&mut self, ctx: &egui::Context) {
        let waker = self.waker(ctx);
        let (Some(f), Some(d)) = (&mut self.find, self.workspace.current_mut()) else {
            return;
        };
        if f.generation != Some(d.generation) {
            // Matches, index and position belong to one document.
            let old = std::mem::replace(f, FindBar::new());
            *f = old.for_new_document();
            f.generation = Some(d.generation);
        }
        let query = f.query.text();
        let key = (query.clone(), f.options);
        if f.searched.as_ref() == Some(&key) {
            // Back to the query already shown (typed and erased): its matches stand.
            f.waiting = false;
            return;
        }
        let now = std::time::Instant::now();
        if f.last_key.as_ref() != Some(&key) {
            f.last_key = Some(key.clone());
            f.changed_at = Some(now);
        }
        // On large texts, searching waits until typing pauses, so a word typed letter by letter is searched once
        // (a query searched a moment ago, such as the word before a letter was erased, is shown at once).
        if d.recent_search(&query, f.options).is_none()
            && d.doc.text().len() > crate::workspace::SYNC_SEARCH_BYTES
            && let Some(t) = f.changed_at
            && now.duration_since(t) < TYPING_PAUSE
        {
            f.waiting = true;
            ctx.request_repaint_after(TYPING_PAUSE - now.duration_since(t));
            return;
        }
        // Large texts are searched on a worker: the bar shows "searching…" and this frame goes on.
        let found = d.search(&query, f.options, &waker);
        f.waiting = found.is_none();
        let Some(found) = found else { return };
        f.found = found;
        f.current = None;
        f.searched = Some(key);
    }

    pub(super) fn find_bar(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        self.refresh_matches(&ctx);
        let indexed = self
            .workspace
            .current()
            .is_some_and(OpenDocument::is_indexed);
        let Some(f) = &mut self.find else { return };
        if f.focus {
            // The bar asked for the keyboard after the document did (Ctrl+F in the frame a file lands): it wins.
            self.focus_document = 0;
        }
        let mut close = false;
        let mut step = None;
        chrome::row(ui, |ui| {
            chrome::label(ui, tr!("Find"));
            let r = ui.add(
                RtlInput::new(&mut f.query, &tr!("Find text"))
                    .desired_width(280.0)
                    .hint(&tr!("بحث — ignores harakat")),
            );
            if f.focus {
                r.request_focus();
                f.focus = false;
            }
            if r.has_focus() {
                if ui.input_mut(|i| i.consume_key(Modifiers::SHIFT, Key::Enter)) {
                    step = Some(false);
                } else if ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Enter)) {
                    step = Some(true);
                }
            }
            let status = if f.waiting {
                if indexed {
                    tr!("searching…")
                } else {
                    tr!("indexing…")
                }
                .into_owned()
            } else if f.query.text().trim().is_empty() {
                String::new()
            } else {
                match (f.current, f.found.spans.len()) {
                    (_, 0) => tr!("no matches").into_owned(),
                    (Some(c), n) if !f.found.complete => {
                        tr!("%{c} of the first %{n}", c = c + 1, n = n)
                    }
                    (Some(c), n) => tr!("%{c} of %{n}", c = c + 1, n = n),
                    (None, n) if !f.found.complete => tr!("the first %{n} matches", n = n),
                    (None, n) => tr!("%{n} matches", n = n),
                }
            };
            chrome::label(ui, status);
            if ui.button(chrome::atom(ui, tr!("Previous"))).clicked() {
                step = Some(false);
            }
            if ui.button(chrome::atom(ui, tr!("Next"))).clicked() {
                step = Some(true);
            }
            ui.separator();
            chrome::hover(
                chrome::checkbox(ui, &mut f.options.exact, tr!("Exact")),
                tr!("Match harakat, letter variants and case exactly"),
            );
            chrome::checkbox(ui, &mut f.options.whole_word, tr!("Whole word"));
            chrome::hover(
                ui.add_enabled_ui(f.options.whole_word, |ui| {
                    chrome::checkbox(ui, &mut f.options.clitics, tr!("Clitic prefixes"))
                })
                .inner,
                tr!(
                    "With whole words, also find the word after و ف ب ك ل ال… (left outside the match)"
                ),
            );
            if ui.button(chrome::atom(ui, tr!("Close"))).clicked() {
                close = true;
            }
        });
        if ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
            close = true;
        }
        if close {
            self.find_closed = self.find.take();
            return;
        }
        let Some(f) = &mut self.find else { return };
        if let Some(forward) = step {
            // Enter searches at once, without waiting for typing to pause; the step is taken when matches are in.
            f.changed_at = None;
            f.pending_step = Some(forward);
            self.refresh_matches(&ctx);
        }
        if let Some(f) = &mut self.find
            && !f.waiting
            && let Some(forward) = f.pending_step.take()
        {
            self.find_step(forward);
        }
    }
}
