//! Caption lint: cues too long, too fast, too short, too close or
//! overlapping, measured on the output's frame grid.

use super::cue::{round_div, Cue};
use crate::time::Ratio;

/// Caption lint: a warning at a cue's timing line.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    pub line: usize,
    pub message: String,
}

const MAX_LINE_CHARS: usize = 42;
const MAX_LINES: usize = 2;
const MIN_GAP_FRAMES: i128 = 2;

/// Most characters per second a viewer can read: 22 for Hindi ("hin",
/// "hi", "hi-IN"), 20 otherwise.
pub fn max_cps(language: &str) -> f64 {
    let primary = language.split(['-', '_']).next().unwrap_or("");
    if primary.eq_ignore_ascii_case("hin") || primary.eq_ignore_ascii_case("hi") {
        22.0
    } else {
        20.0
    }
}

/// Lints cues (in file order), counting characters, not bytes: lines over
/// 42 characters, more than 2 lines, on screen under 5/6 s or over 7 s,
/// under 2 frames between cues, overlapping cues, and reading speed over
/// `max_cps`. Times are taken on the frame grid: a cue shows frames
/// `round(start*fps)..round(end*fps)`. A non-positive `fps` skips the
/// timing rules. Warnings come sorted by line.
pub fn lint(cues: &[Cue], fps: Ratio, max_cps: f64) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let mut warn = |line: usize, message: String| warnings.push(Warning { line, message });
    let timed = *fps.numer() > 0 && *fps.denom() > 0;
    let (fps_num, fps_den) = (*fps.numer() as i128, *fps.denom() as i128);
    // Frames as seconds, for messages.
    let seconds = |frames: i128| frames as f64 * fps_den as f64 / fps_num as f64;

    for cue in cues {
        let lines: Vec<&str> = cue.text.split('\n').collect();
        for (n, text) in lines.iter().enumerate() {
            let count = text.chars().count();
            if count > MAX_LINE_CHARS {
                warn(
                    cue.line,
                    format!(
                        "line {} of the cue has {count} characters (at most {MAX_LINE_CHARS})",
                        n + 1
                    ),
                );
            }
        }
        if lines.len() > MAX_LINES {
            warn(
                cue.line,
                format!("has {} lines (at most {MAX_LINES})", lines.len()),
            );
        }
        if !timed {
            continue;
        }
        let frames = frame(cue.end, fps).saturating_sub(frame(cue.start, fps));
        // frames / fps < 5/6  <=>  6 * frames * den < 5 * num
        if frames.saturating_mul(6).saturating_mul(fps_den) < fps_num.saturating_mul(5) {
            warn(
                cue.line,
                format!(
                    "is on screen for {:.2} s, {} (at least 0.83 s)",
                    seconds(frames),
                    plural(frames, "frame")
                ),
            );
        } else if frames.saturating_mul(fps_den) > fps_num.saturating_mul(7) {
            warn(
                cue.line,
                format!(
                    "is on screen for {:.2} s, {} (at most 7 s)",
                    seconds(frames),
                    plural(frames, "frame")
                ),
            );
        }
        let chars = cue.text.chars().filter(|&c| c != '\n').count();
        if frames > 0 && chars > 0 {
            let cps = chars as f64 / seconds(frames);
            if cps > max_cps {
                warn(
                    cue.line,
                    format!(
                        "reads at {cps:.1} characters per second (at most {})",
                        fmt_number(max_cps)
                    ),
                );
            }
        }
    }

    if timed {
        // Each cue against the earlier-starting cue that ends last.
        let mut order: Vec<&Cue> = cues.iter().collect();
        order.sort_by_key(|c| c.start);
        let mut before: Option<(&Cue, i128)> = None;
        for cue in order {
            let start = frame(cue.start, fps);
            let end = frame(cue.end, fps);
            if let Some((prev, prev_end)) = before {
                let gap = start.saturating_sub(prev_end);
                if gap < 0 {
                    warn(
                        cue.line,
                        format!(
                            "overlaps the cue at line {} by {}; both are shown at once, stacked",
                            prev.line,
                            plural(-gap, "frame")
                        ),
                    );
                } else if gap < MIN_GAP_FRAMES {
                    warn(
                        cue.line,
                        format!(
                            "starts {} after the cue at line {} ends (at least {MIN_GAP_FRAMES})",
                            plural(gap, "frame"),
                            prev.line
                        ),
                    );
                }
            }
            if before.is_none_or(|(_, prev_end)| end > prev_end) {
                before = Some((cue, end));
            }
        }
    }
    warnings.sort_by_key(|w| w.line);
    warnings
}

/// `round(t * fps)`, half away from zero, exact.
fn frame(t: Ratio, fps: Ratio) -> i128 {
    let n = *t.numer() as i128 * *fps.numer() as i128;
    let d = *t.denom() as i128 * *fps.denom() as i128;
    round_div(n, d)
}

/// "1 frame", "2 frames".
fn plural(n: i128, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// "20" for 20.0, "22.5" for 22.5.
fn fmt_number(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}
