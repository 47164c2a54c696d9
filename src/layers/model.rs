//! What is drawn over the pictures, placed on the timeline, and what the
//! placing reads: the planned timeline, caption cues and image sizes.

use crate::captions::Cue;
use crate::edl::text::{Sidecar, Style};
use crate::error::Diagnostic;
use crate::fonts::FontSet;
use crate::time::Ratio;
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

/// What the layers are drawn from, read by the caller (placing reads no
/// files): the fonts, the cues of each caption file (following
/// `edl.captions`) and the size of each overlay image (following
/// `edl.overlays`).
#[derive(Debug, Clone, Default)]
pub struct Graphics {
    pub fonts: Arc<FontSet>,
    pub cue_files: Vec<CueFile>,
    pub images: Vec<ImageSize>,
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
