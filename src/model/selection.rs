//! A text selection in code points: an anchor where the drag started and a head that follows the pointer.
//!
//! Like helix's `Range`, the two ends are kept apart so a selection can grow either way; `span()` orders them.

use super::offsets::{CharOffset, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TextSelection {
    pub anchor: CharOffset,
    pub head: CharOffset,
}

impl TextSelection {
    #[must_use]
    pub fn caret(at: CharOffset) -> Self {
        Self {
            anchor: at,
            head: at,
        }
    }

    #[must_use]
    pub fn new(anchor: CharOffset, head: CharOffset) -> Self {
        Self { anchor, head }
    }

    /// The selected code points, ordered.
    #[must_use]
    pub fn span(&self) -> Span {
        Span::new(self.anchor, self.head)
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.anchor == self.head
    }

    /// Keeps the anchor and moves the head.
    #[must_use]
    pub fn extend_to(&self, head: CharOffset) -> Self {
        Self {
            anchor: self.anchor,
            head,
        }
    }
}
