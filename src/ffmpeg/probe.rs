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
