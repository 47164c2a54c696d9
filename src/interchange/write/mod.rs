//! Writing a timeline out: OTIO, CMX3600 and FCPXML.
//!
//! reel's [`Timeline`] overlaps each event with the next by its transition.
//! OTIO and FCPXML instead lay clips back to back, cut to cut, and let a
//! transition reach into the media beyond each clip's ends. A transition of
//! `d` frames is split around its cut: `in_offset = d / 2` frames (rounded
//! down) before the cut, `out_offset = d - in_offset` after it. The outgoing
//! clip loses `out_offset` frames at its end, the incoming one `in_offset`
//! frames at its start; their source times move with their speeds.
//!
//! Every time is rounded to the nearest frame at the rate the export is
//! written at; a timeline made at that rate is already frame-aligned.

mod cmx;
mod fcpxml;
mod layout;
mod otio;
#[cfg(test)]
mod tests;

pub use cmx::cmx;
pub use fcpxml::fcpxml;
pub use otio::otio;
