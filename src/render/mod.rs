//! Rendering a [`Plan`]: video segments are encoded in parallel by rayon
//! workers (each with its own decoders and encoder) while the audio is mixed
//! on its own thread; the segments are then joined in order, without
//! re-encoding, into a temporary file that is renamed over the output.

pub mod blend;
pub mod decode;
pub mod encode;
pub mod graphics;
pub mod join;
pub mod key;
mod many;
mod motion;

pub use many::{render_many, Target};

use crate::audio;
use crate::cache::{self, Cache, Fingerprints, Kind};
use crate::container;
use crate::edl::TransitionKind;
use crate::error::{Context, Error, Result};
use crate::glue;
use crate::plan::{Compose, Plan, Segment};
use crate::progress::Progress;
use crate::time::Ratio;
pub use decode::OnDecodeError;
use decode::{ClipReader, Damage};
use encode::SegmentEncoder;
use ffmpeg_next as ff;
use graphics::Input;
use rayon::prelude::*;
use std::collections::hash_map::{Entry, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How to render.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Segments rendered at once.
    pub jobs: usize,
    /// Where encoded segments and audio are kept between renders.
    pub cache: Option<Cache>,
    /// Damaged video inside a clip: stop, or show the last good picture.
    pub on_decode_error: OnDecodeError,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            jobs: cores(),
            cache: None,
            on_decode_error: OnDecodeError::Stop,
        }
    }
}

pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// What a finished render did.
#[derive(Debug, Clone)]
pub struct Summary {
    pub output: PathBuf,
    pub frames: u64,
    pub duration_secs: f64,
    pub wall: Duration,
    /// Peak resident memory of the process, if the OS tells.
    pub peak_rss_bytes: Option<u64>,
    /// Loudness of the encoded audio.
    pub loudness: Option<crate::audio::loudness::Measured>,
    /// With a cache: segments reused of all, and whether the audio was.
    pub reused: Option<Reused>,
    /// Damaged pictures replaced by the last good one (`--on-decode-error
    /// conceal`), in the segments decoded by this render.
    pub concealed: u64,
    /// Wall seconds of each stage: `keys` (fingerprints and cache look-up),
    /// `video` (decoding, drawing, blending and encoding the segments, on
    /// the workers), `audio` (reading, mixing, normalising and encoding the
    /// sound, beside the video), `join`; and the workers' seconds (summed
    /// over them) within the video: `decode`, `blend`, `encode`.
    pub stages: Vec<Stage>,
}

/// A stage's wall seconds and the CPU seconds (user and system) spent on it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stage {
    pub name: &'static str,
    pub wall: f64,
    pub cpu: f64,
}

/// CPU seconds (user and system) this process has used so far.
pub fn process_cpu() -> f64 {
    cpu_clock(libc::CLOCK_PROCESS_CPUTIME_ID)
}

/// CPU seconds the calling thread has used so far.
fn thread_cpu() -> f64 {
    cpu_clock(libc::CLOCK_THREAD_CPUTIME_ID)
}

fn cpu_clock(clock: libc::clockid_t) -> f64 {
    // SAFETY: clock_gettime fills the timespec it is given.
    unsafe {
        let mut t: libc::timespec = std::mem::zeroed();
        if libc::clock_gettime(clock, &mut t) != 0 {
            return 0.0;
        }
        t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reused {
    pub segments: usize,
    pub of: usize,
    pub audio: bool,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let wall = self.wall.as_secs_f64().max(1e-6);
        write!(
            f,
            "rendered {} ({} frames, {:.3} s) in {:.1} s: {:.1} fps, {:.2}x realtime",
            self.output.display(),
            self.frames,
            self.duration_secs,
            wall,
            self.frames as f64 / wall,
            self.duration_secs / wall
        )?;
        if let Some(rss) = self.peak_rss_bytes {
            write!(f, ", peak memory {} MB", rss / (1024 * 1024))?;
        }
        if let Some(l) = &self.loudness {
            write!(f, "; {l}")?;
        }
        if self.concealed > 0 {
            write!(
                f,
                "; concealed {} damaged picture{}",
                self.concealed,
                if self.concealed == 1 { "" } else { "s" }
            )?;
        }
        if let Some(r) = &self.reused {
            write!(
                f,
                "; cache: reused {} of {} segments, audio {}",
                r.segments,
                r.of,
                if r.audio { "reused" } else { "rendered" }
            )?;
        }
        Ok(())
    }
}

/// Renders `plan` to `output` atomically: on any failure nothing is left at
/// `output` and an earlier file there is untouched.
///
/// The phases: prepare the output's directory, open a reference encoder,
/// look every segment and the audio up in the cache, render what is
/// missing (video segments on the workers, the audio on its own thread),
/// commit what was rendered to the cache, then mux and move into place.
/// [`render_many`] does the same for many outputs with one pool.
pub fn render(
    plan: &Plan,
    output: &Path,
    settings: &Settings,
    progress: &dyn Progress,
) -> Result<Summary> {
    let target = Target {
        plan,
        output: output.to_path_buf(),
    };
    let result = render_many(&[target], settings, false, progress, &mut |_, _| {})
        .pop()
        .unwrap_or(Err(Error::Unexpected("nothing was rendered")));
    progress.finish();
    result
}

/// The caption tracks to embed, their cues in milliseconds from the
/// render's first frame, clipped to the rendered range (cues left empty
/// dropped).
fn subtitle_tracks(plan: &Plan) -> Vec<join::SubtitleTrack> {
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

/// Where the output goes: its muxer, its directory (made if missing) and a
/// work directory beside it for segments rendered without a cache.
struct OutputPlace {
    muxer: &'static str,
    dir: PathBuf,
    work: tempfile::TempDir,
}

impl OutputPlace {
    fn prepare(output: &Path) -> Result<OutputPlace> {
        glue::init()?;
        container::check_output(output, [], None)?;
        let muxer = container::muxer_for(output).expect("checked");
        let dir = container::parent_dir(output);
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
    fn persist(self, output: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
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
struct Reference {
    params: ff::codec::Parameters,
    extradata: Vec<u8>,
    time_base: ff::Rational,
}

impl Reference {
    fn open(output: &crate::edl::Output) -> Result<Reference> {
        let encoder = encode::open_encoder(output)?;
        Ok(Reference {
            params: ff::codec::Parameters::from(&encoder),
            extradata: glue::extradata(&encoder),
            time_base: encoder.time_base(),
        })
    }
}

/// One segment's work: its key, its cache entry or work file, and once
/// found or rendered, the open file.
struct Unit<'a> {
    seg: &'a Segment,
    /// The cache key, when rendering with a cache.
    key: Option<String>,
    /// The finished packet file: the cache entry or a work file.
    name: PathBuf,
    /// Where it is rendered: a temporary cache file (renamed into place by
    /// [`commit`]) or the work file itself.
    scratch: PathBuf,
    /// The finished file, open: found in the cache, or rendered.
    file: Option<File>,
}

/// What the audio's chunks are keyed by: the sources' fingerprints (none
/// without a cache).
struct AudioWork {
    prints: Option<Fingerprints>,
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
fn look_up<'a>(
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
        .map(|c| prints.get(&c.source).map_or("", String::as_str))
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

/// Renders a shard's missing segments on the workers and, if it is the
/// shard's, the audio on its own thread. On failure, partial segment files
/// are removed.
fn run(
    plan: &Plan,
    settings: &Settings,
    units: &[Unit],
    audio: Option<AudioWork>,
    (setup, work): (&graphics::Setup, &Path),
    concealed: &AtomicU64,
    progress: &dyn Progress,
) -> Result<Option<audio::Rendered>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.jobs.max(1))
        .build()
        .map_err(Error::Workers)?;
    let decoder_threads = (cores() / settings.jobs.max(1)).max(1);
    let todo: Vec<&Unit> = units.iter().filter(|u| u.file.is_none()).collect();
    let clock = WorkerClock::default();
    let job = Job {
        decoder_threads,
        damage: Damage {
            policy: settings.on_decode_error,
            concealed,
        },
        setup,
        clock: &clock,
    };
    let (video, audio) = std::thread::scope(|s| {
        let audio = s.spawn(|| {
            audio
                .map(|a| render_audio(plan, settings.cache.as_ref(), a, work))
                .transpose()
        });
        let video = pool.install(|| render_segments(plan, &todo, job, progress));
        let audio = audio
            .join()
            .unwrap_or(Err(Error::Unexpected("the audio thread failed")));
        (video, audio)
    });
    if video.is_err() || audio.is_err() {
        // Partial segments (in the cache's tmp/).
        for u in &todo {
            let _ = std::fs::remove_file(&u.scratch);
        }
    }
    video?;
    audio
}

/// What a shard did.
#[derive(Debug, Clone)]
pub struct ShardSummary {
    pub shard: usize,
    pub shards: usize,
    /// Work units assigned to this shard, and of those, the ones rendered
    /// (the rest were in the cache already).
    pub units: usize,
    pub rendered: usize,
    pub wall: Duration,
}

impl std::fmt::Display for ShardSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "shard {}/{}: {} work units, {} rendered, {} already in the cache, in {:.1} s",
            self.shard,
            self.shards,
            self.units,
            self.rendered,
            self.units - self.rendered,
            self.wall.as_secs_f64()
        )
    }
}

/// Renders the work units of shard `shard` of `shards` (see
/// [`crate::plan::assign`]) into the cache, and writes no output: a later
/// `reel render` joins what the shards stored, rendering whatever is still
/// missing.
pub fn render_shard(
    plan: &Plan,
    settings: &Settings,
    (shard, shards): (usize, usize),
    progress: &dyn Progress,
) -> Result<ShardSummary> {
    let started = Instant::now();
    let cache = settings.cache.as_ref().ok_or_else(|| {
        Error::Usage("--shard renders into the cache: it cannot be used with --no-cache".into())
    })?;
    let work = crate::container::work_dir(".reel-shard-")?;
    let (units, audio) = look_up(plan, settings, work.path())?;
    let costs: Vec<u64> = crate::plan::work_units(plan)
        .iter()
        .map(|u| u.cost)
        .collect();
    let owner = crate::plan::assign(&costs, shards);
    let audio_mine = owner[units.len()] == shard;
    let mut mine: Vec<Unit> = units
        .into_iter()
        .enumerate()
        .filter(|(k, _)| owner[*k] == shard)
        .map(|(_, u)| u)
        .collect();
    let audio = audio_mine.then_some(audio);
    let count = mine.len() + usize::from(audio_mine);
    let mut rendered = mine.iter().filter(|u| u.file.is_none()).count();
    progress.start(
        mine.iter()
            .filter(|u| u.file.is_none())
            .map(|u| u.seg.frames.end - u.seg.frames.start)
            .sum(),
    );
    let concealed = AtomicU64::new(0);
    let setup = graphics::setup(&plan.layers, work.path())?;
    let track = run(
        plan,
        settings,
        &mine,
        audio,
        (&setup, work.path()),
        &concealed,
        progress,
    )?;
    // The audio counts as rendered unless every chunk was in the cache.
    rendered += usize::from(track.is_some_and(|a| a.reused < a.chunks));
    crate::signal::check()?;
    commit(&mut mine, Some(cache))?;
    progress.finish();
    Ok(ShardSummary {
        shard,
        shards,
        units: count,
        rendered,
        wall: started.elapsed(),
    })
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
fn render_audio(
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
fn commit(units: &mut [Unit], cache: Option<&Cache>) -> Result<()> {
    for u in units.iter_mut().filter(|u| u.file.is_none()) {
        let file = match (cache, &u.key) {
            (Some(c), Some(k)) => c.insert(&u.scratch, Kind::Segment, k)?,
            _ => File::open(&u.scratch).map_err(|e| Error::io("reading", &u.scratch, e))?,
        };
        u.file = Some(file);
    }
    Ok(())
}

/// Refuses an output path that reel cannot write, that would overwrite a
/// source or that lands inside the cache (exit code 2).
pub fn check_output(plan: &Plan, output: &Path, cache: Option<&Cache>) -> Result<()> {
    let a = &plan.audio;
    let sources = plan
        .clips
        .iter()
        .filter(|c| c.card.is_none())
        .map(|c| (format!("clip {}", c.number), c.source.as_path()))
        .chain(
            a.voiceovers
                .iter()
                .chain(&a.music)
                .map(|r| (r.label.clone(), r.source.as_path())),
        );
    container::check_output(output, sources, cache.map(|c| c.dir.as_path()))
}

/// Renders segments; the longest first so that workers finish together.
fn render_segments(plan: &Plan, units: &[&Unit], job: Job, progress: &dyn Progress) -> Result<()> {
    let mut order: Vec<&Unit> = units.to_vec();
    order.sort_by_key(|u| std::cmp::Reverse(u.seg.frames.end - u.seg.frames.start));
    let cancel = AtomicBool::new(false);
    let results: Vec<(usize, Result<()>)> = order
        .par_iter()
        .map(|unit| {
            let seg = unit.seg;
            if cancel.load(Ordering::Relaxed) {
                return (seg.index, Ok(()));
            }
            let stop = || cancel.load(Ordering::Relaxed);
            let r = render_segment(plan, seg, &unit.scratch, job, &stop, progress);
            if r.is_err() {
                cancel.store(true, Ordering::Relaxed);
            } else {
                progress.segment_done(
                    &plan.output.path,
                    seg.index,
                    seg.frames.end - seg.frames.start,
                );
            }
            (seg.index, r)
        })
        .collect();
    // Segments stopped by the cancel flag return Ok: the errors left are the
    // root causes. Report the earliest on the timeline.
    results
        .into_iter()
        .filter(|(_, r)| r.is_err())
        .min_by_key(|(i, _)| *i)
        .map_or(Ok(()), |(_, r)| r)
}

fn render_segment<'a>(
    plan: &'a Plan,
    seg: &Segment,
    path: &Path,
    job: Job<'a>,
    cancel: &dyn Fn() -> bool,
    progress: &dyn Progress,
) -> Result<()> {
    let range = plan.clips_in(seg);
    let mut readers: Vec<Option<Picture>> = range.clone().map(|_| None).collect();
    // Transitions by the clip they leave, and dips' colour frames.
    let mut xfades: HashMap<usize, blend::Xfade> = HashMap::new();
    let mut colours: HashMap<[u8; 3], ff::frame::Video> = HashMap::new();
    let mut painter = graphics::Painter::new(
        &plan.layers,
        job.setup,
        seg.index,
        seg.frames.clone(),
        &plan.output,
    );
    let mut encoder = SegmentEncoder::create(&plan.output, path)?;
    let clock = job.clock;
    let pix = encode::pixel_format(&plan.output).ok_or(Error::Unexpected("unknown pix_fmt"))?;
    let out = &plan.output;
    let mut fader = Fader {
        black: None,
        output: out,
    };

    // Opens a clip's reader on first use, positioned for `local`.
    let reader = |readers: &mut [Option<Picture<'a>>], clip: usize, local: u64| -> Result<()> {
        let slot = &mut readers[clip - range.start];
        if slot.is_none() {
            let c = &plan.clips[clip];
            *slot = Some(match c.card {
                Some(colour) => Picture::Card(blend::solid(out, colour)?),
                None => Picture::Media(Box::new(ClipReader::open(
                    c,
                    out,
                    local,
                    job.decoder_threads,
                    job.damage,
                )?)),
            });
        }
        Ok(())
    };

    for k in seg.frames.clone() {
        if cancel() {
            return Ok(());
        }
        crate::signal::check()?;
        // Close the readers of clips that are over: a segment may span many
        // short clips, and each open reader holds a decoder's frames.
        for (slot, clip) in readers.iter_mut().zip(&plan.clips[range.clone()]) {
            if slot.is_some() && clip.timeline.end <= k {
                *slot = None;
            }
        }
        match plan.compose(k) {
            Compose::One { clip, local } => {
                let frame = clock.time(Work::Decode, || -> Result<_> {
                    reader(&mut readers, clip, local)?;
                    readers[clip - range.start]
                        .as_mut()
                        .expect("opened")
                        .frame(local)
                })?;
                let mut over = clock.time(Work::Blend, || -> Result<_> {
                    let own = painter.paint(Some(clip), k, Input::Borrowed(frame))?;
                    let under = match own {
                        Some(f) => Input::Owned(f),
                        None => Input::Borrowed(frame),
                    };
                    painter.paint(None, k, under)
                })?;
                let frame = over.as_mut().unwrap_or(frame);
                clock.time(Work::Encode, || {
                    fader.push(&mut encoder, frame, plan.fade(k))
                })?;
            }
            Compose::Blend {
                from,
                from_local,
                to,
                to_local,
                step,
                steps,
            } => {
                let started = Stamp::now(Work::Decode);
                reader(&mut readers, from, from_local)?;
                reader(&mut readers, to, to_local)?;
                let (head, tail) = readers.split_at_mut(to - range.start);
                let a = head[from - range.start]
                    .as_mut()
                    .expect("opened")
                    .frame(from_local)?;
                let b = tail[0].as_mut().expect("opened").frame(to_local)?;
                clock.add(Work::Decode, started);
                let started = Stamp::now(Work::Blend);
                // Layers attached to a clip dissolve with it.
                let pa = painter.paint(Some(from), k, Input::Borrowed(a))?;
                let pb = painter.paint(Some(to), k, Input::Borrowed(b))?;
                let (a, b) = (pa.as_ref().unwrap_or(a), pb.as_ref().unwrap_or(b));
                let mixed = match plan.clips[from].transition {
                    TransitionKind::Xfade(kind) => {
                        let x = match xfades.entry(from) {
                            Entry::Occupied(e) => e.into_mut(),
                            Entry::Vacant(e) => {
                                e.insert(blend::Xfade::new(kind, a, steps, &out.video.pix_fmt)?)
                            }
                        };
                        let mixed = x.frame(a, b, step)?;
                        if step + 1 == steps {
                            // Its last picture: free the graph's buffers.
                            xfades.remove(&from);
                        }
                        mixed
                    }
                    TransitionKind::Dip(rgb) => {
                        let colour = match colours.entry(rgb) {
                            Entry::Occupied(e) => e.into_mut(),
                            Entry::Vacant(e) => e.insert(blend::solid(out, rgb)?),
                        };
                        let mut mixed = ff::frame::Video::new(pix, out.width, out.height);
                        blend::dip(a, b, colour, step, steps, &mut mixed)?;
                        mixed
                    }
                    _ => {
                        // A fresh frame each time: the encoder may still
                        // reference the previous one.
                        let mut mixed = ff::frame::Video::new(pix, out.width, out.height);
                        blend::blend(a, b, step, steps, &mut mixed)?;
                        mixed
                    }
                };
                let mut over = painter
                    .paint(None, k, Input::Owned(mixed))?
                    .expect("an owned frame comes back");
                clock.add(Work::Blend, started);
                clock.time(Work::Encode, || {
                    fader.push(&mut encoder, &mut over, plan.fade(k))
                })?;
            }
        }
        progress.advance(1);
    }
    encoder.finish()
}

/// What every segment's worker shares.
#[derive(Clone, Copy)]
struct Job<'a> {
    /// Threads per decoder.
    decoder_threads: usize,
    damage: Damage<'a>,
    setup: &'a graphics::Setup,
    clock: &'a WorkerClock,
}

/// Seconds the workers spent (summed over them) decoding and conforming
/// pictures, drawing and blending them, and encoding them, in nanoseconds:
/// wall, and the CPU of their own threads for decoding and blending
/// (encoding's CPU is mostly the encoders' threads, so [`run`] takes it as
/// the rest of the video's).
#[derive(Default)]
struct WorkerClock {
    nanos: [AtomicU64; 3],
    cpu_nanos: [AtomicU64; 3],
}

/// When a piece of work started, by the wall clock and, for work whose
/// CPU is counted, the thread's CPU clock.
#[derive(Clone, Copy)]
struct Stamp {
    wall: Instant,
    cpu: Option<f64>,
}

impl Stamp {
    fn now(work: Work) -> Stamp {
        Stamp {
            wall: Instant::now(),
            cpu: (work != Work::Encode).then(thread_cpu),
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Work {
    Decode = 0,
    Blend = 1,
    Encode = 2,
}

impl WorkerClock {
    /// Runs `f`, counting its time as `work`.
    fn time<T>(&self, work: Work, f: impl FnOnce() -> T) -> T {
        let started = Stamp::now(work);
        let out = f();
        self.add(work, started);
        out
    }

    /// Counts the time since `started` (on this thread) as `work`.
    fn add(&self, work: Work, started: Stamp) {
        let i = work as usize;
        self.nanos[i].fetch_add(started.wall.elapsed().as_nanos() as u64, Ordering::Relaxed);
        if let Some(cpu) = started.cpu {
            let cpu = ((thread_cpu() - cpu).max(0.0) * 1e9) as u64;
            self.cpu_nanos[i].fetch_add(cpu, Ordering::Relaxed);
        }
    }

    fn stage(&self, work: Work) -> Stage {
        let i = work as usize;
        Stage {
            name: match work {
                Work::Decode => "decode",
                Work::Blend => "blend",
                Work::Encode => "encode",
            },
            wall: self.nanos[i].load(Ordering::Relaxed) as f64 / 1e9,
            cpu: self.cpu_nanos[i].load(Ordering::Relaxed) as f64 / 1e9,
        }
    }
}

/// Where a clip's pictures come from: its source, or a card's colour.
enum Picture<'a> {
    Media(Box<ClipReader<'a>>),
    Card(ff::frame::Video),
}

impl Picture<'_> {
    fn frame(&mut self, local: u64) -> Result<&mut ff::frame::Video> {
        match self {
            Picture::Media(r) => r.frame(local),
            Picture::Card(f) => Ok(f),
        }
    }
}

/// Fades frames from and to black on their way to the encoder.
struct Fader<'a> {
    /// A black frame in the output format, made on first use.
    black: Option<ff::frame::Video>,
    output: &'a crate::edl::Output,
}

impl Fader<'_> {
    /// Pushes `frame`, blended `step/steps` of the way to black if `fade`.
    fn push(
        &mut self,
        encoder: &mut SegmentEncoder,
        frame: &mut ff::frame::Video,
        fade: Option<(u64, u64)>,
    ) -> Result<()> {
        let Some((step, steps)) = fade else {
            return encoder.push(frame);
        };
        if self.black.is_none() {
            self.black = Some(blend::black(self.output)?);
        }
        let black = self.black.as_ref().expect("made above");
        let mut faded = ff::frame::Video::new(frame.format(), frame.width(), frame.height());
        blend::blend(frame, black, step, steps, &mut faded)?;
        encoder.push(&mut faded)
    }
}

/// Clip `clip`'s picture at its local frame `local`, conformed to the
/// output (for stills and storyboards; damage is concealed).
pub fn still(plan: &Plan, clip: usize, local: u64) -> Result<ff::frame::Video> {
    let c = &plan.clips[clip];
    if let Some(colour) = c.card {
        return blend::solid(&plan.output, colour);
    }
    let concealed = AtomicU64::new(0);
    let damage = Damage {
        policy: decode::OnDecodeError::Conceal,
        concealed: &concealed,
    };
    let local = local.min(c.timeline.end - c.timeline.start - 1);
    let mut reader = ClipReader::open(c, &plan.output, local, cores(), damage)?;
    let frame = reader.frame(local)?;
    glue::new_ref(frame).context(|| format!("clip {}: its picture", c.number))
}

/// Peak resident set size (VmHWM) on Linux.
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
