//! Merging annotations changed in two places: this window's changes since it last read or wrote the sidecar
//! ("ours"), and what someone else wrote there meanwhile ("theirs": another window, `warraq preannotate`, a git pull).
//!
//! Annotations are matched by id. Our changes since the common version ("base") are applied to theirs, so both
//! sides' work is kept. A real conflict — both changed the same annotation differently, or one changed what the
//! other deleted — keeps a version (ours when we changed it; theirs when we deleted what they changed, so nothing is
//! lost) and is listed. Two new annotations that happen to share an id both stay: ours gets a new id.

use std::collections::{BTreeMap, HashSet};

use crate::model::annotations::Relation;
use crate::model::curation::Record;
use crate::model::{Annotation, TagSet};

/// Everything a sidecar holds that can change.
#[derive(Debug, Clone, PartialEq)]
pub struct Content {
    pub annotations: Vec<Annotation>,
    pub unplaced: Vec<Annotation>,
    pub suggestions: Vec<Annotation>,
    pub rejected: Vec<Annotation>,
    pub tags: TagSet,
    pub relations: Vec<Relation>,
    pub finished: bool,
    pub curation: Option<Record>,
}

impl Default for Content {
    /// Nothing at all — no annotations and no tags (not the default tag set): the base of a merge with a file that
    /// has nothing in common with this one.
    fn default() -> Self {
        Self {
            annotations: Vec::new(),
            unplaced: Vec::new(),
            suggestions: Vec::new(),
            rejected: Vec::new(),
            tags: TagSet {
                tags: Vec::new(),
                relations: Vec::new(),
            },
            relations: Vec::new(),
            finished: false,
            curation: None,
        }
    }
}

/// A curated copy's record merged: the sources ours when we changed them, decisions made on either side kept (and
/// one taken back on either side taken back).
fn merge_curation(
    base: Option<&Record>,
    ours: Option<&Record>,
    theirs: Option<&Record>,
) -> Option<Record> {
    if ours == base {
        return theirs.cloned();
    }
    if theirs == base {
        return ours.cloned();
    }
    let empty = Record::default();
    let (b, o, t) = (
        base.unwrap_or(&empty),
        ours.unwrap_or(&empty),
        theirs.unwrap_or(&empty),
    );
    let sources = if o.sources == b.sources {
        t.sources.clone()
    } else {
        o.sources.clone()
    };
    let mut merged = Record {
        sources,
        decided: t.decided.clone(),
    };
    for &k in &o.decided {
        if !b.is_decided(k) {
            merged.set_decided(k, true);
        }
    }
    for &k in &b.decided {
        if !o.is_decided(k) {
            merged.set_decided(k, false);
        }
    }
    Some(merged)
}

/// An annotation and whether it is placed in the text (false: listed under Unplaced).
type Placed = (Annotation, bool);

fn with_place(c: &Content) -> Vec<Placed> {
    c.annotations
        .iter()
        .map(|a| (a.clone(), true))
        .chain(c.unplaced.iter().map(|a| (a.clone(), false)))
        .collect()
}

/// The merged content and what needs the user's eye.
#[derive(Debug, Clone, Default)]
pub struct Merged {
    pub content: Content,
    /// One line per real conflict.
    pub conflicts: Vec<String>,
    /// How many of their changes were taken in.
    pub taken: usize,
    /// Our annotations that both sides had added under one id and that took a new one here: (old, new).
    pub renumbered: Vec<(u64, u64)>,
}

/// What is merged by id: annotations (with whether they are placed) and relations.
trait Item: Clone + PartialEq {
    fn id(&self) -> u64;
    fn set_id(&mut self, id: u64);
    /// "annotation 3 PER "…"", for a conflict's line.
    fn describe(&self) -> String;
}

impl Item for Placed {
    fn id(&self) -> u64 {
        self.0.id
    }
    fn set_id(&mut self, id: u64) {
        self.0.id = id;
    }
    fn describe(&self) -> String {
        let a = &self.0;
        let text: String = a.text.chars().take(40).collect();
        format!(
            "annotation {} {} \"{}\"",
            a.id,
            a.tag,
            text.replace(['\n', '\r'], " ")
        )
    }
}

impl Item for Relation {
    fn id(&self) -> u64 {
        self.id
    }
    fn set_id(&mut self, id: u64) {
        self.id = id;
    }
    fn describe(&self) -> String {
        format!(
            "relation {} {} ({} → {})",
            self.id, self.kind, self.from, self.to
        )
    }
}

fn by_id<T: Item>(list: &[T]) -> BTreeMap<u64, &T> {
    list.iter().map(|p| (p.id(), p)).collect()
}

/// Applies our changes since `base` to `theirs`; placed and unplaced annotations share one id space, and moving
/// between the two is a change like any other. An item both sides added under one id is kept twice, ours under a
/// new id: `renumbered` gets (old, new).
fn merge_list<T: Item>(
    base: &[T],
    ours: &[T],
    theirs: &[T],
    next_id: &mut u64,
    conflicts: &mut Vec<String>,
    renumbered: &mut Vec<(u64, u64)>,
) -> Vec<T> {
    let (b, o) = (by_id(base), by_id(ours));
    let mut out: BTreeMap<u64, T> = theirs.iter().map(|p| (p.id(), p.clone())).collect();
    let ids: std::collections::BTreeSet<u64> = b.keys().chain(o.keys()).copied().collect();
    for id in ids {
        let (bv, ov) = (b.get(&id).copied(), o.get(&id).copied());
        if bv == ov {
            continue; // not changed here: theirs stands
        }
        let tv = out.get(&id).cloned();
        match (bv, ov) {
            (None, Some(o)) => match tv {
                Some(t) if t != *o => {
                    // Both sides made a new item with this id: keep both.
                    let mut mine = o.clone();
                    mine.set_id(*next_id);
                    renumbered.push((id, *next_id));
                    *next_id += 1;
                    out.insert(mine.id(), mine);
                }
                _ => {
                    out.insert(id, o.clone());
                }
            },
            (Some(b), None) => match tv {
                Some(t) if t == *b => {
                    out.remove(&id);
                }
                Some(t) => conflicts.push(format!(
                    "{}: deleted here but changed elsewhere; the changed one was kept",
                    t.describe()
                )),
                None => {}
            },
            (Some(b), Some(o)) => match tv {
                Some(t) if t == *b || t == *o => {
                    out.insert(id, o.clone());
                }
                Some(t) => {
                    conflicts.push(format!(
                        "{}: changed here and elsewhere (there: {}); this version was kept",
                        o.describe(),
                        t.describe()
                    ));
                    out.insert(id, o.clone());
                }
                None => {
                    conflicts.push(format!(
                        "{}: changed here but deleted elsewhere; it was kept",
                        o.describe()
                    ));
                    out.insert(id, o.clone());
                }
            },
            (None, None) => {}
        }
    }
    out.into_values().collect()
}

/// Suggestions are proposals keyed by span and tag: our additions and removals are applied to theirs.
fn merge_suggestions(
    base: &[Annotation],
    ours: &[Annotation],
    theirs: &[Annotation],
) -> Vec<Annotation> {
    let key = |a: &Annotation| (a.start, a.end, a.tag.clone());
    let b: HashSet<_> = base.iter().map(key).collect();
    let o: HashSet<_> = ours.iter().map(key).collect();
    let mut out: Vec<Annotation> = theirs
        .iter()
        // Dropped here (in base, not in ours) means dropped.
        .filter(|a| !b.contains(&key(a)) || o.contains(&key(a)))
        .cloned()
        .collect();
    let mut have: HashSet<_> = out.iter().map(key).collect();
    for a in ours {
        if !b.contains(&key(a)) && have.insert(key(a)) {
            out.push(a.clone());
        }
    }
    out.sort_by_key(|a| (a.start, a.end));
    out
}

/// Tags (and relation types) are matched by name: ours added or changed are applied to theirs, ours removed are
/// removed unless they changed it; both changing one tag differently keeps ours and is a conflict. Their order is
/// kept, ours added last.
pub fn merge_tags(
    base: &TagSet,
    ours: &TagSet,
    theirs: &TagSet,
    conflicts: &mut Vec<String>,
) -> TagSet {
    if ours == base {
        return theirs.clone();
    }
    TagSet {
        tags: merge_named(
            &base.tags,
            &ours.tags,
            &theirs.tags,
            |t| &t.name,
            "tag",
            conflicts,
        ),
        relations: merge_named(
            &base.relations,
            &ours.relations,
            &theirs.relations,
            |r| &r.name,
            "relation type",
            conflicts,
        ),
    }
}

fn merge_named<T: Clone + PartialEq>(
    base: &[T],
    ours: &[T],
    theirs: &[T],
    name: impl Fn(&T) -> &String,
    what: &str,
    conflicts: &mut Vec<String>,
) -> Vec<T> {
    let find = |list: &'_ [T], n: &String| list.iter().position(|t| name(t) == n);
    let mut out = theirs.to_vec();
    for o in ours {
        let b = find(base, name(o)).map(|i| &base[i]);
        if b == Some(o) {
            continue;
        }
        match find(&out, name(o)) {
            Some(i) => {
                if out[i] != *o && b.is_some_and(|b| *b != out[i]) {
                    conflicts.push(format!(
                        "{what} {} was changed here and elsewhere; this version was kept",
                        name(o)
                    ));
                }
                out[i] = o.clone();
            }
            None => out.push(o.clone()),
        }
    }
    for b in base {
        if find(ours, name(b)).is_none() && find(theirs, name(b)).map(|i| &theirs[i]) == Some(b) {
            out.retain(|t| name(t) != name(b));
        }
    }
    out
}

/// Merges our content with theirs, given the version both started from.
#[must_use]
pub fn merge(base: &Content, ours: &Content, theirs: &Content) -> Merged {
    let mut next_id = [
        &ours.annotations,
        &ours.unplaced,
        &theirs.annotations,
        &theirs.unplaced,
    ]
    .iter()
    .flat_map(|l| l.iter().map(|a| a.id))
    .chain(ours.relations.iter().chain(&theirs.relations).map(|r| r.id))
    .max()
    .unwrap_or(0)
        + 1;
    let mut conflicts = Vec::new();
    let mut renumbered = Vec::new();
    // Annotations and relations share one id space. An item we added whose id the other side gave to an item of the
    // other kind takes a new id first (the same-kind case is handled by the list merge).
    let base_ids: HashSet<u64> = base
        .annotations
        .iter()
        .chain(&base.unplaced)
        .map(|a| a.id)
        .chain(base.relations.iter().map(|r| r.id))
        .collect();
    let their_annotations: HashSet<u64> = theirs
        .annotations
        .iter()
        .chain(&theirs.unplaced)
        .map(|a| a.id)
        .collect();
    let their_relations: HashSet<u64> = theirs.relations.iter().map(|r| r.id).collect();
    let mut our_items = with_place(ours);
    for (a, _) in &mut our_items {
        if !base_ids.contains(&a.id) && their_relations.contains(&a.id) {
            renumbered.push((a.id, next_id));
            a.id = next_id;
            next_id += 1;
        }
    }
    let mut our_relations = ours.relations.clone();
    for r in &mut our_relations {
        if !base_ids.contains(&r.id) && their_annotations.contains(&r.id) {
            renumbered.push((r.id, next_id));
            r.id = next_id;
            next_id += 1;
        }
    }
    let merged = merge_list(
        &with_place(base),
        &our_items,
        &with_place(theirs),
        &mut next_id,
        &mut conflicts,
        &mut renumbered,
    );
    // Our new relations follow our annotations that took a new id; then relations merge like annotations.
    let renamed: std::collections::HashMap<u64, u64> = renumbered.iter().copied().collect();
    for r in &mut our_relations {
        if !base_ids.contains(&r.id) {
            r.from = renamed.get(&r.from).copied().unwrap_or(r.from);
            r.to = renamed.get(&r.to).copied().unwrap_or(r.to);
        }
    }
    let mut relations = merge_list(
        &base.relations,
        &our_relations,
        &theirs.relations,
        &mut next_id,
        &mut conflicts,
        &mut renumbered,
    );
    let (mut annotations, mut unplaced) = (Vec::new(), Vec::new());
    for (a, placed) in merged {
        if placed {
            annotations.push(a);
        } else {
            unplaced.push(a);
        }
    }
    // A relation whose annotation the other side deleted has nothing left to link.
    let present: HashSet<u64> = annotations.iter().chain(&unplaced).map(|a| a.id).collect();
    relations.retain(|r| {
        let whole = present.contains(&r.from) && present.contains(&r.to);
        if !whole {
            conflicts.push(format!(
                "{}: one of its annotations was deleted; the relation was dropped",
                r.describe()
            ));
        }
        whole
    });
    let suggestions = merge_suggestions(&base.suggestions, &ours.suggestions, &theirs.suggestions);
    let rejected = merge_suggestions(&base.rejected, &ours.rejected, &theirs.rejected);
    // What one side rejected is not proposed again by the other's copy.
    let refused: HashSet<(usize, usize, &str)> = rejected
        .iter()
        .map(|a| (a.start, a.end, a.tag.as_str()))
        .collect();
    let suggestions: Vec<Annotation> = suggestions
        .into_iter()
        .filter(|a| !refused.contains(&(a.start, a.end, a.tag.as_str())))
        .collect();
    let mut tags = merge_tags(&base.tags, &ours.tags, &theirs.tags, &mut conflicts);
    for a in annotations.iter().chain(&unplaced) {
        tags.ensure(&a.tag);
    }
    for r in &relations {
        tags.ensure_relation(&r.kind);
    }
    let taken = changes(base, theirs);
    Merged {
        content: Content {
            annotations,
            unplaced,
            suggestions,
            rejected,
            tags,
            relations,
            // Finished: ours when we changed it, theirs otherwise.
            finished: if ours.finished == base.finished {
                theirs.finished
            } else {
                ours.finished
            },
            curation: merge_curation(
                base.curation.as_ref(),
                ours.curation.as_ref(),
                theirs.curation.as_ref(),
            ),
        },
        conflicts,
        taken,
        renumbered,
    }
}

/// How many annotations differ between two versions (added, removed or changed), suggestions and tags counted once.
#[must_use]
pub fn changes(a: &Content, b: &Content) -> usize {
    let count = |x: &[Annotation], y: &[Annotation]| {
        let (mx, my): (BTreeMap<u64, &Annotation>, BTreeMap<u64, &Annotation>) = (
            x.iter().map(|a| (a.id, a)).collect(),
            y.iter().map(|a| (a.id, a)).collect(),
        );
        mx.keys()
            .chain(my.keys())
            .collect::<HashSet<_>>()
            .into_iter()
            .filter(|id| mx.get(id) != my.get(id))
            .count()
    };
    count(&a.annotations, &b.annotations)
        + count(&a.unplaced, &b.unplaced)
        + usize::from(a.suggestions != b.suggestions)
        + usize::from(a.rejected != b.rejected)
        + usize::from(a.tags != b.tags)
        + usize::from(a.relations != b.relations)
        + usize::from(a.finished != b.finished)
        + usize::from(a.curation != b.curation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ann(id: u64, start: usize, tag: &str) -> Annotation {
        Annotation {
            id,
            start,
            end: start + 3,
            tag: tag.into(),
            text: format!("t{start}"),
            prefix: String::new(),
            suffix: String::new(),
            note: String::new(),
            created: String::new(),
            modified: String::new(),
            ..Annotation::default()
        }
    }

    fn content(list: Vec<Annotation>) -> Content {
        Content {
            annotations: list,
            ..Content::default()
        }
    }

    fn rel(id: u64, from: u64, to: u64, kind: &str) -> Relation {
        Relation {
            id,
            kind: kind.into(),
            from,
            to,
            ..Relation::default()
        }
    }

    #[test]
    fn curation_decisions_made_on_either_side_are_kept() {
        let record = |d: &[u64]| {
            Some(Record {
                sources: vec!["../a/x.txt".into(), "../b/x.txt".into()],
                decided: d.to_vec(),
            })
        };
        let base = Content {
            curation: record(&[1, 2]),
            ..Content::default()
        };
        let ours = Content {
            curation: record(&[1, 2, 3]),
            ..Content::default()
        };
        let theirs = Content {
            curation: record(&[2, 4]),
            ..Content::default()
        };
        // Ours added 3; theirs took 1 back and added 4.
        let m = merge(&base, &ours, &theirs)
            .content
            .curation
            .expect("record");
        assert_eq!(m.decided, [2, 3, 4]);
        // Unchanged on one side: the other side's as it is.
        assert_eq!(
            merge(&base, &base, &theirs).content.curation,
            theirs.curation
        );
        assert_eq!(merge(&base, &ours, &base).content.curation, ours.curation);
    }

    #[test]
    fn the_finished_mark_is_ours_when_we_changed_it_and_theirs_otherwise() {
        let base = content(vec![ann(1, 0, "PER")]);
        let mut marked = base.clone();
        marked.finished = true;
        assert!(merge(&base, &marked, &base).content.finished);
        assert!(merge(&base, &base, &marked).content.finished);
        assert!(
            !merge(&marked, &base, &marked).content.finished,
            "we unmarked it"
        );
    }

    #[test]
    fn relations_merge_in_one_id_space_with_annotations() {
        let base = content(vec![ann(1, 0, "PER"), ann(2, 10, "LOC")]);
        // Here: a relation 3 from 1 to 2, and a relation 4 that only we made.
        let mut ours = content(vec![ann(1, 0, "PER"), ann(2, 10, "LOC")]);
        ours.relations = vec![rel(3, 1, 2, "LivesIn"), rel(4, 2, 1, "Near")];
        // Elsewhere: a new annotation 3 and a relation 4 of theirs.
        let mut theirs = content(vec![ann(1, 0, "PER"), ann(2, 10, "LOC"), ann(3, 20, "ORG")]);
        theirs.relations = vec![rel(4, 1, 3, "WorksFor")];
        let m = merge(&base, &ours, &theirs);
        let c = &m.content;
        let mut ids: Vec<u64> = c
            .annotations
            .iter()
            .map(|a| a.id)
            .chain(c.relations.iter().map(|r| r.id))
            .collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "no id is used twice: {c:?}");
        assert_eq!(c.annotations.len(), 3);
        let kinds: Vec<&str> = c.relations.iter().map(|r| r.kind.as_str()).collect();
        assert_eq!(kinds.len(), 3, "{kinds:?}");
        for k in ["LivesIn", "Near", "WorksFor"] {
            assert!(kinds.contains(&k), "{kinds:?}");
        }
        // Our two relations took new ids, and the window is told which.
        let renamed: Vec<u64> = m.renumbered.iter().map(|(old, _)| *old).collect();
        assert!(
            renamed.contains(&3) && renamed.contains(&4),
            "{:?}",
            m.renumbered
        );
        let lives = c.relations.iter().find(|r| r.kind == "LivesIn").unwrap();
        assert_eq!(
            (lives.from, lives.to),
            (1, 2),
            "its ends are the annotations it linked"
        );
    }

    #[test]
    fn both_sides_work_is_kept() {
        let base = content(vec![ann(1, 0, "PER"), ann(2, 10, "LOC"), ann(3, 20, "ORG")]);
        // Here: retag 1, delete 2, add 4.
        let ours = content(vec![ann(1, 0, "GPE"), ann(3, 20, "ORG"), ann(4, 30, "PER")]);
        // Elsewhere: note on 3, add 4 (another annotation with the same id), add 5.
        let mut noted = ann(3, 20, "ORG");
        noted.note = "ملاحظة".into();
        let theirs = content(vec![
            ann(1, 0, "PER"),
            ann(2, 10, "LOC"),
            noted.clone(),
            ann(4, 40, "LOC"),
            ann(5, 50, "DATE"),
        ]);
        let m = merge(&base, &ours, &theirs);
        assert!(m.conflicts.is_empty(), "{:?}", m.conflicts);
        let got: Vec<(u64, usize, &str)> = m
            .content
            .annotations
            .iter()
            .map(|a| (a.id, a.start, a.tag.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, 0, "GPE"),
                (3, 20, "ORG"),
                (4, 40, "LOC"),
                (5, 50, "DATE"),
                (6, 30, "PER")
            ]
        );
        assert_eq!(m.content.annotations[1].note, "ملاحظة");
    }

    #[test]
    fn real_conflicts_keep_a_version_and_are_listed() {
        let base = content(vec![ann(1, 0, "PER"), ann(2, 10, "LOC")]);
        let ours = content(vec![ann(1, 0, "GPE")]); // retag 1, delete 2
        let theirs = content(vec![ann(1, 0, "ORG"), ann(2, 10, "GPE")]); // retag both
        let m = merge(&base, &ours, &theirs);
        assert_eq!(m.conflicts.len(), 2, "{:?}", m.conflicts);
        let tags: Vec<&str> = m
            .content
            .annotations
            .iter()
            .map(|a| a.tag.as_str())
            .collect();
        assert_eq!(
            tags,
            vec!["GPE", "GPE"],
            "ours for 1, theirs (changed) for 2"
        );
    }

    #[test]
    fn placed_and_unplaced_share_one_id_space() {
        let base = content(vec![ann(1, 0, "PER")]);
        let ours = content(vec![ann(1, 0, "PER"), ann(2, 10, "LOC")]);
        let theirs = Content {
            annotations: vec![ann(1, 0, "PER")],
            unplaced: vec![ann(2, 50, "ORG")],
            ..Content::default()
        };
        let m = merge(&base, &ours, &theirs);
        assert_eq!(m.content.annotations.len() + m.content.unplaced.len(), 3);
        assert!(m.content.unplaced.iter().any(|a| a.start == 50));
        assert!(m.content.annotations.iter().any(|a| a.start == 10));
    }

    proptest::proptest! {
        /// Nothing either side added is lost, and nothing is duplicated by id.
        #[test]
        fn additions_from_both_sides_survive(
            base_n in 0usize..8,
            ours_add in proptest::collection::vec(0usize..100, 0..6),
            theirs_add in proptest::collection::vec(0usize..100, 0..6),
        ) {
            let base: Vec<Annotation> = (0..base_n).map(|i| ann(i as u64 + 1, i * 3, "PER")).collect();
            let mut ours = base.clone();
            let mut theirs = base.clone();
            let next = base_n as u64 + 1;
            for (k, s) in ours_add.iter().enumerate() { ours.push(ann(next + k as u64, *s, "LOC")); }
            for (k, s) in theirs_add.iter().enumerate() { theirs.push(ann(next + k as u64, *s, "ORG")); }
            let m = merge(&content(base.clone()), &content(ours.clone()), &content(theirs.clone()));
            let ids: HashSet<u64> = m.content.annotations.iter().map(|a| a.id).collect();
            proptest::prop_assert_eq!(ids.len(), m.content.annotations.len());
            for a in ours.iter().chain(&theirs) {
                let kept = m.content.annotations.iter().any(|b| b.start == a.start && b.tag == a.tag && b.text == a.text);
                proptest::prop_assert!(kept, "lost {:?}", a);
            }
        }
    }
}
