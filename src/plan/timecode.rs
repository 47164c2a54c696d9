//! Timecode in the plan: the output's start timecode checked against its
//! frame rate, and `{ tc = ... }` positions turned into source times with
//! the source's own start timecode and rate (drop frame counted).

use super::model::Plan;
use crate::edl::{Edl, End};
use crate::error::Diagnostics;
use crate::interchange::timecode::Rate;
use crate::probe::Probe;
use crate::time::{self, Ratio, TimeSpec};

/// A problem with a clip or sound: the key it is about, and the message.
type Problem = (&'static str, String);

/// The timecode rate of `fps`: a whole number of frames per second or an
/// NTSC rate (29.97 counts 30 frames to a timecode second); none else.
fn rate(fps: Ratio, drop: bool) -> Option<Rate> {
    let ntsc = (fps * Ratio::new(1001, 1000)).is_integer();
    (fps.is_integer() || ntsc).then_some(Rate { fps, drop })
}

/// `[output] timecode`: a timecode of the output's rate (`;` only at
/// 29.97 and 59.94, frames below the rate), reported at its line.
pub(super) fn check_output(edl: &Edl, errs: &mut Diagnostics) {
    let out = &edl.output;
    let Some(tc) = &out.timecode else {
        return;
    };
    let problem = match rate(out.fps, false) {
        None => Some(format!(
            "timecode needs a whole number of frames per second or an NTSC rate (23.976, \
             29.97, 59.94), not {} fps",
            time::fmt_rate(out.fps)
        )),
        Some(r) => r.to_frames(tc).err().map(|e| e.to_string()),
    };
    if let Some(m) = problem {
        errs.push(out.spans.diagnostic(&edl.file, "timecode", m));
    }
}

/// The start timecode written into the output: `[output] timecode`, moved
/// on by the frames a `--range` render starts at.
pub fn output_timecode(plan: &Plan) -> Option<String> {
    let out = &plan.output;
    let tc = out.timecode.as_ref()?;
    let r = rate(out.fps, false)?;
    let first = r.to_frames(tc).ok()?;
    let drop = tc.contains(';');
    Some(Rate { drop, ..r }.from_frames(first + plan.range.start as i64))
}

/// A clip's `in` and end with every `{ tc = ... }` made a time in the
/// source (seconds from its start), by the source's start timecode and
/// its video rate `fps` (none for a source without video).
pub(super) fn resolve(
    start: TimeSpec,
    end: End,
    probe: &Probe,
    fps: Option<Ratio>,
    source_len: Ratio,
) -> Result<(TimeSpec, End), Problem> {
    let at = |tc, key, last| position(tc, key, last, probe, fps, source_len);
    let start = match start {
        TimeSpec::SourceTc(tc) => TimeSpec::Seconds(at(tc, "in", false)?),
        other => other,
    };
    let end = match end {
        End::Out(TimeSpec::SourceTc(tc)) => End::Out(TimeSpec::Seconds(at(tc, "out", true)?)),
        other => other,
    };
    Ok((start, end))
}

/// Seconds from the source's start of the frame `tc` names in its own
/// timecode; an `out` (`end`) may name the frame just past the last.
fn position(
    tc: time::SourceTc,
    key: &'static str,
    end: bool,
    probe: &Probe,
    fps: Option<Ratio>,
    source_len: Ratio,
) -> Result<Ratio, Problem> {
    let file = probe.path.display();
    let written = format!("`{key}` {{ tc = \"{tc}\" }}");
    let Some(first) = &probe.timecode else {
        return Err((
            key,
            format!(
                "{written} counts in the source's own timecode, but {file} has none: give \
                 seconds or \"HH:MM:SS:FF\" from the start of the file"
            ),
        ));
    };
    let rate = fps
        .and_then(|f| rate(f, first.contains(';')))
        .ok_or_else(|| {
            (
                key,
                format!(
                    "{written}: the timecode {first} of {file} cannot be counted without a \
                     video frame rate that timecode has (whole, or NTSC such as 29.97)"
                ),
            )
        })?;
    let start = rate
        .to_frames(first)
        .map_err(|e| (key, format!("{file}'s own timecode: {e}")))?;
    let frame = rate
        .to_frames(&tc.to_string())
        .map_err(|e| (key, format!("`{key}`: {e}")))?;
    let last = start + time::round(source_len * rate.fps);
    let past = if end { frame > last } else { frame >= last };
    if frame < start || past {
        return Err((
            key,
            format!(
                "{written} is {} {file}, whose timecode runs from {first} to {}",
                if frame < start {
                    "before the start of"
                } else {
                    "past the end of"
                },
                rate.from_frames(last)
            ),
        ));
    }
    Ok(rate.seconds(frame - start))
}

/// For a plain `"HH:MM:SS:FF"` window that does not fit the source, a hint
/// when the source has a start timecode at or before it: it was probably
/// meant in the source's own timecode.
pub(super) fn hint(start: TimeSpec, end: End, probe: &Probe, fps: Ratio) -> Option<String> {
    let first = probe.timecode.as_ref()?;
    let r = rate(fps, first.contains(';'))?;
    let origin = r.to_frames(first).ok()?;
    let ends = match end {
        End::Out(t) => t,
        _ => start,
    };
    let spec = [start, ends].into_iter().find_map(|t| match t {
        TimeSpec::Frames { seconds, frames } if seconds * r.nominal() + frames >= origin => {
            Some((seconds, frames))
        }
        _ => None,
    })?;
    let (s, f) = spec;
    let written = format!("{:02}:{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60, f);
    Some(format!(
        ". \"{written}\" counts from the start of the file, but {} starts at timecode {first}: \
         for its own timecode write {{ tc = \"{written}\" }}",
        probe.path.display()
    ))
}
