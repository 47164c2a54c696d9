//! OpenTimelineIO `.otio` files (the JSON schema).
//!
//! What is read:
//! - A `Timeline.1` whose `tracks` is a `Stack.1` of `Track.1`s. Items in a
//!   track are `Clip.1`/`Clip.2`, `Gap.1`, `Transition.1` and nested
//!   `Stack.1`/`Track.1` (shown as black, with a note). Other schema
//!   versions of these objects are refused, naming the versions reel reads.
//! - Media: `ExternalReference` (`target_url` becomes the path),
//!   `MissingReference` (no path: linked later by clip name),
//!   `GeneratorReference` (black, with a note). `ImageSequenceReference` is
//!   refused.
//! - Effects: `LinearTimeWarp` gives the speed (negative plays backwards),
//!   `FreezeFrame` holds the first frame. The clip keeps
//!   `source_range.duration` as its length on the timeline, as
//!   OpenTimelineIO itself does (effects never change an item's range in
//!   its parent). Any other effect is noted and not applied.
//! - Markers and metadata are not rendered; markers are listed in notes.
//! - The timeline's frame rate is the rate of its `global_start_time`, else
//!   that of the first clip or gap.
//!
//! Video tracks are flattened top down: the last track in the stack is the
//! topmost. Its items are used as they are; wherever it has a gap (one not
//! under a transition), the tracks below show through, clipped to the gap,
//! as long as the part used has no transition of its own. Nothing is
//! composited: a note lists every lower clip that ends up hidden.
//!
//! An audio clip whose span, media and source time equal those of a picture
//! event gives that event its sound; every other audio clip becomes a
//! [`SoundEvent`]. Audio transitions are played as cuts (noted).
//!
//! # Transitions
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
//! `out_offset` after it). [`place`] does this and is shared with the
//! FCPXML reader.

use std::collections::HashMap;

use serde_json::Value;

use super::{Event, ImportError, Media, MediaRef, Note, SoundEvent, Timeline};
use crate::time::{fmt_rate, ratio_from_f64, Ratio};

/// Reads an `.otio` file.
pub fn parse(text: &str) -> Result<Timeline, ImportError> {
    // serde_json refuses nesting deeper than 128 levels, so a nesting bomb
    // stops early and in bounded memory.
    let root: Value = serde_json::from_str(text).map_err(|e| json_error(&e))?;
    let reader = Reader {
        lines: object_lines(text, ITEM_DEPTH),
        notes: Vec::new(),
        first_rate: None,
    };
    reader.timeline(&root)
}

/// The versions of each OpenTimelineIO schema reel reads. Objects of other
/// schemas are refused where an item or a media reference is expected, and
/// noted where an effect is.
const SCHEMAS: &[(&str, &[u32])] = &[
    ("Timeline", &[1]),
    ("Stack", &[1]),
    ("Track", &[1]),
    ("Clip", &[1, 2]),
    ("Gap", &[1]),
    ("Transition", &[1]),
    ("ExternalReference", &[1]),
    ("MissingReference", &[1]),
    ("GeneratorReference", &[1]),
    ("ImageSequenceReference", &[1]),
    ("LinearTimeWarp", &[1]),
    ("FreezeFrame", &[1]),
    ("Effect", &[1]),
    ("Marker", &[1, 2]),
    ("RationalTime", &[1]),
    ("TimeRange", &[1]),
];

/// Rates written as floats that stand for an NTSC fraction.
const NTSC_RATES: &[(i64, i64)] = &[
    (24000, 1001),
    (30000, 1001),
    (48000, 1001),
    (60000, 1001),
    (120000, 1001),
];

/// How deep track items sit: root, `tracks`, `children`, a track, its
/// `children`, the item.
const ITEM_DEPTH: usize = 5;

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
    /// A reel transition kind (`crossfade`).
    pub kind: String,
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
        outgoing.event.transition = Some((t.kind.clone(), t.before + t.after));
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

// ---------------------------------------------------------------------------
// Reading the JSON

/// Where in the file something is, for errors and notes.
struct At {
    line: usize,
    origin: String,
}

impl At {
    fn error(&self, message: impl Into<String>) -> ImportError {
        ImportError::new(self.line, self.origin.clone(), message)
    }
}

struct Reader {
    /// Lines of the objects down to the track items, by path.
    lines: HashMap<String, usize>,
    notes: Vec<Note>,
    /// The rate of the first clip or gap read, for the timeline's fps.
    first_rate: Option<Ratio>,
}

impl Reader {
    fn line(&self, path: &str) -> usize {
        self.lines.get(path).copied().unwrap_or(0)
    }

    fn note(&mut self, at: &At, message: impl Into<String>) {
        self.notes.push(Note {
            line: at.line,
            origin: at.origin.clone(),
            message: message.into(),
        });
    }

    fn timeline(mut self, root: &Value) -> Result<Timeline, ImportError> {
        let file = At {
            line: self.line(""),
            origin: String::new(),
        };
        let (schema, _) = schema_of(root, &file)?;
        if schema != "Timeline" {
            return Err(file.error(format!(
                "expected an OpenTimelineIO Timeline at the top of the file, found {schema}"
            )));
        }
        let name = str_field(root, "name")
            .filter(|n| !n.is_empty())
            .map(String::from);
        let global_rate = match field(root, "global_start_time") {
            Some(t) => Some(rational_time(t, &file)?.1),
            None => None,
        };
        let stack =
            field(root, "tracks").ok_or_else(|| file.error("the timeline has no tracks"))?;
        let stack_at = At {
            line: self.line("/tracks"),
            origin: "the timeline's stack".to_string(),
        };
        expect_schema(stack, "Stack", &stack_at)?;
        self.unused_parts(stack, &stack_at)?;

        let mut video = Vec::new();
        let mut audio = Vec::new();
        let (mut video_count, mut audio_count) = (0, 0);
        for (t, track) in array(stack, "children").iter().enumerate() {
            let path = format!("/tracks/children/{t}");
            let mut at = At {
                line: self.line(&path),
                origin: format!("track {}", t + 1),
            };
            let (schema, _) = schema_of(track, &at)?;
            if schema != "Track" {
                return Err(at.error(format!(
                    "expected a Track in the timeline's stack, found {schema}"
                )));
            }
            let kind = str_field(track, "kind").unwrap_or("");
            let label = match kind {
                "Video" => {
                    video_count += 1;
                    format!("V{video_count}")
                }
                "Audio" => {
                    audio_count += 1;
                    format!("A{audio_count}")
                }
                _ => {
                    self.note(&at, format!("a track of kind \"{kind}\" is not read"));
                    continue;
                }
            };
            at.origin = format!("track {label}");
            if !enabled(track) {
                self.note(&at, "the track is disabled: not rendered");
                continue;
            }
            self.unused_parts(track, &at)?;
            let pieces = self.track_items(track, &path, &label)?;
            if kind == "Video" {
                video.push((label, place(pieces)?));
            } else {
                audio.push(pieces);
            }
        }
        if video_count == 0 {
            self.note(&file, "the timeline has no video track");
        }

        let mut placed = self.flatten(video);
        let mut sounds = Vec::new();
        for pieces in audio {
            self.audio_track(pieces, &mut placed, &mut sounds);
        }
        // Sounds are placed on the tracks' time; the timeline starts at its
        // first event (before 0 when it opens with a transition).
        let timeline_start = placed.first().map_or(zero(), |p| p.start);
        for s in &mut sounds {
            s.at -= timeline_start;
        }
        Ok(Timeline {
            name,
            fps: global_rate.or(self.first_rate),
            size: None,
            events: placed.into_iter().map(|p| p.event).collect(),
            sounds,
            titles: Vec::new(),
            notes: self.notes,
        })
    }
}

fn json_error(e: &serde_json::Error) -> ImportError {
    // The message without serde_json's " at line L column C".
    let full = e.to_string();
    let message = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(m, _)| m);
    ImportError {
        line: e.line(),
        column: e.column(),
        origin: String::new(),
        message: format!("not valid JSON: {message}"),
    }
}

/// A field, with `null` read as absent.
fn field<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.get(key).filter(|f| !f.is_null())
}

fn str_field<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

/// An array field; empty when absent.
fn array<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn enabled(v: &Value) -> bool {
    v.get("enabled").and_then(Value::as_bool).unwrap_or(true)
}

/// An object's schema name and version (`Clip.2` is `("Clip", 2)`). Refuses
/// a version reel does not read of a schema it knows.
fn schema_of<'v>(v: &'v Value, at: &At) -> Result<(&'v str, u32), ImportError> {
    let text = str_field(v, "OTIO_SCHEMA")
        .ok_or_else(|| at.error("expected an OpenTimelineIO object (with an OTIO_SCHEMA)"))?;
    let (name, version) = text
        .rsplit_once('.')
        .and_then(|(n, v)| Some((n, v.parse::<u32>().ok()?)))
        .ok_or_else(|| at.error(format!("malformed OTIO_SCHEMA \"{text}\"")))?;
    if let Some((_, versions)) = SCHEMAS.iter().find(|(n, _)| *n == name) {
        if !versions.contains(&version) {
            let known: Vec<String> = versions.iter().map(|v| format!("{name}.{v}")).collect();
            return Err(at.error(format!(
                "schema {text} is not one reel reads (it reads {}); \
                 the file may come from a newer OpenTimelineIO",
                known.join(" and ")
            )));
        }
    }
    Ok((name, version))
}

fn expect_schema(v: &Value, expected: &str, at: &At) -> Result<(), ImportError> {
    let (name, _) = schema_of(v, at)?;
    if name != expected {
        return Err(at.error(format!("expected a {expected}, found {name}")));
    }
    Ok(())
}

/// A rate as an exact fraction: floats near an NTSC rate are that fraction.
fn exact_rate(rate: f64) -> Option<Ratio> {
    for &(n, d) in NTSC_RATES {
        if (rate - n as f64 / d as f64).abs() < 1e-6 {
            return Some(Ratio::new(n, d));
        }
    }
    ratio_from_f64(rate)
}

/// A frame count as an exact fraction: floats within rounding of a whole
/// number are that number.
fn exact_value(value: f64) -> Option<Ratio> {
    let whole = value.round();
    if (value - whole).abs() < 1e-6 && whole.abs() <= 1e12 {
        return Some(Ratio::from_integer(whole as i64));
    }
    ratio_from_f64(value)
}

/// A `RationalTime` as seconds, and its rate.
fn rational_time(v: &Value, at: &At) -> Result<(Ratio, Ratio), ImportError> {
    if v.get("OTIO_SCHEMA").is_some() {
        expect_schema(v, "RationalTime", at)?;
    }
    let rate = v
        .get("rate")
        .and_then(Value::as_f64)
        .and_then(exact_rate)
        .filter(|r| *r > zero())
        .ok_or_else(|| at.error("a time has no valid rate (a number above 0)"))?;
    let value = v
        .get("value")
        .and_then(Value::as_f64)
        .and_then(exact_value)
        .ok_or_else(|| at.error("a time has no valid value"))?;
    Ok((value / rate, rate))
}

/// A `TimeRange` as start and duration in seconds, and the duration's rate.
fn time_range(v: &Value, at: &At) -> Result<(Ratio, Ratio, Ratio), ImportError> {
    expect_schema(v, "TimeRange", at)?;
    let part = |key: &str| {
        field(v, key)
            .ok_or_else(|| at.error(format!("a time range has no {key}")))
            .and_then(|t| rational_time(t, at))
    };
    let (start, _) = part("start_time")?;
    let (duration, rate) = part("duration")?;
    if duration < zero() {
        return Err(at.error("a time range has a negative duration"));
    }
    Ok((start, duration, rate))
}

/// `clip "Interview" (track V1, item 3)`.
fn describe(what: &str, name: &str, track: &str, item: usize) -> String {
    if name.is_empty() {
        format!("{what} (track {track}, item {item})")
    } else {
        format!("{what} \"{name}\" (track {track}, item {item})")
    }
}

/// The media reference a clip uses: `media_reference` (`Clip.1`) or the
/// active one of `media_references` (`Clip.2`).
fn media_reference(clip: &Value, version: u32) -> Option<&Value> {
    if version >= 2 {
        let key = str_field(clip, "active_media_reference_key").unwrap_or("DEFAULT_MEDIA");
        field(clip, "media_references").and_then(|refs| field(refs, key))
    } else {
        field(clip, "media_reference")
    }
}

impl Reader {
    /// Notes what a stack or track carries that reel does not use.
    fn unused_parts(&mut self, v: &Value, at: &At) -> Result<(), ImportError> {
        self.markers(v, at)?;
        for effect in array(v, "effects") {
            let name = effect_name(effect);
            self.note(at, format!("effect \"{name}\" is not applied"));
        }
        if field(v, "source_range").is_some() {
            self.note(at, "its trim (source_range) is not applied");
        }
        Ok(())
    }

    fn markers(&mut self, v: &Value, at: &At) -> Result<(), ImportError> {
        let mut names = Vec::new();
        for marker in array(v, "markers") {
            expect_schema(marker, "Marker", at)?;
            names.push(format!("\"{}\"", str_field(marker, "name").unwrap_or("")));
        }
        if let Some(note) = markers_note(&names) {
            self.note(at, note);
        }
        Ok(())
    }

    /// A track's items in order.
    fn track_items(
        &mut self,
        track: &Value,
        path: &str,
        label: &str,
    ) -> Result<Vec<Piece>, ImportError> {
        let mut pieces = Vec::new();
        for (i, item) in array(track, "children").iter().enumerate() {
            let line = self.line(&format!("{path}/children/{i}"));
            let name = str_field(item, "name").unwrap_or("");
            let mut at = At {
                line,
                origin: describe("item", "", label, i + 1),
            };
            let (schema, version) = schema_of(item, &at)?;
            let what = match schema {
                "Clip" => "clip",
                "Gap" => "gap",
                "Transition" => "transition",
                "Stack" => "nested stack",
                "Track" => "nested track",
                other => {
                    return Err(at.error(format!(
                        "{other} is not an item reel reads in a track \
                         (clips, gaps, transitions and nested stacks)"
                    )))
                }
            };
            at.origin = describe(what, name, label, i + 1);
            let piece = match schema {
                "Clip" => Piece::Item(self.clip(item, version, &at)?),
                "Transition" => Piece::Transition(self.transition(item, &at)?),
                "Gap" => {
                    let range = field(item, "source_range")
                        .ok_or_else(|| at.error("the gap has no source_range"))?;
                    let (_, duration, rate) = time_range(range, &at)?;
                    self.first_rate.get_or_insert(rate);
                    self.markers(item, &at)?;
                    Piece::Item(black(&at.origin, line, duration))
                }
                _ => {
                    let duration = natural_duration(item, &at)?;
                    self.note(
                        &at,
                        "nested stacks and tracks (compound clips) are not read: shown as black",
                    );
                    Piece::Item(black(&at.origin, line, duration))
                }
            };
            pieces.push(piece);
        }
        Ok(pieces)
    }

    fn clip(&mut self, clip: &Value, version: u32, at: &At) -> Result<Event, ImportError> {
        let name = str_field(clip, "name").unwrap_or("");
        let mut available = None;
        let media = match media_reference(clip, version) {
            None => Media::File(MediaRef {
                clip_name: Some(name.to_string()).filter(|n| !n.is_empty()),
                ..MediaRef::default()
            }),
            Some(reference) => {
                let (schema, _) = schema_of(reference, at)?;
                if let Some(range) = field(reference, "available_range") {
                    available = Some(time_range(range, at)?);
                }
                let reference_name = str_field(reference, "name").unwrap_or("");
                let clip_name = [name, reference_name]
                    .into_iter()
                    .find(|n| !n.is_empty())
                    .map(String::from);
                match schema {
                    "ExternalReference" => Media::File(MediaRef {
                        reel: None,
                        clip_name,
                        path: str_field(reference, "target_url").map(String::from),
                    }),
                    "MissingReference" => Media::File(MediaRef {
                        clip_name,
                        ..MediaRef::default()
                    }),
                    "GeneratorReference" => {
                        let kind = str_field(reference, "generator_kind").unwrap_or("");
                        self.note(
                            at,
                            format!("generated media (\"{kind}\") is shown as black"),
                        );
                        Media::Black
                    }
                    "ImageSequenceReference" => {
                        return Err(at.error(
                            "its media is an image sequence, which reel does not read \
                             (render it to a movie file first)",
                        ))
                    }
                    other => {
                        return Err(at.error(format!("{other} is not a media reference reel reads")))
                    }
                }
            }
        };
        let (source_in, duration, rate) = match field(clip, "source_range") {
            Some(range) => time_range(range, at)?,
            None => available.ok_or_else(|| {
                at.error("the clip has no source_range and its media no available_range")
            })?,
        };
        self.first_rate.get_or_insert(rate);
        let speed = self.speed(clip, at)?;
        self.markers(clip, at)?;
        if !enabled(clip) {
            self.note(at, "the clip is disabled: shown as black");
            return Ok(black(&at.origin, at.line, duration));
        }
        if media == Media::Black {
            return Ok(black(&at.origin, at.line, duration));
        }
        Ok(Event {
            origin: at.origin.clone(),
            line: at.line,
            media,
            source_in,
            duration,
            speed,
            transition: None,
            audio: false,
        })
    }

    /// The speed a clip's time effects give; other effects are noted.
    fn speed(&mut self, clip: &Value, at: &At) -> Result<Ratio, ImportError> {
        let mut speed = one();
        for effect in array(clip, "effects") {
            let (schema, _) = schema_of(effect, at)?;
            match schema {
                "LinearTimeWarp" => {
                    let scalar = match effect.get("time_scalar").and_then(Value::as_f64) {
                        Some(s) => ratio_from_f64(s)
                            .ok_or_else(|| at.error("a time warp has an invalid time_scalar"))?,
                        None => one(),
                    };
                    speed *= scalar;
                }
                "FreezeFrame" => speed = zero(),
                _ => {
                    let name = effect_name(effect);
                    self.note(at, format!("effect \"{name}\" is not applied"));
                }
            }
        }
        Ok(speed)
    }

    fn transition(&mut self, item: &Value, at: &At) -> Result<Transition, ImportError> {
        let kind = str_field(item, "transition_type").unwrap_or("");
        // reel writes its own kind beside the standard type.
        let reel_kind = field(item, "metadata")
            .and_then(|m| m.get("reel"))
            .and_then(|r| r.get("kind"))
            .and_then(Value::as_str)
            .filter(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase()));
        if kind != "SMPTE_Dissolve" && reel_kind.is_none() {
            self.note(
                at,
                format!("transition type \"{kind}\" is played as a crossfade"),
            );
        }
        let offset = |key: &str| {
            field(item, key)
                .ok_or_else(|| at.error(format!("the transition has no {key}")))
                .and_then(|t| rational_time(t, at))
                .map(|(seconds, _)| seconds)
        };
        Ok(Transition {
            kind: reel_kind.unwrap_or("crossfade").to_string(),
            before: offset("in_offset")?,
            after: offset("out_offset")?,
            origin: at.origin.clone(),
            line: at.line,
        })
    }

    /// Flattens the video tracks, bottom first, into one list of events:
    /// the topmost track's items, with its gaps filled from the tracks below.
    fn flatten(&mut self, mut tracks: Vec<(String, Vec<Placed>)>) -> Vec<Placed> {
        let Some((top, mut result)) = tracks.pop() else {
            return Vec::new();
        };
        while let Some((label, lower)) = tracks.pop() {
            let result_end = result.last().map_or(zero(), |p| p.end);
            let lower_end = lower.last().map_or(zero(), |p| p.end);
            if lower_end > result_end {
                // The track below runs on after the ones above end.
                let origin = format!("gap (track {top}, after its last item)");
                result.push(Placed {
                    event: black(&origin, 0, lower_end - result_end),
                    start: result_end,
                    end: lower_end,
                    cut_in: zero(),
                    blended: false,
                });
            }
            let mut shown = vec![zero(); lower.len()];
            result = fill_gaps(result, &lower, &mut shown);
            let hidden: Vec<String> = lower
                .iter()
                .zip(&shown)
                .filter(|(p, shown)| {
                    matches!(p.event.media, Media::File(_)) && **shown < p.end - p.start
                })
                .map(|(p, shown)| {
                    let length = p.end - p.start;
                    format!(
                        "{} ({} s of {} s)",
                        p.event.origin,
                        secs(length - shown),
                        secs(length)
                    )
                })
                .collect();
            if !hidden.is_empty() {
                self.notes.push(Note {
                    line: 0,
                    origin: format!("track {label}"),
                    message: format!(
                        "reel shows the topmost video clip at each moment and does not \
                         composite tracks; hidden under higher tracks: {}",
                        hidden.join(", ")
                    ),
                });
            }
        }
        result
    }

    /// Gives the picture events their sound from the audio clips that match
    /// them, and turns the other audio clips into sounds.
    fn audio_track(
        &mut self,
        pieces: Vec<Piece>,
        placed: &mut [Placed],
        sounds: &mut Vec<SoundEvent>,
    ) {
        let mut pos = zero();
        for piece in pieces {
            let event = match piece {
                Piece::Item(event) => event,
                Piece::Transition(t) => {
                    self.notes.push(Note {
                        line: t.line,
                        origin: t.origin,
                        message: "audio transitions are played as cuts".to_string(),
                    });
                    continue;
                }
            };
            let (start, end) = (pos, pos + event.duration);
            pos = end;
            let Media::File(media) = event.media else {
                continue;
            };
            let matching = placed.iter().position(|p| {
                p.start == start
                    && p.end == end
                    && p.cut_in == event.source_in
                    && p.event.speed == event.speed
                    && matches!(&p.event.media, Media::File(m) if same_media(m, &media))
            });
            if let Some(i) = matching {
                placed[i].event.audio = true;
                continue;
            }
            if event.speed != one() {
                self.notes.push(Note {
                    line: event.line,
                    origin: event.origin.clone(),
                    message: "the speed change of an audio clip is not applied".to_string(),
                });
            }
            sounds.push(SoundEvent {
                origin: event.origin,
                line: event.line,
                media,
                source_in: event.source_in,
                at: start,
                duration: event.duration,
            });
        }
    }
}

/// The name an effect is known by.
fn effect_name(effect: &Value) -> &str {
    [str_field(effect, "effect_name"), str_field(effect, "name")]
        .into_iter()
        .flatten()
        .find(|n| !n.is_empty())
        .or_else(|| str_field(effect, "OTIO_SCHEMA"))
        .unwrap_or("")
}

/// The same media file: the same path, or with no paths the same clip name.
fn same_media(a: &MediaRef, b: &MediaRef) -> bool {
    match (&a.path, &b.path) {
        (Some(x), Some(y)) => x == y,
        (None, None) => a.clip_name.is_some() && a.clip_name == b.clip_name,
        _ => false,
    }
}

/// The length of a nested stack or track on its parent: its `source_range`,
/// or else what its children add up to (as OpenTimelineIO's
/// `available_range`: a track's items end to end, the longest of a stack's
/// children).
fn natural_duration(v: &Value, at: &At) -> Result<Ratio, ImportError> {
    if let Some(range) = field(v, "source_range") {
        return Ok(time_range(range, at)?.1);
    }
    let (schema, version) = schema_of(v, at)?;
    match schema {
        "Clip" => {
            let range = media_reference(v, version)
                .and_then(|r| field(r, "available_range"))
                .ok_or_else(|| {
                    at.error("a nested clip has no source_range and its media no available_range")
                })?;
            Ok(time_range(range, at)?.1)
        }
        "Gap" => Err(at.error("a nested gap has no source_range")),
        "Transition" => Ok(zero()),
        "Track" | "Stack" => {
            let children = array(v, "children");
            let mut lengths = Vec::with_capacity(children.len());
            for child in children {
                if schema_of(child, at)?.0 != "Transition" {
                    lengths.push(natural_duration(child, at)?);
                }
            }
            if schema == "Stack" {
                return Ok(lengths.into_iter().max().unwrap_or(zero()));
            }
            let mut total: Ratio = lengths.into_iter().sum();
            // Transitions at either end reach past the items.
            let offset = |child: Option<&Value>, key: &str| -> Result<Ratio, ImportError> {
                match child {
                    Some(c) if schema_of(c, at)?.0 == "Transition" => match field(c, key) {
                        Some(t) => Ok(rational_time(t, at)?.0),
                        None => Ok(zero()),
                    },
                    _ => Ok(zero()),
                }
            };
            total += offset(children.first(), "in_offset")?;
            total += offset(children.last(), "out_offset")?;
            Ok(total)
        }
        other => Err(at.error(format!("{other} is not an item reel reads in a track"))),
    }
}

/// Fills the open gaps of `upper` (black items not under a transition) with
/// the items of `lower` over the same time, when none of those is under a
/// transition. `shown` adds up how much of each lower item is used.
fn fill_gaps(upper: Vec<Placed>, lower: &[Placed], shown: &mut [Ratio]) -> Vec<Placed> {
    let mut out = Vec::with_capacity(upper.len());
    for gap in upper {
        let first = lower.partition_point(|l| l.end <= gap.start);
        let under = first..first + lower[first..].partition_point(|l| l.start < gap.end);
        let open = gap.event.media == Media::Black && !gap.blended;
        if !open || under.is_empty() || lower[under.clone()].iter().any(|l| l.blended) {
            out.push(gap);
            continue;
        }
        let mut at = gap.start;
        for i in under {
            let (start, end) = (lower[i].start.max(gap.start), lower[i].end.min(gap.end));
            if start > at {
                out.push(part(&gap, at, start));
            }
            if let Media::File(_) = lower[i].event.media {
                shown[i] += end - start;
            }
            out.push(part(&lower[i], start, end));
            at = end;
        }
        if at < gap.end {
            out.push(part(&gap, at, gap.end));
        }
    }
    out
}

/// The part of an item (not under a transition) between `start` and `end`.
fn part(p: &Placed, start: Ratio, end: Ratio) -> Placed {
    let mut event = p.event.clone();
    let skipped = (start - p.start) * event.speed;
    if let Media::File(_) = event.media {
        event.source_in += skipped;
    }
    event.duration = end - start;
    Placed {
        event,
        start,
        end,
        cut_in: p.cut_in + skipped,
        blended: false,
    }
}

/// The line on which each JSON object starts, by its path from the root
/// (`""`, `/tracks`, `/tracks/children/0/children/3`), for objects at most
/// `max_depth` levels down. Keys are taken as written, escapes and all: the
/// keys looked up here have none. Run on text serde_json has accepted.
fn object_lines(text: &str, max_depth: usize) -> HashMap<String, usize> {
    /// An open object or array: its path and where in it the scan is.
    enum Open {
        Object {
            path: String,
            key: String,
            expect_key: bool,
        },
        Array {
            path: String,
            index: usize,
        },
    }
    fn child_path(stack: &[Open]) -> String {
        match stack.last() {
            None => String::new(),
            Some(Open::Object { path, key, .. }) => format!("{path}/{key}"),
            Some(Open::Array { path, index }) => format!("{path}/{index}"),
        }
    }
    let bytes = text.as_bytes();
    let mut lines = HashMap::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => line += 1,
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if let Some(Open::Object {
                    key, expect_key, ..
                }) = stack.last_mut()
                {
                    if *expect_key {
                        *key = text.get(start..i).unwrap_or("").to_string();
                        *expect_key = false;
                    }
                }
            }
            b'{' => {
                let path = child_path(&stack);
                if stack.len() <= max_depth {
                    lines.insert(path.clone(), line);
                }
                stack.push(Open::Object {
                    path,
                    key: String::new(),
                    expect_key: true,
                });
            }
            b'[' => {
                let path = child_path(&stack);
                stack.push(Open::Array { path, index: 0 });
            }
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Open::Array { index, .. }) => *index += 1,
                Some(Open::Object { expect_key, .. }) => *expect_key = true,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SAMPLES: &str = "/work/shared/interchange/samples";

    /// A sample file's text, when the samples folder is there.
    fn sample(name: &str) -> Option<String> {
        std::fs::read_to_string(format!("{SAMPLES}/{name}")).ok()
    }

    /// Frames at 24 fps, in seconds.
    fn f(frames: i64) -> Ratio {
        Ratio::new(frames, 24)
    }

    fn rt(value: f64) -> Value {
        json!({"OTIO_SCHEMA": "RationalTime.1", "value": value, "rate": 24.0})
    }

    fn range(start: f64, duration: f64) -> Value {
        json!({"OTIO_SCHEMA": "TimeRange.1", "start_time": rt(start), "duration": rt(duration)})
    }

    fn clip(name: &str, start: f64, duration: f64) -> Value {
        json!({
            "OTIO_SCHEMA": "Clip.1",
            "name": name,
            "source_range": range(start, duration),
            "effects": [],
            "markers": [],
            "enabled": true,
            "media_reference": {
                "OTIO_SCHEMA": "ExternalReference.1",
                "target_url": format!("file:///media/{name}.mov"),
                "available_range": null
            }
        })
    }

    fn with_effect(mut clip: Value, effect: Value) -> Value {
        clip["effects"] = json!([effect]);
        clip
    }

    fn gap(duration: f64) -> Value {
        json!({"OTIO_SCHEMA": "Gap.1", "name": "", "source_range": range(0.0, duration)})
    }

    fn transition(in_offset: f64, out_offset: f64) -> Value {
        json!({
            "OTIO_SCHEMA": "Transition.1",
            "name": "Dissolve",
            "transition_type": "SMPTE_Dissolve",
            "in_offset": rt(in_offset),
            "out_offset": rt(out_offset)
        })
    }

    fn track(kind: &str, children: Vec<Value>) -> Value {
        json!({"OTIO_SCHEMA": "Track.1", "name": "", "kind": kind, "children": children})
    }

    fn timeline(tracks: Vec<Value>) -> String {
        let doc = json!({
            "OTIO_SCHEMA": "Timeline.1",
            "name": "Cut",
            "tracks": {"OTIO_SCHEMA": "Stack.1", "children": tracks}
        });
        serde_json::to_string_pretty(&doc).unwrap()
    }

    fn path(e: &Event) -> Option<&str> {
        match &e.media {
            Media::File(m) => m.path.as_deref(),
            Media::Black => None,
        }
    }

    /// The track's length: its items' cut lengths added up.
    fn item_total(frames: &[i64]) -> Ratio {
        frames.iter().map(|&n| f(n)).sum()
    }

    #[test]
    fn gaps_become_black_events() {
        let text = timeline(vec![track(
            "Video",
            vec![clip("a", 10.0, 48.0), gap(24.0), clip("b", 0.0, 12.0)],
        )]);
        let t = parse(&text).unwrap();
        assert_eq!(t.name.as_deref(), Some("Cut"));
        assert_eq!(t.fps, Some(Ratio::from_integer(24)));
        assert_eq!(t.events.len(), 3);
        assert_eq!(path(&t.events[0]), Some("file:///media/a.mov"));
        assert_eq!(t.events[0].source_in, f(10));
        assert_eq!(t.events[0].origin, "clip \"a\" (track V1, item 1)");
        assert_eq!(t.events[1].media, Media::Black);
        assert_eq!(t.events[1].duration, f(24));
        assert_eq!(t.events[2].duration, f(12));
        assert_eq!(t.duration(), item_total(&[48, 24, 12]));
        assert!(t.notes.is_empty(), "{:?}", t.notes);
    }

    #[test]
    fn item_lines_come_from_the_text() {
        let text = timeline(vec![track("Video", vec![clip("a", 0.0, 24.0), gap(24.0)])]);
        let t = parse(&text).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for e in &t.events {
            assert!(e.line > 0);
            assert!(
                lines[e.line - 1].trim_end().ends_with('{'),
                "{}",
                lines[e.line - 1]
            );
        }
        assert!(t.events[0].line < t.events[1].line);
    }

    #[test]
    fn transition_overlaps_both_neighbours() {
        // 12 frames before the cut (from b's head), 6 after it (a's tail).
        let text = timeline(vec![track(
            "Video",
            vec![
                clip("a", 10.0, 48.0),
                transition(12.0, 6.0),
                clip("b", 100.0, 48.0),
            ],
        )]);
        let t = parse(&text).unwrap();
        assert_eq!(t.events.len(), 2);
        let (a, b) = (&t.events[0], &t.events[1]);
        assert_eq!(a.source_in, f(10));
        assert_eq!(a.duration, f(48 + 6));
        assert_eq!(a.transition, Some(("crossfade".to_string(), f(18))));
        assert_eq!(b.source_in, f(100 - 12));
        assert_eq!(b.duration, f(48 + 12));
        assert_eq!(b.transition, None);
        assert_eq!(t.duration(), item_total(&[48, 48]));
    }

    #[test]
    fn transitions_at_the_ends_fade_from_and_to_black() {
        let text = timeline(vec![track(
            "Video",
            vec![
                transition(0.0, 12.0),
                clip("a", 0.0, 48.0),
                transition(6.0, 0.0),
            ],
        )]);
        let t = parse(&text).unwrap();
        assert_eq!(t.events.len(), 3);
        assert_eq!(t.events[0].media, Media::Black);
        assert_eq!(t.events[0].duration, f(12));
        assert_eq!(
            t.events[0].transition,
            Some(("crossfade".to_string(), f(12)))
        );
        assert_eq!(t.events[1].duration, f(48));
        assert_eq!(
            t.events[1].transition,
            Some(("crossfade".to_string(), f(6)))
        );
        assert_eq!(t.events[2].media, Media::Black);
        assert_eq!(t.events[2].duration, f(6));
        assert_eq!(t.duration(), f(48));
    }

    #[test]
    fn transitions_longer_than_their_clip_are_refused() {
        let text = timeline(vec![track(
            "Video",
            vec![
                clip("a", 0.0, 48.0),
                transition(6.0, 6.0),
                clip("b", 0.0, 10.0),
                transition(6.0, 6.0),
                clip("c", 0.0, 48.0),
            ],
        )]);
        let e = parse(&text).unwrap_err();
        assert!(e.origin.contains("\"b\""), "{e}");
        assert!(e.message.contains("too short"), "{e}");
    }

    #[test]
    fn time_warps_set_the_speed() {
        let warp =
            |s: f64| json!({"OTIO_SCHEMA": "LinearTimeWarp.1", "name": "", "time_scalar": s});
        let freeze = json!({"OTIO_SCHEMA": "FreezeFrame.1", "name": "", "time_scalar": 0.0});
        let text = timeline(vec![track(
            "Video",
            vec![
                with_effect(clip("fast", 0.0, 24.0), warp(2.0)),
                with_effect(clip("back", 96.0, 24.0), warp(-1.0)),
                with_effect(clip("held", 30.0, 12.0), freeze),
            ],
        )]);
        let t = parse(&text).unwrap();
        let speeds: Vec<Ratio> = t.events.iter().map(|e| e.speed).collect();
        assert_eq!(speeds, [2, -1, 0].map(Ratio::from_integer));
        // source_range.duration is the length on the timeline.
        assert_eq!(t.events[0].duration, f(24));
        assert_eq!(t.events[1].source_in, f(96));
        assert_eq!(t.events[2].duration, f(12));
        assert!(t.notes.is_empty(), "{:?}", t.notes);
    }

    #[test]
    fn other_effects_and_markers_are_noted() {
        let mut c = with_effect(
            clip("graded", 0.0, 24.0),
            json!({"OTIO_SCHEMA": "Effect.1", "name": "", "effect_name": "Grade"}),
        );
        c["markers"] = json!([{"OTIO_SCHEMA": "Marker.2", "name": "fix sky"}]);
        let t = parse(&timeline(vec![track("Video", vec![c])])).unwrap();
        assert_eq!(t.notes.len(), 2);
        assert!(t.notes.iter().any(|n| n.message.contains("\"Grade\"")));
        assert!(t.notes.iter().any(|n| n.message.contains("\"fix sky\"")));
        assert_eq!(t.notes[0].origin, "clip \"graded\" (track V1, item 1)");
    }

    #[test]
    fn unknown_schema_versions_are_refused() {
        let mut c = clip("a", 0.0, 24.0);
        c["OTIO_SCHEMA"] = json!("Clip.9");
        let e = parse(&timeline(vec![track("Video", vec![c])])).unwrap_err();
        assert!(e.message.contains("Clip.9"), "{e}");
        assert!(e.message.contains("Clip.1 and Clip.2"), "{e}");
        assert!(e.line > 1);
    }

    #[test]
    fn clip_2_uses_its_active_media_reference() {
        let c = json!({
            "OTIO_SCHEMA": "Clip.2",
            "name": "shot",
            "source_range": range(0.0, 24.0),
            "active_media_reference_key": "HIGH",
            "media_references": {
                "DEFAULT_MEDIA": {"OTIO_SCHEMA": "ExternalReference.1", "target_url": "proxy.mov"},
                "HIGH": {"OTIO_SCHEMA": "ExternalReference.1", "target_url": "full.mov"}
            }
        });
        let t = parse(&timeline(vec![track("Video", vec![c])])).unwrap();
        assert_eq!(path(&t.events[0]), Some("full.mov"));
    }

    #[test]
    fn image_sequences_are_refused_by_clip() {
        let mut c = clip("plate", 0.0, 24.0);
        c["media_reference"] = json!({
            "OTIO_SCHEMA": "ImageSequenceReference.1",
            "target_url_base": "file:///plates/",
            "name_prefix": "plate."
        });
        let e = parse(&timeline(vec![track("Video", vec![c])])).unwrap_err();
        assert!(e.origin.contains("\"plate\""), "{e}");
        assert!(e.message.contains("image sequence"), "{e}");
    }

    #[test]
    fn ntsc_float_rates_are_exact() {
        let mut c = clip("a", 0.0, 1001.0);
        c["source_range"]["duration"]["rate"] = json!(23.976023976023978);
        let t = parse(&timeline(vec![track("Video", vec![c])])).unwrap();
        assert_eq!(t.events[0].duration, Ratio::new(1001 * 1001, 24000));
    }

    #[test]
    fn matching_audio_gives_picture_its_sound() {
        let text = timeline(vec![
            track("Video", vec![clip("a", 10.0, 48.0), clip("b", 0.0, 24.0)]),
            track(
                "Audio",
                vec![clip("a", 10.0, 48.0), gap(6.0), clip("music", 0.0, 12.0)],
            ),
        ]);
        let t = parse(&text).unwrap();
        assert!(t.events[0].audio);
        assert!(!t.events[1].audio);
        assert_eq!(t.sounds.len(), 1);
        let s = &t.sounds[0];
        assert_eq!(s.media.path.as_deref(), Some("file:///media/music.mov"));
        assert_eq!(s.at, f(54));
        assert_eq!(s.duration, f(12));
        assert_eq!(s.origin, "clip \"music\" (track A1, item 3)");
    }

    #[test]
    fn upper_tracks_win_and_lower_ones_show_through_gaps() {
        let text = timeline(vec![
            track("Video", vec![clip("base", 100.0, 48.0)]),
            track("Video", vec![gap(12.0), clip("insert", 0.0, 12.0)]),
        ]);
        let t = parse(&text).unwrap();
        assert_eq!(t.events.len(), 3);
        assert_eq!(path(&t.events[0]), Some("file:///media/base.mov"));
        assert_eq!(t.events[0].duration, f(12));
        assert_eq!(path(&t.events[1]), Some("file:///media/insert.mov"));
        assert_eq!(path(&t.events[2]), Some("file:///media/base.mov"));
        assert_eq!(t.events[2].source_in, f(124));
        assert_eq!(t.events[2].duration, f(24));
        assert_eq!(t.duration(), f(48));
        assert_eq!(t.notes.len(), 1);
        assert_eq!(t.notes[0].origin, "track V1");
        assert!(t.notes[0].message.contains("\"base\""), "{:?}", t.notes);
    }

    #[test]
    fn json_syntax_errors_give_line_and_column() {
        let text = "{\n  \"OTIO_SCHEMA\": \"Timeline.1\",\n  \"name\": oops\n}\n";
        let e = parse(text).unwrap_err();
        assert_eq!(e.line, 3);
        assert_eq!(e.column, 11);
        assert!(e.message.starts_with("not valid JSON"), "{e}");
        assert!(!e.message.contains("at line"), "{e}");
    }

    #[test]
    fn nesting_bomb_is_refused_quickly() {
        let text = "[".repeat(100_000);
        let started = std::time::Instant::now();
        let e = parse(&text).unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        assert!(e.message.contains("recursion limit"), "{e}");
    }

    #[test]
    fn sample_transition() {
        let Some(text) = sample("transition.otio") else {
            return;
        };
        let t = parse(&text).unwrap();
        assert_eq!(t.name.as_deref(), Some("Figure 2 - Transitions"));
        assert_eq!(t.fps, Some(Ratio::from_integer(24)));
        assert_eq!(t.events.len(), 4);
        let sources: Vec<Ratio> = t.events.iter().map(|e| e.source_in).collect();
        // Clip-003 starts 2 frames (the in_offset) before its source_range.
        assert_eq!(sources, [f(3), f(2), f(1), f(100)]);
        let durations: Vec<Ratio> = t.events.iter().map(|e| e.duration).collect();
        assert_eq!(durations, [f(3), f(6 + 3), f(4 + 2), f(6)]);
        assert_eq!(
            t.events[1].transition,
            Some(("crossfade".to_string(), f(5)))
        );
        assert_eq!(path(&t.events[3]), Some("file:///folder/credits.mov"));
        assert_eq!(t.duration(), item_total(&[3, 6, 4, 6]));
        assert!(t
            .events
            .windows(2)
            .all(|w| 0 < w[0].line && w[0].line < w[1].line));
    }

    #[test]
    fn sample_clip_example() {
        let Some(text) = sample("clip_example.otio") else {
            return;
        };
        let t = parse(&text).unwrap();
        assert_eq!(t.name.as_deref(), Some("transition_test"));
        assert_eq!(t.events.len(), 3);
        let c = &t.events[1];
        assert_eq!(
            c.media,
            Media::File(MediaRef {
                clip_name: Some("Clip-001".to_string()),
                ..MediaRef::default()
            })
        );
        assert_eq!(c.source_in, f(3));
        assert_eq!(c.duration, f(3 + 1));
        assert_eq!(c.transition, Some(("crossfade".to_string(), f(3))));
        assert_eq!(t.events[2].media, Media::Black);
        assert_eq!(t.events[2].source_in, f(0));
        assert_eq!(t.events[2].duration, f(8 + 2));
        assert_eq!(t.duration(), item_total(&[8, 3, 8]));
        assert_eq!(t.fps, Some(Ratio::from_integer(24)));
    }

    #[test]
    fn sample_multitrack() {
        let Some(text) = sample("multitrack.otio") else {
            return;
        };
        let t = parse(&text).unwrap();
        let names: Vec<Option<&str>> = t
            .events
            .iter()
            .map(|e| match &e.media {
                Media::File(m) => m.clip_name.as_deref(),
                Media::Black => None,
            })
            .collect();
        assert_eq!(
            names,
            [
                Some("tech.fux (loop)-HD.mp4"),
                Some("t-hawk (loop)-HD.mp4"),
                Some("out-b (loop)-HD.mp4"),
                Some("KOLL-HD.mp4"),
                None,
                Some("brokchrd (loop)-HD.mp4"),
                None,
            ]
        );
        let durations: Vec<Ratio> = t.events.iter().map(|e| e.duration).collect();
        assert_eq!(durations, [482, 480, 236, 640, 119, 720, 605].map(f));
        // out-b starts at 803 on its track; the part from 962 shows.
        assert_eq!(t.events[2].source_in, f(962 - 803));
        assert_eq!(t.duration(), f(3282));
        // Only track V1 has clips hidden: parts of two.
        assert_eq!(t.notes.len(), 1, "{:?}", t.notes);
        assert_eq!(t.notes[0].origin, "track V1");
        assert!(t.notes[0]
            .message
            .contains("\"tech.fux (loop)-HD.mp4\" (track V1, item 1) (9.917 s of 30 s)"));
        assert!(t.notes[0].message.contains("out-b"));
    }
}
