//! Typed offsets and conversion between code points and UTF-8 bytes.
//!
//! The product stores positions as Unicode scalar (code point) indices, the unit brat, spaCy, Label Studio and the
//! W3C Web Annotation model use. parley and Rust strings index UTF-8 bytes. Two newtypes keep the two apart so that
//! a byte index can never be stored where a code-point index belongs.

use serde::{Deserialize, Serialize};

/// How many bytes satisfy `pred`, counted 255 at a time in byte-sized sums (a loop the compiler vectorizes; a
/// filter-and-count over a 50 MB book is several times slower).
#[inline]
pub fn count_bytes(bytes: &[u8], pred: impl Fn(u8) -> bool + Copy) -> usize {
    bytes
        .chunks(255)
        .map(|chunk| usize::from(chunk.iter().map(|&b| u8::from(pred(b))).sum::<u8>()))
        .sum()
}

/// A position in code points (Unicode scalar values) from the start of some text.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct CharOffset(pub usize);

/// A position in UTF-8 bytes from the start of some text. Only used at the edge with parley and `str` slicing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ByteOffset(pub usize);

/// A half-open range of code points, `start..end`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Span {
    pub start: CharOffset,
    pub end: CharOffset,
}

impl Span {
    /// A span from two offsets in either order.
    #[must_use]
    pub fn new(a: CharOffset, b: CharOffset) -> Self {
        Self {
            start: a.min(b),
            end: a.max(b),
        }
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.end.0 - self.start.0
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The overlap of two spans, if they share at least one code point.
    #[must_use]
    pub fn intersect(&self, other: Span) -> Option<Span> {
        let start = self.start.max(other.start);
        let end = self.end.min(other.end);
        (start < end).then_some(Span { start, end })
    }
}

/// Converts a code-point offset within `text` to a byte offset. Offsets past the end clamp to `text.len()`.
#[must_use]
pub fn char_to_byte(text: &str, offset: CharOffset) -> ByteOffset {
    if text.is_ascii() {
        return ByteOffset(offset.0.min(text.len()));
    }
    ByteOffset(
        text.char_indices()
            .nth(offset.0)
            .map_or(text.len(), |(b, _)| b),
    )
}

/// Converts a byte offset within `text` to a code-point offset. A byte offset inside a character counts that
/// character as not yet reached.
#[must_use]
pub fn byte_to_char(text: &str, offset: ByteOffset) -> CharOffset {
    let b = offset.0.min(text.len());
    CharOffset(text.char_indices().take_while(|(i, _)| *i < b).count())
}

/// The slice of `text` covered by a code-point span.
#[must_use]
pub fn slice_chars(text: &str, span: Span) -> &str {
    let s = char_to_byte(text, span.start).0;
    let e = char_to_byte(text, span.end).0;
    &text[s..e]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn arabic_offsets_count_code_points() {
        let t = "في 2021ء قال";
        assert_eq!(char_to_byte(t, CharOffset(3)), ByteOffset(5));
        assert_eq!(byte_to_char(t, ByteOffset(5)), CharOffset(3));
        assert_eq!(
            slice_chars(t, Span::new(CharOffset(3), CharOffset(7))),
            "2021"
        );
        assert_eq!(char_to_byte(t, CharOffset(100)), ByteOffset(t.len()));
    }

    proptest! {
        #[test]
        fn char_byte_round_trip(s in "[a-z ابتثجحخدذرزسشصضطظعغفقكلمنهوي\u{064B}-\u{0652}0-9()]{0,40}", n in 0usize..50) {
            let count = s.chars().count();
            let c = CharOffset(n.min(count));
            let b = char_to_byte(&s, c);
            prop_assert!(s.is_char_boundary(b.0));
            prop_assert_eq!(byte_to_char(&s, b), c);
        }
    }
}
