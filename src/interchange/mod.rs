//! Cuts made in other tools: CMX3600 EDLs, OpenTimelineIO (`.otio`) and
//! FCPXML files read into one form, [`Timeline`], and written back out.
//! Pure: no FFmpeg, no file system. Linking events to media files, their
//! timecode starts and the reel EDL made from a timeline live in
//! `crate::import`.
//!
//! A [`Timeline`] is already in reel's terms: picture events follow each
//! other, each overlapping the next by its transition (the outgoing event's
//! source runs on under a dissolve, as in reel's own EDL). All times are
//! exact fractions of a second.

pub mod cmx;
pub mod fcpxml;
pub mod otio;
mod place;
pub mod timecode;
pub mod write;

use crate::edl::{TransitionKind, XFADE};
use crate::time::Ratio;

/// Where an event's picture or sound comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Media {
    /// Black: CMX `BL`/`BLACK` reels, gaps in record time, OTIO `Gap`s,
    /// FCPXML `gap`s.
    Black,
    File(MediaRef),
}

/// A media file as the interchange file names it. Every field the file
/// gives is kept; `crate::import` decides which one finds the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaRef {
    /// CMX reel name (`A003C012`, `AX`); OTIO/FCPXML: none.
    pub reel: Option<String>,
    /// CMX `* FROM CLIP NAME:` (or `* TO CLIP NAME:` for the incoming side
    /// of a dissolve or wipe); OTIO clip or media reference name; FCPXML
    /// clip or asset name.
    pub clip_name: Option<String>,
    /// CMX `* SOURCE FILE:`; OTIO `ExternalReference.target_url`; FCPXML
    /// `media-rep src` (or the asset's `src`). As written: a path or a
    /// `file://` URL, possibly relative.
    pub path: Option<String>,
}

/// One picture event: a clip on reel's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// What the user calls it in the file, for messages and for the
    /// comment an import writes: `event 012, reel A003C012`,
    /// `clip "Interview" (track V1, item 3)`.
    pub origin: String,
    /// 1-based line of the event in the file (0 when unknown).
    pub line: usize,
    pub media: Media,
    /// Source time of the event's first frame, in seconds of the media's
    /// own time: CMX source timecode and FCPXML `start` count from the
    /// media's start timecode (`crate::import` subtracts it); OTIO
    /// `source_range.start_time` likewise counts in `available_range`
    /// time. Always the earliest source time the event plays, also for a
    /// backwards event (reel's `in`). Zero for black.
    pub source_in: Ratio,
    /// Length on the timeline in seconds, including the overlap with the
    /// next event under `transition`.
    pub duration: Ratio,
    /// Source seconds per timeline second: 1 normally, negative plays
    /// backwards, zero holds the first frame for the whole event.
    pub speed: Ratio,
    /// The transition into the NEXT event: a reel transition kind
    /// (`crossfade`, `wipeleft`, ... any kind reel's EDL takes) and its
    /// length in seconds. None is a cut.
    pub transition: Option<(TransitionKind, Ratio)>,
    /// The event's own sound is used (a V+A event, or an audio event on the
    /// same span).
    pub audio: bool,
}

/// A sound that is not a picture event's own: audio-only events on their
/// own span, OTIO audio clips not linked to a picture clip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoundEvent {
    pub origin: String,
    pub line: usize,
    pub media: MediaRef,
    /// Source time of its first sample (as [`Event::source_in`]).
    pub source_in: Ratio,
    /// Where it starts on the timeline, seconds from the timeline's start.
    pub at: Ratio,
    pub duration: Ratio,
}

/// A title over the picture (FCPXML `title`): a text layer at a time on
/// the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title {
    pub origin: String,
    pub line: usize,
    pub text: String,
    /// Seconds from the timeline's start.
    pub at: Ratio,
    pub duration: Ratio,
}

/// Something in the file that reel drops or approximates: a marker, a
/// colour decision, a key, an unknown wipe code. Never silent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub line: usize,
    /// The event it is about (`event 012`), or empty for the file.
    pub origin: String,
    pub message: String,
}

/// A whole cut in reel's terms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeline {
    pub name: Option<String>,
    /// The frame rate the file states (OTIO, FCPXML) or was read at (CMX).
    pub fps: Option<Ratio>,
    /// The frame size the file states (FCPXML formats).
    pub size: Option<(u32, u32)>,
    /// Picture events in timeline order, back to back (gaps are black
    /// events); each overlaps the next by its transition.
    pub events: Vec<Event>,
    pub sounds: Vec<SoundEvent>,
    /// Titles, drawn as reel text layers.
    pub titles: Vec<Title>,
    pub notes: Vec<Note>,
}

impl Timeline {
    /// The timeline's length: the events' durations less their overlaps.
    pub fn duration(&self) -> Ratio {
        self.events
            .iter()
            .map(|e| {
                e.duration
                    - e.transition
                        .as_ref()
                        .map_or(Ratio::from_integer(0), |t| t.1)
            })
            .sum()
    }
}

/// The transition kind reel's EDL reads as `name`: `cut`, `crossfade`,
/// `dip` (through black, its default colour) or one of `xfade`'s.
pub fn transition_kind(name: &str) -> Option<TransitionKind> {
    match name {
        "cut" => Some(TransitionKind::Cut),
        "crossfade" => Some(TransitionKind::Crossfade),
        "dip" => Some(TransitionKind::Dip([0, 0, 0])),
        _ => XFADE
            .iter()
            .find(|x| **x == name)
            .map(|x| TransitionKind::Xfade(x)),
    }
}

/// A problem that stops an import: where it is and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// 1-based line and column, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The event it is about (`event 012`), when it is about one.
    pub origin: Option<String>,
    pub message: String,
}

/// Where in a cut's file something is (its line and what it is), for
/// errors and notes: shared by the OTIO and FCPXML readers.
pub(crate) struct At {
    pub(crate) line: usize,
    pub(crate) origin: String,
}

impl At {
    pub(crate) fn error(&self, message: impl Into<String>) -> ImportError {
        ImportError::new(self.line, self.origin.clone(), message)
    }
}

impl ImportError {
    /// An error at a reader's position: `line` 0 and an empty `origin`
    /// are how readers (and their notes) say "unknown".
    pub fn new(line: usize, origin: impl Into<String>, message: impl Into<String>) -> Self {
        let origin = origin.into();
        ImportError {
            line: known(line),
            column: None,
            origin: (!origin.is_empty()).then_some(origin),
            message: message.into(),
        }
    }

    /// An error a parser reports at `line`:`column` (1-based; 0 when it
    /// does not know), about the file as a whole.
    pub fn at(line: usize, column: usize, message: impl Into<String>) -> Self {
        ImportError {
            line: known(line),
            column: known(column),
            origin: None,
            message: message.into(),
        }
    }
}

/// A 1-based position, or None for 0 (unknown).
fn known(n: usize) -> Option<usize> {
    (n > 0).then_some(n)
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (None, _) => {}
            (Some(l), None) => write!(f, "line {l}: ")?,
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: ")?,
        }
        if let Some(origin) = &self.origin {
            write!(f, "{origin}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for ImportError {}

/// The interchange formats reel reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Cmx3600,
    Otio,
    Fcpxml,
}

impl Format {
    /// The format a file name's extension names (`.edl`, `.otio`,
    /// `.fcpxml`), if any.
    pub fn of(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "edl" => Some(Format::Cmx3600),
            "otio" => Some(Format::Otio),
            "fcpxml" => Some(Format::Fcpxml),
            _ => None,
        }
    }
}
