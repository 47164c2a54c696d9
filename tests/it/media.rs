//! The media matrix: sources in many containers, codecs, pixel formats and
//! timings render with the frame their timestamps name at every output
//! frame (sources carry their frame number in their brightness, and the
//! expected frame is worked out from the timestamps ffprobe reads).

use crate::common::*;
use std::path::Path;

/// Presentation times of every frame, seconds from the container's start.
fn frame_times(file: &Path) -> Vec<f64> {
    let run = |args: &[&str]| {
        let out = std::process::Command::new("ffprobe")
            .args(["-v", "error"])
            .args(args)
            .args(["-of", "csv=p=0"])
            .arg(file)
            .output()
            .expect("ffprobe runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let start: f64 = run(&["-show_entries", "format=start_time"])
        .trim()
        .parse()
        .unwrap_or(0.0);
    run(&[
        "-select_streams",
        "v:0",
        "-show_entries",
        "frame=best_effort_timestamp_time",
    ])
    .lines()
    .filter_map(|l| l.trim().trim_end_matches(',').parse::<f64>().ok())
    .map(|t| t - start)
    .collect()
}

/// The source frame output frame `k` shows by the fps rule: the last frame
/// whose index round((t - in) * fps) is at most k.
fn expected(times: &[f64], inn: f64, fps: f64, k: i64) -> usize {
    let index = |t: f64| ((t - inn) * fps + 0.5 + 1e-9).floor() as i64;
    let mut shown = None;
    for (n, &t) in times.iter().enumerate() {
        if t + 1e-9 < inn {
            continue;
        }
        if index(t) <= k {
            shown = Some(n);
        } else {
            return shown.unwrap_or(n);
        }
    }
    shown.expect("frames after in")
}

#[test]
fn every_format_shows_the_frame_its_timestamps_name() {
    let f = Fixture::new();
    let numbered = frames_mod_50("64x64", 4);
    let cases = [
        // Variable frame rate: a 0.5 s hole after the first second.
        (
            "vfr.mkv",
            format!("-f lavfi -i {numbered},setpts='N/25/TB+if(gte(N\\,25)\\,0.5/TB\\,0)' -fps_mode passthrough -c:v libx264 -qp 0"),
        ),
        // 10-bit 4:2:2 in QuickTime.
        ("ten.mov", format!("-f lavfi -i {numbered},format=yuv422p10le -c:v libx264 -qp 0")),
        // 4:4:4.
        ("full.mp4", format!("-f lavfi -i {numbered},format=yuv444p -c:v libx264 -qp 0")),
        // MPEG-2 program stream (starts at 0.5 s or so).
        ("ps.mpg", format!("-f lavfi -i {numbered} -c:v mpeg2video -q:v 1 -f vob")),
        // Ogg Theora.
        ("th.ogv", format!("-f lavfi -i {numbered} -c:v libtheora -q:v 10")),
        // MPEG-4 Part 2 in AVI.
        ("av.avi", format!("-f lavfi -i {numbered} -c:v mpeg4 -q:v 1")),
        // Interlaced H.264 (flagged top field first): deinterlaced in order.
        ("il.mp4", format!("-f lavfi -i {numbered},setfield=tff -c:v libx264 -qp 0 -flags +ildct+ilme -x264-params tff=1")),
        // Anamorphic: 48x64 pixels at SAR 4:3 show 64x64.
        ("sar.mkv", format!("-f lavfi -i {numbered},scale=48:64,setsar=4/3 -c:v libx264 -qp 0")),
    ];
    let inn = 0.3;
    for (name, args) in &cases {
        f.ffmpeg(&format!("{args} {name}"));
        f.write(
            "t.toml",
            &edl!(
                r#"
                {OUTPUT}
                [[clip]]
                source = "{name}"
                in = {inn}
                duration = 2.5
                "#
            ),
        );
        f.render("t.toml");
        let frames = luma_frames(&f.path("out.mp4"), 64, 64);
        assert_eq!(frames.len(), 75, "{name}: frame count");
        let times = frame_times(&f.path(name));
        assert!(times.len() >= 90, "{name}: {} source frames", times.len());
        for (k, fr) in frames.iter().enumerate() {
            let want = (expected(&times, inn, 30.0, k as i64) % 50) as i64;
            let got = frame_mod_50(centre_mean(fr, 64, 64));
            assert_eq!(
                got, want,
                "{name}: output frame {k} shows source frame {got} (mod 50), expected {want}"
            );
        }
        // The picture fills the frame (no bars): the SAR is respected.
        let first = &frames[10];
        assert!(
            first[32 * 64 + 1] > 30 && first[32 * 64 + 62] > 30,
            "{name}: the picture does not reach the sides"
        );
    }
}

#[test]
fn damaged_video_stops_the_render_or_is_concealed_on_request() {
    let f = Fixture::new();
    f.ffmpeg(
        "-f lavfi -i testsrc2=s=64x64:r=25:d=4 -c:v libx264 -g 25 -movflags +faststart good.mp4",
    );
    // Garbage over a stretch of the picture data, past the first second.
    f.damage("good.mp4", "bad.mp4");
    std::fs::write(f.path("out.mp4"), b"earlier render").unwrap();
    let edl = |inn: f64, out: f64| {
        edl!(
            r#"
            {OUTPUT}
            [[clip]]
            source = "bad.mp4"
            in = {inn}
            out = {out}
            "#
        )
    };
    // Damage inside the clip: a clear error, exit 1, the earlier output kept.
    f.write("t.toml", &edl(0.5, 3.5));
    let out = f.reel(&["render", "t.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("error: clip 1 (bad.mp4): damaged video near 0:00:0")
            && err.contains("--on-decode-error conceal"),
        "{err}"
    );
    assert!(
        !err.contains("[h264"),
        "FFmpeg's own log stays quiet: {err}"
    );
    assert_eq!(std::fs::read(f.path("out.mp4")).unwrap(), b"earlier render");
    // Concealed on request: every frame is there and the summary counts.
    let out = f.reel_ok_output(&["render", "--on-decode-error", "conceal", "t.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    let count: u32 = err
        .split("concealed ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("no concealed count: {err}"));
    assert!(count >= 1, "{err}");
    assert_eq!(
        probe_stream(&f.path("out.mp4"), "v:0", "nb_read_frames"),
        "90"
    );
    // A clip that ends before the damage renders without complaint.
    f.write("t.toml", &edl(0.0, 1.0));
    f.reel_ok(&["render", "--no-cache", "t.toml"]);
}

#[test]
fn interlaced_sources_are_deinterlaced() {
    let f = Fixture::new();
    // Fields from different instants that differ, and change from frame to
    // frame (motion): one field white, the other black, swapping every
    // frame. Shown as a progressive picture the rows alternate.
    f.ffmpeg(&format!(
        "{} -c:v libx264 -qp 0 -flags +ildct+ilme -x264-params tff=1 il.mp4",
        moving_fields("64x64")
    ));
    f.ffmpeg("-f lavfi -i color=c=black:s=64x64:r=25:d=2,format=yuv420p,geq=lum='16+219*mod(Y\\,2)':cb=128:cr=128 -c:v libx264 -qp 0 prog.mp4");
    let render_combing = |name: &str| -> f64 {
        f.write(
            "t.toml",
            &edl!(
                r#"
                {OUTPUT}
                [output.video]
                crf = 0
                [[clip]]
                source = "{name}"
                duration = 1
                "#
            ),
        );
        f.render("t.toml");
        let frames = luma_frames(&f.path("out.mp4"), 64, 64);
        assert_eq!(frames.len(), 30, "{name}");
        combing(&frames[15], 64)
    };
    let il = render_combing("il.mp4");
    assert!(
        il < 10.0,
        "interlaced source still combs: {il:.1} between rows"
    );
    // A progressive source with real line detail keeps it.
    let prog = render_combing("prog.mp4");
    assert!(prog > 150.0, "progressive lines were blurred: {prog:.1}");
}

#[test]
fn a_source_cut_short_is_named_not_frozen() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=96x54:r=25:d=4 -c:v libx264 -movflags +faststart whole.mp4");
    // Cut the file cleanly after the packet that ends near 2 s: the header
    // still promises 4 s.
    let out = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v",
            "-show_entries",
            "packet=pos,size,pts_time",
        ])
        .args(["-of", "csv=p=0"])
        .arg(f.path("whole.mp4"))
        .output()
        .unwrap();
    let cut = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let v: Vec<&str> = l.split(',').collect();
            let t: f64 = v.first()?.parse().ok()?;
            let end = v.get(1)?.parse::<u64>().ok()? + v.get(2)?.parse::<u64>().ok()?;
            (t < 2.0).then_some(end)
        })
        .max()
        .unwrap();
    let bytes = std::fs::read(f.path("whole.mp4")).unwrap();
    std::fs::write(f.path("cut.mp4"), &bytes[..cut as usize]).unwrap();
    f.write(
        "t.toml",
        &edl!(
            r#"
            {OUTPUT}
            [[clip]]
            source = "cut.mp4"
            in = 0.5
            out = 3.5
            "#
        ),
    );
    let out = f.reel(&["render", "t.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("error: clip 1 (cut.mp4): the video ends near 0:00:0")
            && err.contains("before the clip does (0:00:03.500)"),
        "{err}"
    );
    assert!(!f.path("out.mp4").exists());
    // Held on request, and counted.
    let out = f.reel_ok_output(&["render", "--on-decode-error", "conceal", "t.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("concealed "), "{err}");
    assert_eq!(
        probe_stream(&f.path("out.mp4"), "v:0", "nb_read_frames"),
        "90"
    );
}

#[test]
fn proxies_of_interlaced_sources_are_deinterlaced() {
    let f = Fixture::new();
    // PAL-sized (larger than a proxy), fields that swap every frame.
    f.ffmpeg(&format!(
        "{} -c:v libx264 -crf 10 -flags +ildct+ilme -x264-params tff=1 pal.mp4",
        moving_fields("720x576")
    ));
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "out.mp4"
            width = 720
            height = 576
            fps = 25
            [[clip]]
            source = "pal.mp4"
            duration = 0.8
            "#
        ),
    );
    let out = f.reel_ok_output(&["render", "--proxy", "--make-proxies", "t.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 of 1 clips read proxy media"), "{err}");
    let (w, h) = (640, 512);
    let frames = luma_frames(&f.path("out.proxy.mp4"), w, h);
    assert_eq!(frames.len(), 20);
    let comb = combing(&frames[10], w);
    assert!(
        comb < 10.0,
        "the proxy render combs: {comb:.1} between rows"
    );
}
