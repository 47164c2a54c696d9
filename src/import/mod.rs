//! Cuts from other tools made into reel EDLs: a CMX3600, OTIO or FCPXML
//! file is read into an [`interchange::Timeline`], each event is linked
//! to a media file (`--media` folders, `--media-map`, the paths the file
//! gives), its source times are taken from the media's own timecode, and
//! the result is written as reel EDL text, over the `--settings` EDL's
//! output, profiles, sound and layers when one is given.

mod link;
mod write;

use crate::error::{Diagnostic, Diagnostics, Error, Result};
use crate::interchange::{self, timecode::Rate, Format, ImportError, Media, MediaRef, Timeline};
use crate::probe;
use crate::time::{Clock, Ratio};
use link::{check_range, span_of, timecode_start, Link, Linker};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// What an import needs besides the file.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Folders searched (recursively) for media.
    pub media: Vec<PathBuf>,
    /// A TOML file of `name = "path"`: reel or clip names to media files.
    pub media_map: Option<PathBuf>,
    /// The frame rate a CMX3600 file is read at ("25", "29.97df").
    pub fps: Option<String>,
    /// A reel EDL whose settings, sound and layers the cut is rendered with.
    pub settings: Option<PathBuf>,
    /// Every file the EDL reads must lie under this folder, after symbolic
    /// links are followed (for services that render their users' files).
    pub media_root: Option<PathBuf>,
}

/// A cut made into a reel EDL.
pub struct Imported {
    /// The reel EDL text.
    pub toml: String,
    /// Where that text is anchored: relative paths in it resolve from here
    /// (the settings file's folder, else the cut's).
    pub anchor: PathBuf,
    /// What the cut holds that reel drops or approximates.
    pub warnings: Vec<Diagnostic>,
}

/// Reads the cut at `path` and makes it a reel EDL.
pub fn import(path: &Path, opts: &Options) -> Result<Imported> {
    let format = Format::of(path).ok_or_else(|| {
        Error::Usage(format!(
            "{}: not a cut reel reads (.edl, .otio or .fcpxml)",
            path.display()
        ))
    })?;
    let text = std::fs::read(path).map_err(|source| Error::Io {
        action: "reading",
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8_lossy(&text).into_owned();
    let settings = match &opts.settings {
        Some(s) => Some((
            s.clone(),
            std::fs::read_to_string(s).map_err(|source| Error::Io {
                action: "reading",
                path: s.clone(),
                source,
            })?,
        )),
        None => None,
    };
    // Times in these files are exact fractions; a file crafted to overflow
    // them is refused rather than trusted.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let parsed = std::panic::catch_unwind(|| parse(format, &text, path, opts, settings.as_ref()));
    std::panic::set_hook(hook);
    let (timeline, rate) = match parsed {
        Ok(r) => r?,
        Err(_) => {
            return Err(Error::Invalid(
                Diagnostic::new(
                    path,
                    "the file's times cannot be represented exactly (numbers too large)",
                )
                .into(),
            ))
        }
    };
    finish(path, opts, settings, timeline, rate)
}

/// Reads the cut into a timeline, at the rate it is counted in.
fn parse(
    format: Format,
    text: &str,
    path: &Path,
    opts: &Options,
    settings: Option<&(PathBuf, String)>,
) -> Result<(Timeline, Rate)> {
    let one = |e: ImportError| Error::Invalid(diagnostic(path, e).into());
    Ok(match format {
        Format::Cmx3600 => {
            interchange::cmx::sniff(text)
                .map_err(|m| Error::Invalid(Diagnostic::new(path, m.to_string()).into()))?;
            let rate = cmx_rate(path, opts, settings)?;
            let t = interchange::cmx::parse(text, rate).map_err(|errs| {
                Error::Invalid(Diagnostics(
                    errs.into_iter().map(|e| diagnostic(path, e)).collect(),
                ))
            })?;
            (t, rate)
        }
        Format::Otio => {
            let t = interchange::otio::parse(text).map_err(one)?;
            let rate = rate_of(&t);
            (t, rate)
        }
        Format::Fcpxml => {
            let t = interchange::fcpxml::parse(text).map_err(one)?;
            let rate = rate_of(&t);
            (t, rate)
        }
    })
}

/// Links the timeline's media and writes the reel EDL.
fn finish(
    path: &Path,
    opts: &Options,
    settings: Option<(PathBuf, String)>,
    timeline: Timeline,
    rate: Rate,
) -> Result<Imported> {
    let mut timeline = timeline;
    // The settings' own narration and music are the sound: the cut's
    // separate sounds would play twice (a montage exported and imported).
    let settings_sound = settings.as_ref().is_some_and(|(_, text)| {
        toml::from_str::<toml::Table>(text)
            .is_ok_and(|t| t.contains_key("voiceover") || t.contains_key("music"))
    });
    if settings_sound && !timeline.sounds.is_empty() {
        timeline.notes.push(interchange::Note {
            line: 0,
            origin: String::new(),
            message: format!(
                "{} sound events are not used: the --settings EDL brings its own voiceovers and music",
                timeline.sounds.len()
            ),
        });
        timeline.sounds.clear();
    }
    if timeline.events.is_empty() {
        return Err(Error::Invalid(
            Diagnostic::new(path, "the cut has no picture events").into(),
        ));
    }
    let linker = Linker::new(path, &opts.media, opts.media_map.as_deref())?;
    let root = match &opts.media_root {
        Some(r) => Some(
            std::fs::canonicalize(r)
                .map_err(|e| Error::Usage(format!("--media-root {}: {e}", r.display())))?,
        ),
        None => None,
    };
    let links = link_all(&timeline, &linker, path, root.as_deref())?;
    let warnings = timeline
        .notes
        .iter()
        .map(|n| diagnostic(path, ImportError::new(n.line, n.origin.clone(), &n.message)))
        .collect();
    let anchor = match &settings {
        Some((p, _)) => p.with_file_name(format!("{}.imported.toml", stem(path))),
        None => path.with_extension("imported.toml"),
    };
    let body = write::clips_toml(&timeline, &links, rate);
    let head = match &settings {
        Some((_, text)) => write::without_clips(text),
        None => write::default_settings(&stem(path), &timeline, rate),
    };
    let toml = format!(
        "# Imported from {} by reel import: one [[clip]] per event, named in a comment.\n{head}\n{body}",
        path.display()
    );
    Ok(Imported {
        toml,
        anchor,
        warnings,
    })
}

/// A diagnostic about the cut `file`, where `e` places it (a line
/// without a column is shown at column 1).
fn diagnostic(file: &Path, e: ImportError) -> Diagnostic {
    let mut d = Diagnostic::new(file, e.message);
    if let Some(line) = e.line {
        d = d.at(line, e.column.unwrap_or(1));
    }
    d.subject = e.origin;
    d
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map_or_else(|| "cut".into(), |s| s.to_string_lossy().into_owned())
}

/// A CMX3600 file's rate: `--fps`, else the settings EDL's `fps`.
fn cmx_rate(path: &Path, opts: &Options, settings: Option<&(PathBuf, String)>) -> Result<Rate> {
    if let Some(f) = &opts.fps {
        return Rate::parse(f).map_err(|m| Error::Usage(format!("--fps {f}: {m}")));
    }
    let from_settings = settings.and_then(|(_, text)| {
        let table: toml::Table = toml::from_str(text).ok()?;
        let fps = table.get("output")?.get("fps")?;
        let text = match fps {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            _ => return None,
        };
        Rate::parse(&text).ok()
    });
    from_settings.ok_or_else(|| {
        Error::Invalid(
            Diagnostic::new(
                path,
                "a CMX3600 EDL does not state its frame rate: give it with --fps \
                 (e.g. --fps 25, --fps 29.97df) or with --settings, an EDL whose [output] has fps",
            )
            .into(),
        )
    })
}

/// The rate of an OTIO or FCPXML timeline (25 when it states none).
fn rate_of(t: &Timeline) -> Rate {
    Rate {
        fps: t.fps.unwrap_or(Ratio::from_integer(25)),
        drop: false,
    }
}

/// Links and probes every event and sound; every failure is reported.
fn link_all(
    t: &Timeline,
    linker: &Linker,
    cut: &Path,
    root: Option<&Path>,
) -> Result<Vec<Option<Link>>> {
    let rate = rate_of(t);
    // Each event's place on the timeline, for messages.
    let mut at = Ratio::from_integer(0);
    let mut origins = Vec::new();
    for e in &t.events {
        origins.push(format!("{} at {} on the timeline", e.origin, Clock(at)));
        at += e.duration
            - e.transition
                .as_ref()
                .map_or(Ratio::from_integer(0), |t| t.1);
    }
    for s in &t.sounds {
        origins.push(format!("{} at {} on the timeline", s.origin, Clock(s.at)));
    }
    let refs: Vec<(Option<&MediaRef>, Ratio, Ratio, &str, usize)> = t
        .events
        .iter()
        .map(|e| match &e.media {
            Media::Black => (None, e.source_in, e.duration, e.line),
            Media::File(r) => (Some(r), e.source_in, span_of(e), e.line),
        })
        .chain(
            t.sounds
                .iter()
                .map(|s| (Some(&s.media), s.source_in, s.duration, s.line)),
        )
        .zip(&origins)
        .map(|((r, a, b, line), o)| (r, a, b, o.as_str(), line))
        .collect();
    let results: Vec<std::result::Result<Option<Link>, Box<Diagnostic>>> = refs
        .par_iter()
        .map(|(r, source_in, span, origin, line)| {
            let Some(r) = r else { return Ok(None) };
            let fail = |m: String| Box::new(diagnostic(cut, ImportError::new(*line, *origin, m)));
            let path = linker.find(r).map_err(|e| fail(e.to_string()))?;
            // Absolute, so that the EDL made reads the same from anywhere.
            let path = std::fs::canonicalize(&path).unwrap_or(path);
            if let Some(root) = root.filter(|r| !path.starts_with(r)) {
                return Err(fail(format!(
                    "its media {} is outside --media-root {}",
                    path.display(),
                    root.display()
                )));
            }
            let p = probe::probe(&path).map_err(|e| fail(e.to_string()))?;
            let tc = timecode_start(&p, rate);
            let start = *source_in - tc;
            check_range(&p, start, *span).map_err(|e| fail(e.to_string()))?;
            Ok(Some(Link { path, start }))
        })
        .collect();
    let mut errs = Diagnostics::default();
    let mut links = Vec::new();
    for r in results {
        match r {
            Ok(l) => links.push(l),
            Err(d) => {
                errs.push(*d);
                links.push(None);
            }
        }
    }
    errs.into_result(links).map_err(Error::Invalid)
}
