//! Arabic-aware search on a 10 MB document: building the folded index, one query, and a 10 000-name gazetteer.
//! Targets (docs/BENCHMARKS.md): index ≤ 1 s, query ≤ 50 ms including mapping back, gazetteer ≤ 2 s.

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
    g.bench_function("build_index", |b| {
        b.iter(|| black_box(SearchIndex::new(doc.clone())))
    });
    let index = SearchIndex::new(doc.clone());
    g.bench_function("query", |b| {
        b.iter(|| black_box(index.find("القاهرة", SearchOptions::default())))
    });
    g.bench_function("query_whole_word", |b| {
        b.iter(|| {
            black_box(index.find(
                "فلسطين",
                SearchOptions {
                    whole_word: true,
                    ..SearchOptions::default()
                },
            ))
        })
    });
    let entries = names(10_000);
    assert_eq!(entries.len(), 10_000);
    let set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
    g.bench_function("gazetteer_10k_names", |b| {
        b.iter(|| black_box(gazetteer::suggest(&doc, &index, &set, &entries)))
    });
    g.finish();
}

criterion_group!(benches, search);
criterion_main!(benches);
