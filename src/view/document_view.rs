//! The document view: paragraphs laid out by the text engine in a vertical scroll area, with mouse selection.
//!
//! Large documents stay responsive because only paragraphs near the viewport are laid out on the UI thread. Every
//! other paragraph's height is first estimated from its length, then measured exactly by a background thread with
//! its own text engine; the scroll position is anchored to the paragraph at the top of the viewport so refined
//! heights above it do not make the text jump. Layouts far from the viewport are dropped.
//!
//! Selection is kept in code points of the whole document ([`TextSelection`]); parley's byte offsets are converted
//! at this edge.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError};

use egui::{Color32, CursorIcon, Id, Pos2, Rect, Sense, Ui, Vec2};

use super::arcs;

mod access;
use super::text_kit::{TextKit, with_kit};
use crate::model::{AnnotationSet, CharOffset, Document, Span, TextSelection};
use crate::text::{ParagraphLayout, TextEngine, TextStyle};

/// Documents up to this many bytes are laid out in full before the first frame; larger ones are measured in the
/// background.
const SYNC_LAYOUT_BYTES: usize = 256 * 1024;
/// Layouts kept in memory for a large document.
const MAX_CACHED_LAYOUTS: usize = 3000;
/// Empty space around the text column, in points.
const MARGIN: f32 = 24.0;
/// Extra line spacing while the document has relations, so their arcs run between the lines.
const ARC_ROOM: f32 = 1.1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DragUnit {
    Char,
    Word,
    Paragraph,
}

/// What happened in the view this frame, for the application to act on.
pub struct ViewResponse {
    /// The interaction response of the text area (for context menus and tooltips).
    pub response: egui::Response,
    /// A plain click (no drag) at this text position.
    pub clicked: Option<CharOffset>,
    /// The pointer rests over this text position.
    pub hovered: Option<CharOffset>,
    /// A plain click on a relation's arc or label.
    pub clicked_relation: Option<u64>,
    /// An Alt-drag from one text position to another ended: link what is there.
    pub linked: Option<(CharOffset, CharOffset)>,
}

/// Annotations to draw, and the one to draw emphasized (selected, or flashing after a jump).
#[derive(Clone, Copy)]
pub struct Overlay<'a> {
    pub annotations: &'a AnnotationSet,
    pub emphasized: Option<u64>,
    /// 0..1: how strongly the emphasized annotation flashes.
    pub flash: f32,
    /// Search matches (sorted), drawn apart from entity highlights, and the current one.
    pub matches: &'a [Span],
    pub current_match: Option<usize>,
    /// Curation: disagreements still to decide (sorted by start), and the versions of the one looked at.
    pub disputes: &'a [Dispute],
    pub versions: &'a [Version],
}

/// A disagreement between annotators, outlined where it is: its colour tells what kind it is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dispute {
    pub span: Span,
    pub color: [u8; 3],
    /// The one looked at: drawn stronger.
    pub current: bool,
}

/// One annotator's version of the disagreement looked at: its pieces underlined in its tag's colour, one row per
/// version under the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    pub pieces: Vec<Span>,
    pub color: [u8; 3],
    pub row: usize,
}

struct Cached {
    layout: ParagraphLayout,
    used: u64,
}

struct Measurer {
    rx: Receiver<(usize, Vec<f32>)>,
    cancel: Arc<AtomicBool>,
    measured: usize,
}

impl Drop for Measurer {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// Geometry of the last painted frame, for hit testing and for tests that need screen positions.
#[derive(Debug, Clone, Copy)]
struct FrameGeometry {
    /// Screen position of the top-left corner of the (scrolling) content.
    content_origin: Pos2,
    /// Left edge of the text column relative to `content_origin`.
    text_left: f32,
}

pub struct DocumentView {
    doc: Arc<Document>,
    /// What lays out: the style asked for, with room for arcs when there are relations.
    layout_style: TextStyle,
    max_line_width: f32,
    paragraph_gap: f32,
    width: f32,
    heights: Vec<f32>,
    exact: Vec<bool>,
    prefix: Vec<f64>,
    prefix_dirty: bool,
    heights_version: u64,
    cache: HashMap<usize, Cached>,
    chars_per_line_px: f32,
    line_height: f32,
    /// The height of the view in the last frame (for Page Up / Page Down), and where it was on screen.
    viewport_height: f32,
    visible: Rect,
    selection: TextSelection,
    drag_unit: DragUnit,
    drag_origin: Span,
    measurer: Option<Measurer>,
    anchor: (usize, f32),
    anchor_version: u64,
    scroll_to: Option<f64>,
    frame: u64,
    geometry: FrameGeometry,
    dragging: bool,
    /// The style asked for.
    style: TextStyle,
    arc_room: bool,
    /// The relations' ends (first piece of each annotation), for the annotations' revision they were found for.
    relation_ends: Option<(u64, Arc<Vec<RelationEnds>>)>,
    /// The arcs as painted in the last frame (path and label, screen coordinates), for clicking them.
    arcs: Vec<(u64, Vec<Pos2>, Rect)>,
    /// An Alt-drag in progress: where it began, and the pointer now.
    linking: Option<(CharOffset, Pos2)>,
    /// Pieces of a discontinuous selection made so far (Ctrl+drag adds the selection as a piece).
    pieces: Vec<Span>,
    /// The caret as the last key left it: its place and parley's selection there (which keeps the horizontal
    /// position for Up / Down), valid while the head is still there.
    caret: Option<(CharOffset, usize, parley::editing::Selection)>,
    /// The selection was made with the keyboard (taken exactly, not snapped to words).
    keyboard_selection: bool,
    /// Ctrl+Shift+arrows stop after a leading clitic (و ف ب ك ل) or the article ال.
    clitic_words: bool,
    /// Where across the line Up / Down / Page Up / Page Down keep the caret (set by the first of them).
    goal_x: Option<f32>,
}

/// How a key moves the caret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Move {
    Left,
    Right,
    WordLeft,
    WordRight,
    Up,
    Down,
    LineStart,
    LineEnd,
    PageUp,
    PageDown,
}

/// Whether a text field (or another widget than the document view) has the keyboard: keys are then its own.
#[must_use]
pub fn typing(ctx: &egui::Context) -> bool {
    ctx.memory(|m| m.focused().is_some_and(|f| f != focus_id()))
}

/// Whether a text field has the keyboard (or had it until a key this frame took it away): keys typed are text. A
/// focused button or check box does not count (a dialog's letter and digit keys still work).
pub fn text_field_focused(ctx: &egui::Context) -> bool {
    let pass = ctx.cumulative_pass_nr();
    crate::view::rtl_input::input_has_focus(ctx)
        || ctx.text_edit_focused()
        || ctx
            .data(|d| d.get_temp::<u64>(text_edit_flag()))
            .is_some_and(|p| p + 1 >= pass)
}

/// Notes that an egui text field has the keyboard at the end of this frame (see [`text_field_focused`]).
pub fn note_text_edit_focus(ctx: &egui::Context) {
    if ctx.text_edit_focused() {
        let pass = ctx.cumulative_pass_nr();
        ctx.data_mut(|d| d.insert_temp(text_edit_flag(), pass));
    }
}

fn text_edit_flag() -> Id {
    Id::unique("warraq-text-edit-had-focus")
}

/// The document view's id: it holds the keyboard focus (arrows, Tab and Home/End are its own while it does).
#[must_use]
pub fn focus_id() -> Id {
    Id::unique("warraq-document-view")
}

/// A relation to draw: its id, where its two annotations begin, its label and colour.
#[derive(Debug, Clone)]
struct RelationEnds {
    id: u64,
    from: Span,
    to: Span,
    label: String,
    color: [u8; 3],
}

impl DocumentView {
    #[must_use]
    pub fn new(doc: Arc<Document>, style: TextStyle) -> Self {
        let n = doc.paragraphs().len();
        Self {
            doc,
            layout_style: style,
            max_line_width: 760.0,
            paragraph_gap: 0.6,
            width: 0.0,
            heights: vec![0.0; n],
            exact: vec![false; n],
            prefix: vec![0.0; n + 1],
            prefix_dirty: true,
            heights_version: 0,
            cache: HashMap::new(),
            chars_per_line_px: 0.0,
            line_height: 0.0,
            viewport_height: 0.0,
            visible: Rect::NOTHING,
            selection: TextSelection::default(),
            drag_unit: DragUnit::Char,
            drag_origin: Span::default(),
            measurer: None,
            anchor: (0, 0.0),
            anchor_version: 0,
            scroll_to: None,
            frame: 0,
            dragging: false,
            geometry: FrameGeometry {
                content_origin: Pos2::ZERO,
                text_left: 0.0,
            },
            style,
            arc_room: false,
            relation_ends: None,
            arcs: Vec::new(),
            caret: None,
            keyboard_selection: false,
            clitic_words: false,
            goal_x: None,
            linking: None,
            pieces: Vec::new(),
        }
    }

    #[must_use]
    pub fn document(&self) -> &Arc<Document> {
        &self.doc
    }

    #[must_use]
    pub fn style(&self) -> TextStyle {
        self.style
    }

    /// Changes font size, weight or line spacing: every paragraph is laid out again.
    pub fn set_style(&mut self, style: TextStyle) {
        self.style = style;
        self.apply_style();
    }

    /// Lays out with the style asked for, plus room for arcs while there are relations.
    fn apply_style(&mut self) {
        let mut style = self.style;
        if self.arc_room {
            style.line_height += ARC_ROOM;
        }
        if style != self.layout_style {
            self.layout_style = style;
            self.cache.clear();
            self.invalidate_heights();
        }
    }

    /// The pieces of a discontinuous selection (Ctrl+drag), with the current selection, in text order; empty when
    /// only one piece (or none) is selected.
    #[must_use]
    pub fn pieces(&self) -> Vec<Span> {
        if self.pieces.is_empty() {
            return Vec::new();
        }
        let mut out = self.pieces.clone();
        let sel = self.selection.span();
        if !sel.is_empty() {
            out.push(sel);
        }
        out.sort_by_key(|p| (p.start, p.end));
        out
    }

    /// Forgets the pieces of a discontinuous selection.
    pub fn clear_pieces(&mut self) {
        self.pieces.clear();
    }

    /// Screen rectangles of the relation arcs' labels painted in the last frame, by relation id.
    #[must_use]
    pub fn relation_labels(&self) -> Vec<(u64, Rect)> {
        self.arcs.iter().map(|(id, _, r)| (*id, *r)).collect()
    }

    /// The widest the text column may be, in points (a comfortable reading measure).
    pub fn set_max_line_width(&mut self, width: f32) {
        self.max_line_width = width.max(200.0);
    }

    #[must_use]
    pub fn selection(&self) -> TextSelection {
        self.selection
    }

    pub fn set_selection(&mut self, selection: TextSelection) {
        self.keyboard_selection = false;
        self.goal_x = None;
        let max = CharOffset(self.doc.char_count());
        self.selection = TextSelection::new(selection.anchor.min(max), selection.head.min(max));
    }

    pub fn select_all(&mut self) {
        self.selection = TextSelection::new(CharOffset(0), CharOffset(self.doc.char_count()));
    }

    /// The selected text exactly as decoded (line terminators included), if the selection is not empty.
    #[must_use]
    pub fn selected_text(&self) -> Option<String> {
        let span = self.selection.span();
        (!span.is_empty()).then(|| self.doc.slice(span))
    }

    /// Fraction of the document whose height has been measured exactly, while the background measuring runs.
    #[must_use]
    pub fn measuring_progress(&self) -> Option<f32> {
        let n = self.doc.paragraphs().len().max(1);
        self.measurer.as_ref().map(|m| m.measured as f32 / n as f32)
    }

    /// The mouse is selecting text right now.
    #[must_use]
    pub fn is_dragging(&self) -> bool {
        self.dragging
    }

    /// The paragraph at the top of the view in the last frame.
    #[must_use]
    pub fn top_paragraph(&self) -> usize {
        self.anchor.0
    }

    /// Gives the view the keyboard (a document just opened, a popup closed).
    pub fn take_focus(ctx: &egui::Context) {
        ctx.memory_mut(|m| m.request_focus(focus_id()));
    }

    /// Moves the caret to `at` (extending the selection when `extend`), and scrolls it into view.
    pub fn move_caret_to(&mut self, at: CharOffset, extend: bool) {
        let at = at.min(CharOffset(self.doc.char_count()));
        let anchor = if extend { self.selection.anchor } else { at };
        self.selection = TextSelection::new(anchor, at);
        self.keyboard_selection = true;
        self.caret = None;
        self.reveal(at);
    }

    /// Whether the selection was made with the keyboard (it is then taken exactly as it is).
    #[must_use]
    pub fn selected_by_keyboard(&self) -> bool {
        self.keyboard_selection
    }

    /// Makes Ctrl+Shift+arrows stop after a leading clitic or article (or not).
    pub fn set_clitic_words(&mut self, on: bool) {
        self.clitic_words = on;
    }

    /// The arrows, Home and End move the caret (Shift extends the selection, Ctrl moves by word) while the view has
    /// the keyboard, or no other widget has it.
    fn keyboard_caret(&mut self, ui: &Ui) {
        let focused = ui.ctx().memory(|m| m.focused());
        if focused.is_some_and(|f| f != focus_id()) {
            return;
        }
        use egui::{Key, Modifiers};
        let ctrl_shift = Modifiers::COMMAND | Modifiers::SHIFT;
        // More modifiers first: a pattern without Shift also matches the key with it.
        let table = [
            (ctrl_shift, Key::ArrowLeft, Move::WordLeft, true),
            (ctrl_shift, Key::ArrowRight, Move::WordRight, true),
            (Modifiers::COMMAND, Key::ArrowLeft, Move::WordLeft, false),
            (Modifiers::COMMAND, Key::ArrowRight, Move::WordRight, false),
            (Modifiers::SHIFT, Key::ArrowLeft, Move::Left, true),
            (Modifiers::SHIFT, Key::ArrowRight, Move::Right, true),
            (Modifiers::SHIFT, Key::ArrowUp, Move::Up, true),
            (Modifiers::SHIFT, Key::ArrowDown, Move::Down, true),
            (Modifiers::SHIFT, Key::Home, Move::LineStart, true),
            (Modifiers::SHIFT, Key::End, Move::LineEnd, true),
            (Modifiers::SHIFT, Key::PageUp, Move::PageUp, true),
            (Modifiers::SHIFT, Key::PageDown, Move::PageDown, true),
            (Modifiers::NONE, Key::PageUp, Move::PageUp, false),
            (Modifiers::NONE, Key::PageDown, Move::PageDown, false),
            (Modifiers::NONE, Key::ArrowLeft, Move::Left, false),
            (Modifiers::NONE, Key::ArrowRight, Move::Right, false),
            (Modifiers::NONE, Key::ArrowUp, Move::Up, false),
            (Modifiers::NONE, Key::ArrowDown, Move::Down, false),
            (Modifiers::NONE, Key::Home, Move::LineStart, false),
            (Modifiers::NONE, Key::End, Move::LineEnd, false),
        ];
        // In the order the keys came (several can arrive within one frame), each taken by the first entry it matches.
        let mut moves = Vec::new();
        ui.input_mut(|i| {
            i.events.retain(|event| {
                let egui::Event::Key {
                    key,
                    pressed: true,
                    modifiers,
                    ..
                } = event
                else {
                    return true;
                };
                match table
                    .iter()
                    .find(|(mods, k, ..)| k == key && modifiers.matches_logically(*mods))
                {
                    Some(&(_, _, m, extend)) => {
                        moves.push((m, extend));
                        false
                    }
                    None => true,
                }
            });
        });
        let ctx = ui.ctx().clone();
        for (m, extend) in moves {
            self.move_caret(&ctx, m, extend);
        }
    }

    /// Where the caret is drawn: its paragraph and its rectangle in that paragraph's coordinates (x0, y0, x1, y1),
    /// when the paragraph is laid out.
    #[must_use]
    pub fn caret_place(&self) -> Option<(usize, [f32; 4])> {
        let i = self.doc.paragraph_at(self.selection.head)?;
        let c = self.cache.get(&i)?;
        let b = self.doc.local_byte(i, self.selection.head).0;
        Some((i, c.layout.caret_rect_on(b, self.caret_affinity(i), 1.0)))
    }

    /// The side of its index the caret is drawn on in paragraph `i`: as the last key left it while the head is still
    /// there (so that a step across a change of direction moves it on screen exactly once), else downstream.
    fn caret_affinity(&self, i: usize) -> parley::Affinity {
        match &self.caret {
            Some((h, k, sel)) if *h == self.selection.head && *k == i => sel.focus().affinity(),
            _ => parley::Affinity::Downstream,
        }
    }

    /// Moves the selection's head one step (`extend`: the anchor stays), across paragraphs where a step leaves one,
    /// and scrolls it into view.
    fn move_caret(&mut self, ctx: &egui::Context, m: Move, extend: bool) {
        use parley::editing::Selection;
        if matches!(m, Move::Up | Move::Down | Move::PageUp | Move::PageDown) {
            self.move_vertical(ctx, m, extend);
            return;
        }
        self.goal_x = None;
        let n = self.doc.paragraphs().len();
        let head = self.selection.head;
        let Some(i) = self.doc.paragraph_at(head) else {
            return;
        };
        self.ensure_layout(ctx, i);
        // A selection and Left or Right without Shift: the caret goes to the selection's edge on that side.
        if !extend && !self.selection.is_empty() && matches!(m, Move::Left | Move::Right) {
            let span = self.selection.span();
            let rtl = self.cache[&i].layout.is_rtl();
            let at = if (m == Move::Left) == rtl {
                span.end
            } else {
                span.start
            };
            self.selection = TextSelection::caret(at);
            self.caret = None;
            self.reveal(at);
            return;
        }
        let layout = &self.cache[&i].layout;
        let p = layout.parley();
        let rtl = layout.is_rtl();
        let b = self.doc.local_byte(i, head).0;
        let here = match self.caret {
            Some((h, k, sel)) if h == head && k == i => sel,
            _ => Selection::from_byte_index(p, b, parley::Affinity::Downstream),
        };
        let step = |s: &Selection| match m {
            Move::Left => s.previous_visual(p, false),
            Move::Right => s.next_visual(p, false),
            Move::WordLeft => s.previous_visual_word(p, false),
            Move::WordRight => s.next_visual_word(p, false),
            Move::LineStart => s.line_start(p, false),
            _ => s.line_end(p, false),
        };
        let same = |a: &Selection, b: &Selection| {
            a.focus().index() == b.focus().index() && a.focus().affinity() == b.focus().affinity()
        };
        let mut moved = step(&here);
        if same(&moved, &here) {
            // At a line's end the caret may sit on either side of the break: try from the other side before
            // deciding it is at the paragraph's edge.
            let other = Selection::from_byte_index(
                p,
                b,
                match here.focus().affinity() {
                    parley::Affinity::Downstream => parley::Affinity::Upstream,
                    parley::Affinity::Upstream => parley::Affinity::Downstream,
                },
            );
            let again = step(&other);
            if again.focus().index() != b {
                moved = again;
            }
        }
        // Only at the paragraph's first or last position does a step leave it.
        let forward_edge = match m {
            Move::Left | Move::WordLeft => rtl,
            Move::Right | Move::WordRight => !rtl,
            _ => true,
        };
        let len = self.doc.paragraph_text(i).len();
        let at_edge = if forward_edge { b >= len } else { b == 0 };
        let stayed = moved.focus().index() == b && at_edge;
        if moved.focus().index() == b && !at_edge && !matches!(m, Move::LineStart | Move::LineEnd) {
            return;
        }
        let (new_head, caret) = if !stayed {
            let at = self
                .doc
                .global_char(i, crate::model::ByteOffset(moved.focus().index()));
            (at, Some((at, i, moved)))
        } else {
            // A step out of the paragraph: to the start of the next one, or the end of the previous one.
            if matches!(m, Move::LineStart | Move::LineEnd) {
                return;
            }
            let j = if forward_edge {
                i + 1
            } else {
                i.wrapping_sub(1)
            };
            if j >= n {
                return;
            }
            let span = self.doc.paragraphs()[j].span();
            (if forward_edge { span.start } else { span.end }, None)
        };
        let mut new_head = new_head;
        if self.clitic_words && extend && matches!(m, Move::WordLeft | Move::WordRight) {
            new_head = crate::model::words::stop_after_clitic(&self.doc, head, new_head);
        }
        self.caret = if new_head == caret.map_or(new_head, |c| c.0) {
            caret
        } else {
            None
        };
        let anchor = if extend {
            self.selection.anchor
        } else {
            new_head
        };
        self.selection = TextSelection::new(anchor, new_head);
        self.keyboard_selection = true;
        self.reveal(new_head);
    }

    /// Up / Down by a visual line, Page Up / Page Down by most of a screen, keeping the caret's place across the line
    /// (also over blank lines and between paragraphs).
    fn move_vertical(&mut self, ctx: &egui::Context, m: Move, extend: bool) {
        let n = self.doc.paragraphs().len();
        let head = self.selection.head;
        let Some(i) = self.doc.paragraph_at(head) else {
            return;
        };
        self.ensure_layout(ctx, i);
        self.update_prefix();
        let b = self.doc.local_byte(i, head).0;
        let [x0, y0, _, y1] = self.cache[&i]
            .layout
            .caret_rect_on(b, self.caret_affinity(i), 1.0);
        let x = *self.goal_x.get_or_insert(x0);
        let height = self.cache[&i].layout.height();
        let page = (self.viewport_height.max(100.0) * 0.9).round();
        // The paragraph and the point in it to go to.
        let (j, local_y) = match m {
            Move::Up if y0 > 1.0 => (i, y0 - 1.0),
            Move::Down if y1 + 1.0 < height => (i, y1 + 1.0),
            Move::Up if i > 0 => {
                self.ensure_layout(ctx, i - 1);
                (i - 1, self.cache[&(i - 1)].layout.height() - 1.0)
            }
            Move::Down if i + 1 < n => (i + 1, 1.0),
            Move::Up | Move::Down => return,
            _ => {
                let delta = if m == Move::PageUp { -page } else { page };
                let target = self.prefix[i] as f32 + MARGIN + (y0 + y1) / 2.0 + delta;
                let Some(j) = self.paragraph_at_y(target.max(MARGIN)) else {
                    return;
                };
                self.ensure_layout(ctx, j);
                self.update_prefix();
                let h = self.cache[&j].layout.height();
                (
                    j,
                    (target - MARGIN - self.prefix[j] as f32).clamp(1.0, (h - 1.0).max(1.0)),
                )
            }
        };
        self.ensure_layout(ctx, j);
        let byte = self.cache[&j].layout.hit_test(x, local_y.max(0.0));
        let at = self.doc.global_char(j, crate::model::ByteOffset(byte));
        let anchor = if extend { self.selection.anchor } else { at };
        self.selection = TextSelection::new(anchor, at);
        self.keyboard_selection = true;
        self.caret = None;
        if matches!(m, Move::PageUp | Move::PageDown) {
            // The text moves by the page with the caret, which keeps its place on screen.
            let (p, off) = self.anchor;
            let top = self
                .scroll_to
                .unwrap_or(self.prefix.get(p).copied().unwrap_or(0.0) + f64::from(off));
            let delta = f64::from(if m == Move::PageUp { -page } else { page });
            let bottom = (self.content_height() - f64::from(self.viewport_height)).max(0.0);
            self.scroll_to = Some((top + delta).clamp(0.0, bottom));
        }
        self.reveal(at);
    }

    /// Scrolls so that the code point at `at` is in view, if it is not.
    fn reveal(&mut self, at: CharOffset) {
        let Some(i) = self.doc.paragraph_at(at) else {
            return;
        };
        self.update_prefix();
        let top_of_para = self.prefix[i] + f64::from(MARGIN);
        let (y0, y1) = match self.cache.get(&i) {
            Some(c) => {
                let b = self.doc.local_byte(i, at).0;
                let [_, y0, _, y1] = c.layout.caret_rect(b, 1.0);
                (top_of_para + f64::from(y0), top_of_para + f64::from(y1))
            }
            None => (top_of_para, top_of_para + f64::from(self.line_height)),
        };
        let (p, off) = self.anchor;
        let top = self
            .scroll_to
            .unwrap_or(self.prefix.get(p).copied().unwrap_or(0.0) + f64::from(off));
        let height = f64::from(self.viewport_height.max(50.0));
        if y0 < top {
            self.scroll_to = Some((y0 - 8.0).max(0.0));
        } else if y1 > top + height {
            self.scroll_to = Some(y1 - height + 8.0);
        }
    }

    /// Page Down / Page Up scroll by most of a screen — when no text field has the keyboard.
    fn keyboard_scroll(&mut self, ui: &Ui) {
        if ui
            .ctx()
            .memory(|m| m.focused().is_some_and(|f| f != focus_id()))
        {
            return;
        }
        let page = f64::from(self.viewport_height.max(100.0)) * 0.9;
        let delta = ui.input_mut(|i| {
            let mut d = 0.0;
            for (key, step) in [(egui::Key::PageDown, page), (egui::Key::PageUp, -page)] {
                while i.consume_key(egui::Modifiers::NONE, key) {
                    d += step;
                }
            }
            d
        });
        if delta == 0.0 {
            return;
        }
        let (p, off) = self.anchor;
        let top = self.prefix.get(p).copied().unwrap_or(0.0) + f64::from(off);
        let bottom = (self.content_height() - f64::from(self.viewport_height)).max(0.0);
        self.scroll_to = Some((self.scroll_to.unwrap_or(top) + delta).clamp(0.0, bottom));
    }

    /// Scrolls so that the paragraph containing `offset` is at the top of the view.
    pub fn scroll_to_offset(&mut self, offset: CharOffset) {
        if let Some(p) = self.doc.paragraph_at(offset) {
            self.update_prefix();
            self.scroll_to = Some(self.prefix[p]);
        }
    }

    /// Where the text area was on screen in the last frame.
    #[must_use]
    pub fn visible_rect(&self) -> Rect {
        self.visible
    }

    /// Screen rectangles covering a span, as painted in the last frame (empty where it was not visible).
    #[must_use]
    pub fn screen_rects(&mut self, span: Span) -> Vec<Rect> {
        let g = self.geometry;
        let mut out = Vec::new();
        let Some(first) = self.doc.paragraph_at(span.start) else {
            return out;
        };
        let last = self.doc.paragraph_at(span.end).unwrap_or(first);
        self.update_prefix();
        for i in first..=last {
            let Some(rects) = self.paragraph_rects(i, span) else {
                continue;
            };
            let top = self.prefix[i] as f32 + MARGIN;
            for [x0, y0, x1, y1] in rects {
                out.push(Rect::from_min_max(
                    g.content_origin + Vec2::new(g.text_left + x0, top + y0),
                    g.content_origin + Vec2::new(g.text_left + x1, top + y1),
                ));
            }
        }
        out
    }

    /// Total height of the content in points.
    #[must_use]
    pub fn content_height(&mut self) -> f64 {
        self.update_prefix();
        self.prefix[self.heights.len()] + 2.0 * f64::from(MARGIN)
    }

    /// Draws the view into the rest of `ui` with the annotations' highlights, and handles the mouse.
    pub fn show(&mut self, ui: &mut Ui, overlay: Option<Overlay<'_>>) -> ViewResponse {
        self.frame += 1;
        let room = overlay.is_some_and(|o| !o.annotations.relations().is_empty());
        if room != self.arc_room {
            self.arc_room = room;
            self.apply_style();
        }
        self.poll_measurer();
        let avail_width = ui.available_width();
        let width = (avail_width - 2.0 * MARGIN - 14.0)
            .clamp(80.0, self.max_line_width)
            .floor();
        if (width - self.width).abs() > 0.5 {
            self.rewrap(width, ui.ctx());
        }
        self.update_prefix();

        self.keyboard_caret(ui);
        self.keyboard_scroll(ui);
        let mut area = egui::ScrollArea::vertical()
            .auto_shrink(false)
            .id_salt("document-scroll");
        if let Some(y) = self.scroll_to.take() {
            area = area.vertical_scroll_offset(y as f32);
        } else if self.anchor_version != self.heights_version {
            let (p, off) = self.anchor;
            if p < self.heights.len() {
                area = area.vertical_scroll_offset((self.prefix[p] + f64::from(off)) as f32);
            }
        }
        let content_height = self.content_height() as f32;
        let output = area.show_viewport(ui, |ui, viewport| {
            self.viewport_height = viewport.height();
            self.visible = ui.clip_rect();
            ui.set_min_height(content_height);
            let origin = ui.max_rect().min;
            let text_left = ((ui.max_rect().width() - width) / 2.0).max(MARGIN).floor();
            self.geometry = FrameGeometry {
                content_origin: origin,
                text_left,
            };
            self.layout_visible(ui.ctx(), viewport);
            let r = self.handle_pointer(ui, viewport);
            self.paint(ui, viewport, overlay);
            self.accessibility(ui, viewport, overlay);
            r
        });
        let view_response = output.inner;
        // Remember which paragraph is at the top, so refined heights above it do not move the text.
        let top = f64::from(output.state.clamped_offset().y);
        self.update_prefix();
        let p = self
            .prefix
            .partition_point(|y| *y <= top - f64::from(MARGIN))
            .saturating_sub(1)
            .min(self.heights.len().saturating_sub(1));
        self.anchor = (p, (top - self.prefix.get(p).copied().unwrap_or(0.0)) as f32);
        self.anchor_version = self.heights_version;
        self.evict();
        if self.measurer.is_some() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(50));
        }
        view_response
    }

    fn invalidate_heights(&mut self) {
        self.measurer = None;
        self.exact.iter_mut().for_each(|e| *e = false);
        self.width = 0.0;
        self.prefix_dirty = true;
    }

    /// Sets a new column width: kept layouts are only re-broken (cheap); the others are estimated and measured.
    fn rewrap(&mut self, width: f32, ctx: &egui::Context) {
        self.width = width;
        self.measurer = None;
        let gap = self.gap();
        for (i, c) in &mut self.cache {
            c.layout.break_lines(Some(width));
            self.heights[*i] = c.layout.height() + gap;
        }
        let small = self.doc.text().len() <= SYNC_LAYOUT_BYTES;
        if small {
            with_kit(ctx, |kit| {
                for i in 0..self.heights.len() {
                    if !self.cache.contains_key(&i) {
                        let layout = kit.engine.layout(
                            self.doc.paragraph_text(i),
                            &self.layout_style,
                            Some(width),
                        );
                        self.heights[i] = layout.height() + gap;
                        self.cache.insert(
                            i,
                            Cached {
                                layout,
                                used: self.frame,
                            },
                        );
                    }
                    self.exact[i] = true;
                }
            });
        } else {
            self.calibrate(ctx);
            for i in 0..self.heights.len() {
                self.exact[i] = self.cache.contains_key(&i);
                if !self.exact[i] {
                    self.heights[i] = self.estimate(i);
                }
            }
            self.start_measurer(ctx);
        }
        self.prefix_dirty = true;
    }

    fn gap(&self) -> f32 {
        (self.paragraph_gap * self.layout_style.font_size).round()
    }

    /// Learns line height and characters per line from a sample of paragraphs, for height estimates.
    fn calibrate(&mut self, ctx: &egui::Context) {
        let n = self.heights.len();
        let step = (n / 16).max(1);
        let (mut chars, mut lines, mut line_h) = (0usize, 0usize, 0.0f32);
        with_kit(ctx, |kit| {
            for i in (0..n).step_by(step).take(16) {
                let text = self.doc.paragraph_text(i);
                let l = kit
                    .engine
                    .layout(text, &self.layout_style, Some(self.width));
                chars += text.chars().count();
                lines += l.line_count();
                line_h = line_h.max(l.height() / l.line_count().max(1) as f32);
            }
        });
        self.line_height = if line_h > 0.0 {
            line_h
        } else {
            self.layout_style.font_size * 1.6
        };
        let per_line = if lines > 0 {
            chars as f32 / lines as f32
        } else {
            0.0
        };
        // chars_per_line_px: characters that fit in one point of width.
        let fallback = 1.0 / (0.42 * self.layout_style.font_size);
        self.chars_per_line_px = if per_line > 0.0 {
            (per_line / self.width).max(fallback * 0.5)
        } else {
            fallback
        };
    }

    fn estimate(&self, i: usize) -> f32 {
        let chars = self.doc.paragraphs()[i].char_len as f32;
        let per_line = (self.chars_per_line_px * self.width).max(1.0);
        let lines = (chars / per_line).ceil().max(1.0);
        lines * self.line_height + self.gap()
    }

    fn start_measurer(&mut self, ctx: &egui::Context) {
        let (tx, rx) = std::sync::mpsc::channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let doc = self.doc.clone();
        let style = self.layout_style;
        let width = self.width;
        let gap = self.gap();
        let stop = cancel.clone();
        let ctx = ctx.clone();
        std::thread::Builder::new()
            .name("warraq-measure".into())
            .spawn(move || {
                crate::background::lower_this_thread();
                let mut engine = TextEngine::new();
                let n = doc.paragraphs().len();
                let mut start = 0;
                while start < n && !stop.load(Ordering::Relaxed) {
                    let end = (start + 512).min(n);
                    let hs = (start..end)
                        .map(|i| {
                            engine
                                .layout(doc.paragraph_text(i), &style, Some(width))
                                .height()
                                + gap
                        })
                        .collect();
                    if tx.send((start, hs)).is_err() {
                        return;
                    }
                    ctx.request_repaint();
                    start = end;
                }
            })
            .expect("spawn the measuring thread");
        self.measurer = Some(Measurer {
            rx,
            cancel,
            measured: 0,
        });
    }

    fn poll_measurer(&mut self) {
        let Some(m) = &mut self.measurer else { return };
        let mut done = false;
        loop {
            match m.rx.try_recv() {
                Ok((start, hs)) => {
                    m.measured = start + hs.len();
                    for (k, h) in hs.into_iter().enumerate() {
                        let i = start + k;
                        if !self.exact[i] {
                            self.heights[i] = h;
                            self.exact[i] = true;
                        }
                    }
                    self.prefix_dirty = true;
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    done = true;
                    break;
                }
            }
        }
        if done {
            self.measurer = None;
        }
    }

    fn update_prefix(&mut self) {
        if !self.prefix_dirty {
            return;
        }
        let mut y = 0.0f64;
        for (i, h) in self.heights.iter().enumerate() {
            self.prefix[i] = y;
            y += f64::from(*h);
        }
        if let Some(last) = self.prefix.last_mut() {
            *last = y;
        }
        self.prefix_dirty = false;
        self.heights_version += 1;
    }

    /// Paragraph index whose block contains content y (MARGIN included).
    fn paragraph_at_y(&self, y: f32) -> Option<usize> {
        let n = self.heights.len();
        if n == 0 {
            return None;
        }
        let y = f64::from(y - MARGIN);
        Some(
            self.prefix
                .partition_point(|p| *p <= y)
                .saturating_sub(1)
                .min(n - 1),
        )
    }

    fn ensure_layout(&mut self, ctx: &egui::Context, i: usize) {
        if let Some(c) = self.cache.get_mut(&i) {
            c.used = self.frame;
            return;
        }
        let layout = with_kit(ctx, |kit| {
            kit.engine.layout(
                self.doc.paragraph_text(i),
                &self.layout_style,
                Some(self.width),
            )
        });
        let h = layout.height() + self.gap();
        if !self.exact[i] || (self.heights[i] - h).abs() > 0.01 {
            self.heights[i] = h;
            self.exact[i] = true;
            self.prefix_dirty = true;
        }
        self.cache.insert(
            i,
            Cached {
                layout,
                used: self.frame,
            },
        );
    }

    fn layout_visible(&mut self, ctx: &egui::Context, viewport: Rect) {
        for _ in 0..4 {
            self.update_prefix();
            let Some(first) = self.paragraph_at_y(viewport.min.y) else {
                return;
            };
            let mut i = first;
            while i < self.heights.len() && (self.prefix[i] as f32 + MARGIN) < viewport.max.y {
                self.ensure_layout(ctx, i);
                i += 1;
            }
            if !self.prefix_dirty {
                return;
            }
        }
        self.update_prefix();
    }

    fn evict(&mut self) {
        if self.doc.text().len() <= SYNC_LAYOUT_BYTES || self.cache.len() <= MAX_CACHED_LAYOUTS {
            return;
        }
        let mut used: Vec<u64> = self.cache.values().map(|c| c.used).collect();
        used.sort_unstable();
        let cutoff = used[used.len() - MAX_CACHED_LAYOUTS / 2];
        let sel = self.selection.span();
        let keep_sel = |i: usize, doc: &Document| {
            let p = doc.paragraphs()[i].span();
            p.start <= sel.end && sel.start <= p.end && !sel.is_empty()
        };
        let doc = self.doc.clone();
        self.cache
            .retain(|i, c| c.used >= cutoff || keep_sel(*i, &doc));
    }

    /// The paragraph under content point `pos`, laid out, and the point in that paragraph's own coordinates.
    fn locate(&mut self, ctx: &egui::Context, pos: Pos2) -> Option<(usize, f32, f32)> {
        let i = self.paragraph_at_y(pos.y)?;
        self.ensure_layout(ctx, i);
        self.update_prefix();
        let height = self.cache[&i].layout.height();
        let local_y = (pos.y - MARGIN - self.prefix[i] as f32).clamp(0.0, (height - 1.0).max(0.0));
        Some((i, pos.x - self.geometry.text_left, local_y))
    }

    /// The code-point offset nearest to a point in content coordinates.
    fn offset_at(&mut self, ctx: &egui::Context, pos: Pos2) -> CharOffset {
        if pos.y < MARGIN {
            return CharOffset(0);
        }
        let Some((i, x, y)) = self.locate(ctx, pos) else {
            return CharOffset(0);
        };
        let byte = self.cache[&i].layout.hit_test(x, y);
        self.doc.global_char(i, crate::model::ByteOffset(byte))
    }

    fn word_at(&mut self, ctx: &egui::Context, pos: Pos2) -> Span {
        let Some((i, x, y)) = self.locate(ctx, pos) else {
            return Span::default();
        };
        let r = self.cache[&i].layout.word_at(x, y);
        Span::new(
            self.doc.global_char(i, crate::model::ByteOffset(r.start)),
            self.doc.global_char(i, crate::model::ByteOffset(r.end)),
        )
    }

    fn paragraph_span_at(&self, pos: Pos2) -> Span {
        self.paragraph_at_y(pos.y)
            .map(|i| self.doc.paragraphs()[i].span())
            .unwrap_or_default()
    }

    fn handle_pointer(&mut self, ui: &mut Ui, viewport: Rect) -> ViewResponse {
        let g = self.geometry;
        let screen_viewport = viewport.translate(g.content_origin.to_vec2());
        let response = ui.interact(screen_viewport, focus_id(), Sense::click_and_drag());
        // The view keeps the keyboard once it has it: arrows and Tab are its own, not egui's focus moves.
        if response.clicked() || response.drag_started() {
            response.request_focus();
        }
        ui.memory_mut(|m| {
            m.set_focus_lock_filter(
                focus_id(),
                egui::EventFilter {
                    tab: true,
                    horizontal_arrows: true,
                    vertical_arrows: true,
                    escape: false,
                },
            );
        });
        if response.hovered() {
            ui.ctx().set_cursor_icon(CursorIcon::Text);
        }
        let ctx = ui.ctx().clone();
        self.dragging = response.dragged() || response.is_pointer_button_down_on();
        let hovered = if response.dragged() || response.is_pointer_button_down_on() {
            None
        } else {
            response
                .hover_pos()
                .map(|p| self.offset_at(&ctx, p - g.content_origin.to_vec2()))
        };
        let mut out = ViewResponse {
            response: response.clone(),
            clicked: None,
            hovered,
            clicked_relation: None,
            linked: None,
        };
        // An arc under the pointer shows it can be clicked.
        if let Some(p) = response.hover_pos()
            && self.arc_at(p).is_some()
        {
            ui.ctx().set_cursor_icon(CursorIcon::PointingHand);
        }
        let Some(pointer) = response.interact_pointer_pos() else {
            return out;
        };
        let pos = pointer - g.content_origin.to_vec2();
        let (shift, alt, command) =
            ui.input(|i| (i.modifiers.shift, i.modifiers.alt, i.modifiers.command));
        // Alt-drag from one annotation to another links them.
        if response.drag_started() && alt {
            let press = ui
                .input(|i| i.pointer.press_origin())
                .map_or(pos, |p| p - g.content_origin.to_vec2());
            self.linking = Some((self.offset_at(&ctx, press), pointer));
            return out;
        }
        if let Some((from, _)) = self.linking {
            if response.drag_stopped() {
                self.linking = None;
                out.linked = Some((from, self.offset_at(&ctx, pos)));
            } else {
                self.linking = Some((from, pointer));
            }
            return out;
        }
        if response.clicked()
            && !shift
            && let Some(id) = self.arc_at(pointer)
        {
            out.clicked_relation = Some(id);
            return out;
        }
        // Ctrl-drag keeps what is selected as a piece and starts another; a plain click or drag starts over.
        if response.drag_started() || response.clicked() {
            self.keyboard_selection = false;
            self.goal_x = None;
        }
        if (response.drag_started() || response.clicked()) && !shift {
            let sel = self.selection.span();
            if command {
                if response.drag_started() && !sel.is_empty() {
                    self.pieces.push(sel);
                }
            } else {
                self.pieces.clear();
            }
        }
        if response.triple_clicked() {
            let p = self.paragraph_span_at(pos);
            self.drag_unit = DragUnit::Paragraph;
            self.drag_origin = p;
            self.selection = TextSelection::new(p.start, p.end);
        } else if response.double_clicked() {
            let w = self.word_at(&ctx, pos);
            self.drag_unit = DragUnit::Word;
            self.drag_origin = w;
            self.selection = TextSelection::new(w.start, w.end);
        } else if response.drag_started() || response.clicked() {
            // A drag is anchored where the button went down, not where the pointer crossed the drag threshold.
            let press = if response.drag_started() {
                ui.input(|i| i.pointer.press_origin())
                    .map_or(pos, |p| p - g.content_origin.to_vec2())
            } else {
                pos
            };
            let at = self.offset_at(&ctx, press);
            if response.clicked() && !shift {
                out.clicked = Some(at);
            }
            if shift {
                self.selection = self.selection.extend_to(at);
            } else {
                self.selection = TextSelection::caret(at);
                self.drag_unit = DragUnit::Char;
                self.drag_origin = Span::new(at, at);
            }
            if response.drag_started() {
                let head = self.offset_at(&ctx, pos);
                self.selection = self.selection.extend_to(head);
            }
        } else if response.dragged() {
            let at = self.offset_at(&ctx, pos);
            self.selection = match self.drag_unit {
                DragUnit::Char => self.selection.extend_to(at),
                DragUnit::Word => {
                    let w = self.word_at(&ctx, pos);
                    extend_by_unit(self.drag_origin, w)
                }
                DragUnit::Paragraph => {
                    extend_by_unit(self.drag_origin, self.paragraph_span_at(pos))
                }
            };
            // Scroll while dragging past the top or bottom edge.
            let edge = 24.0;
            if pointer.y < screen_viewport.min.y + edge {
                ui.scroll_with_delta(Vec2::new(
                    0.0,
                    (screen_viewport.min.y + edge - pointer.y).min(40.0),
                ));
            } else if pointer.y > screen_viewport.max.y - edge {
                ui.scroll_with_delta(Vec2::new(
                    0.0,
                    -(pointer.y - screen_viewport.max.y + edge).min(40.0),
                ));
            }
        }
        out
    }

    /// Selection rectangles of paragraph `i` for `span`, in the paragraph's own coordinates.
    fn paragraph_rects(&self, i: usize, span: Span) -> Option<Vec<[f32; 4]>> {
        let c = self.cache.get(&i)?;
        super::highlights::span_rects(&self.doc, i, &c.layout, self.layout_style.font_size, span)
    }

    fn paint(&mut self, ui: &mut Ui, viewport: Rect, overlay: Option<Overlay<'_>>) {
        let g = self.geometry;
        let ctx = ui.ctx().clone();
        let painter = ui.painter().clone();
        let visuals = ui.visuals().clone();
        let text_color = visuals.text_color();
        let sel_color: Color32 = visuals.selection.bg_fill;
        let sel = self.selection.span();
        let focused = ctx.memory(|m| m.has_focus(focus_id()));
        let caret_on = focused && {
            let t = ctx.input(|i| i.time);
            ctx.request_repaint_after(std::time::Duration::from_millis(500));
            (t * 2.0) as i64 % 2 == 0
        };
        let Some(first) = self.paragraph_at_y(viewport.min.y) else {
            return;
        };
        let mut i = first;
        with_kit(&ctx, |kit| {
            while i < self.heights.len() && (self.prefix[i] as f32 + MARGIN) < viewport.max.y {
                let top = self.prefix[i] as f32 + MARGIN;
                let origin = g.content_origin + Vec2::new(g.text_left, top);
                if let Some(o) = overlay {
                    self.paint_matches(&painter, i, origin, o);
                    self.paint_disputes(&painter, i, origin, o);
                    self.paint_highlights(&painter, i, origin, o, visuals.dark_mode);
                }
                if !sel.is_empty()
                    && let Some(rects) = self.paragraph_rects(i, sel)
                {
                    for [x0, y0, x1, y1] in rects {
                        let r = Rect::from_min_max(
                            origin + Vec2::new(x0, y0),
                            origin + Vec2::new(x1, y1),
                        );
                        painter.rect_filled(r, 0.0, sel_color);
                    }
                }
                for piece in &self.pieces {
                    if let Some(rects) = self.paragraph_rects(i, *piece) {
                        for [x0, y0, x1, y1] in rects {
                            let r = Rect::from_min_max(
                                origin + Vec2::new(x0, y0),
                                origin + Vec2::new(x1, y1),
                            );
                            painter.rect_filled(r, 0.0, sel_color);
                        }
                    }
                }
                if let Some(c) = self.cache.get(&i) {
                    kit.paint(&ctx, &painter, c.layout.parley(), origin, text_color);
                }
                // The caret, blinking, while the view has the keyboard (at the moving end of a selection).
                if caret_on
                    && self.doc.paragraph_at(self.selection.head) == Some(i)
                    && let Some(c) = self.cache.get(&i)
                {
                    let b = self.doc.local_byte(i, self.selection.head).0;
                    let [x0, y0, _, y1] = c.layout.caret_rect_on(b, self.caret_affinity(i), 1.5);
                    painter.rect_filled(
                        Rect::from_min_max(
                            origin + Vec2::new(x0, y0),
                            origin + Vec2::new(x0 + 1.5, y1),
                        ),
                        0.0,
                        text_color,
                    );
                }
                i += 1;
            }
            match overlay {
                Some(o) => {
                    self.paint_relations(kit, &ctx, &painter, viewport, o, visuals.extreme_bg_color)
                }
                None => self.arcs.clear(),
            }
        });
    }
}

impl DocumentView {
    /// The relation whose arc or label is under screen point `p` (as painted in the last frame).
    fn arc_at(&self, p: Pos2) -> Option<u64> {
        self.arcs
            .iter()
            .find(|(_, _, label)| label.expand(2.0).contains(p))
            .or_else(|| {
                self.arcs
                    .iter()
                    .find(|(_, path, _)| arcs::polyline_distance(path, p) < 4.0)
            })
            .map(|(id, _, _)| *id)
    }

    /// The rectangle (screen) of the first line of the laid-out text at `span`, if its paragraph is laid out.
    fn first_line_rect(&self, span: Span) -> Option<Rect> {
        let i = self.doc.paragraph_at(span.start)?;
        let rects = self.paragraph_rects(i, span)?;
        let top = rects.iter().map(|r| r[1]).fold(f32::INFINITY, f32::min);
        let line: Vec<&[f32; 4]> = rects.iter().filter(|r| (r[1] - top).abs() < 1.0).collect();
        let x0 = line.iter().map(|r| r[0]).fold(f32::INFINITY, f32::min);
        let x1 = line.iter().map(|r| r[2]).fold(f32::NEG_INFINITY, f32::max);
        let y1 = line.iter().map(|r| r[3]).fold(f32::NEG_INFINITY, f32::max);
        if !x0.is_finite() || !x1.is_finite() {
            return None;
        }
        let g = self.geometry;
        let origin = g.content_origin + Vec2::new(g.text_left, self.prefix[i] as f32 + MARGIN);
        Some(Rect::from_min_max(
            origin + Vec2::new(x0, top),
            origin + Vec2::new(x1, y1),
        ))
    }

    /// The relations' ends, found again when the annotations changed.
    fn relation_ends(&mut self, set: &AnnotationSet) -> Arc<Vec<RelationEnds>> {
        let revision = set.revision();
        if self
            .relation_ends
            .as_ref()
            .is_none_or(|(r, _)| *r != revision)
        {
            let ends = if set.relations().is_empty() {
                Vec::new()
            } else {
                // Where each annotation a relation names begins (its first piece), in one pass.
                let wanted: std::collections::HashSet<u64> = set
                    .relations()
                    .iter()
                    .flat_map(|r| [r.from, r.to])
                    .collect();
                let first: HashMap<u64, Span> =
                    set.items()
                        .iter()
                        .filter(|a| wanted.contains(&a.id))
                        .map(|a| {
                            let piece = a.fragments.first().map_or(a.span(), |&(s, e)| {
                                Span::new(CharOffset(s), CharOffset(e))
                            });
                            (a.id, piece)
                        })
                        .collect();
                set.relations()
                    .iter()
                    .filter_map(|r| {
                        let ty = set.tags.relation(&r.kind);
                        Some(RelationEnds {
                            id: r.id,
                            from: *first.get(&r.from)?,
                            to: *first.get(&r.to)?,
                            label: ty
                                .filter(|t| !t.label.is_empty())
                                .map_or_else(|| r.kind.clone(), |t| t.label.clone()),
                            color: ty.map_or([110, 110, 110], |t| t.color),
                        })
                    })
                    .collect()
            };
            self.relation_ends = Some((revision, Arc::new(ends)));
        }
        self.relation_ends.as_ref().expect("just set").1.clone()
    }

    /// Relation arcs whose ends are on screen (an end above or below the view is drawn at its edge), stacked so
    /// they do not sit on each other, each with its label; and the line of an Alt-drag in progress.
    fn paint_relations(
        &mut self,
        kit: &mut TextKit,
        ctx: &egui::Context,
        painter: &egui::Painter,
        viewport: Rect,
        o: Overlay<'_>,
        background: Color32,
    ) {
        self.arcs.clear();
        if let Some((_, pointer)) = self.linking {
            let from = self.linking.map(|(f, _)| f).unwrap_or_default();
            if let Some(r) = self.first_line_rect(Span::new(from, CharOffset(from.0 + 1))) {
                painter.line_segment(
                    [r.center_top(), pointer],
                    egui::Stroke::new(1.5, Color32::from_rgb(200, 80, 40)),
                );
            }
        }
        let ends = self.relation_ends(o.annotations);
        if ends.is_empty() {
            return;
        }
        let g = self.geometry;
        let screen = viewport.translate(g.content_origin.to_vec2());
        let Some(first) = self.paragraph_at_y(viewport.min.y) else {
            return;
        };
        let last = self
            .paragraph_at_y(viewport.max.y)
            .unwrap_or(first)
            .min(self.heights.len().saturating_sub(1));
        let doc = self.doc.clone();
        let (lo, hi) = (
            doc.paragraphs()[first].span().start,
            doc.paragraphs()[last].span().end,
        );
        let visible = |s: Span| s.start >= lo && s.start <= hi;
        let mut drawn: Vec<(&RelationEnds, Rect, Rect)> = Vec::new();
        let margin_x = g.content_origin.x + g.text_left - 10.0;
        for e in ends.iter() {
            let (a, b) = (visible(e.from), visible(e.to));
            if !a && !b {
                // One end above the view and the other below: its path crosses the view in the margin.
                let (above, below) = (e.from.start.min(e.to.start), e.from.start.max(e.to.start));
                if above < lo && below > hi {
                    let at = |y: f32| {
                        Rect::from_center_size(Pos2::new(margin_x, y), Vec2::new(8.0, 0.0))
                    };
                    let (top, bottom) = (at(screen.top()), at(screen.bottom()));
                    let (ra, rb) = if e.from.start < lo {
                        (top, bottom)
                    } else {
                        (bottom, top)
                    };
                    drawn.push((e, ra, rb));
                }
                continue;
            }
            let place = |s: Span, other: Option<Rect>| -> Option<Rect> {
                if visible(s) {
                    return self.first_line_rect(s);
                }
                // Off screen: at the edge it lies beyond, above the other end.
                let other = other?;
                let y = if s.start < lo {
                    screen.top()
                } else {
                    screen.bottom()
                };
                Some(Rect::from_center_size(
                    Pos2::new(other.center().x, y),
                    Vec2::new(8.0, 0.0),
                ))
            };
            let ra = if a {
                self.first_line_rect(e.from)
            } else {
                None
            };
            let rb = if b { self.first_line_rect(e.to) } else { None };
            let (Some(ra), Some(rb)) = (
                ra.or_else(|| place(e.from, rb)),
                rb.or_else(|| place(e.to, ra)),
            ) else {
                continue;
            };
            drawn.push((e, ra, rb));
        }
        // Arcs start in the room above the words (the extra line spacing), not at the top of the line box, so that
        // they and their labels stay between the lines.
        let inset = ARC_ROOM * self.style.font_size * 0.5 * 0.85;
        let lower = |r: &Rect| {
            Rect::from_min_max(r.min + Vec2::new(0.0, inset.min(r.height() * 0.4)), r.max)
        };
        let drawn: Vec<(&RelationEnds, Rect, Rect)> = drawn
            .into_iter()
            .map(|(e, a, b)| (e, lower(&a), lower(&b)))
            .collect();
        let style = crate::text::TextStyle::with_size((self.style.font_size * 0.5).max(10.0));
        // Stacked by where their curves and their labels are: a label is often wider than a short arc.
        let label_widths: Vec<f32> = drawn
            .iter()
            .map(|(e, _, _)| {
                kit.label_layout(ctx, &e.label, &style, None)
                    .content_width()
                    + 8.0
            })
            .collect();
        let spans: Vec<(Rect, Rect)> = drawn
            .iter()
            .zip(&label_widths)
            .map(|((_, a, b), w)| {
                let mid = (a.center().x + b.center().x) / 2.0;
                let grow = |r: &Rect| {
                    Rect::from_min_max(
                        Pos2::new(r.min.x.min(mid - w / 2.0), r.min.y),
                        Pos2::new(r.max.x.max(mid + w / 2.0), r.max.y),
                    )
                };
                (grow(a), grow(b))
            })
            .collect();
        let levels = arcs::stack(&spans);
        for ((e, ra, rb), level) in drawn.iter().zip(levels) {
            // On one line an arc; between lines a path round by the margin, so no text is crossed.
            let (path, label_at) = if (ra.top() - rb.top()).abs() < 2.0 {
                let arc = arcs::arc_between(*ra, *rb, level);
                (arc.points(24), arc.label)
            } else {
                // Each stacked level has its own lane in the margin.
                arcs::route_between(*ra, *rb, margin_x - 5.0 * level as f32, level)
            };
            let [r, gr, b] = e.color;
            let color = Color32::from_rgb(r, gr, b);
            let emphasized = o.emphasized == Some(e.id);
            let width = if emphasized { 2.5 } else { 1.5 };
            painter.add(egui::Shape::line(
                path.clone(),
                egui::Stroke::new(width, color),
            ));
            painter.add(egui::Shape::convex_polygon(
                arcs::arrowhead(&path, 7.0).to_vec(),
                color,
                egui::Stroke::NONE,
            ));
            let layout = kit.label_layout(ctx, &e.label, &style, None);
            let size = Vec2::new(layout.content_width(), layout.height());
            let label = Rect::from_center_size(label_at, size + Vec2::new(8.0, 2.0));
            painter.rect_filled(label, 4.0, background);
            painter.rect_stroke(
                label,
                4.0,
                egui::Stroke::new(1.0, color),
                egui::StrokeKind::Inside,
            );
            kit.paint(
                ctx,
                painter,
                layout.parley(),
                label.min + Vec2::new(4.0, 1.0),
                color,
            );
            self.arcs.push((e.id, path, label));
        }
    }

    /// Search matches in paragraph `i`: an amber box behind the text, the current one outlined.
    fn paint_matches(&self, painter: &egui::Painter, i: usize, origin: Pos2, o: Overlay<'_>) {
        let para = self.doc.paragraphs()[i].span();
        let first = o.matches.partition_point(|m| m.end <= para.start);
        for (k, m) in o.matches.iter().enumerate().skip(first) {
            if m.start >= CharOffset(para.end.0 + 1) {
                break;
            }
            let Some(rects) = self.paragraph_rects(i, *m) else {
                continue;
            };
            let current = o.current_match == Some(k);
            for [x0, y0, x1, y1] in rects {
                let rect =
                    Rect::from_min_max(origin + Vec2::new(x0, y0), origin + Vec2::new(x1, y1));
                let fill =
                    Color32::from_rgba_unmultiplied(255, 196, 0, if current { 150 } else { 80 });
                painter.rect_filled(rect.expand(1.0), 3.0, fill);
                if current {
                    painter.rect_stroke(
                        rect.expand(2.0),
                        3.0,
                        egui::Stroke::new(2.0, Color32::from_rgb(230, 120, 0)),
                        egui::StrokeKind::Outside,
                    );
                }
            }
        }
    }

    /// Disagreements in paragraph `i`: a dashed outline in the kind's colour (solid and filled for the one looked
    /// at), and under the one looked at a dashed line per annotator's version.
    fn paint_disputes(&self, painter: &egui::Painter, i: usize, origin: Pos2, o: Overlay<'_>) {
        let para = self.doc.paragraphs()[i].span();
        let first = o.disputes.partition_point(|d| d.span.end <= para.start);
        for d in o.disputes[first..]
            .iter()
            .take_while(|d| d.span.start <= para.end)
        {
            let Some(rects) = self.paragraph_rects(i, d.span) else {
                continue;
            };
            let [r, g, b] = d.color;
            let color = Color32::from_rgb(r, g, b);
            for [x0, y0, x1, y1] in rects {
                let rect =
                    Rect::from_min_max(origin + Vec2::new(x0, y0), origin + Vec2::new(x1, y1))
                        .expand(2.0);
                if d.current {
                    painter.rect_filled(rect, 3.0, color.gamma_multiply(0.12));
                    painter.rect_stroke(
                        rect,
                        3.0,
                        egui::Stroke::new(2.5, color),
                        egui::StrokeKind::Outside,
                    );
                } else {
                    let (a, b, c, e) = (
                        rect.left_top(),
                        rect.right_top(),
                        rect.right_bottom(),
                        rect.left_bottom(),
                    );
                    painter.add(egui::Shape::dashed_line(
                        &[a, b, c, e, a],
                        egui::Stroke::new(1.5, color),
                        5.0,
                        3.0,
                    ));
                }
            }
        }
        for v in o.versions {
            let [r, g, b] = v.color;
            let color = Color32::from_rgb(r, g, b);
            for p in &v.pieces {
                if p.end <= para.start || p.start > para.end {
                    continue;
                }
                let Some(rects) = self.paragraph_rects(i, *p) else {
                    continue;
                };
                for [x0, _, x1, y1] in rects {
                    // At most four rows, in the gap below the line.
                    let y = origin.y + y1 + 4.0 + 3.0 * v.row.min(3) as f32;
                    painter.add(egui::Shape::dashed_line(
                        &[Pos2::new(origin.x + x0, y), Pos2::new(origin.x + x1, y)],
                        egui::Stroke::new(2.5, color),
                        6.0,
                        2.0,
                    ));
                }
            }
        }
    }

    /// Annotation highlights of paragraph `i` ([`super::highlights`], shared with `warraq render`), painted.
    fn paint_highlights(
        &self,
        painter: &egui::Painter,
        i: usize,
        origin: Pos2,
        o: Overlay<'_>,
        dark: bool,
    ) {
        use super::highlights::{Mark, Style, paragraph_marks};
        let Some(c) = self.cache.get(&i) else {
            return;
        };
        let mut marks = Vec::new();
        paragraph_marks(
            &self.doc,
            i,
            &c.layout,
            self.layout_style.font_size,
            o.annotations,
            Style {
                dark,
                emphasized: o.emphasized,
                flash: o.flash,
            },
            &mut marks,
        );
        let rgb = |[r, g, b]: [u8; 3], alpha: f32| Color32::from_rgb(r, g, b).gamma_multiply(alpha);
        let rect = |[x0, y0, x1, y1]: [f32; 4]| {
            Rect::from_min_max(origin + Vec2::new(x0, y0), origin + Vec2::new(x1, y1))
        };
        let at = |[x, y]: [f32; 2]| origin + Vec2::new(x, y);
        for m in marks {
            match m {
                Mark::Fill {
                    rect: r,
                    color,
                    alpha,
                } => {
                    painter.rect_filled(rect(r), 2.0, rgb(color, alpha));
                }
                Mark::Line {
                    from,
                    to,
                    width,
                    color,
                    alpha,
                    dash,
                } => {
                    let stroke = egui::Stroke::new(width, rgb(color, alpha));
                    match dash {
                        Some((dash, gap)) => {
                            painter.add(egui::Shape::dashed_line(
                                &[at(from), at(to)],
                                stroke,
                                dash,
                                gap,
                            ));
                        }
                        None => {
                            painter.line_segment([at(from), at(to)], stroke);
                        }
                    }
                }
                Mark::Outline {
                    rect: r,
                    width,
                    color,
                } => {
                    painter.rect_stroke(
                        rect(r).expand(1.0),
                        2.0,
                        egui::Stroke::new(width, rgb(color, 1.0)),
                        egui::StrokeKind::Outside,
                    );
                }
            }
        }
    }
}

/// The selection made by dragging in word or paragraph steps: from the unit where the drag began to the unit
/// under the pointer, in whichever direction.
fn extend_by_unit(origin: Span, current: Span) -> TextSelection {
    if current.start < origin.start {
        TextSelection::new(origin.end, current.start)
    } else {
        TextSelection::new(origin.start, current.end.max(origin.end))
    }
}
