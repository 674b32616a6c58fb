//! The RTL text input: typing Arabic, deleting, moving the caret in visual order, clipboard.

use egui::{Event, Key, Modifiers, OutputCommand, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use warraq::view::{RtlInput, RtlInputState, RtlLabel};

fn harness(multiline: bool) -> Harness<'static, RtlInputState> {
    Harness::builder()
        .with_size(Vec2::new(400.0, 200.0))
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(
            |ui, state: &mut RtlInputState| {
                ui.add(RtlLabel::new("ملاحظة"));
                ui.add(RtlInput::new(state, "Note"));
            },
            RtlInputState::new(multiline),
        )
}

fn key(h: &mut Harness<'_, RtlInputState>, key: Key, modifiers: Modifiers) {
    h.event(Event::Key {
        key,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers,
    });
    h.step();
}

#[test]
fn typing_arabic_and_deleting() {
    let mut h = harness(false);
    h.run_steps(2);
    h.get_by_label("Note").click();
    h.run_steps(2);
    h.event(Event::Text("سلام".into()));
    h.step();
    assert_eq!(h.state().text(), "سلام");
    assert_eq!(h.state().caret(), 4);
    key(&mut h, Key::Backspace, Modifiers::NONE);
    assert_eq!(h.state().text(), "سلا");
    // In right-to-left text the right arrow moves towards the start.
    key(&mut h, Key::ArrowRight, Modifiers::NONE);
    assert_eq!(h.state().caret(), 2);
    h.event(Event::Text("ب".into()));
    h.step();
    assert_eq!(h.state().text(), "سلبا");
    assert_eq!(h.state().caret(), 3);
    // Left moves towards the end; Delete at the end deletes nothing.
    key(&mut h, Key::ArrowLeft, Modifiers::NONE);
    assert_eq!(h.state().caret(), 4);
    key(&mut h, Key::Delete, Modifiers::NONE);
    assert_eq!(h.state().text(), "سلبا");
    // Right twice, then Delete removes the letter after the caret: ب.
    key(&mut h, Key::ArrowRight, Modifiers::NONE);
    key(&mut h, Key::ArrowRight, Modifiers::NONE);
    key(&mut h, Key::Delete, Modifiers::NONE);
    assert_eq!(h.state().text(), "سلا");
    assert_eq!(h.get_by_label("Note").value().as_deref(), Some("سلا"));
}

#[test]
fn digits_inside_arabic_and_clipboard() {
    let mut h = harness(false);
    h.run_steps(2);
    h.get_by_label("Note").click();
    h.run_steps(2);
    h.event(Event::Text("عام 2021".into()));
    h.step();
    // Shift+Home selects to the start of the line; Copy puts it on the clipboard.
    key(&mut h, Key::Home, Modifiers::SHIFT);
    h.event(Event::Copy);
    h.step();
    let copied = h
        .output()
        .platform_output
        .commands
        .iter()
        .find_map(|c| match c {
            OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        });
    assert_eq!(copied.as_deref(), Some("عام 2021"));
    h.event(Event::Paste("القاهرة".into()));
    h.step();
    assert_eq!(h.state().text(), "القاهرة");
    // A single-line input turns pasted line breaks into spaces.
    h.event(Event::Paste("\nسطر".into()));
    h.step();
    assert_eq!(h.state().text(), "القاهرة سطر");
}

#[test]
fn multiline_input_takes_enter() {
    let mut h = harness(true);
    h.run_steps(2);
    h.get_by_label("Note").click();
    h.run_steps(2);
    h.event(Event::Text("سطر".into()));
    h.step();
    key(&mut h, Key::Enter, Modifiers::NONE);
    h.event(Event::Text("ثان".into()));
    h.step();
    assert_eq!(h.state().text(), "سطر\nثان");
}
