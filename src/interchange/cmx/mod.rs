//! CMX3600 EDLs, as Avid, Premiere, Resolve and Final Cut Pro 7 write them.
//!
//! An EDL is a list of events, one line each:
//!
//! ```text
//! 001  A003C012 V     C        01:00:10:00 01:00:12:00 01:00:00:00 01:00:02:00
//! ```
//!
//! event number, reel, channels, transition (with its length in frames for
//! a dissolve, wipe or key), then source in, source out, record in and
//! record out. Comment lines (`* FROM CLIP NAME: ...`) and `M2` speed lines
//! belong to the event above them. A dissolve or wipe takes two lines with
//! the same event number: the outgoing picture, usually with no length, and
//! the incoming one with `D 030` or `W001 030`.
//!
//! Record time becomes reel's timeline: it starts at the first picture
//! event's record in, gaps are black, and a dissolve lengthens the outgoing
//! event by its length (its source runs on under the dissolve). Source
//! timecodes are kept as the file states them, in the media's own
//! timecode; `crate::import` subtracts each file's start timecode. An `M2`
//! line retimes its event (negative backwards, zero a held frame); a
//! backwards event's source in is the earliest source frame it plays,
//! whichever order the file gives its source in and out.
//!
//! What reel cannot show (markers, colour decisions, keys, effects, audio
//! transitions, split edits) becomes a [`Note`]; nothing is dropped
//! silently.

mod lex;
mod place;
mod read;
#[cfg(test)]
mod tests;

pub use lex::wipe_kind;

use super::timecode::Rate;
use super::{ImportError, Timeline};
use crate::time;
use lex::{looks_like_event, split_lines, strip_prefix_ci};
use read::Reader;

/// What a file that is not a CMX3600 EDL seems to be instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SniffError {
    #[error("the file is empty")]
    Empty,
    #[error("this looks like a binary file, not a CMX3600 EDL")]
    Binary,
    #[error("this is an FCPXML file, not a CMX3600 EDL")]
    Fcpxml,
    #[error("this is a Final Cut Pro 7 XML file, not a CMX3600 EDL")]
    Fcp7,
    #[error("this looks like XML (FCPXML?), not a CMX3600 EDL")]
    Xml,
    #[error("this is an OpenTimelineIO (.otio) file, not a CMX3600 EDL")]
    Otio,
    #[error("this looks like JSON (OpenTimelineIO?), not a CMX3600 EDL")]
    Json,
    #[error("this looks like an MPlayer/comskip EDL (lines of seconds), not a CMX3600 EDL")]
    Seconds,
    /// Anything else; `first` is the start of its first line.
    #[error(
        "this does not look like a CMX3600 EDL: there is no TITLE: line and no event line \
         (event number, reel, channels, transition, four timecodes); the first line reads \
         \"{first}\""
    )]
    Unknown { first: String },
}

/// Checks that `text` looks like a CMX3600 EDL: a `TITLE:` line or at least
/// one event line. Otherwise says what the file seems to be instead.
pub fn sniff(text: &str) -> Result<(), SniffError> {
    let body = text.trim_start_matches('\u{feff}');
    if body.trim().is_empty() {
        return Err(SniffError::Empty);
    }
    let odd = body
        .chars()
        .filter(|&c| c == '\u{fffd}' || (c.is_control() && !c.is_whitespace()))
        .count();
    if body.contains('\0') || odd * 100 > body.chars().count() {
        return Err(SniffError::Binary);
    }
    let head = body.trim_start();
    if head.starts_with('<') {
        return Err(if head.contains("<fcpxml") {
            SniffError::Fcpxml
        } else if head.contains("<xmeml") {
            SniffError::Fcp7
        } else {
            SniffError::Xml
        });
    }
    if head.starts_with('{') || head.starts_with('[') {
        return Err(if head.contains("OTIO_SCHEMA") {
            SniffError::Otio
        } else {
            SniffError::Json
        });
    }
    let lines: Vec<&str> = split_lines(body)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines
        .iter()
        .any(|l| strip_prefix_ci(l, "TITLE:").is_some() || looks_like_event(l))
    {
        return Ok(());
    }
    let seconds_only = lines.iter().all(|l| {
        let fields: Vec<&str> = l.split_whitespace().collect();
        (2..=3).contains(&fields.len()) && fields.iter().all(|f| time::parse_decimal(f).is_some())
    });
    if seconds_only {
        return Err(SniffError::Seconds);
    }
    let first: String = lines[0].chars().take(60).collect();
    Err(SniffError::Unknown { first })
}

/// Reads a CMX3600 EDL whose timecodes run at `rate`. `FCM:` lines switch
/// drop frame on and off for the lines after them (over `rate.drop`).
/// Every problem is reported, each at its line and event; what reel
/// approximates or leaves out is in [`Timeline::notes`].
pub fn parse(text: &str, rate: Rate) -> Result<Timeline, Vec<ImportError>> {
    let mut reader = Reader {
        rate,
        drop: rate.drop,
        name: None,
        groups: Vec::new(),
        notes: Vec::new(),
        errors: Vec::new(),
    };
    for (i, line) in split_lines(text.trim_start_matches('\u{feff}')).enumerate() {
        reader.read_line(i + 1, line.trim());
    }
    reader.check_lengths();
    let timeline = reader.build();
    if reader.errors.is_empty() {
        Ok(timeline)
    } else {
        Err(reader.errors)
    }
}
