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
//! `out_offset` (see [`super::place`]): the outgoing event runs on by the
//! part after the edit, the incoming one starts earlier by the part before
//! it, and the spine keeps its length.
//!
//! # Safety
//!
//! roxmltree never fetches external DTDs or entities, and it bounds how
//! deeply entities nest, but not how much text repeated references to one
//! entity expand to. FCPXML never declares entities, so a file that does is
//! refused before it is parsed. roxmltree also recurses once per nested
//! element, so elements nested deeper than [`guard::MAX_DEPTH`] are refused before
//! parsing as well. The number of nodes is bounded too.

mod guard;
mod read;
#[cfg(test)]
mod tests;

use roxmltree::Node;

use super::place::zero;
use super::{ImportError, Note, Timeline};
use crate::interchange::At;
use read::{child, elements, line_of, time_attr, Reader, Resources};

/// Reads an `.fcpxml` file.
pub fn parse(text: &str) -> Result<Timeline, ImportError> {
    let doc = guard::document(text)?;
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
