//! Suggestions from a token-classification model on disk, run on the CPU: a folder as people download it from a
//! model hub (`config.json` with its labels, `tokenizer.json`, weights as `model.safetensors` or
//! `pytorch_model.bin`) holding a BERT fine-tuned for named entities, such as CAMeLBERT-NER. The model runs with
//! candle (pure Rust, no Python, no network); its tokenizer is Hugging Face's own `tokenizers`.
//!
//! A document is tokenized a paragraph at a time with code-point offsets, and each paragraph runs through the
//! model in windows of at most the model's length that overlap by a quarter; each word piece takes its label from
//! the window where it is furthest from an edge. Labels (IOB2, IOB1 or BIOES) are read per word piece, so a clitic
//! piece the model leaves outside (the و of وروسيا) stays outside; an entity never ends inside a word. Its score
//! is the mean probability of its pieces' labels. No egui.

pub mod fixture;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::{Linear, Module, VarBuilder};
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::Tokenizer;

use crate::model::annotations::{Source, Suggested};
use crate::model::{Annotation, AnnotationSet, CharOffset, Document, Span, TagSet};

/// Largest `config.json` read.
const MAX_CONFIG: u64 = 4 << 20;
/// Largest `tokenizer.json` read.
const MAX_TOKENIZER: u64 = 256 << 20;
/// Longest window the model is given (BERT's positions), special tokens included.
const MAX_WINDOW: usize = 512;

/// What a label of the model says about a word piece.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label {
    Outside,
    /// The first piece of an entity of this type (`B-`, `S-`, or a bare type name).
    Begin(String),
    /// A later piece (`I-`, `E-`): continues an entity of the same type, or starts one after anything else.
    Inside(String),
}

impl Label {
    /// Reads a label as the model's `id2label` names it.
    #[must_use]
    pub fn parse(name: &str) -> Label {
        let name = name.trim();
        if name.is_empty() || name.eq_ignore_ascii_case("O") {
            return Label::Outside;
        }
        for (prefix, inside) in [
            ("B-", false),
            ("S-", false),
            ("U-", false),
            ("I-", true),
            ("E-", true),
            ("L-", true),
            ("B_", false),
            ("I_", true),
        ] {
            if let Some(kind) = name.strip_prefix(prefix) {
                return if inside {
                    Label::Inside(kind.to_owned())
                } else {
                    Label::Begin(kind.to_owned())
                };
            }
        }
        Label::Begin(name.to_owned())
    }

    fn kind(&self) -> Option<&str> {
        match self {
            Label::Outside => None,
            Label::Begin(k) | Label::Inside(k) => Some(k),
        }
    }
}

/// An entity the model found: code points into the document, end exclusive.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    /// The model's type name ("PERS").
    pub kind: String,
    /// Mean probability of its pieces' labels.
    pub score: f32,
}

/// A model loaded from its folder.
pub struct Model {
    bert: BertModel,
    classifier: Linear,
    tokenizer: Tokenizer,
    labels: Vec<Label>,
    /// Word pieces per window, special tokens excluded.
    window: usize,
    cls: u32,
    sep: u32,
    device: Device,
    /// The folder it was loaded from.
    pub folder: PathBuf,
}

/// A paragraph's word pieces: ids, code-point spans in the document, and the word each belongs to.
struct Pieces {
    ids: Vec<u32>,
    spans: Vec<(usize, usize)>,
    words: Vec<Option<u32>>,
}

/// Reads a whole file of at most `max` bytes.
fn read_capped(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if bytes.len() as u64 > max {
        return Err(format!(
            "{}: larger than {} MiB; not read",
            path.display(),
            max >> 20
        ));
    }
    Ok(bytes)
}

impl Model {
    /// Loads the model in `folder`; the error names the file and what is wrong with it.
    pub fn load(folder: &Path) -> Result<Model, String> {
        if !folder.is_dir() {
            return Err(format!("{}: not a folder", folder.display()));
        }
        let config_path = folder.join("config.json");
        let config: serde_json::Value =
            serde_json::from_slice(&read_capped(&config_path, MAX_CONFIG)?)
                .map_err(|e| format!("{}: {e}", config_path.display()))?;
        let labels = labels_of(&config).map_err(|e| format!("{}: {e}", config_path.display()))?;
        let model_type = config
            .get("model_type")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("bert");
        if model_type != "bert" {
            return Err(format!(
                "{}: model type {model_type:?} is not supported; BERT models (model_type \"bert\") are",
                config_path.display()
            ));
        }
        let bert_config: Config = serde_json::from_value(config.clone())
            .map_err(|e| format!("{}: {e}", config_path.display()))?;
        if bert_config.hidden_size == 0
            || bert_config.num_attention_heads == 0
            || bert_config.hidden_size % bert_config.num_attention_heads != 0
            || bert_config.max_position_embeddings < 3
        {
            return Err(format!(
                "{}: hidden_size, num_attention_heads or max_position_embeddings do not make a BERT",
                config_path.display()
            ));
        }

        let tokenizer_path = folder.join("tokenizer.json");
        let mut tokenizer = Tokenizer::from_bytes(read_capped(&tokenizer_path, MAX_TOKENIZER)?)
            .map_err(|e| format!("{}: {e}", tokenizer_path.display()))?;
        // The document is cut into windows here, not by the tokenizer.
        tokenizer
            .with_truncation(None)
            .map_err(|e| format!("{}: {e}", tokenizer_path.display()))?;
        tokenizer.with_padding(None);
        let special = |names: &[&str]| names.iter().find_map(|n| tokenizer.token_to_id(n));
        let (Some(cls), Some(sep)) = (special(&["[CLS]", "<s>"]), special(&["[SEP]", "</s>"]))
        else {
            return Err(format!(
                "{}: no [CLS] and [SEP] tokens",
                tokenizer_path.display()
            ));
        };
        if cls as usize >= bert_config.vocab_size || sep as usize >= bert_config.vocab_size {
            return Err(format!(
                "{}: its special tokens are outside the model's vocabulary",
                tokenizer_path.display()
            ));
        }

        let device = Device::Cpu;
        let safetensors = folder.join("model.safetensors");
        let pth = folder.join("pytorch_model.bin");
        let (vb, weights) = if safetensors.is_file() {
            let bytes = std::fs::read(&safetensors)
                .map_err(|e| format!("{}: {e}", safetensors.display()))?;
            (
                VarBuilder::from_buffered_safetensors(bytes, DType::F32, &device)
                    .map_err(|e| format!("{}: {e}", safetensors.display()))?,
                safetensors,
            )
        } else if pth.is_file() {
            (
                VarBuilder::from_pth(&pth, DType::F32, &device)
                    .map_err(|e| format!("{}: {e}", pth.display()))?,
                pth,
            )
        } else if folder.join("model.onnx").is_file() {
            return Err(format!(
                "{}: ONNX weights are not read; the model's model.safetensors or pytorch_model.bin (as the hub gives them) are",
                folder.display()
            ));
        } else {
            return Err(format!(
                "{}: no model.safetensors or pytorch_model.bin",
                folder.display()
            ));
        };
        let vb = if vb.contains_tensor("bert.embeddings.word_embeddings.weight") {
            vb.pp("bert")
        } else {
            vb
        };
        let bert = BertModel::load(vb.clone(), &bert_config)
            .map_err(|e| format!("{}: {e}", weights.display()))?;
        // The classifier sits beside "bert", not under it.
        let classifier = candle_nn::linear(
            bert_config.hidden_size,
            labels.len(),
            vb.root().pp("classifier"),
        )
        .map_err(|e| format!("{}: {e}", weights.display()))?;
        Ok(Model {
            bert,
            classifier,
            tokenizer,
            labels,
            window: bert_config.max_position_embeddings.min(MAX_WINDOW) - 2,
            cls,
            sep,
            device,
            folder: folder.to_owned(),
        })
    }

    /// The entity types the model's labels name, in label order ("PERS", "LOC", …).
    #[must_use]
    pub fn kinds(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for k in self.labels.iter().filter_map(Label::kind) {
            if !out.iter().any(|o| o == k) {
                out.push(k.to_owned());
            }
        }
        out
    }

    /// Word pieces per window (special tokens excluded).
    #[must_use]
    pub fn window(&self) -> usize {
        self.window
    }

    /// A shorter window (at least 8 pieces), to see the windows at work on short texts.
    pub fn set_window(&mut self, pieces: usize) {
        self.window = pieces.clamp(8, self.window);
    }

    /// Tokenizes every paragraph of `doc`.
    fn pieces(&self, doc: &Document) -> Result<Vec<Pieces>, String> {
        let mut out = Vec::new();
        for (i, para) in doc.paragraphs().iter().enumerate() {
            let text = doc.paragraph_text(i);
            if text.trim().is_empty() {
                continue;
            }
            let enc = self
                .tokenizer
                .encode_char_offsets(text, false)
                .map_err(|e| format!("tokenizing paragraph {}: {e}", i + 1))?;
            let base = para.char_start;
            // A tokenizer that drops harakat leaves them out of its pieces' offsets: a piece takes back the marks
            // that follow it.
            let chars: Vec<char> = text.chars().collect();
            let with_marks = |mut e: usize| {
                while e < chars.len() && unicode_normalization::char::is_combining_mark(chars[e]) {
                    e += 1;
                }
                e
            };
            out.push(Pieces {
                ids: enc.get_ids().to_vec(),
                spans: enc
                    .get_offsets()
                    .iter()
                    .map(|&(s, e)| (base + s, base + with_marks(e)))
                    .collect(),
                words: enc.get_word_ids().to_vec(),
            });
        }
        Ok(out)
    }

    /// Label ids and their probabilities for one window of word pieces.
    fn classify(&self, ids: &[u32]) -> Result<Vec<(usize, f32)>, String> {
        let mut input = Vec::with_capacity(ids.len() + 2);
        input.push(self.cls);
        input.extend_from_slice(ids);
        input.push(self.sep);
        let run = || -> candle_core::Result<Vec<Vec<f32>>> {
            let input = Tensor::new(input.as_slice(), &self.device)?.unsqueeze(0)?;
            let types = input.zeros_like()?;
            let hidden = self.bert.forward(&input, &types, None)?;
            let logits = self.classifier.forward(&hidden)?;
            candle_nn::ops::softmax_last_dim(&logits)?
                .squeeze(0)?
                .to_vec2::<f32>()
        };
        let probs = run().map_err(|e| format!("running the model: {e}"))?;
        Ok(probs[1..probs.len() - 1]
            .iter()
            .map(|row| {
                row.iter().enumerate().fold(
                    (0, f32::MIN),
                    |best, (i, &p)| {
                        if p > best.1 { (i, p) } else { best }
                    },
                )
            })
            .collect())
    }

    /// Runs the model over `doc`. After each paragraph, `done(windows done, windows in all, its entities)` is
    /// called; when it returns false the run stops (the document was closed, or the user stopped it).
    pub fn run(
        &self,
        doc: &Document,
        mut done: impl FnMut(usize, usize, Vec<Found>) -> bool,
    ) -> Result<(), String> {
        let paragraphs = self.pieces(doc)?;
        let total: usize = paragraphs
            .iter()
            .map(|p| windows(p.ids.len(), self.window).len())
            .sum();
        let mut finished = 0;
        for p in &paragraphs {
            let mut labels = vec![(0, 0.0); p.ids.len()];
            for w in windows(p.ids.len(), self.window) {
                let out = self.classify(&p.ids[w.start..w.end])?;
                labels[w.own.clone()]
                    .copy_from_slice(&out[w.own.start - w.start..w.own.end - w.start]);
                finished += 1;
            }
            let found = decode(&self.labels, &labels, &p.spans, &p.words);
            if !done(finished, total, found) {
                return Ok(());
            }
        }
        Ok(())
    }
}

/// One window over a paragraph's pieces: the pieces it is given, and those whose labels are taken from it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Window {
    start: usize,
    end: usize,
    own: std::ops::Range<usize>,
}

/// Windows of at most `size` pieces over `n`, overlapping by a quarter; each piece owned by exactly one window,
/// the one where it is furthest from an edge.
fn windows(n: usize, size: usize) -> Vec<Window> {
    let size = size.max(2);
    if n <= size {
        return vec![Window {
            start: 0,
            end: n,
            own: 0..n,
        }];
    }
    let overlap = size / 4;
    let step = size - overlap;
    let mut out: Vec<Window> = Vec::new();
    let mut start = 0;
    loop {
        let end = (start + size).min(n);
        let from = if start == 0 { 0 } else { start + overlap / 2 };
        let to = if end == n {
            n
        } else {
            end - (overlap - overlap / 2)
        };
        out.push(Window {
            start,
            end,
            own: from..to,
        });
        if end == n {
            break;
        }
        start += step;
    }
    out
}

/// Entities from labelled pieces: (label id, probability) per piece, with the pieces' code-point spans and words.
fn decode(
    labels: &[Label],
    tagged: &[(usize, f32)],
    spans: &[(usize, usize)],
    words: &[Option<u32>],
) -> Vec<Found> {
    /// The entity being read: its type, first and last piece, and its labelled pieces' probabilities.
    struct Open<'a> {
        kind: &'a str,
        first: usize,
        last: usize,
        sum: f32,
        n: u32,
    }
    let mut out = Vec::new();
    let mut open: Option<Open> = None;
    let close = |open: &mut Option<Open>, out: &mut Vec<Found>| {
        if let Some(o) = open.take() {
            let (start, end) = (spans[o.first].0, spans[o.last].1);
            if start < end {
                out.push(Found {
                    start,
                    end,
                    kind: o.kind.to_owned(),
                    score: o.sum / o.n.max(1) as f32,
                });
            }
        }
    };
    for (i, &(id, p)) in tagged.iter().enumerate() {
        let label = labels.get(id).unwrap_or(&Label::Outside);
        if let Some(o) = open.as_mut()
            && words[i].is_some()
            && words[i] == words[o.last]
        {
            // An entity never ends inside a word: the word's later pieces join it, whatever their labels (only
            // those labelled as the entity count in its score).
            o.last = i;
            if label.kind() == Some(o.kind) {
                o.sum += p;
                o.n += 1;
            }
            continue;
        }
        match label {
            Label::Outside => close(&mut open, &mut out),
            Label::Inside(k) if open.as_ref().is_some_and(|o| o.kind == k) => {
                if let Some(o) = open.as_mut() {
                    o.last = i;
                    o.sum += p;
                    o.n += 1;
                }
            }
            Label::Begin(k) | Label::Inside(k) => {
                close(&mut open, &mut out);
                open = Some(Open {
                    kind: k,
                    first: i,
                    last: i,
                    sum: p,
                    n: 1,
                });
            }
        }
    }
    close(&mut open, &mut out);
    out
}

/// The labels of a `config.json`: its `id2label`, ids 0..n.
fn labels_of(config: &serde_json::Value) -> Result<Vec<Label>, String> {
    let Some(map) = config
        .get("id2label")
        .and_then(serde_json::Value::as_object)
    else {
        return Err("no id2label: not a token-classification model".to_owned());
    };
    let mut by_id: BTreeMap<usize, String> = BTreeMap::new();
    for (k, v) in map {
        let id: usize = k
            .parse()
            .map_err(|_| format!("id2label: {k:?} is not a number"))?;
        let name = v
            .as_str()
            .ok_or_else(|| format!("id2label: label {k} is not a string"))?;
        by_id.insert(id, name.to_owned());
    }
    if by_id.is_empty() || by_id.keys().copied().ne(0..by_id.len()) {
        return Err("id2label: the ids are not 0, 1, 2, …".to_owned());
    }
    Ok(by_id.values().map(|n| Label::parse(n)).collect())
}

/// The suggestions `found` makes in `doc`: each entity of a type mapped to a tag and scoring at least `min_score`,
/// except where `set` already has an annotation overlapping it.
#[must_use]
pub fn suggestions(
    found: Vec<Found>,
    doc: &Document,
    set: &AnnotationSet,
    map: &LabelMap,
    min_score: f32,
) -> Vec<Annotation> {
    let time = crate::model::annotations::now();
    found
        .into_iter()
        .filter(|f| f.score >= min_score && f.end <= doc.char_count())
        .filter_map(|f| {
            let tag = tag_for(map, &f.kind)?;
            let span = Span::new(CharOffset(f.start), CharOffset(f.end));
            if set.overlapping(span).next().is_some() || set.is_rejected(f.start, f.end, tag) {
                return None;
            }
            Some(crate::model::annotations::suggestion(
                doc,
                span,
                tag,
                Suggested::new(Source::Model, f64::from(f.score)),
                &time,
            ))
        })
        .collect()
}

/// Which tag each of the model's entity types becomes (`None`: left out).
pub type LabelMap = Vec<(String, Option<String>)>;

/// The usual names of entity types in Arabic NER corpora, and the tag each usually is.
const ALIASES: &[(&str, &str)] = &[
    ("PERS", "PER"),
    ("PERSON", "PER"),
    ("LOCATION", "LOC"),
    ("GPE", "LOC"),
    ("ORGANIZATION", "ORG"),
    ("ORGANISATION", "ORG"),
    ("MISCELLANEOUS", "MISC"),
];

/// A first mapping of the model's types onto `tags`: the tag of the same name (case ignored), or of a usual
/// alias (PERS → PER, GPE ↔ LOC, ORGANIZATION → ORG); otherwise the type's own name, added as a tag when accepted.
#[must_use]
pub fn default_map(kinds: &[String], tags: &TagSet) -> LabelMap {
    let find = |name: &str| {
        tags.tags
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
            .map(|t| t.name.clone())
    };
    kinds
        .iter()
        .map(|k| {
            let upper = k.to_uppercase();
            let tag = find(k)
                .or_else(|| {
                    ALIASES
                        .iter()
                        .filter(|(from, to)| *from == upper || *to == upper)
                        .find_map(|(from, to)| find(if *from == upper { to } else { from }))
                })
                .unwrap_or_else(|| k.clone());
            (k.clone(), Some(tag))
        })
        .collect()
}

/// Reads `TYPE=TAG` (a tag) or `TYPE=` (left out) mappings given on the command line over a first mapping.
pub fn apply_map_args(map: &mut LabelMap, args: &[String]) -> Result<(), String> {
    for arg in args {
        let Some((kind, tag)) = arg.split_once('=') else {
            return Err(format!("--label {arg:?}: expected TYPE=TAG or TYPE="));
        };
        let Some(entry) = map.iter_mut().find(|(k, _)| k == kind.trim()) else {
            let known: Vec<&str> = map.iter().map(|(k, _)| k.as_str()).collect();
            return Err(format!(
                "--label {arg:?}: the model has no type {kind:?} (it has {})",
                known.join(", ")
            ));
        };
        let tag = tag.trim();
        entry.1 = (!tag.is_empty()).then(|| tag.to_owned());
    }
    Ok(())
}

/// The tag a type maps to.
#[must_use]
pub fn tag_for<'a>(map: &'a LabelMap, kind: &str) -> Option<&'a str> {
    map.iter()
        .find(|(k, _)| k == kind)
        .and_then(|(_, t)| t.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_every_usual_scheme() {
        assert_eq!(Label::parse("O"), Label::Outside);
        assert_eq!(Label::parse("B-PERS"), Label::Begin("PERS".into()));
        assert_eq!(Label::parse("I-LOC"), Label::Inside("LOC".into()));
        assert_eq!(Label::parse("S-ORG"), Label::Begin("ORG".into()));
        assert_eq!(Label::parse("E-ORG"), Label::Inside("ORG".into()));
        assert_eq!(Label::parse("MISC"), Label::Begin("MISC".into()));
    }

    #[test]
    fn windows_overlap_and_every_piece_has_one_owner() {
        for n in 0..200 {
            for size in [8, 9, 16, 510] {
                let ws = windows(n, size);
                let mut owned = vec![0; n];
                for w in &ws {
                    assert!(
                        w.end - w.start <= size && w.start <= w.own.start && w.own.end <= w.end
                    );
                    for o in &mut owned[w.own.clone()] {
                        *o += 1;
                    }
                }
                assert!(owned.iter().all(|&o| o == 1), "n {n} size {size}: {ws:?}");
                for pair in ws.windows(2) {
                    assert!(pair[1].start < pair[0].end, "windows overlap");
                }
            }
        }
    }

    #[test]
    fn pieces_decode_into_entities_that_end_at_a_word_s_end() {
        let labels: Vec<Label> = ["O", "B-PERS", "I-PERS", "B-LOC", "I-LOC"]
            .iter()
            .map(|l| Label::parse(l))
            .collect();
        // و|روسيا (one word: a clitic piece, then the name), then محمد علي, then يا|سر where only the first piece
        // is labelled.
        let spans = [(0, 1), (1, 6), (7, 11), (12, 15), (16, 18), (18, 20)];
        let words = [Some(0), Some(0), Some(1), Some(2), Some(3), Some(3)];
        let tagged = [(0, 0.9), (3, 0.8), (1, 0.6), (2, 1.0), (1, 0.5), (0, 0.7)];
        let found = decode(&labels, &tagged, &spans, &words);
        assert_eq!(
            found,
            vec![
                Found {
                    start: 1,
                    end: 6,
                    kind: "LOC".into(),
                    score: 0.8
                },
                Found {
                    start: 7,
                    end: 15,
                    kind: "PERS".into(),
                    score: 0.8
                },
                Found {
                    start: 16,
                    end: 20,
                    kind: "PERS".into(),
                    score: 0.5
                },
            ]
        );
    }

    #[test]
    fn types_map_onto_the_tag_set_by_name_and_usual_alias() {
        let tags = TagSet::default();
        let kinds: Vec<String> = ["PERS", "LOC", "ORG", "MISC", "DATE"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let mut map = default_map(&kinds, &tags);
        assert_eq!(tag_for(&map, "PERS"), Some("PER"));
        assert_eq!(tag_for(&map, "DATE"), Some("DATE"));
        apply_map_args(&mut map, &["MISC=".to_owned(), "LOC=GPE".to_owned()]).unwrap();
        assert_eq!(tag_for(&map, "MISC"), None);
        assert_eq!(tag_for(&map, "LOC"), Some("GPE"));
        assert!(apply_map_args(&mut map, &["NOPE=X".to_owned()]).is_err());
    }
}
