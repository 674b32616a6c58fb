//! Team work at scale, on the real paths. `warraq agree` on two annotators' folders of 100 documents with 1 000
//! annotations each (target ≤ 1 s): finding the documents, opening each text and sidecar, pairing and scoring.
//! `warraq curate` on the same folders (≤ 3 s): texts copied, agreed annotations merged, curated sidecars written.
//! A curated book (10 MB, 100 000 annotations per annotator) opened in the window: the annotators' copies read and
//! grouped on a worker (≤ 2 s), then taken in on the window's thread (≤ 16 ms, one frame). Results:
//! docs/BENCHMARKS.md.

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use warraq::model::{Annotation, AnnotationSet, Document, TagSet};
use warraq::store::sidecar::{self, Fingerprint};

/// Writes `source` with `text` and an annotator's copy of `base`: every `changed`th annotation retagged (none when 0).
fn annotator_copy(source: &std::path::Path, text: &str, base: &AnnotationSet, changed: usize) {
    std::fs::write(source, text).unwrap();
    let items: Vec<Annotation> = base
        .items()
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut a = a.clone();
            if changed > 0 && i % changed == 0 {
                a.tag = "MISC".into();
            }
            a
        })
        .collect();
    let set = AnnotationSet::new(items, Vec::new(), TagSet::default());
    let fp = Fingerprint::of(text.as_bytes(), "UTF-8");
    sidecar::save(&sidecar::sidecar_path(source), &set, fp, false).unwrap();
}

/// 100 documents of about 20 000 characters, annotated 1 000 times each by `a` and (with some changes) by `b`.
fn corpus(dir: &std::path::Path) {
    let text = common::arabic_text(40_000);
    let doc = Document::new(text.clone());
    let base = common::annotations(&doc, 1_000);
    for (name, changed) in [("a", 0usize), ("b", 7)] {
        let folder = dir.join(name);
        std::fs::create_dir_all(&folder).unwrap();
        for d in 0..100 {
            // The second annotator retags every seventh annotation.
            annotator_copy(&folder.join(format!("doc{d}.txt")), &text, &base, changed);
        }
    }
}

fn agree(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path());
    let sources = [dir.path().join("a"), dir.path().join("b")];
    let mut g = c.benchmark_group("agree");
    g.sample_size(10);
    common::with_peak("agreement", "two_annotators_100_documents", || {
        g.bench_function("two_annotators_100_documents", |b| {
            b.iter(|| warraq::cli::agree_command(&sources, true, |_, _| {}).unwrap())
        });
    });
    g.finish();
}

fn curate(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    corpus(dir.path());
    let sources = [dir.path().join("a"), dir.path().join("b")];
    let mut g = c.benchmark_group("curate");
    g.sample_size(10);
    let mut run = 0;
    common::with_peak("agreement", "curate_100_documents", || {
        g.bench_function("two_annotators_100_documents", |b| {
            b.iter(|| {
                // A new curated folder each time: every text copied, every agreed annotation merged and written.
                run += 1;
                let into = dir.path().join(format!("curated{run}"));
                let r = warraq::workspace::curation::curate_all(&sources, &into, "bench").unwrap();
                assert_eq!(r.documents.len(), 100);
                std::fs::remove_dir_all(&into).unwrap();
            })
        });
    });
    // A book: two annotators' copies of 10 MB with 100 000 annotations each; the second retags every seventh.
    let text = common::arabic_text(10 * 1024 * 1024);
    let doc = Document::new(text.clone());
    let base = common::annotations(&doc, 100_000);
    for (name, changed) in [("book-a", 0usize), ("book-b", 7)] {
        let folder = dir.path().join(name);
        std::fs::create_dir_all(&folder).unwrap();
        annotator_copy(&folder.join("book.txt"), &text, &base, changed);
    }
    let into = dir.path().join("curated-book");
    let books = [dir.path().join("book-a"), dir.path().join("book-b")];
    warraq::workspace::curation::curate_all(&books, &into, "bench").unwrap();
    let mut d = warraq::workspace::OpenDocument::open(&into.join("book.txt"), None).unwrap();
    let files = d.curation_files().unwrap();
    common::with_peak("agreement", "curate_book_read", || {
        g.bench_function("book_100000_read_and_group", |b| {
            b.iter(|| {
                let a = warraq::workspace::curation::read_annotators(
                    &files,
                    d.doc.text(),
                    "the curated copy's",
                )
                .unwrap();
                warraq::workspace::curation::Curation::new(a)
            })
        });
    });
    let prepared = warraq::workspace::curation::Curation::new(
        warraq::workspace::curation::read_annotators(&files, d.doc.text(), "the curated copy's")
            .unwrap(),
    );
    g.bench_function("book_100000_take_in", |b| {
        b.iter_custom(|iters| {
            let mut total = std::time::Duration::ZERO;
            for _ in 0..iters {
                // The window takes the groups in once per opening: the previous curation goes outside the timing.
                drop(d.curation.take());
                let c = prepared.clone();
                let t = std::time::Instant::now();
                std::hint::black_box(d.begin_curation(c));
                total += t.elapsed();
            }
            total
        })
    });
    g.finish();
}

criterion_group!(benches, agree, curate);
criterion_main!(benches);
