//! An animated GIF from the encoded segments (lossless PNG pictures, see
//! [`crate::pictures::GIF_INTERMEDIATE`]), in two passes so that memory
//! stays bounded: the pictures are decoded once for libavfilter's
//! `palettegen` to choose one palette for the whole GIF, and again for
//! `paletteuse` to map them onto it; then the `gif` encoder and muxer,
//! looping forever, one GIF frame per output frame.

use super::join::SegmentFile;
use crate::error::{Context, Error, Result};
use crate::ffmpeg;
use crate::packet::{self, Content};
use crate::plan::Plan;
use ffmpeg_next as ff;
use std::io::{Seek, SeekFrom};
use std::path::Path;

/// The palette: from every pixel of every picture (`full`: a montage's
/// shots are not one static scene with motion over it), 255 colours and
/// one kept for transparency.
const PALETTEGEN: &str = "palettegen=stats_mode=full";

/// Mapping onto the palette: Sierra-2-4A error diffusion (FFmpeg's
/// default, smooth gradients), confined to the rectangle that changed from
/// the previous picture so that still areas do not shimmer and compress
/// well.
const PALETTEUSE: &str = "paletteuse=dither=sierra2_4a:diff_mode=rectangle";

/// Writes the GIF of `plan`'s encoded `segments` (whose stream has
/// `params`) to `path`.
pub(super) fn write(
    plan: &Plan,
    params: &ff::codec::Parameters,
    mut segments: Vec<SegmentFile>,
    path: &Path,
) -> Result<()> {
    let what = || format!("writing the GIF {}", path.display());
    let palette = make_palette(params, &mut segments)?;
    rewind(&mut segments)?;
    let fps = plan.output.fps;
    let time_base = ff::Rational::new(*fps.denom() as i32, *fps.numer() as i32);
    let mut out = GifOut::open(path, plan, time_base).context(what)?;
    let mut graph: Option<ff::filter::Graph> = None;
    let mut mapped = ff::frame::Video::empty();
    decode_all(params, &mut segments, |frame, index| {
        if graph.is_none() {
            graph = Some(paletteuse_graph(frame, &palette, time_base).context(what)?);
        }
        let g = graph.as_mut().expect("made above");
        ffmpeg::push_stamped(g, "in0", frame, index as i64).context(what)?;
        while ffmpeg::pull(g, &mut mapped) {
            out.encode(&mapped).context(what)?;
        }
        Ok(())
    })?;
    let mut g = graph.ok_or(Error::Unexpected("the GIF has no picture"))?;
    let mut src = g.get("in0").ok_or(Error::Unexpected("no GIF input"))?;
    src.source().flush().context(what)?;
    while ffmpeg::pull(&mut g, &mut mapped) {
        out.encode(&mapped).context(what)?;
    }
    out.finish().context(what)
}

/// The first pass: the palette of every picture.
fn make_palette(
    params: &ff::codec::Parameters,
    segments: &mut [SegmentFile],
) -> Result<ff::frame::Video> {
    let what = || "choosing the GIF's palette";
    let mut graph: Option<ff::filter::Graph> = None;
    decode_all(params, segments, |frame, index| {
        if graph.is_none() {
            graph = Some(ffmpeg::video_chain(frame, ff::Rational(1, 1), PALETTEGEN).context(what)?);
        }
        let g = graph.as_mut().expect("made above");
        let mut f = ffmpeg::new_ref(frame).context(what)?;
        f.set_pts(Some(index as i64));
        ffmpeg::push(g, Some(&f)).context(what)
    })?;
    let mut g = graph.ok_or(Error::Unexpected("the GIF has no picture"))?;
    ffmpeg::push(&mut g, None).context(what)?;
    let mut palette = ff::frame::Video::empty();
    match ffmpeg::pull(&mut g, &mut palette) {
        true => Ok(palette),
        false => Err(Error::Unexpected("palettegen gave no palette")),
    }
}

/// `[in0]` the pictures and `[in1]` the palette (given, then ended) into
/// `paletteuse`.
fn paletteuse_graph(
    frame: &ff::frame::Video,
    palette: &ff::frame::Video,
    time_base: ff::Rational,
) -> Result<ff::filter::Graph, ff::Error> {
    let args = |f: &ff::frame::Video| {
        format!(
            "video_size={}x{}:pix_fmt={}:time_base={}/{}:pixel_aspect=1/1",
            f.width(),
            f.height(),
            ff::ffi::AVPixelFormat::from(f.format()) as i32,
            time_base.numerator(),
            time_base.denominator(),
        )
    };
    let mut graph = ff::filter::Graph::new();
    let find = |name| ff::filter::find(name).ok_or(ff::Error::FilterNotFound);
    graph.add(&find("buffer")?, "in0", &args(frame))?;
    graph.add(&find("buffer")?, "in1", &args(palette))?;
    graph.add(&find("buffersink")?, "out", "")?;
    graph
        .output("in0", 0)?
        .output("in1", 0)?
        .input("out", 0)?
        .parse(&format!("[in0][in1]{PALETTEUSE}[out]"))?;
    graph.validate()?;
    ffmpeg::push_stamped(&mut graph, "in1", palette, 0)?;
    graph
        .get("in1")
        .ok_or(ff::Error::FilterNotFound)?
        .source()
        .flush()?;
    Ok(graph)
}

/// Decodes every picture of the segments in order, calling `f` with each
/// and its index from the render's first frame.
fn decode_all(
    params: &ff::codec::Parameters,
    segments: &mut [SegmentFile],
    mut f: impl FnMut(&ff::frame::Video, u64) -> Result<()>,
) -> Result<()> {
    let what = || "decoding the GIF's pictures";
    let mut frame = ff::frame::Video::empty();
    for seg in segments {
        let file = seg
            .file
            .try_clone()
            .map_err(|e| Error::io("reading", &seg.name, e))?;
        let mut reader = packet::Reader::open(file, &seg.name, Content::Segment)?;
        let ctx = ff::codec::context::Context::from_parameters(params.clone()).context(what)?;
        let mut decoder = ctx.decoder().video().context(what)?;
        let mut index = seg.first_frame;
        let mut receive = |decoder: &mut ff::decoder::Video| -> Result<()> {
            while decoder.receive_frame(&mut frame).is_ok() {
                f(&frame, index)?;
                index += 1;
            }
            Ok(())
        };
        while let Some(p) = reader.read()? {
            crate::signal::check()?;
            decoder
                .send_packet(&ffmpeg::read_packet(&p))
                .context(what)?;
            receive(&mut decoder)?;
        }
        decoder.send_eof().context(what)?;
        receive(&mut decoder)?;
    }
    Ok(())
}

/// Sets every segment's file back to its start, for the second pass.
fn rewind(segments: &mut [SegmentFile]) -> Result<()> {
    for seg in segments {
        seg.file
            .seek(SeekFrom::Start(0))
            .map_err(|e| Error::io("reading", &seg.name, e))?;
    }
    Ok(())
}

/// The `gif` encoder and muxer.
struct GifOut {
    encoder: ff::encoder::Video,
    octx: ff::format::context::Output,
    time_base: ff::Rational,
    stream_time_base: ff::Rational,
    next: i64,
}

impl GifOut {
    fn open(path: &Path, plan: &Plan, time_base: ff::Rational) -> Result<GifOut, ff::Error> {
        let codec = ff::encoder::find_by_name("gif").ok_or(ff::Error::EncoderNotFound)?;
        let mut enc = ff::codec::context::Context::new_with_codec(codec)
            .encoder()
            .video()?;
        enc.set_width(plan.output.width);
        enc.set_height(plan.output.height);
        enc.set_format(ff::format::Pixel::PAL8);
        enc.set_time_base(time_base);
        let encoder = enc.open_as(codec)?;
        let mut octx = ff::format::output_as(&path, "gif")?;
        ffmpeg::set_bitexact(&mut octx);
        let mut st = octx.add_stream(codec)?;
        st.set_parameters(ff::codec::Parameters::from(&encoder));
        st.set_time_base(time_base);
        let mut opts = ff::Dictionary::new();
        // Loops forever.
        opts.set("loop", "0");
        octx.write_header_with(opts)?;
        let stream_time_base = octx.stream(0).expect("added").time_base();
        Ok(GifOut {
            encoder,
            octx,
            time_base,
            stream_time_base,
            next: 0,
        })
    }

    fn encode(&mut self, frame: &ff::frame::Video) -> Result<(), ff::Error> {
        let mut f = ffmpeg::new_ref(frame)?;
        f.set_pts(Some(self.next));
        self.next += 1;
        self.encoder.send_frame(&f)?;
        self.drain()
    }

    fn drain(&mut self) -> Result<(), ff::Error> {
        let mut p = ff::Packet::empty();
        while self.encoder.receive_packet(&mut p).is_ok() {
            p.set_stream(0);
            p.set_duration(1);
            p.rescale_ts(self.time_base, self.stream_time_base);
            p.write_interleaved(&mut self.octx)?;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<(), ff::Error> {
        self.encoder.send_eof()?;
        self.drain()?;
        self.octx.write_trailer()
    }
}
