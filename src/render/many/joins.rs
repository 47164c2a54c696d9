//! Joining a target: waiting for its segments and sound, then muxing them
//! into its output, moved into place, and saying what it took.

use super::board::{Board, Run, Slot, Sound, SoundSlot};
use super::targets::{Own, Shared, Task};
use crate::audio;
use crate::cache::Cache;
use crate::colour::{ContentLight, Hdr10, OutputColour, Space};
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::render::graphics;
use crate::render::join;
use crate::render::pictures;
use crate::render::place::subtitle_tracks;
use crate::render::stats::{peak_rss, thread_cpu, Reused, Stage, StageName, Summary, Work};
use crate::time::Ratio;
use std::fs::File;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Waits until target `k`'s segments and sound are ready, or it failed
/// (the earliest failed segment's error, else the sound's).
pub(super) fn wait(k: usize, run: Run) -> Result<Sound> {
    let Run {
        shared,
        works: tasks,
        board,
        alive,
        ..
    } = run;
    let sh = shared[k].as_ref().expect("prepared");
    let mut s = board.lock();
    loop {
        crate::signal::check()?;
        let mine = || sh.works.iter().flatten().copied();
        if alive.failed[k].load(Ordering::SeqCst) {
            let failed = |w: usize| matches!(s.works[w], Slot::Failed { .. } | Slot::Reported);
            if let Some(w) = mine().find(|&w| failed(w)) {
                // Later targets that will report the same failure.
                let limit = alive.limit.load(Ordering::SeqCst);
                let others = tasks[w].needers.iter().any(|&n| n > k && n < limit);
                return Err(s.works[w].take_error(others));
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
///
/// The phases: open each segment's file, mux them with the sound into the
/// output and move it into place, write the sidecar files, and sum up.
pub(super) fn finish(
    k: usize,
    own: &mut Own,
    sound: Sound,
    run: Run,
    started: Instant,
    cache: Option<&Cache>,
    progress: &dyn Progress,
) -> Result<Summary> {
    let sh = run.shared[k].as_ref().expect("prepared");
    let (tasks, board) = (run.works, run.board);
    let files = segment_files(sh, own, board)?;
    let reused = Reused {
        segments: reused_segments(k, sh, tasks),
        of: sh.plan.segments.len(),
        audio: sound.rendered.chunks > 0 && sound.rendered.reused == sound.rendered.chunks,
    };
    let audio = Stage {
        name: StageName::Audio,
        wall: sound.wall,
        cpu: sound.cpu,
    };
    if let Some(c) = &sound.rendered.clipping {
        progress.note(&format!("reel: warning: {}: {c}\n", sh.output.display()));
    }
    let track = sound.rendered.track;
    crate::signal::check()?;
    progress.stage("joining");
    let join = join_output(sh, own, &track, files)?;
    graphics::write_sidecars(sh.plan, &sh.output)?;
    let reused = cache.map(|_| reused);
    Ok(summary(
        sh,
        [own.keys, audio, join],
        track.loudness,
        reused,
        started,
    ))
}

/// Each segment's own open file: the one found in the cache, or a new
/// handle on the rendered one (its own read position).
fn segment_files(sh: &Shared, own: &mut Own, board: &Board) -> Result<Vec<File>> {
    let mut files = Vec::with_capacity(sh.units.len());
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
    Ok(files)
}

/// Segments target `k` did not render itself: found in the cache, or
/// rendered for an earlier target.
fn reused_segments(k: usize, sh: &Shared, tasks: &[Task]) -> usize {
    sh.works
        .iter()
        .filter(|w| w.is_none_or(|w| tasks[w].target != k))
        .count()
}

/// Muxes the segments' `files` and the sound's `track` into the output,
/// moved into place; the join's stage.
fn join_output(
    sh: &Shared,
    own: &mut Own,
    track: &audio::AudioTrack,
    files: Vec<File>,
) -> Result<Stage> {
    let plan = sh.plan;
    let join_started = Instant::now();
    let join_cpu = thread_cpu();
    let place = own.place.take().expect("joined once");
    let reference = own.reference.take().expect("joined once");
    let muxer = place.muxer;
    if let Some(kind) = crate::pictures::kind(&sh.output) {
        let segments = segment_list(sh, files);
        let write = |tmp: &Path| pictures::write(&kind, plan, &reference.params, segments, tmp);
        match kind {
            // A sequence moves its own directory into place.
            crate::pictures::Kind::Sequence(..) => write(Path::new(""))?,
            _ => place.persist(&sh.output, write)?,
        }
        return Ok(Stage {
            name: StageName::Join,
            wall: join_started.elapsed().as_secs_f64(),
            cpu: thread_cpu() - join_cpu,
        });
    }
    place.persist(&sh.output, |tmp| {
        if crate::container::audio_only(&sh.output).is_some() {
            let audio = join::AudioIn {
                params: track.params.clone(),
                time_base: track.time_base,
                packets: Box::new(track.packets()),
            };
            return join::join_audio(tmp, muxer, audio);
        }
        let video = join::VideoTrack {
            params: reference.params,
            extradata: reference.extradata,
            time_base: reference.time_base,
            segments: segment_list(sh, files),
            hdr10: hdr10(&plan.output.color),
            measure_light: plan.output.color.space == Space::Pq
                && plan.output.color.content_light == ContentLight::Measure,
            timecode: crate::plan::output_timecode(plan),
        };
        let audio = join::AudioIn {
            params: track.params.clone(),
            time_base: track.time_base,
            packets: Box::new(track.packets()),
        };
        join::join(tmp, muxer, video, audio, subtitle_tracks(plan))
    })?;
    Ok(Stage {
        name: StageName::Join,
        wall: join_started.elapsed().as_secs_f64(),
        cpu: thread_cpu() - join_cpu,
    })
}

/// The segments' open files in order, each with its first frame.
fn segment_list(sh: &Shared, files: Vec<File>) -> Vec<join::SegmentFile> {
    sh.units
        .iter()
        .zip(files)
        .map(|(u, file)| join::SegmentFile {
            first_frame: u.seg.frames.start - sh.plan.range.start,
            name: u.name.clone(),
            file,
        })
        .collect()
}

/// A PQ output's HDR10 metadata: its mastering display, and its content
/// light level where the EDL gives it (else measured by the join).
fn hdr10(c: &OutputColour) -> Option<Hdr10> {
    (c.space == Space::Pq).then(|| {
        let (max_cll, max_fall) = match c.content_light {
            ContentLight::Given { max_cll, max_fall } => (Some(max_cll), Some(max_fall)),
            ContentLight::Measure => (None, None),
        };
        Hdr10 {
            mastering: Some(c.mastering()),
            max_cll,
            max_fall,
        }
    })
}

/// What joining the target took: its stages (`keys`, `video` and its
/// parts, `audio`, `join`) and the run's time so far.
fn summary(
    sh: &Shared,
    [keys, audio, join]: [Stage; 3],
    loudness: Option<crate::audio::loudness::Measured>,
    reused: Option<Reused>,
    started: Instant,
) -> Summary {
    let plan = sh.plan;
    let frames = plan.range.end - plan.range.start;
    let video_wall = sh
        .video
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .map_or(0.0, |(a, b)| (b - a).as_secs_f64());
    Summary {
        output: sh.output.clone(),
        frames,
        duration_secs: crate::time::secs_f64(Ratio::from_integer(frames as i64) / plan.output.fps),
        wall: started.elapsed(),
        peak_rss_bytes: peak_rss(),
        loudness,
        concealed: sh.concealed.load(Ordering::Relaxed),
        stages: vec![
            keys,
            Stage {
                name: StageName::Video,
                wall: video_wall,
                cpu: 0.0,
            },
            sh.clock.stage(Work::Decode),
            sh.clock.stage(Work::Blend),
            sh.clock.stage(Work::Encode),
            audio,
            join,
        ],
        reused,
    }
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
