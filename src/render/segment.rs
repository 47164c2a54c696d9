//! One segment rendered: each output frame's pictures decoded (or a card's
//! colour), drawn on, blended through a transition, faded, and encoded
//! into the segment's packet file.

use super::settings::cores;
use super::stats::{Stamp, Work, WorkerClock};
use super::{blend, decode, encode, graphics};
use crate::edl::TransitionKind;
use crate::error::{Context, Error, Result};
use crate::ffmpeg;
use crate::plan::{Compose, PictureSource, Plan, Segment};
use crate::progress::Progress;
use decode::{ClipReader, Damage};
use encode::SegmentEncoder;
use ffmpeg_next as ff;
use graphics::Input;
use std::collections::hash_map::{Entry, HashMap};
use std::path::Path;
use std::sync::atomic::AtomicU64;

/// Renders segment `seg` of `plan` into the packet file `path`: each frame
/// composed, then the encoder finished. Stops early, writing nothing more,
/// when `cancel` says so.
pub(super) fn render_segment<'a>(
    plan: &'a Plan,
    seg: &Segment,
    path: &Path,
    job: Job<'a>,
    cancel: &dyn Fn() -> bool,
    progress: &dyn Progress,
) -> Result<()> {
    let mut render = SegmentRender::open(plan, seg, path, job)?;
    for k in seg.frames.clone() {
        if cancel() {
            return Ok(());
        }
        crate::signal::check()?;
        render.readers.close_over(k);
        match plan.compose(k) {
            Compose::One { clip, local } => render.one(k, clip, local)?,
            Compose::Blend {
                from,
                from_local,
                to,
                to_local,
                step,
                steps,
            } => render.blend(k, (from, from_local), (to, to_local), (step, steps))?,
        }
        progress.advance(1);
    }
    render.encoder.finish()
}

/// A segment being rendered: its clips' readers, its transitions, the
/// layers drawn over its frames, and the encoder they go to.
struct SegmentRender<'a> {
    plan: &'a Plan,
    readers: Readers<'a>,
    transitions: Transitions<'a>,
    painter: graphics::Painter<'a>,
    encoder: SegmentEncoder,
    fader: Fader<'a>,
    clock: &'a WorkerClock,
}

impl<'a> SegmentRender<'a> {
    fn open(plan: &'a Plan, seg: &Segment, path: &Path, job: Job<'a>) -> Result<Self> {
        let readers = Readers::new(plan, seg, job);
        let painter = graphics::Painter::new(
            &plan.layers,
            job.setup,
            seg.index,
            seg.frames.clone(),
            &plan.output,
        );
        let encoder = SegmentEncoder::create(&plan.output, path)?;
        let transitions = Transitions::new(&plan.output)?;
        Ok(SegmentRender {
            plan,
            readers,
            transitions,
            painter,
            encoder,
            fader: Fader {
                black: None,
                output: &plan.output,
            },
            clock: job.clock,
        })
    }

    /// Frame `k` from one clip: its picture at `local`, its own layers and
    /// the segment's over it.
    fn one(&mut self, k: u64, clip: usize, local: u64) -> Result<()> {
        let SegmentRender {
            plan,
            readers,
            painter,
            encoder,
            fader,
            clock,
            ..
        } = self;
        let frame = clock.time(Work::Decode, || readers.frame(clip, local))?;
        let mut over = clock.time(Work::Blend, || -> Result<_> {
            let own = painter.paint(Some(clip), k, Input::Borrowed(frame))?;
            let under = match own {
                Some(f) => Input::Owned(f),
                None => Input::Borrowed(frame),
            };
            painter.paint(None, k, under)
        })?;
        let frame = over.as_mut().unwrap_or(frame);
        clock.time(Work::Encode, || fader.push(encoder, frame, plan.fade(k)))
    }

    /// Frame `k` within a transition from clip `from` to clip `to`, each
    /// at its local frame: both with their own layers, mixed `step` of
    /// `steps`, the segment's layers over the mix.
    fn blend(
        &mut self,
        k: u64,
        (from, from_local): (usize, u64),
        (to, to_local): (usize, u64),
        (step, steps): (u64, u64),
    ) -> Result<()> {
        let SegmentRender {
            plan,
            readers,
            transitions,
            painter,
            encoder,
            fader,
            clock,
        } = self;
        let started = Stamp::now(Work::Decode);
        let (a, b) = readers.pair((from, from_local), (to, to_local))?;
        clock.add(Work::Decode, started);
        let started = Stamp::now(Work::Blend);
        // Layers attached to a clip dissolve with it.
        let pa = painter.paint(Some(from), k, Input::Borrowed(a))?;
        let pb = painter.paint(Some(to), k, Input::Borrowed(b))?;
        let (a, b) = (pa.as_ref().unwrap_or(a), pb.as_ref().unwrap_or(b));
        let kind = plan.clips[from].transition;
        let mixed = transitions.mix(kind, from, a, b, (step, steps))?;
        let mut over = painter
            .paint(None, k, Input::Owned(mixed))?
            .expect("an owned frame comes back");
        clock.add(Work::Blend, started);
        clock.time(Work::Encode, || {
            fader.push(encoder, &mut over, plan.fade(k))
        })
    }
}

/// The readers of a segment's clips: each opened on first use, positioned
/// for the frame asked, and closed once its clip is over.
struct Readers<'a> {
    plan: &'a Plan,
    /// The clips the segment shows, by index.
    range: std::ops::Range<usize>,
    slots: Vec<Option<Picture<'a>>>,
    decoder_threads: usize,
    damage: Damage<'a>,
}

impl<'a> Readers<'a> {
    fn new(plan: &'a Plan, seg: &Segment, job: Job<'a>) -> Self {
        let range = plan.clips_in(seg);
        Readers {
            plan,
            slots: range.clone().map(|_| None).collect(),
            range,
            decoder_threads: job.decoder_threads,
            damage: job.damage,
        }
    }

    /// Closes the readers of clips that are over by frame `k`: a segment
    /// may span many short clips, and each open reader holds a decoder's
    /// frames.
    fn close_over(&mut self, k: u64) {
        for (slot, clip) in self
            .slots
            .iter_mut()
            .zip(&self.plan.clips[self.range.clone()])
        {
            if slot.is_some() && clip.timeline.end <= k {
                *slot = None;
            }
        }
    }

    /// Opens clip `clip`'s reader if it is not open, positioned for `local`.
    fn open(&mut self, clip: usize, local: u64) -> Result<()> {
        let slot = &mut self.slots[clip - self.range.start];
        if slot.is_none() {
            let c = &self.plan.clips[clip];
            let out = &self.plan.output;
            *slot = Some(match c.source.card() {
                Some(_) if c.source == PictureSource::Clear => Picture::Card(blend::black(out)?),
                Some(colour) => Picture::Card(blend::solid(out, colour)?),
                None => Picture::Media(Box::new(ClipReader::open(
                    c,
                    out,
                    local,
                    self.decoder_threads,
                    self.damage,
                )?)),
            });
        }
        Ok(())
    }

    /// Clip `clip`'s picture at its local frame `local`.
    fn frame(&mut self, clip: usize, local: u64) -> Result<&mut ff::frame::Video> {
        self.open(clip, local)?;
        self.slots[clip - self.range.start]
            .as_mut()
            .expect("opened")
            .frame(local)
    }

    /// The pictures of two clips (`from` before `to`) at their local
    /// frames, both readers opened before either is read.
    fn pair(
        &mut self,
        (from, from_local): (usize, u64),
        (to, to_local): (usize, u64),
    ) -> Result<(&mut ff::frame::Video, &mut ff::frame::Video)> {
        self.open(from, from_local)?;
        self.open(to, to_local)?;
        let (head, tail) = self.slots.split_at_mut(to - self.range.start);
        let a = head[from - self.range.start]
            .as_mut()
            .expect("opened")
            .frame(from_local)?;
        let b = tail[0].as_mut().expect("opened").frame(to_local)?;
        Ok((a, b))
    }
}

/// A segment's transitions in progress: libavfilter's `xfade` graphs by
/// the clip they leave, and dips' colour frames.
struct Transitions<'a> {
    out: &'a crate::edl::Output,
    pix: ff::format::Pixel,
    xfades: HashMap<usize, blend::Xfade>,
    colours: HashMap<[u8; 3], ff::frame::Video>,
}

impl<'a> Transitions<'a> {
    fn new(out: &'a crate::edl::Output) -> Result<Self> {
        let pix = encode::pixel_format(out).ok_or(Error::Unexpected("unknown pix_fmt"))?;
        Ok(Transitions {
            out,
            pix,
            xfades: HashMap::new(),
            colours: HashMap::new(),
        })
    }

    /// `a` and `b` mixed `step` of `steps` of the way by the transition
    /// `kind` that leaves clip `from`.
    fn mix(
        &mut self,
        kind: TransitionKind,
        from: usize,
        a: &ff::frame::Video,
        b: &ff::frame::Video,
        (step, steps): (u64, u64),
    ) -> Result<ff::frame::Video> {
        let out = self.out;
        Ok(match kind {
            TransitionKind::Xfade(kind) => {
                let x = match self.xfades.entry(from) {
                    Entry::Occupied(e) => e.into_mut(),
                    Entry::Vacant(e) => {
                        e.insert(blend::Xfade::new(kind, a, steps, &out.video.pix_fmt)?)
                    }
                };
                let mixed = x.frame(a, b, step)?;
                if step + 1 == steps {
                    // Its last picture: free the graph's buffers.
                    self.xfades.remove(&from);
                }
                mixed
            }
            TransitionKind::Dip(rgb) => {
                let colour = match self.colours.entry(rgb) {
                    Entry::Occupied(e) => e.into_mut(),
                    Entry::Vacant(e) => e.insert(blend::solid(out, rgb)?),
                };
                let mut mixed = ff::frame::Video::new(self.pix, out.width, out.height);
                blend::dip(a, b, colour, step, steps, &mut mixed)?;
                mixed
            }
            _ => {
                // A fresh frame each time: the encoder may still reference
                // the previous one.
                let mut mixed = ff::frame::Video::new(self.pix, out.width, out.height);
                blend::blend(a, b, step, steps, &mut mixed)?;
                mixed
            }
        })
    }
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
    if c.source == PictureSource::Clear {
        return blend::black(&plan.output);
    }
    if let Some(colour) = c.source.card() {
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
    ffmpeg::new_ref(frame).context(|| format!("clip {}: its picture", c.number))
}
