//! Reading a parsed project: the resources (formats and assets), the
//! spine's items and transitions, and what hangs from them.

use std::collections::HashMap;

use roxmltree::{Document, Node};

use crate::edl::TransitionKind;
use crate::interchange::place::unknown_kind;
use crate::interchange::place::{black, markers_note, one, place, secs, zero, Piece, Transition};
use crate::interchange::{
    transition_kind, At, Event, ImportError, Media, MediaRef, Note, SoundEvent, Title,
};
use crate::time::{fmt_rate, parse_decimal, parse_rate, Ratio};

pub(super) fn elements<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(Node::is_element)
}

pub(super) fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    elements(node).find(|n| n.has_tag_name(name))
}

pub(super) fn line_of(doc: &Document, node: Node) -> usize {
    doc.text_pos_at(node.range().start).row as usize
}

/// An FCPXML time: `1001/30000s`, `5s` (a decimal such as `1.5s` is taken
/// too).
pub(super) fn parse_time(text: &str) -> Option<Ratio> {
    let number = text.trim().strip_suffix('s')?;
    match number.split_once('/') {
        Some((n, d)) => {
            let n: i64 = n.parse().ok()?;
            let d: i64 = d.parse().ok()?;
            (d > 0).then(|| Ratio::new(n, d))
        }
        None => parse_decimal(number),
    }
}

/// A time attribute, if present.
pub(super) fn time_attr(node: Node, key: &str, at: &At) -> Result<Option<Ratio>, ImportError> {
    match node.attribute(key) {
        None => Ok(None),
        Some(text) => parse_time(text).map(Some).ok_or_else(|| {
            at.error(format!(
                "invalid time {key}=\"{text}\" (expected e.g. \"1001/30000s\" or \"5s\")"
            ))
        }),
    }
}

/// A media file the resources define.
struct Asset<'a> {
    name: Option<&'a str>,
    src: Option<&'a str>,
    has_video: bool,
    has_audio: bool,
}

pub(super) struct Resources<'a, 'i> {
    pub(super) formats: HashMap<&'a str, Node<'a, 'i>>,
    assets: HashMap<&'a str, Asset<'a>>,
}

impl<'a, 'i> Resources<'a, 'i> {
    pub(super) fn read(root: Node<'a, 'i>) -> Self {
        let mut formats = HashMap::new();
        let mut assets = HashMap::new();
        for resources in elements(root).filter(|n| n.has_tag_name("resources")) {
            for node in elements(resources) {
                let Some(id) = node.attribute("id") else {
                    continue;
                };
                match node.tag_name().name() {
                    "format" => {
                        formats.insert(id, node);
                    }
                    "asset" => {
                        // 1.8 puts the file in `src`; 1.9 on in `media-rep`s.
                        let reps: Vec<Node> = elements(node)
                            .filter(|n| n.has_tag_name("media-rep"))
                            .collect();
                        let rep = reps
                            .iter()
                            .find(|r| r.attribute("kind") == Some("original-media"))
                            .or(reps.first());
                        let src = node
                            .attribute("src")
                            .or_else(|| rep.and_then(|r| r.attribute("src")));
                        assets.insert(
                            id,
                            Asset {
                                name: node.attribute("name"),
                                src,
                                has_video: node.attribute("hasVideo") == Some("1"),
                                has_audio: node.attribute("hasAudio") == Some("1"),
                            },
                        );
                    }
                    _ => {}
                }
            }
        }
        Resources { formats, assets }
    }
}

pub(super) struct Reader<'a, 'i> {
    pub(super) doc: &'a Document<'i>,
    pub(super) resources: Resources<'a, 'i>,
    /// The sequence's frame rate.
    pub(super) fps: Option<Ratio>,
    pub(super) notes: Vec<Note>,
    pub(super) sounds: Vec<SoundEvent>,
    pub(super) titles: Vec<Title>,
}

/// `asset-clip "Interview" (spine item 3)`.
fn describe(node: Node, item: usize) -> String {
    let tag = node.tag_name().name();
    match node.attribute("name") {
        Some(name) => format!("{tag} \"{name}\" (spine item {item})"),
        None => format!("{tag} (spine item {item})"),
    }
}

/// The text of a title.
fn title_text(node: Node) -> String {
    let words: Vec<&str> = node
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .flat_map(|t| {
            t.descendants()
                .filter(Node::is_text)
                .filter_map(|n| n.text())
        })
        .flat_map(str::split_whitespace)
        .collect();
    words.join(" ")
}

fn title_note(node: Node) -> String {
    let name = node.attribute("name").unwrap_or("");
    let text = title_text(node);
    if text.is_empty() {
        format!("title \"{name}\" is not rendered")
    } else {
        format!("title \"{name}\" is not rendered (text: \"{text}\")")
    }
}

impl<'a, 'i> Reader<'a, 'i> {
    pub(super) fn at(&self, node: Node, origin: String) -> At {
        At {
            line: line_of(self.doc, node),
            origin,
        }
    }

    fn note(&mut self, at: &At, message: impl Into<String>) {
        self.notes.push(Note {
            line: at.line,
            origin: at.origin.clone(),
            message: message.into(),
        });
    }

    fn asset(&self, node: Node, at: &At) -> Result<&Asset<'a>, ImportError> {
        let id = node.attribute("ref").unwrap_or("");
        self.resources.assets.get(id).ok_or_else(|| {
            at.error(format!(
                "<{}> refers to \"{id}\", which is not an asset in the resources",
                node.tag_name().name()
            ))
        })
    }

    fn media(&self, node: Node, asset: &Asset) -> MediaRef {
        MediaRef {
            reel: None,
            clip_name: asset.name.or(node.attribute("name")).map(String::from),
            path: asset.src.map(String::from),
        }
    }

    /// The spine's items as picture events.
    pub(super) fn spine(&mut self, spine: Node<'a, 'i>) -> Result<Vec<Event>, ImportError> {
        let mut pieces = Vec::new();
        // Where reel's timeline starts in the sequence's time (the first
        // item's offset), and where the next item starts.
        let origin = match elements(spine).next() {
            Some(first) => {
                let at = self.at(first, describe(first, 1));
                time_attr(first, "offset", &at)?.unwrap_or(zero())
            }
            None => zero(),
        };
        let mut pos = origin;
        let first_sound = self.sounds.len();
        let first_title = self.titles.len();
        for (i, node) in elements(spine).enumerate() {
            let at = self.at(node, describe(node, i + 1));
            let offset = time_attr(node, "offset", &at)?;
            if node.has_tag_name("transition") {
                pieces.push(Piece::Transition(self.transition(node, &at, offset, pos)?));
                continue;
            }
            if let Some(offset) = offset.filter(|o| *o != pos) {
                self.note(
                    &at,
                    format!(
                        "starts at {} s, not where the item before it ends ({} s): placed after it",
                        secs(offset),
                        secs(pos)
                    ),
                );
            }
            let event = self.item(node, &at, pos - origin)?;
            pos += event.duration;
            pieces.push(Piece::Item(event));
        }
        let placed = place(pieces)?;
        // The timeline starts at its first event (before the spine's start
        // when it opens with a transition reaching back).
        let start = placed.first().map_or(zero(), |p| p.start);
        for sound in &mut self.sounds[first_sound..] {
            sound.at -= start;
        }
        for title in &mut self.titles[first_title..] {
            title.at -= start;
        }
        Ok(placed.into_iter().map(|p| p.event).collect())
    }

    /// A transition around the edit point `edit`.
    fn transition(
        &mut self,
        node: Node,
        at: &At,
        offset: Option<Ratio>,
        edit: Ratio,
    ) -> Result<Transition, ImportError> {
        let offset = offset.ok_or_else(|| at.error("the transition has no offset"))?;
        let duration = time_attr(node, "duration", at)?
            .ok_or_else(|| at.error("the transition has no duration"))?;
        let before = edit - offset;
        let after = duration - before;
        if before < zero() || after < zero() {
            return Err(at.error(format!(
                "the transition ({} s from {} s) does not span the edit point at {} s",
                secs(duration),
                secs(offset),
                secs(edit)
            )));
        }
        let name = node.attribute("name").unwrap_or("");
        // reel names its transitions by their reel kind (`wipeleft`).
        let reel_name =
            (!name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase())).then_some(name);
        let reel_kind = reel_name.and_then(transition_kind);
        if let (Some(name), None) = (reel_name, reel_kind) {
            self.note(at, unknown_kind(name));
        } else if name != "Cross Dissolve" && reel_kind.is_none() {
            self.note(
                at,
                format!("transition \"{name}\" is played as a crossfade"),
            );
        }
        Ok(Transition {
            kind: reel_kind.unwrap_or(TransitionKind::Crossfade),
            before,
            after,
            origin: at.origin.clone(),
            line: at.line,
        })
    }

    /// A spine item as a picture event; `pos` is where it starts on reel's
    /// timeline. Sounds and notes for what it carries are recorded too.
    fn item(&mut self, node: Node<'a, 'i>, at: &At, pos: Ratio) -> Result<Event, ImportError> {
        // An audition plays its first pick.
        let pick = match node.tag_name().name() {
            "audition" => elements(node).next().unwrap_or(node),
            _ => node,
        };
        let duration = time_attr(pick, "duration", at)?
            .ok_or_else(|| at.error(format!("<{}> has no duration", pick.tag_name().name())))?;
        let start = time_attr(pick, "start", at)?.unwrap_or(zero());
        let mut own_audio = None;
        let event = match pick.tag_name().name() {
            "asset-clip" | "video" | "audio" => self.asset_item(pick, at, start, duration, pos)?,
            "clip" | "sync-clip" => {
                let (event, picture) = self.clip(pick, at, start, duration)?;
                own_audio = picture;
                event
            }
            "gap" => black(&at.origin, at.line, duration),
            "title" => {
                self.title(pick, at, pos, duration);
                black(&at.origin, at.line, duration)
            }
            "ref-clip" => {
                self.note(at, "compound clips are not read: shown as black");
                black(&at.origin, at.line, duration)
            }
            "mc-clip" => {
                self.note(at, "multicam clips are not read: shown as black");
                black(&at.origin, at.line, duration)
            }
            other => {
                self.note(at, format!("<{other}> is not read: shown as black"));
                black(&at.origin, at.line, duration)
            }
        };
        self.attached(pick, at, pos, start, own_audio)?;
        Ok(event)
    }

    /// An `asset-clip`, `video` or `audio` in the spine.
    fn asset_item(
        &mut self,
        node: Node,
        at: &At,
        start: Ratio,
        duration: Ratio,
        pos: Ratio,
    ) -> Result<Event, ImportError> {
        let tag = node.tag_name().name();
        if tag == "video"
            && !self
                .resources
                .assets
                .contains_key(node.attribute("ref").unwrap_or(""))
        {
            self.note(at, "generated video (not a media file) is shown as black");
            return Ok(black(&at.origin, at.line, duration));
        }
        let asset = self.asset(node, at)?;
        let enable = node.attribute("srcEnable").unwrap_or("all");
        let picture = tag != "audio" && asset.has_video && enable != "audio";
        let sound = tag != "video" && asset.has_audio && enable != "video";
        let media = self.media(node, asset);
        let (source_in, speed) = self.retime(node, start, at)?;
        // A backwards clip starts at its latest frame; `source_in` is its
        // earliest.
        let source_in = if speed < zero() {
            source_in + duration * speed
        } else {
            source_in
        };
        if picture {
            return Ok(Event {
                origin: at.origin.clone(),
                line: at.line,
                media: Media::File(media),
                source_in,
                duration,
                speed,
                transition: None,
                audio: sound,
            });
        }
        if sound {
            if speed != one() {
                self.note(at, "the speed change of a sound is not applied");
            }
            self.sounds.push(SoundEvent {
                origin: at.origin.clone(),
                line: at.line,
                media,
                source_in,
                at: pos,
                duration,
            });
        }
        Ok(black(&at.origin, at.line, duration))
    }

    /// A `clip` or `sync-clip`: the picture of its first `video` or
    /// `asset-clip` outside a lane. Also returns that picture's asset id.
    fn clip(
        &mut self,
        node: Node<'a, 'i>,
        at: &At,
        start: Ratio,
        duration: Ratio,
    ) -> Result<(Event, Option<&'a str>), ImportError> {
        let picture = elements(node).find(|c| {
            !c.has_attribute("lane") && (c.has_tag_name("video") || c.has_tag_name("asset-clip"))
        });
        let Some(picture) = picture else {
            self.note(at, "the clip has no picture reel reads: shown as black");
            return Ok((black(&at.origin, at.line, duration), None));
        };
        let asset = self.asset(picture, at)?;
        let media = self.media(node, asset);
        let asset_has_audio = asset.has_audio;
        let picture_ref = picture.attribute("ref");
        if child(picture, "timeMap").is_some() {
            self.note(at, "the speed change inside the clip is not applied");
        }
        // `inner` is the clip's own time at its first frame; the picture
        // plays from its `start` at its `offset` in that time.
        let (inner, speed) = self.retime(node, start, at)?;
        let picture_offset = time_attr(picture, "offset", at)?.unwrap_or(zero());
        let picture_start = time_attr(picture, "start", at)?.unwrap_or(zero());
        let audio = asset_has_audio && self.clip_sound(node, picture, start, duration, at)?;
        let event = Event {
            origin: at.origin.clone(),
            line: at.line,
            media: Media::File(media),
            source_in: picture_start + inner - picture_offset,
            duration,
            speed,
            transition: None,
            audio,
        };
        Ok((event, picture_ref))
    }

    /// Whether a clip's own sound plays with its picture: an asset clip
    /// carries it; otherwise an `audio` of the same asset must be in the
    /// clip, either outside a lane or in a connected item that spans the
    /// clip exactly.
    fn clip_sound(
        &mut self,
        node: Node,
        picture: Node,
        start: Ratio,
        duration: Ratio,
        at: &At,
    ) -> Result<bool, ImportError> {
        if picture.has_tag_name("asset-clip") {
            return Ok(picture.attribute("srcEnable") != Some("video"));
        }
        let own = picture.attribute("ref");
        for c in elements(node) {
            let has_own_audio = c
                .descendants()
                .any(|d| d.has_tag_name("audio") && d.attribute("ref") == own);
            if !has_own_audio {
                continue;
            }
            if !c.has_attribute("lane") {
                return Ok(true);
            }
            if time_attr(c, "offset", at)? == Some(start)
                && time_attr(c, "duration", at)? == Some(duration)
            {
                return Ok(true);
            }
            self.note(
                at,
                "its sound is moved against its picture (a split edit): the clip's sound is not used",
            );
            return Ok(false);
        }
        Ok(false)
    }

    /// The source time of an item's first frame and its speed, from its
    /// `timeMap`: `time` is the item's own time, `value` the source time.
    /// Without one, the source time is `start` itself at speed 1.
    fn retime(&mut self, node: Node, start: Ratio, at: &At) -> Result<(Ratio, Ratio), ImportError> {
        let Some(map) = child(node, "timeMap") else {
            return Ok((start, one()));
        };
        let mut points = Vec::new();
        for p in elements(map).filter(|n| n.has_tag_name("timept")) {
            let time = time_attr(p, "time", at)?;
            let value = time_attr(p, "value", at)?;
            match (time, value) {
                (Some(t), Some(v)) => points.push((t, v)),
                _ => return Err(at.error("a timept needs a time and a value")),
            }
        }
        if points.len() < 2 {
            self.note(at, "a timeMap with fewer than two points is not applied");
            return Ok((start, one()));
        }
        if points.windows(2).any(|w| w[1].0 <= w[0].0) {
            return Err(at.error("the times of a timeMap's points must increase"));
        }
        // The segment the item starts in.
        let k = points
            .windows(2)
            .position(|w| w[1].0 > start)
            .unwrap_or(points.len() - 2);
        let ((t0, v0), (t1, v1)) = (points[k], points[k + 1]);
        let speed = (v1 - v0) / (t1 - t0);
        let constant = points
            .windows(2)
            .all(|w| (w[1].1 - w[0].1) == speed * (w[1].0 - w[0].0));
        if !constant {
            self.note(
                at,
                format!(
                    "speed ramps are not supported: the clip plays at {}x throughout",
                    secs(speed)
                ),
            );
        }
        Ok((v0 + (start - t0) * speed, speed))
    }

    /// What an item carries besides its media: connected items (children
    /// with a lane), markers, effects, adjustments, a rate conform. `pos` is
    /// where the item starts on reel's timeline and `start` the item's own
    /// time there. Connected items holding the sound of `own_audio` (the
    /// clip's picture asset) belong to the clip and are skipped.
    fn attached(
        &mut self,
        node: Node<'a, 'i>,
        at: &At,
        pos: Ratio,
        start: Ratio,
        own_audio: Option<&str>,
    ) -> Result<(), ImportError> {
        let mut markers = Vec::new();
        for c in elements(node) {
            let tag = c.tag_name().name();
            if let Some(lane) = c.attribute("lane") {
                let own = own_audio.is_some_and(|r| {
                    c.descendants()
                        .any(|d| d.has_tag_name("audio") && d.attribute("ref") == Some(r))
                });
                if !own {
                    self.connected(c, lane, at, pos, start)?;
                }
                continue;
            }
            match tag {
                "marker" | "chapter-marker" => {
                    markers.push(format!("\"{}\"", c.attribute("value").unwrap_or("")));
                }
                "filter-video" | "filter-audio" => {
                    let name = c.attribute("name").unwrap_or("");
                    self.note(at, format!("effect \"{name}\" is not applied"));
                }
                "conform-rate" => self.conform(c, at),
                _ if tag.starts_with("adjust-") => {
                    self.note(at, format!("adjustment <{tag}> is not applied"));
                }
                _ => {}
            }
        }
        if let Some(note) = markers_note(&markers) {
            self.note(at, note);
        }
        Ok(())
    }

    /// A title: a reel text layer with its words, at `pos` on the timeline.
    fn title(&mut self, node: Node, at: &At, pos: Ratio, duration: Ratio) {
        let text = title_text(node);
        if text.is_empty() {
            self.note(at, title_note(node));
            return;
        }
        self.note(
            at,
            format!("title drawn as a reel text layer (its font and position are reel's title style): \"{text}\""),
        );
        self.titles.push(Title {
            origin: at.origin.clone(),
            line: at.line,
            text,
            at: pos,
            duration,
        });
    }

    /// A connected item: a sound when it is sound only, else a note.
    fn connected(
        &mut self,
        c: Node,
        lane: &str,
        at: &At,
        pos: Ratio,
        start: Ratio,
    ) -> Result<(), ImportError> {
        let tag = c.tag_name().name();
        let name = c.attribute("name").unwrap_or("");
        let sound_only = match tag {
            "audio" => true,
            "asset-clip" => {
                let asset = self.asset(c, at)?;
                !asset.has_video || c.attribute("srcEnable") == Some("audio")
            }
            _ => false,
        };
        if tag == "title" {
            let missing = |key: &str| at.error(format!("title \"{name}\" has no {key}"));
            let offset = time_attr(c, "offset", at)?.ok_or_else(|| missing("offset"))?;
            let duration = time_attr(c, "duration", at)?.ok_or_else(|| missing("duration"))?;
            let title_at = At {
                origin: format!("title \"{name}\" on {}", at.origin),
                line: line_of(self.doc, c),
            };
            self.title(c, &title_at, pos + offset - start, duration);
            return Ok(());
        }
        if !sound_only {
            let message = if name.is_empty() {
                format!("connected <{tag}> (lane {lane}) is not rendered")
            } else {
                format!("connected <{tag}> \"{name}\" (lane {lane}) is not rendered")
            };
            self.note(at, message);
            return Ok(());
        }
        let asset = self.asset(c, at)?;
        if !asset.has_audio {
            return Ok(());
        }
        let media = self.media(c, asset);
        let missing = |key: &str| at.error(format!("connected <{tag}> \"{name}\" has no {key}"));
        let offset = time_attr(c, "offset", at)?.ok_or_else(|| missing("offset"))?;
        let duration = time_attr(c, "duration", at)?.ok_or_else(|| missing("duration"))?;
        let source_in = time_attr(c, "start", at)?.unwrap_or(zero());
        if child(c, "timeMap").is_some() {
            self.note(
                at,
                format!("the speed change of connected sound \"{name}\" is not applied"),
            );
        }
        self.sounds.push(SoundEvent {
            origin: format!("connected {tag} \"{name}\" on {}", at.origin),
            line: line_of(self.doc, c),
            media,
            source_in,
            at: pos + offset - start,
            duration,
        });
        Ok(())
    }

    /// Notes a `conform-rate` that changes the speed: one that scales from a
    /// source rate other than the sequence's.
    fn conform(&mut self, c: Node, at: &At) {
        let scaled = c.attribute("scaleEnabled") != Some("0");
        let source = c.attribute("srcFrameRate").and_then(|r| parse_rate(r).ok());
        if let (true, Some(source), Some(fps)) = (scaled, source, self.fps) {
            if source != fps {
                self.note(
                    at,
                    format!(
                        "its media is conformed from {} fps to {} fps, which changes its speed; \
                         reel plays it at its own speed",
                        fmt_rate(source),
                        fmt_rate(fps)
                    ),
                );
            }
        }
    }
}
