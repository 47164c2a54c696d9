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
