//! Start-up: read the command line, then open the window or run a headless command.

use std::io::Write as _;
use std::process::ExitCode;

use std::path::PathBuf;

use clap::Parser as _;
use warraq::app::WarraqApp;
use warraq::cli::{self, args, args::Cli, args::Command};
use warraq::i18n::counted;

/// Writes to standard output; a reader that went away (`warraq layout … | head`) ends the output quietly.
fn emit(s: &str) {
    emit_bytes(s.as_bytes());
}

fn emit_bytes(s: &[u8]) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(s).and_then(|()| out.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("warraq: standard output: {e}");
    }
}

macro_rules! outln {
    ($($t:tt)*) => { emit(&format!("{}\n", format_args!($($t)*))) };
}

/// A spinner on standard error while `work` runs (a terminal only, and not with `--quiet`).
fn with_spinner<T>(what: &str, quiet: bool, work: impl FnOnce() -> T) -> T {
    use std::io::IsTerminal as _;
    if quiet || !std::io::stderr().is_terminal() {
        return work();
    }
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.set_message(what.to_owned());
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let out = work();
    spinner.finish_and_clear();
    out
}

/// A command's report: with `--json` the value for scripts (a value JSON cannot hold, such as a file name that is
/// not UTF-8, fails the command: a script must not take it for success); otherwise its warnings on standard error
/// and a line for people.
fn report(
    as_json: bool,
    value: &impl serde::Serialize,
    warnings: &[String],
    line: impl FnOnce() -> String,
) -> Result<(), String> {
    if as_json {
        let text = serde_json::to_string(value)
            .map_err(|e| format!("the report cannot be written as JSON: {e}"))?;
        outln!("{text}");
        return Ok(());
    }
    for w in warnings {
        eprintln!("warraq: {w}");
    }
    outln!("{}", line());
    Ok(())
}

/// A malformed command line, said as clap says it: on standard error with the usage of `command` (a subcommand's
/// name, or "" for the program), status 2.
fn usage_error(command: &str, message: &str) -> ! {
    let mut root = args::command();
    root.build();
    let kind = clap::error::ErrorKind::ValueValidation;
    match root.find_subcommand_mut(command) {
        Some(sub) => sub.error(kind, message).exit(),
        None => root.error(kind, message).exit(),
    }
}

/// Paths as a list for people.
fn listed(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn main() -> ExitCode {
    // Usage errors (an unknown or malformed argument, named) exit with 2; --help and --version with 0.
    // A mistyped command is not a file to open: `warraq exprot …` says so (with the command meant), as clap does
    // for options — before clap, which would take it for FILE.
    if let Some(name) = std::env::args_os()
        .nth(1)
        .and_then(|a| a.into_string().ok())
        && !name.starts_with('-')
        && !name.contains(['.', '/'])
        && !args::COMMANDS.contains(&name.as_str())
        && !std::path::Path::new(&name).exists()
        && let Some(close) = args::COMMANDS.iter().find(|c| strsim::jaro(&name, c) > 0.8)
    {
        usage_error(
            "",
            &format!(
                "unrecognized command '{name}' (and there is no file of that name)\n\n  tip: a similar command exists: '{close}'"
            ),
        );
    }
    let cli = Cli::parse();
    let quiet = cli.quiet;
    let Some(command) = cli.command else {
        return match run_window(cli.file) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("warraq: {e}");
                ExitCode::FAILURE
            }
        };
    };
    let result = match command {
        Command::Layout { file, page, json } => {
            cli::layout_command(&file, page.width, page.font_size, json).map(|out| emit(&out))
        }
        Command::Render {
            file,
            page,
            from_line,
            height,
            out,
            force,
        } => {
            let pixels = (page.width + 2.0 * cli::MARGIN).ceil() as u64 * u64::from(height);
            if pixels > cli::MAX_PIXELS {
                usage_error(
                    "render",
                    &format!(
                        "--width {} (plus {} px of margins) × --height {height} is {pixels} pixels; at most {}",
                        page.width,
                        2.0 * cli::MARGIN,
                        cli::MAX_PIXELS
                    ),
                );
            }
            cli::render_command(
                &file,
                page.width,
                page.font_size,
                from_line,
                height,
                &out,
                force,
            )
        }
        Command::Find {
            mut words,
            exact,
            whole_word,
            json,
        } => {
            let query = match words.pop().unwrap_or_default().into_string() {
                Ok(q) if !q.trim().is_empty() => q,
                Ok(_) => usage_error("find", "find needs a QUERY that is not empty"),
                Err(_) => usage_error(
                    "find",
                    "find's QUERY (the last argument) is not valid UTF-8",
                ),
            };
            let files: Vec<PathBuf> = words.into_iter().map(PathBuf::from).collect();
            let files = match cli::documents(&files) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("warraq: {e}");
                    return ExitCode::from(2);
                }
            };
            let options = warraq::model::search::SearchOptions {
                exact,
                whole_word,
                ..Default::default()
            };
            let bar = cli::progress_bar(files.len(), "searching", quiet);
            let mut stdout = std::io::stdout().lock();
            let found = cli::find_command(
                &files,
                &query,
                options,
                json,
                &mut stdout,
                &mut |done, _| {
                    bar.set_position(done as u64);
                },
            );
            bar.finish_and_clear();
            match found {
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
        Command::Annotations { file, output } => {
            cli::annotations_command(&file, output.json).map(|out| emit(&out))
        }
        Command::Agree { sources, output } => {
            let bar = cli::progress_bar(0, "comparing", quiet);
            let r = cli::agree_command(&sources, output.json, |done, total| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            });
            bar.finish_and_clear();
            r.map(|out| emit(&out))
        }
        Command::Curate {
            sources,
            into,
            output,
        } => {
            let bar = cli::progress_bar(0, "curating", quiet);
            let r = cli::curate_command(&sources, &into, |done, total| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            });
            bar.finish_and_clear();
            r.and_then(|r| {
                report(output.json, &r, &r.problems, || cli::curate_text(&r, &into))?;
                // A document that could not be curated fails the run (its reason is above).
                if r.refused > 0 {
                    Err(format!(
                        "{} documents could not be curated (see above)",
                        r.refused
                    ))
                } else {
                    Ok(())
                }
            })
        }
        Command::Export {
            files,
            format,
            out,
            outermost_only,
            force,
            output,
        } => {
            let format = warraq::export::Format::from_name(&format).expect("clap checked the name");
            let options = warraq::export::Options { outermost_only };
            cli::documents(&files).and_then(|files| {
                let bar = cli::progress_bar(files.len(), "exporting", quiet);
                let r = warraq::export::io::export_files(
                    &files,
                    format,
                    out.as_deref(),
                    options,
                    force,
                    |done, _| bar.set_position(done as u64),
                );
                bar.finish_and_clear();
                r.and_then(|r| {
                    report(output.json, &r, &r.left_out, || {
                        format!(
                            "exported {} from {} to {}",
                            counted(r.annotations, "annotation"),
                            counted(r.documents, "document"),
                            listed(&r.files)
                        )
                    })
                })
            })
        }
        Command::Import {
            file,
            format,
            out,
            output,
        } => with_spinner("importing", quiet, || {
            warraq::export::io::import_file(&file, format.name(), out.as_deref())
        })
        .and_then(|r| {
            report(output.json, &r, &r.problems, || {
                format!(
                    "imported {} into {}{}",
                    counted(r.annotations, "annotation"),
                    listed(&r.documents),
                    if r.problems.is_empty() {
                        String::new()
                    } else {
                        format!(" ({} lines skipped, listed above)", r.problems.len())
                    }
                )
            })
        }),
        Command::Preannotate {
            file,
            gazetteer,
            accept_all,
            output,
        } => with_spinner("matching the names", quiet, || {
            cli::preannotate_command(&file, &gazetteer, accept_all)
        })
        .and_then(|r| report(output.json, &r, &r.problems, || r.summary(accept_all))),
        Command::Suggest {
            file,
            learned,
            model,
            labels,
            min_score,
            accept_above,
            output,
        } => {
            let from = cli::SuggestFrom {
                learned: learned || model.is_none(),
                model: model.as_deref().map(|m| (m, labels.as_slice())),
            };
            let run = || {
                let bar = cli::progress_bar(0, "running the model", quiet || from.model.is_none());
                let r =
                    cli::suggest_command(&file, &from, min_score, accept_above, |done, total| {
                        bar.set_length(total as u64);
                        bar.set_position(done as u64);
                    });
                bar.finish_and_clear();
                r
            };
            let result = if from.model.is_some() {
                run()
            } else {
                with_spinner("learning and matching", quiet, run)
            };
            result.and_then(|r| {
                report(output.json, &r, &r.problems, || {
                    let accepted = r.suggestions.iter().filter(|s| s.accepted).count();
                    let mut from_what = Vec::new();
                    if from.learned {
                        from_what.push(format!(
                            "learned from {}",
                            counted(r.learned_from, "annotated document")
                        ));
                    }
                    if let Some(m) = &r.model {
                        from_what.push(format!("found by the model in {}", m.display()));
                    }
                    format!(
                        "{} {}: {} made annotations, {} to review in the window; saved {}",
                        counted(r.suggestions.len(), "suggestion"),
                        from_what.join(" and "),
                        accepted,
                        r.suggestions.len() - accepted,
                        r.sidecar.display()
                    )
                })
            })
        }
        Command::Completions { shell } => {
            emit_bytes(&args::completions(shell));
            Ok(())
        }
        Command::Man { command } => {
            let page = args::man_page(command.as_deref()).expect("clap checked the name");
            emit_bytes(&page);
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("warraq: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The window's icon: the 64 px rendering of assets/warraq.svg.
fn icon() -> egui::IconData {
    let bytes: &[u8] = include_bytes!("../assets/icons/64x64/warraq.png");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
    let decoded = decoder.read_info().and_then(|mut reader| {
        let mut rgba = vec![0; reader.output_buffer_size().unwrap_or(0)];
        let info = reader.next_frame(&mut rgba)?;
        rgba.truncate(info.buffer_size());
        Ok((rgba, info.width, info.height))
    });
    match decoded {
        Ok((rgba, width, height)) if rgba.len() == (width * height * 4) as usize => {
            egui::IconData {
                rgba,
                width,
                height,
            }
        }
        // The icon is part of the binary; a window without it is still a window.
        _ => egui::IconData::default(),
    }
}

fn run_window(file: Option<std::path::PathBuf>) -> Result<(), String> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Warraq")
            // The desktop entry's name (warraq.desktop): docks and task bars show the entry's icon for the window.
            .with_app_id("warraq")
            .with_icon(icon())
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
