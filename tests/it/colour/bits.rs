//! 10 bits through every picture step, and `eq` at 8 bits against the
//! FFmpeg CLI's.

use super::*;

/// `name`: 5 frames of a 320x180 10-bit SDR (BT.709) picture whose luma is
/// the geq expression `lum` of X, neutral chroma; x265 lossless 4:2:2.
fn ten_bit_source(f: &Fixture, name: &str, lum: &str) {
    ffmpeg_argv(
        f,
        &[
            "-f",
            "lavfi",
            "-i",
            &format!(
                "color=c=black:s=320x180:r=25:d=0.2,format=yuv422p10le,geq=lum='{lum}':cb=512:cr=512"
            ),
            "-c:v",
            "libx265",
            "-preset",
            "ultrafast",
            "-x265-params",
            "lossless=1:log-level=error",
            "-color_primaries",
            "bt709",
            "-color_trc",
            "bt709",
            "-colorspace",
            "bt709",
            "-color_range",
            "tv",
            name,
        ],
    );
}

/// Ramp A: luma 300 + x/2, 160 codes across the width (40 at 8 bits).
const RAMP_A: &str = "300+floor(X/2)";
fn ramp_a(x: usize) -> f64 {
    300.0 + (x / 2) as f64
}
/// Ramp B: luma 200 + x, 320 codes (80 at 8 bits).
const RAMP_B: &str = "200+X";
fn ramp_b(x: usize) -> f64 {
    200.0 + x as f64
}

/// The two 10-bit outputs: ProRes 422 (prores_ks) in .mov, and
/// x265 4:2:0 at crf 0 in .mp4.
const TEN_BIT_OUTPUTS: [(&str, &str); 2] = [
    (
        "out.mov",
        "codec = \"prores_ks\"\npix_fmt = \"yuv422p10le\"",
    ),
    (
        "out.mp4",
        "codec = \"libx265\"\npix_fmt = \"yuv420p10le\"\ncrf = 0\npreset = \"ultrafast\"",
    ),
];

/// Renders the clips (and layers) `body` into each 10-bit output; returns
/// (output name, decoded 10-bit frames) for each.
fn ten_bit_renders(f: &Fixture, body: &str) -> Vec<(&'static str, Vec<Yuv>)> {
    TEN_BIT_OUTPUTS
        .iter()
        .map(|(path, video)| {
            f.write(
                "t.toml",
                &format!(
                    "[output]\npath = \"{path}\"\nwidth = 320\nheight = 180\nfps = 25\n\
                     [output.video]\n{video}\n{body}"
                ),
            );
            render(f, "t.toml", &[]);
            (*path, yuv_frames(&f.path(path), 320, 180, 10))
        })
        .collect()
}

/// Asserts that luma row `row` is within `tol` 10-bit codes of `want(x)`
/// at every x.
#[track_caller]
fn assert_row_follows(what: &str, row: &[u16], tol: f64, want: impl Fn(usize) -> f64) {
    for (x, &v) in row.iter().enumerate() {
        assert!(
            (v as f64 - want(x)).abs() <= tol,
            "{what}: luma {v} at x = {x}, expected {:.1}",
            want(x)
        );
    }
}

#[test]
fn ten_bit_ramp_keeps_every_code_through_an_identity_eq() {
    let f = Fixture::new();
    ten_bit_source(&f, "a.mkv", RAMP_A);
    let body = "[[clip]]\nsource = \"a.mkv\"\nduration = 0.2\neq = { contrast = 1.0 }\n";
    for (out, frames) in ten_bit_renders(&f, body) {
        assert_eq!(frames.len(), 5, "{out}");
        let row = frames[2].row(90);
        // 1 code: the encoders' loss on a smooth ramp; an 8-bit step in
        // between is 4 codes.
        assert_row_follows(out, row, 1.0, ramp_a);
        // 120 of the 160 codes (8 bits leave 40).
        let n = distinct(row);
        assert!(n >= 120, "{out}: {n} distinct luma codes along the ramp");
    }
}

#[test]
fn ten_bit_ramp_keeps_its_precision_through_a_mild_eq() {
    let f = Fixture::new();
    ten_bit_source(&f, "a.mkv", RAMP_A);
    // The CLI's eq works at 8 bits: its picture, times 4, is the oracle.
    let oracle = yuv_from(
        &[
            "-i",
            &f.path("a.mkv").to_string_lossy(),
            "-vf",
            "eq=contrast=1.1",
            "-frames:v",
            "1",
        ],
        320,
        180,
        8,
    )
    .remove(0);
    let want = |x: usize| 4.0 * oracle.row(90)[x] as f64;
    let body = "[[clip]]\nsource = \"a.mkv\"\nduration = 0.2\neq = { contrast = 1.1 }\n";
    for (out, frames) in ten_bit_renders(&f, body) {
        let row = frames[2].row(90);
        // 6 codes: the 8-bit oracle's own rounding (4 codes) and the encoder.
        assert_row_follows(out, row, 6.0, want);
        // The 160 input codes stay apart (about 176 after contrast 1.1); the
        // 8-bit eq leaves about 44.
        let n = distinct(row);
        assert!(
            n >= 120,
            "{out}: {n} distinct luma codes along the ramp after eq"
        );
    }
}

#[test]
fn ten_bit_crossfade_blends_without_8_bit_steps() {
    let f = Fixture::new();
    ten_bit_source(&f, "a.mkv", RAMP_A);
    ten_bit_source(&f, "b.mkv", RAMP_B);
    // 3 overlap frames (2, 3, 4): frame 3 is w = 2/4, half of each ramp.
    let body = "[[clip]]\nsource = \"a.mkv\"\nduration = 0.2\n\
                transition = { kind = \"crossfade\", duration = 0.12 }\n\
                [[clip]]\nsource = \"b.mkv\"\nduration = 0.2\n";
    for (out, frames) in ten_bit_renders(&f, body) {
        assert_eq!(frames.len(), 7, "{out}");
        let row = frames[3].row(90);
        // 1.5 codes: the blend's rounding and the encoder.
        assert_row_follows(out, row, 1.5, |x| (ramp_a(x) + ramp_b(x)) / 2.0);
        // The blend spans 240 codes (60 at 8 bits): 180 of them.
        let n = distinct(row);
        assert!(n >= 180, "{out}: {n} distinct luma codes in the crossfade");
    }
}

#[test]
fn ten_bit_wipe_keeps_both_ramps() {
    let f = Fixture::new();
    ten_bit_source(&f, "a.mkv", RAMP_A);
    ten_bit_source(&f, "b.mkv", RAMP_B);
    let body = "[[clip]]\nsource = \"a.mkv\"\nduration = 0.2\n\
                transition = { kind = \"wipeleft\", duration = 0.12 }\n\
                [[clip]]\nsource = \"b.mkv\"\nduration = 0.2\n";
    for (out, frames) in ten_bit_renders(&f, body) {
        assert_eq!(frames.len(), 7, "{out}");
        let row = frames[3].row(90);
        // Halfway through the wipe every pixel is one ramp or the other
        // (1 code, plus the 2 pixels at the edge), and both show.
        let from = |x: usize, v: u16, ramp: fn(usize) -> f64| (v as f64 - ramp(x)).abs() <= 1.0;
        let a = row
            .iter()
            .enumerate()
            .filter(|&(x, &v)| from(x, v, ramp_a))
            .count();
        let b = row
            .iter()
            .enumerate()
            .filter(|&(x, &v)| from(x, v, ramp_b))
            .count();
        let either = row
            .iter()
            .enumerate()
            .filter(|&(x, &v)| from(x, v, ramp_a) || from(x, v, ramp_b))
            .count();
        assert!(
            either >= 318 && a >= 80 && b >= 80,
            "{out}: {a} pixels of A, {b} of B, {either} of either, of 320"
        );
        // Half of each: about 80 + 160 - 20 shared = 220 codes (55 at 8 bits).
        let n = distinct(row);
        assert!(n >= 160, "{out}: {n} distinct luma codes in the wipe");
    }
}

/// An identity 3D LUT of `size` points per axis, as .cube text.
fn identity_cube(size: usize) -> String {
    let mut s = format!("TITLE \"identity\"\nLUT_3D_SIZE {size}\n");
    let v = |i: usize| i as f64 / (size - 1) as f64;
    for b in 0..size {
        for g in 0..size {
            for r in 0..size {
                s.push_str(&format!("{:.6} {:.6} {:.6}\n", v(r), v(g), v(b)));
            }
        }
    }
    s
}

#[test]
fn ten_bit_ramp_keeps_its_codes_through_a_lut_and_text() {
    let f = Fixture::new();
    ten_bit_source(&f, "a.mkv", RAMP_A);
    f.write("id.cube", &identity_cube(17));
    // Large white text at the bottom, on screen from the first frame; row
    // 40 is clear of it.
    let body = "[[clip]]\nsource = \"a.mkv\"\nduration = 0.2\nlut = \"id.cube\"\n\
                [styles.big]\nsize = 0.2\nalign = \"bottom\"\nfade_in = 0\nfade_out = 0\n\
                [[text]]\ntext = \"Ten bits\"\nstyle = \"big\"\n";
    for (out, frames) in ten_bit_renders(&f, body) {
        let fr = &frames[2];
        // 2 codes: the LUT's way through RGB and back, and the encoder.
        assert_row_follows(out, fr.row(40), 2.0, ramp_a);
        let n = distinct(fr.row(40));
        assert!(n >= 120, "{out}: {n} distinct luma codes through the LUT");
        // The text is drawn: white (above 600; the ramp stops at 459) in the
        // bottom half.
        let ink = fr.y[90 * 320..].iter().filter(|&&v| v > 600).count();
        assert!(ink >= 200, "{out}: {ink} white pixels of text");
    }
}

#[test]
fn eight_bit_eq_equals_the_ffmpeg_eq_filter_within_one_code() {
    let f = Fixture::new();
    f.ffmpeg(
        "-f lavfi -i testsrc2=s=320x180:r=25:d=0.2 -c:v libx264 -qp 0 \
         -color_primaries bt709 -color_trc bt709 -colorspace bt709 -color_range tv a.mp4",
    );
    // libavfilter's eq takes two paths: fixed point without gamma, a
    // float table with it.
    let eqs = [
        (
            "{ brightness = 0.05, contrast = 1.2, saturation = 1.3 }",
            "eq=brightness=0.05:contrast=1.2:saturation=1.3",
        ),
        (
            "{ brightness = -0.1, contrast = 0.9, saturation = 0.7, gamma = 1.3 }",
            "eq=brightness=-0.1:contrast=0.9:saturation=0.7:gamma=1.3",
        ),
    ];
    f.write(
        "t.toml",
        &edl!(
            r#"
            {output}
            [[clip]]
            source = "a.mp4"
            eq = {}
            [[clip]]
            source = "a.mp4"
            eq = {}
            "#,
            eqs[0].0,
            eqs[1].0,
            output = lossless_output(320, 180, "25"),
        ),
    );
    render(&f, "t.toml", &[]);
    let frame = 320 * 180 * 3 / 2;
    let got = cli_frames(&f.path("out.mp4"), "null", 10);
    assert_eq!(got.len(), 10 * frame);
    for (k, (_, filter)) in eqs.iter().enumerate() {
        let want = cli_frames(&f.path("a.mp4"), filter, 5);
        let part = &got[k * 5 * frame..(k + 1) * 5 * frame];
        let worst = part
            .iter()
            .zip(&want)
            .map(|(a, b)| (*a as i32 - *b as i32).abs())
            .max()
            .unwrap();
        // 1 code, over Y, Cb and Cr of every frame.
        assert!(
            worst <= 1,
            "{filter}: reel differs from the CLI by up to {worst} codes"
        );
    }
}
