//! The run's threads besides the joining one: the workers, each taking
//! the next segment to render until none is left, and the sound thread,
//! each wanted target's audio in turn.

use super::board::{lock, Run, Slot, Sound, SoundSlot, State};
use crate::cache::Cache;
use crate::error::Error;
use crate::progress::Progress;
use crate::render::decode::Damage;
use crate::render::lookup::{commit_one, render_audio};
use crate::render::segment::{render_segment, Job};
use crate::render::settings::Settings;
use crate::render::stats::thread_cpu;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A worker: takes the next work until none is left.
pub(super) fn worker(
    run: Run,
    next: &AtomicUsize,
    settings: &Settings,
    decoder_threads: usize,
    progress: &dyn Progress,
) {
    let Run {
        shared,
        works,
        board,
        alive,
        fonts,
    } = run;
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
            if let Slot::Failed { error, .. } = &slot {
                let interrupted = error.is_interrupted();
                for &k in &work.needers {
                    alive.fail(k, interrupted);
                }
            }
            s.works[w] = slot;
        });
    }
}

/// The sound thread: each wanted target's audio in turn. A target's sound
/// starts once every segment of the targets before it is done, so that it
/// takes no time from their pictures and no output is later than rendered
/// alone (the first target's starts at once, beside its pictures).
pub(super) fn sound(run: Run, cache: Option<&Cache>) {
    let Run {
        shared,
        works,
        board,
        alive,
        ..
    } = run;
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
        if crate::pictures::kind(&sh.output).is_some() {
            // Pictures have no sound.
            board.set(|s| s.sound[k] = SoundSlot::Done(Sound::none()));
            continue;
        }
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
                    alive.fail(k, e.is_interrupted());
                    SoundSlot::Failed(Some(e))
                }
            };
        });
    }
}
