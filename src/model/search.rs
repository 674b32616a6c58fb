//! Arabic-aware search: a folded copy of the text in which every character remembers where it came from, so that
//! matches found in the folded text map back to exact offsets of the original. The stored text is never changed.
//!
//! Folding (the default; "exact" turns it off): harakat (U+064B–065F, U+0670), Quranic marks (U+0610–061A,
//! U+06D6–06ED) and tatweel (U+0640) are dropped; أ إ آ ٱ → ا, ى → ي, ة → ه; Persian/Urdu ی ک ہ ۀ → ي ك ه ه;
//! Arabic-Indic and Persian digits → 0–9; presentation forms (U+FB50–FDFF, U+FE70–FEFF) through NFKC; Latin letters
//! lowercased. The query is folded the same way.
//!
//! A match's span runs from the original position of its first folded character to the end of its last one,
//! including the marks that followed it (so محمد found in مُحَمَّدٌ covers the whole word with its harakat).
//! With "whole word", a match must not be glued to letters on either side — except, with "clitic prefixes",
//! for a clitic before it (و ف ب ك ل ال وال بال كال فال لل), which stays outside the span.

use unicode_normalization::UnicodeNormalization;

use super::offsets::{CharOffset, Span};

/// How to match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchOptions {
    /// Compare characters exactly (no folding, case-sensitive).
    pub exact: bool,
    /// Only matches that are whole words.
    pub whole_word: bool,
    /// With whole words: a clitic prefix may be glued before the match.
    pub clitics: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        Self {
            exact: false,
            whole_word: false,
            clitics: true,
        }
    }
}

/// Clitic prefixes, folded.
pub const CLITICS: &[&str] = &[
    "و", "ف", "ب", "ك", "ل", "ال", "وال", "بال", "كال", "فال", "لل", "وب", "ول", "فب", "فل", "وك",
];

fn is_dropped(c: char) -> bool {
    matches!(c as u32, 0x064B..=0x065F | 0x0670 | 0x0610..=0x061A | 0x06D6..=0x06ED | 0x0640)
}

/// Folds one character into zero or more characters.
pub fn fold_char(c: char, out: &mut impl FnMut(char)) {
    if is_dropped(c) {
        return;
    }
    let code = c as u32;
    if (0xFB50..=0xFDFF).contains(&code) || (0xFE70..=0xFEFF).contains(&code) {
        for d in c.to_string().nfkc() {
            if d != c {
                fold_char(d, out);
            } else {
                out(d);
            }
        }
        return;
    }
    let folded = match c {
        'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
        'ى' | 'ی' | 'ې' => 'ي',
        'ة' | 'ہ' | 'ۀ' | 'ھ' => 'ه',
        'ک' => 'ك',
        '\u{0660}'..='\u{0669}' => char::from(b'0' + (code - 0x0660) as u8),
        '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (code - 0x06F0) as u8),
        c if c.is_uppercase() => {
            for l in c.to_lowercase() {
                out(l);
            }
            return;
        }
        c => c,
    };
    out(folded);
}

/// Folds a string (for queries).
#[must_use]
pub fn fold(s: &str, exact: bool) -> String {
    if exact {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, &mut |d| out.push(d));
    }
    out
}

/// The folded text with, for each folded character, the original span it stands for.
pub struct SearchIndex {
    folded: String,
    /// Per folded character: byte offset in `folded`, original start, original end (marks after it included).
    chars: Vec<(usize, usize, usize)>,
    /// The original text's characters (for whole-word checks).
    original: Vec<char>,
    exact: bool,
}

impl SearchIndex {
    /// Builds the index of `text` (folded unless `exact`).
    #[must_use]
    pub fn new(text: &str, exact: bool) -> Self {
        let original: Vec<char> = text.chars().collect();
        let mut folded = String::with_capacity(text.len());
        let mut chars: Vec<(usize, usize, usize)> = Vec::with_capacity(original.len());
        for (i, &c) in original.iter().enumerate() {
            if exact {
                chars.push((folded.len(), i, i + 1));
                folded.push(c);
                continue;
            }
            let before = chars.len();
            fold_char(c, &mut |d| {
                chars.push((folded.len(), i, i + 1));
                folded.push(d);
            });
            if chars.len() == before
                && let Some(last) = chars.last_mut()
            {
                // A dropped mark belongs to the character before it.
                if last.2 == i {
                    last.2 = i + 1;
                }
            }
        }
        Self {
            folded,
            chars,
            original,
            exact,
        }
    }

    #[must_use]
    pub fn is_exact(&self) -> bool {
        self.exact
    }

    fn char_at_byte(&self, byte: usize) -> usize {
        self.chars.partition_point(|c| c.0 < byte)
    }

    /// Every match of `query`, in order, as spans of the original text.
    #[must_use]
    pub fn find(&self, query: &str, options: SearchOptions) -> Vec<Span> {
        let q = fold(query.trim(), self.exact);
        if q.is_empty() {
            return Vec::new();
        }
        let q_len = q.chars().count();
        let mut out = Vec::new();
        let mut patterns = vec![(q.clone(), 0usize)];
        // ل + ال contracts to لل: "القاهرة" is found in "للقاهرة" as "لقاهرة" after the preposition.
        if options.clitics && !self.exact && q.starts_with("ال") && q_len > 2 {
            patterns.push((format!("ل{}", &q["ال".len()..]), 1));
        }
        for (pattern, kind) in patterns {
            let n = pattern.chars().count();
            for (byte, _) in self.folded.match_indices(pattern.as_str()) {
                let first = self.char_at_byte(byte);
                let last = first + n - 1;
                let start = self.chars[first].1;
                let end = self.chars[last].2;
                if kind == 1 {
                    // Only after a preposition ل (possibly with و or ف before it).
                    if !self.contracted_article_before(first) {
                        continue;
                    }
                } else if options.whole_word && !self.word_edges_ok(start, end, options.clitics) {
                    continue;
                }
                if kind == 1
                    && options.whole_word
                    && self.original.get(end).is_some_and(|c| c.is_alphanumeric())
                {
                    continue;
                }
                out.push(Span::new(CharOffset(start), CharOffset(end)));
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Every whole-word occurrence (clitic prefixes allowed before) of any of `names`, longest first where they
    /// overlap, in one pass over the text: `(span, index of the name)`.
    #[must_use]
    pub fn find_many(&self, names: &[String]) -> Vec<(Span, usize)> {
        let folded: Vec<String> = names.iter().map(|n| fold(n.trim(), self.exact)).collect();
        let keep: Vec<usize> = (0..folded.len())
            .filter(|&i| !folded[i].is_empty())
            .collect();
        let patterns: Vec<&str> = keep.iter().map(|&i| folded[i].as_str()).collect();
        let Ok(ac) = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(&patterns)
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for m in ac.find_iter(&self.folded) {
            let first = self.char_at_byte(m.start());
            let last = self.char_at_byte(m.end()) - 1;
            let (start, end) = (self.chars[first].1, self.chars[last].2);
            if self.word_edges_ok(start, end, true) {
                out.push((
                    Span::new(CharOffset(start), CharOffset(end)),
                    keep[m.pattern().as_usize()],
                ));
            }
        }
        out
    }

    fn contracted_article_before(&self, first: usize) -> bool {
        // The folded characters before the match, back to the start of the word: must be ل, ول or فل.
        let start = self.chars[first].1;
        let word_start = (0..start)
            .rev()
            .find(|&i| !is_word_char(self.original[i]))
            .map_or(0, |i| i + 1);
        let prefix = fold(
            &self.original[word_start..start].iter().collect::<String>(),
            false,
        );
        matches!(prefix.as_str(), "ل" | "ول" | "فل")
    }

    fn word_edges_ok(&self, start: usize, end: usize, clitics: bool) -> bool {
        if self.original.get(end).is_some_and(|c| is_word_char(*c)) {
            return false;
        }
        let word_start = (0..start)
            .rev()
            .find(|&i| !is_word_char(self.original[i]))
            .map_or(0, |i| i + 1);
        if word_start == start {
            return true;
        }
        clitics && {
            let prefix = fold(
                &self.original[word_start..start].iter().collect::<String>(),
                false,
            );
            CLITICS.contains(&prefix.as_str())
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_dropped(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str, query: &str, options: SearchOptions) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        SearchIndex::new(text, options.exact)
            .find(query, options)
            .iter()
            .map(|s| chars[s.start.0..s.end.0].iter().collect())
            .collect()
    }

    #[test]
    fn folding_table() {
        for (from, to) in [
            ("مُحَمَّدٌ", "محمد"),
            ("أحمد إبراهيم آمنة ٱلله", "احمد ابراهيم امنه الله"),
            ("مصطفى", "مصطفي"),
            ("مدرسة", "مدرسه"),
            ("کتاب یہ", "كتاب يه"),
            ("٢٠٢١ ۱۴۰۰", "2021 1400"),
            ("ســـلام", "سلام"),
            ("\u{FEFB}\u{FE8E}", "لاا"),
            ("ﺍﻟﻘﺎﻫﺮﺓ", "القاهره"),
            ("Cairo", "cairo"),
            ("\u{0610}بسم", "بسم"),
        ] {
            assert_eq!(fold(from, false), to, "{from}");
        }
        assert_eq!(fold("مُحَمَّد", true), "مُحَمَّد");
    }

    #[test]
    fn matches_map_back_to_exact_original_offsets() {
        let text = "قال مُحَمَّدٌ ومحمد لمحمد في المحمدية";
        let found = texts(text, "محمد", SearchOptions::default());
        assert_eq!(found, vec!["مُحَمَّدٌ", "محمد", "محمد", "محمد"]);
        // The span of ومحمد excludes و.
        let idx = SearchIndex::new(text, false);
        let spans = idx.find("محمد", SearchOptions::default());
        let b = text.find("ومحمد").unwrap();
        let s = text[..b].chars().count();
        assert_eq!(spans[1], Span::new(CharOffset(s + 1), CharOffset(s + 5)));
        // Whole word: not inside المحمدية; clitics allowed before.
        let whole = SearchOptions {
            whole_word: true,
            ..SearchOptions::default()
        };
        assert_eq!(texts(text, "محمد", whole), vec!["مُحَمَّدٌ", "محمد", "محمد"]);
        let strict = SearchOptions {
            whole_word: true,
            clitics: false,
            ..SearchOptions::default()
        };
        assert_eq!(texts(text, "محمد", strict), vec!["مُحَمَّدٌ"]);
        // Exact: only the bare spelling.
        let exact = SearchOptions {
            exact: true,
            ..SearchOptions::default()
        };
        assert_eq!(texts(text, "محمد", exact).len(), 3);
    }

    #[test]
    fn the_article_and_its_clitics() {
        let text = "زار القاهرة ثم بالقاهرة والقاهرة وللقاهرة مرة";
        let found = texts(
            text,
            "القاهرة",
            SearchOptions {
                whole_word: true,
                ..SearchOptions::default()
            },
        );
        assert_eq!(found, vec!["القاهرة", "القاهرة", "القاهرة", "لقاهرة"]);
        // With folded ta marbuta and hamza.
        assert_eq!(
            texts("في القاهره وأمس", "القاهرة", SearchOptions::default()),
            vec!["القاهره"]
        );
    }

    #[test]
    fn latin_is_case_insensitive_and_mixed_queries_work() {
        let text = "وصل John Smith إلى CAIRO في ٢٠٢١";
        assert_eq!(
            texts(text, "john smith", SearchOptions::default()),
            vec!["John Smith"]
        );
        assert_eq!(
            texts(text, "Cairo في 2021", SearchOptions::default()),
            vec!["CAIRO في ٢٠٢١"]
        );
    }

    #[test]
    fn many_names_in_one_pass_whole_words_longest_first() {
        let text = "زار محمد علي القاهرة ثم عاد محمد إلى بالقاهرة والمحمدية";
        let idx = SearchIndex::new(text, false);
        let names = vec![
            "محمد".to_owned(),
            "محمد علي".to_owned(),
            "القاهرة".to_owned(),
            "".to_owned(),
        ];
        let chars: Vec<char> = text.chars().collect();
        let found: Vec<(String, usize)> = idx
            .find_many(&names)
            .into_iter()
            .map(|(s, i)| (chars[s.start.0..s.end.0].iter().collect(), i))
            .collect();
        assert_eq!(
            found,
            vec![
                ("محمد علي".into(), 1),
                ("القاهرة".into(), 2),
                ("محمد".into(), 0),
                ("القاهرة".into(), 2)
            ]
        );
    }

    #[test]
    fn every_folded_character_maps_back_and_every_kept_character_is_reached() {
        let text = "قالَ مُحَمَّدٌ: ﻻ، ســـلام! ٢٠٢١ John";
        let idx = SearchIndex::new(text, false);
        let original: Vec<char> = text.chars().collect();
        // Folded → original: each folded character comes from inside the text, in order, and folding its original
        // stretch gives it back.
        let mut last = 0;
        for (k, folded) in idx.folded.chars().enumerate() {
            let (_, start, end) = idx.chars[k];
            assert!(start >= last && start < end && end <= original.len());
            let stretch: String = original[start..end].iter().collect();
            assert!(
                fold(&stretch, false).contains(folded),
                "{stretch:?} does not fold to contain {folded:?}"
            );
            last = start;
        }
        // Original → folded: every character that is not dropped is the start of some folded character, and every
        // dropped mark lies inside the stretch of the character before it.
        for (i, c) in original.iter().enumerate() {
            if is_dropped(*c) {
                assert!(
                    idx.chars.iter().any(|&(_, s, e)| s < i && i < e),
                    "mark {i} belongs to its letter"
                );
            } else {
                assert!(
                    idx.chars.iter().any(|&(_, s, _)| s == i),
                    "character {i} {c:?} is reachable"
                );
            }
        }
    }

    #[test]
    fn presentation_forms_map_back_to_their_characters() {
        let text = "من ﺍﻟﻘﺎﻫﺮﺓ إلى";
        let found = texts(text, "القاهرة", SearchOptions::default());
        assert_eq!(found, vec!["ﺍﻟﻘﺎﻫﺮﺓ"]);
    }
}
