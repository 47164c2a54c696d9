//! An `[[overlay]]`'s pictures: a still image held, or an animation (an
//! animated GIF or WebP, a video with or without alpha) played in time from
//! the layer's first frame and held on its last picture after its end.
//! Each picture is read by libavfilter's `movie` source, scaled to its size
//! and converted to the output's format with an alpha plane, in the
//! output's colour (an sRGB image is placed with its white at reference
//! white in HDR).

use crate::error::{Context, Error, Result};
use crate::ffmpeg;
use crate::layers::ImageDraw;
use crate::time::Ratio;
use ffmpeg_next as ff;

/// Seeking the source is worth it only this far into it (seconds): a
/// shorter animation is read from its start.
const SEEK_AFTER: i64 = 5;

/// One overlay's pictures, read in order as the timeline asks for them.
pub struct Overlay {
    /// The source, until it has given its last picture.
    graph: Option<ff::filter::Graph>,
    /// The picture shown now, and the source's next one (read ahead).
    shown: ff::frame::Video,
    next: Option<ff::frame::Video>,
    /// The sink's time base: the pictures' timestamps are in it.
    time_base: Ratio,
    fps: Ratio,
    /// The layer's first timeline frame: the source's time 0.
    start: u64,
}

impl Overlay {
    /// Opens `d`'s source for a layer that starts at timeline frame
    /// `start.0`, to be asked for frames from `start.1` on.
    pub fn open(
        d: &ImageDraw,
        pix_fmt: &str,
        colour: &crate::colour::OutputColour,
        fps: Ratio,
        start: (u64, u64),
    ) -> Result<Overlay> {
        let what = format!("reading the overlay image {}", d.source.display());
        // Into a long animation, the source seeks to a second ahead of
        // the first picture asked; pictures before it are read past.
        let into = Ratio::from_integer(start.1.saturating_sub(start.0) as i64) / fps;
        let seek = match into.to_integer() {
            s if s > SEEK_AFTER => format!(":seek_point={}", s - 1),
            _ => String::new(),
        };
        let mut graph = ffmpeg::chain(
            "movie",
            &format!("filename={}{seek}", ffmpeg::filter_option_path(&d.source)),
            "buffersink",
            &conversion(d, pix_fmt, colour)?,
        )
        .context(|| what)?;
        let tb = ffmpeg::sink_time_base(&mut graph);
        let mut shown = ff::frame::Video::empty();
        if !ffmpeg::pull(&mut graph, &mut shown) {
            return Err(Error::Unexpected("an overlay image gave no picture"));
        }
        let mut overlay = Overlay {
            graph: Some(graph),
            shown,
            next: None,
            time_base: Ratio::new(tb.numerator() as i64, tb.denominator().max(1) as i64),
            fps,
            start: start.0,
        };
        overlay.read_next();
        Ok(overlay)
    }

    /// The picture at timeline frame `k` (asked in increasing order): the
    /// last one whose time is not after the frame's.
    pub fn at(&mut self, k: u64) -> Result<&ff::frame::Video> {
        let t = Ratio::from_integer(k.saturating_sub(self.start) as i64) / self.fps;
        while let Some(next) = self.next.take() {
            let due = next.pts().map(|p| Ratio::from_integer(p) * self.time_base);
            if due.is_some_and(|d| d > t) {
                self.next = Some(next);
                break;
            }
            self.shown = next;
            self.read_next();
        }
        Ok(&self.shown)
    }

    /// Reads the source's next picture; at its end, closes it.
    fn read_next(&mut self) {
        if let Some(graph) = self.graph.as_mut() {
            let mut frame = ff::frame::Video::empty();
            if ffmpeg::pull(graph, &mut frame) {
                self.next = Some(frame);
            } else {
                self.graph = None;
            }
        }
    }
}

/// The chain from the source's pictures to the output's format with alpha.
fn conversion(
    d: &ImageDraw,
    pix_fmt: &str,
    colour: &crate::colour::OutputColour,
) -> Result<String> {
    let with_alpha = pix_fmt
        .strip_prefix("yuva")
        .or_else(|| pix_fmt.strip_prefix("yuv"))
        .map(|rest| format!("yuva{rest}"))
        .ok_or(Error::Unexpected(
            "image overlays need a planar YUV pix_fmt",
        ))?;
    Ok(match colour.space {
        crate::colour::Space::Sdr => format!(
            "scale={}:{}:flags=bicubic:out_color_matrix=bt709:out_range=tv,\
             format=pix_fmts={with_alpha}",
            d.width, d.height
        ),
        space => format!(
            "scale={}:{}:flags=bicubic,format=gbrap,zscale=tin=iec61966-2-1:pin=bt709:rin=full:\
             t={}:p=bt2020:m=2020_ncl:r=limited:npl={},format=pix_fmts={with_alpha}",
            d.width,
            d.height,
            space.colour().transfer.zscale(),
            colour.reference_white
        ),
    })
}
