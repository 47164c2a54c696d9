//! Encoders: drain loops, codec options, extradata and priming, packets
//! to and from reel's packet files, bit-exact output.

use crate::error::{Error, Result};
use crate::packet;
use ffmpeg_next as ff;

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

/// Sets what an opened encoder's stream parameters say beyond what the
/// encoder set: a codec `tag` for the muxer, and a `profile` number the
/// encoder keeps elsewhere.
pub fn set_stream_facts(enc: &mut ff::encoder::Video, tag: Option<u32>, profile: Option<i32>) {
    // SAFETY: plain fields of an opened encoder's context, read by
    // avcodec_parameters_from_context.
    unsafe {
        let ctx = &mut *enc.as_mut_ptr();
        if let Some(t) = tag {
            ctx.codec_tag = t;
        }
        if let Some(p) = profile {
            ctx.profile = p;
        }
    }
}

/// Gives HEVC in MP4 and MOV the `hvc1` sample entry (parameter sets in
/// the `hvcC` box), which QuickTime and Safari require; FFmpeg's muxer
/// writes `hev1` unless told. Call before the header is written.
pub fn tag_hevc_for_apple(stream: &mut ff::format::stream::StreamMut, muxer: &str) {
    let apple = matches!(muxer, "mp4" | "mov" | "ipod");
    if !apple || stream.parameters().id() != ff::codec::Id::HEVC {
        return;
    }
    // SAFETY: reads a field of the stream's parameters.
    if unsafe { (*(*stream.as_mut_ptr()).codecpar).codec_tag } != 0 {
        return; // the EDL chose one
    }
    let tag = u32::from_le_bytes(*b"hvc1");
    // SAFETY: a field of the stream's parameters, before the header is
    // written; the muxer checks the tag against the codec.
    unsafe {
        (*(*stream.as_mut_ptr()).codecpar).codec_tag = tag;
    }
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

/// Whether encoder `codec` has option `name` of its own or as a codec
/// context (AVOption); false for an unknown encoder.
pub fn encoder_has_option(codec: &str, name: &str) -> bool {
    ff::encoder::find_by_name(codec).is_some_and(|c| {
        let ctx = ff::codec::context::Context::new_with_codec(c);
        unknown_options(&ctx, &[name]).is_empty()
    })
}

/// Whether FFmpeg's muxer `muxer` can store `codec`: None when the muxer
/// does not say (FFmpeg then finds out when it writes the header).
pub fn muxer_takes(muxer: &str, codec: ff::codec::Id) -> Option<bool> {
    let name = std::ffi::CString::new(muxer).ok()?;
    // SAFETY: av_guess_format returns a static muxer description or null;
    // avformat_query_codec only reads it.
    let answer = unsafe {
        let ofmt = ff::ffi::av_guess_format(name.as_ptr(), std::ptr::null(), std::ptr::null());
        if ofmt.is_null() {
            return None;
        }
        ff::ffi::avformat_query_codec(ofmt, codec.into(), ff::ffi::FF_COMPLIANCE_NORMAL)
    };
    (answer >= 0).then_some(answer == 1)
}

/// Whether `muxer` knows codec tag `tag` (four characters) as `codec`.
pub fn tag_fits(muxer: &str, codec: ff::codec::Id, tag: &str) -> bool {
    let (Ok(name), [a, b, c, d]) = (std::ffi::CString::new(muxer), tag.as_bytes()) else {
        return false;
    };
    let tag = u32::from_le_bytes([*a, *b, *c, *d]);
    // SAFETY: as in `muxer_takes`; the muxer's tag tables are static and
    // null-terminated, as av_codec_get_id expects.
    let id = unsafe {
        let ofmt = ff::ffi::av_guess_format(name.as_ptr(), std::ptr::null(), std::ptr::null());
        if ofmt.is_null() || (*ofmt).codec_tag.is_null() {
            return false;
        }
        ff::ffi::av_codec_get_id((*ofmt).codec_tag, tag)
    };
    ff::codec::Id::from(id) == codec
}

/// The sequence header OBU (its header, size and payload) at the start of
/// an AV1 temporal unit, if it has one: the parameter sets of an encoder
/// that gives them only with its first packet (librav1e extracts them into
/// packet side data, which packet files do not keep).
pub fn av1_sequence_header(unit: &[u8]) -> Option<Vec<u8>> {
    let mut at = 0;
    while at < unit.len() {
        let header = unit[at];
        let kind = (header >> 3) & 0xf;
        let extension = usize::from(header & 4 != 0);
        if header & 2 == 0 {
            return None; // no size field: cannot walk on
        }
        let (size, leb) = leb128(unit.get(at + 1 + extension..)?)?;
        let end = at + 1 + extension + leb + size;
        if kind == 1 {
            return unit.get(at..end).map(<[u8]>::to_vec);
        }
        at = end;
    }
    None
}

/// An unsigned LEB128 number and how many bytes it took.
fn leb128(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut value = 0usize;
    for (i, b) in bytes.iter().take(8).enumerate() {
        value |= usize::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// Gives stream parameters `extradata` (copied).
pub fn set_extradata(params: &mut ff::codec::Parameters, extradata: &[u8]) {
    // SAFETY: the parameters own their extradata; the old buffer is freed
    // and a new one, padded as FFmpeg requires, allocated with av_mallocz.
    unsafe {
        let p = &mut *params.as_mut_ptr();
        ff::ffi::av_freep(&mut p.extradata as *mut *mut u8 as *mut std::ffi::c_void);
        let size = extradata.len();
        let buf =
            ff::ffi::av_mallocz(size + ff::ffi::AV_INPUT_BUFFER_PADDING_SIZE as usize) as *mut u8;
        if buf.is_null() {
            p.extradata_size = 0;
            return;
        }
        std::ptr::copy_nonoverlapping(extradata.as_ptr(), buf, size);
        p.extradata = buf;
        p.extradata_size = size as i32;
    }
}

/// The depth an audio encoder's samples really have
/// (`bits_per_raw_sample`; 0 when it does not say).
pub fn bits_per_raw_sample(enc: &ff::codec::context::Context) -> u32 {
    // SAFETY: reads a plain field of the codec context.
    unsafe { (*enc.as_ptr()).bits_per_raw_sample.max(0) as u32 }
}

/// Sets the depth of the samples an encoder is given in a wider format
/// (24 for 24-bit PCM in s32), before it is opened.
pub fn set_bits_per_raw_sample(ctx: &mut ff::codec::context::Context, bits: u32) {
    // SAFETY: sets a plain field of a context that is not opened yet.
    unsafe { (*ctx.as_mut_ptr()).bits_per_raw_sample = bits as i32 }
}

/// Marks the last `samples` an audio packet decodes to as padding to be
/// dropped (`AV_PKT_DATA_SKIP_SAMPLES`, which Matroska writes as
/// `DiscardPadding`).
pub fn set_end_discard(packet: &mut ff::Packet, samples: u32) -> Result<()> {
    // SAFETY: asks FFmpeg for a 10-byte side-data buffer on a packet we own
    // and fills it: skip at start (LE32), discard at end (LE32), reasons.
    unsafe {
        let data = ff::ffi::av_packet_new_side_data(
            ff::packet::Mut::as_mut_ptr(packet),
            ff::ffi::AVPacketSideDataType::AV_PKT_DATA_SKIP_SAMPLES,
            10,
        );
        if data.is_null() {
            return Err(Error::Unexpected("no memory for packet side data"));
        }
        let bytes = std::slice::from_raw_parts_mut(data, 10);
        bytes.fill(0);
        bytes[4..8].copy_from_slice(&samples.to_le_bytes());
    }
    Ok(())
}

/// The samples in each frame of an audio stream (0 when they vary) and
/// its encoder's priming (`initial_padding`), from its parameters.
pub fn audio_framing(params: &ff::codec::Parameters) -> (i64, i64) {
    // SAFETY: reads plain fields of the parameters.
    unsafe {
        let p = &*params.as_ptr();
        (p.frame_size.max(0) as i64, p.initial_padding.max(0) as i64)
    }
}
