//! OpenTimelineIO JSON.

use super::layout::{file_name, file_url, frames, media_name, pieces, sound_lanes, Fade};
use crate::interchange::{Media, MediaRef, Timeline};
use crate::time::Ratio;
use serde_json::{json, Value};

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
        "metadata": { "reel": { "kind": f.kind.name() } },
        "name": f.kind.name(),
        "transition_type": "SMPTE_Dissolve",
        "in_offset": otio_time(f.before, fps),
        "out_offset": otio_time(f.after, fps),
    })
}
