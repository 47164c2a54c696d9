//! On-screen text, cards, captions and overlays, measured in the decoded
//! output: shaping against HarfBuzz's own rendering, frame-exact spans,
//! fade weights, alpha, stacking, sidecars and embedded streams.

use crate::common::*;
use std::path::Path;
use std::process::Command;

/// Every frame of `file` as RGB24, `w*h*3` bytes each.
fn rgb_frames(file: &Path, w: usize, h: usize) -> Vec<Vec<u8>> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(file)
        .args(["-map", "0:v", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .expect("ffmpeg runs");
    assert_success(&out, "ffmpeg decoding to RGB");
    out.stdout.chunks(w * h * 3).map(|c| c.to_vec()).collect()
}

/// Sum over a luma plane of how far each pixel is above black (16).
fn light(frame: &[u8]) -> f64 {
    frame.iter().map(|&v| (v as f64 - 16.0).max(0.0)).sum()
}

const OUTPUT_320: &str = r#"[output]
path = "out.mp4"
width = 320
height = 180
fps = 25
[output.video]
crf = 12
preset = "ultrafast""#;

// ---------------------------------------------------------------------------
// Shaping
// ---------------------------------------------------------------------------

/// The ink of a gray picture: cropped to the pixels above 128 and resampled
/// (nearest) to 512x96, as a mask.
fn ink_mask(gray: &[u8], w: usize, h: usize) -> Vec<bool> {
    let ink = |x: usize, y: usize| gray[y * w + x] > 128;
    let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
    for y in 0..h {
        for x in 0..w {
            if ink(x, y) {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            }
        }
    }
    assert!(x1 > x0 && y1 > y0, "no ink");
    let (cw, ch) = ((x1 - x0 + 1) as f64, (y1 - y0 + 1) as f64);
    let mut out = Vec::with_capacity(512 * 96);
    for y in 0..96 {
        for x in 0..512 {
            let sx = x0 + ((x as f64 + 0.5) * cw / 512.0) as usize;
            let sy = y0 + ((y as f64 + 0.5) * ch / 96.0) as usize;
            out.push(ink(sx.min(x1), sy.min(y1)));
        }
    }
    out
}

fn iou(a: &[bool], b: &[bool]) -> f64 {
    let both = a.iter().zip(b).filter(|(x, y)| **x && **y).count();
    let any = a.iter().zip(b).filter(|(x, y)| **x || **y).count();
    both as f64 / any as f64
}

/// A picture file decoded to gray (ffmpeg CLI), with its size.
fn gray_picture(f: &Fixture, name: &str, w: usize, h: usize) -> Vec<u8> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(f.path(name))
        .args([
            "-vf",
            &format!("scale={w}:{h}"),
            "-f",
            "rawvideo",
            "-pix_fmt",
            "gray",
            "-",
        ])
        .output()
        .expect("ffmpeg runs");
    assert_success(&out, &format!("ffmpeg decoding {name}"));
    out.stdout
}

#[test]
fn devanagari_is_shaped_as_harfbuzz_shapes_it() {
    let f = Fixture::new();
    let text = "हिंदी क्षत्रिय कहानियों";
    let font =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fonts/NotoSansDevanagari-Regular.ttf");
    let (w, h) = (1280usize, 320usize);
    f.write(
        "t.toml",
        &edl!(
            r#"
            {output}
            [styles.plain]
            font = "Noto Sans Devanagari"
            size = 0.3
            outline = 0
            align = "center"
            fade_in = 0
            fade_out = 0
            [[clip]]
            card = {{ text = "{text}", style = "plain" }}
            duration = 0.2
            "#,
            output = lossless_output(w, h, "25"),
        ),
    );
    f.render("t.toml");
    let reel = &luma_frames(&f.path("out.mp4"), w, h)[2];
    // HarfBuzz's own rendering of the string with the same font file.
    let hb = Command::new("hb-view")
        .arg(&font)
        .arg(text)
        .args([
            "--font-size=96",
            "--background=000000",
            "--foreground=FFFFFF",
        ])
        .args(["--output-format=png", "--output-file"])
        .arg(f.path("hb.png"))
        .output()
        .expect("hb-view runs (Debian's libharfbuzz-bin; scripts/setup installs it)");
    assert_success(&hb, "hb-view");
    let size = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=width,height",
            "-of",
            "csv=p=0",
        ])
        .arg(f.path("hb.png"))
        .output()
        .unwrap();
    let dims: Vec<usize> = String::from_utf8_lossy(&size.stdout)
        .trim()
        .split(',')
        .map(|x| x.parse().unwrap())
        .collect();
    let hb = gray_picture(&f, "hb.png", dims[0], dims[1]);
    // The same string through FFmpeg 5.1's drawtext, which does not shape.
    f.write("text.txt", text);
    f.ffmpeg(&format!(
        "-f lavfi -i color=c=black:s={w}x{h} -frames:v 1 -vf drawtext=fontfile={}:textfile=text.txt:fontsize=96:fontcolor=white:x=20:y=100 dt.png",
        font.display()
    ));
    let dt = gray_picture(&f, "dt.png", w, h);
    let reference = ink_mask(&hb, dims[0], dims[1]);
    let ours = iou(&ink_mask(reel, w, h), &reference);
    let drawtext = iou(&ink_mask(&dt, w, h), &reference);
    println!("ink IoU against hb-view: reel {ours:.3}, drawtext {drawtext:.3}");
    assert!(
        ours > 0.75,
        "reel's text is not shaped like HarfBuzz's: IoU {ours:.3}"
    );
    assert!(
        drawtext < ours - 0.25,
        "the comparison cannot tell unshaped text apart: drawtext {drawtext:.3}, reel {ours:.3}"
    );
}

// ---------------------------------------------------------------------------
// Timing and fades
// ---------------------------------------------------------------------------

/// A white box (white text on a white backing) over black: how much of it
/// shows measures the layer's weight.
const BOX_STYLE: &str = r##"[styles.block]
color = "#ffffff"
outline = 0
align = "center"
box = { color = "#ffffff", opacity = 1.0, padding = 0.05 }"##;

#[test]
fn text_shows_on_exactly_its_frames_and_fades_by_the_weight_rule() {
    let f = Fixture::new();
    f.write(
        "t.toml",
        &edl!(
            r##"
            {OUTPUT_320}
            {BOX_STYLE}
            fade_in = 0.2
            fade_out = 0.2
            [[clip]]
            card = {{ background = "#000000" }}
            duration = 4
            [[text]]
            text = "Sacred Games"
            style = "block"
            at = 1.0
            duration = 2.0
            "##
        ),
    );
    f.render("t.toml");
    let frames = luma_frames(&f.path("out.mp4"), 320, 180);
    let l: Vec<f64> = frames.iter().map(|fr| light(fr)).collect();
    let full = l[50];
    assert!(full > 1e5, "the box shows");
    for k in [0, 10, 24, 75, 80, 99] {
        assert!(l[k] < full * 0.002, "frame {k} shows text: {}", l[k] / full);
    }
    // 0.2 s at 25 fps: 5 frames each way; frame j weighs (j+1)/6.
    for j in 0..5 {
        let want = (j + 1) as f64 / 6.0;
        let got_in = l[25 + j] / full;
        let got_out = l[74 - j] / full;
        assert!(
            (got_in - want).abs() < 0.02,
            "fade-in frame {j}: {got_in:.3}, want {want:.3}"
        );
        assert!(
            (got_out - want).abs() < 0.02,
            "fade-out frame {j}: {got_out:.3}, want {want:.3}"
        );
    }
    for (k, x) in l.iter().enumerate().take(70).skip(30) {
        assert!((x / full - 1.0).abs() < 0.01, "frame {k} is not whole");
    }
}

#[test]
fn clip_attached_text_dissolves_with_its_clip() {
    let f = Fixture::new();
    f.write(
        "t.toml",
        &edl!(
            r##"
            {OUTPUT_320}
            {BOX_STYLE}
            fade_in = 0
            fade_out = 0
            [[clip]]
            card = {{ background = "#000000" }}
            duration = 2
            transition = {{ kind = "crossfade", duration = 0.4 }}
            [[clip]]
            card = {{ background = "#000000" }}
            duration = 2
            [[text]]
            text = "On clip one"
            style = "block"
            clip = 1
            "##
        ),
    );
    f.render("t.toml");
    let l: Vec<f64> = luma_frames(&f.path("out.mp4"), 320, 180)
        .iter()
        .map(|fr| light(fr))
        .collect();
    // Clip 1 is frames 0..50; the crossfade is its last 10 frames (40..50),
    // where clip 1 weighs 1 - (j+1)/11.
    let full = l[20];
    assert!(full > 1e5);
    for j in 0..10 {
        let want = 1.0 - (j + 1) as f64 / 11.0;
        let got = l[40 + j] / full;
        assert!(
            (got - want).abs() < 0.02,
            "crossfade frame {j}: {got:.3}, want {want:.3}"
        );
    }
    assert!(l[55] < full * 0.002, "the text ends with its clip");
}

// ---------------------------------------------------------------------------
// Captions
// ---------------------------------------------------------------------------

/// Runs of consecutive frames whose bottom third has bright pixels.
fn caption_runs(frames: &[Vec<u8>], w: usize, h: usize) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (k, fr) in frames.iter().enumerate() {
        let on = fr[w * h * 2 / 3..w * h].iter().any(|&v| v > 100);
        match (on, start) {
            (true, None) => start = Some(k),
            (false, Some(s)) => {
                runs.push((s, k));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push((s, frames.len()));
    }
    runs
}

/// `HH:MM:SS,mmm --> HH:MM:SS,mmm` lines of an SRT, in seconds.
fn srt_times(text: &str) -> Vec<(f64, f64)> {
    let secs = |t: &str| {
        let t = t.trim().replace(',', ".");
        let p: Vec<f64> = t.split(':').map(|x| x.parse().unwrap()).collect();
        p[0] * 3600.0 + p[1] * 60.0 + p[2]
    };
    text.lines()
        .filter_map(|l| l.split_once(" --> "))
        .map(|(a, b)| (secs(a), secs(b)))
        .collect()
}

#[test]
fn burned_captions_match_their_sidecar_and_embedded_stream_to_the_frame() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i sine=f=440:d=5:sample_rate=48000 -c:a pcm_s16le vo.wav");
    // Cue times in the voiceover's source; its window starts at 0.5 s and
    // sits at 1.0 s on the timeline.
    f.write(
        "c.srt",
        "1\n00:00:01,013 --> 00:00:02,187\nहिंदी क्षत्रिय\n\n\
         2\n00:00:02,950 --> 00:00:04,020\nSecond line\n",
    );
    f.write(
        "t.toml",
        &edl!(
            r##"
            {OUTPUT_320}
            [[clip]]
            card = {{ background = "#000000" }}
            duration = 5
            [[voiceover]]
            source = "vo.wav"
            at = 1.0
            in = 0.5
            out = 4.5
            [[captions]]
            source = "c.srt"
            voiceover = 1
            language = "hin"
            embed = true
            sidecar = ["srt", "vtt"]
            "##
        ),
    );
    f.render("t.toml");
    let runs = caption_runs(&luma_frames(&f.path("out.mp4"), 320, 180), 320, 180);
    let sidecar = std::fs::read_to_string(f.path("out.hin.srt")).expect("the .srt sidecar");
    assert!(f.path("out.hin.vtt").exists(), "the .vtt sidecar");
    let times = srt_times(&sidecar);
    let frames: Vec<(usize, usize)> = times
        .iter()
        .map(|(a, b)| ((a * 25.0).round() as usize, (b * 25.0).round() as usize))
        .collect();
    // Source 1.013 s is timeline 1.513 s: frame round(37.825) = 38.
    assert_eq!(frames, vec![(38, 67), (86, 113)], "sidecar {sidecar}");
    assert_eq!(runs, frames, "burned-in spans differ from the sidecar's");
    // The embedded stream: its language, and its cues decoded back.
    assert_eq!(
        probe_stream(&f.path("out.mp4"), "s:0", "codec_name"),
        "mov_text"
    );
    let lang = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "s:0",
            "-show_entries",
            "stream_tags=language",
        ])
        .args(["-of", "csv=p=0"])
        .arg(f.path("out.mp4"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&lang.stdout).trim(), "hin");
    let back = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(f.path("out.mp4"))
        .args(["-map", "0:s:0", "-f", "srt", "-"])
        .output()
        .unwrap();
    let back = String::from_utf8_lossy(&back.stdout);
    assert!(
        back.contains("हिंदी क्षत्रिय") && back.contains("Second line"),
        "{back}"
    );
    let embedded = srt_times(&back);
    assert_eq!(embedded.len(), 2);
    for ((a, b), (c, d)) in embedded.iter().zip(&times) {
        assert!(
            (a - c).abs() < 0.0015 && (b - d).abs() < 0.0015,
            "{back} vs {sidecar}"
        );
    }
}

#[test]
fn a_caption_moves_above_a_lower_third_and_overlapping_cues_stack() {
    let f = Fixture::new();
    f.write(
        "c.srt",
        "1\n00:00:00,500 --> 00:00:02,000\nGreen caption\n\n\
         2\n00:00:01,000 --> 00:00:02,000\nGreen two\n",
    );
    f.write(
        "t.toml",
        &edl!(
            r##"
            {output}
            [styles.red]
            color = "#ff0000"
            size = 0.08
            outline = 0
            align = "bottom"
            fade_in = 0
            [styles.green]
            color = "#00ff00"
            size = 0.08
            outline = 0
            align = "bottom"
            [[clip]]
            card = {{ background = "#000000" }}
            duration = 2
            [[text]]
            text = "Red lower third"
            style = "red"
            [[captions]]
            source = "c.srt"
            style = "green"
            "##,
            output = OUTPUT_320.replace("320", "640").replace("180", "360"),
        ),
    );
    f.render("t.toml");
    let frames = rgb_frames(&f.path("out.mp4"), 640, 360);
    // Frame 30 (1.2 s): the lower third and both cues.
    let fr = &frames[30];
    let boxes = |red: bool| {
        let mut b = (usize::MAX, usize::MAX, 0, 0);
        for y in 0..360 {
            for x in 0..640 {
                let p = &fr[(y * 640 + x) * 3..][..3];
                let hit = if red {
                    p[0] > 150 && p[1] < 90
                } else {
                    p[1] > 150 && p[0] < 90
                };
                if hit {
                    b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
                }
            }
        }
        assert!(b.2 >= b.0, "no {} ink", if red { "red" } else { "green" });
        b
    };
    let (r, g) = (boxes(true), boxes(false));
    let disjoint = r.2 < g.0 || g.2 < r.0 || r.3 < g.1 || g.3 < r.1;
    assert!(disjoint, "caption {g:?} overlaps the lower third {r:?}");
    assert!(g.3 < r.1, "the caption sits above the lower third");
    // The two overlapping cues are both shown: two bands of green rows.
    let rows: Vec<bool> = (0..360)
        .map(|y| {
            (0..640).any(|x| {
                let p = &fr[(y * 640 + x) * 3..][..3];
                p[1] > 150 && p[0] < 90
            })
        })
        .collect();
    let bands = rows.windows(2).filter(|w| !w[0] && w[1]).count() + usize::from(rows[0]);
    assert_eq!(bands, 2, "both overlapping cues show, one above the other");
}

// ---------------------------------------------------------------------------
// Overlays
// ---------------------------------------------------------------------------

#[test]
fn overlay_alpha_and_opacity_are_respected() {
    let f = Fixture::new();
    // 64x32: left half opaque white, right half fully transparent white.
    f.ffmpeg(
        "-f lavfi -i color=c=white:s=64x32,format=rgba,geq=r=255:g=255:b=255:a='if(lt(X\\,32)\\,255\\,0)' -frames:v 1 logo.png",
    );
    f.write(
        "t.toml",
        &edl!(
            r##"
            {OUTPUT_320}
            [[clip]]
            card = {{ background = "#000000" }}
            duration = 1
            [[overlay]]
            source = "logo.png"
            width = 0.2
            align = "top-left"
            margin = 0
            [[overlay]]
            source = "logo.png"
            width = 0.2
            align = "bottom-left"
            margin = 0
            opacity = 0.5
            "##
        ),
    );
    f.render("t.toml");
    let fr = &luma_frames(&f.path("out.mp4"), 320, 180)[10];
    let at = |x: usize, y: usize| fr[y * 320 + x] as i32;
    assert!((at(16, 16) - 235).abs() <= 3, "opaque part: {}", at(16, 16));
    assert!(
        (at(48, 16) - 16).abs() <= 3,
        "transparent part: {}",
        at(48, 16)
    );
    assert!(
        (at(16, 170) - 126).abs() <= 4,
        "half opacity: {}",
        at(16, 170)
    );
    assert!(
        (at(48, 170) - 16).abs() <= 3,
        "transparent at half opacity: {}",
        at(48, 170)
    );
}

// ---------------------------------------------------------------------------
// Determinism and the cache
// ---------------------------------------------------------------------------

#[test]
fn text_renders_are_identical_for_any_jobs_and_keyed_by_font_bytes() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=320x180:r=25:d=14 -c:v libx264 -g 25 a.mp4");
    std::fs::create_dir(f.path("fonts")).unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/fonts/NotoSans-Regular.ttf");
    std::fs::copy(&shipped, f.path("fonts/NotoSans-Regular.ttf")).unwrap();
    f.write(
        "t.toml",
        &edl!(
            r#"
            {OUTPUT_320}
            [fonts]
            dir = "fonts"
            [[clip]]
            source = "a.mp4"
            in = 0
            out = 6.5
            [[clip]]
            source = "a.mp4"
            in = 7
            out = 13.5
            [[text]]
            text = "Only on clip two"
            clip = 2
            at = 3
            "#
        ),
    );
    f.reel_ok(&[
        "render",
        "--quiet",
        "--no-cache",
        "--jobs",
        "1",
        "-o",
        "one.mp4",
        "t.toml",
    ]);
    f.reel_ok(&[
        "render",
        "--quiet",
        "--no-cache",
        "--jobs",
        "2",
        "-o",
        "two.mp4",
        "t.toml",
    ]);
    assert_eq!(
        std::fs::read(f.path("one.mp4")).unwrap(),
        std::fs::read(f.path("two.mp4")).unwrap(),
        "--jobs 1 and --jobs 2 differ"
    );
    let first = f.reel_ok(&["render", "t.toml"]);
    assert!(first.contains("reused 0 of 2 segments"), "{first}");
    let again = f.reel_ok(&["render", "t.toml"]);
    assert!(again.contains("reused 2 of 2 segments"), "{again}");
    // One byte of the font changes: only the segment with text renders.
    let path = f.path("fonts/NotoSans-Regular.ttf");
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
    let edited = f.reel_ok(&["render", "t.toml"]);
    assert!(edited.contains("reused 1 of 2 segments"), "{edited}");
}

// ---------------------------------------------------------------------------
// Bad input: exit 2, the file and line, nothing rendered
// ---------------------------------------------------------------------------

fn refused(f: &Fixture, edl: &str, wants: &[&str]) {
    f.write("t.toml", &format!("{OUTPUT_320}\n{edl}"));
    let out = f.reel(&["render", "--quiet", "t.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for w in wants {
        assert!(err.contains(w), "expected {w:?} in:\n{err}");
    }
    assert!(!f.path("out.mp4").exists(), "nothing is rendered");
}

const CARD: &str = r##"[[clip]]
card = { background = "#000000" }
duration = 2"##;

#[test]
fn an_unknown_font_family_lists_the_families() {
    let f = Fixture::new();
    refused(
        &f,
        &edl!(
            r#"
            [styles.x]
            font = "Comic Sans"
            {CARD}
            "#
        ),
        &[
            "t.toml:10",
            "no font of family \"Comic Sans\"",
            "Noto Sans, Noto Sans Devanagari",
        ],
    );
}

#[test]
fn a_character_no_font_covers_is_named() {
    let f = Fixture::new();
    refused(
        &f,
        &edl!(
            r#"
            {CARD}
            [[text]]
            text = "hello 你"
            "#
        ),
        &["t.toml:13", "'你' (U+4F60)"],
    );
    f.write(
        "c.srt",
        "1\n00:00:00,000 --> 00:00:01,000\nok\n\n2\n00:00:01,000 --> 00:00:01,500\n你\n",
    );
    refused(
        &f,
        &edl!(
            r#"
            {CARD}
            [[captions]]
            source = "c.srt"
            "#
        ),
        &["c.srt:6", "U+4F60"],
    );
}

#[test]
fn bad_caption_files_name_their_own_line() {
    let f = Fixture::new();
    let edl = edl!(
        r#"
        {CARD}
        [[captions]]
        source = "c.srt"
        "#
    );
    f.write(
        "c.srt",
        "1\n00:00:00,000 --> 00:00:01,000\nok\n\n2\n00:00:01,000 -> 00:00:02,000\nbad\n",
    );
    refused(&f, &edl, &["c.srt:6", "timing line"]);
    f.write("c.srt", "1\n00:00:03,000 --> 00:00:02,000\nbackwards\n");
    refused(&f, &edl, &["c.srt:2", "before it starts"]);
    std::fs::write(
        f.path("c.srt"),
        b"1\n00:00:00,000 --> 00:00:01,000\ncaf\xe9\n",
    )
    .unwrap();
    refused(&f, &edl, &["c.srt:3", "not UTF-8"]);
}

#[test]
fn an_unreadable_overlay_image_is_refused() {
    let f = Fixture::new();
    f.write("logo.png", "not a picture");
    refused(
        &f,
        &edl!(
            r#"
            {CARD}
            [[overlay]]
            source = "logo.png"
            "#
        ),
        &["t.toml:13", "cannot read the overlay image", "logo.png"],
    );
}

#[test]
fn a_clip_number_out_of_range_is_refused() {
    let f = Fixture::new();
    refused(
        &f,
        &edl!(
            r#"
            {CARD}
            [[text]]
            text = "x"
            clip = 3
            "#
        ),
        &["t.toml:14", "`clip = 3` is out of range"],
    );
}

#[test]
fn a_layer_after_the_montage_is_refused() {
    let f = Fixture::new();
    refused(
        &f,
        &edl!(
            r#"
            {CARD}
            [[text]]
            text = "late"
            at = 2.5
            "#
        ),
        &["t.toml:14", "after the montage ends"],
    );
    f.write("c.srt", "1\n00:00:05,000 --> 00:00:06,000\nlate cue\n");
    refused(
        &f,
        &edl!(
            r#"
            {CARD}
            [[captions]]
            source = "c.srt"
            "#
        ),
        &["c.srt:2", "after the montage ends"],
    );
}

#[test]
fn check_lists_layers_and_lints_captions() {
    let f = Fixture::new();
    f.write(
        "c.srt",
        "1\n00:00:00,000 --> 00:00:00,400\nThis cue is far too short to read and its line is much too long\n",
    );
    f.write(
        "t.toml",
        &edl!(
            r#"
            {OUTPUT_320}
            {CARD}
            [[text]]
            text = "Hello"
            [[captions]]
            source = "c.srt"
            "#
        ),
    );
    let out = f.reel_ok_output(&["check", "t.toml"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("text 1 \"Hello\": 0:00:00.000 to 0:00:02.000 (frames 0..50)"),
        "{text}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("warning") && err.contains("c.srt:2"), "{err}");
    assert!(err.contains("characters (at most 42)"), "{err}");
    let strict = f.reel(&["check", "--strict", "t.toml"]);
    assert_eq!(strict.status.code(), Some(2));
}

#[test]
fn a_text_across_a_segment_cut_draws_as_without_the_cut() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=320x180:r=25:d=6 -c:v libx264 -g 25 a.mp4");
    // Lossless output, so decoded pictures compare exactly.
    f.write(
        "t.toml",
        &edl!(
            r#"
            {output}
            [[clip]]
            source = "a.mp4"
            in = 0
            out = 5
            [[text]]
            text = "हिंदी and English"
            at = 1.0
            duration = 3.0
            [[text]]
            text = "Top line"
            style = "caption"
            at = 1.5
            duration = 2.0
            "#,
            output = OUTPUT_320.replace("crf = 12", "crf = 0"),
        ),
    );
    f.reel_ok(&[
        "render",
        "--quiet",
        "--no-cache",
        "-o",
        "full.mp4",
        "t.toml",
    ]);
    // A range render starts a segment at 2.0 s, inside both texts and in
    // the first one's slide-in and fade.
    f.reel_ok(&[
        "render",
        "--quiet",
        "--no-cache",
        "--range",
        "1.12-4.4",
        "-o",
        "part.mp4",
        "t.toml",
    ]);
    let full = luma_frames(&f.path("full.mp4"), 320, 180);
    let part = luma_frames(&f.path("part.mp4"), 320, 180);
    assert_eq!(part.len(), 82);
    for (i, p) in part.iter().enumerate() {
        assert!(
            *p == full[28 + i],
            "timeline frame {} differs from the full render",
            28 + i
        );
    }
}

#[test]
fn a_line_too_wide_for_a_tall_frame_is_drawn_smaller_to_fit() {
    let f = Fixture::new();
    f.write(
        "t.toml",
        &edl!(
            r##"
            [output]
            path = "out.mp4"
            width = 180
            height = 320
            fps = 25
            [output.video]
            crf = 12
            preset = "ultrafast"
            [styles.plain]
            outline = 0
            align = "bottom"
            fade_in = 0
            fade_out = 0
            [[clip]]
            card = {{ background = "#000000" }}
            duration = 0.4
            [[text]]
            text = "Every shot you see here was captured हर शॉट"
            style = "plain"
            "##
        ),
    );
    f.render("t.toml");
    let fr = &luma_frames(&f.path("out.mp4"), 180, 320)[5];
    let cols: Vec<usize> = (0..180)
        .filter(|&x| (0..320).any(|y| fr[y * 180 + x] > 128))
        .collect();
    assert!(!cols.is_empty(), "the text is drawn");
    // Inside the 5% margins (9 px at 320 high), nothing cut at the edges.
    assert!(
        cols[0] >= 6 && *cols.last().unwrap() <= 173,
        "ink spans columns {}..{}",
        cols[0],
        cols.last().unwrap()
    );
    assert!(
        cols.last().unwrap() - cols[0] > 120,
        "and it still fills the width"
    );
}
