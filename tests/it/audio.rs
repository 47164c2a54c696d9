//! Voiceover-first audio, proved with generated signals: ducking depth and
//! attack, loudness and true peak measured by FFmpeg's own `ebur128` filter,
//! equal-power crossfades, clickless cuts, seamless music loops, fades and
//! sync.

use crate::common::*;

const SR: usize = 48_000;

fn sine(freq: f64, amp: f32, seconds: f64, phase: f64) -> Vec<f32> {
    (0..(seconds * SR as f64).round() as usize)
        .map(|i| {
            (amp as f64 * (2.0 * std::f64::consts::PI * freq * i as f64 / SR as f64 + phase).cos())
                as f32
        })
        .collect()
}

/// A clip source: a grey picture of `seconds` and the given stereo sound.
fn clip(f: &Fixture, name: &str, left: Vec<f32>, right: Vec<f32>) {
    let seconds = left.len() as f64 / SR as f64;
    write_wav(&f.path(&format!("{name}.wav")), SR as u32, &[left, right]);
    f.ffmpeg(&format!(
        "-f lavfi -i color=c=gray:s=64x64:r=30:d={seconds} -i {name}.wav -map 0:v -map 1:a \
         -c:v libx264 -c:a pcm_f32le -t {seconds} {name}.mkv"
    ));
}

fn assert_lengths_match(f: &Fixture, frames: usize) {
    let out = f.path("out.mp4");
    assert_eq!(
        probe_stream(&out, "v:0", "nb_read_frames"),
        frames.to_string()
    );
    // The stream's exact length (decoders pad the last AAC frame).
    assert_eq!(
        probe_stream(&out, "a:0", "duration_ts"),
        (frames * SR / 30).to_string(),
        "audio samples vs video frames"
    );
}

#[test]
fn ducking_dips_clip_audio_by_its_depth_under_speech_only() {
    let f = Fixture::new();
    let tone = sine(440.0, 0.25, 4.0, 0.0);
    clip(&f, "a", tone.clone(), tone);
    // "Speech" from 1.0 to 2.5 s, then a voice too quiet to count (-66 dBFS).
    write_wav(
        &f.path("v1.wav"),
        SR as u32,
        &[sine(2000.0, 0.25, 1.5, 0.0)],
    );
    write_wav(
        &f.path("v2.wav"),
        SR as u32,
        &[sine(2000.0, 0.0005, 0.5, 0.0)],
    );
    f.write(
        "t.toml",
        &edl!(
            r#"
            {OUTPUT}
            [[clip]]
            source = "a.mkv"
            [[voiceover]]
            source = "v1.wav"
            at = 1.0
            [[voiceover]]
            source = "v2.wav"
            at = 3.2
            [ducking]
            depth_db = 12
            attack = 0.08
            release = 0.4
            threshold_db = -40
            "#
        ),
    );
    f.render("t.toml");
    let x = audio_channel(&f.path("out.mp4"), 0);
    let win = SR / 20; // 50 ms: 22 whole cycles of 440 Hz
    let level = |t: f64| tone_db(&x, SR as f64, 440.0, (t * SR as f64) as usize, win);
    let outside = level(0.4);
    let inside = level(1.8);
    assert!(
        (outside - inside - 12.0).abs() <= 1.0,
        "ducked by {:.2} dB, expected 12 +-1 (outside {outside:.2}, inside {inside:.2})",
        outside - inside
    );
    // Full depth within attack + 20 ms of the onset.
    let early = level(1.0 + 0.08 + 0.02);
    assert!(
        (early - inside).abs() <= 1.0,
        "at onset + 100 ms the tone is at {early:.2} dB, full depth is {inside:.2}"
    );
    // A voice under the threshold does not duck.
    let quiet = level(3.35);
    assert!(
        (quiet - outside).abs() <= 0.5,
        "under a quiet voice {quiet:.2} dB vs {outside:.2} dB outside"
    );
    assert_lengths_match(&f, 120);

    let check = f.reel(&["check", "t.toml"]);
    let text = String::from_utf8_lossy(&check.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("ducking: clip audio and music -12 dB"))
        .unwrap_or_else(|| panic!("no ducking line in:\n{text}"));
    // One span, around the loud voice only.
    assert_eq!(line.matches(", ").count(), 0, "{line}");
    assert!(
        line.contains("0:00:00.99") && line.contains("0:00:02."),
        "{line}"
    );
    assert!(text.contains("last render"), "{text}");
}

#[test]
fn loudness_target_and_true_peak_ceiling_hold_when_measured_independently() {
    let f = Fixture::new();
    // Quiet noise with short loud bursts: reaching -14 LUFS needs +10 dB or so,
    // which would push the bursts far over the ceiling without a limiter.
    let mut left = noise(1, 4 * SR, 0.1);
    let mut right = noise(2, 4 * SR, 0.1);
    for (i, (l, r)) in left.iter_mut().zip(right.iter_mut()).enumerate() {
        if i % SR < SR / 500 {
            let s = 0.9 * (2.0 * std::f32::consts::PI * 3000.0 * i as f32 / SR as f32).sin();
            *l += s;
            *r -= s;
        }
    }
    clip(&f, "a", left, right);
    f.write(
        "t.toml",
        &edl!(
            r#"
            {OUTPUT}
            [output.audio.loudness]
            integrated_lufs = -14
            true_peak_db = -1.0
            [[clip]]
            source = "a.mkv"
            "#
        ),
    );
    let out = f.reel_ok_output(&["render", "t.toml"]);
    let summary = String::from_utf8_lossy(&out.stderr);
    let (i, tp) = ffmpeg_loudness(&f.path("out.mp4"));
    assert!(
        (i + 14.0).abs() <= 0.5,
        "integrated {i} LUFS, target -14; reel said {summary}"
    );
    assert!(
        tp <= -1.0 + 0.1,
        "true peak {tp} dBTP over the -1.0 ceiling"
    );
    // The summary reports what it measured.
    assert!(
        summary.contains("LUFS") && summary.contains("dBTP"),
        "{summary}"
    );
    assert_lengths_match(&f, 120);
}

#[test]
fn equal_power_crossfade_keeps_the_level_of_uncorrelated_sounds() {
    let f = Fixture::new();
    clip(&f, "a", noise(3, 3 * SR, 0.3), noise(4, 3 * SR, 0.3));
    clip(&f, "b", noise(5, 3 * SR, 0.3), noise(6, 3 * SR, 0.3));
    let edl = |curve: &str| {
        edl!(
            r#"
            {OUTPUT}
            [[clip]]
            source = "a.mkv"
            transition = {{ kind = "crossfade", duration = 1.0{curve} }}
            [[clip]]
            source = "b.mkv"
            "#
        )
    };
    f.write("t.toml", &edl(""));
    f.render("t.toml");
    let x = audio_channel(&f.path("out.mp4"), 0);
    let win = SR / 20;
    let reference = rms_db(&x, SR, win);
    // The overlap is 2.0 .. 3.0 s.
    for k in 0..20 {
        let t = 2.0 + k as f64 * 0.05;
        let l = rms_db(&x, (t * SR as f64) as usize, win);
        assert!(
            (l - reference).abs() <= 1.0,
            "at {t:.2} s the level is {l:.2} dB, {reference:.2} dB outside the crossfade"
        );
    }
    assert_lengths_match(&f, 150);

    // A linear crossfade of the same sounds dips by about 3 dB in the middle.
    f.write("t.toml", &edl(", audio_curve = \"linear\""));
    f.render("t.toml");
    let x = audio_channel(&f.path("out.mp4"), 0);
    let middle = rms_db(&x, (2.475 * SR as f64) as usize, win);
    assert!(
        reference - middle > 2.0,
        "linear crossfade middle {middle:.2} dB vs {reference:.2} dB"
    );
}

#[test]
fn hard_cuts_do_not_click() {
    let f = Fixture::new();
    // At the cut the first clip is at +0.5 and the second starts at -0.5:
    // butted together raw, they jump by 1.0 in one sample.
    let a = sine(250.0, 0.5, 1.0, 0.0);
    let b = sine(250.0, 0.5, 1.0, std::f64::consts::PI);
    clip(&f, "a", a.clone(), a);
    clip(&f, "b", b.clone(), b);
    f.write(
        "t.toml",
        &edl!(
            r#"
            {OUTPUT}
            [[clip]]
            source = "a.mkv"
            [[clip]]
            source = "b.mkv"
            "#
        ),
    );
    f.render("t.toml");
    let x = audio_channel(&f.path("out.mp4"), 0);
    let jump = |r: std::ops::Range<usize>| {
        x[r].windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0f32, f32::max)
    };
    // What the signal itself contains: 2*pi*250*0.5/48000 = 0.016 per sample.
    let natural = jump(SR / 4..3 * SR / 4);
    let at_cut = jump(SR - SR / 50..SR + SR / 50);
    assert!(
        at_cut <= natural * 1.25,
        "largest step at the cut {at_cut:.4}, the signal's own {natural:.4}"
    );
    assert_lengths_match(&f, 60);
}

#[test]
fn music_loops_seamlessly_to_the_end_with_its_fades() {
    let f = Fixture::new();
    clip(&f, "a", vec![0.0; 6 * SR], vec![0.0; 6 * SR]);
    // One second of 480 Hz: exactly 480 cycles, so a seamless loop is a
    // continuous sine.
    let bed = sine(480.0, 0.3, 1.0, 0.0);
    write_wav(&f.path("bed.wav"), SR as u32, &[bed.clone(), bed]);
    f.write(
        "t.toml",
        &edl!(
            r#"
            {OUTPUT}
            [[clip]]
            source = "a.mkv"
            out = 5.5
            [[music]]
            source = "bed.wav"
            at = 0.25
            loop = true
            volume = 1.0
            fade_out = 0.5
            "#
        ),
    );
    f.render("t.toml");
    let x = audio_channel(&f.path("out.mp4"), 0);
    let win = SR / 50;
    let level = |t: f64| tone_db(&x, SR as f64, 480.0, (t * SR as f64) as usize, win);
    let full = 20.0 * 0.3f64.log10();
    assert!(level(0.05) < full - 40.0, "silence before the bed");
    // Steady level across every loop point (1.25, 2.25, 3.25, 4.25 s).
    let mut t = 0.3;
    while t < 4.9 {
        let l = level(t);
        assert!(
            (l - full).abs() <= 0.5,
            "at {t:.2} s the bed is at {l:.2} dB, expected {full:.2}"
        );
        t += 0.05;
    }
    // No jump anywhere in the steady part beyond the sine's own slope.
    let steps = |r: std::ops::Range<usize>| {
        x[r].windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0f32, f32::max)
    };
    let natural = 2.0 * std::f32::consts::PI * 480.0 * 0.3 / SR as f32;
    let worst = steps(SR / 2..5 * SR);
    assert!(worst <= natural * 1.25, "step {worst:.4} vs {natural:.4}");
    // The 0.5 s fade-out ends the bed at the montage's end: half-way down
    // at 5.25 s (linear gain 0.5 = -6 dB), still playing until then.
    let mid = level(5.24);
    assert!((mid - (full - 6.0)).abs() <= 1.0, "mid fade {mid:.2} dB");
    assert_lengths_match(&f, 165);
}

#[test]
fn output_fades_from_and_to_black_and_silence() {
    let f = Fixture::new();
    let tone = sine(440.0, 0.5, 2.0, 0.0);
    write_wav(&f.path("a.wav"), SR as u32, &[tone.clone(), tone]);
    f.ffmpeg(
        "-f lavfi -i color=c=white:s=64x64:r=30:d=2 -i a.wav -map 0:v -map 1:a \
         -c:v libx264 -qp 0 -c:a pcm_f32le -t 2 a.mkv",
    );
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "out.mp4"
            width = 64
            height = 64
            fps = 30
            fade_in = 0.5
            fade_out = 0.5
            [[clip]]
            source = "a.mkv"
            "#
        ),
    );
    f.render("t.toml");
    let frames = luma_frames(&f.path("out.mp4"), 64, 64);
    assert_eq!(frames.len(), 60);
    let y: Vec<f64> = frames.iter().map(|fr| centre_mean(fr, 64, 64)).collect();
    // 15 frames each way: frame k of the fade-in is k/15 of the picture.
    let expect = |k: f64| 16.0 + (235.0 - 16.0) * k / 15.0;
    for (k, want) in [(0usize, 0.0), (5, 5.0), (10, 10.0), (15, 15.0), (30, 15.0)] {
        assert!(
            (y[k] - expect(want)).abs() <= 3.0,
            "frame {k}: luma {:.1}, expected {:.1}",
            y[k],
            expect(want)
        );
    }
    // Frame 45 + j of the fade-out shows (14 - j)/15 of the picture; the
    // last frame is black.
    for k in [45usize, 50, 59] {
        let w = (59 - k) as f64;
        assert!(
            (y[k] - expect(w)).abs() <= 3.0,
            "frame {k}: luma {:.1}, expected {:.1}",
            y[k],
            expect(w)
        );
    }
    let x = audio_channel(&f.path("out.mp4"), 0);
    let early = rms_db(&x, 0, SR / 100);
    let full = rms_db(&x, SR, SR / 10);
    let late = rms_db(&x, x.len() - SR / 100, SR / 100);
    assert!(
        early < full - 30.0,
        "first 10 ms at {early:.1} dB vs {full:.1}"
    );
    assert!(
        late < full - 30.0,
        "last 10 ms at {late:.1} dB vs {full:.1}"
    );
    let quarter = rms_db(&x, SR / 4 - SR / 100, SR / 50);
    assert!(
        (quarter - (full - 6.0)).abs() <= 1.0,
        "half-way through the fade-in {quarter:.1} dB"
    );
    assert_lengths_match(&f, 60);
}

#[test]
fn audio_starting_late_in_its_source_keeps_its_place() {
    let f = Fixture::new();
    let tone = sine(1000.0, 0.5, 1.5, 0.0);
    write_wav(&f.path("t.wav"), SR as u32, &[tone.clone(), tone]);
    // The audio stream starts 0.5 s after the picture.
    f.ffmpeg(
        "-f lavfi -i color=c=gray:s=64x64:r=30:d=2 -itsoffset 0.5 -i t.wav -map 0:v -map 1:a \
         -c:v libx264 -c:a pcm_f32le -t 2 late.mkv",
    );
    f.write(
        "t.toml",
        &edl!(
            r#"
            {OUTPUT}
            [[clip]]
            source = "late.mkv"
            in = 0.25
            out = 2
            "#
        ),
    );
    f.render("t.toml");
    let x = audio_channel(&f.path("out.mp4"), 0);
    let onset = x
        .iter()
        .position(|s| s.abs() > 0.1)
        .expect("the tone plays") as f64
        / SR as f64;
    assert!(
        (onset - 0.25).abs() <= 0.002,
        "tone starts at {onset:.4} s, expected 0.250"
    );
    // It ends where the source's audio ends (2.0 s in the source), padded with silence.
    let last = x.iter().rposition(|s| s.abs() > 0.1).unwrap() as f64 / SR as f64;
    assert!(
        (last - 1.75).abs() <= 0.006,
        "tone ends at {last:.4} s, expected 1.750"
    );
    assert_lengths_match(&f, 53);
}

#[test]
fn any_layout_and_rate_is_converted() {
    let f = Fixture::new();
    // 5.1 at 96 kHz with a tone on the centre channel only, and mono at 8 kHz.
    f.ffmpeg(
        "-f lavfi -i color=c=gray:s=64x64:r=30:d=1 -f lavfi -i sine=f=500:sample_rate=96000:d=1 \
         -filter_complex [1]volume=4,pan=5.1|FC=c0[a] -map 0:v -map [a] \
         -c:v libx264 -c:a pcm_f32le -t 1 surround.mkv",
    );
    f.ffmpeg(
        "-f lavfi -i color=c=gray:s=64x64:r=30:d=1 -f lavfi -i sine=f=500:sample_rate=8000:d=1 \
         -filter_complex [1]volume=4[a] -map 0:v -map [a] -c:v libx264 -c:a pcm_f32le -t 1 phone.mkv",
    );
    f.write(
        "t.toml",
        &edl!(
            r#"
            {OUTPUT}
            [[clip]]
            source = "surround.mkv"
            [[clip]]
            source = "phone.mkv"
            "#
        ),
    );
    f.render("t.toml");
    let out = f.path("out.mp4");
    // The mono source reaches each stereo channel at -3 dB: 0.5 -> 0.354,
    // -9.0 dBFS. The 5.1 downmix is normalised (BS.775 gains over their
    // sum, 1 + 2 x 0.7071): its centre reaches each side at 0.2929, so
    // 0.5 -> 0.146, -16.7 dBFS.
    for ch in 0..2 {
        let x = audio_channel(&out, ch);
        for (t, want) in [(0.4, -16.67), (1.4, -9.03)] {
            let l = tone_db(&x, SR as f64, 500.0, (t * SR as f64) as usize, SR / 10);
            assert!(
                (l - want).abs() <= 0.5,
                "channel {ch} at {t} s: {l:.2} dB, expected {want}"
            );
        }
    }
    assert_eq!(probe_stream(&out, "a:0", "sample_rate"), "48000");
    assert_eq!(probe_stream(&out, "a:0", "channels"), "2");
    assert_lengths_match(&f, 60);
}

#[test]
fn chunks_of_audio_join_without_a_seam() {
    // 25 s of a steady tone: the audio is mixed, measured and encoded in
    // chunks of 9.984 s (at 48 kHz: whole AAC frames and milliseconds).
    let f = Fixture::new();
    let freq = 440.0;
    let a = sine(freq, 0.3, 25.0, 0.0);
    clip(&f, "a", a.clone(), a);
    f.write(
        "t.toml",
        &edl!(
            r#"
            {OUTPUT}
            [output.audio.loudness]
            integrated_lufs = -20
            true_peak_db = -1.0
            [[clip]]
            source = "a.mkv"
            "#
        ),
    );
    f.render("t.toml");
    assert_lengths_match(&f, 750);
    let x = audio_channel(&f.path("out.mp4"), 0);
    // What is left of the signal once the tone is taken out: the encoder's
    // own noise, and any seam. The largest of every 1024 samples, from
    // 0.5 s to 24.5 s.
    let c = 2.0 * (2.0 * std::f64::consts::PI * freq / SR as f64).cos() as f32;
    let mut residue: Vec<(f32, usize)> = (SR / 2..SR * 49 / 2)
        .step_by(1024)
        .map(|at| {
            let r = (at..at + 1024)
                .map(|n| (x[n] - c * x[n - 1] + x[n - 2]).abs())
                .fold(0f32, f32::max);
            (r, at)
        })
        .collect();
    residue.sort_by(|a, b| a.0.total_cmp(&b.0));
    let typical = residue[residue.len() / 2].0;
    let (worst, at) = residue[residue.len() - 1];
    // A seam (chunks encoded without the frames before them) leaves
    // hundreds of times the typical residue.
    assert!(
        worst <= typical * 3.0,
        "a seam at {:.3} s: residue {worst:.5}, typically {typical:.5}",
        at as f64 / SR as f64
    );
    // The level is steady across the joins (chunks of 479 232 samples).
    let level = |at: usize| tone_db(&x, SR as f64, freq, at - 4800, 9600);
    for at in [479_232, 958_464] {
        assert!(
            (level(at) - level(at - 96_000)).abs() < 0.05,
            "{} dB at the join, {} dB 2 s before",
            level(at),
            level(at - 96_000)
        );
    }
}
