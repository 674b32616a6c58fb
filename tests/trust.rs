//! The trust rules through the real binary: no input is ever written over, existing outputs only with --force,
//! names from inside files stay in the chosen folder, bad numbers and odd files get a message (exit 1 or 2),
//! never a panic or a hang.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SAMPLE: &str = include_str!("../assets/sample-article-ar.txt");

mod common;

use common::warraq;

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A folder with `name` holding the sample and one PER annotation in its sidecar.
fn annotated(dir: &Path, name: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, SAMPLE).unwrap();
    let list = dir.join("names.tsv");
    std::fs::write(&list, "روسيا\tGPE\n").unwrap();
    let out = warraq(&[
        "preannotate",
        p.to_str().unwrap(),
        "--gazetteer",
        list.to_str().unwrap(),
        "--accept-all",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    p
}

/// `warraq export P --format csv --out TARGET [--force]`.
fn export_csv(p: &Path, target: &Path, force: bool) -> std::process::Output {
    let mut args = vec![
        "export",
        p.to_str().unwrap(),
        "--format",
        "csv",
        "--out",
        target.to_str().unwrap(),
    ];
    if force {
        args.push("--force");
    }
    warraq(&args)
}

fn no_panic(out: &std::process::Output) {
    let t = text(out);
    assert!(!t.contains("panicked"), "{t}");
    assert_ne!(out.status.code(), Some(101), "{t}");
}

#[test]
fn export_never_writes_over_its_input_or_a_sidecar() {
    let dir = tempfile::tempdir().unwrap();
    for (name, format) in [
        ("data.csv", "csv"),
        ("data.jsonl", "jsonl"),
        ("data.conll", "conll"),
        ("data.jsonld", "w3c"),
    ] {
        let p = annotated(dir.path(), name);
        let before = std::fs::read(&p).unwrap();
        let out = warraq(&["export", p.to_str().unwrap(), "--format", format]);
        no_panic(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", text(&out));
        assert!(text(&out).contains("this is an input"), "{}", text(&out));
        assert_eq!(std::fs::read(&p).unwrap(), before, "{name} untouched");
        // --force does not make an input writable either.
        let out = warraq(&["export", p.to_str().unwrap(), "--format", format, "--force"]);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(std::fs::read(&p).unwrap(), before);
    }
    let p = annotated(dir.path(), "article.txt");
    let side = warraq::store::sidecar::sidecar_path(&p);
    let side_before = std::fs::read(&side).unwrap();
    for target in [p.clone(), side.clone()] {
        let out = export_csv(&p, &target, true);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    }
    assert_eq!(std::fs::read_to_string(&p).unwrap(), SAMPLE);
    assert_eq!(std::fs::read(&side).unwrap(), side_before);
}

#[test]
fn brat_export_into_the_source_folder_leaves_the_source_alone() {
    let dir = tempfile::tempdir().unwrap();
    let crlf = SAMPLE.replace('\n', "\r\n");
    let p = dir.path().join("news.txt");
    std::fs::write(&p, &crlf).unwrap();
    let list = dir.path().join("names.tsv");
    std::fs::write(&list, "روسيا\tGPE\n").unwrap();
    assert!(
        warraq(&[
            "preannotate",
            p.to_str().unwrap(),
            "--gazetteer",
            list.to_str().unwrap(),
            "--accept-all"
        ])
        .status
        .success()
    );
    let out = warraq(&[
        "export",
        p.to_str().unwrap(),
        "--format",
        "brat",
        "--out",
        dir.path().to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("news.txt"), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        crlf,
        "CR LF kept: the source was not rewritten"
    );
    assert!(!dir.path().join("news.ann").exists(), "nothing was written");
}

#[test]
fn an_existing_output_is_replaced_only_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let p = annotated(dir.path(), "article.txt");
    let out_path = dir.path().join("out.csv");
    let first = export_csv(&p, &out_path, false);
    assert!(first.status.success(), "{}", text(&first));
    std::fs::write(&out_path, "edited by hand\n").unwrap();
    let again = export_csv(&p, &out_path, false);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again).contains("--force"), "{}", text(&again));
    assert_eq!(
        std::fs::read_to_string(&out_path).unwrap(),
        "edited by hand\n"
    );
    let forced = export_csv(&p, &out_path, true);
    assert!(forced.status.success(), "{}", text(&forced));
    assert!(
        std::fs::read_to_string(&out_path)
            .unwrap()
            .contains("روسيا")
    );
    // render too
    let png = dir.path().join("page.png");
    std::fs::write(&png, "mine").unwrap();
    let render = |out: &Path, force: bool| {
        let mut args = vec![
            "render",
            p.to_str().unwrap(),
            "--width",
            "300",
            "--out",
            out.to_str().unwrap(),
        ];
        if force {
            args.push("--force");
        }
        warraq(&args)
    };
    let r = render(&png, false);
    assert_eq!(r.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&png).unwrap(), "mine");
    let r = render(&p, true);
    assert_eq!(
        r.status.code(),
        Some(1),
        "render never writes over its input"
    );
    assert_eq!(std::fs::read_to_string(&p).unwrap(), SAMPLE);
}

#[test]
fn jsonl_document_names_cannot_leave_the_chosen_folder() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside.txt");
    let abs = dir.path().join("abs.txt");
    let jsonl = dir.path().join("in.jsonl");
    let lines = [
        format!(
            r#"{{"document": "{}", "text": "نص أول", "entities": []}}"#,
            abs.display()
        ),
        r#"{"document": "../outside.txt", "text": "نص ثان", "entities": []}"#.to_owned(),
        r#"{"document": "..", "text": "نص ثالث", "entities": []}"#.to_owned(),
    ];
    std::fs::write(&jsonl, lines.join("\n")).unwrap();
    let into = dir.path().join("sub").join("into");
    let out = warraq(&[
        "import",
        jsonl.to_str().unwrap(),
        "--format",
        "jsonl",
        "--out",
        into.to_str().unwrap(),
    ]);
    no_panic(&out);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!outside.exists() && !abs.exists(), "nothing outside --out");
    assert!(into.join("abs.txt").exists());
    assert!(into.join("outside.txt").exists());
    assert!(
        into.join("in-3.txt").exists(),
        "an unusable name falls back to FILE-LINE.txt"
    );
}

#[test]
fn brat_fragments_out_of_order_are_reported_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("d.txt"), "موسكو عاصمة روسيا").unwrap();
    let ann = dir.path().join("d.ann");
    std::fs::write(
        &ann,
        "T1\tGPE 6 10;0 5\tعاصم موسكو\nT2\tGPE 0 5;0 5\tموسكو موسكو\nT3\tGPE 0 5;3 8\tx\nT4\tGPE 12 17\tروسيا\n",
    )
    .unwrap();
    let out = warraq(&[
        "import",
        ann.to_str().unwrap(),
        "--format",
        "brat",
        "--out",
        dir.path().join("o").to_str().unwrap(),
    ]);
    no_panic(&out);
    assert!(out.status.success(), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("d.ann:1:") && t.contains("out of order"), "{t}");
    assert!(t.contains("d.ann:2:") && t.contains("d.ann:3:"), "{t}");
    assert!(t.contains("imported 1 annotation "), "{t}");
}

#[test]
fn numbers_out_of_range_are_refused_with_exit_status_2() {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample-article-ar.txt");
    for args in [
        vec!["render", p, "--width", "1e7", "--out", "/tmp/x.png"],
        vec![
            "render",
            p,
            "--width",
            "600",
            "--font-size",
            "1e30",
            "--out",
            "/tmp/x.png",
        ],
        vec!["layout", p, "--width", "600", "--font-size", "10000"],
        vec![
            "render",
            p,
            "--width",
            "20000",
            "--height",
            "20000",
            "--out",
            "/tmp/x.png",
        ],
        vec!["layout", p, "--width", "NaN"],
        vec!["layout", p, "--width", "inf"],
        vec!["layout", p, "--width", "-5"],
        vec![
            "render",
            p,
            "--width",
            "600",
            "--height",
            "0",
            "--out",
            "/tmp/x.png",
        ],
    ] {
        let start = Instant::now();
        let out = warraq(&args);
        no_panic(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(
            text(&out).contains("out of range") || text(&out).contains("pixels"),
            "{}",
            text(&out)
        );
        assert!(start.elapsed() < Duration::from_secs(5));
    }
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample-article-ar.txt");
    let mut child = Command::new(env!("CARGO_BIN_EXE_warraq"))
        .args(["layout", p, "--width", "300", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one byte and hang up, as `| head -c 1` does.
    {
        use std::io::Read;
        let mut stdout = child.stdout.take().unwrap();
        let mut b = [0u8; 1];
        stdout.read_exact(&mut b).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    no_panic(&out);
}

#[test]
fn devices_pipes_and_folders_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    for (path, expect) in [
        ("/dev/zero", "not a regular file"),
        ("/dev/null", "not a regular file"),
        (dir.path().to_str().unwrap(), "is a folder"),
    ] {
        let start = Instant::now();
        let out = warraq(&["annotations", path]);
        no_panic(&out);
        assert_eq!(out.status.code(), Some(1), "{path}: {}", text(&out));
        assert!(text(&out).contains(expect), "{path}: {}", text(&out));
        assert!(start.elapsed() < Duration::from_secs(5));
    }
    #[cfg(unix)]
    {
        let fifo = dir.path().join("fifo");
        let ok = Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            let out = warraq(&["annotations", fifo.to_str().unwrap()]);
            assert_eq!(out.status.code(), Some(1), "{}", text(&out));
            assert!(text(&out).contains("not a regular file"));
            // A sidecar that is a FIFO is refused too, and the document still opens read-only.
            let doc = dir.path().join("doc.txt");
            std::fs::write(&doc, "نص").unwrap();
            Command::new("mkfifo")
                .arg(warraq::store::sidecar::sidecar_path(&doc))
                .status()
                .unwrap();
            let start = Instant::now();
            let out = warraq(&["annotations", doc.to_str().unwrap()]);
            no_panic(&out);
            assert!(text(&out).contains("not a regular file"), "{}", text(&out));
            assert!(start.elapsed() < Duration::from_secs(5));
        }
    }
}

#[test]
fn a_very_long_line_and_a_very_long_name_take_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    // One 400 kB line.
    let line: String = "كلمة عربية طويلة ".repeat(13_000);
    let p = dir.path().join("line.txt");
    std::fs::write(&p, &line).unwrap();
    let start = Instant::now();
    let out = warraq(&[
        "layout",
        p.to_str().unwrap(),
        "--width",
        "600",
        "--font-size",
        "20",
    ]);
    no_panic(&out);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "layout of a 400 kB line: {:?}",
        start.elapsed()
    );
    // A 40 000-character "name" in a gazetteer is reported and skipped.
    let list = dir.path().join("names.tsv");
    std::fs::write(&list, format!("{}\tPER\nكلمة\tMISC\n", "ا".repeat(40_000))).unwrap();
    let start = Instant::now();
    let out = warraq(&[
        "preannotate",
        p.to_str().unwrap(),
        "--gazetteer",
        list.to_str().unwrap(),
    ]);
    no_panic(&out);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("names.tsv:1:"), "{}", text(&out));
    assert!(start.elapsed() < Duration::from_secs(20));
}

#[test]
fn huge_ids_in_a_sidecar_are_renumbered_not_wrapped() {
    let dir = tempfile::tempdir().unwrap();
    let p = annotated(dir.path(), "article.txt");
    let side = warraq::store::sidecar::sidecar_path(&p);
    let text_before = std::fs::read_to_string(&side).unwrap();
    let bumped = text_before.replacen("(id: 1,", &format!("(id: {},", u64::MAX), 1);
    assert_ne!(bumped, text_before);
    std::fs::write(&side, &bumped).unwrap();
    let out = warraq(&["annotations", p.to_str().unwrap(), "--json"]);
    no_panic(&out);
    assert!(out.status.success(), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<u64> = v["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_u64().unwrap())
        .collect();
    assert!(ids.iter().all(|&i| i < (1u64 << 53)), "{ids:?}");
    let unique: std::collections::HashSet<u64> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len());
}

#[test]
fn command_line_runs_at_the_same_moment_keep_each_others_work() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("doc.txt");
    std::fs::write(&p, SAMPLE).unwrap();
    let words = [
        "روسيا",
        "المتحدة",
        "السيبراني",
        "موسكو",
        "واشنطن",
        "أنتونوف",
        "الأمن",
        "الرئيس",
    ];
    let children: Vec<_> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let list = dir.path().join(format!("n{i}.tsv"));
            std::fs::write(&list, format!("{w}\tT{i}\n")).unwrap();
            Command::new(env!("CARGO_BIN_EXE_warraq"))
                .args([
                    "preannotate",
                    p.to_str().unwrap(),
                    "--gazetteer",
                    list.to_str().unwrap(),
                    "--accept-all",
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        no_panic(&out);
        assert!(out.status.success(), "{}", text(&out));
    }
    let out = warraq(&["annotations", p.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let tags: std::collections::BTreeSet<String> = v["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["tag"].as_str().unwrap().to_owned())
        .collect();
    for (i, w) in words.iter().enumerate() {
        if SAMPLE.contains(w) {
            assert!(
                tags.contains(&format!("T{i}")),
                "run {i}'s annotations survived: {tags:?}"
            );
        }
    }
    // No temporary files are left behind.
    let litter: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(litter.is_empty(), "{litter:?}");
}

#[test]
fn export_never_replaces_another_annotated_documents_text() {
    let dir = tempfile::tempdir().unwrap();
    let p = annotated(dir.path(), "article.txt");
    std::fs::create_dir(dir.path().join("other")).unwrap();
    let other = annotated(&dir.path().join("other"), "o.txt");
    let out = export_csv(&p, &other, true);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("annotated document's text"),
        "{}",
        text(&out)
    );
    assert_eq!(std::fs::read_to_string(&other).unwrap(), SAMPLE);
}

#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_is_a_name_like_any_other() {
    use std::os::unix::ffi::OsStrExt;
    let raw = std::ffi::OsStr::from_bytes(b"n\xff.txt");
    let out = Command::new(env!("CARGO_BIN_EXE_warraq"))
        .args([std::ffi::OsStr::new("annotations"), raw])
        .output()
        .unwrap();
    // Such a name is a name like any other: here, of a file that is not there.
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("no such file"), "{}", text(&out));
}
