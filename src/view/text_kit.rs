//! One text engine, glyph atlas and atlas texture per egui context, shared by every widget that draws text.
//!
//! The atlas lives on the CPU ([`crate::text::GlyphAtlas`]); this module mirrors it into an egui texture, uploading
//! only what changed. When the atlas is reallocated a new texture is created and the old one is kept until the next
//! frame, so meshes already emitted this frame still sample the texture their coordinates were made for.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use egui::{
    Color32, ColorImage, Context, Id, Mesh, Painter, Pos2, Rect, Shape, TextureHandle, TextureId,
    TextureOptions,
};

use crate::text::{GlyphAtlas, GlyphQuad, ParagraphLayout, TextEngine, TextStyle};

#[derive(Clone, PartialEq, Eq, Hash)]
struct LabelKey {
    text: String,
    size_bits: u32,
    bold: bool,
    width_bits: Option<u32>,
}

/// An interface string rendered for [`crate::view::chrome`]: its texture, size in points, pass last used.
pub(crate) type ChromeImage = (Arc<TextureHandle>, egui::Vec2, u64);
/// A string's renderings, one per (font size bits, pixels-per-point bits, right-to-left interface).
pub(crate) type ChromeImages = Vec<((u32, u32, bool), ChromeImage)>;

#[derive(Default)]
pub struct TextKit {
    pub engine: TextEngine,
    pub atlas: GlyphAtlas,
    texture: Option<TextureHandle>,
    texture_generation: u64,
    retired: Vec<TextureHandle>,
    retired_pass: u64,
    labels: HashMap<LabelKey, (Arc<ParagraphLayout>, u64)>,
    quads: Vec<GlyphQuad>,
    /// Interface strings rendered for [`crate::view::chrome`]: (text, size bits, pixels-per-point bits) → texture,
    /// size in points, pass last used.
    pub(crate) chrome: HashMap<String, ChromeImages>,
}

/// Runs `f` with the context's text kit, creating it on first use.
pub fn with_kit<R>(ctx: &Context, f: impl FnOnce(&mut TextKit) -> R) -> R {
    let kit: Arc<Mutex<TextKit>> = ctx.data_mut(|d| {
        d.get_temp_mut_or_insert_with(
            Id::unique("warraq-text-kit"),
            Arc::<Mutex<TextKit>>::default,
        )
        .clone()
    });
    let mut guard = kit
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    f(&mut guard)
}

impl TextKit {
    /// A cached layout of a short string (labels, list rows). Layouts not used for a few seconds' worth of frames
    /// are dropped.
    pub fn label_layout(
        &mut self,
        ctx: &Context,
        text: &str,
        style: &TextStyle,
        width: Option<f32>,
    ) -> Arc<ParagraphLayout> {
        let pass = ctx.cumulative_pass_nr();
        let key = LabelKey {
            text: text.to_owned(),
            size_bits: style.font_size.to_bits(),
            bold: style.bold,
            width_bits: width.map(f32::to_bits),
        };
        if let Some((layout, used)) = self.labels.get_mut(&key) {
            *used = pass;
            return layout.clone();
        }
        if self.labels.len() > 4096 {
            self.labels
                .retain(|_, (_, used)| pass.saturating_sub(*used) < 300);
        }
        let layout = Arc::new(self.engine.layout(text, style, width));
        self.labels.insert(key, (layout.clone(), pass));
        layout
    }

    /// Paints the glyphs of `layout` with its top-left corner at `origin`.
    pub fn paint(
        &mut self,
        ctx: &Context,
        painter: &Painter,
        layout: &parley::Layout<()>,
        origin: Pos2,
        color: Color32,
    ) {
        let ppp = ctx.pixels_per_point();
        self.quads.clear();
        self.atlas
            .place(layout, (origin.x, origin.y), ppp, &mut self.quads);
        if self.quads.is_empty() {
            return;
        }
        let texture = self.sync_texture(ctx);
        let size = self.atlas.size() as f32;
        let mut mesh = Mesh::with_texture(texture);
        for q in &self.quads {
            let e = q.entry;
            let rect = Rect::from_min_size(
                Pos2::new(q.x as f32 / ppp, q.y as f32 / ppp),
                egui::vec2(e.w as f32 / ppp, e.h as f32 / ppp),
            );
            let uv = Rect::from_min_max(
                Pos2::new(e.x as f32 / size, e.y as f32 / size),
                Pos2::new((e.x + e.w) as f32 / size, (e.y + e.h) as f32 / size),
            );
            mesh.add_rect_with_uv(rect, uv, color);
        }
        painter.add(Shape::mesh(mesh));
    }

    /// Brings the texture up to date with the atlas and returns its id.
    fn sync_texture(&mut self, ctx: &Context) -> TextureId {
        let pass = ctx.cumulative_pass_nr();
        if pass != self.retired_pass {
            self.retired.clear();
            self.retired_pass = pass;
        }
        let generation = self.atlas.generation();
        match &mut self.texture {
            Some(tex) if self.texture_generation == generation => {
                if let Some([x, y, w, h]) = self.atlas.take_dirty() {
                    let image = atlas_region(&self.atlas, x, y, w, h);
                    tex.set_partial([x as usize, y as usize], image, TextureOptions::LINEAR);
                }
                tex.id()
            }
            _ => {
                let size = self.atlas.size();
                let image = atlas_region(&self.atlas, 0, 0, size, size);
                self.atlas.take_dirty();
                let tex = ctx.load_texture("warraq-glyphs", image, TextureOptions::LINEAR);
                let id = tex.id();
                if let Some(old) = self.texture.replace(tex) {
                    self.retired.push(old);
                }
                self.texture_generation = generation;
                id
            }
        }
    }
}

fn atlas_region(atlas: &GlyphAtlas, x: u32, y: u32, w: u32, h: u32) -> ColorImage {
    let size = atlas.size();
    let px = atlas.pixels();
    let mut pixels = Vec::with_capacity((w * h) as usize);
    for row in y..y + h {
        let start = (row * size + x) as usize;
        pixels.extend(
            px[start..start + w as usize]
                .iter()
                .map(|a| Color32::from_white_alpha(*a)),
        );
    }
    ColorImage {
        size: [w as usize, h as usize],
        pixels,
        source_size: egui::vec2(w as f32, h as f32),
    }
}
