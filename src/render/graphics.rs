//! Drawing the planned layers onto frames: text through libavfilter's
//! `ass` filter (libass shapes with HarfBuzz and FriBidi), images blended
//! by their alpha.
//!
//! libass sees only reel's fonts: they are written to a `fonts/` directory
//! of the render's work directory, given to the filter as `fontsdir`, and a
//! fontconfig file that lists only that directory is set as
//! `FONTCONFIG_FILE` before any worker starts.

use super::overlay::Overlay;
use crate::error::{Context, Error, Result};
use crate::ffmpeg;
use crate::fonts::FontSet;
use crate::layers::{self, Draw, ImageDraw, Layer, Layers};
use crate::time;
use ffmpeg_next as ff;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Where a render's fonts and scripts live.
pub struct Setup {
    pub fonts_dir: PathBuf,
    pub scripts_dir: PathBuf,
}

/// Writes the fonts and the fontconfig file into `work`. Call before any
/// thread that draws text starts: it sets `FONTCONFIG_FILE`.
pub fn setup(layers: &Layers, work: &Path) -> Result<Setup> {
    if !layers.items.iter().any(Layer::is_text) {
        return Ok(Setup {
            fonts_dir: work.join("fonts"),
            scripts_dir: work.join("scripts"),
        });
    }
    setup_fonts(&layers.fonts, work)
}

/// Writes `fonts` and a fontconfig file that lists only them into `work`,
/// and sets `FONTCONFIG_FILE` to it.
pub fn setup_fonts(fonts: &FontSet, work: &Path) -> Result<Setup> {
    let fonts_dir = work.join("fonts");
    let scripts_dir = work.join("scripts");
    let setup = Setup {
        fonts_dir: fonts_dir.clone(),
        scripts_dir: scripts_dir.clone(),
    };
    // The fontconfig cache directory is made here: made by fontconfig, two
    // workers' text graphs can race to make it, and the loser says "No
    // writable cache directories".
    let cache_dir = work.join("fontconfig-cache");
    for d in [&fonts_dir, &scripts_dir, &cache_dir] {
        std::fs::create_dir_all(d).map_err(|e| Error::io("cannot create", d, e))?;
    }
    for f in &fonts.fonts {
        let p = fonts_dir.join(&f.name);
        std::fs::write(&p, f.data.as_slice()).map_err(|e| Error::io("writing", &p, e))?;
    }
    let conf = work.join("fonts.conf");
    let xml = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig>\n  \
         <dir>{}</dir>\n  <cachedir>{}</cachedir>\n</fontconfig>\n",
        xml_escape(&fonts_dir.to_string_lossy()),
        xml_escape(&cache_dir.to_string_lossy()),
    );
    std::fs::write(&conf, xml).map_err(|e| Error::io("writing", &conf, e))?;
    std::env::set_var("FONTCONFIG_FILE", &conf);
    Ok(setup)
}

impl Setup {
    /// Points `FONTCONFIG_FILE` at these fonts again (a run of many outputs
    /// switches between their font sets).
    pub fn use_fonts(&self) {
        std::env::set_var(
            "FONTCONFIG_FILE",
            self.fonts_dir.with_file_name("fonts.conf"),
        );
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

use ffmpeg::filter_path;

/// Draws one segment's layers. Graphs and images are made on first use.
pub struct Painter<'a> {
    setup: &'a Setup,
    segment: usize,
    frames: Range<u64>,
    width: u32,
    height: u32,
    pix_fmt: &'a str,
    /// Whether the output keeps alpha: text and images then make their
    /// area opaque.
    alpha: bool,
    /// The output's colour, which text colours are given in.
    colour: &'a crate::colour::OutputColour,
    /// Per owner (a clip, or `None` for over the composed frame): the
    /// passes of the layers this segment shows, found once.
    passes: HashMap<Option<usize>, Rc<Vec<Vec<&'a Layer>>>>,
    /// Per (owner, pass): the `ass` graph of a text pass.
    graphs: HashMap<(Option<usize>, usize), ff::filter::Graph>,
    /// Per layer (by address): its pictures, scaled, with alpha.
    images: HashMap<*const Layer, Overlay>,
    /// The output's frame rate, which animated images are played at.
    fps: crate::time::Ratio,
}

impl<'a> Painter<'a> {
    pub fn new(
        layers: &'a Layers,
        setup: &'a Setup,
        segment: usize,
        frames: Range<u64>,
        output: &'a crate::edl::Output,
    ) -> Painter<'a> {
        let mut passes = HashMap::new();
        for l in &layers.items {
            if l.frames.start < frames.end && frames.start < l.frames.end {
                passes
                    .entry(l.owner)
                    .or_insert_with(|| Rc::new(layers.passes(l.owner, &frames)));
            }
        }
        Painter {
            passes,
            setup,
            segment,
            frames,
            width: output.width,
            height: output.height,
            pix_fmt: &output.video.pix_fmt,
            alpha: output.transparent,
            colour: &output.color,
            graphs: HashMap::new(),
            images: HashMap::new(),
            fps: output.fps,
        }
    }

    /// Draws `owner`'s layers for timeline frame `k` onto `frame`: in place
    /// when it is owned, else onto one copy. `None` when nothing shows.
    pub fn paint(
        &mut self,
        owner: Option<usize>,
        k: u64,
        frame: Input,
    ) -> Result<Option<ff::frame::Video>> {
        let Some(passes) = self.passes.get(&owner).cloned() else {
            return Ok(frame.owned());
        };
        let mut current = frame;
        for (i, pass) in passes.iter().enumerate() {
            if !pass.iter().any(|l| l.frames.contains(&k)) {
                continue;
            }
            let next = if pass[0].is_text() {
                self.text(owner, i, pass, k, current)?
            } else {
                self.image(pass[0], k, current)?
            };
            current = Input::Owned(next);
        }
        Ok(current.owned())
    }

    fn text(
        &mut self,
        owner: Option<usize>,
        pass: usize,
        layers: &[&Layer],
        k: u64,
        input: Input,
    ) -> Result<ff::frame::Video> {
        let what = || "drawing text";
        if !self.graphs.contains_key(&(owner, pass)) {
            let script =
                layers::script(layers, &self.frames, (self.width, self.height), self.colour);
            let name = format!(
                "segment-{:05}-{}-{pass}.ass",
                self.segment,
                owner.map_or("over".to_string(), |c| format!("clip{c}"))
            );
            let path = self.setup.scripts_dir.join(name);
            std::fs::write(&path, script).map_err(|e| Error::io("writing", &path, e))?;
            let spec = format!(
                "ass=filename={}:fontsdir={}:shaping=complex{}",
                filter_path(&path),
                filter_path(&self.setup.fonts_dir),
                if self.alpha { ":alpha=1" } else { "" }
            );
            let graph = ffmpeg::video_chain(input.frame(), ff::Rational::new(1, 100), &spec)
                .context(what)?;
            self.graphs.insert((owner, pass), graph);
        }
        let graph = self.graphs.get_mut(&(owner, pass)).expect("made above");
        // A frame of our own is drawn on in place; a shared one (a clip's
        // picture, still needed) is copied once by the filter.
        let mut frame = match input {
            Input::Owned(f) => f,
            Input::Borrowed(f) => ffmpeg::new_ref(f).context(what)?,
        };
        // Script time counts frames from the segment's start.
        frame.set_pts(Some((k - self.frames.start) as i64));
        ffmpeg::push_owned(graph, frame).context(what)?;
        let mut out = ff::frame::Video::empty();
        if !ffmpeg::pull(graph, &mut out) {
            return Err(Error::Unexpected(
                "drawing text: the filter gave no picture",
            ));
        }
        Ok(out)
    }

    fn image(&mut self, layer: &Layer, k: u64, input: Input) -> Result<ff::frame::Video> {
        let Draw::Image(d) = &layer.draw else {
            return Err(Error::Unexpected("an image pass without an image"));
        };
        let key = layer as *const Layer;
        if !self.images.contains_key(&key) {
            let start = (layer.frames.start, k);
            let img = Overlay::open(d, self.pix_fmt, self.colour, self.fps, start)?;
            self.images.insert(key, img);
        }
        let img = self.images.get_mut(&key).expect("made above").at(k)?;
        let mut out = match input {
            Input::Owned(f) => f,
            Input::Borrowed(f) => f.clone(),
        };
        let strength = d.opacity * time::secs_f64(layer.weight(k));
        blend_image(&mut out, img, d, strength)?;
        Ok(out)
    }
}

/// A frame to draw on: one the caller gives away, or one it keeps.
pub enum Input<'f> {
    Owned(ff::frame::Video),
    Borrowed(&'f ff::frame::Video),
}

impl Input<'_> {
    /// The frame, when it is the caller's to keep.
    fn owned(self) -> Option<ff::frame::Video> {
        match self {
            Input::Owned(f) => Some(f),
            Input::Borrowed(_) => None,
        }
    }

    fn frame(&self) -> &ff::frame::Video {
        match self {
            Input::Owned(f) => f,
            Input::Borrowed(f) => f,
        }
    }
}

/// `out = out + (img - out) * alpha * strength` over the image's area; the
/// alpha of a subsampled chroma sample is the mean over its luma samples.
/// Where the output keeps alpha, the image is laid over it as straight
/// alpha: the colour weighs the image by its share of the resulting
/// opacity, and the opacity grows by `alpha * (1 - opacity)`.
fn blend_image(
    out: &mut ff::frame::Video,
    img: &ff::frame::Video,
    d: &ImageDraw,
    strength: f64,
) -> Result<()> {
    let format = out.format();
    let depth = ffmpeg::depth(format).ok_or(Error::Unexpected("unknown pixel format"))?;
    let px = Samples {
        wide: depth > 8,
        max: ((1u32 << depth) - 1) as f64,
    };
    let keeps_alpha = out.planes() == 4 && ffmpeg::has_alpha(format);
    // The output's opacity under the image, before the image is laid.
    let under = keeps_alpha.then(|| Plane::copy(out, 3, d, &px));
    let image_alpha = Plane::of(img, img.planes() - 1, &px);
    let (fw, fh) = (out.width() as i64, out.height() as i64);
    for plane in 0..out.planes().min(3) {
        let (pw, ph) = (
            out.plane_width(plane) as i64,
            out.plane_height(plane) as i64,
        );
        let (sx, sy) = (fw / pw.max(1), fh / ph.max(1));
        let (ix, iy) = (d.x / sx, d.y / sy);
        let (iw, ih) = (
            img.plane_width(plane) as i64,
            img.plane_height(plane) as i64,
        );
        let (so, si) = (out.stride(plane), img.stride(plane));
        let src = img.data(plane);
        let dst = out.data_mut(plane);
        for y in 0..ih {
            let oy = iy + y;
            if oy < 0 || oy >= ph {
                continue;
            }
            for x in 0..iw {
                let ox = ix + x;
                let a = image_alpha.mean(x, y, sx, sy) * strength;
                if ox < 0 || ox >= pw || a <= 0.0 {
                    continue;
                }
                // Straight alpha over a partly transparent output.
                let w = match &under {
                    Some(u) => {
                        let ua = u.mean(x, y, sx, sy);
                        a / (a + ua * (1.0 - a))
                    }
                    None => a,
                };
                let s = px.read(&src[y as usize * si..], x as usize);
                let at = oy as usize * so;
                let o = px.read(&dst[at..], ox as usize);
                px.write(&mut dst[at..], ox as usize, o + (s - o) * w);
            }
        }
    }
    if keeps_alpha {
        lay_opacity(out, &image_alpha, d, strength, &px);
    }
    Ok(())
}

/// The output's alpha plane under the image: `a + (1 - a) * image alpha`.
fn lay_opacity(
    out: &mut ff::frame::Video,
    image_alpha: &Plane,
    d: &ImageDraw,
    strength: f64,
    px: &Samples,
) {
    let (pw, ph) = (out.plane_width(3) as i64, out.plane_height(3) as i64);
    let so = out.stride(3);
    let dst = out.data_mut(3);
    for y in 0..image_alpha.height {
        let oy = d.y + y;
        if oy < 0 || oy >= ph {
            continue;
        }
        for x in 0..image_alpha.width {
            let ox = d.x + x;
            let a = image_alpha.mean(x, y, 1, 1) * strength;
            if ox < 0 || ox >= pw || a <= 0.0 {
                continue;
            }
            let at = oy as usize * so;
            let o = px.read(&dst[at..], ox as usize);
            px.write(&mut dst[at..], ox as usize, o + (px.max - o) * a);
        }
    }
}

/// How samples are stored: 8 bits, or 16-bit little-endian words.
struct Samples {
    wide: bool,
    max: f64,
}

impl Samples {
    fn read(&self, row: &[u8], i: usize) -> f64 {
        if self.wide {
            u16::from_le_bytes([row[2 * i], row[2 * i + 1]]) as f64
        } else {
            row[i] as f64
        }
    }

    fn write(&self, row: &mut [u8], i: usize, v: f64) {
        let v = v.round().clamp(0.0, self.max);
        if self.wide {
            row[2 * i..2 * i + 2].copy_from_slice(&(v as u16).to_le_bytes());
        } else {
            row[i] = v as u8;
        }
    }
}

/// A full-resolution plane as values from 0 to 1.
struct Plane {
    width: i64,
    height: i64,
    values: Vec<f64>,
}

impl Plane {
    /// Plane `plane` of `frame`.
    fn of(frame: &ff::frame::Video, plane: usize, px: &Samples) -> Plane {
        let (w, h) = (
            frame.plane_width(plane) as i64,
            frame.plane_height(plane) as i64,
        );
        let (data, stride) = (frame.data(plane), frame.stride(plane));
        let values = (0..h)
            .flat_map(|y| (0..w).map(move |x| (y, x)))
            .map(|(y, x)| px.read(&data[y as usize * stride..], x as usize) / px.max)
            .collect();
        Plane {
            width: w,
            height: h,
            values,
        }
    }

    /// Plane `plane` of `frame` over the image's area (0 outside the frame).
    fn copy(frame: &ff::frame::Video, plane: usize, d: &ImageDraw, px: &Samples) -> Plane {
        let whole = Plane::of(frame, plane, px);
        let (w, h) = (d.width as i64, d.height as i64);
        let values = (0..h)
            .flat_map(|y| (0..w).map(move |x| (d.x + x, d.y + y)))
            .map(|(x, y)| whole.at(x, y))
            .collect();
        Plane {
            width: w,
            height: h,
            values,
        }
    }

    fn at(&self, x: i64, y: i64) -> f64 {
        if x < 0 || y < 0 || x >= self.width || y >= self.height {
            return 0.0;
        }
        self.values[(y * self.width + x) as usize]
    }

    /// The mean over the `sx` by `sy` block of sample (`x`, `y`) of a plane
    /// subsampled by that much.
    fn mean(&self, x: i64, y: i64, sx: i64, sy: i64) -> f64 {
        let mut sum = 0.0;
        let mut n = 0.0;
        for yy in y * sy..((y + 1) * sy).min(self.height) {
            for xx in x * sx..((x + 1) * sx).min(self.width) {
                sum += self.values[(yy * self.width + xx) as usize];
                n += 1.0;
            }
        }
        if n > 0.0 {
            sum / n
        } else {
            0.0
        }
    }
}

/// Writes each caption track's sidecars beside `output` as
/// `<stem>.<language>.srt` / `.vtt`, timed to the rendered frames, each
/// atomically. Returns the files written.
pub fn write_sidecars(plan: &crate::plan::Plan, output: &Path) -> Result<Vec<PathBuf>> {
    let fps = plan.output.fps;
    let r = &plan.range;
    let secs = |k: u64| time::Ratio::from_integer((k - r.start) as i64) / fps;
    let stem = output
        .file_stem()
        .map_or("montage".into(), |s| s.to_string_lossy().into_owned());
    let dir = crate::container::parent_dir(output);
    let mut written = Vec::new();
    for t in &plan.layers.tracks {
        let cues: Vec<_> = t
            .cues
            .iter()
            .map(|(f, text)| (f.start.max(r.start), f.end.min(r.end), text))
            .filter(|(a, b, _)| a < b)
            .map(|(a, b, text)| (secs(a), secs(b), text.clone()))
            .collect();
        for s in &t.sidecar {
            let text = match s {
                crate::edl::text::Sidecar::Srt => crate::captions::write_srt(&cues),
                crate::edl::text::Sidecar::Vtt => crate::captions::write_vtt(&cues),
            };
            let path = dir.join(format!("{stem}.{}.{}", t.language, s.extension()));
            crate::container::write_atomic(&path, &text)?;
            written.push(path);
        }
    }
    Ok(written)
}
