//! Exporting annotations to the formats other tools read, and importing from the ones that carry text.
//!
//! One module per format. Every exporter is a pure function from [`ExportDoc`]s to text (so golden files can test
//! it); [`write`] puts the result on disk. Offsets are converted at this edge: the product counts code points;
//! doccano counts UTF-16 code units; brat counts code points of a text whose CR LF became LF.
//! Nothing here knows about egui.

pub mod brat;
pub mod conll;
pub mod csv;
pub mod io;
pub mod jsonl;
pub mod notes;
pub mod w3c;

use std::path::{Path, PathBuf};

use crate::model::{Annotation, AnnotationSet, CharOffset, Document, Span};

/// One document to export: its name (the file name), text and annotations.
pub struct ExportDoc<'a> {
    pub name: String,
    pub doc: &'a Document,
    pub annotations: &'a AnnotationSet,
}

impl ExportDoc<'_> {
    /// The annotations, in document order.
    #[must_use]
    pub fn items(&self) -> &[Annotation] {
        self.annotations.items()
    }

    /// Up to `n` code points of context on each side of an annotation.
    #[must_use]
    pub fn context(&self, a: &Annotation, n: usize) -> (String, String) {
        let left = self.doc.slice(Span::new(
            CharOffset(a.start.saturating_sub(n)),
            CharOffset(a.start),
        ));
        let right = self.doc.slice(Span::new(
            CharOffset(a.end),
            CharOffset((a.end + n).min(self.doc.char_count())),
        ));
        let flat = |s: String| s.replace(['\r', '\n', '\t'], " ");
        (flat(left), flat(right))
    }
}

/// The export formats, by their command-line names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    NotesMd,
    NotesHtml,
    Csv,
    Jsonl,
    JsonlDoccano,
    Brat,
    Conll,
    W3c,
}

impl Format {
    pub const ALL: &'static [Format] = &[
        Format::NotesMd,
        Format::NotesHtml,
        Format::Csv,
        Format::Jsonl,
        Format::JsonlDoccano,
        Format::Brat,
        Format::Conll,
        Format::W3c,
    ];

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Format::NotesMd => "notes-md",
            Format::NotesHtml => "notes-html",
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
            Format::JsonlDoccano => "jsonl-doccano",
            Format::Brat => "brat",
            Format::Conll => "conll",
            Format::W3c => "w3c",
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Format::NotesMd => "Tagged notes (Markdown)",
            Format::NotesHtml => "Tagged notes (HTML, with the highlighted text)",
            Format::Csv => "CSV (one row per annotation)",
            Format::Jsonl => "JSONL (code-point offsets: spaCy, Label Studio)",
            Format::JsonlDoccano => "JSONL for doccano (UTF-16 offsets)",
            Format::Brat => "brat standoff (.txt + .ann)",
            Format::Conll => "CoNLL IOB2 (tokens and tags)",
            Format::W3c => "W3C Web Annotation (JSON-LD)",
        }
    }

    /// File extension of the output (brat writes a folder).
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            Format::NotesMd => "md",
            Format::NotesHtml => "html",
            Format::Csv => "csv",
            Format::Jsonl | Format::JsonlDoccano => "jsonl",
            Format::Brat => "",
            Format::Conll => "conll",
            Format::W3c => "jsonld",
        }
    }

    #[must_use]
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.name() == name)
    }
}

/// Options some formats have.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// CoNLL: write only the outermost annotation's tag on each token.
    pub outermost_only: bool,
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub files: Vec<PathBuf>,
    pub documents: usize,
    pub annotations: usize,
}

/// Exports `docs` to `out`: a file for the single-file formats, a folder for brat (created if needed).
pub fn write(
    format: Format,
    docs: &[ExportDoc<'_>],
    out: &Path,
    options: Options,
) -> Result<Report, String> {
    let annotations = docs.iter().map(|d| d.items().len()).sum();
    let io = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    let files = match format {
        Format::Brat => {
            std::fs::create_dir_all(out).map_err(|e| io(out, e))?;
            let mut files = Vec::new();
            for d in docs {
                let stem = Path::new(&d.name)
                    .file_stem()
                    .map_or_else(|| d.name.clone(), |s| s.to_string_lossy().into_owned());
                let (txt, ann) = brat::export(d);
                let t = out.join(format!("{stem}.txt"));
                let a = out.join(format!("{stem}.ann"));
                std::fs::write(&t, txt).map_err(|e| io(&t, e))?;
                std::fs::write(&a, ann).map_err(|e| io(&a, e))?;
                files.extend([t, a]);
            }
            files
        }
        _ => {
            let text = render(format, docs, options);
            if let Some(dir) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
            }
            std::fs::write(out, text).map_err(|e| io(out, e))?;
            vec![out.to_owned()]
        }
    };
    Ok(Report {
        files,
        documents: docs.len(),
        annotations,
    })
}

/// The text of a single-file export.
#[must_use]
pub fn render(format: Format, docs: &[ExportDoc<'_>], options: Options) -> String {
    match format {
        Format::NotesMd => notes::markdown(docs),
        Format::NotesHtml => notes::html(docs),
        Format::Csv => csv::export(docs),
        Format::Jsonl => jsonl::export(docs, false),
        Format::JsonlDoccano => jsonl::export(docs, true),
        Format::Brat => docs
            .iter()
            .map(|d| brat::export(d).1)
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Conll => conll::export(docs, options.outermost_only),
        Format::W3c => w3c::export(docs),
    }
}

/// UTF-16 code units before each code point offset of `text` (index = code point offset).
#[must_use]
pub fn utf16_offsets(text: &str) -> Vec<usize> {
    let mut out = Vec::with_capacity(text.len() + 1);
    let mut n = 0;
    for c in text.chars() {
        out.push(n);
        n += c.len_utf16();
    }
    out.push(n);
    out
}
