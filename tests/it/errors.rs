//! Every class of invalid EDL gives exit code 2 and a message naming the
//! file and line (and the clip where there is one), never a panic.

use crate::common::*;

fn check(f: &Fixture, edl: &str) -> (i32, String) {
    f.write("t.toml", edl);
    let out = f.reel(&["check", "t.toml"]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!err.contains("panicked"), "panic: {err}");
    (out.status.code().unwrap_or(-1), err)
}

/// A snippet line with a caret under a value: `  |     ^^^`.
fn has_caret_line(err: &str) -> bool {
    err.lines().any(|l| {
        let l = l.trim_start();
        let rest = l
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start();
        rest.starts_with('|') && rest.contains('^')
    })
}

/// The `[[clip]]` most EDLs here use: lines 6-7 after `OUTPUT`. An EDL
/// fragment: no newline at its end.
const CLIP: &str = r#"[[clip]]
source = "a.mp4""#;

/// An `[output]` whose width is text.
const WIDE: &str = r#"[output]
path = "out.mp4"
width = "wide"
height = 64
fps = 30
"#;

fn fixture() -> Fixture {
    let f = Fixture::new();
    // 2 s of video at 30 fps with audio; a 1 s tone.
    f.ffmpeg("-f lavfi -i testsrc2=s=64x64:r=30:d=2 -f lavfi -i sine=d=2 -c:v libx264 -c:a aac -shortest a.mp4");
    f.ffmpeg("-f lavfi -i sine=d=1 v.wav");
    f.write("junk.mp4", "this is not a video\n");
    f
}

#[test]
fn each_invalid_edl_names_its_line() {
    let f = fixture();
    // (EDL, message, the key the snippet or message names)
    let cases: Vec<(String, &str, &str)> = vec![
        // schema: unknown key, wrong type, bad timecode, impossible values
        (
            edl!(r#"
                {OUTPUT}
                {CLIP}
                colour = 1
                "#),
            "t.toml:8:1: unknown field `colour`",
            "colour",
        ),
        (
            edl!(r#"
                {OUTPUT}
                {CLIP}
                volume = "loud"
                "#),
            "t.toml:8:10: `volume` must be a number (a gain from 0 to 16), found the text \"loud\"",
            "volume",
        ),
        (
            edl!(r#"
                {OUTPUT}
                {CLIP}
                in = "1:2:x"
                "#),
            "t.toml:8:6: clip 1 (a.mp4, [[clip]] at line 6): `in`: invalid time",
            "in",
        ),
        (
            edl!(r#"
                [output]
                path = "out.mp4"
                width = 65
                height = 64
                fps = 30
                "#),
            "t.toml:3:9: invalid output width 65",
            "width",
        ),
        (
            edl!(r#"
                {OUTPUT}
                {CLIP}
                in = 1
                out = 0.5
                "#),
            "t.toml:9:7: clip 1 (a.mp4, [[clip]] at line 6): `in` 0:00:01.000 is not before `out`",
            "out",
        ),
        (
            edl!(r#"
                {OUTPUT}
                "#),
            "the EDL has no [[clip]]",
            "[[clip]]",
        ),
        (
            edl!(r#"
                [output]
                path = "out.avi"
                width = 64
                height = 64
                fps = 30
                "#),
            "t.toml:2:8: unsupported output extension in \"out.avi\"",
            "path",
        ),
        // timing against the probed source
        (
            edl!(r#"
                {OUTPUT}
                {CLIP}
                out = 5
                "#),
            "t.toml:8:7: clip 1 (a.mp4, [[clip]] at line 6): `out` 0:00:05.000 is past the end of the source (duration 0:00:02.000)",
            "out",
        ),
        (
            edl!(r#"
                {OUTPUT}
                {CLIP}
                out = 1
                transition = {{ kind = "crossfade", duration = 1.5 }}
                {CLIP}
                "#),
            "t.toml:9:1: clip 1 (a.mp4, [[clip]] at line 6): the transition lasts 45 frames",
            "transition",
        ),
        (
            edl!(r#"
                {OUTPUT}
                [defaults]
                transition = {{ kind = "crossfade", duration = 0.6 }}
                {CLIP}
                out = 1
                {CLIP}
                out = 1
                {CLIP}
                out = 1
                "#),
            "clip 2 (a.mp4, [[clip]] at line 11): the transition (18 frames) overlaps the previous transition",
            "transition",
        ),
        (
            edl!(r#"
                {OUTPUT}
                {CLIP}
                out = 1
                [[voiceover]]
                source = "v.wav"
                at = 0.5
                "#),
            "t.toml:11:6: voiceover 1 (v.wav, [[voiceover]] at line 9): the voiceover runs from 0:00:00.500 to 0:00:01.500, past the end of the montage (0:00:01.000)",
            "at",
        ),
        // music, ducking, loudness and fades
        (
            edl!(r#"
                {OUTPUT}
                {CLIP}
                [[music]]
                source = "v.wav"
                at = 3
                "#),
            "t.toml:10:6: music 1 (v.wav, [[music]] at line 8): the music starts at 0:00:03.000, after the end of the montage (0:00:02.000)",
            "at",
        ),
        (
            edl!(r#"
                {OUTPUT}
                {CLIP}
                [[music]]
                source = "v.wav"
                at = 1
                until = 0.5
                "#),
            "t.toml:11:9: music 1 (v.wav, [[music]] at line 8): `until` 0:00:00.500 is not after `at` 0:00:01.000",
            "until",
        ),
        (
            edl!(r#"
                {OUTPUT}
                {CLIP}
                [ducking]
                applies_to = ["clips", "voice"]
                "#),
            "t.toml:9:14: unknown `applies_to` entry \"voice\"",
            "applies_to",
        ),
        (
            edl!(r#"
                {OUTPUT}
                {CLIP}
                [ducking]
                depth_db = -6
                "#),
            "t.toml:9:12: invalid value -6 (expected 0 to 60)",
            "depth_db",
        ),
        (
            edl!(r#"
                {OUTPUT}
                [output.audio.loudness]
                integrated_lufs = 3.0
                "#),
            "t.toml:7:19: invalid value 3 (expected -50 to -5)",
            "integrated_lufs",
        ),
        (
            edl!(r#"
                {OUTPUT}
                {CLIP}
                transition = {{ kind = "crossfade", duration = 0.5, audio_curve = "cubic" }}
                "#),
            "t.toml:8:66: unknown variant `cubic`, expected `equal_power` or `linear`",
            "audio_curve",
        ),
        (
            edl!(r#"
                {OUTPUT}
                fade_in = 1.5
                fade_out = 1
                {CLIP}
                "#),
            "[output] fade_in (45 frames) and fade_out (30 frames) are longer than the montage (60 frames)",
            "fade_in",
        ),
        // sources
        (
            edl!(r#"
                {OUTPUT}
                [[clip]]
                source = "missing.mp4"
                "#),
            "t.toml:7:10: clip 1 (missing.mp4, [[clip]] at line 6): source not found",
            "source",
        ),
        (
            edl!(r#"
                {OUTPUT}
                [[clip]]
                source = "junk.mp4"
                "#),
            "clip 1 (junk.mp4, [[clip]] at line 6): cannot open source junk.mp4 as media",
            "source",
        ),
        (
            edl!(r#"
                {OUTPUT}
                [[clip]]
                source = "v.wav"
                "#),
            "clip 1 (v.wav, [[clip]] at line 6): source v.wav has no video stream",
            "source",
        ),
    ];
    for (edl, want, key) in cases {
        let (code, err) = check(&f, &edl);
        assert_eq!(code, 2, "exit code for:\n{edl}\n{err}");
        assert!(
            err.contains(want),
            "expected `{want}` in:\n{err}\nfor:\n{edl}"
        );
        assert!(
            err.contains(&format!("`{key}`")),
            "expected the key `{key}` named in:\n{err}"
        );
        assert!(has_caret_line(&err), "expected a caret line in:\n{err}");
    }
}

#[test]
fn all_problems_are_reported_at_once() {
    let f = fixture();
    let edl = edl!(
        r#"
        {OUTPUT}
        [[clip]]
        source = "missing.mp4"
        [[clip]]
        source = "a.mp4"
        out = 9
        "#
    );
    let (code, err) = check(&f, &edl);
    assert_eq!(code, 2);
    assert!(err.contains("clip 1 (missing.mp4"), "{err}");
    assert!(
        err.contains("clip 2 (a.mp4, [[clip]] at line 8): `out` 0:00:09.000 is past the end"),
        "{err}"
    );
}

#[test]
fn garbage_input_never_panics() {
    let f = fixture();
    for edl in [
        "",
        "\u{0}\u{1}",
        "[output",
        &edl!(
            r#"
            [output]
            width = -2
            height = 99999999999
            fps = -1
            [[clip]]
            source = "a.mp4"
            "#
        ),
        &edl!(
            r#"
            [output]
            width = 64
            height = 64
            fps = "1/0"
            [[clip]]
            source = "a.mp4"
            "#
        ),
        &edl!(
            r#"
            [output]
            width = 64
            height = 64
            fps = 30
            [[clip]]
            source = "a.mp4"
            in = 1e300
            "#
        ),
        &edl!(
            r#"
            [output]
            width = 64
            height = 64
            fps = 30
            [[clip]]
            source = "a.mp4"
            in = "99999999999:00"
            "#
        ),
        &edl!(
            r#"
            [output]
            width = 64
            height = 64
            fps = 30
            [[clip]]
            source = "a.mp4"
            volume = nan
            "#
        ),
        &edl!(
            r#"
            [output]
            width = 64
            height = 64
            fps = 30
            [[clip]]
            source = "a.mp4"
            transition = {{ kind = "wipe" }}
            "#
        ),
    ] {
        let (code, err) = check(&f, edl);
        assert_eq!(code, 2, "{edl:?}: {err}");
        assert!(err.starts_with("error: t.toml"), "{edl:?}: {err}");
    }
}

#[test]
fn check_prints_the_timeline() {
    let f = fixture();
    let edl = edl!(
        r#"
        {OUTPUT}
        [[clip]]
        source = "a.mp4"
        in = 0.5
        out = 1.5
        transition = {{ kind = "crossfade", duration = 0.5 }}
        [[clip]]
        source = "a.mp4"
        "#
    );
    f.write("t.toml", &edl);
    let out = f.reel_ok_output(&["check", "t.toml"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1     a.mp4   0:00:00.500  0:00:01.500  0:00:00.000  0:00:01.000  30      crossfade 15 frames"), "{text}");
    assert!(
        text.contains("montage: 75 frames at 30 fps = 0:00:02.500"),
        "{text}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let f = fixture();
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
    let out = f.reel(&["render", "t.toml", "-o", "cut.avi"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cut.avi: unsupported output extension"));
    assert!(!f.path("cut.avi").exists());
    let out = f.reel(&["render"]);
    assert_eq!(out.status.code(), Some(2));
    let out = f.reel(&["render", "nope.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.toml: cannot read the EDL"));
}

#[test]
fn bad_encoder_settings_are_reported_at_their_line() {
    let f = fixture();
    for (video, want) in [
        (
            r#"preset = "warp9""#,
            "t.toml:7:10: unknown x264 preset \"warp9\" (one of ultrafast",
        ),
        (
            r#"pix_fmt = "yuv999""#,
            "t.toml:7:11: unknown pix_fmt \"yuv999\"",
        ),
        (
            r#"codec = "libnothing""#,
            "t.toml:7:9: unknown video encoder \"libnothing\"",
        ),
    ] {
        let (code, err) = check(
            &f,
            &edl!(
                r#"
                {OUTPUT}
                [output.video]
                {video}
                {CLIP}
                "#
            ),
        );
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(want), "{err}");
        assert!(
            !err.contains("x264 ["),
            "x264's own message stays out: {err}"
        );
    }
    let (code, err) = check(
        &f,
        &edl!(
            r#"
            {OUTPUT}
            [output.audio]
            codec = "nope"
            {CLIP}
            "#
        ),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("t.toml:7:9: unknown audio encoder \"nope\""),
        "{err}"
    );
    // The encoder's own options: a name it does not have, a value it
    // refuses, and a quality out of range.
    for (audio, want) in [
        (
            r#"options = { aac_codr = "fast" }"#,
            "t.toml:7:11: audio encoder aac has no option \"aac_codr\"",
        ),
        (
            r#"options = { aac_coder = "slowest" }"#,
            "t.toml:7:11: cannot open audio encoder aac",
        ),
        (
            "quality = 300",
            "t.toml:7:11: invalid quality 300 (expected 0 to 100)",
        ),
    ] {
        let (code, err) = check(
            &f,
            &edl!(
                r#"
                {OUTPUT}
                [output.audio]
                {audio}
                {CLIP}
                "#
            ),
        );
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(want), "{want}\n{err}");
    }
}

#[test]
fn an_output_over_a_source_or_inside_the_cache_is_refused() {
    let f = fixture();
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
    let before = std::fs::read(f.path("a.mp4")).unwrap();
    for (args, want) in [
        (
            vec!["render", "-o", "a.mp4", "t.toml"],
            "a.mp4: the output would overwrite the source of clip 1",
        ),
        (
            vec!["render", "-o", "./sub/../a.mp4", "t.toml"],
            "the output would overwrite the source of clip 1",
        ),
        (
            vec!["render", "-o", ".reel-cache/out.mp4", "t.toml"],
            "the output is inside the render cache",
        ),
    ] {
        std::fs::create_dir_all(f.path("sub")).unwrap();
        let out = f.reel(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
    assert_eq!(std::fs::read(f.path("a.mp4")).unwrap(), before);
}

#[test]
fn encoder_errors_point_inside_inline_tables() {
    let f = fixture();
    let (code, err) = check(
        &f,
        &edl!(
            r#"
            {OUTPUT}
            [profile.review]
            video = {{ preset = "warp9" }}
            [[clip]]
            source = "a.mp4"
            "#
        ),
    );
    assert_eq!(code, 0, "the profile is not used: {err}");
    f.write(
        "t.toml",
        &edl!(
            r#"
            {OUTPUT}
            [profile.review]
            video = {{ preset = "warp9" }}
            [[clip]]
            source = "a.mp4"
            "#
        ),
    );
    let out = f.reel(&["check", "--profile", "review", "t.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("t.toml:7:20: unknown x264 preset \"warp9\""),
        "{err}"
    );
    assert!(has_caret_line(&err), "{err}");
}

#[test]
fn one_message_in_full() {
    let f = fixture();
    let (code, err) = check(&f, WIDE);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: t.toml:3:9: `width` must be a whole number of pixels, found the text \"wide\"\n  \
         |\n\
         3 | width = \"wide\"\n  \
         |         ^^^^^^\n  \
         |\n"
    );
    // A clip's problem shows the clip's table and the value.
    let (_, err) = check(
        &f,
        &edl!(
            r#"
            {OUTPUT}
            [[clip]]
            source = "a.mp4"
            out = 5
            "#
        ),
    );
    assert_eq!(
        err,
        "error: t.toml:8:7: clip 1 (a.mp4, [[clip]] at line 6): `out` 0:00:05.000 is past the end \
         of the source (duration 0:00:02.000)\n  \
         |\n\
         6 | [[clip]]\n  \
         | --------\n\
         7 | source = \"a.mp4\"\n\
         8 | out = 5\n  \
         |       ^\n  \
         |\n"
    );
}

#[test]
fn colour_only_on_request_or_a_terminal() {
    let f = fixture();
    f.write("t.toml", WIDE);
    // Not a terminal (a pipe, as in CI logs): plain text.
    let out = f.reel(&["check", "t.toml"]);
    let plain = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
    let out = f.reel(&["--color", "always", "check", "t.toml"]);
    let coloured = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(coloured.contains("\u{1b}["), "{coloured:?}");
    assert_eq!(out.status.code(), Some(2));
    let out = f.reel(&["check", "t.toml", "--color", "never"]);
    assert_eq!(String::from_utf8_lossy(&out.stderr), plain);
}

#[test]
fn usage_errors_name_no_file() {
    let f = fixture();
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
    let out = f.reel(&["render", "t.toml", "--range", "1-9"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        err,
        "error: --range 1-9 ends after the montage (0:00:02.000)\n"
    );
    let out = f.reel(&["render", "t.toml", "--cache-max", "lots"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.starts_with("error: --cache-max: "), "{err}");
}

/// On a terminal (a pseudo-terminal made by util-linux's `script`),
/// `--color auto` colours, unless `NO_COLOR` is set.
#[test]
fn a_terminal_gets_colour_unless_no_color_is_set() {
    let f = fixture();
    f.write("t.toml", WIDE);
    let on_terminal = |no_color: Option<&str>| {
        let mut cmd = std::process::Command::new("script");
        cmd.args([
            "-qec",
            &format!("{} check t.toml", env!("CARGO_BIN_EXE_reel")),
            "/dev/null",
        ])
        .current_dir(f.path("."))
        .env("TERM", "xterm")
        .env_remove("NO_COLOR");
        if let Some(v) = no_color {
            cmd.env("NO_COLOR", v);
        }
        let out = cmd.output().expect("util-linux's script runs");
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let shown = on_terminal(None);
    assert!(
        shown.contains("\u{1b}[") && shown.contains("`width` must be"),
        "{shown:?}"
    );
    let shown = on_terminal(Some("1"));
    assert!(
        !shown.contains('\u{1b}') && shown.contains("`width` must be"),
        "{shown:?}"
    );
    // An empty NO_COLOR does not count.
    assert!(on_terminal(Some("")).contains("\u{1b}["));
}
