//! The one place where Warraq writes files, and the rules every write keeps.
//!
//! - [`atomic_write`]: the new content goes to a temporary file in the same folder, is flushed and fsynced, then
//!   renamed over the target; the folder is fsynced. At every moment the target is a complete old or new version.
//! - [`OutputGuard`]: what an export, an import or `render` may write. It never writes over one of its inputs (the
//!   text files read and their sidecars), never over any sidecar or folder tag set, and replaces an existing file
//!   only when the user said so (`--force` on the command line, a confirmation in the window).
//! - [`plain_file_name`]: a name that came from inside a file (a JSONL `"document"`) reduced to a plain file name,
//!   so it can never choose a path outside the folder the user chose.

use crate::tr;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::sidecar::FOLDER_TAGS_FILE;

/// Writes `bytes` to `path` atomically; with `keep_backup`, the previous file is kept as `PATH.bak`.
pub fn atomic_write(path: &Path, bytes: &[u8], keep_backup: bool) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.flush()?;
        f.sync_all()?;
        drop(f);
        if keep_backup && path.exists() {
            let mut bak = path.as_os_str().to_owned();
            bak.push(".bak");
            let bak = PathBuf::from(bak);
            let bak_tmp = dir.join(format!(".{name}.bak.{}.tmp", std::process::id()));
            let _ = std::fs::remove_file(&bak_tmp);
            // A hard link keeps the previous version without copying it; where links are not possible, copy.
            if std::fs::hard_link(path, &bak_tmp).is_err() {
                std::fs::copy(path, &bak_tmp)?;
                std::fs::File::open(&bak_tmp)?.sync_all()?;
            }
            std::fs::rename(&bak_tmp, &bak)?;
        }
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        let _ = std::fs::remove_file(dir.join(format!(".{name}.bak.{}.tmp", std::process::id())));
    }
    result
}

/// Writes a new file at `path`, all or nothing, and never over anything: the content goes to a temporary file
/// (flushed, fsynced), which is then linked to `path` — an error if something is there already — and the folder is
/// fsynced. (A curated copy of a text is written this way.)
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.new.tmp", std::process::id()));
    let write_to = |target: &Path| -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(target)?;
        f.write_all(bytes)?;
        f.flush()?;
        f.sync_all()
    };
    if path.symlink_metadata().is_ok() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "something is there already",
        ));
    }
    // The temporary file is ours only if this call made it.
    write_to(&tmp)?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(e),
        // A file system without hard links (FAT, some network shares): the file is made in place, new.
        Err(_) => {
            if let Err(e) = write_to(path) {
                if e.kind() != std::io::ErrorKind::AlreadyExists {
                    let _ = std::fs::remove_file(path);
                }
                return Err(e);
            }
        }
    }
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Whether a file name is one of Warraq's own files: a sidecar, its backup, a lock, or a folder tag set.
#[must_use]
pub fn is_annotations_file(name: &str) -> bool {
    name.ends_with(".warraq.ron")
        || name.ends_with(".warraq.ron.bak")
        || name.ends_with(".warraq.lock")
        || name == FOLDER_TAGS_FILE
}

/// Removes temporary files that a killed save left beside `path` (`.NAME.PID.tmp`, `.NAME.bak.PID.tmp`) when
/// their process is gone.
pub fn remove_stale_temps(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = file
            .strip_prefix(&prefix)
            .and_then(|r| r.strip_suffix(".tmp"))
        else {
            continue;
        };
        let pid = rest.strip_prefix("bak.").unwrap_or(rest);
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        let gone = pid != std::process::id()
            && cfg!(target_os = "linux")
            && !Path::new(&format!("/proc/{pid}")).exists();
        if gone {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Why an output was not written. Every message names the paths involved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteError {
    /// The output is one of the inputs (or an input's sidecar).
    IsInput {
        output: PathBuf,
        input: PathBuf,
    },
    /// The output would be an annotations file (a sidecar or a folder tag set).
    IsAnnotations(PathBuf),
    /// The output is the text of an annotated document (it has a sidecar beside it).
    IsAnnotatedText(PathBuf),
    /// The output exists and replacing it was not allowed.
    Exists(PathBuf),
    /// The output is a folder.
    IsFolder(PathBuf),
    /// The output is a device, a pipe, a socket or a symbolic link: never replaced, even when replacing is allowed.
    NotRegular(PathBuf),
    Io(PathBuf, String),
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::IsInput { output, input } if output == input => f.write_str(&tr!(
                "%{path}: this is an input; choose another output (inputs are never written over)",
                path = output.display()
            )),
            WriteError::IsInput { output, input } => f.write_str(&tr!(
                "%{path}: this is the input %{input}; choose another output (inputs are never written over)",
                path = output.display(),
                input = input.display()
            )),
            WriteError::IsAnnotations(p) => f.write_str(&tr!(
                "%{path}: this is an annotations file; choose another output",
                path = p.display()
            )),
            WriteError::IsAnnotatedText(p) => f.write_str(&tr!(
                "%{path}: this is an annotated document's text (it has annotations beside it); choose another output",
                path = p.display()
            )),
            WriteError::Exists(p) => f.write_str(&tr!(
                "%{path}: already exists; nothing was written (use --force to replace it)",
                path = p.display()
            )),
            WriteError::IsFolder(p) => {
                f.write_str(&tr!("%{path}: is a folder", path = p.display()))
            }
            WriteError::NotRegular(p) => f.write_str(&tr!(
                "%{path}: not a regular file (a device, pipe or link); it is never replaced, even with --force",
                path = p.display()
            )),
            WriteError::Io(p, e) => f.write_str(&tr!(
                "%{path}: cannot be written (%{error})",
                path = p.display(),
                error = e
            )),
        }
    }
}

impl std::error::Error for WriteError {}

/// A path made absolute and, as far as it exists, free of symbolic links and `..`, so two names of one file compare
/// equal.
fn resolved(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    let abs = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    match (abs.parent(), abs.file_name()) {
        (Some(dir), Some(name)) => resolved(dir).join(name),
        _ => abs,
    }
}

#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => resolved(a) == resolved(b),
    }
}

#[cfg(not(unix))]
fn same_file(a: &Path, b: &Path) -> bool {
    resolved(a) == resolved(b)
}

/// Whether two paths name the same file (or would, once created).
#[must_use]
pub fn same_path(a: &Path, b: &Path) -> bool {
    same_file(a, b)
}

/// What one export, import or render may write: never an input, never an annotations file, an existing file only
/// when replacing was allowed.
#[derive(Debug, Clone, Default)]
pub struct OutputGuard {
    inputs: Vec<PathBuf>,
    replace: bool,
}

impl OutputGuard {
    /// A guard for outputs made from these input files (their sidecars are protected too).
    #[must_use]
    pub fn new(inputs: impl IntoIterator<Item = PathBuf>, replace: bool) -> Self {
        let mut all = Vec::new();
        for p in inputs {
            all.push(super::sidecar::sidecar_path(&p));
            all.push(p);
        }
        Self {
            inputs: all,
            replace,
        }
    }

    /// Adds another protected input (e.g. a file read during an import).
    pub fn protect(&mut self, path: &Path) {
        self.inputs.push(path.to_owned());
    }

    /// Whether existing outputs may be replaced.
    #[must_use]
    pub fn replaces(&self) -> bool {
        self.replace
    }

    /// Checks that `out` may be written, without writing it.
    pub fn check(&self, out: &Path) -> Result<(), WriteError> {
        for input in &self.inputs {
            if same_file(out, input) {
                return Err(WriteError::IsInput {
                    output: out.to_owned(),
                    input: input.clone(),
                });
            }
        }
        let name = out.file_name().unwrap_or_default().to_string_lossy();
        if is_annotations_file(&name) {
            return Err(WriteError::IsAnnotations(out.to_owned()));
        }
        if out.is_file() && super::sidecar::sidecar_path(out).exists() {
            return Err(WriteError::IsAnnotatedText(out.to_owned()));
        }
        match std::fs::symlink_metadata(out) {
            Ok(m) if m.is_dir() => Err(WriteError::IsFolder(out.to_owned())),
            Ok(m) if !m.is_file() => Err(WriteError::NotRegular(out.to_owned())),
            Ok(_) if !self.replace => Err(WriteError::Exists(out.to_owned())),
            _ => Ok(()),
        }
    }

    /// Writes `bytes` to `out` atomically after [`check`](Self::check); creates the folder if needed.
    pub fn write(&self, out: &Path, bytes: &[u8]) -> Result<(), WriteError> {
        self.check(out)?;
        if let Some(dir) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| WriteError::Io(dir.to_owned(), e.to_string()))?;
        }
        atomic_write(out, bytes, false).map_err(|e| WriteError::Io(out.to_owned(), e.to_string()))
    }
}

/// A name from inside a file reduced to a plain file name: the last path component, without control characters
/// or bidi controls (which could make a name read as another), never empty, `.`, `..`, hidden, or one of Warraq's
/// own files. `None` when nothing usable is left.
#[must_use]
pub fn plain_file_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let bidi = |c: char| matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    let clean: String = last
        .chars()
        .filter(|&c| !c.is_control() && !bidi(c))
        .collect::<String>()
        .trim()
        .to_owned();
    if clean.is_empty()
        || clean.starts_with('.')
        || clean.chars().count() > 200
        || is_annotations_file(&clean)
    {
        return None;
    }
    Some(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_is_written_whole_and_never_over_anything() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("نص.txt");
        write_new(&p, "أول".as_bytes()).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "أول");
        assert!(write_new(&p, b"second").is_err());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "أول", "not replaced");
        // A link to nothing is something: it is not followed.
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(dir.path().join("elsewhere.txt"), &link).unwrap();
        assert!(write_new(&link, b"x").is_err());
        assert!(!dir.path().join("elsewhere.txt").exists());
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 2, "no temporary file left behind");
    }

    #[test]
    fn names_from_files_stay_in_the_folder() {
        assert_eq!(plain_file_name("doc.txt").as_deref(), Some("doc.txt"));
        assert_eq!(plain_file_name("/etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(plain_file_name("../../x.txt").as_deref(), Some("x.txt"));
        assert_eq!(plain_file_name("a\\..\\b.txt").as_deref(), Some("b.txt"));
        assert_eq!(plain_file_name(".."), None);
        assert_eq!(plain_file_name("dir/"), None);
        assert_eq!(plain_file_name(""), None);
        assert_eq!(plain_file_name("a\u{0}b").as_deref(), Some("ab"));
        assert_eq!(plain_file_name("مقالة.txt").as_deref(), Some("مقالة.txt"));
        assert_eq!(plain_file_name("x.txt.warraq.lock"), None);
        assert_eq!(plain_file_name("x.txt.warraq.ron"), None);
        assert_eq!(plain_file_name(".hidden"), None);
        assert_eq!(
            plain_file_name("\u{202E}txt.exe").as_deref(),
            Some("txt.exe")
        );
    }

    #[test]
    fn the_guard_refuses_inputs_sidecars_and_existing_files() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("data.csv");
        std::fs::write(&input, "x").unwrap();
        let guard = OutputGuard::new([input.clone()], false);
        assert!(matches!(
            guard.check(&input),
            Err(WriteError::IsInput { .. })
        ));
        // Another name for the same file.
        let other = dir.path().join(".").join("data.csv");
        assert!(matches!(
            guard.check(&other),
            Err(WriteError::IsInput { .. })
        ));
        let side = dir.path().join("data.csv.warraq.ron");
        assert!(guard.check(&side).is_err());
        assert!(guard.check(&dir.path().join("other.warraq.ron")).is_err());
        assert!(guard.check(&dir.path().join(FOLDER_TAGS_FILE)).is_err());
        assert!(
            guard
                .check(&dir.path().join("data.csv.warraq.lock"))
                .is_err()
        );
        // Another annotated document's text is protected too, even with replacing allowed.
        let other = dir.path().join("other.txt");
        std::fs::write(&other, "نص").unwrap();
        std::fs::write(dir.path().join("other.txt.warraq.ron"), "()").unwrap();
        assert!(matches!(
            OutputGuard::new([], true).check(&other),
            Err(WriteError::IsAnnotatedText(_))
        ));
        let out = dir.path().join("out.csv");
        guard.write(&out, b"1").unwrap();
        assert_eq!(
            guard.write(&out, b"2"),
            Err(WriteError::Exists(out.clone()))
        );
        assert_eq!(std::fs::read(&out).unwrap(), b"1");
        let force = OutputGuard::new([input.clone()], true);
        force.write(&out, b"2").unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"2");
        assert!(matches!(
            force.check(&input),
            Err(WriteError::IsInput { .. })
        ));
        assert_eq!(std::fs::read(&input).unwrap(), b"x");
        // A link, a pipe or a device is never replaced, even with --force: the link and its target stay.
        let target = dir.path().join("target.csv");
        std::fs::write(&target, b"t").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(
            force.write(&link, b"2"),
            Err(WriteError::NotRegular(link.clone()))
        );
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), b"t");
        let null = Path::new("/dev/null");
        assert_eq!(
            force.check(null),
            Err(WriteError::NotRegular(null.to_owned()))
        );
    }
}
