//! Timecode: `[output] timecode` writes a start timecode (a tmcd track in
//! MOV and MP4, a tag in Matroska), and `in`/`out = { tc = ... }` count in
//! a source's own timecode.

use crate::common::*;
use std::path::Path;
use std::process::Command;

/// What ffprobe says of `file`'s timecodes: each stream's
/// `type/tag:timecode`, then the container's.
fn timecodes(file: &Path) -> Vec<String> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries"])
        .args(["stream=codec_type,codec_tag_string:stream_tags=timecode:format_tags=timecode"])
        .args(["-of", "compact=nk=0"])
        .arg(file)
        .output()
        .expect("ffprobe runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Video frames ffprobe counts in `file`.
fn frame_count(file: &Path) -> String {
    probe_stream(file, "v:0", "nb_read_frames")
}

/// An EDL of 0.4 s of `a.mp4` into `path` at `fps` with `timecode` (TOML
/// text for the key's value, or none).
fn output_edl(f: &Fixture, path: &str, fps: &str, timecode: Option<&str>) {
    let tc = timecode.map_or(String::new(), |t| format!("timecode = {t}\n"));
    f.write(
        "t.toml",
        &format!(
            "[output]\npath = \"{path}\"\nwidth = 160\nheight = 90\nfps = {fps}\n{tc}\
             [[clip]]\nsource = \"a.mp4\"\nduration = 0.4\n"
        ),
    );
}

#[test]
fn an_output_timecode_is_a_tmcd_track_in_mov_and_mp4_and_a_tag_in_matroska() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=160x90:r=25:d=1 -c:v libx264 a.mp4");
    for (ext, expected) in [
        (
            "mov",
            vec![
                "stream|codec_type=video|codec_tag_string=avc1|tag:timecode=01:00:00:00",
                "stream|codec_type=audio|codec_tag_string=mp4a",
                "stream|codec_type=data|codec_tag_string=tmcd|tag:timecode=01:00:00:00",
                "format|",
            ],
        ),
        (
            "mp4",
            vec![
                "stream|codec_type=video|codec_tag_string=avc1|tag:timecode=01:00:00:00",
                "stream|codec_type=audio|codec_tag_string=mp4a",
                "stream|codec_type=data|codec_tag_string=tmcd|tag:timecode=01:00:00:00",
                "format|",
            ],
        ),
        (
            "mkv",
            vec![
                "stream|codec_type=video|codec_tag_string=[0][0][0][0]",
                "stream|codec_type=audio|codec_tag_string=[0][0][0][0]",
                "format|tag:TIMECODE=01:00:00:00",
            ],
        ),
    ] {
        let out = format!("out.{ext}");
        output_edl(&f, &out, "25", Some("\"01:00:00:00\""));
        f.render("t.toml");
        assert_eq!(timecodes(&f.path(&out)), expected, "{ext}");
        assert_eq!(frame_count(&f.path(&out)), "10", "{ext}");
        assert_decodes_cleanly(&f.path(&out));
    }
}

#[test]
fn without_a_timecode_the_output_has_none_and_the_same_bytes_as_before() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=160x90:r=25:d=1 -c:v libx264 a.mp4");
    output_edl(&f, "plain.mov", "25", None);
    f.render("t.toml");
    assert!(
        !timecodes(&f.path("plain.mov"))
            .iter()
            .any(|l| l.contains("timecode") || l.contains("tmcd")),
        "{:?}",
        timecodes(&f.path("plain.mov"))
    );
    // The timecode is written at the join only: the segments and audio
    // cached for the plain render are reused, and the plain render's
    // bytes come back when the timecode goes.
    let before = std::fs::read(f.path("plain.mov")).unwrap();
    output_edl(&f, "plain.mov", "25", Some("\"10:00:00:00\""));
    f.render("t.toml");
    assert_ne!(std::fs::read(f.path("plain.mov")).unwrap(), before);
    output_edl(&f, "plain.mov", "25", None);
    f.render("t.toml");
    assert_eq!(std::fs::read(f.path("plain.mov")).unwrap(), before);
}

#[test]
fn a_drop_frame_timecode_is_written_at_29_97() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=160x90:r=30000/1001:d=1 -c:v libx264 a.mp4");
    output_edl(&f, "out.mov", "29.97", Some("\"00:59:59;28\""));
    f.render("t.toml");
    let tc = timecodes(&f.path("out.mov"));
    assert_eq!(
        tc[2], "stream|codec_type=data|codec_tag_string=tmcd|tag:timecode=00:59:59;28",
        "{tc:?}"
    );
    assert_eq!(frame_count(&f.path("out.mov")), "12");
    assert_decodes_cleanly(&f.path("out.mov"));
}

#[test]
fn a_wrong_output_timecode_is_an_error_at_its_line() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=160x90:r=25:d=1 -c:v libx264 a.mp4");
    for (fps, tc, message) in [
        (
            "25",
            "\"01:00:00:25\"",
            "frame 25 is past the rate (0..24 at 25 fps)",
        ),
        (
            "25",
            "\"01:00:00;05\"",
            "drop-frame timecode exists only at 29.97 and 59.94 fps, not at 25 fps",
        ),
        ("25", "\"01:00\"", "malformed timecode"),
        ("24.5", "\"01:00:00:00\"", "not 24.5 fps"),
    ] {
        output_edl(&f, "out.mp4", fps, Some(tc));
        let out = f.reel(&["check", "--color", "never", "t.toml"]);
        assert_eq!(out.status.code(), Some(2), "{tc} at {fps}");
        let text = printed(&out);
        assert!(
            text.contains("t.toml:6:12") && text.contains(message),
            "{tc} at {fps}: {text}"
        );
        assert!(!f.path("out.mp4").exists());
    }
}

/// An EDL of one clip of `src` with `trim` (its `in`/`out` lines) into a
/// lossless 64x64 render at 25 fps.
fn trim_edl(f: &Fixture, src: &str, trim: &str) {
    f.write(
        "t.toml",
        &format!(
            "{}\n[[clip]]\nsource = \"{src}\"\n{trim}\n",
            lossless_output(64, 64, "25")
        ),
    );
}

#[test]
fn in_and_out_in_the_sources_timecode_pick_its_frames() {
    let f = Fixture::new();
    // Frame N shows N (mod 50); its timecode starts at 01:00:00:00.
    f.ffmpeg(&format!(
        "-f lavfi -i {} -c:v libx264 -qp 0 -timecode 01:00:00:00 tc.mov",
        frames_mod_50("64x64", 2)
    ));
    trim_edl(
        &f,
        "tc.mov",
        "in = { tc = \"01:00:00:12\" }\nout = { tc = \"01:00:01:05\" }",
    );
    f.render("t.toml");
    let frames = luma_frames(&f.path("out.mp4"), 64, 64);
    let shown: Vec<i64> = frames
        .iter()
        .map(|y| frame_mod_50(centre_mean(y, 64, 64)))
        .collect();
    assert_eq!(shown, (12..30).collect::<Vec<i64>>());
    // Today's "HH:MM:SS:FF" still counts from the start of the file.
    trim_edl(&f, "tc.mov", "in = \"00:00:00:12\"\nout = \"00:00:01:05\"");
    f.render("t.toml");
    let plain = luma_frames(&f.path("out.mp4"), 64, 64);
    assert_eq!(plain, frames);
}

#[test]
fn a_source_timecode_outside_the_source_or_missing_is_an_error_naming_the_clip() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=64x64:r=25:d=2 -c:v libx264 -timecode 01:00:00:00 tc.mov");
    f.ffmpeg("-f lavfi -i testsrc2=s=64x64:r=25:d=2 -c:v libx264 plain.mp4");
    let cases = [
        (
            "tc.mov",
            "in = { tc = \"00:59:59:00\" }",
            11,
            "clip 1 (tc.mov, [[clip]] at line 9): `in` { tc = \"00:59:59:00\" } is before the \
             start of",
        ),
        (
            "tc.mov",
            "in = { tc = \"01:00:01:00\" }\nout = { tc = \"01:00:02:01\" }",
            12,
            "`out` { tc = \"01:00:02:01\" } is past the end of",
        ),
        (
            "plain.mp4",
            "in = { tc = \"01:00:00:00\" }",
            11,
            "clip 1 (plain.mp4, [[clip]] at line 9): `in` { tc = \"01:00:00:00\" } counts in \
             the source's own timecode, but",
        ),
        // A plain timecode string past the end: a hint at the tc form.
        (
            "tc.mov",
            "in = \"01:00:00:12\"",
            11,
            "starts at timecode 01:00:00:00: for its own timecode write { tc = \"01:00:00:12\" }",
        ),
    ];
    for (src, trim, line, message) in cases {
        trim_edl(&f, src, trim);
        let out = f.reel(&["check", "--color", "never", "t.toml"]);
        assert_eq!(out.status.code(), Some(2), "{trim}");
        let text = printed(&out);
        assert!(text.contains(message), "{trim}: {text}");
        assert!(
            text.contains(&format!("t.toml:{line}:")),
            "not at the line of the key: {text}"
        );
    }
    // The start timecode is named.
    trim_edl(&f, "tc.mov", "in = { tc = \"00:59:59:00\" }");
    let text = printed(&f.reel(&["check", "t.toml"]));
    assert!(
        text.contains("timecode runs from 01:00:00:00 to 01:00:02:00"),
        "{text}"
    );
}
