//! Colour phase: what each clip's source is (its tags, a clip's
//! `color = {...}` over them, a Dolby Vision base layer) and how it is
//! brought to the output's colour space.

use crate::colour::{Conversion, OutputColour, SourceColour, Transfer, DEFAULT_PEAK};
use crate::edl::Clip;
use crate::probe::VideoInfo;

/// A problem with a key of the clip, and the message.
type Problem = (&'static str, String);

/// The source's colour as the clip takes it: refused where it is a Dolby
/// Vision stream with no picture of its own (profile 5).
pub(super) fn source(clip: &Clip, video: &VideoInfo) -> Result<SourceColour, Problem> {
    let mut c = video.colour;
    if let Some(dv) = c.dolby_vision {
        match dv.base_layer() {
            None => {
                return Err((
                    "source",
                    format!(
                        "source {} is {dv} (IPT-PQ-c2): it has no picture that plays without \
                         a Dolby Vision decoder (export it as HDR10, HLG or SDR)",
                        clip.source_text
                    ),
                ))
            }
            // A base layer whose tags were lost: the record says what it is.
            Some(t) if c.guessed.transfer && t != Transfer::Bt709 => {
                c.colour.transfer = t;
                c.colour.primaries = crate::colour::Primaries::Bt2020;
                c.colour.matrix = crate::colour::Matrix::Bt2020;
                c.guessed.transfer = false;
            }
            Some(_) => {}
        }
    }
    c.colour = clip.color.apply(c.colour);
    let o = clip.color;
    c.guessed.transfer &= o.transfer.is_none();
    c.guessed.primaries &= o.primaries.is_none();
    c.guessed.matrix &= o.matrix.is_none();
    c.guessed.range &= o.range.is_none();
    Ok(c)
}

/// How a source of colour `c` is brought to the output's: tone mapped from
/// its metadata's peak (MaxCLL, else the mastering display's, else
/// 1000 cd/m²) where it is brighter than the output can show.
pub(super) fn conversion(c: &SourceColour, out: &OutputColour) -> Conversion {
    let peak = c.hdr10.peak().unwrap_or(DEFAULT_PEAK);
    Conversion::decide(c.colour, peak, out)
}

/// The source's peak, where it is HDR and brighter than the output shows.
pub fn brighter_than_output(c: &SourceColour, out: &OutputColour) -> Option<f64> {
    let peak = c.hdr10.peak().unwrap_or(DEFAULT_PEAK);
    (c.colour.is_hdr() && peak > out.peak() + 0.5).then_some(peak)
}

/// The plan as an SDR output would show it: for pictures that are always
/// SDR (storyboard thumbnails), whatever the output's colour space.
pub fn in_sdr(plan: &super::model::Plan) -> super::model::Plan {
    let mut sdr = plan.clone();
    sdr.output.color.space = crate::colour::Space::Sdr;
    for c in &mut sdr.clips {
        c.conversion = conversion(&c.colour, &sdr.output.color);
    }
    sdr
}
