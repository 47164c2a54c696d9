//! reel renders a TOML edit decision list into a finished montage through
//! FFmpeg's libraries.
//!
//! Pipeline: [`edl`] parses and checks the file, [`probe`] reads each source,
//! [`plan`] lays out a frame-exact timeline (pure), [`render`] encodes video
//! segments in parallel and joins them with the [`audio`] mix. [`prepare`](mod@prepare)
//! runs the steps up to the plan.

pub mod audio;
pub mod batch;
pub mod cache;
pub mod captions;
pub mod colour;
pub mod container;
pub mod cube;
pub mod demux;
pub mod digest;
pub mod edl;
pub mod error;
pub mod export;
pub mod ffmpeg;
pub mod fonts;
pub mod import;
pub mod interchange;
pub mod layers;
pub mod packet;
pub mod pictures;
pub mod plan;
pub mod prepare;
pub mod probe;
pub mod progress;
pub mod proxy;
pub mod render;
pub mod report;
pub mod resample;
pub mod sequence;
pub mod signal;
pub mod storyboard;
pub mod time;
pub mod video_codec;

pub use prepare::{load, plan_loaded, prepare, prepare_with};
