//! `[fonts]` and `[styles.NAME]` checked, and the colours and alignments
//! other graphics tables share with styles.

use super::raw::{RawBox, RawFonts, RawStyle};
use super::{builtin_styles, Align, Backing, Fonts, Slide, Style};
use crate::edl::syntax::{self, parse_colour, seconds, SourceText, Spans};
use crate::error::Diagnostics;
use crate::time::Ratio;
use std::collections::BTreeMap;
use toml::Spanned;

pub(crate) fn fonts(src: &SourceText, raw: Option<Spanned<RawFonts>>) -> Fonts {
    let Some(raw) = raw else {
        return Fonts {
            dir: None,
            default: "Noto Sans".into(),
            spans: Spans::default(),
        };
    };
    let mut spans = Spans::new(raw.span());
    let f = raw.into_inner();
    spans.add(src, "dir", &f.dir);
    spans.add(src, "default", &f.default);
    Fonts {
        dir: f.dir.map(|d| syntax::resolve(src.file, d.get_ref())),
        default: f
            .default
            .map_or_else(|| "Noto Sans".into(), |d| d.into_inner()),
        spans,
    }
}

/// The built-in styles with the EDL's `[styles.NAME]` applied key by key;
/// a new name starts from the defaults every style shares.
pub(crate) fn styles(
    src: &SourceText,
    raw: BTreeMap<String, Spanned<RawStyle>>,
    fonts: &Fonts,
    errs: &mut Diagnostics,
) -> BTreeMap<String, Style> {
    let mut styles = builtin_styles(&fonts.default);
    let base = styles["lower_third"].clone();
    for (name, raw) in raw {
        let start = styles
            .get(&name)
            .cloned()
            .unwrap_or_else(|| new_style(&name, &base));
        let s = user_style(src, &name, raw, start, errs);
        styles.insert(name, s);
    }
    for s in styles.values_mut() {
        if s.font.is_empty() {
            s.font = fonts.default.clone();
        }
    }
    styles
}

/// What a style with a new name starts from: the lower third's look,
/// without its box and slide, at the usual margin.
fn new_style(name: &str, base: &Style) -> Style {
    Style {
        name: name.to_string(),
        backing: None,
        slide: None,
        margin: 0.05,
        ..base.clone()
    }
}

/// One `[styles.NAME]` laid over `s`, its problems named after it.
fn user_style(
    src: &SourceText,
    name: &str,
    raw: Spanned<RawStyle>,
    mut s: Style,
    errs: &mut Diagnostics,
) -> Style {
    let span = raw.span();
    let (line, _) = src.line_col(span.start);
    s.line = line;
    s.spans = Spans::new(span);
    let r = raw.into_inner();
    s.spans.add(src, "font", &r.font);
    // Each phase adds its problems in the order the keys are checked.
    let mut local = Diagnostics::default();
    letters(src, &r, &mut s, &mut local);
    if let Some(b) = &r.backing {
        s.backing = Some(backing(src, b.get_ref(), s.backing, &mut local));
    }
    if let Some(a) = &r.align {
        s.align = align(src, a, &mut local);
    }
    fades(src, &r, &mut s, &mut local);
    if let Some(sl) = &r.slide {
        s.slide = slide(src, sl, &mut local);
    }
    for d in local.0 {
        errs.push(d.about("styles", 0, name, line).table(s.spans.table));
    }
    s
}

/// An optional fraction (of the output height) from 0 to `max`.
fn fraction(
    src: &SourceText,
    v: &Option<Spanned<f64>>,
    key: &str,
    default: f64,
    max: f64,
    errs: &mut Diagnostics,
) -> f64 {
    syntax::number(src, v, key, default, 0.0..=max, errs)
}

/// The letters: font, weight, size, opacity, outline, shadow, the margin
/// around them and their colours.
fn letters(src: &SourceText, r: &RawStyle, s: &mut Style, errs: &mut Diagnostics) {
    if let Some(f) = &r.font {
        s.font = f.get_ref().clone();
    }
    if let Some(b) = r.bold {
        s.bold = b;
    }
    s.size = fraction(src, &r.size, "size", s.size, 1.0, errs);
    if s.size < 0.005 {
        if let Some(v) = &r.size {
            errs.push(src.at(
                &v.span(),
                "`size` is too small to read (at least 0.005 of the height)",
            ));
        }
    }
    s.opacity = fraction(src, &r.opacity, "opacity", s.opacity, 1.0, errs);
    s.outline = fraction(src, &r.outline, "outline", s.outline, 0.1, errs);
    s.shadow = fraction(src, &r.shadow, "shadow", s.shadow, 0.1, errs);
    s.margin = fraction(src, &r.margin, "margin", s.margin, 0.45, errs);
    s.color = colour(src, &r.color, "color", s.color, errs);
    s.outline_color = colour(
        src,
        &r.outline_color,
        "outline_color",
        s.outline_color,
        errs,
    );
}

/// `box = { color, opacity, padding }` over the style's box, or the
/// default one.
fn backing(src: &SourceText, rb: &RawBox, old: Option<Backing>, errs: &mut Diagnostics) -> Backing {
    let old = old.unwrap_or(Backing {
        color: [0, 0, 0],
        opacity: 0.55,
        padding: 0.012,
    });
    Backing {
        color: colour(src, &rb.color, "color", old.color, errs),
        opacity: fraction(src, &rb.opacity, "opacity", old.opacity, 1.0, errs),
        padding: fraction(src, &rb.padding, "padding", old.padding, 0.2, errs),
    }
}

/// `fade_in` and `fade_out`, in seconds and not negative.
fn fades(src: &SourceText, r: &RawStyle, s: &mut Style, errs: &mut Diagnostics) {
    if r.fade_in.is_some() {
        s.fade_in = seconds(src, &r.fade_in, "fade_in", errs);
    }
    if r.fade_out.is_some() {
        s.fade_out = seconds(src, &r.fade_out, "fade_out", errs);
    }
    for (v, key) in [(&r.fade_in, "fade_in"), (&r.fade_out, "fade_out")] {
        if let Some(v) = v {
            let x = if key == "fade_in" {
                s.fade_in
            } else {
                s.fade_out
            };
            if x < Ratio::from_integer(0) {
                errs.push(src.at(&v.span(), format!("`{key}` cannot be negative")));
            }
        }
    }
}

/// `slide`: the side the text comes in from, or "none".
fn slide(src: &SourceText, v: &Spanned<String>, errs: &mut Diagnostics) -> Option<Slide> {
    match v.get_ref().as_str() {
        "left" => Some(Slide::Left),
        "right" => Some(Slide::Right),
        "up" => Some(Slide::Up),
        "down" => Some(Slide::Down),
        "none" => None,
        other => {
            errs.push(
                src.at(
                    &v.span(),
                    format!("unknown slide \"{other}\" (expected left, right, up, down or none)"),
                )
                .key("slide"),
            );
            None
        }
    }
}

pub(super) fn colour(
    src: &SourceText,
    v: &Option<Spanned<String>>,
    key: &str,
    default: [u8; 3],
    errs: &mut Diagnostics,
) -> [u8; 3] {
    let Some(v) = v else { return default };
    parse_colour(v.get_ref()).unwrap_or_else(|| {
        errs.push(
            src.at(
                &v.span(),
                format!("invalid colour \"{}\" (expected #rrggbb)", v.get_ref()),
            )
            .key(key),
        );
        default
    })
}

pub(super) fn align(src: &SourceText, v: &Spanned<String>, errs: &mut Diagnostics) -> Align {
    match Align::NAMES.iter().find(|(n, _)| *n == v.get_ref()) {
        Some((_, a)) => *a,
        None => {
            let names: Vec<&str> = Align::NAMES.iter().map(|(n, _)| *n).collect();
            errs.push(
                src.at(
                    &v.span(),
                    format!(
                        "unknown alignment \"{}\" (expected one of: {})",
                        v.get_ref(),
                        names.join(", ")
                    ),
                )
                .key("align"),
            );
            Align::BottomLeft
        }
    }
}
