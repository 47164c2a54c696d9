//! Colour phase: what each clip's source is (its tags, a clip's
//! `color = {...}` over them, a Dolby Vision base layer) and how it is
//! brought to the output's colour space.

use crate::colour::{Conversion, Matrix, OutputColour, Primaries, SourceColour, Transfer};
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
    // PQ and HLG are BT.2100: untagged primaries and matrix are BT.2020's.
    if c.colour.is_hdr() {
        if c.guessed.primaries {
            c.colour.primaries = Primaries::Bt2020;
        }
        if c.guessed.matrix {
            c.colour.matrix = Matrix::Bt2020;
        }
    }
    Ok(c)
}

/// How a source of colour `c` is brought to the output's: tone mapped from
/// its metadata's peak (MaxCLL, else the mastering display's, else
/// 1000 cd/m²) where it is brighter than the output can show.
pub(super) fn conversion(c: &SourceColour, out: &OutputColour) -> Conversion {
    Conversion::decide(c.colour, c.peak(), out)
}

/// The source's peak, where it is HDR and brighter than the output shows.
pub fn brighter_than_output(c: &SourceColour, out: &OutputColour) -> Option<f64> {
    out.exceeded_by(c.colour, c.peak()).then(|| c.peak())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::colour::{DolbyVision, Range};
    use crate::plan::testing::edl;

    fn video(c: SourceColour) -> VideoInfo {
        crate::probe::Probe::builder("a.mp4", 10)
            .colour(c)
            .build()
            .video
            .expect("a video")
    }

    fn clip(extra: &str) -> crate::edl::Clip {
        let mut e = edl(&format!("[[clip]]\nsource = \"a.mp4\"\n{extra}\n"));
        e.clips.remove(0)
    }

    #[test]
    fn a_transfer_override_on_an_untagged_source_implies_bt2100() {
        let c = source(
            &clip("color = { transfer = \"hlg\" }"),
            &video(SourceColour::untagged(1920, 1080)),
        )
        .expect("plays");
        assert_eq!(c.colour.transfer, Transfer::Hlg);
        assert_eq!(c.colour.primaries, Primaries::Bt2020);
        assert_eq!(c.colour.matrix, Matrix::Bt2020);
        assert_eq!(c.colour.range, Range::Limited);
        assert!(!c.guessed.transfer && c.guessed.range);
    }

    #[test]
    fn dolby_vision_profile_5_is_refused_and_8_4_plays_as_hlg() {
        let with_dv = |profile, compatibility| SourceColour {
            dolby_vision: Some(DolbyVision {
                profile,
                level: 6,
                compatibility,
            }),
            ..SourceColour::untagged(1920, 1080)
        };
        let (key, message) = source(&clip(""), &video(with_dv(5, 0))).expect_err("refused");
        assert_eq!(key, "source");
        assert!(message.contains("Dolby Vision 5.0"), "{message}");
        let c = source(&clip(""), &video(with_dv(8, 4))).expect("plays");
        assert_eq!(c.colour.transfer, Transfer::Hlg);
        assert_eq!(c.colour.primaries, Primaries::Bt2020);
    }
}
