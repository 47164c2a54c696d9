//! A run's settings, typed: what the command line asked for, in the
//! library's own words (no clap types), built once by the binary.

use crate::cache::{self, Cache};
use crate::error::{Error, Result};
use crate::import;
use crate::progress::{Bar, Json, Log, Progress, Silent};
use crate::render::OnDecodeError;
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
    pub range: Option<String>,
    /// `--shard I/N`: only this share of the work units, into the cache.
    pub shard: Option<String>,
    /// Segments rendered at once.
    pub jobs: usize,
    /// The cache, or `None` to render without one.
    pub cache: Option<CacheLocation>,
    pub on_decode_error: OnDecodeError,
    /// With the proxy profile: first make the missing proxy media.
    pub make_proxies: bool,
    /// Render the rest after an EDL fails.
    pub keep_going: bool,
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

/// Where the cache is, and its size bound.
pub struct CacheLocation {
    /// The directory (default: `REEL_CACHE`, else `.reel-cache/` beside
    /// the EDL).
    pub dir: Option<PathBuf>,
    /// `--cache-max`, as given.
    pub max: Option<String>,
}

impl CacheLocation {
    /// Opens the cache, beside `edl` unless a directory is named.
    pub fn open(&self, edl: Option<&Path>) -> Result<Cache> {
        let max = match &self.max {
            Some(t) => {
                cache::parse_size(t).map_err(|e| Error::Usage(format!("--cache-max: {e}")))?
            }
            None => cache::DEFAULT_MAX,
        };
        let dir = match &self.dir {
            Some(d) => d.clone(),
            None => cache::default_dir(edl.unwrap_or(Path::new("edl.toml"))),
        };
        Cache::open(&dir, max)
    }
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
