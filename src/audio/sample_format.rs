//! Sample formats at the encoder and decoder boundary: which format an
//! audio encoder is given (the one it takes that loses least), the mix's
//! planar float samples converted to it, and whatever a decoder gives back
//! converted to planar float again for the meters.
//!
//! The conversion is written out rather than handed to swresample because
//! it is one exact step: each sample scaled, rounded to the nearest code
//! of the encoder's real depth (24 bits in a 32-bit word for PCM 24, FLAC
//! and ALAC) and clipped, with no dither, so the same mix always gives the
//! same bytes.

use ff::format::sample::Type::{Packed, Planar};
use ff::format::Sample;
use ffmpeg_next as ff;

/// The sample formats reel can give an encoder, best first: float keeps
/// the mix as it is; of the integer formats, the deepest.
const PREFERRED: [Sample; 12] = [
    Sample::F32(Planar),
    Sample::F32(Packed),
    Sample::F64(Planar),
    Sample::F64(Packed),
    Sample::I32(Planar),
    Sample::I32(Packed),
    Sample::I16(Planar),
    Sample::I16(Packed),
    Sample::U8(Planar),
    Sample::U8(Packed),
    Sample::I64(Planar),
    Sample::I64(Packed),
];

/// The format to give `codec`: the first of [`PREFERRED`] it takes (planar
/// float when it does not say), or `None` when it takes none of them.
pub fn choose(codec: &ff::Codec) -> Option<Sample> {
    let takes: Vec<Sample> = match codec.audio().ok()?.formats() {
        Some(formats) => formats.collect(),
        None => return Some(Sample::F32(Planar)),
    };
    PREFERRED.into_iter().find(|f| takes.contains(f))
}

/// How a format is named in messages ("planar float", "packed s32").
pub fn describe(format: Sample) -> String {
    let (kind, name) = match format {
        Sample::F32(t) => (t, "float"),
        Sample::F64(t) => (t, "double"),
        Sample::I16(t) => (t, "s16"),
        Sample::I32(t) => (t, "s32"),
        Sample::I64(t) => (t, "s64"),
        Sample::U8(t) => (t, "u8"),
        Sample::None => return "no format".into(),
    };
    let kind = if kind == Planar { "planar" } else { "packed" };
    format!("{kind} {name}")
}

/// The bits a sample of `format` holds.
pub fn container_bits(format: Sample) -> u32 {
    format.bytes() as u32 * 8
}

/// The depth integer samples are rounded to: the encoder's
/// `bits_per_raw_sample` where it is less than the format holds (24 in
/// s32), else the format's. Float samples are passed as they are.
pub fn depth(format: Sample, raw_bits: u32) -> u32 {
    let full = container_bits(format);
    let float = matches!(format, Sample::F32(_) | Sample::F64(_));
    if !float && raw_bits > 0 && raw_bits < full {
        raw_bits
    } else {
        full
    }
}

/// `x` (full scale ±1) as a signed integer of `bits` bits: rounded to the
/// nearest code and clipped to the range (NaN is silence).
pub fn quantise(x: f32, bits: u32) -> i64 {
    let scale = (1i64 << (bits - 1)) as f64;
    let v = (x as f64 * scale).round();
    if v.is_nan() {
        0
    } else {
        v.clamp(-scale, scale - 1.0) as i64
    }
}

/// A frame of `format` holding the first `n` samples of each of `planes`,
/// followed by silence up to `alloc` samples; integer samples rounded to
/// `depth` bits (see [`depth`]).
pub fn frame(
    format: Sample,
    depth: u32,
    planes: &[Vec<f32>],
    n: usize,
    alloc: usize,
) -> ff::frame::Audio {
    let layout = ff::ChannelLayout::default(planes.len() as i32);
    let mut frame = ff::frame::Audio::new(format, alloc, layout);
    let width = format.bytes();
    let channels = planes.len();
    let shift = container_bits(format) - depth;
    // Where sample `i` of channel `ch` goes: its plane and byte offset.
    let place = |ch: usize, i: usize| {
        if format.is_planar() {
            (ch, i * width)
        } else {
            (0, (i * channels + ch) * width)
        }
    };
    for (ch, samples) in planes.iter().enumerate() {
        let padded = samples[..n].iter().copied().chain(std::iter::repeat(0.0));
        for (i, x) in padded.take(alloc).enumerate() {
            let (plane, at) = place(ch, i);
            let out = &mut frame.data_mut(plane)[at..at + width];
            write_sample(format, x, depth, shift, out);
        }
    }
    frame
}

/// One sample `x` into `out` (native byte order) as `format` holds it.
fn write_sample(format: Sample, x: f32, depth: u32, shift: u32, out: &mut [u8]) {
    match format {
        Sample::F32(_) => out.copy_from_slice(&x.to_ne_bytes()),
        Sample::F64(_) => out.copy_from_slice(&(x as f64).to_ne_bytes()),
        Sample::I16(_) => {
            out.copy_from_slice(&((quantise(x, depth) << shift) as i16).to_ne_bytes())
        }
        Sample::I32(_) => {
            out.copy_from_slice(&((quantise(x, depth) << shift) as i32).to_ne_bytes())
        }
        Sample::I64(_) => {
            out.copy_from_slice(&(quantise(x, depth.min(53)) << (64 - depth.min(53))).to_ne_bytes())
        }
        Sample::U8(_) => out[0] = (quantise(x, 8) + 128) as u8,
        Sample::None => {}
    }
}

/// Appends the samples of a decoded `frame`, whatever its format, to
/// `out` (one vector per channel) as planar float at full scale ±1.
/// Returns false for a format it cannot read.
pub fn append_planar(frame: &ff::frame::Audio, out: &mut [Vec<f32>]) -> bool {
    let format = frame.format();
    let width = format.bytes();
    let n = frame.samples();
    let channels = frame.channels() as usize;
    if width == 0 || channels < out.len() {
        return false;
    }
    for (ch, o) in out.iter_mut().enumerate() {
        let (plane, start, step) = if format.is_planar() {
            (ch, 0, width)
        } else {
            (0, ch * width, channels * width)
        };
        let data = frame.data(plane);
        o.extend((0..n).map(|i| read_sample(format, &data[start + i * step..][..width])));
    }
    true
}

/// One sample of `format` from `bytes` (native byte order), full scale ±1.
fn read_sample(format: Sample, b: &[u8]) -> f32 {
    match format {
        Sample::F32(_) => f32::from_ne_bytes(b.try_into().expect("4 bytes")),
        Sample::F64(_) => f64::from_ne_bytes(b.try_into().expect("8 bytes")) as f32,
        Sample::I16(_) => i16::from_ne_bytes(b.try_into().expect("2 bytes")) as f32 / 32768.0,
        Sample::I32(_) => {
            (i32::from_ne_bytes(b.try_into().expect("4 bytes")) as f64 / 2147483648.0) as f32
        }
        Sample::I64(_) => {
            (i64::from_ne_bytes(b.try_into().expect("8 bytes")) as f64 / 9223372036854775808.0)
                as f32
        }
        Sample::U8(_) => (b[0] as f32 - 128.0) / 128.0,
        Sample::None => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_round_to_the_nearest_code_and_clip() {
        assert_eq!(quantise(0.0, 16), 0);
        assert_eq!(quantise(1.0, 16), 32767);
        assert_eq!(quantise(-1.0, 16), -32768);
        assert_eq!(quantise(2.5, 16), 32767);
        assert_eq!(quantise(-7.0, 24), -(1 << 23));
        assert_eq!(quantise(f32::NAN, 24), 0);
        // 0.5 LSB rounds away from zero; just under it rounds to 0.
        assert_eq!(quantise(0.5 / 32768.0, 16), 1);
        assert_eq!(quantise(0.49 / 32768.0, 16), 0);
        assert_eq!(quantise(-1.5 / 8388608.0, 24), -2);
        assert_eq!(quantise(0.25, 32), 1 << 29);
    }

    #[test]
    fn the_depth_is_the_encoders_where_it_is_less_than_the_format() {
        assert_eq!(depth(Sample::I32(Packed), 24), 24);
        assert_eq!(depth(Sample::I32(Packed), 0), 32);
        assert_eq!(depth(Sample::I16(Planar), 16), 16);
        assert_eq!(depth(Sample::F32(Planar), 24), 32);
    }

    /// A frame written in `format` reads back as the samples rounded to
    /// `depth` bits, and the padding is silence.
    fn round_trip(format: Sample, depth: u32) {
        ff::init().unwrap();
        let planes = vec![vec![0.5, -0.25, 1.5, 0.1], vec![-1.0, 0.0, 0.3, -0.7]];
        let f = frame(format, depth, &planes, 4, 6);
        assert_eq!(f.samples(), 6);
        let mut out = vec![Vec::new(), Vec::new()];
        assert!(append_planar(&f, &mut out));
        let lsb = 1.0 / (1u64 << (depth - 1)) as f32;
        for (ch, samples) in planes.iter().enumerate() {
            assert_eq!(out[ch].len(), 6);
            for (i, &x) in samples.iter().enumerate() {
                let want = if matches!(format, Sample::F32(_) | Sample::F64(_)) {
                    x
                } else {
                    x.clamp(-1.0, 1.0 - lsb)
                };
                assert!(
                    (out[ch][i] - want).abs() <= lsb / 2.0 + 1e-7,
                    "{format:?} {ch} {i}"
                );
            }
            assert_eq!(&out[ch][4..], &[0.0, 0.0]);
        }
        // The codes sit on the depth's grid: the bits below it are zero.
        if let Sample::I32(_) = format {
            let word = i32::from_ne_bytes(f.data(0)[..4].try_into().unwrap());
            assert_eq!(word & ((1 << (32 - depth)) - 1), 0);
            assert_eq!(word, 1 << 30, "0.5 in s32");
        }
    }

    #[test]
    fn every_format_round_trips() {
        round_trip(Sample::F32(Planar), 32);
        round_trip(Sample::F32(Packed), 32);
        round_trip(Sample::I16(Planar), 16);
        round_trip(Sample::I16(Packed), 16);
        round_trip(Sample::I32(Packed), 24);
        round_trip(Sample::I32(Planar), 32);
        round_trip(Sample::F64(Packed), 64);
    }

    #[test]
    fn encoders_get_the_best_format_they_take() {
        ff::init().unwrap();
        let pick = |name: &str| choose(&ff::encoder::find_by_name(name).unwrap()).unwrap();
        assert_eq!(pick("aac"), Sample::F32(Planar));
        assert_eq!(pick("pcm_s16le"), Sample::I16(Packed));
        assert_eq!(pick("pcm_s24le"), Sample::I32(Packed));
        assert_eq!(pick("pcm_f32le"), Sample::F32(Packed));
        assert_eq!(pick("flac"), Sample::I32(Packed));
        assert_eq!(pick("alac"), Sample::I32(Planar));
        assert_eq!(pick("libopus"), Sample::F32(Packed));
        assert_eq!(pick("libmp3lame"), Sample::F32(Planar));
        assert_eq!(pick("eac3"), Sample::F32(Planar));
    }
}
