//! Text reports for `reel check`: the planned timeline as a table and the
//! audio plan.

use crate::plan::Plan;
use crate::time::{self, Clock, Ratio};
use std::fmt::Write;
use std::ops::Range;

mod sources;
pub use sources::sources;

/// The timeline table: clip, source, in, out, timeline start/end,
/// transition, and what changes the clip's time or framing.
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
        "time and motion".into(),
    ]];
    for c in &plan.clips {
        let transition = if c.fade_out > 0 {
            format!("{} {} frames", c.transition.name(), c.fade_out)
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
            effects(c, fps),
        ]);
    }
    let widths: Vec<usize> = (0..9)
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
    let cuts: Vec<String> = plan
        .segments
        .iter()
        .map(|s| format!("{}-{}", s.frames.start, s.frames.end))
        .collect();
    let _ = writeln!(out, "segments (frames): {}", cuts.join(" "));
    out
}

/// A clip's speed, reverse, hold and motion, in words ("" for none).
fn effects(c: &crate::plan::ClipPlan, fps: Ratio) -> String {
    let mut parts = Vec::new();
    if c.speed != Ratio::from_integer(1) {
        parts.push(format!("speed {}", time::secs_f64(c.speed)));
    }
    if c.reverse {
        parts.push("reverse".to_string());
    }
    if let Some(h) = c.freeze {
        parts.push(format!(
            "hold frame {} for {} frames ({:.3} s)",
            h.at,
            h.frames,
            time::secs_f64(Ratio::from_integer(h.frames as i64) / fps)
        ));
    }
    if let Some(m) = &c.motion {
        let r = |r: [f64; 4]| format!("[{}, {}, {}, {}]", r[0], r[1], r[2], r[3]);
        parts.push(format!(
            "motion {} to {} {}",
            r(m.path.from),
            r(m.path.to),
            m.path.ease.name()
        ));
    }
    parts.join(", ")
}

/// The audio plan: voiceovers, music beds, where ducking applies (`ducked`,
/// from analysing the voiceovers), fades and the loudness target.
pub fn audio(plan: &Plan, ducked: &[Range<u64>]) -> String {
    let a = &plan.audio;
    let sr = Ratio::from_integer(a.sample_rate as i64);
    let at = |s: u64| Clock(Ratio::from_integer(s as i64) / sr);
    let mut out = String::new();
    for v in &a.voiceovers {
        let _ = writeln!(
            out,
            "{}: {} to {}, volume {}",
            v.label,
            at(v.timeline.start),
            at(v.timeline.end),
            v.volume
        );
    }
    for m in &a.music {
        let looped = if m.len() > m.source_len {
            format!(", looping every {}", at(m.source_len))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{}: {} to {}, volume {}{looped}, fade in {} s, fade out {} s",
            m.label,
            at(m.timeline.start),
            at(m.timeline.end),
            m.volume,
            time::secs_f64(Ratio::from_integer(m.fade_in.samples as i64) / sr),
            time::secs_f64(Ratio::from_integer(m.fade_out.samples as i64) / sr),
        );
    }
    match a.ducking {
        Some(d) => {
            let what = match (d.clips, d.music) {
                (true, true) => "clip audio and music",
                (true, false) => "clip audio",
                (false, true) => "music",
                (false, false) => "nothing",
            };
            let spans: Vec<String> = ducked
                .iter()
                .map(|r| format!("{}-{}", at(r.start), at(r.end)))
                .collect();
            let _ = writeln!(
                out,
                "ducking: {what} -{} dB while a voiceover speaks (above {} dBFS): {}",
                d.depth_db,
                d.threshold_db,
                if spans.is_empty() {
                    "never".to_string()
                } else {
                    spans.join(", ")
                }
            );
        }
        None => {
            let _ = writeln!(out, "ducking: none");
        }
    }
    if a.fade_in > 0 || a.fade_out > 0 {
        let _ = writeln!(
            out,
            "fades: from black and silence over {} frames, to them over {} frames",
            plan.fade_in, plan.fade_out
        );
    }
    match a.loudness {
        Some(l) => {
            let _ = writeln!(
                out,
                "loudness target: {} LUFS integrated, true peak at most {} dBTP",
                l.integrated_lufs, l.true_peak_db
            );
        }
        None => {
            let _ = writeln!(out, "loudness target: none (the mix is not normalised)");
        }
    }
    out
}

/// The output's colour space. Each source's colour (what was read, what
/// was guessed, its HDR metadata, the conversion to the output's) is in
/// [`sources`], with the rest of its probe.
pub fn colour(plan: &Plan) -> String {
    format!("colour: output {}\n", output_space(&plan.output.color))
}

fn output_space(c: &crate::colour::OutputColour) -> String {
    use crate::colour::{ContentLight, Space};
    match c.space {
        Space::Sdr => format!(
            "sdr (BT.709); HDR sources tone mapped with {}, reference white {} cd/m²",
            c.tone_map.name(),
            c.reference_white
        ),
        Space::Hlg => format!(
            "hlg (BT.2100 HLG); SDR white at reference white {} cd/m² (75%)",
            c.reference_white
        ),
        Space::Pq => format!(
            "pq (BT.2100 PQ, HDR10); SDR white at {} cd/m², mastering display {} cd/m², MaxCLL/MaxFALL {}",
            c.reference_white,
            c.max_luminance,
            match c.content_light {
                ContentLight::Measure => "measured from the rendered frames".to_string(),
                ContentLight::Given { max_cll, max_fall } => format!("{max_cll}/{max_fall}"),
            }
        ),
    }
}

/// The graphics layers: each with the frames it shows on, and the
/// caption tracks embedded or written beside the output.
pub fn layers(plan: &Plan) -> String {
    let l = &plan.layers;
    if l.is_empty() {
        return String::new();
    }
    let fps = plan.output.fps;
    let at = |k: u64| Clock(Ratio::from_integer(k as i64) / fps);
    let mut out = String::from("layers (drawn in this order; later on top)\n");
    for x in &l.items {
        let on = x
            .owner
            .map_or(String::new(), |c| format!(", on clip {}", c + 1));
        let _ = writeln!(
            out,
            "  {}: {} to {} (frames {}..{}{on})",
            x.label,
            at(x.frames.start),
            at(x.frames.end),
            x.frames.start,
            x.frames.end
        );
    }
    for t in &l.tracks {
        let mut what = Vec::new();
        if t.embed {
            what.push("embedded".to_string());
        }
        what.extend(t.sidecar.iter().map(|s| format!(".{}", s.extension())));
        let _ = writeln!(
            out,
            "captions {}: {} cues, {}",
            t.language,
            t.cues.len(),
            what.join(", ")
        );
    }
    out
}
