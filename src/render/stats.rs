//! What a render reports about itself: its [`Summary`], the wall and CPU
//! seconds of each [`Stage`], the workers' clocks that measure them, and
//! the process's CPU and memory.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What a finished render did.
#[derive(Debug, Clone)]
pub struct Summary {
    pub output: PathBuf,
    pub frames: u64,
    pub duration_secs: f64,
    pub wall: Duration,
    /// Peak resident memory of the process, if the OS tells.
    pub peak_rss_bytes: Option<u64>,
    /// Loudness of the encoded audio.
    pub loudness: Option<crate::audio::loudness::Measured>,
    /// With a cache: segments reused of all, and whether the audio was.
    pub reused: Option<Reused>,
    /// Damaged pictures replaced by the last good one (`--on-decode-error
    /// conceal`), in the segments decoded by this render.
    pub concealed: u64,
    /// Wall seconds of each stage: `keys` (fingerprints and cache look-up),
    /// `video` (decoding, drawing, blending and encoding the segments, on
    /// the workers), `audio` (reading, mixing, normalising and encoding the
    /// sound, beside the video), `join`; and the workers' seconds (summed
    /// over them) within the video: `decode`, `blend`, `encode`.
    pub stages: Vec<Stage>,
}

/// A stage's wall seconds and the CPU seconds (user and system) spent on it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stage {
    pub name: StageName,
    pub wall: f64,
    pub cpu: f64,
}

/// The stages of a render whose time is measured: its own (`keys`,
/// `video`, `audio`, `join`) and the video's parts (`decode`, `blend`,
/// `encode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageName {
    Keys,
    Video,
    Decode,
    Blend,
    Encode,
    Audio,
    Join,
}

impl StageName {
    /// The stage's name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            StageName::Keys => "keys",
            StageName::Video => "video",
            StageName::Decode => "decode",
            StageName::Blend => "blend",
            StageName::Encode => "encode",
            StageName::Audio => "audio",
            StageName::Join => "join",
        }
    }

    /// One of the render's own stages, whose CPU seconds add up to its
    /// whole, rather than a part of the video's.
    pub fn is_whole(self) -> bool {
        matches!(
            self,
            StageName::Keys | StageName::Video | StageName::Audio | StageName::Join
        )
    }
}

impl std::fmt::Display for StageName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reused {
    pub segments: usize,
    pub of: usize,
    pub audio: bool,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let wall = self.wall.as_secs_f64().max(1e-6);
        write!(
            f,
            "rendered {} ({} frames, {:.3} s) in {:.1} s: {:.1} fps, {:.2}x realtime",
            self.output.display(),
            self.frames,
            self.duration_secs,
            wall,
            self.frames as f64 / wall,
            self.duration_secs / wall
        )?;
        if let Some(rss) = self.peak_rss_bytes {
            write!(f, ", peak memory {} MB", rss / (1024 * 1024))?;
        }
        if let Some(l) = &self.loudness {
            write!(f, "; {l}")?;
        }
        if self.concealed > 0 {
            write!(
                f,
                "; concealed {} damaged picture{}",
                self.concealed,
                if self.concealed == 1 { "" } else { "s" }
            )?;
        }
        if let Some(r) = &self.reused {
            write!(
                f,
                "; cache: reused {} of {} segments, audio {}",
                r.segments,
                r.of,
                if r.audio { "reused" } else { "rendered" }
            )?;
        }
        Ok(())
    }
}

/// CPU seconds (user and system) this process has used so far.
pub fn process_cpu() -> f64 {
    cpu_clock(libc::CLOCK_PROCESS_CPUTIME_ID)
}

/// CPU seconds the calling thread has used so far.
pub(super) fn thread_cpu() -> f64 {
    cpu_clock(libc::CLOCK_THREAD_CPUTIME_ID)
}

fn cpu_clock(clock: libc::clockid_t) -> f64 {
    // SAFETY: clock_gettime fills the timespec it is given.
    unsafe {
        let mut t: libc::timespec = std::mem::zeroed();
        if libc::clock_gettime(clock, &mut t) != 0 {
            return 0.0;
        }
        t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
    }
}

/// Peak resident set size (VmHWM) on Linux.
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Seconds the workers spent (summed over them) decoding and conforming
/// pictures, drawing and blending them, and encoding them, in nanoseconds:
/// wall, and the CPU of their own threads for decoding and blending
/// (encoding's CPU is mostly the encoders' threads, so the run takes it as
/// the rest of the video's).
#[derive(Default)]
pub(super) struct WorkerClock {
    nanos: [AtomicU64; 3],
    cpu_nanos: [AtomicU64; 3],
}

/// When a piece of work started, by the wall clock and, for work whose
/// CPU is counted, the thread's CPU clock.
#[derive(Clone, Copy)]
pub(super) struct Stamp {
    wall: Instant,
    cpu: Option<f64>,
}

impl Stamp {
    pub(super) fn now(work: Work) -> Stamp {
        Stamp {
            wall: Instant::now(),
            cpu: (work != Work::Encode).then(thread_cpu),
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Work {
    Decode = 0,
    Blend = 1,
    Encode = 2,
}

impl WorkerClock {
    /// Runs `f`, counting its time as `work`.
    pub(super) fn time<T>(&self, work: Work, f: impl FnOnce() -> T) -> T {
        let started = Stamp::now(work);
        let out = f();
        self.add(work, started);
        out
    }

    /// Counts the time since `started` (on this thread) as `work`.
    pub(super) fn add(&self, work: Work, started: Stamp) {
        let i = work as usize;
        self.nanos[i].fetch_add(started.wall.elapsed().as_nanos() as u64, Ordering::Relaxed);
        if let Some(cpu) = started.cpu {
            let cpu = ((thread_cpu() - cpu).max(0.0) * 1e9) as u64;
            self.cpu_nanos[i].fetch_add(cpu, Ordering::Relaxed);
        }
    }

    pub(super) fn stage(&self, work: Work) -> Stage {
        let i = work as usize;
        Stage {
            name: match work {
                Work::Decode => StageName::Decode,
                Work::Blend => StageName::Blend,
                Work::Encode => StageName::Encode,
            },
            wall: self.nanos[i].load(Ordering::Relaxed) as f64 / 1e9,
            cpu: self.cpu_nanos[i].load(Ordering::Relaxed) as f64 / 1e9,
        }
    }
}
