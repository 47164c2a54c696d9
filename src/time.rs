//! Exact time arithmetic: rational seconds, frame rates and timecodes.
//!
//! Everything on the timeline is an integer count of frames or samples; user
//! times are parsed into exact rationals so that no floating-point drift can
//! creep into frame counts.

use num_rational::Rational64;
use std::fmt;

/// Seconds or a rate as an exact fraction.
pub type Ratio = Rational64;

/// What is wrong with a time, a frame rate or a span as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// Not a time in any of the forms [`parse_timecode`] reads.
    #[error(
        "invalid time \"{0}\" (expected seconds, \"MM:SS.mmm\", \"HH:MM:SS.mmm\" or \"HH:MM:SS:FF\")"
    )]
    Time(String),
    /// A minutes or seconds field of 60 or more.
    #[error("invalid time \"{text}\": {field} must be below 60")]
    Field { text: String, field: &'static str },
    /// An `:FF` frame count past the last frame of a second at `fps`.
    #[error(
        "frame field {frames} is out of range for a {} fps source (expected 0..{})",
        fmt_rate(*fps),
        fps.ceil().to_integer() - 1
    )]
    Frame { frames: i64, fps: Ratio },
    /// A source timecode where no source timecode can be read.
    #[error("{{ tc = \"{0}\" }} needs a source's own timecode")]
    SourceTc(String),
    /// Not a frame rate in any of the forms [`parse_rate`] reads.
    #[error("invalid frame rate \"{0}\" (expected e.g. 30, 29.97 or \"30000/1001\")")]
    Rate(String),
    /// A frame rate of 0 or less, or over 1000.
    #[error("invalid frame rate \"{0}\" (expected > 0 and <= 1000)")]
    RateRange(String),
    /// Not a span `START-END` of two times in seconds.
    #[error("invalid range \"{0}\" (expected START-END in seconds or HH:MM:SS.mmm)")]
    Span(String),
    /// A span whose start is not before its end.
    #[error("invalid range \"{0}\": the start is not before the end")]
    Backwards(String),
}

/// A time as written in the EDL, before it can be resolved to seconds.
/// `HH:MM:SS:FF` needs the source's frame rate, known only after probing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSpec {
    Seconds(Ratio),
    /// Whole seconds plus a frame count at the source's rate.
    Frames {
        seconds: i64,
        frames: i64,
    },
    /// `{ tc = "01:00:00:12" }`: a frame named in the source's own
    /// timecode, turned into a time once the source's start timecode and
    /// rate are probed.
    SourceTc(SourceTc),
}

/// A timecode as written, `HH:MM:SS:FF` (`;` before `FF` for drop frame);
/// its fields are checked against the source's rate once that is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceTc {
    fields: [u8; 4],
    drop: bool,
}

impl SourceTc {
    /// Four fields of one or two digits, separated by `:` (or `;` before
    /// the frames, for drop frame).
    pub fn parse(text: &str) -> Option<SourceTc> {
        let text = text.trim();
        let seps: Vec<char> = text.chars().filter(|c| matches!(c, ':' | ';')).collect();
        let parts: Vec<&str> = text.split([':', ';']).collect();
        if parts.len() != 4 || seps[..2].contains(&';') {
            return None;
        }
        let mut fields = [0u8; 4];
        for (slot, p) in fields.iter_mut().zip(&parts) {
            if p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            *slot = p.parse().ok()?;
        }
        Some(SourceTc {
            fields,
            drop: seps[2] == ';',
        })
    }
}

impl fmt::Display for SourceTc {
    /// `01:00:00:12`, or `00:59:59;28` in drop frame.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [h, m, s, fr] = self.fields;
        let sep = if self.drop { ';' } else { ':' };
        write!(f, "{h:02}:{m:02}:{s:02}{sep}{fr:02}")
    }
}

impl TimeSpec {
    /// Resolves to seconds; `source_fps` is used only for the `:FF` form.
    pub fn resolve(&self, source_fps: Ratio) -> Result<Ratio, TimeError> {
        match *self {
            TimeSpec::Seconds(s) => Ok(s),
            TimeSpec::Frames { seconds, frames } => {
                let max = source_fps.ceil().to_integer();
                if frames >= max {
                    return Err(TimeError::Frame {
                        frames,
                        fps: source_fps,
                    });
                }
                Ok(Ratio::from_integer(seconds) + Ratio::from_integer(frames) / source_fps)
            }
            TimeSpec::SourceTc(tc) => Err(TimeError::SourceTc(tc.to_string())),
        }
    }
}

/// Parses a decimal number written as text ("7.458", "-1", "1e3" is refused)
/// into an exact fraction.
pub fn parse_decimal(text: &str) -> Option<Ratio> {
    let text = text.trim();
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, f),
        None => (digits, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Keep at most 9 fractional digits (nanoseconds) so the fraction stays small.
    let frac = &frac[..frac.len().min(9)];
    let int_value: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let den = 10i64.checked_pow(frac.len() as u32)?;
    let frac_value: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    let value = Ratio::new(int_value.checked_mul(den)?.checked_add(frac_value)?, den);
    Some(if neg { -value } else { value })
}

/// Converts a float from the TOML file into the exact decimal it was written as
/// (Rust prints the shortest representation that round-trips).
pub fn ratio_from_f64(value: f64) -> Option<Ratio> {
    if !value.is_finite() || value.abs() > 1e12 {
        return None;
    }
    let text = format!("{value}");
    if text.contains('e') || text.contains('E') {
        // Very small magnitudes: fall back to nanosecond precision.
        let nanos = (value * 1e9).round() as i64;
        return Some(Ratio::new(nanos, 1_000_000_000));
    }
    parse_decimal(&text)
}

/// Parses a timecode: seconds ("7.458"), an exact fraction of seconds
/// ("1001/30000"), "MM:SS.mmm", "HH:MM:SS.mmm" or "HH:MM:SS:FF" (FF frames
/// at the source's rate).
pub fn parse_timecode(text: &str) -> Result<TimeSpec, TimeError> {
    let bad = || TimeError::Time(text.to_string());
    let parts: Vec<&str> = text.trim().split(':').collect();
    let whole = |s: &str| -> Result<i64, TimeError> {
        if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse::<i64>().map_err(|_| bad())
    };
    let too_large = |field| TimeError::Field {
        text: text.to_string(),
        field,
    };
    let sixty = |v: i64, field: &'static str| -> Result<i64, TimeError> {
        if v >= 60 {
            Err(too_large(field))
        } else {
            Ok(v)
        }
    };
    let seconds_field = |s: &str| -> Result<Ratio, TimeError> {
        if s.starts_with('-') || s.starts_with('+') {
            return Err(bad());
        }
        let v = parse_decimal(s).ok_or_else(bad)?;
        if v >= Ratio::from_integer(60) {
            return Err(too_large("seconds"));
        }
        Ok(v)
    };
    match parts.as_slice() {
        // An exact fraction of seconds, "1001/30000" (imported cuts use it).
        [s] if s.contains('/') => {
            let (n, d) = s.split_once('/').expect("checked");
            let int = |s: &str| {
                let s = s.trim();
                (!s.is_empty() && s.len() <= 15 && s.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| s.parse::<i64>().ok())
                    .flatten()
            };
            match (int(n), int(d)) {
                (Some(n), Some(d)) if d > 0 => Ok(TimeSpec::Seconds(Ratio::new(n, d))),
                _ => Err(bad()),
            }
        }
        [s] => {
            let v = parse_decimal(s).ok_or_else(bad)?;
            Ok(TimeSpec::Seconds(v))
        }
        [m, s] => {
            let m = whole(m)?;
            Ok(TimeSpec::Seconds(
                Ratio::from_integer(m * 60) + seconds_field(s)?,
            ))
        }
        [h, m, s] => {
            let (h, m) = (whole(h)?, sixty(whole(m)?, "minutes")?);
            Ok(TimeSpec::Seconds(
                Ratio::from_integer(h * 3600 + m * 60) + seconds_field(s)?,
            ))
        }
        [h, m, s, f] => {
            let (h, m) = (whole(h)?, sixty(whole(m)?, "minutes")?);
            let s = sixty(whole(s)?, "seconds")?;
            let frames = whole(f)?;
            Ok(TimeSpec::Frames {
                seconds: h * 3600 + m * 60 + s,
                frames,
            })
        }
        _ => Err(bad()),
    }
}

/// Parses a frame rate: an integer, a decimal (NTSC decimals such as 29.97
/// mean N*1000/1001) or a fraction "30000/1001".
pub fn parse_rate(text: &str) -> Result<Ratio, TimeError> {
    let bad = || TimeError::Rate(text.to_string());
    let text = text.trim();
    let rate = if let Some((n, d)) = text.split_once('/') {
        let n: i64 = n.trim().parse().map_err(|_| bad())?;
        let d: i64 = d.trim().parse().map_err(|_| bad())?;
        if d <= 0 {
            return Err(bad());
        }
        Ratio::new(n, d)
    } else {
        let v = parse_decimal(text).ok_or_else(bad)?;
        ntsc_rate(v).unwrap_or(v)
    };
    if rate <= Ratio::from_integer(0) || rate > Ratio::from_integer(1000) {
        return Err(TimeError::RateRange(text.to_string()));
    }
    Ok(rate)
}

/// 23.976, 29.97, 59.94 ... stand for N*1000/1001 when they are within
/// rounding of it.
fn ntsc_rate(v: Ratio) -> Option<Ratio> {
    if v.is_integer() {
        return None;
    }
    let n = (v * Ratio::new(1001, 1000)).round();
    let exact = n * Ratio::new(1000, 1001);
    let diff = if exact > v { exact - v } else { v - exact };
    (n.is_integer() && diff < Ratio::new(5, 1000)).then_some(exact)
}

/// Rounds half away from zero, as FFmpeg's AV_ROUND_NEAR_INF does.
pub fn round(x: Ratio) -> i64 {
    x.round().to_integer()
}

/// Formats seconds as H:MM:SS.mmm.
pub struct Clock(pub Ratio);

impl fmt::Display for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = round(self.0 * 1000);
        let (sign, ms) = if ms < 0 { ("-", -ms) } else { ("", ms) };
        let (h, rem) = (ms / 3_600_000, ms % 3_600_000);
        let (m, rem) = (rem / 60_000, rem % 60_000);
        write!(f, "{sign}{h}:{m:02}:{:02}.{:03}", rem / 1000, rem % 1000)
    }
}

/// Parses a timeline span `START-END`, each side seconds or a clock form
/// (`12.5-20`, `0:01:00-0:01:30.5`).
pub fn parse_span(text: &str) -> Result<(Ratio, Ratio), TimeError> {
    let bad = || TimeError::Span(text.to_string());
    let (a, b) = text.split_once('-').ok_or_else(bad)?;
    let side = |t: &str| match parse_timecode(t.trim()) {
        Ok(TimeSpec::Seconds(s)) => Ok(s),
        _ => Err(bad()),
    };
    let (a, b) = (side(a)?, side(b)?);
    if a >= b {
        return Err(TimeError::Backwards(text.to_string()));
    }
    Ok((a, b))
}

/// Formats a rate as "30", "29.97" (30000/1001) or "12.5".
pub fn fmt_rate(rate: Ratio) -> String {
    if rate.is_integer() {
        rate.to_integer().to_string()
    } else {
        format!("{:.3}", *rate.numer() as f64 / *rate.denom() as f64)
            .trim_end_matches('0')
            .to_string()
    }
}

/// Seconds as a float, for display only.
pub fn secs_f64(x: Ratio) -> f64 {
    *x.numer() as f64 / *x.denom() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        assert_eq!(parse_decimal("7.458"), Some(Ratio::new(7458, 1000)));
        assert_eq!(parse_decimal("-0.5"), Some(Ratio::new(-1, 2)));
        assert_eq!(parse_decimal("3"), Some(Ratio::from_integer(3)));
        assert_eq!(parse_decimal(".25"), Some(Ratio::new(1, 4)));
        assert_eq!(parse_decimal("1e3"), None);
        assert_eq!(parse_decimal(""), None);
        assert_eq!(parse_decimal("."), None);
        assert_eq!(ratio_from_f64(10.802), Some(Ratio::new(10802, 1000)));
        assert_eq!(ratio_from_f64(f64::NAN), None);
    }

    #[test]
    fn source_timecodes_parse_as_written() {
        let tc = |t: &str| SourceTc::parse(t).map(|t| t.to_string());
        assert_eq!(tc("01:00:00:12").as_deref(), Some("01:00:00:12"));
        assert_eq!(tc(" 1:0:0;2 ").as_deref(), Some("01:00:00;02"));
        for bad in [
            "01:00:00",
            "01;00:00:00",
            "01:00:00:123",
            "a:00:00:00",
            "01:00:00:00:00",
        ] {
            assert_eq!(tc(bad), None, "{bad}");
        }
    }

    #[test]
    fn timecodes_parse() {
        assert_eq!(
            parse_timecode("01:02.500"),
            Ok(TimeSpec::Seconds(Ratio::new(625, 10)))
        );
        assert_eq!(
            parse_timecode("1:00:00.000"),
            Ok(TimeSpec::Seconds(Ratio::from_integer(3600)))
        );
        let tc = parse_timecode("00:00:01:12").unwrap();
        assert_eq!(
            tc,
            TimeSpec::Frames {
                seconds: 1,
                frames: 12
            }
        );
        assert_eq!(tc.resolve(Ratio::from_integer(24)), Ok(Ratio::new(3, 2)));
        assert!(tc.resolve(Ratio::from_integer(10)).is_err());
        for bad in [
            "",
            "1:2:3:4:5",
            "aa:10",
            "00:61.0",
            "00:00:-1.0",
            "1:75:00",
            "x",
        ] {
            assert!(parse_timecode(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn rates_parse() {
        assert_eq!(parse_rate("30"), Ok(Ratio::from_integer(30)));
        assert_eq!(parse_rate("29.97"), Ok(Ratio::new(30000, 1001)));
        assert_eq!(parse_rate("23.976"), Ok(Ratio::new(24000, 1001)));
        assert_eq!(parse_rate("59.94"), Ok(Ratio::new(60000, 1001)));
        assert_eq!(parse_rate("12.5"), Ok(Ratio::new(25, 2)));
        assert_eq!(parse_rate("30000/1001"), Ok(Ratio::new(30000, 1001)));
        assert!(parse_rate("0").is_err());
        assert!(parse_rate("30/0").is_err());
        assert!(parse_rate("fast").is_err());
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let message = |e: TimeError| e.to_string();
        assert_eq!(
            message(parse_timecode("x").unwrap_err()),
            "invalid time \"x\" (expected seconds, \"MM:SS.mmm\", \"HH:MM:SS.mmm\" or \"HH:MM:SS:FF\")"
        );
        assert_eq!(
            message(parse_timecode("1:75:00").unwrap_err()),
            "invalid time \"1:75:00\": minutes must be below 60"
        );
        assert_eq!(
            message(parse_timecode("00:61.0").unwrap_err()),
            "invalid time \"00:61.0\": seconds must be below 60"
        );
        let tc = parse_timecode("00:00:01:30").unwrap();
        assert_eq!(
            message(tc.resolve(Ratio::new(30000, 1001)).unwrap_err()),
            "frame field 30 is out of range for a 29.97 fps source (expected 0..29)"
        );
        assert_eq!(
            message(parse_rate(" fast").unwrap_err()),
            "invalid frame rate \" fast\" (expected e.g. 30, 29.97 or \"30000/1001\")"
        );
        assert_eq!(
            message(parse_rate(" 0 ").unwrap_err()),
            "invalid frame rate \"0\" (expected > 0 and <= 1000)"
        );
        assert_eq!(
            message(parse_span("soon").unwrap_err()),
            "invalid range \"soon\" (expected START-END in seconds or HH:MM:SS.mmm)"
        );
        assert_eq!(
            message(parse_span("2-1").unwrap_err()),
            "invalid range \"2-1\": the start is not before the end"
        );
    }

    #[test]
    fn clock_formats() {
        assert_eq!(Clock(Ratio::new(7458, 1000)).to_string(), "0:00:07.458");
        assert_eq!(Clock(Ratio::from_integer(3725)).to_string(), "1:02:05.000");
        assert_eq!(fmt_rate(Ratio::new(30000, 1001)), "29.97");
    }
}
