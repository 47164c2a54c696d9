//! Many EDLs in one run: language versions share their video segments
//! through one cache, a failure stops the run (or not, with --keep-going),
//! and the JSON report and JUnit file say what became of each output.

use crate::common::*;
use serde_json::Value;

/// The picture cut with a narration: `voice` names the language's file.
fn version(voice: &str, out: &str) -> String {
    edl!(
        r#"
        [output]
        path = "{out}"
        width = 64
        height = 36
        fps = 25
        [[clip]]
        source = "a.mp4"
        in = 0
        duration = 7
        [[clip]]
        source = "b.mp4"
        in = 0
        duration = 7
        [[voiceover]]
        source = "{voice}"
        at = 1
        "#
    )
}

fn sources(f: &Fixture) {
    f.ffmpeg("-f lavfi -i testsrc2=s=96x54:r=25:d=8 -c:v libx264 -g 25 a.mp4");
    f.ffmpeg("-f lavfi -i smptebars=s=96x54:r=25:d=8 -c:v libx264 -g 25 b.mp4");
    f.ffmpeg("-f lavfi -i sine=f=300:d=3 hi.wav");
    f.ffmpeg("-f lavfi -i sine=f=500:d=3 en.wav");
}

fn report(f: &Fixture, name: &str) -> Value {
    let text = std::fs::read_to_string(f.path(name)).expect("the report is written");
    serde_json::from_str(&text).expect("the report is JSON")
}

/// Validates `name` against docs/report.schema.json with the `jsonschema`
/// package.
fn assert_valid(f: &Fixture, name: &str) {
    let schema = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json");
    let out = std::process::Command::new(python_venv())
        .args([
            "-c",
            "import json, sys, jsonschema\n\
             s = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2]))\n\
             jsonschema.Draft202012Validator.check_schema(s)\n\
             jsonschema.Draft202012Validator(s).validate(r)\nprint('valid')",
        ])
        .arg(schema)
        .arg(f.path(name))
        .output()
        .expect("python runs");
    assert_success(&out, &format!("validating {name} against the schema"));
}

#[test]
fn language_versions_render_together_and_share_their_pictures() {
    let f = Fixture::new();
    sources(&f);
    f.write("hi.toml", &version("hi.wav", "hi.mp4"));
    f.write("en.toml", &version("en.wav", "en.mp4"));
    f.reel_ok(&[
        "render", "--quiet", "--report", "r.json", "--junit", "j.xml", "hi.toml", "en.toml",
    ]);
    assert!(f.path("hi.mp4").exists() && f.path("en.mp4").exists());
    assert_valid(&f, "r.json");
    let r = report(&f, "r.json");
    assert_eq!(r["reel_report"], 1);
    assert_eq!(r["exit_code"], 0);
    let outputs = r["outputs"].as_array().unwrap();
    assert_eq!(outputs.len(), 2);
    // The first renders every segment; the second reuses all its pictures
    // and renders only its own sound.
    let (first, second) = (&outputs[0]["cache"], &outputs[1]["cache"]);
    let segments = first["segments"].as_u64().unwrap();
    assert!(segments >= 2, "{first}");
    assert_eq!(first["segments_reused"], 0);
    assert_eq!(
        second["segments_reused"].as_u64(),
        Some(segments),
        "{second}"
    );
    assert_eq!(second["audio_reused"], false);
    assert_eq!(outputs[1]["frames"], 350);
    // Stage times: the first encoded its pictures, the second only joined.
    let stage = |o: &Value, s: &str| o["stages"][s]["wall_seconds"].as_f64().unwrap();
    assert!(stage(&outputs[0], "video") > 0.0 && stage(&outputs[0], "join") > 0.0);
    assert!(stage(&outputs[1], "audio") > 0.0);
    // Within the video, the workers decoded, blended (crossfades) and
    // encoded; the second output rendered no segment.
    for s in ["decode", "blend", "encode"] {
        assert!(stage(&outputs[0], s) > 0.0, "{s}");
        assert_eq!(stage(&outputs[1], s), 0.0, "{s}");
    }
    // CPU per stage: the video's parts add up to it, the audio's is its
    // own, and together they stay within the output's CPU time.
    let cpu = |o: &Value, s: &str| o["stages"][s]["cpu_seconds"].as_f64().unwrap();
    let first = &outputs[0];
    let parts = cpu(first, "decode") + cpu(first, "blend") + cpu(first, "encode");
    assert!(
        cpu(first, "decode") > 0.0 && cpu(first, "encode") > 0.0,
        "{first}"
    );
    assert!((parts - cpu(first, "video")).abs() < 0.01, "{first}");
    assert!(cpu(first, "audio") > 0.0 && cpu(&outputs[1], "audio") > 0.0);
    for o in outputs {
        let stages: f64 = ["keys", "video", "audio", "join"]
            .iter()
            .map(|s| cpu(o, s))
            .sum();
        let total = o["cpu_seconds"].as_f64().unwrap();
        assert!(stages <= total + 0.01, "stages {stages} of {total}: {o}");
    }
    assert_eq!(cpu(&outputs[1], "decode"), 0.0);
    assert_eq!(outputs[1]["status"], "ok");
    // JUnit: one passing test case per output.
    let xml = std::fs::read_to_string(f.path("j.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("JUnit XML parses");
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 2);
    assert!(cases[1].attribute("name").unwrap().ends_with("en.mp4"));
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count(),
        0
    );
}

#[test]
fn a_failure_stops_the_run_unless_asked_to_keep_going_and_is_reported() {
    let f = Fixture::new();
    sources(&f);
    f.write("a.toml", &version("hi.wav", "out_a.mp4"));
    f.write(
        "bad.toml",
        &version("hi.wav", "out_bad.mp4").replace("fps = 25", "fps = 25\nfsp = 1"),
    );
    f.write("c.toml", &version("en.wav", "out_c.mp4"));
    let out = f.reel(&[
        "render", "--quiet", "--report", "r.json", "a.toml", "bad.toml", "c.toml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!f.path("out_c.mp4").exists(), "rendered after the failure");
    assert_valid(&f, "r.json");
    let r = report(&f, "r.json");
    assert_eq!(r["exit_code"], 2);
    let outputs = r["outputs"].as_array().unwrap();
    assert_eq!(outputs.len(), 2);
    assert_eq!(outputs[1]["status"], "failed");
    let e = &outputs[1]["errors"][0];
    assert!(e["file"].as_str().unwrap().ends_with("bad.toml"), "{e}");
    assert_eq!(e["line"], 6);
    assert!(e["message"].as_str().unwrap().contains("fsp"), "{e}");

    let out = f.reel(&[
        "render",
        "--quiet",
        "--keep-going",
        "--report",
        "r.json",
        "--junit",
        "j.xml",
        "a.toml",
        "bad.toml",
        "c.toml",
    ]);
    assert_eq!(out.status.code(), Some(2), "the worst exit code");
    assert!(f.path("out_c.mp4").exists());
    assert_valid(&f, "r.json");
    let r = report(&f, "r.json");
    let status: Vec<&str> = r["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].as_str().unwrap())
        .collect();
    assert_eq!(status, ["ok", "failed", "ok"]);
    let xml = std::fs::read_to_string(f.path("j.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let failures: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .collect();
    assert_eq!(failures.len(), 1);
    assert!(failures[0].text().unwrap().contains("fsp"));
}

#[test]
fn an_unwritable_report_fails_before_rendering() {
    let f = Fixture::new();
    sources(&f);
    f.write("a.toml", &version("hi.wav", "out_a.mp4"));
    let out = f.reel(&[
        "render",
        "--quiet",
        "--report",
        "no/such/dir/r.json",
        "a.toml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/dir/r.json"));
    assert!(!f.path("out_a.mp4").exists());
    // -o names one output.
    let out = f.reel(&["render", "--quiet", "-o", "x.mp4", "a.toml", "a.toml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn json_progress_is_one_event_per_line() {
    let f = Fixture::new();
    sources(&f);
    f.write("hi.toml", &version("hi.wav", "hi.mp4"));
    f.write(
        "bad.toml",
        &edl!(
            r#"
            [output]
            path = 3
            "#
        ),
    );
    let out = f.reel(&[
        "render",
        "--progress",
        "json",
        "--keep-going",
        "hi.toml",
        "bad.toml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let events: Vec<Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(names[0], "start");
    assert!(
        names.contains(&"segment") && names.contains(&"frames"),
        "{names:?}"
    );
    let frames = events.iter().rfind(|e| e["event"] == "frames").unwrap();
    assert_eq!(frames["done"], frames["total"]);
    assert!(frames["fps"].as_f64().unwrap() > 0.0);
    let outputs: Vec<&Value> = events.iter().filter(|e| e["event"] == "output").collect();
    assert_eq!(outputs.len(), 2);
    assert_eq!(outputs[0]["status"], "ok");
    assert_eq!(outputs[1]["status"], "failed");
    assert!(events
        .iter()
        .any(|e| e["event"] == "error" && e["exit_code"] == 2));
    assert_eq!(events.last().unwrap()["event"], "finish");
    assert_eq!(events.last().unwrap()["exit_code"], 2);
}

#[test]
fn versions_extend_one_cut_and_errors_name_the_file_that_holds_them() {
    let f = Fixture::new();
    sources(&f);
    std::fs::create_dir_all(f.path("cut")).unwrap();
    std::fs::rename(f.path("a.mp4"), f.path("cut/a.mp4")).unwrap();
    std::fs::rename(f.path("b.mp4"), f.path("cut/b.mp4")).unwrap();
    // The picture cut, its paths relative to itself.
    f.write(
        "cut/base.toml",
        &edl!(
            r#"
            [output]
            path = "base.mp4"
            width = 64
            height = 36
            fps = 25
            [output.video]
            crf = 30
            [defaults]
            transition = {{ kind = "crossfade", duration = 0.4 }}
            [[clip]]
            source = "a.mp4"
            in = 0
            duration = 7
            eq = {{ saturation = 1.2 }}
            [[clip]]
            source = "b.mp4"
            in = 0
            duration = 7
            "#
        ),
    );
    for lang in ["hi", "en"] {
        f.write(
            &format!("{lang}.toml"),
            &edl!(
                r#"
                extends = "cut/base.toml"
                [output]
                path = "{lang}.mp4"
                [[voiceover]]
                source = "{lang}.wav"
                at = 1
                "#
            ),
        );
    }
    f.reel_ok(&[
        "render", "--quiet", "--report", "r.json", "hi.toml", "en.toml",
    ]);
    let r = report(&f, "r.json");
    let second = &r["outputs"][1];
    assert_eq!(second["video"]["crf"], 30, "inherited [output.video]");
    assert_eq!(second["frames"], 340, "inherited clips and transition");
    assert_eq!(
        second["cache"]["segments_reused"],
        second["cache"]["segments"]
    );
    assert!(f.path("hi.mp4").exists() && f.path("en.mp4").exists());

    // A bad value in the parent is reported at the parent's line.
    f.write(
        "cut/base.toml",
        &std::fs::read_to_string(f.path("cut/base.toml"))
            .unwrap()
            .replace("duration = 7\neq", "duration = 70\neq"),
    );
    let out = f.reel(&["check", "hi.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("cut/base.toml:13:12:"), "{err}");
    // A child's own bad value at its own line.
    f.write(
        "en.toml",
        &edl!(
            r#"
            extends = "cut/base.toml"
            [output]
            fps = 0
            "#
        ),
    );
    let err = String::from_utf8_lossy(&f.reel(&["check", "en.toml"]).stderr).into_owned();
    assert!(err.contains("en.toml:3:7:"), "{err}");
    // Cycles and missing parents: exit 2 with the chain.
    f.write("x.toml", "extends = \"y.toml\"\n");
    f.write("y.toml", "extends = \"x.toml\"\n");
    let out = f.reel(&["check", "x.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("cycle: x.toml extends y.toml extends x.toml"),
        "{err}"
    );
    f.write("z.toml", "extends = \"gone.toml\"\n");
    let out = f.reel(&["check", "z.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("z.toml extends gone.toml"));
}

/// A PNG's pixels, decoded by FFmpeg, as RGB rows `w` wide.
fn png_pixels(png: &std::path::Path) -> Vec<u8> {
    let out = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(png)
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .unwrap();
    out.stdout
}

#[test]
fn a_storyboard_shows_each_clip_its_labels_and_the_sound_without_rendering() {
    let f = Fixture::new();
    // A red clip and a blue one (a Hindi file name), a voiceover of a tone.
    f.ffmpeg("-f lavfi -i color=c=red:s=160x90:r=25:d=4 -f lavfi -i sine=f=300:d=4 -c:v libx264 -c:a aac -shortest red.mp4");
    f.ffmpeg("-f lavfi -i color=c=blue:s=160x90:r=25:d=4 -f lavfi -i sine=f=500:d=4 -c:v libx264 -c:a aac -shortest नीला.mp4");
    f.ffmpeg("-f lavfi -i sine=f=800:d=2 vo.wav");
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "out.mp4"
            width = 160
            height = 90
            fps = 25
            [[clip]]
            source = "red.mp4"
            duration = 3
            transition = {{ kind = "crossfade", duration = 0.5 }}
            [[clip]]
            source = "नीला.mp4"
            duration = 3
            [[voiceover]]
            source = "vo.wav"
            at = 1
            "#
        ),
    );
    f.reel_ok(&["check", "t.toml", "--storyboard", "board.png"]);
    assert!(!f.path("out.mp4").exists(), "check renders nothing");
    let png = f.path("board.png");
    let size = probe_stream(&png, "v:0", "width,height");
    let (w, h): (usize, usize) = {
        let (a, b) = size.split_once(',').unwrap();
        (a.parse().unwrap(), b.parse().unwrap())
    };
    assert_eq!(w, 1600, "{size}");
    let pixels = png_pixels(&png);
    assert_eq!(pixels.len(), w * h * 3);
    let png_pixel = |_: &std::path::Path, w: usize, x: usize, y: usize| {
        let p = (y * w + x) * 3;
        [pixels[p], pixels[p + 1], pixels[p + 2]]
    };
    // Thumbnails are 188 wide, at 6 px from each 200 px cell's edge, below
    // a 34 px title: their middles show each clip's picture.
    let red = png_pixel(&png, w, 6 + 94, 34 + 50);
    let blue = png_pixel(&png, w, 206 + 94, 34 + 50);
    assert!(red[0] > 200 && red[2] < 60, "clip 1's thumbnail: {red:?}");
    assert!(
        blue[2] > 200 && blue[0] < 60,
        "clip 2's thumbnail: {blue:?}"
    );
    // The labels are drawn under the thumbnails: light pixels there.
    let label_row = 34 + 106 + 8;
    let lit = (6..190)
        .filter(|&x| png_pixel(&png, w, x, label_row).iter().all(|&c| c > 150))
        .count();
    assert!(lit > 5, "no label text under clip 1 ({lit} light pixels)");
    // The waveform: its middle row is drawn where there is sound, across
    // the timeline; the voiceover lane is yellow from 1 s to 3 s of 5.5 s.
    let wave_mid = (0..h)
        .rev()
        .find(|&y| png_pixel(&png, w, 800, y) == [120, 190, 140])
        .expect("the waveform is drawn");
    assert!(wave_mid > 200, "{wave_mid}");
    let voice_y = (wave_mid..h)
        .find(|&y| png_pixel(&png, w, 600, y) == [220, 200, 90])
        .expect("the voiceover lane is drawn");
    assert_eq!(
        png_pixel(&png, w, 100, voice_y),
        [44, 47, 53],
        "no voiceover at 0.3 s"
    );
    assert_eq!(
        png_pixel(&png, w, 1500, voice_y),
        [44, 47, 53],
        "no voiceover at 5.2 s"
    );
    // A render draws one too; a storyboard that is not a PNG is refused.
    f.reel_ok(&["render", "--quiet", "t.toml", "--storyboard", "after.png"]);
    assert!(f.path("after.png").exists() && f.path("out.mp4").exists());
    let out = f.reel(&["check", "t.toml", "--storyboard", "board.jpg"]);
    assert_eq!(out.status.code(), Some(2));
}

/// A run renders all its outputs with one pool of workers, a segment that
/// several outputs share once, and each output's bytes are the ones it gets
/// rendered alone: with text in either script, with or without a cache.
/// Outputs are reported in the EDLs' order.
#[test]
fn one_pool_renders_each_output_as_it_would_be_rendered_alone() {
    let f = Fixture::new();
    sources(&f);
    let texted = |voice: &str, out: &str, text: &str| {
        version(voice, out)
            + &edl!(
                r#"
                [[text]]
                text = "{text}"
                at = 1
                duration = 3
                "#
            )
    };
    // Hindi and English captions over one cut (the segments after the text
    // are the same in both); the third has the first's pictures.
    f.write("hi.toml", &texted("hi.wav", "hi.mp4", "नमस्ते दुनिया"));
    f.write("en.toml", &texted("en.wav", "en.mp4", "Hello world"));
    f.write("ta.toml", &texted("en.wav", "ta.mp4", "नमस्ते दुनिया"));
    let names = ["hi", "en", "ta"];
    let run = |extra: &[&str]| {
        let mut args = vec!["render", "--progress", "json", "--jobs", "2"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--report", "r.json", "hi.toml", "en.toml", "ta.toml"]);
        let out = f.reel_ok_output(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        let events: Vec<Value> = err
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("a JSON line"))
            .collect();
        let of = |kind: &str| -> Vec<String> {
            events
                .iter()
                .filter(|e| e["event"] == kind)
                .map(|e| e["output"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(of("output"), ["hi.mp4", "en.mp4", "ta.mp4"], "{err}");
        let bytes = names.map(|n| std::fs::read(f.path(&format!("{n}.mp4"))).unwrap());
        (bytes, of("segment"))
    };
    let (cached, segment_events) = run(&["--cache", "shared-cache"]);
    let r = report(&f, "r.json");
    let cache = |i: usize| &r["outputs"][i]["cache"];
    let segments = cache(0)["segments"].as_u64().unwrap();
    assert!(segments >= 2, "{}", cache(0));
    assert_eq!(cache(0)["segments_reused"], 0);
    // English shares the segments after the text, not the ones with it.
    let en = cache(1)["segments_reused"].as_u64().unwrap();
    assert!(en > 0 && en < segments, "{}", cache(1));
    assert_eq!(cache(2)["segments_reused"].as_u64(), Some(segments));
    // Each segment rendered once, said of the output it was rendered for.
    let count = |o: &str| segment_events.iter().filter(|e| *e == o).count() as u64;
    assert_eq!(count("hi.mp4"), segments);
    assert_eq!(count("en.mp4"), segments - en);
    assert_eq!(count("ta.mp4"), 0);
    let (uncached, _) = run(&["--no-cache"]);
    for (i, n) in names.iter().enumerate() {
        let alone = format!("alone-{n}.mp4");
        let cache = format!("cache-{n}");
        let toml = format!("{n}.toml");
        f.reel_ok(&[
            "render", "--quiet", "--jobs", "1", "--cache", &cache, "-o", &alone, &toml,
        ]);
        let alone = std::fs::read(f.path(&alone)).unwrap();
        assert!(
            cached[i] == alone,
            "{n}: the run's output differs from its own render"
        );
        assert!(uncached[i] == alone, "{n}: without a cache it differs");
    }
    assert!(cached[0] != cached[2], "the third has its own sound");
    // Outputs and reports are as readable as any new file (0666 less the
    // umask), not a temporary file's 0600.
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::PermissionsExt;
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let umask = status
            .lines()
            .find_map(|l| l.strip_prefix("Umask:"))
            .map(|m| u32::from_str_radix(m.trim(), 8).unwrap())
            .expect("the umask is shown");
        for name in ["hi.mp4", "r.json", "alone-hi.mp4"] {
            let mode = std::fs::metadata(f.path(name))
                .unwrap()
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(mode, 0o666 & !umask, "{name}: mode {mode:o}");
        }
    }
}

/// A segment that fails while the run renders fails its output (and every
/// output that shares it); the outputs before it are finished, the ones
/// after it rendered only with --keep-going.
#[test]
fn a_segment_that_fails_fails_its_outputs_and_the_rest_are_rendered_on_request() {
    let f = Fixture::new();
    sources(&f);
    // Garbage over a stretch of the second clip's picture data.
    f.ffmpeg(
        "-f lavfi -i smptebars=s=96x54:r=25:d=8 -c:v libx264 -g 25 -movflags +faststart fast.mp4",
    );
    f.damage("fast.mp4", "bad.mp4");
    let broken = |voice: &str, out: &str| version(voice, out).replace("b.mp4", "bad.mp4");
    f.write("a.toml", &version("hi.wav", "out_a.mp4"));
    f.write("bad_hi.toml", &broken("hi.wav", "out_bad_hi.mp4"));
    f.write("bad_en.toml", &broken("en.wav", "out_bad_en.mp4"));
    f.write("c.toml", &version("en.wav", "out_c.mp4"));
    let edls = ["a.toml", "bad_hi.toml", "bad_en.toml", "c.toml"];
    let statuses = |r: &Value| -> Vec<String> {
        r["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["status"].as_str().unwrap().to_string())
            .collect()
    };
    let mut args = vec!["render", "--quiet", "--jobs", "2", "--report", "r.json"];
    args.extend_from_slice(&edls);
    let out = f.reel(&args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("damaged video"), "{err}");
    assert!(
        f.path("out_a.mp4").exists(),
        "the output before it is finished"
    );
    for later in ["out_bad_hi.mp4", "out_bad_en.mp4", "out_c.mp4"] {
        assert!(!f.path(later).exists(), "{later} written");
    }
    assert_valid(&f, "r.json");
    let r = report(&f, "r.json");
    assert_eq!(statuses(&r), ["ok", "failed"]);
    assert_eq!(r["exit_code"], 1);

    std::fs::remove_file(f.path("out_a.mp4")).unwrap();
    args.insert(2, "--keep-going");
    let out = f.reel(&args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_valid(&f, "r.json");
    let r = report(&f, "r.json");
    assert_eq!(statuses(&r), ["ok", "failed", "failed", "ok"]);
    assert!(f.path("out_a.mp4").exists() && f.path("out_c.mp4").exists());
    assert!(!f.path("out_bad_en.mp4").exists());
    // The second broken one shares the damaged segment: its error says so.
    let second = r["outputs"][2]["error"].as_str().unwrap();
    assert!(second.contains("damaged video"), "{second}");
}

/// An EDL that reads an earlier EDL's output in the same run (a trailer cut
/// from the montage) reads the output this run makes, not an older file
/// there, nor fails because it is not there yet.
#[test]
fn an_edl_that_reads_an_earlier_output_of_the_run_reads_the_new_one() {
    let f = Fixture::new();
    sources(&f);
    f.write("hi.toml", &version("hi.wav", "hi.mp4"));
    f.write(
        "trailer.toml",
        &edl!(
            r#"
            [output]
            path = "trailer.mp4"
            width = 64
            height = 36
            fps = 25
            [[clip]]
            source = "hi.mp4"
            in = 6
            duration = 2
            "#
        ),
    );
    let run = |args: &[&str]| drop(f.reel_ok(args));
    // Not there yet.
    run(&[
        "render",
        "--quiet",
        "--cache",
        "c1",
        "hi.toml",
        "trailer.toml",
    ]);
    let first = std::fs::read(f.path("trailer.mp4")).unwrap();
    // An older, different file there: the trailer still reads the new one.
    std::fs::copy(f.path("b.mp4"), f.path("hi.mp4")).unwrap();
    run(&[
        "render",
        "--quiet",
        "--cache",
        "c2",
        "hi.toml",
        "trailer.toml",
    ]);
    let second = std::fs::read(f.path("trailer.mp4")).unwrap();
    run(&[
        "render",
        "--quiet",
        "--cache",
        "c3",
        "-o",
        "alone.mp4",
        "trailer.toml",
    ]);
    let alone = std::fs::read(f.path("alone.mp4")).unwrap();
    assert!(
        first == alone,
        "the trailer made in the run differs from its own render"
    );
    assert!(second == alone, "the trailer read the older file");
}
