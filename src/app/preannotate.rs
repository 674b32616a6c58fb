//! Tools ▸ Pre-annotate from List…: a gazetteer's names matched in the document become suggestions, drawn faded
//! with a dashed underline, listed in the panel to accept or reject one by one or all at once.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, TryRecvError};

use egui::{RichText, Ui};

use super::WarraqApp;
use crate::model::gazetteer;
use crate::model::search::SearchIndex;
use crate::view::RtlLabel;

/// Suggestions found, and the lines of the list that could not be used.
type Matched = Result<(Vec<crate::model::Annotation>, Vec<String>), String>;

pub(crate) enum Pending {
    Choosing(Receiver<Option<PathBuf>>),
    Matching(Receiver<Matched>),
}

impl WarraqApp {
    /// Matches the names of the list at `path` in the open document on a worker thread; the suggestions appear when
    /// it is done.
    pub fn preannotate_from(&mut self, ctx: &egui::Context, path: &Path) {
        let Some(d) = &self.doc else { return };
        let doc = d.view.document().clone();
        let existing = d.annotations.clone();
        let path = path.to_owned();
        let (tx, rx) = std::sync::mpsc::channel();
        let ctx2 = ctx.clone();
        std::thread::Builder::new()
            .name("warraq-preannotate".into())
            .spawn(move || {
                let result = crate::store::load_text(&path, None)
                    .map_err(|e| e.to_string())
                    .and_then(|list| {
                        let (entries, problems) = gazetteer::parse(&list.text);
                        if entries.is_empty() {
                            return Err(format!("{}: no NAME<TAB>TAG lines", path.display()));
                        }
                        let index = SearchIndex::new(doc.text(), false);
                        let found = gazetteer::suggest(&doc, &index, &existing, &entries);
                        let problems = crate::model::LineProblem::located(&path, &problems);
                        Ok((found, problems))
                    });
                let _ = tx.send(result);
                ctx2.request_repaint();
            })
            .expect("spawn the pre-annotation thread");
        self.preannotate = Some(Pending::Matching(rx));
    }

    pub(super) fn preannotate_dialog(&mut self, ctx: &egui::Context) {
        let (tx, rx) = std::sync::mpsc::channel();
        let ctx2 = ctx.clone();
        std::thread::Builder::new()
            .name("warraq-gazetteer-dialog".into())
            .spawn(move || {
                let choice = rfd::FileDialog::new()
                    .set_title("Pre-annotate from a list of names")
                    .add_filter("Names and tags", &["txt", "tsv", "csv"])
                    .pick_file();
                let _ = tx.send(choice);
                ctx2.request_repaint();
            })
            .expect("spawn the list dialog thread");
        self.preannotate = Some(Pending::Choosing(rx));
    }

    /// Selects the next (or previous) suggestion after the caret and scrolls to it; a tag key then tags it.
    pub fn step_suggestion(&mut self, forward: bool) {
        let Some(d) = &mut self.doc else { return };
        let spans: Vec<crate::model::Span> = d
            .annotations
            .suggestions
            .iter()
            .map(crate::model::Annotation::span)
            .collect();
        if let Some(s) = step_from(&spans, d.view.selection().span(), forward) {
            d.view
                .set_selection(crate::model::TextSelection::new(s.start, s.end));
            d.view.scroll_to_offset(s.start);
        }
    }

    /// Picks the next (or previous) annotation after the caret: selected, scrolled to, flashing.
    pub fn step_annotation(&mut self, forward: bool) {
        let Some(d) = &mut self.doc else { return };
        let items = d.annotations.items();
        let spans: Vec<crate::model::Span> =
            items.iter().map(crate::model::Annotation::span).collect();
        let current = self
            .annotate
            .selected
            .and_then(|id| items.iter().find(|a| a.id == id))
            .map_or_else(|| d.view.selection().span(), crate::model::Annotation::span);
        if let Some(s) = step_from(&spans, current, forward)
            && let Some(a) = items.iter().find(|a| a.span() == s)
        {
            let id = a.id;
            d.view
                .set_selection(crate::model::TextSelection::caret(s.start));
            self.pick_annotation(id);
        }
    }

    /// Whether matching is still running.
    #[must_use]
    pub fn is_preannotating(&self) -> bool {
        self.preannotate.is_some()
    }

    pub(super) fn poll_preannotate(&mut self, ctx: &egui::Context) {
        match self.preannotate.take() {
            Some(Pending::Choosing(rx)) => match rx.try_recv() {
                Ok(Some(path)) => self.preannotate_from(ctx, &path),
                Ok(None) | Err(TryRecvError::Disconnected) => {}
                Err(TryRecvError::Empty) => self.preannotate = Some(Pending::Choosing(rx)),
            },
            Some(Pending::Matching(rx)) => match rx.try_recv() {
                Ok(Ok((found, problems))) => {
                    let n = found.len();
                    if let Some(d) = &mut self.doc {
                        for s in found {
                            if !d
                                .annotations
                                .suggestions
                                .iter()
                                .any(|x| x.start == s.start && x.end == s.end && x.tag == s.tag)
                            {
                                d.annotations.suggestions.push(s);
                            }
                        }
                        d.annotations.suggestions.sort_by_key(|a| (a.start, a.end));
                        d.last_change = Some(std::time::Instant::now());
                        d.saved_revision = d.saved_revision.wrapping_sub(1);
                    }
                    let mut msg = format!(
                        "{n} suggestions from the list: review them under Suggestions in the panel"
                    );
                    for p in problems.iter().take(10) {
                        msg.push('\n');
                        msg.push_str(p);
                    }
                    self.message = Some(msg);
                    self.settings.show_panel = true;
                }
                Ok(Err(e)) => self.message = Some(format!("Pre-annotation failed: {e}")),
                Err(TryRecvError::Empty) => self.preannotate = Some(Pending::Matching(rx)),
                Err(TryRecvError::Disconnected) => {}
            },
            None => {}
        }
    }

    /// The suggestions section of the panel.
    pub(super) fn suggestions_panel(&mut self, ui: &mut Ui) {
        let Some(d) = &self.doc else { return };
        if d.annotations.suggestions.is_empty() {
            return;
        }
        let list = d.annotations.suggestions.clone();
        let mut accept = None;
        let mut reject = None;
        let mut all = None;
        let mut go = None;
        egui::CollapsingHeader::new(format!("Suggestions ({})", list.len()))
            .default_open(true)
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    if ui.button("Accept All Suggestions").clicked() {
                        all = Some(true);
                    }
                    if ui.button("Reject All Suggestions").clicked() {
                        all = Some(false);
                    }
                });
                egui::ScrollArea::vertical()
                    .id_salt("suggestions")
                    .max_height(200.0)
                    .show(ui, |ui| {
                        for (i, s) in list.iter().enumerate() {
                            ui.horizontal(|ui| {
                                ui.label(RichText::new(&s.tag).weak().strong());
                                if ui.small_button("Accept").clicked() {
                                    accept = Some(i);
                                }
                                if ui.small_button("Reject").clicked() {
                                    reject = Some(i);
                                }
                                let text = s.text.replace(['\n', '\r'], " ");
                                if ui
                                    .add(
                                        RtlLabel::new(&text).size(14.0).sense(egui::Sense::click()),
                                    )
                                    .clicked()
                                {
                                    go = Some(i);
                                }
                            });
                        }
                    });
            });
        ui.separator();
        let Some(d) = &mut self.doc else { return };
        let doc = d.view.document().clone();
        if let Some(i) = go {
            let s = &list[i];
            d.view.set_selection(crate::model::TextSelection::new(
                s.span().start,
                s.span().end,
            ));
            d.view.scroll_to_offset(s.span().start);
        }
        let changed = match (accept, reject, all) {
            (Some(i), _, _) => d.annotations.accept_suggestions(&doc, Some(&[i])) > 0,
            (_, Some(i), _) => {
                d.annotations.reject_suggestions(Some(&[i]));
                true
            }
            (_, _, Some(true)) => d.annotations.accept_suggestions(&doc, None) > 0,
            (_, _, Some(false)) => {
                d.annotations.reject_suggestions(None);
                true
            }
            _ => false,
        };
        if changed {
            d.last_change = Some(std::time::Instant::now());
        }
    }
}

/// The span after (or before) `from` in a sorted list, wrapping around.
fn step_from(
    spans: &[crate::model::Span],
    from: crate::model::Span,
    forward: bool,
) -> Option<crate::model::Span> {
    if spans.is_empty() {
        return None;
    }
    let i = if forward {
        spans.partition_point(|s| (s.start, s.end) <= (from.start, from.end)) % spans.len()
    } else {
        (spans.partition_point(|s| (s.start, s.end) < (from.start, from.end)) + spans.len() - 1)
            % spans.len()
    };
    Some(spans[i])
}
