//! Knowing who else has a document's annotations: the sidecar's stamp (what this process last read or wrote) and
//! a lock file that tells a second window or a command-line run that the document is open elsewhere.
//!
//! The lock is advice, not a barrier: a second writer is told, and the save path merges instead of overwriting
//! (see `workspace::merge`). `NAME.EXT.warraq.lock` holds `pid host time`; a lock whose process is gone (same host,
//! no such pid) is stale and taken over.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What a sidecar on disk was when this process last read or wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskStamp {
    pub size: u64,
    pub modified: Option<SystemTime>,
    /// The file's identity (device and inode): a file renamed over this one is another file.
    pub identity: Option<(u64, u64)>,
    /// A 128-bit XXH3 hash of the content: fast (a 30 MB sidecar in a few milliseconds) and, unlike size and
    /// time, certain to change when the content does (a collision by accident is out of reach).
    pub hash: u128,
}

#[cfg(unix)]
fn identity(m: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

impl DiskStamp {
    /// The stamp of `bytes` as read from the file that `meta` describes.
    #[must_use]
    pub fn from_read(meta: &std::fs::Metadata, bytes: &[u8]) -> Self {
        Self {
            size: bytes.len() as u64,
            modified: meta.modified().ok(),
            identity: identity(meta),
            hash: xxhash_rust::xxh3::xxh3_128(bytes),
        }
    }

    /// The stamp of bytes just written to `path` (called while this process has the folder's turn).
    #[must_use]
    pub fn of(path: &Path, bytes: &[u8]) -> Self {
        let meta = std::fs::metadata(path).ok();
        Self {
            size: bytes.len() as u64,
            modified: meta.as_ref().and_then(|m| m.modified().ok()),
            identity: meta.as_ref().and_then(identity),
            hash: xxhash_rust::xxh3::xxh3_128(bytes),
        }
    }
}

/// Whether the file at `path` is still what `stamp` says (`None`: there was no file). Size and time are compared
/// first; the content's hash decides when they differ, so touching a file is not a change.
#[must_use]
pub fn unchanged(path: &Path, stamp: Option<&DiskStamp>) -> bool {
    let meta = std::fs::metadata(path).ok();
    match (stamp, meta) {
        (None, None) => true,
        (None, Some(_)) | (Some(_), None) => false,
        (Some(s), Some(m)) => {
            if m.len() == s.size && m.modified().ok() == s.modified && identity(&m) == s.identity {
                return true;
            }
            m.len() == s.size
                && super::read_bytes(path).is_ok_and(|b| xxhash_rust::xxh3::xxh3_128(&b) == s.hash)
        }
    }
}

/// An exclusive hold on a folder while a sidecar in it is checked and written, so two writers (two windows, a window
/// and `warraq preannotate`) take turns: the second one sees the first one's file and merges with it. Released
/// when dropped. `None` where the folder cannot be opened (writing there fails anyway, and says why).
pub struct FolderTurn(#[allow(dead_code)] std::fs::File);

/// Waits for this process's turn to write in the folder of `path`.
#[must_use]
pub fn take_turn(path: &Path) -> Option<FolderTurn> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let f = std::fs::File::open(dir).ok()?;
    f.lock().ok()?;
    Some(FolderTurn(f))
}

/// The lock file beside a document.
#[must_use]
pub fn lock_path(source: &Path) -> PathBuf {
    let mut name = source.file_name().unwrap_or_default().to_os_string();
    name.push(".warraq.lock");
    source.with_file_name(name)
}

/// Who holds a lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    pub host: String,
    pub since: String,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "process {} on {} since {}",
            self.pid, self.host, self.since
        )
    }
}

pub fn this_host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "this computer".into())
}

fn alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

/// Reads a lock file: the holder if it is a live process other than this one.
#[must_use]
pub fn holder(source: &Path) -> Option<Holder> {
    let text = super::read_bytes_limited(&lock_path(source), 4096).ok()?;
    let text = String::from_utf8_lossy(&text);
    let mut parts = text.split_whitespace();
    let pid: u32 = parts.next()?.parse().ok()?;
    let h = parts.next()?.to_owned();
    let since = parts.next().unwrap_or_default().to_owned();
    let me = pid == std::process::id() && h == this_host();
    let stale = h == this_host() && !alive(pid);
    (!me && !stale).then_some(Holder {
        pid,
        host: h,
        since,
    })
}

/// A lock this process holds on a document; removed when dropped (if it is still ours).
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    content: String,
}

impl Lock {
    /// Takes the lock for `source`, returning it and whoever else held it. A folder where nothing can be written
    /// gives no lock (and nothing can be saved there either; the save reports that).
    pub fn acquire(source: &Path) -> (Option<Lock>, Option<Holder>) {
        let other = holder(source);
        let path = lock_path(source);
        static TAKEN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let content = format!(
            "{} {} {} {}\n",
            std::process::id(),
            this_host(),
            humantime::format_rfc3339_seconds(SystemTime::now()),
            TAKEN.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        if other.is_some() {
            // Someone else's lock stays in place; this process saves by merging.
            return (None, other);
        }
        match super::write::atomic_write(&path, content.as_bytes(), false) {
            Ok(()) => (Some(Lock { path, content }), None),
            Err(_) => (None, None),
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let ours = std::fs::read_to_string(&self.path).is_ok_and(|t| t == self.content);
        if ours {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
