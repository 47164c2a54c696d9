//! Getting a render ready: reading an EDL (or a cut imported from another
//! tool), checking the files it names, probing every source once, and
//! planning the montage with its graphics. Every problem found is reported
//! together; nothing is decoded.

use crate::edl::ClipSource;
use crate::error::{self, Error, Result};
use crate::plan::PlanError;
use crate::probe::ProbeError;
use crate::{
    captions, cube, edl, ffmpeg, fonts, import, interchange, layers, plan, probe, render, time,
};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;

/// Reads the EDL (with `[profile.NAME]` applied), probes every source and
/// plans the montage. Every problem
/// found is reported together; nothing is decoded.
pub fn prepare(edl_path: &Path, profile: Option<&str>) -> Result<(edl::Edl, plan::Plan)> {
    prepare_with(edl_path, profile, &import::Options::default())
}

/// Reads an EDL, or a cut from another tool (`.edl`, `.otio`, `.fcpxml`,
/// imported with `opts`), with `[profile.NAME]` applied. Returns what the
/// import dropped or approximated as warnings.
pub fn load(
    edl_path: &Path,
    profile: Option<&str>,
    opts: &import::Options,
) -> Result<(edl::Edl, Vec<error::Diagnostic>)> {
    match interchange::Format::of(edl_path) {
        Some(_) => {
            let imported = import::import(edl_path, opts)?;
            let edl = edl::Edl::parse_profile(&imported.anchor, &imported.toml, profile)?;
            Ok((edl, imported.warnings))
        }
        None => Ok((edl::Edl::load_profile(edl_path, profile)?, Vec::new())),
    }
}

/// [`prepare`] for any file [`load`] reads.
pub fn prepare_with(
    edl_path: &Path,
    profile: Option<&str>,
    opts: &import::Options,
) -> Result<(edl::Edl, plan::Plan)> {
    ffmpeg::init()?;
    let (edl, warnings) = load(edl_path, profile, opts)?;
    plan_loaded(edl_path, edl, warnings, opts)
}

/// Checks and plans an EDL already read from `edl_path` (with what its
/// import reported as `warnings`).
pub fn plan_loaded(
    edl_path: &Path,
    edl: edl::Edl,
    warnings: Vec<error::Diagnostic>,
    opts: &import::Options,
) -> Result<(edl::Edl, plan::Plan)> {
    ffmpeg::init()?;
    if let Some(root) = &opts.media_root {
        check_media_root(&edl, root)?;
    }
    let merged = edl.merged.clone();
    let (edl, mut plan) = plan_edl(edl_path, edl).map_err(|e| match (e, &merged) {
        // An EDL that extends others: errors at the file that holds the value.
        (Error::Invalid(d), Some(m)) => Error::Invalid(m.relocate(d, edl_path)),
        (e, _) => e,
    })?;
    plan.layers.warnings.extend(warnings);
    Ok((edl, plan))
}

fn plan_edl(edl_path: &Path, edl: edl::Edl) -> Result<(edl::Edl, plan::Plan)> {
    check_luts(&edl)?;
    let clip_probes = clip_probes(&edl);
    let voice_probes: Vec<_> = edl
        .voiceovers
        .par_iter()
        .map(|v| probe::probe(&v.source).map_err(Arc::new))
        .collect();
    let music_probes: Vec<_> = edl
        .music
        .par_iter()
        .map(|m| probe::probe(&m.sound.source).map_err(Arc::new))
        .collect();
    let (graphics, unread) = read_graphics(&edl);
    let planned = plan::plan(&edl, &clip_probes, &voice_probes, &music_probes, &graphics);
    // Each kind of problem is reported only when the kinds before it are
    // none: the timeline's, the encoders', unreadable graphics, the layers'.
    let planned = match planned {
        Err(PlanError::Timeline(d)) => return Err(Error::Invalid(d)),
        planned => planned,
    };
    check_encoders(edl_path, &edl.output)?;
    unread?;
    let plan = planned.map_err(|e| Error::Invalid(e.into()))?;
    Ok((edl, plan))
}

/// Each clip's probe: each source probed once, however many clips it
/// gives (an hour's timeline may cut 900 clips from a few files), its
/// error shared by them all.
fn clip_probes(edl: &edl::Edl) -> Vec<std::result::Result<probe::Probe, Arc<ProbeError>>> {
    // An image sequence is probed at its clip's rate.
    let mut sources: Vec<(&Path, Option<crate::time::Ratio>)> = edl
        .clips
        .iter()
        .filter_map(|c| Some((c.source.file().map(PathBuf::as_path)?, c.fps)))
        .collect();
    sources.sort();
    sources.dedup();
    type Probed = std::result::Result<probe::Probe, Arc<ProbeError>>;
    let probed: HashMap<(&Path, Option<crate::time::Ratio>), Probed> = sources
        .par_iter()
        .map(|&(s, fps)| ((s, fps), probe::probe_at(s, fps).map_err(Arc::new)))
        .collect();
    edl.clips
        .iter()
        .map(|c| match &c.source {
            ClipSource::Card(_) => Ok(card_probe(&edl.output)),
            ClipSource::File(path) => probed[&(path.as_path(), c.fps)].clone(),
        })
        .collect()
}

/// Refuses every file the EDL reads that does not lie under `root` once
/// symbolic links are followed (a file that does not exist is left to the
/// checks that follow).
fn check_media_root(edl: &edl::Edl, root: &Path) -> Result<()> {
    use error::{Diagnostic, Diagnostics};
    let root = std::fs::canonicalize(root)
        .map_err(|e| Error::Usage(format!("--media-root {}: {e}", root.display())))?;
    let mut files: Vec<(&Path, String)> = Vec::new();
    for c in &edl.clips {
        if let Some(path) = c.source.file() {
            files.push((path, format!("clip {} source", c.number)));
        }
        if let Some(l) = &c.lut {
            files.push((l, format!("clip {} lut", c.number)));
        }
    }
    if let Some(l) = &edl.output.lut {
        files.push((l, "[output] lut".into()));
    }
    for v in &edl.voiceovers {
        files.push((&v.source, format!("voiceover {} source", v.number)));
    }
    for m in &edl.music {
        files.push((&m.sound.source, format!("music {} source", m.sound.number)));
    }
    for o in &edl.overlays {
        files.push((&o.source, format!("overlay {} source", o.number)));
    }
    for c in &edl.captions {
        files.push((&c.source, format!("captions {} source", c.number)));
    }
    if let Some(d) = &edl.fonts.dir {
        files.push((d, "[fonts] dir".into()));
    }
    let mut errs = Diagnostics::default();
    for (path, what) in files {
        let Ok(real) = std::fs::canonicalize(path) else {
            continue;
        };
        if !real.starts_with(&root) {
            errs.push(Diagnostic::new(
                &edl.file,
                format!(
                    "{what} {} is outside --media-root {} (it is {})",
                    path.display(),
                    root.display(),
                    real.display()
                ),
            ));
        }
    }
    errs.into_result(()).map_err(Error::Invalid)
}

/// Reads every `.cube` LUT the EDL names: a missing file is reported at
/// the `lut` key, a bad table at its own line.
fn check_luts(edl: &edl::Edl) -> Result<()> {
    use error::{Diagnostic, Diagnostics};
    let mut errs = Diagnostics::default();
    let mut seen = std::collections::BTreeSet::new();
    let uses = edl
        .clips
        .iter()
        .filter_map(|c| c.lut.as_ref().map(|l| (l, &c.spans, Some(c))))
        .chain(
            edl.output
                .lut
                .as_ref()
                .map(|l| (l, &edl.output.spans, None)),
        );
    for (path, spans, clip) in uses {
        if !seen.insert(path.clone()) {
            continue;
        }
        let problem = match std::fs::read(path) {
            Err(e) => Some(spans.diagnostic(
                &edl.file,
                "lut",
                format!("cannot read the LUT {}: {e}", path.display()),
            )),
            Ok(bytes) => cube::check(&bytes).err().map(|e| {
                Diagnostic::new(path, format!("not a 3D .cube LUT: {}", e.message)).at(e.line, 1)
            }),
        };
        if let Some(d) = problem {
            errs.push(match clip {
                Some(c) => d.clip(c.number, &c.source_text, c.line),
                None => d,
            });
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errs))
    }
}

/// What a card clip is planned as: a still picture of the output's size.
fn card_probe(out: &edl::Output) -> probe::Probe {
    let mut p = probe::Probe::builder("", 1_000_000)
        .fps(out.fps)
        .size(out.width, out.height)
        .build();
    if let Some(v) = p.video.as_mut() {
        v.still = true;
        v.end = None;
    }
    p
}

/// Reads the fonts, caption files and overlay images' sizes the layers are
/// drawn from; every problem found is reported together (after a font
/// failure nothing more is read). What cannot be read is stood in for, so
/// that the plan's own problems can still be found and reported first.
fn read_graphics(edl: &edl::Edl) -> (layers::Graphics, Result<()>) {
    let mut errs = error::Diagnostics::default();
    let fonts = match fonts::FontSet::load(edl.fonts.dir.as_deref()) {
        Ok(f) => f,
        Err(e) => {
            let d = edl.fonts.spans.diagnostic(&edl.file, "dir", e.to_string());
            return (layers::Graphics::default(), Err(Error::Invalid(d.into())));
        }
    };
    let cue_files = read_cues(edl, &mut errs);
    let images = image_sizes(edl, &mut errs);
    let graphics = layers::Graphics {
        fonts: Arc::new(fonts),
        cue_files,
        images,
    };
    let read = if errs.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errs))
    };
    (graphics, read)
}

/// The cues of each caption file (none where it cannot be read or parsed,
/// which is reported).
fn read_cues(edl: &edl::Edl, errs: &mut error::Diagnostics) -> Vec<layers::CueFile> {
    use error::Diagnostic;
    let mut cue_files = Vec::new();
    for c in &edl.captions {
        let format = captions::Format::from_path(&c.source).unwrap_or(captions::Format::Srt);
        let parsed = match std::fs::read(&c.source) {
            Err(e) => Err(Diagnostic::new(
                &c.source,
                format!("cannot read the caption file: {e}"),
            )),
            Ok(bytes) => captions::parse(&bytes, format)
                .map_err(|e| Diagnostic::new(&c.source, e.message).at(e.line, 1)),
        };
        let cues = parsed.unwrap_or_else(|d| {
            errs.push(d.about("captions", c.number, &c.source_text, c.line));
            Vec::new()
        });
        cue_files.push(layers::CueFile { cues });
    }
    cue_files
}

/// The size of each overlay image (1x1 where it cannot be read, which is
/// reported).
fn image_sizes(edl: &edl::Edl, errs: &mut error::Diagnostics) -> Vec<layers::ImageSize> {
    let mut images = Vec::new();
    for o in &edl.overlays {
        let size = probe::probe(&o.source)
            .ok()
            .and_then(|p| p.video)
            .map(|v| layers::ImageSize {
                width: v.width,
                height: v.height,
                sar: v.sar,
            });
        match size {
            Some(s) => images.push(s),
            None => {
                errs.push(
                    o.spans
                        .diagnostic(
                            &edl.file,
                            "source",
                            format!("cannot read the overlay image {}", o.source.display()),
                        )
                        .about("overlay", o.number, &o.source_text, o.line),
                );
                images.push(layers::ImageSize {
                    width: 1,
                    height: 1,
                    sar: time::Ratio::from_integer(1),
                });
            }
        }
    }
    images
}

/// Reports bad encoder settings at the EDL line and column that set them.
fn check_encoders(edl_path: &Path, output: &edl::Output) -> Result<()> {
    let problems = render::encode::check_settings(output);
    if problems.is_empty() {
        return Ok(());
    }
    let diags = problems
        .into_iter()
        .map(|(key, message)| output.spans.diagnostic(edl_path, key, message))
        .collect::<Vec<_>>();
    Err(Error::Invalid(error::Diagnostics(diags)))
}
