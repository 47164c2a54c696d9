//! A storyboard: one picture a reviewer reads at a glance. A grid of
//! thumbnails, one per clip at its middle frame, each labelled with the
//! clip number, its source, its timeline in and out and the transition
//! into the next clip; beneath, the timeline: clips, text layers and
//! captions as spans on their own lanes, and the audio (the mix's
//! waveform, the voiceovers, the ducking envelope and the loudness).
//!
//! Labels are drawn as on-screen text is: an ASS script through
//! libavfilter's `ass` filter, with reel's fonts, run by run so that each
//! script gets a font that covers it.

use crate::error::{Context, Error, Result};
use crate::plan::Plan;
use crate::time::{self, Ratio};
use crate::{audio, ffmpeg, render};
use ffmpeg_next as ff;
use std::fmt::Write as _;
use std::path::Path;

const WIDTH: u32 = 1600;
const COLUMNS: u32 = 8;
const CELL: u32 = WIDTH / COLUMNS;
const THUMB: u32 = CELL - 12;
const LABEL: u32 = 40;
const MARGIN: u32 = 6;
const TITLE: u32 = 34;
const LANE: u32 = 22;
const WAVE: u32 = 110;

const BACKGROUND: [u8; 3] = [28, 30, 34];
const LANE_BG: [u8; 3] = [44, 47, 53];
const CLIP_A: [u8; 3] = [70, 110, 170];
const CLIP_B: [u8; 3] = [95, 140, 200];
const TEXT_SPAN: [u8; 3] = [180, 130, 60];
const CAPTION_SPAN: [u8; 3] = [150, 100, 170];
const WAVE_FILL: [u8; 3] = [120, 190, 140];
const VOICE_SPAN: [u8; 3] = [220, 200, 90];
const DUCK_LINE: [u8; 3] = [240, 110, 80];

/// What a storyboard says of the sound beyond the plan: the loudness of
/// the encoded output when there is one.
pub struct Heard {
    pub measured: Option<audio::loudness::Measured>,
}

/// Draws the storyboard of `plan`, read from `edl`, to `path` (a `.png`
/// file), with the loudness `measured` of its output when there is one.
pub fn draw(
    plan: &Plan,
    edl: &Path,
    measured: Option<audio::loudness::Measured>,
    path: &Path,
) -> Result<()> {
    if path
        .extension()
        .is_none_or(|e| !e.eq_ignore_ascii_case("png"))
    {
        return Err(Error::Usage(format!(
            "--storyboard {}: the storyboard is a PNG file (.png)",
            path.display()
        )));
    }
    let name = edl.file_name().map_or_else(
        || edl.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    write(plan, &name, &Heard { measured }, path)
}

/// Draws the storyboard of `plan` (its EDL named `name`) to `path`, a PNG,
/// written atomically: the title, the clips' thumbnails, the timeline's
/// lanes and the sound, then the labels over them.
pub fn write(plan: &Plan, name: &str, heard: &Heard, path: &Path) -> Result<()> {
    let mut board = Board::new(plan)?;
    board.title(name);
    board.thumbnails()?;
    board.lanes();
    board.sound(heard)?;
    let fonts = crate::fonts::FontSet::load(None).map_err(font_failure)?;
    let drawn = board.labels.draw(board.canvas.frame, &fonts)?;
    write_png(&drawn, path)
}

/// The storyboard's fonts cannot be loaded: a failure to draw it, not a
/// wrong command line.
fn font_failure(e: crate::fonts::FontError) -> Error {
    Error::Fonts(e.message)
}

/// Where the parts of a storyboard go, from the top.
struct Layout {
    /// The height of a thumbnail (even).
    thumb_h: u32,
    /// The top of the timeline's lanes.
    timeline_top: u32,
    /// The top of the waveform.
    wave_top: u32,
    /// The picture's height (even).
    height: u32,
}

impl Layout {
    fn of(plan: &Plan) -> Layout {
        let out = &plan.output;
        let thumb_h = (THUMB * out.height / out.width.max(1)).max(2) / 2 * 2;
        let rows = (plan.clips.len() as u32).div_ceil(COLUMNS).max(1);
        let grid_h = rows * (thumb_h + LABEL + MARGIN);
        let lanes = 1 + u32::from(!plan.layers.items.is_empty()) + u32::from(has_captions(plan));
        let timeline_top = TITLE + grid_h + 10;
        let wave_top = timeline_top + lanes * (LANE + 4) + 8;
        let height = (wave_top + WAVE + LANE + 40) / 2 * 2;
        Layout {
            thumb_h,
            timeline_top,
            wave_top,
            height,
        }
    }
}

/// A storyboard being drawn: the picture, and the labels to draw over it.
struct Board<'a> {
    plan: &'a Plan,
    layout: Layout,
    canvas: Canvas,
    labels: Labels,
    /// The timeline's length in frames (at least 1).
    total: u64,
}

impl<'a> Board<'a> {
    fn new(plan: &'a Plan) -> Result<Board<'a>> {
        let layout = Layout::of(plan);
        let mut canvas = Canvas::new(WIDTH, layout.height)?;
        canvas.fill(0, 0, WIDTH, layout.height, BACKGROUND);
        Ok(Board {
            plan,
            layout,
            canvas,
            labels: Labels::default(),
            total: plan.range.end.max(1),
        })
    }

    /// The time of timeline frame `frame`, as m:ss.s.
    fn at(&self, frame: u64) -> String {
        clock(Ratio::from_integer(frame as i64) / self.plan.output.fps)
    }

    /// Where timeline frame `frame` is across the picture.
    fn span_x(&self, frame: u64) -> u32 {
        (frame.min(self.total) * WIDTH as u64 / self.total) as u32
    }

    /// The EDL's name, its clips, length, size and rate.
    fn title(&mut self, name: &str) {
        let out = &self.plan.output;
        let text = format!(
            "{name}: {} clips, {} at {}x{} {} fps",
            self.plan.clips.len(),
            self.at(self.total),
            out.width,
            out.height,
            time::secs_f64(out.fps)
        );
        self.labels.add(MARGIN, 8, 16, &text);
    }

    /// The clips, at their middle frames, each with its number, source,
    /// timeline in and out and the transition into the next.
    fn thumbnails(&mut self) -> Result<()> {
        let plan = self.plan;
        // Thumbnails are SDR pictures, whatever the output's colour.
        let sdr = crate::plan::in_sdr(plan);
        let thumb_h = self.layout.thumb_h;
        for (i, clip) in plan.clips.iter().enumerate() {
            let (col, row) = (i as u32 % COLUMNS, i as u32 / COLUMNS);
            let x = col * CELL + MARGIN;
            let y = TITLE + row * (thumb_h + LABEL + MARGIN);
            let local = clip.timeline.end.saturating_sub(clip.timeline.start) / 2;
            let picture = render::still(&sdr, i, local)?;
            self.canvas.place(&picture, x, y, THUMB, thumb_h)?;
            let source = if clip.source.card().is_some() {
                "card".to_string()
            } else {
                clip.source_text.clone()
            };
            let named = format!("{} {}", clip.number, ellipsis(&source, 24));
            self.labels.add(x, y + thumb_h + 2, 13, &named);
            let into = match plan.clips.get(i + 1) {
                Some(next) if next.fade_in > 0 => format!(
                    " · {} {:.2} s",
                    clip.transition.name(),
                    time::secs_f64(Ratio::from_integer(next.fade_in as i64) / plan.output.fps)
                ),
                Some(_) => " · cut".to_string(),
                None => String::new(),
            };
            let (from, to) = (self.at(clip.timeline.start), self.at(clip.timeline.end));
            let times = format!("{from}–{to}{into}");
            self.labels.add(x, y + thumb_h + 19, 12, &times);
        }
        Ok(())
    }

    /// The timeline's lanes, left to right over the whole length: the
    /// clips, then the text and image layers and the captions when there
    /// are any.
    fn lanes(&mut self) {
        let plan = self.plan;
        let mut lane_y = self.layout.timeline_top;
        self.canvas.fill(0, lane_y, WIDTH, LANE, LANE_BG);
        for (i, clip) in plan.clips.iter().enumerate() {
            let (a, b) = (
                self.span_x(clip.timeline.start),
                self.span_x(clip.timeline.end),
            );
            let colour = if i % 2 == 0 { CLIP_A } else { CLIP_B };
            self.canvas
                .fill(a, lane_y + 2, (b - a).max(1), LANE - 4, colour);
            if b - a >= 18 {
                self.labels
                    .add(a + 2, lane_y + 3, 11, &clip.number.to_string());
            }
        }
        lane_y += LANE + 4;
        if !plan.layers.items.is_empty() {
            let spans = plan.layers.items.iter().map(|l| l.frames.clone());
            self.lane(lane_y, spans.collect(), TEXT_SPAN, "text and images");
            lane_y += LANE + 4;
        }
        if has_captions(plan) {
            let tracks = &plan.layers.tracks;
            let cues = tracks
                .iter()
                .flat_map(|t| t.cues.iter().map(|(f, _)| f.clone()));
            let languages: Vec<&str> = tracks.iter().map(|t| t.language.as_str()).collect();
            let name = format!("captions ({})", languages.join(", "));
            self.lane(lane_y, cues.collect(), CAPTION_SPAN, &name);
        }
    }

    /// A lane at `y` of timeline `spans` (frames) in `colour`, named.
    fn lane(&mut self, y: u32, spans: Vec<std::ops::Range<u64>>, colour: [u8; 3], name: &str) {
        self.canvas.fill(0, y, WIDTH, LANE, LANE_BG);
        for frames in spans {
            let (a, b) = (self.span_x(frames.start), self.span_x(frames.end));
            self.canvas.fill(a, y + 3, (b - a).max(1), LANE - 6, colour);
        }
        self.labels.add(4, y + 3, 11, name);
    }

    /// The sound: the mix's waveform with the ducking envelope over it,
    /// the voiceovers beneath, and the loudness.
    fn sound(&mut self, heard: &Heard) -> Result<()> {
        let audio = &self.plan.audio;
        let sound = audio::overview(audio, WIDTH as usize)?;
        let wave_top = self.layout.wave_top;
        let canvas = &mut self.canvas;
        canvas.fill(0, wave_top, WIDTH, WAVE, LANE_BG);
        let mid = wave_top + WAVE / 2;
        for (x, peak) in sound.peaks.iter().enumerate() {
            let h = ((peak.min(1.0) * (WAVE / 2 - 2) as f32) as u32).max(1);
            canvas.fill(x as u32, mid - h, 1, 2 * h, WAVE_FILL);
        }
        if let Some(depth) = sound.depth_db {
            for (x, db) in sound.duck_db.iter().enumerate() {
                let y = wave_top + 2 + ((-db / depth.max(1.0)) * (WAVE - 6) as f32) as u32;
                canvas.fill(x as u32, y.min(wave_top + WAVE - 3), 1, 2, DUCK_LINE);
            }
        }
        let voice_y = wave_top + WAVE + 4;
        canvas.fill(0, voice_y, WIDTH, LANE - 8, LANE_BG);
        let samples = audio.samples.max(1);
        for r in &sound.voice {
            let a = (r.start * WIDTH as u64 / samples) as u32;
            let b = (r.end.min(samples) * WIDTH as u64 / samples) as u32;
            canvas.fill(a, voice_y + 2, (b - a).max(1), LANE - 12, VOICE_SPAN);
        }
        let mut loud = format!("mix {}", lufs(sound.mix_lufs));
        if let Some(target) = audio.loudness {
            let _ = write!(loud, ", target {} LUFS", target.integrated_lufs);
        }
        if let Some(m) = heard.measured {
            let _ = write!(loud, "; output {m}");
        }
        let legend = format!(
            "sound: waveform, ducking (red, down to −{} dB), voiceovers (yellow); {loud}",
            sound.depth_db.unwrap_or(0.0)
        );
        self.labels.add(4, voice_y + LANE - 4, 13, &legend);
        self.labels.add(4, wave_top + 2, 11, "mix");
        Ok(())
    }
}

fn has_captions(plan: &Plan) -> bool {
    plan.layers.tracks.iter().any(|t| !t.cues.is_empty())
}

fn lufs(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.1} LUFS")
    } else {
        "silent".into()
    }
}

/// m:ss.s
fn clock(t: Ratio) -> String {
    let s = time::secs_f64(t);
    format!("{}:{:04.1}", (s / 60.0).floor() as u64, s % 60.0)
}

fn ellipsis(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let tail: String = s
        .chars()
        .rev()
        .take(max - 1)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("…{tail}")
}

/// An RGB picture being drawn.
struct Canvas {
    frame: ff::frame::Video,
}

impl Canvas {
    fn new(width: u32, height: u32) -> Result<Canvas> {
        Ok(Canvas {
            frame: ff::frame::Video::new(ff::format::Pixel::RGB24, width, height),
        })
    }

    fn fill(&mut self, x: u32, y: u32, w: u32, h: u32, rgb: [u8; 3]) {
        let (fw, fh) = (self.frame.width(), self.frame.height());
        let stride = self.frame.stride(0);
        let data = self.frame.data_mut(0);
        for row in y.min(fh)..(y + h).min(fh) {
            let start = row as usize * stride;
            for col in x.min(fw)..(x + w).min(fw) {
                let p = start + col as usize * 3;
                data[p..p + 3].copy_from_slice(&rgb);
            }
        }
    }

    /// Scales `picture` to `w`x`h` and puts it at `x`,`y`.
    fn place(&mut self, picture: &ff::frame::Video, x: u32, y: u32, w: u32, h: u32) -> Result<()> {
        let mut scaler = ff::software::scaling::Context::get(
            picture.format(),
            picture.width(),
            picture.height(),
            ff::format::Pixel::RGB24,
            w,
            h,
            ff::software::scaling::Flags::AREA,
        )
        .context(|| "scaling a thumbnail")?;
        let mut small = ff::frame::Video::empty();
        scaler
            .run(picture, &mut small)
            .context(|| "scaling a thumbnail")?;
        let (src_stride, dst_stride) = (small.stride(0), self.frame.stride(0));
        let fw = self.frame.width();
        let src = small.data(0).to_vec();
        let dst = self.frame.data_mut(0);
        for row in 0..h as usize {
            let cols = (w.min(fw.saturating_sub(x))) as usize * 3;
            let d = (y as usize + row) * dst_stride + x as usize * 3;
            let s = row * src_stride;
            if d + cols <= dst.len() {
                dst[d..d + cols].copy_from_slice(&src[s..s + cols]);
            }
        }
        Ok(())
    }
}

/// Text to draw: (x, y, size, text), top-left anchored.
#[derive(Default)]
struct Labels {
    items: Vec<(u32, u32, u32, String)>,
}

impl Labels {
    fn add(&mut self, x: u32, y: u32, size: u32, text: &str) {
        self.items.push((x, y, size, text.to_string()));
    }

    /// Draws the labels onto `frame` through the `ass` filter.
    fn draw(
        &self,
        frame: ff::frame::Video,
        fonts: &crate::fonts::FontSet,
    ) -> Result<ff::frame::Video> {
        let work = crate::container::work_dir(".reel-storyboard-")?;
        let setup = crate::render::graphics::setup_fonts(fonts, work.path())?;
        let mut script = format!(
            "[Script Info]\nScriptType: v4.00+\nPlayResX: {}\nPlayResY: {}\n\
             ScaledBorderAndShadow: yes\nWrapStyle: 2\nYCbCr Matrix: None\n\n\
             [V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, \
             OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, \
             Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, \
             Encoding\n\
             Style: Label,Noto Sans,14,&H00F0F0F0,&H00F0F0F0,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,7,0,0,0,1\n\n\
             [Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n",
            frame.width(),
            frame.height()
        );
        let families: Vec<&str> = {
            let mut f = fonts.families();
            f.sort_by_key(|name| (*name != "Noto Sans", *name));
            f
        };
        for (x, y, size, text) in &self.items {
            let mut line = String::new();
            // Run by run, each in a family that covers it; what none covers
            // is left to libass's own fallback.
            match fonts.runs(text, &families) {
                Ok(runs) => {
                    for (family, run) in runs {
                        let _ = write!(line, "{{\\fn{family}}}{}", escape(&run));
                    }
                }
                Err(_) => line.push_str(&escape(text)),
            }
            let _ = writeln!(
                script,
                "Dialogue: 0,0:00:00.00,0:00:01.00,Label,,0,0,0,,{{\\an7\\pos({x},{y})\\fs{size}}}{line}"
            );
        }
        let path = setup.scripts_dir.join("storyboard.ass");
        std::fs::create_dir_all(&setup.scripts_dir)
            .map_err(|e| Error::io("cannot create", &setup.scripts_dir, e))?;
        std::fs::write(&path, script).map_err(|e| Error::io("writing", &path, e))?;
        let spec = format!(
            "ass=filename={}:fontsdir={}:shaping=complex",
            ffmpeg::filter_path(&path),
            ffmpeg::filter_path(&setup.fonts_dir)
        );
        let what = || "drawing the storyboard's labels";
        let mut graph =
            ffmpeg::video_chain(&frame, ff::Rational::new(1, 100), &spec).context(what)?;
        let mut input = frame;
        input.set_pts(Some(0));
        ffmpeg::push(&mut graph, Some(&input)).context(what)?;
        let mut drawn = ff::frame::Video::empty();
        if !ffmpeg::pull(&mut graph, &mut drawn) {
            return Err(Error::Unexpected("the text filter gave no picture"));
        }
        Ok(drawn)
    }
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('{', "\\{")
        .replace('}', "\\}")
        .replace('\n', " ")
}

/// Encodes `frame` (RGB) as a PNG at `path`, atomically.
fn write_png(frame: &ff::frame::Video, path: &Path) -> Result<()> {
    let what = || format!("writing the storyboard {}", path.display());
    let codec = ff::encoder::find(ff::codec::Id::PNG).ok_or(Error::Unexpected("no PNG encoder"))?;
    let mut enc = ff::codec::context::Context::new_with_codec(codec)
        .encoder()
        .video()
        .context(what)?;
    enc.set_width(frame.width());
    enc.set_height(frame.height());
    enc.set_format(ff::format::Pixel::RGB24);
    enc.set_time_base(ff::Rational::new(1, 1));
    let mut enc = enc.open_as(codec).context(what)?;
    let mut bytes = Vec::new();
    enc.send_frame(frame).context(what)?;
    enc.send_eof().context(what)?;
    let mut packet = ff::Packet::empty();
    while enc.receive_packet(&mut packet).is_ok() {
        bytes.extend_from_slice(packet.data().unwrap_or(&[]));
    }
    crate::container::write_atomic_bytes(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fonts_that_cannot_be_loaded_fail_the_render_not_the_command_line() {
        let e = font_failure(crate::fonts::FontError {
            path: "NotoSans-Regular.ttf".into(),
            message: "not a font".into(),
        });
        assert_eq!(e.exit_code(), 1);
        assert_eq!(e.to_string(), "not a font");
    }
}
