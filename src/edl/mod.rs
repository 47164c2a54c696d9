//! The edit decision list: serde types that mirror the TOML (version 1, see
//! `docs/edl.md`), parsing with positions, and the checks that need no media.
//!
//! Parsing keeps byte spans so that every error can name the file, line and
//! column it is about; validation turns the raw file into [`Edl`], a
//! resolved form with exact times and defaults applied, collecting every
//! problem it finds rather than stopping at the first.
//!
//! - `raw`: what the file says (serde types with spans).
//! - `messages`: TOML and serde errors reworded for people.
//! - `profile`: `[profile.NAME]` and the built-in `proxy` profile.
//! - `validate`: raw to resolved, table by table.
//! - `model`: the resolved types the rest of reel uses.
//! - `text`, `timing`: the graphics tables and a clip's time keys.
//! - `extends`: an EDL built on others.
//! - `channels`: channel names, layouts and which audio streams play where.

pub mod channels;
pub mod extends;
mod messages;
mod model;
mod profile;
mod raw;
mod syntax;
pub mod text;
pub mod timing;
mod validate;

pub use model::*;
pub use syntax::{SourceText, Spans};

use crate::error::{Diagnostic, Diagnostics};
use profile::Profile;
use raw::RawEdl;
use std::path::Path;

impl Edl {
    /// Reads and validates an EDL file.
    pub fn load(file: &Path) -> Result<Edl, Diagnostics> {
        Edl::load_profile(file, None)
    }

    /// Parses EDL text; `file` names it in messages and anchors relative paths.
    pub fn parse(file: &Path, text: &str) -> Result<Edl, Diagnostics> {
        Edl::parse_profile(file, text, None)
    }

    /// Reads an EDL file with `[profile.NAME]` applied.
    pub fn load_profile(file: &Path, profile: Option<&str>) -> Result<Edl, Diagnostics> {
        let text = std::fs::read_to_string(file).map_err(|e| {
            Diagnostics::from(Diagnostic::new(file, format!("cannot read the EDL: {e}")))
        })?;
        // `extends`: the chain merged, each error pointed back at its file.
        if let Some(merged) = extends::resolve(file, &text)? {
            let mut edl = Edl::parse_profile(file, &merged.text, profile)
                .map_err(|d| merged.relocate(d, file))?;
            edl.merged = Some(std::sync::Arc::new(merged));
            return Ok(edl);
        }
        Edl::parse_profile(file, &text, profile)
    }

    /// Parses EDL text with `[profile.NAME]` applied to `[output]`. The
    /// built-in `proxy` profile (unless the EDL defines its own): 640 pixels
    /// wide at the output's aspect ratio, x264 ultrafast crf 28, AAC 96k,
    /// draft decoding. A profile writes to `<name>.<profile>.<ext>` unless
    /// it sets `path`.
    pub fn parse_profile(
        file: &Path,
        text: &str,
        profile: Option<&str>,
    ) -> Result<Edl, Diagnostics> {
        let src = SourceText::new(file, text);
        let raw: RawEdl = toml::from_str(text).map_err(|e| messages::toml_error(&src, &e))?;
        let Some(name) = profile else {
            return validate::validate(&src, raw);
        };
        let (profile, raw) = Profile::select(file, raw, name)?;
        let mut edl = validate::validate(&src, raw)?;
        profile.finish(&mut edl.output);
        Ok(edl)
    }
}

#[cfg(test)]
mod tests;
