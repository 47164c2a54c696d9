//! The libavfilter steps that bring a picture to the output's colour:
//! libavfilter's `zscale` (zimg) for transfer, primaries, matrix, range and
//! bit depth, with `tonemap` in linear light on float RGB between two of
//! them where a source is brighter than the output can show.

use crate::colour::{Tone, ToneMap, Zscale};

/// mobius's `param`: below this fraction of linear 1.0 (60% of reference
/// white into SDR) light passes unchanged, so every SDR-graded colour of an
/// HDR source keeps its hue and chroma; above it highlights are
/// compressed towards the peak.
const MOBIUS_PARAM: f64 = 0.6;

/// Into SDR, `tonemap` desaturates towards luma above this multiple of
/// linear 1.0 (twice reference white), so the brightest saturated
/// highlights turn white as film does rather than clip to a hue.
const SDR_DESAT: f64 = 2.0;

/// `zscale` from `z.from` to `z.to` at `size`, tone mapping on the way
/// where `z` says so. The output's pixel format is left to the `format`
/// filter that follows.
pub fn chain(z: &Zscale, size: (u32, u32)) -> String {
    let f = z.from;
    let input = format!(
        "tin={}:pin={}:min={}:rin={}",
        f.transfer.zscale(),
        f.primaries.zscale(),
        f.matrix.zscale(),
        f.range.zscale()
    );
    let (w, h) = size;
    let to = z.to;
    let finish = format!(
        "t={}:p={}:m={}:r={}:npl={}",
        to.transfer.zscale(),
        to.primaries.zscale(),
        to.matrix.zscale(),
        to.range.zscale(),
        z.npl
    );
    match z.tone_map {
        None => format!("zscale=w={w}:h={h}:filter=bicubic:{input}:{finish}"),
        Some(tone) => format!(
            "zscale=w={w}:h={h}:filter=bicubic:{input}:t=linear:p={}:npl={},\
             format=gbrpf32le,{},zscale={finish}",
            to.primaries.zscale(),
            z.npl,
            tonemap(&tone, z.npl)
        ),
    }
}

/// libavfilter's `tonemap` with the peak given (its own guess from side
/// data counts in 100 cd/m², not in zscale's `npl`).
fn tonemap(t: &Tone, npl: u32) -> String {
    let peak = t.peak as f64 / npl as f64;
    let desat = if t.to_sdr { SDR_DESAT } else { 0.0 };
    let param = match t.op {
        ToneMap::Mobius => format!(":param={MOBIUS_PARAM}"),
        _ => String::new(),
    };
    format!(
        "tonemap={}{param}:desat={desat}:peak={peak:.4}",
        t.op.name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::colour::{Colour, Conversion, OutputColour, Space};

    fn zscale(from: Colour, peak: f64, out: &OutputColour) -> Zscale {
        match Conversion::decide(from, peak, out) {
            Conversion::Zscale(z) => z,
            other => panic!("expected zscale, got {other:?}"),
        }
    }

    #[test]
    fn hlg_into_sdr_tone_maps_in_linear_light_at_reference_white() {
        let z = zscale(Space::Hlg.colour(), 1000.0, &OutputColour::default());
        assert_eq!(
            chain(&z, (1280, 720)),
            "zscale=w=1280:h=720:filter=bicubic:tin=arib-std-b67:pin=bt2020:min=2020_ncl:\
             rin=limited:t=linear:p=bt709:npl=203,format=gbrpf32le,\
             tonemap=mobius:param=0.6:desat=2:peak=4.9261,\
             zscale=t=bt709:p=bt709:m=709:r=limited:npl=203"
        );
    }

    #[test]
    fn sdr_into_pq_puts_its_white_at_reference_white() {
        let out = OutputColour {
            space: Space::Pq,
            ..Default::default()
        };
        let z = zscale(Colour::SDR, 100.0, &out);
        assert_eq!(
            chain(&z, (64, 36)),
            "zscale=w=64:h=36:filter=bicubic:tin=bt709:pin=bt709:min=709:rin=limited:\
             t=smpte2084:p=bt2020:m=2020_ncl:r=limited:npl=203"
        );
    }

    #[test]
    fn a_pq_source_brighter_than_an_hlg_output_is_tone_mapped_to_its_peak() {
        let out = OutputColour {
            space: Space::Hlg,
            ..Default::default()
        };
        let z = zscale(Space::Pq.colour(), 4000.0, &out);
        let c = chain(&z, (64, 36));
        assert!(
            c.contains("npl=1000,format=gbrpf32le,tonemap=mobius:param=0.6:desat=0:peak=4.0000,"),
            "{c}"
        );
        assert!(
            c.ends_with("t=arib-std-b67:p=bt2020:m=2020_ncl:r=limited:npl=1000"),
            "{c}"
        );
    }
}
