//! Reading a region's window from its source, converted to the output rate
//! and to the layout of the channels it goes to with libavfilter
//! (`aresample`/`aformat`, i.e. swresample). A downmix takes swresample's
//! ITU-R BS.775 coefficients (centre and surrounds at -3 dB, LFE left out)
//! scaled so that no output channel's gains sum past unity.

use crate::demux::StreamInput;
use crate::edl::channels;
use crate::error::{Context, Error, Result};
use crate::ffmpeg;
use crate::plan::AudioRegion;
use crate::time::{self, Ratio};
use ffmpeg_next as ff;

/// Reads `region`'s window (`source_len` samples) from its source, converted to the output rate and
/// to the layout of its channels (those of `region.place`, else all of the output's `channels`), one
/// vector per channel. Missing audio (a stream that starts late or ends early) is silence.
pub fn region(region: &AudioRegion, sample_rate: u32, channels: u32) -> Result<Vec<Vec<f32>>> {
    let what = || format!("{}: audio", region.label);
    let len = region.source_len as usize;
    let layout = region.place.map_or_else(
        || channels::layout(channels).0.to_string(),
        channels::read_layout,
    );
    let width = region.place.map_or(channels, u64::count_ones);
    let mut out = vec![vec![0f32; len]; width as usize];
    let sr = sample_rate as i64;
    let window_start = time::round(region.source_start * Ratio::from_integer(sr));
    let window_end = window_start + len as i64;

    let mut input = StreamInput::open(&region.source, region.stream).context(what)?;
    let tb = input
        .input
        .stream(region.stream)
        .ok_or(ff::Error::StreamNotFound)
        .context(what)?
        .time_base();
    let tbr = Ratio::new(tb.numerator() as i64, tb.denominator() as i64);
    let mut decoder = input.decoder(1).and_then(|d| d.audio()).context(what)?;
    // Start a little early: decoders need a few frames to settle.
    let seek_at = region.container_start + region.source_start - Ratio::from_integer(1);
    if seek_at > region.container_start {
        input.seek(&mut decoder, ffmpeg::seek_ts(seek_at));
    }
    // Timestamps relative to the container start, in stream units.
    let zero = (region.container_start / tbr).round().to_integer();

    let mut graph: Option<ff::filter::Graph> = None;
    let mut decoded = ff::frame::Audio::empty();
    let mut converted = ff::frame::Audio::empty();
    // Copies the part of a converted frame inside the window; true once the
    // window is complete. Audio is continuous: a frame goes right after the
    // previous one unless its timestamp says it is more than 20 ms away (a
    // real gap or overlap). Containers with coarse timestamps (Matroska's
    // milliseconds) would otherwise tear the sound every frame.
    let tolerance = sr / 50;
    let mut next: Option<i64> = None;
    let mut place = |frame: &ff::frame::Audio, out: &mut Vec<Vec<f32>>| -> bool {
        let Some(stamped) = frame.pts() else {
            return false;
        };
        let pts = match next {
            Some(n) if (stamped - n).abs() <= tolerance => n,
            _ => stamped,
        };
        let n = frame.samples() as i64;
        next = Some(pts + n);
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
        crate::signal::check()?;
        let more = input.next_frame(&mut decoder, &mut decoded).map_err(|e| {
            let at = decoded
                .pts()
                .map_or(region.source_start, |t| Ratio::from_integer(t - zero) * tbr);
            Error::Decode {
                subject: what(),
                at,
                source: e,
            }
        })?;
        if !more {
            // Drain what the resampler still holds.
            if let Some(g) = graph.as_mut() {
                if ffmpeg::push(g, None).is_ok() {
                    drain(g, &mut converted, |f| place(f, &mut out));
                }
            }
            break;
        }
        if graph.is_none() {
            graph = Some(audio_graph(&decoded, tb, sample_rate, &layout).context(what)?);
        }
        let g = graph.as_mut().expect("built above");
        let Some(ts) = decoded.timestamp() else {
            continue;
        };
        decoded.set_pts(Some(ts - zero));
        ffmpeg::push(g, Some(&decoded)).context(what)?;
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
    while ffmpeg::pull(graph, frame) {
        done |= take(frame);
    }
    done
}

fn audio_graph(
    frame: &ff::frame::Audio,
    tb: ff::Rational,
    sample_rate: u32,
    out_layout: &str,
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
    // Sound stamped before the container's start (an AAC track's priming,
    // where nothing marks it to be skipped) is dropped, so the resampler's
    // samples fall where they would had the decoder skipped it.
    // swresample normalises its mixing matrix only for integer samples:
    // `rematrix_maxval=1` asks it to for float too, so a downmix never
    // gains (the FFmpeg CLI's `-ac 2` to 16-bit gets the same).
    let spec = format!(
        "atrim=start=0,aresample={sample_rate}:rematrix_maxval=1,\
         aformat=sample_fmts=fltp:sample_rates={sample_rate}:channel_layouts={out_layout}"
    );
    ffmpeg::chain("abuffer", &args, "abuffersink", &spec)
}
