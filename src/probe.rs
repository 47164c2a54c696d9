//! What the planner needs to know about a source, read once through
//! libavformat: duration, start time, streams, frame rate, size, sample
//! aspect ratio and audio layout. [`Probe`] is plain data so that the
//! planner stays free of FFmpeg calls.

use crate::colour::SourceColour;
pub use crate::error::ProbeError;
use crate::ffmpeg::{self, ratio};
use crate::time::Ratio;
use ffmpeg_next as ff;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub mod details;

#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub path: PathBuf,
    /// Container start time in seconds; source times in the EDL count from it.
    pub start_time: Ratio,
    /// Length in seconds from the start time (the longest stream).
    pub duration: Ratio,
    pub video: Option<VideoInfo>,
    pub audio: Option<AudioInfo>,
    /// Every audio stream, in the file's order (`audio_streams = [1, 2]`
    /// counts them from 1).
    pub audio_streams: Vec<AudioInfo>,
    /// The start timecode the file carries (a QuickTime `tmcd` track or a
    /// `timecode` tag), as written: "01:00:00:00" or "01:00:00;00".
    pub timecode: Option<String>,
    /// The container, codecs and every stream, for `reel check`.
    pub details: Arc<details::Details>,
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
    /// What the stream says of its colour, and what was guessed.
    pub colour: SourceColour,
    /// An image sequence: how it is opened again to be decoded.
    pub sequence: Option<crate::sequence::Opening>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AudioInfo {
    pub stream: usize,
    pub sample_rate: u32,
    pub channels: u32,
}

/// Builds made-up probes, for planning without media (unit and property
/// tests): `Probe::builder("a.mp4", 10)` is a 10 s, 640x360 video at 30 fps
/// with no audio and no keyframe index.
pub struct ProbeBuilder(Probe);

impl Probe {
    pub fn builder(path: &str, seconds: i64) -> ProbeBuilder {
        ProbeBuilder(Probe {
            path: PathBuf::from(path),
            start_time: Ratio::from_integer(0),
            duration: Ratio::from_integer(seconds),
            video: Some(VideoInfo {
                stream: 0,
                time_base: Ratio::new(1, 90000),
                fps: Ratio::from_integer(30),
                width: 640,
                height: 360,
                sar: Ratio::from_integer(1),
                end: Some(Ratio::from_integer(seconds)),
                keyframes: Vec::new(),
                still: false,
                rotation: 0,
                colour: SourceColour::untagged(640, 360),
                sequence: None,
            }),
            audio: None,
            audio_streams: Vec::new(),
            timecode: None,
            details: Arc::default(),
        })
    }
}

impl ProbeBuilder {
    fn video(&mut self) -> &mut VideoInfo {
        self.0.video.as_mut().expect("the builder makes a video")
    }

    pub fn fps(mut self, fps: Ratio) -> Self {
        self.video().fps = fps;
        self
    }

    pub fn colour(mut self, colour: SourceColour) -> Self {
        self.video().colour = colour;
        self
    }

    pub fn size(mut self, width: u32, height: u32) -> Self {
        (self.video().width, self.video().height) = (width, height);
        self
    }

    /// Keyframes at these times (seconds from the start).
    pub fn keyframes(mut self, times: Vec<Ratio>) -> Self {
        self.video().keyframes = times;
        self
    }

    /// An audio stream (stream 1) at this rate and channel count.
    pub fn audio(mut self, sample_rate: u32, channels: u32) -> Self {
        let info = AudioInfo {
            stream: 1,
            sample_rate,
            channels,
        };
        self.0.audio = Some(info.clone());
        self.0.audio_streams.push(info);
        self
    }

    /// Another audio stream after those there are, at this rate and
    /// channel count.
    pub fn more_audio(mut self, sample_rate: u32, channels: u32) -> Self {
        let stream = self.0.audio_streams.last().map_or(1, |a| a.stream + 1);
        self.0.audio_streams.push(AudioInfo {
            stream,
            sample_rate,
            channels,
        });
        self
    }

    pub fn build(self) -> Probe {
        self.0
    }
}

/// HDR10 metadata of an HDR stream whose container says nothing: x265 and
/// most cameras write it only into the stream (SEI), where the decoder
/// finds it on the first picture. Nothing when it cannot be read.
fn first_picture_hdr10(path: &Path, stream: usize) -> crate::colour::Hdr10 {
    let read = || -> Result<crate::colour::Hdr10, ff::Error> {
        let mut input = crate::demux::StreamInput::open(path, stream)?;
        let mut decoder = input.decoder(1)?.video()?;
        let mut frame = ff::frame::Video::empty();
        Ok(if input.next_frame(&mut decoder, &mut frame)? {
            ffmpeg::frame_hdr10(&frame)
        } else {
            Default::default()
        })
    };
    read().unwrap_or_default()
}

/// Opens a source and reads its description.
pub fn probe(path: &Path) -> Result<Probe, ProbeError> {
    probe_at(path, None)
}

/// Opens a source and reads its description; an image sequence
/// (`shot_%04d.png`) at `fps`, the rate its pictures are shown at.
pub fn probe_at(path: &Path, fps: Option<Ratio>) -> Result<Probe, ProbeError> {
    let sequence = match fps {
        Some(fps) if crate::sequence::is_sequence(path) => Some(
            crate::sequence::opening(path, fps)
                .ok_or_else(|| ProbeError::NotFound(path.to_path_buf()))?,
        ),
        _ => None,
    };
    if sequence.is_none() {
        check_file(path)?;
    }
    let input =
        crate::sequence::open_source(path, sequence).map_err(|source| ProbeError::NotMedia {
            path: path.to_path_buf(),
            source,
        })?;
    describe(path, input, sequence)
}

/// A source that is not a file that can be read.
fn check_file(path: &Path) -> Result<(), ProbeError> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ProbeError::NotFound(path.to_path_buf()))
        }
        Err(source) => {
            return Err(ProbeError::Unreadable {
                path: path.to_path_buf(),
                source,
            })
        }
        Ok(m) if m.is_dir() => return Err(ProbeError::Directory(path.to_path_buf())),
        Ok(_) => {}
    }
    Ok(())
}

/// What an open source says of itself.
fn describe(
    path: &Path,
    input: ff::format::context::Input,
    sequence: Option<crate::sequence::Opening>,
) -> Result<Probe, ProbeError> {
    let start_time = ffmpeg::start_time(&input);
    let mut duration = if input.duration() > 0 {
        Ratio::new(input.duration(), ff::ffi::AV_TIME_BASE as i64)
    } else {
        Ratio::from_integer(0)
    };

    // Image demuxers: `image2` for files by extension, `*_pipe` when
    // recognised by content. Animated GIF is a video.
    let format = input.format().name().to_string();
    let still = sequence.is_none()
        && (format == "image2" || (format.ends_with("_pipe") && !format.contains("gif")));
    let mut video = input.streams().best(ff::media::Type::Video).map(|s| {
        let (w, h, sar) = ffmpeg::picture_shape(&s);
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
            sar: ratio(sar).unwrap_or(Ratio::from_integer(1)),
            end,
            keyframes: keyframes(&s, time_base, start_time),
            still,
            rotation: rotation(&s),
            colour: ffmpeg::source_colour(&s, still),
            sequence,
        }
    });
    let (audio, audio_streams) = audio_streams(&input);
    if let Some(v) = &mut video {
        if v.colour.colour.is_hdr() && v.colour.hdr10 == Default::default() {
            v.colour.hdr10 = first_picture_hdr10(path, v.stream);
        }
    }
    if let Some(v) = &video {
        if v.width == 0 || v.height == 0 {
            return Err(ProbeError::UnknownSize(path.to_path_buf()));
        }
        if duration == Ratio::from_integer(0) {
            duration = v.end.unwrap_or_default();
        }
    }
    let timecode = start_timecode(&input);
    let details = Arc::new(details::read(&input, video.as_ref().map(|v| v.stream)));
    Ok(Probe {
        path: path.to_path_buf(),
        start_time,
        duration,
        video,
        audio,
        audio_streams,
        timecode,
        details,
    })
}

/// The audio stream FFmpeg picks as the best (the default a clip plays),
/// and every audio stream in the file's order.
fn audio_streams(input: &ff::format::context::Input) -> (Option<AudioInfo>, Vec<AudioInfo>) {
    let info = |s: &ff::format::stream::Stream| {
        let (rate, channels) = ffmpeg::sound_shape(s);
        AudioInfo {
            stream: s.index(),
            sample_rate: rate.max(0) as u32,
            channels: channels.max(0) as u32,
        }
    };
    let best = input
        .streams()
        .best(ff::media::Type::Audio)
        .map(|s| info(&s));
    let all = input
        .streams()
        .filter(|s| s.parameters().medium() == ff::media::Type::Audio)
        .map(|s| info(&s))
        .collect();
    (best, all)
}

/// The start timecode: the container's `timecode` tag, else the first
/// stream's (a QuickTime tmcd track, an MXF timecode component).
fn start_timecode(input: &ff::format::context::Input) -> Option<String> {
    input
        .metadata()
        .get("timecode")
        .map(str::to_string)
        .or_else(|| {
            input
                .streams()
                .find_map(|s| s.metadata().get("timecode").map(str::to_string))
        })
}

/// The display matrix's turn, as the FFmpeg CLI reads it for autorotate.
fn rotation(s: &ff::format::stream::Stream) -> u16 {
    let Some(ccw) = ffmpeg::display_rotation(s).filter(|r| r.is_finite()) else {
        return 0;
    };
    match (-ccw.round()).rem_euclid(360.0) {
        t if (t - 90.0).abs() < 1.0 => 90,
        t if (t - 180.0).abs() < 1.0 => 180,
        t if (t - 270.0).abs() < 1.0 => 270,
        _ => 0,
    }
}

/// Keyframe times from the stream's index.
fn keyframes(s: &ff::format::stream::Stream, time_base: Ratio, start: Ratio) -> Vec<Ratio> {
    ffmpeg::index_keyframes(s)
        .into_iter()
        .map(|t| Ratio::from_integer(t) * time_base - start)
        .collect()
}
