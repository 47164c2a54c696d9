use super::cmx::cmx_reel;
use super::fcpxml::{escape, fcp_time, CROSS_DISSOLVE_UID};
use super::layout::{file_url, media_name, pieces};
use super::*;
use crate::edl::TransitionKind;
use crate::interchange::timecode::Rate;
use crate::interchange::transition_kind;
use crate::interchange::{Event, Media, MediaRef, SoundEvent, Timeline};
use crate::time::Ratio;
use serde_json::{json, Value};

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
    a.transition = Some((TransitionKind::Crossfade, s(1)));
    let mut b = event(
        Media::File(file("/media/my clip & more.mov")),
        s(3600),
        s(5),
        s(1),
    );
    b.transition = Some((TransitionKind::Xfade("wipeleft"), r(12, 25)));
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
    assert_eq!(
        (fade.kind, fade.before, fade.after),
        (TransitionKind::Crossfade, 12, 13)
    );
    let fade = p[1].fade.as_ref().unwrap();
    assert_eq!(
        (fade.kind, fade.before, fade.after),
        (TransitionKind::Xfade("wipeleft"), 6, 6)
    );
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
    let fade = Some((TransitionKind::Crossfade, r(10, 25)));
    let mut a = event(Media::File(file("/a.mov")), s(0), s(2), s(1));
    a.transition = fade;
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
        e.transition = Some((transition_kind(kind).unwrap(), r(1, 5)));
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
        let back = crate::interchange::otio::parse(&otio(&t, s(25))).unwrap();
        assert_eq!(kept(&back), kept(&t));
        assert_eq!(back.name, t.name);
    }
}

#[test]
fn fcpxml_round_trip() {
    let t = forwards_sample();
    let back = crate::interchange::fcpxml::parse(&fcpxml(&t, s(25), (1920, 1080))).unwrap();
    assert_eq!(kept(&back), kept(&t));
    assert_eq!(back.size, Some((1920, 1080)));
    assert_eq!(back.fps, Some(s(25)));
}

#[test]
fn cmx_round_trip() {
    let rate = Rate::parse("25").unwrap();
    let t = sample();
    let back = crate::interchange::cmx::parse(&cmx(&t, rate), rate).unwrap();
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
