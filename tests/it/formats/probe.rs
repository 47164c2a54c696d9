//! `reel check` shows what it probed of each source (container, codec,
//! size, rate, pixel format, alpha, colour, audio streams, timecode) and
//! warns about what the render leaves out.

use crate::common::*;

/// `reel check` of one 0.2 s clip of each of `sources`, at 160x90 25 fps:
/// what it printed.
fn check(f: &Fixture, sources: &[&str]) -> String {
    let clips: String = sources
        .iter()
        .map(|s| format!("[[clip]]\nsource = \"{s}\"\nduration = 0.2\n"))
        .collect();
    f.write(
        "t.toml",
        &format!("[output]\nwidth = 160\nheight = 90\nfps = 25\n{clips}"),
    );
    f.reel_ok(&["check", "t.toml"])
}

/// The lines `reel check` printed about `source`, indentation removed:
/// from its heading in `sources` to the next source's.
fn source_block(printed: &str, source: &str) -> Vec<String> {
    let mut lines = printed
        .lines()
        .skip_while(|l| *l != "sources")
        .skip_while(|l| !l.starts_with(&format!("  {source} (clip")));
    let heading = lines
        .next()
        .unwrap_or_else(|| panic!("no {source}:\n{printed}"));
    let mut out = vec![heading.trim().to_string()];
    out.extend(
        lines
            .take_while(|l| l.starts_with("    "))
            .map(|l| l.trim().to_string()),
    );
    out
}

#[test]
fn check_prints_a_prores_4444_with_alpha_and_each_source_once() {
    let f = Fixture::new();
    f.ffmpeg(
        "-f lavfi -i testsrc2=s=160x90:r=25:d=0.4,format=yuva444p10le \
         -c:v prores_ks -profile:v 4444 alpha.mov",
    );
    f.ffmpeg("-f lavfi -i testsrc2=s=160x90:r=30000/1001:d=0.4 -c:v libx264 plain.mp4");
    let printed = check(&f, &["alpha.mov", "plain.mp4", "alpha.mov"]);
    let alpha = source_block(&printed, "alpha.mov");
    assert_eq!(alpha[0], "alpha.mov (clip 1, 3)", "{printed}");
    assert_eq!(alpha[1], "container: mov,mp4,m4a,3gp,3g2,mj2");
    assert_eq!(
        alpha[2],
        "video: prores (4444), 160x90, 25/1 fps (25.000), yuva444p12le, 12-bit, alpha"
    );
    assert!(alpha[3].starts_with("colour: "), "{printed}");
    assert_eq!(alpha[4..], ["audio: none", "timecode: none",]);
    let plain = source_block(&printed, "plain.mp4");
    assert_eq!(
        plain[2],
        "video: h264 (High), 160x90, 30000/1001 fps (29.970), yuv420p, 8-bit, no alpha"
    );
    assert!(
        !plain.iter().any(|l| l.contains("warning")),
        "a warning for a plain H.264 file:\n{printed}"
    );
    // Each source once.
    assert_eq!(printed.matches("  alpha.mov (clip").count(), 1, "{printed}");
}

#[test]
fn check_lists_every_audio_stream_and_says_which_is_used() {
    let f = Fixture::new();
    f.ffmpeg(
        "-f lavfi -i testsrc2=s=160x90:r=25:d=0.4 -f lavfi -i sine=f=440:d=0.4:r=48000 \
         -f lavfi -i sine=f=880:d=0.4:r=44100 -map 0 -map 1 -map 2 -c:v libx264 \
         -c:a:0 pcm_s24le -ac:a:0 2 -c:a:1 aac -ac:a:1 1 two.mov",
    );
    let printed = check(&f, &["two.mov"]);
    let block = source_block(&printed, "two.mov");
    assert_eq!(
        block[4..],
        [
            "audio 1 of 2: pcm_s24le, 48000 Hz, stereo, used",
            "audio 2 of 2: aac (LC), 44100 Hz, mono",
            "timecode: none",
            "warning: uses audio stream 1 of 2; choose with audio_streams",
        ],
        "{printed}"
    );
}

#[test]
fn check_prints_a_sources_timecode_and_the_streams_it_ignores() {
    let f = Fixture::new();
    // A timecode track (tmcd), which is read, not ignored.
    f.ffmpeg("-f lavfi -i testsrc2=s=160x90:r=25:d=0.4 -c:v libx264 -timecode 01:00:00:00 tc.mov");
    // A second video stream and a subtitle track in Matroska.
    f.write("s.srt", "1\n00:00:00,000 --> 00:00:00,300\nhello\n");
    f.ffmpeg(
        "-f lavfi -i testsrc2=s=160x90:r=25:d=0.4 -f lavfi -i testsrc=s=80x60:r=25:d=0.4 \
         -i s.srt -map 0 -map 1 -map 2 -c:v libx264 -c:s srt many.mkv",
    );
    let printed = check(&f, &["tc.mov", "many.mkv"]);
    let tc = source_block(&printed, "tc.mov");
    assert_eq!(
        tc[4..],
        ["audio: none", "timecode: 01:00:00:00"],
        "{printed}"
    );
    let many = source_block(&printed, "many.mkv");
    assert_eq!(many[1], "container: matroska,webm");
    assert_eq!(
        many[4..],
        [
            "audio: none",
            "timecode: none",
            "warning: 1 more video stream ignored (uses stream 0)",
            "warning: subtitle stream 2 subrip ignored",
        ],
        "{printed}"
    );
}
