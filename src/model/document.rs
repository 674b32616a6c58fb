//! A decoded text document split into paragraphs (the lines of the file).
//!
//! The text is kept exactly as decoded, line terminators included, so that code-point offsets into it are the same
//! offsets other tools compute over the same file. A paragraph is one line of the file without its terminator;
//! paragraph `p` is line `p` of the file counting from 0, empty lines included.

use super::offsets::{ByteOffset, CharOffset, Span};

/// How the lines of a file end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnding {
    /// No line break at all (a single line or an empty file).
    None,
    Lf,
    CrLf,
    Cr,
    /// More than one style in the same file.
    Mixed,
}

impl LineEnding {
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            LineEnding::None => "—",
            LineEnding::Lf => "LF",
            LineEnding::CrLf => "CRLF",
            LineEnding::Cr => "CR",
            LineEnding::Mixed => "mixed",
        }
    }
}

/// One line of the file, without its terminator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paragraph {
    /// Byte range of the paragraph's text in [`Document::text`].
    pub byte_start: usize,
    pub byte_end: usize,
    /// Code-point offset of the paragraph's first character in the whole text.
    pub char_start: usize,
    /// Length of the paragraph in code points (terminator excluded).
    pub char_len: usize,
}

impl Paragraph {
    /// The paragraph's code-point span in the whole text (terminator excluded).
    #[must_use]
    pub fn span(&self) -> Span {
        Span {
            start: CharOffset(self.char_start),
            end: CharOffset(self.char_start + self.char_len),
        }
    }
}

/// Bytes between two entries of the offset index.
const BLOCK: usize = 256;

/// Whether a byte of UTF-8 starts a code point (is not a continuation byte).
fn starts_char(b: u8) -> bool {
    (b as i8) >= -0x40
}

/// Code points in `bytes` (valid UTF-8).
fn count_chars(bytes: &[u8]) -> usize {
    super::offsets::count_bytes(bytes, starts_char)
}

/// For every [`BLOCK`] bytes, the code points that start before it.
fn block_index(bytes: &[u8]) -> Vec<usize> {
    let mut out = Vec::with_capacity(bytes.len() / BLOCK + 2);
    let mut seen = 0;
    out.push(0);
    for block in bytes.chunks(BLOCK) {
        seen += count_chars(block);
        out.push(seen);
    }
    out
}

/// The decoded text of a file and its paragraphs.
#[derive(Debug, Clone)]
pub struct Document {
    text: String,
    paragraphs: Vec<Paragraph>,
    /// How many code points start before every [`BLOCK`]th byte, so converting an offset looks at no more than
    /// one block whatever the length of the line (a one-line book stays linear to annotate, export and import).
    blocks: Vec<usize>,
    char_count: usize,
    line_ending: LineEnding,
}

impl Document {
    /// Splits decoded text into paragraphs at LF, CRLF and CR. A final line terminator does not start another
    /// (empty) paragraph; an empty text has no paragraphs.
    #[must_use]
    pub fn new(text: String) -> Self {
        let mut paragraphs = Vec::new();
        let (mut lf, mut crlf, mut cr) = (false, false, false);
        let bytes = text.as_bytes();
        let mut start = 0usize;
        let mut char_pos = 0usize;
        // Line breaks are found with memchr; the code points of a line are counted as the bytes that are not UTF-8
        // continuation bytes (a loop the compiler vectorizes).
        let mut breaks = memchr::memchr2_iter(b'\n', b'\r', bytes).peekable();
        while let Some(i) = breaks.next() {
            let term_len = if bytes[i] == b'\n' {
                lf = true;
                1
            } else if bytes.get(i + 1) == Some(&b'\n') {
                crlf = true;
                // The LF of this CRLF is not another break.
                breaks.next();
                2
            } else {
                cr = true;
                1
            };
            let line_chars = count_chars(&bytes[start..i]);
            paragraphs.push(Paragraph {
                byte_start: start,
                byte_end: i,
                char_start: char_pos,
                char_len: line_chars,
            });
            char_pos += line_chars + term_len;
            start = i + term_len;
        }
        if start < bytes.len() {
            let line_chars = count_chars(&bytes[start..]);
            paragraphs.push(Paragraph {
                byte_start: start,
                byte_end: bytes.len(),
                char_start: char_pos,
                char_len: line_chars,
            });
            char_pos += line_chars;
        }
        let line_ending = match (lf, crlf, cr) {
            (false, false, false) => LineEnding::None,
            (true, false, false) => LineEnding::Lf,
            (false, true, false) => LineEnding::CrLf,
            (false, false, true) => LineEnding::Cr,
            _ => LineEnding::Mixed,
        };
        let blocks = block_index(bytes);
        Self {
            text,
            paragraphs,
            blocks,
            char_count: char_pos,
            line_ending,
        }
    }

    /// Byte offset in the whole text of a code-point offset (clamped to the end).
    #[must_use]
    pub fn byte_at(&self, offset: CharOffset) -> usize {
        if offset.0 >= self.char_count {
            return self.text.len();
        }
        // The block where that code point starts, then a walk through it.
        let k = self.blocks.partition_point(|&c| c <= offset.0) - 1;
        let mut skip = offset.0 - self.blocks[k];
        let bytes = self.text.as_bytes();
        let mut at = k * BLOCK;
        // Whole groups of bytes are counted at once while the code point is further on.
        const GROUP: usize = 32;
        while at + GROUP <= bytes.len() {
            let n = count_chars(&bytes[at..at + GROUP]);
            if n > skip {
                break;
            }
            skip -= n;
            at += GROUP;
        }
        for (j, &b) in bytes[at..].iter().enumerate() {
            if starts_char(b) {
                if skip == 0 {
                    return at + j;
                }
                skip -= 1;
            }
        }
        self.text.len()
    }

    /// Code-point offset of a byte offset in the whole text (a byte inside a character counts as that character's
    /// end, as [`super::offsets::byte_to_char`] does).
    #[must_use]
    pub fn char_at_byte(&self, byte: usize) -> CharOffset {
        let byte = byte.min(self.text.len());
        let k = byte / BLOCK;
        CharOffset(self.blocks[k] + count_chars(&self.text.as_bytes()[k * BLOCK..byte]))
    }

    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    #[must_use]
    pub fn paragraphs(&self) -> &[Paragraph] {
        &self.paragraphs
    }

    /// The text of paragraph `index`, without its line terminator.
    #[must_use]
    pub fn paragraph_text(&self, index: usize) -> &str {
        let p = &self.paragraphs[index];
        &self.text[p.byte_start..p.byte_end]
    }

    /// Number of code points in the whole text, line terminators included.
    #[must_use]
    pub fn char_count(&self) -> usize {
        self.char_count
    }

    #[must_use]
    pub fn line_ending(&self) -> LineEnding {
        self.line_ending
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The paragraph containing `offset`, or the one whose terminator it falls on; the last paragraph for the end.
    #[must_use]
    pub fn paragraph_at(&self, offset: CharOffset) -> Option<usize> {
        if self.paragraphs.is_empty() {
            return None;
        }
        let i = self
            .paragraphs
            .partition_point(|p| p.char_start <= offset.0);
        Some(i.saturating_sub(1))
    }

    /// Converts a byte offset within paragraph `index` to a code-point offset in the whole text.
    #[must_use]
    pub fn global_char(&self, index: usize, local: ByteOffset) -> CharOffset {
        let p = &self.paragraphs[index];
        self.char_at_byte(p.byte_start + local.0.min(p.byte_end - p.byte_start))
    }

    /// Converts a code-point offset in the whole text to a byte offset within paragraph `index`, clamped to the
    /// paragraph's text.
    #[must_use]
    pub fn local_byte(&self, index: usize, offset: CharOffset) -> ByteOffset {
        let p = &self.paragraphs[index];
        let local = offset.0.saturating_sub(p.char_start).min(p.char_len);
        ByteOffset(self.byte_at(CharOffset(p.char_start + local)) - p.byte_start)
    }

    /// The exact decoded text of a span (line terminators included as they are in the file).
    #[must_use]
    pub fn slice(&self, span: Span) -> String {
        let start = self.byte_at(span.start);
        let end = self.byte_at(span.end);
        self.text[start..end.max(start)].to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lines_and_keeps_offsets_over_terminators() {
        let d = Document::new("سلام\r\nعليكم\r\n\r\nx".to_owned());
        assert_eq!(d.line_ending(), LineEnding::CrLf);
        assert_eq!(d.paragraphs().len(), 4);
        assert_eq!(d.paragraph_text(1), "عليكم");
        assert_eq!(d.paragraphs()[1].char_start, 6);
        assert_eq!(d.paragraph_text(2), "");
        assert_eq!(d.paragraphs()[3].char_start, 15);
        assert_eq!(d.char_count(), 16);
        assert_eq!(d.char_count(), d.text().chars().count());
        assert_eq!(d.slice(Span::new(CharOffset(2), CharOffset(8))), "ام\r\nعل");
        assert_eq!(d.paragraph_at(CharOffset(5)), Some(0));
        assert_eq!(d.paragraph_at(CharOffset(6)), Some(1));
    }

    proptest::proptest! {
        #[test]
        fn the_offset_index_agrees_with_a_plain_scan(
            pieces in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("م"), proptest::strategy::Just("a"), proptest::strategy::Just("\r\n"),
                    proptest::strategy::Just("\n"), proptest::strategy::Just("😀"), proptest::strategy::Just("\r")
                ], 0..600),
            probes in proptest::collection::vec(0usize..700, 1..20),
        ) {
            let text: String = pieces.concat();
            let d = Document::new(text.clone());
            // Paragraphs: the lines a plain split finds (LF, CRLF, CR), with their code-point positions.
            let mut lines = Vec::new();
            let (mut start, mut chars, mut i) = (0usize, 0usize, 0usize);
            let b = text.as_bytes();
            while i < b.len() {
                let term = match b[i] {
                    b'\n' => 1,
                    b'\r' if b.get(i + 1) == Some(&b'\n') => 2,
                    b'\r' => 1,
                    _ => 0,
                };
                if term == 0 {
                    i += 1;
                    continue;
                }
                let n = text[start..i].chars().count();
                lines.push((start, i, chars, n));
                chars += n + term;
                i += term;
                start = i;
            }
            if start < b.len() {
                lines.push((start, b.len(), chars, text[start..].chars().count()));
            }
            let got: Vec<(usize, usize, usize, usize)> = d.paragraphs().iter()
                .map(|p| (p.byte_start, p.byte_end, p.char_start, p.char_len)).collect();
            proptest::prop_assert_eq!(got, lines);
            proptest::prop_assert_eq!(d.char_count(), text.chars().count());
            for c in probes {
                let c = c.min(d.char_count());
                let b = super::super::offsets::char_to_byte(&text, CharOffset(c)).0;
                proptest::prop_assert_eq!(d.byte_at(CharOffset(c)), b);
                proptest::prop_assert_eq!(d.char_at_byte(b), CharOffset(c));
            }
        }
    }

    #[test]
    fn final_newline_adds_no_paragraph_and_empty_text_has_none() {
        assert_eq!(Document::new("a\nb\n".into()).paragraphs().len(), 2);
        assert_eq!(Document::new(String::new()).paragraphs().len(), 0);
        assert_eq!(
            Document::new("a\rb\nc".into()).line_ending(),
            LineEnding::Mixed
        );
    }
}
