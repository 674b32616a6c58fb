//! The window in Arabic: the interface's strings come from the Arabic catalog and are drawn by the text engine
//! (read by screen readers through their names), the window is mirrored, and numbers can take Arabic-Indic digits.
//! The language is process-wide, so every test of this file runs the interface in Arabic.

mod common;

use egui::{Key, Modifiers, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use warraq::app::{SAMPLE_TEXT, Settings, WarraqApp};
use warraq::i18n::{Language, arabic_indic};

use common::press;

fn arabic_window() -> (tempfile::TempDir, Harness<'static, WarraqApp>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("مقالة.txt");
    std::fs::write(&path, SAMPLE_TEXT).unwrap();
    let settings = Settings {
        language: Some(Language::Arabic),
        ..Settings::default()
    };
    let mut h = common::harness(WarraqApp::new(settings), Vec2::new(1300.0, 850.0));
    let ctx = h.ctx.clone();
    h.state_mut().open_path(&ctx, path, None);
    common::wait_loaded(&mut h);
    (dir, h)
}

#[test]
fn menus_panels_and_status_speak_arabic_in_a_mirrored_window() {
    let (_dir, mut h) = arabic_window();
    // The menu bar starts at the right: File (ملف) is right of View (عرض).
    let file = h.get_by_label("ملف").rect();
    let view = h.get_by_label("عرض").rect();
    assert!(
        file.min.x > view.max.x,
        "ملف {file:?} is right of عرض {view:?}"
    );
    assert!(
        file.max.x > 1100.0,
        "the menu bar starts at the right edge: {file:?}"
    );
    // The annotation panel is on the left of the text.
    let heading = h.get_by_label("التوسيمات (0)").rect();
    assert!(
        heading.max.x < 500.0,
        "the panel is on the left: {heading:?}"
    );
    // The status bar counts in Arabic.
    let count = SAMPLE_TEXT.chars().count();
    h.get_by_label(&format!("المحارف: {count}"));
    // Menus open with Arabic items; their shortcuts stay as keys.
    h.get_by_label("ملف").click();
    h.run_steps(2);
    h.get_by_label("فتح…");
    h.get_by_label("حفظ التوسيمات");
    press(&mut h, Key::Escape, Modifiers::NONE);
    // Tag a word with the keys: the details window and its buttons are Arabic too.
    common::tag_first_word_with_keys(&mut h);
    assert_eq!(h.state().document().unwrap().annotations.items().len(), 1);
    h.run_steps(2);
    h.get_by_label("التوسيمات (1)");
    press(&mut h, Key::Enter, Modifiers::NONE);
    h.run_steps(2);
    h.get_by_label("حفظ الملاحظة");
    h.get_by_label("حذف");
    press(&mut h, Key::Escape, Modifiers::NONE);
    h.run_steps(2);

    // View ▸ Language ▸ Arabic-Indic digits: the counts change digits, and the choice is remembered.
    h.get_by_label("عرض").click();
    h.run_steps(2);
    h.get_by_label("اللغة").hover();
    h.run_steps(2);
    h.get_by_label("الأرقام الهندية (١٢٣)").hover();
    h.run_steps(2);
    h.get_by_label("الأرقام الهندية (١٢٣)").click();
    h.run_steps(3);
    assert!(h.state().settings.arabic_digits);
    h.get_by_label(&format!("المحارف: {}", arabic_indic(&count.to_string())));
    assert!(h.query_by_label(&format!("المحارف: {count}")).is_none());
    h.get_by_label("التوسيمات (١)");

    // The Tags dialog (Edit ▸ الوسوم…) is in Arabic too, its title, headings and buttons.
    h.get_by_label("تحرير").click();
    h.run_steps(2);
    h.get_by_label("الوسوم…").click();
    h.run_steps(3);
    h.get_by_label("الوسوم");
    // The column's heading and each row's field.
    assert!(h.query_all_by_label("التسمية العربية").count() > 1);
    h.get_by_label("تطبيق");
}

#[test]
fn a_file_that_cannot_be_opened_is_explained_in_arabic() {
    let (dir, mut h) = arabic_window();
    let missing = dir.path().join("غائب.txt");
    let ctx = h.ctx.clone();
    h.state_mut().open_path(&ctx, missing, None);
    for _ in 0..200 {
        h.run_steps(1);
        if h.state().message().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let message = h.state().message().unwrap_or_default().to_owned();
    assert!(
        message.contains("غائب.txt") && message.contains("لا يوجد ملف بهذا الاسم"),
        "{message}"
    );
    // It starts with the (Latin) path but reads right to left, as the rest of the window: the path is a bidi
    // isolate, in its own order.
    assert!(message.starts_with('\u{2068}'), "{message:?}");
    assert!(warraq::text::is_rtl_paragraph(&message));
    // A string that starts with a Latin word outside any isolate gets a right-to-left mark.
    let plain = "sample.txt: لا يوجد";
    assert!(!warraq::text::is_rtl_paragraph(plain));
    assert!(warraq::text::is_rtl_paragraph(
        &warraq::view::chrome::directed(plain)
    ));
    // The document that was open stays open.
    assert!(h.state().document().is_some());
}

/// The notes report written from the Arabic interface has Arabic headings (the command line writes English ones).
#[test]
fn the_notes_report_speaks_the_interface_language() {
    let (_dir, h) = arabic_window();
    let d = h.state().document().unwrap();
    let docs = [warraq::export::ExportDoc {
        name: "مقالة.txt".into(),
        doc: &d.doc,
        annotations: &d.annotations,
    }];
    let md = warraq::export::notes::markdown(&docs);
    assert!(md.contains("| الوسم | | العدد |"), "{md}");
    assert!(md.contains("توسيمًا"), "{md}");
    let html = warraq::export::notes::html(&docs);
    assert!(html.contains("<title>ورّاق — ملاحظات موسَّمة</title>"));
    assert!(html.contains("<th>الوسم</th>"));
}
