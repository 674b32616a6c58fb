//! The sidecar: a document's annotations in `NAME.EXT.warraq.ron` beside it. The source file is never written.
//!
//! Saving is atomic: the new content goes to a temporary file in the same folder, is flushed and fsynced, the
//! previous sidecar is copied to `NAME.EXT.warraq.ron.bak`, then the temporary file is renamed over the sidecar and
//! the folder is fsynced. At every moment the sidecar on disk is a complete old or new version.
//!
//! Loading checks the format version and every annotation, and re-anchors annotations when the source changed
//! since they were made (see [`reanchor`]). A sidecar that cannot be read is never overwritten automatically.
//! Format: docs/sidecar.md.

use crate::tr;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::write::atomic_write;
use crate::model::annotations::{MAX_ID, Relation, quote};
use crate::model::{Annotation, AnnotationSet, Document, TagSet};

/// The format version this build writes and the newest it reads. Format 2 added relations, fragments,
/// attributes and links; a format-1 file reads as format 2 without them, and is written as format 2 at the next
/// save (the previous file is kept as `.bak` by every save).
pub const FORMAT_VERSION: u32 = 2;
/// A folder-wide tag set shared by every document in the folder.
pub const FOLDER_TAGS_FILE: &str = "warraq-tags.ron";
pub use super::anchor::FUZZY_THRESHOLD;

/// What the annotations were made on: the source's size, SHA-256 and the encoding it was decoded with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub size: u64,
    pub sha256: String,
    pub encoding: String,
}

impl Fingerprint {
    #[must_use]
    pub fn of(bytes: &[u8], encoding: &str) -> Self {
        let digest = Sha256::digest(bytes);
        let sha256 = digest.iter().map(|b| format!("{b:02x}")).collect();
        Self {
            size: bytes.len() as u64,
            sha256,
            encoding: encoding.to_owned(),
        }
    }
}

/// The file as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sidecar {
    pub format: u32,
    pub source: Fingerprint,
    /// Absent when the folder has a `warraq-tags.ron`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<TagSet>,
    pub annotations: Vec<Annotation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unplaced: Vec<Annotation>,
    /// Proposed annotations (from a list, the learner or a model) not yet accepted or rejected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<Annotation>,
    /// Suggestions rejected one by one: not proposed there again, and counted against their text by the learner.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<Annotation>,
    /// Typed links between annotations (format 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Relation>,
    /// The annotator marked the document finished.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub finished: bool,
    /// Who saved it last (the window's annotator name).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub annotator: String,
    /// A curated copy: where its annotators' copies are and which groups were decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curation: Option<crate::model::curation::Record>,
}

/// Why a sidecar could not be used. Every message names the file.
#[derive(Debug)]
pub enum SidecarError {
    Io(PathBuf, std::io::Error),
    /// Not RON, or not the expected shape; line and column of the problem.
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    NewerVersion {
        path: PathBuf,
        found: u32,
    },
}

impl fmt::Display for SidecarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SidecarError::Io(p, e) => write!(f, "{}: {e}", p.display()),
            SidecarError::Syntax {
                path,
                line,
                column,
                message,
            } => f.write_str(&tr!(
                "%{path}: line %{line}, column %{column}: %{message}",
                path = path.display(),
                line = line,
                column = column,
                message = message
            )),
            SidecarError::NewerVersion { path, found } => f.write_str(&tr!(
                "%{path}: written by a newer Warraq (format %{found}; this one reads up to %{version})",
                path = path.display(),
                found = found,
                version = FORMAT_VERSION
            )),
        }
    }
}

impl std::error::Error for SidecarError {}

/// The sidecar path for a source file: `NAME.EXT.warraq.ron` in the same folder.
#[must_use]
pub fn sidecar_path(source: &Path) -> PathBuf {
    let mut name = source.file_name().unwrap_or_default().to_os_string();
    name.push(".warraq.ron");
    source.with_file_name(name)
}

/// The folder tag set beside `source`, if there is one.
#[must_use]
pub fn folder_tags_path(source: &Path) -> PathBuf {
    source.with_file_name(FOLDER_TAGS_FILE)
}

/// What loading found, and what it had to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// The sidecar as it was read (`None`: there was none), so a later save can tell whether someone else wrote
    /// it meanwhile.
    pub stamp: Option<super::lock::DiskStamp>,
    /// Annotations placed at new offsets because the text changed.
    pub moved: usize,
    /// Annotations that could not be placed (kept in the unplaced list).
    pub unplaced: usize,
    /// Problems fixed on load, one line each (duplicate ids, unknown tags, bad offsets…).
    pub warnings: Vec<String>,
    /// The tag set came from the folder's `warraq-tags.ron`.
    pub folder_tags: bool,
    /// The sidecar's text as read: the base of a later merge, read back only if one is needed.
    pub text: Option<String>,
}

/// Loads the annotations for `doc` (decoded from `bytes` with `encoding`) from the sidecar beside `source`, or an
/// empty set when there is none.
pub fn load(
    source: &Path,
    bytes: &[u8],
    encoding: &str,
    doc: &Document,
) -> Result<(AnnotationSet, LoadReport), SidecarError> {
    read(source).place(&Fingerprint::of(bytes, encoding), doc)
}

/// The sidecar beside a source and the folder's tag set, read and parsed but not yet placed in the text: reading
/// does not need the text, so it runs while the text is decoded.
pub struct ReadSidecar {
    folder: Result<Option<TagSet>, SidecarError>,
    file: Result<Option<(String, Sidecar, super::lock::DiskStamp)>, SidecarError>,
}

/// Reads and parses the sidecar beside `source` (and the folder's tag set).
#[must_use]
pub fn read(source: &Path) -> ReadSidecar {
    let path = sidecar_path(source);
    let file = read_annotations_stamped(&path).and_then(|found| match found {
        Some((text, stamp)) => {
            let sidecar = parse(&path, &text)?;
            Ok(Some((text, sidecar, stamp)))
        }
        None => Ok(None),
    });
    ReadSidecar {
        folder: load_folder_tags(source),
        file,
    }
}

impl ReadSidecar {
    /// The annotations placed in `doc`, whose source has `fingerprint` (re-anchored if it is not the text they
    /// were made on), or an empty set when there is no sidecar.
    pub fn place(
        self,
        fingerprint: &Fingerprint,
        doc: &Document,
    ) -> Result<(AnnotationSet, LoadReport), SidecarError> {
        self.place_with(fingerprint, doc, &super::Progress::default())
    }

    /// [`place`](Self::place), telling `progress` how far re-anchoring is.
    pub fn place_with(
        self,
        fingerprint: &Fingerprint,
        doc: &Document,
        progress: &super::Progress,
    ) -> Result<(AnnotationSet, LoadReport), SidecarError> {
        // A broken folder tag set does not make a good sidecar unusable: the document's own tags are used instead.
        let (folder, folder_warning) = match self.folder {
            Ok(f) => (f, None),
            Err(e) => (
                None,
                Some(tr!(
                    "%{e}; the folder's tag set is left untouched and this document's own tags are used",
                    e = e
                )),
            ),
        };
        let (set, mut report) = match self.file? {
            Some((text, sidecar, stamp)) => {
                let (set, mut report) = from_parsed(sidecar, fingerprint, doc, folder, progress);
                report.stamp = Some(stamp);
                report.text = Some(text);
                (set, report)
            }
            None => (
                AnnotationSet::new(Vec::new(), Vec::new(), folder.clone().unwrap_or_default()),
                LoadReport {
                    folder_tags: folder.is_some(),
                    ..LoadReport::default()
                },
            ),
        };
        report.warnings.extend(folder_warning);
        Ok((set, report))
    }
}

/// The annotations of sidecar `text` (read from `path`) placed in `doc`, whose source has `fingerprint`; with the
/// folder's tag set when there is one.
pub fn from_text(
    path: &Path,
    text: &str,
    fingerprint: &Fingerprint,
    doc: &Document,
    folder: Option<TagSet>,
) -> Result<(AnnotationSet, LoadReport), SidecarError> {
    Ok(from_parsed(
        parse(path, text)?,
        fingerprint,
        doc,
        folder,
        &super::Progress::default(),
    ))
}

/// The annotations of a parsed sidecar placed in `doc`.
fn from_parsed(
    mut sidecar: Sidecar,
    fingerprint: &Fingerprint,
    doc: &Document,
    folder: Option<TagSet>,
    progress: &super::Progress,
) -> (AnnotationSet, LoadReport) {
    let mut report = LoadReport {
        folder_tags: folder.is_some(),
        ..LoadReport::default()
    };
    // Suggestions (and rejected ones) follow their text like annotations; one whose text is gone is only a
    // proposal, and is dropped.
    let same = *fingerprint == sidecar.source;
    let follow = |list: Vec<Annotation>| -> Vec<Annotation> {
        if same {
            list.into_iter()
                .filter(|a| a.start < a.end && a.end <= doc.char_count())
                .collect()
        } else {
            let spans = super::anchor::place_all(doc, &list);
            list.into_iter()
                .zip(spans)
                .filter_map(|(mut a, span)| {
                    let span = span?;
                    a.start = span.start.0;
                    a.end = span.end.0;
                    Some(a)
                })
                .collect()
        }
    };
    let mut suggestions = follow(std::mem::take(&mut sidecar.suggestions));
    // Placed again after an edit elsewhere, they may have moved past each other.
    suggestions.sort_by_key(|a| (a.start, a.end));
    let rejected = follow(std::mem::take(&mut sidecar.rejected));
    let mut tags = folder.or(sidecar.tags).unwrap_or_default();
    let relations = std::mem::take(&mut sidecar.relations);
    let (placed, unplaced) = place(
        doc,
        sidecar.annotations,
        sidecar.unplaced,
        *fingerprint == sidecar.source,
        &mut report,
        progress,
    );
    for a in placed.iter().chain(&unplaced) {
        if tags.get(&a.tag).is_none() {
            report.warnings.push(format!(
                "tag {} was not in the tag set; it was added",
                a.tag
            ));
            tags.ensure(&a.tag);
        }
    }
    let relations = check_relations(relations, &placed, &unplaced, &mut tags, &mut report);
    let mut set = AnnotationSet::new(placed, unplaced, tags)
        .with_relations(relations)
        .with_finished(sidecar.finished)
        .with_curation(sidecar.curation)
        .with_rejected(rejected);
    set.suggestions = suggestions;
    (set, report)
}

/// Gives `id` the next free number when it is too large to stay exact in JSON (2^53) or appeared before in the
/// file, with a warning.
fn unique_id(
    what: &str,
    id: &mut u64,
    seen: &mut std::collections::HashSet<u64>,
    next_id: &mut u64,
    report: &mut LoadReport,
) {
    if *id < MAX_ID && seen.insert(*id) {
        return;
    }
    report.warnings.push(format!(
        "{what} id {id} {}; it is now id {next_id}",
        if *id >= MAX_ID {
            "was too large"
        } else {
            "appeared twice"
        }
    ));
    *id = *next_id;
    seen.insert(*id);
    *next_id += 1;
}

/// Keeps the relations whose two annotations are there; a relation id that repeats an id already used gets a new
/// one; an unknown relation type is added to the tag set. Each repair is reported.
fn check_relations(
    relations: Vec<Relation>,
    placed: &[Annotation],
    unplaced: &[Annotation],
    tags: &mut TagSet,
    report: &mut LoadReport,
) -> Vec<Relation> {
    if relations.is_empty() {
        return relations;
    }
    let mut ids: std::collections::HashSet<u64> =
        placed.iter().chain(unplaced).map(|a| a.id).collect();
    let ends = ids.clone();
    let mut next_id = ids
        .iter()
        .chain(relations.iter().map(|r| &r.id))
        .copied()
        .filter(|&id| id < MAX_ID)
        .max()
        .unwrap_or(0)
        + 1;
    let mut kept = Vec::with_capacity(relations.len());
    for mut r in relations {
        if r.kind.trim().is_empty() {
            report.warnings.push(format!(
                "relation {} ({} → {}) has no type; it was dropped",
                r.id, r.from, r.to
            ));
            continue;
        }
        if !ends.contains(&r.from) || !ends.contains(&r.to) || r.from == r.to {
            report.warnings.push(format!(
                "relation {} ({} {} → {}) does not link two annotations of this file; it was dropped",
                r.id, r.kind, r.from, r.to
            ));
            continue;
        }
        unique_id("relation", &mut r.id, &mut ids, &mut next_id, report);
        if tags.relation(&r.kind).is_none() {
            report.warnings.push(format!(
                "relation type {} was not in the tag set; it was added",
                r.kind
            ));
            tags.ensure_relation(&r.kind);
        }
        kept.push(r);
    }
    kept
}

/// The folder's shared tag set beside `source`, if there is a readable one.
pub fn folder_tags(source: &Path) -> Result<Option<TagSet>, SidecarError> {
    load_folder_tags(source)
}

/// Reads an annotations file (sidecar or folder tag set) as UTF-8 text: `None` when there is none. Only regular
/// files within the reader's size limit are read.
pub fn read_annotations_file(path: &Path) -> Result<Option<String>, SidecarError> {
    Ok(read_annotations_stamped(path)?.map(|(text, _)| text))
}

/// [`read_annotations_file`] with the stamp of what was read.
pub fn read_annotations_stamped(
    path: &Path,
) -> Result<Option<(String, super::lock::DiskStamp)>, SidecarError> {
    let (bytes, meta) = match super::read_with_metadata(path, super::MAX_SIDECAR_BYTES) {
        Ok(b) => b,
        Err(super::OpenError::NotFound(_)) => return Ok(None),
        Err(e) => {
            let message = e.to_string();
            let prefix = format!("{}: ", path.display());
            let message = message.strip_prefix(&prefix).unwrap_or(&message).to_owned();
            return Err(SidecarError::Io(
                path.to_owned(),
                std::io::Error::other(message),
            ));
        }
    };
    let stamp = super::lock::DiskStamp::from_read(&meta, &bytes);
    // Validated with SIMD, then copied (std's check is several times slower on Arabic).
    simdutf8::compat::from_utf8(&bytes)
        .map(|t| Some((t.to_owned(), stamp)))
        .map_err(|e| {
            let before = &bytes[..e.valid_up_to()];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
            SidecarError::Syntax {
                path: path.to_owned(),
                line,
                column,
                message: "not UTF-8 text".into(),
            }
        })
}

fn load_folder_tags(source: &Path) -> Result<Option<TagSet>, SidecarError> {
    let path = folder_tags_path(source);
    match read_annotations_file(&path)? {
        Some(text) => ron::from_str(&text)
            .map(Some)
            .map_err(|e| syntax(&path, &e)),
        None => Ok(None),
    }
}

fn syntax(path: &Path, e: &ron::error::SpannedError) -> SidecarError {
    SidecarError::Syntax {
        path: path.to_owned(),
        line: e.span.start.line,
        column: e.span.start.col,
        message: e.code.to_string(),
    }
}

/// Parses sidecar text, checking the format version first so a newer file gets the right message. The layout this
/// build writes is read by [`super::lines`] (fast); anything else by ron.
pub fn parse(path: &Path, text: &str) -> Result<Sidecar, SidecarError> {
    if let Some(sidecar) = super::lines::parse(text) {
        if sidecar.format > FORMAT_VERSION {
            return Err(SidecarError::NewerVersion {
                path: path.to_owned(),
                found: sidecar.format,
            });
        }
        return Ok(sidecar);
    }
    #[derive(Deserialize)]
    struct VersionOnly {
        format: u32,
    }
    #[derive(Deserialize)]
    struct Loose {
        format: u32,
        #[serde(flatten)]
        _rest: std::collections::HashMap<String, ron::Value>,
    }
    // Look at the version before the whole shape: a newer file may have fields this build does not know.
    let version = ron::from_str::<VersionOnly>(text)
        .map(|v| v.format)
        .or_else(|_| ron::from_str::<Loose>(text).map(|v| v.format));
    if let Ok(found) = version
        && found > FORMAT_VERSION
    {
        return Err(SidecarError::NewerVersion {
            path: path.to_owned(),
            found,
        });
    }
    ron::from_str::<Sidecar>(text).map_err(|e| syntax(path, &e))
}

/// Checks loaded annotations against the text: fixes duplicate ids, sets aside impossible offsets, and re-anchors
/// annotations whose quote is no longer at their offsets.
fn place(
    doc: &Document,
    annotations: Vec<Annotation>,
    mut unplaced: Vec<Annotation>,
    same_source: bool,
    report: &mut LoadReport,
    progress: &super::Progress,
) -> (Vec<Annotation>, Vec<Annotation>) {
    let mut seen = std::collections::HashSet::new();
    let mut next_id = annotations
        .iter()
        .chain(&unplaced)
        .map(|a| a.id)
        .filter(|&id| id < MAX_ID)
        .max()
        .unwrap_or(0)
        + 1;
    let mut placed = Vec::with_capacity(annotations.len());
    // Annotations that could not be placed last time are tried again: the text may have come back.
    let earlier_unplaced = std::mem::take(&mut unplaced);
    let count = annotations.len();
    let mut to_place: Vec<(Annotation, bool)> = Vec::new();
    for (i, mut a) in annotations.into_iter().chain(earlier_unplaced).enumerate() {
        unique_id("annotation", &mut a.id, &mut seen, &mut next_id, report);
        let was_unplaced = i >= count;
        if a.start > a.end {
            report.warnings.push(format!(
                "annotation {} had start {} after end {}; it was reanchored by its text",
                a.id, a.start, a.end
            ));
        }
        check_fragments(&mut a, report);
        let in_text = a.start < a.end && a.end <= doc.char_count();
        if same_source && in_text && !was_unplaced && quote_matches(doc, &a) {
            placed.push(a);
        } else {
            to_place.push((a, was_unplaced));
        }
    }
    let list: Vec<Annotation> = to_place.iter().map(|(a, _)| a.clone()).collect();
    let spans = super::anchor::place_all_with(doc, &list, progress);
    for ((mut a, was_unplaced), span) in to_place.into_iter().zip(spans) {
        match span {
            // A discontinuous annotation keeps its fragments only where its whole extent is found unchanged.
            Some(span) if !a.fragments.is_empty() && doc.slice(span) != a.text => {
                report.warnings.push(format!(
                    "annotation {} ({} in {} pieces) changed inside; it is listed as unplaced",
                    a.id,
                    a.tag,
                    a.fragments.len()
                ));
                report.unplaced += 1;
                unplaced.push(a);
            }
            Some(span) => {
                if span != a.span() || was_unplaced {
                    report.moved += 1;
                }
                a.shift_to(span.start.0, span.end.0);
                let (text, prefix, suffix) = quote(doc, span);
                a.text = text;
                a.prefix = prefix;
                a.suffix = suffix;
                placed.push(a);
            }
            None => {
                report.unplaced += 1;
                unplaced.push(a);
            }
        }
    }
    (placed, unplaced)
}

pub use super::anchor::reanchor;

/// Fragments must lie inside the annotation's extent, apart, and be at least two, reaching both ends of it (they
/// are put in order first). Anything else is repaired and reported: the fragments that fit are kept when they
/// still reach both ends; otherwise the annotation becomes one span over its extent.
fn check_fragments(a: &mut Annotation, report: &mut LoadReport) {
    if a.fragments.is_empty() {
        return;
    }
    // Pieces written out of order (by hand, by another tool) are put in order first.
    let mut sorted = a.fragments.clone();
    sorted.sort_unstable();
    let mut good: Vec<(usize, usize)> = Vec::with_capacity(sorted.len());
    for &(s, e) in &sorted {
        if s < e && s >= a.start && e <= a.end && good.last().is_none_or(|&(_, pe)| s > pe) {
            good.push((s, e));
        }
    }
    let extent_fits =
        good.first().map(|f| f.0) == Some(a.start) && good.last().map(|f| f.1) == Some(a.end);
    if good.len() == a.fragments.len() && good.len() >= 2 && extent_fits {
        a.fragments = good;
        return;
    }
    report.warnings.push(format!(
        "annotation {} had fragments that do not fit its span; {}",
        a.id,
        if good.len() >= 2 {
            "the ones that fit were kept"
        } else {
            "it is now one span"
        }
    ));
    if good.len() >= 2 && extent_fits {
        a.fragments = good;
    } else {
        a.fragments.clear();
    }
}

/// Whether `a`'s quote is the text at its offsets (no copy of the text is made).
fn quote_matches(doc: &Document, a: &Annotation) -> bool {
    let from = doc.byte_at(crate::model::CharOffset(a.start));
    doc.text()[from..].starts_with(a.text.as_str()) && a.text.chars().count() == a.end - a.start
}

/// Serializes a set for the given source.
#[must_use]
pub fn to_sidecar(set: &AnnotationSet, fingerprint: Fingerprint, folder_tags: bool) -> Sidecar {
    Sidecar {
        format: FORMAT_VERSION,
        source: fingerprint,
        tags: (!folder_tags).then(|| set.tags.clone()),
        annotations: set.items().to_vec(),
        unplaced: set.unplaced.clone(),
        suggestions: set.suggestions.clone(),
        rejected: set.rejected().to_vec(),
        relations: set.relations().to_vec(),
        finished: set.is_finished(),
        annotator: set.annotator.clone(),
        curation: set.curation().cloned(),
    }
}

/// The RON text of a sidecar. The header and tag set are pretty-printed by ron; annotations are written one per
/// line (a diff then shows exactly which annotations changed), with the same field names ron reads back.
#[must_use]
pub fn to_ron(sidecar: &Sidecar) -> String {
    let lists = [
        &sidecar.annotations[..],
        &sidecar.unplaced[..],
        &sidecar.suggestions[..],
        &sidecar.rejected[..],
    ];
    let mut w = TextWriter::new(
        sidecar.format,
        &sidecar.source,
        sidecar.tags.as_ref(),
        &sidecar.relations,
        sidecar.finished,
        &sidecar.annotator,
        sidecar.curation.as_ref(),
    );
    w.write(&lists, usize::MAX);
    w.finish()
}

/// The size of the pieces sidecar text is written in.
const PIECE: usize = 1 << 20;

/// The names of the lists, in the order they are written.
const LIST_NAMES: [&str; 4] = ["annotations", "unplaced", "suggestions", "rejected"];

/// Writes sidecar text a slice at a time, so the window can serialize 100 000 annotations a few milliseconds per
/// frame instead of stopping for the whole file. The lists must be the same at every call (the caller starts over
/// when they change).
pub struct TextWriter {
    /// The text so far: full pieces, and the one being written (no piece is ever copied to grow, so no frame
    /// pays for moving the whole text).
    done: Vec<String>,
    out: String,
    /// Which list is being written (4: all done), and the next annotation in it.
    list: usize,
    next: usize,
    open: bool,
    written: usize,
}

impl TextWriter {
    /// Starts the text: the header (format, source, tags pretty-printed by ron; relations one a line).
    #[must_use]
    pub fn new(
        format: u32,
        source: &Fingerprint,
        tags: Option<&TagSet>,
        relations: &[Relation],
        finished: bool,
        annotator: &str,
        curation: Option<&crate::model::curation::Record>,
    ) -> Self {
        use std::fmt::Write as _;
        let config = ron::ser::PrettyConfig::new()
            .struct_names(false)
            .new_line("\n")
            .indentor("  ");
        let header = |v: &dyn erased::Ron| v.to_pretty(&config);
        let mut out = String::with_capacity(PIECE + 4096);
        out.push_str("(\n");
        let _ = writeln!(out, "  format: {format},");
        if finished {
            out.push_str("  finished: true,\n");
        }
        if !annotator.is_empty() {
            out.push_str("  annotator: ");
            push_ron_string(&mut out, annotator);
            out.push_str(",\n");
        }
        if let Some(c) = curation {
            out.push_str("  curation: Some((\n    sources: [");
            for (k, s) in c.sources.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                push_ron_string(&mut out, s);
            }
            out.push_str("],\n    decided: [");
            for (k, d) in c.decided.iter().enumerate() {
                if k > 0 {
                    out.push_str(if k % 8 == 0 { ",\n      " } else { ", " });
                }
                let _ = write!(out, "{d}");
            }
            out.push_str("],\n  )),\n");
        }
        let _ = writeln!(out, "  source: {},", indent(&header(source)));
        if let Some(tags) = tags {
            let _ = writeln!(out, "  tags: Some({}),", indent(&header(tags)));
        }
        if !relations.is_empty() {
            out.push_str("  relations: [\n");
            for r in relations {
                let _ = write!(out, "    (id: {}, kind: ", r.id);
                push_ron_string(&mut out, &r.kind);
                let _ = write!(out, ", from: {}, to: {}, note: ", r.from, r.to);
                push_ron_string(&mut out, &r.note);
                out.push_str(", created: ");
                push_ron_string(&mut out, &r.created);
                out.push_str(", modified: ");
                push_ron_string(&mut out, &r.modified);
                out.push_str("),\n");
            }
            out.push_str("  ],\n");
        }
        Self {
            done: Vec::new(),
            out,
            list: 0,
            next: 0,
            open: false,
            written: 0,
        }
    }

    /// The text for a set (the tag set left out when the folder has one).
    #[must_use]
    pub fn for_set(set: &AnnotationSet, fingerprint: &Fingerprint, folder_tags: bool) -> Self {
        Self::new(
            FORMAT_VERSION,
            fingerprint,
            (!folder_tags).then_some(&set.tags),
            set.relations(),
            set.is_finished(),
            &set.annotator,
            set.curation(),
        )
    }

    /// A set's lists, as [`write`](Self::write) takes them.
    #[must_use]
    pub fn lists(set: &AnnotationSet) -> [&[Annotation]; 4] {
        [set.items(), &set.unplaced, &set.suggestions, set.rejected()]
    }

    /// Writes up to `max` more annotations; `true` when the text is complete.
    pub fn write(&mut self, lists: &[&[Annotation]; 4], max: usize) -> bool {
        use std::fmt::Write as _;
        let mut budget = max;
        while self.list < LIST_NAMES.len() {
            let list = lists[self.list];
            // Empty lists other than the first are left out.
            if !self.open {
                if self.list > 0 && list.is_empty() {
                    self.list += 1;
                    continue;
                }
                let _ = writeln!(self.out, "  {}: [", LIST_NAMES[self.list]);
                self.open = true;
            }
            while self.next < list.len() {
                if budget == 0 {
                    return false;
                }
                budget -= 1;
                push_annotation(&mut self.out, &list[self.next]);
                if self.out.len() >= PIECE {
                    let full =
                        std::mem::replace(&mut self.out, String::with_capacity(PIECE + 4096));
                    self.done.push(full);
                }
                self.next += 1;
                self.written += 1;
            }
            self.out.push_str("  ],\n");
            self.open = false;
            self.next = 0;
            self.list += 1;
        }
        true
    }

    /// How many annotations are written so far.
    #[must_use]
    pub fn written(&self) -> usize {
        self.written
    }

    /// The whole text (call when [`write`](Self::write) said it was complete).
    #[must_use]
    pub fn finish(mut self) -> String {
        self.out.push_str(")\n");
        if self.done.is_empty() {
            return self.out;
        }
        self.done.push(self.out);
        self.done.concat()
    }
}

/// One annotation on one line.
fn push_annotation(out: &mut String, a: &Annotation) {
    use std::fmt::Write as _;
    out.push_str("    (id: ");
    let _ = write!(out, "{}, start: {}, end: {}, tag: ", a.id, a.start, a.end);
    for (field, value) in [
        ("", &a.tag),
        (", text: ", &a.text),
        (", prefix: ", &a.prefix),
        (", suffix: ", &a.suffix),
        (", note: ", &a.note),
        (", created: ", &a.created),
        (", modified: ", &a.modified),
    ] {
        out.push_str(field);
        push_ron_string(out, value);
    }
    if !a.fragments.is_empty() {
        out.push_str(", fragments: [");
        for (i, (s, e)) in a.fragments.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            let _ = write!(out, "{sep}({s}, {e})");
        }
        out.push(']');
    }
    if !a.attributes.is_empty() {
        out.push_str(", attributes: {");
        for (i, (k, v)) in a.attributes.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            push_ron_string(out, k);
            out.push_str(": ");
            push_ron_string(out, v);
        }
        out.push('}');
    }
    if !a.links.is_empty() {
        out.push_str(", links: [");
        for (i, l) in a.links.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str("(db: ");
            push_ron_string(out, &l.db);
            out.push_str(", id: ");
            push_ron_string(out, &l.id);
            out.push_str(", label: ");
            push_ron_string(out, &l.label);
            out.push(')');
        }
        out.push(']');
    }
    if !a.annotator.is_empty() {
        out.push_str(", annotator: ");
        push_ron_string(out, &a.annotator);
    }
    if let Some(s) = a.suggested {
        // `{:?}` of a finite f32 is a number ron reads back exactly.
        let _ = write!(
            out,
            ", suggested: Some((source: {}, score: {:?}))",
            s.source.name(),
            s.score
        );
    }
    out.push_str("),\n");
}

fn indent(s: &str) -> String {
    s.replace('\n', "\n  ")
}

/// A string in RON syntax: quotes, backslash escapes for quote, backslash and control characters.
fn push_ron_string(out: &mut String, s: &str) {
    out.push('"');
    if !s
        .bytes()
        .any(|b| b < 0x20 || b == b'"' || b == b'\\' || b == 0x7f)
    {
        out.push_str(s);
        out.push('"');
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = std::fmt::Write::write_fmt(out, format_args!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

mod erased {
    /// Pretty-prints any serializable header part with ron.
    pub trait Ron {
        fn to_pretty(&self, config: &ron::ser::PrettyConfig) -> String;
    }
    impl<T: serde::Serialize> Ron for T {
        fn to_pretty(&self, config: &ron::ser::PrettyConfig) -> String {
            ron::ser::to_string_pretty(self, config.clone()).expect("header parts always serialize")
        }
    }
}

/// The sidecar text for a set (the tag set left out when the folder has one).
#[must_use]
pub fn text_of(set: &AnnotationSet, fingerprint: &Fingerprint, folder_tags: bool) -> String {
    let mut w = TextWriter::for_set(set, fingerprint, folder_tags);
    w.write(&TextWriter::lists(set), usize::MAX);
    w.finish()
}

/// Saves a set to `path` (normally [`sidecar_path`]).
pub fn save(
    path: &Path,
    set: &AnnotationSet,
    fingerprint: Fingerprint,
    folder_tags: bool,
) -> Result<(), SidecarError> {
    let text = text_of(set, &fingerprint, folder_tags);
    atomic_write(path, text.as_bytes(), true).map_err(|e| SidecarError::Io(path.to_owned(), e))
}

/// The text of a folder tag set file.
#[must_use]
pub fn folder_tags_text(tags: &TagSet) -> String {
    let config = ron::ser::PrettyConfig::new().new_line("\n").indentor("  ");
    ron::ser::to_string_pretty(tags, config).expect("a tag set always serializes") + "\n"
}

/// Writes the folder's shared tag set (`warraq-tags.ron` beside `source`) atomically, if it differs from what is
/// there. Used when a document that uses the folder's tags has its tags edited.
pub fn save_folder_tags(source: &Path, tags: &TagSet) -> Result<(), SidecarError> {
    let path = folder_tags_path(source);
    if load_folder_tags(source).ok().flatten().as_ref() == Some(tags) {
        return Ok(());
    }
    let text = folder_tags_text(tags);
    atomic_write(&path, text.as_bytes(), true).map_err(|e| SidecarError::Io(path.clone(), e))
}

/// Moves a broken sidecar aside as `NAME.broken-YYYYMMDDTHHMMSS` so a new one can be started; returns the new name.
pub fn move_aside(path: &Path) -> std::io::Result<PathBuf> {
    let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
        .to_string()
        .replace([':', '-'], "");
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".broken-{}", stamp.trim_end_matches('Z')));
    let target = PathBuf::from(name);
    std::fs::rename(path, &target)?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CharOffset, Span};

    #[test]
    fn strings_with_quotes_tabs_newlines_and_controls_read_back() {
        let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
        let doc = Document::new("قال \"محمد\"\tهنا\\ثم\nسطر\u{1}".to_owned());
        let id = set
            .create(
                &doc,
                Span::new(CharOffset(0), CharOffset(doc.char_count())),
                "PER",
            )
            .unwrap();
        set.set_note(id, "ملاحظة \"مقتبسة\"\tبجدول\nوسطر \\ شرطة\r\u{7}");
        let sc = to_sidecar(&set, Fingerprint::of(b"x", "UTF-8"), false);
        let text = to_ron(&sc);
        let back = parse(Path::new("t.warraq.ron"), &text).unwrap();
        assert_eq!(back, sc);
        assert_eq!(
            text.lines()
                .filter(|l| l.trim_start().starts_with("(id: "))
                .count(),
            1,
            "one line an annotation"
        );
    }

    #[test]
    fn a_curation_record_reads_back_by_both_readers() {
        let doc = Document::new("نص للتجربة".to_owned());
        let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default()).with_curation(
            Some(crate::model::curation::Record {
                sources: vec!["../سارة/نص.txt".into(), "../b \"q\"/نص.txt".into()],
                decided: (0..20).map(|k| k * 1_000_000_007).collect(),
            }),
        );
        set.create(&doc, Span::new(CharOffset(0), CharOffset(2)), "PER");
        let sc = to_sidecar(&set, Fingerprint::of(b"x", "UTF-8"), false);
        let text = to_ron(&sc);
        assert_eq!(parse(Path::new("t.warraq.ron"), &text).unwrap(), sc);
        assert_eq!(super::super::lines::parse(&text), Some(sc));
    }
}
