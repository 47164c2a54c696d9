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
        "-f lavfi -i {} \
         -f lavfi -i sine=frequency=440:sample_rate=48000:duration={secs} \
         -timecode {timecode} -c:v libx264 -qp 0 -g 25 -c:a pcm_s16le -shortest \
         -colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv {name}",
        frames_mod_100("25", secs, cb)
    ));
}

/// Settings for the imported cuts: a small, lossless render.
fn settings(f: &Fixture, fps: &str) {
    f.write("base.toml", &format!("{}\n", lossless_output(S, S, fps)));
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
            (frame_mod_100(y), cb)
        })
        .collect()
}

/// Renders `cut` with the settings and media beside it, and asserts success.
fn render_cut(f: &Fixture, cut: &str, extra: &[&str]) {
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
    f.reel_ok(&args);
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
        &edl!(
            r#"
            TITLE: TEST CUT
            FCM: NON-DROP FRAME

            001  A001     AA/V  C        01:00:01:00 01:00:03:00 01:00:00:00 01:00:02:00
            * FROM CLIP NAME: A001.mov
            002  BL       V     C        00:00:00:00 00:00:00:10 01:00:02:00 01:00:02:10
            003  B002C003 V     C        02:00:00:00 02:00:01:00 01:00:02:10 01:00:03:10
            004  B002C003 V     C        02:00:01:00 02:00:01:00 01:00:03:10 01:00:03:10
            004  A001     V     D    010 01:00:04:00 01:00:05:00 01:00:03:10 01:00:04:10
            * FROM CLIP NAME: B002C003.mov
            * TO CLIP NAME: A001.mov
            005  B002C003 V     C        02:00:02:00 02:00:04:00 01:00:04:10 01:00:05:10
            M2   B002C003       050.0                02:00:02:00
            006  A001     V     C        01:00:02:00 01:00:03:00 01:00:05:10 01:00:06:10
            M2   A001          -025.0                01:00:02:00
            007  B002C003 V     C        02:00:05:00 02:00:05:01 01:00:06:10 01:00:07:10
            M2   B002C003       000.0                02:00:05:00
            * LOC: 01:00:06:20 RED  a marker
            "#
        ),
    );
    render_cut(&f, "cut.edl", &[]);
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

#[test]
fn drop_frame_cuts_count_frames_across_the_minute() {
    let f = Fixture::new();
    for (rate, fps, tc, src, rec, frames, first) in [
        // 59;20..59;29 and 00;02..00;09: 18 frames; the source starts at 59;00.
        (
            "29.97df",
            "29.97",
            "00:00:59;00",
            "00:00:59;20 00:01:00;10",
            "01:00:59;20 01:01:00;10",
            18,
            20,
        ),
        // 59;50..59;59 and 00;04..00;09: 16 frames.
        (
            "59.94df",
            "59.94",
            "00:00:59;00",
            "00:00:59;50 00:01:00;10",
            "01:00:59;50 01:01:00;10",
            16,
            50,
        ),
    ] {
        let r = if fps == "29.97" {
            "30000/1001"
        } else {
            "60000/1001"
        };
        f.ffmpeg(&format!(
            "-f lavfi -i {} -timecode {tc} -c:v libx264 -qp 0 \
             -colorspace bt709 -color_primaries bt709 -color_trc bt709 -color_range tv DF01.mov",
            frames_mod_100(r, 3, 128)
        ));
        settings(&f, fps);
        f.write(
            "df.edl",
            &format!("TITLE: DF\nFCM: DROP FRAME\n001  DF01     V     C        {src} {rec}\n"),
        );
        render_cut(&f, "df.edl", &["--fps", rate]);
        let got = shown(&f.path("out.mp4"));
        assert_eq!(got.len(), frames, "{rate}: frames");
        expect_run(&got, 0..frames, A, first, 1);
    }
}

#[test]
fn media_is_found_by_file_clip_name_or_reel_and_ambiguity_is_refused() {
    let f = Fixture::new();
    std::fs::create_dir_all(f.path("footage/day1")).unwrap();
    reel(&f, "footage/day1/A003C012_240101.mov", A, "10:00:00:00", 2);
    reel(&f, "footage/B001_x.mov", B, "00:00:00:00", 2);
    reel(&f, "footage/B001_y.mov", B, "00:00:00:00", 2);
    settings(&f, "25");
    // An Avid reel name, truncated to 8 characters, matches the one file
    // it begins.
    let edl = |reel: &str, tc: &str| {
        format!("TITLE: T\n001  {reel:<8} V     C        {tc}:00:00 {tc}:01:00 01:00:00:00 01:00:01:00\n")
    };
    f.write("a.edl", &edl("A003C012", "10:00"));
    f.reel_ok(&[
        "check",
        "a.edl",
        "--media",
        "footage",
        "--settings",
        "base.toml",
    ]);
    // B001 begins two files: an error naming both, with the event's line.
    f.write("b.edl", &edl("B001", "00:00"));
    let out = f.reel(&[
        "check",
        "b.edl",
        "--media",
        "footage",
        "--settings",
        "base.toml",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("b.edl:2:1: event 001, reel B001"), "{err}");
    assert!(
        err.contains("B001_x.mov") && err.contains("B001_y.mov"),
        "{err}"
    );
    // A media map settles it.
    f.write("map.toml", "B001 = \"footage/B001_y.mov\"\n");
    f.reel_ok(&[
        "check",
        "b.edl",
        "--media",
        "footage",
        "--media-map",
        "map.toml",
        "--settings",
        "base.toml",
    ]);
    // The clip name comment and the source file comment come first.
    f.write(
        "c.edl",
        &format!("{}* FROM CLIP NAME: B001_x.mov\n", edl("ZZZ", "00:00")),
    );
    let out = f.reel_ok_output(&[
        "import",
        "c.edl",
        "--media",
        "footage",
        "--settings",
        "base.toml",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("B001_x.mov\"") && text.contains("# event 001, reel ZZZ"),
        "{text}"
    );
}

#[test]
fn bad_cuts_are_refused_with_their_line() {
    let f = Fixture::new();
    reel(&f, "A001.mov", A, "01:00:00:00", 4);
    settings(&f, "25");
    let event = |tc: &str| format!("TITLE: T\n001  A001     V     C        {tc}\n");
    let cases: Vec<(String, &[&str], &str)> = vec![
        (
            event("01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00"),
            &["--media", "."],
            "does not state its frame rate",
        ),
        (
            "12.5 20.3 0\n40.0 52.1 0\n".into(),
            &["--fps", "25"],
            "MPlayer/comskip",
        ),
        (
            event("01:00:00:00 01:00:01:00 01:00:00:00 01:00:00:30"),
            &["--fps", "25", "--media", "."],
            "t.edl:2",
        ),
        (
            event("01:00:00:00 01:00:01:00 01:00:00:00 01:00:02:00"),
            &["--fps", "25", "--media", "."],
            "t.edl:2",
        ),
        (
            event("01:00:03:00 01:00:05:00 01:00:00:00 01:00:02:00"),
            &["--fps", "25", "--media", "."],
            "lies outside its media",
        ),
        (
            event("01:00:0x:00 01:00:01:00 01:00:00:00 01:00:01:00"),
            &["--fps", "25", "--media", "."],
            "t.edl:2",
        ),
    ];
    for (text, args, want) in &cases {
        f.write("t.edl", text);
        let mut all = vec!["check", "t.edl"];
        all.extend_from_slice(args);
        let out = f.reel(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{text}: {err}");
        assert!(err.contains(want), "{text}: no {want:?} in {err}");
    }
    // Broken OTIO JSON and FCPXML say where.
    f.write(
        "t.otio",
        "{\n  \"OTIO_SCHEMA\": \"Timeline.1\",\n  \"tracks\": [\n}\n",
    );
    let out = f.reel(&["check", "t.otio"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("t.otio:4:"), "{err}");
    f.write(
        "t.fcpxml",
        "<?xml version=\"1.0\"?>\n<fcpxml version=\"1.10\">\n<resources>\n</fcpxml>\n",
    );
    let out = f.reel(&["check", "t.fcpxml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("t.fcpxml:4:"), "{err}");
}

/// What the OTIO and FCPXML cuts below show: A's 1 s..3 s, 10 frames of
/// black, B at 2x for 1 s dissolving (5 + 5 frames around the cut) into
/// A's 4 s..5 s.
fn check_gap_warp_dissolve(got: &[(i64, u8)], what: &str) {
    assert_eq!(got.len(), 110, "{what}: frames");
    expect_run(got, 0..50, A, 25, 1);
    for &(n, cb) in &got[50..60] {
        assert!(
            n <= 0 && (cb as i32 - 128).abs() <= 2,
            "{what}: black: {n} {cb}"
        );
    }
    expect_run(got, 60..80, B, 0, 2);
    expect_run(got, 90..110, A, 105, 1);
}

#[test]
fn otio_and_fcpxml_cuts_with_gaps_dissolves_and_time_warps_render() {
    let f = Fixture::new();
    reel(&f, "A001.mov", A, "01:00:00:00", 8);
    reel(&f, "B002.mov", B, "02:00:00:00", 8);
    settings(&f, "25");
    let rt = |v: i64| {
        format!("{{\"OTIO_SCHEMA\": \"RationalTime.1\", \"rate\": 25.0, \"value\": {v}.0}}")
    };
    let range = |s: i64, d: i64| {
        format!(
            "{{\"OTIO_SCHEMA\": \"TimeRange.1\", \"start_time\": {}, \"duration\": {}}}",
            rt(s),
            rt(d)
        )
    };
    let clip = |name: &str, file: &str, s: i64, d: i64, effects: &str| {
        format!(
            "{{\"OTIO_SCHEMA\": \"Clip.1\", \"name\": \"{name}\", \"metadata\": {{}}, \"enabled\": true,\n\
             \"source_range\": {}, \"effects\": [{effects}], \"markers\": [],\n\
             \"media_reference\": {{\"OTIO_SCHEMA\": \"ExternalReference.1\", \"name\": \"\", \"metadata\": {{}},\n\
             \"available_range\": null, \"target_url\": \"{file}\"}}}}",
            range(s, d)
        )
    };
    let warp = "{\"OTIO_SCHEMA\": \"LinearTimeWarp.1\", \"name\": \"\", \"metadata\": {}, \"effect_name\": \"LinearTimeWarp\", \"time_scalar\": 2.0}";
    let items = [
        clip("a", "A001.mov", 90025, 50, ""),
        format!("{{\"OTIO_SCHEMA\": \"Gap.1\", \"name\": \"\", \"metadata\": {{}}, \"source_range\": {}, \"effects\": [], \"markers\": [], \"enabled\": true}}", range(0, 10)),
        clip("b", "B002.mov", 180000, 25, warp),
        format!("{{\"OTIO_SCHEMA\": \"Transition.1\", \"name\": \"\", \"metadata\": {{}}, \"transition_type\": \"SMPTE_Dissolve\", \"in_offset\": {}, \"out_offset\": {}}}", rt(5), rt(5)),
        clip("a2", "A001.mov", 90100, 25, ""),
    ];
    f.write(
        "cut.otio",
        &format!(
            "{{\"OTIO_SCHEMA\": \"Timeline.1\", \"name\": \"cut\", \"metadata\": {{}}, \"global_start_time\": null,\n\
             \"tracks\": {{\"OTIO_SCHEMA\": \"Stack.1\", \"name\": \"\", \"metadata\": {{}}, \"source_range\": null, \"effects\": [], \"markers\": [], \"enabled\": true,\n\
             \"children\": [{{\"OTIO_SCHEMA\": \"Track.1\", \"name\": \"V1\", \"kind\": \"Video\", \"metadata\": {{}}, \"source_range\": null, \"effects\": [], \"markers\": [], \"enabled\": true,\n\
             \"children\": [\n{}\n]}}]}}}}\n",
            items.join(",\n")
        ),
    );
    render_cut(&f, "cut.otio", &[]);
    check_gap_warp_dissolve(&shown(&f.path("out.mp4")), "otio");

    f.write(
        "cut.fcpxml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE fcpxml>\n<fcpxml version=\"1.10\">\n\
         <resources>\n\
         <format id=\"r1\" frameDuration=\"1/25s\" width=\"64\" height=\"64\"/>\n\
         <asset id=\"r2\" name=\"A001\" start=\"3600s\" duration=\"8s\" hasVideo=\"1\" format=\"r1\"><media-rep kind=\"original-media\" src=\"A001.mov\"/></asset>\n\
         <asset id=\"r3\" name=\"B002\" start=\"7200s\" duration=\"8s\" hasVideo=\"1\" format=\"r1\"><media-rep kind=\"original-media\" src=\"B002.mov\"/></asset>\n\
         </resources>\n<library><event name=\"e\"><project name=\"cut\">\n\
         <sequence format=\"r1\" duration=\"22/5s\" tcStart=\"0s\"><spine>\n\
         <asset-clip ref=\"r2\" name=\"a\" offset=\"0s\" start=\"3601s\" duration=\"2s\" audioRole=\"dialogue\"/>\n\
         <gap name=\"Gap\" offset=\"2s\" start=\"0s\" duration=\"2/5s\"/>\n\
         <asset-clip ref=\"r3\" name=\"b\" offset=\"12/5s\" start=\"7200s\" duration=\"1s\">\n\
         <timeMap><timept time=\"7200s\" value=\"7200s\" interp=\"linear\"/><timept time=\"7201s\" value=\"7202s\" interp=\"linear\"/></timeMap>\n\
         </asset-clip>\n\
         <transition name=\"Cross Dissolve\" offset=\"16/5s\" duration=\"2/5s\"/>\n\
         <asset-clip ref=\"r2\" name=\"a2\" offset=\"17/5s\" start=\"3604s\" duration=\"1s\"/>\n\
         </spine></sequence></project></event></library>\n</fcpxml>\n",
    );
    render_cut(&f, "cut.fcpxml", &[]);
    check_gap_warp_dissolve(&shown(&f.path("out.mp4")), "fcpxml");
}

/// A reel EDL made of what every format carries: trims, a wipe, a
/// crossfade, 2x and a reverse.
const ROUND_TRIP: &str = r#"[output]
path = "out.mp4"
width = 64
height = 64
fps = 25
[output.video]
crf = 0
preset = "ultrafast"
[[clip]]
source = "A001.mov"
in = 1.0
duration = 2.0
transition = { kind = "wipeleft", duration = 0.4 }
[[clip]]
source = "B002.mov"
in = 0.2
duration = 1.6
speed = 2
[[clip]]
source = "A001.mov"
in = 4.0
duration = 1.0
reverse = true
transition = { kind = "crossfade", duration = 0.2 }
[[clip]]
source = "B002.mov"
in = 3.0
duration = 1.2
"#;

#[test]
fn exports_render_byte_identical_to_the_montage_they_came_from() {
    let f = Fixture::new();
    reel(&f, "A001.mov", A, "01:00:00:00", 8);
    reel(&f, "B002.mov", B, "02:00:00:00", 8);
    f.write("t.toml", ROUND_TRIP);
    f.render_args(&[]);
    let original = std::fs::read(f.path("out.mp4")).unwrap();
    for ext in ["otio", "edl", "fcpxml"] {
        let cut = format!("cut.{ext}");
        f.reel_ok(&["export", "t.toml", "-o", &cut]);
        f.reel_ok(&[
            "render",
            "--quiet",
            "--no-cache",
            "--settings",
            "t.toml",
            "--media",
            ".",
            "-o",
            "back.mp4",
            &cut,
        ]);
        let back = std::fs::read(f.path("back.mp4")).unwrap();
        assert!(
            back == original,
            "{ext}: the render of the export differs from the original's"
        );
    }
}

#[test]
fn otio_exports_load_in_opentimelineio_with_reel_s_durations() {
    let f = Fixture::new();
    reel(&f, "A001.mov", A, "01:00:00:00", 8);
    reel(&f, "B002.mov", B, "02:00:00:00", 8);
    f.write("t.toml", ROUND_TRIP);
    f.reel_ok(&["export", "t.toml", "-o", "cut.otio"]);
    // The official package, from PyPI, in a virtualenv kept under target/.
    let python = python_venv();
    let script = "import sys, opentimelineio as otio\n\
                  t = otio.adapters.read_from_file(sys.argv[1])\n\
                  for tr in t.tracks:\n\
                  \x20   print(tr.kind, tr.name, round(tr.duration().to_frames()), len(tr))\n\
                  print('total', round(t.duration().to_frames()))\n";
    let out = std::process::Command::new(&python)
        .args(["-c", script])
        .arg(f.path("cut.otio"))
        .output()
        .expect("python runs");
    assert_success(&out, "opentimelineio reading cut.otio");
    let text = String::from_utf8_lossy(&out.stdout);
    // reel's plan: 50 + 40 + 25 + 30 frames less 10 and 5 of transitions.
    let frames = 50 + 40 + 25 + 30 - 10 - 5;
    assert!(text.contains(&format!("total {frames}")), "{text}");
    assert!(text.contains(&format!("Video V1 {frames} ")), "{text}");
    // Transitions are items of the track: 4 clips and 2 transitions.
    assert!(text.contains(&format!("Video V1 {frames} 6")), "{text}");
}

#[test]
fn fcpxml_titles_become_text_layers() {
    let f = Fixture::new();
    reel(&f, "A001.mov", A, "01:00:00:00", 4);
    settings(&f, "25");
    f.write(
        "t.fcpxml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE fcpxml>\n<fcpxml version=\"1.11\">\n\
         <resources>\n<format id=\"r1\" frameDuration=\"1/25s\" width=\"64\" height=\"64\"/>\n\
         <asset id=\"r2\" name=\"A001\" start=\"3600s\" duration=\"4s\" hasVideo=\"1\" format=\"r1\"><media-rep kind=\"original-media\" src=\"A001.mov\"/></asset>\n\
         <effect id=\"r3\" name=\"Basic Title\" uid=\".../Titles.localized/Basic Text.localized/Basic Title.localized/Basic Title.moti\"/>\n\
         </resources>\n<library><event name=\"e\"><project name=\"p\"><sequence format=\"r1\"><spine>\n\
         <asset-clip ref=\"r2\" name=\"a\" offset=\"0s\" start=\"3600s\" duration=\"3s\">\n\
         <title ref=\"r3\" lane=\"1\" name=\"Name\" offset=\"3601/1s\" duration=\"1s\"><text><text-style ref=\"ts1\">Priya Sharma</text-style></text></title>\n\
         </asset-clip>\n</spine></sequence></project></event></library>\n</fcpxml>\n",
    );
    let out = f.reel_ok_output(&[
        "import",
        "t.fcpxml",
        "--media",
        ".",
        "--settings",
        "base.toml",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("[[text]]\ntext = \"Priya Sharma\"\nat = 1.0\nduration = 1.0"),
        "{text}"
    );
    // And it is drawn: the render lists the layer.
    let out = f.reel_ok_output(&[
        "check",
        "t.fcpxml",
        "--media",
        ".",
        "--settings",
        "base.toml",
    ]);
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(listing.contains("Priya Sharma"), "{listing}");
}
