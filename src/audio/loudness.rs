//! Loudness (EBU R128 / ITU-R BS.1770, measured with the `ebur128` crate)
//! and a true-peak limiter.
//!
//! The limiter works offline on the whole mix: it finds the true (4x
//! oversampled) peak of every millisecond, works out the gain each one needs
//! to stay under the ceiling, and turns that into a smooth gain curve that
//! comes down over a 5 ms look-ahead before a peak and recovers over 50 ms.
//! Every sample of the look-ahead window sees a gain no higher than the
//! peak's own, so the curve never lets a peak through.

use crate::error::{Error, Result};
use ebur128::{EbuR128, Mode};
use std::fmt;

/// What a meter read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    /// Integrated loudness, LUFS (`-inf` for silence).
    pub integrated_lufs: f64,
    /// Highest true peak over all channels, dBTP.
    pub true_peak_db: f64,
}

impl fmt::Display for Measured {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "loudness {:.1} LUFS, true peak {:.1} dBTP",
            self.integrated_lufs, self.true_peak_db
        )
    }
}

/// An integrated-loudness and true-peak meter.
pub struct Meter {
    inner: EbuR128,
    channels: u32,
}

fn meter_error(e: ebur128::Error) -> Error {
    Error::Meter(e)
}

impl Meter {
    pub fn new(channels: u32, sample_rate: u32) -> Result<Meter> {
        let inner =
            EbuR128::new(channels, sample_rate, Mode::I | Mode::TRUE_PEAK).map_err(meter_error)?;
        Ok(Meter { inner, channels })
    }

    /// Adds planar samples (one slice per channel, equal lengths).
    pub fn add(&mut self, planes: &[&[f32]]) -> Result<()> {
        self.inner
            .add_frames_planar_f32(planes)
            .map_err(meter_error)
    }

    pub fn result(&self) -> Measured {
        let peak = (0..self.channels)
            .filter_map(|c| self.inner.true_peak(c).ok())
            .fold(0.0f64, f64::max);
        Measured {
            integrated_lufs: self.inner.loudness_global().unwrap_or(f64::NEG_INFINITY),
            true_peak_db: to_db(peak),
        }
    }
}

pub fn to_db(linear: f64) -> f64 {
    20.0 * linear.max(1e-12).log10()
}

pub fn from_db(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

/// Measures planar samples.
pub fn measure(mix: &[Vec<f32>], sample_rate: u32) -> Result<Measured> {
    let mut meter = Meter::new(mix.len() as u32, sample_rate)?;
    let planes: Vec<&[f32]> = mix.iter().map(|c| c.as_slice()).collect();
    meter.add(&planes)?;
    Ok(meter.result())
}

/// Integrated loudness of `mix` times a per-sample `gain`.
pub fn measure_with_gain(mix: &[Vec<f32>], gain: &[f32], sample_rate: u32) -> Result<f64> {
    let mut meter = EbuR128::new(mix.len() as u32, sample_rate, Mode::I).map_err(meter_error)?;
    const CHUNK: usize = 4096;
    let mut bufs = vec![vec![0f32; CHUNK]; mix.len()];
    for start in (0..gain.len()).step_by(CHUNK) {
        let end = (start + CHUNK).min(gain.len());
        for (buf, ch) in bufs.iter_mut().zip(mix) {
            for ((b, s), g) in buf.iter_mut().zip(&ch[start..end]).zip(&gain[start..end]) {
                *b = s * g;
            }
        }
        let planes: Vec<&[f32]> = bufs.iter().map(|b| &b[..end - start]).collect();
        meter.add_frames_planar_f32(&planes).map_err(meter_error)?;
    }
    Ok(meter.loudness_global().unwrap_or(f64::NEG_INFINITY))
}

/// Milliseconds of look-ahead (and of the smoothing window) and of release.
const LOOKAHEAD_MS: usize = 5;
const RELEASE_MS: f64 = 50.0;

/// The true peak of every block of `block` samples (1 ms), max over channels.
pub fn block_peaks(mix: &[Vec<f32>], sample_rate: u32, block: usize) -> Result<Vec<f32>> {
    let channels = mix.len() as u32;
    let mut meter = EbuR128::new(channels, sample_rate, Mode::TRUE_PEAK).map_err(meter_error)?;
    let n = mix.first().map_or(0, |c| c.len());
    let mut peaks = Vec::with_capacity(n.div_ceil(block));
    for start in (0..n).step_by(block) {
        let end = (start + block).min(n);
        let planes: Vec<&[f32]> = mix.iter().map(|c| &c[start..end]).collect();
        meter.add_frames_planar_f32(&planes).map_err(meter_error)?;
        let peak = (0..channels)
            .filter_map(|c| meter.prev_true_peak(c).ok())
            .fold(0.0f64, f64::max);
        peaks.push(peak as f32);
    }
    Ok(peaks)
}

/// Per-sample gain: `gain` times a limiter that keeps the true peaks
/// (`peaks`, per block of `block` samples, before gain) under `ceiling`.
pub fn limiter_gain(
    peaks: &[f32],
    gain: f64,
    ceiling: f64,
    block: usize,
    samples: usize,
) -> Vec<f32> {
    let look = LOOKAHEAD_MS; // blocks are 1 ms
                             // Gain each block needs on its own.
    let need: Vec<f64> = peaks
        .iter()
        .map(|&p| (ceiling / (p as f64 * gain).max(1e-12)).min(1.0))
        .collect();
    // The lowest need within the block's look-ahead window; the interpolator
    // behind the peak meter lags by a few samples, so the window reaches
    // two blocks either side.
    let nb = need.len();
    let mut held = vec![1.0f64; nb];
    for (b, h) in held.iter_mut().enumerate() {
        let lo = b.saturating_sub(2);
        let hi = (b + look + 2).min(nb.saturating_sub(1));
        *h = need[lo..=hi.max(lo)].iter().cloned().fold(1.0, f64::min);
    }
    // Release: recover towards 1 with a 50 ms time constant, never above
    // what the window needs.
    let k = 1.0 - (-1.0 / RELEASE_MS).exp();
    let mut r = 1.0f64;
    for h in held.iter_mut() {
        r = (r + (1.0 - r) * k).min(*h);
        *h = r;
    }
    // Smooth with a moving average over the look-ahead, sample by sample.
    let width = (look * block).max(1);
    let mut out = Vec::with_capacity(samples);
    let mut sum = 0.0f64;
    for n in 0..samples {
        sum += held[(n / block).min(nb - 1)];
        if n >= width {
            sum -= held[((n - width) / block).min(nb - 1)];
        }
        let avg = sum / (n + 1).min(width) as f64;
        out.push((avg * gain) as f32);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_keeps_peaks_under_the_ceiling_and_leaves_quiet_parts_alone() {
        // A quiet tone with one loud burst in the middle.
        let sr = 48_000u32;
        let n = sr as usize;
        let mut ch = vec![0f32; n];
        for (i, s) in ch.iter_mut().enumerate() {
            let a = if (24_000..24_480).contains(&i) {
                0.9
            } else {
                0.1
            };
            *s = a * (i as f32 * 0.05).sin();
        }
        let mix = vec![ch.clone(), ch];
        let block = 48;
        let peaks = block_peaks(&mix, sr, block).unwrap();
        let gain = from_db(12.0);
        let ceiling = from_db(-1.0);
        let g = limiter_gain(&peaks, gain, ceiling, block, n);
        let out: Vec<Vec<f32>> = mix
            .iter()
            .map(|c| c.iter().zip(&g).map(|(s, g)| s * g).collect())
            .collect();
        let m = measure(&out, sr).unwrap();
        assert!(m.true_peak_db <= -1.0 + 0.1, "{m}");
        // Far from the burst the gain is the plain gain.
        assert!((g[5_000] as f64 - gain).abs() < 1e-4, "{}", g[5_000]);
        // ...and recovers from the burst with the 50 ms release.
        assert!((g[47_000] as f64 - gain).abs() < 1e-3, "{}", g[47_000]);
        // At the burst it is down by about the burst's excess.
        assert!(g[24_200] < (gain * 0.5) as f32, "{}", g[24_200]);
    }
}
