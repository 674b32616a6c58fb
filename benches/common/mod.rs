//! Large Arabic documents for the benchmarks, made from the Wojood sample in `tests/data/wojood/`: tokens joined
//! by spaces into sentences, five sentences a paragraph (a line), repeated until the wanted size.

#![allow(dead_code)]

pub fn sentences() -> Vec<String> {
    let raw = include_str!("../../tests/data/wojood/test.txt");
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in raw.lines() {
        match line.split_whitespace().next() {
            Some(token) => current.push(token),
            None if !current.is_empty() => {
                out.push(current.join(" "));
                current.clear();
            }
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current.join(" "));
    }
    out
}

/// About `bytes` of Arabic running text, one paragraph a line.
pub fn arabic_text(bytes: usize) -> String {
    let sentences = sentences();
    let paragraphs: Vec<String> = sentences.chunks(5).map(|c| c.join(" ")).collect();
    let mut text = String::with_capacity(bytes + 4096);
    'outer: loop {
        for p in &paragraphs {
            text.push_str(p);
            text.push('\n');
            if text.len() >= bytes {
                break 'outer;
            }
        }
    }
    text
}

/// `n` annotations spread evenly over `doc` (six characters each, tags cycling through the six defaults, a note on
/// one in ten), with the quotes and context the annotation model records.
pub fn annotations(doc: &warraq::model::Document, n: usize) -> warraq::model::AnnotationSet {
    use warraq::model::{Annotation, AnnotationSet, CharOffset, Span, TagSet};
    let step = doc.char_count() / (n + 1);
    let tags = ["PER", "LOC", "ORG", "GPE", "DATE", "MISC"];
    let items = (0..n)
        .map(|i| {
            let start = i * step;
            let span = Span::new(CharOffset(start), CharOffset(start + 6));
            let (text, prefix, suffix) = warraq::model::annotations::quote(doc, span);
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
                ..Annotation::default()
            }
        })
        .collect();
    AnnotationSet::new(items, Vec::new(), TagSet::default())
}

/// This process's resident memory now and at its peak since the last [`reset_peak`], in MB.
pub fn memory_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Starts measuring the peak resident size afresh (Linux: writing 5 to clear_refs resets VmHWM).
pub fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Where benchmarks leave their figures for `.ci/bench_report.py`, which writes them into docs/BENCHMARKS.md.
pub fn figures_dir() -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-figures");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Records `value` under `key` in this benchmark's figures file (`target/bench-figures/BENCH.json`).
pub fn record(bench: &str, key: &str, value: serde_json::Value) {
    let path = figures_dir().join(format!("{bench}.json"));
    let mut all: serde_json::Map<String, serde_json::Value> = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    all.insert(key.to_owned(), value);
    let _ = std::fs::write(
        &path,
        serde_json::to_string_pretty(&serde_json::Value::Object(all)).unwrap_or_default(),
    );
}

/// Runs one criterion benchmark and records the peak resident size it reached (`peak_mb/NAME`).
pub fn with_peak(bench: &str, name: &str, run: impl FnOnce()) {
    reset_peak();
    run();
    record(
        bench,
        &format!("peak_mb/{name}"),
        serde_json::json!(memory_mb().1),
    );
}

/// One frame, timed: egui's frame and the tessellation of what it drew (no GPU here).
pub fn step_timed<S>(h: &mut egui_kittest::Harness<'_, S>) -> std::time::Duration {
    let t = std::time::Instant::now();
    h.step();
    let shapes = h.output().shapes.clone();
    let ppp = h.output().pixels_per_point;
    std::hint::black_box(h.ctx.tessellate(shapes, ppp));
    t.elapsed()
}

/// Scrolls with the mouse wheel over the middle of an 1100×800 window, `dy` points a frame for `frames` frames;
/// every frame timed.
pub fn wheel<S>(
    h: &mut egui_kittest::Harness<'_, S>,
    frames: usize,
    dy: f32,
) -> Vec<std::time::Duration> {
    h.hover_at(egui::Pos2::new(550.0, 400.0));
    (0..frames)
        .map(|_| {
            h.event(egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::Vec2::new(0.0, dy),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Unknown,
                modifiers: egui::Modifiers::NONE,
            });
            step_timed(h)
        })
        .collect()
}

/// The `p` quantile of frame times, in milliseconds.
pub fn percentile(times: &[std::time::Duration], p: f64) -> f64 {
    let mut v = times.to_vec();
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i].as_secs_f64() * 1e3
}
