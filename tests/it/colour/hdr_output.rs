//! PQ and HLG outputs: where SDR white lands, HDR10 metadata, MaxCLL.

use super::*;

/// The PQ (SMPTE ST 2084) EOTF: cd/m² of a signal 0..1.
fn pq_eotf(e: f64) -> f64 {
    let (m1, m2) = (2610.0 / 16384.0, 2523.0 / 4096.0 * 128.0);
    let (c1, c2, c3) = (
        3424.0 / 4096.0,
        2413.0 / 4096.0 * 32.0,
        2392.0 / 4096.0 * 32.0,
    );
    let p = e.clamp(0.0, 1.0).powf(1.0 / m2);
    10_000.0 * ((p - c1).max(0.0) / (c2 - c3 * p)).powf(1.0 / m1)
}

/// MaxCLL and MaxFALL (CTA-861.3), cd/m², of decoded 10-bit PQ BT.2020
/// pictures of width `w`: per pixel the brightest of R, G and B (BT.2020
/// non-constant-luminance inverse matrix, limited range, each chroma
/// sample shared by its 2x2 luma) through the PQ EOTF; MaxCLL is the
/// brightest pixel, MaxFALL the brightest frame average.
fn content_light(frames: &[Yuv], w: usize) -> (f64, f64) {
    let (kr, kb) = (0.2627, 0.0593);
    let kg = 1.0 - kr - kb;
    let (mut cll, mut fall) = (0.0f64, 0.0f64);
    for fr in frames {
        let mut sum = 0.0;
        for (i, &y) in fr.y.iter().enumerate() {
            let (x, row) = (i % w, i / w);
            let c = (row / 2) * (w / 2) + x / 2;
            let yy = (y as f64 - 64.0) / 876.0;
            let cb = (fr.u[c] as f64 - 512.0) / 896.0;
            let cr = (fr.v[c] as f64 - 512.0) / 896.0;
            let r = yy + 2.0 * (1.0 - kr) * cr;
            let b = yy + 2.0 * (1.0 - kb) * cb;
            let g = (yy - kr * r - kb * b) / kg;
            let nits = pq_eotf(r.max(g).max(b));
            cll = cll.max(nits);
            sum += nits;
        }
        fall = fall.max(sum / fr.y.len() as f64);
    }
    (cll, fall)
}

/// `[output]` of a 640x360 HDR render to `path` through x265 (4:2:0,
/// 10 bits) into `space`. An EDL fragment.
fn hdr_output(path: &str, space: &str) -> String {
    edl!(
        r#"
        [output]
        path = "{path}"
        width = 640
        height = 360
        fps = 25
        [output.video]
        codec = "libx265"
        pix_fmt = "yuv420p10le"
        crf = 8
        preset = "ultrafast"
        [output.color]
        space = "{space}""#
    )
}

/// An SDR bars clip, then HLG bars with highlights at 2x, 4x reference
/// white and 1000 cd/m², rendered into PQ as `out.{ext}`; asserts the
/// tags, the HDR10 metadata and where the pictures land.
fn assert_pq_montage(ext: &str) {
    let f = Fixture::new();
    sdr_bars_source(&f, "sdr.mp4");
    hdr_bars(&f, "hlg.mkv", Hdr::Hlg, [HLG_2X, HLG_4X, HLG_PEAK], "");
    let name = format!("out.{ext}");
    f.write(
        "t.toml",
        &edl!(
            r#"
            {output}
            [[clip]]
            source = "sdr.mp4"
            duration = 0.2
            [[clip]]
            source = "hlg.mkv"
            duration = 0.2
            "#,
            output = hdr_output(&name, "pq"),
        ),
    );
    render(&f, "t.toml", &[]);
    let file = f.path(&name);
    assert_eq!(
        stream_tags(&file),
        ("smpte2084".into(), "bt2020".into(), "bt2020nc".into())
    );
    let frames = yuv_frames(&file, 640, 360, 10);
    assert_eq!(frames.len(), 10);
    // SDR white and HLG reference white both at PQ reference white
    // (203 cd/m²), the HLG 1000 cd/m² patch at 1000 cd/m²; 3 codes.
    for (what, got, want) in [
        ("SDR white", frames[2].patch(WHITE)[0], PQ_WHITE),
        ("HLG white", frames[7].patch(WHITE)[0], PQ_WHITE),
        (
            "HLG 1000 cd/m²",
            frames[7].patch(PATCHES[2])[0],
            PQ_1000 as f64,
        ),
    ] {
        assert!(
            (got - want).abs() <= 3.0,
            "{what}: PQ code {got:.1}, expected {want}"
        );
    }
    // HDR10 metadata in the container (stream side data) and in the stream
    // (the first frame's, from the SEI).
    let stream = stream_text(&file);
    let mastering = value_after(&stream, "Mastering display metadata", "max_luminance");
    assert_eq!(
        mastering.as_deref().map(number),
        Some(1000.0),
        "the container's mastering display (max_luminance 1000 by default): {stream}"
    );
    let frame = first_frame_text(&file);
    assert!(frame.contains("Mastering display metadata"), "{frame}");
    let max_content = value_after(&stream, "Content light level metadata", "max_content");
    let max_average = value_after(&stream, "Content light level metadata", "max_average");
    let (cll, fall) = content_light(&frames, 640);
    // The HLG 1000 cd/m² patch (with the encoder's ringing at its edges) is
    // the brightest pixel rendered.
    assert!(cll >= 900.0, "brightest pixel rendered: {cll:.0} cd/m²");
    let Some(max_content) = max_content.as_deref().map(number) else {
        panic!("no content light level in the container (measured MaxCLL {cll:.0}): {stream}");
    };
    // 2%: about two 10-bit PQ codes at 1000 cd/m².
    assert!(
        (max_content - cll).abs() <= 0.02 * cll,
        "MaxCLL {max_content}, brightest pixel measured {cll:.1} cd/m²"
    );
    // 5%: the frame average depends a little on how chroma is upsampled.
    let max_average = number(max_average.as_deref().unwrap_or("0"));
    assert!(
        (max_average - fall).abs() <= 0.05 * fall,
        "MaxFALL {max_average}, measured {fall:.1} cd/m²"
    );
}

#[test]
fn sdr_and_hlg_into_pq_mp4_carry_hdr10_metadata_with_measured_max_cll() {
    assert_pq_montage("mp4");
}

#[test]
fn sdr_and_hlg_into_pq_mkv_carry_hdr10_metadata_with_measured_max_cll() {
    assert_pq_montage("mkv");
}

#[test]
fn sdr_and_pq_into_hlg_put_white_at_75_percent() {
    let f = Fixture::new();
    sdr_bars_source(&f, "sdr.mp4");
    let hdr10 = master_display(1000) + ":max-cll=1000,400";
    hdr_bars(&f, "pq.mkv", Hdr::Pq, [PQ_2X, PQ_4X, PQ_1000], &hdr10);
    f.write(
        "t.toml",
        &edl!(
            r#"
            {output}
            [[clip]]
            source = "sdr.mp4"
            duration = 0.2
            [[clip]]
            source = "pq.mkv"
            duration = 0.2
            "#,
            output = hdr_output("out.mkv", "hlg"),
        ),
    );
    render(&f, "t.toml", &[]);
    let file = f.path("out.mkv");
    assert_eq!(
        stream_tags(&file),
        ("arib-std-b67".into(), "bt2020".into(), "bt2020nc".into())
    );
    let frames = yuv_frames(&file, 640, 360, 10);
    assert_eq!(frames.len(), 10);
    // SDR white and PQ reference white at HLG 75%; PQ's 2x, 4x and
    // 1000 cd/m² where HLG puts them (1000 cd/m² is HLG's peak); 3 codes.
    let [p2, p4, p10] = PATCHES.map(|p| frames[7].patch(p)[0]);
    for (what, got, want) in [
        ("SDR white", frames[2].patch(WHITE)[0], HLG_WHITE),
        ("PQ white", frames[7].patch(WHITE)[0], HLG_WHITE),
        ("PQ 2x white", p2, HLG_2X as f64),
        ("PQ 4x white", p4, HLG_4X as f64),
        ("PQ 1000 cd/m²", p10, HLG_PEAK as f64),
    ] {
        assert!(
            (got - want).abs() <= 3.0,
            "{what}: HLG code {got:.1}, expected {want}"
        );
    }
}

#[test]
fn pq_mastered_at_4000_nits_into_hlg_is_tone_mapped_under_hlg_peak() {
    let f = Fixture::new();
    hdr_bars(&f, "plain.mp4", Hdr::Pq, [PQ_2X, PQ_4X, PQ_8X], "");
    add_to_sample_entry(&f, "plain.mp4", "pq.mp4", &mdcv(4000));
    f.write(
        "t.toml",
        &edl!(
            r#"
            {output}
            [[clip]]
            source = "pq.mp4"
            duration = 0.2
            "#,
            output = hdr_output("out.mkv", "hlg"),
        ),
    );
    render(&f, "t.toml", &[]);
    let frames = yuv_frames(&f.path("out.mkv"), 640, 360, 10);
    let white = frames[2].patch(WHITE)[0];
    let [a, b, c] = PATCHES.map(|p| frames[2].patch(p)[0]);
    // Reference white stays at HLG 75% (3 codes): the curve only bends
    // above it. 2x, 4x and 8x reference white (up to 1624 cd/m², over
    // HLG's 1000) stay apart by 4 codes and under HLG's peak, 940 (3 codes);
    // without a tone curve 8x would be 1005.
    assert!(
        (white - HLG_WHITE).abs() <= 3.0,
        "reference white at HLG {white:.1}"
    );
    assert!(
        white + 4.0 <= a && a + 4.0 <= b && b + 4.0 <= c && c <= 943.0,
        "white {white:.1} and 2x, 4x, 8x {a:.1} {b:.1} {c:.1}"
    );
    // Against the CLI: mobius from 4000 cd/m² to HLG's 1000 (linear 1.0 at
    // 1000 cd/m²), no desaturation. 40 dB: the chroma kernel and x265.
    cli_render(
        &f,
        "pq.mp4",
        "zscale=tin=smpte2084:pin=bt2020:min=2020_ncl:rin=limited:t=linear:p=bt2020:npl=1000,\
         format=gbrpf32le,tonemap=mobius:param=0.6:desat=0:peak=4,\
         zscale=t=arib-std-b67:p=bt2020:m=2020_ncl:r=limited:npl=1000,format=yuv420p10le",
        "oracle.mkv",
    );
    let db = psnr(&f, "out.mkv", "oracle.mkv");
    assert!(db >= 40.0, "PSNR against the CLI chain: {db:.1} dB");
}

#[test]
fn a_card_and_an_sdr_clip_meet_at_reference_white_in_hdr_outputs() {
    for (space, want) in [("pq", PQ_WHITE), ("hlg", HLG_WHITE)] {
        let f = Fixture::new();
        f.ffmpeg(
            "-f lavfi -i color=c=white:s=64x64:r=25:d=0.2 -c:v libx264 -qp 0 -pix_fmt yuv420p \
             -color_primaries bt709 -color_trc bt709 -colorspace bt709 -color_range tv white.mp4",
        );
        f.write(
            "t.toml",
            &edl!(
                r##"
                [output]
                path = "out.mp4"
                width = 64
                height = 64
                fps = 25
                [output.video]
                codec = "libx265"
                pix_fmt = "yuv420p10le"
                preset = "ultrafast"
                [output.color]
                space = "{space}"
                [[clip]]
                card = {{ background = "#ffffff" }}
                duration = 0.2
                [[clip]]
                source = "white.mp4"
                "##
            ),
        );
        render(&f, "t.toml", &[]);
        let frames = yuv_frames(&f.path("out.mp4"), 64, 64, 10);
        assert_eq!(frames.len(), 10);
        let (card, clip) = (frames[2].patch((32, 32)), frames[7].patch((32, 32)));
        // 3 codes each; neutral within 3.
        for [y, cb, cr] in [card, clip] {
            assert!(
                (y - want).abs() <= 3.0 && (cb - 512.0).abs() <= 3.0 && (cr - 512.0).abs() <= 3.0,
                "{space}: white card {card:?}, SDR white clip {clip:?}; expected [{want}, 512, 512]"
            );
        }
    }
}

#[test]
fn an_8_bit_pix_fmt_for_a_pq_output_is_an_error_at_its_line() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=64x64:r=25:d=1 -c:v libx264 a.mp4");
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "out.mp4"
            width = 64
            height = 64
            fps = 25
            [output.video]
            codec = "libx265"
            pix_fmt = "yuv420p"
            [output.color]
            space = "pq"
            [[clip]]
            source = "a.mp4"
            "#
        ),
    );
    let out = f.reel(&["check", "t.toml"]);
    let text = printed(&out);
    assert!(
        !out.status.success(),
        "an 8-bit PQ output was accepted: {text}"
    );
    assert!(!text.contains("panicked"), "{text}");
    // The pix_fmt line (8) or the space line (10).
    assert!(
        text.contains("t.toml:8:") || text.contains("t.toml:10:"),
        "the error names no line: {text}"
    );
    assert!(
        text.contains("pix_fmt") && text.contains("10"),
        "the error should name pix_fmt and 10 bits: {text}"
    );
}

#[test]
fn given_max_luminance_and_max_cll_are_written_as_hdr10_metadata() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=64x64:r=25:d=0.2 -c:v libx264 a.mp4");
    f.write(
        "t.toml",
        &edl!(
            r#"
            [output]
            path = "out.mp4"
            width = 64
            height = 64
            fps = 25
            [output.video]
            codec = "libx265"
            pix_fmt = "yuv420p10le"
            preset = "ultrafast"
            [output.color]
            space = "pq"
            max_luminance = 4000
            max_cll = [1200, 300]
            [[clip]]
            source = "a.mp4"
            "#
        ),
    );
    render(&f, "t.toml", &[]);
    let file = f.path("out.mp4");
    for (what, text) in [
        ("stream", stream_text(&file)),
        ("first frame", first_frame_text(&file)),
    ] {
        let get = |after: &str, key: &str| value_after(&text, after, key).as_deref().map(number);
        assert_eq!(
            (
                get("Mastering display metadata", "max_luminance"),
                get("Content light level metadata", "max_content"),
                get("Content light level metadata", "max_average"),
            ),
            (Some(4000.0), Some(1200.0), Some(300.0)),
            "{what}: {text}"
        );
    }
}
