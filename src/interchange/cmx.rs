//! CMX3600 EDLs, as Avid, Premiere, Resolve and Final Cut Pro 7 write them.
//!
//! An EDL is a list of events, one line each:
//!
//! ```text
//! 001  A003C012 V     C        01:00:10:00 01:00:12:00 01:00:00:00 01:00:02:00
//! ```
//!
//! event number, reel, channels, transition (with its length in frames for
//! a dissolve, wipe or key), then source in, source out, record in and
//! record out. Comment lines (`* FROM CLIP NAME: ...`) and `M2` speed lines
//! belong to the event above them. A dissolve or wipe takes two lines with
//! the same event number: the outgoing picture, usually with no length, and
//! the incoming one with `D 030` or `W001 030`.
//!
//! Record time becomes reel's timeline: it starts at the first picture
//! event's record in, gaps are black, and a dissolve lengthens the outgoing
//! event by its length (its source runs on under the dissolve). Source
//! timecodes are kept as the file states them, in the media's own
//! timecode; `crate::import` subtracts each file's start timecode. An `M2`
//! line retimes its event (negative backwards, zero a held frame); a
//! backwards event's source in is the earliest source frame it plays,
//! whichever order the file gives its source in and out.
//!
//! What reel cannot show (markers, colour decisions, keys, effects, audio
//! transitions, split edits) becomes a [`Note`]; nothing is dropped
//! silently.

use super::timecode::Rate;
use super::{Event, ImportError, Media, MediaRef, Note, SoundEvent, Timeline};
use crate::time::{self, Ratio};

/// Checks that `text` looks like a CMX3600 EDL: a `TITLE:` line or at least
/// one event line. Otherwise says what the file seems to be instead.
pub fn sniff(text: &str) -> Result<(), String> {
    let body = text.trim_start_matches('\u{feff}');
    if body.trim().is_empty() {
        return Err("the file is empty".into());
    }
    let odd = body
        .chars()
        .filter(|&c| c == '\u{fffd}' || (c.is_control() && !c.is_whitespace()))
        .count();
    if body.contains('\0') || odd * 100 > body.chars().count() {
        return Err("this looks like a binary file, not a CMX3600 EDL".into());
    }
    let head = body.trim_start();
    if head.starts_with('<') {
        return Err(if head.contains("<fcpxml") {
            "this is an FCPXML file, not a CMX3600 EDL".into()
        } else if head.contains("<xmeml") {
            "this is a Final Cut Pro 7 XML file, not a CMX3600 EDL".into()
        } else {
            "this looks like XML (FCPXML?), not a CMX3600 EDL".into()
        });
    }
    if head.starts_with('{') || head.starts_with('[') {
        return Err(if head.contains("OTIO_SCHEMA") {
            "this is an OpenTimelineIO (.otio) file, not a CMX3600 EDL".into()
        } else {
            "this looks like JSON (OpenTimelineIO?), not a CMX3600 EDL".into()
        });
    }
    let lines: Vec<&str> = split_lines(body)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines
        .iter()
        .any(|l| strip_prefix_ci(l, "TITLE:").is_some() || looks_like_event(l))
    {
        return Ok(());
    }
    let seconds_only = lines.iter().all(|l| {
        let fields: Vec<&str> = l.split_whitespace().collect();
        (2..=3).contains(&fields.len()) && fields.iter().all(|f| time::parse_decimal(f).is_some())
    });
    if seconds_only {
        return Err(
            "this looks like an MPlayer/comskip EDL (lines of seconds), not a CMX3600 EDL".into(),
        );
    }
    let first: String = lines[0].chars().take(60).collect();
    Err(format!(
        "this does not look like a CMX3600 EDL: there is no TITLE: line and no event line \
         (event number, reel, channels, transition, four timecodes); the first line reads \
         \"{first}\""
    ))
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
pub fn wipe_kind(code: u32) -> Option<&'static str> {
    Some(match code {
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
    })
}

/// Reads a CMX3600 EDL whose timecodes run at `rate`. `FCM:` lines switch
/// drop frame on and off for the lines after them (over `rate.drop`).
/// Every problem is reported, each at its line and event; what reel
/// approximates or leaves out is in [`Timeline::notes`].
pub fn parse(text: &str, rate: Rate) -> Result<Timeline, Vec<ImportError>> {
    let mut reader = Reader {
        rate,
        drop: rate.drop,
        name: None,
        groups: Vec::new(),
        notes: Vec::new(),
        errors: Vec::new(),
    };
    for (i, line) in split_lines(text.trim_start_matches('\u{feff}')).enumerate() {
        reader.read_line(i + 1, line.trim());
    }
    reader.check_lengths();
    let timeline = reader.build();
    if reader.errors.is_empty() {
        Ok(timeline)
    } else {
        Err(reader.errors)
    }
}

/// Lines split on LF (CR LF included), or on CR alone for old Mac files.
fn split_lines(text: &str) -> std::str::Split<'_, char> {
    text.split(if text.contains('\n') { '\n' } else { '\r' })
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

fn is_black(reel: &str) -> bool {
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

fn looks_like_event(line: &str) -> bool {
    let fields: Vec<&str> = line.split_whitespace().collect();
    fields.len() >= 8
        && fields[0].bytes().all(|b| b.is_ascii_digit())
        && fields[fields.len() - 4..]
            .iter()
            .all(|f| looks_like_timecode(f))
}

/// How an event line goes into its picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transition {
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
struct EventLine {
    line: usize,
    reel: String,
    video: bool,
    audio: bool,
    transition: Transition,
    /// The transition field as written (`W001`, `K`), for messages.
    transition_text: String,
    src_in: i64,
    src_out: i64,
    rec_in: i64,
    rec_out: i64,
    /// Source frames per record frame, from an `M2` line (1 without).
    speed: Ratio,
    /// The `M2` speed as written, in frames per second.
    m2: Option<String>,
    /// The rate its timecodes were read at (drop frame per `FCM:`).
    tc: Rate,
    /// False once a length check failed: left out of the timeline.
    valid: bool,
}

impl EventLine {
    fn rec_len(&self) -> i64 {
        self.rec_out - self.rec_in
    }

    fn is_from_line_of(&self, next: &EventLine) -> bool {
        matches!(next.transition, Transition::Mix { .. })
            && matches!(self.transition, Transition::Cut | Transition::KeyBackground)
    }
}

/// The lines of one event number and the comments under them.
#[derive(Debug, Default)]
struct Group {
    /// The event number as written (`003`).
    number: String,
    lines: Vec<EventLine>,
    from_clip: Option<String>,
    to_clip: Option<String>,
    from_path: Option<String>,
    to_path: Option<String>,
    /// `EFFECTS NAME IS ...` and its line.
    effect: Option<(usize, String)>,
    /// `* EFFECT NAME: wipeleft`: the reel transition kind of the event's
    /// dissolve, as reel writes it for kinds without a SMPTE wipe code.
    kind: Option<String>,
}

impl Group {
    fn origin(&self) -> String {
        format!("event {}", self.number)
    }

    /// The media of one of its lines; `incoming` for the second line of a
    /// dissolve or wipe, which the `TO` comments name.
    fn media(&self, l: &EventLine, incoming: bool) -> Media {
        if is_black(&l.reel) {
            return Media::Black;
        }
        let (clip_name, path) = if incoming {
            (&self.to_clip, &self.to_path)
        } else {
            (&self.from_clip, &self.from_path)
        };
        // Avid marks the clip name of a freeze frame with " FF".
        let clip_name = match clip_name.as_deref() {
            Some(name) if l.speed == Ratio::from_integer(0) => Some(
                name.strip_suffix(" FF")
                    .unwrap_or(name)
                    .trim_end()
                    .to_string(),
            ),
            _ => clip_name.clone(),
        };
        Media::File(MediaRef {
            reel: Some(l.reel.clone()),
            clip_name,
            path: path.clone(),
        })
    }

    fn event(&self, l: &EventLine, incoming: bool) -> Event {
        let media = self.media(l, incoming);
        let black = media == Media::Black;
        Event {
            origin: format!(
                "event {}, reel {}, record {}",
                self.number,
                l.reel,
                l.tc.from_frames(l.rec_in)
            ),
            line: l.line,
            media,
            source_in: if black {
                Ratio::from_integer(0)
            } else {
                l.tc.seconds(l.src_in.min(l.src_out))
            },
            duration: l.tc.seconds(l.rec_len()),
            speed: if black {
                Ratio::from_integer(1)
            } else {
                l.speed
            },
            transition: None,
            audio: l.audio,
        }
    }
}

/// What the last picture event shows at its end, to tell whether a
/// dissolve's outgoing line continues it.
#[derive(Debug, Clone)]
struct Tail {
    /// None for black.
    reel: Option<String>,
    src_out: i64,
    speed: Ratio,
}

impl Tail {
    fn continued_by(&self, l: &EventLine) -> bool {
        match &self.reel {
            None => is_black(&l.reel),
            Some(reel) if reel.eq_ignore_ascii_case(&l.reel) => {
                let off = (l.src_in - self.src_out).abs();
                if self.speed == one() {
                    off == 0
                } else {
                    Ratio::from_integer(off) <= slack(self.speed)
                }
            }
            Some(_) => false,
        }
    }
}

fn one() -> Ratio {
    Ratio::from_integer(1)
}

fn abs(x: Ratio) -> Ratio {
    if x < Ratio::from_integer(0) {
        -x
    } else {
        x
    }
}

/// Source frames a retimed event may be off by: an NLE rounds the source
/// out of an `M2` event to the last frame it uses, up to one step of the
/// speed away from in + length × speed.
fn slack(speed: Ratio) -> Ratio {
    abs(speed).max(one())
}

/// The picture track as it is laid out, in record frames.
#[derive(Default)]
struct Track {
    /// Record frame of the timeline's start (the first picture event).
    start: Option<i64>,
    /// Record frame where the last event ends.
    pos: i64,
    events: Vec<Event>,
    tail: Option<Tail>,
    /// The record span of every picture event as written, to find the
    /// audio-only lines that carry the same clip's sound.
    spans: Vec<Span>,
}

struct Span {
    event: usize,
    rec: (i64, i64),
    reel: String,
    src_in: i64,
    clip_name: Option<String>,
}

impl Track {
    /// Whether the last event ends at record frame `at`.
    fn ends_at(&self, at: i64) -> bool {
        !self.events.is_empty() && self.pos == at
    }
}

struct Reader {
    rate: Rate,
    /// Drop frame for the lines to come, as the last `FCM:` line set it.
    drop: bool,
    name: Option<String>,
    groups: Vec<Group>,
    notes: Vec<Note>,
    errors: Vec<ImportError>,
}

impl Reader {
    fn error(&mut self, line: usize, origin: impl Into<String>, message: impl Into<String>) {
        self.errors.push(ImportError::new(line, origin, message));
    }

    fn note(&mut self, line: usize, origin: impl Into<String>, message: impl Into<String>) {
        self.notes.push(Note {
            line,
            origin: origin.into(),
            message: message.into(),
        });
    }

    /// The origin of the event being read (`event 003`), or "".
    fn current_origin(&self) -> String {
        self.groups.last().map(Group::origin).unwrap_or_default()
    }

    fn read_line(&mut self, line: usize, text: &str) {
        if text.is_empty() {
            return;
        }
        if let Some(rest) = strip_prefix_ci(text, "TITLE:") {
            let title = rest.trim();
            match &self.name {
                Some(first) if first != title => self.note(
                    line,
                    "",
                    format!(
                        "a second TITLE (\"{title}\") is ignored: the file is read as one \
                         timeline, \"{first}\""
                    ),
                ),
                Some(_) => {}
                None => self.name = (!title.is_empty()).then(|| title.to_string()),
            }
        } else if let Some(rest) = strip_prefix_ci(text, "FCM:") {
            self.read_fcm(line, rest.trim());
        } else if let Some(rest) = text.strip_prefix('*') {
            self.read_comment(line, rest.trim());
        } else if text.starts_with(|c: char| c.is_ascii_digit()) {
            self.read_event(line, text);
        } else if text.split_whitespace().next() == Some("M2") {
            self.read_m2(line, text);
        } else if text.split_whitespace().next() == Some("AUD") {
            // Further audio channels (3, 4) of the event above.
            if let Some(l) = self.groups.last_mut().and_then(|g| g.lines.last_mut()) {
                l.audio = true;
            }
        } else if text.split_whitespace().next() == Some("REM") {
            // A remark.
        } else if strip_prefix_ci(text, "SPLIT:").is_some() {
            self.note(
                line,
                "",
                format!(
                    "split edit not applied (\"{text}\"): the next event's sound cuts with its \
                     picture"
                ),
            );
        } else if is_bare_comment(text) {
            // Some tools leave the `*` off their comments.
            self.read_comment(line, text);
        } else {
            self.note(
                line,
                "",
                format!("line not understood, ignored: \"{text}\""),
            );
        }
    }

    fn read_fcm(&mut self, line: usize, mode: &str) {
        let upper = mode.to_ascii_uppercase();
        if upper.starts_with("NON") {
            self.drop = false;
        } else if upper.starts_with("DROP") {
            if self.rate.can_drop() {
                self.drop = true;
            } else {
                self.error(
                    line,
                    "",
                    format!(
                        "FCM: DROP FRAME, but the EDL is read at {} fps, which has no drop-frame \
                         timecode (only 29.97 and 59.94 do)",
                        time::fmt_rate(self.rate.fps)
                    ),
                );
            }
        } else {
            self.error(
                line,
                "",
                format!("unknown FCM \"{mode}\" (expected DROP FRAME or NON-DROP FRAME)"),
            );
        }
    }

    fn read_comment(&mut self, line: usize, body: &str) {
        let origin = self.current_origin();
        let value = |prefix: &str| strip_prefix_ci(body, prefix).map(|v| v.trim().to_string());
        let set = |slot: &mut Option<String>, v: String| {
            if slot.is_none() && !v.is_empty() {
                *slot = Some(v);
            }
        };
        if let Some(v) = value("LOC:") {
            self.note(line, origin, format!("dropped: marker {v}"));
        } else if strip_prefix_ci(body, "ASC_SOP").is_some()
            || strip_prefix_ci(body, "ASC_SAT").is_some()
        {
            self.note(line, origin, format!("dropped: colour decision {body}"));
        } else if let Some(group) = self.groups.last_mut() {
            if let Some(v) = value("FROM CLIP NAME:") {
                set(&mut group.from_clip, v);
            } else if let Some(v) = value("TO CLIP NAME:") {
                set(&mut group.to_clip, v);
            } else if let Some(v) = value("SOURCE FILE:")
                .or_else(|| value("FROM FILE:"))
                .or_else(|| value("FROM CLIP:"))
                .or_else(|| value("OTIO REFERENCE FROM:"))
            {
                set(&mut group.from_path, v);
            } else if let Some(v) = value("TO FILE:").or_else(|| value("TO CLIP:")) {
                set(&mut group.to_path, v);
            } else if let Some(v) = value("EFFECTS NAME IS") {
                group.effect = Some((line, v));
            } else if let Some(v) = value("EFFECT NAME:").filter(|v| is_reel_kind(v)) {
                group.kind = Some(v);
            } else if body.to_ascii_uppercase().contains("EFFECT") {
                self.note(line, origin, format!("dropped: effect \"{body}\""));
            }
        }
    }

    fn read_event(&mut self, line: usize, text: &str) {
        let fields: Vec<&str> = text.split_whitespace().collect();
        let number = fields[0];
        if !number.bytes().all(|b| b.is_ascii_digit()) {
            self.error(
                line,
                "",
                format!("an event line must start with the event number, not \"{number}\""),
            );
            return;
        }
        let same = self
            .groups
            .last()
            .is_some_and(|g| g.number.trim_start_matches('0') == number.trim_start_matches('0'));
        if !same {
            self.groups.push(Group {
                number: number.to_string(),
                ..Group::default()
            });
        }
        let origin = format!("event {number}");
        match self.event_line(line, &fields) {
            Ok(l) => self.groups.last_mut().expect("pushed").lines.push(l),
            Err(messages) => {
                for m in messages {
                    self.error(line, origin.clone(), m);
                }
            }
        }
    }

    /// Reads the fields of an event line; every problem found is returned.
    fn event_line(&self, line: usize, fields: &[&str]) -> Result<EventLine, Vec<String>> {
        if fields.len() < 8 {
            return Err(vec![format!(
                "an event line needs an event number, reel, channels, transition and four \
                 timecodes (source in, source out, record in, record out); this one has only {} \
                 fields",
                fields.len()
            )]);
        }
        let (head, tcs) = fields.split_at(fields.len() - 4);
        if head.len() < 4 {
            return Err(vec![format!(
                "an event line needs an event number, reel, channels and transition before its \
                 four timecodes; this one has {} fields there",
                head.len()
            )]);
        }
        let mut problems = Vec::new();
        let reel = head[1];
        let (video, audio) = channels(head[2]).unwrap_or_else(|| {
            problems.push(format!(
                "unknown channel field \"{}\" (expected V, A, A2, AA, B, A/V, AA/V ...)",
                head[2]
            ));
            (false, false)
        });
        let transition = transition(&head[3..]).unwrap_or_else(|e| {
            problems.push(e);
            Transition::Cut
        });
        let tc = Rate {
            drop: self.drop,
            ..self.rate
        };
        let names = ["source in", "source out", "record in", "record out"];
        let mut frames = [0i64; 4];
        for ((slot, text), name) in frames.iter_mut().zip(tcs).zip(names) {
            match tc.to_frames(text) {
                Ok(f) => *slot = f,
                Err(e) => problems.push(format!("{name}: {e}")),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let [src_in, src_out, rec_in, rec_out] = frames;
        Ok(EventLine {
            line,
            reel: reel.to_string(),
            video,
            audio,
            transition,
            transition_text: head[3..].join(" "),
            src_in,
            src_out,
            rec_in,
            rec_out,
            speed: one(),
            m2: None,
            tc,
            valid: true,
        })
    }

    /// `M2   reel   speed   timecode`: the speed of the event line with
    /// that reel, in frames per second (negative plays backwards, 0 holds).
    fn read_m2(&mut self, line: usize, text: &str) {
        let fields: Vec<&str> = text.split_whitespace().collect();
        let origin = self.current_origin();
        if fields.len() < 3 {
            self.error(
                line,
                origin,
                format!("an M2 line needs a reel, a speed and a timecode: \"{text}\""),
            );
            return;
        }
        let (speed_text, tc_text) = (fields[fields.len() - 2], fields[fields.len() - 1]);
        let reel = fields[1..fields.len() - 2].join(" ");
        let Some(value) = time::parse_decimal(speed_text) else {
            self.error(
                line,
                origin,
                format!("M2 speed \"{speed_text}\" is not a number of frames per second"),
            );
            return;
        };
        if let Err(e) = (Rate {
            drop: self.drop,
            ..self.rate
        })
        .to_frames(tc_text)
        {
            self.error(line, origin.clone(), format!("M2 timecode: {e}"));
        }
        let speed = m2_speed(value, self.rate);
        let Some(group) = self.groups.last_mut() else {
            self.error(line, "", "an M2 line before any event");
            return;
        };
        let Some(index) = group
            .lines
            .iter()
            .rposition(|l| l.reel.eq_ignore_ascii_case(&reel))
            .or(group.lines.len().checked_sub(1))
        else {
            // The event line itself was refused; its error stands.
            return;
        };
        let l = &mut group.lines[index];
        l.speed = speed;
        l.m2 = Some(speed_text.to_string());
    }

    /// Record and source lengths must agree, at the event's speed.
    fn check_lengths(&mut self) {
        let mut problems = Vec::new();
        for (g, group) in self.groups.iter().enumerate() {
            for (i, l) in group.lines.iter().enumerate() {
                let fmt = |f: i64| l.tc.from_frames(f);
                let message = if l.rec_out < l.rec_in {
                    Some(format!(
                        "record out {} is before record in {}",
                        fmt(l.rec_out),
                        fmt(l.rec_in)
                    ))
                } else if is_black(&l.reel) {
                    None
                } else if l.src_out < l.src_in && l.speed >= Ratio::from_integer(0) {
                    Some(format!(
                        "source out {} is before source in {}",
                        fmt(l.src_out),
                        fmt(l.src_in)
                    ))
                } else {
                    length_mismatch(l)
                };
                if let Some(m) = message {
                    problems.push((g, i, m));
                }
            }
        }
        for (g, i, message) in problems {
            let origin = self.groups[g].origin();
            let l = &mut self.groups[g].lines[i];
            l.valid = false;
            let line = l.line;
            self.error(line, origin, message);
        }
    }

    fn build(&mut self) -> Timeline {
        let mut order: Vec<usize> = (0..self.groups.len())
            .filter(|&g| self.groups[g].lines.iter().any(|l| l.valid && l.video))
            .collect();
        // Events go by record time; a stable sort keeps the file's order
        // for equal starts.
        order.sort_by_key(|&g| {
            self.groups[g]
                .lines
                .iter()
                .find(|l| l.valid && l.video)
                .map_or(0, |l| l.rec_in)
        });
        let mut track = Track::default();
        for &g in &order {
            self.place_group(g, &mut track);
        }
        let sounds = self.sounds(&mut track);
        for g in 0..self.groups.len() {
            self.note_effect(g);
        }
        self.notes.sort_by_key(|n| n.line);
        Timeline {
            name: self.name.clone(),
            fps: Some(self.rate.fps),
            size: None,
            events: track.events,
            sounds,
            titles: Vec::new(),
            notes: std::mem::take(&mut self.notes),
        }
    }

    /// Lays out the picture lines of one event.
    fn place_group(&mut self, g: usize, track: &mut Track) {
        let lines: Vec<EventLine> = self.groups[g]
            .lines
            .iter()
            .filter(|l| l.valid && l.video)
            .cloned()
            .collect();
        for (i, l) in lines.iter().enumerate() {
            match l.transition {
                Transition::Cut | Transition::KeyBackground => {
                    // A line without length shows nothing; as the first line
                    // of a dissolve it names the outgoing picture, and the
                    // dissolve line uses it.
                    if l.rec_len() > 0 {
                        let event = self.groups[g].event(l, false);
                        self.place(g, track, event, l);
                    }
                }
                Transition::Key => {
                    let origin = self.groups[g].origin();
                    self.note(
                        l.line,
                        origin,
                        format!(
                            "dropped: key ({}) of reel {} from record {} to {}: the keyed \
                             picture is not composited",
                            l.transition_text,
                            l.reel,
                            l.tc.from_frames(l.rec_in),
                            l.tc.from_frames(l.rec_out)
                        ),
                    );
                }
                Transition::Mix { wipe, frames } => {
                    let from = i
                        .checked_sub(1)
                        .map(|p| &lines[p])
                        .filter(|f| f.is_from_line_of(l));
                    self.mix(g, track, from, l, wipe, frames);
                }
            }
        }
    }

    /// Adds `event` (from line `l`) at the end of the track, after black
    /// for a gap in record time; an overlap is an error.
    fn place(&mut self, g: usize, track: &mut Track, event: Event, l: &EventLine) -> bool {
        match track.start {
            None => {
                track.start = Some(l.rec_in);
                track.pos = l.rec_in;
            }
            Some(_) if l.rec_in > track.pos => {
                track.events.push(Event {
                    origin: format!("black gap before event {}", self.groups[g].number),
                    line: l.line,
                    media: Media::Black,
                    source_in: Ratio::from_integer(0),
                    duration: l.tc.seconds(l.rec_in - track.pos),
                    speed: one(),
                    transition: None,
                    audio: false,
                });
                track.tail = Some(Tail {
                    reel: None,
                    src_out: 0,
                    speed: one(),
                });
            }
            Some(_) if l.rec_in < track.pos => {
                let origin = self.groups[g].origin();
                self.error(
                    l.line,
                    origin,
                    format!(
                        "record in {} is before the end of the picture before it ({}): picture \
                         events may overlap only in a dissolve or wipe",
                        l.tc.from_frames(l.rec_in),
                        l.tc.from_frames(track.pos)
                    ),
                );
                return false;
            }
            Some(_) => {}
        }
        let clip_name = match &event.media {
            Media::File(m) => m.clip_name.clone(),
            Media::Black => None,
        };
        track.tail = Some(Tail {
            reel: (event.media != Media::Black).then(|| l.reel.clone()),
            src_out: l.src_out,
            speed: l.speed,
        });
        track.spans.push(Span {
            event: track.events.len(),
            rec: (l.rec_in, l.rec_out),
            reel: l.reel.clone(),
            src_in: l.src_in,
            clip_name,
        });
        track.events.push(event);
        track.pos = l.rec_out;
        true
    }

    /// A dissolve or wipe into line `l`, from line `from` (the first line
    /// of the pair) or from the picture before.
    fn mix(
        &mut self,
        g: usize,
        track: &mut Track,
        from: Option<&EventLine>,
        l: &EventLine,
        wipe: Option<u32>,
        frames: i64,
    ) {
        let origin = self.groups[g].origin();
        let kind = match (&self.groups[g].kind, wipe) {
            (Some(kind), _) => kind.clone(),
            (None, None) => "crossfade".to_string(),
            (None, Some(code)) => match wipe_kind(code) {
                Some(kind) => kind.to_string(),
                None => {
                    self.note(
                        l.line,
                        origin.clone(),
                        format!(
                            "wipe code W{code:03} is not one reel knows: rendered as a crossfade"
                        ),
                    );
                    "crossfade".to_string()
                }
            },
        };
        if let Some(f) = from {
            if f.rec_out != l.rec_in {
                self.error(
                    l.line,
                    origin,
                    format!(
                        "the {} starts at record {}, but its outgoing line ends at {}",
                        mix_name(wipe),
                        l.tc.from_frames(l.rec_in),
                        f.tc.from_frames(f.rec_out)
                    ),
                );
                return;
            }
        }
        // Which picture the transition leaves from: the event before when
        // the outgoing line continues it (or has a length of its own and was
        // placed just now), else the outgoing line's own picture (or black)
        // for the transition's length.
        let continues = track.ends_at(l.rec_in)
            && match from {
                Some(f) if f.rec_len() > 0 => true,
                Some(f) => track.tail.as_ref().is_some_and(|t| t.continued_by(f)),
                None => true,
            };
        if !continues {
            let outgoing = match from {
                // The outgoing line's picture, for no record time of its own.
                Some(f) => f.clone(),
                // Black: the gap before the transition, if any.
                None => EventLine {
                    reel: "BL".into(),
                    src_in: 0,
                    src_out: 0,
                    rec_in: match track.start {
                        Some(_) if track.pos < l.rec_in => track.pos,
                        _ => l.rec_in,
                    },
                    rec_out: l.rec_in,
                    speed: one(),
                    audio: false,
                    ..l.clone()
                },
            };
            let event = self.groups[g].event(&outgoing, false);
            if !self.place(g, track, event, &outgoing) {
                return;
            }
        }
        let length = l.tc.seconds(frames);
        let last = track.events.last_mut().expect("placed");
        if let Some((_, other)) = &last.transition {
            let message = format!(
                "{} out of {} is already in a transition ({} s): one event cannot leave by two",
                mix_name(wipe),
                last.origin,
                time::secs_f64(*other)
            );
            self.error(l.line, origin, message);
            return;
        }
        if frames > l.rec_len() {
            self.error(
                l.line,
                origin,
                format!(
                    "the {} lasts {frames} frames, longer than the incoming event ({} frames)",
                    mix_name(wipe),
                    l.rec_len()
                ),
            );
            return;
        }
        last.duration += length;
        // `source_in` is the earliest frame played: a backwards event that
        // runs on under the dissolve reaches further back in its source.
        if last.speed < Ratio::from_integer(0) {
            last.source_in += length * last.speed;
        }
        last.transition = Some((kind, length));
        let event = self.groups[g].event(l, true);
        self.place(g, track, event, l);
    }

    /// Audio-only lines: the sound of a picture event on the same span, or
    /// a sound of their own.
    fn sounds(&mut self, track: &mut Track) -> Vec<SoundEvent> {
        let audio: Vec<(usize, EventLine)> = self
            .groups
            .iter()
            .enumerate()
            .flat_map(|(g, group)| {
                group
                    .lines
                    .iter()
                    .filter(|l| l.valid && l.audio && !l.video)
                    .map(move |l| (g, l.clone()))
            })
            .collect();
        let start = track
            .start
            .or_else(|| audio.iter().map(|(_, l)| l.rec_in).min())
            .unwrap_or(0);
        let mut sounds = Vec::new();
        for (g, l) in audio {
            let group = &self.groups[g];
            let origin = group.origin();
            let number = group.number.clone();
            let incoming = matches!(l.transition, Transition::Mix { .. });
            let media = group.media(&l, incoming);
            let effect = group
                .effect
                .as_ref()
                .map(|(_, e)| format!(" (\"{e}\")"))
                .unwrap_or_default();
            if let Transition::Mix { wipe, frames } = l.transition {
                self.note(
                    l.line,
                    origin.clone(),
                    format!(
                        "audio {} of {frames} frames{effect} not rendered: the sounds cut",
                        mix_name(wipe)
                    ),
                );
            }
            if l.rec_len() == 0 || is_black(&l.reel) {
                // Nothing to hear.
                continue;
            }
            let Media::File(media) = media else {
                continue;
            };
            let same = track.spans.iter().find(|s| {
                s.rec == (l.rec_in, l.rec_out)
                    && s.reel.eq_ignore_ascii_case(&l.reel)
                    && s.src_in == l.src_in
                    && (s.clip_name.is_none()
                        || media.clip_name.is_none()
                        || s.clip_name == media.clip_name)
            });
            if let Some(s) = same {
                track.events[s.event].audio = true;
                continue;
            }
            if l.speed != one() {
                self.note(
                    l.line,
                    origin,
                    format!(
                        "dropped: the sound of reel {} at M2 speed {} on a span of its own \
                         (reel plays separate sounds at their own speed only)",
                        l.reel,
                        l.m2.as_deref().unwrap_or("?")
                    ),
                );
                continue;
            }
            let (mut src_in, mut rec_in) = (l.src_in, l.rec_in);
            if rec_in < start {
                if l.rec_out <= start {
                    self.note(
                        l.line,
                        origin,
                        format!(
                            "dropped: the sound of reel {} ends before the first picture event",
                            l.reel
                        ),
                    );
                    continue;
                }
                self.note(
                    l.line,
                    origin.clone(),
                    format!(
                        "the sound of reel {} starts {} frames before the first picture event: \
                         its start is cut",
                        l.reel,
                        start - rec_in
                    ),
                );
                src_in += start - rec_in;
                rec_in = start;
            }
            sounds.push(SoundEvent {
                origin: format!(
                    "event {number}, reel {}, record {}",
                    l.reel,
                    l.tc.from_frames(l.rec_in)
                ),
                line: l.line,
                media,
                source_in: l.tc.seconds(src_in),
                at: l.tc.seconds(rec_in - start),
                duration: l.tc.seconds(l.rec_out - rec_in),
            });
        }
        sounds.sort_by_key(|s| s.at);
        sounds
    }

    /// `EFFECTS NAME IS ...`: what became of the effect.
    fn note_effect(&mut self, g: usize) {
        let group = &self.groups[g];
        let Some((line, name)) = group.effect.clone() else {
            return;
        };
        let picture = group
            .lines
            .iter()
            .find(|l| l.video && matches!(l.transition, Transition::Mix { .. }));
        let message = match picture.map(|l| l.transition) {
            Some(Transition::Mix { wipe, .. }) => format!(
                "effect \"{name}\" rendered as a {}",
                match (&group.kind, wipe) {
                    (Some(kind), _) => kind.as_str(),
                    (None, None) => "crossfade",
                    (None, Some(code)) => wipe_kind(code).unwrap_or("crossfade"),
                }
            ),
            _ if group
                .lines
                .iter()
                .any(|l| !l.video && matches!(l.transition, Transition::Mix { .. })) =>
            {
                // Reported with the audio transition.
                return;
            }
            _ => format!("dropped: effect \"{name}\""),
        };
        let origin = group.origin();
        self.note(line, origin, message);
    }
}

/// Whether `name` is a transition kind reel's EDL takes without further
/// settings: `crossfade` or one of `xfade`'s.
fn is_reel_kind(name: &str) -> bool {
    name == "crossfade" || crate::edl::XFADE.contains(&name)
}

/// Comments some tools write without the leading `*`.
fn is_bare_comment(text: &str) -> bool {
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
fn channels(text: &str) -> Option<(bool, bool)> {
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

/// The transition fields: `C`, `D 030`, `W001 030`, `K B`, `KB`, `K`,
/// `KO`, `K O` (a key's length, if any, is not needed).
fn transition(fields: &[&str]) -> Result<Transition, String> {
    let code = fields[0].to_ascii_uppercase();
    let rest = &fields[1..];
    let length = |what: &str| -> Result<i64, String> {
        match rest {
            [n] if n.bytes().all(|b| b.is_ascii_digit()) && n.len() <= 6 => {
                Ok(n.parse().expect("digits"))
            }
            [] => Err(format!(
                "the {what} \"{}\" has no length in frames",
                fields.join(" ")
            )),
            _ => Err(format!(
                "the {what} \"{}\" needs one length in frames",
                fields.join(" ")
            )),
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
                        .map_err(|_| format!("wipe code \"{code}\" is too large"))?,
                ),
                frames: length("wipe")?,
            })
        }
        _ => Err(format!(
            "unknown transition \"{}\" (expected C, D, Wnnn or K)",
            fields.join(" ")
        )),
    }
}

fn mix_name(wipe: Option<u32>) -> String {
    match wipe {
        None => "dissolve".into(),
        Some(code) => format!("wipe W{code:03}"),
    }
}

/// The speed of an `M2` value (frames per second of source): value / fps.
/// At NTSC rates the one decimal an EDL gives cannot state N×1000/1001
/// (2× at 29.97 is written 059.9 or 060.0), so the speed is rounded to
/// hundredths there.
fn m2_speed(value: Ratio, rate: Rate) -> Ratio {
    let speed = value / rate.fps;
    if rate.fps.is_integer() {
        speed
    } else {
        (speed * 100).round() / 100
    }
}

/// A source length that does not fit the record length at the event's
/// speed, in words.
fn length_mismatch(l: &EventLine) -> Option<String> {
    let rec_len = l.rec_len();
    let src_len = (l.src_out - l.src_in).abs();
    let fmt = |f: i64| l.tc.from_frames(f);
    if l.m2.is_none() {
        return (src_len != rec_len).then(|| {
            format!(
                "the source runs {src_len} frames ({} to {}) but the record {rec_len} frames ({} \
                 to {})",
                fmt(l.src_in),
                fmt(l.src_out),
                fmt(l.rec_in),
                fmt(l.rec_out)
            )
        });
    }
    let needed = Ratio::from_integer(rec_len) * abs(l.speed);
    let off = abs(Ratio::from_integer(src_len) - needed);
    (off > slack(l.speed)).then(|| {
        format!(
            "at M2 speed {} fps ({}×) the record's {rec_len} frames need about {:.1} source \
             frames, but the source runs {src_len} frames ({} to {})",
            l.m2.as_deref().unwrap_or("?"),
            time::secs_f64(l.speed),
            time::secs_f64(needed),
            fmt(l.src_in),
            fmt(l.src_out)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rate(text: &str) -> Rate {
        Rate::parse(text).unwrap()
    }

    fn read(text: &str, fps: &str) -> Timeline {
        match parse(text, rate(fps)) {
            Ok(t) => t,
            Err(es) => panic!("unexpected errors: {es:#?}"),
        }
    }

    fn errors(text: &str, fps: &str) -> Vec<ImportError> {
        parse(text, rate(fps)).expect_err("errors expected")
    }

    /// `n` frames at `fps` in seconds.
    fn frames(n: i64, fps: i64) -> Ratio {
        Ratio::new(n, fps)
    }

    fn file(e: &Event) -> &MediaRef {
        match &e.media {
            Media::File(m) => m,
            Media::Black => panic!("{} is black", e.origin),
        }
    }

    fn clip_name(e: &Event) -> Option<&str> {
        file(e).clip_name.as_deref()
    }

    fn transition_of(e: &Event) -> Option<(&str, Ratio)> {
        e.transition.as_ref().map(|(k, d)| (k.as_str(), *d))
    }

    fn has_note(t: &Timeline, origin: &str, text: &str) -> bool {
        t.notes
            .iter()
            .any(|n| n.origin == origin && n.message.contains(text))
    }

    #[test]
    fn cuts() {
        let t = read(
            "TITLE: Cuts\n\
             FCM: NON-DROP FRAME\n\
             \n\
             001  A003C012 V     C        01:00:10:00 01:00:12:00 01:00:00:00 01:00:02:00\n\
             * FROM CLIP NAME: interview.mov\n\
             * SOURCE FILE: /media/interview.mov\n\
             002  A004C001 B     C        02:00:00:00 02:00:01:12 01:00:02:00 01:00:03:12\n\
             003  AX       AA/V  C        00:00:05:00 00:00:06:00 01:00:03:12 01:00:04:12\n\
             * FROM CLIP NAME: broll.mp4\n",
            "25",
        );
        assert_eq!(t.name.as_deref(), Some("Cuts"));
        assert_eq!(t.fps, Some(Ratio::from_integer(25)));
        assert_eq!(t.events.len(), 3);
        let e = &t.events[0];
        assert_eq!(e.origin, "event 001, reel A003C012, record 01:00:00:00");
        assert_eq!(e.line, 4);
        assert_eq!(
            e.media,
            Media::File(MediaRef {
                reel: Some("A003C012".into()),
                clip_name: Some("interview.mov".into()),
                path: Some("/media/interview.mov".into()),
            })
        );
        assert_eq!(e.source_in, Ratio::from_integer(3610));
        assert_eq!(e.duration, Ratio::from_integer(2));
        assert_eq!(e.speed, Ratio::from_integer(1));
        assert_eq!(e.transition, None);
        assert!(!e.audio);
        let e = &t.events[1];
        assert_eq!(e.line, 7);
        assert_eq!(e.source_in, Ratio::from_integer(7200));
        assert_eq!(e.duration, frames(37, 25));
        assert_eq!(clip_name(e), None);
        assert!(e.audio, "B is picture and sound");
        let e = &t.events[2];
        assert_eq!(file(e).reel.as_deref(), Some("AX"));
        assert_eq!(clip_name(e), Some("broll.mp4"));
        assert_eq!(file(e).path, None);
        assert_eq!(e.source_in, Ratio::from_integer(5));
        assert!(e.audio);
        assert_eq!(t.duration(), frames(112, 25));
        assert!(t.sounds.is_empty());
        assert!(t.notes.is_empty(), "{:?}", t.notes);
    }

    #[test]
    fn dissolve_lengthens_the_outgoing_event() {
        let t = read(
            "001  CLPA V C        00:00:04:17 00:00:07:02 00:00:00:00 00:00:02:09\n\
             * FROM CLIP NAME: a.mov\n\
             002  CLPA V C        00:00:07:02 00:00:07:02 00:00:02:09 00:00:02:09\n\
             002  CLPB V D    027 00:00:06:18 00:00:07:21 00:00:02:09 00:00:03:12\n\
             * FROM CLIP NAME: a.mov\n\
             * TO CLIP NAME: b.mov\n\
             003  CLPB V C        00:00:07:21 00:00:15:21 00:00:03:12 00:00:11:12\n\
             * FROM CLIP NAME: b.mov\n",
            "24",
        );
        assert_eq!(t.events.len(), 3);
        let [a, b, c] = &t.events[..] else {
            unreachable!()
        };
        assert_eq!(a.duration, frames(57 + 27, 24));
        assert_eq!(transition_of(a), Some(("crossfade", frames(27, 24))));
        assert_eq!(clip_name(a), Some("a.mov"));
        assert_eq!(b.duration, frames(27, 24));
        assert_eq!(b.source_in, frames(6 * 24 + 18, 24));
        assert_eq!(
            clip_name(b),
            Some("b.mov"),
            "TO CLIP NAME names the incoming clip"
        );
        assert_eq!(b.line, 4);
        assert_eq!(c.duration, frames(192, 24));
        // Last record out less first record in.
        assert_eq!(t.duration(), frames(11 * 24 + 12, 24));
    }

    #[test]
    fn dissolve_from_another_picture_than_the_event_before() {
        // The outgoing line is not where event 001 ends: its picture plays
        // for the dissolve alone.
        let t = read(
            "001  CLPA V C        01:00:00:00 01:00:02:00 01:00:00:00 01:00:02:00\n\
             002  CLPX V C        05:00:00:00 05:00:00:00 01:00:02:00 01:00:02:00\n\
             002  CLPB V D    024 02:00:00:00 02:00:03:00 01:00:02:00 01:00:05:00\n\
             * FROM CLIP NAME: x.mov\n\
             * TO CLIP NAME: b.mov\n",
            "24",
        );
        assert_eq!(t.events.len(), 3);
        assert_eq!(t.events[0].duration, Ratio::from_integer(2));
        assert_eq!(t.events[0].transition, None);
        let x = &t.events[1];
        assert_eq!(file(x).reel.as_deref(), Some("CLPX"));
        assert_eq!(clip_name(x), Some("x.mov"));
        assert_eq!(x.source_in, Ratio::from_integer(5 * 3600));
        assert_eq!(x.duration, Ratio::from_integer(1));
        assert_eq!(x.line, 2);
        assert_eq!(
            transition_of(x),
            Some(("crossfade", Ratio::from_integer(1)))
        );
        assert_eq!(clip_name(&t.events[2]), Some("b.mov"));
        assert_eq!(t.duration(), Ratio::from_integer(5));
    }

    #[test]
    fn dissolve_whose_first_line_has_a_length() {
        let t = read(
            "001  001 B C        02:00:00:00 02:00:05:00 01:00:00:00 01:00:05:00\n\
             001  002 B D    030 03:00:00:00 03:00:05:00 01:00:05:00 01:00:10:00\n",
            "30",
        );
        assert_eq!(t.events.len(), 2);
        assert_eq!(t.events[0].duration, Ratio::from_integer(6));
        assert_eq!(
            transition_of(&t.events[0]),
            Some(("crossfade", Ratio::from_integer(1)))
        );
        assert_eq!(t.events[1].duration, Ratio::from_integer(5));
        assert!(t.events.iter().all(|e| e.audio));
        assert_eq!(t.duration(), Ratio::from_integer(10));
    }

    #[test]
    fn fades_from_and_to_black() {
        let t = read(
            "001  BL   V C        00:00:00:00 00:00:00:00 01:00:00:00 01:00:00:00\n\
             001  CLPA V D    012 00:00:02:02 00:00:03:04 01:00:00:00 01:00:01:02\n\
             002  CLPA V C        00:00:03:04 00:00:03:04 01:00:01:02 01:00:01:02\n\
             002  BL   V D    012 00:00:00:00 00:00:00:12 01:00:01:02 01:00:01:14\n",
            "24",
        );
        assert_eq!(t.events.len(), 3);
        assert_eq!(t.events[0].media, Media::Black);
        assert_eq!(t.events[0].duration, frames(12, 24));
        assert_eq!(
            transition_of(&t.events[0]),
            Some(("crossfade", frames(12, 24)))
        );
        assert_eq!(t.events[1].duration, frames(26 + 12, 24));
        assert_eq!(
            transition_of(&t.events[1]),
            Some(("crossfade", frames(12, 24)))
        );
        assert_eq!(t.events[2].media, Media::Black);
        assert_eq!(t.events[2].duration, frames(12, 24));
        assert_eq!(t.duration(), frames(38, 24));
    }

    #[test]
    fn wipes() {
        let edl = |code: &str| {
            format!(
                "001  TST V C        01:00:04:05 01:00:04:14 01:00:00:00 01:00:00:09\n\
                 002  TST V C        01:00:04:14 01:00:04:14 01:00:00:09 01:00:00:09\n\
                 002  TST V {code} 010 01:00:08:08 01:00:08:18 01:00:00:09 01:00:00:19\n\
                 * EFFECTS NAME IS SOME WIPE\n"
            )
        };
        let t = read(&edl("W001"), "24");
        assert_eq!(t.events[0].duration, frames(19, 24));
        assert_eq!(
            transition_of(&t.events[0]),
            Some(("wiperight", frames(10, 24)))
        );
        assert!(has_note(&t, "event 002", "rendered as a wiperight"));
        let t = read(&edl("W002"), "24");
        assert_eq!(transition_of(&t.events[0]).unwrap().0, "wipedown");
        let t = read(&edl("W123"), "24");
        assert_eq!(transition_of(&t.events[0]).unwrap().0, "crossfade");
        assert!(has_note(
            &t,
            "event 002",
            "wipe code W123 is not one reel knows: rendered as a crossfade"
        ));
        assert_eq!(t.duration(), frames(19, 24));
    }

    #[test]
    fn wipe_kinds_are_xfade_transitions() {
        let mut known = 0;
        for code in 0..1000 {
            if let Some(kind) = wipe_kind(code) {
                assert!(crate::edl::XFADE.contains(&kind), "W{code:03} → {kind}");
                known += 1;
            }
        }
        assert_eq!(known, 12);
        assert_eq!(wipe_kind(1), Some("wiperight"));
        assert_eq!(wipe_kind(21), Some("vertopen"));
        assert_eq!(wipe_kind(7), None);
    }

    #[test]
    fn m2_speeds() {
        let t = read(
            "001  A V C        01:00:00:00 01:00:02:00 01:00:00:00 01:00:01:00\n\
             M2   A       050.0                01:00:00:00\n\
             002  B V C        01:00:00:00 01:00:01:00 01:00:01:00 01:00:02:00\n\
             M2   B       -25.0                01:00:00:00\n\
             003  C V C        01:00:05:00 01:00:05:01 01:00:02:00 01:00:03:00\n\
             M2   C       000.0                01:00:05:00\n\
             * FROM CLIP NAME: C (LAY1) FF\n\
             * * FREEZE FRAME\n",
            "25",
        );
        let speeds: Vec<Ratio> = t.events.iter().map(|e| e.speed).collect();
        assert_eq!(
            speeds,
            [2, -1, 0].map(Ratio::from_integer),
            "2x, reverse, freeze"
        );
        assert_eq!(t.events[0].source_in, Ratio::from_integer(3600));
        assert_eq!(t.events[1].source_in, Ratio::from_integer(3600));
        // The freeze holds its source in frame.
        assert_eq!(t.events[2].source_in, Ratio::from_integer(3605));
        assert_eq!(t.events[2].duration, Ratio::from_integer(1));
        assert_eq!(clip_name(&t.events[2]), Some("C (LAY1)"));
        assert_eq!(t.duration(), Ratio::from_integer(3));
    }

    #[test]
    fn m2_at_ntsc_rates_and_rounded_source_outs() {
        // 2x at 29.97 is written with one decimal.
        let t = read(
            "001  A V C        01:00:00:00 01:00:02:00 01:00:00:00 01:00:01:00\n\
             M2   A       059.9                01:00:00:00\n",
            "29.97",
        );
        assert_eq!(t.events[0].speed, Ratio::from_integer(2));
        // An NLE's source out may be a frame or so short of in + length × speed.
        let t = read(
            "005  Z V C        01:00:06:00 01:00:08:22 01:11:31:16 01:11:33:04\n\
             M2   Z       047.6                01:00:06:00\n",
            "24",
        );
        assert_eq!(t.events[0].speed, Ratio::new(476, 240));
        assert_eq!(t.events[0].duration, frames(36, 24));
    }

    #[test]
    fn m2_length_mismatch_is_an_error() {
        let es = errors(
            "001  A V C        01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n\
             M2   A       050.0                01:00:00:00\n",
            "25",
        );
        assert_eq!(es.len(), 1);
        assert_eq!(es[0].line, 1);
        assert_eq!(es[0].origin, "event 001");
        assert!(
            es[0]
                .message
                .contains("25 frames need about 50.0 source frames")
                && es[0].message.contains("the source runs 25 frames"),
            "{}",
            es[0].message
        );
    }

    #[test]
    fn drop_frame_at_29_97() {
        let text = "FCM: DROP FRAME\n\
                    001  A V C        00:00:59;00 00:01:00;02 01:00:00;00 01:00:01;00\n\
                    002  B V C        00:00:59:00 00:01:00:02 01:00:01:00 01:00:02:00\n\
                    FCM: NON-DROP FRAME\n\
                    003  C V C        00:00:59:00 00:01:00:00 01:00:02;00 01:00:03;00\n";
        let t = read(text, "29.97");
        let fps = Ratio::new(30000, 1001);
        assert_eq!(t.events.len(), 3);
        for e in &t.events {
            assert_eq!(e.duration, Ratio::from_integer(30) / fps);
        }
        assert_eq!(t.events[0].source_in, Ratio::from_integer(1770) / fps);
        assert_eq!(t.events[1].source_in, Ratio::from_integer(1770) / fps);
        assert_eq!(t.events[2].source_in, Ratio::from_integer(1770) / fps);
        assert_eq!(t.duration(), Ratio::from_integer(90) / fps);
        // The rate's own drop flag applies until an FCM line.
        let t = read(
            "001  A V C        00:00:59:00 00:01:00:02 00:00:00:00 00:00:01:00\n",
            "29.97df",
        );
        assert_eq!(t.events[0].duration, Ratio::from_integer(30) / fps);
        // Frame numbers drop frame skips do not exist.
        let es = errors(
            "FCM: DROP FRAME\n\
             001  A V C        00:01:00;00 00:01:01;00 01:00:00;00 01:00:01;00\n",
            "29.97",
        );
        assert!(es[0].message.contains("does not exist"), "{}", es[0]);
        assert_eq!(es[0].line, 2);
    }

    #[test]
    fn drop_frame_at_59_94() {
        let t = read(
            "FCM: DROP FRAME\n\
             001  A V C        01:00:00;00 01:00:01;00 00:10:00;00 00:10:01;00\n",
            "59.94",
        );
        let fps = Ratio::new(60000, 1001);
        assert_eq!(t.events[0].source_in, Ratio::from_integer(215784) / fps);
        assert_eq!(t.events[0].duration, Ratio::from_integer(60) / fps);
    }

    #[test]
    fn black_reels_and_gaps() {
        let t = read(
            "001  BL    V C 00:00:00:00 00:00:00:00 01:00:00:00 01:00:01:00\n\
             002  black V C 00:00:00:00 00:00:01:00 01:00:01:00 01:00:02:00\n\
             003  A     V C 01:00:00:00 01:00:01:00 01:00:02:00 01:00:03:00\n\
             004  B     V C 01:00:00:00 01:00:01:00 01:00:03:12 01:00:04:12\n",
            "25",
        );
        let media: Vec<bool> = t.events.iter().map(|e| e.media == Media::Black).collect();
        assert_eq!(media, [true, true, false, true, false]);
        assert_eq!(t.events[0].source_in, Ratio::from_integer(0));
        let gap = &t.events[3];
        assert_eq!(gap.origin, "black gap before event 004");
        assert_eq!(gap.line, 4);
        assert_eq!(gap.duration, frames(12, 25));
        assert_eq!(t.duration(), frames(112, 25));
    }

    #[test]
    fn audio_events() {
        let t = read(
            "001  A V  C 01:00:00:00 01:00:02:00 01:00:00:00 01:00:02:00\n\
             002  A A  C 01:00:00:00 01:00:02:00 01:00:00:00 01:00:02:00\n\
             003  M AA C 00:00:10:00 00:00:11:00 01:00:00:12 01:00:01:12\n\
             * FROM CLIP NAME: music.wav\n\
             004  B V  C 01:00:00:00 01:00:01:00 01:00:02:00 01:00:03:00\n\
             AUD  3    4\n\
             005  C V  C 01:00:00:00 01:00:01:00 01:00:03:00 01:00:04:00\n\
             006  N A2 C 01:00:00:00 01:00:01:00 01:00:03:00 01:00:04:00\n",
            "25",
        );
        assert_eq!(t.events.len(), 3);
        assert!(t.events[0].audio, "the A line on its span");
        assert!(t.events[1].audio, "AUD channels");
        assert!(!t.events[2].audio, "another reel's sound on the same span");
        assert_eq!(t.sounds.len(), 2);
        let s = &t.sounds[0];
        assert_eq!(s.origin, "event 003, reel M, record 01:00:00:12");
        assert_eq!(s.line, 3);
        assert_eq!(s.media.clip_name.as_deref(), Some("music.wav"));
        assert_eq!(s.media.reel.as_deref(), Some("M"));
        assert_eq!(s.source_in, Ratio::from_integer(10));
        assert_eq!(s.at, frames(12, 25));
        assert_eq!(s.duration, Ratio::from_integer(1));
        assert_eq!(t.sounds[1].at, Ratio::from_integer(3));
        assert_eq!(t.duration(), Ratio::from_integer(4));
    }

    #[test]
    fn sounds_before_the_picture_or_retimed() {
        let t = read(
            "001  M A  C 00:00:00:00 00:00:02:00 00:59:59:00 01:00:01:00\n\
             002  A V  C 01:00:00:00 01:00:02:00 01:00:00:00 01:00:02:00\n\
             003  N A  C 00:00:00:00 00:00:02:00 01:00:00:00 01:00:01:00\n\
             M2   N       050.0                00:00:00:00\n",
            "25",
        );
        assert_eq!(t.sounds.len(), 1);
        let s = &t.sounds[0];
        assert_eq!(s.source_in, Ratio::from_integer(1));
        assert_eq!(s.at, Ratio::from_integer(0));
        assert_eq!(s.duration, Ratio::from_integer(1));
        assert!(has_note(&t, "event 001", "before the first picture event"));
        assert!(has_note(
            &t,
            "event 003",
            "dropped: the sound of reel N at M2 speed 050.0"
        ));
        // Sound only: the timeline starts at the first sound.
        let t = read(
            "001  AX AA C 00:00:00:00 00:00:02:00 00:00:05:00 00:00:07:00\n",
            "25",
        );
        assert!(t.events.is_empty());
        assert_eq!(t.sounds[0].at, Ratio::from_integer(0));
        assert_eq!(t.sounds[0].duration, Ratio::from_integer(2));
    }

    #[test]
    fn markers_colour_keys_and_effects_become_notes() {
        let t = read(
            "TITLE: Notes\n\
             001  A V C   01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n\
             * LOC: 01:00:00:12 RED check this\n\
             *ASC_SOP (1.0 1.0 1.0)(0.0 0.0 0.0)(1.0 1.0 1.0)\n\
             * ASC_SAT 1.0\n\
             * EFFECTS NAME IS FLOP\n\
             002  B V K B 01:00:00:00 01:00:01:00 01:00:01:00 01:00:02:00\n\
             002  G V K   00:00:00:00 00:00:01:00 01:00:01:00 01:00:02:00\n\
             SPLIT:    AUDIO DELAY=  00:00:00:12\n\
             003  C V C   01:00:00:00 01:00:01:00 01:00:02:00 01:00:03:00\n\
             >>> SOURCE C C.MOV\n\
             REM a remark\n\
             * a plain comment\n",
            "25",
        );
        assert_eq!(t.events.len(), 3);
        assert_eq!(file(&t.events[1]).reel.as_deref(), Some("B"));
        assert!(has_note(
            &t,
            "event 001",
            "dropped: marker 01:00:00:12 RED check this"
        ));
        assert!(has_note(
            &t,
            "event 001",
            "dropped: colour decision ASC_SOP"
        ));
        assert!(has_note(
            &t,
            "event 001",
            "dropped: colour decision ASC_SAT 1.0"
        ));
        assert!(has_note(&t, "event 001", "dropped: effect \"FLOP\""));
        assert!(has_note(&t, "event 002", "dropped: key (K) of reel G"));
        assert!(has_note(&t, "", "split edit not applied"));
        assert!(has_note(
            &t,
            "",
            "line not understood, ignored: \">>> SOURCE C C.MOV\""
        ));
        assert_eq!(t.notes.len(), 7, "{:#?}", t.notes);
        assert!(t.notes.windows(2).all(|w| w[0].line <= w[1].line));
    }

    #[test]
    fn ax_reels_take_their_file_from_the_comments() {
        let t = read(
            "001  AX V C 00:00:00:00 00:00:01:00 00:00:00:00 00:00:01:00\n\
             * FROM CLIP NAME: a.mov\n\
             * SOURCE FILE: /media/a.mov\n\
             002  AX V C 00:00:00:00 00:00:01:00 00:00:01:00 00:00:02:00\n\
             * FROM CLIP: /media/b.mov\n\
             003  AX V C 00:00:00:00 00:00:01:00 00:00:02:00 00:00:03:00\n",
            "24",
        );
        assert_eq!(file(&t.events[0]).path.as_deref(), Some("/media/a.mov"));
        assert_eq!(clip_name(&t.events[0]), Some("a.mov"));
        assert_eq!(file(&t.events[1]).path.as_deref(), Some("/media/b.mov"));
        assert_eq!(
            file(&t.events[2]),
            &MediaRef {
                reel: Some("AX".into()),
                clip_name: None,
                path: None
            }
        );
    }

    #[test]
    fn every_error_is_reported() {
        let es = errors(
            "001  A V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n\
             002  B V C 01:00:00:00 01:00:01:0x 01:00:01:00 01:00:02:00\n\
             003  C V C 01:00:00:00 01:00:00:25 01:00:02:00 01:00:02:25\n\
             004  D X C 01:00:00:00 01:00:01:00 01:00:03:00 01:00:04:00\n\
             005  E V C 01:00:00:00 01:00:01:00 01:00:04:00\n\
             006  F V C 01:00:00:00 01:00:01:00 01:00:06:00 01:00:05:00\n\
             007  G V C 01:00:00:00 01:00:02:00 01:00:06:00 01:00:07:00\n\
             008  H V Z 01:00:00:00 01:00:01:00 01:00:07:00 01:00:08:00\n\
             009  I V D 01:00:00:00 01:00:01:00 01:00:08:00 01:00:09:00\n",
            "25",
        );
        let mut lines: Vec<usize> = es.iter().map(|e| e.line).collect();
        lines.sort();
        assert_eq!(lines, [2, 3, 3, 4, 5, 6, 7, 8, 9]);
        for e in &es {
            assert_eq!(e.origin, format!("event {:03}", e.line), "{e}");
        }
        let message = |line: usize| -> Vec<&str> {
            es.iter()
                .filter(|e| e.line == line)
                .map(|e| e.message.as_str())
                .collect()
        };
        assert!(message(2)[0].contains("source out: malformed timecode \"01:00:01:0x\""));
        assert!(message(3)[0].contains("frame 25 is past the rate (0..24 at 25 fps)"));
        assert!(message(3)[1].starts_with("record out:"));
        assert!(message(4)[0].contains("unknown channel field \"X\""));
        assert!(message(5)[0].contains("only 7 fields"));
        assert!(message(6)[0].contains("record out 01:00:05:00 is before record in 01:00:06:00"));
        assert!(message(7)[0].contains("the source runs 50 frames"));
        assert!(message(7)[0].contains("the record 25 frames"));
        assert!(message(8)[0].contains("unknown transition \"Z\""));
        assert!(message(9)[0].contains("dissolve \"D\" has no length"));
        assert_eq!(es.len(), 9, "{es:#?}");
        assert_eq!(
            es[0].to_string(),
            "line 2: event 002: source out: malformed timecode \"01:00:01:0x\" (expected \
             HH:MM:SS:FF, or HH:MM:SS;FF for drop frame)"
        );
    }

    #[test]
    fn overlaps_and_bad_transitions_are_errors() {
        let es = errors(
            "001  A V C 01:00:00:00 01:00:02:00 01:00:00:00 01:00:02:00\n\
             002  B V C 01:00:00:00 01:00:01:00 01:00:01:00 01:00:02:00\n",
            "25",
        );
        assert_eq!(es.len(), 1);
        assert_eq!((es[0].line, es[0].origin.as_str()), (2, "event 002"));
        assert!(
            es[0].message.contains(
                "record in 01:00:01:00 is before the end of the picture before it (01:00:02:00)"
            ),
            "{}",
            es[0]
        );
        // A dissolve longer than the event it goes into.
        let es = errors(
            "001  A V C     01:00:00:00 01:00:02:00 01:00:00:00 01:00:02:00\n\
             002  A V C     01:00:02:00 01:00:02:00 01:00:02:00 01:00:02:00\n\
             002  B V D 030 01:00:00:00 01:00:00:10 01:00:02:00 01:00:02:10\n",
            "25",
        );
        assert!(es[0]
            .message
            .contains("lasts 30 frames, longer than the incoming event (10 frames)"));
        // The two lines of a dissolve must meet.
        let es = errors(
            "001  A V C     01:00:00:00 01:00:02:00 01:00:00:00 01:00:02:00\n\
             002  A V C     01:00:02:00 01:00:02:00 01:00:02:00 01:00:02:00\n\
             002  B V D 010 01:00:00:00 01:00:01:00 01:00:03:00 01:00:04:00\n",
            "25",
        );
        assert!(
            es[0]
                .message
                .contains("its outgoing line ends at 01:00:02:00"),
            "{}",
            es[0]
        );
    }

    #[test]
    fn fcm_lines() {
        let es = errors(
            "FCM: DROP FRAME\n\
             001  A V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n",
            "25",
        );
        assert_eq!(es.len(), 1);
        assert_eq!(es[0].line, 1);
        assert!(es[0].message.contains("read at 25 fps"), "{}", es[0]);
        let es = errors("FCM: SOMETIMES\n", "25");
        assert!(es[0].message.contains("unknown FCM \"SOMETIMES\""));
    }

    #[test]
    fn field_parsers() {
        assert_eq!(channels("V"), Some((true, false)));
        assert_eq!(channels("B"), Some((true, true)));
        for audio in ["A", "A2", "A4", "AA", "a3"] {
            assert_eq!(channels(audio), Some((false, true)), "{audio}");
        }
        for both in ["A/V", "AA/V", "A2/V"] {
            assert_eq!(channels(both), Some((true, true)), "{both}");
        }
        for bad in ["X", "VV", "AB", "A/X", ""] {
            assert_eq!(channels(bad), None, "{bad}");
        }
        assert_eq!(transition(&["C"]), Ok(Transition::Cut));
        assert_eq!(
            transition(&["D", "030"]),
            Ok(Transition::Mix {
                wipe: None,
                frames: 30
            })
        );
        assert_eq!(
            transition(&["W019", "030"]),
            Ok(Transition::Mix {
                wipe: Some(19),
                frames: 30
            })
        );
        assert_eq!(transition(&["K", "B"]), Ok(Transition::KeyBackground));
        assert_eq!(transition(&["KB"]), Ok(Transition::KeyBackground));
        assert_eq!(transition(&["K"]), Ok(Transition::Key));
        assert_eq!(transition(&["KO", "010"]), Ok(Transition::Key));
        assert!(transition(&["W", "010"]).is_err());
        assert!(transition(&["D", "x"]).is_err());
        assert!(transition(&["D", "010", "3"]).is_err());
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff("TITLE: x\n"), Ok(()));
        assert_eq!(
            sniff("001  A V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\r\n"),
            Ok(())
        );
        assert_eq!(
            sniff("\u{feff}* comment\n001  A V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00"),
            Ok(())
        );
        let err = |text: &str| sniff(text).unwrap_err();
        assert_eq!(err(""), "the file is empty");
        assert_eq!(err(" \n\n"), "the file is empty");
        assert_eq!(
            err("12.5 20.3 0\n30 45.25 3\n"),
            "this looks like an MPlayer/comskip EDL (lines of seconds), not a CMX3600 EDL"
        );
        assert!(err("\0\u{1}ELF").contains("binary"));
        assert!(err("<?xml version=\"1.0\"?>\n<fcpxml version=\"1.9\">").contains("FCPXML file"));
        assert!(err("<?xml version=\"1.0\"?>\n<xmeml>").contains("Final Cut Pro 7"));
        assert!(err("<?xml version=\"1.0\"?>\n<doc/>").contains("looks like XML (FCPXML?)"));
        assert!(err("{\"OTIO_SCHEMA\": \"Timeline.1\"}").contains("OpenTimelineIO (.otio) file"));
        assert!(err("{\"a\": 1}").contains("looks like JSON"));
        let e = err("hello\nworld\n");
        assert!(
            e.contains("no TITLE: line") && e.contains("\"hello\""),
            "{e}"
        );
    }

    /// The third-party samples in the shared folder, when it is there.
    fn sample(name: &str) -> Option<String> {
        let path = std::path::Path::new("/work/shared/interchange/samples").join(name);
        path.exists()
            .then(|| std::fs::read_to_string(path).expect("readable"))
    }

    fn lengths(t: &Timeline, fps: i64) -> Vec<i64> {
        t.events
            .iter()
            .map(|e| (e.duration * fps).to_integer())
            .collect()
    }

    #[test]
    fn sample_screening() {
        let Some(text) = sample("screening_example.edl") else {
            return;
        };
        assert_eq!(sniff(&text), Ok(()));
        let t = read(&text, "24");
        assert_eq!(t.name.as_deref(), Some("Example_Screening.01"));
        assert_eq!(lengths(&t, 24), [31, 50, 28, 115, 101, 161, 170, 136, 257]);
        assert_eq!(clip_name(&t.events[0]), Some("ZZ100_501 (LAY3)"));
        assert_eq!(
            file(&t.events[0]).path.as_deref(),
            Some("ZZ100_501.LAY3.01")
        );
        assert_eq!(clip_name(&t.events[8]), Some("ZZ100_510B (LAY1)"));
        let markers = t
            .notes
            .iter()
            .filter(|n| n.message.contains("marker"))
            .count();
        assert_eq!(markers, 3);
        assert!(has_note(&t, "event 004", "ANIM FIX NEEDED"));
    }

    #[test]
    fn sample_dissolves_and_wipe() {
        if let Some(text) = sample("dissolve_test.edl") {
            let t = read(&text, "24");
            assert_eq!(lengths(&t, 24), [19, 10, 1]);
            assert_eq!(
                transition_of(&t.events[0]),
                Some(("crossfade", frames(10, 24)))
            );
            assert_eq!(clip_name(&t.events[0]), Some("clip_A"));
            assert_eq!(clip_name(&t.events[1]), Some("clip_B"));
            assert_eq!(t.duration(), frames(20, 24));
        }
        if let Some(text) = sample("dissolve_test_3.edl") {
            let t = read(&text, "24");
            assert_eq!(lengths(&t, 24), [61, 30, 30, 46]);
            let names: Vec<_> = t.events.iter().map(clip_name).collect();
            assert_eq!(
                names,
                [
                    Some("Clip_A.mov"),
                    Some("Clip_B.mov"),
                    Some("Clip_C.mov"),
                    Some("Clip_D.mov")
                ]
            );
            assert_eq!(
                transition_of(&t.events[1]),
                Some(("crossfade", frames(30, 24)))
            );
            assert_eq!(
                t.events[2].source_in,
                frames(rate("24").to_frames("01:00:33:22").unwrap(), 24)
            );
            assert_eq!(t.duration(), frames(5 * 24 + 17, 24));
        }
        if let Some(text) = sample("dissolve_test_4.edl") {
            let t = read(&text, "24");
            assert_eq!(lengths(&t, 24), [30, 51, 35, 81, 64, 84, 96, 135]);
            assert_eq!(
                transition_of(&t.events[2]),
                Some(("crossfade", frames(35, 24)))
            );
            assert_eq!(
                transition_of(&t.events[4]),
                Some(("crossfade", frames(64, 24)))
            );
        }
        if let Some(text) = sample("wipe_test.edl") {
            let t = read(&text, "24");
            assert_eq!(lengths(&t, 24), [19, 10, 1]);
            assert_eq!(
                transition_of(&t.events[0]),
                Some(("wiperight", frames(10, 24)))
            );
        }
    }

    #[test]
    fn sample_gaps_speeds_and_25_fps() {
        if let Some(text) = sample("gap_test.edl") {
            let t = read(&text, "24");
            assert_eq!(lengths(&t, 24), [24, 16, 24, 38, 24]);
            assert_eq!(t.events[1].media, Media::Black);
            assert_eq!(t.events[3].media, Media::Black);
            assert_eq!(t.duration(), frames(5 * 24 + 6, 24));
            assert_eq!(clip_name(&t.events[2]), Some("shot2"));
        }
        if let Some(text) = sample("speed_effects_small.edl") {
            let t = read(&text, "24");
            let retimed: Vec<_> = t
                .events
                .iter()
                .filter(|e| e.speed != Ratio::from_integer(1))
                .map(|e| (clip_name(e), e.speed, (e.duration * 24).to_integer()))
                .collect();
            assert_eq!(
                retimed,
                [
                    (Some("Z682_156 (LAY3)"), Ratio::from_integer(0), 17),
                    (Some("Z682_157 (LAY2)"), Ratio::from_integer(0), 1),
                    (Some("Z686_5A (LAY2) (47.56 FPS)"), Ratio::new(476, 240), 36),
                ]
            );
        }
        if let Some(text) = sample("25fps.edl") {
            let t = read(&text, "25");
            assert_eq!(lengths(&t, 25), [161, 200, 86, 49]);
        }
    }

    #[test]
    fn sample_audio_and_colour() {
        if let Some(text) = sample("multi_audio.edl") {
            let t = read(&text, "24");
            assert!(t.events.is_empty());
            assert_eq!(t.sounds.len(), 1);
            let length = rate("24").to_frames("00:56:55:22").unwrap();
            assert_eq!(t.sounds[0].duration, frames(length, 24));
        }
        if let Some(text) = sample("cdl.edl") {
            let t = read(&text, "24");
            assert_eq!(t.events.len(), 2);
            let colour = t
                .notes
                .iter()
                .filter(|n| n.message.contains("colour decision"))
                .count();
            assert_eq!(colour, 4);
        }
        if let Some(text) = sample("pycmx_test_25.edl") {
            let t = read(&text, "25");
            assert_eq!(t.duration(), frames(2 * 60 * 25 + 40 * 25 + 22, 25));
            assert_eq!(t.sounds.len(), 2);
            let reverse = t
                .events
                .iter()
                .find(|e| e.speed < Ratio::from_integer(0))
                .unwrap();
            assert_eq!(reverse.speed, Ratio::from_integer(-1));
            assert!(reverse.audio, "the AA line with the same span and speed");
            let dissolve = t.events.iter().find(|e| e.transition.is_some()).unwrap();
            assert_eq!(transition_of(dissolve), Some(("crossfade", frames(70, 25))));
            assert!(has_note(&t, "event 007", "audio wipe W001"));
        }
    }

    /// One generated event: a cut after a gap, or a dissolve into it.
    #[derive(Debug, Clone)]
    enum Step {
        Cut { gap: i64, length: i64 },
        Dissolve { frames: i64, length: i64 },
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (0i64..50, 1i64..200).prop_map(|(gap, length)| Step::Cut { gap, length }),
            (1i64..30, 0i64..100).prop_map(|(frames, more)| Step::Dissolve {
                frames,
                length: frames + more
            }),
        ]
    }

    proptest! {
        #[test]
        fn the_timeline_spans_the_record_time(
            first in 1i64..200,
            steps in prop::collection::vec(step(), 0..12),
            fps in prop::sample::select(vec!["24", "25", "29.97df", "59.94"]),
        ) {
            let r = rate(fps);
            let tc = |f: i64| r.from_frames(f);
            let start = r.to_frames("01:00:00:00").unwrap();
            let mut text = String::new();
            let mut line = |n: usize, reel: &str, tr: &str, src: i64, len: i64, rec: i64| {
                text += &format!(
                    "{n:03}  {reel} V {tr} {} {} {} {}\n",
                    tc(src),
                    tc(src + len),
                    tc(rec),
                    tc(rec + len)
                );
            };
            // Each reel's source starts at 10:00:00:00 and runs on.
            let src = r.to_frames("10:00:00:00").unwrap();
            line(1, "R1", "C    ", src, first, start);
            let (mut pos, mut src_end, mut events) = (start + first, src + first, 1);
            for (i, s) in steps.iter().enumerate() {
                let n = i + 2;
                let reel = format!("R{n}");
                match *s {
                    Step::Cut { gap, length } => {
                        line(n, &reel, "C    ", src, length, pos + gap);
                        events += 1 + usize::from(gap > 0);
                        pos += gap + length;
                    }
                    Step::Dissolve { frames, length } => {
                        let from = format!("R{}", n - 1);
                        line(n, &from, "C    ", src_end, 0, pos);
                        line(n, &reel, &format!("D {frames:03}"), src, length, pos);
                        events += 1;
                        pos += length;
                    }
                }
                src_end = src + match *s {
                    Step::Cut { length, .. } | Step::Dissolve { length, .. } => length,
                };
            }
            let t = parse(&text, r).map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
            prop_assert_eq!(t.events.len(), events, "{}", text);
            prop_assert_eq!(t.duration(), r.seconds(pos - start), "{}", text);
            for e in &t.events {
                prop_assert!(e.duration > Ratio::from_integer(0));
            }
        }
    }

    #[test]
    fn reel_transition_kinds_written_as_effect_names_are_read_back() {
        let t = read(
            "001  A V C     00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n\
             002  A V C     00:00:01:00 00:00:01:00 01:00:01:00 01:00:01:00\n\
             002  B V D 010 00:00:00:00 00:00:01:00 01:00:01:00 01:00:02:00\n\
             * EFFECT NAME: wipeleft\n\
             003  C V C     00:00:00:00 00:00:01:00 01:00:02:00 01:00:03:00\n\
             * EFFECT NAME: SPARKLES\n",
            "25",
        );
        assert_eq!(transition_of(&t.events[0]).unwrap().0, "wipeleft");
        assert!(has_note(
            &t,
            "event 003",
            "dropped: effect \"EFFECT NAME: SPARKLES\""
        ));
        assert_eq!(t.notes.len(), 1);
    }
}
