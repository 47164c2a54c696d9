//! `reel check`'s account of each source: what was probed (container,
//! codec, size, rate, pixel format, alpha, colour, audio streams,
//! timecode) and what of it the render will leave out.

use crate::plan::{ClipPlan, Plan};
use crate::probe::details::Details;
use crate::time::{self, Ratio};
use std::fmt::Write;

/// Each source file once, with the clips that show it: its probe, and a
/// `warning:` line for each thing the render ignores.
pub fn sources(plan: &Plan) -> String {
    let mut out = String::from("sources\n");
    for group in by_source(plan) {
        let first = group[0];
        let numbers: Vec<String> = group.iter().map(|c| c.number.to_string()).collect();
        let _ = writeln!(out, "  {} (clip {})", first.source_text, numbers.join(", "));
        for line in probed(plan, &group) {
            let _ = writeln!(out, "    {line}");
        }
        for w in ignored(first) {
            let _ = writeln!(out, "    warning: {w}");
        }
    }
    out
}

/// The clips of each source file, in the order the sources first appear.
fn by_source(plan: &Plan) -> Vec<Vec<&ClipPlan>> {
    let mut groups: Vec<Vec<&ClipPlan>> = Vec::new();
    for clip in &plan.clips {
        let Some(file) = clip.source.file() else {
            continue;
        };
        match groups.iter_mut().find(|g| g[0].source.file() == Some(file)) {
            Some(g) => g.push(clip),
            None => groups.push(vec![clip]),
        }
    }
    groups
}

/// What was probed, a line each: container, video, colour (once per
/// conversion the clips use), audio streams and timecode.
fn probed(plan: &Plan, group: &[&ClipPlan]) -> Vec<String> {
    let first = group[0];
    let d = &first.details;
    let mut lines = vec![format!("container: {}", d.container)];
    lines.push(format!("video: {}", video(first)));
    let mut seen: Vec<&ClipPlan> = Vec::new();
    for c in group {
        if seen.iter().any(|s| s.conversion == c.conversion) {
            continue;
        }
        seen.push(c);
        lines.push(format!("colour: {}", source_colour(c)));
        if let Some(w) = brighter(plan, c) {
            lines.push(format!("warning: {w}"));
        }
    }
    let used = first.audio.as_ref().map(|a| a.stream);
    for (i, a) in d.audio.iter().enumerate() {
        lines.push(format!(
            "audio {} of {}: {}, {} Hz, {}{}",
            i + 1,
            d.audio.len(),
            a.codec,
            a.sample_rate,
            a.layout,
            if Some(a.stream) == used { ", used" } else { "" }
        ));
    }
    if d.audio.is_empty() {
        lines.push("audio: none".into());
    }
    lines.push(format!(
        "timecode: {}",
        first.source_timecode.as_deref().unwrap_or("none")
    ));
    lines
}

/// "prores (4444), 320x180, 25/1 fps (25.000), yuva444p12le, 12-bit, alpha".
fn video(c: &ClipPlan) -> String {
    let v = &c.video;
    let mut parts = Vec::new();
    if let Some(d) = &c.details.video {
        parts.push(d.codec.clone());
    }
    parts.push(format!("{}x{}", v.width, v.height));
    if v.still {
        parts.push("still image".into());
    } else {
        parts.push(rate(v.fps));
    }
    if let Some(d) = &c.details.video {
        if !d.pix_fmt.is_empty() {
            parts.push(format!("{}, {}-bit", d.pix_fmt, d.depth));
        }
        parts.push(if d.alpha { "alpha" } else { "no alpha" }.into());
    }
    parts.join(", ")
}

/// "30000/1001 fps (29.970)".
fn rate(fps: Ratio) -> String {
    format!(
        "{}/{} fps ({:.3})",
        fps.numer(),
        fps.denom(),
        time::secs_f64(fps)
    )
}

/// What the render leaves out of a source, in words.
fn ignored(c: &ClipPlan) -> Vec<String> {
    let d: &Details = &c.details;
    let mut out = Vec::new();
    if d.audio.len() > 1 {
        let used = c.audio.as_ref().map(|a| a.stream);
        let k = d.audio.iter().position(|a| Some(a.stream) == used);
        out.push(format!(
            "uses audio stream {} of {}; choose with audio_streams",
            k.map_or(1, |k| k + 1),
            d.audio.len()
        ));
    }
    if d.other_video > 0 {
        out.push(format!(
            "{} more video stream{} ignored (uses stream {})",
            d.other_video,
            if d.other_video == 1 { "" } else { "s" },
            c.video.stream
        ));
    }
    for s in &d.ignored {
        out.push(format!("{s} ignored"));
    }
    out
}

/// A source's colour as `clip` takes it and the conversion that brings it
/// to the output's: "bt709 ..., 8-bit -> none".
fn source_colour(clip: &crate::plan::ClipPlan) -> String {
    let s = &clip.colour;
    format!(
        "{}, {}-bit{}{}{} -> {}",
        s.colour,
        s.depth,
        guessed(&s.guessed),
        hdr10(&s.hdr10),
        s.dolby_vision.map_or(String::new(), |d| format!(", {d}")),
        clip.conversion.describe()
    )
}

/// A warning where `clip`'s source is brighter than the output can show.
fn brighter(plan: &Plan, clip: &crate::plan::ClipPlan) -> Option<String> {
    let c = &plan.output.color;
    let peak = crate::plan::brighter_than_output(&clip.colour, c)?;
    Some(format!(
        "{} is brighter ({peak:.0} cd/m²) than the output shows ({:.0} cd/m²): {}",
        clip.source_text,
        c.peak(),
        if c.tone_map == crate::colour::ToneMap::None {
            "its highlights clip (tone_map = \"none\")".to_string()
        } else {
            format!("tone mapped ({})", c.tone_map.name())
        }
    ))
}

fn guessed(g: &crate::colour::Guessed) -> String {
    let names = g.names();
    if names.is_empty() {
        String::new()
    } else {
        format!(" (untagged, guessed: {})", names.join(", "))
    }
}

fn hdr10(h: &crate::colour::Hdr10) -> String {
    let mut parts = Vec::new();
    if let Some(m) = h.mastering {
        parts.push(format!(
            "mastering display {:.0}/{} cd/m²",
            m.max_luminance, m.min_luminance
        ));
    }
    if let (Some(cll @ 1..), Some(fall)) = (h.max_cll, h.max_fall) {
        parts.push(format!("MaxCLL {cll}, MaxFALL {fall}"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(", HDR10 {}", parts.join(", "))
    }
}
