//! Sub-pixel resampling of one picture plane: the part of a plane inside a
//! rectangle given in fractional pixels, scaled to a plane of another size
//! with a cubic kernel (widened when shrinking, so that it does not alias).
//! Pan and zoom needs this: the crop and scale of libavfilter and swscale
//! work in whole pixels, which makes a slow move judder.

/// A sample type of a plane: 8-bit or 16-bit (10- and 12-bit formats).
pub trait Sample: Copy {
    fn get(self) -> f32;
    fn put(v: f32, max: f32) -> Self;
}

impl Sample for u8 {
    fn get(self) -> f32 {
        f32::from(self)
    }
    fn put(v: f32, max: f32) -> u8 {
        v.round().clamp(0.0, max) as u8
    }
}

impl Sample for u16 {
    fn get(self) -> f32 {
        f32::from(self)
    }
    fn put(v: f32, max: f32) -> u16 {
        v.round().clamp(0.0, max) as u16
    }
}

/// A plane: `width` x `height` samples, rows `stride` samples apart.
pub struct Plane<'a, T> {
    pub data: &'a [T],
    pub stride: usize,
    pub width: usize,
    pub height: usize,
}

/// A plane written to.
pub struct PlaneMut<'a, T> {
    pub data: &'a mut [T],
    pub stride: usize,
    pub width: usize,
    pub height: usize,
}

/// Keys' cubic convolution kernel with a = -0.5 (Catmull-Rom).
fn cubic(x: f64) -> f64 {
    let a = -0.5;
    let x = x.abs();
    if x < 1.0 {
        (a + 2.0) * x * x * x - (a + 3.0) * x * x + 1.0
    } else if x < 2.0 {
        a * x * x * x - 5.0 * a * x * x + 8.0 * a * x - 4.0 * a
    } else {
        0.0
    }
}

/// The taps of one output sample: weights of source samples
/// `first..first + weights.len()`; `inside` is false when the sample's
/// centre falls outside the source (it shows the fill).
#[derive(Debug, Clone, PartialEq)]
struct Taps {
    first: usize,
    weights: Vec<f32>,
    inside: bool,
}

/// Taps for `out` samples covering source samples `start..start + span`
/// (fractional) of a source `len` samples long. Taps past the edges are
/// folded onto the edge sample.
fn taps(len: usize, start: f64, span: f64, out: usize) -> Vec<Taps> {
    let step = span / out as f64;
    let scale = step.max(1.0);
    let radius = 2.0 * scale;
    (0..out)
        .map(|i| {
            let c = start + (i as f64 + 0.5) * step - 0.5;
            let lo = (c - radius).ceil() as i64;
            let hi = (c + radius).floor() as i64;
            let clamp = |j: i64| j.clamp(0, len as i64 - 1) as usize;
            let first = clamp(lo);
            let last = clamp(hi);
            let mut weights = vec![0f64; last - first + 1];
            for j in lo..=hi {
                weights[clamp(j) - first] += cubic((j as f64 - c) / scale);
            }
            let sum: f64 = weights.iter().sum();
            Taps {
                first,
                weights: weights.iter().map(|w| (w / sum) as f32).collect(),
                inside: c >= -0.5 && c <= len as f64 - 0.5,
            }
        })
        .collect()
}

/// Fills `dst` with the part of `src` inside `rect` (x, y, w, h in source
/// samples, fractional), scaled to `dst`'s size. Samples whose centre falls
/// outside `src` take `fill`; `max` is the largest sample value.
pub fn resample<T: Sample>(
    src: &Plane<T>,
    dst: &mut PlaneMut<T>,
    rect: [f64; 4],
    fill: T,
    max: f32,
) {
    let [x, y, w, h] = rect;
    let cols = taps(src.width, x, w, dst.width);
    let rows = taps(src.height, y, h, dst.height);
    // Horizontal pass over the source rows the vertical taps use.
    let top = rows.iter().map(|t| t.first).min().unwrap_or(0);
    let bottom = rows
        .iter()
        .map(|t| t.first + t.weights.len())
        .max()
        .unwrap_or(0);
    let mut mid = vec![0f32; (bottom - top) * dst.width];
    for r in top..bottom {
        let line = &src.data[r * src.stride..r * src.stride + src.width];
        let out = &mut mid[(r - top) * dst.width..(r - top + 1) * dst.width];
        for (o, t) in out.iter_mut().zip(&cols) {
            *o = line[t.first..t.first + t.weights.len()]
                .iter()
                .zip(&t.weights)
                .map(|(s, w)| s.get() * w)
                .sum();
        }
    }
    for (i, t) in rows.iter().enumerate() {
        let out = &mut dst.data[i * dst.stride..i * dst.stride + dst.width];
        if !t.inside {
            out.fill(fill);
            continue;
        }
        for (c, o) in out.iter_mut().enumerate() {
            if !cols[c].inside {
                *o = fill;
                continue;
            }
            let mut v = 0f32;
            for (k, wt) in t.weights.iter().enumerate() {
                v += mid[(t.first + k - top) * dst.width + c] * wt;
            }
            *o = T::put(v, max);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &[u8], sw: usize, sh: usize, rect: [f64; 4], dw: usize, dh: usize) -> Vec<u8> {
        let mut out = vec![0u8; dw * dh];
        resample(
            &Plane {
                data: src,
                stride: sw,
                width: sw,
                height: sh,
            },
            &mut PlaneMut {
                data: &mut out,
                stride: dw,
                width: dw,
                height: dh,
            },
            rect,
            7,
            255.0,
        );
        out
    }

    #[test]
    fn the_whole_plane_at_its_own_size_is_unchanged() {
        let src: Vec<u8> = (0..64 * 48).map(|i| (i * 37 % 251) as u8).collect();
        assert_eq!(run(&src, 64, 48, [0.0, 0.0, 64.0, 48.0], 64, 48), src);
    }

    #[test]
    fn a_whole_pixel_rect_is_a_crop() {
        let src: Vec<u8> = (0..64 * 48).map(|i| (i * 37 % 251) as u8).collect();
        let out = run(&src, 64, 48, [10.0, 5.0, 20.0, 30.0], 20, 30);
        for r in 0..30 {
            assert_eq!(
                out[r * 20..r * 20 + 20],
                src[(r + 5) * 64 + 10..(r + 5) * 64 + 30]
            );
        }
    }

    #[test]
    fn a_ramp_moves_by_fractions_of_a_pixel() {
        // A horizontal ramp: shifting the rect by a quarter pixel shifts
        // the values by a quarter step, with no rounding to whole pixels.
        let src: Vec<u8> = (0..64 * 8).map(|i| ((i % 64) * 4) as u8).collect();
        for q in 0..8 {
            let dx = q as f64 * 0.25;
            let out = run(&src, 64, 8, [10.0 + dx, 0.0, 32.0, 8.0], 32, 8);
            let want = ((10.0 + dx + 5.0) * 4.0).round() as u8;
            assert_eq!(out[4 * 32 + 5], want, "shift {dx}");
        }
    }

    #[test]
    fn shrinking_averages_and_outside_is_filled() {
        // Alternating columns shrunk to half: the kernel spans both.
        let src: Vec<u8> = (0..64 * 64)
            .map(|i| if i % 2 == 0 { 200 } else { 100 })
            .collect();
        let out = run(&src, 64, 64, [0.0, 0.0, 64.0, 64.0], 32, 32);
        // (Away from the edges, where the kernel folds onto the edge sample.)
        for row in out.chunks(32).skip(2).take(28) {
            assert!(
                row[2..30].iter().all(|&v| (148..=152).contains(&v)),
                "{row:?}"
            );
        }
        // A rect twice as wide as the plane, centred: bars of fill.
        let out = run(&src, 64, 64, [-32.0, 0.0, 128.0, 64.0], 32, 16);
        assert_eq!(out[0], 7);
        assert_eq!(out[31], 7);
        assert_ne!(out[16], 7);
    }
}
