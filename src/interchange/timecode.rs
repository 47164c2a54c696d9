//! SMPTE timecodes: `HH:MM:SS:FF` (and `;` for drop frame) to frame counts
//! and back, at every rate reel reads.

use crate::time::Ratio;

/// A timecode rate: the real frame rate and whether timecodes drop frame
/// numbers (29.97 and 59.94 only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub fps: Ratio,
    pub drop: bool,
}
