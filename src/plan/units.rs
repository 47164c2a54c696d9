//! Work units and their assignment to shards, for spreading one render
//! over machines.

use super::model::{ClipPlan, Compose, Plan};
use crate::time;
use std::ops::Range;
use std::str::FromStr;

/// `--shard I/N`: share `index` of `count` (0 <= I < N).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

/// A `--shard` that is not I/N with 0 <= I < N (the text given).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--shard {0}: expected I/N with 0 <= I < N (e.g. 0/4)")]
pub struct ShardError(pub String);

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> std::result::Result<Shard, ShardError> {
        let bad = || ShardError(text.to_string());
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (usize, usize) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// What a work unit renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    /// The segment of this index in `Plan::segments`.
    Segment(usize),
    /// The whole sound track.
    Audio,
}

impl UnitKind {
    /// The kind's name, as `reel plan --json` writes it.
    pub fn name(&self) -> &'static str {
        match self {
            UnitKind::Segment(_) => "segment",
            UnitKind::Audio => "audio",
        }
    }
}

/// `segment 3`, or `audio` (padded to a width, as in tables).
impl std::fmt::Display for UnitKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UnitKind::Segment(i) => f.pad(&format!("segment {i}")),
            UnitKind::Audio => f.pad("audio"),
        }
    }
}

/// A unit of a render's work, for spreading one render over machines:
/// one per segment and one for the audio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkUnit {
    /// What it renders.
    pub kind: UnitKind,
    /// Timeline frames it covers (the whole range for the audio).
    pub frames: Range<u64>,
    /// The clips it shows (1-based numbers).
    pub clips: Vec<usize>,
    /// Source pixels decoded (each frame's clips' pictures, times their
    /// speed when faster than 1).
    pub source_pixels: u64,
    /// The estimate units are balanced by: decoded plus encoded pixels;
    /// the audio counts as a tenth of encoding the whole timeline.
    pub cost: u64,
}

/// The work units of a plan: its segments in order, then the audio.
pub fn work_units(plan: &Plan) -> Vec<WorkUnit> {
    let out_pixels = u64::from(plan.output.width) * u64::from(plan.output.height);
    let pixels = |c: &ClipPlan| {
        let speed = time::secs_f64(c.speed).max(1.0);
        (f64::from(c.video.width) * f64::from(c.video.height) * speed) as u64
    };
    let mut units: Vec<WorkUnit> = plan
        .segments
        .iter()
        .map(|seg| {
            let mut source_pixels = 0;
            for k in seg.frames.clone() {
                source_pixels += match plan.compose(k) {
                    Compose::One { clip, .. } => pixels(&plan.clips[clip]),
                    Compose::Blend { from, to, .. } => {
                        pixels(&plan.clips[from]) + pixels(&plan.clips[to])
                    }
                };
            }
            let frames = seg.frames.end - seg.frames.start;
            WorkUnit {
                kind: UnitKind::Segment(seg.index),
                frames: seg.frames.clone(),
                clips: plan.clips[plan.clips_in(seg)]
                    .iter()
                    .map(|c| c.number)
                    .collect(),
                source_pixels,
                cost: source_pixels + frames * out_pixels,
            }
        })
        .collect();
    units.push(WorkUnit {
        kind: UnitKind::Audio,
        frames: plan.range.clone(),
        clips: plan.audio.clips.iter().filter_map(|r| r.clip).collect(),
        source_pixels: 0,
        cost: (plan.range.end - plan.range.start) * out_pixels / 10,
    });
    units
}

/// Which of `shards` shards does each unit of `costs`: the largest first,
/// each onto the shard with the least so far (the lowest-numbered among
/// equals). Deterministic, so that every machine computes the same split.
pub fn assign(costs: &[u64], shards: usize) -> Vec<usize> {
    let shards = shards.max(1);
    let mut order: Vec<usize> = (0..costs.len()).collect();
    order.sort_by(|&a, &b| costs[b].cmp(&costs[a]).then(a.cmp(&b)));
    let mut load = vec![0u64; shards];
    let mut owner = vec![0; costs.len()];
    for i in order {
        let lightest = (0..shards)
            .min_by_key(|&s| (load[s], s))
            .expect("at least one shard");
        owner[i] = lightest;
        load[lightest] += costs[i];
    }
    owner
}
