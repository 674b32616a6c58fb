//! Curation: several annotators' annotations of one document compared, so one person can make the version the
//! dataset keeps. What every annotator has (same pieces, same tag) is *agreed*; the rest falls into *disagreements*:
//! annotations that overlap, grouped, each group one question for the curator — take one annotator's version, all
//! of them, or none. No I/O: the workspace reads the annotators' sidecars and records the decisions.
//!
//! A group is known by a key computed from its content (its candidates' pieces, tags and how many annotators have
//! each), not from ids or the order annotators were given in: a decision recorded under a key still applies when the
//! curated document is opened again, and a group that changed (an annotator edited it since) is asked anew.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{Annotation, CharOffset, Span};

/// What a curated document remembers of its curation (kept in its sidecar): where the annotators' copies are and
/// which groups were decided.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The annotators' copies of the text, as paths relative to the curated document's folder (absolute when
    /// there is no relative way).
    pub sources: Vec<String>,
    /// Keys of the groups decided (agreed groups merged, disagreements answered), sorted, each once.
    #[serde(default)]
    pub decided: Vec<u64>,
}

impl Record {
    #[must_use]
    pub fn is_decided(&self, key: u64) -> bool {
        self.decided.binary_search(&key).is_ok()
    }

    /// Marks `key` decided (true) or not; false when it already was so.
    pub fn set_decided(&mut self, key: u64, on: bool) -> bool {
        match (self.decided.binary_search(&key), on) {
            (Err(i), true) => {
                self.decided.insert(i, key);
                true
            }
            (Ok(i), false) => {
                self.decided.remove(i);
                true
            }
            _ => false,
        }
    }

    /// The record as read from a file: decided keys sorted, each once.
    #[must_use]
    pub fn normalized(mut self) -> Self {
        self.decided.sort_unstable();
        self.decided.dedup();
        self
    }
}

/// How annotators disagree in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One annotation, which some annotators have and others do not.
    Missing,
    /// The same pieces, tagged differently.
    Tag,
    /// Overlapping annotations with different boundaries (their tags may differ too).
    Boundaries,
}

impl Kind {
    /// For lists and messages.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Kind::Missing => "not everyone has it",
            Kind::Tag => "different tags",
            Kind::Boundaries => "different boundaries",
        }
    }
}

/// One version of an annotation in a group, and which annotators made it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The annotation as the first of them made it (its note, attributes and links come with it when chosen).
    pub annotation: Annotation,
    /// Indices of the annotators who have it, ascending.
    pub by: Vec<usize>,
}

/// One question for the curator, or an agreed annotation (`kind` is `None`: every annotator has it).
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub key: u64,
    /// From the first candidate's start to the last one's end.
    pub span: Span,
    pub kind: Option<Kind>,
    /// Distinct versions, in text order.
    pub candidates: Vec<Candidate>,
}

/// The curator's answer to a disagreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// This annotator's version (by index): the candidates they have — nothing if they have none.
    Annotator(usize),
    /// Every version.
    All,
    /// None of them.
    Neither,
}

impl Group {
    /// The annotations a choice keeps.
    #[must_use]
    pub fn chosen(&self, choice: Choice) -> Vec<&Annotation> {
        self.candidates
            .iter()
            .filter(|c| match choice {
                Choice::Annotator(k) => c.by.contains(&k),
                Choice::All => true,
                Choice::Neither => false,
            })
            .map(|c| &c.annotation)
            .collect()
    }

    /// The versions a choice keeps, and the others.
    #[must_use]
    pub fn split(&self, choice: Choice) -> (Vec<&Annotation>, Vec<&Annotation>) {
        let keep = self.chosen(choice);
        let drop = self
            .candidates
            .iter()
            .map(|c| &c.annotation)
            .filter(|a| !keep.iter().any(|k| std::ptr::eq(*k, *a)))
            .collect();
        (keep, drop)
    }

    /// Whether it is a disagreement (not an agreed annotation).
    #[must_use]
    pub fn is_disagreement(&self) -> bool {
        self.kind.is_some()
    }
}

/// What makes two annotations the same for curation (as for agreement): their pieces and their tag.
type Identity = (Vec<(usize, usize)>, String);

fn identity(a: &Annotation) -> Identity {
    let pieces = a.pieces().iter().map(|p| (p.start.0, p.end.0)).collect();
    (pieces, a.tag.clone())
}

/// A key from a group's content: for each candidate (in a fixed order) its pieces, tag and how many have it.
fn key_of(agreed: bool, copy: usize, candidates: &[(Identity, usize)]) -> u64 {
    let mut bytes = Vec::new();
    bytes.push(u8::from(agreed));
    bytes.extend_from_slice(&(copy as u64).to_le_bytes());
    for ((pieces, tag), n) in candidates {
        for &(s, e) in pieces {
            bytes.extend_from_slice(&(s as u64).to_le_bytes());
            bytes.extend_from_slice(&(e as u64).to_le_bytes());
        }
        bytes.push(0xff);
        bytes.extend_from_slice(tag.as_bytes());
        bytes.push(0);
        bytes.extend_from_slice(&(*n as u64).to_le_bytes());
    }
    xxhash_rust::xxh3::xxh3_64(&bytes)
}

/// The groups of a document annotated by `annotators` (each one's placed annotations), in text order: an agreed
/// group for every annotation all of them have (as many times as each has it), and a disagreement for every run of
/// overlapping annotations that are not agreed. Linear in the number of annotations, then sorts.
#[must_use]
pub fn groups(annotators: &[&[Annotation]]) -> Vec<Group> {
    let n = annotators.len();
    // Per identity: how many times each annotator has it, and the first annotation met.
    let mut counts: HashMap<Identity, (Vec<usize>, &Annotation)> = HashMap::new();
    for (k, list) in annotators.iter().enumerate() {
        for a in *list {
            let entry = counts.entry(identity(a)).or_insert_with(|| (vec![0; n], a));
            entry.0[k] += 1;
        }
    }
    let mut out = Vec::new();
    // What is left once the agreed copies are taken: (identity, annotators who have it, annotation).
    let mut rest: Vec<(Identity, Vec<usize>, &Annotation)> = Vec::new();
    for (id, (per, a)) in counts {
        let agreed = if n == 0 {
            0
        } else {
            per.iter().copied().min().unwrap_or(0)
        };
        for copy in 0..agreed {
            out.push(Group {
                key: key_of(true, copy, &[(id.clone(), n)]),
                span: a.span(),
                kind: None,
                candidates: vec![Candidate {
                    annotation: a.clone(),
                    by: (0..n).collect(),
                }],
            });
        }
        // A copy beyond the agreed ones that some have: one candidate per further copy.
        let most = per.iter().copied().max().unwrap_or(0);
        for copy in agreed..most {
            let by: Vec<usize> = (0..n).filter(|&k| per[k] > copy).collect();
            rest.push((id.clone(), by, a));
        }
    }
    rest.sort_by(|x, y| {
        (x.2.start, std::cmp::Reverse(x.2.end), &x.0).cmp(&(
            y.2.start,
            std::cmp::Reverse(y.2.end),
            &y.0,
        ))
    });
    // Runs of overlapping extents.
    let mut i = 0;
    while i < rest.len() {
        let mut end = rest[i].2.end;
        let mut j = i + 1;
        while j < rest.len() && rest[j].2.start < end {
            end = end.max(rest[j].2.end);
            j += 1;
        }
        let run = &rest[i..j];
        let kind = if run.len() == 1 {
            Kind::Missing
        } else if run.iter().all(|c| c.0.0 == run[0].0.0) {
            Kind::Tag
        } else {
            Kind::Boundaries
        };
        let keyed: Vec<(Identity, usize)> = run.iter().map(|c| (c.0.clone(), c.1.len())).collect();
        // Versions listed by who made them: the first annotator's first.
        let mut run: Vec<&(Identity, Vec<usize>, &Annotation)> = run.iter().collect();
        run.sort_by_key(|c| (c.1.first().copied(), c.2.start, c.2.end));
        out.push(Group {
            key: key_of(false, 0, &keyed),
            span: Span::new(CharOffset(rest[i].2.start), CharOffset(end)),
            kind: Some(kind),
            candidates: run
                .iter()
                .map(|c| Candidate {
                    annotation: c.2.clone(),
                    by: c.1.clone(),
                })
                .collect(),
        });
        i = j;
    }
    out.sort_by_key(|g| (g.span.start, std::cmp::Reverse(g.span.end), g.key));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ann(id: u64, start: usize, end: usize, tag: &str) -> Annotation {
        Annotation {
            id,
            start,
            end,
            tag: tag.into(),
            ..Annotation::default()
        }
    }

    #[test]
    fn agreed_annotations_and_each_kind_of_disagreement_are_told_apart() {
        let a = vec![
            ann(1, 0, 5, "PER"),
            ann(2, 10, 15, "LOC"),
            ann(3, 20, 25, "ORG"),
            ann(4, 40, 45, "PER"),
        ];
        let b = vec![
            ann(7, 0, 5, "PER"),
            ann(8, 10, 15, "ORG"),
            ann(9, 21, 25, "ORG"),
        ];
        let g = groups(&[&a, &b]);
        let kinds: Vec<(usize, Option<Kind>, usize)> = g
            .iter()
            .map(|g| (g.span.start.0, g.kind, g.candidates.len()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (0, None, 1),
                (10, Some(Kind::Tag), 2),
                (20, Some(Kind::Boundaries), 2),
                (40, Some(Kind::Missing), 1),
            ]
        );
        // Choices: one side's version, all, none.
        let tag = &g[1];
        let first: Vec<&str> = tag
            .chosen(Choice::Annotator(0))
            .iter()
            .map(|a| a.tag.as_str())
            .collect();
        assert_eq!(first, ["LOC"]);
        assert_eq!(tag.chosen(Choice::All).len(), 2);
        assert!(tag.chosen(Choice::Neither).is_empty());
        // Only the first has the last one: the second's version is nothing.
        assert!(g[3].chosen(Choice::Annotator(1)).is_empty());
        assert_eq!(g[3].candidates[0].by, [0]);
    }

    #[test]
    fn keys_follow_content_not_ids_or_the_order_of_annotators() {
        let a = vec![ann(1, 0, 5, "PER"), ann(2, 10, 15, "LOC")];
        let b = vec![ann(5, 0, 5, "PER"), ann(6, 10, 16, "LOC")];
        let one: Vec<u64> = groups(&[&a, &b]).iter().map(|g| g.key).collect();
        let two: Vec<u64> = groups(&[&b, &a]).iter().map(|g| g.key).collect();
        assert_eq!(one, two);
        // A changed boundary makes it another question.
        let c = vec![ann(5, 0, 5, "PER"), ann(6, 10, 17, "LOC")];
        let three: Vec<u64> = groups(&[&a, &c]).iter().map(|g| g.key).collect();
        assert_eq!(one[0], three[0]);
        assert_ne!(one[1], three[1]);
    }

    #[test]
    fn an_annotation_one_annotator_made_twice_is_agreed_once_and_disputed_once() {
        let a = vec![ann(1, 0, 5, "PER"), ann(2, 0, 5, "PER")];
        let b = vec![ann(3, 0, 5, "PER")];
        let g = groups(&[&a, &b]);
        assert_eq!(g.len(), 2);
        assert_eq!(g.iter().filter(|g| g.is_disagreement()).count(), 1);
        let keys: std::collections::HashSet<u64> = g.iter().map(|g| g.key).collect();
        assert_eq!(keys.len(), 2);
    }

    #[test]
    fn three_annotators_two_of_whom_agree() {
        let a = vec![ann(1, 0, 5, "PER")];
        let b = vec![ann(2, 0, 5, "PER")];
        let c = vec![ann(3, 0, 5, "LOC")];
        let g = groups(&[&a, &b, &c]);
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].kind, Some(Kind::Tag));
        let per = g[0]
            .candidates
            .iter()
            .find(|c| c.annotation.tag == "PER")
            .expect("PER");
        assert_eq!(per.by, [0, 1]);
        assert_eq!(g[0].chosen(Choice::Annotator(1))[0].tag, "PER");
    }

    #[test]
    fn a_new_answer_replaces_what_the_earlier_one_brought_in() {
        use crate::model::{AnnotationSet, Decision, Document, TagSet};
        let doc = Document::new("قال محمد بن سلمان في القاهرة".to_owned());
        let a = vec![ann(1, 4, 17, "PER")];
        let b = vec![ann(2, 4, 8, "PER")];
        let g = &groups(&[&a, &b])[0];
        assert_eq!(g.kind, Some(Kind::Boundaries));
        let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default())
            .with_curation(Some(Record::default()));
        let answer = |set: &mut AnnotationSet, choice| {
            let (keep, drop) = g.split(choice);
            set.decide(
                &doc,
                &[Decision {
                    key: g.key,
                    keep: &keep,
                    drop: &drop,
                }],
            )
        };
        let spans = |set: &AnnotationSet| -> Vec<(usize, usize)> {
            set.items().iter().map(|a| (a.start, a.end)).collect()
        };
        assert_eq!(answer(&mut set, Choice::Annotator(0)), (1, 0));
        assert_eq!(spans(&set), [(4, 17)]);
        assert_eq!(
            set.items()[0].text,
            "محمد بن سلمان",
            "the quote is the curated text's"
        );
        // Asked again and answered otherwise: the first answer's annotation goes.
        assert!(set.undecide(g.key));
        assert_eq!(answer(&mut set, Choice::Annotator(1)), (1, 1));
        assert_eq!(spans(&set), [(4, 8)]);
        assert!(set.curation().unwrap().is_decided(g.key));
        // Undo brings the first answer back, decided.
        assert!(set.undo());
        assert!(!set.curation().unwrap().is_decided(g.key));
        assert_eq!(spans(&set), [(4, 17)]);
        assert_eq!(answer(&mut set, Choice::Neither), (0, 1));
        assert!(set.items().is_empty());
        // A version with a tag the curated copy does not have brings it, and undo takes it back.
        let c = vec![ann(3, 21, 28, "EVENT")];
        let g2 = &groups(&[&c, &[]])[0];
        let (keep, drop) = g2.split(Choice::Annotator(0));
        set.decide(
            &doc,
            &[Decision {
                key: g2.key,
                keep: &keep,
                drop: &drop,
            }],
        );
        assert!(set.tags.get("EVENT").is_some());
        assert!(set.undo());
        assert!(
            set.tags.get("EVENT").is_none(),
            "undo took the new tag back"
        );
    }

    #[test]
    fn decided_keys_stay_sorted_and_unique() {
        let mut r = Record::default();
        assert!(r.set_decided(5, true));
        assert!(r.set_decided(2, true));
        assert!(!r.set_decided(2, true));
        assert_eq!(r.decided, [2, 5]);
        assert!(r.is_decided(5));
        assert!(r.set_decided(5, false));
        assert!(!r.is_decided(5));
        let r = Record {
            sources: Vec::new(),
            decided: vec![9, 1, 9],
        }
        .normalized();
        assert_eq!(r.decided, [1, 9]);
    }

    proptest::proptest! {
        /// Every annotation of every annotator is accounted for: in an agreed group, or as (one copy of) a candidate
        /// of exactly one disagreement; disagreements do not overlap each other.
        #[test]
        fn every_annotation_lands_in_one_group(
            lists in proptest::collection::vec(
                proptest::collection::vec((0usize..40, 1usize..8, 0u8..3), 0..12), 1..4)
        ) {
            let tags = ["A", "B", "C"];
            let annotators: Vec<Vec<Annotation>> = lists
                .iter()
                .map(|l| l.iter().enumerate().map(|(i, &(s, len, t))| ann(i as u64, s, s + len, tags[t as usize])).collect())
                .collect();
            let refs: Vec<&[Annotation]> = annotators.iter().map(Vec::as_slice).collect();
            let g = groups(&refs);
            for (k, list) in annotators.iter().enumerate() {
                let mut seen: HashMap<Identity, usize> = HashMap::new();
                for a in list {
                    *seen.entry(identity(a)).or_default() += 1;
                }
                let mut found: HashMap<Identity, usize> = HashMap::new();
                for group in &g {
                    for c in &group.candidates {
                        if c.by.contains(&k) {
                            *found.entry(identity(&c.annotation)).or_default() += 1;
                        }
                    }
                }
                proptest::prop_assert_eq!(seen, found);
            }
            let disputes: Vec<&Group> = g.iter().filter(|g| g.is_disagreement()).collect();
            for w in disputes.windows(2) {
                proptest::prop_assert!(w[0].span.end <= w[1].span.start);
            }
        }
    }
}
