//! Glyph rasterization with swash: outlines to 8-bit coverage, unhinted, at a quarter-pixel horizontal phase.

use swash::FontRef;
use swash::scale::{Render, ScaleContext, Source};
use swash::zeno::{Format, Vector};

use super::atlas::GlyphKey;

/// Horizontal positions are rounded to this fraction of a pixel before rasterizing.
pub const SUBPIXEL_STEPS: f32 = 4.0;

/// Coverage of one glyph. The bitmap's top-left corner is at (pen_x + left, baseline - top) in pixels.
pub struct GlyphImage {
    pub width: u32,
    pub height: u32,
    pub left: i32,
    pub top: i32,
    pub data: Vec<u8>,
}

#[derive(Default)]
pub struct Rasterizer {
    scale: ScaleContext,
}

impl Rasterizer {
    /// Renders a glyph of the font in `font_data` described by `key`; `None` if the font cannot be read.
    pub fn render(&mut self, font_data: &[u8], key: GlyphKey) -> Option<GlyphImage> {
        let font = FontRef::from_index(font_data, key.font_index as usize)?;
        let size = key.size_q as f32 / 4.0;
        let mut scaler = self.scale.builder(font).size(size).hint(false).build();
        let offset = Vector::new(f32::from(key.phase) / SUBPIXEL_STEPS, 0.0);
        let image = Render::new(&[Source::Outline])
            .format(Format::Alpha)
            .offset(offset)
            .render(&mut scaler, key.glyph_id as u16)?;
        Some(GlyphImage {
            width: image.placement.width,
            height: image.placement.height,
            left: image.placement.left,
            top: image.placement.top,
            data: image.data,
        })
    }
}

/// Splits a horizontal pen position in physical pixels into a whole pixel and a quarter-pixel phase.
#[must_use]
pub fn snap_x(px: f32) -> (i32, u8) {
    let q = (px * SUBPIXEL_STEPS).floor();
    let whole = (q / SUBPIXEL_STEPS).floor();
    let phase = (q - whole * SUBPIXEL_STEPS) as u8;
    (whole as i32, phase)
}
