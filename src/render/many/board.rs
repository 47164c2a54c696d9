//! The run's shared state: each work's and each target's sound's result on
//! a [`Board`] the threads wait on, which targets are still wanted
//! ([`Alive`]), and whose fonts the text graphs read ([`Fonts`]).

use super::targets::{Shared, Task};
use crate::audio;
use crate::error::Error;
use crate::render::graphics;
use crate::render::settings::OnFailure;
use std::fs::File;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};
use std::time::Duration;

/// What the run's threads share: the prepared targets, the works, and
/// the state they coordinate through.
#[derive(Clone, Copy)]
pub(super) struct Run<'r, 'a> {
    /// Per target, what the workers and the sound thread read of it
    /// (None when it could not be prepared).
    pub(super) shared: &'r [Option<Shared<'a>>],
    pub(super) works: &'r [Task],
    pub(super) board: &'r Board,
    pub(super) alive: &'r Alive,
    pub(super) fonts: &'r Fonts,
}

pub(super) enum Slot {
    Pending,
    Done(File),
    /// Its error, shared by the targets that need it, and whether one of
    /// them has reported it already.
    Failed {
        error: Arc<Error>,
        taken: bool,
    },
    /// Failed, and its error given to the one target that reported it.
    Reported,
    Skipped,
    /// Done, and every target that needs it joined: its file is closed.
    Used,
}

impl Slot {
    pub(super) fn failed(e: Error) -> Slot {
        Slot::Failed {
            error: Arc::new(e),
            taken: false,
        }
    }

    /// A failed work's error for the next target that reports it: the
    /// error itself when no other target will report it; else shared, the
    /// first target's own and an earlier output's to the others.
    pub(super) fn take_error(&mut self, others: bool) -> Error {
        let Slot::Failed { error, taken } = self else {
            return Error::Unexpected("a segment's error is missing");
        };
        let earlier = std::mem::replace(taken, true);
        if earlier || others {
            return Error::Shared {
                error: Arc::clone(error),
                earlier,
            };
        }
        let Slot::Failed { error, .. } = std::mem::replace(self, Slot::Reported) else {
            unreachable!("matched above")
        };
        Arc::try_unwrap(error).unwrap_or_else(|error| Error::Shared {
            error,
            earlier: false,
        })
    }
}

pub(super) struct Sound {
    pub(super) rendered: audio::Rendered,
    pub(super) wall: f64,
    pub(super) cpu: f64,
}

impl Sound {
    /// No sound at all: a picture output's.
    pub(super) fn none() -> Sound {
        Sound {
            rendered: audio::Rendered {
                track: audio::AudioTrack {
                    params: ffmpeg_next::codec::Parameters::new(),
                    time_base: ffmpeg_next::Rational(1, 1),
                    parts: Vec::new(),
                    loudness: None,
                },
                chunks: 0,
                reused: 0,
                clipping: None,
            },
            wall: 0.0,
            cpu: 0.0,
        }
    }
}

pub(super) enum SoundSlot {
    Pending,
    Done(Sound),
    Failed(Option<Error>),
    Skipped,
}

/// The work's results, guarded, and a signal on every change.
pub(super) struct Board {
    pub(super) state: Mutex<State>,
    pub(super) changed: Condvar,
}

pub(super) struct State {
    pub(super) works: Vec<Slot>,
    pub(super) sound: Vec<SoundSlot>,
}

impl Board {
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    pub(super) fn set(&self, f: impl FnOnce(&mut State)) {
        f(&mut self.lock());
        self.changed.notify_all();
    }

    /// Waits for a change, at most `timeout` (the waiter also watches for
    /// signals and for its target being abandoned).
    pub(super) fn wait<'a>(
        &self,
        s: MutexGuard<'a, State>,
        timeout: Duration,
    ) -> MutexGuard<'a, State> {
        self.changed
            .wait_timeout(s, timeout)
            .unwrap_or_else(|e| e.into_inner())
            .0
    }
}

/// A mutex's guard; a panic elsewhere while it was held does not poison it
/// here (the workers catch their panics).
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Which targets are still wanted: not failed, and (unless the run keeps
/// going) not after a failed one.
pub(super) struct Alive {
    pub(super) failed: Vec<AtomicBool>,
    /// Targets from this index on are abandoned.
    pub(super) limit: AtomicUsize,
    pub(super) on_failure: OnFailure,
}

impl Alive {
    pub(super) fn is(&self, k: usize) -> bool {
        k < self.limit.load(Ordering::SeqCst) && !self.failed[k].load(Ordering::SeqCst)
    }

    pub(super) fn any(&self, ks: &[usize]) -> bool {
        ks.iter().any(|&k| self.is(k))
    }

    pub(super) fn fail(&self, k: usize, interrupted: bool) {
        self.failed[k].store(true, Ordering::SeqCst);
        if self.on_failure == OnFailure::Stop || interrupted {
            self.limit.fetch_min(k + 1, Ordering::SeqCst);
        }
    }
}

/// The process has one `FONTCONFIG_FILE`, read when a text graph is made,
/// and each target's names its own work directory (removed when it is
/// joined): segments that draw text for one target run while no segment
/// draws text for another (segments without text run any time).
pub(super) struct Fonts {
    pub(super) current: RwLock<Option<usize>>,
}

impl Fonts {
    /// Runs `f` with the fonts of target `k` if `text`.
    pub(super) fn with<T>(
        &self,
        text: bool,
        k: usize,
        setup: &graphics::Setup,
        f: impl FnOnce() -> T,
    ) -> T {
        if !text {
            return f();
        }
        loop {
            let now = self.current.read().unwrap_or_else(|e| e.into_inner());
            if *now == Some(k) {
                return f();
            }
            drop(now);
            let mut now = self.current.write().unwrap_or_else(|e| e.into_inner());
            if *now != Some(k) {
                setup.use_fonts();
                *now = Some(k);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Report;

    #[test]
    fn a_failure_is_its_only_reporters_own_error() {
        let mut slot = Slot::failed(Error::Interrupted(2));
        let e = slot.take_error(false);
        assert!(matches!(e, Error::Interrupted(2)), "{e:?}");
        assert!(matches!(slot, Slot::Reported));
    }

    #[test]
    fn a_shared_failure_is_the_first_reporters_own_and_an_earlier_outputs_to_the_rest() {
        let cause = || std::io::Error::other("disk on fire");
        let mut slot = Slot::failed(Error::io("reading", "a.pkt".as_ref(), cause()));
        let own = Report(&Error::io("reading", "a.pkt".as_ref(), cause())).to_string();
        let first = slot.take_error(true);
        assert_eq!(Report(&first).to_string(), own);
        assert_eq!(first.render(false, |_| None), format!("error: {own}\n"));
        let later = slot.take_error(false);
        assert_eq!(
            Report(&later).to_string(),
            format!("a segment shared with an earlier output failed: {own}")
        );
        assert_eq!(later.exit_code(), 1);
        let mut slot = Slot::failed(Error::Interrupted(15));
        assert_eq!(slot.take_error(true).exit_code(), 128 + 15);
        assert_eq!(slot.take_error(false).exit_code(), 1);
    }
}
