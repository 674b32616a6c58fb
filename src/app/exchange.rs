//! File ▸ Export… and File ▸ Import…: the dialogs over `crate::export`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use egui::Ui;

use super::WarraqApp;
use crate::export::{self, ExportDoc, Format, Options, Report};
use crate::store::write::OutputGuard;
use crate::tr;
use crate::view::{RtlLabel, chrome};
use crate::workspace::job::{self, Job, Poll};

struct Running {
    job: Job<Result<Report, String>>,
    done: Arc<AtomicUsize>,
    total: usize,
}

pub(crate) struct ExportDialog {
    pub format: Format,
    pub whole_folder: bool,
    pub outermost_only: bool,
    pub destination: Option<PathBuf>,
    chooser: Option<Job<Option<PathBuf>>>,
    running: Option<Running>,
    /// Outputs that already exist, waiting for the user to confirm replacing them.
    confirm: Option<Vec<PathBuf>>,
    /// The user confirmed replacing existing outputs.
    replace: bool,
}

impl Default for ExportDialog {
    fn default() -> Self {
        Self {
            format: Format::NotesHtml,
            whole_folder: false,
            outermost_only: false,
            destination: None,
            chooser: None,
            running: None,
            confirm: None,
            replace: false,
        }
    }
}

fn report_text(r: &Report) -> String {
    let files: Vec<String> = r.files.iter().map(|f| f.display().to_string()).collect();
    let to = if files.len() > 3 {
        tr!(
            "%{n} files in %{folder}",
            n = files.len(),
            folder = r.files[0]
                .parent()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        )
    } else {
        files.join(", ")
    };
    let exported = if r.documents == 1 {
        tr!(
            "Exported %{n} annotations from one document to %{to}",
            n = r.annotations,
            to = to
        )
    } else {
        tr!(
            "Exported %{n} annotations from %{d} documents to %{to}",
            n = r.annotations,
            d = r.documents,
            to = to
        )
    };
    exported
        + &r.left_out
            .iter()
            .map(|l| format!("\n{l}"))
            .collect::<String>()
}

impl WarraqApp {
    /// Opens the export dialog.
    pub fn open_export_dialog(&mut self) {
        if self.export.is_none() {
            self.export = Some(ExportDialog::default());
        }
    }

    /// The export dialog's settings, for tests and scripts of the window.
    pub fn export_settings(
        &mut self,
    ) -> Option<(&mut Format, &mut bool, &mut bool, &mut Option<PathBuf>)> {
        self.export.as_mut().map(|e| {
            (
                &mut e.format,
                &mut e.whole_folder,
                &mut e.outermost_only,
                &mut e.destination,
            )
        })
    }

    fn default_destination(&self, e: &ExportDialog) -> Option<PathBuf> {
        let d = self.workspace.current()?;
        let first = d.path.clone().unwrap_or_else(|| PathBuf::from(&d.name));
        Some(export::io::default_output(&first, e.format, e.whole_folder))
    }

    /// Runs the export as the dialog is set: this document from memory at once; a folder on a worker thread with
    /// progress (the open document is saved first so its latest annotations are included).
    pub fn run_export(&mut self, ctx: &egui::Context) {
        let Some(e) = self.export.take() else { return };
        let out = e
            .destination
            .clone()
            .or_else(|| self.default_destination(&e));
        let options = Options {
            outermost_only: e.outermost_only,
        };
        let Some(out) = out else {
            self.export = Some(e);
            return;
        };
        // Existing outputs are replaced only after the user confirms (inputs never: the guard refuses them).
        if !e.replace {
            let names: Vec<String> = if e.whole_folder {
                self.workspace
                    .current()
                    .and_then(|d| d.path.as_ref())
                    .and_then(|p| p.parent())
                    .and_then(|dir| export::io::annotated_in_folder(dir).ok())
                    .unwrap_or_default()
                    .iter()
                    .map(|p| {
                        p.file_name()
                            .unwrap_or_default()
                            .to_string_lossy()
                            .into_owned()
                    })
                    .collect()
            } else {
                self.workspace
                    .current()
                    .iter()
                    .map(|d| d.name.clone())
                    .collect()
            };
            let existing: Vec<PathBuf> = export::planned_outputs(e.format, &names, &out)
                .unwrap_or_default()
                .into_iter()
                .filter(|p| p.exists())
                .collect();
            if !existing.is_empty() {
                self.export = Some(ExportDialog {
                    confirm: Some(existing),
                    ..e
                });
                return;
            }
        }
        if !e.whole_folder {
            let d = self.workspace.current().expect("export needs a document");
            let guard = OutputGuard::new(d.path.clone(), e.replace);
            let docs = [ExportDoc {
                name: d.name.clone(),
                doc: &d.doc,
                annotations: &d.annotations,
            }];
            match export::write(e.format, &docs, &out, options, &guard) {
                Ok(r) => self.message = Some(report_text(&r)),
                Err(err) => {
                    self.message = Some(tr!(
                        "Export failed: %{error}. Nothing else was changed.",
                        error = err
                    ))
                }
            }
            return;
        }
        // The open document is saved first, so the folder's export has its latest annotations.
        if let Some(d) = self.workspace.current_mut()
            && d.is_dirty()
            && d.can_save()
            && let Err(err) = d.save_now()
        {
            self.message = Some(tr!("Export stopped: %{error}", error = err));
            return;
        }
        let Some(dir) = self
            .workspace
            .current()
            .and_then(|d| d.path.as_ref())
            .and_then(|p| p.parent().map(PathBuf::from))
        else {
            self.export = Some(e);
            return;
        };
        let files = match export::io::annotated_in_folder(&dir) {
            Ok(f) if !f.is_empty() => f,
            Ok(_) => {
                self.message = Some(tr!(
                    "%{folder}: no annotated documents",
                    folder = dir.display()
                ));
                return;
            }
            Err(err) => {
                self.message = Some(err);
                return;
            }
        };
        let done = Arc::new(AtomicUsize::new(0));
        let done2 = done.clone();
        let total = files.len();
        let format = e.format;
        let replace = e.replace;
        let waker = self.waker(ctx);
        let progress = waker.clone();
        let job = Job::spawn("exporting a folder", &waker, move || {
            export::io::export_files(&files, format, Some(&out), options, replace, |n, _| {
                done2.store(n, Ordering::Relaxed);
                progress();
            })
        });
        self.export = Some(ExportDialog {
            running: Some(Running { job, done, total }),
            ..e
        });
    }

    pub(super) fn export_dialog(&mut self, ctx: &egui::Context) {
        let Some(mut e) = self.export.take() else {
            return;
        };
        // A finished folder export.
        if let Some(run) = &mut e.running {
            match run.job.poll() {
                Poll::Ready(Ok(r)) => {
                    self.message = Some(report_text(&r));
                    return;
                }
                Poll::Ready(Err(err)) => {
                    self.message = Some(tr!("Export failed: %{error}", error = err));
                    return;
                }
                Poll::Pending => {}
                Poll::Lost => {
                    self.message = Some(tr!("The export stopped unexpectedly").into_owned());
                    return;
                }
            }
        }
        if let Some(Poll::Ready(Some(choice))) = job::take_ready(&mut e.chooser) {
            e.destination = Some(choice);
            e.replace = false;
        }
        let has_path = self.workspace.current().is_some_and(|d| d.path.is_some());
        let default = self.default_destination(&e);
        let mut open = !super::escape_closes(ctx);
        let mut go = false;
        let mut choose = false;
        let mut content = None;
        let shown = egui::Window::new(chrome::title(ctx, tr!("Export Annotations")))
            .id(egui::Id::unique("export-window"))
            .open(&mut open)
            .resizable(false)
            .show(ctx, |ui: &mut Ui| {
                content = Some(ui.max_rect());
                chrome::rtl(ui, |ui| {
                    if let Some(run) = &e.running {
                        let done = run.done.load(Ordering::Relaxed);
                        chrome::label(
                            ui,
                            tr!(
                                "Exporting %{done} of %{n} documents…",
                                done = done,
                                n = run.total
                            ),
                        );
                        ui.add(egui::ProgressBar::new(
                            done as f32 / run.total.max(1) as f32,
                        ));
                        return;
                    }
                    chrome::heading(ui, tr!("Format"));
                    for &f in Format::ALL {
                        if chrome::radio(ui, e.format == f, tr!(f.label())).clicked() {
                            e.format = f;
                            e.replace = false;
                        }
                    }
                    if e.format == Format::Conll {
                        chrome::checkbox(
                            ui,
                            &mut e.outermost_only,
                            tr!("Outermost annotation only (one tag column)"),
                        );
                    }
                    ui.separator();
                    chrome::heading(ui, tr!("Documents"));
                    if ui
                        .radio(!e.whole_folder, chrome::atom(ui, tr!("This document")))
                        .clicked()
                    {
                        e.whole_folder = false;
                    }
                    if ui
                        .add_enabled(
                            has_path,
                            egui::RadioButton::new(
                                e.whole_folder,
                                chrome::atom(ui, tr!("Every annotated document in its folder")),
                            ),
                        )
                        .clicked()
                    {
                        e.whole_folder = true;
                    }
                    ui.separator();
                    chrome::heading(ui, tr!("Destination"));
                    let dest = e
                        .destination
                        .clone()
                        .or(default.clone())
                        .map(|p| p.display().to_string())
                        .unwrap_or_default();
                    ui.add(RtlLabel::new(&dest).size(14.0).wrap());
                    if let Some(existing) = &e.confirm {
                        ui.separator();
                        let list: Vec<String> = existing
                            .iter()
                            .take(5)
                            .map(|p| p.display().to_string())
                            .collect();
                        let more = existing.len().saturating_sub(5);
                        let text = if more > 0 {
                            tr!(
                                "Already there: %{files} and %{more} more. Replace?",
                                files = list.join(", "),
                                more = more
                            )
                        } else {
                            tr!("Already there: %{files}. Replace?", files = list.join(", "))
                        };
                        ui.add(RtlLabel::new(&text).size(14.0).wrap());
                        ui.horizontal(|ui| {
                            if ui.button(chrome::atom(ui, tr!("Replace"))).clicked() {
                                e.replace = true;
                                e.confirm = None;
                                go = true;
                            }
                            if ui.button(chrome::atom(ui, tr!("Keep Them"))).clicked() {
                                e.confirm = None;
                            }
                        });
                        return;
                    }
                    ui.horizontal(|ui| {
                        choose = ui.button(chrome::atom(ui, tr!("Choose…"))).clicked();
                        go = ui.button(chrome::atom(ui, tr!("Export"))).clicked();
                    });
                })
            });
        super::focus_on_open(ctx, "export", shown.map(|r| r.response.layer_id), content);
        if choose && e.chooser.is_none() {
            let brat = e.format == Format::Brat;
            let start = e.destination.clone().or(default);
            let waker = self.waker(ctx);
            e.chooser = Some(Job::spawn("the Export dialog", &waker, move || {
                let mut dialog = rfd::FileDialog::new().set_title(tr!("Export to"));
                if let Some(p) = &start {
                    if let Some(dir) = p.parent() {
                        dialog = dialog.set_directory(dir);
                    }
                    if let Some(name) = p.file_name() {
                        dialog = dialog.set_file_name(name.to_string_lossy());
                    }
                }
                if brat {
                    dialog.pick_folder()
                } else {
                    dialog.save_file()
                }
            }));
        }
        if !open {
            return;
        }
        self.export = Some(e);
        if go {
            self.run_export(ctx);
        }
    }

    /// File ▸ Import…: pick a brat `.ann`, a CoNLL file or a JSONL file; the imported document opens.
    pub fn import_dialog(&mut self, ctx: &egui::Context) {
        if self.import_pick.is_some() {
            return;
        }
        let waker = self.waker(ctx);
        self.import_pick = Some(Job::spawn("the Import dialog", &waker, || {
            super::chosen(|| {
                rfd::FileDialog::new()
                    .set_title(tr!("Import annotations"))
                    .add_filter(
                        "brat, CoNLL, JSONL",
                        &["ann", "conll", "iob", "bio", "txt", "jsonl"],
                    )
                    .pick_file()
            })
        }));
    }

    pub(super) fn poll_import(&mut self, ctx: &egui::Context) {
        match job::take_ready(&mut self.import_pick) {
            Some(Poll::Ready(Ok(Some(path)))) => self.import_file(ctx, &path),
            Some(Poll::Ready(Err(message))) => self.message = Some(message),
            _ => {}
        }
    }

    /// Imports a file (format from its extension: `.ann` brat, `.jsonl` JSONL, otherwise CoNLL) beside it, reports
    /// what was skipped, and opens the imported document.
    pub fn import_file(&mut self, ctx: &egui::Context, path: &std::path::Path) {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let format = match ext.as_deref() {
            Some("ann") => "brat",
            Some("jsonl") => "jsonl",
            _ => "conll",
        };
        match export::io::import_file(path, format, None) {
            Ok(r) => {
                let mut msg = tr!(
                    "Imported %{n} annotations (%{format}) into %{files}",
                    n = r.annotations,
                    format = format,
                    files = r
                        .documents
                        .iter()
                        .map(|d| d.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                for p in r.problems.iter().take(20) {
                    msg.push('\n');
                    msg.push_str(p);
                }
                if r.problems.len() > 20 {
                    msg.push('\n');
                    msg.push_str(&tr!("… and %{n} more lines", n = r.problems.len() - 20));
                }
                if let Some(first) = r.documents.first() {
                    self.open_path(ctx, first.clone(), None);
                }
                self.pending_message = Some(msg);
            }
            Err(e) => self.message = Some(tr!("Import failed: %{error}", error = e)),
        }
    }
}
