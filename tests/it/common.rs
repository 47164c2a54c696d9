//! Helpers for integration tests: fixtures made with the FFmpeg CLI in a
//! temporary directory per test, the `reel` binary, and independent
//! measurements of the output through ffprobe/ffmpeg.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// An EDL (or any text) written in a test as an indented raw string that
/// reads like the docs: `format!` of the arguments, then [`dedent`].
///
/// ```ignore
/// f.write("t.toml", &edl!(r#"
///     {OUTPUT}
///     [[clip]]
///     source = "a.mp4"
/// "#));
/// ```
macro_rules! edl {
    ($($arg:tt)*) => {
        $crate::common::dedent(&format!($($arg)*))
    };
}
pub(crate) use edl;

/// `text` without the newline that opens it and the indentation of its
/// first line, taken off every line that starts with it (lines put in by
/// a `{fragment}` keep theirs); the closing quote's indentation goes too.
pub fn dedent(text: &str) -> String {
    let text = text.strip_prefix('\n').unwrap_or(text);
    let indent = &text[..text.len() - text.trim_start_matches(' ').len()];
    let mut out: String = text
        .split_inclusive('\n')
        .map(|line| line.strip_prefix(indent).unwrap_or(line))
        .collect();
    let last = out.rfind('\n').map_or(0, |i| i + 1);
    if out[last..].trim().is_empty() {
        out.truncate(last);
    }
    out
}

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

    /// Runs `reel` with `args` and asserts success (the message shows what
    /// it printed); returns its output.
    #[track_caller]
    pub fn reel_ok_output(&self, args: &[&str]) -> Output {
        let out = self.reel(args);
        assert_success(&out, &format!("reel {args:?}"));
        out
    }

    /// Runs `reel` with `args`, asserts success and returns what it printed
    /// (stdout, then stderr).
    #[track_caller]
    pub fn reel_ok(&self, args: &[&str]) -> String {
        printed(&self.reel_ok_output(args))
    }

    /// Copies media file `from` to `to` with garbage (a fixed sequence)
    /// over the sixth of it that starts two thirds in: past the header of a
    /// `+faststart` file, inside its picture data.
    pub fn damage(&self, from: &str, to: &str) {
        let mut bytes = std::fs::read(self.path(from)).unwrap();
        let n = bytes.len();
        let mut x = 12345u32;
        for b in &mut bytes[n * 2 / 3..n * 2 / 3 + n / 6] {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            *b = (x >> 16) as u8;
        }
        std::fs::write(self.path(to), &bytes).unwrap();
    }

    /// Hidden files in the fixture directory other than the render cache:
    /// what a render would leave behind (work directories, temporary
    /// outputs).
    pub fn leftovers(&self) -> Vec<String> {
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.') && n != ".reel-cache")
            .collect()
    }

    /// A slow render (two 14 s clips at 640x360, x264 `slow`) of `t.toml`:
    /// long enough to be stopped while it writes a segment.
    pub fn slow_render_edl(&self) {
        self.ffmpeg("-f lavfi -i testsrc2=s=320x180:r=25:d=30 -c:v libx264 -g 25 a.mp4");
        self.write(
            "t.toml",
            &edl!(
                r#"
                [output]
                path = "out.mp4"
                width = 640
                height = 360
                fps = 25
                [output.video]
                preset = "slow"
                [[clip]]
                source = "a.mp4"
                in = 0
                out = 14
                [[clip]]
                source = "a.mp4"
                in = 15
                out = 29
                "#
            ),
        );
    }

    /// Starts `reel` with `args` and returns it once it is writing a
    /// segment into the cache, with the path of that partial entry.
    pub fn start_until_writing(&self, args: &[&str]) -> (std::process::Child, PathBuf) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_reel"))
            .args(args)
            .current_dir(self.dir.path())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("reel runs");
        let started = std::time::Instant::now();
        loop {
            let writing = std::fs::read_dir(self.path(".reel-cache/tmp"))
                .into_iter()
                .flatten()
                .map(|e| e.unwrap().path())
                .find(|p| std::fs::metadata(p).is_ok_and(|m| m.len() > 1000));
            if let Some(p) = writing {
                return (child, p);
            }
            assert!(
                child.try_wait().unwrap().is_none(),
                "the render finished before it wrote a segment"
            );
            assert!(started.elapsed().as_secs() < 60, "no segment was written");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// Renders `t.toml` with extra `args` and asserts success.
    #[track_caller]
    pub fn render_args(&self, args: &[&str]) {
        let mut all = vec!["render", "--quiet", "--no-cache"];
        all.extend_from_slice(args);
        all.push("t.toml");
        self.reel_ok_output(&all);
    }

    /// Renders `edl` and asserts success.
    #[track_caller]
    pub fn render(&self, edl: &str) {
        self.reel_ok_output(&["render", "--quiet", edl]);
    }
}

/// What a command printed: its stdout, then its stderr.
pub fn printed(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Asserts that the command `what` succeeded; the message shows what it
/// printed.
#[track_caller]
pub fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({}): {}",
        out.status,
        printed(out)
    );
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
    assert_success(&out, &format!("ffmpeg decoding {}", file.display()));
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

/// Mean difference between neighbouring rows of a `w`-wide luma plane:
/// high for a combed (interlaced, shown woven) picture.
pub fn combing(frame: &[u8], w: usize) -> f64 {
    let rows: Vec<f64> = frame
        .chunks(w)
        .map(|r| r.iter().map(|&v| v as f64).sum::<f64>() / w as f64)
        .collect();
    rows.windows(2).map(|p| (p[0] - p[1]).abs()).sum::<f64>() / (rows.len() - 1) as f64
}

/// FFmpeg input options for an interlaced (top field first) source whose
/// two fields differ and swap every frame: motion between fields.
pub fn moving_fields(size: &str) -> String {
    format!(
        "-f lavfi -i color=c=black:s={size}:r=50:d=2,format=yuv420p,\
         geq=lum='16+219*mod(floor((N+1)/2)\\,2)':cb=128:cr=128,\
         tinterlace=mode=interleave_top,setfield=tff"
    )
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

/// A lavfi picture: black `size` frames at 25 fps for `secs` seconds, frame
/// N with luma 20 + 4 * (N mod 50), so that each shows its number.
pub fn frames_mod_50(size: &str, secs: u32) -> String {
    format!(
        "color=c=black:s={size}:r=25:d={secs},format=yuv420p,\
         geq=lum='20+4*mod(N\\,50)':cb=128:cr=128"
    )
}

/// Which frame (mod 50) of `frames_mod_50` a luma value shows.
pub fn frame_mod_50(luma: f64) -> i64 {
    ((luma - 20.0) / 4.0).round() as i64
}

/// A lavfi picture: black 64x64 frames at `rate` for `secs` seconds, frame
/// N with luma 16 + 2 * (N mod 100), and blue `cb` to tell sources apart.
pub fn frames_mod_100(rate: &str, secs: u32, cb: u8) -> String {
    format!(
        "color=c=black:s=64x64:r={rate}:d={secs},format=yuv420p,\
         geq=lum='16+2*mod(N\\,100)':cb={cb}:cr=128"
    )
}

/// Which frame (mod 100) of `frames_mod_100` a luma value shows.
pub fn frame_mod_100(luma: f64) -> i64 {
    ((luma - 16.0) / 2.0).round() as i64
}

/// The `[output]` of a lossless render (crf 0, x264 `ultrafast`) to
/// `out.mp4`, so that decoded pictures compare exactly. An EDL fragment:
/// no newline at its end.
pub fn lossless_output(width: usize, height: usize, fps: &str) -> String {
    edl!(
        r#"
        [output]
        path = "out.mp4"
        width = {width}
        height = {height}
        fps = {fps}
        [output.video]
        crf = 0
        preset = "ultrafast""#
    )
}

/// The `[output]` of a small render: 64x64 at 30 fps to `out.mp4`. An EDL
/// fragment: no newline at its end.
pub const OUTPUT: &str = r#"[output]
path = "out.mp4"
width = 64
height = 64
fps = 30"#;

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

/// Writes planar f32 samples as a 32-bit float WAV file.
pub fn write_wav(path: &Path, sample_rate: u32, channels: &[Vec<f32>]) {
    let n = channels[0].len();
    let ch = channels.len() as u16;
    let data_len = (n * channels.len() * 4) as u32;
    let mut b = Vec::with_capacity(44 + data_len as usize);
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + data_len).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&3u16.to_le_bytes()); // IEEE float
    b.extend_from_slice(&ch.to_le_bytes());
    b.extend_from_slice(&sample_rate.to_le_bytes());
    b.extend_from_slice(&(sample_rate * ch as u32 * 4).to_le_bytes());
    b.extend_from_slice(&(ch * 4).to_le_bytes());
    b.extend_from_slice(&32u16.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&data_len.to_le_bytes());
    for i in 0..n {
        for c in channels {
            b.extend_from_slice(&c[i].to_le_bytes());
        }
    }
    std::fs::write(path, b).expect("write wav");
}

/// Decoded audio of one channel, as f32 at the file's rate.
pub fn audio_channel(file: &Path, channel: usize) -> Vec<f32> {
    decode(
        file,
        &[
            "-map",
            "0:a",
            "-af",
            &format!("pan=mono|c0=c{channel}"),
            "-f",
            "f32le",
        ],
    )
    .chunks_exact(4)
    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    .collect()
}

/// Level in dBFS (of a full-scale sine's amplitude) of the `freq` component
/// of `x[start..start+len]`: Goertzel on a Hann-windowed block.
pub fn tone_db(x: &[f32], sample_rate: f64, freq: f64, start: usize, len: usize) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq / sample_rate;
    let (mut re, mut im, mut wsum) = (0.0, 0.0, 0.0);
    for (i, &s) in x[start..start + len].iter().enumerate() {
        let hann = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / len as f64).cos();
        re += s as f64 * hann * (w * i as f64).cos();
        im -= s as f64 * hann * (w * i as f64).sin();
        wsum += hann;
    }
    let amplitude = 2.0 * (re * re + im * im).sqrt() / wsum;
    20.0 * amplitude.max(1e-12).log10()
}

/// RMS level in dBFS of `x[start..start+len]`.
pub fn rms_db(x: &[f32], start: usize, len: usize) -> f64 {
    let p: f64 = x[start..start + len]
        .iter()
        .map(|&s| (s as f64) * (s as f64))
        .sum::<f64>()
        / len as f64;
    10.0 * p.max(1e-24).log10()
}

/// Integrated loudness (LUFS) and true peak (dBTP) of `file`'s audio, as
/// FFmpeg's own `ebur128` filter measures them.
pub fn ffmpeg_loudness(file: &Path) -> (f64, f64) {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-nostats", "-i"])
        .arg(file)
        .args(["-map", "0:a", "-af", "ebur128=peak=true", "-f", "null", "-"])
        .output()
        .expect("ffmpeg runs");
    let text = String::from_utf8_lossy(&out.stderr);
    let value = |key: &str| -> f64 {
        text.lines()
            .rev()
            .find_map(|l| l.trim().strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {key} in the ebur128 summary:\n{text}"))
    };
    (value("I:"), value("Peak:"))
}

/// Deterministic white noise in -amp..amp (a linear congruential generator).
pub fn noise(seed: u64, n: usize, amp: f32) -> Vec<f32> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * amp
        })
        .collect()
}

/// A Python with the `opentimelineio`, `jsonschema`, `kubernetes-validate`
/// and `openjd-cli` packages from PyPI,
/// in a virtualenv kept under `target/` (made on first use).
pub fn python_venv() -> PathBuf {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/py-venv");
    let python = venv.join("bin/python");
    let ready = || {
        Command::new(&python)
            .args([
                "-c",
                "import opentimelineio, jsonschema, kubernetes_validate, openjd.cli",
            ])
            .status()
            .is_ok_and(|s| s.success())
    };
    // Tests run in parallel: one makes the virtualenv, the others wait.
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if !ready() {
        let made = Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&venv)
            .status()
            .expect("python3 runs");
        assert!(made.success(), "python3 -m venv failed");
        let installed = Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "opentimelineio==0.18.1",
                "jsonschema==4.23.0",
                "kubernetes-validate==1.37.0",
                "openjd-cli==0.8.0",
            ])
            .status()
            .expect("pip runs");
        assert!(installed.success(), "pip install failed");
    }
    python
}

/// The raw yuv420p pictures (at most `frames`) the FFmpeg CLI makes of
/// `input` through the filter chain `filters`.
pub fn cli_frames(input: &Path, filters: &str, frames: usize) -> Vec<u8> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(input)
        .args(["-vf", filters, "-frames:v", &frames.to_string()])
        .args(["-f", "rawvideo", "-pix_fmt", "yuv420p", "-"])
        .output()
        .expect("ffmpeg runs");
    assert_success(&out, &format!("ffmpeg -vf {filters}"));
    out.stdout
}

/// Asserts the FFmpeg CLI decodes `file` whole (every stream) without a
/// word: `ffmpeg -v error -i file -f null -` prints nothing.
#[track_caller]
pub fn assert_decodes_cleanly(file: &Path) {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-nostdin", "-i"])
        .arg(file)
        .args(["-f", "null", "-"])
        .output()
        .expect("ffmpeg runs");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}
