//! The run: the EDLs read and planned in groups (usually one), each group
//! rendered by one pool of workers with one cache (see
//! [`render::render_many`]), each output reported as it is done, and the
//! report and JUnit files written at the end (also after a failure).

use super::config::{OnFailure, RunConfig};
use super::prepare::{canonical, prepare_outcome, reads_any, Prepared};
use super::report::{junit, report, Failure, Outcome};
use super::say::Says;
use super::shard;
use crate::error::{Error, Report, Result};
use crate::plan::Plan;
use crate::progress::Event;
use crate::render::{self, Settings, Summary};
use std::path::{Path, PathBuf};

/// Renders the EDLs `config` names; the worst exit code of their outputs
/// (and of writing the report files). An error is a usage error found
/// before anything is read.
pub fn run(config: &RunConfig) -> Result<i32> {
    if let Some(shard) = config.shard {
        return Ok(shard::render_shards(config, shard));
    }
    claim_report_files(config)?;
    let progress = config.show.progress();
    let mut run = Run {
        config,
        says: Says {
            config,
            progress: progress.as_ref(),
        },
        cache_for: &config.edls[0],
        next: 0,
        stopped: false,
        outcomes: Vec::new(),
    };
    while run.next < config.edls.len() && !run.stopped {
        if let Some(group) = run.plan_group() {
            run.render_group(group);
        }
    }
    let outcomes = run.outcomes;
    progress.finish();
    Ok(write_reports(config, &outcomes))
}

/// The report files can be written: each is made empty now, so that a
/// path that cannot be written is a usage error before any work.
fn claim_report_files(config: &RunConfig) -> Result<()> {
    for path in [&config.report, &config.junit].into_iter().flatten() {
        if let Err(e) = crate::container::write_atomic(path, "") {
            return Err(Error::Usage(format!(
                "cannot write {}: {}",
                path.display(),
                Report(&e)
            )));
        }
    }
    Ok(())
}

/// The EDLs planned so far and what became of them.
struct Run<'a> {
    config: &'a RunConfig,
    says: Says<'a>,
    /// One cache for all: the first EDL's, unless --cache names one.
    cache_for: &'a Path,
    /// The first EDL not yet planned.
    next: usize,
    /// A failure ended the run (without --keep-going).
    stopped: bool,
    outcomes: Vec<Outcome>,
}

/// EDLs rendered by one pool, from EDL `first` on.
struct Group {
    first: usize,
    members: Vec<(Outcome, Plan, PathBuf)>,
    settings: Settings,
}

impl Run<'_> {
    /// Reads and plans the next group. A group ends before an EDL that
    /// fails to plan while others wait (it is planned again once they are
    /// rendered: it may read their outputs) or that reads a waiting EDL's
    /// output. `None` when the next EDL fails alone.
    fn plan_group(&mut self) -> Option<Group> {
        let edls = &self.config.edls;
        let first = self.next;
        let mut members = Vec::new();
        let mut settings = None;
        let mut waiting = Vec::new();
        while self.next < edls.len() {
            let (outcome, prepared) =
                prepare_outcome(self.config, &edls[self.next], self.cache_for);
            match prepared {
                Ok(Prepared {
                    plan,
                    output,
                    settings: s,
                }) => {
                    if reads_any(&plan, &waiting) {
                        break;
                    }
                    waiting.push(canonical(&output));
                    settings.get_or_insert(s);
                    members.push((outcome, plan, output));
                    self.next += 1;
                }
                Err(_) if !members.is_empty() => break,
                Err(e) => {
                    self.says
                        .outcome(self.next, Err(&e), outcome.output.as_deref());
                    let mut outcome = outcome;
                    outcome.result = Err(Failure::of(&e));
                    self.outcomes.push(outcome);
                    self.next += 1;
                    if self.config.on_failure == OnFailure::Stop {
                        self.stopped = true;
                    }
                    break;
                }
            }
        }
        Some(Group {
            first,
            members,
            settings: settings?,
        })
    }

    /// Renders a group with one pool, drawing the storyboard of each output
    /// as it is done.
    fn render_group(&mut self, group: Group) {
        let Group {
            first,
            members,
            settings,
        } = group;
        let config = self.config;
        let says = &self.says;
        let targets: Vec<render::Target> = members
            .iter()
            .map(|(_, plan, output)| render::Target {
                plan,
                output: output.clone(),
            })
            .collect();
        let mut storyboard_failed = None;
        let results = render::render_many(
            &targets,
            &settings,
            config.on_failure,
            says.progress,
            &mut |k, result| {
                let (_, plan, output) = &members[k];
                let drawn = match (result, &config.storyboard) {
                    (Ok(summary), Some(path)) => crate::storyboard::draw(
                        plan,
                        &config.edls[first + k],
                        summary.loudness,
                        path,
                    )
                    .err(),
                    _ => None,
                };
                says.outcome(
                    first + k,
                    drawn.as_ref().map_or(result.as_ref(), Err),
                    Some(output),
                );
                if drawn.is_some() {
                    storyboard_failed = drawn;
                }
            },
        );
        drop(targets);
        let rendered = results.len();
        for ((mut outcome, _, _), result) in members.into_iter().zip(results) {
            if let Ok(summary) = &result {
                outcome.cpu_seconds += render_cpu(summary);
            }
            let failed = result.is_err();
            outcome.result = match (result, storyboard_failed.take()) {
                (Ok(_), Some(e)) | (Err(e), _) => Err(Failure::of(&e)),
                (Ok(summary), None) => Ok(summary),
            };
            if failed && config.on_failure == OnFailure::Stop {
                self.stopped = true;
            }
            self.outcomes.push(outcome);
        }
        // Without --keep-going the EDLs after a failure are not rendered.
        if rendered < self.next - first {
            self.stopped = true;
        }
    }
}

/// The CPU seconds of a render's own stages.
fn render_cpu(summary: &Summary) -> f64 {
    summary
        .stages
        .iter()
        .filter(|s| s.name.is_whole())
        .map(|s| s.cpu)
        .sum::<f64>()
}

/// Writes the report files; the worst exit code of the outputs and of
/// writing them.
fn write_reports(config: &RunConfig, outcomes: &[Outcome]) -> i32 {
    let mut code = outcomes
        .iter()
        .map(|o| o.result.as_ref().map_or_else(|f| f.exit_code, |_| 0))
        .max()
        .unwrap_or(0);
    let files = [
        (&config.report, report as fn(&[Outcome]) -> String),
        (&config.junit, junit),
    ];
    for (path, write) in files {
        if let Some(path) = path {
            if let Err(e) = crate::container::write_atomic(path, &write(outcomes)) {
                eprint!("{}", e.render(config.color, |_| None));
                code = code.max(1);
            }
        }
    }
    if config.show.is_json() {
        Event::Finish { exit_code: code }.emit();
    }
    code
}
