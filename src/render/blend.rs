//! Transitions between two conformed frames. A crossfade is done on the
//! planes: `out = a * (1 - w) + b * w`, `w = step / steps`, rounded to
//! nearest; a dip is two of them through a colour; every other kind is
//! libavfilter's `xfade`, driven so that step `j+1` of `steps` shows
//! xfade's picture at progress `1 - (j+1)/steps`.

use crate::error::{Context, Error, Result};
use crate::ffmpeg;
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
    let depth =
        ffmpeg::depth(format).ok_or(Error::Unexpected("crossfade: unknown pixel format"))?;
    let wb = step as u32;
    let wa = (steps - step) as u32;
    let den = steps as u32;
    for plane in 0..a.planes() {
        let row = ffmpeg::row_bytes(format, a.width(), plane).ok_or(Error::Unexpected(
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
/// In an output that keeps alpha, it is transparent.
pub fn black(output: &crate::edl::Output) -> Result<ff::frame::Video> {
    let opacity = if output.transparent { "@0" } else { "" };
    paint(output, [0, 0, 0], opacity)
}

/// A frame of the output's background: transparent where the output keeps
/// alpha.
pub fn background(output: &crate::edl::Output) -> Result<ff::frame::Video> {
    match output.transparent {
        true => black(output),
        false => solid(output, output.background),
    }
}

/// A frame of one colour (a card's background), as [`black`] but opaque.
pub fn solid(output: &crate::edl::Output, rgb: [u8; 3]) -> Result<ff::frame::Video> {
    paint(output, rgb, "")
}

/// A frame of one colour at `opacity` ("" or "@0").
fn paint(output: &crate::edl::Output, rgb: [u8; 3], opacity: &str) -> Result<ff::frame::Video> {
    let what = || "making a frame of one colour";
    // In the output's colour: in HDR, zscale places the colour with its
    // white at reference white exactly as it places an SDR clip's.
    let convert = match output.color.space {
        crate::colour::Space::Sdr => "scale=out_range=tv:out_color_matrix=bt709".to_string(),
        space => format!(
            "format=gbrp,zscale=tin=bt709:pin=bt709:rin=full:t={}:p=bt2020:m=2020_ncl:\
             r=limited:npl={}",
            space.colour().transfer.zscale(),
            output.color.reference_white
        ),
    };
    let mut graph = ffmpeg::chain(
        "color",
        &format!(
            "c=0x{:02x}{:02x}{:02x}{opacity}:s={}x{}:r=1:d=1",
            rgb[0], rgb[1], rgb[2], output.width, output.height
        ),
        "buffersink",
        &format!(
            "{}{convert},format=pix_fmts={}",
            // libavfilter would drop the alpha of a colour with opacity on
            // the way to a format without it.
            if opacity.is_empty() {
                ""
            } else {
                "format=yuva444p,"
            },
            output.video.pix_fmt
        ),
    )
    .context(what)?;
    let mut frame = ff::frame::Video::empty();
    if !ffmpeg::pull(&mut graph, &mut frame) {
        return Err(Error::Unexpected(
            "making a black frame: the graph gave none",
        ));
    }
    Ok(frame)
}

/// Step `step` of `steps` of a dip through `colour`: the outgoing picture
/// fades to the colour over the first half, the incoming one from it over
/// the second (at exactly half way, the colour alone).
pub fn dip(
    a: &ff::frame::Video,
    b: &ff::frame::Video,
    colour: &ff::frame::Video,
    step: u64,
    steps: u64,
    out: &mut ff::frame::Video,
) -> Result<()> {
    // p = step/steps; before the middle, a -> colour at 2p; after it,
    // colour -> b at 2p - 1.
    if 2 * step <= steps {
        blend(a, colour, 2 * step, steps, out)
    } else {
        blend(colour, b, 2 * step - steps, steps, out)
    }
}

/// One transition through libavfilter's `xfade`. Its progress runs from 1
/// (the first input) to 0 as `1 - (pts - first_pts - offset) / duration`;
/// with a time base of `1/steps`, a duration of one second, an offset of
/// one tick and a first picture of the first input at pts 0 (passed
/// through before the offset and dropped when the graph is made), the
/// picture stamped `step + 1` is exactly progress `1 - step/steps`,
/// whichever frame a segment starts at. Progress 1 itself is never drawn:
/// FFmpeg 5.1's `slideup` reads one row past the picture there (a crash at
/// 16 bits).
pub struct Xfade {
    graph: ff::filter::Graph,
}

impl Xfade {
    /// `pix_fmt` is the output's: xfade works on unsubsampled pictures,
    /// so libavfilter converts on the way in, and this converts back.
    pub fn new(kind: &str, like: &ff::frame::Video, steps: u64, pix_fmt: &str) -> Result<Xfade> {
        let what = || format!("starting the {kind} transition");
        let mut graph = ffmpeg::video_pair(
            like,
            ff::Rational::new(1, steps as i32),
            &format!(
                "xfade=transition={kind}:duration=1:offset={}us,format=pix_fmts={pix_fmt}",
                tick_microseconds(steps)
            ),
        )
        .context(what)?;
        ffmpeg::push_stamped(&mut graph, "in0", like, 0).context(what)?;
        let mut first = ff::frame::Video::empty();
        if !ffmpeg::pull(&mut graph, &mut first) {
            return Err(Error::Unexpected("xfade gave no first picture"));
        }
        Ok(Xfade { graph })
    }

    /// Step `step` (1-based) of the transition from `a` to `b`.
    pub fn frame(
        &mut self,
        a: &ff::frame::Video,
        b: &ff::frame::Video,
        step: u64,
    ) -> Result<ff::frame::Video> {
        let what = || "a transition";
        let pts = step as i64 + 1;
        ffmpeg::push_stamped(&mut self.graph, "in0", a, pts).context(what)?;
        ffmpeg::push_stamped(&mut self.graph, "in1", b, pts).context(what)?;
        let mut out = ff::frame::Video::empty();
        if !ffmpeg::pull(&mut self.graph, &mut out) {
            return Err(Error::Unexpected("xfade gave no picture"));
        }
        Ok(out)
    }
}

/// One tick of a `1/steps` time base in microseconds, as `xfade` takes
/// its offset: rounded, it comes back to exactly one tick.
fn tick_microseconds(steps: u64) -> u64 {
    (1_000_000 + steps / 2) / steps.max(1)
}
