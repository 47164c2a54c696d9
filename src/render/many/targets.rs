//! The run's targets and their work: each target prepared (its output's
//! place, its units looked up in the cache, its fonts), and the segments
//! still to render, each identical one once.

use crate::error::{Error, Result};
use crate::plan::Plan;
use crate::render::graphics;
use crate::render::lookup::{look_up, AudioWork, Unit};
use crate::render::place::{OutputPlace, Reference};
use crate::render::settings::Settings;
use crate::render::stats::{process_cpu, Stage, StageName, WorkerClock};
use std::collections::HashMap;
use std::fs::File;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Mutex;
use std::time::Instant;

/// One output to render: its plan and where it goes.
pub struct Target<'a> {
    pub plan: &'a Plan,
    pub output: PathBuf,
}

/// What the workers and the sound thread read of a target.
pub(super) struct Shared<'a> {
    pub(super) plan: &'a Plan,
    pub(super) output: PathBuf,
    pub(super) units: Vec<Unit<'a>>,
    /// Per unit: the work that renders it, or None when the cache has it.
    pub(super) works: Vec<Option<usize>>,
    pub(super) audio: Mutex<Option<AudioWork>>,
    pub(super) setup: graphics::Setup,
    pub(super) work_dir: PathBuf,
    pub(super) concealed: AtomicU64,
    pub(super) clock: WorkerClock,
    /// When its first own work began and its last one ended.
    pub(super) video: Mutex<Option<(Instant, Instant)>>,
}

/// What the joining thread keeps of a target: the output's place and
/// stream parameters, the files found in the cache, and its times.
pub(super) struct Own {
    pub(super) place: Option<OutputPlace>,
    pub(super) reference: Option<Reference>,
    pub(super) found: Vec<Option<File>>,
    pub(super) keys: Stage,
}

/// A segment to render, for the targets in `needers` (the first owns it:
/// its setup, clock and damage count are used).
pub(super) struct Task {
    pub(super) target: usize,
    pub(super) unit: usize,
    pub(super) needers: Vec<usize>,
}

/// Opens a target's output place and reference encoder, keys its units
/// and looks them up, and writes its fonts.
pub(super) fn prepare<'a>(t: &Target<'a>, settings: &Settings) -> Result<(Shared<'a>, Own)> {
    let started = Instant::now();
    let cpu = process_cpu();
    let plan = t.plan;
    let place = OutputPlace::prepare(&t.output)?;
    let reference = Reference::open(&plan.output)?;
    let work_dir = place.work.path().to_path_buf();
    let (mut units, audio) = look_up(plan, settings, &work_dir)?;
    if crate::container::audio_only(&t.output).is_some() {
        // An audio-only output renders no pictures.
        units.clear();
    }
    let found: Vec<Option<File>> = units.iter_mut().map(|u| u.file.take()).collect();
    let setup = graphics::setup(&plan.layers, &work_dir)?;
    let keys = Stage {
        name: StageName::Keys,
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
pub(super) fn plan_works(shared: &mut [Option<Shared>], own: &[Prepared]) -> Vec<Task> {
    let mut works: Vec<Task> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for (k, (s, o)) in shared.iter_mut().zip(own).enumerate() {
        let (Some(s), Prepared::Ready(o)) = (s, o) else {
            continue;
        };
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

/// What the joining thread holds of a target: what it needs to join it,
/// or why it could not be prepared (until that is reported).
pub(super) enum Prepared {
    Ready(Own),
    Failed(Option<Error>),
}
