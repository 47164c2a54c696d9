//! What became of each EDL of a run, as a JSON report for machines
//! (`--report`, described by `docs/report.schema.json`) and as a JUnit
//! file for CI test tabs (`--junit`).

use crate::error::{Diagnostic, Error};
use crate::plan::Plan;
use crate::render::Summary;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The version of the report's format.
pub const REPORT_VERSION: u32 = 1;

/// What became of one EDL.
pub struct Outcome {
    pub edl: PathBuf,
    /// Where the output was (or would have been) written.
    pub output: Option<PathBuf>,
    /// The plan, when the EDL got that far.
    pub plan: Option<PlanFacts>,
    pub result: std::result::Result<Summary, Failure>,
    /// Warnings (caption lint, what an import dropped).
    pub warnings: Vec<String>,
    /// CPU seconds (user + system) the render used.
    pub cpu_seconds: f64,
}

/// Why an EDL failed: its exit code, its message, and the diagnostics
/// with their places.
pub struct Failure {
    pub exit_code: i32,
    pub message: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl Failure {
    pub fn of(e: &Error) -> Failure {
        Failure {
            exit_code: e.exit_code(),
            message: crate::error::Report(e).to_string(),
            diagnostics: match e {
                Error::Invalid(d) => d.0.clone(),
                _ => Vec::new(),
            },
        }
    }
}

/// The settings of a planned montage the report states.
pub struct PlanFacts {
    pub frames: u64,
    pub duration_seconds: f64,
    pub video: Value,
    pub audio: Value,
}

impl PlanFacts {
    pub fn of(plan: &Plan) -> PlanFacts {
        let o = &plan.output;
        PlanFacts {
            frames: plan.range.end - plan.range.start,
            duration_seconds: crate::time::secs_f64(
                crate::time::Ratio::from_integer((plan.range.end - plan.range.start) as i64)
                    / o.fps,
            ),
            video: json!({
                "codec": o.video.codec,
                "width": o.width,
                "height": o.height,
                "fps": crate::time::fmt_rate(o.fps),
                "pix_fmt": o.video.pix_fmt,
                "crf": o.video.crf.or(crate::video_codec::encoder(&o.video.codec).and_then(|e| e.crf)),
                "preset": o.video.preset.as_deref().or(crate::video_codec::encoder(&o.video.codec).and_then(|e| e.preset)),
            }),
            audio: json!({
                "codec": o.audio.codec,
                "sample_rate": o.audio.sample_rate,
                "channels": o.audio.channels,
                "bitrate": o.audio.bitrate,
                "quality": o.audio.quality,
                "options": o.audio.options,
            }),
        }
    }
}

fn path_text(p: &Path) -> String {
    p.display().to_string()
}

fn diagnostic(d: &Diagnostic) -> Value {
    json!({
        "file": path_text(&d.file),
        "line": d.line,
        "column": d.column,
        "subject": d.subject,
        "message": d.message,
    })
}

/// The JSON report of a run.
pub fn report(outcomes: &[Outcome]) -> String {
    let entries: Vec<Value> = outcomes
        .iter()
        .map(|o| {
            let mut e = json!({
                "edl": path_text(&o.edl),
                "output": o.output.as_deref().map(path_text),
                "status": if o.result.is_ok() { "ok" } else { "failed" },
                "exit_code": o.result.as_ref().map_or_else(|f| f.exit_code, |_| 0),
                "warnings": o.warnings,
                "cpu_seconds": o.cpu_seconds,
            });
            if let Some(p) = &o.plan {
                e["frames"] = json!(p.frames);
                e["duration_seconds"] = json!(p.duration_seconds);
                e["video"] = p.video.clone();
                e["audio"] = p.audio.clone();
            }
            match &o.result {
                Ok(s) => {
                    e["wall_seconds"] = json!(s.wall.as_secs_f64());
                    e["peak_memory_bytes"] = json!(s.peak_rss_bytes);
                    e["loudness"] = match &s.loudness {
                        Some(l) => json!({
                            "integrated_lufs": finite(l.integrated_lufs),
                            "true_peak_db": finite(l.true_peak_db),
                        }),
                        None => Value::Null,
                    };
                    e["cache"] = match &s.reused {
                        Some(r) => json!({
                            "segments_reused": r.segments,
                            "segments": r.of,
                            "audio_reused": r.audio,
                        }),
                        None => Value::Null,
                    };
                    e["concealed_pictures"] = json!(s.concealed);
                    e["stages"] = Value::Object(
                        s.stages
                            .iter()
                            .map(|st| {
                                let times =
                                    json!({ "wall_seconds": st.wall, "cpu_seconds": st.cpu });
                                (st.name.to_string(), times)
                            })
                            .collect(),
                    );
                    e["errors"] = json!([]);
                }
                Err(f) => {
                    e["error"] = json!(f.message);
                    e["errors"] = Value::Array(f.diagnostics.iter().map(diagnostic).collect());
                }
            }
            e
        })
        .collect();
    let worst = outcomes
        .iter()
        .map(|o| o.result.as_ref().map_or_else(|f| f.exit_code, |_| 0))
        .max()
        .unwrap_or(0);
    let doc = json!({
        "reel_report": REPORT_VERSION,
        "reel_version": env!("CARGO_PKG_VERSION"),
        "exit_code": worst,
        "outputs": entries,
    });
    serde_json::to_string_pretty(&doc).expect("a JSON value prints") + "\n"
}

fn finite(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else {
        Value::Null
    }
}

/// The JUnit XML of a run: one test case per output.
pub fn junit(outcomes: &[Outcome]) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let failures = outcomes.iter().filter(|o| o.result.is_err()).count();
    let time: f64 = outcomes
        .iter()
        .map(|o| o.result.as_ref().map_or(0.0, |s| s.wall.as_secs_f64()))
        .sum();
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <testsuites name=\"reel\" tests=\"{}\" failures=\"{failures}\" time=\"{time:.3}\">\n\
         <testsuite name=\"reel render\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" time=\"{time:.3}\">\n",
        outcomes.len(),
        outcomes.len()
    );
    for o in outcomes {
        let name = o
            .output
            .as_deref()
            .map_or_else(|| path_text(&o.edl), path_text);
        let (t, body) = match &o.result {
            Ok(s) => (
                s.wall.as_secs_f64(),
                format!("<system-out>{}</system-out>\n", esc(&s.to_string())),
            ),
            Err(f) => (
                0.0,
                format!(
                    "<failure message=\"{}\" type=\"exit {}\">{}</failure>\n",
                    esc(f.message.lines().next().unwrap_or("")),
                    f.exit_code,
                    esc(&f.message)
                ),
            ),
        };
        x.push_str(&format!(
            "<testcase classname=\"{}\" name=\"{}\" time=\"{t:.3}\">\n{body}</testcase>\n",
            esc(&path_text(&o.edl)),
            esc(&name)
        ));
    }
    x.push_str("</testsuite>\n</testsuites>\n");
    x
}
