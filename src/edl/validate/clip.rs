//! `[defaults]` and each `[[clip]]`: its source or card, trim, colour,
//! framing, time keys and the transition into the next clip.

use super::keys::{trim, volume};
use crate::edl::model::{
    AudioCurve, Clip, ClipSource, ColourEq, Transition, TransitionKind, XFADE,
};
use crate::edl::raw::{RawClip, RawDefaults, RawEq, RawTransition};
use crate::edl::syntax::{self, parse_colour, time_spec, SourceText, Spans};
use crate::edl::text::{self, Style};
use crate::edl::timing;
use crate::error::{Diagnostic, Diagnostics, Span};
use crate::time::{Ratio, TimeSpec};
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;
use toml::Spanned;

/// `[defaults]`: what clips without their own keys use.
pub(super) struct Defaults {
    volume: f64,
    transition: Option<Transition>,
}

pub(super) fn defaults(
    src: &SourceText,
    raw: Option<Spanned<RawDefaults>>,
    errs: &mut Diagnostics,
) -> Defaults {
    let d = raw.map(|d| d.into_inner()).unwrap_or_default();
    Defaults {
        volume: d.volume.as_ref().map_or(1.0, |v| volume(src, v, errs)),
        transition: d.transition.as_ref().map(|t| transition(src, t, errs)),
    }
}

/// Every `[[clip]]`, numbered from 1; the last one's transition is a cut.
pub(super) fn clips(
    src: &SourceText,
    raw: Vec<Spanned<RawClip>>,
    defaults: &Defaults,
    styles: &BTreeMap<String, Style>,
    errs: &mut Diagnostics,
) -> Vec<Clip> {
    if raw.is_empty() {
        let end = src.text.len();
        errs.push(
            Diagnostic::new(
                src.file,
                "the EDL has no [[clip]]; a montage needs at least one",
            )
            .span(Span { start: end, end })
            .key("[[clip]]"),
        );
    }
    let count = raw.len();
    raw.into_iter()
        .enumerate()
        .map(|(i, c)| clip(src, i + 1, c, i + 1 == count, defaults, styles, errs))
        .collect()
}

/// One `[[clip]]`, its problems named after it.
fn clip(
    src: &SourceText,
    number: usize,
    raw: Spanned<RawClip>,
    last: bool,
    defaults: &Defaults,
    styles: &BTreeMap<String, Style>,
    errs: &mut Diagnostics,
) -> Clip {
    let span = raw.span();
    let (line, _) = src.line_col(span.start);
    let c = raw.into_inner();
    let source_text = c
        .source
        .as_ref()
        .map_or_else(|| "card".to_string(), |s| s.get_ref().clone());
    let spans = clip_spans(src, span.clone(), &c);
    // Each phase adds its problems in the order the keys are checked.
    let mut local = Diagnostics::default();
    let (start, end) = trim(src, &c.start, &c.out, &c.duration, &mut local);
    let card = c
        .card
        .as_ref()
        .map(|k| text::layers::card(src, k, styles, &mut local));
    let crop = crop(src, &c.crop, &mut local);
    let time = TimeKeys::read(src, &c, &mut local);
    let focus = focus(src, &c.focus, &mut local);
    let eq =
        c.eq.as_ref()
            .map(|e| colour_eq(src, e.get_ref(), &mut local));
    let color = c.color.as_ref().map_or_else(Default::default, |k| {
        super::colour::clip_colour(src, k.get_ref(), &mut local)
    });
    source_or_card(src, &c, &span, &mut local);
    let fps = sequence_fps(src, &c, &span, &mut local);
    let volume = c
        .volume
        .as_ref()
        .map_or(defaults.volume, |v| volume(src, v, &mut local));
    let transition = clip_transition(src, &c.transition, line, &span, last, defaults, &mut local);
    let audio_streams =
        super::streams::stream_choice(src, &c.audio_streams, &c.audio_map, &mut local);
    for d in local.0 {
        errs.push(d.clip(number, &source_text, line).table(spans.table));
    }
    Clip {
        number,
        source: match card {
            Some(card) => ClipSource::Card(card),
            None => ClipSource::File(
                c.source
                    .as_ref()
                    .map_or_else(PathBuf::new, |s| syntax::resolve(src.file, s.get_ref())),
            ),
        },
        eq,
        color,
        lut: c
            .lut
            .as_ref()
            .map(|l| syntax::resolve(src.file, l.get_ref())),
        focus,
        crop,
        speed: time.speed,
        reverse: time.reverse,
        audio_speed: time.audio_speed,
        freeze: time.freeze,
        motion: time.motion,
        audio_streams,
        fps,
        source_text,
        line,
        start,
        end,
        volume,
        transition,
        spans,
    }
}

/// Where the clip's table and each key it gives are.
fn clip_spans(src: &SourceText, table: Range<usize>, c: &RawClip) -> Spans {
    let mut spans = Spans::new(table);
    spans.add(src, "source", &c.source);
    spans.add(src, "card", &c.card);
    spans.add(src, "in", &c.start);
    spans.add(src, "out", &c.out);
    spans.add(src, "duration", &c.duration);
    spans.add(src, "transition", &c.transition);
    spans.add(src, "eq", &c.eq);
    spans.add(src, "lut", &c.lut);
    spans.add(src, "color", &c.color);
    spans.add(src, "focus", &c.focus);
    spans.add(src, "crop", &c.crop);
    spans.add(src, "speed", &c.speed);
    spans.add(src, "reverse", &c.reverse);
    spans.add(src, "audio_speed", &c.audio_speed);
    spans.add(src, "freeze", &c.freeze);
    spans.add(src, "motion", &c.motion);
    spans.add(src, "audio_streams", &c.audio_streams);
    spans.add(src, "audio_map", &c.audio_map);
    spans.add(src, "fps", &c.fps);
    spans
}

/// `fps`: the rate of an image sequence (`source = "shot_%04d.png"`),
/// which it needs; any other source plays at its own rate, so `fps` on
/// one is an error (`speed` changes a video's pace).
fn sequence_fps(
    src: &SourceText,
    c: &RawClip,
    table: &Range<usize>,
    errs: &mut Diagnostics,
) -> Option<Ratio> {
    let sequence = c
        .source
        .as_ref()
        .is_some_and(|s| crate::sequence::is_sequence(&syntax::resolve(src.file, s.get_ref())));
    let Some(v) = &c.fps else {
        if sequence {
            errs.push(
                Diagnostic::new(
                    src.file,
                    "an image sequence needs `fps`, the rate its pictures are shown at \
                     (for example fps = 24)",
                )
                .span(table.clone().into())
                .key("fps"),
            );
        }
        return None;
    };
    if !sequence {
        errs.push(
            src.at(
                &v.span(),
                "`fps` is for an image sequence (source = \"name_%04d.png\"); a video plays at \
                 its own rate (`speed` changes its pace)",
            )
            .key("fps"),
        );
        return None;
    }
    let text = match v.get_ref() {
        syntax::Value::Number(n) => format!("{n}"),
        syntax::Value::Text(t) | syntax::Value::SourceTc(t) => t.clone(),
    };
    match crate::time::parse_rate(&text) {
        Ok(r) => Some(r),
        Err(m) => {
            errs.push(src.at(&v.span(), m.to_string()).key("fps"));
            None
        }
    }
}

/// A clip has a `source` or a `card`, not both; a card has a `duration`
/// and no `in` or `out`.
fn source_or_card(src: &SourceText, c: &RawClip, table: &Range<usize>, errs: &mut Diagnostics) {
    match (&c.source, &c.card) {
        (Some(_), Some(k)) => errs.push(
            src.at(&k.span(), "a clip has a `source` or a `card`, not both")
                .key("card"),
        ),
        (None, None) => errs.push(
            Diagnostic::new(
                src.file,
                "the clip has no `source` (or `card` for a generated picture)",
            )
            .span(table.clone().into())
            .key("source"),
        ),
        (None, Some(k)) => {
            if c.duration.is_none() {
                errs.push(
                    src.at(
                        &k.span(),
                        "a card needs a `duration` (it has no source to end with)",
                    )
                    .key("duration"),
                );
            }
            if let Some(v) = c.start.as_ref().or(c.out.as_ref()) {
                errs.push(src.at(
                    &v.span(),
                    "a card has no source: give it a `duration`, not `in` or `out`",
                ));
            }
        }
        _ => {}
    }
}

/// `crop = [x, y, w, h]`: the part of the upright picture used.
fn crop(
    src: &SourceText,
    v: &Option<Spanned<Vec<f64>>>,
    errs: &mut Diagnostics,
) -> Option<(f64, f64, f64, f64)> {
    v.as_ref()
        .and_then(|f| timing::rect(src, f, "crop", errs))
        .map(|[x, y, w, h]| (x, y, w, h))
}

/// `focus = [x, y]`: the point `fit = "cover"` keeps in frame.
fn focus(
    src: &SourceText,
    v: &Option<Spanned<Vec<f64>>>,
    errs: &mut Diagnostics,
) -> Option<(f64, f64)> {
    v.as_ref().and_then(|f| match f.get_ref().as_slice() {
        [x, y] if (0.0..=1.0).contains(x) && (0.0..=1.0).contains(y) => Some((*x, *y)),
        _ => {
            errs.push(
                src.at(
                    &f.span(),
                    "`focus` is [x, y], each a fraction of the picture from 0 to 1",
                )
                .key("focus"),
            );
            None
        }
    })
}

/// `eq = { brightness, contrast, saturation, gamma }`, each within the
/// `eq` filter's range.
fn colour_eq(src: &SourceText, e: &RawEq, errs: &mut Diagnostics) -> ColourEq {
    ColourEq {
        brightness: syntax::number(src, &e.brightness, "brightness", 0.0, -1.0..=1.0, errs),
        contrast: syntax::number(src, &e.contrast, "contrast", 1.0, -1000.0..=1000.0, errs),
        saturation: syntax::number(src, &e.saturation, "saturation", 1.0, 0.0..=3.0, errs),
        gamma: syntax::number(src, &e.gamma, "gamma", 1.0, 0.1..=10.0, errs),
    }
}

/// A clip's time keys: `speed`, `reverse`, `audio_speed`, `freeze` and
/// `motion`.
struct TimeKeys {
    speed: Ratio,
    reverse: bool,
    audio_speed: timing::AudioSpeed,
    freeze: Option<timing::Freeze>,
    motion: Option<timing::Motion>,
}

impl TimeKeys {
    fn read(src: &SourceText, c: &RawClip, errs: &mut Diagnostics) -> TimeKeys {
        let speed = timing::speed(src, &c.speed, errs);
        let freeze = c.freeze.as_ref().and_then(|f| timing::freeze(src, f, errs));
        let motion = c.motion.as_ref().and_then(|m| timing::motion(src, m, errs));
        TimeKeys {
            speed,
            reverse: c.reverse.as_ref().is_some_and(|r| *r.get_ref()),
            audio_speed: c
                .audio_speed
                .as_ref()
                .map_or_else(Default::default, |a| *a.get_ref()),
            freeze,
            motion,
        }
    }
}

/// The clip's own transition, else `[defaults]`'s, else a cut; the last
/// clip's is always a cut.
fn clip_transition(
    src: &SourceText,
    raw: &Option<Spanned<RawTransition>>,
    line: usize,
    table: &Range<usize>,
    last: bool,
    defaults: &Defaults,
    errs: &mut Diagnostics,
) -> Transition {
    let cut = Transition {
        kind: TransitionKind::Cut,
        duration: Ratio::from_integer(0),
        line,
        span: table.clone().into(),
        audio_curve: AudioCurve::default(),
    };
    let transition = raw
        .as_ref()
        .map(|t| transition(src, t, errs))
        .or(defaults.transition)
        .unwrap_or(cut);
    if !last {
        return transition;
    }
    // The last clip has no next clip to cross into.
    if let Some(t) = raw
        .as_ref()
        .filter(|_| transition.kind != TransitionKind::Cut)
    {
        errs.push(
            src.at(
                &t.span(),
                "the last clip has a transition but no clip follows it",
            )
            .key("transition"),
        );
    }
    cut
}

/// A `transition` table: its kind, the colour of a dip, and a duration in
/// seconds for anything but a cut.
fn transition(src: &SourceText, t: &Spanned<RawTransition>, errs: &mut Diagnostics) -> Transition {
    let (line, _) = src.line_col(t.span().start);
    let raw = t.get_ref();
    let kind = match &raw.kind {
        None => TransitionKind::Cut,
        Some(k) => match k.get_ref().as_str() {
            "cut" => TransitionKind::Cut,
            "crossfade" => TransitionKind::Crossfade,
            "dip" => TransitionKind::Dip(match &raw.color {
                None => [0, 0, 0],
                Some(c) => parse_colour(c.get_ref()).unwrap_or_else(|| {
                    errs.push(
                        src.at(
                            &c.span(),
                            format!("invalid colour \"{}\" (expected #rrggbb)", c.get_ref()),
                        )
                        .key("color"),
                    );
                    [0, 0, 0]
                }),
            }),
            name => match XFADE.iter().find(|x| **x == name) {
                Some(x) => TransitionKind::Xfade(x),
                None => {
                    errs.push(
                        src.at(
                            &k.span(),
                            format!(
                                "unknown transition kind \"{name}\" (expected cut, crossfade, dip or one of xfade's: {})",
                                XFADE.join(", ")
                            ),
                        )
                        .key("kind"),
                    );
                    TransitionKind::Crossfade
                }
            },
        },
    };
    if let Some(c) = raw
        .color
        .as_ref()
        .filter(|_| !matches!(kind, TransitionKind::Dip(_)))
    {
        errs.push(src.at(&c.span(), "`color` is for a `dip` transition"));
    }
    let name = kind.name();
    let duration = match (kind, &raw.duration) {
        (TransitionKind::Cut, _) => Ratio::from_integer(0),
        (_, None) => {
            errs.push(src.at(&t.span(), format!("a {name} needs a `duration` in seconds")));
            Ratio::from_integer(0)
        }
        (_, Some(d)) => match time_spec(src, d, "duration", errs) {
            TimeSpec::Seconds(s) if s > Ratio::from_integer(0) => s,
            TimeSpec::Seconds(_) => {
                errs.push(src.at(
                    &d.span(),
                    format!("a {name} `duration` must be greater than 0"),
                ));
                Ratio::from_integer(0)
            }
            TimeSpec::Frames { .. } | TimeSpec::SourceTc(_) => {
                errs.push(src.at(
                    &d.span(),
                    "a transition `duration` is in seconds, not source frames",
                ));
                Ratio::from_integer(0)
            }
        },
    };
    Transition {
        kind,
        duration,
        line,
        span: t.span().into(),
        audio_curve: raw.audio_curve,
    }
}
