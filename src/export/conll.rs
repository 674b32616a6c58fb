//! CoNLL IOB2: one token a line followed by its tags, a blank line between sentences.
//!
//! Tokenizer (export): a paragraph (a line of the file) is a sentence. Within it, tokens are the runs of word
//! characters (letters, digits, combining marks, tatweel) and the runs of other visible characters (punctuation,
//! symbols), split wherever an annotation starts or ends inside one — so a clitic left outside a name (و in ومحمد)
//! becomes its own token. Each annotation gets a tag column: the outermost ones the first, annotations nested in
//! them the next, and so on; an annotation that crosses another keeps one column throughout, so each column is valid
//! IOB2 (`B-` on an annotation's first token, `I-` after, `O` where that column has none; trailing `O`s are left
//! off). An annotation that runs across a line break is cut in two there, since a CoNLL entity ends with its sentence.
//! The "outermost only" option keeps the first column. Nested corpora such as Wojood use exactly these columns.
//! A discontinuous annotation keeps one column; each of its pieces begins with `B-` (IOB2 has no way to join
//! pieces), and the tokens between pieces are not part of it. CoNLL holds no relations, attributes or links: the
//! export leaves them out and says so ([`super::left_out`]).
//!
//! Import: tokens are joined by single spaces, sentences by line breaks; the n-th tag column of a token belongs to the
//! n-th nesting level, so several columns become nested annotations.

use crate::tr;
use std::fmt::Write as _;

use super::ExportDoc;
use crate::model::{AnnotationSet, CharOffset, Document, Span, TagSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Space,
    Word,
    Other,
}

fn class(c: char) -> Class {
    if c.is_whitespace() {
        Class::Space
    } else if c.is_alphanumeric() || c == '\u{0640}' || is_mark(c) {
        Class::Word
    } else {
        Class::Other
    }
}

fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED | 0x200C | 0x200D)
}

/// Tokens of each paragraph as code-point spans of the whole text, split at the given boundaries.
#[must_use]
pub fn tokenize(doc: &Document, boundaries: &[usize]) -> Vec<Vec<Span>> {
    let mut sentences = Vec::new();
    for p in doc.paragraphs() {
        let text = &doc.text()[p.byte_start..p.byte_end];
        let mut tokens = Vec::new();
        let mut start: Option<(usize, Class)> = None;
        let mut pos = p.char_start;
        for c in text.chars() {
            let k = class(c);
            let cut = boundaries.binary_search(&pos).is_ok();
            match start {
                Some((_, sk)) if sk == k && !cut => {}
                Some((s, _)) => {
                    tokens.push(Span::new(CharOffset(s), CharOffset(pos)));
                    start = (k != Class::Space).then_some((pos, k));
                }
                None => start = (k != Class::Space).then_some((pos, k)),
            }
            pos += 1;
        }
        if let Some((s, _)) = start {
            tokens.push(Span::new(CharOffset(s), CharOffset(pos)));
        }
        if !tokens.is_empty() {
            sentences.push(tokens);
        }
    }
    sentences
}

#[must_use]
pub fn export(docs: &[ExportDoc<'_>], outermost_only: bool) -> String {
    let mut out = String::new();
    for d in docs {
        if docs.len() > 1 {
            let _ = writeln!(out, "-DOCSTART- O\n");
        }
        let mut boundaries: Vec<usize> = d
            .items()
            .iter()
            .flat_map(|a| a.pieces().into_iter().flat_map(|p| [p.start.0, p.end.0]))
            .collect();
        boundaries.sort_unstable();
        boundaries.dedup();
        let layer = layers(d);
        for sentence in tokenize(d.doc, &boundaries) {
            let first = sentence.first().map(|t| t.start);
            for tok in sentence {
                let mut tags: Vec<String> = Vec::new();
                for a in d
                    .annotations
                    .overlapping(tok)
                    .filter(|a| a.start <= tok.start.0 && tok.end.0 <= a.end)
                {
                    // A discontinuous annotation covers the tokens of its pieces only; each piece begins anew.
                    let piece_start = if a.fragments.is_empty() {
                        a.start
                    } else {
                        match a
                            .fragments
                            .iter()
                            .find(|(s, e)| *s <= tok.start.0 && tok.end.0 <= *e)
                        {
                            Some((s, _)) => *s,
                            None => continue,
                        }
                    };
                    let l = layer[&a.id];
                    if outermost_only && l > 0 {
                        continue;
                    }
                    if tags.len() <= l {
                        tags.resize(l + 1, "O".to_owned());
                    }
                    // An annotation that runs on into the next sentence starts again there: CoNLL entities end
                    // with their sentence.
                    let prefix = if piece_start == tok.start.0 || first == Some(tok.start) {
                        "B"
                    } else {
                        "I"
                    };
                    tags[l] = format!("{prefix}-{}", a.tag);
                }
                out.push_str(&d.doc.slice(tok));
                if tags.is_empty() {
                    out.push_str(" O");
                }
                for t in tags {
                    out.push(' ');
                    out.push_str(&t);
                }
                out.push('\n');
            }
            out.push('\n');
        }
    }
    out
}

/// The tag column of each annotation: the first column where it overlaps no annotation already placed, taking
/// annotations by start and longest first. Nested annotations go one column deeper than what contains them; an
/// annotation that crosses another keeps one column for all its tokens, so every column is valid IOB2.
fn layers(d: &ExportDoc<'_>) -> std::collections::HashMap<u64, usize> {
    let mut order: Vec<&crate::model::Annotation> = d.items().iter().collect();
    order.sort_by_key(|a| (a.start, std::cmp::Reverse(a.end), a.id));
    let mut ends: Vec<usize> = Vec::new(); // per column: where its last annotation ends
    let mut out = std::collections::HashMap::new();
    for a in order {
        let l = ends
            .iter()
            .position(|&e| e <= a.start)
            .unwrap_or(ends.len());
        if l == ends.len() {
            ends.push(a.end);
        } else {
            ends[l] = a.end;
        }
        out.insert(a.id, l);
    }
    out
}

pub use crate::model::LineProblem as Problem;

/// The most tag columns (nesting levels) read from one line; nested corpora use a handful.
pub const MAX_COLUMNS: usize = 32;

/// Rebuilds the text from the tokens and the annotations from the tag columns.
#[must_use]
pub fn import(conll: &str, tags: TagSet) -> (Document, AnnotationSet, Vec<Problem>) {
    struct Open {
        tag: String,
        start: usize,
        end: usize,
    }
    let mut text = String::new();
    let mut spans: Vec<(usize, usize, String)> = Vec::new();
    let mut problems = Vec::new();
    let mut open: Vec<Option<Open>> = Vec::new();
    let mut pos = 0usize; // code points written
    let mut sentence_empty = true;
    let close_all = |open: &mut Vec<Option<Open>>, spans: &mut Vec<(usize, usize, String)>| {
        for o in open.iter_mut() {
            if let Some(o) = o.take() {
                spans.push((o.start, o.end, o.tag));
            }
        }
    };
    for (i, line) in conll.lines().enumerate() {
        let n = i + 1;
        let mut fields = line.split_whitespace();
        let Some(token) = fields.next() else {
            // Sentence break.
            close_all(&mut open, &mut spans);
            if !sentence_empty {
                text.push('\n');
                pos += 1;
                sentence_empty = true;
            }
            continue;
        };
        if token == "-DOCSTART-" {
            continue;
        }
        let tags: Vec<&str> = fields.collect();
        if tags.is_empty() {
            problems.push(Problem {
                line: n,
                message: tr!("token \"%{token}\" has no tag", token = token),
            });
        }
        if !sentence_empty {
            text.push(' ');
            pos += 1;
        }
        sentence_empty = false;
        let start = pos;
        text.push_str(token);
        pos += token.chars().count();
        let mut tags: Vec<&str> = if tags == ["O"] { Vec::new() } else { tags };
        if tags.len() > MAX_COLUMNS {
            problems.push(Problem {
                line: n,
                message: format!(
                    "{} tag columns; only the first {MAX_COLUMNS} are read",
                    tags.len()
                ),
            });
            tags.truncate(MAX_COLUMNS);
        }
        if open.len() < tags.len() {
            open.resize_with(tags.len(), || None);
        }
        for (layer, slot) in open.iter_mut().enumerate() {
            let tag = tags.get(layer).copied();
            let (kind, name) = match tag {
                Some(t) if t.len() > 2 && (t.starts_with("B-") || t.starts_with("I-")) => {
                    (&t[..1], &t[2..])
                }
                Some(t) => {
                    problems.push(Problem {
                        line: n,
                        message: tr!("\"%{t}\" is not an IOB2 tag (B-X, I-X or O)", t = t),
                    });
                    if let Some(o) = slot.take() {
                        spans.push((o.start, o.end, o.tag));
                    }
                    continue;
                }
                None => {
                    if let Some(o) = slot.take() {
                        spans.push((o.start, o.end, o.tag));
                    }
                    continue;
                }
            };
            match slot {
                Some(o) if kind == "I" && o.tag == name => o.end = pos,
                _ => {
                    if kind == "I" {
                        problems.push(Problem {
                            line: n,
                            message: format!(
                                "I-{name} does not continue a {name}; read as B-{name}"
                            ),
                        });
                    }
                    if let Some(o) = slot.take() {
                        spans.push((o.start, o.end, o.tag));
                    }
                    *slot = Some(Open {
                        tag: name.to_owned(),
                        start,
                        end: pos,
                    });
                }
            }
        }
    }
    close_all(&mut open, &mut spans);
    while text.ends_with('\n') {
        text.pop();
    }
    let doc = Document::new(text);
    let spans = spans
        .into_iter()
        .map(|(s, e, tag)| (Span::new(CharOffset(s), CharOffset(e)), tag, String::new()))
        .collect();
    let (set, _) = AnnotationSet::from_spans(&doc, spans, tags);
    (doc, set, problems)
}
