//! Annotations (tagged spans with notes) and their undo history.
//!
//! An [`Annotation`] is a code-point span of the document with a tag, the exact text it covers, a little context
//! on each side (so it can find its place again if the file changes), a note and timestamps; it may be made of
//! several fragments (a discontinuous entity), carry attributes (Negated, Certainty…) and links to knowledge bases
//! (Wikidata:Q649). A [`Relation`] links two annotations with a type. [`AnnotationSet`] keeps annotations sorted by
//! (start, end, id), annotations and relations share one id space, and every change is an [`Edit`] that can be
//! undone and redone.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::document::Document;
use super::offsets::{CharOffset, Span};
use super::tags::TagSet;

/// The largest annotation id: ids stay exact in JSON (53-bit integers) and can never wrap. A sidecar with larger
/// ids is renumbered when it is loaded.
pub const MAX_ID: u64 = 1 << 53;

/// Characters of context kept on each side of an annotation for re-anchoring.
pub const CONTEXT_CHARS: usize = 24;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    pub id: u64,
    /// Code points into the decoded text, end exclusive.
    pub start: usize,
    pub end: usize,
    pub tag: String,
    /// The exact text covered.
    pub text: String,
    #[serde(default)]
    pub prefix: String,
    #[serde(default)]
    pub suffix: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub created: String,
    #[serde(default)]
    pub modified: String,
    /// A discontinuous annotation's pieces (code-point spans in text order, apart from each other); `start`..`end`
    /// is then their extent, and `text` the extent's text. Empty for a contiguous annotation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fragments: Vec<(usize, usize)>,
    /// Attribute values by name (a flag that is set has the value `"true"`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    /// Links to entries of knowledge bases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Who made it (the annotator name set in the window, or the user running the command line).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub annotator: String,
    /// On a suggestion: where it came from and how sure that was. `None` on an annotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggested: Option<Suggested>,
}

/// Where a suggestion came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A list of names (Tools ▸ Pre-annotate from List…, `warraq preannotate`).
    #[default]
    List,
    /// The annotations of the folder's documents (Tools ▸ Suggest from Annotations, `warraq suggest --learned`).
    Learned,
    /// A token-classification model (Tools ▸ Suggestion Model…, `warraq suggest --model`).
    Model,
}

impl Source {
    /// Its name in JSON and the sidecar.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Source::List => "list",
            Source::Learned => "learned",
            Source::Model => "model",
        }
    }
}

/// A suggestion's origin and score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Suggested {
    pub source: Source,
    /// How sure the source is, 0..=1 (a list's names: 1). Never NaN: [`Suggested::new`] and loading clamp it.
    #[serde(deserialize_with = "finite_score")]
    pub score: f32,
}

// A score is never NaN (see above), so equality is total.
impl Eq for Suggested {}

impl Suggested {
    /// A score clamped to 0..=1 (NaN is 0).
    #[must_use]
    pub fn new(source: Source, score: f64) -> Self {
        Self {
            source,
            score: clamp_score(score as f32),
        }
    }
}

fn clamp_score(s: f32) -> f32 {
    if s.is_nan() { 0.0 } else { s.clamp(0.0, 1.0) }
}

fn finite_score<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f32, D::Error> {
    f32::deserialize(d).map(clamp_score)
}

/// A reference to a knowledge-base entry: `Wikidata:Q649 موسكو`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The knowledge base ("Wikidata").
    pub db: String,
    /// The entry's id there ("Q649").
    pub id: String,
    /// Its name, for people reading.
    #[serde(default)]
    pub label: String,
}

/// A typed link between two annotations (by id): "أنتونوف —EmployedBy→ الولايات المتحدة".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    pub id: u64,
    /// The relation type's name.
    pub kind: String,
    pub from: u64,
    pub to: u64,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub created: String,
    #[serde(default)]
    pub modified: String,
}

impl Annotation {
    /// How sure its source is, when it is a suggestion (a list's names, and annotations: 1).
    #[must_use]
    pub fn score(&self) -> f32 {
        self.suggested.map_or(1.0, |s| s.score)
    }

    #[must_use]
    pub fn span(&self) -> Span {
        Span {
            start: CharOffset(self.start),
            end: CharOffset(self.end),
        }
    }

    /// The pieces of text it covers: its fragments, or its one span.
    #[must_use]
    pub fn pieces(&self) -> Vec<Span> {
        if self.fragments.is_empty() {
            vec![self.span()]
        } else {
            self.fragments
                .iter()
                .map(|&(s, e)| Span::new(CharOffset(s), CharOffset(e)))
                .collect()
        }
    }

    /// What it covers, for reading: its text, or its pieces' texts joined by " … ".
    #[must_use]
    pub fn shown_text(&self, doc: &Document) -> String {
        if self.fragments.is_empty() {
            return self.text.clone();
        }
        self.pieces()
            .iter()
            .filter(|p| p.end.0 <= doc.char_count())
            .map(|p| doc.slice(*p))
            .collect::<Vec<_>>()
            .join(" … ")
    }

    /// Places it at `start`..`end`, its fragments moved by as much.
    pub fn shift_to(&mut self, start: usize, end: usize) {
        let delta = start as i64 - self.start as i64;
        for f in &mut self.fragments {
            f.0 = (f.0 as i64 + delta).max(0) as usize;
            f.1 = (f.1 as i64 + delta).max(0) as usize;
        }
        self.start = start;
        self.end = end;
    }

    fn sort_key(&self) -> (usize, usize, u64) {
        (self.start, self.end, self.id)
    }
}

/// What tells suggestions apart: their span and tag.
fn suggestion_key(s: &Annotation) -> (usize, usize, &str) {
    (s.start, s.end, s.tag.as_str())
}

/// Puts `new` into `list` (sorted by start and end), leaving out those whose span and tag it has already, in one
/// pass: sorting the new ones and merging, never shifting the list once per suggestion.
fn merge_suggestions_in(list: &mut Vec<Annotation>, mut new: Vec<Annotation>) {
    if new.is_empty() {
        return;
    }
    {
        // Borrowed keys: no tag copied for every suggestion already in the list.
        let have: std::collections::HashSet<(usize, usize, &str)> =
            list.iter().map(suggestion_key).collect();
        new.retain(|s| !have.contains(&suggestion_key(s)));
    }
    new.sort_by(|a, b| (a.start, a.end, &a.tag).cmp(&(b.start, b.end, &b.tag)));
    new.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.tag == b.tag);
    if new.is_empty() {
        return;
    }
    let old = std::mem::take(list);
    list.reserve(old.len() + new.len());
    let mut new = new.into_iter().peekable();
    for s in old {
        while let Some(n) = new.next_if(|n| (n.start, n.end) < (s.start, s.end)) {
            list.push(n);
        }
        list.push(s);
    }
    list.extend(new);
}

/// A suggestion of `tag` over `span` (with its text and context), from `suggested`'s source.
#[must_use]
pub fn suggestion(
    doc: &Document,
    span: Span,
    tag: &str,
    suggested: Suggested,
    time: &str,
) -> Annotation {
    Annotation {
        suggested: Some(suggested),
        ..quoted(doc, span, tag, time)
    }
}

/// An annotation of `tag` over `span` with its text and context, made at `time` (no id, no annotator yet).
fn quoted(doc: &Document, span: Span, tag: &str, time: &str) -> Annotation {
    let (text, prefix, suffix) = quote(doc, span);
    Annotation {
        start: span.start.0,
        end: span.end.0,
        tag: tag.to_owned(),
        text,
        prefix,
        suffix,
        created: time.to_owned(),
        modified: time.to_owned(),
        ..Annotation::default()
    }
}

/// The current time as RFC 3339 (seconds), for `created` and `modified`.
#[must_use]
pub fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

/// What an annotation says besides its tag and note, on one line: its attributes (a set flag by its name) and
/// its links (`Negated · Certainty=High · Wikidata:Q649`). The panel shows and filters it; the hover shows it.
#[must_use]
pub fn said_of(a: &Annotation) -> String {
    a.attributes
        .iter()
        .map(|(k, v)| {
            if v == "true" {
                k.clone()
            } else {
                format!("{k}={v}")
            }
        })
        .chain(a.links.iter().map(|l| format!("{}:{}", l.db, l.id)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// An annotation to be made (by an import): its pieces of text (one for an ordinary annotation), tag and the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    pub pieces: Vec<Span>,
    pub tag: String,
    pub note: String,
    pub attributes: BTreeMap<String, String>,
    pub links: Vec<Link>,
    /// Who made it, when the source says.
    pub annotator: String,
}

/// Pieces within the text, in order, those that touch or overlap joined.
fn joined_pieces(doc: &Document, pieces: &[Span]) -> Vec<Span> {
    let mut pieces: Vec<Span> = pieces
        .iter()
        .copied()
        .filter(|p| !p.is_empty() && p.end.0 <= doc.char_count())
        .collect();
    pieces.sort_by_key(|p| (p.start, p.end));
    let mut joined: Vec<Span> = Vec::with_capacity(pieces.len());
    for p in pieces {
        match joined.last_mut() {
            Some(last) if p.start <= last.end => last.end = last.end.max(p.end),
            _ => joined.push(p),
        }
    }
    joined
}

/// `before` with `change` applied, when that changes anything.
fn changed<T: Clone + PartialEq>(before: &T, change: impl FnOnce(&mut T)) -> Option<T> {
    let mut after = before.clone();
    change(&mut after);
    (after != *before).then_some(after)
}

/// The quote and its context for a span of a document.
#[must_use]
pub fn quote(doc: &Document, span: Span) -> (String, String, String) {
    let text = doc.slice(span);
    let pre_start = CharOffset(span.start.0.saturating_sub(CONTEXT_CHARS));
    let prefix = doc.slice(Span::new(pre_start, span.start));
    let post_end = CharOffset((span.end.0 + CONTEXT_CHARS).min(doc.char_count()));
    let suffix = doc.slice(Span::new(span.end, post_end));
    (text, prefix, suffix)
}

/// A curator's answer to one curation group ([`AnnotationSet::decide`]).
#[derive(Debug, Clone, Copy)]
pub struct Decision<'a> {
    pub key: u64,
    /// The versions the answer keeps, and the group's other versions.
    pub keep: &'a [&'a Annotation],
    pub drop: &'a [&'a Annotation],
}

/// Whether `rejected` (sorted by span) holds a rejection of `tag` at `start..end`.
fn rejected_in(rejected: &[Annotation], start: usize, end: usize, tag: &str) -> bool {
    let i = rejected.partition_point(|a| (a.start, a.end) < (start, end));
    rejected[i..]
        .iter()
        .take_while(|a| (a.start, a.end) == (start, end))
        .any(|a| a.tag == tag)
}

/// A document's annotations in brief, taken in one quick pass for work done on a worker (the learner, matching a
/// list of names): each annotation's span and tag (its text is the document's there) and the rejected
/// suggestions. Copying the annotations themselves took 70 ms of a frame in a book with 100 000 of them.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    /// (start, end, index into `tags`, whether one span rather than discontinuous), in the set's order.
    spans: Vec<(usize, usize, u32, bool)>,
    tags: Vec<String>,
    ids: HashMap<String, u32>,
    rejected: Vec<Annotation>,
}

impl Marks {
    /// Takes in up to `n` more of `set`'s annotations (after those taken so far, from the same unchanged set);
    /// true once all are in, the rejections with them.
    pub fn take(&mut self, set: &AnnotationSet, n: usize) -> bool {
        let items = set.items();
        let from = self.spans.len().min(items.len());
        let to = from.saturating_add(n).min(items.len());
        for a in &items[from..to] {
            let tag = match self.ids.get(a.tag.as_str()) {
                Some(&t) => t,
                None => {
                    let t = u32::try_from(self.tags.len()).unwrap_or(u32::MAX);
                    self.tags.push(a.tag.clone());
                    self.ids.insert(a.tag.clone(), t);
                    t
                }
            };
            self.spans
                .push((a.start, a.end, tag, a.fragments.is_empty()));
        }
        let done = to == items.len();
        if done {
            self.rejected.clone_from(&set.rejected);
        }
        done
    }

    /// Each annotation: start, end, tag, and whether it is one span (not discontinuous).
    pub fn iter(&self) -> impl Iterator<Item = (usize, usize, &str, bool)> + '_ {
        self.spans.iter().map(|&(start, end, tag, whole)| {
            let tag = self.tags.get(tag as usize).map_or("", String::as_str);
            (start, end, tag, whole)
        })
    }

    /// How many annotations.
    #[must_use]
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The rejected suggestions, sorted by span.
    #[must_use]
    pub fn rejected(&self) -> &[Annotation] {
        &self.rejected
    }

    /// Whether a suggestion of `tag` at `start..end` was rejected.
    #[must_use]
    pub fn is_rejected(&self, start: usize, end: usize, tag: &str) -> bool {
        rejected_in(&self.rejected, start, end, tag)
    }

    /// Each annotation's (start, end, tag).
    #[must_use]
    pub fn tagged(&self) -> std::collections::HashSet<(usize, usize, &str)> {
        self.iter().map(|(s, e, t, _)| (s, e, t)).collect()
    }
}

/// One undoable change.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    Add(Annotation),
    Remove(Annotation),
    Update {
        before: Box<Annotation>,
        after: Box<Annotation>,
    },
    Tags {
        before: TagSet,
        after: TagSet,
        renames: Vec<(String, String)>,
    },
    /// Suggestions taken out of the list (accepted or rejected) and put in (added): undo puts back what was taken
    /// and takes out what was put in, leaving the suggestions offered since (a model's, the learner's) alone.
    Suggestions {
        removed: Vec<Annotation>,
        added: Vec<Annotation>,
    },
    /// The list of rejected suggestions replaced (one was rejected).
    Rejected {
        before: Vec<Annotation>,
        after: Vec<Annotation>,
    },
    AddRelation(Relation),
    RemoveRelation(Relation),
    UpdateRelation {
        before: Relation,
        after: Relation,
    },
    /// The document marked finished (true) or not.
    Finished(bool),
    /// A curation group ([`super::curation::Group::key`]) marked decided (true) or not.
    Decided {
        key: u64,
        on: bool,
    },
    Batch(Vec<Edit>),
}

impl Edit {
    /// Whether the edit changes what the learner learns from (annotations, tags, rejections).
    fn teaches(&self) -> bool {
        match self {
            Edit::Add(_)
            | Edit::Remove(_)
            | Edit::Update { .. }
            | Edit::Tags { .. }
            | Edit::Rejected { .. } => true,
            Edit::Batch(edits) => edits.iter().any(Edit::teaches),
            Edit::Suggestions { .. }
            | Edit::AddRelation(_)
            | Edit::RemoveRelation(_)
            | Edit::UpdateRelation { .. }
            | Edit::Finished(_)
            | Edit::Decided { .. } => false,
        }
    }

    fn inverse(&self) -> Edit {
        match self {
            Edit::Add(a) => Edit::Remove(a.clone()),
            Edit::Remove(a) => Edit::Add(a.clone()),
            Edit::Update { before, after } => Edit::Update {
                before: after.clone(),
                after: before.clone(),
            },
            Edit::Tags {
                before,
                after,
                renames,
            } => Edit::Tags {
                before: after.clone(),
                after: before.clone(),
                renames: renames
                    .iter()
                    .map(|(a, b)| (b.clone(), a.clone()))
                    .collect(),
            },
            Edit::Suggestions { removed, added } => Edit::Suggestions {
                removed: added.clone(),
                added: removed.clone(),
            },
            Edit::Rejected { before, after } => Edit::Rejected {
                before: after.clone(),
                after: before.clone(),
            },
            Edit::Finished(f) => Edit::Finished(!f),
            Edit::Decided { key, on } => Edit::Decided { key: *key, on: !on },
            Edit::AddRelation(r) => Edit::RemoveRelation(r.clone()),
            Edit::RemoveRelation(r) => Edit::AddRelation(r.clone()),
            Edit::UpdateRelation { before, after } => Edit::UpdateRelation {
                before: after.clone(),
                after: before.clone(),
            },
            Edit::Batch(edits) => Edit::Batch(edits.iter().rev().map(Edit::inverse).collect()),
        }
    }
}

/// How many placed annotations carry each tag, kept as annotations come and go: the panel shows the counts every
/// frame, and counting a book's 100 000 annotations would cost milliseconds each time one changes.
#[derive(Debug, Clone, Default)]
struct TagCounts {
    tags: std::collections::HashMap<String, usize>,
    /// Placed annotations with at least one knowledge-base link.
    linked: usize,
}

impl TagCounts {
    fn of(items: &[Annotation]) -> Self {
        let mut counts = Self::default();
        for a in items {
            counts.add(a);
        }
        counts
    }

    fn add(&mut self, a: &Annotation) {
        match self.tags.get_mut(&a.tag) {
            Some(n) => *n += 1,
            None => {
                self.tags.insert(a.tag.clone(), 1);
            }
        }
        self.linked += usize::from(!a.links.is_empty());
    }

    fn remove(&mut self, a: &Annotation) {
        if let Some(n) = self.tags.get_mut(&a.tag) {
            *n = n.saturating_sub(1);
        }
        self.linked = self.linked.saturating_sub(usize::from(!a.links.is_empty()));
    }
}

/// The annotations of one document, its tag set and the undo history.
#[derive(Debug, Clone, Default)]
pub struct AnnotationSet {
    items: Vec<Annotation>,
    /// Annotations that could not be placed in the current text; kept, never dropped.
    pub unplaced: Vec<Annotation>,
    /// Proposed annotations (from a list, the learner or a model) waiting to be accepted or rejected, sorted by
    /// start and end.
    pub suggestions: Vec<Annotation>,
    /// Suggestions the annotator rejected one by one: not proposed there again, and the learner counts them
    /// against their text's score. Sorted by start.
    rejected: Vec<Annotation>,
    pub tags: TagSet,
    next_id: u64,
    undo: Vec<Edit>,
    redo: Vec<Edit>,
    /// Increases with every change; the store compares it with the last saved value.
    revision: u64,
    /// Increases with every change the learner learns from: annotations (their text and tags) and rejections —
    /// not suggestions coming and going.
    taught: u64,
    /// Length of the longest annotation, for finding overlaps by binary search.
    max_len: usize,
    counts: TagCounts,
    /// Relations between annotations (placed or unplaced), in the order they were made.
    relations: Vec<Relation>,
    /// Ids changed by [`Self::renumber`] since the window last asked ([`Self::take_renumbered`]).
    renumbered: Vec<(u64, u64)>,
    /// Who makes the annotations created from now on (recorded on each).
    pub annotator: String,
    /// The annotator marked the document finished (kept in the sidecar; the folder list shows it).
    finished: bool,
    /// This document is a curated copy: where its annotators' copies are, and what was decided.
    curation: Option<super::curation::Record>,
}

impl AnnotationSet {
    /// A set from loaded annotations (sorted here); ids must be unique.
    #[must_use]
    pub fn new(mut items: Vec<Annotation>, unplaced: Vec<Annotation>, tags: TagSet) -> Self {
        items.sort_by_key(Annotation::sort_key);
        let next_id = items
            .iter()
            .chain(&unplaced)
            .map(|a| a.id.saturating_add(1))
            .max()
            .unwrap_or(1);
        let max_len = items
            .iter()
            .map(|a| a.end.saturating_sub(a.start))
            .max()
            .unwrap_or(0);
        let counts = TagCounts::of(&items);
        Self {
            items,
            unplaced,
            suggestions: Vec::new(),
            rejected: Vec::new(),
            tags,
            next_id,
            undo: Vec::new(),
            redo: Vec::new(),
            revision: 0,
            taught: 0,
            max_len,
            counts,
            relations: Vec::new(),
            renumbered: Vec::new(),
            annotator: String::new(),
            finished: false,
            curation: None,
        }
    }

    /// The set marked finished or not, as loaded.
    #[must_use]
    pub fn with_finished(mut self, finished: bool) -> Self {
        self.finished = finished;
        self
    }

    /// Whether the document is marked finished.
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The finished mark as a merge found it (not an edit of this window: no undo step).
    pub fn set_loaded_finished(&mut self, finished: bool) {
        self.finished = finished;
    }

    /// Marks the document finished or not (an undoable change, saved with the annotations).
    pub fn set_finished(&mut self, finished: bool) -> bool {
        if finished == self.finished {
            return false;
        }
        self.record(Edit::Finished(finished));
        true
    }

    /// The set with its curation record, as loaded.
    #[must_use]
    pub fn with_curation(mut self, curation: Option<super::curation::Record>) -> Self {
        self.curation = curation.map(super::curation::Record::normalized);
        self
    }

    /// The curation record, when this document is a curated copy.
    #[must_use]
    pub fn curation(&self) -> Option<&super::curation::Record> {
        self.curation.as_ref()
    }

    /// The curation record as a merge found it (not an edit of this window: no undo step).
    pub fn set_loaded_curation(&mut self, curation: Option<super::curation::Record>) {
        self.curation = curation.map(super::curation::Record::normalized);
    }

    /// Makes this document a curated copy of the annotators' copies at `sources` (kept when they are the same);
    /// a change to save, not to undo.
    pub fn start_curation(&mut self, sources: Vec<String>) {
        match &mut self.curation {
            Some(r) if r.sources == sources => {}
            Some(r) => {
                r.sources = sources;
                self.revision += 1;
            }
            None => {
                self.curation = Some(super::curation::Record {
                    sources,
                    decided: Vec::new(),
                });
                self.revision += 1;
            }
        }
    }

    /// Answers curation groups in one undoable step. For each group: `keep` are the versions the answer keeps,
    /// `drop` the others. What the curated copy holds of the group's versions becomes exactly `keep`: a kept version
    /// not here is added (with its note, attributes, links and annotator), a dropped one here is removed (with its
    /// relations) — so a new answer replaces an earlier one. The key is marked decided. Returns (added, removed).
    pub fn decide(&mut self, doc: &Document, decisions: &[Decision<'_>]) -> (usize, usize) {
        if self.curation.is_none() {
            return (0, 0);
        }
        // Tags the versions bring are added in the same step (undo takes them back too).
        let tags_before = self.tags.clone();
        // What is here already, by pieces and tag, among the annotations the answers touch.
        let mut here: std::collections::HashMap<(Vec<Span>, String), u64> =
            std::collections::HashMap::new();
        for d in decisions {
            for a in d.keep.iter().chain(d.drop) {
                for b in self.overlapping(a.span()) {
                    here.entry((b.pieces(), b.tag.clone())).or_insert(b.id);
                }
            }
        }
        // Grouped by kind (relations, removals, additions, decisions), so that a batch of 100 000 is applied in one
        // pass of each.
        let (mut unrelate, mut removes, mut adds, mut decided) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut added, mut removed) = (0, 0);
        let mut gone: std::collections::HashSet<u64> = std::collections::HashSet::new();
        let mut relations_gone: std::collections::HashSet<u64> = std::collections::HashSet::new();
        for d in decisions {
            for a in d.drop {
                let Some(&id) = here.get(&(a.pieces(), a.tag.clone())) else {
                    continue;
                };
                if !gone.insert(id) {
                    continue;
                }
                unrelate.extend(
                    self.relations_of(id)
                        .filter(|r| relations_gone.insert(r.id))
                        .cloned()
                        .map(Edit::RemoveRelation),
                );
                if let Some(b) = self.get(id) {
                    removes.push(Edit::Remove(b.clone()));
                    removed += 1;
                }
            }
            for a in d.keep {
                let identity = (a.pieces(), a.tag.clone());
                if a.end > doc.char_count() || here.contains_key(&identity) {
                    continue;
                }
                self.tags.ensure(&a.tag);
                let (text, prefix, suffix) = quote(doc, a.span());
                let id = self.next_id;
                self.next_id = self.next_id.saturating_add(1);
                here.insert(identity, id);
                adds.push(Edit::Add(Annotation {
                    id,
                    text,
                    prefix,
                    suffix,
                    ..(*a).clone()
                }));
                added += 1;
            }
            if !self.curation.as_ref().is_some_and(|r| r.is_decided(d.key)) {
                decided.push(Edit::Decided {
                    key: d.key,
                    on: true,
                });
            }
        }
        let mut edits = Vec::new();
        if self.tags != tags_before {
            let after = std::mem::replace(&mut self.tags, tags_before.clone());
            edits.push(Edit::Tags {
                before: tags_before,
                after,
                renames: Vec::new(),
            });
        }
        edits.append(&mut unrelate);
        edits.append(&mut removes);
        edits.append(&mut adds);
        edits.append(&mut decided);
        if !edits.is_empty() {
            self.record(Edit::Batch(edits));
        }
        (added, removed)
    }

    /// Asks a decided curation group again (its annotations stay; an undoable step).
    pub fn undecide(&mut self, key: u64) -> bool {
        if !self.curation.as_ref().is_some_and(|r| r.is_decided(key)) {
            return false;
        }
        self.record(Edit::Decided { key, on: false });
        true
    }

    /// The set with these relations (loaded with it); ids stay unique across annotations and relations.
    #[must_use]
    pub fn with_relations(mut self, relations: Vec<Relation>) -> Self {
        let after = relations
            .iter()
            .map(|r| r.id.saturating_add(1))
            .max()
            .unwrap_or(1);
        self.next_id = self.next_id.max(after);
        self.relations = relations;
        self
    }

    /// The relations, in the order they were made.
    #[must_use]
    pub fn relations(&self) -> &[Relation] {
        &self.relations
    }

    /// The relation `id`.
    #[must_use]
    pub fn relation(&self, id: u64) -> Option<&Relation> {
        self.relations.iter().find(|r| r.id == id)
    }

    /// The relations that have annotation `id` at either end.
    pub fn relations_of(&self, id: u64) -> impl Iterator<Item = &Relation> {
        self.relations
            .iter()
            .filter(move |r| r.from == id || r.to == id)
    }

    /// An annotation, placed or unplaced.
    #[must_use]
    pub fn any(&self, id: u64) -> Option<&Annotation> {
        self.get(id)
            .or_else(|| self.unplaced.iter().find(|a| a.id == id))
    }

    /// Links annotation `from` to annotation `to` with a relation of type `kind` (added to the tag set if new);
    /// returns its id. The same link twice is one relation; an annotation is not linked to itself.
    pub fn relate(&mut self, from: u64, to: u64, kind: &str) -> Option<u64> {
        if from == to
            || kind.trim().is_empty()
            || self.any(from).is_none()
            || self.any(to).is_none()
        {
            return None;
        }
        if let Some(r) = self
            .relations
            .iter()
            .find(|r| r.from == from && r.to == to && r.kind == kind)
        {
            return Some(r.id);
        }
        let id = self.next_id;
        self.next_id = self.next_id.saturating_add(1);
        let time = now();
        let add = Edit::AddRelation(Relation {
            id,
            kind: kind.to_owned(),
            from,
            to,
            note: String::new(),
            created: time.clone(),
            modified: time,
        });
        let edit = self.with_new_type(kind, add);
        self.record(edit);
        Some(id)
    }

    /// `edit`, preceded in the same undoable step by adding relation type `kind` to the tag set when it is new (so
    /// undo and redo take the type away and bring it back with the relation).
    fn with_new_type(&self, kind: &str, edit: Edit) -> Edit {
        if self.tags.relation(kind).is_some() {
            return edit;
        }
        let before = self.tags.clone();
        let mut after = before.clone();
        after.ensure_relation(kind);
        Edit::Batch(vec![
            Edit::Tags {
                before,
                after,
                renames: Vec::new(),
            },
            edit,
        ])
    }

    /// Changes a relation's type.
    pub fn retype_relation(&mut self, id: u64, kind: &str) -> bool {
        if kind.trim().is_empty() {
            return false;
        }
        let Some(before) = self.relation(id).cloned() else {
            return false;
        };
        if before.kind == kind {
            return false;
        }
        let mut after = before.clone();
        after.kind = kind.to_owned();
        after.modified = now();
        let edit = self.with_new_type(kind, Edit::UpdateRelation { before, after });
        self.record(edit);
        true
    }

    /// Changes a relation's note.
    pub fn set_relation_note(&mut self, id: u64, note: &str) -> bool {
        self.update_relation(id, |r| r.note = note.to_owned())
    }

    /// Turns a relation around (from becomes to).
    pub fn reverse_relation(&mut self, id: u64) -> bool {
        self.update_relation(id, |r| std::mem::swap(&mut r.from, &mut r.to))
    }

    fn update_relation(&mut self, id: u64, change: impl FnOnce(&mut Relation)) -> bool {
        let Some(before) = self.relation(id).cloned() else {
            return false;
        };
        let Some(mut after) = changed(&before, change) else {
            return false;
        };
        after.modified = now();
        self.record(Edit::UpdateRelation { before, after });
        true
    }

    /// Deletes a relation.
    pub fn delete_relation(&mut self, id: u64) -> bool {
        let Some(r) = self.relation(id).cloned() else {
            return false;
        };
        self.record(Edit::RemoveRelation(r));
        true
    }

    /// The placed annotations, taken out of the set (no copy).
    #[must_use]
    pub fn into_items(self) -> Vec<Annotation> {
        self.items
    }

    #[must_use]
    pub fn items(&self) -> &[Annotation] {
        &self.items
    }

    /// How many placed annotations carry `tag`.
    #[must_use]
    pub fn count_of(&self, tag: &str) -> usize {
        self.counts.tags.get(tag).copied().unwrap_or(0)
    }

    /// How many placed annotations have a knowledge-base link.
    #[must_use]
    pub fn linked_count(&self) -> usize {
        self.counts.linked
    }

    #[must_use]
    pub fn get(&self, id: u64) -> Option<&Annotation> {
        self.items.iter().find(|a| a.id == id)
    }

    #[must_use]
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Changes with every change the learner learns from (see the field), and only with those.
    #[must_use]
    pub fn taught(&self) -> u64 {
        self.taught
    }

    #[must_use]
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    #[must_use]
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Annotations overlapping a span (for painting), in order.
    pub fn overlapping(&self, span: Span) -> impl Iterator<Item = &Annotation> {
        // Items are sorted by start: everything starting at or after span.end is out, and nothing that starts more
        // than the longest annotation's length before span.start can reach it.
        let end = self.items.partition_point(|a| a.start < span.end.0);
        let first = self.items[..end].partition_point(|a| a.start + self.max_len < span.start.0);
        self.items[first..end]
            .iter()
            .filter(move |a| a.end > span.start.0 || (a.start == a.end && a.start >= span.start.0))
    }

    /// Annotations containing a position, innermost (shortest) first.
    #[must_use]
    pub fn at(&self, offset: CharOffset) -> Vec<&Annotation> {
        let mut v: Vec<&Annotation> = self
            .overlapping(Span::new(offset, CharOffset(offset.0 + 1)))
            .filter(|a| a.start <= offset.0 && offset.0 < a.end)
            // Between a discontinuous annotation's pieces is not in it.
            .filter(|a| {
                a.fragments.is_empty()
                    || a.fragments
                        .iter()
                        .any(|&(s, e)| s <= offset.0 && offset.0 < e)
            })
            .collect();
        v.sort_by_key(|a| a.end - a.start);
        v
    }

    /// Tags a span; returns the new annotation's id. An identical annotation (same span and tag) is not duplicated.
    pub fn create(&mut self, doc: &Document, span: Span, tag: &str) -> Option<u64> {
        if span.is_empty() || span.end.0 > doc.char_count() {
            return None;
        }
        let first = self
            .items
            .partition_point(|a| (a.start, a.end) < (span.start.0, span.end.0));
        if let Some(a) = self.items[first..]
            .iter()
            .take_while(|a| a.span() == span)
            .find(|a| a.tag == tag)
        {
            return Some(a.id);
        }
        self.tags.ensure(tag);
        let a = self.new_annotation(doc, span, tag, &now());
        let id = a.id;
        self.record(Edit::Add(a));
        Some(id)
    }

    /// A new annotation with the next id, its quote and context.
    fn new_annotation(&mut self, doc: &Document, span: Span, tag: &str, time: &str) -> Annotation {
        let id = self.next_id;
        self.next_id = self.next_id.saturating_add(1);
        Annotation {
            id,
            annotator: self.annotator.clone(),
            ..quoted(doc, span, tag, time)
        }
    }

    /// A set made in one go from spans with their tags and notes (an import); see [`Self::from_drafts`].
    #[must_use]
    pub fn from_spans(
        doc: &Document,
        spans: Vec<(Span, String, String)>,
        tags: TagSet,
    ) -> (Self, Vec<Option<u64>>) {
        let drafts = spans
            .into_iter()
            .map(|(span, tag, note)| Draft {
                pieces: vec![span],
                tag,
                note,
                ..Draft::default()
            })
            .collect();
        Self::from_drafts(doc, drafts, tags)
    }

    /// A set made in one go from drafts (an import): identical drafts (same pieces and tag) are kept once, unknown
    /// tags are added, empty or out-of-range pieces are skipped (a draft with none left is skipped). Linear in the
    /// number of drafts (then one sort), whatever their order. Returns the set and, for each draft, the id it got
    /// (`None` when skipped).
    #[must_use]
    pub fn from_drafts(
        doc: &Document,
        drafts: Vec<Draft>,
        tags: TagSet,
    ) -> (Self, Vec<Option<u64>>) {
        let mut set = Self::new(Vec::new(), Vec::new(), tags);
        set.tags.ensure_all(drafts.iter().map(|d| d.tag.as_str()));
        let time = now();
        let mut seen: std::collections::HashMap<(Vec<(usize, usize)>, String), u64> =
            std::collections::HashMap::new();
        let mut ids = Vec::with_capacity(drafts.len());
        let mut items = Vec::with_capacity(drafts.len());
        for draft in drafts {
            let pieces = joined_pieces(doc, &draft.pieces);
            let (Some(first), Some(last)) = (pieces.first(), pieces.last()) else {
                ids.push(None);
                continue;
            };
            let key: Vec<(usize, usize)> = pieces.iter().map(|p| (p.start.0, p.end.0)).collect();
            let key = (key, draft.tag.clone());
            if let Some(&id) = seen.get(&key) {
                ids.push(Some(id));
                continue;
            }
            let extent = Span::new(first.start, last.end);
            let mut a = set.new_annotation(doc, extent, &draft.tag, &time);
            if pieces.len() > 1 {
                a.fragments.clone_from(&key.0);
            }
            a.note = draft.note;
            a.attributes = draft.attributes;
            a.links = draft.links;
            if !draft.annotator.is_empty() {
                a.annotator = draft.annotator;
            }
            seen.insert(key, a.id);
            ids.push(Some(a.id));
            items.push(a);
        }
        let tags = std::mem::take(&mut set.tags);
        (Self::new(items, Vec::new(), tags), ids)
    }

    /// Tags several spans in one undoable step (skipping spans that already carry this tag); returns the new ids.
    pub fn create_batch(&mut self, doc: &Document, spans: &[Span], tag: &str) -> Vec<u64> {
        self.tags.ensure(tag);
        let time = now();
        let mut edits = Vec::new();
        let mut ids = Vec::new();
        let mut taken: std::collections::HashSet<(usize, usize)> = self
            .items
            .iter()
            .filter(|a| a.tag == tag)
            .map(|a| (a.start, a.end))
            .collect();
        for &span in spans {
            if span.is_empty()
                || span.end.0 > doc.char_count()
                || !taken.insert((span.start.0, span.end.0))
            {
                continue;
            }
            let a = self.new_annotation(doc, span, tag, &time);
            ids.push(a.id);
            edits.push(Edit::Add(a));
        }
        if !edits.is_empty() {
            self.record(Edit::Batch(edits));
        }
        ids
    }

    /// Turns suggestions into annotations in one undoable step (`which`: their indices; all when `None`). Where
    /// several of them propose different tags for one span, only the one scoring highest is taken (the first of
    /// equals); the others stay in the list to review. Accepting many at once also passes over a span that
    /// already has an annotation (of any tag): it was decided; accepting one by itself always takes it.
    pub fn accept_suggestions(&mut self, doc: &Document, which: Option<&[usize]>) -> usize {
        let all: Vec<usize>;
        let idx = match which {
            Some(idx) => idx,
            None => {
                all = (0..self.suggestions.len()).collect();
                &all
            }
        };
        let mut best: std::collections::HashMap<(usize, usize), usize> =
            std::collections::HashMap::new();
        let many = idx.len() > 1;
        for &i in idx {
            let Some(s) = self.suggestions.get(i) else {
                continue;
            };
            if many && self.has_span(s.start, s.end) {
                continue;
            }
            best.entry((s.start, s.end))
                .and_modify(|b| {
                    let old = &self.suggestions[*b];
                    if s.score() > old.score() || (s.score() == old.score() && i < *b) {
                        *b = i;
                    }
                })
                .or_insert(i);
        }
        let mut taken: Vec<usize> = best.into_values().collect();
        taken.sort_unstable();
        let which = Some(taken.as_slice());
        let chosen: Vec<Annotation> = taken.iter().map(|&i| self.suggestions[i].clone()).collect();
        let mut n = 0;
        let mut by_tag: Vec<(String, Vec<Span>)> = Vec::new();
        for s in &chosen {
            match by_tag.iter_mut().find(|(t, _)| *t == s.tag) {
                Some((_, v)) => v.push(s.span()),
                None => by_tag.push((s.tag.clone(), vec![s.span()])),
            }
        }
        // One batch for all tags: gather the adds, then record them together.
        let before = self.undo.len();
        for (tag, spans) in by_tag {
            n += self.create_batch(doc, &spans, &tag).len();
        }
        let mut edits: Vec<Edit> = self
            .undo
            .drain(before..)
            .flat_map(|e| match e {
                Edit::Batch(v) => v,
                other => vec![other],
            })
            .collect();
        // The accepted suggestions leave the list in the same step, so undo brings them back as suggestions.
        let removed = self.suggestions_taken(which);
        if !removed.is_empty() {
            let change = Edit::Suggestions {
                removed,
                added: Vec::new(),
            };
            self.apply(&change);
            edits.push(change);
        }
        if !edits.is_empty() {
            self.undo.push(Edit::Batch(edits));
            self.redo.clear();
            self.revision += 1;
        }
        n
    }

    /// The suggestions `which` names (their indices; all when `None`).
    fn suggestions_taken(&self, which: Option<&[usize]>) -> Vec<Annotation> {
        let Some(idx) = which else {
            return self.suggestions.clone();
        };
        let taken: std::collections::BTreeSet<usize> = idx.iter().copied().collect();
        taken
            .into_iter()
            .filter_map(|i| self.suggestions.get(i).cloned())
            .collect()
    }

    /// Drops suggestions (`which`: their indices; all when `None`) in one undoable step. Those rejected by index
    /// are kept as rejected (see [`Self::rejected`]); rejecting them all only clears the list.
    pub fn reject_suggestions(&mut self, which: Option<&[usize]>) {
        let removed = self.suggestions_taken(which);
        if removed.is_empty() {
            return;
        }
        let mut edits = vec![Edit::Suggestions {
            removed: removed.clone(),
            added: Vec::new(),
        }];
        if which.is_some() {
            let mut rejected = self.rejected.clone();
            for s in removed {
                if !self.is_rejected(s.start, s.end, &s.tag) {
                    rejected.push(s);
                }
            }
            rejected.sort_by_key(|a| (a.start, a.end));
            if rejected != self.rejected {
                edits.push(Edit::Rejected {
                    before: self.rejected.clone(),
                    after: rejected,
                });
            }
        }
        self.record(Edit::Batch(edits));
    }

    /// The suggestions rejected one by one, sorted by start.
    #[must_use]
    pub fn rejected(&self) -> &[Annotation] {
        &self.rejected
    }

    /// Whether `tag` over start..end was rejected.
    #[must_use]
    pub fn is_rejected(&self, start: usize, end: usize, tag: &str) -> bool {
        rejected_in(&self.rejected, start, end, tag)
    }

    /// For each suggestion, whether an annotation covers exactly its span: one walk over both lists, sorted by
    /// span (a list out of order is searched for where it goes back).
    #[must_use]
    pub fn suggestions_on_annotations(&self) -> Vec<bool> {
        let mut out = Vec::with_capacity(self.suggestions.len());
        let mut i = 0;
        let mut last = (0, 0);
        for s in &self.suggestions {
            let key = (s.start, s.end);
            if key < last {
                i = self.items.partition_point(|a| (a.start, a.end) < key);
            }
            last = key;
            while self.items.get(i).is_some_and(|a| (a.start, a.end) < key) {
                i += 1;
            }
            out.push(self.items.get(i).is_some_and(|a| (a.start, a.end) == key));
        }
        out
    }

    /// Whether an annotation covers exactly `start..end`.
    #[must_use]
    pub fn has_span(&self, start: usize, end: usize) -> bool {
        let span = Span::new(CharOffset(start), CharOffset(end));
        self.overlapping(span)
            .any(|a| a.start == start && a.end == end)
    }

    /// The annotations in brief (spans and tags) and the rejections, for work on a worker, in one pass (the
    /// window takes them a slice per frame: [`Marks::take`]).
    #[must_use]
    pub fn marks(&self) -> Marks {
        let mut marks = Marks::default();
        marks.take(self, usize::MAX);
        marks
    }

    /// The rejected suggestions as loaded (sorted here).
    #[must_use]
    pub fn with_rejected(mut self, mut rejected: Vec<Annotation>) -> Self {
        rejected.sort_by_key(|a| (a.start, a.end));
        self.rejected = rejected;
        self
    }

    /// Offers suggestions as a model or the learner finds them — not an undoable step of their own (they are only
    /// proposals: accepting or rejecting one is the step) — leaving out those already proposed. With `replacing`,
    /// that source's earlier suggestions are dropped first (the learner's fresh look replaces its last). Returns how
    /// many were new.
    pub fn offer_suggestions(
        &mut self,
        found: Vec<Annotation>,
        replacing: Option<Source>,
    ) -> usize {
        let before = self.suggestions.len();
        if let Some(source) = replacing {
            self.suggestions
                .retain(|s| s.suggested.map(|x| x.source) != Some(source));
        }
        let dropped = before - self.suggestions.len();
        let kept = self.suggestions.len();
        let found = self.not_rejected(found);
        merge_suggestions_in(&mut self.suggestions, found);
        let added = self.suggestions.len() - kept;
        if added > 0 || dropped > 0 {
            self.revision += 1;
        }
        added
    }

    /// `found` without the spans the annotator rejected.
    fn not_rejected(&self, mut found: Vec<Annotation>) -> Vec<Annotation> {
        if !self.rejected.is_empty() {
            found.retain(|s| !self.is_rejected(s.start, s.end, &s.tag));
        }
        found
    }

    /// Adds suggestions (from a gazetteer or a model) not already proposed, in one undoable step; returns how many
    /// were new.
    pub fn add_suggestions(&mut self, found: Vec<Annotation>) -> usize {
        let found = self.not_rejected(found);
        let mut have: std::collections::HashSet<(usize, usize, &str)> =
            self.suggestions.iter().map(suggestion_key).collect();
        let added: Vec<Annotation> = found
            .iter()
            .filter(|s| have.insert(suggestion_key(s)))
            .cloned()
            .collect();
        let n = added.len();
        if n > 0 {
            self.record(Edit::Suggestions {
                removed: Vec::new(),
                added,
            });
        }
        n
    }

    /// Deletes several annotations, and the relations they are part of, in one undoable step.
    pub fn delete_batch(&mut self, ids: &[u64]) -> usize {
        let gone: std::collections::HashSet<u64> = ids.iter().copied().collect();
        let mut edits: Vec<Edit> = self
            .relations
            .iter()
            .filter(|r| gone.contains(&r.from) || gone.contains(&r.to))
            .cloned()
            .map(Edit::RemoveRelation)
            .collect();
        let links = edits.len();
        edits.extend(
            ids.iter()
                .filter_map(|id| self.get(*id).cloned())
                .map(Edit::Remove),
        );
        let n = edits.len() - links;
        if n > 0 {
            self.record(Edit::Batch(edits));
        }
        n
    }

    /// Deletes an annotation and the relations it is part of (one undoable step).
    pub fn delete(&mut self, id: u64) -> bool {
        let Some(a) = self.get(id).cloned() else {
            return false;
        };
        let mut edits: Vec<Edit> = self
            .relations_of(id)
            .cloned()
            .map(Edit::RemoveRelation)
            .collect();
        if edits.is_empty() {
            self.record(Edit::Remove(a));
        } else {
            edits.push(Edit::Remove(a));
            self.record(Edit::Batch(edits));
        }
        true
    }

    /// Sets (`Some`) or clears (`None`) an attribute of an annotation.
    pub fn set_attribute(&mut self, id: u64, name: &str, value: Option<&str>) -> bool {
        self.update(id, |a| match value {
            Some(v) => {
                a.attributes.insert(name.to_owned(), v.to_owned());
            }
            None => {
                a.attributes.remove(name);
            }
        })
    }

    /// Adds a knowledge-base link to an annotation (the same db and id twice is one link).
    pub fn add_link(&mut self, id: u64, link: Link) -> bool {
        self.update(id, |a| {
            if !a.links.iter().any(|l| l.db == link.db && l.id == link.id) {
                a.links.push(link);
            }
        })
    }

    /// Removes an annotation's `index`th link.
    pub fn remove_link(&mut self, id: u64, index: usize) -> bool {
        self.update(id, |a| {
            if index < a.links.len() {
                a.links.remove(index);
            }
        })
    }

    /// Tags several pieces of text as one discontinuous annotation (pieces that touch or overlap are joined; one
    /// piece is an ordinary annotation); returns its id.
    pub fn create_discontinuous(
        &mut self,
        doc: &Document,
        pieces: &[Span],
        tag: &str,
    ) -> Option<u64> {
        let joined = joined_pieces(doc, pieces);
        match joined.as_slice() {
            [] => None,
            [one] => self.create(doc, *one, tag),
            [first, .., last] => {
                let extent = Span::new(first.start, last.end);
                let fragments: Vec<(usize, usize)> =
                    joined.iter().map(|p| (p.start.0, p.end.0)).collect();
                if let Some(a) = self
                    .items
                    .iter()
                    .find(|a| a.span() == extent && a.tag == tag && a.fragments == fragments)
                {
                    return Some(a.id);
                }
                self.tags.ensure(tag);
                let mut a = self.new_annotation(doc, extent, tag, &now());
                a.fragments = fragments;
                let id = a.id;
                self.record(Edit::Add(a));
                Some(id)
            }
        }
    }

    pub fn retag(&mut self, id: u64, tag: &str) -> bool {
        self.tags.ensure(tag);
        self.update(id, |a| a.tag = tag.to_owned())
    }

    pub fn set_note(&mut self, id: u64, note: &str) -> bool {
        self.update(id, |a| a.note = note.to_owned())
    }

    fn update(&mut self, id: u64, change: impl FnOnce(&mut Annotation)) -> bool {
        let Some(before) = self.get(id).cloned() else {
            return false;
        };
        let Some(mut after) = changed(&before, change) else {
            return false;
        };
        after.modified = now();
        self.record(Edit::Update {
            before: Box::new(before),
            after: Box::new(after),
        });
        true
    }

    /// Replaces the tag set; `renames` (old name, new name) are applied to the annotations in the same step.
    pub fn set_tags(&mut self, after: TagSet, renames: Vec<(String, String)>) {
        let before = self.tags.clone();
        if before == after && renames.is_empty() {
            return;
        }
        self.record(Edit::Tags {
            before,
            after,
            renames,
        });
    }

    pub fn undo(&mut self) -> bool {
        let Some(edit) = self.undo.pop() else {
            return false;
        };
        self.apply(&edit.inverse());
        self.redo.push(edit);
        self.revision += 1;
        true
    }

    pub fn redo(&mut self) -> bool {
        let Some(edit) = self.redo.pop() else {
            return false;
        };
        self.apply(&edit);
        self.undo.push(edit);
        self.revision += 1;
        true
    }

    fn record(&mut self, edit: Edit) {
        self.apply(&edit);
        self.undo.push(edit);
        self.redo.clear();
        self.revision += 1;
    }

    fn apply(&mut self, edit: &Edit) {
        if edit.teaches() {
            self.taught += 1;
        }
        match edit {
            Edit::Add(a) => {
                self.max_len = self.max_len.max(a.end.saturating_sub(a.start));
                let i = self.items.partition_point(|x| x.sort_key() < a.sort_key());
                self.items.insert(i, a.clone());
                self.counts.add(a);
            }
            Edit::Remove(a) => self.remove_item(a.id),
            Edit::Update { after, .. } => {
                self.max_len = self.max_len.max(after.end.saturating_sub(after.start));
                self.remove_item(after.id);
                let i = self
                    .items
                    .partition_point(|x| x.sort_key() < after.sort_key());
                self.items.insert(i, (**after).clone());
                self.counts.add(after);
            }
            Edit::Tags { after, renames, .. } => {
                self.tags = after.clone();
                for (old, new) in renames {
                    for a in self
                        .items
                        .iter_mut()
                        .chain(self.unplaced.iter_mut())
                        .filter(|a| &a.tag == old)
                    {
                        a.tag.clone_from(new);
                    }
                }
                if !renames.is_empty() {
                    self.counts = TagCounts::of(&self.items);
                }
            }
            Edit::Suggestions { removed, added } => {
                let gone: std::collections::HashSet<(usize, usize, &str)> =
                    removed.iter().map(suggestion_key).collect();
                self.suggestions
                    .retain(|s| !gone.contains(&suggestion_key(s)));
                merge_suggestions_in(&mut self.suggestions, added.clone());
            }
            Edit::Rejected { after, .. } => self.rejected.clone_from(after),
            Edit::Finished(f) => self.finished = *f,
            Edit::Decided { key, on } => {
                if let Some(r) = &mut self.curation {
                    r.set_decided(*key, *on);
                }
            }
            Edit::AddRelation(r) => self.relations.push(r.clone()),
            Edit::RemoveRelation(r) => self.relations.retain(|x| x.id != r.id),
            Edit::UpdateRelation { after, .. } => {
                if let Some(r) = self.relations.iter_mut().find(|x| x.id == after.id) {
                    *r = after.clone();
                }
            }
            Edit::Batch(edits) => self.apply_batch(edits),
        }
    }

    /// Removes the placed annotation `id`, if it is there.
    fn remove_item(&mut self, id: u64) {
        if let Some(i) = self.items.iter().position(|x| x.id == id) {
            let gone = self.items.remove(i);
            self.counts.remove(&gone);
        }
    }

    /// Applies a batch: runs of additions or removals (Tag All, Accept All, their undo) in one pass each, not one
    /// sorted insert or scan per item.
    fn apply_batch(&mut self, edits: &[Edit]) {
        let mut i = 0;
        while i < edits.len() {
            let run_end = |pred: fn(&Edit) -> bool| {
                edits[i..]
                    .iter()
                    .position(|e| !pred(e))
                    .map_or(edits.len(), |k| i + k)
            };
            match &edits[i] {
                Edit::Add(_) => {
                    let end = run_end(|e| matches!(e, Edit::Add(_)));
                    for e in &edits[i..end] {
                        if let Edit::Add(a) = e {
                            self.max_len = self.max_len.max(a.end.saturating_sub(a.start));
                            self.items.push(a.clone());
                            self.counts.add(a);
                        }
                    }
                    self.items.sort_by_key(Annotation::sort_key);
                    i = end;
                }
                Edit::Remove(_) => {
                    let end = run_end(|e| matches!(e, Edit::Remove(_)));
                    let ids: std::collections::HashSet<u64> = edits[i..end]
                        .iter()
                        .filter_map(|e| match e {
                            Edit::Remove(a) => Some(a.id),
                            _ => None,
                        })
                        .collect();
                    let counts = &mut self.counts;
                    self.items.retain(|x| {
                        let keep = !ids.contains(&x.id);
                        if !keep {
                            counts.remove(x);
                        }
                        keep
                    });
                    i = end;
                }
                Edit::Decided { .. } => {
                    // A run of decisions (a curation's agreed annotations, its undo): merged into the sorted keys
                    // at once, not inserted one by one.
                    let end = run_end(|e| matches!(e, Edit::Decided { .. }));
                    if let Some(r) = &mut self.curation {
                        let (on, off): (Vec<&Edit>, Vec<&Edit>) = edits[i..end]
                            .iter()
                            .partition(|e| matches!(e, Edit::Decided { on: true, .. }));
                        let keys = |v: &[&Edit]| -> std::collections::HashSet<u64> {
                            v.iter()
                                .filter_map(|e| match e {
                                    Edit::Decided { key, .. } => Some(*key),
                                    _ => None,
                                })
                                .collect()
                        };
                        let (on, off) = (keys(&on), keys(&off));
                        r.decided.retain(|k| !off.contains(k));
                        r.decided.extend(on);
                        r.decided.sort_unstable();
                        r.decided.dedup();
                    }
                    i = end;
                }
                other => {
                    self.apply(other);
                    i += 1;
                }
            }
        }
    }

    /// Replaces the whole content with a version merged with changes made elsewhere (another window, the command
    /// line) or imported. The undo history is cleared; the revision moves on so the new version is saved.
    pub fn replace_all(
        &mut self,
        items: Vec<Annotation>,
        unplaced: Vec<Annotation>,
        suggestions: Vec<Annotation>,
        rejected: Vec<Annotation>,
        tags: TagSet,
        relations: Vec<Relation>,
    ) {
        let mut fresh = AnnotationSet::new(items, unplaced, tags)
            .with_relations(relations)
            .with_rejected(rejected);
        fresh.suggestions = suggestions;
        // The document's marks stay (a merge sets them after).
        fresh.finished = self.finished;
        fresh.curation = self.curation.take();
        drop(self.replace_with(fresh));
    }

    /// [`Self::replace_all`] with a set built elsewhere (on a worker, for a book): its lists are swapped in, and the
    /// old content is returned, so that freeing it can happen elsewhere too.
    pub fn replace_with(&mut self, mut fresh: AnnotationSet) -> AnnotationSet {
        fresh.annotator = std::mem::take(&mut self.annotator);
        // Undo works by id and by whole lists: after someone else's changes came in, undoing an older step could
        // take back their work. The history starts again here.
        fresh.undo.clear();
        fresh.redo.clear();
        fresh.next_id = self.next_id.max(fresh.next_id);
        fresh.revision = self.revision + 1;
        fresh.taught = self.taught + 1;
        std::mem::replace(self, fresh)
    }

    /// Gives annotations new ids (`map`: old, new) everywhere they appear — the lists, the relations and the undo
    /// history — as a merge elsewhere numbered them. An annotation made here since that already has one of the new
    /// ids moves on to a fresh id first (only this set knows it).
    pub fn renumber(&mut self, map: &[(u64, u64)]) {
        if map.is_empty() {
            return;
        }
        let olds: std::collections::HashSet<u64> = map.iter().map(|m| m.0).collect();
        let news: std::collections::HashSet<u64> = map.iter().map(|m| m.1).collect();
        let mut next = self
            .next_id
            .max(news.iter().max().map_or(0, |n| n.saturating_add(1)));
        let mut full: std::collections::HashMap<u64, u64> = map.iter().copied().collect();
        // Every id this set knows, the undo history's included (an annotation made and deleted here meanwhile
        // comes back with undo).
        fn ids_in(e: &Edit, out: &mut Vec<u64>) {
            match e {
                Edit::Add(a) | Edit::Remove(a) => out.push(a.id),
                Edit::Update { after, .. } => out.push(after.id),
                Edit::AddRelation(r) | Edit::RemoveRelation(r) => out.push(r.id),
                Edit::UpdateRelation { after, .. } => out.push(after.id),
                Edit::Batch(edits) => edits.iter().for_each(|e| ids_in(e, out)),
                Edit::Tags { .. }
                | Edit::Suggestions { .. }
                | Edit::Rejected { .. }
                | Edit::Finished(_)
                | Edit::Decided { .. } => {}
            }
        }
        let mut ids: Vec<u64> = self
            .items
            .iter()
            .chain(&self.unplaced)
            .map(|a| a.id)
            .chain(self.relations.iter().map(|r| r.id))
            .collect();
        for e in self.undo.iter().chain(&self.redo) {
            ids_in(e, &mut ids);
        }
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            if news.contains(&id) && !olds.contains(&id) {
                full.insert(id, next);
                next = next.saturating_add(1);
            }
        }
        self.next_id = next;
        self.revision += 1;
        // Items sharing a span may change places: what was taken in for the learner so far is taken in again.
        self.taught += 1;
        self.renumbered.extend(full.iter().map(|(a, b)| (*a, *b)));
        let to = |id: &mut u64| {
            if let Some(n) = full.get(id) {
                *id = *n;
            }
        };
        for a in self.items.iter_mut().chain(self.unplaced.iter_mut()) {
            to(&mut a.id);
        }
        self.items.sort_by_key(Annotation::sort_key);
        for r in &mut self.relations {
            to(&mut r.id);
            to(&mut r.from);
            to(&mut r.to);
        }
        fn in_edit(e: &mut Edit, to: &dyn Fn(&mut u64)) {
            match e {
                Edit::Add(a) | Edit::Remove(a) => to(&mut a.id),
                Edit::Update { before, after } => {
                    to(&mut before.id);
                    to(&mut after.id);
                }
                Edit::AddRelation(r) | Edit::RemoveRelation(r) => {
                    to(&mut r.id);
                    to(&mut r.from);
                    to(&mut r.to);
                }
                Edit::UpdateRelation { before, after } => {
                    for r in [before, after] {
                        to(&mut r.id);
                        to(&mut r.from);
                        to(&mut r.to);
                    }
                }
                Edit::Batch(edits) => {
                    for e in edits {
                        in_edit(e, to);
                    }
                }
                Edit::Tags { .. }
                | Edit::Suggestions { .. }
                | Edit::Rejected { .. }
                | Edit::Finished(_)
                | Edit::Decided { .. } => {}
            }
        }
        for e in self.undo.iter_mut().chain(self.redo.iter_mut()) {
            in_edit(e, &to);
        }
    }

    /// The ids [`Self::renumber`] changed since the last call (old, new), for whoever holds ids (a selection, a
    /// popup) to follow them.
    pub fn take_renumbered(&mut self) -> Vec<(u64, u64)> {
        std::mem::take(&mut self.renumbered)
    }

    /// The next id a new annotation gets.
    #[must_use]
    pub fn next_id(&self) -> u64 {
        self.next_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Document {
        Document::new("قال محمد في القاهرة إن الاجتماع\nانتهى".to_owned())
    }

    fn span(a: usize, b: usize) -> Span {
        Span::new(CharOffset(a), CharOffset(b))
    }

    #[test]
    fn create_retag_note_delete_and_undo_everything() {
        let d = doc();
        let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
        let id = set.create(&d, span(4, 8), "PER").unwrap();
        let a = set.get(id).unwrap();
        assert_eq!((a.text.as_str(), a.prefix.as_str()), ("محمد", "قال "));
        assert!(a.suffix.starts_with(" في القاهرة"));
        let loc = set.create(&d, span(12, 19), "LOC").unwrap();
        assert!(set.retag(id, "ORG"));
        assert!(set.set_note(id, "اسم \"مركب\"\tمع\nسطر"));
        assert!(set.delete(loc));
        assert_eq!(set.items().len(), 1);
        assert_eq!(set.get(id).unwrap().tag, "ORG");
        for _ in 0..4 {
            assert!(set.undo());
        }
        assert_eq!(set.items().len(), 1);
        assert_eq!(set.get(id).unwrap().tag, "PER");
        assert_eq!(set.get(id).unwrap().note, "");
        assert!(set.undo());
        assert!(set.items().is_empty());
        assert!(!set.undo());
        for _ in 0..5 {
            assert!(set.redo());
        }
        assert_eq!(set.items().len(), 1);
        assert_eq!(set.get(id).unwrap().tag, "ORG");
    }

    #[test]
    fn overlapping_and_nested_annotations_are_kept_sorted() {
        let d = doc();
        let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
        let outer = set.create(&d, span(4, 19), "MISC").unwrap();
        let inner = set.create(&d, span(12, 19), "LOC").unwrap();
        let cross = set.create(&d, span(0, 8), "PER").unwrap();
        let order: Vec<u64> = set.items().iter().map(|a| a.id).collect();
        assert_eq!(order, vec![cross, outer, inner]);
        let at: Vec<u64> = set.at(CharOffset(13)).iter().map(|a| a.id).collect();
        assert_eq!(at, vec![inner, outer], "innermost first");
        assert_eq!(set.overlapping(span(9, 11)).count(), 1);
        // The same span and tag twice is one annotation.
        assert_eq!(set.create(&d, span(12, 19), "LOC"), Some(inner));
    }

    proptest::proptest! {
        #[test]
        fn overlapping_finds_exactly_what_a_full_scan_finds(
            spans in proptest::collection::vec((0usize..60, 1usize..25), 1..40),
            queries in proptest::collection::vec((0usize..80, 0usize..10), 1..20),
            deletions in proptest::collection::vec(0usize..40, 0..10),
        ) {
            let text: String = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي ".chars().cycle().take(90).collect();
            let d = Document::new(text);
            let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
            for (s, l) in spans {
                set.create(&d, span(s, (s + l).min(90)), "MISC");
            }
            for k in deletions {
                if let Some(id) = set.items().get(k).map(|a| a.id) {
                    set.delete(id);
                }
            }
            for (s, l) in queries {
                let q = span(s, s + l);
                let fast: Vec<u64> = set.overlapping(q).map(|a| a.id).collect();
                let slow: Vec<u64> = set
                    .items()
                    .iter()
                    .filter(|a| a.start < q.end.0 && (a.end > q.start.0))
                    .map(|a| a.id)
                    .collect();
                proptest::prop_assert_eq!(fast, slow);
            }
        }
    }

    proptest::proptest! {
        /// The per-tag counts kept as annotations change are what counting them finds, through every kind of edit,
        /// undo and redo.
        #[test]
        fn tag_counts_follow_every_edit(
            steps in proptest::collection::vec((0u8..8, 0usize..60, 1usize..12, 0usize..3), 1..60),
        ) {
            let text: String = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي ".chars().cycle().take(80).collect();
            let d = Document::new(text);
            let tags = ["PER", "LOC", "ORG"];
            let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
            for (what, at, len, t) in steps {
                let sp = span(at, (at + len).min(80));
                let some_id = set.items().get(at % set.items().len().max(1)).map(|a| a.id);
                match what {
                    0 => { set.create(&d, sp, tags[t]); }
                    1 => { set.create_batch(&d, &[sp, span(at / 2, at / 2 + 1)], tags[t]); }
                    2 => { if let Some(id) = some_id { set.retag(id, tags[t]); } }
                    3 => { if let Some(id) = some_id { set.delete(id); } }
                    4 => { let ids: Vec<u64> = set.items().iter().step_by(2).map(|a| a.id).collect(); set.delete_batch(&ids); }
                    5 => { set.undo(); }
                    6 => { set.redo(); }
                    _ => { let keep = set.tags.clone(); set.set_tags(keep, vec![(tags[t].into(), tags[(t + 1) % 3].into())]); }
                }
                for tag in tags {
                    let counted = set.items().iter().filter(|a| a.tag == tag).count();
                    proptest::prop_assert_eq!(set.count_of(tag), counted, "{}", tag);
                }
            }
        }
    }

    #[test]
    fn relations_link_annotations_and_go_and_come_back_with_them() {
        let d = doc();
        let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
        let muhammad = set.create(&d, span(4, 8), "PER").unwrap();
        let cairo = set.create(&d, span(12, 19), "GPE").unwrap();
        let r = set.relate(muhammad, cairo, "LivesIn").unwrap();
        assert!(
            set.tags.relation("LivesIn").is_some(),
            "a new type joins the schema"
        );
        assert_eq!(
            set.relate(muhammad, cairo, "LivesIn"),
            Some(r),
            "the same link is one relation"
        );
        assert_eq!(
            set.relate(muhammad, muhammad, "Same"),
            None,
            "not to itself"
        );
        assert_eq!(set.relate(muhammad, 999, "LivesIn"), None, "not to nothing");
        assert!(set.retype_relation(r, "BornIn"));
        assert!(set.reverse_relation(r));
        assert_eq!(
            (
                set.relation(r).unwrap().from,
                set.relation(r).unwrap().kind.as_str()
            ),
            (cairo, "BornIn")
        );
        // Deleting an annotation takes its relations along, in one step that undo brings back whole.
        assert!(set.delete(cairo));
        assert!(set.relations().is_empty());
        assert!(set.undo());
        assert_eq!(set.relations().len(), 1);
        assert!(set.get(cairo).is_some());
        assert!(set.redo());
        assert!(set.relations().is_empty() && set.get(cairo).is_none());
        assert!(set.undo());
        // Relation ids and annotation ids never meet.
        let third = set.create(&d, span(23, 31), "MISC").unwrap();
        assert!(third != r && third > r);
    }

    #[test]
    fn a_discontinuous_annotation_is_one_annotation_of_several_pieces() {
        let d = doc();
        let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
        let id = set
            .create_discontinuous(&d, &[span(12, 19), span(0, 3), span(2, 3)], "MISC")
            .unwrap();
        let a = set.get(id).unwrap();
        assert_eq!(
            a.fragments,
            vec![(0, 3), (12, 19)],
            "sorted, the touching ones joined"
        );
        assert_eq!((a.start, a.end), (0, 19));
        assert_eq!(a.pieces().len(), 2);
        // One piece is an ordinary annotation.
        let one = set
            .create_discontinuous(&d, &[span(23, 31)], "PER")
            .unwrap();
        assert!(set.get(one).unwrap().fragments.is_empty());
        assert!(set.undo() && set.undo());
        assert!(set.items().is_empty());
    }

    #[test]
    fn attributes_and_links_are_edits_like_any_other() {
        let d = doc();
        let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
        let id = set.create(&d, span(12, 19), "GPE").unwrap();
        assert!(set.set_attribute(id, "Negated", Some("true")));
        assert!(set.add_link(
            id,
            Link {
                db: "Wikidata".into(),
                id: "Q85".into(),
                label: "القاهرة".into()
            }
        ));
        assert!(
            !set.add_link(
                id,
                Link {
                    db: "Wikidata".into(),
                    id: "Q85".into(),
                    label: String::new()
                }
            ),
            "the same entry twice is one link"
        );
        let a = set.get(id).unwrap();
        assert_eq!(
            a.attributes.get("Negated").map(String::as_str),
            Some("true")
        );
        assert_eq!(a.links.len(), 1);
        assert!(set.undo());
        assert!(set.get(id).unwrap().links.is_empty());
        assert!(set.set_attribute(id, "Negated", None));
        assert!(set.get(id).unwrap().attributes.is_empty());
    }

    #[test]
    fn renumbering_follows_ids_everywhere_and_moves_a_newcomer_out_of_the_way() {
        let d = doc();
        let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
        let a = set.create(&d, span(4, 8), "PER").unwrap(); // 1
        let b = set.create(&d, span(12, 19), "GPE").unwrap(); // 2
        let r = set.relate(a, b, "LivesIn").unwrap(); // 3
        let c = set.create(&d, span(23, 31), "MISC").unwrap(); // 4
        // A merge elsewhere gave annotation 2 the number 4, which this set has used meanwhile.
        set.renumber(&[(b, c)]);
        let ids: Vec<(u64, &str)> = set.items().iter().map(|x| (x.id, x.tag.as_str())).collect();
        assert!(ids.contains(&(c, "GPE")), "{ids:?}");
        let misc = set.items().iter().find(|x| x.tag == "MISC").unwrap().id;
        assert!(misc != c && misc != a && misc != r);
        assert_eq!(set.relation(r).unwrap().to, c);
        // Undo still finds what it undoes.
        assert!(set.undo());
        assert!(set.items().iter().all(|x| x.tag != "MISC"));
        assert!(set.undo());
        assert!(set.relations().is_empty());
        assert!(set.undo());
        assert!(set.items().iter().all(|x| x.tag != "GPE"));
    }

    #[test]
    fn a_batch_is_one_undo_step() {
        let d = doc();
        let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
        let first = set.create(&d, span(4, 8), "PER").unwrap();
        let ids = set.create_batch(&d, &[span(4, 8), span(12, 19), span(20, 22)], "PER");
        assert_eq!(ids.len(), 2, "the span already tagged PER is skipped");
        assert_eq!(set.items().len(), 3);
        assert!(set.undo());
        assert_eq!(set.items().len(), 1);
        assert!(set.redo());
        assert_eq!(set.delete_batch(&[first, ids[0]]), 2);
        assert_eq!(set.items().len(), 1);
        assert!(set.undo());
        assert_eq!(set.items().len(), 3);
    }

    #[test]
    fn renaming_a_tag_updates_annotations_and_undoes_in_one_step() {
        let d = doc();
        let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
        let id = set.create(&d, span(4, 8), "PER").unwrap();
        let mut tags = set.tags.clone();
        tags.tags[0].name = "PERS".into();
        set.set_tags(tags, vec![("PER".into(), "PERS".into())]);
        assert_eq!(set.get(id).unwrap().tag, "PERS");
        assert!(set.tags.get("PER").is_none());
        set.undo();
        assert_eq!(set.get(id).unwrap().tag, "PER");
        assert!(set.tags.get("PER").is_some());
    }
}
