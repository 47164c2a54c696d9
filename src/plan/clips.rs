//! Clip placement: each clip's source window and frame count (holds
//! included), its transitions checked against both neighbours, and the
//! clips laid out on the timeline with their geometry.

use super::geometry::{crop_pixels, focused, geometry, working_size};
use super::geometry::{Geometry, MotionPlan};
use super::model::{ClipPlan, Hold, PictureSource};
use crate::colour::SourceColour;
use crate::edl::{Clip, ClipSource, Edl, End, Fit, TransitionKind};
use crate::error::{Diagnostic, Diagnostics};
use crate::probe::{Probe, VideoInfo};
use crate::time::{self, Clock, Ratio, TimeSpec};
use std::fmt::Display;

/// Resolves a clip's or voiceover's source window in seconds.
pub(super) fn window(
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
pub(super) type Problem = (&'static str, String);

/// The key that sets where a window ends.
pub(super) fn end_key(end: End) -> &'static str {
    match end {
        End::Out(_) => "out",
        End::Duration(_) => "duration",
        End::SourceEnd => "in",
    }
}

/// A clip whose source window and frame count are known.
pub(super) struct Placed {
    start: Ratio,
    end: Ratio,
    /// The clip's frames, holds included.
    frames: u64,
    played: u64,
    freeze: Option<Hold>,
    speed: Ratio,
    probe: Probe,
    video: VideoInfo,
    colour: SourceColour,
}

fn clip_diag(edl: &Edl, c: &Clip, (key, msg): Problem) -> Diagnostic {
    let d = Diagnostic::new(&edl.file, msg)
        .clip(c.number, &c.source_text, c.line)
        .table(c.spans.table);
    c.spans.point(d, key)
}

/// Phase 1: each clip's source window and frame count (None where the
/// clip has a problem, which is reported).
pub(super) fn place_clips(
    edl: &Edl,
    probes: &[Result<Probe, impl Display>],
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
    probe: &Result<Probe, impl Display>,
) -> Result<Placed, Problem> {
    let probe = probe.as_ref().map_err(|e| ("source", e.to_string()))?;
    let video = probe.video.clone().ok_or_else(|| {
        (
            "source",
            format!("source {} has no video stream", probe.path.display()),
        )
    })?;
    let colour = super::colour::source(clip, &video)?;
    let source_len = video.end.unwrap_or(probe.duration).max(probe.duration);
    let (start, end) =
        super::timecode::resolve(clip.start, clip.end, probe, Some(video.fps), source_len)?;
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
            start,
            end,
            video.fps,
            Ratio::from_integer(i64::from(u32::MAX)),
            Ratio::from_integer(1),
        )?;
        (Ratio::from_integer(0), b - a)
    } else {
        window(start, end, video.fps, source_len, clip.speed).map_err(|(key, m)| {
            let hint = super::timecode::hint(start, end, probe, video.fps);
            (key, m + hint.as_deref().unwrap_or(""))
        })?
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
        colour,
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
pub(super) fn transition_frames(
    edl: &Edl,
    placed: &[Option<Placed>],
    errs: &mut Diagnostics,
) -> Vec<u64> {
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

/// Phase 4: the clips on the timeline, each overlapping the previous one
/// by their transition.
pub(super) fn lay_out(edl: &Edl, placed: Vec<Placed>, fades: &[u64]) -> Vec<ClipPlan> {
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
            source: picture_source(&clip.source, still),
            transition: clip.transition.kind,
            eq: clip.eq,
            colour: p.colour,
            conversion: super::colour::conversion(&p.colour, &out.color),
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
            source_timecode: p.probe.timecode.clone(),
            details: p.probe.details.clone(),
        });
    }
    clips
}

/// Where a clip's pictures come from, now that the probe has said whether
/// its file is a still.
fn picture_source(source: &ClipSource, still: bool) -> PictureSource {
    match source {
        ClipSource::Card(k) if k.clear => PictureSource::Clear,
        ClipSource::Card(k) => PictureSource::Card(k.background),
        ClipSource::File(p) if still => PictureSource::Still(p.clone()),
        ClipSource::File(p) => PictureSource::Video(p.clone()),
    }
}
