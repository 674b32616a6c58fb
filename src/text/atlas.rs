//! The glyph atlas: rasterized glyph coverage packed into one square alpha image.
//!
//! Glyphs are rasterized by [`super::raster`] on first use and packed on shelves. When the image is full it doubles
//! in size (the pixels already packed keep their place, so entries stay valid) and [`GlyphAtlas::generation`]
//! changes; at the largest size it is cleared instead and [`GlyphAtlas::clears`] changes, which invalidates every
//! entry handed out before. The egui side (`view::atlas_texture`) mirrors the image into a texture; the `render`
//! command reads it directly. Nothing here knows about egui.

use std::collections::HashMap;

use super::layout::for_each_glyph;
use super::raster::{GlyphImage, Rasterizer, snap_x};

/// Identifies one rasterized glyph: font blob and face index, glyph id, size in quarter pixels, and the horizontal
/// quarter-pixel phase it was rendered at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GlyphKey {
    pub font_blob: u64,
    pub font_index: u32,
    pub glyph_id: u32,
    pub size_q: u32,
    pub phase: u8,
}

/// Where a glyph's coverage is in the atlas, and how it sits relative to its pen position (in physical pixels):
/// the bitmap's top-left corner is at (pen_x + left, baseline - top).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AtlasEntry {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
    pub left: i32,
    pub top: i32,
}

/// A glyph bitmap to copy from the atlas to the surface, its top-left corner at (x, y) physical pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlyphQuad {
    pub x: i32,
    pub y: i32,
    pub entry: AtlasEntry,
}

struct Shelf {
    y: u32,
    h: u32,
    x: u32,
}

pub struct GlyphAtlas {
    size: u32,
    max_size: u32,
    pixels: Vec<u8>,
    shelves: Vec<Shelf>,
    next_y: u32,
    entries: HashMap<GlyphKey, AtlasEntry>,
    rasterizer: Rasterizer,
    dirty: Option<[u32; 4]>,
    generation: u64,
    clears: u64,
}

const PAD: u32 = 1;

impl Default for GlyphAtlas {
    fn default() -> Self {
        Self::new(512, 8192)
    }
}

impl GlyphAtlas {
    /// An empty atlas `size` pixels square that may grow to `max_size`.
    #[must_use]
    pub fn new(size: u32, max_size: u32) -> Self {
        Self {
            size,
            max_size: max_size.max(size),
            pixels: vec![0; (size * size) as usize],
            shelves: Vec::new(),
            next_y: 0,
            entries: HashMap::new(),
            rasterizer: Rasterizer::default(),
            dirty: None,
            generation: 0,
            clears: 0,
        }
    }

    #[must_use]
    pub fn size(&self) -> u32 {
        self.size
    }

    /// Coverage bytes, `size * size`, row by row.
    #[must_use]
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// Changes whenever the image is reallocated (grown or cleared): a texture mirroring it must be recreated.
    #[must_use]
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Changes whenever the atlas is cleared: entries obtained before are no longer valid.
    #[must_use]
    pub fn clears(&self) -> u64 {
        self.clears
    }

    /// The region written since the last call, `[x, y, w, h]`.
    pub fn take_dirty(&mut self) -> Option<[u32; 4]> {
        self.dirty
            .take()
            .map(|[x0, y0, x1, y1]| [x0, y0, x1 - x0, y1 - y0])
    }

    #[must_use]
    pub fn glyph_count(&self) -> usize {
        self.entries.len()
    }

    /// The atlas entry for a glyph, rasterizing and packing it on first use. Glyphs with no outline (spaces) get
    /// an entry with zero size.
    pub fn entry(&mut self, key: GlyphKey, font_data: &[u8]) -> AtlasEntry {
        if let Some(e) = self.entries.get(&key) {
            return *e;
        }
        let image = self.rasterizer.render(font_data, key);
        let entry = match image {
            Some(img) if img.width > 0 && img.height > 0 => self.pack(&img),
            _ => AtlasEntry::default(),
        };
        self.entries.insert(key, entry);
        entry
    }

    /// Rasterizes every glyph of `layout` drawn with its top-left corner at `origin` (points) on a surface of
    /// `pixels_per_point`, and appends one quad per visible glyph in physical pixels. The quads are valid for the
    /// atlas as it is when this returns (if the atlas had to be cleared midway, the placement is redone).
    pub fn place(
        &mut self,
        layout: &parley::Layout<()>,
        origin: (f32, f32),
        pixels_per_point: f32,
        out: &mut Vec<GlyphQuad>,
    ) {
        let start = out.len();
        loop {
            let clears = self.clears;
            out.truncate(start);
            for_each_glyph(layout, |g| {
                let (x, phase) = snap_x((origin.0 + g.x) * pixels_per_point);
                let y = ((origin.1 + g.y) * pixels_per_point).round() as i32;
                let key = GlyphKey {
                    font_blob: g.font.data.id(),
                    font_index: g.font.index,
                    glyph_id: g.glyph_id,
                    size_q: (g.font_size * pixels_per_point * 4.0).round() as u32,
                    phase,
                };
                let entry = self.entry(key, g.font.data.data());
                if entry.w > 0 {
                    out.push(GlyphQuad {
                        x: x + entry.left,
                        y: y - entry.top,
                        entry,
                    });
                }
            });
            if self.clears == clears {
                break;
            }
        }
    }

    fn pack(&mut self, img: &GlyphImage) -> AtlasEntry {
        let (w, h) = (img.width + PAD, img.height + PAD);
        let (x, y) = loop {
            if let Some(pos) = self.find_space(w, h) {
                break pos;
            }
            if self.size < self.max_size {
                self.grow();
            } else {
                self.clear();
                if w > self.size || h > self.size {
                    return AtlasEntry::default();
                }
            }
        };
        for row in 0..img.height {
            let src = &img.data[(row * img.width) as usize..((row + 1) * img.width) as usize];
            let start = ((y + row) * self.size + x) as usize;
            self.pixels[start..start + img.width as usize].copy_from_slice(src);
        }
        self.mark_dirty(x, y, x + img.width, y + img.height);
        AtlasEntry {
            x,
            y,
            w: img.width,
            h: img.height,
            left: img.left,
            top: img.top,
        }
    }

    fn find_space(&mut self, w: u32, h: u32) -> Option<(u32, u32)> {
        if w > self.size {
            return None;
        }
        for shelf in &mut self.shelves {
            if h <= shelf.h && h * 10 >= shelf.h * 6 && shelf.x + w <= self.size {
                let pos = (shelf.x, shelf.y);
                shelf.x += w;
                return Some(pos);
            }
        }
        if self.next_y + h <= self.size {
            let pos = (0, self.next_y);
            self.shelves.push(Shelf {
                y: self.next_y,
                h,
                x: w,
            });
            self.next_y += h;
            return Some(pos);
        }
        None
    }

    fn grow(&mut self) {
        let new_size = (self.size * 2).min(self.max_size);
        let mut pixels = vec![0; (new_size * new_size) as usize];
        for row in 0..self.size {
            let src = &self.pixels[(row * self.size) as usize..((row + 1) * self.size) as usize];
            let start = (row * new_size) as usize;
            pixels[start..start + self.size as usize].copy_from_slice(src);
        }
        // Existing shelves may now extend to the new width.
        self.pixels = pixels;
        self.size = new_size;
        self.generation += 1;
        self.dirty = None;
    }

    /// Forgets every glyph (used when the atlas is full at its largest size).
    pub fn clear(&mut self) {
        self.pixels.iter_mut().for_each(|p| *p = 0);
        self.shelves.clear();
        self.next_y = 0;
        self.entries.clear();
        self.generation += 1;
        self.clears += 1;
        self.dirty = None;
    }

    fn mark_dirty(&mut self, x0: u32, y0: u32, x1: u32, y1: u32) {
        self.dirty = Some(match self.dirty {
            None => [x0, y0, x1, y1],
            Some([a, b, c, d]) => [a.min(x0), b.min(y0), c.max(x1), d.max(y1)],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fonts;

    fn key(glyph_id: u32, size_q: u32) -> GlyphKey {
        GlyphKey {
            font_blob: 1,
            font_index: 0,
            glyph_id,
            size_q,
            phase: 0,
        }
    }

    #[test]
    fn grows_when_full_and_keeps_earlier_glyphs_in_place() {
        let mut atlas = GlyphAtlas::new(64, 1024);
        let first = atlas.entry(key(100, 160), fonts::NASKH_REGULAR);
        assert!(first.w > 0);
        let before: Vec<u8> = (0..first.h)
            .flat_map(|r| {
                let s = ((first.y + r) * atlas.size() + first.x) as usize;
                atlas.pixels()[s..s + first.w as usize].to_vec()
            })
            .collect();
        for g in 1..200 {
            atlas.entry(key(g, 160), fonts::NASKH_REGULAR);
        }
        assert!(atlas.size() > 64, "the atlas grew");
        assert_eq!(atlas.clears(), 0);
        let after: Vec<u8> = (0..first.h)
            .flat_map(|r| {
                let s = ((first.y + r) * atlas.size() + first.x) as usize;
                atlas.pixels()[s..s + first.w as usize].to_vec()
            })
            .collect();
        assert_eq!(
            before, after,
            "a grown atlas still shows the first glyph where its entry says"
        );
    }

    #[test]
    fn clears_at_the_largest_size_and_reports_it() {
        let mut atlas = GlyphAtlas::new(64, 64);
        for g in 1..300 {
            atlas.entry(key(g, 240), fonts::NASKH_REGULAR);
        }
        assert!(atlas.clears() > 0);
        // Every entry it still holds points at that glyph's own pixels: re-rasterizing gives the same coverage.
        let e = atlas.entry(key(299, 240), fonts::NASKH_REGULAR);
        let img = Rasterizer::default()
            .render(fonts::NASKH_REGULAR, key(299, 240))
            .unwrap();
        assert_eq!((e.w, e.h), (img.width, img.height));
        for r in 0..e.h {
            let s = ((e.y + r) * atlas.size() + e.x) as usize;
            assert_eq!(
                &atlas.pixels()[s..s + e.w as usize],
                &img.data[(r * img.width) as usize..((r + 1) * img.width) as usize]
            );
        }
    }
}
