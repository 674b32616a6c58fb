//! The suggestion model on the product's path: a model the size of BERT-base (hidden 768, 12 layers, 12 heads,
//! 110 M weights; random weights, written here in a hub's layout) loaded from its folder as Tools ▸ Suggestion
//! Model… loads it, then run over 10 000 words of Arabic as Suggest in This Document and `warraq suggest --model`
//! run it (`ner::Model::run`: tokenizing, windows of 512 pieces, the forward passes, labels back to code points).
//! In the window this runs on a worker below the window's priority, so it never takes a frame. Results:
//! docs/BENCHMARKS.md.

mod common;
#[path = "../tests/common/mod.rs"]
mod ui;

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use egui::Vec2;
use warraq::model::Document;
use warraq::ner::Model;
use warraq::ner::fixture::{self, Spec};

const LABELS: [&str; 9] = [
    "O", "B-PERS", "I-PERS", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC",
];

/// The first `n` words of the benchmarks' Arabic text, in its paragraphs.
fn words(n: usize) -> String {
    let text = common::arabic_text(2 * 1024 * 1024);
    let mut out = String::new();
    let mut count = 0;
    for line in text.lines() {
        for w in line.split_whitespace() {
            if count == n {
                return out;
            }
            if !out.is_empty() && !out.ends_with('\n') {
                out.push(' ');
            }
            out.push_str(w);
            count += 1;
        }
        out.push('\n');
    }
    out
}

fn suggest(c: &mut Criterion) {
    let text = words(10_000);
    let dir = tempfile::tempdir().unwrap();
    fixture::write(
        dir.path(),
        &Spec::bert_base(&LABELS, fixture::vocab_for(&text)),
    )
    .unwrap();
    let t = std::time::Instant::now();
    let model = Model::load(dir.path()).unwrap();
    common::record(
        "suggest",
        "load_ms",
        serde_json::json!(t.elapsed().as_secs_f64() * 1000.0),
    );
    let doc = Document::new(text);
    let mut windows = 0;
    let mut found = 0;
    model
        .run(&doc, |_, total, f| {
            windows = total;
            found += f.len();
            true
        })
        .unwrap();
    common::record("suggest", "windows", serde_json::json!(windows));
    common::record(
        "suggest",
        "paragraphs",
        serde_json::json!(doc.paragraphs().len()),
    );
    let mut g = c.benchmark_group("suggest");
    g.sample_size(10);
    // What writing the model folder allocated and freed is handed back to the system, so the peak below is the
    // run's own.
    // SAFETY: malloc_trim only releases free memory of the allocator; no pointer is touched.
    unsafe {
        libc::malloc_trim(0);
    }
    common::with_peak("suggest", "bert_base_10000_words", || {
        g.bench_function("bert_base_10000_words", |b| {
            b.iter(|| {
                model
                    .run(&doc, |_, _, f| {
                        std::hint::black_box(f);
                        true
                    })
                    .unwrap()
            })
        });
    });
    g.finish();
    std::hint::black_box(found);
}

/// The same run in the window (Suggest in This Document on the 10 000 words): every frame timed while the model
/// works behind it, frames paced at 60 a second as on a screen.
fn in_the_window(_c: &mut Criterion) {
    let text = words(10_000);
    let dir = tempfile::tempdir().unwrap();
    let model_dir = dir.path().join("model");
    std::fs::create_dir(&model_dir).unwrap();
    fixture::write(
        &model_dir,
        &Spec::bert_base(&LABELS, fixture::vocab_for(&text)),
    )
    .unwrap();
    let path = dir.path().join("words.txt");
    std::fs::write(&path, &text).unwrap();
    let mut h = ui::open(&path, Vec2::new(1100.0, 800.0));
    let ctx = h.ctx.clone();
    h.state_mut().load_model(&ctx, model_dir);
    let t = Instant::now();
    while h
        .state()
        .message()
        .is_none_or(|m| !m.contains("model is loaded"))
    {
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "the model did not load: {:?}",
            h.state().message()
        );
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    // Every entity the random model finds is kept (least score 0), so that the frames take in thousands of
    // suggestions, as a trained model's would bring.
    if let Some(s) = h.state_mut().workspace_mut().suggester.as_mut() {
        s.min_score = 0.0;
    }
    let t = Instant::now();
    h.state_mut().run_model(&ctx);
    let mut frames = Vec::new();
    while h.state().is_running_model() {
        let frame = common::step_timed(&mut h);
        frames.push(frame);
        std::thread::sleep(Duration::from_millis(16).saturating_sub(frame));
    }
    let total = t.elapsed().as_secs_f64() * 1000.0;
    frames.sort();
    let suggestions = h.state().document().unwrap().annotations.suggestions.len();
    common::record("suggest", "window_total_ms", serde_json::json!(total));
    common::record("suggest", "window_frames", serde_json::json!(frames.len()));
    common::record(
        "suggest",
        "window_frame_p50_ms",
        serde_json::json!(common::percentile(&frames, 0.5)),
    );
    common::record(
        "suggest",
        "window_frame_p99_ms",
        serde_json::json!(common::percentile(&frames, 0.99)),
    );
    common::record(
        "suggest",
        "window_frame_max_ms",
        serde_json::json!(frames.last().map_or(0.0, |f| f.as_secs_f64() * 1000.0)),
    );
    common::record(
        "suggest",
        "window_suggestions",
        serde_json::json!(suggestions),
    );
}

// The window first: its model runs on a worker below the window's priority, and the threads the model computes on
// are started from there, as in the application (the criterion run afterwards uses the same threads: alone on the
// machine, their priority does not change its time).
criterion_group!(benches, in_the_window, suggest);
criterion_main!(benches);
