//! Outputs that are pictures rather than a movie (see [`crate::pictures`]):
//! the plan made ready for one (its segments encoded by an image encoder,
//! one frame chosen for a still), and the encoded segments written out as
//! a still, an image sequence or a GIF ([`super::gif`]), each atomically.
//!
//! An image encoder's packet is a whole image file, so a still is its one
//! packet and a sequence is each packet in its own file; segments render
//! in parallel and through the cache as a movie's do.

use super::join::SegmentFile;
use crate::error::{Diagnostic, Error, Result};
use crate::packet::{self, Content};
use crate::pictures::{Kind, Pattern};
use crate::plan::Plan;
use crate::time;
use ffmpeg_next as ff;
use std::path::{Path, PathBuf};

/// The number of a sequence's first file (timeline frame 0), as FFmpeg's
/// `image2` muxer and most compositing tools count.
pub const FIRST_NUMBER: u64 = 1;

/// Makes `plan` ready for `output` when that is a picture output: its
/// segments are encoded by the image encoder, and a still renders the one
/// frame at `at` (`--at`), else at `[output] poster`, else the first.
/// Errors: a time past the end (the poster's at its line in `edl`), and
/// `--range` for a still.
pub fn adapt(
    mut plan: Plan,
    output: &Path,
    at: Option<&str>,
    ranged: bool,
    edl: &Path,
) -> Result<Plan> {
    let Some(kind) = crate::pictures::kind(output) else {
        return Ok(plan);
    };
    plan.output.video.codec = kind.segment_codec().to_string();
    // A transparent picture is composed with alpha, then written as RGBA.
    let composed_alpha = plan
        .output
        .video
        .pix_fmt
        .parse::<ff::format::Pixel>()
        .is_ok_and(crate::ffmpeg::has_alpha);
    if plan.output.transparent && !composed_alpha {
        plan.output.video.pix_fmt = "yuva444p".to_string();
    }
    if !matches!(kind, Kind::Still(_)) {
        return Ok(plan);
    }
    if ranged {
        return Err(Error::Usage(
            "--range renders a span; a still is one frame: choose it with --at".into(),
        ));
    }
    let frame = still_frame(&plan, at, edl)?;
    Ok(plan.restrict(frame..frame + 1))
}

/// The timeline frame a still shows: the one whose span holds `--at` (or
/// the poster time).
fn still_frame(plan: &Plan, at: Option<&str>, edl: &Path) -> Result<u64> {
    let fps = plan.output.fps;
    let seconds = match at {
        Some(text) => time::parse_timecode(text)
            .and_then(|t| t.resolve(fps))
            .map_err(|e| Error::Usage(format!("--at {text}: {e}")))?,
        None => plan.output.poster.unwrap_or_default(),
    };
    let frame = (seconds * fps).floor().to_integer().max(0) as u64;
    if frame < plan.frames {
        return Ok(frame);
    }
    let message = format!(
        "{} is past the end of the montage ({})",
        time::Clock(seconds),
        time::Clock(plan.duration())
    );
    Err(match at {
        Some(text) => Error::Usage(format!("--at {text}: {message}")),
        None => Error::Invalid(
            plan.output
                .spans
                .diagnostic(edl, "poster", format!("the poster time {message}"))
                .into(),
        ),
    })
}

/// Refuses a sequence whose directory holds anything but the sequence's
/// files: the directory is replaced whole.
pub(super) fn check_place(output: &Path) -> Result<()> {
    let Some(Kind::Sequence(_, p)) = crate::pictures::kind(output) else {
        return Ok(());
    };
    let Ok(entries) = std::fs::read_dir(&p.dir) else {
        return Ok(());
    };
    let other = entries.flatten().find(|e| {
        let ours = e.file_type().is_ok_and(|t| t.is_file())
            && e.file_name().to_str().and_then(|n| p.number(n)).is_some();
        !ours
    });
    match other {
        None => Ok(()),
        Some(e) => Err(Error::Invalid(
            Diagnostic::new(
                output,
                format!(
                    "the sequence's directory {} holds {}, which is not one of its frames; \
                     a sequence's directory is replaced whole: give it a directory of its own",
                    p.dir.display(),
                    e.file_name().to_string_lossy()
                ),
            )
            .into(),
        )),
    }
}

/// The directory an output's temporary files go in: beside the output,
/// or for a sequence beside its directory.
pub(super) fn place_dir(output: &Path) -> Option<PathBuf> {
    match crate::pictures::kind(output)? {
        Kind::Sequence(_, p) => Some(crate::container::parent_dir(&p.dir)),
        _ => None,
    }
}

/// Writes the encoded `segments` of `plan` as the picture output `kind`:
/// into `tmp` (a temporary file beside the output, moved into place by the
/// caller) for a still or a GIF, into a temporary directory moved into
/// place here for a sequence.
pub(super) fn write(
    kind: &Kind,
    plan: &Plan,
    params: &ffmpeg_next::codec::Parameters,
    segments: Vec<SegmentFile>,
    tmp: &Path,
) -> Result<()> {
    match kind {
        Kind::Still(_) => write_still(segments, tmp),
        Kind::Gif => super::gif::write(plan, params, segments, tmp),
        Kind::Sequence(_, p) => write_sequence(p, plan.range.start, segments),
    }
}

/// Calls `f` with each packet of the segments and its frame, counted from
/// the render's first frame.
fn each_packet(
    segments: Vec<SegmentFile>,
    mut f: impl FnMut(u64, packet::Packet) -> Result<()>,
) -> Result<()> {
    for seg in segments {
        let mut reader = packet::Reader::open(seg.file, &seg.name, Content::Segment)?;
        while let Some(p) = reader.read()? {
            crate::signal::check()?;
            let frame = seg.first_frame + p.pts.unwrap_or(0).max(0) as u64;
            f(frame, p)?;
        }
    }
    Ok(())
}

/// The one image of a still.
fn write_still(segments: Vec<SegmentFile>, tmp: &Path) -> Result<()> {
    let mut written = false;
    each_packet(segments, |_, p| {
        if !written {
            std::fs::write(tmp, &p.data).map_err(|e| Error::io("writing", tmp, e))?;
            written = true;
        }
        Ok(())
    })?;
    match written {
        true => Ok(()),
        false => Err(Error::Unexpected("the still's picture is missing")),
    }
}

/// Every image of a sequence, numbered by its timeline frame from
/// [`FIRST_NUMBER`], written into a temporary directory beside the
/// sequence's that then takes its place (an earlier sequence there goes
/// whole).
fn write_sequence(p: &Pattern, first: u64, segments: Vec<SegmentFile>) -> Result<()> {
    let parent = crate::container::parent_dir(&p.dir);
    let name = p
        .dir
        .file_name()
        .map_or("frames".into(), |n| n.to_string_lossy().into_owned());
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.reel-"))
        .tempdir_in(&parent)
        .map_err(|e| Error::io("cannot create a temporary directory in", &parent, e))?;
    each_packet(segments, |frame, packet| {
        let file = tmp.path().join(p.name(FIRST_NUMBER + first + frame));
        std::fs::write(&file, &packet.data).map_err(|e| Error::io("writing", &file, e))
    })?;
    crate::signal::check()?;
    replace_dir(tmp, &p.dir)
}

/// Moves the directory `new` to `dir`, swapping it with an earlier one in
/// one step where the system can (Linux), which is then removed.
fn replace_dir(new: tempfile::TempDir, dir: &Path) -> Result<()> {
    let fail = |e| Error::io("cannot move the sequence into place at", dir, e);
    if std::fs::symlink_metadata(dir).is_err() {
        return std::fs::rename(new.keep(), dir).map_err(fail);
    }
    if !exchange(new.path(), dir)? {
        // No atomic swap: the old one moves aside first.
        let old = new.path().with_extension("old");
        std::fs::rename(dir, &old).map_err(fail)?;
        std::fs::rename(new.path(), dir).map_err(fail)?;
        std::fs::rename(&old, new.path()).map_err(fail)?;
    }
    // `new` now holds the earlier sequence, removed as it is dropped.
    drop(new);
    Ok(())
}

/// Swaps two paths at once; false where the system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> Result<bool> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes()).ok();
    let (Some(ca), Some(cb)) = (c(a), c(b)) else {
        return Ok(false);
    };
    // SAFETY: two valid NUL-terminated paths, relative to the working
    // directory.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EINVAL) | Some(libc::ENOSYS) => Ok(false),
        _ => Err(Error::io("cannot move the sequence into place at", b, e)),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> Result<bool> {
    Ok(false)
}
