//! The output container: which extensions reel writes and with which
//! muxer and options, the checks on an output path, and the encoded tracks
//! handed to the muxer.

use crate::error::{Diagnostic, Error, Result};
use ffmpeg_next as ff;
use std::path::{Path, PathBuf};

/// Output extensions (lowercase) and the muxer each is written with.
const MUXERS: &[(&str, &str)] = &[
    ("mp4", "mp4"),
    ("m4v", "mp4"),
    ("mov", "mov"),
    ("mkv", "matroska"),
    ("webm", "webm"),
    ("mxf", "mxf"),
    ("wav", "wav"),
    ("flac", "flac"),
    ("m4a", "mp4"),
    ("mp3", "mp3"),
];

/// The video and audio encoders of a muxer whose FFmpeg defaults reel's
/// (H.264 and AAC) do not fit: VP9 and Opus in WebM; DNxHR HQ (the
/// `dnxhd` encoder's default profile here) and 24-bit PCM in MXF.
pub fn default_codecs(muxer: &str) -> (Option<&'static str>, Option<&'static str>) {
    match muxer {
        "webm" => (Some("libvpx-vp9"), Some("libopus")),
        "mxf" => (Some("dnxhd"), Some("pcm_s24le")),
        _ => (None, None),
    }
}

/// The codecs a muxer takes, when reel restricts them: (video, audio) by
/// FFmpeg codec name. None: whatever FFmpeg's muxer accepts.
pub fn codecs(muxer: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    match muxer {
        "webm" => Some((&["vp8", "vp9", "av1"], &["opus", "vorbis"])),
        // OP1a as FFmpeg writes it: reel offers the mastering codecs.
        "mxf" => Some((&["dnxhd", "prores"], &["pcm_s16le", "pcm_s24le"])),
        _ => None,
    }
}

/// The frame rates FFmpeg's MXF muxer writes (SMPTE ST 377 content
/// package rates), as (numerator, denominator).
pub const MXF_RATES: [(i64, i64); 16] = [
    (24000, 1001),
    (24, 1),
    (25, 1),
    (30000, 1001),
    (30, 1),
    (48000, 1001),
    (48, 1),
    (50, 1),
    (60000, 1001),
    (60, 1),
    (72, 1),
    (75, 1),
    (90, 1),
    (96, 1),
    (100, 1),
    (120, 1),
];

/// Audio-only outputs (no video stream): the extension, the audio encoder
/// used when the EDL names none, and the encoders the file can carry.
const AUDIO_ONLY: &[(&str, &str, &[&str])] = &[
    (
        "wav",
        "pcm_s24le",
        &[
            "pcm_s16le",
            "pcm_s24le",
            "pcm_s32le",
            "pcm_f32le",
            "pcm_f64le",
            "pcm_u8",
        ],
    ),
    ("flac", "flac", &["flac"]),
    ("m4a", "aac", &["aac", "alac"]),
    ("mp3", "libmp3lame", &["libmp3lame"]),
];

/// For an audio-only output path: its default audio encoder and the
/// encoders it can carry.
pub fn audio_only(path: &Path) -> Option<(&'static str, &'static [&'static str])> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    AUDIO_ONLY
        .iter()
        .find(|(e, _, _)| *e == ext)
        .map(|(_, default, carries)| (*default, *carries))
}

/// The muxer name for an output path's extension.
pub fn muxer_for(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    MUXERS.iter().find(|(e, _)| *e == ext).map(|(_, m)| *m)
}

/// The accepted extensions in words: ".mp4, .m4v, .mov or .mkv".
pub fn accepted() -> String {
    let names: Vec<String> = MUXERS.iter().map(|(e, _)| format!(".{e}")).collect();
    let (last, rest) = names.split_last().expect("at least one extension");
    format!("{} or {last}", rest.join(", "))
}

/// Muxer options: mp4 and mov move their index to the front and time their
/// edit lists in `timescale` units (the audio sample rate; the default of
/// 1000 would round the audio's end to a millisecond).
pub fn mux_options(muxer: &str, timescale: i32) -> ff::Dictionary<'static> {
    let mut opts = ff::Dictionary::new();
    if muxer == "mp4" || muxer == "mov" {
        opts.set("movflags", "+faststart");
        opts.set("movie_timescale", &timescale.to_string());
    }
    opts
}

/// The directory a path is in: its parent, or `.` for a bare file name.
pub fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Refuses an output path (exit code 2) that reel cannot write (unknown
/// extension), that would overwrite one of `sources` (named for the
/// message), or that lies inside the render cache `cache_dir`.
pub fn check_output<'a>(
    output: &Path,
    sources: impl IntoIterator<Item = (String, &'a Path)>,
    cache_dir: Option<&Path>,
) -> Result<()> {
    let invalid = |message: String| Error::Invalid(Diagnostic::new(output, message).into());
    if muxer_for(output).is_none() && crate::pictures::kind(output).is_none() {
        return Err(invalid(format!(
            "unsupported output extension (expected {}; or {})",
            accepted(),
            crate::pictures::accepted()
        )));
    }
    // The path as it will be: the directory resolved, the name kept.
    let name = output.file_name().map(PathBuf::from).unwrap_or_default();
    let out = std::fs::canonicalize(parent_dir(output))
        .map_or_else(|_| output.to_path_buf(), |d| d.join(name));
    for (what, source) in sources {
        if std::fs::canonicalize(source).is_ok_and(|s| s == out) {
            return Err(invalid(format!(
                "the output would overwrite the source of {what}; choose another output path"
            )));
        }
    }
    if let Some(dir) = cache_dir {
        if std::fs::canonicalize(dir).is_ok_and(|d| out.starts_with(d)) {
            return Err(invalid(format!(
                "the output is inside the render cache {}; choose another output path",
                dir.display()
            )));
        }
    }
    Ok(())
}

/// One encoded stream, ready for the muxer: its parameters, the time base
/// of its packets' timestamps, and the packets in decode order.
pub struct EncodedTrack {
    pub params: ff::codec::Parameters,
    pub time_base: ff::Rational,
    pub packets: Vec<ff::Packet>,
}

/// Writes `text` to `path` through a temporary file beside it, so that
/// `path` is either the old file or the whole new one.
pub fn write_atomic(path: &Path, text: &str) -> crate::error::Result<()> {
    write_atomic_bytes(path, text.as_bytes())
}

/// A temporary file in `dir`, to be renamed over a result: made with the
/// mode any new file gets (0666 less the umask), not a temporary file's
/// 0600, so that the result is as readable as one written in place.
pub fn temp_file_in(
    dir: &Path,
    prefix: &str,
    suffix: &str,
) -> std::io::Result<tempfile::NamedTempFile> {
    let mut b = tempfile::Builder::new();
    b.prefix(prefix).suffix(suffix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b.tempfile_in(dir)
}

/// A temporary work directory (removed when dropped).
pub fn work_dir(prefix: &str) -> crate::error::Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .map_err(|e| {
            crate::error::Error::io(
                "cannot create a work directory in",
                &std::env::temp_dir(),
                e,
            )
        })
}

/// Writes `bytes` to `path` as [`write_atomic`] does.
pub fn write_atomic_bytes(path: &Path, bytes: &[u8]) -> crate::error::Result<()> {
    use std::io::Write as _;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = temp_file_in(&dir, ".reel-", "")
        .map_err(|e| crate::error::Error::io("cannot create a temporary file in", &dir, e))?;
    tmp.write_all(bytes)
        .map_err(|e| crate::error::Error::io("writing", tmp.path(), e))?;
    tmp.persist(path).map_err(|e| {
        crate::error::Error::io("cannot move the file into place at", path, e.error)
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_map_to_muxers() {
        assert_eq!(muxer_for(Path::new("a/b.MP4")), Some("mp4"));
        assert_eq!(muxer_for(Path::new("b.mkv")), Some("matroska"));
        assert_eq!(muxer_for(Path::new("b.avi")), None);
        assert_eq!(muxer_for(Path::new("b")), None);
        assert_eq!(muxer_for(Path::new("b.webm")), Some("webm"));
        assert_eq!(muxer_for(Path::new("b.MXF")), Some("mxf"));
        assert!(accepted().starts_with(".mp4, .m4v, .mov, .mkv"));
        assert_eq!(muxer_for(Path::new("x.WAV")), Some("wav"));
        assert_eq!(audio_only(Path::new("x.m4a")).map(|a| a.0), Some("aac"));
        assert_eq!(audio_only(Path::new("x.mp4")), None);
        assert_eq!(parent_dir(Path::new("x.mp4")), PathBuf::from("."));
        assert_eq!(parent_dir(Path::new("out/x.mp4")), PathBuf::from("out"));
    }
}
