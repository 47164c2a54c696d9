//! A run's settings, typed: what the command line asked for, in the
//! library's own words (no clap types), built once by the binary.

use crate::cache::{self, Cache};
use crate::error::Result;
use crate::import;
pub use crate::plan::{Shard, ShardError};
use crate::progress::{Bar, Json, Log, Progress, Silent};
pub use crate::render::OnFailure;
use crate::render::{OnDecodeError, Settings};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Everything a `reel render` run needs to know.
pub struct RunConfig {
    /// The EDLs (or cuts from other tools), rendered in this order.
    pub edls: Vec<PathBuf>,
    /// How a cut from another tool is read.
    pub import: import::Options,
    /// The `[profile.NAME]` applied (`proxy` for `--proxy`).
    pub profile: Option<String>,
    /// The output file, over the EDL's `[output] path` (one EDL only).
    pub output: Option<PathBuf>,
    /// `--range START-END`: only this span of the timeline.
    pub range: Option<TimelineSpan>,
    /// `--at TIME`: the frame of a still output (over `[output] poster`).
    pub at: Option<String>,
    /// `--shard I/N`: only this share of the work units, into the cache.
    pub shard: Option<Shard>,
    /// Segments rendered at once.
    pub jobs: usize,
    /// The cache, or `None` to render without one.
    pub cache: Option<CacheLocation>,
    pub on_decode_error: OnDecodeError,
    /// With the proxy profile: the proxy media used.
    pub proxies: Proxies,
    /// What becomes of the EDLs after one fails.
    pub on_failure: OnFailure,
    /// What is said while the run works.
    pub show: Show,
    /// Where the JSON report is written.
    pub report: Option<PathBuf>,
    /// Where the JUnit file is written.
    pub junit: Option<PathBuf>,
    /// Where the storyboard is drawn (one EDL only).
    pub storyboard: Option<PathBuf>,
    /// Terminal colours in error messages.
    pub color: bool,
}

impl RunConfig {
    /// The settings an EDL renders with, its cache opened (the one beside
    /// `cache_for` unless one is named).
    pub fn settings(&self, cache_for: &Path) -> Result<Settings> {
        let cache = match &self.cache {
            Some(c) => Some(c.open(Some(cache_for))?),
            None => None,
        };
        Ok(Settings {
            jobs: self.jobs,
            cache,
            on_decode_error: self.on_decode_error,
        })
    }
}

/// With the proxy profile, the proxy media a render reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proxies {
    /// Those in the cache; the other sources are read as they are.
    Cached,
    /// Those in the cache, the missing ones made first.
    MakeMissing,
}

/// Where the cache is, and its size bound.
pub struct CacheLocation {
    /// The directory (default: `REEL_CACHE`, else `.reel-cache/` beside
    /// the EDL).
    pub dir: Option<PathBuf>,
    /// The size bound in bytes.
    pub max: u64,
}

impl CacheLocation {
    /// Opens the cache, beside `edl` unless a directory is named.
    pub fn open(&self, edl: Option<&Path>) -> Result<Cache> {
        let dir = match &self.dir {
            Some(d) => d.clone(),
            None => cache::default_dir(edl.unwrap_or(Path::new("edl.toml"))),
        };
        Cache::open(&dir, self.max)
    }
}

/// `--range START-END`: a span of the timeline in seconds, start before
/// end. Whether it lies within a montage is known once it is planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineSpan {
    /// As given (checked to be a span): the messages about it quote it.
    pub text: String,
}

/// What a run says on standard error while it works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// A progress bar, each output's summary and the warnings.
    Bar,
    /// A progress line every 5 s, each output's summary and the warnings.
    Lines,
    /// One JSON event per line.
    Json,
    /// Errors only.
    Errors,
}

impl Show {
    /// A new progress display.
    pub fn progress(self) -> Box<dyn Progress> {
        match self {
            Show::Bar => Box::new(Bar::new()),
            Show::Lines => Box::new(Log::new(Duration::from_secs(5))),
            Show::Json => Box::new(Json::new(Duration::from_secs(1))),
            Show::Errors => Box::new(Silent),
        }
    }

    pub fn is_json(self) -> bool {
        self == Show::Json
    }

    /// Whether summaries, warnings and other notes are printed.
    pub fn notes(self) -> bool {
        matches!(self, Show::Bar | Show::Lines)
    }
}
