//! W3C Web Annotation (JSON-LD): one annotation each, targeting the document with a `TextPositionSelector` (code
//! points of the text) and a `TextQuoteSelector` (exact text with prefix and suffix, so it can be found again if the
//! text changes); the tag is a `tagging` body, the note a `commenting` `TextualBody`, each attribute a
//! `describing` body (`Name=value`), each knowledge-base link an `identifying` `SpecificResource` body. A
//! discontinuous annotation's target is a `Choice`-free list: one `SpecificResource` per piece. A relation is an
//! annotation with motivation `linking` whose targets are its two annotations (source first) and whose body is
//! its type.

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
            for (name, value) in &a.attributes {
                body.push(serde_json::json!({ "type": "TextualBody", "purpose": "describing", "value": format!("{name}={value}") }));
            }
            for l in &a.links {
                body.push(serde_json::json!({
                    "type": "SpecificResource",
                    "purpose": "identifying",
                    "source": format!("{}:{}", l.db, l.id),
                    "label": l.label,
                }));
            }
            let target = if a.fragments.is_empty() {
                serde_json::json!({
                    "source": d.name,
                    "selector": [
                        { "type": "TextPositionSelector", "start": a.start, "end": a.end },
                        { "type": "TextQuoteSelector", "exact": a.text, "prefix": a.prefix, "suffix": a.suffix }
                    ]
                })
            } else {
                a.pieces()
                    .iter()
                    .map(|p| {
                        serde_json::json!({
                            "source": d.name,
                            "selector": [
                                { "type": "TextPositionSelector", "start": p.start.0, "end": p.end.0 },
                                { "type": "TextQuoteSelector", "exact": d.doc.slice(*p) }
                            ]
                        })
                    })
                    .collect::<Vec<_>>()
                    .into()
            };
            let mut item = serde_json::json!({
                "id": format!("urn:warraq:{}#{}", d.name, a.id),
                "type": "Annotation",
                "created": a.created,
                "modified": a.modified,
                "body": body,
                "target": target
            });
            if !a.annotator.is_empty() {
                item["creator"] = serde_json::json!({ "type": "Person", "name": a.annotator });
            }
            items.push(item);
        }
        let placed: std::collections::HashSet<u64> = d.items().iter().map(|a| a.id).collect();
        for r in d.annotations.relations() {
            if !placed.contains(&r.from) || !placed.contains(&r.to) {
                continue;
            }
            let mut body = vec![
                serde_json::json!({ "type": "TextualBody", "purpose": "tagging", "value": r.kind }),
            ];
            if !r.note.is_empty() {
                body.push(serde_json::json!({ "type": "TextualBody", "purpose": "commenting", "value": r.note, "format": "text/plain" }));
            }
            items.push(serde_json::json!({
                "id": format!("urn:warraq:{}#{}", d.name, r.id),
                "type": "Annotation",
                "motivation": "linking",
                "created": r.created,
                "modified": r.modified,
                "body": body,
                "target": [
                    format!("urn:warraq:{}#{}", d.name, r.from),
                    format!("urn:warraq:{}#{}", d.name, r.to)
                ]
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
