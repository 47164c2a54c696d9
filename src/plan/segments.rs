//! Segmentation: the timeline cut into units of parallel video work, at
//! points where a worker can seek straight to a source keyframe.

use super::model::{ClipPlan, Segment};
use crate::time::{self, Ratio};
use std::ops::Range;

/// Segments last at least this many seconds of output (clips are grouped)...
const MIN_SEGMENT_SECONDS: i64 = 6;
/// ...and a clip body longer than this is split, so that workers stay balanced.
const MAX_SEGMENT_SECONDS: i64 = 10;

/// Where a segment may start inside clip `c` (a local frame): the end of its
/// incoming crossfade, moved on to just after the first source keyframe
/// there, when the index tells, so that the worker that starts there seeks
/// straight to that keyframe instead of decoding again from an earlier one.
/// A few source frames of margin cover the gap between a keyframe's decode
/// time (what the index holds) and its presentation time.
pub(super) fn cut_point(c: &ClipPlan, fps: Ratio) -> u64 {
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
pub(super) fn segments(clips: &[ClipPlan], fps: Ratio) -> Vec<Segment> {
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
