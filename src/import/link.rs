//! Finding each event's media: the `--media-map` names, the path the cut
//! gives, then the files under the `--media` folders by file name, clip
//! name or reel ([`Linker`], failing with a [`LinkError`]), and checking
//! that an event's source range lies inside the media found.

use crate::error::{Diagnostic, Error, Result};
use crate::interchange::{timecode::Rate, Event, MediaRef};
use crate::probe::Probe;
use crate::time::{Clock, Ratio};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Finds media files for events.
pub(super) struct Linker {
    /// The cut's folder: relative paths in the cut start here.
    base: PathBuf,
    /// Every file under the `--media` folders.
    files: Vec<PathBuf>,
    /// `--media-map`: name (lowercase) to path.
    map: BTreeMap<String, PathBuf>,
}

impl Linker {
    /// A linker for the cut at `cut`, searching the `media` folders and
    /// the `media_map` file.
    pub(super) fn new(cut: &Path, media: &[PathBuf], media_map: Option<&Path>) -> Result<Linker> {
        let mut files = Vec::new();
        for dir in media {
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
        if let Some(m) = media_map {
            let text = std::fs::read_to_string(m).map_err(|source| Error::Io {
                action: "reading",
                path: m.to_path_buf(),
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
    pub(super) fn find(&self, r: &MediaRef) -> std::result::Result<PathBuf, LinkError> {
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
pub(super) enum LinkError {
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
pub(super) struct Link {
    pub(super) path: PathBuf,
    pub(super) start: Ratio,
}

/// How much source an event plays (its picture: at its speed).
pub(super) fn span_of(e: &Event) -> Ratio {
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
pub(super) fn timecode_start(p: &Probe, rate: Rate) -> Ratio {
    let Some(tc) = &p.timecode else {
        return Ratio::from_integer(0);
    };
    rate.to_frames(tc)
        .map(|f| rate.seconds(f))
        .unwrap_or(Ratio::from_integer(0))
}

/// The source window `start..start+span` lies inside the media.
pub(super) fn check_range(
    p: &Probe,
    start: Ratio,
    span: Ratio,
) -> std::result::Result<(), OutsideMedia> {
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
pub(super) struct OutsideMedia {
    start: Ratio,
    end: Ratio,
    media: PathBuf,
    length: Ratio,
}

#[cfg(test)]
mod tests {
    use super::*;

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
