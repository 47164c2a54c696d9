//! Plans from EDL text and made-up probes, for unit tests.

use crate::edl::Edl;
use crate::fonts::FontSet;
use crate::layers::Graphics;
use crate::probe::{Probe, ProbeError};
use crate::time::Ratio;
use std::path::Path;
use std::sync::Arc;

pub(crate) fn probe(path: &str, secs: i64, fps: i64, audio: bool) -> Result<Probe, ProbeError> {
    let p = Probe::builder(path, secs).fps(Ratio::from_integer(fps));
    Ok(if audio { p.audio(44100, 2) } else { p }.build())
}

pub(crate) fn edl(body: &str) -> Edl {
    let text = format!("[output]\nwidth = 64\nheight = 36\nfps = 30\n{body}");
    Edl::parse(Path::new("t.toml"), &text).unwrap()
}

/// The graphics of an EDL that reads no files for them: the shipped fonts.
pub(crate) fn graphics() -> Graphics {
    Graphics {
        fonts: Arc::new(FontSet::load(None).unwrap()),
        ..Graphics::default()
    }
}
