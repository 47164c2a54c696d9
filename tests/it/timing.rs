//! Speed, reverse and freeze: the frames shown equal what FFmpeg's
//! `setpts=(PTS-STARTPTS)/speed,fps=FPS:round=near` picks (and `reverse`
//! of it), holds repeat one picture, and the sound keeps its pitch (or
//! moves it like tape) at exactly the picture's length.

use crate::common::*;

const S: usize = 64;

/// A 25 fps source whose frame N has luma 16 + 2 * (N mod 100), with a
/// 440 Hz tone.
fn numbered(f: &Fixture) {
    f.ffmpeg(&format!(
        "-f lavfi -i {} -f lavfi -i sine=frequency=440:sample_rate=48000:duration=8 \
         -c:v libx264 -qp 0 -g 50 -c:a pcm_s16le -shortest src.mov",
        frames_mod_100("25", 8, 128)
    ));
}

fn render(f: &Fixture, clip: &str) -> Vec<f64> {
    f.write(
        "t.toml",
        &edl!(
            r#"
            {output}
            [[clip]]
            source = "src.mov"
            {clip}
            "#,
            output = lossless_output(S, S, "25"),
        ),
    );
    f.render_args(&[]);
    means(&luma_frames(&f.path("out.mp4"), S, S))
}

fn means(frames: &[Vec<u8>]) -> Vec<f64> {
    frames.iter().map(|fr| centre_mean(fr, S, S)).collect()
}

/// What the FFmpeg CLI shows for `chain` after trimming at `inn`.
fn cli(f: &Fixture, inn: f64, chain: &str, frames: usize) -> Vec<f64> {
    let chain = format!("trim=start={inn},setpts=PTS-STARTPTS,{chain}");
    let raw = cli_frames(&f.path("src.mov"), &chain, frames);
    let frames: Vec<Vec<u8>> = raw
        .chunks(S * S * 3 / 2)
        .map(|c| c[..S * S].to_vec())
        .collect();
    means(&frames)
}

fn assert_same_frames(ours: &[f64], theirs: &[f64], what: &str) {
    assert_eq!(ours.len(), theirs.len(), "{what}: frame count");
    for (k, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert_eq!(
            frame_mod_100(*a),
            frame_mod_100(*b),
            "{what}: frame {k} shows source frame {} (mod 100), FFmpeg shows {}",
            frame_mod_100(*a),
            frame_mod_100(*b)
        );
    }
}

#[test]
fn speeds_pick_the_frames_ffmpeg_picks() {
    let f = Fixture::new();
    numbered(&f);
    // The issue's example: 25 fps at 2.5x into 25 fps shows in+1, in+3, in+6...
    let fast = render(&f, "in = 1.0\nduration = 2.0\nspeed = 2.5");
    assert_eq!(fast.len(), 50);
    let shown: Vec<i64> = fast[..4].iter().map(|&m| frame_mod_100(m)).collect();
    assert_eq!(shown, [26, 28, 31, 33]);
    let theirs = cli(&f, 1.0, "setpts=(PTS-STARTPTS)/2.5,fps=25:round=near", 50);
    assert_same_frames(&fast, &theirs, "speed 2.5");

    let slow = render(&f, "in = 1.0\nduration = 2.0\nspeed = 0.5");
    assert_eq!(slow.len(), 50);
    let theirs = cli(&f, 1.0, "setpts=(PTS-STARTPTS)/0.5,fps=25:round=near", 50);
    assert_same_frames(&slow, &theirs, "speed 0.5");

    // `out` is a source time: 2 s of source at 2x is 1 s on the timeline.
    let by_out = render(&f, "in = 1.0\nout = 3.0\nspeed = 2");
    assert_eq!(by_out.len(), 25);

    // Backwards, a stretch at a time from the end: the same frames reversed
    // (2.4 s of source, more than one keyframe interval and stretch).
    let back = render(&f, "in = 0.48\nduration = 2.4\nreverse = true");
    let theirs = cli(&f, 0.48, "fps=25:round=near,trim=end_frame=60,reverse", 60);
    assert_same_frames(&back, &theirs, "reverse");
    let back_fast = render(&f, "in = 0.48\nduration = 1.2\nspeed = 2.5\nreverse = true");
    let theirs = cli(
        &f,
        0.48,
        "setpts=(PTS-STARTPTS)/2.5,fps=25:round=near,trim=end_frame=30,reverse",
        30,
    );
    assert_same_frames(&back_fast, &theirs, "reverse at 2.5x");
}

#[test]
fn a_freeze_holds_one_picture_then_goes_on() {
    let f = Fixture::new();
    numbered(&f);
    // Frame 10 (0.4 s) is held 15 frames more, then the clip goes on with
    // the frame after it.
    let frames = render(
        &f,
        "in = 1.0\nduration = 2.0\nfreeze = { at = 0.4, duration = 0.6 }",
    );
    assert_eq!(frames.len(), 50 + 15);
    let shown: Vec<i64> = frames.iter().map(|&m| frame_mod_100(m)).collect();
    for (k, &n) in shown.iter().enumerate() {
        let want = 25
            + if k <= 10 {
                k
            } else if k <= 25 {
                10
            } else {
                k - 15
            } as i64;
        assert_eq!(n, want, "frame {k}");
    }
    let raw = luma_frames(&f.path("out.mp4"), S, S);
    for k in 11..=25 {
        assert_eq!(
            raw[k], raw[10],
            "held frame {k} differs from the frame held"
        );
    }
    // The sound is silent during the hold and back after it.
    let sound = audio_samples(&f.path("out.mp4"));
    let at = |frame: usize| frame * 48000 / 25;
    assert!(
        rms_db(&sound, at(13), at(10)) < -60.0,
        "sound during the hold"
    );
    let after = rms_db(&sound, at(30), at(10));
    assert!(after > -30.0, "sound after the hold: {after:.1} dB");
    // Unless it is asked to run on.
    render(
        &f,
        "in = 1.0\nduration = 2.0\nfreeze = { at = 0.4, duration = 0.6, audio = \"continue\" }",
    );
    let sound = audio_samples(&f.path("out.mp4"));
    let during = rms_db(&sound, at(13), at(10));
    assert!(
        during > -30.0,
        "continued sound during the hold: {during:.1} dB"
    );
}

/// Frequency of the tone in `x[a..b]`, from its rising zero crossings.
fn frequency(x: &[f32], a: usize, b: usize) -> f64 {
    let mut crossings = Vec::new();
    for i in a..b - 1 {
        if x[i] <= 0.0 && x[i + 1] > 0.0 {
            crossings.push(i as f64 + (-x[i] / (x[i + 1] - x[i])) as f64);
        }
    }
    let n = crossings.len();
    assert!(n > 10, "no tone");
    (n - 1) as f64 * 48000.0 / (crossings[n - 1] - crossings[0])
}

#[test]
fn sound_keeps_its_pitch_or_moves_like_tape_at_the_exact_length() {
    let f = Fixture::new();
    numbered(&f);
    for (speed, mode, want) in [
        (2.0, "pitch", 440.0),
        (0.5, "pitch", 440.0),
        (2.0, "resample", 880.0),
        (0.5, "resample", 220.0),
        (16.0, "pitch", 440.0),
    ] {
        let frames = render(
            &f,
            &format!("in = 0.2\nduration = 0.4\nspeed = {speed}\naudio_speed = \"{mode}\""),
        );
        assert_eq!(frames.len(), 10);
        let sound = audio_samples(&f.path("out.mp4"));
        assert_eq!(
            probe_stream(&f.path("out.mp4"), "a:0", "duration_ts"),
            (10 * 1920).to_string(),
            "{speed} {mode}: audio samples"
        );
        let got = frequency(&sound, 2400, 16800);
        assert!(
            (got - want).abs() <= want * 0.01,
            "speed {speed} {mode}: {got:.1} Hz, expected {want} Hz"
        );
    }
    render(
        &f,
        "in = 0.2\nduration = 0.4\nspeed = 2\naudio_speed = \"mute\"",
    );
    let sound = audio_samples(&f.path("out.mp4"));
    assert!(rms_db(&sound, 0, sound.len()) < -80.0, "mute is silent");
}

#[test]
fn impossible_timing_is_refused_with_its_line() {
    let f = Fixture::new();
    numbered(&f);
    let cases = [
        ("speed = 20", "t.toml:8:9", "invalid `speed` 20"),
        (
            "in = 6.0\nduration = 2.0\nspeed = 2",
            "t.toml:10:9",
            "the largest speed that fits is 1.000",
        ),
        (
            "duration = 1.0\nfreeze = { at = 1.5, duration = 1 }",
            "t.toml:9:10",
            "`freeze.at` 0:00:01.500 is outside the clip",
        ),
        (
            "duration = 1.0\nmotion = { to = [0.5, 0.5, 0.6, 0.2] }",
            "t.toml:9:17",
            "`to` is [x, y, w, h]",
        ),
        (
            "audio_speed = \"fast\"",
            "t.toml:8:15",
            "unknown variant `fast`",
        ),
    ];
    for (clip, place, message) in cases {
        f.write(
            "t.toml",
            &edl!(
                r#"
                [output]
                path = "out.mp4"
                width = {S}
                height = {S}
                fps = 25
                [[clip]]
                source = "src.mov"
                {clip}
                "#
            ),
        );
        let out = f.reel(&["render", "--quiet", "t.toml"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{clip}: {err}");
        assert!(err.contains(place), "{clip}: no {place} in {err}");
        assert!(err.contains(message), "{clip}: no {message:?} in {err}");
        assert!(!f.path("out.mp4").exists(), "{clip}: rendered anyway");
    }
}
