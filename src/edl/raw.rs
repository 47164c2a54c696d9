//! The raw serde types: what the TOML file says, before any check, each
//! value with its byte span so that messages can point at it.

use super::model::{AudioCurve, Fit};
use super::syntax::{OptionText, Value};
use super::text::raw::{RawCaptions, RawCard, RawFonts, RawOverlay, RawStyle, RawText};
use super::timing;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEdl {
    pub(super) output: Spanned<RawOutput>,
    #[serde(default)]
    pub(super) defaults: Option<Spanned<RawDefaults>>,
    #[serde(default)]
    pub(super) clip: Vec<Spanned<RawClip>>,
    #[serde(default)]
    pub(super) voiceover: Vec<Spanned<RawVoiceover>>,
    #[serde(default)]
    pub(super) music: Vec<Spanned<RawMusic>>,
    #[serde(default)]
    pub(super) ducking: Option<Spanned<RawDucking>>,
    #[serde(default)]
    pub(super) profile: BTreeMap<String, RawProfile>,
    #[serde(default)]
    pub(super) fonts: Option<Spanned<RawFonts>>,
    #[serde(default)]
    pub(super) styles: BTreeMap<String, Spanned<RawStyle>>,
    #[serde(default)]
    pub(super) text: Vec<Spanned<RawText>>,
    #[serde(default)]
    pub(super) captions: Vec<Spanned<RawCaptions>>,
    #[serde(default)]
    pub(super) overlay: Vec<Spanned<RawOverlay>>,
}

/// `[profile.NAME]`: any `[output]` key, used instead of the `[output]` one
/// when the profile is selected.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProfile {
    pub(super) path: Option<Spanned<String>>,
    pub(super) width: Option<Spanned<i64>>,
    pub(super) height: Option<Spanned<i64>>,
    pub(super) fps: Option<Spanned<Value>>,
    pub(super) fit: Option<Fit>,
    pub(super) background: Option<Spanned<String>>,
    pub(super) video: Option<RawVideo>,
    pub(super) audio: Option<RawAudio>,
    pub(super) color: Option<RawColor>,
    pub(super) fade_in: Option<Spanned<Value>>,
    pub(super) fade_out: Option<Spanned<Value>>,
    pub(super) draft: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOutput {
    pub(super) path: Option<Spanned<String>>,
    pub(super) width: Spanned<i64>,
    pub(super) height: Spanned<i64>,
    pub(super) fps: Spanned<Value>,
    #[serde(default)]
    pub(super) fit: Fit,
    pub(super) background: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) video: Option<RawVideo>,
    #[serde(default)]
    pub(super) audio: Option<RawAudio>,
    /// `[output.color]`: the output's colour space.
    #[serde(default)]
    pub(super) color: Option<RawColor>,
    pub(super) fade_in: Option<Spanned<Value>>,
    pub(super) fade_out: Option<Spanned<Value>>,
    pub(super) draft: Option<bool>,
    /// A `.cube` LUT for every clip.
    pub(super) lut: Option<Spanned<String>>,
    /// The start timecode written into the output.
    pub(super) timecode: Option<Spanned<String>>,
    /// A still output's frame: its timeline time.
    pub(super) poster: Option<Spanned<Value>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVideo {
    pub(super) codec: Option<Spanned<String>>,
    pub(super) crf: Option<Spanned<i64>>,
    pub(super) preset: Option<Spanned<String>>,
    pub(super) pix_fmt: Option<Spanned<String>>,
    pub(super) profile: Option<Spanned<String>>,
    pub(super) bitrate: Option<Spanned<Value>>,
    pub(super) maxrate: Option<Spanned<Value>>,
    pub(super) bufsize: Option<Spanned<Value>>,
    pub(super) gop: Option<Spanned<i64>>,
    pub(super) tag: Option<Spanned<String>>,
    pub(super) options: Option<Spanned<BTreeMap<String, OptionText>>>,
}

/// `[output.color]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawColor {
    pub(super) space: Option<Spanned<String>>,
    pub(super) tone_map: Option<Spanned<String>>,
    pub(super) reference_white: Option<Spanned<i64>>,
    pub(super) max_luminance: Option<Spanned<i64>>,
    pub(super) max_cll: Option<Spanned<toml::Value>>,
}

/// A clip's `color = { transfer, primaries, matrix, range }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawClipColor {
    pub(super) transfer: Option<Spanned<String>>,
    pub(super) primaries: Option<Spanned<String>>,
    pub(super) matrix: Option<Spanned<String>>,
    pub(super) range: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAudio {
    pub(super) codec: Option<Spanned<String>>,
    pub(super) bitrate: Option<Spanned<Value>>,
    pub(super) quality: Option<Spanned<f64>>,
    pub(super) options: Option<Spanned<BTreeMap<String, OptionText>>>,
    pub(super) sample_rate: Option<Spanned<i64>>,
    pub(super) channels: Option<Spanned<i64>>,
    pub(super) loudness: Option<RawLoudness>,
    pub(super) layout: Option<Spanned<RawKindLayout>>,
}

/// `[output.audio] layout = { voiceover, clips, music }`: channel sets.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawKindLayout {
    pub(super) voiceover: Option<Spanned<String>>,
    pub(super) clips: Option<Spanned<String>>,
    pub(super) music: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLoudness {
    pub(super) integrated_lufs: Option<Spanned<f64>>,
    pub(super) true_peak_db: Option<Spanned<f64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDefaults {
    pub(super) volume: Option<Spanned<f64>>,
    pub(super) transition: Option<Spanned<RawTransition>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawClip {
    pub(super) source: Option<Spanned<String>>,
    pub(super) card: Option<Spanned<RawCard>>,
    #[serde(rename = "in")]
    pub(super) start: Option<Spanned<Value>>,
    pub(super) out: Option<Spanned<Value>>,
    pub(super) duration: Option<Spanned<Value>>,
    pub(super) volume: Option<Spanned<f64>>,
    pub(super) transition: Option<Spanned<RawTransition>>,
    pub(super) eq: Option<Spanned<RawEq>>,
    pub(super) lut: Option<Spanned<String>>,
    pub(super) color: Option<Spanned<RawClipColor>>,
    pub(super) focus: Option<Spanned<Vec<f64>>>,
    pub(super) crop: Option<Spanned<Vec<f64>>>,
    pub(super) speed: Option<Spanned<f64>>,
    pub(super) reverse: Option<Spanned<bool>>,
    pub(super) audio_speed: Option<Spanned<timing::AudioSpeed>>,
    pub(super) freeze: Option<Spanned<timing::RawFreeze>>,
    pub(super) motion: Option<Spanned<timing::RawMotion>>,
    pub(super) audio_streams: Option<Spanned<Vec<i64>>>,
    pub(super) audio_map: Option<Spanned<Vec<String>>>,
    /// An image sequence's rate.
    pub(super) fps: Option<Spanned<Value>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEq {
    pub(super) brightness: Option<Spanned<f64>>,
    pub(super) contrast: Option<Spanned<f64>>,
    pub(super) saturation: Option<Spanned<f64>>,
    pub(super) gamma: Option<Spanned<f64>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTransition {
    pub(super) kind: Option<Spanned<String>>,
    pub(super) duration: Option<Spanned<Value>>,
    /// The colour a `dip` goes through.
    pub(super) color: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) audio_curve: AudioCurve,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMusic {
    pub(super) source: Spanned<String>,
    pub(super) at: Option<Spanned<Value>>,
    #[serde(rename = "in")]
    pub(super) start: Option<Spanned<Value>>,
    pub(super) out: Option<Spanned<Value>>,
    pub(super) duration: Option<Spanned<Value>>,
    pub(super) volume: Option<Spanned<f64>>,
    #[serde(rename = "loop", default)]
    pub(super) looped: bool,
    pub(super) until: Option<Spanned<Value>>,
    pub(super) fade_in: Option<Spanned<Value>>,
    pub(super) fade_out: Option<Spanned<Value>>,
    pub(super) audio_streams: Option<Spanned<Vec<i64>>>,
    pub(super) audio_map: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDucking {
    pub(super) depth_db: Option<Spanned<f64>>,
    pub(super) attack: Option<Spanned<Value>>,
    pub(super) release: Option<Spanned<Value>>,
    pub(super) hold: Option<Spanned<Value>>,
    pub(super) threshold_db: Option<Spanned<f64>>,
    pub(super) applies_to: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVoiceover {
    pub(super) source: Spanned<String>,
    #[serde(default)]
    pub(super) at: Option<Spanned<Value>>,
    #[serde(rename = "in")]
    pub(super) start: Option<Spanned<Value>>,
    pub(super) out: Option<Spanned<Value>>,
    pub(super) duration: Option<Spanned<Value>>,
    pub(super) volume: Option<Spanned<f64>>,
    pub(super) audio_streams: Option<Spanned<Vec<i64>>>,
    pub(super) audio_map: Option<Spanned<Vec<String>>>,
}

/// The keys voiceovers and music beds share, borrowed from either.
pub(super) struct RawSound<'a> {
    pub(super) source: &'a Spanned<String>,
    pub(super) at: &'a Option<Spanned<Value>>,
    pub(super) start: &'a Option<Spanned<Value>>,
    pub(super) out: &'a Option<Spanned<Value>>,
    pub(super) duration: &'a Option<Spanned<Value>>,
    pub(super) volume: &'a Option<Spanned<f64>>,
    pub(super) audio_streams: &'a Option<Spanned<Vec<i64>>>,
    pub(super) audio_map: &'a Option<Spanned<Vec<String>>>,
}

impl RawVoiceover {
    pub(super) fn sound(&self) -> RawSound<'_> {
        RawSound {
            source: &self.source,
            at: &self.at,
            start: &self.start,
            out: &self.out,
            duration: &self.duration,
            volume: &self.volume,
            audio_streams: &self.audio_streams,
            audio_map: &self.audio_map,
        }
    }
}

impl RawMusic {
    pub(super) fn sound(&self) -> RawSound<'_> {
        RawSound {
            source: &self.source,
            at: &self.at,
            start: &self.start,
            out: &self.out,
            duration: &self.duration,
            volume: &self.volume,
            audio_streams: &self.audio_streams,
            audio_map: &self.audio_map,
        }
    }
}
