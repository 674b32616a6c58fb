//! The suggestion model: loaded once from its folder on a worker, then run over an open document as that
//! document's work, its suggestions landing as each window is done. The window
//! (Tools ▸ Suggestion Model…) and `warraq suggest --model` share it. No egui.

use std::path::{Path, PathBuf};

use crate::tr;
use std::sync::Arc;

use super::job::{Job, Poll, Waker};
use super::{OpenDocument, Work};
use crate::model::TagSet;
use crate::model::annotations::Source;
use crate::ner::{LabelMap, Model};

/// Suggestions below this score are left out unless the user asks otherwise.
pub const MIN_SCORE: f32 = 0.5;

/// A model folder, loading or loaded.
pub struct Suggester {
    pub folder: PathBuf,
    state: State,
    /// Which tag each of the model's types becomes (set when it has loaded; the user may change it).
    pub map: LabelMap,
    pub min_score: f32,
}

enum State {
    Loading(Job<Result<Model, String>>),
    Ready(Arc<Model>),
    Failed(String),
}

impl Suggester {
    /// Starts loading the model in `folder`.
    #[must_use]
    pub fn load(folder: &Path, waker: &Waker) -> Self {
        let path = folder.to_owned();
        Self {
            folder: folder.to_owned(),
            // Below the window's priority, like the runs: the threads the model computes on are started from its
            // workers and inherit their priority, so they never take the processor from a frame.
            state: State::Loading(Job::background(
                "loading the suggestion model",
                waker,
                move || Model::load(&path),
            )),
            map: Vec::new(),
            min_score: MIN_SCORE,
        }
    }

    /// Takes the loaded model when it is ready, mapping its types onto `tags`; says what happened once.
    pub fn poll(&mut self, tags: &TagSet) -> Option<String> {
        let State::Loading(job) = &mut self.state else {
            return None;
        };
        match job.poll() {
            Poll::Pending => None,
            Poll::Ready(Ok(model)) => {
                self.map = crate::ner::default_map(&model.kinds(), tags);
                let kinds = model.kinds().join(", ");
                self.state = State::Ready(Arc::new(model));
                Some(tr!(
                    "The suggestion model is loaded (%{kinds}): Suggest in This Document runs it",
                    kinds = kinds
                ))
            }
            Poll::Ready(Err(e)) => {
                self.state = State::Failed(e.clone());
                Some(tr!(
                    "The suggestion model could not be loaded: %{error}",
                    error = e
                ))
            }
            Poll::Lost => {
                let e = tr!("loading stopped unexpectedly").into_owned();
                self.state = State::Failed(e.clone());
                Some(e)
            }
        }
    }

    #[must_use]
    pub fn model(&self) -> Option<&Arc<Model>> {
        match &self.state {
            State::Ready(m) => Some(m),
            _ => None,
        }
    }

    #[must_use]
    pub fn is_loading(&self) -> bool {
        matches!(self.state, State::Loading(_))
    }

    #[must_use]
    pub fn error(&self) -> Option<&str> {
        match &self.state {
            State::Failed(e) => Some(e),
            _ => None,
        }
    }

    /// Runs the model over `d` (as its work, behind the window): each window's suggestions land in `d` as soon
    /// as it is done, and `d.model_progress` says how far it is. Nothing is suggested over an annotation `d` has
    /// when they land.
    pub fn run_on(&self, d: &mut OpenDocument, waker: &Waker) {
        let Some(model) = self.model().cloned() else {
            return;
        };
        let map = self.map.clone();
        let min = self.min_score;
        let doc = d.doc.clone();
        // A new run replaces the model's earlier suggestions (another mapping, another model).
        d.annotations
            .offer_suggestions(Vec::new(), Some(Source::Model));
        d.model_progress = Some((0, 0));
        d.spawn_feeding(Work::RunningModel, waker, move |feed| {
            // Found entities are handed over at most once a second (and at the end), so that the document's
            // saves, which start over when it changes, can finish during a long run; progress after each window.
            let mut pending: Vec<crate::ner::Found> = Vec::new();
            let mut last = std::time::Instant::now();
            let land = move |found: Vec<crate::ner::Found>, map: LabelMap, done: usize, total: usize| {
                Box::new(move |d: &mut OpenDocument| {
                    let s = crate::ner::suggestions(found, &d.doc, &d.annotations, &map, min);
                    let before = d.annotations.revision();
                    d.annotations.offer_suggestions(s, None);
                    if d.annotations.revision() != before {
                        d.save
                            .observe_quietly(d.annotations.revision(), std::time::Instant::now());
                    }
                    d.model_progress = Some((done, total));
                    None
                }) as super::Apply
            };
            let result = model.run(&doc, |done, total, found| {
                pending.extend(found);
                let hand_over = done == total || last.elapsed() >= std::time::Duration::from_secs(1);
                let found = if hand_over {
                    last = std::time::Instant::now();
                    std::mem::take(&mut pending)
                } else {
                    Vec::new()
                };
                feed.send(land(found, map.clone(), done, total))
            });
            Box::new(move |d: &mut OpenDocument| {
                d.model_progress = None;
                let n = model_suggestions(d);
                Some(match result {
                    Ok(()) => tr!(
                        "The suggestion model has read the document: %{n} of its suggestions wait under Suggestions in the panel",
                        n = n
                    ),
                    Err(e) => tr!("The suggestion model failed: %{error}", error = e),
                })
            })
        });
    }
}

/// How many of `d`'s suggestions come from the model.
#[must_use]
pub fn model_suggestions(d: &OpenDocument) -> usize {
    d.annotations
        .suggestions
        .iter()
        .filter(|s| s.suggested.is_some_and(|x| x.source == Source::Model))
        .count()
}

/// Runs `model` over `d` at once (the command line), `progress(done, total)` after each window; returns the
/// suggestions it makes.
pub fn run_now(
    model: &Model,
    map: &LabelMap,
    min_score: f32,
    d: &OpenDocument,
    mut progress: impl FnMut(usize, usize),
) -> Result<Vec<crate::model::Annotation>, String> {
    let mut out = Vec::new();
    model.run(&d.doc, |done, total, found| {
        out.extend(crate::ner::suggestions(
            found,
            &d.doc,
            &d.annotations,
            map,
            min_score,
        ));
        progress(done, total);
        true
    })?;
    Ok(out)
}
