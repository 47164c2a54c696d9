//! The render cache: encoded segments, encoded audio and proxy media, kept
//! between renders and found again by a key that names everything their
//! bytes depend on.
//!
//! Layout of a cache directory:
//! - `segments/<key>.pkt`: one encoded video segment (a packet file, see
//!   [`crate::packet`], which ends with a hash of its contents);
//! - `audio/<key>.pkt`: the encoded audio track of a render;
//! - `proxies/<fingerprint>.nut`: a source's proxy media;
//! - `tmp/`: entries being written, named `<pid>-<host>-<random>-...`.
//!
//! Entries are written under `tmp/` and renamed into place when complete, so
//! a reader never sees a partial one; a process killed mid-write leaves only
//! a `tmp/` file, removed by the next render once that process is gone. The
//! hash at the end of every entry is checked before it is used, so an entry
//! damaged in any other way is rendered again, never joined.
//!
//! The cache stores and finds entries by key; what a key covers is the
//! renderer's business (`render::key`).

use crate::error::{Error, Result};
use crate::plan::Plan;
use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Bumped whenever what is stored, or how it is made, changes.
pub const FORMAT: u32 = 3;
/// Default size bound, bytes.
pub const DEFAULT_MAX: u64 = 10 << 30;

/// What cache keys are salted with: the program and the cache format.
pub fn version() -> String {
    format!("reel {} cache {FORMAT}", env!("CARGO_PKG_VERSION"))
}

/// A source's identity by content: size, modification time and a hash of
/// sampled blocks. A renamed or moved file keeps it; an edited one does not.
pub fn fingerprint(path: &Path) -> std::io::Result<String> {
    if crate::sequence::is_sequence(path) {
        return crate::sequence::fingerprint(path);
    }
    const BLOCK: u64 = 64 * 1024;
    const SAMPLES: u64 = 16;
    let mut file = File::open(path)?;
    let meta = file.metadata()?;
    let size = meta.len();
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let mut h = blake3::Hasher::new();
    h.update(&size.to_le_bytes());
    h.update(&mtime.to_le_bytes());
    let mut buf = vec![0u8; BLOCK as usize];
    if size <= BLOCK * SAMPLES {
        std::io::copy(&mut file, &mut h)?;
    } else {
        for i in 0..SAMPLES {
            // Evenly spaced, the first at the start and the last at the end.
            let at = (size - BLOCK) * i / (SAMPLES - 1);
            file.seek(SeekFrom::Start(at))?;
            file.read_exact(&mut buf)?;
            h.update(&buf);
        }
    }
    Ok(h.finalize().to_hex()[..32].to_string())
}

/// Fingerprints of the files a plan reads, by path.
pub type Fingerprints = HashMap<PathBuf, String>;

/// Fingerprints every clip, voiceover and music source of `plan`.
pub fn fingerprints(plan: &Plan) -> Result<Fingerprints> {
    let paths = plan.inputs();
    let mut out = Fingerprints::new();
    for p in paths {
        if !out.contains_key(p) {
            let f = fingerprint(p).map_err(|e| Error::io("reading", p, e))?;
            out.insert(p.clone(), f);
        }
    }
    Ok(out)
}

/// An open cache directory.
#[derive(Debug, Clone)]
pub struct Cache {
    pub dir: PathBuf,
    /// Size bound in bytes; the least recently used entries go first.
    pub max: u64,
}

/// What a cache holds.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub segments: u64,
    pub segment_bytes: u64,
    pub audio: u64,
    pub audio_bytes: u64,
    pub proxies: u64,
    pub proxy_bytes: u64,
    pub tmp_bytes: u64,
}

impl Stats {
    pub fn bytes(&self) -> u64 {
        self.segment_bytes + self.audio_bytes + self.proxy_bytes + self.tmp_bytes
    }
}

/// The kinds of entry, each in its own directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Encoded video segments (packet files).
    Segment,
    /// Encoded audio tracks (packet files).
    Audio,
    /// Proxy media (NUT files).
    Proxy,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Segment, Kind::Audio, Kind::Proxy];

    fn dir(self) -> &'static str {
        match self {
            Kind::Segment => "segments",
            Kind::Audio => "audio",
            Kind::Proxy => "proxies",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Kind::Segment | Kind::Audio => "pkt",
            Kind::Proxy => "nut",
        }
    }
}

/// This machine's name, as a file name part (no `-`, `/` or spaces).
fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most buf.len() bytes into buf.
    let r = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    let name = if r == 0 {
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        String::from_utf8_lossy(&buf[..end]).into_owned()
    } else {
        String::new()
    };
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        "host".into()
    } else {
        name
    }
}

/// The directories of a cache: one per kind, and `tmp/`.
fn subdirs() -> impl Iterator<Item = &'static str> {
    Kind::ALL.iter().map(|k| k.dir()).chain(["tmp"])
}

impl Cache {
    /// Opens (creating if needed) the cache at `dir`, and removes temporary
    /// files left by processes that are gone.
    pub fn open(dir: &Path, max: u64) -> Result<Cache> {
        for sub in subdirs() {
            let p = dir.join(sub);
            fs::create_dir_all(&p)
                .map_err(|e| Error::io("cannot create cache directory", &p, e))?;
        }
        let cache = Cache {
            dir: dir.to_path_buf(),
            max,
        };
        cache.remove_orphans();
        Ok(cache)
    }

    fn remove_orphans(&self) {
        let Ok(list) = fs::read_dir(self.dir.join("tmp")) else {
            return;
        };
        let host = host_name();
        let day = std::time::Duration::from_secs(24 * 3600);
        for e in list.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let mut parts = name.split('-');
            let pid = parts.next().and_then(|p| p.parse::<i32>().ok());
            let from_here = parts.next() == Some(host.as_str());
            // Another machine's file (a shared cache) is left to it, unless
            // it has been there a day: that writer is gone.
            let stale = e
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > day));
            let orphan = match pid {
                Some(p) if from_here => !process_alive(p),
                _ => stale,
            };
            if orphan {
                let _ = fs::remove_file(e.path());
            }
        }
    }

    /// A new temporary path for an entry of this process.
    /// Unique across processes and machines sharing the cache: the pid,
    /// the host name, a random number and a counter. On the cache's own
    /// file system, so that the rename into place is atomic.
    pub fn temp_path(&self, key: &str) -> PathBuf {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let random = {
            use std::hash::{BuildHasher, Hasher};
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(n);
            h.finish()
        };
        self.dir.join("tmp").join(format!(
            "{}-{}-{random:016x}-{n}-{key}",
            std::process::id(),
            host_name()
        ))
    }

    pub fn entry_path(&self, kind: Kind, key: &str) -> PathBuf {
        self.dir
            .join(kind.dir())
            .join(format!("{key}.{}", kind.extension()))
    }

    /// The packet-file entry `kind/key`, opened and checked, or None. A
    /// damaged entry is removed. The open file stays readable even if
    /// another process evicts the entry meanwhile.
    pub fn lookup(&self, kind: Kind, key: &str) -> Option<File> {
        let path = self.entry_path(kind, key);
        let mut file = File::open(&path).ok()?;
        if !crate::packet::verify(&mut file) {
            let _ = fs::remove_file(&path);
            return None;
        }
        let _ = file.set_modified(SystemTime::now());
        file.seek(SeekFrom::Start(0)).ok()?;
        Some(file)
    }

    /// Moves a complete temporary file into place as the entry `kind/key`
    /// and returns it opened for reading.
    pub fn insert(&self, tmp: &Path, kind: Kind, key: &str) -> Result<File> {
        let file = File::open(tmp).map_err(|e| Error::io("reading", tmp, e))?;
        let path = self.entry_path(kind, key);
        fs::rename(tmp, &path).map_err(|e| Error::io("cannot store in the cache", &path, e))?;
        Ok(file)
    }

    pub fn stats(&self) -> Stats {
        let mut s = Stats::default();
        for e in self.entries() {
            let (count, bytes) = match e.kind {
                Kind::Segment => (&mut s.segments, &mut s.segment_bytes),
                Kind::Audio => (&mut s.audio, &mut s.audio_bytes),
                Kind::Proxy => (&mut s.proxies, &mut s.proxy_bytes),
            };
            *count += 1;
            *bytes += e.size;
        }
        if let Ok(list) = fs::read_dir(self.dir.join("tmp")) {
            s.tmp_bytes = list
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum();
        }
        s
    }

    fn entries(&self) -> Vec<Entry> {
        let mut out = Vec::new();
        for kind in Kind::ALL {
            let Ok(list) = fs::read_dir(self.dir.join(kind.dir())) else {
                continue;
            };
            for e in list.flatten() {
                if let Ok(m) = e.metadata() {
                    out.push(Entry {
                        kind,
                        path: e.path(),
                        size: m.len(),
                        used: m.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                    });
                }
            }
        }
        out
    }

    /// Removes the least recently used entries until the cache fits its
    /// bound. Returns how many were removed.
    pub fn evict(&self) -> usize {
        let mut entries = self.entries();
        let mut total: u64 = entries.iter().map(|e| e.size).sum();
        entries.sort_by_key(|e| e.used);
        let mut removed = 0;
        for e in entries {
            if total <= self.max {
                break;
            }
            if fs::remove_file(&e.path).is_ok() {
                total -= e.size;
                removed += 1;
            }
        }
        removed
    }

    /// Removes every entry.
    pub fn clear(&self) -> Result<Stats> {
        let before = self.stats();
        for sub in subdirs() {
            let p = self.dir.join(sub);
            if p.exists() {
                fs::remove_dir_all(&p).map_err(|e| Error::io("cannot remove", &p, e))?;
            }
        }
        Ok(before)
    }
}

struct Entry {
    kind: Kind,
    path: PathBuf,
    size: u64,
    used: SystemTime,
}

fn process_alive(pid: i32) -> bool {
    // SAFETY: kill with signal 0 only checks that the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Where the cache lives when no `--cache` is given: `REEL_CACHE`, else
/// `.reel-cache/` beside the EDL.
pub fn default_dir(edl: &Path) -> PathBuf {
    if let Some(dir) = std::env::var_os("REEL_CACHE").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    match edl.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.join(".reel-cache"),
        _ => PathBuf::from(".reel-cache"),
    }
}

/// Why a size (`--cache-max`) cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SizeError {
    /// A unit other than K, M, G or T (with an optional B or iB).
    #[error("unknown size unit in \"{0}\" (use K, M, G or T)")]
    UnknownUnit(String),
    /// No number, or a negative or infinite one.
    #[error("\"{0}\" is not a size (e.g. 500M, 20G)")]
    NotASize(String),
}

/// Parses a size such as `500M`, `20G` or `1048576`.
pub fn parse_size(text: &str) -> std::result::Result<u64, SizeError> {
    let t = text.trim();
    let (num, mult) = match t.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => {
            let unit = t[i..].to_ascii_uppercase();
            let mult: u64 = match unit.trim_end_matches("IB").trim_end_matches('B') {
                "" => 1,
                "K" => 1 << 10,
                "M" => 1 << 20,
                "G" => 1 << 30,
                "T" => 1 << 40,
                _ => return Err(SizeError::UnknownUnit(text.to_string())),
            };
            (&t[..i], mult)
        }
        None => (t, 1),
    };
    let not_a_size = || SizeError::NotASize(text.to_string());
    let n: f64 = num.trim().parse().map_err(|_| not_a_size())?;
    if !(n >= 0.0 && n.is_finite()) {
        return Err(not_a_size());
    }
    Ok((n * mult as f64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1024").unwrap(), 1024);
        assert_eq!(parse_size("500M").unwrap(), 500 << 20);
        assert_eq!(parse_size("2GiB").unwrap(), 2 << 30);
        assert_eq!(parse_size("1.5k").unwrap(), 1536);
        assert!(parse_size("12X").is_err());
        assert!(parse_size("-1G").is_err());
        assert!(parse_size("big").is_err());
        // The messages, as `--cache-max` shows them.
        assert_eq!(
            parse_size("10Q").unwrap_err().to_string(),
            "unknown size unit in \"10Q\" (use K, M, G or T)"
        );
        assert_eq!(
            parse_size("-1G").unwrap_err().to_string(),
            "\"-1G\" is not a size (e.g. 500M, 20G)"
        );
    }

    #[test]
    fn fingerprint_follows_content_not_name() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.bin");
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
        fs::write(&a, &data).unwrap();
        let before = fingerprint(&a).unwrap();
        let b = dir.path().join("renamed.bin");
        fs::rename(&a, &b).unwrap();
        assert_eq!(fingerprint(&b).unwrap(), before, "a rename keeps the print");
        let mtime = fs::metadata(&b).unwrap().modified().unwrap();
        let mut edited = data.clone();
        edited[0] ^= 1;
        fs::write(&b, &edited).unwrap();
        File::options()
            .write(true)
            .open(&b)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        assert_ne!(
            fingerprint(&b).unwrap(),
            before,
            "an edit in a sampled block changes it even at the same size and mtime"
        );
    }
}
