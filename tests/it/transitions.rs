//! The editor's vocabulary: every `xfade` kind of the linked FFmpeg against the FFmpeg
//! CLI's own `xfade` at the same progress, a dip through a colour, and a
//! clip's `eq` against the CLI's `eq`.

use crate::common::*;
use std::process::Command;

/// The transition names the linked FFmpeg's `xfade` lists (without
/// `custom`), read from `ffmpeg -h filter=xfade`.
fn linked_xfade_kinds() -> Vec<String> {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-h", "filter=xfade"])
        .output()
        .expect("ffmpeg runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut kinds = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.first() {
            Some(&"transition") => inside = true,
            Some(&"duration") if inside => break,
            Some(name)
                if inside
                    && *name != "custom"
                    && words.get(1).is_some_and(|n| n.parse::<i32>().is_ok()) =>
            {
                kinds.push(name.to_string());
            }
            _ => {}
        }
    }
    kinds
}

const W: usize = 96;
const H: usize = 64;

/// Two lossless 25 fps sources already in the output's size, format and
/// colour description, so that conforming leaves them as they are.
fn sources(f: &Fixture) {
    let tags = "-colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv";
    f.ffmpeg(&format!(
        "-f lavfi -i testsrc2=s={W}x{H}:r=25:d=2,format=yuv420p -c:v libx264 -qp 0 -g 1 {tags} a.mp4"
    ));
    f.ffmpeg(&format!(
        "-f lavfi -i smptebars=s={W}x{H}:r=25:d=2,format=yuv420p,hue=H=t -c:v libx264 -qp 0 -g 1 {tags} b.mp4"
    ));
}

fn planes(file: &std::path::Path) -> Vec<Vec<u8>> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(file)
        .args(["-map", "0:v", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"])
        .output()
        .expect("ffmpeg runs");
    assert_success(&out, &format!("ffmpeg decoding {}", file.display()));
    out.stdout
        .chunks(W * H * 3 / 2)
        .map(|c| c.to_vec())
        .collect()
}

/// The pictures of a raw yuv420p file of the test size.
fn raw_frames(file: &std::path::Path) -> Vec<Vec<u8>> {
    std::fs::read(file)
        .expect("the CLI's output")
        .chunks(W * H * 3 / 2)
        .map(|c| c.to_vec())
        .collect()
}

fn mean_abs_diff(a: &[u8], b: &[u8]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (*x as f64 - *y as f64).abs())
        .sum::<f64>()
        / a.len() as f64
}

/// Renders clip a (frames 0..25) into clip b through `kind` over 10 frames
/// (frames 15..25 of the output).
fn render_pair(f: &Fixture, kind: &str, extra: &str) -> Vec<Vec<u8>> {
    f.write(
        "t.toml",
        &edl!(
            r#"
            {output}
            [[clip]]
            source = "a.mp4"
            in = 0
            duration = 1.0
            transition = {{ kind = "{kind}", duration = 0.4{extra} }}
            [[clip]]
            source = "b.mp4"
            in = 0
            duration = 1.0
            "#,
            output = lossless_output(W, H, "25"),
        ),
    );
    let out = f.reel(&["render", "--quiet", "--no-cache", "t.toml"]);
    assert_success(&out, &format!("{kind}: reel render"));
    planes(&f.path("out.mp4"))
}

#[test]
fn every_xfade_kind_matches_ffmpeg_xfade_at_the_same_progress() {
    let mut linked = linked_xfade_kinds();
    assert!(linked.len() > 40, "xfade lists {linked:?}");
    let mut ours: Vec<String> = reel::edl::XFADE.iter().map(|s| s.to_string()).collect();
    linked.sort();
    ours.sort();
    assert_eq!(
        ours, linked,
        "reel's transition list differs from the linked xfade's"
    );

    let f = Fixture::new();
    sources(&f);
    for kind in &linked {
        let reel = render_pair(&f, kind, "");
        assert_eq!(reel.len(), 40, "{kind}: frame count");
        // The CLI's xfade with a time base of 1/11 and a one-second
        // duration: the picture stamped j+1 is at progress 1 - (j+1)/11.
        // Its first picture (stamped 0, progress 1) is dropped, as reel
        // drops its own.
        f.ffmpeg(&format!(
            "-i a.mp4 -i b.mp4 -filter_complex \
             [0:v]trim=start_frame=14:end_frame=25,settb=1/11,setpts=N[x];\
             [1:v]trim=end_frame=10,loop=loop=1:size=1:start=0,settb=1/11,setpts=N[y];\
             [x][y]xfade=transition={kind}:duration=1:offset=0 \
             -vsync passthrough -f rawvideo -pix_fmt yuv420p cli.yuv"
        ));
        let cli = raw_frames(&f.path("cli.yuv"));
        assert_eq!(cli.len(), 11, "{kind}: the CLI's frames");
        for j in 0..10 {
            let d = mean_abs_diff(&reel[15 + j], &cli[j + 1]);
            assert!(
                d <= 1.0,
                "{kind}: transition frame {j} differs from xfade by {d:.2} levels"
            );
        }
        // Before and after the transition: the clips themselves.
        let a = planes(&f.path("a.mp4"));
        let b = planes(&f.path("b.mp4"));
        assert!(
            mean_abs_diff(&reel[14], &a[14]) < 0.01,
            "{kind}: frame before"
        );
        assert!(
            mean_abs_diff(&reel[25], &b[10]) < 0.01,
            "{kind}: frame after"
        );
    }
}

#[test]
fn a_dip_goes_through_its_colour() {
    let f = Fixture::new();
    sources(&f);
    let frames = render_pair(&f, "dip", ", color = \"#ffffff\"");
    // 10 frames, steps of 11: step 5.5 would be the colour alone; frames
    // 15..20 go from a towards white, 20..25 from white to b.
    let luma_mean =
        |fr: &Vec<u8>| fr[..W * H].iter().map(|&v| v as f64).sum::<f64>() / (W * H) as f64;
    let l: Vec<f64> = frames.iter().map(luma_mean).collect();
    assert!(
        l[19] > 200.0 && l[20] > 200.0,
        "the middle is near white: {:?}",
        &l[15..25]
    );
    assert!(
        l[15] < l[17] && l[17] < l[19],
        "a fades up to white: {:?}",
        &l[15..20]
    );
    assert!(
        l[20] > l[22] && l[22] > l[24],
        "b fades in from white: {:?}",
        &l[20..25]
    );
    // Step 5 of 11 (frame 19): a weighs 1 - 10/11 against white.
    let a = planes(&f.path("a.mp4"));
    let want = a[19][..W * H]
        .iter()
        .map(|&v| (v as f64 * 1.0 + 235.0 * 10.0) / 11.0)
        .sum::<f64>()
        / (W * H) as f64;
    assert!(
        (l[19] - want).abs() < 1.0,
        "frame 19: {} against {want}",
        l[19]
    );
}

#[test]
fn an_unknown_transition_kind_lists_the_valid_ones() {
    let f = Fixture::new();
    f.write(
        "t.toml",
        &edl!(
            r##"
            [output]
            path = "out.mp4"
            width = 64
            height = 64
            fps = 25
            [[clip]]
            card = {{ background = "#000000" }}
            duration = 1
            transition = {{ kind = "wobble", duration = 0.2 }}
            [[clip]]
            card = {{ background = "#ffffff" }}
            duration = 1
            "##
        ),
    );
    let out = f.reel(&["check", "t.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("t.toml:9"), "{err}");
    assert!(err.contains("unknown transition kind \"wobble\""), "{err}");
    assert!(err.contains("wipeleft") && err.contains("dip"), "{err}");
}

#[test]
fn a_clip_eq_is_libavfilter_eq_in_the_source_colours() {
    let f = Fixture::new();
    sources(&f);
    f.write(
        "t.toml",
        &edl!(
            r#"
            {output}
            [[clip]]
            source = "a.mp4"
            in = 0
            duration = 1.0
            eq = {{ brightness = 0.1, contrast = 1.2, saturation = 1.5, gamma = 0.9 }}
            "#,
            output = lossless_output(W, H, "25"),
        ),
    );
    f.render_args(&[]);
    let reel = planes(&f.path("out.mp4"));
    f.ffmpeg(
        "-i a.mp4 -vf eq=brightness=0.1:contrast=1.2:saturation=1.5:gamma=0.9 -frames:v 25 \
         -f rawvideo -pix_fmt yuv420p cli.yuv",
    );
    let cli = raw_frames(&f.path("cli.yuv"));
    let src = planes(&f.path("a.mp4"));
    assert_eq!(reel.len(), 25);
    for k in 0..25 {
        let d = mean_abs_diff(&reel[k], &cli[k]);
        assert!(d <= 1.0, "frame {k} differs from eq by {d:.2} levels");
        assert!(
            mean_abs_diff(&reel[k], &src[k]) > 5.0,
            "frame {k} is not adjusted"
        );
    }
}

/// A warm look as a 9³ `.cube`: red lifted, blue lowered.
fn warm_cube() -> String {
    let n = 9;
    let mut s = String::from("TITLE \"warm\"\nLUT_3D_SIZE 9\n");
    for b in 0..n {
        for g in 0..n {
            for r in 0..n {
                let f = |x: usize| x as f64 / (n - 1) as f64;
                let (r, g, b) = (f(r).powf(0.8), f(g), f(b) * 0.8 + 0.05);
                s += &format!("{r:.6} {g:.6} {b:.6}\n");
            }
        }
    }
    s
}

#[test]
fn a_clip_lut_is_lut3d_on_the_same_frames() {
    let f = Fixture::new();
    sources(&f);
    f.write("warm.cube", &warm_cube());
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "out.mp4"
            width = {W}
            height = {H}
            fps = 25
            lut = "warm.cube"
            [output.video]
            crf = 0
            preset = "ultrafast"
            [[clip]]
            source = "a.mp4"
            in = 0
            duration = 1.0
            "#
        ),
    );
    f.render_args(&[]);
    let reel = planes(&f.path("out.mp4"));
    f.ffmpeg(
        "-i a.mp4 -vf lut3d=file=warm.cube:interp=tetrahedral,\
         scale=flags=bicubic:out_color_matrix=bt709:out_range=tv,format=yuv420p \
         -frames:v 25 -f rawvideo -pix_fmt yuv420p cli.yuv",
    );
    let cli = raw_frames(&f.path("cli.yuv"));
    let src = planes(&f.path("a.mp4"));
    for k in 0..25 {
        let d = mean_abs_diff(&reel[k], &cli[k]);
        assert!(d <= 1.0, "frame {k} differs from lut3d by {d:.2} levels");
        assert!(
            mean_abs_diff(&reel[k], &src[k]) > 2.0,
            "frame {k} is not graded"
        );
    }
}

#[test]
fn a_missing_or_bad_lut_is_refused_with_its_line() {
    let f = Fixture::new();
    let edl = &edl!(
        r##"
        [output]
        path = "out.mp4"
        width = 64
        height = 64
        fps = 25
        [[clip]]
        card = {{ background = "#000000" }}
        duration = 1
        lut = "look.cube"
        "##
    );
    f.write("t.toml", edl);
    let out = f.reel(&["check", "t.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("t.toml:9") && err.contains("cannot read the LUT"),
        "{err}"
    );
    let bad = warm_cube().replacen("\n0.", "\nzero.", 1);
    f.write("look.cube", &bad);
    let out = f.reel(&["check", "t.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("look.cube:3") && err.contains("not a 3D .cube LUT"),
        "{err}"
    );
}

#[test]
fn cover_keeps_the_focus_in_frame_in_a_vertical_profile() {
    let f = Fixture::new();
    // 16:9, black, with a white marker at (0.85, 0.5).
    f.ffmpeg(
        "-f lavfi -i color=c=black:s=320x180:r=25:d=1,drawbox=x=264:y=82:w=16:h=16:color=white:t=fill \
         -c:v libx264 -pix_fmt yuv420p m.mp4",
    );
    let edl = |focus: &str| {
        edl!(
            r#"
            [output]
            path = "out.mp4"
            width = 320
            height = 180
            fps = 25
            [profile.vertical]
            width = 180
            height = 320
            fit = "cover"
            [[clip]]
            source = "m.mp4"
            in = 0
            duration = 0.4
            {focus}"#
        )
    };
    let marker_columns = |f: &Fixture| -> Vec<usize> {
        let frames = luma_frames(&f.path("out.vertical.mp4"), 180, 320);
        let fr = &frames[5];
        (0..180)
            .filter(|&x| (0..320).any(|y| fr[y * 180 + x] > 200))
            .collect()
    };
    f.write("t.toml", &edl("focus = [0.85, 0.5]\n"));
    f.render_args(&["--profile", "vertical"]);
    let cols = marker_columns(&f);
    assert!(!cols.is_empty(), "the marker is in frame");
    // The focus is as near the centre as the picture allows: the crop
    // stops at the picture's right edge, so the marker sits right of it.
    let mid = cols.iter().sum::<usize>() / cols.len();
    assert!((80..=110).contains(&mid), "marker at column {mid}");
    f.write("t.toml", &edl(""));
    f.render_args(&["--profile", "vertical"]);
    assert!(
        marker_columns(&f).is_empty(),
        "a centred crop loses the marker"
    );
}

#[test]
fn a_crop_equals_the_cli_crop_and_scale() {
    let f = Fixture::new();
    sources(&f);
    // A quarter of the picture, from (0.25, 0.25): 48x32 of 96x64.
    f.write(
        "t.toml",
        &edl!(
            r#"
            {output}
            [[clip]]
            source = "a.mp4"
            in = 0
            duration = 0.4
            crop = [0.25, 0.25, 0.5, 0.5]
            "#,
            output = lossless_output(W, H, "25"),
        ),
    );
    f.render_args(&[]);
    let reel = planes(&f.path("out.mp4"));
    f.ffmpeg(&format!(
        "-i a.mp4 -vf crop=48:32:24:16,scale={W}:{H}:flags=bicubic:in_color_matrix=bt709:\
         out_color_matrix=bt709:out_range=tv,format=yuv420p -frames:v 10 -f rawvideo -pix_fmt yuv420p cli.yuv"
    ));
    let cli = raw_frames(&f.path("cli.yuv"));
    assert_eq!(reel.len(), 10);
    for k in 0..10 {
        let d = mean_abs_diff(&reel[k], &cli[k]);
        assert!(
            d <= 1.0,
            "frame {k} differs from crop+scale by {d:.2} levels"
        );
    }
    // A rect outside the picture is refused at its line.
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "out.mp4"
            width = 64
            height = 64
            fps = 25
            [[clip]]
            source = "a.mp4"
            duration = 0.4
            crop = [0.5, 0.0, 0.6, 1.0]
            "#
        ),
    );
    let out = f.reel(&["check", "t.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("t.toml:9") && err.contains("`crop` is [x, y, w, h]"),
        "{err}"
    );
}
