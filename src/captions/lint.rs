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
    let grid = Grid::new(fps);
    for cue in cues {
        shape(cue, &mut warnings);
        if let Some(grid) = &grid {
            grid.duration(cue, &mut warnings);
            grid.reading_speed(cue, max_cps, &mut warnings);
        }
    }
    if let Some(grid) = &grid {
        grid.spacing(cues, &mut warnings);
    }
    // Stable: a line's warnings keep the order the rules above found them.
    warnings.sort_by_key(|w| w.line);
    warnings
}

fn warn(warnings: &mut Vec<Warning>, line: usize, message: String) {
    warnings.push(Warning { line, message });
}

/// Lines too long, and too many lines.
fn shape(cue: &Cue, warnings: &mut Vec<Warning>) {
    let lines: Vec<&str> = cue.text.split('\n').collect();
    for (n, text) in lines.iter().enumerate() {
        let count = text.chars().count();
        if count > MAX_LINE_CHARS {
            warn(
                warnings,
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
            warnings,
            cue.line,
            format!("has {} lines (at most {MAX_LINES})", lines.len()),
        );
    }
}

/// The output's frame grid, for the timing rules.
struct Grid {
    num: i128,
    den: i128,
}

impl Grid {
    /// `None` for a non-positive rate: the timing rules are skipped.
    fn new(fps: Ratio) -> Option<Grid> {
        (*fps.numer() > 0 && *fps.denom() > 0).then(|| Grid {
            num: *fps.numer() as i128,
            den: *fps.denom() as i128,
        })
    }

    /// `round(t * fps)`, half away from zero, exact.
    fn frame(&self, t: Ratio) -> i128 {
        let n = *t.numer() as i128 * self.num;
        let d = *t.denom() as i128 * self.den;
        round_div(n, d)
    }

    /// Frames as seconds, for messages.
    fn seconds(&self, frames: i128) -> f64 {
        frames as f64 * self.den as f64 / self.num as f64
    }

    /// How many frames a cue is on screen.
    fn frames(&self, cue: &Cue) -> i128 {
        self.frame(cue.end).saturating_sub(self.frame(cue.start))
    }

    /// On screen under 5/6 s or over 7 s.
    fn duration(&self, cue: &Cue, warnings: &mut Vec<Warning>) {
        let frames = self.frames(cue);
        let (num, den) = (self.num, self.den);
        // frames / fps < 5/6  <=>  6 * frames * den < 5 * num
        let limit = if frames.saturating_mul(6).saturating_mul(den) < num.saturating_mul(5) {
            "at least 0.83 s"
        } else if frames.saturating_mul(den) > num.saturating_mul(7) {
            "at most 7 s"
        } else {
            return;
        };
        warn(
            warnings,
            cue.line,
            format!(
                "is on screen for {:.2} s, {} ({limit})",
                self.seconds(frames),
                plural(frames, "frame")
            ),
        );
    }

    /// More characters per second than `max_cps`.
    fn reading_speed(&self, cue: &Cue, max_cps: f64, warnings: &mut Vec<Warning>) {
        let frames = self.frames(cue);
        let chars = cue.text.chars().filter(|&c| c != '\n').count();
        if frames > 0 && chars > 0 {
            let cps = chars as f64 / self.seconds(frames);
            if cps > max_cps {
                warn(
                    warnings,
                    cue.line,
                    format!(
                        "reads at {cps:.1} characters per second (at most {})",
                        fmt_number(max_cps)
                    ),
                );
            }
        }
    }

    /// Each cue against the earlier-starting cue that ends last: overlaps,
    /// and gaps under `MIN_GAP_FRAMES`.
    fn spacing(&self, cues: &[Cue], warnings: &mut Vec<Warning>) {
        let mut order: Vec<&Cue> = cues.iter().collect();
        order.sort_by_key(|c| c.start);
        let mut before: Option<(&Cue, i128)> = None;
        for cue in order {
            let start = self.frame(cue.start);
            let end = self.frame(cue.end);
            if let Some((prev, prev_end)) = before {
                let gap = start.saturating_sub(prev_end);
                if gap < 0 {
                    warn(
                        warnings,
                        cue.line,
                        format!(
                            "overlaps the cue at line {} by {}; both are shown at once, stacked",
                            prev.line,
                            plural(-gap, "frame")
                        ),
                    );
                } else if gap < MIN_GAP_FRAMES {
                    warn(
                        warnings,
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
