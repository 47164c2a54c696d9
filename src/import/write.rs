//! Writing the reel EDL text: a `[[clip]]` per event, `[[music]]` per
//! sound and `[[text]]` per title, with the `[output]` made when no
//! `--settings` EDL is given (else that EDL without its clips).

use super::link::Link;
use crate::interchange::{timecode::Rate, Media, Timeline};
use crate::time::{self, Clock, Ratio};
use std::fmt::Write as _;

/// A time for the EDL: a decimal when it is one (its denominator has no
/// prime factor but 2 and 5, and at most 9 digits), else an exact fraction.
fn secs(t: Ratio) -> String {
    let (n, d) = (*t.numer(), *t.denom());
    for digits in 0..=9u32 {
        let scale = 10i64.pow(digits);
        if scale % d == 0 {
            let v = n * (scale / d);
            let frac = format!("{:0width$}", (v % scale).abs(), width = digits as usize);
            let frac = frac.trim_end_matches('0');
            let sign = if v < 0 && v / scale == 0 { "-" } else { "" };
            let frac = if frac.is_empty() { "0" } else { frac };
            return format!("{sign}{}.{frac}", v / scale);
        }
    }
    format!("\"{n}/{d}\"")
}

/// The `[[clip]]` and `[[music]]` tables of the cut.
pub(super) fn clips_toml(t: &Timeline, links: &[Option<Link>], rate: Rate) -> String {
    let mut out = String::new();
    let one_frame = Ratio::from_integer(1) / rate.fps;
    let n = t.events.len();
    let mut at = Ratio::from_integer(0);
    for (i, (e, link)) in t.events.iter().zip(links).enumerate() {
        let _ = writeln!(out, "# {} (line {}), at {}", e.origin, e.line, Clock(at));
        out.push_str("[[clip]]\n");
        match (&e.media, link) {
            (Media::Black, _) | (_, None) => {
                out.push_str("card = { background = \"#000000\" }\n");
                let _ = writeln!(out, "duration = {}", secs(e.duration));
            }
            (Media::File(_), Some(l)) => {
                let _ = writeln!(
                    out,
                    "source = {}",
                    toml_string(&l.path.display().to_string())
                );
                let _ = writeln!(out, "in = {}", secs(l.start));
                let zero = Ratio::from_integer(0);
                if e.speed == zero {
                    // A held frame: one frame played, held for the rest.
                    let _ = writeln!(out, "duration = {}", secs(one_frame));
                    if e.duration > one_frame {
                        let _ = writeln!(
                            out,
                            "freeze = {{ at = 0, duration = {} }}",
                            secs(e.duration - one_frame)
                        );
                    }
                } else {
                    let _ = writeln!(out, "duration = {}", secs(e.duration));
                    let s = if e.speed < zero { -e.speed } else { e.speed };
                    if s != Ratio::from_integer(1) {
                        let _ = writeln!(out, "speed = {}", time::secs_f64(s));
                    }
                    if e.speed < zero {
                        out.push_str("reverse = true\n");
                    }
                }
                if !e.audio {
                    out.push_str("volume = 0\n");
                }
            }
        }
        match &e.transition {
            Some((kind, d)) if i + 1 < n => {
                let _ = writeln!(
                    out,
                    "transition = {{ kind = {}, duration = {} }}",
                    toml_string(kind.name()),
                    secs(*d)
                );
                at += e.duration - *d;
            }
            _ => {
                out.push_str("transition = { kind = \"cut\" }\n");
                at += e.duration;
            }
        }
        out.push('\n');
    }
    for (s, link) in t.sounds.iter().zip(&links[t.events.len()..]) {
        let Some(l) = link else { continue };
        let _ = writeln!(out, "# {} (line {})", s.origin, s.line);
        out.push_str("[[music]]\n");
        let _ = writeln!(
            out,
            "source = {}",
            toml_string(&l.path.display().to_string())
        );
        let _ = writeln!(out, "at = {}", secs(s.at));
        let _ = writeln!(out, "in = {}", secs(l.start));
        let _ = writeln!(out, "duration = {}\n", secs(s.duration));
    }
    for title in &t.titles {
        let _ = writeln!(out, "# {} (line {})", title.origin, title.line);
        out.push_str("[[text]]\n");
        let _ = writeln!(out, "text = {}", toml_string(&title.text));
        let _ = writeln!(out, "at = {}", secs(title.at));
        let _ = writeln!(out, "duration = {}\n", secs(title.duration));
    }
    out
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `[output]` for a cut imported without `--settings`: the file's size
/// (else 1920x1080) and rate, written beside the cut.
pub(super) fn default_settings(stem: &str, t: &Timeline, rate: Rate) -> String {
    let (w, h) = t.size.unwrap_or((1920, 1080));
    format!(
        "[output]\npath = {}\nwidth = {w}\nheight = {h}\nfps = \"{}/{}\"\n",
        toml_string(&format!("{stem}.mp4")),
        rate.fps.numer(),
        rate.fps.denom()
    )
}

/// A reel EDL's text without its `[[clip]]` tables (a clip table runs from
/// its header to the next table header).
pub(super) fn without_clips(text: &str) -> String {
    let mut out = String::new();
    let mut in_clip = false;
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with('[') && !t.starts_with("[[clip]]") && is_header(t) {
            in_clip = false;
        } else if t.starts_with("[[clip]]") {
            in_clip = true;
        }
        if !in_clip {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// A table header line: `[name]` or `[[name]]`, not an array value.
fn is_header(t: &str) -> bool {
    let t = t.split('#').next().unwrap_or("").trim_end();
    t.ends_with(']')
        && t[1..]
            .trim_start_matches('[')
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '"' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_decimals_when_they_can_be_and_fractions_otherwise() {
        assert_eq!(secs(Ratio::new(7458, 1000)), "7.458");
        assert_eq!(secs(Ratio::from_integer(3)), "3.0");
        assert_eq!(secs(Ratio::new(1, 25)), "0.04");
        assert_eq!(secs(Ratio::new(1001, 30000)), "\"1001/30000\"");
        assert_eq!(secs(Ratio::new(1, 3)), "\"1/3\"");
    }

    #[test]
    fn settings_lose_their_clips_and_keep_the_rest() {
        let text = "[output]\nfps = 25\n[[clip]]\nsource = \"a\"\ncrop = [\n0.1, 0, 1, 1]\n\
                    [[voiceover]]\nsource = \"v\"\n[[clip]]\nsource = \"b\"\n[ducking]\ndepth_db = 6\n";
        let out = without_clips(text);
        assert!(!out.contains("source = \"a\"") && !out.contains("source = \"b\""));
        assert!(out.contains("[[voiceover]]\nsource = \"v\"") && out.contains("depth_db = 6"));
    }
}
