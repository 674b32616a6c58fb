//! Reading documents from disk (size and type checks, decoding) and the annotation sidecars beside them.
//!
//! Nothing here writes to the user's text file, ever. Errors name the file and say what went wrong, so the window
//! can show them as they are.

pub mod anchor;
pub mod decode;
pub mod lines;
pub mod lock;
pub mod sidecar;
pub mod write;

use crate::tr;
use std::fmt;
use std::path::{Path, PathBuf};

pub use decode::{DecodeError, Decoded, ENCODING_CHOICES};

/// How far opening a document is, for the status bar: written by the worker that opens, read by the window.
#[derive(Debug, Default)]
pub struct Progress {
    reanchoring: std::sync::atomic::AtomicBool,
    done: std::sync::atomic::AtomicUsize,
    total: std::sync::atomic::AtomicUsize,
}

impl Progress {
    /// Re-anchoring starts, with `total` steps.
    pub fn start_reanchoring(&self, total: usize) {
        use std::sync::atomic::Ordering::Relaxed;
        self.done.store(0, Relaxed);
        self.total.store(total.max(1), Relaxed);
        self.reanchoring.store(true, Relaxed);
    }

    /// `n` more steps done.
    pub fn advance(&self, n: usize) {
        self.done.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }

    /// All steps done.
    pub fn finish(&self) {
        use std::sync::atomic::Ordering::Relaxed;
        self.done.store(self.total.load(Relaxed), Relaxed);
    }

    /// What is being done, and how far along when that is known.
    #[must_use]
    pub fn get(&self) -> (&'static str, Option<f32>) {
        use std::sync::atomic::Ordering::Relaxed;
        if self.reanchoring.load(Relaxed) {
            let done = self.done.load(Relaxed) as f32;
            let total = self.total.load(Relaxed).max(1) as f32;
            ("re-anchoring annotations", Some((done / total).min(1.0)))
        } else {
            ("reading", None)
        }
    }
}

/// The largest file the reader opens. Larger files are refused with a message rather than exhausting memory.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// The largest annotations file read. A sidecar holds a few hundred bytes per annotation, so a text near
/// [`MAX_FILE_BYTES`] with a million annotations needs more than the text's limit; no larger one is ever written
/// ([`check_sidecar_size`]), so whatever Warraq writes it reads back.
pub const MAX_SIDECAR_BYTES: u64 = 1024 * 1024 * 1024;

/// Refuses to write annotations text that could not be read back.
pub fn check_sidecar_size(path: &Path, len: usize) -> std::io::Result<()> {
    if len as u64 > MAX_SIDECAR_BYTES {
        return Err(std::io::Error::other(format!(
            "{:.0} MiB of annotations is more than the {} MiB Warraq reads back, so {} was not written; remove suggestions or split the text",
            len as f64 / (1024.0 * 1024.0),
            MAX_SIDECAR_BYTES / (1024 * 1024),
            path.display()
        )));
    }
    Ok(())
}

/// Why a file could not be opened. Each variant's message names the file.
#[derive(Debug)]
pub enum OpenError {
    NotFound(PathBuf),
    IsDirectory(PathBuf),
    /// A device, pipe or socket: only regular files are read.
    NotRegular(PathBuf),
    Unreadable(PathBuf, std::io::Error),
    TooLarge {
        path: PathBuf,
        size: u64,
        /// The limit it is over.
        limit: u64,
    },
    NotText(PathBuf, DecodeError),
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::NotFound(p) => {
                f.write_str(&tr!("%{path}: no such file", path = p.display()))
            }
            OpenError::IsDirectory(p) => f.write_str(&tr!(
                "%{path}: is a folder, not a text file",
                path = p.display()
            )),
            OpenError::NotRegular(p) => f.write_str(&tr!(
                "%{path}: not a regular file (a device, pipe or socket); only files are read",
                path = p.display()
            )),
            OpenError::Unreadable(p, e) => f.write_str(&tr!(
                "%{path}: cannot be read (%{error})",
                path = p.display(),
                error = e
            )),
            OpenError::TooLarge { path, size, limit } => f.write_str(&tr!(
                "%{path}: %{size} MiB is larger than the %{limit} MiB Warraq reads",
                path = path.display(),
                size = format!("{:.1}", *size as f64 / (1024.0 * 1024.0)),
                limit = limit / (1024 * 1024)
            )),
            OpenError::NotText(p, e) => write!(f, "{}: {e}", p.display()),
        }
    }
}

impl std::error::Error for OpenError {}

/// Reads a file's bytes after checking that it is a regular file within [`MAX_FILE_BYTES`]. The read itself is
/// bounded too, so a file that grows while it is read cannot exhaust memory.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, OpenError> {
    read_bytes_limited(path, MAX_FILE_BYTES)
}

/// [`read_bytes`] with another size limit.
pub fn read_bytes_limited(path: &Path, limit: u64) -> Result<Vec<u8>, OpenError> {
    read_with_metadata(path, limit).map(|(b, _)| b)
}

/// Reads a regular file within `limit` bytes, with the metadata of the very file that was read (taken from the open
/// handle, so a file renamed over it meanwhile cannot be mistaken for it).
pub fn read_with_metadata(
    path: &Path,
    limit: u64,
) -> Result<(Vec<u8>, std::fs::Metadata), OpenError> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => OpenError::NotFound(path.to_owned()),
        _ => OpenError::Unreadable(path.to_owned(), e),
    })?;
    if meta.is_dir() {
        return Err(OpenError::IsDirectory(path.to_owned()));
    }
    if !meta.is_file() {
        return Err(OpenError::NotRegular(path.to_owned()));
    }
    let too_large = |size| OpenError::TooLarge {
        path: path.to_owned(),
        size,
        limit,
    };
    if meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| OpenError::Unreadable(path.to_owned(), e))?;
    let meta = file
        .metadata()
        .map_err(|e| OpenError::Unreadable(path.to_owned(), e))?;
    if !meta.is_file() {
        return Err(OpenError::NotRegular(path.to_owned()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len().min(limit)).unwrap_or(0));
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| OpenError::Unreadable(path.to_owned(), e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok((bytes, meta))
}

/// Reads and decodes a file, detecting its encoding (BOM, then strict UTF-8, then a statistical guess), or with
/// the encoding the user chose.
pub fn load_text(
    path: &Path,
    forced: Option<&'static encoding_rs::Encoding>,
) -> Result<Decoded, OpenError> {
    let bytes = read_bytes(path)?;
    match forced {
        Some(_) => decode_bytes(path, &bytes, forced),
        None => decode::decode_owned(bytes).map_err(|e| OpenError::NotText(path.to_owned(), e)),
    }
}

/// Decodes a file's bytes with the chosen encoding, or detects it.
fn decode_bytes(
    path: &Path,
    bytes: &[u8],
    forced: Option<&'static encoding_rs::Encoding>,
) -> Result<Decoded, OpenError> {
    decode_bytes_as(bytes, forced).map_err(|e| OpenError::NotText(path.to_owned(), e))
}

fn decode_bytes_as(
    bytes: &[u8],
    forced: Option<&'static encoding_rs::Encoding>,
) -> Result<Decoded, DecodeError> {
    match forced {
        Some(enc) => decode::decode_as(bytes, enc),
        None => decode::decode(bytes),
    }
}

/// A list of names: its (name, tag) entries, and its lines that could not be used as "LIST:LINE: message".
pub type NameList = (Vec<(String, String)>, Vec<String>);

/// Reads a list of names for pre-annotation (`NAME<TAB>TAG` or `NAME,TAG` a line): its entries, and its lines that
/// could not be used as "LIST:LINE: message". A list with no usable line is an error.
pub fn read_name_list(path: &Path) -> Result<NameList, String> {
    let list = load_text(path, None).map_err(|e| e.to_string())?;
    let (entries, problems) = crate::model::gazetteer::parse(&list.text);
    if entries.is_empty() {
        return Err(format!("{}: no NAME<TAB>TAG lines", path.display()));
    }
    Ok((entries, crate::model::LineProblem::located(path, &problems)))
}

/// Reads a knowledge-base table (see [`crate::model::links`]); ids without a database get the file's name. Lines
/// that could not be used come back as "FILE:LINE: message".
pub fn read_link_table(
    path: &Path,
) -> Result<(crate::model::links::LinkTable, Vec<String>), String> {
    let text = load_text(path, None).map_err(|e| e.to_string())?;
    let db = path
        .file_stem()
        .map_or_else(|| "kb".to_owned(), |s| s.to_string_lossy().into_owned());
    let (table, problems) = crate::model::links::LinkTable::parse(&text.text, &db);
    if table.is_empty() {
        return Err(tr!("%{path}: no ID<TAB>LABEL lines", path = path.display()));
    }
    Ok((table, crate::model::LineProblem::located(path, &problems)))
}

/// A document as the window opens it: text, how it was decoded, its fingerprint, and its annotations (or why
/// the sidecar could not be read).
pub struct Opened {
    pub decoded: Decoded,
    pub doc: crate::model::Document,
    pub fingerprint: sidecar::Fingerprint,
    pub annotations:
        Result<(crate::model::AnnotationSet, sidecar::LoadReport), sidecar::SidecarError>,
}

/// Reads, decodes, fingerprints a file and loads its sidecar (re-anchoring annotations if the file changed).
pub fn open(
    path: &Path,
    forced: Option<&'static encoding_rs::Encoding>,
) -> Result<Opened, OpenError> {
    open_with(path, forced, &Progress::default())
}

/// [`open`], telling `progress` how far it is.
pub fn open_with(
    path: &Path,
    forced: Option<&'static encoding_rs::Encoding>,
    progress: &Progress,
) -> Result<Opened, OpenError> {
    // The sidecar is read and parsed on a second thread while the text is read, fingerprinted and decoded: neither
    // needs the other until the annotations are placed in the text.
    std::thread::scope(|scope| {
        let side = std::thread::Builder::new()
            .name("warraq: reading annotations".into())
            .spawn_scoped(scope, || sidecar::read(path));
        let bytes = read_bytes(path)?;
        // The fingerprint's hash is taken before decoding, which may take the bytes over as the text.
        let digest = sidecar::Fingerprint::of(&bytes, "");
        let mut decoded = match forced {
            None => decode::decode_owned(bytes),
            Some(_) => decode_bytes_as(&bytes, forced),
        }
        .map_err(|e| OpenError::NotText(path.to_owned(), e))?;
        let fingerprint = sidecar::Fingerprint {
            encoding: decoded.encoding.name().to_owned(),
            ..digest
        };
        let doc = crate::model::Document::new(std::mem::take(&mut decoded.text));
        // Without a second thread, the sidecar is read here.
        let read = match side {
            Ok(handle) => handle.join().unwrap_or_else(|_| sidecar::read(path)),
            Err(_) => sidecar::read(path),
        };
        let annotations = read.place_with(&fingerprint, &doc, progress);
        Ok(Opened {
            decoded,
            doc,
            fingerprint,
            annotations,
        })
    })
}
