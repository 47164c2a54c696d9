//! Text reports for `reel check`: the planned timeline as a table.

use crate::plan::Plan;
use crate::time::{self, Clock, Ratio};
use std::fmt::Write;

/// The timeline table: clip, source, in, out, timeline start/end, transition.
pub fn timeline(plan: &Plan) -> String {
    let fps = plan.output.fps;
    let at = |k: u64| Clock(Ratio::from_integer(k as i64) / fps);
    let mut rows = vec![[
        "clip".to_string(),
        "source".into(),
        "in".into(),
        "out".into(),
        "start".into(),
        "end".into(),
        "frames".into(),
        "transition".into(),
    ]];
    for c in &plan.clips {
        let transition = if c.fade_out > 0 {
            format!("crossfade {} frames", c.fade_out)
        } else {
            "cut".into()
        };
        rows.push([
            c.number.to_string(),
            c.source_text.clone(),
            Clock(c.start).to_string(),
            Clock(c.end).to_string(),
            at(c.timeline.start).to_string(),
            at(c.timeline.end).to_string(),
            c.frames().to_string(),
            transition,
        ]);
    }
    let widths: Vec<usize> = (0..8)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    for v in &plan.audio.voiceovers {
        let sr = Ratio::from_integer(plan.audio.sample_rate as i64);
        let _ = writeln!(
            out,
            "{}: {} to {}",
            v.label,
            Clock(Ratio::from_integer(v.timeline.start as i64) / sr),
            Clock(Ratio::from_integer(v.timeline.end as i64) / sr)
        );
    }
    let _ = writeln!(
        out,
        "montage: {} frames at {} fps = {} ({}x{}, {} segments)",
        plan.frames,
        time::fmt_rate(fps),
        Clock(plan.duration()),
        plan.output.width,
        plan.output.height,
        plan.segments.len()
    );
    out
}
