//! JSONL: one JSON object per document per line.
//!
//! Product flavour (`jsonl`): `{"document", "text", "entities": [{"id", "start", "end", "label", "text", "note"}]}`
//! with code-point offsets (spaCy `char_span`, Label Studio). doccano flavour (`jsonl-doccano`):
//! `{"text", "label": [[start, end, "LABEL"], ...]}` with UTF-16 offsets, as doccano counts.

use serde::{Deserialize, Serialize};

use super::{ExportDoc, utf16_offsets};

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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    #[serde(default)]
    pub document: String,
    pub text: String,
    pub entities: Vec<Entity>,
}

#[must_use]
pub fn export(docs: &[ExportDoc<'_>], doccano: bool) -> String {
    let mut out = String::new();
    for d in docs {
        let text = d.doc.text();
        let line = if doccano {
            let u16 = utf16_offsets(text);
            let labels: Vec<(usize, usize, &str)> = d
                .items()
                .iter()
                .map(|a| (u16[a.start], u16[a.end], a.tag.as_str()))
                .collect();
            serde_json::json!({ "text": text, "label": labels })
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
                })
                .collect();
            serde_json::to_value(Line {
                document: d.name.clone(),
                text: text.to_owned(),
                entities,
            })
            .expect("serializable")
        };
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}
