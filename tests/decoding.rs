//! The decoding table: every encoding the reader promises to open without asking, and every kind of bad input.

use std::io::Write;

use warraq::model::{Document, LineEnding};
use warraq::store::{self, DecodeError, OpenError, decode};

/// A paragraph of the sample article that every Arabic legacy encoding can represent.
fn arabic() -> String {
    let sample = include_str!("../assets/sample-article-ar.txt");
    sample
        .lines()
        .find(|l| l.starts_with("وقال أنتونوف"))
        .expect("sample paragraph")
        .to_owned()
}

fn write_temp(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(bytes).unwrap();
    f
}

#[test]
fn utf8_without_bom() {
    let d = decode::decode(arabic().as_bytes()).unwrap();
    assert_eq!(d.encoding, encoding_rs::UTF_8);
    assert!(!d.bom && !d.guessed);
    assert_eq!(d.text, arabic());
}

#[test]
fn utf8_with_bom_drops_the_bom() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(arabic().as_bytes());
    let d = decode::decode(&bytes).unwrap();
    assert_eq!(d.encoding, encoding_rs::UTF_8);
    assert!(d.bom);
    assert_eq!(d.text, arabic(), "no U+FEFF at the start of the text");
}

fn utf16(text: &str, little: bool) -> Vec<u8> {
    let mut bytes = if little {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for unit in text.encode_utf16() {
        bytes.extend(if little {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    bytes
}

#[test]
fn utf16_le_and_be_with_bom() {
    for (little, enc) in [
        (true, encoding_rs::UTF_16LE),
        (false, encoding_rs::UTF_16BE),
    ] {
        let d = decode::decode(&utf16(&arabic(), little)).unwrap();
        assert_eq!(d.encoding, enc);
        assert!(d.bom);
        assert_eq!(d.text, arabic());
    }
}

#[test]
fn windows_1256_is_detected() {
    let text = arabic();
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1256.encode(&text);
    assert!(!unmappable);
    let d = decode::decode(&bytes).unwrap();
    assert_eq!(d.encoding, encoding_rs::WINDOWS_1256);
    assert!(d.guessed);
    assert_eq!(d.text, arabic());
}

#[test]
fn iso_8859_6_is_detected() {
    let text = "قال السفير الروسي لدى الولايات المتحدة إن بلاده عرضت على الولايات المتحدة إجراء حوار حول الأمن السيبراني ست مرات، لكن لا إجابة حتى الآن. وأضاف أن الجانب الأمريكي تلقى مقترحات لبدء هذا التفاعل.";
    let (bytes, _, unmappable) = encoding_rs::ISO_8859_6.encode(text);
    assert!(!unmappable);
    let d = decode::decode(&bytes).unwrap();
    assert_eq!(d.encoding, encoding_rs::ISO_8859_6);
    assert_eq!(d.text, text);
}

#[test]
fn crlf_text_keeps_its_terminators_and_paragraphs() {
    let text = format!("{}\r\n\r\n{}\r\n", arabic(), "سطر ثان");
    let d = decode::decode(text.as_bytes()).unwrap();
    let doc = Document::new(d.text);
    assert_eq!(doc.line_ending(), LineEnding::CrLf);
    assert_eq!(doc.paragraphs().len(), 3);
    assert_eq!(doc.paragraph_text(2), "سطر ثان");
    assert!(!doc.paragraph_text(0).ends_with('\r'));
    assert_eq!(
        doc.char_count(),
        text.chars().count(),
        "offsets count the CR LF like other tools do"
    );
}

#[test]
fn binary_files_are_refused() {
    let png_header = [
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R',
    ];
    assert!(matches!(
        decode::decode(&png_header),
        Err(DecodeError::Binary { .. })
    ));
    let controls: Vec<u8> = (0..200u8)
        .map(|i| if i % 3 == 0 { 0x01 } else { b'a' })
        .collect();
    assert!(matches!(
        decode::decode(&controls),
        Err(DecodeError::Binary { .. })
    ));
}

#[test]
fn empty_file_is_an_empty_document() {
    let d = decode::decode(b"").unwrap();
    assert_eq!(d.text, "");
    assert!(Document::new(d.text).paragraphs().is_empty());
}

#[test]
fn damaged_utf8_stays_utf8_with_replacements_counted() {
    let mut bytes = arabic().into_bytes();
    bytes.push(0xD8); // the first half of a two-byte Arabic letter
    bytes.extend(b" \xFF ");
    bytes.extend("نهاية".as_bytes());
    let d = decode::decode(&bytes).unwrap();
    assert_eq!(d.encoding, encoding_rs::UTF_8);
    assert_eq!(d.replaced, 2);
    assert!(d.text.ends_with("نهاية"));
}

#[test]
fn the_user_can_force_an_encoding() {
    let text = arabic();
    let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(&text);
    let d = decode::decode_as(&bytes, encoding_rs::WINDOWS_1256).unwrap();
    assert_eq!(d.text, arabic());
    assert!(!d.guessed);
    // UTF-8 bytes read as UTF-16 are mostly malformed: refused with a message instead of shown as garbage.
    let e = decode::decode_as(&[0xD8, 0x00, 0xD8, 0x00, 0xD8, 0x00], encoding_rs::UTF_16BE)
        .unwrap_err();
    assert!(e.to_string().contains("UTF-16BE"), "{e}");
}

#[test]
fn file_errors_name_the_file() {
    let missing = std::path::Path::new("/nonexistent/خبر.txt");
    let e = store::load_text(missing, None).unwrap_err();
    assert!(matches!(e, OpenError::NotFound(_)));
    assert!(e.to_string().contains("خبر.txt") && e.to_string().contains("no such file"));

    let dir = tempfile::tempdir().unwrap();
    let e = store::load_text(dir.path(), None).unwrap_err();
    assert!(e.to_string().contains("is a folder"), "{e}");

    let big = dir.path().join("big.txt");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(store::MAX_FILE_BYTES + 1).unwrap(); // sparse: costs no disk space
    let e = store::load_text(&big, None).unwrap_err();
    assert!(matches!(e, OpenError::TooLarge { .. }));
    assert!(e.to_string().contains("larger than"), "{e}");

    let bin = write_temp(&[0u8, 1, 2, 3, 0, 0, 255]);
    let e = store::load_text(bin.path(), None).unwrap_err();
    assert!(e.to_string().contains("binary"), "{e}");
}

#[test]
fn loading_never_writes_the_source() {
    let f = write_temp(arabic().as_bytes());
    let before = std::fs::read(f.path()).unwrap();
    let modified = std::fs::metadata(f.path()).unwrap().modified().unwrap();
    store::load_text(f.path(), None).unwrap();
    store::load_text(f.path(), Some(encoding_rs::WINDOWS_1256)).unwrap();
    assert_eq!(std::fs::read(f.path()).unwrap(), before);
    assert_eq!(
        std::fs::metadata(f.path()).unwrap().modified().unwrap(),
        modified
    );
}
