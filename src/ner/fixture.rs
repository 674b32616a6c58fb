//! Model folders written at test and benchmark time, in a hub's file layout (`config.json`, `tokenizer.json`,
//! `model.safetensors`): no model can be downloaded where Warraq is tested. A model has BERT's architecture with
//! either random weights (for timing and for running end to end) or weights chosen so that every occurrence of a
//! word piece gets the label it was given (for checking the plumbing exactly).

use std::collections::HashMap;
use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use candle_transformers::models::bert::{BertModel, Config, HiddenAct};

/// How the weights are chosen.
#[derive(Debug, Clone)]
pub enum Weights {
    /// Drawn from a generator started at this seed, so that a model, and what it finds, is the same every run:
    /// embeddings uniform with unit variance, matrices uniform in ±1/√(inputs), layer norms 1, biases 0.
    Random(u64),
    /// Each listed piece gets the label of that index (with probability about 0.84); every other piece label 0.
    ByPiece(HashMap<String, usize>),
}

/// A model to write.
#[derive(Debug, Clone)]
pub struct Spec {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub intermediate: usize,
    pub max_positions: usize,
    /// `id2label`, in id order ("O", "B-PERS", …).
    pub labels: Vec<String>,
    /// Word pieces besides the special tokens (continuations start with `##`).
    pub vocab: Vec<String>,
    /// Whether the tokenizer drops harakat (and other combining marks), as many Arabic BERTs' do.
    pub strip_accents: bool,
    pub weights: Weights,
}

/// The files a model folder is written as.
const FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];

const SPECIAL: [&str; 5] = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

impl Spec {
    /// A small model (hidden size 16, 2 layers) with these labels and pieces.
    #[must_use]
    pub fn tiny(labels: &[&str], vocab: Vec<String>, weights: Weights) -> Spec {
        Spec {
            hidden: 16,
            layers: 2,
            heads: 2,
            intermediate: 32,
            max_positions: 64,
            labels: labels.iter().map(|l| (*l).to_owned()).collect(),
            vocab,
            strip_accents: true,
            weights,
        }
    }

    /// A model the size of BERT-base (hidden 768, 12 layers, 12 heads, 3072, 512 positions), random weights.
    #[must_use]
    pub fn bert_base(labels: &[&str], vocab: Vec<String>) -> Spec {
        Spec {
            hidden: 768,
            layers: 12,
            heads: 12,
            intermediate: 3072,
            max_positions: 512,
            labels: labels.iter().map(|l| (*l).to_owned()).collect(),
            vocab,
            strip_accents: true,
            weights: Weights::Random(1),
        }
    }
}

/// Pieces enough to tokenize `text`: each of its words whole, and every letter alone and as a continuation.
#[must_use]
pub fn vocab_for(text: &str) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    let mut add = |s: String| {
        if seen.insert(s.clone()) {
            out.push(s);
        }
    };
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        add(c.to_string());
        add(format!("##{c}"));
    }
    for w in
        text.split(|c: char| c.is_whitespace() || c.is_ascii_punctuation() || "،؛؟".contains(c))
    {
        if !w.is_empty() {
            add(w.to_owned());
        }
    }
    out
}

/// Writes the model into `dir` (which must exist); a folder that already holds one of its files is refused, so a
/// real model is never written over.
pub fn write(dir: &Path, spec: &Spec) -> Result<(), String> {
    for name in FILES {
        if dir.join(name).exists() {
            return Err(format!(
                "{}: exists; a model folder is never written over",
                dir.join(name).display()
            ));
        }
    }
    let vocab: Vec<&str> = SPECIAL
        .iter()
        .copied()
        .chain(spec.vocab.iter().map(String::as_str))
        .collect();
    let config = Config {
        vocab_size: vocab.len(),
        hidden_size: spec.hidden,
        num_hidden_layers: spec.layers,
        num_attention_heads: spec.heads,
        intermediate_size: spec.intermediate,
        hidden_act: HiddenAct::Gelu,
        max_position_embeddings: spec.max_positions,
        ..Config::default()
    };
    let id2label: serde_json::Map<String, serde_json::Value> = spec
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| (i.to_string(), serde_json::Value::from(l.as_str())))
        .collect();
    let config_json = serde_json::json!({
        "architectures": ["BertForTokenClassification"],
        "model_type": "bert",
        "vocab_size": config.vocab_size,
        "hidden_size": config.hidden_size,
        "num_hidden_layers": config.num_hidden_layers,
        "num_attention_heads": config.num_attention_heads,
        "intermediate_size": config.intermediate_size,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": config.max_position_embeddings,
        "type_vocab_size": 2,
        "initializer_range": 0.02,
        "layer_norm_eps": 1e-12,
        "pad_token_id": 0,
        "classifier_dropout": null,
        "id2label": id2label,
    });
    // Through the store's writer for new files: all or nothing, and never over anything (checked above too).
    let write_file = |name: &str, bytes: &[u8]| {
        crate::store::write::write_new(&dir.join(name), bytes).map_err(|e| format!("{name}: {e}"))
    };
    let write_json = |name: &str, v: &serde_json::Value| {
        let text = serde_json::to_string_pretty(v).map_err(|e| e.to_string())?;
        write_file(name, text.as_bytes())
    };
    write_json("config.json", &config_json)?;

    let ids: serde_json::Map<String, serde_json::Value> = vocab
        .iter()
        .enumerate()
        .map(|(i, p)| ((*p).to_owned(), serde_json::Value::from(i)))
        .collect();
    let added: Vec<serde_json::Value> = SPECIAL
        .iter()
        .enumerate()
        .map(|(i, t)| {
            serde_json::json!({"id": i, "content": t, "single_word": false, "lstrip": false,
                "rstrip": false, "normalized": false, "special": true})
        })
        .collect();
    let special = |t: &str, id: usize| serde_json::json!({"id": t, "ids": [id], "tokens": [t]});
    // As the hub's files have it, truncation included (Warraq turns it off: it cuts its own windows).
    let tokenizer = serde_json::json!({
        "version": "1.0",
        "truncation": {"direction": "Right", "max_length": spec.max_positions, "strategy": "LongestFirst", "stride": 0},
        "padding": null,
        "added_tokens": added,
        "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
            "strip_accents": spec.strip_accents, "lowercase": false},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {"[CLS]": special("[CLS]", 2), "[SEP]": special("[SEP]", 3)}},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100, "vocab": ids},
    });
    write_json("tokenizer.json", &tokenizer)?;

    let fail = |e: candle_core::Error| format!("model.safetensors: {e}");
    let device = Device::Cpu;
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &device);
    BertModel::load(vb.pp("bert"), &config).map_err(fail)?;
    candle_nn::linear(spec.hidden, spec.labels.len(), vb.pp("classifier")).map_err(fail)?;
    if let Weights::Random(seed) = spec.weights {
        let mut state = seed;
        // splitmix64: a stream of well-mixed 64-bit values; the top 24 bits give a float in [0, 1).
        let mut uniform = move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 40) as f32 / (1u64 << 24) as f32
        };
        let data = varmap.data().lock().map_err(|e| e.to_string())?;
        let mut names: Vec<&String> = data.keys().collect();
        names.sort();
        for name in names {
            let var = &data[name];
            let shape = var.shape().clone();
            let dims = shape.dims();
            let value = if name.ends_with("LayerNorm.weight") {
                Tensor::ones(shape, DType::F32, &device)
            } else if dims.len() < 2 {
                Tensor::zeros(shape, DType::F32, &device)
            } else {
                let bound = if name.contains("embeddings") {
                    3f32.sqrt()
                } else {
                    1.0 / (dims[1] as f32).sqrt()
                };
                let values: Vec<f32> = (0..shape.elem_count())
                    .map(|_| (uniform() * 2.0 - 1.0) * bound)
                    .collect();
                Tensor::from_vec(values, shape, &device)
            }
            .map_err(fail)?;
            var.set(&value).map_err(fail)?;
        }
    }
    if let Weights::ByPiece(chosen) = &spec.weights {
        if spec.labels.len() > spec.hidden {
            return Err("more labels than the hidden size".to_owned());
        }
        let (h, c, v) = (spec.hidden, spec.labels.len(), vocab.len());
        let data = varmap.data().lock().map_err(|e| e.to_string())?;
        for (name, var) in data.iter() {
            let shape = var.shape().clone();
            let value = if name.ends_with("word_embeddings.weight") {
                let mut w = vec![0f32; v * h];
                for (id, piece) in vocab.iter().enumerate() {
                    let label = chosen.get(*piece).copied().unwrap_or(0);
                    w[id * h + label] = 10.0;
                }
                Tensor::from_vec(w, (v, h), &device)
            } else if name == "classifier.weight" {
                let mut w = vec![0f32; c * h];
                for k in 0..c {
                    w[k * h + k] = 1.0;
                }
                Tensor::from_vec(w, (c, h), &device)
            } else if name.ends_with("LayerNorm.weight") {
                Tensor::ones(shape, DType::F32, &device)
            } else {
                Tensor::zeros(shape, DType::F32, &device)
            }
            .map_err(fail)?;
            var.set(&value).map_err(fail)?;
        }
    }
    let bytes = {
        let data = varmap.data().lock().map_err(|e| e.to_string())?;
        let tensors: Vec<(&String, &Tensor)> =
            data.iter().map(|(k, v)| (k, v.as_tensor())).collect();
        safetensors::tensor::serialize(tensors, None)
            .map_err(|e| format!("model.safetensors: {e}"))?
    };
    write_file("model.safetensors", &bytes)
}
