//! Suggestions from a token-classification model on disk, run on the CPU: a folder as people download it from a
//! model hub (`config.json` with its labels, `tokenizer.json`, weights as `model.safetensors` or
//! `pytorch_model.bin`) holding a BERT fine-tuned for named entities, such as CAMeLBERT-NER. The model runs with
//! candle (pure Rust, no Python, no network); its tokenizer is Hugging Face's own `tokenizers`.
//!
//! A document is tokenized a paragraph at a time with code-point offsets, and each paragraph runs through the
//! model in windows of at most the model's length that overlap by a quarter; each word piece takes its label from
//! the window where it is furthest from an edge. Labels (IOB2, IOB1 or BIOES) are read per word piece, so a clitic
//! piece the model leaves outside (the و of وروسيا) stays outside; an entity never ends inside a word. Its score
//! is the mean probability of its pieces' labels. No egui.

#[cfg(feature = "ner")]
mod bert;
#[cfg(feature = "ner")]
pub mod fixture;

#[cfg(not(feature = "ner"))]
pub use absent::Model;
#[cfg(feature = "ner")]
pub use bert::Model;

use crate::model::annotations::{Source, Suggested};
use crate::model::{Annotation, AnnotationSet, CharOffset, Document, Span, TagSet};

/// What a label of the model says about a word piece.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label {
    Outside,
    /// The first piece of an entity of this type (`B-`, `S-`, or a bare type name).
    Begin(String),
    /// A later piece (`I-`, `E-`): continues an entity of the same type, or starts one after anything else.
    Inside(String),
}

impl Label {
    /// Reads a label as the model's `id2label` names it.
    #[must_use]
    pub fn parse(name: &str) -> Label {
        let name = name.trim();
        if name.is_empty() || name.eq_ignore_ascii_case("O") {
            return Label::Outside;
        }
        for (prefix, inside) in [
            ("B-", false),
            ("S-", false),
            ("U-", false),
            ("I-", true),
            ("E-", true),
            ("L-", true),
            ("B_", false),
            ("I_", true),
        ] {
            if let Some(kind) = name.strip_prefix(prefix) {
                return if inside {
                    Label::Inside(kind.to_owned())
                } else {
                    Label::Begin(kind.to_owned())
                };
            }
        }
        Label::Begin(name.to_owned())
    }

    #[cfg(any(feature = "ner", test))]
    pub(crate) fn kind(&self) -> Option<&str> {
        match self {
            Label::Outside => None,
            Label::Begin(k) | Label::Inside(k) => Some(k),
        }
    }
}

/// An entity the model found: code points into the document, end exclusive.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    /// The model's type name ("PERS").
    pub kind: String,
    /// Mean probability of its pieces' labels.
    pub score: f32,
}

/// One window over a paragraph's pieces: the pieces it is given, and those whose labels are taken from it.
#[cfg(any(feature = "ner", test))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) own: std::ops::Range<usize>,
}

/// Windows of at most `size` pieces over `n`, overlapping by a quarter; each piece owned by exactly one window,
/// the one where it is furthest from an edge.
#[cfg(any(feature = "ner", test))]
pub(crate) fn windows(n: usize, size: usize) -> Vec<Window> {
    let size = size.max(2);
    if n <= size {
        return vec![Window {
            start: 0,
            end: n,
            own: 0..n,
        }];
    }
    let overlap = size / 4;
    let step = size - overlap;
    let mut out: Vec<Window> = Vec::new();
    let mut start = 0;
    loop {
        let end = (start + size).min(n);
        let from = if start == 0 { 0 } else { start + overlap / 2 };
        let to = if end == n {
            n
        } else {
            end - (overlap - overlap / 2)
        };
        out.push(Window {
            start,
            end,
            own: from..to,
        });
        if end == n {
            break;
        }
        start += step;
    }
    out
}

/// Entities from labelled pieces: (label id, probability) per piece, with the pieces' code-point spans and words.
#[cfg(any(feature = "ner", test))]
pub(crate) fn decode(
    labels: &[Label],
    tagged: &[(usize, f32)],
    spans: &[(usize, usize)],
    words: &[Option<u32>],
    may_start: &[bool],
) -> Vec<Found> {
    /// The entity being read: its type, first and last piece, and its labelled pieces' probabilities.
    struct Open<'a> {
        kind: &'a str,
        first: usize,
        last: usize,
        sum: f32,
        n: u32,
    }
    let mut out = Vec::new();
    let mut open: Option<Open> = None;
    let close = |open: &mut Option<Open>, out: &mut Vec<Found>| {
        if let Some(o) = open.take() {
            let (start, end) = (spans[o.first].0, spans[o.last].1);
            if start < end {
                out.push(Found {
                    start,
                    end,
                    kind: o.kind.to_owned(),
                    score: o.sum / o.n.max(1) as f32,
                });
            }
        }
    };
    for (i, &(id, p)) in tagged.iter().enumerate() {
        let label = labels.get(id).unwrap_or(&Label::Outside);
        if let Some(o) = open.as_mut()
            && words[i].is_some()
            && words[i] == words[o.last]
        {
            // An entity never ends inside a word: the word's later pieces join it, whatever their labels (only
            // those labelled as the entity count in its score).
            o.last = i;
            if label.kind() == Some(o.kind) {
                o.sum += p;
                o.n += 1;
            }
            continue;
        }
        match label {
            Label::Outside => close(&mut open, &mut out),
            Label::Inside(k) if open.as_ref().is_some_and(|o| o.kind == k) => {
                if let Some(o) = open.as_mut() {
                    o.last = i;
                    o.sum += p;
                    o.n += 1;
                }
            }
            Label::Begin(k) | Label::Inside(k) => {
                close(&mut open, &mut out);
                // Inside a word only after a clitic: a word's other pieces go with its first.
                if !may_start[i] {
                    continue;
                }
                open = Some(Open {
                    kind: k,
                    first: i,
                    last: i,
                    sum: p,
                    n: 1,
                });
            }
        }
    }
    close(&mut open, &mut out);
    out
}

/// The labels of a `config.json`: its `id2label`, ids 0..n.
#[cfg(feature = "ner")]
pub(crate) fn labels_of(config: &serde_json::Value) -> Result<Vec<Label>, String> {
    let Some(map) = config
        .get("id2label")
        .and_then(serde_json::Value::as_object)
    else {
        return Err("no id2label: not a token-classification model".to_owned());
    };
    let mut by_id: std::collections::BTreeMap<usize, String> = std::collections::BTreeMap::new();
    for (k, v) in map {
        let id: usize = k
            .parse()
            .map_err(|_| format!("id2label: {k:?} is not a number"))?;
        let name = v
            .as_str()
            .ok_or_else(|| format!("id2label: label {k} is not a string"))?;
        by_id.insert(id, name.to_owned());
    }
    if by_id.is_empty() || by_id.keys().copied().ne(0..by_id.len()) {
        return Err("id2label: the ids are not 0, 1, 2, …".to_owned());
    }
    // LABEL_0, LABEL_1, …: what a model saved without its label names says.
    if by_id.values().all(|n| {
        n.strip_prefix("LABEL_")
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
    }) {
        return Err(
            "id2label names its labels LABEL_0, LABEL_1, …: the model was saved without its label names, so which is a person or a place is unknown"
                .to_owned(),
        );
    }
    let labels: Vec<Label> = by_id.values().map(|n| Label::parse(n)).collect();
    if !labels.contains(&Label::Outside) {
        return Err(
            "id2label has no label O (outside any entity): not an IOB named-entity model"
                .to_owned(),
        );
    }
    Ok(labels)
}

/// The suggestions `found` makes in `doc`: each entity of a type mapped to a tag and scoring at least `min_score`,
/// except where `set` already has an annotation overlapping it.
#[must_use]
pub fn suggestions(
    found: Vec<Found>,
    doc: &Document,
    set: &AnnotationSet,
    map: &LabelMap,
    min_score: f32,
) -> Vec<Annotation> {
    let time = crate::model::annotations::now();
    found
        .into_iter()
        .filter(|f| f.score >= min_score && f.end <= doc.char_count())
        .filter_map(|f| {
            let tag = tag_for(map, &f.kind)?;
            let span = Span::new(CharOffset(f.start), CharOffset(f.end));
            if set.overlapping(span).next().is_some() || set.is_rejected(f.start, f.end, tag) {
                return None;
            }
            Some(crate::model::annotations::suggestion(
                doc,
                span,
                tag,
                Suggested::new(Source::Model, f64::from(f.score)),
                &time,
            ))
        })
        .collect()
}

/// Which tag each of the model's entity types becomes (`None`: left out).
pub type LabelMap = Vec<(String, Option<String>)>;

/// The usual names of entity types in Arabic NER corpora, and the tag each usually is.
const ALIASES: &[(&str, &str)] = &[
    ("PERS", "PER"),
    ("PERSON", "PER"),
    ("LOCATION", "LOC"),
    ("GPE", "LOC"),
    ("ORGANIZATION", "ORG"),
    ("ORGANISATION", "ORG"),
    ("MISCELLANEOUS", "MISC"),
];

/// A first mapping of the model's types onto `tags`: the tag of the same name (case ignored), or of a usual
/// alias (PERS → PER, GPE ↔ LOC, ORGANIZATION → ORG); otherwise the type's own name, added as a tag when accepted.
#[must_use]
pub fn default_map(kinds: &[String], tags: &TagSet) -> LabelMap {
    let find = |name: &str| {
        tags.tags
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
            .map(|t| t.name.clone())
    };
    kinds
        .iter()
        .map(|k| {
            let upper = k.to_uppercase();
            let tag = find(k)
                .or_else(|| {
                    ALIASES
                        .iter()
                        .filter(|(from, to)| *from == upper || *to == upper)
                        .find_map(|(from, to)| find(if *from == upper { to } else { from }))
                })
                .unwrap_or_else(|| k.clone());
            (k.clone(), Some(tag))
        })
        .collect()
}

/// Reads `TYPE=TAG` (a tag) or `TYPE=` (left out) mappings given on the command line over a first mapping.
pub fn apply_map_args(map: &mut LabelMap, args: &[String]) -> Result<(), String> {
    for arg in args {
        let Some((kind, tag)) = arg.split_once('=') else {
            return Err(format!("--label {arg:?}: expected TYPE=TAG or TYPE="));
        };
        let Some(entry) = map.iter_mut().find(|(k, _)| k == kind.trim()) else {
            let known: Vec<&str> = map.iter().map(|(k, _)| k.as_str()).collect();
            return Err(format!(
                "--label {arg:?}: the model has no type {kind:?} (it has {})",
                known.join(", ")
            ));
        };
        let tag = tag.trim();
        entry.1 = (!tag.is_empty()).then(|| tag.to_owned());
    }
    Ok(())
}

/// The tag a type maps to.
#[must_use]
pub fn tag_for<'a>(map: &'a LabelMap, kind: &str) -> Option<&'a str> {
    map.iter()
        .find(|(k, _)| k == kind)
        .and_then(|(_, t)| t.as_deref())
}

/// A build without the `ner` feature reads no models: loading says so, and no model can exist.
#[cfg(not(feature = "ner"))]
mod absent {
    use std::path::{Path, PathBuf};

    use super::Found;
    use crate::model::Document;

    pub struct Model {
        pub folder: PathBuf,
        never: std::convert::Infallible,
    }

    impl Model {
        pub fn load(folder: &Path) -> Result<Model, String> {
            Err(format!(
                "{}: this build of Warraq reads no models (it was built without the `ner` feature; build it with `cargo build --release --features ner`)",
                folder.display()
            ))
        }

        #[must_use]
        pub fn kinds(&self) -> Vec<String> {
            match self.never {}
        }

        #[must_use]
        pub fn window(&self) -> usize {
            match self.never {}
        }

        pub fn set_window(&mut self, _pieces: usize) {
            match self.never {}
        }

        pub fn run(
            &self,
            _doc: &Document,
            _done: impl FnMut(usize, usize, Vec<Found>) -> bool,
        ) -> Result<(), String> {
            match self.never {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_every_usual_scheme() {
        assert_eq!(Label::parse("O"), Label::Outside);
        assert_eq!(Label::parse("B-PERS"), Label::Begin("PERS".into()));
        assert_eq!(Label::parse("I-LOC"), Label::Inside("LOC".into()));
        assert_eq!(Label::parse("S-ORG"), Label::Begin("ORG".into()));
        assert_eq!(Label::parse("E-ORG"), Label::Inside("ORG".into()));
        assert_eq!(Label::parse("MISC"), Label::Begin("MISC".into()));
    }

    #[test]
    fn windows_overlap_and_every_piece_has_one_owner() {
        for n in 0..200 {
            for size in [8, 9, 16, 510] {
                let ws = windows(n, size);
                let mut owned = vec![0; n];
                for w in &ws {
                    assert!(
                        w.end - w.start <= size && w.start <= w.own.start && w.own.end <= w.end
                    );
                    for o in &mut owned[w.own.clone()] {
                        *o += 1;
                    }
                }
                assert!(owned.iter().all(|&o| o == 1), "n {n} size {size}: {ws:?}");
                for pair in ws.windows(2) {
                    assert!(pair[1].start < pair[0].end, "windows overlap");
                }
            }
        }
    }

    #[test]
    fn pieces_decode_into_entities_that_end_at_a_word_s_end() {
        let labels: Vec<Label> = ["O", "B-PERS", "I-PERS", "B-LOC", "I-LOC"]
            .iter()
            .map(|l| Label::parse(l))
            .collect();
        // و|روسيا (one word: a clitic piece, then the name), then محمد علي, then يا|سر where only the first piece
        // is labelled.
        let spans = [(0, 1), (1, 6), (7, 11), (12, 15), (16, 18), (18, 20)];
        let words = [Some(0), Some(0), Some(1), Some(2), Some(3), Some(3)];
        let tagged = [(0, 0.9), (3, 0.8), (1, 0.6), (2, 1.0), (1, 0.5), (0, 0.7)];
        let found = decode(&labels, &tagged, &spans, &words, &[true; 6]);
        assert_eq!(
            found,
            vec![
                Found {
                    start: 1,
                    end: 6,
                    kind: "LOC".into(),
                    score: 0.8
                },
                Found {
                    start: 7,
                    end: 15,
                    kind: "PERS".into(),
                    score: 0.8
                },
                Found {
                    start: 16,
                    end: 20,
                    kind: "PERS".into(),
                    score: 0.5
                },
            ]
        );
        // تل|##قى with only the second piece labelled: a word is not cut after a piece that is no clitic.
        let found = decode(
            &labels,
            &[(0, 0.9), (3, 0.8)],
            &[(0, 2), (2, 4)],
            &[Some(0), Some(0)],
            &[true, false],
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn types_map_onto_the_tag_set_by_name_and_usual_alias() {
        let tags = TagSet::default();
        let kinds: Vec<String> = ["PERS", "LOC", "ORG", "MISC", "DATE"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let mut map = default_map(&kinds, &tags);
        assert_eq!(tag_for(&map, "PERS"), Some("PER"));
        assert_eq!(tag_for(&map, "DATE"), Some("DATE"));
        apply_map_args(&mut map, &["MISC=".to_owned(), "LOC=GPE".to_owned()]).unwrap();
        assert_eq!(tag_for(&map, "MISC"), None);
        assert_eq!(tag_for(&map, "LOC"), Some("GPE"));
        assert!(apply_map_args(&mut map, &["NOPE=X".to_owned()]).is_err());
    }
}
