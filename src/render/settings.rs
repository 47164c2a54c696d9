//! How to render: the [`Settings`] every part of a render reads.

use super::decode::OnDecodeError;
use crate::cache::Cache;

/// How to render.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Segments rendered at once.
    pub jobs: usize,
    /// Where encoded segments and audio are kept between renders.
    pub cache: Option<Cache>,
    /// Damaged video inside a clip: stop, or show the last good picture.
    pub on_decode_error: OnDecodeError,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            jobs: cores(),
            cache: None,
            on_decode_error: OnDecodeError::Stop,
        }
    }
}

/// What a run of many outputs does after one fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFailure {
    /// Render and report no output after it (nor, on an interrupt, ever).
    Stop,
    /// Render the others (`--keep-going`).
    KeepGoing,
}

/// The machine's cores: the default number of segments rendered at once.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
