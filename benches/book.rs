//! The 50 MB book with 100 000 annotations in the real application (`WarraqApp`, driven headlessly by egui_kittest):
//! choosing the file to the first frame with text, searching (the index built on a worker while the window goes on),
//! scrolling, jumping to the end, Tag All on a word with about 10 000 occurrences, and saving — every frame timed,
//! resident memory read from /proc. Targets: issue 9, docs/BENCHMARKS.md.
//!
//! `cargo bench --bench book` prints a table and leaves its figures in `target/bench-figures/book.json`, which
//! `.ci/bench_report.py` writes into docs/BENCHMARKS.md. Frame times include egui's tessellation, not GPU upload.

#![recursion_limit = "256"]

mod common;
#[path = "../tests/common/mod.rs"]
mod ui;

use std::time::{Duration, Instant};

use egui::{Event, Key, Modifiers, Vec2};
use egui_kittest::Harness;
use serde_json::json;
use warraq::app::{Settings, WarraqApp};
use warraq::model::{CharOffset, Document, Span};
use warraq::store::sidecar::{self, Fingerprint};

const BOOK_BYTES: usize = 50 * 1024 * 1024;
const ANNOTATIONS: usize = 100_000;
/// One frame at 60 Hz.
const FRAME: Duration = Duration::from_micros(16_667);

use common::{percentile, step_timed};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn max_ms(times: &[Duration]) -> f64 {
    times.iter().copied().max().map_or(0.0, ms)
}

/// Steps frames at 60 Hz (timing each) until `done`, for at most `limit`; returns the frame times.
#[track_caller]
fn frames_until(
    h: &mut Harness<'_, WarraqApp>,
    limit: Duration,
    done: impl Fn(&WarraqApp) -> bool,
) -> Vec<Duration> {
    let start = Instant::now();
    let mut frames = Vec::new();
    while !done(h.state()) {
        assert!(start.elapsed() < limit, "did not finish within {limit:?}");
        let frame = step_timed(h);
        frames.push(frame);
        // Frames come at most 60 times a second, as on a screen.
        std::thread::sleep(FRAME.saturating_sub(frame));
    }
    frames
}

/// A key press in one frame (the window tests' helper), timed.
fn press(h: &mut Harness<'_, WarraqApp>, key: Key, modifiers: Modifiers) -> Duration {
    let t = Instant::now();
    ui::press(h, key, modifiers);
    t.elapsed()
}

/// A word of the book that Tag All finds about `n` times (whole words, clitics and spelling variants included).
fn word_occurring(text: &str, n: usize) -> String {
    let mut counts: std::collections::HashMap<&str, usize> = Default::default();
    for w in text.split([' ', '\n']) {
        if w.chars().count() >= 4 && w.chars().all(|c| ('\u{0621}'..='\u{064A}').contains(&c)) {
            *counts.entry(w).or_default() += 1;
        }
    }
    let index = warraq::model::search::SearchIndex::of_text(text);
    let options = warraq::model::search::SearchOptions {
        whole_word: true,
        ..Default::default()
    };
    // Words occurring a few thousand times as they are, by how many mentions Tag All finds.
    let mut words: Vec<(&str, usize)> = counts
        .into_iter()
        .filter(|&(_, c)| c >= n / 4 && c <= n)
        .collect();
    words.sort();
    let (word, _) = words
        .into_iter()
        .take(40)
        .map(|(w, _)| (w, index.find(w, options).len()))
        .min_by_key(|&(w, found)| (found.abs_diff(n), w))
        .expect("the book has words");
    word.to_owned()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.txt");
    let (word, size_mb, paragraphs) = {
        let text = common::arabic_text(BOOK_BYTES);
        std::fs::write(&path, &text).unwrap();
        let doc = Document::new(text.clone());
        let set = common::annotations(&doc, ANNOTATIONS);
        sidecar::save(
            &sidecar::sidecar_path(&path),
            &set,
            Fingerprint::of(text.as_bytes(), "UTF-8"),
            false,
        )
        .unwrap();
        (
            word_occurring(&text, 10_000),
            text.len() as f64 / 1e6,
            doc.paragraphs().len(),
        )
    };

    // The worker's part of opening, alone: read, decode, fingerprint, split, load and check the sidecar, lock.
    let t = Instant::now();
    let d = warraq::workspace::OpenDocument::open(&path, None).unwrap();
    let open_document = t.elapsed();
    drop(d);

    // What the setup allocated and freed (the book, its annotations, an index to pick a word) is handed back to
    // the system, so the window's memory below is the window's own.
    // SAFETY: malloc_trim only releases free memory of the allocator; no pointer is touched.
    unsafe {
        libc::malloc_trim(0);
    }
    common::reset_peak();
    let mut h = ui::harness(
        WarraqApp::new(Settings::default()),
        Vec2::new(1100.0, 800.0),
    );
    h.run_steps(3);
    let (rss_start, _) = common::memory_mb();

    // Choosing the file → the first frame with its text; the window keeps drawing while the worker reads.
    let t0 = Instant::now();
    let ctx = h.ctx.clone();
    h.state_mut().open_path(&ctx, path.clone(), None);
    let opening = frames_until(&mut h, Duration::from_secs(60), |app| {
        app.document()
            .is_some_and(|d| d.path.as_deref() == Some(path.as_path()))
            && app.view().is_some()
    });
    let first_frame = t0.elapsed();
    let loaded = h.state().document().unwrap().annotations.items().len();
    assert_eq!(loaded, ANNOTATIONS, "every annotation loaded");
    let (rss_open, _) = common::memory_mb();

    // Find: Ctrl+F, type a word; the index is built by the search's worker, frames go on.
    let t_find = Instant::now();
    let mut finding = vec![press(&mut h, Key::F, Modifiers::COMMAND)];

    h.event(Event::Text("القاهرة".into()));
    finding.extend(frames_until(&mut h, Duration::from_secs(60), |app| {
        app.find_state().is_some_and(|(m, _)| !m.is_empty())
    }));
    let first_search = t_find.elapsed();
    let matches = h.state().find_state().unwrap().0.len();
    let index_bytes = h
        .state()
        .document()
        .unwrap()
        .search_index_now()
        .heap_bytes();
    let (rss_index, _) = common::memory_mb();
    // Typing another query with the index built: every keystroke is a search.
    let t_retype = Instant::now();
    let mut retyping = Vec::new();
    for _ in 0.."القاهرة".chars().count() {
        retyping.push(press(&mut h, Key::Backspace, Modifiers::NONE));
    }
    h.event(Event::Text("فلسطين".into()));
    let palestine = "فلسطين".to_owned();
    retyping.extend(frames_until(&mut h, Duration::from_secs(60), |app| {
        let Some((m, _)) = app.find_state() else {
            return false;
        };
        let doc = app.document().unwrap().doc.clone();
        !m.is_empty() && doc.slice(m[0]).contains(&palestine)
    }));
    let second_search = t_retype.elapsed();
    press(&mut h, Key::Escape, Modifiers::NONE);

    // Scrolling with the wheel, three notches a frame.
    let scrolling = common::wheel(&mut h, 600, -150.0);
    let top = h.state().view().unwrap().top_paragraph();
    assert!(top > 100, "the wheel scrolled (top paragraph {top})");

    // Ctrl+End: the frame that shows the end of the book.
    let t_end = Instant::now();
    let mut jumping = vec![press(&mut h, Key::End, Modifiers::COMMAND)];
    jumping.extend(frames_until(&mut h, Duration::from_secs(5), |app| {
        app.view().unwrap().top_paragraph() + 60 >= paragraphs
    }));
    let jump_to_end = t_end.elapsed();

    // Tag All on a word with about 10 000 occurrences: the review opens with every candidate.
    let (id, occurrences) = {
        let d = h.state_mut().document_mut().unwrap();
        let doc = d.doc.clone();
        let byte = doc.text().find(&format!(" {word} ")).unwrap() + 1;
        let start = doc.char_at_byte(byte);
        let span = Span::new(start, CharOffset(start.0 + word.chars().count()));
        let id = d.annotations.create(&doc, span, "PER").unwrap();
        (id, doc.text().matches(word.as_str()).count())
    };
    let t_tag_all = Instant::now();
    h.state_mut().tag_all_occurrences(id);
    let mut tagging = frames_until(&mut h, Duration::from_secs(60), |app| {
        app.review_state().is_some()
    });
    tagging.push(step_timed(&mut h));
    let review_open = t_tag_all.elapsed();
    let candidates = h.state().review_state().unwrap().len();
    let mut reviewing = Vec::new();
    for _ in 0..60 {
        reviewing.push(step_timed(&mut h));
    }
    // The search Tag All runs, alone, on the index the window built.
    let tag_all_search = {
        let d = h.state().document().unwrap();
        let t = Instant::now();
        let found = d.search_index_now().find(
            &word,
            warraq::model::search::SearchOptions {
                whole_word: true,
                ..Default::default()
            },
        );
        assert!(found.len() >= candidates);
        t.elapsed()
    };
    h.state_mut().apply_review(true);
    let applied_frame = step_timed(&mut h);
    let annotations_now = h.state().document().unwrap().annotations.items().len();

    // Pre-annotation from a list whose name occurs about 10 000 times: matched on a worker (the shared index),
    // then the suggestions land in one frame and the panel lists them, drawing only the rows in view.
    let list = dir.path().join("names.tsv");
    std::fs::write(&list, format!("{word}\tMISC\n")).unwrap();
    let t_pre = Instant::now();
    h.state_mut().preannotate_from(&ctx, &list);
    let mut preannotating = frames_until(&mut h, Duration::from_secs(120), |app| {
        !app.is_preannotating()
            && app
                .document()
                .is_some_and(|d| !d.annotations.suggestions.is_empty())
    });
    preannotating.push(step_timed(&mut h));
    let preannotate = t_pre.elapsed();
    let suggestions = h.state().document().unwrap().annotations.suggestions.len();
    let landing = preannotating[preannotating.len().saturating_sub(2)..]
        .iter()
        .copied()
        .max()
        .unwrap_or_default();

    // Ctrl+S with 110 000 annotations: prepared a slice per frame, written by a worker.
    let t_save = Instant::now();
    let mut saving = vec![press(&mut h, Key::S, Modifiers::COMMAND)];
    saving.extend(frames_until(&mut h, Duration::from_secs(60), |app| {
        app.document()
            .is_some_and(|d| !d.is_saving() && !d.is_dirty())
    }));
    let save_done = t_save.elapsed();
    let (rss_end, peak) = common::memory_mb();

    // Someone else (another window, the command line) changes the sidecar; Ctrl+S then merges their change in on a
    // worker while the window keeps drawing.
    let theirs = {
        let mut other = warraq::workspace::OpenDocument::open(&path, None).unwrap();
        let a = other.annotations.items()[other.annotations.items().len() / 2].clone();
        other.annotations.retag(a.id, "MISC");
        other.save_now().unwrap();
        a.id
    };
    let t_merge = Instant::now();
    let mut merging = vec![press(&mut h, Key::S, Modifiers::COMMAND)];
    merging.extend(frames_until(&mut h, Duration::from_secs(120), |app| {
        app.document().is_some_and(|d| {
            !d.is_saving() && d.annotations.get(theirs).is_some_and(|a| a.tag == "MISC")
        })
    }));
    let merge_save = t_merge.elapsed();

    // Suggest While Annotating (on by default): one more annotation sends the learner to look again on a worker —
    // it learns from every annotation of the book and the folder and proposes every other occurrence; the window
    // copies what it learns from and takes the suggestions in.
    let learning_done = |app: &WarraqApp| {
        app.document().is_some_and(|d| {
            !d.is_running(warraq::workspace::Work::Learning)
                && d.learned_at == Some(d.annotations.taught())
        })
    };
    // Whatever look the earlier steps started ends first.
    frames_until(&mut h, Duration::from_secs(600), learning_done);
    let before_look = h.state().document().unwrap().annotations.suggestions.len();
    {
        let d = h.state_mut().document_mut().unwrap();
        let doc = d.doc.clone();
        let byte = doc.text().find(" القاهرة ").unwrap() + 1;
        let start = doc.char_at_byte(byte);
        let span = Span::new(start, CharOffset(start.0 + "القاهرة".chars().count()));
        d.annotations.create(&doc, span, "LOC").unwrap();
    }
    let t_learn = Instant::now();
    let mut learning = vec![step_timed(&mut h)];
    learning.extend(frames_until(
        &mut h,
        Duration::from_secs(600),
        learning_done,
    ));
    learning.push(step_timed(&mut h));
    let learn = t_learn.elapsed();
    let learned = h
        .state()
        .document()
        .unwrap()
        .annotations
        .suggestions
        .iter()
        .filter(|s| {
            s.suggested
                .is_some_and(|x| x.source == warraq::model::annotations::Source::Learned)
        })
        .count();

    let all_frames: Vec<Duration> = [
        &opening,
        &finding,
        &retyping,
        &scrolling,
        &jumping,
        &tagging,
        &reviewing,
        &vec![applied_frame],
        &preannotating,
        &saving,
        &merging,
        &learning,
    ]
    .iter()
    .flat_map(|v| v.iter().copied())
    .collect();
    let figures = json!({
        "book_mb": size_mb,
        "paragraphs": paragraphs,
        "annotations": loaded,
        "open_document_ms": ms(open_document),
        "first_frame_ms": ms(first_frame),
        "opening_frame_max_ms": max_ms(&opening),
        "first_search_ms": ms(first_search),
        "first_search_matches": matches,
        "first_search_frame_max_ms": max_ms(&finding),
        "second_search_ms": ms(second_search),
        "second_search_frame_max_ms": max_ms(&retyping),
        "index_bytes_per_text_byte": index_bytes as f64 / (size_mb * 1e6),
        "scroll_median_ms": percentile(&scrolling, 0.5),
        "scroll_p99_ms": percentile(&scrolling, 0.99),
        "jump_to_end_ms": ms(jump_to_end),
        "tag_all_word": word,
        "tag_all_occurrences": occurrences,
        "tag_all_candidates": candidates,
        "review_open_ms": ms(review_open),
        "tag_all_search_ms": ms(tag_all_search),
        "review_frame_p99_ms": percentile(&reviewing, 0.99),
        "annotations_after_tag_all": annotations_now,
        "frame_after_applying_ms": ms(applied_frame),
        "preannotate_ms": ms(preannotate),
        "preannotate_suggestions": suggestions,
        "preannotate_frame_max_ms": max_ms(&preannotating),
        "suggestions_landing_frame_ms": ms(landing),
        "save_ms": ms(save_done),
        "save_frame_max_ms": max_ms(&saving),
        "merge_save_ms": ms(merge_save),
        "merge_save_frame_max_ms": max_ms(&merging),
        "learn_ms": ms(learn),
        "learn_frame_max_ms": max_ms(&learning),
        "learned_suggestions": learned,
        "suggestions_before_learning": before_look,
        "frames": all_frames.len(),
        "frame_p99_ms": percentile(&all_frames, 0.99),
        "frame_max_ms": max_ms(&all_frames),
        "rss_start_mb": rss_start,
        "rss_open_mb": rss_open,
        "rss_index_mb": rss_index,
        "rss_end_mb": rss_end,
        "peak_mb": peak,
    });
    for (k, v) in figures.as_object().unwrap() {
        common::record("book", k, v.clone());
    }
    println!("{}", serde_json::to_string_pretty(&figures).unwrap());
}
