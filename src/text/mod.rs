//! The text engine: bundled fonts, paragraph layout on parley, hit testing, glyph rasterization with swash.
//!
//! It knows nothing about documents, annotations or egui. Positions here are UTF-8 byte offsets within one
//! paragraph, as parley reports them; callers convert to code points at the edge (see `model::offsets`).
//! The window, the `layout` command and the `render` command all call these same functions, so what the tests
//! and the headless tools see is what the user sees.

pub mod atlas;
pub mod fonts;
pub mod layout;
pub mod raster;

pub use atlas::{AtlasEntry, GlyphAtlas, GlyphKey, GlyphQuad};
pub use layout::{
    ClusterInfo, LineInfo, ParagraphLayout, PlacedGlyph, TextEngine, TextStyle, for_each_glyph,
    is_rtl_paragraph,
};
