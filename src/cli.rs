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

pub const USAGE: &str = "\
Warraq — a reader and entity annotator for Arabic text

Usage:
  warraq [FILE]                      open FILE (or the bundled sample article) in a window
  warraq layout FILE --width W --font-size S [--json]
                                     print every visual line as the view lays it out
  warraq render FILE --width W [--font-size S] [--from-line N] [--height H] --out PAGE.png [--force]
                                     draw what the view shows into a PNG, without a window
  warraq annotations FILE [--json]   list FILE's annotations after loading and re-anchoring (writes nothing)
  warraq export FILE... --format FORMAT [--out FILE_OR_DIR] [--outermost-only] [--force]
                                     export annotations: notes-md, notes-html, csv, jsonl, jsonl-doccano, brat,
                                     conll, w3c; an existing output is replaced only with --force, an input never
  warraq import FILE --format brat|conll|jsonl [--out DIR]
                                     bring annotations in: writes NAME.txt (when the format carries the text) and
                                     its sidecar
  warraq preannotate FILE --gazetteer LIST [--accept-all]
                                     propose (or, with --accept-all, make) an annotation for every match of the
                                     names in LIST (NAME<TAB>TAG or NAME,TAG a line); writes the sidecar
  warraq find FILE... QUERY [--exact] [--whole-word] [--json]
                                     the window's Arabic-aware search: one line per match (FILE:START-END: the
                                     match in context); exit 0 when something matched, 1 when nothing did, 2
                                     when a file could not be searched (the others still are)
  warraq agree A B [C...] [--json]   inter-annotator agreement: each argument a folder (documents paired by
                                     their path inside it) or a text file; the first is the reference. Span
                                     precision/recall/F1 (exact and overlapping), Cohen's kappa, Krippendorff's
                                     alpha (docs/agreement.md)
  warraq curate A B [C...] --into FOLDER
                                     make (or bring up to date) curated copies of the annotators' documents in
                                     FOLDER: the text copied, what all agree on merged; prints what is left to
                                     decide in the window (an annotator's file is never written)
  warraq --help | --version

Limits: --width 16–20000, --font-size 4–400, --height 1–20000 (and width × height ≤ 40 million pixels).
Exit status: 0 done, 1 failed (the message says why; nothing was overwritten), 2 bad arguments.
";

/// Bounds of the numbers the command line accepts: wide enough for any screen or page, small enough that no
/// layout or image blows up.
pub const WIDTH_RANGE: std::ops::RangeInclusive<f32> = 16.0..=20_000.0;
pub const FONT_SIZE_RANGE: std::ops::RangeInclusive<f32> = 4.0..=400.0;
pub const HEIGHT_RANGE: std::ops::RangeInclusive<u32> = 1..=20_000;
pub const MAX_PIXELS: u64 = 40_000_000;

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Invocation {
    Window {
        file: Option<PathBuf>,
    },
    Layout {
        file: PathBuf,
        width: f32,
        font_size: f32,
        json: bool,
    },
    Render {
        file: PathBuf,
        width: f32,
        font_size: f32,
        from_line: usize,
        height: u32,
        out: PathBuf,
        force: bool,
    },
    Annotations {
        file: PathBuf,
        json: bool,
    },
    Find {
        files: Vec<PathBuf>,
        query: String,
        options: crate::model::search::SearchOptions,
        json: bool,
    },
    Export {
        files: Vec<PathBuf>,
        format: crate::export::Format,
        out: Option<PathBuf>,
        outermost_only: bool,
        force: bool,
    },
    Import {
        file: PathBuf,
        format: String,
        out: Option<PathBuf>,
    },
    Preannotate {
        file: PathBuf,
        gazetteer: PathBuf,
        accept_all: bool,
    },
    Agree {
        sources: Vec<PathBuf>,
        json: bool,
    },
    Curate {
        sources: Vec<PathBuf>,
        into: PathBuf,
    },
    Help,
    Version,
}

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Invocation, String> {
    let mut it = args.iter().peekable();
    let Some(first) = it.peek().map(|s| s.as_str()) else {
        return Ok(Invocation::Window { file: None });
    };
    match first {
        "-h" | "--help" | "help" => Ok(Invocation::Help),
        "-V" | "--version" => Ok(Invocation::Version),
        "export" | "import" => {
            let cmd = it.next().cloned().unwrap_or_default();
            let (mut files, mut format, mut out, mut outermost_only, mut force) =
                (Vec::new(), None, None, false, false);
            while let Some(a) = it.next() {
                match a.as_str() {
                    "--format" => {
                        format = Some(it.next().cloned().ok_or("--format needs a value")?)
                    }
                    "--out" => out = Some(PathBuf::from(it.next().ok_or("--out needs a value")?)),
                    "--outermost-only" if cmd == "export" => outermost_only = true,
                    "--force" if cmd == "export" => force = true,
                    s if s.starts_with("--") => {
                        return Err(format!("unknown option {s} for {cmd}"));
                    }
                    s => files.push(PathBuf::from(s)),
                }
            }
            let format = format.ok_or_else(|| format!("{cmd} needs --format"))?;
            if files.is_empty() {
                return Err(format!("{cmd} needs a FILE"));
            }
            if cmd == "export" {
                let format = crate::export::Format::from_name(&format).ok_or_else(|| {
                    let names: Vec<&str> = crate::export::Format::ALL
                        .iter()
                        .map(|f| f.name())
                        .collect();
                    format!("unknown format {format}; one of {}", names.join(", "))
                })?;
                Ok(Invocation::Export {
                    files,
                    format,
                    out,
                    outermost_only,
                    force,
                })
            } else {
                if !["brat", "conll", "jsonl"].contains(&format.as_str()) {
                    return Err(format!(
                        "unknown import format {format}; one of brat, conll, jsonl"
                    ));
                }
                if files.len() > 1 {
                    return Err("import takes one FILE".into());
                }
                Ok(Invocation::Import {
                    file: files.remove(0),
                    format,
                    out,
                })
            }
        }
        "preannotate" => {
            let (mut file, mut gazetteer, mut accept_all) = (None, None, false);
            let mut rest = it.skip(1);
            while let Some(a) = rest.next() {
                match a.as_str() {
                    "--gazetteer" => {
                        gazetteer = Some(PathBuf::from(
                            rest.next().ok_or("--gazetteer needs a value")?,
                        ))
                    }
                    "--accept-all" => accept_all = true,
                    s if s.starts_with("--") => {
                        return Err(format!("unknown option {s} for preannotate"));
                    }
                    s if file.is_none() => file = Some(PathBuf::from(s)),
                    s => return Err(format!("unexpected argument {s}")),
                }
            }
            Ok(Invocation::Preannotate {
                file: file.ok_or("preannotate needs a FILE")?,
                gazetteer: gazetteer.ok_or("preannotate needs --gazetteer LIST")?,
                accept_all,
            })
        }
        "find" => {
            let mut words = Vec::new();
            let mut options = crate::model::search::SearchOptions::default();
            let mut json = false;
            for a in it.skip(1) {
                match a.as_str() {
                    "--json" => json = true,
                    "--exact" => options.exact = true,
                    "--whole-word" => options.whole_word = true,
                    s if s.starts_with("--") => return Err(format!("unknown option {s} for find")),
                    s => words.push(s.to_owned()),
                }
            }
            let query = words.pop().ok_or("find needs FILE... QUERY")?;
            if words.is_empty() {
                return Err("find needs FILE... QUERY".into());
            }
            if query.trim().is_empty() {
                return Err("find needs a QUERY that is not empty".into());
            }
            Ok(Invocation::Find {
                files: words.into_iter().map(PathBuf::from).collect(),
                query,
                options,
                json,
            })
        }
        "agree" => {
            let mut sources = Vec::new();
            let mut json = false;
            for a in it.skip(1) {
                match a.as_str() {
                    "--json" => json = true,
                    s if s.starts_with("--") => {
                        return Err(format!("unknown option {s} for agree"));
                    }
                    s => sources.push(PathBuf::from(s)),
                }
            }
            if sources.len() < 2 {
                return Err("agree needs two or more annotators' folders or files".into());
            }
            Ok(Invocation::Agree { sources, json })
        }
        "curate" => {
            let mut sources = Vec::new();
            let mut into = None;
            let mut args = it.skip(1);
            while let Some(a) = args.next() {
                match a.as_str() {
                    "--into" => {
                        if into.is_some() {
                            return Err("--into given twice".into());
                        }
                        into = Some(PathBuf::from(args.next().ok_or("--into needs a folder")?));
                    }
                    s if s.starts_with("--") => {
                        return Err(format!("unknown option {s} for curate"));
                    }
                    s => sources.push(PathBuf::from(s)),
                }
            }
            if sources.len() < 2 {
                return Err("curate needs two or more annotators' folders or files".into());
            }
            let into = into.ok_or("curate needs --into FOLDER: where the curated copies go")?;
            Ok(Invocation::Curate { sources, into })
        }
        "annotations" => {
            let mut file = None;
            let mut json = false;
            for a in it.skip(1) {
                match a.as_str() {
                    "--json" => json = true,
                    s if s.starts_with("--") => {
                        return Err(format!("unknown option {s} for annotations"));
                    }
                    s if file.is_none() => file = Some(PathBuf::from(s)),
                    s => return Err(format!("unexpected argument {s}")),
                }
            }
            let file = file.ok_or("annotations needs a FILE")?;
            Ok(Invocation::Annotations { file, json })
        }
        "layout" | "render" => {
            let cmd = it.next().cloned().unwrap_or_default();
            let mut file = None;
            let (mut width, mut font_size, mut json, mut from_line, mut height, mut out) =
                (None, 20.0f32, false, 0usize, 900u32, None);
            let mut force = false;
            while let Some(a) = it.next() {
                let mut value = |name: &str| {
                    it.next()
                        .cloned()
                        .ok_or_else(|| format!("{name} needs a value"))
                };
                match a.as_str() {
                    "--width" => width = Some(num::<f32>(&value("--width")?, "--width")?),
                    "--font-size" => font_size = num(&value("--font-size")?, "--font-size")?,
                    "--json" if cmd == "layout" => json = true,
                    "--from-line" if cmd == "render" => {
                        from_line = num(&value("--from-line")?, "--from-line")?
                    }
                    "--height" if cmd == "render" => height = num(&value("--height")?, "--height")?,
                    "--out" if cmd == "render" => out = Some(PathBuf::from(value("--out")?)),
                    "--force" if cmd == "render" => force = true,
                    s if s.starts_with("--") => {
                        return Err(format!("unknown option {s} for {cmd}"));
                    }
                    s if file.is_none() => file = Some(PathBuf::from(s)),
                    s => return Err(format!("unexpected argument {s}")),
                }
            }
            let file = file.ok_or_else(|| format!("{cmd} needs a FILE"))?;
            let width = width.ok_or_else(|| format!("{cmd} needs --width"))?;
            in_range("--width", width, &WIDTH_RANGE)?;
            in_range("--font-size", font_size, &FONT_SIZE_RANGE)?;
            if cmd == "render" {
                in_range("--height", height, &HEIGHT_RANGE)?;
                let pixels = (width + 2.0 * MARGIN).ceil() as u64 * u64::from(height);
                if pixels > MAX_PIXELS {
                    return Err(format!(
                        "--width {width} × --height {height} is {pixels} pixels; at most {MAX_PIXELS}"
                    ));
                }
            }
            if cmd == "layout" {
                Ok(Invocation::Layout {
                    file,
                    width,
                    font_size,
                    json,
                })
            } else {
                let out = out.ok_or("render needs --out PAGE.png")?;
                Ok(Invocation::Render {
                    file,
                    width,
                    font_size,
                    from_line,
                    height,
                    out,
                    force,
                })
            }
        }
        s if s.starts_with('-') => Err(format!("unknown option {s}")),
        _ => {
            let file = it.next().map(PathBuf::from);
            if let Some(extra) = it.next() {
                return Err(format!("unexpected argument {extra}: give one file"));
            }
            Ok(Invocation::Window { file })
        }
    }
}

/// Checks a number from the command line against its allowed range (NaN and infinities fail too).
fn in_range<T: PartialOrd + std::fmt::Display>(
    name: &str,
    value: T,
    range: &std::ops::RangeInclusive<T>,
) -> Result<(), String> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "{name} {value} is out of range; it must be between {} and {}",
            range.start(),
            range.end()
        ))
    }
}

fn num<T: std::str::FromStr>(s: &str, name: &str) -> Result<T, String> {
    s.parse()
        .map_err(|_| format!("{name}: {s:?} is not a number"))
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
const MARGIN: f32 = 24.0;
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
    for p in from_line..doc.paragraphs().len() {
        if y > height as f32 {
            break;
        }
        let layout = engine.layout(doc.paragraph_text(p), &style, Some(width));
        if let Some(set) = annotations {
            let para = doc.paragraphs()[p].span();
            for a in set.overlapping(para) {
                let start = doc.local_byte(p, a.span().start.max(para.start)).0;
                let end = doc.local_byte(p, a.span().end.min(para.end)).0;
                let color = set.tags.color_of(&a.tag);
                for [x0, y0, x1, y1] in layout.selection_rects(start..end) {
                    let r = [MARGIN + x0, y + y0, MARGIN + x1, y + y1];
                    fill(&mut rgb, img_w, height, r, color, 0.25);
                    fill(
                        &mut rgb,
                        img_w,
                        height,
                        [r[0], r[3] - 3.0, r[2], r[3] - 1.0],
                        color,
                        1.0,
                    );
                }
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

/// The `render` command: writes a PNG.
/// Blends a rectangle of `color` at `alpha` into an RGB image.
fn fill(rgb: &mut [u8], w: u32, h: u32, [x0, y0, x1, y1]: [f32; 4], color: [u8; 3], alpha: f32) {
    let a = (alpha * 255.0) as u32;
    for y in (y0.round().max(0.0) as u32)..(y1.round().max(0.0) as u32).min(h) {
        for x in (x0.round().max(0.0) as u32)..(x1.round().max(0.0) as u32).min(w) {
            let o = ((y * w + x) * 3) as usize;
            for k in 0..3 {
                rgb[o + k] =
                    ((u32::from(color[k]) * a + u32::from(rgb[o + k]) * (255 - a)) / 255) as u8;
            }
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_the_documented_forms() {
        assert_eq!(parse(&[]).unwrap(), Invocation::Window { file: None });
        assert_eq!(
            parse(&args("a.txt")).unwrap(),
            Invocation::Window {
                file: Some("a.txt".into())
            }
        );
        assert_eq!(
            parse(&args("layout a.txt --width 600 --font-size 20 --json")).unwrap(),
            Invocation::Layout {
                file: "a.txt".into(),
                width: 600.0,
                font_size: 20.0,
                json: true
            }
        );
        assert!(matches!(
            parse(&args("render a.txt --width 600 --out x.png")).unwrap(),
            Invocation::Render { from_line: 0, .. }
        ));
        assert!(
            parse(&args("layout a.txt"))
                .unwrap_err()
                .contains("--width")
        );
        assert!(
            parse(&args("render a.txt --width 100"))
                .unwrap_err()
                .contains("--out")
        );
        assert!(parse(&args("--bogus")).is_err());
    }
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

/// The `preannotate` command: matches a gazetteer in the document and saves the proposals (or, with `accept_all`,
/// annotations) to the sidecar, atomically. Returns a one-line summary; lines of the list that could not be used are
/// returned as "LIST:LINE: message".
pub fn preannotate_command(
    file: &Path,
    gazetteer: &Path,
    accept_all: bool,
) -> Result<(String, Vec<String>), String> {
    let (entries, problems) = store::read_name_list(gazetteer)?;
    // The same open-document code as the window: lock, re-anchoring, and a save that merges with changes made
    // elsewhere (a window with this document open) instead of overwriting them.
    let mut d = crate::workspace::OpenDocument::open(file, None).map_err(|e| e.to_string())?;
    // Annotations made by --accept-all carry the name of the user running the command.
    d.annotations.annotator = crate::app::settings::system_user();
    if d.broken_sidecar.is_some() {
        return Err(format!(
            "{}; nothing was changed",
            d.sidecar_error
                .as_deref()
                .unwrap_or("the annotations cannot be read")
        ));
    }
    let mut notices = std::mem::take(&mut d.notices);
    let found =
        crate::model::gazetteer::suggest(&d.doc, d.search_index_now(), &d.annotations, &entries);
    let n = found.len();
    let summary = if accept_all {
        // Only this list's matches are accepted; suggestions already waiting for review stay as they are.
        let keys: std::collections::HashSet<(usize, usize, String)> = found
            .iter()
            .map(|a| (a.start, a.end, a.tag.clone()))
            .collect();
        d.annotations.add_suggestions(found);
        let mine: Vec<usize> = d
            .annotations
            .suggestions
            .iter()
            .enumerate()
            .filter(|(_, a)| keys.contains(&(a.start, a.end, a.tag.clone())))
            .map(|(i, _)| i)
            .collect();
        let doc = d.doc.clone();
        let made = d.annotations.accept_suggestions(&doc, Some(&mine));
        format!("{made} annotations made from {} names", entries.len())
    } else {
        d.annotations.add_suggestions(found);
        format!(
            "{n} suggestions from {} names, to review in the window",
            entries.len()
        )
    };
    let saved = d.save_now().map_err(|e| match e {
        crate::workspace::SaveError::Failed(e) => {
            format!("could not save the annotations: {e}; the sidecar on disk was left as it was")
        }
        other => other.to_string(),
    })?;
    let side = d.sidecar.clone().unwrap_or_default();
    notices.extend(saved.message(&side));
    let mut problems = problems;
    problems.extend(notices);
    Ok((format!("{summary}; saved {}", side.display()), problems))
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
    for file in files {
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
pub fn agree_command(sources: &[PathBuf], json: bool) -> Result<String, String> {
    let report = agree(sources)?;
    if json {
        return serde_json::to_string_pretty(&report).map_err(|e| e.to_string());
    }
    Ok(agree_table(&report))
}

/// The agreement of annotators' folders or files (the first the reference), as `agree` and the window compute it.
pub fn agree(sources: &[PathBuf]) -> Result<AgreeReport, String> {
    use crate::model::agreement;
    let paired = crate::workspace::curation::pair(sources)?;
    let mut problems = paired.problems;
    let mut texts: Vec<String> = Vec::new();
    let mut spans: Vec<Vec<agreement::Spans>> = Vec::new();
    let mut kept: Vec<(String, Vec<PathBuf>)> = Vec::new();
    for (relative, files) in &paired.documents {
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
/// ([`crate::workspace::curation::curate_all`], as the window's Tools > Curate… does). Returns a line per document
/// and a summary; what could not be curated comes back apart.
pub fn curate_command(
    sources: &[PathBuf],
    into: &Path,
) -> Result<(String, Vec<String>, usize), String> {
    let report = crate::workspace::curation::curate_all(
        sources,
        into,
        &crate::app::settings::system_user(),
    )?;
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
    Ok((out, report.problems, report.refused))
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
