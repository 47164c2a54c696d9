//! The segment cache: what each kind of EDL change reuses, byte identity
//! with cold renders, damaged and torn entries, the size bound, and the
//! `reel cache` commands.

use crate::common::*;
use std::path::{Path, PathBuf};

/// Four 6.5 s clips from two sources; one segment each.
fn edl(clip3_in: &str, clip3_dur: &str, crf: u32) -> String {
    edl!(
        r#"
        [output]
        path = "out.mp4"
        width = 64
        height = 36
        fps = 25
        [output.video]
        crf = {crf}
        [[clip]]
        source = "a.mp4"
        in = 0
        duration = 6.5
        [[clip]]
        source = "b.mp4"
        in = 0
        duration = 6.5
        [[clip]]
        source = "a.mp4"
        in = {clip3_in}
        duration = {clip3_dur}
        [[clip]]
        source = "b.mp4"
        in = 5
        duration = 6.5
        "#
    )
}

fn sources(f: &Fixture, b_pattern: &str) {
    f.ffmpeg(
        "-f lavfi -i testsrc2=s=96x54:r=25:d=12 -f lavfi -i sine=f=300:d=12 \
         -c:v libx264 -g 25 -c:a aac a.mp4",
    );
    f.ffmpeg(&format!(
        "-f lavfi -i {b_pattern}=s=96x54:r=25:d=12 -f lavfi -i sine=f=500:d=12 \
         -c:v libx264 -g 25 -c:a aac b.mp4"
    ));
}

/// Renders `t.toml` with the cache; returns (segments reused, of, audio
/// reused) from the summary line.
fn cached(f: &Fixture, extra: &[&str]) -> (usize, usize, bool) {
    let mut args = vec!["render", "t.toml"];
    args.extend_from_slice(extra);
    let out = f.reel_ok_output(&args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let tail = err
        .split("cache: reused ")
        .nth(1)
        .unwrap_or_else(|| panic!("no cache summary in: {err}"));
    let words: Vec<&str> = tail.split_whitespace().collect();
    // "<n> of <m> segments, audio reused|rendered"
    (
        words[0].parse().unwrap(),
        words[2].parse().unwrap(),
        words[5] == "reused",
    )
}

/// A cold render of `t.toml` without the cache, for comparison.
fn cold(f: &Fixture) -> Vec<u8> {
    f.reel_ok(&[
        "render",
        "--quiet",
        "--no-cache",
        "-o",
        "cold.mp4",
        "t.toml",
    ]);
    std::fs::read(f.path("cold.mp4")).unwrap()
}

fn assert_same_as_cold(f: &Fixture, what: &str) {
    let warm = std::fs::read(f.path("out.mp4")).unwrap();
    assert!(warm.len() > 10_000);
    assert!(
        warm == cold(f),
        "{what}: the cached render differs from a cold one"
    );
}

#[test]
fn each_kind_of_change_rerenders_only_what_it_touches() {
    let f = Fixture::new();
    sources(&f, "testsrc");
    let base = edl("5", "6.5", 20);
    f.write("t.toml", &base);
    assert_eq!(cached(&f, &[]), (0, 4, false), "cold");
    assert_same_as_cold(&f, "cold");

    // Nothing changed: everything reused, same bytes.
    let first = std::fs::read(f.path("out.mp4")).unwrap();
    assert_eq!(cached(&f, &[]), (4, 4, true), "no change");
    assert!(std::fs::read(f.path("out.mp4")).unwrap() == first);

    // Clip 3's in point (same length, nothing moves): its segment, and the
    // one before, which ends with clip 3's frames up to its first source
    // keyframe (segments are cut just after keyframes).
    f.write("t.toml", &edl("4.5", "6.5", 20));
    assert_eq!(cached(&f, &[]), (2, 4, false), "clip in");
    assert_same_as_cold(&f, "clip in");

    // Clip 3's out point (shorter): clip 4 moves but is still found.
    f.write("t.toml", &edl("4.5", "6", 20));
    assert_eq!(cached(&f, &[]), (3, 4, false), "clip out");
    assert_same_as_cold(&f, "clip out");

    // A crossfade from clip 1 into clip 2: the segments showing it.
    let xfade = edl("4.5", "6", 20).replace(
        "duration = 6.5\n[[clip]]\nsource = \"b.mp4\"\nin = 0\n",
        "duration = 6.5\ntransition = { kind = \"crossfade\", duration = 0.4 }\n\
         [[clip]]\nsource = \"b.mp4\"\nin = 0\n",
    );
    assert!(xfade.contains("crossfade"));
    f.write("t.toml", &xfade);
    // The crossfade lies in the first segment (clip 1 and clip 2 up to its
    // first keyframe): that one only.
    assert_eq!(cached(&f, &[]), (3, 4, false), "transition");
    assert_same_as_cold(&f, "transition");

    // An encoder setting: nothing reused.
    f.write("t.toml", &xfade.replace("crf = 20", "crf = 30"));
    assert_eq!(cached(&f, &[]), (0, 4, true), "crf");
    assert_same_as_cold(&f, "crf");

    // Source content: b.mp4 rewritten with other pictures; clips 2 and 4.
    f.write("t.toml", &base);
    assert_eq!(
        cached(&f, &[]),
        (4, 4, true),
        "back to the first EDL: its entries are all still there"
    );
    // Source content: clip 4 from c.mp4, which is then rewritten with other
    // pictures. Segments 3 (which ends with clip 4's first frames) and 4.
    let make_c = |pattern: &str| {
        f.ffmpeg(&format!(
            "-f lavfi -i {pattern}=s=96x54:r=25:d=12 -f lavfi -i sine=f=500:d=12 \
             -c:v libx264 -g 25 -c:a aac c.mp4"
        ))
    };
    make_c("testsrc");
    let with_c = |text: &str| {
        let at = text.rfind("b.mp4").unwrap();
        format!("{}c.mp4{}", &text[..at], &text[at + 5..])
    };
    f.write("t.toml", &with_c(&base));
    assert_eq!(cached(&f, &[]).0, 2);
    make_c("rgbtestsrc");
    assert_eq!(cached(&f, &[]), (2, 4, false), "c.mp4 edited");
    assert_same_as_cold(&f, "source content");

    // A renamed source is the same content: reused.
    std::fs::rename(f.path("b.mp4"), f.path("renamed.mp4")).unwrap();
    f.write("t.toml", &base.replace("b.mp4", "renamed.mp4"));
    assert_eq!(cached(&f, &[]), (4, 4, true), "renamed source");
}

#[test]
fn time_and_motion_keys_rerender_their_clips_segments_only() {
    let f = Fixture::new();
    sources(&f, "testsrc");
    let base = edl("0.5", "6.5", 20);
    f.write("t.toml", &base);
    assert_eq!(cached(&f, &[]), (0, 4, false), "cold");
    let clip3 = "in = 0.5\nduration = 6.5\n";
    assert_eq!(base.matches(clip3).count(), 1);
    // Each key on clip 3 changes the segment that ends with its first
    // frames and the one holding the rest; clips 1 and 4 are reused.
    for (key, audio) in [
        ("speed = 1.5", false),
        ("reverse = true", false),
        ("freeze = { at = 1, duration = 0.5 }", false),
        ("motion = { to = [0.25, 0.25, 0.5, 0.5] }", true),
        ("audio_speed = \"resample\"", true),
    ] {
        f.write("t.toml", &base.replace(clip3, &format!("{clip3}{key}\n")));
        let (reused, of, audio_reused) = cached(&f, &[]);
        // A new speed or direction also moves clip 3's keyframes on the
        // timeline, and with them its segment cuts.
        let recut = key.starts_with("speed") || key.starts_with("reverse");
        if !recut {
            assert_eq!(of, 4, "{key}");
        }
        // A hold lengthens clip 3 and moves clip 4: its segment is found
        // all the same. The speed of sound alone touches no picture.
        // When the cuts move, clip 1's segment is still reused.
        match key {
            k if k.starts_with("audio_speed") => assert_eq!(reused, 4, "{key}"),
            _ if recut => assert!((1..of).contains(&reused), "{key}: {reused}"),
            _ => assert_eq!(reused, 2, "{key}"),
        }
        assert_eq!(audio_reused, audio, "{key}: audio");
        assert_same_as_cold(&f, key);
    }
}

fn entries(dir: &Path, kind: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join(kind))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn damaged_entries_are_rendered_again_never_joined() {
    let f = Fixture::new();
    sources(&f, "testsrc");
    f.write("t.toml", &edl("5", "6.5", 20));
    cached(&f, &[]);
    let cache = f.path(".reel-cache");
    let segs = entries(&cache, "segments");
    assert_eq!(segs.len(), 4);
    // One cut short (as by a crash before the data reached the disk), one
    // with a flipped byte, the audio's entries (encoded chunks and their
    // measurements) truncated to nothing.
    let bytes = std::fs::read(&segs[0]).unwrap();
    std::fs::write(&segs[0], &bytes[..bytes.len() / 2]).unwrap();
    let mut bytes = std::fs::read(&segs[1]).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x40;
    std::fs::write(&segs[1], &bytes).unwrap();
    let audio = entries(&cache, "audio");
    assert!(!audio.is_empty());
    for a in &audio {
        std::fs::write(a, b"").unwrap();
    }
    assert_eq!(cached(&f, &[]), (2, 4, false));
    assert_same_as_cold(&f, "after damage");
    assert_eq!(
        entries(&cache, "segments").len(),
        4,
        "re-rendered entries stored"
    );
}

#[test]
fn an_entry_torn_by_a_killed_render_is_never_used() {
    let f = Fixture::new();
    // Longer, larger clips so that the render is still writing when killed.
    f.slow_render_edl();
    let tmp = f.path(".reel-cache/tmp");
    // Kill it as soon as a segment is being written into the cache.
    let (mut child, torn) = f.start_until_writing(&["render", "--quiet", "--jobs", "1", "t.toml"]);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(torn.exists(), "the killed render left its partial entry");
    assert!(!f.path("out.mp4").exists(), "no partial output");
    assert!(
        entries(&f.path(".reel-cache"), "segments").is_empty(),
        "nothing torn reached the entries"
    );
    // The next render cleans up after the dead one and renders everything.
    assert_eq!(cached(&f, &[]).0, 0);
    assert!(!tmp.join(torn.file_name().unwrap()).exists());
    assert!(entries(&f.path(".reel-cache"), "tmp").is_empty());
    assert_same_as_cold(&f, "after a killed render");
}

fn dir_size(dir: &Path) -> u64 {
    ["segments", "audio", "proxies"]
        .iter()
        .flat_map(|k| entries(dir, k))
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum()
}

#[test]
fn the_cache_keeps_to_its_size_by_dropping_the_least_recently_used() {
    let f = Fixture::new();
    sources(&f, "testsrc");
    f.write("a.toml", &edl("5", "6.5", 20));
    f.write("b.toml", &edl("5", "6.5", 24));
    let cache = f.path(".reel-cache");
    let render = |edl: &str, extra: &[&str]| {
        std::fs::copy(f.path(edl), f.path("t.toml")).unwrap();
        cached(&f, extra)
    };
    render("a.toml", &[]);
    // The audio is the same for both EDLs (only crf differs): count a's
    // segments alone.
    let a_size: u64 = entries(&cache, "segments")
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    std::thread::sleep(std::time::Duration::from_millis(50));
    render("b.toml", &[]);
    let total = dir_size(&cache);
    assert!(total > a_size);
    let max = (total - a_size / 2).to_string();
    std::thread::sleep(std::time::Duration::from_millis(50));
    assert_eq!(render("b.toml", &["--cache-max", &max]), (4, 4, true));
    assert!(dir_size(&cache) <= total - a_size / 2);
    // b's entries were used last and survive; a's went first.
    assert_eq!(render("b.toml", &[]), (4, 4, true));
    let (reused, _, _) = render("a.toml", &[]);
    assert!(reused < 4, "a's entries were evicted ({reused} reused)");
}

#[test]
fn cache_stats_and_clear() {
    let f = Fixture::new();
    sources(&f, "testsrc");
    f.write("t.toml", &edl("5", "6.5", 20));
    let dir = f.path("elsewhere");
    let d = dir.to_str().unwrap();
    cached(&f, &["--cache", d]);
    assert!(!f.path(".reel-cache").exists(), "--cache is used instead");
    let out = f.reel_ok_output(&["cache", "stats", "--cache", d]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = |name: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("no {name} line in {text}"))
            .split_whitespace()
            .nth(1)
            .unwrap()
            .to_string()
    };
    assert_eq!(line("segments"), "4", "{text}");
    // The audio is kept in chunks of about 10 s: three for the 26 s
    // timeline (no loudness target to measure for, no voiceover to duck
    // under), each encoded and measured as heard.
    assert_eq!(line("audio"), "6", "{text}");
    let out = f.reel_ok_output(&["cache", "clear", "--cache", d]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("4 segments"));
    assert_eq!(dir_size(&dir), 0);
    // REEL_CACHE names the cache too.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_reel"))
        .args(["render", "t.toml"])
        .env("REEL_CACHE", &dir)
        .current_dir(f.dir.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("reused 0 of 4"));
    assert_eq!(entries(&dir, "segments").len(), 4);
    let out = f.reel(&["cache", "stats", "--cache-max", "lots"]);
    assert_eq!(out.status.code(), Some(2));
}
