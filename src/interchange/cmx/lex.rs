//! One line at a time: the shapes of event lines and timecodes, the
//! channel and transition fields, `M2` speeds, and the SMPTE wipe codes
//! as reel transition kinds.

use crate::edl::TransitionKind;
use crate::interchange::timecode::Rate;
use crate::interchange::transition_kind;
use crate::time::Ratio;

/// Lines split on LF (CR LF included), or on CR alone for old Mac files.
pub(super) fn split_lines(text: &str) -> std::str::Split<'_, char> {
    text.split(if text.contains('\n') { '\n' } else { '\r' })
}

pub(super) fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

pub(super) fn is_black(reel: &str) -> bool {
    reel.eq_ignore_ascii_case("BL") || reel.eq_ignore_ascii_case("BLACK")
}

/// Whether `text` has the shape of a timecode (the digits are checked later).
fn looks_like_timecode(text: &str) -> bool {
    let fields: Vec<&str> = text.split([':', ';', '.']).collect();
    fields.len() == 4
        && fields
            .iter()
            .all(|f| (1..=2).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit()))
}

pub(super) fn looks_like_event(line: &str) -> bool {
    let fields: Vec<&str> = line.split_whitespace().collect();
    fields.len() >= 8
        && fields[0].bytes().all(|b| b.is_ascii_digit())
        && fields[fields.len() - 4..]
            .iter()
            .all(|f| looks_like_timecode(f))
}

/// How an event line goes into its picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Transition {
    Cut,
    /// A dissolve (`wipe` None) or an SMPTE wipe `Wnnn`, lasting `frames`.
    Mix {
        wipe: Option<u32>,
        frames: i64,
    },
    /// `K B`: the background of a key; played as a cut.
    KeyBackground,
    /// `K` or `KO`: the keyed foreground, not composited.
    Key,
}

/// One event line, its timecodes as frame counts at the EDL's rate.
#[derive(Debug, Clone)]
pub(super) struct EventLine {
    pub(super) line: usize,
    pub(super) reel: String,
    pub(super) video: bool,
    pub(super) audio: bool,
    pub(super) transition: Transition,
    /// The transition field as written (`W001`, `K`), for messages.
    pub(super) transition_text: String,
    pub(super) src_in: i64,
    pub(super) src_out: i64,
    pub(super) rec_in: i64,
    pub(super) rec_out: i64,
    /// Source frames per record frame, from an `M2` line (1 without).
    pub(super) speed: Ratio,
    /// The `M2` speed as written, in frames per second.
    pub(super) m2: Option<String>,
    /// The rate its timecodes were read at (drop frame per `FCM:`).
    pub(super) tc: Rate,
    /// False once a length check failed: left out of the timeline.
    pub(super) valid: bool,
}

impl EventLine {
    pub(super) fn rec_len(&self) -> i64 {
        self.rec_out - self.rec_in
    }

    pub(super) fn is_from_line_of(&self, next: &EventLine) -> bool {
        matches!(next.transition, Transition::Mix { .. })
            && matches!(self.transition, Transition::Cut | Transition::KeyBackground)
    }
}

pub(super) fn one() -> Ratio {
    Ratio::from_integer(1)
}

pub(super) fn abs(x: Ratio) -> Ratio {
    if x < Ratio::from_integer(0) {
        -x
    } else {
        x
    }
}

/// Source frames a retimed event may be off by: an NLE rounds the source
/// out of an `M2` event to the last frame it uses, up to one step of the
/// speed away from in + length × speed.
pub(super) fn slack(speed: Ratio) -> Ratio {
    abs(speed).max(one())
}

/// SMPTE wipe codes (CMX `Wnnn`) as the nearest libavfilter `xfade`
/// transition. FFmpeg names a wipe by the way its edge travels, so the
/// incoming picture enters from the opposite side:
///
/// | code | SMPTE pattern                          | reel kind    |
/// |------|----------------------------------------|--------------|
/// | 1    | horizontal, left to right              | `wiperight`  |
/// | 2    | vertical, top to bottom                | `wipedown`   |
/// | 3    | from the top-left corner               | `wipebr`     |
/// | 4    | from the top-right corner              | `wipebl`     |
/// | 5    | from the bottom-right corner           | `wipetl`     |
/// | 6    | from the bottom-left corner            | `wipetr`     |
/// | 21   | vertical barn door (opens from centre) | `vertopen`   |
/// | 22   | horizontal barn door                   | `horzopen`   |
/// | 41   | diagonal, top-left to bottom-right     | `diagbr`     |
/// | 42   | diagonal, top-right to bottom-left     | `diagbl`     |
/// | 101  | box from the centre                    | `rectcrop`   |
/// | 102  | iris (diamond) from the centre         | `circleopen` |
///
/// Other codes (four corners 7, four boxes 8, edge-centre boxes 23 to 26,
/// clock and matrix wipes ...) have no counterpart and are rendered as a
/// crossfade, with a note.
pub fn wipe_kind(code: u32) -> Option<TransitionKind> {
    Some(TransitionKind::Xfade(match code {
        1 => "wiperight",
        2 => "wipedown",
        3 => "wipebr",
        4 => "wipebl",
        5 => "wipetl",
        6 => "wipetr",
        21 => "vertopen",
        22 => "horzopen",
        41 => "diagbr",
        42 => "diagbl",
        101 => "rectcrop",
        102 => "circleopen",
        _ => return None,
    }))
}

/// The transition kind `name` is when reel's EDL takes it without further
/// settings: `crossfade` or one of `xfade`'s.
pub(super) fn reel_kind(name: &str) -> Option<TransitionKind> {
    transition_kind(name)
        .filter(|k| matches!(k, TransitionKind::Crossfade | TransitionKind::Xfade(_)))
}

/// Comments some tools write without the leading `*`.
pub(super) fn is_bare_comment(text: &str) -> bool {
    [
        "FROM CLIP NAME:",
        "TO CLIP NAME:",
        "SOURCE FILE:",
        "FROM FILE:",
        "FROM CLIP:",
        "TO FILE:",
        "TO CLIP:",
        "EFFECTS NAME IS",
        "LOC:",
        "ASC_SOP",
        "ASC_SAT",
        "COMMENT:",
    ]
    .iter()
    .any(|p| strip_prefix_ci(text, p).is_some())
}

/// The channel field: (video, audio). `B` is both; `A`, `A2`, `AA` ...
/// audio; `A/V`, `AA/V`, `A2/V` audio and video.
pub(super) fn channels(text: &str) -> Option<(bool, bool)> {
    let (mut video, mut audio) = (false, false);
    for part in text.to_ascii_uppercase().split('/') {
        match part {
            "V" => video = true,
            "B" => (video, audio) = (true, true),
            "AA" => audio = true,
            _ if part.starts_with('A') && part[1..].bytes().all(|b| b.is_ascii_digit()) => {
                audio = true
            }
            _ => return None,
        }
    }
    Some((video, audio))
}

/// Why the transition fields of an event line are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum TransitionError {
    /// A dissolve or wipe (`what`) without its length.
    #[error("the {what} \"{fields}\" has no length in frames")]
    NoLength { what: &'static str, fields: String },
    #[error("the {what} \"{fields}\" needs one length in frames")]
    OneLength { what: &'static str, fields: String },
    #[error("wipe code \"{code}\" is too large")]
    WipeCode { code: String },
    #[error("unknown transition \"{fields}\" (expected C, D, Wnnn or K)")]
    Unknown { fields: String },
}

/// The transition fields: `C`, `D 030`, `W001 030`, `K B`, `KB`, `K`,
/// `KO`, `K O` (a key's length, if any, is not needed).
pub(super) fn transition(fields: &[&str]) -> Result<Transition, TransitionError> {
    let code = fields[0].to_ascii_uppercase();
    let rest = &fields[1..];
    let length = |what: &'static str| -> Result<i64, TransitionError> {
        match rest {
            [n] if n.bytes().all(|b| b.is_ascii_digit()) && n.len() <= 6 => {
                Ok(n.parse().expect("digits"))
            }
            [] => Err(TransitionError::NoLength {
                what,
                fields: fields.join(" "),
            }),
            _ => Err(TransitionError::OneLength {
                what,
                fields: fields.join(" "),
            }),
        }
    };
    let first = rest.first().map(|f| f.to_ascii_uppercase());
    match code.as_str() {
        "C" if rest.len() <= 1 => Ok(Transition::Cut),
        "D" => Ok(Transition::Mix {
            wipe: None,
            frames: length("dissolve")?,
        }),
        "KB" => Ok(Transition::KeyBackground),
        "K" if first.as_deref() == Some("B") => Ok(Transition::KeyBackground),
        "K" | "KO" => Ok(Transition::Key),
        _ if code.len() > 1
            && code.starts_with('W')
            && code[1..].bytes().all(|b| b.is_ascii_digit()) =>
        {
            Ok(Transition::Mix {
                wipe: Some(
                    code[1..]
                        .parse()
                        .map_err(|_| TransitionError::WipeCode { code: code.clone() })?,
                ),
                frames: length("wipe")?,
            })
        }
        _ => Err(TransitionError::Unknown {
            fields: fields.join(" "),
        }),
    }
}

pub(super) fn mix_name(wipe: Option<u32>) -> String {
    match wipe {
        None => "dissolve".into(),
        Some(code) => format!("wipe W{code:03}"),
    }
}

/// The speed of an `M2` value (frames per second of source): value / fps.
/// At NTSC rates the one decimal an EDL gives cannot state N×1000/1001
/// (2× at 29.97 is written 059.9 or 060.0), so the speed is rounded to
/// hundredths there.
pub(super) fn m2_speed(value: Ratio, rate: Rate) -> Ratio {
    let speed = value / rate.fps;
    if rate.fps.is_integer() {
        speed
    } else {
        (speed * 100).round() / 100
    }
}
