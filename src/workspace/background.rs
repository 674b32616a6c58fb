//! The window's save, which never stops a frame: the sidecar text is written into memory a slice per frame (a few
//! milliseconds each, starting over if the annotations change meanwhile), then a worker takes the folder's turn,
//! checks that the file on disk is still the one this document last read or wrote, and writes it atomically. If
//! someone else changed the file, the worker writes nothing and the save is done again here with a merge
//! ([`OpenDocument::save_now`]) — the only case that waits, and only when another writer was at work.
//!
//! The command line, leaving a document and quitting save at once ([`OpenDocument::save_now`]); a save in flight is
//! finished first, so two saves of one document never race.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::{OpenDocument, SaveError, Saved, Waker, Writer, merge};
use crate::model::TagSet;
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
    /// The file is not what this document last read or wrote: nothing was written.
    ChangedElsewhere,
    Failed(String),
}

/// What the worker needs besides the text.
struct Target {
    path: PathBuf,
    on_disk: Option<DiskStamp>,
    writer: Writer,
    /// With a folder tag set: the text file's path, the tags as last written, and ours.
    folder: Option<(PathBuf, TagSet, TagSet)>,
}

fn write(target: Target, text: String) -> Outcome {
    let Target {
        path,
        on_disk,
        writer,
        folder,
    } = target;
    // Check and write in one turn, as the immediate save does.
    let _turn = lock::take_turn(&path);
    if !lock::unchanged(&path, on_disk.as_ref()) {
        return Outcome::ChangedElsewhere;
    }
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
                        if merged != self.annotations.tags {
                            self.annotations.tags = merged.clone();
                        }
                        merged
                    }
                    None => self.annotations.tags.clone(),
                };
                self.on_disk = Some(stamp);
                // The base of the next merge is what was written; it is read back from the text only if a merge
                // ever needs it, instead of copying every annotation here.
                self.base = merge::Content {
                    tags,
                    ..merge::Content::default()
                };
                // The text read or written before is tens of megabytes in a book: it is freed on a worker.
                if let Some(old) = self.base_text.replace(text) {
                    crate::background::free_later(old);
                }
                self.save.saved(revision);
                self.save.observe(self.annotations.revision(), now);
                Ok(Saved::default())
            }
            // Someone else wrote the file: save here and now, merging their changes.
            Outcome::ChangedElsewhere => self.save_at(now),
            Outcome::Failed(e) => {
                self.save.failed(e.clone(), now);
                self.save.observe(self.annotations.revision(), now);
                Err(SaveError::Failed(e))
            }
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
                // A change elsewhere is merged by the immediate save that follows.
                if !matches!(outcome, Outcome::ChangedElsewhere) {
                    let _ = self.apply_outcome(revision, outcome, now);
                }
            }
            Some(BackgroundSave::Serializing { .. }) | None => {}
        }
    }
}
