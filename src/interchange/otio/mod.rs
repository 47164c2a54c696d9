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
//! Transitions are placed around their cuts as [`super::place`] describes.

mod json;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use serde_json::Value;

use super::place::{
    black, markers_note, one, place, secs, unknown_kind, zero, Piece, Placed, Transition,
};
use super::{transition_kind, At, Event, ImportError, Media, MediaRef, Note, SoundEvent, Timeline};
use crate::edl::TransitionKind;
use crate::time::{ratio_from_f64, Ratio};
use json::{
    array, effect_name, enabled, expect_schema, field, json_error, media_reference, object_lines,
    rational_time, schema_of, str_field, time_range,
};

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

/// How deep track items sit: root, `tracks`, `children`, a track, its
/// `children`, the item.
const ITEM_DEPTH: usize = 5;

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

/// `clip "Interview" (track V1, item 3)`.
fn describe(what: &str, name: &str, track: &str, item: usize) -> String {
    if name.is_empty() {
        format!("{what} (track {track}, item {item})")
    } else {
        format!("{what} \"{name}\" (track {track}, item {item})")
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
        let reel_name = field(item, "metadata")
            .and_then(|m| m.get("reel"))
            .and_then(|r| r.get("kind"))
            .and_then(Value::as_str)
            .filter(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase()));
        let reel_kind = reel_name.and_then(transition_kind);
        if let (Some(name), None) = (reel_name, reel_kind) {
            self.note(at, unknown_kind(name));
        } else if kind != "SMPTE_Dissolve" && reel_kind.is_none() {
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
            kind: reel_kind.unwrap_or(TransitionKind::Crossfade),
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
