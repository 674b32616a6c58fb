//! Curation in the window. Tools ▸ Curate… takes annotators' folders (or files) and a curated folder, and makes or
//! brings up to date every document's curated copy there on a worker — the same code as `warraq curate`
//! (`workspace::curation::curate_all`): texts copied, agreed annotations merged. The curated folder then opens in the
//! folder list, at the first document with something left to decide.
//!
//! A curated document (opened from anywhere) reads its annotators' copies again and shows its disagreements: outlined
//! in the text in the colour of their kind, listed in the Curation panel, each answered with a key — Alt+1/2/3 one
//! annotator's version, Alt+A all, Alt+N neither — and F7 / Shift+F7 to the next or previous one not decided.

use std::path::PathBuf;

use egui::{Color32, Ui};

use super::WarraqApp;
use crate::model::curation::{Choice, Kind, Record};
use crate::tr;
use crate::view::{Dispute, RtlLabel, Version, chrome};
use crate::workspace::curation::{CurateReport, Curation};
use crate::workspace::job::{self, Job, Poll};

/// The colour a kind of disagreement is outlined in.
#[must_use]
pub fn kind_color(kind: Kind) -> [u8; 3] {
    match kind {
        Kind::Missing => [0, 137, 123],
        Kind::Tag => [142, 36, 170],
        Kind::Boundaries => [211, 47, 47],
    }
}

/// Which chooser is open: for an annotator's folder, or for the curated folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Picking {
    Source,
    Into,
}

#[derive(Default)]
pub(crate) struct CurateWindow {
    sources: Vec<PathBuf>,
    into: Option<PathBuf>,
    picking: Option<(Picking, Job<Option<PathBuf>>)>,
    running: Option<Job<Result<CurateReport, String>>>,
    result: Option<Result<CurateReport, String>>,
}

impl WarraqApp {
    /// Opens Tools ▸ Curate…, with the sources of the agreement window (or the open document's folder) filled in.
    pub(super) fn open_curate(&mut self) {
        let mut w = CurateWindow::default();
        let curated = self.workspace.current().and_then(|d| {
            let folder = d.path.as_ref()?.parent()?.to_owned();
            Some((folder, d.curation_files()?))
        });
        if let Some((folder, files)) = curated {
            // From a curated document: its annotators' folders, and its own folder as the curated one.
            w.sources = files
                .iter()
                .filter_map(|f| f.parent().map(std::path::Path::to_owned))
                .collect();
            w.into = Some(folder);
        } else if let Some(a) = &self.agreement {
            w.sources = a.sources().to_vec();
        } else if let Some(dir) = self
            .workspace
            .current()
            .and_then(|d| d.path.as_ref())
            .and_then(|p| p.parent())
        {
            w.sources.push(dir.to_owned());
        }
        self.curate = Some(w);
    }

    /// Whether Tools ▸ Curate… is open.
    #[must_use]
    pub fn is_showing_curate(&self) -> bool {
        self.curate.is_some()
    }

    /// Adds an annotator's folder (or file) to the curate window, as its chooser does.
    pub fn add_curate_source(&mut self, path: PathBuf) {
        if let Some(w) = &mut self.curate
            && !w.sources.contains(&path)
        {
            w.sources.push(path);
        }
    }

    /// Sets the curated folder of the curate window, as its chooser does.
    pub fn set_curate_into(&mut self, path: PathBuf) {
        if let Some(w) = &mut self.curate {
            w.into = Some(path);
        }
    }

    /// Makes the curated copies (on a worker); the curated folder opens when they are ready.
    pub fn start_curating(&mut self, ctx: &egui::Context) {
        let waker = self.waker(ctx);
        let annotator = self.settings.annotator.clone();
        if let Some(w) = &mut self.curate
            && let Some(into) = w.into.clone()
        {
            let sources = w.sources.clone();
            w.result = None;
            w.running = Some(Job::spawn("curating", &waker, move || {
                crate::workspace::curation::curate_all(&sources, &into, &annotator)
            }));
        }
    }

    /// What the last run of the curate window did.
    #[must_use]
    pub fn curate_result(&self) -> Option<&Result<CurateReport, String>> {
        self.curate.as_ref().and_then(|w| w.result.as_ref())
    }

    pub(super) fn curate_window(&mut self, ctx: &egui::Context) {
        let Some(w) = &mut self.curate else {
            return;
        };
        if let Some(Poll::Ready(Some(path))) = w.picking.as_mut().map(|(_, j)| j.poll()) {
            match w.picking.take().map(|(p, _)| p) {
                Some(Picking::Into) => w.into = Some(path),
                _ => {
                    if !w.sources.contains(&path) {
                        w.sources.push(path);
                    }
                }
            }
        } else if matches!(
            w.picking.as_mut().map(|(_, j)| j.poll()),
            Some(Poll::Ready(None) | Poll::Lost)
        ) {
            w.picking = None;
        }
        let mut finished = None;
        match job::take_ready(&mut w.running) {
            Some(Poll::Ready(r)) => finished = Some(r),
            Some(_) => finished = Some(Err(tr!("curating stopped unexpectedly").into_owned())),
            None => {}
        }
        if let Some(r) = finished {
            let open = r.as_ref().ok().map(|report| {
                let first = report
                    .documents
                    .iter()
                    .find(|d| d.decided < d.disagreements)
                    .or(report.documents.first())
                    .map(|d| d.path.clone());
                (w.into.clone(), first)
            });
            w.result = Some(r);
            // The curated folder in the folder list, at the first document with something to decide.
            if let Some((Some(into), first)) = open {
                self.open_folder(ctx, into);
                if let Some(path) = first {
                    self.open_path(ctx, path, None);
                }
            }
        }
        let Some(w) = &mut self.curate else {
            return;
        };
        let mut open = !super::escape_closes(ctx);
        let (mut pick, mut start, mut remove, mut go) = (None, false, None, None);
        let mut content = None;
        let shown = egui::Window::new(chrome::title(ctx, tr!("Curate")))
            .id(egui::Id::unique("curate-window"))
            .open(&mut open)
            .default_width(560.0)
            .show(ctx, |ui| {
                content = Some(ui.max_rect());
                chrome::rtl(ui, |ui| {
                    chrome::paragraph(
                        ui,
                        tr!("Annotators' folders (documents paired by their path inside them), and a folder of its own for the curated copies: the texts are copied there and what every annotator agrees on is merged at once. Annotators' files are never written."),
                    );
                    for (k, s) in w.sources.iter().enumerate() {
                        chrome::row(ui, |ui| {
                            chrome::label(
                                ui,
                                tr!(
                                    "annotator %{n} (%{key})",
                                    n = k + 1,
                                    key = format!("Alt+{}", k + 1)
                                ),
                            );
                            ui.add(RtlLabel::new(&s.display().to_string()).size(14.0));
                            if ui.small_button(chrome::atom(ui, tr!("Remove"))).clicked() {
                                remove = Some(k);
                            }
                        });
                    }
                    chrome::row(ui, |ui| {
                        let add = chrome::atom(ui, tr!("Add Annotator's Folder…"));
                        if ui
                            .add_enabled(w.picking.is_none(), egui::Button::new(add))
                            .clicked()
                        {
                            pick = Some(Picking::Source);
                        }
                    });
                    chrome::row(ui, |ui| {
                        chrome::label(ui, tr!("Curated folder:"));
                        match &w.into {
                            Some(p) => {
                                ui.add(RtlLabel::new(&p.display().to_string()).size(14.0));
                            }
                            None => {
                                chrome::weak(ui, tr!("not chosen"));
                            }
                        }
                        let choose = chrome::atom(ui, tr!("Choose…"));
                        if ui
                            .add_enabled(w.picking.is_none(), egui::Button::new(choose))
                            .clicked()
                        {
                            pick = Some(Picking::Into);
                        }
                    });
                    chrome::row(ui, |ui| {
                        let make = chrome::atom(ui, tr!("Make the Curated Copies"));
                        start = ui
                            .add_enabled(
                                w.sources.len() >= 2 && w.into.is_some() && w.running.is_none(),
                                egui::Button::new(make),
                            )
                            .clicked();
                        if w.running.is_some() {
                            ui.spinner();
                        }
                    });
                    match &w.result {
                        Some(Ok(r)) => {
                            ui.separator();
                            if let Some(into) = &w.into {
                                ui.add(RtlLabel::new(&summary(r, into)).size(14.0).wrap());
                            }
                            egui::ScrollArea::vertical().max_height(260.0).show(ui, |ui| {
                                for d in &r.documents {
                                    chrome::row(ui, |ui| {
                                        if ui.small_button(chrome::atom(ui, tr!("Open"))).clicked() {
                                            go = Some(d.path.clone());
                                        }
                                        chrome::label(
                                            ui,
                                            tr!(
                                                "%{left} of %{n} left",
                                                left = d.disagreements - d.decided,
                                                n = d.disagreements
                                            ),
                                        );
                                        ui.add(
                                            RtlLabel::new(&d.relative.display().to_string())
                                                .size(14.0),
                                        );
                                    });
                                }
                            });
                            for p in &r.problems {
                                ui.add(RtlLabel::new(p).size(13.0).wrap());
                            }
                        }
                        Some(Err(e)) => {
                            chrome::error(ui, e);
                        }
                        None => {}
                    }
                });
            });
        super::focus_on_open(ctx, "curate", shown.map(|r| r.response.layer_id), content);
        if let Some(k) = remove {
            w.sources.remove(k);
        }
        if let Some(what) = pick {
            let title = match what {
                Picking::Source => "An annotator's folder",
                Picking::Into => "The folder for the curated copies",
            };
            let job = self.choose_folder(ctx, title);
            if let Some(w) = &mut self.curate {
                w.picking = Some((what, job));
            }
        }
        if start {
            self.start_curating(ctx);
        }
        if let Some(path) = go {
            self.open_path(ctx, path, None);
        }
        if !open {
            self.curate = None;
        }
    }

    /// The current document's curation and its record, once its annotators' copies are read.
    #[must_use]
    pub fn curation(&self) -> Option<(&Curation, &Record)> {
        let d = self.workspace.current()?;
        match (&d.curation, d.annotations.curation()) {
            (Some(Ok(c)), Some(r)) => Some((c, r)),
            _ => None,
        }
    }

    /// Reads a curated document's annotators' copies when it opens, and scrolls to the disagreement looked at
    /// when it changes.
    pub(super) fn follow_curation(&mut self, _ctx: &egui::Context) {
        if let (Some(waker), Some(d)) = (self.waker.clone(), self.workspace.current_mut()) {
            d.load_curation(&waker);
        }
        let Some(d) = self.workspace.current() else {
            return;
        };
        let Some(Ok(c)) = &d.curation else {
            return;
        };
        // The curate window's list follows the answers given here.
        if let (Some(w), Some(record), Some(path)) =
            (&mut self.curate, d.annotations.curation(), &d.path)
            && let Some(Ok(report)) = &mut w.result
            && let Some(row) = report.documents.iter_mut().find(|r| &r.path == path)
        {
            let p = c.progress_at(record, d.annotations.revision());
            row.decided = p.decided;
            row.disagreements = p.disagreements;
        }
        let now = (d.generation, c.current);
        if self.curation_shown == Some(now) {
            return;
        }
        let at = c
            .current
            .and_then(|i| c.groups.get(i))
            .map(|g| g.span.start);
        if let (Some(at), Some((_, view))) = (at, self.view.as_mut()) {
            view.scroll_to_offset(at);
            self.curation_shown = Some(now);
        } else if self.view.is_some() {
            self.curation_shown = Some(now);
        }
    }

    /// Answers the disagreement looked at, and goes to the next one not decided.
    pub fn take(&mut self, choice: Choice) {
        let Some(d) = self.workspace.current_mut() else {
            return;
        };
        let Some(Ok(c)) = &d.curation else {
            return;
        };
        let Some(i) = c.current else {
            return;
        };
        if let Choice::Annotator(k) = choice
            && k >= c.names.len()
        {
            return;
        }
        if d.annotations
            .curation()
            .is_some_and(|r| r.is_decided(c.groups[i].key))
        {
            self.message = Some(
                tr!("This disagreement is decided already: undo (Ctrl+Z) or Ask Again to change the answer")
                    .into_owned(),
            );
            return;
        }
        let _ = d.decide(i, choice);
        d.save
            .observe(d.annotations.revision(), std::time::Instant::now());
    }

    /// Goes to the next (or previous) disagreement not decided.
    pub fn step_disagreement(&mut self, forward: bool) {
        let Some(d) = self.workspace.current_mut() else {
            return;
        };
        let record = d.annotations.curation().cloned().unwrap_or_default();
        if let Some(Ok(c)) = &mut d.curation {
            let next = c.next_undecided(&record, c.current, forward);
            if next.is_some() {
                c.current = next;
            }
        }
    }

    /// Looks at disagreement `i` (decided or not).
    pub fn show_disagreement(&mut self, i: usize) {
        if let Some(d) = self.workspace.current_mut()
            && let Some(Ok(c)) = &mut d.curation
            && i < c.groups.len()
        {
            c.current = Some(i);
            self.curation_shown = None;
        }
    }

    /// What the document view draws for the curation: disagreements not decided, and the versions of the one
    /// looked at.
    pub(super) fn curation_overlay(&mut self) -> std::sync::Arc<(Vec<Dispute>, Vec<Version>)> {
        let key = self.workspace.current().and_then(|d| {
            let c = match &d.curation {
                Some(Ok(c)) => c,
                _ => return None,
            };
            Some((d.generation, d.annotations.revision(), c.current))
        });
        let Some(key) = key else {
            return std::sync::Arc::default();
        };
        if let Some((k, cached)) = &self.curation_drawn
            && *k == key
        {
            return cached.clone();
        }
        let drawn = std::sync::Arc::new(self.curation_overlay_now());
        self.curation_drawn = Some((key, drawn.clone()));
        drawn
    }

    /// [`Self::curation_overlay`] computed afresh.
    fn curation_overlay_now(&self) -> (Vec<Dispute>, Vec<Version>) {
        let Some((c, record)) = self.curation() else {
            return (Vec::new(), Vec::new());
        };
        let disputes = c
            .disagreements
            .iter()
            .filter_map(|&i| {
                let g = &c.groups[i];
                let kind = g.kind?;
                let current = c.current == Some(i);
                (current || !record.is_decided(g.key)).then(|| Dispute {
                    span: g.span,
                    color: kind_color(kind),
                    current,
                })
            })
            .collect::<Vec<_>>();
        let mut disputes = disputes;
        disputes.sort_by_key(|d| d.span.start);
        let d = self.workspace.current().expect("curating an open document");
        let versions = c
            .current
            .and_then(|i| c.groups.get(i))
            .map(|g| {
                g.candidates
                    .iter()
                    .enumerate()
                    .map(|(row, v)| Version {
                        pieces: v.annotation.pieces(),
                        color: d.annotations.tags.color_of(&v.annotation.tag),
                        row,
                    })
                    .collect()
            })
            .unwrap_or_default();
        (disputes, versions)
    }

    /// The Curation panel: where the curation stands, the disagreement looked at with its versions and answers,
    /// and every disagreement.
    pub(super) fn curation_panel(&mut self, ui: &mut Ui) {
        let Some(d) = self.workspace.current() else {
            return;
        };
        match &d.curation {
            Some(Err(e)) => {
                chrome::heading(ui, tr!("Curation"));
                ui.add(RtlLabel::new(e).size(14.0).wrap());
                return;
            }
            None => {
                chrome::heading(ui, tr!("Curation"));
                chrome::row(ui, |ui| {
                    ui.spinner();
                    chrome::label(ui, tr!("Reading the annotators' copies…"));
                });
                return;
            }
            Some(Ok(_)) => {}
        }
        let Some((c, record)) = self.curation() else {
            return;
        };
        let p = c.progress_at(record, d.annotations.revision());
        let doc = d.doc.clone();
        let tags = d.annotations.tags.clone();
        let mut answer = None;
        let mut look = None;
        let mut again = None;
        let mut step = None;
        chrome::heading(ui, tr!("Curation"));
        chrome::label(
            ui,
            tr!(
                "%{decided} of %{n} disagreements decided · %{agreed} agreed annotations",
                decided = p.decided,
                n = p.disagreements,
                agreed = p.agreed
            ),
        );
        for (k, name) in c.names.iter().enumerate() {
            chrome::row(ui, |ui| {
                chrome::label(ui, format!("{}.", crate::i18n::number(k + 1)));
                ui.add(RtlLabel::new(name).size(14.0));
            });
        }
        chrome::row(ui, |ui| {
            // The shortcuts are key names: not translated.
            let previous = ui.button(chrome::atom(ui, tr!("Previous Undecided")));
            if previous.on_hover_text("Shift+F7").clicked() {
                step = Some(false);
            }
            let next = ui.button(chrome::atom(ui, tr!("Next Undecided")));
            if next.on_hover_text("F7").clicked() {
                step = Some(true);
            }
        });
        ui.separator();
        match c.current.and_then(|i| c.groups.get(i).map(|g| (i, g))) {
            Some((i, g)) => {
                let kind = g.kind.unwrap_or(Kind::Missing);
                let [r, gr, b] = kind_color(kind);
                let decided = record.is_decided(g.key);
                let kind_text = if decided {
                    tr!("%{kind} — decided", kind = tr!(kind.label()))
                } else {
                    tr!(kind.label()).into_owned()
                };
                chrome::colored(ui, kind_text, Color32::from_rgb(r, gr, b), true);
                for v in &g.candidates {
                    let names: Vec<&str> =
                        v.by.iter()
                            .filter_map(|&k| c.names.get(k).map(String::as_str))
                            .collect();
                    let [r, gr, b] = tags.color_of(&v.annotation.tag);
                    ui.horizontal_wrapped(|ui| {
                        chrome::colored(
                            ui,
                            v.annotation.tag.clone(),
                            Color32::from_rgb(r, gr, b),
                            true,
                        );
                        ui.add(RtlLabel::new(&v.annotation.shown_text(&doc)).size(15.0));
                    });
                    ui.horizontal_wrapped(|ui| {
                        chrome::weak(ui, tr!("by"));
                        ui.add(RtlLabel::new(&names.join("، ")).size(13.0));
                    });
                }
                // Annotators with no version here: taking theirs keeps nothing.
                let without: Vec<&str> = (0..c.names.len())
                    .filter(|k| !g.candidates.iter().any(|v| v.by.contains(k)))
                    .map(|k| c.names[k].as_str())
                    .collect();
                if !without.is_empty() {
                    ui.horizontal_wrapped(|ui| {
                        chrome::weak(ui, tr!("nothing:"));
                        ui.add(RtlLabel::new(&without.join("، ")).size(13.0));
                    });
                }
                // What the curated copy holds there now (an earlier answer, or the curator's own edits).
                let held: Vec<(String, String)> = d
                    .annotations
                    .overlapping(g.span)
                    .map(|a| (a.tag.clone(), a.shown_text(&doc)))
                    .collect();
                chrome::weak(
                    ui,
                    if held.is_empty() {
                        tr!("The curated copy has nothing here yet.")
                    } else {
                        tr!("The curated copy has here:")
                    },
                );
                for (tag, text) in &held {
                    let [r, gr, b] = tags.color_of(tag);
                    ui.horizontal_wrapped(|ui| {
                        chrome::colored(ui, tag.clone(), Color32::from_rgb(r, gr, b), false);
                        ui.add(RtlLabel::new(text).size(14.0));
                    });
                }
                ui.add_enabled_ui(!decided, |ui| {
                    ui.horizontal_wrapped(|ui| {
                        for (k, name) in c.names.iter().enumerate() {
                            // Alt+1, Alt+2 and Alt+3 answer with the first three annotators' versions.
                            let text = if k < 3 {
                                tr!(
                                    "Take %{n} (%{key})",
                                    n = k + 1,
                                    key = format!("Alt+{}", k + 1)
                                )
                            } else {
                                tr!("Take %{n}", n = k + 1)
                            };
                            if ui
                                .button(chrome::atom(ui, text))
                                .on_hover_ui(|ui| {
                                    ui.add(RtlLabel::new(name).size(14.0));
                                })
                                .clicked()
                            {
                                answer = Some(Choice::Annotator(k));
                            }
                        }
                        if ui.button(chrome::atom(ui, tr!("All (Alt+A)"))).clicked() {
                            answer = Some(Choice::All);
                        }
                        if ui
                            .button(chrome::atom(ui, tr!("Neither (Alt+N)")))
                            .clicked()
                        {
                            answer = Some(Choice::Neither);
                        }
                    });
                });
                if decided && ui.button(chrome::atom(ui, tr!("Ask Again"))).clicked() {
                    again = Some(g.key);
                }
                let _ = i;
            }
            None => {
                chrome::paragraph(
                    ui,
                    if p.disagreements == p.decided {
                        tr!(
                            "Every disagreement is decided. The curated annotations are saved with this document."
                        )
                    } else {
                        tr!("Choose a disagreement below.")
                    },
                );
            }
        }
        ui.separator();
        let row_height = ui.spacing().interact_size.y.max(22.0);
        egui::ScrollArea::vertical()
            .id_salt("disagreements")
            .show_rows(ui, row_height, c.disagreements.len(), |ui, rows| {
                for &i in &c.disagreements[rows] {
                    let g = &c.groups[i];
                    let Some(kind) = g.kind else { continue };
                    let decided = record.is_decided(g.key);
                    let [r, gr, b] = kind_color(kind);
                    let text = crate::model::LineProblem::shorten(&doc.slice(g.span), 40);
                    let row = chrome::row(ui, |ui| {
                        let marker = if c.current == Some(i) { "›" } else { " " };
                        ui.label(marker);
                        let color = if decided {
                            ui.visuals().weak_text_color()
                        } else {
                            Color32::from_rgb(r, gr, b)
                        };
                        let state = if decided {
                            tr!("done")
                        } else {
                            tr!(kind.label())
                        };
                        chrome::colored(ui, state, color, false);
                        ui.add(RtlLabel::new(&text).size(14.0).sense(egui::Sense::click()))
                    });
                    if row.inner.clicked() || row.response.clicked() {
                        look = Some(i);
                    }
                }
            });
        if let Some(choice) = answer {
            self.take(choice);
        }
        if let Some(i) = look {
            self.show_disagreement(i);
        }
        if let Some(forward) = step {
            self.step_disagreement(forward);
        }
        if let Some(key) = again
            && let Some(d) = self.workspace.current_mut()
        {
            d.annotations.undecide(key);
            d.save
                .observe(d.annotations.revision(), std::time::Instant::now());
        }
    }
}

/// What a run of the curate window did, in one line (as `CurateReport::summary`, in the interface's language).
fn summary(r: &CurateReport, into: &std::path::Path) -> String {
    let merged: usize = r.documents.iter().map(|d| d.merged).sum();
    let total: usize = r.documents.iter().map(|d| d.disagreements).sum();
    let left: usize = r
        .documents
        .iter()
        .map(|d| d.disagreements - d.decided)
        .sum();
    tr!(
        "%{n} documents curated into %{folder}: %{merged} agreed annotations merged, %{left} of %{total} disagreements left to decide",
        n = r.documents.len(),
        folder = into.display(),
        merged = merged,
        left = left,
        total = total
    )
}
