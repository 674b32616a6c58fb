//! brat standoff: `NAME.txt` and `NAME.ann`.
//!
//! brat reads the `.txt` with Python's universal newlines, so CR LF counts as one character there. The exported
//! `.txt` is therefore written with LF line ends and every offset is counted in that text. A span that crosses a line
//! break becomes a discontinuous annotation, one fragment per line (`T1<TAB>LOC 10 14;15 20<TAB>frag1 frag2`), as
//! brat requires; notes become `AnnotatorNotes`. Import reads the same, reports every line it cannot use with its
//! number, and loses nothing else.

use std::fmt::Write as _;

use super::ExportDoc;
use crate::model::{AnnotationSet, CharOffset, Document, Span, TagSet};

/// The text as brat stores it (CR LF → LF) and, for each code point of the original, its offset in that text.
fn normalized(text: &str) -> (String, Vec<usize>) {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(chars.len() + 1);
    let mut n = 0;
    for (i, &c) in chars.iter().enumerate() {
        map.push(n);
        if c == '\r' && chars.get(i + 1) == Some(&'\n') {
            continue; // the LF that follows stands for both
        }
        out.push(if c == '\r' { '\n' } else { c });
        n += 1;
    }
    map.push(n);
    (out, map)
}

/// The `.txt` and `.ann` contents for one document.
#[must_use]
pub fn export(d: &ExportDoc<'_>) -> (String, String) {
    let (text, map) = normalized(d.doc.text());
    let chars: Vec<char> = text.chars().collect();
    let mut ann = String::new();
    let mut note_n = 0;
    for (k, a) in d.items().iter().enumerate() {
        let (s, e) = (map[a.start], map[a.end]);
        // Fragments: the pieces of the span between line breaks.
        let mut frags = Vec::new();
        let mut start = None;
        for (i, &c) in chars.iter().enumerate().take(e).skip(s) {
            if c == '\n' {
                if let Some(f) = start.take() {
                    frags.push((f, i));
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
        if let Some(f) = start {
            frags.push((f, e));
        }
        if frags.is_empty() {
            continue;
        }
        let ranges: Vec<String> = frags.iter().map(|(a, b)| format!("{a} {b}")).collect();
        let quote: Vec<String> = frags
            .iter()
            .map(|(a, b)| chars[*a..*b].iter().collect())
            .collect();
        let t = k + 1;
        let _ = writeln!(
            ann,
            "T{t}\t{} {}\t{}",
            a.tag,
            ranges.join(";"),
            quote.join(" ")
        );
        if !a.note.is_empty() {
            note_n += 1;
            let note = a.note.replace(['\n', '\r', '\t'], " ");
            let _ = writeln!(ann, "#{note_n}\tAnnotatorNotes T{t}\t{note}");
        }
    }
    (text, ann)
}

pub use crate::model::LineProblem as Problem;

/// Reads a `.ann` against the decoded text of its `.txt`. Returns the annotations and the lines that were skipped.
#[must_use]
pub fn import(doc: &Document, ann: &str, tags: TagSet) -> (AnnotationSet, Vec<Problem>) {
    let (norm, map) = normalized(doc.text());
    let norm_chars: Vec<char> = norm.chars().collect();
    // Back from brat offsets (normalized text) to offsets in the decoded text.
    let mut back = vec![0usize; norm_chars.len() + 1];
    for (orig, &n) in map.iter().enumerate().rev() {
        back[n] = orig;
    }
    // Spans with their tag and note, collected first and made into a set in one go (linear in the file).
    let mut entries: Vec<(Span, String, String)> = Vec::new();
    let mut problems = Vec::new();
    let mut ids = std::collections::HashMap::new();
    let mut notes = Vec::new();
    for (i, line) in ann.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.splitn(3, '\t').collect();
        let id = fields[0];
        match id.chars().next() {
            Some('T') => {
                if fields.len() < 3 {
                    problems.push(Problem {
                        line: n,
                        message: "a text-bound annotation needs three tab-separated fields".into(),
                    });
                    continue;
                }
                let mut parts = fields[1].splitn(2, ' ');
                let tag = parts.next().unwrap_or_default();
                let ranges: Result<Vec<(usize, usize)>, String> = parts
                    .next()
                    .unwrap_or_default()
                    .split(';')
                    .map(|r| {
                        let mut it = r.split_whitespace().map(str::parse::<usize>);
                        match (it.next(), it.next()) {
                            (Some(Ok(a)), Some(Ok(b))) if a <= b => Ok((a, b)),
                            _ => Err(format!("\"{r}\" is not a START END range")),
                        }
                    })
                    .collect();
                let ranges = match ranges {
                    Ok(r) if r.windows(2).any(|w| w[1].0 < w[0].1) => {
                        problems.push(Problem {
                            line: n,
                            message: format!(
                                "the fragments of \"{}\" are out of order or overlap",
                                fields[1]
                            ),
                        });
                        continue;
                    }
                    Ok(r) if !r.is_empty() => r,
                    Ok(_) => {
                        problems.push(Problem {
                            line: n,
                            message: "no offsets".into(),
                        });
                        continue;
                    }
                    Err(e) => {
                        problems.push(Problem {
                            line: n,
                            message: e,
                        });
                        continue;
                    }
                };
                if let Some((_, e)) = ranges.iter().find(|(_, e)| *e > norm_chars.len()) {
                    problems.push(Problem {
                        line: n,
                        message: format!(
                            "offset {e} is past the end of the text ({} characters)",
                            norm_chars.len()
                        ),
                    });
                    continue;
                }
                let quote: Vec<String> = ranges
                    .iter()
                    .map(|(a, b)| norm_chars[*a..*b].iter().collect())
                    .collect();
                if quote.join(" ") != fields[2] {
                    problems.push(Problem {
                        line: n,
                        message: format!(
                            "the text at {} is \"{}\", not \"{}\"",
                            fields[1],
                            quote.join(" "),
                            fields[2]
                        ),
                    });
                    continue;
                }
                let start = back[ranges[0].0];
                let end = back[ranges[ranges.len() - 1].1];
                // Fragments separated only by line breaks are one span; others become one annotation each.
                let only_breaks = ranges.windows(2).all(|w| {
                    norm_chars[w[0].1..w[1].0]
                        .iter()
                        .all(|c| *c == '\n' || *c == ' ')
                });
                let spans: Vec<Span> = if only_breaks {
                    vec![Span::new(CharOffset(start), CharOffset(end))]
                } else {
                    ranges
                        .iter()
                        .map(|(a, b)| Span::new(CharOffset(back[*a]), CharOffset(back[*b])))
                        .collect()
                };
                for span in spans.into_iter().filter(|s| !s.is_empty()) {
                    entries.push((span, tag.to_owned(), String::new()));
                    ids.insert(id.to_owned(), entries.len() - 1);
                }
            }
            Some('#') => notes.push((
                n,
                fields
                    .clone()
                    .into_iter()
                    .map(str::to_owned)
                    .collect::<Vec<_>>(),
            )),
            Some(_) => problems.push(Problem {
                line: n,
                message: format!(
                    "{id}: relations, events, attributes and normalizations are not imported"
                ),
            }),
            None => {}
        }
    }
    for (n, fields) in notes {
        let target = fields
            .get(1)
            .and_then(|f| f.strip_prefix("AnnotatorNotes "))
            .map(str::trim);
        match (target.and_then(|t| ids.get(t)), fields.get(2)) {
            (Some(&i), Some(note)) => entries[i].2 = (*note).clone(),
            _ => problems.push(Problem {
                line: n,
                message: "a note that refers to no imported annotation".into(),
            }),
        }
    }
    let (set, _) = AnnotationSet::from_spans(doc, entries, tags);
    (set, problems)
}
