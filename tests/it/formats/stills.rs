//! Pictures of a render: a still (.png, .jpg, .webp) of the frame at
//! `--at` or `[output] poster`, and an animated GIF of every frame, each
//! compared with the same frames of an MP4 render of the same EDL.

use crate::common::*;
use std::path::Path;
use std::process::Command;

/// A 2 s, 160x90, 25 fps test pattern (colour bars, gradients, a moving
/// counter) in `a.mp4`, and `t.toml` rendering it to `path`.
fn pattern(f: &Fixture, path: &str, extra: &str) {
    f.ffmpeg("-f lavfi -i testsrc2=s=160x90:r=25:d=2 -c:v libx264 -crf 10 a.mp4");
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "{path}"
            width = 160
            height = 90
            fps = 25
            {extra}
            [output.video]
            crf = 0
            preset = "ultrafast"
            [[clip]]
            source = "a.mp4"
            "#
        ),
    );
}

/// Picture `n` of `file` as RGB24, decoded by the FFmpeg CLI with
/// accurate chroma interpolation.
pub(super) fn rgb_frame(file: &Path, n: usize) -> Vec<u8> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-i"])
        .arg(file)
        .args([
            "-vf",
            &format!("select=eq(n\\,{n}),scale=flags=bicubic+accurate_rnd+full_chroma_int"),
        ])
        .args(["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .expect("ffmpeg runs");
    assert_success(&out, &format!("decoding {}", file.display()));
    out.stdout
}

/// Mean absolute difference of two pictures' bytes.
pub(super) fn mean_error(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len(), "pictures of different sizes");
    let sum: u64 = a.iter().zip(b).map(|(x, y)| x.abs_diff(*y) as u64).sum();
    sum as f64 / a.len() as f64
}

/// Whether the FFmpeg CLI decodes `file` without a word.
pub(super) fn decodes_cleanly(file: &Path) -> bool {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(file)
        .args(["-f", "null", "-"])
        .output()
        .expect("ffmpeg runs");
    out.status.success() && out.stderr.is_empty()
}

#[test]
fn a_still_is_the_frame_at_its_time_in_the_movie() {
    let f = Fixture::new();
    pattern(&f, "out.mp4", "");
    f.render_args(&[]);
    let movie = rgb_frame(&f.path("out.mp4"), 25);
    for (name, codec, pix_fmt, bound) in [
        ("p.png", "png", "rgb24", 3.0),
        ("p.jpg", "mjpeg", "yuvj444p", 4.0),
        ("p.webp", "webp", "yuv420p", 12.0),
    ] {
        f.render_args(&["--at", "1.0", "-o", name]);
        let still = f.path(name);
        assert_eq!(probe_stream(&still, "v:0", "codec_name"), codec);
        assert_eq!(probe_stream(&still, "v:0", "pix_fmt"), pix_fmt);
        assert_eq!(probe_stream(&still, "v:0", "nb_read_frames"), "1");
        assert!(decodes_cleanly(&still), "{name}");
        let e = mean_error(&rgb_frame(&still, 0), &movie);
        assert!(
            e < bound,
            "{name}: mean error {e} against the movie's frame 25"
        );
        // Another frame is further off: the error finds the right frame.
        let other = mean_error(&rgb_frame(&still, 0), &rgb_frame(&f.path("out.mp4"), 5));
        assert!(
            other > e + 5.0,
            "{name}: {other} against frame 5, {e} against 25"
        );
    }
    assert_eq!(f.leftovers(), Vec::<String>::new());
}

#[test]
fn the_poster_key_picks_the_frame_and_at_overrides_it() {
    let f = Fixture::new();
    f.ffmpeg(&format!(
        "-f lavfi -i {} -c:v libx264 -qp 0 a.mp4",
        frames_mod_50("64x64", 2)
    ));
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "poster.png"
            width = 64
            height = 64
            fps = 25
            poster = "00:00:00.400"
            [[clip]]
            source = "a.mp4"
            "#
        ),
    );
    let shown = |f: &Fixture| {
        frame_mod_50(centre_mean(
            &luma_frames(&f.path("poster.png"), 64, 64)[0],
            64,
            64,
        ))
    };
    f.render_args(&[]);
    assert_eq!(shown(&f), 10, "poster = 0.4 s is frame 10");
    f.render_args(&["--at", "1.2"]);
    assert_eq!(shown(&f), 30, "--at 1.2 is frame 30");
}

#[test]
fn a_still_past_the_end_is_an_error_at_its_line_or_flag() {
    let f = Fixture::new();
    pattern(&f, "p.png", "poster = 2.0");
    let out = f.reel(&["render", "--quiet", "--no-cache", "t.toml"]);
    let text = printed(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("t.toml:6") && text.contains("poster"),
        "{text}"
    );
    assert!(text.contains("past the end"), "{text}");
    let out = f.reel(&["render", "--quiet", "--no-cache", "--at", "3", "t.toml"]);
    let text = printed(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("--at 3") && text.contains("past the end"),
        "{text}"
    );
    assert!(!f.path("p.png").exists());
    // Inside the montage, --at wins over the poster past the end.
    f.render_args(&["--at", "1.96"]);
    assert!(f.path("p.png").exists());
}

#[test]
fn a_gif_has_every_frame_in_close_colours_and_loops() {
    let f = Fixture::new();
    pattern(&f, "out.mp4", "");
    f.render_args(&[]);
    f.render_args(&["-o", "a.gif"]);
    let gif = f.path("a.gif");
    assert_eq!(probe_stream(&gif, "v:0", "codec_name"), "gif");
    assert_eq!(probe_stream(&gif, "v:0", "nb_read_frames"), "50");
    assert!(decodes_cleanly(&gif));
    // Every frame shown for 1/25 s: 4 hundredths of a second.
    let packets = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "packet=pts,duration",
            "-of",
            "csv=p=0",
        ])
        .arg(&gif)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&packets.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 50);
    assert_eq!((lines[0], lines[49]), ("0,4", "196,4"));
    for n in [0, 24, 49] {
        let e = mean_error(&rgb_frame(&gif, n), &rgb_frame(&f.path("out.mp4"), n));
        assert!(e < 6.0, "frame {n}: mean error {e}");
    }
    let bytes = std::fs::read(&gif).unwrap();
    let at = bytes.windows(11).position(|w| w == b"NETSCAPE2.0");
    let at = at.expect("a looping GIF has the NETSCAPE2.0 extension");
    assert_eq!(&bytes[at + 13..at + 15], &[0, 0], "loops forever");
}
