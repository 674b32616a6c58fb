//! The model itself: a hub's BERT token-classification folder loaded with candle and Hugging Face's tokenizers,
//! run over a document's paragraphs in windows (see the module above for what is mapped how).

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::{Linear, Module, VarBuilder};
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::Tokenizer;

use super::{Found, Label, decode, labels_of, windows};
use crate::model::Document;
use crate::model::search::{CLITICS, fold};

/// Largest `config.json` read.
const MAX_CONFIG: u64 = 4 << 20;
/// Largest `tokenizer.json` read.
const MAX_TOKENIZER: u64 = 256 << 20;
/// Longest window the model is given (BERT's positions), special tokens included.
const MAX_WINDOW: usize = 512;

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
    /// Whether an entity may begin at the piece: it begins a word, or what comes before it in its word is a
    /// clitic prefix (و، ب، ال، وال …).
    may_start: Vec<bool>,
}

/// A candle error as one line: without the backtrace candle adds when `RUST_BACKTRACE` is set.
/// Whether the file at `path` begins with `head` (a shorter file does not).
fn file_starts_with(path: &Path, head: &[u8]) -> Result<bool, String> {
    let mut start = Vec::with_capacity(head.len());
    std::fs::File::open(path)
        .and_then(|f| {
            std::io::Read::read_to_end(&mut std::io::Read::take(f, head.len() as u64), &mut start)
        })
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(start == head)
}

fn said(e: &candle_core::Error) -> String {
    let text = e.to_string();
    text.lines().next().unwrap_or_default().trim().to_owned()
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
        // Settings that play no part in running the model, or have BERT's usual value, may be left out.
        let mut config = config;
        if let Some(fields) = config.as_object_mut() {
            for (key, value) in [
                ("hidden_act", serde_json::json!("gelu")),
                ("hidden_dropout_prob", serde_json::json!(0.1)),
                ("initializer_range", serde_json::json!(0.02)),
                ("layer_norm_eps", serde_json::json!(1e-12)),
                ("max_position_embeddings", serde_json::json!(512)),
                ("pad_token_id", serde_json::json!(0)),
                ("type_vocab_size", serde_json::json!(2)),
            ] {
                fields.entry(key).or_insert(value);
            }
        }
        let bert_config: Config = serde_json::from_value(config)
            .map_err(|e| format!("{}: {e}", config_path.display()))?;
        if bert_config.hidden_size == 0
            || bert_config.num_attention_heads == 0
            || !bert_config
                .hidden_size
                .is_multiple_of(bert_config.num_attention_heads)
            || bert_config.max_position_embeddings < 4
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
        let pieces = tokenizer.get_vocab_size(true);
        if pieces > bert_config.vocab_size {
            return Err(format!(
                "{}: {pieces} word pieces, but the model has {} (vocab_size in config.json): they do not belong together",
                tokenizer_path.display(),
                bert_config.vocab_size
            ));
        }
        if cls as usize >= bert_config.vocab_size || sep as usize >= bert_config.vocab_size {
            return Err(format!(
                "{}: its special tokens are outside the model's vocabulary",
                tokenizer_path.display()
            ));
        }

        let device = Device::Cpu;
        let safetensors = folder.join("model.safetensors");
        let pth = folder.join("pytorch_model.bin");
        for weights in [&safetensors, &pth] {
            if weights.is_file() && file_starts_with(weights, b"version https://git-lfs")? {
                return Err(format!(
                    "{}: a Git LFS pointer, not the weights: fetch them first (git lfs pull in the model's folder)",
                    weights.display()
                ));
            }
        }
        let (vb, weights) = if safetensors.is_file() {
            let bytes = std::fs::read(&safetensors)
                .map_err(|e| format!("{}: {e}", safetensors.display()))?;
            (
                VarBuilder::from_buffered_safetensors(bytes, DType::F32, &device)
                    .map_err(|e| format!("{}: {}", safetensors.display(), said(&e)))?,
                safetensors,
            )
        } else if pth.is_file() {
            // PyTorch has saved zip archives since 1.6; the older pickle-only format is not read.
            if !file_starts_with(&pth, b"PK\x03\x04")? {
                return Err(format!(
                    "{}: not a zip archive: weights saved by PyTorch before 1.6 (or not by PyTorch) are not read; save them again with a recent PyTorch, or as model.safetensors",
                    pth.display()
                ));
            }
            (
                VarBuilder::from_pth(&pth, DType::F32, &device)
                    .map_err(|e| format!("{}: {}", pth.display(), said(&e)))?,
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
            .map_err(|e| format!("{}: {}", weights.display(), said(&e)))?;
        // The classifier sits beside "bert", not under it.
        let classifier = candle_nn::linear(
            bert_config.hidden_size,
            labels.len(),
            vb.root().pp("classifier"),
        )
        .map_err(|e| format!("{}: {}", weights.display(), said(&e)))?;
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
        self.window = pieces.max(8).min(self.window);
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
            let offsets = enc.get_offsets();
            let words = enc.get_word_ids();
            let mut may_start = Vec::with_capacity(words.len());
            let mut word_start = 0;
            for (i, w) in words.iter().enumerate() {
                if i == 0 || w.is_none() || words[i - 1] != *w {
                    word_start = offsets[i].0;
                    may_start.push(true);
                } else {
                    let before: String = chars
                        .get(word_start..offsets[i].0)
                        .unwrap_or_default()
                        .iter()
                        .collect();
                    may_start.push(CLITICS.contains(&fold(&before, false).as_str()));
                }
            }
            out.push(Pieces {
                ids: enc.get_ids().to_vec(),
                spans: offsets
                    .iter()
                    .map(|&(s, e)| (base + s, base + with_marks(e)))
                    .collect(),
                words: words.to_vec(),
                may_start,
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
        let probs = run().map_err(|e| format!("running the model: {}", said(&e)))?;
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

    /// Runs the model over `doc`. After each window, `done(windows done, windows in all, the entities it
    /// completed)` is called (an entity running into the next window comes with that one); when it returns false
    /// the run stops (the document was closed, or the user stopped it).
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
            let n = p.ids.len();
            let mut labels = vec![(0, 0.0); n];
            // The entities of the pieces before `from` have been handed over.
            let mut from = 0;
            for w in windows(n, self.window) {
                let out = self.classify(&p.ids[w.start..w.end])?;
                labels[w.own.clone()]
                    .copy_from_slice(&out[w.own.start - w.start..w.own.end - w.start]);
                finished += 1;
                let upto = w.own.end;
                let mut found = decode(
                    &self.labels,
                    &labels[from..upto],
                    &p.spans[from..upto],
                    &p.words[from..upto],
                    &p.may_start[from..upto],
                );
                // An entity reaching the last labelled piece may go on in the next window: it is read again then.
                let open = found
                    .last()
                    .filter(|f| upto < n && f.end >= p.spans[upto - 1].1);
                from = match open {
                    Some(f) => {
                        let start = f.start;
                        found.pop();
                        (from..upto)
                            .find(|&i| p.spans[i].0 == start)
                            .unwrap_or(upto)
                    }
                    None => upto,
                };
                if !done(finished, total, found) {
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}
