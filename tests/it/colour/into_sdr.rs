//! HDR sources into SDR outputs (tone mapped from their peak, against the
//! FFmpeg CLI's chain), and wide-gamut SDR into BT.709.

use super::*;

#[test]
fn hlg_bars_into_sdr_keep_hue_chroma_white_and_distinct_highlights() {
    let f = Fixture::new();
    hdr_bars(&f, "hlg.mkv", Hdr::Hlg, [HLG_2X, HLG_4X, HLG_PEAK], "");
    f.write("t.toml", &sdr_edl("hlg.mkv", ""));
    render(&f, "t.toml", &[]);
    let out = yuv_frames(&f.path("out.mp4"), 640, 360, 8);
    assert_eq!(out.len(), 5);
    assert_bars_look_like_the_sdr_original(&out[2], "HLG into SDR");
    assert_highlights_distinct(&out[2], "HLG into SDR (mobius)");
    // The whole picture against the CLI's chain with the default tone curve
    // (mobius, 0.6) from HLG's 1000 cd/m² peak. 40 dB: reel's zscale may
    // resample chroma with another kernel than the CLI's default bilinear
    // (46 dB measured with bicubic).
    cli_render(
        &f,
        "hlg.mkv",
        &sdr_oracle(Hdr::Hlg, "mobius:param=0.6", 1000.0),
        "oracle.mkv",
    );
    let db = psnr(&f, "out.mp4", "oracle.mkv");
    assert!(db >= 40.0, "PSNR against the CLI chain: {db:.1} dB");
}

#[test]
fn hlg_highlights_into_sdr_flatten_at_white_with_tone_map_clip() {
    let f = Fixture::new();
    hdr_bars(&f, "hlg.mkv", Hdr::Hlg, [HLG_2X, HLG_4X, HLG_PEAK], "");
    f.write(
        "t.toml",
        &sdr_edl("hlg.mkv", "[output.color]\ntone_map = \"clip\""),
    );
    render(&f, "t.toml", &[]);
    let out = yuv_frames(&f.path("out.mp4"), 640, 360, 8);
    // clip is the identity up to reference white: the bars are untouched.
    assert_bars_look_like_the_sdr_original(&out[2], "HLG into SDR (clip)");
    let white = out[2].patch(WHITE)[0];
    let h = highlights(&out[2]);
    // Reference white and everything above it clip to 235 (1 code).
    for v in h.iter().chain([&white]) {
        assert!(
            (v - 235.0).abs() <= 1.0,
            "white {white:.1} and highlights {h:?} should all be 235"
        );
    }
    cli_render(
        &f,
        "hlg.mkv",
        &sdr_oracle(Hdr::Hlg, "clip", 1000.0),
        "oracle.mkv",
    );
    let db = psnr(&f, "out.mp4", "oracle.mkv");
    // 40 dB, as for mobius.
    assert!(db >= 40.0, "PSNR against the CLI chain: {db:.1} dB");
}

#[test]
fn pq_bars_with_max_cll_1000_into_sdr_keep_hue_chroma_white_and_distinct_highlights() {
    let f = Fixture::new();
    let hdr10 = master_display(1000) + ":max-cll=1000,400";
    hdr_bars(&f, "pq.mkv", Hdr::Pq, [PQ_2X, PQ_4X, PQ_8X], &hdr10);
    f.write("t.toml", &sdr_edl("pq.mkv", ""));
    render(&f, "t.toml", &[]);
    let out = yuv_frames(&f.path("out.mp4"), 640, 360, 8);
    assert_bars_look_like_the_sdr_original(&out[2], "PQ into SDR");
    assert_highlights_distinct(&out[2], "PQ into SDR (mobius)");
    cli_render(
        &f,
        "pq.mkv",
        &sdr_oracle(Hdr::Pq, "mobius:param=0.6", 1000.0),
        "oracle.mkv",
    );
    let db = psnr(&f, "out.mp4", "oracle.mkv");
    // 40 dB, as for HLG.
    assert!(db >= 40.0, "PSNR against the CLI chain: {db:.1} dB");
}

/// Renders PQ `source` into SDR with `hable` (whose curve runs up to the
/// peak, so reference white shows which peak was taken) and asserts it
/// matches the CLI chain with `peak` cd/m², where the chains from the
/// `wrong` peaks put white elsewhere.
#[track_caller]
fn assert_tone_mapped_from(f: &Fixture, source: &str, peak: f64, wrong: &[f64]) {
    f.write(
        "hable.toml",
        &sdr_edl(source, "[output.color]\ntone_map = \"hable\"").replace("out.mp4", "hable.mp4"),
    );
    render(f, "hable.toml", &[]);
    cli_render(f, source, &sdr_oracle(Hdr::Pq, "hable", peak), "right.mkv");
    let white = |file: &str| yuv_frames(&f.path(file), 640, 360, 8)[2].patch(WHITE)[0];
    let (got, want) = (white("hable.mp4"), white("right.mkv"));
    for w in wrong {
        cli_render(f, source, &sdr_oracle(Hdr::Pq, "hable", *w), "wrong.mkv");
        // The readings must differ for the test to mean anything: hable
        // puts reference white 164 from 1000 cd/m², 144 from 4000.
        let other = white("wrong.mkv");
        assert!(
            (other - want).abs() >= 4.0,
            "white from {peak} cd/m² is {want:.1}, from {w} cd/m² {other:.1}: too close to tell"
        );
        // 1 code.
        assert!(
            (got - want).abs() <= 1.0,
            "{source}: white {got:.1}; the chain from {peak} cd/m² gives {want:.1}, from {w} {other:.1}"
        );
    }
    // The whole picture: 40 dB (the chroma kernel, as elsewhere).
    let db = psnr(f, "hable.mp4", "right.mkv");
    assert!(
        db >= 40.0,
        "{source}: {db:.1} dB against the chain from {peak} cd/m²"
    );
}

#[test]
fn pq_without_hdr10_metadata_is_tone_mapped_from_1000_nits() {
    let f = Fixture::new();
    hdr_bars(&f, "pq.mkv", Hdr::Pq, [PQ_2X, PQ_4X, PQ_8X], "");
    f.write("t.toml", &sdr_edl("pq.mkv", ""));
    render(&f, "t.toml", &[]);
    let out = yuv_frames(&f.path("out.mp4"), 640, 360, 8);
    assert_bars_look_like_the_sdr_original(&out[2], "PQ (no metadata) into SDR");
    assert_tone_mapped_from(&f, "pq.mkv", 1000.0, &[4000.0]);
}

#[test]
fn pq_mastered_at_4000_nits_without_max_cll_is_tone_mapped_from_4000() {
    let f = Fixture::new();
    // HDR10 in the HEVC stream (SEI), as x265 writes it: a 4000 cd/m²
    // mastering display and no content light level (x265 writes 0, which
    // CTA-861.3 reads as unknown).
    hdr_bars(
        &f,
        "pq.mkv",
        Hdr::Pq,
        [PQ_2X, PQ_4X, PQ_8X],
        &master_display(4000),
    );
    let frame = first_frame_text(&f.path("pq.mkv"));
    let max = value_after(&frame, "Mastering display metadata", "max_luminance");
    let cll = value_after(&frame, "Content light level metadata", "max_content");
    assert_eq!(
        (
            max.as_deref().map(number),
            cll.as_deref().map(number).unwrap_or(0.0)
        ),
        (Some(4000.0), 0.0),
        "{frame}"
    );
    assert_tone_mapped_from(&f, "pq.mkv", 4000.0, &[1000.0]);
    // The default curve keeps 2x, 4x and 8x reference white apart.
    f.write("t.toml", &sdr_edl("pq.mkv", ""));
    render(&f, "t.toml", &[]);
    let out = yuv_frames(&f.path("out.mp4"), 640, 360, 8);
    assert_bars_look_like_the_sdr_original(&out[2], "PQ 4000 into SDR");
    assert_highlights_distinct(&out[2], "PQ 4000 into SDR (mobius)");
}

#[test]
fn pq_max_cll_sets_the_peak_over_the_mastering_display() {
    let f = Fixture::new();
    let hdr10 = master_display(4000) + ":max-cll=2000,400";
    hdr_bars(&f, "pq.mkv", Hdr::Pq, [PQ_2X, PQ_4X, PQ_2000], &hdr10);
    // Content up to 2000 cd/m² on a 4000 cd/m² display: MaxCLL is the
    // peak, neither the display's nor the 1000 cd/m² assumed without
    // metadata.
    assert_tone_mapped_from(&f, "pq.mkv", 2000.0, &[4000.0, 1000.0]);
}

#[test]
fn pq_whose_mp4_mdcv_box_says_4000_nits_is_tone_mapped_from_4000() {
    let f = Fixture::new();
    // HDR10 in the container only: an `mdcv` box in the sample entry.
    hdr_bars(&f, "plain.mp4", Hdr::Pq, [PQ_2X, PQ_4X, PQ_8X], "");
    add_to_sample_entry(&f, "plain.mp4", "pq.mp4", &mdcv(4000));
    let stream = stream_text(&f.path("pq.mp4"));
    let max = value_after(&stream, "Mastering display metadata", "max_luminance");
    assert_eq!(max.as_deref().map(number), Some(4000.0), "{stream}");
    assert_tone_mapped_from(&f, "pq.mp4", 4000.0, &[1000.0]);
}

#[test]
fn a_clip_color_override_reads_an_untagged_hlg_clip_as_hlg() {
    let f = Fixture::new();
    // HLG pictures whose tags were lost (as a re-export may lose them).
    hdr_bars(&f, "tagged.mkv", Hdr::Hlg, [HLG_2X, HLG_4X, HLG_PEAK], "");
    f.ffmpeg(
        "-i tagged.mkv -c copy -bsf:v hevc_metadata=colour_primaries=2:transfer_characteristics=2:matrix_coefficients=2 \
         -color_primaries unknown -color_trc unknown -colorspace unknown untagged.mkv",
    );
    assert_eq!(stream_tags(&f.path("untagged.mkv")).0, "unknown");
    cli_render(
        &f,
        "tagged.mkv",
        &sdr_oracle(Hdr::Hlg, "mobius:param=0.6", 1000.0),
        "oracle.mkv",
    );
    // Read as it says (untagged: BT.709 SDR), it is far from the HLG
    // rendering: the override is what makes the difference.
    f.write(
        "plain.toml",
        &sdr_edl("untagged.mkv", "").replace("out.mp4", "plain.mp4"),
    );
    render(&f, "plain.toml", &[]);
    let db = psnr(&f, "plain.mp4", "oracle.mkv");
    assert!(db < 30.0, "the untagged clip read as SDR scores {db:.1} dB");
    f.write(
        "t.toml",
        &(sdr_edl("untagged.mkv", "")
            + "color = { transfer = \"hlg\", primaries = \"bt2020\", matrix = \"bt2020nc\", range = \"limited\" }\n"),
    );
    render(&f, "t.toml", &[]);
    let out = yuv_frames(&f.path("out.mp4"), 640, 360, 8);
    assert_bars_look_like_the_sdr_original(&out[2], "untagged HLG with color = {...}");
    // 40 dB, as for the tagged clip.
    let db = psnr(&f, "out.mp4", "oracle.mkv");
    assert!(
        db >= 40.0,
        "PSNR against the CLI chain of the tagged clip: {db:.1} dB"
    );
}

// ---------------------------------------------------------------------------
// Wide-gamut SDR
// ---------------------------------------------------------------------------

#[test]
fn wide_gamut_sdr_clip_matches_its_bt709_original() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i smptehdbars=s=640x360:r=25 -frames:v 5 -pix_fmt yuv420p -c:v ffv1 original.mkv");
    // The same bars in BT.2020 primaries with the SDR (BT.709) curve, 10 bits.
    ffmpeg_argv(
        &f,
        &[
            "-f",
            "lavfi",
            "-i",
            "smptehdbars=s=640x360:r=25",
            "-frames:v",
            "5",
            "-vf",
            "zscale=tin=bt709:pin=bt709:min=bt709:rin=tv:t=bt709:p=bt2020:m=bt2020nc:r=tv,format=yuv420p10le",
            "-c:v",
            "libx265",
            "-preset",
            "ultrafast",
            "-x265-params",
            "lossless=1:log-level=error",
            "-color_primaries",
            "bt2020",
            "-color_trc",
            "bt709",
            "-colorspace",
            "bt2020nc",
            "-color_range",
            "tv",
            "wide.mkv",
        ],
    );
    f.write("t.toml", &sdr_edl("wide.mkv", ""));
    render(&f, "t.toml", &[]);
    // 35 dB: zimg's 4:2:0 -> 4:4:4 -> 4:2:0 chroma resampling on the way
    // there and back costs about 36 dB on these sharp-edged bars (the
    // primaries conversion itself is near lossless in 4:4:4).
    let db = psnr(&f, "out.mp4", "original.mkv");
    assert!(db >= 35.0, "PSNR against the BT.709 original: {db:.1} dB");
    // zscale's own primaries conversion, 40 dB (the chroma kernel).
    cli_render(
        &f,
        "wide.mkv",
        "zscale=p=bt709:m=bt709:t=bt709:r=tv,format=yuv420p",
        "oracle.mkv",
    );
    let db = psnr(&f, "out.mp4", "oracle.mkv");
    assert!(db >= 40.0, "PSNR against the CLI zscale: {db:.1} dB");
    // Converting only the matrix (the gamut taken as BT.709) is far off:
    // what a render that ignored the primaries would show.
    cli_render(
        &f,
        "wide.mkv",
        "scale=in_color_matrix=bt2020:out_color_matrix=bt709,format=yuv420p",
        "matrix_only.mkv",
    );
    let naive = psnr(&f, "matrix_only.mkv", "original.mkv");
    assert!(
        naive < 30.0,
        "a matrix-only conversion scores {naive:.1} dB"
    );
}
