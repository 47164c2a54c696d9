//! Writing a timeline out: OTIO, CMX3600 and FCPXML.
//!
//! reel's [`Timeline`] overlaps each event with the next by its transition.
//! OTIO and FCPXML instead lay clips back to back, cut to cut, and let a
//! transition reach into the media beyond each clip's ends. A transition of
//! `d` frames is split around its cut: `in_offset = d / 2` frames (rounded
//! down) before the cut, `out_offset = d - in_offset` after it. The outgoing
//! clip loses `out_offset` frames at its end, the incoming one `in_offset`
//! frames at its start; their source times move with their speeds.
//!
//! Every time is rounded to the nearest frame at the rate the export is
//! written at; a timeline made at that rate is already frame-aligned.

use super::timecode::Rate;
use super::{Event, Media, MediaRef, SoundEvent, Timeline};
use crate::time::{round, Ratio};
use serde_json::{json, Value};
use std::fmt::Write;

// ---------------------------------------------------------------------------
// Shared layout
// ---------------------------------------------------------------------------

/// Seconds as the nearest whole number of frames at `fps`.
fn frames(seconds: Ratio, fps: Ratio) -> i64 {
    round(seconds * fps)
}

/// A transition around its cut, in frames.
struct Fade<'a> {
    /// The reel transition kind.
    kind: &'a str,
    /// Frames before the cut (OTIO `in_offset`).
    before: i64,
    /// Frames after the cut (OTIO `out_offset`).
    after: i64,
}

/// A picture event laid out cut to cut, in frames at the export rate.
struct Piece<'a> {
    event: &'a Event,
    /// Timeline frame of its cut in (after the transition into it begins).
    at: i64,
    /// Frames from its cut in to its cut out.
    len: i64,
    /// Source frames at its cut in and at its cut out (a backwards event
    /// goes from its later source time to its earlier one).
    first: i64,
    last: i64,
    /// The transition into the next event.
    fade: Option<Fade<'a>>,
}

impl Piece<'_> {
    /// The earliest source frame the piece plays.
    fn earliest(&self) -> i64 {
        self.first.min(self.last)
    }
}

/// The source time `t` seconds into an event's span: from `source_in`
/// onwards, or for a backwards event from the far end of its source back
/// to `source_in`.
fn source_at(e: &Event, t: Ratio) -> Ratio {
    let start = if e.speed < Ratio::from_integer(0) {
        e.source_in - e.duration * e.speed
    } else {
        e.source_in
    };
    start + t * e.speed
}

/// The picture events of `t` laid out cut to cut at `fps`.
fn pieces(t: &Timeline, fps: Ratio) -> Vec<Piece<'_>> {
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
                kind,
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
fn sound_lanes(sounds: &[SoundEvent], fps: Ratio) -> Vec<Vec<(i64, i64, &SoundEvent)>> {
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
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The name to show for a media file: its clip name, else its file name,
/// else its reel.
fn media_name(m: &MediaRef) -> String {
    m.clip_name
        .clone()
        .or_else(|| m.path.as_deref().map(|p| file_name(p).to_string()))
        .or_else(|| m.reel.clone())
        .unwrap_or_default()
}

/// A path as a `file://` URL, percent-encoding everything but unreserved
/// characters and `/`. URLs are kept as they are.
fn file_url(path: &str) -> String {
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

// ---------------------------------------------------------------------------
// OpenTimelineIO
// ---------------------------------------------------------------------------

/// The timeline as OpenTimelineIO JSON, times in frames at `fps`.
///
/// Tracks: `V1` with the picture events (black as gaps) and the
/// transitions between them (`SMPTE_Dissolve`, the reel kind in
/// `metadata.reel.kind`); `A1` with the picture events whose own sound is
/// used, on the same spans, when there are any; then one track for each
/// lane of sounds that do not overlap. A clip played at another speed
/// carries a `LinearTimeWarp` (or a `FreezeFrame` for speed 0). A clip's
/// `source_range` always starts at the earliest source frame it plays
/// (for a backwards clip, the one it ends on) and lasts its length on the
/// timeline, whatever its speed.
pub fn otio(t: &Timeline, fps: Ratio) -> String {
    let pieces = pieces(t, fps);
    let mut tracks = Vec::new();

    let mut video = TrackItems::new(fps);
    for p in &pieces {
        match &p.event.media {
            Media::Black => video.gap(p.len),
            Media::File(m) => video.item(otio_clip(m, p.earliest(), p.len, p.event.speed, fps)),
        }
        if let Some(f) = &p.fade {
            video.item(otio_transition(f, fps));
        }
    }
    tracks.push(otio_track("V1", "Video", video.finish()));

    if pieces.iter().any(|p| p.event.audio) {
        let mut audio = TrackItems::new(fps);
        for p in &pieces {
            match &p.event.media {
                Media::File(m) if p.event.audio => {
                    audio.item(otio_clip(m, p.earliest(), p.len, p.event.speed, fps))
                }
                _ => audio.gap(p.len),
            }
        }
        tracks.push(otio_track("A1", "Audio", audio.finish()));
    }

    for (n, lane) in sound_lanes(&t.sounds, fps).into_iter().enumerate() {
        let mut audio = TrackItems::new(fps);
        let mut end = 0;
        for (at, len, s) in lane {
            audio.gap(at - end);
            let source = frames(s.source_in, fps);
            audio.item(otio_clip(
                &s.media,
                source,
                len,
                Ratio::from_integer(1),
                fps,
            ));
            end = at + len;
        }
        tracks.push(otio_track(&format!("A{}", n + 2), "Audio", audio.finish()));
    }

    let timeline = json!({
        "OTIO_SCHEMA": "Timeline.1",
        "metadata": {},
        "name": t.name.as_deref().unwrap_or("reel"),
        "global_start_time": null,
        "tracks": {
            "OTIO_SCHEMA": "Stack.1",
            "metadata": {},
            "name": "tracks",
            "source_range": null,
            "effects": [],
            "markers": [],
            "enabled": true,
            "children": tracks,
        },
    });
    let mut text = serde_json::to_string_pretty(&timeline).expect("JSON values always print");
    text.push('\n');
    text
}

/// A track's children, with runs of empty frames merged into one gap.
struct TrackItems {
    fps: Ratio,
    children: Vec<Value>,
    gap: i64,
}

impl TrackItems {
    fn new(fps: Ratio) -> Self {
        TrackItems {
            fps,
            children: Vec::new(),
            gap: 0,
        }
    }

    fn gap(&mut self, len: i64) {
        self.gap += len;
    }

    fn item(&mut self, item: Value) {
        self.flush_gap();
        self.children.push(item);
    }

    fn flush_gap(&mut self) {
        if self.gap > 0 {
            self.children.push(otio_gap(self.gap, self.fps));
            self.gap = 0;
        }
    }

    fn finish(mut self) -> Vec<Value> {
        self.flush_gap();
        self.children
    }
}

fn otio_time(frames: i64, fps: Ratio) -> Value {
    json!({
        "OTIO_SCHEMA": "RationalTime.1",
        "rate": *fps.numer() as f64 / *fps.denom() as f64,
        "value": frames as f64,
    })
}

fn otio_range(start: i64, len: i64, fps: Ratio) -> Value {
    json!({
        "OTIO_SCHEMA": "TimeRange.1",
        "start_time": otio_time(start, fps),
        "duration": otio_time(len, fps),
    })
}

fn otio_track(name: &str, kind: &str, children: Vec<Value>) -> Value {
    json!({
        "OTIO_SCHEMA": "Track.1",
        "metadata": {},
        "name": name,
        "kind": kind,
        "source_range": null,
        "effects": [],
        "markers": [],
        "enabled": true,
        "children": children,
    })
}

fn otio_gap(len: i64, fps: Ratio) -> Value {
    json!({
        "OTIO_SCHEMA": "Gap.1",
        "metadata": {},
        "name": "",
        "source_range": otio_range(0, len, fps),
        "effects": [],
        "markers": [],
        "enabled": true,
    })
}

fn otio_clip(m: &MediaRef, source: i64, len: i64, speed: Ratio, fps: Ratio) -> Value {
    let reference = match &m.path {
        Some(path) => json!({
            "OTIO_SCHEMA": "ExternalReference.1",
            "metadata": {},
            "name": file_name(path),
            "available_range": null,
            "available_image_bounds": null,
            "target_url": file_url(path),
        }),
        None => json!({
            "OTIO_SCHEMA": "MissingReference.1",
            "metadata": {},
            "name": media_name(m),
            "available_range": null,
            "available_image_bounds": null,
        }),
    };
    let effects = if speed == Ratio::from_integer(1) {
        json!([])
    } else if speed == Ratio::from_integer(0) {
        json!([{
            "OTIO_SCHEMA": "FreezeFrame.1",
            "metadata": {},
            "name": "",
            "effect_name": "FreezeFrame",
            "time_scalar": 0.0,
        }])
    } else {
        json!([{
            "OTIO_SCHEMA": "LinearTimeWarp.1",
            "metadata": {},
            "name": "",
            "effect_name": "LinearTimeWarp",
            "time_scalar": *speed.numer() as f64 / *speed.denom() as f64,
        }])
    };
    json!({
        "OTIO_SCHEMA": "Clip.1",
        "metadata": {},
        "name": media_name(m),
        "source_range": otio_range(source, len, fps),
        "media_reference": reference,
        "effects": effects,
        "markers": [],
        "enabled": true,
    })
}

fn otio_transition(f: &Fade, fps: Ratio) -> Value {
    json!({
        "OTIO_SCHEMA": "Transition.1",
        "metadata": { "reel": { "kind": f.kind } },
        "name": f.kind,
        "transition_type": "SMPTE_Dissolve",
        "in_offset": otio_time(f.before, fps),
        "out_offset": otio_time(f.after, fps),
    })
}

// ---------------------------------------------------------------------------
// CMX3600
// ---------------------------------------------------------------------------

/// The SMPTE wipe code (CMX `Wnnn`) the CMX reader takes for a reel
/// transition kind, if any.
fn wipe_code(kind: &str) -> Option<u32> {
    (1..1000).find(|&code| super::cmx::wipe_kind(code) == Some(kind))
}

/// The timeline as a CMX3600 EDL at `rate`, record time from 01:00:00:00.
///
/// Each picture event is one numbered event (black on reel `BL`); its
/// record span runs until the next transition starts, the outgoing source
/// running on under it. A transition into an event is written on that
/// event in the two-line form: the outgoing reel as a zero-length cut at the
/// transition start, then the incoming reel with `D nnn`, or `Wnnn nnn`
/// for the wipes that have a SMPTE code (those `cmx::wipe_kind` reads back).
/// Other transitions are written as `D` with an `* EFFECT NAME:` comment
/// naming the reel kind. The comments name each side's clip and file
/// (`FROM CLIP NAME`, `SOURCE FILE`; for the incoming side of a transition
/// `TO CLIP NAME`, `TO FILE`).
///
/// Source timecodes run from the frame an event starts on, on by its record
/// length times its speed: a backwards event's source out is before its
/// source in, a frozen one's equals it. An event at a speed other than 1
/// gets an `M2` line with its speed in frames per timecode second (`048.0` for double speed
/// at 24 fps; negative backwards, `000.0` frozen) and its source in. Events
/// whose own sound is used are `AA/V`, others `V`; sounds follow as `AA`
/// events. Times are rounded to the nearest frame at `rate`.
pub fn cmx(t: &Timeline, rate: Rate) -> String {
    let frames = |seconds: Ratio| round(seconds * rate.fps);
    let tc = |frames: i64| rate.from_frames(frames);
    let hour = rate
        .to_frames("01:00:00:00")
        .expect("01:00:00:00 is a timecode at every rate");

    let mut x = String::new();
    writeln!(x, "TITLE: {}", t.name.as_deref().unwrap_or("reel")).unwrap();
    let drop = rate.drop && rate.can_drop();
    let fcm = if drop { "DROP FRAME" } else { "NON-DROP FRAME" };
    writeln!(x, "FCM: {fcm}\n").unwrap();

    let mut number = 0;
    // Record frame where the current event starts.
    let mut start = hour;
    // The previous event and its source out.
    let mut previous: Option<(&Event, i64)> = None;
    for e in &t.events {
        number += 1;
        let fade = e
            .transition
            .as_ref()
            .map_or(Ratio::from_integer(0), |f| f.1);
        let length = frames(e.duration) - frames(fade);
        let (source_in, source_out) = cmx_source(e, length, rate);
        let reel = cmx_reel(&e.media);
        let channels = if e.audio { "AA/V" } else { "V" };
        let line = |x: &mut String, reel: &str, effect: &str, source: (i64, i64), length: i64| {
            writeln!(
                x,
                "{number:03}  {reel:<8} {channels:<5} {effect:<8} {} {} {} {}",
                tc(source.0),
                tc(source.1),
                tc(start),
                tc(start + length)
            )
            .unwrap()
        };

        let incoming = previous.and_then(|(p, out)| Some((p, out, p.transition.as_ref()?)));
        let mut comments = Vec::new();
        match incoming {
            Some((from, at, (kind, duration))) => {
                line(&mut x, &cmx_reel(&from.media), "C", (at, at), 0);
                let d = frames(*duration);
                let effect = match wipe_code(kind) {
                    Some(code) => format!("W{code:03} {d:03}"),
                    None => format!("D    {d:03}"),
                };
                line(&mut x, &reel, &effect, (source_in, source_out), length);
                if kind != "crossfade" && wipe_code(kind).is_none() {
                    comments.push(format!("* EFFECT NAME: {kind}"));
                }
                if let Media::File(m) = &from.media {
                    comments.push(format!("* FROM CLIP NAME: {}", media_name(m)));
                    if let Some(path) = &m.path {
                        comments.push(format!("* SOURCE FILE: {path}"));
                    }
                }
                if let Media::File(m) = &e.media {
                    comments.push(format!("* TO CLIP NAME: {}", media_name(m)));
                    if let Some(path) = &m.path {
                        comments.push(format!("* TO FILE: {path}"));
                    }
                }
            }
            None => {
                line(&mut x, &reel, "C", (source_in, source_out), length);
                if let Media::File(m) = &e.media {
                    comments.push(format!("* FROM CLIP NAME: {}", media_name(m)));
                    if let Some(path) = &m.path {
                        comments.push(format!("* SOURCE FILE: {path}"));
                    }
                }
            }
        }
        if e.speed != Ratio::from_integer(1) {
            let fps = e.speed * rate.nominal();
            let fps = *fps.numer() as f64 / *fps.denom() as f64;
            let fps = if fps < 0.0 {
                format!("-{:05.1}", -fps)
            } else {
                format!("{fps:05.1}")
            };
            writeln!(
                x,
                "M2   {reel:<8}      {fps:>6}                {}",
                tc(source_in)
            )
            .unwrap();
        }
        for comment in comments {
            writeln!(x, "{comment}").unwrap();
        }
        x.push('\n');
        start += length;
        previous = Some((e, source_out));
    }

    let mut sounds: Vec<&SoundEvent> = t.sounds.iter().collect();
    sounds.sort_by_key(|s| s.at);
    for s in sounds {
        number += 1;
        let source = frames(s.source_in);
        let (at, length) = (hour + frames(s.at), frames(s.duration));
        writeln!(
            x,
            "{number:03}  {:<8} AA    C        {} {} {} {}",
            cmx_reel(&Media::File(s.media.clone())),
            tc(source),
            tc(source + length),
            tc(at),
            tc(at + length)
        )
        .unwrap();
        writeln!(x, "* FROM CLIP NAME: {}", media_name(&s.media)).unwrap();
        if let Some(path) = &s.media.path {
            writeln!(x, "* SOURCE FILE: {path}").unwrap();
        }
        x.push('\n');
    }
    x
}

/// The source in and out of an event's record span of `length` frames, in
/// frames at `rate`: from the source frame it starts on, on by `length`
/// times its speed (backwards: out before in; frozen: out equals in).
fn cmx_source(e: &Event, length: i64, rate: Rate) -> (i64, i64) {
    if e.media == Media::Black {
        return (0, length);
    }
    let source_in = round(source_at(e, Ratio::from_integer(0)) * rate.fps);
    (source_in, source_in + round(e.speed * length))
}

/// A CMX reel name: the media's reel if it has a usable one, else its file
/// (or clip) name without extension, upper case, cut to 8 characters of
/// `A-Z`, `0-9` and `_`; `BL` for black.
fn cmx_reel(media: &Media) -> String {
    let m = match media {
        Media::Black => return "BL".to_string(),
        Media::File(m) => m,
    };
    if let Some(reel) = m.reel.as_deref() {
        if !reel.is_empty() && !reel.contains(char::is_whitespace) {
            return reel.to_string();
        }
    }
    let name = match m.path.as_deref() {
        Some(path) => file_name(path).to_string(),
        None => media_name(m),
    };
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => &name,
    };
    let reel: String = stem
        .chars()
        .map(|c| match c.to_ascii_uppercase() {
            c @ ('A'..='Z' | '0'..='9' | '_') => c,
            _ => '_',
        })
        .take(8)
        .collect();
    if reel.is_empty() {
        "AX".to_string()
    } else {
        reel
    }
}

// ---------------------------------------------------------------------------
// FCPXML
// ---------------------------------------------------------------------------

/// Final Cut Pro's Cross Dissolve.
const CROSS_DISSOLVE_UID: &str = "FxPlug:4731E73A-8DAC-4113-9A30-AE85B1761265";

/// The timeline as FCPXML 1.10: one format (`fps`, `size`), one asset per
/// media file, and a project whose spine holds the picture events
/// (`asset-clip`s, black as `gap`s) with a Cross Dissolve `transition`
/// centred on each cut as in OTIO. Events whose own sound is not used have
/// `srcEnable="video"`. A clip's `start` is the source time of its first
/// frame; one played at another speed carries a linear `timeMap` from its
/// local time to its source time, equal at `start` and reaching the
/// source time of its cut out `duration` later (backwards: decreasing;
/// frozen: constant). Sounds are connected audio clips below the spine.
///
/// Times are exact fractions of a second (`1001/30000s`), each a whole
/// number of frames at `fps`: every time is rounded to the nearest frame.
/// An asset starts at `0s` and lasts up to the latest source time used.
pub fn fcpxml(t: &Timeline, fps: Ratio, size: (u32, u32)) -> String {
    let pieces = pieces(t, fps);
    let time = |frames: i64| fcp_time(frames, fps);
    let name = escape(t.name.as_deref().unwrap_or("reel"));

    // Assets in order of first use, each long enough for every source
    // frame used (a backwards or frozen event's first frame is its latest).
    let mut assets: Vec<Asset> = Vec::new();
    for p in &pieces {
        if let Media::File(m) = &p.event.media {
            let e = p.event;
            let end = source_at(e, Ratio::from_integer(0)).max(source_at(e, e.duration));
            let end = frames(end, fps).max(frames(e.source_in, fps) + 1);
            Asset::used(&mut assets, m, true, end);
        }
    }
    for s in &t.sounds {
        let end = frames(s.source_in + s.duration, fps);
        Asset::used(&mut assets, &s.media, false, end);
    }
    let asset_id = |m: &MediaRef| {
        let n = assets.iter().position(|a| a.key == asset_key(m));
        format!("r{}", n.expect("every media has an asset") + 2)
    };
    let dissolve_id = format!("r{}", assets.len() + 2);

    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE fcpxml>\n");
    x.push_str("<fcpxml version=\"1.10\">\n  <resources>\n");
    let (width, height) = size;
    let frame = time(1);
    writeln!(
        x,
        "    <format id=\"r1\" frameDuration=\"{frame}\" width=\"{width}\" height=\"{height}\"/>"
    )
    .unwrap();
    for a in &assets {
        let kind = if a.video {
            " hasVideo=\"1\" hasAudio=\"1\" format=\"r1\""
        } else {
            " hasAudio=\"1\""
        };
        let tag = format!(
            "asset id=\"{}\" name=\"{}\" start=\"0s\" duration=\"{}\"{kind}",
            asset_id(a.media),
            escape(&media_name(a.media)),
            time(a.end)
        );
        let inner = match &a.media.path {
            Some(path) => format!(
                "<media-rep kind=\"original-media\" src=\"{}\"/>\n",
                escape(&file_url(path))
            ),
            None => String::new(),
        };
        element(&mut x, 2, &tag, &inner);
    }
    if pieces.iter().any(|p| p.fade.is_some()) {
        writeln!(
            x,
            "    <effect id=\"{dissolve_id}\" name=\"Cross Dissolve\" uid=\"{CROSS_DISSOLVE_UID}\"/>"
        )
        .unwrap();
    }
    x.push_str("  </resources>\n  <library>\n");
    writeln!(
        x,
        "    <event name=\"{name}\">\n      <project name=\"{name}\">"
    )
    .unwrap();

    // Each sound hangs from the spine item it starts in (the last one for
    // sounds that start after the picture ends); with no picture at all, a
    // gap as long as the sounds holds them.
    let sound_end = t
        .sounds
        .iter()
        .map(|s| frames(s.at + s.duration, fps))
        .max()
        .unwrap_or(0);
    let length = if pieces.is_empty() {
        sound_end
    } else {
        pieces.iter().map(|p| p.len).sum()
    };
    let mut hung: Vec<String> = vec![String::new(); pieces.len().max(1)];
    for (lane, sounds) in sound_lanes(&t.sounds, fps).into_iter().enumerate() {
        for (at, len, s) in sounds {
            let n = pieces.iter().rposition(|p| p.at <= at).unwrap_or(0);
            // Offsets count in the parent's local time, which starts at its
            // `start`.
            let (parent_at, parent_start) = match pieces.get(n) {
                Some(p) if p.event.media != Media::Black => (p.at, p.first),
                Some(p) => (p.at, 0),
                None => (0, 0),
            };
            let video = assets
                .iter()
                .any(|a| a.key == asset_key(&s.media) && a.video);
            writeln!(
                hung[n],
                "<asset-clip ref=\"{}\" lane=\"-{}\" offset=\"{}\" name=\"{}\" start=\"{}\" \
                 duration=\"{}\"{}/>",
                asset_id(&s.media),
                lane + 1,
                time(parent_start + at - parent_at),
                escape(&media_name(&s.media)),
                time(frames(s.source_in, fps)),
                time(len),
                if video { " srcEnable=\"audio\"" } else { "" }
            )
            .unwrap();
        }
    }

    writeln!(
        x,
        "        <sequence format=\"r1\" duration=\"{}\" tcStart=\"0s\" tcFormat=\"NDF\" \
         audioLayout=\"stereo\" audioRate=\"48k\">",
        time(length)
    )
    .unwrap();
    x.push_str("          <spine>\n");
    if pieces.is_empty() && length > 0 {
        let tag = format!(
            "gap name=\"Gap\" offset=\"0s\" start=\"0s\" duration=\"{}\"",
            time(length)
        );
        element(&mut x, 6, &tag, &hung[0]);
    }
    for (p, sounds) in pieces.iter().zip(&hung) {
        match &p.event.media {
            Media::Black => {
                let tag = format!(
                    "gap name=\"Gap\" offset=\"{}\" start=\"0s\" duration=\"{}\"",
                    time(p.at),
                    time(p.len)
                );
                element(&mut x, 6, &tag, sounds);
            }
            Media::File(m) => {
                let tag = format!(
                    "asset-clip ref=\"{}\" offset=\"{}\" name=\"{}\" start=\"{}\" duration=\"{}\"{}",
                    asset_id(m),
                    time(p.at),
                    escape(&media_name(m)),
                    time(p.first),
                    time(p.len),
                    if p.event.audio { "" } else { " srcEnable=\"video\"" }
                );
                let mut inner = String::new();
                if p.event.speed != Ratio::from_integer(1) {
                    let point = |at: i64, value: i64| {
                        format!(
                            "<timept time=\"{}\" value=\"{}\" interp=\"linear\"/>\n",
                            time(at),
                            time(value)
                        )
                    };
                    let points = point(p.first, p.first) + &point(p.first + p.len, p.last);
                    element(&mut inner, 0, "timeMap", &points);
                }
                inner.push_str(sounds);
                element(&mut x, 6, &tag, &inner);
            }
        }
        if let Some(f) = &p.fade {
            // A crossfade is Final Cut's Cross Dissolve; other kinds keep
            // their reel name (Final Cut plays them as the dissolve).
            let name = if f.kind == "crossfade" {
                "Cross Dissolve"
            } else {
                f.kind
            };
            let tag = format!(
                "transition name=\"{}\" offset=\"{}\" duration=\"{}\"",
                escape(name),
                time(p.at + p.len - f.before),
                time(f.before + f.after)
            );
            let filter = format!("<filter-video ref=\"{dissolve_id}\" name=\"Cross Dissolve\"/>\n");
            element(&mut x, 6, &tag, &filter);
        }
    }
    x.push_str("          </spine>\n        </sequence>\n      </project>\n");
    x.push_str("    </event>\n  </library>\n</fcpxml>\n");
    x
}

/// Writes `<tag/>`, or `<tag>` with the lines of `inner` one level deeper
/// and its closing tag, indented by `level` steps of two spaces.
fn element(x: &mut String, level: usize, tag: &str, inner: &str) {
    let indent = "  ".repeat(level);
    if inner.is_empty() {
        writeln!(x, "{indent}<{tag}/>").unwrap();
        return;
    }
    writeln!(x, "{indent}<{tag}>").unwrap();
    for line in inner.lines() {
        writeln!(x, "{indent}  {line}").unwrap();
    }
    let name = tag.split(' ').next().unwrap_or(tag);
    writeln!(x, "{indent}</{name}>").unwrap();
}

/// A media file as an FCPXML asset.
struct Asset<'a> {
    key: String,
    media: &'a MediaRef,
    /// Used as picture (else only as sound).
    video: bool,
    /// The latest source frame used.
    end: i64,
}

impl<'a> Asset<'a> {
    /// Records a use of `media` up to source frame `end`.
    fn used(assets: &mut Vec<Asset<'a>>, media: &'a MediaRef, video: bool, end: i64) {
        let key = asset_key(media);
        match assets.iter_mut().find(|a| a.key == key) {
            Some(a) => {
                a.video |= video;
                a.end = a.end.max(end);
            }
            None => assets.push(Asset {
                key,
                media,
                video,
                end,
            }),
        }
    }
}

/// What makes two media the same asset: the file, else the names.
fn asset_key(m: &MediaRef) -> String {
    match &m.path {
        Some(path) => path.clone(),
        None => format!("{:?}/{:?}", m.reel, m.clip_name),
    }
}

/// A frame count as FCPXML time: reduced seconds, `N/Ds` or `Ns`.
fn fcp_time(frames: i64, fps: Ratio) -> String {
    let t = Ratio::from_integer(frames) / fps;
    if t.is_integer() {
        format!("{}s", t.numer())
    } else {
        format!("{}/{}s", t.numer(), t.denom())
    }
}

/// Text safe inside an XML attribute.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: i64, d: i64) -> Ratio {
        Ratio::new(n, d)
    }

    fn s(n: i64) -> Ratio {
        Ratio::from_integer(n)
    }

    fn file(path: &str) -> MediaRef {
        MediaRef {
            reel: None,
            clip_name: None,
            path: Some(path.to_string()),
        }
    }

    fn event(media: Media, source_in: Ratio, duration: Ratio, speed: Ratio) -> Event {
        Event {
            origin: String::new(),
            line: 0,
            media,
            source_in,
            duration,
            speed,
            transition: None,
            audio: true,
        }
    }

    /// At 25 fps: a crossfade (25 frames: 12 before the cut, 13 after), a
    /// wipe (12 frames: 6 and 6), speed 2, black, reverse, freeze and two
    /// overlapping sounds.
    fn sample() -> Timeline {
        let mut a = event(Media::File(file("/media/a.mov")), s(10), s(4), s(1));
        a.transition = Some(("crossfade".to_string(), s(1)));
        let mut b = event(
            Media::File(file("/media/my clip & more.mov")),
            s(3600),
            s(5),
            s(1),
        );
        b.transition = Some(("wipeleft".to_string(), r(12, 25)));
        b.audio = false;
        let c = event(Media::File(file("/media/c.mov")), s(20), s(3), s(2));
        let mut black = event(Media::Black, s(0), s(1), s(1));
        black.audio = false;
        let d = event(Media::File(file("/media/d.mov")), s(30), s(2), s(-1));
        let mut e = event(Media::File(file("/media/e.mov")), s(5), s(1), s(0));
        e.audio = false;
        let sound = |path: &str, at: Ratio, duration: Ratio| SoundEvent {
            origin: String::new(),
            line: 0,
            media: file(path),
            source_in: s(0),
            at,
            duration,
        };
        Timeline {
            name: Some("Cut <1>".to_string()),
            fps: Some(s(25)),
            size: Some((1920, 1080)),
            events: vec![a, b, c, black, d, e],
            sounds: vec![
                sound("/media/music.wav", s(0), s(6)),
                sound("/media/voice.wav", s(2), s(3)),
            ],
            titles: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn duration_frames(t: &Timeline, fps: Ratio) -> i64 {
        (t.duration() * fps).to_integer()
    }

    #[test]
    fn pieces_split_transitions_around_the_cut() {
        let t = sample();
        let p = pieces(&t, s(25));
        let spans: Vec<_> = p.iter().map(|p| (p.at, p.len, p.first, p.last)).collect();
        assert_eq!(
            spans,
            vec![
                (0, 87, 250, 337),
                (87, 107, 90_012, 90_119),
                (194, 69, 512, 650),
                (263, 25, 0, 25),
                (288, 50, 800, 750),
                (338, 25, 125, 125),
            ]
        );
        let fade = p[0].fade.as_ref().unwrap();
        assert_eq!((fade.kind, fade.before, fade.after), ("crossfade", 12, 13));
        let fade = p[1].fade.as_ref().unwrap();
        assert_eq!((fade.kind, fade.before, fade.after), ("wipeleft", 6, 6));
        assert_eq!(
            p.iter().map(|p| p.len).sum::<i64>(),
            duration_frames(&t, s(25))
        );
    }

    #[test]
    fn backwards_pieces_start_at_their_earliest_source_frame() {
        let t = backwards_sample();
        let p = pieces(&t, s(25));
        // 50 frames less 5 at each end: from source frame 350 - 2 * 5 down
        // to 250 + 2 * 5.
        assert_eq!(
            (p[1].at, p[1].len, p[1].first, p[1].last),
            (45, 40, 340, 260)
        );
        assert_eq!(p[1].earliest(), 260);
        assert_eq!(
            p.iter().map(|p| p.len).sum::<i64>(),
            duration_frames(&t, s(25))
        );
    }
    fn backwards_sample() -> Timeline {
        // 2 s of source 10..14 played backwards at double speed, between
        // two 10-frame crossfades (5 frames each side of the cuts).
        let fade = Some(("crossfade".to_string(), r(10, 25)));
        let mut a = event(Media::File(file("/a.mov")), s(0), s(2), s(1));
        a.transition = fade.clone();
        let mut b = event(Media::File(file("/b.mov")), s(10), s(2), s(-2));
        b.transition = fade;
        let c = event(Media::File(file("/c.mov")), s(0), s(2), s(1));
        Timeline {
            events: vec![a, b, c],
            ..Timeline::default()
        }
    }

    fn otio_json(t: &Timeline, fps: Ratio) -> Value {
        serde_json::from_str(&otio(t, fps)).expect("valid JSON")
    }

    fn schema(v: &Value) -> &str {
        v["OTIO_SCHEMA"].as_str().unwrap()
    }

    fn frames_of(time: &Value) -> i64 {
        assert_eq!(schema(time), "RationalTime.1");
        let value = time["value"].as_f64().unwrap();
        assert_eq!(value.fract(), 0.0);
        value as i64
    }

    /// `(schema, start, duration)` of a track's children; transitions give
    /// their in and out offsets.
    fn items(track: &Value) -> Vec<(String, i64, i64)> {
        track["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let (a, b) = if schema(c) == "Transition.1" {
                    (frames_of(&c["in_offset"]), frames_of(&c["out_offset"]))
                } else {
                    let range = &c["source_range"];
                    (
                        frames_of(&range["start_time"]),
                        frames_of(&range["duration"]),
                    )
                };
                (schema(c).to_string(), a, b)
            })
            .collect()
    }

    fn owned(items: &[(&str, i64, i64)]) -> Vec<(String, i64, i64)> {
        items
            .iter()
            .map(|&(s, a, b)| (s.to_string(), a, b))
            .collect()
    }

    #[test]
    fn otio_video_track() {
        let t = sample();
        let v = otio_json(&t, s(25));
        assert_eq!(schema(&v), "Timeline.1");
        assert_eq!(v["name"], "Cut <1>");
        assert!(v["global_start_time"].is_null());
        let stack = &v["tracks"];
        assert_eq!(schema(stack), "Stack.1");
        let video = &stack["children"][0];
        assert_eq!(schema(video), "Track.1");
        assert_eq!(
            (&video["name"], &video["kind"]),
            (&json!("V1"), &json!("Video"))
        );
        assert_eq!(
            items(video),
            owned(&[
                ("Clip.1", 250, 87),
                ("Transition.1", 12, 13),
                ("Clip.1", 90_012, 107),
                ("Transition.1", 6, 6),
                ("Clip.1", 512, 69),
                ("Gap.1", 0, 25),
                ("Clip.1", 750, 50),
                ("Clip.1", 125, 25),
            ])
        );
        let total: i64 = items(video)
            .iter()
            .filter(|(s, _, _)| s != "Transition.1")
            .map(|&(_, _, len)| len)
            .sum();
        assert_eq!(total, duration_frames(&t, s(25)));

        let children = video["children"].as_array().unwrap();
        assert_eq!(children[1]["transition_type"], "SMPTE_Dissolve");
        assert_eq!(children[1]["metadata"]["reel"]["kind"], "crossfade");
        assert_eq!(children[3]["metadata"]["reel"]["kind"], "wipeleft");
        assert_eq!(children[0]["source_range"]["duration"]["rate"], 25.0);
        let reference = &children[2]["media_reference"];
        assert_eq!(schema(reference), "ExternalReference.1");
        assert_eq!(
            reference["target_url"],
            "file:///media/my%20clip%20%26%20more.mov"
        );
        assert_eq!(children[2]["name"], "my clip & more.mov");
        assert_eq!(children[0]["effects"], json!([]));
    }

    #[test]
    fn otio_speed_effects() {
        let v = otio_json(&sample(), s(25));
        let children = v["tracks"]["children"][0]["children"]
            .as_array()
            .unwrap()
            .clone();
        let effect = |n: usize| children[n]["effects"][0].clone();
        assert_eq!(schema(&effect(4)), "LinearTimeWarp.1");
        assert_eq!(effect(4)["effect_name"], "LinearTimeWarp");
        assert_eq!(effect(4)["time_scalar"], 2.0);
        assert_eq!(effect(6)["time_scalar"], -1.0);
        assert_eq!(schema(&effect(7)), "FreezeFrame.1");
        assert_eq!(effect(7)["time_scalar"], 0.0);
        for n in [4, 6, 7] {
            assert_eq!(children[n]["effects"].as_array().unwrap().len(), 1);
        }
    }

    #[test]
    fn otio_audio_tracks() {
        let t = sample();
        let v = otio_json(&t, s(25));
        let tracks = v["tracks"]["children"].as_array().unwrap();
        let names: Vec<&str> = tracks.iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["V1", "A1", "A2", "A3"]);
        assert!(tracks[1..].iter().all(|t| t["kind"] == "Audio"));
        assert_eq!(
            items(&tracks[1]),
            owned(&[
                ("Clip.1", 250, 87),
                ("Gap.1", 0, 107),
                ("Clip.1", 512, 69),
                ("Gap.1", 0, 25),
                ("Clip.1", 750, 50),
                ("Gap.1", 0, 25),
            ])
        );
        assert_eq!(items(&tracks[2]), owned(&[("Clip.1", 0, 150)]));
        assert_eq!(
            items(&tracks[3]),
            owned(&[("Gap.1", 0, 50), ("Clip.1", 0, 75)])
        );
        assert_eq!(
            tracks[3]["children"][1]["media_reference"]["target_url"],
            "file:///media/voice.wav"
        );
    }

    #[test]
    fn otio_objects_carry_schema_name_and_metadata() {
        fn walk(v: &Value) {
            match v {
                Value::Object(map) => {
                    let schema = map["OTIO_SCHEMA"].as_str().unwrap();
                    if !matches!(schema, "RationalTime.1" | "TimeRange.1") {
                        assert!(map["name"].is_string(), "{schema} has no name");
                        assert!(map["metadata"].is_object(), "{schema} has no metadata");
                    }
                    if matches!(schema, "Clip.1" | "Gap.1" | "Track.1" | "Stack.1") {
                        for key in ["source_range", "effects", "markers", "enabled"] {
                            assert!(map.contains_key(key), "{schema} has no {key}");
                        }
                    }
                    for (key, child) in map {
                        if key != "metadata" {
                            walk(child);
                        }
                    }
                }
                Value::Array(items) => items.iter().for_each(walk),
                _ => {}
            }
        }
        walk(&otio_json(&sample(), s(25)));
    }

    #[test]
    fn otio_missing_reference_and_ntsc_rate() {
        let mut a = event(
            Media::File(MediaRef {
                reel: Some("A001".to_string()),
                clip_name: Some("Interview".to_string()),
                path: None,
            }),
            s(1),
            s(2),
            s(1),
        );
        a.audio = false;
        let t = Timeline {
            events: vec![a],
            ..Timeline::default()
        };
        let v = otio_json(&t, r(30000, 1001));
        let clip = &v["tracks"]["children"][0]["children"][0];
        assert_eq!(schema(&clip["media_reference"]), "MissingReference.1");
        assert_eq!(clip["name"], "Interview");
        let start = &clip["source_range"]["start_time"];
        assert_eq!(start["rate"], 30000.0 / 1001.0);
        // One second is 29.97 frames: the nearest frame is 30.
        assert_eq!(frames_of(start), 30);
        assert_eq!(v["tracks"]["children"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn otio_empty_timeline() {
        let v = otio_json(&Timeline::default(), s(24));
        assert_eq!(v["name"], "reel");
        assert_eq!(v["tracks"]["children"][0]["children"], json!([]));
    }

    fn attr<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> &'a str {
        node.attribute(name)
            .unwrap_or_else(|| panic!("<{}> has no {name}", node.tag_name().name()))
    }

    fn elements<'a, 'i>(node: roxmltree::Node<'a, 'i>) -> Vec<roxmltree::Node<'a, 'i>> {
        node.children().filter(|n| n.is_element()).collect()
    }

    fn find<'a, 'i>(doc: &'a roxmltree::Document<'i>, tag: &str) -> roxmltree::Node<'a, 'i> {
        doc.descendants()
            .find(|n| n.has_tag_name(tag))
            .unwrap_or_else(|| panic!("no <{tag}>"))
    }

    #[test]
    fn fcpxml_header_and_resources() {
        let text = fcpxml(&sample(), s(25), (1920, 1080));
        assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE fcpxml>\n"));
        let doc = roxmltree::Document::parse_with_options(
            &text,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(attr(doc.root_element(), "version"), "1.10");
        let format = find(&doc, "format");
        assert_eq!(attr(format, "frameDuration"), "1/25s");
        assert_eq!(
            (attr(format, "width"), attr(format, "height")),
            ("1920", "1080")
        );

        let assets: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("asset"))
            .collect();
        assert_eq!(assets.len(), 7);
        let b = assets[1];
        assert_eq!(attr(b, "id"), "r3");
        assert_eq!(attr(b, "name"), "my clip & more.mov");
        assert_eq!(attr(b, "start"), "0s");
        // Up to the end of its 5 seconds from 3600 s.
        assert_eq!(attr(b, "duration"), "3605s");
        assert_eq!((attr(b, "hasVideo"), attr(b, "format")), ("1", "r1"));
        let rep = elements(b)[0];
        assert_eq!(attr(rep, "kind"), "original-media");
        assert_eq!(attr(rep, "src"), "file:///media/my%20clip%20%26%20more.mov");
        // The reversed clip's first frame is its latest; the frozen clip
        // holds one frame.
        assert_eq!(attr(assets[3], "duration"), "32s");
        assert_eq!(attr(assets[4], "duration"), "126/25s");
        // Sound-only files have no picture.
        assert_eq!(attr(assets[5], "name"), "music.wav");
        assert!(assets[5].attribute("hasVideo").is_none());
        let effect = find(&doc, "effect");
        assert_eq!(attr(effect, "uid"), CROSS_DISSOLVE_UID);
        assert_eq!(attr(effect, "id"), "r9");

        assert_eq!(attr(find(&doc, "event"), "name"), "Cut <1>");
        let sequence = find(&doc, "sequence");
        assert_eq!(attr(sequence, "duration"), "363/25s");
        assert_eq!(attr(sequence, "tcFormat"), "NDF");
    }

    #[test]
    fn fcpxml_spine() {
        let text = fcpxml(&sample(), s(25), (1920, 1080));
        let doc = roxmltree::Document::parse_with_options(
            &text,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            },
        )
        .unwrap();
        let spine = elements(find(&doc, "spine"));
        let row = |n: roxmltree::Node| {
            (
                n.tag_name().name().to_string(),
                attr(n, "offset").to_string(),
                n.attribute("start").unwrap_or("").to_string(),
                attr(n, "duration").to_string(),
            )
        };
        let rows: Vec<_> = spine.iter().map(|&n| row(n)).collect();
        let expected = [
            ("asset-clip", "0s", "10s", "87/25s"),
            ("transition", "3s", "", "1s"),
            ("asset-clip", "87/25s", "90012/25s", "107/25s"),
            ("transition", "188/25s", "", "12/25s"),
            ("asset-clip", "194/25s", "512/25s", "69/25s"),
            ("gap", "263/25s", "0s", "1s"),
            ("asset-clip", "288/25s", "32s", "2s"),
            ("asset-clip", "338/25s", "5s", "1s"),
        ];
        let expected: Vec<_> = expected
            .iter()
            .map(|&(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
            .collect();
        assert_eq!(rows, expected);

        assert_eq!(attr(spine[0], "ref"), "r2");
        assert_eq!(attr(spine[0], "name"), "a.mov");
        assert!(spine[0].attribute("srcEnable").is_none());
        assert_eq!(attr(spine[2], "srcEnable"), "video");
        assert_eq!(attr(spine[1], "name"), "Cross Dissolve");
        assert_eq!(attr(elements(spine[1])[0], "ref"), "r9");

        let time_map = |n: roxmltree::Node| {
            let map = elements(n)
                .into_iter()
                .find(|c| c.has_tag_name("timeMap"))
                .expect("a timeMap");
            elements(map)
                .iter()
                .map(|p| {
                    assert_eq!(attr(*p, "interp"), "linear");
                    (attr(*p, "time").to_string(), attr(*p, "value").to_string())
                })
                .collect::<Vec<_>>()
        };
        let pairs = |v: &[(&str, &str)]| {
            v.iter()
                .map(|&(a, b)| (a.to_string(), b.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            time_map(spine[4]),
            pairs(&[("512/25s", "512/25s"), ("581/25s", "26s")])
        );
        assert_eq!(time_map(spine[6]), pairs(&[("32s", "32s"), ("34s", "30s")]));
        assert_eq!(time_map(spine[7]), pairs(&[("5s", "5s"), ("6s", "5s")]));
        assert!(!elements(spine[0]).iter().any(|c| c.has_tag_name("timeMap")));
    }

    #[test]
    fn fcpxml_sounds_hang_from_the_spine() {
        let text = fcpxml(&sample(), s(25), (1920, 1080));
        let doc = roxmltree::Document::parse_with_options(
            &text,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            },
        )
        .unwrap();
        let connected: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("asset-clip") && n.attribute("lane").is_some())
            .collect();
        assert_eq!(connected.len(), 2);
        // Both start within the first clip, whose local time starts at 10 s.
        for (n, lane, offset, duration) in [(0, "-1", "10s", "6s"), (1, "-2", "12s", "3s")] {
            let c = connected[n];
            assert_eq!(c.parent().unwrap().attribute("offset"), Some("0s"));
            assert_eq!(attr(c, "lane"), lane);
            assert_eq!(attr(c, "offset"), offset);
            assert_eq!(attr(c, "start"), "0s");
            assert_eq!(attr(c, "duration"), duration);
        }
    }

    #[test]
    fn fcpxml_ntsc_times_and_no_transitions() {
        let t = Timeline {
            events: vec![
                event(Media::File(file("/a.mov")), s(0), r(1001, 1000), s(1)),
                event(Media::File(file("/a.mov")), s(2), r(1001, 500), s(1)),
            ],
            ..Timeline::default()
        };
        let text = fcpxml(&t, r(30000, 1001), (1280, 720));
        let doc = roxmltree::Document::parse_with_options(
            &text,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(attr(find(&doc, "format"), "frameDuration"), "1001/30000s");
        assert!(doc.descendants().all(|n| !n.has_tag_name("effect")));
        assert_eq!(
            doc.descendants()
                .filter(|n| n.has_tag_name("asset"))
                .count(),
            1
        );
        let spine = elements(find(&doc, "spine"));
        assert_eq!(attr(spine[1], "offset"), "1001/1000s");
        assert_eq!(attr(spine[1], "duration"), "1001/500s");
        // Two seconds of source are 59.94 frames: the nearest frame is 60.
        assert_eq!(attr(spine[1], "start"), "1001/500s");
    }

    #[test]
    fn fcpxml_empty_timeline_parses() {
        let text = fcpxml(&Timeline::default(), s(24), (640, 480));
        let doc = roxmltree::Document::parse_with_options(
            &text,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(elements(find(&doc, "spine")).is_empty());
        assert_eq!(attr(find(&doc, "sequence"), "duration"), "0s");
    }

    #[test]
    fn urls_and_escapes() {
        assert_eq!(file_url("/a b/c#d.mov"), "file:///a%20b/c%23d.mov");
        assert_eq!(file_url("/caf\u{e9}.mov"), "file:///caf%C3%A9.mov");
        assert_eq!(file_url("file:///x.mov"), "file:///x.mov");
        assert_eq!(escape("a&b<c>\"'"), "a&amp;b&lt;c&gt;&quot;&apos;");
        assert_eq!(fcp_time(0, s(25)), "0s");
        assert_eq!(fcp_time(50, s(25)), "2s");
        assert_eq!(fcp_time(1, r(24000, 1001)), "1001/24000s");
    }

    #[test]
    fn cmx_events() {
        let text = cmx(&sample(), Rate::parse("25").unwrap());
        let expected = "\
TITLE: Cut <1>
FCM: NON-DROP FRAME

001  A        AA/V  C        00:00:10:00 00:00:13:00 01:00:00:00 01:00:03:00
* FROM CLIP NAME: a.mov
* SOURCE FILE: /media/a.mov

002  A        V     C        00:00:13:00 00:00:13:00 01:00:03:00 01:00:03:00
002  MY_CLIP_ V     D    025 01:00:00:00 01:00:04:13 01:00:03:00 01:00:07:13
* FROM CLIP NAME: a.mov
* SOURCE FILE: /media/a.mov
* TO CLIP NAME: my clip & more.mov
* TO FILE: /media/my clip & more.mov

003  MY_CLIP_ AA/V  C        01:00:04:13 01:00:04:13 01:00:07:13 01:00:07:13
003  C        AA/V  D    012 00:00:20:00 00:00:26:00 01:00:07:13 01:00:10:13
M2   C              050.0                00:00:20:00
* EFFECT NAME: wipeleft
* FROM CLIP NAME: my clip & more.mov
* SOURCE FILE: /media/my clip & more.mov
* TO CLIP NAME: c.mov
* TO FILE: /media/c.mov

004  BL       V     C        00:00:00:00 00:00:01:00 01:00:10:13 01:00:11:13

005  D        AA/V  C        00:00:32:00 00:00:30:00 01:00:11:13 01:00:13:13
M2   D             -025.0                00:00:32:00
* FROM CLIP NAME: d.mov
* SOURCE FILE: /media/d.mov

006  E        V     C        00:00:05:00 00:00:05:00 01:00:13:13 01:00:14:13
M2   E              000.0                00:00:05:00
* FROM CLIP NAME: e.mov
* SOURCE FILE: /media/e.mov

007  MUSIC    AA    C        00:00:00:00 00:00:06:00 01:00:00:00 01:00:06:00
* FROM CLIP NAME: music.wav
* SOURCE FILE: /media/music.wav

008  VOICE    AA    C        00:00:00:00 00:00:03:00 01:00:02:00 01:00:05:00
* FROM CLIP NAME: voice.wav
* SOURCE FILE: /media/voice.wav

";
        assert_eq!(text, expected);
    }

    #[test]
    fn cmx_backwards_event_under_dissolves() {
        let text = cmx(&backwards_sample(), Rate::parse("25").unwrap());
        let lines: Vec<&str> = text.lines().filter(|l| l.starts_with('0')).collect();
        // Its source runs from 14 s back to 10.8 s, and the dissolve out of
        // it starts where it left off.
        assert_eq!(
            lines[2],
            "002  B        AA/V  D    010 00:00:14:00 00:00:10:20 01:00:01:15 01:00:03:05"
        );
        assert_eq!(
            lines[3],
            "003  B        AA/V  C        00:00:10:20 00:00:10:20 01:00:03:05 01:00:03:05"
        );
        assert!(text.contains("M2   B             -050.0                00:00:14:00\n"));
    }

    #[test]
    fn cmx_drop_frame() {
        let mut c = event(Media::File(file("/m/clip.mov")), s(20), s(2), s(2));
        c.audio = false;
        let t = Timeline {
            events: vec![c],
            ..Timeline::default()
        };
        let text = cmx(&t, Rate::parse("29.97df").unwrap());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "TITLE: reel");
        assert_eq!(lines[1], "FCM: DROP FRAME");
        // 20 s is 599.4 frames at 29.97: frame 599, 00:00:19;29. Two
        // seconds are 59.94 frames: 60, twice that of source.
        assert_eq!(
            lines[3],
            "001  CLIP     V     C        00:00:19;29 00:00:23;29 01:00:00;00 01:00:02;00"
        );
        assert_eq!(
            lines[4],
            "M2   CLIP           060.0                00:00:19;29"
        );
        let text = cmx(&t, Rate::parse("29.97").unwrap());
        assert!(text.contains("FCM: NON-DROP FRAME\n"));
        assert!(text.contains(" 01:00:00:00 01:00:02:00\n"));
    }

    #[test]
    fn cmx_wipe_codes() {
        let mut events = Vec::new();
        for kind in ["wiperight", "wipedown", "fadeblack"] {
            let mut e = event(Media::File(file("/m/a.mov")), s(0), s(2), s(1));
            e.transition = Some((kind.to_string(), r(1, 5)));
            events.push(e);
        }
        let mut black = event(Media::Black, s(0), s(1), s(1));
        black.audio = false;
        events.push(black);
        let t = Timeline {
            events,
            ..Timeline::default()
        };
        let text = cmx(&t, Rate::parse("25").unwrap());
        let effects: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with('0'))
            .map(|l| l.split_whitespace().nth(3).unwrap())
            .collect();
        assert_eq!(effects, ["C", "C", "W001", "C", "W002", "C", "D"]);
        assert!(text.contains(" W001 005 "));
        assert!(text.contains("004  BL       V     D    005 00:00:00:00 00:00:01:00"));
        assert_eq!(text.matches("* EFFECT NAME:").count(), 1);
        // Black has no clip or file comments.
        assert!(text.ends_with(
            "00:00:01:00 01:00:05:10 01:00:06:10\n* EFFECT NAME: fadeblack\n\
             * FROM CLIP NAME: a.mov\n* SOURCE FILE: /m/a.mov\n\n"
        ));
    }

    #[test]
    fn cmx_reel_names() {
        let reel = |reel: Option<&str>, clip_name: Option<&str>, path: Option<&str>| {
            cmx_reel(&Media::File(MediaRef {
                reel: reel.map(String::from),
                clip_name: clip_name.map(String::from),
                path: path.map(String::from),
            }))
        };
        assert_eq!(reel(Some("A003C012"), None, Some("/x/y.mov")), "A003C012");
        assert_eq!(reel(None, None, Some("/x/a003c012_220101.mov")), "A003C012");
        assert_eq!(reel(None, None, Some("/x/take 1.mov")), "TAKE_1");
        assert_eq!(reel(Some("my reel"), None, Some("/x/b-2.mxf")), "B_2");
        assert_eq!(reel(None, Some("Interview.mov"), None), "INTERVIE");
        assert_eq!(reel(None, None, None), "AX");
        assert_eq!(cmx_reel(&Media::Black), "BL");
    }

    /// What a reader gives back that an export must keep: for each event
    /// its kind of media and name, source in, length, speed, transition
    /// length and sound; for each sound its place, source in and length.
    type Kept = (
        Vec<(String, Ratio, Ratio, Ratio, Option<Ratio>, bool)>,
        Vec<(Ratio, Ratio, Ratio)>,
    );

    fn kept(t: &Timeline) -> Kept {
        let events = t
            .events
            .iter()
            .map(|e| {
                let name = match &e.media {
                    Media::Black => "black".to_string(),
                    Media::File(m) => media_name(m),
                };
                let fade = e.transition.as_ref().map(|f| f.1);
                (name, e.source_in, e.duration, e.speed, fade, e.audio)
            })
            .collect();
        let mut sounds: Vec<_> = t
            .sounds
            .iter()
            .map(|s| (s.at, s.source_in, s.duration))
            .collect();
        sounds.sort();
        (events, sounds)
    }

    /// The sample without its backwards event, for readers that take a
    /// backwards clip's first frame as its source in.
    fn forwards_sample() -> Timeline {
        let mut t = sample();
        t.events.retain(|e| e.speed >= s(0));
        t
    }

    #[test]
    fn otio_round_trip() {
        for t in [sample(), forwards_sample()] {
            let back = super::super::otio::parse(&otio(&t, s(25))).unwrap();
            assert_eq!(kept(&back), kept(&t));
            assert_eq!(back.name, t.name);
        }
    }

    #[test]
    fn fcpxml_round_trip() {
        let t = forwards_sample();
        let back = super::super::fcpxml::parse(&fcpxml(&t, s(25), (1920, 1080))).unwrap();
        assert_eq!(kept(&back), kept(&t));
        assert_eq!(back.size, Some((1920, 1080)));
        assert_eq!(back.fps, Some(s(25)));
    }

    #[test]
    fn cmx_round_trip() {
        let rate = Rate::parse("25").unwrap();
        let t = sample();
        let back = super::super::cmx::parse(&cmx(&t, rate), rate).unwrap();
        assert_eq!(kept(&back), kept(&t));
        let e = &back.events[1];
        assert_eq!(
            e.media,
            Media::File(MediaRef {
                reel: Some("MY_CLIP_".to_string()),
                clip_name: Some("my clip & more.mov".to_string()),
                path: Some("/media/my clip & more.mov".to_string()),
            })
        );
    }
}
