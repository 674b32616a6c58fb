//! Micro-benchmarks of the text engine: whole-document layout, re-wrapping, hit testing, selection geometry.
//! Results and their targets: docs/BENCHMARKS.md.

mod common;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use warraq::model::Document;
use warraq::text::{ParagraphLayout, TextEngine, TextStyle};

const SAMPLE: &str = include_str!("../assets/sample-article-ar.txt");

fn layout_all(engine: &mut TextEngine, doc: &Document, width: f32) -> Vec<ParagraphLayout> {
    let style = TextStyle::with_size(20.0);
    (0..doc.paragraphs().len())
        .map(|p| engine.layout(doc.paragraph_text(p), &style, Some(width)))
        .collect()
}

fn layout(c: &mut Criterion) {
    let text = common::arabic_text(1024 * 1024);
    let doc = Document::new(text.clone());
    let mut g = c.benchmark_group("document");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(text.len() as u64));
    let mut engine = TextEngine::new();
    g.bench_function(BenchmarkId::new("full_layout", "1MB"), |b| {
        b.iter(|| black_box(layout_all(&mut engine, &doc, 600.0)))
    });
    let mut layouts = layout_all(&mut engine, &doc, 600.0);
    let mut w = 600.0;
    g.bench_function(BenchmarkId::new("rewrap", "1MB"), |b| {
        b.iter(|| {
            w = if w == 600.0 { 480.0 } else { 600.0 };
            for l in &mut layouts {
                l.break_lines(Some(w));
            }
        });
    });
    g.finish();
}

fn hit_and_select(c: &mut Criterion) {
    let para = SAMPLE.lines().max_by_key(|l| l.len()).unwrap();
    let mut engine = TextEngine::new();
    let l = engine.layout(para, &TextStyle::with_size(20.0), Some(600.0));
    let lines = l.lines();
    let mid = &lines[lines.len() / 2];
    let y = mid.top + mid.height / 2.0;
    c.bench_function("hit_test", |b| {
        b.iter(|| black_box(l.hit_test(black_box(300.0), black_box(y))))
    });
    let range = 40..para.len() - 40;
    let range = (range.start..range.end)
        .find(|i| para.is_char_boundary(*i))
        .map(|s| {
            s..(s..para.len())
                .rev()
                .find(|i| para.is_char_boundary(*i) && *i < para.len() - 40)
                .unwrap()
        })
        .unwrap();
    c.bench_function("selection_geometry_paragraph", |b| {
        b.iter(|| black_box(l.selection_rects(black_box(range.clone()))))
    });
}

criterion_group!(benches, layout, hit_and_select);
criterion_main!(benches);
