//! Audio: decode each region's source window, convert it with libavfilter
//! (`aresample`/`aformat`, i.e. swresample, with proper downmix
//! coefficients), apply gain and crossfade envelopes, mix on the
//! sample-exact timeline and encode (AAC frames of exactly `frame_size`).

use crate::demux::StreamInput;
use crate::edl::AudioSettings;
use crate::error::{Context, Error, Result};
use crate::plan::{AudioPlan, AudioRegion};
use crate::time::{self, Clock, Ratio};
use ffmpeg_next as ff;

/// Encoded audio, ready for the muxer.
pub struct AudioTrack {
    pub params: ff::codec::Parameters,
    pub time_base: ff::Rational,
    pub packets: Vec<ff::Packet>,
}

/// Mixes and encodes the whole audio plan.
pub fn render(plan: &AudioPlan, settings: &AudioSettings) -> Result<AudioTrack> {
    let mix = mix(plan)?;
    encode(&mix, plan, settings)
}

/// Planar f32 samples of the whole montage.
pub fn mix(plan: &AudioPlan) -> Result<Vec<Vec<f32>>> {
    let len = plan.samples as usize;
    let mut mix = vec![vec![0f32; len]; plan.channels as usize];
    for region in plan.clips.iter().chain(&plan.voiceovers) {
        let samples = read_region(region, plan)?;
        let n = (region.timeline.end - region.timeline.start) as usize;
        let (fi, fo) = (region.fade_in as usize, region.fade_out as usize);
        for (ch, src) in samples.iter().enumerate() {
            let dst = &mut mix[ch][region.timeline.start as usize..region.timeline.end as usize];
            for (i, (d, s)) in dst.iter_mut().zip(src).enumerate() {
                let mut gain = region.volume;
                if i < fi {
                    gain *= (i + 1) as f64 / (fi + 1) as f64;
                }
                if i >= n - fo {
                    gain *= 1.0 - (i - (n - fo) + 1) as f64 / (fo + 1) as f64;
                }
                *d += (*s as f64 * gain) as f32;
            }
        }
    }
    Ok(mix)
}

fn layout_name(channels: u32) -> &'static str {
    match channels {
        1 => "mono",
        2 => "stereo",
        3 => "2.1",
        4 => "quad",
        5 => "5.0",
        6 => "5.1",
        7 => "6.1",
        _ => "7.1",
    }
}

/// Reads `region`'s window from its source, converted to the output rate and
/// layout. Missing audio (a stream that starts late or ends early) is silence.
fn read_region(region: &AudioRegion, plan: &AudioPlan) -> Result<Vec<Vec<f32>>> {
    let what = || format!("{}: audio", region.label);
    let len = (region.timeline.end - region.timeline.start) as usize;
    let mut out = vec![vec![0f32; len]; plan.channels as usize];
    let sr = plan.sample_rate as i64;
    let window_start = time::round(region.source_start * Ratio::from_integer(sr));
    let window_end = window_start + len as i64;

    let mut input = StreamInput::open(&region.source, region.stream).context(what)?;
    let tb = input
        .input
        .stream(region.stream)
        .ok_or_else(|| Error::render(format!("{}: audio stream is gone", what())))?
        .time_base();
    let tbr = Ratio::new(tb.numerator() as i64, tb.denominator() as i64);
    let mut decoder = input.decoder(1).and_then(|d| d.audio()).context(what)?;
    // Start a little early: decoders need a few frames to settle.
    let seek_at = region.container_start + region.source_start - Ratio::from_integer(1);
    if seek_at > region.container_start {
        let ts = (seek_at * Ratio::from_integer(ff::ffi::AV_TIME_BASE as i64))
            .floor()
            .to_integer();
        input.seek(&mut decoder, ts);
    }
    // Timestamps relative to the container start, in stream units.
    let zero = (region.container_start / tbr).round().to_integer();

    let mut graph: Option<ff::filter::Graph> = None;
    let mut decoded = ff::frame::Audio::empty();
    let mut converted = ff::frame::Audio::empty();
    // Copies the part of a converted frame inside the window; true once the
    // window is complete.
    let place = |frame: &ff::frame::Audio, out: &mut Vec<Vec<f32>>| -> bool {
        let Some(pts) = frame.pts() else { return false };
        let n = frame.samples() as i64;
        let (a, b) = (pts.max(window_start), (pts + n).min(window_end));
        for (ch, dst) in out.iter_mut().enumerate() {
            let src = frame.plane::<f32>(ch);
            for t in a..b {
                dst[(t - window_start) as usize] = src[(t - pts) as usize];
            }
        }
        pts + n >= window_end
    };
    let mut done = false;
    while !done {
        let more = input.next_frame(&mut decoder, &mut decoded).map_err(|e| {
            let at = decoded
                .pts()
                .map_or(region.source_start, |t| Ratio::from_integer(t - zero) * tbr);
            Error::render(format!(
                "{}: decoding failed near {}: {e}",
                what(),
                Clock(at)
            ))
        })?;
        if !more {
            // Drain what the resampler still holds.
            if let Some(g) = graph.as_mut() {
                if g.get("in").expect("source").source().flush().is_ok() {
                    drain(g, &mut converted, |f| place(f, &mut out));
                }
            }
            break;
        }
        if graph.is_none() {
            graph = Some(audio_graph(&decoded, tb, plan).context(what)?);
        }
        let g = graph.as_mut().expect("built above");
        let Some(ts) = decoded.timestamp() else {
            continue;
        };
        decoded.set_pts(Some(ts - zero));
        g.get("in")
            .expect("source")
            .source()
            .add(&decoded)
            .context(what)?;
        done = drain(g, &mut converted, |f| place(f, &mut out));
    }
    Ok(out)
}

/// Passes every frame waiting in the graph's sink to `take`; true when
/// `take` said it has all it needs.
fn drain(
    graph: &mut ff::filter::Graph,
    frame: &mut ff::frame::Audio,
    mut take: impl FnMut(&ff::frame::Audio) -> bool,
) -> bool {
    let mut done = false;
    while graph.get("out").expect("sink").sink().frame(frame).is_ok() {
        done |= take(frame);
    }
    done
}

fn audio_graph(
    frame: &ff::frame::Audio,
    tb: ff::Rational,
    plan: &AudioPlan,
) -> Result<ff::filter::Graph, ff::Error> {
    let mut layout = frame.channel_layout();
    if layout.bits() == 0 {
        layout = ff::ChannelLayout::default(frame.channels() as i32);
    }
    let args = format!(
        "time_base={}/{}:sample_rate={}:sample_fmt={}:channel_layout=0x{:x}",
        tb.numerator(),
        tb.denominator(),
        frame.rate(),
        frame.format().name(),
        layout.bits()
    );
    let spec = format!(
        "aresample={},aformat=sample_fmts=fltp:sample_rates={}:channel_layouts={}",
        plan.sample_rate,
        plan.sample_rate,
        layout_name(plan.channels)
    );
    crate::filter::chain("abuffer", &args, "abuffersink", &spec)
}

/// Encodes planar f32 samples; the last frame may be short (the muxer
/// records the exact length).
fn encode(mix: &[Vec<f32>], plan: &AudioPlan, settings: &AudioSettings) -> Result<AudioTrack> {
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
    let mut enc = enc.open_as(codec).map_err(|e| {
        Error::render(format!(
            "cannot open audio encoder {} ({} Hz, {} channels, planar float): {e}",
            settings.codec, plan.sample_rate, plan.channels
        ))
    })?;
    let frame_size = match enc.frame_size() {
        0 => 1024,
        n => n as usize,
    };
    let small_last = codec
        .capabilities()
        .contains(ff::codec::capabilities::Capabilities::SMALL_LAST_FRAME);
    let total = plan.samples as usize;
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
            plane[..n].copy_from_slice(&samples[pos..pos + n]);
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
    })
}
