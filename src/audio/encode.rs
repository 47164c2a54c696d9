//! AAC (or any audio encoder) in frames of exactly `frame_size`, and
//! decoding the encoded packets again to measure what a listener gets.

use super::loudness::{Measured, Meter};
use crate::edl::AudioSettings;
use crate::error::{Context, Error, Result};
use crate::plan::AudioPlan;
use crate::render::join::{PacketReader, PacketWriter};
use ffmpeg_next as ff;
use std::fs::File;
use std::path::Path;

/// Encoded audio, ready for the muxer.
pub struct AudioTrack {
    pub params: ff::codec::Parameters,
    pub time_base: ff::Rational,
    pub packets: Vec<ff::Packet>,
    /// Loudness and true peak of the encoded audio, decoded again.
    pub loudness: Option<Measured>,
}

/// Encodes planar f32 samples, times `gain` per sample when given; the last
/// frame may be short (the muxer records the exact length).
pub fn encode(
    mix: &[Vec<f32>],
    gain: Option<&[f32]>,
    plan: &AudioPlan,
    settings: &AudioSettings,
) -> Result<AudioTrack> {
    let (mut enc, codec) = open(plan, settings)?;
    let layout = ff::ChannelLayout::default(plan.channels as i32);
    let format = ff::format::Sample::F32(ff::format::sample::Type::Planar);
    let frame_size = match enc.frame_size() {
        0 => 1024,
        n => n as usize,
    };
    let small_last = codec
        .capabilities()
        .contains(ff::codec::capabilities::Capabilities::SMALL_LAST_FRAME);
    let total = mix.first().map_or(0, |c| c.len());
    let mut packets = Vec::new();
    let mut pos = 0usize;
    let drain = |enc: &mut ff::encoder::Audio, packets: &mut Vec<ff::Packet>| -> Result<()> {
        loop {
            let mut p = ff::Packet::empty();
            match enc.receive_packet(&mut p) {
                Ok(()) => packets.push(p),
                Err(ff::Error::Other { errno }) if errno == ff::util::error::EAGAIN => {
                    return Ok(())
                }
                Err(ff::Error::Eof) => return Ok(()),
                Err(e) => return Err(Error::render(format!("encoding audio: {e}"))),
            }
        }
    };
    while pos < total {
        crate::signal::check()?;
        let n = frame_size.min(total - pos);
        let alloc = if n < frame_size && !small_last {
            frame_size
        } else {
            n
        };
        let mut frame = ff::frame::Audio::new(format, alloc, layout);
        frame.set_rate(plan.sample_rate);
        for (ch, samples) in mix.iter().enumerate() {
            let plane = frame.plane_mut::<f32>(ch);
            match gain {
                Some(g) => {
                    for ((d, s), g) in plane[..n]
                        .iter_mut()
                        .zip(&samples[pos..pos + n])
                        .zip(&g[pos..pos + n])
                    {
                        *d = s * g;
                    }
                }
                None => plane[..n].copy_from_slice(&samples[pos..pos + n]),
            }
            plane[n..].fill(0.0);
        }
        frame.set_pts(Some(pos as i64));
        enc.send_frame(&frame)
            .context(|| "encoding audio".to_string())?;
        drain(&mut enc, &mut packets)?;
        pos += n;
    }
    enc.send_eof()
        .context(|| "flushing the audio encoder".to_string())?;
    drain(&mut enc, &mut packets)?;
    Ok(AudioTrack {
        params: ff::codec::Parameters::from(&enc),
        time_base: ff::Rational::new(1, plan.sample_rate as i32),
        packets,
        loudness: None,
    })
}

/// Opens the audio encoder for `settings` at the plan's rate and layout.
fn open(plan: &AudioPlan, settings: &AudioSettings) -> Result<(ff::encoder::Audio, ff::Codec)> {
    let what = || format!("audio encoder {}", settings.codec);
    let codec = ff::encoder::find_by_name(&settings.codec)
        .ok_or_else(|| Error::render(format!("unknown audio encoder \"{}\"", settings.codec)))?;
    let ctx = ff::codec::context::Context::new_with_codec(codec);
    let mut enc = ctx.encoder().audio().context(what)?;
    let layout = ff::ChannelLayout::default(plan.channels as i32);
    let format = ff::format::Sample::F32(ff::format::sample::Type::Planar);
    enc.set_rate(plan.sample_rate as i32);
    enc.set_channel_layout(layout);
    enc.set_format(format);
    enc.set_bit_rate(settings.bitrate as usize);
    enc.set_time_base(ff::Rational::new(1, plan.sample_rate as i32));
    enc.set_flags(ff::codec::flag::Flags::GLOBAL_HEADER);
    let enc = enc.open_as(codec).map_err(|e| {
        Error::render(format!(
            "cannot open audio encoder {} ({} Hz, {} channels, planar float): {e}",
            settings.codec, plan.sample_rate, plan.channels
        ))
    })?;
    Ok((enc, codec))
}

/// Writes `track` to a packet file (its loudness in the header).
pub fn store(track: &AudioTrack, path: &Path) -> Result<()> {
    let header = match &track.loudness {
        Some(m) => format!("{} {}", m.integrated_lufs, m.true_peak_db),
        None => String::new(),
    };
    let mut w = PacketWriter::create(path, header.into_bytes())?;
    for p in &track.packets {
        w.write(p)?;
    }
    w.finish()
}

/// Reads a track written by [`store`]; its stream parameters come from
/// an encoder opened with the same settings.
pub fn load(
    file: File,
    name: &Path,
    plan: &AudioPlan,
    settings: &AudioSettings,
) -> Result<AudioTrack> {
    let (enc, _) = open(plan, settings)?;
    let mut reader = PacketReader::from_file(file, name)?;
    let header = String::from_utf8_lossy(&reader.extradata).into_owned();
    let mut nums = header.split(' ').filter_map(|t| t.parse::<f64>().ok());
    let loudness = match (nums.next(), nums.next()) {
        (Some(integrated_lufs), Some(true_peak_db)) => Some(Measured {
            integrated_lufs,
            true_peak_db,
        }),
        _ => None,
    };
    let mut packets = Vec::new();
    while let Some(sp) = reader.read()? {
        let mut p = ff::Packet::copy(&sp.data);
        p.set_pts(sp.pts);
        p.set_dts(sp.dts);
        p.set_duration(sp.duration);
        if sp.key {
            p.set_flags(ff::packet::Flags::KEY);
        }
        packets.push(p);
    }
    Ok(AudioTrack {
        params: ff::codec::Parameters::from(&enc),
        time_base: ff::Rational::new(1, plan.sample_rate as i32),
        packets,
        loudness,
    })
}

/// Decodes `track` and measures its integrated loudness and true peak.
pub fn measure(track: &AudioTrack, plan: &AudioPlan) -> Result<Measured> {
    let what = || "measuring the encoded audio".to_string();
    let ctx = ff::codec::context::Context::from_parameters(track.params.clone()).context(what)?;
    let mut dec = ctx.decoder().audio().context(what)?;
    let mut meter = Meter::new(plan.channels, plan.sample_rate)?;
    let mut frame = ff::frame::Audio::empty();
    let mut take = |dec: &mut ff::decoder::Audio, meter: &mut Meter| -> Result<()> {
        while dec.receive_frame(&mut frame).is_ok() {
            if frame.format() != ff::format::Sample::F32(ff::format::sample::Type::Planar) {
                return Err(Error::render(format!(
                    "measuring the encoded audio: unexpected sample format {:?}",
                    frame.format()
                )));
            }
            let n = frame.samples();
            let planes: Vec<&[f32]> = (0..plan.channels as usize)
                .map(|ch| &frame.plane::<f32>(ch)[..n])
                .collect();
            meter.add(&planes)?;
        }
        Ok(())
    };
    for p in &track.packets {
        dec.send_packet(p).context(what)?;
        take(&mut dec, &mut meter)?;
    }
    dec.send_eof().context(what)?;
    take(&mut dec, &mut meter)?;
    Ok(meter.result())
}
