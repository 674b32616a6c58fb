//! JSONL: one JSON object per document per line.
//!
//! Product flavour (`jsonl`): `{"document", "text", "entities": [{"id", "start", "end", "label", "text", "note"}],
//! "relations": [{"id", "from_id", "to_id", "type"}]}` with code-point offsets (spaCy `char_span`, Label Studio); an
//! entity also has `fragments` (`[[start, end], …]`, a discontinuous entity's pieces), `attributes` (`{"Negated":
//! "true"}`) and `links` (`[{"db", "id", "label"}]`) when it has them, and `relations` (doccano's shape) is there
//! when the document has some. doccano flavour (`jsonl-doccano`): `{"text", "label": [[start, end, "LABEL"], ...]}`
//! with UTF-16 offsets, as doccano counts; with relations, also doccano's relation-extraction keys `entities`
//! (`{"id", "label", "start_offset", "end_offset"}`) and `relations`.

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
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
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
                    attributes: a.attributes.clone(),
                    links: a.links.clone(),
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
