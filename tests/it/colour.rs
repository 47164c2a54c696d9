//! Colour: HDR sources tone mapped into SDR (measured on colour bars and
//! compared with the FFmpeg CLI's own zscale/tonemap chain), wide-gamut
//! SDR, phone clips (rotation, Dolby Vision records), PQ and HLG outputs
//! and their HDR10 metadata, 10-bit precision through every picture step,
//! the tags each encoder writes, and what `reel check` says of colour.

use crate::common::*;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

// ---------------------------------------------------------------------------
// Running the FFmpeg CLI, decoding, measuring
// ---------------------------------------------------------------------------

/// Runs the FFmpeg CLI in the fixture directory with `args` as given (no
/// word splitting, so filter graphs keep their quotes).
fn ffmpeg_argv(f: &Fixture, args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-nostdin"])
        .args(args)
        .current_dir(f.dir.path())
        .output()
        .expect("ffmpeg runs");
    assert_success(&out, &format!("ffmpeg {args:?}"));
}

/// What ffprobe prints (`key=value` lines) for `args` on `file`.
fn ffprobe(file: &Path, args: &[&str]) -> String {
    let out = Command::new("ffprobe")
        .args(["-v", "error"])
        .args(args)
        .arg(file)
        .output()
        .expect("ffprobe runs");
    assert_success(&out, &format!("ffprobe {args:?} {}", file.display()));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The value of the first `key=` line of `text` that comes after a line
/// containing `after` (e.g. a side data type).
fn value_after(text: &str, after: &str, key: &str) -> Option<String> {
    let start = text.find(after)?;
    text[start..]
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .map(str::to_string)
}

/// A number ffprobe prints, plain or as a fraction (`10000000/10000`).
fn number(v: &str) -> f64 {
    match v.split_once('/') {
        Some((n, d)) => n.parse::<f64>().unwrap() / d.parse::<f64>().unwrap(),
        None => v.parse().unwrap(),
    }
}

/// The video stream's colour tags: (color_transfer, color_primaries,
/// color_space).
fn stream_tags(file: &Path) -> (String, String, String) {
    let text = ffprobe(
        file,
        &[
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=color_transfer,color_primaries,color_space",
        ],
    );
    let get = |k: &str| value_after(&text, "[STREAM]", k).unwrap_or_default();
    (
        get("color_transfer"),
        get("color_primaries"),
        get("color_space"),
    )
}

/// ffprobe's `-show_streams` of the video stream (with its side data).
fn stream_text(file: &Path) -> String {
    ffprobe(file, &["-select_streams", "v:0", "-show_streams"])
}

/// ffprobe's `-show_frames` of the first video frame (with its side data).
fn first_frame_text(file: &Path) -> String {
    ffprobe(
        file,
        &[
            "-select_streams",
            "v:0",
            "-show_frames",
            "-read_intervals",
            "%+#1",
        ],
    )
}

/// One decoded 4:2:0 picture, samples as coded (8 or 10 bits, no range
/// conversion).
struct Yuv {
    w: usize,
    y: Vec<u16>,
    u: Vec<u16>,
    v: Vec<u16>,
}

impl Yuv {
    /// Mean Y, Cb, Cr of the 8x8 block (4x4 in chroma) centred on (x, y).
    fn patch(&self, (x, y): (usize, usize)) -> [f64; 3] {
        let mean = |plane: &[u16], w: usize, x0: usize, y0: usize, n: usize| {
            let mut sum = 0.0;
            for yy in y0..y0 + n {
                for xx in x0..x0 + n {
                    sum += plane[yy * w + xx] as f64;
                }
            }
            sum / (n * n) as f64
        };
        let cw = self.w / 2;
        [
            mean(&self.y, self.w, x - 4, y - 4, 8),
            mean(&self.u, cw, x / 2 - 2, y / 2 - 2, 4),
            mean(&self.v, cw, x / 2 - 2, y / 2 - 2, 4),
        ]
    }

    /// Luma row `y`.
    fn row(&self, y: usize) -> &[u16] {
        &self.y[y * self.w..(y + 1) * self.w]
    }
}

/// Every picture the FFmpeg CLI decodes from input options `input`, as
/// `w`x`h` 4:2:0 at `bits` (8 or 10): each decoded frame once, whatever
/// its timestamp.
fn yuv_from(input: &[&str], w: usize, h: usize, bits: u32) -> Vec<Yuv> {
    let fmt = if bits == 8 { "yuv420p" } else { "yuv420p10le" };
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin"])
        .args(input)
        .args(["-map", "0:v", "-fps_mode", "passthrough"])
        .args(["-f", "rawvideo", "-pix_fmt", fmt, "-"])
        .output()
        .expect("ffmpeg runs");
    assert_success(&out, &format!("ffmpeg decoding {input:?}"));
    let samples: Vec<u16> = if bits == 8 {
        out.stdout.iter().map(|&b| b as u16).collect()
    } else {
        out.stdout
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect()
    };
    let (luma, chroma) = (w * h, (w / 2) * (h / 2));
    samples
        .chunks_exact(luma + 2 * chroma)
        .map(|s| Yuv {
            w,
            y: s[..luma].to_vec(),
            u: s[luma..luma + chroma].to_vec(),
            v: s[luma + chroma..].to_vec(),
        })
        .collect()
}

/// Every picture of `file`, as `yuv_from`.
fn yuv_frames(file: &Path, w: usize, h: usize, bits: u32) -> Vec<Yuv> {
    let path = file.to_string_lossy();
    yuv_from(&["-i", &path], w, h, bits)
}

/// Hue (degrees) and magnitude of the chroma of a patch, around `mid`.
fn hue_chroma(p: [f64; 3], mid: f64) -> (f64, f64) {
    let (cb, cr) = (p[1] - mid, p[2] - mid);
    (cr.atan2(cb).to_degrees(), cb.hypot(cr))
}

/// `a - b` in degrees, in -180..180.
fn angle_between(a: f64, b: f64) -> f64 {
    (a - b + 540.0).rem_euclid(360.0) - 180.0
}

/// The average PSNR (dB) the FFmpeg CLI's `psnr` filter measures between
/// the videos `a` and `b` of the fixture, frame by frame (inf if equal).
fn psnr(f: &Fixture, a: &str, b: &str) -> f64 {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-nostdin", "-i", a, "-i", b])
        .args(["-lavfi", "[0:v][1:v]psnr", "-f", "null", "-"])
        .current_dir(f.dir.path())
        .output()
        .expect("ffmpeg runs");
    assert_success(&out, &format!("ffmpeg psnr {a} {b}"));
    let text = String::from_utf8_lossy(&out.stderr);
    text.lines()
        .filter(|l| l.contains("PSNR y:"))
        .find_map(|l| l.split("average:").nth(1))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no PSNR in:\n{text}"))
}

/// Writes `to`: `source` through the FFmpeg CLI filter chain `chain`,
/// losslessly (FFV1).
fn cli_render(f: &Fixture, source: &str, chain: &str, to: &str) {
    ffmpeg_argv(f, &["-i", source, "-vf", chain, "-c:v", "ffv1", to]);
}

/// Renders `edl` (no cache) and asserts success.
#[track_caller]
fn render(f: &Fixture, edl: &str, extra: &[&str]) {
    let mut args = vec!["render", "--quiet", "--no-cache"];
    args.extend_from_slice(extra);
    args.push(edl);
    f.reel_ok_output(&args);
}

/// How many different values `row` holds.
fn distinct(row: &[u16]) -> usize {
    row.iter().collect::<BTreeSet<_>>().len()
}

// ---------------------------------------------------------------------------
// Fixtures: HDR colour bars with highlights, MP4 boxes
// ---------------------------------------------------------------------------

/// An HDR transfer, by its FFmpeg (zscale and `-color_trc`) name.
#[derive(Clone, Copy)]
enum Hdr {
    Pq,
    Hlg,
}

impl Hdr {
    fn name(self) -> &'static str {
        match self {
            Hdr::Pq => "smpte2084",
            Hdr::Hlg => "arib-std-b67",
        }
    }
}

/// 10-bit limited codes of neutral grey at BT.2408 reference white
/// (203 cd/m²) and above: ST 2084, and BT.2100 HLG on its nominal
/// 1000 cd/m² display.
const PQ_WHITE: f64 = 573.0;
const PQ_2X: u16 = 637; // 406 cd/m²
const PQ_4X: u16 = 703; // 812 cd/m²
const PQ_8X: u16 = 769; // 1624 cd/m²
const PQ_1000: u16 = 723; // 1000 cd/m²
const PQ_2000: u16 = 789; // 2000 cd/m²
const HLG_WHITE: f64 = 721.0;
const HLG_2X: u16 = 818;
const HLG_4X: u16 = 912;
const HLG_PEAK: u16 = 940; // 1000 cd/m²

/// x265's HDR10 SEI for a BT.2020 / D65 mastering display of `max` cd/m²
/// (x265 counts chromaticities in 1/50000, luminance in 1/10000 cd/m²).
fn master_display(max: u32) -> String {
    format!(
        ":master-display=G(8500,39850)B(6550,2300)R(35400,14600)WP(15635,16450)L({},1)",
        max * 10_000
    )
}

/// smptehdbars at 640x360: the six 75% colour bars' centres on row 110,
/// the 75% white bar, 100% white and black below, and the three
/// highlight patches `hdr_bars` paints in the left grey column.
const BARS: [(&str, usize); 6] = [
    ("yellow", 182),
    ("cyan", 250),
    ("green", 318),
    ("magenta", 386),
    ("red", 454),
    ("blue", 522),
];
const BAR_Y: usize = 110;
const WHITE_75: (usize, usize) = (114, 110);
const WHITE: (usize, usize) = (250, 320);
const BLACK: (usize, usize) = (130, 320);
const PATCHES: [(usize, usize); 3] = [(40, 35), (40, 100), (40, 165)];

/// geq that paints neutral patches of 10-bit luma `codes` (chroma 512)
/// at `PATCHES` (60x40 boxes); X/SW and Y/SH are luma coordinates in every
/// plane.
fn patches_geq(codes: [u16; 3]) -> String {
    let col = "between(X/SW,10,70)";
    let rows = [
        "between(Y/SH,15,55)",
        "between(Y/SH,80,120)",
        "between(Y/SH,145,185)",
    ];
    let lum = format!(
        "if({col}*{},{},if({col}*{},{},if({col}*{},{},lum(X,Y))))",
        rows[0], codes[0], rows[1], codes[1], rows[2], codes[2]
    );
    let any = format!("{col}*({}+{}+{})", rows[0], rows[1], rows[2]);
    format!("geq=lum='{lum}':cb='if({any},512,cb(X,Y))':cr='if({any},512,cr(X,Y))'")
}

/// `name`: 5 frames (25 fps) of SDR smptehdbars at 640x360 placed in `hdr`
/// with SDR white at reference white (zscale `npl=203`), highlight
/// patches of 10-bit `codes`, x265 lossless 4:2:0 10-bit with `x265`
/// appended to its parameters, tagged BT.2020.
fn hdr_bars(f: &Fixture, name: &str, hdr: Hdr, codes: [u16; 3], x265: &str) {
    let vf = format!(
        "zscale=tin=bt709:pin=bt709:min=bt709:rin=tv:t={}:p=bt2020:m=bt2020nc:r=tv:npl=203,\
         format=yuv420p10le,{}",
        hdr.name(),
        patches_geq(codes)
    );
    let params = format!("lossless=1:log-level=error{x265}");
    ffmpeg_argv(
        f,
        &[
            "-f",
            "lavfi",
            "-i",
            "smptehdbars=s=640x360:r=25",
            "-frames:v",
            "5",
            "-vf",
            &vf,
            "-c:v",
            "libx265",
            "-preset",
            "ultrafast",
            "-x265-params",
            &params,
            "-color_primaries",
            "bt2020",
            "-color_trc",
            hdr.name(),
            "-colorspace",
            "bt2020nc",
            "-color_range",
            "tv",
            name,
        ],
    );
}

/// `name`: the same bars in SDR BT.709 (tagged), x264 lossless.
fn sdr_bars_source(f: &Fixture, name: &str) {
    f.ffmpeg(&format!(
        "-f lavfi -i smptehdbars=s=640x360:r=25 -frames:v 5 -c:v libx264 -qp 0 \
         -color_primaries bt709 -color_trc bt709 -colorspace bt709 -color_range tv {name}"
    ));
}

/// The SDR original: smptehdbars converted to yuv420p by the FFmpeg CLI.
fn sdr_bars() -> Yuv {
    yuv_from(
        &[
            "-f",
            "lavfi",
            "-i",
            "smptehdbars=s=640x360:r=25",
            "-frames:v",
            "1",
        ],
        640,
        360,
        8,
    )
    .remove(0)
}

/// The FFmpeg CLI chain of the HDR-into-SDR contract: linear light with
/// reference white (203 cd/m²) at 1.0 in BT.709 primaries, `tonemap`
/// with the source's peak relative to that (desaturating above twice
/// reference white), then BT.709 limited range.
fn sdr_oracle(hdr: Hdr, tonemap: &str, peak: f64) -> String {
    format!(
        "zscale=tin={}:pin=bt2020:min=2020_ncl:rin=limited:t=linear:p=bt709:npl=203,\
         format=gbrpf32le,tonemap={tonemap}:desat=2:peak={:.4},\
         zscale=t=bt709:p=bt709:m=709:r=limited:npl=203,format=yuv420p",
        hdr.name(),
        peak / 203.0
    )
}

/// An EDL rendering `source` (5 frames) losslessly into 640x360 SDR, with
/// `colour` (an `[output.color]` table, or nothing) after `[output]`.
fn sdr_edl(source: &str, colour: &str) -> String {
    edl!(
        r#"
        {output}
        {colour}
        [[clip]]
        source = "{source}"
        duration = 0.2
        "#,
        output = lossless_output(640, 360, "25"),
    )
}

/// Asserts that HDR bars rendered into SDR look like the SDR original:
/// the six 75% bars keep their hue and chroma, 75% white stays grey and
/// as bright, 100% white is near white, black is black.
#[track_caller]
fn assert_bars_look_like_the_sdr_original(out: &Yuv, what: &str) {
    let sdr = sdr_bars();
    for (name, x) in BARS {
        let (h0, c0) = hue_chroma(sdr.patch((x, BAR_Y)), 128.0);
        let (h1, c1) = hue_chroma(out.patch((x, BAR_Y)), 128.0);
        // 5 degrees: the BT.2020 4:2:0 round trip alone turns the blue bar
        // by 3.4 degrees (the other bars by less).
        let turn = angle_between(h1, h0);
        assert!(
            turn.abs() <= 5.0,
            "{what}: the {name} bar turned {turn:.1} degrees (Cb/Cr {:?})",
            out.patch((x, BAR_Y))
        );
        // 0.9..1.2: a tone curve that leaves the SDR-graded range alone keeps
        // chroma at 0.98..1.08 of the original; a washed-out one is below 0.9.
        let ratio = c1 / c0;
        assert!(
            (0.9..=1.2).contains(&ratio),
            "{what}: the {name} bar's chroma is {ratio:.2} of the original's"
        );
    }
    let w75 = out.patch(WHITE_75);
    // 75% white: 180 in the original; 3 codes; grey within 2 codes.
    assert!(
        (w75[0] - 180.0).abs() <= 3.0
            && (w75[1] - 128.0).abs() <= 2.0
            && (w75[2] - 128.0).abs() <= 2.0,
        "{what}: 75% white is {w75:?}, expected about [180, 128, 128]"
    );
    let white = out.patch(WHITE)[0];
    assert!(
        (205.0..=236.0).contains(&white),
        "{what}: 100% white has luma {white:.1}, expected near white (205..235)"
    );
    let black = out.patch(BLACK)[0];
    assert!(black <= 18.0, "{what}: black has luma {black:.1}");
}

/// Luma of the three highlight patches.
fn highlights(out: &Yuv) -> [f64; 3] {
    PATCHES.map(|p| out.patch(p)[0])
}

/// Asserts that highlights brighter than reference white stay distinct
/// in SDR: each patch at least 2 codes above the one before (100% white
/// first), the last no darker than the one before it.
#[track_caller]
fn assert_highlights_distinct(out: &Yuv, what: &str) {
    let white = out.patch(WHITE)[0];
    let [a, b, c] = highlights(out);
    assert!(
        white + 2.0 <= a && a + 2.0 <= b && b <= c + 0.5,
        "{what}: white {white:.1} and highlights {a:.1} {b:.1} {c:.1} are not distinct"
    );
}

/// `to`: MP4 `from` with `boxes` added at the end of its video sample entry
/// (`hvc1`/`hev1`), every box that holds it grown to match. FFmpeg writes
/// `moov` after `mdat` (without `+faststart`), so no chunk offset moves.
fn add_to_sample_entry(f: &Fixture, from: &str, to: &str, boxes: &[u8]) {
    /// (offset, size, type) of the boxes in b[start..end].
    fn boxes_in(b: &[u8], start: usize, end: usize) -> Vec<(usize, usize, [u8; 4])> {
        let mut out = Vec::new();
        let mut i = start;
        while i + 8 <= end {
            let size = u32::from_be_bytes(b[i..i + 4].try_into().unwrap()) as usize;
            let kind: [u8; 4] = b[i + 4..i + 8].try_into().unwrap();
            assert!(size >= 8 && i + size <= end, "box at {i} has size {size}");
            out.push((i, size, kind));
            i += size;
        }
        out
    }
    /// Offsets of the boxes along `path` (each step: the types it may be).
    fn find(b: &[u8], start: usize, end: usize, path: &[&[&[u8; 4]]]) -> Option<Vec<usize>> {
        let Some((want, rest)) = path.split_first() else {
            return Some(Vec::new());
        };
        for (at, size, kind) in boxes_in(b, start, end) {
            if want.contains(&&kind) {
                // stsd: version, flags and entry count before its entries.
                let body = if &kind == b"stsd" { at + 16 } else { at + 8 };
                if let Some(mut inner) = find(b, body, at + size, rest) {
                    inner.insert(0, at);
                    return Some(inner);
                }
            }
        }
        None
    }
    let mut b = std::fs::read(f.path(from)).unwrap();
    let path: [&[&[u8; 4]]; 7] = [
        &[b"moov"],
        &[b"trak"],
        &[b"mdia"],
        &[b"minf"],
        &[b"stbl"],
        &[b"stsd"],
        &[b"hvc1", b"hev1"],
    ];
    let holders = find(&b, 0, b.len(), &path).expect("an MP4 with an HEVC sample entry");
    let mdat = boxes_in(&b, 0, b.len())
        .into_iter()
        .find(|x| &x.2 == b"mdat")
        .expect("mdat")
        .0;
    assert!(mdat < holders[0], "moov must follow mdat");
    let entry = *holders.last().unwrap();
    let end = entry + u32::from_be_bytes(b[entry..entry + 4].try_into().unwrap()) as usize;
    b.splice(end..end, boxes.iter().copied());
    for at in holders {
        let size = u32::from_be_bytes(b[at..at + 4].try_into().unwrap()) + boxes.len() as u32;
        b[at..at + 4].copy_from_slice(&size.to_be_bytes());
    }
    std::fs::write(f.path(to), b).unwrap();
}

/// An ISO BMFF box.
fn bmff_box(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut b = ((8 + payload.len()) as u32).to_be_bytes().to_vec();
    b.extend_from_slice(kind);
    b.extend_from_slice(payload);
    b
}

/// A Dolby Vision configuration record box (`dvcC`): version 1.0,
/// `profile` and `level`, an RPU and a base layer (no enhancement layer),
/// the base layer's signal compatibility id, then reserved zeros.
fn dvcc(profile: u8, level: u8, compatibility: u8) -> Vec<u8> {
    let (rpu, el, bl) = (1u8, 0u8, 1u8);
    let mut p = vec![
        1,
        0,
        (profile << 1) | (level >> 5),
        ((level & 31) << 3) | (rpu << 2) | (el << 1) | bl,
        compatibility << 4,
    ];
    p.resize(24, 0);
    bmff_box(b"dvcC", &p)
}

/// A mastering display colour volume box (`mdcv`): BT.2020 primaries
/// (G, B, R) and D65 white in 1/50000, then the display's maximum and
/// minimum luminance in 1/10000 cd/m² (`max` cd/m², 0.0001).
fn mdcv(max: u32) -> Vec<u8> {
    let mut p = Vec::new();
    for v in [8500u16, 39850, 6550, 2300, 35400, 14600, 15635, 16450] {
        p.extend_from_slice(&v.to_be_bytes());
    }
    p.extend_from_slice(&(max * 10_000).to_be_bytes());
    p.extend_from_slice(&1u32.to_be_bytes());
    bmff_box(b"mdcv", &p)
}

// ---------------------------------------------------------------------------
// HDR into SDR
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Phone clips: rotation, Dolby Vision
// ---------------------------------------------------------------------------

/// The upright picture of the phone clip: 180x320 grey with a 75% red box
/// at the top left and a 75% blue box at the bottom right.
const UPRIGHT: &str = "color=c=0x666666:s=180x320:r=25,\
    drawbox=x=0:y=0:w=90:h=80:color=0xBF0000:t=fill,\
    drawbox=x=90:y=240:w=90:h=80:color=0x0000BF:t=fill";
const RED_BOX: (usize, usize) = (45, 40);
const BLUE_BOX: (usize, usize) = (135, 280);

#[test]
fn hlg_phone_clip_rotated_with_dolby_vision_8_4_renders_upright_in_colour() {
    let f = Fixture::new();
    // Stored sideways (turned clockwise) in HLG, 3 frames; the container's
    // display matrix (the `rotate` tag of FFmpeg 5.1's MP4 muxer) turns it
    // back.
    let vf = "zscale=tin=bt709:pin=bt709:min=bt709:rin=tv:t=arib-std-b67:p=bt2020:m=bt2020nc:r=tv:npl=203,format=yuv420p10le";
    ffmpeg_argv(
        &f,
        &[
            "-f",
            "lavfi",
            "-i",
            &format!("{UPRIGHT},transpose=1"),
            "-frames:v",
            "3",
            "-vf",
            vf,
            "-c:v",
            "libx265",
            "-preset",
            "ultrafast",
            "-x265-params",
            "lossless=1:log-level=error",
            "-tag:v",
            "hvc1",
            "-color_primaries",
            "bt2020",
            "-color_trc",
            "arib-std-b67",
            "-colorspace",
            "bt2020nc",
            "-color_range",
            "tv",
            "sideways.mp4",
        ],
    );
    f.ffmpeg("-i sideways.mp4 -c copy -metadata:s:v rotate=90 turned.mp4");
    // Dolby Vision 8.4: an HLG base layer that plays as it is.
    add_to_sample_entry(&f, "turned.mp4", "phone.mp4", &dvcc(8, 4, 4));
    let stream = stream_text(&f.path("phone.mp4"));
    assert!(
        stream.contains("DOVI configuration record")
            && stream.contains("dv_profile=8")
            && stream.contains("dv_bl_signal_compatibility_id=4")
            && stream.contains("Display Matrix"),
        "{stream}"
    );
    // The CLI (which turns pictures upright by default) sees the red box
    // at the top left: the fixture is right.
    cli_render(
        &f,
        "phone.mp4",
        &sdr_oracle(Hdr::Hlg, "mobius:param=0.6", 1000.0),
        "oracle.mkv",
    );
    let oracle = yuv_frames(&f.path("oracle.mkv"), 180, 320, 8);
    let (red, chroma) = hue_chroma(oracle[0].patch(RED_BOX), 128.0);
    // 75% red: hue about 105 degrees, chroma about 85.
    assert!(
        angle_between(red, 105.0).abs() < 20.0 && chroma > 40.0,
        "the CLI's top left is not red: hue {red:.0}, chroma {chroma:.0}"
    );

    f.write(
        "t.toml",
        &edl!(
            r#"
            {output}
            [[clip]]
            source = "phone.mp4"
            duration = 0.12
            "#,
            output = lossless_output(180, 320, "25"),
        ),
    );
    render(&f, "t.toml", &[]);
    let out = yuv_frames(&f.path("out.mp4"), 180, 320, 8);
    assert_eq!(out.len(), 3);
    let upright = yuv_from(
        &["-f", "lavfi", "-i", UPRIGHT, "-frames:v", "1"],
        180,
        320,
        8,
    );
    for (name, at) in [("red", RED_BOX), ("blue", BLUE_BOX)] {
        let (h0, c0) = hue_chroma(upright[0].patch(at), 128.0);
        let (h1, c1) = hue_chroma(out[1].patch(at), 128.0);
        // 5 degrees and 0.9..1.2 of the chroma, as for the colour bars.
        assert!(
            angle_between(h1, h0).abs() <= 5.0 && (0.9..=1.2).contains(&(c1 / c0)),
            "the {name} box at {at:?}: hue {h1:.1} chroma {c1:.1}, upright original {h0:.1} {c0:.1}"
        );
    }
    let grey = (out[1].patch((135, 40))[0], upright[0].patch((135, 40))[0]);
    // 3 codes: mobius leaves mid grey alone.
    assert!(
        (grey.0 - grey.1).abs() <= 3.0,
        "grey {:.1}, original {:.1}",
        grey.0,
        grey.1
    );
    // 40 dB against the CLI's upright picture through the same chain.
    let db = psnr(&f, "out.mp4", "oracle.mkv");
    assert!(
        db >= 40.0,
        "PSNR against the CLI's upright picture: {db:.1} dB"
    );
}

#[test]
fn dolby_vision_8_4_record_makes_an_untagged_clip_play_as_hlg() {
    let f = Fixture::new();
    hdr_bars(&f, "tagged.mp4", Hdr::Hlg, [HLG_2X, HLG_4X, HLG_PEAK], "");
    // The tags lost (bitstream and container), the record left: it alone
    // says the base layer is HLG.
    f.ffmpeg(
        "-i tagged.mp4 -c copy -bsf:v hevc_metadata=colour_primaries=2:transfer_characteristics=2:matrix_coefficients=2 \
         -color_primaries unknown -color_trc unknown -colorspace unknown untagged.mp4",
    );
    add_to_sample_entry(&f, "untagged.mp4", "dv84.mp4", &dvcc(8, 4, 4));
    assert_eq!(stream_tags(&f.path("dv84.mp4")).0, "unknown");
    cli_render(
        &f,
        "tagged.mp4",
        &sdr_oracle(Hdr::Hlg, "mobius:param=0.6", 1000.0),
        "oracle.mkv",
    );
    // Without the record the clip is untagged SDR, far from the HLG
    // rendering.
    f.write(
        "plain.toml",
        &sdr_edl("untagged.mp4", "").replace("out.mp4", "plain.mp4"),
    );
    render(&f, "plain.toml", &[]);
    let db = psnr(&f, "plain.mp4", "oracle.mkv");
    assert!(db < 30.0, "the untagged clip read as SDR scores {db:.1} dB");
    f.write("t.toml", &sdr_edl("dv84.mp4", ""));
    render(&f, "t.toml", &[]);
    let out = yuv_frames(&f.path("out.mp4"), 640, 360, 8);
    assert_bars_look_like_the_sdr_original(&out[2], "Dolby Vision 8.4 without tags");
    // 40 dB, as for the tagged clip.
    let db = psnr(&f, "out.mp4", "oracle.mkv");
    assert!(
        db >= 40.0,
        "PSNR against the CLI chain of the tagged clip: {db:.1} dB"
    );
}

#[test]
fn dolby_vision_profile_5_is_refused_naming_the_clip() {
    let f = Fixture::new();
    f.ffmpeg("-f lavfi -i testsrc2=s=64x64:r=25:d=1 -c:v libx264 a.mp4");
    // Profile 5: IPT-PQ-c2, no picture without a Dolby Vision decoder; its
    // HEVC stream carries no colour tags.
    ffmpeg_argv(
        &f,
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=64x64:r=25:d=0.2",
            "-pix_fmt",
            "yuv420p10le",
            "-c:v",
            "libx265",
            "-preset",
            "ultrafast",
            "-x265-params",
            "log-level=error",
            "-tag:v",
            "hvc1",
            "plain.mp4",
        ],
    );
    add_to_sample_entry(&f, "plain.mp4", "dv5.mp4", &dvcc(5, 6, 0));
    assert!(stream_text(&f.path("dv5.mp4")).contains("dv_profile=5"));
    f.write(
        "t.toml",
        &edl!(
            r#"
            {OUTPUT}
            [[clip]]
            source = "a.mp4"
            duration = 0.5
            [[clip]]
            source = "dv5.mp4"
            duration = 0.2
            "#
        ),
    );
    for cmd in ["check", "render"] {
        let out = f.reel(&[cmd, "t.toml"]);
        let text = printed(&out);
        assert!(
            !out.status.success(),
            "reel {cmd} accepted profile 5: {text}"
        );
        assert!(!text.contains("panicked"), "{text}");
        assert!(
            text.contains("clip 2") && text.contains("dv5.mp4"),
            "reel {cmd} does not name the clip: {text}"
        );
        assert!(
            text.contains("Dolby Vision")
                && (text.contains("profile 5") || text.contains("Dolby Vision 5")),
            "reel {cmd} does not say Dolby Vision profile 5: {text}"
        );
    }
    assert!(!f.path("out.mp4").exists());
}

// ---------------------------------------------------------------------------
// HDR outputs
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// 10 bits
// ---------------------------------------------------------------------------

/// `name`: 5 frames of a 320x180 10-bit SDR (BT.709) picture whose luma is
/// the geq expression `lum` of X, neutral chroma; x265 lossless 4:2:2.
fn ten_bit_source(f: &Fixture, name: &str, lum: &str) {
    ffmpeg_argv(
        f,
        &[
            "-f",
            "lavfi",
            "-i",
            &format!(
                "color=c=black:s=320x180:r=25:d=0.2,format=yuv422p10le,geq=lum='{lum}':cb=512:cr=512"
            ),
            "-c:v",
            "libx265",
            "-preset",
            "ultrafast",
            "-x265-params",
            "lossless=1:log-level=error",
            "-color_primaries",
            "bt709",
            "-color_trc",
            "bt709",
            "-colorspace",
            "bt709",
            "-color_range",
            "tv",
            name,
        ],
    );
}

/// Ramp A: luma 300 + x/2, 160 codes across the width (40 at 8 bits).
const RAMP_A: &str = "300+floor(X/2)";
fn ramp_a(x: usize) -> f64 {
    300.0 + (x / 2) as f64
}
/// Ramp B: luma 200 + x, 320 codes (80 at 8 bits).
const RAMP_B: &str = "200+X";
fn ramp_b(x: usize) -> f64 {
    200.0 + x as f64
}

/// The two 10-bit outputs: ProRes 422 (prores_ks) in .mov, and
/// x265 4:2:0 at crf 0 in .mp4.
const TEN_BIT_OUTPUTS: [(&str, &str); 2] = [
    (
        "out.mov",
        "codec = \"prores_ks\"\npix_fmt = \"yuv422p10le\"",
    ),
    (
        "out.mp4",
        "codec = \"libx265\"\npix_fmt = \"yuv420p10le\"\ncrf = 0\npreset = \"ultrafast\"",
    ),
];

/// Renders the clips (and layers) `body` into each 10-bit output; returns
/// (output name, decoded 10-bit frames) for each.
fn ten_bit_renders(f: &Fixture, body: &str) -> Vec<(&'static str, Vec<Yuv>)> {
    TEN_BIT_OUTPUTS
        .iter()
        .map(|(path, video)| {
            f.write(
                "t.toml",
                &format!(
                    "[output]\npath = \"{path}\"\nwidth = 320\nheight = 180\nfps = 25\n\
                     [output.video]\n{video}\n{body}"
                ),
            );
            render(f, "t.toml", &[]);
            (*path, yuv_frames(&f.path(path), 320, 180, 10))
        })
        .collect()
}

/// Asserts that luma row `row` is within `tol` 10-bit codes of `want(x)`
/// at every x.
#[track_caller]
fn assert_row_follows(what: &str, row: &[u16], tol: f64, want: impl Fn(usize) -> f64) {
    for (x, &v) in row.iter().enumerate() {
        assert!(
            (v as f64 - want(x)).abs() <= tol,
            "{what}: luma {v} at x = {x}, expected {:.1}",
            want(x)
        );
    }
}

#[test]
fn ten_bit_ramp_keeps_every_code_through_an_identity_eq() {
    let f = Fixture::new();
    ten_bit_source(&f, "a.mkv", RAMP_A);
    let body = "[[clip]]\nsource = \"a.mkv\"\nduration = 0.2\neq = { contrast = 1.0 }\n";
    for (out, frames) in ten_bit_renders(&f, body) {
        assert_eq!(frames.len(), 5, "{out}");
        let row = frames[2].row(90);
        // 1 code: the encoders' loss on a smooth ramp; an 8-bit step in
        // between is 4 codes.
        assert_row_follows(out, row, 1.0, ramp_a);
        // 120 of the 160 codes (8 bits leave 40).
        let n = distinct(row);
        assert!(n >= 120, "{out}: {n} distinct luma codes along the ramp");
    }
}

#[test]
fn ten_bit_ramp_keeps_its_precision_through_a_mild_eq() {
    let f = Fixture::new();
    ten_bit_source(&f, "a.mkv", RAMP_A);
    // The CLI's eq works at 8 bits: its picture, times 4, is the oracle.
    let oracle = yuv_from(
        &[
            "-i",
            &f.path("a.mkv").to_string_lossy(),
            "-vf",
            "eq=contrast=1.1",
            "-frames:v",
            "1",
        ],
        320,
        180,
        8,
    )
    .remove(0);
    let want = |x: usize| 4.0 * oracle.row(90)[x] as f64;
    let body = "[[clip]]\nsource = \"a.mkv\"\nduration = 0.2\neq = { contrast = 1.1 }\n";
    for (out, frames) in ten_bit_renders(&f, body) {
        let row = frames[2].row(90);
        // 6 codes: the 8-bit oracle's own rounding (4 codes) and the encoder.
        assert_row_follows(out, row, 6.0, want);
        // The 160 input codes stay apart (about 176 after contrast 1.1); the
        // 8-bit eq leaves about 44.
        let n = distinct(row);
        assert!(
            n >= 120,
            "{out}: {n} distinct luma codes along the ramp after eq"
        );
    }
}

#[test]
fn ten_bit_crossfade_blends_without_8_bit_steps() {
    let f = Fixture::new();
    ten_bit_source(&f, "a.mkv", RAMP_A);
    ten_bit_source(&f, "b.mkv", RAMP_B);
    // 3 overlap frames (2, 3, 4): frame 3 is w = 2/4, half of each ramp.
    let body = "[[clip]]\nsource = \"a.mkv\"\nduration = 0.2\n\
                transition = { kind = \"crossfade\", duration = 0.12 }\n\
                [[clip]]\nsource = \"b.mkv\"\nduration = 0.2\n";
    for (out, frames) in ten_bit_renders(&f, body) {
        assert_eq!(frames.len(), 7, "{out}");
        let row = frames[3].row(90);
        // 1.5 codes: the blend's rounding and the encoder.
        assert_row_follows(out, row, 1.5, |x| (ramp_a(x) + ramp_b(x)) / 2.0);
        // The blend spans 240 codes (60 at 8 bits): 180 of them.
        let n = distinct(row);
        assert!(n >= 180, "{out}: {n} distinct luma codes in the crossfade");
    }
}

#[test]
fn ten_bit_wipe_keeps_both_ramps() {
    let f = Fixture::new();
    ten_bit_source(&f, "a.mkv", RAMP_A);
    ten_bit_source(&f, "b.mkv", RAMP_B);
    let body = "[[clip]]\nsource = \"a.mkv\"\nduration = 0.2\n\
                transition = { kind = \"wipeleft\", duration = 0.12 }\n\
                [[clip]]\nsource = \"b.mkv\"\nduration = 0.2\n";
    for (out, frames) in ten_bit_renders(&f, body) {
        assert_eq!(frames.len(), 7, "{out}");
        let row = frames[3].row(90);
        // Halfway through the wipe every pixel is one ramp or the other
        // (1 code, plus the 2 pixels at the edge), and both show.
        let from = |x: usize, v: u16, ramp: fn(usize) -> f64| (v as f64 - ramp(x)).abs() <= 1.0;
        let a = row
            .iter()
            .enumerate()
            .filter(|&(x, &v)| from(x, v, ramp_a))
            .count();
        let b = row
            .iter()
            .enumerate()
            .filter(|&(x, &v)| from(x, v, ramp_b))
            .count();
        let either = row
            .iter()
            .enumerate()
            .filter(|&(x, &v)| from(x, v, ramp_a) || from(x, v, ramp_b))
            .count();
        assert!(
            either >= 318 && a >= 80 && b >= 80,
            "{out}: {a} pixels of A, {b} of B, {either} of either, of 320"
        );
        // Half of each: about 80 + 160 - 20 shared = 220 codes (55 at 8 bits).
        let n = distinct(row);
        assert!(n >= 160, "{out}: {n} distinct luma codes in the wipe");
    }
}

/// An identity 3D LUT of `size` points per axis, as .cube text.
fn identity_cube(size: usize) -> String {
    let mut s = format!("TITLE \"identity\"\nLUT_3D_SIZE {size}\n");
    let v = |i: usize| i as f64 / (size - 1) as f64;
    for b in 0..size {
        for g in 0..size {
            for r in 0..size {
                s.push_str(&format!("{:.6} {:.6} {:.6}\n", v(r), v(g), v(b)));
            }
        }
    }
    s
}

#[test]
fn ten_bit_ramp_keeps_its_codes_through_a_lut_and_text() {
    let f = Fixture::new();
    ten_bit_source(&f, "a.mkv", RAMP_A);
    f.write("id.cube", &identity_cube(17));
    // Large white text at the bottom, on screen from the first frame; row
    // 40 is clear of it.
    let body = "[[clip]]\nsource = \"a.mkv\"\nduration = 0.2\nlut = \"id.cube\"\n\
                [styles.big]\nsize = 0.2\nalign = \"bottom\"\nfade_in = 0\nfade_out = 0\n\
                [[text]]\ntext = \"Ten bits\"\nstyle = \"big\"\n";
    for (out, frames) in ten_bit_renders(&f, body) {
        let fr = &frames[2];
        // 2 codes: the LUT's way through RGB and back, and the encoder.
        assert_row_follows(out, fr.row(40), 2.0, ramp_a);
        let n = distinct(fr.row(40));
        assert!(n >= 120, "{out}: {n} distinct luma codes through the LUT");
        // The text is drawn: white (above 600; the ramp stops at 459) in the
        // bottom half.
        let ink = fr.y[90 * 320..].iter().filter(|&&v| v > 600).count();
        assert!(ink >= 200, "{out}: {ink} white pixels of text");
    }
}

#[test]
fn eight_bit_eq_equals_the_ffmpeg_eq_filter_within_one_code() {
    let f = Fixture::new();
    f.ffmpeg(
        "-f lavfi -i testsrc2=s=320x180:r=25:d=0.2 -c:v libx264 -qp 0 \
         -color_primaries bt709 -color_trc bt709 -colorspace bt709 -color_range tv a.mp4",
    );
    // libavfilter's eq takes two paths: fixed point without gamma, a
    // float table with it.
    let eqs = [
        (
            "{ brightness = 0.05, contrast = 1.2, saturation = 1.3 }",
            "eq=brightness=0.05:contrast=1.2:saturation=1.3",
        ),
        (
            "{ brightness = -0.1, contrast = 0.9, saturation = 0.7, gamma = 1.3 }",
            "eq=brightness=-0.1:contrast=0.9:saturation=0.7:gamma=1.3",
        ),
    ];
    f.write(
        "t.toml",
        &edl!(
            r#"
            {output}
            [[clip]]
            source = "a.mp4"
            eq = {}
            [[clip]]
            source = "a.mp4"
            eq = {}
            "#,
            eqs[0].0,
            eqs[1].0,
            output = lossless_output(320, 180, "25"),
        ),
    );
    render(&f, "t.toml", &[]);
    let frame = 320 * 180 * 3 / 2;
    let got = cli_frames(&f.path("out.mp4"), "null", 10);
    assert_eq!(got.len(), 10 * frame);
    for (k, (_, filter)) in eqs.iter().enumerate() {
        let want = cli_frames(&f.path("a.mp4"), filter, 5);
        let part = &got[k * 5 * frame..(k + 1) * 5 * frame];
        let worst = part
            .iter()
            .zip(&want)
            .map(|(a, b)| (*a as i32 - *b as i32).abs())
            .max()
            .unwrap();
        // 1 code, over Y, Cb and Cr of every frame.
        assert!(
            worst <= 1,
            "{filter}: reel differs from the CLI by up to {worst} codes"
        );
    }
}

// ---------------------------------------------------------------------------
// Tags
// ---------------------------------------------------------------------------

/// Renders a 3-frame 128x72 HLG clip into SDR and into HLG through `codec`
/// (`pix_fmts` for each, and `extra` video keys) to `out.{ext}`, and
/// asserts that the stream's colour tags (and, with `frames`, the first
/// frame's) are the output space's.
fn assert_tags_follow_the_space(
    codec: &str,
    pix_fmts: [&str; 2],
    ext: &str,
    extra: &str,
    frames: bool,
) {
    let f = Fixture::new();
    ffmpeg_argv(
        &f,
        &[
            "-f",
            "lavfi",
            "-i",
            "smptehdbars=s=128x72:r=25",
            "-frames:v",
            "3",
            "-vf",
            "zscale=tin=bt709:pin=bt709:min=bt709:rin=tv:t=arib-std-b67:p=bt2020:m=bt2020nc:r=tv:npl=203,format=yuv420p10le",
            "-c:v",
            "libx265",
            "-preset",
            "ultrafast",
            "-x265-params",
            "lossless=1:log-level=error",
            "-color_primaries",
            "bt2020",
            "-color_trc",
            "arib-std-b67",
            "-colorspace",
            "bt2020nc",
            "-color_range",
            "tv",
            "hlg.mkv",
        ],
    );
    for (space, pix_fmt, want) in [
        ("sdr", pix_fmts[0], ["bt709", "bt709", "bt709"]),
        ("hlg", pix_fmts[1], ["arib-std-b67", "bt2020", "bt2020nc"]),
    ] {
        let path = format!("{space}.{ext}");
        f.write(
            "t.toml",
            &edl!(
                r#"
                [output]
                path = "{path}"
                width = 128
                height = 72
                fps = 25
                [output.video]
                codec = "{codec}"
                pix_fmt = "{pix_fmt}"
                {extra}
                [output.color]
                space = "{space}"
                [[clip]]
                source = "hlg.mkv"
                duration = 0.12
                "#
            ),
        );
        render(&f, "t.toml", &[]);
        let file = f.path(&path);
        let (t, p, s) = stream_tags(&file);
        assert_eq!(
            [t.as_str(), &p, &s],
            want,
            "{codec} into {space}: stream tags"
        );
        if frames {
            let text = first_frame_text(&file);
            let get = |k: &str| value_after(&text, "[FRAME]", k).unwrap_or_default();
            assert_eq!(
                [
                    get("color_transfer"),
                    get("color_primaries"),
                    get("color_space")
                ],
                want.map(String::from),
                "{codec} into {space}: frame tags"
            );
        }
    }
}

#[test]
fn x264_tags_follow_the_output_space() {
    // 8 bits for SDR; HDR needs 10.
    assert_tags_follow_the_space(
        "libx264",
        ["yuv420p", "yuv420p10le"],
        "mp4",
        "preset = \"ultrafast\"",
        false,
    );
}

#[test]
fn x265_tags_follow_the_output_space() {
    assert_tags_follow_the_space(
        "libx265",
        ["yuv420p10le", "yuv420p10le"],
        "mp4",
        "preset = \"ultrafast\"",
        false,
    );
}

#[test]
fn prores_stream_and_frame_tags_follow_the_output_space() {
    assert_tags_follow_the_space("prores_ks", ["yuv422p10le", "yuv422p10le"], "mov", "", true);
}

#[test]
fn av1_tags_follow_the_output_space() {
    assert_tags_follow_the_space(
        "libaom-av1",
        ["yuv420p10le", "yuv420p10le"],
        "mp4",
        "crf = 40",
        false,
    );
}

#[test]
fn a_profile_sets_the_output_colour_space() {
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
            [profile.hdr]
            video = {{ codec = "libx265", pix_fmt = "yuv420p10le", preset = "ultrafast" }}
            [profile.hdr.color]
            space = "hlg"
            [[clip]]
            source = "a.mp4"
            "#
        ),
    );
    render(&f, "t.toml", &[]);
    render(&f, "t.toml", &["--profile", "hdr"]);
    assert_eq!(
        stream_tags(&f.path("out.mp4")),
        ("bt709".into(), "bt709".into(), "bt709".into())
    );
    assert_eq!(
        stream_tags(&f.path("out.hdr.mp4")),
        ("arib-std-b67".into(), "bt2020".into(), "bt2020nc".into())
    );
}

// ---------------------------------------------------------------------------
// reel check
// ---------------------------------------------------------------------------

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
