//! Crossfades on the planes of two conformed frames:
//! `out = a * (1 - w) + b * w`, `w = step / steps`, rounded to nearest.

use crate::error::{Context, Error, Result};
use crate::glue;
use ffmpeg_next as ff;

/// Blends `a` and `b` (same format and size) into `out`.
pub fn blend(
    a: &ff::frame::Video,
    b: &ff::frame::Video,
    step: u64,
    steps: u64,
    out: &mut ff::frame::Video,
) -> Result<()> {
    if a.format() != b.format() || a.width() != b.width() || a.height() != b.height() {
        return Err(Error::Unexpected(
            "crossfade between frames of different formats",
        ));
    }
    let format = a.format();
    let depth = glue::depth(format).ok_or(Error::Unexpected("crossfade: unknown pixel format"))?;
    let wb = step as u32;
    let wa = (steps - step) as u32;
    let den = steps as u32;
    for plane in 0..a.planes() {
        let row = glue::row_bytes(format, a.width(), plane).ok_or(Error::Unexpected(
            "crossfade: cannot size the picture planes",
        ))?;
        let rows = a.plane_height(plane) as usize;
        let (sa, sb, so) = (a.stride(plane), b.stride(plane), out.stride(plane));
        let (da, db) = (a.data(plane), b.data(plane));
        let dout = out.data_mut(plane);
        for y in 0..rows {
            let ra = &da[y * sa..y * sa + row];
            let rb = &db[y * sb..y * sb + row];
            let ro = &mut dout[y * so..y * so + row];
            if depth > 8 {
                for ((o, x), z) in ro
                    .chunks_exact_mut(2)
                    .zip(ra.chunks_exact(2))
                    .zip(rb.chunks_exact(2))
                {
                    let xa = u16::from_le_bytes([x[0], x[1]]) as u32;
                    let xb = u16::from_le_bytes([z[0], z[1]]) as u32;
                    let v = ((xa * wa + xb * wb + den / 2) / den) as u16;
                    o.copy_from_slice(&v.to_le_bytes());
                }
            } else {
                for ((o, &x), &z) in ro.iter_mut().zip(ra).zip(rb) {
                    *o = ((x as u32 * wa + z as u32 * wb + den / 2) / den) as u8;
                }
            }
        }
    }
    Ok(())
}

/// A black frame (BT.709 limited range, as every output frame) of the
/// output's size and pixel format, made by libavfilter.
pub fn black(output: &crate::edl::Output) -> Result<ff::frame::Video> {
    solid(output, [0, 0, 0])
}

/// A frame of one colour (a card's background), as [`black`].
pub fn solid(output: &crate::edl::Output, rgb: [u8; 3]) -> Result<ff::frame::Video> {
    let what = || "making a frame of one colour";
    let mut graph = glue::chain(
        "color",
        &format!(
            "c=0x{:02x}{:02x}{:02x}:s={}x{}:r=1:d=1",
            rgb[0], rgb[1], rgb[2], output.width, output.height
        ),
        "buffersink",
        &format!(
            "scale=out_range=tv:out_color_matrix=bt709,format=pix_fmts={}",
            output.video.pix_fmt
        ),
    )
    .context(what)?;
    let mut frame = ff::frame::Video::empty();
    if !glue::pull(&mut graph, &mut frame) {
        return Err(Error::Unexpected(
            "making a black frame: the graph gave none",
        ));
    }
    Ok(frame)
}
