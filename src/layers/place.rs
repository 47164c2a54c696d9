//! Placing every layer on the timeline: cards' titles, `[[text]]` and
//! `[[overlay]]` layers, caption tracks (burned in or not), then stacking
//! the texts that share a row. Every problem found is reported together.

use super::model::{
    CueFile, Draw, Graphics, ImageDraw, ImageSize, Layer, Layers, TextDraw, Timeline, Track,
};
use crate::captions;
use crate::edl::text::{short, Captions, Slide, Style};
use crate::edl::{Edl, Spans};
use crate::error::{Diagnostic, Diagnostics};
use crate::fonts::FontSet;
use crate::time::{self, Clock, Ratio};
use std::ops::Range;
use std::sync::Arc;

/// Where a layer is stacked: cards' titles under the declared layers
/// (`[[text]]` and `[[overlay]]`, in file order) under burned-in captions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Card,
    Declared,
    Caption,
}

/// Places every layer, from what `graphics` holds.
pub fn build(edl: &Edl, timeline: &Timeline, graphics: &Graphics) -> Result<Layers, Diagnostics> {
    let fonts = Arc::clone(&graphics.fonts);
    let mut p = Placer {
        edl,
        t: timeline,
        fonts: &fonts,
        errs: Diagnostics::default(),
        items: Vec::new(),
    };
    check_fonts(edl, &fonts, &mut p.errs);
    p.cards();
    let mut declared = p.texts();
    declared.extend(p.overlays(&graphics.images));
    declared.sort_by_key(|(line, _)| *line);
    p.items
        .extend(declared.into_iter().map(|(_, l)| (l, Rank::Declared)));
    let (tracks, warnings) = p.captions(&graphics.cue_files);
    if !p.errs.is_empty() {
        return Err(p.errs);
    }
    let items = p.stacked();
    Ok(Layers {
        fonts_print: fonts.fingerprint(),
        fonts,
        items,
        tracks,
        warnings,
    })
}

/// The layers placed so far, and the problems found.
struct Placer<'a> {
    edl: &'a Edl,
    t: &'a Timeline,
    fonts: &'a FontSet,
    errs: Diagnostics,
    items: Vec<(Layer, Rank)>,
}

impl Placer<'_> {
    /// The output frame at `s` seconds.
    fn frame(&self, s: Ratio) -> u64 {
        time::round(s * self.t.fps).max(0) as u64
    }

    /// A fade of `secs` in frames, at most half of a layer `len` long.
    fn fade(&self, secs: Ratio, len: u64) -> u64 {
        self.frame(secs).min(len / 2)
    }

    /// A text layer of `lines` in `style`, on `frames`.
    fn text_layer(
        &self,
        label: String,
        frames: Range<u64>,
        owner: Option<usize>,
        style: &Style,
        lines: Vec<Vec<(String, String)>>,
    ) -> Layer {
        let len = frames.end - frames.start;
        Layer {
            label,
            fade_in: self.fade(style.fade_in, len),
            fade_out: self.fade(style.fade_out, len),
            frames,
            owner,
            draw: Draw::Text(Box::new(text_draw(lines, style, self.t, self.fonts))),
        }
    }

    /// Cards: their title over the whole card.
    fn cards(&mut self) {
        let edl = self.edl;
        for (i, c) in edl.clips.iter().enumerate() {
            let Some(card) = c.source.card() else {
                continue;
            };
            let Some(text) = &card.text else { continue };
            let style = &edl.styles[&card.style];
            let lines = match shape(self.fonts, text, style) {
                Ok(l) => l,
                Err(ch) => {
                    self.errs.push(
                        uncovered(edl, self.fonts, ch, &style.font, (&c.spans, "card"))
                            .clip(c.number, "card", c.line),
                    );
                    continue;
                }
            };
            let label = format!("card {} title", c.number);
            let layer = self.text_layer(label, self.t.clips[i].clone(), Some(i), style, lines);
            self.items.push((layer, Rank::Card));
        }
    }

    /// `[[text]]` layers, each with its line in the EDL.
    fn texts(&mut self) -> Vec<(usize, Layer)> {
        let edl = self.edl;
        let mut out = Vec::new();
        for x in &edl.texts {
            let style = &edl.styles[&x.style];
            let what = || format!("text {}", x.number);
            let Some(frames) = self.span_of(x.clip, x.at, x.duration, &x.spans, what) else {
                continue;
            };
            let lines = match shape(self.fonts, &x.text, style) {
                Ok(l) => l,
                Err(ch) => {
                    self.errs.push(
                        uncovered(edl, self.fonts, ch, &style.font, (&x.spans, "text")).about(
                            "text",
                            x.number,
                            &short(&x.text),
                            x.line,
                        ),
                    );
                    continue;
                }
            };
            let label = format!("text {} {}", x.number, short(&x.text));
            out.push((x.line, self.text_layer(label, frames, x.clip, style, lines)));
        }
        out
    }

    /// `[[overlay]]` images, each with its line in the EDL, scaled to
    /// their share of the frame's width and placed at their corner or edge.
    fn overlays(&mut self, images: &[ImageSize]) -> Vec<(usize, Layer)> {
        let (edl, t) = (self.edl, self.t);
        let mut out = Vec::new();
        for (o, size) in edl.overlays.iter().zip(images) {
            let what = || format!("overlay {}", o.number);
            let Some(frames) = self.span_of(o.clip, o.at, o.duration, &o.spans, what) else {
                continue;
            };
            let w = even((o.width * t.width as f64).round().max(2.0));
            let aspect =
                size.height as f64 / (size.width as f64 * time::secs_f64(size.sar)).max(1e-9);
            let hh = even((w as f64 * aspect).round().max(2.0));
            let m = (o.margin * t.height as f64).round() as i64;
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
            let layer = Layer {
                label: format!("overlay {} ({})", o.number, o.source_text),
                fade_in: self.fade(o.fade_in, len),
                fade_out: self.fade(o.fade_out, len),
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
            };
            out.push((o.line, layer));
        }
        out
    }

    /// Captions: each file's lint findings, its cues on the timeline (the
    /// burned-in ones as layers above everything), and the tracks to embed
    /// or write beside the output, one per language.
    fn captions(&mut self, cue_files: &[CueFile]) -> (Vec<Track>, Vec<Diagnostic>) {
        let mut tracks: Vec<Track> = Vec::new();
        let mut warnings = Vec::new();
        for (c, file) in self.edl.captions.iter().zip(cue_files) {
            let limit = captions::max_cps(&c.language);
            for w in captions::lint(&file.cues, self.t.fps, limit) {
                warnings.push(Diagnostic::new(&c.source, w.message).at(w.line, 1));
            }
            let cues = self.cues(c, file);
            if !c.embed && c.sidecar.is_empty() {
                continue;
            }
            merge_track(&mut tracks, c, cues);
        }
        for k in &mut tracks {
            k.cues.sort_by_key(|(f, _)| (f.start, f.end));
        }
        (tracks, warnings)
    }

    /// One caption file's cues on the timeline (a voiceover's captions
    /// follow its window), burned in if asked: (frames, text).
    fn cues(&mut self, c: &Captions, file: &CueFile) -> Vec<(Range<u64>, String)> {
        let (edl, t, fps) = (self.edl, self.t, self.t.fps);
        let style = &edl.styles[&c.style];
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
            let frames = self.frame(a)..self.frame(b).min(t.frames);
            if self.frame(a) >= t.frames {
                self.errs.push(
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
                let lines = match shape(self.fonts, &cue.text, style) {
                    Ok(l) => l,
                    Err(ch) => {
                        self.errs.push(
                            Diagnostic::new(
                                &c.source,
                                uncovered_message(ch, &style.font, self.fonts),
                            )
                            .at(cue.line, 1)
                            .about(
                                "captions",
                                c.number,
                                &c.source_text,
                                c.line,
                            ),
                        );
                        continue;
                    }
                };
                let label = format!(
                    "captions {} ({}) line {}",
                    c.number, c.source_text, cue.line
                );
                let layer = self.text_layer(label, frames.clone(), None, style, lines);
                self.items.push((layer, Rank::Caption));
            }
            cues.push((frames, cue.text.clone()));
        }
        cues
    }

    /// The frames a `[[text]]` or `[[overlay]]` shows on.
    fn span_of(
        &mut self,
        clip: Option<usize>,
        at: Ratio,
        duration: Option<Ratio>,
        spans: &Spans,
        what: impl Fn() -> String,
    ) -> Option<Range<u64>> {
        let (t, fps) = (self.t, self.t.fps);
        let (base, limit) = match clip {
            Some(c) => (t.clips[c].start, t.clips[c].end),
            None => (0, t.frames),
        };
        let start = base + self.frame(at);
        let end = duration
            .map_or(limit, |d| base + self.frame(at + d))
            .min(limit);
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
            self.errs
                .push(spans.diagnostic(&self.edl.file, "at", message));
            return None;
        }
        if end <= start {
            return None;
        }
        Some(start..end)
    }

    /// The layers in drawing order (stable: cards, then declared layers in
    /// file order, then captions), the texts stacked.
    fn stacked(self) -> Vec<Layer> {
        let mut items = self.items;
        items.sort_by_key(|(_, rank)| *rank);
        let mut items: Vec<Layer> = items.into_iter().map(|(l, _)| l).collect();
        stack(&mut items, self.t);
        items
    }
}

/// Adds a caption file's cues to the track of its language (made if new).
fn merge_track(tracks: &mut Vec<Track>, c: &Captions, cues: Vec<(Range<u64>, String)>) {
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
