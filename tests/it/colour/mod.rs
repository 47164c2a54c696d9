//! Colour: HDR sources tone mapped into SDR (measured on colour bars and
//! compared with the FFmpeg CLI's own zscale/tonemap chain), wide-gamut
//! SDR, phone clips (rotation, Dolby Vision records), PQ and HLG outputs
//! and their HDR10 metadata, 10-bit precision through every picture step,
//! the tags each encoder writes, and what `reel check` says of colour.
//!
//! This file holds what the areas share: running the FFmpeg CLI, decoding
//! and measuring, and the fixtures (HDR bars with highlights, MP4 boxes).

mod bits;
mod check;
mod hdr_output;
mod into_sdr;
mod phone;
mod tags;

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
