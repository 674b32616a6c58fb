//! The open documents. Each [`OpenDocument`] owns its text, its annotations and undo history, its save state, its
//! search index and its background jobs; the [`Workspace`] holds the one that is shown, opens the next one, and never
//! lets one go before it is settled (saved, or the user chose to discard it).
//!
//! Nothing here knows about egui: the window draws these and turns input into calls on them, and the command line's
//! writing commands (`preannotate`, `import`) use the same save path, so both keep the same promises:
//!
//! - the text file is never written;
//! - a save never overwrites a sidecar someone else changed: their changes and ours are merged ([`merge`]);
//! - an acknowledged edit is lost only when the user chose Discard;
//! - a job's result lands only in the document (and generation) it was started for.
//!
//! Offsets are code points, as everywhere in the model.

mod background;
pub mod corpus;
pub mod curation;
pub mod job;
pub mod learned;
pub mod merge;
pub mod save;
pub mod suggester;

use crate::tr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

pub use job::{Job, Poll, Waker, no_waker};
pub use save::{AUTOSAVE_DELAY, Due, SavePolicy};

use crate::model::search::{Found, SearchIndex, SearchOptions};
use crate::model::{AnnotationSet, Document, TagSet};
use crate::store::lock::{self, DiskStamp, Holder, Lock};
use crate::store::sidecar::{self, Fingerprint};
use crate::store::{self, OpenError};

/// The bundled sample article, shown when no file is given.
pub const SAMPLE_TEXT: &str = include_str!("../../assets/sample-article-ar.txt");
pub const SAMPLE_NAME: &str = "sample-article-ar.txt";

/// Every opening of a document gets a new generation, unique in this process.
static GENERATIONS: AtomicU64 = AtomicU64::new(1);

fn next_generation() -> u64 {
    GENERATIONS.fetch_add(1, Ordering::Relaxed)
}

/// How files are written: the real atomic writer, or a test's writer that fails on purpose.
pub type Writer = Arc<dyn Fn(&Path, &[u8]) -> std::io::Result<()> + Send + Sync>;

fn atomic_writer() -> Writer {
    Arc::new(|path, bytes| {
        store::check_sidecar_size(path, bytes.len())?;
        store::write::atomic_write(path, bytes, true)
    })
}

/// The kinds of background work a document runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// The Save As dialog, answered for this document.
    SaveAsDialog,
    /// Choosing a list of names to pre-annotate with.
    ChoosingNames,
    /// Matching a list of names in the text.
    MatchingNames,
    /// Reading the annotators' copies of a curated document.
    ReadingAnnotators,
    /// Running the suggestion model over the text.
    RunningModel,
    /// Learning from the folder's annotations and this document's.
    Learning,
}

impl Work {
    /// What the work is, in messages.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Work::SaveAsDialog => "the Save As dialog",
            Work::ChoosingNames => "choosing a list of names",
            Work::MatchingNames => "matching names",
            Work::ReadingAnnotators => "reading the annotators' copies",
            Work::RunningModel => "running the suggestion model",
            Work::Learning => "learning from the annotations",
        }
    }
}

/// A result of background work, applied to the document it was started for; may return a message for the user.
pub type Apply = Box<dyn FnOnce(&mut OpenDocument) -> Option<String> + Send>;

/// A result that lands only in the document of `generation`: jobs live in their document, so this only fails if
/// one was moved by mistake (defence in depth).
fn stamped(generation: u64, apply: Apply) -> Apply {
    Box::new(move |d: &mut OpenDocument| {
        if d.generation == generation {
            apply(d)
        } else {
            None
        }
    })
}

/// Background work of a document, with what it handed over so far.
struct Running {
    kind: Work,
    job: Job<Apply>,
    fed: std::sync::mpsc::Receiver<Apply>,
}

/// How a job hands results over while it runs.
pub struct Feed {
    tx: std::sync::mpsc::Sender<Apply>,
    waker: Waker,
    generation: u64,
}

impl Feed {
    /// Hands `apply` to the document; false when nobody takes it any more (the document was left, or the work
    /// was stopped): the job should stop.
    pub fn send(&self, apply: Apply) -> bool {
        let ok = self.tx.send(stamped(self.generation, apply)).is_ok();
        (self.waker)();
        ok
    }
}

/// Why a save did not happen. Each message says what was kept safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveError {
    /// The sidecar could not be read when the document was opened; nothing is written over it.
    Blocked,
    /// No place to save yet (the bundled sample): Save Annotations As… is needed.
    NoPlace,
    /// Writing failed (disk full, read-only folder…): the annotations are still in memory.
    Failed(String),
}

impl std::fmt::Display for SaveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SaveError::Blocked => f.write_str(&tr!(
                "Annotations are not saved while the annotations file is unreadable (see above)."
            )),
            SaveError::NoPlace => f.write_str(&tr!(
                "These annotations have no file yet: use File > Save Annotations As…"
            )),
            SaveError::Failed(e) => f.write_str(&tr!(
                "Could not save the annotations: %{error}. They are still in memory and saving is retried; File > Save Annotations As… puts them elsewhere.",
                error = e
            )),
        }
    }
}

/// What a successful save did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Saved {
    /// Changes made elsewhere (another window, the command line) that were merged in.
    pub merged: usize,
    /// Real conflicts, one line each (a version of each was kept).
    pub conflicts: Vec<String>,
}

impl Saved {
    /// A message for the user when the save merged anything.
    #[must_use]
    pub fn message(&self, sidecar: &Path) -> Option<String> {
        if self.merged == 0 && self.conflicts.is_empty() {
            return None;
        }
        let mut msg = tr!(
            "%{path} was changed elsewhere: %{n} of those changes were merged with yours.",
            path = sidecar.display(),
            n = self.merged
        );
        for c in self.conflicts.iter().take(10) {
            msg.push('\n');
            msg.push_str(&tr!("Conflict: %{what}", what = c));
        }
        if self.conflicts.len() > 10 {
            msg.push('\n');
            msg.push_str(&tr!(
                "… and %{n} more conflicts",
                n = self.conflicts.len() - 10
            ));
        }
        Some(msg)
    }
}

/// An open document: its text, where it came from, its annotations, and how they are kept.
pub struct OpenDocument {
    /// Unique to this opening: a job stamped with another generation never lands here.
    pub generation: u64,
    /// How far the suggestion model is over this text: windows done and in all (while it runs).
    pub model_progress: Option<(usize, usize)>,
    /// The revision of the annotations the learner last looked at (its suggestions are of that revision).
    pub learned_at: Option<u64>,
    /// What the folder's other documents taught the learner, read once per opening.
    pub folder_learned: Option<Arc<learned::Learned>>,
    /// The annotations being taken in for the learner's next look (a slice per frame).
    pub(crate) learner_marks: Option<learned::Preparing>,
    pub path: Option<PathBuf>,
    pub name: String,
    pub encoding: &'static encoding_rs::Encoding,
    pub bom: bool,
    pub guessed: bool,
    pub replaced: usize,
    pub doc: Arc<Document>,
    /// The annotations, tag set and undo history.
    pub annotations: AnnotationSet,
    /// What the annotations were made on.
    pub fingerprint: Fingerprint,
    /// Where the annotations are saved; `None` until a place is chosen (the sample).
    pub sidecar: Option<PathBuf>,
    /// The tag set lives in the folder's `warraq-tags.ron`.
    pub folder_tags: bool,
    /// The sidecar could not be read: nothing is saved until the user decides.
    pub read_only: bool,
    /// The unreadable sidecar, while the user has not chosen what to do with it.
    pub broken_sidecar: Option<PathBuf>,
    /// Why the sidecar could not be read (the error naming it), for messages outside the window.
    pub sidecar_error: Option<String>,
    /// Messages from opening (decoding, re-anchoring, repairs, another holder), shown once.
    pub notices: Vec<String>,
    /// Another process that had this document open when it was opened here.
    pub held_by: Option<Holder>,
    pub save: SavePolicy,
    /// The sidecar as last read or written here, and its content then (the base of a merge).
    on_disk: Option<DiskStamp>,
    base: Arc<merge::Content>,
    /// The text last read or written: the base's annotations, read back only when a merge needs them.
    base_text: Option<Arc<String>>,
    /// The sidecar holds a merge made while this document was being edited, which these annotations have not taken
    /// in: the next save merges even if nobody else wrote since.
    must_merge: bool,
    /// A save in progress in the background (the window's saves), and whether one was asked for (Ctrl+S).
    saving: Option<background::BackgroundSave>,
    save_requested: bool,
    /// Held while the document is open; dropping it removes the lock file.
    _lock: Option<Lock>,
    writer: Writer,
    jobs: Vec<Running>,
    /// The search index of the text, built once by whichever search needs it first and shared by all.
    index: Arc<OnceLock<SearchIndex>>,
    /// Bytes of the text indexed so far, while the index is being built.
    index_progress: Arc<AtomicUsize>,
    /// Recent searches, newest last: finished, or running on a worker.
    searches: Vec<(SearchKey, Searched)>,
    /// A curated copy's curation, once its annotators' copies are read (or why they could not be).
    pub curation: Option<Result<curation::Curation, String>>,
}

/// A search: the query and how to match it.
pub type SearchKey = (String, SearchOptions);

enum Searched {
    Ready(Arc<Found>),
    /// The job, and the flag that cancels it.
    Running(Job<Option<Found>>, Arc<std::sync::atomic::AtomicBool>),
}

/// The most matches a search keeps (the first ones in the text); the find bar says when there are more.
pub const MAX_MATCHES: usize = 100_000;

/// Texts up to this size are indexed and searched at once; larger ones on a worker, so no frame waits.
pub const SYNC_SEARCH_BYTES: usize = 1024 * 1024;

/// How many recent searches a document keeps.
const KEPT_SEARCHES: usize = 8;

impl std::fmt::Debug for OpenDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenDocument")
            .field("generation", &self.generation)
            .field("path", &self.path)
            .field("annotations", &self.annotations.items().len())
            .finish_non_exhaustive()
    }
}

/// A merge's base kept as the sidecar text this document read or wrote, placed in its text again (the same placing
/// as then: same text, same document). With the folder's tag set, the text holds no tags: `folder` are the base's.
/// `None` if it somehow does not read back: the merge then starts from nothing in common, which keeps everything of
/// both sides.
fn placed_base(
    path: &Path,
    text: &str,
    fingerprint: &Fingerprint,
    doc: &Document,
    folder: Option<TagSet>,
) -> Option<merge::Content> {
    let (set, _) = sidecar::from_text(path, text, fingerprint, doc, None).ok()?;
    let mut content = content_of(&set);
    if let Some(tags) = folder {
        content.tags = tags;
    }
    Some(content)
}

/// The sidecar someone else wrote, placed in this document's text; `None` when it was deleted.
fn read_theirs(
    path: &Path,
    source: Option<&Path>,
    fingerprint: &Fingerprint,
    doc: &Document,
) -> Result<Option<merge::Content>, SaveError> {
    let text = sidecar::read_annotations_file(path).map_err(|e| {
        SaveError::Failed(tr!("%{e} (it was changed elsewhere and could not be read back to merge; it was left as it is)", e = e))
    })?;
    let Some(text) = text else {
        return Ok(None);
    };
    let folder = source.and_then(|p| sidecar::folder_tags(p).ok().flatten());
    let (set, _) = sidecar::from_text(path, &text, fingerprint, doc, folder).map_err(|e| {
        SaveError::Failed(tr!("%{e} (it was changed elsewhere and cannot be read; it was left as it is — save elsewhere with Save Annotations As…)", e = e))
    })?;
    Ok(Some(content_of(&set)))
}

fn content_of(set: &AnnotationSet) -> merge::Content {
    merge::Content {
        annotations: set.items().to_vec(),
        unplaced: set.unplaced.clone(),
        suggestions: set.suggestions.clone(),
        rejected: set.rejected().to_vec(),
        tags: set.tags.clone(),
        relations: set.relations().to_vec(),
        finished: set.is_finished(),
        curation: set.curation().cloned(),
    }
}

impl OpenDocument {
    /// Opens a text file and its annotations (re-anchored if the file changed), and takes its lock. A sidecar that
    /// cannot be read leaves the document open with annotations off (`read_only`) and the file untouched.
    pub fn open(
        path: &Path,
        forced: Option<&'static encoding_rs::Encoding>,
    ) -> Result<Self, OpenError> {
        Self::open_with(path, forced, &store::Progress::default())
    }

    /// [`open`](Self::open), telling `progress` how far it is (for the status bar).
    pub fn open_with(
        path: &Path,
        forced: Option<&'static encoding_rs::Encoding>,
        progress: &store::Progress,
    ) -> Result<Self, OpenError> {
        let opened = store::open_with(path, forced, progress)?;
        Ok(Self::from_opened(path, opened))
    }

    /// A document from what [`store::open`] read.
    #[must_use]
    pub fn from_opened(path: &Path, opened: store::Opened) -> Self {
        let store::Opened {
            decoded,
            doc,
            fingerprint,
            annotations,
        } = opened;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let mut notices = Vec::new();
        if decoded.replaced > 0 {
            notices.push(tr!(
                "%{name}: %{n} invalid byte sequences were shown as \u{FFFD}; try View > Encoding if the text looks wrong",
                name = name,
                n = decoded.replaced
            ));
        }
        let side = sidecar::sidecar_path(path);
        let mut sidecar_error = None;
        let (set, folder_tags, read_only, broken, on_disk, text) = match annotations {
            Ok((set, report)) => {
                if report.moved > 0 || report.unplaced > 0 {
                    notices.push(tr!(
                        "%{name} changed since it was annotated: %{moved} annotations moved with their text, %{unplaced} could not be placed (listed under Unplaced in the panel, kept in the sidecar)",
                        name = name,
                        moved = report.moved,
                        unplaced = report.unplaced
                    ));
                }
                for w in &report.warnings {
                    notices.push(tr!("%{name}: annotations file: %{w}", name = name, w = w));
                }
                (
                    set,
                    report.folder_tags,
                    false,
                    None,
                    report.stamp,
                    report.text,
                )
            }
            Err(e) => {
                sidecar_error = Some(e.to_string());
                notices.push(tr!("The annotations could not be read: %{e}. The file was left untouched and nothing will be saved over it. Choose below how to go on.", e = e));
                let folder = sidecar::folder_tags(path).ok().flatten();
                let folder_tags = folder.is_some();
                let set = AnnotationSet::new(Vec::new(), Vec::new(), folder.unwrap_or_default());
                (set, folder_tags, true, Some(side.clone()), None, None)
            }
        };
        store::write::remove_stale_temps(&side);
        store::write::remove_stale_temps(&lock::lock_path(path));
        let (lock, held_by) = Lock::acquire(path);
        if let Some(h) = &held_by {
            notices.push(tr!("%{name} is also open in another Warraq (%{h}). Saving here merges both sides' changes; nothing is overwritten.", name = name, h = h));
        }
        // The base of a later merge is the sidecar as read, kept as its text and placed again only if a merge
        // needs it (the same placing as now: same text, same document), instead of a copy of every annotation.
        let base = Arc::new(merge::Content {
            tags: set.tags.clone(),
            ..merge::Content::default()
        });
        let save = SavePolicy::new(set.revision());
        Self {
            generation: next_generation(),
            model_progress: None,
            // The learner's suggestions saved last time are in the sidecar: it looks again at the next change
            // (not at opening, when a book's index and view are being built).
            learned_at: Some(set.taught()),
            folder_learned: None,
            learner_marks: None,
            path: Some(path.to_owned()),
            name,
            encoding: decoded.encoding,
            bom: decoded.bom,
            guessed: decoded.guessed,
            replaced: decoded.replaced,
            doc: Arc::new(doc),
            annotations: set,
            fingerprint,
            sidecar: Some(side),
            folder_tags,
            read_only,
            broken_sidecar: broken,
            sidecar_error,
            notices,
            held_by,
            save,
            on_disk,
            base,
            base_text: text.map(Arc::new),
            must_merge: false,
            saving: None,
            save_requested: false,
            _lock: lock,
            writer: atomic_writer(),
            jobs: Vec::new(),
            index: Arc::default(),
            index_progress: Arc::default(),
            searches: Vec::new(),
            curation: None,
        }
    }

    /// The bundled sample article: its annotations stay in memory until saved with Save Annotations As….
    #[must_use]
    pub fn sample() -> Self {
        let set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
        Self {
            generation: next_generation(),
            model_progress: None,
            learned_at: None,
            folder_learned: None,
            learner_marks: None,
            path: None,
            name: SAMPLE_NAME.to_owned(),
            encoding: encoding_rs::UTF_8,
            bom: false,
            guessed: false,
            replaced: 0,
            doc: Arc::new(Document::new(SAMPLE_TEXT.to_owned())),
            save: SavePolicy::new(set.revision()),
            base: Arc::new(content_of(&set)),
            base_text: None,
            must_merge: false,
            saving: None,
            save_requested: false,
            annotations: set,
            fingerprint: Fingerprint::of(SAMPLE_TEXT.as_bytes(), "UTF-8"),
            sidecar: None,
            folder_tags: false,
            read_only: false,
            broken_sidecar: None,
            sidecar_error: None,
            notices: Vec::new(),
            held_by: None,
            on_disk: None,
            _lock: None,
            writer: atomic_writer(),
            jobs: Vec::new(),
            index: Arc::default(),
            index_progress: Arc::default(),
            searches: Vec::new(),
            curation: None,
        }
    }

    /// Replaces how files are written (tests inject failures: a full disk, a read-only folder).
    pub fn set_writer(&mut self, writer: Writer) {
        self.writer = writer;
    }

    /// Changes that are not yet on disk.
    #[must_use]
    pub fn is_dirty(&self) -> bool {
        self.save.is_dirty(self.annotations.revision())
    }

    /// Whether leaving needs the user: unsaved changes that cannot be written where they belong.
    #[must_use]
    pub fn can_save(&self) -> bool {
        !self.read_only && self.sidecar.is_some()
    }

    /// Writes the annotations to their sidecar now. If the sidecar on disk is no longer what this document last
    /// read or wrote, the other side's changes are merged in first: nothing is overwritten blindly.
    pub fn save_now(&mut self) -> Result<Saved, SaveError> {
        self.save_at(Instant::now())
    }

    fn save_at(&mut self, now: Instant) -> Result<Saved, SaveError> {
        self.finish_background_save(now);
        if self.read_only {
            return Err(SaveError::Blocked);
        }
        let Some(path) = self.sidecar.clone() else {
            return Err(SaveError::NoPlace);
        };
        let result = self.write_merged(&path);
        match &result {
            Ok(_) => self.save.saved(self.annotations.revision()),
            Err(SaveError::Failed(e)) => self.save.failed(e.clone(), now),
            Err(_) => {}
        }
        self.save.observe(self.annotations.revision(), now);
        result
    }

    fn write_merged(&mut self, path: &Path) -> Result<Saved, SaveError> {
        // Check, merge and write in one turn: no other writer can slip in between.
        let _turn = lock::take_turn(path);
        let mut saved = Saved::default();
        if self.must_merge || !lock::unchanged(path, self.on_disk.as_ref()) {
            saved = self.merge_from_disk(path)?;
        }
        if self.folder_tags
            && let Some(source) = self.path.clone()
        {
            self.write_folder_tags(&source)?;
        }
        let text = sidecar::text_of(&self.annotations, &self.fingerprint, self.folder_tags);
        (self.writer)(path, text.as_bytes())
            .map_err(|e| SaveError::Failed(format!("{}: {e}", path.display())))?;
        self.on_disk = Some(DiskStamp::of(path, text.as_bytes()));
        // The base of the next merge is what was written, kept as its text (read back only if a merge needs it).
        self.base = Arc::new(merge::Content {
            tags: self.annotations.tags.clone(),
            ..merge::Content::default()
        });
        self.base_text = Some(Arc::new(text));
        self.must_merge = false;
        Ok(saved)
    }

    /// The folder's shared tag set, merged with what is there now and written when that differs; this document's
    /// tags become the merged ones.
    fn write_folder_tags(&mut self, source: &Path) -> Result<(), SaveError> {
        let merged = merged_folder_tags(
            &self.writer,
            source,
            &self.base.tags,
            &self.annotations.tags,
        )?;
        if merged != self.annotations.tags {
            self.annotations.tags = merged;
        }
        Ok(())
    }

    /// The base of a merge with all its annotations: when it is kept as the text last read or written, that text
    /// placed in this document as it was when read.
    fn full_base(&mut self) -> &merge::Content {
        if let Some(text) = self.base_text.take() {
            let path = self.sidecar.clone().unwrap_or_default();
            if let Some(base) = placed_base(
                &path,
                &text,
                &self.fingerprint,
                &self.doc,
                self.folder_tags.then(|| self.base.tags.clone()),
            ) {
                self.base = Arc::new(base);
            }
        }
        &self.base
    }

    /// Reads the sidecar someone else wrote and merges this document's changes into it.
    fn merge_from_disk(&mut self, path: &Path) -> Result<Saved, SaveError> {
        let Some(theirs) = read_theirs(path, self.path.as_deref(), &self.fingerprint, &self.doc)?
        else {
            // Deleted elsewhere (a checkout, a sync, a file manager): nothing of ours is dropped; it is written again.
            self.base = Arc::default();
            self.base_text = None;
            return Ok(Saved::default());
        };
        let ours = content_of(&self.annotations);
        let merged = merge::merge(self.full_base(), &ours, &theirs);
        let c = merged.content;
        self.annotations.replace_all(
            c.annotations,
            c.unplaced,
            c.suggestions,
            c.rejected,
            c.tags,
            c.relations,
        );
        self.annotations.set_loaded_finished(c.finished);
        self.annotations.set_loaded_curation(c.curation);
        // What is on disk now is the merge's other side: it becomes the base.
        self.base = Arc::new(theirs);
        self.base_text = None;
        self.after_merge(merged.taken);
        Ok(Saved {
            merged: merged.taken,
            conflicts: merged.conflicts,
        })
    }

    /// Saves to `path` from now on (File ▸ Save Annotations As…). A file there that this document did not write
    /// is merged with, never overwritten.
    pub fn save_as(&mut self, path: PathBuf) -> Result<Saved, SaveError> {
        // A save still in flight belongs to the old place: finished first, so its result does not land on the new.
        self.finish_background_save(Instant::now());
        // Another document's sidecar is not a place for these annotations: they would be re-anchored onto its text.
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if let Some(text) = name.strip_suffix(".warraq.ron") {
            let other = path.with_file_name(text);
            if other.exists()
                && !self
                    .path
                    .as_deref()
                    .is_some_and(|p| store::write::same_path(p, &other))
            {
                return Err(SaveError::Failed(tr!(
                    "%{path} holds the annotations of %{other}; choose another name",
                    path = path.display(),
                    other = other.display()
                )));
            }
        }
        if self
            .path
            .as_deref()
            .is_some_and(|p| store::write::same_path(p, &path))
        {
            return Err(SaveError::Failed(tr!(
                "%{path}: this is the text file itself; annotations are never written over it",
                path = path.display()
            )));
        }
        if self.sidecar.as_deref() != Some(path.as_path()) {
            // A new place: whatever is already there is someone else's, to merge with (from nothing in common).
            self.on_disk = None;
            self.base = Arc::default();
            self.base_text = None;
            self.must_merge = false;
        }
        self.sidecar = Some(path);
        self.read_only = false;
        self.broken_sidecar = None;
        self.save_now()
    }

    /// Whether an automatic save is due (the window asks every frame).
    #[must_use]
    pub fn autosave_due(&mut self, now: Instant) -> Due {
        self.save.observe(self.annotations.revision(), now);
        if !self.can_save() {
            return Due::Clean;
        }
        self.save.due(self.annotations.revision(), now)
    }

    /// Saves if the policy says so; `Some` with what happened when a save was tried.
    pub fn autosave(&mut self, now: Instant) -> Option<Result<Saved, SaveError>> {
        match self.autosave_due(now) {
            Due::Now => Some(self.save_at(now)),
            _ => None,
        }
    }

    /// Before the document is left: saved if it can be. `Err` says why the user has to choose.
    pub fn settle(&mut self) -> Result<Option<Saved>, SaveError> {
        if !self.is_dirty() {
            return Ok(None);
        }
        self.save_now().map(Some)
    }

    /// The user chose to drop the unsaved changes.
    pub fn discard_changes(&mut self) {
        self.save.discarded(self.annotations.revision());
    }

    /// The user chose to start new annotations over an unreadable sidecar: it is moved aside, never deleted.
    pub fn start_new_annotations(&mut self) -> Result<PathBuf, String> {
        self.finish_background_save(Instant::now());
        let path = self
            .broken_sidecar
            .clone()
            .ok_or_else(|| "the annotations file is readable".to_owned())?;
        let aside = sidecar::move_aside(&path).map_err(|e| {
            tr!(
                "%{path}: could not be moved aside (%{error})",
                path = path.display(),
                error = e
            )
        })?;
        self.broken_sidecar = None;
        self.read_only = false;
        self.on_disk = None;
        self.base = Arc::new(content_of(&self.annotations));
        self.base_text = None;
        self.must_merge = false;
        Ok(aside)
    }

    // ----- background work -----

    /// Starts work for this document; its result is applied here (and only here) by [`poll_jobs`](Self::poll_jobs).
    pub fn spawn(
        &mut self,
        kind: Work,
        waker: &Waker,
        work: impl FnOnce() -> Apply + Send + 'static,
    ) {
        self.spawn_feeding(kind, waker, move |_| work());
    }

    /// Starts work that also hands results over as it goes ([`Feed::send`]): each lands here at the next
    /// [`poll_jobs`](Self::poll_jobs), in order, before the final one.
    pub fn spawn_feeding(
        &mut self,
        kind: Work,
        waker: &Waker,
        work: impl FnOnce(&Feed) -> Apply + Send + 'static,
    ) {
        let generation = self.generation;
        let (tx, rx) = std::sync::mpsc::channel();
        let feed = Feed {
            tx,
            waker: waker.clone(),
            generation,
        };
        let run = move || {
            let apply = work(&feed);
            stamped(generation, apply)
        };
        // Dialogs are what the user is looking at; matching and models run behind the window.
        let job = match kind {
            Work::MatchingNames | Work::RunningModel | Work::Learning => {
                Job::background(kind.label(), waker, run)
            }
            Work::SaveAsDialog | Work::ChoosingNames | Work::ReadingAnnotators => {
                Job::spawn(kind.label(), waker, run)
            }
        };
        self.jobs.push(Running { kind, job, fed: rx });
    }

    /// Stops the work of this kind: its results no longer land, and a job that feeds stops at its next result.
    pub fn stop(&mut self, kind: Work) {
        self.jobs.retain(|r| r.kind != kind);
    }

    /// Applies the results of finished jobs; returns their messages.
    pub fn poll_jobs(&mut self) -> Vec<String> {
        let mut messages = Vec::new();
        let mut i = 0;
        while i < self.jobs.len() {
            // What was fed so far lands first.
            while let Some(r) = self.jobs.get(i)
                && let Ok(apply) = r.fed.try_recv()
            {
                messages.extend(apply(self));
            }
            let Some(r) = self.jobs.get_mut(i) else {
                break;
            };
            match r.job.poll() {
                Poll::Pending => i += 1,
                Poll::Ready(apply) => {
                    let r = self.jobs.remove(i);
                    while let Ok(fed) = r.fed.try_recv() {
                        messages.extend(fed(self));
                    }
                    messages.extend(apply(self));
                }
                Poll::Lost => {
                    let r = self.jobs.remove(i);
                    messages.push(tr!(
                        "%{what} stopped unexpectedly; nothing was changed",
                        what = tr!(&r.job.what)
                    ));
                }
            }
        }
        self.poll_searches();
        messages
    }

    /// Takes the results of finished searches, whether or not anyone still asks for them (a search for a word
    /// typed halfway is kept as done, not left "running" for good); cancelled or lost ones are forgotten.
    fn poll_searches(&mut self) {
        self.searches.retain_mut(|(_, searched)| {
            let Searched::Running(job, _) = searched else {
                return true;
            };
            match job.poll() {
                Poll::Pending => true,
                Poll::Ready(Some(found)) => {
                    *searched = Searched::Ready(Arc::new(found));
                    true
                }
                Poll::Ready(None) | Poll::Lost => false,
            }
        });
    }

    /// Whether work of this kind is running.
    #[must_use]
    pub fn is_running(&self, kind: Work) -> bool {
        self.jobs.iter().any(|r| r.kind == kind)
    }

    /// The search index, shared by every search of this document: a job takes it (and builds it if it is the
    /// first) on its worker.
    #[must_use]
    pub fn shared_index(&self) -> SharedIndex {
        SharedIndex {
            cell: self.index.clone(),
            doc: self.doc.clone(),
            progress: self.index_progress.clone(),
        }
    }

    /// The search index, built here and now if it is not ready (the command line, and texts up to
    /// [`SYNC_SEARCH_BYTES`]).
    pub fn search_index_now(&self) -> &SearchIndex {
        self.index
            .get_or_init(|| SearchIndex::new(self.doc.clone()))
    }

    /// Whether the search index is built.
    #[must_use]
    pub fn is_indexed(&self) -> bool {
        self.index.get().is_some()
    }

    /// The matches of `query` (at most [`MAX_MATCHES`]): at once for texts up to [`SYNC_SEARCH_BYTES`], else from
    /// a worker (`None` until it is done; `waker` is called then). Recent results are kept, so asking again every
    /// frame costs nothing; a search pushed out of the recent ones while running is cancelled.
    pub fn search(
        &mut self,
        query: &str,
        options: SearchOptions,
        waker: &Waker,
    ) -> Option<Arc<Found>> {
        let key = (query.to_owned(), options);
        if let Some(i) = self.searches.iter().position(|(k, _)| *k == key) {
            let (_, searched) = &mut self.searches[i];
            if let Searched::Running(job, _) = searched {
                match job.poll() {
                    Poll::Pending => return None,
                    Poll::Ready(Some(found)) => *searched = Searched::Ready(Arc::new(found)),
                    // Cancelled, or the worker died: forget it, so the next call starts again.
                    Poll::Ready(None) | Poll::Lost => {
                        self.searches.remove(i);
                        return None;
                    }
                }
            }
            let Searched::Ready(found) = &self.searches[i].1 else {
                return None;
            };
            return Some(found.clone());
        }
        if self.searches.len() >= KEPT_SEARCHES
            && let (_, Searched::Running(_, cancel)) = self.searches.remove(0)
        {
            cancel.store(true, Ordering::Relaxed);
        }
        if self.doc.text().len() <= SYNC_SEARCH_BYTES {
            let never = std::sync::atomic::AtomicBool::new(false);
            let found = self
                .search_index_now()
                .find_limited(query, options, MAX_MATCHES, &never)
                .unwrap_or_default();
            let found = Arc::new(found);
            self.searches.push((key, Searched::Ready(found.clone())));
            return Some(found);
        }
        let index = self.shared_index();
        let q = query.to_owned();
        let cancel = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop = cancel.clone();
        let job = Job::background("searching", waker, move || {
            index.get().find_limited(&q, options, MAX_MATCHES, &stop)
        });
        self.searches.push((key, Searched::Running(job, cancel)));
        None
    }

    /// The matches of a recent search that has finished, without starting one.
    #[must_use]
    pub fn recent_search(&self, query: &str, options: SearchOptions) -> Option<Arc<Found>> {
        self.searches
            .iter()
            .find_map(|((q, o), searched)| match searched {
                Searched::Ready(found) if q == query && *o == options => Some(found.clone()),
                _ => None,
            })
    }

    /// Long work going on for this document, for the status bar: what it is and how far along (when known).
    #[must_use]
    pub fn activities(&self) -> Vec<(&'static str, Option<f32>)> {
        let mut out = Vec::new();
        if self.is_searching() {
            if self.is_indexed() {
                out.push(("searching", None));
            } else {
                let done = self.index_progress.load(Ordering::Relaxed) as f32;
                out.push((
                    "indexing for search",
                    Some(done / self.doc.text().len().max(1) as f32),
                ));
            }
        } else if self.is_running(Work::MatchingNames) {
            out.push(("matching names", None));
        }
        if self.is_running(Work::RunningModel) {
            let share = self
                .model_progress
                .filter(|&(_, total)| total > 0)
                .map(|(done, total)| done as f32 / total as f32);
            out.push(("running the suggestion model", share));
        }
        if let Some(progress) = self.save_progress() {
            out.push(("saving", Some(progress)));
        }
        out
    }

    /// Whether a search is running on a worker.
    #[must_use]
    pub fn is_searching(&self) -> bool {
        self.searches
            .iter()
            .any(|(_, s)| matches!(s, Searched::Running(..)))
    }
}

/// A document's search index for a worker: built on first use, then shared.
#[derive(Clone)]
pub struct SharedIndex {
    cell: Arc<OnceLock<SearchIndex>>,
    doc: Arc<Document>,
    progress: Arc<AtomicUsize>,
}

impl SharedIndex {
    /// The index, built now if no one has yet (others asking meanwhile wait for this one).
    #[must_use]
    pub fn get(&self) -> &SearchIndex {
        self.cell
            .get_or_init(|| SearchIndex::with_progress(self.doc.clone(), &self.progress))
    }
}

/// The folder's shared tag set beside `source`: this document's changes to it (`ours` against `base`) merged with
/// what is there now (another document of the folder may have added a tag), written only when that differs. An
/// unreadable file stops the save: it is never written over.
fn merged_folder_tags(
    writer: &Writer,
    source: &Path,
    base: &TagSet,
    ours: &TagSet,
) -> Result<TagSet, SaveError> {
    let tags_path = sidecar::folder_tags_path(source);
    let current = sidecar::folder_tags(source).map_err(|e| {
        SaveError::Failed(tr!("%{e} (the folder's tag set cannot be read, so it is not written over; the annotations were not saved either)", e = e))
    })?;
    let merged = match &current {
        Some(theirs) => merge::merge_tags(base, ours, theirs, &mut Vec::new()),
        None => ours.clone(),
    };
    if current.as_ref() != Some(&merged) {
        writer(&tags_path, sidecar::folder_tags_text(&merged).as_bytes()).map_err(|e| {
            SaveError::Failed(tr!(
                "%{path}: %{error} (the folder's tag set; the annotations were not saved either)",
                path = tags_path.display(),
                error = e
            ))
        })?;
    }
    Ok(merged)
}

/// A file being opened on a worker: its path, the job, and how far it is.
type Opening = (
    PathBuf,
    Job<Result<OpenDocument, String>>,
    Arc<store::Progress>,
);

/// Where the workspace goes after settling the current document.
pub enum Next {
    Document(Box<OpenDocument>),
    Sample,
    /// Quit (the window closes).
    Close,
}

/// Leaving the current document is waiting for the user's choice.
pub struct Leaving {
    pub next: Next,
    /// Why the document could not be settled by itself.
    pub reason: SaveError,
}

/// The user's answer when a document cannot be settled by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaveChoice {
    /// Drop the unsaved changes and go on.
    Discard,
    /// Stay on the document; the next document is dropped.
    Cancel,
}

/// The shown document and the documents on their way in.
#[derive(Default)]
pub struct Workspace {
    current: Option<OpenDocument>,
    opening: Option<Opening>,
    leaving: Option<Leaving>,
    /// Set when the workspace is done and the window may close.
    closed: bool,
    /// The suggestion model (Tools ▸ Suggestion Model…), once a folder was chosen.
    pub suggester: Option<suggester::Suggester>,
}

impl Workspace {
    /// The suggestion model and the open document, both at once (the model's window edits one and reads the other).
    pub fn suggester_and_current(
        &mut self,
    ) -> (Option<&mut suggester::Suggester>, Option<&OpenDocument>) {
        (self.suggester.as_mut(), self.current.as_ref())
    }

    /// Runs the loaded suggestion model over the open document (unless it is running there already).
    pub fn run_suggester(&mut self, waker: &Waker) -> bool {
        match (self.suggester.as_ref(), self.current.as_mut()) {
            (Some(s), Some(d)) if s.model().is_some() && !d.is_running(Work::RunningModel) => {
                s.run_on(d, waker);
                true
            }
            _ => false,
        }
    }

    /// Takes the suggestion model when it has loaded (its types mapped onto the open document's tags).
    pub fn poll_suggester(&mut self) -> Option<String> {
        if !self.suggester.as_ref()?.is_loading() {
            return None;
        }
        let tags = self
            .current
            .as_ref()
            .map(|d| d.annotations.tags.clone())
            .unwrap_or_default();
        self.suggester.as_mut()?.poll(&tags)
    }

    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    #[must_use]
    pub fn current(&self) -> Option<&OpenDocument> {
        self.current.as_ref()
    }

    pub fn current_mut(&mut self) -> Option<&mut OpenDocument> {
        self.current.as_mut()
    }

    /// How far opening is (for the status bar): what is being done, and the share done when that is known.
    #[must_use]
    pub fn opening_progress(&self) -> Option<(&'static str, Option<f32>)> {
        self.opening.as_ref().map(|(_, _, p)| p.get())
    }

    /// The file being opened, if any.
    #[must_use]
    pub fn opening(&self) -> Option<&Path> {
        self.opening.as_ref().map(|(p, _, _)| p.as_path())
    }

    /// The pending leave, while the user has to choose.
    #[must_use]
    pub fn leaving(&self) -> Option<&Leaving> {
        self.leaving.as_ref()
    }

    /// Whether the window may close now.
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Reopening the shown file (another encoding, Open Recent, a drop): its pending edits are written first, so
    /// the copy read from disk has them. `Err` when they could not be written: the file is not reopened.
    fn write_before_reopening(&mut self, path: &Path) -> Result<(), String> {
        match &mut self.current {
            Some(d) if d.path.as_deref() == Some(path) && d.is_dirty() && d.can_save() => {
                d.save_now().map(|_| ()).map_err(|e| {
                    tr!(
                        "%{e}\nThe file was not reopened, so these changes stay in this window.",
                        e = e
                    )
                })
            }
            _ => Ok(()),
        }
    }

    /// Starts opening a file on a worker; it replaces the current document once the current one is settled.
    pub fn open(
        &mut self,
        path: PathBuf,
        forced: Option<&'static encoding_rs::Encoding>,
        waker: &Waker,
    ) -> Result<(), String> {
        self.write_before_reopening(&path)?;
        let p = path.clone();
        let progress = Arc::new(store::Progress::default());
        let told = progress.clone();
        let job = Job::spawn("opening a file", waker, move || {
            OpenDocument::open_with(&p, forced, &told).map_err(|e| e.to_string())
        });
        self.opening = Some((path, job, progress));
        Ok(())
    }

    /// Opens a file and waits for it (command line, tests).
    pub fn open_now(
        &mut self,
        path: &Path,
        forced: Option<&'static encoding_rs::Encoding>,
    ) -> Result<Option<String>, String> {
        self.write_before_reopening(path)?;
        let doc = OpenDocument::open(path, forced).map_err(|e| e.to_string())?;
        Ok(self.go(Next::Document(Box::new(doc))))
    }

    /// Polls the opening job; `Some(message)` when something happened the user should read.
    pub fn poll(&mut self) -> Option<String> {
        let (path, job, _) = self.opening.as_mut()?;
        match job.poll() {
            Poll::Pending => None,
            Poll::Ready(Ok(doc)) => {
                self.opening = None;
                self.go(Next::Document(Box::new(doc)))
            }
            Poll::Ready(Err(e)) => {
                self.opening = None;
                Some(e)
            }
            Poll::Lost => {
                let msg = tr!(
                    "%{path}: opening failed unexpectedly; nothing was changed",
                    path = path.display()
                );
                self.opening = None;
                Some(msg)
            }
        }
    }

    /// Leaves the current document for `next` once it is settled: saved, or clean. When it cannot be saved, the
    /// leave waits in [`leaving`](Self::leaving) for the user's choice. Returns a message for the user, if any.
    pub fn go(&mut self, next: Next) -> Option<String> {
        if self.leaving.is_some() {
            // One question at a time: the pending one is answered first.
            return Some("Answer the question about the unsaved annotations first.".into());
        }
        let mut message = None;
        if let Some(d) = &mut self.current {
            match d.settle() {
                Ok(saved) => {
                    message = saved
                        .and_then(|s| s.message(d.sidecar.as_deref().unwrap_or(Path::new(""))));
                }
                Err(reason) => {
                    self.leaving = Some(Leaving { next, reason });
                    return None;
                }
            }
        }
        self.arrive(next);
        message
    }

    fn arrive(&mut self, next: Next) {
        self.leaving = None;
        match next {
            Next::Document(d) => self.current = Some(*d),
            Next::Sample => self.current = Some(OpenDocument::sample()),
            Next::Close => self.closed = true,
        }
    }

    /// Tries the pending leave again (after Save As… succeeded, say); returns whether it went ahead.
    pub fn retry_leave(&mut self) -> bool {
        let Some(leaving) = self.leaving.take() else {
            return false;
        };
        let clean = self.current.as_ref().is_none_or(|d| !d.is_dirty());
        if clean {
            self.arrive(leaving.next);
            true
        } else {
            self.leaving = Some(leaving);
            false
        }
    }

    /// The user's answer to a pending leave.
    pub fn choose(&mut self, choice: LeaveChoice) {
        let Some(leaving) = self.leaving.take() else {
            return;
        };
        match choice {
            LeaveChoice::Discard => {
                if let Some(d) = &mut self.current {
                    d.discard_changes();
                }
                self.arrive(leaving.next);
            }
            LeaveChoice::Cancel => {}
        }
    }
}
