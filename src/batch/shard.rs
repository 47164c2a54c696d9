//! `reel render --shard I/N`: each EDL's share of the work units rendered
//! into the cache, for a plain `reel render` to join later.

use super::config::{OnFailure, RunConfig, Shard};
use super::say::{json_error, render_error};
use crate::render;

/// Renders shard `shard` of each EDL's work units into the cache; the
/// worst exit code.
pub(super) fn render_shards(config: &RunConfig, shard: Shard) -> i32 {
    let mut code = 0;
    for edl in &config.edls {
        let result = (|| {
            let (_, plan) = crate::prepare_with(edl, config.profile.as_deref(), &config.import)?;
            let output = plan.output.path.clone();
            let plan = render::adapt_for_pictures(plan, &output, config.at.as_deref(), false, edl)?;
            let settings = config.settings(&config.edls[0])?;
            render::render_shard(&plan, &settings, shard, config.show.progress().as_ref())
        })();
        let json = config.show.is_json();
        match result {
            Ok(s) if json => crate::progress::Event::Shard {
                edl: edl.display().to_string(),
                shard: s.shard,
                shards: s.shards,
                units: s.units,
                rendered: s.rendered,
                wall_seconds: s.wall.as_secs_f64(),
            }
            .emit(),
            Ok(s) if config.show.notes() => eprintln!("reel: {}: {s}", edl.display()),
            Ok(_) => {}
            Err(e) => {
                if json {
                    json_error(edl, &e);
                } else {
                    eprint!("{}", render_error(&e, config.color));
                }
                code = code.max(e.exit_code());
                if config.on_failure == OnFailure::Stop {
                    break;
                }
            }
        }
    }
    code
}
