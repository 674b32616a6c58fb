//! W3C Web Annotation (JSON-LD): one annotation each, targeting the document with a `TextPositionSelector` (code
//! points of the text) and a `TextQuoteSelector` (exact text with prefix and suffix, so it can be found again if the
//! text changes); the tag is a `tagging` body, the note a `commenting` `TextualBody`.

use super::ExportDoc;

#[must_use]
pub fn export(docs: &[ExportDoc<'_>]) -> String {
    let mut items = Vec::new();
    for d in docs {
        for a in d.items() {
            let mut body = vec![
                serde_json::json!({ "type": "TextualBody", "purpose": "tagging", "value": a.tag }),
            ];
            if !a.note.is_empty() {
                body.push(serde_json::json!({ "type": "TextualBody", "purpose": "commenting", "value": a.note, "format": "text/plain" }));
            }
            items.push(serde_json::json!({
                "id": format!("urn:warraq:{}#{}", d.name, a.id),
                "type": "Annotation",
                "created": a.created,
                "modified": a.modified,
                "body": body,
                "target": {
                    "source": d.name,
                    "selector": [
                        { "type": "TextPositionSelector", "start": a.start, "end": a.end },
                        { "type": "TextQuoteSelector", "exact": a.text, "prefix": a.prefix, "suffix": a.suffix }
                    ]
                }
            }));
        }
    }
    let page = serde_json::json!({
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "AnnotationCollection",
        "label": "Warraq annotations",
        "total": items.len(),
        "first": { "type": "AnnotationPage", "items": items }
    });
    serde_json::to_string_pretty(&page).expect("serializable") + "\n"
}
