//! Timecode: `[output] timecode` writes a start timecode, and
//! `in`/`out = { tc = ... }` count in a source's own timecode.
