//! Caption files: SRT and WebVTT read with file:line errors, linted, and
//! written back out timed to the output timeline.
//!
//! `parse` reads a file into cues (`cue`), `text` turns a cue's lines into
//! plain text, `lint` warns about cues that are hard to read, and `write`
//! writes cues back out as SRT or WebVTT.

mod cue;
mod lint;
mod parse;
mod text;
mod write;

pub use cue::{Cue, Format, ParseError};
pub use lint::{lint, max_cps, Warning};
pub use parse::parse;
pub use write::{write_srt, write_vtt};

#[cfg(test)]
mod tests;
