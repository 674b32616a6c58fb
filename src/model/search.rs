//! Arabic-aware search: a folded copy of the text in which every character remembers where it came from, so that
//! matches found in the folded text map back to exact offsets of the original. The stored text is never changed.
//!
//! Folding (the default; "exact" turns it off): harakat (U+064B–065F, U+0670), Quranic marks (U+0610–061A,
//! U+06D6–06ED) and tatweel (U+0640) are dropped; hamza and madda on a seat are ignored (أ إ آ ٱ → ا, ؤ → و,
//! ئ → ي — so a seat followed by a combining hamza, U+0654/0655, matches its precomposed letter); ى → ي, ة → ه;
//! Persian/Urdu ی ک ہ ۀ → ي ك ه ه; Arabic-Indic and Persian digits → 0–9; presentation forms (U+FB50–FDFF,
//! U+FE70–FEFF) through NFKC, the isolated forms of harakat (which NFKC gives as a space and a mark) dropped whole;
//! letters lowercased (İ → i). The query is folded the same way.
//!
//! A match's span runs from the original position of its first folded character to the end of its last one,
//! including the marks that followed it (so محمد found in مُحَمَّدٌ covers the whole word with its harakat).
//! With "whole word", a match must not be glued to letters on either side — except, with "clitic prefixes",
//! for a clitic before it (و ف ب ك ل ال وال بال كال فال لل), which stays outside the span.

use unicode_normalization::UnicodeNormalization;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::document::Document;
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
#[inline]
pub fn fold_char(c: char, out: &mut impl FnMut(char)) {
    // The common cases first: ASCII, and Arabic letters that fold to themselves.
    if c.is_ascii() {
        out(c.to_ascii_lowercase());
        return;
    }
    if matches!(c, '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}')
        && !matches!(c, 'أ' | 'إ' | 'آ' | 'ؤ' | 'ئ' | 'ى' | 'ة')
    {
        out(c);
        return;
    }
    fold_rare(c, out);
}

/// Folds a character outside the common cases.
fn fold_rare(c: char, out: &mut impl FnMut(char)) {
    if is_dropped(c) {
        return;
    }
    let code = c as u32;
    if (0xFB50..=0xFDFF).contains(&code) || (0xFE70..=0xFEFF).contains(&code) {
        // Harakat in isolated and medial forms (NFKC: a space or tatweel and the mark) are marks like any other.
        let mark_alone = (0xFE70..=0xFE7F).contains(&code) || (0xFC5E..=0xFC63).contains(&code);
        for d in c.to_string().nfkc() {
            if mark_alone && d == ' ' {
                continue;
            }
            if d != c {
                fold_char(d, out);
            } else {
                out(d);
            }
        }
        return;
    }
    let folded = match c {
        'أ' | 'إ' | 'آ' | 'ٱ' | 'ٲ' | 'ٳ' => 'ا',
        'ؤ' => 'و',
        'ئ' => 'ي',
        'İ' => 'i',
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

/// Matches of a limited search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    /// The matches, in text order.
    pub spans: Vec<Span>,
    /// `false` when the search stopped at its limit (there are more).
    pub complete: bool,
}

/// Original characters between two checkpoints of the map from the folded text back to the original.
const STEP: usize = 32;

/// The search index of a document: its folded copy and a sparse map back to the original (where every
/// [`STEP`]th original character starts in the folded copy). Built once per document (the text of an open
/// document never changes), shared by find, Tag All and pre-annotation; exact searches use the original text.
///
/// Memory: the folded copy is about the size of the text, the map a few percent more ([`SearchIndex::heap_bytes`]).
pub struct SearchIndex {
    doc: Arc<Document>,
    folded: String,
    /// `(folded byte, original byte)` where original character `k * STEP` starts.
    checkpoints: Vec<(usize, usize)>,
}

/// A position in the walk from the folded text back to the original: the start of original character `ch` (at
/// byte `byte`), whose folded output starts at `folded`.
#[derive(Debug, Clone, Copy, Default)]
struct Cursor {
    folded: usize,
    byte: usize,
    ch: usize,
}

fn folded_len(c: char) -> usize {
    let mut n = 0;
    fold_char(c, &mut |d| n += d.len_utf8());
    n
}

impl SearchIndex {
    /// Builds the index of `doc`.
    #[must_use]
    pub fn new(doc: Arc<Document>) -> Self {
        Self::with_progress(doc, &AtomicUsize::new(0))
    }

    /// Builds the index of `doc`, storing in `progress` how many bytes of the text are done (for a progress bar).
    #[must_use]
    pub fn with_progress(doc: Arc<Document>, progress: &AtomicUsize) -> Self {
        let text = doc.text();
        let mut folded = String::with_capacity(text.len());
        let mut checkpoints = Vec::with_capacity(text.len() / STEP + 1);
        for (i, (byte, c)) in text.char_indices().enumerate() {
            if i % STEP == 0 {
                checkpoints.push((folded.len(), byte));
                if i % (STEP * 4096) == 0 {
                    progress.store(byte, Ordering::Relaxed);
                }
            }
            fold_char(c, &mut |d| folded.push(d));
        }
        progress.store(text.len(), Ordering::Relaxed);
        folded.shrink_to_fit();
        Self {
            doc,
            folded,
            checkpoints,
        }
    }

    /// The index of a text (the command line and tests).
    #[must_use]
    pub fn of_text(text: &str) -> Self {
        Self::new(Arc::new(Document::new(text.to_owned())))
    }

    /// The document this index was built for.
    #[must_use]
    pub fn document(&self) -> &Arc<Document> {
        &self.doc
    }

    /// Bytes this index holds besides the document itself.
    #[must_use]
    pub fn heap_bytes(&self) -> usize {
        self.folded.capacity() + self.checkpoints.capacity() * std::mem::size_of::<(usize, usize)>()
    }

    /// The original character whose folded output contains folded byte `at`, walking from `cursor` when it is at or
    /// a little before `at` or past the checkpoint before it, else from that checkpoint. Leaves `cursor` on that
    /// character.
    fn locate(&self, at: usize, cursor: &mut Cursor) -> Cursor {
        // A cursor a little before `at` is walked on; otherwise the walk starts at the checkpoint before `at`.
        let near = cursor.folded <= at && at - cursor.folded <= 2 * STEP;
        if !near {
            let k = self
                .checkpoints
                .partition_point(|&(f, _)| f <= at)
                .saturating_sub(1);
            let (f, b) = self.checkpoints.get(k).copied().unwrap_or_default();
            if !(cursor.folded <= at && cursor.ch >= k * STEP) {
                *cursor = Cursor {
                    folded: f,
                    byte: b,
                    ch: k * STEP,
                };
            }
        }
        let text = self.doc.text();
        while let Some(c) = text[cursor.byte..].chars().next() {
            let n = folded_len(c);
            if cursor.folded + n > at {
                break;
            }
            cursor.folded += n;
            cursor.byte += c.len_utf8();
            cursor.ch += 1;
        }
        *cursor
    }

    /// The original span of the folded bytes `start..end` (a match): from the original character of its first
    /// folded character to the end of the one of its last, with the marks folding dropped after it.
    ///
    /// Also says whether the match covers whole original characters: one that starts or ends inside a character
    /// folded into several (ﷺ, ﻻ) is never a whole word.
    fn original_span(
        &self,
        start: usize,
        end: usize,
        cursor: &mut Cursor,
    ) -> (Span, usize, usize, bool) {
        let first = self.locate(start, cursor);
        let last_char = self.folded[..end]
            .chars()
            .next_back()
            .map_or(1, char::len_utf8);
        let last = self.locate(end - last_char, cursor);
        let text = self.doc.text();
        let mut end_byte = last.byte;
        let mut end_ch = last.ch;
        // Marks follow a match that ends with the last of its character's folded output (so a match ending
        // inside ﻻ → لا does not take the marks after it).
        let ends_char = text[last.byte..]
            .chars()
            .next()
            .is_some_and(|c| last.folded + folded_len(c) == end);
        for (i, c) in text[last.byte..].chars().enumerate() {
            if i > 0 && (folded_len(c) > 0 || !ends_char) {
                break;
            }
            end_byte += c.len_utf8();
            end_ch += 1;
        }
        (
            Span::new(CharOffset(first.ch), CharOffset(end_ch)),
            first.byte,
            end_byte,
            first.folded == start && ends_char,
        )
    }

    /// Every match of `query`, in order, as spans of the original text.
    #[must_use]
    pub fn find(&self, query: &str, options: SearchOptions) -> Vec<Span> {
        self.find_limited(query, options, usize::MAX, &AtomicBool::new(false))
            .map(|f| f.spans)
            .unwrap_or_default()
    }

    /// The first `limit` matches of `query` in text order, and whether that is all of them; `None` if `cancel` was
    /// set meanwhile (a search nobody waits for any more stops early).
    #[must_use]
    pub fn find_limited(
        &self,
        query: &str,
        options: SearchOptions,
        limit: usize,
        cancel: &AtomicBool,
    ) -> Option<Found> {
        let q = fold(query.trim(), options.exact);
        let mut found = Found {
            spans: Vec::new(),
            complete: true,
        };
        if q.is_empty() {
            return Some(found);
        }
        let text = self.doc.text();
        // One pass over the matches of a pattern: up to limit + 1 kept, so a limited search knows there are more.
        let mut cutoff: Option<Span> = None;
        let mut pass =
            |out: &mut Vec<Span>, hits: &mut dyn Iterator<Item = Option<Span>>| -> Option<()> {
                let before = out.len();
                for (n, hit) in hits.enumerate() {
                    if n % 4096 == 4095 && cancel.load(Ordering::Relaxed) {
                        return None;
                    }
                    let Some(span) = hit else { continue };
                    // Several matches inside one original character (ﷺ folds to a whole phrase) are one span.
                    if out.len() > before && out.last() == Some(&span) {
                        continue;
                    }
                    out.push(span);
                    if out.len() - before > limit {
                        cutoff = Some(cutoff.map_or(span, |c: Span| c.min(span)));
                        break;
                    }
                }
                Some(())
            };
        let mut out = Vec::new();
        if options.exact {
            let mut hits = memchr::memmem::find_iter(text.as_bytes(), q.as_bytes()).map(|byte| {
                let end = byte + q.len();
                (!options.whole_word || word_edges_ok(text, byte, end, options.clitics))
                    .then(|| Span::new(self.doc.char_at_byte(byte), self.doc.char_at_byte(end)))
            });
            pass(&mut out, &mut hits)?;
        } else {
            let mut cursor = Cursor::default();
            let mut hits =
                memchr::memmem::find_iter(self.folded.as_bytes(), q.as_bytes()).map(|byte| {
                    let (span, start, end, whole) =
                        self.original_span(byte, byte + q.len(), &mut cursor);
                    let edges = || whole && word_edges_ok(text, start, end, options.clitics);
                    (!options.whole_word || edges()).then_some(span)
                });
            pass(&mut out, &mut hits)?;
            // ل + ال contracts to لل: "القاهرة" is found in "للقاهرة" as "لقاهرة" after the preposition.
            if options.clitics && q.starts_with("ال") && q.chars().count() > 2 {
                // A word that starts with ل keeps one: ل + اللغة → للغة, ل + الله → لله.
                let rest = &q["ال".len()..];
                let contracted = if rest.starts_with('ل') {
                    rest.to_owned()
                } else {
                    format!("ل{rest}")
                };
                let mut cursor = Cursor::default();
                let mut hits = memchr::memmem::find_iter(
                    self.folded.as_bytes(),
                    contracted.as_bytes(),
                )
                .map(|byte| {
                    let (span, start, end, whole) =
                        self.original_span(byte, byte + contracted.len(), &mut cursor);
                    // Only after a preposition ل (possibly with و or ف before it).
                    let after_preposition =
                        matches!(word_prefix(text, start).as_deref(), Some("ل" | "ول" | "فل"));
                    let glued_after = options.whole_word
                        && text[end..]
                            .chars()
                            .next()
                            .is_some_and(char::is_alphanumeric);
                    (after_preposition && whole && !glued_after).then_some(span)
                });
                pass(&mut out, &mut hits)?;
                out.sort();
                out.dedup();
            }
        }
        // A pass that stopped early leaves no gap: everything after the first place one stopped is dropped.
        if let Some(c) = cutoff {
            out.retain(|s| *s < c);
            found.complete = false;
        }
        if out.len() > limit {
            out.truncate(limit);
            found.complete = false;
        }
        found.spans = out;
        Some(found)
    }

    /// Every whole-word occurrence (clitic prefixes allowed before, and ل + ال contracted to لل as in find) of any
    /// of `names`, in one pass over the text: `(span, index of the name)`. Where valid occurrences overlap, the
    /// leftmost wins, then the longest — an entry that is not a whole word where it matches (محمد علي inside
    /// محمد عليان) leaves room for a shorter one that is (محمد).
    #[must_use]
    pub fn find_many(&self, names: &[String]) -> Vec<(Span, usize)> {
        // (pattern, name, whether it is the contracted form that must follow a preposition ل)
        let mut patterns: Vec<(String, usize, bool)> = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let f = fold(name.trim(), false);
            if f.is_empty() {
                continue;
            }
            if let Some(rest) = f.strip_prefix("ال").filter(|r| !r.is_empty()) {
                let contracted = if rest.starts_with('ل') {
                    rest.to_owned()
                } else {
                    format!("ل{rest}")
                };
                patterns.push((contracted, i, true));
            }
            patterns.push((f, i, false));
        }
        let build = |kind| {
            aho_corasick::AhoCorasick::builder()
                .match_kind(kind)
                .build(patterns.iter().map(|p| p.0.as_str()))
        };
        let (Ok(longest), Ok(every)) = (
            build(aho_corasick::MatchKind::LeftmostLongest),
            build(aho_corasick::MatchKind::Standard),
        ) else {
            return Vec::new();
        };
        let max_len = patterns.iter().map(|p| p.0.len()).max().unwrap_or(0);
        let text = self.doc.text();
        let hay = self.folded.as_str();
        let mut cursor = Cursor::default();
        // The occurrence a match is, if it is a valid one (whole word, or the contraction after ل).
        let mut check = |m: &aho_corasick::Match| -> Option<(Span, usize)> {
            let (_, name, contracted) = &patterns[m.pattern().as_usize()];
            let (span, start, end, whole) = self.original_span(m.start(), m.end(), &mut cursor);
            let ok = whole
                && if *contracted {
                    matches!(word_prefix(text, start).as_deref(), Some("ل" | "ول" | "فل"))
                        && !text[end..].chars().next().is_some_and(is_word_char)
                } else {
                    word_edges_ok(text, start, end, true)
                };
            ok.then_some((span, *name))
        };
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some(m) = longest.find(aho_corasick::Input::new(hay).span(pos..hay.len())) {
            if let Some(hit) = check(&m) {
                out.push(hit);
                pos = m.end();
                continue;
            }
            // The longest entry here is not a whole word (محمد علي in محمد عليان): every entry that starts inside
            // it is looked at, and the leftmost, then longest, valid one is taken.
            let region = m.start()..(m.end() + max_len).min(hay.len());
            let mut best: Option<(usize, usize, (Span, usize))> = None;
            for o in every.find_overlapping_iter(aho_corasick::Input::new(hay).span(region)) {
                if o.start() >= m.end() {
                    continue;
                }
                if let Some(hit) = check(&o)
                    && best.is_none_or(|(s, e, _)| {
                        (o.start(), std::cmp::Reverse(o.end())) < (s, std::cmp::Reverse(e))
                    })
                {
                    best = Some((o.start(), o.end(), hit));
                }
            }
            match best {
                Some((_, end, hit)) => {
                    out.push(hit);
                    pos = end;
                }
                None => pos = m.end(),
            }
        }
        out
    }
}

/// The most letters looked at before a match: a longer glued prefix is never a clitic.
const MAX_PREFIX_CHARS: usize = 12;

/// The folded letters glued before byte `start` (back to the start of the word), or `None` when there are more than
/// a clitic could be.
fn word_prefix(text: &str, start: usize) -> Option<String> {
    let mut from = start;
    // Letters count towards the limit; marks and tatweel (folded away) only towards a looser one, so a long run
    // of them cannot make every match walk far back.
    let (mut letters, mut walked) = (0, 0);
    for c in text[..start].chars().rev() {
        if !is_word_char(c) {
            break;
        }
        if folded_len(c) > 0 {
            letters += 1;
        }
        walked += 1;
        if letters > MAX_PREFIX_CHARS || walked > 16 * MAX_PREFIX_CHARS {
            return None;
        }
        from -= c.len_utf8();
    }
    Some(fold(&text[from..start], false))
}

/// Whether the bytes `start..end` of `text` are a whole word (with `clitics`, a clitic prefix may be glued before).
fn word_edges_ok(text: &str, start: usize, end: usize, clitics: bool) -> bool {
    if text[end..].chars().next().is_some_and(is_word_char) {
        return false;
    }
    if !text[..start].chars().next_back().is_some_and(is_word_char) {
        return true;
    }
    clitics && word_prefix(text, start).is_some_and(|p| CLITICS.contains(&p.as_str()))
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_dropped(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str, query: &str, options: SearchOptions) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        SearchIndex::of_text(text)
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
            // Hamza on a seat, precomposed or combining, is ignored.
            ("مسؤول رئيس", "مسوول رييس"),
            (
                "مسو\u{0654}ول ري\u{0654}يس ا\u{0654}حمد ا\u{0655}براهيم",
                "مسوول رييس احمد ابراهيم",
            ),
            // Isolated and medial forms of harakat are marks, not spaces.
            ("م\u{FE7C}حمد\u{FE72}", "محمد"),
            ("ب\u{FE77}اب", "باب"),
            ("İstanbul", "istanbul"),
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
        let idx = SearchIndex::of_text(text);
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
        let idx = SearchIndex::of_text(text);
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
        let text = "قالَ مُحَمَّدٌ: ﻻ، ســـلام! ٢٠٢١ John ﷺ".repeat(5);
        let idx = SearchIndex::of_text(&text);
        let original: Vec<char> = text.chars().collect();
        // Folded → original: each folded character comes from inside the text, in order, and folding its original
        // character gives it back; a fresh walk and one continued from the last position agree.
        let mut cursor = Cursor::default();
        let mut reached = vec![false; original.len()];
        let mut last = 0;
        for (byte, folded) in idx.folded.char_indices() {
            let at = idx.locate(byte, &mut cursor);
            let fresh = idx.locate(byte, &mut Cursor::default());
            assert_eq!((at.ch, at.byte), (fresh.ch, fresh.byte));
            assert!(at.ch >= last && at.ch < original.len());
            assert_eq!(text[at.byte..].chars().next(), Some(original[at.ch]));
            assert!(
                fold(&original[at.ch].to_string(), false).contains(folded),
                "{:?} does not fold to contain {folded:?}",
                original[at.ch]
            );
            reached[at.ch] = true;
            last = at.ch;
        }
        // Original → folded: every character that is not dropped is reached.
        for (i, c) in original.iter().enumerate() {
            assert_eq!(reached[i], !is_dropped(*c), "character {i} {c:?}");
        }
        // The index costs about the text's size, far below two bytes per byte.
        assert!(
            idx.heap_bytes() <= 2 * text.len(),
            "{} for {}",
            idx.heap_bytes(),
            text.len()
        );
    }

    /// The first implementation, kept as the reference: every folded character with its original span.
    fn reference(text: &str, query: &str, options: SearchOptions) -> Vec<Span> {
        let original: Vec<char> = text.chars().collect();
        let mut folded = String::new();
        let mut chars: Vec<(usize, usize, usize)> = Vec::new();
        for (i, &c) in original.iter().enumerate() {
            if options.exact {
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
                && last.2 == i
            {
                last.2 = i + 1;
            }
        }
        let q = fold(query.trim(), options.exact);
        if q.is_empty() {
            return Vec::new();
        }
        let prefix = |start: usize| {
            let from = (0..start)
                .rev()
                .find(|&i| !is_word_char(original[i]))
                .map_or(0, |i| i + 1);
            fold(&original[from..start].iter().collect::<String>(), false)
        };
        let edges = |start: usize, end: usize| {
            !original.get(end).is_some_and(|c| is_word_char(*c))
                && (start == 0
                    || !is_word_char(original[start - 1])
                    || options.clitics && CLITICS.contains(&prefix(start).as_str()))
        };
        let mut out = Vec::new();
        let mut patterns = vec![(q.clone(), false)];
        if options.clitics && !options.exact && q.starts_with("ال") && q.chars().count() > 2 {
            let rest = &q["ال".len()..];
            let contracted = if rest.starts_with('ل') {
                rest.to_owned()
            } else {
                format!("ل{rest}")
            };
            patterns.push((contracted, true));
        }
        for (pattern, contracted) in patterns {
            for (byte, m) in folded.match_indices(pattern.as_str()) {
                let first = chars.partition_point(|c| c.0 < byte);
                let last = chars.partition_point(|c| c.0 < byte + m.len()) - 1;
                let (start, end) = (chars[first].1, chars[last].2);
                // Whole characters: not starting or ending inside one folded into several.
                let whole = options.exact
                    || (first == 0 || chars[first - 1].1 != chars[first].1)
                        && chars.get(last + 1).is_none_or(|c| c.1 != chars[last].1);
                let ok = if contracted {
                    whole
                        && matches!(prefix(start).as_str(), "ل" | "ول" | "فل")
                        && !(options.whole_word
                            && original.get(end).is_some_and(|c| c.is_alphanumeric()))
                } else {
                    !options.whole_word || whole && edges(start, end)
                };
                if ok {
                    out.push(Span::new(CharOffset(start), CharOffset(end)));
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        #[test]
        fn the_index_finds_what_the_reference_finds(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "ال", "ل", "و", "قاهرة", "القاهرة", "مُحَمَّدٌ", "محمد", "ـ", "َ", "ّ", " ", "\n", "ﻻ", "ﷺ", "ﺍﻟﻘﺎﻫﺮﺓ",
                "أ", "ى", "ة", "٢", "A", "a", "،", "\u{FE77}", "ـــــــــــــــ",
            ]), 0..60),
            query in proptest::sample::select(vec!["القاهرة", "محمد", "ل", "لا", "الله", "قاهره", "مُحَمَّد", "a", "2", "ـ"]),
            exact in proptest::bool::ANY,
            whole_word in proptest::bool::ANY,
            clitics in proptest::bool::ANY,
        ) {
            let text: String = pieces.concat();
            let options = SearchOptions { exact, whole_word, clitics };
            let index = SearchIndex::of_text(&text);
            let mine = index.find(query, options);
            // A limited search gives the first matches, and says when there are more.
            for limit in [0, 1, 3] {
                let limited = index.find_limited(query, options, limit, &AtomicBool::new(false)).unwrap();
                proptest::prop_assert_eq!(&limited.spans[..], &mine[..mine.len().min(limit)]);
                proptest::prop_assert_eq!(limited.complete, mine.len() <= limit);
            }
            let theirs = reference(&text, query, options);
            proptest::prop_assert_eq!(mine, theirs, "{:?}", text);
        }
    }

    #[test]
    fn contractions_of_lam_words_and_ligatures_as_whole_words() {
        let whole = SearchOptions {
            whole_word: true,
            ..SearchOptions::default()
        };
        // ل + اللغة → للغة, ل + الله → لله (one lam of the word is kept).
        let text = "اللغة للغة وللغة الليل لليل الله لله";
        assert_eq!(texts(text, "اللغة", whole), vec!["اللغة", "لغة", "لغة"]);
        assert_eq!(texts(text, "الله", whole), vec!["الله", "له"]);
        // A whole word never starts or ends inside a character folded into several.
        let text = "قال النبي ﷺ و ﷲ أكبر، ﻻ إله";
        assert!(texts(text, "ا", whole).is_empty());
        assert!(texts(text, "عليه", whole).is_empty());
        assert_eq!(texts(text, "الله", whole), vec!["ﷲ"]);
        assert_eq!(texts(text, "عليه", SearchOptions::default()), vec!["ﷺ"]);
    }

    #[test]
    fn a_list_entry_that_is_not_a_whole_word_leaves_room_for_a_shorter_one() {
        let text = "قال محمد عليان إن محمد علي وصل. التقى عبد اللهيان مع عبد الله في للقاهرة.";
        let idx = SearchIndex::of_text(text);
        let names: Vec<String> = ["محمد", "محمد علي", "عبد", "عبد الله", "اللهيان", "القاهرة"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let chars: Vec<char> = text.chars().collect();
        let found: Vec<String> = idx
            .find_many(&names)
            .into_iter()
            .map(|(s, _)| chars[s.start.0..s.end.0].iter().collect())
            .collect();
        assert_eq!(
            found,
            vec!["محمد", "محمد علي", "عبد", "اللهيان", "عبد الله", "لقاهرة"]
        );
    }

    #[test]
    fn presentation_forms_map_back_to_their_characters() {
        let text = "من ﺍﻟﻘﺎﻫﺮﺓ إلى";
        let found = texts(text, "القاهرة", SearchOptions::default());
        assert_eq!(found, vec!["ﺍﻟﻘﺎﻫﺮﺓ"]);
    }
}
