//! Bytes to text: the encoding detection order users of Arabic text files need.
//!
//! 1. A byte-order mark decides (UTF-8, UTF-16 LE/BE).
//! 2. Text that is valid UTF-8 is UTF-8.
//! 3. Text that is almost all UTF-8 (a truncated or slightly damaged file) is UTF-8 with the few bad sequences
//!    replaced by U+FFFD, and the count is reported.
//! 4. Otherwise chardetng guesses among legacy encodings (windows-1256 and ISO-8859-6 for Arabic).
//!
//! Files with NUL bytes or many control characters are refused as binary. All decoding is done by encoding_rs.

use crate::tr;
use encoding_rs::Encoding;
use std::fmt;

/// The encodings offered in View ▸ Encoding, in menu order.
pub const ENCODING_CHOICES: &[&Encoding] = &[
    encoding_rs::UTF_8,
    encoding_rs::UTF_16LE,
    encoding_rs::UTF_16BE,
    encoding_rs::WINDOWS_1256,
    encoding_rs::ISO_8859_6,
    encoding_rs::WINDOWS_1252,
    encoding_rs::WINDOWS_1255,
    encoding_rs::ISO_8859_8,
    encoding_rs::WINDOWS_1251,
];

/// Text decoded from bytes, and how.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static Encoding,
    /// A byte-order mark was found (and removed from the text).
    pub bom: bool,
    /// The encoding was guessed statistically rather than known from a BOM or valid UTF-8.
    pub guessed: bool,
    /// How many malformed byte sequences were replaced by U+FFFD.
    pub replaced: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// NUL bytes or many control characters: not a text file.
    Binary { control_chars: usize },
    /// The bytes are not text in the chosen encoding.
    Malformed {
        encoding: &'static str,
        errors: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Binary { control_chars } => f.write_str(&tr!(
                "looks like a binary file, not text (%{n} NUL or control bytes); nothing was opened",
                n = control_chars
            )),
            DecodeError::Malformed { encoding, errors } => f.write_str(&tr!(
                "is not %{encoding} text (%{n} invalid byte sequences); try another encoding",
                encoding = encoding,
                n = errors
            )),
        }
    }
}

/// Detects the encoding and decodes, reusing the buffer when the bytes are already valid UTF-8 (the common case,
/// and the fast path for large files).
pub fn decode_owned(bytes: Vec<u8>) -> Result<Decoded, DecodeError> {
    if Encoding::for_bom(&bytes).is_none() && memchr::memchr(0, &bytes).is_none() {
        // Validated with SIMD (std's check is several times slower on Arabic), then copied into a String.
        if let Ok(text) = simdutf8::basic::from_utf8(&bytes) {
            return utf8(text.to_owned(), 0);
        }
    }
    decode(&bytes)
}

/// Detects the encoding and decodes.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        let replaced = if had_errors {
            count_replacements(&text)
        } else {
            0
        };
        let text = text.into_owned();
        check_not_binary(&text)?;
        return Ok(Decoded {
            text,
            encoding: enc,
            bom: true,
            guessed: false,
            replaced,
        });
    }
    if bytes.contains(&0) {
        return Err(DecodeError::Binary {
            control_chars: bytes.iter().filter(|b| **b == 0).count(),
        });
    }
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        return utf8(text.to_owned(), 0);
    }
    let (valid_multibyte, errors) = utf8_stats(bytes);
    if valid_multibyte > 0 && errors * 20 <= valid_multibyte {
        return utf8(String::from_utf8_lossy(bytes).into_owned(), errors);
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let enc = detector.guess(None, false);
    let (text, _, had_errors) = enc.decode(bytes);
    let replaced = if had_errors {
        count_replacements(&text)
    } else {
        0
    };
    let text = text.into_owned();
    check_not_binary(&text)?;
    Ok(Decoded {
        text,
        encoding: enc,
        bom: false,
        guessed: true,
        replaced,
    })
}

/// Decodes with the encoding the user chose. A BOM for that same encoding is skipped; malformed sequences are
/// replaced and counted, unless most of the text is malformed.
pub fn decode_as(bytes: &[u8], enc: &'static Encoding) -> Result<Decoded, DecodeError> {
    let (bom, rest) = match Encoding::for_bom(bytes) {
        Some((b, len)) if b == enc => (true, &bytes[len..]),
        _ => (false, bytes),
    };
    let (text, had_errors) = enc.decode_without_bom_handling(rest);
    let replaced = if had_errors {
        count_replacements(&text)
    } else {
        0
    };
    if replaced > 0 && replaced * 4 > text.chars().count() {
        return Err(DecodeError::Malformed {
            encoding: enc.name(),
            errors: replaced,
        });
    }
    let text = text.into_owned();
    check_not_binary(&text)?;
    Ok(Decoded {
        text,
        encoding: enc,
        bom,
        guessed: false,
        replaced,
    })
}

/// UTF-8 text, after the binary check.
fn utf8(text: String, replaced: usize) -> Result<Decoded, DecodeError> {
    check_not_binary(&text)?;
    Ok(Decoded {
        text,
        encoding: encoding_rs::UTF_8,
        bom: false,
        guessed: false,
        replaced,
    })
}

fn count_replacements(text: &str) -> usize {
    text.chars().filter(|c| *c == '\u{FFFD}').count()
}

/// Counts valid non-ASCII UTF-8 sequences and invalid ones.
fn utf8_stats(mut bytes: &[u8]) -> (usize, usize) {
    let (mut valid, mut errors) = (0usize, 0usize);
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                valid += s.chars().filter(|c| !c.is_ascii()).count();
                return (valid, errors);
            }
            Err(e) => {
                let good = &bytes[..e.valid_up_to()];
                // SAFETY-free: `good` is valid UTF-8 by construction of `valid_up_to`.
                valid += std::str::from_utf8(good)
                    .map_or(0, |s| s.chars().filter(|c| !c.is_ascii()).count());
                errors += 1;
                let skip = e.error_len().unwrap_or(bytes.len() - e.valid_up_to());
                bytes = &bytes[e.valid_up_to() + skip..];
            }
        }
    }
}

/// Refuses text with NUL characters or where more than 1 in 100 characters is a C0 control other than tab,
/// line feed, carriage return and form feed.
fn check_not_binary(text: &str) -> Result<(), DecodeError> {
    // A byte scan: in UTF-8 every control character is one byte, and every byte that is not a continuation byte
    // starts a character.
    let bytes = text.as_bytes();
    use crate::model::offsets::count_bytes;
    let total = count_bytes(bytes, |b| (b as i8) >= -0x40);
    let control = count_bytes(bytes, |b| {
        (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f
    });
    let nul = memchr::memchr(0, bytes).is_some();
    if nul || control * 100 > total {
        return Err(DecodeError::Binary {
            control_chars: control,
        });
    }
    Ok(())
}
