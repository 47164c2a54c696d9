//! Helpers for integration tests: fixtures made with the FFmpeg CLI in a
//! temporary directory per test, the `reel` binary, and independent
//! measurements of the output through ffprobe/ffmpeg.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Self {
        Fixture {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs the FFmpeg CLI with `args` in the fixture directory.
    pub fn ffmpeg(&self, args: &str) {
        let status = Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-nostdin"])
            .args(shell_words(args))
            .current_dir(self.dir.path())
            .status()
            .expect("ffmpeg runs");
        assert!(status.success(), "ffmpeg {args} failed");
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write");
        p
    }

    /// Runs `reel` with `args` in the fixture directory.
    pub fn reel(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_reel"))
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("reel runs")
    }

    /// Renders `edl` and asserts success.
    pub fn render(&self, edl: &str) {
        let out = self.reel(&["render", "--quiet", edl]);
        assert!(
            out.status.success(),
            "render failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Splits on spaces, keeping '...' quoted parts together.
fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `ffprobe` value of one stream entry, e.g. ("v:0", "nb_read_frames").
pub fn probe_stream(file: &Path, stream: &str, entry: &str) -> String {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", stream])
        .args([
            "-show_entries",
            &format!("stream={entry}"),
            "-of",
            "csv=p=0",
        ])
        .arg(file)
        .output()
        .expect("ffprobe runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Raw bytes the FFmpeg CLI decodes from `file` with output options `args`.
fn decode(file: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-i"])
        .arg(file)
        .args(args)
        .arg("-")
        .output()
        .expect("ffmpeg runs");
    assert!(
        out.status.success(),
        "ffmpeg could not decode {}",
        file.display()
    );
    out.stdout
}

/// Decoded luma planes of every frame (ffmpeg CLI), each `w*h` bytes: the
/// Y plane as coded (no range conversion).
pub fn luma_frames(file: &Path, w: usize, h: usize) -> Vec<Vec<u8>> {
    decode(
        file,
        &["-map", "0:v", "-f", "rawvideo", "-pix_fmt", "yuv420p"],
    )
    .chunks(w * h * 3 / 2)
    .map(|c| c[..w * h].to_vec())
    .collect()
}

/// Mean of the centre quarter of a luma plane.
pub fn centre_mean(frame: &[u8], w: usize, h: usize) -> f64 {
    let mut sum = 0u64;
    let mut n = 0u64;
    for y in h / 4..3 * h / 4 {
        for x in w / 4..3 * w / 4 {
            sum += frame[y * w + x] as u64;
            n += 1;
        }
    }
    sum as f64 / n as f64
}

/// Decoded audio, first channel, as f32 at the file's rate.
pub fn audio_samples(file: &Path) -> Vec<f32> {
    decode(file, &["-map", "0:a", "-ac", "1", "-f", "f32le"])
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

pub const HEAD: &str = "[output]\npath = \"out.mp4\"\nwidth = 64\nheight = 64\nfps = 30\n";

/// Output frame numbers (at `fps`) of the video's keyframes.
pub fn keyframes(file: &Path, fps: f64) -> Vec<u64> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0"])
        .args(["-show_entries", "packet=pts_time,flags", "-of", "csv=p=0"])
        .arg(file)
        .output()
        .expect("ffprobe runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(",K"))
        .filter_map(|l| l.split(',').next()?.parse::<f64>().ok())
        .map(|t| (t * fps).round() as u64)
        .collect()
}
