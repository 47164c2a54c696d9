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

/// The audio's length in samples as a player plays it: in MP4 and MOV the
/// edit list's (ffprobe's `duration_ts` at 1/48000); in Matroska the
/// samples decoded, less the `CodecDelay` and `DiscardPadding` the
/// demuxer applies.
fn audio_length(file: &Path) -> u64 {
    let ext = file.extension().unwrap().to_str().unwrap();
    if ext == "mkv" {
        let pcm = Command::new("ffmpeg")
            .args(["-v", "error", "-nostdin", "-i"])
            .arg(file)
            .args(["-map", "0:a", "-ac", "1", "-f", "s16le", "-"])
            .output()
            .expect("ffmpeg runs");
        return pcm.stdout.len() as u64 / 2;
    }
    // (AC-3 streams print a trailing comma.)
    let probe = |entry: &str| {
        probe_stream(file, "a:0", entry)
            .trim_end_matches(',')
            .to_string()
    };
    assert_eq!(probe("time_base"), "1/48000");
    probe("duration_ts").parse().unwrap()
}

/// The first packet's time of a stream, in seconds.
fn first_time(file: &Path, stream: &str) -> f64 {
    packets(file, stream, "pts_time")[0][0].parse().unwrap()
}

/// Renders 1 s with each (codec, extension) and checks what a player
/// gets: the codec, sample format and layout, 25 frames from 0, and
/// exactly 48 000 samples of audio.
fn check_codecs(cases: &[(&str, &str, &str, &str)]) {
    let f = Fixture::new();
    source(&f, 1);
    for &(codec, ext, name, sample_fmt) in cases {
        let out_name = format!("out-{codec}.{ext}");
        edl(&f, &out_name, codec, 1.0, "");
        f.render("t.toml");
        let out = f.path(&out_name);
        let what = format!("{codec} in .{ext}");
        // ffprobe adds a comma for AC-3's own stream fields.
        let probe = |entry: &str| {
            let v = probe_stream(&out, "a:0", entry);
            v.split(',').next().unwrap_or_default().to_string()
        };
        assert_eq!(probe("codec_name"), name, "{what}");
        assert_eq!(probe("sample_fmt"), sample_fmt, "{what}");
        assert_eq!(probe("channels"), "2", "{what}");
        // Matroska's PCM tracks carry a channel count but no layout.
        let layout = if ext == "mkv" && codec.starts_with("pcm") {
            "unknown"
        } else {
            "stereo"
        };
        assert_eq!(probe("channel_layout"), layout, "{what}");
        assert_eq!(probe_stream(&out, "v:0", "nb_read_frames"), "25", "{what}");
        assert_eq!(
            first_time(&out, "v:0"),
            0.0,
            "{what}: the video starts at 0"
        );
        assert_eq!(audio_length(&out), SR, "{what}: samples");
        assert_decodes_cleanly(&out);
    }
}

#[test]
fn pcm_in_mov_and_matroska_is_as_long_as_the_video() {
    check_codecs(&[
        ("pcm_s16le", "mov", "pcm_s16le", "s16"),
        ("pcm_s24le", "mov", "pcm_s24le", "s32"),
        ("pcm_s24le", "mkv", "pcm_s24le", "s32"),
        ("pcm_s32le", "mkv", "pcm_s32le", "s32"),
        ("pcm_f32le", "mov", "pcm_f32le", "flt"),
    ]);
}

#[test]
fn lossless_flac_and_alac_are_as_long_as_the_video() {
    check_codecs(&[
        ("flac", "mkv", "flac", "s32"),
        ("alac", "mov", "alac", "s32p"),
        ("alac", "mp4", "alac", "s32p"),
    ]);
}

#[test]
fn lossy_codecs_are_as_long_as_the_video_with_priming_signalled() {
    check_codecs(&[
        ("aac", "mp4", "aac", "fltp"),
        ("aac", "mov", "aac", "fltp"),
        ("libopus", "mkv", "opus", "fltp"),
        ("ac3", "mp4", "ac3", "fltp"),
        ("eac3", "mp4", "eac3", "fltp"),
        ("libmp3lame", "mp4", "mp3", "fltp"),
    ]);
}

/// Renders 11 s of a steady 440 Hz tone with `codec` (chunks of about
/// 10 s are encoded apart and joined) and checks that the decoded tone
/// has no seam: the residue once the tone is taken out is nowhere much
/// above its typical level, and the level does not move.
fn assert_seamless(f: &Fixture, codec: &str, ext: &str) {
    let out_name = format!("out-{codec}.{ext}");
    edl(f, &out_name, codec, 11.0, "");
    f.render("t.toml");
    let out = f.path(&out_name);
    let x = audio_channel(&out, 0);
    let sr = SR as usize;
    let c = 2.0 * (2.0 * std::f64::consts::PI * 440.0 / SR as f64).cos() as f32;
    let mut residue: Vec<(f32, usize)> = (sr / 2..sr * 21 / 2)
        .step_by(960)
        .map(|at| {
            let r = (at..at + 960)
                .map(|n| (x[n] - c * x[n - 1] + x[n - 2]).abs())
                .fold(0f32, f32::max);
            (r, at)
        })
        .collect();
    residue.sort_by(|a, b| a.0.total_cmp(&b.0));
    let typical = residue[residue.len() / 2].0.max(1e-4);
    let (worst, at) = residue[residue.len() - 1];
    assert!(
        worst <= typical * 4.0,
        "{codec}: a seam at {:.3} s: residue {worst:.5}, typically {typical:.5}",
        at as f64 / SR as f64
    );
    let level = |at: usize| tone_db(&x, SR as f64, 440.0, at - 4800, 9600);
    assert!(
        (level(sr * 10) - level(sr * 8)).abs() < 0.1,
        "{codec}: {} dB at 10 s, {} dB at 8 s",
        level(sr * 10),
        level(sr * 8)
    );
}

#[test]
fn chunked_renders_join_without_a_seam() {
    let f = Fixture::new();
    f.ffmpeg(
        "-f lavfi -i color=c=gray:s=160x90:r=25:d=11 \
         -f lavfi -i sine=f=440:r=48000:d=11,volume=0.316 \
         -c:v libx264 -preset ultrafast -c:a pcm_s16le -shortest a.mov",
    );
    std::fs::rename(f.path("a.mov"), f.path("a.mp4")).unwrap();
    for (codec, ext) in [
        ("pcm_s24le", "mov"),
        ("flac", "mkv"),
        ("alac", "mov"),
        ("libopus", "mkv"),
        ("libvorbis", "mkv"),
        ("eac3", "mp4"),
    ] {
        assert_seamless(&f, codec, ext);
    }
}

/// An EDL of 1.2 s of `a.mp4` into the audio-only `out`.
fn audio_only_edl(f: &Fixture, out: &str, codec_line: &str) {
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
            {codec_line}
            [[clip]]
            source = "a.mp4"
            duration = 1.2
            "#
        ),
    );
}

#[test]
fn audio_only_files_hold_the_timeline_and_no_video() {
    let f = Fixture::new();
    source(&f, 2);
    // (extension, codec line, codec, sample format, samples as played)
    for (ext, line, codec, fmt) in [
        ("wav", "", "pcm_s24le", "s32"),
        ("wav", "codec = \"pcm_s16le\"", "pcm_s16le", "s16"),
        ("flac", "", "flac", "s32"),
        ("m4a", "", "aac", "fltp"),
        ("m4a", "codec = \"alac\"", "alac", "s32p"),
    ] {
        let name = format!("out.{ext}");
        audio_only_edl(&f, &name, line);
        f.render("t.toml");
        let out = f.path(&name);
        let what = format!("{codec} in .{ext}");
        assert_eq!(
            probe_stream(&out, "v", "codec_name"),
            "",
            "{what}: no video"
        );
        assert_eq!(probe_stream(&out, "a:0", "codec_name"), codec, "{what}");
        assert_eq!(probe_stream(&out, "a:0", "sample_fmt"), fmt, "{what}");
        let played = if ext == "m4a" {
            probe_stream(&out, "a:0", "duration_ts").parse().unwrap()
        } else {
            audio_samples(&out).len() as u64
        };
        assert_eq!(played, SR * 6 / 5, "{what}: samples");
        assert_decodes_cleanly(&out);
        std::fs::remove_file(&out).unwrap();
    }
    // MP3: one stream of audio, its priming signalled in the LAME header.
    audio_only_edl(&f, "out.mp3", "");
    f.render("t.toml");
    let out = f.path("out.mp3");
    assert_eq!(probe_stream(&out, "a:0", "codec_name"), "mp3");
    assert_eq!(probe_stream(&out, "v", "codec_name"), "");
    assert_decodes_cleanly(&out);
    assert_eq!(f.leftovers(), Vec::<String>::new(), "temporary files left");
}

#[test]
fn an_audio_only_file_refuses_a_codec_it_cannot_carry_at_its_line() {
    let f = Fixture::new();
    source(&f, 2);
    audio_only_edl(&f, "out.wav", "codec = \"aac\"");
    let out = f.reel(&["check", "t.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let text = printed(&out);
    assert!(
        text.contains("t.toml:7:9:") && text.contains("a .wav file cannot carry aac"),
        "{text}"
    );
}

#[test]
fn an_audio_only_range_renders_the_range_and_is_cached() {
    let f = Fixture::new();
    source(&f, 2);
    audio_only_edl(&f, "out.flac", "");
    f.reel_ok(&["render", "--quiet", "--range", "0.4-1.0", "t.toml"]);
    let out = f.path("out.flac");
    assert_eq!(audio_samples(&out).len() as u64, SR * 3 / 5);
    let first = std::fs::read(&out).unwrap();
    f.reel_ok(&["render", "--quiet", "--range", "0.4-1.0", "t.toml"]);
    assert_eq!(
        std::fs::read(&out).unwrap(),
        first,
        "the cached render is the same"
    );
}
