//! When to save: a small state machine with no I/O and no clock of its own (the time is passed in), so every rule is
//! unit-tested.
//!
//! - An edit is noticed by the annotation set's revision moving on; the sidecar is written [`AUTOSAVE_DELAY`] after
//!   the last edit (or at once on Ctrl+S, on leaving the document, on quitting).
//! - A failed save is retried with backoff — 2 s, 4 s, 8 s … up to [`MAX_RETRY`] — and the error stays visible until
//!   a save succeeds. Autosave never stops for good.
//! - The document is dirty while the revision on disk differs from the revision in memory.

use std::time::{Duration, Instant};

/// Changes are written this long after the last edit.
pub const AUTOSAVE_DELAY: Duration = Duration::from_secs(2);
/// The longest wait between two tries after failures.
pub const MAX_RETRY: Duration = Duration::from_secs(60);

/// What the policy says to do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Nothing to save.
    Clean,
    /// Save now.
    Now,
    /// Save after this long (ask again then).
    After(Duration),
}

#[derive(Debug, Clone, Default)]
pub struct SavePolicy {
    /// The revision last written (or read) — what the sidecar on disk holds.
    saved_revision: u64,
    /// The revision last seen, and when it was first seen.
    seen_revision: u64,
    last_edit: Option<Instant>,
    /// Failures since the last successful save, and when to try again.
    failures: u32,
    retry_at: Option<Instant>,
    error: Option<String>,
    /// Changes that need no save of their own (from, to): the learner's fresh suggestions.
    quiet: Vec<(u64, u64)>,
}

impl SavePolicy {
    /// A policy for a document whose sidecar holds `revision`.
    #[must_use]
    pub fn new(revision: u64) -> Self {
        Self {
            saved_revision: revision,
            seen_revision: revision,
            ..Self::default()
        }
    }

    /// Changes in memory that are not on disk.
    #[must_use]
    pub fn is_dirty(&self, revision: u64) -> bool {
        revision != self.saved_revision
    }

    /// The last save's error, until a save succeeds.
    #[must_use]
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Failures in a row.
    #[must_use]
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Notes a change that is not the user's (a model's suggestions landing): it is saved like any, but it only
    /// starts the wait before an autosave when nothing was waiting — it never puts off the save of the user's
    /// edits.
    pub fn observe_quietly(&mut self, revision: u64, now: Instant) {
        if revision != self.seen_revision {
            let was_clean = self.saved_revision == self.seen_revision;
            self.seen_revision = revision;
            if was_clean {
                self.last_edit = Some(now);
            }
        }
    }

    /// Notes the current revision; a new one is an edit made `now`.
    pub fn observe(&mut self, revision: u64, now: Instant) {
        if revision != self.seen_revision {
            self.seen_revision = revision;
            self.last_edit = Some(now);
        }
    }

    /// Whether an automatic save is due at `now` for the document at `revision`.
    #[must_use]
    pub fn due(&self, revision: u64, now: Instant) -> Due {
        if !self.is_dirty(revision) {
            return Due::Clean;
        }
        let quiet_until = self.last_edit.map_or(now, |t| t + AUTOSAVE_DELAY);
        let at = match self.retry_at {
            Some(r) => r.max(quiet_until),
            None => quiet_until,
        };
        if at <= now {
            Due::Now
        } else {
            Due::After(at - now)
        }
    }

    /// A save of `revision` succeeded.
    pub fn saved(&mut self, revision: u64) {
        self.saved_revision = revision;
        self.follow_quiet();
        self.quiet.clear();
        self.failures = 0;
        self.retry_at = None;
        self.error = None;
    }

    /// A save failed at `now`: keep the message, try again later.
    pub fn failed(&mut self, message: String, now: Instant) {
        self.failures = self.failures.saturating_add(1);
        let wait = AUTOSAVE_DELAY
            .saturating_mul(1 << self.failures.min(6).saturating_sub(1))
            .min(MAX_RETRY);
        self.retry_at = Some(now + wait);
        self.error = Some(message);
    }

    /// The change from `from` to `to` needs no save of its own: if what is on disk is `from` — now, or when a save
    /// in flight lands — the document counts as saved at `to` (the change goes to disk with the next one).
    pub fn quiet(&mut self, from: u64, to: u64) {
        // Not an edit: the wait before an autosave of the user's edits goes on as it was.
        if self.seen_revision == from {
            self.seen_revision = to;
        }
        if self.quiet.len() >= 64 {
            self.quiet.remove(0);
        }
        self.quiet.push((from, to));
        self.follow_quiet();
    }

    fn follow_quiet(&mut self) {
        while let Some(&(_, to)) = self
            .quiet
            .iter()
            .find(|(from, _)| *from == self.saved_revision)
        {
            self.saved_revision = to;
        }
    }

    /// The user chose to drop the unsaved changes (Discard): nothing is due any more.
    pub fn discarded(&mut self, revision: u64) {
        self.saved(revision);
        self.seen_revision = revision;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_two_seconds_after_the_last_edit() {
        let t0 = Instant::now();
        let mut p = SavePolicy::new(0);
        assert_eq!(p.due(0, t0), Due::Clean);
        p.observe(1, t0);
        assert_eq!(p.due(1, t0), Due::After(AUTOSAVE_DELAY));
        // Another edit a second later moves the save on.
        p.observe(2, t0 + Duration::from_secs(1));
        assert_eq!(
            p.due(2, t0 + Duration::from_secs(2)),
            Due::After(Duration::from_secs(1))
        );
        assert_eq!(p.due(2, t0 + Duration::from_secs(3)), Due::Now);
        p.saved(2);
        assert_eq!(p.due(2, t0 + Duration::from_secs(3)), Due::Clean);
        assert!(!p.is_dirty(2));
    }

    #[test]
    fn suggestions_landing_never_put_off_the_save_of_the_user_s_edits() {
        let t0 = Instant::now();
        let s = Duration::from_secs(1);
        // The learner's suggestions on a clean document: still clean, and a save in flight that lands counts.
        let mut p = SavePolicy::new(0);
        p.quiet(0, 1);
        assert!(!p.is_dirty(1));
        p.observe(2, t0);
        p.quiet(2, 3);
        p.saved(2);
        assert!(!p.is_dirty(3), "saved at 2, and 2 → 3 needs no save");
        // An edit, then the learner and a model's windows landing: the save is due two seconds after the edit.
        p.observe(4, t0);
        p.quiet(4, 5);
        p.observe(5, t0 + s);
        p.observe_quietly(6, t0 + s);
        p.observe(6, t0 + s);
        assert_eq!(p.due(6, t0 + 2 * s), Due::Now);
        p.saved(6);
        // A model's window on a clean document starts the wait; the next ones do not move it.
        p.observe_quietly(7, t0 + 3 * s);
        p.observe_quietly(8, t0 + 4 * s);
        assert!(p.is_dirty(8));
        assert_eq!(p.due(8, t0 + 5 * s), Due::Now);
    }

    #[test]
    fn failures_back_off_and_never_stop_autosave() {
        let t0 = Instant::now();
        let mut p = SavePolicy::new(0);
        p.observe(1, t0);
        let mut now = t0 + AUTOSAVE_DELAY;
        let mut waits = Vec::new();
        for _ in 0..8 {
            assert_eq!(p.due(1, now), Due::Now);
            p.failed("disk full".into(), now);
            let Due::After(wait) = p.due(1, now) else {
                panic!("a retry is scheduled")
            };
            waits.push(wait.as_secs());
            now += wait;
        }
        assert_eq!(waits, vec![2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(p.error(), Some("disk full"));
        assert_eq!(p.due(1, now), Due::Now, "still trying");
        p.saved(1);
        assert_eq!(p.error(), None);
        assert_eq!(p.failures(), 0);
    }

    proptest::proptest! {
        /// Whatever happens, a dirty document always has a save scheduled within the longest wait, and a clean
        /// one has none.
        #[test]
        fn a_dirty_document_always_has_a_save_coming(
            steps in proptest::collection::vec((0u8..4, 0u64..5000), 1..60)
        ) {
            let t0 = Instant::now();
            let mut now = t0;
            let mut revision = 0u64;
            let mut p = SavePolicy::new(0);
            for (what, ms) in steps {
                now += Duration::from_millis(ms);
                match what {
                    0 => { revision += 1; p.observe(revision, now); }
                    1 => p.saved(revision),
                    2 => p.failed("no space".into(), now),
                    _ => {}
                }
                match p.due(revision, now) {
                    Due::Clean => proptest::prop_assert!(!p.is_dirty(revision)),
                    Due::Now => proptest::prop_assert!(p.is_dirty(revision)),
                    Due::After(w) => {
                        proptest::prop_assert!(p.is_dirty(revision));
                        proptest::prop_assert!(w <= MAX_RETRY);
                    }
                }
            }
        }
    }
}
