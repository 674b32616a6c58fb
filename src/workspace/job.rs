//! Background work: a [`Job`] runs a closure on a worker thread and is polled from the main loop. A job is always
//! owned by something — an [`OpenDocument`](super::OpenDocument) for work on its text, the
//! [`Workspace`](super::Workspace) for opening files — so when the owner goes, its jobs go with it and their results
//! can never land anywhere else.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};

/// Wakes the main loop when a job has finished (the window asks egui for a repaint; tests and the command line
/// need nothing).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// A waker that does nothing.
#[must_use]
pub fn no_waker() -> Waker {
    Arc::new(|| {})
}

/// What polling a job found.
#[derive(Debug)]
pub enum Poll<T> {
    Ready(T),
    Pending,
    /// The worker ended without a result (it panicked).
    Lost,
}

/// A piece of work running on its own thread.
pub struct Job<T> {
    rx: Receiver<T>,
    /// What the job does, for progress and error messages ("matching names", "choosing a file").
    pub what: String,
}

impl<T: Send + 'static> Job<T> {
    /// Starts `work` on a new thread; `waker` is called when it is done. For work the user is waiting for (opening
    /// a file, a dialog, an export).
    pub fn spawn(what: &str, waker: &Waker, work: impl FnOnce() -> T + Send + 'static) -> Self {
        Self::start(what, waker, false, work)
    }

    /// Starts `work` on a new thread below the window's priority (indexing, searching, saving, matching): it never
    /// takes the processor from a frame.
    pub fn background(
        what: &str,
        waker: &Waker,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Self {
        Self::start(what, waker, true, work)
    }

    fn start(
        what: &str,
        waker: &Waker,
        lower: bool,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Self {
        let (tx, rx) = std::sync::mpsc::channel();
        let waker = waker.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("warraq: {what}"))
            .spawn(move || {
                if lower {
                    crate::background::lower_this_thread();
                }
                let _ = tx.send(work());
                waker();
            });
        if let Err(e) = spawned {
            // No thread could be started: the job reports itself lost at the first poll.
            eprintln!("warraq: could not start {what}: {e}");
        }
        Self {
            rx,
            what: what.to_owned(),
        }
    }
}

impl<T> Job<T> {
    /// The result, if the work is done.
    pub fn poll(&mut self) -> Poll<T> {
        match self.rx.try_recv() {
            Ok(v) => Poll::Ready(v),
            Err(TryRecvError::Empty) => Poll::Pending,
            Err(TryRecvError::Disconnected) => Poll::Lost,
        }
    }

    /// Waits for the result (the command line and tests).
    pub fn wait(self) -> Option<T> {
        self.rx.recv().ok()
    }
}

/// Polls an optional job slot: returns the result when done and empties the slot; a lost job also empties it.
pub fn take_ready<T>(slot: &mut Option<Job<T>>) -> Option<Poll<T>> {
    let job = slot.as_mut()?;
    match job.poll() {
        Poll::Pending => None,
        done => {
            *slot = None;
            Some(done)
        }
    }
}
