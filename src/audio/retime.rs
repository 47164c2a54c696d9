//! A clip's sound at its speed: time-stretched with the pitch kept
//! (libavfilter's `atempo`, chained so each step stays within 0.5..2) or
//! played like tape (`asetrate` + `aresample`), then cut or padded to the
//! exact length its picture lasts, reversed, and broken by a freeze's hold.

use crate::error::{Context, Result};
use crate::ffmpeg;
use crate::plan::{Retime, DECLICK_MS};
use crate::time::{self, Ratio};
use ffmpeg_next as ff;

/// Shapes `source` (planar channels at `sample_rate`) by `r` into exactly
/// `len` samples.
pub fn apply(
    source: Vec<Vec<f32>>,
    r: &Retime,
    len: u64,
    sample_rate: u32,
    label: &str,
) -> Result<Vec<Vec<f32>>> {
    let held = r.hold.as_ref().map_or(0, |h| h.end - h.start) as usize;
    let played = len as usize - held;
    let mut out = if r.speed == Ratio::from_integer(1) {
        source
    } else {
        stretch(&source, r, sample_rate)
            .context(|| format!("{label}: changing the speed of the sound"))?
    };
    for ch in &mut out {
        ch.resize(played, 0.0);
        if r.reverse {
            ch.reverse();
        }
    }
    if let Some(h) = &r.hold {
        let fade = (sample_rate as usize * DECLICK_MS as usize / 1000).max(1);
        let at = h.start as usize;
        for ch in &mut out {
            // Fade out into the hold and back in after it, so it does not click.
            let before = at.min(fade);
            for i in 0..before {
                ch[at - 1 - i] *= (i as f32 + 0.5) / before as f32;
            }
            let after = (played - at).min(fade);
            for i in 0..after {
                ch[at + i] *= (i as f32 + 0.5) / after as f32;
            }
            ch.splice(at..at, std::iter::repeat_n(0.0, held));
        }
    }
    Ok(out)
}

/// The libavfilter chain that plays sound at `speed`.
pub fn speed_spec(speed: Ratio, keep_pitch: bool, sample_rate: u32) -> String {
    if !keep_pitch {
        let rate = time::round(speed * Ratio::from_integer(sample_rate as i64)).max(1);
        return format!("asetrate={rate},aresample={sample_rate}");
    }
    // atempo is at its best within 0.5..2: split the factor into steps.
    let mut left = time::secs_f64(speed);
    let mut steps = Vec::new();
    while left > 2.0 {
        steps.push("atempo=2".to_string());
        left /= 2.0;
    }
    while left < 0.5 {
        steps.push("atempo=0.5".to_string());
        left /= 0.5;
    }
    steps.push(format!("atempo={left:.9}"));
    steps.join(",")
}

/// Runs `source` through the speed chain; the result is about
/// `len / speed` samples long.
fn stretch(source: &[Vec<f32>], r: &Retime, sample_rate: u32) -> Result<Vec<Vec<f32>>, ff::Error> {
    let channels = source.len();
    let layout = ff::ChannelLayout::default(channels as i32);
    let args = format!(
        "time_base=1/{sample_rate}:sample_rate={sample_rate}:sample_fmt=fltp:channel_layout=0x{:x}",
        layout.bits()
    );
    let spec = format!(
        "{},aformat=sample_fmts=fltp:sample_rates={sample_rate}",
        speed_spec(r.speed, r.keep_pitch, sample_rate)
    );
    let mut graph = ffmpeg::chain("abuffer", &args, "abuffersink", &spec)?;
    let total = source.first().map_or(0, Vec::len);
    let expected = (total as f64 / time::secs_f64(r.speed)) as usize + 1;
    let mut out: Vec<Vec<f32>> = vec![Vec::with_capacity(expected); channels];
    let format = ff::format::Sample::F32(ff::format::sample::Type::Planar);
    let take = |graph: &mut ff::filter::Graph, out: &mut Vec<Vec<f32>>| {
        let mut f = ff::frame::Audio::empty();
        while ffmpeg::pull(graph, &mut f) {
            for (ch, dst) in out.iter_mut().enumerate() {
                dst.extend_from_slice(&f.plane::<f32>(ch)[..f.samples()]);
            }
        }
    };
    const CHUNK: usize = 4096;
    let mut pos = 0;
    while pos < total {
        let n = CHUNK.min(total - pos);
        let mut frame = ff::frame::Audio::new(format, n, layout);
        frame.set_rate(sample_rate);
        for (ch, src) in source.iter().enumerate() {
            frame.plane_mut::<f32>(ch)[..n].copy_from_slice(&src[pos..pos + n]);
        }
        frame.set_pts(Some(pos as i64));
        ffmpeg::push(&mut graph, Some(&frame))?;
        take(&mut graph, &mut out);
        pos += n;
    }
    ffmpeg::push(&mut graph, None)?;
    take(&mut graph, &mut out);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tempo_steps_stay_within_half_and_double() {
        assert_eq!(
            speed_spec(Ratio::from_integer(16), true, 48000),
            "atempo=2,atempo=2,atempo=2,atempo=2.000000000"
        );
        assert_eq!(
            speed_spec(Ratio::new(1, 10), true, 48000),
            "atempo=0.5,atempo=0.5,atempo=0.5,atempo=0.800000000"
        );
        assert_eq!(
            speed_spec(Ratio::new(5, 2), false, 48000),
            "asetrate=120000,aresample=48000"
        );
    }

    #[test]
    fn the_result_has_exactly_the_length_asked_with_the_hold_silent() {
        let tone: Vec<f32> = (0..48000)
            .map(|i| (i as f32 * 440.0 * std::f32::consts::TAU / 48000.0).sin() * 0.5)
            .collect();
        for (speed, len) in [(Ratio::from_integer(2), 24000), (Ratio::new(1, 2), 96000)] {
            let r = Retime {
                speed,
                keep_pitch: true,
                reverse: true,
                hold: Some(1000..3000),
            };
            let out = apply(vec![tone.clone(); 2], &r, len + 2000, 48000, "t").unwrap();
            assert_eq!(out.len(), 2);
            assert!(out.iter().all(|c| c.len() == len as usize + 2000));
            assert!(out[0][1000..3000].iter().all(|&v| v == 0.0));
            let loud = out[0][5000..6000]
                .iter()
                .map(|v| v.abs())
                .fold(0.0, f32::max);
            assert!(loud > 0.3, "speed {speed}: {loud}");
        }
    }
}
