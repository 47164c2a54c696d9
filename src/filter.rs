//! One-input, one-output libavfilter graphs, as used to conform pictures
//! (scale, pad, crop, format) and sound (aresample, aformat).

use ffmpeg_next as ff;

/// Builds `source(args) -> spec -> sink`, with the ends named "in" and "out".
pub fn chain(
    source: &str,
    args: &str,
    sink: &str,
    spec: &str,
) -> Result<ff::filter::Graph, ff::Error> {
    let mut graph = ff::filter::Graph::new();
    let find = |name| ff::filter::find(name).ok_or(ff::Error::FilterNotFound);
    graph.add(&find(source)?, "in", args)?;
    graph.add(&find(sink)?, "out", "")?;
    graph.output("in", 0)?.input("out", 0)?.parse(spec)?;
    graph.validate()?;
    Ok(graph)
}

/// Builds `buffer -> spec -> buffersink` for pictures like `frame`, with
/// timestamps in `time_base`.
pub fn video_chain(
    frame: &ff::frame::Video,
    time_base: ff::Rational,
    spec: &str,
) -> Result<ff::filter::Graph, ff::Error> {
    let sar = frame.aspect_ratio();
    let (sn, sd) = if sar.numerator() > 0 && sar.denominator() > 0 {
        (sar.numerator(), sar.denominator())
    } else {
        (1, 1)
    };
    let args = format!(
        "video_size={}x{}:pix_fmt={}:time_base={}/{}:pixel_aspect={sn}/{sd}",
        frame.width(),
        frame.height(),
        ff::ffi::AVPixelFormat::from(frame.format()) as i32,
        time_base.numerator(),
        time_base.denominator(),
    );
    chain("buffer", &args, "buffersink", spec)
}
