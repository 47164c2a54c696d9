//! The colour tags each encoder writes, in the stream and the frames.

use super::*;

/// Renders a 3-frame 128x72 HLG clip into SDR and into HLG through `codec`
/// (`pix_fmts` for each, and `extra` video keys) to `out.{ext}`, and
/// asserts that the stream's colour tags (and, with `frames`, the first
/// frame's) are the output space's.
fn assert_tags_follow_the_space(
    codec: &str,
    pix_fmts: [&str; 2],
    ext: &str,
    extra: &str,
    frames: bool,
) {
    let f = Fixture::new();
    ffmpeg_argv(
        &f,
        &[
            "-f",
            "lavfi",
            "-i",
            "smptehdbars=s=128x72:r=25",
            "-frames:v",
            "3",
            "-vf",
            "zscale=tin=bt709:pin=bt709:min=bt709:rin=tv:t=arib-std-b67:p=bt2020:m=bt2020nc:r=tv:npl=203,format=yuv420p10le",
            "-c:v",
            "libx265",
            "-preset",
            "ultrafast",
            "-x265-params",
            "lossless=1:log-level=error",
            "-color_primaries",
            "bt2020",
            "-color_trc",
            "arib-std-b67",
            "-colorspace",
            "bt2020nc",
            "-color_range",
            "tv",
            "hlg.mkv",
        ],
    );
    for (space, pix_fmt, want) in [
        ("sdr", pix_fmts[0], ["bt709", "bt709", "bt709"]),
        ("hlg", pix_fmts[1], ["arib-std-b67", "bt2020", "bt2020nc"]),
    ] {
        let path = format!("{space}.{ext}");
        f.write(
            "t.toml",
            &edl!(
                r#"
                [output]
                path = "{path}"
                width = 128
                height = 72
                fps = 25
                [output.video]
                codec = "{codec}"
                pix_fmt = "{pix_fmt}"
                {extra}
                [output.color]
                space = "{space}"
                [[clip]]
                source = "hlg.mkv"
                duration = 0.12
                "#
            ),
        );
        render(&f, "t.toml", &[]);
        let file = f.path(&path);
        let (t, p, s) = stream_tags(&file);
        assert_eq!(
            [t.as_str(), &p, &s],
            want,
            "{codec} into {space}: stream tags"
        );
        if frames {
            let text = first_frame_text(&file);
            let get = |k: &str| value_after(&text, "[FRAME]", k).unwrap_or_default();
            assert_eq!(
                [
                    get("color_transfer"),
                    get("color_primaries"),
                    get("color_space")
                ],
                want.map(String::from),
                "{codec} into {space}: frame tags"
            );
        }
    }
}

#[test]
fn x264_tags_follow_the_output_space() {
    // 8 bits for SDR; HDR needs 10.
    assert_tags_follow_the_space(
        "libx264",
        ["yuv420p", "yuv420p10le"],
        "mp4",
        "preset = \"ultrafast\"",
        false,
    );
}

#[test]
fn x265_tags_follow_the_output_space() {
    assert_tags_follow_the_space(
        "libx265",
        ["yuv420p10le", "yuv420p10le"],
        "mp4",
        "preset = \"ultrafast\"",
        false,
    );
}

#[test]
fn prores_stream_and_frame_tags_follow_the_output_space() {
    assert_tags_follow_the_space("prores_ks", ["yuv422p10le", "yuv422p10le"], "mov", "", true);
}

#[test]
fn av1_tags_follow_the_output_space() {
    assert_tags_follow_the_space(
        "libaom-av1",
        ["yuv420p10le", "yuv420p10le"],
        "mp4",
        "crf = 40",
        false,
    );
}

#[test]
fn a_profile_sets_the_output_colour_space() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=64x64:r=25:d=0.2 -c:v libx264 a.mp4");
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "out.mp4"
            width = 64
            height = 64
            fps = 25
            [profile.hdr]
            video = {{ codec = "libx265", pix_fmt = "yuv420p10le", preset = "ultrafast" }}
            [profile.hdr.color]
            space = "hlg"
            [[clip]]
            source = "a.mp4"
            "#
        ),
    );
    render(&f, "t.toml", &[]);
    render(&f, "t.toml", &["--profile", "hdr"]);
    assert_eq!(
        stream_tags(&f.path("out.mp4")),
        ("bt709".into(), "bt709".into(), "bt709".into())
    );
    assert_eq!(
        stream_tags(&f.path("out.hdr.mp4")),
        ("arib-std-b67".into(), "bt2020".into(), "bt2020nc".into())
    );
}
