//! `reel render` of one or more EDLs as a library call: [`run`] takes one
//! [`RunConfig`] (built from the command line by the binary) and reads,
//! plans and renders the EDLs, draws the storyboard, reports each output
//! as it is done and writes the report files at the end.
//!
//! - `config`: the run's settings, typed.
//! - `prepare`: one EDL read, planned and made ready to render.
//! - `run`: the groups of EDLs rendered by one pool.
//! - `say`: what is said of each output as it is done.
//! - `shard`: `--shard I/N`, a share of each EDL's work units.
//! - `report`: the JSON report and the JUnit file.

mod config;
mod prepare;
mod report;
mod run;
mod say;
mod shard;

pub use config::*;
pub use report::{junit, report, Failure, Outcome, PlanFacts, REPORT_VERSION};
pub use run::run;
