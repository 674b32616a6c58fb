//! Inter-annotator agreement over documents annotated by several people: span precision/recall/F1 (exact and
//! overlapping), Cohen's kappa for two annotators and Krippendorff's alpha (nominal) for any number, both over code
//! points. Definitions: docs/agreement.md. No I/O: the caller pairs documents and hands over their texts and spans.

use std::collections::{BTreeMap, HashMap};

/// One annotator's spans on one document: (start, end, tag), code points, end exclusive.
pub type Spans = Vec<(usize, usize, String)>;

/// A document as every annotator annotated it: its text (the same for all) and, per annotator, the spans.
pub struct Document<'a> {
    pub text: &'a str,
    pub annotators: Vec<Spans>,
}

/// Precision, recall and F1, with the counts they come from (exact matching).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Scores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tp: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fp: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none", rename = "fn")]
    pub fn_: Option<usize>,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn harmonic(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Exact matching: tp is the size of the multiset intersection of the reference's spans and the other's.
#[must_use]
pub fn exact(
    reference: &[(usize, usize, usize, &str)],
    other: &[(usize, usize, usize, &str)],
) -> Scores {
    let mut count: HashMap<(usize, usize, usize, &str), isize> = HashMap::new();
    for s in reference {
        *count.entry(*s).or_default() += 1;
    }
    let mut tp = 0;
    for s in other {
        if let Some(n) = count.get_mut(s)
            && *n > 0
        {
            *n -= 1;
            tp += 1;
        }
    }
    let (fp, fn_) = (other.len() - tp, reference.len() - tp);
    Scores {
        precision: ratio(tp, tp + fp),
        recall: ratio(tp, tp + fn_),
        f1: ratio(2 * tp, 2 * tp + fp + fn_),
        tp: Some(tp),
        fp: Some(fp),
        fn_: Some(fn_),
    }
}

/// How many of `these` share at least one code point with a span of `those` with the same tag (same document).
fn overlapping(
    these: &[(usize, usize, usize, &str)],
    those: &[(usize, usize, usize, &str)],
) -> usize {
    // Per (document, tag): those spans sorted by start, with the running maximum of their ends, for a binary search.
    let mut groups: HashMap<(usize, &str), Vec<(usize, usize)>> = HashMap::new();
    for &(d, s, e, t) in those {
        groups.entry((d, t)).or_default().push((s, e));
    }
    // Per (document, tag): starts, and the running maximum of ends.
    type Sorted = (Vec<usize>, Vec<usize>);
    let mut index: HashMap<(usize, &str), Sorted> = HashMap::new();
    for (k, mut v) in groups {
        v.sort_unstable();
        let starts = v.iter().map(|x| x.0).collect();
        let mut max = 0;
        let ends = v
            .iter()
            .map(|x| {
                max = max.max(x.1);
                max
            })
            .collect();
        index.insert(k, (starts, ends));
    }
    these
        .iter()
        .filter(|&&(d, s, e, t)| {
            index.get(&(d, t)).is_some_and(|(starts, ends)| {
                // Those starting before this one ends; one of them reaches past this one's start.
                let n = starts.partition_point(|&x| x < e);
                n > 0 && ends[n - 1] > s && s < e
            })
        })
        .count()
}

/// Overlap matching: precision is the share of the other's spans that overlap a same-tag span of the reference,
/// recall the share of the reference's spans that overlap one of the other's.
#[must_use]
pub fn overlap(
    reference: &[(usize, usize, usize, &str)],
    other: &[(usize, usize, usize, &str)],
) -> Scores {
    let precision = ratio(overlapping(other, reference), other.len());
    let recall = ratio(overlapping(reference, other), reference.len());
    Scores {
        precision,
        recall,
        f1: harmonic(precision, recall),
        ..Scores::default()
    }
}

/// The label of every code point of `text` that is not white space: the tag of the outermost span covering it
/// (longest; then earliest start; then tag name), else "O".
#[must_use]
pub fn labels<'a>(text: &str, spans: &'a [(usize, usize, String)]) -> Vec<&'a str> {
    let n = text.chars().count();
    let mut order: Vec<&(usize, usize, String)> = spans.iter().filter(|s| s.0 < s.1).collect();
    // Outermost first: longest, then earliest, then by tag; a code point keeps the first span that covers it.
    order.sort_by(|a, b| {
        (b.1 - b.0)
            .cmp(&(a.1 - a.0))
            .then(a.0.cmp(&b.0))
            .then(a.2.cmp(&b.2))
    });
    let mut label: Vec<Option<&str>> = vec![None; n];
    // Each code point is set once: a span only fills the gaps left by more outer ones. `next` skips filled runs.
    let mut next: Vec<usize> = (0..=n).collect();
    fn find(next: &mut [usize], mut i: usize) -> usize {
        while next[i] != i {
            next[i] = next[next[i]];
            i = next[i];
        }
        i
    }
    for s in order {
        let end = s.1.min(n);
        let mut i = find(&mut next, s.0.min(n));
        while i < end {
            label[i] = Some(s.2.as_str());
            next[i] = i + 1;
            i = find(&mut next, i + 1);
        }
    }
    text.chars()
        .zip(label)
        .filter(|(c, _)| !c.is_whitespace())
        .map(|(_, l)| l.unwrap_or("O"))
        .collect()
}

/// Labels as small numbers, the same number for the same label everywhere.
#[derive(Default)]
struct Codes<'a> {
    names: Vec<&'a str>,
}

impl<'a> Codes<'a> {
    fn of(&mut self, label: &'a str) -> u32 {
        match self.names.iter().position(|n| *n == label) {
            Some(k) => k as u32,
            None => {
                self.names.push(label);
                (self.names.len() - 1) as u32
            }
        }
    }

    fn all(&mut self, labels: &[&'a str]) -> Vec<u32> {
        labels.iter().map(|l| self.of(l)).collect()
    }
}

/// Cohen's kappa between two label sequences of the same length; `None` when it is undefined (all one label).
#[must_use]
pub fn cohen_kappa(a: &[&str], b: &[&str]) -> Option<f64> {
    let mut codes = Codes::default();
    let (a, b) = (codes.all(a), codes.all(b));
    kappa_of_codes(&a, &b, codes.names.len())
}

fn kappa_of_codes(a: &[u32], b: &[u32], k: usize) -> Option<f64> {
    let n = a.len().min(b.len());
    if n == 0 {
        return None;
    }
    let (mut pa, mut pb) = (vec![0.0f64; k], vec![0.0f64; k]);
    let mut agree = 0usize;
    for (x, y) in a.iter().zip(b) {
        pa[*x as usize] += 1.0;
        pb[*y as usize] += 1.0;
        agree += usize::from(x == y);
    }
    let n = n as f64;
    let po = agree as f64 / n;
    let pe: f64 = pa.iter().zip(&pb).map(|(x, y)| (x / n) * (y / n)).sum();
    (pe < 1.0).then(|| (po - pe) / (1.0 - pe))
}

/// Krippendorff's alpha (nominal) over units each labelled by every annotator (`units[u][annotator]`); `None` when
/// undefined (one label only).
#[must_use]
pub fn krippendorff_alpha(units: &[Vec<&str>]) -> Option<f64> {
    let mut codes = Codes::default();
    let coded: Vec<Vec<u32>> = units.iter().map(|u| codes.all(u)).collect();
    alpha_of_codes(coded.iter().map(Vec::as_slice), codes.names.len())
}

fn alpha_of_codes<'u>(units: impl Iterator<Item = &'u [u32]>, k: usize) -> Option<f64> {
    // The coincidence matrix, each unit's ordered pairs of different annotators weighted by 1 / (m - 1).
    let mut o = vec![0.0f64; k * k];
    for unit in units {
        let m = unit.len();
        if m < 2 {
            continue;
        }
        let w = 1.0 / (m - 1) as f64;
        for (i, a) in unit.iter().enumerate() {
            for (j, b) in unit.iter().enumerate() {
                if i != j {
                    o[*a as usize * k + *b as usize] += w;
                }
            }
        }
    }
    let nc: Vec<f64> = (0..k).map(|c| o[c * k..(c + 1) * k].iter().sum()).collect();
    let n: f64 = nc.iter().sum();
    let observed: f64 = (0..k)
        .flat_map(|c| (0..k).filter(move |&d| d != c).map(move |d| (c, d)))
        .map(|(c, d)| o[c * k + d])
        .sum();
    let total: f64 = nc.iter().sum::<f64>();
    let expected = total * total - nc.iter().map(|x| x * x).sum::<f64>();
    (expected > 0.0).then(|| 1.0 - (n - 1.0) * observed / expected)
}

/// Everything `warraq agree` reports for one pair of annotators (reference first).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Pair {
    pub exact: Scores,
    pub overlap: Scores,
    pub per_tag: BTreeMap<String, PerTag>,
    pub kappa: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PerTag {
    pub exact: Scores,
    pub overlap: Scores,
}

/// Spans of annotator `k` over all documents, as (document, start, end, tag).
fn all_spans<'a>(docs: &'a [Document<'_>], k: usize) -> Vec<(usize, usize, usize, &'a str)> {
    docs.iter()
        .enumerate()
        .flat_map(|(d, doc)| {
            doc.annotators
                .get(k)
                .into_iter()
                .flatten()
                .map(move |(s, e, t)| (d, *s, *e, t.as_str()))
        })
        .collect()
}

/// Agreement of annotator `b` with annotator `a` (the reference) over all documents.
#[must_use]
pub fn pair(docs: &[Document<'_>], a: usize, b: usize) -> Pair {
    let (ra, rb) = (all_spans(docs, a), all_spans(docs, b));
    let mut tags: Vec<&str> = ra.iter().chain(&rb).map(|s| s.3).collect();
    tags.sort_unstable();
    tags.dedup();
    let per_tag = tags
        .into_iter()
        .map(|t| {
            let (x, y): (Vec<_>, Vec<_>) = (
                ra.iter().copied().filter(|s| s.3 == t).collect(),
                rb.iter().copied().filter(|s| s.3 == t).collect(),
            );
            (
                t.to_owned(),
                PerTag {
                    exact: exact(&x, &y),
                    overlap: overlap(&x, &y),
                },
            )
        })
        .collect();
    let mut codes = Codes::default();
    let (mut la, mut lb) = (Vec::new(), Vec::new());
    for doc in docs {
        la.extend(codes.all(&labels(doc.text, &doc.annotators[a])));
        lb.extend(codes.all(&labels(doc.text, &doc.annotators[b])));
    }
    Pair {
        exact: exact(&ra, &rb),
        overlap: overlap(&ra, &rb),
        per_tag,
        kappa: kappa_of_codes(&la, &lb, codes.names.len()),
    }
}

/// Krippendorff's alpha over all annotators and documents (code points as units).
#[must_use]
pub fn alpha(docs: &[Document<'_>]) -> Option<f64> {
    let mut codes = Codes::default();
    let mut units: Vec<u32> = Vec::new();
    let m = docs.first().map_or(0, |d| d.annotators.len());
    for doc in docs {
        let per: Vec<Vec<u32>> = doc
            .annotators
            .iter()
            .map(|s| codes.all(&labels(doc.text, s)))
            .collect();
        let n = per.iter().map(Vec::len).min().unwrap_or(0);
        for i in 0..n {
            units.extend(per.iter().map(|l| l[i]));
        }
    }
    if m == 0 {
        return None;
    }
    alpha_of_codes(units.chunks(m), codes.names.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(list: &[(usize, usize, &str)]) -> Spans {
        list.iter()
            .map(|(a, b, t)| (*a, *b, (*t).to_owned()))
            .collect()
    }

    #[test]
    fn exact_and_overlap_scores_count_as_defined() {
        let text = "قال محمد بن سلمان في القاهرة";
        let a = s(&[(4, 8, "PER"), (4, 17, "PER"), (21, 28, "LOC")]);
        let b = s(&[
            (4, 8, "PER"),
            (8, 17, "PER"),
            (21, 28, "GPE"),
            (0, 3, "MISC"),
        ]);
        let docs = [Document {
            text,
            annotators: vec![a, b],
        }];
        let p = pair(&docs, 0, 1);
        assert_eq!(
            (p.exact.tp, p.exact.fp, p.exact.fn_),
            (Some(1), Some(3), Some(2))
        );
        assert!((p.exact.f1 - 2.0 / 7.0).abs() < 1e-12);
        // B's spans overlapping a same-tag span of A: (4,8) and (8,17) → 2 of 4; A's overlapped: (4,8), (4,17) → 2 of 3.
        assert!((p.overlap.precision - 0.5).abs() < 1e-12);
        assert!((p.overlap.recall - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(p.per_tag["LOC"].exact.recall, 0.0);
        assert_eq!(p.per_tag["PER"].exact.tp, Some(1));
    }

    #[test]
    fn code_points_take_the_outermost_tag_and_white_space_is_left_out() {
        let text = "ab cd";
        let spans = s(&[(0, 2, "X"), (0, 5, "Y"), (3, 4, "Z")]);
        assert_eq!(labels(text, &spans), vec!["Y", "Y", "Y", "Y"]);
        let spans = s(&[(0, 1, "B"), (0, 1, "A"), (3, 5, "Z")]);
        assert_eq!(labels(text, &spans), vec!["A", "O", "Z", "Z"]);
    }

    #[test]
    fn cohen_kappa_matches_the_textbook_example() {
        // 50 items: both yes 20, A yes B no 5, A no B yes 10, both no 15 → kappa 0.4 (Cohen's kappa, Wikipedia).
        let mut a = Vec::new();
        let mut b = Vec::new();
        for (x, y, n) in [
            ("yes", "yes", 20),
            ("yes", "no", 5),
            ("no", "yes", 10),
            ("no", "no", 15),
        ] {
            for _ in 0..n {
                a.push(x);
                b.push(y);
            }
        }
        assert!((cohen_kappa(&a, &b).unwrap() - 0.4).abs() < 1e-12);
        assert_eq!(
            cohen_kappa(&["O", "O"], &["O", "O"]),
            None,
            "undefined with one label"
        );
    }

    #[test]
    fn krippendorff_alpha_matches_a_hand_computation() {
        // Two coders, ten units, nominal, no missing values: alpha = 1 - (n-1)·Σ_{c≠k} o_ck / Σ_{c≠k} n_c·n_k.
        let a = ["a", "a", "b", "b", "d", "c", "c", "c", "e", "d"];
        let b = ["b", "a", "b", "b", "b", "c", "c", "c", "e", "d"];
        let units: Vec<Vec<&str>> = a.iter().zip(&b).map(|(x, y)| vec![*x, *y]).collect();
        // 20 values: a 3, b 6, c 6, d 3, e 2; the 2 disagreeing units give 4 off-diagonal coincidences.
        // Σ_{c≠k} n_c·n_k = 20² − (9 + 36 + 36 + 9 + 4) = 306, so alpha = 1 − 19·4/306.
        let want = 1.0 - 19.0 * 4.0 / 306.0;
        assert!((krippendorff_alpha(&units).unwrap() - want).abs() < 1e-12);
        // For two coders, alpha is close to kappa but not equal.
        let k = cohen_kappa(&a, &b).unwrap();
        assert!((k - want).abs() < 0.05);
    }

    #[test]
    fn a_hundred_documents_of_a_thousand_annotations_are_scored() {
        let text: String = "كلمة ".repeat(4000);
        let make = |shift: usize| -> Spans {
            (0..1000)
                .map(|i| {
                    (
                        i * 20 + shift % 2,
                        i * 20 + 4,
                        ["PER", "LOC"][i % 2].to_owned(),
                    )
                })
                .collect()
        };
        let docs: Vec<Document<'_>> = (0..100)
            .map(|d| Document {
                text: &text,
                annotators: vec![make(0), make(d)],
            })
            .collect();
        let p = pair(&docs, 0, 1);
        assert!(p.exact.f1 > 0.0 && p.kappa.is_some());
        assert!(alpha(&docs).is_some());
    }
}
