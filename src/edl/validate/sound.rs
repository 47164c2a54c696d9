//! `[[voiceover]]`, `[[music]]` and `[ducking]`: the sounds placed on the
//! timeline besides the clips' own.

use super::keys::{trim, volume};
use crate::edl::model::{Ducking, Music, Sound, Voiceover};
use crate::edl::raw::{RawDucking, RawMusic, RawSound, RawVoiceover};
use crate::edl::syntax::{self, number, seconds, SourceText, Spans, Value};
use crate::error::Diagnostics;
use crate::time::{self, Ratio};
use std::ops::Range;
use toml::Spanned;

/// Reads the shared keys of sound number `number` (its table at `line`).
fn sound(
    src: &SourceText,
    number: usize,
    line: usize,
    table: Range<usize>,
    raw: RawSound,
    errs: &mut Diagnostics,
) -> Sound {
    let mut spans = Spans::new(table);
    spans.add(src, "source", &Some(raw.source.clone()));
    spans.add(src, "at", raw.at);
    spans.add(src, "in", raw.start);
    spans.add(src, "out", raw.out);
    spans.add(src, "duration", raw.duration);
    spans.add(src, "audio_streams", raw.audio_streams);
    spans.add(src, "audio_map", raw.audio_map);
    let audio_streams = super::streams::stream_choice(src, raw.audio_streams, raw.audio_map, errs);
    let at = seconds(src, raw.at, "at", errs);
    let (start, end) = trim(src, raw.start, raw.out, raw.duration, errs);
    let volume = raw
        .volume
        .as_ref()
        .map(|x| volume(src, x, errs))
        .unwrap_or(1.0);
    Sound {
        number,
        source: syntax::resolve(src.file, raw.source.get_ref()),
        source_text: raw.source.get_ref().clone(),
        line,
        at,
        start,
        end,
        volume,
        audio_streams,
        spans,
    }
}

/// A `[[voiceover]]`.
pub(super) fn voiceover(
    src: &SourceText,
    number: usize,
    v: &Spanned<RawVoiceover>,
    errs: &mut Diagnostics,
) -> Voiceover {
    let (line, _) = src.line_col(v.span().start);
    let mut local = Diagnostics::default();
    let vo = sound(src, number, line, v.span(), v.get_ref().sound(), &mut local);
    for d in local.0 {
        errs.push(
            d.voiceover(vo.number, &vo.source_text, line)
                .table(vo.spans.table),
        );
    }
    vo
}

/// A `[[music]]` bed.
pub(super) fn music(
    src: &SourceText,
    number: usize,
    m: &Spanned<RawMusic>,
    errs: &mut Diagnostics,
) -> Music {
    let (line, _) = src.line_col(m.span().start);
    let table = m.span();
    let m = m.get_ref();
    let mut local = Diagnostics::default();
    let mut sound = sound(src, number, line, table, m.sound(), &mut local);
    let at = sound.at;
    sound.spans.add(src, "until", &m.until);
    let until = m.until.as_ref().map(|u| {
        let t = seconds(src, &m.until, "until", &mut local);
        if t <= at {
            local.push(src.at(
                &u.span(),
                format!(
                    "`until` {} is not after `at` {}",
                    time::Clock(t),
                    time::Clock(at)
                ),
            ));
        }
        t
    });
    let fade_in = seconds(src, &m.fade_in, "fade_in", &mut local);
    let fade_out = seconds(src, &m.fade_out, "fade_out", &mut local);
    for d in local.0 {
        errs.push(
            d.music(sound.number, &sound.source_text, line)
                .table(sound.spans.table),
        );
    }
    Music {
        sound,
        looped: m.looped,
        until,
        fade_in,
        fade_out,
    }
}

/// `[ducking]`, with the defaults for keys it leaves out.
pub(super) fn ducking(src: &SourceText, d: RawDucking, errs: &mut Diagnostics) -> Ducking {
    let base = Ducking::default();
    let (mut clips, mut music) = (base.clips, base.music);
    if let Some(a) = &d.applies_to {
        clips = false;
        music = false;
        for name in a.get_ref() {
            match name.as_str() {
                "clips" => clips = true,
                "music" => music = true,
                other => errs.push(src.at(
                    &a.span(),
                    format!(
                        "unknown `applies_to` entry \"{other}\" (expected \"clips\" or \"music\")"
                    ),
                )),
            }
        }
    }
    let mut time = |v: &Option<Spanned<Value>>, key: &str, default: Ratio| {
        v.as_ref().map_or(default, |_| seconds(src, v, key, errs))
    };
    let attack = time(&d.attack, "attack", base.attack);
    let release = time(&d.release, "release", base.release);
    let hold = time(&d.hold, "hold", base.hold);
    Ducking {
        depth_db: number(
            src,
            &d.depth_db,
            "depth_db",
            base.depth_db,
            0.0..=60.0,
            errs,
        ),
        attack,
        release,
        hold,
        threshold_db: number(
            src,
            &d.threshold_db,
            "threshold_db",
            base.threshold_db,
            -100.0..=0.0,
            errs,
        ),
        clips,
        music,
    }
}
