//! The resolved EDL (what the rest of reel uses): exact times, defaults
//! applied, paths resolved against the EDL, and where each table and key
//! is in the file for later messages.

use super::extends;
use super::syntax::{self, Spans};
use super::text;
use super::timing;
use crate::colour::{OutputColour, Override};
use crate::container;
use crate::error::{Diagnostics, Span};
use crate::time::{Ratio, TimeSpec};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How a picture is fitted into the output frame.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fit {
    /// Scale to fit inside, bars around (letterbox or pillarbox).
    #[default]
    Contain,
    /// Scale to fill, crop the overflow.
    Cover,
    /// Scale to the output size, ignoring the aspect ratio.
    Stretch,
}

/// The gain curves of an audio crossfade.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AudioCurve {
    /// `cos`/`sin` of the video weight: constant power for uncorrelated sounds.
    #[default]
    EqualPower,
    /// `1 - w` and `w`: constant amplitude for identical sounds.
    Linear,
}

/// How a clip goes into the next one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TransitionKind {
    #[default]
    Cut,
    /// Today's crossfade: `a * (1 - p) + b * p`.
    Crossfade,
    /// One of libavfilter's `xfade` transitions, by name (see [`XFADE`]).
    Xfade(&'static str),
    /// Through a colour: the outgoing clip fades to it over the first half,
    /// the incoming one from it over the second.
    Dip([u8; 3]),
}

impl TransitionKind {
    /// The name an EDL gives it.
    pub fn name(&self) -> &'static str {
        match self {
            TransitionKind::Cut => "cut",
            TransitionKind::Crossfade => "crossfade",
            TransitionKind::Xfade(n) => n,
            TransitionKind::Dip(_) => "dip",
        }
    }
}

/// The transitions of the `xfade` filter in the FFmpeg reel links (5.1),
/// without `custom`. A test compares this list with what the linked
/// FFmpeg lists, so that none is forgotten.
pub const XFADE: &[&str] = &[
    "fade",
    "wipeleft",
    "wiperight",
    "wipeup",
    "wipedown",
    "slideleft",
    "slideright",
    "slideup",
    "slidedown",
    "circlecrop",
    "rectcrop",
    "distance",
    "fadeblack",
    "fadewhite",
    "radial",
    "smoothleft",
    "smoothright",
    "smoothup",
    "smoothdown",
    "circleopen",
    "circleclose",
    "vertopen",
    "vertclose",
    "horzopen",
    "horzclose",
    "dissolve",
    "pixelize",
    "diagtl",
    "diagtr",
    "diagbl",
    "diagbr",
    "hlslice",
    "hrslice",
    "vuslice",
    "vdslice",
    "hblur",
    "fadegrays",
    "wipetl",
    "wipetr",
    "wipebl",
    "wipebr",
    "squeezeh",
    "squeezev",
    "zoomin",
    "fadefast",
    "fadeslow",
];

/// A parsed and statically checked EDL. Times are exact; source-dependent
/// checks (durations, timecode frames) happen in the planner after probing.
#[derive(Debug, Clone)]
pub struct Edl {
    /// The EDL file, for error messages; sources are already resolved against it.
    pub file: PathBuf,
    pub output: Output,
    pub clips: Vec<Clip>,
    pub voiceovers: Vec<Voiceover>,
    pub music: Vec<Music>,
    pub ducking: Option<Ducking>,
    pub fonts: text::Fonts,
    /// Built-in and `[styles.NAME]` styles, by name.
    pub styles: BTreeMap<String, text::Style>,
    pub texts: Vec<text::Text>,
    pub captions: Vec<text::Captions>,
    pub overlays: Vec<text::Overlay>,
    /// For an EDL that `extends` others: where each line of the merged
    /// text came from, to point later errors at their own file.
    pub merged: Option<std::sync::Arc<extends::Merged>>,
}

impl Edl {
    /// Points diagnostics about this EDL at the file and line that hold
    /// the value (for an EDL that extends others; else unchanged).
    pub fn relocate(&self, diags: Diagnostics) -> Diagnostics {
        match &self.merged {
            Some(m) => m.relocate(diags, &self.file),
            None => diags,
        }
    }

    /// Resolves a path written in the EDL against the EDL's directory,
    /// lexically ("edl/../assets/a.mp4" becomes "assets/a.mp4").
    pub fn resolve(file: &Path, path: &str) -> PathBuf {
        syntax::resolve(file, path)
    }

    /// Directory that relative paths in the EDL are resolved against.
    pub fn base_dir(file: &Path) -> PathBuf {
        container::parent_dir(file)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub path: PathBuf,
    pub width: u32,
    pub height: u32,
    pub fps: Ratio,
    pub fit: Fit,
    /// RGB.
    pub background: [u8; 3],
    /// `background = "transparent"`: the output keeps alpha (its pix_fmt
    /// carries it); `background` is then black with alpha 0.
    pub transparent: bool,
    pub video: VideoSettings,
    pub audio: AudioSettings,
    /// `[output.color]`: SDR BT.709 unless it says otherwise.
    pub color: OutputColour,
    /// Seconds from black and silence at the start, to them at the end.
    pub fade_in: Ratio,
    pub fade_out: Ratio,
    /// Decode fast for previews: skip the deblocking filter of sources.
    pub draft: bool,
    /// A `.cube` LUT applied to every clip without its own.
    pub lut: Option<PathBuf>,
    /// A start timecode ("01:00:00:00", "00:59:59;28" in drop frame),
    /// written into the container; checked against `fps` by the planner.
    pub timecode: Option<String>,
    /// A still output's frame (`poster`): seconds on the timeline.
    pub poster: Option<Ratio>,
    /// Where `[output]`'s keys are in the file (`video.codec`,
    /// `audio.codec`... for the nested tables), for messages.
    pub spans: Spans,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VideoSettings {
    pub codec: String,
    /// Constant quality and speed preset; None: the encoder's default
    /// (see [`crate::video_codec`]).
    pub crf: Option<u32>,
    pub preset: Option<String>,
    pub pix_fmt: String,
    /// The encoder's profile by name (`hq`, `main10`...).
    pub profile: Option<String>,
    /// Average bit rate instead of a constant quality, bits per second,
    /// with an optional ceiling and rate-control buffer.
    pub bitrate: Option<u64>,
    pub maxrate: Option<u64>,
    pub bufsize: Option<u64>,
    /// Frames between keyframes (each segment also starts with one).
    pub gop: Option<u32>,
    /// The codec tag in MP4 and MOV (`hvc1`, `apcn`).
    pub tag: Option<String>,
    /// The encoder's own options (AVOptions), by name.
    pub options: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AudioSettings {
    pub codec: String,
    /// Constant bit rate, bits per second (unless `quality` is set).
    pub bitrate: u64,
    /// Variable bit rate at this quality, as FFmpeg's `-q:a` (for `aac`
    /// 0.1..2, higher is better); `bitrate` is then not used.
    pub quality: Option<f64>,
    /// The encoder's own options (AVOptions), by name.
    pub options: BTreeMap<String, String>,
    pub sample_rate: u32,
    pub channels: u32,
    pub loudness: Option<Loudness>,
    /// Where each kind of sound goes in a multichannel output.
    pub layout: super::channels::KindLayout,
}

/// Loudness target of the finished mix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Loudness {
    /// EBU R128 / ITU-R BS.1770 integrated loudness, LUFS.
    pub integrated_lufs: f64,
    /// True-peak ceiling, dBTP.
    pub true_peak_db: f64,
}

/// Where a clip or voiceover ends inside its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// At this source time (exclusive).
    Out(TimeSpec),
    /// This long after `in`.
    Duration(TimeSpec),
    /// At the end of the source.
    SourceEnd,
}

/// What a clip shows.
#[derive(Debug, Clone)]
pub enum ClipSource {
    /// A media file: a video, or a still image (the probe tells which).
    /// Empty only in a clip that was reported for having no source.
    File(PathBuf),
    /// A picture generated from the card's background and text.
    Card(text::Card),
}

impl ClipSource {
    /// The media file, unless the clip is a card.
    pub fn file(&self) -> Option<&PathBuf> {
        match self {
            ClipSource::File(p) => Some(p),
            ClipSource::Card(_) => None,
        }
    }

    /// The card, if the clip is one.
    pub fn card(&self) -> Option<&text::Card> {
        match self {
            ClipSource::Card(k) => Some(k),
            ClipSource::File(_) => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Clip {
    /// 1-based, as users count clips.
    pub number: usize,
    /// What the clip shows: a media file or a generated card.
    pub source: ClipSource,
    /// The source as written in the EDL, for messages.
    pub source_text: String,
    /// Line of the clip's `[[clip]]` header.
    pub line: usize,
    pub start: TimeSpec,
    pub end: End,
    pub volume: f64,
    pub transition: Transition,
    /// Colour adjustment, as libavfilter's `eq` (none when absent).
    pub eq: Option<ColourEq>,
    /// A `.cube` LUT (the clip's own, else `[output] lut`).
    pub lut: Option<PathBuf>,
    /// `color = {...}`: tags that replace the source's.
    pub color: Override,
    /// The point (fractions of the upright picture) `fit = "cover"` keeps
    /// in frame; `None` is the centre.
    pub focus: Option<(f64, f64)>,
    /// The part of the upright source picture used: x, y, w, h as
    /// fractions of it.
    pub crop: Option<(f64, f64, f64, f64)>,
    /// Source seconds per timeline second (1 = the source's own speed).
    pub speed: Ratio,
    /// Plays the source span backwards.
    pub reverse: bool,
    pub audio_speed: timing::AudioSpeed,
    pub freeze: Option<timing::Freeze>,
    /// A pan and zoom over the (cropped) picture.
    pub motion: Option<timing::Motion>,
    /// Which audio streams of the source it plays, and where.
    pub audio_streams: super::channels::StreamChoice,
    /// An image sequence's rate (`fps`): pictures per second.
    pub fps: Option<Ratio>,
    /// Where the clip's table and keys are in the file, for messages.
    pub spans: Spans,
}

/// A clip's `eq`: libavfilter's `eq` filter, in the source's colours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColourEq {
    /// -1..1, default 0.
    pub brightness: f64,
    /// -1000..1000 (sensible 0..2), default 1.
    pub contrast: f64,
    /// 0..3, default 1.
    pub saturation: f64,
    /// 0.1..10, default 1.
    pub gamma: f64,
}

/// The transition from a clip into the next one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transition {
    pub kind: TransitionKind,
    /// Seconds; zero for a cut.
    pub duration: Ratio,
    /// Line of the `transition` key, for messages.
    pub line: usize,
    /// Where its value is in the file.
    pub span: Span,
    pub audio_curve: AudioCurve,
}

/// A sound placed on the timeline: a voiceover, or what a music bed
/// shares with one.
#[derive(Debug, Clone)]
pub struct Sound {
    pub number: usize,
    pub source: PathBuf,
    pub source_text: String,
    pub line: usize,
    pub at: Ratio,
    pub start: TimeSpec,
    pub end: End,
    pub volume: f64,
    /// Which audio streams of the source it plays, and where.
    pub audio_streams: super::channels::StreamChoice,
    /// Where its table and keys are in the file, for messages.
    pub spans: Spans,
}

pub type Voiceover = Sound;

/// A music bed.
#[derive(Debug, Clone)]
pub struct Music {
    pub sound: Sound,
    /// Repeat the trimmed window to the end of the montage (or `until`).
    pub looped: bool,
    /// Timeline position where the bed stops, if before the montage's end.
    pub until: Option<Ratio>,
    pub fade_in: Ratio,
    pub fade_out: Ratio,
}

/// Clip audio and music dip while a voiceover speaks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ducking {
    pub depth_db: f64,
    /// Seconds to reach full depth, to come back, and to stay down after
    /// the voice falls under the threshold.
    pub attack: Ratio,
    pub release: Ratio,
    pub hold: Ratio,
    /// Voiceover level (RMS over 10 ms, dBFS) that counts as speech.
    pub threshold_db: f64,
    pub clips: bool,
    pub music: bool,
}

impl Default for Ducking {
    fn default() -> Self {
        Ducking {
            depth_db: 12.0,
            attack: Ratio::new(8, 100),
            release: Ratio::new(4, 10),
            hold: Ratio::new(15, 100),
            threshold_db: -40.0,
            clips: true,
            music: true,
        }
    }
}

impl Default for VideoSettings {
    fn default() -> Self {
        VideoSettings {
            codec: "libx264".into(),
            crf: None,
            preset: None,
            pix_fmt: "yuv420p".into(),
            profile: None,
            bitrate: None,
            maxrate: None,
            bufsize: None,
            gop: None,
            tag: None,
            options: BTreeMap::new(),
        }
    }
}

impl Default for AudioSettings {
    fn default() -> Self {
        AudioSettings {
            codec: "aac".into(),
            bitrate: 192_000,
            quality: None,
            options: BTreeMap::new(),
            sample_rate: 48_000,
            channels: 2,
            loudness: None,
            layout: Default::default(),
        }
    }
}
