//! The planner: a pure function from a validated [`Edl`] and the probes of
//! its sources to a frame-exact [`Plan`]. No FFmpeg calls happen here.
//!
//! Timeline rules (see `docs/edl.md`):
//! - clip i lasts `n_i = round((out_i - in_i) / speed_i * fps)` output frames,
//!   plus the frames a `freeze` holds;
//! - a transition from clip i into clip i+1 lasts `t_i = round(d * fps)` frames
//!   and overlaps the end of clip i with the start of clip i+1;
//! - the montage has `sum(n_i) - sum(t_i)` frames;
//! - audio sample `s` belongs to the frame `k` with `S(k) <= s < S(k+1)`, where
//!   `S(k) = round(k * sample_rate / fps)`.
//!
//! All ranges are half-open: `start..end` includes `start`, excludes `end`.

use crate::edl::timing::{AudioSpeed, FreezeAudio, Motion};
use crate::edl::{
    AudioCurve, Clip, ColourEq, Edl, End, Fit, Loudness, Output, Sound, TransitionKind,
};
use crate::error::{Diagnostic, Diagnostics};
use crate::layers::{Layers, Timeline, VoiceWindow};
use crate::probe::{AudioInfo, Probe, ProbeError, VideoInfo};
use crate::time::{self, Clock, Ratio, TimeSpec};
use std::ops::Range;
use std::path::PathBuf;

/// Segments last at least this many seconds of output (clips are grouped)...
const MIN_SEGMENT_SECONDS: i64 = 6;
/// ...and a clip body longer than this is split, so that workers stay balanced.
const MAX_SEGMENT_SECONDS: i64 = 10;
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
    /// Where each voiceover's window sits on the timeline (EDL order).
    pub voice_windows: Vec<Option<VoiceWindow>>,
    /// Text, captions and images drawn over the pictures.
    pub layers: Layers,
}

/// One clip placed on the timeline.
#[derive(Debug, Clone)]
pub struct ClipPlan {
    pub number: usize,
    /// The media file; empty for a card.
    pub source: PathBuf,
    /// A card's background colour: the clip's picture is generated.
    pub card: Option<[u8; 3]>,
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
}

/// A pan and zoom over the (cropped) upright picture, scaled to square
/// pixels at `geometry.scaled`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MotionPlan {
    pub path: Motion,
    /// How each rect is fitted into the output frame.
    pub fit: Fit,
    /// The point `cover` keeps when it trims a rect to the frame's shape.
    pub focus: (f64, f64),
}

impl MotionPlan {
    /// The part of a `work`-sized picture shown by local frame `k` of a
    /// clip `frames` long: x, y, w, h in pixels (fractional), shaped like
    /// the `out` frame. `contain` widens the rect (what lies outside the
    /// picture is background), `cover` trims it about the focus.
    pub fn rect(&self, k: u64, frames: u64, work: (u32, u32), out: (u32, u32)) -> [f64; 4] {
        let share = if frames > 1 {
            k as f64 / (frames - 1) as f64
        } else {
            0.0
        };
        let [x, y, w, h] = self.path.at(share);
        let (ww, wh) = (work.0 as f64, work.1 as f64);
        let (mut x, mut y, mut w, mut h) = (x * ww, y * wh, w * ww, h * wh);
        let aspect = out.0 as f64 / out.1 as f64;
        let wide = w / h > aspect;
        match (self.fit, wide) {
            (Fit::Contain, true) => {
                let nh = w / aspect;
                y -= (nh - h) / 2.0;
                h = nh;
            }
            (Fit::Contain, false) => {
                let nw = h * aspect;
                x -= (nw - w) / 2.0;
                w = nw;
            }
            (Fit::Cover, true) => {
                let nw = h * aspect;
                x += (w - nw) * self.focus.0;
                w = nw;
            }
            (Fit::Cover, false) => {
                let nh = w / aspect;
                y += (h - nh) * self.focus.1;
                h = nh;
            }
            (Fit::Stretch, _) => {}
        }
        [x, y, w, h]
    }
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

/// How a source picture is placed in the output frame: scale to `scaled`,
/// then pad (contain) or crop (cover) at `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    /// Clockwise turn applied first (0, 90, 180, 270).
    pub rotation: u16,
    pub scaled: (u32, u32),
    pub fit: Fit,
    /// Pad position of the picture (contain) or crop position inside it (cover).
    pub offset: (u32, u32),
    /// The part of the upright source used, `(x, y, w, h)` in pixels
    /// (a clip's `crop`), before scaling.
    pub crop: Option<(u32, u32, u32, u32)>,
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
        )
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

    /// Restricts the render to timeline frames `range` (clamped to the
    /// timeline): segments are cut at its ends; every frame is composed
    /// exactly as in the full render.
    pub fn restrict(mut self, range: Range<u64>) -> Plan {
        let range = range.start.min(self.frames)..range.end.min(self.frames);
        self.segments = self
            .segments
            .iter()
            .filter(|s| s.frames.start < range.end && s.frames.end > range.start)
            .enumerate()
            .map(|(index, s)| Segment {
                index,
                frames: s.frames.start.max(range.start)..s.frames.end.min(range.end),
            })
            .collect();
        self.range = range;
        self
    }

    /// The timeline frames a `--range START-END` names (seconds or
    /// HH:MM:SS.mmm): the frames whose start falls in the span. The error
    /// says what is wrong with the text.
    pub fn range_frames(&self, text: &str) -> Result<Range<u64>, String> {
        let (a, b) = time::parse_span(text)?;
        let fps = self.output.fps;
        let frame = |t: Ratio| time::round(t * fps).max(0) as u64;
        if frame(b) > self.frames {
            return Err(format!(
                "--range {text} ends after the montage ({})",
                Clock(self.duration())
            ));
        }
        if frame(a) >= frame(b) {
            return Err(format!("--range {text} is shorter than one frame"));
        }
        Ok(frame(a)..frame(b))
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
            .filter(|c| c.card.is_none())
            .map(|c| &c.source)
            .chain(images)
            .chain(self.clips.iter().filter_map(|c| c.lut.as_ref()))
            .chain(audio.clips.iter().map(|r| &r.source))
            .chain(audio.voiceovers.iter().map(|r| &r.source))
            .chain(audio.music.iter().map(|r| &r.source))
    }

    /// Audio samples of the rendered frames.
    pub fn range_samples(&self) -> Range<u64> {
        let s = |k| sample_at(k, self.audio.sample_rate, self.output.fps);
        s(self.range.start)..s(self.range.end)
    }

    /// What the graphics layers are placed against.
    pub fn timeline(&self) -> Timeline {
        Timeline {
            fps: self.output.fps,
            width: self.output.width,
            height: self.output.height,
            frames: self.frames,
            clips: self.clips.iter().map(|c| c.timeline.clone()).collect(),
            voiceovers: self.voice_windows.clone(),
        }
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

/// Places a picture of `w`x`h` with sample aspect `sar` in the output.
pub fn geometry(w: u32, h: u32, sar: Ratio, out_w: u32, out_h: u32, fit: Fit) -> Geometry {
    let even = |x: Ratio| -> u32 { ((time::round(x / 2)).max(1) * 2) as u32 };
    let dar = Ratio::from_integer(w as i64) * sar / Ratio::from_integer(h.max(1) as i64);
    let out_ar = Ratio::new(out_w as i64, out_h as i64);
    let (ow, oh) = (
        Ratio::from_integer(out_w as i64),
        Ratio::from_integer(out_h as i64),
    );
    match fit {
        Fit::Stretch => Geometry {
            rotation: 0,
            scaled: (out_w, out_h),
            fit,
            offset: (0, 0),
            crop: None,
        },
        Fit::Contain => {
            let (sw, sh) = if dar > out_ar {
                (out_w, even(ow / dar).min(out_h))
            } else {
                (even(oh * dar).min(out_w), out_h)
            };
            Geometry {
                rotation: 0,
                scaled: (sw, sh),
                fit,
                offset: (((out_w - sw) / 4) * 2, ((out_h - sh) / 4) * 2),
                crop: None,
            }
        }
        Fit::Cover => {
            let (sw, sh) = if dar > out_ar {
                (even(oh * dar).max(out_w), out_h)
            } else {
                (out_w, even(ow / dar).max(out_h))
            };
            Geometry {
                rotation: 0,
                scaled: (sw, sh),
                fit,
                offset: (((sw - out_w) / 4) * 2, ((sh - out_h) / 4) * 2),
                crop: None,
            }
        }
    }
}

/// The size a moving clip's `w`x`h` picture of aspect `sar` is scaled to
/// before its rects are taken: square pixels, even sides, the same height.
fn working_size(w: u32, h: u32, sar: Ratio) -> (u32, u32) {
    let even = |x: Ratio| ((time::round(x / 2)).max(1) * 2) as u32;
    (
        even(Ratio::from_integer(w as i64) * sar),
        even(Ratio::from_integer(h as i64)),
    )
}

/// A `crop` rect (fractions) in pixels of a `w`x`h` picture, on even
/// positions and sizes (chroma is subsampled), at least 2x2.
fn crop_pixels((x, y, cw, ch): (f64, f64, f64, f64), w: u32, h: u32) -> (u32, u32, u32, u32) {
    let even = |v: f64| ((v / 2.0).round() as u32) * 2;
    let (px, py) = (even(x * w as f64).min(w - 2), even(y * h as f64).min(h - 2));
    let pw = even(cw * w as f64).clamp(2, w - px);
    let ph = even(ch * h as f64).clamp(2, h - py);
    (px, py, pw, ph)
}

/// A `cover` crop moved to keep `focus` (fractions of the scaled picture)
/// as near the output's centre as the picture allows; other fits, and no
/// focus, are left as they are.
fn focused(g: Geometry, focus: Option<(f64, f64)>, out_w: u32, out_h: u32) -> Geometry {
    let (Fit::Cover, Some((fx, fy))) = (g.fit, focus) else {
        return g;
    };
    let at = |f: f64, scaled: u32, out: u32| -> u32 {
        let x = (f * scaled as f64 - out as f64 / 2.0).round();
        let x = x.clamp(0.0, (scaled - out) as f64) as u32;
        x / 2 * 2
    };
    Geometry {
        offset: (at(fx, g.scaled.0, out_w), at(fy, g.scaled.1, out_h)),
        ..g
    }
}

/// Resolves a clip's or voiceover's source window in seconds.
fn window(
    start: TimeSpec,
    end: End,
    fps: Ratio,
    source_len: Ratio,
    speed: Ratio,
) -> Result<(Ratio, Ratio), Problem> {
    let a = start
        .resolve(fps)
        .map_err(|m| ("in", format!("`in`: {m}")))?;
    let b = match end {
        End::Out(t) => t.resolve(fps).map_err(|m| ("out", format!("`out`: {m}")))?,
        End::Duration(t) => {
            a + t
                .resolve(fps)
                .map_err(|m| ("duration", format!("`duration`: {m}")))?
                * speed
        }
        End::SourceEnd => source_len,
    };
    if a >= b {
        return Err((
            end_key(end),
            format!(
                "`in` {} is not before `out` {} (out is exclusive; the clip would be empty)",
                Clock(a),
                Clock(b)
            ),
        ));
    }
    // Container durations are rounded to microseconds; allow that much.
    if b > source_len + Ratio::new(1, 1000) && speed != Ratio::from_integer(1) {
        if let End::Duration(_) = end {
            let (need, left) = (b - a, (source_len - a).max(Ratio::from_integer(0)));
            return Err((
                "speed",
                format!(
                    "at speed {} the clip needs {:.3} s of source from `in` {}, but the source \
                     lasts {}: the largest speed that fits is {:.3}, or the longest `duration` \
                     at this speed {:.3} s",
                    time::secs_f64(speed),
                    time::secs_f64(need),
                    Clock(a),
                    Clock(source_len),
                    time::secs_f64(left * speed / need),
                    time::secs_f64(left / speed),
                ),
            ));
        }
    }
    if b > source_len + Ratio::new(1, 1000) {
        return Err((
            end_key(end),
            format!(
                "`out` {} is past the end of the source (duration {})",
                Clock(b),
                Clock(source_len)
            ),
        ));
    }
    Ok((a, b))
}

/// A problem with a clip or sound: the key it is about, and the message.
type Problem = (&'static str, String);

/// The key that sets where a window ends.
fn end_key(end: End) -> &'static str {
    match end {
        End::Out(_) => "out",
        End::Duration(_) => "duration",
        End::SourceEnd => "in",
    }
}

/// Builds the plan. `clip_probes[i]` and `voice_probes[i]` are the probes (or
/// the probe errors) of the EDL's clips and voiceovers in order. Every problem
/// is collected; nothing is decoded.
///
/// The phases, each a function below: place the clips (source windows and
/// frame counts), check the transitions against their neighbours, find
/// the voiceovers' and music beds' source windows, lay the clips out on
/// the timeline, then the clip audio, the voiceovers, the music beds, the
/// fades and ducking, and the segments.
pub fn plan(
    edl: &Edl,
    clip_probes: &[Result<Probe, ProbeError>],
    voice_probes: &[Result<Probe, ProbeError>],
    music_probes: &[Result<Probe, ProbeError>],
) -> Result<Plan, Diagnostics> {
    let mut errs = Diagnostics::default();
    let fps = edl.output.fps;
    let placed = place_clips(edl, clip_probes, &mut errs);
    let transitions = transition_frames(edl, &placed, &mut errs);
    let timeline_known = errs.is_empty();
    let voice_windows = sound_windows(edl, SoundKind::Voiceover, voice_probes, &mut errs);
    let music_windows = sound_windows(edl, SoundKind::Music, music_probes, &mut errs);
    if !timeline_known {
        // The rest needs every clip on the timeline.
        return Err(errs.into_result(()).unwrap_err());
    }
    let placed = placed.into_iter().map(|p| p.expect("no errors")).collect();
    let clips = lay_out(edl, placed, &transitions);
    let frames = clips.last().map_or(0, |c| c.timeline.end);
    let timing = AudioTiming::new(edl.output.audio.sample_rate, fps, frames);
    let audio_clips = clip_audio(edl, &clips, &timing);
    let voiceovers = voiceovers(edl, &voice_windows, &timing, &mut errs);
    let music = music(edl, &music_windows, &timing, &mut errs);
    let (fade_in, fade_out) = master_fades(edl, frames, &mut errs);
    let ducking = edl
        .ducking
        .filter(|_| !voiceovers.is_empty())
        .map(|d| DuckPlan {
            depth_db: d.depth_db,
            attack: timing.at(d.attack),
            release: timing.at(d.release),
            hold: timing.at(d.hold),
            threshold_db: d.threshold_db,
            clips: d.clips,
            music: d.music,
        });
    let segments = segments(&clips, fps);
    let out = &edl.output;
    let samples = timing.samples;
    errs.into_result(Plan {
        output: out.clone(),
        frames,
        clips,
        segments,
        audio: AudioPlan {
            sample_rate: out.audio.sample_rate,
            channels: out.audio.channels,
            samples,
            clips: audio_clips,
            voiceovers,
            music,
            ducking,
            loudness: out.audio.loudness,
            fade_in: timing.frame(fade_in),
            fade_out: samples - timing.frame(frames - fade_out.min(frames)),
        },
        fade_in,
        fade_out,
        range: 0..frames,
        voice_windows: edl
            .voiceovers
            .iter()
            .zip(&voice_windows)
            .map(|(v, w)| {
                w.as_ref().map(|w| VoiceWindow {
                    at: v.at,
                    start: w.start,
                    end: w.end,
                })
            })
            .collect(),
        layers: Layers::default(),
    })
}

/// A clip whose source window and frame count are known.
struct Placed {
    start: Ratio,
    end: Ratio,
    /// The clip's frames, holds included.
    frames: u64,
    played: u64,
    freeze: Option<Hold>,
    speed: Ratio,
    probe: Probe,
    video: VideoInfo,
}

fn clip_diag(edl: &Edl, c: &Clip, (key, msg): Problem) -> Diagnostic {
    let d = Diagnostic::new(&edl.file, msg)
        .clip(c.number, &c.source_text, c.line)
        .table(c.spans.table);
    c.spans.point(d, key)
}

/// Phase 1: each clip's source window and frame count (None where the
/// clip has a problem, which is reported).
fn place_clips(
    edl: &Edl,
    probes: &[Result<Probe, ProbeError>],
    errs: &mut Diagnostics,
) -> Vec<Option<Placed>> {
    edl.clips
        .iter()
        .zip(probes)
        .map(|(clip, probe)| {
            place_clip(edl.output.fps, clip, probe)
                .map_err(|m| errs.push(clip_diag(edl, clip, m)))
                .ok()
        })
        .collect()
}

fn place_clip(
    fps: Ratio,
    clip: &Clip,
    probe: &Result<Probe, ProbeError>,
) -> Result<Placed, Problem> {
    let probe = probe.as_ref().map_err(|e| ("source", e.to_string()))?;
    let video = probe.video.clone().ok_or_else(|| {
        (
            "source",
            format!("source {} has no video stream", probe.path.display()),
        )
    })?;
    let source_len = video.end.unwrap_or(probe.duration).max(probe.duration);
    let (a, b) = if video.still {
        // A still shows its one picture for as long as asked: its
        // window always starts at its only frame.
        if clip.end == End::SourceEnd {
            return Err((
                "source",
                format!(
                    "source {} is a still image: give the clip a `duration`",
                    probe.path.display()
                ),
            ));
        }
        let (a, b) = window(
            clip.start,
            clip.end,
            video.fps,
            Ratio::from_integer(i64::from(u32::MAX)),
            Ratio::from_integer(1),
        )?;
        (Ratio::from_integer(0), b - a)
    } else {
        window(clip.start, clip.end, video.fps, source_len, clip.speed)?
    };
    let speed = if video.still {
        Ratio::from_integer(1)
    } else {
        clip.speed
    };
    let frames = time::round((b - a) / speed * fps);
    if frames < 1 {
        return Err((
            end_key(clip.end),
            format!(
                "the clip lasts {:.4} s, less than one output frame at {} fps",
                time::secs_f64((b - a) / speed),
                time::fmt_rate(fps)
            ),
        ));
    }
    let played = frames as u64;
    let freeze = match clip.freeze {
        Some(f) => Some(hold(f.at, f.duration, played, fps)?),
        None => None,
    };
    Ok(Placed {
        start: a,
        end: b,
        frames: played + freeze.map_or(0, |h| h.frames),
        played,
        freeze,
        speed,
        probe: probe.clone(),
        video,
    })
}

/// A freeze at clip time `at` held for `duration`, in a clip whose source
/// span gives `played` frames.
fn hold(at: Ratio, duration: Ratio, played: u64, fps: Ratio) -> Result<Hold, Problem> {
    let frame = (at * fps).floor().to_integer().max(0) as u64;
    if frame >= played {
        return Err((
            "freeze",
            format!(
                "`freeze.at` {} is outside the clip, which plays {} (its last frame starts at {})",
                Clock(at),
                Clock(Ratio::from_integer(played as i64) / fps),
                Clock(Ratio::from_integer(played as i64 - 1) / fps),
            ),
        ));
    }
    let frames = time::round(duration * fps);
    if frames < 1 {
        return Err((
            "freeze",
            format!(
                "`freeze.duration` {:.4} s is shorter than one output frame at {} fps",
                time::secs_f64(duration),
                time::fmt_rate(fps)
            ),
        ));
    }
    Ok(Hold {
        at: frame,
        frames: frames as u64,
    })
}

/// Phase 2: transition lengths in frames (`t[i]` from clip i into clip
/// i+1), checked against both neighbours.
fn transition_frames(edl: &Edl, placed: &[Option<Placed>], errs: &mut Diagnostics) -> Vec<u64> {
    let fps = edl.output.fps;
    let mut fades = vec![0u64; edl.clips.len()];
    for i in 0..edl.clips.len().saturating_sub(1) {
        let t = &edl.clips[i].transition;
        if t.kind == TransitionKind::Cut {
            continue;
        }
        let frames = time::round(t.duration * fps).max(0) as u64;
        fades[i] = frames;
        let (Some(a), Some(b)) = (&placed[i], &placed[i + 1]) else {
            continue;
        };
        let diag = |m: String| {
            clip_diag(edl, &edl.clips[i], ("transition", m))
                .at(t.line, 1)
                .span(t.span)
        };
        if frames > a.frames || frames > b.frames {
            let (which, n) = if frames > a.frames {
                (format!("clip {}", i + 1), a.frames)
            } else {
                (format!("clip {}", i + 2), b.frames)
            };
            errs.push(diag(format!(
                "the transition lasts {frames} frames ({} s), longer than {which} ({n} frames)",
                time::secs_f64(t.duration)
            )));
        } else if i > 0 && fades[i - 1] + frames > a.frames {
            errs.push(diag(format!(
                "the transition ({frames} frames) overlaps the previous transition ({} frames): \
                 clip {} has only {} frames",
                fades[i - 1],
                i + 1,
                a.frames
            )));
        }
    }
    fades
}

/// The source window of a voiceover or music bed.
struct SoundWindow {
    start: Ratio,
    end: Ratio,
    probe: Probe,
    info: AudioInfo,
}

/// Which table a sound comes from.
#[derive(Clone, Copy)]
enum SoundKind {
    Voiceover,
    Music,
}

/// Phase 3: the source windows of the voiceovers or the music beds (None
/// where one has a problem, which is reported).
fn sound_windows(
    edl: &Edl,
    kind: SoundKind,
    probes: &[Result<Probe, ProbeError>],
    errs: &mut Diagnostics,
) -> Vec<Option<SoundWindow>> {
    let sounds: Vec<&Sound> = match kind {
        SoundKind::Voiceover => edl.voiceovers.iter().collect(),
        SoundKind::Music => edl.music.iter().map(|m| &m.sound).collect(),
    };
    sounds
        .into_iter()
        .zip(probes)
        .map(|(s, p)| match audio_window(s.start, s.end, p) {
            Ok((start, end, probe, info)) => Some(SoundWindow {
                start,
                end,
                probe,
                info,
            }),
            Err(m) => {
                errs.push(sound_diag(edl, kind, s, m));
                None
            }
        })
        .collect()
}

/// A diagnostic about a voiceover or a music bed.
fn sound_diag(edl: &Edl, kind: SoundKind, s: &Sound, (key, m): Problem) -> Diagnostic {
    let d = Diagnostic::new(&edl.file, m).table(s.spans.table);
    let d = match kind {
        SoundKind::Voiceover => d.voiceover(s.number, &s.source_text, s.line),
        SoundKind::Music => d.music(s.number, &s.source_text, s.line),
    };
    s.spans.point(d, key)
}

/// Phase 4: the clips on the timeline, each overlapping the previous one
/// by their transition.
fn lay_out(edl: &Edl, placed: Vec<Placed>, fades: &[u64]) -> Vec<ClipPlan> {
    let out = &edl.output;
    let mut clips = Vec::with_capacity(placed.len());
    let mut cursor = 0u64;
    for (i, (clip, p)) in edl.clips.iter().zip(placed).enumerate() {
        let start = cursor;
        let fade_in = if i > 0 { fades[i - 1] } else { 0 };
        cursor = start + p.frames - fades[i];
        let v = &p.video;
        let still = v.still;
        // The upright picture: a quarter turn swaps its sides.
        let (w, h, sar) = if v.rotation % 180 == 90 {
            (v.height, v.width, Ratio::from_integer(1) / v.sar)
        } else {
            (v.width, v.height, v.sar)
        };
        let crop = clip.crop.map(|c| crop_pixels(c, w, h));
        let (cw, ch) = crop.map_or((w, h), |c| (c.2, c.3));
        let geometry = Geometry {
            rotation: v.rotation,
            crop,
            ..focused(
                geometry(cw, ch, sar, out.width, out.height, out.fit),
                clip.focus,
                out.width,
                out.height,
            )
        };
        // A moving clip is scaled to square pixels at its own size, and
        // each frame's rect is taken from that.
        let motion = clip.motion.map(|path| MotionPlan {
            path,
            fit: out.fit,
            focus: clip.focus.unwrap_or((0.5, 0.5)),
        });
        let geometry = match motion {
            Some(_) => Geometry {
                scaled: working_size(cw, ch, sar),
                fit: Fit::Stretch,
                offset: (0, 0),
                ..geometry
            },
            None => geometry,
        };
        clips.push(ClipPlan {
            number: clip.number,
            source: clip.source.clone(),
            card: clip.card.as_ref().map(|k| k.background),
            transition: clip.transition.kind,
            eq: clip.eq,
            lut: clip.lut.clone().or_else(|| edl.output.lut.clone()),
            source_text: clip.source_text.clone(),
            line: clip.line,
            start: p.start,
            end: p.end,
            container_start: p.probe.start_time,
            timeline: start..start + p.frames,
            fade_in,
            fade_out: fades[i],
            volume: clip.volume,
            video: p.video,
            audio: p.probe.audio.clone(),
            geometry,
            speed: p.speed,
            reverse: clip.reverse && !still,
            played: p.played,
            freeze: p.freeze,
            motion,
        });
    }
    clips
}

/// A unit of a render's work, for spreading one render over machines:
/// one per segment and one for the audio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkUnit {
    /// The segment's index, or None for the audio.
    pub segment: Option<usize>,
    /// Timeline frames it covers (the whole range for the audio).
    pub frames: Range<u64>,
    /// The clips it shows (1-based numbers).
    pub clips: Vec<usize>,
    /// Source pixels decoded (each frame's clips' pictures, times their
    /// speed when faster than 1).
    pub source_pixels: u64,
    /// The estimate units are balanced by: decoded plus encoded pixels;
    /// the audio counts as a tenth of encoding the whole timeline.
    pub cost: u64,
}

/// The work units of a plan: its segments in order, then the audio.
pub fn work_units(plan: &Plan) -> Vec<WorkUnit> {
    let out_pixels = u64::from(plan.output.width) * u64::from(plan.output.height);
    let pixels = |c: &ClipPlan| {
        let speed = time::secs_f64(c.speed).max(1.0);
        (f64::from(c.video.width) * f64::from(c.video.height) * speed) as u64
    };
    let mut units: Vec<WorkUnit> = plan
        .segments
        .iter()
        .map(|seg| {
            let mut source_pixels = 0;
            for k in seg.frames.clone() {
                source_pixels += match plan.compose(k) {
                    Compose::One { clip, .. } => pixels(&plan.clips[clip]),
                    Compose::Blend { from, to, .. } => {
                        pixels(&plan.clips[from]) + pixels(&plan.clips[to])
                    }
                };
            }
            let frames = seg.frames.end - seg.frames.start;
            WorkUnit {
                segment: Some(seg.index),
                frames: seg.frames.clone(),
                clips: plan.clips[plan.clips_in(seg)]
                    .iter()
                    .map(|c| c.number)
                    .collect(),
                source_pixels,
                cost: source_pixels + frames * out_pixels,
            }
        })
        .collect();
    units.push(WorkUnit {
        segment: None,
        frames: plan.range.clone(),
        clips: plan.audio.clips.iter().filter_map(clip_number).collect(),
        source_pixels: 0,
        cost: (plan.range.end - plan.range.start) * out_pixels / 10,
    });
    units
}

/// The clip number in an audio region's label ("clip 3 (...)").
fn clip_number(r: &AudioRegion) -> Option<usize> {
    r.label
        .strip_prefix("clip ")?
        .split(' ')
        .next()?
        .parse()
        .ok()
}

/// Which of `shards` shards does each unit of `costs`: the largest first,
/// each onto the shard with the least so far (the lowest-numbered among
/// equals). Deterministic, so that every machine computes the same split.
pub fn assign(costs: &[u64], shards: usize) -> Vec<usize> {
    let shards = shards.max(1);
    let mut order: Vec<usize> = (0..costs.len()).collect();
    order.sort_by(|&a, &b| costs[b].cmp(&costs[a]).then(a.cmp(&b)));
    let mut load = vec![0u64; shards];
    let mut owner = vec![0; costs.len()];
    for i in order {
        let lightest = (0..shards)
            .min_by_key(|&s| (load[s], s))
            .expect("at least one shard");
        owner[i] = lightest;
        load[lightest] += costs[i];
    }
    owner
}

/// Sample positions on the timeline.
struct AudioTiming {
    sample_rate: u32,
    fps: Ratio,
    /// Samples of the whole montage.
    samples: u64,
    /// The montage's length in seconds.
    montage: Ratio,
}

impl AudioTiming {
    fn new(sample_rate: u32, fps: Ratio, frames: u64) -> AudioTiming {
        AudioTiming {
            sample_rate,
            fps,
            samples: sample_at(frames, sample_rate, fps),
            montage: Ratio::from_integer(frames as i64) / fps,
        }
    }

    /// The sample of frame boundary `k`.
    fn frame(&self, k: u64) -> u64 {
        sample_at(k, self.sample_rate, self.fps)
    }

    /// The sample at `t` seconds.
    fn at(&self, t: Ratio) -> u64 {
        time::round(t * Ratio::from_integer(self.sample_rate as i64)).max(0) as u64
    }

    /// A 5 ms linear fade, at most half of a region `len` samples long.
    fn declick(&self, len: u64) -> Fade {
        Fade {
            samples: (self.sample_rate as u64 * DECLICK_MS / 1000).min(len / 2),
            curve: AudioCurve::Linear,
        }
    }
}

/// Phase 5: each clip's own sound, crossfading with its neighbours'.
fn clip_audio(edl: &Edl, clips: &[ClipPlan], timing: &AudioTiming) -> Vec<AudioRegion> {
    let s = |k: u64| timing.frame(k);
    clips
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let a = c.audio.as_ref()?;
            let timeline = s(c.timeline.start)..s(c.timeline.end);
            let len = timeline.end - timeline.start;
            let fade_in = if c.fade_in > 0 {
                Fade {
                    samples: s(c.timeline.start + c.fade_in) - s(c.timeline.start),
                    curve: edl.clips[i - 1].transition.audio_curve,
                }
            } else {
                timing.declick(len)
            };
            let fade_out = if c.fade_out > 0 {
                Fade {
                    samples: s(c.timeline.end) - s(c.timeline.end - c.fade_out),
                    curve: edl.clips[i].transition.audio_curve,
                }
            } else {
                timing.declick(len)
            };
            let clip = &edl.clips[i];
            let retime = retime(c, clip, |k| s(c.timeline.start + k) - s(c.timeline.start));
            let source_len = retime.as_ref().map_or(len, |r| {
                let held = r.hold.as_ref().map_or(0, |h| h.end - h.start);
                time::round(Ratio::from_integer((len - held) as i64) * r.speed) as u64
            });
            (c.volume > 0.0 && clip.audio_speed != AudioSpeed::Mute).then(|| AudioRegion {
                label: format!("clip {} ({})", c.number, c.source_text),
                source: c.source.clone(),
                stream: a.stream,
                container_start: c.container_start,
                source_start: c.start,
                timeline,
                volume: c.volume,
                fade_in,
                fade_out,
                source_len,
                retime,
            })
        })
        .collect()
}

/// How a clip's sound is reshaped (None when it plays as it is).
/// `sample(k)` is the region sample where local frame `k` starts.
fn retime(c: &ClipPlan, clip: &Clip, sample: impl Fn(u64) -> u64) -> Option<Retime> {
    let one = Ratio::from_integer(1);
    let silent_hold = clip
        .freeze
        .filter(|f| f.audio == FreezeAudio::Silent)
        .and(c.freeze);
    if c.speed == one && !c.reverse && silent_hold.is_none() {
        return None;
    }
    Some(Retime {
        speed: c.speed,
        keep_pitch: clip.audio_speed != AudioSpeed::Resample,
        reverse: c.reverse,
        // The held frame is shown once more at h.at + 1 ..= h.at + frames.
        hold: silent_hold.map(|h| sample(h.at + 1)..sample(h.at + 1 + h.frames)),
    })
}

/// Phase 6: the voiceovers, which must end within the montage.
fn voiceovers(
    edl: &Edl,
    windows: &[Option<SoundWindow>],
    timing: &AudioTiming,
    errs: &mut Diagnostics,
) -> Vec<AudioRegion> {
    let mut out = Vec::new();
    for (v, w) in edl.voiceovers.iter().zip(windows) {
        let Some(w) = w else { continue };
        let end = v.at + (w.end - w.start);
        if end > timing.montage {
            errs.push(sound_diag(
                edl,
                SoundKind::Voiceover,
                v,
                (
                    "at",
                    format!(
                        "the voiceover runs from {} to {}, past the end of the montage ({})",
                        Clock(v.at),
                        Clock(end),
                        Clock(timing.montage)
                    ),
                ),
            ));
            continue;
        }
        let first = timing.at(v.at);
        let timeline = first..(first + timing.at(w.end - w.start)).min(timing.samples);
        let len = timeline.end - timeline.start;
        if v.volume > 0.0 && len > 0 {
            out.push(AudioRegion {
                label: format!("voiceover {} ({})", v.number, v.source_text),
                source: v.source.clone(),
                stream: w.info.stream,
                container_start: w.probe.start_time,
                source_start: w.start,
                timeline,
                volume: v.volume,
                fade_in: timing.declick(len),
                fade_out: timing.declick(len),
                source_len: len,
                retime: None,
            });
        }
    }
    out
}

/// Phase 7: the music beds, looped and faded, starting within the montage.
fn music(
    edl: &Edl,
    windows: &[Option<SoundWindow>],
    timing: &AudioTiming,
    errs: &mut Diagnostics,
) -> Vec<AudioRegion> {
    let mut out = Vec::new();
    for (m, w) in edl.music.iter().zip(windows) {
        let Some(w) = w else { continue };
        let s = &m.sound;
        if s.at >= timing.montage {
            errs.push(sound_diag(
                edl,
                SoundKind::Music,
                s,
                (
                    "at",
                    format!(
                        "the music starts at {}, after the end of the montage ({})",
                        Clock(s.at),
                        Clock(timing.montage)
                    ),
                ),
            ));
            continue;
        }
        let first = timing.at(s.at);
        let window = timing.at(w.end - w.start);
        let stop = m
            .until
            .map_or(timing.samples, |u| timing.at(u).min(timing.samples));
        let last = if m.looped {
            stop
        } else {
            (first + window).min(stop)
        };
        let len = last.saturating_sub(first);
        if s.volume == 0.0 || len == 0 || window == 0 {
            continue;
        }
        let fade = |t: Ratio, max: u64| match timing.at(t).min(max) {
            0 => timing.declick(len),
            n => Fade {
                samples: n,
                curve: AudioCurve::Linear,
            },
        };
        let fade_in = fade(m.fade_in, len);
        let fade_out = fade(m.fade_out, len - fade_in.samples);
        out.push(AudioRegion {
            label: format!("music {} ({})", s.number, s.source_text),
            source: s.source.clone(),
            stream: w.info.stream,
            container_start: w.probe.start_time,
            source_start: w.start,
            timeline: first..last,
            volume: s.volume,
            fade_in,
            fade_out,
            source_len: window.min(len),
            retime: None,
        });
    }
    out
}

/// Phase 8: the montage's fades from and to black, in frames.
fn master_fades(edl: &Edl, frames: u64, errs: &mut Diagnostics) -> (u64, u64) {
    let fps = edl.output.fps;
    let fade_frames = |t: Ratio| time::round(t * fps).max(0) as u64;
    let (fade_in, fade_out) = (
        fade_frames(edl.output.fade_in),
        fade_frames(edl.output.fade_out),
    );
    if fade_in + fade_out > frames {
        let d = Diagnostic::new(
            &edl.file,
            format!(
                "[output] fade_in ({fade_in} frames) and fade_out ({fade_out} frames) are longer \
                 than the montage ({frames} frames)"
            ),
        );
        let key = if edl.output.spans.get("fade_in").is_some() {
            "fade_in"
        } else {
            "fade_out"
        };
        errs.push(edl.output.spans.point(d, key));
    }
    (fade_in, fade_out)
}

/// The source window of a voiceover or music bed, which needs audio.
fn audio_window(
    start: TimeSpec,
    end: End,
    probe: &Result<Probe, ProbeError>,
) -> Result<(Ratio, Ratio, Probe, AudioInfo), Problem> {
    let probe = probe.as_ref().map_err(|m| ("source", m.to_string()))?;
    let info = probe.audio.clone().ok_or_else(|| {
        (
            "source",
            format!("source {} has no audio stream", probe.path.display()),
        )
    })?;
    let fps = probe
        .video
        .as_ref()
        .map_or(Ratio::from_integer(25), |v| v.fps);
    let (a, b) = window(start, end, fps, probe.duration, Ratio::from_integer(1))?;
    Ok((a, b, probe.clone(), info))
}

/// Where a segment may start inside clip `c` (a local frame): the end of its
/// incoming crossfade, moved on to just after the first source keyframe
/// there, when the index tells, so that the worker that starts there seeks
/// straight to that keyframe instead of decoding again from an earlier one.
/// A few source frames of margin cover the gap between a keyframe's decode
/// time (what the index holds) and its presentation time.
fn cut_point(c: &ClipPlan, fps: Ratio) -> u64 {
    let margin = Ratio::from_integer(4) / c.video.fps;
    let last = c.frames() - c.fade_out; // cuts stay out of the outgoing crossfade
    if c.reverse {
        // Read backwards, a stretch at a time: no keyframe helps.
        return c.fade_in;
    }
    // The local frame where played frame m is first shown.
    let local = |m: u64| match c.freeze {
        Some(h) if m > h.at => m + h.frames,
        _ => m,
    };
    c.video
        .keyframes
        .iter()
        .filter(|&&k| k >= c.start)
        .map(|&k| {
            local(
                ((k + margin - c.start) / c.speed * fps)
                    .ceil()
                    .to_integer()
                    .max(0) as u64,
            )
        })
        .find(|&l| l >= c.fade_in)
        .filter(|&l| l < last)
        .unwrap_or(c.fade_in)
}

/// Cuts the timeline into segments. Every cut costs a seek, a decode from
/// the keyframe before it and an IDR frame in the output, so cuts fall only
/// at each clip's [`cut_point`], consecutive clips are grouped until a
/// segment lasts `MIN_SEGMENT_SECONDS`, and only a stretch longer than
/// `MAX_SEGMENT_SECONDS` is split evenly. The result does not depend on the
/// number of workers, so neither does the output.
fn segments(clips: &[ClipPlan], fps: Ratio) -> Vec<Segment> {
    let secs = |s: i64| (time::round(fps * s).max(1)) as u64;
    let (min, max) = (secs(MIN_SEGMENT_SECONDS), secs(MAX_SEGMENT_SECONDS));
    let total = clips.last().map_or(0, |c| c.timeline.end);
    // Stretches between consecutive cut points tile the timeline.
    let cuts: Vec<u64> = clips
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i == 0 {
                0
            } else {
                c.timeline.start + cut_point(c, fps)
            }
        })
        .chain([total])
        .collect();
    let mut out: Vec<Segment> = Vec::new();
    let close = |r: Range<u64>, out: &mut Vec<Segment>| {
        out.push(Segment {
            index: out.len(),
            frames: r,
        })
    };
    let mut open: Option<Range<u64>> = None;
    for w in cuts.windows(2) {
        let range = w[0]..w[1];
        let len = range.end - range.start;
        if len == 0 {
            continue;
        }
        if len > max {
            // A long stretch: close what is open, then split it evenly.
            if let Some(r) = open.take() {
                close(r, &mut out);
            }
            let parts = len.div_ceil(max);
            for p in 0..parts {
                let a = range.start + len * p / parts;
                let b = range.start + len * (p + 1) / parts;
                close(a..b, &mut out);
            }
            continue;
        }
        let r = match open.take() {
            Some(r) => r.start..range.end,
            None => range,
        };
        if r.end - r.start >= min {
            close(r, &mut out);
        } else {
            open = Some(r);
        }
    }
    if let Some(r) = open {
        close(r, &mut out);
    }
    out
}

/// Plans from EDL text and made-up probes, for unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use std::path::Path;

    pub(crate) fn probe(path: &str, secs: i64, fps: i64, audio: bool) -> Result<Probe, ProbeError> {
        let p = Probe::builder(path, secs).fps(Ratio::from_integer(fps));
        Ok(if audio { p.audio(44100, 2) } else { p }.build())
    }

    pub(crate) fn edl(body: &str) -> Edl {
        let text = format!("[output]\nwidth = 64\nheight = 36\nfps = 30\n{body}");
        Edl::parse(Path::new("t.toml"), &text).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{edl, probe};
    use super::*;

    /// `n` clips with the given keys, crossfading 0.5 s into each other.
    fn crossfaded(n: usize, clip: &str) -> Edl {
        let mut body =
            String::from("[defaults]\ntransition = { kind = \"crossfade\", duration = 0.5 }\n");
        for _ in 0..n {
            body.push_str(&format!("[[clip]]\nsource = \"a\"\n{clip}"));
        }
        edl(&body)
    }

    const THREE: &str = "[defaults]\ntransition = { kind = \"crossfade\", duration = 0.5 }\n\
        [[clip]]\nsource = \"a\"\nin = 1\nout = 3\n\
        [[clip]]\nsource = \"b\"\nin = 0\nout = 2.5\n\
        [[clip]]\nsource = \"c\"\nin = \"00:00:01:15\"\nduration = 1\n";

    #[test]
    fn shards_cover_every_unit_once_balanced_and_the_same_every_time() {
        let costs = [90, 10, 40, 40, 30, 30, 5, 70, 20, 1];
        for n in 1..=6 {
            let owner = assign(&costs, n);
            assert_eq!(owner, assign(&costs, n), "deterministic");
            assert!(owner.iter().all(|&s| s < n));
            let mut load = vec![0u64; n];
            for (i, &s) in owner.iter().enumerate() {
                load[s] += costs[i];
            }
            // Greedy largest-first: no shard exceeds the mean by more than
            // the largest unit.
            let total: u64 = costs.iter().sum();
            let max = *load.iter().max().unwrap();
            assert!(max <= total / n as u64 + 90, "{n}: {load:?}");
            assert_eq!(load.iter().sum::<u64>(), total);
        }
        assert_eq!(assign(&[5, 5, 5, 5], 2), [0, 1, 0, 1]);
    }

    #[test]
    fn frame_counts_follow_the_rule() {
        let e = edl(THREE);
        let probes = vec![
            probe("a", 10, 30, true),
            probe("b", 10, 25, false),
            probe("c", 10, 30, true),
        ];
        let p = plan(&e, &probes, &[], &[]).unwrap();
        // 60 + 75 + 30 frames, minus two 15-frame crossfades.
        assert_eq!(p.frames, 60 + 75 + 30 - 30);
        assert_eq!(p.clips[2].start, Ratio::new(3, 2));
        assert_eq!(p.clips[1].timeline, 45..120);
        assert_eq!(p.audio.samples, p.frames * 1600);
        // Segments tile the timeline with no gap or overlap.
        let mut next = 0;
        for s in &p.segments {
            assert_eq!(s.frames.start, next);
            next = s.frames.end;
        }
        assert_eq!(next, p.frames);
        // Clip b has no audio, so only a and c contribute.
        assert_eq!(p.audio.clips.len(), 2);
        assert_eq!(p.audio.clips[1].timeline.start, 105 * 1600);
        assert_eq!(
            p.audio.clips[1].fade_in,
            Fade {
                samples: 15 * 1600,
                curve: AudioCurve::EqualPower
            }
        );
        // Clip a starts the montage and ends in a crossfade; clip c ends it
        // with a cut: a 5 ms declick.
        assert_eq!(p.audio.clips[0].fade_in.samples, 240);
        assert_eq!(p.audio.clips[1].fade_out.samples, 240);
        assert_eq!(p.audio.clips[1].fade_out.curve, AudioCurve::Linear);
    }

    #[test]
    fn fade_gains_follow_the_curves() {
        let eq = Fade {
            samples: 3,
            curve: AudioCurve::EqualPower,
        };
        let lin = Fade {
            samples: 3,
            curve: AudioCurve::Linear,
        };
        // w = 1/4, 2/4, 3/4
        assert!((lin.gain_in(1) - 0.5).abs() < 1e-12);
        for i in 0..3 {
            // Equal power: the outgoing gain at step i is the incoming gain
            // at step n-1-i, and the powers sum to 1.
            let (a, b) = (eq.gain_in(i), eq.gain_in(2 - i));
            assert!((a * a + b * b - 1.0).abs() < 1e-12);
            assert!((lin.gain_in(i) + lin.gain_in(2 - i) - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn output_fades_start_and_end_black() {
        let mut e = edl(THREE);
        e.output.fade_in = Ratio::new(1, 2);
        e.output.fade_out = Ratio::from_integer(1);
        let probes = vec![
            probe("a", 10, 30, true),
            probe("b", 10, 25, true),
            probe("c", 10, 30, true),
        ];
        let p = plan(&e, &probes, &[], &[]).unwrap();
        assert_eq!((p.fade_in, p.fade_out), (15, 30));
        assert_eq!(p.fade(0), Some((15, 15)));
        assert_eq!(p.fade(14), Some((1, 15)));
        assert_eq!(p.fade(15), None);
        assert_eq!(p.fade(p.frames - 31), None);
        assert_eq!(p.fade(p.frames - 30), Some((1, 30)));
        assert_eq!(p.fade(p.frames - 1), Some((30, 30)));
        assert_eq!(p.audio.fade_in, 15 * 1600);
        assert_eq!(p.audio.fade_out, 30 * 1600);
    }

    #[test]
    fn crossfade_weights_follow_the_rule() {
        let e = edl(THREE);
        let probes = vec![
            probe("a", 10, 30, true),
            probe("b", 10, 25, true),
            probe("c", 10, 30, true),
        ];
        let p = plan(&e, &probes, &[], &[]).unwrap();
        assert_eq!(p.compose(44), Compose::One { clip: 0, local: 44 });
        assert_eq!(
            p.compose(45),
            Compose::Blend {
                from: 0,
                from_local: 45,
                to: 1,
                to_local: 0,
                step: 1,
                steps: 16
            }
        );
        assert_eq!(
            p.compose(59),
            Compose::Blend {
                from: 0,
                from_local: 59,
                to: 1,
                to_local: 14,
                step: 15,
                steps: 16
            }
        );
        assert_eq!(p.compose(60), Compose::One { clip: 1, local: 15 });
        assert_eq!(p.compose(p.frames - 1), Compose::One { clip: 2, local: 29 });
    }

    #[test]
    fn timing_errors_name_the_clip() {
        let e = edl("[[clip]]\nsource = \"a\"\nin = 1\nout = 12\n\
             transition = { kind = \"crossfade\", duration = 2 }\n\
             [[clip]]\nsource = \"b\"\nin = 0\nout = 1\n");
        let probes = vec![probe("a", 10, 30, true), probe("b", 10, 30, true)];
        let err = plan(&e, &probes, &[], &[]).unwrap_err().to_string();
        assert!(err.contains("clip 1 (a, [[clip]] at line 5)"), "{err}");
        assert!(
            err.contains("past the end of the source (duration 0:00:10.000)"),
            "{err}"
        );

        let e = edl("[[clip]]\nsource = \"a\"\nin = 1\nout = 3\n\
             transition = { kind = \"crossfade\", duration = 2 }\n\
             [[clip]]\nsource = \"b\"\nin = 0\nout = 1\n");
        let err = plan(&e, &probes, &[], &[]).unwrap_err().to_string();
        assert!(err.contains("t.toml:9:1: clip 1"), "{err}");
        assert!(err.contains("longer than clip 2 (30 frames)"), "{err}");
    }

    #[test]
    fn overlapping_transitions_are_refused() {
        let e = edl(
            "[defaults]\ntransition = { kind = \"crossfade\", duration = 0.6 }\n\
             [[clip]]\nsource = \"a\"\nout = 1\n[[clip]]\nsource = \"b\"\nout = 1\n\
             [[clip]]\nsource = \"c\"\nout = 1\n",
        );
        let probes = vec![
            probe("a", 10, 30, true),
            probe("b", 10, 30, true),
            probe("c", 10, 30, true),
        ];
        let err = plan(&e, &probes, &[], &[]).unwrap_err().to_string();
        assert!(err.contains("overlaps the previous transition"), "{err}");
        assert!(err.contains("clip 2 (b,"), "{err}");
    }

    #[test]
    fn voiceover_past_the_end_is_refused() {
        let e = edl(
            "[[clip]]\nsource = \"a\"\nout = 2\n[[voiceover]]\nsource = \"v\"\nat = 1.5\nduration = 1\n",
        );
        let probes = vec![probe("a", 10, 30, true)];
        let err = plan(&e, &probes, &[probe("v", 10, 30, true)], &[])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("voiceover 1 (v, [[voiceover]] at line 8)"),
            "{err}"
        );
        assert!(
            err.contains("past the end of the montage (0:00:02.000)"),
            "{err}"
        );
    }

    #[test]
    fn missing_sources_are_all_reported() {
        let e = edl("[[clip]]\nsource = \"a\"\n[[clip]]\nsource = \"b\"\n");
        let probes = vec![
            Err(ProbeError::NotFound("a".into())),
            Err(ProbeError::NotFound("b".into())),
        ];
        let err = plan(&e, &probes, &[], &[]).unwrap_err();
        assert_eq!(err.0.len(), 2);
    }

    #[test]
    fn geometry_keeps_the_display_aspect() {
        // 4:3 into 16:9: pillarbox.
        let g = geometry(640, 480, Ratio::from_integer(1), 1920, 1080, Fit::Contain);
        assert_eq!(g.scaled, (1440, 1080));
        assert_eq!(g.offset, (240, 0));
        // Vertical into 16:9.
        let g = geometry(1080, 1920, Ratio::from_integer(1), 1920, 1080, Fit::Contain);
        assert_eq!(g.scaled, (608, 1080));
        // Anamorphic 720x576 with SAR 64:45 is 16:9.
        let g = geometry(720, 576, Ratio::new(64, 45), 1920, 1080, Fit::Contain);
        assert_eq!(g.scaled, (1920, 1080));
        // Cover crops the overflow.
        let g = geometry(640, 480, Ratio::from_integer(1), 1920, 1080, Fit::Cover);
        assert_eq!(g.scaled, (1920, 1440));
        assert_eq!(g.offset, (0, 180));
        let g = geometry(640, 480, Ratio::from_integer(1), 1920, 1080, Fit::Stretch);
        assert_eq!(g.scaled, (1920, 1080));
    }

    #[test]
    fn range_texts_name_whole_frames_within_the_montage() {
        let e = edl("[[clip]]\nsource = \"a\"\nout = 4\n");
        let p = plan(&e, &[probe("a", 10, 30, false)], &[], &[]).unwrap();
        assert_eq!(p.range_frames("1-2.5"), Ok(30..75));
        assert_eq!(p.range_frames("0:00:01.000-0:00:04.000"), Ok(30..120));
        let err = p.range_frames("1-5").unwrap_err();
        assert_eq!(err, "--range 1-5 ends after the montage (0:00:04.000)");
        let err = p.range_frames("1-1.01").unwrap_err();
        assert_eq!(err, "--range 1-1.01 is shorter than one frame");
        assert!(p
            .range_frames("2-1")
            .unwrap_err()
            .contains("start is not before"));
        assert!(p
            .range_frames("soon")
            .unwrap_err()
            .contains("invalid range"));
    }

    #[test]
    fn long_bodies_are_split() {
        let e = edl("[[clip]]\nsource = \"a\"\nout = 25\n");
        let p = plan(&e, &[probe("a", 30, 30, true)], &[], &[]).unwrap();
        assert_eq!(p.frames, 750);
        assert_eq!(p.segments.len(), 3);
        assert_eq!(p.segments[1].frames, 250..500);
        assert_eq!(p.clips_in(&p.segments[1]), 0..1);
    }

    #[test]
    fn cuts_move_to_just_after_a_source_keyframe() {
        let e = crossfaded(4, "in = 1\nout = 5\n");
        let mut a = probe("a", 10, 30, true).unwrap();
        // Keyframes every 2 s: the first after in + 0.5 s (the crossfade) is at 2 s.
        a.video.as_mut().unwrap().keyframes = (0..5).map(|k| Ratio::from_integer(2 * k)).collect();
        let probes: Vec<_> = (0..4).map(|_| Ok(a.clone())).collect();
        let p = plan(&e, &probes, &[], &[]).unwrap();
        // 2 s + 4/30 s of margin - `in` (1 s) is local frame 34.
        assert_eq!(cut_point(&p.clips[1], Ratio::from_integer(30)), 34);
        let ends: Vec<u64> = p.segments.iter().map(|s| s.frames.end).collect();
        assert_eq!(ends, vec![p.clips[2].timeline.start + 34, p.frames]);
        // Without an index the cut is the end of the crossfade.
        let mut c = p.clips[1].clone();
        c.video.keyframes.clear();
        assert_eq!(cut_point(&c, Ratio::from_integer(30)), 15);
    }

    #[test]
    fn short_clips_are_grouped_into_segments() {
        // Twelve 2-second clips with 0.5 s crossfades: 2 s + 1.5 s * 11 = 18.5 s.
        let e = crossfaded(12, "out = 2\n");
        let probes: Vec<_> = (0..12).map(|_| probe("a", 10, 30, true)).collect();
        let p = plan(&e, &probes, &[], &[]).unwrap();
        assert_eq!(p.frames, 555);
        // Each segment (but maybe the last) holds at least 6 s, and cuts fall
        // at the end of a crossfade.
        let mut next = 0;
        for (i, s) in p.segments.iter().enumerate() {
            assert_eq!(s.frames.start, next);
            next = s.frames.end;
            if i + 1 < p.segments.len() {
                assert!(s.frames.end - s.frames.start >= 180, "{s:?}");
                assert!(p
                    .clips
                    .iter()
                    .any(|c| c.timeline.start + c.fade_in == s.frames.end));
            }
        }
        assert_eq!(next, p.frames);
        assert_eq!(p.segments.len(), 3);
    }
}
