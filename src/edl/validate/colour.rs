//! Colour keys: `[output.color]` (the output's colour space, tone mapping
//! and HDR10 metadata) and a clip's `color = {...}` (tags that replace a
//! source's own).

use crate::colour::{
    ContentLight, Matrix, OutputColour, Override, Primaries, Range, Space, ToneMap, Transfer,
};
use crate::edl::raw::{RawClipColor, RawColor};
use crate::edl::syntax::{SourceText, Spans};
use crate::error::Diagnostics;
use toml::Spanned;

/// `[output.color]`.
pub(super) fn output_colour(
    src: &SourceText,
    raw: RawColor,
    spans: &mut Spans,
    errs: &mut Diagnostics,
) -> OutputColour {
    spans.add(src, "color.space", &raw.space);
    spans.add(src, "color.max_cll", &raw.max_cll);
    let mut c = OutputColour::default();
    if let Some(s) = name(src, &raw.space, "space", Space::parse, Space::NAMES, errs) {
        c.space = s;
    }
    if let Some(t) = name(
        src,
        &raw.tone_map,
        "tone_map",
        ToneMap::parse,
        ToneMap::NAMES,
        errs,
    ) {
        c.tone_map = t;
    }
    let whole = |v: &Option<Spanned<i64>>, key, range, errs: &mut Diagnostics| {
        v.as_ref()
            .and_then(|v| super::keys::whole(src, v, key, range, errs))
    };
    if let Some(w) = whole(&raw.reference_white, "reference_white", 100..=400, errs) {
        c.reference_white = w;
    }
    if let Some(m) = whole(&raw.max_luminance, "max_luminance", 100..=10_000, errs) {
        c.max_luminance = m;
    }
    if let Some(v) = &raw.max_cll {
        c.content_light = content_light(src, v, errs);
    }
    c
}

/// `max_cll`: "measure", or `[MaxCLL, MaxFALL]` in cd/m².
fn content_light(
    src: &SourceText,
    v: &Spanned<toml::Value>,
    errs: &mut Diagnostics,
) -> ContentLight {
    let given = match v.get_ref() {
        toml::Value::String(s) if s == "measure" => return ContentLight::Measure,
        toml::Value::Array(a) => match a.as_slice() {
            [toml::Value::Integer(cll), toml::Value::Integer(fall)]
                if (1..=10_000).contains(cll) && (1..=*cll).contains(fall) =>
            {
                Some((*cll as u32, *fall as u32))
            }
            _ => None,
        },
        _ => None,
    };
    match given {
        Some((max_cll, max_fall)) => ContentLight::Given { max_cll, max_fall },
        None => {
            errs.push(
                src.at(
                    &v.span(),
                    "invalid max_cll (expected \"measure\" or [MaxCLL, MaxFALL] in cd/m², \
                     MaxFALL no more than MaxCLL, up to 10000)",
                )
                .key("max_cll"),
            );
            ContentLight::Measure
        }
    }
}

/// A clip's `color = { transfer, primaries, matrix, range }`.
pub(super) fn clip_colour(src: &SourceText, c: &RawClipColor, errs: &mut Diagnostics) -> Override {
    Override {
        transfer: name(
            src,
            &c.transfer,
            "transfer",
            Transfer::parse,
            Transfer::NAMES,
            errs,
        ),
        primaries: name(
            src,
            &c.primaries,
            "primaries",
            Primaries::parse,
            Primaries::NAMES,
            errs,
        ),
        matrix: name(src, &c.matrix, "matrix", Matrix::parse, Matrix::NAMES, errs),
        range: name(src, &c.range, "range", Range::parse, Range::NAMES, errs),
    }
}

/// A key naming one of a few values.
fn name<T>(
    src: &SourceText,
    v: &Option<Spanned<String>>,
    key: &str,
    parse: fn(&str) -> Option<T>,
    names: &str,
    errs: &mut Diagnostics,
) -> Option<T> {
    let v = v.as_ref()?;
    let found = parse(v.get_ref());
    if found.is_none() {
        errs.push(
            src.at(
                &v.span(),
                format!(
                    "unknown {key} \"{}\" (expected one of: {names})",
                    v.get_ref()
                ),
            )
            .key(key),
        );
    }
    found
}
