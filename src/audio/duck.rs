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

/// Builds a [`Curve`] from the voiceover bus's levels given a piece at a
/// time, in order, holding only the few blocks the speech window reads
/// ahead.
pub struct Builder {
    d: DuckPlan,
    block: usize,
    n: usize,
    threshold: f64,
    hold: usize,
    down: f64,
    up: f64,
    /// Levels of blocks `next..`, not yet decided.
    pending: std::collections::VecDeque<f32>,
    next: usize,
    last_speech: Option<usize>,
    db: f64,
    gains: Vec<u16>,
    spans: Vec<Range<u64>>,
}

impl Builder {
    pub fn new(n: usize, d: &DuckPlan, sample_rate: u32) -> Builder {
        let block = (sample_rate as usize / 1000).max(1);
        Builder {
            d: *d,
            block,
            n,
            threshold: 10f64.powf(d.threshold_db / 10.0),
            hold: d.hold as usize / block,
            down: d.depth_db / (d.attack as f64 / block as f64).max(1.0),
            up: d.depth_db / (d.release as f64 / block as f64).max(1.0),
            pending: std::collections::VecDeque::new(),
            next: 0,
            last_speech: None,
            db: 0.0,
            gains: Vec::with_capacity(n.div_ceil(block) + 1),
            spans: Vec::new(),
        }
    }

    /// Adds the levels of the next blocks.
    pub fn push(&mut self, power: &[f32]) {
        self.pending.extend(power.iter().copied());
        while self.pending.len() >= WINDOW_MS {
            self.step(WINDOW_MS);
        }
    }

    /// Decides the next block, whose speech window is its `w` blocks.
    fn step(&mut self, w: usize) {
        let b = self.next;
        self.gains.push(quantise(10f64.powf(self.db / 20.0)));
        let level = self.pending.iter().take(w).map(|&p| p as f64).sum::<f64>() / w as f64;
        if level >= self.threshold {
            self.last_speech = Some(b + w - 1);
        }
        let open = self.last_speech.is_some_and(|l| b <= l + self.hold);
        if open {
            let block = self.block;
            let (s, e) = ((b * block) as u64, (((b + 1) * block).min(self.n)) as u64);
            match self.spans.last_mut() {
                Some(last) if last.end == s => last.end = e,
                _ => self.spans.push(s..e),
            }
        }
        self.db = if open {
            (self.db - self.down).max(-self.d.depth_db)
        } else {
            (self.db + self.up).min(0.0)
        };
        self.pending.pop_front();
        self.next += 1;
    }

    /// The curve, once every block was given.
    pub fn finish(mut self) -> Curve {
        // The last blocks' windows reach only to the end.
        while !self.pending.is_empty() {
            self.step(self.pending.len());
        }
        self.gains.push(quantise(10f64.powf(self.db / 20.0)));
        Curve {
            block: self.block,
            gains: self.gains,
            spans: self.spans,
        }
    }
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
    #[cfg(test)]
    pub fn from_power(power: &[f32], n: usize, d: &DuckPlan, sample_rate: u32) -> Curve {
        let mut b = Builder::new(n, d, sample_rate);
        b.push(power);
        b.finish()
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
    fn levels_given_in_pieces_give_the_same_curve() {
        let power: Vec<f32> = (0..5000)
            .map(|b| if (b / 700) % 2 == 1 { 0.01 } else { 1e-7 })
            .collect();
        let whole = Curve::from_power(&power, 5000 * 48, &plan(), 48_000);
        let mut b = Builder::new(5000 * 48, &plan(), 48_000);
        for piece in power.chunks(333) {
            b.push(piece);
        }
        let pieces = b.finish();
        assert_eq!(whole.gains, pieces.gains);
        assert_eq!(whole.spans, pieces.spans);
        assert_eq!(whole.spans.len(), 4, "{:?}", whole.spans);
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
