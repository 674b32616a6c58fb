//! Arabic-aware search on a 10 MB document: building the folded index (and its size), queries, and a 10 000-name
//! gazetteer. Targets (docs/BENCHMARKS.md): index ≤ 1 s and ≤ 2 bytes per byte of text, a query ≤ 20 ms including
//! mapping back to offsets, gazetteer ≤ 2 s.

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use warraq::model::search::{SearchIndex, SearchOptions};
use warraq::model::{AnnotationSet, Document, TagSet, gazetteer};

fn names(n: usize) -> Vec<(String, String)> {
    let tokens: Vec<String> = common::sentences()
        .iter()
        .flat_map(|s| s.split(' ').map(str::to_owned).collect::<Vec<_>>())
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    // Words and word pairs of the corpus (they occur in the text), then pairs that do not (they only load the
    // automaton), up to n names.
    let n_tok = tokens.len();
    let candidates = tokens
        .windows(2)
        .flat_map(|w| [w[0].clone(), format!("{} {}", w[0], w[1])])
        .chain(
            (0..n_tok * 4)
                .map(|i| format!("{} {}", tokens[i % n_tok], tokens[(i * 7 + 3) % n_tok])),
        );
    for name in candidates {
        if name.chars().count() > 2 && seen.insert(name.clone()) {
            out.push((name, ["PER", "LOC", "ORG"][out.len() % 3].to_owned()));
        }
        if out.len() == n {
            break;
        }
    }
    out
}

fn search(c: &mut Criterion) {
    let text = common::arabic_text(10 * 1024 * 1024);
    let doc = std::sync::Arc::new(Document::new(text.clone()));
    let mut g = c.benchmark_group("search_10MB");
    g.sample_size(10);
    common::with_peak("search", "build_index", || {
        g.bench_function("build_index", |b| {
            b.iter(|| black_box(SearchIndex::new(doc.clone())))
        });
    });
    let index = SearchIndex::new(doc.clone());
    common::record(
        "search",
        "index_bytes_per_text_byte",
        serde_json::json!(index.heap_bytes() as f64 / text.len() as f64),
    );
    let whole = SearchOptions {
        whole_word: true,
        ..SearchOptions::default()
    };
    for (name, query, options) in [
        ("query", "القاهرة", SearchOptions::default()),
        ("query_whole_word", "فلسطين", whole),
        ("query_common_word", "في", whole),
    ] {
        common::record(
            "search",
            &format!("matches/{name}"),
            serde_json::json!(index.find(query, options).len()),
        );
        g.bench_function(name, |b| b.iter(|| black_box(index.find(query, options))));
    }
    let entries = names(10_000);
    assert_eq!(entries.len(), 10_000);
    let set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
    common::with_peak("search", "gazetteer_10k_names", || {
        g.bench_function("gazetteer_10k_names", |b| {
            b.iter(|| black_box(gazetteer::suggest(&doc, &index, &set.marks(), &entries)))
        });
    });
    g.finish();
}

criterion_group!(benches, search);
criterion_main!(benches);
