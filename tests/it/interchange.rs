//! Cuts from NLEs: CMX3600, OTIO and FCPXML files render with the right
//! source frame at every output frame, for as many frames as their record
//! time says; exports load back (and in the `opentimelineio` package) and
//! render byte-identically; bad files are refused with their line.

use crate::common::*;
use std::path::Path;

const S: usize = 64;

/// A 25 fps source named like a camera reel, with its frame number in its
/// brightness (16 + 2 * (N mod 100)), its reel told apart by its blue
/// (`cb`), and a start timecode.
fn reel(f: &Fixture, name: &str, cb: u8, timecode: &str, secs: u32) {
    f.ffmpeg(&format!(
        "-f lavfi -i color=c=black:s=64x64:r=25:d={secs},format=yuv420p,\
         geq=lum='16+2*mod(N\\,100)':cb={cb}:cr=128 \
         -f lavfi -i sine=frequency=440:sample_rate=48000:duration={secs} \
         -timecode {timecode} -c:v libx264 -qp 0 -g 25 -c:a pcm_s16le -shortest \
         -colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv {name}"
    ));
}

/// Settings for the imported cuts: a small, lossless render.
fn settings(f: &Fixture, fps: &str) {
    f.write(
        "base.toml",
        &format!(
            "[output]\npath = \"out.mp4\"\nwidth = {S}\nheight = {S}\nfps = {fps}\n\
             [output.video]\ncrf = 0\npreset = \"ultrafast\"\n"
        ),
    );
}

/// (source frame number mod 100, reel's blue) of every output frame.
fn shown(file: &Path) -> Vec<(i64, u8)> {
    let out = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(file)
        .args(["-f", "rawvideo", "-pix_fmt", "yuv444p", "-"])
        .output()
        .expect("ffmpeg runs");
    out.stdout
        .chunks(S * S * 3)
        .map(|c| {
            let y = centre_mean(&c[..S * S], S, S);
            let cb = c[S * S + S * S / 2 + S / 2];
            (((y - 16.0) / 2.0).round() as i64, cb)
        })
        .collect()
}

fn render_cut(f: &Fixture, cut: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "render",
        "--quiet",
        "--no-cache",
        "--media",
        ".",
        "--settings",
        "base.toml",
    ];
    args.extend_from_slice(extra);
    args.push(cut);
    f.reel(&args)
}

const A: u8 = 128;
const B: u8 = 170;

/// Checks frames `range` show `reel`'s frames `first`, `first+step`, ...
fn expect_run(got: &[(i64, u8)], range: std::ops::Range<usize>, reel: u8, first: i64, step: i64) {
    for (i, k) in range.enumerate() {
        let want = (first + step * i as i64) % 100;
        let (n, cb) = got[k];
        assert!(
            (cb as i32 - reel as i32).abs() <= 2 && n == want,
            "frame {k}: shows frame {n} of the reel with blue {cb}, expected {want} of {reel}"
        );
    }
}

#[test]
fn a_cmx3600_cut_shows_its_frames_for_its_record_time() {
    let f = Fixture::new();
    reel(&f, "A001.mov", A, "01:00:00:00", 8);
    reel(&f, "B002C003.mov", B, "02:00:00:00", 8);
    settings(&f, "25");
    // Cuts, black, a dissolve, a speed change, a wipe, a reverse and a
    // freeze, as Avid writes them (reel names, clip name comments).
    f.write(
        "cut.edl",
        "TITLE: TEST CUT\n\
         FCM: NON-DROP FRAME\n\
         \n\
         001  A001     AA/V  C        01:00:01:00 01:00:03:00 01:00:00:00 01:00:02:00\n\
         * FROM CLIP NAME: A001.mov\n\
         002  BL       V     C        00:00:00:00 00:00:00:10 01:00:02:00 01:00:02:10\n\
         003  B002C003 V     C        02:00:00:00 02:00:01:00 01:00:02:10 01:00:03:10\n\
         004  B002C003 V     C        02:00:01:00 02:00:01:00 01:00:03:10 01:00:03:10\n\
         004  A001     V     D    010 01:00:04:00 01:00:05:00 01:00:03:10 01:00:04:10\n\
         * FROM CLIP NAME: B002C003.mov\n\
         * TO CLIP NAME: A001.mov\n\
         005  B002C003 V     C        02:00:02:00 02:00:04:00 01:00:04:10 01:00:05:10\n\
         M2   B002C003       050.0                02:00:02:00\n\
         006  A001     V     C        01:00:02:00 01:00:03:00 01:00:05:10 01:00:06:10\n\
         M2   A001          -025.0                01:00:02:00\n\
         007  B002C003 V     C        02:00:05:00 02:00:05:01 01:00:06:10 01:00:07:10\n\
         M2   B002C003       000.0                02:00:05:00\n\
         * LOC: 01:00:06:20 RED  a marker\n",
    );
    let out = render_cut(&f, "cut.edl", &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let got = shown(&f.path("out.mp4"));
    // Record 01:00:00:00 to 01:00:07:10: 7 s 10 frames.
    assert_eq!(got.len(), 185);
    expect_run(&got, 0..50, A, 25, 1);
    for &(n, cb) in &got[50..60] {
        assert!(n <= 0 && (cb as i32 - 128).abs() <= 2, "black: {n} {cb}");
    }
    expect_run(&got, 60..85, B, 0, 1);
    // The dissolve: B runs on under it while A comes in.
    expect_run(&got, 95..110, A, 110, 1);
    // 2x: source frame 50 + 2k (50 + 2k + 1 lands on slot k + 1/2, which
    // rounds up, as FFmpeg's fps filter rounds).
    expect_run(&got, 110..135, B, 50, 2);
    // Backwards over 01:00:02:00..01:00:03:00: frames 74 down to 50.
    expect_run(&got, 135..160, A, 74, -1);
    // A freeze on B's frame 125.
    expect_run(&got, 160..185, B, 25, 0);
}
