//! What a source holds beyond what the planner needs, for `reel check`
//! to show: its container, the video's codec and pixel format, every audio
//! stream with its layout, and the streams reel leaves out.

use crate::ffmpeg;
use ffmpeg_next as ff;

/// A source's container and streams, as probed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Details {
    /// The demuxer's name ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm").
    pub container: String,
    /// The video stream reel uses.
    pub video: Option<VideoDetails>,
    /// Every audio stream, in file order.
    pub audio: Vec<AudioStream>,
    /// Video streams other than the one used (cover art not counted).
    pub other_video: usize,
    /// Subtitle and data streams ("subtitle mov_text"), which reel does
    /// not read. A QuickTime timecode track is not among them: its
    /// timecode is read.
    pub ignored: Vec<String>,
}

/// The used video stream's codec and pixel format.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoDetails {
    /// "h264 (High)", "prores (4444)".
    pub codec: String,
    /// "yuv420p", "yuva444p12le"; empty when the stream does not say.
    pub pix_fmt: String,
    pub depth: u8,
    pub alpha: bool,
}

/// One audio stream.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioStream {
    /// Index among the file's streams.
    pub stream: usize,
    pub codec: String,
    pub sample_rate: u32,
    /// "stereo", "mono", "5.1(side)", "2 channels".
    pub layout: String,
}

/// Reads the details of an open input whose video stream `video` is used.
pub fn read(input: &ff::format::context::Input, video: Option<usize>) -> Details {
    use ff::media::Type;
    let mut d = Details {
        container: input.format().name().to_string(),
        ..Details::default()
    };
    for s in input.streams() {
        let kind = s.parameters().medium();
        match kind {
            Type::Video if Some(s.index()) == video => {
                let (pix_fmt, depth, alpha) = ffmpeg::pixel_format(&s).unwrap_or_default();
                d.video = Some(VideoDetails {
                    codec: ffmpeg::codec_text(&s),
                    pix_fmt,
                    depth,
                    // WebM carries VP9's alpha beside the picture.
                    alpha: alpha || s.metadata().get("alpha_mode") == Some("1"),
                });
            }
            Type::Video if !ffmpeg::attached_picture(&s) => d.other_video += 1,
            Type::Audio => d.audio.push(AudioStream {
                stream: s.index(),
                codec: ffmpeg::codec_text(&s),
                sample_rate: ffmpeg::sound_shape(&s).0.max(0) as u32,
                layout: ffmpeg::layout_text(&s),
            }),
            Type::Data if ffmpeg::codec_tag(&s).as_deref() == Some("tmcd") => {}
            Type::Subtitle | Type::Data | Type::Attachment => {
                let what = match kind {
                    Type::Subtitle => "subtitle",
                    Type::Attachment => "attachment",
                    _ => "data",
                };
                let codec = ffmpeg::codec_text(&s);
                let tag = ffmpeg::codec_tag(&s).map_or(String::new(), |t| format!(" ({t})"));
                d.ignored
                    .push(format!("{what} stream {} {codec}{tag}", s.index()));
            }
            _ => {}
        }
    }
    d
}
