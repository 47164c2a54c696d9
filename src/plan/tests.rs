use super::segments::cut_point;
use super::testing::{edl, graphics, probe};
use super::*;
use crate::edl::{AudioCurve, Fit};
use crate::probe::{Probe, ProbeError};

/// `n` clips with the given keys, crossfading 0.5 s into each other.
fn crossfaded(n: usize, clip: &str) -> Edl {
    let mut body =
        String::from("[defaults]\ntransition = { kind = \"crossfade\", duration = 0.5 }\n");
    for _ in 0..n {
        body.push_str(&format!("[[clip]]\nsource = \"a\"\n{clip}"));
    }
    edl(&body)
}

const THREE: &str = "[defaults]\ntransition = { kind = \"crossfade\", duration = 0.5 }\n\
    [[clip]]\nsource = \"a\"\nin = 1\nout = 3\n\
    [[clip]]\nsource = \"b\"\nin = 0\nout = 2.5\n\
    [[clip]]\nsource = \"c\"\nin = \"00:00:01:15\"\nduration = 1\n";

#[test]
fn shards_cover_every_unit_once_balanced_and_the_same_every_time() {
    let costs = [90, 10, 40, 40, 30, 30, 5, 70, 20, 1];
    for n in 1..=6 {
        let owner = assign(&costs, n);
        assert_eq!(owner, assign(&costs, n), "deterministic");
        assert!(owner.iter().all(|&s| s < n));
        let mut load = vec![0u64; n];
        for (i, &s) in owner.iter().enumerate() {
            load[s] += costs[i];
        }
        // Greedy largest-first: no shard exceeds the mean by more than
        // the largest unit.
        let total: u64 = costs.iter().sum();
        let max = *load.iter().max().unwrap();
        assert!(max <= total / n as u64 + 90, "{n}: {load:?}");
        assert_eq!(load.iter().sum::<u64>(), total);
    }
    assert_eq!(assign(&[5, 5, 5, 5], 2), [0, 1, 0, 1]);
}

#[test]
fn frame_counts_follow_the_rule() {
    let e = edl(THREE);
    let probes = vec![
        probe("a", 10, 30, true),
        probe("b", 10, 25, false),
        probe("c", 10, 30, true),
    ];
    let p = plan(&e, &probes, &[], &[], &graphics()).unwrap();
    // 60 + 75 + 30 frames, minus two 15-frame crossfades.
    assert_eq!(p.frames, 60 + 75 + 30 - 30);
    assert_eq!(p.clips[2].start, Ratio::new(3, 2));
    assert_eq!(p.clips[1].timeline, 45..120);
    assert_eq!(p.audio.samples, p.frames * 1600);
    // Segments tile the timeline with no gap or overlap.
    let mut next = 0;
    for s in &p.segments {
        assert_eq!(s.frames.start, next);
        next = s.frames.end;
    }
    assert_eq!(next, p.frames);
    // Clip b has no audio, so only a and c contribute.
    assert_eq!(p.audio.clips.len(), 2);
    assert_eq!(p.audio.clips[1].timeline.start, 105 * 1600);
    assert_eq!(
        p.audio.clips[1].fade_in,
        Fade {
            samples: 15 * 1600,
            curve: AudioCurve::EqualPower
        }
    );
    // Clip a starts the montage and ends in a crossfade; clip c ends it
    // with a cut: a 5 ms declick.
    assert_eq!(p.audio.clips[0].fade_in.samples, 240);
    assert_eq!(p.audio.clips[1].fade_out.samples, 240);
    assert_eq!(p.audio.clips[1].fade_out.curve, AudioCurve::Linear);
}

#[test]
fn fade_gains_follow_the_curves() {
    let eq = Fade {
        samples: 3,
        curve: AudioCurve::EqualPower,
    };
    let lin = Fade {
        samples: 3,
        curve: AudioCurve::Linear,
    };
    // w = 1/4, 2/4, 3/4
    assert!((lin.gain_in(1) - 0.5).abs() < 1e-12);
    for i in 0..3 {
        // Equal power: the outgoing gain at step i is the incoming gain
        // at step n-1-i, and the powers sum to 1.
        let (a, b) = (eq.gain_in(i), eq.gain_in(2 - i));
        assert!((a * a + b * b - 1.0).abs() < 1e-12);
        assert!((lin.gain_in(i) + lin.gain_in(2 - i) - 1.0).abs() < 1e-12);
    }
}

#[test]
fn output_fades_start_and_end_black() {
    let mut e = edl(THREE);
    e.output.fade_in = Ratio::new(1, 2);
    e.output.fade_out = Ratio::from_integer(1);
    let probes = vec![
        probe("a", 10, 30, true),
        probe("b", 10, 25, true),
        probe("c", 10, 30, true),
    ];
    let p = plan(&e, &probes, &[], &[], &graphics()).unwrap();
    assert_eq!((p.fade_in, p.fade_out), (15, 30));
    assert_eq!(p.fade(0), Some((15, 15)));
    assert_eq!(p.fade(14), Some((1, 15)));
    assert_eq!(p.fade(15), None);
    assert_eq!(p.fade(p.frames - 31), None);
    assert_eq!(p.fade(p.frames - 30), Some((1, 30)));
    assert_eq!(p.fade(p.frames - 1), Some((30, 30)));
    assert_eq!(p.audio.fade_in, 15 * 1600);
    assert_eq!(p.audio.fade_out, 30 * 1600);
}

#[test]
fn crossfade_weights_follow_the_rule() {
    let e = edl(THREE);
    let probes = vec![
        probe("a", 10, 30, true),
        probe("b", 10, 25, true),
        probe("c", 10, 30, true),
    ];
    let p = plan(&e, &probes, &[], &[], &graphics()).unwrap();
    assert_eq!(p.compose(44), Compose::One { clip: 0, local: 44 });
    assert_eq!(
        p.compose(45),
        Compose::Blend {
            from: 0,
            from_local: 45,
            to: 1,
            to_local: 0,
            step: 1,
            steps: 16
        }
    );
    assert_eq!(
        p.compose(59),
        Compose::Blend {
            from: 0,
            from_local: 59,
            to: 1,
            to_local: 14,
            step: 15,
            steps: 16
        }
    );
    assert_eq!(p.compose(60), Compose::One { clip: 1, local: 15 });
    assert_eq!(p.compose(p.frames - 1), Compose::One { clip: 2, local: 29 });
}

#[test]
fn timing_errors_name_the_clip() {
    let e = edl("[[clip]]\nsource = \"a\"\nin = 1\nout = 12\n\
         transition = { kind = \"crossfade\", duration = 2 }\n\
         [[clip]]\nsource = \"b\"\nin = 0\nout = 1\n");
    let probes = vec![probe("a", 10, 30, true), probe("b", 10, 30, true)];
    let err = plan(&e, &probes, &[], &[], &graphics())
        .unwrap_err()
        .to_string();
    assert!(err.contains("clip 1 (a, [[clip]] at line 5)"), "{err}");
    assert!(
        err.contains("past the end of the source (duration 0:00:10.000)"),
        "{err}"
    );

    let e = edl("[[clip]]\nsource = \"a\"\nin = 1\nout = 3\n\
         transition = { kind = \"crossfade\", duration = 2 }\n\
         [[clip]]\nsource = \"b\"\nin = 0\nout = 1\n");
    let err = plan(&e, &probes, &[], &[], &graphics())
        .unwrap_err()
        .to_string();
    assert!(err.contains("t.toml:9:1: clip 1"), "{err}");
    assert!(err.contains("longer than clip 2 (30 frames)"), "{err}");
}

#[test]
fn overlapping_transitions_are_refused() {
    let e = edl(
        "[defaults]\ntransition = { kind = \"crossfade\", duration = 0.6 }\n\
         [[clip]]\nsource = \"a\"\nout = 1\n[[clip]]\nsource = \"b\"\nout = 1\n\
         [[clip]]\nsource = \"c\"\nout = 1\n",
    );
    let probes = vec![
        probe("a", 10, 30, true),
        probe("b", 10, 30, true),
        probe("c", 10, 30, true),
    ];
    let err = plan(&e, &probes, &[], &[], &graphics())
        .unwrap_err()
        .to_string();
    assert!(err.contains("overlaps the previous transition"), "{err}");
    assert!(err.contains("clip 2 (b,"), "{err}");
}

#[test]
fn voiceover_past_the_end_is_refused() {
    let e = edl(
        "[[clip]]\nsource = \"a\"\nout = 2\n[[voiceover]]\nsource = \"v\"\nat = 1.5\nduration = 1\n",
    );
    let probes = vec![probe("a", 10, 30, true)];
    let err = plan(&e, &probes, &[probe("v", 10, 30, true)], &[], &graphics())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("voiceover 1 (v, [[voiceover]] at line 8)"),
        "{err}"
    );
    assert!(
        err.contains("past the end of the montage (0:00:02.000)"),
        "{err}"
    );
}

#[test]
fn missing_sources_are_all_reported() {
    let e = edl("[[clip]]\nsource = \"a\"\n[[clip]]\nsource = \"b\"\n");
    let probes = vec![
        Err(ProbeError::NotFound("a".into())),
        Err(ProbeError::NotFound("b".into())),
    ];
    let err = Diagnostics::from(plan(&e, &probes, &[], &[], &graphics()).unwrap_err());
    assert_eq!(err.0.len(), 2);
}

#[test]
fn geometry_keeps_the_display_aspect() {
    // 4:3 into 16:9: pillarbox.
    let g = geometry(640, 480, Ratio::from_integer(1), 1920, 1080, Fit::Contain);
    assert_eq!(g.scaled, (1440, 1080));
    assert_eq!(g.offset, (240, 0));
    // Vertical into 16:9.
    let g = geometry(1080, 1920, Ratio::from_integer(1), 1920, 1080, Fit::Contain);
    assert_eq!(g.scaled, (608, 1080));
    // Anamorphic 720x576 with SAR 64:45 is 16:9.
    let g = geometry(720, 576, Ratio::new(64, 45), 1920, 1080, Fit::Contain);
    assert_eq!(g.scaled, (1920, 1080));
    // Cover crops the overflow.
    let g = geometry(640, 480, Ratio::from_integer(1), 1920, 1080, Fit::Cover);
    assert_eq!(g.scaled, (1920, 1440));
    assert_eq!(g.offset, (0, 180));
    let g = geometry(640, 480, Ratio::from_integer(1), 1920, 1080, Fit::Stretch);
    assert_eq!(g.scaled, (1920, 1080));
}

#[test]
fn range_texts_name_whole_frames_within_the_montage() {
    let e = edl("[[clip]]\nsource = \"a\"\nout = 4\n");
    let p = plan(&e, &[probe("a", 10, 30, false)], &[], &[], &graphics()).unwrap();
    assert_eq!(p.range_frames("1-2.5"), Ok(30..75));
    assert_eq!(p.range_frames("0:00:01.000-0:00:04.000"), Ok(30..120));
    let err = p.range_frames("1-5").unwrap_err().to_string();
    assert_eq!(err, "--range 1-5 ends after the montage (0:00:04.000)");
    let err = p.range_frames("1-1.01").unwrap_err().to_string();
    assert_eq!(err, "--range 1-1.01 is shorter than one frame");
    assert!(p
        .range_frames("2-1")
        .unwrap_err()
        .to_string()
        .contains("start is not before"));
    assert!(p
        .range_frames("soon")
        .unwrap_err()
        .to_string()
        .contains("invalid range"));
}

#[test]
fn long_bodies_are_split() {
    let e = edl("[[clip]]\nsource = \"a\"\nout = 25\n");
    let p = plan(&e, &[probe("a", 30, 30, true)], &[], &[], &graphics()).unwrap();
    assert_eq!(p.frames, 750);
    assert_eq!(p.segments.len(), 3);
    assert_eq!(p.segments[1].frames, 250..500);
    assert_eq!(p.clips_in(&p.segments[1]), 0..1);
}

#[test]
fn cuts_move_to_just_after_a_source_keyframe() {
    let e = crossfaded(4, "in = 1\nout = 5\n");
    let mut a = probe("a", 10, 30, true).unwrap();
    // Keyframes every 2 s: the first after in + 0.5 s (the crossfade) is at 2 s.
    a.video.as_mut().unwrap().keyframes = (0..5).map(|k| Ratio::from_integer(2 * k)).collect();
    let probes: Vec<Result<Probe, ProbeError>> = (0..4).map(|_| Ok(a.clone())).collect();
    let p = plan(&e, &probes, &[], &[], &graphics()).unwrap();
    // 2 s + 4/30 s of margin - `in` (1 s) is local frame 34.
    assert_eq!(cut_point(&p.clips[1], Ratio::from_integer(30)), 34);
    let ends: Vec<u64> = p.segments.iter().map(|s| s.frames.end).collect();
    assert_eq!(ends, vec![p.clips[2].timeline.start + 34, p.frames]);
    // Without an index the cut is the end of the crossfade.
    let mut c = p.clips[1].clone();
    c.video.keyframes.clear();
    assert_eq!(cut_point(&c, Ratio::from_integer(30)), 15);
}

#[test]
fn short_clips_are_grouped_into_segments() {
    // Twelve 2-second clips with 0.5 s crossfades: 2 s + 1.5 s * 11 = 18.5 s.
    let e = crossfaded(12, "out = 2\n");
    let probes: Vec<_> = (0..12).map(|_| probe("a", 10, 30, true)).collect();
    let p = plan(&e, &probes, &[], &[], &graphics()).unwrap();
    assert_eq!(p.frames, 555);
    // Each segment (but maybe the last) holds at least 6 s, and cuts fall
    // at the end of a crossfade.
    let mut next = 0;
    for (i, s) in p.segments.iter().enumerate() {
        assert_eq!(s.frames.start, next);
        next = s.frames.end;
        if i + 1 < p.segments.len() {
            assert!(s.frames.end - s.frames.start >= 180, "{s:?}");
            assert!(p
                .clips
                .iter()
                .any(|c| c.timeline.start + c.fade_in == s.frames.end));
        }
    }
    assert_eq!(next, p.frames);
    assert_eq!(p.segments.len(), 3);
}

#[test]
fn shards_are_i_of_n() {
    assert_eq!("1/4".parse(), Ok(Shard { index: 1, count: 4 }));
    assert_eq!(" 0 / 1 ".parse(), Ok(Shard { index: 0, count: 1 }));
    for bad in ["3/3", "1", "a/2", "0/0", "-1/2"] {
        assert_eq!(bad.parse::<Shard>(), Err(ShardError(bad.into())), "{bad}");
    }
    assert_eq!(
        ShardError("3/2".into()).to_string(),
        "--shard 3/2: expected I/N with 0 <= I < N (e.g. 0/4)"
    );
}
