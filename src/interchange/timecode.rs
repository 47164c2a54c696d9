//! SMPTE timecodes: `HH:MM:SS:FF` (and `;` for drop frame) to frame counts
//! and back, at every rate reel reads.
//!
//! A timecode names a frame, not a time: `HH:MM:SS` counts in "timecode
//! seconds" of [`Rate::nominal`] frames each (30 at 29.97 fps), and only
//! [`Rate::seconds`] turns a frame count into real time. Drop-frame
//! timecode (29.97 and 59.94 fps) keeps the clock close to real time by
//! skipping frame numbers: at 29.97 the numbers 00 and 01 of every minute
//! except each tenth do not exist (00 to 03 at 59.94). No frames are
//! dropped, only their names.

use crate::time::{self, Ratio};
use std::fmt;

/// Why a timecode rate is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    /// Not a frame rate at all (the reason, as `time::parse_rate` gives it).
    #[error(transparent)]
    Number(#[from] time::TimeError),
    #[error(
        "timecode rate \"{text}\" is neither a whole number of frames per second nor an \
         NTSC rate (23.976, 29.97, 59.94 ...)"
    )]
    NotTimecode { text: String },
    #[error(
        "\"{text}\": drop-frame timecode exists only at 29.97 and 59.94 fps, not at {fps} fps"
    )]
    NoDropFrame { text: String, fps: String },
}

/// Why a timecode is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimecodeError {
    #[error("malformed timecode \"{text}\" (expected HH:MM:SS:FF, or HH:MM:SS;FF for drop frame)")]
    Malformed { text: String },
    #[error(
        "timecode \"{text}\" is drop frame, but drop-frame timecode exists only at 29.97 \
         and 59.94 fps, not at {fps} fps"
    )]
    NoDropFrame { text: String, fps: String },
    #[error("timecode \"{text}\": minutes {minutes} must be below 60")]
    Minutes { text: String, minutes: i64 },
    #[error("timecode \"{text}\": seconds {seconds} must be below 60")]
    Seconds { text: String, seconds: i64 },
    #[error("timecode \"{text}\": frame {frame} is past the rate (0..{last} at {fps} fps)")]
    PastRate {
        text: String,
        frame: i64,
        last: i64,
        fps: String,
    },
    #[error(
        "timecode \"{text}\": frame {frame:02} does not exist in drop-frame timecode (frames \
         00 to {last:02} are skipped at the start of every minute except each tenth)"
    )]
    Skipped { text: String, frame: i64, last: i64 },
}

/// A timecode rate: the real frame rate and whether timecodes drop frame
/// numbers (29.97 and 59.94 only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub fps: Ratio,
    pub drop: bool,
}

impl Rate {
    /// Reads a rate as a user writes it: `24`, `25`, `23.976`, `29.97`,
    /// `29.97df` (or `DF`), `59.94df`, `30000/1001`, `30000/1001df`. NTSC
    /// decimals stand for N×1000/1001. A trailing `ndf` says non-drop
    /// explicitly. Timecode needs a whole number of frames per second or an
    /// NTSC rate; drop frame exists only at 29.97 and 59.94.
    pub fn parse(text: &str) -> Result<Rate, RateError> {
        let lower = text.trim().to_ascii_lowercase();
        let (number, drop) = if let Some(n) = lower.strip_suffix("ndf") {
            (n, false)
        } else if let Some(n) = lower.strip_suffix("df") {
            (n, true)
        } else {
            (lower.as_str(), false)
        };
        let fps = time::parse_rate(number.trim())?;
        let ntsc = (fps * Ratio::new(1001, 1000)).is_integer();
        if !fps.is_integer() && !ntsc {
            return Err(RateError::NotTimecode {
                text: text.trim().to_string(),
            });
        }
        let rate = Rate { fps, drop };
        if drop && !rate.can_drop() {
            return Err(RateError::NoDropFrame {
                text: text.trim().to_string(),
                fps: time::fmt_rate(fps),
            });
        }
        Ok(rate)
    }

    /// Frames per timecode second: the rate rounded (30 at 29.97).
    pub fn nominal(&self) -> i64 {
        time::round(self.fps).max(1)
    }

    /// Whether the rate has a drop-frame timecode (29.97 and 59.94).
    pub fn can_drop(&self) -> bool {
        self.fps == Ratio::new(30000, 1001) || self.fps == Ratio::new(60000, 1001)
    }

    /// Frame numbers skipped at the start of each minute in drop frame:
    /// 2 at 29.97, 4 at 59.94.
    fn dropped_per_minute(&self) -> i64 {
        self.nominal() / 15
    }

    /// The frame count of a timecode `HH:MM:SS:FF`. A `;` (or `.`) before
    /// `FF`, or `;` anywhere, marks drop frame, which is then used even if
    /// `self.drop` is false; such a timecode at a rate without drop frame is
    /// an error, as are minutes or seconds of 60 or more, a frame field past
    /// the rate and, in drop frame, the frame numbers that are skipped.
    pub fn to_frames(&self, tc: &str) -> Result<i64, TimecodeError> {
        let text = tc.trim();
        let bad = || TimecodeError::Malformed {
            text: text.to_string(),
        };
        let is_sep = |c: char| matches!(c, ':' | ';' | '.');
        let seps: Vec<char> = text.chars().filter(|&c| is_sep(c)).collect();
        let fields: Vec<&str> = text.split(is_sep).collect();
        if fields.len() != 4 || seps[..2].contains(&'.') {
            return Err(bad());
        }
        let mut v = [0i64; 4];
        for (slot, field) in v.iter_mut().zip(&fields) {
            if field.is_empty() || field.len() > 2 || !field.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            *slot = field.parse().map_err(|_| bad())?;
        }
        let [h, m, s, f] = v;
        let marked = seps.contains(&';') || seps[2] == '.';
        let drop = marked || self.drop;
        if drop && !self.can_drop() {
            return Err(TimecodeError::NoDropFrame {
                text: text.to_string(),
                fps: time::fmt_rate(self.fps),
            });
        }
        if m >= 60 {
            return Err(TimecodeError::Minutes {
                text: text.to_string(),
                minutes: m,
            });
        }
        if s >= 60 {
            return Err(TimecodeError::Seconds {
                text: text.to_string(),
                seconds: s,
            });
        }
        let n = self.nominal();
        if f >= n {
            return Err(TimecodeError::PastRate {
                text: text.to_string(),
                frame: f,
                last: n - 1,
                fps: time::fmt_rate(self.fps),
            });
        }
        let minutes = h * 60 + m;
        let count = (minutes * 60 + s) * n + f;
        if !drop {
            return Ok(count);
        }
        let d = self.dropped_per_minute();
        if s == 0 && m % 10 != 0 && f < d {
            return Err(TimecodeError::Skipped {
                text: text.to_string(),
                frame: f,
                last: d - 1,
            });
        }
        Ok(count - d * (minutes - minutes / 10))
    }

    /// The timecode of frame `frames`: `HH:MM:SS;FF` in drop frame,
    /// `HH:MM:SS:FF` otherwise. Negative counts give frame 0. A rate
    /// marked `drop` that has no drop frame counts without it.
    pub fn from_frames(&self, frames: i64) -> String {
        let n = self.nominal();
        let drop = self.drop && self.can_drop();
        let mut count = frames.max(0);
        if drop {
            // Put the skipped numbers back: 9 × d per full ten minutes, and
            // d per minute after the first of the current ten.
            let d = self.dropped_per_minute();
            let per_minute = 60 * n - d;
            let per_ten = 10 * per_minute + d;
            let (tens, rest) = (count / per_ten, count % per_ten);
            count += 9 * d * tens;
            if rest >= d {
                count += d * ((rest - d) / per_minute);
            }
        }
        let ff = count % n;
        let seconds = count / n;
        format!(
            "{:02}:{:02}:{:02}{}{:02}",
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60,
            if drop { ';' } else { ':' },
            ff
        )
    }

    /// The real time of `frames` frames: frames / fps, exactly.
    pub fn seconds(&self, frames: i64) -> Ratio {
        Ratio::from_integer(frames) / self.fps
    }
}

impl fmt::Display for Rate {
    /// `29.97 fps DF`, `25 fps`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} fps", time::fmt_rate(self.fps))?;
        if self.drop {
            write!(f, " DF")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rate(text: &str) -> Rate {
        Rate::parse(text).unwrap()
    }

    /// Every rate reel reads timecode at.
    const RATES: [&str; 10] = [
        "23.976", "24", "25", "29.97", "29.97df", "30", "50", "59.94", "59.94df", "60",
    ];

    #[test]
    fn rates_parse() {
        assert_eq!(
            rate("23.976"),
            Rate {
                fps: Ratio::new(24000, 1001),
                drop: false
            }
        );
        assert_eq!(rate("29.97").fps, Ratio::new(30000, 1001));
        assert!(!rate("29.97").drop);
        assert!(rate("29.97df").drop);
        assert!(rate("29.97DF").drop);
        assert!(rate("59.94df").drop);
        assert_eq!(rate("59.94DF").fps, Ratio::new(60000, 1001));
        assert!(!rate("29.97ndf").drop);
        assert_eq!(rate("30000/1001"), rate("29.97"));
        assert_eq!(rate("30000/1001df"), rate("29.97df"));
        for (text, fps) in [("24", 24), ("25", 25), ("30", 30), ("50", 50), ("60", 60)] {
            assert_eq!(rate(text).fps, Ratio::from_integer(fps));
            assert_eq!(rate(text).nominal(), fps);
        }
        assert_eq!(rate("23.976").nominal(), 24);
        assert_eq!(rate("29.97").nominal(), 30);
        assert_eq!(rate("59.94df").nominal(), 60);
        assert_eq!(rate("29.97df").to_string(), "29.97 fps DF");
        assert_eq!(rate("25").to_string(), "25 fps");
    }

    #[test]
    fn bad_rates_are_refused() {
        let e = Rate::parse("25df").unwrap_err().to_string();
        assert!(e.contains("only at 29.97 and 59.94"), "{e}");
        assert!(Rate::parse("30df").is_err());
        assert!(Rate::parse("23.976df").is_err());
        assert!(Rate::parse("12.5")
            .unwrap_err()
            .to_string()
            .contains("NTSC"));
        assert!(Rate::parse("fast").is_err());
        assert!(Rate::parse("").is_err());
        assert!(Rate::parse("0").is_err());
    }

    #[test]
    fn drop_frame_vectors() {
        let df = rate("29.97df");
        assert_eq!(df.to_frames("00:01:00;02"), Ok(1800));
        assert_eq!(df.to_frames("01:00:00;00"), Ok(107892));
        assert_eq!(df.to_frames("00:10:00;00"), Ok(17982));
        assert_eq!(df.to_frames("00:00:59;29"), Ok(1799));
        assert_eq!(rate("59.94df").to_frames("01:00:00;00"), Ok(215784));
        assert_eq!(rate("59.94df").to_frames("00:01:00;04"), Ok(3600));
        assert_eq!(rate("29.97").to_frames("01:00:00:00"), Ok(108000));
        assert_eq!(rate("25").to_frames("01:00:00:00"), Ok(90000));
        assert_eq!(df.from_frames(1800), "00:01:00;02");
        assert_eq!(df.from_frames(107892), "01:00:00;00");
        assert_eq!(rate("59.94df").from_frames(215784), "01:00:00;00");
        assert_eq!(rate("29.97").from_frames(108000), "01:00:00:00");
    }

    #[test]
    fn a_semicolon_means_drop_frame() {
        // `;` at 29.97 counts drop frame even when the rate says non-drop;
        // `.` before the frames does the same.
        let ndf = rate("29.97");
        assert_eq!(ndf.to_frames("01:00:00;00"), Ok(107892));
        assert_eq!(ndf.to_frames("01:00:00.00"), Ok(107892));
        assert_eq!(ndf.to_frames("01;00;00;00"), Ok(107892));
        // And a drop-frame rate counts drop frame with colons too.
        assert_eq!(rate("29.97df").to_frames("01:00:00:00"), Ok(107892));
        let e = rate("25").to_frames("01:00:00;00").unwrap_err().to_string();
        assert!(e.contains("drop frame") && e.contains("25 fps"), "{e}");
        assert!(rate("30").to_frames("00:00:01;00").is_err());
    }

    #[test]
    fn minute_boundaries_step_over_the_dropped_numbers() {
        for (text, d) in [("29.97df", 2), ("59.94df", 4)] {
            let r = rate(text);
            let last = r.nominal() - 1;
            // Into minute 1: the first numbers are skipped.
            let before = r.to_frames(&format!("00:00:59;{last:02}")).unwrap();
            assert_eq!(r.from_frames(before + 1), format!("00:01:00;{d:02}"));
            // Into minute 10: nothing is skipped.
            let before = r.to_frames(&format!("00:09:59;{last:02}")).unwrap();
            assert_eq!(r.from_frames(before + 1), "00:10:00;00");
            // Into minute 11 and into the next hour.
            let before = r.to_frames(&format!("00:10:59;{last:02}")).unwrap();
            assert_eq!(r.from_frames(before + 1), format!("00:11:00;{d:02}"));
            let before = r.to_frames(&format!("00:59:59;{last:02}")).unwrap();
            assert_eq!(r.from_frames(before + 1), "01:00:00;00");
            // The skipped numbers are errors.
            for f in 0..d {
                let e = r
                    .to_frames(&format!("00:01:00;{f:02}"))
                    .unwrap_err()
                    .to_string();
                assert!(e.contains("does not exist"), "{e}");
                assert!(r.to_frames(&format!("00:20:00;{f:02}")).is_ok());
                assert!(r.to_frames(&format!("00:21:01;{f:02}")).is_ok());
            }
            assert!(r.to_frames(&format!("00:01:00;{d:02}")).is_ok());
        }
    }

    #[test]
    fn malformed_timecodes_are_refused() {
        let r = rate("30");
        let e = r.to_frames("00:00:00:30").unwrap_err().to_string();
        assert!(
            e.contains("frame 30 is past the rate (0..29 at 30 fps)"),
            "{e}"
        );
        let e = rate("29.97")
            .to_frames("00:00:00:30")
            .unwrap_err()
            .to_string();
        assert!(e.contains("(0..29 at 29.97 fps)"), "{e}");
        assert!(r
            .to_frames("00:60:00:00")
            .unwrap_err()
            .to_string()
            .contains("minutes"));
        assert!(r
            .to_frames("00:00:60:00")
            .unwrap_err()
            .to_string()
            .contains("seconds"));
        for bad in [
            "",
            "1:2:3",
            "01:00:00:00:00",
            "aa:00:00:00",
            "01:00:00:",
            "001:00:00:00",
            "01.00.00.00",
            "-1:00:00:00",
            "01:00:00:0x",
        ] {
            let e = r.to_frames(bad).unwrap_err().to_string();
            assert!(e.contains("malformed timecode"), "{bad}: {e}");
        }
        assert_eq!(r.to_frames(" 1:2:3:4 "), Ok(((3600 + 120) + 3) * 30 + 4));
    }

    #[test]
    fn frames_and_seconds() {
        assert_eq!(rate("29.97").seconds(30000), Ratio::from_integer(1001));
        assert_eq!(rate("25").seconds(50), Ratio::from_integer(2));
        assert_eq!(rate("23.976").seconds(1), Ratio::new(1001, 24000));
        assert_eq!(rate("25").from_frames(-5), "00:00:00:00");
        assert_eq!(rate("25").from_frames(90000 + 25 * 61 + 3), "01:01:01:03");
        // A drop flag at a rate without drop frame is ignored when formatting.
        let odd = Rate {
            fps: Ratio::from_integer(25),
            drop: true,
        };
        assert_eq!(odd.from_frames(25), "00:00:01:00");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn frames_round_trip(index in 0..RATES.len(), n in 0i64..6_000_000) {
            let r = rate(RATES[index]);
            let day = r.to_frames("24:00:00:00").unwrap();
            let frames = n % day;
            let tc = r.from_frames(frames);
            prop_assert_eq!(tc.contains(';'), r.drop);
            prop_assert_eq!(r.to_frames(&tc), Ok(frames), "{} at {}", tc, RATES[index]);
        }
    }
}
