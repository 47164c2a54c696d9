//! Many outputs, one pool of workers. Every missing segment of every output
//! (each identical one once, by its cache key) goes to one set of workers
//! in the outputs' order, longest first within each, while one thread
//! mixes the outputs' sound in the same order and the calling thread joins
//! each output as soon as its segments and sound are ready. The first
//! output is finished while the workers already render the next one's
//! segments, so outputs come out one after another, not all at the end.

mod board;
mod joins;
mod targets;
mod workers;

pub use targets::Target;

use super::settings::{cores, OnFailure, Settings};
use super::stats::{process_cpu, thread_cpu, StageName, Summary};
use crate::error::Result;
use crate::progress::Progress;
use board::{Alive, Board, Fonts, Run, Slot, SoundSlot, State};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, RwLock};
use std::time::Instant;
use targets::{Prepared, Shared, Task};

/// Renders every target, each atomically (see [`super::render`]).
/// `finished` is called as each output is done or has failed, in the
/// targets' order (the caller finishes `progress`); with
/// [`OnFailure::Stop`] the targets after the first failure are neither
/// rendered nor reported.
/// Returns what became of the reported ones, in order, with their CPU
/// seconds per stage.
///
/// The phases: prepare the targets and list the segments to render, start
/// the progress display, run the workers and the sound thread while this
/// thread joins each target in turn, then share the encoders' CPU out.
pub fn render_many(
    targets: &[Target],
    settings: &Settings,
    on_failure: OnFailure,
    progress: &dyn Progress,
    finished: &mut dyn FnMut(usize, &Result<Summary>),
) -> Vec<Result<Summary>> {
    let started = Instant::now();
    let (mut shared, mut own) = prepare_all(targets, settings, on_failure);
    let works = targets::plan_works(&mut shared, &own);
    start_progress(targets, &shared, progress);
    let n = own.len();
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
        on_failure,
    };
    let fonts = Fonts {
        current: RwLock::new(None),
    };
    let pool_cpu_started = process_cpu();
    let next = AtomicUsize::new(0);
    let jobs = settings.jobs.max(1);
    let decoder_threads = (cores() / jobs).max(1);
    let cache = settings.cache.as_ref();
    let run = Run {
        shared: &shared,
        works: &works,
        board: &board,
        alive: &alive,
        fonts: &fonts,
    };
    let (mut results, join_cpu) = std::thread::scope(|s| {
        for _ in 0..jobs.min(works.len()) {
            s.spawn(|| workers::worker(run, &next, settings, decoder_threads, progress));
        }
        s.spawn(|| workers::sound(run, cache));
        let joined = join_all(&mut own, run, started, cache, progress, finished);
        // Nothing more is wanted: the workers stop at their next frame.
        alive.limit.store(0, Ordering::SeqCst);
        joined
    });
    attribute_encode_cpu(&mut results, &join_cpu, process_cpu() - pool_cpu_started);
    results
}

/// Looks every target up, in order; with [`OnFailure::Stop`], none after
/// the first that fails.
fn prepare_all<'a>(
    targets: &[Target<'a>],
    settings: &Settings,
    on_failure: OnFailure,
) -> (Vec<Option<Shared<'a>>>, Vec<Prepared>) {
    let mut shared = Vec::new();
    let mut own = Vec::new();
    for t in targets {
        match targets::prepare(t, settings) {
            Ok((s, o)) => {
                shared.push(Some(s));
                own.push(Prepared::Ready(o));
            }
            Err(e) => {
                shared.push(None);
                own.push(Prepared::Failed(Some(e)));
                if on_failure == OnFailure::Stop {
                    break;
                }
            }
        }
    }
    (shared, own)
}

/// Starts the progress display: the frames of every prepared target, of
/// which those of the segments found in the cache are done already.
fn start_progress(targets: &[Target], shared: &[Option<Shared>], progress: &dyn Progress) {
    let total: u64 = targets
        .iter()
        .zip(shared)
        .filter(|(_, s)| s.is_some())
        .map(|(t, _)| t.plan.range.end - t.plan.range.start)
        .sum();
    progress.start(total);
    progress.outputs(0, shared.len());
    for s in shared.iter().flatten() {
        for (u, w) in s.units.iter().zip(&s.works) {
            if w.is_none() {
                progress.advance(u.seg.frames.end - u.seg.frames.start);
            }
        }
    }
}

/// The joining thread: each wanted target in turn, as soon as its
/// segments and sound are ready, reported to `finished`. Returns the
/// results and each target's joining CPU seconds.
fn join_all(
    own: &mut [Prepared],
    run: Run,
    started: Instant,
    cache: Option<&crate::cache::Cache>,
    progress: &dyn Progress,
    finished: &mut dyn FnMut(usize, &Result<Summary>),
) -> (Vec<Result<Summary>>, Vec<f64>) {
    let n = own.len();
    let mut results: Vec<Result<Summary>> = Vec::new();
    let mut join_cpu = vec![0.0; n];
    for k in 0..n {
        if k >= run.alive.limit.load(Ordering::SeqCst) {
            break;
        }
        let result = match &mut own[k] {
            Prepared::Failed(e) => Err(e.take().expect("reported once")),
            Prepared::Ready(own) => {
                let cpu = thread_cpu();
                let r = joins::wait(k, run)
                    .and_then(|sound| joins::finish(k, own, sound, run, started, cache, progress));
                join_cpu[k] = thread_cpu() - cpu;
                // Close the segment files no later target uses.
                own.found.clear();
                r
            }
        };
        if let Err(e) = &result {
            run.alive.fail(k, e.is_interrupted());
        }
        release(k, run.works, run.board);
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
    (results, join_cpu)
}

/// Closes the files of the segments whose last target, `k`, is joined.
fn release(k: usize, works: &[Task], board: &Board) {
    board.set(|s| {
        for (w, task) in works.iter().enumerate() {
            if task.needers.iter().max() == Some(&k) && matches!(s.works[w], Slot::Done(_)) {
                s.works[w] = Slot::Used;
            }
        }
    });
}

/// Shares the encoders' CPU out. The encoders' threads are nobody's: what
/// the pool's time (`spent`) used beyond the sound, the joins and the
/// workers' decoding and drawing is encoding, shared out by the time each
/// target's workers spent encoding.
fn attribute_encode_cpu(results: &mut [Result<Summary>], join_cpu: &[f64], mut spent: f64) {
    for (r, join) in results.iter().zip(join_cpu) {
        spent -= join;
        if let Ok(s) = r {
            for st in &s.stages {
                if matches!(
                    st.name,
                    StageName::Audio | StageName::Decode | StageName::Blend
                ) {
                    spent -= st.cpu;
                }
            }
        }
    }
    let stage = |s: &Summary, name| s.stages.iter().find(|st| st.name == name).copied();
    let encode_wall: f64 = results
        .iter()
        .flatten()
        .filter_map(|s| stage(s, StageName::Encode))
        .map(|st| st.wall)
        .sum();
    for s in results.iter_mut().flatten() {
        let share = stage(s, StageName::Encode).map_or(0.0, |st| st.wall) / encode_wall.max(1e-9);
        let encode = spent.max(0.0) * share;
        let parts: f64 = [StageName::Decode, StageName::Blend]
            .iter()
            .filter_map(|&n| stage(s, n))
            .map(|st| st.cpu)
            .sum();
        for st in s.stages.iter_mut() {
            match st.name {
                StageName::Encode => st.cpu = encode,
                StageName::Video => st.cpu = parts + encode,
                _ => {}
            }
        }
    }
}
