//! The document model: decoded text, paragraphs, code-point offsets and selections.
//!
//! Nothing here knows about egui, parley or the file system. Every position is a code-point offset into the
//! decoded text ([`offsets::CharOffset`]); byte offsets only appear in the conversion helpers of [`offsets`].

pub mod document;
pub mod offsets;
pub mod selection;

pub use document::{Document, LineEnding, Paragraph};
pub use offsets::{ByteOffset, CharOffset, Span};
pub use selection::TextSelection;
