//! reel renders a TOML edit decision list into a finished montage through
//! FFmpeg's libraries.
//!
//! Pipeline: [`edl`] parses and checks the file, [`probe`] reads each source,
//! [`plan`] lays out a frame-exact timeline (pure), [`render`] encodes video
//! segments in parallel and joins them with the [`audio`] mix.

pub mod edl;
pub mod error;
pub mod plan;
pub mod probe;
pub mod time;
