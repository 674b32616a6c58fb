//! Re-anchoring: finding where annotations belong after their text file changed. Offsets are code points.
//!
//! An annotation keeps a place only where its quote is and its stored context (`prefix`, `suffix`) agrees; among
//! several such places the one nearest where it is expected wins — its old offset moved by the shift of the
//! annotation placed before it, since most annotations move together with their neighbours. In order:
//!
//! 1. **Expected place**: the quote at the expected offset or its own old offset, else a near-identical stretch
//!    exactly there (an edit inside the annotation), with agreeing context; else the nearest occurrence within a few
//!    hundred code points whose context agrees more strongly (moving takes more evidence than staying). After an edit that shifts everything, or small edits inside annotations, this places nearly every
//!    annotation in constant time each — and never sends one to an identical passage elsewhere.
//! 2. **Exact elsewhere**: every occurrence of the quotes still unplaced, found in one pass over the text (one
//!    Aho–Corasick automaton for all of them); the best context wins, then the nearest to the expected place. An
//!    occurrence whose context does not agree is taken only when it is the quote's only occurrence.
//! 3. **Near-identical nearby**: the same length within a few quote lengths of the expected place, with normalized
//!    Levenshtein similarity at least [`FUZZY_THRESHOLD`] and agreeing context; quotes of at most
//!    [`FUZZY_MAX_CHARS`].
//!
//! An annotation whose surroundings still stand where it is expected but hold other text (it was renamed or deleted
//! in place) is looked for only inside that slot: in a text that repeats itself, any other occurrence would be a
//! wrong place. What none of these places stays unplaced — a wrong place is worse than none.

use aho_corasick::{AhoCorasick, MatchKind};

use crate::model::{Annotation, CharOffset, Document, Span};

/// Fuzzy re-anchoring accepts a candidate whose normalized Levenshtein similarity to the quote is at least this.
pub const FUZZY_THRESHOLD: f64 = 0.8;
/// Quotes longer than this are compared fuzzily only at their expected place.
pub const FUZZY_MAX_CHARS: usize = 256;
/// Context agreement: at least this many code points of the stored prefix and suffix (together) must still stand
/// next to the quote (fewer when less context was stored, at the start or end of a text).
pub const MIN_CONTEXT: usize = 4;
/// Exact occurrences considered per annotation: the nearest this many to its expected place.
const MAX_CANDIDATES: usize = 4096;

/// How many code points of stored context still stand around `span` (compared in place, nothing copied).
fn context_score(doc: &Document, span: Span, a: &Annotation) -> usize {
    let text = doc.text();
    let (start, end) = (doc.byte_at(span.start), doc.byte_at(span.end));
    let before = text[..start]
        .chars()
        .rev()
        .zip(a.prefix.chars().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let after = text[end..]
        .chars()
        .zip(a.suffix.chars())
        .take_while(|(x, y)| x == y)
        .count();
    before + after
}

fn needed(a: &Annotation) -> usize {
    (a.prefix.chars().count() + a.suffix.chars().count()).min(MIN_CONTEXT)
}

/// Moving an annotation to another place nearby takes more evidence than keeping it where it is expected: short
/// quotes (a common syllable, a frequent word) recur every few lines.
fn needed_to_move(a: &Annotation) -> usize {
    (a.prefix.chars().count() + a.suffix.chars().count()).min(3 * MIN_CONTEXT)
}

fn span_at(start: usize, len: usize) -> Span {
    Span::new(CharOffset(start), CharOffset(start + len))
}

/// Whether the quote of `a` stands at `start` with agreeing context.
fn fits(doc: &Document, a: &Annotation, start: usize, len: usize) -> bool {
    start + len <= doc.char_count()
        && doc.slice(span_at(start, len)) == a.text
        && context_score(doc, span_at(start, len), a) >= needed(a)
}

/// Code points searched on each side of the expected place before looking through the whole text: an insertion or
/// deletion between two annotations moves the rest by a little, and is found here.
const NEARBY: usize = 256;

/// The quote with agreeing context within [`NEARBY`] of `expected`, nearest first.
fn nearby(doc: &Document, a: &Annotation, expected: usize, len: usize) -> Option<usize> {
    let n = doc.char_count();
    let lo = expected.saturating_sub(NEARBY).min(n);
    let hi = (expected + len + NEARBY).min(n);
    let from = doc.byte_at(CharOffset(lo));
    let window = &doc.text()[from..doc.byte_at(CharOffset(hi))];
    let mut best: Option<usize> = None;
    for (b, _) in window.match_indices(a.text.as_str()) {
        let s = doc.char_at_byte(from + b).0;
        if best.is_none_or(|x| s.abs_diff(expected) < x.abs_diff(expected))
            && context_score(doc, span_at(s, len), a) >= needed_to_move(a)
        {
            best = Some(s);
        }
    }
    best
}

/// Code points of context that make an annotation's slot certain (see [`slot`]).
const SLOT_CONTEXT: usize = 8;

/// The annotation's slot, when its surroundings still stand where it is expected: the text that came before it ends
/// at `expected`, and the text that came after it starts soon after. Returns (start, end) of what now lies between.
/// An annotation whose slot is intact but holds other text was edited in place (renamed, deleted): it is never
/// sent to another occurrence of its old text — in a text that repeats itself that would be a wrong place.
fn slot(doc: &Document, a: &Annotation, expected: usize, len: usize) -> Option<(usize, usize)> {
    // Spaces at the slot's edges are not evidence: deleting a word usually takes a space with it.
    let n = doc.char_count();
    let prefix = a.prefix.trim_end();
    let want_pre = prefix.chars().count().min(SLOT_CONTEXT);
    let head: String = a.suffix.trim_start().chars().take(SLOT_CONTEXT).collect();
    if expected > n || want_pre + head.chars().count() == 0 {
        return None;
    }
    let text = doc.text();
    let at = doc.byte_at(CharOffset(expected));
    let before = text[..at]
        .trim_end()
        .chars()
        .rev()
        .zip(prefix.chars().rev())
        .take_while(|(x, y)| x == y)
        .count();
    if before < want_pre {
        return None;
    }
    if head.is_empty() {
        return Some((expected, n));
    }
    let reach = (expected + 2 * len + 16 + head.chars().count()).min(n);
    let window = &text[at..doc.byte_at(CharOffset(reach))];
    let k = window.find(&head)?;
    Some((expected, doc.char_at_byte(at + k).0))
}

/// The quote inside its slot (`lo`..`hi`), the first occurrence.
fn in_slot(doc: &Document, a: &Annotation, lo: usize, hi: usize, len: usize) -> Option<usize> {
    if hi < lo + len {
        return None;
    }
    let from = doc.byte_at(CharOffset(lo));
    let window = &doc.text()[from..doc.byte_at(CharOffset(hi))];
    window
        .find(a.text.as_str())
        .map(|b| doc.char_at_byte(from + b).0)
}

/// Whether a near-identical stretch (an edit inside the annotation) stands at `start` with agreeing context.
fn similar_at(doc: &Document, a: &Annotation, start: usize, len: usize) -> bool {
    start + len <= doc.char_count()
        && strsim::normalized_levenshtein(&doc.slice(span_at(start, len)), &a.text)
            >= FUZZY_THRESHOLD
        && context_score(doc, span_at(start, len), a) >= needed(a)
}

/// Places one annotation (the same rules as [`place_all`], expected at its old offset).
#[must_use]
pub fn reanchor(doc: &Document, a: &Annotation) -> Option<Span> {
    place_all(doc, std::slice::from_ref(a))[0]
}

/// New places for annotations of a changed text, in the order given (`None`: could not be placed).
#[must_use]
pub fn place_all(doc: &Document, anns: &[Annotation]) -> Vec<Option<Span>> {
    place_all_with(doc, anns, &super::Progress::default())
}

/// [`place_all`], telling `progress` how far it is (one step an annotation, and one more for each searched for).
pub fn place_all_with(
    doc: &Document,
    anns: &[Annotation],
    progress: &super::Progress,
) -> Vec<Option<Span>> {
    if anns.is_empty() {
        return Vec::new();
    }
    progress.start_reanchoring(anns.len());
    let out = place_each(doc, anns, progress);
    progress.finish();
    out
}

fn place_each(
    doc: &Document,
    anns: &[Annotation],
    progress: &super::Progress,
) -> Vec<Option<Span>> {
    let n = doc.char_count();
    let mut out: Vec<Option<Span>> = vec![None; anns.len()];
    let lens: Vec<usize> = anns.iter().map(|a| a.text.chars().count()).collect();
    // By old offset: the shift of the one placed before predicts the next.
    let mut order: Vec<usize> = (0..anns.len()).collect();
    order.sort_by_key(|&i| (anns[i].start, anns[i].end));
    // (old start, new start) of placed annotations, in old order, to predict where the others are expected.
    let mut shift = 0i64;
    let mut pending = Vec::new();
    // Annotations whose slot is intact but holds other text: left unplaced, not searched for elsewhere.
    let mut settled = vec![false; anns.len()];
    for (k, &i) in order.iter().enumerate() {
        if k % 1024 == 1023 {
            progress.advance(1024);
        }
        let (a, len) = (&anns[i], lens[i]);
        if len == 0 {
            continue;
        }
        let expected = usize::try_from(a.start as i64 + shift).unwrap_or(0);
        let found = [expected, a.start]
            .into_iter()
            .find(|&s| fits(doc, a, s, len))
            .or_else(|| similar_at(doc, a, expected, len).then_some(expected));
        let found = match found {
            Some(s) => Some(s),
            // Its surroundings are in place: it is in its slot (after an insertion before it) or nowhere.
            None => match slot(doc, a, expected, len) {
                Some((lo, hi)) => in_slot(doc, a, lo, hi, len).or_else(|| {
                    settled[i] = true;
                    None
                }),
                None => nearby(doc, a, expected, len),
            },
        };
        match found {
            Some(s) => {
                out[i] = Some(span_at(s, len));
                shift = s as i64 - a.start as i64;
            }
            None if settled[i] => {}
            None => pending.push(i),
        }
    }
    if pending.is_empty() {
        return out;
    }
    // The rest is searched for: as many steps again.
    progress.start_reanchoring(anns.len() + pending.len());
    progress.advance(anns.len());
    // Where each pending annotation is expected: its old offset moved by the shift of the nearest annotation placed
    // before it (one pass, in old order).
    let mut expected_at = vec![0usize; anns.len()];
    let mut last_shift = 0i64;
    for &i in &order {
        match out[i] {
            Some(s) => last_shift = s.start.0 as i64 - anns[i].start as i64,
            None => {
                expected_at[i] = usize::try_from(anns[i].start as i64 + last_shift)
                    .unwrap_or(0)
                    .min(n)
            }
        }
    }
    // 2. Exact occurrences of every pending quote, in one pass.
    let mut quotes: Vec<&str> = pending.iter().map(|&i| anns[i].text.as_str()).collect();
    quotes.sort_unstable();
    quotes.dedup();
    let mut occurrences: Vec<Vec<usize>> = vec![Vec::new(); quotes.len()];
    if let Ok(ac) = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(&quotes)
    {
        let text = doc.text();
        for m in ac.find_overlapping_iter(text) {
            occurrences[m.pattern().as_usize()].push(doc.char_at_byte(m.start()).0);
        }
    }
    let mut still = Vec::new();
    for (step, &i) in pending.iter().enumerate() {
        if step % 256 == 255 {
            progress.advance(256);
        }
        let (a, len) = (&anns[i], lens[i]);
        let expected = expected_at[i];
        let k = quotes
            .binary_search(&a.text.as_str())
            .expect("every pending quote was searched");
        let occ = &occurrences[k];
        // The nearest candidates to the expected place (all of them, unless there are very many).
        let mid = occ.partition_point(|&s| s < expected);
        let lo = mid.saturating_sub(MAX_CANDIDATES / 2);
        let hi = (mid + MAX_CANDIDATES / 2).min(occ.len());
        let mut best: Option<(usize, usize, usize)> = None; // (score, distance, start)
        for &s in &occ[lo..hi] {
            let score = context_score(doc, span_at(s, len), a);
            let distance = s.abs_diff(expected);
            if best.is_none_or(|(bs, bd, _)| score > bs || (score == bs && distance < bd)) {
                best = Some((score, distance, s));
            }
        }
        match best {
            Some((score, _, s)) if score >= needed(a) || occ.len() == 1 => {
                out[i] = Some(span_at(s, len));
            }
            _ => still.push(i),
        }
    }
    // 3. Near-identical stretches near the expected place.
    for i in still {
        let (a, len) = (&anns[i], lens[i]);
        if len > n {
            continue;
        }
        let expected = expected_at[i].min(n - len);
        let similar = |s: usize| {
            let candidate = doc.slice(span_at(s, len));
            strsim::normalized_levenshtein(&candidate, &a.text)
        };
        if len > FUZZY_MAX_CHARS {
            continue;
        }
        let reach = 2 * len + 16;
        let lo = expected.saturating_sub(reach);
        let hi = (expected + reach).min(n - len);
        let mut best: Option<(f64, usize)> = None;
        for s in lo..=hi {
            let sim = similar(s);
            if sim >= FUZZY_THRESHOLD
                && best.is_none_or(|(bs, b)| {
                    sim > bs || (sim == bs && s.abs_diff(expected) < b.abs_diff(expected))
                })
                && context_score(doc, span_at(s, len), a) >= needed(a)
            {
                best = Some((sim, s));
            }
        }
        if let Some((_, s)) = best {
            out[i] = Some(span_at(s, len));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AnnotationSet, TagSet};

    const PASSAGE: &str = "قال كريم إن الاجتماع في القاهرة انتهى، وأكد كريم أن الوفد سيعود غدا.\n";

    /// Annotations on every name of copy `copy` of a text made of `PASSAGE` repeated `times` times.
    fn repeated(times: usize, copy: usize) -> (String, Vec<Annotation>) {
        let text = PASSAGE.repeat(times);
        let doc = Document::new(text.clone());
        let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
        let base = copy * PASSAGE.chars().count();
        for word in ["كريم", "القاهرة", "الوفد"] {
            let mut from = 0;
            while let Some(b) = PASSAGE[from..].find(word) {
                let start = PASSAGE[..from + b].chars().count();
                let span = span_at(base + start, word.chars().count());
                set.create(&doc, span, "PER").unwrap();
                from += b + word.len();
            }
        }
        (text, set.items().to_vec())
    }

    #[test]
    fn a_shift_of_everything_places_every_annotation_exactly_in_the_right_copy() {
        let (text, anns) = repeated(60, 30);
        let inserted = "سطر جديد في أعلى الملف\n";
        let shift = inserted.chars().count();
        let doc = Document::new(format!("{inserted}{text}"));
        for (a, span) in anns.iter().zip(place_all(&doc, &anns)) {
            assert_eq!(
                span,
                Some(span_at(a.start + shift, a.end - a.start)),
                "{}",
                a.text
            );
        }
    }

    #[test]
    fn a_quote_that_happens_to_stand_at_the_old_place_is_not_taken_without_its_context() {
        // كريم is annotated in the second sentence; an edit puts another كريم, in other words, at its old offset.
        let a = annotation_on("في الصباح وصل الوفد. ثم تحدث كريم عن الخطة.", "كريم");
        let changed = "في الصباح كريم سعيد دائما. ثم تحدث كريم عن الخطة.";
        let doc2 = Document::new(changed.to_owned());
        // The edit made the old offset hold a different text; the right كريم is the one with its context.
        let right = changed[..changed.rfind("كريم").unwrap()].chars().count();
        assert_eq!(reanchor(&doc2, &a), Some(span_at(right, 4)));
        // And with its context gone everywhere and two candidates, it is left unplaced rather than guessed.
        let neither = "كريم هنا. كريم هناك.";
        assert_eq!(reanchor(&Document::new(neither.to_owned()), &a), None);
    }

    #[test]
    fn among_equal_places_the_nearest_to_the_expected_one_wins() {
        let (text, anns) = repeated(40, 10);
        // Ten characters cut from the top: every copy of the passage is an equally good place by context; the
        // nearest to the expected one is the annotated copy itself, ten characters back, and all move together.
        let cut: String = text.chars().skip(10).collect();
        let doc = Document::new(cut);
        let shifts: Vec<i64> = place_all(&doc, &anns)
            .iter()
            .zip(&anns)
            .map(|(s, a)| s.expect("placed").start.0 as i64 - a.start as i64)
            .collect();
        assert!(shifts.iter().all(|&d| d == -10), "{shifts:?}");
        // A whole passage cut from the top: the old offsets now hold an identical copy with identical context,
        // which is the nearest equally good place; nothing jumps to another copy on its own.
        let doc = Document::new(text[PASSAGE.len()..].to_owned());
        let shifts: Vec<i64> = place_all(&doc, &anns)
            .iter()
            .zip(&anns)
            .map(|(s, a)| s.expect("placed").start.0 as i64 - a.start as i64)
            .collect();
        assert!(shifts.iter().all(|&d| d == 0), "{shifts:?}");
    }

    #[test]
    fn a_letter_changed_inside_every_annotation_is_found_at_its_place() {
        // One letter of seven and of five (similarity 0.86 and 0.8); كريم itself is kept as it is, since one
        // letter of four is below the threshold.
        let (text, anns) = repeated(20, 5);
        let changed = text.replace("القاهرة", "القاهره").replace("الوفد", "الوقد");
        let doc = Document::new(changed);
        for (a, span) in anns.iter().zip(place_all(&doc, &anns)) {
            assert_eq!(span, Some(a.span()), "{}", a.text);
        }
    }

    /// An annotation on the last occurrence of `word` in `text`.
    fn annotation_on(text: &str, word: &str) -> Annotation {
        let doc = Document::new(text.to_owned());
        let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
        let at = text[..text.rfind(word).unwrap()].chars().count();
        let id = set
            .create(&doc, span_at(at, word.chars().count()), "PER")
            .unwrap();
        set.get(id).unwrap().clone()
    }

    /// `text` with each line (terminator included) replaced by `f(index, line)`.
    fn edit_lines(text: &str, f: impl Fn(usize, &str) -> String) -> String {
        text.split_inclusive('\n')
            .enumerate()
            .map(|(i, l)| f(i, l))
            .collect()
    }

    /// Annotations on every name of every line of a text of identical lines.
    fn every_line(line: &str, times: usize, names: &[&str]) -> (String, Vec<Annotation>) {
        let text = line.repeat(times);
        let doc = Document::new(text.clone());
        let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
        let k = line.chars().count();
        for copy in 0..times {
            for name in names {
                let b = line.find(name).unwrap();
                let start = copy * k + line[..b].chars().count();
                set.create(&doc, span_at(start, name.chars().count()), "PER")
                    .unwrap();
            }
        }
        (text, set.items().to_vec())
    }

    #[test]
    fn a_name_renamed_in_some_copies_is_unplaced_there_and_nothing_else_moves() {
        let line = "سافر محمد بن علي من القاهرة إلى دمشق مع خالد في الصباح الباكر.\n";
        let (text, anns) = every_line(line, 5, &["محمد بن علي", "خالد"]);
        // خالد becomes سعيد (same length) in lines 1, 2, 4 and 5.
        let changed = edit_lines(&text, |i, l| {
            if i == 2 {
                l.to_owned()
            } else {
                l.replace("خالد", "سعيد")
            }
        });
        let doc = Document::new(changed);
        for (a, span) in anns.iter().zip(place_all(&doc, &anns)) {
            let line_of = a.start / line.chars().count();
            if a.text == "خالد" && line_of != 2 {
                assert_eq!(span, None, "the renamed خالد of line {line_of} is unplaced");
            } else {
                assert_eq!(span, Some(a.span()), "{} of line {line_of} stays", a.text);
            }
        }
    }

    #[test]
    fn a_word_deleted_in_one_copy_does_not_send_it_or_its_neighbours_to_another_copy() {
        let line = "سافر محمد بن علي من القاهرة إلى دمشق مع خالد في الصباح الباكر.\n";
        let (text, anns) = every_line(line, 5, &["دمشق", "خالد"]);
        let k = line.chars().count();
        // "دمشق " deleted from line 3 only.
        let changed = edit_lines(&text, |i, l| {
            if i == 2 {
                l.replacen("دمشق ", "", 1)
            } else {
                l.to_owned()
            }
        });
        let doc = Document::new(changed);
        for (a, span) in anns.iter().zip(place_all(&doc, &anns)) {
            let line_of = a.start / k;
            match (line_of, a.text.as_str()) {
                (2, "دمشق") => assert_eq!(span, None, "the deleted دمشق is unplaced"),
                (2, _) => assert_eq!(
                    span,
                    Some(span_at(a.start - 5, 4)),
                    "خالد of line 3 moves back by 5"
                ),
                (l, _) if l > 2 => assert_eq!(
                    span,
                    Some(span_at(a.start - 5, a.end - a.start)),
                    "line {l}"
                ),
                _ => assert_eq!(span, Some(a.span()), "line {line_of}"),
            }
        }
    }

    #[test]
    fn a_word_inserted_right_before_an_annotation_moves_it_with_its_text() {
        let text = "في الصباح وصل الوفد إلى القاهرة ثم غادر.";
        let a = annotation_on(text, "القاهرة");
        let changed = text.replace("إلى القاهرة", "إلى مدينة القاهرة");
        let doc2 = Document::new(changed.clone());
        let right = changed[..changed.find("القاهرة").unwrap()].chars().count();
        assert_eq!(reanchor(&doc2, &a), Some(span_at(right, 7)));
    }
}
