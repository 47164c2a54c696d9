//! The keys clips, voiceovers and music beds share: the trim of the
//! source (`in`, `out` or `duration`) and the volume; and whole numbers
//! within a range, which `[output]`'s tables share.

use crate::edl::model::End;
use crate::edl::syntax::{time_spec, SourceText, Value};
use crate::error::Diagnostics;
use crate::time::{self, Ratio, TimeSpec};
use std::ops::RangeInclusive;
use toml::Spanned;

/// `in` and `out`/`duration` of a clip, voiceover or bed, checked.
pub(super) fn trim(
    src: &SourceText,
    start: &Option<Spanned<Value>>,
    out: &Option<Spanned<Value>>,
    duration: &Option<Spanned<Value>>,
    errs: &mut Diagnostics,
) -> (TimeSpec, End) {
    let start = start
        .as_ref()
        .map(|t| time_spec(src, t, "in", errs))
        .unwrap_or(TimeSpec::Seconds(Ratio::from_integer(0)));
    let end = end_of(src, out, duration, errs);
    check_order(src, start, end, out, errs);
    (start, end)
}

fn end_of(
    src: &SourceText,
    out: &Option<Spanned<Value>>,
    duration: &Option<Spanned<Value>>,
    errs: &mut Diagnostics,
) -> End {
    match (out, duration) {
        (Some(_), Some(d)) => {
            errs.push(src.at(&d.span(), "both `out` and `duration` are given; keep one"));
            End::SourceEnd
        }
        (Some(o), None) => End::Out(time_spec(src, o, "out", errs)),
        (None, Some(d)) => {
            let t = time_spec(src, d, "duration", errs);
            if t == TimeSpec::Seconds(Ratio::from_integer(0)) {
                errs.push(src.at(&d.span(), "`duration` must be greater than 0"));
            }
            End::Duration(t)
        }
        (None, None) => End::SourceEnd,
    }
}

/// `in >= out` can be told without the source when both are in seconds.
fn check_order(
    src: &SourceText,
    start: TimeSpec,
    end: End,
    out: &Option<Spanned<Value>>,
    errs: &mut Diagnostics,
) {
    if let (TimeSpec::Seconds(a), End::Out(TimeSpec::Seconds(b)), Some(o)) = (start, end, out) {
        if a >= b {
            errs.push(src.at(
                &o.span(),
                format!(
                    "`in` {} is not before `out` {} (out is exclusive; the clip would be empty)",
                    time::Clock(a),
                    time::Clock(b)
                ),
            ));
        }
    }
}

pub(super) fn volume(src: &SourceText, v: &Spanned<f64>, errs: &mut Diagnostics) -> f64 {
    let x = *v.get_ref();
    if !x.is_finite() || !(0.0..=16.0).contains(&x) {
        errs.push(
            src.at(
                &v.span(),
                format!("invalid volume {x} (expected a gain from 0 to 16; 0 mutes)"),
            )
            .key("volume"),
        );
        1.0
    } else {
        x
    }
}

/// A whole number key within `range`.
pub(super) fn whole(
    src: &SourceText,
    v: &Spanned<i64>,
    key: &str,
    range: RangeInclusive<u32>,
    errs: &mut Diagnostics,
) -> Option<u32> {
    match u32::try_from(*v.get_ref()) {
        Ok(n) if range.contains(&n) => Some(n),
        _ => {
            errs.push(
                src.at(
                    &v.span(),
                    format!(
                        "invalid {key} {} (expected {} to {})",
                        v.get_ref(),
                        range.start(),
                        range.end()
                    ),
                )
                .key(key),
            );
            None
        }
    }
}
