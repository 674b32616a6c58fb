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
use crate::store::write::OutputGuard;

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
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    pub files: Vec<PathBuf>,
    pub documents: usize,
    pub annotations: usize,
    /// What the format could not hold ([`left_out`]).
    pub left_out: Vec<String>,
}

/// Exports `docs` to `out`: a file for the single-file formats, a folder for brat (created if needed). Every file
/// goes through `guard`: nothing is written over an input or an annotations file, and an existing output is
/// replaced only when the guard allows it. Every output is checked before the first is written.
pub fn write(
    format: Format,
    docs: &[ExportDoc<'_>],
    out: &Path,
    options: Options,
    guard: &OutputGuard,
) -> Result<Report, String> {
    let annotations = docs.iter().map(|d| d.items().len()).sum();
    let names: Vec<String> = docs.iter().map(|d| d.name.clone()).collect();
    let paths = planned_outputs(format, &names, out)?;
    let texts: Vec<String> = match format {
        Format::Brat => docs
            .iter()
            .flat_map(|d| {
                let (txt, ann) = brat::export(d);
                [txt, ann]
            })
            .collect(),
        _ => vec![render(format, docs, options)],
    };
    let outputs: Vec<(PathBuf, String)> = paths.into_iter().zip(texts).collect();
    for (path, _) in &outputs {
        guard.check(path).map_err(|e| e.to_string())?;
    }
    for (path, text) in &outputs {
        guard
            .write(path, text.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    Ok(Report {
        files: outputs.into_iter().map(|(p, _)| p).collect(),
        documents: docs.len(),
        annotations,
        left_out: left_out(format, docs),
    })
}

/// The files an export of documents named `names` to `out` writes: `out` itself, or for brat a `.txt` and an
/// `.ann` per document in the folder `out`.
pub fn planned_outputs(
    format: Format,
    names: &[String],
    out: &Path,
) -> Result<Vec<PathBuf>, String> {
    if format != Format::Brat {
        return Ok(vec![out.to_owned()]);
    }
    if out.is_file() {
        return Err(format!(
            "{}: brat writes a folder, and this is a file",
            out.display()
        ));
    }
    let mut files = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for name in names {
        let stem = Path::new(name)
            .file_stem()
            .map_or_else(|| name.clone(), |s| s.to_string_lossy().into_owned());
        if !seen.insert(stem.clone()) {
            return Err(format!(
                "two documents would both be written as {stem}.txt in {}",
                out.display()
            ));
        }
        files.push(out.join(format!("{stem}.txt")));
        files.push(out.join(format!("{stem}.ann")));
    }
    Ok(files)
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

/// What a format cannot hold of these documents and leaves out, one line each, for the person exporting to read.
#[must_use]
pub fn left_out(format: Format, docs: &[ExportDoc<'_>]) -> Vec<String> {
    let relations: usize = docs.iter().map(|d| d.annotations.relations().len()).sum();
    let with = |f: fn(&Annotation) -> bool| -> usize {
        docs.iter()
            .map(|d| d.items().iter().filter(|a| f(a)).count())
            .sum()
    };
    let attributes = with(|a| !a.attributes.is_empty());
    let notes = with(|a| !a.note.is_empty());
    let links = with(|a| !a.links.is_empty());
    let unplaced: usize = docs.iter().map(|d| d.annotations.unplaced.len()).sum();
    // Relations with an end that is not placed in the text have nothing to point at in any format.
    let dangling: usize = docs
        .iter()
        .map(|d| {
            let placed: std::collections::HashSet<u64> = d.items().iter().map(|a| a.id).collect();
            d.annotations
                .relations()
                .iter()
                .filter(|r| !placed.contains(&r.from) || !placed.contains(&r.to))
                .count()
        })
        .sum();
    let mut out = Vec::new();
    if unplaced > 0 {
        out.push(format!(
            "{unplaced} annotations whose text is no longer in the document (listed under Unplaced) were left out"
        ));
    }
    if dangling > 0 && !matches!(format, Format::Conll | Format::Csv) {
        out.push(format!(
            "{dangling} relations with an annotation that is not placed in the text were left out"
        ));
    }
    let mut say = |n: usize, what: &str| {
        if n > 0 {
            out.push(format!("{} holds no {what}: {n} left out", format.label()));
        }
    };
    match format {
        Format::Conll => {
            say(notes, "notes (annotations with one)");
            say(relations, "relations");
            say(attributes, "attributes (annotations with some)");
            say(links, "knowledge-base links (annotations with some)");
        }
        Format::Csv => say(relations, "relations"),
        Format::JsonlDoccano => {
            say(notes, "notes (annotations with one)");
            say(attributes, "attributes (annotations with some)");
            say(links, "knowledge-base links (annotations with some)");
        }
        _ => {}
    }
    out
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
