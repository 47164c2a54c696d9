//! Cuts from other tools made into reel EDLs: a CMX3600, OTIO or FCPXML
//! file is read into an [`interchange::Timeline`], each event is linked
//! to a media file (`--media` folders, `--media-map`, the paths the file
//! gives), its source times are taken from the media's own timecode, and
//! the result is written as reel EDL text, over the `--settings` EDL's
//! output, profiles, sound and layers when one is given.

use crate::error::{Diagnostic, Diagnostics, Error, Result};
use crate::interchange::{self, timecode::Rate, Event, Format, Media, MediaRef, Timeline};
use crate::probe::{self, Probe};
use crate::time::{self, Clock, Ratio};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;
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
    let diag = |line, column, origin: &str, message: &str| {
        diagnostic_at(path, line, column, origin, message)
    };
    let one = |e: interchange::ImportError| {
        Error::Invalid(diag(e.line, e.column, &e.origin, &e.message).into())
    };
    Ok(match format {
        Format::Cmx3600 => {
            interchange::cmx::sniff(text)
                .map_err(|m| Error::Invalid(diag(0, 0, "", &m.to_string()).into()))?;
            let rate = cmx_rate(path, opts, settings)?;
            let t = interchange::cmx::parse(text, rate).map_err(|errs| {
                Error::Invalid(Diagnostics(
                    errs.into_iter()
                        .map(|e| diag(e.line, e.column, &e.origin, &e.message))
                        .collect(),
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
    let diag = |line, origin: &str, message: &str| diagnostic_at(path, line, 1, origin, message);
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
            diag(0, "", "the cut has no picture events").into(),
        ));
    }
    let linker = Linker::new(path, opts)?;
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
        .map(|n| diag(n.line, &n.origin, &n.message))
        .collect();
    let anchor = match &settings {
        Some((p, _)) => p.with_file_name(format!("{}.imported.toml", stem(path))),
        None => path.with_extension("imported.toml"),
    };
    let body = clips_toml(&timeline, &links, rate, path)?;
    let head = match &settings {
        Some((_, text)) => without_clips(text),
        None => default_settings(path, &timeline, rate),
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

/// A diagnostic about the cut `file` at `line`:`column` (0: unknown),
/// about `origin` (an event; empty for the file).
fn diagnostic_at(
    file: &Path,
    line: usize,
    column: usize,
    origin: &str,
    message: &str,
) -> Diagnostic {
    let mut d = Diagnostic::new(file, message.to_string());
    if line > 0 {
        d = d.at(line, column.max(1));
    }
    if !origin.is_empty() {
        d.subject = Some(origin.to_string());
    }
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

/// Finds media files for events.
struct Linker {
    /// The cut's folder: relative paths in the cut start here.
    base: PathBuf,
    /// Every file under the `--media` folders.
    files: Vec<PathBuf>,
    /// `--media-map`: name (lowercase) to path.
    map: BTreeMap<String, PathBuf>,
}

impl Linker {
    fn new(cut: &Path, opts: &Options) -> Result<Linker> {
        let mut files = Vec::new();
        for dir in &opts.media {
            if !dir.is_dir() {
                return Err(Error::Usage(format!(
                    "--media {}: not a folder",
                    dir.display()
                )));
            }
            walk(dir, 0, &mut files);
        }
        files.sort();
        let mut map = BTreeMap::new();
        if let Some(m) = &opts.media_map {
            let text = std::fs::read_to_string(m).map_err(|source| Error::Io {
                action: "reading",
                path: m.clone(),
                source,
            })?;
            let table: toml::Table = toml::from_str(&text).map_err(|e| {
                let (line, col) = e.span().map_or((0, 0), |s| line_col(&text, s.start));
                Error::Invalid(
                    Diagnostic::new(m, format!("not a media map: {}", e.message()))
                        .at(line.max(1), col.max(1))
                        .into(),
                )
            })?;
            for (name, value) in table {
                let Some(p) = value.as_str() else {
                    return Err(Error::Invalid(
                        Diagnostic::new(
                            m,
                            format!("`{name}` must be a path: name = \"path/to/file.mov\""),
                        )
                        .into(),
                    ));
                };
                map.insert(name.to_lowercase(), crate::edl::Edl::resolve(m, p));
            }
        }
        Ok(Linker {
            base: cut.parent().map(Path::to_path_buf).unwrap_or_default(),
            files,
            map,
        })
    }

    /// The file `r` names, or why none (with the candidates).
    fn find(&self, r: &MediaRef) -> std::result::Result<PathBuf, LinkError> {
        for name in [&r.reel, &r.clip_name].into_iter().flatten() {
            if let Some(p) = self.map.get(&name.to_lowercase()) {
                return Ok(p.clone());
            }
        }
        let mut tried = Vec::new();
        if let Some(p) = &r.path {
            let p = from_url(p);
            let full = if p.is_absolute() {
                p.clone()
            } else {
                self.base.join(&p)
            };
            if full.is_file() {
                return Ok(full);
            }
            // Editors move media: the same file name under --media.
            if let Some(name) = p.file_name() {
                let name = name.to_string_lossy().to_lowercase();
                if let Some(f) = self.unique("file name", &name, |f| file_name(f) == name)? {
                    return Ok(f);
                }
            }
            tried.push(format!("the file {}", full.display()));
        }
        if let Some(c) = &r.clip_name {
            let c = c.to_lowercase();
            if let Some(f) = self.unique("clip name", &c, |f| file_name(f) == c)? {
                return Ok(f);
            }
            if let Some(f) = self.unique("clip name", &c, |f| file_stem(f) == c)? {
                return Ok(f);
            }
            tried.push(format!("clip name \"{c}\""));
        }
        if let Some(reel) = &r.reel {
            let reel = reel.to_lowercase();
            if let Some(f) = self.unique("reel", &reel, |f| file_stem(f) == reel)? {
                return Ok(f);
            }
            // Avid truncates reel names to 8 characters.
            let prefix = |f: &Path| file_stem(f).starts_with(&reel);
            if reel.chars().count() == 8 {
                if let Some(f) = self.unique("reel (a prefix)", &reel, prefix)? {
                    return Ok(f);
                }
            }
            tried.push(format!("reel \"{reel}\""));
        }
        Err(LinkError::NotFound {
            tried,
            files: self.files.len(),
            candidates: self.candidates(r),
        })
    }

    /// The files most like what `r` names (sharing the first four letters
    /// of a name), for a message.
    fn candidates(&self, r: &MediaRef) -> String {
        let keys: Vec<String> = [&r.reel, &r.clip_name]
            .into_iter()
            .flatten()
            .map(|n| n.to_lowercase().chars().take(4).collect())
            .collect();
        let near: Vec<String> = self
            .files
            .iter()
            .filter(|f| keys.iter().any(|k| file_stem(f).starts_with(k.as_str())))
            .take(8)
            .map(|f| f.display().to_string())
            .collect();
        if near.is_empty() {
            String::new()
        } else {
            format!("; candidates: {}", near.join(", "))
        }
    }

    /// The one file `pick` accepts, None when none does, and an error
    /// naming them when several do (`what` and `name` say what matched).
    fn unique(
        &self,
        what: &str,
        name: &str,
        pick: impl Fn(&Path) -> bool,
    ) -> std::result::Result<Option<PathBuf>, LinkError> {
        let mut found: Vec<PathBuf> = self.files.iter().filter(|f| pick(f)).cloned().collect();
        match found.len() {
            0 | 1 => Ok(found.pop()),
            _ => Err(LinkError::Ambiguous {
                what: what.to_string(),
                name: name.to_string(),
                candidates: found,
            }),
        }
    }
}

/// Why an event's media file was not found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum LinkError {
    /// Nothing matched: what was `tried`, among how many `--media` files,
    /// and the `candidates` most alike (a message tail, or empty).
    #[error(
        "no media found for it (tried {}) in {}{candidates}",
        tried_text(.tried),
        searched_text(*.files)
    )]
    NotFound {
        tried: Vec<String>,
        files: usize,
        candidates: String,
    },
    /// Several files match `name` (a `what`) equally well.
    #[error(
        "its {what} \"{name}\" matches several files equally well: {}; say which with --media-map",
        paths_text(.candidates)
    )]
    Ambiguous {
        what: String,
        name: String,
        candidates: Vec<PathBuf>,
    },
}

fn tried_text(tried: &[String]) -> String {
    if tried.is_empty() {
        "nothing: the event names no file".to_string()
    } else {
        tried.join(", ")
    }
}

fn searched_text(files: usize) -> String {
    if files == 0 {
        "no --media folder".to_string()
    } else {
        format!("{files} files under --media")
    }
}

fn paths_text(paths: &[PathBuf]) -> String {
    let list: Vec<String> = paths.iter().map(|c| c.display().to_string()).collect();
    list.join(", ")
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map_or_else(String::new, |s| s.to_string_lossy().to_lowercase())
}

fn file_stem(p: &Path) -> String {
    p.file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().to_lowercase())
}

/// Files under `dir`, hidden ones skipped, at most 32 folders deep.
fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        match e.file_type() {
            Ok(t) if t.is_dir() && depth < 32 => walk(&p, depth + 1, out),
            Ok(t) if t.is_file() || t.is_symlink() => out.push(p),
            _ => {}
        }
    }
}

/// A path or `file://` URL as a path (percent escapes decoded).
fn from_url(s: &str) -> PathBuf {
    let Some(rest) = s.strip_prefix("file://") else {
        return PathBuf::from(s);
    };
    // file://localhost/path and file:///path
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    PathBuf::from(String::from_utf8_lossy(&out).into_owned())
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}

/// An event's media, linked and probed, and its `in` in seconds from the
/// file's start.
struct Link {
    path: PathBuf,
    start: Ratio,
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
            let fail = |m: String| Box::new(diagnostic_at(cut, *line, 1, origin, &m));
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

/// How much source an event plays (its picture: at its speed).
fn span_of(e: &Event) -> Ratio {
    let s = if e.speed < Ratio::from_integer(0) {
        -e.speed
    } else {
        e.speed
    };
    if s == Ratio::from_integer(0) {
        Ratio::from_integer(0)
    } else {
        e.duration * s
    }
}

/// Seconds of the media's start timecode (0 without one), counted at the
/// cut's rate as the cut's source timecodes are.
fn timecode_start(p: &Probe, rate: Rate) -> Ratio {
    let Some(tc) = &p.timecode else {
        return Ratio::from_integer(0);
    };
    rate.to_frames(tc)
        .map(|f| rate.seconds(f))
        .unwrap_or(Ratio::from_integer(0))
}

/// The source window `start..start+span` lies inside the media.
fn check_range(p: &Probe, start: Ratio, span: Ratio) -> std::result::Result<(), OutsideMedia> {
    let len = p.duration;
    let end = start + span;
    if start < Ratio::from_integer(0) || end > len + Ratio::new(1, 1000) {
        return Err(OutsideMedia {
            start: start.max(Ratio::from_integer(0)),
            end,
            media: p.path.clone(),
            length: len,
        });
    }
    Ok(())
}

/// A source range that does not lie inside its media (times in seconds
/// from the media's start timecode).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "its source range {} to {} lies outside its media {} (length {}, counted from the media's start timecode)",
    Clock(*.start),
    Clock(*.end),
    .media.display(),
    Clock(*.length)
)]
struct OutsideMedia {
    start: Ratio,
    end: Ratio,
    media: PathBuf,
    length: Ratio,
}

/// A time for the EDL: a decimal when it is one (its denominator has no
/// prime factor but 2 and 5, and at most 9 digits), else an exact fraction.
fn secs(t: Ratio) -> String {
    let (n, d) = (*t.numer(), *t.denom());
    for digits in 0..=9u32 {
        let scale = 10i64.pow(digits);
        if scale % d == 0 {
            let v = n * (scale / d);
            let frac = format!("{:0width$}", (v % scale).abs(), width = digits as usize);
            let frac = frac.trim_end_matches('0');
            let sign = if v < 0 && v / scale == 0 { "-" } else { "" };
            let frac = if frac.is_empty() { "0" } else { frac };
            return format!("{sign}{}.{frac}", v / scale);
        }
    }
    format!("\"{n}/{d}\"")
}

/// The `[[clip]]` and `[[music]]` tables of the cut.
fn clips_toml(t: &Timeline, links: &[Option<Link>], rate: Rate, cut: &Path) -> Result<String> {
    let mut out = String::new();
    let one_frame = Ratio::from_integer(1) / rate.fps;
    let n = t.events.len();
    let mut at = Ratio::from_integer(0);
    for (i, (e, link)) in t.events.iter().zip(links).enumerate() {
        let _ = writeln!(out, "# {} (line {}), at {}", e.origin, e.line, Clock(at));
        out.push_str("[[clip]]\n");
        match (&e.media, link) {
            (Media::Black, _) | (_, None) => {
                out.push_str("card = { background = \"#000000\" }\n");
                let _ = writeln!(out, "duration = {}", secs(e.duration));
            }
            (Media::File(_), Some(l)) => {
                let _ = writeln!(
                    out,
                    "source = {}",
                    toml_string(&l.path.display().to_string())
                );
                let _ = writeln!(out, "in = {}", secs(l.start));
                let zero = Ratio::from_integer(0);
                if e.speed == zero {
                    // A held frame: one frame played, held for the rest.
                    let _ = writeln!(out, "duration = {}", secs(one_frame));
                    if e.duration > one_frame {
                        let _ = writeln!(
                            out,
                            "freeze = {{ at = 0, duration = {} }}",
                            secs(e.duration - one_frame)
                        );
                    }
                } else {
                    let _ = writeln!(out, "duration = {}", secs(e.duration));
                    let s = if e.speed < zero { -e.speed } else { e.speed };
                    if s != Ratio::from_integer(1) {
                        let _ = writeln!(out, "speed = {}", time::secs_f64(s));
                    }
                    if e.speed < zero {
                        out.push_str("reverse = true\n");
                    }
                }
                if !e.audio {
                    out.push_str("volume = 0\n");
                }
            }
        }
        match &e.transition {
            Some((kind, d)) if i + 1 < n => {
                let _ = writeln!(
                    out,
                    "transition = {{ kind = {}, duration = {} }}",
                    toml_string(kind.name()),
                    secs(*d)
                );
                at += e.duration - *d;
            }
            _ => {
                out.push_str("transition = { kind = \"cut\" }\n");
                at += e.duration;
            }
        }
        out.push('\n');
    }
    for (s, link) in t.sounds.iter().zip(&links[t.events.len()..]) {
        let Some(l) = link else { continue };
        let _ = writeln!(out, "# {} (line {})", s.origin, s.line);
        out.push_str("[[music]]\n");
        let _ = writeln!(
            out,
            "source = {}",
            toml_string(&l.path.display().to_string())
        );
        let _ = writeln!(out, "at = {}", secs(s.at));
        let _ = writeln!(out, "in = {}", secs(l.start));
        let _ = writeln!(out, "duration = {}\n", secs(s.duration));
    }
    for title in &t.titles {
        let _ = writeln!(out, "# {} (line {})", title.origin, title.line);
        out.push_str("[[text]]\n");
        let _ = writeln!(out, "text = {}", toml_string(&title.text));
        let _ = writeln!(out, "at = {}", secs(title.at));
        let _ = writeln!(out, "duration = {}\n", secs(title.duration));
    }
    let _ = cut;
    Ok(out)
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `[output]` for a cut imported without `--settings`: the file's size
/// (else 1920x1080) and rate, written beside the cut.
fn default_settings(cut: &Path, t: &Timeline, rate: Rate) -> String {
    let (w, h) = t.size.unwrap_or((1920, 1080));
    format!(
        "[output]\npath = {}\nwidth = {w}\nheight = {h}\nfps = \"{}/{}\"\n",
        toml_string(&format!("{}.mp4", stem(cut))),
        rate.fps.numer(),
        rate.fps.denom()
    )
}

/// A reel EDL's text without its `[[clip]]` tables (a clip table runs from
/// its header to the next table header).
fn without_clips(text: &str) -> String {
    let mut out = String::new();
    let mut in_clip = false;
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with('[') && !t.starts_with("[[clip]]") && is_header(t) {
            in_clip = false;
        } else if t.starts_with("[[clip]]") {
            in_clip = true;
        }
        if !in_clip {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// A table header line: `[name]` or `[[name]]`, not an array value.
fn is_header(t: &str) -> bool {
    let t = t.split('#').next().unwrap_or("").trim_end();
    t.ends_with(']')
        && t[1..]
            .trim_start_matches('[')
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '"' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_decimals_when_they_can_be_and_fractions_otherwise() {
        assert_eq!(secs(Ratio::new(7458, 1000)), "7.458");
        assert_eq!(secs(Ratio::from_integer(3)), "3.0");
        assert_eq!(secs(Ratio::new(1, 25)), "0.04");
        assert_eq!(secs(Ratio::new(1001, 30000)), "\"1001/30000\"");
        assert_eq!(secs(Ratio::new(1, 3)), "\"1/3\"");
    }

    #[test]
    fn settings_lose_their_clips_and_keep_the_rest() {
        let text = "[output]\nfps = 25\n[[clip]]\nsource = \"a\"\ncrop = [\n0.1, 0, 1, 1]\n\
                    [[voiceover]]\nsource = \"v\"\n[[clip]]\nsource = \"b\"\n[ducking]\ndepth_db = 6\n";
        let out = without_clips(text);
        assert!(!out.contains("source = \"a\"") && !out.contains("source = \"b\""));
        assert!(out.contains("[[voiceover]]\nsource = \"v\"") && out.contains("depth_db = 6"));
    }

    #[test]
    fn file_urls_become_paths() {
        assert_eq!(
            from_url("file:///media/A%20B/c.mov"),
            PathBuf::from("/media/A B/c.mov")
        );
        assert_eq!(from_url("file://localhost/x.mov"), PathBuf::from("/x.mov"));
        assert_eq!(from_url("rel/x.mov"), PathBuf::from("rel/x.mov"));
    }
}
