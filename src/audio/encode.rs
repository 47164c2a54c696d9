//! AAC (or any audio encoder) in frames of exactly `frame_size`, and
//! decoding the encoded packets again to measure what a listener gets.

use super::loudness::{Measured, Meter};
use super::sample_format;
use crate::edl::AudioSettings;
use crate::error::{Context, Error, Result};
use crate::ffmpeg;
use crate::packet::{self, Content, Header};
use crate::plan::AudioPlan;
use ff::format::sample::Type::Planar;
use ffmpeg_next as ff;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Encoded audio, ready for the muxer, and what it measures. Its packets
/// stay in the packet files of its chunks until they are read, so an
/// hour's audio is never held whole.
pub struct AudioTrack {
    pub params: ff::codec::Parameters,
    pub time_base: ff::Rational,
    pub parts: Vec<Part>,
    /// Loudness and true peak of the encoded audio, decoded again.
    pub loudness: Option<Measured>,
}

/// Packets of a track, in order.
pub enum Part {
    Packets(Vec<ff::Packet>),
    /// A packet file written by [`store`].
    File(PathBuf),
}

impl AudioTrack {
    /// Every packet, in order, read as it is needed.
    pub fn packets(&self) -> impl Iterator<Item = Result<ff::Packet>> + '_ {
        self.parts
            .iter()
            .flat_map(|part| -> Box<dyn Iterator<Item = Result<ff::Packet>>> {
                match part {
                    Part::Packets(p) => Box::new(p.iter().cloned().map(Ok)),
                    Part::File(path) => {
                        let reader = File::open(path)
                            .map_err(|e| Error::io("reading", path, e))
                            .and_then(|f| packet::Reader::open(f, path, Content::Audio));
                        match reader {
                            Ok(mut r) => Box::new(std::iter::from_fn(move || {
                                r.read()
                                    .transpose()
                                    .map(|p| p.map(|sp| ffmpeg::read_packet(&sp)))
                            })),
                            Err(e) => Box::new(std::iter::once(Err(e))),
                        }
                    }
                }
            })
    }
}

/// What the audio encoder works in: samples per frame, and whether its
/// frames can be joined from separate runs (each run fed a few frames
/// ahead of what it keeps). Encoders with a bit reservoir reaching across
/// frames (MP3) cannot, nor libvorbis, whose runs choose their block sizes
/// and levels apart (a join measured 6 dB down); PCM, FLAC, ALAC, AAC,
/// Opus and AC-3 join without a seam.
pub fn framing(plan: &AudioPlan, settings: &AudioSettings) -> Result<(u64, bool)> {
    let (enc, _) = open(plan, settings)?;
    let frame = match enc.frame_size() {
        0 => 1024,
        n => n as u64,
    };
    let joinable = !matches!(
        settings.codec.as_str(),
        "libmp3lame" | "mp2" | "libtwolame" | "libvorbis"
    );
    Ok((frame, joinable))
}

/// An encoder for a span of the timeline. It is fed samples from
/// timeline sample `first` on and returns the packets for timeline
/// samples `keep.0..` up to `keep.1` (to the end when `None`, where the
/// encoder is flushed and its last frame may be short; the muxer records
/// the exact length). Samples before `keep.0` prime the encoder so that its
/// frames join those of the run before; samples after `keep.1` let it see
/// ahead as it would in one run.
pub struct SpanEncoder {
    enc: ff::encoder::Audio,
    small_last: bool,
    frame_size: usize,
    /// The sample format the encoder takes, and the depth of its samples.
    format: ff::format::Sample,
    depth: u32,
    delay: i64,
    keep: (u64, Option<u64>),
    /// Timeline sample of the first pending sample.
    next: u64,
    /// Samples fed but not yet encoded (less than a frame).
    pending: Vec<Vec<f32>>,
    sample_rate: u32,
    packets: Vec<ff::Packet>,
}

impl SpanEncoder {
    pub fn new(
        plan: &AudioPlan,
        settings: &AudioSettings,
        first: u64,
        keep: (u64, Option<u64>),
    ) -> Result<SpanEncoder> {
        let (enc, codec) = open(plan, settings)?;
        // PCM takes frames of any size; padding its last would lengthen it.
        let small_last = codec.capabilities().intersects(
            ff::codec::capabilities::Capabilities::SMALL_LAST_FRAME
                | ff::codec::capabilities::Capabilities::VARIABLE_FRAME_SIZE,
        );
        let frame_size = match enc.frame_size() {
            0 => 1024,
            n => n as usize,
        };
        let format = enc.format();
        let depth = sample_format::depth(format, ffmpeg::bits_per_raw_sample(&enc));
        Ok(SpanEncoder {
            format,
            depth,
            delay: ffmpeg::initial_padding(&enc),
            enc,
            small_last,
            frame_size,
            keep,
            next: first,
            pending: vec![Vec::new(); plan.channels as usize],
            sample_rate: plan.sample_rate,
            packets: Vec::new(),
        })
    }

    /// Adds planar samples, times `gain` per sample when given.
    pub fn feed(&mut self, mix: &[Vec<f32>], gain: Option<&[f32]>) -> Result<()> {
        let n = mix.first().map_or(0, |c| c.len());
        let mut pos = 0;
        while pos < n {
            crate::signal::check()?;
            let take = (self.frame_size - self.pending[0].len()).min(n - pos);
            for (dst, src) in self.pending.iter_mut().zip(mix) {
                match gain {
                    Some(g) => dst.extend(
                        src[pos..pos + take]
                            .iter()
                            .zip(&g[pos..pos + take])
                            .map(|(s, g)| s * g),
                    ),
                    None => dst.extend_from_slice(&src[pos..pos + take]),
                }
            }
            pos += take;
            if self.pending[0].len() == self.frame_size {
                self.send()?;
            }
        }
        Ok(())
    }

    /// Encodes the pending samples as one frame (padded with silence to a
    /// whole frame unless the encoder takes a short last one).
    fn send(&mut self) -> Result<()> {
        let n = self.pending[0].len();
        let alloc = if n < self.frame_size && !self.small_last {
            self.frame_size
        } else {
            n
        };
        let mut frame = sample_format::frame(self.format, self.depth, &self.pending, n, alloc);
        frame.set_rate(self.sample_rate);
        for samples in &mut self.pending {
            samples.clear();
        }
        frame.set_pts(Some(self.next as i64));
        self.next += n as u64;
        self.enc.send_frame(&frame).context(|| "encoding audio")?;
        self.drain()
    }

    fn drain(&mut self) -> Result<()> {
        let (delay, keep) = (self.delay, self.keep);
        let packets = &mut self.packets;
        ffmpeg::drain(&mut self.enc, "encoding audio", |p| {
            // An empty packet only carries side data: FLAC's STREAMINFO of
            // this run alone at its end, which is not the joined stream's.
            if p.size() == 0 {
                return Ok(());
            }
            // A packet carries the time of the samples it stands for less
            // the encoder's priming.
            let t = p.pts().unwrap_or(0) + delay;
            if t >= keep.0 as i64 && keep.1.is_none_or(|end| t < end as i64) {
                packets.push(p);
            }
            Ok(())
        })
    }

    /// Encodes what is left, flushes, and returns the kept packets.
    pub fn finish(mut self) -> Result<Vec<ff::Packet>> {
        if !self.pending[0].is_empty() {
            self.send()?;
        }
        self.enc
            .send_eof()
            .context(|| "flushing the audio encoder")?;
        self.drain()?;
        // The last packets end where the samples do: an encoder that pads
        // its last frame (AC-3) says it lasts the whole frame, and MP4's
        // edit list would then run past the end.
        let end = self.next as i64;
        for p in &mut self.packets {
            if let Some(t) = p.pts().filter(|t| t + p.duration() > end) {
                p.set_duration((end - t).max(0));
            }
        }
        Ok(self.packets)
    }
}

/// An encoded track of `parts`, with the stream parameters of an
/// encoder opened with `settings`.
pub fn track(parts: Vec<Part>, plan: &AudioPlan, settings: &AudioSettings) -> Result<AudioTrack> {
    let (enc, _) = open(plan, settings)?;
    Ok(AudioTrack {
        params: ff::codec::Parameters::from(&enc),
        time_base: ff::Rational::new(1, plan.sample_rate as i32),
        parts,
        loudness: None,
    })
}

/// Opens the audio encoder for `settings` at the plan's rate and layout.
fn open(plan: &AudioPlan, settings: &AudioSettings) -> Result<(ff::encoder::Audio, ff::Codec)> {
    open_at(plan.sample_rate, plan.channels, settings)
}

/// What keeps `settings.codec` from encoding `sample_rate` Hz in
/// `channels` channels: a rate or layout it does not list, or no sample
/// format reel can give it; as the EDL key at fault (`audio.sample_rate`,
/// `audio.channels` or `audio.codec`) and a message.
pub fn unsupported(
    sample_rate: u32,
    channels: u32,
    settings: &AudioSettings,
) -> Option<(&'static str, String)> {
    let name = &settings.codec;
    let codec = ff::encoder::find_by_name(name)?;
    let audio = codec.audio().ok()?;
    if let Some(rates) = audio.rates() {
        let rates: Vec<i32> = rates.collect();
        if !rates.contains(&(sample_rate as i32)) {
            let list: Vec<String> = rates.iter().map(|r| r.to_string()).collect();
            return Some((
                "audio.sample_rate",
                format!(
                    "audio encoder {name} takes {} Hz, not {sample_rate} Hz (set sample_rate)",
                    list.join(", ")
                ),
            ));
        }
    }
    if let Some(layouts) = audio.channel_layouts() {
        if !layouts.into_iter().any(|l| l.channels() == channels as i32) {
            return Some((
                "audio.channels",
                format!("audio encoder {name} cannot encode {channels} channels"),
            ));
        }
    }
    sample_format::choose(&codec).is_none().then(|| {
        (
            "audio.codec",
            format!("audio encoder {name} takes no sample format reel can give it"),
        )
    })
}

/// Opens the audio encoder for `settings` at `sample_rate` and `channels`,
/// in the sample format it takes ([`sample_format::choose`]), with its
/// options and quality.
pub fn open_at(
    sample_rate: u32,
    channels: u32,
    settings: &AudioSettings,
) -> Result<(ff::encoder::Audio, ff::Codec)> {
    let what = || format!("audio encoder {}", settings.codec);
    let codec = ff::encoder::find_by_name(&settings.codec)
        .ok_or(Error::Unexpected("the audio encoder went missing"))?;
    if let Some((_, problem)) = unsupported(sample_rate, channels, settings) {
        return Err(Error::Ffmpeg {
            what: problem,
            source: ff::Error::Other {
                errno: ff::util::error::EINVAL,
            },
        });
    }
    let format = sample_format::choose(&codec).unwrap_or(ff::format::Sample::F32(Planar));
    let mut ctx = ff::codec::context::Context::new_with_codec(codec);
    if matches!(format, ff::format::Sample::I32(_))
        && matches!(
            settings.codec.as_str(),
            "pcm_s24le" | "pcm_s24be" | "flac" | "alac"
        )
    {
        // These take 24-bit samples in s32 and keep the top 24 bits.
        ffmpeg::set_bits_per_raw_sample(&mut ctx, 24);
    }
    let mut enc = ctx.encoder().audio().context(what)?;
    let layout = ff::ChannelLayout::default(channels as i32);
    enc.set_rate(sample_rate as i32);
    enc.set_channel_layout(layout);
    enc.set_format(format);
    enc.set_bit_rate(settings.bitrate as usize);
    enc.set_time_base(ff::Rational::new(1, sample_rate as i32));
    let mut flags = ff::codec::flag::Flags::GLOBAL_HEADER;
    if let Some(q) = settings.quality {
        ffmpeg::set_global_quality(&mut enc, q);
        flags |= ff::codec::flag::Flags::QSCALE;
    }
    enc.set_flags(flags);
    let names: Vec<&str> = settings.options.keys().map(String::as_str).collect();
    if let Some(unknown) = ffmpeg::unknown_options(&enc, &names).first() {
        return Err(Error::Ffmpeg {
            what: format!(
                "audio encoder {} has no option \"{unknown}\"",
                settings.codec
            ),
            source: ff::Error::OptionNotFound,
        });
    }
    let mut opts = ff::Dictionary::new();
    for (k, v) in &settings.options {
        opts.set(k, v);
    }
    let enc = enc.open_as_with(codec, opts).context(|| {
        format!(
            "cannot open audio encoder {} ({} Hz, {} channels, {}{})",
            settings.codec,
            sample_rate,
            channels,
            sample_format::describe(format),
            if settings.options.is_empty() {
                String::new()
            } else {
                format!(", options {:?}", settings.options)
            }
        )
    })?;
    Ok((enc, codec))
}

/// Writes `packets` to a packet file.
pub fn store(packets: &[ff::Packet], path: &Path) -> Result<()> {
    let mut w = packet::Writer::create(path, &Header::Audio { loudness: None })?;
    for p in packets {
        ffmpeg::write_packet(&mut w, p)?;
    }
    w.finish()
}

/// Reads the packets of a file written by [`store`].
pub fn load(file: File, name: &Path) -> Result<Vec<ff::Packet>> {
    let mut reader = packet::Reader::open(file, name, Content::Audio)?;
    let mut packets = Vec::new();
    while let Some(sp) = reader.read()? {
        packets.push(ffmpeg::read_packet(&sp));
    }
    Ok(packets)
}

/// The decoder gave samples [`sample_format::append_planar`] cannot read.
const OTHER_FORMAT: &str = "measuring the encoded audio: the decoder gave an unknown sample format";

/// Decodes the packets of chunk file `part` (after the last two packets of
/// `before`, the chunk ahead of it, which only prime the decoder and the
/// meters) and measures what a listener hears of it: the K-weighted energy
/// of every block of `block` samples, and the highest true peak (linear).
pub fn measure_part(
    before: Option<&Path>,
    part: &Path,
    plan: &AudioPlan,
    settings: &AudioSettings,
    block: usize,
) -> Result<(Vec<f32>, f32)> {
    let what = || format!("measuring the encoded audio in {}", part.display());
    let read = |path: &Path| -> Result<Vec<ff::Packet>> {
        let file = File::open(path).map_err(|e| Error::io("reading", path, e))?;
        load(file, path)
    };
    let mut lead = match before {
        Some(b) => read(b)?,
        None => Vec::new(),
    };
    let lead = lead.split_off(lead.len().saturating_sub(2));
    let body = read(part)?;
    let (enc, _) = open(plan, settings)?;
    let ctx = ff::codec::context::Context::from_parameters(ff::codec::Parameters::from(&enc))
        .context(what)?;
    let mut dec = ctx.decoder().audio().context(what)?;
    let channels = plan.channels as usize;
    let mut samples: Vec<Vec<f32>> = vec![Vec::new(); channels];
    let mut frame = ff::frame::Audio::empty();
    let mut take = |dec: &mut ff::decoder::Audio, out: &mut Vec<Vec<f32>>| -> Result<()> {
        while dec.receive_frame(&mut frame).is_ok() {
            if !sample_format::append_planar(&frame, out) {
                return Err(Error::Unexpected(OTHER_FORMAT));
            }
        }
        Ok(())
    };
    for p in &lead {
        dec.send_packet(p).context(what)?;
        take(&mut dec, &mut samples)?;
    }
    let pre = samples[0].len();
    for p in &body {
        dec.send_packet(p).context(what)?;
        take(&mut dec, &mut samples)?;
    }
    dec.send_eof().context(what)?;
    take(&mut dec, &mut samples)?;
    let energies = super::loudness::block_energies(&samples, plan.sample_rate, block, pre);
    let peaks =
        super::loudness::block_peaks(&samples, plan.sample_rate, samples[0].len().max(1), pre)?;
    Ok((energies, peaks.into_iter().fold(0.0, f32::max)))
}

/// Decodes `track` and measures its integrated loudness and true peak.
pub fn measure(track: &AudioTrack, plan: &AudioPlan) -> Result<Measured> {
    let what = || "measuring the encoded audio";
    let ctx = ff::codec::context::Context::from_parameters(track.params.clone()).context(what)?;
    let mut dec = ctx.decoder().audio().context(what)?;
    let mut meter = Meter::new(plan.channels, plan.sample_rate)?;
    let mut frame = ff::frame::Audio::empty();
    let channels = plan.channels as usize;
    let mut take = |dec: &mut ff::decoder::Audio, meter: &mut Meter| -> Result<()> {
        while dec.receive_frame(&mut frame).is_ok() {
            let mut planar = vec![Vec::new(); channels];
            if !sample_format::append_planar(&frame, &mut planar) {
                return Err(Error::Unexpected(OTHER_FORMAT));
            }
            let planes: Vec<&[f32]> = planar.iter().map(Vec::as_slice).collect();
            meter.add(&planes)?;
        }
        Ok(())
    };
    for p in track.packets() {
        dec.send_packet(&p?).context(what)?;
        take(&mut dec, &mut meter)?;
    }
    dec.send_eof().context(what)?;
    take(&mut dec, &mut meter)?;
    Ok(meter.result())
}
