//! Many outputs, one pool of workers. Every missing segment of every output
//! (each identical one once, by its cache key) goes to one set of workers
//! in the outputs' order, longest first within each, while one thread
//! mixes the outputs' sound in the same order and the calling thread joins
//! each output as soon as its segments and sound are ready. The first
//! output is finished while the workers already render the next one's
//! segments, so outputs come out one after another, not all at the end.

use super::decode::Damage;
use super::lookup::{look_up, render_audio, AudioWork, Unit};
use super::place::{subtitle_tracks, OutputPlace, Reference};
use super::segment::{render_segment, Job};
use super::settings::{cores, Settings};
use super::stats::{peak_rss, process_cpu, thread_cpu, Reused, Stage, Summary, Work, WorkerClock};
use super::{graphics, join};
use crate::audio;
use crate::cache::{Cache, Kind};
use crate::error::{Error, Result};
use crate::plan::Plan;
use crate::progress::Progress;
use crate::time::Ratio;
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

/// One output to render: its plan and where it goes.
pub struct Target<'a> {
    pub plan: &'a Plan,
    pub output: PathBuf,
}

/// What the workers and the sound thread read of a target.
struct Shared<'a> {
    plan: &'a Plan,
    output: PathBuf,
    units: Vec<Unit<'a>>,
    /// Per unit: the work that renders it, or None when the cache has it.
    works: Vec<Option<usize>>,
    audio: Mutex<Option<AudioWork>>,
    setup: graphics::Setup,
    work_dir: PathBuf,
    concealed: AtomicU64,
    clock: WorkerClock,
    /// When its first own work began and its last one ended.
    video: Mutex<Option<(Instant, Instant)>>,
}

/// What the joining thread keeps of a target: the output's place and
/// stream parameters, the files found in the cache, and its times.
struct Own {
    place: Option<OutputPlace>,
    reference: Option<Reference>,
    found: Vec<Option<File>>,
    keys: Stage,
}

/// A segment to render, for the targets in `needers` (the first owns it:
/// its setup, clock and damage count are used).
struct Task {
    target: usize,
    unit: usize,
    needers: Vec<usize>,
}

enum Slot {
    Pending,
    Done(File),
    /// The error, until the first target that needs it takes it, and its
    /// message for the others.
    Failed(Option<Error>, String),
    Skipped,
    /// Done, and every target that needs it joined: its file is closed.
    Used,
}

struct Sound {
    rendered: audio::Rendered,
    wall: f64,
    cpu: f64,
}

enum SoundSlot {
    Pending,
    Done(Sound),
    Failed(Option<Error>),
    Skipped,
}

/// The work's results, guarded, and a signal on every change.
struct Board {
    state: Mutex<State>,
    changed: Condvar,
}

struct State {
    works: Vec<Slot>,
    sound: Vec<SoundSlot>,
}

impl Board {
    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    fn set(&self, f: impl FnOnce(&mut State)) {
        f(&mut self.lock());
        self.changed.notify_all();
    }

    /// Waits for a change, at most `timeout` (the waiter also watches for
    /// signals and for its target being abandoned).
    fn wait<'a>(&self, s: MutexGuard<'a, State>, timeout: Duration) -> MutexGuard<'a, State> {
        self.changed
            .wait_timeout(s, timeout)
            .unwrap_or_else(|e| e.into_inner())
            .0
    }
}

/// A mutex's guard; a panic elsewhere while it was held does not poison it
/// here (the workers catch their panics).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Which targets are still wanted: not failed, and (without
/// `--keep-going`) not after a failed one.
struct Alive {
    failed: Vec<AtomicBool>,
    /// Targets from this index on are abandoned.
    limit: AtomicUsize,
    keep_going: bool,
}

impl Alive {
    fn is(&self, k: usize) -> bool {
        k < self.limit.load(Ordering::SeqCst) && !self.failed[k].load(Ordering::SeqCst)
    }

    fn any(&self, ks: &[usize]) -> bool {
        ks.iter().any(|&k| self.is(k))
    }

    fn fail(&self, k: usize, interrupted: bool) {
        self.failed[k].store(true, Ordering::SeqCst);
        if !self.keep_going || interrupted {
            self.limit.fetch_min(k + 1, Ordering::SeqCst);
        }
    }
}

/// The process has one `FONTCONFIG_FILE`, read when a text graph is made,
/// and each target's names its own work directory (removed when it is
/// joined): segments that draw text for one target run while no segment
/// draws text for another (segments without text run any time).
struct Fonts {
    current: RwLock<Option<usize>>,
}

impl Fonts {
    /// Runs `f` with the fonts of target `k` if `text`.
    fn with<T>(&self, text: bool, k: usize, setup: &graphics::Setup, f: impl FnOnce() -> T) -> T {
        if !text {
            return f();
        }
        loop {
            let now = self.current.read().unwrap_or_else(|e| e.into_inner());
            if *now == Some(k) {
                return f();
            }
            drop(now);
            let mut now = self.current.write().unwrap_or_else(|e| e.into_inner());
            if *now != Some(k) {
                setup.use_fonts();
                *now = Some(k);
            }
        }
    }
}

/// Renders every target, each atomically (see [`super::render`]). `finished` is
/// called as each output is done or has failed, in the targets' order (the
/// caller finishes `progress`);
/// without `keep_going` the targets after the first failure are neither
/// rendered nor reported. Returns what became of the reported ones, in
/// order, with their CPU seconds per stage.
pub fn render_many(
    targets: &[Target],
    settings: &Settings,
    keep_going: bool,
    progress: &dyn Progress,
    finished: &mut dyn FnMut(usize, &Result<Summary>),
) -> Vec<Result<Summary>> {
    let cache = settings.cache.as_ref();
    let started = Instant::now();
    // Look every target up, in order.
    let mut shared: Vec<Option<Shared>> = Vec::new();
    let mut own: Vec<Result<Own>> = Vec::new();
    for t in targets {
        match prepare(t, settings) {
            Ok((s, o)) => {
                shared.push(Some(s));
                own.push(Ok(o));
            }
            Err(e) => {
                shared.push(None);
                own.push(Err(e));
                if !keep_going {
                    break;
                }
            }
        }
    }
    let n = own.len();
    let works = plan_works(&mut shared, &own);
    let total: u64 = targets[..n]
        .iter()
        .zip(&shared)
        .filter(|(_, s)| s.is_some())
        .map(|(t, _)| t.plan.range.end - t.plan.range.start)
        .sum();
    progress.start(total);
    progress.outputs(0, n);
    for s in shared.iter().flatten() {
        for (u, w) in s.units.iter().zip(&s.works) {
            if w.is_none() {
                progress.advance(u.seg.frames.end - u.seg.frames.start);
            }
        }
    }
    let board = Board {
        state: Mutex::new(State {
            works: works.iter().map(|_| Slot::Pending).collect(),
            sound: (0..n).map(|_| SoundSlot::Pending).collect(),
        }),
        changed: Condvar::new(),
    };
    let alive = Alive {
        failed: (0..n).map(|_| AtomicBool::new(false)).collect(),
        limit: AtomicUsize::new(n),
        keep_going,
    };
    let fonts = Fonts {
        current: RwLock::new(None),
    };
    let pool_cpu_started = process_cpu();
    let next = AtomicUsize::new(0);
    let jobs = settings.jobs.max(1);
    let decoder_threads = (cores() / jobs).max(1);
    let mut results: Vec<Result<Summary>> = Vec::new();
    let mut join_cpu = vec![0.0; n];
    std::thread::scope(|s| {
        for _ in 0..jobs.min(works.len()) {
            s.spawn(|| {
                worker(
                    &works,
                    &next,
                    (&shared, &alive, &board, &fonts),
                    settings,
                    decoder_threads,
                    progress,
                )
            });
        }
        s.spawn(|| sound(&shared, &works, &alive, &board, cache));
        for k in 0..n {
            if k >= alive.limit.load(Ordering::SeqCst) {
                break;
            }
            let own = &mut own[k];
            let result = match own {
                Err(e) => Err(std::mem::replace(e, Error::Unexpected("reported"))),
                Ok(own) => {
                    let sh = shared[k].as_ref().expect("prepared");
                    let cpu = thread_cpu();
                    let r = wait(k, sh, &board, &alive).and_then(|sound| {
                        finish(
                            k,
                            sh,
                            own,
                            sound,
                            (&works, &board, started),
                            cache,
                            progress,
                        )
                    });
                    join_cpu[k] = thread_cpu() - cpu;
                    r
                }
            };
            if let Err(e) = &result {
                alive.fail(k, matches!(e, Error::Interrupted(_)));
            }
            // Close the segment files no later target uses.
            if let Ok(own) = own {
                own.found.clear();
            }
            board.set(|s| {
                for (w, task) in works.iter().enumerate() {
                    if task.needers.iter().max() == Some(&k) && matches!(s.works[w], Slot::Done(_))
                    {
                        s.works[w] = Slot::Used;
                    }
                }
            });
            // Entries a later target uses are open, and stay readable.
            if let Some(c) = cache {
                c.evict();
            }
            progress.outputs(k + 1, n);
            if k + 1 < n {
                progress.stage("rendering");
            }
            finished(k, &result);
            results.push(result);
        }
        // Nothing more is wanted: the workers stop at their next frame.
        alive.limit.store(0, Ordering::SeqCst);
    });
    // The encoders' threads are nobody's: what the pool's time used beyond
    // the sound, the joins and the workers' decoding and drawing is
    // encoding, shared out by the time each target's workers spent
    // encoding.
    let mut spent = process_cpu() - pool_cpu_started;
    for (r, join) in results.iter().zip(&join_cpu) {
        spent -= join;
        if let Ok(s) = r {
            for st in &s.stages {
                if matches!(st.name, "audio" | "decode" | "blend") {
                    spent -= st.cpu;
                }
            }
        }
    }
    let stage = |s: &Summary, name: &str| s.stages.iter().find(|st| st.name == name).copied();
    let encode_wall: f64 = results
        .iter()
        .flatten()
        .filter_map(|s| stage(s, "encode"))
        .map(|st| st.wall)
        .sum();
    for s in results.iter_mut().flatten() {
        let share = stage(s, "encode").map_or(0.0, |st| st.wall) / encode_wall.max(1e-9);
        let encode = spent.max(0.0) * share;
        let parts: f64 = ["decode", "blend"]
            .iter()
            .filter_map(|n| stage(s, n))
            .map(|st| st.cpu)
            .sum();
        for st in s.stages.iter_mut() {
            match st.name {
                "encode" => st.cpu = encode,
                "video" => st.cpu = parts + encode,
                _ => {}
            }
        }
    }
    results
}

/// Opens a target's output place and reference encoder, keys its units
/// and looks them up, and writes its fonts.
fn prepare<'a>(t: &Target<'a>, settings: &Settings) -> Result<(Shared<'a>, Own)> {
    let started = Instant::now();
    let cpu = process_cpu();
    let plan = t.plan;
    let place = OutputPlace::prepare(&t.output)?;
    let reference = Reference::open(&plan.output)?;
    let work_dir = place.work.path().to_path_buf();
    let (mut units, audio) = look_up(plan, settings, &work_dir)?;
    let found: Vec<Option<File>> = units.iter_mut().map(|u| u.file.take()).collect();
    let setup = graphics::setup(&plan.layers, &work_dir)?;
    let keys = Stage {
        name: "keys",
        wall: started.elapsed().as_secs_f64(),
        cpu: process_cpu() - cpu,
    };
    Ok((
        Shared {
            plan,
            output: t.output.clone(),
            works: vec![None; units.len()],
            units,
            audio: Mutex::new(Some(audio)),
            setup,
            work_dir,
            concealed: AtomicU64::new(0),
            clock: WorkerClock::default(),
            video: Mutex::new(None),
        },
        Own {
            place: Some(place),
            reference: Some(reference),
            found,
            keys,
        },
    ))
}

/// The segments to render, in the targets' order and longest first within
/// each; a segment whose key an earlier one has is rendered once.
fn plan_works(shared: &mut [Option<Shared>], own: &[Result<Own>]) -> Vec<Task> {
    let mut works: Vec<Task> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for (k, (s, o)) in shared.iter_mut().zip(own).enumerate() {
        let (Some(s), Ok(o)) = (s, o) else { continue };
        let mut missing: Vec<usize> = (0..s.units.len()).collect();
        missing.retain(|&u| o.found[u].is_none());
        let frames = |u: &Unit| u.seg.frames.end - u.seg.frames.start;
        missing.sort_by_key(|&u| std::cmp::Reverse(frames(&s.units[u])));
        for u in missing {
            let w = match s.units[u].key.as_ref().and_then(|key| by_key.get(key)) {
                Some(&w) => {
                    works[w].needers.push(k);
                    w
                }
                None => {
                    if let Some(key) = &s.units[u].key {
                        by_key.insert(key.clone(), works.len());
                    }
                    works.push(Task {
                        target: k,
                        unit: u,
                        needers: vec![k],
                    });
                    works.len() - 1
                }
            };
            s.works[u] = Some(w);
        }
    }
    works
}

/// A worker: takes the next work until none is left.
fn worker(
    works: &[Task],
    next: &AtomicUsize,
    (shared, alive, board, fonts): (&[Option<Shared>], &Alive, &Board, &Fonts),
    settings: &Settings,
    decoder_threads: usize,
    progress: &dyn Progress,
) {
    loop {
        let w = next.fetch_add(1, Ordering::SeqCst);
        let Some(work) = works.get(w) else { return };
        let stop = || !alive.any(&work.needers);
        if stop() {
            board.set(|s| s.works[w] = Slot::Skipped);
            continue;
        }
        let sh = shared[work.target].as_ref().expect("prepared");
        let unit = &sh.units[work.unit];
        let seg = unit.seg;
        let job = Job {
            decoder_threads,
            damage: Damage {
                policy: settings.on_decode_error,
                concealed: &sh.concealed,
            },
            setup: &sh.setup,
            clock: &sh.clock,
        };
        let text = sh.plan.layers.items.iter().any(|l| {
            l.is_text() && l.frames.start < seg.frames.end && seg.frames.start < l.frames.end
        });
        let began = Instant::now();
        // A panic fails the segment's targets rather than leave them
        // waiting for it.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            fonts.with(text, work.target, &sh.setup, || {
                render_segment(sh.plan, seg, &unit.scratch, job, &stop, progress)
            })
        }))
        .unwrap_or(Err(Error::Unexpected("a worker failed")));
        {
            let mut span = lock(&sh.video);
            let first = span.map_or(began, |(a, _)| a);
            *span = Some((first, Instant::now()));
        }
        let slot = match result {
            Ok(()) if stop() => Slot::Skipped,
            Ok(()) => match commit_one(unit, settings.cache.as_ref()) {
                Ok(file) => Slot::Done(file),
                Err(e) => Slot::failed(e),
            },
            Err(e) => Slot::failed(e),
        };
        if !matches!(slot, Slot::Done(_)) {
            let _ = std::fs::remove_file(&unit.scratch);
        }
        let frames = seg.frames.end - seg.frames.start;
        if matches!(slot, Slot::Done(_)) {
            progress.segment_done(&sh.output, seg.index, frames);
            progress.advance(frames * (work.needers.len() as u64 - 1));
        }
        board.set(|s| {
            if let Slot::Failed(e, _) = &slot {
                let interrupted = matches!(e, Some(Error::Interrupted(_)));
                for &k in &work.needers {
                    alive.fail(k, interrupted);
                }
            }
            s.works[w] = slot;
        });
    }
}

impl Slot {
    fn failed(e: Error) -> Slot {
        let message = crate::error::Report(&e).to_string();
        Slot::Failed(Some(e), message)
    }
}

/// A rendered segment's file: moved into the cache, or its work file.
fn commit_one(unit: &Unit, cache: Option<&Cache>) -> Result<File> {
    match (cache, &unit.key) {
        (Some(c), Some(k)) => c.insert(&unit.scratch, Kind::Segment, k),
        _ => File::open(&unit.scratch).map_err(|e| Error::io("reading", &unit.scratch, e)),
    }
}

/// The sound thread: each wanted target's audio in turn. A target's sound
/// starts once every segment of the targets before it is done, so that it
/// takes no time from their pictures and no output is later than rendered
/// alone (the first target's starts at once, beside its pictures).
fn sound(
    shared: &[Option<Shared>],
    works: &[Task],
    alive: &Alive,
    board: &Board,
    cache: Option<&Cache>,
) {
    for (k, sh) in shared.iter().enumerate() {
        let Some(sh) = sh else { continue };
        let before = works.iter().take_while(|w| w.target < k).count();
        let mut s = board.lock();
        let pending = |s: &State| s.works[..before].iter().any(|w| matches!(w, Slot::Pending));
        while pending(&s) && alive.is(k) && crate::signal::check().is_ok() {
            s = board.wait(s, Duration::from_millis(50));
        }
        drop(s);
        if !alive.is(k) {
            board.set(|s| s.sound[k] = SoundSlot::Skipped);
            continue;
        }
        let Some(work) = lock(&sh.audio).take() else {
            continue;
        };
        let started = Instant::now();
        // The sound runs on this thread and rayon's global pool, which
        // nothing else uses meanwhile.
        let pool_cpu = || rayon::broadcast(|_| thread_cpu()).iter().sum::<f64>();
        let cpu = thread_cpu() + pool_cpu();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            render_audio(sh.plan, cache, work, &sh.work_dir)
        }))
        .unwrap_or(Err(Error::Unexpected("the audio thread failed")));
        let cpu = thread_cpu() + pool_cpu() - cpu;
        board.set(|s| {
            s.sound[k] = match result {
                Ok(rendered) => SoundSlot::Done(Sound {
                    rendered,
                    wall: started.elapsed().as_secs_f64(),
                    cpu,
                }),
                Err(e) => {
                    alive.fail(k, matches!(e, Error::Interrupted(_)));
                    SoundSlot::Failed(Some(e))
                }
            };
        });
    }
}

/// Waits until target `k`'s segments and sound are ready, or it failed
/// (the earliest failed segment's error, else the sound's).
fn wait(k: usize, sh: &Shared, board: &Board, alive: &Alive) -> Result<Sound> {
    let mut s = board.lock();
    loop {
        crate::signal::check()?;
        let mine = || sh.works.iter().flatten().copied();
        if alive.failed[k].load(Ordering::SeqCst) {
            if let Some(w) = mine().find(|&w| matches!(s.works[w], Slot::Failed(..))) {
                if let Slot::Failed(e, message) = &mut s.works[w] {
                    return Err(e.take().unwrap_or_else(|| Error::Shared(message.clone())));
                }
            }
            if let SoundSlot::Failed(e) = &mut s.sound[k] {
                return Err(e.take().unwrap_or(Error::Unexpected("the audio failed")));
            }
        }
        let segments = mine().all(|w| matches!(s.works[w], Slot::Done(_)));
        if segments && matches!(s.sound[k], SoundSlot::Done(_)) {
            let SoundSlot::Done(sound) = std::mem::replace(&mut s.sound[k], SoundSlot::Skipped)
            else {
                unreachable!("matched above")
            };
            return Ok(sound);
        }
        if k >= alive.limit.load(Ordering::SeqCst) {
            return Err(Error::Unexpected("the render was abandoned"));
        }
        s = board.wait(s, Duration::from_millis(200));
    }
}

/// Joins target `k`'s segments and sound into its output, moved into
/// place, and says what it took.
fn finish(
    k: usize,
    sh: &Shared,
    own: &mut Own,
    sound: Sound,
    (tasks, board, started): (&[Task], &Board, Instant),
    cache: Option<&Cache>,
    progress: &dyn Progress,
) -> Result<Summary> {
    let plan = sh.plan;
    // Each segment's own open file: the one found in the cache, or a new
    // handle on the rendered one (its own read position).
    let mut files = Vec::with_capacity(sh.units.len());
    {
        let s = board.lock();
        for ((u, w), found) in sh.units.iter().zip(&sh.works).zip(own.found.iter_mut()) {
            let file = match (found.take(), w) {
                (Some(f), _) => f,
                (None, Some(w)) => match &s.works[*w] {
                    Slot::Done(f) => reopen(f, &u.name)?,
                    _ => return Err(Error::Unexpected("a segment is missing")),
                },
                (None, None) => return Err(Error::Unexpected("a segment is missing")),
            };
            files.push(file);
        }
    }
    // Segments this target did not render itself: found in the cache, or
    // rendered for an earlier target.
    let reused = sh
        .works
        .iter()
        .filter(|w| w.is_none_or(|w| tasks[w].target != k))
        .count();
    let audio_reused = sound.rendered.chunks > 0 && sound.rendered.reused == sound.rendered.chunks;
    let track = sound.rendered.track;
    crate::signal::check()?;
    progress.stage("joining");
    let join_started = Instant::now();
    let join_cpu = thread_cpu();
    let loudness = track.loudness;
    let place = own.place.take().expect("joined once");
    let reference = own.reference.take().expect("joined once");
    let muxer = place.muxer;
    place.persist(&sh.output, |tmp| {
        let video = join::VideoTrack {
            params: reference.params,
            extradata: reference.extradata,
            time_base: reference.time_base,
            segments: sh
                .units
                .iter()
                .zip(files)
                .map(|(u, file)| join::SegmentFile {
                    first_frame: u.seg.frames.start - plan.range.start,
                    name: u.name.clone(),
                    file,
                })
                .collect(),
        };
        let audio = join::AudioIn {
            params: track.params.clone(),
            time_base: track.time_base,
            packets: Box::new(track.packets()),
        };
        join::join(tmp, muxer, video, audio, subtitle_tracks(plan))
    })?;
    let join = Stage {
        name: "join",
        wall: join_started.elapsed().as_secs_f64(),
        cpu: thread_cpu() - join_cpu,
    };
    graphics::write_sidecars(plan, &sh.output)?;
    let frames = plan.range.end - plan.range.start;
    let video_wall = sh
        .video
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .map_or(0.0, |(a, b)| (b - a).as_secs_f64());
    Ok(Summary {
        output: sh.output.clone(),
        frames,
        duration_secs: crate::time::secs_f64(Ratio::from_integer(frames as i64) / plan.output.fps),
        wall: started.elapsed(),
        peak_rss_bytes: peak_rss(),
        loudness,
        concealed: sh.concealed.load(Ordering::Relaxed),
        stages: vec![
            own.keys,
            Stage {
                name: "video",
                wall: video_wall,
                cpu: 0.0,
            },
            sh.clock.stage(Work::Decode),
            sh.clock.stage(Work::Blend),
            sh.clock.stage(Work::Encode),
            Stage {
                name: "audio",
                wall: sound.wall,
                cpu: sound.cpu,
            },
            join,
        ],
        reused: cache.map(|_| Reused {
            segments: reused,
            of: plan.segments.len(),
            audio: audio_reused,
        }),
    })
}

/// A new handle, with its own read position, on a rendered segment's file:
/// by its name, or (if another process evicted the entry meanwhile)
/// through the open file itself.
fn reopen(file: &File, name: &Path) -> Result<File> {
    use std::os::fd::AsRawFd;
    File::open(name)
        .or_else(|_| File::open(format!("/proc/self/fd/{}", file.as_raw_fd())))
        .map_err(|e| Error::io("reading", name, e))
}
