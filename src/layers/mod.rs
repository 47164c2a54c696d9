//! On-screen graphics, laid out frame-exactly: text layers, cards' titles,
//! burned-in captions and image overlays. Pure: the planner's timeline,
//! the fonts and the caption cues in, [`Layers`] out, and the ASS script
//! libass draws a segment's text from. No FFmpeg calls.
//!
//! Rules (see `docs/edl.md`):
//! - a layer shows on output frames `round(start*fps) <= n < round(end*fps)`;
//! - frame `j` of an `n`-frame fade has weight `(j+1)/(n+1)`, as video fades;
//! - every text is placed here, once for its whole life, so that where it
//!   sits never depends on where segments are cut: texts in the same
//!   bottom (or top) row that are on screen together stack, captions above
//!   the others, later cues above earlier ones;
//! - the script counts frames: one centisecond of script time per frame,
//!   counted from the segment's first frame, so every event starts and ends
//!   exactly on its frames whatever the frame rate.
//!
//! `model` holds the types, `place` lays every layer out (cards' titles,
//! texts, overlays, caption tracks, then stacking), and `script` writes
//! the ASS script.

mod model;
mod place;
mod script;

pub use model::{
    CueFile, Draw, Graphics, ImageDraw, ImageSize, Layer, Layers, TextDraw, Timeline, Track,
    VoiceWindow,
};
pub use place::build;
pub use script::script;
