//! A planned montage written out for an NLE: its clips, transitions,
//! speeds and sounds as an [`interchange::Timeline`], then as OTIO, CMX3600
//! or FCPXML by the output's extension. Source times are given in each
//! media's own timecode, as NLEs count them.

use crate::error::{Error, Result};
use crate::interchange::{self, timecode::Rate, Event, Format, Media, MediaRef, Note, Timeline};
use crate::plan::{ClipPlan, PictureSource, Plan};
use crate::probe;
use crate::time::Ratio;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The text of `plan` in the format `out`'s extension names, and what it
/// cannot carry (text layers, grades, motion...), one line each.
pub fn export(plan: &Plan, out: &Path) -> Result<(String, Vec<String>)> {
    let format = Format::of(out).ok_or_else(|| {
        Error::Usage(format!(
            "{}: reel exports .otio, .edl (CMX3600) or .fcpxml",
            out.display()
        ))
    })?;
    let t = timeline_of(plan);
    let fps = plan.output.fps;
    let text = match format {
        Format::Otio => interchange::write::otio(&t, fps),
        Format::Cmx3600 => interchange::write::cmx(&t, Rate { fps, drop: false }),
        Format::Fcpxml => {
            interchange::write::fcpxml(&t, fps, (plan.output.width, plan.output.height))
        }
    };
    let notes = t
        .notes
        .iter()
        .map(|n| format!("{}: {}", n.origin, n.message))
        .collect();
    Ok((text, notes))
}

/// The montage as an interchange timeline.
pub fn timeline_of(plan: &Plan) -> Timeline {
    let fps = plan.output.fps;
    let rate = Rate { fps, drop: false };
    let mut starts = TimecodeStarts::default();
    let mut t = Timeline {
        name: plan
            .output
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned()),
        fps: Some(fps),
        size: Some((plan.output.width, plan.output.height)),
        ..Timeline::default()
    };
    for c in &plan.clips {
        let tc = c
            .source
            .file()
            .map_or(Ratio::from_integer(0), |p| starts.get(p, rate));
        t.events.extend(events_of(c, fps, tc, &mut t.notes));
    }
    if !plan.layers.items.is_empty() {
        t.notes.push(Note {
            line: 0,
            origin: String::new(),
            message: format!(
                "{} text layers, captions and overlays are not written (render with the EDL as --settings)",
                plan.layers.items.len()
            ),
        });
    }
    let sr = Ratio::from_integer(plan.audio.sample_rate as i64);
    for (kind, regions) in [
        ("voiceover", &plan.audio.voiceovers),
        ("music", &plan.audio.music),
    ] {
        for (i, r) in regions.iter().enumerate() {
            t.sounds.push(interchange::SoundEvent {
                origin: format!("{kind} {}", i + 1),
                line: 0,
                media: media_ref(&r.source),
                source_in: r.source_start + starts.get(&r.source, rate),
                at: Ratio::from_integer(r.timeline.start as i64) / sr,
                duration: Ratio::from_integer(r.len() as i64) / sr,
            });
        }
    }
    t
}

/// Timecode starts of the sources, probed once each.
#[derive(Default)]
struct TimecodeStarts(BTreeMap<PathBuf, Ratio>);

impl TimecodeStarts {
    fn get(&mut self, path: &Path, rate: Rate) -> Ratio {
        *self.0.entry(path.to_path_buf()).or_insert_with(|| {
            probe::probe(path)
                .ok()
                .and_then(|p| p.timecode)
                .and_then(|tc| rate.to_frames(&tc).ok())
                .map_or(Ratio::from_integer(0), |f| rate.seconds(f))
        })
    }
}

fn media_ref(path: &Path) -> MediaRef {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    MediaRef {
        reel: None,
        clip_name: abs.file_name().map(|n| n.to_string_lossy().into_owned()),
        path: Some(abs.display().to_string()),
    }
}

/// A clip as events: one, or three around a freeze's hold (played, held,
/// played on).
fn events_of(c: &ClipPlan, fps: Ratio, tc: Ratio, notes: &mut Vec<Note>) -> Vec<Event> {
    let secs = |frames: u64| Ratio::from_integer(frames as i64) / fps;
    let origin = format!("clip {} ({})", c.number, c.source_text);
    let transition = (c.fade_out > 0).then(|| (c.transition, secs(c.fade_out)));
    let mut dropped = Vec::new();
    if c.eq.is_some() || c.lut.is_some() {
        dropped.push("its grade (eq, lut)");
    }
    if c.geometry.crop.is_some() {
        dropped.push("its crop");
    }
    if c.motion.is_some() {
        dropped.push("its motion");
    }
    if !dropped.is_empty() {
        notes.push(Note {
            line: c.line,
            origin: origin.clone(),
            message: format!("not written: {}", dropped.join(", ")),
        });
    }
    let base = Event {
        origin: origin.clone(),
        line: c.line,
        media: Media::Black,
        source_in: Ratio::from_integer(0),
        duration: secs(c.frames()),
        speed: Ratio::from_integer(1),
        transition,
        audio: false,
    };
    let (PictureSource::Video(path) | PictureSource::Still(path)) = &c.source else {
        if c.source.card() != Some([0, 0, 0]) {
            notes.push(Note {
                line: c.line,
                origin,
                message: "a coloured card is written as black".into(),
            });
        }
        return vec![base];
    };
    let speed = if c.reverse { -c.speed } else { c.speed };
    let clip = Event {
        media: Media::File(media_ref(path)),
        source_in: c.start + tc,
        speed,
        audio: c.volume > 0.0 && c.audio.is_some(),
        ..base
    };
    let Some(h) = c.freeze else {
        return vec![clip];
    };
    if c.reverse {
        notes.push(Note {
            line: c.line,
            origin,
            message: "the freeze of a backwards clip is written as part of its playing time".into(),
        });
        return vec![clip];
    }
    // Played up to and with the held frame, held, then played on.
    let at = |m: u64| c.start + tc + c.nominal_source_time(m, fps);
    let first = Event {
        duration: secs(h.at + 1),
        transition: None,
        ..clip.clone()
    };
    let held = Event {
        source_in: at(h.at),
        duration: secs(h.frames),
        speed: Ratio::from_integer(0),
        transition: None,
        ..clip.clone()
    };
    let mut out = vec![first, held];
    if c.played > h.at + 1 {
        out.push(Event {
            source_in: at(h.at + 1),
            duration: secs(c.played - h.at - 1),
            ..clip
        });
    } else if let Some(last) = out.last_mut() {
        last.transition = transition;
    }
    out
}
