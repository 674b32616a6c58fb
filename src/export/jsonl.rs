//! JSONL: one JSON object per document per line.
//!
//! Product flavour (`jsonl`): `{"document", "text", "entities": [{"id", "start", "end", "label", "text", "note"}],
//! "relations": [{"id", "from_id", "to_id", "type"}]}` with code-point offsets (spaCy `char_span`, Label Studio); an
//! entity also has `fragments` (`[[start, end], …]`, a discontinuous entity's pieces), `attributes` (`{"Negated":
//! "true"}`) and `links` (`[{"db", "id", "label"}]`) when it has them, and `relations` (doccano's shape) is there
//! when the document has some. doccano flavour (`jsonl-doccano`): `{"text", "label": [[start, end, "LABEL"], ...]}`
//! with UTF-16 offsets, as doccano counts; with relations, also doccano's relation-extraction keys `entities`
//! (`{"id", "label", "start_offset", "end_offset"}`) and `relations`.

use crate::tr;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{ExportDoc, utf16_offsets};
use crate::model::Link;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    #[serde(default)]
    pub id: u64,
    pub start: usize,
    pub end: usize,
    pub label: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub note: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fragments: Vec<[usize; 2]>,
    /// Values as strings; a JSON `true`, `false` or number is read as its text.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Who made it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub annotator: String,
}

/// A relation as doccano writes it: entity ids at both ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonRelation {
    #[serde(default)]
    pub id: u64,
    pub from_id: u64,
    pub to_id: u64,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    #[serde(default)]
    pub document: String,
    pub text: String,
    pub entities: Vec<Entity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<JsonRelation>,
}

/// The relations of a document whose two ends are placed, in doccano's shape.
fn relations(d: &ExportDoc<'_>) -> Vec<JsonRelation> {
    let placed: std::collections::HashSet<u64> = d.items().iter().map(|a| a.id).collect();
    d.annotations
        .relations()
        .iter()
        .filter(|r| placed.contains(&r.from) && placed.contains(&r.to))
        .map(|r| JsonRelation {
            id: r.id,
            from_id: r.from,
            to_id: r.to,
            kind: r.kind.clone(),
            note: r.note.clone(),
        })
        .collect()
}

#[must_use]
pub fn export(docs: &[ExportDoc<'_>], doccano: bool) -> String {
    let mut out = String::new();
    for d in docs {
        let text = d.doc.text();
        let relations = relations(d);
        let line = if doccano {
            let u16 = utf16_offsets(text);
            let labels: Vec<(usize, usize, &str)> = d
                .items()
                .iter()
                .flat_map(|a| {
                    a.pieces()
                        .into_iter()
                        .map(|p| (u16[p.start.0], u16[p.end.0], a.tag.as_str()))
                })
                .collect();
            let mut line = serde_json::json!({ "text": text, "label": labels });
            if !relations.is_empty() {
                let entities: Vec<serde_json::Value> = d
                    .items()
                    .iter()
                    .map(|a| {
                        serde_json::json!({
                            "id": a.id,
                            "label": a.tag,
                            "start_offset": u16[a.start],
                            "end_offset": u16[a.end],
                        })
                    })
                    .collect();
                line["entities"] = entities.into();
                line["relations"] = serde_json::to_value(&relations).expect("serializable");
            }
            line
        } else {
            let entities: Vec<Entity> = d
                .items()
                .iter()
                .map(|a| Entity {
                    id: a.id,
                    start: a.start,
                    end: a.end,
                    label: a.tag.clone(),
                    text: a.text.clone(),
                    note: a.note.clone(),
                    fragments: a.fragments.iter().map(|&(s, e)| [s, e]).collect(),
                    attributes: a
                        .attributes
                        .iter()
                        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                        .collect(),
                    links: a.links.clone(),
                    annotator: a.annotator.clone(),
                })
                .collect();
            serde_json::to_value(Line {
                document: d.name.clone(),
                text: text.to_owned(),
                entities,
                relations,
            })
            .expect("serializable")
        };
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}

/// The document and annotations of one JSONL line (the product's flavour), and what could not be used, one message
/// each (the caller names the file and line). Entities are checked — a label, pieces inside the text, in order and
/// apart, within `start`..`end` and reaching both; the quote when given — and relations name two imported entities.
#[must_use]
pub fn import_line(
    line: Line,
) -> (
    crate::model::Document,
    crate::model::AnnotationSet,
    Vec<String>,
) {
    use crate::model::{CharOffset, Draft, LineProblem, Span};
    let doc = crate::model::Document::new(line.text);
    let n = doc.char_count();
    let mut problems = Vec::new();
    let mut drafts = Vec::with_capacity(line.entities.len());
    let mut entity_of = Vec::with_capacity(line.entities.len());
    let mut ids_seen = std::collections::HashSet::new();
    for e in &line.entities {
        // Relations name entities by id: with relations, an id given twice is ambiguous.
        if !line.relations.is_empty() && !ids_seen.insert(e.id) {
            problems.push(format!(
                "entity id {} is used twice; relations name the first",
                e.id
            ));
        }
        let what = tr!(
            "entity %{id} (%{start}–%{end})",
            id = e.id,
            start = e.start,
            end = e.end
        );
        if e.label.trim().is_empty() || e.label.contains(char::is_whitespace) {
            problems.push(tr!(
                "%{what}: a label needs letters and no spaces",
                what = what
            ));
            continue;
        }
        if e.start >= e.end {
            problems.push(tr!("%{what}: an empty span", what = what));
            continue;
        }
        if e.end > n {
            problems.push(tr!(
                "%{what} is outside the text (%{n} characters)",
                what = what,
                n = n
            ));
            continue;
        }
        let pieces: Vec<Span> = if e.fragments.is_empty() {
            vec![Span::new(CharOffset(e.start), CharOffset(e.end))]
        } else {
            e.fragments
                .iter()
                .map(|[s, t]| Span::new(CharOffset(*s), CharOffset(*t)))
                .collect()
        };
        let in_order = pieces.windows(2).all(|w| w[0].end < w[1].start)
            && pieces.iter().all(|p| p.start < p.end);
        let reaches = pieces.first().map(|p| p.start.0) == Some(e.start)
            && pieces.last().map(|p| p.end.0) == Some(e.end);
        if !in_order || !reaches {
            problems.push(format!(
                "{what}: its fragments must be in order, apart, and run from its start to its end"
            ));
            continue;
        }
        let span = Span::new(CharOffset(e.start), CharOffset(e.end));
        if !e.text.is_empty() && doc.slice(span) != e.text {
            problems.push(format!(
                "the text at {}–{} is \"{}\", not \"{}\"",
                e.start,
                e.end,
                LineProblem::shorten(&doc.slice(span), 80),
                LineProblem::shorten(&e.text, 80)
            ));
            continue;
        }
        let mut attributes = BTreeMap::new();
        for (k, v) in &e.attributes {
            let value = match v {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Bool(b) => Some(b.to_string()),
                serde_json::Value::Number(x) => Some(x.to_string()),
                _ => None,
            };
            match value {
                Some(v) if !k.trim().is_empty() && !v.is_empty() => {
                    attributes.insert(k.clone(), v);
                }
                _ => problems.push(format!(
                    "{what}: attribute \"{}\" needs a name and a text, number or true/false value; left out",
                    LineProblem::shorten(k, 40)
                )),
            }
        }
        let mut links = Vec::new();
        for l in &e.links {
            if l.db.trim().is_empty() || l.id.trim().is_empty() {
                problems.push(tr!(
                    "%{what}: a link needs a db and an id; left out",
                    what = what
                ));
            } else {
                links.push(l.clone());
            }
        }
        entity_of.push(e.id);
        drafts.push(Draft {
            pieces,
            tag: e.label.clone(),
            note: e.note.clone(),
            attributes,
            links,
            annotator: e.annotator.clone(),
        });
    }
    let (set, ids) =
        crate::model::AnnotationSet::from_drafts(&doc, drafts, crate::model::TagSet::default());
    // Relations name entities by the ids in the file; the first entity with an id is the one named.
    let index: std::collections::HashMap<u64, usize> = entity_of
        .iter()
        .enumerate()
        .rev()
        .map(|(i, &e)| (e, i))
        .collect();
    let new_id = |entity: u64| index.get(&entity).and_then(|&i| ids[i]);
    let time = crate::model::annotations::now();
    let mut next = set.next_id();
    let mut seen = std::collections::HashSet::new();
    let mut relations = Vec::new();
    for r in &line.relations {
        let what = tr!(
            "relation %{id} (%{kind} %{from} → %{to})",
            id = r.id,
            kind = r.kind,
            from = r.from_id,
            to = r.to_id
        );
        if r.kind.trim().is_empty() || r.kind.contains(char::is_whitespace) {
            problems.push(tr!(
                "%{what}: a type needs letters and no spaces",
                what = what
            ));
            continue;
        }
        match (new_id(r.from_id), new_id(r.to_id)) {
            (Some(from), Some(to)) if from == to => {
                problems.push(tr!("%{what}: links an entity to itself", what = what));
            }
            (Some(from), Some(to)) => {
                if seen.insert((from, to, r.kind.clone())) {
                    relations.push(crate::model::Relation {
                        id: next,
                        kind: r.kind.clone(),
                        from,
                        to,
                        note: r.note.clone(),
                        created: time.clone(),
                        modified: time.clone(),
                    });
                    next += 1;
                }
            }
            _ => problems.push(tr!(
                "%{what}: does not name two imported entities",
                what = what
            )),
        }
    }
    let mut set = set.with_relations(relations);
    let kinds: Vec<String> = set.relations().iter().map(|r| r.kind.clone()).collect();
    for kind in kinds {
        set.tags.ensure_relation(&kind);
    }
    (doc, set, problems)
}
