//! Alpha: a source's transparent parts show the output's background; an
//! output with `background = "transparent"` keeps alpha for graphics
//! handed to another editor.

use crate::common::*;

/// One RGBA picture (8 bits) of `file` at `seconds`, `w*h*4` bytes.
fn rgba_at(file: &std::path::Path, seconds: f64, w: usize, h: usize) -> Vec<u8> {
    let out = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-ss", &seconds.to_string(), "-i"])
        .arg(file)
        .args(["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgba", "-"])
        .output()
        .expect("ffmpeg runs");
    assert_success(&out, "ffmpeg decoding a picture");
    assert_eq!(out.stdout.len(), w * h * 4);
    out.stdout
}

fn pixel(rgba: &[u8], w: usize, x: usize, y: usize) -> [u8; 4] {
    let i = (y * w + x) * 4;
    [rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]]
}

/// A red ProRes 4444 clip whose left half is transparent.
fn half_transparent_clip(f: &Fixture) {
    f.ffmpeg(
        "-f lavfi -i color=red:s=160x90:r=25:d=1,format=yuva444p,\
         drawbox=x=0:y=0:w=80:h=90:color=black@0:replace=1:t=fill \
         -c:v prores_ks -profile:v 4444 -pix_fmt yuva444p10le a.mov",
    );
}

#[test]
fn a_clip_with_alpha_shows_the_background_where_it_is_transparent() {
    let f = Fixture::new();
    half_transparent_clip(&f);
    // The same picture as VP9 with alpha in WebM (alpha in a side channel
    // that only libvpx decodes).
    f.ffmpeg(
        "-f lavfi -i color=red:s=160x90:r=25:d=1,format=yuva420p,\
         drawbox=x=0:y=0:w=80:h=90:color=black@0:replace=1:t=fill \
         -c:v libvpx-vp9 -pix_fmt yuva420p -b:v 0 -crf 30 a.webm",
    );
    for source in ["a.mov", "a.webm"] {
        shows_background(&f, source);
    }
}

fn shows_background(f: &Fixture, source: &str) {
    f.write(
        "t.toml",
        &edl!(
            r##"
            [output]
            path = "out.mp4"
            width = 160
            height = 90
            fps = 25
            background = "#0000ff"
            [[clip]]
            source = "{source}"
            duration = 1
            "##
        ),
    );
    f.render("t.toml");
    let p = rgba_at(&f.path("out.mp4"), 0.4, 160, 90);
    let [r, g, b, _] = pixel(&p, 160, 30, 45);
    assert!(
        b > 200 && r < 40 && g < 40,
        "left half {r},{g},{b}: not the blue background"
    );
    let [r, g, b, _] = pixel(&p, 160, 130, 45);
    assert!(
        r > 200 && g < 40 && b < 40,
        "right half {r},{g},{b}: not the red clip"
    );
}

/// A transparent ProRes 4444 output of `layers` over a transparent card.
fn transparent_edl(f: &Fixture, layers: &str) {
    f.write(
        "t.toml",
        &format!(
            "{}{layers}",
            edl!(
                r##"
                [output]
                path = "lower.mov"
                width = 320
                height = 180
                fps = 25
                background = "transparent"
                [output.video]
                codec = "prores_ks"
                pix_fmt = "yuva444p10le"
                [[clip]]
                card = {{ background = "transparent" }}
                duration = 2
                "##
            )
        ),
    );
}

#[test]
fn a_lower_third_over_nothing_is_opaque_in_its_box_and_transparent_around_it() {
    let f = Fixture::new();
    transparent_edl(
        &f,
        r##"
[styles.name]
box = { color = "#202020", opacity = 1.0, padding = 0.02 }
fade_in = 0
slide = "none"
[[text]]
text = "Priya Sharma"
style = "name"
"##,
    );
    f.render("t.toml");
    let out = f.path("lower.mov");
    assert_eq!(probe_stream(&out, "v:0", "profile"), "4444");
    assert!(probe_stream(&out, "v:0", "pix_fmt").starts_with("yuva444p"));
    let p = rgba_at(&out, 1.0, 320, 180);
    // The box: the bounding box of every pixel with any opacity.
    let opaque: Vec<(usize, usize)> = (0..180)
        .flat_map(|y| (0..320).map(move |x| (x, y)))
        .filter(|&(x, y)| pixel(&p, 320, x, y)[3] > 0)
        .collect();
    assert!(!opaque.is_empty(), "nothing drawn");
    let x0 = opaque.iter().map(|p| p.0).min().unwrap();
    let x1 = opaque.iter().map(|p| p.0).max().unwrap();
    let y0 = opaque.iter().map(|p| p.1).min().unwrap();
    let y1 = opaque.iter().map(|p| p.1).max().unwrap();
    assert!(
        x1 - x0 > 30 && y1 - y0 > 6 && y0 > 90,
        "box at {x0},{y0}..{x1},{y1}"
    );
    // Fully opaque inside (one pixel in from its edge), fully transparent
    // everywhere outside it.
    for y in y0 + 1..y1 {
        for x in x0 + 1..x1 {
            assert_eq!(pixel(&p, 320, x, y)[3], 255, "inside the box at {x},{y}");
        }
    }
    assert_eq!(pixel(&p, 320, 5, 5)[3], 0);
    assert_eq!(pixel(&p, 320, 300, 170)[3], 0);
    let outside = (0..180)
        .flat_map(|y| (0..320).map(move |x| (x, y)))
        .filter(|&(x, y)| !(x0..=x1).contains(&x) || !(y0..=y1).contains(&y))
        .all(|(x, y)| pixel(&p, 320, x, y)[3] == 0);
    assert!(outside, "opacity outside the box");
    assert_eq!(probe_stream(&out, "v:0", "nb_read_frames"), "50");
}

#[test]
fn an_image_with_half_alpha_keeps_its_colour_and_opacity_in_a_transparent_output() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i color=0xff8000@0.5:s=40x40,format=rgba -frames:v 1 logo.png");
    transparent_edl(
        &f,
        r##"
[[overlay]]
source = "logo.png"
width = 0.25
align = "center"
"##,
    );
    f.render("t.toml");
    let p = rgba_at(&f.path("lower.mov"), 1.0, 320, 180);
    let [r, g, b, a] = pixel(&p, 320, 160, 90);
    // Straight alpha: the colour is the logo's, not darkened by what was
    // (transparently) under it.
    assert!((a as i32 - 128).abs() <= 4, "alpha {a}");
    assert!(
        r > 240 && (g as i32 - 128).abs() <= 8 && b < 16,
        "colour {r},{g},{b}"
    );
    assert_eq!(pixel(&p, 320, 10, 10)[3], 0);
}

#[test]
fn a_transparent_background_needs_a_pixel_format_with_alpha() {
    let f = Fixture::new();
    transparent_edl(&f, "");
    let text = std::fs::read_to_string(f.path("t.toml"))
        .unwrap()
        .replace("yuva444p10le", "yuv422p10le");
    f.write("t.toml", &text);
    let out = f.reel(&["check", "t.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let said = printed(&out);
    assert!(
        said.contains("t.toml:6:") && said.contains("needs a pix_fmt with alpha"),
        "{said}"
    );
}

#[test]
fn a_transparent_png_sequence_keeps_alpha() {
    let f = Fixture::new();
    transparent_edl(
        &f,
        "\n[styles.name]\nbox = { color = \"#202020\", opacity = 1.0 }\nfade_in = 0\nslide = \"none\"\n\
         [[text]]\ntext = \"Priya Sharma\"\nstyle = \"name\"\n",
    );
    let text = std::fs::read_to_string(f.path("t.toml"))
        .unwrap()
        .replace("lower.mov", "frames/f_%04d.png")
        .replace("codec = \"prores_ks\"\n", "")
        .replace("pix_fmt = \"yuva444p10le\"\n", "");
    f.write("t.toml", &text);
    f.render("t.toml");
    let png = f.path("frames/f_0026.png");
    assert_eq!(probe_stream(&png, "v:0", "pix_fmt"), "rgba");
    let p = rgba_at(&png, 0.0, 320, 180);
    assert_eq!(pixel(&p, 320, 5, 5)[3], 0);
    assert!(
        (0..180 * 320).any(|i| p[i * 4 + 3] == 255),
        "nothing opaque"
    );
    assert_eq!(std::fs::read_dir(f.path("frames")).unwrap().count(), 50);
}
