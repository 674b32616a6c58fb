//! Exporting and importing files: loading documents with their sidecars, default output names, writing imported
//! documents with their sidecars. Shared by the command line and the window.

use crate::tr;
use std::path::{Path, PathBuf};

use super::{ExportDoc, Format, Options, Report};
use crate::model::{AnnotationSet, Document, LineProblem, TagSet};
use crate::store::write::{OutputGuard, plain_file_name};
use crate::store::{self, sidecar};

/// A document opened for export.
pub struct Loaded {
    pub name: String,
    pub doc: Document,
    pub annotations: AnnotationSet,
}

/// Opens a text file and its annotations (a sidecar that cannot be read is an error: nothing is exported from it).
pub fn load(path: &Path) -> Result<Loaded, String> {
    let opened = store::open(path, None).map_err(|e| e.to_string())?;
    let (annotations, _) = opened.annotations.map_err(|e| e.to_string())?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(Loaded {
        name,
        doc: opened.doc,
        annotations,
    })
}

/// Every annotated document in a folder (text files that have a sidecar), sorted by name.
pub fn annotated_in_folder(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && sidecar::sidecar_path(p).is_file())
        .collect();
    out.sort();
    Ok(out)
}

/// Where an export goes when no destination is given: beside the (first) source, named after it.
#[must_use]
pub fn default_output(first: &Path, format: Format, several: bool) -> PathBuf {
    let stem = first
        .file_stem()
        .map_or_else(|| "export".to_owned(), |s| s.to_string_lossy().into_owned());
    let base = if several {
        "annotations".to_owned()
    } else {
        stem
    };
    let dir = first.parent().unwrap_or(Path::new("."));
    match format {
        Format::Brat => dir.join(format!("{base}-brat")),
        Format::NotesMd | Format::NotesHtml => {
            dir.join(format!("{base}-notes.{}", format.extension()))
        }
        Format::JsonlDoccano => dir.join(format!("{base}.doccano.jsonl")),
        _ => dir.join(format!("{base}.{}", format.extension())),
    }
}

/// Exports files (each with its sidecar) in one format; `progress` is called after each document is loaded.
pub fn export_files(
    files: &[PathBuf],
    format: Format,
    out: Option<&Path>,
    options: Options,
    replace: bool,
    mut progress: impl FnMut(usize, usize),
) -> Result<Report, String> {
    let mut loaded = Vec::new();
    for (i, f) in files.iter().enumerate() {
        loaded.push(load(f)?);
        progress(i + 1, files.len());
    }
    let docs: Vec<ExportDoc<'_>> = loaded
        .iter()
        .map(|l| ExportDoc {
            name: l.name.clone(),
            doc: &l.doc,
            annotations: &l.annotations,
        })
        .collect();
    let out = out.map_or_else(
        || default_output(&files[0], format, files.len() > 1),
        Path::to_path_buf,
    );
    let guard = OutputGuard::new(files.iter().cloned(), replace);
    super::write(format, &docs, &out, options, &guard)
}

/// What an import produced.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Imported {
    /// The text files, each with a sidecar beside it.
    pub documents: Vec<PathBuf>,
    pub annotations: usize,
    /// Lines that could not be used: "FILE:LINE: message".
    pub problems: Vec<String>,
}

/// Writes an imported document's text (unless it is already there, byte for byte) and a new sidecar beside it.
/// Never replaces a different text, an input or existing annotations.
fn write_document(
    dir: &Path,
    name: &str,
    doc: &Document,
    set: &AnnotationSet,
    copy_text: bool,
    guard: &OutputGuard,
) -> Result<PathBuf, String> {
    let path = dir.join(name);
    let side = sidecar::sidecar_path(&path);
    if side.exists() {
        return Err(format!(
            "{}: annotations already exist there; import into another folder",
            side.display()
        ));
    }
    if copy_text {
        let same = path.is_file()
            && std::fs::metadata(&path).is_ok_and(|m| m.len() == doc.text().len() as u64)
            && std::fs::read(&path).ok().as_deref() == Some(doc.text().as_bytes());
        if !same {
            if path.exists() {
                return Err(format!(
                    "{}: a different file with this name is already there; choose another --out",
                    path.display()
                ));
            }
            guard
                .write(&path, doc.text().as_bytes())
                .map_err(|e| e.to_string())?;
        }
    }
    // The sidecar is written through the open-document code, as the window saves: lock, folder turn, atomic write.
    let mut opened =
        crate::workspace::OpenDocument::open(&path, None).map_err(|e| e.to_string())?;
    if opened.doc.text() != doc.text() || opened.read_only {
        return Err(format!(
            "{}: the text changed while it was imported; nothing was written beside it",
            path.display()
        ));
    }
    // The imported tags go into this document's own sidecar; a folder's shared tag set is not changed by an import.
    opened.folder_tags = false;
    opened.annotations.replace_all(
        set.items().to_vec(),
        set.unplaced.clone(),
        set.suggestions.clone(),
        set.rejected().to_vec(),
        set.tags.clone(),
        set.relations().to_vec(),
    );
    opened.save_now().map_err(|e| e.to_string())?;
    Ok(path)
}

/// Imports a brat `.ann` (with its `.txt`), a CoNLL file, or a product JSONL file into `out` (default: beside it).
pub fn import_file(file: &Path, format: &str, out: Option<&Path>) -> Result<Imported, String> {
    let dir = out.map_or_else(
        || file.parent().unwrap_or(Path::new(".")).to_path_buf(),
        Path::to_path_buf,
    );
    let mut result = Imported::default();
    let mut guard = OutputGuard::new([file.to_owned()], false);
    let read = |p: &Path| {
        store::load_text(p, None)
            .map(|d| d.text)
            .map_err(|e| e.to_string())
    };
    match format {
        "brat" => {
            let ann_path = if file.extension().is_some_and(|e| e == "ann") {
                file.to_owned()
            } else {
                file.with_extension("ann")
            };
            let txt_path = ann_path.with_extension("txt");
            guard.protect(&ann_path);
            guard.protect(&txt_path);
            let text = read(&txt_path)?;
            let ann = read(&ann_path)?;
            let doc = Document::new(text);
            let (set, problems) = super::brat::import(&doc, &ann, TagSet::default());
            result.problems = LineProblem::located(&ann_path, &problems);
            if set.items().is_empty() && !problems.is_empty() {
                // Nothing usable: write nothing, so a corrected file can be imported into the same place.
                return Err(nothing_imported(&ann_path, &result.problems));
            }
            result.annotations = set.items().len();
            let name = txt_path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            let same_place = out.is_none();
            result.documents.push(write_document(
                &dir,
                &name,
                &doc,
                &set,
                !same_place,
                &guard,
            )?);
        }
        "conll" => {
            let text = read(file)?;
            let (doc, set, problems) = super::conll::import(&text, TagSet::default());
            result.problems = LineProblem::located(file, &problems);
            if set.items().is_empty() && !problems.is_empty() {
                // Nothing usable (another format, most likely): write nothing.
                return Err(nothing_imported(file, &result.problems));
            }
            result.annotations = set.items().len();
            let stem = file
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            result.documents.push(write_document(
                &dir,
                &format!("{stem}.txt"),
                &doc,
                &set,
                true,
                &guard,
            )?);
        }
        "jsonl" => {
            let text = read(file)?;
            let stem = file
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            for (i, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let n = i + 1;
                let parsed: super::jsonl::Line = match serde_json::from_str(line) {
                    Ok(p) => p,
                    Err(e) => {
                        result.problems.push(format!("{}:{n}: {e}", file.display()));
                        continue;
                    }
                };
                let name = parsed.document.clone();
                let (doc, set, problems) = super::jsonl::import_line(parsed);
                result.problems.extend(
                    problems
                        .into_iter()
                        .map(|p| format!("{}:{n}: {p}", file.display())),
                );
                // A name from inside the file is only ever a plain file name in the chosen folder.
                let name = plain_file_name(&name).unwrap_or_else(|| format!("{stem}-{n}.txt"));
                match write_document(&dir, &name, &doc, &set, true, &guard) {
                    Ok(path) => {
                        result.annotations += set.items().len();
                        result.documents.push(path);
                    }
                    Err(e) => result.problems.push(format!("{}:{n}: {e}", file.display())),
                }
            }
        }
        other => return Err(tr!("unknown import format %{other}", other = other)),
    }
    if result.documents.is_empty() {
        return Err(nothing_imported(file, &result.problems));
    }
    Ok(result)
}

fn nothing_imported(file: &Path, problems: &[String]) -> String {
    let mut msg = format!(
        "{}: nothing could be imported; nothing was written",
        file.display()
    );
    for p in problems.iter().take(20) {
        msg.push_str("\n  ");
        msg.push_str(p);
    }
    if problems.len() > 20 {
        msg.push_str("\n  ");
        msg.push_str(&tr!("… and %{n} more", n = problems.len() - 20));
    }
    msg
}
