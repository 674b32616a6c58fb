//! Export and import: golden files for every format on the sample article with a fixed set of annotations
//! (overlapping and nested spans, Arabic notes with quotes, tabs and newlines, digits, a span crossing a line);
//! offset checks in each format's own unit; round trips; bad input.
//!
//! Regenerate the golden files after an intended change with `UPDATE_GOLDEN=1 cargo test --test export`.

use std::path::Path;

use warraq::export::{self, ExportDoc, Format, Options, brat, conll};
use warraq::model::{AnnotationSet, CharOffset, Document, Span, TagSet};

const SAMPLE: &str = include_str!("../assets/sample-article-ar.txt");
const WOJOOD: &str = include_str!("data/wojood/test.txt");

fn nth(text: &str, word: &str, n: usize) -> Span {
    let (b, _) = text.match_indices(word).nth(n).unwrap();
    let s = text[..b].chars().count();
    Span::new(CharOffset(s), CharOffset(s + word.chars().count()))
}

fn fixture() -> (Document, AnnotationSet) {
    let doc = Document::new(SAMPLE.to_owned());
    let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
    let russia = set.create(&doc, nth(SAMPLE, "روسيا", 0), "GPE").unwrap();
    set.set_note(russia, "دولة \"كبرى\"\tملاحظة\nسطر ثان, مع فاصلة");
    set.create(&doc, nth(SAMPLE, "الولايات المتحدة", 0), "GPE")
        .unwrap();
    set.create(&doc, nth(SAMPLE, "الولايات", 0), "LOC").unwrap();
    let us = nth(SAMPLE, "المتحدة إجراء", 0);
    set.create(&doc, us, "MISC").unwrap();
    set.create(&doc, nth(SAMPLE, "28 يوليو 2021", 0), "DATE")
        .unwrap();
    let across = Span::new(nth(SAMPLE, "سفير", 0).start, nth(SAMPLE, "روسيا", 1).end);
    set.create(&doc, across, "MISC").unwrap();
    let per = set
        .create(&doc, nth(SAMPLE, "أناتولي أنتونوف", 0), "PER")
        .unwrap();
    set.set_note(per, "السفير الروسي");
    // Format 2: a relation with a note, attributes, a knowledge-base link, a discontinuous entity.
    let us_gpe = set
        .create(&doc, nth(SAMPLE, "الولايات المتحدة", 0), "GPE")
        .unwrap();
    let employed = set.relate(per, us_gpe, "EmployedBy").unwrap();
    set.set_relation_note(employed, "سفير لدى واشنطن");
    set.relate(russia, us_gpe, "Negotiates").unwrap();
    set.set_attribute(per, "Certainty", Some("High"));
    set.set_attribute(russia, "Negated", Some("true"));
    set.add_link(
        russia,
        warraq::model::Link {
            db: "Wikidata".into(),
            id: "Q159".into(),
            label: "روسيا".into(),
        },
    );
    set.create_discontinuous(
        &doc,
        &[nth(SAMPLE, "السفير الروسي", 0), nth(SAMPLE, "أنتونوف", 0)],
        "PER",
    )
    .unwrap();
    // Fixed timestamps so the files do not change from run to run.
    let items: Vec<_> = set
        .items()
        .iter()
        .cloned()
        .map(|mut a| {
            a.created = "2024-01-15T05:00:00Z".into();
            a.modified = "2024-01-15T05:00:00Z".into();
            a
        })
        .collect();
    let relations: Vec<_> = set
        .relations()
        .iter()
        .cloned()
        .map(|mut r| {
            r.created = "2024-01-15T05:00:00Z".into();
            r.modified = "2024-01-15T05:00:00Z".into();
            r
        })
        .collect();
    (
        doc,
        AnnotationSet::new(items, Vec::new(), set.tags.clone()).with_relations(relations),
    )
}

fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/golden")
        .join(name);
    if std::env::var("UPDATE_GOLDEN").is_ok() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{}: missing; run with UPDATE_GOLDEN=1", path.display()));
    assert!(
        expected == actual,
        "{name} differs from its golden file; if intended, run with UPDATE_GOLDEN=1"
    );
}

/// Today's date and the embedded font are not part of the golden files.
fn stable(s: &str) -> String {
    let today = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()[..10]
        .to_owned();
    let mut s = s.replace(&today, "DATE");
    if let Some(i) = s.find("base64,") {
        let j = s[i..].find(')').unwrap() + i;
        s.replace_range(i + 7..j, "FONT");
    }
    s
}

#[test]
fn every_format_matches_its_golden_file() {
    let (doc, set) = fixture();
    let docs = [ExportDoc {
        name: "sample-article-ar.txt".into(),
        doc: &doc,
        annotations: &set,
    }];
    for (format, file) in [
        (Format::NotesMd, "sample.notes.md"),
        (Format::NotesHtml, "sample.notes.html"),
        (Format::Csv, "sample.csv"),
        (Format::Jsonl, "sample.jsonl"),
        (Format::JsonlDoccano, "sample.doccano.jsonl"),
        (Format::Conll, "sample.conll"),
        (Format::W3c, "sample.jsonld"),
    ] {
        golden(
            file,
            &stable(&export::render(format, &docs, Options::default())),
        );
    }
    golden(
        "sample.outermost.conll",
        &export::render(
            Format::Conll,
            &docs,
            Options {
                outermost_only: true,
            },
        ),
    );
    let (txt, ann) = brat::export(&docs[0]);
    golden("sample.ann", &ann);
    assert_eq!(
        txt, SAMPLE,
        "the sample has LF line ends: the brat text is the same"
    );
}

#[test]
fn exported_offsets_slice_to_the_entity_text_in_each_unit() {
    let (doc, set) = fixture();
    let docs = [ExportDoc {
        name: "s.txt".into(),
        doc: &doc,
        annotations: &set,
    }];
    // JSONL: code points.
    let line: serde_json::Value = serde_json::from_str(
        export::render(Format::Jsonl, &docs, Options::default())
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let text: Vec<char> = line["text"].as_str().unwrap().chars().collect();
    for e in line["entities"].as_array().unwrap() {
        let (s, t) = (
            e["start"].as_u64().unwrap() as usize,
            e["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            text[s..t].iter().collect::<String>(),
            e["text"].as_str().unwrap()
        );
    }
    // doccano: UTF-16 code units.
    let line: serde_json::Value = serde_json::from_str(
        export::render(Format::JsonlDoccano, &docs, Options::default())
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let u16: Vec<u16> = line["text"].as_str().unwrap().encode_utf16().collect();
    // One label a piece (doccano has no discontinuous entities).
    let pieces: Vec<(String, &str)> = set
        .items()
        .iter()
        .flat_map(|a| {
            a.pieces()
                .into_iter()
                .map(|p| (doc.slice(p), a.tag.as_str()))
        })
        .collect();
    let labels = line["label"].as_array().unwrap();
    assert_eq!(labels.len(), pieces.len());
    for (l, (text, tag)) in labels.iter().zip(&pieces) {
        let (s, t) = (
            l[0].as_u64().unwrap() as usize,
            l[1].as_u64().unwrap() as usize,
        );
        assert_eq!(&String::from_utf16(&u16[s..t]).unwrap(), text);
        assert_eq!(l[2], *tag);
    }
    // With relations, doccano's relation-extraction keys: entity ids at both ends.
    let ids: Vec<u64> = line["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    for r in line["relations"].as_array().unwrap() {
        assert!(ids.contains(&r["from_id"].as_u64().unwrap()));
        assert!(ids.contains(&r["to_id"].as_u64().unwrap()));
    }
    // W3C: TextPositionSelector over the text, TextQuoteSelector exact.
    let w3c: serde_json::Value =
        serde_json::from_str(&export::render(Format::W3c, &docs, Options::default())).unwrap();
    let chars: Vec<char> = SAMPLE.chars().collect();
    let items = w3c["first"]["items"].as_array().unwrap();
    let linking: Vec<&serde_json::Value> = items
        .iter()
        .filter(|i| i["motivation"] == "linking")
        .collect();
    assert_eq!(linking.len(), set.relations().len());
    let item_ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    for r in &linking {
        for end in r["target"].as_array().unwrap() {
            assert!(item_ids.contains(&end.as_str().unwrap()), "{end}");
        }
    }
    for item in items.iter().filter(|i| i["motivation"] != "linking") {
        // One target, or one per piece of a discontinuous entity.
        let targets = match item["target"].as_array() {
            Some(list) => list.clone(),
            None => vec![item["target"].clone()],
        };
        for target in targets {
            let sel = &target["selector"];
            let (s, t) = (
                sel[0]["start"].as_u64().unwrap() as usize,
                sel[0]["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(
                chars[s..t].iter().collect::<String>(),
                sel[1]["exact"].as_str().unwrap()
            );
        }
    }
    // CSV: start and end over the document text; quoting keeps the note whole.
    let csv = export::render(Format::Csv, &docs, Options::default());
    assert!(csv.starts_with('\u{FEFF}'));
    assert!(csv.contains("\"دولة \"\"كبرى\"\"\tملاحظة\nسطر ثان, مع فاصلة\""));
    // brat: fragments over the .txt, the span across the line break in two pieces.
    let (txt, ann) = brat::export(&docs[0]);
    let tchars: Vec<char> = txt.chars().collect();
    for line in ann.lines().filter(|l| l.starts_with('T')) {
        let f: Vec<&str> = line.split('\t').collect();
        let pieces: Vec<String> = f[1]
            .split_once(' ')
            .unwrap()
            .1
            .split(';')
            .map(|r| {
                let (a, b) = r.split_once(' ').unwrap();
                tchars[a.parse::<usize>().unwrap()..b.parse::<usize>().unwrap()]
                    .iter()
                    .collect()
            })
            .collect();
        assert_eq!(pieces.join(" "), f[2]);
    }
    assert!(
        ann.lines().any(|l| l.contains(';')),
        "the span across a line is discontinuous in brat"
    );
}

#[test]
fn brat_round_trip_and_crlf_offsets() {
    let (doc, set) = fixture();
    let (_, ann) = brat::export(&ExportDoc {
        name: "s.txt".into(),
        doc: &doc,
        annotations: &set,
    });
    let (back, problems) = brat::import(&doc, &ann, TagSet::default());
    assert!(problems.is_empty(), "{problems:?}");
    let spans = |s: &AnnotationSet| {
        s.items()
            .iter()
            .map(|a| (a.start, a.end, a.tag.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(spans(&back), spans(&set));
    assert_eq!(
        back.items()[0].note,
        "دولة \"كبرى\" ملاحظة سطر ثان, مع فاصلة",
        "brat notes are one line"
    );
    // With CR LF line ends, brat counts one character per line break; importing maps back.
    let crlf = Document::new(SAMPLE.replace('\n', "\r\n"));
    let mut set2 = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
    let target = nth(crlf.text(), "أناتولي أنتونوف", 0);
    set2.create(&crlf, target, "PER");
    let (txt, ann) = brat::export(&ExportDoc {
        name: "c.txt".into(),
        doc: &crlf,
        annotations: &set2,
    });
    assert!(!txt.contains('\r'));
    let f: Vec<&str> = ann.lines().next().unwrap().split('\t').collect();
    assert_eq!(f[2], "أناتولي أنتونوف");
    let (back, problems) = brat::import(&crlf, &ann, TagSet::default());
    assert!(problems.is_empty());
    assert_eq!(back.items()[0].span(), target);
}

#[test]
fn brat_round_trip_keeps_relations_pieces_attributes_links_and_notes() {
    let (doc, set) = fixture();
    let (_, ann) = brat::export(&ExportDoc {
        name: "s.txt".into(),
        doc: &doc,
        annotations: &set,
    });
    assert!(ann.contains("\tEmployedBy Arg1:T"), "{ann}");
    assert!(ann.contains("\tNegated T"), "{ann}");
    assert!(
        ann.contains("\tCertainty T") && ann.contains(" High\n"),
        "{ann}"
    );
    assert!(
        ann.contains("\tReference T") && ann.contains(" Wikidata:Q159\tروسيا"),
        "{ann}"
    );
    assert!(ann.contains("AnnotatorNotes R"), "{ann}");
    let (back, problems) = brat::import(&doc, &ann, TagSet::default());
    assert!(problems.is_empty(), "{problems:?}");
    // Every item back, compared by what it covers rather than by id.
    let key = |s: &AnnotationSet, id: u64| {
        let a = s.get(id).unwrap();
        (a.start, a.end, a.tag.clone(), a.fragments.clone())
    };
    let items = |s: &AnnotationSet| {
        s.items()
            .iter()
            .map(|a| {
                (
                    a.start,
                    a.end,
                    a.tag.clone(),
                    a.fragments.clone(),
                    a.attributes.clone(),
                    a.links.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(items(&back), items(&set));
    let relations = |s: &AnnotationSet| {
        let mut v: Vec<_> = s
            .relations()
            .iter()
            .map(|r| (key(s, r.from), r.kind.clone(), key(s, r.to), r.note.clone()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(relations(&back), relations(&set));
    assert_eq!(back.relations().len(), 2);
    assert!(back.tags.relation("EmployedBy").is_some());
    // Events and equivalences are named, not silently dropped.
    let extra = format!("{ann}E1\tAttack:T1\n*\tAlias T1 T2\n");
    let (_, problems) = brat::import(&doc, &extra, TagSet::default());
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].message.contains("events") && problems[1].message.contains("equivalences"));
}

#[test]
fn brat_and_jsonl_imports_name_what_they_cannot_use() {
    let doc = Document::new("روسيا عرضت على الولايات المتحدة حوارا.".to_owned());
    // A relation without a type, an id used twice, an attribute with two values, an empty span, two adjacent
    // words as pieces of one entity (kept in two pieces: only a line break joins pieces).
    let ann = "T1\tGPE 0 5\tروسيا\nT2\tGPE 15 31\tالولايات المتحدة\nR1\t Arg1:T1 Arg2:T2\nT2\tLOC 0 5\tروسيا\n\
        A1\tCertainty T1 High Low\nT3\tGPE 5 5\t\nT4\tMISC 6 10;11 14\tعرضت على\n";
    let (set, problems) = brat::import(&doc, ann, TagSet::default());
    let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![3, 4, 5, 6], "{problems:?}");
    assert!(set.relations().is_empty());
    let misc = set.items().iter().find(|a| a.tag == "MISC").unwrap();
    assert_eq!(misc.fragments, vec![(6, 10), (11, 14)]);
    // JSONL: a label, pieces that reach the entity's ends, values of any plain JSON type.
    let line: export::jsonl::Line = serde_json::from_value(serde_json::json!({
        "text": doc.text(),
        "entities": [
            {"id": 1, "start": 0, "end": 5, "label": "GPE", "attributes": {"Negated": true, "Rank": 2, "": "x"}},
            {"id": 2, "start": 15, "end": 31, "label": ""},
            {"id": 3, "start": 15, "end": 31, "label": "GPE", "fragments": [[0, 5], [20, 25]]},
            {"id": 4, "start": 15, "end": 31, "label": "GPE", "fragments": [[15, 23], [24, 31]],
             "links": [{"db": "", "id": "", "label": ""}]},
            {"id": 5, "start": 5, "end": 5, "label": "GPE"}
        ],
        "relations": [
            {"id": 9, "from_id": 1, "to_id": 4, "type": "Negotiates", "note": "ملاحظة"},
            {"id": 10, "from_id": 1, "to_id": 1, "type": "Self"},
            {"id": 11, "from_id": 1, "to_id": 4, "type": ""},
            {"id": 12, "from_id": 1, "to_id": 3, "type": "X"}
        ]
    }))
    .unwrap();
    let (_, set, problems) = export::jsonl::import_line(line);
    assert_eq!(set.items().len(), 2, "{problems:?}");
    let first = set.items().iter().find(|a| a.start == 0).unwrap();
    assert_eq!(
        first.attributes.get("Negated").map(String::as_str),
        Some("true")
    );
    assert_eq!(first.attributes.get("Rank").map(String::as_str), Some("2"));
    assert_eq!(set.relations().len(), 1);
    assert_eq!(set.relations()[0].note, "ملاحظة");
    let said = problems.join("\n");
    for expected in [
        "attribute \"\"",
        "entity 2 (15–31): a label",
        "entity 3 (15–31): its fragments",
        "entity 4 (15–31): a link needs",
        "entity 5 (5–5): an empty span",
        "relation 10 (Self 1 → 1): links an entity to itself",
        "relation 11 ( 1 → 4): a type",
        "relation 12 (X 1 → 3): does not name",
    ] {
        assert!(said.contains(expected), "{expected}: {said}");
    }
}

#[test]
fn brat_bad_input_is_reported_by_line() {
    let doc = Document::new("قال محمد في القاهرة".to_owned());
    let ann = "T1\tPER 4 8\tمحمد\nT2\tLOC 12 19\tالقاهره\nT3\tLOC 12 99\tالقاهرة\nT4 broken line\nR1\tRel Arg1:T1 Arg2:T2\n#1\tAnnotatorNotes T1\tاسم علم\n#2\tAnnotatorNotes T9\tلا شيء\n";
    let (set, problems) = brat::import(&doc, ann, TagSet::default());
    assert_eq!(set.items().len(), 1);
    assert_eq!(set.items()[0].note, "اسم علم");
    let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, vec![2, 3, 4, 5, 7], "{problems:?}");
    assert!(
        problems[0].message.contains("القاهرة") && problems[1].message.contains("past the end")
    );
}

#[test]
fn wojood_conll_import_then_export_gives_every_token_its_tags_back() {
    let (doc, set, problems) = conll::import(WOJOOD, TagSet::default());
    assert!(
        problems.is_empty(),
        "{:?}",
        &problems[..problems.len().min(5)]
    );
    assert_eq!(
        set.items().len(),
        WOJOOD.matches("B-").count(),
        "one annotation per B- tag"
    );
    let nested = set
        .items()
        .iter()
        .filter(|a| {
            set.items()
                .iter()
                .any(|b| b.id != a.id && b.start <= a.start && a.end <= b.end)
        })
        .count();
    assert!(nested > 100, "{nested} nested entities");
    let out = export::render(
        Format::Conll,
        &[ExportDoc {
            name: "wojood.txt".into(),
            doc: &doc,
            annotations: &set,
        }],
        Options::default(),
    );
    let normalize = |s: &str| -> Vec<String> {
        s.lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
    };
    let (a, b) = (normalize(WOJOOD.trim_end()), normalize(out.trim_end()));
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_eq!(x, y, "line {}", i + 1);
    }
}

#[test]
fn conll_splits_tokens_at_entity_boundaries_and_reports_bad_tags() {
    let doc = Document::new("قال ومحمد في القاهرة.".to_owned());
    let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
    let muhammad = nth(doc.text(), "محمد", 0);
    set.create(&doc, muhammad, "PER");
    let out = export::render(
        Format::Conll,
        &[ExportDoc {
            name: "x".into(),
            doc: &doc,
            annotations: &set,
        }],
        Options::default(),
    );
    assert_eq!(out, "قال O\nو O\nمحمد B-PER\nفي O\nالقاهرة O\n. O\n\n");
    let (_, set, problems) = conll::import("قال O\nمحمد I-PER\nعلي X\n", TagSet::default());
    assert_eq!(set.items().len(), 1);
    assert_eq!(
        problems.iter().map(|p| p.line).collect::<Vec<_>>(),
        vec![2, 3]
    );
}

#[test]
fn cli_export_and_import_round_trip_through_files() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("article.txt");
    std::fs::write(&src, SAMPLE).unwrap();
    let (doc, set) = fixture();
    let _ = doc;
    warraq::store::sidecar::save(
        &warraq::store::sidecar::sidecar_path(&src),
        &set,
        warraq::store::sidecar::Fingerprint::of(SAMPLE.as_bytes(), "UTF-8"),
        false,
    )
    .unwrap();
    let bin = env!("CARGO_BIN_EXE_warraq");
    for format in Format::ALL {
        let o = std::process::Command::new(bin)
            .args(["export", src.to_str().unwrap(), "--format", format.name()])
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{}: {}",
            format.name(),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert!(dir.path().join("article-brat/article.ann").exists());
    assert!(dir.path().join("article-notes.html").exists());
    assert!(
        dir.path().join("article.doccano.jsonl").exists()
            && dir.path().join("article.jsonl").exists()
    );
    // doccano lines have no "entities": importing them as the product's JSONL fails with the line named.
    let o = std::process::Command::new(bin)
        .args([
            "import",
            dir.path().join("article.doccano.jsonl").to_str().unwrap(),
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("article.doccano.jsonl:1:"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Import the JSONL into another folder: same annotations.
    let out = dir.path().join("imported");
    let o = std::process::Command::new(bin)
        .args([
            "import",
            dir.path().join("article.jsonl").to_str().unwrap(),
            "--format",
            "jsonl",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = std::process::Command::new(bin)
        .args([
            "annotations",
            out.join("article.txt").to_str().unwrap(),
            "--json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["annotations"].as_array().unwrap().len(),
        set.items().len()
    );
    // Relations, pieces, attributes and links came through the JSONL, and `annotations --json` shows them.
    let relations = v["relations"].as_array().unwrap();
    assert_eq!(relations.len(), set.relations().len());
    let text_of = |id: &serde_json::Value| {
        v["annotations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == *id)
            .map(|a| a["text"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let employed = relations
        .iter()
        .find(|r| r["kind"] == "EmployedBy")
        .unwrap();
    assert_eq!(text_of(&employed["from"]), "أناتولي أنتونوف");
    assert_eq!(text_of(&employed["to"]), "الولايات المتحدة");
    let annotations = v["annotations"].as_array().unwrap();
    assert!(
        annotations
            .iter()
            .any(|a| a["fragments"].as_array().is_some_and(|f| f.len() == 2))
    );
    assert!(
        annotations
            .iter()
            .any(|a| a["attributes"]["Negated"] == "true")
    );
    assert!(annotations.iter().any(|a| a["links"][0]["id"] == "Q159"));
    // The same through brat: import the exported .ann, then the window's reader.
    let out = dir.path().join("from-brat");
    let o = std::process::Command::new(bin)
        .args([
            "import",
            dir.path()
                .join("article-brat/article.ann")
                .to_str()
                .unwrap(),
            "--format",
            "brat",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = std::process::Command::new(bin)
        .args(["annotations", out.join("article.txt").to_str().unwrap()])
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&o.stdout);
    assert!(listing.contains("EmployedBy"), "{listing}");
    assert!(listing.contains("Wikidata:Q159 (روسيا)"), "{listing}");
    assert!(listing.contains("Negated=true"), "{listing}");
    assert!(listing.contains("[pieces "), "{listing}");
    // Unknown format: a clear message and a non-zero exit.
    let o = std::process::Command::new(bin)
        .args(["export", src.to_str().unwrap(), "--format", "xml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("invalid value 'xml'") && err.contains("conll"),
        "{err}"
    );
}

#[test]
fn importing_brat_files_in_different_encodings_names_the_file_and_line_of_each_problem() {
    let dir = tempfile::tempdir().unwrap();
    let text = "قال محمد في القاهرة\r\nثم عاد إلى الرياض";
    // The .txt in UTF-8 with CR LF, the .ann in windows-1256 (as older tools wrote it).
    std::fs::write(dir.path().join("news.txt"), text).unwrap();
    let ann = "T1\tPER 4 8\tمحمد\nT2\tLOC 12 19\tالقاهرة\nT3\tLOC 31 37\tالرياض\nT4\tLOC 12 19\tدمشق\nT5\tPER x y\tخطأ\n#1\tAnnotatorNotes T1\tاسم\n";
    std::fs::write(
        dir.path().join("news.ann"),
        encoding_rs::WINDOWS_1256.encode(ann).0,
    )
    .unwrap();
    let out = dir.path().join("imported");
    let r =
        warraq::export::io::import_file(&dir.path().join("news.ann"), "brat", Some(&out)).unwrap();
    assert_eq!(r.annotations, 3);
    let lines: Vec<&String> = r.problems.iter().collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].contains("news.ann:4:") && lines[0].contains("دمشق"),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains("news.ann:5:"), "{}", lines[1]);
    // The imported document is the .txt as it was (CR LF kept); offsets point at the same words in it.
    let imported = std::fs::read_to_string(out.join("news.txt")).unwrap();
    assert_eq!(imported, text);
    let loaded = warraq::export::io::load(&out.join("news.txt")).unwrap();
    let texts: Vec<&str> = loaded
        .annotations
        .items()
        .iter()
        .map(|a| a.text.as_str())
        .collect();
    assert_eq!(texts, vec!["محمد", "القاهرة", "الرياض"]);
    assert_eq!(loaded.annotations.items()[0].note, "اسم");
}
