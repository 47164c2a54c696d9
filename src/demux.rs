//! Feeding one stream of an input file to its decoder: read packets, send
//! those of the stream, drain frames, flush at the end. Shared by the video
//! readers and the audio mixer.

use ffmpeg_next as ff;
use std::path::Path;

/// An open input, reading one stream.
pub struct StreamInput {
    pub input: ff::format::context::Input,
    pub stream: usize,
    flushed: bool,
    /// Timestamps of packets the decoder refused as invalid since the
    /// caller last took them (None: the packet had none).
    pub rejected: Vec<Option<i64>>,
    /// Packets of the streams kept besides (see [`StreamInput::open_with`])
    /// read since the caller last took them.
    pub others: Vec<ff::Packet>,
    also: Vec<usize>,
}

impl StreamInput {
    pub fn open(path: &Path, stream: usize) -> Result<Self, ff::Error> {
        StreamInput::open_with(path, stream, &[])
    }

    /// Opens `stream` of a source that may be an image sequence (see
    /// [`crate::sequence`]).
    pub fn open_source(
        path: &Path,
        stream: usize,
        sequence: Option<crate::sequence::Opening>,
    ) -> Result<Self, ff::Error> {
        let input = crate::sequence::open_source(path, sequence)?;
        Ok(StreamInput::reading(input, stream, &[]))
    }

    /// Opens `stream` for decoding and keeps the packets of the `also`
    /// streams, as read, in [`StreamInput::others`].
    pub fn open_with(path: &Path, stream: usize, also: &[usize]) -> Result<Self, ff::Error> {
        let input = ff::format::input(&path)?;
        Ok(StreamInput::reading(input, stream, also))
    }

    fn reading(mut input: ff::format::context::Input, stream: usize, also: &[usize]) -> Self {
        let keep: Vec<usize> = std::iter::once(stream)
            .chain(also.iter().copied())
            .collect();
        crate::ffmpeg::discard_other_streams(&mut input, &keep);
        StreamInput {
            input,
            stream,
            flushed: false,
            rejected: Vec::new(),
            others: Vec::new(),
            also: also.to_vec(),
        }
    }

    /// A decoder for the stream, with the packet time base set.
    pub fn decoder(&self, threads: usize) -> Result<ff::decoder::Decoder, ff::Error> {
        let stream = self
            .input
            .stream(self.stream)
            .ok_or(ff::Error::StreamNotFound)?;
        let mut ctx = ff::codec::context::Context::from_parameters(stream.parameters())?;
        ctx.set_threading(ff::threading::Config {
            kind: ff::threading::Type::Frame,
            count: threads.max(1),
            ..Default::default()
        });
        crate::ffmpeg::set_packet_time_base(&mut ctx, stream.time_base());
        Ok(ctx.decoder())
    }

    /// Opens a video decoder made by [`Self::decoder`]: FFmpeg's own,
    /// except for VP9 with alpha (WebM's `alpha_mode`), whose alpha only
    /// libvpx decodes.
    pub fn open_video(
        &self,
        decoder: ff::decoder::Decoder,
    ) -> Result<ff::decoder::Video, ff::Error> {
        let alpha = self
            .input
            .stream(self.stream)
            .is_some_and(|s| s.metadata().get("alpha_mode") == Some("1"));
        let libvpx = ff::decoder::find_by_name("libvpx-vp9");
        match libvpx {
            Some(codec) if alpha && decoder.id() == ff::codec::Id::VP9 => {
                decoder.open_as(codec)?.video()
            }
            _ => decoder.video(),
        }
    }

    /// Seeks to the keyframe at or before `ts` (AV_TIME_BASE units, see
    /// [`crate::ffmpeg::seek_ts`]) and readies for decoding again; falls back
    /// to the start when the input cannot seek.
    pub fn seek(&mut self, decoder: &mut ff::decoder::Opened, ts: i64) {
        if self.input.seek(ts, ..ts).is_err() {
            let _ = self.input.seek(i64::MIN + 1, ..);
        }
        decoder.flush();
        self.flushed = false;
    }

    /// Decodes the next frame into `frame`; `Ok(false)` at the end.
    pub fn next_frame(
        &mut self,
        decoder: &mut ff::decoder::Opened,
        frame: &mut ff::Frame,
    ) -> Result<bool, ff::Error> {
        loop {
            match decoder.receive_frame(frame) {
                Ok(()) => return Ok(true),
                Err(ff::Error::Eof) => return Ok(false),
                Err(ff::Error::Other { errno }) if errno == ff::util::error::EAGAIN => {}
                Err(e) => return Err(e),
            }
            if self.flushed {
                return Ok(false);
            }
            // A fresh packet per read: av_read_frame does not release what a
            // reused packet still holds.
            let mut packet = ff::Packet::empty();
            match packet.read(&mut self.input) {
                Ok(()) if packet.stream() == self.stream => match decoder.send_packet(&packet) {
                    Ok(()) => {}
                    // Noted, not failed: damage right after a seek (e.g. a
                    // partial packet in an MPEG program stream) is normal;
                    // the reader decides whether it falls inside a clip.
                    Err(ff::Error::InvalidData) => self.rejected.push(packet.pts()),
                    Err(e) => return Err(e),
                },
                Ok(()) if self.also.contains(&packet.stream()) => self.others.push(packet),
                Ok(()) => {}
                Err(ff::Error::Eof) => {
                    decoder.send_eof()?;
                    self.flushed = true;
                }
                Err(e) => return Err(e),
            }
        }
    }
}
