//! Channel layouts and multi-track sources: normalised downmixes (5.1 and
//! 7.1 into stereo never clip, and land where the FFmpeg CLI's `-ac 2`
//! does), `audio_streams` and `audio_map` (two stereo tracks of a .mov
//! mixed, dual-mono MXF on left and right), where each kind of sound goes
//! in a 5.1 output, and the warning for a mix that clips.

use crate::common::*;
use std::path::Path;

const RATE: f64 = 48_000.0;

/// An EDL into `out` (160x90, 25 fps) with `audio` as its
/// `[output.audio]` keys and `rest` after it.
fn write_edl(f: &Fixture, out: &str, audio: &str, rest: &str) {
    f.write(
        "t.toml",
        &format!(
            "[output]\npath = \"{out}\"\nwidth = 160\nheight = 90\nfps = 25\n\
             [output.audio]\n{audio}\n{rest}"
        ),
    );
}

/// Decodes `file` whole, asserting FFmpeg says nothing, and checks that
/// its audio has exactly `seconds` of samples at 48 kHz.
fn assert_clean(file: &Path, seconds: f64) {
    assert_decodes_cleanly(file);
    let samples = probe_stream(file, "a:0", "duration_ts");
    assert_eq!(
        samples,
        format!("{}", (seconds * RATE) as u64),
        "audio samples"
    );
}

/// The level (dBFS) of the `freq` tone in channel `ch` of `file`, over
/// the middle of the first second.
fn tone(file: &Path, ch: usize, freq: f64) -> f64 {
    tone_db(&audio_channel(file, ch), RATE, freq, 12_000, 24_000)
}

/// A lavfi sine at `freq` Hz, 1 s, `db` dBFS peak, the same on every
/// channel of `layout` (mono or stereo).
fn sine(freq: u32, db: f64, layout: &str) -> String {
    let pan = if layout == "stereo" {
        ",pan=stereo|c0=c0|c1=c0"
    } else {
        ""
    };
    format!(
        "-f lavfi -i 'sine=f={freq}:r=48000:d=1,volume={:.2}dB{pan}'",
        db + 18.06
    )
}

/// The same sine on every channel of a 5.1 or 7.1 `layout`, at `db`.
fn surround(freq: u32, db: f64, layout: &str, channels: usize) -> String {
    let labels: String = (0..channels).map(|i| format!("[a{i}]")).collect();
    format!(
        "-f lavfi -i 'sine=f={freq}:r=48000:d=1,volume={:.2}dB,asplit={channels}{labels};\
         {labels}join=inputs={channels}:channel_layout={layout}'",
        db + 18.06
    )
}

const PICTURE: &str = "-f lavfi -i testsrc2=s=160x90:r=25:d=1";

#[test]
fn two_stereo_tracks_of_a_mov_both_play_with_audio_streams() {
    let f = Fixture::new();
    f.ffmpeg(&format!(
        "{PICTURE} {} {} -map 0 -map 1 -map 2 -c:v libx264 -c:a pcm_s16le -shortest a.mov",
        sine(440, -12.0, "stereo"),
        sine(1000, -12.0, "stereo")
    ));
    // By default only the first track plays.
    write_edl(&f, "one.mp4", "", "[[clip]]\nsource = \"a.mov\"\n");
    f.render("t.toml");
    let one = f.path("one.mp4");
    assert!((tone(&one, 0, 440.0) + 12.0).abs() < 0.5);
    assert!(tone(&one, 0, 1000.0) < -60.0);
    write_edl(
        &f,
        "both.mp4",
        "",
        "[[clip]]\nsource = \"a.mov\"\naudio_streams = [1, 2]\n",
    );
    f.render("t.toml");
    let both = f.path("both.mp4");
    assert_clean(&both, 1.0);
    for ch in 0..2 {
        for freq in [440.0, 1000.0] {
            let db = tone(&both, ch, freq);
            assert!(
                (db + 12.0).abs() < 0.5,
                "channel {ch}, {freq} Hz: {db:.2} dB"
            );
        }
    }
}

#[test]
fn dual_mono_mxf_with_audio_map_comes_out_on_left_and_right() {
    let f = Fixture::new();
    f.ffmpeg(&format!(
        "{PICTURE} {} {} -map 0 -map 1 -map 2 -c:v mpeg2video -c:a pcm_s24le -shortest -f mxf a.mxf",
        sine(440, -12.0, "mono"),
        sine(1000, -12.0, "mono")
    ));
    assert_eq!(probe_stream(&f.path("a.mxf"), "a", "channels"), "1\n1");
    write_edl(
        &f,
        "out.mp4",
        "",
        "[[clip]]\nsource = \"a.mxf\"\naudio_streams = [1, 2]\naudio_map = [\"FL\", \"FR\"]\n",
    );
    f.render("t.toml");
    let out = f.path("out.mp4");
    assert_clean(&out, 1.0);
    assert_eq!(probe_stream(&out, "a:0", "channel_layout"), "stereo");
    // Each track at its own level on its own side, nothing of it on the other.
    let (l440, l1000) = (tone(&out, 0, 440.0), tone(&out, 0, 1000.0));
    let (r440, r1000) = (tone(&out, 1, 440.0), tone(&out, 1, 1000.0));
    assert!((l440 + 12.0).abs() < 0.5, "left 440 Hz {l440:.2}");
    assert!((r1000 + 12.0).abs() < 0.5, "right 1000 Hz {r1000:.2}");
    assert!(l1000 < -60.0 && r440 < -60.0, "{l1000:.1} {r440:.1}");
}

#[test]
fn surround_sources_at_minus_4_dbfs_mix_to_stereo_under_0_dbtp() {
    let f = Fixture::new();
    for (layout, channels) in [("5.1", 6), ("7.1", 8)] {
        f.ffmpeg(&format!(
            "{PICTURE} {} -c:v libx264 -c:a pcm_s24le -shortest s.mov",
            surround(997, -4.0, layout, channels)
        ));
        write_edl(&f, "out.mp4", "", "[[clip]]\nsource = \"s.mov\"\n");
        let printed = f.reel_ok(&["render", "t.toml"]);
        let out = f.path("out.mp4");
        assert_clean(&out, 1.0);
        let (_, peak) = ffmpeg_loudness(&out);
        assert!(peak <= 0.0, "{layout}: true peak {peak} dBTP");
        // Normalised, not attenuated further: every channel in phase sums
        // back to the channels' own level.
        assert!(peak > -5.0, "{layout}: true peak {peak} dBTP");
        assert!(!printed.contains("warning"), "{printed}");
    }
}

#[test]
fn a_5_1_downmix_lands_where_the_ffmpeg_cli_ac_2_does() {
    let f = Fixture::new();
    f.ffmpeg(&format!(
        "{PICTURE} {} -c:v libx264 -c:a pcm_s24le -shortest s.mov",
        surround(440, -18.0, "5.1", 6)
    ));
    f.ffmpeg("-i s.mov -vn -ac 2 -c:a pcm_s16le cli.wav");
    write_edl(&f, "out.mp4", "", "[[clip]]\nsource = \"s.mov\"\n");
    f.render("t.toml");
    let out = f.path("out.mp4");
    let cli = f.path("cli.wav");
    for ch in 0..2 {
        let ours = rms_db(&audio_channel(&out, ch), 12_000, 24_000);
        let theirs = rms_db(&audio_channel(&cli, ch), 12_000, 24_000);
        assert!(
            (ours - theirs).abs() < 0.5,
            "channel {ch}: reel {ours:.2} dB, ffmpeg -ac 2 {theirs:.2} dB"
        );
        // Six -18 dBFS channels: -18 dBFS, and an RMS 3 dB under that.
        assert!((ours + 21.06).abs() < 0.5, "channel {ch}: {ours:.2}");
    }
}

/// A 5.1 output of a clip with a stereo 440 Hz track and a mono 1000 Hz
/// voiceover, with `layout` as the `[output.audio] layout` keys.
fn five_one(f: &Fixture, layout: &str) -> std::path::PathBuf {
    write_edl(
        f,
        "out.mp4",
        &format!("channels = 6\n{layout}"),
        "[[clip]]\nsource = \"a.mov\"\n\
         [[voiceover]]\nsource = \"vo.wav\"\nat = 0\n",
    );
    f.render("t.toml");
    let out = f.path("out.mp4");
    assert_clean(&out, 1.0);
    assert_eq!(probe_stream(&out, "a:0", "channel_layout"), "5.1");
    out
}

#[test]
fn in_a_5_1_output_voiceovers_go_to_the_centre_and_clips_to_left_and_right() {
    let f = Fixture::new();
    f.ffmpeg(&format!(
        "{PICTURE} {} -c:v libx264 -c:a pcm_s16le -shortest a.mov",
        sine(440, -12.0, "stereo")
    ));
    f.ffmpeg(&format!(
        "{} -c:a pcm_s16le vo.wav",
        sine(1000, -12.0, "mono")
    ));
    // FL FR FC LFE SL SR.
    let out = five_one(&f, "");
    let at = |ch, freq| tone(&out, ch, freq);
    for ch in [0, 1] {
        assert!((at(ch, 440.0) + 12.0).abs() < 0.5, "clip on {ch}");
        assert!(at(ch, 1000.0) < -60.0, "no voiceover on {ch}");
    }
    assert!((at(2, 1000.0) + 12.0).abs() < 0.5, "voiceover at FC");
    assert!(at(2, 440.0) < -60.0, "no clip at FC");
    for ch in 3..6 {
        assert!(
            at(ch, 440.0).max(at(ch, 1000.0)) < -60.0,
            "channel {ch} silent"
        );
    }
    // The layout moves the voiceover to the surrounds (a mono voice on a
    // pair, 3 dB down on each) and the clip to the centre.
    let out = five_one(&f, "layout = { voiceover = \"SL+SR\", clips = \"FC\" }");
    let at = |ch, freq| tone(&out, ch, freq);
    for ch in [4, 5] {
        assert!((at(ch, 1000.0) + 15.0).abs() < 0.5, "voiceover on {ch}");
    }
    assert!(at(2, 1000.0) < -60.0, "no voiceover left at FC");
    assert!((at(2, 440.0) + 12.0).abs() < 0.5, "clip at FC");
    assert!(at(0, 440.0) < -60.0, "no clip left at FL");
}

#[test]
fn streams_a_source_lacks_and_channels_an_output_lacks_are_errors_at_their_line() {
    let f = Fixture::new();
    f.ffmpeg(&format!(
        "{PICTURE} {} {} -map 0 -map 1 -map 2 -c:v libx264 -c:a pcm_s16le -shortest a.mov",
        sine(440, -12.0, "stereo"),
        sine(1000, -12.0, "stereo")
    ));
    let fails = |audio: &str, clip: &str| {
        write_edl(
            &f,
            "out.mp4",
            audio,
            &format!("[[clip]]\nsource = \"a.mov\"\n{clip}"),
        );
        let out = f.reel(&["check", "t.toml"]);
        assert!(!out.status.success(), "{audio} {clip} passed");
        assert!(!f.path("out.mp4").exists());
        printed(&out)
    };
    let m = fails("", "audio_streams = [1, 3]\n");
    assert!(m.contains("t.toml:10"), "{m}");
    assert!(m.contains("clip 1"), "{m}");
    assert!(m.contains("a.mov has 2 audio streams"), "{m}");
    let m = fails("", "audio_streams = [1, 2]\naudio_map = [\"FL\"]\n");
    assert!(
        m.contains("t.toml:11") && m.contains("2 audio stream"),
        "{m}"
    );
    let m = fails("", "audio_streams = [1, 2]\naudio_map = [\"FL\", \"FC\"]\n");
    assert!(
        m.contains("t.toml:11") && m.contains("\"FC\" is not a channel"),
        "{m}"
    );
    let m = fails("layout = { voiceover = \"FC\" }", "");
    assert!(m.contains("t.toml:7") && m.contains("stereo layout"), "{m}");
    let m = fails("", "audio_streams = [0]\n");
    assert!(
        m.contains("t.toml:10") && m.contains("counted from 1"),
        "{m}"
    );
}

#[test]
fn a_mix_that_clips_without_a_loudness_target_is_a_warning_with_its_time() {
    let f = Fixture::new();
    f.ffmpeg(&format!(
        "{PICTURE} {} {} -map 0 -map 1 -map 2 -c:v libx264 -c:a pcm_s16le -shortest a.mov",
        sine(440, -4.0, "stereo"),
        sine(440, -4.0, "stereo")
    ));
    // Silence, then the two tracks together: +2 dBFS from 0.4 s.
    let clip = "[[clip]]\ncard = { background = \"#000000\" }\nduration = 0.4\n\
                [[clip]]\nsource = \"a.mov\"\nduration = 0.6\naudio_streams = [1, 2]\n";
    write_edl(&f, "out.mp4", "", clip);
    let printed = f.reel_ok(&["render", "--no-cache", "t.toml"]);
    let warning = printed
        .lines()
        .find(|l| l.contains("warning"))
        .unwrap_or_else(|| panic!("no warning: {printed}"));
    assert!(warning.contains("the mix clips"), "{warning}");
    assert!(warning.contains("first at 0:00:00.40"), "{warning}");
    // With a loudness target the limiter keeps it under: no warning.
    write_edl(&f, "out.mp4", "loudness = { integrated_lufs = -16 }", clip);
    let printed = f.reel_ok(&["render", "--no-cache", "t.toml"]);
    assert!(!printed.contains("warning"), "{printed}");
}
