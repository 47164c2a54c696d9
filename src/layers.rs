//! On-screen graphics, laid out frame-exactly: text layers, cards' titles,
//! burned-in captions and image overlays. Pure: the planner's timeline,
//! the fonts and the caption cues in, [`Layers`] out, and the ASS script
//! libass draws a segment's text from. No FFmpeg calls.
//!
//! Rules (see `docs/edl.md`):
//! - a layer shows on output frames `round(start*fps) <= n < round(end*fps)`;
//! - frame `j` of an `n`-frame fade has weight `(j+1)/(n+1)`, as video fades;
//! - every text is placed here, once for its whole life, so that where it
//!   sits never depends on where segments are cut: texts in the same
//!   bottom (or top) row that are on screen together stack, captions above
//!   the others, later cues above earlier ones;
//! - the script counts frames: one centisecond of script time per frame,
//!   counted from the segment's first frame, so every event starts and ends
//!   exactly on its frames whatever the frame rate.

use crate::captions::{self, Cue};
use crate::edl::text::{short, Sidecar, Slide, Style};
use crate::edl::Edl;
use crate::error::{Diagnostic, Diagnostics};
use crate::fonts::FontSet;
use crate::time::{self, Clock, Ratio};
use std::fmt::Write as _;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

/// What the layers need to know about the planned timeline.
#[derive(Debug, Clone)]
pub struct Timeline {
    pub fps: Ratio,
    pub width: u32,
    pub height: u32,
    pub frames: u64,
    /// Each clip's timeline frames, in EDL order.
    pub clips: Vec<Range<u64>>,
    /// Each voiceover's placement, in EDL order (`None` if it has none).
    pub voiceovers: Vec<Option<VoiceWindow>>,
}

/// A voiceover's source window `start..end` placed at timeline second `at`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VoiceWindow {
    pub at: Ratio,
    pub start: Ratio,
    pub end: Ratio,
}

/// A caption file read and parsed (by the caller, which does the reading).
#[derive(Debug, Clone)]
pub struct CueFile {
    pub cues: Vec<Cue>,
}

/// An overlay image's size, read by the caller.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImageSize {
    pub width: u32,
    pub height: u32,
    /// Sample aspect ratio.
    pub sar: Ratio,
}

/// Everything drawn over the pictures.
#[derive(Debug, Clone, Default)]
pub struct Layers {
    pub fonts: Arc<FontSet>,
    /// The fonts' fingerprint, for the cache keys of segments with text.
    pub fonts_print: String,
    /// In drawing order: later layers draw on top.
    pub items: Vec<Layer>,
    /// Captions to embed or write beside the output, one track per language.
    pub tracks: Vec<Track>,
    /// Caption lint findings (`reel check --strict` makes them errors).
    pub warnings: Vec<Diagnostic>,
}

/// One layer placed on the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// "text 3 (\"Sacred Games\")", for listings.
    pub label: String,
    /// Timeline frames it shows on.
    pub frames: Range<u64>,
    /// The clip (0-based) it is drawn onto before transitions, if attached.
    pub owner: Option<usize>,
    /// Frames of its fade in and out.
    pub fade_in: u64,
    pub fade_out: u64,
    pub draw: Draw,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Draw {
    Text(Box<TextDraw>),
    Image(ImageDraw),
}

/// Text with its font runs and its place, in output pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct TextDraw {
    /// Lines, each a list of (family, text) runs.
    pub lines: Vec<Vec<(String, String)>>,
    pub style: Style,
    /// Anchor point (the corner or edge `align` names).
    pub x: i64,
    pub y: i64,
    /// Pixels it comes in from (slide), at the first fade frame.
    pub slide: (i64, i64),
}

/// An image scaled to `width`x`height` with its top-left corner at `x,y`.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageDraw {
    pub source: PathBuf,
    pub width: u32,
    pub height: u32,
    pub x: i64,
    pub y: i64,
    pub opacity: f64,
}

/// Captions of one language, on the output timeline, in frames.
#[derive(Debug, Clone, PartialEq)]
pub struct Track {
    pub language: String,
    pub embed: bool,
    pub sidecar: Vec<Sidecar>,
    /// (frames, text), sorted by start.
    pub cues: Vec<(Range<u64>, String)>,
}

impl Layer {
    /// The fade weight of timeline frame `k` (1 outside fades).
    pub fn weight(&self, k: u64) -> Ratio {
        let (a, b) = (self.frames.start, self.frames.end);
        let mut w = Ratio::from_integer(1);
        if k < a + self.fade_in {
            w = w.min(Ratio::new((k - a + 1) as i64, (self.fade_in + 1) as i64));
        }
        if k + self.fade_out >= b {
            w = w.min(Ratio::new((b - k) as i64, (self.fade_out + 1) as i64));
        }
        w
    }

    pub fn is_text(&self) -> bool {
        matches!(self.draw, Draw::Text(_))
    }
}

impl Layers {
    /// Layers drawn onto clip `owner`'s pictures (`Some`) or over the
    /// composed frame (`None`) that show during `frames`, split into runs
    /// of the same kind, in drawing order.
    pub fn passes(&self, owner: Option<usize>, frames: &Range<u64>) -> Vec<Vec<&Layer>> {
        let mut out: Vec<Vec<&Layer>> = Vec::new();
        for l in self.items.iter().filter(|l| {
            l.owner == owner && l.frames.start < frames.end && frames.start < l.frames.end
        }) {
            match out.last_mut() {
                Some(run) if run[0].is_text() && l.is_text() => run.push(l),
                _ => out.push(vec![l]),
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.tracks.is_empty()
    }
}

/// Places every layer. `cue_files` follows `edl.captions`, `images`
/// follows `edl.overlays`.
pub fn build(
    edl: &Edl,
    timeline: &Timeline,
    fonts: Arc<FontSet>,
    cue_files: &[CueFile],
    images: &[ImageSize],
) -> Result<Layers, Diagnostics> {
    let mut errs = Diagnostics::default();
    check_fonts(edl, &fonts, &mut errs);
    let t = timeline;
    let fps = t.fps;
    let frame = |s: Ratio| time::round(s * fps).max(0) as u64;
    let fade = |secs: Ratio, len: u64| (frame(secs)).min(len / 2);
    let h = t.height as f64;
    let mut items: Vec<(Layer, usize)> = Vec::new(); // (layer, stacking rank)

    // Cards: their title over the whole card.
    for (i, c) in edl.clips.iter().enumerate() {
        let Some(card) = &c.card else { continue };
        let Some(text) = &card.text else { continue };
        let range = t.clips[i].clone();
        let style = &edl.styles[&card.style];
        let lines = match shape(&fonts, text, style) {
            Ok(l) => l,
            Err(ch) => {
                errs.push(
                    uncovered(edl, &fonts, ch, &style.font, (&c.spans, "card"))
                        .clip(c.number, "card", c.line),
                );
                continue;
            }
        };
        let len = range.end - range.start;
        items.push((
            Layer {
                label: format!("card {} title", c.number),
                fade_in: fade(style.fade_in, len),
                fade_out: fade(style.fade_out, len),
                frames: range,
                owner: Some(i),
                draw: Draw::Text(Box::new(text_draw(lines, style, t, &fonts))),
            },
            0,
        ));
    }

    // [[text]] and [[overlay]] in file order.
    let mut declared: Vec<(usize, Layer)> = Vec::new();
    for x in &edl.texts {
        let style = &edl.styles[&x.style];
        let Some(frames) = span_of(
            edl,
            t,
            x.clip,
            x.at,
            x.duration,
            &x.spans,
            &mut errs,
            || format!("text {}", x.number),
        ) else {
            continue;
        };
        let lines = match shape(&fonts, &x.text, style) {
            Ok(l) => l,
            Err(ch) => {
                errs.push(
                    uncovered(edl, &fonts, ch, &style.font, (&x.spans, "text")).about(
                        "text",
                        x.number,
                        &short(&x.text),
                        x.line,
                    ),
                );
                continue;
            }
        };
        let len = frames.end - frames.start;
        declared.push((
            x.line,
            Layer {
                label: format!("text {} {}", x.number, short(&x.text)),
                fade_in: fade(style.fade_in, len),
                fade_out: fade(style.fade_out, len),
                frames,
                owner: x.clip,
                draw: Draw::Text(Box::new(text_draw(lines, style, t, &fonts))),
            },
        ));
    }
    for (o, size) in edl.overlays.iter().zip(images) {
        let Some(frames) = span_of(
            edl,
            t,
            o.clip,
            o.at,
            o.duration,
            &o.spans,
            &mut errs,
            || format!("overlay {}", o.number),
        ) else {
            continue;
        };
        let w = even((o.width * t.width as f64).round().max(2.0));
        let aspect = size.height as f64 / (size.width as f64 * time::secs_f64(size.sar)).max(1e-9);
        let hh = even((w as f64 * aspect).round().max(2.0));
        let m = (o.margin * h).round() as i64;
        let x = match o.align.horizontal() {
            -1 => m,
            0 => (t.width as i64 - w as i64) / 2,
            _ => t.width as i64 - m - w as i64,
        };
        let y = match o.align.vertical() {
            -1 => m,
            0 => (t.height as i64 - hh as i64) / 2,
            _ => t.height as i64 - m - hh as i64,
        };
        let len = frames.end - frames.start;
        declared.push((
            o.line,
            Layer {
                label: format!("overlay {} ({})", o.number, o.source_text),
                fade_in: fade(o.fade_in, len),
                fade_out: fade(o.fade_out, len),
                frames,
                owner: o.clip,
                draw: Draw::Image(ImageDraw {
                    source: o.source.clone(),
                    width: w,
                    height: hh,
                    x: x & !1,
                    y: y & !1,
                    opacity: o.opacity,
                }),
            },
        ));
    }
    declared.sort_by_key(|(line, _)| *line);
    items.extend(declared.into_iter().map(|(_, l)| (l, 1)));

    // Captions, above everything.
    let mut tracks: Vec<Track> = Vec::new();
    let mut warnings = Vec::new();
    for (c, file) in edl.captions.iter().zip(cue_files) {
        let style = &edl.styles[&c.style];
        for w in captions::lint(&file.cues, fps, captions::max_cps(&c.language)) {
            warnings.push(Diagnostic::new(&c.source, w.message).at(w.line, 1));
        }
        let window = c
            .voiceover
            .and_then(|v| t.voiceovers.get(v).copied().flatten());
        let mut cues = Vec::new();
        for cue in &file.cues {
            let (mut a, mut b) = (cue.start, cue.end);
            if let Some(w) = window {
                if b <= w.start || a >= w.end {
                    continue;
                }
                a = w.at + (a.max(w.start) - w.start);
                b = w.at + (b.min(w.end) - w.start);
            }
            let frames = frame(a)..frame(b).min(t.frames);
            if frame(a) >= t.frames {
                errs.push(
                    Diagnostic::new(
                        &c.source,
                        format!(
                            "the cue starts at {} on the timeline, after the montage ends ({})",
                            Clock(a),
                            Clock(Ratio::from_integer(t.frames as i64) / fps)
                        ),
                    )
                    .at(cue.line, 1)
                    .about("captions", c.number, &c.source_text, c.line),
                );
                continue;
            }
            if frames.is_empty() {
                continue;
            }
            if c.burn {
                let lines = match shape(&fonts, &cue.text, style) {
                    Ok(l) => l,
                    Err(ch) => {
                        errs.push(
                            Diagnostic::new(&c.source, uncovered_message(ch, &style.font, &fonts))
                                .at(cue.line, 1)
                                .about("captions", c.number, &c.source_text, c.line),
                        );
                        continue;
                    }
                };
                let len = frames.end - frames.start;
                items.push((
                    Layer {
                        label: format!(
                            "captions {} ({}) line {}",
                            c.number, c.source_text, cue.line
                        ),
                        fade_in: fade(style.fade_in, len),
                        fade_out: fade(style.fade_out, len),
                        frames: frames.clone(),
                        owner: None,
                        draw: Draw::Text(Box::new(text_draw(lines, style, t, &fonts))),
                    },
                    2,
                ));
            }
            cues.push((frames, cue.text.clone()));
        }
        if !c.embed && c.sidecar.is_empty() {
            continue;
        }
        match tracks.iter_mut().find(|k| k.language == c.language) {
            Some(k) => {
                k.embed |= c.embed;
                for s in &c.sidecar {
                    if !k.sidecar.contains(s) {
                        k.sidecar.push(*s);
                    }
                }
                k.cues.extend(cues);
            }
            None => tracks.push(Track {
                language: c.language.clone(),
                embed: c.embed,
                sidecar: c.sidecar.clone(),
                cues,
            }),
        }
    }
    for k in &mut tracks {
        k.cues.sort_by_key(|(f, _)| (f.start, f.end));
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let mut items: Vec<Layer> = {
        // Stable: cards, then declared layers in file order, then captions.
        items.sort_by_key(|(_, rank)| *rank);
        items.into_iter().map(|(l, _)| l).collect()
    };
    stack(&mut items, t);
    Ok(Layers {
        fonts_print: fonts.fingerprint(),
        fonts,
        items,
        tracks,
        warnings,
    })
}

/// Every style's font and the default family must exist.
fn check_fonts(edl: &Edl, fonts: &FontSet, errs: &mut Diagnostics) {
    let families = fonts.families().join(", ");
    let missing = |f: &str| format!("no font of family \"{f}\" (available: {families})");
    if !fonts.has_family(&edl.fonts.default) {
        errs.push(
            edl.fonts
                .spans
                .diagnostic(&edl.file, "default", missing(&edl.fonts.default)),
        );
    }
    for s in edl.styles.values() {
        if !fonts.has_family(&s.font) && s.font != edl.fonts.default {
            let d = match s.spans.get("font") {
                Some(_) => s.spans.diagnostic(&edl.file, "font", missing(&s.font)),
                None => Diagnostic::new(&edl.file, missing(&s.font)),
            };
            errs.push(d.about("styles", 0, &s.name, s.line.max(1)));
        }
    }
}

/// The families tried for a style: its own, then every other available one.
fn chain<'a>(fonts: &'a FontSet, style: &'a Style) -> Vec<&'a str> {
    let mut c = vec![style.font.as_str()];
    c.extend(fonts.families().into_iter().filter(|f| *f != style.font));
    c
}

/// Splits text into lines of font runs; the first character no font covers.
fn shape(fonts: &FontSet, text: &str, style: &Style) -> Result<Vec<Vec<(String, String)>>, char> {
    let chain = chain(fonts, style);
    text.lines()
        .map(|l| fonts.runs(l.trim_end_matches('\r'), &chain))
        .collect()
}

fn uncovered_message(ch: char, font: &str, fonts: &FontSet) -> String {
    format!(
        "no available font has the character '{ch}' (U+{:04X}); tried \"{font}\" and then {}",
        ch as u32,
        fonts.families().join(", ")
    )
}

/// [`uncovered_message`] at an EDL key.
fn uncovered(
    edl: &Edl,
    fonts: &FontSet,
    ch: char,
    font: &str,
    key: (&crate::edl::Spans, &str),
) -> Diagnostic {
    key.0
        .diagnostic(&edl.file, key.1, uncovered_message(ch, font, fonts))
}

fn even(x: f64) -> u32 {
    ((x / 2.0).round().max(1.0) as u32) * 2
}

/// The frames a `[[text]]` or `[[overlay]]` shows on.
#[allow(clippy::too_many_arguments)]
fn span_of(
    edl: &Edl,
    t: &Timeline,
    clip: Option<usize>,
    at: Ratio,
    duration: Option<Ratio>,
    spans: &crate::edl::Spans,
    errs: &mut Diagnostics,
    what: impl Fn() -> String,
) -> Option<Range<u64>> {
    let fps = t.fps;
    let frame = |s: Ratio| time::round(s * fps).max(0) as u64;
    let (base, limit) = match clip {
        Some(c) => (t.clips[c].start, t.clips[c].end),
        None => (0, t.frames),
    };
    let start = base + frame(at);
    let end = duration.map_or(limit, |d| base + frame(at + d)).min(limit);
    if start >= limit {
        let message = match clip {
            Some(c) => format!(
                "{} starts {} into clip {}, after the clip ends ({} long)",
                what(),
                Clock(at),
                c + 1,
                Clock(Ratio::from_integer((limit - base) as i64) / fps)
            ),
            None => format!(
                "{} starts at {}, after the montage ends ({})",
                what(),
                Clock(at),
                Clock(Ratio::from_integer(t.frames as i64) / fps)
            ),
        };
        errs.push(spans.diagnostic(&edl.file, "at", message));
        return None;
    }
    if end <= start {
        return None;
    }
    Some(start..end)
}

/// Where a text's anchor sits before stacking.
fn text_draw(
    lines: Vec<Vec<(String, String)>>,
    style: &Style,
    t: &Timeline,
    fonts: &FontSet,
) -> TextDraw {
    let (w, h) = (t.width as f64, t.height as f64);
    let inset = style.margin * h + style.backing.map_or(style.outline * h, |b| b.padding * h);
    // A line wider than the frame inside its margins is drawn smaller, so
    // that it fits (a tall frame has room for fewer characters).
    let mut style = style.clone();
    let widest = lines
        .iter()
        .map(|runs| {
            runs.iter()
                .map(|(family, text)| fonts.width(family, style.bold, text, style.size * h))
                .sum::<f64>()
        })
        .fold(0.0, f64::max);
    let room = w - 2.0 * inset;
    if widest > room && room > 0.0 {
        style.size *= room / widest;
    }
    let x = match style.align.horizontal() {
        -1 => inset,
        0 => w / 2.0,
        _ => w - inset,
    };
    let y = match style.align.vertical() {
        -1 => inset,
        0 => h / 2.0,
        _ => h - inset,
    };
    let slide = match style.slide {
        None => (0.0, 0.0),
        Some(Slide::Left) => (-0.1 * w, 0.0),
        Some(Slide::Right) => (0.1 * w, 0.0),
        Some(Slide::Up) => (0.0, -0.1 * h),
        Some(Slide::Down) => (0.0, 0.1 * h),
    };
    TextDraw {
        lines,
        style,
        x: x.round() as i64,
        y: y.round() as i64,
        slide: (slide.0.round() as i64, slide.1.round() as i64),
    }
}

/// A text's height in pixels: its lines and its box or outline.
fn height(d: &TextDraw, t: &Timeline) -> i64 {
    let h = t.height as f64;
    let s = &d.style;
    let edge = s
        .backing
        .map_or(s.outline * h + s.shadow * h, |b| b.padding * h);
    (d.lines.len() as f64 * s.size * h + 2.0 * edge).ceil() as i64
}

/// Moves texts in the same top or bottom row that are on screen together
/// apart: each text goes just past the ones placed before it (earlier in
/// `items`), for its whole life. Texts attached to two different clips
/// never share the screen as such (each dissolves with its clip).
fn stack(items: &mut [Layer], t: &Timeline) {
    let gap = (0.012 * t.height as f64).round() as i64;
    for i in 0..items.len() {
        let Draw::Text(d) = &items[i].draw else {
            continue;
        };
        let row = d.style.align.vertical();
        if row == 0 {
            continue;
        }
        let mut shift = 0i64;
        for j in 0..i {
            let (a, b) = (&items[j], &items[i]);
            let Draw::Text(e) = &a.draw else { continue };
            let together = a.frames.start < b.frames.end && b.frames.start < a.frames.end;
            let separate_clips = matches!((a.owner, b.owner), (Some(x), Some(y)) if x != y);
            if !together || separate_clips || e.style.align.vertical() != row {
                continue;
            }
            // How far a's far edge is from the frame edge.
            let edge = if row > 0 {
                t.height as i64 - e.y + height(e, t)
            } else {
                e.y + height(e, t)
            };
            let mine = if row > 0 { t.height as i64 - d.y } else { d.y };
            shift = shift.max(edge + gap - mine);
        }
        if shift > 0 {
            if let Draw::Text(d) = &mut items[i].draw {
                d.y += if row > 0 { -shift } else { shift };
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The ASS script
// ---------------------------------------------------------------------------

/// The ASS script that draws `layers` (texts) over timeline frames
/// `frames`: script time is one centisecond per frame from `frames.start`.
pub fn script(layers: &[&Layer], frames: &Range<u64>, width: u32, height: u32) -> String {
    let mut s = format!(
        "[Script Info]\nScriptType: v4.00+\nPlayResX: {width}\nPlayResY: {height}\n\
         ScaledBorderAndShadow: yes\nWrapStyle: 2\nYCbCr Matrix: None\n\n\
         [V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, \
         OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, \
         Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, \
         Encoding\n\
         Style: Text,Noto Sans,40,&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,0,0,1,0,0,0,1\n\
         Style: Boxed,Noto Sans,40,&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,4,0,0,1,0,0,0,1\n\n\
         [Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
    );
    for (z, layer) in layers.iter().enumerate() {
        let Draw::Text(d) = &layer.draw else { continue };
        let a = layer.frames.start.max(frames.start);
        let b = layer.frames.end.min(frames.end);
        let mut k = a;
        while k < b {
            // Fade frames are one event each; the steady middle is one event.
            let steady_end = (layer.frames.end - layer.fade_out).min(b);
            let in_fade = k < layer.frames.start + layer.fade_in || k >= steady_end;
            let next = if in_fade { k + 1 } else { steady_end };
            let span = (k - frames.start, next - frames.start);
            event(&mut s, z, d, layer.weight(k), span, height as f64);
            k = next;
        }
    }
    s
}

/// One `Dialogue` line drawn at weight `w` over script frames `a..b`, in a
/// script `h` pixels high.
fn event(s: &mut String, z: usize, d: &TextDraw, w: Ratio, (a, b): (u64, u64), h: f64) {
    let st = &d.style;
    let w = time::secs_f64(w);
    let alpha = |opacity: f64| ((1.0 - opacity * w) * 255.0).round().clamp(0.0, 255.0) as u8;
    let bgr = |c: [u8; 3]| format!("{:02X}{:02X}{:02X}", c[2], c[1], c[0]);
    let px = |fraction: f64| format!("{:.2}", fraction * h);
    let (dx, dy) = (
        ((1.0 - w) * d.slide.0 as f64).round() as i64,
        ((1.0 - w) * d.slide.1 as f64).round() as i64,
    );
    let an = match (st.align.vertical(), st.align.horizontal()) {
        (1, -1) => 1,
        (1, 0) => 2,
        (1, _) => 3,
        (0, -1) => 4,
        (0, 0) => 5,
        (0, _) => 6,
        (_, -1) => 7,
        (_, 0) => 8,
        _ => 9,
    };
    let mut tags = format!(
        "\\an{an}\\pos({},{})\\b{}\\1c&H{}&\\1a&H{:02X}&",
        d.x + dx,
        d.y + dy,
        u8::from(st.bold),
        bgr(st.color),
        alpha(st.opacity)
    );
    let style = match st.backing {
        Some(b) => {
            let _ = write!(
                tags,
                "\\bord{}\\shad0\\3a&HFF&\\4c&H{}&\\4a&H{:02X}&",
                px(b.padding),
                bgr(b.color),
                alpha(b.opacity * st.opacity)
            );
            "Boxed"
        }
        None => {
            let _ = write!(
                tags,
                "\\bord{}\\shad{}\\3c&H{}&\\3a&H{:02X}&\\4c&H000000&\\4a&H{:02X}&",
                px(st.outline),
                px(st.shadow),
                bgr(st.outline_color),
                alpha(st.opacity),
                alpha(st.opacity * 0.6),
            );
            "Text"
        }
    };
    let _ = write!(
        s,
        "Dialogue: {z},{},{},{style},,0,0,0,,{{{tags}}}",
        cs(a),
        cs(b)
    );
    for (i, line) in d.lines.iter().enumerate() {
        if i > 0 {
            s.push_str("\\N");
        }
        for (family, text) in line {
            let _ = write!(s, "{{\\fn{family}\\fs{}}}{}", px(st.size), escape(text));
        }
    }
    s.push('\n');
}

/// Script time of frame `n`: one centisecond per frame.
fn cs(n: u64) -> String {
    format!(
        "{}:{:02}:{:02}.{:02}",
        n / 360_000,
        n / 6000 % 60,
        n / 100 % 60,
        n % 100
    )
}

/// Text as ASS shows it literally: braces escaped, a backslash kept from
/// starting an escape.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' => out.push_str("\\{"),
            '}' => out.push_str("\\}"),
            '\\' => {
                out.push('\\');
                if matches!(chars.peek(), Some('n' | 'N' | 'h' | '{' | '}')) {
                    out.push('\u{2060}');
                }
            }
            c => out.push(c),
        }
    }
    out
}
