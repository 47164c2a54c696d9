//! The EDL's graphics tables: `[fonts]`, `[styles.NAME]`, a clip's `card`,
//! `[[text]]`, `[[captions]]` and `[[overlay]]` (see `docs/edl.md`).
//! Checks that need no media or font files happen here; font families and
//! coverage are checked by the `layers` stage once the fonts are read.
//!
//! This file holds the resolved types; `raw` what the file says, `styles`
//! the checks of `[fonts]` and `[styles.NAME]`, and `layers` those of the
//! tables that put something on the picture.

pub(super) mod layers;
pub(super) mod raw;
pub(super) mod styles;

use crate::edl::syntax::Spans;
use crate::time::Ratio;
use std::collections::BTreeMap;
use std::path::PathBuf;

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
    /// `background = "transparent"` (then `background` is black).
    pub clear: bool,
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

/// The start of a text, quoted, for messages.
pub fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    let mut s: String = line.chars().take(24).collect();
    if s.chars().count() < text.chars().count() {
        s.push('…');
    }
    format!("\"{s}\"")
}
