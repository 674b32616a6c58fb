//! Relation arcs: where a relation between two annotations is drawn, as pure geometry (screen rectangles in,
//! curves out), so the right-to-left cases are unit-tested without a window.
//!
//! An annotation is reached at the top middle of the first line it is on. An arc rises from its source, runs above
//! the line (or lines) and comes down on its target with an arrowhead; its label sits at the top of the curve. Arcs
//! that would share the same stretch of the same line are raised one above the other ([`stack`]). In right-to-left
//! text the first annotation in the text is the one on the right: the arc simply joins where the two are drawn.

use egui::{Pos2, Rect, Vec2};

/// Height of the lowest arc above the top of its words, and the step between stacked arcs, in points.
pub const RISE: f32 = 9.0;
pub const STEP: f32 = 9.0;

/// One arc as drawn: a cubic curve from `from` to `to` through two control points, and where its label goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArcShape {
    pub from: Pos2,
    pub to: Pos2,
    pub control: [Pos2; 2],
    /// The middle of the curve: the label's centre.
    pub label: Pos2,
}

impl ArcShape {
    /// The point of the curve at `t` (0: source, 1: target).
    #[must_use]
    pub fn at(&self, t: f32) -> Pos2 {
        let u = 1.0 - t;
        let [c1, c2] = self.control;
        let p = self.from.to_vec2() * (u * u * u)
            + c1.to_vec2() * (3.0 * u * u * t)
            + c2.to_vec2() * (3.0 * u * t * t)
            + self.to.to_vec2() * (t * t * t);
        p.to_pos2()
    }

    /// The curve as a polyline of `n` segments.
    #[must_use]
    pub fn points(&self, n: usize) -> Vec<Pos2> {
        (0..=n).map(|k| self.at(k as f32 / n as f32)).collect()
    }

    /// How far `p` is from the curve (sampled), for clicking an arc.
    #[must_use]
    pub fn distance(&self, p: Pos2) -> f32 {
        self.points(24)
            .windows(2)
            .map(|w| segment_distance(p, w[0], w[1]))
            .fold(f32::INFINITY, f32::min)
    }

    /// The two sides of the arrowhead at the target: it points down into the target word.
    #[must_use]
    pub fn arrowhead(&self, size: f32) -> [Pos2; 3] {
        let tip = self.to;
        let back = self.at(0.92);
        let dir = (tip - back).normalized();
        let dir = if dir.is_finite() { dir } else { Vec2::DOWN };
        let side = Vec2::new(-dir.y, dir.x) * (size * 0.5);
        let base = tip - dir * size;
        [tip, base + side, base - side]
    }
}

/// Between two lines an arc would cross the text in between: instead the relation leaves its source upwards, runs
/// in the space above that line to the margin at `margin_x` (outside the text column), along the margin to the
/// target's line, and above that line to the target. Returns the path and where its label goes (above the source).
#[must_use]
pub fn route_between(from: Rect, to: Rect, margin_x: f32, level: usize) -> (Vec<Pos2>, Pos2) {
    let lift = RISE + STEP * level as f32;
    let (a, b) = (from.center_top(), to.center_top());
    let (ya, yb) = (a.y - lift, b.y - lift);
    let points = vec![
        a,
        Pos2::new(a.x, ya),
        Pos2::new(margin_x, ya),
        Pos2::new(margin_x, yb),
        Pos2::new(b.x, yb),
        b,
    ];
    let label = Pos2::new((a.x + margin_x) / 2.0, ya);
    (points, label)
}

/// How far `p` is from a polyline.
#[must_use]
pub fn polyline_distance(points: &[Pos2], p: Pos2) -> f32 {
    points
        .windows(2)
        .map(|w| segment_distance(p, w[0], w[1]))
        .fold(f32::INFINITY, f32::min)
}

/// The arrowhead at the end of a polyline, pointing along its last segment.
#[must_use]
pub fn arrowhead(points: &[Pos2], size: f32) -> [Pos2; 3] {
    let n = points.len();
    let tip = points[n - 1];
    let back = if n >= 2 {
        points[n - 2]
    } else {
        tip - Vec2::DOWN
    };
    let dir = (tip - back).normalized();
    let dir = if dir.is_finite() { dir } else { Vec2::DOWN };
    let side = Vec2::new(-dir.y, dir.x) * (size * 0.5);
    let base = tip - dir * size;
    [tip, base + side, base - side]
}

fn segment_distance(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let len2 = ab.length_sq();
    let t = if len2 > 0.0 {
        ((p - a).dot(ab) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (a + ab * t).distance(p)
}

/// The arc from the annotation drawn in `from` to the one in `to` (each: the rectangle of the first line it is
/// on), raised `level` steps above the lowest arcs.
#[must_use]
pub fn arc_between(from: Rect, to: Rect, level: usize) -> ArcShape {
    let a = from.center_top();
    let b = to.center_top();
    let top = a.y.min(b.y) - RISE - STEP * level as f32;
    // The controls sit above the ends, a little higher than the top so the curve reaches it.
    let lift = (top - a.y.min(b.y)) / 3.0;
    let c1 = Pos2::new(a.x, top + lift);
    let c2 = Pos2::new(b.x, top + lift);
    let mut shape = ArcShape {
        from: a,
        to: b,
        control: [c1, c2],
        label: Pos2::ZERO,
    };
    shape.label = shape.at(0.5);
    shape
}

/// Levels for arcs given by their ends (as for [`arc_between`]): the narrower an arc, the lower it goes, and an arc
/// goes above every narrower one it overlaps on the same line, so labels and curves do not sit on each other.
#[must_use]
pub fn stack(ends: &[(Rect, Rect)]) -> Vec<usize> {
    // What an arc takes up: from the left of its leftmost end to the right of its rightmost (the ends' rectangles
    // may be widened by the caller to hold the label), at the height of its higher end.
    let span = |(f, t): &(Rect, Rect)| {
        (
            f.min.x.min(t.min.x),
            f.max.x.max(t.max.x),
            f.top().min(t.top()),
        )
    };
    let mut order: Vec<usize> = (0..ends.len()).collect();
    order.sort_by(|&i, &j| {
        let (a0, a1, _) = span(&ends[i]);
        let (b0, b1, _) = span(&ends[j]);
        (a1 - a0).total_cmp(&(b1 - b0))
    });
    let mut levels = vec![0usize; ends.len()];
    let mut placed: Vec<usize> = Vec::new();
    for i in order {
        let (x0, x1, y) = span(&ends[i]);
        let level = placed
            .iter()
            .filter(|&&j| {
                let (a0, a1, ay) = span(&ends[j]);
                a0 <= x1 + 4.0 && x0 <= a1 + 4.0 && (ay - y).abs() < 4.0
            })
            .map(|&j| levels[j] + 1)
            .max()
            .unwrap_or(0);
        levels[i] = level;
        placed.push(i);
    }
    levels
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{TextEngine, TextStyle};

    /// The rectangle of `word` in `text` laid out as one paragraph (first line it is on).
    fn rect_of(engine: &mut TextEngine, text: &str, word: &str) -> Rect {
        let layout = engine.layout(text, &TextStyle::with_size(20.0), Some(600.0));
        let b = text.find(word).unwrap();
        let rects = layout.selection_rects(b..b + word.len());
        let [x0, y0, x1, y1] = rects[0];
        Rect::from_min_max(Pos2::new(x0, y0), Pos2::new(x1, y1))
    }

    #[test]
    fn in_right_to_left_text_the_arc_runs_from_the_right_when_its_source_comes_first() {
        let mut engine = TextEngine::new();
        let text = "صرح أنتونوف سفير روسيا لدى الولايات المتحدة";
        let source = rect_of(&mut engine, text, "أنتونوف");
        let target = rect_of(&mut engine, text, "الولايات");
        assert!(
            source.center().x > target.center().x,
            "RTL: the first word is on the right"
        );
        let arc = arc_between(source, target, 0);
        assert!(
            arc.from.x > arc.to.x,
            "from the source on the right to the target on the left"
        );
        assert_eq!(arc.from, source.center_top());
        assert_eq!(arc.to, target.center_top());
        // The curve stays above the words it joins and its label is at its top.
        let top = source.top().min(target.top());
        for p in arc.points(16) {
            assert!(p.y <= top + 0.01, "{p:?} goes below the top of the line");
        }
        assert!(arc.label.y < top - RISE / 2.0);
        assert!(arc.label.x < arc.from.x && arc.label.x > arc.to.x);
        // The arrowhead points down into the target.
        let [tip, a, b] = arc.arrowhead(6.0);
        assert_eq!(tip, arc.to);
        assert!(a.y < tip.y && b.y < tip.y);
        // Clicking on the curve finds it; far from it does not.
        assert!(arc.distance(arc.label) < 1.0);
        assert!(arc.distance(Pos2::new(arc.label.x, arc.label.y + 40.0)) > 20.0);
    }

    #[test]
    fn in_left_to_right_text_and_between_lines_the_ends_are_where_the_words_are() {
        let mut engine = TextEngine::new();
        let text = "Antonov is the ambassador of Russia to the United States";
        let source = rect_of(&mut engine, text, "Antonov");
        let target = rect_of(&mut engine, text, "United");
        let arc = arc_between(source, target, 0);
        assert!(arc.from.x < arc.to.x);
        // A target on a lower line: the arc still rises above the higher end and comes down on the target.
        let lower = target.translate(Vec2::new(0.0, 30.0));
        let arc = arc_between(source, lower, 0);
        assert_eq!(arc.to, lower.center_top());
        assert!(arc.label.y < source.top());
    }

    #[test]
    fn between_lines_the_path_goes_round_by_the_margin_not_through_the_text() {
        let line = |y: f32, x: f32| Rect::from_min_size(Pos2::new(x, y), Vec2::new(60.0, 30.0));
        // Source on a lower line, target two lines up; the text column starts at x = 100.
        let (from, to) = (line(200.0, 400.0), line(100.0, 250.0));
        let (points, label) = route_between(from, to, 90.0, 1);
        assert_eq!(points[0], from.center_top());
        assert_eq!(*points.last().unwrap(), to.center_top());
        // The only vertical run across lines is in the margin.
        for w in points.windows(2) {
            let crosses = (w[0].y - w[1].y).abs() > 20.0;
            assert!(!crosses || (w[0].x == 90.0 && w[1].x == 90.0), "{w:?}");
        }
        // The horizontal runs are above the lines they run along.
        assert!(points[1].y < from.top() && points[4].y < to.top());
        assert!(label.y < from.top() && label.x < from.center().x);
        let [tip, a, b] = arrowhead(&points, 6.0);
        assert_eq!(tip, to.center_top());
        assert!(a.y < tip.y && b.y < tip.y, "it points down into the target");
        assert!(polyline_distance(&points, Pos2::new(90.0, 150.0)) < 1.0);
    }

    #[test]
    fn overlapping_arcs_on_one_line_are_stacked_and_apart_ones_are_not() {
        let r = |x: f32| Rect::from_min_size(Pos2::new(x, 100.0), Vec2::new(20.0, 20.0));
        let ends = [
            (r(0.0), r(300.0)),   // wide
            (r(40.0), r(100.0)),  // inside it
            (r(400.0), r(500.0)), // apart
            (r(60.0), r(120.0)),  // overlaps the second
        ];
        let levels = stack(&ends);
        assert_eq!(levels[2], 0, "nothing above or below it");
        assert!(levels[0] > levels[1] && levels[0] > levels[3], "{levels:?}");
        assert_ne!(levels[1], levels[3], "{levels:?}");
        let shapes: Vec<ArcShape> = ends
            .iter()
            .zip(&levels)
            .map(|((f, t), l)| arc_between(*f, *t, *l))
            .collect();
        assert!(shapes[0].label.y < shapes[1].label.y);
    }
}
