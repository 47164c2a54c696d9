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

/// Milliseconds of look-ahead (and of the smoothing window) and of release.
const LOOKAHEAD_MS: usize = 5;
const RELEASE_MS: f64 = 50.0;

/// The true peak of every block of `block` samples (1 ms), max over
/// channels, of `mix[pre..]`; the first `pre` samples only warm the
/// meter's interpolator up, so a span measured on its own gives the peaks
/// it has within the whole.
pub fn block_peaks(
    mix: &[Vec<f32>],
    sample_rate: u32,
    block: usize,
    pre: usize,
) -> Result<Vec<f32>> {
    let channels = mix.len() as u32;
    let mut meter = EbuR128::new(channels, sample_rate, Mode::TRUE_PEAK).map_err(meter_error)?;
    let n = mix.first().map_or(0, |c| c.len());
    if pre > 0 {
        let planes: Vec<&[f32]> = mix.iter().map(|c| &c[..pre]).collect();
        meter.add_frames_planar_f32(&planes).map_err(meter_error)?;
    }
    let mut peaks = Vec::with_capacity((n - pre).div_ceil(block));
    for start in (pre..n).step_by(block) {
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

/// BS.1770's K-weighting (a high shelf, then a high pass) as two biquads,
/// with the coefficients libebur128 derives for any sample rate.
struct KFilter {
    b: [[f64; 3]; 2],
    a: [[f64; 3]; 2],
    z: [[f64; 2]; 2],
}

impl KFilter {
    fn new(sample_rate: u32) -> KFilter {
        let rate = sample_rate as f64;
        let (f0, g, q) = (1681.974450955533, 3.999843853973347, 0.7071752369554196);
        let k = (std::f64::consts::PI * f0 / rate).tan();
        let vh = 10f64.powf(g / 20.0);
        let vb = vh.powf(0.4996667741545416);
        let a0 = 1.0 + k / q + k * k;
        let shelf_b = [
            (vh + vb * k / q + k * k) / a0,
            2.0 * (k * k - vh) / a0,
            (vh - vb * k / q + k * k) / a0,
        ];
        let shelf_a = [1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0];
        let (f0, q) = (38.13547087602444, 0.5003270373238773);
        let k = (std::f64::consts::PI * f0 / rate).tan();
        let a0 = 1.0 + k / q + k * k;
        let pass_b = [1.0, -2.0, 1.0];
        let pass_a = [1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0];
        KFilter {
            b: [shelf_b, pass_b],
            a: [shelf_a, pass_a],
            z: [[0.0; 2]; 2],
        }
    }

    fn run(&mut self, x: f64) -> f64 {
        let mut v = x;
        for s in 0..2 {
            let (b, a, z) = (&self.b[s], &self.a[s], &mut self.z[s]);
            let y = b[0] * v + z[0];
            z[0] = b[1] * v - a[1] * y + z[1];
            z[1] = b[2] * v - a[2] * y;
            v = y;
        }
        v
    }
}

/// The weight BS.1770 gives channel `ch` of `channels` (libebur128's
/// default map: L R C LFE Ls Rs; the LFE and any further channel count
/// for nothing).
fn channel_weight(ch: usize, channels: usize) -> f64 {
    const SURROUND: f64 = 1.41;
    match (channels, ch) {
        (4, 2 | 3) | (5, 3 | 4) => SURROUND,
        (6.., 4 | 5) => SURROUND,
        (6.., 3) | (6.., 6..) => 0.0,
        _ => 1.0,
    }
}

/// The K-weighted energy (the channels' weighted sums of squares) of every
/// block of `block` samples of `mix[pre..]`; the first `pre` samples only
/// settle the filters.
pub fn block_energies(mix: &[Vec<f32>], sample_rate: u32, block: usize, pre: usize) -> Vec<f32> {
    let n = mix.first().map_or(0, |c| c.len());
    let mut out = vec![0f64; (n - pre).div_ceil(block)];
    for (ch, samples) in mix.iter().enumerate() {
        let w = channel_weight(ch, mix.len());
        if w == 0.0 {
            continue;
        }
        let mut k = KFilter::new(sample_rate);
        for &s in &samples[..pre] {
            k.run(s as f64);
        }
        for (i, &s) in samples[pre..].iter().enumerate() {
            let y = k.run(s as f64);
            out[i / block] += w * y * y;
        }
    }
    out.into_iter().map(|e| e as f32).collect()
}

/// Integrated loudness (BS.1770 gating: 400 ms blocks every 100 ms, an
/// absolute gate at -70 LUFS and a relative one 10 LU under the mean) from
/// per-block K-weighted energies of blocks of `block` samples, each block
/// times `gain(b)` squared.
pub fn integrated(energies: &[f32], gain: impl Fn(usize) -> f64, block: usize) -> f64 {
    let tenths: Vec<f64> = energies
        .chunks(100)
        .enumerate()
        .map(|(t, c)| {
            c.iter()
                .enumerate()
                .map(|(i, &e)| e as f64 * gain(t * 100 + i).powi(2))
                .sum()
        })
        .collect();
    gated(&tenths, energies.len() / 100, block)
}

/// Integrated loudness from the K-weighted energies of every 100 blocks
/// of `block` samples, of which the first `whole` are complete.
pub fn gated(tenths: &[f64], whole: usize, block: usize) -> f64 {
    // 1 ms blocks: a gating block is 400 of them (four tenths), one
    // starts every 100.
    let per = 400 * block;
    let mut sums = Vec::new();
    let mut start = 0;
    while start + 4 <= whole.min(tenths.len()) {
        sums.push(tenths[start..start + 4].iter().sum::<f64>() / per as f64);
        start += 1;
    }
    let lufs = |z: f64| -0.691 + 10.0 * z.log10();
    let mean = |zs: &mut dyn Iterator<Item = f64>| {
        let (sum, count) = zs.fold((0.0, 0usize), |(s, c), z| (s + z, c + 1));
        (count > 0).then(|| sum / count as f64)
    };
    let Some(above) = mean(&mut sums.iter().copied().filter(|&z| lufs(z) > -70.0)) else {
        return f64::NEG_INFINITY;
    };
    let relative = lufs(above) - 10.0;
    mean(
        &mut sums
            .iter()
            .copied()
            .filter(|&z| lufs(z) > -70.0 && lufs(z) > relative),
    )
    .map_or(f64::NEG_INFINITY, lufs)
}

/// A true-peak limiter's gain over a whole timeline, from the true peak of
/// every block: each block's need to stay under the ceiling, held over the
/// look-ahead, released with a 50 ms time constant. Any sample's gain is
/// worked out from the blocks around it alone, so a span of the timeline
/// gets the same gains however it is cut.
pub struct Limiter {
    held: Vec<f32>,
    gain: f64,
    block: usize,
    width: usize,
}

impl Limiter {
    /// `gain` times a limiter that keeps the true peaks (`peaks`, per
    /// block of `block` samples, before gain) under `ceiling`.
    pub fn new(peaks: &[f32], gain: f64, ceiling: f64, block: usize) -> Limiter {
        let look = LOOKAHEAD_MS; // blocks are 1 ms
        let need: Vec<f64> = peaks
            .iter()
            .map(|&p| (ceiling / (p as f64 * gain).max(1e-12)).min(1.0))
            .collect();
        // The lowest need within the block's look-ahead window; the
        // interpolator behind the peak meter lags by a few samples, so the
        // window reaches two blocks either side.
        let nb = need.len();
        let mut held = vec![1.0f64; nb];
        for (b, h) in held.iter_mut().enumerate() {
            let lo = b.saturating_sub(2);
            let hi = (b + look + 2).min(nb.saturating_sub(1));
            *h = need[lo..=hi.max(lo)].iter().cloned().fold(1.0, f64::min);
        }
        // Release: recover towards 1 with a 50 ms time constant, never
        // above what the window needs.
        let k = 1.0 - (-1.0 / RELEASE_MS).exp();
        let mut r = 1.0f64;
        for h in held.iter_mut() {
            r = (r + (1.0 - r) * k).min(*h);
            *h = r;
        }
        Limiter {
            held: held.into_iter().map(|h| h as f32).collect(),
            gain,
            block,
            width: (look * block).max(1),
        }
    }

    /// The gain of sample `n`: the held gains averaged over the look-ahead
    /// window ending at `n`, times the plain gain.
    pub fn at(&self, n: usize) -> f32 {
        let block = self.block;
        let last = self.held.len().saturating_sub(1);
        let held = |b: usize| self.held.get(b.min(last)).map_or(1.0, |&h| h as f64);
        let lo = (n + 1).saturating_sub(self.width);
        let (first, end) = (lo / block, n / block);
        let sum = if first == end {
            held(first) * (n + 1 - lo) as f64
        } else {
            held(first) * (block * (first + 1) - lo) as f64
                + (first + 1..end)
                    .map(|b| held(b) * block as f64)
                    .sum::<f64>()
                + held(end) * (n + 1 - end * block) as f64
        };
        (sum / (n + 1 - lo) as f64 * self.gain) as f32
    }

    /// The gains of samples `span`.
    pub fn span(&self, span: std::ops::Range<usize>) -> Vec<f32> {
        span.map(|n| self.at(n)).collect()
    }

    /// What the gains of samples `span` depend on, for cache keys: the
    /// plain gain and the held gains of the blocks they average.
    pub fn describe(&self, span: std::ops::Range<usize>) -> String {
        let from = span.start.saturating_sub(self.width) / self.block;
        let to = (span.end / self.block + 1).min(self.held.len());
        let mut h = crate::digest::Digest::default();
        h.update(&self.gain.to_le_bytes());
        for v in &self.held[from.min(to)..to] {
            h.update(&v.to_le_bytes());
        }
        h.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_energies_give_the_integrated_loudness_a_meter_reads() {
        // A tone, a pause, noise at another level; cut into spans measured
        // on their own (with warm-up) as the chunks are.
        let sr = 48_000u32;
        let n = 7 * sr as usize;
        let mut seed = 1u32;
        let mut noise = || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        };
        let ch: Vec<f32> = (0..n)
            .map(|i| match i / sr as usize {
                0..=1 => 0.3 * (i as f32 * 0.07).sin(),
                2 => 0.0,
                _ => 0.1 * noise(),
            })
            .collect();
        let right: Vec<f32> = ch.iter().map(|s| s * 0.5).collect();
        let mix = vec![ch, right];
        let block = 48;
        let want = measure(&mix, sr).unwrap().integrated_lufs;
        let mut energies = Vec::new();
        let cut = 3 * block * 1000 + 96 * block; // not on a 100 ms step
        for span in [0..cut, cut..n] {
            let pre = span.start.min(4096);
            let part: Vec<Vec<f32>> = mix
                .iter()
                .map(|c| c[span.start - pre..span.end].to_vec())
                .collect();
            energies.extend(block_energies(&part, sr, block, pre));
        }
        let got = integrated(&energies, |_| 1.0, block);
        assert!((got - want).abs() < 0.02, "{got} against {want}");
        // A gain of -6 dB on every block reads 6 dB less.
        let half = integrated(&energies, |_| from_db(-6.0), block);
        assert!((half - (want - 6.0)).abs() < 0.02, "{half}");
        // Silence gates to nothing.
        assert_eq!(integrated(&[0.0; 1000], |_| 1.0, block), f64::NEG_INFINITY);
    }

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
        let peaks = block_peaks(&mix, sr, block, 0).unwrap();
        let gain = from_db(12.0);
        let ceiling = from_db(-1.0);
        let g = Limiter::new(&peaks, gain, ceiling, block).span(0..n);
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
