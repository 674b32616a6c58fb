//! Annotation highlights of one paragraph as shapes in the paragraph's own coordinates, with no egui: the document
//! view paints them with egui's painter and `warraq render` draws them into its PNG, so a rendered page shows the
//! highlights exactly where, and as, the window does.

use crate::model::{AnnotationSet, CharOffset, Document, Span};
use crate::text::ParagraphLayout as Layout;

/// One shape of a highlight. Rectangles are (x0, y0, x1, y1); colours are sRGB with an opacity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mark {
    /// A rectangle filled with `color` at `alpha`.
    Fill {
        rect: [f32; 4],
        color: [u8; 3],
        alpha: f32,
    },
    /// A line `width` thick; dashed when `dash` is (dash length, gap).
    Line {
        from: [f32; 2],
        to: [f32; 2],
        width: f32,
        color: [u8; 3],
        alpha: f32,
        dash: Option<(f32, f32)>,
    },
    /// A frame around a rectangle, outside it (the annotation just jumped to).
    Outline {
        rect: [f32; 4],
        width: f32,
        color: [u8; 3],
    },
}

/// How the highlights are drawn.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// The dark theme (fills a little stronger).
    pub dark: bool,
    /// The annotation drawn emphasized (just jumped to), and how strongly it flashes (0..1).
    pub emphasized: Option<u64>,
    pub flash: f32,
}

/// The rectangles `span` covers in paragraph `i` (laid out as `layout` at `font_size`), in the paragraph's
/// coordinates; `None` when the span does not touch the paragraph. A span that runs on past the paragraph's end
/// gets a small mark for the line break.
#[must_use]
pub fn span_rects(
    doc: &Document,
    i: usize,
    layout: &Layout,
    font_size: f32,
    span: Span,
) -> Option<Vec<[f32; 4]>> {
    let p = doc.paragraphs()[i].span();
    let start = span.start.max(p.start);
    let end = span.end.min(p.end);
    if start > end || (start == end && !(span.start < p.end.max(p.start) && span.end > p.end)) {
        return None;
    }
    let b0 = doc.local_byte(i, start).0;
    let b1 = doc.local_byte(i, end).0;
    let mut rects = layout.selection_rects(b0..b1);
    if span.end > p.end && span.start <= p.end {
        let [x0, y0, _, y1] = layout.caret_rect(b1, 1.0);
        let w = font_size * 0.3;
        rects.push(if layout.is_rtl() {
            [x0 - w, y0, x0, y1]
        } else {
            [x0, y0, x0 + w, y1]
        });
    }
    Some(rects)
}

/// The highlights of paragraph `i`, appended to `out`: suggestions faded with a dashed underline; each annotation a
/// translucent fill in its tag's colour and an underline bar, the bars stacked by nesting depth so that nested and
/// overlapping annotations all show; the pieces of a discontinuous annotation joined by a dashed line.
pub fn paragraph_marks(
    doc: &Document,
    i: usize,
    layout: &Layout,
    font_size: f32,
    set: &AnnotationSet,
    style: Style,
    out: &mut Vec<Mark>,
) {
    let para = doc.paragraphs()[i].span();
    let rects = |span: Span| span_rects(doc, i, layout, font_size, span);
    let first = set.suggestions.partition_point(|a| a.end <= para.start.0);
    for a in set.suggestions[first..]
        .iter()
        .take_while(|a| a.start <= para.end.0)
    {
        let color = set.tags.color_of(&a.tag);
        for [x0, y0, x1, y1] in rects(a.span()).unwrap_or_default() {
            out.push(Mark::Fill {
                rect: [x0, y0, x1, y1],
                color,
                alpha: 0.08,
            });
            out.push(Mark::Line {
                from: [x0, y1 - 2.0],
                to: [x1, y1 - 2.0],
                width: 1.5,
                color,
                alpha: 0.8,
                dash: Some((4.0, 3.0)),
            });
        }
    }
    let list: Vec<_> = set
        .overlapping(Span::new(para.start, CharOffset(para.end.0 + 1)))
        .collect();
    for a in &list {
        let depth = list
            .iter()
            .filter(|b| {
                b.id != a.id
                    && b.start <= a.start
                    && b.end >= a.end
                    && ((b.end - b.start) > (a.end - a.start) || b.id < a.id)
            })
            .count();
        let color = set.tags.color_of(&a.tag);
        let boxes: Vec<[f32; 4]> = if a.fragments.is_empty() {
            match rects(a.span()) {
                Some(r) => r,
                None => continue,
            }
        } else {
            let pieces: Vec<Vec<[f32; 4]>> = a
                .pieces()
                .iter()
                .filter_map(|p| rects(*p))
                .filter(|r| !r.is_empty())
                .collect();
            for w in pieces.windows(2) {
                let (x, y) = (w[0].last().expect("not empty"), w[1][0]);
                // From where one piece ends to where the next begins, on their lines' baselines.
                let (ax, bx) = if layout.is_rtl() {
                    (x[0], y[2])
                } else {
                    (x[2], y[0])
                };
                out.push(Mark::Line {
                    from: [ax, x[3] - 3.0],
                    to: [bx, y[3] - 3.0],
                    width: 1.0,
                    color,
                    alpha: 1.0,
                    dash: Some((3.0, 3.0)),
                });
            }
            pieces.into_iter().flatten().collect()
        };
        let emphasized = style.emphasized == Some(a.id);
        let alpha = if style.dark { 0.30 } else { 0.22 }
            + if emphasized {
                0.2 * style.flash.max(0.4)
            } else {
                0.0
            };
        for rect in boxes {
            out.push(Mark::Fill { rect, color, alpha });
            let bar_y = rect[3] - 2.0 - depth as f32 * 3.5;
            out.push(Mark::Line {
                from: [rect[0], bar_y],
                to: [rect[2], bar_y],
                width: 2.0,
                color,
                alpha: 1.0,
                dash: None,
            });
            if emphasized {
                out.push(Mark::Outline {
                    rect,
                    width: 1.5,
                    color,
                });
            }
        }
    }
}
