//! A clip's `card`, `[[text]]`, `[[captions]]` and `[[overlay]]` checked:
//! the tables that put something on the picture.

use super::raw::{RawCaptions, RawCard, RawOverlay, RawText};
use super::styles::{align, colour};
use super::{short, Align, Captions, Card, Overlay, Sidecar, Style, Text};
use crate::edl::syntax::{self, seconds, SourceText, Spans, Value};
use crate::error::Diagnostics;
use crate::time::Ratio;
use std::collections::BTreeMap;
use toml::Spanned;

/// How many clips and voiceovers there are, to check `clip = N` and
/// `voiceover = N`.
pub(crate) struct Counts {
    pub clips: usize,
    pub voiceovers: usize,
}

/// A style name that must exist.
fn style_ref(
    src: &SourceText,
    v: &Option<Spanned<String>>,
    default: &str,
    styles: &BTreeMap<String, Style>,
    errs: &mut Diagnostics,
) -> String {
    let Some(v) = v else {
        return default.to_string();
    };
    if !styles.contains_key(v.get_ref()) {
        let names: Vec<&str> = styles.keys().map(String::as_str).collect();
        errs.push(
            src.at(
                &v.span(),
                format!(
                    "no style named \"{}\" (styles: {})",
                    v.get_ref(),
                    names.join(", ")
                ),
            )
            .key("style"),
        );
    }
    v.get_ref().clone()
}

/// A 1-based `clip = N` or `voiceover = N` reference, as a 0-based index.
fn reference(
    src: &SourceText,
    v: &Option<Spanned<i64>>,
    key: &str,
    count: usize,
    errs: &mut Diagnostics,
) -> Option<usize> {
    let v = v.as_ref()?;
    let n = *v.get_ref();
    if n < 1 || n as usize > count {
        errs.push(
            src.at(
                &v.span(),
                format!("`{key} = {n}` is out of range: the EDL has {count} [[{key}]] table(s), numbered from 1"),
            )
            .key(key),
        );
        return None;
    }
    Some(n as usize - 1)
}

/// A clip's `card`.
pub(crate) fn card(
    src: &SourceText,
    raw: &Spanned<RawCard>,
    styles: &BTreeMap<String, Style>,
    errs: &mut Diagnostics,
) -> Card {
    let c = raw.get_ref();
    let clear = c
        .background
        .as_ref()
        .is_some_and(|b| b.get_ref() == "transparent");
    Card {
        text: c.text.as_ref().map(|t| t.get_ref().clone()),
        style: style_ref(src, &c.style, "title", styles, errs),
        background: match clear {
            true => [0, 0, 0],
            false => colour(src, &c.background, "background", [0, 0, 0], errs),
        },
        clear,
    }
}

pub(crate) fn texts(
    src: &SourceText,
    raw: Vec<Spanned<RawText>>,
    styles: &BTreeMap<String, Style>,
    counts: &Counts,
    errs: &mut Diagnostics,
) -> Vec<Text> {
    raw.into_iter()
        .enumerate()
        .map(|(i, raw)| {
            let span = raw.span();
            let (line, _) = src.line_col(span.start);
            let t = raw.into_inner();
            let mut spans = Spans::new(span);
            spans.add(src, "text", &Some(t.text.clone()));
            spans.add(src, "at", &t.at);
            spans.add(src, "duration", &t.duration);
            spans.add(src, "clip", &t.clip);
            let mut local = Diagnostics::default();
            let style = style_ref(src, &t.style, "lower_third", styles, &mut local);
            let clip = reference(src, &t.clip, "clip", counts.clips, &mut local);
            let (at, duration) = timing(src, &t.at, &t.duration, &mut local);
            if t.text.get_ref().trim().is_empty() {
                local.push(src.at(&t.text.span(), "the text is empty").key("text"));
            }
            let subject = short(t.text.get_ref());
            for d in local.0 {
                errs.push(d.about("text", i + 1, &subject, line).table(spans.table));
            }
            Text {
                number: i + 1,
                text: t.text.into_inner(),
                style,
                clip,
                at,
                duration,
                line,
                spans,
            }
        })
        .collect()
}

/// `at` (not negative) and `duration` (positive) of a layer.
fn timing(
    src: &SourceText,
    at: &Option<Spanned<Value>>,
    duration: &Option<Spanned<Value>>,
    errs: &mut Diagnostics,
) -> (Ratio, Option<Ratio>) {
    let a = seconds(src, at, "at", errs);
    if let Some(v) = at.as_ref().filter(|_| a < Ratio::from_integer(0)) {
        errs.push(src.at(&v.span(), "`at` cannot be negative"));
    }
    let d = duration.as_ref().map(|v| {
        let d = seconds(src, duration, "duration", errs);
        if d <= Ratio::from_integer(0) {
            errs.push(src.at(&v.span(), "`duration` must be positive"));
        }
        d
    });
    (a, d)
}

pub(crate) fn captions(
    src: &SourceText,
    raw: Vec<Spanned<RawCaptions>>,
    styles: &BTreeMap<String, Style>,
    counts: &Counts,
    errs: &mut Diagnostics,
) -> Vec<Captions> {
    raw.into_iter()
        .enumerate()
        .map(|(i, raw)| {
            let span = raw.span();
            let (line, _) = src.line_col(span.start);
            let c = raw.into_inner();
            let mut spans = Spans::new(span);
            spans.add(src, "source", &Some(c.source.clone()));
            spans.add(src, "voiceover", &c.voiceover);
            spans.add(src, "language", &c.language);
            let mut local = Diagnostics::default();
            let style = style_ref(src, &c.style, "caption", styles, &mut local);
            let voiceover = reference(src, &c.voiceover, "voiceover", counts.voiceovers, &mut local);
            let language = match &c.language {
                None => "und".to_string(),
                Some(l) => {
                    let code = l.get_ref();
                    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_lowercase()) {
                        local.push(
                            src.at(
                                &l.span(),
                                format!("invalid language \"{code}\" (expected an ISO 639-2 code of three lowercase letters, such as \"hin\" or \"eng\")"),
                            )
                            .key("language"),
                        );
                    }
                    code.clone()
                }
            };
            let mut sidecar = Vec::new();
            if let Some(list) = &c.sidecar {
                for s in list.get_ref() {
                    match s.as_str() {
                        "srt" => sidecar.push(Sidecar::Srt),
                        "vtt" => sidecar.push(Sidecar::Vtt),
                        other => local.push(
                            src.at(
                                &list.span(),
                                format!("unknown sidecar format \"{other}\" (expected \"srt\" or \"vtt\")"),
                            )
                            .key("sidecar"),
                        ),
                    }
                }
            }
            let source_text = c.source.get_ref().clone();
            if crate::captions::Format::from_path(std::path::Path::new(&source_text)).is_none() {
                local.push(
                    src.at(
                        &c.source.span(),
                        format!("\"{source_text}\" is not a caption file reel reads (expected .srt or .vtt)"),
                    )
                    .key("source"),
                );
            }
            for d in local.0 {
                errs.push(d.about("captions", i + 1, &source_text, line).table(spans.table));
            }
            Captions {
                number: i + 1,
                source: syntax::resolve(src.file, &source_text),
                source_text,
                voiceover,
                language,
                style,
                burn: c.burn.unwrap_or(true),
                embed: c.embed.unwrap_or(false),
                sidecar,
                line,
                spans,
            }
        })
        .collect()
}

pub(crate) fn overlays(
    src: &SourceText,
    raw: Vec<Spanned<RawOverlay>>,
    counts: &Counts,
    errs: &mut Diagnostics,
) -> Vec<Overlay> {
    raw.into_iter()
        .enumerate()
        .map(|(i, raw)| {
            let span = raw.span();
            let (line, _) = src.line_col(span.start);
            let o = raw.into_inner();
            let mut spans = Spans::new(span);
            spans.add(src, "source", &Some(o.source.clone()));
            spans.add(src, "at", &o.at);
            spans.add(src, "duration", &o.duration);
            spans.add(src, "clip", &o.clip);
            let mut local = Diagnostics::default();
            let clip = reference(src, &o.clip, "clip", counts.clips, &mut local);
            let (at, duration) = timing(src, &o.at, &o.duration, &mut local);
            let width = syntax::number(src, &o.width, "width", 0.12, 0.001..=1.0, &mut local);
            let margin = syntax::number(src, &o.margin, "margin", 0.04, 0.0..=0.45, &mut local);
            let opacity = syntax::number(src, &o.opacity, "opacity", 1.0, 0.0..=1.0, &mut local);
            let align = o
                .align
                .as_ref()
                .map_or(Align::TopRight, |a| align(src, a, &mut local));
            let fade_in = seconds(src, &o.fade_in, "fade_in", &mut local);
            let fade_out = seconds(src, &o.fade_out, "fade_out", &mut local);
            let source_text = o.source.get_ref().clone();
            for d in local.0 {
                errs.push(
                    d.about("overlay", i + 1, &source_text, line)
                        .table(spans.table),
                );
            }
            Overlay {
                number: i + 1,
                source: syntax::resolve(src.file, &source_text),
                source_text,
                clip,
                at,
                duration,
                width,
                align,
                margin,
                opacity,
                fade_in,
                fade_out,
                line,
                spans,
            }
        })
        .collect()
}
