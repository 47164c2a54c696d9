//! HDR10's content light level measured from what was rendered: each
//! encoded segment of a PQ output decoded, and every pixel's brightest
//! component taken through the PQ curve (CTA-861.3: MaxCLL is the
//! brightest pixel, MaxFALL the brightest frame's average).

use crate::colour::pq_eotf;
use crate::error::{Context, Result};
use crate::ffmpeg;
use crate::packet::{self, Content};
use ffmpeg_next as ff;
use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::path::Path;

/// MaxCLL and MaxFALL so far, as PQ signal and cd/m².
#[derive(Debug, Default, Clone, Copy)]
pub struct Meter {
    /// The brightest component seen, as PQ signal (0..1).
    brightest: f64,
    /// The brightest frame average, cd/m².
    max_fall: f64,
}

impl Meter {
    /// MaxCLL and MaxFALL in whole cd/m².
    pub fn result(&self) -> (u32, u32) {
        (
            pq_eotf(self.brightest).round() as u32,
            self.max_fall.round() as u32,
        )
    }

    /// Takes in one decoded picture: limited-range BT.2020 Y'CbCr, PQ,
    /// 10 to 16 bits, any chroma subsampling.
    pub fn add(&mut self, frame: &ff::frame::Video, table: &[f32]) {
        let Some(depth) = ffmpeg::depth(frame.format()) else {
            return;
        };
        if depth <= 8 || frame.planes() < 3 {
            return;
        }
        let scale = (1u32 << (depth - 8)) as f64;
        let (y0, yr, cr) = (16.0 * scale, 219.0 * scale, 224.0 * scale);
        let mid = 128.0 * scale;
        let (w, h) = (frame.width() as usize, frame.height() as usize);
        let (cw, ch) = (
            frame.plane_width(1) as usize,
            frame.plane_height(1) as usize,
        );
        let (sx, sy) = ((w / cw.max(1)).max(1), (h / ch.max(1)).max(1));
        let sample = |plane: usize, x: usize, y: usize| -> f64 {
            let s = frame.stride(plane);
            let d = frame.data(plane);
            let i = y * s + 2 * x;
            u16::from_le_bytes([d[i], d[i + 1]]) as f64
        };
        let mut sum = 0.0f64;
        for y in 0..h {
            for x in 0..w {
                let l = (sample(0, x, y) - y0) / yr;
                let b = (sample(1, x / sx, y / sy) - mid) / cr;
                let r = (sample(2, x / sx, y / sy) - mid) / cr;
                // BT.2020 non-constant luminance, back to R'G'B'.
                let e = (l + 1.4746 * r)
                    .max(l - 0.164553 * b - 0.571353 * r)
                    .max(l + 1.8814 * b)
                    .clamp(0.0, 1.0);
                self.brightest = self.brightest.max(e);
                sum += table[(e * (table.len() - 1) as f64).round() as usize] as f64;
            }
        }
        self.max_fall = self.max_fall.max(sum / (w * h).max(1) as f64);
    }
}

/// PQ signal to cd/m², tabulated finely enough for averages.
pub fn table() -> Vec<f32> {
    const STEPS: usize = 1 << 16;
    (0..STEPS)
        .map(|i| pq_eotf(i as f64 / (STEPS - 1) as f64) as f32)
        .collect()
}

/// Decodes the packets of one segment file into `meter`; the file is
/// left at its start for the join to read.
pub fn measure_segment(
    file: &mut File,
    name: &Path,
    params: &ff::codec::Parameters,
    meter: &mut Meter,
    table: &[f32],
) -> Result<()> {
    let what = || format!("measuring the light level of {}", name.display());
    let ctx = ff::codec::context::Context::from_parameters(params.clone()).context(what)?;
    let mut decoder = ctx.decoder().video().context(what)?;
    let mut reader = packet::Reader::open(
        file.try_clone()
            .map_err(|e| crate::error::Error::io("reading", name, e))?,
        name,
        Content::Segment,
    )?;
    let mut frame = ff::frame::Video::empty();
    let mut drain = |decoder: &mut ff::decoder::Video, meter: &mut Meter| {
        while decoder.receive_frame(&mut frame).is_ok() {
            meter.add(&frame, table);
        }
    };
    while let Some(sp) = reader.read()? {
        // A long HDR master takes a while to measure: stop when asked.
        crate::signal::check()?;
        decoder
            .send_packet(&ffmpeg::read_packet(&sp))
            .context(what)?;
        drain(&mut decoder, meter);
    }
    decoder.send_eof().context(what)?;
    drain(&mut decoder, meter);
    file.seek(SeekFrom::Start(0))
        .map_err(|e| crate::error::Error::io("reading", name, e))?;
    Ok(())
}
