//! AAC (or any audio encoder) in frames of exactly `frame_size`, and
//! decoding the encoded packets again to measure what a listener gets.

use super::loudness::{Measured, Meter};
use crate::container::EncodedTrack;
use crate::edl::AudioSettings;
use crate::error::{Context, Error, Result};
use crate::glue;
use crate::packet::{self, Content, Header};
use crate::plan::AudioPlan;
use ffmpeg_next as ff;
use std::fs::File;
use std::path::Path;

/// Encoded audio, ready for the muxer, and what it measures.
pub struct AudioTrack {
    pub encoded: EncodedTrack,
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
    let drain = |enc: &mut ff::encoder::Audio, packets: &mut Vec<ff::Packet>| {
        glue::drain(enc, "encoding audio", |p| {
            packets.push(p);
            Ok(())
        })
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
        enc.send_frame(&frame).context(|| "encoding audio")?;
        drain(&mut enc, &mut packets)?;
        pos += n;
    }
    enc.send_eof().context(|| "flushing the audio encoder")?;
    drain(&mut enc, &mut packets)?;
    Ok(AudioTrack {
        encoded: EncodedTrack {
            params: ff::codec::Parameters::from(&enc),
            time_base: ff::Rational::new(1, plan.sample_rate as i32),
            packets,
        },
        loudness: None,
    })
}

/// Opens the audio encoder for `settings` at the plan's rate and layout.
fn open(plan: &AudioPlan, settings: &AudioSettings) -> Result<(ff::encoder::Audio, ff::Codec)> {
    let what = || format!("audio encoder {}", settings.codec);
    let codec = ff::encoder::find_by_name(&settings.codec)
        .ok_or(Error::Unexpected("the audio encoder went missing"))?;
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
    let enc = enc.open_as(codec).context(|| {
        format!(
            "cannot open audio encoder {} ({} Hz, {} channels, planar float)",
            settings.codec, plan.sample_rate, plan.channels
        )
    })?;
    Ok((enc, codec))
}

/// Writes `track` to a packet file (its loudness in the header).
pub fn store(track: &AudioTrack, path: &Path) -> Result<()> {
    let header = Header::Audio {
        loudness: track.loudness.map(|m| packet::Loudness {
            integrated_lufs: m.integrated_lufs,
            true_peak_db: m.true_peak_db,
        }),
    };
    let mut w = packet::Writer::create(path, &header)?;
    for p in &track.encoded.packets {
        glue::write_packet(&mut w, p)?;
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
    let mut reader = packet::Reader::open(file, name, Content::Audio)?;
    let loudness = match reader.header {
        Header::Audio {
            loudness: Some(l), ..
        } => Some(Measured {
            integrated_lufs: l.integrated_lufs,
            true_peak_db: l.true_peak_db,
        }),
        _ => None,
    };
    let mut packets = Vec::new();
    while let Some(sp) = reader.read()? {
        packets.push(glue::read_packet(&sp));
    }
    Ok(AudioTrack {
        encoded: EncodedTrack {
            params: ff::codec::Parameters::from(&enc),
            time_base: ff::Rational::new(1, plan.sample_rate as i32),
            packets,
        },
        loudness,
    })
}

/// Decodes `track` and measures its integrated loudness and true peak.
pub fn measure(track: &AudioTrack, plan: &AudioPlan) -> Result<Measured> {
    let what = || "measuring the encoded audio";
    let ctx =
        ff::codec::context::Context::from_parameters(track.encoded.params.clone()).context(what)?;
    let mut dec = ctx.decoder().audio().context(what)?;
    let mut meter = Meter::new(plan.channels, plan.sample_rate)?;
    let mut frame = ff::frame::Audio::empty();
    let mut take = |dec: &mut ff::decoder::Audio, meter: &mut Meter| -> Result<()> {
        while dec.receive_frame(&mut frame).is_ok() {
            if frame.format() != ff::format::Sample::F32(ff::format::sample::Type::Planar) {
                return Err(Error::Unexpected(
                    "measuring the encoded audio: the decoder gave another sample format",
                ));
            }
            let n = frame.samples();
            let planes: Vec<&[f32]> = (0..plan.channels as usize)
                .map(|ch| &frame.plane::<f32>(ch)[..n])
                .collect();
            meter.add(&planes)?;
        }
        Ok(())
    };
    for p in &track.encoded.packets {
        dec.send_packet(p).context(what)?;
        take(&mut dec, &mut meter)?;
    }
    dec.send_eof().context(what)?;
    take(&mut dec, &mut meter)?;
    Ok(meter.result())
}
