//! Writes a small model folder in a model hub's layout (config.json, tokenizer.json, model.safetensors), to try
//! Tools ▸ Suggestion Model… and `warraq suggest --model` without downloading a model: a BERT of the right
//! architecture whose weights label each given word with its type, everywhere, and everything else "O".
//!
//!     cargo run --release --example test_model -- DIR TEXT_FILE روسيا=LOC واشنطن=LOC "أنتونوف=PERS"
//!
//! TEXT_FILE gives the vocabulary (its words, and every letter alone and as a continuation piece).

use std::collections::HashMap;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, text, words @ ..] = args.as_slice() else {
        eprintln!("usage: test_model DIR TEXT_FILE WORD=TYPE...");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(text).unwrap_or_else(|e| {
        eprintln!("{text}: {e}");
        std::process::exit(1);
    });
    let mut labels = vec!["O".to_owned()];
    let mut chosen = HashMap::new();
    let mut vocab = warraq::ner::fixture::vocab_for(&text);
    for w in words {
        let Some((word, kind)) = w.split_once('=') else {
            eprintln!("{w}: expected WORD=TYPE");
            std::process::exit(2);
        };
        let begin = format!("B-{kind}");
        if !labels.contains(&begin) {
            labels.push(begin.clone());
            labels.push(format!("I-{kind}"));
        }
        let id = labels.iter().position(|l| *l == begin).unwrap_or(0);
        chosen.insert(word.to_owned(), id);
        vocab.push(word.to_owned());
    }
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    let mut spec = warraq::ner::fixture::Spec::tiny(
        &labels,
        vocab,
        warraq::ner::fixture::Weights::ByPiece(chosen),
    );
    spec.hidden = spec.hidden.max(labels.len().next_power_of_two());
    if let Err(e) = std::fs::create_dir_all(dir)
        .map_err(|e| e.to_string())
        .and_then(|()| warraq::ner::fixture::write(std::path::Path::new(dir), &spec))
    {
        eprintln!("{dir}: {e}");
        std::process::exit(1);
    }
    println!("wrote {dir}: labels {}", labels.join(", "));
}
