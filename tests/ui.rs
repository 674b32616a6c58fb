//! The application driven headlessly with egui_kittest: real pointer and key events on the real app state.

use std::collections::HashMap;

use egui::{Event, Key, Modifiers, OutputCommand, Pos2, Rect, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use warraq::app::{SAMPLE_TEXT, Settings, WarraqApp};
use warraq::model::Span;

mod common;

use common::wait_loaded;

fn harness(app: WarraqApp) -> Harness<'static, WarraqApp> {
    common::harness(app, Vec2::new(1100.0, 800.0))
}

fn sample_harness() -> Harness<'static, WarraqApp> {
    let mut app = WarraqApp::new(Settings::default());
    app.open_sample();
    let mut h = harness(app);
    h.run_steps(3);
    h
}

use common::span_of;

use common::drag;

fn word_rect(h: &mut Harness<'_, WarraqApp>, span: Span) -> Rect {
    let rects = h.state_mut().view_mut().unwrap().screen_rects(span);
    assert_eq!(rects.len(), 1, "the word is on one line: {rects:?}");
    rects[0]
}

/// Presses Ctrl+key in one frame (kittest's own helper spreads modifier changes over several frames, and the
/// harness keeps only the last frame's output).
fn press_ctrl(h: &mut Harness<'_, WarraqApp>, key: Key) {
    h.event(Event::Key {
        key,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: Modifiers::COMMAND,
    });
    h.step();
}

fn copied(h: &Harness<'_, WarraqApp>) -> Option<String> {
    h.output()
        .platform_output
        .commands
        .iter()
        .find_map(|c| match c {
            OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        })
}

#[test]
fn opens_the_sample_right_to_left() {
    let mut h = sample_harness();
    let app = h.state();
    let doc = app.document().expect("the sample is open");
    assert_eq!(doc.name, "sample-article-ar.txt");
    assert_eq!(doc.doc.text(), SAMPLE_TEXT);
    h.get_by_label("UTF-8");
    h.get_by_label("sample-article-ar.txt");
    // The first word of the first paragraph is drawn at the right of the text column.
    let first = word_rect(&mut h, span_of("روسيا"));
    let later = word_rect(&mut h, span_of("عرضت"));
    assert!(
        first.min.x > later.max.x,
        "روسيا is right of عرضت: {first:?} {later:?}"
    );
}

#[test]
fn dragging_across_a_word_selects_exactly_it_and_ctrl_c_copies_it() {
    let mut h = sample_harness();
    let span = span_of("الولايات");
    let r = word_rect(&mut h, span);
    // The word starts at its right edge (right-to-left): drag from just inside it to just inside its left edge.
    drag(
        &mut h,
        Pos2::new(r.max.x - 1.0, r.center().y),
        Pos2::new(r.min.x + 1.0, r.center().y),
    );
    assert_eq!(h.state().view().unwrap().selection().span(), span);
    press_ctrl(&mut h, Key::C);
    assert_eq!(copied(&h).as_deref(), Some("الولايات"));
}

#[test]
fn dragging_left_to_right_selects_the_same_word() {
    let mut h = sample_harness();
    let span = span_of("المتحدة");
    let r = word_rect(&mut h, span);
    drag(
        &mut h,
        Pos2::new(r.min.x + 1.0, r.center().y),
        Pos2::new(r.max.x - 1.0, r.center().y),
    );
    assert_eq!(h.state().view().unwrap().selection().span(), span);
}

#[test]
fn double_click_selects_a_word_and_triple_click_a_paragraph() {
    let mut h = sample_harness();
    let span = span_of("السيبراني");
    let r = word_rect(&mut h, span);
    let p = r.center();
    for _ in 0..2 {
        h.event(Event::PointerMoved(p));
        common::button(&mut h, p, true, Modifiers::NONE);
        common::button(&mut h, p, false, Modifiers::NONE);
    }
    assert_eq!(h.state().view().unwrap().selection().span(), span);
    common::button(&mut h, p, true, Modifiers::NONE);
    common::button(&mut h, p, false, Modifiers::NONE);
    let doc = h.state().document().unwrap().doc.clone();
    assert_eq!(
        h.state().view().unwrap().selection().span(),
        doc.paragraphs()[0].span()
    );
}

#[test]
fn shift_click_extends_the_selection_across_paragraphs() {
    let mut h = sample_harness();
    let a = word_rect(&mut h, span_of("عرضت"));
    let b_span = span_of("أناتولي");
    let b = h.state_mut().view_mut().unwrap().screen_rects(b_span)[0];
    let pa = Pos2::new(a.max.x - 0.5, a.center().y);
    h.event(Event::PointerMoved(pa));
    common::button(&mut h, pa, true, Modifiers::NONE);
    common::button(&mut h, pa, false, Modifiers::NONE);
    let pb = Pos2::new(b.min.x + 0.5, b.center().y);
    h.event(Event::ModifiersChanged(Modifiers::SHIFT));
    h.event(Event::PointerMoved(pb));
    common::button(&mut h, pb, true, Modifiers::SHIFT);
    common::button(&mut h, pb, false, Modifiers::SHIFT);
    h.event(Event::ModifiersChanged(Modifiers::NONE));
    let sel = h.state().view().unwrap().selection().span();
    assert_eq!(sel, Span::new(span_of("عرضت").start, b_span.end));
    // Copy gives the logical text, paragraph breaks included.
    press_ctrl(&mut h, Key::C);
    let text = copied(&h).unwrap();
    assert!(text.starts_with("عرضت على") && text.ends_with("أناتولي") && text.contains('\n'));
}

#[test]
fn ctrl_a_selects_everything() {
    let mut h = sample_harness();
    press_ctrl(&mut h, Key::A);
    press_ctrl(&mut h, Key::C);
    assert_eq!(copied(&h).as_deref(), Some(SAMPLE_TEXT));
    // The platform sends Ctrl+C as a Copy event; that copies too.
    h.event(Event::Copy);
    h.step();
    assert_eq!(copied(&h).as_deref(), Some(SAMPLE_TEXT));
}

#[derive(Default)]
struct MemoryStorage(HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

#[test]
fn open_recent_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("أول.txt");
    let second = dir.path().join("second.txt");
    std::fs::write(&first, "نص أول").unwrap();
    std::fs::write(&second, "نص ثان").unwrap();

    let mut h = harness(WarraqApp::new(Settings::default()));
    for path in [&first, &second] {
        let ctx = h.ctx.clone();
        h.state_mut().open_path(&ctx, path.clone(), None);
        wait_loaded(&mut h);
    }
    assert_eq!(h.state().document().unwrap().name, "second.txt");
    let mut storage = MemoryStorage::default();
    h.state().save_to(&mut storage);
    drop(h);

    // A new window restored from the same storage lists both, newest first, and opens one from the menu.
    let mut h = harness(WarraqApp::from_storage(Some(&storage)));
    h.run_steps(2);
    let recent: Vec<_> = h.state().settings.recent.clone();
    assert_eq!(
        recent,
        vec![
            second.canonicalize().unwrap(),
            first.canonicalize().unwrap()
        ]
    );
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Open Recent").click();
    h.run_steps(2);
    h.get_by_label(&first.canonicalize().unwrap().display().to_string())
        .click();
    wait_loaded(&mut h);
    assert_eq!(h.state().document().unwrap().name, "أول.txt");
    assert_eq!(h.state().document().unwrap().doc.text(), "نص أول");
}

#[test]
fn bad_input_shows_a_message_and_keeps_the_open_document() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = sample_harness();
    let cases = [
        (dir.path().join("missing.txt"), "no such file"),
        (
            {
                let p = dir.path().join("image.png");
                std::fs::write(&p, [0x89u8, b'P', b'N', b'G', 0, 0, 0, 13]).unwrap();
                p
            },
            "binary",
        ),
    ];
    for (path, expected) in cases {
        let ctx = h.ctx.clone();
        h.state_mut().open_path(&ctx, path, None);
        wait_loaded(&mut h);
        let message = h.state().message().unwrap_or_default().to_owned();
        assert!(message.contains(expected), "{message}");
        assert_eq!(
            h.state().document().unwrap().name,
            "sample-article-ar.txt",
            "the open document is kept"
        );
    }
    // A folder opens as a corpus beside the open document, which stays.
    let ctx = h.ctx.clone();
    h.state_mut()
        .open_path(&ctx, dir.path().to_path_buf(), None);
    h.run_steps(3);
    assert!(h.state().corpus_documents().is_some());
    assert_eq!(h.state().document().unwrap().name, "sample-article-ar.txt");
    // An empty file opens as an empty document.
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let ctx = h.ctx.clone();
    h.state_mut().open_path(&ctx, empty, None);
    wait_loaded(&mut h);
    assert_eq!(h.state().document().unwrap().name, "empty.txt");
    h.get_by_label("This file is empty.");
}

#[test]
fn reopening_with_another_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("legacy.txt");
    let text = "قال السفير الروسي لدى الولايات المتحدة إن بلاده عرضت إجراء حوار حول الأمن السيبراني.";
    std::fs::write(&path, encoding_rs::WINDOWS_1256.encode(text).0).unwrap();
    let mut h = harness(WarraqApp::new(Settings::default()));
    let ctx = h.ctx.clone();
    h.state_mut().open_path(&ctx, path.clone(), None);
    wait_loaded(&mut h);
    assert_eq!(
        h.state().document().unwrap().encoding,
        encoding_rs::WINDOWS_1256
    );
    assert_eq!(h.state().document().unwrap().doc.text(), text);
    // View ▸ Encoding ▸ windows-1252 reopens the same bytes as Latin text.
    h.get_by_label("View").click();
    h.run_steps(2);
    h.get_by_label("Encoding").click();
    h.run_steps(2);
    h.get_by_label("windows-1252").click();
    wait_loaded(&mut h);
    let doc = h.state().document().unwrap();
    assert_eq!(doc.encoding, encoding_rs::WINDOWS_1252);
    assert!(!doc.doc.text().contains('ق'));
}

#[test]
fn zoom_and_text_size_shortcuts() {
    let mut h = sample_harness();
    h.key_press_modifiers(Modifiers::COMMAND, Key::Equals);
    h.step();
    assert!((h.state().settings.zoom - 1.1).abs() < 1e-4);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Num0);
    h.step();
    assert!((h.state().settings.zoom - 1.0).abs() < 1e-4);
    // Ctrl + mouse wheel zooms too.
    h.hover_at(Pos2::new(500.0, 400.0));
    h.event(Event::MouseWheel {
        unit: egui::MouseWheelUnit::Line,
        delta: Vec2::new(0.0, 1.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: Modifiers::COMMAND,
    });
    h.step();
    assert!(
        h.state().settings.zoom > 1.01,
        "zoom after Ctrl+wheel: {}",
        h.state().settings.zoom
    );
    let size = h.state().settings.font_size;
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Period);
    h.step();
    assert_eq!(h.state().settings.font_size, size + 2.0);
    assert_eq!(h.state().view().unwrap().style().font_size, size + 2.0);
}

#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn dropping_a_file_opens_it_and_the_title_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("مقال.txt");
    std::fs::write(&path, "سطر أول\r\nسطر ثان\r\n").unwrap();
    let mut h = sample_harness();
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(path.clone())));
    h.step();
    wait_loaded(&mut h);
    let doc = h.state().document().unwrap();
    assert_eq!(doc.name, "مقال.txt");
    assert_eq!(doc.doc.paragraphs().len(), 2);
    assert_eq!(doc.doc.paragraph_text(1), "سطر ثان");
    h.get_by_label("CRLF");
    assert_eq!(h.state().window_title(), "مقال.txt — Warraq");
}
