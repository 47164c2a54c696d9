//! Command-line arguments (clap types only), and their translation into
//! the settings the library takes (a `render` into one
//! [`RunConfig`]); nothing else sees clap.

use clap::{Parser, Subcommand};
use reel::batch::{
    CacheLocation, OnFailure, Proxies, RunConfig, Shard, ShardError, Show, TimelineSpan,
};
use reel::error::{Error, Result};
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "reel",
    version,
    about = "Render a TOML edit decision list into a finished video montage",
    after_help = "Examples:\n  reel check edl/demo.toml\n  reel render edl/demo.toml\n  reel render edl/demo.toml -o /tmp/cut.mp4 --jobs 2\n  reel render edl/demo.toml --proxy\n\n\
Exit codes: 0 success, 1 render failure, 2 invalid EDL or usage."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Colour in error messages: `auto` on a terminal unless NO_COLOR is
    /// set, `always`, or `never`.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render the montage an EDL describes.
    #[command(
        after_help = "Examples:\n  reel render edl/demo.toml\n  reel render cut.toml -o out/cut.mkv --jobs 4"
    )]
    Render(RenderArgs),
    /// Make proxy media (small, fast-to-decode copies of the large video
    /// sources) in the cache, for `render --proxy`.
    #[command(
        after_help = "Example:\n  reel proxies edl/demo.toml && reel render --proxy edl/demo.toml"
    )]
    Proxies(ProxiesArgs),
    /// Validate an EDL, probe its sources and print the planned timeline.
    #[command(after_help = "Example:\n  reel check edl/demo.toml")]
    Check(CheckArgs),
    /// Make a cut from another tool (CMX3600 .edl, .otio, .fcpxml) a reel
    /// EDL, with a comment naming each event's origin.
    #[command(
        after_help = "Examples:\n  reel import cut.edl --media footage/ --fps 25 -o cut.toml\n  reel import cut.otio --media footage/ --settings base.toml -o cut.toml"
    )]
    Import(ImportArgs),
    /// Write a montage out for an NLE: OpenTimelineIO (.otio), CMX3600
    /// (.edl) or FCPXML 1.10 (.fcpxml), by the output's extension.
    #[command(
        after_help = "Examples:\n  reel export edl/demo.toml -o demo.otio\n  reel export edl/demo.toml -o demo.edl"
    )]
    Export(ExportArgs),
    /// Print the work units of a render (one per segment, one for the
    /// audio) with their cache keys, frames, clips and estimated cost, and
    /// the shard each falls to with --shards N. Nothing is rendered.
    #[command(after_help = "Example:\n  reel plan edl/demo.toml --json --shards 4")]
    Plan(PlanArgs),
    /// Show or empty the render cache.
    #[command(
        after_help = "Examples:\n  reel cache stats edl/demo.toml\n  reel cache clear --cache /tmp/reel-cache"
    )]
    Cache {
        #[command(subcommand)]
        action: CacheAction,
    },
}

#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// The EDL (TOML) files, or cuts from other tools (.edl, .otio,
    /// .fcpxml); several are rendered one after another with one cache.
    #[arg(required = true, num_args = 1..)]
    pub edl: Vec<PathBuf>,
    /// With several EDLs: render the rest after one fails (default: stop).
    #[arg(long)]
    pub keep_going: bool,
    /// Write a JSON report of every output here (even when a render fails);
    /// its schema is docs/report.schema.json.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Write a JUnit XML file here: one test case per output.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also draw a storyboard PNG here: a thumbnail per clip, the
    /// timeline's lanes and the sound (one EDL only).
    #[arg(long, value_name = "FILE.png")]
    pub storyboard: Option<PathBuf>,
    /// How progress is shown: `auto` (a bar on a terminal, else a line
    /// every 5 s), `bar`, `plain`, or `json` (one JSON event per line on
    /// stderr: start, segment, frames with fps and ETA, stage, done, output,
    /// finish).
    #[arg(long, value_enum, default_value_t = ProgressMode::Auto, value_name = "MODE")]
    pub progress: ProgressMode,
    /// Render only shard I of N of the work units (0 <= I < N) into the
    /// cache and write no output; a plain `reel render` then joins.
    #[arg(long, value_name = "I/N", conflicts_with_all = ["report", "junit", "no_cache", "output", "range", "storyboard"])]
    pub shard: Option<String>,
    #[command(flatten)]
    pub interchange: InterchangeArgs,
    /// Output file (overrides [output] path): a movie (.mp4, .m4v, .mov,
    /// .mkv, .webm, .mxf), a .gif, a still (.png, .jpg, .webp) or a
    /// sequence (f_%06d.png).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Segments rendered in parallel (default: the number of cores).
    #[arg(short, long, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: Option<u16>,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
    /// Render only this span of the timeline, START-END in seconds or
    /// HH:MM:SS.mmm (e.g. 30-45.5); its frames are the full render's.
    #[arg(long, value_name = "START-END")]
    pub range: Option<String>,
    /// For a still output (.png, .jpg, .webp): the timeline time of its
    /// frame, in seconds or HH:MM:SS.mmm (over `[output] poster`).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    #[command(flatten)]
    pub profile: ProfileArgs,
    #[command(flatten)]
    pub cache: CacheArgs,
    /// Render without the cache (nothing read from it or stored in it).
    #[arg(long, conflicts_with_all = ["cache", "cache_max"])]
    pub no_cache: bool,
    /// Damaged video inside a clip: `stop` the render (default) or
    /// `conceal` it by showing the last good picture (the summary
    /// counts the pictures concealed).
    #[arg(long, value_enum, default_value_t = DecodeErrors::Stop, value_name = "WHAT")]
    pub on_decode_error: DecodeErrors,
    /// With --proxy: first make the proxy media that are missing.
    #[arg(long, requires = "proxy", conflicts_with = "no_cache")]
    pub make_proxies: bool,
}

#[derive(Debug, clap::Args)]
pub struct ProxiesArgs {
    /// The EDL (TOML) file.
    pub edl: PathBuf,
    /// Sources transcoded at once (default: the number of cores).
    #[arg(short, long, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: Option<u16>,
    #[command(flatten)]
    pub cache: CacheArgs,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The EDL (TOML) file, or a cut from another tool (.edl, .otio, .fcpxml).
    pub edl: PathBuf,
    #[command(flatten)]
    pub interchange: InterchangeArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Caption lint findings are errors (exit 2), not warnings.
    #[arg(long)]
    pub strict: bool,
    /// Draw a storyboard PNG here (nothing is rendered): a thumbnail per
    /// clip, the timeline's lanes and the sound.
    #[arg(long, value_name = "FILE.png")]
    pub storyboard: Option<PathBuf>,
}

/// How a cut from another tool is read.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct InterchangeArgs {
    /// A folder searched (with its subfolders) for a cut's media; repeatable.
    #[arg(long, value_name = "DIR")]
    pub media: Vec<PathBuf>,
    /// A TOML file of `name = "path"` lines: reel or clip names to media
    /// files, over every other way of finding them.
    #[arg(long, value_name = "FILE")]
    pub media_map: Option<PathBuf>,
    /// The frame rate a CMX3600 EDL is read at (e.g. 25, 29.97df, 59.94).
    #[arg(long, value_name = "RATE")]
    pub fps: Option<String>,
    /// A reel EDL whose output settings, profiles, sound and layers the cut
    /// takes (its own clips are replaced).
    #[arg(long, value_name = "EDL")]
    pub settings: Option<PathBuf>,
    /// Refuse any file (media, LUT, captions, fonts) outside this folder,
    /// after symbolic links are followed: for rendering untrusted EDLs.
    #[arg(long, value_name = "DIR")]
    pub media_root: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The cut: a CMX3600 .edl, an .otio or an .fcpxml file.
    pub cut: PathBuf,
    #[command(flatten)]
    pub interchange: InterchangeArgs,
    /// Where to write the reel EDL (default: standard output).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The EDL (TOML) file, or a cut from another tool.
    pub edl: PathBuf,
    /// The file written: .otio, .edl (CMX3600) or .fcpxml.
    #[arg(short, long)]
    pub output: PathBuf,
    #[command(flatten)]
    pub interchange: InterchangeArgs,
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// The EDL (TOML) file, or a cut from another tool.
    pub edl: PathBuf,
    #[command(flatten)]
    pub interchange: InterchangeArgs,
    #[command(flatten)]
    pub profile: ProfileArgs,
    /// Print JSON (one object) rather than a table.
    #[arg(long)]
    pub json: bool,
    /// Show which of N shards each unit falls to.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100000))]
    pub shards: u32,
}

#[derive(Debug, Subcommand)]
pub enum CacheAction {
    /// Print what the cache holds.
    Stats(CacheTarget),
    /// Remove every cached segment, audio track and proxy.
    Clear(CacheTarget),
}

#[derive(Debug, clap::Args)]
pub struct CacheTarget {
    /// The cache beside this EDL (default: REEL_CACHE, else ./.reel-cache).
    pub edl: Option<PathBuf>,
    #[command(flatten)]
    pub cache: CacheArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProgressMode {
    Auto,
    Bar,
    Plain,
    Json,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DecodeErrors {
    Stop,
    Conceal,
}

#[derive(Debug, clap::Args)]
pub struct CacheArgs {
    /// Cache directory (default: REEL_CACHE, else .reel-cache/ beside the EDL).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Size bound of the cache; least recently used entries are removed
    /// beyond it (e.g. 500M, 20G; default 10G).
    #[arg(long, value_name = "SIZE")]
    pub cache_max: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ProfileArgs {
    /// Quick low-resolution preview: 640 wide, same frame timing, x264
    /// ultrafast crf 28, AAC at variable bit rate (quality 2, fast
    /// search), written to <name>.proxy.<ext>
    /// ([profile.proxy] in the EDL overrides it).
    #[arg(long, conflicts_with = "profile")]
    pub proxy: bool,
    /// Render with the EDL's [profile.NAME] output settings.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
}

impl RenderArgs {
    /// The run these arguments ask for, once their values are read and the
    /// ones that go together are checked.
    pub fn run_config(self, color: bool) -> Result<RunConfig> {
        let shard = self.shard.as_deref().map(str::parse::<Shard>).transpose();
        let shard = shard.map_err(|e: ShardError| Error::Usage(e.to_string()))?;
        if self.edl.len() > 1 && self.output.is_some() {
            return Err(Error::Usage(
                "-o names one output: with several EDLs, each writes its own [output] path".into(),
            ));
        }
        if self.storyboard.is_some() && self.edl.len() > 1 {
            return Err(Error::Usage(
                "--storyboard draws one EDL's storyboard: give one EDL".into(),
            ));
        }
        let range = self.range.map(timeline_span).transpose()?;
        let cache = match self.no_cache {
            true => None,
            false => Some(self.cache.location()?),
        };
        Ok(RunConfig {
            import: self.interchange.options(),
            profile: self.profile.name().map(str::to_string),
            output: self.output,
            range,
            at: self.at,
            shard,
            jobs: jobs(self.jobs),
            cache,
            on_decode_error: match self.on_decode_error {
                DecodeErrors::Stop => reel::render::OnDecodeError::Stop,
                DecodeErrors::Conceal => reel::render::OnDecodeError::Conceal,
            },
            proxies: match self.make_proxies {
                true => Proxies::MakeMissing,
                false => Proxies::Cached,
            },
            on_failure: match self.keep_going {
                true => OnFailure::KeepGoing,
                false => OnFailure::Stop,
            },
            show: show(self.progress, self.quiet),
            report: self.report,
            junit: self.junit,
            storyboard: self.storyboard,
            color,
            edls: self.edl,
        })
    }
}

/// `--range START-END`, read; whether it lies within the montage is
/// checked once the EDL is planned.
fn timeline_span(text: String) -> Result<TimelineSpan> {
    reel::time::parse_span(&text).map_err(|e| Error::Usage(e.to_string()))?;
    Ok(TimelineSpan { text })
}

/// What `--progress` and `--quiet` ask a run to say.
fn show(progress: ProgressMode, quiet: bool) -> Show {
    match progress {
        ProgressMode::Json => Show::Json,
        _ if quiet => Show::Errors,
        ProgressMode::Bar => Show::Bar,
        ProgressMode::Plain => Show::Lines,
        ProgressMode::Auto if std::io::stderr().is_terminal() => Show::Bar,
        ProgressMode::Auto => Show::Lines,
    }
}

/// `--jobs`, else the number of cores.
pub fn jobs(jobs: Option<u16>) -> usize {
    jobs.map_or_else(reel::render::cores, usize::from)
}

impl InterchangeArgs {
    /// How a cut from another tool is read.
    pub fn options(&self) -> reel::import::Options {
        reel::import::Options {
            media: self.media.clone(),
            media_map: self.media_map.clone(),
            fps: self.fps.clone(),
            settings: self.settings.clone(),
            media_root: self.media_root.clone(),
        }
    }
}

impl CacheArgs {
    /// The cache these arguments name, with its size bound read.
    pub fn location(&self) -> Result<CacheLocation> {
        let max = match &self.cache_max {
            Some(text) => reel::cache::parse_size(text)
                .map_err(|e| Error::Usage(format!("--cache-max: {e}")))?,
            None => reel::cache::DEFAULT_MAX,
        };
        Ok(CacheLocation {
            dir: self.cache.clone(),
            max,
        })
    }
}

impl ProfileArgs {
    pub fn name(&self) -> Option<&str> {
        if self.proxy {
            Some("proxy")
        } else {
            self.profile.as_deref()
        }
    }
}
