//! Colour as FFmpeg tags it: a stream's transfer, primaries, matrix and
//! range, its HDR10 and Dolby Vision side data, and the tags an encoder,
//! a frame and an output stream are given.

pub use crate::colour::Matrix;
use crate::colour::{
    Colour, DolbyVision, Hdr10, Mastering, Primaries, Range, SourceColour, Transfer,
};
use ff::codec::packet::side_data::Type as SideData;
use ff::color;
use ffmpeg_next as ff;

/// A picture's matrix tag, else what players assume for untagged video
/// ([`Matrix::guess`]). swscale alone would take every untagged source as
/// BT.601 and shift the colours of untagged HD footage.
pub fn matrix_of(frame: &ff::frame::Video) -> Matrix {
    matrix_tag(frame.color_space()).unwrap_or_else(|| Matrix::guess(frame.width(), frame.height()))
}

/// The matrix a tag names, if reel knows it.
pub fn matrix_tag(space: color::Space) -> Option<Matrix> {
    use color::Space;
    Some(match space {
        Space::BT709 => Matrix::Bt709,
        Space::BT470BG | Space::SMPTE170M => Matrix::Bt601,
        Space::SMPTE240M => Matrix::Smpte240m,
        Space::FCC => Matrix::Fcc,
        Space::BT2020NCL | Space::BT2020CL => Matrix::Bt2020,
        _ => return None,
    })
}

/// The colour-space tag an encoder writes for a matrix.
pub fn matrix_space(m: Matrix) -> color::Space {
    match m {
        Matrix::Bt709 => color::Space::BT709,
        Matrix::Bt601 => color::Space::BT470BG,
        Matrix::Smpte240m => color::Space::SMPTE240M,
        Matrix::Fcc => color::Space::FCC,
        Matrix::Bt2020 => color::Space::BT2020NCL,
    }
}

fn transfer_tag(t: color::TransferCharacteristic) -> Option<Transfer> {
    use color::TransferCharacteristic as T;
    Some(match t {
        T::BT709 | T::SMPTE170M | T::BT2020_10 | T::BT2020_12 | T::GAMMA22 | T::SMPTE240M => {
            Transfer::Bt709
        }
        T::IEC61966_2_1 => Transfer::Srgb,
        T::SMPTE2084 => Transfer::Pq,
        T::ARIB_STD_B67 => Transfer::Hlg,
        T::Linear => Transfer::Linear,
        _ => return None,
    })
}

fn primaries_tag(p: color::Primaries) -> Option<Primaries> {
    use color::Primaries as P;
    Some(match p {
        P::BT709 => Primaries::Bt709,
        P::BT470BG | P::SMPTE170M | P::SMPTE240M => Primaries::Bt601,
        P::BT2020 => Primaries::Bt2020,
        P::SMPTE432 | P::SMPTE431 => Primaries::P3,
        _ => return None,
    })
}

fn transfer_ff(t: Transfer) -> color::TransferCharacteristic {
    use color::TransferCharacteristic as T;
    match t {
        Transfer::Bt709 => T::BT709,
        Transfer::Srgb => T::IEC61966_2_1,
        Transfer::Pq => T::SMPTE2084,
        Transfer::Hlg => T::ARIB_STD_B67,
        Transfer::Linear => T::Linear,
    }
}

fn primaries_ff(p: Primaries) -> color::Primaries {
    match p {
        Primaries::Bt709 => color::Primaries::BT709,
        Primaries::Bt601 => color::Primaries::SMPTE170M,
        Primaries::Bt2020 => color::Primaries::BT2020,
        Primaries::P3 => color::Primaries::SMPTE432,
    }
}

fn range_ff(r: Range) -> color::Range {
    match r {
        Range::Limited => color::Range::MPEG,
        Range::Full => color::Range::JPEG,
    }
}

/// A video stream's colour, from its parameters and side data. Untagged
/// facts are guessed: the matrix by size, the range from the pixel format
/// (RGB and `yuvj` formats are full range), transfer and primaries as
/// BT.709 (sRGB for still images).
pub fn source_colour(s: &ff::format::stream::Stream, still: bool) -> SourceColour {
    let par = s.parameters();
    // SAFETY: the parameters belong to the open input the stream comes from;
    // plain fields are copied out.
    let (w, h, trc, pri, spc, rng, fmt) = unsafe {
        let p = &*par.as_ptr();
        (
            p.width.max(0) as u32,
            p.height.max(0) as u32,
            color::TransferCharacteristic::from(p.color_trc),
            color::Primaries::from(p.color_primaries),
            color::Space::from(p.color_space),
            color::Range::from(p.color_range),
            p.format,
        )
    };
    let format = if fmt >= 0 {
        // SAFETY: a video stream's format is an AVPixelFormat value.
        Some(ff::format::Pixel::from(unsafe {
            std::mem::transmute::<i32, ff::ffi::AVPixelFormat>(fmt)
        }))
    } else {
        None
    };
    let mut out = SourceColour::untagged(w, h);
    if still {
        out.colour.transfer = Transfer::Srgb;
    }
    if let Some(t) = transfer_tag(trc) {
        (out.colour.transfer, out.guessed.transfer) = (t, false);
    }
    if let Some(p) = primaries_tag(pri) {
        (out.colour.primaries, out.guessed.primaries) = (p, false);
    }
    if let Some(m) = matrix_tag(spc) {
        (out.colour.matrix, out.guessed.matrix) = (m, false);
    }
    let rgb_or_jpeg = format.is_some_and(full_range_format);
    match rng {
        color::Range::MPEG => (out.colour.range, out.guessed.range) = (Range::Limited, false),
        color::Range::JPEG => (out.colour.range, out.guessed.range) = (Range::Full, false),
        _ if rgb_or_jpeg => (out.colour.range, out.guessed.range) = (Range::Full, false),
        _ => {}
    }
    if let Some(d) = format.and_then(super::picture::depth) {
        out.depth = d;
    }
    for d in s.side_data() {
        match d.kind() {
            SideData::MasteringDisplayMetadata => out.hdr10.mastering = mastering(d.data()),
            SideData::ContentLightLevel => {
                if let Some((cll, fall)) = content_light(d.data()) {
                    (out.hdr10.max_cll, out.hdr10.max_fall) = (Some(cll), Some(fall));
                }
            }
            SideData::DOVI_CONF => out.dolby_vision = dolby_vision(d.data()),
            _ => {}
        }
    }
    out
}

/// HDR10 metadata a decoded picture carries (from the stream's SEI), for
/// streams whose container says nothing.
pub fn frame_hdr10(frame: &ff::frame::Video) -> Hdr10 {
    use ff::util::frame::side_data::Type as FrameData;
    let mut h = Hdr10::default();
    if let Some(d) = frame.side_data(FrameData::MasteringDisplayMetadata) {
        h.mastering = mastering(d.data());
    }
    if let Some((cll, fall)) = frame
        .side_data(FrameData::ContentLightLevel)
        .and_then(|d| content_light(d.data()))
    {
        (h.max_cll, h.max_fall) = (Some(cll), Some(fall));
    }
    h
}

/// RGB and grey formats, and the `yuvj` ones that mean full range.
fn full_range_format(f: ff::format::Pixel) -> bool {
    const FULL: &[&str] = &[
        "yuvj", "rgb", "bgr", "gbr", "argb", "abgr", "pal", "gray", "ya", "monow", "monob",
    ];
    f.descriptor()
        .is_some_and(|d| FULL.iter().any(|p| d.name().starts_with(p)))
}

fn i32_at(b: &[u8], i: usize) -> i32 {
    i32::from_ne_bytes(b[i * 4..i * 4 + 4].try_into().expect("four bytes"))
}

fn rational_at(b: &[u8], i: usize) -> f64 {
    let (n, d) = (i32_at(b, i), i32_at(b, i + 1));
    if d == 0 {
        0.0
    } else {
        n as f64 / d as f64
    }
}

/// libavutil's AVMasteringDisplayMetadata: primaries (3×2 rationals),
/// white point (2), min and max luminance, then has_primaries and
/// has_luminance.
fn mastering(b: &[u8]) -> Option<Mastering> {
    if b.len() < 88 {
        return None;
    }
    let (has_primaries, has_luminance) = (i32_at(b, 20) != 0, i32_at(b, 21) != 0);
    if !has_luminance {
        return None;
    }
    let xy = |k: usize| (rational_at(b, 4 * k), rational_at(b, 4 * k + 2));
    let base = Mastering::bt2020(rational_at(b, 18));
    let primaries = if has_primaries {
        [xy(0), xy(1), xy(2)]
    } else {
        base.primaries
    };
    Some(Mastering {
        primaries,
        white: if has_primaries {
            (rational_at(b, 12), rational_at(b, 14))
        } else {
            base.white
        },
        max_luminance: rational_at(b, 18),
        min_luminance: rational_at(b, 16),
    })
}

/// libavutil's AVContentLightMetadata: MaxCLL, MaxFALL.
fn content_light(b: &[u8]) -> Option<(u32, u32)> {
    (b.len() >= 8).then(|| (i32_at(b, 0) as u32, i32_at(b, 1) as u32))
}

/// libavutil's AVDOVIDecoderConfigurationRecord: eight bytes, the profile
/// third, the base layer's compatibility id last.
fn dolby_vision(b: &[u8]) -> Option<DolbyVision> {
    (b.len() >= 8).then(|| DolbyVision {
        profile: b[2],
        level: b[3],
        compatibility: b[7],
    })
}

/// Gives an encoder the output's colour tags, which it writes into the
/// stream and the muxer copies into the container.
pub fn tag_encoder(enc: &mut ff::encoder::video::Video, c: Colour) {
    enc.set_colorspace(matrix_space(c.matrix));
    enc.set_color_primaries(primaries_ff(c.primaries));
    enc.set_color_transfer_characteristic(transfer_ff(c.transfer));
    enc.set_color_range(range_ff(c.range));
}

/// Gives a frame the output's colour tags: encoders that write tags per
/// frame (ProRes) take them from the frame, not from the encoder.
pub fn tag_frame(frame: &mut ff::frame::Video, c: Colour) {
    frame.set_color_space(matrix_space(c.matrix));
    frame.set_color_primaries(primaries_ff(c.primaries));
    frame.set_color_transfer_characteristic(transfer_ff(c.transfer));
    frame.set_color_range(range_ff(c.range));
}

/// Adds HDR10 static metadata to an output stream, before its header is
/// written: the muxer writes it into the container (`mdcv`/`clli` boxes,
/// Matroska's colour elements).
pub fn add_hdr10(stream: &mut ff::format::stream::StreamMut, hdr10: &Hdr10) {
    if let Some(m) = hdr10.mastering {
        let mut words = [0i32; 22];
        let mut put = |i: usize, v: f64, den: i32| {
            words[i] = (v * den as f64).round() as i32;
            words[i + 1] = den;
        };
        for (k, (x, y)) in m.primaries.iter().enumerate() {
            put(4 * k, *x, 50_000);
            put(4 * k + 2, *y, 50_000);
        }
        put(12, m.white.0, 50_000);
        put(14, m.white.1, 50_000);
        put(16, m.min_luminance, 10_000);
        put(18, m.max_luminance, 10_000);
        words[20] = 1;
        words[21] = 1;
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
        add_side_data(
            stream,
            ff::ffi::AVPacketSideDataType::AV_PKT_DATA_MASTERING_DISPLAY_METADATA,
            &bytes,
        );
    }
    if let (Some(cll), Some(fall)) = (hdr10.max_cll, hdr10.max_fall) {
        let bytes: Vec<u8> = [cll, fall].iter().flat_map(|w| w.to_ne_bytes()).collect();
        add_side_data(
            stream,
            ff::ffi::AVPacketSideDataType::AV_PKT_DATA_CONTENT_LIGHT_LEVEL,
            &bytes,
        );
    }
}

fn add_side_data(
    stream: &mut ff::format::stream::StreamMut,
    kind: ff::ffi::AVPacketSideDataType,
    bytes: &[u8],
) {
    // SAFETY: the stream belongs to an output context whose header is not
    // written yet; libavformat allocates `bytes.len()` bytes and owns them.
    unsafe {
        let p = ff::ffi::av_stream_new_side_data(stream.as_mut_ptr(), kind, bytes.len());
        if !p.is_null() {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
        }
    }
}
