//! Filter graphs: option escaping, chains and pairs, push and pull,
//! what a sink gives, the libass the `ass` filter draws with.

use crate::error::Result;
use ffmpeg_next as ff;

/// libavfilter's bwdif, one picture per frame, deinterlacing only pictures
/// flagged interlaced.
pub const DEINTERLACE: &str = "bwdif=mode=send_frame:parity=auto:deint=interlaced";

/// Escapes a path for a filter's own option string (`key=value:...`).
pub fn filter_option_path(p: &std::path::Path) -> String {
    escape(&p.to_string_lossy(), &['\\', '\'', ':'])
}

/// Escapes a path for a filter option inside a filter graph description:
/// once for the option parser, once for the graph parser.
pub fn filter_path(p: &std::path::Path) -> String {
    escape(&filter_option_path(p), &['\\', '\'', '[', ']', ',', ';'])
}

/// `text` with a backslash before each of `special`.
fn escape(text: &str, special: &[char]) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if special.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

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

/// Builds `[in0][in1] spec [out]`: two `buffer` sources for pictures like
/// `frame` with timestamps in `time_base`, into one sink.
pub fn video_pair(
    frame: &ff::frame::Video,
    time_base: ff::Rational,
    spec: &str,
) -> Result<ff::filter::Graph, ff::Error> {
    let args = format!(
        "video_size={}x{}:pix_fmt={}:time_base={}/{}:frame_rate={}/{}:pixel_aspect=1/1",
        frame.width(),
        frame.height(),
        ff::ffi::AVPixelFormat::from(frame.format()) as i32,
        time_base.numerator(),
        time_base.denominator(),
        // xfade wants a constant rate: one picture per time base tick.
        time_base.denominator(),
        time_base.numerator(),
    );
    let mut graph = ff::filter::Graph::new();
    let find = |name| ff::filter::find(name).ok_or(ff::Error::FilterNotFound);
    graph.add(&find("buffer")?, "in0", &args)?;
    graph.add(&find("buffer")?, "in1", &args)?;
    graph.add(&find("buffersink")?, "out", "")?;
    graph
        .output("in0", 0)?
        .output("in1", 0)?
        .input("out", 0)?
        .parse(&format!("[in0][in1]{spec}[out]"))?;
    graph.validate()?;
    Ok(graph)
}

/// Sends a new reference to `frame`, stamped `pts`, into the source
/// `name` of a graph.
pub fn push_stamped(
    graph: &mut ff::filter::Graph,
    name: &str,
    frame: &ff::frame::Video,
    pts: i64,
) -> Result<(), ff::Error> {
    let mut f = new_ref(frame)?;
    f.set_pts(Some(pts));
    let mut src = graph.get(name).ok_or(ff::Error::FilterNotFound)?;
    src.source().add(&f)
}

/// Sends a frame into a chain built by [`chain`] (None: the end of the
/// stream, which flushes what the filters hold).
pub fn push(graph: &mut ff::filter::Graph, frame: Option<&ff::Frame>) -> Result<(), ff::Error> {
    let mut src = graph.get("in").expect("chains have an input named in");
    match frame {
        Some(f) => src.source().add(f),
        None => src.source().flush(),
    }
}

/// A new reference to `frame`'s pictures (no copy), with its own
/// timestamps and properties.
pub fn new_ref(frame: &ff::frame::Video) -> Result<ff::frame::Video, ff::Error> {
    let mut out = ff::frame::Video::empty();
    // SAFETY: both frames are valid; av_frame_ref adds references to the
    // source's buffers and copies its properties into the empty frame.
    let r = unsafe { ff::ffi::av_frame_ref(out.as_mut_ptr(), frame.as_ptr()) };
    if r < 0 {
        return Err(ff::Error::from(r));
    }
    Ok(out)
}

/// Gives `frame` to a chain built by [`chain`]: the filters get its only
/// reference, so one that draws on it need not copy it first.
pub fn push_owned(
    graph: &mut ff::filter::Graph,
    mut frame: ff::frame::Video,
) -> Result<(), ff::Error> {
    let mut src = graph.get("in").expect("chains have an input named in");
    // SAFETY: the source belongs to the configured graph; with no flags,
    // av_buffersrc_add_frame_flags takes the frame's references and leaves
    // it blank, and `frame` frees nothing more when dropped.
    let r =
        unsafe { ff::ffi::av_buffersrc_add_frame_flags(src.as_mut_ptr(), frame.as_mut_ptr(), 0) };
    if r < 0 {
        return Err(ff::Error::from(r));
    }
    Ok(())
}

/// Takes the next frame out of a chain's sink; false when none is ready.
pub fn pull(graph: &mut ff::filter::Graph, frame: &mut ff::Frame) -> bool {
    graph
        .get("out")
        .expect("chains have an output named out")
        .sink()
        .frame(frame)
        .is_ok()
}

/// The time base of the frames a chain's sink gives (bwdif halves it).
pub fn sink_time_base(graph: &mut ff::filter::Graph) -> ff::Rational {
    let sink = graph.get("out").expect("chains have an output named out");
    // SAFETY: the sink belongs to the configured graph.
    unsafe { ff::ffi::av_buffersink_get_time_base(sink.as_ptr()) }.into()
}

/// The sample aspect ratio of the frames a chain's sink gives.
pub fn sink_aspect_ratio(graph: &mut ff::filter::Graph) -> ff::Rational {
    let sink = graph.get("out").expect("chains have an output named out");
    // SAFETY: the sink belongs to the configured graph.
    unsafe { ff::ffi::av_buffersink_get_sample_aspect_ratio(sink.as_ptr()) }.into()
}

/// The version of libass that libavfilter's `ass` filter draws with, if
/// it is linked (libass has no other way to tell).
pub fn libass_version() -> Option<u32> {
    // SAFETY: looks a symbol up in the process's global scope; the
    // function, when present, takes nothing and returns an int.
    unsafe {
        let sym = libc::dlsym(libc::RTLD_DEFAULT, c"ass_library_version".as_ptr());
        if sym.is_null() {
            return None;
        }
        let f: extern "C" fn() -> libc::c_int = std::mem::transmute(sym);
        Some(f() as u32)
    }
}
