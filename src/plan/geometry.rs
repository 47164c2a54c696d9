//! Where a source picture goes in the output frame: its turn, crop,
//! scale and the pad or crop that fits it (contain, cover, stretch), a
//! `cover` crop moved to keep a clip's focus, and the rects of a pan and
//! zoom.

use crate::edl::timing::Motion;
use crate::edl::Fit;
use crate::time::{self, Ratio};

/// A pan and zoom over the (cropped) upright picture, scaled to square
/// pixels at `geometry.scaled`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MotionPlan {
    pub path: Motion,
    /// How each rect is fitted into the output frame.
    pub fit: Fit,
    /// The point `cover` keeps when it trims a rect to the frame's shape.
    pub focus: (f64, f64),
}

impl MotionPlan {
    /// The part of a `work`-sized picture shown by local frame `k` of a
    /// clip `frames` long: x, y, w, h in pixels (fractional), shaped like
    /// the `out` frame. `contain` widens the rect (what lies outside the
    /// picture is background), `cover` trims it about the focus.
    pub fn rect(&self, k: u64, frames: u64, work: (u32, u32), out: (u32, u32)) -> [f64; 4] {
        let share = if frames > 1 {
            k as f64 / (frames - 1) as f64
        } else {
            0.0
        };
        let [x, y, w, h] = self.path.at(share);
        let (ww, wh) = (work.0 as f64, work.1 as f64);
        let (mut x, mut y, mut w, mut h) = (x * ww, y * wh, w * ww, h * wh);
        let aspect = out.0 as f64 / out.1 as f64;
        let wide = w / h > aspect;
        match (self.fit, wide) {
            (Fit::Contain, true) => {
                let nh = w / aspect;
                y -= (nh - h) / 2.0;
                h = nh;
            }
            (Fit::Contain, false) => {
                let nw = h * aspect;
                x -= (nw - w) / 2.0;
                w = nw;
            }
            (Fit::Cover, true) => {
                let nw = h * aspect;
                x += (w - nw) * self.focus.0;
                w = nw;
            }
            (Fit::Cover, false) => {
                let nh = w / aspect;
                y += (h - nh) * self.focus.1;
                h = nh;
            }
            (Fit::Stretch, _) => {}
        }
        [x, y, w, h]
    }
}

/// How a source picture is placed in the output frame: scale to `scaled`,
/// then pad (contain) or crop (cover) at `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    /// Clockwise turn applied first (0, 90, 180, 270).
    pub rotation: u16,
    pub scaled: (u32, u32),
    pub fit: Fit,
    /// Pad position of the picture (contain) or crop position inside it (cover).
    pub offset: (u32, u32),
    /// The part of the upright source used, `(x, y, w, h)` in pixels
    /// (a clip's `crop`), before scaling.
    pub crop: Option<(u32, u32, u32, u32)>,
}

/// Places a picture of `w`x`h` with sample aspect `sar` in the output.
pub fn geometry(w: u32, h: u32, sar: Ratio, out_w: u32, out_h: u32, fit: Fit) -> Geometry {
    let even = |x: Ratio| -> u32 { ((time::round(x / 2)).max(1) * 2) as u32 };
    let dar = Ratio::from_integer(w as i64) * sar / Ratio::from_integer(h.max(1) as i64);
    let out_ar = Ratio::new(out_w as i64, out_h as i64);
    let (ow, oh) = (
        Ratio::from_integer(out_w as i64),
        Ratio::from_integer(out_h as i64),
    );
    match fit {
        Fit::Stretch => Geometry {
            rotation: 0,
            scaled: (out_w, out_h),
            fit,
            offset: (0, 0),
            crop: None,
        },
        Fit::Contain => {
            let (sw, sh) = if dar > out_ar {
                (out_w, even(ow / dar).min(out_h))
            } else {
                (even(oh * dar).min(out_w), out_h)
            };
            Geometry {
                rotation: 0,
                scaled: (sw, sh),
                fit,
                offset: (((out_w - sw) / 4) * 2, ((out_h - sh) / 4) * 2),
                crop: None,
            }
        }
        Fit::Cover => {
            let (sw, sh) = if dar > out_ar {
                (even(oh * dar).max(out_w), out_h)
            } else {
                (out_w, even(ow / dar).max(out_h))
            };
            Geometry {
                rotation: 0,
                scaled: (sw, sh),
                fit,
                offset: (((sw - out_w) / 4) * 2, ((sh - out_h) / 4) * 2),
                crop: None,
            }
        }
    }
}

/// The size a moving clip's `w`x`h` picture of aspect `sar` is scaled to
/// before its rects are taken: square pixels, even sides, the same height.
pub(super) fn working_size(w: u32, h: u32, sar: Ratio) -> (u32, u32) {
    let even = |x: Ratio| ((time::round(x / 2)).max(1) * 2) as u32;
    (
        even(Ratio::from_integer(w as i64) * sar),
        even(Ratio::from_integer(h as i64)),
    )
}

/// A `crop` rect (fractions) in pixels of a `w`x`h` picture, on even
/// positions and sizes (chroma is subsampled), at least 2x2.
pub(super) fn crop_pixels(
    (x, y, cw, ch): (f64, f64, f64, f64),
    w: u32,
    h: u32,
) -> (u32, u32, u32, u32) {
    let even = |v: f64| ((v / 2.0).round() as u32) * 2;
    let (px, py) = (even(x * w as f64).min(w - 2), even(y * h as f64).min(h - 2));
    let pw = even(cw * w as f64).clamp(2, w - px);
    let ph = even(ch * h as f64).clamp(2, h - py);
    (px, py, pw, ph)
}

/// A `cover` crop moved to keep `focus` (fractions of the scaled picture)
/// as near the output's centre as the picture allows; other fits, and no
/// focus, are left as they are.
pub(super) fn focused(g: Geometry, focus: Option<(f64, f64)>, out_w: u32, out_h: u32) -> Geometry {
    let (Fit::Cover, Some((fx, fy))) = (g.fit, focus) else {
        return g;
    };
    let at = |f: f64, scaled: u32, out: u32| -> u32 {
        let x = (f * scaled as f64 - out as f64 / 2.0).round();
        let x = x.clamp(0.0, (scaled - out) as f64) as u32;
        x / 2 * 2
    };
    Geometry {
        offset: (at(fx, g.scaled.0, out_w), at(fy, g.scaled.1, out_h)),
        ..g
    }
}
