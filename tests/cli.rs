//! The command line as a script would use it: the real binary, its output and exit status.

use warraq::model::{AnnotationSet, CharOffset, Document, Span, TagSet};
use warraq::store::sidecar::{self, Fingerprint};

const SAMPLE: &str = include_str!("../assets/sample-article-ar.txt");

mod common;

use common::warraq;

#[test]
fn layout_json_has_the_documented_shape() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample-article-ar.txt");
    let out = warraq(&[
        "layout",
        path,
        "--width",
        "600",
        "--font-size",
        "20",
        "--json",
    ]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lines = v["lines"].as_array().unwrap();
    assert_eq!(lines[0]["paragraph"], 0);
    assert_eq!(lines[0]["start"], 0);
    let paragraphs: std::collections::BTreeSet<u64> = lines
        .iter()
        .map(|l| l["paragraph"].as_u64().unwrap())
        .collect();
    assert_eq!(
        paragraphs.len(),
        SAMPLE.lines().count(),
        "every line of the file, empty ones included"
    );
    for l in lines {
        let clusters = l["clusters"].as_array().unwrap();
        let xs: Vec<f64> = clusters.iter().map(|c| c["x"].as_f64().unwrap()).collect();
        assert!(
            xs.windows(2).all(|w| w[0] <= w[1] + 0.01),
            "clusters in visual order"
        );
        for c in clusters {
            assert!(c["start"].as_u64() < c["end"].as_u64());
            assert!(c["advance"].as_f64().unwrap() >= 0.0);
        }
    }
}

#[test]
fn render_writes_a_png_with_text_and_highlights() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("a.txt");
    std::fs::write(&src, SAMPLE).unwrap();
    let out_plain = dir.path().join("plain.png");
    let o = warraq(&[
        "render",
        src.to_str().unwrap(),
        "--width",
        "500",
        "--height",
        "300",
        "--out",
        out_plain.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Annotate the first word and render again: the page changes where the highlight is.
    let doc = Document::new(SAMPLE.to_owned());
    let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
    set.create(&doc, Span::new(CharOffset(0), CharOffset(5)), "PER");
    sidecar::save(
        &sidecar::sidecar_path(&src),
        &set,
        Fingerprint::of(SAMPLE.as_bytes(), "UTF-8"),
        false,
    )
    .unwrap();
    let out_hl = dir.path().join("highlight.png");
    let o = warraq(&[
        "render",
        src.to_str().unwrap(),
        "--width",
        "500",
        "--height",
        "300",
        "--out",
        out_hl.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let decode = |p: &std::path::Path| {
        let d = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(p).unwrap()));
        let mut r = d.read_info().unwrap();
        let mut buf = vec![0; r.output_buffer_size().unwrap()];
        r.next_frame(&mut buf).unwrap();
        buf
    };
    let (a, b) = (decode(&out_plain), decode(&out_hl));
    assert_eq!(a.len(), 548 * 300 * 3);
    assert!(
        a.chunks(3).filter(|p| p[0] < 100).count() > 500,
        "text was drawn"
    );
    let changed = a.chunks(3).zip(b.chunks(3)).filter(|(x, y)| x != y).count();
    assert!(changed > 200, "the highlight changed {changed} pixels");
}

#[test]
fn annotations_json_lists_what_the_sidecar_holds_after_reanchoring() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("a.txt");
    std::fs::write(&src, SAMPLE).unwrap();
    let doc = Document::new(SAMPLE.to_owned());
    let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
    let id = set
        .create(&doc, Span::new(CharOffset(0), CharOffset(5)), "GPE")
        .unwrap();
    set.set_note(id, "دولة");
    sidecar::save(
        &sidecar::sidecar_path(&src),
        &set,
        Fingerprint::of(SAMPLE.as_bytes(), "UTF-8"),
        false,
    )
    .unwrap();
    let before = std::fs::read(sidecar::sidecar_path(&src)).unwrap();
    // The text changes: two characters inserted at the start.
    std::fs::write(&src, format!("**{SAMPLE}")).unwrap();
    let o = warraq(&["annotations", src.to_str().unwrap(), "--json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let a = &v["annotations"][0];
    assert_eq!(
        (a["tag"].as_str(), a["start"].as_u64(), a["end"].as_u64()),
        (Some("GPE"), Some(2), Some(7))
    );
    assert_eq!(a["text"], "روسيا");
    assert_eq!(a["note"], "دولة");
    assert_eq!(v["unplaced"].as_array().unwrap().len(), 0);
    assert_eq!(
        std::fs::read(sidecar::sidecar_path(&src)).unwrap(),
        before,
        "nothing was written"
    );
}

#[test]
fn failures_exit_non_zero_with_a_message() {
    let o = warraq(&["annotations", "/nonexistent/x.txt"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no such file"));
    let o = warraq(&["layout", "x.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--width"));
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("a.txt");
    std::fs::write(&src, SAMPLE).unwrap();
    std::fs::write(sidecar::sidecar_path(&src), "not ron").unwrap();
    let o = warraq(&["annotations", src.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("line 1"));
}

#[test]
fn preannotate_writes_suggestions_or_annotations_to_the_sidecar() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("a.txt");
    std::fs::write(&src, SAMPLE).unwrap();
    let list = dir.path().join("names.csv");
    std::fs::write(&list, "روسيا,GPE\nأناتولي أنتونوف,PER\n").unwrap();
    let o = warraq(&[
        "preannotate",
        src.to_str().unwrap(),
        "--gazetteer",
        list.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("suggestions"));
    let side = std::fs::read_to_string(sidecar::sidecar_path(&src)).unwrap();
    assert!(
        side.contains("suggestions: [") && !side.contains("annotations: [\n    (id"),
        "{side}"
    );
    let o = warraq(&[
        "preannotate",
        src.to_str().unwrap(),
        "--gazetteer",
        list.to_str().unwrap(),
        "--accept-all",
    ]);
    assert!(o.status.success());
    let o = warraq(&["annotations", src.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let n = SAMPLE.matches("روسيا").count() + SAMPLE.matches("أناتولي أنتونوف").count();
    let got = v["annotations"].as_array().unwrap().len();
    assert!(got + 2 >= n && got <= n, "{got} of {n}");
    assert_eq!(
        std::fs::read_to_string(&src).unwrap(),
        SAMPLE,
        "the text is never written"
    );
}

#[test]
fn find_prints_every_arabic_aware_match_with_code_point_offsets() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample-article-ar.txt");
    // ة folded to ه, harakat ignored: the same matches as the window's find bar.
    let out = warraq(&["find", path, "المتحده", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let matches = v["matches"].as_array().unwrap();
    assert_eq!(matches.len(), SAMPLE.matches("المتحدة").count());
    let chars: Vec<char> = SAMPLE.chars().collect();
    for m in matches {
        let (s, e) = (
            m["start"].as_u64().unwrap() as usize,
            m["end"].as_u64().unwrap() as usize,
        );
        let text: String = chars[s..e].iter().collect();
        assert_eq!(text, "المتحدة");
        assert_eq!(m["text"], "المتحدة");
    }
    // The plain form: one line per match, FILE:START-END: context [match] context.
    let out = warraq(&["find", path, "المتحده"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), matches.len());
    let first = text.lines().next().unwrap();
    let s = matches[0]["start"].as_u64().unwrap();
    assert!(first.starts_with(&format!("{path}:{s}-")), "{first}");
    assert!(first.contains("[المتحدة]"), "{first}");
    // Exact search does not fold ة; nothing found is exit status 1 with no output, like grep.
    let out = warraq(&["find", path, "المتحده", "--exact"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    // A missing file is reported (exit status 2, as grep does) and the other files are still searched.
    let out = warraq(&["find", "/nonexistent.txt", path, "المتحده", "--json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such file"));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["matches"].as_array().unwrap().len(), matches.len());
    assert!(v["errors"][0].as_str().unwrap().contains("no such file"));
    // No query is a usage error.
    assert_eq!(warraq(&["find", path]).status.code(), Some(2));
}

/// The short text the agreement and curation tests annotate.
const TEAM_TEXT: &str = "قال محمد بن سلمان في القاهرة إن الاجتماع انتهى";

/// Writes `folder/name` with [`TEAM_TEXT`] and a sidecar tagging each (word, tag).
fn write_annotated(dir: &std::path::Path, folder: &str, name: &str, tags: &[(&str, &str)]) {
    let text = TEAM_TEXT;
    let doc = Document::new(text.to_owned());
    let span = |w: &str| {
        let b = text.find(w).unwrap();
        let s = text[..b].chars().count();
        Span::new(CharOffset(s), CharOffset(s + w.chars().count()))
    };
    let f = dir.join(folder);
    std::fs::create_dir_all(&f).unwrap();
    let source = f.join(name);
    std::fs::write(&source, text).unwrap();
    let mut set = AnnotationSet::new(Vec::new(), Vec::new(), TagSet::default());
    for (w, t) in tags {
        set.create(&doc, span(w), t);
    }
    sidecar::save(
        &sidecar::sidecar_path(&source),
        &set,
        Fingerprint::of(text.as_bytes(), "UTF-8"),
        false,
    )
    .unwrap();
}

#[test]
fn agree_scores_two_annotators_folders_and_names_what_it_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let write = |folder: &str, name: &str, tags: &[(&str, &str)]| {
        write_annotated(dir.path(), folder, name, tags);
    };
    write(
        "a",
        "one.txt",
        &[("محمد بن سلمان", "PER"), ("القاهرة", "LOC")],
    );
    write("b", "one.txt", &[("محمد", "PER"), ("القاهرة", "LOC")]);
    write("a", "two.txt", &[("الاجتماع", "MISC")]);
    let o = warraq(&[
        "agree",
        dir.path().join("a").to_str().unwrap(),
        dir.path().join("b").to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["documents"], 1);
    assert_eq!(v["exact"]["tp"], 1);
    assert_eq!(v["exact"]["fp"], 1);
    assert_eq!(v["exact"]["fn"], 1);
    assert_eq!(v["overlap"]["f1"], 1.0, "محمد overlaps محمد بن سلمان");
    assert_eq!(v["per_tag"]["LOC"]["exact"]["f1"], 1.0);
    assert!(v["kappa"].as_f64().unwrap() < 1.0 && v["alpha"].as_f64().is_some());
    assert!(
        v["problems"][0]
            .as_str()
            .unwrap()
            .contains("two.txt: missing in"),
        "{}",
        v["problems"]
    );
    // The table form, and a clear refusal of a single annotator.
    let o = warraq(&[
        "agree",
        dir.path().join("a").to_str().unwrap(),
        dir.path().join("b").to_str().unwrap(),
    ]);
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(
        table.contains("Cohen's kappa") && table.contains("exact"),
        "{table}"
    );
    let o = warraq(&["agree", dir.path().join("a").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn curate_makes_curated_copies_and_a_second_run_keeps_decisions_and_asks_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let text = TEAM_TEXT;
    let write = |folder: &str, tags: &[(&str, &str)]| {
        write_annotated(dir.path(), folder, "one.txt", tags);
    };
    write(
        "a",
        &[
            ("محمد بن سلمان", "PER"),
            ("القاهرة", "LOC"),
            ("الاجتماع", "MISC"),
        ],
    );
    write(
        "b",
        &[("محمد", "PER"), ("القاهرة", "LOC"), ("الاجتماع", "ORG")],
    );
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let into = dir.path().join("curated");
    let args = [
        "curate",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--into",
        into.to_str().unwrap(),
    ];
    let o = warraq(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("1 agreed annotations merged, 2 of 2 disagreements left to decide"),
        "{out}"
    );
    assert_eq!(std::fs::read_to_string(into.join("one.txt")).unwrap(), text);
    // Decide the boundaries question in the curated copy (as the window does): the first annotator's version.
    let mut d = warraq::workspace::OpenDocument::open(&into.join("one.txt"), None).unwrap();
    let files = d.curation_files().unwrap();
    let annotators =
        warraq::workspace::curation::read_annotators(&files, d.doc.text(), "the curated copy's")
            .unwrap();
    d.begin_curation(warraq::workspace::curation::Curation::new(annotators));
    let i = {
        let Some(Ok(c)) = &d.curation else { panic!() };
        *c.disagreements
            .iter()
            .find(|&&i| c.groups[i].kind == Some(warraq::model::curation::Kind::Boundaries))
            .unwrap()
    };
    d.decide(i, warraq::model::curation::Choice::Annotator(0));
    d.save_now().unwrap();
    drop(d);
    // The second annotator agrees on الاجتماع now: a second run merges it, keeps the decision, asks nothing more.
    write(
        "b",
        &[("محمد", "PER"), ("القاهرة", "LOC"), ("الاجتماع", "MISC")],
    );
    let o = warraq(&args);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("1 agreed annotations merged, 0 of 1 disagreements left to decide"),
        "{out}"
    );
    let o = warraq(&[
        "annotations",
        into.join("one.txt").to_str().unwrap(),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut got: Vec<String> = v["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            format!(
                "{} {}",
                a["tag"].as_str().unwrap(),
                a["text"].as_str().unwrap()
            )
        })
        .collect();
    got.sort();
    assert_eq!(got, ["LOC القاهرة", "MISC الاجتماع", "PER محمد بن سلمان"]);
    // The annotators' files are only read; a curated folder among them is refused.
    let o = warraq(&[
        "curate",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--into",
        a.join("x").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("must be apart"));
    assert!(!a.join("x").exists());
    assert_eq!(
        warraq(&["curate", a.to_str().unwrap()]).status.code(),
        Some(2)
    );
}

#[test]
fn curate_never_writes_through_a_link_into_an_annotators_folder_nor_takes_over_annotated_copies() {
    let dir = tempfile::tempdir().unwrap();
    let write = |folder: &str, name: &str, tags: &[(&str, &str)]| {
        write_annotated(dir.path(), folder, name, tags);
    };
    write("a/news", "one.txt", &[("محمد", "PER")]);
    write("b/news", "one.txt", &[("محمد", "LOC")]);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let sums = |p: &std::path::Path| std::fs::read(p.join("news/one.txt.warraq.ron")).unwrap();
    let (sa, sb) = (sums(&a), sums(&b));
    // A link inside the curated folder that leads into an annotator's folder.
    let into = dir.path().join("curated");
    std::fs::create_dir_all(&into).unwrap();
    std::os::unix::fs::symlink(a.join("news"), into.join("news")).unwrap();
    let o = warraq(&[
        "curate",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--into",
        into.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("through a link"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!((sums(&a), sums(&b)), (sa.clone(), sb.clone()));
    // The same annotator twice.
    let o = warraq(&[
        "curate",
        a.to_str().unwrap(),
        dir.path().join("a/../a").to_str().unwrap(),
        "--into",
        dir.path().join("c2").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("given twice"));
    let o = warraq(&["agree", a.to_str().unwrap(), a.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    // A folder that holds someone's own annotations is not taken over; a document whose texts differ gets no copy.
    write("c/news", "one.txt", &[("القاهرة", "LOC")]);
    write("a/news", "two.txt", &[("محمد", "PER")]);
    std::fs::create_dir_all(b.join("news")).unwrap();
    std::fs::write(b.join("news/two.txt"), "نص آخر").unwrap();
    std::fs::write(
        b.join("news/two.txt.warraq.ron"),
        std::fs::read(a.join("news/two.txt.warraq.ron")).unwrap(),
    )
    .unwrap();
    let c = dir.path().join("c");
    let before = std::fs::read(c.join("news/one.txt.warraq.ron")).unwrap();
    let o = warraq(&[
        "curate",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--into",
        c.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a document not curated fails the run"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("has annotations of its own and is not a curated copy"),
        "{err}"
    );
    assert!(
        err.contains("two.txt: left out") && err.contains("text differs"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(c.join("news/one.txt.warraq.ron")).unwrap(),
        before
    );
    assert!(!c.join("news/two.txt").exists());
    assert_eq!((sums(&a), sums(&b)), (sa, sb));
}

#[test]
fn help_version_and_usage_errors_follow_the_conventions() {
    let o = warraq(&["--version"]);
    assert!(o.status.success());
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        format!("warraq {}", env!("CARGO_PKG_VERSION"))
    );
    let o = warraq(&["--help"]);
    assert!(o.status.success());
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(
        help.contains("Exit status") && help.contains("completions"),
        "{help}"
    );
    // Every command has help with an example.
    for name in warraq::cli::args::COMMANDS {
        let o = warraq(&[name, "--help"]);
        assert!(o.status.success(), "{name}");
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("Example"),
            "{name} --help has no example"
        );
    }
    // An unknown or malformed argument is named, with status 2.
    for (args, named) in [
        (
            &["export", "a.txt", "--format", "conll", "--bogus"][..],
            "--bogus",
        ),
        (&["layout", "a.txt", "--width", "wide"][..], "--width"),
        (&["layout", "a.txt", "--width", "5"][..], "--width"),
        (&["export", "a.txt", "--format", "docx"][..], "docx"),
        (&["import", "a.ann", "--format", "xml"][..], "xml"),
        (&["--bogus"][..], "--bogus"),
        (&["layout", "a.txt", "--width", "600", "extra"][..], "extra"),
        (
            &[
                "render", "a.txt", "--width", "20000", "--height", "20000", "--out", "x.png",
            ][..],
            "pixels",
        ),
    ] {
        let o = warraq(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(named), "{args:?}: {err}");
    }
}

#[test]
fn completions_are_printed_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef warraq"),
        ("fish", "complete -c warraq"),
    ] {
        let o = warraq(&["completions", shell]);
        assert!(o.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&o.stdout);
        assert!(script.contains(marker), "{shell}: {script:.200}");
        assert!(script.contains("preannotate"), "{shell}");
    }
    let o = warraq(&["man", "find"]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).starts_with(".ie"));
}

#[test]
fn every_reporting_command_prints_json_for_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("corpus");
    std::fs::create_dir(&folder).unwrap();
    let src = folder.join("a.txt");
    std::fs::write(&src, SAMPLE).unwrap();
    let list = dir.path().join("names.csv");
    std::fs::write(&list, "روسيا,GPE\n").unwrap();
    let json = |args: &[&str]| -> serde_json::Value {
        let o = warraq(args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&o.stdout)))
    };
    let s = src.to_str().unwrap();
    let v = json(&[
        "preannotate",
        s,
        "--gazetteer",
        list.to_str().unwrap(),
        "--accept-all",
        "--json",
    ]);
    let made = v["annotations"].as_u64().unwrap();
    assert_eq!(made as usize, SAMPLE.matches("روسيا").count());
    assert_eq!(v["names"], 1);
    // A folder stands for its documents.
    let out = dir.path().join("train.conll");
    let v = json(&[
        "export",
        folder.to_str().unwrap(),
        "--format",
        "conll",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(v["annotations"].as_u64(), Some(made));
    assert_eq!(v["documents"], 1);
    let imported = dir.path().join("imported");
    std::fs::create_dir(&imported).unwrap();
    let v = json(&[
        "import",
        out.to_str().unwrap(),
        "--format",
        "conll",
        "--out",
        imported.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(v["annotations"].as_u64(), Some(made));
    assert_eq!(v["documents"].as_array().unwrap().len(), 1);
    let v = json(&["find", folder.to_str().unwrap(), "روسيا", "--json"]);
    assert_eq!(
        v["matches"].as_array().unwrap().len(),
        SAMPLE.matches("روسيا").count()
    );
    let v = json(&["annotations", s, "--json"]);
    assert_eq!(v["annotations"].as_array().unwrap().len() as u64, made);
    // Quiet and piped: nothing on standard error.
    let o = warraq(&["find", folder.to_str().unwrap(), "روسيا", "--quiet"]);
    assert!(o.status.success() && o.stderr.is_empty());
}

#[cfg(unix)]
#[test]
fn what_a_new_user_tried_behaves() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let src = d.join("a.txt");
    std::fs::write(&src, SAMPLE).unwrap();
    let s = src.to_str().unwrap();
    // A mistyped command is named (with the command meant), not opened as a file.
    for args in [&["exprot", s][..], &["exprot"][..]] {
        let o = warraq(args);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("a similar command exists: 'export'"),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // The global --quiet before the command.
    let o = warraq(&["-q", "find", s, "روسيا"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The same file twice is exported once.
    let list = d.join("names.csv");
    std::fs::write(&list, "روسيا,GPE\n").unwrap();
    let l = list.to_str().unwrap();
    assert!(
        warraq(&["preannotate", s, "--gazetteer", l, "--accept-all"])
            .status
            .success()
    );
    let out = d.join("x.jsonl");
    let o = warraq(&[
        "export",
        s,
        s,
        "--format",
        "jsonl",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["documents"], 1);
    // --force never replaces a link (nor what it points to).
    let target = d.join("target.csv");
    std::fs::write(&target, "keep").unwrap();
    let link = d.join("link.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let o = warraq(&[
        "export",
        s,
        "--format",
        "csv",
        "--out",
        link.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a regular file"));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    // A report JSON cannot hold (a name that is not UTF-8) fails rather than passing for success.
    let raw = d.join(std::ffi::OsStr::from_bytes(b"o\xff.csv"));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_warraq"))
        .args([
            "export".as_ref(),
            src.as_os_str(),
            "--format".as_ref(),
            "csv".as_ref(),
            "--json".as_ref(),
            "--out".as_ref(),
            raw.as_os_str(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    // find takes such a name like the other commands (the export was written: its rows hold the name).
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_warraq"))
        .args(["find".as_ref(), raw.as_os_str(), "روسيا".as_ref()])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // A JSON file imported as CoNLL writes nothing.
    let o = warraq(&[
        "import",
        out.to_str().unwrap(),
        "--format",
        "conll",
        "--out",
        d.join("imp").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!d.join("imp").join("x.txt").exists());
    // Nothing to compare is a failure.
    let empty = d.join("empty");
    std::fs::create_dir(&empty).unwrap();
    std::fs::write(empty.join("other.txt"), "نص").unwrap();
    let o = warraq(&["agree", s, empty.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    // A first line past the end is said.
    let o = warraq(&[
        "render",
        s,
        "--width",
        "300",
        "--from-line",
        "99999",
        "--out",
        d.join("p.png").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("past the end"));
    // An empty file is drawn as a blank page.
    let empty_text = d.join("empty.txt");
    std::fs::write(&empty_text, "").unwrap();
    let o = warraq(&[
        "render",
        empty_text.to_str().unwrap(),
        "--width",
        "300",
        "--out",
        d.join("e.png").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn suggest_learns_from_the_folder_s_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let taught = dir.path().join("a.txt");
    std::fs::write(&taught, "زار روسيا أمس").unwrap();
    let list = dir.path().join("names.csv");
    std::fs::write(&list, "روسيا,GPE\n").unwrap();
    let o = warraq(&[
        "preannotate",
        taught.to_str().unwrap(),
        "--gazetteer",
        list.to_str().unwrap(),
        "--accept-all",
    ]);
    assert!(o.status.success());
    std::fs::remove_file(&list).unwrap();
    let src = dir.path().join("b.txt");
    std::fs::write(&src, SAMPLE).unwrap();
    let s = src.to_str().unwrap();
    let o = warraq(&["suggest", s, "--json"]);
    let list = suggested_russia(&o, "GPE", "learned", 2);
    assert!(list.iter().all(|x| x["score"].as_f64() == Some(1.0)));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["learned_from"], 1);
    // They wait in the sidecar for review; with --accept-above they become annotations, and none is suggested again
    // where one now is.
    let side = std::fs::read_to_string(sidecar::sidecar_path(&src)).unwrap();
    assert!(side.contains("suggestions: ["), "{side}");
    let o = warraq(&["suggest", s, "--accept-above", "0.9", "--json"]);
    all_accepted(&o, &src, list.len());
    let o = warraq(&["suggest", s, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["suggestions"].as_array().unwrap().is_empty());
    assert_eq!(
        std::fs::read_to_string(&src).unwrap(),
        SAMPLE,
        "the text is never written"
    );
}

/// `warraq suggest --accept-above ... --json` accepted everything it found, and FILE now has `n` annotations.
fn all_accepted(o: &std::process::Output, file: &std::path::Path, n: usize) {
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let list = v["suggestions"].as_array().unwrap();
    assert!(list.iter().all(|x| x["accepted"] == true));
    let o = warraq(&["annotations", file.to_str().unwrap(), "--json"]);
    let a: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(a["annotations"].as_array().unwrap().len(), n);
}

/// The suggestions `warraq suggest ... --json` printed: about as many as روسيا in the sample, each with `tag` and
/// `source`, and offsets in code points that give its text.
fn suggested_russia(
    o: &std::process::Output,
    tag: &str,
    source: &str,
    missing: usize,
) -> Vec<serde_json::Value> {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let list = v["suggestions"].as_array().unwrap().clone();
    let n = SAMPLE.matches("روسيا").count();
    assert!(
        list.len() + missing >= n && list.len() <= n,
        "{} of {n}",
        list.len()
    );
    for x in &list {
        assert_eq!(
            (x["tag"].as_str(), x["source"].as_str()),
            (Some(tag), Some(source))
        );
        let (start, end) = (
            x["start"].as_u64().unwrap() as usize,
            x["end"].as_u64().unwrap() as usize,
        );
        let text: String = SAMPLE.chars().skip(start).take(end - start).collect();
        assert_eq!(text, x["text"].as_str().unwrap(), "offsets in code points");
    }
    list
}

#[cfg(feature = "ner")]
#[test]
fn suggest_runs_a_model_from_its_folder_and_maps_its_types() {
    let dir = tempfile::tempdir().unwrap();
    let model = common::sample_model(dir.path(), &[("روسيا", "B-LOC"), ("أنتونوف", "B-PERS")]);
    let src = dir.path().join("b.txt");
    std::fs::write(&src, SAMPLE).unwrap();
    let s = src.to_str().unwrap();
    let m = model.to_str().unwrap();
    // A folder that is not a model: said, nothing written.
    let o = warraq(&["suggest", s, "--model", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("config.json"));
    assert!(!sidecar::sidecar_path(&src).exists());
    // An unknown type in --label is refused.
    let o = warraq(&["suggest", s, "--model", m, "--label", "DATE=TIME"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("PERS, LOC"));
    // LOC becomes GPE here; PERS is left out.
    let o = warraq(&[
        "suggest", s, "--model", m, "--label", "LOC=GPE", "--label", "PERS=", "--json",
    ]);
    let list = suggested_russia(&o, "GPE", "model", 4);
    for x in &list {
        let score = x["score"].as_f64().unwrap();
        assert!(score > 0.9 && score < 1.0, "{score}");
        assert_eq!(x["text"].as_str(), Some("روسيا"));
    }
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["model"].as_str(), Some(m));
    let side = std::fs::read_to_string(sidecar::sidecar_path(&src)).unwrap();
    assert!(
        side.contains("suggested: Some((source: model, score: 0.9"),
        "{side}"
    );
    // Run again with --accept-above: nothing is suggested twice, all become annotations.
    let o = warraq(&[
        "suggest",
        s,
        "--model",
        m,
        "--label",
        "LOC=GPE",
        "--label",
        "PERS=",
        "--accept-above",
        "0.9",
        "--json",
    ]);
    all_accepted(&o, &src, list.len());
}
