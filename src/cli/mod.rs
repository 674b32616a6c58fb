//! The command line: what to open in the window, and the headless `layout` and `render` commands.
//!
//! `layout` and `render` use the same decoding, text engine and glyph atlas as the window, so their output is what
//! a user sees; tests and the Chromium comparison are built on them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::model::{Annotation, AnnotationSet, Document};
use crate::store;
use crate::store::write::OutputGuard;
use crate::text::{GlyphAtlas, GlyphQuad, TextEngine, TextStyle};

pub mod args;

/// Bounds of the numbers the command line accepts: wide enough for any screen or page, small enough that no
/// layout or image blows up.
pub const WIDTH_RANGE: std::ops::RangeInclusive<f32> = 16.0..=20_000.0;
pub const FONT_SIZE_RANGE: std::ops::RangeInclusive<f32> = 4.0..=400.0;
pub const HEIGHT_RANGE: std::ops::RangeInclusive<u32> = 1..=20_000;
pub const MAX_PIXELS: u64 = 40_000_000;

/// The paths given on the command line with each folder replaced by its documents (as the window's folder list
/// shows them: text files and annotated files, subfolders included). A document named twice (the same file, or a
/// file inside a folder also given) is taken once, where it first comes.
pub fn documents(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut add = |p: PathBuf| {
        let key = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
        if seen.insert(key) {
            out.push(p);
        }
    };
    for p in paths {
        if p.is_dir() {
            let found = crate::workspace::corpus::document_paths(p)?;
            if found.is_empty() {
                return Err(format!("{}: no documents in this folder", p.display()));
            }
            found.into_iter().for_each(&mut add);
        } else {
            add(p.clone());
        }
    }
    Ok(out)
}

/// A progress bar on standard error for `len` steps: drawn only when standard error is a terminal and `--quiet`
/// was not given, so pipes and logs stay clean.
#[must_use]
pub fn progress_bar(len: usize, what: &str, quiet: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal as _;
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:32}] {pos}/{len} {elapsed}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar
}

/// Loads a document the way the window does.
pub fn load_document(path: &Path) -> Result<Document, String> {
    store::load_text(path, None)
        .map(|d| Document::new(d.text))
        .map_err(|e| e.to_string())
}

#[derive(Serialize)]
pub struct JsonCluster {
    pub start: usize,
    pub end: usize,
    pub x: f32,
    pub advance: f32,
}

#[derive(Serialize)]
pub struct JsonLine {
    pub paragraph: usize,
    pub start: usize,
    pub end: usize,
    pub y: f32,
    pub height: f32,
    pub rtl: bool,
    pub text: String,
    pub clusters: Vec<JsonCluster>,
}

#[derive(Serialize)]
pub struct JsonLayout {
    pub width: f32,
    pub font_size: f32,
    pub lines: Vec<JsonLine>,
}

/// Lays out every paragraph at `width` and `font_size` and lists its visual lines. Offsets are code points within
/// the paragraph; `y` is the top of the line with paragraphs stacked without gaps; `x` is from the left edge of the
/// `width`-wide box; clusters are in visual order.
pub fn layout_document(doc: &Document, width: f32, font_size: f32) -> JsonLayout {
    let mut engine = TextEngine::new();
    let style = TextStyle {
        font_size,
        line_height: 1.0,
        bold: false,
    };
    let mut lines = Vec::new();
    let mut y = 0.0f32;
    for p in 0..doc.paragraphs().len() {
        let text = doc.paragraph_text(p);
        let layout = engine.layout(text, &style, Some(width));
        // Byte → code point by binary search over the paragraph's character starts (linear in the paragraph).
        let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        let cp = |b: usize| starts.partition_point(|&s| s < b);
        for line in layout.lines() {
            let line_text = text[line.bytes.clone()]
                .trim_end_matches(['\n', '\r'])
                .to_owned();
            lines.push(JsonLine {
                paragraph: p,
                start: cp(line.bytes.start),
                end: cp(line.bytes.end),
                y: y + line.top,
                height: line.height,
                rtl: layout.is_rtl(),
                text: line_text,
                clusters: line
                    .clusters
                    .iter()
                    .map(|c| JsonCluster {
                        start: cp(c.bytes.start),
                        end: cp(c.bytes.end),
                        x: c.x,
                        advance: c.advance,
                    })
                    .collect(),
            });
        }
        y += layout.height();
    }
    JsonLayout {
        width,
        font_size,
        lines,
    }
}

/// The `layout` command's output.
pub fn layout_command(
    file: &Path,
    width: f32,
    font_size: f32,
    json: bool,
) -> Result<String, String> {
    let doc = load_document(file)?;
    let result = layout_document(&doc, width, font_size);
    if json {
        return serde_json::to_string_pretty(&result).map_err(|e| e.to_string());
    }
    let mut out = String::new();
    for l in &result.lines {
        let _ = writeln!(
            out,
            "{:>4} {:>5}-{:<5} y={:<8.1} {} {}",
            l.paragraph,
            l.start,
            l.end,
            l.y,
            if l.rtl { "rtl" } else { "ltr" },
            l.text
        );
    }
    Ok(out)
}

/// Page colours of the light theme, as the window paints them.
const PAGE: [u8; 3] = [248, 248, 248];
const INK: [u8; 3] = [40, 40, 40];
/// Same margin and paragraph gap as the document view.
pub const MARGIN: f32 = 24.0;
const PARAGRAPH_GAP: f32 = 0.6;

/// Renders paragraphs from `from_line` on into an RGB image `width + 2 * margin` wide and `height` tall.
pub fn render_document(
    doc: &Document,
    annotations: Option<&AnnotationSet>,
    width: f32,
    font_size: f32,
    from_line: usize,
    height: u32,
) -> (u32, u32, Vec<u8>) {
    let img_w = (width + 2.0 * MARGIN).ceil() as u32;
    let mut rgb: Vec<u8> = PAGE
        .iter()
        .copied()
        .cycle()
        .take((img_w * height * 3) as usize)
        .collect();
    let mut engine = TextEngine::new();
    let mut atlas = GlyphAtlas::default();
    let style = TextStyle {
        font_size,
        line_height: 1.2,
        bold: false,
    };
    let gap = (PARAGRAPH_GAP * font_size).round();
    let mut y = MARGIN;
    let mut quads: Vec<GlyphQuad> = Vec::new();
    let mut marks = Vec::new();
    for p in from_line..doc.paragraphs().len() {
        if y > height as f32 {
            break;
        }
        let layout = engine.layout(doc.paragraph_text(p), &style, Some(width));
        if let Some(set) = annotations {
            // The window's highlights, in the light theme.
            marks.clear();
            crate::view::highlights::paragraph_marks(
                doc,
                p,
                &layout,
                font_size,
                set,
                crate::view::highlights::Style::default(),
                &mut marks,
            );
            let mut canvas = Canvas {
                rgb: &mut rgb,
                w: img_w,
                h: height,
            };
            for m in &marks {
                canvas.mark(m, (MARGIN, y));
            }
        }
        quads.clear();
        atlas.place(layout.parley(), (MARGIN, y), 1.0, &mut quads);
        let size = atlas.size();
        let px = atlas.pixels();
        for q in &quads {
            let e = q.entry;
            for row in 0..e.h as i32 {
                let ty = q.y + row;
                if ty < 0 || ty >= height as i32 {
                    continue;
                }
                for col in 0..e.w as i32 {
                    let tx = q.x + col;
                    if tx < 0 || tx >= img_w as i32 {
                        continue;
                    }
                    let a = u32::from(px[((e.y + row as u32) * size + e.x + col as u32) as usize]);
                    let o = ((ty as u32 * img_w + tx as u32) * 3) as usize;
                    for k in 0..3 {
                        let bg = u32::from(rgb[o + k]);
                        rgb[o + k] = ((u32::from(INK[k]) * a + bg * (255 - a)) / 255) as u8;
                    }
                }
            }
        }
        y += layout.height() + gap;
    }
    (img_w, height, rgb)
}

/// An RGB image that highlight marks are drawn into.
struct Canvas<'a> {
    rgb: &'a mut [u8],
    w: u32,
    h: u32,
}

impl Canvas<'_> {
    /// Blends a rectangle of `color` at `alpha`.
    fn fill(&mut self, [x0, y0, x1, y1]: [f32; 4], color: [u8; 3], alpha: f32) {
        let a = (alpha.clamp(0.0, 1.0) * 255.0) as u32;
        for y in (y0.round().max(0.0) as u32)..(y1.round().max(0.0) as u32).min(self.h) {
            for x in (x0.round().max(0.0) as u32)..(x1.round().max(0.0) as u32).min(self.w) {
                let o = ((y * self.w + x) * 3) as usize;
                for (channel, &c) in self.rgb[o..o + 3].iter_mut().zip(&color) {
                    *channel = ((u32::from(c) * a + u32::from(*channel) * (255 - a)) / 255) as u8;
                }
            }
        }
    }

    /// Draws a highlight mark whose coordinates are relative to `origin`.
    fn mark(&mut self, m: &crate::view::highlights::Mark, (ox, oy): (f32, f32)) {
        use crate::view::highlights::Mark;
        let moved = |[x0, y0, x1, y1]: [f32; 4]| [ox + x0, oy + y0, ox + x1, oy + y1];
        match *m {
            Mark::Fill { rect, color, alpha } => self.fill(moved(rect), color, alpha),
            Mark::Outline { rect, width, color } => {
                let [x0, y0, x1, y1] = moved(rect);
                let (x0, y0, x1, y1) = (x0 - 1.0, y0 - 1.0, x1 + 1.0, y1 + 1.0);
                self.fill([x0 - width, y0 - width, x1 + width, y0], color, 1.0);
                self.fill([x0 - width, y1, x1 + width, y1 + width], color, 1.0);
                self.fill([x0 - width, y0, x0, y1], color, 1.0);
                self.fill([x1, y0, x1 + width, y1], color, 1.0);
            }
            Mark::Line {
                from,
                to,
                width,
                color,
                alpha,
                dash,
            } => {
                let (a, b) = ([ox + from[0], oy + from[1]], [ox + to[0], oy + to[1]]);
                let length = ((b[0] - a[0]).powi(2) + (b[1] - a[1]).powi(2)).sqrt();
                let (dash, gap) = dash.unwrap_or((length.max(1.0), 0.0));
                let half = width / 2.0;
                // Dash by dash; each dash a rectangle when the line is level (underlines), else a pixel at a time.
                let mut t = 0.0;
                while t < length {
                    let end = (t + dash).min(length);
                    let point = |d: f32| {
                        let f = d / length;
                        (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f)
                    };
                    let ((x0, y0), (x1, _)) = (point(t), point(end));
                    if (b[1] - a[1]).abs() < 0.01 {
                        self.fill([x0.min(x1), y0 - half, x0.max(x1), y0 + half], color, alpha);
                    } else {
                        let mut d = t;
                        while d < end {
                            let (x, y) = point(d);
                            self.fill([x - half, y - half, x + half, y + half], color, alpha);
                            d += 1.0;
                        }
                    }
                    t = end + gap;
                }
            }
        }
    }
}

/// The `render` command: writes a PNG.
pub fn render_command(
    file: &Path,
    width: f32,
    font_size: f32,
    from_line: usize,
    height: u32,
    out: &Path,
    force: bool,
) -> Result<(), String> {
    let opened = store::open(file, None).map_err(|e| e.to_string())?;
    let paragraphs = opened.doc.paragraphs().len();
    if from_line > 0 && from_line >= paragraphs {
        return Err(format!(
            "{}: --from-line {from_line} is past the end; the document has {paragraphs} paragraphs (0 is the first)",
            file.display()
        ));
    }
    // A sidecar that cannot be read does not stop the page from being drawn, only its highlights.
    let annotations = match opened.annotations {
        Ok((set, _)) => Some(set),
        Err(e) => {
            eprintln!("warraq: highlights not drawn: {e}");
            None
        }
    };
    let (w, h, rgb) = render_document(
        &opened.doc,
        annotations.as_ref(),
        width,
        font_size,
        from_line,
        height,
    );
    let mut png_bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png_bytes, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc
            .write_header()
            .map_err(|e| format!("{}: {e}", out.display()))?;
        writer
            .write_image_data(&rgb)
            .map_err(|e| format!("{}: {e}", out.display()))?;
    }
    OutputGuard::new([file.to_owned()], force)
        .write(out, &png_bytes)
        .map_err(|e| e.to_string())
}

#[derive(Serialize)]
pub struct JsonAnnotation {
    pub id: u64,
    pub tag: String,
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub note: String,
    /// A discontinuous annotation's pieces, `[start, end]` each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fragments: Vec<[usize; 2]>,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub attributes: std::collections::BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<crate::model::annotations::Link>,
}

impl From<&Annotation> for JsonAnnotation {
    fn from(a: &Annotation) -> Self {
        Self {
            id: a.id,
            tag: a.tag.clone(),
            start: a.start,
            end: a.end,
            text: a.text.clone(),
            note: a.note.clone(),
            fragments: a.fragments.iter().map(|&(s, e)| [s, e]).collect(),
            attributes: a.attributes.clone(),
            links: a.links.clone(),
        }
    }
}

#[derive(Serialize)]
pub struct JsonAnnotations {
    pub annotations: Vec<JsonAnnotation>,
    pub unplaced: Vec<JsonAnnotation>,
    pub relations: Vec<crate::model::annotations::Relation>,
    /// Marked finished in the window.
    pub finished: bool,
    pub moved: usize,
    pub warnings: Vec<String>,
}

/// `s` on one line: control characters and line or paragraph separators become spaces.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// The `annotations` command: the document's annotations as they stand after loading the sidecar and
/// re-anchoring. Nothing is written.
pub fn annotations_command(file: &Path, json: bool) -> Result<String, String> {
    let opened = store::open(file, None).map_err(|e| e.to_string())?;
    let (set, report) = opened.annotations.map_err(|e| e.to_string())?;
    let result = JsonAnnotations {
        annotations: set.items().iter().map(JsonAnnotation::from).collect(),
        unplaced: set.unplaced.iter().map(JsonAnnotation::from).collect(),
        relations: set.relations().to_vec(),
        finished: set.is_finished(),
        moved: report.moved,
        warnings: report.warnings,
    };
    if json {
        return serde_json::to_string_pretty(&result).map_err(|e| e.to_string());
    }
    let mut out = String::new();
    for (title, list) in [("", &result.annotations), ("unplaced: ", &result.unplaced)] {
        for a in list {
            let flat = one_line;
            let _ = write!(
                out,
                "{title}{:>5} {:<6} {:>7}-{:<7} {}",
                a.id,
                a.tag,
                a.start,
                a.end,
                flat(&a.text)
            );
            if a.fragments.len() > 1 {
                let pieces: Vec<String> = a
                    .fragments
                    .iter()
                    .map(|[s, e]| format!("{s}-{e}"))
                    .collect();
                let _ = write!(out, "  [pieces {}]", pieces.join(","));
            }
            for (k, v) in &a.attributes {
                let _ = write!(out, "  {}={}", flat(k), flat(v));
            }
            for l in &a.links {
                let _ = write!(out, "  {}:{}", flat(&l.db), flat(&l.id));
                if !l.label.is_empty() {
                    let _ = write!(out, " ({})", flat(&l.label));
                }
            }
            if !a.note.is_empty() {
                let _ = write!(out, "  — {}", flat(&a.note));
            }
            out.push('\n');
        }
    }
    for r in &result.relations {
        let _ = writeln!(
            out,
            "relation {:>5} {} {} → {}{}",
            r.id,
            one_line(&r.kind),
            r.from,
            r.to,
            if r.note.is_empty() {
                String::new()
            } else {
                format!("  — {}", one_line(&r.note))
            }
        );
    }
    if result.finished {
        out.push_str("marked finished\n");
    }
    for w in &result.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    Ok(out)
}

/// Opens a document to add annotations to from the command line, with the window's open-document code (lock,
/// re-anchoring, and a save that merges with changes made elsewhere — a window with this document open — instead of
/// overwriting them). What it makes carries the name of the user running the command. A sidecar that cannot be read
/// stops here, with nothing changed.
fn open_to_write(file: &Path) -> Result<crate::workspace::OpenDocument, String> {
    let mut d = crate::workspace::OpenDocument::open(file, None).map_err(|e| e.to_string())?;
    d.annotations.annotator = crate::app::settings::system_user();
    if d.broken_sidecar.is_some() {
        return Err(format!(
            "{}; nothing was changed",
            d.sidecar_error
                .as_deref()
                .unwrap_or("the annotations cannot be read")
        ));
    }
    Ok(d)
}

/// Accepts the suggestions waiting in `d` whose (start, end, tag) is among `keys` (others stay to review); returns
/// how many annotations were made.
fn accept_suggested(
    d: &mut crate::workspace::OpenDocument,
    keys: &std::collections::HashSet<(usize, usize, String)>,
) -> usize {
    if keys.is_empty() {
        return 0;
    }
    let chosen: Vec<usize> = d
        .annotations
        .suggestions
        .iter()
        .enumerate()
        .filter(|(_, a)| keys.contains(&(a.start, a.end, a.tag.clone())))
        .map(|(i, _)| i)
        .collect();
    let doc = d.doc.clone();
    d.annotations.accept_suggestions(&doc, Some(&chosen))
}

/// Saves `d` now (atomically, merging with changes made elsewhere); what the save says goes to `notices`. Returns
/// the sidecar's path.
fn save_written(
    d: &mut crate::workspace::OpenDocument,
    notices: &mut Vec<String>,
) -> Result<PathBuf, String> {
    let saved = d.save_now().map_err(|e| match e {
        crate::workspace::SaveError::Failed(e) => {
            format!("could not save the annotations: {e}; the sidecar on disk was left as it was")
        }
        other => other.to_string(),
    })?;
    let side = d.sidecar.clone().unwrap_or_default();
    notices.extend(saved.message(&side));
    Ok(side)
}

/// What `preannotate` did.
#[derive(Debug, Clone, Serialize)]
pub struct Preannotated {
    /// Names read from the list.
    pub names: usize,
    /// Matches found (suggestions, or annotations made with `--accept-all`).
    pub suggestions: usize,
    /// Annotations made (`--accept-all`).
    pub annotations: usize,
    pub sidecar: PathBuf,
    /// Lines of the list that could not be used ("LIST:LINE: message") and notices about the document.
    pub problems: Vec<String>,
}

impl Preannotated {
    /// One line for people.
    #[must_use]
    pub fn summary(&self, accept_all: bool) -> String {
        use crate::i18n::counted;
        let names = counted(self.names, "name");
        let what = if accept_all {
            format!(
                "{} made from {names}",
                counted(self.annotations, "annotation")
            )
        } else {
            format!(
                "{} from {names}, to review in the window",
                counted(self.suggestions, "suggestion")
            )
        };
        format!("{what}; saved {}", self.sidecar.display())
    }
}

/// The `preannotate` command: matches a gazetteer in the document and saves the proposals (or, with `accept_all`,
/// annotations) to the sidecar, atomically.
pub fn preannotate_command(
    file: &Path,
    gazetteer: &Path,
    accept_all: bool,
) -> Result<Preannotated, String> {
    let (entries, problems) = store::read_name_list(gazetteer)?;
    let mut d = open_to_write(file)?;
    let mut notices = std::mem::take(&mut d.notices);
    let found = crate::model::gazetteer::suggest(
        &d.doc,
        d.search_index_now(),
        &d.annotations.marks(),
        &entries,
    );
    let n = found.len();
    let made = if accept_all {
        // Only this list's matches are accepted; suggestions already waiting for review stay as they are.
        let keys = found
            .iter()
            .map(|a| (a.start, a.end, a.tag.clone()))
            .collect();
        d.annotations.add_suggestions(found);
        accept_suggested(&mut d, &keys)
    } else {
        d.annotations.add_suggestions(found);
        0
    };
    let side = save_written(&mut d, &mut notices)?;
    let mut problems = problems;
    problems.extend(notices);
    Ok(Preannotated {
        names: entries.len(),
        suggestions: n,
        annotations: made,
        sidecar: side,
        problems,
    })
}

/// One suggestion `suggest` made.
#[derive(Debug, Clone, Serialize)]
pub struct JsonSuggestion {
    pub start: usize,
    pub end: usize,
    pub tag: String,
    pub text: String,
    pub score: f64,
    /// Where it comes from: "learned" (the annotations of the folder's documents) or "model".
    pub source: &'static str,
    /// Made an annotation (`--accept-above`) rather than left to review.
    pub accepted: bool,
}

/// What `suggest` did.
#[derive(Debug, Clone, Serialize)]
pub struct Suggested {
    pub suggestions: Vec<JsonSuggestion>,
    /// Documents of the folder whose annotations were learned from, and the distinct texts learned.
    pub learned_from: usize,
    pub texts: usize,
    /// The model's folder, when one was run.
    pub model: Option<PathBuf>,
    pub sidecar: PathBuf,
    /// Documents whose annotations could not be read (left out of the learning), and notices about FILE.
    pub problems: Vec<String>,
}

/// Where `suggest` takes its suggestions from.
pub struct SuggestFrom<'a> {
    /// The annotations of every document in FILE's folder.
    pub learned: bool,
    /// A token-classification model's folder, with `TYPE=TAG` mappings over the usual ones.
    pub model: Option<(&'a Path, &'a [String])>,
}

/// The `suggest` command: suggestions learned from the annotations of every document in FILE's folder (FILE's own
/// included: which text gets which tag, scored by how often, less its rejections) and/or found by a model, where
/// FILE is not annotated yet; those scoring at least `accept_above` become annotations, the rest are saved as
/// suggestions to review in the window (F6) — through the open-document code and its save policy. `progress`
/// hears how many of the model's windows are done, of how many.
pub fn suggest_command(
    file: &Path,
    from: &SuggestFrom,
    min_score: f64,
    accept_above: Option<f64>,
    mut progress: impl FnMut(usize, usize),
) -> Result<Suggested, String> {
    // The model first: a folder that is not a model is said before anything is read or written.
    let model = match from.model {
        Some((dir, labels)) => Some(crate::ner::Model::load(dir).map(|m| (m, labels))?),
        None => None,
    };
    let mut d = open_to_write(file)?;
    let mut problems = std::mem::take(&mut d.notices);
    let mut found: Vec<crate::model::Annotation> = Vec::new();
    let (mut learned_from, mut texts) = (0, 0);
    if from.learned {
        let folder = file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let learned = crate::workspace::learned::from_folder(folder, None)?;
        // A new look replaces the learner's earlier suggestions (their scores may have changed).
        d.annotations
            .offer_suggestions(Vec::new(), Some(crate::model::annotations::Source::Learned));
        problems.extend(learned.problems);
        learned_from = learned.documents;
        texts = learned.model.len();
        found.extend(
            learned
                .model
                .suggest(
                    &d.doc,
                    d.search_index_now(),
                    &d.annotations.marks(),
                    min_score,
                )
                .into_iter()
                .map(|s| s.annotation),
        );
    }
    if let Some((model, labels)) = &model {
        // A new run replaces the model's earlier suggestions (another mapping, another model).
        d.annotations
            .offer_suggestions(Vec::new(), Some(crate::model::annotations::Source::Model));
        let mut map = crate::ner::default_map(&model.kinds(), &d.annotations.tags);
        crate::ner::apply_map_args(&mut map, labels)?;
        found.extend(crate::workspace::suggester::run_now(
            model,
            &map,
            min_score as f32,
            &d,
            &mut progress,
        )?);
    }
    let accept = |a: &crate::model::Annotation| {
        accept_above.is_some_and(|t| a.suggested.is_some_and(|s| f64::from(s.score) >= t))
    };
    let keys = found
        .iter()
        .filter(|a| accept(a))
        .map(|a| (a.start, a.end, a.tag.clone()))
        .collect();
    let mut suggestions: Vec<JsonSuggestion> = found
        .iter()
        .map(|a| JsonSuggestion {
            start: a.start,
            end: a.end,
            tag: a.tag.clone(),
            text: a.text.clone(),
            score: a.suggested.map_or(1.0, |s| f64::from(s.score)),
            source: a.suggested.map_or("list", |s| s.source.name()),
            accepted: accept(a),
        })
        .collect();
    d.annotations.add_suggestions(found);
    accept_suggested(&mut d, &keys);
    // What was accepted is what is now an annotation (one the set refused stays a suggestion).
    let made: std::collections::HashSet<(usize, usize, &str)> = d
        .annotations
        .items()
        .iter()
        .map(|a| (a.start, a.end, a.tag.as_str()))
        .collect();
    for s in &mut suggestions {
        s.accepted = s.accepted && made.contains(&(s.start, s.end, s.tag.as_str()));
    }
    let side = save_written(&mut d, &mut problems)?;
    Ok(Suggested {
        suggestions,
        learned_from,
        texts,
        model: model.map(|(m, _)| m.folder.clone()),
        sidecar: side,
        problems,
    })
}

/// One match of `warraq find`.
#[derive(Serialize)]
pub struct JsonMatch {
    pub file: String,
    /// Code points into the decoded text, end exclusive.
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// Up to 30 code points of context on each side, line breaks shown as spaces.
    pub before: String,
    pub after: String,
}

/// What `warraq find` did: whether anything matched, and the files that could not be searched.
pub struct FindOutcome {
    pub found: bool,
    pub errors: Vec<String>,
}

/// The `find` command: every match of `query` in each file, with the window's matching rules, written to `out` as
/// it is found (one file's matches at a time, so a dense match in a large book does not pile up in memory). A file
/// that cannot be read is reported in the outcome and the others are still searched.
pub fn find_command(
    files: &[PathBuf],
    query: &str,
    options: crate::model::search::SearchOptions,
    json: bool,
    out: &mut dyn std::io::Write,
    progress: &mut dyn FnMut(usize, usize),
) -> std::io::Result<FindOutcome> {
    use std::io::Write as _;
    const CONTEXT: usize = 30;
    let mut outcome = FindOutcome {
        found: false,
        errors: Vec::new(),
    };
    let mut out = std::io::BufWriter::new(out);
    if json {
        write!(
            out,
            "{{\"query\":{},\"matches\":[",
            serde_json::json!(query)
        )?;
    }
    for (done, file) in files.iter().enumerate() {
        progress(done, files.len());
        let doc = match load_document(file) {
            Ok(doc) => std::sync::Arc::new(doc),
            Err(e) => {
                outcome.errors.push(e);
                continue;
            }
        };
        let index = crate::model::search::SearchIndex::new(doc.clone());
        let name = file.display().to_string();
        for span in index.find(query, options) {
            let around = |from: usize, to: usize| {
                doc.slice(crate::model::Span::new(
                    crate::model::CharOffset(from),
                    crate::model::CharOffset(to),
                ))
                .replace(['\n', '\r', '\t'], " ")
            };
            let m = JsonMatch {
                file: name.clone(),
                start: span.start.0,
                end: span.end.0,
                text: doc.slice(span),
                before: around(span.start.0.saturating_sub(CONTEXT), span.start.0),
                after: around(span.end.0, (span.end.0 + CONTEXT).min(doc.char_count())),
            };
            if json {
                if outcome.found {
                    out.write_all(b",")?;
                }
                serde_json::to_writer(&mut out, &m)?;
            } else {
                writeln!(
                    out,
                    "{}:{}-{}: {}[{}]{}",
                    m.file, m.start, m.end, m.before, m.text, m.after
                )?;
            }
            outcome.found = true;
        }
    }
    if json {
        writeln!(out, "],\"errors\":{}}}", serde_json::json!(outcome.errors))?;
    }
    out.flush()?;
    Ok(outcome)
}

/// What `agree` prints with `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct AgreeReport {
    pub documents: usize,
    pub annotators: Vec<String>,
    /// With two annotators, their scores (at the top level of the JSON).
    #[serde(flatten)]
    pub first: Option<crate::model::agreement::Pair>,
    /// With three or more, every pair.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pairs: Vec<AgreePair>,
    pub alpha: Option<f64>,
    /// The same figures document by document (no per-tag breakdown).
    pub per_document: Vec<DocumentAgreement>,
    pub problems: Vec<String>,
}

/// One document's agreement: every pair's span scores and kappa, and alpha over all annotators.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentAgreement {
    /// Its path inside the sources.
    pub document: String,
    /// The annotators' copies of it, in the sources' order (for the window's difference view).
    #[serde(skip)]
    pub files: Vec<PathBuf>,
    pub pairs: Vec<DocumentPair>,
    pub alpha: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentPair {
    pub reference: String,
    pub other: String,
    pub exact: crate::model::agreement::Scores,
    pub overlap: crate::model::agreement::Scores,
    pub kappa: Option<f64>,
}

impl DocumentAgreement {
    /// One line of figures: each pair's exact F1, overlap F1 and kappa, then alpha.
    #[must_use]
    pub fn summary(&self) -> String {
        let pairs: Vec<String> = self
            .pairs
            .iter()
            .map(|p| {
                format!(
                    "F1 {:.3} / {:.3} κ {}",
                    p.exact.f1,
                    p.overlap.f1,
                    figure(p.kappa)
                )
            })
            .collect();
        format!("{} · α {}", pairs.join("; "), figure(self.alpha))
    }
}

/// A figure with three decimals, or "—" when it is undefined.
#[must_use]
pub fn figure(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| format!("{v:.3}"))
}

#[derive(Debug, Clone, Serialize)]
pub struct AgreePair {
    pub reference: String,
    pub other: String,
    #[serde(flatten)]
    pub scores: crate::model::agreement::Pair,
}

/// The `agree` command: documents paired across annotators, scored (definitions in docs/agreement.md). A document
/// missing for an annotator, or whose text differs from the reference's, is left out and named.
pub fn agree_command(
    sources: &[PathBuf],
    json: bool,
    progress: impl FnMut(usize, usize),
) -> Result<String, String> {
    let report = agree_with_progress(sources, progress)?;
    if json {
        return serde_json::to_string_pretty(&report).map_err(|e| e.to_string());
    }
    Ok(agree_table(&report))
}

/// The agreement of annotators' folders or files (the first the reference), as `agree` and the window compute it.
pub fn agree(sources: &[PathBuf]) -> Result<AgreeReport, String> {
    agree_with_progress(sources, |_, _| {})
}

/// [`agree`], calling `progress(done, total)` as each document is read.
pub fn agree_with_progress(
    sources: &[PathBuf],
    mut progress: impl FnMut(usize, usize),
) -> Result<AgreeReport, String> {
    use crate::model::agreement;
    let paired = crate::workspace::curation::pair(sources)?;
    let mut problems = paired.problems;
    let mut texts: Vec<String> = Vec::new();
    let mut spans: Vec<Vec<agreement::Spans>> = Vec::new();
    let mut kept: Vec<(String, Vec<PathBuf>)> = Vec::new();
    let total = paired.documents.len();
    for (done, (relative, files)) in paired.documents.iter().enumerate() {
        progress(done, total);
        // A copy that cannot be read, or has another text, leaves its document out; the others are still compared.
        let (annotators, doc) = match crate::workspace::curation::read_document(files) {
            Ok(r) => r,
            Err(e) => {
                problems.push(crate::tr!(
                    "%{path}: left out: %{error}",
                    path = relative.display(),
                    error = e
                ));
                continue;
            }
        };
        // A discontinuous annotation counts as its pieces.
        let per = annotators
            .annotations
            .iter()
            .map(|list| {
                list.iter()
                    .flat_map(|a| {
                        a.pieces()
                            .into_iter()
                            .map(|p| (p.start.0, p.end.0, a.tag.clone()))
                    })
                    .collect()
            })
            .collect();
        texts.push(doc.text().to_owned());
        spans.push(per);
        kept.push((relative.display().to_string(), files.clone()));
    }
    if texts.is_empty() {
        let mut msg = "no document could be compared: none is in every source".to_owned();
        for p in &problems {
            msg.push_str("\n  ");
            msg.push_str(p);
        }
        return Err(msg);
    }
    let docs: Vec<agreement::Document<'_>> = texts
        .iter()
        .zip(spans)
        .map(|(text, annotators)| agreement::Document { text, annotators })
        .collect();
    let names: Vec<String> = sources.iter().map(|s| s.display().to_string()).collect();
    let pairs: Vec<AgreePair> = pair_indices(sources.len())
        .into_iter()
        .map(|(a, b)| AgreePair {
            reference: names[a].clone(),
            other: names[b].clone(),
            scores: agreement::pair(&docs, a, b),
        })
        .collect();
    let per_document = docs
        .iter()
        .zip(kept)
        .map(|(doc, (document, files))| {
            let one = std::slice::from_ref(doc);
            DocumentAgreement {
                document,
                files,
                pairs: pairs
                    .iter()
                    .enumerate()
                    .map(|(k, p)| {
                        let (a, b) = pair_indices(sources.len())[k];
                        let s = agreement::pair(one, a, b);
                        DocumentPair {
                            reference: p.reference.clone(),
                            other: p.other.clone(),
                            exact: s.exact,
                            overlap: s.overlap,
                            kappa: s.kappa,
                        }
                    })
                    .collect(),
                alpha: agreement::alpha(one),
            }
        })
        .collect();
    let report = AgreeReport {
        documents: docs.len(),
        per_document,
        annotators: names.clone(),
        first: (sources.len() == 2).then(|| pairs[0].scores.clone()),
        alpha: agreement::alpha(&docs),
        pairs: if sources.len() == 2 {
            Vec::new()
        } else {
            pairs
        },
        problems,
    };
    Ok(report)
}

/// The `curate` command: curated copies of the sources' documents made or brought up to date in `into`
/// ([`crate::workspace::curation::curate_all`], as the window's Tools > Curate… does).
pub fn curate_command(
    sources: &[PathBuf],
    into: &Path,
    progress: impl FnMut(usize, usize),
) -> Result<crate::workspace::curation::CurateReport, String> {
    crate::workspace::curation::curate_all_with_progress(
        sources,
        into,
        &crate::app::settings::system_user(),
        progress,
    )
}

/// `curate`'s readable report: a line per document and a summary.
#[must_use]
pub fn curate_text(report: &crate::workspace::curation::CurateReport, into: &Path) -> String {
    let mut out = String::new();
    for d in &report.documents {
        let _ = writeln!(
            out,
            "{}: {} agreed annotations merged, {} of {} disagreements left to decide",
            d.path.display(),
            d.merged,
            d.disagreements - d.decided,
            d.disagreements
        );
    }
    let _ = write!(out, "{}", report.summary(into));
    out
}

/// Every pair of `n` annotators (a before b), in the order reports list them.
fn pair_indices(n: usize) -> Vec<(usize, usize)> {
    (0..n)
        .flat_map(|a| ((a + 1)..n).map(move |b| (a, b)))
        .collect()
}

/// `agree`'s readable table.
#[must_use]
pub fn agree_table(report: &AgreeReport) -> String {
    let names = &report.annotators;
    let mut out = String::new();
    let num = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), |v| format!("{v:.3}"));
    let _ = writeln!(
        out,
        "{} documents; annotators: {}",
        report.documents,
        names.join(", ")
    );
    let rows: Vec<(String, String, &crate::model::agreement::Pair)> = match &report.first {
        Some(p) => vec![(names[0].clone(), names[1].clone(), p)],
        None => report
            .pairs
            .iter()
            .map(|p| (p.reference.clone(), p.other.clone(), &p.scores))
            .collect(),
    };
    for (a, b, p) in rows {
        let _ = writeln!(out, "\n{b} against {a}:");
        let _ = writeln!(
            out,
            "  {:<10} {:>9} {:>9} {:>9}   exact tp/fp/fn",
            "", "precision", "recall", "F1"
        );
        let counts = |s: &crate::model::agreement::Scores| {
            format!(
                "{}/{}/{}",
                s.tp.unwrap_or(0),
                s.fp.unwrap_or(0),
                s.fn_.unwrap_or(0)
            )
        };
        let _ = writeln!(
            out,
            "  {:<10} {:>9.3} {:>9.3} {:>9.3}   {}",
            "exact",
            p.exact.precision,
            p.exact.recall,
            p.exact.f1,
            counts(&p.exact)
        );
        let _ = writeln!(
            out,
            "  {:<10} {:>9.3} {:>9.3} {:>9.3}",
            "overlap", p.overlap.precision, p.overlap.recall, p.overlap.f1
        );
        for (tag, t) in &p.per_tag {
            let _ = writeln!(
                out,
                "  {:<10} {:>9.3} {:>9.3} {:>9.3}   {}   overlap F1 {:.3}",
                tag,
                t.exact.precision,
                t.exact.recall,
                t.exact.f1,
                counts(&t.exact),
                t.overlap.f1
            );
        }
        let _ = writeln!(out, "  Cohen's kappa (code points): {}", num(p.kappa));
    }
    let _ = writeln!(
        out,
        "\nKrippendorff's alpha (code points, all annotators): {}",
        num(report.alpha)
    );
    if !report.per_document.is_empty() {
        let _ = writeln!(
            out,
            "\nPer document (each pair: exact F1, overlap F1, kappa; then alpha):"
        );
    }
    for d in &report.per_document {
        let _ = writeln!(out, "  {}: {}", d.document, d.summary());
    }
    for p in &report.problems {
        let _ = writeln!(out, "note: {p}");
    }
    out
}
