//! Curation in the real window: Tools ▸ Curate… makes the curated folder from two annotators' folders, the
//! disagreements are answered with the keys, undo takes an answer back, and reopening keeps every decision.

mod common;

use egui::{Key, Modifiers, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use warraq::app::commands::Command;
use warraq::app::{SAMPLE_TEXT, WarraqApp};
use warraq::model::curation::Kind;

use common::{press, span_of};

/// Two annotators' folders with the sample annotated differently.
fn two_annotators(dir: &std::path::Path) {
    let alice: &[(&str, &str)] = &[
        ("روسيا", "GPE"),
        ("الولايات المتحدة", "GPE"),
        ("موسكو", "GPE"),
    ];
    let bob: &[(&str, &str)] = &[("روسيا", "GPE"), ("الولايات", "GPE"), ("أنتونوف", "PER")];
    for (folder, list, name) in [("alice", alice, "alice"), ("bob", bob, "bob")] {
        let f = dir.join(folder);
        std::fs::create_dir_all(&f).unwrap();
        let path = f.join("article.txt");
        std::fs::write(&path, SAMPLE_TEXT).unwrap();
        let mut d = warraq::workspace::OpenDocument::open(&path, None).unwrap();
        d.annotations.annotator = name.into();
        let doc = d.doc.clone();
        for (w, tag) in list {
            d.annotations.create(&doc, span_of(w), tag).unwrap();
        }
        d.save_now().unwrap();
    }
}

fn step_until(h: &mut Harness<'_, WarraqApp>, what: &str, done: impl Fn(&WarraqApp) -> bool) {
    for _ in 0..1000 {
        h.step();
        if done(h.state()) {
            h.run_steps(2);
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("never happened: {what}");
}

fn curated_count(h: &Harness<'_, WarraqApp>) -> usize {
    h.state().document().unwrap().annotations.items().len()
}

/// The versions the disagreement looked at offers: (kind, annotations kept by taking annotator 0, by 1, by all).
fn looked_at(h: &Harness<'_, WarraqApp>) -> (Kind, usize, usize, usize) {
    let (c, _) = h.state().curation().expect("curating");
    let g = &c.groups[c.current.expect("a disagreement looked at")];
    use warraq::model::curation::Choice;
    (
        g.kind.unwrap(),
        g.chosen(Choice::Annotator(0)).len(),
        g.chosen(Choice::Annotator(1)).len(),
        g.chosen(Choice::All).len(),
    )
}

#[test]
fn curating_two_annotators_folders_with_the_keys_undo_and_reopening() {
    let dir = tempfile::tempdir().unwrap();
    two_annotators(dir.path());
    let before: Vec<Vec<u8>> = ["alice", "bob"]
        .iter()
        .map(|a| std::fs::read(dir.path().join(a).join("article.txt.warraq.ron")).unwrap())
        .collect();
    let into = dir.path().join("curated");
    let mut h = common::harness(WarraqApp::new(Default::default()), Vec2::new(1400.0, 900.0));
    let ctx = h.ctx.clone();
    h.state_mut().run(&ctx, Command::Curate);
    h.run_steps(2);
    assert!(h.state().is_showing_curate());
    h.state_mut().add_curate_source(dir.path().join("alice"));
    h.state_mut().add_curate_source(dir.path().join("bob"));
    h.state_mut().set_curate_into(into.clone());
    h.run_steps(2);
    h.get_by_label("Make the Curated Copies").click();
    step_until(&mut h, "the curated folder is made", |a| {
        a.curate_result().is_some()
    });
    let report = h.state().curate_result().unwrap().as_ref().unwrap().clone();
    assert_eq!(report.documents.len(), 1);
    assert_eq!(report.documents[0].merged, 1, "روسيا is agreed");
    assert_eq!(report.documents[0].disagreements, 3);
    // The curated document opens and reads its annotators' copies.
    step_until(&mut h, "the curated document is curating", |a| {
        a.curation().is_some()
    });
    assert_eq!(
        h.state().document().unwrap().path.as_deref(),
        Some(into.join("article.txt").as_path())
    );
    assert_eq!(curated_count(&h), 1);
    assert!(
        h.query_by_label("0 of 3 disagreements decided · 1 agreed annotations")
            .is_some()
    );
    // Each disagreement in turn: the first annotator's version, the second's, then neither.
    let mut expected = 1;
    let mut kinds = Vec::new();
    for (key, pick) in [(Key::Num1, 0), (Key::Num2, 1), (Key::N, 2)] {
        let (kind, first, second, _) = looked_at(&h);
        kinds.push(kind);
        press(&mut h, key, Modifiers::ALT);
        h.run_steps(2);
        expected += [first, second, 0][pick];
        assert_eq!(
            curated_count(&h),
            expected,
            "after answering a {kind:?} with {key:?}"
        );
    }
    kinds.sort_by_key(|k| format!("{k:?}"));
    assert_eq!(kinds, [Kind::Boundaries, Kind::Missing, Kind::Missing]);
    let (_, record) = h.state().curation().unwrap();
    assert_eq!(record.decided.len(), 4, "three answers and the agreed one");
    assert!(
        h.query_by_label("3 of 3 disagreements decided · 1 agreed annotations")
            .is_some()
    );
    // Undo takes the last answer back; the next answer (all) is given to the same disagreement.
    press(&mut h, Key::Z, Modifiers::COMMAND);
    h.run_steps(2);
    let (c, record) = h.state().curation().unwrap();
    assert_eq!(record.decided.len(), 3);
    assert!(
        c.next_undecided(record, None, true).is_some(),
        "one disagreement is open again"
    );
    let (c, record) = h.state().curation().unwrap();
    assert!(
        !record.is_decided(c.groups[c.current.unwrap()].key),
        "after undo the question taken back is the one looked at"
    );
    let (_, _, _, all) = looked_at(&h);
    press(&mut h, Key::A, Modifiers::ALT);
    h.run_steps(2);
    expected += all;
    assert_eq!(curated_count(&h), expected);
    press(&mut h, Key::S, Modifiers::COMMAND);
    common::wait_saved(&mut h);
    let ron = std::fs::read_to_string(into.join("article.txt.warraq.ron")).unwrap();
    assert!(ron.contains("curation: Some(("), "{ron}");
    assert!(ron.contains("\"../alice/article.txt\""), "{ron}");
    // The annotators' files were only read.
    for (a, b) in ["alice", "bob"].iter().zip(&before) {
        assert_eq!(
            &std::fs::read(dir.path().join(a).join("article.txt.warraq.ron")).unwrap(),
            b
        );
    }
    drop(h);
    // Reopening the curated document: every decision kept, nothing merged twice.
    let mut h = common::open(&into.join("article.txt"), Vec2::new(1400.0, 900.0));
    step_until(&mut h, "curating again", |a| a.curation().is_some());
    let (c, record) = h.state().curation().unwrap();
    let p = c.progress(record);
    assert_eq!((p.decided, p.disagreements, p.agreed), (3, 3, 1));
    assert_eq!(curated_count(&h), expected);
    assert!(
        h.query_by_label(
            "Every disagreement is decided. The curated annotations are saved with this document."
        )
        .is_some()
    );
}
