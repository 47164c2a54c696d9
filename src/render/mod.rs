//! Rendering a [`Plan`]: video segments are encoded in parallel by rayon
//! workers (each with its own decoders and encoder) while the audio is mixed
//! on its own thread; the segments are then joined in order, without
//! re-encoding, into a temporary file that is renamed over the output.
//!
//! A render's path through the modules: `place` prepares the output,
//! `lookup` keys the work units and finds what the cache has, `many`
//! schedules the missing ones (`shard` for a farm's share), `segment`
//! renders one segment's frames, `join` muxes them with the sound, and
//! `stats` measures what each stage took.

mod alpha;
pub mod blend;
mod colour;
mod constraints;
mod convert;
pub mod decode;
pub mod encode;
mod gif;
pub mod grade;
pub mod graphics;
pub mod join;
pub mod key;
mod light;
mod lookup;
mod many;
mod motion;
mod overlay;
mod pictures;
mod place;
mod segment;
mod settings;
mod shard;
mod stats;

pub use decode::OnDecodeError;
pub use lookup::unit_keys;
pub use many::{render_many, Target};
pub use pictures::adapt as adapt_for_pictures;
pub use place::check_output;
pub use segment::still;
pub use settings::{cores, OnFailure, Settings};
pub use shard::{render_shard, ShardSummary};
pub use stats::{peak_rss, process_cpu, Reused, Stage, StageName, Summary};

use crate::error::{Error, Result};
use crate::plan::Plan;
use crate::progress::Progress;
use std::path::Path;

/// Renders `plan` to `output` atomically: on any failure nothing is left at
/// `output` and an earlier file there is untouched.
///
/// The phases: prepare the output's directory, open a reference encoder,
/// look every segment and the audio up in the cache, render what is
/// missing (video segments on the workers, the audio on its own thread),
/// commit what was rendered to the cache, then mux and move into place.
/// [`render_many`] does the same for many outputs with one pool.
pub fn render(
    plan: &Plan,
    output: &Path,
    settings: &Settings,
    progress: &dyn Progress,
) -> Result<Summary> {
    let target = Target {
        plan,
        output: output.to_path_buf(),
    };
    let result = render_many(
        &[target],
        settings,
        OnFailure::Stop,
        progress,
        &mut |_, _| {},
    )
    .pop()
    .unwrap_or(Err(Error::Unexpected("nothing was rendered")));
    progress.finish();
    result
}
