//! Image sequences: written as numbered files that appear whole or not at
//! all (also with `--range`), and read as sources at the clip's `fps`.

use super::stills::{decodes_cleanly, mean_error, rgb_frame};
use crate::common::*;

/// `t.toml`: the 2 s 160x90 test pattern `a.mp4` into `path`.
fn pattern_edl(f: &Fixture, path: &str, source: &str) {
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "{path}"
            width = 160
            height = 90
            fps = 25
            [output.video]
            crf = 0
            preset = "ultrafast"
            [[clip]]
            source = "{source}"
            "#
        ),
    );
}

fn names(dir: &std::path::Path) -> Vec<String> {
    let mut n: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    n.sort();
    n
}

#[test]
fn a_sequence_has_every_frame_numbered_from_one() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=160x90:r=25:d=2 -c:v libx264 -crf 10 a.mp4");
    pattern_edl(&f, "out.mp4", "a.mp4");
    f.render_args(&[]);
    f.render_args(&["-o", "frames/f_%04d.png"]);
    let files = names(&f.path("frames"));
    assert_eq!(files.len(), 50);
    assert_eq!(
        (files[0].as_str(), files[49].as_str()),
        ("f_0001.png", "f_0050.png")
    );
    for n in [0, 17, 49] {
        let file = f.path(&format!("frames/f_{:04}.png", n + 1));
        assert_eq!(probe_stream(&file, "v:0", "pix_fmt"), "rgb24");
        let e = mean_error(&rgb_frame(&file, 0), &rgb_frame(&f.path("out.mp4"), n));
        assert!(e < 3.0, "frame {n}: mean error {e}");
    }
    for (pattern, codec) in [("tiff/f_%06d.tiff", "tiff"), ("dpx/f_%06d.dpx", "dpx")] {
        f.render_args(&["--range", "0-0.4", "-o", pattern]);
        let dir = pattern.split('/').next().unwrap();
        let files = names(&f.path(dir));
        assert_eq!(files.len(), 10, "{codec}");
        let first = f.path(&format!("{dir}/{}", files[0]));
        assert_eq!(probe_stream(&first, "v:0", "codec_name"), codec);
        assert!(decodes_cleanly(&first), "{codec}");
        let e = mean_error(&rgb_frame(&first, 0), &rgb_frame(&f.path("out.mp4"), 0));
        assert!(e < 3.0, "{codec}: mean error {e}");
    }
    assert_eq!(f.leftovers(), Vec::<String>::new());
}

#[test]
fn a_range_writes_its_frames_under_their_numbers_in_the_whole() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=160x90:r=25:d=2 -c:v libx264 a.mp4");
    pattern_edl(&f, "frames/f_%04d.png", "a.mp4");
    f.render_args(&[]);
    assert_eq!(names(&f.path("frames")).len(), 50);
    // A render replaces the whole sequence: 10 frames from frame 25.
    f.render_args(&["--range", "1-1.4"]);
    let files = names(&f.path("frames"));
    assert_eq!(files.len(), 10, "{files:?}");
    assert_eq!(
        (files[0].as_str(), files[9].as_str()),
        ("f_0026.png", "f_0035.png")
    );
}

#[test]
fn a_failed_render_leaves_the_earlier_sequence_whole() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=160x90:r=25:d=2 -c:v libx264 -g 5 a.mp4");
    f.damage("a.mp4", "bad.mp4");
    pattern_edl(&f, "frames/f_%04d.png", "a.mp4");
    f.render_args(&[]);
    let before: Vec<Vec<u8>> = names(&f.path("frames"))
        .iter()
        .map(|n| std::fs::read(f.path(&format!("frames/{n}"))).unwrap())
        .collect();
    pattern_edl(&f, "frames/f_%04d.png", "bad.mp4");
    let out = f.reel(&["render", "--quiet", "--no-cache", "t.toml"]);
    assert!(!out.status.success(), "the damaged source fails the render");
    let after: Vec<Vec<u8>> = names(&f.path("frames"))
        .iter()
        .map(|n| std::fs::read(f.path(&format!("frames/{n}"))).unwrap())
        .collect();
    assert!(before == after, "the earlier sequence changed");
    assert_eq!(f.leftovers(), Vec::<String>::new());
    // A directory holding anything else is not the sequence's to replace.
    std::fs::write(f.path("frames/notes.txt"), "mine").unwrap();
    pattern_edl(&f, "frames/f_%04d.png", "a.mp4");
    let out = f.reel(&["render", "--quiet", "--no-cache", "t.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(printed(&out).contains("notes.txt"), "{}", printed(&out));
    assert!(f.path("frames/notes.txt").exists());
}

/// `plates/shot_NNNN.png`, numbered from 1: 48 gray pictures whose luma
/// counts them (`frames_mod_50` at 24 fps).
fn plates(f: &Fixture) {
    std::fs::create_dir(f.path("plates")).unwrap();
    let counter = frames_mod_50("64x64", 2).replace(":r=25:", ":r=24:");
    f.ffmpeg(&format!(
        "-f lavfi -i {counter} -frames:v 48 plates/shot_%04d.png"
    ));
}

fn sequence_edl(f: &Fixture, fps: &str) {
    f.write(
        "t.toml",
        &edl!(
            r#"
            {}
            [[clip]]
            source = "plates/shot_%04d.png"
            {fps}
            "#,
            lossless_output(64, 64, "24")
        ),
    );
}

#[test]
fn a_sequence_source_plays_each_picture_once_at_its_fps() {
    let f = Fixture::new();
    plates(&f);
    sequence_edl(&f, "fps = 24");
    f.render("t.toml");
    let out = f.path("out.mp4");
    assert_eq!(probe_stream(&out, "v:0", "nb_read_frames"), "48");
    let shown: Vec<i64> = luma_frames(&out, 64, 64)
        .iter()
        .map(|p| frame_mod_50(centre_mean(p, 64, 64)))
        .collect();
    assert_eq!(shown, (0..48).collect::<Vec<i64>>());
    // Changing one picture renders it again: picture 11 becomes picture 41.
    std::fs::copy(
        f.path("plates/shot_0041.png"),
        f.path("plates/shot_0011.png"),
    )
    .unwrap();
    f.render("t.toml");
    let shown: Vec<i64> = luma_frames(&out, 64, 64)
        .iter()
        .map(|p| frame_mod_50(centre_mean(p, 64, 64)))
        .collect();
    assert_eq!((shown[9], shown[10], shown[11]), (9, 40, 11));
}

#[test]
fn a_sequence_without_fps_is_an_error_at_its_clip() {
    let f = Fixture::new();
    plates(&f);
    sequence_edl(&f, "");
    let out = f.reel(&["check", "t.toml"]);
    let text = printed(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("t.toml:9") && text.contains("needs `fps`"),
        "{text}"
    );
    // fps on a video is an error at its key.
    f.ffmpeg("-f lavfi -i testsrc2=s=64x64:r=24:d=1 -c:v libx264 a.mp4");
    f.write(
        "t.toml",
        &edl!(
            r#"
            {}
            [[clip]]
            source = "a.mp4"
            fps = 24
            "#,
            lossless_output(64, 64, "24")
        ),
    );
    let text = printed(&f.reel(&["check", "t.toml"]));
    assert!(
        text.contains("t.toml:11") && text.contains("`fps` is for an image sequence"),
        "{text}"
    );
    // A pattern no file matches is not found.
    sequence_edl(&f, "fps = 24");
    std::fs::rename(f.path("plates"), f.path("elsewhere")).unwrap();
    let text = printed(&f.reel(&["check", "t.toml"]));
    assert!(text.contains("source not found"), "{text}");
}
