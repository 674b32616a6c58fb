//! Saving and loading a sidecar with 100 000 annotations (target: save ≤ 150 ms). Results: docs/BENCHMARKS.md.

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use warraq::model::annotations::quote;
use warraq::model::{Annotation, AnnotationSet, CharOffset, Document, Span, TagSet};
use warraq::store::sidecar::{self, Fingerprint};

fn set_of(doc: &Document, n: usize) -> AnnotationSet {
    let step = doc.char_count() / (n + 1);
    let tags = ["PER", "LOC", "ORG", "GPE", "DATE", "MISC"];
    let items = (0..n)
        .map(|i| {
            let start = i * step;
            let span = Span::new(CharOffset(start), CharOffset(start + 6));
            let (text, prefix, suffix) = quote(doc, span);
            Annotation {
                id: i as u64 + 1,
                start,
                end: start + 6,
                tag: tags[i % tags.len()].to_owned(),
                text,
                prefix,
                suffix,
                note: if i % 10 == 0 {
                    "ملاحظة قصيرة".to_owned()
                } else {
                    String::new()
                },
                created: "2026-11-30T05:00:00Z".to_owned(),
                modified: "2026-11-30T05:00:00Z".to_owned(),
            }
        })
        .collect();
    AnnotationSet::new(items, Vec::new(), TagSet::default())
}

fn save_and_load(c: &mut Criterion) {
    let text = common::arabic_text(10 * 1024 * 1024);
    let doc = Document::new(text.clone());
    let set = set_of(&doc, 100_000);
    let fp = Fingerprint::of(text.as_bytes(), "UTF-8");
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("book.txt");
    std::fs::write(&source, &text).unwrap();
    let path = sidecar::sidecar_path(&source);
    let mut g = c.benchmark_group("sidecar_100k");
    g.sample_size(10);
    g.bench_function("save", |b| {
        b.iter(|| sidecar::save(&path, black_box(&set), fp.clone(), false).unwrap())
    });
    g.bench_function("load_unchanged_source", |b| {
        b.iter(|| black_box(sidecar::load(&source, text.as_bytes(), "UTF-8", &doc).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, save_and_load);
criterion_main!(benches);
