//! A render's work units and the cache: every segment and the audio keyed,
//! looked up, and once rendered, committed; the cache as the audio's store
//! of chunks.

use super::key;
use super::settings::Settings;
use crate::audio;
use crate::cache::{self, Cache, Fingerprints, Kind};
use crate::error::{Error, Result};
use crate::plan::{Plan, Segment};
use ffmpeg_next as ff;
use std::fs::File;
use std::path::{Path, PathBuf};

/// One segment's work: its key, its cache entry or work file, and once
/// found or rendered, the open file.
pub(super) struct Unit<'a> {
    pub(super) seg: &'a Segment,
    /// The cache key, when rendering with a cache.
    pub(super) key: Option<String>,
    /// The finished packet file: the cache entry or a work file.
    pub(super) name: PathBuf,
    /// Where it is rendered: a temporary cache file (renamed into place by
    /// [`commit`]) or the work file itself.
    pub(super) scratch: PathBuf,
    /// The finished file, open: found in the cache, or rendered.
    pub(super) file: Option<File>,
}

/// What the audio's chunks are keyed by: the sources' fingerprints (none
/// without a cache).
pub(super) struct AudioWork {
    pub(super) prints: Option<Fingerprints>,
}

/// The cache as the audio's store of chunks.
struct AudioStore<'a> {
    cache: &'a Cache,
    prints: &'a Fingerprints,
    version: String,
}

impl audio::Store for AudioStore<'_> {
    fn load(&self, key: &str) -> Option<Vec<ff::Packet>> {
        let file = self.cache.lookup(Kind::Audio, key)?;
        audio::encode::load(file, &self.cache.entry_path(Kind::Audio, key)).ok()
    }

    fn save(&self, key: &str, packets: &[ff::Packet]) -> Result<()> {
        self.keep(key, packets).map(drop)
    }

    fn find(&self, key: &str) -> Option<PathBuf> {
        self.cache
            .lookup(Kind::Audio, key)
            .map(|_| self.cache.entry_path(Kind::Audio, key))
    }

    fn keep(&self, key: &str, packets: &[ff::Packet]) -> Result<PathBuf> {
        let tmp = self.cache.temp_path(key);
        audio::encode::store(packets, &tmp)?;
        self.cache.insert(&tmp, Kind::Audio, key)?;
        Ok(self.cache.entry_path(Kind::Audio, key))
    }

    fn source(&self, region: &crate::plan::AudioRegion) -> String {
        self.prints
            .get(&region.source)
            .cloned()
            .unwrap_or_else(|| region.source.display().to_string())
    }

    fn salt(&self) -> String {
        format!("{}\n", self.version)
    }
}

/// Keys every segment and the audio, and opens what the cache already has.
pub(super) fn look_up<'a>(
    plan: &'a Plan,
    settings: &Settings,
    work: &Path,
) -> Result<(Vec<Unit<'a>>, AudioWork)> {
    let Some(cache) = &settings.cache else {
        let units = plan
            .segments
            .iter()
            .map(|seg| {
                let name = work.join(format!("segment-{:05}.pkt", seg.index));
                Unit {
                    seg,
                    key: None,
                    scratch: name.clone(),
                    name,
                    file: None,
                }
            })
            .collect();
        return Ok((units, AudioWork { prints: None }));
    };
    let (segment_keys, _, prints) = keys(plan, settings)?;
    let units = plan
        .segments
        .iter()
        .zip(segment_keys)
        .map(|(seg, key)| Unit {
            seg,
            name: cache.entry_path(Kind::Segment, &key),
            scratch: cache.temp_path(&key),
            file: cache.lookup(Kind::Segment, &key),
            key: Some(key),
        })
        .collect();
    Ok((
        units,
        AudioWork {
            prints: Some(prints),
        },
    ))
}

/// The cache keys of every segment, and of the audio as a whole (the name
/// of its work unit), and the sources' fingerprints they were made from.
fn keys(plan: &Plan, settings: &Settings) -> Result<(Vec<String>, String, Fingerprints)> {
    let version = cache::version();
    // Segments made under another damage policy are never reused.
    let salt = format!("{version} on-decode-error {:?}", settings.on_decode_error);
    let prints = cache::fingerprints(plan)?;
    let sources: Vec<&str> = plan
        .clips
        .iter()
        .map(|c| {
            c.source
                .file()
                .and_then(|p| prints.get(p))
                .map_or("", String::as_str)
        })
        .collect();
    let segments = plan
        .segments
        .iter()
        .map(|seg| key::segment_key(plan, seg, &sources, &prints, &salt))
        .collect();
    let audio = key::audio_key(
        &plan.audio,
        &plan.output.audio,
        &plan.range_samples(),
        &prints,
        &version,
    );
    Ok((segments, audio, prints))
}

/// The cache keys of a plan's work units (segments in order, then the
/// audio), as `reel plan --json` lists them. Nothing is read from a cache.
pub fn unit_keys(plan: &Plan, settings: &Settings) -> Result<Vec<String>> {
    let (mut keys, audio, _) = keys(plan, settings)?;
    keys.push(audio);
    Ok(keys)
}

/// The encoded audio: its chunks from the cache, or mixed, encoded and
/// stored.
pub(super) fn render_audio(
    plan: &Plan,
    cache: Option<&Cache>,
    work: AudioWork,
    dir: &Path,
) -> Result<audio::Rendered> {
    let store = cache
        .zip(work.prints.as_ref())
        .map(|(cache, prints)| AudioStore {
            cache,
            prints,
            version: cache::version(),
        });
    let nowhere = audio::Nowhere(dir);
    let store: &dyn audio::Store = match &store {
        Some(s) => s,
        None => &nowhere,
    };
    audio::render(
        &plan.audio,
        &plan.output.audio,
        plan.range_samples(),
        store,
        Some(dir),
    )
}

/// Moves rendered segments into the cache (or opens their work files).
pub(super) fn commit(units: &mut [Unit], cache: Option<&Cache>) -> Result<()> {
    for u in units.iter_mut().filter(|u| u.file.is_none()) {
        u.file = Some(commit_one(u, cache)?);
    }
    Ok(())
}

/// A rendered unit's segment file: moved into the cache under its key,
/// or opened where it was rendered when there is no cache.
pub(super) fn commit_one(unit: &Unit, cache: Option<&Cache>) -> Result<File> {
    match (cache, &unit.key) {
        (Some(c), Some(k)) => c.insert(&unit.scratch, Kind::Segment, k),
        _ => File::open(&unit.scratch).map_err(|e| Error::io("reading", &unit.scratch, e)),
    }
}
