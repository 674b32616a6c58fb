//! Word boundaries (UAX #29, via unicode-segmentation) for "snap to word" selection.

use unicode_segmentation::UnicodeSegmentation;

use super::document::Document;
use super::offsets::{ByteOffset, CharOffset, Span};

/// Extends a span so that it starts and ends on word boundaries: a partly selected word becomes wholly selected.
/// Spaces and punctuation at either end are trimmed off. A span inside a single word becomes that word.
#[must_use]
pub fn snap_to_words(doc: &Document, span: Span) -> Span {
    if span.is_empty() {
        return span;
    }
    let start = snap(doc, span.start, true);
    let end = snap(doc, span.end, false);
    let snapped = Span::new(start, end.max(start));
    trim(doc, snapped)
}

fn snap(doc: &Document, at: CharOffset, is_start: bool) -> CharOffset {
    let Some(p) = doc.paragraph_at(at) else {
        return at;
    };
    let para = doc.paragraphs()[p];
    if at.0 > para.char_start + para.char_len {
        return at;
    }
    let text = doc.paragraph_text(p);
    let local = doc.local_byte(p, at).0;
    for (b, word) in text.split_word_bound_indices() {
        let e = b + word.len();
        let is_word = word.chars().any(char::is_alphanumeric);
        if is_word && b < local && local < e {
            let edge = if is_start { b } else { e };
            return doc.global_char(p, ByteOffset(edge));
        }
    }
    at
}

fn trim(doc: &Document, span: Span) -> Span {
    let text = doc.slice(span);
    let lead = text.chars().take_while(|c| !c.is_alphanumeric()).count();
    let total = text.chars().count();
    if lead == total {
        return span;
    }
    let trail = text
        .chars()
        .rev()
        .take_while(|c| !c.is_alphanumeric() && !is_mark(*c))
        .count();
    Span::new(
        CharOffset(span.start.0 + lead),
        CharOffset(span.end.0 - trail),
    )
}

fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x064B..=0x065F | 0x0670 | 0x0610..=0x061A | 0x06D6..=0x06ED)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span_of(text: &str, part: &str) -> Span {
        let b = text.find(part).unwrap();
        let s = text[..b].chars().count();
        Span::new(CharOffset(s), CharOffset(s + part.chars().count()))
    }

    #[test]
    fn partial_words_grow_to_whole_words_and_spaces_are_trimmed() {
        let text = "قال مُحَمَّدٌ في القاهرة، ثم عاد.";
        let doc = Document::new(text.to_owned());
        // From the middle of محمد to the middle of القاهرة.
        let s = span_of(text, "حَمَّدٌ في القا");
        assert_eq!(doc.slice(snap_to_words(&doc, s)), "مُحَمَّدٌ في القاهرة");
        // A selection with a trailing space and comma.
        let s = span_of(text, "القاهرة، ");
        assert_eq!(doc.slice(snap_to_words(&doc, s)), "القاهرة");
        // Inside one word.
        let s = span_of(text, "اهر");
        assert_eq!(doc.slice(snap_to_words(&doc, s)), "القاهرة");
    }
}
