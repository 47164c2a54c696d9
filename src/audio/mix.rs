//! The mix of a span of the timeline before loudness normalisation: the
//! buses a pass mixes and the regions of theirs a span overlaps, each read
//! from its source with its gain, fades and the ducking curve and added to
//! the output channels it is placed on, then the master fades.

use super::{duck, read, retime};
use crate::edl::channels;
use crate::error::Result;
use crate::plan::{AudioPlan, AudioRegion};
use crate::time::Ratio;
use std::ops::Range;

/// Samples, one vector per channel.
pub(super) type Planar = Vec<Vec<f32>>;

/// Which regions a pass mixes.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Buses {
    Voice,
    All,
}

type Bus<'a> = (&'static str, &'a [AudioRegion], fn(&AudioPlan) -> bool);

/// The buses a pass mixes, in order (voiceovers first), and whether the
/// ducking curve applies to each.
pub(super) fn buses_of(plan: &AudioPlan, buses: Buses) -> Vec<Bus<'_>> {
    let mut out: Vec<Bus> = vec![("voiceovers", &plan.voiceovers, |_| false)];
    if buses == Buses::All {
        out.push(("clips", &plan.clips, |p| p.ducking.is_some_and(|d| d.clips)));
        out.push(("music", &plan.music, |p| p.ducking.is_some_and(|d| d.music)));
    }
    out
}

pub(super) fn overlaps(r: &AudioRegion, span: &Range<u64>) -> bool {
    r.timeline.start < span.end && span.start < r.timeline.end
}

/// Planar f32 samples of `span` of the timeline, before loudness
/// normalisation: the regions of `buses`, with their gains, fades and the
/// ducking `curve`, and the master fades.
pub(super) fn mix_span(
    plan: &AudioPlan,
    span: Range<u64>,
    buses: Buses,
    curve: Option<&duck::Curve>,
) -> Result<Vec<Vec<f32>>> {
    let len = (span.end - span.start) as usize;
    let mut mix = vec![vec![0f32; len]; plan.channels as usize];
    for (_, regions, ducked) in buses_of(plan, buses) {
        let duck = curve.filter(|_| ducked(plan));
        for r in regions.iter().filter(|r| overlaps(r, &span)) {
            add(&mut mix, &span, r, plan, duck)?;
        }
    }
    master_fades(&mut mix, &span, plan);
    Ok(mix)
}

/// Adds the part of `region` inside `span` to the mix of `span`, with its
/// gain, fades and the ducking curve.
fn add(
    mix: &mut [Vec<f32>],
    span: &Range<u64>,
    region: &AudioRegion,
    plan: &AudioPlan,
    duck: Option<&duck::Curve>,
) -> Result<()> {
    let t0 = region.timeline.start;
    // Region samples lo..hi fall in the span.
    let lo = span.start.max(t0) - t0;
    let hi = span.end.min(region.timeline.end) - t0;
    let source = region_samples(region, lo..hi, plan)?;
    let duck = duck.map(|c| c.window(t0 + lo..t0 + hi));
    // The output channel each of the region's channels goes to.
    let targets = region.place.map_or_else(
        || (0..plan.channels as usize).collect(),
        |m| channels::indices(m, plan.channels),
    );
    for (&t, src) in targets.iter().zip(&source) {
        let dst = &mut mix[t];
        for (j, s) in src.iter().enumerate() {
            let i = lo + j as u64;
            let g = region.gain(i) as f32;
            let g = duck.as_ref().map_or(g, |c| g * c.gain(t0 + i));
            dst[(t0 + i - span.start) as usize] += s * g;
        }
    }
    Ok(())
}

/// Samples `want` of a region (0 is its first), read from its source: the
/// part of the source window they need, or the whole window when the
/// region is retimed or loops around within them.
fn region_samples(
    region: &AudioRegion,
    want: Range<u64>,
    plan: &AudioPlan,
) -> Result<Vec<Vec<f32>>> {
    let (sr, channels) = (plan.sample_rate, plan.channels);
    let take = |whole: Vec<Vec<f32>>, period: u64| {
        whole
            .into_iter()
            .map(|c| {
                want.clone()
                    .map(|i| c.get((i % period) as usize).copied().unwrap_or(0.0))
                    .collect()
            })
            .collect()
    };
    if let Some(r) = &region.retime {
        let source = read::region(region, sr, channels)?;
        let shaped = retime::apply(source, r, region.len(), sr, &region.label)?;
        return Ok(take(shaped, region.len().max(1)));
    }
    let period = region.source_len.max(1);
    let (from, len) = (want.start % period, want.end - want.start);
    if from + len > period {
        let whole = read::region(region, sr, channels)?;
        return Ok(take(whole, period));
    }
    let part = AudioRegion {
        source_start: region.source_start + Ratio::new(from as i64, sr as i64),
        source_len: len,
        ..region.clone()
    };
    read::region(&part, sr, channels)
}

/// Fades from silence at the start and to silence at the end, in step with
/// the picture's fades from and to black, over `span` of the timeline.
fn master_fades(mix: &mut [Vec<f32>], span: &Range<u64>, plan: &AudioPlan) {
    let n = plan.samples;
    let (fi, fo) = (plan.fade_in, plan.fade_out);
    for ch in mix.iter_mut() {
        for (j, s) in ch.iter_mut().enumerate() {
            let t = span.start + j as u64;
            if t < fi {
                *s *= t as f32 / fi as f32;
            }
            if t + fo >= n && fo > 0 {
                *s *= (n - 1 - t) as f32 / fo as f32;
            }
        }
    }
}
