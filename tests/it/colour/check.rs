//! What `reel check` says of colour, and bad colour keys.

use super::*;

/// A 3-frame 128x72 HLG clip `name` (x265, tagged).
fn small_hlg(f: &Fixture, name: &str) {
    f.ffmpeg(&format!(
        "-f lavfi -i smptehdbars=s=128x72:r=25 -frames:v 3 -pix_fmt yuv420p10le \
         -c:v libx265 -preset ultrafast -x265-params log-level=error \
         -color_primaries bt2020 -color_trc arib-std-b67 -colorspace bt2020nc -color_range tv {name}"
    ));
}

/// `reel check` of clips `sources` (0.1 s each) into `space`: what it
/// printed.
fn check_colour(f: &Fixture, sources: &[&str], space: &str) -> String {
    let clips: String = sources
        .iter()
        .map(|s| format!("[[clip]]\nsource = \"{s}\"\nduration = 0.1\n"))
        .collect();
    // Encoders that print nothing of their own (x265 logs "warning"s).
    let video = if space == "sdr" {
        "path = \"out.mp4\"\n[output.video]\ncodec = \"libx264\"\npix_fmt = \"yuv420p\""
    } else {
        "path = \"out.mov\"\n[output.video]\ncodec = \"prores_ks\"\npix_fmt = \"yuv422p10le\""
    };
    f.write(
        "t.toml",
        &format!(
            "[output]\nwidth = 128\nheight = 72\nfps = 25\n{video}\n\
             [output.color]\nspace = \"{space}\"\n{clips}"
        ),
    );
    f.reel_ok(&["check", "t.toml"]).to_lowercase()
}

#[test]
fn check_prints_each_sources_colour_and_what_was_guessed() {
    let f = Fixture::new();
    small_hlg(&f, "phone.mkv");
    // No colour tags at all.
    f.ffmpeg("-f lavfi -i testsrc2=s=128x72:r=25:d=0.2 -c:v libx264 plain.mp4");
    assert_eq!(stream_tags(&f.path("plain.mp4")).0, "unknown");
    let tagged = check_colour(&f, &["phone.mkv"], "hlg");
    assert!(
        tagged.contains("hlg") && tagged.contains("bt2020"),
        "no transfer or primaries for the HLG clip:\n{tagged}"
    );
    assert!(
        !tagged.contains("guess"),
        "nothing of the HLG clip is guessed:\n{tagged}"
    );
    let both = check_colour(&f, &["phone.mkv", "plain.mp4"], "hlg");
    assert!(
        both.contains("guess"),
        "the untagged clip's colour is not marked guessed:\n{both}"
    );
}

#[test]
fn check_warns_when_a_source_is_brighter_than_the_output() {
    let f = Fixture::new();
    small_hlg(&f, "phone.mkv");
    // HLG (1000 cd/m²) into SDR is tone mapped: a warning.
    let sdr = check_colour(&f, &["phone.mkv"], "sdr");
    assert!(
        sdr.contains("warning"),
        "no warning for HLG into SDR:\n{sdr}"
    );
    // Into HLG it fits: none.
    let hlg = check_colour(&f, &["phone.mkv"], "hlg");
    assert!(
        !hlg.contains("warning"),
        "a warning for HLG into HLG:\n{hlg}"
    );
}

// ---------------------------------------------------------------------------
// Bad keys
// ---------------------------------------------------------------------------

/// `reel check` of `[output.color]` `colour` and a clip with `clip_extra`:
/// exit code and what it printed.
fn check_bad(colour: &str, clip_extra: &str) -> (i32, String) {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=64x64:r=25:d=0.5 -c:v libx264 a.mp4");
    f.write(
        "t.toml",
        &format!(
            "{OUTPUT}\n[output.color]\n{colour}\n[[clip]]\nsource = \"a.mp4\"\n{clip_extra}\n"
        ),
    );
    let out = f.reel(&["check", "t.toml"]);
    let text = printed(&out);
    assert!(!text.contains("panicked"), "{text}");
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn an_unknown_output_space_is_an_error_at_its_line_listing_the_spaces() {
    // OUTPUT is 5 lines, `[output.color]` the 6th: `space` is line 7.
    let (code, text) = check_bad("space = \"hdr\"", "");
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("t.toml:7:"), "{text}");
    assert!(
        text.contains("\"hdr\"")
            && text.contains("sdr")
            && text.contains("pq")
            && text.contains("hlg"),
        "{text}"
    );
}

#[test]
fn an_unknown_tone_map_is_an_error_at_its_line() {
    let (code, text) = check_bad("tone_map = \"aces\"", "");
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("t.toml:7:") && text.contains("\"aces\""),
        "{text}"
    );
    assert!(text.contains("mobius") && text.contains("hable"), "{text}");
}

#[test]
fn an_unknown_clip_transfer_is_an_error_naming_the_clip() {
    // The clip's `color` is line 10.
    let (code, text) = check_bad("space = \"sdr\"", "color = { transfer = \"log\" }");
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("t.toml:10:") && text.contains("clip 1"),
        "{text}"
    );
    assert!(
        text.contains("\"log\"") && text.contains("transfer"),
        "{text}"
    );
}
