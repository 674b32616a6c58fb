//! Suggestions learned from the annotations of a folder's documents: the learning shared by Tools ▸ Suggest from
//! Annotations and `warraq suggest` (the model itself is `crate::model::learn`). No egui.

use std::path::Path;

use crate::model::learn::StringModel;

/// What was learned from a folder.
#[derive(Debug, Clone, Default)]
pub struct Learned {
    pub model: StringModel,
    /// Annotated documents learned from.
    pub documents: usize,
    /// Documents whose annotations could not be read: left out, each with why.
    pub problems: Vec<String>,
}

/// Learns from the annotations of every annotated document in `folder` (subfolders included, as the folder list
/// shows them) except `skip` — the open document, whose annotations in memory are newer than its sidecar.
pub fn from_folder(folder: &Path, skip: Option<&Path>) -> Result<Learned, String> {
    let mut learned = Learned::default();
    let skip = skip.and_then(|p| std::fs::canonicalize(p).ok());
    for path in super::corpus::document_paths(folder)? {
        if !super::corpus::is_annotated(&path)
            || skip.is_some() && std::fs::canonicalize(&path).ok() == skip
        {
            continue;
        }
        match crate::store::open(&path, None)
            .map_err(|e| e.to_string())
            .and_then(|o| o.annotations.map(|(set, _)| set).map_err(|e| e.to_string()))
        {
            Ok(set) => {
                learned.model.learn_from(&set);
                learned.documents += 1;
            }
            Err(e) => learned.problems.push(format!("{e}; not learned from")),
        }
    }
    Ok(learned)
}
