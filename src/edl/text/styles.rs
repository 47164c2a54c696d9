//! `[fonts]` and `[styles.NAME]` checked, and the colours and alignments
//! other graphics tables share with styles.

use super::raw::{RawFonts, RawStyle};
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
        let span = raw.span();
        let (line, _) = src.line_col(span.start);
        let mut s = styles.get(&name).cloned().unwrap_or_else(|| Style {
            name: name.clone(),
            backing: None,
            slide: None,
            margin: 0.05,
            ..base.clone()
        });
        s.line = line;
        s.spans = Spans::new(span);
        let r = raw.into_inner();
        s.spans.add(src, "font", &r.font);
        let mut local = Diagnostics::default();
        if let Some(f) = &r.font {
            s.font = f.get_ref().clone();
        }
        if let Some(b) = r.bold {
            s.bold = b;
        }
        let frac = |v: &Option<Spanned<f64>>, key, d, max, e: &mut Diagnostics| {
            syntax::number(src, v, key, d, 0.0..=max, e)
        };
        s.size = frac(&r.size, "size", s.size, 1.0, &mut local);
        if s.size < 0.005 {
            if let Some(v) = &r.size {
                local.push(src.at(
                    &v.span(),
                    "`size` is too small to read (at least 0.005 of the height)",
                ));
            }
        }
        s.opacity = frac(&r.opacity, "opacity", s.opacity, 1.0, &mut local);
        s.outline = frac(&r.outline, "outline", s.outline, 0.1, &mut local);
        s.shadow = frac(&r.shadow, "shadow", s.shadow, 0.1, &mut local);
        s.margin = frac(&r.margin, "margin", s.margin, 0.45, &mut local);
        s.color = colour(src, &r.color, "color", s.color, &mut local);
        s.outline_color = colour(
            src,
            &r.outline_color,
            "outline_color",
            s.outline_color,
            &mut local,
        );
        if let Some(b) = &r.backing {
            let old = s.backing.unwrap_or(Backing {
                color: [0, 0, 0],
                opacity: 0.55,
                padding: 0.012,
            });
            let rb = b.get_ref();
            s.backing = Some(Backing {
                color: colour(src, &rb.color, "color", old.color, &mut local),
                opacity: frac(&rb.opacity, "opacity", old.opacity, 1.0, &mut local),
                padding: frac(&rb.padding, "padding", old.padding, 0.2, &mut local),
            });
        }
        if let Some(a) = &r.align {
            s.align = align(src, a, &mut local);
        }
        if r.fade_in.is_some() {
            s.fade_in = seconds(src, &r.fade_in, "fade_in", &mut local);
        }
        if r.fade_out.is_some() {
            s.fade_out = seconds(src, &r.fade_out, "fade_out", &mut local);
        }
        for (v, key) in [(&r.fade_in, "fade_in"), (&r.fade_out, "fade_out")] {
            if let Some(v) = v {
                let x = if key == "fade_in" {
                    s.fade_in
                } else {
                    s.fade_out
                };
                if x < Ratio::from_integer(0) {
                    local.push(src.at(&v.span(), format!("`{key}` cannot be negative")));
                }
            }
        }
        if let Some(sl) = &r.slide {
            s.slide = match sl.get_ref().as_str() {
                "left" => Some(Slide::Left),
                "right" => Some(Slide::Right),
                "up" => Some(Slide::Up),
                "down" => Some(Slide::Down),
                "none" => None,
                other => {
                    local.push(
                        src.at(
                            &sl.span(),
                            format!("unknown slide \"{other}\" (expected left, right, up, down or none)"),
                        )
                        .key("slide"),
                    );
                    None
                }
            };
        }
        for d in local.0 {
            errs.push(d.about("styles", 0, &name, line).table(s.spans.table));
        }
        styles.insert(name, s);
    }
    for s in styles.values_mut() {
        if s.font.is_empty() {
            s.font = fonts.default.clone();
        }
    }
    styles
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
