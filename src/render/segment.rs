//! One segment rendered: each output frame's pictures decoded (or a card's
//! colour), drawn on, blended through a transition, faded, and encoded
//! into the segment's packet file.

use super::settings::cores;
use super::stats::{Stamp, Work, WorkerClock};
use super::{blend, decode, encode, graphics};
use crate::edl::TransitionKind;
use crate::error::{Context, Error, Result};
use crate::glue;
use crate::plan::{Compose, Plan, Segment};
use crate::progress::Progress;
use decode::{ClipReader, Damage};
use encode::SegmentEncoder;
use ffmpeg_next as ff;
use graphics::Input;
use std::collections::hash_map::{Entry, HashMap};
use std::path::Path;
use std::sync::atomic::AtomicU64;

pub(super) fn render_segment<'a>(
    plan: &'a Plan,
    seg: &Segment,
    path: &Path,
    job: Job<'a>,
    cancel: &dyn Fn() -> bool,
    progress: &dyn Progress,
) -> Result<()> {
    let range = plan.clips_in(seg);
    let mut readers: Vec<Option<Picture>> = range.clone().map(|_| None).collect();
    // Transitions by the clip they leave, and dips' colour frames.
    let mut xfades: HashMap<usize, blend::Xfade> = HashMap::new();
    let mut colours: HashMap<[u8; 3], ff::frame::Video> = HashMap::new();
    let mut painter = graphics::Painter::new(
        &plan.layers,
        job.setup,
        seg.index,
        seg.frames.clone(),
        &plan.output,
    );
    let mut encoder = SegmentEncoder::create(&plan.output, path)?;
    let clock = job.clock;
    let pix = encode::pixel_format(&plan.output).ok_or(Error::Unexpected("unknown pix_fmt"))?;
    let out = &plan.output;
    let mut fader = Fader {
        black: None,
        output: out,
    };

    // Opens a clip's reader on first use, positioned for `local`.
    let reader = |readers: &mut [Option<Picture<'a>>], clip: usize, local: u64| -> Result<()> {
        let slot = &mut readers[clip - range.start];
        if slot.is_none() {
            let c = &plan.clips[clip];
            *slot = Some(match c.card {
                Some(colour) => Picture::Card(blend::solid(out, colour)?),
                None => Picture::Media(Box::new(ClipReader::open(
                    c,
                    out,
                    local,
                    job.decoder_threads,
                    job.damage,
                )?)),
            });
        }
        Ok(())
    };

    for k in seg.frames.clone() {
        if cancel() {
            return Ok(());
        }
        crate::signal::check()?;
        // Close the readers of clips that are over: a segment may span many
        // short clips, and each open reader holds a decoder's frames.
        for (slot, clip) in readers.iter_mut().zip(&plan.clips[range.clone()]) {
            if slot.is_some() && clip.timeline.end <= k {
                *slot = None;
            }
        }
        match plan.compose(k) {
            Compose::One { clip, local } => {
                let frame = clock.time(Work::Decode, || -> Result<_> {
                    reader(&mut readers, clip, local)?;
                    readers[clip - range.start]
                        .as_mut()
                        .expect("opened")
                        .frame(local)
                })?;
                let mut over = clock.time(Work::Blend, || -> Result<_> {
                    let own = painter.paint(Some(clip), k, Input::Borrowed(frame))?;
                    let under = match own {
                        Some(f) => Input::Owned(f),
                        None => Input::Borrowed(frame),
                    };
                    painter.paint(None, k, under)
                })?;
                let frame = over.as_mut().unwrap_or(frame);
                clock.time(Work::Encode, || {
                    fader.push(&mut encoder, frame, plan.fade(k))
                })?;
            }
            Compose::Blend {
                from,
                from_local,
                to,
                to_local,
                step,
                steps,
            } => {
                let started = Stamp::now(Work::Decode);
                reader(&mut readers, from, from_local)?;
                reader(&mut readers, to, to_local)?;
                let (head, tail) = readers.split_at_mut(to - range.start);
                let a = head[from - range.start]
                    .as_mut()
                    .expect("opened")
                    .frame(from_local)?;
                let b = tail[0].as_mut().expect("opened").frame(to_local)?;
                clock.add(Work::Decode, started);
                let started = Stamp::now(Work::Blend);
                // Layers attached to a clip dissolve with it.
                let pa = painter.paint(Some(from), k, Input::Borrowed(a))?;
                let pb = painter.paint(Some(to), k, Input::Borrowed(b))?;
                let (a, b) = (pa.as_ref().unwrap_or(a), pb.as_ref().unwrap_or(b));
                let mixed = match plan.clips[from].transition {
                    TransitionKind::Xfade(kind) => {
                        let x = match xfades.entry(from) {
                            Entry::Occupied(e) => e.into_mut(),
                            Entry::Vacant(e) => {
                                e.insert(blend::Xfade::new(kind, a, steps, &out.video.pix_fmt)?)
                            }
                        };
                        let mixed = x.frame(a, b, step)?;
                        if step + 1 == steps {
                            // Its last picture: free the graph's buffers.
                            xfades.remove(&from);
                        }
                        mixed
                    }
                    TransitionKind::Dip(rgb) => {
                        let colour = match colours.entry(rgb) {
                            Entry::Occupied(e) => e.into_mut(),
                            Entry::Vacant(e) => e.insert(blend::solid(out, rgb)?),
                        };
                        let mut mixed = ff::frame::Video::new(pix, out.width, out.height);
                        blend::dip(a, b, colour, step, steps, &mut mixed)?;
                        mixed
                    }
                    _ => {
                        // A fresh frame each time: the encoder may still
                        // reference the previous one.
                        let mut mixed = ff::frame::Video::new(pix, out.width, out.height);
                        blend::blend(a, b, step, steps, &mut mixed)?;
                        mixed
                    }
                };
                let mut over = painter
                    .paint(None, k, Input::Owned(mixed))?
                    .expect("an owned frame comes back");
                clock.add(Work::Blend, started);
                clock.time(Work::Encode, || {
                    fader.push(&mut encoder, &mut over, plan.fade(k))
                })?;
            }
        }
        progress.advance(1);
    }
    encoder.finish()
}

/// What every segment's worker shares.
#[derive(Clone, Copy)]
pub(super) struct Job<'a> {
    /// Threads per decoder.
    pub(super) decoder_threads: usize,
    pub(super) damage: Damage<'a>,
    pub(super) setup: &'a graphics::Setup,
    pub(super) clock: &'a WorkerClock,
}

/// Where a clip's pictures come from: its source, or a card's colour.
enum Picture<'a> {
    Media(Box<ClipReader<'a>>),
    Card(ff::frame::Video),
}

impl Picture<'_> {
    fn frame(&mut self, local: u64) -> Result<&mut ff::frame::Video> {
        match self {
            Picture::Media(r) => r.frame(local),
            Picture::Card(f) => Ok(f),
        }
    }
}

/// Fades frames from and to black on their way to the encoder.
struct Fader<'a> {
    /// A black frame in the output format, made on first use.
    black: Option<ff::frame::Video>,
    output: &'a crate::edl::Output,
}

impl Fader<'_> {
    /// Pushes `frame`, blended `step/steps` of the way to black if `fade`.
    fn push(
        &mut self,
        encoder: &mut SegmentEncoder,
        frame: &mut ff::frame::Video,
        fade: Option<(u64, u64)>,
    ) -> Result<()> {
        let Some((step, steps)) = fade else {
            return encoder.push(frame);
        };
        if self.black.is_none() {
            self.black = Some(blend::black(self.output)?);
        }
        let black = self.black.as_ref().expect("made above");
        let mut faded = ff::frame::Video::new(frame.format(), frame.width(), frame.height());
        blend::blend(frame, black, step, steps, &mut faded)?;
        encoder.push(&mut faded)
    }
}

/// Clip `clip`'s picture at its local frame `local`, conformed to the
/// output (for stills and storyboards; damage is concealed).
pub fn still(plan: &Plan, clip: usize, local: u64) -> Result<ff::frame::Video> {
    let c = &plan.clips[clip];
    if let Some(colour) = c.card {
        return blend::solid(&plan.output, colour);
    }
    let concealed = AtomicU64::new(0);
    let damage = Damage {
        policy: decode::OnDecodeError::Conceal,
        concealed: &concealed,
    };
    let local = local.min(c.timeline.end - c.timeline.start - 1);
    let mut reader = ClipReader::open(c, &plan.output, local, cores(), damage)?;
    let frame = reader.frame(local)?;
    glue::new_ref(frame).context(|| format!("clip {}: its picture", c.number))
}
