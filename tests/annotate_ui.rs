//! Annotating with the mouse and keyboard in the real application, headless (egui_kittest).

use egui::{Event, Key, Modifiers, PointerButton, Pos2, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use warraq::app::{SAMPLE_TEXT, WarraqApp};
use warraq::model::{CharOffset, Span};
use warraq::store::sidecar;

mod common;

use common::{click, press, span_of, tag, wait_saved};

fn open_copy() -> (
    tempfile::TempDir,
    std::path::PathBuf,
    Harness<'static, WarraqApp>,
) {
    common::open_copy(Vec2::new(1300.0, 850.0))
}

fn open(path: &std::path::Path) -> Harness<'static, WarraqApp> {
    common::open(path, Vec2::new(1300.0, 850.0))
}

fn drag_over(h: &mut Harness<'_, WarraqApp>, span: Span) {
    let r = h.state_mut().view_mut().unwrap().screen_rects(span)[0];
    let (from, to) = (
        Pos2::new(r.max.x - 1.0, r.center().y),
        Pos2::new(r.min.x + 1.0, r.center().y),
    );
    h.event(Event::PointerMoved(from));
    h.step();
    h.event(Event::PointerButton {
        pos: from,
        button: PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    h.step();
    for k in 1..=6 {
        h.event(Event::PointerMoved(from + (to - from) * (k as f32 / 6.0)));
        h.step();
    }
    h.event(Event::PointerButton {
        pos: to,
        button: PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    h.step();
    h.event(Event::PointerMoved(Pos2::new(5.0, 400.0)));
    h.step();
}

#[test]
fn tag_a_word_edit_it_undo_save_and_reopen() {
    let (_dir, path, mut h) = open_copy();

    // Drag over a word and press 1: one PER annotation with exactly that word's range.
    let word = span_of("الولايات");
    drag_over(&mut h, word);
    press(&mut h, Key::Num1, Modifiers::NONE);
    let d = h.state().document().unwrap();
    assert_eq!(d.annotations.items().len(), 1);
    let a = d.annotations.items()[0].clone();
    assert_eq!(
        (a.span(), a.tag.as_str(), a.text.as_str()),
        (word, "PER", "الولايات")
    );
    assert!(d.is_dirty());
    assert!(
        h.state().window_title().starts_with('•'),
        "the title shows unsaved changes"
    );

    // Click the highlight: the popup opens; change the tag to LOC and write an Arabic note.
    let r = h.state_mut().view_mut().unwrap().screen_rects(word)[0];
    click(&mut h, r.center());
    h.run_steps(2);
    assert!(
        h.query_by_label("Annotation").is_some(),
        "the details popup is open"
    );
    h.get_by_label("LOC").click();
    h.run_steps(2);
    assert_eq!(
        h.state().document().unwrap().annotations.items()[0].tag,
        "LOC"
    );
    h.get_by_label("Annotation note").click();
    h.run_steps(2);
    h.event(Event::Text("ولايات \"أمريكية\"".into()));
    h.step();
    h.get_by_label("Save Note").click();
    h.run_steps(2);
    assert_eq!(
        h.state().document().unwrap().annotations.items()[0].note,
        "ولايات \"أمريكية\""
    );

    // Undo the note and the retag, redo both.
    press(&mut h, Key::Z, Modifiers::COMMAND);
    assert_eq!(
        h.state().document().unwrap().annotations.items()[0].note,
        ""
    );
    press(&mut h, Key::Z, Modifiers::COMMAND);
    assert_eq!(
        h.state().document().unwrap().annotations.items()[0].tag,
        "PER"
    );
    press(&mut h, Key::Y, Modifiers::COMMAND);
    press(&mut h, Key::Z, Modifiers::COMMAND | Modifiers::SHIFT);
    let a = h.state().document().unwrap().annotations.items()[0].clone();
    assert_eq!(
        (a.tag.as_str(), a.note.as_str()),
        ("LOC", "ولايات \"أمريكية\"")
    );

    // A second, nested annotation from the palette.
    let nested = span_of("الولايات المتحدة");
    h.state_mut()
        .view_mut()
        .unwrap()
        .set_selection(warraq::model::TextSelection::new(nested.start, nested.end));
    h.run_steps(2);
    h.get_by_label("4  GPE").click();
    h.run_steps(2);
    assert_eq!(h.state().document().unwrap().annotations.items().len(), 2);

    // Ctrl+S writes the sidecar; the source is untouched.
    press(&mut h, Key::S, Modifiers::COMMAND);
    wait_saved(&mut h);
    let side = sidecar::sidecar_path(&path);
    assert!(side.exists());
    assert!(!h.state().document().unwrap().is_dirty());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), SAMPLE_TEXT);
    let saved = h.state().document().unwrap().annotations.items().to_vec();
    drop(h);

    // Reopened: identical.
    let h = open(&path);
    assert_eq!(
        h.state().document().unwrap().annotations.items(),
        saved.as_slice()
    );
}

#[test]
fn delete_from_the_panel_and_autosave() {
    let (_dir, path, mut h) = open_copy();
    for (word, key) in [("روسيا", Key::Num2), ("أناتولي أنتونوف", Key::Num1)] {
        tag(&mut h, span_of(word), key);
    }
    assert_eq!(h.state().document().unwrap().annotations.items().len(), 2);
    // (The learner proposes the other mentions under Suggestions, above the list of annotations.)
    step_until(&mut h, |app| {
        !app.document()
            .unwrap()
            .is_running(warraq::workspace::Work::Learning)
    });
    h.run_steps(2);
    // The panel lists both with counts per tag; clicking a row selects it, Delete removes it.
    h.get_by_label("LOC 1");
    h.get_all_by_label("أناتولي أنتونوف")
        .last()
        .unwrap()
        .click();
    h.run_steps(2);
    let id = h.state().selected_annotation().unwrap();
    assert_eq!(
        h.state()
            .document()
            .unwrap()
            .annotations
            .get(id)
            .unwrap()
            .text,
        "أناتولي أنتونوف"
    );
    press(&mut h, Key::Delete, Modifiers::NONE);
    assert_eq!(h.state().document().unwrap().annotations.items().len(), 1);
    // Autosave: written a couple of seconds after the last change, without Ctrl+S.
    std::thread::sleep(warraq::app::AUTOSAVE_DELAY + std::time::Duration::from_millis(100));
    h.run_steps(2);
    wait_saved(&mut h);
    assert!(!h.state().document().unwrap().is_dirty());
    let text = std::fs::read_to_string(sidecar::sidecar_path(&path)).unwrap();
    assert!(text.contains("روسيا") && !text.contains("أناتولي أنتونوف"));
}

#[test]
fn an_unreadable_sidecar_is_left_alone_until_the_user_chooses() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("article.txt");
    std::fs::write(&path, SAMPLE_TEXT).unwrap();
    let side = sidecar::sidecar_path(&path);
    std::fs::write(&side, "(format: 1, source: oops").unwrap();
    let mut h = open(&path);
    let msg = h.state().message().unwrap().to_owned();
    assert!(
        msg.contains("line 1") && msg.contains("article.txt.warraq.ron"),
        "{msg}"
    );
    assert!(h.state().document().unwrap().read_only);
    // Tagging is refused and nothing is written over the broken file.
    let s = span_of("روسيا");
    tag(&mut h, s, Key::Num1);
    press(&mut h, Key::S, Modifiers::COMMAND);
    wait_saved(&mut h);
    assert_eq!(
        std::fs::read_to_string(&side).unwrap(),
        "(format: 1, source: oops"
    );
    // Start new annotations: the broken file is moved aside with a timestamp.
    h.get_by_label("Start New Annotations").click();
    h.run_steps(2);
    assert!(!side.exists());
    assert!(std::fs::read_dir(dir.path()).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .contains(".broken-")
    }));
    assert!(!h.state().document().unwrap().read_only);
}

#[test]
fn a_folder_that_cannot_be_written_keeps_annotations_in_memory() {
    let (dir, _path, mut h) = open_copy();
    // Point the sidecar into a folder that does not exist (as a read-only or full disk would fail).
    h.state_mut().document_mut().unwrap().sidecar =
        Some(dir.path().join("missing-folder").join("x.warraq.ron"));
    let s = span_of("روسيا");
    tag(&mut h, s, Key::Num2);
    press(&mut h, Key::S, Modifiers::COMMAND);
    wait_saved(&mut h);
    let msg = h.state().message().unwrap_or_default().to_owned();
    assert!(
        msg.contains("still in memory") && msg.contains("Save Annotations As"),
        "{msg}"
    );
    assert_eq!(h.state().document().unwrap().annotations.items().len(), 1);
    assert!(h.state().document().unwrap().is_dirty());
    // Save As to a writable place works and is used from then on.
    let elsewhere = dir.path().join("elsewhere.warraq.ron");
    h.state_mut().save_annotations_to(elsewhere.clone());
    assert!(elsewhere.exists());
    assert!(!h.state().document().unwrap().is_dirty());
}

/// The window manager asks the window to close; true if the application held the close back.
fn request_close(h: &mut Harness<'_, WarraqApp>) -> bool {
    h.input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    h.step();
    h.output().viewport_output.values().any(|v| {
        v.commands
            .iter()
            .any(|c| matches!(c, egui::ViewportCommand::CancelClose))
    })
}

#[test]
fn closing_with_annotations_that_cannot_be_saved_asks_first() {
    let (dir, _path, mut h) = open_copy();
    h.state_mut().document_mut().unwrap().sidecar =
        Some(dir.path().join("gone").join("x.warraq.ron"));
    let s = span_of("روسيا");
    tag(&mut h, s, Key::Num2);
    let cancelled = request_close(&mut h);
    assert!(cancelled, "the close was held back");
    h.run_steps(2);
    h.get_by_label("Unsaved annotations");
    // Save As from the question puts them somewhere safe, and the quit that waited goes ahead.
    let elsewhere = dir.path().join("safe.warraq.ron");
    h.state_mut().save_annotations_to(elsewhere.clone());
    assert!(elsewhere.exists());
    h.step();
    let closing = h.output().viewport_output.values().any(|v| {
        v.commands
            .iter()
            .any(|c| matches!(c, egui::ViewportCommand::Close))
    });
    assert!(closing, "the window closes once the annotations are safe");
}

#[test]
fn snap_to_word_can_be_turned_off_to_leave_clitics_outside() {
    let (_dir, _path, mut h) = open_copy();
    // "للطرف": select only "الطرف"'s part "لطرف" — with snapping it becomes the whole word.
    let word = span_of("للطرف");
    let inner = Span::new(CharOffset(word.start.0 + 1), word.end);
    tag(&mut h, inner, Key::Num1);
    assert_eq!(
        h.state().document().unwrap().annotations.items()[0].span(),
        word
    );
    // View ▸ Snap Selection to Words off: the exact selection is kept.
    h.get_by_label("View").click();
    h.run_steps(2);
    h.get_by_label("Snap Selection to Words").click();
    h.run_steps(2);
    assert!(!h.state().settings.snap_to_word);
    tag(&mut h, inner, Key::Num2);
    let spans: Vec<Span> = h
        .state()
        .document()
        .unwrap()
        .annotations
        .items()
        .iter()
        .map(|a| a.span())
        .collect();
    assert!(spans.contains(&inner), "{spans:?}");
}

#[test]
fn renaming_a_tag_in_the_tags_dialog_renames_its_annotations() {
    let (_dir, _path, mut h) = open_copy();
    let s = span_of("أناتولي أنتونوف");
    tag(&mut h, s, Key::Num1);
    h.get_by_label("Edit").click();
    h.run_steps(2);
    h.get_by_label("Tags…").click();
    h.run_steps(2);
    // The first name field holds "PER": replace it.
    h.get_all_by_value("PER").next().unwrap().click();
    h.run_steps(1);
    h.event(Event::Key {
        key: Key::A,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: Modifiers::COMMAND,
    });
    h.step();
    h.event(Event::Text("PERS".into()));
    h.step();
    h.get_by_label("Apply").click();
    h.run_steps(2);
    let d = h.state().document().unwrap();
    assert_eq!(d.annotations.items()[0].tag, "PERS");
    assert!(d.annotations.tags.get("PERS").is_some() && d.annotations.tags.get("PER").is_none());
    // One undo brings the old name back on both.
    press(&mut h, Key::Z, Modifiers::COMMAND);
    assert_eq!(
        h.state().document().unwrap().annotations.items()[0].tag,
        "PER"
    );
}

#[test]
fn export_from_the_dialog_and_import_a_conll_file() {
    let (dir, _path, mut h) = open_copy();
    let s = span_of("أناتولي أنتونوف");
    tag(&mut h, s, Key::Num1);
    // Ctrl+E, CSV, a destination, Export: the unsaved annotation is in the file.
    press(&mut h, Key::E, Modifiers::COMMAND);
    h.run_steps(2);
    h.get_by_label("CSV (one row per annotation)").click();
    h.run_steps(2);
    let out = dir.path().join("out.csv");
    *h.state_mut().export_settings().unwrap().3 = Some(out.clone());
    h.get_by_label("Export").click();
    h.run_steps(2);
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(
        csv.contains("PER") && csv.contains("أناتولي أنتونوف"),
        "{csv}"
    );
    assert!(
        h.state()
            .message()
            .unwrap()
            .contains("Exported 1 annotation ")
    );
    // Import a small CoNLL file: its text and annotations open.
    let conll = dir.path().join("news.conll");
    std::fs::write(
        &conll,
        "زار O\nمحمد B-PERS\nعلي I-PERS\nالقاهرة B-GPE\n\nثم O\nعاد O\n",
    )
    .unwrap();
    let ctx = h.ctx.clone();
    h.state_mut().import_file(&ctx, &conll);
    for _ in 0..200 {
        h.step();
        if !h.state().is_loading() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run_steps(2);
    let d = h.state().document().unwrap();
    assert_eq!(d.name, "news.txt");
    assert_eq!(d.doc.text(), "زار محمد علي القاهرة\nثم عاد");
    let tags: Vec<(&str, &str)> = d
        .annotations
        .items()
        .iter()
        .map(|a| (a.tag.as_str(), a.text.as_str()))
        .collect();
    assert_eq!(tags, vec![("PERS", "محمد علي"), ("GPE", "القاهرة")]);
    assert!(
        h.state()
            .message()
            .unwrap()
            .contains("Imported 2 annotations")
    );
}

#[test]
fn find_bar_counts_matches_ignoring_harakat_and_enter_moves_to_each() {
    let (_dir, _path, mut h) = open_copy();
    press(&mut h, Key::F, Modifiers::COMMAND);
    h.run_steps(2);
    // The query without its article's hamza and with a different ta marbuta still finds every الولايات المتحدة.
    h.event(Event::Text("الولايات المتحده".into()));
    h.run_steps(2);
    let expected = SAMPLE_TEXT.matches("الولايات المتحدة").count();
    let (matches, current) = h.state().find_state().unwrap();
    assert_eq!((matches.len(), current), (expected, None));
    h.get_by_label(&format!("{expected} matches"));
    press(&mut h, Key::Enter, Modifiers::NONE);
    press(&mut h, Key::Enter, Modifiers::NONE);
    let (matches, current) = h.state().find_state().unwrap();
    assert_eq!(current, Some(1));
    let second = matches[1];
    assert_eq!(h.state().view().unwrap().selection().span(), second);
    h.run_steps(1);
    h.get_by_label(&format!("2 of {expected}"));
    press(&mut h, Key::Enter, Modifiers::SHIFT);
    assert_eq!(h.state().find_state().unwrap().1, Some(0));
    // F3 goes on from anywhere; Escape closes the bar; the current match is the selection, so 4 tags it.
    press(&mut h, Key::F3, Modifiers::NONE);
    press(&mut h, Key::Escape, Modifiers::NONE);
    assert!(h.state().find_state().is_none());
    press(&mut h, Key::Num4, Modifiers::NONE);
    let a = &h.state().document().unwrap().annotations.items()[0];
    assert_eq!((a.span(), a.tag.as_str()), (second, "GPE"));
}

#[test]
fn tag_all_occurrences_reviews_then_applies_in_one_undo_step() {
    let (_dir, _path, mut h) = open_copy();
    let first = span_of("الولايات المتحدة");
    tag(&mut h, first, Key::Num4);
    let others = SAMPLE_TEXT.matches("الولايات المتحدة").count() - 1;
    let id = h.state().document().unwrap().annotations.items()[0].id;
    // Right after tagging, Ctrl+T reviews the other occurrences of what was just tagged.
    press(&mut h, Key::T, Modifiers::COMMAND);
    h.run_steps(2);
    assert_eq!(h.state().review_state().unwrap().len(), others);
    // Keyboard review: accept the first, skip the second; then apply what was accepted.
    press(&mut h, Key::A, Modifiers::NONE);
    press(&mut h, Key::S, Modifiers::NONE);
    let decisions: Vec<warraq::app::Decision> = h
        .state()
        .review_state()
        .unwrap()
        .iter()
        .map(|c| c.1)
        .collect();
    assert_eq!(
        &decisions[..2],
        &[
            warraq::app::Decision::Accepted,
            warraq::app::Decision::Skipped
        ]
    );
    // Letters typed in the find bar meanwhile are text, not decisions; Escape closes the bar, then the review.
    press(&mut h, Key::F, Modifiers::COMMAND);
    h.run_steps(2);
    h.event(Event::Text("as".into()));
    press(&mut h, Key::A, Modifiers::NONE);
    press(&mut h, Key::S, Modifiers::NONE);
    let pending = |h: &Harness<'_, WarraqApp>| {
        h.state()
            .review_state()
            .unwrap()
            .iter()
            .filter(|c| c.1 == warraq::app::Decision::Pending)
            .count()
    };
    assert_eq!(pending(&h), others - 2, "typing decided nothing");
    press(&mut h, Key::Escape, Modifiers::NONE);
    assert!(h.state().find_state().is_none() && h.state().review_state().is_some());
    h.get_by_label("Apply Accepted").click();
    h.run_steps(2);
    assert_eq!(h.state().document().unwrap().annotations.items().len(), 2);
    h.state_mut().tag_all_occurrences(id);
    h.run_steps(2);
    press(&mut h, Key::Escape, Modifiers::NONE);
    assert!(
        h.state().review_state().is_none(),
        "Escape closes the review"
    );
    // Again, Accept All: every remaining occurrence, one undo step for the whole batch.
    h.state_mut().tag_all_occurrences(id);
    h.run_steps(2);
    assert_eq!(
        h.state().review_state().unwrap().len(),
        others - 1,
        "already tagged ones are skipped"
    );
    h.get_by_label("Accept All").click();
    h.run_steps(2);
    assert_eq!(
        h.state().document().unwrap().annotations.items().len(),
        others + 1
    );
    for a in h.state().document().unwrap().annotations.items() {
        assert_eq!(
            (a.tag.as_str(), a.text.as_str()),
            ("GPE", "الولايات المتحدة")
        );
    }
    press(&mut h, Key::Z, Modifiers::COMMAND);
    assert_eq!(h.state().document().unwrap().annotations.items().len(), 2);
    press(&mut h, Key::Y, Modifiers::COMMAND);
    // Delete all with this text: one step too.
    h.state_mut().delete_all_with_text(id);
    assert!(h.state().document().unwrap().annotations.items().is_empty());
    press(&mut h, Key::Z, Modifiers::COMMAND);
    assert_eq!(
        h.state().document().unwrap().annotations.items().len(),
        others + 1
    );
}

#[test]
fn gazetteer_suggestions_are_accepted_or_rejected_from_the_panel() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("article.txt");
    std::fs::write(&path, SAMPLE_TEXT).unwrap();
    let list = dir.path().join("names.tsv");
    std::fs::write(
        &list,
        "أناتولي أنتونوف\tPER\nروسيا\tGPE\nواشنطن\tGPE\nسطر بلا وسم\n",
    )
    .unwrap();
    let mut h = open(&path);
    let ctx = h.ctx.clone();
    h.state_mut().preannotate_from(&ctx, &list);
    for _ in 0..400 {
        h.step();
        if !h.state().is_preannotating() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run_steps(2);
    let expected =
        SAMPLE_TEXT.matches("أناتولي أنتونوف").count() + SAMPLE_TEXT.matches("روسيا").count() + 1;
    let n = h.state().document().unwrap().annotations.suggestions.len();
    assert!(
        n >= expected - 2 && n <= expected,
        "{n} suggestions, about {expected} expected"
    );
    assert!(
        h.state().message().unwrap().contains("names.tsv:4:"),
        "the bad line is reported"
    );
    // Accept the first, reject the next, then accept all the rest in one step.
    h.get_all_by_label("Accept").next().unwrap().click();
    h.run_steps(2);
    assert_eq!(h.state().document().unwrap().annotations.items().len(), 1);
    h.get_all_by_label("Reject").next().unwrap().click();
    h.run_steps(2);
    assert_eq!(
        h.state().document().unwrap().annotations.suggestions.len(),
        n - 2
    );
    h.get_by_label("Accept All Suggestions").click();
    h.run_steps(2);
    let d = h.state().document().unwrap();
    assert!(d.annotations.suggestions.is_empty());
    assert_eq!(d.annotations.items().len(), n - 1);
    press(&mut h, Key::Z, Modifiers::COMMAND);
    assert_eq!(
        h.state().document().unwrap().annotations.items().len(),
        1,
        "accept all is one undo step"
    );
}

#[test]
fn keys_walk_through_annotations_and_suggestions() {
    let (dir, _path, mut h) = open_copy();
    tag(&mut h, span_of("أناتولي أنتونوف"), Key::Num1);
    tag(&mut h, span_of("روسيا"), Key::Num4);
    let ids: Vec<u64> = h
        .state()
        .document()
        .unwrap()
        .annotations
        .items()
        .iter()
        .map(|a| a.id)
        .collect();
    h.state_mut()
        .view_mut()
        .unwrap()
        .set_selection(warraq::model::TextSelection::caret(CharOffset(0)));
    // The last tagged (روسيا, first in the text) is selected: F4 goes to the next one in text order.
    assert_eq!(h.state().selected_annotation(), Some(ids[0]));
    press(&mut h, Key::F4, Modifiers::NONE);
    assert_eq!(
        h.state().selected_annotation(),
        Some(ids[1]),
        "second annotation in text order"
    );
    press(&mut h, Key::F4, Modifiers::SHIFT);
    assert_eq!(h.state().selected_annotation(), Some(ids[0]));
    press(&mut h, Key::F4, Modifiers::SHIFT);
    assert_eq!(
        h.state().selected_annotation(),
        Some(ids[1]),
        "wraps around"
    );
    // Suggestions: F6 selects the next one's text, and a tag key tags it.
    let list = dir.path().join("names.tsv");
    std::fs::write(&list, "الولايات المتحدة\tGPE\n").unwrap();
    let ctx = h.ctx.clone();
    h.state_mut().preannotate_from(&ctx, &list);
    for _ in 0..400 {
        h.step();
        if !h.state().is_preannotating() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.state_mut()
        .view_mut()
        .unwrap()
        .set_selection(warraq::model::TextSelection::caret(CharOffset(0)));
    press(&mut h, Key::F6, Modifiers::NONE);
    let first = h.state().document().unwrap().annotations.suggestions[0].span();
    assert_eq!(h.state().view().unwrap().selection().span(), first);
    press(&mut h, Key::Num4, Modifiers::NONE);
    assert!(
        h.state()
            .document()
            .unwrap()
            .annotations
            .items()
            .iter()
            .any(|a| a.span() == first && a.tag == "GPE")
    );
}

// ----- nothing is lost when leaving a document -----

/// Opens `path` in the running window and waits until it has arrived (or a question is asked).
fn open_in(h: &mut Harness<'_, WarraqApp>, path: &std::path::Path) {
    let ctx = h.ctx.clone();
    h.state_mut().open_path(&ctx, path.to_owned(), None);
    common::wait_loaded(h);
}

#[test]
fn a_failed_save_then_opening_another_file_asks_and_keeps_the_annotations() {
    let (dir, _path, mut h) = open_copy();
    h.state_mut().document_mut().unwrap().sidecar =
        Some(dir.path().join("full-disk").join("x.warraq.ron"));
    tag(&mut h, span_of("روسيا"), Key::Num3);
    press(&mut h, Key::S, Modifiers::COMMAND);
    wait_saved(&mut h);
    assert!(h.state().message().unwrap().contains("still in memory"));
    let other = dir.path().join("other.txt");
    std::fs::write(&other, "نص آخر").unwrap();
    open_in(&mut h, &other);
    // The question is shown, the document and its annotation are still there, the error is still said.
    h.get_by_label("Unsaved annotations");
    h.get_by_label("Discard and Continue");
    let d = h.state().document().unwrap();
    assert_eq!(d.name, "article.txt");
    assert_eq!(d.annotations.items().len(), 1);
    assert!(h.state().workspace().leaving().is_some());
    // Cancel keeps everything as it was.
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    assert!(h.state().workspace().leaving().is_none());
    assert_eq!(h.state().document().unwrap().annotations.items().len(), 1);
    // Opening again and choosing Save As puts them somewhere safe, then the other file opens.
    open_in(&mut h, &other);
    h.get_by_label("Unsaved annotations");
    let safe = dir.path().join("safe.warraq.ron");
    h.state_mut().save_annotations_to(safe.clone());
    h.run_steps(2);
    assert!(std::fs::read_to_string(&safe).unwrap().contains("روسيا"));
    assert_eq!(h.state().document().unwrap().name, "other.txt");
}

#[test]
fn annotations_on_the_sample_are_not_dropped_when_a_file_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = common::harness(
        WarraqApp::new(warraq::app::Settings::default()),
        Vec2::new(1300.0, 850.0),
    );
    h.state_mut().open_sample();
    h.run_steps(2);
    tag(&mut h, span_of("روسيا"), Key::Num3);
    let other = dir.path().join("other.txt");
    std::fs::write(&other, "نص آخر").unwrap();
    open_in(&mut h, &other);
    h.get_by_label("Unsaved annotations");
    assert_eq!(h.state().document().unwrap().name, warraq::app::SAMPLE_NAME);
    // Discard is a choice the user makes; then the file opens.
    h.get_by_label("Discard and Continue").click();
    h.run_steps(2);
    assert_eq!(h.state().document().unwrap().name, "other.txt");
}

#[test]
fn reopening_the_same_file_keeps_pending_edits() {
    let (_dir, path, mut h) = open_copy();
    tag(&mut h, span_of("روسيا"), Key::Num3);
    assert!(h.state().document().unwrap().is_dirty());
    // View ▸ Encoding ▸ UTF-8 reopens the file at once, before autosave ran.
    let ctx = h.ctx.clone();
    h.state_mut()
        .open_path(&ctx, path.clone(), Some(encoding_rs::UTF_8));
    common::wait_loaded(&mut h);
    let d = h.state().document().unwrap();
    assert_eq!(
        d.annotations.items().len(),
        1,
        "the edit is there after reopening"
    );
    assert_eq!(d.annotations.items()[0].text, "روسيا");
    assert!(!d.is_dirty());
}

#[test]
fn a_job_started_for_one_document_never_lands_in_the_next() {
    let (dir, _path, mut h) = open_copy();
    let list = dir.path().join("names.tsv");
    std::fs::write(&list, "روسيا\tGPE\nالولايات المتحدة\tGPE\n").unwrap();
    let ctx = h.ctx.clone();
    h.state_mut().preannotate_from(&ctx, &list);
    // At once, before the matching has reported back, another file is opened.
    let other = dir.path().join("other.txt");
    std::fs::write(&other, "روسيا والولايات المتحدة").unwrap();
    open_in(&mut h, &other);
    for _ in 0..100 {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let d = h.state().document().unwrap();
    assert_eq!(d.name, "other.txt");
    assert!(
        d.annotations.suggestions.is_empty(),
        "the sample's suggestions did not land in other.txt"
    );
}

/// File ▸ Export…, CSV, to `dest`, Export: the dialog then shows its result or its question.
fn export_csv_to(h: &mut Harness<'_, WarraqApp>, dest: &std::path::Path) {
    press(h, Key::E, Modifiers::COMMAND);
    h.run_steps(2);
    h.get_by_label("CSV (one row per annotation)").click();
    h.run_steps(2);
    *h.state_mut().export_settings().unwrap().3 = Some(dest.to_owned());
    h.get_by_label("Export").click();
    h.run_steps(2);
}

#[test]
fn exporting_over_an_existing_file_asks_and_over_the_text_refuses() {
    let (dir, path, mut h) = open_copy();
    tag(&mut h, span_of("روسيا"), Key::Num3);
    let out = dir.path().join("out.csv");
    std::fs::write(&out, "kept by hand\n").unwrap();
    export_csv_to(&mut h, &out);
    // Asked first; keeping it leaves the file as it was.
    h.get_by_label("Keep Them").click();
    h.run_steps(2);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "kept by hand\n");
    h.get_by_label("Export").click();
    h.run_steps(2);
    h.get_by_label("Replace").click();
    h.run_steps(2);
    assert!(std::fs::read_to_string(&out).unwrap().contains("روسيا"));
    // The text file itself is never an export's destination, even after a confirmation.
    export_csv_to(&mut h, &path);
    h.get_by_label("Replace").click();
    h.run_steps(2);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), SAMPLE_TEXT);
    let msg = h.state().message().unwrap_or_default().to_owned();
    assert!(msg.contains("this is an input"), "{msg}");
}

/// Steps until `done`, for at most 20 seconds of frames.
fn step_until(h: &mut Harness<'_, WarraqApp>, done: impl Fn(&WarraqApp) -> bool) {
    for _ in 0..4000 {
        if done(h.state()) {
            return;
        }
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("never happened");
}

#[test]
fn on_a_large_text_find_waits_for_typing_then_searches_behind_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.txt");
    let text = SAMPLE_TEXT.repeat(warraq::workspace::SYNC_SEARCH_BYTES / SAMPLE_TEXT.len() + 2);
    std::fs::write(&path, &text).unwrap();
    let mut h = open(&path);
    press(&mut h, Key::F, Modifiers::COMMAND);
    h.run_steps(2);
    h.event(Event::Text("روسيا".into()));
    h.step();
    // Nothing is searched while typing goes on: the bar says so, and no matches are shown yet.
    assert!(h.state().find_state().unwrap().0.is_empty());
    assert!(h.state().is_searching_or_waiting());
    step_until(&mut h, |app| !app.find_state().unwrap().0.is_empty());
    let expected = text.matches("روسيا").count();
    assert_eq!(h.state().find_state().unwrap().0.len(), expected);
    assert!(!h.state().is_searching_or_waiting());
    // Typed slowly, every partial word is searched; the next letter comes before each search is done.
    for letter in [" م", "و", "س"] {
        h.event(Event::Text(letter.into()));
        // The bar sees the new query in the frame after the input took it.
        h.run_steps(2);
        std::thread::sleep(std::time::Duration::from_millis(210));
        h.step();
    }
    assert!(
        h.state().document().unwrap().is_searching(),
        "a search is running"
    );
    // Back to the first word: its matches stand at once, and no search is left running (the status bar's spinner
    // would otherwise keep the window busy for good).
    for _ in 0..4 {
        press(&mut h, Key::Backspace, Modifiers::NONE);
    }
    h.run_steps(2);
    assert!(
        !h.state().is_searching_or_waiting(),
        "not stuck on searching"
    );
    assert_eq!(h.state().find_state().unwrap().0.len(), expected);
    step_until(&mut h, |app| !app.document().unwrap().is_searching());
    press(&mut h, Key::Enter, Modifiers::NONE);
    step_until(&mut h, |app| app.find_state().unwrap().1.is_some());
}

#[test]
fn page_down_page_up_and_the_arrows_scroll_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.txt");
    std::fs::write(&path, SAMPLE_TEXT.repeat(6)).unwrap();
    let mut h = open(&path);
    let top = |h: &Harness<'_, WarraqApp>| h.state().view().unwrap().top_paragraph();
    assert_eq!(top(&h), 0);
    // A word selected at the top has the tag palette beside it…
    drag_over(&mut h, span_of("روسيا"));
    h.run_steps(2);
    assert!(h.query_by_label("1  PER").is_some(), "the palette is shown");
    press(&mut h, Key::PageDown, Modifiers::NONE);
    h.run_steps(2);
    let after_page = top(&h);
    assert!(after_page > 0, "Page Down moved the view");
    // … and none once it is scrolled away.
    assert!(
        h.query_by_label("1  PER").is_none(),
        "no palette for a selection off screen"
    );
    press(&mut h, Key::PageDown, Modifiers::NONE);
    h.run_steps(2);
    assert!(top(&h) > after_page, "and again");
    press(&mut h, Key::PageUp, Modifiers::NONE);
    press(&mut h, Key::PageUp, Modifiers::NONE);
    h.run_steps(2);
    assert_eq!(top(&h), 0, "Page Up came back to the start");
    for _ in 0..30 {
        press(&mut h, Key::ArrowDown, Modifiers::NONE);
    }
    h.run_steps(2);
    let after_lines = top(&h);
    assert!(
        after_lines > 0 && after_lines <= after_page * 2,
        "{after_lines}"
    );
    // Ctrl+End and Ctrl+Home go to the ends.
    press(&mut h, Key::End, Modifiers::COMMAND);
    h.run_steps(2);
    assert!(top(&h) > after_page);
    press(&mut h, Key::Home, Modifiers::COMMAND);
    h.run_steps(2);
    assert_eq!(top(&h), 0);
}

/// Ctrl+S, then the sidecar's text once the background save has written it.
fn save_and_read(h: &mut Harness<'_, WarraqApp>, path: &std::path::Path) -> String {
    press(h, Key::S, Modifiers::COMMAND);
    wait_saved(h);
    std::fs::read_to_string(sidecar::sidecar_path(path)).unwrap()
}

/// A drag from `from` to `to` with `modifiers` held throughout.
fn drag_holding(h: &mut Harness<'_, WarraqApp>, from: Pos2, to: Pos2, modifiers: Modifiers) {
    let step = |h: &mut Harness<'_, WarraqApp>, e: Event| {
        h.event(e);
        h.step();
    };
    step(h, Event::ModifiersChanged(modifiers));
    step(h, Event::PointerMoved(from));
    step(
        h,
        Event::PointerButton {
            pos: from,
            button: PointerButton::Primary,
            pressed: true,
            modifiers,
        },
    );
    for k in 1..=6 {
        step(
            h,
            Event::PointerMoved(from + (to - from) * (k as f32 / 6.0)),
        );
    }
    step(
        h,
        Event::PointerButton {
            pos: to,
            button: PointerButton::Primary,
            pressed: false,
            modifiers,
        },
    );
    h.event(Event::ModifiersChanged(Modifiers::NONE));
    h.event(Event::PointerMoved(Pos2::new(5.0, 400.0)));
    h.step();
}

fn centre_of(h: &mut Harness<'_, WarraqApp>, span: Span) -> Pos2 {
    h.state_mut().view_mut().unwrap().screen_rects(span)[0].center()
}

#[test]
fn alt_drag_from_one_annotation_to_another_links_them_with_the_chosen_type() {
    let (_dir, path, mut h) = open_copy();
    // A schema with one relation type from people to places.
    h.state_mut()
        .document_mut()
        .unwrap()
        .annotations
        .tags
        .relations
        .push(warraq::model::tags::RelationType {
            name: "EmployedBy".into(),
            label: "يعمل لدى".into(),
            color: [0, 150, 160],
            from: vec!["PER".into()],
            to: vec!["GPE".into()],
            symmetric: false,
        });
    let person = span_of("أناتولي أنتونوف");
    let country = span_of("الولايات المتحدة");
    tag(&mut h, person, Key::Num1);
    tag(&mut h, country, Key::Num4);
    h.run_steps(2);
    let (a, b) = (centre_of(&mut h, person), centre_of(&mut h, country));
    drag_holding(&mut h, a, b, Modifiers::ALT);
    assert!(
        h.state().is_choosing_relation_type(),
        "the type chooser opened"
    );
    // 1 picks the first type the schema allows from PER to GPE.
    press(&mut h, Key::Num1, Modifiers::NONE);
    assert!(!h.state().is_choosing_relation_type());
    let d = h.state().document().unwrap();
    assert_eq!(d.annotations.relations().len(), 1);
    let r = d.annotations.relations()[0].clone();
    let text = |id| d.annotations.get(id).unwrap().text.clone();
    assert_eq!(
        (text(r.from), r.kind.as_str(), text(r.to)),
        (
            "أناتولي أنتونوف".to_owned(),
            "EmployedBy",
            "الولايات المتحدة".to_owned()
        )
    );
    assert_eq!(
        d.annotations.items().len(),
        2,
        "no annotation was made or moved by the drag"
    );
    // A screen reader reads the relation with each of its annotations.
    h.run_steps(2);
    {
        use egui_kittest::kittest::NodeT;
        let node = h.get_by_role_and_label(egui::accesskit::Role::Mark, "PER: أناتولي أنتونوف");
        assert_eq!(
            node.accesskit_node().description().as_deref(),
            Some("EmployedBy: أناتولي أنتونوف › الولايات المتحدة")
        );
    }
    // The arc is drawn with its label; clicking the label opens the relation.
    h.run_steps(2);
    let labels = h.state().view().unwrap().relation_labels();
    assert_eq!(labels.len(), 1);
    click(&mut h, labels[0].1.center());
    assert_eq!(h.state().relation_popup(), Some(r.id));
    // Undo and redo take it back and bring it again.
    press(&mut h, Key::Z, Modifiers::COMMAND);
    assert!(
        h.state()
            .document()
            .unwrap()
            .annotations
            .relations()
            .is_empty()
    );
    press(&mut h, Key::Z, Modifiers::COMMAND | Modifiers::SHIFT);
    assert_eq!(
        h.state().document().unwrap().annotations.relations().len(),
        1
    );
    // Saved in the sidecar.
    let ron = save_and_read(&mut h, &path);
    assert!(ron.contains("kind: \"EmployedBy\""), "{ron}");
}

#[test]
fn ctrl_drag_adds_a_piece_and_tagging_makes_one_annotation_of_both() {
    let (_dir, _path, mut h) = open_copy();
    // The second piece is lines away from the first (the tag palette shows beside a selection).
    let first = span_of("السفير الروسي");
    let second = span_of("روسيا");
    drag_over(&mut h, first);
    let r = h.state_mut().view_mut().unwrap().screen_rects(second)[0];
    drag_holding(
        &mut h,
        Pos2::new(r.max.x - 1.0, r.center().y),
        Pos2::new(r.min.x + 1.0, r.center().y),
        Modifiers::COMMAND,
    );
    assert_eq!(h.state().view().unwrap().pieces(), vec![second, first]);
    press(&mut h, Key::Num1, Modifiers::NONE);
    let d = h.state().document().unwrap();
    assert_eq!(d.annotations.items().len(), 1);
    let a = &d.annotations.items()[0];
    assert_eq!(a.pieces(), vec![second, first]);
    assert_eq!(a.tag, "PER");
    assert!(
        h.state().view().unwrap().pieces().is_empty(),
        "the pieces are used up"
    );
    press(&mut h, Key::Z, Modifiers::COMMAND);
    assert!(h.state().document().unwrap().annotations.items().is_empty());
    press(&mut h, Key::Z, Modifiers::COMMAND | Modifiers::SHIFT);
    assert_eq!(
        h.state().document().unwrap().annotations.items()[0]
            .fragments
            .len(),
        2
    );
}

#[test]
fn a_flag_set_in_the_popup_is_saved_and_undone() {
    let (_dir, path, mut h) = open_copy();
    if let Some(t) = h
        .state_mut()
        .document_mut()
        .unwrap()
        .annotations
        .tags
        .tags
        .iter_mut()
        .find(|t| t.name == "GPE")
    {
        t.attributes.push(warraq::model::tags::AttributeDef {
            name: "Negated".into(),
            kind: warraq::model::tags::AttributeKind::Flag,
        });
    }
    let word = span_of("روسيا");
    tag(&mut h, word, Key::Num4);
    let p = centre_of(&mut h, word);
    click(&mut h, p);
    h.run_steps(2);
    h.get_by_label("Negated").click();
    h.run_steps(2);
    let id = h.state().document().unwrap().annotations.items()[0].id;
    let negated = |h: &Harness<'_, WarraqApp>| {
        h.state()
            .document()
            .unwrap()
            .annotations
            .get(id)
            .unwrap()
            .attributes
            .get("Negated")
            .cloned()
    };
    assert_eq!(negated(&h).as_deref(), Some("true"));
    let ron = save_and_read(&mut h, &path);
    assert!(ron.contains("attributes: {\"Negated\": \"true\"}"), "{ron}");
    press(&mut h, Key::Escape, Modifiers::NONE);
    press(&mut h, Key::Z, Modifiers::COMMAND);
    assert_eq!(negated(&h), None);
}

#[test]
fn deleting_an_annotation_with_relations_asks_first_and_undo_brings_all_back() {
    let (_dir, _path, mut h) = open_copy();
    let person = span_of("أناتولي أنتونوف");
    let country = span_of("الولايات المتحدة");
    tag(&mut h, person, Key::Num1);
    tag(&mut h, country, Key::Num4);
    let d = h.state_mut().document_mut().unwrap();
    let ids: Vec<u64> = d.annotations.items().iter().map(|a| a.id).collect();
    let (a, b) = (ids[0], ids[1]);
    d.annotations.relate(b, a, "EmployedBy").unwrap();
    h.state_mut().pick_annotation(b);
    h.run_steps(2);
    press(&mut h, Key::Delete, Modifiers::NONE);
    h.run_steps(2);
    assert!(h.state().is_asking_before_delete(), "the question is asked");
    assert_eq!(
        h.state().document().unwrap().annotations.items().len(),
        2,
        "nothing deleted yet"
    );
    // Cancel keeps everything.
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    assert!(!h.state().is_asking_before_delete());
    assert_eq!(
        h.state().document().unwrap().annotations.relations().len(),
        1
    );
    // Delete All takes the annotation and its relation; one undo brings both back.
    h.state_mut().pick_annotation(b);
    press(&mut h, Key::Delete, Modifiers::NONE);
    h.run_steps(2);
    h.get_by_label("Delete All").click();
    h.run_steps(2);
    let d = h.state().document().unwrap();
    assert_eq!(d.annotations.items().len(), 1);
    assert!(d.annotations.relations().is_empty());
    press(&mut h, Key::Z, Modifiers::COMMAND);
    let d = h.state().document().unwrap();
    assert_eq!(d.annotations.items().len(), 2);
    assert_eq!(d.annotations.relations().len(), 1);
}

#[test]
fn a_link_table_offers_entries_for_the_annotation_and_a_click_links_it() {
    let (dir, _path, mut h) = open_copy();
    let table = dir.path().join("wikidata.tsv");
    std::fs::write(
        &table,
        "Q159\tروسيا\tروسيا الاتحادية|Russia\nQ30\tالولايات المتحدة\tأمريكا\nnot a line\n",
    )
    .unwrap();
    let ctx = h.ctx.clone();
    h.state_mut().load_link_table(&ctx, table.clone());
    for _ in 0..200 {
        h.step();
        if h.state().link_table().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert_eq!(h.state().link_table().map(|(_, n)| n), Some(2));
    assert_eq!(
        h.state().settings.link_table.as_deref(),
        Some(table.as_path()),
        "remembered"
    );
    let word = span_of("روسيا");
    tag(&mut h, word, Key::Num4);
    let p = centre_of(&mut h, word);
    click(&mut h, p);
    h.run_steps(2);
    // The table's entry for the annotation's own text is offered at once.
    h.get_by_label("wikidata:Q159").click();
    h.run_steps(2);
    let a = h.state().document().unwrap().annotations.items()[0].clone();
    assert_eq!(a.links.len(), 1);
    assert_eq!(
        (
            a.links[0].db.as_str(),
            a.links[0].id.as_str(),
            a.links[0].label.as_str()
        ),
        ("wikidata", "Q159", "روسيا")
    );
    assert!(
        h.query_by_label("From the link table:").is_none(),
        "a link it has is not offered again"
    );
}

#[test]
fn the_annotator_name_is_recorded_on_every_annotation_and_saved() {
    let (_dir, path, mut h) = open_copy();
    let ctx = h.ctx.clone();
    h.state_mut()
        .run(&ctx, warraq::app::commands::Command::AnnotatorName);
    h.run_steps(2);
    assert!(h.state().is_naming_annotator());
    h.get_by_label("Annotator name").click();
    h.run_steps(2);
    // Select what is there (the system user name) and type another.
    press(&mut h, Key::A, Modifiers::COMMAND);
    h.event(Event::Text("سارة".into()));
    h.step();
    h.get_by_label("Apply").click();
    h.run_steps(2);
    assert!(!h.state().is_naming_annotator());
    assert_eq!(h.state().settings.annotator, "سارة");
    tag(&mut h, span_of("روسيا"), Key::Num4);
    assert_eq!(
        h.state().document().unwrap().annotations.items()[0].annotator,
        "سارة"
    );
    let ron = save_and_read(&mut h, &path);
    assert!(
        ron.contains("annotator: \"سارة\")"),
        "on the annotation: {ron}"
    );
    assert!(
        ron.contains("\n  annotator: \"سارة\",\n"),
        "in the header: {ron}"
    );
}

#[test]
fn the_agreement_window_compares_two_annotators_folders() {
    let dir = tempfile::tempdir().unwrap();
    for (folder, words) in [("a", vec!["روسيا", "موسكو"]), ("b", vec!["روسيا"])] {
        let f = dir.path().join(folder);
        std::fs::create_dir_all(&f).unwrap();
        let path = f.join("article.txt");
        std::fs::write(&path, SAMPLE_TEXT).unwrap();
        let mut d = warraq::workspace::OpenDocument::open(&path, None).unwrap();
        let doc = d.doc.clone();
        for w in words {
            d.annotations.create(&doc, span_of(w), "GPE").unwrap();
        }
        d.save_now().unwrap();
    }
    let mut h = open(&dir.path().join("a/article.txt"));
    let ctx = h.ctx.clone();
    h.state_mut()
        .run(&ctx, warraq::app::commands::Command::Agreement);
    h.run_steps(2);
    assert!(h.state().is_showing_agreement());
    // The open document's folder is the reference; the other annotator's folder is added.
    h.state_mut().add_agreement_source(dir.path().join("b"));
    h.run_steps(2);
    h.get_by_label("Compute").click();
    for _ in 0..500 {
        h.step();
        if h.state().agreement_result().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let r = h
        .state()
        .agreement_result()
        .unwrap()
        .as_ref()
        .unwrap()
        .clone();
    assert_eq!(r.documents, 1);
    let p = r.first.unwrap();
    assert_eq!(
        (p.exact.tp, p.exact.fp, p.exact.fn_),
        (Some(1), Some(0), Some(1))
    );
    assert!(p.kappa.is_some());
    h.run_steps(2);
    assert!(h.query_by_label("1 document compared").is_some());
    // The difference view of the document: موسكو only the first annotator has.
    let ctx = h.ctx.clone();
    h.state_mut().show_differences(&ctx, 0);
    for _ in 0..500 {
        h.step();
        if h.state().agreement_differences().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let (name, shown) = h.state().agreement_differences().unwrap();
    assert_eq!(name, "article.txt");
    let d = shown.as_ref().unwrap();
    assert_eq!(d.disagreements.len(), 1);
    assert_eq!(
        d.disagreements[0].kind,
        Some(warraq::model::curation::Kind::Missing)
    );
    assert_eq!(d.doc.slice(d.disagreements[0].span), "موسكو");
    h.run_steps(2);
    assert!(
        h.query_by_label("1 disagreements · 1 annotations agreed")
            .is_some()
    );
}

#[test]
fn a_folder_lists_its_documents_and_ctrl_page_down_opens_the_next() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["one.txt", "two.txt"] {
        std::fs::write(dir.path().join(name), SAMPLE_TEXT).unwrap();
    }
    let mut d = warraq::workspace::OpenDocument::open(&dir.path().join("one.txt"), None).unwrap();
    let doc = d.doc.clone();
    d.annotations.create(&doc, span_of("روسيا"), "GPE").unwrap();
    d.save_now().unwrap();
    drop(d);
    let mut h = common::harness(WarraqApp::new(Default::default()), Vec2::new(1300.0, 850.0));
    let ctx = h.ctx.clone();
    h.state_mut().open_folder(&ctx, dir.path().to_owned());
    let opened = |h: &Harness<'_, WarraqApp>| {
        h.state()
            .document()
            .and_then(|d| d.path.clone())
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
    };
    for _ in 0..500 {
        h.step();
        if opened(&h).is_some() && h.state().view().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let docs = h.state().corpus_documents().unwrap().to_vec();
    let listed: Vec<(String, usize)> = docs
        .iter()
        .map(|d| (d.name.clone(), d.annotations))
        .collect();
    assert_eq!(
        listed,
        [("one.txt".to_owned(), 1), ("two.txt".to_owned(), 0)]
    );
    assert_eq!(
        opened(&h).as_deref(),
        Some("one.txt"),
        "the first document opens"
    );
    press(&mut h, Key::PageDown, Modifiers::COMMAND);
    for _ in 0..500 {
        h.step();
        if opened(&h).as_deref() == Some("two.txt") && h.state().view().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert_eq!(opened(&h).as_deref(), Some("two.txt"));
    h.run_steps(2);
    assert!(h.query_by_label_contains("Folder (2 documents)").is_some());
}

#[test]
fn mark_as_finished_is_saved_undone_and_shown_in_the_folder_list() {
    let (dir, path, mut h) = open_copy();
    let ctx = h.ctx.clone();
    h.state_mut().open_folder(&ctx, dir.path().to_owned());
    h.run_steps(2);
    // From the File menu, as a person would.
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Mark as Finished").click();
    h.run_steps(2);
    assert!(h.state().document().unwrap().annotations.is_finished());
    let ron = save_and_read(&mut h, &path);
    assert!(ron.contains("finished: true"), "{ron}");
    // The folder list reads it back.
    for _ in 0..500 {
        h.step();
        if h.state()
            .corpus_documents()
            .is_some_and(|d| d.first().is_some_and(|d| d.finished))
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(h.state().corpus_documents().unwrap()[0].finished);
    press(&mut h, Key::Z, Modifiers::COMMAND);
    assert!(!h.state().document().unwrap().annotations.is_finished());
    let ron = save_and_read(&mut h, &path);
    assert!(!ron.contains("finished"), "{ron}");
}

#[test]
fn a_search_across_the_folder_opens_the_document_at_the_match() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "زار الوفد القاهرة أمس").unwrap();
    std::fs::write(dir.path().join("b.txt"), SAMPLE_TEXT).unwrap();
    let mut h = common::harness(WarraqApp::new(Default::default()), Vec2::new(1300.0, 850.0));
    let ctx = h.ctx.clone();
    h.state_mut().open_folder(&ctx, dir.path().to_owned());
    let wait = |h: &mut Harness<'_, WarraqApp>, done: &dyn Fn(&WarraqApp) -> bool| {
        for _ in 0..500 {
            h.step();
            if done(h.state()) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        panic!("did not happen");
    };
    wait(&mut h, &|a| a.document().is_some() && a.view().is_some());
    h.state_mut().search_folder(&ctx, "أناتولي");
    wait(&mut h, &|a| a.folder_hits().is_some());
    let hits = h.state().folder_hits().unwrap().to_vec();
    assert_eq!(hits.len(), SAMPLE_TEXT.matches("أناتولي").count());
    assert!(hits.iter().all(|x| x.name == "b.txt"));
    h.state_mut().open_hit(&ctx, &hits[0]);
    wait(&mut h, &|a| {
        a.document()
            .and_then(|d| d.path.clone())
            .is_some_and(|p| p.ends_with("b.txt"))
            && a.view().is_some_and(|v| !v.selection().is_empty())
    });
    assert_eq!(h.state().view().unwrap().selection().span(), hits[0].span);
}

/// Opening a brat `.ann` ("Open with Warraq" in a file manager, or a path on the command line) imports it beside
/// itself and opens the document; opening it again opens the imported document without importing twice.
#[test]
fn opening_an_annotation_file_imports_it_and_opens_its_document() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("news.txt");
    std::fs::write(&text, "زار روسيا أمس").unwrap();
    let ann = dir.path().join("news.ann");
    std::fs::write(&ann, "T1\tGPE 4 9\tروسيا\n").unwrap();
    let mut h = common::harness(
        warraq::app::WarraqApp::new(warraq::app::Settings::default()),
        egui::vec2(900.0, 600.0),
    );
    open_in(&mut h, &ann);
    let doc = h.state().document().expect("the imported document is open");
    assert_eq!(doc.path.as_deref(), Some(text.as_path()));
    let a = &doc.annotations.items()[0];
    assert_eq!((a.start, a.end, a.tag.as_str()), (4, 9, "GPE"));
    assert!(warraq::store::sidecar::sidecar_path(&text).is_file());
    assert_eq!(std::fs::read_to_string(&text).unwrap(), "زار روسيا أمس");
    // Again: the document opens; nothing is imported or written a second time.
    let side = std::fs::read(warraq::store::sidecar::sidecar_path(&text)).unwrap();
    open_in(&mut h, &ann);
    h.run_steps(3);
    assert_eq!(
        h.state().document().unwrap().path.as_deref(),
        Some(text.as_path())
    );
    assert_eq!(
        std::fs::read(warraq::store::sidecar::sidecar_path(&text)).unwrap(),
        side
    );
    assert!(
        h.state()
            .message()
            .unwrap_or_default()
            .contains("imported before"),
        "{:?}",
        h.state().message()
    );
}

/// Tools ▸ Suggest from Annotations: a text tagged in another document of the folder is suggested wherever it occurs
/// in this one and is not annotated; the suggestions arrive from a worker into this document.
/// A folder where a.txt has روسيا tagged GPE (in its sidecar), and b.txt a copy of the sample.
fn folder_that_taught_russia() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let taught = dir.path().join("a.txt");
    std::fs::write(&taught, "زار روسيا أمس").unwrap();
    {
        let doc = warraq::model::Document::new("زار روسيا أمس".to_owned());
        let mut set = warraq::model::AnnotationSet::new(
            Vec::new(),
            Vec::new(),
            warraq::model::TagSet::default(),
        );
        set.create(
            &doc,
            warraq::model::Span::new(warraq::model::CharOffset(4), warraq::model::CharOffset(9)),
            "GPE",
        );
        warraq::store::sidecar::save(
            &warraq::store::sidecar::sidecar_path(&taught),
            &set,
            warraq::store::sidecar::Fingerprint::of("زار روسيا أمس".as_bytes(), "UTF-8"),
            false,
        )
        .unwrap();
    }
    let path = dir.path().join("b.txt");
    std::fs::write(&path, SAMPLE_TEXT).unwrap();
    (dir, path)
}

#[test]
fn suggestions_are_learned_from_the_folder_s_annotations() {
    let (_dir, path) = folder_that_taught_russia();
    let mut h = common::open(&path, egui::vec2(1100.0, 800.0));
    // One روسيا is annotated already: nothing is suggested there.
    tag(&mut h, span_of("روسيا"), Key::Num1);
    h.get_by_label("Tools").click();
    h.run_steps(2);
    h.get_by_label("Suggest from Annotations").click();
    for _ in 0..400 {
        h.step();
        if !h
            .state()
            .document()
            .unwrap()
            .annotations
            .suggestions
            .is_empty()
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let d = h.state().document().unwrap();
    let n = SAMPLE_TEXT.matches("روسيا").count();
    let s = &d.annotations.suggestions;
    assert!(!s.is_empty() && s.len() < n, "{} of {n}", s.len());
    assert!(s.iter().all(|a| a.tag == "GPE" && a.text.contains("روسيا")));
    assert!(
        s.iter().all(|a| a.start != span_of("روسيا").start.0),
        "none over the annotation"
    );
}

/// A folder holding a copy of the sample (b.txt), to annotate in.
fn sample_in_folder() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.txt");
    std::fs::write(&path, SAMPLE_TEXT).unwrap();
    (dir, path)
}

fn scores(h: &Harness<'_, WarraqApp>) -> Vec<f32> {
    h.state()
        .document()
        .unwrap()
        .annotations
        .suggestions
        .iter()
        .map(|s| s.suggested.unwrap().score)
        .collect()
}

#[test]
fn learned_suggestions_follow_annotations_acceptances_and_rejections() {
    let (_dir, path) = sample_in_folder();
    let mut h = open(&path);
    let n = SAMPLE_TEXT.matches("روسيا").count();
    // One annotation, and the other روسيا are suggested by themselves (no menu).
    tag(&mut h, span_of("روسيا"), Key::Num1);
    step_until(&mut h, |app| {
        !app.document().unwrap().annotations.suggestions.is_empty()
    });
    let s = &h.state().document().unwrap().annotations.suggestions;
    assert!(s.len() >= n - 3 && s.len() < n, "{} of {n}", s.len());
    assert!(s.iter().all(|a| {
        a.text.contains("روسيا")
            && a.suggested
                .is_some_and(|x| x.source == warraq::model::annotations::Source::Learned)
    }));
    assert!(scores(&h).iter().all(|&x| x == 1.0));
    let before = s.len();
    // A rejection lowers the text's score at once: one annotation against one rejection.
    // (The pointer comes to the button first, as a hand on a mouse brings it.)
    h.get_all_by_label("Reject").next().unwrap().hover();
    h.run_steps(1);
    h.get_all_by_label("Reject").next().unwrap().click();
    step_until(&mut h, |app| {
        let d = app.document().unwrap();
        d.annotations
            .suggestions
            .iter()
            .all(|a| a.suggested.unwrap().score == 0.5)
    });
    let d = h.state().document().unwrap();
    assert_eq!(d.annotations.rejected().len(), 1);
    assert_eq!(
        d.annotations.suggestions.len(),
        before - 1,
        "the rejected one is not back"
    );
    // An acceptance raises it: two annotations against one rejection.
    h.get_all_by_label("Accept").next().unwrap().click();
    step_until(&mut h, |app| {
        let d = app.document().unwrap();
        d.annotations.items().len() == 2
            && d.annotations
                .suggestions
                .iter()
                .all(|a| (a.suggested.unwrap().score - 2.0 / 3.0).abs() < 1e-6)
    });
    assert_eq!(
        h.state().document().unwrap().annotations.suggestions.len(),
        before - 2
    );
    // Saved with their scores, and the rejection with them.
    let text = save_and_read(&mut h, &path);
    assert!(text.contains("rejected: ["), "{text}");
    assert!(
        text.contains("suggested: Some((source: learned, score: 0.6666667))"),
        "{text}"
    );
}

#[test]
fn turning_off_suggest_while_annotating_leaves_the_suggestions_alone() {
    let (_dir, path) = sample_in_folder();
    let mut h = open(&path);
    h.get_by_label("Tools").click();
    h.run_steps(2);
    h.get_by_label("Suggest While Annotating").click();
    h.run_steps(2);
    assert!(!h.state().settings.learn_live);
    tag(&mut h, span_of("روسيا"), Key::Num1);
    h.run_steps(20);
    std::thread::sleep(std::time::Duration::from_millis(100));
    h.run_steps(20);
    assert!(
        h.state()
            .document()
            .unwrap()
            .annotations
            .suggestions
            .is_empty()
    );
}

#[cfg(feature = "ner")]
#[test]
fn a_model_s_suggestions_appear_and_those_above_a_threshold_are_accepted_in_one_step() {
    let (dir, path) = sample_in_folder();
    // A model (written here, in a hub's layout) that tags every روسيا and واشنطن as a place.
    let model_dir = common::sample_model(dir.path(), &[("روسيا", "B-LOC"), ("واشنطن", "B-LOC")]);
    let mut h = open(&path);
    h.get_by_label("Tools").click();
    h.run_steps(2);
    h.get_by_label("Suggestion Model…").click();
    h.run_steps(2);
    let ctx = h.ctx.clone();
    h.state_mut().load_model(&ctx, model_dir.clone());
    step_until(&mut h, |app| {
        app.message()
            .is_some_and(|m| m.contains("suggestion model is loaded"))
    });
    assert_eq!(
        h.state().settings.model_folder.as_deref(),
        Some(model_dir.as_path())
    );
    // PERS → PER and LOC → LOC, as the table shows them.
    h.get_by_label("PERS");
    h.get_by_label("Suggest in This Document").click();
    h.run_steps(2);
    step_until(&mut h, |app| !app.is_running_model());
    h.run_steps(2);
    let d = h.state().document().unwrap();
    let s = &d.annotations.suggestions;
    let expected = SAMPLE_TEXT.matches("روسيا").count() + SAMPLE_TEXT.matches("واشنطن").count();
    assert!(
        s.len() >= expected - 4 && s.len() <= expected,
        "{} of {expected}",
        s.len()
    );
    assert!(s.iter().all(|a| a.tag == "LOC"
        && (a.text == "روسيا" || a.text == "واشنطن")
        && a.suggested.is_some_and(
            |x| x.source == warraq::model::annotations::Source::Model && x.score > 0.9
        )));
    assert!(
        h.state()
            .message()
            .unwrap()
            .contains("suggestion model has read the document")
    );
    // Accept everything scoring at least 0.9 in one step; undo takes it all back.
    let n = s.len();
    h.get_by_label(&format!("Accept {n} Scoring at Least"))
        .click();
    h.run_steps(2);
    let d = h.state().document().unwrap();
    assert_eq!(d.annotations.items().len(), n);
    assert!(d.annotations.suggestions.is_empty());
    press(&mut h, Key::Z, Modifiers::COMMAND);
    let d = h.state().document().unwrap();
    assert!(d.annotations.items().is_empty());
    // (The learner may have proposed more from the accepted ones meanwhile.)
    assert_eq!(warraq::workspace::suggester::model_suggestions(d), n);
}

#[test]
fn after_suggest_from_annotations_a_rejection_counts_even_with_no_annotation_here() {
    let (_dir, path) = folder_that_taught_russia();
    let mut h = common::open(&path, egui::vec2(1100.0, 800.0));
    h.get_by_label("Tools").click();
    h.run_steps(2);
    h.get_by_label("Suggest from Annotations").click();
    step_until(&mut h, |app| {
        !app.document().unwrap().annotations.suggestions.is_empty()
    });
    assert!(scores(&h).iter().all(|&x| x == 1.0));
    h.get_all_by_label("Reject").next().unwrap().hover();
    h.run_steps(1);
    h.get_all_by_label("Reject").next().unwrap().click();
    // One annotation in a.txt against one rejection here.
    step_until(&mut h, |app| {
        let d = app.document().unwrap();
        d.annotations.rejected().len() == 1
            && d.annotations
                .suggestions
                .iter()
                .all(|a| a.suggested.unwrap().score == 0.5)
    });
}

#[test]
fn f6_follows_the_least_certain_first_order_and_passes_suggestions_sharing_a_span() {
    let (_dir, path, mut h) = open_copy();
    let doc = h.state().document().unwrap().doc.clone();
    let russia = span_of("روسيا");
    let washington = span_of("واشنطن");
    let s = |span: Span, tag: &str, score: f64| {
        warraq::model::annotations::suggestion(
            &doc,
            span,
            tag,
            warraq::model::annotations::Suggested::new(
                warraq::model::annotations::Source::Model,
                score,
            ),
            "",
        )
    };
    h.state_mut()
        .workspace_mut()
        .current_mut()
        .unwrap()
        .annotations
        .add_suggestions(vec![
            s(russia, "LOC", 0.9),
            s(russia, "ORG", 0.6),
            s(washington, "LOC", 0.7),
        ]);
    h.run_steps(2);
    h.get_by_label("Least certain first").click();
    h.run_steps(2);
    assert!(h.state().settings.suggestions_by_score);
    let mut seen = Vec::new();
    for _ in 0..4 {
        press(&mut h, Key::F6, Modifiers::NONE);
        seen.push(h.state().view().unwrap().selection().span());
    }
    // 0.6 (روسيا), 0.7 (واشنطن), 0.9 (روسيا again, the other tag), then round to the first.
    assert_eq!(seen, [russia, washington, russia, russia]);
    let _ = path;
}
