//! What the three writers share: a timeline's picture events cut to cut
//! with their transitions split around each cut, the lanes of sounds that
//! do not overlap, and the names and URLs of media files.

use crate::edl::TransitionKind;
use crate::interchange::{Event, MediaRef, SoundEvent, Timeline};
use crate::time::{round, Ratio};
use std::fmt::Write;

/// Seconds as the nearest whole number of frames at `fps`.
pub(super) fn frames(seconds: Ratio, fps: Ratio) -> i64 {
    round(seconds * fps)
}

/// A transition around its cut, in frames.
pub(super) struct Fade {
    /// The reel transition kind.
    pub(super) kind: TransitionKind,
    /// Frames before the cut (OTIO `in_offset`).
    pub(super) before: i64,
    /// Frames after the cut (OTIO `out_offset`).
    pub(super) after: i64,
}

/// A picture event laid out cut to cut, in frames at the export rate.
pub(super) struct Piece<'a> {
    pub(super) event: &'a Event,
    /// Timeline frame of its cut in (after the transition into it begins).
    pub(super) at: i64,
    /// Frames from its cut in to its cut out.
    pub(super) len: i64,
    /// Source frames at its cut in and at its cut out (a backwards event
    /// goes from its later source time to its earlier one).
    pub(super) first: i64,
    pub(super) last: i64,
    /// The transition into the next event.
    pub(super) fade: Option<Fade>,
}

impl Piece<'_> {
    /// The earliest source frame the piece plays.
    pub(super) fn earliest(&self) -> i64 {
        self.first.min(self.last)
    }
}

/// The source time `t` seconds into an event's span: from `source_in`
/// onwards, or for a backwards event from the far end of its source back
/// to `source_in`.
pub(super) fn source_at(e: &Event, t: Ratio) -> Ratio {
    let start = if e.speed < Ratio::from_integer(0) {
        e.source_in - e.duration * e.speed
    } else {
        e.source_in
    };
    start + t * e.speed
}

/// The picture events of `t` laid out cut to cut at `fps`.
pub(super) fn pieces(t: &Timeline, fps: Ratio) -> Vec<Piece<'_>> {
    let mut out: Vec<Piece> = Vec::with_capacity(t.events.len());
    // Where the current event starts in reel's layout (under the transition
    // into it), and how much of that transition lies before the cut.
    let mut start = 0;
    let mut before = 0;
    for e in &t.events {
        let duration = frames(e.duration, fps);
        let fade = e.transition.as_ref().map(|(kind, length)| {
            let length = frames(*length, fps);
            Fade {
                kind: *kind,
                before: length / 2,
                after: length - length / 2,
            }
        });
        let (next_before, after) = fade.as_ref().map_or((0, 0), |f| (f.before, f.after));
        let source = |at: i64| frames(source_at(e, Ratio::from_integer(at) / fps), fps);
        out.push(Piece {
            event: e,
            at: start + before,
            len: duration - before - after,
            first: source(before),
            last: source(duration - after),
            fade,
        });
        start += duration - next_before - after;
        before = next_before;
    }
    out
}

/// Sounds packed into as few lanes as keep them from overlapping, in
/// timeline order: `(first frame, frames, sound)`.
pub(super) fn sound_lanes(sounds: &[SoundEvent], fps: Ratio) -> Vec<Vec<(i64, i64, &SoundEvent)>> {
    let mut sorted: Vec<(i64, i64, &SoundEvent)> = sounds
        .iter()
        .map(|s| (frames(s.at, fps), frames(s.duration, fps), s))
        .collect();
    sorted.sort_by_key(|&(at, _, _)| at);
    let mut lanes: Vec<Vec<(i64, i64, &SoundEvent)>> = Vec::new();
    for sound in sorted {
        let free = lanes.iter_mut().find(|lane| {
            let &(at, len, _) = lane.last().expect("lanes are never empty");
            at + len <= sound.0
        });
        match free {
            Some(lane) => lane.push(sound),
            None => lanes.push(vec![sound]),
        }
    }
    lanes
}

/// The last path component of a path or URL.
pub(super) fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The name to show for a media file: its clip name, else its file name,
/// else its reel.
pub(super) fn media_name(m: &MediaRef) -> String {
    m.clip_name
        .clone()
        .or_else(|| m.path.as_deref().map(|p| file_name(p).to_string()))
        .or_else(|| m.reel.clone())
        .unwrap_or_default()
}

/// A path as a `file://` URL, percent-encoding everything but unreserved
/// characters and `/`. URLs are kept as they are.
pub(super) fn file_url(path: &str) -> String {
    if path.contains("://") {
        return path.to_string();
    }
    let mut url = String::from("file://");
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            url.push(b as char);
        } else {
            write!(url, "%{b:02X}").unwrap();
        }
    }
    url
}
