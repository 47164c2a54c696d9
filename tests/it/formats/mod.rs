//! Every kind of output and source beyond H.264 in MP4, a module per kind
//! (see docs/formats.md). Here: an encoder that runs threads of its own
//! (SVT-AV1) finishes, is checked without hanging, and stops at a signal
//! like any other; HEVC in MP4 and MOV plays on Apple devices.

mod alpha;
mod animation;
mod audio_codecs;
mod channels;
mod masters;
mod probe;
mod sequences;
mod stills;
mod timecode;
mod video_codecs;

use crate::common::*;
use std::process::Command;

/// An EDL of `seconds` of `a.mp4` into `out.mp4` through libsvtav1 at
/// `size`, preset 10.
fn av1_edl(f: &Fixture, size: (u32, u32), seconds: u32) {
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "out.mp4"
            width = {w}
            height = {h}
            fps = 25
            [output.video]
            codec = "libsvtav1"
            preset = "10"
            crf = 40
            [[clip]]
            source = "a.mp4"
            duration = {seconds}
            "#,
            w = size.0,
            h = size.1
        ),
    );
}

#[test]
fn an_svt_av1_render_is_checked_and_finishes() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=160x90:r=25:d=1 -c:v libx264 a.mp4");
    av1_edl(&f, (160, 90), 1);
    // The settings check opens the encoder and throws it away: SVT-AV1
    // used to wait for an end of stream there forever.
    let started = std::time::Instant::now();
    f.reel_ok(&["check", "t.toml"]);
    f.render("t.toml");
    assert!(
        started.elapsed().as_secs() < 60,
        "check and render took {:?}",
        started.elapsed()
    );
    assert_eq!(probe_stream(&f.path("out.mp4"), "v:0", "codec_name"), "av1");
    let frames = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args(["-show_entries", "stream=nb_read_frames", "-of", "csv=p=0"])
        .arg(f.path("out.mp4"))
        .output()
        .expect("ffprobe runs");
    assert_eq!(String::from_utf8_lossy(&frames.stdout).trim(), "25");
}

#[test]
fn a_signal_stops_an_svt_av1_render_promptly_and_leaves_nothing_behind() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=320x180:r=25:d=30 -c:v libx264 -g 25 a.mp4");
    av1_edl(&f, (640, 360), 28);
    let (child, _) = f.start_until_writing(&["render", "--quiet", "t.toml"]);
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let sent = std::time::Instant::now();
    let out = child.wait_with_output().unwrap();
    let took = sent.elapsed();
    assert!(took.as_secs_f64() < 2.0, "took {took:?} to stop");
    assert_eq!(out.status.code(), Some(130));
    assert!(!f.path("out.mp4").exists(), "an output was written");
    assert_eq!(f.leftovers(), Vec::<String>::new(), "temporary files left");
}

#[test]
fn hevc_in_mp4_and_mov_is_tagged_hvc1_for_apple_players() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=160x90:r=25:d=1 -c:v libx264 a.mp4");
    for (ext, tag) in [("mp4", "hvc1"), ("mov", "hvc1"), ("mkv", "[0][0][0][0]")] {
        f.write(
            "t.toml",
            &edl!(
                r#"
                [output]
                path = "out.{ext}"
                width = 160
                height = 90
                fps = 25
                [output.video]
                codec = "libx265"
                preset = "ultrafast"
                [[clip]]
                source = "a.mp4"
                duration = 0.4
                "#
            ),
        );
        f.render("t.toml");
        let out = f.path(&format!("out.{ext}"));
        assert_eq!(probe_stream(&out, "v:0", "codec_tag_string"), tag, "{ext}");
        // It still decodes whole: the parameter sets are in the hvcC box.
        let decoded = Command::new("ffmpeg")
            .args(["-v", "error", "-i"])
            .arg(&out)
            .args(["-f", "null", "-"])
            .output()
            .expect("ffmpeg runs");
        assert!(
            decoded.status.success() && decoded.stderr.is_empty(),
            "{ext}"
        );
    }
}
