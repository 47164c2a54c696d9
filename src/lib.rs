//! reel renders a TOML edit decision list into a finished montage through
//! FFmpeg's libraries.
//!
//! Pipeline: [`edl`] parses and checks the file, [`probe`] reads each source,
//! [`plan`] lays out a frame-exact timeline (pure), [`render`] encodes video
//! segments in parallel and joins them with the [`audio`] mix.

pub mod audio;
pub mod cache;
pub mod captions;
pub mod container;
pub mod demux;
pub mod edl;
pub mod error;
pub mod fonts;
pub mod glue;
pub mod packet;
pub mod plan;
pub mod probe;
pub mod progress;
pub mod proxy;
pub mod render;
pub mod report;
pub mod signal;
pub mod time;

use error::{Error, Result};
use rayon::prelude::*;
use std::path::Path;

/// Reads the EDL (with `[profile.NAME]` applied), probes every source and
/// plans the montage. Every problem
/// found is reported together; nothing is decoded.
pub fn prepare(edl_path: &Path, profile: Option<&str>) -> Result<(edl::Edl, plan::Plan)> {
    glue::init()?;
    let edl = edl::Edl::load_profile(edl_path, profile)?;
    let clip_probes: Vec<_> = edl
        .clips
        .par_iter()
        .map(|c| probe::probe(&c.source))
        .collect();
    let voice_probes: Vec<_> = edl
        .voiceovers
        .par_iter()
        .map(|v| probe::probe(&v.source))
        .collect();
    let music_probes: Vec<_> = edl
        .music
        .par_iter()
        .map(|m| probe::probe(&m.sound.source))
        .collect();
    let plan = plan::plan(&edl, &clip_probes, &voice_probes, &music_probes)?;
    check_encoders(edl_path, &plan)?;
    Ok((edl, plan))
}

/// Reports bad encoder settings at the EDL line and column that set them.
fn check_encoders(edl_path: &Path, plan: &plan::Plan) -> Result<()> {
    let problems = render::encode::check_settings(&plan.output);
    if problems.is_empty() {
        return Ok(());
    }
    let diags = problems
        .into_iter()
        .map(|(key, message)| plan.output.spans.diagnostic(edl_path, key, message))
        .collect::<Vec<_>>();
    Err(Error::Invalid(error::Diagnostics(diags)))
}
