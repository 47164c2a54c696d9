//! Audio: read each region's source window ([`read`]), place it on the
//! sample-exact timeline with its gain and fades, duck clip audio and music
//! under the voiceovers ([`duck`]), fade the whole mix in and out, bring it
//! to the loudness target under a true-peak ceiling ([`loudness`]) and
//! encode it ([`encode`]).
//!
//! The timeline is worked in chunks of about ten seconds, so memory stays
//! flat however long it is and a change re-renders only the chunks it
//! touches. Three passes, each chunk by chunk and each chunk's result kept
//! in the cache under the key of what it depends on:
//! 1. the voiceovers alone, for the speech detector behind the ducking
//!    curve (a level per millisecond);
//! 2. the mix, measured: its K-weighted energy and true peak per
//!    millisecond, from which the loudness gain and the limiter are found
//!    for the whole timeline;
//! 3. the mix with that gain, encoded. A chunk's encoder starts a few
//!    frames early and runs a few frames past its end, and keeps the
//!    packets of its own samples, so the chunks join into one stream. The
//!    key of an encoded chunk holds the gains it was encoded with.

mod clipping;
mod duck;
pub mod encode;
pub mod loudness;
mod mix;
mod read;
mod retime;
mod sample_format;
mod stored;

use crate::digest;
use crate::edl::{AudioCurve, AudioSettings, Loudness};
use crate::error::{Error, Result};
use crate::plan::{AudioPlan, AudioRegion, Fade};
use crate::time::Ratio;
pub use clipping::Clipping;
pub use encode::{AudioTrack, Part};
use ffmpeg_next as ff;
use loudness::{Limiter, Measured};
use mix::{buses_of, mix_span, overlaps, Buses, Planar};
use rayon::prelude::*;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use stored::{from_bytes, pack, to_bytes, unpack, Heard};

/// Where the audio's chunks are kept between renders (the cache), and how
/// its keys name sources.
pub trait Store: Sync {
    /// The packets stored under `key`, when present and intact.
    fn load(&self, key: &str) -> Option<Vec<ff::Packet>>;
    /// Stores `packets` under `key`.
    fn save(&self, key: &str, packets: &[ff::Packet]) -> Result<()>;
    /// The packet file stored under `key`, when present and intact.
    fn find(&self, key: &str) -> Option<std::path::PathBuf>;
    /// Stores `packets` under `key`; returns the packet file they are in.
    fn keep(&self, key: &str, packets: &[ff::Packet]) -> Result<std::path::PathBuf>;
    /// What a region's source is in keys: its content, not its path.
    fn source(&self, region: &AudioRegion) -> String;
    /// What every key starts with: the program's version.
    fn salt(&self) -> String;
}

/// No store: every chunk is worked out afresh, and encoded chunks are
/// written to a work directory for the join.
pub struct Nowhere<'a>(pub &'a Path);

impl Store for Nowhere<'_> {
    fn load(&self, _: &str) -> Option<Vec<ff::Packet>> {
        None
    }
    fn save(&self, _: &str, _: &[ff::Packet]) -> Result<()> {
        Ok(())
    }
    fn find(&self, _: &str) -> Option<std::path::PathBuf> {
        None
    }
    fn keep(&self, key: &str, packets: &[ff::Packet]) -> Result<std::path::PathBuf> {
        let path = self.0.join(format!("audio-{key}.pkt"));
        encode::store(packets, &path)?;
        Ok(path)
    }
    fn source(&self, region: &AudioRegion) -> String {
        region.source.display().to_string()
    }
    fn salt(&self) -> String {
        String::new()
    }
}

/// The encoded audio and how much of it came from the store.
pub struct Rendered {
    pub track: AudioTrack,
    /// Encoded chunks, and of those the ones found in the store.
    pub chunks: usize,
    pub reused: usize,
    /// Where a mix with no loudness target goes over 0 dBTP.
    pub clipping: Option<Clipping>,
}

/// Encoder frames fed before a chunk's first sample and after its last.
const PRE_FRAMES: u64 = 4;
const POST_FRAMES: u64 = 2;
/// About how long a chunk is.
const CHUNK_SECONDS: u64 = 10;

/// The chunks of a timeline: whole encoder frames and whole 1 ms blocks,
/// so chunks measured or encoded on their own join exactly.
struct Grid {
    chunks: Vec<Range<u64>>,
    frame: u64,
    block: u64,
    total: u64,
}

impl Grid {
    fn new(plan: &AudioPlan, frame: u64) -> Grid {
        let block = (plan.sample_rate as u64 / 1000).max(1);
        let unit = frame / gcd(frame, block) * block;
        let chunk = unit * (CHUNK_SECONDS * plan.sample_rate as u64 / unit).max(1);
        let total = plan.samples;
        let chunks = (0..total.max(1))
            .step_by(chunk as usize)
            .map(|s| s..(s + chunk).min(total))
            .collect();
        Grid {
            chunks,
            frame,
            block,
            total,
        }
    }

    /// What is mixed for `chunk`: the frames before and after it that its
    /// encoder and meters need.
    fn extended(&self, chunk: &Range<u64>) -> Range<u64> {
        chunk.start.saturating_sub(PRE_FRAMES * self.frame)
            ..(chunk.end + POST_FRAMES * self.frame).min(self.total)
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Mixes, normalises and encodes the audio plan's `samples` (the whole
/// timeline, or the span of a range render: mixed and normalised as a
/// whole, so that the span sounds as it does in the full render), and
/// measures the encoded result. With a `scratch` directory, the chunks
/// mixed for measuring are kept there for the encoding pass, which then
/// need not read and resample the sources again.
pub fn render(
    plan: &AudioPlan,
    settings: &AudioSettings,
    samples: Range<u64>,
    store: &dyn Store,
    scratch: Option<&Path>,
) -> Result<Rendered> {
    let (frame, joinable) = encode::framing(plan, settings)?;
    let grid = Grid::new(plan, frame);
    let curve = ducking(plan, &grid, store)?;
    let whole = samples == (0..plan.samples);
    let job = Job {
        plan,
        settings,
        grid: &grid,
        curve: curve.as_ref(),
        store,
        joinable,
        scratch,
    };
    let (rendered, limiter) = match plan.loudness {
        Some(target) => job.normalise(target)?,
        None => (job.encode(None)?, None),
    };
    if whole {
        return job.warn(rendered, samples);
    }
    // A range: the span, with the gains of the whole.
    let ext = samples.start.saturating_sub(PRE_FRAMES * frame)..samples.end;
    let mix = mix_span(plan, ext.clone(), Buses::All, job.curve)?;
    let gain = limiter.map(|l| l.span(ext.start as usize..ext.end as usize));
    let mut enc = encode::SpanEncoder::new(plan, settings, ext.start, (samples.start, None))?;
    enc.feed(&mix, gain.as_deref())?;
    let mut packets = enc.finish()?;
    // The packets' times start at the range's first sample.
    let shift = samples.start as i64;
    for p in &mut packets {
        p.set_pts(p.pts().map(|t| t - shift));
        p.set_dts(p.dts().map(|t| t - shift));
    }
    let mut track = encode::track(vec![Part::Packets(packets)], plan, settings)?;
    track.loudness = Some(encode::measure(&track, plan)?);
    job.warn(
        Rendered {
            track,
            chunks: 0,
            reused: 0,
            clipping: None,
        },
        samples,
    )
}

/// The ducking curve over the whole timeline, from the voiceovers' level
/// per millisecond, chunk by chunk.
fn ducking(plan: &AudioPlan, grid: &Grid, store: &dyn Store) -> Result<Option<duck::Curve>> {
    let Some(d) = plan.ducking else {
        return Ok(None);
    };
    let block = grid.block as usize;
    // The chunks' levels, a few at a time and in order, into the curve.
    let mut curve = duck::Builder::new(plan.samples as usize, &d, plan.sample_rate);
    for batch in grid.chunks.chunks(rayon::current_num_threads().max(1)) {
        let levels: Vec<Vec<f32>> = batch
            .par_iter()
            .map(|chunk| {
                let blocks = (chunk.end - chunk.start).div_ceil(grid.block) as usize;
                let key = digest::key(&format!(
                    "audio-voice 3\n{}{}",
                    store.salt(),
                    describe(plan, chunk, Buses::Voice, None, store)
                ));
                if let Some(p) = store.load(&key).and_then(|p| unpack(&p, blocks)) {
                    return Ok(p);
                }
                let voice = mix_span(plan, chunk.clone(), Buses::Voice, None)?;
                let p = duck::block_power(&voice, block);
                store.save(&key, &pack(&p))?;
                Ok(p)
            })
            .collect::<Result<_>>()?;
        for l in &levels {
            curve.push(l);
        }
    }
    Ok(Some(curve.finish()))
}

/// Timeline spans (samples) where the voiceovers duck clip audio and music.
pub fn ducked_spans(plan: &AudioPlan) -> Result<Vec<Range<u64>>> {
    let grid = Grid::new(plan, 1024);
    let nowhere = Nowhere(Path::new("."));
    Ok(ducking(plan, &grid, &nowhere)?.map_or(Vec::new(), |c| c.spans))
}

/// The sound of a timeline at a glance, for storyboards: the mix's peak
/// per column, the ducking gain per column, the voiceovers' spans and the
/// mix's loudness before normalisation.
pub struct Overview {
    pub peaks: Vec<f32>,
    pub duck_db: Vec<f32>,
    /// The ducking depth, when there is ducking.
    pub depth_db: Option<f32>,
    pub voice: Vec<Range<u64>>,
    pub mix_lufs: f64,
}

/// Mixes `plan` chunk by chunk (nothing kept) into an [`Overview`] of
/// `columns` columns.
pub fn overview(plan: &AudioPlan, columns: usize) -> Result<Overview> {
    let grid = Grid::new(plan, 1024);
    let curve = ducking(plan, &grid, &Nowhere(Path::new(".")))?;
    let total = plan.samples.max(1);
    let column = |t: u64| ((t * columns as u64) / total) as usize;
    let mut peaks = vec![0f32; columns];
    let mut energies = Vec::new();
    for chunk in &grid.chunks {
        let mix = mix_span(plan, chunk.clone(), Buses::All, curve.as_ref())?;
        for ch in &mix {
            for (j, s) in ch.iter().enumerate() {
                let c = column(chunk.start + j as u64).min(columns - 1);
                peaks[c] = peaks[c].max(s.abs());
            }
        }
        energies.extend(loudness::block_energies(
            &mix,
            plan.sample_rate,
            grid.block as usize,
            0,
        ));
    }
    let duck_db = (0..columns)
        .map(|c| {
            let t = (c as u64 * total + total / 2) / columns as u64;
            curve
                .as_ref()
                .map_or(0.0, |k| 20.0 * k.gain(t).max(1e-6).log10())
        })
        .collect();
    Ok(Overview {
        peaks,
        duck_db,
        depth_db: plan.ducking.map(|d| d.depth_db as f32),
        voice: plan.voiceovers.iter().map(|r| r.timeline.clone()).collect(),
        mix_lufs: loudness::integrated(&energies, |_| 1.0, grid.block as usize),
    })
}

/// What a pass over a timeline needs.
struct Job<'a> {
    plan: &'a AudioPlan,
    settings: &'a AudioSettings,
    grid: &'a Grid,
    curve: Option<&'a duck::Curve>,
    store: &'a dyn Store,
    joinable: bool,
    scratch: Option<&'a Path>,
}

impl Job<'_> {
    /// `rendered` of `span`, with where its mix clips when it has no
    /// loudness target and its true peak is over 0 dBTP.
    fn warn(&self, mut rendered: Rendered, span: Range<u64>) -> Result<Rendered> {
        let peak = rendered.track.loudness.map_or(0.0, |l| l.true_peak_db);
        if self.plan.loudness.is_none() {
            rendered.clipping = clipping::find(self.plan, span, self.curve, peak)?;
        }
        Ok(rendered)
    }

    /// The key of what `span` of the mix holds.
    fn mix_key(&self, span: &Range<u64>) -> String {
        digest::key(&format!(
            "audio-mix 2\n{}{}",
            self.store.salt(),
            describe(self.plan, span, Buses::All, self.curve, self.store)
        ))
    }

    /// Where the measuring pass keeps the mix of `span` for the encoding
    /// pass, if there is a scratch directory.
    fn kept_mix(&self, span: &Range<u64>) -> Option<std::path::PathBuf> {
        self.scratch
            .map(|d| d.join(format!("mix-{}-{}.f32", span.start, span.end)))
    }

    /// The mix of `span`, from the scratch directory where the measuring
    /// pass kept it (for every encoding attempt; the directory goes with
    /// the render), else mixed from the sources.
    fn mix(&self, span: &Range<u64>) -> Result<Planar> {
        if let Some(path) = self.kept_mix(span) {
            let len = (span.end - span.start) as usize;
            if let Ok(bytes) = std::fs::read(&path) {
                if bytes.len() == len * 4 * self.plan.channels as usize {
                    return Ok(bytes.chunks_exact(len * 4).map(from_bytes).collect());
                }
            }
        }
        mix_span(self.plan, span.clone(), Buses::All, self.curve)
    }

    /// Keeps `mix` of `span` for [`Job::mix`]. Failing to is no error: the
    /// encoding pass mixes it again.
    fn keep_mix(&self, span: &Range<u64>, mix: &Planar) {
        if let Some(path) = self.kept_mix(span) {
            let bytes: Vec<u8> = mix.iter().flat_map(|c| to_bytes(c)).collect();
            let _ = std::fs::write(path, bytes);
        }
    }

    /// Pass 2: every chunk's K-weighted energy and true peak per block.
    fn measure(&self) -> Result<(Vec<f32>, Vec<f32>)> {
        let grid = self.grid;
        let block = grid.block as usize;
        let parts: Vec<Vec<f32>> = grid
            .chunks
            .par_iter()
            .map(|chunk| {
                let blocks = (chunk.end - chunk.start).div_ceil(grid.block) as usize;
                let ext = grid.extended(chunk);
                let key = digest::key(&format!("audio-measure 2\n{}", self.mix_key(&ext)));
                if let Some(m) = self.store.load(&key).and_then(|p| unpack(&p, 2 * blocks)) {
                    return Ok(m);
                }
                let mix = mix_span(self.plan, ext.clone(), Buses::All, self.curve)?;
                self.keep_mix(&ext, &mix);
                let pre = (chunk.start - ext.start) as usize;
                let end = (chunk.end - ext.start) as usize;
                let mut body = mix;
                for c in &mut body {
                    c.truncate(end);
                }
                let mut m = loudness::block_energies(&body, self.plan.sample_rate, block, pre);
                let peaks = loudness::block_peaks(&body, self.plan.sample_rate, block, pre)?;
                m.extend_from_slice(&peaks);
                self.store.save(&key, &pack(&m))?;
                Ok(m)
            })
            .collect::<Result<_>>()?;
        let mut energies = Vec::new();
        let mut peaks = Vec::new();
        for m in parts {
            let half = m.len() / 2;
            energies.extend_from_slice(&m[..half]);
            peaks.extend_from_slice(&m[half..]);
        }
        Ok((energies, peaks))
    }

    /// Pass 3: every chunk encoded (times the limiter's gains when given),
    /// from the store where it is there; measured as a whole.
    fn encode(&self, limiter: Option<&Limiter>) -> Result<Rendered> {
        let keys = self.chunk_keys(limiter);
        if !self.joinable {
            return self.encode_whole(&keys, limiter);
        }
        let chunks = self.encode_chunks(&keys, limiter)?;
        let reused = chunks.iter().filter(|(_, r)| *r).count();
        let files: Vec<&Path> = chunks.iter().map(|(f, _)| f.as_path()).collect();
        let heard = self.hear(&keys, &files)?;
        let loudness = self.loudness(&heard);
        let parts = chunks.into_iter().map(|(f, _)| Part::File(f)).collect();
        let mut track = encode::track(parts, self.plan, self.settings)?;
        track.loudness = Some(loudness);
        Ok(Rendered {
            track,
            chunks: keys.len(),
            reused,
            clipping: None,
        })
    }

    /// The key of each chunk's encoded packets: the mix it is encoded
    /// from, the settings, the samples it keeps and the gains.
    fn chunk_keys(&self, limiter: Option<&Limiter>) -> Vec<String> {
        let grid = self.grid;
        let gains = |ext: &Range<u64>| match limiter {
            Some(l) => l.describe(ext.start as usize..ext.end as usize),
            None => "none".into(),
        };
        let last = grid.chunks.len() - 1;
        grid.chunks
            .iter()
            .enumerate()
            .map(|(i, chunk)| {
                let ext = grid.extended(chunk);
                digest::key(&format!(
                    "audio-chunk\n{}\n{:?}\nkeep {chunk:?} last {}\ngains {}",
                    self.mix_key(&ext),
                    self.settings,
                    i == last,
                    gains(&ext)
                ))
            })
            .collect()
    }

    /// The mix of `span` and the limiter's gains over it.
    fn mix_with_gains(
        &self,
        span: Range<u64>,
        limiter: Option<&Limiter>,
    ) -> Result<(Planar, Option<Vec<f32>>)> {
        let mix = self.mix(&span)?;
        let gain = limiter.map(|l| l.span(span.start as usize..span.end as usize));
        Ok((mix, gain))
    }

    /// One encoder over the whole timeline, fed chunk by chunk: for
    /// encoders whose chunks cannot be joined.
    fn encode_whole(&self, keys: &[String], limiter: Option<&Limiter>) -> Result<Rendered> {
        let key = digest::key(&format!("audio-track\n{}", keys.join("\n")));
        let (file, reused) = match self.store.find(&key) {
            Some(f) => (f, 1),
            None => {
                let mut enc = encode::SpanEncoder::new(self.plan, self.settings, 0, (0, None))?;
                for chunk in &self.grid.chunks {
                    let (mix, gain) = self.mix_with_gains(chunk.clone(), limiter)?;
                    enc.feed(&mix, gain.as_deref())?;
                }
                (self.store.keep(&key, &enc.finish()?)?, 0)
            }
        };
        self.finish(vec![Part::File(file)], 1, reused)
    }

    /// Each chunk encoded on its own into the store under its key (or
    /// found there): the packet files, in order, and whether each was found.
    fn encode_chunks(
        &self,
        keys: &[String],
        limiter: Option<&Limiter>,
    ) -> Result<Vec<(PathBuf, bool)>> {
        let grid = self.grid;
        let last = grid.chunks.len() - 1;
        grid.chunks
            .par_iter()
            .zip(keys)
            .enumerate()
            .map(|(i, (chunk, key))| {
                if let Some(file) = self.store.find(key) {
                    return Ok((file, true));
                }
                let ext = grid.extended(chunk);
                let (mix, gain) = self.mix_with_gains(ext.clone(), limiter)?;
                let end = (i != last).then_some(chunk.end);
                let mut enc = encode::SpanEncoder::new(
                    self.plan,
                    self.settings,
                    ext.start,
                    (chunk.start, end),
                )?;
                enc.feed(&mix, gain.as_deref())?;
                let file = self.store.keep(key, &enc.finish()?)?;
                Ok((file, false))
            })
            .collect()
    }

    /// What a listener hears, chunk by chunk: each decoded after the end
    /// of the one before, measured and kept under both their keys.
    fn hear(&self, keys: &[String], files: &[&Path]) -> Result<Vec<Heard>> {
        let grid = self.grid;
        (0..files.len())
            .into_par_iter()
            .map(|i| {
                let before = i.checked_sub(1);
                let key = digest::key(&format!(
                    "audio-heard 2\n{}\n{}",
                    before.map_or("", |b| keys[b].as_str()),
                    keys[i]
                ));
                if let Some(h) = self.store.load(&key).and_then(|p| Heard::unpack(&p)) {
                    return Ok(h);
                }
                let (energies, peak) = encode::measure_part(
                    before.map(|b| files[b]),
                    files[i],
                    self.plan,
                    self.settings,
                    grid.block as usize,
                )?;
                // The blocks' place in their tenths of the whole.
                let offset = (grid.chunks[i].start / grid.block) as usize % 100;
                let h = Heard::new(&energies, offset, peak);
                self.store.save(&key, &h.pack())?;
                Ok(h)
            })
            .collect()
    }

    /// The loudness and true peak of the whole, from what was heard of
    /// each chunk.
    fn loudness(&self, heard: &[Heard]) -> Measured {
        let grid = self.grid;
        let mut tenths: Vec<f64> = Vec::new();
        let (mut peak, mut blocks) = (0f32, 0usize);
        for (i, h) in heard.iter().enumerate() {
            peak = peak.max(h.peak);
            blocks += h.blocks;
            // The tenth of the whole the chunk starts in.
            let at = (grid.chunks[i].start / grid.block) as usize / 100;
            if tenths.len() < at + h.tenths.len() {
                tenths.resize(at + h.tenths.len(), 0.0);
            }
            for (j, e) in h.tenths.iter().enumerate() {
                tenths[at + j] += *e as f64;
            }
        }
        Measured {
            integrated_lufs: loudness::gated(&tenths, blocks / 100, grid.block as usize),
            true_peak_db: loudness::to_db(peak as f64),
        }
    }

    fn finish(&self, parts: Vec<Part>, chunks: usize, reused: usize) -> Result<Rendered> {
        let mut track = encode::track(parts, self.plan, self.settings)?;
        track.loudness = Some(encode::measure(&track, self.plan)?);
        Ok(Rendered {
            track,
            chunks,
            reused,
            clipping: None,
        })
    }

    /// Brings the mix to `target`: a gain and a true-peak limiter whose
    /// result measures `integrated_lufs` (found by secant search on the
    /// measured blocks), then encode, decode and measure again. Lossy
    /// encoders add a little to the peaks and may take some loudness away
    /// (low-pass), so the limiter starts 0.5 dB under the ceiling, and what
    /// the encoded audio missed by corrects the next attempt. The gain is
    /// kept to steps of 0.1 dB, so that a small change to the timeline
    /// leaves it, and the chunks it does not touch, as they were.
    fn normalise(&self, target: Loudness) -> Result<(Rendered, Option<Limiter>)> {
        let block = self.grid.block as usize;
        let (energies, peaks) = self.measure()?;
        let before = loudness::integrated(&energies, |_| 1.0, block);
        if !before.is_finite() {
            // Silence (or too short to gate): nothing to normalise.
            return Ok((self.encode(None)?, None));
        }
        let limiter = |gain_db: f64, ceiling_db: f64| {
            Limiter::new(
                &peaks,
                loudness::from_db(gain_db),
                loudness::from_db(ceiling_db),
                block,
            )
        };
        let loudness_of = |l: &Limiter| {
            loudness::integrated(&energies, |b| l.at(b * block + block / 2) as f64, block)
        };
        let mut ceiling_db = target.true_peak_db - 0.5;
        // What the limited mix should measure before encoding: the encoder
        // can move the loudness too (its low-pass takes the top octave away).
        let mut aim = target.integrated_lufs;
        let mut gain_db = aim - before;
        const ENCODES: usize = 3;
        for attempt in 1..=ENCODES {
            gain_db = solve_gain(aim, gain_db, |g| loudness_of(&limiter(g, ceiling_db)));
            gain_db = (gain_db * 10.0).round() / 10.0;
            let l = limiter(gain_db, ceiling_db);
            let rendered = self.encode(Some(&l))?;
            let got = rendered.track.loudness.expect("measured");
            let loud_ok = (got.integrated_lufs - target.integrated_lufs).abs() <= 0.2;
            let peak_ok = got.true_peak_db <= target.true_peak_db + 0.05;
            if (loud_ok && peak_ok) || attempt == ENCODES {
                return Ok((rendered, Some(l)));
            }
            if !loud_ok {
                aim += target.integrated_lufs - got.integrated_lufs;
            }
            if !peak_ok {
                ceiling_db -= got.true_peak_db - target.true_peak_db + 0.1;
            }
        }
        unreachable!("the last attempt returns")
    }
}

/// Finds the gain (dB) at which `loudness(gain)` measures `target` LUFS,
/// by the secant method from `start`.
fn solve_gain(target: f64, start: f64, loudness: impl Fn(f64) -> f64) -> f64 {
    let eval = |g: f64| loudness(g) - target;
    let (mut g0, mut e0) = (start, eval(start));
    let (mut best_err, mut best_g) = (e0.abs(), g0);
    let mut g1 = g0 - e0;
    for _ in 0..8 {
        if best_err <= 0.02 {
            break;
        }
        let e1 = eval(g1);
        if e1.abs() < best_err {
            (best_err, best_g) = (e1.abs(), g1);
        }
        let slope = if (e1 - e0).abs() > 1e-6 {
            (g1 - g0) / (e1 - e0)
        } else {
            1.0
        };
        let next = (g1 - e1 * slope.clamp(0.5, 20.0)).clamp(start - 40.0, start + 40.0);
        (g0, e0, g1) = (g1, e1, next);
    }
    best_g
}

/// What `span` of the mix depends on, as text for a key: the regions of
/// `buses` it overlaps (their sources by content), the ducking gains they
/// get there and the master fades.
fn describe(
    plan: &AudioPlan,
    span: &Range<u64>,
    buses: Buses,
    curve: Option<&duck::Curve>,
    store: &dyn Store,
) -> String {
    let mut d = format!(
        "rate {} channels {} span {span:?}\n",
        plan.sample_rate, plan.channels
    );
    if span.start < plan.fade_in || span.end + plan.fade_out > plan.samples {
        let _ = writeln!(
            d,
            "fades {} {} of {}",
            plan.fade_in, plan.fade_out, plan.samples
        );
    }
    for (name, regions, ducked) in buses_of(plan, buses) {
        let _ = writeln!(d, "{name}");
        for r in regions.iter().filter(|r| overlaps(r, span)) {
            let _ = writeln!(d, "{}", r.describe(&store.source(r)));
            if let Some(c) = curve.filter(|_| ducked(plan)) {
                let a = r.timeline.start.max(span.start);
                let b = r.timeline.end.min(span.end);
                let _ = writeln!(d, "ducked {}", c.describe(a..b));
            }
        }
    }
    d
}

/// Measures the audio of a rendered file (its first audio stream).
pub fn measure_file(path: &Path) -> Result<Measured> {
    let probe = crate::probe::probe(path).map_err(Error::Probe)?;
    let info = probe
        .audio
        .ok_or(Error::Unexpected("the file has no audio stream"))?;
    let len = crate::time::round(probe.duration * Ratio::from_integer(info.sample_rate as i64))
        .max(0) as u64;
    let region = AudioRegion {
        label: path.display().to_string(),
        clip: None,
        source: path.to_path_buf(),
        stream: info.stream,
        container_start: probe.start_time,
        source_start: Ratio::from_integer(0),
        timeline: 0..len,
        volume: 1.0,
        fade_in: Fade {
            samples: 0,
            curve: AudioCurve::Linear,
        },
        fade_out: Fade {
            samples: 0,
            curve: AudioCurve::Linear,
        },
        source_len: len,
        retime: None,
        place: None,
    };
    // A window at a time, so that an hour-long file is measured in little
    // memory; each window's read starts early enough to join the last.
    let mut meter = loudness::Meter::new(info.channels, info.sample_rate)?;
    let window = CHUNK_SECONDS * info.sample_rate as u64;
    for start in (0..len).step_by(window as usize) {
        let part = AudioRegion {
            source_start: Ratio::new(start as i64, info.sample_rate as i64),
            source_len: window.min(len - start),
            ..region.clone()
        };
        let samples = read::region(&part, info.sample_rate, info.channels)?;
        let planes: Vec<&[f32]> = samples.iter().map(|c| c.as_slice()).collect();
        meter.add(&planes)?;
    }
    Ok(meter.result())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_mix_reads_back_exactly_and_a_wrong_one_is_mixed_again() {
        let plan = AudioPlan {
            sample_rate: 48_000,
            channels: 2,
            samples: 48_000,
            clips: Vec::new(),
            voiceovers: Vec::new(),
            music: Vec::new(),
            ducking: None,
            loudness: None,
            fade_in: 0,
            fade_out: 0,
        };
        let dir = tempfile::tempdir().unwrap();
        let grid = Grid::new(&plan, 1024);
        let nowhere = Nowhere(dir.path());
        let settings = AudioSettings::default();
        let job = Job {
            plan: &plan,
            settings: &settings,
            grid: &grid,
            curve: None,
            store: &nowhere,
            joinable: true,
            scratch: Some(dir.path()),
        };
        let span = 100..1100;
        // Distinct values per channel and sample, extremes included.
        let mix: Planar = (0..2)
            .map(|c| {
                (0..1000)
                    .map(|i| match i {
                        0 => f32::MIN_POSITIVE,
                        1 => -1.5e-7,
                        _ => (i as f32 * 0.37 + c as f32).sin() * (1.0 + c as f32),
                    })
                    .collect()
            })
            .collect();
        job.keep_mix(&span, &mix);
        assert_eq!(job.mix(&span).unwrap(), mix, "read back bit for bit");
        // Another span has no kept mix: mixed from the (silent) plan.
        assert_eq!(job.mix(&(0..500)).unwrap(), vec![vec![0.0f32; 500]; 2]);
        // A kept file of the wrong length is not trusted.
        std::fs::write(job.kept_mix(&(0..10)).unwrap(), [0u8; 12]).unwrap();
        assert_eq!(job.mix(&(0..10)).unwrap(), vec![vec![0.0f32; 10]; 2]);
    }
}
