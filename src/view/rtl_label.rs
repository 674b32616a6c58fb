//! A label drawn by the text engine: bidi, shaping and right-to-left alignment that `egui::Label` lacks.

use egui::{Color32, Response, Role, Sense, Ui, Widget, WidgetInfo};

use super::text_kit::with_kit;
use crate::text::TextStyle;

/// A label for Arabic or mixed text. Without `wrap` it is one line as wide as its text; with `wrap` it takes the
/// available width and breaks lines, right-aligned when the text is right-to-left.
pub struct RtlLabel<'a> {
    text: &'a str,
    size: Option<f32>,
    color: Option<Color32>,
    bold: bool,
    wrap: bool,
    sense: Sense,
    interface: bool,
}

impl<'a> RtlLabel<'a> {
    #[must_use]
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            size: None,
            color: None,
            bold: false,
            wrap: false,
            sense: Sense::hover(),
            interface: false,
        }
    }

    #[must_use]
    pub fn size(mut self, size: f32) -> Self {
        self.size = Some(size);
        self
    }

    #[must_use]
    pub fn color(mut self, color: Color32) -> Self {
        self.color = Some(color);
        self
    }

    #[must_use]
    pub fn bold(mut self) -> Self {
        self.bold = true;
        self
    }

    #[must_use]
    pub fn wrap(mut self) -> Self {
        self.wrap = true;
        self
    }

    /// An interface string: in the Arabic interface its paragraph is right to left even when it starts with a
    /// Latin word (a file name), as the rest of the window reads.
    #[must_use]
    pub fn interface(mut self) -> Self {
        self.interface = true;
        self
    }

    #[must_use]
    pub fn sense(mut self, sense: Sense) -> Self {
        self.sense = sense;
        self
    }
}

impl Widget for RtlLabel<'_> {
    fn ui(self, ui: &mut Ui) -> Response {
        let ctx = ui.ctx().clone();
        let size = self
            .size
            .unwrap_or_else(|| ui.style().text_styles[&egui::TextStyle::Body].size + 2.0);
        let style = TextStyle {
            font_size: size,
            line_height: 1.0,
            bold: self.bold,
        };
        let width = self.wrap.then(|| ui.available_width().max(20.0));
        let shown = if self.interface {
            super::chrome::directed(self.text)
        } else {
            std::borrow::Cow::Borrowed(self.text)
        };
        let layout = with_kit(&ctx, |kit| kit.label_layout(&ctx, &shown, &style, width));
        let desired = egui::vec2(
            width.unwrap_or_else(|| layout.content_width().ceil()),
            layout.height().ceil(),
        );
        let (rect, response) = ui.allocate_exact_size(desired, self.sense);
        if ui.is_rect_visible(rect) {
            let color = self.color.unwrap_or_else(|| ui.visuals().text_color());
            with_kit(&ctx, |kit| {
                kit.paint(&ctx, ui.painter(), layout.parley(), rect.min, color)
            });
        }
        let text = self.text.to_owned();
        response.widget_info(move || WidgetInfo::labeled(Role::Label, true, &text));
        response
    }
}
