//! SIGINT and SIGTERM: noted by a handler, then seen by the render loops,
//! which stop, remove their temporary files and return
//! [`Error::Interrupted`] (exit code 128 + the signal, as shells report it).

use crate::error::{Error, Result};
use std::sync::atomic::{AtomicI32, Ordering};

static RECEIVED: AtomicI32 = AtomicI32::new(0);

extern "C" fn note(signal: libc::c_int) {
    // Only an atomic store: async-signal-safe.
    RECEIVED.store(signal, Ordering::SeqCst);
}

/// Routes SIGINT and SIGTERM to [`check`] instead of ending the process.
pub fn install() {
    #[cfg(unix)]
    // SAFETY: the handler only stores to an atomic.
    unsafe {
        let handler = note as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

/// Err once a stop signal has arrived.
pub fn check() -> Result<()> {
    match RECEIVED.load(Ordering::Relaxed) {
        0 => Ok(()),
        s => Err(Error::Interrupted(s)),
    }
}
