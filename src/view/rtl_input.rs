//! A text input drawn by the text engine, for Arabic notes and search queries.
//!
//! Editing (insertion, deletion, caret movement in visual order, word and line movement, selection) is parley's
//! `PlainEditor`; this widget feeds it egui's keyboard, mouse and clipboard events and paints its layout. The
//! paragraph direction follows the first strong character of the text, right-to-left when empty.

use std::num::NonZeroUsize;

use egui::{
    Event, EventFilter, Key, Modifiers, Pos2, Rect, Response, Sense, Ui, Widget, WidgetInfo,
};
use parley::{BaseDirection, FontFamily, PlainEditor, StyleProperty};

use super::text_kit::with_kit;
use crate::text::fonts::FAMILY_STACK;
use crate::text::is_rtl_paragraph;

/// The text and editing state of one input; keep it in the application state.
pub struct RtlInputState {
    editor: PlainEditor<()>,
    multiline: bool,
}

impl RtlInputState {
    #[must_use]
    pub fn new(multiline: bool) -> Self {
        let mut editor = PlainEditor::new(16.0);
        editor
            .edit_styles()
            .insert(StyleProperty::FontFamily(FontFamily::Source(
                FAMILY_STACK.into(),
            )));
        editor.set_base_direction(BaseDirection::Rtl);
        Self { editor, multiline }
    }

    #[must_use]
    pub fn text(&self) -> String {
        self.editor.raw_text().to_owned()
    }

    pub fn set_text(&mut self, text: &str) {
        self.editor.set_text(text);
        self.update_direction();
    }

    /// The selected text, if any.
    #[must_use]
    pub fn selected_text(&self) -> Option<&str> {
        self.editor.selected_text()
    }

    /// The caret position in code points.
    #[must_use]
    pub fn caret(&self) -> usize {
        let idx = self.editor.raw_selection().focus().index();
        self.editor.raw_text()[..idx].chars().count()
    }

    fn update_direction(&mut self) {
        let rtl = is_rtl_paragraph(self.editor.raw_text());
        self.editor.set_base_direction(if rtl {
            BaseDirection::Rtl
        } else {
            BaseDirection::Ltr
        });
    }
}

/// The widget: `ui.add(RtlInput::new(&mut state, "Note"))`. The label names the input for screen readers.
pub struct RtlInput<'a> {
    state: &'a mut RtlInputState,
    label: &'a str,
    hint: Option<&'a str>,
    rows: usize,
    font_size: f32,
    desired_width: Option<f32>,
    take_focus: bool,
}

impl<'a> RtlInput<'a> {
    #[must_use]
    pub fn new(state: &'a mut RtlInputState, label: &'a str) -> Self {
        let rows = if state.multiline { 4 } else { 1 };
        Self {
            state,
            label,
            hint: None,
            rows,
            font_size: 16.0,
            desired_width: None,
            take_focus: false,
        }
    }

    /// Takes the keyboard this frame (a dialog opened with a key).
    #[must_use]
    pub fn take_focus(mut self, take: bool) -> Self {
        self.take_focus = take;
        self
    }

    /// Grey text shown while the input is empty.
    #[must_use]
    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }

    #[must_use]
    pub fn rows(mut self, rows: usize) -> Self {
        self.rows = rows.max(1);
        self
    }

    #[must_use]
    pub fn font_size(mut self, size: f32) -> Self {
        self.font_size = size;
        self
    }

    #[must_use]
    pub fn desired_width(mut self, width: f32) -> Self {
        self.desired_width = Some(width);
        self
    }
}

const PAD: f32 = 4.0;

impl Widget for RtlInput<'_> {
    fn ui(self, ui: &mut Ui) -> Response {
        let ctx = ui.ctx().clone();
        let state = self.state;
        let line_height = (self.font_size * 1.75).ceil();
        let width = self
            .desired_width
            .unwrap_or_else(|| ui.available_width())
            .max(40.0);
        let desired = egui::vec2(width, line_height * self.rows as f32 + 2.0 * PAD);
        let (rect, mut response) = ui.allocate_exact_size(desired, Sense::click_and_drag());
        let text_origin = rect.min + egui::vec2(PAD, PAD);
        let prev_text = state.text();

        if state.editor.get_font_size() != self.font_size {
            state
                .editor
                .edit_styles()
                .insert(StyleProperty::FontSize(self.font_size));
        }
        state.editor.set_width(Some(rect.width() - 2.0 * PAD));

        let mut changed = false;
        with_kit(&ctx, |kit| {
            let (fcx, lcx) = kit.engine.contexts();
            let mut drv = state.editor.driver(fcx, lcx);
            // Given the keyboard by a key (the details opened with Enter): the caret at the end, to go on typing.
            if self.take_focus {
                drv.move_to_text_end();
            }
            if let Some(pos) = response.interact_pointer_pos() {
                let local = pos - text_origin;
                if response.double_clicked() {
                    drv.select_word_at_point(local.x, local.y);
                } else if response.triple_clicked() {
                    drv.select_hard_line_at_point(local.x, local.y);
                } else if response.drag_started() || response.clicked() {
                    if ui.input(|i| i.modifiers.shift) {
                        drv.shift_click_extension(local.x, local.y);
                    } else {
                        drv.move_to_point(local.x, local.y);
                    }
                } else if response.dragged() {
                    drv.extend_selection_to_point(local.x, local.y);
                }
            }
        });
        if response.clicked() || response.drag_started() || self.take_focus {
            response.request_focus();
        }

        if response.has_focus() {
            mark_input_focused(&ctx);
            ui.memory_mut(|m| {
                m.set_focus_lock_filter(
                    response.id,
                    EventFilter {
                        tab: false,
                        horizontal_arrows: true,
                        vertical_arrows: true,
                        escape: false,
                    },
                );
            });
            let events = ui.input(|i| i.events.clone());
            for event in events {
                changed |= handle_event(&ctx, state, &event);
            }
        }
        if changed {
            state.update_direction();
            response.mark_changed();
        }

        // Paint: frame, selection, glyphs, caret.
        let visuals = ui.visuals().clone();
        let focused = response.has_focus();
        let painter = ui.painter_at(rect);
        painter.rect(
            rect,
            2.0,
            visuals.extreme_bg_color,
            if focused {
                visuals.selection.stroke
            } else {
                visuals.widgets.inactive.bg_stroke
            },
            egui::StrokeKind::Inside,
        );
        with_kit(&ctx, |kit| {
            let (fcx, lcx) = kit.engine.contexts();
            let layout = state.editor.layout(fcx, lcx).clone();
            if focused {
                for (b, _) in state.editor.selection_geometry() {
                    let r = Rect::from_min_max(
                        text_origin + egui::vec2(b.x0 as f32, b.y0 as f32),
                        text_origin + egui::vec2(b.x1 as f32, b.y1 as f32),
                    );
                    painter.rect_filled(r, 0.0, visuals.selection.bg_fill);
                }
            }
            kit.paint(&ctx, &painter, &layout, text_origin, visuals.text_color());
            if focused && let Some(b) = state.editor.cursor_geometry(1.5) {
                let r = Rect::from_min_max(
                    Pos2::new(text_origin.x + b.x0 as f32, text_origin.y + b.y0 as f32),
                    Pos2::new(text_origin.x + b.x1 as f32, text_origin.y + b.y1 as f32),
                );
                painter.rect_filled(r, 0.0, visuals.text_cursor.stroke.color);
            }
        });
        if !focused
            && state.editor.raw_text().is_empty()
            && let Some(hint) = self.hint
        {
            // The hint is laid out like any other text: right-aligned when it is Arabic.
            let style = crate::text::TextStyle::with_size(self.font_size);
            let width = rect.width() - 2.0 * PAD;
            with_kit(&ctx, |kit| {
                let layout = kit.label_layout(&ctx, hint, &style, Some(width));
                kit.paint(
                    &ctx,
                    &painter,
                    layout.parley(),
                    text_origin,
                    visuals.weak_text_color(),
                );
            });
        }
        if focused {
            ui.ctx().set_cursor_icon(egui::CursorIcon::Text);
        }

        let label = self.label.to_owned();
        let text = state.text();
        response.widget_info(move || {
            let mut info = WidgetInfo::text_edit(true, &prev_text, &text, "");
            info.label = Some(label.clone());
            info
        });
        response
    }
}

/// Applies one input event to the editor; true if the text changed.
fn handle_event(ctx: &egui::Context, state: &mut RtlInputState, event: &Event) -> bool {
    let multiline = state.multiline;
    let before = state.editor.raw_text().to_owned();
    with_kit(ctx, |kit| {
        let (fcx, lcx) = kit.engine.contexts();
        let mut drv = state.editor.driver(fcx, lcx);
        match event {
            Event::Text(t) => {
                let t = if multiline {
                    t.clone()
                } else {
                    t.replace(['\n', '\r'], " ")
                };
                drv.insert_or_replace_selection(&t);
            }
            Event::Ime(egui::ImeEvent::Commit(t)) => drv.insert_or_replace_selection(t),
            Event::Paste(t) => {
                let t = if multiline {
                    t.clone()
                } else {
                    t.replace(['\n', '\r'], " ")
                };
                drv.insert_or_replace_selection(&t);
            }
            Event::Copy => {
                if let Some(s) = drv.editor.selected_text() {
                    ctx.copy_text(s.to_owned());
                }
            }
            Event::Cut => {
                if let Some(s) = drv.editor.selected_text() {
                    ctx.copy_text(s.to_owned());
                    drv.delete_selection();
                }
            }
            Event::Key {
                key,
                pressed: true,
                modifiers,
                ..
            } => key_press(&mut drv, *key, *modifiers, multiline),
            _ => {}
        }
    });
    state.editor.raw_text() != before
}

fn key_press(drv: &mut parley::PlainEditorDriver<'_, ()>, key: Key, m: Modifiers, multiline: bool) {
    let word = m.command || m.alt;
    match key {
        Key::Backspace if word => drv.backdelete_word(),
        Key::Backspace => drv.backdelete(),
        Key::Delete if word => drv.delete_word(),
        Key::Delete => drv.delete(),
        Key::Enter if multiline => drv.insert_or_replace_selection("\n"),
        Key::ArrowLeft => match (m.shift, word) {
            (true, true) => drv.select_word_left(),
            (true, false) => drv.select_left(),
            (false, true) => drv.move_word_left(),
            (false, false) => drv.move_left(),
        },
        Key::ArrowRight => match (m.shift, word) {
            (true, true) => drv.select_word_right(),
            (true, false) => drv.select_right(),
            (false, true) => drv.move_word_right(),
            (false, false) => drv.move_right(),
        },
        Key::ArrowUp if m.shift => drv.select_up(),
        Key::ArrowUp => drv.move_up(),
        Key::ArrowDown if m.shift => drv.select_down(),
        Key::ArrowDown => drv.move_down(),
        Key::Home if m.shift => drv.select_to_line_start(),
        Key::Home => drv.move_to_line_start(),
        Key::End if m.shift => drv.select_to_line_end(),
        Key::End => drv.move_to_line_end(),
        Key::A if m.command => drv.select_all(),
        _ => {}
    }
    let _ = NonZeroUsize::MIN;
}

fn focus_flag_id() -> egui::Id {
    egui::Id::unique("warraq-rtl-input-focused")
}

fn mark_input_focused(ctx: &egui::Context) {
    let pass = ctx.cumulative_pass_nr();
    ctx.data_mut(|d| d.insert_temp(focus_flag_id(), pass));
}

/// Whether an RTL text input had keyboard focus in this or the previous frame; the application then leaves
/// copy, select-all and similar keys to the input.
#[must_use]
pub fn input_has_focus(ctx: &egui::Context) -> bool {
    let pass = ctx.cumulative_pass_nr();
    ctx.data(|d| d.get_temp::<u64>(focus_flag_id()))
        .is_some_and(|p| p + 1 >= pass)
}
