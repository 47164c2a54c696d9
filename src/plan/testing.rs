//! Plans from EDL text and made-up probes, for unit tests.

use crate::edl::Edl;
use crate::probe::{Probe, ProbeError};
use crate::time::Ratio;
use std::path::Path;

pub(crate) fn probe(path: &str, secs: i64, fps: i64, audio: bool) -> Result<Probe, ProbeError> {
    let p = Probe::builder(path, secs).fps(Ratio::from_integer(fps));
    Ok(if audio { p.audio(44100, 2) } else { p }.build())
}

pub(crate) fn edl(body: &str) -> Edl {
    let text = format!("[output]\nwidth = 64\nheight = 36\nfps = 30\n{body}");
    Edl::parse(Path::new("t.toml"), &text).unwrap()
}
