//! Audio: read each region's source window ([`read`]), place it on the
//! sample-exact timeline with its gain and fades, duck clip audio and music
//! under the voiceovers ([`duck`]), fade the whole mix in and out, bring it
//! to the loudness target under a true-peak ceiling ([`loudness`]) and
//! encode it ([`encode`]).
//!
//! The mix is built voiceovers first: the ducking curve is analysed from
//! them before clip audio and music are added under it.

mod duck;
pub mod encode;
pub mod loudness;
mod read;
mod retime;

use crate::edl::{AudioCurve, AudioSettings, Loudness};
use crate::error::{Error, Result};
use crate::plan::{AudioPlan, AudioRegion, Fade};
use crate::time::Ratio;
pub use encode::AudioTrack;
use loudness::Measured;
use std::ops::Range;
use std::path::Path;

/// Mixes, normalises and encodes the audio plan's `samples` (the whole
/// timeline, or the span of a range render: mixed and normalised as a
/// whole, so that the span sounds as it does in the full render), and
/// measures the encoded result.
pub fn render(
    plan: &AudioPlan,
    settings: &AudioSettings,
    samples: Range<u64>,
) -> Result<AudioTrack> {
    let mix = mix(plan)?;
    let whole = samples == (0..plan.samples);
    let gain = match plan.loudness {
        Some(target) => {
            let (track, gain) = normalise(&mix, target, plan, settings)?;
            if whole {
                return Ok(track);
            }
            gain
        }
        None => None,
    };
    let span = samples.start as usize..samples.end as usize;
    let mut track = if whole {
        encode::encode(&mix, gain.as_deref(), plan, settings)?
    } else {
        let part: Vec<Vec<f32>> = mix.iter().map(|c| c[span.clone()].to_vec()).collect();
        drop(mix);
        let gain = gain.as_ref().map(|g| &g[span.clone()]);
        encode::encode(&part, gain, plan, settings)?
    };
    track.loudness = Some(encode::measure(&track, plan)?);
    Ok(track)
}

/// Planar f32 samples of the whole montage, before loudness normalisation.
pub fn mix(plan: &AudioPlan) -> Result<Vec<Vec<f32>>> {
    let mut mix = vec![vec![0f32; plan.samples as usize]; plan.channels as usize];
    for region in &plan.voiceovers {
        add(&mut mix, region, plan, None)?;
    }
    let curve = plan
        .ducking
        .map(|d| (duck::Curve::analyse(&mix, &d, plan.sample_rate), d));
    let duck_clips = curve.as_ref().filter(|(_, d)| d.clips).map(|(c, _)| c);
    let duck_music = curve.as_ref().filter(|(_, d)| d.music).map(|(c, _)| c);
    for region in &plan.clips {
        add(&mut mix, region, plan, duck_clips)?;
    }
    for region in &plan.music {
        add(&mut mix, region, plan, duck_music)?;
    }
    master_fades(&mut mix, plan);
    Ok(mix)
}

/// Timeline spans (samples) where the voiceovers duck clip audio and music.
pub fn ducked_spans(plan: &AudioPlan) -> Result<Vec<Range<u64>>> {
    let Some(d) = plan.ducking else {
        return Ok(Vec::new());
    };
    let mut voice = vec![vec![0f32; plan.samples as usize]; plan.channels as usize];
    for region in &plan.voiceovers {
        add(&mut voice, region, plan, None)?;
    }
    Ok(duck::Curve::analyse(&voice, &d, plan.sample_rate).spans)
}

/// Measures the audio of a rendered file (its first audio stream).
pub fn measure_file(path: &Path) -> Result<Measured> {
    let probe = crate::probe::probe(path).map_err(Error::Probe)?;
    let info = probe
        .audio
        .ok_or(Error::Unexpected("the file has no audio stream"))?;
    let len = crate::time::round(probe.duration * Ratio::from_integer(info.sample_rate as i64))
        .max(0) as u64;
    let region = AudioRegion {
        label: path.display().to_string(),
        source: path.to_path_buf(),
        stream: info.stream,
        container_start: probe.start_time,
        source_start: Ratio::from_integer(0),
        timeline: 0..len,
        volume: 1.0,
        fade_in: Fade {
            samples: 0,
            curve: AudioCurve::Linear,
        },
        fade_out: Fade {
            samples: 0,
            curve: AudioCurve::Linear,
        },
        source_len: len,
        retime: None,
    };
    let samples = read::region(&region, info.sample_rate, info.channels)?;
    loudness::measure(&samples, info.sample_rate)
}

/// Adds `region` to the mix with its gain, fades and the ducking curve.
fn add(
    mix: &mut [Vec<f32>],
    region: &AudioRegion,
    plan: &AudioPlan,
    duck: Option<&duck::Curve>,
) -> Result<()> {
    let mut source = read::region(region, plan.sample_rate, plan.channels)?;
    let mut period = region.source_len.max(1) as usize;
    if let Some(r) = &region.retime {
        source = retime::apply(source, r, region.len(), plan.sample_rate, &region.label)?;
        period = region.len().max(1) as usize;
    }
    let t0 = region.timeline.start;
    let gains: Vec<f32> = (0..region.len())
        .map(|i| {
            let g = region.gain(i) as f32;
            duck.map_or(g, |c| g * c.gain(t0 + i))
        })
        .collect();
    for (dst, src) in mix.iter_mut().zip(&source) {
        let dst = &mut dst[region.timeline.start as usize..region.timeline.end as usize];
        // A looped region repeats its source window back to back.
        for (i, (d, g)) in dst.iter_mut().zip(&gains).enumerate() {
            *d += src[i % period] * g;
        }
    }
    Ok(())
}

/// Fades from silence at the start and to silence at the end, in step with
/// the picture's fades from and to black.
fn master_fades(mix: &mut [Vec<f32>], plan: &AudioPlan) {
    let n = plan.samples as usize;
    let (fi, fo) = (plan.fade_in as usize, plan.fade_out as usize);
    for ch in mix.iter_mut() {
        for (i, s) in ch[..fi.min(n)].iter_mut().enumerate() {
            *s *= i as f32 / fi as f32;
        }
        let start = n - fo.min(n);
        for (i, s) in ch[start..].iter_mut().enumerate() {
            *s *= (fo - 1 - i) as f32 / fo as f32;
        }
    }
}

/// Brings the mix to `target`: a gain and a true-peak limiter whose
/// result measures `integrated_lufs` (found by secant search on the
/// limited signal), then encode, decode and measure again. Lossy encoders
/// add a little to the peaks and may take some loudness away (low-pass), so
/// the limiter starts 0.5 dB under the ceiling, and what the encoded audio
/// missed by corrects the next attempt.
fn normalise(
    mix: &[Vec<f32>],
    target: Loudness,
    plan: &AudioPlan,
    settings: &AudioSettings,
) -> Result<(AudioTrack, Option<Vec<f32>>)> {
    let sr = plan.sample_rate;
    let before = loudness::measure(mix, sr)?;
    if !before.integrated_lufs.is_finite() {
        // Silence (or too short to gate): nothing to normalise.
        let mut track = encode::encode(mix, None, plan, settings)?;
        track.loudness = Some(encode::measure(&track, plan)?);
        return Ok((track, None));
    }
    let block = (sr as usize / 1000).max(1);
    let peaks = loudness::block_peaks(mix, sr, block)?;
    let n = plan.samples as usize;
    let limited = |gain_db: f64, ceiling_db: f64| {
        loudness::limiter_gain(
            &peaks,
            loudness::from_db(gain_db),
            loudness::from_db(ceiling_db),
            block,
            n,
        )
    };
    let mut ceiling_db = target.true_peak_db - 0.5;
    // What the limited mix should measure before encoding: the encoder can
    // move the loudness too (its low-pass takes the top octave away).
    let mut aim = target.integrated_lufs;
    let mut gain_db = aim - before.integrated_lufs;
    const ENCODES: usize = 3;
    for attempt in 1..=ENCODES {
        let (g, gain) = solve_gain(mix, sr, aim, gain_db, |g| limited(g, ceiling_db))?;
        gain_db = g;
        let mut track = encode::encode(mix, Some(&gain), plan, settings)?;
        let got = encode::measure(&track, plan)?;
        let loud_ok = (got.integrated_lufs - target.integrated_lufs).abs() <= 0.2;
        let peak_ok = got.true_peak_db <= target.true_peak_db + 0.05;
        if (loud_ok && peak_ok) || attempt == ENCODES {
            track.loudness = Some(got);
            return Ok((track, Some(gain)));
        }
        if !loud_ok {
            aim += target.integrated_lufs - got.integrated_lufs;
        }
        if !peak_ok {
            ceiling_db -= got.true_peak_db - target.true_peak_db + 0.1;
        }
    }
    unreachable!("the last attempt returns")
}

/// Finds the gain (dB) at which `mix` times `curve(gain)` measures `target`
/// LUFS, by the secant method from `start`; returns it with its curve.
fn solve_gain(
    mix: &[Vec<f32>],
    sample_rate: u32,
    target: f64,
    start: f64,
    curve: impl Fn(f64) -> Vec<f32>,
) -> Result<(f64, Vec<f32>)> {
    let eval = |g: f64| -> Result<(f64, Vec<f32>)> {
        let gain = curve(g);
        let l = loudness::measure_with_gain(mix, &gain, sample_rate)?;
        Ok((l - target, gain))
    };
    let (mut g0, (mut e0, mut best)) = (start, eval(start)?);
    let mut best_err = e0.abs();
    let mut best_g = g0;
    let mut g1 = g0 - e0;
    for _ in 0..8 {
        if best_err <= 0.05 {
            break;
        }
        let (e1, gain) = eval(g1)?;
        if e1.abs() < best_err {
            (best_err, best, best_g) = (e1.abs(), gain, g1);
        }
        let slope = if (e1 - e0).abs() > 1e-6 {
            (g1 - g0) / (e1 - e0)
        } else {
            1.0
        };
        let next = (g1 - e1 * slope.clamp(0.5, 20.0)).clamp(start - 40.0, start + 40.0);
        (g0, e0, g1) = (g1, e1, next);
    }
    Ok((best_g, best))
}
