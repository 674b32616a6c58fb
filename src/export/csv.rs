//! CSV: one row per annotation, UTF-8 with a byte-order mark (so spreadsheet programs read Arabic), RFC 4180 quoting.
//! The last columns hold a discontinuous annotation's pieces (`START-END …`), its attributes (`Name=value; …`) and
//! links (`DB:ID …`); relations are not in a CSV.

use super::ExportDoc;

pub const HEADER: &[&str] = &[
    "document",
    "id",
    "tag",
    "start",
    "end",
    "text",
    "note",
    "left_context",
    "right_context",
    "fragments",
    "attributes",
    "links",
    "annotator",
];

/// A field quoted as RFC 4180 asks: in double quotes when it holds a comma, quote or line break; quotes doubled.
#[must_use]
pub fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[must_use]
pub fn export(docs: &[ExportDoc<'_>]) -> String {
    let mut out = String::from("\u{FEFF}");
    out.push_str(&HEADER.join(","));
    out.push_str("\r\n");
    for d in docs {
        for a in d.items() {
            let (left, right) = d.context(a, 40);
            let row = [
                d.name.clone(),
                a.id.to_string(),
                a.tag.clone(),
                a.start.to_string(),
                a.end.to_string(),
                a.text.clone(),
                a.note.clone(),
                left,
                right,
                a.fragments
                    .iter()
                    .map(|(s, e)| format!("{s}-{e}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                a.attributes
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join("; "),
                a.links
                    .iter()
                    .map(|l| format!("{}:{}", l.db, l.id))
                    .collect::<Vec<_>>()
                    .join(" "),
                a.annotator.clone(),
            ];
            out.push_str(&row.iter().map(|f| field(f)).collect::<Vec<_>>().join(","));
            out.push_str("\r\n");
        }
    }
    out
}
