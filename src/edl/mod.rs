//! The edit decision list: serde types that mirror the TOML (version 1, see
//! `docs/edl.md`), parsing with positions, and the checks that need no media.
//!
//! Parsing keeps byte spans so that every error can name the file, line and
//! column it is about; [`Edl::validate`] turns the raw file into [`Edl`], a
//! resolved form with exact times and defaults applied, collecting every
//! problem it finds rather than stopping at the first.

pub mod extends;
mod syntax;
pub mod text;
pub mod timing;

use syntax::{number, parse_colour, seconds, time_spec, OptionText, Value};
pub use syntax::{SourceText, Spans};

use crate::container;
use crate::error::{Diagnostic, Diagnostics, Span};
use crate::time::{self, Ratio, TimeSpec};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

// ---------------------------------------------------------------------------
// Raw serde types (what the file says)
// ---------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEdl {
    output: Spanned<RawOutput>,
    #[serde(default)]
    defaults: Option<Spanned<RawDefaults>>,
    #[serde(default)]
    clip: Vec<Spanned<RawClip>>,
    #[serde(default)]
    voiceover: Vec<Spanned<RawVoiceover>>,
    #[serde(default)]
    music: Vec<Spanned<RawMusic>>,
    #[serde(default)]
    ducking: Option<Spanned<RawDucking>>,
    #[serde(default)]
    profile: std::collections::BTreeMap<String, RawProfile>,
    #[serde(default)]
    fonts: Option<Spanned<text::RawFonts>>,
    #[serde(default)]
    styles: std::collections::BTreeMap<String, Spanned<text::RawStyle>>,
    #[serde(default)]
    text: Vec<Spanned<text::RawText>>,
    #[serde(default)]
    captions: Vec<Spanned<text::RawCaptions>>,
    #[serde(default)]
    overlay: Vec<Spanned<text::RawOverlay>>,
}

/// `[profile.NAME]`: any `[output]` key, used instead of the `[output]` one
/// when the profile is selected.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    path: Option<Spanned<String>>,
    width: Option<Spanned<i64>>,
    height: Option<Spanned<i64>>,
    fps: Option<Spanned<Value>>,
    fit: Option<Fit>,
    background: Option<Spanned<String>>,
    video: Option<RawVideo>,
    audio: Option<RawAudio>,
    fade_in: Option<Spanned<Value>>,
    fade_out: Option<Spanned<Value>>,
    draft: Option<bool>,
}

impl RawOutput {
    /// The profile's keys replace the output's.
    fn overlay(&mut self, p: RawProfile) {
        fn set<T>(dst: &mut Option<T>, src: Option<T>) {
            if src.is_some() {
                *dst = src;
            }
        }
        /// For the keys `[output]` requires (not optional there).
        fn put<T>(dst: &mut T, src: Option<T>) {
            if let Some(v) = src {
                *dst = v;
            }
        }
        set(&mut self.path, p.path);
        put(&mut self.width, p.width);
        put(&mut self.height, p.height);
        put(&mut self.fps, p.fps);
        put(&mut self.fit, p.fit);
        set(&mut self.background, p.background);
        set(&mut self.fade_in, p.fade_in);
        set(&mut self.fade_out, p.fade_out);
        set(&mut self.draft, p.draft);
        if let Some(v) = p.video {
            let dst = self.video.get_or_insert_with(RawVideo::default);
            set(&mut dst.codec, v.codec);
            set(&mut dst.crf, v.crf);
            set(&mut dst.preset, v.preset);
            set(&mut dst.pix_fmt, v.pix_fmt);
        }
        if let Some(a) = p.audio {
            let dst = self.audio.get_or_insert_with(RawAudio::default);
            set(&mut dst.codec, a.codec);
            set(&mut dst.bitrate, a.bitrate);
            set(&mut dst.quality, a.quality);
            set(&mut dst.options, a.options);
            set(&mut dst.sample_rate, a.sample_rate);
            set(&mut dst.channels, a.channels);
            set(&mut dst.loudness, a.loudness);
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutput {
    path: Option<Spanned<String>>,
    width: Spanned<i64>,
    height: Spanned<i64>,
    fps: Spanned<Value>,
    #[serde(default)]
    fit: Fit,
    background: Option<Spanned<String>>,
    #[serde(default)]
    video: Option<RawVideo>,
    #[serde(default)]
    audio: Option<RawAudio>,
    fade_in: Option<Spanned<Value>>,
    fade_out: Option<Spanned<Value>>,
    draft: Option<bool>,
    /// A `.cube` LUT for every clip.
    lut: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVideo {
    codec: Option<Spanned<String>>,
    crf: Option<Spanned<i64>>,
    preset: Option<Spanned<String>>,
    pix_fmt: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAudio {
    codec: Option<Spanned<String>>,
    bitrate: Option<Spanned<Value>>,
    quality: Option<Spanned<f64>>,
    options: Option<Spanned<BTreeMap<String, OptionText>>>,
    sample_rate: Option<Spanned<i64>>,
    channels: Option<Spanned<i64>>,
    loudness: Option<RawLoudness>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLoudness {
    integrated_lufs: Option<Spanned<f64>>,
    true_peak_db: Option<Spanned<f64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    volume: Option<Spanned<f64>>,
    transition: Option<Spanned<RawTransition>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClip {
    source: Option<Spanned<String>>,
    card: Option<Spanned<text::RawCard>>,
    #[serde(rename = "in")]
    start: Option<Spanned<Value>>,
    out: Option<Spanned<Value>>,
    duration: Option<Spanned<Value>>,
    volume: Option<Spanned<f64>>,
    transition: Option<Spanned<RawTransition>>,
    eq: Option<Spanned<RawEq>>,
    lut: Option<Spanned<String>>,
    focus: Option<Spanned<Vec<f64>>>,
    crop: Option<Spanned<Vec<f64>>>,
    speed: Option<Spanned<f64>>,
    reverse: Option<Spanned<bool>>,
    audio_speed: Option<Spanned<timing::AudioSpeed>>,
    freeze: Option<Spanned<timing::RawFreeze>>,
    motion: Option<Spanned<timing::RawMotion>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEq {
    brightness: Option<Spanned<f64>>,
    contrast: Option<Spanned<f64>>,
    saturation: Option<Spanned<f64>>,
    gamma: Option<Spanned<f64>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTransition {
    kind: Option<Spanned<String>>,
    duration: Option<Spanned<Value>>,
    /// The colour a `dip` goes through.
    color: Option<Spanned<String>>,
    #[serde(default)]
    audio_curve: AudioCurve,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMusic {
    source: Spanned<String>,
    at: Option<Spanned<Value>>,
    #[serde(rename = "in")]
    start: Option<Spanned<Value>>,
    out: Option<Spanned<Value>>,
    duration: Option<Spanned<Value>>,
    volume: Option<Spanned<f64>>,
    #[serde(rename = "loop", default)]
    looped: bool,
    until: Option<Spanned<Value>>,
    fade_in: Option<Spanned<Value>>,
    fade_out: Option<Spanned<Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDucking {
    depth_db: Option<Spanned<f64>>,
    attack: Option<Spanned<Value>>,
    release: Option<Spanned<Value>>,
    hold: Option<Spanned<Value>>,
    threshold_db: Option<Spanned<f64>>,
    applies_to: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVoiceover {
    source: Spanned<String>,
    #[serde(default)]
    at: Option<Spanned<Value>>,
    #[serde(rename = "in")]
    start: Option<Spanned<Value>>,
    out: Option<Spanned<Value>>,
    duration: Option<Spanned<Value>>,
    volume: Option<Spanned<f64>>,
}

/// The keys voiceovers and music beds share, borrowed from either.
struct RawSound<'a> {
    source: &'a Spanned<String>,
    at: &'a Option<Spanned<Value>>,
    start: &'a Option<Spanned<Value>>,
    out: &'a Option<Spanned<Value>>,
    duration: &'a Option<Spanned<Value>>,
    volume: &'a Option<Spanned<f64>>,
}

impl RawVoiceover {
    fn sound(&self) -> RawSound<'_> {
        RawSound {
            source: &self.source,
            at: &self.at,
            start: &self.start,
            out: &self.out,
            duration: &self.duration,
            volume: &self.volume,
        }
    }
}

impl RawMusic {
    fn sound(&self) -> RawSound<'_> {
        RawSound {
            source: &self.source,
            at: &self.at,
            start: &self.start,
            out: &self.out,
            duration: &self.duration,
            volume: &self.volume,
        }
    }
}

/// Reads the shared keys of sound number `number` (its table at `line`).
fn sound(
    src: &SourceText,
    number: usize,
    line: usize,
    table: Range<usize>,
    raw: RawSound,
    errs: &mut Diagnostics,
) -> Sound {
    let mut spans = Spans::new(table);
    spans.add(src, "source", &Some(raw.source.clone()));
    spans.add(src, "at", raw.at);
    spans.add(src, "in", raw.start);
    spans.add(src, "out", raw.out);
    spans.add(src, "duration", raw.duration);
    let at = seconds(src, raw.at, "at", errs);
    let (start, end) = trim(src, raw.start, raw.out, raw.duration, errs);
    let volume = raw
        .volume
        .as_ref()
        .map(|x| volume(src, x, errs))
        .unwrap_or(1.0);
    Sound {
        number,
        source: Edl::resolve(src.file, raw.source.get_ref()),
        source_text: raw.source.get_ref().clone(),
        line,
        at,
        start,
        end,
        volume,
        spans,
    }
}

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

// ---------------------------------------------------------------------------
// Resolved types (what the rest of reel uses)
// ---------------------------------------------------------------------------

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
    pub styles: std::collections::BTreeMap<String, text::Style>,
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
    pub video: VideoSettings,
    pub audio: AudioSettings,
    /// Seconds from black and silence at the start, to them at the end.
    pub fade_in: Ratio,
    pub fade_out: Ratio,
    /// Decode fast for previews: skip the deblocking filter of sources.
    pub draft: bool,
    /// A `.cube` LUT applied to every clip without its own.
    pub lut: Option<PathBuf>,
    /// Where `[output]`'s keys are in the file (`video.codec`,
    /// `audio.codec`... for the nested tables), for messages.
    pub spans: Spans,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VideoSettings {
    pub codec: String,
    pub crf: u32,
    pub preset: String,
    pub pix_fmt: String,
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

#[derive(Debug, Clone)]
pub struct Clip {
    /// 1-based, as users count clips.
    pub number: usize,
    /// The media file; empty for a card.
    pub source: PathBuf,
    /// A generated picture instead of a source.
    pub card: Option<text::Card>,
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
            crf: 20,
            preset: "veryfast".into(),
            pix_fmt: "yuv420p".into(),
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
        }
    }
}

/// Default output path when the EDL gives none: `<edl stem>.mp4` beside it.
fn default_output(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "montage".into());
    PathBuf::from(format!("{stem}.mp4"))
}

// ---------------------------------------------------------------------------
// Parsing and validation
// ---------------------------------------------------------------------------

/// The key whose value starts at byte `at`: the name before the `=` that
/// comes before it on its line (`width = "wide"`, or inside an inline
/// table, `{ kind = "x" }`).
fn key_before(text: &str, at: usize) -> Option<&str> {
    let line_start = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let before = text[line_start..at.min(text.len())].trim_end();
    let before = before.strip_suffix('=')?.trim_end();
    let start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))
        .map_or(0, |i| i + 1);
    let key = &before[start..];
    (!key.is_empty()).then_some(key)
}

/// A TOML or serde message in words, naming the key: `invalid type:
/// string "wide", expected i64` for `width` becomes "`width` must be a
/// whole number of pixels, found the text "wide"".
fn describe(message: &str, key: Option<&str>) -> String {
    let Some(key) = key else {
        return message.to_string();
    };
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!(
            "`{key}` must be {}, found {}",
            expected_in_words(key, expected),
            found_in_words(found)
        );
    }
    if message.contains(&format!("`{key}`")) {
        message.to_string()
    } else {
        format!("{message} for `{key}`")
    }
}

/// What a key takes, in words.
fn expected_in_words(key: &str, serde: &str) -> String {
    let key = key.rsplit('.').next().unwrap_or(key);
    match key {
        "width" | "height" => "a whole number of pixels".into(),
        "crf" | "channels" => "a whole number".into(),
        "sample_rate" => "a whole number of samples per second".into(),
        "fps" => "a frame rate such as 30, 29.97 or \"30000/1001\"".into(),
        "bitrate" => "bits per second, such as 192000 or \"192k\"".into(),
        "volume" => "a number (a gain from 0 to 16)".into(),
        "in" | "out" | "duration" | "at" | "until" | "fade_in" | "fade_out" | "attack"
        | "release" | "hold" => {
            "seconds (a number) or a timecode string such as \"01:02.500\"".into()
        }
        "depth_db" | "threshold_db" | "integrated_lufs" | "true_peak_db" => {
            "a number of decibels".into()
        }
        _ => match serde {
            "i64" | "u64" | "u32" | "i32" => "a whole number".into(),
            "f64" | "f32" => "a number".into(),
            "a boolean" => "true or false".into(),
            "a string" => "text in quotes".into(),
            "a sequence" => "a list".into(),
            other => other.to_string(),
        },
    }
}

/// serde's name for a value found, in words.
fn found_in_words(found: &str) -> String {
    let unquote = |s: &str| s.trim_matches('`').to_string();
    if let Some(t) = found.strip_prefix("string ") {
        format!("the text {t}")
    } else if let Some(n) = found.strip_prefix("integer ") {
        format!("the whole number {}", unquote(n))
    } else if let Some(n) = found.strip_prefix("floating point ") {
        format!("the number {}", unquote(n))
    } else if let Some(b) = found.strip_prefix("boolean ") {
        unquote(b)
    } else {
        match found {
            "sequence" => "a list".into(),
            "map" => "a table".into(),
            other => other.to_string(),
        }
    }
}

impl Edl {
    /// Reads and validates an EDL file.
    pub fn load(file: &Path) -> Result<Edl, Diagnostics> {
        Edl::load_profile(file, None)
    }

    /// Parses EDL text; `file` names it in messages and anchors relative paths.
    pub fn parse(file: &Path, text: &str) -> Result<Edl, Diagnostics> {
        Edl::parse_profile(file, text, None)
    }

    /// Reads an EDL file with `[profile.NAME]` applied.
    pub fn load_profile(file: &Path, profile: Option<&str>) -> Result<Edl, Diagnostics> {
        let text = std::fs::read_to_string(file).map_err(|e| {
            Diagnostics::from(Diagnostic::new(file, format!("cannot read the EDL: {e}")))
        })?;
        // `extends`: the chain merged, each error pointed back at its file.
        if let Some(merged) = extends::resolve(file, &text)? {
            let mut edl = Edl::parse_profile(file, &merged.text, profile)
                .map_err(|d| merged.relocate(d, file))?;
            edl.merged = Some(std::sync::Arc::new(merged));
            return Ok(edl);
        }
        Edl::parse_profile(file, &text, profile)
    }

    /// Parses EDL text with `[profile.NAME]` applied to `[output]`. The
    /// built-in `proxy` profile (unless the EDL defines its own): 640 pixels
    /// wide at the output's aspect ratio, x264 ultrafast crf 28, AAC 96k,
    /// draft decoding. A profile writes to `<name>.<profile>.<ext>` unless
    /// it sets `path`.
    pub fn parse_profile(
        file: &Path,
        text: &str,
        profile: Option<&str>,
    ) -> Result<Edl, Diagnostics> {
        let src = SourceText::new(file, text);
        let mut raw: RawEdl = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            let key = key_before(text, span.start);
            let message = describe(e.message().trim(), key);
            let d = src.at(&span, message);
            Diagnostics::from(match key {
                Some(k) => d.key(k),
                None => d,
            })
        })?;
        let Some(name) = profile else {
            return validate(&src, raw);
        };
        let own = raw.profile.remove(name);
        if own.is_none() && name != "proxy" {
            let known: Vec<&str> = raw.profile.keys().map(|k| k.as_str()).collect();
            return Err(Diagnostic::new(
                file,
                format!(
                    "no [profile.{name}] in the EDL (it defines: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            )
            .into());
        }
        let sets_path = own.as_ref().is_some_and(|p| p.path.is_some());
        let builtin_proxy = own.is_none();
        let mut out = raw.output.into_inner();
        if let Some(p) = own {
            out.overlay(p);
        }
        raw.output = Spanned::new(0..0, out);
        let mut edl = validate(&src, raw)?;
        if builtin_proxy {
            let o = &mut edl.output;
            let height = (640.0 * o.height as f64 / o.width as f64 / 2.0)
                .round()
                .max(1.0) as u32
                * 2;
            o.width = 640;
            o.height = height;
            o.video.preset = "ultrafast".into();
            o.video.crf = 28;
            o.audio.bitrate = 96_000;
            if o.audio.codec == "aac" {
                // FFmpeg's faster quantiser search at a constant quality:
                // about a third of the CPU of its default (two-loop search
                // at a constant bit rate), which would otherwise cost a
                // preview more than its pictures.
                o.audio.quality = Some(2.0);
                o.audio.options = BTreeMap::from([("aac_coder".into(), "fast".into())]);
            }
            o.draft = true;
        }
        if !sets_path {
            let p = &edl.output.path;
            let stem = p
                .file_stem()
                .map_or("montage".into(), |s| s.to_string_lossy().into_owned());
            let ext = p
                .extension()
                .map_or("mp4".into(), |e| e.to_string_lossy().into_owned());
            edl.output.path = p.with_file_name(format!("{stem}.{name}.{ext}"));
        }
        Ok(edl)
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

fn validate(src: &SourceText, raw: RawEdl) -> Result<Edl, Diagnostics> {
    let mut errs = Diagnostics::default();
    let output = output(src, raw.output, &mut errs);
    let defaults = defaults(src, raw.defaults, &mut errs);
    let fonts = text::fonts(src, raw.fonts);
    let styles = text::styles(src, raw.styles, &fonts, &mut errs);
    let counts = text::Counts {
        clips: raw.clip.len(),
        voiceovers: raw.voiceover.len(),
    };
    let clips = clips(src, raw.clip, &defaults, &styles, &mut errs);
    let texts = text::texts(src, raw.text, &styles, &counts, &mut errs);
    let captions = text::captions(src, raw.captions, &styles, &counts, &mut errs);
    let overlays = text::overlays(src, raw.overlay, &counts, &mut errs);
    let voiceovers = raw
        .voiceover
        .iter()
        .enumerate()
        .map(|(i, v)| voiceover(src, i + 1, v, &mut errs))
        .collect();
    let music = raw
        .music
        .iter()
        .enumerate()
        .map(|(i, m)| music(src, i + 1, m, &mut errs))
        .collect();
    let ducking = raw.ducking.map(|d| ducking(src, d.into_inner(), &mut errs));
    errs.into_result(Edl {
        file: src.file.to_path_buf(),
        output,
        clips,
        voiceovers,
        music,
        ducking,
        fonts,
        styles,
        texts,
        captions,
        overlays,
        merged: None,
    })
}

/// `[output]`: size, rate, fit, background, encoders, fades and path.
fn output(src: &SourceText, raw: Spanned<RawOutput>, errs: &mut Diagnostics) -> Output {
    let mut spans = Spans::new(raw.span());
    let out = raw.into_inner();
    spans.add(src, "lut", &out.lut);
    let mut dim = |v: &Spanned<i64>, name: &str| -> u32 {
        let n = *v.get_ref();
        if !(2..=16384).contains(&n) || n % 2 != 0 {
            errs.push(
                src.at(
                    &v.span(),
                    format!("invalid output {name} {n} (expected an even number from 2 to 16384)"),
                )
                .key(name),
            );
            2
        } else {
            n as u32
        }
    };
    let width = dim(&out.width, "width");
    let height = dim(&out.height, "height");
    let fps_text = match out.fps.get_ref() {
        Value::Number(n) => format!("{n}"),
        Value::Text(t) => t.clone(),
    };
    let fps = time::parse_rate(&fps_text).unwrap_or_else(|m| {
        errs.push(src.at(&out.fps.span(), m).key("fps"));
        Ratio::from_integer(30)
    });
    let background = match &out.background {
        None => [0, 0, 0],
        Some(s) => parse_colour(s.get_ref()).unwrap_or_else(|| {
            errs.push(
                src.at(
                    &s.span(),
                    format!(
                        "invalid background colour \"{}\" (expected \"#rrggbb\")",
                        s.get_ref()
                    ),
                )
                .key("background"),
            );
            [0, 0, 0]
        }),
    };
    let video = out
        .video
        .map(|v| video_settings(src, v, &mut spans, errs))
        .unwrap_or_default();
    let audio = out
        .audio
        .map(|a| audio_settings(src, a, &mut spans, errs))
        .unwrap_or_default();
    let fade_in = seconds(src, &out.fade_in, "fade_in", errs);
    let fade_out = seconds(src, &out.fade_out, "fade_out", errs);
    spans.add(src, "fade_in", &out.fade_in);
    spans.add(src, "fade_out", &out.fade_out);
    spans.add(src, "path", &out.path);
    if let Some(p) = &out.path {
        if container::muxer_for(Path::new(p.get_ref())).is_none() {
            errs.push(
                src.at(
                    &p.span(),
                    format!(
                        "unsupported output extension in \"{}\" (expected {})",
                        p.get_ref(),
                        container::accepted()
                    ),
                )
                .key("path"),
            );
        }
    }
    let path = out
        .path
        .map(|p| p.into_inner())
        .unwrap_or_else(|| default_output(src.file).to_string_lossy().into_owned());
    Output {
        path: Edl::resolve(src.file, &path),
        width,
        height,
        fps,
        fit: out.fit,
        background,
        video,
        audio,
        fade_in,
        fade_out,
        draft: out.draft.unwrap_or(false),
        lut: out
            .lut
            .as_ref()
            .map(|l| Edl::resolve(src.file, l.get_ref())),
        spans,
    }
}

/// `[output.video]`. Encoder names are checked against FFmpeg later (see
/// [`Output::spans`]: `video.codec`, `video.preset`, `video.pix_fmt`).
fn video_settings(
    src: &SourceText,
    v: RawVideo,
    spans: &mut Spans,
    errs: &mut Diagnostics,
) -> VideoSettings {
    let mut video = VideoSettings::default();
    spans.add(src, "video.codec", &v.codec);
    spans.add(src, "video.preset", &v.preset);
    spans.add(src, "video.pix_fmt", &v.pix_fmt);
    if let Some(c) = v.codec {
        video.codec = c.into_inner();
    }
    if let Some(p) = v.preset {
        video.preset = p.into_inner();
    }
    if let Some(p) = v.pix_fmt {
        video.pix_fmt = p.into_inner();
    }
    if let Some(crf) = v.crf {
        match u32::try_from(*crf.get_ref()) {
            Ok(c) if c <= 63 => video.crf = c,
            _ => errs.push(
                src.at(
                    &crf.span(),
                    format!("invalid crf {} (expected 0 to 63)", crf.get_ref()),
                )
                .key("crf"),
            ),
        }
    }
    video
}

/// `[output.audio]` and its loudness target.
fn audio_settings(
    src: &SourceText,
    a: RawAudio,
    spans: &mut Spans,
    errs: &mut Diagnostics,
) -> AudioSettings {
    let mut audio = AudioSettings::default();
    spans.add(src, "audio.codec", &a.codec);
    if let Some(c) = a.codec {
        audio.codec = c.into_inner();
    }
    if let Some(b) = a.bitrate {
        match parse_bitrate(b.get_ref()) {
            Some(v) => audio.bitrate = v,
            None => errs.push(
                src.at(
                    &b.span(),
                    "invalid bitrate (expected bits per second, e.g. 192000 or \"192k\")",
                )
                .key("bitrate"),
            ),
        }
    }
    spans.add(src, "audio.quality", &a.quality);
    if let Some(q) = a.quality {
        match *q.get_ref() {
            v if v.is_finite() && (0.0..=100.0).contains(&v) => audio.quality = Some(v),
            v => errs.push(
                src.at(
                    &q.span(),
                    format!("invalid quality {v} (expected 0 to 100)"),
                )
                .key("quality"),
            ),
        }
    }
    spans.add(src, "audio.options", &a.options);
    if let Some(o) = a.options {
        audio.options = o.into_inner().into_iter().map(|(k, v)| (k, v.0)).collect();
    }
    let mut whole =
        |v: &Spanned<i64>, key: &str, range: std::ops::RangeInclusive<u32>| match u32::try_from(
            *v.get_ref(),
        ) {
            Ok(n) if range.contains(&n) => Some(n),
            _ => {
                errs.push(
                    src.at(
                        &v.span(),
                        format!(
                            "invalid {key} {} (expected {} to {})",
                            v.get_ref(),
                            range.start(),
                            range.end()
                        ),
                    )
                    .key(key),
                );
                None
            }
        };
    if let Some(r) = a
        .sample_rate
        .as_ref()
        .and_then(|r| whole(r, "sample_rate", 8000..=192_000))
    {
        audio.sample_rate = r;
    }
    if let Some(c) = a
        .channels
        .as_ref()
        .and_then(|c| whole(c, "channels", 1..=8))
    {
        audio.channels = c;
    }
    if let Some(l) = a.loudness {
        audio.loudness = Some(Loudness {
            integrated_lufs: number(
                src,
                &l.integrated_lufs,
                "integrated_lufs",
                -16.0,
                -50.0..=-5.0,
                errs,
            ),
            true_peak_db: number(
                src,
                &l.true_peak_db,
                "true_peak_db",
                -1.0,
                -20.0..=0.0,
                errs,
            ),
        });
    }
    audio
}

/// `[defaults]`: what clips without their own keys use.
struct Defaults {
    volume: f64,
    transition: Option<Transition>,
}

fn defaults(
    src: &SourceText,
    raw: Option<Spanned<RawDefaults>>,
    errs: &mut Diagnostics,
) -> Defaults {
    let d = raw.map(|d| d.into_inner()).unwrap_or_default();
    Defaults {
        volume: d.volume.as_ref().map_or(1.0, |v| volume(src, v, errs)),
        transition: d.transition.as_ref().map(|t| transition(src, t, errs)),
    }
}

/// Every `[[clip]]`, numbered from 1; the last one's transition is a cut.
fn clips(
    src: &SourceText,
    raw: Vec<Spanned<RawClip>>,
    defaults: &Defaults,
    styles: &std::collections::BTreeMap<String, text::Style>,
    errs: &mut Diagnostics,
) -> Vec<Clip> {
    if raw.is_empty() {
        let end = src.text.len();
        errs.push(
            Diagnostic::new(
                src.file,
                "the EDL has no [[clip]]; a montage needs at least one",
            )
            .span(Span { start: end, end })
            .key("[[clip]]"),
        );
    }
    let count = raw.len();
    raw.into_iter()
        .enumerate()
        .map(|(i, c)| clip(src, i + 1, c, i + 1 == count, defaults, styles, errs))
        .collect()
}

fn clip(
    src: &SourceText,
    number: usize,
    raw: Spanned<RawClip>,
    last: bool,
    defaults: &Defaults,
    styles: &std::collections::BTreeMap<String, text::Style>,
    errs: &mut Diagnostics,
) -> Clip {
    let span = raw.span();
    let (line, _) = src.line_col(span.start);
    let c = raw.into_inner();
    let source_text = c
        .source
        .as_ref()
        .map_or_else(|| "card".to_string(), |s| s.get_ref().clone());
    let mut spans = Spans::new(span.clone());
    spans.add(src, "source", &c.source);
    spans.add(src, "card", &c.card);
    spans.add(src, "in", &c.start);
    spans.add(src, "out", &c.out);
    spans.add(src, "duration", &c.duration);
    spans.add(src, "transition", &c.transition);
    let mut local = Diagnostics::default();
    let (start, end) = trim(src, &c.start, &c.out, &c.duration, &mut local);
    let card = c
        .card
        .as_ref()
        .map(|k| text::card(src, k, styles, &mut local));
    spans.add(src, "eq", &c.eq);
    spans.add(src, "lut", &c.lut);
    spans.add(src, "focus", &c.focus);
    spans.add(src, "crop", &c.crop);
    spans.add(src, "speed", &c.speed);
    spans.add(src, "reverse", &c.reverse);
    spans.add(src, "audio_speed", &c.audio_speed);
    spans.add(src, "freeze", &c.freeze);
    spans.add(src, "motion", &c.motion);
    let crop = c
        .crop
        .as_ref()
        .and_then(|f| timing::rect(src, f, "crop", &mut local))
        .map(|[x, y, w, h]| (x, y, w, h));
    let speed = timing::speed(src, &c.speed, &mut local);
    let freeze = c
        .freeze
        .as_ref()
        .and_then(|f| timing::freeze(src, f, &mut local));
    let motion = c
        .motion
        .as_ref()
        .and_then(|m| timing::motion(src, m, &mut local));
    let focus = c.focus.as_ref().and_then(|f| match f.get_ref().as_slice() {
        [x, y] if (0.0..=1.0).contains(x) && (0.0..=1.0).contains(y) => Some((*x, *y)),
        _ => {
            local.push(
                src.at(
                    &f.span(),
                    "`focus` is [x, y], each a fraction of the picture from 0 to 1",
                )
                .key("focus"),
            );
            None
        }
    });
    let eq = c.eq.as_ref().map(|e| {
        let e = e.get_ref();
        ColourEq {
            brightness: syntax::number(
                src,
                &e.brightness,
                "brightness",
                0.0,
                -1.0..=1.0,
                &mut local,
            ),
            contrast: syntax::number(
                src,
                &e.contrast,
                "contrast",
                1.0,
                -1000.0..=1000.0,
                &mut local,
            ),
            saturation: syntax::number(
                src,
                &e.saturation,
                "saturation",
                1.0,
                0.0..=3.0,
                &mut local,
            ),
            gamma: syntax::number(src, &e.gamma, "gamma", 1.0, 0.1..=10.0, &mut local),
        }
    });
    match (&c.source, &c.card) {
        (Some(_), Some(k)) => local.push(
            src.at(&k.span(), "a clip has a `source` or a `card`, not both")
                .key("card"),
        ),
        (None, None) => local.push(
            Diagnostic::new(
                src.file,
                "the clip has no `source` (or `card` for a generated picture)",
            )
            .span(span.clone().into())
            .key("source"),
        ),
        (None, Some(k)) => {
            if c.duration.is_none() {
                local.push(
                    src.at(
                        &k.span(),
                        "a card needs a `duration` (it has no source to end with)",
                    )
                    .key("duration"),
                );
            }
            if let Some(v) = c.start.as_ref().or(c.out.as_ref()) {
                local.push(src.at(
                    &v.span(),
                    "a card has no source: give it a `duration`, not `in` or `out`",
                ));
            }
        }
        _ => {}
    }
    let volume = c
        .volume
        .as_ref()
        .map_or(defaults.volume, |v| volume(src, v, &mut local));
    let cut = Transition {
        kind: TransitionKind::Cut,
        duration: Ratio::from_integer(0),
        line,
        span: span.clone().into(),
        audio_curve: AudioCurve::default(),
    };
    let mut transition = c
        .transition
        .as_ref()
        .map(|t| transition(src, t, &mut local))
        .or(defaults.transition)
        .unwrap_or(cut);
    if last {
        // The last clip has no next clip to cross into.
        if let Some(t) = c
            .transition
            .as_ref()
            .filter(|_| transition.kind != TransitionKind::Cut)
        {
            local.push(
                src.at(
                    &t.span(),
                    "the last clip has a transition but no clip follows it",
                )
                .key("transition"),
            );
        }
        transition = cut;
    }
    for d in local.0 {
        errs.push(d.clip(number, &source_text, line).table(spans.table));
    }
    Clip {
        number,
        source: c
            .source
            .as_ref()
            .map_or_else(PathBuf::new, |s| Edl::resolve(src.file, s.get_ref())),
        card,
        eq,
        lut: c.lut.as_ref().map(|l| Edl::resolve(src.file, l.get_ref())),
        focus,
        crop,
        speed,
        reverse: c.reverse.as_ref().is_some_and(|r| *r.get_ref()),
        audio_speed: c
            .audio_speed
            .as_ref()
            .map_or_else(Default::default, |a| *a.get_ref()),
        freeze,
        motion,
        source_text,
        line,
        start,
        end,
        volume,
        transition,
        spans,
    }
}

/// A `[[voiceover]]`.
fn voiceover(
    src: &SourceText,
    number: usize,
    v: &Spanned<RawVoiceover>,
    errs: &mut Diagnostics,
) -> Voiceover {
    let (line, _) = src.line_col(v.span().start);
    let mut local = Diagnostics::default();
    let vo = sound(src, number, line, v.span(), v.get_ref().sound(), &mut local);
    for d in local.0 {
        errs.push(
            d.voiceover(vo.number, &vo.source_text, line)
                .table(vo.spans.table),
        );
    }
    vo
}

/// A `[[music]]` bed.
fn music(src: &SourceText, number: usize, m: &Spanned<RawMusic>, errs: &mut Diagnostics) -> Music {
    let (line, _) = src.line_col(m.span().start);
    let table = m.span();
    let m = m.get_ref();
    let mut local = Diagnostics::default();
    let mut sound = sound(src, number, line, table, m.sound(), &mut local);
    let at = sound.at;
    sound.spans.add(src, "until", &m.until);
    let until = m.until.as_ref().map(|u| {
        let t = seconds(src, &m.until, "until", &mut local);
        if t <= at {
            local.push(src.at(
                &u.span(),
                format!(
                    "`until` {} is not after `at` {}",
                    time::Clock(t),
                    time::Clock(at)
                ),
            ));
        }
        t
    });
    let fade_in = seconds(src, &m.fade_in, "fade_in", &mut local);
    let fade_out = seconds(src, &m.fade_out, "fade_out", &mut local);
    for d in local.0 {
        errs.push(
            d.music(sound.number, &sound.source_text, line)
                .table(sound.spans.table),
        );
    }
    Music {
        sound,
        looped: m.looped,
        until,
        fade_in,
        fade_out,
    }
}

/// `[ducking]`, with the defaults for keys it leaves out.
fn ducking(src: &SourceText, d: RawDucking, errs: &mut Diagnostics) -> Ducking {
    let base = Ducking::default();
    let (mut clips, mut music) = (base.clips, base.music);
    if let Some(a) = &d.applies_to {
        clips = false;
        music = false;
        for name in a.get_ref() {
            match name.as_str() {
                "clips" => clips = true,
                "music" => music = true,
                other => errs.push(src.at(
                    &a.span(),
                    format!(
                        "unknown `applies_to` entry \"{other}\" (expected \"clips\" or \"music\")"
                    ),
                )),
            }
        }
    }
    let mut time = |v: &Option<Spanned<Value>>, key: &str, default: Ratio| {
        v.as_ref().map_or(default, |_| seconds(src, v, key, errs))
    };
    let attack = time(&d.attack, "attack", base.attack);
    let release = time(&d.release, "release", base.release);
    let hold = time(&d.hold, "hold", base.hold);
    Ducking {
        depth_db: number(
            src,
            &d.depth_db,
            "depth_db",
            base.depth_db,
            0.0..=60.0,
            errs,
        ),
        attack,
        release,
        hold,
        threshold_db: number(
            src,
            &d.threshold_db,
            "threshold_db",
            base.threshold_db,
            -100.0..=0.0,
            errs,
        ),
        clips,
        music,
    }
}

/// `in` and `out`/`duration` of a clip, voiceover or bed, checked.
fn trim(
    src: &SourceText,
    start: &Option<Spanned<Value>>,
    out: &Option<Spanned<Value>>,
    duration: &Option<Spanned<Value>>,
    errs: &mut Diagnostics,
) -> (TimeSpec, End) {
    let start = start
        .as_ref()
        .map(|t| time_spec(src, t, "in", errs))
        .unwrap_or(TimeSpec::Seconds(Ratio::from_integer(0)));
    let end = end_of(src, out, duration, errs);
    check_order(src, start, end, out, errs);
    (start, end)
}

fn end_of(
    src: &SourceText,
    out: &Option<Spanned<Value>>,
    duration: &Option<Spanned<Value>>,
    errs: &mut Diagnostics,
) -> End {
    match (out, duration) {
        (Some(_), Some(d)) => {
            errs.push(src.at(&d.span(), "both `out` and `duration` are given; keep one"));
            End::SourceEnd
        }
        (Some(o), None) => End::Out(time_spec(src, o, "out", errs)),
        (None, Some(d)) => {
            let t = time_spec(src, d, "duration", errs);
            if t == TimeSpec::Seconds(Ratio::from_integer(0)) {
                errs.push(src.at(&d.span(), "`duration` must be greater than 0"));
            }
            End::Duration(t)
        }
        (None, None) => End::SourceEnd,
    }
}

/// `in >= out` can be told without the source when both are in seconds.
fn check_order(
    src: &SourceText,
    start: TimeSpec,
    end: End,
    out: &Option<Spanned<Value>>,
    errs: &mut Diagnostics,
) {
    if let (TimeSpec::Seconds(a), End::Out(TimeSpec::Seconds(b)), Some(o)) = (start, end, out) {
        if a >= b {
            errs.push(src.at(
                &o.span(),
                format!(
                    "`in` {} is not before `out` {} (out is exclusive; the clip would be empty)",
                    time::Clock(a),
                    time::Clock(b)
                ),
            ));
        }
    }
}

fn volume(src: &SourceText, v: &Spanned<f64>, errs: &mut Diagnostics) -> f64 {
    let x = *v.get_ref();
    if !x.is_finite() || !(0.0..=16.0).contains(&x) {
        errs.push(
            src.at(
                &v.span(),
                format!("invalid volume {x} (expected a gain from 0 to 16; 0 mutes)"),
            )
            .key("volume"),
        );
        1.0
    } else {
        x
    }
}

fn transition(src: &SourceText, t: &Spanned<RawTransition>, errs: &mut Diagnostics) -> Transition {
    let (line, _) = src.line_col(t.span().start);
    let raw = t.get_ref();
    let kind = match &raw.kind {
        None => TransitionKind::Cut,
        Some(k) => match k.get_ref().as_str() {
            "cut" => TransitionKind::Cut,
            "crossfade" => TransitionKind::Crossfade,
            "dip" => TransitionKind::Dip(match &raw.color {
                None => [0, 0, 0],
                Some(c) => parse_colour(c.get_ref()).unwrap_or_else(|| {
                    errs.push(
                        src.at(
                            &c.span(),
                            format!("invalid colour \"{}\" (expected #rrggbb)", c.get_ref()),
                        )
                        .key("color"),
                    );
                    [0, 0, 0]
                }),
            }),
            name => match XFADE.iter().find(|x| **x == name) {
                Some(x) => TransitionKind::Xfade(x),
                None => {
                    errs.push(
                        src.at(
                            &k.span(),
                            format!(
                                "unknown transition kind \"{name}\" (expected cut, crossfade, dip or one of xfade's: {})",
                                XFADE.join(", ")
                            ),
                        )
                        .key("kind"),
                    );
                    TransitionKind::Crossfade
                }
            },
        },
    };
    if let Some(c) = raw
        .color
        .as_ref()
        .filter(|_| !matches!(kind, TransitionKind::Dip(_)))
    {
        errs.push(src.at(&c.span(), "`color` is for a `dip` transition"));
    }
    let name = kind.name();
    let duration = match (kind, &raw.duration) {
        (TransitionKind::Cut, _) => Ratio::from_integer(0),
        (_, None) => {
            errs.push(src.at(&t.span(), format!("a {name} needs a `duration` in seconds")));
            Ratio::from_integer(0)
        }
        (_, Some(d)) => match time_spec(src, d, "duration", errs) {
            TimeSpec::Seconds(s) if s > Ratio::from_integer(0) => s,
            TimeSpec::Seconds(_) => {
                errs.push(src.at(
                    &d.span(),
                    format!("a {name} `duration` must be greater than 0"),
                ));
                Ratio::from_integer(0)
            }
            TimeSpec::Frames { .. } => {
                errs.push(src.at(
                    &d.span(),
                    "a transition `duration` is in seconds, not source frames",
                ));
                Ratio::from_integer(0)
            }
        },
    };
    Transition {
        kind,
        duration,
        line,
        span: t.span().into(),
        audio_curve: raw.audio_curve,
    }
}

fn parse_bitrate(v: &Value) -> Option<u64> {
    let value = match v {
        Value::Number(n) => *n,
        Value::Text(t) => {
            let t = t.trim();
            let (num, mult) = match t.chars().last()? {
                'k' | 'K' => (&t[..t.len() - 1], 1e3),
                'm' | 'M' => (&t[..t.len() - 1], 1e6),
                _ => (t, 1.0),
            };
            num.parse::<f64>().ok()? * mult
        }
    };
    (value.is_finite() && (8_000.0..=10_000_000.0).contains(&value)).then_some(value as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Edl, Diagnostics> {
        Edl::parse(Path::new("t.toml"), text)
    }

    const HEAD: &str = "[output]\nwidth = 64\nheight = 32\nfps = 25\n";

    #[test]
    fn minimal_edl_gets_defaults() {
        let edl = parse(&format!("{HEAD}[[clip]]\nsource = \"a.mp4\"\n")).unwrap();
        assert_eq!(edl.output.video, VideoSettings::default());
        assert_eq!(edl.output.audio, AudioSettings::default());
        assert_eq!(edl.output.fit, Fit::Contain);
        assert_eq!(
            edl.clips[0].start,
            TimeSpec::Seconds(Ratio::from_integer(0))
        );
        assert_eq!(edl.clips[0].end, End::SourceEnd);
        assert_eq!(edl.clips[0].line, 5);
        assert_eq!(edl.output.path, PathBuf::from("t.mp4"));
        assert_eq!(
            Edl::resolve(Path::new("edl/x.toml"), "../a/b.mp4"),
            PathBuf::from("a/b.mp4")
        );
        assert_eq!(
            Edl::resolve(Path::new("x.toml"), "../b.mp4"),
            PathBuf::from("../b.mp4")
        );
        assert_eq!(
            Edl::resolve(Path::new("/e/x.toml"), "/abs/b.mp4"),
            PathBuf::from("/abs/b.mp4")
        );
    }

    #[test]
    fn defaults_apply_and_last_transition_is_a_cut() {
        let text = format!(
            "{HEAD}[defaults]\nvolume = 0.3\ntransition = {{ kind = \"crossfade\", duration = 0.5 }}\n\
             [[clip]]\nsource = \"a.mp4\"\n[[clip]]\nsource = \"b.mp4\"\nvolume = 1.0\n"
        );
        let edl = parse(&text).unwrap();
        assert_eq!(edl.clips[0].volume, 0.3);
        assert_eq!(edl.clips[1].volume, 1.0);
        assert_eq!(edl.clips[0].transition.kind, TransitionKind::Crossfade);
        assert_eq!(edl.clips[0].transition.duration, Ratio::new(1, 2));
        assert_eq!(edl.clips[1].transition.kind, TransitionKind::Cut);
    }

    #[test]
    fn unknown_key_names_line_and_column() {
        let err = parse(&format!("{HEAD}[[clip]]\nsource = \"a.mp4\"\nvolum = 1\n")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("t.toml:7:1: "), "{msg}");
        assert!(msg.contains("unknown field `volum`"), "{msg}");
    }

    #[test]
    fn all_problems_are_reported() {
        let text = "[output]\nwidth = 63\nheight = 32\nfps = \"x\"\n\
                    [[clip]]\nsource = \"a.mp4\"\nin = \"aa\"\n\
                    [[clip]]\nsource = \"b.mp4\"\nin = 5\nout = 4\n";
        let err = parse(text).unwrap_err();
        let msg = err.to_string();
        assert_eq!(err.0.len(), 4, "{msg}");
        assert!(msg.contains("t.toml:2:9: invalid output width 63"), "{msg}");
        assert!(msg.contains("t.toml:4:7: invalid frame rate"), "{msg}");
        assert!(msg.contains("clip 1 (a.mp4, [[clip]] at line 5)"), "{msg}");
        assert!(msg.contains("clip 2 (b.mp4, [[clip]] at line 8)"), "{msg}");
        assert!(msg.contains("is not before `out`"), "{msg}");
    }

    #[test]
    fn colours_and_bitrates() {
        assert_eq!(parse_colour("#ff8000"), Some([255, 128, 0]));
        assert_eq!(parse_colour("ff8000"), None);
        assert_eq!(parse_bitrate(&Value::Text("192k".into())), Some(192_000));
        assert_eq!(parse_bitrate(&Value::Number(96000.0)), Some(96_000));
        assert_eq!(parse_bitrate(&Value::Text("fast".into())), None);
    }
}
