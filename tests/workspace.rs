//! The open-document code without a window: saving, failures, leaving a document, reopening, two writers, jobs.
//! Every promise of `docs/RELIABILITY.md` about annotations in memory is checked here.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use warraq::model::{CharOffset, Span};
use warraq::store::sidecar;
use warraq::workspace::{LeaveChoice, Next, OpenDocument, SaveError, Workspace, Writer, no_waker};

const TEXT: &str = "زار أناتولي أنتونوف موسكو ثم عاد إلى واشنطن\nوقالت روسيا إن الاجتماع انتهى\n";

fn file(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, TEXT).unwrap();
    p
}

fn span_of(word: &str) -> Span {
    let byte = TEXT.find(word).unwrap();
    let start = TEXT[..byte].chars().count();
    Span::new(CharOffset(start), CharOffset(start + word.chars().count()))
}

fn tag(d: &mut OpenDocument, word: &str, tag: &str) -> u64 {
    let doc = d.doc.clone();
    d.annotations.create(&doc, span_of(word), tag).unwrap()
}

/// A writer that fails while `fail` is set (a full disk), and writes atomically otherwise.
fn failing_writer(fail: Arc<AtomicBool>) -> Writer {
    Arc::new(move |path: &Path, bytes: &[u8]| {
        if fail.load(Ordering::SeqCst) {
            Err(std::io::Error::other("No space left on device"))
        } else {
            warraq::store::write::atomic_write(path, bytes, true)
        }
    })
}

/// The annotations on disk for `path`, as (text, tag).
/// A document in `dir` whose disk is full (until the flag is cleared), with one unsaved annotation.
fn failing_document(dir: &Path) -> (PathBuf, OpenDocument, Arc<AtomicBool>) {
    let a = file(dir, "a.txt");
    let mut d = OpenDocument::open(&a, None).unwrap();
    let fail = Arc::new(AtomicBool::new(true));
    d.set_writer(failing_writer(fail.clone()));
    tag(&mut d, "موسكو", "LOC");
    (a, d, fail)
}

/// `a.txt` in `dir` with موسكو tagged LOC and saved.
fn saved_with_moscow(dir: &Path) -> PathBuf {
    let a = file(dir, "a.txt");
    let mut d = OpenDocument::open(&a, None).unwrap();
    tag(&mut d, "موسكو", "LOC");
    d.save_now().unwrap();
    a
}

fn on_disk(path: &Path) -> Vec<(String, String)> {
    let d = OpenDocument::open(path, None).unwrap();
    let mut v: Vec<(String, String)> = d
        .annotations
        .items()
        .iter()
        .map(|a| (a.text.clone(), a.tag.clone()))
        .collect();
    v.sort();
    v
}

#[test]
fn a_failed_save_then_opening_another_file_asks_and_keeps_the_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (file(dir.path(), "a.txt"), file(dir.path(), "b.txt"));
    let mut ws = Workspace::new();
    ws.open_now(&a, None).unwrap();
    let fail = Arc::new(AtomicBool::new(true));
    let d = ws.current_mut().unwrap();
    d.set_writer(failing_writer(fail.clone()));
    tag(d, "موسكو", "LOC");
    assert!(matches!(d.save_now(), Err(SaveError::Failed(_))));
    // Opening another document waits for the user: the save failed again.
    ws.open_now(&b, None).unwrap();
    let leaving = ws.leaving().expect("the user is asked");
    assert!(matches!(leaving.reason, SaveError::Failed(_)));
    assert!(leaving.reason.to_string().contains("still in memory"));
    assert_eq!(ws.current().unwrap().path.as_deref(), Some(a.as_path()));
    assert_eq!(ws.current().unwrap().annotations.items().len(), 1);
    // Cancel: still on a.txt with its annotation.
    ws.choose(LeaveChoice::Cancel);
    assert!(ws.leaving().is_none());
    assert_eq!(ws.current().unwrap().annotations.items().len(), 1);
    // The disk has room again: leaving saves, and the annotation is on disk.
    fail.store(false, Ordering::SeqCst);
    ws.open_now(&b, None).unwrap();
    assert_eq!(ws.current().unwrap().path.as_deref(), Some(b.as_path()));
    assert_eq!(on_disk(&a), vec![("موسكو".into(), "LOC".into())]);
}

#[test]
fn discard_is_the_only_way_to_drop_edits() {
    let dir = tempfile::tempdir().unwrap();
    let a = file(dir.path(), "a.txt");
    let mut ws = Workspace::new();
    ws.go(Next::Sample);
    let d = ws.current_mut().unwrap();
    tag(d, "موسكو", "LOC");
    // The sample has no file: opening a file asks first.
    ws.open_now(&a, None).unwrap();
    assert_eq!(ws.leaving().unwrap().reason, SaveError::NoPlace);
    assert_eq!(ws.current().unwrap().path, None);
    ws.choose(LeaveChoice::Discard);
    assert_eq!(ws.current().unwrap().path.as_deref(), Some(a.as_path()));
    assert!(ws.current().unwrap().annotations.items().is_empty());
}

#[test]
fn save_as_lets_a_waiting_leave_go_ahead() {
    let dir = tempfile::tempdir().unwrap();
    let a = file(dir.path(), "a.txt");
    let mut ws = Workspace::new();
    ws.go(Next::Sample);
    let d = ws.current_mut().unwrap();
    let id = tag(d, "موسكو", "LOC");
    let text = d.annotations.get(id).unwrap().text.clone();
    ws.go(Next::Close);
    assert!(!ws.is_closed());
    let place = dir.path().join("sample.warraq.ron");
    ws.current_mut().unwrap().save_as(place.clone()).unwrap();
    assert!(ws.retry_leave());
    assert!(ws.is_closed());
    assert!(std::fs::read_to_string(&place).unwrap().contains(&text));
    let _ = a;
}

#[test]
fn autosave_retries_after_a_failure_and_never_stops() {
    let dir = tempfile::tempdir().unwrap();
    let (a, mut d, fail) = failing_document(dir.path());
    let t0 = std::time::Instant::now();
    assert!(d.autosave(t0).is_none(), "waits for the edits to settle");
    let t1 = t0 + warraq::workspace::AUTOSAVE_DELAY;
    assert!(matches!(d.autosave(t1), Some(Err(SaveError::Failed(_)))));
    assert!(d.autosave(t1).is_none(), "backs off");
    fail.store(false, Ordering::SeqCst);
    let t2 = t1 + std::time::Duration::from_secs(3);
    assert!(matches!(d.autosave(t2), Some(Ok(_))), "tries again");
    assert!(!d.is_dirty());
    assert_eq!(on_disk(&a), vec![("موسكو".into(), "LOC".into())]);
}

#[test]
fn reopening_with_pending_edits_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let a = file(dir.path(), "a.txt");
    let mut ws = Workspace::new();
    ws.open_now(&a, None).unwrap();
    tag(ws.current_mut().unwrap(), "موسكو", "LOC");
    // View ▸ Encoding / Open Recent / a drop of the same file: the edits are written before the file is read again.
    ws.open_now(&a, Some(encoding_rs::UTF_8)).unwrap();
    let d = ws.current().unwrap();
    assert_eq!(d.annotations.items().len(), 1);
    assert!(!d.is_dirty());
}

#[test]
fn a_reopen_that_read_the_sidecar_before_the_last_edits_were_saved_merges_them() {
    let dir = tempfile::tempdir().unwrap();
    let a = file(dir.path(), "a.txt");
    let mut ws = Workspace::new();
    ws.open_now(&a, None).unwrap();
    tag(ws.current_mut().unwrap(), "موسكو", "LOC");
    // The new copy is read (on a worker) while the edit is still only in memory…
    let stale = OpenDocument::open(&a, None).unwrap();
    assert!(stale.annotations.items().is_empty());
    // …then arrives: leaving the old copy saves it, and the stale copy's next save merges instead of erasing.
    ws.go(Next::Document(Box::new(stale)));
    let d = ws.current_mut().unwrap();
    tag(d, "روسيا", "GPE");
    d.save_now().unwrap();
    assert_eq!(
        on_disk(&a),
        vec![
            ("روسيا".into(), "GPE".into()),
            ("موسكو".into(), "LOC".into())
        ]
    );
}

#[test]
fn two_writers_merge_instead_of_overwriting() {
    let dir = tempfile::tempdir().unwrap();
    let a = file(dir.path(), "a.txt");
    let mut window = OpenDocument::open(&a, None).unwrap();
    let mut cli = OpenDocument::open(&a, None).unwrap();
    tag(&mut window, "موسكو", "LOC");
    window.save_now().unwrap();
    let first = tag(&mut cli, "روسيا", "GPE");
    let saved = cli.save_now().unwrap();
    assert!(saved.merged > 0, "the window's annotation was merged in");
    // The window retags its annotation and deletes nothing of the other writer's.
    let id = window.annotations.items()[0].id;
    window.annotations.retag(id, "GPE");
    let saved = window.save_now().unwrap();
    assert!(saved.conflicts.is_empty(), "{:?}", saved.conflicts);
    let got = on_disk(&a);
    assert_eq!(
        got,
        vec![
            ("روسيا".into(), "GPE".into()),
            ("موسكو".into(), "GPE".into())
        ]
    );
    let _ = first;
}

#[test]
fn a_second_process_is_told_through_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let a = file(dir.path(), "a.txt");
    // A lock left by a live process on another host.
    std::fs::write(
        warraq::store::lock::lock_path(&a),
        "4242 another-host 2026-11-30T10:00:00Z 0\n",
    )
    .unwrap();
    let d = OpenDocument::open(&a, None).unwrap();
    let h = d.held_by.as_ref().expect("the other holder is known");
    assert_eq!((h.pid, h.host.as_str()), (4242, "another-host"));
    assert!(
        d.notices
            .iter()
            .any(|n| n.contains("also open in another Warraq"))
    );
    // A stale lock of this host (no such process) is taken over.
    std::fs::write(
        warraq::store::lock::lock_path(&a),
        format!(
            "{} {} 2026-11-30T10:00:00Z 0\n",
            u32::MAX - 1,
            warraq::store::lock::this_host()
        ),
    )
    .unwrap();
    let d2 = OpenDocument::open(&a, None).unwrap();
    assert!(d2.held_by.is_none());
    drop(d2);
    assert!(
        !warraq::store::lock::lock_path(&a).exists(),
        "our lock is removed when the document closes"
    );
    drop(d);
}

#[test]
fn a_job_for_one_document_never_lands_in_another() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (file(dir.path(), "a.txt"), file(dir.path(), "b.txt"));
    let mut ws = Workspace::new();
    ws.open_now(&a, None).unwrap();
    let gate = Arc::new(std::sync::Barrier::new(2));
    let g = gate.clone();
    let doc = ws.current().unwrap().doc.clone();
    ws.current_mut().unwrap().spawn(
        warraq::workspace::Work::MatchingNames,
        &no_waker(),
        move || {
            g.wait();
            let found = vec![{
                let mut s = warraq::model::AnnotationSet::default();
                let id = s.create(&doc, span_of("موسكو"), "LOC").unwrap();
                s.get(id).unwrap().clone()
            }];
            Box::new(move |d: &mut OpenDocument| {
                d.annotations.add_suggestions(found);
                None
            })
        },
    );
    // The user opens b.txt while a.txt's job is still running.
    ws.open_now(&b, None).unwrap();
    gate.wait();
    std::thread::sleep(std::time::Duration::from_millis(50));
    let d = ws.current_mut().unwrap();
    assert_eq!(d.path.as_deref(), Some(b.as_path()));
    assert!(d.poll_jobs().is_empty());
    assert!(
        d.annotations.suggestions.is_empty(),
        "a.txt's result did not land in b.txt"
    );
}

#[test]
fn a_broken_folder_tag_set_does_not_make_a_good_sidecar_unusable() {
    let dir = tempfile::tempdir().unwrap();
    let a = file(dir.path(), "a.txt");
    let mut d = OpenDocument::open(&a, None).unwrap();
    tag(&mut d, "موسكو", "LOC");
    d.save_now().unwrap();
    let side = sidecar::sidecar_path(&a);
    let before = std::fs::read(&side).unwrap();
    drop(d);
    let tags = dir.path().join(sidecar::FOLDER_TAGS_FILE);
    std::fs::write(&tags, "(tags: [oops").unwrap();
    let d = OpenDocument::open(&a, None).unwrap();
    assert!(!d.read_only, "the document's own sidecar is fine");
    assert!(d.broken_sidecar.is_none());
    assert_eq!(d.annotations.items().len(), 1);
    assert!(
        d.notices.iter().any(|n| n.contains("warraq-tags.ron")),
        "{:?}",
        d.notices
    );
    assert_eq!(std::fs::read(&side).unwrap(), before);
    assert_eq!(std::fs::read_to_string(&tags).unwrap(), "(tags: [oops");
}

#[test]
fn unplaced_annotations_are_tried_again_when_their_text_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let a = saved_with_moscow(dir.path());
    std::fs::write(&a, "نص آخر تماما بلا أي اسم\n").unwrap();
    let mut d = OpenDocument::open(&a, None).unwrap();
    assert_eq!(d.annotations.unplaced.len(), 1);
    tag_other(&mut d);
    d.save_now().unwrap();
    drop(d);
    std::fs::write(&a, TEXT).unwrap();
    let d = OpenDocument::open(&a, None).unwrap();
    assert!(d.annotations.items().iter().any(|x| x.text == "موسكو"));
    assert!(!d.annotations.unplaced.iter().any(|x| x.text == "موسكو"));
}

fn tag_other(d: &mut OpenDocument) {
    let doc = d.doc.clone();
    d.annotations
        .create(&doc, Span::new(CharOffset(0), CharOffset(2)), "MISC")
        .unwrap();
}

#[test]
fn rejecting_and_accepting_suggestions_can_be_undone() {
    let dir = tempfile::tempdir().unwrap();
    let a = file(dir.path(), "a.txt");
    let mut d = OpenDocument::open(&a, None).unwrap();
    let doc = d.doc.clone();
    let mut scratch = warraq::model::AnnotationSet::default();
    let found: Vec<_> = ["موسكو", "روسيا", "واشنطن"]
        .iter()
        .map(|w| {
            let id = scratch.create(&doc, span_of(w), "GPE").unwrap();
            scratch.get(id).unwrap().clone()
        })
        .collect();
    d.annotations.add_suggestions(found);
    d.annotations.reject_suggestions(Some(&[0]));
    assert_eq!(d.annotations.suggestions.len(), 2);
    assert!(d.annotations.undo());
    assert_eq!(
        d.annotations.suggestions.len(),
        3,
        "the rejected one is back"
    );
    assert_eq!(d.annotations.accept_suggestions(&doc, None), 3);
    assert!(d.annotations.suggestions.is_empty());
    assert!(d.annotations.undo());
    assert!(d.annotations.items().is_empty());
    assert_eq!(
        d.annotations.suggestions.len(),
        3,
        "undoing Accept All brings them back"
    );
}

mod random_sessions {
    //! Random sessions of edits, saves, failing disks, outside writers, reopenings and document switches: no
    //! acknowledged edit is ever lost (nobody here chooses Discard).
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Step {
        Tag(usize),
        Save,
        Autosave,
        /// Ctrl+S in the window: a background save, moved on one frame.
        BackgroundSave,
        /// One frame of the window's saving (a background save moves on, or autosave starts one).
        Frame,
        DiskFull(bool),
        OutsideWriter(usize),
        Reopen,
        Switch,
    }

    const WORDS: [&str; 6] = ["أناتولي", "أنتونوف", "موسكو", "واشنطن", "روسيا", "الاجتماع"];

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            4 => (0..WORDS.len()).prop_map(Step::Tag),
            2 => Just(Step::Save),
            1 => Just(Step::Autosave),
            2 => Just(Step::BackgroundSave),
            3 => Just(Step::Frame),
            2 => any::<bool>().prop_map(Step::DiskFull),
            1 => (0..WORDS.len()).prop_map(Step::OutsideWriter),
            1 => Just(Step::Reopen),
            1 => Just(Step::Switch),
        ]
    }

    proptest! {
        // 64 sessions by default; PROPTEST_CASES asks for more (CI runs 2000).
        #![proptest_config({
            let base = ProptestConfig::default();
            let asked = std::env::var("PROPTEST_CASES").is_ok();
            ProptestConfig { cases: if asked { base.cases } else { 64 }, ..base }
        })]
        #[test]
        fn no_edit_is_lost(steps in proptest::collection::vec(step(), 1..40)) {
            let dir = tempfile::tempdir().unwrap();
            let files = [file(dir.path(), "a.txt"), file(dir.path(), "b.txt")];
            let fail = Arc::new(AtomicBool::new(false));
            let mut ws = Workspace::new();
            ws.open_now(&files[0], None).unwrap();
            ws.current_mut().unwrap().set_writer(failing_writer(fail.clone()));
            // Every (file, word, tag) made by anyone: all must be on disk at the end.
            let mut expected: std::collections::BTreeSet<(usize, String, String)> = Default::default();
            let mut now = std::time::Instant::now();
            let which = |ws: &Workspace| usize::from(ws.current().unwrap().path.as_deref() == Some(files[1].as_path()));
            for s in steps {
                now += std::time::Duration::from_millis(700);
                match s {
                    Step::Tag(w) => {
                        let f = which(&ws);
                        let d = ws.current_mut().unwrap();
                        tag(d, WORDS[w], "PER");
                        expected.insert((f, WORDS[w].into(), "PER".into()));
                    }
                    Step::Save => { let _ = ws.current_mut().unwrap().save_now(); }
                    Step::Autosave => { let _ = ws.current_mut().unwrap().autosave(now); }
                    Step::BackgroundSave | Step::Frame => {
                        let d = ws.current_mut().unwrap();
                        if matches!(s, Step::BackgroundSave) {
                            d.request_save();
                        }
                        let _ = d.save_in_background(now, &no_waker());
                    }
                    Step::DiskFull(on) => fail.store(on, Ordering::SeqCst),
                    Step::OutsideWriter(w) => {
                        // Another process (the command line) tags a word in the current file and saves.
                        let f = which(&ws);
                        let mut other = OpenDocument::open(&files[f], None).unwrap();
                        if !other.read_only {
                            tag(&mut other, WORDS[w], "LOC");
                            if other.save_now().is_ok() {
                                expected.insert((f, WORDS[w].into(), "LOC".into()));
                            }
                        }
                    }
                    Step::Reopen | Step::Switch => {
                        let f = which(&ws);
                        let target = if matches!(s, Step::Reopen) { f } else { 1 - f };
                        if let Err(e) = ws.open_now(&files[target], None) {
                            // Reopening with edits that cannot be written is refused; they stay in memory.
                            prop_assert!(e.contains("not reopened"), "{e}");
                        } else if ws.leaving().is_some() {
                            ws.choose(LeaveChoice::Cancel);
                        } else {
                            ws.current_mut().unwrap().set_writer(failing_writer(fail.clone()));
                        }
                    }
                }
            }
            // The disk recovers and the session ends: leaving settles the document.
            fail.store(false, Ordering::SeqCst);
            ws.go(Next::Close);
            prop_assert!(ws.is_closed());
            for (f, path) in files.iter().enumerate() {
                let got = on_disk(path);
                for (ef, word, tag) in &expected {
                    if *ef == f {
                        prop_assert!(
                            got.iter().any(|(t, g)| t == word && g == tag),
                            "{word} {tag} lost from {}: {got:?}", path.display()
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn writers_saving_at_the_same_moment_take_turns_and_keep_everything() {
    let dir = tempfile::tempdir().unwrap();
    let a = file(dir.path(), "a.txt");
    let words = ["أناتولي", "أنتونوف", "موسكو", "واشنطن", "روسيا", "الاجتماع"];
    let start = Arc::new(std::sync::Barrier::new(words.len()));
    let handles: Vec<_> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let (a, start, w) = (a.clone(), start.clone(), (*w).to_owned());
            std::thread::spawn(move || {
                let mut d = OpenDocument::open(&a, None).unwrap();
                tag(&mut d, &w, &format!("T{i}"));
                start.wait();
                d.save_now().unwrap()
            })
        })
        .collect();
    for h in handles {
        let saved = h.join().unwrap();
        assert!(saved.conflicts.is_empty(), "{:?}", saved.conflicts);
    }
    let got = on_disk(&a);
    assert_eq!(got.len(), words.len(), "{got:?}");
    let d = OpenDocument::open(&a, None).unwrap();
    for i in 0..words.len() {
        assert!(
            d.annotations.tags.get(&format!("T{i}")).is_some(),
            "tag T{i} kept"
        );
    }
}

#[test]
fn a_sidecar_deleted_elsewhere_is_written_again_with_everything() {
    let dir = tempfile::tempdir().unwrap();
    let a = file(dir.path(), "a.txt");
    let mut d = OpenDocument::open(&a, None).unwrap();
    tag(&mut d, "موسكو", "LOC");
    tag(&mut d, "روسيا", "GPE");
    d.save_now().unwrap();
    std::fs::remove_file(sidecar::sidecar_path(&a)).unwrap();
    tag(&mut d, "واشنطن", "GPE");
    d.save_now().unwrap();
    assert_eq!(on_disk(&a).len(), 3, "nothing of this window's was dropped");
}

#[test]
fn after_a_merge_undo_cannot_take_back_the_other_sides_work() {
    let dir = tempfile::tempdir().unwrap();
    let a = file(dir.path(), "a.txt");
    let mut window = OpenDocument::open(&a, None).unwrap();
    let mut other = OpenDocument::open(&a, None).unwrap();
    tag(&mut window, "موسكو", "LOC");
    tag(&mut other, "روسيا", "GPE");
    other.save_now().unwrap();
    let saved = window.save_now().unwrap();
    assert!(saved.merged > 0);
    // Both new annotations may have had the same id; one was renumbered. Undo starts afresh after a merge.
    assert!(!window.annotations.can_undo());
    assert!(!window.annotations.undo());
    assert_eq!(on_disk(&a).len(), 2);
}

#[test]
fn a_tag_another_document_added_to_the_folder_set_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (file(dir.path(), "a.txt"), file(dir.path(), "b.txt"));
    let tags_file = dir.path().join(sidecar::FOLDER_TAGS_FILE);
    std::fs::write(
        &tags_file,
        sidecar::folder_tags_text(&warraq::model::TagSet::default()),
    )
    .unwrap();
    let mut da = OpenDocument::open(&a, None).unwrap();
    let mut db = OpenDocument::open(&b, None).unwrap();
    assert!(da.folder_tags && db.folder_tags);
    tag(&mut da, "موسكو", "CITY");
    da.save_now().unwrap();
    tag(&mut db, "روسيا", "COUNTRY");
    db.save_now().unwrap();
    let text = std::fs::read_to_string(&tags_file).unwrap();
    assert!(text.contains("CITY") && text.contains("COUNTRY"), "{text}");
    // An unreadable folder set is never written over: the save stops and says why.
    std::fs::write(&tags_file, "(broken").unwrap();
    tag(&mut da, "واشنطن", "GPE");
    let err = da.save_now().unwrap_err();
    assert!(err.to_string().contains("warraq-tags.ron"), "{err}");
    assert_eq!(std::fs::read_to_string(&tags_file).unwrap(), "(broken");
}

#[test]
fn save_as_onto_another_documents_sidecar_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (file(dir.path(), "a.txt"), file(dir.path(), "b.txt"));
    let mut db = OpenDocument::open(&b, None).unwrap();
    tag(&mut db, "روسيا", "GPE");
    db.save_now().unwrap();
    let before = std::fs::read(sidecar::sidecar_path(&b)).unwrap();
    let mut da = OpenDocument::open(&a, None).unwrap();
    tag(&mut da, "موسكو", "LOC");
    let err = da.save_as(sidecar::sidecar_path(&b)).unwrap_err();
    assert!(
        err.to_string().contains("holds the annotations of"),
        "{err}"
    );
    assert_eq!(std::fs::read(sidecar::sidecar_path(&b)).unwrap(), before);
}

#[test]
fn a_large_text_is_searched_on_a_worker_with_one_shared_index() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("book.txt");
    let text = TEXT.repeat(warraq::workspace::SYNC_SEARCH_BYTES / TEXT.len() + 10);
    std::fs::write(&p, &text).unwrap();
    let mut d = OpenDocument::open(&p, None).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let waker: warraq::workspace::Waker = Arc::new(move || {
        let _ = tx.lock().unwrap().send(());
    });
    let options = warraq::model::search::SearchOptions::default();
    // Nothing is computed on this thread: the first call starts the work and returns at once.
    assert!(d.search("روسيا", options, &waker).is_none());
    assert!(d.is_searching());
    rx.recv_timeout(std::time::Duration::from_secs(60))
        .expect("the worker wakes the window when it is done");
    let found = d
        .search("روسيا", options, &waker)
        .expect("ready after the wake");
    assert!(!d.is_searching() && d.is_indexed());
    let expected = warraq::model::search::SearchIndex::of_text(&text).find("روسيا", options);
    assert_eq!(found.spans.len(), text.matches("روسيا").count());
    assert_eq!(found.spans, expected);
    assert!(found.complete);
    // A second query uses the index the first one built (one index per document).
    assert!(d.search("موسكو", options, &waker).is_none());
    rx.recv_timeout(std::time::Duration::from_secs(60)).unwrap();
    let moscow = d.search("موسكو", options, &waker).unwrap();
    assert_eq!(moscow.spans.len(), text.matches("موسكو").count());
    // Asking again for a recent query answers at once from what was kept.
    assert!(Arc::ptr_eq(
        &found,
        &d.search("روسيا", options, &waker).unwrap()
    ));
}

/// Another process (the command line) retags the annotation of `word` in `path`'s sidecar and saves.
fn retag_elsewhere(path: &Path, word: &str, tag: &str) {
    let mut cli = OpenDocument::open(path, None).unwrap();
    let id = cli
        .annotations
        .items()
        .iter()
        .find(|x| x.text == word)
        .unwrap()
        .id;
    cli.annotations.retag(id, tag);
    cli.save_now().unwrap();
}

/// Drives the window's background save until it has finished; returns what it did.
fn save_in_background(d: &mut OpenDocument) -> Result<warraq::workspace::Saved, SaveError> {
    for _ in 0..100_000 {
        if let Some(done) = d.save_in_background(std::time::Instant::now(), &no_waker()) {
            return done;
        }
        std::thread::sleep(std::time::Duration::from_micros(200));
    }
    panic!("the background save never finished");
}

#[test]
fn the_background_save_writes_what_an_immediate_save_writes_and_starts_over_after_an_edit() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("book.txt");
    let text = TEXT.repeat(20_000);
    std::fs::write(&p, &text).unwrap();
    let mut d = OpenDocument::open(&p, None).unwrap();
    // Every روسيا tagged: 20 000 annotations, far more than one frame's slice.
    let doc = d.doc.clone();
    let spans = warraq::model::search::SearchIndex::of_text(&text)
        .find("روسيا", warraq::model::search::SearchOptions::default());
    d.annotations.create_batch(&doc, &spans, "GPE");
    d.request_save();
    assert!(
        d.save_in_background(std::time::Instant::now(), &no_waker())
            .is_none()
    );
    assert!(
        d.is_saving(),
        "a save of 20 000 annotations takes more than one call"
    );
    // An edit while the text is being prepared: the save starts over and writes it too.
    let first = d.annotations.items()[0].id;
    d.annotations.retag(first, "LOC");
    save_in_background(&mut d).unwrap();
    assert!(!d.is_dirty() && !d.is_saving());
    let on_disk_text = std::fs::read_to_string(sidecar::sidecar_path(&p)).unwrap();
    let expected = sidecar::text_of(&d.annotations, &d.fingerprint, false);
    assert_eq!(
        on_disk_text, expected,
        "the same bytes as an immediate save"
    );
    let tags: Vec<(String, String)> = on_disk(&p);
    assert_eq!(tags.len(), spans.len());
    assert_eq!(tags.iter().filter(|(_, t)| t == "LOC").count(), 1);
}

#[test]
fn the_background_save_fails_visibly_retries_and_merges_with_another_writer() {
    let dir = tempfile::tempdir().unwrap();
    let (a, mut window, fail) = failing_document(dir.path());
    window.request_save();
    assert!(matches!(
        save_in_background(&mut window),
        Err(SaveError::Failed(_))
    ));
    assert!(window.is_dirty() && window.save.error().is_some());
    // Someone else writes the sidecar meanwhile.
    let mut cli = OpenDocument::open(&a, None).unwrap();
    tag(&mut cli, "روسيا", "GPE");
    cli.save_now().unwrap();
    fail.store(false, Ordering::SeqCst);
    window.request_save();
    let saved = save_in_background(&mut window).unwrap();
    assert!(
        saved.merged > 0,
        "the other writer's annotation was merged, not overwritten"
    );
    assert!(!window.is_dirty() && window.save.error().is_none());
    assert_eq!(
        on_disk(&a),
        vec![
            ("روسيا".into(), "GPE".into()),
            ("موسكو".into(), "LOC".into())
        ]
    );
    // A background save, then another writer, then an immediate save: the merge's base is the text the
    // background save wrote, read back.
    tag(&mut window, "واشنطن", "GPE");
    window.request_save();
    save_in_background(&mut window).unwrap();
    retag_elsewhere(&a, "موسكو", "GPE");
    tag(&mut window, "الاجتماع", "MISC");
    let saved = window.save_now().unwrap();
    assert!(saved.conflicts.is_empty(), "{:?}", saved.conflicts);
    let got = on_disk(&a);
    assert!(got.contains(&("موسكو".into(), "GPE".into())), "{got:?}");
    assert!(got.contains(&("الاجتماع".into(), "MISC".into())), "{got:?}");
    assert_eq!(got.len(), 4, "{got:?}");
}

#[test]
fn opening_a_changed_text_reports_re_anchoring_progress() {
    let dir = tempfile::tempdir().unwrap();
    let a = saved_with_moscow(dir.path());
    // Unchanged: nothing to re-anchor, so no progress to show beyond "reading".
    let progress = warraq::store::Progress::default();
    OpenDocument::open_with(&a, None, &progress).unwrap();
    assert_eq!(progress.get(), ("reading", None));
    // Changed: the annotation is re-anchored, and the progress ends full.
    std::fs::write(&a, format!("سطر جديد\n{TEXT}")).unwrap();
    let progress = warraq::store::Progress::default();
    let d = OpenDocument::open_with(&a, None, &progress).unwrap();
    assert_eq!(progress.get(), ("re-anchoring annotations", Some(1.0)));
    assert_eq!(d.annotations.items()[0].text, "موسكو");
}

#[test]
fn save_as_while_a_background_save_is_writing_keeps_both_sides() {
    let dir = tempfile::tempdir().unwrap();
    let a = file(dir.path(), "a.txt");
    let mut d = OpenDocument::open(&a, None).unwrap();
    tag(&mut d, "موسكو", "LOC");
    // Someone else's annotations for the same text, in the file about to be chosen.
    let elsewhere = dir.path().join("chosen.warraq.ron");
    let mut other = OpenDocument::open(&file(dir.path(), "b.txt"), None).unwrap();
    tag(&mut other, "روسيا", "GPE");
    other.save_as(elsewhere.clone()).unwrap();
    // A background save has started (and may be writing) when Save As is chosen.
    d.request_save();
    while d
        .save_in_background(std::time::Instant::now(), &no_waker())
        .is_none()
        && !d.is_saving()
    {}
    d.save_as(elsewhere.clone()).unwrap();
    let text = std::fs::read_to_string(&elsewhere).unwrap();
    assert!(text.contains("موسكو") && text.contains("روسيا"), "{text}");
    // And the old place got the save that was in flight.
    assert!(
        std::fs::read_to_string(sidecar::sidecar_path(&a))
            .unwrap()
            .contains("موسكو")
    );
}

#[test]
fn a_background_save_merges_another_writers_changes_on_its_worker_and_keeps_edits_made_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let a = saved_with_moscow(dir.path());
    let mut window = OpenDocument::open(&a, None).unwrap();
    // A writer the test can hold: it says when the worker has reached it, and waits for the gate.
    let gate = Arc::new(std::sync::Mutex::new(()));
    let (entered, reached) = std::sync::mpsc::channel();
    let held = gate.clone();
    let entered = std::sync::Mutex::new(entered);
    window.set_writer(Arc::new(move |path: &Path, bytes: &[u8]| {
        entered.lock().unwrap().send(()).unwrap();
        let _open = held.lock().unwrap();
        warraq::store::write::atomic_write(path, bytes, true)
    }));
    // Someone else adds روسيا; the window adds واشنطن.
    let mut cli = OpenDocument::open(&a, None).unwrap();
    tag(&mut cli, "روسيا", "GPE");
    cli.save_now().unwrap();
    drop(cli);
    tag(&mut window, "واشنطن", "GPE");
    let closed = gate.lock().unwrap();
    window.request_save();
    assert!(
        window
            .save_in_background(std::time::Instant::now(), &no_waker())
            .is_none()
    );
    // The worker merged and is writing; meanwhile the window goes on: an edit, and frames that do not wait.
    reached
        .recv_timeout(std::time::Duration::from_secs(60))
        .unwrap();
    // Both sides made their annotation under the same id, so the merge gave واشنطن a new one; the window
    // retags it meanwhile, and its new annotation may take the number the merge chose.
    tag(&mut window, "الاجتماع", "MISC");
    let washington = window
        .annotations
        .items()
        .iter()
        .find(|x| x.text == "واشنطن")
        .unwrap()
        .id;
    window.annotations.retag(washington, "LOC");
    assert!(
        window
            .save_in_background(std::time::Instant::now(), &no_waker())
            .is_none()
    );
    drop(closed);
    let saved = save_in_background(&mut window).unwrap();
    assert_eq!(saved.merged, 1, "روسيا was taken in");
    // The file holds both sides as they were when the save began; the edit made meanwhile is still to be saved.
    let texts = |v: Vec<(String, String)>| {
        let mut t: Vec<String> = v.into_iter().map(|(t, _)| t).collect();
        t.sort();
        t
    };
    assert_eq!(texts(on_disk(&a)), ["روسيا", "موسكو", "واشنطن"]);
    assert!(window.is_dirty());
    assert!(
        window
            .annotations
            .items()
            .iter()
            .any(|x| x.text == "الاجتماع"),
        "the edit made during the merge stays"
    );
    // The next save brings the two together, though nobody else wrote in between.
    window.request_save();
    std::thread::spawn(move || while reached.recv().is_ok() {});
    save_in_background(&mut window).unwrap();
    assert!(!window.is_dirty());
    let all = ["الاجتماع", "روسيا", "موسكو", "واشنطن"];
    assert_eq!(texts(on_disk(&a)), all);
    assert!(on_disk(&a).contains(&("واشنطن".into(), "LOC".into())));
    assert!(on_disk(&a).contains(&("روسيا".into(), "GPE".into())));
    let mut in_window: Vec<String> = window
        .annotations
        .items()
        .iter()
        .map(|x| x.text.clone())
        .collect();
    in_window.sort();
    assert_eq!(in_window, all, "the window took the merge in");
    // With nothing edited during the merge, the merged annotations land at once.
    retag_elsewhere(&a, "موسكو", "GPE");
    tag(&mut window, "أنتونوف", "PER");
    window.request_save();
    let saved = save_in_background(&mut window).unwrap();
    assert!(saved.conflicts.is_empty(), "{:?}", saved.conflicts);
    assert!(!window.is_dirty());
    let moscow = window
        .annotations
        .items()
        .iter()
        .find(|x| x.text == "موسكو")
        .unwrap();
    assert_eq!(moscow.tag, "GPE", "their retag is in the window");
    assert_eq!(on_disk(&a).len(), 5);
    assert!(on_disk(&a).contains(&("موسكو".into(), "GPE".into())));
}

// ----- a folder of documents (workspace::corpus) -----

#[test]
fn a_folder_lists_its_texts_with_counts_and_names_a_broken_sidecar() {
    let dir = tempfile::tempdir().unwrap();
    let text = "قال محمد في القاهرة";
    let a = dir.path().join("a.txt");
    std::fs::write(&a, text).unwrap();
    let doc = warraq::model::Document::new(text.to_owned());
    let mut set =
        warraq::model::AnnotationSet::new(Vec::new(), Vec::new(), warraq::model::TagSet::default());
    set.create(
        &doc,
        warraq::model::Span::new(warraq::model::CharOffset(4), warraq::model::CharOffset(8)),
        "PER",
    );
    set.create(
        &doc,
        warraq::model::Span::new(warraq::model::CharOffset(12), warraq::model::CharOffset(19)),
        "LOC",
    );
    warraq::store::sidecar::save(
        &warraq::store::sidecar::sidecar_path(&a),
        &set,
        warraq::store::sidecar::Fingerprint::of(text.as_bytes(), "UTF-8"),
        false,
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/b.txt"), text).unwrap();
    std::fs::write(dir.path().join("c.txt"), text).unwrap();
    std::fs::write(
        warraq::store::sidecar::sidecar_path(&dir.path().join("c.txt")),
        "not ron",
    )
    .unwrap();
    std::fs::write(dir.path().join("image.png"), [0u8; 4]).unwrap();
    let docs = warraq::workspace::corpus::scan(dir.path()).unwrap();
    let names: Vec<&str> = docs.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["a.txt", "c.txt", "sub/b.txt"]);
    assert_eq!(docs[0].annotations, 2);
    assert_eq!(docs[0].tags, vec![("PER".into(), 1), ("LOC".into(), 1)]);
    assert!(
        docs[1]
            .problem
            .as_deref()
            .is_some_and(|p| p.contains("c.txt.warraq.ron"))
    );
    assert_eq!(docs[2].annotations, 0);
    assert_eq!(
        warraq::workspace::corpus::totals(&docs),
        vec![("PER".into(), 1), ("LOC".into(), 1)]
    );
    assert!(warraq::workspace::corpus::scan(&dir.path().join("a.txt")).is_err());
}

#[test]
fn a_search_runs_over_every_document_with_the_find_bars_folding() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "زار مُحَمَّدٌ القاهرة").unwrap();
    std::fs::write(dir.path().join("b.txt"), "قال محمد ثم محمد").unwrap();
    let docs = warraq::workspace::corpus::scan(dir.path()).unwrap();
    let options = warraq::model::search::SearchOptions::default();
    let hits = warraq::workspace::corpus::search(&docs, "محمد", options, 100);
    let found: Vec<(&str, &str)> = hits
        .iter()
        .map(|h| (h.name.as_str(), h.text.as_str()))
        .collect();
    assert_eq!(
        found,
        [("a.txt", "مُحَمَّدٌ"), ("b.txt", "محمد"), ("b.txt", "محمد")]
    );
    assert_eq!(hits[0].before, "زار ");
    assert_eq!(
        warraq::workspace::corpus::search(&docs, "محمد", options, 2).len(),
        2,
        "at most the limit"
    );
}

/// An annotator's folder `who` holding TEXT as `doc.txt` with these (word, tag) annotations.
fn annotator(dir: &Path, who: &str, tags: &[(&str, &str)]) -> PathBuf {
    let folder = dir.join(who);
    std::fs::create_dir_all(&folder).unwrap();
    let mut d = OpenDocument::open(&file(&folder, "doc.txt"), None).unwrap();
    // What was there goes: the copy holds exactly these.
    for id in d
        .annotations
        .items()
        .iter()
        .map(|a| a.id)
        .collect::<Vec<_>>()
    {
        d.annotations.delete(id);
    }
    for (w, t) in tags {
        tag(&mut d, w, t);
    }
    d.save_now().unwrap();
    folder
}

/// The curated copy opened with its curation under way, as the window has it.
fn curating(path: &Path) -> OpenDocument {
    use warraq::workspace::curation::{Curation, read_annotators};
    let mut d = OpenDocument::open(path, None).unwrap();
    let files = d.curation_files().unwrap();
    let a = read_annotators(&files, d.doc.text(), "the curated copy's").unwrap();
    d.begin_curation(Curation::new(a));
    d
}

fn texts(d: &OpenDocument) -> Vec<String> {
    let mut v: Vec<String> = d
        .annotations
        .items()
        .iter()
        .map(|a| format!("{} {}", a.tag, a.text))
        .collect();
    v.sort();
    v
}

#[test]
fn an_answer_replaces_what_an_earlier_answer_to_versions_since_changed_brought_in() {
    use warraq::model::curation::Choice;
    use warraq::workspace::curation::curate_all;
    let dir = tempfile::tempdir().unwrap();
    let a = annotator(
        dir.path(),
        "alice",
        &[("أناتولي أنتونوف", "PER"), ("روسيا", "GPE")],
    );
    let b = annotator(dir.path(), "bob", &[("أنتونوف", "PER"), ("روسيا", "GPE")]);
    let into = dir.path().join("curated");
    curate_all(&[a.clone(), b.clone()], &into, "lead").unwrap();
    let mut d = curating(&into.join("doc.txt"));
    let Some(Ok(c)) = &d.curation else { panic!() };
    let first = c.disagreements[0];
    d.decide(first, Choice::Annotator(1));
    d.save_now().unwrap();
    assert_eq!(texts(&d), ["GPE روسيا", "PER أنتونوف"]);
    drop(d);
    // Bob changes his version: the question is asked anew, and the answer replaces bob's old one, which is no
    // longer among the versions.
    annotator(dir.path(), "bob", &[("أناتولي", "PER"), ("روسيا", "GPE")]);
    let r = curate_all(&[a.clone(), b.clone()], &into, "lead").unwrap();
    assert_eq!(r.documents[0].decided, 0);
    let mut d = curating(&into.join("doc.txt"));
    let Some(Ok(c)) = &d.curation else { panic!() };
    let first = c.disagreements[0];
    d.decide(first, Choice::Annotator(0));
    assert_eq!(
        texts(&d),
        ["GPE روسيا", "PER أناتولي أنتونوف"],
        "روسيا, agreed, stays"
    );
    d.save_now().unwrap();
    // Someone runs curate again while the copy is open here with an answer unsaved: when this save merges
    // their change, the curation is read again before another answer is given.
    let Some(Ok(c)) = &d.curation else { panic!() };
    assert!(c.current.is_some() || c.disagreements.len() == 1);
    annotator(
        dir.path(),
        "bob",
        &[("أناتولي", "PER"), ("روسيا", "GPE"), ("موسكو", "GPE")],
    );
    annotator(
        dir.path(),
        "alice",
        &[
            ("أناتولي أنتونوف", "PER"),
            ("روسيا", "GPE"),
            ("موسكو", "GPE"),
        ],
    );
    d.annotations
        .undecide(d.annotations.curation().unwrap().decided[0]);
    curate_all(&[a, b], &into, "lead").unwrap();
    let saved = d.save_now().unwrap();
    assert!(saved.merged > 0);
    assert!(
        d.curation.is_none(),
        "the stale curation is dropped, to be read again"
    );
    assert!(texts(&d).contains(&"GPE موسكو".to_owned()));
}

#[test]
fn a_rejection_survives_a_merge_with_a_writer_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let a = file(dir.path(), "a.txt");
    let mut window = OpenDocument::open(&a, None).unwrap();
    tag(&mut window, "موسكو", "LOC");
    let doc = window.doc.clone();
    let suggestion = |word: &str| {
        warraq::model::annotations::suggestion(
            &doc,
            span_of(word),
            "GPE",
            warraq::model::annotations::Suggested::new(
                warraq::model::annotations::Source::Learned,
                1.0,
            ),
            "",
        )
    };
    window
        .annotations
        .add_suggestions(vec![suggestion("روسيا")]);
    window.annotations.reject_suggestions(Some(&[0]));
    window.request_save();
    save_in_background(&mut window).unwrap();
    // Another writer (the command line) saves; then the window saves again, merging.
    let mut cli = OpenDocument::open(&a, None).unwrap();
    assert_eq!(cli.annotations.rejected().len(), 1, "read from the sidecar");
    tag(&mut cli, "روسيا", "ORG");
    cli.save_now().unwrap();
    tag(&mut window, "واشنطن", "GPE");
    window.request_save();
    let saved = save_in_background(&mut window).unwrap();
    assert!(
        saved.merged > 0,
        "the other writer's annotation was merged in"
    );
    assert_eq!(window.annotations.rejected().len(), 1, "kept in the window");
    let reopened = OpenDocument::open(&a, None).unwrap();
    assert_eq!(reopened.annotations.rejected().len(), 1, "kept on disk");
    assert_eq!(reopened.annotations.rejected()[0].text, "روسيا");
}
