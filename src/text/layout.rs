//! Paragraph layout on parley: bidi, shaping, line breaking, alignment; and the queries the view needs on the
//! result (hit testing, word ranges, selection rectangles, visual lines and clusters).
//!
//! One paragraph is one [`ParagraphLayout`]. Its base direction comes from its first strong character, right-to-left
//! when it has none (an Arabic reader's default). Lines break where Chromium breaks them (parley's Chromium
//! override plus UAX #14 rule LB20a), and a word longer than the line is broken anywhere, like CSS
//! `overflow-wrap: anywhere`. Right-to-left paragraphs are aligned to the right edge of the box.

use parley::{
    Affinity, Alignment, AlignmentOptions, BaseDirection, CHROMIUM_LINE_BREAK_OVERRIDE, Cursor,
    FontFamily, FontWeight, LayoutContext, LineBreakContext, LineHeight, OverflowWrap,
    PositionedLayoutItem, Selection, StyleProperty,
};
use std::ops::Range;

use super::fonts;

/// How a paragraph is set: size in points (logical pixels), line height as a multiple of the font's own line
/// height (1.0 is CSS `line-height: normal`), weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle {
    pub font_size: f32,
    pub line_height: f32,
    pub bold: bool,
}

impl Default for TextStyle {
    fn default() -> Self {
        Self {
            font_size: 20.0,
            line_height: 1.0,
            bold: false,
        }
    }
}

impl TextStyle {
    #[must_use]
    pub fn with_size(font_size: f32) -> Self {
        Self {
            font_size,
            ..Self::default()
        }
    }
}

/// Line-break opportunities as Chromium computes them, plus UAX #14 LB20a, which the ICU-based breaker misses:
/// a hyphen at the start of a word (after a space or at the start of the text) followed by a letter is not a
/// break opportunity, so "-سفير" stays together.
fn line_break_override(cx: LineBreakContext) -> Option<bool> {
    let hyphen = matches!(cx.before, '-' | '\u{2010}');
    let word_start = cx.before_before.is_none_or(char::is_whitespace);
    if hyphen && word_start && cx.after.is_alphabetic() {
        return Some(false);
    }
    CHROMIUM_LINE_BREAK_OVERRIDE(cx)
}

static LINE_BREAK_OVERRIDE: &parley::LineBreakOverrideFn =
    &(line_break_override as fn(LineBreakContext) -> Option<bool>);

/// Whether a paragraph is right-to-left: decided by its first strong character, right-to-left when it has none.
#[must_use]
pub fn is_rtl_paragraph(text: &str) -> bool {
    !matches!(
        unicode_bidi::get_base_direction(text),
        unicode_bidi::Direction::Ltr
    )
}

/// The font and layout contexts, created once and reused for every paragraph (their caches survive).
pub struct TextEngine {
    fcx: parley::FontContext,
    lcx: LayoutContext<()>,
}

impl Default for TextEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl TextEngine {
    #[must_use]
    pub fn new() -> Self {
        Self {
            fcx: fonts::font_context(),
            lcx: LayoutContext::new(),
        }
    }

    /// The parley contexts, for parley's own editor.
    pub fn contexts(&mut self) -> (&mut parley::FontContext, &mut LayoutContext<()>) {
        (&mut self.fcx, &mut self.lcx)
    }

    /// Shapes `text` and breaks it into lines at `width` (no limit with `None`).
    pub fn layout(&mut self, text: &str, style: &TextStyle, width: Option<f32>) -> ParagraphLayout {
        let rtl = is_rtl_paragraph(text);
        let mut builder = self.lcx.ranged_builder(&mut self.fcx, text, 1.0, true);
        builder.set_base_direction(if rtl {
            BaseDirection::Rtl
        } else {
            BaseDirection::Ltr
        });
        builder.set_line_break_override(Some(LINE_BREAK_OVERRIDE));
        builder.push_default(StyleProperty::FontFamily(FontFamily::Source(
            fonts::FAMILY_STACK.into(),
        )));
        builder.push_default(StyleProperty::FontSize(style.font_size));
        builder.push_default(StyleProperty::LineHeight(LineHeight::MetricsRelative(
            style.line_height,
        )));
        builder.push_default(StyleProperty::OverflowWrap(OverflowWrap::Anywhere));
        if style.bold {
            builder.push_default(StyleProperty::FontWeight(FontWeight::BOLD));
        }
        let layout = builder.build(text);
        let mut para = ParagraphLayout {
            layout,
            rtl,
            width,
            text_len: text.len(),
        };
        para.break_lines(width);
        para
    }
}

/// One laid-out paragraph. Coordinates are in points with (0, 0) at the top left of the paragraph's box; the box
/// is `width` wide when a width was given.
pub struct ParagraphLayout {
    layout: parley::Layout<()>,
    rtl: bool,
    width: Option<f32>,
    text_len: usize,
}

/// A cluster (the smallest piece of text the layout positions: a letter with its marks, a ligature part) on a
/// visual line.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterInfo {
    pub bytes: Range<usize>,
    pub x: f32,
    pub advance: f32,
    /// Glyph ids drawn for this cluster (empty for a ligature continuation).
    pub glyphs: Vec<u32>,
}

/// A visual line: its text range, vertical position, and clusters from left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct LineInfo {
    pub bytes: Range<usize>,
    pub top: f32,
    pub baseline: f32,
    pub height: f32,
    pub clusters: Vec<ClusterInfo>,
}

/// A glyph to draw: which font, which glyph, at what size, with its pen position (x, baseline y) in points.
#[derive(Debug, Clone, Copy)]
pub struct PlacedGlyph<'a> {
    pub font: &'a parley::FontData,
    pub font_size: f32,
    pub glyph_id: u32,
    pub x: f32,
    pub y: f32,
}

impl ParagraphLayout {
    /// Breaks the already shaped text into lines again for a new width, and realigns. Much cheaper than a new
    /// layout: use it when the window is resized.
    pub fn break_lines(&mut self, width: Option<f32>) {
        self.width = width;
        self.layout.break_all_lines(width);
        self.layout
            .align(Alignment::Start, AlignmentOptions::default());
    }

    #[must_use]
    pub fn is_rtl(&self) -> bool {
        self.rtl
    }

    #[must_use]
    pub fn width(&self) -> Option<f32> {
        self.width
    }

    /// Width of the widest line.
    #[must_use]
    pub fn content_width(&self) -> f32 {
        self.layout.width()
    }

    #[must_use]
    pub fn height(&self) -> f32 {
        self.layout.height()
    }

    #[must_use]
    pub fn line_count(&self) -> usize {
        self.layout.len()
    }

    #[must_use]
    pub fn text_len(&self) -> usize {
        self.text_len
    }

    /// The text position (byte offset) nearest to a point.
    #[must_use]
    pub fn hit_test(&self, x: f32, y: f32) -> usize {
        Cursor::from_point(&self.layout, x, y).index()
    }

    /// The text position nearest to a point and the caret drawn there. At a direction boundary one byte offset
    /// has two visual positions; this caret is the one on the side of the point.
    #[must_use]
    pub fn hit_test_caret(&self, x: f32, y: f32, caret_width: f32) -> (usize, [f32; 4]) {
        let cursor = Cursor::from_point(&self.layout, x, y);
        let b = cursor.geometry(&self.layout, caret_width);
        (
            cursor.index(),
            [b.x0 as f32, b.y0 as f32, b.x1 as f32, b.y1 as f32],
        )
    }

    /// The word (as parley's word boundaries find it) under a point.
    #[must_use]
    pub fn word_at(&self, x: f32, y: f32) -> Range<usize> {
        Selection::word_from_point(&self.layout, x, y).text_range()
    }

    /// The rectangles `[x0, y0, x1, y1]` that cover a byte range, one or more per visual line (a range split by
    /// bidi reordering gives several on one line).
    #[must_use]
    pub fn selection_rects(&self, range: Range<usize>) -> Vec<[f32; 4]> {
        if range.start >= range.end {
            return Vec::new();
        }
        let anchor = Cursor::from_byte_index(&self.layout, range.start, Affinity::Downstream);
        let focus = Cursor::from_byte_index(&self.layout, range.end, Affinity::Upstream);
        Selection::new(anchor, focus)
            .geometry(&self.layout)
            .into_iter()
            .map(|(b, _)| [b.x0 as f32, b.y0 as f32, b.x1 as f32, b.y1 as f32])
            .collect()
    }

    /// The caret's rectangle `[x0, y0, x1, y1]` at a byte offset.
    #[must_use]
    pub fn caret_rect(&self, index: usize, width: f32) -> [f32; 4] {
        self.caret_rect_on(index, Affinity::Downstream, width)
    }

    /// The caret's rectangle at a byte index on the given side: where the text changes direction (or a line
    /// wraps) one index has two places on screen, the end of what comes before (upstream) and the start of what
    /// follows (downstream).
    #[must_use]
    pub fn caret_rect_on(&self, index: usize, affinity: Affinity, width: f32) -> [f32; 4] {
        let b =
            Cursor::from_byte_index(&self.layout, index, affinity).geometry(&self.layout, width);
        [b.x0 as f32, b.y0 as f32, b.x1 as f32, b.y1 as f32]
    }

    /// Every visual line with its clusters in visual (left-to-right) order.
    #[must_use]
    pub fn lines(&self) -> Vec<LineInfo> {
        self.layout
            .lines()
            .map(|line| {
                let m = line.metrics();
                let mut clusters = Vec::new();
                for item in line.items() {
                    let PositionedLayoutItem::GlyphRun(run) = item else {
                        continue;
                    };
                    let mut x = run.offset();
                    let glyph_run_bytes = run.run().text_range();
                    for cluster in run.run().visual_clusters() {
                        let bytes = cluster.text_range();
                        if bytes.start < glyph_run_bytes.start
                            || bytes.end > glyph_run_bytes.end
                            || bytes.start >= self.text_len
                        {
                            continue;
                        }
                        let bytes = bytes.start..bytes.end.min(self.text_len);
                        let advance = cluster.advance();
                        if !cluster.is_hard_line_break() {
                            clusters.push(ClusterInfo {
                                bytes,
                                x,
                                advance,
                                glyphs: cluster.glyphs().map(|g| g.id).collect(),
                            });
                        }
                        x += advance;
                    }
                }
                let r = line.text_range();
                LineInfo {
                    bytes: r.start.min(self.text_len)..r.end.min(self.text_len),
                    top: m.block_min_coord,
                    baseline: m.baseline,
                    height: m.line_height,
                    clusters,
                }
            })
            .collect()
    }

    /// Calls `f` for every glyph in the paragraph, in visual order.
    pub fn for_each_glyph(&self, f: impl FnMut(PlacedGlyph<'_>)) {
        for_each_glyph(&self.layout, f);
    }

    /// The underlying parley layout.
    #[must_use]
    pub fn parley(&self) -> &parley::Layout<()> {
        &self.layout
    }

    /// The top and bottom of each line, for finding the lines inside a vertical range.
    #[must_use]
    pub fn line_extents(&self) -> Vec<(f32, f32)> {
        self.layout
            .lines()
            .map(|l| (l.metrics().block_min_coord, l.metrics().block_max_coord))
            .collect()
    }
}

/// Calls `f` for every glyph of a parley layout, in visual order. Shared by the paragraph layouts and the text
/// input, whose layout parley's editor owns.
pub fn for_each_glyph(layout: &parley::Layout<()>, mut f: impl FnMut(PlacedGlyph<'_>)) {
    for line in layout.lines() {
        for item in line.items() {
            let PositionedLayoutItem::GlyphRun(run) = item else {
                continue;
            };
            let font = run.run().font();
            let font_size = run.run().font_size();
            for g in run.positioned_glyphs() {
                f(PlacedGlyph {
                    font,
                    font_size,
                    glyph_id: g.id,
                    x: g.x,
                    y: g.y,
                });
            }
        }
    }
}
