//! A cue, the two file formats and a problem in a file: what reading,
//! linting and writing share, with the formats' timestamps.

use crate::time::Ratio;
use std::path::Path;

/// One cue: [start, end) in seconds, exact (milliseconds as `Ratio::new(ms, 1000)`).
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    pub start: Ratio,
    pub end: Ratio,
    /// Plain text: lines joined by '\n', markup removed, entities decoded,
    /// each line trimmed, empty lines dropped.
    pub text: String,
    /// 1-based line of the cue's timing line.
    pub line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Srt,
    Vtt,
}

impl Format {
    /// From a file name's extension: .srt or .vtt (any case), else `None`.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?;
        if ext.eq_ignore_ascii_case("srt") {
            Some(Format::Srt)
        } else if ext.eq_ignore_ascii_case("vtt") {
            Some(Format::Vtt)
        } else {
            None
        }
    }

    pub(super) fn timing_example(self) -> &'static str {
        match self {
            Format::Srt => "00:00:01,000 --> 00:00:03,500",
            Format::Vtt => "00:00:01.000 --> 00:00:03.500",
        }
    }

    pub(super) fn time_example(self) -> &'static str {
        match self {
            Format::Srt => "00:00:01,000",
            Format::Vtt => "00:00:01.000 or 00:01.000",
        }
    }

    pub(super) fn ms_separator(self) -> char {
        match self {
            Format::Srt => ',',
            Format::Vtt => '.',
        }
    }
}

/// A problem in a caption file, at a 1-based line (and column when known,
/// 1-based, in characters).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "line {line}{}: {message}",
    column.map_or(String::new(), |c| format!(", column {c}"))
)]
pub struct ParseError {
    pub line: usize,
    pub column: Option<usize>,
    pub message: String,
}

pub(super) fn error(line: usize, column: Option<usize>, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        column,
        message: message.into(),
    }
}

/// Milliseconds as `HH:MM:SS,mmm` (SRT) or `HH:MM:SS.mmm` (WebVTT).
pub(super) fn fmt_time(ms: i64, format: Format) -> String {
    let ms = ms.max(0);
    format!(
        "{:02}:{:02}:{:02}{}{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        format.ms_separator(),
        ms % 1000
    )
}

/// `n / d` rounded half away from zero; 0 when `d` is 0.
pub(super) fn round_div(n: i128, d: i128) -> i128 {
    if d == 0 {
        return 0;
    }
    let (n, d) = if d < 0 { (-n, -d) } else { (n, d) };
    let (q, r) = (n / d, n % d);
    if 2 * r.abs() >= d {
        q + n.signum()
    } else {
        q
    }
}
