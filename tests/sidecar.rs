//! The sidecar: round trips, re-anchoring after the text changed, the bad-input table, and crash safety.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use warraq::model::{AnnotationSet, CharOffset, Document, Span, TagSet};
use warraq::store::sidecar::{self, Fingerprint, SidecarError};

const TEXT: &str =
    "قال محمد بن سلمان في القاهرة يوم 28 يوليو 2021 إن الاجتماع انتهى.\nوأضاف الرئيس أن مصر مستعدة.";

fn span(a: usize, b: usize) -> Span {
    Span::new(CharOffset(a), CharOffset(b))
}

fn find(text: &str, word: &str) -> Span {
    let b = text.find(word).unwrap();
    let s = text[..b].chars().count();
    span(s, s + word.chars().count())
}

struct Fixture {
    _dir: tempfile::TempDir,
    source: PathBuf,
}

fn fixture(text: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("خبر.txt");
    std::fs::write(&source, text).unwrap();
    Fixture { _dir: dir, source }
}

fn annotated(doc: &Document) -> AnnotationSet {
    let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
    let per = set.create(doc, find(TEXT, "محمد بن سلمان"), "PER").unwrap();
    set.create(doc, find(TEXT, "القاهرة"), "LOC").unwrap();
    set.create(doc, find(TEXT, "28 يوليو 2021"), "DATE")
        .unwrap();
    set.create(doc, find(TEXT, "مصر"), "GPE").unwrap();
    // A span that crosses the line break, and a nested one.
    set.create(
        doc,
        Span::new(find(TEXT, "انتهى").start, find(TEXT, "وأضاف").end),
        "MISC",
    )
    .unwrap();
    set.create(doc, find(TEXT, "محمد"), "PER").unwrap();
    set.set_note(per, "ولي العهد \"السعودي\"\tملاحظة\nسطر ثان");
    set
}

fn save(f: &Fixture, set: &AnnotationSet) {
    let bytes = std::fs::read(&f.source).unwrap();
    sidecar::save(
        &sidecar::sidecar_path(&f.source),
        set,
        Fingerprint::of(&bytes, "UTF-8"),
        false,
    )
    .unwrap();
}

fn load(f: &Fixture) -> Result<(AnnotationSet, sidecar::LoadReport), SidecarError> {
    let bytes = std::fs::read(&f.source).unwrap();
    let doc = Document::new(String::from_utf8(bytes.clone()).unwrap());
    sidecar::load(&f.source, &bytes, "UTF-8", &doc)
}

#[test]
fn save_and_load_give_the_same_annotations_and_never_touch_the_source() {
    let f = fixture(TEXT);
    let doc = Document::new(TEXT.to_owned());
    let set = annotated(&doc);
    save(&f, &set);
    save(&f, &set); // the second save keeps the first as .bak
    assert_eq!(std::fs::read_to_string(&f.source).unwrap(), TEXT);
    let path = sidecar::sidecar_path(&f.source);
    assert!(
        path.file_name()
            .unwrap()
            .to_string_lossy()
            .ends_with("خبر.txt.warraq.ron")
    );
    assert!(PathBuf::from(format!("{}.bak", path.display())).exists());
    let (loaded, report) = load(&f).unwrap();
    assert_eq!(loaded.items(), set.items());
    assert_eq!(loaded.tags, set.tags);
    assert!(
        report.stamp.is_some(),
        "the sidecar's stamp is kept for the next save"
    );
    assert_eq!(
        report.text.as_deref(),
        std::fs::read_to_string(&path).ok().as_deref(),
        "the text as read is kept as the base of a later merge"
    );
    assert_eq!(
        sidecar::LoadReport {
            stamp: None,
            text: None,
            ..report
        },
        sidecar::LoadReport::default()
    );
    // Human-readable: the quote and the note are there as text.
    let ron = std::fs::read_to_string(&path).unwrap();
    assert!(ron.contains("text: \"محمد بن سلمان\""), "{ron}");
    assert!(ron.contains("format: 2"));
}

#[test]
fn relations_pieces_attributes_and_links_round_trip_and_a_format_1_file_still_reads() {
    let f = fixture(TEXT);
    let doc = Document::new(TEXT.to_owned());
    let mut set = annotated(&doc);
    let per = set
        .items()
        .iter()
        .find(|a| a.text == "محمد بن سلمان")
        .unwrap()
        .id;
    let place = set.items().iter().find(|a| a.text == "القاهرة").unwrap().id;
    let r = set.relate(per, place, "Visited").unwrap();
    set.set_relation_note(r, "زيارة \"رسمية\"\nسطر");
    set.set_attribute(per, "Certainty", Some("High"));
    set.add_link(
        place,
        warraq::model::Link {
            db: "Wikidata".into(),
            id: "Q85".into(),
            label: "القاهرة".into(),
        },
    );
    let two = set
        .create_discontinuous(&doc, &[find(TEXT, "قال"), find(TEXT, "القاهرة")], "MISC")
        .unwrap();
    save(&f, &set);
    let (loaded, report) = load(&f).unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(loaded.items(), set.items());
    assert_eq!(loaded.relations(), set.relations());
    assert_eq!(loaded.tags, set.tags);
    assert_eq!(loaded.get(two).unwrap().fragments.len(), 2);
    // The text moves: the pieces move with their annotation.
    let moved = format!("سطر جديد\n{TEXT}");
    std::fs::write(&f.source, &moved).unwrap();
    let (loaded, _) = load(&f).unwrap();
    let a = loaded.get(two).unwrap();
    let pieces: Vec<String> = a
        .pieces()
        .iter()
        .map(|p| Document::new(moved.clone()).slice(*p))
        .collect();
    assert_eq!(pieces, ["قال", "القاهرة"]);
    assert_eq!(loaded.relations().len(), 1);
    // A format-1 file (as an older Warraq wrote it) reads, and the next save writes format 2.
    std::fs::write(&f.source, TEXT).unwrap();
    let old = "(\n  format: 1,\n  source: (size: 1, sha256: \"x\", encoding: \"UTF-8\"),\n  annotations: [\n    (id: 1, start: 4, end: 8, tag: \"PER\", text: \"محمد\", prefix: \"\", suffix: \"\", note: \"\", created: \"\", modified: \"\"),\n  ],\n)\n";
    std::fs::write(sidecar::sidecar_path(&f.source), old).unwrap();
    let (loaded, _) = load(&f).unwrap();
    assert_eq!(loaded.items().len(), 1);
    assert!(loaded.relations().is_empty());
}

#[test]
fn edits_to_the_source_move_annotations_with_their_text() {
    let f = fixture(TEXT);
    let doc = Document::new(TEXT.to_owned());
    let set = annotated(&doc);
    save(&f, &set);
    // Insert text at the start and change a word elsewhere; delete "مصر" entirely; misspell القاهرة slightly.
    let changed = format!("عاجل: {}", TEXT)
        .replace("مصر", "البلاد")
        .replace("القاهرة", "القاهره");
    std::fs::write(&f.source, &changed).unwrap();
    let (loaded, report) = load(&f).unwrap();
    let doc2 = Document::new(changed.clone());
    for a in loaded.items() {
        assert_eq!(
            doc2.slice(a.span()),
            a.text,
            "annotation {} sits on its quote",
            a.id
        );
    }
    let per = loaded
        .items()
        .iter()
        .find(|a| a.text == "محمد بن سلمان")
        .unwrap();
    assert_eq!(per.span(), find(&changed, "محمد بن سلمان"));
    assert!(
        loaded
            .items()
            .iter()
            .any(|a| a.tag == "LOC" && a.text == "القاهره"),
        "fuzzy match for a one-letter change"
    );
    assert_eq!(loaded.unplaced.len(), 1);
    assert_eq!(loaded.unplaced[0].text, "مصر");
    assert_eq!(report.unplaced, 1);
    assert!(report.moved >= 5, "{report:?}");
    // Saved again, the unplaced one is kept.
    save(&f, &loaded);
    let (again, _) = load(&f).unwrap();
    assert_eq!(again.unplaced.len(), 1);
}

#[test]
fn a_repeated_word_is_found_by_its_context() {
    let text = "زار الوزير مصر ثم عاد. وفي مصر قال الرئيس كلمته.";
    let f = fixture(text);
    let doc = Document::new(text.to_owned());
    let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
    let second = Span::new(CharOffset(text.chars().count() - 23), CharOffset(0));
    let _ = second;
    let b = text.rfind("مصر").unwrap();
    let s = text[..b].chars().count();
    set.create(&doc, span(s, s + 3), "GPE").unwrap();
    save(&f, &set);
    let changed = text.replace("ثم عاد.", "ثم عاد إلى بلاده بعد زيارة طويلة.");
    std::fs::write(&f.source, &changed).unwrap();
    let (loaded, _) = load(&f).unwrap();
    let b2 = changed.rfind("مصر").unwrap();
    let s2 = changed[..b2].chars().count();
    assert_eq!(
        loaded.items()[0].span(),
        span(s2, s2 + 3),
        "the second مصر, by its context"
    );
}

fn write_sidecar(f: &Fixture, text: &str) -> PathBuf {
    let p = sidecar::sidecar_path(&f.source);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn bad_sidecars_give_clear_messages_and_lose_nothing() {
    let f = fixture(TEXT);
    let doc = Document::new(TEXT.to_owned());
    let set = annotated(&doc);
    save(&f, &set);
    let good = std::fs::read_to_string(sidecar::sidecar_path(&f.source)).unwrap();

    let errors: &[(&str, String, &str)] = &[
        (
            "truncated",
            good.chars().take(good.chars().count() / 2).collect(),
            "line",
        ),
        ("not RON", "this is not a sidecar".to_owned(), "line 1"),
        (
            "wrong type",
            good.replacen("start: ", "start: \"x\", _old: ", 1),
            "line",
        ),
        (
            "newer version",
            good.replace("format: 2", "format: 7"),
            "newer Warraq (format 7",
        ),
    ];
    for (case, text, expected) in errors {
        let path = write_sidecar(&f, text);
        let err = load(&f).unwrap_err().to_string();
        assert!(err.contains(expected), "{case}: {err}");
        assert!(
            err.contains("خبر.txt.warraq.ron"),
            "{case}: the message names the file: {err}"
        );
        assert_eq!(
            &std::fs::read_to_string(&path).unwrap(),
            text,
            "{case}: the file is untouched"
        );
    }

    // Problems that can be repaired on load: the annotations are kept and each repair is reported.
    let first_start = set.items()[0].start;
    let repairs: &[(&str, String, &str)] = &[
        (
            "offsets past the end",
            good.replacen(&format!("start: {first_start},"), "start: 5000,", 1),
            "",
        ),
        (
            "unknown tag",
            good.replace("tag: \"GPE\"", "tag: \"EVENT\""),
            "tag EVENT",
        ),
        (
            "duplicate ids",
            good.replace("id: 2,", "id: 1,"),
            "appeared twice",
        ),
    ];
    for (case, text, expected) in repairs {
        write_sidecar(&f, text);
        let (loaded, report) = load(&f).unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(
            loaded.items().len() + loaded.unplaced.len(),
            set.items().len(),
            "{case}: nothing lost"
        );
        assert!(
            report.warnings.iter().any(|w| w.contains(expected)),
            "{case}: {report:?}"
        );
        for a in loaded.items() {
            assert_eq!(
                doc.slice(a.span()),
                a.text,
                "{case}: annotation {} on its quote",
                a.id
            );
        }
    }
    // start > end
    let swapped = good
        .replacen(&format!("start: {first_start},"), "start: 9,", 1)
        .replacen(&format!("end: {},", set.items()[0].end), "end: 2,", 1);
    write_sidecar(&f, &swapped);
    let (loaded, report) = load(&f).unwrap();
    assert_eq!(loaded.items().len(), set.items().len());
    assert!(
        report.warnings.iter().any(|w| w.contains("after end")),
        "{report:?}"
    );
}

#[test]
fn moving_a_broken_sidecar_aside() {
    let f = fixture(TEXT);
    let p = write_sidecar(&f, "broken (");
    let aside = sidecar::move_aside(&p).unwrap();
    assert!(!p.exists());
    assert_eq!(std::fs::read_to_string(&aside).unwrap(), "broken (");
    assert!(aside.to_string_lossy().contains(".broken-"));
    assert!(load(&f).unwrap().0.items().is_empty(), "a fresh start");
}

#[test]
fn a_folder_tag_set_is_shared_and_not_copied_into_sidecars() {
    let f = fixture(TEXT);
    let mut tags = TagSet::default();
    tags.tags[0].name = "PERS".into();
    std::fs::write(
        sidecar::folder_tags_path(&f.source),
        ron::to_string(&tags).unwrap(),
    )
    .unwrap();
    let (set, report) = load(&f).unwrap();
    assert!(report.folder_tags);
    assert_eq!(set.tags.tags[0].name, "PERS");
    let bytes = std::fs::read(&f.source).unwrap();
    sidecar::save(
        &sidecar::sidecar_path(&f.source),
        &set,
        Fingerprint::of(&bytes, "UTF-8"),
        true,
    )
    .unwrap();
    let ron = std::fs::read_to_string(sidecar::sidecar_path(&f.source)).unwrap();
    assert!(!ron.contains("tags:"), "{ron}");
    // Editing the shared set writes the folder's file, which every document there then reads.
    let mut edited = set.tags.clone();
    edited.tags[1].label = "موقع".into();
    sidecar::save_folder_tags(&f.source, &edited).unwrap();
    let other = f.source.with_file_name("another.txt");
    std::fs::write(&other, "نص آخر").unwrap();
    let doc = Document::new("نص آخر".to_owned());
    let (other_set, report) = sidecar::load(&other, "نص آخر".as_bytes(), "UTF-8", &doc).unwrap();
    assert!(report.folder_tags);
    assert_eq!(other_set.tags, edited);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn offsets_survive_a_round_trip(spans in prop::collection::vec((0usize..90, 1usize..12), 1..12)) {
        let f = fixture(TEXT);
        let doc = Document::new(TEXT.to_owned());
        let n = doc.char_count();
        let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
        for (start, len) in spans {
            let s = start.min(n - 1);
            set.create(&doc, span(s, (s + len).min(n)), "MISC");
        }
        save(&f, &set);
        let (loaded, _) = load(&f).unwrap();
        prop_assert_eq!(loaded.items(), set.items());
    }

    #[test]
    fn reanchoring_keeps_annotations_on_their_quotes(
        edits in prop::collection::vec((0usize..200, prop::sample::select(vec!["ب", " و", "١٢", "x", "\n", "ـ"])), 1..6)
    ) {
        let f = fixture(TEXT);
        let doc = Document::new(TEXT.to_owned());
        let set = annotated(&doc);
        save(&f, &set);
        // Insert short strings at random places that are not inside an annotation.
        let mut chars: Vec<char> = TEXT.chars().collect();
        let mut protected: Vec<(usize, usize)> = set.items().iter().map(|a| (a.start, a.end)).collect();
        for (pos, ins) in edits {
            let p = pos % (chars.len() + 1);
            if protected.iter().any(|(s, e)| p > *s && p < *e) {
                continue;
            }
            let k = ins.chars().count();
            for (s, e) in &mut protected {
                if *s >= p { *s += k; *e += k; }
            }
            chars.splice(p..p, ins.chars());
        }
        let changed: String = chars.into_iter().collect();
        std::fs::write(&f.source, &changed).unwrap();
        let (loaded, _) = load(&f).unwrap();
        let doc2 = Document::new(changed);
        prop_assert_eq!(loaded.items().len(), set.items().len());
        for a in loaded.items() {
            prop_assert_eq!(doc2.slice(a.span()), a.text.clone());
        }
    }
}

/// Crash safety: a child process saves two different versions in a loop and is killed at random moments; the
/// sidecar on disk is always one complete version.
#[test]
fn killing_a_save_midway_leaves_a_complete_sidecar() {
    if let Ok(dir) = std::env::var("WARRAQ_CRASH_CHILD") {
        crash_child(Path::new(&dir));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("doc.txt");
    let big: String = TEXT.repeat(200);
    std::fs::write(&source, &big).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut rng = 0x2545F4914F6CDD1Du64;
    for round in 0..40 {
        let mut child = std::process::Command::new(&exe)
            .args([
                "--exact",
                "killing_a_save_midway_leaves_a_complete_sidecar",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("WARRAQ_CRASH_CHILD", dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        std::thread::sleep(std::time::Duration::from_millis(20 + rng % 80));
        child.kill().unwrap();
        child.wait().unwrap();
        let path = sidecar::sidecar_path(&source);
        if !path.exists() {
            continue; // killed before the first save finished: nothing was there before either
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let parsed = sidecar::parse(&path, &text)
            .unwrap_or_else(|e| panic!("round {round}: a torn sidecar: {e}"));
        let n = parsed.annotations.len();
        assert!(n == 100 || n == 101, "round {round}: {n} annotations");
    }
}

fn crash_child(dir: &Path) {
    let source = dir.join("doc.txt");
    let text = std::fs::read_to_string(&source).unwrap();
    let doc = Document::new(text.clone());
    let fp = Fingerprint::of(text.as_bytes(), "UTF-8");
    let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
    for i in 0..100 {
        set.create(&doc, span(i * 40, i * 40 + 5), "PER");
    }
    let path = sidecar::sidecar_path(&source);
    let mut extra = None;
    loop {
        match extra.take() {
            Some(id) => {
                set.delete(id);
            }
            None => extra = set.create(&doc, span(7, 19), "LOC"),
        }
        sidecar::save(&path, &set, fp.clone(), false).unwrap();
    }
}
