//! Masters and web deliveries as an editor is asked for them: ProRes 422
//! HQ with 24-bit PCM in MOV (a 10-bit source stays 10-bit), DNxHR HQX in
//! MXF with PCM and a start timecode, VP9 and Opus in WebM by default:
//! each with the exact frame count, its audio exactly as long as its
//! video, and a clean decode.

use crate::common::*;
use std::path::Path;
use std::process::Command;

/// A 2 s 10-bit source (a luma ramp of 160 10-bit codes, 4 of them to
/// an 8-bit step, in ProRes 4:2:2 10-bit) with a tone, rendered into `out`
/// with `settings`.
fn render(f: &Fixture, out: &str, settings: &str) {
    f.ffmpeg(
        "-f lavfi -i color=s=320x180:r=25:d=2,format=yuv422p10le,geq=lum=256+X/2:cb=512:cr=512 \
         -f lavfi -i sine=f=440:d=2 -c:v prores_ks -profile:v hq -pix_fmt yuv422p10le \
         -c:a pcm_s24le a.mov",
    );
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "{out}"
            width = 320
            height = 180
            fps = 25
            {settings}
            [[clip]]
            source = "a.mov"
            duration = 2
            "#
        ),
    );
    f.render("t.toml");
}

/// Samples of audio a player gets (decoded, priming and padding dropped).
fn audio_samples_played(file: &Path) -> usize {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(file)
        .args([
            "-map", "0:a:0", "-ac", "1", "-ar", "48000", "-f", "s16le", "-",
        ])
        .output()
        .expect("ffmpeg runs");
    assert_success(&out, "decoding the audio");
    out.stdout.len() / 2
}

/// Asserts 50 frames, 2 s of audio to the sample, and a clean decode.
fn assert_whole(file: &Path) {
    assert_decodes_cleanly(file);
    assert_eq!(probe_stream(file, "v:0", "nb_read_frames"), "50");
    assert_eq!(audio_samples_played(file), 96_000, "{}", file.display());
}

#[test]
fn a_prores_hq_master_with_24_bit_pcm_keeps_10_bits() {
    let f = Fixture::new();
    render(
        &f,
        "master.mov",
        "[output.video]\ncodec = \"prores_ks\"\nprofile = \"hq\"\n\
         [output.audio]\ncodec = \"pcm_s24le\"",
    );
    let out = f.path("master.mov");
    assert_whole(&out);
    assert_eq!(probe_stream(&out, "v:0", "profile"), "HQ");
    assert_eq!(probe_stream(&out, "v:0", "pix_fmt"), "yuv422p10le");
    assert_eq!(probe_stream(&out, "v:0", "codec_tag_string"), "apch");
    assert_eq!(probe_stream(&out, "a:0", "codec_name"), "pcm_s24le");
    // The ramp spans 40 8-bit codes; in 10 bits it has 160 distinct luma
    // values, which an 8-bit step on the way would cut to 40.
    let luma = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&out)
        .args([
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "gray10le",
            "-",
        ])
        .output()
        .expect("ffmpeg runs");
    let row: std::collections::BTreeSet<u16> = luma.stdout[..320 * 2]
        .chunks(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .collect();
    assert!(row.len() >= 120, "{} distinct 10-bit values", row.len());
}

#[test]
fn a_dnxhr_hqx_master_in_mxf_has_pcm_and_its_timecode() {
    let f = Fixture::new();
    render(
        &f,
        "master.mxf",
        "timecode = \"01:00:00:00\"\n[output.video]\ncodec = \"dnxhd\"\nprofile = \"hqx\"",
    );
    let out = f.path("master.mxf");
    assert_whole(&out);
    assert_eq!(probe_stream(&out, "v:0", "codec_name"), "dnxhd");
    assert_eq!(probe_stream(&out, "v:0", "profile"), "DNXHR HQX");
    assert_eq!(probe_stream(&out, "v:0", "pix_fmt"), "yuv422p10le");
    assert_eq!(probe_stream(&out, "a:0", "codec_name"), "pcm_s24le");
    let tc = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format_tags=timecode"])
        .args(["-of", "default=nw=1:nk=1"])
        .arg(&out)
        .output()
        .expect("ffprobe runs");
    assert_eq!(String::from_utf8_lossy(&tc.stdout).trim(), "01:00:00:00");
}

#[test]
fn a_webm_is_vp9_and_opus_by_default_and_as_long_as_its_video() {
    let f = Fixture::new();
    render(&f, "web.webm", "");
    let out = f.path("web.webm");
    assert_whole(&out);
    assert_eq!(probe_stream(&out, "v:0", "codec_name"), "vp9");
    assert_eq!(probe_stream(&out, "a:0", "codec_name"), "opus");
    assert_eq!(probe_stream(&out, "a:0", "channel_layout"), "stereo");
}

#[test]
fn slide_up_transitions_render_into_a_10_bit_master() {
    // FFmpeg 5.1's xfade reads past the picture at progress 1 of a
    // `slideup` at 16 bits (a crash, depending on memory layout): reel
    // never asks for that picture.
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=1920x1080:r=25:d=1 -pix_fmt yuv422p10le -c:v prores_ks a.mov");
    let mut text = edl!(
        r#"
        [output]
        path = "out.mov"
        width = 1920
        height = 1080
        fps = 25
        [output.video]
        codec = "prores_ks"
        profile = "proxy"
        "#
    );
    for i in 0..4 {
        text.push_str("\n[[clip]]\nsource = \"a.mov\"\nduration = 1\n");
        if i < 3 {
            text.push_str("transition = { kind = \"slideup\", duration = 0.4 }\n");
        }
    }
    f.write("t.toml", &text);
    f.render("t.toml");
    assert_decodes_cleanly(&f.path("out.mov"));
    assert_eq!(
        probe_stream(&f.path("out.mov"), "v:0", "nb_read_frames"),
        "70"
    );
}

#[test]
fn captions_to_embed_in_an_mxf_are_refused_before_rendering() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=320x180:r=25:d=1 -c:v libx264 a.mp4");
    f.write("c.srt", "1\n00:00:00,000 --> 00:00:00,800\nHello\n");
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "out.mxf"
            width = 320
            height = 180
            fps = 25
            [[clip]]
            source = "a.mp4"
            duration = 1
            [[captions]]
            source = "c.srt"
            language = "eng"
            embed = true
            "#
        ),
    );
    let out = f.reel(&["render", "--quiet", "t.toml"]);
    assert_eq!(out.status.code(), Some(2), "{}", printed(&out));
    assert!(
        printed(&out).contains("carries no subtitles"),
        "{}",
        printed(&out)
    );
    assert!(!f.path("out.mxf").exists());
}
