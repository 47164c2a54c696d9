//! The audio regions: each clip's own sound (crossfaded, retimed), the
//! voiceovers and the music beds, from their source windows to timeline
//! samples.

use super::clips::{window, Problem};
use super::model::{sample_at, AudioRegion, ClipPlan, Fade, Retime, DECLICK_MS};
use super::streams::{played, Played};
use crate::edl::channels::Kind;
use crate::edl::timing::{AudioSpeed, FreezeAudio};
use crate::edl::{AudioCurve, Clip, Edl, End, Sound};
use crate::error::{Diagnostic, Diagnostics};
use crate::probe::{AudioInfo, Probe};
use crate::time::{self, Clock, Ratio, TimeSpec};
use std::fmt::Display;

/// The source window of a voiceover or music bed.
pub(super) struct SoundWindow {
    pub(super) start: Ratio,
    pub(super) end: Ratio,
    probe: Probe,
    /// The streams it plays, and where.
    played: Vec<Played>,
}

/// Which table a sound comes from.
#[derive(Clone, Copy)]
pub(super) enum SoundKind {
    Voiceover,
    Music,
}

/// Phase 3: the source windows of the voiceovers or the music beds (None
/// where one has a problem, which is reported).
pub(super) fn sound_windows(
    edl: &Edl,
    kind: SoundKind,
    probes: &[Result<Probe, impl Display>],
    errs: &mut Diagnostics,
) -> Vec<Option<SoundWindow>> {
    let sounds: Vec<&Sound> = match kind {
        SoundKind::Voiceover => edl.voiceovers.iter().collect(),
        SoundKind::Music => edl.music.iter().map(|m| &m.sound).collect(),
    };
    sounds
        .into_iter()
        .zip(probes)
        .map(|(s, p)| match sound_window(edl, kind, s, p) {
            Ok(w) => Some(w),
            Err(m) => {
                errs.push(sound_diag(edl, kind, s, m));
                None
            }
        })
        .collect()
}

/// The source window of a voiceover or music bed, and the streams it plays.
fn sound_window(
    edl: &Edl,
    kind: SoundKind,
    s: &Sound,
    probe: &Result<Probe, impl Display>,
) -> Result<SoundWindow, Problem> {
    let (start, end, probe, _) = audio_window(s.start, s.end, probe)?;
    let kind = match kind {
        SoundKind::Voiceover => Kind::Voiceover,
        SoundKind::Music => Kind::Music,
    };
    let a = &edl.output.audio;
    let played = played(&s.audio_streams, &probe, kind, &a.layout, a.channels)?;
    Ok(SoundWindow {
        start,
        end,
        probe,
        played,
    })
}

/// Phase 2: the audio streams each clip plays, and where (none where a
/// clip's source has no audio or a problem, which is reported).
pub(super) fn clip_streams(
    edl: &Edl,
    probes: &[Result<Probe, impl Display>],
    errs: &mut Diagnostics,
) -> Vec<Vec<Played>> {
    let a = &edl.output.audio;
    edl.clips
        .iter()
        .zip(probes)
        .map(|(c, p)| {
            let (Ok(p), crate::edl::ClipSource::File(_)) = (p, &c.source) else {
                return Vec::new();
            };
            played(&c.audio_streams, p, Kind::Clips, &a.layout, a.channels).unwrap_or_else(
                |(key, m)| {
                    let d = Diagnostic::new(&edl.file, m)
                        .clip(c.number, &c.source_text, c.line)
                        .table(c.spans.table);
                    errs.push(c.spans.point(d, key));
                    Vec::new()
                },
            )
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

/// Sample positions on the timeline.
pub(super) struct AudioTiming {
    sample_rate: u32,
    fps: Ratio,
    /// Samples of the whole montage.
    pub(super) samples: u64,
    /// The montage's length in seconds.
    montage: Ratio,
}

impl AudioTiming {
    pub(super) fn new(sample_rate: u32, fps: Ratio, frames: u64) -> AudioTiming {
        AudioTiming {
            sample_rate,
            fps,
            samples: sample_at(frames, sample_rate, fps),
            montage: Ratio::from_integer(frames as i64) / fps,
        }
    }

    /// The sample of frame boundary `k`.
    pub(super) fn frame(&self, k: u64) -> u64 {
        sample_at(k, self.sample_rate, self.fps)
    }

    /// The sample at `t` seconds.
    pub(super) fn at(&self, t: Ratio) -> u64 {
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

/// Phase 5: each clip's own sound (a region per stream it plays),
/// crossfading with its neighbours'.
pub(super) fn clip_audio(
    edl: &Edl,
    clips: &[ClipPlan],
    streams: &[Vec<Played>],
    timing: &AudioTiming,
) -> Vec<AudioRegion> {
    let s = |k: u64| timing.frame(k);
    clips
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            let Some(source) = c.source.file() else {
                return Vec::new();
            };
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
            let heard = c.volume > 0.0 && clip.audio_speed != AudioSpeed::Mute;
            let played = if heard { &streams[i][..] } else { &[] };
            played
                .iter()
                .map(|p| AudioRegion {
                    label: format!("clip {} ({})", c.number, c.source_text),
                    clip: Some(c.number),
                    source: source.clone(),
                    stream: p.stream,
                    container_start: c.container_start,
                    source_start: c.start,
                    timeline: timeline.clone(),
                    volume: c.volume,
                    fade_in,
                    fade_out,
                    source_len,
                    retime: retime.clone(),
                    place: p.place,
                })
                .collect()
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
pub(super) fn voiceovers(
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
        if v.volume == 0.0 || len == 0 {
            continue;
        }
        for p in &w.played {
            out.push(AudioRegion {
                label: format!("voiceover {} ({})", v.number, v.source_text),
                clip: None,
                source: v.source.clone(),
                stream: p.stream,
                place: p.place,
                container_start: w.probe.start_time,
                source_start: w.start,
                timeline: timeline.clone(),
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
pub(super) fn music(
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
        out.extend(w.played.iter().map(|p| AudioRegion {
            label: format!("music {} ({})", s.number, s.source_text),
            clip: None,
            source: s.source.clone(),
            stream: p.stream,
            place: p.place,
            container_start: w.probe.start_time,
            source_start: w.start,
            timeline: first..last,
            volume: s.volume,
            fade_in,
            fade_out,
            source_len: window.min(len),
            retime: None,
        }));
    }
    out
}

/// The source window of a voiceover or music bed, which needs audio.
fn audio_window(
    start: TimeSpec,
    end: End,
    probe: &Result<Probe, impl Display>,
) -> Result<(Ratio, Ratio, Probe, AudioInfo), Problem> {
    let probe = probe.as_ref().map_err(|m| ("source", m.to_string()))?;
    let info = probe.audio.clone().ok_or_else(|| {
        (
            "source",
            format!("source {} has no audio stream", probe.path.display()),
        )
    })?;
    let video_fps = probe.video.as_ref().map(|v| v.fps);
    let fps = video_fps.unwrap_or(Ratio::from_integer(25));
    let (start, end) = super::timecode::resolve(start, end, probe, video_fps, probe.duration)?;
    let (a, b) = window(start, end, fps, probe.duration, Ratio::from_integer(1))?;
    Ok((a, b, probe.clone(), info))
}
