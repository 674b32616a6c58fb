//! Worker threads (opening, indexing, searching, saving, measuring paragraphs) run below the window's priority: on a
//! machine with few cores the thread that draws frames wins the processor whenever it has work, so background work
//! never makes a frame late; it only takes longer while the user is busy.

/// The niceness of worker threads (0 is normal, 19 the lowest).
const WORKER_NICENESS: libc::c_int = 10;

/// Lowers the priority of the calling thread (Linux: per-thread niceness). Elsewhere, and if the system refuses,
/// the thread keeps its priority.
pub fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid has no preconditions; setpriority only reads its arguments, and on Linux PRIO_PROCESS with a
    // thread id changes that thread alone.
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, WORKER_NICENESS);
    }
}

/// Frees a large value (a sidecar's text, tens of megabytes in a book) on a worker: giving that much memory back
/// to the system can take a frame's worth of time.
pub fn free_later<T: Send + 'static>(value: T) {
    let spawned = std::thread::Builder::new()
        .name("warraq: freeing".into())
        .spawn(move || {
            lower_this_thread();
            drop(value);
        });
    // Without a thread, the value was dropped with the closure here; nothing is lost.
    drop(spawned);
}
