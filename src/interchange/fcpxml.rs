//! Final Cut Pro XML (`.fcpxml`, versions 1.8 to 1.11).
//!
//! What is read: the first project (`library/event/project`, `event/project`
//! or `project`), its sequence's format (frame rate and size) and the
//! items of its primary storyline (`spine`), in order:
//!
//! - `asset-clip`: its asset's media (`src`, or the `media-rep` of kind
//!   `original-media`); `start` is the source time of its first frame (in
//!   the asset's own time; nothing is subtracted here). Its sound is used
//!   when the asset has audio and `srcEnable` does not leave it out.
//! - `clip` and `sync-clip`: the picture of their first `video` or
//!   `asset-clip` child outside any lane; their sound is used when it is
//!   in sync with the picture (an `audio` of the same asset, not moved
//!   against the clip).
//! - `video` referring to an asset: picture only. `audio`, and asset clips
//!   of sound only: black picture and a [`SoundEvent`].
//! - `gap`: black. `transition`: see below (played as a crossfade; other
//!   names than "Cross Dissolve" are noted).
//! - `audition`: its first (active) pick.
//! - `ref-clip` (compound clip), `mc-clip` (multicam), `title` and any other
//!   element: black, with a note.
//!
//! Speed: a `timeMap` with points on one line gives a constant speed (the
//! change in `value`, source time, over the change in `time`, the clip's
//! time); a ramp is noted and played at the speed where the clip starts.
//! A `conform-rate` that changes the speed is noted, not applied.
//!
//! Items connected to a spine item (children with a `lane`): sound-only ones
//! become [`SoundEvent`]s; the rest (connected clips, titles, secondary
//! storylines) are noted and not rendered. Markers, effects (`filter-*`)
//! and adjustments (`adjust-*`) are noted.
//!
//! # Transitions
//!
//! A `transition` sits in the spine between the two items it joins, at
//! `offset` for `duration`, around the edit point (centred by default).
//! Both sides use media handles: the part before the edit point is
//! `edit - offset`, the part after it `duration` less that. It is applied
//! as an OpenTimelineIO transition with those lengths as `in_offset` and
//! `out_offset` (see [`super::otio`]): the outgoing event runs on by the
//! part after the edit, the incoming one starts earlier by the part before
//! it, and the spine keeps its length.
//!
//! # Safety
//!
//! roxmltree never fetches external DTDs or entities, and it bounds how
//! deeply entities nest, but not how much text repeated references to one
//! entity expand to. FCPXML never declares entities, so a file that does is
//! refused before it is parsed. roxmltree also recurses once per nested
//! element, so elements nested deeper than [`MAX_DEPTH`] are refused before
//! parsing as well. The number of nodes is bounded too.

use std::collections::HashMap;

use roxmltree::{Document, Node, ParsingOptions};

use super::place::{black, markers_note, one, place, secs, zero, Piece, Transition};
use super::{Event, ImportError, Media, MediaRef, Note, SoundEvent, Timeline, Title};
use crate::time::{fmt_rate, parse_decimal, parse_rate, Ratio};

/// At most this many XML nodes: far more than any real project.
const NODES_LIMIT: u32 = 1_000_000;

/// At most this many elements nested in each other. roxmltree parses
/// nested elements recursively, so a deeply nested file would overflow the
/// stack; FCPXML nests a few dozen levels at most.
const MAX_DEPTH: usize = 256;

/// Reads an `.fcpxml` file.
pub fn parse(text: &str) -> Result<Timeline, ImportError> {
    if let Some(at) = text.find("<!ENTITY") {
        let line = text[..at].matches('\n').count() + 1;
        return Err(ImportError::new(
            line,
            "",
            "the file declares XML entities (<!ENTITY ...>), which reel does not read \
             (FCPXML files declare none)",
        ));
    }
    check_depth(text)?;
    let options = ParsingOptions {
        allow_dtd: true,
        nodes_limit: NODES_LIMIT,
    };
    let doc = Document::parse_with_options(text, options).map_err(|e| xml_error(&e))?;
    let root = doc.root_element();
    let file = At {
        line: line_of(&doc, root),
        origin: String::new(),
    };
    if root.tag_name().name() != "fcpxml" {
        return Err(file.error(format!(
            "not an FCPXML file: the root element is <{}>, not <fcpxml>",
            root.tag_name().name()
        )));
    }
    let mut notes = Vec::new();
    check_version(root, &file, &mut notes)?;

    let projects = projects(root);
    let project = *projects.first().ok_or_else(|| {
        file.error("the file has no project (library/event/project/sequence/spine)")
    })?;
    let name = project.attribute("name").map(String::from);
    if projects.len() > 1 {
        notes.push(Note {
            line: line_of(&doc, project),
            origin: String::new(),
            message: format!(
                "the file holds {} projects; reel reads the first, \"{}\"",
                projects.len(),
                name.as_deref().unwrap_or("")
            ),
        });
    }
    let project_at = At {
        line: line_of(&doc, project),
        origin: format!("project \"{}\"", name.as_deref().unwrap_or("")),
    };
    let sequence = child(project, "sequence")
        .ok_or_else(|| project_at.error("the project has no sequence"))?;
    let spine =
        child(sequence, "spine").ok_or_else(|| project_at.error("the sequence has no spine"))?;

    let mut reader = Reader {
        doc: &doc,
        resources: Resources::read(root),
        fps: None,
        notes,
        sounds: Vec::new(),
        titles: Vec::new(),
    };
    let mut size = None;
    if let Some(format) = sequence
        .attribute("format")
        .and_then(|id| reader.resources.formats.get(id).copied())
    {
        let at = reader.at(format, "the sequence's format".to_string());
        if let Some(frame) = time_attr(format, "frameDuration", &at)? {
            if frame > zero() {
                reader.fps = Some(frame.recip());
            }
        }
        let dimension = |key: &str| format.attribute(key).and_then(|v| v.parse::<u32>().ok());
        if let (Some(w), Some(h)) = (dimension("width"), dimension("height")) {
            size = Some((w, h));
        }
    }
    let events = reader.spine(spine)?;
    Ok(Timeline {
        name,
        fps: reader.fps,
        size,
        events,
        sounds: reader.sounds,
        titles: reader.titles,
        notes: reader.notes,
    })
}

/// Refuses elements nested deeper than [`MAX_DEPTH`], before roxmltree
/// parses them. In well-formed XML only markup contains `<`, so a scan
/// that skips comments, CDATA, processing instructions and declarations,
/// and reads quoted attribute values whole, finds every start and end tag.
/// Anything malformed is left for roxmltree to report.
fn check_depth(text: &str) -> Result<(), ImportError> {
    let mut depth: usize = 0;
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let skip_to = [("!--", "-->"), ("![CDATA[", "]]>"), ("?", "?>"), ("!", ">")]
            .into_iter()
            .find(|(start, _)| rest.starts_with(start))
            .map(|(_, end)| end);
        if let Some(end) = skip_to {
            match rest.find(end) {
                Some(at) => rest = &rest[at + end.len()..],
                None => return Ok(()),
            }
            continue;
        }
        if let Some(after) = rest.strip_prefix('/') {
            depth = depth.saturating_sub(1);
            rest = after;
            continue;
        }
        // A start tag: it ends at the first `>` outside a quoted value.
        let mut quote = None;
        let Some(end) = rest.bytes().position(|b| match quote {
            Some(q) => {
                if b == q {
                    quote = None;
                }
                false
            }
            None if b == b'"' || b == b'\'' => {
                quote = Some(b);
                false
            }
            None => b == b'>',
        }) else {
            return Ok(());
        };
        if !rest[..end].ends_with('/') {
            depth += 1;
            if depth > MAX_DEPTH {
                let offset = text.len() - rest.len();
                let line = text[..offset].matches('\n').count() + 1;
                return Err(ImportError::new(
                    line,
                    "",
                    format!("elements are nested more than {MAX_DEPTH} deep"),
                ));
            }
        }
        rest = &rest[end + 1..];
    }
    Ok(())
}

fn xml_error(e: &roxmltree::Error) -> ImportError {
    let pos = e.pos();
    // The message without roxmltree's " at L:C".
    let message = e.to_string().replace(&format!(" at {pos}"), "");
    ImportError {
        line: pos.row as usize,
        column: pos.col as usize,
        origin: String::new(),
        message: format!("not valid XML: {message}"),
    }
}

/// Accepts FCPXML 1.8 to 1.11 as is, and 1.5 or later with a note.
fn check_version(root: Node, at: &At, notes: &mut Vec<Note>) -> Result<(), ImportError> {
    let text = root.attribute("version").unwrap_or("");
    let version = text
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)));
    match version {
        Some((1, 8..=11)) => Ok(()),
        Some((1, minor)) if minor >= 5 => {
            notes.push(Note {
                line: at.line,
                origin: String::new(),
                message: format!(
                    "FCPXML {text}: reel is written for versions 1.8 to 1.11 and reads it the same way"
                ),
            });
            Ok(())
        }
        _ => Err(at.error(format!(
            "FCPXML version \"{text}\" is not one reel reads (1.8 to 1.11; \
             other versions from 1.5 on with a note)"
        ))),
    }
}

/// The projects in the file, in the places FCPXML puts them.
fn projects<'a, 'i>(root: Node<'a, 'i>) -> Vec<Node<'a, 'i>> {
    let mut found = Vec::new();
    for node in elements(root) {
        match node.tag_name().name() {
            "project" => found.push(node),
            "event" => found.extend(elements(node).filter(|n| n.has_tag_name("project"))),
            "library" => {
                for event in elements(node).filter(|n| n.has_tag_name("event")) {
                    found.extend(elements(event).filter(|n| n.has_tag_name("project")));
                }
            }
            _ => {}
        }
    }
    found
}

fn elements<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(Node::is_element)
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    elements(node).find(|n| n.has_tag_name(name))
}

fn line_of(doc: &Document, node: Node) -> usize {
    doc.text_pos_at(node.range().start).row as usize
}

/// An FCPXML time: `1001/30000s`, `5s` (a decimal such as `1.5s` is taken
/// too).
fn parse_time(text: &str) -> Option<Ratio> {
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
fn time_attr(node: Node, key: &str, at: &At) -> Result<Option<Ratio>, ImportError> {
    match node.attribute(key) {
        None => Ok(None),
        Some(text) => parse_time(text).map(Some).ok_or_else(|| {
            at.error(format!(
                "invalid time {key}=\"{text}\" (expected e.g. \"1001/30000s\" or \"5s\")"
            ))
        }),
    }
}

/// Where in the file something is, for errors and notes.
struct At {
    line: usize,
    origin: String,
}

impl At {
    fn error(&self, message: impl Into<String>) -> ImportError {
        ImportError::new(self.line, self.origin.clone(), message)
    }
}

/// A media file the resources define.
struct Asset<'a> {
    name: Option<&'a str>,
    src: Option<&'a str>,
    has_video: bool,
    has_audio: bool,
}

struct Resources<'a, 'i> {
    formats: HashMap<&'a str, Node<'a, 'i>>,
    assets: HashMap<&'a str, Asset<'a>>,
}

impl<'a, 'i> Resources<'a, 'i> {
    fn read(root: Node<'a, 'i>) -> Self {
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

struct Reader<'a, 'i> {
    doc: &'a Document<'i>,
    resources: Resources<'a, 'i>,
    /// The sequence's frame rate.
    fps: Option<Ratio>,
    notes: Vec<Note>,
    sounds: Vec<SoundEvent>,
    titles: Vec<Title>,
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
    fn at(&self, node: Node, origin: String) -> At {
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
    fn spine(&mut self, spine: Node<'a, 'i>) -> Result<Vec<Event>, ImportError> {
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
        let reel_kind =
            (!name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase())).then_some(name);
        if name != "Cross Dissolve" && reel_kind.is_none() {
            self.note(
                at,
                format!("transition \"{name}\" is played as a crossfade"),
            );
        }
        Ok(Transition {
            kind: reel_kind.unwrap_or("crossfade").to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    const SAMPLE: &str = "/work/shared/interchange/samples/fcpx_project.fcpxml";

    fn s(n: i64) -> Ratio {
        Ratio::from_integer(n)
    }

    fn path(e: &Event) -> Option<&str> {
        match &e.media {
            Media::File(m) => m.path.as_deref(),
            Media::Black => None,
        }
    }

    /// A document with one project whose spine is `spine`.
    fn document(version: &str, spine: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE fcpxml>
<fcpxml version="{version}">
  <resources>
    <format id="r1" name="FFVideoFormat1080p2997" frameDuration="1001/30000s" width="1920" height="1080"/>
    <asset id="r2" name="A" start="3600s" duration="100s" hasVideo="1" hasAudio="1" format="r1">
      <media-rep kind="original-media" src="file:///media/A.mov"/>
    </asset>
    <asset id="r3" name="B" start="0s" duration="100s" hasVideo="1" format="r1" src="file:///media/B.mov"/>
    <asset id="r4" name="Music" start="0s" duration="300s" hasAudio="1" src="file:///media/music.wav"/>
  </resources>
  <library>
    <event name="Day 1">
      <project name="Cut">
        <sequence format="r1" tcStart="0s">
          <spine>
{spine}
          </spine>
        </sequence>
      </project>
    </event>
  </library>
</fcpxml>
"#
        )
    }

    const SPINE: &str = r#"            <asset-clip name="Interview" ref="r2" offset="0s" start="3610s" duration="5s">
              <asset-clip name="Score" ref="r4" lane="-1" offset="3611s" start="2s" duration="3s"/>
              <title name="Lower third" lane="1" offset="3610s" duration="2s">
                <text><text-style ref="ts1">Jane Doe</text-style></text>
              </title>
            </asset-clip>
            <transition name="Cross Dissolve" offset="4s" duration="2s"/>
            <asset-clip name="Fast" ref="r3" offset="5s" start="20s" duration="4s">
              <timeMap>
                <timept time="0s" value="0s" interp="linear"/>
                <timept time="100s" value="200s" interp="linear"/>
              </timeMap>
            </asset-clip>
            <gap name="Gap" offset="9s" start="3600s" duration="1s"/>
            <asset-clip name="Backwards" ref="r3" offset="10s" start="2s" duration="2s">
              <timeMap>
                <timept time="0s" value="50s"/>
                <timept time="50s" value="0s"/>
              </timeMap>
            </asset-clip>"#;

    #[test]
    fn spine_with_gap_transition_and_speeds() {
        let text = document("1.10", SPINE);
        let t = parse(&text).unwrap();
        assert_eq!(t.name.as_deref(), Some("Cut"));
        assert_eq!(t.fps, Some(Ratio::new(30000, 1001)));
        assert_eq!(t.size, Some((1920, 1080)));
        assert_eq!(t.events.len(), 4);
        let [interview, fast, gap, backwards] = &t.events[..] else {
            unreachable!()
        };
        // The dissolve spans 4 s to 6 s around the edit at 5 s: 1 s each side.
        assert_eq!(path(interview), Some("file:///media/A.mov"));
        assert_eq!(interview.source_in, s(3610));
        assert_eq!(interview.duration, s(5 + 1));
        assert_eq!(interview.transition, Some(("crossfade".to_string(), s(2))));
        assert!(interview.audio);
        assert_eq!(interview.origin, "asset-clip \"Interview\" (spine item 1)");
        let line = text
            .lines()
            .position(|l| l.contains("\"Interview\""))
            .unwrap()
            + 1;
        assert_eq!(interview.line, line);
        assert_eq!(path(fast), Some("file:///media/B.mov"));
        assert_eq!(fast.speed, s(2));
        // Source 40 s at its cut, reached 1 s (2 s of source) earlier.
        assert_eq!(fast.source_in, s(40 - 2));
        assert_eq!(fast.duration, s(4 + 1));
        assert!(!fast.audio);
        assert_eq!(gap.media, Media::Black);
        assert_eq!(gap.duration, s(1));
        assert_eq!(backwards.speed, s(-1));
        // Played backwards from 48 s for 2 s: its earliest frame is at 46 s.
        assert_eq!(backwards.source_in, s(46));
        assert_eq!(backwards.duration, s(2));
        assert_eq!(t.duration(), s(5 + 4 + 1 + 2));

        assert_eq!(t.sounds.len(), 1);
        let score = &t.sounds[0];
        assert_eq!(score.media.path.as_deref(), Some("file:///media/music.wav"));
        assert_eq!(score.at, s(1));
        assert_eq!(score.source_in, s(2));
        assert_eq!(score.duration, s(3));

        assert_eq!(t.notes.len(), 1, "{:?}", t.notes);
        assert!(t.notes[0].message.contains("\"Jane Doe\""), "{:?}", t.notes);
    }

    #[test]
    fn clips_take_their_picture_and_in_sync_sound() {
        let spine = r#"            <clip name="Synced" offset="0s" start="10s" duration="5s">
              <video ref="r2" offset="0s" start="3600s" duration="100s"/>
              <audio ref="r2" lane="-1" offset="10s" start="3600s" duration="5s"/>
            </clip>
            <clip name="Split" offset="5s" duration="5s">
              <video ref="r2" offset="0s" start="3600s" duration="100s"/>
              <audio ref="r2" lane="-1" offset="1s" start="3601s" duration="4s"/>
            </clip>
            <ref-clip name="Compound" ref="r9" offset="10s" duration="2s"/>"#;
        let t = parse(&document("1.9", spine)).unwrap();
        assert_eq!(t.events.len(), 3);
        assert_eq!(t.events[0].source_in, s(3610));
        assert!(t.events[0].audio);
        assert_eq!(t.events[1].source_in, s(3600));
        assert!(!t.events[1].audio);
        assert_eq!(t.events[2].media, Media::Black);
        assert_eq!(t.events[2].duration, s(2));
        assert!(t.sounds.is_empty());
        assert_eq!(t.notes.len(), 2, "{:?}", t.notes);
        assert!(t.notes[0].message.contains("split edit"));
        assert!(t.notes[1].message.contains("compound"));
    }

    #[test]
    fn xml_syntax_errors_give_line_and_column() {
        let text = "<fcpxml version=\"1.10\">\n  <resources>\n  </resourcs>\n</fcpxml>\n";
        let e = parse(text).unwrap_err();
        assert_eq!((e.line, e.column), (3, 3));
        assert!(e.message.starts_with("not valid XML"), "{e}");
        assert!(!e.message.contains("3:3"), "{e}");
    }

    #[test]
    fn entity_bomb_is_refused_quickly() {
        let mut text =
            String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE fcpxml [\n<!ENTITY lol \"lol\">\n");
        for i in 1..10 {
            let previous = if i == 1 {
                "lol".to_string()
            } else {
                format!("lol{}", i - 1)
            };
            let body = format!("&{previous};").repeat(10);
            text.push_str(&format!("<!ENTITY lol{i} \"{body}\">\n"));
        }
        text.push_str("]>\n<fcpxml version=\"1.10\">&lol9;</fcpxml>\n");
        let started = Instant::now();
        let e = parse(&text).unwrap_err();
        assert!(started.elapsed() < Duration::from_millis(500));
        assert_eq!(e.line, 3);
        assert!(e.message.contains("<!ENTITY"), "{e}");
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let text = format!(
            "<fcpxml version=\"1.10\">{}{}</fcpxml>",
            "<a>".repeat(100_000),
            "</a>".repeat(100_000)
        );
        let started = Instant::now();
        let e = parse(&text).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(e.message.contains("nested more than 256"), "{e}");
    }

    #[test]
    fn versions_outside_the_range_are_noted_or_refused() {
        let t = parse(&document("1.6", SPINE)).unwrap();
        assert!(t.notes.iter().any(|n| n.message.contains("FCPXML 1.6")));
        for version in ["2.0", "1.4", "one"] {
            let e = parse(&document(version, SPINE)).unwrap_err();
            assert!(e.message.contains("1.8 to 1.11"), "{e}");
        }
    }

    #[test]
    fn transitions_must_span_their_edit_point() {
        let spine = r#"            <asset-clip ref="r3" offset="0s" duration="5s"/>
            <transition name="Cross Dissolve" offset="5.5s" duration="1s"/>
            <asset-clip ref="r3" offset="5s" duration="5s"/>"#;
        let e = parse(&document("1.10", spine)).unwrap_err();
        assert!(e.message.contains("edit point"), "{e}");
    }

    #[test]
    fn times_are_exact() {
        assert_eq!(parse_time("1001/30000s"), Some(Ratio::new(1001, 30000)));
        assert_eq!(parse_time("5s"), Some(s(5)));
        assert_eq!(parse_time("0s"), Some(s(0)));
        assert_eq!(parse_time("1/0s"), None);
        assert_eq!(parse_time("5"), None);
    }

    #[test]
    fn sample_project() {
        let Ok(text) = std::fs::read_to_string(SAMPLE) else {
            return;
        };
        let t = parse(&text).unwrap();
        assert_eq!(t.name.as_deref(), Some("OpenTimeline_Project"));
        assert_eq!(t.fps, Some(s(30)));
        assert_eq!(t.size, Some((1920, 1080)));
        // 14 spine items, one of them a transition.
        assert_eq!(t.events.len(), 13);
        // Cross Dissolve at 9.5 s for 1 s around the edit at 10 s.
        let first = &t.events[0];
        assert_eq!(path(first), Some("file:///Volumes/Media/otio/IMG_0715.MOV"));
        assert_eq!(first.duration, Ratio::new(21, 2));
        assert_eq!(first.transition, Some(("crossfade".to_string(), s(1))));
        assert!(first.audio);
        assert_eq!(t.events[1].media, Media::Black);
        assert_eq!(t.events[1].duration, Ratio::new(21, 2));
        // Compound clips (ref-clip) are black.
        assert_eq!(t.events[8].media, Media::Black);
        assert_eq!(t.events[8].duration, s(30));
        // IMG_0233's sound is connected from 5 s on: not in sync.
        assert!(!t.events[9].audio);
        assert_eq!(t.events[10].source_in, Ratio::new(37600, 3000));
        assert!(t.events[10].audio);
        assert_eq!(t.events[11].source_in, Ratio::new(23200, 3000));
        assert!(t.events[11].audio);
        assert_eq!(t.duration(), s(150));
        assert!(t.notes.iter().any(|n| n.message.contains("\"Marker 1\"")));
        assert!(t.notes.iter().any(|n| n.message.contains("IMG_0857")));
    }
}
