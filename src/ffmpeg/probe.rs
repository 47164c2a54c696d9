//! What a stream says of itself: start time, picture and sound shape,
//! display rotation, keyframe index.

use crate::time::Ratio;
use ffmpeg_next as ff;

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

/// The name of a stream's codec ("h264", "prores", "pcm_s16le"), with
/// its profile where the codec names one ("prores (4444)").
pub fn codec_text(s: &ff::format::stream::Stream) -> String {
    let par = s.parameters();
    // SAFETY: the parameters belong to the open input; the names are
    // static strings FFmpeg owns.
    unsafe {
        let p = &*par.as_ptr();
        let name = cstr(ff::ffi::avcodec_get_name(p.codec_id)).unwrap_or_default();
        let profile = cstr(ff::ffi::avcodec_profile_name(p.codec_id, p.profile));
        match profile {
            Some(prof) => format!("{name} ({prof})"),
            None => name,
        }
    }
}

/// A stream's codec tag as four characters ("tmcd", "avc1"), if it has one.
pub fn codec_tag(s: &ff::format::stream::Stream) -> Option<String> {
    let par = s.parameters();
    // SAFETY: as above; a plain field is copied out.
    let tag = unsafe { (*par.as_ptr()).codec_tag };
    (tag != 0).then(|| {
        tag.to_le_bytes()
            .iter()
            .map(|&b| if b.is_ascii_graphic() { b as char } else { '?' })
            .collect()
    })
}

/// The pixel format of a video stream: its name, the bit depth of its
/// first component and whether it has an alpha channel.
pub fn pixel_format(s: &ff::format::stream::Stream) -> Option<(String, u8, bool)> {
    let par = s.parameters();
    // SAFETY: as above; a video stream's format is an AVPixelFormat value,
    // and its descriptor a static table entry FFmpeg owns.
    unsafe {
        let fmt = (*par.as_ptr()).format;
        if fmt < 0 {
            return None;
        }
        let fmt = std::mem::transmute::<i32, ff::ffi::AVPixelFormat>(fmt);
        let desc = ff::ffi::av_pix_fmt_desc_get(fmt);
        if desc.is_null() {
            return None;
        }
        let name = cstr((*desc).name)?;
        let depth = (*desc).comp[0].depth.clamp(0, 255) as u8;
        let alpha = (*desc).flags & ff::ffi::AV_PIX_FMT_FLAG_ALPHA as u64 != 0;
        Some((name, depth, alpha))
    }
}

/// An audio stream's channel layout as FFmpeg names it ("stereo", "5.1",
/// "2 channels").
pub fn layout_text(s: &ff::format::stream::Stream) -> String {
    let par = s.parameters();
    let mut buf = [0 as std::ffi::c_char; 64];
    // SAFETY: as above; FFmpeg writes at most `buf.len()` bytes, NUL
    // terminated.
    unsafe {
        let n = ff::ffi::av_channel_layout_describe(
            &(*par.as_ptr()).ch_layout,
            buf.as_mut_ptr(),
            buf.len(),
        );
        if n < 0 {
            return "unknown layout".into();
        }
        cstr(buf.as_ptr()).unwrap_or_default()
    }
}

/// A stream shown only as a picture of the file (cover art).
pub fn attached_picture(s: &ff::format::stream::Stream) -> bool {
    s.disposition()
        .contains(ff::format::stream::Disposition::ATTACHED_PIC)
}

/// A C string FFmpeg owns, copied (None for a null pointer).
///
/// # Safety
/// `p` is null or points at a NUL-terminated string.
unsafe fn cstr(p: *const std::ffi::c_char) -> Option<String> {
    (!p.is_null()).then(|| std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned())
}
