//! CMX3600 EDLs.

use super::layout::{file_name, media_name, source_at};
use crate::interchange::timecode::Rate;
use crate::interchange::{Event, Media, SoundEvent, Timeline};
use crate::time::{round, Ratio};
use std::fmt::Write;

/// The SMPTE wipe code (CMX `Wnnn`) the CMX reader takes for a reel
/// transition kind, if any.
fn wipe_code(kind: &str) -> Option<u32> {
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
