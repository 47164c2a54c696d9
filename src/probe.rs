//! What the planner needs to know about a source, read once through
//! libavformat: duration, start time, streams, frame rate, size, sample
//! aspect ratio and audio layout. [`Probe`] is plain data so that the
//! planner stays free of FFmpeg calls.

use crate::time::Ratio;
use ffmpeg_next as ff;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub path: PathBuf,
    /// Container start time in seconds; source times in the EDL count from it.
    pub start_time: Ratio,
    /// Length in seconds from the start time (the longest stream).
    pub duration: Ratio,
    pub video: Option<VideoInfo>,
    pub audio: Option<AudioInfo>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VideoInfo {
    pub stream: usize,
    pub time_base: Ratio,
    /// Nominal rate (r_frame_rate, else avg_frame_rate, else 25).
    pub fps: Ratio,
    pub width: u32,
    pub height: u32,
    /// Sample (pixel) aspect ratio; 1 when unknown.
    pub sar: Ratio,
    /// End of the video stream in seconds from the container start, if known.
    pub end: Option<Ratio>,
    /// Keyframe decode times in seconds from the container start, from the
    /// demuxer's index (empty when the format has none, e.g. MPEG-PS).
    pub keyframes: Vec<Ratio>,
    /// A still image (PNG, JPEG, WebP...): one picture, shown for as long
    /// as the clip's `duration` says.
    pub still: bool,
    /// Clockwise turn that shows the picture upright (0, 90, 180 or 270),
    /// from the stream's display matrix (phones store portrait video this way).
    pub rotation: u16,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AudioInfo {
    pub stream: usize,
    pub sample_rate: u32,
    pub channels: u32,
}

pub fn ratio(r: ff::Rational) -> Option<Ratio> {
    (r.denominator() != 0 && r.numerator() > 0)
        .then(|| Ratio::new(r.numerator() as i64, r.denominator() as i64))
}

/// Opens a source and reads its description. The error is a sentence that
/// can follow the source's name.
pub fn probe(path: &Path) -> Result<Probe, String> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!("source not found: {}", path.display()))
        }
        Err(e) => return Err(format!("cannot read source {}: {e}", path.display())),
        Ok(m) if m.is_dir() => return Err(format!("source {} is a directory", path.display())),
        Ok(_) => {}
    }
    let input = ff::format::input(path)
        .map_err(|e| format!("cannot open source {} as media: {e}", path.display()))?;
    // SAFETY: reading a field of the open input.
    let raw_start = unsafe { (*input.as_ptr()).start_time };
    let start_time = if raw_start == ff::ffi::AV_NOPTS_VALUE {
        Ratio::from_integer(0)
    } else {
        Ratio::new(raw_start, ff::ffi::AV_TIME_BASE as i64)
    };
    let mut duration = if input.duration() > 0 {
        Ratio::new(input.duration(), ff::ffi::AV_TIME_BASE as i64)
    } else {
        Ratio::from_integer(0)
    };

    // Image demuxers: `image2` for files by extension, `*_pipe` when
    // recognised by content. Animated GIF is a video.
    let format = input.format().name().to_string();
    let still = format == "image2" || (format.ends_with("_pipe") && !format.contains("gif"));
    let video = input.streams().best(ff::media::Type::Video).map(|s| {
        let par = s.parameters();
        // SAFETY: the parameters belong to the open input.
        let (w, h, sar) = unsafe {
            let p = &*par.as_ptr();
            (p.width, p.height, p.sample_aspect_ratio)
        };
        let time_base = ratio(s.time_base()).unwrap_or(Ratio::new(1, 90_000));
        let fps = ratio(s.avg_frame_rate())
            .filter(|r| *r <= Ratio::from_integer(1000))
            .or_else(|| ratio(s.rate()).filter(|r| *r <= Ratio::from_integer(1000)))
            .unwrap_or(Ratio::from_integer(25));
        let end = (s.duration() > 0).then(|| {
            let stream_start = if s.start_time() == ff::ffi::AV_NOPTS_VALUE {
                start_time
            } else {
                Ratio::from_integer(s.start_time()) * time_base
            };
            stream_start - start_time + Ratio::from_integer(s.duration()) * time_base
        });
        VideoInfo {
            stream: s.index(),
            time_base,
            fps,
            width: w.max(0) as u32,
            height: h.max(0) as u32,
            sar: ratio(ff::Rational::from(sar)).unwrap_or(Ratio::from_integer(1)),
            end,
            keyframes: keyframes(&s, time_base, start_time),
            still,
            rotation: rotation(&s),
        }
    });
    let audio = input.streams().best(ff::media::Type::Audio).map(|s| {
        let par = s.parameters();
        // SAFETY: as above.
        let (rate, channels) = unsafe {
            let p = &*par.as_ptr();
            (p.sample_rate, p.ch_layout.nb_channels)
        };
        AudioInfo {
            stream: s.index(),
            sample_rate: rate.max(0) as u32,
            channels: channels.max(0) as u32,
        }
    });
    if let Some(v) = &video {
        if v.width == 0 || v.height == 0 {
            return Err(format!(
                "source {} has a video stream of unknown size",
                path.display()
            ));
        }
        if duration == Ratio::from_integer(0) {
            duration = v.end.unwrap_or_default();
        }
    }
    Ok(Probe {
        path: path.to_path_buf(),
        start_time,
        duration,
        video,
        audio,
    })
}

/// The display matrix's turn, as the FFmpeg CLI reads it for autorotate.
fn rotation(s: &ff::format::stream::Stream) -> u16 {
    for d in s.side_data() {
        if d.kind() == ff::codec::packet::side_data::Type::DisplayMatrix && d.data().len() >= 36 {
            // SAFETY: a display matrix is nine 32-bit integers.
            let ccw = unsafe { ff::ffi::av_display_rotation_get(d.data().as_ptr() as *const i32) };
            if !ccw.is_finite() {
                return 0;
            }
            let theta = (-ccw.round()).rem_euclid(360.0);
            return match theta {
                t if (t - 90.0).abs() < 1.0 => 90,
                t if (t - 180.0).abs() < 1.0 => 180,
                t if (t - 270.0).abs() < 1.0 => 270,
                _ => 0,
            };
        }
    }
    0
}

/// Keyframe times from the stream's index.
fn keyframes(s: &ff::format::stream::Stream, time_base: Ratio, start: Ratio) -> Vec<Ratio> {
    let mut out = Vec::new();
    // SAFETY: the index belongs to the open input the stream comes from; the
    // entries are read, not changed.
    unsafe {
        let st = s.as_ptr() as *mut ff::ffi::AVStream;
        let n = ff::ffi::avformat_index_get_entries_count(st);
        for i in 0..n {
            let e = ff::ffi::avformat_index_get_entry(st, i);
            if !e.is_null() && (*e).flags() & ff::ffi::AVINDEX_KEYFRAME != 0 {
                out.push(Ratio::from_integer((*e).timestamp) * time_base - start);
            }
        }
    }
    out
}
