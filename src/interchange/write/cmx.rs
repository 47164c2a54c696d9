//! CMX3600 EDLs.

use super::layout::{file_name, media_name, source_at};
use crate::edl::TransitionKind;
use crate::interchange::timecode::Rate;
use crate::interchange::{Event, Media, SoundEvent, Timeline};
use crate::time::{round, Ratio};
use std::fmt::Write;

/// The SMPTE wipe code (CMX `Wnnn`) the CMX reader takes for a reel
/// transition kind, if any.
fn wipe_code(kind: TransitionKind) -> Option<u32> {
    (1..1000).find(|&code| crate::interchange::cmx::wipe_kind(code) == Some(kind))
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
    let hour = rate
        .to_frames("01:00:00:00")
        .expect("01:00:00:00 is a timecode at every rate");
    let mut w = Writer {
        x: String::new(),
        rate,
        hour,
        number: 0,
        start: hour,
    };
    writeln!(w.x, "TITLE: {}", t.name.as_deref().unwrap_or("reel")).unwrap();
    let drop = rate.drop && rate.can_drop();
    let fcm = if drop { "DROP FRAME" } else { "NON-DROP FRAME" };
    writeln!(w.x, "FCM: {fcm}\n").unwrap();
    w.events(&t.events);
    w.sounds(&t.sounds);
    w.x
}

/// The EDL as it is written, event by event.
struct Writer {
    x: String,
    rate: Rate,
    /// Record frame of 01:00:00:00, where the timeline starts.
    hour: i64,
    /// The number of the last event written.
    number: u32,
    /// Record frame where the current picture event starts.
    start: i64,
}

impl Writer {
    fn frames(&self, seconds: Ratio) -> i64 {
        round(seconds * self.rate.fps)
    }

    fn tc(&self, frames: i64) -> String {
        self.rate.from_frames(frames)
    }

    /// An event line of the current event, `length` record frames from its
    /// start.
    fn line(&mut self, reel: &str, channels: &str, effect: &str, source: (i64, i64), length: i64) {
        let number = self.number;
        let (start, end) = (self.tc(self.start), self.tc(self.start + length));
        let (source_in, source_out) = (self.tc(source.0), self.tc(source.1));
        writeln!(
            self.x,
            "{number:03}  {reel:<8} {channels:<5} {effect:<8} {source_in} {source_out} {start} {end}"
        )
        .unwrap()
    }

    /// The picture events, each with the transition into it.
    fn events(&mut self, events: &[Event]) {
        // The previous event and its source out.
        let mut previous: Option<(&Event, i64)> = None;
        for e in events {
            self.number += 1;
            let fade = e
                .transition
                .as_ref()
                .map_or(Ratio::from_integer(0), |f| f.1);
            let length = self.frames(e.duration) - self.frames(fade);
            let source = cmx_source(e, length, self.rate);
            let reel = cmx_reel(&e.media);
            let channels = if e.audio { "AA/V" } else { "V" };
            let incoming = previous.and_then(|(p, out)| Some((p, out, p.transition.as_ref()?)));
            let comments = match incoming {
                Some((from, at, (kind, duration))) => {
                    self.line(&cmx_reel(&from.media), channels, "C", (at, at), 0);
                    let d = self.frames(*duration);
                    let effect = match wipe_code(*kind) {
                        Some(code) => format!("W{code:03} {d:03}"),
                        None => format!("D    {d:03}"),
                    };
                    self.line(&reel, channels, &effect, source, length);
                    let mut comments = Vec::new();
                    if *kind != TransitionKind::Crossfade && wipe_code(*kind).is_none() {
                        comments.push(format!("* EFFECT NAME: {}", kind.name()));
                    }
                    comments.extend(media_comments(&from.media, "FROM CLIP NAME", "SOURCE FILE"));
                    comments.extend(media_comments(&e.media, "TO CLIP NAME", "TO FILE"));
                    comments
                }
                None => {
                    self.line(&reel, channels, "C", source, length);
                    media_comments(&e.media, "FROM CLIP NAME", "SOURCE FILE")
                }
            };
            if e.speed != Ratio::from_integer(1) {
                self.m2(&reel, e.speed, source.0);
            }
            for comment in comments {
                writeln!(self.x, "{comment}").unwrap();
            }
            self.x.push('\n');
            self.start += length;
            previous = Some((e, source.1));
        }
    }

    /// The `M2` line of an event at `speed`, in frames per timecode second.
    fn m2(&mut self, reel: &str, speed: Ratio, source_in: i64) {
        let fps = speed * self.rate.nominal();
        let fps = *fps.numer() as f64 / *fps.denom() as f64;
        let fps = if fps < 0.0 {
            format!("-{:05.1}", -fps)
        } else {
            format!("{fps:05.1}")
        };
        let tc = self.tc(source_in);
        writeln!(self.x, "M2   {reel:<8}      {fps:>6}                {tc}").unwrap();
    }

    /// The sounds, as `AA` events in the order they start.
    fn sounds(&mut self, sounds: &[SoundEvent]) {
        let mut sounds: Vec<&SoundEvent> = sounds.iter().collect();
        sounds.sort_by_key(|s| s.at);
        for s in sounds {
            self.number += 1;
            let source = self.frames(s.source_in);
            let (at, length) = (self.hour + self.frames(s.at), self.frames(s.duration));
            writeln!(
                self.x,
                "{:03}  {:<8} AA    C        {} {} {} {}",
                self.number,
                cmx_reel(&Media::File(s.media.clone())),
                self.tc(source),
                self.tc(source + length),
                self.tc(at),
                self.tc(at + length)
            )
            .unwrap();
            writeln!(self.x, "* FROM CLIP NAME: {}", media_name(&s.media)).unwrap();
            if let Some(path) = &s.media.path {
                writeln!(self.x, "* SOURCE FILE: {path}").unwrap();
            }
            self.x.push('\n');
        }
    }
}

/// The comments naming one side's clip and file (`FROM CLIP NAME` and
/// `SOURCE FILE`, or `TO CLIP NAME` and `TO FILE`); none for black.
fn media_comments(media: &Media, clip: &str, file: &str) -> Vec<String> {
    let mut comments = Vec::new();
    if let Media::File(m) = media {
        comments.push(format!("* {clip}: {}", media_name(m)));
        if let Some(path) = &m.path {
            comments.push(format!("* {file}: {path}"));
        }
    }
    comments
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
pub(super) fn cmx_reel(media: &Media) -> String {
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
