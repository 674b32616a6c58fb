//! File ▸ Export… and File ▸ Import…: the dialogs over `crate::export`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError};

use egui::{RichText, Ui};

use super::WarraqApp;
use crate::export::{self, ExportDoc, Format, Options, Report};
use crate::view::RtlLabel;

struct Running {
    rx: Receiver<Result<Report, String>>,
    done: Arc<AtomicUsize>,
    total: usize,
}

pub(crate) struct ExportDialog {
    pub format: Format,
    pub whole_folder: bool,
    pub outermost_only: bool,
    pub destination: Option<PathBuf>,
    chooser: Option<Receiver<Option<PathBuf>>>,
    running: Option<Running>,
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
        }
    }
}

fn report_text(r: &Report) -> String {
    let files: Vec<String> = r.files.iter().map(|f| f.display().to_string()).collect();
    format!(
        "Exported {} annotations from {} document{} to {}",
        r.annotations,
        r.documents,
        if r.documents == 1 { "" } else { "s" },
        if files.len() > 3 {
            format!(
                "{} files in {}",
                files.len(),
                r.files[0]
                    .parent()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            )
        } else {
            files.join(", ")
        }
    )
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
        let d = self.doc.as_ref()?;
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
        if !e.whole_folder {
            let d = self.doc.as_ref().expect("export needs a document");
            let docs = [ExportDoc {
                name: d.name.clone(),
                doc: d.view.document(),
                annotations: &d.annotations,
            }];
            match export::write(e.format, &docs, &out, options) {
                Ok(r) => self.message = Some(report_text(&r)),
                Err(err) => {
                    self.message = Some(format!("Export failed: {err}. Nothing else was changed."))
                }
            }
            return;
        }
        self.save_before_leaving();
        let Some(dir) = self
            .doc
            .as_ref()
            .and_then(|d| d.path.as_ref())
            .and_then(|p| p.parent().map(PathBuf::from))
        else {
            self.export = Some(e);
            return;
        };
        let files = match export::io::annotated_in_folder(&dir) {
            Ok(f) if !f.is_empty() => f,
            Ok(_) => {
                self.message = Some(format!("{}: no annotated documents", dir.display()));
                return;
            }
            Err(err) => {
                self.message = Some(err);
                return;
            }
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let done = Arc::new(AtomicUsize::new(0));
        let done2 = done.clone();
        let total = files.len();
        let ctx2 = ctx.clone();
        let format = e.format;
        std::thread::Builder::new()
            .name("warraq-export".into())
            .spawn(move || {
                let r = export::io::export_files(&files, format, Some(&out), options, |n, _| {
                    done2.store(n, Ordering::Relaxed);
                    ctx2.request_repaint();
                });
                let _ = tx.send(r);
                ctx2.request_repaint();
            })
            .expect("spawn the export thread");
        self.export = Some(ExportDialog {
            running: Some(Running { rx, done, total }),
            ..e
        });
    }

    pub(super) fn export_dialog(&mut self, ctx: &egui::Context) {
        let Some(mut e) = self.export.take() else {
            return;
        };
        // A finished folder export.
        if let Some(run) = &e.running {
            match run.rx.try_recv() {
                Ok(Ok(r)) => {
                    self.message = Some(report_text(&r));
                    return;
                }
                Ok(Err(err)) => {
                    self.message = Some(format!("Export failed: {err}"));
                    return;
                }
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => return,
            }
        }
        if let Some(rx) = &e.chooser {
            match rx.try_recv() {
                Ok(choice) => {
                    e.chooser = None;
                    if choice.is_some() {
                        e.destination = choice;
                    }
                }
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => e.chooser = None,
            }
        }
        let has_path = self.doc.as_ref().is_some_and(|d| d.path.is_some());
        let default = self.default_destination(&e);
        let mut open = true;
        let mut go = false;
        let mut choose = false;
        egui::Window::new("Export Annotations")
            .open(&mut open)
            .resizable(false)
            .show(ctx, |ui: &mut Ui| {
                if let Some(run) = &e.running {
                    let done = run.done.load(Ordering::Relaxed);
                    ui.label(format!("Exporting {done} of {} documents…", run.total));
                    ui.add(egui::ProgressBar::new(
                        done as f32 / run.total.max(1) as f32,
                    ));
                    return;
                }
                ui.label(RichText::new("Format").strong());
                for &f in Format::ALL {
                    if ui.radio(e.format == f, f.label()).clicked() {
                        e.format = f;
                    }
                }
                if e.format == Format::Conll {
                    ui.checkbox(
                        &mut e.outermost_only,
                        "Outermost annotation only (one tag column)",
                    );
                }
                ui.separator();
                ui.label(RichText::new("Documents").strong());
                if ui.radio(!e.whole_folder, "This document").clicked() {
                    e.whole_folder = false;
                }
                if ui
                    .add_enabled(
                        has_path,
                        egui::RadioButton::new(
                            e.whole_folder,
                            "Every annotated document in its folder",
                        ),
                    )
                    .clicked()
                {
                    e.whole_folder = true;
                }
                ui.separator();
                ui.label(RichText::new("Destination").strong());
                let dest = e
                    .destination
                    .clone()
                    .or(default.clone())
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                ui.add(RtlLabel::new(&dest).size(14.0).wrap());
                ui.horizontal(|ui| {
                    choose = ui.button("Choose…").clicked();
                    go = ui.button("Export").clicked();
                });
            });
        if choose && e.chooser.is_none() {
            let (tx, rx) = std::sync::mpsc::channel();
            let ctx2 = ctx.clone();
            let brat = e.format == Format::Brat;
            let start = e.destination.clone().or(default);
            std::thread::Builder::new()
                .name("warraq-export-dialog".into())
                .spawn(move || {
                    let mut dialog = rfd::FileDialog::new().set_title("Export to");
                    if let Some(p) = &start {
                        if let Some(dir) = p.parent() {
                            dialog = dialog.set_directory(dir);
                        }
                        if let Some(name) = p.file_name() {
                            dialog = dialog.set_file_name(name.to_string_lossy());
                        }
                    }
                    let _ = tx.send(if brat {
                        dialog.pick_folder()
                    } else {
                        dialog.save_file()
                    });
                    ctx2.request_repaint();
                })
                .expect("spawn the export dialog thread");
            e.chooser = Some(rx);
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
        let (tx, rx) = std::sync::mpsc::channel();
        let ctx2 = ctx.clone();
        std::thread::Builder::new()
            .name("warraq-import-dialog".into())
            .spawn(move || {
                let choice = rfd::FileDialog::new()
                    .set_title("Import annotations")
                    .add_filter(
                        "brat, CoNLL, JSONL",
                        &["ann", "conll", "iob", "bio", "txt", "jsonl"],
                    )
                    .pick_file();
                let _ = tx.send(choice);
                ctx2.request_repaint();
            })
            .expect("spawn the import dialog thread");
        self.import_pick = Some(rx);
    }

    pub(super) fn poll_import(&mut self, ctx: &egui::Context) {
        let Some(rx) = &self.import_pick else { return };
        match rx.try_recv() {
            Ok(choice) => {
                self.import_pick = None;
                if let Some(path) = choice {
                    self.import_file(ctx, &path);
                }
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => self.import_pick = None,
        }
    }

    /// Imports a file (format from its extension: `.ann` brat, `.jsonl` JSONL, otherwise CoNLL) beside it, reports
    /// what was skipped, and opens the imported document.
    pub fn import_file(&mut self, ctx: &egui::Context, path: &std::path::Path) {
        let format = match path.extension().and_then(|e| e.to_str()) {
            Some("ann") => "brat",
            Some("jsonl") => "jsonl",
            _ => "conll",
        };
        match export::io::import_file(path, format, None) {
            Ok(r) => {
                let mut msg = format!(
                    "Imported {} annotations ({format}) into {}",
                    r.annotations,
                    r.documents
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
                    msg.push_str(&format!("\n… and {} more lines", r.problems.len() - 20));
                }
                if let Some(first) = r.documents.first() {
                    self.open_path(ctx, first.clone(), None);
                }
                self.pending_message = Some(msg);
            }
            Err(e) => self.message = Some(format!("Import failed: {e}")),
        }
    }
}
