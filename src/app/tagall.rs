//! "Tag all occurrences": every other mention of an annotation's text (found with the Arabic-aware search, whole
//! words, clitic prefixes allowed and left outside) listed for review — accept all, or accept and skip one by one
//! with the keyboard (A accept, S skip, J jump) — applied as one undoable step. And the reverse: delete every
//! annotation with the same text, also one step.

use egui::{Key, Modifiers, RichText};

use super::WarraqApp;
use crate::model::search::SearchOptions;
use crate::model::{Span, TextSelection};
use crate::tr;
use crate::view::{RtlLabel, chrome};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Pending,
    Accepted,
    Skipped,
}

pub(crate) struct Review {
    /// The document generation the candidates were found in; the review applies only there.
    pub generation: u64,
    pub tag: String,
    pub text: String,
    pub candidates: Vec<(Span, Decision)>,
    pub cursor: usize,
}

/// A Tag All whose search runs on a worker (large texts): the review opens when it is done.
pub(crate) struct PendingTagAll {
    generation: u64,
    id: u64,
}

impl WarraqApp {
    /// Starts reviewing every other occurrence of annotation `id`'s text: at once on texts up to
    /// [`crate::workspace::SYNC_SEARCH_BYTES`], else when the search finishes on its worker.
    pub fn tag_all_occurrences(&mut self, id: u64) {
        let waker = self
            .waker
            .clone()
            .unwrap_or_else(crate::workspace::no_waker);
        let Some(d) = self.workspace.current_mut() else {
            return;
        };
        let Some(a) = d.annotations.get(id).cloned() else {
            // Deleted (or undone) while its occurrences were being searched for: nothing to review.
            self.pending_tag_all = None;
            return;
        };
        let options = SearchOptions {
            exact: false,
            whole_word: true,
            clitics: true,
        };
        let Some(found) = d.search(&a.text, options, &waker) else {
            self.pending_tag_all = Some(PendingTagAll {
                generation: d.generation,
                id,
            });
            return;
        };
        self.pending_tag_all = None;
        let tagged: std::collections::HashSet<Span> = d
            .annotations
            .items()
            .iter()
            .filter(|b| b.tag == a.tag)
            .map(crate::model::Annotation::span)
            .collect();
        let candidates: Vec<(Span, Decision)> = found
            .spans
            .iter()
            .filter(|s| !tagged.contains(s))
            .map(|&s| (s, Decision::Pending))
            .collect();
        if candidates.is_empty() {
            self.message = Some(tr!(
                "No other occurrences of %{text} that are not already tagged %{tag}",
                text = a.text,
                tag = a.tag
            ));
            return;
        }
        if !found.complete {
            self.message = Some(tr!(
                "%{text} occurs more than %{n} times: only the first %{n} are listed",
                text = a.text,
                n = crate::workspace::MAX_MATCHES
            ));
        }
        self.review = Some(Review {
            generation: d.generation,
            tag: a.tag,
            text: a.text,
            candidates,
            cursor: 0,
        });
    }

    /// Opens the review of a Tag All whose search has finished (called every frame).
    pub(super) fn poll_tag_all(&mut self) {
        let Some(p) = &self.pending_tag_all else {
            return;
        };
        let same = self
            .workspace
            .current()
            .is_some_and(|d| d.generation == p.generation);
        if !same {
            self.pending_tag_all = None;
            return;
        }
        let id = p.id;
        self.tag_all_occurrences(id);
    }

    /// Whether a Tag All is waiting for its search.
    #[must_use]
    pub fn tag_all_pending(&self) -> bool {
        self.pending_tag_all.is_some()
    }

    /// The review in progress: its candidates and decisions (for tests).
    #[must_use]
    pub fn review_state(&self) -> Option<&[(Span, Decision)]> {
        self.review.as_ref().map(|r| r.candidates.as_slice())
    }

    /// Applies the review: accepted candidates, and with `all` the pending ones too, become annotations in one step.
    pub fn apply_review(&mut self, all: bool) {
        let Some(r) = self.review.take() else { return };
        let Some(d) = self.workspace.current_mut() else {
            return;
        };
        if d.generation != r.generation {
            return;
        }
        let spans: Vec<Span> = r
            .candidates
            .iter()
            .filter(|(_, dec)| *dec == Decision::Accepted || (all && *dec == Decision::Pending))
            .map(|(s, _)| *s)
            .collect();
        let doc = d.doc.clone();
        let ids = d.annotations.create_batch(&doc, &spans, &r.tag);
        self.message = Some(tr!(
            "Tagged %{n} more occurrences of %{text} as %{tag} (one Undo takes them back)",
            n = ids.len(),
            text = r.text,
            tag = r.tag
        ));
    }

    /// Deletes every annotation whose text is the same as annotation `id`'s, in one step.
    pub fn delete_all_with_text(&mut self, id: u64) {
        let Some(d) = self.workspace.current_mut() else {
            return;
        };
        let Some(text) = d.annotations.get(id).map(|a| a.text.clone()) else {
            return;
        };
        let ids: Vec<u64> = d
            .annotations
            .items()
            .iter()
            .filter(|a| a.text == text)
            .map(|a| a.id)
            .collect();
        let gone: std::collections::HashSet<u64> = ids.iter().copied().collect();
        let links = d
            .annotations
            .relations()
            .iter()
            .filter(|r| gone.contains(&r.from) || gone.contains(&r.to))
            .count();
        let n = d.annotations.delete_batch(&ids);
        self.annotate.selected = None;
        self.annotate.popup = None;
        self.message = Some(if links == 0 {
            tr!(
                "Deleted %{n} annotations of %{text} (one Undo brings them back)",
                n = n,
                text = text
            )
        } else {
            tr!(
                "Deleted %{n} annotations of %{text} and the %{links} relations linking them (one Undo brings all back)",
                n = n,
                text = text,
                links = links
            )
        });
    }

    fn jump_to(&mut self, span: Span) {
        if let Some(view) = self.view_mut() {
            view.set_selection(TextSelection::new(span.start, span.end));
            view.scroll_to_offset(span.start);
        }
    }

    pub(super) fn review_window(&mut self, ctx: &egui::Context) {
        let Some(r) = &mut self.review else { return };
        let Some(d) = self.workspace.current() else {
            return;
        };
        if d.generation != r.generation {
            self.review = None;
            return;
        }
        let doc = d.doc.clone();
        let mut open = true;
        let mut apply = None;
        let mut jump = None;
        // Keyboard: A accept, S skip, J jump to the current one, Escape closes — unless a text field (the find
        // bar, a note) has the keyboard: letters typed there are text, not decisions.
        // (The details window, when it is open in front, takes the keys first.)
        let typing =
            crate::view::document_view::text_field_focused(ctx) || self.annotate.popup.is_some();
        let (accept, skip, go, escape) = if typing {
            (false, false, false, false)
        } else {
            ctx.input_mut(|i| {
                (
                    i.consume_key(Modifiers::NONE, Key::A),
                    i.consume_key(Modifiers::NONE, Key::S),
                    i.consume_key(Modifiers::NONE, Key::J),
                    i.consume_key(Modifiers::NONE, Key::Escape),
                )
            })
        };
        if (accept || skip) && r.cursor < r.candidates.len() {
            r.candidates[r.cursor].1 = if accept {
                Decision::Accepted
            } else {
                Decision::Skipped
            };
            r.cursor = (r.cursor + 1).min(r.candidates.len() - 1);
            jump = Some(r.candidates[r.cursor].0);
        }
        if go {
            jump = Some(r.candidates[r.cursor].0);
        }
        let mut content = None;
        let shown = egui::Window::new(chrome::title(ctx, tr!("Tag All Occurrences")))
            .id(egui::Id::unique("tag-all-review"))
            .open(&mut open)
            .default_width(460.0)
            .show(ctx, |ui| {
                content = Some(ui.max_rect());
                chrome::rtl(ui, |ui| {
                    let accepted = r
                        .candidates
                        .iter()
                        .filter(|c| c.1 == Decision::Accepted)
                        .count();
                    let pending = r
                        .candidates
                        .iter()
                        .filter(|c| c.1 == Decision::Pending)
                        .count();
                    chrome::label(
                        ui,
                        tr!(
                            "%{n} found as %{tag} — %{accepted} accepted, %{pending} to review.",
                            n = r.candidates.len(),
                            tag = r.tag,
                            accepted = accepted,
                            pending = pending
                        ),
                    );
                    chrome::weak(ui, tr!("A accept · S skip · J jump to it"));
                    // Only the rows in view are drawn: a common name can have thousands of occurrences.
                    let row_height = 24.0;
                    let rows = r.candidates.len();
                    egui::ScrollArea::vertical().max_height(320.0).show_rows(
                        ui,
                        row_height,
                        rows,
                        |ui, range| {
                            for k in range {
                                let (span, decision) = &mut r.candidates[k];
                                let context = |a: usize, b: usize| {
                                    doc.slice(Span::new(
                                        crate::model::CharOffset(a),
                                        crate::model::CharOffset(b),
                                    ))
                                    .replace(['\n', '\r'], " ")
                                };
                                let left = context(span.start.0.saturating_sub(25), span.start.0);
                                let right =
                                    context(span.end.0, (span.end.0 + 25).min(doc.char_count()));
                                let line = format!("…{left}«{}»{right}…", doc.slice(*span));
                                ui.horizontal(|ui| {
                                    ui.set_height(row_height);
                                    let mark = match decision {
                                        Decision::Pending => "[ ]",
                                        Decision::Accepted => "[+]",
                                        Decision::Skipped => "[-]",
                                    };
                                    let current = k == r.cursor;
                                    ui.label(RichText::new(mark).strong().color(if current {
                                        ui.visuals().selection.stroke.color
                                    } else {
                                        ui.visuals().text_color()
                                    }));
                                    if ui.small_button(chrome::atom(ui, tr!("Accept"))).clicked() {
                                        *decision = Decision::Accepted;
                                    }
                                    if ui.small_button(chrome::atom(ui, tr!("Skip"))).clicked() {
                                        *decision = Decision::Skipped;
                                    }
                                    if ui.small_button(chrome::atom(ui, tr!("Go"))).clicked() {
                                        jump = Some(*span);
                                        r.cursor = k;
                                    }
                                    ui.add(RtlLabel::new(&line).size(14.0));
                                });
                            }
                        },
                    );
                    ui.separator();
                    ui.horizontal(|ui| {
                        if ui.button(chrome::atom(ui, tr!("Accept All"))).clicked() {
                            apply = Some(true);
                        }
                        if ui.button(chrome::atom(ui, tr!("Apply Accepted"))).clicked() {
                            apply = Some(false);
                        }
                    });
                })
            });
        super::focus_on_open(ctx, "tag-all", shown.map(|r| r.response.layer_id), content);
        if let Some(span) = jump {
            self.jump_to(span);
        }
        if let Some(all) = apply {
            self.apply_review(all);
        } else if !open || escape {
            self.review = None;
        }
    }
}
