//! A 10 MB Arabic document in the real document view, driven headlessly: time from opening the file to the first
//! frame, frame times while scrolling and after jumping to the middle, time until every paragraph is measured,
//! resident memory; and whole-document layout throughput against HarfBuzz's `hb-shape` on the same 1 MB.
//!
//! `cargo bench --bench large_document` prints a Markdown report; docs/BENCHMARKS.md keeps the latest one.
//! Frame times include egui's tessellation; they exclude GPU upload (there is no GPU here).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::Vec2;
use egui_kittest::Harness;
use warraq::model::{CharOffset, Document};
use warraq::store;
use warraq::text::{TextEngine, TextStyle};
use warraq::view::DocumentView;

use common::{percentile, step_timed};

fn median_of(n: usize, mut f: impl FnMut() -> Duration) -> Duration {
    let mut v: Vec<Duration> = (0..n).map(|_| f()).collect();
    v.sort();
    v[n / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ten-megabytes.txt");
    let text = common::arabic_text(10 * 1024 * 1024);
    std::fs::write(&path, &text).unwrap();
    let size_mb = text.len() as f64 / 1e6;
    drop(text);

    let mut h = Harness::builder()
        .with_size(Vec2::new(1100.0, 800.0))
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(
            |ui, view: &mut Option<DocumentView>| {
                egui::CentralPanel::default().show(ui, |ui| {
                    if let Some(v) = view {
                        v.show(ui, None);
                    }
                });
            },
            None,
        );
    h.step();
    let rss_before = common::memory_mb().0;

    // Open: read, decode, split into paragraphs, first frame.
    let t0 = Instant::now();
    let decoded = store::load_text(&path, None).unwrap();
    let doc = Document::new(decoded.text);
    let paragraphs = doc.paragraphs().len();
    let t_decode = t0.elapsed();
    *h.state_mut() = Some(DocumentView::new(
        Arc::new(doc),
        TextStyle {
            font_size: 22.0,
            line_height: 1.2,
            bold: false,
        },
    ));
    step_timed(&mut h);
    let t_first = t0.elapsed();

    // Scrolling with the wheel, three notches a frame.
    let scroll = common::wheel(&mut h, 600, -150.0);
    let after_scrolling = h.state().as_ref().unwrap().top_paragraph();
    assert!(
        after_scrolling > 100,
        "the wheel scrolled the document (top paragraph {after_scrolling})"
    );
    // Jumps, as when dragging the scroll bar: to the middle, three quarters, back to the start.
    let n_chars = h.state().as_ref().unwrap().document().char_count();
    let mut jumps = Vec::new();
    for frac in [0.5, 0.75, 0.25, 0.0, 0.9] {
        h.state_mut()
            .as_mut()
            .unwrap()
            .scroll_to_offset(CharOffset((n_chars as f64 * frac) as usize));
        jumps.push(step_timed(&mut h));
        jumps.push(step_timed(&mut h));
        let top = h.state().as_ref().unwrap().top_paragraph();
        let expected = (paragraphs as f64 * frac) as usize;
        assert!(
            top.abs_diff(expected) <= 2,
            "jumped to paragraph {top}, expected about {expected}"
        );
    }
    // Background measuring until the scroll bar is exact.
    let t_measure = Instant::now();
    while h.state().as_ref().unwrap().measuring_progress().is_some() {
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    let measured_after = t_measure.elapsed();
    let idle = common::wheel(&mut h, 120, 150.0);
    let rss_after = common::memory_mb().0;

    // Layout throughput against hb-shape on the same 1 MB.
    let one_mb = common::arabic_text(1024 * 1024);
    let mb_path = dir.path().join("one-megabyte.txt");
    std::fs::write(&mb_path, &one_mb).unwrap();
    let doc1 = Document::new(one_mb);
    let mut engine = TextEngine::new();
    let style = TextStyle::with_size(20.0);
    let ours = median_of(5, || {
        let t = Instant::now();
        for p in 0..doc1.paragraphs().len() {
            std::hint::black_box(engine.layout(doc1.paragraph_text(p), &style, Some(600.0)));
        }
        t.elapsed()
    });
    let font = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fonts/NotoNaskhArabic-Regular.ttf"
    );
    let hb = std::process::Command::new("hb-shape")
        .arg("--version")
        .output()
        .is_ok()
        .then(|| {
            median_of(5, || {
                let t = Instant::now();
                let out = std::process::Command::new("hb-shape")
                    .args(["--font-size=20", font, "--text-file"])
                    .arg(&mb_path)
                    .arg("--output-file=/dev/null")
                    .status()
                    .expect("hb-shape");
                assert!(out.success());
                t.elapsed()
            })
        });

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    // For .ci/bench_report.py, which writes them into docs/BENCHMARKS.md.
    let mut figures = vec![
        ("size_mb", size_mb),
        ("paragraphs", paragraphs as f64),
        ("decode_ms", ms(t_decode)),
        ("first_frame_ms", ms(t_first)),
        ("scroll_median_ms", percentile(&scroll, 0.5)),
        ("scroll_p99_ms", percentile(&scroll, 0.99)),
        ("jump_median_ms", percentile(&jumps, 0.5)),
        ("jump_max_ms", percentile(&jumps, 1.0)),
        ("measured_s", measured_after.as_secs_f64()),
        ("measured_scroll_median_ms", percentile(&idle, 0.5)),
        ("measured_scroll_p99_ms", percentile(&idle, 0.99)),
        ("rss_before_mb", rss_before),
        ("rss_after_mb", rss_after),
        ("layout_1mb_ms", ms(ours)),
    ];
    if let Some(hb) = hb {
        figures.push(("hb_shape_1mb_ms", ms(hb)));
    }
    for (k, v) in figures {
        common::record("large_document", k, serde_json::json!(v));
    }
    println!(
        "## 10 MB document ({size_mb:.1} MB, {paragraphs} paragraphs), window 1100×800, text 22 px"
    );
    println!();
    println!("| measure | result | target |");
    println!("|---|---|---|");
    println!(
        "| read + decode + split into paragraphs | {:.0} ms | |",
        ms(t_decode)
    );
    println!(
        "| open to first frame (incl. the above) | {:.0} ms | ≤ 250 ms |",
        ms(t_first)
    );
    println!(
        "| frame while wheel-scrolling, median / p99 ({} frames, to paragraph {after_scrolling}) | {:.2} / {:.2} ms | p99 ≤ 8 ms |",
        scroll.len(),
        percentile(&scroll, 0.5),
        percentile(&scroll, 0.99)
    );
    println!(
        "| frame after a scroll-bar jump, median / max | {:.2} / {:.2} ms | |",
        percentile(&jumps, 0.5),
        percentile(&jumps, 1.0)
    );
    println!(
        "| all heights measured in the background after | {:.2} s | |",
        measured_after.as_secs_f64()
    );
    println!(
        "| frame while scrolling once measured, median / p99 | {:.2} / {:.2} ms | p99 ≤ 8 ms |",
        percentile(&idle, 0.5),
        percentile(&idle, 0.99)
    );
    println!(
        "| resident memory before opening / with the document | {rss_before:.0} / {rss_after:.0} MB | ≤ 200 MB |"
    );
    println!();
    println!("## Whole-document layout of 1 MB (median of 5, width 600 px, 20 px)");
    println!();
    println!("| tool | time | ratio |");
    println!("|---|---|---|");
    println!(
        "| Warraq: shape + bidi + line breaking + alignment | {:.0} ms | |",
        ms(ours)
    );
    match hb {
        Some(hb) => println!(
            "| hb-shape --font-size=20 (shaping only) | {:.0} ms | Warraq / hb-shape = {:.2} (target ≤ 1.5) |",
            ms(hb),
            ours.as_secs_f64() / hb.as_secs_f64()
        ),
        None => println!("| hb-shape | not installed (apt-get install libharfbuzz-bin) | |"),
    }
}
