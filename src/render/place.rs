//! Where an output goes and what it is joined with: its directory and
//! muxer, the temporary file renamed into place, the reference encoder
//! every segment must match, and the caption tracks to embed.

use super::{encode, join};
use crate::cache::Cache;
use crate::container;
use crate::error::{Error, Result};
use crate::ffmpeg;
use crate::plan::Plan;
use crate::time::Ratio;
use ffmpeg_next as ff;
use std::path::{Path, PathBuf};

/// Refuses an output path that reel cannot write, that would overwrite a
/// source or that lands inside the cache (exit code 2).
pub fn check_output(plan: &Plan, output: &Path, cache: Option<&Cache>) -> Result<()> {
    let a = &plan.audio;
    let sources = plan
        .clips
        .iter()
        .filter_map(|c| Some((format!("clip {}", c.number), c.source.file()?.as_path())))
        .chain(
            a.voiceovers
                .iter()
                .chain(&a.music)
                .map(|r| (r.label.clone(), r.source.as_path())),
        );
    container::check_output(output, sources, cache.map(|c| c.dir.as_path()))?;
    check_embedded_captions(plan, output)
}

/// Refuses captions to embed (`embed = true`) in a movie container that
/// carries no subtitles (MXF), before anything is rendered.
fn check_embedded_captions(plan: &Plan, output: &Path) -> Result<()> {
    let Some(track) = plan.layers.tracks.iter().find(|t| t.embed) else {
        return Ok(());
    };
    // A picture or a sound file has no subtitle streams to speak of.
    let movie = crate::pictures::kind(output).is_none() && container::audio_only(output).is_none();
    let carries = container::muxer_for(output).is_some_and(|m| join::subtitle_codec(m).is_ok());
    if !movie || carries {
        return Ok(());
    }
    Err(Error::Invalid(
        crate::error::Diagnostic::new(
            output,
            format!(
                "the \"{}\" captions are to be embedded (embed = true), but this file carries \
                 no subtitles: set embed = false, and sidecar = [\"srt\"] to write them beside it",
                track.language
            ),
        )
        .into(),
    ))
}

/// Where the output goes: its muxer, its directory (made if missing) and a
/// work directory beside it for segments rendered without a cache.
pub(super) struct OutputPlace {
    pub(super) muxer: &'static str,
    pub(super) dir: PathBuf,
    pub(super) work: tempfile::TempDir,
}

impl OutputPlace {
    pub(super) fn prepare(output: &Path) -> Result<OutputPlace> {
        ffmpeg::init()?;
        container::check_output(output, [], None)?;
        super::pictures::check_place(output)?;
        // A picture output has no muxer of its own here.
        let muxer = container::muxer_for(output).unwrap_or("");
        let dir =
            super::pictures::place_dir(output).unwrap_or_else(|| container::parent_dir(output));
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::io("cannot create output directory", &dir, e))?;
        let work = tempfile::Builder::new()
            .prefix(".reel-work-")
            .tempdir_in(&dir)
            .map_err(|e| Error::io("cannot create a work directory in", &dir, e))?;
        Ok(OutputPlace { muxer, dir, work })
    }

    /// Writes the output with `write` into a temporary file beside it,
    /// flushes it and renames it into place.
    pub(super) fn persist(
        self,
        output: &Path,
        write: impl FnOnce(&Path) -> Result<()>,
    ) -> Result<()> {
        let ext = output
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()))
            .unwrap_or_default();
        let name = output
            .file_name()
            .map_or("out".into(), |n| n.to_string_lossy().into_owned());
        let tmp = container::temp_file_in(&self.dir, &format!(".{name}.reel-"), &ext)
            .map_err(|e| Error::io("cannot create a temporary file in", &self.dir, e))?;
        write(tmp.path())?;
        crate::signal::check()?;
        tmp.as_file()
            .sync_all()
            .map_err(|e| Error::io("flushing", tmp.path(), e))?;
        tmp.persist(output)
            .map_err(|e| Error::io("cannot move the render into place at", output, e.error))?;
        Ok(())
    }
}

/// An encoder opened once up front: it fails early on bad settings and
/// gives the stream parameters every segment must match.
pub(super) struct Reference {
    pub(super) params: ff::codec::Parameters,
    pub(super) extradata: Vec<u8>,
    pub(super) time_base: ff::Rational,
}

impl Reference {
    pub(super) fn open(output: &crate::edl::Output) -> Result<Reference> {
        let encoder = encode::open_encoder(output)?;
        Ok(Reference {
            params: ff::codec::Parameters::from(&*encoder),
            extradata: ffmpeg::extradata(&encoder),
            time_base: encoder.time_base(),
        })
    }
}

/// The caption tracks to embed, their cues in milliseconds from the
/// render's first frame, clipped to the rendered range (cues left empty
/// dropped).
pub(super) fn subtitle_tracks(plan: &Plan) -> Vec<join::SubtitleTrack> {
    let (first, last) = (plan.range.start, plan.range.end);
    let ms = |frame: u64| {
        crate::time::round(Ratio::from_integer((frame - first) as i64 * 1000) / plan.output.fps)
    };
    plan.layers
        .tracks
        .iter()
        .filter(|t| t.embed)
        .map(|t| join::SubtitleTrack {
            language: t.language.clone(),
            cues: t
                .cues
                .iter()
                .filter_map(|(frames, text)| {
                    let (a, b) = (frames.start.max(first), frames.end.min(last));
                    (a < b).then(|| (ms(a), ms(b), text.clone()))
                })
                .collect(),
        })
        .collect()
}
