//! FCPXML 1.10.

use super::layout::{file_url, frames, media_name, pieces, sound_lanes, source_at, Fade, Piece};
use crate::edl::TransitionKind;
use crate::interchange::{Media, MediaRef, Timeline};
use crate::time::Ratio;
use std::fmt::Write;

/// Final Cut Pro's Cross Dissolve.
pub(super) const CROSS_DISSOLVE_UID: &str = "FxPlug:4731E73A-8DAC-4113-9A30-AE85B1761265";

/// The timeline as FCPXML 1.10: one format (`fps`, `size`), one asset per
/// media file, and a project whose spine holds the picture events
/// (`asset-clip`s, black as `gap`s) with a Cross Dissolve `transition`
/// centred on each cut as in OTIO. Events whose own sound is not used have
/// `srcEnable="video"`. A clip's `start` is the source time of its first
/// frame; one played at another speed carries a linear `timeMap` from its
/// local time to its source time, equal at `start` and reaching the
/// source time of its cut out `duration` later (backwards: decreasing;
/// frozen: constant). Sounds are connected audio clips below the spine.
///
/// Times are exact fractions of a second (`1001/30000s`), each a whole
/// number of frames at `fps`: every time is rounded to the nearest frame.
/// An asset starts at `0s` and lasts up to the latest source time used.
pub fn fcpxml(t: &Timeline, fps: Ratio, size: (u32, u32)) -> String {
    let w = Writer::new(t, fps);
    let name = escape(t.name.as_deref().unwrap_or("reel"));
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE fcpxml>\n");
    x.push_str("<fcpxml version=\"1.10\">\n  <resources>\n");
    w.resources(&mut x, size);
    x.push_str("  </resources>\n  <library>\n");
    writeln!(
        x,
        "    <event name=\"{name}\">\n      <project name=\"{name}\">"
    )
    .unwrap();
    w.sequence(&mut x);
    x.push_str("      </project>\n");
    x.push_str("    </event>\n  </library>\n</fcpxml>\n");
    x
}

/// What every part of the document needs: the picture laid out and the
/// assets it uses.
struct Writer<'a> {
    t: &'a Timeline,
    fps: Ratio,
    pieces: Vec<Piece<'a>>,
    assets: Vec<Asset<'a>>,
}

impl<'a> Writer<'a> {
    fn new(t: &'a Timeline, fps: Ratio) -> Self {
        let pieces = pieces(t, fps);
        // Assets in order of first use, each long enough for every source
        // frame used (a backwards or frozen event's first frame is its latest).
        let mut assets: Vec<Asset> = Vec::new();
        for p in &pieces {
            if let Media::File(m) = &p.event.media {
                let e = p.event;
                let end = source_at(e, Ratio::from_integer(0)).max(source_at(e, e.duration));
                let end = frames(end, fps).max(frames(e.source_in, fps) + 1);
                Asset::used(&mut assets, m, true, end);
            }
        }
        for s in &t.sounds {
            let end = frames(s.source_in + s.duration, fps);
            Asset::used(&mut assets, &s.media, false, end);
        }
        Writer {
            t,
            fps,
            pieces,
            assets,
        }
    }

    fn time(&self, frames: i64) -> String {
        fcp_time(frames, self.fps)
    }

    fn asset_id(&self, m: &MediaRef) -> String {
        let n = self.assets.iter().position(|a| a.key == asset_key(m));
        format!("r{}", n.expect("every media has an asset") + 2)
    }

    fn dissolve_id(&self) -> String {
        format!("r{}", self.assets.len() + 2)
    }

    /// The format, the assets and the dissolve effect if any transition
    /// uses it.
    fn resources(&self, x: &mut String, size: (u32, u32)) {
        let (width, height) = size;
        let frame = self.time(1);
        writeln!(
            x,
            "    <format id=\"r1\" frameDuration=\"{frame}\" width=\"{width}\" height=\"{height}\"/>"
        )
        .unwrap();
        for a in &self.assets {
            let kind = if a.video {
                " hasVideo=\"1\" hasAudio=\"1\" format=\"r1\""
            } else {
                " hasAudio=\"1\""
            };
            let tag = format!(
                "asset id=\"{}\" name=\"{}\" start=\"0s\" duration=\"{}\"{kind}",
                self.asset_id(a.media),
                escape(&media_name(a.media)),
                self.time(a.end)
            );
            let inner = match &a.media.path {
                Some(path) => format!(
                    "<media-rep kind=\"original-media\" src=\"{}\"/>\n",
                    escape(&file_url(path))
                ),
                None => String::new(),
            };
            element(x, 2, &tag, &inner);
        }
        if self.pieces.iter().any(|p| p.fade.is_some()) {
            writeln!(
                x,
                "    <effect id=\"{}\" name=\"Cross Dissolve\" uid=\"{CROSS_DISSOLVE_UID}\"/>",
                self.dissolve_id()
            )
            .unwrap();
        }
    }

    /// The sequence: its spine, with the sounds hung from its items.
    fn sequence(&self, x: &mut String) {
        let length = self.length();
        let hung = self.hung_sounds();
        writeln!(
            x,
            "        <sequence format=\"r1\" duration=\"{}\" tcStart=\"0s\" tcFormat=\"NDF\" \
             audioLayout=\"stereo\" audioRate=\"48k\">",
            self.time(length)
        )
        .unwrap();
        x.push_str("          <spine>\n");
        if self.pieces.is_empty() && length > 0 {
            let tag = format!(
                "gap name=\"Gap\" offset=\"0s\" start=\"0s\" duration=\"{}\"",
                self.time(length)
            );
            element(x, 6, &tag, &hung[0]);
        }
        for (p, sounds) in self.pieces.iter().zip(&hung) {
            self.item(x, p, sounds);
            if let Some(f) = &p.fade {
                self.transition(x, p, f);
            }
        }
        x.push_str("          </spine>\n        </sequence>\n");
    }

    /// The sequence's length in frames: the picture's, or with no picture
    /// at all the sounds'.
    fn length(&self) -> i64 {
        if self.pieces.is_empty() {
            self.t
                .sounds
                .iter()
                .map(|s| frames(s.at + s.duration, self.fps))
                .max()
                .unwrap_or(0)
        } else {
            self.pieces.iter().map(|p| p.len).sum()
        }
    }

    /// The connected sound clips of each spine item. Each sound hangs from
    /// the spine item it starts in (the last one for sounds that start
    /// after the picture ends); with no picture at all, from a gap as long
    /// as the sounds.
    fn hung_sounds(&self) -> Vec<String> {
        let pieces = &self.pieces;
        let mut hung: Vec<String> = vec![String::new(); pieces.len().max(1)];
        for (lane, sounds) in sound_lanes(&self.t.sounds, self.fps)
            .into_iter()
            .enumerate()
        {
            for (at, len, s) in sounds {
                let n = pieces.iter().rposition(|p| p.at <= at).unwrap_or(0);
                // Offsets count in the parent's local time, which starts at its
                // `start`.
                let (parent_at, parent_start) = match pieces.get(n) {
                    Some(p) if p.event.media != Media::Black => (p.at, p.first),
                    Some(p) => (p.at, 0),
                    None => (0, 0),
                };
                let video = self
                    .assets
                    .iter()
                    .any(|a| a.key == asset_key(&s.media) && a.video);
                writeln!(
                    hung[n],
                    "<asset-clip ref=\"{}\" lane=\"-{}\" offset=\"{}\" name=\"{}\" start=\"{}\" \
                     duration=\"{}\"{}/>",
                    self.asset_id(&s.media),
                    lane + 1,
                    self.time(parent_start + at - parent_at),
                    escape(&media_name(&s.media)),
                    self.time(frames(s.source_in, self.fps)),
                    self.time(len),
                    if video { " srcEnable=\"audio\"" } else { "" }
                )
                .unwrap();
            }
        }
        hung
    }

    /// A spine item: a gap for black, else an asset clip (with a `timeMap`
    /// at another speed than 1), holding its connected `sounds`.
    fn item(&self, x: &mut String, p: &Piece, sounds: &str) {
        let time = |frames: i64| self.time(frames);
        match &p.event.media {
            Media::Black => {
                let tag = format!(
                    "gap name=\"Gap\" offset=\"{}\" start=\"0s\" duration=\"{}\"",
                    time(p.at),
                    time(p.len)
                );
                element(x, 6, &tag, sounds);
            }
            Media::File(m) => {
                let tag = format!(
                    "asset-clip ref=\"{}\" offset=\"{}\" name=\"{}\" start=\"{}\" duration=\"{}\"{}",
                    self.asset_id(m),
                    time(p.at),
                    escape(&media_name(m)),
                    time(p.first),
                    time(p.len),
                    if p.event.audio { "" } else { " srcEnable=\"video\"" }
                );
                let mut inner = String::new();
                if p.event.speed != Ratio::from_integer(1) {
                    let point = |at: i64, value: i64| {
                        format!(
                            "<timept time=\"{}\" value=\"{}\" interp=\"linear\"/>\n",
                            time(at),
                            time(value)
                        )
                    };
                    let points = point(p.first, p.first) + &point(p.first + p.len, p.last);
                    element(&mut inner, 0, "timeMap", &points);
                }
                inner.push_str(sounds);
                element(x, 6, &tag, &inner);
            }
        }
    }

    /// The transition `f` out of item `p`, centred on its cut.
    fn transition(&self, x: &mut String, p: &Piece, f: &Fade) {
        // A crossfade is Final Cut's Cross Dissolve; other kinds keep
        // their reel name (Final Cut plays them as the dissolve).
        let name = if f.kind == TransitionKind::Crossfade {
            "Cross Dissolve"
        } else {
            f.kind.name()
        };
        let tag = format!(
            "transition name=\"{}\" offset=\"{}\" duration=\"{}\"",
            escape(name),
            self.time(p.at + p.len - f.before),
            self.time(f.before + f.after)
        );
        let filter = format!(
            "<filter-video ref=\"{}\" name=\"Cross Dissolve\"/>\n",
            self.dissolve_id()
        );
        element(x, 6, &tag, &filter);
    }
}

/// Writes `<tag/>`, or `<tag>` with the lines of `inner` one level deeper
/// and its closing tag, indented by `level` steps of two spaces.
fn element(x: &mut String, level: usize, tag: &str, inner: &str) {
    let indent = "  ".repeat(level);
    if inner.is_empty() {
        writeln!(x, "{indent}<{tag}/>").unwrap();
        return;
    }
    writeln!(x, "{indent}<{tag}>").unwrap();
    for line in inner.lines() {
        writeln!(x, "{indent}  {line}").unwrap();
    }
    let name = tag.split(' ').next().unwrap_or(tag);
    writeln!(x, "{indent}</{name}>").unwrap();
}

/// A media file as an FCPXML asset.
struct Asset<'a> {
    key: String,
    media: &'a MediaRef,
    /// Used as picture (else only as sound).
    video: bool,
    /// The latest source frame used.
    end: i64,
}

impl<'a> Asset<'a> {
    /// Records a use of `media` up to source frame `end`.
    fn used(assets: &mut Vec<Asset<'a>>, media: &'a MediaRef, video: bool, end: i64) {
        let key = asset_key(media);
        match assets.iter_mut().find(|a| a.key == key) {
            Some(a) => {
                a.video |= video;
                a.end = a.end.max(end);
            }
            None => assets.push(Asset {
                key,
                media,
                video,
                end,
            }),
        }
    }
}

/// What makes two media the same asset: the file, else the names.
fn asset_key(m: &MediaRef) -> String {
    match &m.path {
        Some(path) => path.clone(),
        None => format!("{:?}/{:?}", m.reel, m.clip_name),
    }
}

/// A frame count as FCPXML time: reduced seconds, `N/Ds` or `Ns`.
pub(super) fn fcp_time(frames: i64, fps: Ratio) -> String {
    let t = Ratio::from_integer(frames) / fps;
    if t.is_integer() {
        format!("{}s", t.numer())
    } else {
        format!("{}/{}s", t.numer(), t.denom())
    }
}

/// Text safe inside an XML attribute.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}
