//! What a plan is: the clips placed on the timeline, the audio regions,
//! the segments, and what each output frame shows.

use super::geometry::{Geometry, MotionPlan};
use crate::colour::{Conversion, SourceColour};
use crate::edl::{AudioCurve, ColourEq, Loudness, Output, TransitionKind};
use crate::layers::{Layers, Timeline, VoiceWindow};
use crate::probe::{AudioInfo, VideoInfo};
use crate::time::{self, Ratio};
use std::ops::Range;
use std::path::PathBuf;

/// Audio that starts or stops abruptly (a hard cut, a voiceover's edges)
/// fades over this many milliseconds, so that it does not click.
pub const DECLICK_MS: u64 = 5;

#[derive(Debug, Clone)]
pub struct Plan {
    pub output: Output,
    /// Total output frames.
    pub frames: u64,
    pub clips: Vec<ClipPlan>,
    pub segments: Vec<Segment>,
    pub audio: AudioPlan,
    /// Frames faded from black at the start and to black at the end.
    pub fade_in: u64,
    pub fade_out: u64,
    /// The timeline frames rendered: all of them, or a range render's span.
    pub range: Range<u64>,
    /// Text, captions and images drawn over the pictures.
    pub layers: Layers,
}

/// Where a placed clip's pictures come from.
#[derive(Debug, Clone, PartialEq)]
pub enum PictureSource {
    /// A video file, decoded frame by frame.
    Video(PathBuf),
    /// A still image, its one picture held.
    Still(PathBuf),
    /// A picture of one colour (a card's background), generated.
    Card([u8; 3]),
    /// A card with `background = "transparent"`: black, transparent where
    /// the output keeps alpha.
    Clear,
}

impl PictureSource {
    /// The media file, unless the pictures are generated.
    pub fn file(&self) -> Option<&PathBuf> {
        match self {
            PictureSource::Video(p) | PictureSource::Still(p) => Some(p),
            PictureSource::Card(_) | PictureSource::Clear => None,
        }
    }

    /// The card's background colour, if the pictures are generated.
    pub fn card(&self) -> Option<[u8; 3]> {
        match self {
            PictureSource::Card(c) => Some(*c),
            PictureSource::Clear => Some([0, 0, 0]),
            PictureSource::Video(_) | PictureSource::Still(_) => None,
        }
    }
}

/// The media file as messages name it (nothing for a card).
impl std::fmt::Display for PictureSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.file() {
            Some(p) => write!(f, "{}", p.display()),
            None => Ok(()),
        }
    }
}

/// One clip placed on the timeline.
#[derive(Debug, Clone)]
pub struct ClipPlan {
    pub number: usize,
    /// Where the clip's pictures come from.
    pub source: PictureSource,
    pub source_text: String,
    pub line: usize,
    /// Source time of the first frame, seconds from the container start.
    pub start: Ratio,
    /// Source time where the clip ends (exclusive).
    pub end: Ratio,
    /// Container start time, to turn stream timestamps into source times.
    pub container_start: Ratio,
    /// Timeline frames `timeline.start..timeline.end`.
    pub timeline: Range<u64>,
    /// Frames shared with the previous clip (crossfade in) and the next one.
    pub fade_in: u64,
    pub fade_out: u64,
    /// How the clip goes into the next one over its `fade_out` frames.
    pub transition: TransitionKind,
    /// Colour adjustment applied in the source's colours.
    pub eq: Option<ColourEq>,
    /// The source's colour as the clip takes it (tags, overrides, guesses).
    pub colour: SourceColour,
    /// How its pictures are brought to the output's colour.
    pub conversion: Conversion,
    /// A `.cube` LUT applied in the source's colours, before `eq`.
    pub lut: Option<PathBuf>,
    pub volume: f64,
    pub video: VideoInfo,
    pub audio: Option<AudioInfo>,
    pub geometry: Geometry,
    /// Source seconds per timeline second.
    pub speed: Ratio,
    /// The source span plays backwards.
    pub reverse: bool,
    /// Frames the source span gives at `speed` (the clip's frames without
    /// a freeze's hold).
    pub played: u64,
    pub freeze: Option<Hold>,
    /// A pan and zoom; the clip's `geometry` then only turns, crops and
    /// scales the picture to its working size.
    pub motion: Option<MotionPlan>,
    /// The source's start timecode and what else it holds, for `reel check`.
    pub source_timecode: Option<String>,
    pub details: std::sync::Arc<crate::probe::details::Details>,
}

/// A held picture: local frame `at` is shown for `frames` more frames, then
/// the clip goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hold {
    pub at: u64,
    pub frames: u64,
}

impl ClipPlan {
    pub fn frames(&self) -> u64 {
        self.timeline.end - self.timeline.start
    }

    /// Which of the source span's frames (0-based, in playing order at
    /// `speed`, forwards) local frame `k` shows: the hold repeats one, and
    /// `reverse` counts from the end.
    pub fn played_frame(&self, k: u64) -> u64 {
        let m = match self.freeze {
            Some(h) if k > h.at => k.saturating_sub(h.frames).max(h.at),
            _ => k,
        };
        let m = m.min(self.played.saturating_sub(1));
        if self.reverse {
            self.played - 1 - m
        } else {
            m
        }
    }

    /// Seconds after `in` of the source picture that played frame `m`
    /// shows, for a source of constant frame rate: the last source frame
    /// whose time divided by the speed rounds to `m` or earlier (FFmpeg's
    /// `setpts=(PTS-STARTPTS)/speed,fps=FPS:round=near`).
    pub fn nominal_source_time(&self, m: u64, fps: Ratio) -> Ratio {
        if self.video.still {
            return Ratio::from_integer(0);
        }
        let rate = self.video.fps;
        // Source frame j lands on round(j / rate / speed * fps): the
        // largest j with j / rate / speed * fps < m + 1/2.
        let limit = (Ratio::from_integer(m as i64) + Ratio::new(1, 2)) * rate * self.speed / fps;
        let mut j = limit.ceil().to_integer() - 1;
        if time::round(Ratio::from_integer(j + 1) / rate / self.speed * fps) <= m as i64 {
            j += 1;
        }
        Ratio::from_integer(j.max(0)) / rate
    }
}

/// A unit of parallel video work: timeline frames `frames.start..frames.end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub index: usize,
    pub frames: Range<u64>,
}

/// What an output frame shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compose {
    /// Frame `local` of clip `clip` (indexes into `Plan::clips`).
    One { clip: usize, local: u64 },
    /// Crossfade: `from * (1 - w) + to * w` with `w = step / steps`.
    Blend {
        from: usize,
        from_local: u64,
        to: usize,
        to_local: u64,
        step: u64,
        steps: u64,
    },
}

#[derive(Debug, Clone)]
pub struct AudioPlan {
    pub sample_rate: u32,
    pub channels: u32,
    /// Total samples per channel; equals `S(frames)`.
    pub samples: u64,
    pub clips: Vec<AudioRegion>,
    pub voiceovers: Vec<AudioRegion>,
    pub music: Vec<AudioRegion>,
    /// Present when there are voiceovers to duck under.
    pub ducking: Option<DuckPlan>,
    pub loudness: Option<Loudness>,
    /// Samples faded from silence at the start and to silence at the end.
    pub fade_in: u64,
    pub fade_out: u64,
}

/// Ducking with times in samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DuckPlan {
    pub depth_db: f64,
    pub attack: u64,
    pub release: u64,
    pub hold: u64,
    pub threshold_db: f64,
    pub clips: bool,
    pub music: bool,
}

/// A fade at one end of an audio region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fade {
    pub samples: u64,
    pub curve: AudioCurve,
}

impl Fade {
    /// Gain of step `i` (0-based) of a fade-in: the crossfade weight
    /// `w = (i+1)/(n+1)` through the curve. A fade-out's step `j` has the
    /// gain of fade-in step `n-1-j`.
    pub fn gain_in(&self, i: u64) -> f64 {
        let w = (i + 1) as f64 / (self.samples + 1) as f64;
        match self.curve {
            AudioCurve::Linear => w,
            AudioCurve::EqualPower => (w * std::f64::consts::FRAC_PI_2).sin(),
        }
    }
}

/// Audio read from a source window and placed on the timeline.
#[derive(Debug, Clone)]
pub struct AudioRegion {
    pub label: String,
    /// The clip's number (1-based) for a clip's own sound; None for a
    /// voiceover or a music bed.
    pub clip: Option<usize>,
    pub source: PathBuf,
    pub stream: usize,
    pub container_start: Ratio,
    /// Source time the window starts at.
    pub source_start: Ratio,
    /// Timeline samples `timeline.start..timeline.end`.
    pub timeline: Range<u64>,
    pub volume: f64,
    /// Fades at the start and the end (crossfades, declicks, music fades).
    pub fade_in: Fade,
    pub fade_out: Fade,
    /// Samples taken from the source; when the region is longer, they
    /// repeat (a looped music bed).
    pub source_len: u64,
    /// How a clip's speed, reverse and freeze reshape those samples into
    /// the region's; None plays them as they are.
    pub retime: Option<Retime>,
    /// The output channels (a mask in FFmpeg's channel order) the sound is
    /// converted to and placed on; None is all of them.
    pub place: Option<u64>,
}

/// A clip's sound reshaped to its picture: `source_len` source samples are
/// stretched to the region's length less the hold, played backwards if
/// `reverse`, and silence is put in for the hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retime {
    pub speed: Ratio,
    /// Pitch kept (time-stretched) rather than moved with the speed.
    pub keep_pitch: bool,
    pub reverse: bool,
    /// Region samples of the hold's silence.
    pub hold: Option<Range<u64>>,
}

impl AudioRegion {
    pub fn len(&self) -> u64 {
        self.timeline.end - self.timeline.start
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What the region's samples depend on, as a line of a cache key, its
    /// source named by `source` (a content fingerprint).
    pub fn describe(&self, source: &str) -> String {
        format!(
            "{source} stream {} container {} start {} timeline {:?} volume {} in {:?} out {:?} len {} retime {:?}",
            self.stream,
            self.container_start,
            self.source_start,
            self.timeline,
            self.volume,
            self.fade_in,
            self.fade_out,
            self.source_len,
            self.retime,
        ) + &self.place.map_or(String::new(), |m| format!(" place {m:#x}"))
    }

    /// Gain of the region's sample `i` (0-based): volume and fades.
    pub fn gain(&self, i: u64) -> f64 {
        let n = self.len();
        let mut g = self.volume;
        if i < self.fade_in.samples {
            g *= self.fade_in.gain_in(i);
        }
        if i + self.fade_out.samples >= n {
            g *= self.fade_out.gain_in(n - 1 - i);
        }
        g
    }
}

impl Plan {
    /// What timeline frame `k` shows.
    pub fn compose(&self, k: u64) -> Compose {
        // Clips are sorted by start; the last clip starting at or before k.
        let i = self.clips.partition_point(|c| c.timeline.start <= k) - 1;
        let clip = &self.clips[i];
        let local = k - clip.timeline.start;
        if local < clip.fade_in && i > 0 {
            let prev = &self.clips[i - 1];
            let steps = clip.fade_in + 1;
            return Compose::Blend {
                from: i - 1,
                from_local: k - prev.timeline.start,
                to: i,
                to_local: local,
                step: local + 1,
                steps,
            };
        }
        Compose::One { clip: i, local }
    }

    /// How far frame `k` is faded to black (`step` of `steps`), if at all:
    /// the first frame is black and the picture is whole at `fade_in`; it
    /// fades out over the last `fade_out` frames, the last one black.
    pub fn fade(&self, k: u64) -> Option<(u64, u64)> {
        if k < self.fade_in {
            Some((self.fade_in - k, self.fade_in))
        } else if k + self.fade_out >= self.frames {
            Some((k + self.fade_out + 1 - self.frames, self.fade_out))
        } else {
            None
        }
    }

    /// Every file the render reads (repeats included): the clips' sources,
    /// image overlays, LUTs and sounds.
    pub fn inputs(&self) -> impl Iterator<Item = &PathBuf> {
        let audio = &self.audio;
        let images = self.layers.items.iter().filter_map(|l| match &l.draw {
            crate::layers::Draw::Image(d) => Some(&d.source),
            crate::layers::Draw::Text(_) => None,
        });
        self.clips
            .iter()
            .filter_map(|c| c.source.file())
            .chain(images)
            .chain(self.clips.iter().filter_map(|c| c.lut.as_ref()))
            .chain(audio.clips.iter().map(|r| &r.source))
            .chain(audio.voiceovers.iter().map(|r| &r.source))
            .chain(audio.music.iter().map(|r| &r.source))
    }

    /// Timeline length in seconds.
    pub fn duration(&self) -> Ratio {
        Ratio::from_integer(self.frames as i64) / self.output.fps
    }

    /// Clips a segment reads from, in timeline order.
    pub fn clips_in(&self, seg: &Segment) -> Range<usize> {
        let first = self
            .clips
            .partition_point(|c| c.timeline.end <= seg.frames.start);
        let last = self
            .clips
            .partition_point(|c| c.timeline.start < seg.frames.end);
        first..last
    }
}

/// Sample position of frame boundary `k`.
pub fn sample_at(k: u64, sample_rate: u32, fps: Ratio) -> u64 {
    time::round(Ratio::from_integer(k as i64) * Ratio::from_integer(sample_rate as i64) / fps)
        as u64
}

/// What the graphics layers are placed against, for a timeline of
/// `frames` made of `clips`.
pub(super) fn timeline_of(
    output: &Output,
    frames: u64,
    clips: &[ClipPlan],
    voice_windows: &[Option<VoiceWindow>],
) -> Timeline {
    Timeline {
        fps: output.fps,
        width: output.width,
        height: output.height,
        frames,
        clips: clips.iter().map(|c| c.timeline.clone()).collect(),
        voiceovers: voice_windows.to_vec(),
    }
}
