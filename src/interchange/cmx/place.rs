//! Placing events on the timeline: picture events in record order with
//! black for gaps, dissolves and wipes overlapping their neighbours, the
//! audio-only lines as sounds, and the notes on effects reel does not show.

use super::lex::{is_black, mix_name, one, slack, wipe_kind, EventLine, Transition};
use super::read::Reader;
use crate::edl::TransitionKind;
use crate::interchange::{Event, Media, SoundEvent, Timeline};
use crate::time::{self, Ratio};

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
impl Reader {
    pub(super) fn build(&mut self) -> Timeline {
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
        let kind = self.mix_kind(g, l, wipe);
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
        if !self.place_outgoing(g, track, from, l) {
            return;
        }
        if !self.run_on(track, l, origin, wipe, frames, kind) {
            return;
        }
        let event = self.groups[g].event(l, true);
        self.place(g, track, event, l);
    }

    /// The reel transition kind of a dissolve or wipe: the kind the event's
    /// `* EFFECT NAME:` gives, else a crossfade or the wipe code's kind (a
    /// crossfade, noted, for a code reel does not know).
    fn mix_kind(&mut self, g: usize, l: &EventLine, wipe: Option<u32>) -> TransitionKind {
        match (self.groups[g].kind, wipe) {
            (Some(kind), _) => kind,
            (None, None) => TransitionKind::Crossfade,
            (None, Some(code)) => match wipe_kind(code) {
                Some(kind) => kind,
                None => {
                    let origin = self.groups[g].origin();
                    self.note(
                        l.line,
                        origin,
                        format!(
                            "wipe code W{code:03} is not one reel knows: rendered as a crossfade"
                        ),
                    );
                    TransitionKind::Crossfade
                }
            },
        }
    }

    /// Places the picture the transition into `l` leaves from, unless the
    /// track already ends with it: the event before when the outgoing line
    /// continues it (or has a length of its own and was placed just now),
    /// else the outgoing line's own picture (or black) for the
    /// transition's length. False when it could not be placed.
    fn place_outgoing(
        &mut self,
        g: usize,
        track: &mut Track,
        from: Option<&EventLine>,
        l: &EventLine,
    ) -> bool {
        let continues = track.ends_at(l.rec_in)
            && match from {
                Some(f) if f.rec_len() > 0 => true,
                Some(f) => track.tail.as_ref().is_some_and(|t| t.continued_by(f)),
                None => true,
            };
        if continues {
            return true;
        }
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
        self.place(g, track, event, &outgoing)
    }

    /// Runs the last event on under the transition of `frames` into `l`
    /// and gives it the transition. False (with an error) when it already
    /// leaves by another or the transition outlasts the incoming event.
    fn run_on(
        &mut self,
        track: &mut Track,
        l: &EventLine,
        origin: String,
        wipe: Option<u32>,
        frames: i64,
        kind: TransitionKind,
    ) -> bool {
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
            return false;
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
            return false;
        }
        last.duration += length;
        // `source_in` is the earliest frame played: a backwards event that
        // runs on under the dissolve reaches further back in its source.
        if last.speed < Ratio::from_integer(0) {
            last.source_in += length * last.speed;
        }
        last.transition = Some((kind, length));
        true
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
        let mut sounds: Vec<SoundEvent> = audio
            .into_iter()
            .filter_map(|(g, l)| self.sound(g, &l, track, start))
            .collect();
        sounds.sort_by_key(|s| s.at);
        sounds
    }

    /// One audio-only line `l` of event `g`: the sound of the picture event
    /// on its span, or a sound of its own from record frame `start` on.
    fn sound(
        &mut self,
        g: usize,
        l: &EventLine,
        track: &mut Track,
        start: i64,
    ) -> Option<SoundEvent> {
        let group = &self.groups[g];
        let origin = group.origin();
        let number = group.number.clone();
        let incoming = matches!(l.transition, Transition::Mix { .. });
        let media = group.media(l, incoming);
        self.note_audio_mix(g, l);
        if l.rec_len() == 0 || is_black(&l.reel) {
            // Nothing to hear.
            return None;
        }
        let Media::File(media) = media else {
            return None;
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
            return None;
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
            return None;
        }
        let (src_in, rec_in) = self.cut_to_start(l, origin, start)?;
        Some(SoundEvent {
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
        })
    }

    /// An audio transition is not rendered: says so.
    fn note_audio_mix(&mut self, g: usize, l: &EventLine) {
        let Transition::Mix { wipe, frames } = l.transition else {
            return;
        };
        let group = &self.groups[g];
        let effect = group
            .effect
            .as_ref()
            .map(|(_, e)| format!(" (\"{e}\")"))
            .unwrap_or_default();
        let origin = group.origin();
        self.note(
            l.line,
            origin,
            format!(
                "audio {} of {frames} frames{effect} not rendered: the sounds cut",
                mix_name(wipe)
            ),
        );
    }

    /// The source and record in of a sound, its part before the timeline's
    /// `start` cut off (noted); None for a sound that ends before it.
    fn cut_to_start(&mut self, l: &EventLine, origin: String, start: i64) -> Option<(i64, i64)> {
        let (src_in, rec_in) = (l.src_in, l.rec_in);
        if rec_in >= start {
            return Some((src_in, rec_in));
        }
        if l.rec_out <= start {
            self.note(
                l.line,
                origin,
                format!(
                    "dropped: the sound of reel {} ends before the first picture event",
                    l.reel
                ),
            );
            return None;
        }
        self.note(
            l.line,
            origin,
            format!(
                "the sound of reel {} starts {} frames before the first picture event: \
                 its start is cut",
                l.reel,
                start - rec_in
            ),
        );
        Some((src_in + start - rec_in, start))
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
                match (group.kind, wipe) {
                    (Some(kind), _) => kind.name(),
                    (None, None) => "crossfade",
                    (None, Some(code)) => wipe_kind(code).map_or("crossfade", |k| k.name()),
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
