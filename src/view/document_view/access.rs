//! What a screen reader reads from the document view (AccessKit; AT-SPI on Linux).

use egui::{Id, Rect, Sense, Ui, Vec2};

use super::{DocumentView, FrameGeometry, MARGIN, Overlay, focus_id};
use crate::model::{CharOffset, Span};
use crate::text::LineInfo;
use unicode_segmentation::UnicodeSegmentation;

/// AccessKit's word starts are `u8` indices: a run holds at most this many characters.
const MAX_RUN: usize = 255;

/// One text run: a visual line's text (or a piece of it) in logical order, with each character's place.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TextRun {
    /// The paragraph's characters (code points) it holds.
    pub chars: std::ops::Range<usize>,
    pub value: String,
    /// UTF-8 length of each character.
    pub lengths: Vec<u8>,
    /// Each character's leading edge from the run's start edge (its right edge when right-to-left), and width.
    pub positions: Vec<f32>,
    pub widths: Vec<f32>,
    /// Characters at which a word starts.
    pub word_starts: Vec<u8>,
    /// Its left and right edges in the paragraph's coordinates.
    pub x: std::ops::Range<f32>,
}

/// The text runs of `line` of `text` (a paragraph laid out right to left when `rtl`), whose first character is the
/// paragraph's `first_char`; the paragraph's last line ends with a line feed, so that readers see where the
/// paragraph ends. Linear in the line's length (it runs every frame while a screen reader listens).
pub(super) fn text_runs(
    text: &str,
    line: &LineInfo,
    first_char: usize,
    rtl: bool,
    last_line: bool,
) -> Vec<TextRun> {
    let bytes = line.bytes.clone();
    let line_text = &text[bytes.clone()];
    let left = line
        .clusters
        .iter()
        .map(|c| c.x)
        .fold(f32::INFINITY, f32::min);
    let right = line
        .clusters
        .iter()
        .map(|c| c.x + c.advance)
        .fold(f32::NEG_INFINITY, f32::max);
    let (left, right) = if left.is_finite() {
        (left, right)
    } else {
        (0.0, 0.0)
    };
    // The clusters in text order, to find each character's by binary search.
    let mut clusters: Vec<_> = line.clusters.iter().collect();
    clusters.sort_unstable_by_key(|c| c.bytes.start);
    // Word starts (UAX #29), as byte offsets in the line, in order.
    let mut word_starts = line_text
        .split_word_bound_indices()
        .filter(|(_, w)| w.chars().any(char::is_alphanumeric))
        .map(|(b, _)| b)
        .peekable();
    // Each character: itself, its box (a cluster's first character takes the cluster's box, the others — harakat,
    // ligature parts — none, at the cluster's leading edge), and whether a word starts there.
    let mut chars: Vec<(char, f32, f32, bool)> = Vec::with_capacity(line_text.len());
    for (local, ch) in line_text.char_indices() {
        let b = bytes.start + local;
        let word = word_starts.next_if_eq(&local).is_some();
        let at = clusters.partition_point(|c| c.bytes.start <= b);
        let cluster = at
            .checked_sub(1)
            .map(|k| clusters[k])
            .filter(|c| c.bytes.contains(&b));
        let (pos, width) = match cluster {
            Some(c) => {
                let lead = if rtl {
                    right - (c.x + c.advance)
                } else {
                    c.x - left
                };
                (lead, if c.bytes.start == b { c.advance } else { 0.0 })
            }
            None => (chars.last().map_or(0.0, |l| l.1 + l.2), 0.0),
        };
        chars.push((ch, pos, width, word));
    }
    if last_line {
        chars.push(('\n', right - left, 0.0, false));
    }
    let whole = chars.len() <= MAX_RUN;
    let pieces: Vec<&[(char, f32, f32, bool)]> = if chars.is_empty() {
        vec![&[]]
    } else {
        chars.chunks(MAX_RUN).collect()
    };
    let mut runs = Vec::with_capacity(pieces.len());
    let mut at = first_char;
    for piece in pieces {
        let mut run = TextRun {
            chars: at..at + piece.len(),
            value: piece.iter().map(|c| c.0).collect(),
            lengths: piece
                .iter()
                .map(|c| u8::try_from(c.0.len_utf8()).unwrap_or(4))
                .collect(),
            positions: piece.iter().map(|c| c.1).collect(),
            widths: piece.iter().map(|c| c.2).collect(),
            word_starts: (0..piece.len())
                .filter(|&k| piece[k].3)
                .map(|k| u8::try_from(k).unwrap_or(u8::MAX))
                .collect(),
            x: left..right,
        };
        // A piece of a long line: its own part of the line.
        if !whole {
            let lo = piece.iter().map(|c| c.1).fold(f32::INFINITY, f32::min);
            let hi = piece
                .iter()
                .map(|c| c.1 + c.2)
                .fold(f32::NEG_INFINITY, f32::max);
            if lo.is_finite() {
                for p in &mut run.positions {
                    *p -= lo;
                }
                run.x = if rtl {
                    right - hi..right - lo
                } else {
                    left + lo..left + hi
                };
            }
        }
        at += piece.len();
        runs.push(run);
    }
    runs
}

impl DocumentView {
    /// What a screen reader reads (AccessKit; AT-SPI on Linux): the view is a Document node; each visible paragraph
    /// is a child holding its text in logical order with its direction; each visible annotation a child labelled
    /// "TAG: text" with its note; and a polite live region says what the caret is on or what is selected, so
    /// moving the caret is announced.
    pub(super) fn accessibility(
        &mut self,
        ui: &mut Ui,
        viewport: Rect,
        overlay: Option<Overlay<'_>>,
    ) {
        use egui::accesskit::{Live, Role, TextDirection};
        let ctx = ui.ctx().clone();
        let doc_id = focus_id();
        if ctx
            .accesskit_node_builder(doc_id, |node| {
                node.set_role(Role::Document);
                node.set_label("Document");
            })
            .is_none()
        {
            return;
        }
        let g = self.geometry;
        let Some(first) = self.paragraph_at_y(viewport.min.y) else {
            return;
        };
        let mut child = ui.new_child(egui::UiBuilder::new().accessibility_parent(doc_id));
        let screen = |y0: f32, y1: f32, g: FrameGeometry, w: f32| {
            Rect::from_min_max(
                g.content_origin + Vec2::new(g.text_left, y0),
                g.content_origin + Vec2::new(g.text_left + w, y1),
            )
        };
        let mut runs: Vec<(Id, std::ops::Range<usize>)> = Vec::new();
        let mut i = first;
        while i < self.heights.len() && (self.prefix[i] as f32 + MARGIN) < viewport.max.y {
            let top = self.prefix[i] as f32 + MARGIN;
            let rect = screen(top, top + self.heights[i], g, self.width);
            let id = doc_id.with(("paragraph", i));
            child.interact(rect, id, Sense::hover());
            let text = self.doc.paragraph_text(i).to_owned();
            let rtl = self.cache.get(&i).is_some_and(|c| c.layout.is_rtl());
            let direction = if rtl {
                TextDirection::RightToLeft
            } else {
                TextDirection::LeftToRight
            };
            ctx.accesskit_node_builder(id, |node| {
                node.set_role(Role::Paragraph);
                node.set_label(text.clone());
                node.set_text_direction(direction);
            });
            // The paragraph's text runs, one per visual line (in pieces of at most 255 characters), which carry the
            // caret and the selection.
            if let Some(c) = self.cache.get(&i) {
                let runs_ui = child.new_child(egui::UiBuilder::new().accessibility_parent(id));
                let lines = c.layout.lines();
                let paragraph_start = self.doc.paragraphs()[i].span().start.0;
                let mut first_char = 0;
                for (k, line) in lines.iter().enumerate() {
                    let last_line = k + 1 == lines.len();
                    let line_rect =
                        screen(top + line.top, top + line.top + line.height, g, self.width);
                    let line_runs = text_runs(&text, line, first_char, rtl, last_line);
                    first_char += text[line.bytes.clone()].chars().count();
                    for (piece, run) in line_runs.into_iter().enumerate() {
                        let run_id = id.with(("run", k, piece));
                        let rect = Rect::from_x_y_ranges(
                            line_rect.min.x + run.x.start..=line_rect.min.x + run.x.end,
                            line_rect.y_range(),
                        );
                        runs_ui.interact(rect, run_id, Sense::hover());
                        let chars =
                            paragraph_start + run.chars.start..paragraph_start + run.chars.end;
                        ctx.accesskit_node_builder(run_id, |node| {
                            node.set_role(Role::TextRun);
                            node.set_text_direction(direction);
                            node.set_bounds(egui::accesskit::Rect {
                                x0: rect.min.x.into(),
                                y0: rect.min.y.into(),
                                x1: rect.max.x.into(),
                                y1: rect.max.y.into(),
                            });
                            node.set_value(run.value);
                            node.set_character_lengths(run.lengths);
                            node.set_character_positions(run.positions);
                            node.set_character_widths(run.widths);
                            node.set_word_starts(run.word_starts);
                        });
                        runs.push((run_id, chars));
                    }
                }
            }
            i += 1;
        }
        // The caret and the selection, as positions in the runs (an end off screen is held at the nearest run).
        if let (Some(first_run), Some(last_run)) = (runs.first().cloned(), runs.last().cloned()) {
            let position = |at: CharOffset| {
                let (run, index) = if at.0 < first_run.1.start {
                    (first_run.0, 0)
                } else if at.0 >= last_run.1.end {
                    (last_run.0, last_run.1.len().saturating_sub(1))
                } else {
                    runs.iter()
                        .find(|(_, r)| r.contains(&at.0))
                        .map_or((last_run.0, 0), |(id, r)| (*id, at.0 - r.start))
                };
                egui::accesskit::TextPosition {
                    node: run.accesskit_id(),
                    character_index: index,
                }
            };
            let selection = egui::accesskit::TextSelection {
                anchor: position(self.selection.anchor),
                focus: position(self.selection.head),
            };
            ctx.accesskit_node_builder(doc_id, |node| node.set_text_selection(selection));
        }
        let last = i;
        if let Some(o) = overlay
            && let (Some(start), Some(end)) = (
                self.doc.paragraphs().get(first).map(|p| p.span().start),
                self.doc
                    .paragraphs()
                    .get(last.saturating_sub(1))
                    .map(|p| p.span().end),
            )
        {
            let set = o.annotations;
            let text_of = |id: u64| set.any(id).map_or_else(String::new, |a| a.text.clone());
            // Its note, then its relations: "EmployedBy: أنتونوف › الولايات المتحدة".
            let described = |a: &crate::model::Annotation| {
                let mut lines: Vec<String> = Vec::new();
                if !a.note.is_empty() {
                    lines.push(a.note.clone());
                }
                for r in set.relations_of(a.id) {
                    lines.push(format!(
                        "{}: {} › {}",
                        r.kind,
                        text_of(r.from),
                        text_of(r.to)
                    ));
                }
                lines.join("\n")
            };
            let visible: Vec<(u64, String, String, Span)> = set
                .overlapping(Span::new(start, CharOffset(end.0 + 1)))
                .map(|a| {
                    (
                        a.id,
                        format!("{}: {}", a.tag, a.text),
                        described(a),
                        a.span(),
                    )
                })
                .collect();
            for (id, label, note, span) in visible {
                let rect = self
                    .screen_rects(span)
                    .into_iter()
                    .reduce(|a, b| a.union(b))
                    .unwrap_or(Rect::NOTHING);
                if !rect.is_positive() {
                    continue;
                }
                let nid = doc_id.with(("annotation", id));
                child.interact(rect, nid, Sense::hover());
                ctx.accesskit_node_builder(nid, |node| {
                    node.set_role(Role::Mark);
                    node.set_label(label);
                    if !note.is_empty() {
                        node.set_description(note);
                    }
                });
            }
        }
        // The annotation at the caret (the one Tab selected, the one just made), else the caret's word, or the
        // selection, read out when it changes.
        let head = self.selection.head;
        let at_caret = overlay.and_then(|o| {
            let set = o.annotations;
            set.at(head)
                .first()
                .map(|a| format!("{}: {}", a.tag, a.text))
                .or_else(|| {
                    let before = CharOffset(head.0.checked_sub(1)?);
                    set.at(before)
                        .iter()
                        .find(|a| a.end == head.0)
                        .map(|a| format!("{}: {}", a.tag, a.text))
                })
        });
        let said = if let Some(a) = at_caret.filter(|_| self.selection.is_empty()) {
            a
        } else if self.selection.is_empty() {
            let at = self.selection.head;
            let word = crate::model::words::snap_to_words(
                &self.doc,
                Span::new(at, CharOffset((at.0 + 1).min(self.doc.char_count()))),
            );
            self.doc.slice(word)
        } else {
            let s = self.doc.slice(self.selection.span());
            format!("selected: {}", crate::model::LineProblem::shorten(&s, 200))
        };
        let live = doc_id.with("caret");
        child.interact(
            Rect::from_min_size(
                g.content_origin + Vec2::new(g.text_left, viewport.min.y),
                Vec2::splat(1.0),
            ),
            live,
            Sense::hover(),
        );
        ctx.accesskit_node_builder(live, |node| {
            node.set_role(Role::Status);
            node.set_live(Live::Polite);
            node.set_label(said);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{TextEngine, TextStyle};

    fn runs_of(text: &str, width: f32) -> Vec<Vec<TextRun>> {
        let layout = TextEngine::new().layout(text, &TextStyle::with_size(20.0), Some(width));
        let rtl = layout.is_rtl();
        let lines = layout.lines();
        lines
            .iter()
            .enumerate()
            .scan(0, |first, (k, l)| {
                let runs = text_runs(text, l, *first, rtl, k + 1 == lines.len());
                *first += text[l.bytes.clone()].chars().count();
                Some(runs)
            })
            .collect()
    }

    #[test]
    fn runs_hold_the_text_in_logical_order_line_by_line() {
        let text = "تلقى الجانب الأميركي ستة مقترحات من John Smith في 3/7/2021، مُحَمَّدٌ رَسُولُ.";
        let lines = runs_of(text, 220.0);
        assert!(lines.len() > 2, "the paragraph wraps");
        let all: String = lines.iter().flatten().map(|r| r.value.as_str()).collect();
        assert_eq!(all, format!("{text}\n"));
        let mut next = 0;
        for run in lines.iter().flatten() {
            assert_eq!(run.chars.start, next, "runs follow each other");
            next = run.chars.end;
            assert_eq!(run.value.chars().count(), run.chars.len());
            assert_eq!(run.lengths.len(), run.chars.len());
            assert_eq!(run.positions.len(), run.chars.len());
            assert_eq!(run.widths.len(), run.chars.len());
            let lengths: usize = run.lengths.iter().map(|&l| usize::from(l)).sum();
            assert_eq!(lengths, run.value.len());
            let span = run.x.end - run.x.start;
            for (p, w) in run.positions.iter().zip(&run.widths) {
                assert!(
                    *p >= -0.01 && p + w <= span + 0.01,
                    "{p} + {w} within {span}"
                );
            }
        }
        // Words start where UAX #29 says: "John" is one.
        let run = lines
            .iter()
            .flatten()
            .find(|r| r.value.contains("John"))
            .unwrap();
        let john = run.value[..run.value.find("John").unwrap()].chars().count();
        assert!(run.word_starts.contains(&u8::try_from(john).unwrap()));
    }

    #[test]
    fn the_first_character_of_a_right_to_left_line_is_at_its_right_edge() {
        let lines = runs_of("بيت كبير", 800.0);
        let run = &lines[0][0];
        assert!(run.positions[0].abs() < 0.01, "{:?}", run.positions);
        // "كبير" (after the space) is further from the right edge than "بيت".
        assert!(run.positions[4] > run.positions[0]);
    }

    #[test]
    fn a_line_longer_than_a_run_is_cut_into_pieces() {
        let text = "كلمة ".repeat(120);
        let lines = runs_of(text.trim_end(), 100_000.0);
        assert_eq!(lines.len(), 1);
        assert!(lines[0].len() > 2);
        assert!(lines[0].iter().all(|r| r.chars.len() <= MAX_RUN));
        let all: String = lines[0].iter().map(|r| r.value.as_str()).collect();
        assert_eq!(all, format!("{}\n", text.trim_end()));
    }
}
