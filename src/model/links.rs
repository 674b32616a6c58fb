//! A local knowledge-base table, to link annotations to its entries without a network: a TSV file, one entry a
//! line — `ID<TAB>LABEL<TAB>ALIAS|ALIAS…` (aliases optional), the id as `DB:ID` (`Wikidata:Q649`) or bare (the
//! database is then the file's name). Blank lines and lines starting with `#` are skipped.
//!
//! Looking up what the user typed (or the annotation's text) folds both sides as find does — harakat, hamza seats,
//! ى/ي, ة/ه — so موسكو finds مُوسْكُو; an exact name comes first, then names that begin with it, then names that
//! contain it.

use super::LineProblem as Problem;
use super::annotations::Link;
use super::search::fold;
use crate::tr;

/// Longer labels or aliases are reported and skipped.
pub const MAX_NAME_CHARS: usize = 200;

/// One entry: its link and the names it is known by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub link: Link,
    pub aliases: Vec<String>,
}

/// The table, with every name folded for lookup.
#[derive(Debug, Clone, Default)]
pub struct LinkTable {
    entries: Vec<Entry>,
    /// (folded name, entry index), sorted by name.
    names: Vec<(String, usize)>,
}

impl LinkTable {
    /// Reads a table's text; `db` is the database of ids written without one. Linear in the text.
    #[must_use]
    pub fn parse(text: &str, db: &str) -> (Self, Vec<Problem>) {
        let mut entries = Vec::new();
        let mut problems = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_start_matches('\u{FEFF}').trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.split('\t');
            let id = fields.next().unwrap_or_default().trim();
            let label = fields.next().unwrap_or_default().trim();
            let aliases: Vec<String> = fields
                .next()
                .unwrap_or_default()
                .split('|')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect();
            let problem = |message: String| Problem {
                line: i + 1,
                message,
            };
            if id.is_empty() || id.contains(char::is_whitespace) {
                problems.push(problem(format!(
                    "\"{}\" is not ID<TAB>LABEL<TAB>ALIASES",
                    Problem::shorten(line, 80)
                )));
                continue;
            }
            if label.is_empty() {
                problems.push(problem(tr!("%{id} has no label", id = id)));
                continue;
            }
            if std::iter::once(label)
                .chain(aliases.iter().map(String::as_str))
                .any(|n| n.chars().count() > MAX_NAME_CHARS)
            {
                problems.push(problem(format!(
                    "{id}: a name longer than {MAX_NAME_CHARS} characters; skipped"
                )));
                continue;
            }
            let (entry_db, entry_id) = match id.split_once(':') {
                Some((d, e)) if !d.is_empty() && !e.is_empty() => (d, e),
                _ => (db, id),
            };
            entries.push(Entry {
                link: Link {
                    db: entry_db.to_owned(),
                    id: entry_id.to_owned(),
                    label: label.to_owned(),
                },
                aliases,
            });
        }
        let mut names: Vec<(String, usize)> = entries
            .iter()
            .enumerate()
            .flat_map(|(k, e)| {
                std::iter::once(&e.link.label)
                    .chain(&e.aliases)
                    .map(move |n| (fold(n, false), k))
            })
            .filter(|(n, _)| !n.trim().is_empty())
            .collect();
        names.sort();
        names.dedup();
        (Self { entries, names }, problems)
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Up to `limit` entries for `query`: exact names first, then names beginning with it, then names containing
    /// it; each entry once.
    #[must_use]
    pub fn lookup(&self, query: &str, limit: usize) -> Vec<&Entry> {
        let q = fold(query.trim(), false);
        if q.trim().is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut out: Vec<usize> = Vec::new();
        let push = |k: usize, out: &mut Vec<usize>| {
            if !out.contains(&k) && out.len() < limit {
                out.push(k);
            }
        };
        // Names beginning with the query are one range of the sorted list; the exact one is its first.
        let from = self.names.partition_point(|(n, _)| n.as_str() < q.as_str());
        let prefixed: Vec<&(String, usize)> = self.names[from..]
            .iter()
            .take_while(|(n, _)| n.starts_with(q.as_str()))
            .collect();
        for (n, k) in &prefixed {
            if *n == q {
                push(*k, &mut out);
            }
        }
        for (_, k) in &prefixed {
            push(*k, &mut out);
        }
        if out.len() < limit {
            for (n, k) in &self.names {
                if out.len() >= limit {
                    break;
                }
                if n.contains(q.as_str()) {
                    push(*k, &mut out);
                }
            }
        }
        out.into_iter().map(|k| &self.entries[k]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "# id\tlabel\taliases\nWikidata:Q649\tموسكو\tموسكوفا|Moscow\nQ85\tالقاهرة\tمصر القاهرة|Cairo\n\
        Wikidata:Q159\tروسيا\tروسيا الاتحادية\nbad line\n\tno id\nQ1\t\n";

    #[test]
    fn a_table_reads_ids_with_and_without_a_database_and_reports_bad_lines() {
        let (t, problems) = LinkTable::parse(TABLE, "wikidata");
        assert_eq!(t.len(), 3);
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![5, 6, 7], "{problems:?}");
        let cairo = &t.lookup("القاهرة", 5)[0].link;
        assert_eq!((cairo.db.as_str(), cairo.id.as_str()), ("wikidata", "Q85"));
    }

    #[test]
    fn lookup_folds_like_find_and_puts_exact_names_first() {
        let (t, _) = LinkTable::parse(TABLE, "wikidata");
        // Harakat and letter variants are ignored.
        assert_eq!(t.lookup("مُوسْكُو", 5)[0].link.id, "Q649");
        // An alias finds its entry; Latin case does not matter.
        assert_eq!(t.lookup("cairo", 5)[0].link.id, "Q85");
        // The exact name before longer ones that begin with it, and each entry once.
        let found: Vec<&str> = t
            .lookup("روسيا", 5)
            .iter()
            .map(|e| e.link.id.as_str())
            .collect();
        assert_eq!(found, vec!["Q159"]);
        // Inside a name.
        assert_eq!(t.lookup("اهر", 5)[0].link.id, "Q85");
        assert!(t.lookup("", 5).is_empty() && t.lookup("لندن", 5).is_empty());
        assert_eq!(t.lookup("و", 1).len(), 1, "at most the limit");
    }

    proptest::proptest! {
        /// Any text reads into a table (or problems) without panicking, and every entry found is in it.
        #[test]
        fn any_text_is_read_and_looked_up(text in "\\PC{0,400}", query in "\\PC{0,8}") {
            let (t, problems) = LinkTable::parse(&text, "kb");
            for p in &problems {
                proptest::prop_assert!(p.line >= 1 && p.line <= text.lines().count().max(1));
            }
            for e in t.lookup(&query, 8) {
                proptest::prop_assert!(!e.link.id.is_empty() && !e.link.label.is_empty());
            }
        }
    }
}
