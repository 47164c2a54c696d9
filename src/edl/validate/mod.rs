//! From the raw file to the resolved [`Edl`](super::model::Edl), table by
//! table: every problem found is collected, none stops the others.
//!
//! - `output`: `[output]` with its video and audio settings.
//! - `clip`: `[defaults]` and each `[[clip]]`, with its transition.
//! - `sound`: `[[voiceover]]`, `[[music]]` and `[ducking]`.
//! - `keys`: the trim and volume that clips and sounds share.
//! - `streams`: the audio streams a clip or sound plays, and where.
//!
//! The graphics tables are checked in `text`.

mod clip;
mod colour;
mod keys;
mod output;
mod sound;
mod streams;

use super::model::Edl;
use super::raw::RawEdl;
use super::syntax::SourceText;
use super::text;
use crate::error::Diagnostics;

pub(super) fn validate(src: &SourceText, raw: RawEdl) -> Result<Edl, Diagnostics> {
    let mut errs = Diagnostics::default();
    let output = output::output(src, raw.output, &mut errs);
    let defaults = clip::defaults(src, raw.defaults, &mut errs);
    let fonts = text::styles::fonts(src, raw.fonts);
    let styles = text::styles::styles(src, raw.styles, &fonts, &mut errs);
    let counts = text::layers::Counts {
        clips: raw.clip.len(),
        voiceovers: raw.voiceover.len(),
    };
    let clips = clip::clips(src, raw.clip, &defaults, &styles, &mut errs);
    let texts = text::layers::texts(src, raw.text, &styles, &counts, &mut errs);
    let captions = text::layers::captions(src, raw.captions, &styles, &counts, &mut errs);
    let overlays = text::layers::overlays(src, raw.overlay, &counts, &mut errs);
    let voiceovers = raw
        .voiceover
        .iter()
        .enumerate()
        .map(|(i, v)| sound::voiceover(src, i + 1, v, &mut errs))
        .collect();
    let music = raw
        .music
        .iter()
        .enumerate()
        .map(|(i, m)| sound::music(src, i + 1, m, &mut errs))
        .collect();
    let ducking = raw
        .ducking
        .map(|d| sound::ducking(src, d.into_inner(), &mut errs));
    errs.into_result(Edl {
        file: src.file.to_path_buf(),
        output,
        clips,
        voiceovers,
        music,
        ducking,
        fonts,
        styles,
        texts,
        captions,
        overlays,
        merged: None,
    })
}
