//! What the package installs: the manual pages and completions generated from the command line's definition, the
//! desktop entry, AppStream metadata, MIME types and icons. The validators (desktop-file-validate, appstreamcli)
//! run when installed; CI installs them and sets WARRAQ_REQUIRE_TOOLS=1 so that they must.
//!
//! After changing the command line, `WARRAQ_WRITE_ASSETS=1 cargo test --test install` rewrites assets/man and
//! assets/completions.

use std::path::{Path, PathBuf};

use warraq::cli::args;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The generated files the package installs: (path under the root, content).
fn generated() -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = vec![(
        PathBuf::from("assets/man/warraq.1"),
        args::man_page(None).unwrap(),
    )];
    for name in args::COMMANDS {
        out.push((
            PathBuf::from(format!("assets/man/warraq-{name}.1")),
            args::man_page(Some(name)).unwrap(),
        ));
    }
    use clap_complete::Shell;
    for (shell, file) in [
        (Shell::Bash, "warraq.bash"),
        (Shell::Zsh, "_warraq"),
        (Shell::Fish, "warraq.fish"),
    ] {
        out.push((
            PathBuf::from(format!("assets/completions/{file}")),
            args::completions(shell),
        ));
    }
    out
}

#[test]
fn manual_pages_and_completions_are_generated_from_the_definition() {
    let write = std::env::var_os("WARRAQ_WRITE_ASSETS").is_some();
    let mut stale = Vec::new();
    for (path, content) in generated() {
        let full = root().join(&path);
        if write {
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, &content).unwrap();
        } else if std::fs::read(&full).ok().as_deref() != Some(&content[..]) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "out of date (regenerate with WARRAQ_WRITE_ASSETS=1 cargo test --test install): {stale:?}"
    );
    // Every command has its page, with its options and an example.
    let export = String::from_utf8(args::man_page(Some("export")).unwrap()).unwrap();
    assert!(export.contains("warraq\\-export") && export.contains("\\-\\-format"));
    assert!(export.contains("Example"));
    let bash = String::from_utf8(args::completions(clap_complete::Shell::Bash)).unwrap();
    for name in args::COMMANDS {
        assert!(bash.contains(name), "bash completion lacks {name}");
    }
}

#[test]
fn the_list_of_commands_is_the_definition_s() {
    let defined: Vec<String> = args::command()
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .filter(|n| n != "help")
        .collect();
    assert_eq!(defined, args::COMMANDS.to_vec());
}

fn require_tools() -> bool {
    std::env::var_os("WARRAQ_REQUIRE_TOOLS").is_some()
}

/// Runs a validator if it is installed; `None` when it is not (and not required).
fn validate(program: &str, args: &[&str], file: &Path) -> Option<std::process::Output> {
    match std::process::Command::new(program)
        .args(args)
        .arg(file)
        .output()
    {
        Ok(o) => Some(o),
        Err(e) => {
            assert!(!require_tools(), "{program} is required: {e}");
            eprintln!("{program} not installed: not run");
            None
        }
    }
}

#[test]
fn the_desktop_entry_opens_text_and_the_imported_formats() {
    let path = root().join("assets/warraq.desktop");
    let entry = std::fs::read_to_string(&path).unwrap();
    for line in [
        "Exec=warraq %f",
        "Icon=warraq",
        "Name[ar]=ورّاق",
        "Terminal=false",
    ] {
        assert!(entry.lines().any(|l| l == line), "{line} missing");
    }
    let mime = entry
        .lines()
        .find_map(|l| l.strip_prefix("MimeType="))
        .unwrap();
    // Each type is text, or one the package's MIME file defines.
    let defined = std::fs::read_to_string(root().join("assets/warraq-mime.xml")).unwrap();
    for t in mime.split(';').filter(|t| !t.is_empty()) {
        assert!(
            t == "text/plain" || defined.contains(&format!("type=\"{t}\"")),
            "{t} is neither text/plain nor defined in warraq-mime.xml"
        );
    }
    for glob in ["*.ann", "*.conll", "*.jsonl"] {
        assert!(defined.contains(&format!("pattern=\"{glob}\"")), "{glob}");
    }
    if let Some(o) = validate("desktop-file-validate", &[], &path) {
        assert!(
            o.status.success() && o.stdout.is_empty(),
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn the_appstream_metadata_is_valid_and_names_this_version() {
    let path = root().join("assets/org.warraq.Warraq.metainfo.xml");
    let xml = std::fs::read_to_string(&path).unwrap();
    assert!(xml.contains(&format!(
        "<release version=\"{}\"",
        env!("CARGO_PKG_VERSION")
    )));
    assert!(xml.contains("<launchable type=\"desktop-id\">warraq.desktop</launchable>"));
    if let Some(o) = validate("appstreamcli", &["validate", "--no-net"], &path) {
        assert!(
            o.status.success(),
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn every_icon_has_the_size_its_folder_names_and_the_package_lists_what_exists() {
    let mut sizes = 0;
    for entry in std::fs::read_dir(root().join("assets/icons")).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let (w, h) = name.split_once('x').unwrap();
        let decoder = png::Decoder::new(std::io::BufReader::new(
            std::fs::File::open(dir.join("warraq.png")).unwrap(),
        ));
        let info = decoder.read_info().unwrap();
        assert_eq!(
            (info.info().width, info.info().height),
            (w.parse().unwrap(), h.parse().unwrap()),
            "{name}"
        );
        sizes += 1;
    }
    assert!(sizes >= 6);
    // Every file `cargo deb` is told to install is in the repository (the binary is built first).
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let deb = &manifest[manifest.find("[package.metadata.deb]").unwrap()..];
    let mut listed = 0;
    for line in deb.lines().filter(|l| l.trim_start().starts_with("[\"")) {
        let source = line.trim_start().trim_start_matches("[\"");
        let source = &source[..source.find('"').unwrap()];
        if source.starts_with("target/") {
            continue;
        }
        listed += 1;
        if let Some(dir) = source.strip_suffix("/*.1") {
            assert!(root().join(dir).join("warraq.1").is_file(), "{source}");
        } else {
            assert!(
                root().join(source).is_file(),
                "{source} is listed but missing"
            );
        }
    }
    assert!(listed >= 10, "{listed} assets listed");
}
