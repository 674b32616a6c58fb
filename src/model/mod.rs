//! The document model: decoded text, paragraphs, code-point offsets, selections, annotations, tags and undo.
//!
//! Nothing here knows about egui, parley or the file system. Every position is a code-point offset into the
//! decoded text ([`offsets::CharOffset`]); byte offsets only appear in the conversion helpers of [`offsets`].

pub mod annotations;
pub mod document;
pub mod gazetteer;
pub mod offsets;
pub mod search;
pub mod selection;
pub mod tags;
pub mod words;

pub use annotations::{Annotation, AnnotationSet, Edit};
pub use document::{Document, LineEnding, Paragraph};
pub use offsets::{ByteOffset, CharOffset, Span};
pub use selection::TextSelection;
pub use tags::{Tag, TagSet};
