//! Transitions and the items around them, as OpenTimelineIO and FCPXML
//! lay them out: shared by both readers.
//!
//! OpenTimelineIO places a transition around the cut between the items on
//! either side of it: `in_offset` is its length before the cut, `out_offset`
//! its length after (`Track::range_of_child_at_index` starts it at
//! `cut - in_offset`). The outgoing item needs a tail handle of `out_offset`
//! and the incoming one a head handle of `in_offset`
//! (`Track::handles_of_child`). In reel's terms:
//!
//! - the outgoing event runs on `out_offset` past its cut: its duration
//!   grows by `out_offset`, and its transition is `in_offset + out_offset`
//!   long;
//! - the incoming event starts `in_offset` before its cut: its `source_in`
//!   moves back by `in_offset` (times its speed) and its duration grows by
//!   `in_offset`.
//!
//! The cut points stay where they were, so the timeline keeps its length.
//! A transition first or last in a track fades from or to black, as
//! OpenTimelineIO does by putting a gap of `in_offset` before it (or of
//! `out_offset` after it). [`place`] does this.

use super::{Event, ImportError, Media};
use crate::edl::TransitionKind;
use crate::time::{fmt_rate, Ratio};

/// The note of markers not rendered, if there are any.
pub(super) fn markers_note(names: &[String]) -> Option<String> {
    let what = match names.len() {
        0 => return None,
        1 => "marker",
        _ => "markers",
    };
    Some(format!(
        "{what} kept in the file, not rendered: {}",
        names.join(", ")
    ))
}

/// The note of a transition named as a reel kind that reel does not know.
pub(super) fn unknown_kind(name: &str) -> String {
    format!("transition kind \"{name}\" is not one reel knows: played as a crossfade")
}

pub(super) fn zero() -> Ratio {
    Ratio::from_integer(0)
}

pub(super) fn one() -> Ratio {
    Ratio::from_integer(1)
}

/// Seconds for messages: "2.5", "0.042".
pub(super) fn secs(x: Ratio) -> String {
    fmt_rate(x)
}

// ---------------------------------------------------------------------------
// Transitions and placement (shared with the FCPXML reader)

/// A track's contents in order, before transitions are applied.
pub(super) enum Piece {
    Item(Event),
    Transition(Transition),
}

/// A transition around the cut between the items on either side of it.
pub(super) struct Transition {
    pub kind: TransitionKind,
    /// Its length before the cut: the incoming item starts this much earlier.
    pub before: Ratio,
    /// Its length after the cut: the outgoing item runs on this much longer.
    pub after: Ratio,
    pub origin: String,
    pub line: usize,
}

/// An item at its place on a track.
pub(super) struct Placed {
    /// With its transitions applied.
    pub event: Event,
    /// Its cut points on the track (where OpenTimelineIO puts the item;
    /// transitions reach past them).
    pub start: Ratio,
    pub end: Ratio,
    /// Source time at `start` (the event's `source_in` before an incoming
    /// transition moved it back).
    pub cut_in: Ratio,
    /// Under a transition on either side.
    pub blended: bool,
}

/// Applies the transitions to the items around them (see the module
/// documentation) and places the items back to back from time 0; a leading
/// fade from black starts before 0.
pub(super) fn place(pieces: Vec<Piece>) -> Result<Vec<Placed>, ImportError> {
    let mut placed: Vec<Placed> = Vec::new();
    let mut pending: Option<Transition> = None;
    let mut pos = zero();
    for piece in pieces {
        let t = match piece {
            Piece::Item(event) => {
                push_item(&mut placed, &mut pos, event, pending.take());
                continue;
            }
            Piece::Transition(t) => t,
        };
        if t.before < zero() || t.after < zero() {
            return Err(ImportError::new(
                t.line,
                t.origin,
                "has a negative length before or after its cut",
            ));
        }
        if pending.is_some() {
            return Err(ImportError::new(
                t.line,
                t.origin,
                "follows another transition with no item between them",
            ));
        }
        if t.before + t.after == zero() {
            continue;
        }
        if placed.is_empty() {
            // Nothing before it: it comes from black, which runs from
            // `before` ahead of the cut.
            pos = -t.before;
            let gap = black(&format!("black before {}", t.origin), t.line, t.before);
            push_item(&mut placed, &mut pos, gap, None);
        }
        let outgoing = placed.last_mut().expect("an item precedes the transition");
        outgoing.event.duration += t.after;
        // `source_in` is the earliest frame played: a backwards clip that
        // runs on under the transition reaches further back.
        if let (Media::File(_), true) = (&outgoing.event.media, outgoing.event.speed < zero()) {
            outgoing.event.source_in += t.after * outgoing.event.speed;
        }
        outgoing.event.transition = Some((t.kind, t.before + t.after));
        outgoing.blended = true;
        pending = Some(t);
    }
    if let Some(t) = pending {
        // Nothing after it: it goes to black.
        let gap = black(&format!("black after {}", t.origin), t.line, t.after);
        push_item(&mut placed, &mut pos, gap, Some(t));
    }
    check_overlaps(&placed)?;
    Ok(placed)
}

/// Places an item at `pos`; `incoming` is the transition into it.
fn push_item(
    placed: &mut Vec<Placed>,
    pos: &mut Ratio,
    event: Event,
    incoming: Option<Transition>,
) {
    let start = *pos;
    *pos += event.duration;
    let cut_in = event.source_in;
    let mut item = Placed {
        event,
        start,
        end: *pos,
        cut_in,
        blended: false,
    };
    if let Some(t) = incoming {
        // A clip that starts early plays earlier source, unless it plays
        // backwards: then its extra frames are later ones, and its
        // earliest frame stays.
        if let (Media::File(_), true) = (&item.event.media, item.event.speed > zero()) {
            item.event.source_in -= t.before * item.event.speed;
        }
        item.event.duration += t.before;
        item.blended = true;
    }
    placed.push(item);
}

/// Refuses an item too short for the transitions on both its sides.
fn check_overlaps(placed: &[Placed]) -> Result<(), ImportError> {
    let mut incoming = zero();
    for p in placed {
        let outgoing = p.event.transition.as_ref().map_or(zero(), |t| t.1);
        if incoming + outgoing > p.event.duration {
            return Err(ImportError::new(
                p.event.line,
                p.event.origin.clone(),
                format!(
                    "is too short for its transitions: {} s with the transitions, \
                     which take {} s coming in and {} s going out",
                    secs(p.event.duration),
                    secs(incoming),
                    secs(outgoing)
                ),
            ));
        }
        incoming = outgoing;
    }
    Ok(())
}

/// A black event.
pub(super) fn black(origin: &str, line: usize, duration: Ratio) -> Event {
    Event {
        origin: origin.to_string(),
        line,
        media: Media::Black,
        source_in: zero(),
        duration,
        speed: one(),
        transition: None,
        audio: false,
    }
}
