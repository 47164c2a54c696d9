//! Proxy media: a small, fast-to-decode copy of each large video source,
//! made once and kept in the cache under the source's content fingerprint.
//!
//! A proxy is the source's video stream scaled so that its longer side is
//! [`SIZE`] pixels, encoded with x264 `ultrafast`/`fastdecode` (no CABAC,
//! no deblocking) with a keyframe every [`GOP`] frames, in NUT (which keeps
//! any time base). Every frame keeps the source's timestamp in the source's
//! time base, so the planner's frame choice is the same from a proxy as from
//! the source. Proxy renders (`--proxy`) read proxies where they exist and
//! the sources elsewhere.
//!
//! A proxy also carries the source's audio streams, copied as they are
//! (each tagged with the source stream it came from), so that a proxy
//! render reads its sound from the proxy too and decodes the same samples.

use crate::cache::{self, Cache, Kind};
use crate::demux::StreamInput;
use crate::error::{Context, Error, Result};
use crate::ffmpeg;
use crate::plan::{PictureSource, Plan};
use crate::time::Ratio;
use ff::util::mathematics::rescale::Rescale;
use ffmpeg_next as ff;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Longer side of a proxy picture, pixels.
pub const SIZE: u32 = 640;
/// Frames between keyframes: short, so that seeks decode little.
pub const GOP: u32 = 12;
/// Bumped when how proxies are made changes.
const FORMAT: u32 = 2;

/// Proxy size for a `w`x`h` source, or None if the source is small already.
pub fn size_for(w: u32, h: u32) -> Option<(u32, u32)> {
    if w.max(h) <= SIZE {
        return None;
    }
    let even = |x: f64| ((x / 2.0).round() as u32).max(1) * 2;
    Some(if w >= h {
        (SIZE, even(SIZE as f64 * h as f64 / w as f64))
    } else {
        (even(SIZE as f64 * w as f64 / h as f64), SIZE)
    })
}

/// Where the proxy of a source with this fingerprint lives.
fn entry_key(fingerprint: &str, stream: usize) -> String {
    format!("{fingerprint}-s{stream}-p{FORMAT}-{SIZE}")
}

/// A video stream that deserves a proxy.
pub struct Wanted {
    source: PathBuf,
    stream: usize,
    fingerprint: String,
    size: (u32, u32),
}

impl Wanted {
    fn key(&self) -> String {
        entry_key(&self.fingerprint, self.stream)
    }

    /// Where its proxy is (or will be) in `cache`.
    fn entry(&self, cache: &Cache) -> PathBuf {
        cache.entry_path(Kind::Proxy, &self.key())
    }
}

/// The distinct video sources of `plan` that deserve a proxy.
pub fn wanted(plan: &Plan) -> Result<Vec<Wanted>> {
    let mut out: Vec<Wanted> = Vec::new();
    for c in &plan.clips {
        let Some(source) = c.source.file() else {
            continue;
        };
        let Some(size) = size_for(c.video.width, c.video.height) else {
            continue;
        };
        if out
            .iter()
            .any(|w| &w.source == source && w.stream == c.video.stream)
        {
            continue;
        }
        let fingerprint =
            cache::fingerprint(source).map_err(|e| Error::io("reading", source, e))?;
        out.push(Wanted {
            source: source.clone(),
            stream: c.video.stream,
            fingerprint,
            size,
        });
    }
    Ok(out)
}

/// What [`make_all`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Made {
    pub made: usize,
    pub present: usize,
}

/// Makes the missing proxies of `wanted`, `jobs` at a time.
pub fn make_all(wanted: &[Wanted], cache: &Cache, jobs: usize) -> Result<Made> {
    let missing: Vec<_> = wanted.iter().filter(|w| !w.entry(cache).exists()).collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
        .map_err(Error::Workers)?;
    pool.install(|| {
        missing.par_iter().try_for_each(|w| {
            let key = w.key();
            let tmp = cache.temp_path(&key).with_extension("nut");
            let made = make(&w.source, w.stream, w.size, &tmp);
            if made.is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
            made?;
            cache.insert(&tmp, Kind::Proxy, &key).map(drop)
        })
    })?;
    Ok(Made {
        made: missing.len(),
        present: wanted.len() - missing.len(),
    })
}

/// What a plan reads from proxy media.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Used {
    /// Clips whose pictures come from a proxy.
    pub clips: usize,
    /// Sounds (clip audio, voiceovers, music) read from a proxy.
    pub sounds: usize,
}

/// Points the clips of `plan` whose sources (among `wanted`) have a proxy
/// at it, and their sound at the proxy's copy of it.
pub fn substitute(plan: &mut Plan, cache: &Cache, wanted: &[Wanted]) -> Result<Used> {
    let mut used = Used {
        clips: 0,
        sounds: 0,
    };
    for w in wanted {
        let path = w.entry(cache);
        if !path.exists() {
            continue;
        }
        // The proxy's own stream description; its timestamps are the
        // source's, so the clip's timing (start, container start) stays.
        let Some(info) = crate::probe::probe(&path).ok().and_then(|p| p.video) else {
            continue;
        };
        // The sound of the source's audio streams, read from the proxy.
        for (from, to, shift) in copied_audio(&path) {
            let a = &mut plan.audio;
            for r in a
                .clips
                .iter_mut()
                .chain(a.voiceovers.iter_mut())
                .chain(a.music.iter_mut())
                .filter(|r| r.source == w.source && r.stream == from)
            {
                r.source = path.clone();
                r.stream = to;
                r.container_start += shift;
                used.sounds += 1;
            }
        }
        for c in plan
            .clips
            .iter_mut()
            .filter(|c| c.source.file() == Some(&w.source) && c.video.stream == w.stream)
        {
            if let PictureSource::Video(p) | PictureSource::Still(p) = &mut c.source {
                *p = path.clone();
            }
            c.video.stream = info.stream;
            c.video.time_base = info.time_base;
            c.video.width = info.width;
            c.video.height = info.height;
            c.video.sar = info.sar;
            used.clips += 1;
        }
    }
    Ok(used)
}

/// The metadata tags on a proxy's audio stream: the source stream it was
/// copied from, and the seconds added to its timestamps.
const SOURCE_STREAM: &str = "reel_source_stream";
const SHIFT: &str = "reel_shift";

/// The audio streams a proxy carries: the source stream, the proxy
/// stream, and the seconds added to its timestamps.
fn copied_audio(proxy: &Path) -> Vec<(usize, usize, Ratio)> {
    let Ok(input) = ff::format::input(&proxy) else {
        return Vec::new();
    };
    input
        .streams()
        .filter_map(|s| {
            let meta = s.metadata();
            let from = meta.get(SOURCE_STREAM)?.parse().ok()?;
            let (n, d) = meta.get(SHIFT)?.split_once('/')?;
            let shift = Ratio::new(n.parse().ok()?, d.parse().ok().filter(|&d| d > 0)?);
            Some((from, s.index(), shift))
        })
        .collect()
}

/// Transcodes the video stream `stream` of `source` into a proxy of `size`
/// at `dest`: decode, scale (deinterlacing first where needed), encode;
/// the source's audio streams are copied beside it.
pub fn make(source: &Path, stream: usize, size: (u32, u32), dest: &Path) -> Result<()> {
    let what = || format!("making a proxy of {}", source.display());
    let mut probe = ff::format::input(&source).context(what)?;
    let mut audio: Vec<Copied> = probe
        .streams()
        .filter(|s| s.parameters().medium() == ff::media::Type::Audio)
        .map(|s| Copied {
            index: s.index(),
            params: s.parameters(),
            time_base: s.time_base(),
            shift: 0,
            at: 0,
        })
        .collect();
    // A stream whose first packet is stamped before 0 (an AAC track's
    // priming) is moved to 0: the muxer would otherwise move the whole file.
    let mut seen = vec![false; audio.len()];
    for (stream, packet) in probe.packets().take(1000) {
        if let Some(k) = audio.iter().position(|a| a.index == stream.index()) {
            if !seen[k] {
                seen[k] = true;
                let first = packet
                    .dts()
                    .into_iter()
                    .chain(packet.pts())
                    .min()
                    .unwrap_or(0);
                audio[k].shift = (-first).max(0);
            }
        }
        if seen.iter().all(|s| *s) {
            break;
        }
    }
    drop(probe);
    let also: Vec<usize> = audio.iter().map(|a| a.index).collect();
    let mut input = StreamInput::open_with(source, stream, &also).context(what)?;
    let st = input
        .input
        .stream(stream)
        .ok_or(ff::Error::StreamNotFound)
        .context(what)?;
    let (tb, rate) = (st.time_base(), st.avg_frame_rate());
    let mut decoder = input.decoder(1).and_then(|d| d.video()).context(what)?;
    let name = what();
    let mut writer: Option<ProxyWriter> = None;
    let mut last_pts: Option<i64> = None;
    let mut frame = ff::frame::Video::empty();
    while input.next_frame(&mut decoder, &mut frame).context(what)? {
        crate::signal::check()?;
        let Some(pts) = frame.timestamp() else {
            continue;
        };
        // The encoder needs rising timestamps; a repeated one shows nothing new.
        if last_pts.is_some_and(|l| pts <= l) {
            continue;
        }
        last_pts = Some(pts);
        frame.set_pts(Some(pts));
        let w = match &mut writer {
            Some(w) => w,
            None => writer.insert(
                ProxyWriter::open(&frame, tb, rate, size, std::mem::take(&mut audio), dest)
                    .context(what)?,
            ),
        };
        w.copy(std::mem::take(&mut input.others), &name)?;
        w.push(Some(&frame), &name)?;
    }
    match writer {
        Some(mut w) => {
            w.copy(std::mem::take(&mut input.others), &name)?;
            w.finish(&name)
        }
        None => Err(Error::Damaged {
            clip: name,
            at: Ratio::from_integer(0),
            problem: crate::error::Damage::NoFrames,
        }),
    }
}

/// An audio stream copied into a proxy.
struct Copied {
    /// The source's stream index, parameters and time base.
    index: usize,
    params: ff::codec::Parameters,
    time_base: ff::Rational,
    /// Added to its timestamps (in its time base).
    shift: i64,
    /// The proxy's stream index.
    at: usize,
}

/// The filter graph, encoder and NUT muxer of a proxy being made.
struct ProxyWriter {
    graph: ff::filter::Graph,
    /// Time base of the graph's output (bwdif halves the source's).
    graph_tb: ff::Rational,
    /// The source stream's time base, which the proxy keeps.
    tb: ff::Rational,
    encoder: ff::encoder::Video,
    output: ff::format::context::Output,
    /// The audio streams copied.
    audio: Vec<Copied>,
}

impl ProxyWriter {
    /// Sets everything up for pictures like `first`.
    fn open(
        first: &ff::frame::Video,
        tb: ff::Rational,
        rate: ff::Rational,
        size: (u32, u32),
        audio: Vec<Copied>,
        dest: &Path,
    ) -> Result<Self, ff::Error> {
        // Interlaced sources are deinterlaced first (as renders do).
        let deinterlace = if first.is_interlaced() {
            format!("{},", ffmpeg::DEINTERLACE)
        } else {
            String::new()
        };
        let spec = format!(
            "{deinterlace}scale=w={}:h={}:flags=bicubic,format=pix_fmts=yuv420p",
            size.0, size.1
        );
        let mut graph = ffmpeg::video_chain(first, tb, &spec)?;
        let graph_tb = ffmpeg::sink_time_base(&mut graph);
        let codec = ff::encoder::find_by_name("libx264").ok_or(ff::Error::EncoderNotFound)?;
        let mut enc = ff::codec::context::Context::new_with_codec(codec)
            .encoder()
            .video()?;
        enc.set_width(size.0);
        enc.set_height(size.1);
        enc.set_format(ff::format::Pixel::YUV420P);
        enc.set_time_base(tb);
        if rate.numerator() > 0 {
            enc.set_frame_rate(Some(rate));
        }
        enc.set_aspect_ratio(ffmpeg::sink_aspect_ratio(&mut graph));
        // Tagged with the matrix the source is read with, which for an
        // untagged HD source depends on its size, not the proxy's.
        enc.set_colorspace(ffmpeg::matrix_space(ffmpeg::matrix_of(first)));
        enc.set_color_range(first.color_range());
        enc.set_color_primaries(first.color_primaries());
        enc.set_color_transfer_characteristic(first.color_transfer_characteristic());
        enc.set_flags(ff::codec::flag::Flags::GLOBAL_HEADER);
        enc.set_threading(ff::threading::Config {
            kind: ff::threading::Type::Frame,
            count: 1,
            ..Default::default()
        });
        let mut opts = ff::Dictionary::new();
        opts.set("preset", "ultrafast");
        opts.set("tune", "fastdecode");
        opts.set("crf", "20");
        opts.set(
            "x264-params",
            &format!("keyint={GOP}:min-keyint={GOP}:scenecut=0"),
        );
        let encoder = enc.open_as_with(codec, opts)?;
        let mut output = ff::format::output_as(&dest, "nut")?;
        let mut os = output.add_stream(codec)?;
        os.set_parameters(&encoder);
        os.set_time_base(tb);
        let mut copied = audio;
        for c in &mut copied {
            c.at = ffmpeg::add_copied_stream(&mut output, c.params.clone(), c.time_base)?;
            let mut meta = ff::Dictionary::new();
            meta.set(SOURCE_STREAM, &c.index.to_string());
            let (n, d) = (c.time_base.numerator() as i64, c.time_base.denominator());
            meta.set(SHIFT, &format!("{}/{d}", c.shift * n));
            output.stream_mut(c.at).expect("added").set_metadata(meta);
        }
        output.write_header()?;
        Ok(ProxyWriter {
            graph,
            graph_tb,
            tb,
            encoder,
            output,
            audio: copied,
        })
    }

    /// Muxes audio packets read from the source as they are.
    fn copy(&mut self, packets: Vec<ff::Packet>, what: &str) -> Result<()> {
        for mut p in packets {
            let Some(c) = self.audio.iter().find(|a| a.index == p.stream()) else {
                continue;
            };
            let out_tb = self.output.stream(c.at).expect("added").time_base();
            p.set_stream(c.at);
            p.set_pts(p.pts().map(|t| t + c.shift));
            p.set_dts(p.dts().map(|t| t + c.shift));
            p.rescale_ts(c.time_base, out_tb);
            p.set_position(-1);
            p.write_interleaved(&mut self.output).context(|| what)?;
        }
        Ok(())
    }

    /// Filters and encodes a source picture (None: the end of the stream).
    fn push(&mut self, frame: Option<&ff::frame::Video>, what: &str) -> Result<()> {
        ffmpeg::push(&mut self.graph, frame.map(|f| &**f)).context(|| what)?;
        let mut scaled = ff::frame::Video::empty();
        while ffmpeg::pull(&mut self.graph, &mut scaled) {
            // Back to the source's time base.
            let pts = scaled.pts().map(|p| p.rescale(self.graph_tb, self.tb));
            scaled.set_pts(pts);
            scaled.set_kind(ff::picture::Type::None);
            self.encoder.send_frame(&scaled).context(|| what)?;
            self.write_packets(what)?;
        }
        Ok(())
    }

    /// Muxes every packet the encoder has ready.
    fn write_packets(&mut self, what: &str) -> Result<()> {
        let out_tb = self.output.stream(0).expect("added").time_base();
        let (tb, output) = (self.tb, &mut self.output);
        ffmpeg::drain(&mut self.encoder, what, |mut p| {
            p.set_stream(0);
            p.rescale_ts(tb, out_tb);
            p.write_interleaved(output).context(|| what)
        })
    }

    /// Flushes the filters and the encoder and closes the file.
    fn finish(mut self, what: &str) -> Result<()> {
        self.push(None, what)?;
        self.encoder.send_eof().context(|| what)?;
        self.write_packets(what)?;
        self.output.write_trailer().context(|| what)
    }
}

/// A line for the user.
pub fn describe(made: Made) -> String {
    format!(
        "proxies: {} made, {} already in the cache",
        made.made, made.present
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_sizes_keep_the_shape_with_even_sides() {
        assert_eq!(size_for(1920, 1080), Some((640, 360)));
        assert_eq!(size_for(1080, 1920), Some((360, 640)));
        assert_eq!(size_for(1440, 1080), Some((640, 480)));
        assert_eq!(size_for(720, 576), Some((640, 512)));
        assert_eq!(size_for(640, 360), None);
        assert_eq!(size_for(320, 240), None);
    }
}
