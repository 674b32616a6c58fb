//! The find bar (Ctrl+F): Arabic-aware search over the document with every match highlighted, a count, and
//! Enter / Shift+Enter (F3 / Shift+F3) to go to the next / previous match. The current match is also the selection,
//! so a tag key tags it.

use std::sync::Arc;
use std::sync::mpsc::Receiver;

use egui::{Key, Modifiers, RichText, Ui};

use super::WarraqApp;
use crate::model::search::{SearchIndex, SearchOptions};
use crate::model::{Span, TextSelection};
use crate::view::{RtlInput, RtlInputState};

/// Documents up to this size are indexed at once; larger ones on a worker thread.
const SYNC_INDEX_BYTES: usize = 1024 * 1024;

pub(crate) struct FindBar {
    pub query: RtlInputState,
    pub options: SearchOptions,
    pub matches: Vec<Span>,
    pub current: Option<usize>,
    index: Option<Arc<SearchIndex>>,
    building: Option<Receiver<SearchIndex>>,
    searched: Option<(String, SearchOptions)>,
    focus: bool,
}

impl FindBar {
    fn new() -> Self {
        Self {
            query: RtlInputState::new(false),
            options: SearchOptions::default(),
            matches: Vec::new(),
            current: None,
            index: None,
            building: None,
            searched: None,
            focus: true,
        }
    }
}

impl WarraqApp {
    /// Opens the find bar (or focuses it).
    pub fn open_find(&mut self) {
        match &mut self.find {
            Some(f) => f.focus = true,
            None => self.find = Some(FindBar::new()),
        }
    }

    /// The matches of the current query and the current one, for tests.
    #[must_use]
    pub fn find_state(&self) -> Option<(&[Span], Option<usize>)> {
        self.find
            .as_ref()
            .map(|f| (f.matches.as_slice(), f.current))
    }

    /// Goes to the next (or previous) match after the caret, selects it and scrolls to it.
    pub fn find_step(&mut self, forward: bool) {
        let (Some(f), Some(d)) = (&mut self.find, &mut self.doc) else {
            return;
        };
        if f.matches.is_empty() {
            return;
        }
        let n = f.matches.len();
        let next = match f.current {
            Some(c) if forward => (c + 1) % n,
            Some(c) => (c + n - 1) % n,
            None => {
                let caret = d.view.selection().span().start;
                let i = f.matches.partition_point(|m| m.start < caret);
                if forward { i % n } else { (i + n - 1) % n }
            }
        };
        f.current = Some(next);
        let m = f.matches[next];
        d.view.set_selection(TextSelection::new(m.start, m.end));
        d.view.scroll_to_offset(m.start);
    }

    fn refresh_matches(&mut self, ctx: &egui::Context) {
        let (Some(f), Some(d)) = (&mut self.find, &self.doc) else {
            return;
        };
        let exact = f.options.exact;
        if f.index.as_ref().is_some_and(|i| i.is_exact() != exact) {
            f.index = None;
        }
        if let Some(rx) = &f.building
            && let Ok(index) = rx.try_recv()
        {
            f.building = None;
            if index.is_exact() == exact {
                f.index = Some(Arc::new(index));
            }
        }
        if f.index.is_none() && f.building.is_none() {
            let text = d.view.document().text();
            if text.len() <= SYNC_INDEX_BYTES {
                f.index = Some(Arc::new(SearchIndex::new(text, exact)));
            } else {
                let doc = d.view.document().clone();
                let (tx, rx) = std::sync::mpsc::channel();
                let ctx2 = ctx.clone();
                std::thread::Builder::new()
                    .name("warraq-search-index".into())
                    .spawn(move || {
                        let _ = tx.send(SearchIndex::new(doc.text(), exact));
                        ctx2.request_repaint();
                    })
                    .expect("spawn the indexing thread");
                f.building = Some(rx);
            }
        }
        let query = f.query.text();
        let key = (query.clone(), f.options);
        let Some(index) = &f.index else { return };
        if f.searched.as_ref() == Some(&key) {
            return;
        }
        f.matches = index.find(&query, f.options);
        f.current = None;
        f.searched = Some(key);
    }

    pub(super) fn find_bar(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        self.refresh_matches(&ctx);
        let Some(f) = &mut self.find else { return };
        let mut close = false;
        let mut step = None;
        ui.horizontal(|ui| {
            ui.label("Find");
            let r = ui.add(
                RtlInput::new(&mut f.query, "Find text")
                    .desired_width(280.0)
                    .hint("بحث — ignores harakat"),
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
            let status = if f.building.is_some() {
                "indexing…".to_owned()
            } else if f.query.text().trim().is_empty() {
                String::new()
            } else {
                match (f.current, f.matches.len()) {
                    (_, 0) => "no matches".to_owned(),
                    (Some(c), n) => format!("{} of {n}", c + 1),
                    (None, n) => format!("{n} matches"),
                }
            };
            ui.label(RichText::new(status).strong());
            if ui.button("Previous").clicked() {
                step = Some(false);
            }
            if ui.button("Next").clicked() {
                step = Some(true);
            }
            ui.separator();
            ui.checkbox(&mut f.options.exact, "Exact")
                .on_hover_text("Match harakat, letter variants and case exactly");
            ui.checkbox(&mut f.options.whole_word, "Whole word");
            ui.add_enabled(
                f.options.whole_word,
                egui::Checkbox::new(&mut f.options.clitics, "Clitic prefixes"),
            )
            .on_hover_text(
                "With whole words, also find the word after و ف ب ك ل ال… (left outside the match)",
            );
            if ui.button("Close").clicked() {
                close = true;
            }
        });
        if ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
            close = true;
        }
        if close {
            self.find = None;
            return;
        }
        if let Some(forward) = step {
            self.refresh_matches(&ctx);
            self.find_step(forward);
        }
    }
}
