//! Tools ▸ Agreement…: the agreement between annotators' copies of the same documents, in the window. Folders (or
//! text files) are added one per annotator, the first the reference; the figures are computed on a worker by the
//! same code as `warraq agree` (docs/agreement.md) and shown per pair, per tag, with the documents left out.

use std::borrow::Cow;
use std::path::PathBuf;

use egui::Ui;

use super::WarraqApp;
use crate::cli::AgreeReport;
use crate::model::agreement::Pair;
use crate::tr;
use crate::view::{RtlLabel, chrome};
use crate::workspace::curation::Differences;
use crate::workspace::job::{self, Job, Poll};

#[derive(Default)]
pub(crate) struct AgreementWindow {
    sources: Vec<PathBuf>,
    picking: Option<Job<Option<PathBuf>>>,
    computing: Option<Job<Result<AgreeReport, String>>>,
    result: Option<Result<AgreeReport, String>>,
    /// The difference view: the document it is for, and its disagreements (being read, or read).
    differences: Option<(String, Job<Result<Differences, String>>)>,
    shown: Option<(String, Result<Differences, String>)>,
}

use crate::cli::figure as num;

/// A figure with three decimals, in the interface's digits.
fn three_decimals(v: f64) -> String {
    crate::i18n::number(format!("{v:.3}"))
}

fn pair_grid(ui: &mut Ui, id: &str, p: &Pair) {
    let row = |name: &str, e: &crate::model::agreement::Scores, o: f64| {
        vec![
            name.to_owned(),
            three_decimals(e.precision),
            three_decimals(e.recall),
            three_decimals(e.f1),
            crate::i18n::number(format!(
                "{} / {} / {}",
                e.tp.unwrap_or(0),
                e.fp.unwrap_or(0),
                e.fn_.unwrap_or(0)
            )),
            three_decimals(o),
        ]
    };
    let mut rows = vec![row(&tr!("all (exact)"), &p.exact, p.overlap.f1)];
    rows.extend(
        p.per_tag
            .iter()
            .map(|(tag, t)| row(tag, &t.exact, t.overlap.f1)),
    );
    let header = [
        Cow::Borrowed(""),
        tr!("precision"),
        tr!("recall"),
        Cow::Borrowed("F1"),
        Cow::Borrowed("tp / fp / fn"),
        tr!("overlap F1"),
    ];
    // egui's grid cannot run right to left (inside a right-to-left layout its first row starts at minus infinity):
    // it keeps to a left-to-right layout of its own, and in the Arabic interface takes its columns in the opposite
    // order, so that the names are at the right.
    let columns: Vec<usize> = if crate::i18n::rtl() {
        (0..6).rev().collect()
    } else {
        (0..6).collect()
    };
    ui.vertical(|ui| {
        egui::Grid::new(id)
            .striped(true)
            .num_columns(6)
            .show(ui, |ui| {
                for &c in &columns {
                    chrome::strong(ui, header[c].clone());
                }
                ui.end_row();
                for cells in &rows {
                    for &c in &columns {
                        chrome::label(ui, cells[c].as_str());
                    }
                    ui.end_row();
                }
            });
    });
    chrome::label(
        ui,
        tr!(
            "overlap: precision %{precision}, recall %{recall} · Cohen's kappa over code points: %{kappa}",
            precision = three_decimals(p.overlap.precision),
            recall = three_decimals(p.overlap.recall),
            kappa = num(p.kappa)
        ),
    );
}

/// The difference view of one document: its disagreements, each with every annotator's version.
fn differences_view(ui: &mut Ui, name: &str, shown: &Result<Differences, String>) {
    chrome::row(ui, |ui| {
        chrome::strong(ui, tr!("Differences in"));
        ui.add(RtlLabel::new(name).size(14.0));
    });
    let d = match shown {
        Ok(d) => d,
        Err(e) => {
            ui.add(RtlLabel::new(e).size(13.0).wrap());
            return;
        }
    };
    chrome::label(
        ui,
        tr!(
            "%{n} disagreements · %{agreed} annotations agreed",
            n = d.disagreements.len(),
            agreed = d.agreed
        ),
    );
    egui::ScrollArea::vertical()
        .id_salt("agreement-differences")
        .max_height(260.0)
        .show(ui, |ui| {
            for g in &d.disagreements {
                let Some(kind) = g.kind else { continue };
                let [r, gr, b] = super::curate::kind_color(kind);
                ui.horizontal_wrapped(|ui| {
                    chrome::colored(
                        ui,
                        tr!(kind.label()),
                        egui::Color32::from_rgb(r, gr, b),
                        false,
                    );
                    let context = crate::model::LineProblem::shorten(&d.doc.slice(g.span), 60);
                    ui.add(RtlLabel::new(&context).size(14.0));
                });
                for v in &g.candidates {
                    let names: Vec<&str> =
                        v.by.iter()
                            .filter_map(|&k| d.names.get(k).map(String::as_str))
                            .collect();
                    let line = format!(
                        "{}: {} «{}»",
                        names.join("، "),
                        v.annotation.tag,
                        v.annotation.shown_text(&d.doc)
                    );
                    chrome::row(ui, |ui| {
                        ui.add_space(16.0);
                        ui.add(RtlLabel::new(&line).size(13.0));
                    });
                }
            }
        });
}

impl AgreementWindow {
    /// The annotators' folders (or files) chosen, the reference first.
    #[must_use]
    pub fn sources(&self) -> &[PathBuf] {
        &self.sources
    }
}

impl WarraqApp {
    /// Opens the agreement window, with the open document's folder as the first annotator's.
    pub(super) fn open_agreement(&mut self) {
        let mut w = AgreementWindow::default();
        if let Some(dir) = self
            .workspace
            .current()
            .and_then(|d| d.path.as_ref())
            .and_then(|p| p.parent())
        {
            w.sources.push(dir.to_owned());
        }
        self.agreement = Some(w);
    }

    /// Whether the agreement window is open.
    #[must_use]
    pub fn is_showing_agreement(&self) -> bool {
        self.agreement.is_some()
    }

    /// Adds an annotator's folder (or file) to the agreement window, as its folder chooser does.
    pub fn add_agreement_source(&mut self, path: PathBuf) {
        if let Some(w) = &mut self.agreement
            && !w.sources.contains(&path)
        {
            w.sources.push(path);
            w.result = None;
        }
    }

    /// Computes the agreement of the sources added so far (on a worker).
    pub fn compute_agreement(&mut self, ctx: &egui::Context) {
        let waker = self.waker(ctx);
        if let Some(w) = &mut self.agreement {
            let sources = w.sources.clone();
            w.computing = Some(Job::spawn("agreement", &waker, move || {
                crate::cli::agree(&sources)
            }));
            w.result = None;
            w.shown = None;
        }
    }

    /// Reads how the annotators' copies of document `k` (of the figures' per-document list) differ, on a worker.
    pub fn show_differences(&mut self, ctx: &egui::Context, k: usize) {
        let waker = self.waker(ctx);
        let Some(w) = &mut self.agreement else { return };
        let Some(Ok(r)) = &w.result else { return };
        let Some(d) = r.per_document.get(k) else {
            return;
        };
        let files = d.files.clone();
        w.differences = Some((
            d.document.clone(),
            Job::spawn("reading the differences", &waker, move || {
                crate::workspace::curation::differences(&files)
            }),
        ));
    }

    /// The difference view's document and what it shows, once read.
    #[must_use]
    pub fn agreement_differences(&self) -> Option<&(String, Result<Differences, String>)> {
        self.agreement.as_ref().and_then(|w| w.shown.as_ref())
    }

    /// The figures shown, once computed.
    #[must_use]
    pub fn agreement_result(&self) -> Option<&Result<AgreeReport, String>> {
        self.agreement.as_ref().and_then(|w| w.result.as_ref())
    }

    pub(super) fn agreement_window(&mut self, ctx: &egui::Context) {
        let Some(w) = &mut self.agreement else {
            return;
        };
        if let Some(Poll::Ready(Some(path))) = job::take_ready(&mut w.picking) {
            if !w.sources.contains(&path) {
                w.sources.push(path);
            }
            w.result = None;
        }
        if let Some((name, job)) = &mut w.differences {
            match job.poll() {
                Poll::Pending => {}
                Poll::Ready(r) => {
                    w.shown = Some((name.clone(), r));
                    w.differences = None;
                }
                Poll::Lost => {
                    w.shown = Some((
                        name.clone(),
                        Err(tr!("reading stopped unexpectedly").into_owned()),
                    ));
                    w.differences = None;
                }
            }
        }
        match job::take_ready(&mut w.computing) {
            Some(Poll::Ready(r)) => w.result = Some(r),
            Some(_) => {
                w.result = Some(Err(tr!("the computation stopped unexpectedly").into_owned()));
            }
            None => {}
        }
        let mut open = !super::escape_closes(ctx);
        let (mut pick, mut compute, mut remove) = (false, false, None);
        let (mut diff, mut curate) = (None, false);
        let mut content = None;
        let shown = egui::Window::new(chrome::title(ctx, tr!("Agreement")))
            .id(egui::Id::unique("agreement-window"))
            .open(&mut open)
            .default_width(560.0)
            .show(ctx, |ui| {
                content = Some(ui.max_rect());
                chrome::rtl(ui, |ui| {
                    chrome::paragraph(
                        ui,
                        tr!("One folder per annotator (documents paired by their path inside it); the first is the reference."),
                    );
                    for (k, s) in w.sources.iter().enumerate() {
                        chrome::row(ui, |ui| {
                            chrome::label(
                                ui,
                                if k == 0 {
                                    tr!("reference")
                                } else {
                                    tr!("annotator")
                                },
                            );
                            // Folder names may be Arabic: drawn by the text engine.
                            ui.add(RtlLabel::new(&s.display().to_string()).size(14.0));
                            if ui.small_button(chrome::atom(ui, tr!("Remove"))).clicked() {
                                remove = Some(k);
                            }
                        });
                    }
                    chrome::row(ui, |ui| {
                        let add = chrome::atom(ui, tr!("Add Annotator's Folder…"));
                        pick = ui
                            .add_enabled(w.picking.is_none(), egui::Button::new(add))
                            .clicked();
                        let compute_button = chrome::atom(ui, tr!("Compute"));
                        compute = ui
                            .add_enabled(
                                w.sources.len() >= 2 && w.computing.is_none(),
                                egui::Button::new(compute_button),
                            )
                            .clicked();
                        if w.computing.is_some() {
                            ui.spinner();
                        }
                    });
                    match &w.result {
                        Some(Ok(r)) => {
                            ui.separator();
                            chrome::label(ui, tr!("%{n} documents compared", n = r.documents));
                            match &r.first {
                                Some(p) => pair_grid(ui, "agreement-pair", p),
                                None => {
                                    for (k, p) in r.pairs.iter().enumerate() {
                                        chrome::strong(
                                            ui,
                                            tr!(
                                                "%{other} against %{reference}",
                                                other = p.other,
                                                reference = p.reference
                                            ),
                                        );
                                        pair_grid(ui, &format!("agreement-pair-{k}"), &p.scores);
                                    }
                                }
                            }
                            chrome::label(
                                ui,
                                tr!(
                                    "Krippendorff's alpha over code points, all annotators: %{alpha}",
                                    alpha = num(r.alpha)
                                ),
                            );
                            chrome::collapsing(
                                ui,
                                "agreement-per-document",
                                tr!("Per document"),
                                false,
                                |ui| {
                                    egui::ScrollArea::vertical()
                                        .id_salt("agreement-documents")
                                        .max_height(220.0)
                                        .show(ui, |ui| {
                                            for (k, d) in r.per_document.iter().enumerate() {
                                                chrome::row(ui, |ui| {
                                                    let differences =
                                                        chrome::atom(ui, tr!("Differences"));
                                                    if ui.small_button(differences).clicked() {
                                                        diff = Some(k);
                                                    }
                                                    // Figures and Latin signs (F1, κ, α), as `warraq agree` prints them.
                                                    ui.label(d.summary());
                                                    ui.add(RtlLabel::new(&d.document).size(14.0));
                                                });
                                            }
                                        });
                                },
                            );
                            if w.differences.is_some() {
                                ui.spinner();
                            }
                            if let Some((name, shown)) = &w.shown {
                                ui.separator();
                                let button = ui.button(chrome::atom(ui, tr!("Curate…")));
                                curate = chrome::hover(
                                    button,
                                    tr!("Make the curated version of these folders' documents"),
                                )
                                .clicked();
                                differences_view(ui, name, shown);
                            }
                            for p in &r.problems {
                                ui.add(RtlLabel::new(p).size(13.0));
                            }
                        }
                        Some(Err(e)) => {
                            chrome::error(ui, e);
                        }
                        None => {}
                    }
                });
            });
        super::focus_on_open(
            ctx,
            "agreement",
            shown.map(|r| r.response.layer_id),
            content,
        );
        if let Some(k) = remove {
            w.sources.remove(k);
            w.result = None;
        }
        if let Some(k) = diff {
            self.show_differences(ctx, k);
        }
        if curate {
            self.open_curate();
        }
        if pick {
            let job = self.choose_folder(ctx, "An annotator's folder");
            if let Some(w) = &mut self.agreement {
                w.picking = Some(job);
            }
        }
        if compute {
            self.compute_agreement(ctx);
        }
        if !open {
            self.agreement = None;
        }
    }
}
