//! Every reader is total: any input gives a value or an error naming file and line — never a panic, never a hang.
//! Property tests over arbitrary bytes and over inputs built to be nasty (fragments out of order, huge numbers,
//! bidi controls, combining floods, long lines). `PROPTEST_CASES` raises the count (CI runs 2000 each).

use std::path::Path;

use proptest::prelude::*;
use warraq::model::{AnnotationSet, CharOffset, Document, Span, TagSet};
use warraq::store::sidecar::{self, Fingerprint};

fn config(cases: u32) -> ProptestConfig {
    let base = ProptestConfig::default();
    ProptestConfig {
        // The environment's PROPTEST_CASES (read by default()) wins when it asks for more.
        cases: base.cases.max(cases),
        ..base
    }
}

/// Text that mixes Arabic, Latin, digits, bidi controls, combining marks, line breaks and tabs.
fn nasty_text(max: usize) -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("محمد".to_owned()),
        Just("القاهرة".to_owned()),
        Just(" ".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("\t".to_owned()),
        Just("2015".to_owned()),
        Just("(abc)".to_owned()),
        Just("\u{202E}".to_owned()),
        Just("\u{2067}".to_owned()),
        Just("\u{2069}".to_owned()),
        Just("\u{200F}".to_owned()),
        Just("\u{200D}".to_owned()),
        Just("\u{FEFF}".to_owned()),
        Just("\u{064E}".repeat(40)),
        Just("ﻻ".to_owned()),
        Just("\u{FFFD}".to_owned()),
        any::<char>().prop_map(|c| c.to_string()),
    ];
    proptest::collection::vec(pieces, 0..max).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn decoding_any_bytes_gives_text_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        if let Ok(d) = warraq::store::decode::decode(&bytes) {
            prop_assert!(d.text.len() <= bytes.len() * 3 + 3);
        }
        for enc in warraq::store::ENCODING_CHOICES {
            let _ = warraq::store::decode::decode_as(&bytes, enc);
        }
    }

    #[test]
    fn a_sidecar_of_any_text_loads_or_names_a_line(text in "\\PC{0,400}") {
        let doc = Document::new("زار محمد القاهرة".to_owned());
        let fp = Fingerprint::of(b"x", "UTF-8");
        match sidecar::from_text(Path::new("t.warraq.ron"), &text, &fp, &doc, None) {
            Ok((set, _)) => {
                for a in set.items() {
                    prop_assert!(a.start < a.end && a.end <= doc.char_count());
                }
            }
            Err(e) => prop_assert!(e.to_string().starts_with("t.warraq.ron")),
        }
    }

    #[test]
    fn a_damaged_sidecar_loads_or_names_a_line(cut in 0usize..2000, byte in any::<u8>(), at in 0usize..2000) {
        let doc = Document::new("زار محمد القاهرة ثم عاد إلى دمشق".to_owned());
        let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
        set.create(&doc, Span::new(CharOffset(4), CharOffset(8)), "PER");
        set.create(&doc, Span::new(CharOffset(9), CharOffset(16)), "LOC");
        let fp = Fingerprint::of(doc.text().as_bytes(), "UTF-8");
        let mut bytes = sidecar::text_of(&set, &fp, false).into_bytes();
        if at < bytes.len() { bytes[at] = byte; }
        bytes.truncate(cut.min(bytes.len()));
        let text = String::from_utf8_lossy(&bytes);
        if let Ok((set, _)) = sidecar::from_text(Path::new("t.warraq.ron"), &text, &fp, &doc, None) {
            for a in set.items() {
                prop_assert!(a.start < a.end && a.end <= doc.char_count());
                prop_assert_eq!(doc.slice(a.span()), a.text.clone());
            }
        }
    }

    #[test]
    fn brat_lines_of_any_shape_import_or_are_reported(
        lines in proptest::collection::vec(
            (0u8..6, proptest::collection::vec((0usize..40, 0usize..40), 0..4), "\\PC{0,12}"),
            0..30
        )
    ) {
        let doc = Document::new("موسكو عاصمة روسيا\nوواشنطن عاصمة أمريكا".to_owned());
        let mut ann = String::new();
        for (i, (kind, ranges, text)) in lines.iter().enumerate() {
            let frags: Vec<String> = ranges.iter().map(|(a, b)| format!("{a} {b}")).collect();
            let line = match kind {
                0 | 1 => format!("T{i}\tPER {}\t{text}", frags.join(";")),
                2 => format!("#{i}\tAnnotatorNotes T{}\t{text}", i / 2),
                3 => format!("R{i}\tRel Arg1:T1 Arg2:T2"),
                4 => format!("T{i}\t{text}"),
                _ => text.clone(),
            };
            ann.push_str(&line);
            ann.push('\n');
        }
        let (set, problems) = warraq::export::brat::import(&doc, &ann, TagSet::default());
        for a in set.items() {
            prop_assert!(a.start < a.end && a.end <= doc.char_count());
        }
        let n = ann.lines().count();
        for p in problems {
            prop_assert!(p.line >= 1 && p.line <= n);
        }
    }

    #[test]
    fn conll_of_any_text_imports_with_consistent_offsets(text in "(\\PC{0,8}( [BIO](-[A-Z]{1,3})?){0,3}\n?){0,40}") {
        let (doc, set, problems) = warraq::export::conll::import(&text, TagSet::default());
        for a in set.items() {
            prop_assert!(a.start < a.end && a.end <= doc.char_count());
            prop_assert_eq!(doc.slice(a.span()), a.text.clone());
        }
        let n = text.lines().count();
        for p in problems {
            prop_assert!(p.line >= 1 && p.line <= n);
        }
    }

    #[test]
    fn gazetteer_lists_of_any_text_parse_and_match(text in "\\PC{0,300}", doc_text in nasty_text(30)) {
        let (entries, problems) = warraq::model::gazetteer::parse(&text);
        let n = text.lines().count();
        for p in problems {
            prop_assert!(p.line >= 1 && p.line <= n);
        }
        let index = warraq::model::search::SearchIndex::of_text(&doc_text);
        let doc = index.document();
        let set = AnnotationSet::default();
        for s in warraq::model::gazetteer::suggest(doc, &index, &set.marks(), &entries) {
            prop_assert!(s.start < s.end && s.end <= doc.char_count());
        }
    }
}

proptest! {
    #![proptest_config(config(200))]

    #[test]
    fn jsonl_files_of_any_text_import_or_are_reported(lines in proptest::collection::vec(
        prop_oneof![
            "\\PC{0,40}",
            ("\\PC{0,10}", "\\PC{0,20}", proptest::collection::vec((0usize..30, 0usize..30), 0..4)).prop_map(|(doc, text, ents)| {
                let e: Vec<serde_json::Value> = ents.iter().map(|(s, e)| serde_json::json!({"start": s, "end": e, "label": "PER"})).collect();
                serde_json::json!({"document": doc, "text": text, "entities": e}).to_string()
            }),
        ], 0..8)
    ) {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("in.jsonl");
        std::fs::write(&f, lines.join("\n")).unwrap();
        let out = dir.path().join("out");
        match warraq::export::io::import_file(&f, "jsonl", Some(&out)) {
            Ok(r) => {
                for d in &r.documents {
                    prop_assert!(d.starts_with(&out), "{} left the folder", d.display());
                }
            }
            Err(e) => prop_assert!(e.contains("in.jsonl")),
        }
    }

    #[test]
    fn any_paragraph_lays_out(text in nasty_text(60), width in 16.0f32..2000.0, size in 4.0f32..120.0) {
        let mut engine = warraq::text::TextEngine::new();
        let style = warraq::text::TextStyle { font_size: size, line_height: 1.2, bold: false };
        let layout = engine.layout(&text, &style, Some(width));
        prop_assert!(layout.height().is_finite());
        prop_assert!(layout.line_count() >= 1 || text.is_empty());
    }
}

#[test]
fn a_combining_flood_and_a_long_line_lay_out() {
    let mut engine = warraq::text::TextEngine::new();
    let style = warraq::text::TextStyle {
        font_size: 20.0,
        line_height: 1.2,
        bold: false,
    };
    let flood = format!("م{}", "\u{0651}".repeat(20_000));
    let layout = engine.layout(&flood, &style, Some(600.0));
    assert!(layout.height().is_finite());
    let long = "كلمة ".repeat(20_000);
    let layout = engine.layout(&long, &style, Some(600.0));
    assert!(layout.line_count() > 100);
}
