use super::read::parse_time;
use super::*;
use crate::edl::TransitionKind;
use crate::interchange::{Event, Media};
use crate::time::Ratio;
use std::time::{Duration, Instant};

const SAMPLE: &str = "/work/shared/interchange/samples/fcpx_project.fcpxml";

fn s(n: i64) -> Ratio {
    Ratio::from_integer(n)
}

fn path(e: &Event) -> Option<&str> {
    match &e.media {
        Media::File(m) => m.path.as_deref(),
        Media::Black => None,
    }
}

/// A document with one project whose spine is `spine`.
fn document(version: &str, spine: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE fcpxml>
<fcpxml version="{version}">
  <resources>
<format id="r1" name="FFVideoFormat1080p2997" frameDuration="1001/30000s" width="1920" height="1080"/>
<asset id="r2" name="A" start="3600s" duration="100s" hasVideo="1" hasAudio="1" format="r1">
  <media-rep kind="original-media" src="file:///media/A.mov"/>
</asset>
<asset id="r3" name="B" start="0s" duration="100s" hasVideo="1" format="r1" src="file:///media/B.mov"/>
<asset id="r4" name="Music" start="0s" duration="300s" hasAudio="1" src="file:///media/music.wav"/>
  </resources>
  <library>
<event name="Day 1">
  <project name="Cut">
    <sequence format="r1" tcStart="0s">
      <spine>
{spine}
      </spine>
    </sequence>
  </project>
</event>
  </library>
</fcpxml>
"#
    )
}

const SPINE: &str = r#"            <asset-clip name="Interview" ref="r2" offset="0s" start="3610s" duration="5s">
          <asset-clip name="Score" ref="r4" lane="-1" offset="3611s" start="2s" duration="3s"/>
          <title name="Lower third" lane="1" offset="3610s" duration="2s">
            <text><text-style ref="ts1">Jane Doe</text-style></text>
          </title>
        </asset-clip>
        <transition name="Cross Dissolve" offset="4s" duration="2s"/>
        <asset-clip name="Fast" ref="r3" offset="5s" start="20s" duration="4s">
          <timeMap>
            <timept time="0s" value="0s" interp="linear"/>
            <timept time="100s" value="200s" interp="linear"/>
          </timeMap>
        </asset-clip>
        <gap name="Gap" offset="9s" start="3600s" duration="1s"/>
        <asset-clip name="Backwards" ref="r3" offset="10s" start="2s" duration="2s">
          <timeMap>
            <timept time="0s" value="50s"/>
            <timept time="50s" value="0s"/>
          </timeMap>
        </asset-clip>"#;

#[test]
fn spine_with_gap_transition_and_speeds() {
    let text = document("1.10", SPINE);
    let t = parse(&text).unwrap();
    assert_eq!(t.name.as_deref(), Some("Cut"));
    assert_eq!(t.fps, Some(Ratio::new(30000, 1001)));
    assert_eq!(t.size, Some((1920, 1080)));
    assert_eq!(t.events.len(), 4);
    let [interview, fast, gap, backwards] = &t.events[..] else {
        unreachable!()
    };
    // The dissolve spans 4 s to 6 s around the edit at 5 s: 1 s each side.
    assert_eq!(path(interview), Some("file:///media/A.mov"));
    assert_eq!(interview.source_in, s(3610));
    assert_eq!(interview.duration, s(5 + 1));
    assert_eq!(
        interview.transition,
        Some((TransitionKind::Crossfade, s(2)))
    );
    assert!(interview.audio);
    assert_eq!(interview.origin, "asset-clip \"Interview\" (spine item 1)");
    let line = text
        .lines()
        .position(|l| l.contains("\"Interview\""))
        .unwrap()
        + 1;
    assert_eq!(interview.line, line);
    assert_eq!(path(fast), Some("file:///media/B.mov"));
    assert_eq!(fast.speed, s(2));
    // Source 40 s at its cut, reached 1 s (2 s of source) earlier.
    assert_eq!(fast.source_in, s(40 - 2));
    assert_eq!(fast.duration, s(4 + 1));
    assert!(!fast.audio);
    assert_eq!(gap.media, Media::Black);
    assert_eq!(gap.duration, s(1));
    assert_eq!(backwards.speed, s(-1));
    // Played backwards from 48 s for 2 s: its earliest frame is at 46 s.
    assert_eq!(backwards.source_in, s(46));
    assert_eq!(backwards.duration, s(2));
    assert_eq!(t.duration(), s(5 + 4 + 1 + 2));

    assert_eq!(t.sounds.len(), 1);
    let score = &t.sounds[0];
    assert_eq!(score.media.path.as_deref(), Some("file:///media/music.wav"));
    assert_eq!(score.at, s(1));
    assert_eq!(score.source_in, s(2));
    assert_eq!(score.duration, s(3));

    assert_eq!(t.notes.len(), 1, "{:?}", t.notes);
    assert!(t.notes[0].message.contains("\"Jane Doe\""), "{:?}", t.notes);
}

#[test]
fn clips_take_their_picture_and_in_sync_sound() {
    let spine = r#"            <clip name="Synced" offset="0s" start="10s" duration="5s">
          <video ref="r2" offset="0s" start="3600s" duration="100s"/>
          <audio ref="r2" lane="-1" offset="10s" start="3600s" duration="5s"/>
        </clip>
        <clip name="Split" offset="5s" duration="5s">
          <video ref="r2" offset="0s" start="3600s" duration="100s"/>
          <audio ref="r2" lane="-1" offset="1s" start="3601s" duration="4s"/>
        </clip>
        <ref-clip name="Compound" ref="r9" offset="10s" duration="2s"/>"#;
    let t = parse(&document("1.9", spine)).unwrap();
    assert_eq!(t.events.len(), 3);
    assert_eq!(t.events[0].source_in, s(3610));
    assert!(t.events[0].audio);
    assert_eq!(t.events[1].source_in, s(3600));
    assert!(!t.events[1].audio);
    assert_eq!(t.events[2].media, Media::Black);
    assert_eq!(t.events[2].duration, s(2));
    assert!(t.sounds.is_empty());
    assert_eq!(t.notes.len(), 2, "{:?}", t.notes);
    assert!(t.notes[0].message.contains("split edit"));
    assert!(t.notes[1].message.contains("compound"));
}

#[test]
fn xml_syntax_errors_give_line_and_column() {
    let text = "<fcpxml version=\"1.10\">\n  <resources>\n  </resourcs>\n</fcpxml>\n";
    let e = parse(text).unwrap_err();
    assert_eq!((e.line, e.column), (Some(3), Some(3)));
    assert!(e.message.starts_with("not valid XML"), "{e}");
    assert!(!e.message.contains("3:3"), "{e}");
}

#[test]
fn entity_bomb_is_refused_quickly() {
    let mut text =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE fcpxml [\n<!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let previous = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        let body = format!("&{previous};").repeat(10);
        text.push_str(&format!("<!ENTITY lol{i} \"{body}\">\n"));
    }
    text.push_str("]>\n<fcpxml version=\"1.10\">&lol9;</fcpxml>\n");
    let started = Instant::now();
    let e = parse(&text).unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(500));
    assert_eq!(e.line, Some(3));
    assert!(e.message.contains("<!ENTITY"), "{e}");
}

#[test]
fn deep_nesting_is_refused_before_parsing() {
    let text = format!(
        "<fcpxml version=\"1.10\">{}{}</fcpxml>",
        "<a>".repeat(100_000),
        "</a>".repeat(100_000)
    );
    let started = Instant::now();
    let e = parse(&text).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(e.message.contains("nested more than 256"), "{e}");
}

#[test]
fn versions_outside_the_range_are_noted_or_refused() {
    let t = parse(&document("1.6", SPINE)).unwrap();
    assert!(t.notes.iter().any(|n| n.message.contains("FCPXML 1.6")));
    for version in ["2.0", "1.4", "one"] {
        let e = parse(&document(version, SPINE)).unwrap_err();
        assert!(e.message.contains("1.8 to 1.11"), "{e}");
    }
}

#[test]
fn transitions_must_span_their_edit_point() {
    let spine = r#"            <asset-clip ref="r3" offset="0s" duration="5s"/>
        <transition name="Cross Dissolve" offset="5.5s" duration="1s"/>
        <asset-clip ref="r3" offset="5s" duration="5s"/>"#;
    let e = parse(&document("1.10", spine)).unwrap_err();
    assert!(e.message.contains("edit point"), "{e}");
}

#[test]
fn times_are_exact() {
    assert_eq!(parse_time("1001/30000s"), Some(Ratio::new(1001, 30000)));
    assert_eq!(parse_time("5s"), Some(s(5)));
    assert_eq!(parse_time("0s"), Some(s(0)));
    assert_eq!(parse_time("1/0s"), None);
    assert_eq!(parse_time("5"), None);
}

#[test]
fn sample_project() {
    let Ok(text) = std::fs::read_to_string(SAMPLE) else {
        return;
    };
    let t = parse(&text).unwrap();
    assert_eq!(t.name.as_deref(), Some("OpenTimeline_Project"));
    assert_eq!(t.fps, Some(s(30)));
    assert_eq!(t.size, Some((1920, 1080)));
    // 14 spine items, one of them a transition.
    assert_eq!(t.events.len(), 13);
    // Cross Dissolve at 9.5 s for 1 s around the edit at 10 s.
    let first = &t.events[0];
    assert_eq!(path(first), Some("file:///Volumes/Media/otio/IMG_0715.MOV"));
    assert_eq!(first.duration, Ratio::new(21, 2));
    assert_eq!(first.transition, Some((TransitionKind::Crossfade, s(1))));
    assert!(first.audio);
    assert_eq!(t.events[1].media, Media::Black);
    assert_eq!(t.events[1].duration, Ratio::new(21, 2));
    // Compound clips (ref-clip) are black.
    assert_eq!(t.events[8].media, Media::Black);
    assert_eq!(t.events[8].duration, s(30));
    // IMG_0233's sound is connected from 5 s on: not in sync.
    assert!(!t.events[9].audio);
    assert_eq!(t.events[10].source_in, Ratio::new(37600, 3000));
    assert!(t.events[10].audio);
    assert_eq!(t.events[11].source_in, Ratio::new(23200, 3000));
    assert!(t.events[11].audio);
    assert_eq!(t.duration(), s(150));
    assert!(t.notes.iter().any(|n| n.message.contains("\"Marker 1\"")));
    assert!(t.notes.iter().any(|n| n.message.contains("IMG_0857")));
}
