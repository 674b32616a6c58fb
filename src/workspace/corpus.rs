//! A folder of documents as a corpus: its text files (subfolders included), each with the number of annotations
//! per tag its sidecar holds and when it last changed. Read on a worker; the sidecars are parsed, not placed in
//! their texts (counting needs no text), so a folder of hundreds of documents lists in a moment. No egui.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::store::sidecar;

/// Extensions of the files listed besides those that already have a sidecar.
const TEXT_EXTENSIONS: &[&str] = &["txt", "text", "md"];

/// One document of the corpus.
#[derive(Debug, Clone, PartialEq)]
pub struct CorpusDocument {
    pub path: PathBuf,
    /// Its path inside the folder, as shown.
    pub name: String,
    /// Annotations per tag, in the order of the sidecar's tag set (tags with none left out).
    pub tags: Vec<(String, usize)>,
    pub annotations: usize,
    /// Marked finished (Mark as Finished, kept in the sidecar).
    pub finished: bool,
    /// The later of the text's and the sidecar's modification times.
    pub changed: Option<SystemTime>,
    /// The sidecar could not be read: why.
    pub problem: Option<String>,
}

/// The files below `folder` (at most 16 folders deep) that `keep` wants, sorted; Warraq's own files (sidecars,
/// backups, locks) are never among them. The one walk behind the folder list and `warraq agree`.
pub fn files(folder: &Path, keep: impl Fn(&Path) -> bool) -> Result<Vec<PathBuf>, String> {
    if !folder.is_dir() {
        return Err(format!("{}: not a folder", folder.display()));
    }
    let mut files = Vec::new();
    let mut stack = vec![(folder.to_owned(), 0)];
    while let Some((dir, depth)) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let name = path.to_string_lossy();
            if kind.is_dir() && depth < 16 {
                stack.push((path, depth + 1));
            } else if kind.is_file()
                && !name.ends_with(".warraq.ron")
                && !name.ends_with(".bak")
                && !name.ends_with(".lock")
                && keep(&path)
            {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Whether `path` has a sidecar beside it.
#[must_use]
pub fn is_annotated(path: &Path) -> bool {
    sidecar::sidecar_path(path).is_file()
}

/// The documents of `folder` (at most 16 folders deep): texts and annotated files, sorted by name.
pub fn scan(folder: &Path) -> Result<Vec<CorpusDocument>, String> {
    let files = document_paths(folder)?;
    Ok(files.into_iter().map(|p| document(folder, p)).collect())
}

/// The paths of the documents [`scan`] lists.
pub fn document_paths(folder: &Path) -> Result<Vec<PathBuf>, String> {
    files(folder, |p| {
        is_annotated(p)
            || p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| TEXT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
    })
}

fn document(folder: &Path, path: PathBuf) -> CorpusDocument {
    let side = sidecar::sidecar_path(&path);
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let changed = modified(&path).max(modified(&side));
    let name = path
        .strip_prefix(folder)
        .unwrap_or(&path)
        .display()
        .to_string();
    let mut doc = CorpusDocument {
        path,
        name,
        tags: Vec::new(),
        annotations: 0,
        finished: false,
        changed,
        problem: None,
    };
    match sidecar::read_annotations_file(&side).and_then(|t| match t {
        Some(text) => sidecar::parse(&side, &text).map(Some),
        None => Ok(None),
    }) {
        Ok(Some(s)) => {
            doc.finished = s.finished;
            let order: Vec<String> = s
                .tags
                .map(|t| t.tags.into_iter().map(|t| t.name).collect())
                .unwrap_or_default();
            let mut counts: Vec<(String, usize)> = order.into_iter().map(|t| (t, 0)).collect();
            for a in s.annotations.iter().chain(&s.unplaced) {
                match counts.iter_mut().find(|(t, _)| *t == a.tag) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((a.tag.clone(), 1)),
                }
            }
            counts.retain(|(_, n)| *n > 0);
            doc.annotations = counts.iter().map(|(_, n)| n).sum();
            doc.tags = counts;
        }
        Ok(None) => {}
        Err(e) => doc.problem = Some(e.to_string()),
    }
    doc
}

/// Annotations per tag over all documents, in order of first appearance.
#[must_use]
pub fn totals(docs: &[CorpusDocument]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for d in docs {
        for (t, n) in &d.tags {
            match out.iter_mut().find(|(x, _)| x == t) {
                Some((_, m)) => *m += n,
                None => out.push((t.clone(), *n)),
            }
        }
    }
    out
}

/// A match of a search across the corpus: where, and the match in its context.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub path: PathBuf,
    pub name: String,
    pub span: crate::model::Span,
    /// Up to 30 code points before and after, on one line.
    pub before: String,
    pub text: String,
    pub after: String,
}

/// Searches every document of the corpus with the find bar's matching; at most `limit` hits, in document order.
/// A document that cannot be read is left out (the list already names it).
#[must_use]
pub fn search(
    docs: &[CorpusDocument],
    query: &str,
    options: crate::model::search::SearchOptions,
    limit: usize,
) -> Vec<Hit> {
    use crate::model::{CharOffset, Span};
    let mut hits = Vec::new();
    for d in docs {
        if hits.len() >= limit {
            break;
        }
        let Ok(decoded) = crate::store::load_text(&d.path, None) else {
            continue;
        };
        let doc = std::sync::Arc::new(crate::model::Document::new(decoded.text));
        let index = crate::model::search::SearchIndex::new(doc.clone());
        let flat = |s: String| s.replace(['\n', '\r', '\t'], " ");
        for span in index.find(query, options) {
            if hits.len() >= limit {
                break;
            }
            let from = CharOffset(span.start.0.saturating_sub(30));
            let to = CharOffset((span.end.0 + 30).min(doc.char_count()));
            hits.push(Hit {
                path: d.path.clone(),
                name: d.name.clone(),
                span,
                before: flat(doc.slice(Span::new(from, span.start))),
                text: flat(doc.slice(span)),
                after: flat(doc.slice(Span::new(span.end, to))),
            });
        }
    }
    hits
}
