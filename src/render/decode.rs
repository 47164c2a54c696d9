//! Reading one clip's pictures: seek, decode, pick the frame each output
//! frame shows (FFmpeg's `fps` rule with round=near), and conform it to the
//! output (size, fit, pixel format) once, through libavfilter.

use crate::colour::{Conversion, Matrix};
use crate::demux::StreamInput;
use crate::edl::{Fit, Output};
use crate::error::{self, Context, Error, Result};
use crate::ffmpeg;
use crate::plan::{ClipPlan, Geometry};
use crate::time::{self, Ratio};
use ffmpeg_next as ff;
use std::path::{Path, PathBuf};

/// A decoded source frame and the output index the `fps` rule gives it.
struct Picked {
    index: i64,
    frame: ff::frame::Video,
}

/// What to do when a clip's video is damaged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnDecodeError {
    /// Fail the render, naming the clip, the source and the time.
    #[default]
    Stop,
    /// Keep showing the last good picture, and count.
    Conceal,
}

/// The damage policy and the count of concealed pictures, shared by all
/// readers of a render.
#[derive(Clone, Copy)]
pub struct Damage<'a> {
    pub policy: OnDecodeError,
    pub concealed: &'a std::sync::atomic::AtomicU64,
}

impl Damage<'_> {
    /// Damage was found: the error under `Stop`, a count under `Conceal`.
    fn report(&self, error: impl FnOnce() -> Error) -> Result<()> {
        match self.policy {
            OnDecodeError::Stop => Err(error()),
            OnDecodeError::Conceal => {
                self.concealed
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Ok(())
            }
        }
    }
}

/// Sequential reader of a clip's output frames, starting at any local frame.
pub struct ClipReader<'a> {
    damage: Damage<'a>,
    clip: &'a ClipPlan,
    fps: Ratio,
    input: StreamInput,
    decoder: ff::decoder::Video,
    graph: Option<ff::filter::Graph>,
    output: &'a Output,
    /// Next decoded frame after `shown`, not yet due.
    pending: Option<Picked>,
    /// The frame on screen now, in source form.
    shown: Option<Picked>,
    /// `shown` conformed to the output; None when `shown` changed since.
    conformed: Option<ff::frame::Video>,
    /// Last timestamp seen, to stamp frames that lack one.
    last_pts: Option<i64>,
    eof: bool,
    /// Deinterlacer for interlaced sources (bwdif), made on the first
    /// interlaced picture; it returns each picture one picture late.
    deinterlacer: Option<ff::filter::Graph>,
    /// Deinterlaced pictures not yet taken.
    deinterlaced: std::collections::VecDeque<ff::frame::Video>,
    /// The deinterlacer has been flushed at the end of the stream.
    deinterlacer_done: bool,
    /// Time base of the deinterlacer's output (bwdif halves it).
    deinterlaced_tb: Ratio,
    /// A reversed clip's pictures, conformed: played frames
    /// `backwards_from..` in order, read forwards a stretch at a time.
    backwards: Vec<ff::frame::Video>,
    backwards_from: u64,
    /// A moving clip's last picture, and its background colour.
    moved: Option<ff::frame::Video>,
    fill: Option<ff::frame::Video>,
}

/// The most conformed pictures a reversed clip holds at once.
const BACKWARDS_FRAMES: u64 = 16;

impl<'a> ClipReader<'a> {
    /// Opens the clip's source positioned so that local frame `first` can be
    /// read next. `threads` is the decoder's thread count.
    pub fn open(
        clip: &'a ClipPlan,
        output: &'a Output,
        first: u64,
        threads: usize,
        damage: Damage<'a>,
    ) -> Result<Self> {
        let what = || format!("clip {} ({})", clip.number, clip.source);
        let path = clip.source.file().map_or(Path::new(""), PathBuf::as_path);
        let input =
            StreamInput::open_source(path, clip.video.stream, clip.video.sequence).context(what)?;
        let decoder = input
            .decoder(threads)
            .and_then(|mut d| {
                ffmpeg::show_damage(&mut d, output.draft);
                input.open_video(d)
            })
            .context(what)?;
        let mut reader = ClipReader {
            damage,
            clip,
            fps: output.fps,
            input,
            decoder,
            graph: None,
            output,
            pending: None,
            shown: None,
            conformed: None,
            last_pts: None,
            eof: false,
            deinterlacer: None,
            deinterlaced: Default::default(),
            deinterlacer_done: false,
            deinterlaced_tb: Ratio::from_integer(1),
            backwards: Vec::new(),
            backwards_from: 0,
            moved: None,
            fill: None,
        };
        if !clip.reverse {
            reader.seek_for(clip.played_frame(first))?;
        }
        Ok(reader)
    }

    /// Seeks so that decoding reaches every frame that local frame `first`
    /// could show. The keyframe found is checked; if it lies after the
    /// target (some demuxers seek by decode time), seeks further back.
    fn seek_for(&mut self, first: u64) -> Result<()> {
        // The last frame with index <= first has p < (first + 0.5) / fps * speed.
        let target =
            (Ratio::from_integer(first as i64) + Ratio::new(1, 2)) / self.fps * self.clip.speed;
        let mut back = Ratio::from_integer(0);
        loop {
            let at = self.clip.container_start + self.clip.start + target - back;
            if at <= self.clip.container_start + Ratio::new(1, 10) {
                // Near the beginning: read from the start. If an earlier
                // seek landed too late (Ogg can), go back to the start.
                if back > Ratio::from_integer(0) {
                    self.input.seek(&mut self.decoder, i64::MIN + 1);
                    self.reset();
                }
                return Ok(());
            }
            self.input.seek(&mut self.decoder, ffmpeg::seek_ts(at));
            self.reset();
            match self.decode_next()? {
                Some((p, frame)) if p < target || back > Ratio::from_integer(60) => {
                    self.push_decoded(p, frame);
                    return Ok(());
                }
                Some(_) => {
                    back = if back == Ratio::from_integer(0) {
                        Ratio::from_integer(1)
                    } else {
                        back * 4
                    };
                }
                None => return Ok(()),
            }
        }
    }

    /// Returns output frame `k` of the clip (local index), conformed.
    /// Calls must use non-decreasing `k`.
    pub fn frame(&mut self, k: u64) -> Result<&mut ff::frame::Video> {
        let clip = self.clip;
        let Some(motion) = clip.motion else {
            return self.picture(k);
        };
        let (out, work) = (self.output, clip.geometry.scaled);
        let fill = match self.fill.take() {
            Some(f) => f,
            None => super::blend::background(out)?,
        };
        let rect = motion.rect(k, clip.frames(), work, (out.width, out.height));
        let moved = super::motion::take(self.picture(k)?, rect, out.width, out.height, &fill);
        self.fill = Some(fill);
        Ok(self.moved.insert(moved?))
    }

    /// The picture local frame `k` shows, conformed (for a moving clip, at
    /// its working size).
    fn picture(&mut self, k: u64) -> Result<&mut ff::frame::Video> {
        let m = self.clip.played_frame(k);
        if !self.clip.reverse {
            return self.played(m);
        }
        let have = self.backwards_from..self.backwards_from + self.backwards.len() as u64;
        if !have.contains(&m) {
            self.read_backwards(m)?;
        }
        Ok(&mut self.backwards[(m - self.backwards_from) as usize])
    }

    /// Reads the stretch of played frames that ends with `last`, for a
    /// reversed clip: from the keyframe before it (at most
    /// [`BACKWARDS_FRAMES`]), decoded forwards and kept conformed.
    fn read_backwards(&mut self, last: u64) -> Result<()> {
        let clip = self.clip;
        // The played frame of the last keyframe at or before `last`'s source time.
        let at = clip.start
            + (Ratio::from_integer(last as i64) + Ratio::new(1, 2)) / self.fps * clip.speed;
        let key = clip
            .video
            .keyframes
            .iter()
            .rev()
            .find(|&&t| t <= at)
            .map_or(0, |&t| {
                ((t - clip.start) * self.fps / clip.speed)
                    .ceil()
                    .to_integer()
                    .max(0) as u64
            });
        let first = key
            .min(last)
            .max((last + 1).saturating_sub(BACKWARDS_FRAMES));
        self.backwards.clear();
        self.seek_for(first)?;
        for m in first..=last {
            let f = self.played(m)?.clone();
            self.backwards.push(f);
        }
        self.backwards_from = first;
        Ok(())
    }

    /// Returns played frame `m` (forwards, at the clip's speed), conformed.
    /// Calls must use non-decreasing `m` between seeks.
    fn played(&mut self, m: u64) -> Result<&mut ff::frame::Video> {
        let k = m as i64;
        loop {
            if self.pending.is_none() && !self.eof {
                self.fill_pending()?;
            }
            match &self.pending {
                Some(p) if p.index <= k => {
                    self.shown = self.pending.take();
                    self.conformed = None;
                }
                _ => break,
            }
        }
        if self.eof && self.pending.is_none() && !self.clip.video.still {
            if let Some(last) = self.shown.as_ref().map(|s| s.index) {
                self.past_the_end(k, last)?;
            }
        }
        if self.shown.is_none() {
            // No source frame maps at or before k: the first frame after `in`
            // starts late (index > k). Show it, as the fps filter would.
            match self.pending.take() {
                Some(p) => {
                    self.shown = Some(p);
                    self.conformed = None;
                }
                None => {
                    return Err(Error::Damaged {
                        clip: self.name(),
                        at: self.clip.start,
                        problem: error::Damage::NoFrames,
                    })
                }
            }
        }
        if self.conformed.is_none() {
            let frame = &self.shown.as_ref().expect("set above").frame;
            let clip = self.clip;
            let what = || format!("{}: conforming", clip_name(clip));
            let (geometry, output) = (&self.clip.geometry, self.output);
            let depth = ffmpeg::depth(frame.format()).unwrap_or(8);
            let grade = super::grade::spec(self.clip, depth);
            let conversion = &clip.conversion;
            let conformed = conform(&mut self.graph, frame, |f| {
                let mut picture = Picture::of(f, conversion);
                if grade.is_empty() {
                    return filter_spec(geometry, output, &picture);
                }
                // The grade may leave RGB: always convert.
                picture.pix_fmt = None;
                format!("{grade},{}", filter_spec(geometry, output, &picture))
            })
            .context(what)?;
            self.conformed = Some(conformed);
        }
        Ok(self.conformed.as_mut().expect("set above"))
    }

    /// Decodes until the next frame at or after `in`, storing it as pending.
    fn fill_pending(&mut self) -> Result<()> {
        while self.pending.is_none() {
            match self.decode_next()? {
                Some((p, frame)) => self.push_decoded(p, frame),
                None => {
                    self.eof = true;
                    break;
                }
            }
        }
        Ok(())
    }

    /// Files a decoded frame at source offset `p` (seconds after `in`):
    /// frames before `in` are dropped, a later frame with the same index
    /// replaces an earlier one.
    fn push_decoded(&mut self, p: Ratio, frame: ff::frame::Video) {
        if p < Ratio::from_integer(0) {
            return;
        }
        let index = time::round(p / self.clip.speed * self.fps);
        self.pending = Some(Picked { index, frame });
    }

    /// Forgets decoding state after a seek.
    fn reset(&mut self) {
        self.pending = None;
        self.shown = None;
        self.conformed = None;
        self.eof = false;
        self.last_pts = None;
        self.deinterlacer = None;
        self.deinterlaced.clear();
        self.deinterlacer_done = false;
    }

    /// Next picture with its time in seconds after `in`: decoded, and
    /// deinterlaced when the source is interlaced.
    fn decode_next(&mut self) -> Result<Option<(Ratio, ff::frame::Video)>> {
        let clip = self.clip;
        let what = || format!("{}: deinterlacing", clip_name(clip));
        loop {
            if let Some(frame) = self.deinterlaced.pop_front() {
                // Back to the stream's time base.
                let t = Ratio::from_integer(frame.pts().unwrap_or(0)) * self.deinterlaced_tb;
                let pts = time::round(t / self.clip.video.time_base);
                return Ok(Some((self.offset(pts), frame)));
            }
            if self.deinterlacer_done {
                return Ok(None);
            }
            let decoded = self.decode_raw()?;
            if self.deinterlacer.is_none() {
                match &decoded {
                    Some(f) if f.is_interlaced() => {
                        let tb = ffmpeg::rational(self.clip.video.time_base);
                        let mut graph =
                            ffmpeg::video_chain(f, tb, ffmpeg::DEINTERLACE).context(what)?;
                        let tb = ffmpeg::sink_time_base(&mut graph);
                        self.deinterlaced_tb =
                            Ratio::new(tb.numerator() as i64, tb.denominator().max(1) as i64);
                        self.deinterlacer = Some(graph);
                    }
                    _ => {
                        return Ok(decoded.map(|f| (self.offset(f.pts().unwrap_or(0)), f)));
                    }
                }
            }
            let graph = self.deinterlacer.as_mut().expect("made above");
            ffmpeg::push(graph, decoded.as_deref()).context(what)?;
            self.deinterlacer_done = decoded.is_none();
            loop {
                let mut out = ff::frame::Video::empty();
                if !ffmpeg::pull(graph, &mut out) {
                    break;
                }
                self.deinterlaced.push_back(out);
            }
        }
    }

    /// Seconds after `in` of source timestamp `pts`.
    fn offset(&self, pts: i64) -> Ratio {
        self.source_time(pts) - self.clip.start
    }

    /// Next decoded picture, its timestamp set; damaged pictures inside the
    /// clip stop the render or are skipped.
    fn decode_raw(&mut self) -> Result<Option<ff::frame::Video>> {
        let tb = self.clip.video.time_base;
        loop {
            let mut frame = ff::frame::Video::empty();
            let more = self.input.next_frame(&mut self.decoder, &mut frame);
            for pts in std::mem::take(&mut self.input.rejected) {
                if let Some(t) = pts.or(self.last_pts) {
                    self.damaged(t, "the decoder rejected a packet as invalid")?;
                }
            }
            match more {
                Ok(true) => {}
                Ok(false) => return Ok(None),
                Err(e) => return Err(self.decode_error(e)),
            }
            let pts = match frame.timestamp() {
                Some(t) => t,
                None => {
                    // No timestamp at all: assume the nominal rate.
                    let step = (Ratio::from_integer(1) / self.clip.video.fps / tb)
                        .round()
                        .to_integer()
                        .max(1);
                    self.last_pts.map_or(0, |t| t + step)
                }
            };
            self.last_pts = Some(pts);
            if ffmpeg::is_damaged(&frame) && self.damaged(pts, "the picture is damaged")? {
                continue;
            }
            frame.set_pts(Some(pts));
            return Ok(Some(frame));
        }
    }

    /// Frame `k` is asked for after the source's video ended with the
    /// picture of index `last`. Up to half a second of holding the last
    /// picture is normal (a video stream a little shorter than its
    /// container says); more means the file is cut short.
    fn past_the_end(&self, k: i64, last: i64) -> Result<()> {
        let limit = time::round(self.fps / 2).max(1);
        if k - last <= limit {
            return Ok(());
        }
        self.damage.report(|| Error::Damaged {
            clip: self.name(),
            at: self.clip.start + Ratio::from_integer(last + 1) / self.fps * self.clip.speed,
            problem: error::Damage::EndsEarly { end: self.clip.end },
        })
    }

    /// Damage at source timestamp `pts`: outside the clip it does not
    /// matter (Ok(false)); inside, it stops the render or is counted as
    /// concealed (Ok(true)).
    fn damaged(&self, pts: i64, what: &'static str) -> Result<bool> {
        let at = self.source_time(pts);
        if at < self.clip.start || at >= self.clip.end {
            return Ok(false);
        }
        self.damage.report(|| Error::Damaged {
            clip: self.name(),
            at,
            problem: error::Damage::Picture(what),
        })?;
        Ok(true)
    }

    /// Source time (seconds from the container's start) of timestamp `pts`.
    fn source_time(&self, pts: i64) -> Ratio {
        Ratio::from_integer(pts) * self.clip.video.time_base - self.clip.container_start
    }

    fn decode_error(&self, e: ff::Error) -> Error {
        let at = self
            .last_pts
            .map_or(self.clip.start, |t| self.source_time(t));
        Error::Decode {
            subject: self.name(),
            at,
            source: e,
        }
    }

    fn name(&self) -> String {
        clip_name(self.clip)
    }
}

/// "clip 3 (../a.mp4)", for messages.
fn clip_name(clip: &ClipPlan) -> String {
    format!("clip {} ({})", clip.number, clip.source)
}

/// Scales and converts a source frame to the output, through a filter graph
/// built for the first frame's format.
fn conform(
    graph: &mut Option<ff::filter::Graph>,
    frame: &ff::frame::Video,
    spec: impl FnOnce(&ff::frame::Video) -> String,
) -> Result<ff::frame::Video, ff::Error> {
    if graph.is_none() {
        *graph = Some(build_graph(frame, &spec(frame))?);
    }
    let graph = graph.as_mut().expect("built above");
    ffmpeg::push(graph, Some(frame))?;
    let mut out = ff::frame::Video::empty();
    if !ffmpeg::pull(graph, &mut out) {
        return Err(ff::Error::Other {
            errno: ff::util::error::EAGAIN,
        });
    }
    Ok(out)
}

fn build_graph(frame: &ff::frame::Video, spec: &str) -> Result<ff::filter::Graph, ff::Error> {
    ffmpeg::video_chain(frame, ff::Rational::new(1, 90_000), spec)
}

/// What the conform chain needs to know of a source picture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    /// libavutil's name of its pixel format.
    pub pix_fmt: Option<&'static str>,
    /// How its colour is brought to the output's.
    pub conversion: Conversion,
    /// Whether it has an alpha channel (ProRes 4444, PNG with alpha).
    pub alpha: bool,
}

impl Picture {
    pub fn of(frame: &ff::frame::Video, conversion: &Conversion) -> Picture {
        Picture {
            width: frame.width(),
            height: frame.height(),
            pix_fmt: frame.format().descriptor().map(|d| d.name()),
            conversion: *conversion,
            alpha: frame
                .format()
                .descriptor()
                .is_some_and(|d| super::alpha::has_alpha(d.name())),
        }
    }
}

/// The libavfilter chain that places a picture by `fit` and converts it to
/// the output pixel format (BT.709, limited range). A source already in the
/// output's size, format and range skips swscale: it would only copy.
pub fn filter_spec(g: &Geometry, out: &Output, source: &Picture) -> String {
    let [r, gr, b] = crate::colour::encode_rgb(out.background, &out.color);
    let keep_alpha = out.transparent;
    let turn = match g.rotation {
        90 => "transpose=clock,",
        180 => "hflip,vflip,",
        270 => "transpose=cclock,",
        _ => "",
    };
    let crop = g.crop.map_or(String::new(), |(x, y, w, h)| {
        format!("crop=w={w}:h={h}:x={x}:y={y},")
    });
    let scale = match source.conversion {
        Conversion::Matrix { from, full_range } => {
            let same = from == Matrix::Bt709
                && turn.is_empty()
                && crop.is_empty()
                && source.width == g.scaled.0
                && source.height == g.scaled.1
                && source.pix_fmt == Some(out.video.pix_fmt.as_str())
                && !full_range;
            if same {
                "null".to_string()
            } else {
                format!(
                    "scale=w={}:h={}:flags=bicubic:in_color_matrix={}:out_color_matrix=bt709:out_range=tv",
                    g.scaled.0, g.scaled.1, from.name()
                )
            }
        }
        Conversion::Zscale(z) => {
            // zimg refuses subsampled chroma on an odd-sized picture (a
            // 720x405 clip): such a picture goes to 4:4:4 first.
            let odd = source.width % 2 == 1 || source.height % 2 == 1;
            let full = if odd && source.pix_fmt.is_some_and(subsampled) {
                "format=yuv444p16le,"
            } else {
                ""
            };
            format!("{full}{}", super::colour::chain(&z, g.scaled))
        }
    };
    // A source's transparent parts show the background, unless the output
    // keeps them transparent.
    let under = match source.alpha && !keep_alpha {
        true => format!(
            ",{}",
            super::alpha::over_colour([r, gr, b], &out.video.pix_fmt)
        ),
        false => String::new(),
    };
    let opacity = if keep_alpha { "@0" } else { "" };
    let place = match g.fit {
        Fit::Contain => format!(
            ",pad=w={}:h={}:x={}:y={}:color=0x{r:02x}{gr:02x}{b:02x}{opacity}",
            out.width, out.height, g.offset.0, g.offset.1
        ),
        Fit::Cover => format!(
            ",crop=w={}:h={}:x={}:y={}",
            out.width, out.height, g.offset.0, g.offset.1
        ),
        Fit::Stretch => String::new(),
    };
    format!(
        "{turn}{crop}{scale}{under}{place},setsar=1,format=pix_fmts={}",
        out.video.pix_fmt
    )
}

/// Whether a pixel format's chroma has fewer samples than its luma.
fn subsampled(pix_fmt: &str) -> bool {
    let yuv = ["yuv4", "yuvj4", "yuva4", "nv", "p0", "p2"];
    yuv.iter().any(|p| pix_fmt.starts_with(p)) && !pix_fmt.contains("444")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{geometry, testing::edl};

    fn output(fit: Fit) -> Output {
        let mut out = edl("[[clip]]\nsource = \"a\"\n").output;
        (out.width, out.height, out.fit, out.background) = (1920, 1080, fit, [16, 32, 255]);
        out
    }

    fn picture(width: u32, height: u32) -> Picture {
        Picture {
            width,
            height,
            pix_fmt: Some("yuv420p"),
            conversion: Conversion::Matrix {
                from: Matrix::Bt601,
                full_range: false,
            },
            alpha: false,
        }
    }

    fn spec(w: u32, h: u32, fit: Fit, rotation: u16, source: &Picture) -> String {
        let out = output(fit);
        let g = Geometry {
            rotation,
            ..geometry(w, h, Ratio::from_integer(1), 1920, 1080, fit)
        };
        filter_spec(&g, &out, source)
    }

    const SCALE: &str = "flags=bicubic:in_color_matrix=bt601:out_color_matrix=bt709:out_range=tv";

    #[test]
    fn each_fit_scales_then_pads_crops_or_stretches() {
        let p = picture(640, 480);
        assert_eq!(
            spec(640, 480, Fit::Contain, 0, &p),
            format!(
                "scale=w=1440:h=1080:{SCALE},pad=w=1920:h=1080:x=240:y=0:color=0x1020ff,\
                 setsar=1,format=pix_fmts=yuv420p"
            )
        );
        assert_eq!(
            spec(640, 480, Fit::Cover, 0, &p),
            format!(
                "scale=w=1920:h=1440:{SCALE},crop=w=1920:h=1080:x=0:y=180,\
                 setsar=1,format=pix_fmts=yuv420p"
            )
        );
        assert_eq!(
            spec(640, 480, Fit::Stretch, 0, &p),
            format!("scale=w=1920:h=1080:{SCALE},setsar=1,format=pix_fmts=yuv420p")
        );
    }

    #[test]
    fn each_rotation_turns_first() {
        // A portrait phone picture stored sideways (1920x1080 turned a
        // quarter): placed as 1080x1920, so 608x1080 with pillars.
        let p = picture(1920, 1080);
        for (rotation, turn) in [
            (90, "transpose=clock,"),
            (180, "hflip,vflip,"),
            (270, "transpose=cclock,"),
        ] {
            let (w, h) = if rotation == 180 {
                (1920, 1080)
            } else {
                (1080, 1920)
            };
            let s = spec(w, h, Fit::Contain, rotation, &p);
            assert!(s.starts_with(turn), "{rotation}: {s}");
            let size = if rotation == 180 {
                "w=1920:h=1080"
            } else {
                "w=608:h=1080"
            };
            assert!(s.contains(&format!("scale={size}:")), "{rotation}: {s}");
        }
        assert!(spec(1920, 1080, Fit::Contain, 0, &p).starts_with("scale="));
    }

    #[test]
    fn a_picture_already_in_shape_is_not_scaled() {
        let bt709 = |full_range| Conversion::Matrix {
            from: Matrix::Bt709,
            full_range,
        };
        let same = Picture {
            conversion: bt709(false),
            ..picture(1920, 1080)
        };
        assert_eq!(
            spec(1920, 1080, Fit::Contain, 0, &same),
            "null,pad=w=1920:h=1080:x=0:y=0:color=0x1020ff,setsar=1,format=pix_fmts=yuv420p"
        );
        // Full range, another matrix or another pixel format: converted.
        for other in [
            Picture {
                conversion: bt709(true),
                ..same
            },
            picture(1920, 1080),
            Picture {
                pix_fmt: Some("yuv422p10le"),
                ..same
            },
        ] {
            assert!(spec(1920, 1080, Fit::Contain, 0, &other).starts_with("scale="));
        }
    }
}
