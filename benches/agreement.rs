//! `warraq agree` on two annotators' folders of 100 documents with 1 000 annotations each (target ≤ 1 s): the
//! command's real path — finding the documents, opening each text and sidecar, pairing and scoring. Results:
//! docs/BENCHMARKS.md.

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use warraq::model::{Annotation, AnnotationSet, Document, TagSet};
use warraq::store::sidecar::{self, Fingerprint};

/// 100 documents of about 20 000 characters, annotated 1 000 times each by `a` and (with some changes) by `b`.
fn corpus(dir: &std::path::Path) {
    let text = common::arabic_text(40_000);
    let doc = Document::new(text.clone());
    let fp = Fingerprint::of(text.as_bytes(), "UTF-8");
    let base = common::annotations(&doc, 1_000);
    for (name, changed) in [("a", 0usize), ("b", 7)] {
        let folder = dir.join(name);
        std::fs::create_dir_all(&folder).unwrap();
        for d in 0..100 {
            let source = folder.join(format!("doc{d}.txt"));
            std::fs::write(&source, &text).unwrap();
            // The second annotator retags every seventh annotation.
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
            sidecar::save(&sidecar::sidecar_path(&source), &set, fp.clone(), false).unwrap();
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
            b.iter(|| warraq::cli::agree_command(&sources, true).unwrap())
        });
    });
    g.finish();
}

criterion_group!(benches, agree);
criterion_main!(benches);
