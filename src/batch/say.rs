//! What a run says as it goes, on standard error: each output's summary
//! or error, as text or as JSON events.

use super::config::RunConfig;
use crate::error::{Error, Report, Result};
use crate::progress::{Event, Progress};
use crate::render::Summary;
use std::path::Path;

/// Says what became of each EDL, as it happens.
pub(super) struct Says<'a> {
    pub config: &'a RunConfig,
    pub progress: &'a dyn Progress,
}

impl Says<'_> {
    /// What became of EDL `i`, whose output is `output`.
    pub fn outcome(&self, i: usize, result: Result<&Summary, &Error>, output: Option<&Path>) {
        let edls = &self.config.edls;
        let edl = &edls[i];
        let json = self.config.show.is_json();
        let place = if edls.len() > 1 {
            format!("[{}/{}] {}: ", i + 1, edls.len(), edl.display())
        } else {
            String::new()
        };
        match result {
            Ok(summary) if self.config.show.notes() => {
                self.progress.note(&format!("reel: {place}{summary}\n"));
            }
            Ok(_) => {}
            Err(e) if json => json_error(edl, e),
            Err(e) => self
                .progress
                .note(&format!("{place}{}", render_error(e, self.config.color))),
        }
        if json {
            Event::Output {
                edl: edl.display().to_string(),
                output: output.map(|p| p.display().to_string()),
                status: if result.is_ok() { "ok" } else { "failed" },
                exit_code: result.map_or_else(|e| e.exit_code(), |_| 0),
            }
            .emit();
        }
    }
}

/// The JSON event of an EDL's failure.
pub(super) fn json_error(edl: &Path, e: &Error) {
    Event::Error {
        edl: edl.display().to_string(),
        exit_code: e.exit_code(),
        message: Report(e).to_string(),
    }
    .emit();
}

/// An error as a person reads it, with the EDL's lines where it has any.
pub(super) fn render_error(e: &Error, color: bool) -> String {
    e.render(color, |p| std::fs::read_to_string(p).ok())
}
