//! Helpers shared by the window tests: a harness on the real application, opening files, keys, clicks, spans.

#![allow(dead_code)]

use egui::{Event, Key, Modifiers, PointerButton, Pos2, Vec2};
use egui_kittest::Harness;
use warraq::app::{SAMPLE_TEXT, Settings, WarraqApp};
use warraq::model::{CharOffset, Span, TextSelection};

/// The application in a headless window of the given size, stepping at 60 frames a second.
pub fn harness(app: WarraqApp, size: Vec2) -> Harness<'static, WarraqApp> {
    Harness::builder()
        .with_size(size)
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(|ui, app: &mut WarraqApp| app.ui(ui), app)
}

/// Steps the harness until the file opened on the worker thread has arrived.
pub fn wait_loaded(h: &mut Harness<'_, WarraqApp>) {
    for _ in 0..500 {
        h.step();
        if !h.state().is_loading() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(!h.state().is_loading(), "the file was opened");
    h.run_steps(3);
}

/// A window with `path` open.
pub fn open(path: &std::path::Path, size: Vec2) -> Harness<'static, WarraqApp> {
    let mut h = harness(WarraqApp::new(Settings::default()), size);
    let ctx = h.ctx.clone();
    h.state_mut().open_path(&ctx, path.to_owned(), None);
    wait_loaded(&mut h);
    h
}

/// The code-point span of the first occurrence of `word` in the sample.
pub fn span_of(word: &str) -> Span {
    let byte = SAMPLE_TEXT.find(word).unwrap();
    let start = SAMPLE_TEXT[..byte].chars().count();
    Span::new(CharOffset(start), CharOffset(start + word.chars().count()))
}

/// A key press with modifiers, in one frame.
pub fn press(h: &mut Harness<'_, WarraqApp>, key: Key, modifiers: Modifiers) {
    h.event(Event::Key {
        key,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers,
    });
    h.step();
}

/// A primary click at `p` (move, press, release).
pub fn click(h: &mut Harness<'_, WarraqApp>, p: Pos2) {
    h.event(Event::PointerMoved(p));
    h.step();
    button(h, p, true, Modifiers::NONE);
    button(h, p, false, Modifiers::NONE);
}

/// The primary button going down or up at `p`, one frame.
pub fn button(h: &mut Harness<'_, WarraqApp>, p: Pos2, pressed: bool, modifiers: Modifiers) {
    h.event(Event::PointerButton {
        pos: p,
        button: PointerButton::Primary,
        pressed,
        modifiers,
    });
    h.step();
}

/// A drag from `from` to `to` in six moves.
pub fn drag(h: &mut Harness<'_, WarraqApp>, from: Pos2, to: Pos2) {
    h.event(Event::PointerMoved(from));
    h.step();
    button(h, from, true, Modifiers::NONE);
    for k in 1..=6 {
        h.event(Event::PointerMoved(from + (to - from) * (k as f32 / 6.0)));
        h.step();
    }
    button(h, to, false, Modifiers::NONE);
}

/// Selects a span in the document view and presses a tag key.
pub fn tag(h: &mut Harness<'_, WarraqApp>, span: Span, key: Key) {
    h.state_mut()
        .view_mut()
        .unwrap()
        .set_selection(TextSelection::new(span.start, span.end));
    press(h, key, Modifiers::NONE);
}

/// Runs the real binary with `args` and waits for it.
pub fn warraq(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_warraq"))
        .args(args)
        .output()
        .unwrap()
}

/// Steps the harness until the save in progress (Ctrl+S, autosave) has been written by its worker.
pub fn wait_saved(h: &mut Harness<'_, WarraqApp>) {
    let saving = |h: &Harness<'_, WarraqApp>| {
        h.state()
            .workspace()
            .current()
            .is_some_and(warraq::workspace::OpenDocument::is_saving)
    };
    for _ in 0..1000 {
        if !saving(h) {
            break;
        }
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert!(!saving(h), "the save finished");
}

/// A window on a copy of the sample in a fresh folder (kept alive by the returned guard).
pub fn open_copy(
    size: Vec2,
) -> (
    tempfile::TempDir,
    std::path::PathBuf,
    Harness<'static, WarraqApp>,
) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("article.txt");
    std::fs::write(&path, SAMPLE_TEXT).unwrap();
    let h = open(&path, size);
    (dir, path, h)
}

/// Selects the document's first word with the keys (Ctrl+Home, Ctrl+Shift+Left: forward in an Arabic line) and
/// tags it with tag key 1.
pub fn tag_first_word_with_keys(h: &mut Harness<'_, WarraqApp>) {
    press(h, Key::Home, Modifiers::COMMAND);
    press(h, Key::ArrowLeft, Modifiers::COMMAND | Modifiers::SHIFT);
    press(h, Key::Num1, Modifiers::NONE);
}

/// A folder `model` in `dir`, written in a model hub's layout, whose model labels each of `words` (word, label
/// name among O, B-PERS, I-PERS, B-LOC, I-LOC) wherever it is a whole piece of the sample, and all else O.
#[cfg(feature = "ner")]
pub fn sample_model(dir: &std::path::Path, words: &[(&str, &str)]) -> std::path::PathBuf {
    use warraq::ner::fixture;
    let labels = ["O", "B-PERS", "I-PERS", "B-LOC", "I-LOC"];
    let chosen = words
        .iter()
        .map(|(w, l)| ((*w).to_owned(), labels.iter().position(|x| x == l).unwrap()))
        .collect();
    let model = dir.join("model");
    std::fs::create_dir(&model).unwrap();
    fixture::write(
        &model,
        &fixture::Spec::tiny(
            &labels,
            fixture::vocab_for(SAMPLE_TEXT),
            fixture::Weights::ByPiece(chosen),
        ),
    )
    .unwrap();
    model
}
