//! The document model: decoded text, paragraphs, code-point offsets, selections, annotations, tags and undo.
//!
//! Nothing here knows about egui, parley or the file system. Every position is a code-point offset into the
//! decoded text ([`offsets::CharOffset`]); byte offsets only appear in the conversion helpers of [`offsets`].

pub mod agreement;
pub mod annotations;
pub mod curation;
pub mod document;
pub mod gazetteer;
pub mod learn;
pub mod links;
pub mod offsets;
pub mod search;
pub mod selection;
pub mod tags;
pub mod words;

pub use annotations::{Annotation, AnnotationSet, Decision, Draft, Edit, Link, Marks, Relation};
pub use document::{Document, LineEnding, Paragraph};
pub use offsets::{ByteOffset, CharOffset, Span};
pub use selection::TextSelection;
pub use tags::{Tag, TagSet};

/// A line of an input file (a gazetteer, a brat `.ann`, a CoNLL file) that could not be used, with its number from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    pub line: usize,
    pub message: String,
}

impl LineProblem {
    /// "FILE:LINE: message" for each problem, as the window and the command line report them.
    #[must_use]
    pub fn located(file: &std::path::Path, problems: &[LineProblem]) -> Vec<String> {
        problems
            .iter()
            .map(|p| format!("{}:{}: {}", file.display(), p.line, p.message))
            .collect()
    }

    /// A piece of input quoted in a message: at most `max` characters, with "…" when cut.
    #[must_use]
    pub fn shorten(text: &str, max: usize) -> String {
        match text.char_indices().nth(max) {
            Some((i, _)) => format!("{}…", &text[..i]),
            None => text.to_owned(),
        }
    }
}
