//! The planner: a pure function from a validated [`Edl`] and the probes of
//! its sources to a frame-exact [`Plan`]. No FFmpeg calls happen here.
//!
//! Timeline rules (see `docs/edl.md`):
//! - clip i lasts `n_i = round((out_i - in_i) / speed_i * fps)` output frames,
//!   plus the frames a `freeze` holds;
//! - a transition from clip i into clip i+1 lasts `t_i = round(d * fps)` frames
//!   and overlaps the end of clip i with the start of clip i+1;
//! - the montage has `sum(n_i) - sum(t_i)` frames;
//! - audio sample `s` belongs to the frame `k` with `S(k) <= s < S(k+1)`, where
//!   `S(k) = round(k * sample_rate / fps)`.
//!
//! All ranges are half-open: `start..end` includes `start`, excludes `end`.
//!
//! [`plan`] is the list of phases. `model` holds the plan's types,
//! `clips` places the clips, `geometry` fits their pictures to the frame,
//! `audio` lays out the sound, `segments` cuts the timeline into units of
//! parallel work, `units` spreads them over machines, and `range` restricts
//! a render to part of the timeline.

mod audio;
mod clips;
mod colour;
mod geometry;
mod model;
mod range;
mod segments;
mod streams;
mod timecode;
mod units;

pub use crate::layers::Graphics;
pub use colour::{brighter_than_output, in_sdr};
pub use geometry::{geometry, Geometry, MotionPlan};
pub use model::{
    sample_at, AudioPlan, AudioRegion, ClipPlan, Compose, DuckPlan, Fade, Hold, PictureSource,
    Plan, Retime, Segment, DECLICK_MS,
};
pub use range::RangeError;
pub use timecode::output_timecode;
pub use units::{assign, work_units, Shard, ShardError, UnitKind, WorkUnit};

use crate::edl::Edl;
use crate::error::{Diagnostic, Diagnostics};
use crate::layers::{self, VoiceWindow};
use crate::probe::Probe;
use crate::time::{self, Ratio};
use audio::{clip_audio, clip_streams, music, sound_windows, voiceovers};
use audio::{AudioTiming, SoundKind, SoundWindow};
use clips::{lay_out, place_clips, transition_frames};
use model::timeline_of;
use segments::segments;
use std::fmt::Display;

/// Builds the plan. `clip_probes[i]`, `voice_probes[i]` and `music_probes[i]`
/// are the probes (or the probe errors, reported by their message) of the
/// EDL's clips, voiceovers and music beds in order. Every problem is
/// collected; nothing is decoded.
///
/// The phases, each a function of `clips`, `audio`, `segments` or
/// this module: place the clips (source windows and frame counts), check
/// the transitions against their neighbours, find the voiceovers' and
/// music beds' source windows, lay the clips out on the timeline, then the
/// clip audio, the voiceovers, the music beds, the fades and ducking, and
/// the segments; then the layers drawn over the pictures, from `graphics`
/// (read by the caller).
pub fn plan<E: Display>(
    edl: &Edl,
    clip_probes: &[Result<Probe, E>],
    voice_probes: &[Result<Probe, E>],
    music_probes: &[Result<Probe, E>],
    graphics: &Graphics,
) -> Result<Plan, PlanError> {
    let mut errs = Diagnostics::default();
    let fps = edl.output.fps;
    let placed = place_clips(edl, clip_probes, &mut errs);
    let transitions = transition_frames(edl, &placed, &mut errs);
    let clip_streams = clip_streams(edl, clip_probes, &mut errs);
    let timeline_known = errs.is_empty();
    let voice_windows = sound_windows(edl, SoundKind::Voiceover, voice_probes, &mut errs);
    let music_windows = sound_windows(edl, SoundKind::Music, music_probes, &mut errs);
    if !timeline_known {
        // The rest needs every clip on the timeline.
        return Err(PlanError::Timeline(errs.into_result(()).unwrap_err()));
    }
    let placed = placed.into_iter().map(|p| p.expect("no errors")).collect();
    let clips = lay_out(edl, placed, &transitions);
    let frames = clips.last().map_or(0, |c| c.timeline.end);
    let timing = AudioTiming::new(edl.output.audio.sample_rate, fps, frames);
    let audio_clips = clip_audio(edl, &clips, &clip_streams, &timing);
    let voiceovers = voiceovers(edl, &voice_windows, &timing, &mut errs);
    let music = music(edl, &music_windows, &timing, &mut errs);
    let (fade_in, fade_out) = master_fades(edl, frames, &mut errs);
    timecode::check_output(edl, &mut errs);
    let ducking = ducking(edl, &voiceovers, &timing);
    let segments = segments(&clips, fps);
    errs.into_result(()).map_err(PlanError::Timeline)?;
    let out = &edl.output;
    let voice_windows = placed_windows(edl, &voice_windows);
    let timeline = timeline_of(out, frames, &clips, &voice_windows);
    let layers = layers::build(edl, &timeline, graphics).map_err(PlanError::Layers)?;
    let samples = timing.samples;
    Ok(Plan {
        output: out.clone(),
        frames,
        clips,
        segments,
        audio: AudioPlan {
            sample_rate: out.audio.sample_rate,
            channels: out.audio.channels,
            samples,
            clips: audio_clips,
            voiceovers,
            music,
            ducking,
            loudness: out.audio.loudness,
            fade_in: timing.frame(fade_in),
            fade_out: samples - timing.frame(frames - fade_out.min(frames)),
        },
        fade_in,
        fade_out,
        range: 0..frames,
        layers,
    })
}

/// Why there is no plan. Either displays as its problems.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// Problems with the clips, transitions, sounds or fades: what the
    /// timeline is made of.
    #[error(transparent)]
    Timeline(Diagnostics),
    /// Problems with the layers drawn over a sound timeline.
    #[error(transparent)]
    Layers(Diagnostics),
}

impl From<PlanError> for Diagnostics {
    fn from(e: PlanError) -> Diagnostics {
        match e {
            PlanError::Timeline(d) | PlanError::Layers(d) => d,
        }
    }
}

/// Where each voiceover's window sits on the timeline (EDL order).
fn placed_windows(edl: &Edl, windows: &[Option<SoundWindow>]) -> Vec<Option<VoiceWindow>> {
    edl.voiceovers
        .iter()
        .zip(windows)
        .map(|(v, w)| {
            w.as_ref().map(|w| VoiceWindow {
                at: v.at,
                start: w.start,
                end: w.end,
            })
        })
        .collect()
}

/// Ducking with times in samples, when there are voiceovers to duck under.
fn ducking(edl: &Edl, voiceovers: &[AudioRegion], timing: &AudioTiming) -> Option<DuckPlan> {
    edl.ducking
        .filter(|_| !voiceovers.is_empty())
        .map(|d| DuckPlan {
            depth_db: d.depth_db,
            attack: timing.at(d.attack),
            release: timing.at(d.release),
            hold: timing.at(d.hold),
            threshold_db: d.threshold_db,
            clips: d.clips,
            music: d.music,
        })
}

/// Phase 8: the montage's fades from and to black, in frames.
fn master_fades(edl: &Edl, frames: u64, errs: &mut Diagnostics) -> (u64, u64) {
    let fps = edl.output.fps;
    let fade_frames = |t: Ratio| time::round(t * fps).max(0) as u64;
    let (fade_in, fade_out) = (
        fade_frames(edl.output.fade_in),
        fade_frames(edl.output.fade_out),
    );
    if fade_in + fade_out > frames {
        let d = Diagnostic::new(
            &edl.file,
            format!(
                "[output] fade_in ({fade_in} frames) and fade_out ({fade_out} frames) are longer \
                 than the montage ({frames} frames)"
            ),
        );
        let key = if edl.output.spans.get("fade_in").is_some() {
            "fade_in"
        } else {
            "fade_out"
        };
        errs.push(edl.output.spans.point(d, key));
    }
    (fade_in, fade_out)
}

#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
