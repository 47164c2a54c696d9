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
    /// Linear gain at the start of each block, in 65535ths.
    gains: Runs,
    /// Timeline samples where speech holds the duck down.
    pub spans: Vec<Range<u64>>,
}

/// A gain per block, kept as runs of equal gains: flat stretches (no
/// speech, or held down under it) are one entry each, so an hour's curve
/// is as small as its ramps.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Runs {
    /// (first block, gain) of each run, in order; the first at block 0.
    runs: Vec<(u32, u16)>,
    /// Blocks in all.
    len: usize,
}

impl Runs {
    fn push(&mut self, gain: u16) {
        if self.runs.last().is_none_or(|&(_, g)| g != gain) {
            self.runs.push((self.len as u32, gain));
        }
        self.len += 1;
    }

    /// The gains of blocks `from..to` (those before `len`).
    fn blocks(&self, from: usize, to: usize) -> Vec<u16> {
        let to = to.min(self.len);
        let mut out = Vec::with_capacity(to.saturating_sub(from));
        if from >= to {
            return out;
        }
        // The first run starts at block 0, so one starts at or before `from`.
        let mut i = self.runs.partition_point(|&(b, _)| b as usize <= from) - 1;
        let mut b = from;
        while b < to {
            let end = self
                .runs
                .get(i + 1)
                .map_or(self.len, |&(e, _)| e as usize)
                .min(to);
            out.extend(std::iter::repeat_n(self.runs[i].1, end - b));
            b = end;
            i += 1;
        }
        out
    }

    fn get(&self, b: usize) -> Option<u16> {
        (b < self.len).then(|| {
            let i = self.runs.partition_point(|&(s, _)| s as usize <= b);
            self.runs[i - 1].1
        })
    }
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
    gains: Runs,
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
            gains: Runs::default(),
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
        let from = span.start as usize / self.block;
        let to = span.end as usize / self.block + 2;
        let mut h = crate::digest::Digest::default();
        for g in self.gains.blocks(from, to) {
            h.update(&g.to_le_bytes());
        }
        h.finish()
    }

    /// Gain at timeline sample `s`.
    pub fn gain(&self, s: u64) -> f32 {
        let b = s as usize / self.block;
        let Some(a) = self.gains.get(b) else {
            return 1.0;
        };
        let z = self.gains.get(b + 1).unwrap_or(a);
        interpolate(a, z, s as usize % self.block, self.block)
    }

    /// The gains of timeline samples `span`, laid out for reading sample
    /// by sample.
    pub fn window(&self, span: Range<u64>) -> Window {
        let first = span.start as usize / self.block;
        Window {
            block: self.block,
            first,
            len: self.gains.len,
            gains: self.gains.blocks(first, span.end as usize / self.block + 2),
        }
    }
}

/// The curve's gains over a span of the timeline ([`Curve::window`]).
pub struct Window {
    block: usize,
    /// Block of `gains[0]`.
    first: usize,
    /// Blocks of the whole curve.
    len: usize,
    gains: Vec<u16>,
}

impl Window {
    /// Gain at timeline sample `s` (within the window's span), as
    /// [`Curve::gain`] gives it.
    pub fn gain(&self, s: u64) -> f32 {
        let b = s as usize / self.block;
        if b >= self.len {
            return 1.0;
        }
        let a = self.gains[b - self.first];
        let z = if b + 1 < self.len {
            self.gains[b + 1 - self.first]
        } else {
            a
        };
        interpolate(a, z, s as usize % self.block, self.block)
    }
}

/// The gain `at` samples into a block that starts at `a` and whose next
/// starts at `z` (65535ths).
fn interpolate(a: u16, z: u16, at: usize, block: usize) -> f32 {
    let (a, z) = (a as f32 / 65535.0, z as f32 / 65535.0);
    let t = at as f32 / block as f32;
    a + (z - a) * t
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
    fn runs_give_every_block_and_windows_every_sample_as_the_whole_curve() {
        let power: Vec<f32> = (0..12_000)
            .map(|b| if (b / 3000) % 2 == 1 { 0.01 } else { 1e-7 })
            .collect();
        let n = 12_000 * 48 - 17;
        let c = Curve::from_power(&power, n, &plan(), 48_000);
        // Flat stretches are single runs: far fewer runs than blocks.
        assert!(
            c.gains.runs.len() < c.gains.len / 4,
            "{} runs",
            c.gains.runs.len()
        );
        let dense = c.gains.blocks(0, c.gains.len);
        assert_eq!(dense.len(), c.gains.len);
        for (b, g) in dense.iter().enumerate().step_by(7) {
            assert_eq!(c.gains.get(b), Some(*g));
            assert_eq!(c.gains.blocks(b, b + 3), dense[b..(b + 3).min(dense.len())]);
        }
        assert_eq!(c.gains.get(c.gains.len), None);
        for span in [
            0..4800u64,
            143_990..168_017,
            (n as u64 - 100)..(n as u64 + 200),
        ] {
            let w = c.window(span.clone());
            for s in span {
                assert_eq!(w.gain(s), c.gain(s), "sample {s}");
            }
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
