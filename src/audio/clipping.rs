//! Where a mix with no loudness target goes over full scale: the first
//! millisecond whose true peak passes 0 dBTP, for a warning. Looked for
//! only when the encoded audio's true peak says it does, so a mix that
//! stays under costs nothing more.

use super::duck;
use super::loudness;
use super::mix::{mix_span, Buses};
use crate::error::Result;
use crate::plan::AudioPlan;
use crate::time::{Clock, Ratio};
use std::ops::Range;

/// A mix that clips: its highest true peak, and where it first passes
/// 0 dBTP (where it peaks highest if only its encoding does).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clipping {
    /// Seconds from the start of the timeline.
    pub at: Ratio,
    pub peak_db: f64,
}

impl std::fmt::Display for Clipping {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the mix clips: true peak {:+.1} dBTP, over 0 dBTP first at {}; lower the volumes, \
             or set a loudness target ([output.audio.loudness]) to bring it under its ceiling",
            self.peak_db,
            Clock(self.at)
        )
    }
}

/// Where `span` of the mix first clips, given that the encoded audio's
/// true peak is `peak_db`; None when that is at most 0 dBTP.
pub(super) fn find(
    plan: &AudioPlan,
    span: Range<u64>,
    curve: Option<&duck::Curve>,
    peak_db: f64,
) -> Result<Option<Clipping>> {
    if peak_db <= 0.0 {
        return Ok(None);
    }
    let sr = plan.sample_rate as u64;
    let block = (sr / 1000).max(1);
    let step = 10 * sr / block * block;
    let mut highest = (0f32, span.start);
    for start in (span.start..span.end).step_by(step as usize) {
        let chunk = start..(start + step).min(span.end);
        let mix = mix_span(plan, chunk.clone(), Buses::All, curve)?;
        let peaks = loudness::block_peaks(&mix, plan.sample_rate, block as usize, 0)?;
        for (i, p) in peaks.iter().enumerate() {
            let at = chunk.start + i as u64 * block;
            if *p > 1.0 {
                return Ok(Some(clipping(at, sr, peak_db)));
            }
            if *p > highest.0 {
                highest = (*p, at);
            }
        }
    }
    Ok(Some(clipping(highest.1, sr, peak_db)))
}

fn clipping(sample: u64, sr: u64, peak_db: f64) -> Clipping {
    Clipping {
        at: Ratio::new(sample as i64, sr as i64),
        peak_db,
    }
}
