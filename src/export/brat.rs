//! brat standoff: `NAME.txt` and `NAME.ann`.
//!
//! brat reads the `.txt` with Python's universal newlines, so CR LF counts as one character there. The exported
//! `.txt` is therefore written with LF line ends and every offset is counted in that text. A span that crosses a line
//! break becomes brat fragments, one per line (`T1<TAB>LOC 10 14;15 20<TAB>frag1 frag2`), as brat requires; a
//! discontinuous annotation's pieces are fragments too. Relations are `R` lines (`EmployedBy Arg1:T1 Arg2:T2`),
//! attributes `A` lines (a flag alone, other values after the target), knowledge-base links `N` lines
//! (`Reference T1 Wikidata:Q649<TAB>موسكو`), notes `AnnotatorNotes`. Names with spaces get `_` for each run of white
//! space, since brat splits on it. Import reads all of these back, reports every line it cannot use with its number,
//! and loses nothing else.

use crate::tr;
use std::collections::HashMap;
use std::fmt::Write as _;

use super::ExportDoc;
use crate::model::{AnnotationSet, CharOffset, Document, Draft, Link, Relation, Span, TagSet};

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

/// A name brat accepts as a type or attribute value (no white space).
fn brat_name(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join("_")
}

/// The `.txt` and `.ann` contents for one document: `T` lines (fragments joined by `;`), `R` relations, `A`
/// attributes, `N` knowledge-base references and `#` notes (of annotations and relations).
#[must_use]
pub fn export(d: &ExportDoc<'_>) -> (String, String) {
    let (text, map) = normalized(d.doc.text());
    let chars: Vec<char> = text.chars().collect();
    let mut ann = String::new();
    let mut note_n = 0;
    let mut attr_n = 0;
    let mut norm_n = 0;
    let mut t_of = std::collections::HashMap::new();
    for (k, a) in d.items().iter().enumerate() {
        // Fragments: each piece of the annotation, cut at line breaks.
        let mut frags = Vec::new();
        for piece in a.pieces() {
            let (s, e) = (map[piece.start.0], map[piece.end.0]);
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
        t_of.insert(a.id, t);
        let _ = writeln!(
            ann,
            "T{t}\t{} {}\t{}",
            brat_name(&a.tag),
            ranges.join(";"),
            quote.join(" ")
        );
        for (name, value) in &a.attributes {
            attr_n += 1;
            if value == "true" {
                let _ = writeln!(ann, "A{attr_n}\t{} T{t}", brat_name(name));
            } else {
                let _ = writeln!(
                    ann,
                    "A{attr_n}\t{} T{t} {}",
                    brat_name(name),
                    brat_name(value)
                );
            }
        }
        for l in &a.links {
            norm_n += 1;
            let _ = writeln!(
                ann,
                "N{norm_n}\tReference T{t} {}:{}\t{}",
                brat_name(&l.db),
                brat_name(&l.id),
                l.label.replace(['\n', '\r', '\t'], " ")
            );
        }
        if !a.note.is_empty() {
            note_n += 1;
            let note = a.note.replace(['\n', '\r', '\t'], " ");
            let _ = writeln!(ann, "#{note_n}\tAnnotatorNotes T{t}\t{note}");
        }
    }
    let mut rel_n = 0;
    for r in d.annotations.relations() {
        let (Some(from), Some(to)) = (t_of.get(&r.from), t_of.get(&r.to)) else {
            continue; // an end that is not placed in this text
        };
        rel_n += 1;
        let _ = writeln!(
            ann,
            "R{rel_n}\t{} Arg1:T{from} Arg2:T{to}",
            brat_name(&r.kind)
        );
        if !r.note.is_empty() {
            note_n += 1;
            let note = r.note.replace(['\n', '\r', '\t'], " ");
            let _ = writeln!(ann, "#{note_n}\tAnnotatorNotes R{rel_n}\t{note}");
        }
    }
    (text, ann)
}

pub use crate::model::LineProblem as Problem;

/// Reads a `.ann` against the decoded text of its `.txt`: text-bound annotations (`T`, fragments that are only
/// line breaks apart joined into one span, others kept as one discontinuous annotation), relations (`R`),
/// attributes (`A`, and the older `M`), knowledge-base references (`N`) and notes (`#`). Events (`E`) and
/// equivalences (`*`) are reported, with every other line that cannot be used, by its number.
#[must_use]
pub fn import(doc: &Document, ann: &str, tags: TagSet) -> (AnnotationSet, Vec<Problem>) {
    let (norm, map) = normalized(doc.text());
    let norm_chars: Vec<char> = norm.chars().collect();
    // Back from brat offsets (normalized text) to offsets in the decoded text.
    let mut back = vec![0usize; norm_chars.len() + 1];
    for (orig, &n) in map.iter().enumerate().rev() {
        back[n] = orig;
    }
    // Annotations collected first and made into a set in one go (linear in the file).
    let mut drafts: Vec<Draft> = Vec::new();
    let mut problems = Vec::new();
    let mut t_ids: HashMap<String, usize> = HashMap::new();
    // Lines that refer to annotations, read once every T line is known (brat allows any order).
    let mut later: Vec<(usize, Vec<String>)> = Vec::new();
    let problem = |problems: &mut Vec<Problem>, line: usize, message: String| {
        problems.push(Problem { line, message });
    };
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
                    problem(
                        &mut problems,
                        n,
                        "a text-bound annotation needs three tab-separated fields".into(),
                    );
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
                            _ => Err(tr!("\"%{r}\" is not a START END range", r = r)),
                        }
                    })
                    .collect();
                let ranges = match ranges {
                    Ok(r) if r.windows(2).any(|w| w[1].0 < w[0].1) => {
                        problem(
                            &mut problems,
                            n,
                            format!(
                                "the fragments of \"{}\" are out of order or overlap",
                                fields[1]
                            ),
                        );
                        continue;
                    }
                    Ok(r) if !r.is_empty() => r,
                    Ok(_) => {
                        problem(&mut problems, n, "no offsets".into());
                        continue;
                    }
                    Err(e) => {
                        problem(&mut problems, n, e);
                        continue;
                    }
                };
                if let Some((_, e)) = ranges.iter().find(|(_, e)| *e > norm_chars.len()) {
                    problem(
                        &mut problems,
                        n,
                        format!(
                            "offset {e} is past the end of the text ({} characters)",
                            norm_chars.len()
                        ),
                    );
                    continue;
                }
                let quote: Vec<String> = ranges
                    .iter()
                    .map(|(a, b)| norm_chars[*a..*b].iter().collect())
                    .collect();
                if quote.join(" ") != fields[2] {
                    problem(
                        &mut problems,
                        n,
                        format!(
                            "the text at {} is \"{}\", not \"{}\"",
                            fields[1],
                            quote.join(" "),
                            fields[2]
                        ),
                    );
                    continue;
                }
                // Fragments apart only by line breaks and spaces are one span (brat cannot cross a line break);
                // others are the pieces of one discontinuous annotation.
                let mut pieces: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
                for &(a, b) in &ranges {
                    match pieces.last_mut() {
                        // Only a line break (with spaces around it) between them: cut by the line, one span.
                        Some(last)
                            if norm_chars[last.1..a].contains(&'\n')
                                && norm_chars[last.1..a]
                                    .iter()
                                    .all(|c| *c == '\n' || *c == ' ') =>
                        {
                            last.1 = b;
                        }
                        _ => pieces.push((a, b)),
                    }
                }
                let pieces: Vec<Span> = pieces
                    .iter()
                    .map(|(a, b)| Span::new(CharOffset(back[*a]), CharOffset(back[*b])))
                    .filter(|s| !s.is_empty())
                    .collect();
                if pieces.is_empty() {
                    problem(&mut problems, n, tr!("%{id}: an empty span", id = id));
                    continue;
                }
                if tag.is_empty() {
                    problem(&mut problems, n, tr!("%{id}: no type", id = id));
                    continue;
                }
                if t_ids.contains_key(id) {
                    problem(
                        &mut problems,
                        n,
                        tr!("%{id} is used twice; this one was not imported", id = id),
                    );
                    continue;
                }
                drafts.push(Draft {
                    pieces,
                    tag: tag.to_owned(),
                    ..Draft::default()
                });
                t_ids.insert(id.to_owned(), drafts.len() - 1);
            }
            Some('R' | 'A' | 'M' | 'N' | '#') => {
                later.push((n, fields.iter().map(|f| (*f).to_owned()).collect()));
            }
            Some('E') => problem(
                &mut problems,
                n,
                tr!("%{id}: events are not imported", id = id),
            ),
            Some('*') => problem(&mut problems, n, "equivalences (*) are not imported".into()),
            Some(_) => problem(
                &mut problems,
                n,
                tr!("%{id}: not a brat annotation line", id = id),
            ),
            None => {}
        }
    }
    // Relations by their brat id, with the drafts they link; notes for them are attached after.
    let mut relations: Vec<(String, String, usize, usize, String)> = Vec::new();
    let target = |name: &str| t_ids.get(name.trim()).copied();
    // Each R, A, M, N id once; a repeated one is named, not silently taken over.
    let mut seen_ids: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for (n, fields) in &later {
        let (n, id) = (*n, fields[0].as_str());
        let args: Vec<&str> = fields
            .get(1)
            .map(|f| f.split_whitespace().collect())
            .unwrap_or_default();
        if !id.starts_with('#') && !seen_ids.insert(id) {
            problem(
                &mut problems,
                n,
                tr!("%{id} is used twice; this one was not imported", id = id),
            );
            continue;
        }
        match id.chars().next() {
            Some('R') => {
                let arg = |k: &str| {
                    args.iter()
                        .find_map(|a| a.split_once(':').filter(|(name, _)| *name == k))
                        .map(|(_, t)| t)
                };
                // The type is the first word, right after the tab (brat: `R1<TAB>Type Arg1:T1 Arg2:T2`).
                let kind = fields
                    .get(1)
                    .and_then(|f| f.split(' ').next())
                    .filter(|k| !k.is_empty() && !k.contains(':'));
                match (
                    kind,
                    arg("Arg1").and_then(target),
                    arg("Arg2").and_then(target),
                ) {
                    _ if args.len() > 3 => problem(
                        &mut problems,
                        n,
                        tr!(
                            "%{id}: a relation has a type, Arg1 and Arg2, nothing more",
                            id = id
                        ),
                    ),
                    (Some(_), Some(from), Some(to)) if from == to => problem(
                        &mut problems,
                        n,
                        tr!("%{id}: links an annotation to itself", id = id),
                    ),
                    (Some(kind), Some(from), Some(to)) => {
                        relations.push((
                            id.to_owned(),
                            (*kind).to_owned(),
                            from,
                            to,
                            String::new(),
                        ));
                    }
                    _ => problem(
                        &mut problems,
                        n,
                        format!(
                            "{id}: a relation needs a type, Arg1:T… and Arg2:T… naming two imported annotations"
                        ),
                    ),
                }
            }
            Some('A' | 'M') => match (args.first(), args.get(1).and_then(|t| target(t))) {
                (Some(name), Some(t)) if args.len() <= 3 => {
                    let value = args.get(2).map_or("true", |v| v);
                    drafts[t]
                        .attributes
                        .insert((*name).to_owned(), value.to_owned());
                }
                (Some(_), Some(_)) => problem(
                    &mut problems,
                    n,
                    tr!(
                        "%{id}: an attribute has one value at most (brat: NAME T1 VALUE)",
                        id = id
                    ),
                ),
                _ => problem(
                    &mut problems,
                    n,
                    tr!(
                        "%{id}: an attribute needs a name and an imported annotation",
                        id = id
                    ),
                ),
            },
            Some('N') => {
                let reference = args.get(2).and_then(|r| r.split_once(':'));
                match (args.get(1).and_then(|t| target(t)), reference) {
                    (Some(t), Some((db, entry))) if !db.is_empty() && !entry.is_empty() => {
                        drafts[t].links.push(Link {
                            db: db.to_owned(),
                            id: entry.to_owned(),
                            label: fields.get(2).cloned().unwrap_or_default(),
                        });
                    }
                    _ => problem(
                        &mut problems,
                        n,
                        tr!(
                            "%{id}: a normalization needs an imported annotation and DB:ID",
                            id = id
                        ),
                    ),
                }
            }
            _ => {}
        }
    }
    // Relations by their brat id, for the notes on them.
    let relation_at: HashMap<String, usize> = relations
        .iter()
        .enumerate()
        .map(|(k, r)| (r.0.clone(), k))
        .collect();
    for (n, fields) in &later {
        if !fields[0].starts_with('#') {
            continue;
        }
        let on = fields
            .get(1)
            .and_then(|f| f.strip_prefix("AnnotatorNotes "))
            .map(str::trim);
        let note = fields.get(2).cloned();
        let relation = on
            .and_then(|o| relation_at.get(o))
            .map(|&k| &mut relations[k]);
        match (on.and_then(target), relation, note) {
            (Some(t), _, Some(note)) => drafts[t].note = note,
            (None, Some(r), Some(note)) => r.4 = note,
            _ => problem(
                &mut problems,
                *n,
                "a note that refers to no imported annotation or relation".into(),
            ),
        }
    }
    let (set, ids) = AnnotationSet::from_drafts(doc, drafts, tags);
    let mut next = set.next_id();
    let time = crate::model::annotations::now();
    let mut kinds = Vec::new();
    let mut links: Vec<Relation> = Vec::new();
    let mut seen: std::collections::HashSet<(u64, u64, String)> = std::collections::HashSet::new();
    for (_, kind, from, to, note) in relations {
        let (Some(from), Some(to)) = (ids[from], ids[to]) else {
            continue;
        };
        if from == to || !seen.insert((from, to, kind.clone())) {
            continue;
        }
        kinds.push(kind.clone());
        links.push(Relation {
            id: next,
            kind,
            from,
            to,
            note,
            created: time.clone(),
            modified: time.clone(),
        });
        next += 1;
    }
    let mut set = set.with_relations(links);
    for kind in kinds {
        set.tags.ensure_relation(&kind);
    }
    // In the order of the file's lines (lines naming annotations are read after all of them).
    problems.sort_by_key(|p| p.line);
    (set, problems)
}
