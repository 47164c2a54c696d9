//! A clip's grade, applied before anything else, in the source's own
//! colours: its LUT (libavfilter's `lut3d`), then its `eq`.
//!
//! libavfilter's `eq` takes 8-bit pictures only: on a deeper source it
//! would quantise every clip to 8 bits. There the same arithmetic is done
//! by `lutyuv`, which keeps the source's depth: eq's fixed-point path
//! (gamma 1, |contrast| < 7.9) and its table path, with its parameters
//! rounded to 32-bit floats as eq stores them, so that at 8 bits the two
//! agree code for code.

use crate::edl::ColourEq;
use crate::ffmpeg;
use crate::plan::ClipPlan;

/// The clip's grade as a filter chain for pictures of `depth` bits (a
/// proxy's may have fewer than its source's); empty for none.
pub fn spec(clip: &ClipPlan, depth: u8) -> String {
    let mut parts = Vec::new();
    if let Some(l) = &clip.lut {
        parts.push(format!(
            "lut3d=file={}:interp=tetrahedral",
            ffmpeg::filter_path(l)
        ));
    }
    if let Some(e) = &clip.eq {
        parts.push(eq(e, depth));
    }
    parts.join(",")
}

/// `eq` for a picture of `depth` bits per component.
pub fn eq(e: &ColourEq, depth: u8) -> String {
    if depth <= 8 {
        return format!(
            "eq=brightness={}:contrast={}:saturation={}:gamma={}",
            e.brightness, e.contrast, e.saturation, e.gamma
        );
    }
    let f = |x: f64| x as f32 as f64;
    let (b, c, s, g) = (f(e.brightness), f(e.contrast), f(e.saturation), f(e.gamma));
    let luma = if c == 1.0 && b == 0.0 && g == 1.0 {
        "val".to_string()
    } else if g == 1.0 && c.abs() < 7.9 {
        fixed_point(c, b, depth)
    } else {
        table(c, b, g, depth)
    };
    let chroma = if s == 1.0 {
        "val".to_string()
    } else {
        fixed_point(s, 0.0, depth)
    };
    format!("lutyuv=y='{luma}':u='{chroma}':v='{chroma}'")
}

/// eq's fixed-point path: `(in * c >> 12) + b` in 8-bit units, `b`
/// scaled to the depth.
fn fixed_point(contrast: f64, brightness: f64, depth: u8) -> String {
    let c = (contrast * 4096.0) as i64;
    let b = ((100.0 * brightness + 100.0) as i64 * 511) / 200 - 128 - c / 32;
    let scale = 1i64 << (depth - 8);
    format!("floor(val*{c}/4096)+{}", b * scale)
}

/// eq's table path: contrast about mid-grey, brightness, then gamma.
fn table(contrast: f64, brightness: f64, gamma: f64, depth: u8) -> String {
    let n = 1u64 << depth;
    let m = n - 1;
    // gamma_weight is 1: the whole of the gamma curve.
    format!(
        "st(0,{contrast:?}*(val/{m}-0.5)+0.5+{brightness:?});\
         if(lte(ld(0),0),0,st(1,pow(ld(0),{:?}));if(gte(ld(1),1),{m},floor({n}*ld(1))))",
        1.0 / gamma
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq_of(brightness: f64, contrast: f64, saturation: f64, gamma: f64) -> ColourEq {
        ColourEq {
            brightness,
            contrast,
            saturation,
            gamma,
        }
    }

    #[test]
    fn eight_bit_pictures_use_eq_itself() {
        assert_eq!(
            eq(&eq_of(0.1, 1.2, 1.3, 1.0), 8),
            "eq=brightness=0.1:contrast=1.2:saturation=1.3:gamma=1"
        );
    }

    #[test]
    fn deeper_pictures_use_eqs_arithmetic_at_their_depth() {
        // eq's fixed point: c = (int)(1.2 * 4096), b = 110 * 511 / 200 - 128
        // - c / 32 (0 here), the chroma's b = 127 - cs / 32, both times 4 at
        // 10 bits.
        assert_eq!(
            eq(&eq_of(0.1, 1.2, 1.3, 1.0), 10),
            "lutyuv=y='floor(val*4915/4096)+0':u='floor(val*5324/4096)+-156':\
             v='floor(val*5324/4096)+-156'"
        );
        // Identity keeps every code.
        assert_eq!(
            eq(&eq_of(0.0, 1.0, 1.0, 1.0), 10),
            "lutyuv=y='val':u='val':v='val'"
        );
        // Brightness is stored as a 32-bit float: -0.2 is 79 %, not 80.
        assert!(eq(&eq_of(-0.2, 1.0, 1.0, 1.0), 10).contains("floor(val*4096/4096)+-220"));
        assert!(eq(&eq_of(0.1, 1.2, 1.0, 1.1), 10).contains("pow(ld(0),0.90909"));
    }
}
