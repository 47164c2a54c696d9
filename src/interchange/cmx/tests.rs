use super::lex::{channels, transition, Transition};
use super::*;
use crate::edl::TransitionKind;
use crate::interchange::{Event, Media, MediaRef};
use crate::time::Ratio;
use proptest::prelude::*;

fn rate(text: &str) -> Rate {
    Rate::parse(text).unwrap()
}

fn read(text: &str, fps: &str) -> Timeline {
    match parse(text, rate(fps)) {
        Ok(t) => t,
        Err(es) => panic!("unexpected errors: {es:#?}"),
    }
}

fn errors(text: &str, fps: &str) -> Vec<ImportError> {
    parse(text, rate(fps)).expect_err("errors expected")
}

/// `n` frames at `fps` in seconds.
fn frames(n: i64, fps: i64) -> Ratio {
    Ratio::new(n, fps)
}

fn file(e: &Event) -> &MediaRef {
    match &e.media {
        Media::File(m) => m,
        Media::Black => panic!("{} is black", e.origin),
    }
}

fn clip_name(e: &Event) -> Option<&str> {
    file(e).clip_name.as_deref()
}

fn transition_of(e: &Event) -> Option<(&str, Ratio)> {
    e.transition.as_ref().map(|(k, d)| (k.name(), *d))
}

fn has_note(t: &Timeline, origin: &str, text: &str) -> bool {
    t.notes
        .iter()
        .any(|n| n.origin == origin && n.message.contains(text))
}

#[test]
fn cuts() {
    let t = read(
        "TITLE: Cuts\n\
         FCM: NON-DROP FRAME\n\
         \n\
         001  A003C012 V     C        01:00:10:00 01:00:12:00 01:00:00:00 01:00:02:00\n\
         * FROM CLIP NAME: interview.mov\n\
         * SOURCE FILE: /media/interview.mov\n\
         002  A004C001 B     C        02:00:00:00 02:00:01:12 01:00:02:00 01:00:03:12\n\
         003  AX       AA/V  C        00:00:05:00 00:00:06:00 01:00:03:12 01:00:04:12\n\
         * FROM CLIP NAME: broll.mp4\n",
        "25",
    );
    assert_eq!(t.name.as_deref(), Some("Cuts"));
    assert_eq!(t.fps, Some(Ratio::from_integer(25)));
    assert_eq!(t.events.len(), 3);
    let e = &t.events[0];
    assert_eq!(e.origin, "event 001, reel A003C012, record 01:00:00:00");
    assert_eq!(e.line, 4);
    assert_eq!(
        e.media,
        Media::File(MediaRef {
            reel: Some("A003C012".into()),
            clip_name: Some("interview.mov".into()),
            path: Some("/media/interview.mov".into()),
        })
    );
    assert_eq!(e.source_in, Ratio::from_integer(3610));
    assert_eq!(e.duration, Ratio::from_integer(2));
    assert_eq!(e.speed, Ratio::from_integer(1));
    assert_eq!(e.transition, None);
    assert!(!e.audio);
    let e = &t.events[1];
    assert_eq!(e.line, 7);
    assert_eq!(e.source_in, Ratio::from_integer(7200));
    assert_eq!(e.duration, frames(37, 25));
    assert_eq!(clip_name(e), None);
    assert!(e.audio, "B is picture and sound");
    let e = &t.events[2];
    assert_eq!(file(e).reel.as_deref(), Some("AX"));
    assert_eq!(clip_name(e), Some("broll.mp4"));
    assert_eq!(file(e).path, None);
    assert_eq!(e.source_in, Ratio::from_integer(5));
    assert!(e.audio);
    assert_eq!(t.duration(), frames(112, 25));
    assert!(t.sounds.is_empty());
    assert!(t.notes.is_empty(), "{:?}", t.notes);
}

#[test]
fn dissolve_lengthens_the_outgoing_event() {
    let t = read(
        "001  CLPA V C        00:00:04:17 00:00:07:02 00:00:00:00 00:00:02:09\n\
         * FROM CLIP NAME: a.mov\n\
         002  CLPA V C        00:00:07:02 00:00:07:02 00:00:02:09 00:00:02:09\n\
         002  CLPB V D    027 00:00:06:18 00:00:07:21 00:00:02:09 00:00:03:12\n\
         * FROM CLIP NAME: a.mov\n\
         * TO CLIP NAME: b.mov\n\
         003  CLPB V C        00:00:07:21 00:00:15:21 00:00:03:12 00:00:11:12\n\
         * FROM CLIP NAME: b.mov\n",
        "24",
    );
    assert_eq!(t.events.len(), 3);
    let [a, b, c] = &t.events[..] else {
        unreachable!()
    };
    assert_eq!(a.duration, frames(57 + 27, 24));
    assert_eq!(transition_of(a), Some(("crossfade", frames(27, 24))));
    assert_eq!(clip_name(a), Some("a.mov"));
    assert_eq!(b.duration, frames(27, 24));
    assert_eq!(b.source_in, frames(6 * 24 + 18, 24));
    assert_eq!(
        clip_name(b),
        Some("b.mov"),
        "TO CLIP NAME names the incoming clip"
    );
    assert_eq!(b.line, 4);
    assert_eq!(c.duration, frames(192, 24));
    // Last record out less first record in.
    assert_eq!(t.duration(), frames(11 * 24 + 12, 24));
}

#[test]
fn dissolve_from_another_picture_than_the_event_before() {
    // The outgoing line is not where event 001 ends: its picture plays
    // for the dissolve alone.
    let t = read(
        "001  CLPA V C        01:00:00:00 01:00:02:00 01:00:00:00 01:00:02:00\n\
         002  CLPX V C        05:00:00:00 05:00:00:00 01:00:02:00 01:00:02:00\n\
         002  CLPB V D    024 02:00:00:00 02:00:03:00 01:00:02:00 01:00:05:00\n\
         * FROM CLIP NAME: x.mov\n\
         * TO CLIP NAME: b.mov\n",
        "24",
    );
    assert_eq!(t.events.len(), 3);
    assert_eq!(t.events[0].duration, Ratio::from_integer(2));
    assert_eq!(t.events[0].transition, None);
    let x = &t.events[1];
    assert_eq!(file(x).reel.as_deref(), Some("CLPX"));
    assert_eq!(clip_name(x), Some("x.mov"));
    assert_eq!(x.source_in, Ratio::from_integer(5 * 3600));
    assert_eq!(x.duration, Ratio::from_integer(1));
    assert_eq!(x.line, 2);
    assert_eq!(
        transition_of(x),
        Some(("crossfade", Ratio::from_integer(1)))
    );
    assert_eq!(clip_name(&t.events[2]), Some("b.mov"));
    assert_eq!(t.duration(), Ratio::from_integer(5));
}

#[test]
fn dissolve_whose_first_line_has_a_length() {
    let t = read(
        "001  001 B C        02:00:00:00 02:00:05:00 01:00:00:00 01:00:05:00\n\
         001  002 B D    030 03:00:00:00 03:00:05:00 01:00:05:00 01:00:10:00\n",
        "30",
    );
    assert_eq!(t.events.len(), 2);
    assert_eq!(t.events[0].duration, Ratio::from_integer(6));
    assert_eq!(
        transition_of(&t.events[0]),
        Some(("crossfade", Ratio::from_integer(1)))
    );
    assert_eq!(t.events[1].duration, Ratio::from_integer(5));
    assert!(t.events.iter().all(|e| e.audio));
    assert_eq!(t.duration(), Ratio::from_integer(10));
}

#[test]
fn fades_from_and_to_black() {
    let t = read(
        "001  BL   V C        00:00:00:00 00:00:00:00 01:00:00:00 01:00:00:00\n\
         001  CLPA V D    012 00:00:02:02 00:00:03:04 01:00:00:00 01:00:01:02\n\
         002  CLPA V C        00:00:03:04 00:00:03:04 01:00:01:02 01:00:01:02\n\
         002  BL   V D    012 00:00:00:00 00:00:00:12 01:00:01:02 01:00:01:14\n",
        "24",
    );
    assert_eq!(t.events.len(), 3);
    assert_eq!(t.events[0].media, Media::Black);
    assert_eq!(t.events[0].duration, frames(12, 24));
    assert_eq!(
        transition_of(&t.events[0]),
        Some(("crossfade", frames(12, 24)))
    );
    assert_eq!(t.events[1].duration, frames(26 + 12, 24));
    assert_eq!(
        transition_of(&t.events[1]),
        Some(("crossfade", frames(12, 24)))
    );
    assert_eq!(t.events[2].media, Media::Black);
    assert_eq!(t.events[2].duration, frames(12, 24));
    assert_eq!(t.duration(), frames(38, 24));
}

#[test]
fn wipes() {
    let edl = |code: &str| {
        format!(
            "001  TST V C        01:00:04:05 01:00:04:14 01:00:00:00 01:00:00:09\n\
             002  TST V C        01:00:04:14 01:00:04:14 01:00:00:09 01:00:00:09\n\
             002  TST V {code} 010 01:00:08:08 01:00:08:18 01:00:00:09 01:00:00:19\n\
             * EFFECTS NAME IS SOME WIPE\n"
        )
    };
    let t = read(&edl("W001"), "24");
    assert_eq!(t.events[0].duration, frames(19, 24));
    assert_eq!(
        transition_of(&t.events[0]),
        Some(("wiperight", frames(10, 24)))
    );
    assert!(has_note(&t, "event 002", "rendered as a wiperight"));
    let t = read(&edl("W002"), "24");
    assert_eq!(transition_of(&t.events[0]).unwrap().0, "wipedown");
    let t = read(&edl("W123"), "24");
    assert_eq!(transition_of(&t.events[0]).unwrap().0, "crossfade");
    assert!(has_note(
        &t,
        "event 002",
        "wipe code W123 is not one reel knows: rendered as a crossfade"
    ));
    assert_eq!(t.duration(), frames(19, 24));
}

#[test]
fn wipe_kinds_are_xfade_transitions() {
    let mut known = 0;
    for code in 0..1000 {
        if let Some(kind) = wipe_kind(code) {
            assert!(
                crate::edl::XFADE.contains(&kind.name()),
                "W{code:03} → {}",
                kind.name()
            );
            known += 1;
        }
    }
    assert_eq!(known, 12);
    assert_eq!(wipe_kind(1), Some(TransitionKind::Xfade("wiperight")));
    assert_eq!(wipe_kind(21), Some(TransitionKind::Xfade("vertopen")));
    assert_eq!(wipe_kind(7), None);
}

#[test]
fn m2_speeds() {
    let t = read(
        "001  A V C        01:00:00:00 01:00:02:00 01:00:00:00 01:00:01:00\n\
         M2   A       050.0                01:00:00:00\n\
         002  B V C        01:00:00:00 01:00:01:00 01:00:01:00 01:00:02:00\n\
         M2   B       -25.0                01:00:00:00\n\
         003  C V C        01:00:05:00 01:00:05:01 01:00:02:00 01:00:03:00\n\
         M2   C       000.0                01:00:05:00\n\
         * FROM CLIP NAME: C (LAY1) FF\n\
         * * FREEZE FRAME\n",
        "25",
    );
    let speeds: Vec<Ratio> = t.events.iter().map(|e| e.speed).collect();
    assert_eq!(
        speeds,
        [2, -1, 0].map(Ratio::from_integer),
        "2x, reverse, freeze"
    );
    assert_eq!(t.events[0].source_in, Ratio::from_integer(3600));
    assert_eq!(t.events[1].source_in, Ratio::from_integer(3600));
    // The freeze holds its source in frame.
    assert_eq!(t.events[2].source_in, Ratio::from_integer(3605));
    assert_eq!(t.events[2].duration, Ratio::from_integer(1));
    assert_eq!(clip_name(&t.events[2]), Some("C (LAY1)"));
    assert_eq!(t.duration(), Ratio::from_integer(3));
}

#[test]
fn m2_at_ntsc_rates_and_rounded_source_outs() {
    // 2x at 29.97 is written with one decimal.
    let t = read(
        "001  A V C        01:00:00:00 01:00:02:00 01:00:00:00 01:00:01:00\n\
         M2   A       059.9                01:00:00:00\n",
        "29.97",
    );
    assert_eq!(t.events[0].speed, Ratio::from_integer(2));
    // An NLE's source out may be a frame or so short of in + length × speed.
    let t = read(
        "005  Z V C        01:00:06:00 01:00:08:22 01:11:31:16 01:11:33:04\n\
         M2   Z       047.6                01:00:06:00\n",
        "24",
    );
    assert_eq!(t.events[0].speed, Ratio::new(476, 240));
    assert_eq!(t.events[0].duration, frames(36, 24));
}

#[test]
fn m2_length_mismatch_is_an_error() {
    let es = errors(
        "001  A V C        01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n\
         M2   A       050.0                01:00:00:00\n",
        "25",
    );
    assert_eq!(es.len(), 1);
    assert_eq!(es[0].line, Some(1));
    assert_eq!(es[0].origin.as_deref(), Some("event 001"));
    assert!(
        es[0]
            .message
            .contains("25 frames need about 50.0 source frames")
            && es[0].message.contains("the source runs 25 frames"),
        "{}",
        es[0].message
    );
}

#[test]
fn drop_frame_at_29_97() {
    let text = "FCM: DROP FRAME\n\
                001  A V C        00:00:59;00 00:01:00;02 01:00:00;00 01:00:01;00\n\
                002  B V C        00:00:59:00 00:01:00:02 01:00:01:00 01:00:02:00\n\
                FCM: NON-DROP FRAME\n\
                003  C V C        00:00:59:00 00:01:00:00 01:00:02;00 01:00:03;00\n";
    let t = read(text, "29.97");
    let fps = Ratio::new(30000, 1001);
    assert_eq!(t.events.len(), 3);
    for e in &t.events {
        assert_eq!(e.duration, Ratio::from_integer(30) / fps);
    }
    assert_eq!(t.events[0].source_in, Ratio::from_integer(1770) / fps);
    assert_eq!(t.events[1].source_in, Ratio::from_integer(1770) / fps);
    assert_eq!(t.events[2].source_in, Ratio::from_integer(1770) / fps);
    assert_eq!(t.duration(), Ratio::from_integer(90) / fps);
    // The rate's own drop flag applies until an FCM line.
    let t = read(
        "001  A V C        00:00:59:00 00:01:00:02 00:00:00:00 00:00:01:00\n",
        "29.97df",
    );
    assert_eq!(t.events[0].duration, Ratio::from_integer(30) / fps);
    // Frame numbers drop frame skips do not exist.
    let es = errors(
        "FCM: DROP FRAME\n\
         001  A V C        00:01:00;00 00:01:01;00 01:00:00;00 01:00:01;00\n",
        "29.97",
    );
    assert!(es[0].message.contains("does not exist"), "{}", es[0]);
    assert_eq!(es[0].line, Some(2));
}

#[test]
fn drop_frame_at_59_94() {
    let t = read(
        "FCM: DROP FRAME\n\
         001  A V C        01:00:00;00 01:00:01;00 00:10:00;00 00:10:01;00\n",
        "59.94",
    );
    let fps = Ratio::new(60000, 1001);
    assert_eq!(t.events[0].source_in, Ratio::from_integer(215784) / fps);
    assert_eq!(t.events[0].duration, Ratio::from_integer(60) / fps);
}

#[test]
fn black_reels_and_gaps() {
    let t = read(
        "001  BL    V C 00:00:00:00 00:00:00:00 01:00:00:00 01:00:01:00\n\
         002  black V C 00:00:00:00 00:00:01:00 01:00:01:00 01:00:02:00\n\
         003  A     V C 01:00:00:00 01:00:01:00 01:00:02:00 01:00:03:00\n\
         004  B     V C 01:00:00:00 01:00:01:00 01:00:03:12 01:00:04:12\n",
        "25",
    );
    let media: Vec<bool> = t.events.iter().map(|e| e.media == Media::Black).collect();
    assert_eq!(media, [true, true, false, true, false]);
    assert_eq!(t.events[0].source_in, Ratio::from_integer(0));
    let gap = &t.events[3];
    assert_eq!(gap.origin, "black gap before event 004");
    assert_eq!(gap.line, 4);
    assert_eq!(gap.duration, frames(12, 25));
    assert_eq!(t.duration(), frames(112, 25));
}

#[test]
fn audio_events() {
    let t = read(
        "001  A V  C 01:00:00:00 01:00:02:00 01:00:00:00 01:00:02:00\n\
         002  A A  C 01:00:00:00 01:00:02:00 01:00:00:00 01:00:02:00\n\
         003  M AA C 00:00:10:00 00:00:11:00 01:00:00:12 01:00:01:12\n\
         * FROM CLIP NAME: music.wav\n\
         004  B V  C 01:00:00:00 01:00:01:00 01:00:02:00 01:00:03:00\n\
         AUD  3    4\n\
         005  C V  C 01:00:00:00 01:00:01:00 01:00:03:00 01:00:04:00\n\
         006  N A2 C 01:00:00:00 01:00:01:00 01:00:03:00 01:00:04:00\n",
        "25",
    );
    assert_eq!(t.events.len(), 3);
    assert!(t.events[0].audio, "the A line on its span");
    assert!(t.events[1].audio, "AUD channels");
    assert!(!t.events[2].audio, "another reel's sound on the same span");
    assert_eq!(t.sounds.len(), 2);
    let s = &t.sounds[0];
    assert_eq!(s.origin, "event 003, reel M, record 01:00:00:12");
    assert_eq!(s.line, 3);
    assert_eq!(s.media.clip_name.as_deref(), Some("music.wav"));
    assert_eq!(s.media.reel.as_deref(), Some("M"));
    assert_eq!(s.source_in, Ratio::from_integer(10));
    assert_eq!(s.at, frames(12, 25));
    assert_eq!(s.duration, Ratio::from_integer(1));
    assert_eq!(t.sounds[1].at, Ratio::from_integer(3));
    assert_eq!(t.duration(), Ratio::from_integer(4));
}

#[test]
fn sounds_before_the_picture_or_retimed() {
    let t = read(
        "001  M A  C 00:00:00:00 00:00:02:00 00:59:59:00 01:00:01:00\n\
         002  A V  C 01:00:00:00 01:00:02:00 01:00:00:00 01:00:02:00\n\
         003  N A  C 00:00:00:00 00:00:02:00 01:00:00:00 01:00:01:00\n\
         M2   N       050.0                00:00:00:00\n",
        "25",
    );
    assert_eq!(t.sounds.len(), 1);
    let s = &t.sounds[0];
    assert_eq!(s.source_in, Ratio::from_integer(1));
    assert_eq!(s.at, Ratio::from_integer(0));
    assert_eq!(s.duration, Ratio::from_integer(1));
    assert!(has_note(&t, "event 001", "before the first picture event"));
    assert!(has_note(
        &t,
        "event 003",
        "dropped: the sound of reel N at M2 speed 050.0"
    ));
    // Sound only: the timeline starts at the first sound.
    let t = read(
        "001  AX AA C 00:00:00:00 00:00:02:00 00:00:05:00 00:00:07:00\n",
        "25",
    );
    assert!(t.events.is_empty());
    assert_eq!(t.sounds[0].at, Ratio::from_integer(0));
    assert_eq!(t.sounds[0].duration, Ratio::from_integer(2));
}

#[test]
fn markers_colour_keys_and_effects_become_notes() {
    let t = read(
        "TITLE: Notes\n\
         001  A V C   01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n\
         * LOC: 01:00:00:12 RED check this\n\
         *ASC_SOP (1.0 1.0 1.0)(0.0 0.0 0.0)(1.0 1.0 1.0)\n\
         * ASC_SAT 1.0\n\
         * EFFECTS NAME IS FLOP\n\
         002  B V K B 01:00:00:00 01:00:01:00 01:00:01:00 01:00:02:00\n\
         002  G V K   00:00:00:00 00:00:01:00 01:00:01:00 01:00:02:00\n\
         SPLIT:    AUDIO DELAY=  00:00:00:12\n\
         003  C V C   01:00:00:00 01:00:01:00 01:00:02:00 01:00:03:00\n\
         >>> SOURCE C C.MOV\n\
         REM a remark\n\
         * a plain comment\n",
        "25",
    );
    assert_eq!(t.events.len(), 3);
    assert_eq!(file(&t.events[1]).reel.as_deref(), Some("B"));
    assert!(has_note(
        &t,
        "event 001",
        "dropped: marker 01:00:00:12 RED check this"
    ));
    assert!(has_note(
        &t,
        "event 001",
        "dropped: colour decision ASC_SOP"
    ));
    assert!(has_note(
        &t,
        "event 001",
        "dropped: colour decision ASC_SAT 1.0"
    ));
    assert!(has_note(&t, "event 001", "dropped: effect \"FLOP\""));
    assert!(has_note(&t, "event 002", "dropped: key (K) of reel G"));
    assert!(has_note(&t, "", "split edit not applied"));
    assert!(has_note(
        &t,
        "",
        "line not understood, ignored: \">>> SOURCE C C.MOV\""
    ));
    assert_eq!(t.notes.len(), 7, "{:#?}", t.notes);
    assert!(t.notes.windows(2).all(|w| w[0].line <= w[1].line));
}

#[test]
fn ax_reels_take_their_file_from_the_comments() {
    let t = read(
        "001  AX V C 00:00:00:00 00:00:01:00 00:00:00:00 00:00:01:00\n\
         * FROM CLIP NAME: a.mov\n\
         * SOURCE FILE: /media/a.mov\n\
         002  AX V C 00:00:00:00 00:00:01:00 00:00:01:00 00:00:02:00\n\
         * FROM CLIP: /media/b.mov\n\
         003  AX V C 00:00:00:00 00:00:01:00 00:00:02:00 00:00:03:00\n",
        "24",
    );
    assert_eq!(file(&t.events[0]).path.as_deref(), Some("/media/a.mov"));
    assert_eq!(clip_name(&t.events[0]), Some("a.mov"));
    assert_eq!(file(&t.events[1]).path.as_deref(), Some("/media/b.mov"));
    assert_eq!(
        file(&t.events[2]),
        &MediaRef {
            reel: Some("AX".into()),
            clip_name: None,
            path: None
        }
    );
}

#[test]
fn every_error_is_reported() {
    let es = errors(
        "001  A V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n\
         002  B V C 01:00:00:00 01:00:01:0x 01:00:01:00 01:00:02:00\n\
         003  C V C 01:00:00:00 01:00:00:25 01:00:02:00 01:00:02:25\n\
         004  D X C 01:00:00:00 01:00:01:00 01:00:03:00 01:00:04:00\n\
         005  E V C 01:00:00:00 01:00:01:00 01:00:04:00\n\
         006  F V C 01:00:00:00 01:00:01:00 01:00:06:00 01:00:05:00\n\
         007  G V C 01:00:00:00 01:00:02:00 01:00:06:00 01:00:07:00\n\
         008  H V Z 01:00:00:00 01:00:01:00 01:00:07:00 01:00:08:00\n\
         009  I V D 01:00:00:00 01:00:01:00 01:00:08:00 01:00:09:00\n",
        "25",
    );
    let mut lines: Vec<Option<usize>> = es.iter().map(|e| e.line).collect();
    lines.sort();
    assert_eq!(lines, [2, 3, 3, 4, 5, 6, 7, 8, 9].map(Some));
    for e in &es {
        let line = e.line.unwrap_or(0);
        assert_eq!(e.origin, Some(format!("event {line:03}")), "{e}");
    }
    let message = |line: usize| -> Vec<&str> {
        es.iter()
            .filter(|e| e.line == Some(line))
            .map(|e| e.message.as_str())
            .collect()
    };
    assert!(message(2)[0].contains("source out: malformed timecode \"01:00:01:0x\""));
    assert!(message(3)[0].contains("frame 25 is past the rate (0..24 at 25 fps)"));
    assert!(message(3)[1].starts_with("record out:"));
    assert!(message(4)[0].contains("unknown channel field \"X\""));
    assert!(message(5)[0].contains("only 7 fields"));
    assert!(message(6)[0].contains("record out 01:00:05:00 is before record in 01:00:06:00"));
    assert!(message(7)[0].contains("the source runs 50 frames"));
    assert!(message(7)[0].contains("the record 25 frames"));
    assert!(message(8)[0].contains("unknown transition \"Z\""));
    assert!(message(9)[0].contains("dissolve \"D\" has no length"));
    assert_eq!(es.len(), 9, "{es:#?}");
    assert_eq!(
        es[0].to_string(),
        "line 2: event 002: source out: malformed timecode \"01:00:01:0x\" (expected \
         HH:MM:SS:FF, or HH:MM:SS;FF for drop frame)"
    );
}

#[test]
fn overlaps_and_bad_transitions_are_errors() {
    let es = errors(
        "001  A V C 01:00:00:00 01:00:02:00 01:00:00:00 01:00:02:00\n\
         002  B V C 01:00:00:00 01:00:01:00 01:00:01:00 01:00:02:00\n",
        "25",
    );
    assert_eq!(es.len(), 1);
    assert_eq!(
        (es[0].line, es[0].origin.as_deref()),
        (Some(2), Some("event 002"))
    );
    assert!(
        es[0].message.contains(
            "record in 01:00:01:00 is before the end of the picture before it (01:00:02:00)"
        ),
        "{}",
        es[0]
    );
    // A dissolve longer than the event it goes into.
    let es = errors(
        "001  A V C     01:00:00:00 01:00:02:00 01:00:00:00 01:00:02:00\n\
         002  A V C     01:00:02:00 01:00:02:00 01:00:02:00 01:00:02:00\n\
         002  B V D 030 01:00:00:00 01:00:00:10 01:00:02:00 01:00:02:10\n",
        "25",
    );
    assert!(es[0]
        .message
        .contains("lasts 30 frames, longer than the incoming event (10 frames)"));
    // The two lines of a dissolve must meet.
    let es = errors(
        "001  A V C     01:00:00:00 01:00:02:00 01:00:00:00 01:00:02:00\n\
         002  A V C     01:00:02:00 01:00:02:00 01:00:02:00 01:00:02:00\n\
         002  B V D 010 01:00:00:00 01:00:01:00 01:00:03:00 01:00:04:00\n",
        "25",
    );
    assert!(
        es[0]
            .message
            .contains("its outgoing line ends at 01:00:02:00"),
        "{}",
        es[0]
    );
}

#[test]
fn fcm_lines() {
    let es = errors(
        "FCM: DROP FRAME\n\
         001  A V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n",
        "25",
    );
    assert_eq!(es.len(), 1);
    assert_eq!(es[0].line, Some(1));
    assert!(es[0].message.contains("read at 25 fps"), "{}", es[0]);
    let es = errors("FCM: SOMETIMES\n", "25");
    assert!(es[0].message.contains("unknown FCM \"SOMETIMES\""));
}

#[test]
fn field_parsers() {
    assert_eq!(channels("V"), Some((true, false)));
    assert_eq!(channels("B"), Some((true, true)));
    for audio in ["A", "A2", "A4", "AA", "a3"] {
        assert_eq!(channels(audio), Some((false, true)), "{audio}");
    }
    for both in ["A/V", "AA/V", "A2/V"] {
        assert_eq!(channels(both), Some((true, true)), "{both}");
    }
    for bad in ["X", "VV", "AB", "A/X", ""] {
        assert_eq!(channels(bad), None, "{bad}");
    }
    assert_eq!(transition(&["C"]), Ok(Transition::Cut));
    assert_eq!(
        transition(&["D", "030"]),
        Ok(Transition::Mix {
            wipe: None,
            frames: 30
        })
    );
    assert_eq!(
        transition(&["W019", "030"]),
        Ok(Transition::Mix {
            wipe: Some(19),
            frames: 30
        })
    );
    assert_eq!(transition(&["K", "B"]), Ok(Transition::KeyBackground));
    assert_eq!(transition(&["KB"]), Ok(Transition::KeyBackground));
    assert_eq!(transition(&["K"]), Ok(Transition::Key));
    assert_eq!(transition(&["KO", "010"]), Ok(Transition::Key));
    assert!(transition(&["W", "010"]).is_err());
    assert!(transition(&["D", "x"]).is_err());
    assert!(transition(&["D", "010", "3"]).is_err());
}

#[test]
fn sniffing() {
    assert_eq!(sniff("TITLE: x\n"), Ok(()));
    assert_eq!(
        sniff("001  A V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\r\n"),
        Ok(())
    );
    assert_eq!(
        sniff("\u{feff}* comment\n001  A V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00"),
        Ok(())
    );
    let err = |text: &str| sniff(text).unwrap_err().to_string();
    assert_eq!(err(""), "the file is empty");
    assert_eq!(err(" \n\n"), "the file is empty");
    assert_eq!(
        err("12.5 20.3 0\n30 45.25 3\n"),
        "this looks like an MPlayer/comskip EDL (lines of seconds), not a CMX3600 EDL"
    );
    assert!(err("\0\u{1}ELF").contains("binary"));
    assert!(err("<?xml version=\"1.0\"?>\n<fcpxml version=\"1.9\">").contains("FCPXML file"));
    assert!(err("<?xml version=\"1.0\"?>\n<xmeml>").contains("Final Cut Pro 7"));
    assert!(err("<?xml version=\"1.0\"?>\n<doc/>").contains("looks like XML (FCPXML?)"));
    assert!(err("{\"OTIO_SCHEMA\": \"Timeline.1\"}").contains("OpenTimelineIO (.otio) file"));
    assert!(err("{\"a\": 1}").contains("looks like JSON"));
    let e = err("hello\nworld\n");
    assert!(
        e.contains("no TITLE: line") && e.contains("\"hello\""),
        "{e}"
    );
}

/// The third-party samples in the shared folder, when it is there.
fn sample(name: &str) -> Option<String> {
    let path = std::path::Path::new("/work/shared/interchange/samples").join(name);
    path.exists()
        .then(|| std::fs::read_to_string(path).expect("readable"))
}

fn lengths(t: &Timeline, fps: i64) -> Vec<i64> {
    t.events
        .iter()
        .map(|e| (e.duration * fps).to_integer())
        .collect()
}

#[test]
fn sample_screening() {
    let Some(text) = sample("screening_example.edl") else {
        return;
    };
    assert_eq!(sniff(&text), Ok(()));
    let t = read(&text, "24");
    assert_eq!(t.name.as_deref(), Some("Example_Screening.01"));
    assert_eq!(lengths(&t, 24), [31, 50, 28, 115, 101, 161, 170, 136, 257]);
    assert_eq!(clip_name(&t.events[0]), Some("ZZ100_501 (LAY3)"));
    assert_eq!(
        file(&t.events[0]).path.as_deref(),
        Some("ZZ100_501.LAY3.01")
    );
    assert_eq!(clip_name(&t.events[8]), Some("ZZ100_510B (LAY1)"));
    let markers = t
        .notes
        .iter()
        .filter(|n| n.message.contains("marker"))
        .count();
    assert_eq!(markers, 3);
    assert!(has_note(&t, "event 004", "ANIM FIX NEEDED"));
}

#[test]
fn sample_dissolves_and_wipe() {
    if let Some(text) = sample("dissolve_test.edl") {
        let t = read(&text, "24");
        assert_eq!(lengths(&t, 24), [19, 10, 1]);
        assert_eq!(
            transition_of(&t.events[0]),
            Some(("crossfade", frames(10, 24)))
        );
        assert_eq!(clip_name(&t.events[0]), Some("clip_A"));
        assert_eq!(clip_name(&t.events[1]), Some("clip_B"));
        assert_eq!(t.duration(), frames(20, 24));
    }
    if let Some(text) = sample("dissolve_test_3.edl") {
        let t = read(&text, "24");
        assert_eq!(lengths(&t, 24), [61, 30, 30, 46]);
        let names: Vec<_> = t.events.iter().map(clip_name).collect();
        assert_eq!(
            names,
            [
                Some("Clip_A.mov"),
                Some("Clip_B.mov"),
                Some("Clip_C.mov"),
                Some("Clip_D.mov")
            ]
        );
        assert_eq!(
            transition_of(&t.events[1]),
            Some(("crossfade", frames(30, 24)))
        );
        assert_eq!(
            t.events[2].source_in,
            frames(rate("24").to_frames("01:00:33:22").unwrap(), 24)
        );
        assert_eq!(t.duration(), frames(5 * 24 + 17, 24));
    }
    if let Some(text) = sample("dissolve_test_4.edl") {
        let t = read(&text, "24");
        assert_eq!(lengths(&t, 24), [30, 51, 35, 81, 64, 84, 96, 135]);
        assert_eq!(
            transition_of(&t.events[2]),
            Some(("crossfade", frames(35, 24)))
        );
        assert_eq!(
            transition_of(&t.events[4]),
            Some(("crossfade", frames(64, 24)))
        );
    }
    if let Some(text) = sample("wipe_test.edl") {
        let t = read(&text, "24");
        assert_eq!(lengths(&t, 24), [19, 10, 1]);
        assert_eq!(
            transition_of(&t.events[0]),
            Some(("wiperight", frames(10, 24)))
        );
    }
}

#[test]
fn sample_gaps_speeds_and_25_fps() {
    if let Some(text) = sample("gap_test.edl") {
        let t = read(&text, "24");
        assert_eq!(lengths(&t, 24), [24, 16, 24, 38, 24]);
        assert_eq!(t.events[1].media, Media::Black);
        assert_eq!(t.events[3].media, Media::Black);
        assert_eq!(t.duration(), frames(5 * 24 + 6, 24));
        assert_eq!(clip_name(&t.events[2]), Some("shot2"));
    }
    if let Some(text) = sample("speed_effects_small.edl") {
        let t = read(&text, "24");
        let retimed: Vec<_> = t
            .events
            .iter()
            .filter(|e| e.speed != Ratio::from_integer(1))
            .map(|e| (clip_name(e), e.speed, (e.duration * 24).to_integer()))
            .collect();
        assert_eq!(
            retimed,
            [
                (Some("Z682_156 (LAY3)"), Ratio::from_integer(0), 17),
                (Some("Z682_157 (LAY2)"), Ratio::from_integer(0), 1),
                (Some("Z686_5A (LAY2) (47.56 FPS)"), Ratio::new(476, 240), 36),
            ]
        );
    }
    if let Some(text) = sample("25fps.edl") {
        let t = read(&text, "25");
        assert_eq!(lengths(&t, 25), [161, 200, 86, 49]);
    }
}

#[test]
fn sample_audio_and_colour() {
    if let Some(text) = sample("multi_audio.edl") {
        let t = read(&text, "24");
        assert!(t.events.is_empty());
        assert_eq!(t.sounds.len(), 1);
        let length = rate("24").to_frames("00:56:55:22").unwrap();
        assert_eq!(t.sounds[0].duration, frames(length, 24));
    }
    if let Some(text) = sample("cdl.edl") {
        let t = read(&text, "24");
        assert_eq!(t.events.len(), 2);
        let colour = t
            .notes
            .iter()
            .filter(|n| n.message.contains("colour decision"))
            .count();
        assert_eq!(colour, 4);
    }
    if let Some(text) = sample("pycmx_test_25.edl") {
        let t = read(&text, "25");
        assert_eq!(t.duration(), frames(2 * 60 * 25 + 40 * 25 + 22, 25));
        assert_eq!(t.sounds.len(), 2);
        let reverse = t
            .events
            .iter()
            .find(|e| e.speed < Ratio::from_integer(0))
            .unwrap();
        assert_eq!(reverse.speed, Ratio::from_integer(-1));
        assert!(reverse.audio, "the AA line with the same span and speed");
        let dissolve = t.events.iter().find(|e| e.transition.is_some()).unwrap();
        assert_eq!(transition_of(dissolve), Some(("crossfade", frames(70, 25))));
        assert!(has_note(&t, "event 007", "audio wipe W001"));
    }
}

/// One generated event: a cut after a gap, or a dissolve into it.
#[derive(Debug, Clone)]
enum Step {
    Cut { gap: i64, length: i64 },
    Dissolve { frames: i64, length: i64 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0i64..50, 1i64..200).prop_map(|(gap, length)| Step::Cut { gap, length }),
        (1i64..30, 0i64..100).prop_map(|(frames, more)| Step::Dissolve {
            frames,
            length: frames + more
        }),
    ]
}

proptest! {
    #[test]
    fn the_timeline_spans_the_record_time(
        first in 1i64..200,
        steps in prop::collection::vec(step(), 0..12),
        fps in prop::sample::select(vec!["24", "25", "29.97df", "59.94"]),
    ) {
        let r = rate(fps);
        let tc = |f: i64| r.from_frames(f);
        let start = r.to_frames("01:00:00:00").unwrap();
        let mut text = String::new();
        let mut line = |n: usize, reel: &str, tr: &str, src: i64, len: i64, rec: i64| {
            text += &format!(
                "{n:03}  {reel} V {tr} {} {} {} {}\n",
                tc(src),
                tc(src + len),
                tc(rec),
                tc(rec + len)
            );
        };
        // Each reel's source starts at 10:00:00:00 and runs on.
        let src = r.to_frames("10:00:00:00").unwrap();
        line(1, "R1", "C    ", src, first, start);
        let (mut pos, mut src_end, mut events) = (start + first, src + first, 1);
        for (i, s) in steps.iter().enumerate() {
            let n = i + 2;
            let reel = format!("R{n}");
            match *s {
                Step::Cut { gap, length } => {
                    line(n, &reel, "C    ", src, length, pos + gap);
                    events += 1 + usize::from(gap > 0);
                    pos += gap + length;
                }
                Step::Dissolve { frames, length } => {
                    let from = format!("R{}", n - 1);
                    line(n, &from, "C    ", src_end, 0, pos);
                    line(n, &reel, &format!("D {frames:03}"), src, length, pos);
                    events += 1;
                    pos += length;
                }
            }
            src_end = src + match *s {
                Step::Cut { length, .. } | Step::Dissolve { length, .. } => length,
            };
        }
        let t = parse(&text, r).map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
        prop_assert_eq!(t.events.len(), events, "{}", text);
        prop_assert_eq!(t.duration(), r.seconds(pos - start), "{}", text);
        for e in &t.events {
            prop_assert!(e.duration > Ratio::from_integer(0));
        }
    }
}

#[test]
fn reel_transition_kinds_written_as_effect_names_are_read_back() {
    let t = read(
        "001  A V C     00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n\
         002  A V C     00:00:01:00 00:00:01:00 01:00:01:00 01:00:01:00\n\
         002  B V D 010 00:00:00:00 00:00:01:00 01:00:01:00 01:00:02:00\n\
         * EFFECT NAME: wipeleft\n\
         003  C V C     00:00:00:00 00:00:01:00 01:00:02:00 01:00:03:00\n\
         * EFFECT NAME: SPARKLES\n",
        "25",
    );
    assert_eq!(transition_of(&t.events[0]).unwrap().0, "wipeleft");
    assert!(has_note(
        &t,
        "event 003",
        "dropped: effect \"EFFECT NAME: SPARKLES\""
    ));
    assert_eq!(t.notes.len(), 1);
}
