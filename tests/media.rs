//! The media matrix: sources in many containers, codecs, pixel formats and
//! timings render with the frame their timestamps name at every output
//! frame (sources carry their frame number in their brightness, and the
//! expected frame is worked out from the timestamps ffprobe reads).

mod common;
use common::*;
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
    let numbered = "color=c=black:s=64x64:r=25:d=4,format=yuv420p,\
                    geq=lum='20+4*mod(N\\,50)':cb=128:cr=128";
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
        // Anamorphic: 48x64 pixels at SAR 4:3 show 64x64.
        ("sar.mkv", format!("-f lavfi -i {numbered},scale=48:64,setsar=4/3 -c:v libx264 -qp 0")),
    ];
    let inn = 0.3;
    for (name, args) in &cases {
        f.ffmpeg(&format!("{args} {name}"));
        f.write(
            "t.toml",
            &format!("{HEAD}[[clip]]\nsource = \"{name}\"\nin = {inn}\nduration = 2.5\n"),
        );
        f.render("t.toml");
        let frames = luma_frames(&f.path("out.mp4"), 64, 64);
        assert_eq!(frames.len(), 75, "{name}: frame count");
        let times = frame_times(&f.path(name));
        assert!(times.len() >= 90, "{name}: {} source frames", times.len());
        for (k, fr) in frames.iter().enumerate() {
            let want = expected(&times, inn, 30.0, k as i64) % 50;
            let got = ((centre_mean(fr, 64, 64) - 20.0) / 4.0).round() as usize;
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
