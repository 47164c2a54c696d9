//! Text subtitle streams: the `mov_text`/`subrip` encoders and cues
//! encoded as packets.

use crate::error::Result;
use ffmpeg_next as ff;

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
