//! Tools ▸ Pre-annotate from List…: a gazetteer's names matched in the document become suggestions, drawn faded
//! with a dashed underline, listed in the panel to accept or reject one by one or all at once.

use std::path::Path;

use egui::Ui;

use super::WarraqApp;
use crate::model::annotations::Source;
use crate::model::gazetteer;
use crate::tr;
use crate::view::{RtlLabel, chrome};
use crate::workspace::learned::with_problems;
use crate::workspace::{Apply, OpenDocument, SharedIndex, Waker, Work};

/// Matches the names of the list at `path` in `doc` (runs on a worker): the suggestions, and the list's lines that
/// could not be used.
fn match_list(
    index: &SharedIndex,
    existing: &crate::model::Marks,
    path: &Path,
) -> Result<(Vec<crate::model::Annotation>, Vec<String>), String> {
    let (entries, problems) = crate::store::read_name_list(path)?;
    let index = index.get();
    Ok((
        gazetteer::suggest(index.document(), index, existing, &entries),
        problems,
    ))
}

/// What matching found, applied to the document it was started for.
fn apply_matches(result: Result<(Vec<crate::model::Annotation>, Vec<String>), String>) -> Apply {
    Box::new(move |d: &mut OpenDocument| {
        Some(match result {
            Ok((found, problems)) => {
                let n = d.annotations.add_suggestions(found);
                with_problems(
                    tr!(
                        "%{n} suggestions from the list: review them under Suggestions in the panel",
                        n = n
                    ),
                    &problems,
                )
            }
            Err(e) => tr!("Pre-annotation failed: %{error}", error = e),
        })
    })
}

/// Starts matching the list at `path` in `d` on a worker; the annotations are taken as they are now (in brief).
fn start_matching(d: &mut OpenDocument, path: std::path::PathBuf, waker: &Waker) {
    let index = d.shared_index();
    let existing = d.annotations.marks();
    d.spawn(Work::MatchingNames, waker, move || {
        apply_matches(match_list(&index, &existing, &path))
    });
}

/// Learns from the annotations of the document's folder (its own, as they are now, included) and suggests each
/// learned text where it occurs in the document unannotated (runs on a worker).
impl WarraqApp {
    /// Tools ▸ Suggest from Annotations: suggestions learned from the folder's annotations, computed for the open
    /// document on a worker; they appear in that document (and only there).
    pub(super) fn suggest_learned(&mut self, ctx: &egui::Context) {
        let waker = self.waker(ctx);
        let Some(d) = self.workspace.current_mut() else {
            return;
        };
        if let Some(message) = crate::workspace::learned::start(d, &waker, true) {
            self.message = Some(message);
        }
        self.settings.show_panel = true;
    }

    /// Matches the names of the list at `path` in the open document on a worker thread; the suggestions appear in
    /// that document (and only there) when it is done.
    pub fn preannotate_from(&mut self, ctx: &egui::Context, path: &Path) {
        let waker = self.waker(ctx);
        let Some(d) = self.workspace.current_mut() else {
            return;
        };
        start_matching(d, path.to_owned(), &waker);
        self.settings.show_panel = true;
    }

    /// Tools ▸ Pre-annotate from List…: the chooser is a job of the open document, so the list is matched in the
    /// document it was chosen for.
    pub(super) fn preannotate_dialog(&mut self, ctx: &egui::Context) {
        let waker = self.waker(ctx);
        let Some(d) = self.workspace.current_mut() else {
            return;
        };
        let waker2 = waker.clone();
        d.spawn(Work::ChoosingNames, &waker, move || {
            let choice = super::chosen(|| {
                rfd::FileDialog::new()
                    .set_title(tr!("Pre-annotate from a list of names"))
                    .add_filter(tr!("Names and tags"), &["txt", "tsv", "csv"])
                    .pick_file()
            });
            Box::new(move |d: &mut OpenDocument| match choice {
                Ok(choice) => {
                    start_matching(d, choice?, &waker2);
                    None
                }
                Err(message) => Some(message),
            })
        });
        self.settings.show_panel = true;
    }

    /// Selects the next (or previous) suggestion and scrolls to it; a tag key then tags it. In text order from the
    /// caret, or — when the panel lists them least certain first — in that order from the selected one.
    pub fn step_suggestion(&mut self, forward: bool) {
        let by_score = self.settings.suggestions_by_score;
        let stepped = self.stepped_suggestion;
        let (Some(d), Some((_, view))) = (self.workspace.current(), self.view.as_mut()) else {
            return;
        };
        let list = &d.annotations.suggestions;
        let next = if by_score {
            let order = review_order(list, true);
            let here = view.selection().span();
            // The one F6 went to last, when it is still selected (several may share a span); else the first there.
            let at = order
                .iter()
                .position(|&i| Some(i) == stepped && list[i].span() == here)
                .or_else(|| order.iter().position(|&i| list[i].span() == here));
            let n = order.len();
            let k = match (at, n) {
                (_, 0) => None,
                (Some(k), _) if forward => Some((k + 1) % n),
                (Some(k), _) => Some((k + n - 1) % n),
                (None, _) if forward => Some(0),
                (None, _) => Some(n - 1),
            };
            self.stepped_suggestion = k.map(|k| order[k]);
            k.map(|k| list[order[k]].span())
        } else {
            let spans: Vec<crate::model::Span> =
                list.iter().map(crate::model::Annotation::span).collect();
            step_from(&spans, view.selection().span(), forward)
        };
        if let Some(s) = next {
            view.set_selection(crate::model::TextSelection::new(s.start, s.end));
            view.scroll_to_offset(s.start);
        }
    }

    /// Picks the next (or previous) annotation after the caret: selected, scrolled to, flashing.
    pub fn step_annotation(&mut self, forward: bool) {
        let (Some(d), Some((_, view))) = (self.workspace.current(), self.view.as_mut()) else {
            return;
        };
        let items = d.annotations.items();
        let spans: Vec<crate::model::Span> =
            items.iter().map(crate::model::Annotation::span).collect();
        let current = self
            .annotate
            .selected
            .and_then(|id| items.iter().find(|a| a.id == id))
            .map_or_else(|| view.selection().span(), crate::model::Annotation::span);
        if let Some(s) = step_from(&spans, current, forward)
            && let Some(a) = items.iter().find(|a| a.span() == s)
        {
            let id = a.id;
            view.set_selection(crate::model::TextSelection::caret(s.start));
            self.pick_annotation(id);
        }
    }

    /// Whether matching is still running.
    #[must_use]
    pub fn is_preannotating(&self) -> bool {
        self.workspace
            .current()
            .is_some_and(|d| d.is_running(Work::MatchingNames))
    }

    /// The suggestions section of the panel.
    pub(super) fn suggestions_panel(&mut self, ui: &mut Ui) {
        let Some(d) = self.workspace.current() else {
            return;
        };
        if d.annotations.suggestions.is_empty() {
            return;
        }
        // Only the rows in view are drawn: the list may hold tens of thousands. The order (least certain first)
        // is sorted again only when the suggestions changed.
        let list = &d.annotations.suggestions;
        let key = (
            d.generation,
            d.annotations.revision(),
            self.settings.suggestions_by_score,
        );
        if self
            .suggestion_order
            .as_ref()
            .is_none_or(|(k, _, _)| *k != key)
        {
            // Accepting takes one suggestion per span not annotated yet (its best), so the figure counts those spans
            // by their best score.
            let mut best: std::collections::HashMap<(usize, usize), f32> =
                std::collections::HashMap::new();
            let annotated = d.annotations.suggestions_on_annotations();
            for (s, _) in list.iter().zip(annotated).filter(|(_, on)| !on) {
                let b = best.entry((s.start, s.end)).or_insert(0.0);
                *b = b.max(s.score());
            }
            let mut scores: Vec<f32> = best.into_values().collect();
            scores.sort_by(f32::total_cmp);
            self.suggestion_order = Some((key, review_order(list, key.2), scores));
        }
        let (order, scores) = self
            .suggestion_order
            .as_ref()
            .map(|(_, o, s)| (o.as_slice(), s.as_slice()))
            .unwrap_or((&[], &[]));
        let mut accept = None;
        let mut reject = None;
        let mut all = None;
        let mut above = false;
        let mut go = None;
        let mut by_score = self.settings.suggestions_by_score;
        let mut threshold = self.settings.accept_threshold;
        let title = tr!("Suggestions (%{n})", n = list.len());
        chrome::collapsing(ui, "suggestions-section", title, true, |ui| {
            chrome::row(ui, |ui| {
                if ui
                    .button(chrome::atom(ui, tr!("Accept All Suggestions")))
                    .clicked()
                {
                    all = Some(true);
                }
                if ui
                    .button(chrome::atom(ui, tr!("Reject All Suggestions")))
                    .clicked()
                {
                    all = Some(false);
                }
            });
            chrome::row(ui, |ui| {
                let n = scores.len() - scores.partition_point(|&s| s < threshold);
                above = chrome::hover(
                    ui.add_enabled(
                        n > 0,
                        egui::Button::new(chrome::atom(
                            ui,
                            tr!("Accept %{n} Scoring at Least", n = n),
                        )),
                    ),
                    tr!("Accept every suggestion scoring at least this, in one step (Undo takes them all back)"),
                )
                .clicked();
                ui.add(
                    egui::DragValue::new(&mut threshold)
                        .range(0.0..=1.0)
                        .speed(0.01)
                        .fixed_decimals(2),
                );
            });
            // On a row of its own: the panel is narrow, and an Arabic label is longer.
            chrome::checkbox(ui, &mut by_score, tr!("Least certain first"));
            let row_height = 22.0;
            egui::ScrollArea::vertical()
                .id_salt("suggestions")
                .max_height(200.0)
                .show_rows(ui, row_height, order.len(), |ui, range| {
                    for &i in &order[range] {
                        let s = &list[i];
                        chrome::row(ui, |ui| {
                            ui.set_height(row_height);
                            chrome::weak(ui, s.tag.clone());
                            let source = s.suggested.map_or(Source::List, |x| x.source);
                            chrome::hover(
                                chrome::weak(ui, crate::i18n::number(format!("{:.2}", s.score()))),
                                tr!(match source {
                                    Source::List => "score (from a list of names)",
                                    Source::Learned => "score (learned from the annotations)",
                                    Source::Model => "score (the model's confidence)",
                                }),
                            );
                            if ui.small_button(chrome::atom(ui, tr!("Accept"))).clicked() {
                                accept = Some(i);
                            }
                            if ui.small_button(chrome::atom(ui, tr!("Reject"))).clicked() {
                                reject = Some(i);
                            }
                            let text = s.text.replace(['\n', '\r'], " ");
                            if ui
                                .add(RtlLabel::new(&text).size(14.0).sense(egui::Sense::click()))
                                .clicked()
                            {
                                go = Some(s.span());
                            }
                        });
                    }
                });
        });
        ui.separator();
        self.settings.suggestions_by_score = by_score;
        self.settings.accept_threshold = threshold;
        let (Some(d), Some((_, view))) = (self.workspace.current_mut(), self.view.as_mut()) else {
            return;
        };
        let doc = d.doc.clone();
        if let Some(span) = go {
            view.set_selection(crate::model::TextSelection::new(span.start, span.end));
            view.scroll_to_offset(span.start);
        }
        if above {
            let chosen: Vec<usize> = (0..d.annotations.suggestions.len())
                .filter(|&i| d.annotations.suggestions[i].score() >= threshold)
                .collect();
            d.annotations.accept_suggestions(&doc, Some(&chosen));
        }
        match (accept, reject, all) {
            (Some(i), _, _) => {
                d.annotations.accept_suggestions(&doc, Some(&[i]));
            }
            (_, Some(i), _) => d.annotations.reject_suggestions(Some(&[i])),
            (_, _, Some(true)) => {
                d.annotations.accept_suggestions(&doc, None);
            }
            (_, _, Some(false)) => d.annotations.reject_suggestions(None),
            _ => {}
        }
    }
}

/// The panel's order of the suggestions for (document, revision, least certain first), and their scores sorted.
pub(super) type ReviewOrder = ((u64, u64, bool), Vec<usize>, Vec<f32>);

/// The order the panel lists suggestions in: the text's, or least certain first (ties in the text's order).
fn review_order(list: &[crate::model::Annotation], by_score: bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..list.len()).collect();
    if by_score {
        order.sort_by(|&a, &b| list[a].score().total_cmp(&list[b].score()).then(a.cmp(&b)));
    }
    order
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
