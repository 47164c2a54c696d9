//! A clip's time and movement keys: `speed`, `reverse`, `audio_speed`,
//! `freeze` and `motion`.

use super::syntax::{SourceText, Value};
use crate::error::Diagnostics;
use crate::time::{self, Ratio};
use serde::Deserialize;
use toml::Spanned;

/// The slowest and fastest `speed`.
pub const SPEED_RANGE: (f64, f64) = (0.1, 16.0);

/// How a clip's sound follows its speed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AudioSpeed {
    /// Time-stretched, pitch kept (libavfilter's `atempo`).
    #[default]
    Pitch,
    /// Played faster or slower like tape: the pitch moves with the speed.
    Resample,
    /// No sound.
    Mute,
}

/// What the sound does while the picture is held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FreezeAudio {
    /// Silence during the hold; the sound resumes with the picture.
    #[default]
    Silent,
    /// The sound runs on without a break under the held picture.
    Continue,
}

/// A held frame inside a clip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Freeze {
    /// Clip time (timeline seconds from the clip's first frame) of the
    /// frame held.
    pub at: Ratio,
    /// How long it is held, in addition to its own frame.
    pub duration: Ratio,
    pub audio: FreezeAudio,
}

/// The easing of a motion.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ease {
    #[default]
    Linear,
    /// Cubic, starting slowly.
    In,
    /// Cubic, ending slowly.
    Out,
    /// Cubic, slow at both ends.
    InOut,
}

impl Ease {
    /// The name the EDL uses.
    pub fn name(self) -> &'static str {
        match self {
            Ease::Linear => "linear",
            Ease::In => "in",
            Ease::Out => "out",
            Ease::InOut => "in_out",
        }
    }

    /// The eased share of the way at share `x` (0..1) of the time.
    pub fn apply(self, x: f64) -> f64 {
        let x = x.clamp(0.0, 1.0);
        match self {
            Ease::Linear => x,
            Ease::In => x * x * x,
            Ease::Out => 1.0 - (1.0 - x).powi(3),
            Ease::InOut if x < 0.5 => 4.0 * x * x * x,
            Ease::InOut => 1.0 - (-2.0 * x + 2.0).powi(3) / 2.0,
        }
    }
}

/// A rectangle as fractions of a picture: x, y, w, h.
pub type Rect = [f64; 4];

/// A pan and zoom: the part of the picture shown goes from `from` on the
/// clip's first frame to `to` on its last.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Motion {
    pub from: Rect,
    pub to: Rect,
    pub ease: Ease,
}

impl Motion {
    /// The rect shown at share `x` (0..1) of the clip.
    pub fn at(&self, x: f64) -> Rect {
        let e = self.ease.apply(x);
        let mut r = [0.0; 4];
        for (i, v) in r.iter_mut().enumerate() {
            *v = self.from[i] + (self.to[i] - self.from[i]) * e;
        }
        r
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFreeze {
    at: Option<Spanned<Value>>,
    duration: Option<Spanned<Value>>,
    #[serde(default)]
    audio: FreezeAudio,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMotion {
    from: Option<Spanned<Vec<f64>>>,
    to: Option<Spanned<Vec<f64>>>,
    #[serde(default)]
    ease: Ease,
}

/// `speed`: a ratio within [`SPEED_RANGE`], 1 when absent.
pub(super) fn speed(src: &SourceText, v: &Option<Spanned<f64>>, errs: &mut Diagnostics) -> Ratio {
    let Some(v) = v else {
        return Ratio::from_integer(1);
    };
    let x = *v.get_ref();
    let (lo, hi) = SPEED_RANGE;
    match time::ratio_from_f64(x).filter(|_| (lo..=hi).contains(&x)) {
        Some(r) => r,
        None => {
            errs.push(
                src.at(
                    &v.span(),
                    format!(
                        "invalid `speed` {x}: from {lo} (a tenth) to {hi} times the source's own"
                    ),
                )
                .key("speed"),
            );
            Ratio::from_integer(1)
        }
    }
}

/// `freeze = { at, duration, audio }`; `at` is checked against the clip's
/// length by the planner.
pub(super) fn freeze(
    src: &SourceText,
    raw: &Spanned<RawFreeze>,
    errs: &mut Diagnostics,
) -> Option<Freeze> {
    let f = raw.get_ref();
    let mut missing = |key: &str| {
        errs.push(
            src.at(
                &raw.span(),
                format!(
                    "`freeze` needs `{key}` (seconds): freeze = {{ at = 1.2, duration = 1.5 }}"
                ),
            )
            .key("freeze"),
        );
    };
    if f.at.is_none() {
        missing("at");
    }
    if f.duration.is_none() {
        missing("duration");
    }
    let at = super::syntax::seconds(src, &f.at, "at", errs);
    let duration = super::syntax::seconds(src, &f.duration, "duration", errs);
    if let Some(d) = &f.duration {
        if duration <= Ratio::from_integer(0) {
            errs.push(src.at(&d.span(), "`freeze.duration` must be greater than 0"));
            return None;
        }
    }
    (f.at.is_some() && f.duration.is_some()).then_some(Freeze {
        at,
        duration,
        audio: f.audio,
    })
}

/// A rect `[x, y, w, h]`: not empty and inside 0..1.
pub(super) fn rect(
    src: &SourceText,
    v: &Spanned<Vec<f64>>,
    key: &str,
    errs: &mut Diagnostics,
) -> Option<Rect> {
    match v.get_ref().as_slice() {
        &[x, y, w, h]
            if x >= 0.0
                && y >= 0.0
                && w > 0.0
                && h > 0.0
                && x + w <= 1.0 + 1e-9
                && y + h <= 1.0 + 1e-9 =>
        {
            Some([x, y, w, h])
        }
        _ => {
            errs.push(
                src.at(
                    &v.span(),
                    format!(
                        "`{key}` is [x, y, w, h], fractions of the picture: not empty and inside 0..1"
                    ),
                )
                .key(key),
            );
            None
        }
    }
}

/// `motion = { from, to, ease }`; a rect left out is the whole picture.
pub(super) fn motion(
    src: &SourceText,
    raw: &Spanned<RawMotion>,
    errs: &mut Diagnostics,
) -> Option<Motion> {
    let m = raw.get_ref();
    let whole = Some([0.0, 0.0, 1.0, 1.0]);
    let from = m
        .from
        .as_ref()
        .map_or(whole, |r| rect(src, r, "from", errs));
    let to = m.to.as_ref().map_or(whole, |r| rect(src, r, "to", errs));
    Some(Motion {
        from: from?,
        to: to?,
        ease: m.ease,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eases_start_and_end_in_place_and_keep_their_shape() {
        for e in [Ease::Linear, Ease::In, Ease::Out, Ease::InOut] {
            assert_eq!(e.apply(0.0), 0.0, "{e:?}");
            assert!((e.apply(1.0) - 1.0).abs() < 1e-12, "{e:?}");
            let mut last = 0.0;
            for i in 1..=100 {
                let y = e.apply(i as f64 / 100.0);
                assert!(y >= last, "{e:?} goes back at {i}");
                last = y;
            }
        }
        assert!(Ease::In.apply(0.25) < 0.25 && Ease::Out.apply(0.25) > 0.25);
        assert!((Ease::InOut.apply(0.5) - 0.5).abs() < 1e-12);
        assert!(Ease::InOut.apply(0.1) < 0.1 && Ease::InOut.apply(0.9) > 0.9);
    }

    #[test]
    fn a_motion_goes_from_its_first_rect_to_its_last() {
        let m = Motion {
            from: [0.0, 0.0, 1.0, 1.0],
            to: [0.3, 0.2, 0.5, 0.5],
            ease: Ease::Linear,
        };
        assert_eq!(m.at(0.0), m.from);
        assert_eq!(m.at(1.0), m.to);
        assert_eq!(m.at(0.5), [0.15, 0.1, 0.75, 0.75]);
    }
}
