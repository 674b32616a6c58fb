//! The tagged notes: a report a researcher reads. Per document a header (file, date, counts per tag), then the
//! entities grouped by tag, each with its text, a short context with the entity marked, its note and position, and
//! under it its attributes, knowledge-base links and relations (أنتونوف ← EmployedBy — الولايات المتحدة).
//! The HTML version is one self-contained file (inline CSS, the bundled Naskh font embedded, `dir="rtl"`,
//! `lang="ar"`) that also shows the full text with coloured highlights and a legend, and prints well.

use crate::tr;
use std::fmt::Write as _;

use base64::Engine as _;

use super::ExportDoc;
use crate::model::Annotation;

fn today() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()[..10].to_owned()
}

fn grouped<'a>(d: &'a ExportDoc<'_>) -> Vec<(String, String, Vec<&'a Annotation>)> {
    let mut groups: Vec<(String, String, Vec<&Annotation>)> = d
        .annotations
        .tags
        .tags
        .iter()
        .map(|t| (t.name.clone(), t.label.clone(), Vec::new()))
        .collect();
    for a in d.items() {
        match groups.iter_mut().find(|g| g.0 == a.tag) {
            Some(g) => g.2.push(a),
            None => groups.push((a.tag.clone(), String::new(), vec![a])),
        }
    }
    groups.retain(|g| !g.2.is_empty());
    groups
}

/// What is said of an annotation besides its tag and note, one line each: attributes, links, relations.
/// A document's relations by annotation, and the texts of their ends: found once per document, not per entity.
struct Relations<'a> {
    of: std::collections::HashMap<u64, Vec<&'a crate::model::Relation>>,
    text: std::collections::HashMap<u64, &'a str>,
}

impl<'a> Relations<'a> {
    fn of(d: &'a ExportDoc<'_>) -> Self {
        let mut of: std::collections::HashMap<u64, Vec<&crate::model::Relation>> =
            std::collections::HashMap::new();
        for r in d.annotations.relations() {
            of.entry(r.from).or_default().push(r);
            if r.to != r.from {
                of.entry(r.to).or_default().push(r);
            }
        }
        let text = if of.is_empty() {
            std::collections::HashMap::new()
        } else {
            d.items()
                .iter()
                .chain(&d.annotations.unplaced)
                .filter(|a| of.contains_key(&a.id))
                .map(|a| (a.id, a.text.as_str()))
                .collect()
        };
        Self { of, text }
    }
}

fn extras(d: &ExportDoc<'_>, relations: &Relations<'_>, a: &Annotation) -> Vec<String> {
    let mut out = Vec::new();
    if a.fragments.len() > 1 {
        let pieces: Vec<String> = a.pieces().iter().map(|p| d.doc.slice(*p)).collect();
        out.push(tr!(
            "in %{n} pieces: %{pieces}",
            n = pieces.len(),
            pieces = pieces.join(" … ")
        ));
    }
    for (name, value) in &a.attributes {
        out.push(if value == "true" {
            name.clone()
        } else {
            format!("{name}: {value}")
        });
    }
    for l in &a.links {
        out.push(if l.label.is_empty() {
            format!("{}:{}", l.db, l.id)
        } else {
            format!("{}:{} {}", l.db, l.id, l.label)
        });
    }
    let text_of = |id: u64| {
        relations
            .text
            .get(&id)
            .map_or_else(|| format!("#{id}"), |x| x.replace(['\n', '\r'], " "))
    };
    // The same line under both ends: source ← type — target (the arrow points from the source, read right to
    // left).
    for r in relations.of.get(&a.id).into_iter().flatten() {
        out.push(format!(
            "{} ← {} — {}",
            text_of(r.from),
            r.kind,
            text_of(r.to)
        ));
    }
    out
}

#[must_use]
pub fn markdown(docs: &[ExportDoc<'_>]) -> String {
    let mut out = String::new();
    for d in docs {
        let groups = grouped(d);
        let relations = Relations::of(d);
        let _ = writeln!(out, "# {}\n", d.name);
        let _ = writeln!(out, "{}\n", exported(d));
        let _ = writeln!(
            out,
            "| {} | | {} |\n|---|---|---|",
            tr!("tag"),
            tr!("count")
        );
        for (name, label, list) in &groups {
            let _ = writeln!(out, "| {name} | {label} | {} |", list.len());
        }
        out.push('\n');
        for (name, label, list) in &groups {
            let _ = writeln!(out, "## {name} {label} ({})\n", list.len());
            for a in list {
                let (left, right) = d.context(a, 30);
                let _ = writeln!(
                    out,
                    "- **{}** — …{left}**{}**{right}… ({})",
                    md(&a.text),
                    md(&a.text),
                    tr!("characters %{start}–%{end}", start = a.start, end = a.end)
                );
                for extra in extras(d, &relations, a) {
                    let _ = writeln!(out, "  - {}", md(&extra));
                }
                if !a.note.is_empty() {
                    for line in a.note.lines() {
                        let _ = writeln!(out, "  > {}", md(line));
                    }
                }
            }
            out.push('\n');
        }
    }
    out
}

fn md(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('*', "\\*")
        .replace('_', "\\_")
        .replace(['\r', '\n'], " ")
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn css_color([r, g, b]: [u8; 3], alpha: f32) -> String {
    format!("rgba({r},{g},{b},{alpha})")
}

/// The line under a document's name: when it was exported and how many annotations it has.
fn exported(d: &ExportDoc<'_>) -> String {
    tr!(
        "Exported %{date} · %{n} annotations",
        date = today(),
        n = d.items().len()
    )
}

#[must_use]
pub fn html(docs: &[ExportDoc<'_>]) -> String {
    let font = base64::engine::general_purpose::STANDARD.encode(crate::text::fonts::NASKH_REGULAR);
    let title = esc(&tr!("Warraq — tagged notes"));
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<!doctype html>
<html dir="rtl" lang="ar"><head><meta charset="utf-8"><title>{title}</title>
<style>
@font-face {{ font-family: "Warraq Naskh"; src: url(data:font/ttf;base64,{font}) format("truetype"); }}
body {{ font-family: "Warraq Naskh", serif; font-size: 18px; line-height: 1.9; max-width: 50em; margin: 2em auto; padding: 0 1em; color: #222; }}
h1, h2 {{ line-height: 1.4; }}
table {{ border-collapse: collapse; }} td, th {{ padding: 0.2em 0.8em; border-bottom: 1px solid #ddd; }}
.chip {{ display: inline-block; padding: 0 0.5em; border-radius: 0.3em; color: #fff; font-family: sans-serif; font-size: 0.8em; direction: ltr; }}
.entity {{ font-weight: bold; }}
.context mark {{ background: #ffe58a; }}
.note {{ margin: 0.2em 1.5em 0.6em 0; color: #555; white-space: pre-wrap; }}
.extra {{ margin: 0 1.5em 0 0; color: #335; font-size: 0.9em; }}
.pos {{ color: #888; font-size: 0.8em; font-family: sans-serif; }}
.text p {{ margin: 0 0 0.8em 0; white-space: pre-wrap; }}
.text mark {{ border-radius: 0.2em; padding: 0 0.05em; }}
@media print {{ body {{ margin: 0; max-width: none; }} .text mark {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }} section {{ break-before: page; }} }}
</style></head><body>
"#
    );
    for d in docs {
        let groups = grouped(d);
        let relations = Relations::of(d);
        let color = |tag: &str| d.annotations.tags.color_of(tag);
        let _ = writeln!(out, "<section><h1 dir=\"auto\">{}</h1>", esc(&d.name));
        let _ = writeln!(out, "<p class=\"pos\">{}</p>", esc(&exported(d)));
        let _ = writeln!(
            out,
            "<table><tr><th>{}</th><th></th><th>{}</th></tr>",
            esc(&tr!("tag")),
            esc(&tr!("count"))
        );
        for (name, label, list) in &groups {
            let _ = writeln!(
                out,
                "<tr><td><span class=\"chip\" style=\"background:{}\">{}</span></td><td>{}</td><td>{}</td></tr>",
                css_color(color(name), 1.0),
                esc(name),
                esc(label),
                list.len()
            );
        }
        out.push_str("</table>\n");
        for (name, label, list) in &groups {
            let _ = writeln!(
                out,
                "<h2><span class=\"chip\" style=\"background:{}\">{}</span> {} ({})</h2><ul>",
                css_color(color(name), 1.0),
                esc(name),
                esc(label),
                list.len()
            );
            for a in list {
                let (left, right) = d.context(a, 30);
                let _ = write!(
                    out,
                    "<li><span class=\"entity\">{}</span> — <span class=\"context\">…{}<mark>{}</mark>{}…</span> <span class=\"pos\" dir=\"ltr\">({}–{})</span>",
                    esc(&a.text),
                    esc(&left),
                    esc(&a.text),
                    esc(&right),
                    a.start,
                    a.end
                );
                for extra in extras(d, &relations, a) {
                    let _ = write!(
                        out,
                        "<div class=\"extra\" dir=\"auto\">{}</div>",
                        esc(&extra)
                    );
                }
                if !a.note.is_empty() {
                    let _ = write!(
                        out,
                        "<div class=\"note\" dir=\"auto\">{}</div>",
                        esc(&a.note)
                    );
                }
                out.push_str("</li>\n");
            }
            out.push_str("</ul>\n");
        }
        // The full text with highlights: each stretch between annotation boundaries is marked with the colour of the
        // innermost annotation covering it; its title lists every tag there.
        let _ = writeln!(out, "<h2>{}</h2><div class=\"text\">", esc(&tr!("Text")));
        for p in d.doc.paragraphs() {
            let para = p.span();
            let mut cuts: Vec<usize> = vec![para.start.0, para.end.0];
            for a in d.annotations.overlapping(para) {
                cuts.extend([a.start.max(para.start.0), a.end.min(para.end.0)]);
            }
            cuts.sort_unstable();
            cuts.dedup();
            out.push_str("<p dir=\"auto\">");
            for w in cuts.windows(2) {
                let seg = crate::model::Span::new(
                    crate::model::CharOffset(w[0]),
                    crate::model::CharOffset(w[1]),
                );
                let text = esc(&d.doc.slice(seg));
                let mut here: Vec<&Annotation> = d
                    .annotations
                    .overlapping(seg)
                    .filter(|a| a.start <= w[0] && w[1] <= a.end)
                    .collect();
                here.sort_by_key(|a| a.end - a.start);
                match here.first() {
                    Some(inner) => {
                        let title: Vec<&str> = here.iter().map(|a| a.tag.as_str()).collect();
                        let _ = write!(
                            out,
                            "<mark style=\"background:{}\" title=\"{}\">{text}</mark>",
                            css_color(color(&inner.tag), 0.35),
                            esc(&title.join(", "))
                        );
                    }
                    None => out.push_str(&text),
                }
            }
            out.push_str("</p>\n");
        }
        out.push_str("</div></section>\n");
    }
    out.push_str("</body></html>\n");
    out
}
