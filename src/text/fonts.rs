//! The fonts Warraq draws with, compiled into the binary from `fonts/` (SIL OFL 1.1, see `fonts/OFL.txt`).
//!
//! System fonts are never consulted: the font collection is built with system fonts switched off, so the text looks
//! the same on every machine and in every test.

use parley::FontContext;
use parley::fontique::{Blob, Collection, CollectionOptions, SourceCache};
use std::sync::{Arc, OnceLock};

pub const NASKH_REGULAR: &[u8] = include_bytes!("../../fonts/NotoNaskhArabic-Regular.ttf");
pub const NASKH_BOLD: &[u8] = include_bytes!("../../fonts/NotoNaskhArabic-Bold.ttf");
pub const SANS_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSans-Regular.ttf");
pub const MATH_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSansMath-Regular.ttf");
pub const SYMBOLS_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSansSymbols2-Regular.ttf");

/// The family list every paragraph uses: Naskh for Arabic script, Noto Sans for Latin letters and for the
/// punctuation Naskh lacks (`( ) " - / [ ]`), Noto Sans Math for the signs neither has (− ≤ ≠ → …), Noto Sans
/// Symbols 2 for shapes and marks (✓ ★ ■ ●). A browser would take these from system fonts; bundling them keeps
/// them the same everywhere instead of drawing an empty box.
pub const FAMILY_STACK: &str =
    "'Noto Naskh Arabic', 'Noto Sans', 'Noto Sans Math', 'Noto Sans Symbols2'";

/// The bundled font files as shared blobs, created once per process so that glyph caches keyed by blob id agree
/// between all font contexts.
fn blobs() -> &'static [Blob<u8>] {
    static BLOBS: OnceLock<Vec<Blob<u8>>> = OnceLock::new();
    BLOBS.get_or_init(|| {
        [
            NASKH_REGULAR,
            NASKH_BOLD,
            SANS_REGULAR,
            MATH_REGULAR,
            SYMBOLS_REGULAR,
        ]
        .into_iter()
        .map(|bytes| Blob::new(Arc::new(bytes)))
        .collect()
    })
}

/// A parley font context holding only the bundled fonts.
#[must_use]
pub fn font_context() -> FontContext {
    let mut collection = Collection::new(CollectionOptions {
        shared: false,
        system_fonts: false,
    });
    for blob in blobs() {
        collection.register_fonts(blob.clone(), None);
    }
    FontContext {
        collection,
        source_cache: SourceCache::default(),
    }
}
