//! A moving clip's picture: each frame's rect of the working picture,
//! resampled with sub-pixel precision into an output frame.

use crate::error::{Error, Result};
use crate::resample::{self, Plane, PlaneMut};
use ffmpeg_next as ff;

/// Takes `rect` (pixels of `src`, fractional) into a new `width`x`height`
/// frame of `src`'s format; what lies outside `src` takes `fill`'s colour
/// (a frame of the background in the same format).
pub fn take(
    src: &ff::frame::Video,
    rect: [f64; 4],
    width: u32,
    height: u32,
    fill: &ff::frame::Video,
) -> Result<ff::frame::Video> {
    let format = src.format();
    let desc = format
        .descriptor()
        .ok_or(Error::Unexpected("a pixel format without a descriptor"))?;
    let depth = depth(desc.name());
    let mut out = ff::frame::Video::new(format, width, height);
    for p in 0..src.planes() {
        let (sx, sy) = if p == 0 || p == 3 {
            (0, 0)
        } else {
            (desc.log2_chroma_w(), desc.log2_chroma_h())
        };
        let (fx, fy) = (f64::from(1u32 << sx), f64::from(1u32 << sy));
        let r = [rect[0] / fx, rect[1] / fy, rect[2] / fx, rect[3] / fy];
        let (sw, sh) = (src.plane_width(p) as usize, src.plane_height(p) as usize);
        let (dw, dh) = (out.plane_width(p) as usize, out.plane_height(p) as usize);
        let (ss, ds) = (src.stride(p), out.stride(p));
        if depth <= 8 {
            let fill = fill.data(p)[0];
            let data = src.data(p);
            let plane = Plane {
                data,
                stride: ss,
                width: sw,
                height: sh,
            };
            let mut dst = PlaneMut {
                data: out.data_mut(p),
                stride: ds,
                width: dw,
                height: dh,
            };
            resample::resample(&plane, &mut dst, r, fill, 255.0);
        } else {
            let words = |b: &[u8]| -> Vec<u16> {
                b.chunks_exact(2)
                    .map(|c| u16::from_ne_bytes([c[0], c[1]]))
                    .collect()
            };
            let fill = words(&fill.data(p)[..2])[0];
            let data = words(src.data(p));
            let mut buf = vec![0u16; ds / 2 * dh];
            resample::resample(
                &Plane {
                    data: &data,
                    stride: ss / 2,
                    width: sw,
                    height: sh,
                },
                &mut PlaneMut {
                    data: &mut buf,
                    stride: ds / 2,
                    width: dw,
                    height: dh,
                },
                r,
                fill,
                ((1u32 << depth) - 1) as f32,
            );
            for (d, v) in out.data_mut(p).chunks_exact_mut(2).zip(&buf) {
                d.copy_from_slice(&v.to_ne_bytes());
            }
        }
    }
    Ok(out)
}

/// Bits per sample of a planar YUV format, from its name (`yuv420p10le`).
fn depth(name: &str) -> u32 {
    let digits: String = name
        .trim_end_matches("le")
        .trim_end_matches("be")
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    match digits.parse::<u32>() {
        Ok(d) if (9..=16).contains(&d) => d,
        _ => 8,
    }
}
