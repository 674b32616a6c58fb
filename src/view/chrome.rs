//! The bridge between the interface's strings and egui's widgets. egui lays out text with no bidi, so any string
//! with right-to-left letters (the Arabic interface, Arabic file and tag names) is laid out by the text engine and
//! handed to egui as an image atom whose alternative text is the string: buttons, menus, checkboxes, window titles
//! and combo boxes show it in the right order, and screen readers and tests read its name. Strings with no
//! right-to-left letter stay plain egui text.
//!
//! It also says which way the window reads: [`rtl`] layouts mirror rows and panels in the Arabic interface.

use std::sync::Arc;

use egui::load::SizedTexture;
use egui::{
    Align, Atom, AtomExt as _, Color32, ColorImage, Context, Layout, Response, TextureHandle,
    TextureOptions, Ui, Vec2,
};

use super::RtlLabel;
use super::text_kit::with_kit;
use crate::text::TextStyle;

/// Whether `text` holds a right-to-left letter (Arabic, Hebrew, Syriac, Thaana, N'Ko and their presentation forms).
#[must_use]
pub fn has_rtl(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
    })
}

/// `text` as the interface lays it out: in the Arabic interface, a string with right-to-left letters that starts
/// with a Latin word gets a right-to-left mark first, so that it reads right to left like the rest of the window.
#[must_use]
pub fn directed(text: &str) -> std::borrow::Cow<'_, str> {
    if crate::i18n::rtl() && has_rtl(text) && !crate::text::is_rtl_paragraph(text) {
        std::borrow::Cow::Owned(format!("\u{200F}{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The size interface strings are laid out at by the text engine: egui's body size plus two points, as Naskh
/// reads small next to egui's Latin font.
#[must_use]
pub fn text_size(ui: &Ui) -> f32 {
    ui.style().text_styles[&egui::TextStyle::Body].size + 2.0
}

/// An interface string as a widget atom, in the widget's text colour.
#[must_use]
pub fn atom(ui: &Ui, text: impl Into<String>) -> Atom<'static> {
    atom_colored(ui, text, ui.visuals().text_color())
}

/// An interface string for a window title (where there is a context but no `Ui` yet).
#[must_use]
pub fn title(ctx: &Context, text: impl Into<String>) -> Atom<'static> {
    let text = text.into();
    if !has_rtl(&text) {
        return text.into();
    }
    let style = ctx.global_style();
    let size = style.text_styles[&egui::TextStyle::Heading].size + 1.0;
    let (texture, size) = rendered(ctx, &text, size);
    egui::Image::from_texture(SizedTexture::new(texture.id(), size))
        .tint(style.visuals.text_color())
        .alt_text(text)
        .atom_size(size)
}

/// A heading.
pub fn heading(ui: &mut Ui, text: impl Into<String>) -> Response {
    let text = text.into();
    if has_rtl(&text) {
        let size = ui.style().text_styles[&egui::TextStyle::Heading].size + 2.0;
        ui.add(RtlLabel::new(&text).interface().size(size).bold())
    } else {
        ui.heading(text)
    }
}

/// An interface string as a widget atom in `color`.
#[must_use]
pub fn atom_colored(ui: &Ui, text: impl Into<String>, color: Color32) -> Atom<'static> {
    let text = text.into();
    if !has_rtl(&text) {
        return egui::RichText::new(text).color(color).into();
    }
    let (texture, size) = rendered(ui.ctx(), &text, text_size(ui));
    egui::Image::from_texture(SizedTexture::new(texture.id(), size))
        .tint(color)
        .alt_text(text)
        .atom_size(size)
}

/// A string drawn by the engine as an image with no name of its own (a shortcut beside a named label).
#[must_use]
pub fn unnamed(ui: &Ui, text: &str, color: Color32) -> Atom<'static> {
    let (texture, size) = rendered(ui.ctx(), text, text_size(ui));
    egui::Image::from_texture(SizedTexture::new(texture.id(), size))
        .tint(color)
        .atom_size(size)
}

/// A menu item whose label keeps to the reading side: the right in the Arabic interface.
pub fn menu_item(button: egui::Button<'_>) -> egui::Button<'_> {
    if crate::i18n::rtl() {
        button.left_text(Atom::default())
    } else {
        button
    }
}

/// A submenu in a menu. In the Arabic interface its label keeps to the right and its arrow points left, from the
/// left edge (egui opens the submenu on whichever side has room).
pub fn submenu<R>(
    ui: &mut Ui,
    text: impl Into<String>,
    add: impl FnOnce(&mut Ui) -> R,
) -> Response {
    let label = atom(ui, text);
    if crate::i18n::rtl() {
        let arrow = unnamed(ui, "\u{25C2}", ui.visuals().text_color());
        let button = egui::Button::new(label).left_text(arrow);
        egui::containers::menu::SubMenuButton::from_button(button)
            .ui(ui, add)
            .0
    } else {
        ui.menu_button(label, add).response
    }
}

/// A checkbox whose box sits on the reading side: left of its label in English, right of it in the Arabic
/// interface (egui always puts the box first, on the left). Clicking the label toggles it, as in egui; screen
/// readers read the check box named by the label, with its state after the click.
pub fn checkbox(ui: &mut Ui, checked: &mut bool, text: impl Into<String>) -> Response {
    let text = text.into();
    if !crate::i18n::rtl() {
        let label = atom(ui, text);
        return ui.checkbox(checked, label);
    }
    let (mut response, label_clicked) = boxed_rtl(ui, &text, |ui| {
        ui.add(egui::Checkbox::without_text(checked))
    });
    if label_clicked {
        *checked = !*checked;
        response.mark_changed();
    }
    let (enabled, on) = (ui.is_enabled(), *checked);
    response.widget_info(|| egui::WidgetInfo::selected(egui::Role::CheckBox, enabled, on, &text));
    response
}

/// A radio button on the reading side of its label, as [`checkbox`]; `clicked()` when chosen.
pub fn radio(ui: &mut Ui, selected: bool, text: impl Into<String>) -> Response {
    let text = text.into();
    if !crate::i18n::rtl() {
        let label = atom(ui, text);
        return ui.radio(selected, label);
    }
    let (response, _) = boxed_rtl(ui, &text, |ui| ui.radio(selected, ""));
    let enabled = ui.is_enabled();
    let on = selected || response.clicked();
    response
        .widget_info(|| egui::WidgetInfo::selected(egui::Role::RadioButton, enabled, on, &text));
    response
}

/// In a right-to-left row: the box `add` draws, then `text` at its left. Returns the box's response joined with the
/// label's (a click on either is a click), and whether the label was clicked (the caller then toggles).
fn boxed_rtl(ui: &mut Ui, text: &str, add: impl FnOnce(&mut Ui) -> Response) -> (Response, bool) {
    let inner = |ui: &mut Ui| {
        let response = add(ui);
        let label = ui.add(
            RtlLabel::new(text)
                .interface()
                .size(text_size(ui))
                // Clickable but not a Tab stop of its own: the box is the one control.
                .sense(egui::Sense::CLICK),
        );
        let clicked = label.clicked() && ui.is_enabled();
        (response | label, clicked)
    };
    if ui.layout().main_dir() == egui::Direction::RightToLeft {
        inner(ui)
    } else {
        row(ui, inner).inner
    }
}

/// A label for an interface string: the text engine's label when it has right-to-left letters, egui's otherwise.
pub fn label(ui: &mut Ui, text: impl Into<String>) -> Response {
    let text = text.into();
    if has_rtl(&text) {
        ui.add(RtlLabel::new(&text).interface().size(text_size(ui)))
    } else {
        ui.label(text)
    }
}

/// A label in the weak (secondary) text colour.
pub fn weak(ui: &mut Ui, text: impl Into<String>) -> Response {
    let text = text.into();
    let color = ui.visuals().weak_text_color();
    if has_rtl(&text) {
        ui.add(
            RtlLabel::new(&text)
                .interface()
                .size(text_size(ui))
                .color(color),
        )
    } else {
        ui.label(egui::RichText::new(text).color(color))
    }
}

/// A wrapping label (messages, explanations).
pub fn paragraph(ui: &mut Ui, text: impl Into<String>) -> Response {
    let text = text.into();
    if has_rtl(&text) {
        ui.add(RtlLabel::new(&text).interface().size(text_size(ui)).wrap())
    } else {
        ui.add(egui::Label::new(text).wrap())
    }
}

/// A bold label.
pub fn strong(ui: &mut Ui, text: impl Into<String>) -> Response {
    let text = text.into();
    if has_rtl(&text) {
        let size = text_size(ui);
        ui.add(RtlLabel::new(&text).interface().size(size).bold())
    } else {
        ui.strong(text)
    }
}

/// A message in the error colour, wrapping.
pub fn error(ui: &mut Ui, text: &str) -> Response {
    let color = ui.visuals().error_fg_color;
    if has_rtl(text) {
        let size = text_size(ui);
        ui.add(
            RtlLabel::new(text)
                .interface()
                .size(size)
                .color(color)
                .wrap(),
        )
    } else {
        ui.colored_label(color, text)
    }
}

/// A label in `color`, bold (`strong`) or small.
pub fn colored(ui: &mut Ui, text: impl Into<String>, color: Color32, strong: bool) -> Response {
    let text = text.into();
    if has_rtl(&text) {
        let size = if strong {
            text_size(ui)
        } else {
            ui.style().text_styles[&egui::TextStyle::Small].size + 2.0
        };
        let label = RtlLabel::new(&text).interface().size(size).color(color);
        ui.add(if strong { label.bold() } else { label })
    } else {
        let text = egui::RichText::new(text).color(color);
        ui.label(if strong { text.strong() } else { text.small() })
    }
}

/// A tooltip for an interface string.
pub fn hover(response: Response, text: impl Into<String>) -> Response {
    let text = text.into();
    if has_rtl(&text) {
        response.on_hover_ui(|ui| {
            ui.set_max_width(360.0);
            paragraph(ui, text);
        })
    } else {
        response.on_hover_text(text)
    }
}

/// A collapsible section whose title is an interface string (egui's `CollapsingHeader` takes only egui text).
pub fn collapsing<R>(
    ui: &mut Ui,
    id_salt: &str,
    title: impl Into<String>,
    default_open: bool,
    body: impl FnOnce(&mut Ui) -> R,
) -> Option<R> {
    let title = title.into();
    if !has_rtl(&title) {
        return egui::CollapsingHeader::new(title)
            .id_salt(id_salt)
            .default_open(default_open)
            .show(ui, body)
            .body_returned;
    }
    let id = ui.make_persistent_id(id_salt);
    egui::collapsing_header::CollapsingState::load_with_default_open(ui.ctx(), id, default_open)
        .show_header(ui, |ui| {
            label(ui, title);
        })
        .body(body)
        .2
        .map(|r| r.inner)
}

/// The layout rows of the interface start from: right to left in the Arabic interface.
#[must_use]
pub fn row_layout() -> Layout {
    if crate::i18n::rtl() {
        Layout::right_to_left(Align::Center)
    } else {
        Layout::left_to_right(Align::Center)
    }
}

/// A row (like `ui.horizontal`) that runs the interface's way: right to left in Arabic.
pub fn row<R>(ui: &mut Ui, add: impl FnOnce(&mut Ui) -> R) -> egui::InnerResponse<R> {
    let size = egui::vec2(
        ui.available_size_before_wrap().x,
        ui.spacing().interact_size.y,
    );
    ui.allocate_ui_with_layout(size, row_layout(), add)
}

/// Runs `add` in a layout that reads the interface's way: in Arabic, top to bottom aligned to the right, so that
/// every `ui.horizontal` inside runs right to left.
pub fn rtl<R>(ui: &mut Ui, add: impl FnOnce(&mut Ui) -> R) -> R {
    if crate::i18n::rtl() {
        ui.with_layout(Layout::top_down(Align::Max), add).inner
    } else {
        add(ui)
    }
}

/// The texture holding `text` laid out at `size`, and its size in points; made once per string, size and scale.
fn rendered(ctx: &Context, text: &str, size: f32) -> (Arc<TextureHandle>, Vec2) {
    let ppp = ctx.pixels_per_point();
    let pass = ctx.cumulative_pass_nr();
    with_kit(ctx, |kit| {
        // Looked up by `&str` every frame: no allocation unless the string is new (the interface's direction is
        // part of the key: it decides how a string that starts with a Latin word reads).
        let scale = (size.to_bits(), ppp.to_bits(), crate::i18n::rtl());
        if let Some((_, (texture, size, used))) = kit
            .chrome
            .get_mut(text)
            .and_then(|made| made.iter_mut().find(|(s, _)| *s == scale))
        {
            *used = pass;
            return (texture.clone(), *size);
        }
        if kit.chrome.len() > 2048 {
            kit.chrome.retain(|_, made| {
                made.retain(|(_, (_, _, used))| pass.saturating_sub(*used) < 300);
                !made.is_empty()
            });
        }
        let layout = kit.label_layout(ctx, &directed(text), &TextStyle::with_size(size), None);
        let mut quads = Vec::new();
        kit.atlas
            .place(layout.parley(), (0.0, 0.0), ppp, &mut quads);
        // The image covers the layout's box and any ink outside it (marks above, descenders below).
        let (mut x0, mut y0) = (0i32, 0i32);
        let mut x1 = (layout.content_width() * ppp).ceil() as i32;
        let mut y1 = (layout.height() * ppp).ceil() as i32;
        for q in &quads {
            x0 = x0.min(q.x);
            y0 = y0.min(q.y);
            x1 = x1.max(q.x + q.entry.w as i32);
            y1 = y1.max(q.y + q.entry.h as i32);
        }
        let (w, h) = ((x1 - x0).max(1) as usize, (y1 - y0).max(1) as usize);
        let mut alpha = vec![0u8; w * h];
        let atlas_size = kit.atlas.size() as usize;
        let pixels = kit.atlas.pixels();
        for q in &quads {
            let e = q.entry;
            for row in 0..e.h as usize {
                let dy = (q.y - y0) as usize + row;
                let src = (e.y as usize + row) * atlas_size + e.x as usize;
                for col in 0..e.w as usize {
                    let dx = (q.x - x0) as usize + col;
                    let a = pixels[src + col];
                    let d = &mut alpha[dy * w + dx];
                    *d = (*d).max(a);
                }
            }
        }
        let image = ColorImage {
            size: [w, h],
            pixels: alpha.into_iter().map(Color32::from_white_alpha).collect(),
            source_size: egui::vec2(w as f32, h as f32),
        };
        let texture = Arc::new(ctx.load_texture(
            format!("warraq-chrome-{text}"),
            image,
            TextureOptions::NEAREST,
        ));
        let points = egui::vec2(w as f32 / ppp, h as f32 / ppp);
        kit.chrome
            .entry(text.to_owned())
            .or_default()
            .push((scale, (texture.clone(), points, pass)));
        (texture, points)
    })
}

#[cfg(test)]
mod tests {
    use super::has_rtl;

    #[test]
    fn right_to_left_letters() {
        assert!(has_rtl("ملف"));
        assert!(has_rtl("PER شخص"));
        assert!(has_rtl("ﻻ"));
        assert!(!has_rtl("File 12 (x)"));
        assert!(
            has_rtl("١٢٣"),
            "Arabic-Indic digits go through the engine too"
        );
    }
}
