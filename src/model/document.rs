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

/// Code points between two entries of the offset index.
const CHECKPOINT: usize = 128;

/// The decoded text of a file and its paragraphs.
#[derive(Debug, Clone)]
pub struct Document {
    text: String,
    paragraphs: Vec<Paragraph>,
    /// Byte offset of every [`CHECKPOINT`]th code point, so converting an offset costs at most that many steps
    /// whatever the length of the line (a one-line book stays linear to annotate, export and import).
    checkpoints: Vec<usize>,
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
        let mut i = 0usize;
        // Count code points per line with a byte scan: every byte that is not a UTF-8 continuation byte starts a
        // code point.
        let mut line_chars = 0usize;
        while i < bytes.len() {
            let b = bytes[i];
            let term_len = match b {
                b'\n' => {
                    lf = true;
                    1
                }
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    crlf = true;
                    2
                }
                b'\r' => {
                    cr = true;
                    1
                }
                _ => 0,
            };
            if term_len > 0 {
                paragraphs.push(Paragraph {
                    byte_start: start,
                    byte_end: i,
                    char_start: char_pos,
                    char_len: line_chars,
                });
                char_pos += line_chars + term_len;
                line_chars = 0;
                i += term_len;
                start = i;
                continue;
            }
            if b & 0xC0 != 0x80 {
                line_chars += 1;
            }
            i += 1;
        }
        if start < bytes.len() {
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
        let checkpoints = text
            .char_indices()
            .step_by(CHECKPOINT)
            .map(|(b, _)| b)
            .collect();
        Self {
            text,
            paragraphs,
            checkpoints,
            char_count: char_pos,
            line_ending,
        }
    }

    /// Byte offset in the whole text of a code-point offset (clamped to the end).
    #[must_use]
    pub fn byte_at(&self, offset: CharOffset) -> usize {
        let Some(&from) = self.checkpoints.get(offset.0 / CHECKPOINT) else {
            return self.text.len();
        };
        let rest = offset.0 % CHECKPOINT;
        self.text[from..]
            .char_indices()
            .nth(rest)
            .map_or(self.text.len(), |(b, _)| from + b)
    }

    /// Code-point offset of a byte offset in the whole text (a byte inside a character counts as that character's
    /// end, as [`super::offsets::byte_to_char`] does).
    #[must_use]
    pub fn char_at_byte(&self, byte: usize) -> CharOffset {
        let byte = byte.min(self.text.len());
        let k = self
            .checkpoints
            .partition_point(|&b| b < byte)
            .saturating_sub(1);
        let Some(&from) = self.checkpoints.get(k) else {
            return CharOffset(0);
        };
        let n = self.text[from..]
            .char_indices()
            .take_while(|(i, _)| from + i < byte)
            .count();
        CharOffset(k * CHECKPOINT + n)
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
