//! `--range`: the part of the timeline a render covers.

use super::model::{sample_at, Plan, Segment};
use crate::time::{self, Clock, Ratio};
use std::ops::Range;

/// What is wrong with a `--range` text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    /// Not a span of two times (the time parser's words).
    #[error(transparent)]
    Span(#[from] time::TimeError),
    /// The span ends after the montage, which lasts `duration` seconds.
    #[error("--range {text} ends after the montage ({})", Clock(*.duration))]
    PastEnd { text: String, duration: Ratio },
    /// The span holds no whole frame.
    #[error("--range {text} is shorter than one frame")]
    UnderAFrame { text: String },
}

impl Plan {
    /// Restricts the render to timeline frames `range` (clamped to the
    /// timeline): segments are cut at its ends; every frame is composed
    /// exactly as in the full render.
    pub fn restrict(mut self, range: Range<u64>) -> Plan {
        let range = range.start.min(self.frames)..range.end.min(self.frames);
        self.segments = self
            .segments
            .iter()
            .filter(|s| s.frames.start < range.end && s.frames.end > range.start)
            .enumerate()
            .map(|(index, s)| Segment {
                index,
                frames: s.frames.start.max(range.start)..s.frames.end.min(range.end),
            })
            .collect();
        self.range = range;
        self
    }

    /// The timeline frames a `--range START-END` names (seconds or
    /// HH:MM:SS.mmm): the frames whose start falls in the span. The error
    /// says what is wrong with the text.
    pub fn range_frames(&self, text: &str) -> Result<Range<u64>, RangeError> {
        let (a, b) = time::parse_span(text)?;
        let fps = self.output.fps;
        let frame = |t: Ratio| time::round(t * fps).max(0) as u64;
        if frame(b) > self.frames {
            return Err(RangeError::PastEnd {
                text: text.to_string(),
                duration: self.duration(),
            });
        }
        if frame(a) >= frame(b) {
            return Err(RangeError::UnderAFrame {
                text: text.to_string(),
            });
        }
        Ok(frame(a)..frame(b))
    }

    /// Audio samples of the rendered frames.
    pub fn range_samples(&self) -> Range<u64> {
        let s = |k| sample_at(k, self.audio.sample_rate, self.output.fps);
        s(self.range.start)..s(self.range.end)
    }
}
