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
    assert_eq!(a.transition, Some((TransitionKind::Crossfade, f(18))));
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
        Some((TransitionKind::Crossfade, f(12)))
    );
    assert_eq!(t.events[1].duration, f(48));
    assert_eq!(
        t.events[1].transition,
        Some((TransitionKind::Crossfade, f(6)))
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
    assert!(
        e.origin.as_deref().is_some_and(|o| o.contains("\"b\"")),
        "{e}"
    );
    assert!(e.message.contains("too short"), "{e}");
}

#[test]
fn time_warps_set_the_speed() {
    let warp = |s: f64| json!({"OTIO_SCHEMA": "LinearTimeWarp.1", "name": "", "time_scalar": s});
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
    assert!(e.line.is_some_and(|l| l > 1));
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
    assert!(
        e.origin.as_deref().is_some_and(|o| o.contains("\"plate\"")),
        "{e}"
    );
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
    assert_eq!(e.line, Some(3));
    assert_eq!(e.column, Some(11));
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
        Some((TransitionKind::Crossfade, f(5)))
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
    assert_eq!(c.transition, Some((TransitionKind::Crossfade, f(3))));
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

#[test]
fn reel_kinds_are_read_and_unknown_ones_noted() {
    let with_kind = |kind: &str| {
        let mut t = transition(6.0, 6.0);
        t["metadata"] = json!({"reel": {"kind": kind}});
        t
    };
    let text = timeline(vec![track(
        "Video",
        vec![
            clip("a", 10.0, 48.0),
            with_kind("wipeleft"),
            clip("b", 100.0, 48.0),
            with_kind("sparkles"),
            clip("c", 100.0, 48.0),
        ],
    )]);
    let t = parse(&text).unwrap();
    assert_eq!(
        t.events[0].transition,
        Some((TransitionKind::Xfade("wipeleft"), f(12)))
    );
    assert_eq!(
        t.events[1].transition,
        Some((TransitionKind::Crossfade, f(12)))
    );
    assert!(t.notes.iter().any(|n| n.message
        == "transition kind \"sparkles\" is not one reel knows: played as a crossfade"));
}
