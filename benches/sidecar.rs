//! Saving and loading a sidecar with 100 000 annotations (target: save ≤ 150 ms), and re-anchoring them after the
//! text changed (targets: an edit that shifts everything ≤ 1 s, a letter changed inside every annotation ≤ 3 s).
//! Each load is `sidecar::load`, the path the window and the command line take. Results: docs/BENCHMARKS.md.

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use warraq::model::{AnnotationSet, Document};
use warraq::store::sidecar::{self, Fingerprint};

/// The 10 MB book with 100 000 annotations, its fingerprint, and a folder for it.
fn book() -> (
    String,
    Document,
    AnnotationSet,
    Fingerprint,
    tempfile::TempDir,
) {
    let text = common::arabic_text(10 * 1024 * 1024);
    let doc = Document::new(text.clone());
    let set = common::annotations(&doc, 100_000);
    let fp = Fingerprint::of(text.as_bytes(), "UTF-8");
    (text, doc, set, fp, tempfile::tempdir().unwrap())
}

fn save_and_load(c: &mut Criterion) {
    let (text, doc, set, fp, dir) = book();
    let source = dir.path().join("book.txt");
    std::fs::write(&source, &text).unwrap();
    let path = sidecar::sidecar_path(&source);
    let mut g = c.benchmark_group("sidecar_100k");
    g.sample_size(10);
    common::with_peak("sidecar", "save", || {
        g.bench_function("save", |b| {
            b.iter(|| sidecar::save(&path, black_box(&set), fp.clone(), false).unwrap())
        });
    });
    common::with_peak("sidecar", "load_unchanged_source", || {
        g.bench_function("load_unchanged_source", |b| {
            b.iter(|| black_box(sidecar::load(&source, text.as_bytes(), "UTF-8", &doc).unwrap()))
        });
    });
    // The real open path: read, detect and decode, fingerprint, split, load and check the sidecar, take the lock.
    common::with_peak("sidecar", "open_document", || {
        g.bench_function("open_document", |b| {
            b.iter(|| black_box(warraq::workspace::OpenDocument::open(&source, None).unwrap()))
        });
    });
    g.finish();
}

fn reanchor(c: &mut Criterion) {
    let (text, _, set, fp, dir) = book();
    let source = dir.path().join("book.txt");
    sidecar::save(&sidecar::sidecar_path(&source), &set, fp, false).unwrap();
    // A line added at the top and a word changed in the middle: every annotation shifts.
    let mid = text.len() / 2;
    let mid = (mid..text.len())
        .find(|&i| text.is_char_boundary(i) && text[i..].starts_with(' '))
        .unwrap();
    let shifted = format!(
        "سطر جديد في أعلى الكتاب\n{} كلمة{}",
        &text[..mid],
        &text[mid..]
    );
    // A letter changed inside every annotation (its third character), at the same offsets.
    let mut chars: Vec<char> = text.chars().collect();
    for a in set.items() {
        let c = &mut chars[a.start + 2];
        *c = if *c == 'ب' { 'ت' } else { 'ب' };
    }
    let lettered: String = chars.into_iter().collect();
    let mut g = c.benchmark_group("reanchor_100k");
    g.sample_size(10);
    for (name, changed) in [
        ("shifted_by_an_edit", &shifted),
        ("letter_changed_in_every_one", &lettered),
    ] {
        let changed_doc = Document::new(changed.clone());
        // Check once what the benchmark measures: how many are placed, and exactly where expected.
        let (loaded, report) =
            sidecar::load(&source, changed.as_bytes(), "UTF-8", &changed_doc).unwrap();
        let exact = match name {
            "shifted_by_an_edit" => loaded
                .items()
                .iter()
                .zip(set.items())
                .filter(|(a, b)| changed_doc.slice(a.span()) == b.text && a.text == b.text)
                .count(),
            _ => loaded
                .items()
                .iter()
                .zip(set.items())
                .filter(|(a, b)| a.span() == b.span())
                .count(),
        };
        eprintln!(
            "{name}: {} placed, {} unplaced, {} moved, {exact} at exactly the expected place",
            loaded.items().len(),
            loaded.unplaced.len(),
            report.moved
        );
        common::record(
            "sidecar",
            &format!("exact/{name}"),
            serde_json::json!(exact),
        );
        common::with_peak("sidecar", name, || {
            g.bench_function(name, |b| {
                b.iter(|| {
                    black_box(
                        sidecar::load(&source, changed.as_bytes(), "UTF-8", &changed_doc).unwrap(),
                    )
                })
            });
        });
    }
    g.finish();
}

criterion_group!(benches, save_and_load, reanchor);
criterion_main!(benches);
