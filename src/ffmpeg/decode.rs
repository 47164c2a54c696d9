//! Decoders: packet time bases, damaged pictures, streams left unread.

use ffmpeg_next as ff;

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
