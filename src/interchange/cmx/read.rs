//! The reader's state machine: each line of the file in turn, grouped by
//! event number with the comments and `M2` lines under it, and the length
//! checks of every event line.

use super::lex::{
    abs, channels, is_bare_comment, is_black, m2_speed, one, reel_kind, slack, strip_prefix_ci,
    transition, EventLine, Transition,
};
use crate::edl::TransitionKind;
use crate::interchange::timecode::Rate;
use crate::interchange::{Event, ImportError, Media, MediaRef, Note};
use crate::time::{self, Ratio};

/// The lines of one event number and the comments under them.
#[derive(Debug, Default)]
pub(super) struct Group {
    /// The event number as written (`003`).
    pub(super) number: String,
    pub(super) lines: Vec<EventLine>,
    pub(super) from_clip: Option<String>,
    pub(super) to_clip: Option<String>,
    pub(super) from_path: Option<String>,
    pub(super) to_path: Option<String>,
    /// `EFFECTS NAME IS ...` and its line.
    pub(super) effect: Option<(usize, String)>,
    /// `* EFFECT NAME: wipeleft`: the reel transition kind of the event's
    /// dissolve, as reel writes it for kinds without a SMPTE wipe code.
    pub(super) kind: Option<TransitionKind>,
}

impl Group {
    pub(super) fn origin(&self) -> String {
        format!("event {}", self.number)
    }

    /// The media of one of its lines; `incoming` for the second line of a
    /// dissolve or wipe, which the `TO` comments name.
    pub(super) fn media(&self, l: &EventLine, incoming: bool) -> Media {
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

    pub(super) fn event(&self, l: &EventLine, incoming: bool) -> Event {
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
pub(super) struct Reader {
    pub(super) rate: Rate,
    /// Drop frame for the lines to come, as the last `FCM:` line set it.
    pub(super) drop: bool,
    pub(super) name: Option<String>,
    pub(super) groups: Vec<Group>,
    pub(super) notes: Vec<Note>,
    pub(super) errors: Vec<ImportError>,
}

impl Reader {
    pub(super) fn error(
        &mut self,
        line: usize,
        origin: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.errors.push(ImportError::new(line, origin, message));
    }

    pub(super) fn note(
        &mut self,
        line: usize,
        origin: impl Into<String>,
        message: impl Into<String>,
    ) {
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

    pub(super) fn read_line(&mut self, line: usize, text: &str) {
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
            } else if let Some(kind) = value("EFFECT NAME:").and_then(|v| reel_kind(&v)) {
                group.kind = Some(kind);
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
            problems.push(e.to_string());
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
    pub(super) fn check_lengths(&mut self) {
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
