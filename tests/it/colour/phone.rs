//! Phone clips: rotation, Dolby Vision configuration records.

use super::*;

/// The upright picture of the phone clip: 180x320 grey with a 75% red box
/// at the top left and a 75% blue box at the bottom right.
const UPRIGHT: &str = "color=c=0x666666:s=180x320:r=25,\
    drawbox=x=0:y=0:w=90:h=80:color=0xBF0000:t=fill,\
    drawbox=x=90:y=240:w=90:h=80:color=0x0000BF:t=fill";
const RED_BOX: (usize, usize) = (45, 40);
const BLUE_BOX: (usize, usize) = (135, 280);

#[test]
fn hlg_phone_clip_rotated_with_dolby_vision_8_4_renders_upright_in_colour() {
    let f = Fixture::new();
    // Stored sideways (turned clockwise) in HLG, 3 frames; the container's
    // display matrix (the `rotate` tag of FFmpeg 5.1's MP4 muxer) turns it
    // back.
    let vf = "zscale=tin=bt709:pin=bt709:min=bt709:rin=tv:t=arib-std-b67:p=bt2020:m=bt2020nc:r=tv:npl=203,format=yuv420p10le";
    ffmpeg_argv(
        &f,
        &[
            "-f",
            "lavfi",
            "-i",
            &format!("{UPRIGHT},transpose=1"),
            "-frames:v",
            "3",
            "-vf",
            vf,
            "-c:v",
            "libx265",
            "-preset",
            "ultrafast",
            "-x265-params",
            "lossless=1:log-level=error",
            "-tag:v",
            "hvc1",
            "-color_primaries",
            "bt2020",
            "-color_trc",
            "arib-std-b67",
            "-colorspace",
            "bt2020nc",
            "-color_range",
            "tv",
            "sideways.mp4",
        ],
    );
    f.ffmpeg("-i sideways.mp4 -c copy -metadata:s:v rotate=90 turned.mp4");
    // Dolby Vision 8.4: an HLG base layer that plays as it is.
    add_to_sample_entry(&f, "turned.mp4", "phone.mp4", &dvcc(8, 4, 4));
    let stream = stream_text(&f.path("phone.mp4"));
    assert!(
        stream.contains("DOVI configuration record")
            && stream.contains("dv_profile=8")
            && stream.contains("dv_bl_signal_compatibility_id=4")
            && stream.contains("Display Matrix"),
        "{stream}"
    );
    // The CLI (which turns pictures upright by default) sees the red box
    // at the top left: the fixture is right.
    cli_render(
        &f,
        "phone.mp4",
        &sdr_oracle(Hdr::Hlg, "mobius:param=0.6", 1000.0),
        "oracle.mkv",
    );
    let oracle = yuv_frames(&f.path("oracle.mkv"), 180, 320, 8);
    let (red, chroma) = hue_chroma(oracle[0].patch(RED_BOX), 128.0);
    // 75% red: hue about 105 degrees, chroma about 85.
    assert!(
        angle_between(red, 105.0).abs() < 20.0 && chroma > 40.0,
        "the CLI's top left is not red: hue {red:.0}, chroma {chroma:.0}"
    );

    f.write(
        "t.toml",
        &edl!(
            r#"
            {output}
            [[clip]]
            source = "phone.mp4"
            duration = 0.12
            "#,
            output = lossless_output(180, 320, "25"),
        ),
    );
    render(&f, "t.toml", &[]);
    let out = yuv_frames(&f.path("out.mp4"), 180, 320, 8);
    assert_eq!(out.len(), 3);
    let upright = yuv_from(
        &["-f", "lavfi", "-i", UPRIGHT, "-frames:v", "1"],
        180,
        320,
        8,
    );
    for (name, at) in [("red", RED_BOX), ("blue", BLUE_BOX)] {
        let (h0, c0) = hue_chroma(upright[0].patch(at), 128.0);
        let (h1, c1) = hue_chroma(out[1].patch(at), 128.0);
        // 5 degrees and 0.9..1.2 of the chroma, as for the colour bars.
        assert!(
            angle_between(h1, h0).abs() <= 5.0 && (0.9..=1.2).contains(&(c1 / c0)),
            "the {name} box at {at:?}: hue {h1:.1} chroma {c1:.1}, upright original {h0:.1} {c0:.1}"
        );
    }
    let grey = (out[1].patch((135, 40))[0], upright[0].patch((135, 40))[0]);
    // 3 codes: mobius leaves mid grey alone.
    assert!(
        (grey.0 - grey.1).abs() <= 3.0,
        "grey {:.1}, original {:.1}",
        grey.0,
        grey.1
    );
    // 40 dB against the CLI's upright picture through the same chain.
    let db = psnr(&f, "out.mp4", "oracle.mkv");
    assert!(
        db >= 40.0,
        "PSNR against the CLI's upright picture: {db:.1} dB"
    );
}

#[test]
fn dolby_vision_8_4_record_makes_an_untagged_clip_play_as_hlg() {
    let f = Fixture::new();
    hdr_bars(&f, "tagged.mp4", Hdr::Hlg, [HLG_2X, HLG_4X, HLG_PEAK], "");
    // The tags lost (bitstream and container), the record left: it alone
    // says the base layer is HLG.
    f.ffmpeg(
        "-i tagged.mp4 -c copy -bsf:v hevc_metadata=colour_primaries=2:transfer_characteristics=2:matrix_coefficients=2 \
         -color_primaries unknown -color_trc unknown -colorspace unknown untagged.mp4",
    );
    add_to_sample_entry(&f, "untagged.mp4", "dv84.mp4", &dvcc(8, 4, 4));
    assert_eq!(stream_tags(&f.path("dv84.mp4")).0, "unknown");
    cli_render(
        &f,
        "tagged.mp4",
        &sdr_oracle(Hdr::Hlg, "mobius:param=0.6", 1000.0),
        "oracle.mkv",
    );
    // Without the record the clip is untagged SDR, far from the HLG
    // rendering.
    f.write(
        "plain.toml",
        &sdr_edl("untagged.mp4", "").replace("out.mp4", "plain.mp4"),
    );
    render(&f, "plain.toml", &[]);
    let db = psnr(&f, "plain.mp4", "oracle.mkv");
    assert!(db < 30.0, "the untagged clip read as SDR scores {db:.1} dB");
    f.write("t.toml", &sdr_edl("dv84.mp4", ""));
    render(&f, "t.toml", &[]);
    let out = yuv_frames(&f.path("out.mp4"), 640, 360, 8);
    assert_bars_look_like_the_sdr_original(&out[2], "Dolby Vision 8.4 without tags");
    // 40 dB, as for the tagged clip.
    let db = psnr(&f, "out.mp4", "oracle.mkv");
    assert!(
        db >= 40.0,
        "PSNR against the CLI chain of the tagged clip: {db:.1} dB"
    );
}

#[test]
fn dolby_vision_profile_5_is_refused_naming_the_clip() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=64x64:r=25:d=1 -c:v libx264 a.mp4");
    // Profile 5: IPT-PQ-c2, no picture without a Dolby Vision decoder; its
    // HEVC stream carries no colour tags.
    ffmpeg_argv(
        &f,
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=64x64:r=25:d=0.2",
            "-pix_fmt",
            "yuv420p10le",
            "-c:v",
            "libx265",
            "-preset",
            "ultrafast",
            "-x265-params",
            "log-level=error",
            "-tag:v",
            "hvc1",
            "plain.mp4",
        ],
    );
    add_to_sample_entry(&f, "plain.mp4", "dv5.mp4", &dvcc(5, 6, 0));
    assert!(stream_text(&f.path("dv5.mp4")).contains("dv_profile=5"));
    f.write(
        "t.toml",
        &edl!(
            r#"
            {OUTPUT}
            [[clip]]
            source = "a.mp4"
            duration = 0.5
            [[clip]]
            source = "dv5.mp4"
            duration = 0.2
            "#
        ),
    );
    for cmd in ["check", "render"] {
        let out = f.reel(&[cmd, "t.toml"]);
        let text = printed(&out);
        assert!(
            !out.status.success(),
            "reel {cmd} accepted profile 5: {text}"
        );
        assert!(!text.contains("panicked"), "{text}");
        assert!(
            text.contains("clip 2") && text.contains("dv5.mp4"),
            "reel {cmd} does not name the clip: {text}"
        );
        assert!(
            text.contains("Dolby Vision")
                && (text.contains("profile 5") || text.contains("Dolby Vision 5")),
            "reel {cmd} does not say Dolby Vision profile 5: {text}"
        );
    }
    assert!(!f.path("out.mp4").exists());
}
