//! The video encoder, set up identically for every segment so that the
//! segments' streams can be joined without re-encoding.

use crate::edl::Output;
use crate::error::{Context, Error, Result};
use crate::ffmpeg;
use crate::packet::{self, Header};
use crate::video_codec;
use ffmpeg_next as ff;
use std::path::Path;

/// Encoder threads per segment. Fixed, not derived from `--jobs`, because
/// libx264's output depends on its thread count and must not depend on how
/// many segments run at once.
pub const ENCODER_THREADS: usize = 2;

/// The output's pixel format (checked before rendering by [`check_settings`]).
pub fn pixel_format(out: &Output) -> Option<ff::format::Pixel> {
    out.video
        .pix_fmt
        .parse::<ff::format::Pixel>()
        .ok()
        .filter(|p| *p != ff::format::Pixel::None)
}

/// The format the encoder takes: the output's, or for an image encoder
/// (a still or an image sequence) the one its files hold, converted to
/// by [`super::convert`].
pub fn encoder_format(out: &Output) -> Option<ff::format::Pixel> {
    let composed = pixel_format(out)?;
    Some(crate::pictures::encoder_format(&out.video.codec, composed).unwrap_or(composed))
}

/// What is wrong with the output's encoder settings, as (key, message),
/// by the tables of [`super::constraints`] and then by opening the
/// encoders once: an unknown codec, preset, profile or pixel format is a
/// problem of the EDL, found before anything is decoded. Keys are named as
/// in [`Output::spans`] (`video.preset`).
pub fn check_settings(out: &Output) -> Vec<(&'static str, String)> {
    let v = &out.video;
    let mut problems = Vec::new();
    let audio_only = crate::container::audio_only(&out.path);
    if audio_only.is_some() {
        // No video stream is written.
    } else if ff::encoder::find_by_name(&v.codec).is_none() {
        problems.push((
            "video.codec",
            format!("unknown video encoder \"{}\"", v.codec),
        ));
    } else if pixel_format(out).is_none() {
        problems.push((
            "video.pix_fmt",
            format!("unknown pix_fmt \"{}\"", v.pix_fmt),
        ));
    } else {
        let found = super::constraints::video(out);
        if !found.is_empty() {
            problems.extend(found);
        } else if let Some(problem) = hdr_depth(out) {
            problems.push(problem);
        } else if let Some(problem) = alpha_format(out) {
            problems.push(problem);
        } else if let Err(e) = open_encoder(out) {
            let key = if !v.options.is_empty() {
                "video.options"
            } else if out.spans.get("video.profile").is_some() {
                "video.profile"
            } else {
                "video.codec"
            };
            problems.push((key, crate::error::Report(&e).to_string()));
        }
    }
    problems.extend(super::constraints::container(out));
    let a = &out.audio;
    if let Some((_, carries)) = audio_only.filter(|(_, c)| !c.contains(&a.codec.as_str())) {
        let ext = out.path.extension().unwrap_or_default().to_string_lossy();
        problems.push((
            "audio.codec",
            format!(
                "a .{ext} file cannot carry {} (one of {})",
                a.codec,
                carries.join(", ")
            ),
        ));
    } else if ff::encoder::find_by_name(&a.codec).is_none() {
        problems.push((
            "audio.codec",
            format!("unknown audio encoder \"{}\"", a.codec),
        ));
    } else if let Some((key, problem)) =
        crate::audio::encode::unsupported(a.sample_rate, a.channels, a)
    {
        // A rate or channel count the EDL did not give is the codec's fault.
        let key = if out.spans.get(key).is_some() {
            key
        } else {
            "audio.codec"
        };
        problems.push((key, problem));
    } else if let Err(e) = crate::audio::encode::open_at(a.sample_rate, a.channels, a) {
        let key = if !a.options.is_empty() {
            "audio.options"
        } else if a.quality.is_some() {
            "audio.quality"
        } else {
            "audio.codec"
        };
        problems.push((key, crate::error::Report(&e).to_string()));
    }
    problems
}

/// An HDR output in fewer than 10 bits: PQ and HLG band visibly in 8.
fn hdr_depth(out: &Output) -> Option<(&'static str, String)> {
    let space = out.color.space;
    let depth = pixel_format(out).and_then(ffmpeg::depth)?;
    (space != crate::colour::Space::Sdr && depth < 10).then(|| {
        let key = if out.spans.get("video.pix_fmt").is_some() {
            "video.pix_fmt"
        } else {
            "color.space"
        };
        (
            key,
            format!(
                "an HDR output (space = \"{}\") needs a pix_fmt of 10 bits or more; {} has {depth} \
                 (for example yuv420p10le, or yuv422p10le for ProRes)",
                space.name(),
                out.video.pix_fmt
            ),
        )
    })
}

/// A transparent output whose pixel format has no alpha to keep.
fn alpha_format(out: &Output) -> Option<(&'static str, String)> {
    let format = pixel_format(out)?;
    // A picture output is composed with alpha whatever its pix_fmt says.
    let picture = crate::pictures::kind(&out.path).is_some();
    (out.transparent && !ffmpeg::has_alpha(format) && !picture).then(|| {
        (
            "background",
            format!(
                "background = \"transparent\" needs a pix_fmt with alpha; {} has none \
                 (yuva444p10le for prores_ks, yuva420p for libvpx-vp9 in WebM)",
                out.video.pix_fmt
            ),
        )
    })
}

/// Opens a video encoder with the output's settings.
pub fn open_encoder(out: &Output) -> Result<OpenEncoder> {
    let codec = ff::encoder::find_by_name(&out.video.codec)
        .ok_or(Error::Unexpected("the video encoder went missing"))?;
    let ctx = ff::codec::context::Context::new_with_codec(codec);
    let mut enc = ctx
        .encoder()
        .video()
        .context(|| format!("video encoder {}", out.video.codec))?;
    let fps = out.fps;
    enc.set_width(out.width);
    enc.set_height(out.height);
    enc.set_format(encoder_format(out).ok_or(Error::Unexpected("unknown pix_fmt"))?);
    enc.set_time_base(ff::Rational::new(*fps.denom() as i32, *fps.numer() as i32));
    enc.set_frame_rate(Some(ff::Rational::new(
        *fps.numer() as i32,
        *fps.denom() as i32,
    )));
    enc.set_aspect_ratio(ff::Rational::new(1, 1));
    ffmpeg::tag_encoder(&mut enc, out.color.colour());
    let image = crate::pictures::is_image_codec(&out.video.codec);
    let mut flags = ff::codec::flag::Flags::GLOBAL_HEADER;
    if !image {
        flags |= ff::codec::flag::Flags::CLOSED_GOP;
    }
    if out.video.codec == "mjpeg" {
        // JPEG at FFmpeg's -q:v 2: the bit rate default is far too low.
        flags |= ff::codec::flag::Flags::QSCALE;
        ffmpeg::set_global_quality(&mut enc, 2.0);
    }
    enc.set_flags(flags);
    enc.set_threading(ff::threading::Config {
        kind: ff::threading::Type::Frame,
        count: ENCODER_THREADS,
        ..Default::default()
    });
    let opts = encoder_options(out);
    let mut encoder = enc.open_as_with(codec, opts).context(|| {
        format!(
            "cannot open video encoder {} ({}pix_fmt {})",
            out.video.codec,
            described(out),
            out.video.pix_fmt
        )
    })?;
    ffmpeg::set_stream_facts(&mut encoder, tag(out), prores_profile(out));
    Ok(OpenEncoder::new(encoder))
}

/// The settings an encoder failed with, for its message: `profile "hq", `.
fn described(out: &Output) -> String {
    let v = &out.video;
    let mut d = String::new();
    if let Some(p) = profile(out) {
        d.push_str(&format!("profile \"{}\", ", p.name));
    }
    if let Some(p) = preset(out) {
        d.push_str(&format!("preset \"{p}\", "));
    }
    if let Some(b) = v.bitrate {
        d.push_str(&format!("bitrate {b}, "));
    }
    d
}

/// The output's profile: the named one, else the encoder's default.
fn profile(out: &Output) -> Option<&'static video_codec::Profile> {
    let e = video_codec::encoder(&out.video.codec)?;
    e.profile_for(out.video.profile.as_deref(), &out.video.pix_fmt)
}

/// The preset: the EDL's, else the encoder's default (unless a bit rate
/// is given, which the default's constant quality would fight).
fn preset(out: &Output) -> Option<String> {
    let v = &out.video;
    v.preset.clone().or_else(|| {
        video_codec::encoder(&v.codec)
            .and_then(|e| e.preset)
            .map(String::from)
    })
}

/// The encoder's options: the EDL's settings, the encoder's defaults for
/// what the EDL leaves out (see [`video_codec`]), then the EDL's own
/// `options`, which override both.
fn encoder_options(out: &Output) -> ff::Dictionary<'static> {
    let image = crate::pictures::is_image_codec(&out.video.codec);
    let v = &out.video;
    let known = video_codec::encoder(&v.codec);
    let rate = v.bitrate.is_some();
    let mut opts = ff::Dictionary::new();
    if v.codec == "libwebp" {
        opts.set("quality", "90");
    }
    // An image encoder has no crf or preset (libwebp's `preset` is
    // another thing).
    let crf = v
        .crf
        .or_else(|| known.and_then(|e| e.crf).filter(|_| !rate))
        .filter(|_| !image);
    if let Some(crf) = crf {
        opts.set("crf", &crf.to_string());
    }
    if let Some(p) = preset(out).filter(|_| !image) {
        opts.set("preset", &p);
    }
    if let Some(p) = profile(out) {
        opts.set("profile", p.value);
    }
    for (name, value) in [
        ("b", v.bitrate),
        ("maxrate", v.maxrate),
        ("bufsize", v.bufsize),
    ] {
        if let Some(value) = value {
            opts.set(name, &value.to_string());
        }
    }
    if let Some(g) = v.gop {
        opts.set("g", &g.to_string());
    }
    for (name, value, rate_control) in known.map_or(&[][..], |e| e.options) {
        let skipped = (rate && *rate_control) || v.options.contains_key(*name);
        if !skipped {
            opts.set(name, value);
        }
    }
    if v.codec == "libx264" {
        // The threaded lookahead's extra frame buffers (about 23 MB at 1080p)
        // buy no speed here; the bitstream is the same either way.
        let mut params = String::from("sync-lookahead=0");
        // Without AVX-512: its MB-tree propagation (x264's
        // mbtree_propagate_list, eight macroblocks at a time) also uses the
        // lanes past a row whose macroblock count is not a multiple of 8,
        // and on the last row those hold the never-written padding of the
        // lookahead arrays: whatever the heap held before, which depends
        // on thread timing. The other code paths ignore the lanes.
        if let Some(cpu) = ffmpeg::x264_cpu_without_avx512() {
            params.push_str(&format!(":asm={cpu}"));
        }
        opts.set("x264-params", &params);
    }
    if v.codec == "libx265" {
        // x265 prints to the terminal whatever FFmpeg's log level says.
        let mut params = String::from("log-level=error");
        if out.color.space == crate::colour::Space::Pq {
            params.push(':');
            params.push_str(&x265_hdr10(out));
        }
        opts.set("x265-params", &params);
    }
    for (name, value) in &v.options {
        opts.set(name, value);
    }
    opts
}

/// The codec tag the EDL asks for, as the muxer reads it.
fn tag(out: &Output) -> Option<u32> {
    let t = out.video.tag.as_ref()?.as_bytes();
    Some(u32::from_le_bytes([t[0], t[1], t[2], t[3]]))
}

/// A ProRes stream's profile number for its stream parameters: the MXF
/// muxer reads it there (prores_ks puts it only in its codec tag).
fn prores_profile(out: &Output) -> Option<i32> {
    if out.video.codec != "prores_ks" {
        return None;
    }
    let e = video_codec::encoder("prores_ks")?;
    let p = profile(out)?;
    e.profiles
        .iter()
        .position(|q| q.name == p.name)
        .map(|i| i as i32)
}

/// An open video encoder that is given end-of-stream before it is freed:
/// an encoder with threads of its own (SVT-AV1) otherwise waits for it in
/// its teardown forever, where no signal reaches it; and SVT-AV1 also
/// waits forever for a packet after an end-of-stream that follows no
/// picture, so one that saw none (a settings check) is given a blank one
/// first. Whatever it still gives is dropped: the encoder is being thrown
/// away.
pub struct OpenEncoder {
    encoder: ff::encoder::Video,
    sent: bool,
    ended: bool,
}

impl OpenEncoder {
    fn new(encoder: ff::encoder::Video) -> OpenEncoder {
        OpenEncoder {
            encoder,
            sent: false,
            ended: false,
        }
    }

    pub fn send_frame(&mut self, frame: &ff::frame::Video) -> Result<(), ff::Error> {
        self.sent = true;
        self.encoder.send_frame(frame)
    }

    pub fn send_eof(&mut self) -> Result<(), ff::Error> {
        self.ended = true;
        self.encoder.send_eof()
    }
}

impl std::ops::Deref for OpenEncoder {
    type Target = ff::encoder::Video;
    fn deref(&self) -> &Self::Target {
        &self.encoder
    }
}

impl std::ops::DerefMut for OpenEncoder {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.encoder
    }
}

impl Drop for OpenEncoder {
    fn drop(&mut self) {
        if self.ended {
            return;
        }
        if !self.sent {
            let e = &self.encoder;
            let mut blank = ff::frame::Video::new(e.format(), e.width(), e.height());
            // Zeros: a valid code in every format (libaom asserts on
            // out-of-range samples).
            for plane in 0..blank.planes() {
                blank.data_mut(plane).fill(0);
            }
            blank.set_pts(Some(0));
            if self.encoder.send_frame(&blank).is_err() {
                return;
            }
        }
        if self.encoder.send_eof().is_ok() {
            let mut packet = ff::Packet::empty();
            while self.encoder.receive_packet(&mut packet).is_ok() {}
        }
    }
}

/// x265's HDR10 SEI for a PQ output: the mastering display, and the
/// content light level where the EDL gives it.
fn x265_hdr10(out: &Output) -> String {
    let c = &out.color;
    // x265 counts chromaticities in 1/50000 and luminance in 1/10000 cd/m².
    let m = c.mastering();
    let xy =
        |(x, y): (f64, f64)| format!("({},{})", (x * 50_000.0).round(), (y * 50_000.0).round());
    let [r, g, b] = m.primaries;
    let mut p = format!(
        "master-display=G{}B{}R{}WP{}L({},{})",
        xy(g),
        xy(b),
        xy(r),
        xy(m.white),
        (m.max_luminance * 10_000.0).round(),
        (m.min_luminance * 10_000.0).round()
    );
    if let crate::colour::ContentLight::Given { max_cll, max_fall } = c.content_light {
        p.push_str(&format!(":max-cll={max_cll},{max_fall}"));
    }
    p
}

/// Encodes one segment's frames into a packet file.
pub struct SegmentEncoder {
    encoder: OpenEncoder,
    colour: crate::colour::Colour,
    writer: packet::Writer,
    next_pts: i64,
    /// To an image encoder's format, when it is not the output's.
    convert: Option<super::convert::Convert>,
}

impl SegmentEncoder {
    pub fn create(out: &Output, path: &Path) -> Result<Self> {
        let encoder = open_encoder(out)?;
        let header = Header::Video {
            extradata: ffmpeg::extradata(&encoder),
        };
        let writer = packet::Writer::create(path, &header)?;
        let to = encoder.format();
        let convert = (Some(to) != pixel_format(out))
            .then(|| super::convert::Convert::new(to, out.color.colour()));
        Ok(SegmentEncoder {
            encoder,
            colour: out.color.colour(),
            writer,
            next_pts: 0,
            convert,
        })
    }

    /// Encodes the next frame; pts counts frames from the segment's start.
    pub fn push(&mut self, frame: &mut ff::frame::Video) -> Result<()> {
        frame.set_pts(Some(self.next_pts));
        frame.set_kind(ff::picture::Type::None);
        ffmpeg::tag_frame(frame, self.colour);
        self.next_pts += 1;
        let converted = match &mut self.convert {
            Some(c) => Some(c.frame(frame)?),
            None => None,
        };
        self.encoder
            .send_frame(converted.as_ref().unwrap_or(frame))
            .context(|| "encoding video")?;
        self.drain()
    }

    fn drain(&mut self) -> Result<()> {
        let writer = &mut self.writer;
        ffmpeg::drain(&mut self.encoder, "encoding video", |p| {
            ffmpeg::write_packet(writer, &p)
        })
    }

    /// Flushes the encoder and closes the file.
    pub fn finish(mut self) -> Result<()> {
        self.encoder
            .send_eof()
            .context(|| "flushing the video encoder")?;
        self.drain()?;
        self.writer.finish()
    }
}
