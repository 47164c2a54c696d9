//! Video encoders and their settings: every encoder reel sets up renders
//! two segments that join into one stream which decodes cleanly with the
//! exact frame count and the codec, profile, pixel format and tag asked
//! for; WebM and MXF outputs; settings an encoder or a container cannot
//! take are errors at their line before anything is rendered.

use crate::common::*;
use std::path::PathBuf;

/// Two 7 s clips: at 5 fps that is 70 frames in two segments (segments
/// last at least 6 s), cheap to encode with any encoder.
const SOURCE: &str = "-f lavfi -i testsrc2=s=320x180:r=25:d=7 -f lavfi -i sine=d=7 \
                      -c:v libx264 -g 25 -c:a aac a.mp4";

/// Renders two clips into `out` at `fps` and `size` with `settings` (lines
/// of `[output.video]`, then any `[output.audio]`); asserts the plan has
/// two segments. Returns the output's path.
fn render(f: &Fixture, out: &str, fps: u32, size: (u32, u32), settings: &str) -> PathBuf {
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "{out}"
            width = {w}
            height = {h}
            fps = {fps}
            {settings}
            [[clip]]
            source = "a.mp4"
            duration = 7
            [[clip]]
            source = "a.mp4"
            duration = 7
            "#,
            w = size.0,
            h = size.1
        ),
    );
    let plan = f.reel_ok(&["plan", "--json", "t.toml"]);
    let segments = plan.matches("\"kind\": \"segment\"").count();
    assert!(segments >= 2, "{out}: {segments} segment(s)");
    f.render("t.toml");
    f.path(out)
}

/// Asserts `file` decodes without a message, with `frames` video frames,
/// and that its video stream says `expected` (ffprobe entry, value).
#[track_caller]
fn assert_stream(file: &std::path::Path, frames: u32, expected: &[(&str, &str)]) {
    assert_decodes_cleanly(file);
    assert_eq!(
        probe_stream(file, "v:0", "nb_read_frames"),
        frames.to_string(),
        "{}",
        file.display()
    );
    for (entry, value) in expected {
        assert_eq!(
            probe_stream(file, "v:0", entry),
            *value,
            "{} {entry}",
            file.display()
        );
    }
}

#[test]
fn prores_profiles_render_and_join() {
    let f = Fixture::new();
    f.ffmpeg(SOURCE);
    for (profile, name, pix_fmt, tag) in [
        ("proxy", "Proxy", "yuv422p10le", "apco"),
        ("hq", "HQ", "yuv422p10le", "apch"),
        // FFmpeg decodes ProRes 4444 to 12 bits whatever was encoded.
        ("4444", "4444", "yuv444p12le", "ap4h"),
    ] {
        let out = render(
            &f,
            "out.mov",
            5,
            (160, 90),
            &format!("[output.video]\ncodec = \"prores_ks\"\nprofile = \"{profile}\""),
        );
        assert_stream(
            &out,
            70,
            &[
                ("codec_name", "prores"),
                ("profile", name),
                ("pix_fmt", pix_fmt),
                ("codec_tag_string", tag),
            ],
        );
    }
}

#[test]
fn dnxhr_profiles_render_and_join() {
    let f = Fixture::new();
    f.ffmpeg(SOURCE);
    for (profile, name, pix_fmt) in [
        ("lb", "DNXHR LB", "yuv422p"),
        ("hqx", "DNXHR HQX", "yuv422p10le"),
    ] {
        let out = render(
            &f,
            "out.mov",
            5,
            (256, 144),
            &format!("[output.video]\ncodec = \"dnxhd\"\nprofile = \"{profile}\""),
        );
        assert_stream(
            &out,
            70,
            &[
                ("codec_name", "dnxhd"),
                ("profile", name),
                ("pix_fmt", pix_fmt),
            ],
        );
    }
}

#[test]
fn svt_av1_with_a_real_preset_joins() {
    let f = Fixture::new();
    f.ffmpeg(SOURCE);
    let out = render(
        &f,
        "out.mkv",
        5,
        (160, 90),
        "[output.video]\ncodec = \"libsvtav1\"\npreset = \"10\"\ncrf = 40",
    );
    assert_stream(&out, 70, &[("codec_name", "av1"), ("pix_fmt", "yuv420p")]);
}

#[test]
fn rav1e_in_matroska_has_its_parameters_and_joins() {
    let f = Fixture::new();
    f.ffmpeg(SOURCE);
    // librav1e gives its sequence header only with its first packet;
    // Matroska refused the stream without it ("Invalid data").
    let out = render(
        &f,
        "out.mkv",
        5,
        (160, 90),
        "[output.video]\ncodec = \"librav1e\"",
    );
    assert_stream(
        &out,
        70,
        &[
            ("codec_name", "av1"),
            ("profile", "Main"),
            ("pix_fmt", "yuv420p"),
        ],
    );
}

#[test]
fn aom_av1_with_cpu_used_and_vp9_in_webm_join() {
    let f = Fixture::new();
    f.ffmpeg(SOURCE);
    let out = render(
        &f,
        "out.mkv",
        5,
        (160, 90),
        "[output.video]\ncodec = \"libaom-av1\"\noptions = { cpu-used = 8 }",
    );
    assert_stream(&out, 70, &[("codec_name", "av1"), ("profile", "Main")]);
    let out = render(
        &f,
        "out.webm",
        5,
        (160, 90),
        "[output.video]\ncodec = \"libvpx-vp9\"\n[output.audio]\ncodec = \"libvorbis\"",
    );
    assert_stream(
        &out,
        70,
        &[
            ("codec_name", "vp9"),
            ("profile", "Profile 0"),
            ("pix_fmt", "yuv420p"),
        ],
    );
    assert_eq!(probe_stream(&out, "a:0", "codec_name"), "vorbis");
}

#[test]
fn x265_takes_the_tag_asked_for_and_a_bitrate() {
    let f = Fixture::new();
    f.ffmpeg(SOURCE);
    let out = render(
        &f,
        "out.mp4",
        5,
        (160, 90),
        "[output.video]\ncodec = \"libx265\"\nprofile = \"main10\"\ntag = \"hev1\"\nbitrate = \"200k\"\ngop = 10",
    );
    assert_stream(
        &out,
        70,
        &[
            ("codec_name", "hevc"),
            ("profile", "Main 10"),
            ("pix_fmt", "yuv420p10le"),
            ("codec_tag_string", "hev1"),
        ],
    );
    // gop = 10 at 5 fps: a keyframe every 2 s at least.
    let keys = keyframes(&out, 5.0);
    assert!(keys.len() >= 7, "keyframes at {keys:?}");
}

#[test]
fn settings_an_encoder_or_a_container_cannot_take_are_errors_at_their_line() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=160x90:r=25:d=1 -c:v libx264 a.mp4");
    for (out, fps, video, expected) in [
        (
            "out.mov",
            25,
            "codec = \"prores_ks\"\ncrf = 20",
            "t.toml:8:7: the prores_ks encoder has no crf",
        ),
        (
            "out.mov",
            25,
            "codec = \"dnxhd\"\npreset = \"fast\"",
            "t.toml:8:10: the dnxhd encoder has no preset",
        ),
        (
            "out.mov",
            25,
            "codec = \"prores_ks\"\nprofile = \"ultra\"",
            "t.toml:8:11: unknown prores_ks profile \"ultra\" (one of proxy, lt, standard, hq, 4444, 4444xq)",
        ),
        (
            "out.mov",
            25,
            "codec = \"dnxhd\"\nprofile = \"hqx\"\npix_fmt = \"yuv422p\"",
            "t.toml:9:11: the dnxhd profile \"hqx\" takes pix_fmt yuv422p10le, not yuv422p",
        ),
        (
            "out.mp4",
            25,
            "codec = \"libsvtav1\"\npreset = \"ultrafast\"",
            "t.toml:8:10: invalid libsvtav1 preset \"ultrafast\"",
        ),
        (
            "out.webm",
            25,
            "codec = \"libx264\"",
            "t.toml:7:9: .webm cannot carry h264 (libx264); it takes vp8, vp9, av1",
        ),
        (
            "out.mkv",
            25,
            "codec = \"libx265\"\ntag = \"hvc1\"",
            "t.toml:8:7: a codec tag is for .mp4, .m4v and .mov outputs, not .mkv",
        ),
        (
            "out.mp4",
            25,
            "options = { warp = 9 }",
            "t.toml:7:11: the libx264 encoder has no option \"warp\"",
        ),
        (
            "out.mxf",
            12,
            "profile = \"lb\"",
            "t.toml:5:7: MXF takes the frame rates",
        ),
        (
            "out.mp4",
            25,
            "bitrate = \"1M\"\ncrf = 20",
            "t.toml:7:11: bitrate and crf 20 both set",
        ),
    ] {
        f.write(
            "t.toml",
            &edl!(
                r#"
                [output]
                path = "{out}"
                width = 320
                height = 180
                fps = {fps}
                [output.video]
                {video}
                [[clip]]
                source = "a.mp4"
                "#
            ),
        );
        let run = f.reel(&["check", "--color", "never", "t.toml"]);
        let said = printed(&run);
        assert_eq!(run.status.code(), Some(2), "{video}: {said}");
        assert!(said.contains(expected), "{video}: expected {expected:?} in {said}");
    }
}
