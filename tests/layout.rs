//! Facts about how the text engine lays out Arabic, checked on the sample article and on mixed paragraphs.

use warraq::model::{ByteOffset, Document, offsets::byte_to_char};
use warraq::text::{ClusterInfo, LineInfo, ParagraphLayout, TextEngine, TextStyle, fonts};

const SAMPLE: &str = include_str!("../assets/sample-article-ar.txt");

fn lay(text: &str, width: f32) -> ParagraphLayout {
    TextEngine::new().layout(text, &TextStyle::with_size(20.0), Some(width))
}

/// The clusters covering a byte range of the text, in visual order.
fn clusters_of<'a>(lines: &'a [LineInfo], text: &str, needle: &str) -> Vec<&'a ClusterInfo> {
    let start = text.find(needle).expect("needle in text");
    let end = start + needle.len();
    lines
        .iter()
        .flat_map(|l| &l.clusters)
        .filter(|c| c.bytes.start >= start && c.bytes.end <= end)
        .collect()
}

#[test]
fn digits_read_left_to_right_inside_arabic() {
    let text = "منذ عام 2015، تلقى الجانب";
    let l = lay(text, 600.0);
    let lines = l.lines();
    let digits = clusters_of(&lines, text, "2015");
    assert_eq!(digits.len(), 4);
    // Visual order equals logical order for the number: 2, 0, 1, 5 from left to right.
    let mut by_x = digits.clone();
    by_x.sort_by(|a, b| a.x.total_cmp(&b.x));
    let logical: Vec<_> = by_x.iter().map(|c| &text[c.bytes.clone()]).collect();
    assert_eq!(logical, ["2", "0", "1", "5"]);
    // And the number sits to the left of the words before it (right-to-left paragraph).
    let before = clusters_of(&lines, text, "عام");
    assert!(before.iter().all(|c| c.x > by_x[3].x));
}

#[test]
fn latin_name_reads_left_to_right_inside_arabic() {
    let text = "قال John Smith أمس إن";
    let l = lay(text, 600.0);
    let lines = l.lines();
    let john = clusters_of(&lines, text, "John");
    let smith = clusters_of(&lines, text, "Smith");
    let x = |cs: &[&ClusterInfo]| cs.iter().map(|c| c.x).fold(f32::MAX, f32::min);
    assert!(x(&john) < x(&smith), "John is left of Smith");
    let mut j = john.clone();
    j.sort_by(|a, b| a.x.total_cmp(&b.x));
    assert_eq!(
        j.iter().map(|c| &text[c.bytes.clone()]).collect::<String>(),
        "John"
    );
    // The Arabic word that comes first logically is at the right end.
    let qal = clusters_of(&lines, text, "قال");
    assert!(qal.iter().all(|c| c.x > x(&smith)));
}

#[test]
fn first_line_of_rtl_paragraph_starts_at_the_right_edge() {
    let width = 600.0;
    let doc = Document::new(SAMPLE.to_owned());
    let mut engine = TextEngine::new();
    for p in 0..doc.paragraphs().len() {
        let text = doc.paragraph_text(p);
        if text.is_empty() {
            continue;
        }
        let l = engine.layout(text, &TextStyle::with_size(20.0), Some(width));
        assert!(l.is_rtl(), "paragraph {p} is right-to-left");
        let lines = l.lines();
        let first = lines[0]
            .clusters
            .iter()
            .find(|c| c.bytes.start == 0)
            .expect("first character on first line");
        assert!(
            (first.x + first.advance - width).abs() < 1.0,
            "paragraph {p}: first character at the right edge, got {}",
            first.x + first.advance
        );
        for line in &lines {
            for c in &line.clusters {
                assert!(
                    c.x >= -0.5 && c.x + c.advance <= width + 0.5
                        || text[c.bytes.clone()].trim().is_empty(),
                    "paragraph {p}: cluster inside the box"
                );
            }
        }
    }
}

#[test]
fn brackets_are_drawn_mirrored_in_rtl() {
    let font = swash::FontRef::from_index(fonts::SANS_REGULAR, 0).unwrap();
    let open_glyph = u32::from(font.charmap().map('('));
    let close_glyph = u32::from(font.charmap().map(')'));
    // A bracket alone in its word (the sample's third paragraph opens so), around digits, around Latin.
    for text in [
        "(بيت)",
        "( أردو بوینت نتورك ۔ / سبوتنيك - 28 يوليو 2021ء) صرح",
        "(أردو 28) صرح",
        "قالت (Reuters) اليوم",
    ] {
        let l = lay(text, 800.0);
        let lines = l.lines();
        let find = |b: &str| {
            lines[0]
                .clusters
                .iter()
                .find(|c| &text[c.bytes.clone()] == b)
                .unwrap()
        };
        let (open, close) = (find("("), find(")"));
        assert_eq!(
            open.glyphs,
            vec![close_glyph],
            "{text}: logical '(' is drawn with the ')' glyph"
        );
        assert_eq!(close.glyphs, vec![open_glyph], "{text}");
        assert!(
            open.x > close.x,
            "{text}: the opening bracket is at the right"
        );
    }
}

/// UAX #9 rule L1: the space after a Latin word that ends a wrapped line of an Arabic paragraph goes to the line's
/// end (its left edge) and hangs there, as in a browser, instead of staying between the Latin word and the Arabic.
#[test]
fn space_ending_a_line_goes_to_the_line_end_l1() {
    let text = "تلقى الجانب الأميركي ستة مقترحات من John Smith وJane Doe في 3/7/2021.";
    let space = text.find("John ").unwrap() + "John".len();
    let mut checked = 0;
    for width in (150..500).step_by(5) {
        let l = lay(text, width as f32);
        let lines = l.lines();
        let Some(line) = lines.iter().find(|l| l.bytes.end == space + 1) else {
            continue;
        };
        let x_of = |b: usize| line.clusters.iter().find(|c| c.bytes.start == b).unwrap().x;
        let john = x_of(text.find("John").unwrap());
        assert!(
            x_of(space) < john,
            "width {width}: the space after John is left of it, at the line's end"
        );
        assert!(
            john >= -0.01,
            "width {width}: John starts inside the box ({john})"
        );
        checked += 1;
    }
    assert!(checked > 0, "some width ends a line after \"John \"");
}

#[test]
fn hyphen_before_a_word_stays_with_it_lb20a() {
    let text = SAMPLE.lines().next().unwrap();
    assert!(text.ends_with("مرة -سفير"));
    let mut engine = TextEngine::new();
    for w in (100..=760).step_by(4) {
        let l = engine.layout(text, &TextStyle::with_size(20.0), Some(w as f32));
        for line in l.lines() {
            let line_text = &text[line.bytes.clone()];
            assert!(
                !line_text.ends_with('-'),
                "width {w}: a line ends with the hyphen of -سفير"
            );
            assert!(
                !line_text.starts_with("سفير"),
                "width {w}: سفير separated from its hyphen"
            );
        }
    }
}

#[test]
fn a_word_longer_than_the_line_is_broken_inside_the_box() {
    let text = format!("كلمة {} نهاية", "ب".repeat(120));
    let l = lay(&text, 150.0);
    assert!(l.line_count() > 3);
    for line in l.lines() {
        for c in &line.clusters {
            assert!(
                c.x >= -0.5 && c.x + c.advance <= 150.5,
                "cluster at {}..{} overflows",
                c.x,
                c.x + c.advance
            );
        }
    }
}

#[test]
fn harakat_and_urdu_letters_have_real_glyphs() {
    for text in ["مُحَمَّدٌ وَالْقَاهِرَةُ", "یہ اردو ہے۔ گھر", "٠١٢٣ ۴۵۶"]
    {
        let l = lay(text, 500.0);
        let mut glyphs = 0;
        l.for_each_glyph(|g| {
            glyphs += 1;
            assert_ne!(
                g.glyph_id, 0,
                "{text}: a character has no glyph in the bundled fonts"
            );
        });
        assert!(glyphs > 0);
    }
}

#[test]
fn caret_and_hit_test_round_trip_for_every_cluster() {
    let doc = Document::new(SAMPLE.to_owned());
    let mut engine = TextEngine::new();
    let mut checked = 0;
    for p in 0..doc.paragraphs().len() {
        let text = doc.paragraph_text(p);
        let l = engine.layout(text, &TextStyle::with_size(20.0), Some(600.0));
        for line in l.lines() {
            let y = line.top + line.height / 2.0;
            for c in &line.clusters {
                // A space that ends a line hangs past the edge; its far side is the next line's start.
                if c.bytes.end == line.bytes.end && text[c.bytes.clone()].trim().is_empty() {
                    continue;
                }
                // The middle of a cluster's right half and left half hit its two edges.
                let (left_half, right_half) = (c.x + c.advance * 0.25, c.x + c.advance * 0.75);
                let a = l.hit_test(left_half, y);
                let b = l.hit_test(right_half, y);
                assert!(
                    [c.bytes.start, c.bytes.end].contains(&a) || c.advance < 0.01,
                    "paragraph {p} cluster {:?}: hit {a}",
                    c.bytes
                );
                if c.advance > 1.0 {
                    assert_ne!(
                        a, b,
                        "paragraph {p} cluster {:?}: both halves hit {a}",
                        c.bytes
                    );
                }
                // The caret placed at the hit position is drawn on that cluster's edge.
                let (hit, caret) = l.hit_test_caret(left_half, y, 1.0);
                assert_eq!(hit, a);
                let on_edge =
                    (caret[0] - c.x).abs() < 0.6 || (caret[0] - (c.x + c.advance)).abs() < 0.6;
                assert!(
                    on_edge || c.advance < 0.01,
                    "paragraph {p} cluster {:?}: caret at {} not on an edge",
                    c.bytes,
                    caret[0]
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 2000, "checked {checked} clusters");
}

#[test]
fn selection_split_by_bidi_gives_two_rectangles() {
    let text = "منذ عام 2015، تلقى الجانب";
    let l = lay(text, 600.0);
    // "15، تلقى": the end of the number, then Arabic to its right; "20" lies between the two pieces.
    let start = text.find("15").unwrap();
    let end = text.find(" الجانب").unwrap();
    let rects = l.selection_rects(start..end);
    assert_eq!(rects.len(), 2, "{rects:?}");
    let lines = l.lines();
    let twenty = clusters_of(&lines, text, "20");
    let x20 = twenty.iter().map(|c| c.x).fold(f32::MAX, f32::min);
    assert!(rects.iter().all(|r| r[2] <= x20 + 0.5 || r[0] >= x20 + 0.5));
    let _ = byte_to_char(text, ByteOffset(start));
}

#[test]
fn rewrapping_gives_the_same_lines_as_a_fresh_layout() {
    let text = SAMPLE.lines().find(|l| l.starts_with("وقال")).unwrap();
    let mut engine = TextEngine::new();
    let mut l = engine.layout(text, &TextStyle::with_size(20.0), Some(900.0));
    for w in [300.0, 450.0, 777.0] {
        l.break_lines(Some(w));
        let fresh = engine.layout(text, &TextStyle::with_size(20.0), Some(w));
        assert_eq!(l.lines(), fresh.lines(), "width {w}");
    }
}
