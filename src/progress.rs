//! Progress reporting. The renderer talks to a [`Progress`]; the binary picks
//! a bar for terminals, timed log lines for CI, or nothing.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub trait Progress: Send + Sync {
    /// Rendering of `total` frames begins (again, for each group of a
    /// run's outputs).
    fn start(&self, total: u64);
    /// `n` more frames are done.
    fn advance(&self, n: u64);
    /// A stage begins (e.g. "joining").
    fn stage(&self, name: &str);
    fn finish(&self);
    /// Segment `index` (of `frames` frames) of the render of `output` is
    /// encoded.
    fn segment_done(&self, _output: &std::path::Path, _index: usize, _frames: u64) {}
    /// In a run of `of` outputs, `done` are finished.
    fn outputs(&self, _done: usize, _of: usize) {}
    /// A line for the user (an output's summary or error), printed so
    /// that it does not tear the bar.
    fn note(&self, line: &str) {
        eprint!("{line}");
    }
}

/// "[2/3] " while the second of three outputs is being finished; empty
/// for a single output.
fn position(done: usize, of: usize) -> String {
    if of > 1 {
        format!("[{}/{of}] ", (done + 1).min(of))
    } else {
        String::new()
    }
}

/// Reports nothing (tests, `--quiet`).
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: u64) {}
    fn advance(&self, _: u64) {}
    fn stage(&self, _: &str) {}
    fn finish(&self) {}
}

/// An indicatif bar: which output of a batch, frames done/total, fps, ETA.
pub struct Bar(indicatif::ProgressBar);

impl Bar {
    /// In a run of many outputs, which one is being finished ("[2/3] ")
    /// leads the bar.
    pub fn new() -> Self {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {prefix}{msg:9} [{bar:40}] {pos}/{len} frames  {per_sec}  ETA {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        Bar(bar)
    }
}

impl Progress for Bar {
    fn start(&self, total: u64) {
        // Drawn from here on: lines printed while the EDLs are read come
        // before it.
        self.0.enable_steady_tick(Duration::from_millis(200));
        self.0.set_length(total);
        self.0.set_position(0);
        self.0.set_message("rendering");
    }
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
    fn stage(&self, name: &str) {
        self.0.set_message(name.to_string());
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
    fn outputs(&self, done: usize, of: usize) {
        self.0.set_prefix(position(done, of));
    }
    fn note(&self, line: &str) {
        self.0.suspend(|| eprint!("{line}"));
    }
}

impl Default for Bar {
    fn default() -> Self {
        Bar::new()
    }
}

/// Plain lines on stderr at most every `every`, for logs without a terminal.
pub struct Log {
    every: Duration,
    position: Mutex<String>,
    started: Instant,
    total: AtomicU64,
    done: AtomicU64,
    last: Mutex<Instant>,
}

impl Log {
    /// In a run of many outputs, which one is being finished ("[2/3] ")
    /// leads each line.
    pub fn new(every: Duration) -> Self {
        Log {
            every,
            position: Mutex::new(String::new()),
            started: Instant::now(),
            total: AtomicU64::new(0),
            done: AtomicU64::new(0),
            last: Mutex::new(Instant::now()),
        }
    }

    fn position(&self) -> String {
        self.position
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn line(&self, done: u64) {
        let total = self.total.load(Ordering::Relaxed).max(1);
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let fps = done as f64 / secs;
        let eta = if fps > 0.0 {
            (total.saturating_sub(done)) as f64 / fps
        } else {
            0.0
        };
        eprintln!(
            "reel: {}{done}/{total} frames ({:.0}%), {fps:.1} fps, ETA {eta:.0} s",
            self.position(),
            100.0 * done as f64 / total as f64
        );
    }
}

impl Progress for Log {
    fn start(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
        eprintln!("reel: {}rendering {total} frames", self.position());
    }
    fn advance(&self, n: u64) {
        let done = self.done.fetch_add(n, Ordering::Relaxed) + n;
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if last.elapsed() >= self.every {
            *last = Instant::now();
            drop(last);
            self.line(done);
        }
    }
    fn stage(&self, name: &str) {
        eprintln!("reel: {}{name}", self.position());
    }
    fn finish(&self) {}
    fn outputs(&self, done: usize, of: usize) {
        *self.position.lock().unwrap_or_else(|e| e.into_inner()) = position(done, of);
    }
}

/// One JSON object per line on stderr, for CI dashboards: `start`,
/// `segment` (each segment done), `frames` (at most every `every`, with fps
/// and ETA), `stage` and `done`, each an [`Event`]. The run's `output`,
/// `error`, `finish` and `shard` events are emitted by the run itself.
pub struct Json {
    log: Log,
}

impl Json {
    pub fn new(every: Duration) -> Self {
        Json {
            log: Log::new(every),
        }
    }
}

/// One line of `--progress json` (the schema is in docs/ci.md).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event<'a> {
    /// Rendering of `frames` frames begins.
    Start { frames: u64 },
    /// A segment of the render of `output` is encoded.
    Segment {
        output: String,
        index: usize,
        frames: u64,
    },
    /// Frames done so far, with the rate and the time left.
    Frames {
        done: u64,
        total: u64,
        fps: f64,
        eta_seconds: f64,
    },
    /// A stage begins ("joining", "rendering").
    Stage { name: &'a str },
    /// The display is finished.
    Done,
    /// What became of an EDL's output.
    Output {
        edl: String,
        output: Option<String>,
        status: &'a str,
        exit_code: i32,
    },
    /// Why an EDL failed.
    Error {
        edl: String,
        exit_code: i32,
        message: String,
    },
    /// The run is over.
    Finish { exit_code: i32 },
    /// What a shard of a farm render did.
    Shard {
        edl: String,
        shard: usize,
        shards: usize,
        units: usize,
        rendered: usize,
        wall_seconds: f64,
    },
}

impl Event<'_> {
    /// The event as one line of JSON. Its keys come in alphabetical order
    /// (`event` among them, not first), as the display has always written
    /// them: the fields go through a `serde_json` map, which sorts them.
    pub fn line(&self) -> String {
        serde_json::to_value(self)
            .expect("events are plain data")
            .to_string()
    }

    /// Writes the event's line on stderr.
    pub fn emit(&self) {
        eprintln!("{}", self.line());
    }
}

impl Progress for Json {
    fn start(&self, total: u64) {
        self.log.total.store(total, Ordering::Relaxed);
        self.log.done.store(0, Ordering::Relaxed);
        Event::Start { frames: total }.emit();
    }
    fn advance(&self, n: u64) {
        let done = self.log.done.fetch_add(n, Ordering::Relaxed) + n;
        let mut last = self.log.last.lock().unwrap_or_else(|e| e.into_inner());
        let total = self.log.total.load(Ordering::Relaxed);
        if last.elapsed() >= self.log.every || done == total {
            *last = Instant::now();
            drop(last);
            let secs = self.log.started.elapsed().as_secs_f64().max(1e-3);
            let fps = done as f64 / secs;
            let eta = if fps > 0.0 {
                total.saturating_sub(done) as f64 / fps
            } else {
                0.0
            };
            Event::Frames {
                done,
                total,
                fps,
                eta_seconds: eta,
            }
            .emit();
        }
    }
    fn stage(&self, name: &str) {
        Event::Stage { name }.emit();
    }
    fn finish(&self) {
        Event::Done.emit();
    }
    fn segment_done(&self, output: &std::path::Path, index: usize, frames: u64) {
        Event::Segment {
            output: output.display().to_string(),
            index,
            frames,
        }
        .emit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The line the ad-hoc `json!` objects made.
    fn old(name: &str, mut fields: serde_json::Value) -> String {
        fields
            .as_object_mut()
            .unwrap()
            .insert("event".into(), name.into());
        fields.to_string()
    }

    #[test]
    fn events_are_written_as_the_ad_hoc_objects_were() {
        let cases = [
            (
                Event::Start { frames: 490 },
                old("start", json!({ "frames": 490 })),
            ),
            (
                Event::Segment {
                    output: "a b.mp4".into(),
                    index: 3,
                    frames: 157,
                },
                old(
                    "segment",
                    json!({ "output": "a b.mp4", "index": 3, "frames": 157 }),
                ),
            ),
            (
                Event::Frames {
                    done: 10,
                    total: 490,
                    fps: 12.5,
                    eta_seconds: 38.4,
                },
                old(
                    "frames",
                    json!({ "done": 10, "total": 490, "fps": 12.5, "eta_seconds": 38.4 }),
                ),
            ),
            (
                Event::Stage { name: "joining" },
                old("stage", json!({ "name": "joining" })),
            ),
            (Event::Done, old("done", json!({}))),
            (
                Event::Output {
                    edl: "e.toml".into(),
                    output: None,
                    status: "failed",
                    exit_code: 2,
                },
                old(
                    "output",
                    json!({ "edl": "e.toml", "output": null, "status": "failed", "exit_code": 2 }),
                ),
            ),
            (
                Event::Error {
                    edl: "e.toml".into(),
                    exit_code: 1,
                    message: "no \"quotes\"\n".into(),
                },
                old(
                    "error",
                    json!({ "edl": "e.toml", "exit_code": 1, "message": "no \"quotes\"\n" }),
                ),
            ),
            (
                Event::Finish { exit_code: 130 },
                old("finish", json!({ "exit_code": 130 })),
            ),
            (
                Event::Shard {
                    edl: "e.toml".into(),
                    shard: 0,
                    shards: 2,
                    units: 1,
                    rendered: 1,
                    wall_seconds: 0.25,
                },
                old(
                    "shard",
                    json!({ "edl": "e.toml", "shard": 0, "shards": 2, "units": 1,
                            "rendered": 1, "wall_seconds": 0.25 }),
                ),
            ),
        ];
        for (event, line) in cases {
            assert_eq!(event.line(), line);
        }
        assert_eq!(
            Event::Frames {
                done: 0,
                total: 0,
                fps: f64::NAN,
                eta_seconds: 0.0
            }
            .line(),
            old(
                "frames",
                json!({ "done": 0, "total": 0, "fps": f64::NAN, "eta_seconds": 0.0 })
            )
        );
    }
}
