//! Every audio encoder reel offers, in every container that carries it:
//! the encoder is given the sample format it takes, the audio is exactly
//! as long as the video (priming and padding signalled), and chunks of it
//! encoded apart join without a seam.

use crate::common::*;
use std::path::Path;
use std::process::Command;

const SR: u64 = 48_000;

/// An EDL of `seconds` of `a.mp4` at 160x90, 25 fps, into `out` with the
/// audio encoder `codec` (and `extra` lines of `[output.audio]`).
fn edl(f: &Fixture, out: &str, codec: &str, seconds: f64, extra: &str) {
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "{out}"
            width = 160
            height = 90
            fps = 25
            [output.audio]
            codec = "{codec}"
            {extra}
            [[clip]]
            source = "a.mp4"
            duration = {seconds}
            "#
        ),
    );
}

/// A source of `seconds` with a 440 Hz tone at -10 dBFS.
fn source(f: &Fixture, seconds: u32) {
    f.ffmpeg(&format!(
        "-f lavfi -i testsrc2=s=160x90:r=25:d={seconds} \
         -f lavfi -i sine=f=440:r=48000:d={seconds},volume=0.316 \
         -c:v libx264 -c:a pcm_s16le -shortest a.mov"
    ));
    std::fs::rename(f.path("a.mov"), f.path("a.mp4")).unwrap();
}

/// `ffprobe` lines of `entries` for every packet of `stream`.
fn packets(file: &Path, stream: &str, entries: &str) -> Vec<Vec<String>> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", stream])
        .args(["-show_entries", &format!("packet={entries}")])
        .args(["-of", "csv=p=0"])
        .arg(file)
        .output()
        .expect("ffprobe runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// Nothing at all printed by a full decode.
fn assert_decodes_cleanly(file: &Path) {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-i"])
        .arg(file)
        .args(["-f", "null", "-"])
        .output()
        .expect("ffmpeg runs");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn pcm_24_bit_in_mov_is_given_s32_and_keeps_24_bits() {
    let f = Fixture::new();
    source(&f, 1);
    edl(&f, "out.mov", "pcm_s24le", 1.0, "");
    f.render("t.toml");
    let out = f.path("out.mov");
    assert_eq!(probe_stream(&out, "a:0", "codec_name"), "pcm_s24le");
    assert_eq!(probe_stream(&out, "a:0", "sample_fmt"), "s32");
    assert_eq!(probe_stream(&out, "a:0", "bits_per_raw_sample"), "24");
    let ends: u64 = packets(&out, "a:0", "duration")
        .iter()
        .map(|p| p[0].parse::<u64>().unwrap())
        .sum();
    assert_eq!(ends, SR, "samples");
    assert_decodes_cleanly(&out);
}

#[test]
fn a_rate_the_encoder_does_not_take_is_an_error_at_its_line() {
    let f = Fixture::new();
    source(&f, 1);
    edl(&f, "out.mkv", "libopus", 1.0, "sample_rate = 44100");
    let out = f.reel(&["check", "t.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let text = printed(&out);
    assert!(
        text.contains("t.toml:8:15:")
            && text.contains("libopus takes 48000, 24000, 16000, 12000, 8000 Hz, not 44100 Hz"),
        "{text}"
    );
}
