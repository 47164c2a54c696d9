//! Ducking: where the voiceovers speak, and the gain that dips clip audio
//! and music under them.
//!
//! Speech is where the voiceover bus's RMS over 10 ms reaches the threshold
//! (so pauses inside a narration file do not duck), held for `hold` after
//! it falls under. The gain moves linearly in dB: down to `-depth_db` over
//! `attack`, back to 0 dB over `release`. It is computed per millisecond and
//! interpolated per sample.

use crate::plan::DuckPlan;
use std::ops::Range;

/// RMS window of the speech detector, in 1 ms blocks.
const WINDOW_MS: usize = 10;

pub struct Curve {
    /// Samples per block (1 ms).
    block: usize,
    /// Linear gain at the start of each block, in 65535ths (an hour's
    /// curve in 7 MB).
    gains: Vec<u16>,
    /// Timeline samples where speech holds the duck down.
    pub spans: Vec<Range<u64>>,
}

fn quantise(gain: f64) -> u16 {
    (gain.clamp(0.0, 1.0) * 65535.0).round() as u16
}

/// Mean square per block of `block` samples, the loudest channel: what
/// the speech detector reads. A span measured on its own gives the blocks
/// it has within the whole when it starts on a block boundary.
pub fn block_power(voice: &[Vec<f32>], block: usize) -> Vec<f32> {
    let n = voice.first().map_or(0, |c| c.len());
    (0..n.div_ceil(block))
        .map(|b| {
            let r = b * block..((b + 1) * block).min(n);
            let len = (r.end - r.start).max(1) as f64;
            voice
                .iter()
                .map(|c| {
                    c[r.clone()]
                        .iter()
                        .map(|&s| (s as f64) * (s as f64))
                        .sum::<f64>()
                        / len
                })
                .fold(0.0, f64::max) as f32
        })
        .collect()
}

impl Curve {
    /// Analyses the voiceover bus `voice` (planar, whole timeline).
    #[cfg(test)]
    pub fn analyse(voice: &[Vec<f32>], d: &DuckPlan, sample_rate: u32) -> Curve {
        let block = (sample_rate as usize / 1000).max(1);
        let n = voice.first().map_or(0, |c| c.len());
        Curve::from_power(&block_power(voice, block), n, d, sample_rate)
    }

    /// The curve from the voiceover bus's [`block_power`] over the whole
    /// timeline of `n` samples.
    pub fn from_power(power: &[f32], n: usize, d: &DuckPlan, sample_rate: u32) -> Curve {
        let block = (sample_rate as usize / 1000).max(1);
        let blocks = power.len();
        let threshold = 10f64.powf(d.threshold_db / 10.0);
        let hold = d.hold as usize / block;
        let down = d.depth_db / (d.attack as f64 / block as f64).max(1.0);
        let up = d.depth_db / (d.release as f64 / block as f64).max(1.0);
        // One pass: whether speech holds each block open, the spans it
        // makes, and the gain moving towards the depth or back.
        let mut last_speech: Option<usize> = None;
        let mut spans: Vec<Range<u64>> = Vec::new();
        let mut db = 0.0f64;
        let mut gains = Vec::with_capacity(blocks + 1);
        for b in 0..=blocks {
            gains.push(quantise(10f64.powf(db / 20.0)));
            if b == blocks {
                break;
            }
            let w = &power[b..(b + WINDOW_MS).min(blocks)];
            if w.iter().map(|&p| p as f64).sum::<f64>() / w.len() as f64 >= threshold {
                last_speech = Some(b + w.len() - 1);
            }
            let open = last_speech.is_some_and(|l| b <= l + hold);
            if open {
                let (s, e) = ((b * block) as u64, (((b + 1) * block).min(n)) as u64);
                match spans.last_mut() {
                    Some(last) if last.end == s => last.end = e,
                    _ => spans.push(s..e),
                }
            }
            db = if open {
                (db - down).max(-d.depth_db)
            } else {
                (db + up).min(0.0)
            };
        }
        Curve {
            block,
            gains,
            spans,
        }
    }

    /// What the gains of timeline samples `span` depend on, for cache keys.
    pub fn describe(&self, span: Range<u64>) -> String {
        let from = (span.start as usize / self.block).min(self.gains.len());
        let to = (span.end as usize / self.block + 2).min(self.gains.len());
        let mut h = blake3::Hasher::new();
        for g in &self.gains[from..to] {
            h.update(&g.to_le_bytes());
        }
        h.finalize().to_hex()[..40].to_string()
    }

    /// Gain at timeline sample `s`.
    pub fn gain(&self, s: u64) -> f32 {
        let b = s as usize / self.block;
        let Some(&a) = self.gains.get(b) else {
            return 1.0;
        };
        let z = self.gains.get(b + 1).copied().unwrap_or(a);
        let (a, z) = (a as f32 / 65535.0, z as f32 / 65535.0);
        let t = (s as usize % self.block) as f32 / self.block as f32;
        a + (z - a) * t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> DuckPlan {
        DuckPlan {
            depth_db: 12.0,
            attack: 4800,
            release: 19200,
            hold: 0,
            threshold_db: -40.0,
            clips: true,
            music: true,
        }
    }

    #[test]
    fn ducks_under_speech_and_not_under_silence() {
        let sr = 48_000;
        // Silence, a second of "speech", silence, a quiet second under the threshold.
        let mut v = vec![0f32; 4 * sr];
        for (i, s) in v[sr..2 * sr].iter_mut().enumerate() {
            *s = 0.3 * (i as f32 * 0.1).sin();
        }
        for (i, s) in v[3 * sr..].iter_mut().enumerate() {
            *s = 0.001 * (i as f32 * 0.1).sin();
        }
        let c = Curve::analyse(&[v], &plan(), sr as u32);
        let db = |s: usize| 20.0 * (c.gain(s as u64) as f64).log10();
        assert!(db(sr / 2).abs() < 1e-6);
        // Full depth within the attack (100 ms) of the onset.
        assert!((db(sr + 4800) + 12.0).abs() < 0.01, "{}", db(sr + 4800));
        assert!((db(sr + sr / 2) + 12.0).abs() < 1e-3);
        // Back within the release (400 ms) after the end.
        assert!(
            db(2 * sr + 19_200 + 480).abs() < 0.01,
            "{}",
            db(2 * sr + 19_680)
        );
        // Quiet material under the threshold does not duck.
        assert!(db(3 * sr + sr / 2).abs() < 1e-6);
        assert_eq!(c.spans.len(), 1);
        let s = &c.spans[0];
        assert!(s.start <= sr as u64 && s.start + 480 >= sr as u64, "{s:?}");
        assert!(
            s.end >= 2 * sr as u64 && s.end <= 2 * sr as u64 + 480,
            "{s:?}"
        );
    }
}
