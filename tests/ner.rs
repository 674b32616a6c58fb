//! The suggestion model: folders written here in a hub's layout (no model can be downloaded), loaded and run as
//! a user's model would be.

use std::collections::HashMap;
use std::path::Path;

use proptest::prelude::*;
use warraq::model::{AnnotationSet, Document, TagSet};
use warraq::ner::fixture::{self, Spec, Weights};
use warraq::ner::{Found, Model};

const LABELS: [&str; 5] = ["O", "B-PERS", "I-PERS", "B-LOC", "I-LOC"];

/// A model labelling these pieces (others "O"), over the pieces of `text`.
fn labelled(dir: &Path, text: &str, pieces: &[(&str, &str)]) -> Model {
    let mut vocab = fixture::vocab_for(text);
    for (p, _) in pieces {
        vocab.push((*p).to_owned());
    }
    let chosen: HashMap<String, usize> = pieces
        .iter()
        .map(|(p, l)| ((*p).to_owned(), LABELS.iter().position(|x| x == l).unwrap()))
        .collect();
    fixture::write(dir, &Spec::tiny(&LABELS, vocab, Weights::ByPiece(chosen))).unwrap();
    Model::load(dir).unwrap()
}

fn run(model: &Model, doc: &Document) -> (Vec<Found>, Vec<(usize, usize)>) {
    let mut found = Vec::new();
    let mut progress = Vec::new();
    model
        .run(doc, |done, total, f| {
            progress.push((done, total));
            found.extend(f);
            true
        })
        .unwrap();
    (found, progress)
}

fn text_of(doc: &Document, f: &Found) -> String {
    doc.text()
        .chars()
        .skip(f.start)
        .take(f.end - f.start)
        .collect()
}

#[test]
fn word_pieces_map_to_code_points_with_clitics_and_harakat() {
    let dir = tempfile::tempdir().unwrap();
    // وروسيا is not in the vocabulary: it is cut into و and ##روسيا, and only the second is a place. The
    // tokenizer drops harakat (as many Arabic BERTs' do), so محمدٌ and رُوسيا are read as محمد and روسيا.
    let text = "زار محمدٌ علي وروسيا، ثم رُوسيا مرة.";
    let mut vocab_text = text.replace("وروسيا", "");
    vocab_text = vocab_text.replace(['ٌ', 'ُ'], "");
    let model = labelled(
        dir.path(),
        &vocab_text,
        &[
            ("محمد", "B-PERS"),
            ("علي", "I-PERS"),
            ("و", "O"),
            ("##روسيا", "B-LOC"),
            ("روسيا", "B-LOC"),
        ],
    );
    assert_eq!(model.kinds(), ["PERS", "LOC"]);
    let doc = Document::new(text.to_owned());
    let (found, _) = run(&model, &doc);
    let got: Vec<(String, &str)> = found
        .iter()
        .map(|f| (text_of(&doc, f), f.kind.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("محمدٌ علي".to_owned(), "PERS"),
            ("روسيا".to_owned(), "LOC"),
            ("رُوسيا".to_owned(), "LOC"),
        ],
        "{found:?}"
    );
    // Code points: the clitic و stays outside.
    let clitic = text.chars().position(|c| c == 'و').unwrap();
    assert_eq!(found[1].start, clitic + 1);
    // Every piece here was labelled by the weights with the same probability.
    let p = found[0].score;
    assert!(p > 0.9 && p < 1.0, "{p}");
    assert!(found.iter().all(|f| (f.score - p).abs() < 1e-5));
}

#[test]
fn windows_that_overlap_find_what_one_window_finds() {
    let dir = tempfile::tempdir().unwrap();
    let sentence = "قال محمد علي ان روسيا بعيدة عن مصر جدا ";
    let text = format!("{}\n\nروسيا", sentence.repeat(12));
    let mut model = labelled(
        dir.path(),
        &text,
        &[
            ("محمد", "B-PERS"),
            ("علي", "I-PERS"),
            ("روسيا", "B-LOC"),
            ("مصر", "B-LOC"),
        ],
    );
    let doc = Document::new(text.clone());
    let (whole, one) = run(&model, &doc);
    // The paragraph is 108 pieces, the model 62: two windows, then one for the last paragraph.
    assert_eq!(model.window(), 62);
    assert_eq!(one, [(1, 3), (2, 3), (3, 3)]);
    model.set_window(8);
    let (windowed, progress) = run(&model, &doc);
    assert_eq!(windowed, whole);
    assert_eq!(whole.len(), 12 * 3 + 1);
    assert_eq!(progress.last(), Some(&(progress[0].1, progress[0].1)));
    assert!(progress[0].1 > 15, "{progress:?}");
    assert!(progress.windows(2).all(|p| p[0].0 < p[1].0));
}

#[test]
fn a_run_stops_when_told() {
    let dir = tempfile::tempdir().unwrap();
    let text = "روسيا\n\nروسيا\n\nروسيا";
    let model = labelled(dir.path(), text, &[("روسيا", "B-LOC")]);
    let mut calls = 0;
    model
        .run(&Document::new(text.to_owned()), |_, _, _| {
            calls += 1;
            false
        })
        .unwrap();
    assert_eq!(calls, 1);
}

#[test]
fn a_random_model_runs_over_the_sample_and_its_suggestions_are_in_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let text = warraq::workspace::SAMPLE_TEXT.to_owned();
    let vocab = fixture::vocab_for(&text[..text.len().min(4000)]);
    fixture::write(dir.path(), &Spec::tiny(&LABELS, vocab, Weights::Random(7))).unwrap();
    let model = Model::load(dir.path()).unwrap();
    let doc = Document::new(text);
    let (found, progress) = run(&model, &doc);
    assert!(!progress.is_empty());
    for f in &found {
        assert!(f.start < f.end && f.end <= doc.char_count(), "{f:?}");
        assert!(f.score > 0.0 && f.score <= 1.0);
        assert!(f.kind == "PERS" || f.kind == "LOC");
    }
    // Suggestions: mapped tags, nothing over an annotation.
    let tags = TagSet::default();
    let map = warraq::ner::default_map(&model.kinds(), &tags);
    let set = AnnotationSet::new(Vec::new(), Vec::new(), tags);
    let s = warraq::ner::suggestions(found.clone(), &doc, &set, &map, 0.0);
    assert_eq!(s.len(), found.len());
    assert!(s.iter().all(|a| {
        (a.tag == "PER" || a.tag == "LOC")
            && a.suggested
                .is_some_and(|x| x.source == warraq::model::annotations::Source::Model)
    }));
}

#[test]
fn a_folder_that_is_not_a_usable_model_is_said_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let err = |d: &Path| Model::load(d).err().expect("an error");
    assert!(err(dir.path()).contains("config.json"));
    let good = tempfile::tempdir().unwrap();
    fixture::write(
        good.path(),
        &Spec::tiny(&LABELS, fixture::vocab_for("روسيا"), Weights::Random(7)),
    )
    .unwrap();
    // No labels: not a token-classification model.
    let config = std::fs::read_to_string(good.path().join("config.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&config).unwrap();
    v.as_object_mut().unwrap().remove("id2label");
    std::fs::write(good.path().join("config.json"), v.to_string()).unwrap();
    assert!(
        err(good.path()).contains("id2label"),
        "{}",
        err(good.path())
    );
    std::fs::write(good.path().join("config.json"), &config).unwrap();
    // ONNX weights only.
    std::fs::rename(
        good.path().join("model.safetensors"),
        good.path().join("model.onnx"),
    )
    .unwrap();
    assert!(err(good.path()).contains("ONNX"));
    std::fs::rename(
        good.path().join("model.onnx"),
        good.path().join("model.safetensors"),
    )
    .unwrap();
    // Another architecture.
    let other = config.replace("\"model_type\": \"bert\"", "\"model_type\": \"gpt2\"");
    std::fs::write(good.path().join("config.json"), other).unwrap();
    assert!(err(good.path()).contains("gpt2"));
    std::fs::write(good.path().join("config.json"), &config).unwrap();
    // Weights of another shape.
    let small = tempfile::tempdir().unwrap();
    let mut spec = Spec::tiny(&LABELS, fixture::vocab_for("روسيا"), Weights::Random(7));
    spec.hidden = 8;
    fixture::write(small.path(), &spec).unwrap();
    std::fs::copy(
        small.path().join("model.safetensors"),
        good.path().join("model.safetensors"),
    )
    .unwrap();
    assert!(err(good.path()).contains("model.safetensors"));
    // pytorch_model.bin in PyTorch's format from before 1.6 (a pickle, not a zip archive), and one that is empty.
    std::fs::remove_file(good.path().join("model.safetensors")).unwrap();
    let pth = good.path().join("pytorch_model.bin");
    std::fs::write(
        &pth,
        b"\x80\x02\x8a\x0alZ\xfc\x9cF\xf9 j\xa8P\x19.\x80\x02M\xe9\x03.",
    )
    .unwrap();
    let e = err(good.path());
    assert!(
        e.contains("pytorch_model.bin") && e.contains("before 1.6"),
        "{e}"
    );
    std::fs::write(&pth, b"").unwrap();
    assert!(err(good.path()).contains("pytorch_model.bin"));
    // A Git LFS pointer where the weights should be (a clone without git lfs).
    std::fs::write(
        &pth,
        "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 438000000\n",
    )
    .unwrap();
    let e = err(good.path());
    assert!(
        e.contains("pytorch_model.bin") && e.contains("git lfs pull"),
        "{e}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any bytes as one of the model's files give a model or an error naming the file; never a panic.
    #[test]
    fn any_bytes_in_a_model_file_load_or_are_refused(which in 0..3usize, bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let dir = tempfile::tempdir().unwrap();
        fixture::write(dir.path(), &Spec::tiny(&LABELS, fixture::vocab_for("روسيا"), Weights::Random(7))).unwrap();
        let name = ["config.json", "tokenizer.json", "model.safetensors"][which];
        std::fs::write(dir.path().join(name), &bytes).unwrap();
        if let Err(e) = Model::load(dir.path()) {
            prop_assert!(e.contains(name), "{e}");
        }
    }
}

#[test]
fn a_model_folder_is_never_written_over() {
    let dir = tempfile::tempdir().unwrap();
    let spec = Spec::tiny(&LABELS, fixture::vocab_for("روسيا"), Weights::Random(7));
    fixture::write(dir.path(), &spec).unwrap();
    let before = std::fs::read(dir.path().join("model.safetensors")).unwrap();
    let err = fixture::write(dir.path(), &spec).unwrap_err();
    assert!(
        err.contains("config.json") && err.contains("never written over"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("model.safetensors")).unwrap(),
        before
    );
}

#[test]
fn a_config_without_the_settings_running_does_not_need_still_loads() {
    let dir = tempfile::tempdir().unwrap();
    let spec = Spec::tiny(&LABELS, fixture::vocab_for("روسيا"), Weights::Random(7));
    fixture::write(dir.path(), &spec).unwrap();
    let path = dir.path().join("config.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    for key in [
        "hidden_dropout_prob",
        "initializer_range",
        "layer_norm_eps",
        "pad_token_id",
        "type_vocab_size",
    ] {
        v.as_object_mut().unwrap().remove(key);
    }
    std::fs::write(&path, v.to_string()).unwrap();
    assert_eq!(Model::load(dir.path()).unwrap().kinds(), ["PERS", "LOC"]);
}
