//! The command line's definition (clap, derive): every subcommand, its options, help text and examples. The
//! parser, `--help`, the shell completions (`warraq completions`) and the manual page (`warraq man`) all come from
//! this one definition. What each command does is in the parent module.

use std::path::PathBuf;

use clap::builder::PossibleValuesParser;
use clap::{Args, Parser, Subcommand, ValueEnum};

use super::{FONT_SIZE_RANGE, HEIGHT_RANGE, WIDTH_RANGE};

/// The exit statuses, shown under `--help` and in the manual page.
pub const EXIT_STATUS: &str = "\
Exit status: 0 done; 1 failed (the message says why, and nothing was overwritten); 2 bad arguments.
`find` follows grep: 0 something matched, 1 nothing matched, 2 a file could not be searched.";

#[derive(Debug, Parser)]
#[command(
    name = "warraq",
    version,
    about = "A reader and entity annotator for Arabic text",
    long_about = "A reader and entity annotator for Arabic text.\n\n\
        With no command, opens FILE (a text file, or a folder as a corpus) in a window; with no FILE, the bundled \
        Arabic sample article. The commands work without a window, with the window's decoding, text engine, \
        matching rules and save policy.",
    after_help = EXIT_STATUS,
    subcommand_value_name = "COMMAND",
    disable_help_subcommand = true
)]
pub struct Cli {
    /// The text file or folder to open in the window
    pub file: Option<PathBuf>,

    /// No progress bars on standard error (they are shown only when it is a terminal)
    #[arg(short, long, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print every visual line as the view lays it out
    #[command(
        after_help = "Example:\n  warraq layout article.txt --width 600 --font-size 20 --json"
    )]
    Layout {
        /// The text file
        file: PathBuf,
        #[command(flatten)]
        page: Page,
        /// Print JSON: lines with their clusters, in code points and pixels
        #[arg(long)]
        json: bool,
    },

    /// Draw what the view shows into a PNG, without a window
    #[command(
        after_help = "Example:\n  warraq render article.txt --width 800 --height 1200 --out page.png\n\n\
            Width × height is at most 40 million pixels. An existing PNG is replaced only with --force."
    )]
    Render {
        /// The text file (its annotations are drawn too)
        file: PathBuf,
        #[command(flatten)]
        page: Page,
        /// The first paragraph drawn (0 is the first)
        #[arg(long, value_name = "N", default_value_t = 0)]
        from_line: usize,
        /// The image's height in pixels
        #[arg(long, value_name = "H", default_value_t = 900, value_parser = in_range(HEIGHT_RANGE), allow_negative_numbers = true)]
        height: u32,
        /// Where the PNG goes
        #[arg(long, value_name = "PAGE.png")]
        out: PathBuf,
        /// Replace an existing file at --out
        #[arg(long)]
        force: bool,
    },

    /// List a document's annotations after loading and re-anchoring (writes nothing)
    #[command(
        after_help = "Examples:\n  warraq annotations article.txt\n  warraq annotations article.txt --json"
    )]
    Annotations {
        /// The text file (its sidecar NAME.EXT.warraq.ron is read)
        file: PathBuf,
        #[command(flatten)]
        output: Output,
    },

    /// Export annotations for training or reading
    #[command(
        after_help = "Examples:\n  warraq export corpus/ --format conll --out train.conll\n  \
            warraq export a.txt b.txt --format brat --out brat/\n  warraq export a.txt --format notes-html\n\n\
            Formats: notes-md and notes-html (a readable report), csv, jsonl (spaCy), jsonl-doccano, brat, conll \
            (IOB2), w3c (Web Annotation). An existing output is replaced only with --force; an input never."
    )]
    Export {
        /// Text files or folders of them
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The format written
        #[arg(long, value_parser = PossibleValuesParser::new(export_format_names()))]
        format: String,
        /// The output file; for brat a folder (default: beside the first input)
        #[arg(long, value_name = "FILE_OR_DIR")]
        out: Option<PathBuf>,
        /// CoNLL: only the outermost annotation of nested ones (one tag column)
        #[arg(long)]
        outermost_only: bool,
        /// Replace existing outputs
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        output: Output,
    },

    /// Bring annotations in from brat, CoNLL or JSONL
    #[command(after_help = "Examples:\n  warraq import doc.ann --format brat\n  \
            warraq import train.conll --format conll --out imported/\n  warraq import data.jsonl --format jsonl\n\n\
            Writes NAME.txt (when the format carries the text) and its sidecar; never replaces a different text or \
            existing annotations. Lines that cannot be used are listed on standard error.")]
    Import {
        /// The file to import (brat: the .ann, with its .txt beside it)
        file: PathBuf,
        /// The file's format
        #[arg(long, value_enum)]
        format: ImportFormat,
        /// The folder the documents go to (default: beside FILE)
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        #[command(flatten)]
        output: Output,
    },

    /// Propose an annotation for every match of a list of names
    #[command(
        after_help = "Examples:\n  warraq preannotate article.txt --gazetteer names.tsv\n  \
            warraq preannotate article.txt --gazetteer names.csv --accept-all\n\n\
            LIST has one NAME<TAB>TAG or NAME,TAG a line. The suggestions are saved to the sidecar, to review in the \
            window (F6); --accept-all makes them annotations."
    )]
    Preannotate {
        /// The text file
        file: PathBuf,
        /// The list of names
        #[arg(long, value_name = "LIST")]
        gazetteer: PathBuf,
        /// Make annotations rather than suggestions
        #[arg(long)]
        accept_all: bool,
        #[command(flatten)]
        output: Output,
    },

    /// Suggest annotations learned from the folder's annotations, or found by a NER model on disk
    #[command(after_help = "Examples:\n  warraq suggest corpus/day3.txt\n  \
            warraq suggest corpus/day3.txt --accept-above 0.9 --json\n  \
            warraq suggest corpus/day3.txt --model ~/models/camelbert-ner --label PERS=PER --label MISC=\n\n\
            --learned (the default without --model): once روسيا is tagged GPE in any document of the folder, each \
            other روسيا in FILE (clitics left outside, harakat ignored) is suggested as GPE, scored by how often \
            that text got that tag, less each time such a suggestion was rejected.\n\
            --model DIR: a token-classification model as a model hub gives it (config.json with id2label, \
            tokenizer.json, model.safetensors or pytorch_model.bin; BERT), run on the CPU; its types map onto tags of \
            the same name or a usual alias (PERS to PER), or as --label says (TYPE= leaves a type out).\n\
            Nothing is suggested where FILE already has an annotation. The suggestions are saved to FILE's sidecar, \
            to review in the window (F6); those scoring at least --accept-above become annotations.")]
    Suggest {
        /// The text file to suggest annotations in
        file: PathBuf,
        /// Learn from the annotations of every document in FILE's folder (the default without --model)
        #[arg(long)]
        learned: bool,
        /// A token-classification model's folder (config.json, tokenizer.json, model.safetensors)
        #[arg(long, value_name = "DIR")]
        model: Option<PathBuf>,
        /// Which tag a model's type becomes: TYPE=TAG, or TYPE= to leave it out (repeatable)
        #[arg(long = "label", value_name = "TYPE=TAG", requires = "model")]
        labels: Vec<String>,
        /// Leave out suggestions scoring below this (0–1)
        #[arg(long, value_name = "SCORE", default_value_t = 0.5, value_parser = in_range(0.0..=1.0))]
        min_score: f64,
        /// Make the suggestions scoring at least this (0–1) annotations
        #[arg(long, value_name = "SCORE", value_parser = in_range(0.0..=1.0))]
        accept_above: Option<f64>,
        #[command(flatten)]
        output: Output,
    },

    /// Search with the window's Arabic-aware matching (harakat and letter variants ignored)
    #[command(
        override_usage = "warraq find [OPTIONS] <FILE>... <QUERY>",
        after_help = "Examples:\n  warraq find article.txt روسيا\n  \
            warraq find corpus/ \"الأمم المتحدة\" --whole-word --json\n\n\
            One line per match: FILE:START-END: the match in context (offsets in code points)."
    )]
    Find {
        /// Files or folders to search, then the text to find (the last argument)
        #[arg(required = true, num_args = 2.., value_name = "FILE|QUERY")]
        words: Vec<std::ffi::OsString>,
        /// Match harakat, letter variants and case exactly
        #[arg(long)]
        exact: bool,
        /// Whole words only
        #[arg(long)]
        whole_word: bool,
        /// Print JSON: {"query", "matches": [{"file", "start", "end", "text", "before", "after"}]}
        #[arg(long)]
        json: bool,
    },

    /// Inter-annotator agreement between annotators' folders or files
    #[command(
        after_help = "Example:\n  warraq agree ann-amal/ ann-bilal/ ann-karim/ --json\n\n\
            The first is the reference; documents are paired by their path inside each folder. Span precision, \
            recall and F1 (exact and overlapping), Cohen's kappa and Krippendorff's alpha; docs/agreement.md \
            defines them."
    )]
    Agree {
        /// Two or more folders or text files, one per annotator
        #[arg(required = true, num_args = 2.., value_name = "SOURCE")]
        sources: Vec<PathBuf>,
        #[command(flatten)]
        output: Output,
    },

    /// Make (or bring up to date) curated copies of annotators' documents
    #[command(
        after_help = "Example:\n  warraq curate ann-amal/ ann-bilal/ --into curated/\n\n\
            The text is copied and what all annotators agree on is merged; what is left to decide is listed, to \
            curate in the window. An annotator's file is never written."
    )]
    Curate {
        /// Two or more folders or text files, one per annotator
        #[arg(required = true, num_args = 2.., value_name = "SOURCE")]
        sources: Vec<PathBuf>,
        /// The folder the curated copies go to
        #[arg(long, value_name = "FOLDER")]
        into: PathBuf,
        #[command(flatten)]
        output: Output,
    },

    /// Print a completion script for a shell
    #[command(
        after_help = "Examples:\n  warraq completions bash > ~/.local/share/bash-completion/completions/warraq\n  \
            warraq completions zsh > ~/.zfunc/_warraq\n  \
            warraq completions fish > ~/.config/fish/completions/warraq.fish"
    )]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },

    /// Print the manual page (roff): warraq(1), or a command's own page such as warraq-export(1)
    #[command(after_help = "Examples:\n  warraq man | man -l -\n  warraq man export | man -l -")]
    Man {
        /// The command whose page is printed
        #[arg(value_parser = PossibleValuesParser::new(command_names()))]
        command: Option<String>,
    },
}

/// The page a layout or rendering is made for.
#[derive(Debug, Clone, Copy, Args)]
pub struct Page {
    /// The text's width in pixels
    #[arg(long, value_name = "W", value_parser = in_range(WIDTH_RANGE), allow_negative_numbers = true)]
    pub width: f32,
    /// The font size in pixels
    #[arg(long, value_name = "S", default_value_t = 20.0, value_parser = in_range(FONT_SIZE_RANGE), allow_negative_numbers = true)]
    pub font_size: f32,
}

/// How a command reports.
#[derive(Debug, Clone, Copy, Args)]
pub struct Output {
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

/// The formats `import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    Brat,
    Conll,
    Jsonl,
}

impl ImportFormat {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            ImportFormat::Brat => "brat",
            ImportFormat::Conll => "conll",
            ImportFormat::Jsonl => "jsonl",
        }
    }
}

fn export_format_names() -> Vec<&'static str> {
    crate::export::Format::ALL
        .iter()
        .map(|f| f.name())
        .collect()
}

/// A parser of numbers within `range` (NaN and infinities are out of it too).
fn in_range<T>(
    range: std::ops::RangeInclusive<T>,
) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Clone + Send + Sync + 'static,
{
    move |s| {
        let v: T = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
        if range.contains(&v) {
            Ok(v)
        } else {
            Err(format!(
                "{v} is out of range; it must be between {} and {}",
                range.start(),
                range.end()
            ))
        }
    }
}

/// The command line's definition as clap builds it (for completions and the manual page).
#[must_use]
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// The names of the commands, each with a manual page of its own, `warraq-NAME(1)` (a test checks the list against
/// the definition).
pub const COMMANDS: [&str; 12] = [
    "layout",
    "render",
    "annotations",
    "export",
    "import",
    "preannotate",
    "suggest",
    "find",
    "agree",
    "curate",
    "completions",
    "man",
];

fn command_names() -> [&'static str; 12] {
    COMMANDS
}

/// A manual page, in roff: `warraq(1)` for `None`, else the command's page `warraq-NAME(1)`. The pages installed
/// with the package (assets/man/) are these, and a test checks that they are current.
#[must_use]
pub fn man_page(name: Option<&str>) -> Option<Vec<u8>> {
    let mut root = command();
    // Built, so that each command has the global options (--quiet, --help) and no --version of its own.
    root.build();
    let page = match name {
        None => root,
        Some(name) => {
            let sub = root.find_subcommand(name)?.clone();
            sub.name(format!("warraq-{name}"))
                .bin_name(format!("warraq {name}"))
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .date(RELEASE_DATE)
        .source(concat!("warraq ", env!("CARGO_PKG_VERSION")))
        .manual("Warraq Manual")
        .render(&mut out)
        .ok()?;
    Some(out)
}

/// The date of this version, shown in the manual pages.
pub const RELEASE_DATE: &str = "2026-12-03";

/// A completion script for `shell`.
#[must_use]
pub fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command(), "warraq", &mut out);
    out
}
