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

/// A span without the white space at either end (a keyboard selection is otherwise taken as it is).
#[must_use]
pub fn trim_spaces(doc: &Document, span: Span) -> Span {
    let text = doc.slice(span);
    let lead = text.chars().take_while(|c| c.is_whitespace()).count();
    let total = text.chars().count();
    if lead == total {
        return Span::new(span.start, span.start);
    }
    let trail = text.chars().rev().take_while(|c| c.is_whitespace()).count();
    Span::new(
        CharOffset(span.start.0 + lead),
        CharOffset(span.end.0 - trail),
    )
}

/// The clitics a word may start with: the conjunctions و ف, the prepositions ب ك ل; and the article ال.
const CLITICS: [char; 5] = ['و', 'ف', 'ب', 'ك', 'ل'];

/// Where a move by word from `from` to `to` stops when clitics count as words: inside a word that starts with clitics
/// (و ف ب ك ل, then the article ال) with at least two letters after them, the step stops at the nearest boundary
/// between them in its direction: forward from the start of والقاهرة, after و and then after ال; backward from its
/// end, after ال and then after و.
#[must_use]
pub fn stop_after_clitic(doc: &Document, from: CharOffset, to: CharOffset) -> CharOffset {
    if to == from {
        return to;
    }
    let (lo, hi) = (from.min(to), from.max(to));
    // The word the step crosses: from the letters before `lo` (a step may start after a clitic) to `hi`.
    let back = CharOffset(lo.0.saturating_sub(3));
    let before: Vec<char> = doc.slice(Span::new(back, lo)).chars().collect();
    let start = lo.0
        - before
            .iter()
            .rev()
            .take_while(|c| c.is_alphabetic())
            .count();
    // The whole word (a step back may end inside it).
    let far = CharOffset((hi.0 + 40).min(doc.char_count()).max(hi.0));
    let letters: Vec<char> = doc
        .slice(Span::new(CharOffset(start), far))
        .chars()
        .take_while(|c| c.is_alphabetic())
        .collect();
    let mut stops = Vec::new();
    let mut i = 0;
    while i < 2 && letters.get(i).is_some_and(|c| CLITICS.contains(c)) && letters.len() >= i + 4 {
        // ل of the article is not a clitic of its own.
        if letters[i] == 'ل' && i > 0 && letters[i - 1] == 'ا' {
            break;
        }
        if letters[i..].starts_with(&['ا', 'ل']) {
            break;
        }
        i += 1;
        stops.push(start + i);
    }
    if letters[i..].starts_with(&['ا', 'ل']) && letters.len() >= i + 4 {
        stops.push(start + i + 2);
    }
    let found = if to > from {
        stops.into_iter().find(|&b| from.0 < b && b < to.0)
    } else {
        stops.into_iter().rev().find(|&b| to.0 < b && b < from.0)
    };
    found.map_or(to, CharOffset)
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

#[cfg(test)]
mod clitic_tests {
    use super::*;

    #[test]
    fn moves_by_word_stop_after_a_clitic_then_the_article() {
        let doc = Document::new("ذهب والقاهرة بعيدة وكتب".to_owned());
        let at = |k: usize| CharOffset(k);
        // From the start of والقاهرة (4) to its end (12): after و, then after ال, then the word's end.
        assert_eq!(stop_after_clitic(&doc, at(4), at(12)), at(5));
        assert_eq!(stop_after_clitic(&doc, at(5), at(12)), at(7));
        assert_eq!(stop_after_clitic(&doc, at(7), at(12)), at(12));
        // A word with too little after the clitic, and a word without one.
        assert_eq!(stop_after_clitic(&doc, at(0), at(3)), at(3));
        assert_eq!(stop_after_clitic(&doc, at(19), at(23)), at(20));
        // Backward from the end of والقاهرة: after ال, then after و, then the word's start.
        assert_eq!(stop_after_clitic(&doc, at(12), at(4)), at(7));
        assert_eq!(stop_after_clitic(&doc, at(7), at(4)), at(5));
        assert_eq!(stop_after_clitic(&doc, at(5), at(4)), at(4));
        // Spaces at the ends of a selection are left out.
        assert_eq!(
            trim_spaces(&doc, Span::new(at(3), at(13))),
            Span::new(at(4), at(12))
        );
    }
}
