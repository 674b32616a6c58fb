//! The window's save, which never stops a frame: the sidecar text is written into memory a slice per frame (a few
//! milliseconds each, starting over if the annotations change meanwhile), then a worker takes the folder's turn,
//! checks that the file on disk is still the one this document last read or wrote, and writes it atomically. If
//! someone else changed the file, the worker merges: it reads their file, reads back the text it was given (our
//! annotations) and the base, merges the three, writes the result and builds the merged annotation set, which the
//! window swaps in — unless the user edited meanwhile: then the window keeps its annotations, and the next save
//! merges those edits with the file (the file holds our annotations as they were, plus theirs).
//!
//! The command line, leaving a document and quitting save at once ([`OpenDocument::save_now`]); a save in flight is
//! finished first, so two saves of one document never race.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Fingerprint;
use super::{OpenDocument, SaveError, Saved, Waker, Writer, merge};
use crate::model::{AnnotationSet, Document, TagSet};
use crate::store::lock::{self, DiskStamp};
use crate::store::sidecar::TextWriter;

/// Annotations serialized between two looks at the clock.
const SLICE: usize = 256;
/// Time a frame spends serializing.
const FRAME_BUDGET: Duration = Duration::from_millis(1);

/// A save in progress.
pub(super) enum BackgroundSave {
    /// The text of `revision`, being written into memory.
    Serializing { revision: u64, text: TextWriter },
    /// The text, being written to disk on a worker.
    Writing {
        revision: u64,
        job: super::Job<Outcome>,
    },
}

/// What the worker did.
pub(super) enum Outcome {
    Written {
        stamp: DiskStamp,
        text: String,
        /// The folder's tag set as written (with what other documents added), when the folder has one.
        folder_tags: Option<TagSet>,
    },
    /// Someone else had changed the file: what was written is their annotations merged with ours.
    Merged {
        stamp: DiskStamp,
        text: String,
        /// The merged annotations, to take the place of ours.
        set: Box<AnnotationSet>,
        /// Ours as the worker was given them, under the ids the merge gave them (the base of the next merge if the
        /// user edited meanwhile).
        ours: Box<merge::Content>,
        /// Our annotations that took a new id in the merge: (old, new).
        renumbered: Vec<(u64, u64)>,
        taken: usize,
        conflicts: Vec<String>,
    },
    Failed(String),
}

/// What the worker needs besides the text.
struct Target {
    path: PathBuf,
    on_disk: Option<DiskStamp>,
    writer: Writer,
    /// With a folder tag set: the text file's path, the tags as last written, and ours.
    folder: Option<(PathBuf, TagSet, TagSet)>,
    /// Merge even if nobody wrote since: the file holds a merge our annotations have not taken in.
    must_merge: bool,
    merging: Merging,
}

/// What a merge needs: the document's text and where its annotations came from.
struct Merging {
    doc: Arc<Document>,
    fingerprint: Fingerprint,
    source: Option<PathBuf>,
    base: Arc<merge::Content>,
    base_text: Option<Arc<String>>,
}

fn write(target: Target, text: String) -> Outcome {
    // Check and write in one turn, as the immediate save does.
    let _turn = lock::take_turn(&target.path);
    if target.must_merge || !lock::unchanged(&target.path, target.on_disk.as_ref()) {
        return match merge_and_write(target, text) {
            Ok(outcome) => outcome,
            Err(SaveError::Failed(e)) => Outcome::Failed(e),
            Err(e) => Outcome::Failed(e.to_string()),
        };
    }
    write_unchecked(target, text)
}

/// Writes `text` (and the folder's tags), the file having been checked.
fn write_unchecked(target: Target, text: String) -> Outcome {
    let Target {
        path,
        writer,
        folder,
        ..
    } = target;
    let folder_tags = match folder {
        Some((source, base, ours)) => {
            match super::merged_folder_tags(&writer, &source, &base, &ours) {
                Ok(tags) => Some(tags),
                Err(SaveError::Failed(e)) => return Outcome::Failed(e),
                Err(e) => return Outcome::Failed(e.to_string()),
            }
        }
        None => None,
    };
    if let Err(e) = writer(&path, text.as_bytes()) {
        return Outcome::Failed(format!("{}: {e}", path.display()));
    }
    Outcome::Written {
        stamp: DiskStamp::of(&path, text.as_bytes()),
        text,
        folder_tags,
    }
}

/// Merges our annotations (`ours`, the sidecar text of them) with the file someone else wrote, and writes the result.
fn merge_and_write(target: Target, ours: String) -> Result<Outcome, SaveError> {
    let m = &target.merging;
    let Some(theirs) =
        super::read_theirs(&target.path, m.source.as_deref(), &m.fingerprint, &m.doc)?
    else {
        // Deleted elsewhere: written again with everything of ours, as a save with nothing to merge.
        return Ok(write_unchecked(target, ours));
    };
    let Target {
        path,
        writer,
        folder,
        merging: m,
        ..
    } = target;
    let folder_tags = folder.is_some();
    // Our text was written from our annotations for this very text: it reads back as they are.
    let ours_content = super::placed_base(
        &path,
        &ours,
        &m.fingerprint,
        &m.doc,
        folder.as_ref().map(|(_, _, tags)| tags.clone()),
    )
    .ok_or_else(|| SaveError::Failed("the annotations could not be read back to merge".into()))?;
    let base = match &m.base_text {
        Some(text) => super::placed_base(
            &path,
            text,
            &m.fingerprint,
            &m.doc,
            folder_tags.then(|| m.base.tags.clone()),
        )
        .unwrap_or_else(|| merge::Content {
            tags: m.base.tags.clone(),
            ..merge::Content::default()
        }),
        None => (*m.base).clone(),
    };
    let merged = merge::merge(&base, &ours_content, &theirs);
    drop((base, theirs));
    let mut ours_content = ours_content;
    renumber_content(&mut ours_content, &merged.renumbered);
    let c = merged.content;
    let mut set = AnnotationSet::new(c.annotations, c.unplaced, c.tags)
        .with_relations(c.relations)
        .with_finished(c.finished)
        .with_curation(c.curation)
        .with_rejected(c.rejected);
    set.suggestions = c.suggestions;
    if let Some((source, base_tags, _)) = &folder {
        set.tags = super::merged_folder_tags(&writer, source, base_tags, &set.tags)?;
    }
    let text = crate::store::sidecar::text_of(&set, &m.fingerprint, folder_tags);
    writer(&path, text.as_bytes())
        .map_err(|e| SaveError::Failed(format!("{}: {e}", path.display())))?;
    Ok(Outcome::Merged {
        stamp: DiskStamp::of(&path, text.as_bytes()),
        text,
        set: Box::new(set),
        ours: Box::new(ours_content),
        renumbered: merged.renumbered,
        taken: merged.taken,
        conflicts: merged.conflicts,
    })
}

/// Our content under the ids a merge gave it.
fn renumber_content(c: &mut merge::Content, map: &[(u64, u64)]) {
    if map.is_empty() {
        return;
    }
    let full: std::collections::HashMap<u64, u64> = map.iter().copied().collect();
    let to = |id: &mut u64| {
        if let Some(n) = full.get(id) {
            *id = *n;
        }
    };
    for a in c.annotations.iter_mut().chain(c.unplaced.iter_mut()) {
        to(&mut a.id);
    }
    for r in &mut c.relations {
        to(&mut r.id);
        to(&mut r.from);
        to(&mut r.to);
    }
}

impl OpenDocument {
    /// Asks for a save as soon as possible (Ctrl+S), without waiting for the autosave delay.
    pub fn request_save(&mut self) {
        self.save_requested = true;
    }

    /// How far a background save is: the share of annotations serialized, then 1 while the worker writes.
    #[must_use]
    pub fn save_progress(&self) -> Option<f32> {
        match &self.saving {
            Some(BackgroundSave::Serializing { text, .. }) => {
                let total = self.annotations.items().len()
                    + self.annotations.unplaced.len()
                    + self.annotations.suggestions.len();
                Some(text.written() as f32 / total.max(1) as f32)
            }
            Some(BackgroundSave::Writing { .. }) => Some(1.0),
            None => None,
        }
    }

    /// Whether a save is in progress in the background.
    #[must_use]
    pub fn is_saving(&self) -> bool {
        self.saving.is_some()
    }

    /// The window's saving, called every frame: starts a save when one was requested or autosave is due, moves a
    /// save in progress on by a few milliseconds, and returns what a finished save did. `waker` is called when the
    /// worker is done; while the text is being serialized the caller keeps frames coming ([`Self::is_saving`]).
    pub fn save_in_background(
        &mut self,
        now: Instant,
        waker: &Waker,
    ) -> Option<Result<Saved, SaveError>> {
        self.save.observe(self.annotations.revision(), now);
        let revision = self.annotations.revision();
        match self.saving.take() {
            None => {
                let due = self.save_requested || self.autosave_due(now) == super::Due::Now;
                if !due || !self.can_save() {
                    self.save_requested = false;
                    return None;
                }
                self.save_requested = false;
                let text =
                    TextWriter::for_set(&self.annotations, &self.fingerprint, self.folder_tags);
                self.saving = Some(BackgroundSave::Serializing { revision, text });
                self.serialize_slice(waker);
                None
            }
            Some(BackgroundSave::Serializing { revision: r, text }) => {
                // An edit since the save began: begin again with the annotations as they are now.
                let text = if r == revision {
                    text
                } else {
                    TextWriter::for_set(&self.annotations, &self.fingerprint, self.folder_tags)
                };
                self.saving = Some(BackgroundSave::Serializing { revision, text });
                self.serialize_slice(waker);
                None
            }
            Some(BackgroundSave::Writing { revision, mut job }) => match job.poll() {
                super::Poll::Pending => {
                    self.saving = Some(BackgroundSave::Writing { revision, job });
                    None
                }
                super::Poll::Ready(outcome) => Some(self.apply_outcome(revision, outcome, now)),
                super::Poll::Lost => Some(self.apply_outcome(
                    revision,
                    Outcome::Failed("the save stopped unexpectedly".into()),
                    now,
                )),
            },
        }
    }

    /// Serializes for up to [`FRAME_BUDGET`]; when the text is complete, hands it to a worker.
    fn serialize_slice(&mut self, waker: &Waker) {
        let Some(BackgroundSave::Serializing { revision, mut text }) = self.saving.take() else {
            return;
        };
        let lists = TextWriter::lists(&self.annotations);
        let started = Instant::now();
        let done = loop {
            if text.write(&lists, SLICE) {
                break true;
            }
            if started.elapsed() >= FRAME_BUDGET {
                break false;
            }
        };
        if !done {
            self.saving = Some(BackgroundSave::Serializing { revision, text });
            return;
        }
        let Some(path) = self.sidecar.clone() else {
            return;
        };
        let target = Target {
            path,
            on_disk: self.on_disk.clone(),
            writer: self.writer.clone(),
            folder: self
                .folder_tags
                .then(|| self.path.clone())
                .flatten()
                .map(|source| {
                    (
                        source,
                        self.base.tags.clone(),
                        self.annotations.tags.clone(),
                    )
                }),
            must_merge: self.must_merge,
            merging: Merging {
                doc: self.doc.clone(),
                fingerprint: self.fingerprint.clone(),
                source: self.path.clone(),
                base: self.base.clone(),
                base_text: self.base_text.clone(),
            },
        };
        // The pieces are joined on the worker: copying the whole text is no work for a frame.
        let job = super::Job::background("saving annotations", waker, move || {
            write(target, text.finish())
        });
        self.saving = Some(BackgroundSave::Writing { revision, job });
    }

    /// Applies what the worker did to the save state.
    fn apply_outcome(
        &mut self,
        revision: u64,
        outcome: Outcome,
        now: Instant,
    ) -> Result<Saved, SaveError> {
        match outcome {
            Outcome::Written {
                stamp,
                text,
                folder_tags,
            } => {
                let tags = match folder_tags {
                    Some(merged) => {
                        // Tags edited since the save began stay; the next save merges them with the folder's.
                        if merged != self.annotations.tags
                            && revision == self.annotations.revision()
                        {
                            self.annotations.tags = merged.clone();
                        }
                        merged
                    }
                    None => self.annotations.tags.clone(),
                };
                self.written(stamp, text, tags);
                self.save.saved(revision);
                self.save.observe(self.annotations.revision(), now);
                Ok(Saved::default())
            }
            Outcome::Merged {
                stamp,
                text,
                set,
                ours,
                renumbered,
                taken,
                conflicts,
            } => {
                if revision == self.annotations.revision() {
                    // Nothing changed here meanwhile: the merged annotations take the place of ours.
                    let tags = set.tags.clone();
                    // Ours as the worker had them are not needed: a book's worth of annotations is freed on a
                    // worker, as are the ones replaced.
                    crate::background::free_later((self.annotations.replace_with(*set), ours));
                    self.written(stamp, text, tags);
                    self.save.saved(self.annotations.revision());
                } else {
                    // Edited meanwhile: ours stay, and stay unsaved. The file holds ours as the worker had them,
                    // merged with theirs: that version of ours (under the ids the merge gave it, which ours take
                    // too) is the base of the next save's merge, which brings the edits made since and their work
                    // together.
                    crate::background::free_later((text, set));
                    self.annotations.renumber(&renumbered);
                    self.on_disk = Some(stamp);
                    self.base = Arc::new(*ours);
                    if let Some(old) = self.base_text.take() {
                        crate::background::free_later(old);
                    }
                    self.must_merge = true;
                    // The write succeeded: no error to show, no retry to wait for.
                    self.save.saved(revision);
                }
                self.save.observe(self.annotations.revision(), now);
                self.after_merge(taken);
                Ok(Saved {
                    merged: taken,
                    conflicts,
                })
            }
            Outcome::Failed(e) => {
                self.save.failed(e.clone(), now);
                self.save.observe(self.annotations.revision(), now);
                Err(SaveError::Failed(e))
            }
        }
    }

    /// After a write: the file holds `text` (annotations with `tags`), the base of the next merge, kept as its text
    /// (read back only if a merge ever needs it) instead of a copy of every annotation.
    fn written(&mut self, stamp: DiskStamp, text: String, tags: TagSet) {
        self.on_disk = Some(stamp);
        self.base = Arc::new(merge::Content {
            tags,
            ..merge::Content::default()
        });
        self.must_merge = false;
        // The text read or written before is tens of megabytes in a book: it is freed on a worker.
        if let Some(old) = self.base_text.replace(Arc::new(text)) {
            crate::background::free_later(old);
        }
    }

    /// Finishes a save in flight before saving at once: waits for its worker and takes its result, so the
    /// immediate save starts from what is on disk now.
    pub(super) fn finish_background_save(&mut self, now: Instant) {
        match self.saving.take() {
            Some(BackgroundSave::Writing { revision, job }) => {
                let outcome = job
                    .wait()
                    .unwrap_or_else(|| Outcome::Failed("the save stopped unexpectedly".into()));
                // What it did is applied as a finished save; an error is left to the immediate save that follows.
                let _ = self.apply_outcome(revision, outcome, now);
            }
            Some(BackgroundSave::Serializing { .. }) | None => {}
        }
    }
}
