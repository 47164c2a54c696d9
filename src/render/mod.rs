//! Rendering a [`Plan`]: video segments are encoded in parallel by rayon
//! workers (each with its own decoders and encoder) while the audio is mixed
//! on its own thread; the segments are then joined in order, without
//! re-encoding, into a temporary file that is renamed over the output.

pub mod blend;
pub mod decode;
pub mod encode;
pub mod join;

use crate::audio;
use crate::cache::{self, Cache};
use crate::container;
use crate::error::{Error, Result};
use crate::plan::{Compose, Plan, Segment};
use crate::progress::Progress;
use crate::time::Ratio;
pub use decode::OnDecodeError;
use decode::{ClipReader, Damage};
use encode::SegmentEncoder;
use ffmpeg_next as ff;
use rayon::prelude::*;
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
pub fn render(
    plan: &Plan,
    output: &Path,
    settings: &Settings,
    progress: &dyn Progress,
) -> Result<Summary> {
    let started = Instant::now();
    ff::init().map_err(|e| Error::render(format!("initialising FFmpeg: {e}")))?;
    container::check_output(output, [], None)?;
    let muxer = container::muxer_for(output).expect("checked");
    let dir = container::parent_dir(output);
    std::fs::create_dir_all(&dir).map_err(|e| {
        Error::render(format!(
            "cannot create output directory {}: {e}",
            dir.display()
        ))
    })?;

    // An encoder opened once up front: fails early on bad settings and gives
    // the stream parameters every segment must match.
    let reference = encode::open_encoder(&plan.output)?;
    let params = ff::codec::Parameters::from(&reference);
    let extradata = encode::encoder_extradata(&reference);
    let time_base = reference.time_base();
    drop(reference);

    let work = tempfile::Builder::new()
        .prefix(".reel-work-")
        .tempdir_in(&dir)
        .map_err(|e| {
            Error::render(format!(
                "cannot create a work directory in {}: {e}",
                dir.display()
            ))
        })?;
    let cache = settings.cache.as_ref();
    let version = cache::version();
    // Segments made under another damage policy are never reused.
    let salt = format!("{version} on-decode-error {:?}", settings.on_decode_error);
    let prints = match cache {
        Some(_) => cache::fingerprints(plan)?,
        None => Default::default(),
    };
    let sources: Vec<&str> = plan
        .clips
        .iter()
        .map(|c| prints.get(&c.source).map_or("", String::as_str))
        .collect();
    let keys: Vec<Option<String>> = plan
        .segments
        .iter()
        .map(|seg| cache.map(|_| cache::segment_key(plan, seg, &sources, &salt)))
        .collect();
    let audio_key = cache.map(|_| {
        cache::audio_key(
            &plan.audio,
            &plan.output.audio,
            &plan.range_samples(),
            &prints,
            &version,
        )
    });

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.jobs.max(1))
        .build()
        .map_err(|e| Error::render(format!("cannot start workers: {e}")))?;
    let decoder_threads = (cores() / settings.jobs.max(1)).max(1);
    progress.start(plan.range.end - plan.range.start);

    // Segments found in the cache are used as they are.
    let mut files: Vec<Option<File>> = keys
        .iter()
        .zip(&plan.segments)
        .map(|(key, seg)| {
            let hit = cache
                .zip(key.as_ref())
                .and_then(|(c, k)| c.lookup("segments", k));
            if hit.is_some() {
                progress.advance(seg.frames.end - seg.frames.start);
            }
            hit
        })
        .collect();
    let reused = files.iter().filter(|f| f.is_some()).count();
    // Each segment's file: its cache entry, or a file in the work directory.
    let names: Vec<PathBuf> = plan
        .segments
        .iter()
        .zip(&keys)
        .map(|(seg, key)| match (cache, key) {
            (Some(c), Some(k)) => c.entry_path("segments", k, "pkt"),
            _ => work.path().join(format!("segment-{:05}.pkt", seg.index)),
        })
        .collect();
    let todo: Vec<Job> = plan
        .segments
        .iter()
        .enumerate()
        .filter(|(i, _)| files[*i].is_none())
        .map(|(i, seg)| Job {
            position: i,
            seg,
            // Cache entries are written aside and renamed into place.
            path: match (cache, &keys[i]) {
                (Some(c), Some(k)) => c.temp_path(k),
                _ => names[i].clone(),
            },
        })
        .collect();
    let concealed = AtomicU64::new(0);
    let cached_audio = cache
        .zip(audio_key.as_ref())
        .and_then(|(c, k)| c.lookup("audio", k));
    let audio_reused = cached_audio.is_some();

    let (video, audio) = std::thread::scope(|s| {
        let audio = s.spawn(|| match cached_audio {
            Some(file) => {
                let name = cache
                    .zip(audio_key.as_ref())
                    .map(|(c, k)| c.entry_path("audio", k, "pkt"))
                    .unwrap_or_default();
                audio::encode::load(file, &name, &plan.audio, &plan.output.audio)
            }
            None => {
                let track = audio::render(&plan.audio, &plan.output.audio, plan.range_samples())?;
                if let (Some(c), Some(k)) = (cache, audio_key.as_ref()) {
                    let tmp = c.temp_path(k);
                    audio::encode::store(&track, &tmp)?;
                    c.insert(&tmp, "audio", k, "pkt")?;
                }
                Ok(track)
            }
        });
        let damage = Damage {
            policy: settings.on_decode_error,
            concealed: &concealed,
        };
        let video =
            pool.install(|| render_segments(plan, &todo, decoder_threads, damage, progress));
        let audio = audio
            .join()
            .unwrap_or_else(|_| Err(Error::render("the audio thread failed unexpectedly")));
        (video, audio)
    });
    if video.is_err() || audio.is_err() {
        // Partial segments (in the cache's tmp/ or the work directory).
        for job in &todo {
            let _ = std::fs::remove_file(&job.path);
        }
    }
    video?;
    let audio = audio?;
    crate::signal::check()?;
    let loudness = audio.loudness;
    for job in &todo {
        let file = match (cache, &keys[job.position]) {
            (Some(c), Some(k)) => c.insert(&job.path, "segments", k, "pkt")?,
            _ => File::open(&job.path)
                .map_err(|e| Error::render(format!("reading {}: {e}", job.path.display())))?,
        };
        files[job.position] = Some(file);
    }

    progress.stage("joining");
    let segments: Vec<join::SegmentFile> = plan
        .segments
        .iter()
        .zip(files)
        .zip(names)
        .map(|((s, file), name)| join::SegmentFile {
            name,
            file: file.expect("every segment is reused or rendered"),
            first_frame: s.frames.start - plan.range.start,
        })
        .collect();
    let ext = output
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let name = output
        .file_name()
        .map_or("out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.reel-"))
        .suffix(&ext)
        .tempfile_in(&dir)
        .map_err(|e| {
            Error::render(format!(
                "cannot create a temporary file in {}: {e}",
                dir.display()
            ))
        })?;
    join::join(
        tmp.path(),
        muxer,
        join::VideoTrack {
            params,
            extradata,
            time_base,
            segments,
        },
        audio,
    )?;
    crate::signal::check()?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::render(format!("flushing {}: {e}", tmp.path().display())))?;
    tmp.persist(output).map_err(|e| {
        Error::render(format!(
            "cannot move the render into place at {}: {e}",
            output.display()
        ))
    })?;
    drop(work);
    if let Some(c) = cache {
        c.evict();
    }
    progress.finish();

    Ok(Summary {
        output: output.to_path_buf(),
        frames: plan.range.end - plan.range.start,
        duration_secs: crate::time::secs_f64(
            Ratio::from_integer((plan.range.end - plan.range.start) as i64) / plan.output.fps,
        ),
        wall: started.elapsed(),
        peak_rss_bytes: peak_rss(),
        loudness,
        concealed: concealed.load(Ordering::Relaxed),
        reused: cache.map(|_| Reused {
            segments: reused,
            of: plan.segments.len(),
            audio: audio_reused,
        }),
    })
}

/// A segment to render, to the packet file `path`.
struct Job<'a> {
    /// Index into `Plan::segments`.
    position: usize,
    seg: &'a Segment,
    path: PathBuf,
}

/// Refuses an output path that reel cannot write, that would overwrite a
/// source or that lands inside the cache (exit code 2).
pub fn check_output(plan: &Plan, output: &Path, cache: Option<&Cache>) -> Result<()> {
    let a = &plan.audio;
    let sources = plan
        .clips
        .iter()
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
fn render_segments(
    plan: &Plan,
    jobs: &[Job],
    decoder_threads: usize,
    damage: Damage,
    progress: &dyn Progress,
) -> Result<()> {
    let mut order: Vec<&Job> = jobs.iter().collect();
    order.sort_by_key(|j| std::cmp::Reverse(j.seg.frames.end - j.seg.frames.start));
    let cancel = AtomicBool::new(false);
    let results: Vec<(usize, Result<()>)> = order
        .par_iter()
        .map(|job| {
            let seg = job.seg;
            if cancel.load(Ordering::Relaxed) {
                return (seg.index, Ok(()));
            }
            let r = render_segment(
                plan,
                seg,
                &job.path,
                decoder_threads,
                damage,
                &cancel,
                progress,
            );
            if r.is_err() {
                cancel.store(true, Ordering::Relaxed);
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
    decoder_threads: usize,
    damage: Damage<'a>,
    cancel: &AtomicBool,
    progress: &dyn Progress,
) -> Result<()> {
    let range = plan.clips_in(seg);
    let mut readers: Vec<Option<ClipReader>> = range.clone().map(|_| None).collect();
    let mut encoder = SegmentEncoder::create(&plan.output, path)?;
    let pix = encode::pixel_format(&plan.output)?;
    let out = &plan.output;
    let mut fader = Fader {
        black: None,
        output: out,
    };

    // Opens a clip's reader on first use, positioned for `local`.
    let reader = |readers: &mut [Option<ClipReader<'a>>], clip: usize, local: u64| -> Result<()> {
        let slot = &mut readers[clip - range.start];
        if slot.is_none() {
            *slot = Some(ClipReader::open(
                &plan.clips[clip],
                out,
                local,
                decoder_threads,
                damage,
            )?);
        }
        Ok(())
    };

    for k in seg.frames.clone() {
        if cancel.load(Ordering::Relaxed) {
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
                reader(&mut readers, clip, local)?;
                let frame = readers[clip - range.start]
                    .as_mut()
                    .expect("opened")
                    .frame(local)?;
                fader.push(&mut encoder, frame, plan.fade(k))?;
            }
            Compose::Blend {
                from,
                from_local,
                to,
                to_local,
                step,
                steps,
            } => {
                reader(&mut readers, from, from_local)?;
                reader(&mut readers, to, to_local)?;
                let (head, tail) = readers.split_at_mut(to - range.start);
                let a = head[from - range.start]
                    .as_mut()
                    .expect("opened")
                    .frame(from_local)?;
                let b = tail[0].as_mut().expect("opened").frame(to_local)?;
                // A fresh frame each time: the encoder may still reference
                // the previous one.
                let mut mixed = ff::frame::Video::new(pix, out.width, out.height);
                blend::blend(a, b, step, steps, &mut mixed)?;
                fader.push(&mut encoder, &mut mixed, plan.fade(k))?;
            }
        }
        progress.advance(1);
    }
    encoder.finish()
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

/// Peak resident set size (VmHWM) on Linux.
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
