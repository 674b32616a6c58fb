//! Gazetteers: lists of names with their tags (`name<TAB>TAG` a line, or `name,TAG` as CSV), matched in the text with
//! the Arabic-aware search (folded, whole words, clitic prefixes allowed and left outside) to propose annotations.

use super::annotations::{Annotation, CONTEXT_CHARS, Marks, now};
use super::document::Document;
use super::search::SearchIndex;

pub use crate::model::LineProblem as Problem;

/// Longer names are reported and skipped: a name is a few words, and matching cost grows with name length.
pub const MAX_NAME_CHARS: usize = 200;

/// Reads a gazetteer: one `name<TAB>TAG` (or `name,TAG`) a line; blank lines and lines starting with `#` are skipped.
#[must_use]
pub fn parse(text: &str) -> (Vec<(String, String)>, Vec<Problem>) {
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start_matches('\u{FEFF}').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let split = line.rsplit_once('\t').or_else(|| line.rsplit_once(','));
        match split {
            Some((name, _)) if name.chars().count() > MAX_NAME_CHARS => problems.push(Problem {
                line: i + 1,
                message: format!(
                    "a name of {} characters is longer than {MAX_NAME_CHARS}; skipped",
                    name.chars().count()
                ),
            }),
            Some((name, tag))
                if !name.trim().is_empty()
                    && !tag.trim().is_empty()
                    && !tag.trim().contains(' ') =>
            {
                entries.push((
                    name.trim().trim_matches('"').to_owned(),
                    tag.trim().to_owned(),
                ));
            }
            _ => problems.push(Problem {
                line: i + 1,
                message: format!(
                    "\"{}\" is not NAME<TAB>TAG or NAME,TAG",
                    crate::model::LineProblem::shorten(line, 80)
                ),
            }),
        }
    }
    (entries, problems)
}

/// Proposes an annotation for every match of every name that is not already annotated with that tag.
#[must_use]
pub fn suggest(
    doc: &Document,
    index: &SearchIndex,
    marks: &Marks,
    entries: &[(String, String)],
) -> Vec<Annotation> {
    suggest_from(doc, index, &marks.tagged(), entries)
        .into_iter()
        .map(|(a, _)| a)
        .collect()
}

/// [`suggest`], each suggestion with the index of the entry that found it (a match may be a form of its name that
/// folds differently, such as لرئيس in للرئيس for الرئيس).
#[must_use]
pub fn suggest_from(
    doc: &Document,
    index: &SearchIndex,
    tagged: &std::collections::HashSet<(usize, usize, &str)>,
    entries: &[(String, String)],
) -> Vec<(Annotation, usize)> {
    let names: Vec<String> = entries.iter().map(|(n, _)| n.clone()).collect();
    let time = now();
    let text = doc.text();
    let total = doc.char_count();
    // Matches come in text order: one cursor walks the text to turn code points into bytes, instead of counting from
    // the start of a paragraph for every quote (a gazetteer of common words finds a million matches in a book).
    let mut cursor = CharCursor {
        text,
        chars: 0,
        bytes: 0,
    };
    let mut out: Vec<(Annotation, usize)> = Vec::new();
    for (span, i) in index.find_many(&names) {
        let tag = &entries[i].1;
        if tagged.contains(&(span.start.0, span.end.0, tag.as_str())) {
            continue;
        }
        let (s, e) = (span.start.0, span.end.0);
        let pre = cursor.byte_at(s.saturating_sub(CONTEXT_CHARS));
        let start = cursor.byte_at(s);
        let end = cursor.byte_at(e);
        let post = cursor.byte_at((e + CONTEXT_CHARS).min(total));
        out.push((
            Annotation {
                id: 0,
                start: s,
                end: e,
                tag: tag.clone(),
                text: text[start..end].to_owned(),
                prefix: text[pre..start].to_owned(),
                suffix: text[end..post].to_owned(),
                note: String::new(),
                created: time.clone(),
                modified: time.clone(),
                ..Annotation::default()
            },
            i,
        ));
    }
    out.sort_by_key(|(a, _)| (a.start, a.end));
    out.dedup_by(|(a, _), (b, _)| a.start == b.start && a.end == b.end && a.tag == b.tag);
    out
}

/// Converts code-point offsets to byte offsets by walking from the last position, forwards or backwards.
struct CharCursor<'a> {
    text: &'a str,
    chars: usize,
    bytes: usize,
}

impl CharCursor<'_> {
    fn byte_at(&mut self, target: usize) -> usize {
        while self.chars < target {
            let Some(c) = self.text[self.bytes..].chars().next() else {
                break;
            };
            self.bytes += c.len_utf8();
            self.chars += 1;
        }
        while self.chars > target {
            let Some(c) = self.text[..self.bytes].chars().next_back() else {
                break;
            };
            self.bytes -= c.len_utf8();
            self.chars -= 1;
        }
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AnnotationSet, TagSet};

    #[test]
    fn parses_tab_and_csv_lines_and_reports_bad_ones() {
        let (entries, problems) =
            parse("# people\nمحمد علي\tPER\nالقاهرة,LOC\n\nبلا وسم\n\"عمرو\",PER\n");
        assert_eq!(
            entries,
            vec![
                ("محمد علي".into(), "PER".into()),
                ("القاهرة".into(), "LOC".into()),
                ("عمرو".into(), "PER".into())
            ]
        );
        assert_eq!(problems.iter().map(|p| p.line).collect::<Vec<_>>(), vec![5]);
    }

    #[test]
    fn suggestions_skip_what_is_already_tagged_and_accepting_is_one_step() {
        let index = SearchIndex::of_text("زار محمد علي بالقاهرة ثم القاهرة");
        let doc = index.document().as_ref();
        let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
        let (entries, _) = parse("محمد علي\tPER\nالقاهرة\tLOC\n");
        let cairo = index.find("القاهرة", Default::default())[1];
        set.create(doc, cairo, "LOC");
        set.suggestions = suggest(doc, &index, &set.marks(), &entries);
        let texts: Vec<&str> = set.suggestions.iter().map(|a| a.text.as_str()).collect();
        assert_eq!(texts, vec!["محمد علي", "القاهرة"]);
        // Quotes and context are what the annotation model itself would record.
        for a in &set.suggestions {
            let (text, prefix, suffix) = crate::model::annotations::quote(doc, a.span());
            assert_eq!((&a.text, &a.prefix, &a.suffix), (&text, &prefix, &suffix));
        }
        assert_eq!(set.accept_suggestions(doc, None), 2);
        assert_eq!(set.items().len(), 3);
        assert!(set.suggestions.is_empty());
        assert!(set.undo());
        assert_eq!(set.items().len(), 1, "one undo takes back the whole batch");
    }
}
