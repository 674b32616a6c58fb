//! Suggestions learned from the annotator's own work: a string matcher in the manner of INCEpTION's string
//! recommender. Every annotation teaches that its text (folded as the find bar folds it: harakat, letter variants
//! and case ignored) was given its tag, and every suggestion rejected one by one that it was not; a text's score
//! for a tag is how often it got that tag out of every annotation of that text and every rejection of that tag. The texts are then found in a document with the gazetteer's matching (whole words,
//! clitic prefixes left outside), and nothing is suggested where the document already has an annotation. No egui,
//! no I/O.

use std::collections::{BTreeMap, HashMap};

use super::annotations::{Source, Suggested};
use super::search::{SearchIndex, fold};
use super::{Annotation, AnnotationSet, CharOffset, Document, Marks, Span};

/// A learned suggestion: the annotation it proposes and its score (0..=1).
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub annotation: Annotation,
    pub score: f64,
}

/// What the annotations seen so far say about a text.
#[derive(Debug, Clone, Default)]
struct Seen {
    /// The text as first seen.
    text: String,
    /// Its annotations, per tag.
    tags: BTreeMap<String, u32>,
    /// Suggestions of it rejected, per tag.
    rejected: BTreeMap<String, u32>,
}

impl Seen {
    /// The score of `tag`: its annotations over all annotations of the text and the rejections of that tag.
    fn score(&self, tag: &str) -> f64 {
        let total: u32 = self.tags.values().sum();
        let n = self.tags.get(tag).copied().unwrap_or(0);
        let against = total + self.rejected.get(tag).copied().unwrap_or(0);
        f64::from(n) / f64::from(against.max(1))
    }
}

/// What the annotations seen so far say about each text.
#[derive(Debug, Clone, Default)]
pub struct StringModel {
    /// Folded text → what was seen of it.
    texts: HashMap<String, Seen>,
}

impl StringModel {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Learns from every annotation of a set (a discontinuous one by its pieces' text as a whole is skipped: its
    /// text is not one string in the document).
    pub fn learn_from(&mut self, set: &AnnotationSet) {
        for a in set.items().iter().filter(|a| a.fragments.is_empty()) {
            self.learn(&a.text, &a.tag);
        }
        for a in set.rejected() {
            self.reject(&a.text, &a.tag);
        }
    }

    /// Learns from a document's annotations in brief (their texts read from `doc`) and its rejections.
    pub fn learn_marks(&mut self, doc: &Document, marks: &Marks) {
        for (start, end, tag, whole) in marks.iter() {
            if whole && end <= doc.char_count() {
                self.learn(
                    &doc.slice(Span::new(CharOffset(start), CharOffset(end))),
                    tag,
                );
            }
        }
        for a in marks.rejected() {
            self.reject(&a.text, &a.tag);
        }
    }

    fn seen(&mut self, text: &str) -> Option<&mut Seen> {
        let text = text.trim();
        let key = fold(text, false);
        if key.trim().is_empty() {
            return None;
        }
        Some(self.texts.entry(key).or_insert_with(|| Seen {
            text: text.to_owned(),
            ..Seen::default()
        }))
    }

    /// Learns that `text` was tagged `tag`.
    pub fn learn(&mut self, text: &str, tag: &str) {
        if let Some(seen) = self.seen(text) {
            *seen.tags.entry(tag.to_owned()).or_default() += 1;
        }
    }

    /// Learns that a suggestion of `tag` for `text` was rejected: it counts against that tag's score.
    pub fn reject(&mut self, text: &str, tag: &str) {
        if let Some(seen) = self.seen(text) {
            *seen.rejected.entry(tag.to_owned()).or_default() += 1;
        }
    }

    /// How many texts were learned.
    #[must_use]
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// `text`'s score for `tag`: its annotations with that tag over all its annotations and the rejections of
    /// that tag's suggestions for it (0 when it was never annotated so).
    #[must_use]
    pub fn score(&self, text: &str, tag: &str) -> f64 {
        self.texts
            .get(&fold(text.trim(), false))
            .map_or(0.0, |seen| seen.score(tag))
    }

    /// Each learned text with its best-scoring tag (ties: the tag first in name order) and that score, best first;
    /// texts below `min_score` are left out.
    #[must_use]
    pub fn entries(&self, min_score: f64) -> Vec<(String, String, f64)> {
        let mut out: Vec<(String, String, f64)> = self
            .texts
            .values()
            .filter_map(|seen| {
                let (tag, score) = seen
                    .tags
                    .keys()
                    .map(|t| (t, seen.score(t)))
                    .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(a.0)))?;
                (score > 0.0 && score >= min_score).then(|| (seen.text.clone(), tag.clone(), score))
            })
            .collect();
        out.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// The suggestions for `doc`: every occurrence of a learned text whose score is at least `min_score`, matched as
    /// Tag All and the gazetteer match, except where `marks` has an annotation overlapping it or a rejection of
    /// it. In text order.
    #[must_use]
    pub fn suggest(
        &self,
        doc: &Document,
        index: &SearchIndex,
        marks: &Marks,
        min_score: f64,
    ) -> Vec<Scored> {
        let entries = self.entries(min_score);
        let names: Vec<(String, String)> = entries
            .iter()
            .map(|(text, tag, _)| (text.clone(), tag.clone()))
            .collect();
        let mut taken: Vec<(usize, usize)> = marks.iter().map(|(s, e, _, _)| (s, e)).collect();
        taken.sort_unstable();
        // The longest end among annotations starting at or before each one: an overlap test by binary search.
        let mut reach = Vec::with_capacity(taken.len());
        let mut furthest = 0;
        for &(_, e) in &taken {
            furthest = furthest.max(e);
            reach.push(furthest);
        }
        let overlaps = |s: usize, e: usize| {
            let k = taken.partition_point(|&(start, _)| start < e);
            k > 0 && reach[k - 1] > s
        };
        // Each match scored by the learned text that found it (its form in the text may fold otherwise).
        super::gazetteer::suggest_from(doc, index, &marks.tagged(), &names)
            .into_iter()
            .filter(|(a, _)| {
                !overlaps(a.start, a.end) && !marks.is_rejected(a.start, a.end, &a.tag)
            })
            .map(|(mut annotation, i)| {
                let score = entries[i].2;
                annotation.suggested = Some(Suggested::new(Source::Learned, score));
                Scored { annotation, score }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CharOffset, Span, TagSet};
    use std::sync::Arc;

    fn set_with(doc: &Document, spans: &[(&str, &str)]) -> AnnotationSet {
        let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
        for (word, tag) in spans {
            let byte = doc.text().find(word).unwrap();
            let start = doc.text()[..byte].chars().count();
            set.create(
                doc,
                Span::new(CharOffset(start), CharOffset(start + word.chars().count())),
                tag,
            );
        }
        set
    }

    #[test]
    fn scores_are_the_share_of_a_text_s_annotations_with_the_tag() {
        let mut m = StringModel::new();
        for _ in 0..3 {
            m.learn("روسيا", "GPE");
        }
        m.learn("رُوسيا", "ORG");
        assert!((m.score("روسيا", "GPE") - 0.75).abs() < 1e-12);
        assert!((m.score("روسيا", "ORG") - 0.25).abs() < 1e-12);
        assert_eq!(m.score("روسيا", "PER"), 0.0);
        assert_eq!(m.score("موسكو", "GPE"), 0.0);
        assert_eq!(
            m.entries(0.5),
            vec![("روسيا".to_owned(), "GPE".to_owned(), 0.75)]
        );
        assert!(m.entries(0.8).is_empty());
    }

    #[test]
    fn occurrences_are_suggested_with_clitics_outside_and_never_over_an_annotation() {
        let taught = Document::new("زار روسيا أمس".to_owned());
        let mut m = StringModel::new();
        m.learn_from(&set_with(&taught, &[("روسيا", "GPE")]));
        let doc = Arc::new(Document::new(
            "وروسيا كبيرة. في رُوسيا ثلج. روسيا الاتحادية".to_owned(),
        ));
        // The last one is already annotated (as part of a longer name): nothing is suggested there.
        let set = set_with(&doc, &[("روسيا الاتحادية", "GPE")]);
        let index = SearchIndex::new(doc.clone());
        let found = m.suggest(&doc, &index, &set.marks(), 0.5);
        let spans: Vec<&str> = found.iter().map(|s| s.annotation.text.as_str()).collect();
        assert_eq!(spans, ["روسيا", "رُوسيا"]);
        assert_eq!(found[0].annotation.start, 1, "the clitic و stays outside");
        assert!(
            found
                .iter()
                .all(|s| s.annotation.tag == "GPE" && s.score == 1.0)
        );
    }

    #[test]
    fn a_rejected_suggestion_lowers_its_text_s_score_and_is_not_proposed_again() {
        let doc = Arc::new(Document::new(
            "روسيا هنا. روسيا هناك. روسيا ثالثة".to_owned(),
        ));
        let mut set = set_with(&doc, &[("روسيا", "GPE")]);
        let index = SearchIndex::new(doc.clone());
        let learned = |set: &AnnotationSet| {
            let mut m = StringModel::new();
            m.learn_marks(&doc, &set.marks());
            m.suggest(&doc, &index, &set.marks(), 0.0)
        };
        let first = learned(&set);
        assert_eq!(first.len(), 2);
        assert!(first.iter().all(|s| s.score == 1.0));
        set.add_suggestions(first.into_iter().map(|s| s.annotation).collect());
        // Rejecting the second: one annotation against one rejection.
        set.reject_suggestions(Some(&[0]));
        assert_eq!(set.rejected().len(), 1);
        let after = learned(&set);
        assert_eq!(after.len(), 1, "the rejected one is not proposed again");
        assert!((after[0].score - 0.5).abs() < 1e-12);
        assert_eq!(after[0].annotation.suggested.map(|s| s.score), Some(0.5));
        // Undo takes the rejection back; Reject All only clears the list.
        set.undo();
        assert!(set.rejected().is_empty());
        assert_eq!(set.suggestions.len(), 2);
        set.reject_suggestions(None);
        assert!(set.rejected().is_empty() && set.suggestions.is_empty());
    }

    #[test]
    fn accepting_many_takes_one_tag_per_span_the_best_and_leaves_the_others_to_review() {
        let doc = Arc::new(Document::new("روسيا هنا. موسكو هناك".to_owned()));
        let at = |word: &str| {
            let byte = doc.text().find(word).unwrap();
            let start = doc.text()[..byte].chars().count();
            Span::new(CharOffset(start), CharOffset(start + word.chars().count()))
        };
        let offer = |word: &str, tag: &str, source: Source, score: f32| {
            crate::model::annotations::suggestion(
                &doc,
                at(word),
                tag,
                Suggested::new(source, f64::from(score)),
                "",
            )
        };
        let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
        set.add_suggestions(vec![
            offer("روسيا", "PER", Source::Learned, 0.6),
            offer("روسيا", "LOC", Source::Model, 0.9),
            offer("موسكو", "GPE", Source::Learned, 0.7),
            offer("موسكو", "LOC", Source::Model, 0.7),
        ]);
        let first_moscow = set
            .suggestions
            .iter()
            .find(|s| s.text == "موسكو")
            .map(|s| s.tag.clone())
            .unwrap();
        assert_eq!(set.accept_suggestions(&doc, None), 2);
        let made: Vec<(&str, &str)> = set
            .items()
            .iter()
            .map(|a| (a.text.as_str(), a.tag.as_str()))
            .collect();
        // روسيا: the model's 0.9 over the learner's 0.6; موسكو: equal scores, the first in the list.
        assert!(made.contains(&("روسيا", "LOC")), "{made:?}");
        assert!(made.contains(&("موسكو", first_moscow.as_str())), "{made:?}");
        assert_eq!(made.len(), 2);
        let left: Vec<(&str, &str)> = set
            .suggestions
            .iter()
            .map(|a| (a.text.as_str(), a.tag.as_str()))
            .collect();
        assert_eq!(left.len(), 2, "the others stay to review: {left:?}");
        assert!(left.contains(&("روسيا", "PER")));
        // Accepting all again passes over them: their spans are annotated now (the panel's figure leaves them out).
        assert_eq!(set.suggestions_on_annotations(), [true, true]);
        assert_eq!(set.accept_suggestions(&doc, None), 0);
        assert_eq!(set.items().len(), 2);
        assert_eq!(set.suggestions.len(), 2);
        // One undo step brings all four back as suggestions.
        set.undo();
        assert!(set.items().is_empty());
        assert_eq!(set.suggestions.len(), 4);
        // Accepting one by index takes that one, whatever else is proposed for its span.
        let per = set.suggestions.iter().position(|s| s.tag == "PER").unwrap();
        assert_eq!(set.accept_suggestions(&doc, Some(&[per])), 1);
        assert_eq!(set.items()[0].tag, "PER");
    }

    #[test]
    fn undo_and_redo_leave_the_suggestions_offered_since_alone() {
        let doc = Arc::new(Document::new("روسيا هنا. روسيا هناك. موسكو".to_owned()));
        let mut set = set_with(&doc, &[("روسيا", "GPE")]);
        let mut m = StringModel::new();
        m.learn_from(&set);
        let index = SearchIndex::new(doc.clone());
        let learned: Vec<Annotation> = m
            .suggest(&doc, &index, &set.marks(), 0.5)
            .into_iter()
            .map(|s| s.annotation)
            .collect();
        assert_eq!(learned.len(), 1);
        set.add_suggestions(learned);
        set.reject_suggestions(Some(&[0]));
        // A model's suggestion lands after the rejection, outside the undo history.
        let at = doc.text().chars().count() - 5;
        let moscow = crate::model::annotations::suggestion(
            &doc,
            Span::new(CharOffset(at), CharOffset(at + 5)),
            "LOC",
            Suggested::new(Source::Model, 0.9),
            "",
        );
        assert_eq!(set.offer_suggestions(vec![moscow.clone()], None), 1);
        set.undo();
        let texts: Vec<&str> = set.suggestions.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            ["روسيا", "موسكو"],
            "the rejected one back, the model's kept"
        );
        assert!(set.rejected().is_empty());
        set.redo();
        assert_eq!(set.suggestions, [moscow]);
        assert_eq!(set.rejected().len(), 1);
    }

    #[test]
    fn a_form_that_folds_otherwise_keeps_its_learned_text_s_score() {
        let mut m = StringModel::new();
        m.learn("الرئيس", "PER");
        m.learn("الرئيس", "PER");
        m.learn("الرئيس", "ORG");
        let doc = Arc::new(Document::new("قال للرئيس كلمة".to_owned()));
        let set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
        let found = m.suggest(&doc, &SearchIndex::new(doc.clone()), &set.marks(), 0.5);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            (found[0].score - 2.0 / 3.0).abs() < 1e-12,
            "{}",
            found[0].score
        );
    }
}
