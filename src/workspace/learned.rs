//! Suggestions learned from the annotations of a folder's documents: the learning shared by the window (while
//! annotating, and Tools ▸ Suggest from Annotations) and `warraq suggest` (the model itself is
//! `crate::model::learn`). No egui.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{OpenDocument, Waker, Work};
use crate::model::Marks;
use crate::model::annotations::Source;
use crate::model::learn::StringModel;
use crate::tr;

/// Suggestions scoring below this are not offered.
pub const MIN_SCORE: f64 = 0.5;

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
                learned.documents += usize::from(!set.items().is_empty());
            }
            Err(e) => learned.problems.push(format!("{e}; not learned from")),
        }
    }
    Ok(learned)
}

/// Whether the learner should look again at `d` while the user annotates: it has a file in a folder, some
/// annotations of its own (or the learner was asked for once), and they or its rejections changed since the
/// learner's last look (suggestions coming and going do not count: a model's, or Reject All).
#[must_use]
pub fn is_due(d: &OpenDocument) -> bool {
    d.path.is_some()
        && (!d.annotations.items().is_empty() || d.learned_at.is_some())
        && d.learned_at != Some(d.annotations.taught())
        && !d.is_running(Work::Learning)
        && d.learner_marks.is_none()
}

/// Learns from the annotations of `d`'s folder (read once per opening, then kept) and of `d` as they are now, on a
/// worker, and offers the suggestions in `d`, in place of the learner's earlier ones. With `announce`, says how
/// many there are (Tools ▸ Suggest from Annotations); while annotating it says nothing, and a folder that cannot
/// be read is said once.
///
/// What the worker learns from is taken from the document a slice per frame (a few milliseconds each, starting
/// over if the annotations change meanwhile): [`step`] goes on with it in the frames after.
pub fn start(d: &mut OpenDocument, waker: &Waker, announce: bool) -> Option<String> {
    if d.path.is_none() {
        return Some(
            tr!(
                "Suggest from Annotations learns from the documents of a folder: open a file first."
            )
            .into_owned(),
        );
    }
    // A look being prepared goes on (now to be announced); otherwise one begins.
    match &mut d.learner_marks {
        Some(p) => p.announce |= announce,
        None => {
            d.learner_marks = Some(Preparing {
                taught: d.annotations.taught(),
                marks: Marks::default(),
                announce,
            });
        }
    }
    step(d, waker, false)
}

/// The document's annotations being taken in for the learner's next look.
#[derive(Debug)]
pub struct Preparing {
    /// [`crate::model::AnnotationSet::taught`] when taking in began.
    taught: u64,
    marks: Marks,
    announce: bool,
}

/// Annotations taken in between two looks at the clock.
const SLICE: usize = 2048;
/// Time a frame spends taking them in.
const FRAME_BUDGET: Duration = Duration::from_millis(2);

/// Each frame: goes on taking in the annotations for a look that has begun, and starts the worker once they are
/// all in; with `live` (Suggest While Annotating), begins a look when one [`is_due`]. Returns what to say.
pub fn step(d: &mut OpenDocument, waker: &Waker, live: bool) -> Option<String> {
    if d.learner_marks.is_none() {
        if !(live && is_due(d)) {
            return None;
        }
        d.learner_marks = Some(Preparing {
            taught: d.annotations.taught(),
            marks: Marks::default(),
            announce: false,
        });
    }
    let mut p = d.learner_marks.take()?;
    if !live && !p.announce {
        // Suggest While Annotating was turned off meanwhile.
        return None;
    }
    if p.taught != d.annotations.taught() {
        // The annotations changed meanwhile: taken in again from the start.
        p.marks = Marks::default();
        p.taught = d.annotations.taught();
    }
    let until = Instant::now() + FRAME_BUDGET;
    loop {
        if p.marks.take(&d.annotations, SLICE) {
            break;
        }
        if Instant::now() >= until {
            d.learner_marks = Some(p);
            // The next slice comes in the next frame, even if nothing else asks for one.
            waker();
            return None;
        }
    }
    spawn_look(d, waker, p.marks, p.announce)
}

/// Starts the worker's look with the document's annotations taken in.
fn spawn_look(
    d: &mut OpenDocument,
    waker: &Waker,
    existing: Marks,
    announce: bool,
) -> Option<String> {
    let path = d.path.clone()?;
    let index = d.shared_index();
    // Marked now: whatever happens to this look (even a worker that dies), the next comes with the next change.
    d.learned_at = Some(d.annotations.taught());
    let folder_model = d.folder_learned.clone();
    d.spawn(Work::Learning, waker, move || {
        let folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_owned();
        let (l, failed) = match folder_model {
            Some(l) => (l, None),
            None => match from_folder(&folder, Some(&path)) {
                Ok(l) => (Arc::new(l), None),
                // Learned from this document alone; the folder is not read again in this opening.
                Err(e) => (Arc::new(Learned::default()), Some(e)),
            },
        };
        let mut model = l.model.clone();
        let index = index.get();
        model.learn_marks(index.document(), &existing);
        let found: Vec<crate::model::Annotation> = model
            .suggest(index.document(), index, &existing, MIN_SCORE)
            .into_iter()
            .map(|s| s.annotation)
            .collect();
        Box::new(move |d: &mut OpenDocument| {
            // What was annotated or rejected since the worker started is respected here.
            let found: Vec<_> = found
                .into_iter()
                .filter(|a| d.annotations.overlapping(a.span()).next().is_none())
                .collect();
            let n = found.len();
            let before = d.annotations.revision();
            d.annotations.offer_suggestions(found, Some(Source::Learned));
            // The learner's suggestions alone do not make the document need saving (they are learned again at the
            // next opening); they are saved with the next change.
            if d.annotations.revision() != before {
                d.save.quiet(before, d.annotations.revision());
            }
            let documents = l.documents;
            let problems = l.problems.clone();
            d.folder_learned = Some(l);
            if let Some(e) = failed {
                return Some(tr!("Learning from the folder failed: %{error}", error = e));
            }
            announce.then(|| {
                with_problems(
                    tr!(
                        "%{n} suggestions learned from the annotations of this document and the folder's others (%{d}): review them under Suggestions in the panel",
                        n = n,
                        d = documents
                    ),
                    &problems,
                )
            })
        })
    });
    None
}

/// A message followed by up to ten problems, a line each.
#[must_use]
pub fn with_problems(mut msg: String, problems: &[String]) -> String {
    for p in problems.iter().take(10) {
        msg.push('\n');
        msg.push_str(p);
    }
    msg
}
