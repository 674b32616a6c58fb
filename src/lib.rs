//! Warraq (وَرّاق, "scribe"): a desktop reader and entity annotator for Arabic text.
//!
//! The crate is layered so that each layer can be tested without the ones above it:
//!
//! - [`model`]: the decoded document, its paragraphs and code-point offsets, selections. No egui, no I/O.
//! - [`store`]: reading files from disk and decoding them (BOM, UTF-8, legacy Arabic encodings). No egui.
//! - [`text`]: the text engine on parley and swash — bundled fonts, paragraph layout (bidi, shaping, line
//!   breaking), hit testing, glyph rasterization into an atlas. No application state, no egui.
//! - [`view`]: egui widgets on the text engine: the document view, the RTL label, the RTL text input.
//! - [`workspace`]: the open documents — each owns its annotations, undo, save policy, search index and jobs. No egui.
//! - [`app`]: the egui application: panels, menus, dialogs, and the command table that drives them.
//! - [`background`]: how worker threads run (below the window's priority).
//! - [`cli`]: the headless commands (`layout`, `render`) that use the same engine as the window.
//!
//! Offsets everywhere in the model are Unicode scalar (code point) indices into the decoded text, end exclusive.
//! parley works in UTF-8 byte indices; conversion happens at the edge, in [`model::offsets`].

pub mod app;
pub mod background;
pub mod cli;
pub mod export;
pub mod i18n;
pub mod model;
pub mod ner;
pub mod store;
pub mod text;
pub mod view;
pub mod workspace;

rust_i18n::i18n!("locales");
