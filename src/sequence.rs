//! Image sequences as sources: a clip's `source = "plates/shot_%04d.exr"`
//! names numbered files, opened through FFmpeg's `image2` demuxer at the
//! clip's `fps`, from the first number present; their identity for the
//! cache is every file's name, size and modification time.

use crate::pictures::Pattern;
use crate::time::Ratio;
use ffmpeg_next as ff;
use std::path::Path;
use std::time::SystemTime;

/// How a sequence is opened: the rate its pictures are shown at and the
/// number of its first file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opening {
    pub fps: Ratio,
    pub first: u64,
}

/// Whether `path` names an image sequence: its file name is a pattern
/// (`%04d`, `%d`) and no file has that very name.
pub fn is_sequence(path: &Path) -> bool {
    Pattern::parse(path).is_some() && !path.is_file()
}

/// How the sequence `path` opens at `fps`: from its lowest number, as the
/// `image2` demuxer scans for it. None when no file matches.
pub fn opening(path: &Path, fps: Ratio) -> Option<Opening> {
    let pattern = Pattern::parse(path)?;
    let (first, _) = *pattern.files().first()?;
    Some(Opening { fps, first })
}

/// Opens the sequence through `image2`: its pictures at `fps`, one per
/// file, numbered on from `first` until a number is missing.
pub fn open(path: &Path, o: Opening) -> Result<ff::format::context::Input, ff::Error> {
    let mut opts = ff::Dictionary::new();
    opts.set("framerate", &format!("{}/{}", o.fps.numer(), o.fps.denom()));
    opts.set("start_number", &o.first.to_string());
    opts.set("pattern_type", "sequence");
    ff::format::input_with_dictionary(&path, opts)
}

/// Opens a source: a sequence as [`open`] does, any other file as it is.
pub fn open_source(
    path: &Path,
    sequence: Option<Opening>,
) -> Result<ff::format::context::Input, ff::Error> {
    match sequence {
        Some(o) => open(path, o),
        None => ff::format::input(&path),
    }
}

/// The sequence's identity: every matching file's name, size and
/// modification time (nanoseconds), so that changing any picture changes
/// it without reading every picture.
pub fn fingerprint(path: &Path) -> std::io::Result<String> {
    let pattern = Pattern::parse(path).ok_or(std::io::ErrorKind::InvalidInput)?;
    let files = pattern.files();
    if files.is_empty() {
        return Err(std::io::ErrorKind::NotFound.into());
    }
    let mut h = blake3::Hasher::new();
    h.update(b"sequence\n");
    for (n, file) in files {
        let meta = std::fs::metadata(&file)?;
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        h.update(format!("{n} {} {mtime}\n", meta.len()).as_bytes());
    }
    Ok(h.finalize().to_hex()[..32].to_string())
}
