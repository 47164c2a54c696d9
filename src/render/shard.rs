//! `reel render --shard I/N`: a shard's work units rendered into the
//! cache, with no output written.

use super::decode::Damage;
use super::graphics;
use super::lookup::{commit, look_up, render_audio, AudioWork, Unit};
use super::segment::{render_segment, Job};
use super::settings::{cores, Settings};
use super::stats::WorkerClock;
use crate::audio;
use crate::error::{Error, Result};
use crate::plan::{Plan, Shard, UnitKind};
use crate::progress::Progress;
use rayon::prelude::*;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

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

/// Renders the work units of `shard` (see
/// [`crate::plan::assign`]) into the cache, and writes no output: a later
/// `reel render` joins what the shards stored, rendering whatever is still
/// missing.
pub fn render_shard(
    plan: &Plan,
    settings: &Settings,
    shard: Shard,
    progress: &dyn Progress,
) -> Result<ShardSummary> {
    let started = Instant::now();
    let cache = settings.cache.as_ref().ok_or_else(|| {
        Error::Usage("--shard renders into the cache: it cannot be used with --no-cache".into())
    })?;
    let work = crate::container::work_dir(".reel-shard-")?;
    let (units, audio) = look_up(plan, settings, work.path())?;
    let (segments_mine, audio_mine) = shares(plan, shard);
    let mut mine: Vec<Unit> = units
        .into_iter()
        .filter(|u| segments_mine[u.seg.index])
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
        Workspace {
            graphics: &setup,
            dir: work.path(),
        },
        &concealed,
        progress,
    )?;
    // The audio counts as rendered unless every chunk was in the cache.
    rendered += usize::from(track.is_some_and(|a| a.reused < a.chunks));
    crate::signal::check()?;
    commit(&mut mine, Some(cache))?;
    progress.finish();
    Ok(ShardSummary {
        shard: shard.index,
        shards: shard.count,
        units: count,
        rendered,
        wall: started.elapsed(),
    })
}

/// Where a shard's work happens: its work directory, and the graphics set
/// up in it.
struct Workspace<'a> {
    graphics: &'a graphics::Setup,
    dir: &'a Path,
}

/// Renders a shard's missing segments on the workers and, if it is the
/// shard's, the audio on its own thread. On failure, partial segment files
/// are removed.
fn run(
    plan: &Plan,
    settings: &Settings,
    units: &[Unit],
    audio: Option<AudioWork>,
    Workspace {
        graphics: setup,
        dir: work,
    }: Workspace,
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

/// Which of the plan's segments (by index) and whether its audio fall to
/// `shard` of `shards`.
fn shares(plan: &Plan, shard: Shard) -> (Vec<bool>, bool) {
    let units = crate::plan::work_units(plan);
    let costs: Vec<u64> = units.iter().map(|u| u.cost).collect();
    let owner = crate::plan::assign(&costs, shard.count);
    let mut segments = vec![false; plan.segments.len()];
    let mut audio = false;
    for (u, _) in units.iter().zip(&owner).filter(|(_, &o)| o == shard.index) {
        match u.kind {
            UnitKind::Segment(i) => segments[i] = true,
            UnitKind::Audio => audio = true,
        }
    }
    (segments, audio)
}
