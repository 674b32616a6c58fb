//! Start-up: read the command line, then open the window or run a headless command.

use std::io::Write as _;
use std::process::ExitCode;

use warraq::app::WarraqApp;
use warraq::cli::{self, Invocation};

/// Writes to standard output; a reader that went away (`warraq layout … | head`) ends the output quietly.
fn emit(s: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(s.as_bytes()).and_then(|()| out.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("warraq: standard output: {e}");
    }
}

macro_rules! outln {
    ($($t:tt)*) => { emit(&format!("{}\n", format_args!($($t)*))) };
}

fn main() -> ExitCode {
    // Arguments that are not UTF-8 (possible in Linux file names) are named, not a crash.
    let mut args: Vec<String> = Vec::new();
    for (i, a) in std::env::args_os().skip(1).enumerate() {
        match a.into_string() {
            Ok(s) => args.push(s),
            Err(raw) => {
                eprintln!(
                    "warraq: argument {} ({}) is not valid UTF-8; Warraq needs UTF-8 names",
                    i + 1,
                    raw.to_string_lossy()
                );
                return ExitCode::from(2);
            }
        }
    }
    let invocation = match cli::parse(&args) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("warraq: {e}\n\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    let result = match invocation {
        Invocation::Help => {
            emit(cli::USAGE);
            Ok(())
        }
        Invocation::Version => {
            emit(&format!("warraq {}\n", env!("CARGO_PKG_VERSION")));
            Ok(())
        }
        Invocation::Layout {
            file,
            width,
            font_size,
            json,
        } => cli::layout_command(&file, width, font_size, json).map(|out| emit(&out)),
        Invocation::Render {
            file,
            width,
            font_size,
            from_line,
            height,
            out,
            force,
        } => cli::render_command(&file, width, font_size, from_line, height, &out, force),
        Invocation::Find {
            files,
            query,
            options,
            json,
        } => {
            let mut stdout = std::io::stdout().lock();
            match cli::find_command(&files, &query, options, json, &mut stdout) {
                Ok(outcome) => {
                    for e in &outcome.errors {
                        eprintln!("warraq: {e}");
                    }
                    // As grep does: 1 when nothing matched (with no message), 2 when a file could not be searched.
                    return if !outcome.errors.is_empty() {
                        ExitCode::from(2)
                    } else if outcome.found {
                        ExitCode::SUCCESS
                    } else {
                        ExitCode::FAILURE
                    };
                }
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return ExitCode::SUCCESS,
                Err(e) => Err(format!("standard output: {e}")),
            }
        }
        Invocation::Annotations { file, json } => {
            cli::annotations_command(&file, json).map(|out| emit(&out))
        }
        Invocation::Agree { sources, json } => {
            cli::agree_command(&sources, json).map(|out| emit(&out))
        }
        Invocation::Curate { sources, into } => {
            cli::curate_command(&sources, &into).and_then(|(out, problems, refused)| {
                for p in problems {
                    eprintln!("warraq: {p}");
                }
                outln!("{out}");
                // A document that could not be curated fails the run (its reason is above).
                if refused > 0 {
                    Err(format!(
                        "{refused} documents could not be curated (see above)"
                    ))
                } else {
                    Ok(())
                }
            })
        }
        Invocation::Export {
            files,
            format,
            out,
            outermost_only,
            force,
        } => {
            let options = warraq::export::Options { outermost_only };
            warraq::export::io::export_files(
                &files,
                format,
                out.as_deref(),
                options,
                force,
                |_, _| {},
            )
            .map(|r| {
                for l in &r.left_out {
                    eprintln!("warraq: {l}");
                }
                outln!(
                    "exported {} annotations from {} documents to {}",
                    r.annotations,
                    r.documents,
                    r.files
                        .iter()
                        .map(|f| f.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            })
        }
        Invocation::Import { file, format, out } => {
            warraq::export::io::import_file(&file, &format, out.as_deref()).map(|r| {
                for p in &r.problems {
                    eprintln!("warraq: {p}");
                }
                outln!(
                    "imported {} annotations into {}{}",
                    r.annotations,
                    r.documents
                        .iter()
                        .map(|f| f.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    if r.problems.is_empty() {
                        String::new()
                    } else {
                        format!(" ({} lines skipped, listed above)", r.problems.len())
                    }
                );
            })
        }
        Invocation::Preannotate {
            file,
            gazetteer,
            accept_all,
        } => cli::preannotate_command(&file, &gazetteer, accept_all).map(|(summary, problems)| {
            for p in problems {
                eprintln!("warraq: {p}");
            }
            outln!("{summary}");
        }),
        Invocation::Window { file } => run_window(file),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("warraq: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_window(file: Option<std::path::PathBuf>) -> Result<(), String> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Warraq")
            .with_inner_size([1100.0, 800.0])
            .with_min_inner_size([400.0, 300.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "warraq",
        options,
        Box::new(move |cc| {
            let mut app = WarraqApp::from_storage(cc.storage);
            match file {
                Some(path) => app.open_path(&cc.egui_ctx, path, None),
                None => app.open_sample(),
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| format!("the window could not be opened: {e}"))
}
