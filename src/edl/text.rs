//! The EDL's graphics tables: `[fonts]`, `[styles.NAME]`, a clip's `card`,
//! `[[text]]`, `[[captions]]` and `[[overlay]]` (see `docs/edl.md`).
//! Checks that need no media or font files happen here; font families and
//! coverage are checked by the `layers` stage once the fonts are read.

use crate::edl::syntax::{self, parse_colour, seconds, SourceText, Spans, Value};
use crate::error::Diagnostics;
use crate::time::Ratio;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use toml::Spanned;

// ---------------------------------------------------------------------------
// Raw serde types
// ---------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFonts {
    dir: Option<Spanned<String>>,
    default: Option<Spanned<String>>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStyle {
    font: Option<Spanned<String>>,
    bold: Option<bool>,
    size: Option<Spanned<f64>>,
    color: Option<Spanned<String>>,
    opacity: Option<Spanned<f64>>,
    outline: Option<Spanned<f64>>,
    outline_color: Option<Spanned<String>>,
    shadow: Option<Spanned<f64>>,
    #[serde(rename = "box")]
    backing: Option<Spanned<RawBox>>,
    align: Option<Spanned<String>>,
    margin: Option<Spanned<f64>>,
    fade_in: Option<Spanned<Value>>,
    fade_out: Option<Spanned<Value>>,
    slide: Option<Spanned<String>>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBox {
    color: Option<Spanned<String>>,
    opacity: Option<Spanned<f64>>,
    padding: Option<Spanned<f64>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCard {
    text: Option<Spanned<String>>,
    style: Option<Spanned<String>>,
    background: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawText {
    text: Spanned<String>,
    style: Option<Spanned<String>>,
    clip: Option<Spanned<i64>>,
    at: Option<Spanned<Value>>,
    duration: Option<Spanned<Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCaptions {
    source: Spanned<String>,
    voiceover: Option<Spanned<i64>>,
    language: Option<Spanned<String>>,
    style: Option<Spanned<String>>,
    burn: Option<bool>,
    embed: Option<bool>,
    sidecar: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOverlay {
    source: Spanned<String>,
    clip: Option<Spanned<i64>>,
    at: Option<Spanned<Value>>,
    duration: Option<Spanned<Value>>,
    width: Option<Spanned<f64>>,
    align: Option<Spanned<String>>,
    margin: Option<Spanned<f64>>,
    opacity: Option<Spanned<f64>>,
    fade_in: Option<Spanned<Value>>,
    fade_out: Option<Spanned<Value>>,
}

// ---------------------------------------------------------------------------
// Resolved types
// ---------------------------------------------------------------------------

/// `[fonts]`: an extra font directory and the family that draws text whose
/// style names none.
#[derive(Debug, Clone, PartialEq)]
pub struct Fonts {
    pub dir: Option<PathBuf>,
    pub default: String,
    pub spans: Spans,
}

/// Where a layer sits in the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    TopLeft,
    Top,
    TopRight,
    Left,
    Center,
    Right,
    BottomLeft,
    Bottom,
    BottomRight,
}

impl Align {
    const NAMES: [(&'static str, Align); 9] = [
        ("top-left", Align::TopLeft),
        ("top", Align::Top),
        ("top-right", Align::TopRight),
        ("left", Align::Left),
        ("center", Align::Center),
        ("right", Align::Right),
        ("bottom-left", Align::BottomLeft),
        ("bottom", Align::Bottom),
        ("bottom-right", Align::BottomRight),
    ];

    /// -1 left, 0 centre, 1 right.
    pub fn horizontal(self) -> i8 {
        match self {
            Align::TopLeft | Align::Left | Align::BottomLeft => -1,
            Align::Top | Align::Center | Align::Bottom => 0,
            _ => 1,
        }
    }

    /// -1 top, 0 middle, 1 bottom.
    pub fn vertical(self) -> i8 {
        match self {
            Align::TopLeft | Align::Top | Align::TopRight => -1,
            Align::Left | Align::Center | Align::Right => 0,
            _ => 1,
        }
    }
}

/// A backing box behind text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backing {
    pub color: [u8; 3],
    pub opacity: f64,
    /// Fraction of the output height between the text and the box's edge.
    pub padding: f64,
}

/// Entry motion: the side the layer comes in from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slide {
    Left,
    Right,
    Up,
    Down,
}

/// A named text style. Sizes are fractions of the output height.
#[derive(Debug, Clone, PartialEq)]
pub struct Style {
    pub name: String,
    /// Family name among the available fonts.
    pub font: String,
    pub bold: bool,
    /// Line height.
    pub size: f64,
    pub color: [u8; 3],
    pub opacity: f64,
    pub outline: f64,
    pub outline_color: [u8; 3],
    pub shadow: f64,
    pub backing: Option<Backing>,
    pub align: Align,
    pub margin: f64,
    pub fade_in: Ratio,
    pub fade_out: Ratio,
    pub slide: Option<Slide>,
    /// Where `[styles.NAME]` is, for a user style (empty for a built-in one).
    pub spans: Spans,
    pub line: usize,
}

/// A clip whose picture is generated: a colour, and optionally a title.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub text: Option<String>,
    pub style: String,
    pub background: [u8; 3],
}

/// A `[[text]]` layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub number: usize,
    pub text: String,
    pub style: String,
    /// Attached to this clip (0-based index into the clips).
    pub clip: Option<usize>,
    /// Seconds from the clip's first frame, or timeline seconds.
    pub at: Ratio,
    /// Seconds on screen; `None` is to the end of the clip or the montage.
    pub duration: Option<Ratio>,
    pub line: usize,
    pub spans: Spans,
}

/// Sidecar caption formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sidecar {
    Srt,
    Vtt,
}

impl Sidecar {
    pub fn extension(self) -> &'static str {
        match self {
            Sidecar::Srt => "srt",
            Sidecar::Vtt => "vtt",
        }
    }
}

/// A `[[captions]]` file.
#[derive(Debug, Clone, PartialEq)]
pub struct Captions {
    pub number: usize,
    pub source: PathBuf,
    pub source_text: String,
    /// Cue times are the source times of this voiceover (0-based index).
    pub voiceover: Option<usize>,
    /// ISO 639-2 code.
    pub language: String,
    pub style: String,
    pub burn: bool,
    pub embed: bool,
    pub sidecar: Vec<Sidecar>,
    pub line: usize,
    pub spans: Spans,
}

/// An `[[overlay]]` image layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    pub number: usize,
    pub source: PathBuf,
    pub source_text: String,
    pub clip: Option<usize>,
    pub at: Ratio,
    pub duration: Option<Ratio>,
    /// Fraction of the output width.
    pub width: f64,
    pub align: Align,
    pub margin: f64,
    pub opacity: f64,
    pub fade_in: Ratio,
    pub fade_out: Ratio,
    pub line: usize,
    pub spans: Spans,
}

/// The built-in styles, before an EDL's `[styles.NAME]` changes them.
pub fn builtin_styles(default_font: &str) -> BTreeMap<String, Style> {
    let base = Style {
        name: String::new(),
        font: default_font.to_string(),
        bold: false,
        size: 0.045,
        color: [255, 255, 255],
        opacity: 1.0,
        outline: 0.002,
        outline_color: [0, 0, 0],
        shadow: 0.0,
        backing: None,
        align: Align::BottomLeft,
        margin: 0.05,
        fade_in: Ratio::new(1, 4),
        fade_out: Ratio::new(1, 4),
        slide: None,
        spans: Spans::default(),
        line: 0,
    };
    let title = Style {
        name: "title".into(),
        bold: true,
        size: 0.075,
        outline: 0.0,
        align: Align::Center,
        fade_in: Ratio::new(1, 2),
        fade_out: Ratio::new(1, 2),
        ..base.clone()
    };
    let lower_third = Style {
        name: "lower_third".into(),
        outline: 0.0,
        backing: Some(Backing {
            color: [0, 0, 0],
            opacity: 0.55,
            padding: 0.012,
        }),
        margin: 0.08,
        slide: Some(Slide::Left),
        ..base.clone()
    };
    let caption = Style {
        name: "caption".into(),
        size: 0.05,
        outline: 0.0025,
        align: Align::Bottom,
        fade_in: Ratio::from_integer(0),
        fade_out: Ratio::from_integer(0),
        ..base.clone()
    };
    [title, lower_third, caption]
        .into_iter()
        .map(|s| (s.name.clone(), s))
        .collect()
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

/// What [`super::validate`] needs to check references.
pub(super) struct Counts {
    pub clips: usize,
    pub voiceovers: usize,
}

pub(super) fn fonts(src: &SourceText, raw: Option<Spanned<RawFonts>>) -> Fonts {
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
pub(super) fn styles(
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

fn colour(
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

fn align(src: &SourceText, v: &Spanned<String>, errs: &mut Diagnostics) -> Align {
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
pub(super) fn card(
    src: &SourceText,
    raw: &Spanned<RawCard>,
    styles: &BTreeMap<String, Style>,
    errs: &mut Diagnostics,
) -> Card {
    let c = raw.get_ref();
    Card {
        text: c.text.as_ref().map(|t| t.get_ref().clone()),
        style: style_ref(src, &c.style, "title", styles, errs),
        background: colour(src, &c.background, "background", [0, 0, 0], errs),
    }
}

pub(super) fn texts(
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

/// The start of a text, quoted, for messages.
pub fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    let mut s: String = line.chars().take(24).collect();
    if s.chars().count() < text.chars().count() {
        s.push('…');
    }
    format!("\"{s}\"")
}

pub(super) fn captions(
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

pub(super) fn overlays(
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
