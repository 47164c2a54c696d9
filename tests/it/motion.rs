//! Pan and zoom: the first and last frames are the CLI's crop and scale of
//! the `from` and `to` rects, and a pan moves by exactly the eased curve,
//! a fraction of a pixel at a time, with no whole-pixel judder.

use crate::common::*;

/// Luma planes of the FFmpeg CLI's rendering of `input` through `chain`.
fn cli_luma(input: &std::path::Path, chain: &str, w: usize, h: usize) -> Vec<u8> {
    cli_frames(input, chain, 1)[..w * h].to_vec()
}

fn psnr(a: &[u8], b: &[u8]) -> f64 {
    let mse = a
        .iter()
        .zip(b)
        .map(|(x, y)| (*x as f64 - *y as f64).powi(2))
        .sum::<f64>()
        / a.len() as f64;
    10.0 * (255.0 * 255.0 / mse.max(1e-10)).log10()
}

fn edl(source: &str, motion: &str, w: usize, h: usize) -> String {
    edl!(
        r#"
        {output}
        [[clip]]
        source = "{source}"
        duration = 2
        motion = {motion}
        "#,
        output = lossless_output(w, h, "25"),
    )
}

#[test]
fn first_and_last_frames_are_the_rects_cropped_and_scaled() {
    let f = Fixture::new();
    let tags = "-colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv";
    f.ffmpeg(&format!(
        "-f lavfi -i testsrc2=s=320x180:r=25:d=3,format=yuv420p -c:v libx264 -qp 0 {tags} a.mp4"
    ));
    f.ffmpeg("-f lavfi -i testsrc2=s=320x180:r=1:d=1 -frames:v 1 still.png");
    let (w, h) = (160, 90);
    for source in ["a.mp4", "still.png"] {
        f.write(
            "t.toml",
            &edl(
                source,
                "{ from = [0.0, 0.0, 1.0, 1.0], to = [0.3, 0.2, 0.5, 0.5], ease = \"in_out\" }",
                w,
                h,
            ),
        );
        f.render_args(&[]);
        let frames = luma_frames(&f.path("out.mp4"), w, h);
        assert_eq!(frames.len(), 50);
        let first = cli_luma(
            &f.path(source),
            &format!("scale={w}:{h}:flags=bicubic:out_color_matrix=bt709:out_range=tv"),
            w,
            h,
        );
        let last_src = if source == "a.mp4" {
            // The clip's last frame is source frame 49.
            "select=eq(n\\,49),".to_string()
        } else {
            String::new()
        };
        let last = cli_luma(
            &f.path(source),
            &format!(
                "{last_src}crop=160:90:96:36,scale={w}:{h}:flags=bicubic:out_color_matrix=bt709:out_range=tv"
            ),
            w,
            h,
        );
        let (p0, p1) = (psnr(&frames[0], &first), psnr(&frames[49], &last));
        println!("{source}: first frame {p0:.1} dB, last frame {p1:.1} dB");
        assert!(p0 >= 40.0, "{source}: first frame {p0:.1} dB");
        assert!(p1 >= 40.0, "{source}: last frame {p1:.1} dB");
        // Halfway through an in_out move the rect is halfway: the picture
        // is neither end.
        assert!(psnr(&frames[25], &first) < 30.0 && psnr(&frames[25], &last) < 30.0);
    }
}

/// Sub-pixel x of a bright bar's centre in a luma plane (row `y`).
fn bar_x(frame: &[u8], w: usize, y: usize) -> f64 {
    let row = &frame[y * w..(y + 1) * w];
    let (mut sum, mut weight) = (0.0, 0.0);
    for (x, &v) in row.iter().enumerate() {
        let v = (v as f64 - 100.0).max(0.0);
        sum += v * x as f64;
        weight += v;
    }
    sum / weight
}

#[test]
fn a_pan_across_a_still_follows_its_curve_smoothly() {
    let f = Fixture::new();
    // A dark still 640x180 with a bright bar 8 px wide at x = 300..308.
    f.ffmpeg(
        "-f lavfi -i color=c=0x202020:s=640x180:d=1,drawbox=x=300:y=0:w=8:h=180:c=white:t=fill \
         -frames:v 1 bar.png",
    );
    let (w, h) = (160, 90);
    for ease in ["linear", "in_out"] {
        f.write(
            "t.toml",
            &edl(
                "bar.png",
                &format!(
                    "{{ from = [0.0, 0.0, 0.5, 1.0], to = [0.5, 0.0, 0.5, 1.0], ease = \"{ease}\" }}"
                ),
                w,
                h,
            ),
        );
        f.render_args(&[]);
        let frames = luma_frames(&f.path("out.mp4"), w, h);
        assert_eq!(frames.len(), 50);
        let curve = |k: usize| {
            let x = k as f64 / 49.0;
            match ease {
                "linear" => x,
                _ if x < 0.5 => 4.0 * x * x * x,
                _ => 1.0 - (-2.0 * x + 2.0f64).powi(3) / 2.0,
            }
        };
        // The rect's left edge moves 0..320 source px, half an output px
        // each; output pixel i samples source x = left + 2 i + 0.5, so the
        // bar's centre (source pixel 303.5) shows at (304 - left) / 2 - 0.5.
        let want = |k: usize| (304.0 - 320.0 * curve(k)) / 2.0 - 0.5;
        let mut worst: f64 = 0.0;
        for (k, fr) in frames.iter().enumerate() {
            let x = want(k);
            if !(4.0..w as f64 - 4.0).contains(&x) {
                continue; // the bar is (partly) out of frame
            }
            let err = (bar_x(fr, w, h / 2) - x).abs();
            worst = worst.max(err);
            assert!(
                err < 0.15,
                "{ease}: frame {k}: bar {err:.3} px off the curve"
            );
        }
        println!("{ease}: worst position error {worst:.3} px");
    }
}
