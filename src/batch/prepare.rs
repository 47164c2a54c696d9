//! One EDL of a run read, planned and made ready to render, with what the
//! report states of it noted as it goes.

use super::config::{Proxies, RunConfig, Show};
use super::report::{Failure, Outcome, PlanFacts};
use crate::cache::Cache;
use crate::error::{Error, Result};
use crate::plan::Plan;
use crate::render::{self, Settings};
use std::path::{Path, PathBuf};

/// An EDL read, planned and made ready: its plan, its output and the
/// settings it renders with.
pub(super) struct Prepared {
    pub plan: Plan,
    pub output: PathBuf,
    pub settings: Settings,
}

/// A new outcome for `edl`, and the EDL read, planned and made ready.
pub(super) fn prepare_outcome(
    config: &RunConfig,
    edl: &Path,
    cache_for: &Path,
) -> (Outcome, Result<Prepared>) {
    let cpu = render::process_cpu();
    let mut outcome = Outcome {
        edl: edl.to_path_buf(),
        output: None,
        plan: None,
        result: Err(Failure {
            exit_code: 1,
            message: String::new(),
            diagnostics: Vec::new(),
        }),
        warnings: Vec::new(),
        cpu_seconds: 0.0,
    };
    let prepared = prepare(config, edl, cache_for, &mut outcome);
    outcome.cpu_seconds = render::process_cpu() - cpu;
    (outcome, prepared)
}

/// Whether `plan` reads one of `outputs` (canonical paths): a later EDL
/// of a run made from an earlier one's output.
pub(super) fn reads_any(plan: &Plan, outputs: &[PathBuf]) -> bool {
    plan.inputs().any(|p| outputs.contains(&canonical(p)))
}

/// `path` made absolute with links resolved, or as it is if it cannot be.
pub(super) fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Reads and plans one EDL and makes its output ready to render, noting in
/// `outcome` what the report states.
fn prepare(
    config: &RunConfig,
    edl: &Path,
    cache_for: &Path,
    outcome: &mut Outcome,
) -> Result<Prepared> {
    let (_, mut plan) = crate::prepare_with(edl, config.profile.as_deref(), &config.import)?;
    outcome.warnings = plan.layers.warnings.iter().map(|w| w.to_string()).collect();
    if config.show.notes() {
        for w in &plan.layers.warnings {
            eprintln!("warning: {w}");
        }
    }
    if let Some(span) = &config.range {
        let frames = plan
            .range_frames(&span.text)
            .map_err(|e| Error::Usage(e.to_string()))?;
        plan = plan.restrict(frames);
    }
    let output = config
        .output
        .clone()
        .unwrap_or_else(|| plan.output.path.clone());
    let ranged = config.range.is_some();
    plan = render::adapt_for_pictures(plan, &output, config.at.as_deref(), ranged, edl)?;
    outcome.output = Some(output.clone());
    outcome.plan = Some(PlanFacts::of(&plan));
    let settings = config.settings(cache_for)?;
    if let (Some(c), true) = (&settings.cache, config.profile.as_deref() == Some("proxy")) {
        use_proxies(&mut plan, c, config.jobs, config.proxies, config.show)?;
    }
    render::check_output(&plan, &output, settings.cache.as_ref())?;
    Ok(Prepared {
        plan,
        output,
        settings,
    })
}

/// Points a `--proxy` render at the proxy media in the cache, first making
/// the missing ones (with `jobs` at once) when asked to.
fn use_proxies(
    plan: &mut Plan,
    cache: &Cache,
    jobs: usize,
    proxies: Proxies,
    show: Show,
) -> Result<()> {
    let wanted = crate::proxy::wanted(plan)?;
    if proxies == Proxies::MakeMissing {
        let made = crate::proxy::make_all(&wanted, cache, jobs)?;
        if show.notes() {
            eprintln!("reel: {}", crate::proxy::describe(made));
        }
    }
    let used = crate::proxy::substitute(plan, cache, &wanted)?;
    if show.notes() && used.clips > 0 {
        let a = &plan.audio;
        eprintln!(
            "reel: {} of {} clips read proxy media, and {} of {} sounds",
            used.clips,
            plan.clips.len(),
            used.sounds,
            a.clips.len() + a.voiceovers.len() + a.music.len()
        );
    }
    Ok(())
}
