//! End-to-end renders of small generated fixtures, measured independently
//! with the FFmpeg CLI.

use crate::common::*;

/// A 25 fps 64x64 source whose frame N has luma 20 + 4 * (N mod 50).
fn numbered_source(f: &Fixture, name: &str, seconds: u32) {
    f.ffmpeg(&format!(
        "-f lavfi -i {} -c:v libx264 -qp 0 -g 25 -bf 2 {name}",
        frames_mod_50("64x64", seconds)
    ));
}

/// The source frame output frame `k` shows by the fps rule (round=near),
/// for a 25 fps source trimmed at `in_ms` and a 30 fps output.
fn expected_source_frame(k: i64, in_ms: i64) -> i64 {
    // Source frame N is at N/25 s; p = N/25 - in; index = round(p * 30).
    // Work in 1/3000 s units: p*30 = (120 N - 3 in_ms) / 100.
    let index = |n: i64| -> Option<i64> {
        let num = 120 * n - 3 * in_ms;
        if num < 0 {
            return None; // before `in`: never shown
        }
        Some((num + 50).div_euclid(100))
    };
    let mut shown = None;
    for n in 0.. {
        match index(n) {
            None => continue,
            Some(i) if i <= k => shown = Some(n),
            Some(_) => return shown.unwrap_or(n),
        }
    }
    unreachable!()
}

/// Asserts that local frames `locals` of a clip of the numbered source cut
/// at `in_ms`, placed at output frame `start`, show what the fps rule names.
fn assert_clip_follows_the_rule(
    frames: &[Vec<u8>],
    start: usize,
    locals: std::ops::Range<usize>,
    in_ms: i64,
) {
    for local in locals {
        let got = frame_mod_50(centre_mean(&frames[start + local], 64, 64));
        let want = expected_source_frame(local as i64, in_ms).rem_euclid(50);
        assert_eq!(
            got,
            want,
            "output frame {} (clip frame {local}) shows source frame {got} (mod 50), expected {want}",
            start + local
        );
    }
}

#[test]
fn every_frame_is_the_source_frame_the_fps_rule_names() {
    let f = Fixture::new();
    numbered_source(&f, "n.mp4", 14);
    // 12 s at 30 fps = 360 frames: split into two segments, so the second
    // worker seeks into the middle of the clip.
    f.write(
        "t.toml",
        &edl!(
            r#"
            {OUTPUT}
            [[clip]]
            source = "n.mp4"
            in = 0.51
            out = 12.51
            "#
        ),
    );
    f.render("t.toml");
    let frames = luma_frames(&f.path("out.mp4"), 64, 64);
    assert_eq!(frames.len(), 360);
    assert_clip_follows_the_rule(&frames, 0, 0..360, 510);
}

#[test]
fn first_frame_of_each_clip_follows_the_rule() {
    let f = Fixture::new();
    numbered_source(&f, "n.mp4", 4);
    f.write(
        "t.toml",
        &edl!(
            r#"
            {OUTPUT}
            [[clip]]
            source = "n.mp4"
            in = 1.0
            out = 1.5
            [[clip]]
            source = "n.mp4"
            in = 0.5
            duration = 0.5
            [[clip]]
            source = "n.mp4"
            in = "00:00:00:07"
            duration = 0.5
            "#
        ),
    );
    f.render("t.toml");
    let frames = luma_frames(&f.path("out.mp4"), 64, 64);
    assert_eq!(frames.len(), 45);
    // in = 1.0 s is exactly source frame 25; in = 0.5 s is frame 12.5, so the
    // first frame shown is 13 (p = 0.02 s -> index 1, the first after `in`);
    // 00:00:00:07 is frame 7 at the source's 25 fps.
    for (first, want) in [(0usize, 25i64), (15, 13), (30, 7)] {
        let got = frame_mod_50(centre_mean(&frames[first], 64, 64));
        assert_eq!(
            got,
            want % 50,
            "first frame of the clip at output frame {first}"
        );
    }
}

#[test]
fn crossfade_frames_are_the_linear_blend() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i color=c=0x202020:s=64x64:r=30:d=2 -c:v libx264 -qp 0 dark.mp4");
    f.ffmpeg("-f lavfi -i color=c=0xE0E0E0:s=64x64:r=30:d=2 -c:v libx264 -qp 0 light.mp4");
    // 0.4 s at 30 fps = 12 overlap frames: frame j has w = (j + 1) / 13.
    f.write(
        "t.toml",
        &edl!(
            r#"
            {OUTPUT}
            [[clip]]
            source = "dark.mp4"
            out = 1
            transition = {{ kind = "crossfade", duration = 0.4 }}
            [[clip]]
            source = "light.mp4"
            out = 1
            "#
        ),
    );
    f.render("t.toml");
    let frames = luma_frames(&f.path("out.mp4"), 64, 64);
    assert_eq!(frames.len(), 30 + 30 - 12);
    let a = centre_mean(&frames[10], 64, 64);
    let b = centre_mean(&frames[40], 64, 64);
    assert!(b - a > 100.0, "clips differ: {a} vs {b}");
    for j in 0..12 {
        let w = (j + 1) as f64 / 13.0;
        let want = a * (1.0 - w) + b * w;
        let got = centre_mean(&frames[18 + j], 64, 64);
        assert!(
            (got - want).abs() <= 2.0,
            "overlap frame {j}: luma {got:.1}, expected {want:.1}"
        );
    }
    // The frames just outside the overlap are the clips themselves.
    assert!((centre_mean(&frames[17], 64, 64) - a).abs() <= 1.0);
    assert!((centre_mean(&frames[30], 64, 64) - b).abs() <= 1.0);
}

#[test]
fn frame_count_and_audio_length_match_the_plan_exactly() {
    let f = Fixture::new();
    // Mixed rates (25, 60, 23.976), one source without audio, 44.1 kHz mono
    // and 48 kHz stereo audio; output at 29.97 where a frame is 1601.6 samples.
    f.ffmpeg("-f lavfi -i testsrc2=s=96x54:r=25:d=3 -f lavfi -i sine=f=300:sample_rate=44100:d=3 -c:v libx264 -c:a aac -ac 1 a.mp4");
    f.ffmpeg("-f lavfi -i testsrc2=s=64x64:r=60:d=3 -c:v libx264 b.mp4");
    f.ffmpeg("-f lavfi -i testsrc2=s=80x60:r=24000/1001:d=3 -f lavfi -i sine=f=500:d=3 -c:v libx264 -c:a aac -ac 2 c.mp4");
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "out.mp4"
            width = 64
            height = 36
            fps = 29.97
            [defaults]
            transition = {{ kind = "crossfade", duration = 0.5 }}
            [[clip]]
            source = "a.mp4"
            in = 0.3
            out = 2.1
            [[clip]]
            source = "b.mp4"
            in = "00:01.000"
            out = 2.9
            [[clip]]
            source = "c.mp4"
            in = 0.25
            duration = 1.5
            "#
        ),
    );
    f.render("t.toml");
    // n = round(1.8 * 29.97) + round(1.9 * 29.97) + round(1.5 * 29.97) = 54 + 57 + 45
    // t = round(0.5 * 29.97) = 15, twice.
    let frames: u64 = 54 + 57 + 45 - 30;
    let out = f.path("out.mp4");
    assert_eq!(
        probe_stream(&out, "v:0", "nb_read_frames"),
        frames.to_string()
    );
    // Video lasts frames / fps; audio exactly round(frames * 48000 / fps) samples.
    let video_secs: f64 = probe_stream(&out, "v:0", "duration").parse().unwrap();
    assert!(
        (video_secs - frames as f64 * 1001.0 / 30000.0).abs() < 1e-3,
        "{video_secs}"
    );
    let samples = ((frames * 48000 * 1001) as f64 / 30000.0).round() as u64;
    assert_eq!(
        probe_stream(&out, "a:0", "duration_ts"),
        samples.to_string()
    );
    assert_eq!(probe_stream(&out, "a:0", "sample_rate"), "48000");
    assert_eq!(probe_stream(&out, "a:0", "channels"), "2");
}

#[test]
fn voiceover_starts_at_its_time() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i color=c=gray:s=64x64:r=30:d=3 -f lavfi -i anullsrc=r=48000:cl=stereo -t 3 -c:v libx264 -c:a aac quiet.mp4");
    // sine is at 1/8 full scale: make it 0.5 (a mono source reaches each stereo
    // channel at -3 dB, the centre mix level).
    f.ffmpeg("-f lavfi -i sine=f=1000:sample_rate=44100:d=1 -af volume=4 tone.wav");
    f.write(
        "t.toml",
        &edl!(
            r#"
            {OUTPUT}
            [[clip]]
            source = "quiet.mp4"
            out = 3
            [[voiceover]]
            source = "tone.wav"
            at = 0.75
            volume = 1.0
            "#
        ),
    );
    f.render("t.toml");
    let samples = audio_samples(&f.path("out.mp4"));
    let onset = samples
        .iter()
        .position(|s| s.abs() > 0.1)
        .expect("the tone is in the mix");
    let at = onset as f64 / 48000.0;
    assert!(
        (at - 0.75).abs() <= 0.002,
        "tone starts at {at:.4} s, expected 0.750"
    );
    // And it ends a second later.
    let last = samples.iter().rposition(|s| s.abs() > 0.1).unwrap();
    let end = last as f64 / 48000.0;
    assert!(
        (end - 1.75).abs() <= 0.003,
        "tone ends at {end:.4} s, expected 1.750"
    );
}

#[test]
fn contain_letterboxes_a_vertical_source_on_the_background() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i color=c=white:s=90x160:r=30:d=1 -c:v libx264 -qp 0 tall.mp4");
    f.write(
        "t.toml",
        &edl!(
            r##"
            [output]
            path = "out.mp4"
            width = 160
            height = 90
            fps = 30
            background = "#000000"
            [[clip]]
            source = "tall.mp4"
            "##
        ),
    );
    f.render("t.toml");
    let frames = luma_frames(&f.path("out.mp4"), 160, 90);
    assert_eq!(frames.len(), 30);
    let fr = &frames[5];
    // Picture is 90 * 9/16 = 50.6 -> 50 pixels wide, centred: bars left and right.
    let px = |x: usize, y: usize| fr[y * 160 + x];
    assert!(px(10, 45) < 30, "left bar is black");
    assert!(px(150, 45) < 30, "right bar is black");
    assert!(px(80, 45) > 200, "centre is the white picture");
    assert!(px(80, 2) > 200, "the picture spans the full height");
}

#[test]
fn failed_render_leaves_an_earlier_output_untouched() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i color=c=gray:s=64x64:r=30:d=1 -c:v libx264 a.mp4");
    std::fs::write(f.path("out.mp4"), b"earlier render").unwrap();
    f.write(
        "t.toml",
        &edl!(
            r#"
            {OUTPUT}
            [output.video]
            codec = "no-such-encoder"
            [[clip]]
            source = "a.mp4"
            "#
        ),
    );
    let out = f.reel(&["render", "t.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    // A setting of the EDL: exit 2, at its line, before any decoding.
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("t.toml:7:9: unknown video encoder \"no-such-encoder\""),
        "{err}"
    );
    assert_eq!(std::fs::read(f.path("out.mp4")).unwrap(), b"earlier render");
    // No temporary files are left beside it.
    assert_eq!(f.leftovers(), Vec::<String>::new());
}

#[test]
fn output_is_byte_identical_whatever_jobs_is() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=96x54:r=25:d=3 -f lavfi -i sine=f=300:d=3 -c:v libx264 -g 10 -c:a aac a.mp4");
    f.ffmpeg("-f lavfi -i testsrc2=s=64x64:r=60:d=3 -c:v libx264 -g 30 b.mp4");
    f.ffmpeg("-f lavfi -i sine=f=700:d=2 v.wav");
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "out.mp4"
            width = 64
            height = 36
            fps = 30
            [defaults]
            transition = {{ kind = "crossfade", duration = 0.3 }}
            [[clip]]
            source = "a.mp4"
            in = 0.2
            out = 1.4
            [[clip]]
            source = "b.mp4"
            in = 0.5
            out = 2.5
            [[clip]]
            source = "a.mp4"
            in = 1.1
            out = 2.9
            [[voiceover]]
            source = "v.wav"
            at = 0.5
            "#
        ),
    );
    let mut outputs = Vec::new();
    for jobs in ["1", "2", "4", "2"] {
        let name = format!("out-{}.mp4", outputs.len());
        f.reel_ok(&[
            "render",
            "--quiet",
            "--no-cache",
            "--jobs",
            jobs,
            "-o",
            &name,
            "t.toml",
        ]);
        outputs.push(std::fs::read(f.path(&name)).unwrap());
    }
    assert!(outputs[0].len() > 1000);
    for (i, o) in outputs.iter().enumerate().skip(1) {
        assert!(
            o == &outputs[0],
            "render {i} differs from the --jobs 1 render"
        );
    }
}

#[test]
fn frames_stay_exact_across_a_segment_cut_at_a_source_keyframe() {
    let f = Fixture::new();
    // Keyframes every second (-g 25), so the planner cuts clip 2 just after
    // its keyframe at 3 s and a second worker starts there.
    numbered_source(&f, "n.mp4", 14);
    f.write(
        "t.toml",
        &edl!(
            r#"
            {OUTPUT}
            [[clip]]
            source = "n.mp4"
            in = 0.51
            out = 6.51
            transition = {{ kind = "crossfade", duration = 0.5 }}
            [[clip]]
            source = "n.mp4"
            in = 2.03
            out = 9.03
            "#
        ),
    );
    f.render("t.toml");
    // The second segment (an IDR frame) starts at clip 2's local frame
    // ceil((3 s + 4/25 s - 2.03 s) * 30) = 34, timeline frame 165 + 34.
    assert_eq!(keyframes(&f.path("out.mp4"), 30.0), vec![0, 199]);
    let frames = luma_frames(&f.path("out.mp4"), 64, 64);
    assert_eq!(frames.len(), 180 + 210 - 15);
    // Clip 1 up to its crossfade, clip 2 after it.
    assert_clip_follows_the_rule(&frames, 0, 0..165, 510);
    assert_clip_follows_the_rule(&frames, 165, 15..210, 2030);
}

#[test]
fn a_signal_stops_the_render_promptly_and_leaves_nothing_behind() {
    let f = Fixture::new();
    f.slow_render_edl();
    for (signal, code) in [(libc::SIGINT, 130), (libc::SIGTERM, 143)] {
        std::fs::write(f.path("out.mp4"), b"earlier render").unwrap();
        let _ = std::fs::remove_dir_all(f.path(".reel-cache"));
        // Signal it once it is writing segments.
        let (child, _) = f.start_until_writing(&["render", "--quiet", "t.toml"]);
        let tmp = f.path(".reel-cache/tmp");
        // SAFETY: sending a signal to our own child process.
        unsafe { libc::kill(child.id() as i32, signal) };
        let sent = std::time::Instant::now();
        let out = child.wait_with_output().unwrap();
        let took = sent.elapsed();
        assert!(took.as_secs_f64() < 2.0, "took {took:?} to stop");
        assert_eq!(out.status.code(), Some(code));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("interrupted by SIG"), "{err}");
        assert_eq!(std::fs::read(f.path("out.mp4")).unwrap(), b"earlier render");
        assert_eq!(f.leftovers(), Vec::<String>::new(), "temporary files left");
        assert_eq!(
            std::fs::read_dir(&tmp).unwrap().count(),
            0,
            "partial segments left"
        );
    }
}

#[test]
fn still_images_are_clips_with_a_duration() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i color=c=black:s=64x64:r=30:d=1 -c:v libx264 black.mp4");
    // A light grey picture (RGB 180: limited-range luma 16 + 180 * 219/255
    // = 170.6) in each still format.
    f.ffmpeg("-f lavfi -i color=c=0xb4b4b4:s=96x96 -frames:v 1 grey.png");
    f.ffmpeg("-i grey.png grey.jpg");
    f.ffmpeg("-i grey.png grey.webp");
    for ext in ["png", "jpg", "webp"] {
        f.write(
            "t.toml",
            &edl!(
                r#"
                {OUTPUT}
                [[clip]]
                source = "black.mp4"
                transition = {{ kind = "crossfade", duration = 0.2 }}
                [[clip]]
                source = "grey.{ext}"
                in = 5
                duration = 1.5
                "#
            ),
        );
        f.render("t.toml");
        let frames = luma_frames(&f.path("out.mp4"), 64, 64);
        assert_eq!(frames.len(), 30 + 45 - 6, "{ext}");
        let centre: Vec<f64> = frames.iter().map(|fr| centre_mean(fr, 64, 64)).collect();
        // The crossfade rises from black; then the picture holds.
        assert!(centre[23] < centre[27], "{ext}: crossfade rises");
        for (k, c) in centre.iter().enumerate().skip(30) {
            assert!((c - 170.6).abs() < 4.0, "{ext}: frame {k} has luma {c:.1}");
        }
    }
    // Without a duration a still has no length.
    f.write(
        "t.toml",
        &edl!(
            r#"
            {OUTPUT}
            [[clip]]
            source = "grey.png"
            "#
        ),
    );
    let out = f.reel(&["check", "t.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("t.toml:7:10: clip 1 (grey.png, [[clip]] at line 6): source grey.png is a still image: give the clip a `duration`"),
        "{err}"
    );
}

#[test]
fn rotation_metadata_turns_the_picture_upright() {
    let f = Fixture::new();
    // Landscape 64x36 with a white square in the top-left corner.
    f.ffmpeg(
        "-f lavfi -i color=c=black:s=64x36:r=25:d=1,drawbox=x=0:y=0:w=12:h=12:c=white:t=fill \
         -c:v libx264 land.mp4",
    );
    for turn in ["90", "180", "270"] {
        let name = format!("rot{turn}.mp4");
        f.ffmpeg(&format!(
            "-i land.mp4 -c copy -metadata:s:v:0 rotate={turn} {name}"
        ));
        f.write(
            "t.toml",
            &edl!(
                r#"
                {OUTPUT}
                [[clip]]
                source = "{name}"
                duration = 0.4
                "#
            ),
        );
        f.render("t.toml");
        // What the FFmpeg CLI shows (it turns by the same matrix), placed
        // like reel places it: a quarter turn is 36x64 pillarboxed, a half
        // turn 64x36 letterboxed.
        let place = if turn == "180" {
            "scale=64:36,pad=64:64:0:14"
        } else {
            "scale=36:64,pad=64:64:14:0"
        };
        f.ffmpeg(&format!(
            "-i {name} -vf {place},format=gray -frames:v 1 -f rawvideo want_{turn}.gray"
        ));
        let want = std::fs::read(f.path(&format!("want_{turn}.gray"))).unwrap();
        let got = &luma_frames(&f.path("out.mp4"), 64, 64)[0];
        assert_eq!(want.len(), got.len());
        // Compare where the square is: the bright pixels.
        let bright = |v: &[u8]| -> Vec<usize> {
            v.iter()
                .enumerate()
                .filter(|(_, &y)| y > 128)
                .map(|(i, _)| i)
                .collect()
        };
        let (w, g) = (bright(&want), bright(got));
        let common = w.iter().filter(|i| g.contains(i)).count();
        assert!(
            common * 10 >= w.len().max(g.len()) * 8,
            "rotate={turn}: square at {:?} vs FFmpeg's {:?}",
            g.first(),
            w.first()
        );
    }
}

#[test]
fn a_full_disk_fails_cleanly_and_keeps_the_earlier_output() {
    use std::os::unix::process::CommandExt;
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=320x180:r=25:d=3 -c:v libx264 a.mp4");
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "out.mp4"
            width = 640
            height = 360
            fps = 25
            [output.video]
            crf = 0
            [[clip]]
            source = "a.mp4"
            "#
        ),
    );
    std::fs::write(f.path("out.mp4"), b"earlier render").unwrap();
    // Files may not grow past 256 KB, as on a full disk: writes fail with
    // EFBIG (SIGXFSZ ignored, so the write returns an error instead).
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_reel"));
    cmd.args(["render", "--no-cache", "t.toml"])
        .current_dir(f.dir.path());
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 256 * 1024,
                rlim_max: 256 * 1024,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &limit);
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("error: writing ") && err.contains("File too large"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(std::fs::read(f.path("out.mp4")).unwrap(), b"earlier render");
    assert_eq!(f.leftovers(), Vec::<String>::new(), "temporary files left");
}

#[test]
fn an_output_directory_that_cannot_be_made_is_a_clear_error() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=64x64:r=25:d=1 -c:v libx264 a.mp4");
    std::fs::write(f.path("file"), b"a file, not a directory").unwrap();
    f.write(
        "t.toml",
        &edl!(
            r#"
            {OUTPUT}
            [[clip]]
            source = "a.mp4"
            "#
        ),
    );
    // A missing directory is made...
    f.reel_ok(&["render", "--quiet", "-o", "new/dir/out.mp4", "t.toml"]);
    assert!(f.path("new/dir/out.mp4").exists());
    // ...one that cannot be is an error naming it.
    let out = f.reel(&["render", "-o", "file/out.mp4", "t.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("error: cannot create output directory file"),
        "{err}"
    );
}
