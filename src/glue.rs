//! FFmpeg glue: the small pieces every stage needs from FFmpeg's libraries
//! that `ffmpeg-next` does not wrap, or wraps in a way that is easy to get
//! wrong. Encoder drain loops, filter-graph building and push/pull, time
//! bases, seek timestamps, colour matrices, and every `unsafe` access to
//! FFmpeg's structures, each with the reason it is sound.

use crate::error::{Context, Error, Result};
use crate::packet;
use crate::time::Ratio;
use ffmpeg_next as ff;

/// libavfilter's bwdif, one picture per frame, deinterlacing only pictures
/// flagged interlaced.
pub const DEINTERLACE: &str = "bwdif=mode=send_frame:parity=auto:deint=interlaced";

/// `Ratio` as FFmpeg's rational.
pub fn rational(r: Ratio) -> ff::Rational {
    ff::Rational::new(*r.numer() as i32, *r.denom() as i32)
}

/// FFmpeg's rational as a `Ratio`, if it is a positive number.
pub fn ratio(r: ff::Rational) -> Option<Ratio> {
    (r.denominator() != 0 && r.numerator() > 0)
        .then(|| Ratio::new(r.numerator() as i64, r.denominator() as i64))
}

/// Seconds as a seek timestamp (`AV_TIME_BASE` units, rounded down).
pub fn seek_ts(seconds: Ratio) -> i64 {
    (seconds * Ratio::from_integer(ff::ffi::AV_TIME_BASE as i64))
        .floor()
        .to_integer()
}

// ---------------------------------------------------------------------------
// Encoders
// ---------------------------------------------------------------------------

/// Takes every packet the encoder has ready and hands it to `each`; stops
/// when the encoder wants more input (EAGAIN) or is flushed (EOF). Any other
/// error is returned, never swallowed.
pub fn drain(
    encoder: &mut ff::encoder::Encoder,
    what: &str,
    mut each: impl FnMut(ff::Packet) -> Result<()>,
) -> Result<()> {
    loop {
        let mut packet = ff::Packet::empty();
        match encoder.receive_packet(&mut packet) {
            Ok(()) => each(packet)?,
            Err(ff::Error::Other { errno }) if errno == ff::util::error::EAGAIN => return Ok(()),
            Err(ff::Error::Eof) => return Ok(()),
            Err(e) => return Err(Error::ffmpeg(what, e)),
        }
    }
}

/// The codec extradata of an opened encoder (x264's SPS/PPS with a global
/// header).
pub fn extradata(enc: &ff::encoder::Video) -> Vec<u8> {
    // SAFETY: reading the opened encoder's extradata buffer, which lives as
    // long as the encoder; its size is the field beside it.
    unsafe {
        let ctx = &*enc.as_ptr();
        if ctx.extradata.is_null() || ctx.extradata_size <= 0 {
            Vec::new()
        } else {
            std::slice::from_raw_parts(ctx.extradata, ctx.extradata_size as usize).to_vec()
        }
    }
}

/// The samples an open audio encoder primes with: its packets carry the
/// time of the samples they stand for less this.
pub fn initial_padding(enc: &ff::encoder::Audio) -> i64 {
    // SAFETY: reads a plain field of the open encoder's context.
    unsafe { (*enc.as_ptr()).initial_padding as i64 }
}

/// Sets an encoder's quality for variable bit rate as FFmpeg's `-q:a`
/// does (`global_quality` in lambda units; the caller sets `QSCALE`).
pub fn set_global_quality(ctx: &mut ff::codec::context::Context, quality: f64) {
    // SAFETY: sets a plain field of a context that is not opened yet.
    unsafe {
        (*ctx.as_mut_ptr()).global_quality =
            (quality * ff::ffi::FF_QP2LAMBDA as f64).round() as i32;
    }
}

/// Which of `names` neither the codec context nor the encoder itself has
/// as an option (AVOption), for a context allocated with its codec.
pub fn unknown_options<'a>(ctx: &ff::codec::context::Context, names: &[&'a str]) -> Vec<&'a str> {
    names
        .iter()
        .copied()
        .filter(|name| {
            let Ok(c) = std::ffi::CString::new(*name) else {
                return true;
            };
            // SAFETY: av_opt_find reads the context's class and, with
            // SEARCH_CHILDREN, its private data's; the name is a valid C
            // string for the call's duration.
            let found = unsafe {
                ff::ffi::av_opt_find(
                    ctx.as_ptr() as *mut std::ffi::c_void,
                    c.as_ptr(),
                    std::ptr::null(),
                    0,
                    ff::ffi::AV_OPT_SEARCH_CHILDREN,
                )
            };
            found.is_null()
        })
        .collect()
}

/// Adds a stream to `output` for packets copied as they are (no
/// re-encoding) from a stream with `params` and `time_base`; returns its
/// index.
pub fn add_copied_stream(
    output: &mut ff::format::context::Output,
    params: ff::codec::Parameters,
    time_base: ff::Rational,
) -> Result<usize, ff::Error> {
    let mut os = output.add_stream(ff::encoder::find(ff::codec::Id::None))?;
    os.set_parameters(params);
    os.set_time_base(time_base);
    // SAFETY: the stream's codec parameters are its own; a tag from the
    // source container may not fit the output's.
    unsafe {
        (*os.parameters().as_mut_ptr()).codec_tag = 0;
    }
    Ok(os.index())
}

/// An encoded packet as a packet-file record.
pub fn write_packet(w: &mut packet::Writer, p: &ff::Packet) -> Result<()> {
    w.write(
        p.pts(),
        p.dts(),
        p.duration(),
        p.is_key(),
        p.data().unwrap_or(&[]),
    )
}

/// A packet-file record as a packet for the muxer.
pub fn read_packet(sp: &packet::Packet) -> ff::Packet {
    let mut p = ff::Packet::copy(&sp.data);
    p.set_pts(sp.pts);
    p.set_dts(sp.dts);
    p.set_duration(sp.duration);
    if sp.key {
        p.set_flags(ff::packet::Flags::KEY);
    }
    p
}

/// No version strings or creation times in the output, so that equal
/// inputs give equal bytes.
pub fn set_bitexact(octx: &mut ff::format::context::Output) {
    // SAFETY: setting a flag on the output context before its header is
    // written.
    unsafe {
        (*octx.as_mut_ptr()).flags |= ff::ffi::AVFMT_FLAG_BITEXACT;
    }
}

// ---------------------------------------------------------------------------
// Subtitles
// ---------------------------------------------------------------------------

/// The ASS header libavcodec's text subtitle decoders give their output
/// (`ff_ass_subtitle_header_default`, not exported; its version line left
/// out, as under bitexact). The `mov_text` and `subrip` encoders take their
/// default style from it and refuse to open without one.
const ASS_HEADER: &str = "[Script Info]\r\n\
    ScriptType: v4.00+\r\n\
    PlayResX: 384\r\n\
    PlayResY: 288\r\n\
    ScaledBorderAndShadow: yes\r\n\
    YCbCr Matrix: None\r\n\
    \r\n\
    [V4+ Styles]\r\n\
    Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, \
    BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, \
    BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\r\n\
    Style: Default,Arial,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,1\r\n\
    \r\n\
    [Events]\r\n\
    Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\r\n";

/// Opens the text subtitle encoder `name` (`mov_text`, `subrip`) with
/// millisecond timestamps and the default ASS header.
pub fn subtitle_encoder(name: &str) -> Result<ff::encoder::subtitle::Encoder, ff::Error> {
    let codec = ff::encoder::find_by_name(name).ok_or(ff::Error::EncoderNotFound)?;
    let mut ctx = ff::codec::context::Context::new_with_codec(codec);
    // SAFETY: checking the pointer avcodec_alloc_context3 gave.
    if unsafe { ctx.as_ptr().is_null() } {
        return Err(ff::Error::Other {
            errno: libc::ENOMEM,
        });
    }
    ctx.set_time_base(ff::Rational::new(1, 1000));
    ctx.set_flags(ff::codec::Flags::BITEXACT);
    // SAFETY: setting a field of a context that is not opened yet. The
    // header is a NUL-terminated copy in av_malloc'd memory, which the
    // context owns from here on (avcodec_free_context frees it).
    unsafe {
        let header = ff::ffi::av_mallocz(ASS_HEADER.len() + 1) as *mut u8;
        if header.is_null() {
            return Err(ff::Error::Other {
                errno: libc::ENOMEM,
            });
        }
        std::ptr::copy_nonoverlapping(ASS_HEADER.as_ptr(), header, ASS_HEADER.len());
        let c = ctx.as_mut_ptr();
        (*c).subtitle_header = header;
        (*c).subtitle_header_size = ASS_HEADER.len() as libc::c_int;
    }
    ctx.encoder().subtitle()?.open()
}

/// Encodes one cue with a text subtitle encoder from [`subtitle_encoder`].
/// `event` is the cue as libavcodec's ASS subtitle rects carry it
/// (`ReadOrder,Layer,Style,Name,MarginL,MarginR,MarginV,Effect,Text`); it
/// shows from `start` for `duration` milliseconds. The packet is stamped in
/// milliseconds.
pub fn encode_cue(
    encoder: &mut ff::encoder::subtitle::Encoder,
    event: &str,
    start: i64,
    duration: i64,
) -> Result<ff::Packet, ff::Error> {
    let event = std::ffi::CString::new(event).map_err(|_| ff::Error::InvalidData)?;
    let end = u32::try_from(duration).map_err(|_| ff::Error::InvalidData)?;
    // Room for the text and what the encoders add to it (mov_text: a
    // 2-byte length and style boxes; subrip: markup for style overrides).
    let mut buf = vec![0u8; (2 * event.as_bytes().len() + 4096).max(1 << 16)];
    // SAFETY: the AVSubtitle is zeroed, then given one rect array, one rect
    // and one string, each from av_mallocz/av_strdup, so avsubtitle_free
    // frees exactly them on every path (it frees `rects` even when
    // `num_rects` is 0, and `num_rects` is set only once the rect is in
    // place). The encoder reads the subtitle and writes at most
    // `buf.len()` bytes into `buf`, whose length it is given.
    let written = unsafe {
        use ff::ffi::{AVSubtitle, AVSubtitleRect};
        let mut sub: AVSubtitle = std::mem::zeroed();
        let rects = ff::ffi::av_mallocz(std::mem::size_of::<*mut AVSubtitleRect>())
            as *mut *mut AVSubtitleRect;
        let rect =
            ff::ffi::av_mallocz(std::mem::size_of::<AVSubtitleRect>()) as *mut AVSubtitleRect;
        sub.rects = rects;
        if rects.is_null() || rect.is_null() {
            ff::ffi::av_free(rect as *mut libc::c_void);
            ff::ffi::avsubtitle_free(&mut sub);
            return Err(ff::Error::Other {
                errno: libc::ENOMEM,
            });
        }
        *rects = rect;
        sub.num_rects = 1;
        (*rect).type_ = ff::ffi::AVSubtitleType::SUBTITLE_ASS;
        (*rect).ass = ff::ffi::av_strdup(event.as_ptr());
        let n = if (*rect).ass.is_null() {
            ff::ffi::AVERROR(libc::ENOMEM)
        } else {
            sub.pts = start * ff::ffi::AV_TIME_BASE as i64 / 1000;
            sub.start_display_time = 0;
            sub.end_display_time = end;
            ff::ffi::avcodec_encode_subtitle(
                encoder.as_mut_ptr(),
                buf.as_mut_ptr(),
                buf.len() as libc::c_int,
                &sub,
            )
        };
        ff::ffi::avsubtitle_free(&mut sub);
        n
    };
    if written < 0 {
        return Err(ff::Error::from(written));
    }
    let mut packet = ff::Packet::copy(&buf[..written as usize]);
    packet.set_pts(Some(start));
    packet.set_dts(Some(start));
    packet.set_duration(duration);
    Ok(packet)
}

// ---------------------------------------------------------------------------
// Decoders
// ---------------------------------------------------------------------------

/// Sets the time base of the packets a decoder context (not opened yet)
/// will be sent.
pub fn set_packet_time_base(ctx: &mut ff::codec::context::Context, time_base: ff::Rational) {
    // SAFETY: setting a field of a context that is not opened yet.
    unsafe {
        (*ctx.as_mut_ptr()).pkt_timebase = time_base.into();
    }
}

/// Readies a video decoder that is not opened yet: damaged pictures are
/// handed over, flagged, instead of being dropped unseen, and with `draft`
/// the deblocking filter is skipped.
pub fn show_damage(decoder: &mut ff::decoder::Decoder, draft: bool) {
    // SAFETY: setting fields of a context that is not opened yet.
    unsafe {
        let c = decoder.as_mut_ptr();
        (*c).flags |= ff::ffi::AV_CODEC_FLAG_OUTPUT_CORRUPT as i32;
        if draft {
            (*c).skip_loop_filter = ff::ffi::AVDiscard::AVDISCARD_ALL;
        }
    }
}

/// Whether the decoder flagged this picture as damaged.
pub fn is_damaged(frame: &ff::frame::Video) -> bool {
    // SAFETY: reading fields of a decoded frame.
    let (flags, errors) = unsafe {
        (
            (*frame.as_ptr()).flags,
            (*frame.as_ptr()).decode_error_flags,
        )
    };
    flags & ff::ffi::AV_FRAME_FLAG_CORRUPT != 0 || errors != 0
}

/// Makes the demuxer skip every stream but `keep` instead of reading and
/// handing over packets to be dropped (for the audio of a 1080p clip that
/// is most of the file).
pub fn discard_other_streams(input: &mut ff::format::context::Input, keep: &[usize]) {
    // SAFETY: the streams array of an open input has nb_streams entries.
    unsafe {
        let ctx = input.as_mut_ptr();
        for i in 0..(*ctx).nb_streams as usize {
            if !keep.contains(&i) {
                (**(*ctx).streams.add(i)).discard = ff::ffi::AVDiscard::AVDISCARD_ALL;
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Probing
// ---------------------------------------------------------------------------

/// The container's start time in seconds (0 when unknown).
pub fn start_time(input: &ff::format::context::Input) -> Ratio {
    // SAFETY: reading a field of the open input.
    let raw = unsafe { (*input.as_ptr()).start_time };
    if raw == ff::ffi::AV_NOPTS_VALUE {
        Ratio::from_integer(0)
    } else {
        Ratio::new(raw, ff::ffi::AV_TIME_BASE as i64)
    }
}

/// Width, height and sample aspect ratio of a video stream.
pub fn picture_shape(s: &ff::format::stream::Stream) -> (i32, i32, ff::Rational) {
    let par = s.parameters();
    // SAFETY: the parameters belong to the open input the stream comes from.
    unsafe {
        let p = &*par.as_ptr();
        (p.width, p.height, p.sample_aspect_ratio.into())
    }
}

/// Sample rate and channel count of an audio stream.
pub fn sound_shape(s: &ff::format::stream::Stream) -> (i32, i32) {
    let par = s.parameters();
    // SAFETY: as above.
    unsafe {
        let p = &*par.as_ptr();
        (p.sample_rate, p.ch_layout.nb_channels)
    }
}

/// The display matrix's counter-clockwise rotation in degrees, if the
/// stream has one.
pub fn display_rotation(s: &ff::format::stream::Stream) -> Option<f64> {
    let d = s.side_data().find(|d| {
        d.kind() == ff::codec::packet::side_data::Type::DisplayMatrix && d.data().len() >= 36
    })?;
    // SAFETY: a display matrix is nine 32-bit integers (length checked).
    Some(unsafe { ff::ffi::av_display_rotation_get(d.data().as_ptr() as *const i32) })
}

/// Keyframe timestamps (stream units) from the stream's index.
pub fn index_keyframes(s: &ff::format::stream::Stream) -> Vec<i64> {
    let mut out = Vec::new();
    // SAFETY: the index belongs to the open input the stream comes from; the
    // entries are read, not changed.
    unsafe {
        let st = s.as_ptr() as *mut ff::ffi::AVStream;
        let n = ff::ffi::avformat_index_get_entries_count(st);
        for i in 0..n {
            let e = ff::ffi::avformat_index_get_entry(st, i);
            if !e.is_null() && (*e).flags() & ff::ffi::AVINDEX_KEYFRAME != 0 {
                out.push((*e).timestamp);
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Pictures
// ---------------------------------------------------------------------------

/// The YUV matrix a picture was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matrix {
    Bt709,
    Bt601,
    Smpte240m,
    Fcc,
    Bt2020,
}

impl Matrix {
    /// A picture's tag, else what players assume for untagged video
    /// (BT.709 from 720 lines or 1280 columns up, BT.601 below). swscale
    /// alone would take every untagged source as BT.601 and shift the
    /// colours of untagged HD footage.
    pub fn of(frame: &ff::frame::Video) -> Matrix {
        use ff::color::Space;
        match frame.color_space() {
            Space::BT709 => Matrix::Bt709,
            Space::BT470BG | Space::SMPTE170M => Matrix::Bt601,
            Space::SMPTE240M => Matrix::Smpte240m,
            Space::FCC => Matrix::Fcc,
            Space::BT2020NCL | Space::BT2020CL => Matrix::Bt2020,
            _ if frame.width() >= 1280 || frame.height() >= 720 => Matrix::Bt709,
            _ => Matrix::Bt601,
        }
    }

    /// The name swscale's `in_color_matrix` takes.
    pub fn name(self) -> &'static str {
        match self {
            Matrix::Bt709 => "bt709",
            Matrix::Bt601 => "bt601",
            Matrix::Smpte240m => "smpte240m",
            Matrix::Fcc => "fcc",
            Matrix::Bt2020 => "bt2020",
        }
    }

    /// The colour-space tag an encoder writes for it.
    pub fn space(self) -> ff::color::Space {
        match self {
            Matrix::Bt709 => ff::color::Space::BT709,
            Matrix::Bt601 => ff::color::Space::BT470BG,
            Matrix::Smpte240m => ff::color::Space::SMPTE240M,
            Matrix::Fcc => ff::color::Space::FCC,
            Matrix::Bt2020 => ff::color::Space::BT2020NCL,
        }
    }
}

/// Bits per component of a pixel format.
pub fn depth(format: ff::format::Pixel) -> Option<u8> {
    // SAFETY: the descriptor table is static; a valid format has one.
    unsafe {
        let desc = ff::ffi::av_pix_fmt_desc_get(format.into());
        (!desc.is_null()).then(|| (*desc).comp[0].depth as u8)
    }
}

/// Bytes of one row of `plane` of a picture `width` wide.
pub fn row_bytes(format: ff::format::Pixel, width: u32, plane: usize) -> Option<usize> {
    // SAFETY: asks libavutil for the byte width of one row of this plane.
    let row = unsafe { ff::ffi::av_image_get_linesize(format.into(), width as i32, plane as i32) };
    (row > 0).then_some(row as usize)
}

// ---------------------------------------------------------------------------
// Filter graphs
// ---------------------------------------------------------------------------

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

/// The CPU features libx264 detects, less AVX-512 (`X264_CPU_AVX512`), as
/// its `asm` parameter takes them; None when it would not use AVX-512 (or
/// libx264 is not linked).
pub fn x264_cpu_without_avx512() -> Option<u32> {
    const X264_CPU_AVX512: u32 = 1 << 16;
    // SAFETY: looks a symbol up in the process's global scope; libx264's
    // x264_cpu_detect takes nothing and returns its uint32_t feature mask.
    let cpu = unsafe {
        let sym = libc::dlsym(libc::RTLD_DEFAULT, c"x264_cpu_detect".as_ptr());
        if sym.is_null() {
            return None;
        }
        let f: extern "C" fn() -> u32 = std::mem::transmute(sym);
        f()
    };
    (cpu & X264_CPU_AVX512 != 0).then_some(cpu & !X264_CPU_AVX512)
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

/// Initialises FFmpeg once, quiet unless `REEL_FFMPEG_LOG` is set: reel's
/// own messages say what went wrong, with the clip and the time.
pub fn init() -> Result<()> {
    ff::init().context(|| "initialising FFmpeg")?;
    ff::log::set_level(if std::env::var_os("REEL_FFMPEG_LOG").is_some() {
        ff::log::Level::Warning
    } else {
        ff::log::Level::Quiet
    });
    Ok(())
}
