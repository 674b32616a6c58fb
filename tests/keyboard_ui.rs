//! Annotating with the keyboard alone, in the real window: the caret moves visually, Shift selects, a tag key tags,
//! Enter opens the details with the keyboard in the note, Escape comes back, Tab steps through annotations.

mod common;

use egui::accesskit::Role;
use egui::{Event, Key, Modifiers, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use warraq::app::{SAMPLE_TEXT, WarraqApp};
use warraq::model::{CharOffset, TextSelection};

use common::{press, span_of};

fn open_copy() -> (
    tempfile::TempDir,
    std::path::PathBuf,
    Harness<'static, WarraqApp>,
) {
    common::open_copy(Vec2::new(1300.0, 850.0))
}

fn selection(h: &Harness<'_, WarraqApp>) -> TextSelection {
    h.state().view().unwrap().selection()
}

#[test]
fn a_whole_annotation_pass_with_the_keys_only() {
    let (_dir, path, mut h) = open_copy();
    h.run_steps(2);
    // The document has the keyboard as soon as it opens: Ctrl+Home puts the caret at the start.
    press(&mut h, Key::Home, Modifiers::COMMAND);
    assert_eq!(selection(&h), TextSelection::caret(CharOffset(0)));
    // The first line is Arabic: Left moves forward in the text, Right back.
    press(&mut h, Key::ArrowLeft, Modifiers::NONE);
    assert_eq!(selection(&h).head, CharOffset(1));
    press(&mut h, Key::ArrowRight, Modifiers::NONE);
    assert_eq!(selection(&h).head, CharOffset(0));
    // Ctrl+Shift+Left selects the first word.
    press(
        &mut h,
        Key::ArrowLeft,
        Modifiers::COMMAND | Modifiers::SHIFT,
    );
    let word = span_of("روسيا");
    let sel = selection(&h).span();
    assert_eq!(sel.start, word.start);
    assert!(sel.end >= word.end, "{sel:?}");
    // A screen reader sees the caret and the selection in the document's text (AccessKit text runs).
    h.run_steps(1);
    {
        let doc = h.get_by_role(Role::Document);
        let node = doc.accesskit_node();
        assert!(node.supports_text_ranges(), "the document has text runs");
        let text = node.document_range().text();
        assert!(
            text.starts_with(&format!("{}\n", SAMPLE_TEXT.lines().next().unwrap())),
            "{text:?}"
        );
        assert_eq!(node.text_selection().unwrap().text().trim(), "روسيا");
        assert_eq!(
            node.text_selection_anchor().unwrap().to_global_usv_index(),
            0
        );
    }
    // 1 tags it PER; a space the word step took is not part of the annotation.
    press(&mut h, Key::Num1, Modifiers::NONE);
    let d = h.state().document().unwrap();
    assert_eq!(d.annotations.items().len(), 1);
    assert_eq!(d.annotations.items()[0].span(), word);
    assert_eq!(d.annotations.items()[0].tag, "PER");
    // What a screen reader reads: the document, its first paragraph in logical order, the annotation.
    h.run_steps(2);
    h.get_by_role(Role::Document);
    let first = SAMPLE_TEXT.lines().next().unwrap();
    // (The sample repeats its title as its first line of text: two paragraphs read the same.)
    assert_eq!(
        h.query_all_by_role_and_label(Role::Paragraph, first)
            .count(),
        2
    );
    h.get_by_role_and_label(Role::Mark, "PER: روسيا");
    // Enter opens its details with the keyboard in the note; an Arabic note is typed.
    press(&mut h, Key::Enter, Modifiers::NONE);
    h.run_steps(2);
    assert!(h.state().is_showing_details(), "the details opened");
    h.event(Event::Text("ملاحظة بالعربية".into()));
    h.run_steps(2);
    // Escape leaves the note, Escape again closes the details (the note is kept) and the document has the
    // keyboard again: Tab steps to the next annotation — there is one only, so it stays on it.
    press(&mut h, Key::Escape, Modifiers::NONE);
    press(&mut h, Key::Escape, Modifiers::NONE);
    h.run_steps(2);
    assert!(!h.state().is_showing_details(), "the details closed");
    assert_eq!(
        h.state().document().unwrap().annotations.items()[0].note,
        "ملاحظة بالعربية"
    );
    press(&mut h, Key::ArrowLeft, Modifiers::NONE);
    assert_ne!(
        selection(&h).span(),
        word,
        "the arrows move the caret again"
    );
    // The note is read with the annotation, and the caret's word is announced.
    h.run_steps(2);
    let mark = h.get_by_role_and_label(Role::Mark, "PER: روسيا");
    assert_eq!(
        mark.accesskit_node().description().as_deref(),
        Some("ملاحظة بالعربية")
    );
    assert!(h.query_by_role(Role::Status).is_some());
    // Ctrl+End, then Shift+Tab back to the annotation.
    press(&mut h, Key::End, Modifiers::COMMAND);
    assert_eq!(
        selection(&h).head,
        CharOffset(h.state().view().unwrap().document().char_count())
    );
    press(&mut h, Key::Tab, Modifiers::SHIFT);
    assert_eq!(
        h.state().selected_annotation(),
        Some(h.state().document().unwrap().annotations.items()[0].id)
    );
    // Ctrl+S saves: the sidecar holds the annotation and its note.
    press(&mut h, Key::S, Modifiers::COMMAND);
    common::wait_saved(&mut h);
    let ron = std::fs::read_to_string(warraq::store::sidecar::sidecar_path(&path)).unwrap();
    assert!(ron.contains("tag: \"PER\", text: \"روسيا\""), "{ron}");
    assert!(ron.contains("ملاحظة بالعربية"), "{ron}");
}

#[test]
fn up_and_down_move_by_visual_line_and_shift_extends() {
    let (_dir, _path, mut h) = open_copy();
    h.run_steps(2);
    press(&mut h, Key::Home, Modifiers::COMMAND);
    // Down from the first line: into the next paragraph (the title is one line).
    press(&mut h, Key::ArrowDown, Modifiers::NONE);
    let first_para_end = SAMPLE_TEXT.lines().next().unwrap().chars().count();
    let head = selection(&h).head;
    assert!(head.0 > first_para_end, "{head:?} {first_para_end}");
    // Shift+Up extends back to the first line; the anchor stays.
    press(&mut h, Key::ArrowUp, Modifiers::SHIFT);
    let s = selection(&h);
    assert_eq!(s.anchor, head);
    assert!(s.head.0 <= first_para_end, "{s:?}");
    // Home / End go to the ends of the visual line.
    press(&mut h, Key::End, Modifiers::NONE);
    let end = selection(&h).head;
    press(&mut h, Key::Home, Modifiers::NONE);
    let start = selection(&h).head;
    assert!(start < end, "{start:?} {end:?}");
}

#[test]
fn with_clitics_as_words_a_name_is_selected_without_its_clitic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.txt");
    std::fs::write(&path, "زار والقاهرة أمس").unwrap();
    let mut h = common::open(&path, Vec2::new(1300.0, 850.0));
    let ctx = h.ctx.clone();
    h.state_mut()
        .run(&ctx, warraq::app::commands::Command::CliticWords);
    h.run_steps(2);
    // Caret before والقاهرة (4): Ctrl+Shift+Left stops after و, then after ال.
    press(&mut h, Key::Home, Modifiers::COMMAND);
    press(&mut h, Key::ArrowLeft, Modifiers::COMMAND);
    let before = selection(&h).head;
    assert!(before.0 == 3 || before.0 == 4, "{before:?}");
    if before.0 == 3 {
        press(&mut h, Key::ArrowLeft, Modifiers::NONE);
    }
    press(
        &mut h,
        Key::ArrowLeft,
        Modifiers::COMMAND | Modifiers::SHIFT,
    );
    assert_eq!(selection(&h).span().end, CharOffset(5), "after و");
    // Without the clitic: start after و and select the rest of the word, then tag it LOC (2).
    press(&mut h, Key::ArrowLeft, Modifiers::NONE);
    h.run_steps(1);
    let at = selection(&h).head;
    assert_eq!(at, CharOffset(5));
    h.state_mut()
        .run(&ctx, warraq::app::commands::Command::CliticWords);
    press(
        &mut h,
        Key::ArrowLeft,
        Modifiers::COMMAND | Modifiers::SHIFT,
    );
    press(&mut h, Key::Num2, Modifiers::NONE);
    let d = h.state().document().unwrap();
    assert_eq!(d.annotations.items()[0].text, "القاهرة");
}

#[test]
fn line_ends_blank_lines_and_pages_keep_the_caret_where_it_should_be() {
    let (_dir, _path, mut h) = open_copy();
    h.run_steps(2);
    press(&mut h, Key::Home, Modifiers::COMMAND);
    // Into the line a few characters: Down twice (over the blank line) and Up twice come back to the same place.
    for _ in 0..10 {
        press(&mut h, Key::ArrowLeft, Modifiers::NONE);
    }
    let start = selection(&h).head;
    for key in [Key::ArrowDown, Key::ArrowDown, Key::ArrowUp, Key::ArrowUp] {
        press(&mut h, key, Modifiers::NONE);
    }
    assert_eq!(
        selection(&h).head,
        start,
        "the caret kept its place across the lines"
    );
    // A wrapped paragraph: End then Left is one step, not a jump out of the paragraph.
    let long = span_of("( أردو");
    h.state_mut()
        .view_mut()
        .unwrap()
        .move_caret_to(long.start, false);
    press(&mut h, Key::End, Modifiers::NONE);
    let end = selection(&h).head;
    assert!(end > long.start, "{end:?}");
    press(&mut h, Key::ArrowLeft, Modifiers::NONE);
    let next = selection(&h).head;
    assert!(next.0.abs_diff(end.0) <= 1, "{end:?} then {next:?}");
    // Page Down moves the caret by a page; Shift+Page Up selects back.
    press(&mut h, Key::Home, Modifiers::COMMAND);
    press(&mut h, Key::PageDown, Modifiers::NONE);
    let paged = selection(&h).head;
    assert!(paged.0 > 200, "{paged:?}");
    press(&mut h, Key::PageUp, Modifiers::SHIFT);
    let s = selection(&h);
    assert_eq!(s.anchor, paged);
    assert!(s.head < paged);
}

#[test]
fn deleting_from_the_details_gives_the_text_the_keyboard_back() {
    let (_dir, _path, mut h) = open_copy();
    h.run_steps(2);
    common::tag_first_word_with_keys(&mut h);
    press(&mut h, Key::Enter, Modifiers::NONE);
    h.run_steps(2);
    assert!(h.state().is_showing_details());
    // The Delete key in the note is text editing; the details' Delete button (by its label) deletes.
    h.get_by_label("Delete").click();
    h.run_steps(3);
    assert!(h.state().document().unwrap().annotations.items().is_empty());
    assert!(!h.state().is_showing_details());
    let focused = h.ctx.memory(|m| m.focused());
    assert_eq!(focused, Some(warraq::view::document_view::focus_id()));
    // And the text announces the annotation at the caret after tagging again.
    press(
        &mut h,
        Key::ArrowLeft,
        Modifiers::COMMAND | Modifiers::SHIFT,
    );
    press(&mut h, Key::Num1, Modifiers::NONE);
    h.run_steps(2);
    let made = h.state().document().unwrap().annotations.items()[0]
        .text
        .clone();
    assert!(
        h.query_by_role_and_label(Role::Status, &format!("PER: {made}"))
            .is_some(),
        "the live region says the annotation just made"
    );
}

#[test]
fn ctrl_f_in_the_first_frame_after_opening_keeps_the_keyboard_in_the_find_bar() {
    // The frame the document lands in gives it the keyboard; Ctrl+F pressed at once must still win.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("article.txt");
    std::fs::write(&path, warraq::app::SAMPLE_TEXT).unwrap();
    let mut h = common::harness(
        WarraqApp::new(warraq::app::Settings::default()),
        Vec2::new(1300.0, 850.0),
    );
    let ctx = h.ctx.clone();
    h.state_mut().open_path(&ctx, path, None);
    for _ in 0..500 {
        h.step();
        if h.state().view().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(h.state().view().is_some(), "the file was opened");
    press(&mut h, Key::F, Modifiers::COMMAND);
    h.run_steps(2);
    h.event(Event::Text("روسيا".into()));
    press(&mut h, Key::Enter, Modifiers::NONE);
    h.run_steps(5);
    let n = h.state().find_state().map_or(0, |(m, _)| m.len());
    assert!(n > 1, "typed into the find bar: {n} matches");
}

#[test]
fn the_find_bar_remembers_its_query_and_f3_searches_again_after_it_closed() {
    let (_dir, _path, mut h) = open_copy();
    h.run_steps(2);
    press(&mut h, Key::F, Modifiers::COMMAND);
    h.run_steps(2);
    h.event(Event::Text("روسيا".into()));
    h.run_steps(2);
    press(&mut h, Key::Enter, Modifiers::NONE);
    h.run_steps(5);
    let n = h.state().find_state().map(|(m, _)| m.len()).unwrap_or(0);
    assert!(n > 1, "{n} matches");
    press(&mut h, Key::Escape, Modifiers::NONE);
    h.run_steps(2);
    assert!(h.state().find_state().is_none(), "the bar closed");
    // F3 with the bar closed: it comes back with its query and goes to a match.
    press(&mut h, Key::F3, Modifiers::NONE);
    h.run_steps(8);
    let (matches, current) = h.state().find_state().expect("the bar is open again");
    assert_eq!(matches.len(), n);
    assert!(current.is_some());
}

/// Whether the widget labelled `label` has the keyboard.
fn focused(h: &Harness<'_, WarraqApp>, label: &str) -> bool {
    h.query_all_by_label_contains(label)
        .any(|n| n.accesskit_node().is_focused())
}

#[test]
fn f10_reaches_every_menu_and_its_commands_without_the_mouse() {
    let (_dir, _path, mut h) = open_copy();
    h.run_steps(2);
    let panel_shown = h.state().settings.show_panel;
    press(&mut h, Key::F10, Modifiers::NONE);
    h.run_steps(2);
    assert!(focused(&h, "File"), "F10 gives the first menu the keyboard");
    // Right goes from menu to menu, to View.
    for _ in 0..3 {
        press(&mut h, Key::ArrowRight, Modifiers::NONE);
        h.run_steps(1);
    }
    assert!(focused(&h, "View"), "Right arrows lead to the View menu");
    press(&mut h, Key::Enter, Modifiers::NONE);
    h.run_steps(2);
    // Down walks the open menu's items; Enter runs the one with the keyboard.
    let mut reached = false;
    for _ in 0..40 {
        press(&mut h, Key::ArrowDown, Modifiers::NONE);
        h.run_steps(1);
        if focused(&h, "Annotation Panel") {
            reached = true;
            break;
        }
    }
    assert!(reached, "Down reaches View ▸ Annotation Panel");
    press(&mut h, Key::Enter, Modifiers::NONE);
    h.run_steps(2);
    assert_ne!(
        h.state().settings.show_panel,
        panel_shown,
        "Enter ran the command"
    );
    // Down on a menu's title opens it too, and the next Down reaches its first item.
    press(&mut h, Key::F10, Modifiers::NONE);
    h.run_steps(2);
    press(&mut h, Key::ArrowDown, Modifiers::NONE);
    h.run_steps(2);
    assert!(focused(&h, "File"), "the title keeps the keyboard");
    assert!(
        h.query_all_by_label_contains("Open…").next().is_some(),
        "Down opened the File menu"
    );
    press(&mut h, Key::ArrowDown, Modifiers::NONE);
    h.run_steps(2);
    assert!(focused(&h, "Open…"), "the next Down reaches its first item");
    press(&mut h, Key::Escape, Modifiers::NONE);
    h.run_steps(2);
    // Escape on the menu bar gives the text the keyboard back.
    press(&mut h, Key::F10, Modifiers::NONE);
    h.run_steps(2);
    press(&mut h, Key::Escape, Modifiers::NONE);
    h.run_steps(3);
    assert_eq!(
        h.ctx.memory(|m| m.focused()),
        Some(warraq::view::document_view::focus_id())
    );
}

/// Across numbers and Latin words inside an Arabic line, every press of Left moves the caret leftwards on screen
/// (one index has two places where the direction changes: both are visited, each once), and Right comes back the
/// same way.
#[test]
fn the_caret_moves_one_place_per_key_across_changes_of_direction() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.txt");
    std::fs::write(&path, "في عام 2015 قال John Smith إن 12.5% تم\n").unwrap();
    let mut h = common::open(&path, Vec2::new(1300.0, 850.0));
    h.run_steps(2);
    press(&mut h, Key::Home, Modifiers::COMMAND);
    h.run_steps(1);
    let x = |h: &Harness<'_, WarraqApp>| h.state().view().unwrap().caret_place().unwrap().1[0];
    let mut places = vec![x(&h)];
    for _ in 0..60 {
        press(&mut h, Key::ArrowLeft, Modifiers::NONE);
        let now = x(&h);
        if (now - places.last().unwrap()).abs() < 0.01 {
            break;
        }
        places.push(now);
    }
    assert!(
        places.windows(2).all(|w| w[1] < w[0]),
        "Left always moves leftwards: {places:?}"
    );
    // 38 characters have 39 places between and around them on screen; at each change of direction one index has
    // two of them (visited twice) and its neighbour none, as in a browser.
    assert_eq!(places.len(), 38 + 1, "every place visited once: {places:?}");
    let mut back = vec![*places.last().unwrap()];
    for _ in 1..places.len() {
        press(&mut h, Key::ArrowRight, Modifiers::NONE);
        back.push(x(&h));
    }
    back.reverse();
    for (a, b) in places.iter().zip(&back) {
        assert!(
            (a - b).abs() < 0.01,
            "Right retraces Left: {places:?} vs {back:?}"
        );
    }
}

/// Escape closes a dialog (a field in it gives up the keyboard first) and the text has the keyboard again.
#[test]
fn escape_closes_the_dialogs() {
    let (_dir, _path, mut h) = open_copy();
    h.run_steps(2);
    for command in [
        warraq::app::commands::Command::EditTags,
        warraq::app::commands::Command::Agreement,
        warraq::app::commands::Command::AnnotatorName,
    ] {
        let ctx = h.ctx.clone();
        h.state_mut().run(&ctx, command);
        h.run_steps(3);
        let windows = h.query_all_by_role(Role::Window).count();
        assert!(windows >= 1, "{command:?} opened a window");
        if command == warraq::app::commands::Command::EditTags {
            // The Tags window opens with the keyboard in its first field: one Escape leaves the field (nothing typed
            // is lost), the dialog stays.
            press(&mut h, Key::Escape, Modifiers::NONE);
            h.run_steps(2);
            assert_eq!(h.query_all_by_role(Role::Window).count(), windows);
        }
        for _ in 0..2 {
            press(&mut h, Key::Escape, Modifiers::NONE);
            h.run_steps(2);
        }
        assert_eq!(
            h.query_all_by_role(Role::Window).count(),
            windows - 1,
            "Escape closed {command:?}"
        );
        h.run_steps(3);
        assert_eq!(
            h.ctx.memory(|m| m.focused()),
            Some(warraq::view::document_view::focus_id()),
            "after {command:?} the text has the keyboard"
        );
    }
}

/// A dialog opened with a key takes the keyboard (Tab walks it, not the annotations behind it; Escape closes it),
/// and a relation is made with keys alone: Link to… in the details, Tab to the other annotation, Enter, a new type
/// typed in Link as, Enter.
#[test]
fn dialogs_take_the_keyboard_and_a_relation_is_made_with_keys() {
    let (_dir, _path, mut h) = open_copy();
    h.run_steps(2);
    common::tag(&mut h, span_of("روسيا"), Key::Num1);
    common::tag(&mut h, span_of("الولايات المتحدة"), Key::Num3);
    h.run_steps(2);
    press(&mut h, Key::E, Modifiers::COMMAND);
    h.run_steps(3);
    let first_format = warraq::export::Format::ALL[0].label();
    assert!(focused(&h, first_format), "Export took the keyboard");
    let selected = h.state().selected_annotation();
    press(&mut h, Key::Tab, Modifiers::NONE);
    h.run_steps(2);
    assert_eq!(
        h.state().selected_annotation(),
        selected,
        "Tab stays in the dialog"
    );
    press(&mut h, Key::Escape, Modifiers::NONE);
    h.run_steps(3);
    assert!(h.query_by_label(first_format).is_none(), "Escape closed it");
    // Back in the text: Tab selects the first annotation, Enter opens its details, Escape leaves the note.
    press(&mut h, Key::Home, Modifiers::COMMAND);
    press(&mut h, Key::Tab, Modifiers::NONE);
    h.run_steps(2);
    let from = h
        .state()
        .selected_annotation()
        .expect("Tab selected an annotation");
    press(&mut h, Key::Enter, Modifiers::NONE);
    h.run_steps(2);
    assert!(h.state().is_showing_details());
    // The first Escape leaves the note, the details stay; Tab walks their buttons.
    press(&mut h, Key::Escape, Modifiers::NONE);
    h.run_steps(2);
    assert!(
        h.state().is_showing_details(),
        "one Escape only left the note"
    );
    let mut reached = false;
    for _ in 0..12 {
        press(&mut h, Key::Tab, Modifiers::NONE);
        h.run_steps(1);
        if focused(&h, "Link to…") {
            reached = true;
            break;
        }
    }
    assert!(reached, "Tab reaches Link to… in the details");
    press(&mut h, Key::Enter, Modifiers::NONE);
    h.run_steps(2);
    // Tab picks the other end; Enter ends the link and Link as opens with the keyboard.
    press(&mut h, Key::Tab, Modifiers::NONE);
    h.run_steps(2);
    let to = h.state().selected_annotation().unwrap();
    assert_ne!(to, from);
    press(&mut h, Key::Enter, Modifiers::NONE);
    h.run_steps(3);
    assert!(
        h.query_by_label("Link as").is_some(),
        "the type chooser opened"
    );
    // No relation type is defined yet: the new type's field has the keyboard.
    h.event(Event::Text("Negotiates".into()));
    h.run_steps(1);
    press(&mut h, Key::Enter, Modifiers::NONE);
    h.run_steps(2);
    let d = h.state().document().unwrap();
    let r = d.annotations.relations();
    assert_eq!(r.len(), 1, "a relation was made");
    assert_eq!(
        (r[0].from, r[0].to, r[0].kind.as_str()),
        (from, to, "Negotiates")
    );
}

/// A tag key on the annotation Tab selected changes its tag (one annotation, undoable), rather than adding another.
#[test]
fn a_tag_key_on_a_selected_annotation_changes_its_tag() {
    let (_dir, _path, mut h) = open_copy();
    h.run_steps(2);
    common::tag(&mut h, span_of("روسيا"), Key::Num1);
    press(&mut h, Key::Home, Modifiers::COMMAND);
    press(&mut h, Key::Tab, Modifiers::NONE);
    h.run_steps(2);
    assert!(h.state().selected_annotation().is_some());
    press(&mut h, Key::Num3, Modifiers::NONE);
    h.run_steps(1);
    let d = h.state().document().unwrap();
    assert_eq!(d.annotations.items().len(), 1, "no second annotation");
    let tag3 = d
        .annotations
        .tags
        .tags
        .iter()
        .find(|t| t.key == Some('3'))
        .unwrap()
        .name
        .clone();
    assert_eq!(d.annotations.items()[0].tag, tag3);
    press(&mut h, Key::Z, Modifiers::COMMAND);
    h.run_steps(1);
    assert_eq!(
        h.state().document().unwrap().annotations.items()[0].tag,
        "PER"
    );
}
