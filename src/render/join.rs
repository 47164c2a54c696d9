//! Joining: encoded segments, stored as packet files ([`crate::packet`]),
//! are copied in order, without re-encoding, into the output muxer
//! together with the audio packets.

use crate::container::EncodedTrack;
use crate::error::{Context, EntryProblem, Error, Result};
use crate::packet::{self, Content, Header};
use ffmpeg_next as ff;
use std::fs::File;
use std::path::{Path, PathBuf};

/// An encoded segment ready to join: its open packet file (`name` for
/// messages) and the frame it starts at, counted from the render's start.
pub struct SegmentFile {
    pub name: PathBuf,
    pub file: File,
    pub first_frame: u64,
}

/// The video side of the join.
pub struct VideoTrack {
    /// Stream parameters of an encoder opened with the segments' settings.
    pub params: ff::codec::Parameters,
    pub extradata: Vec<u8>,
    /// Encoder time base (1/fps).
    pub time_base: ff::Rational,
    /// Segment files in order.
    pub segments: Vec<SegmentFile>,
}

/// Muxes the segments and the audio into `path` (written in place; the
/// caller makes it atomic). Audio packets are interleaved by time; the
/// segments' timestamps are offset by their first frame.
pub fn join(path: &Path, muxer: &str, video: VideoTrack, audio: EncodedTrack) -> Result<()> {
    let what = || format!("writing {}", path.display());
    let mut octx = open_output(path, muxer, &video, &audio).context(what)?;
    let vtb = octx.stream(0).expect("added").time_base();
    let atb = octx.stream(1).expect("added").time_base();
    let mut write = |mut p: ff::Packet, stream: usize, from: ff::Rational, to: ff::Rational| {
        p.set_stream(stream);
        p.rescale_ts(from, to);
        p.write_interleaved(&mut octx).context(what)
    };

    let mut audio_packets = audio.packets.into_iter().peekable();
    let secs =
        |ts: i64, tb: ff::Rational| ts as f64 * tb.numerator() as f64 / tb.denominator() as f64;
    let mut last_dts: Option<i64> = None;
    // The last packet is held back: the mp4 muxer ends the track's edit list
    // at the last packet's pts + duration, which with B-frames is not the
    // last frame shown; its duration is stretched to end where that one ends.
    let mut held: Option<ff::Packet> = None;
    let mut end_pts = 0i64;
    for seg in video.segments {
        let mut reader = packet::Reader::open(seg.file, &seg.name, Content::Segment)?;
        if !matches!(&reader.header, Header::Video { extradata } if *extradata == video.extradata) {
            return Err(Error::entry(
                Content::Segment.name(),
                &seg.name,
                EntryProblem::OtherParameters,
            ));
        }
        while let Some(sp) = reader.read()? {
            let packet = restamp(&sp, seg.first_frame as i64, &mut last_dts, &seg.name)?;
            let at = secs(packet.dts().or(packet.pts()).unwrap_or(0), video.time_base);
            while let Some(ap) = audio_packets
                .next_if(|ap| secs(ap.dts().or(ap.pts()).unwrap_or(0), audio.time_base) <= at)
            {
                write(ap, 1, audio.time_base, atb)?;
            }
            end_pts = end_pts.max(packet.pts().unwrap_or(0) + sp.duration.max(1));
            if let Some(prev) = held.replace(packet) {
                write(prev, 0, video.time_base, vtb)?;
            }
        }
    }
    if let Some(mut last) = held {
        if let Some(p) = last.pts() {
            last.set_duration((end_pts - p).max(1));
        }
        write(last, 0, video.time_base, vtb)?;
    }
    for ap in audio_packets {
        write(ap, 1, audio.time_base, atb)?;
    }
    octx.write_trailer().context(what)
}

/// The output file with a video stream (0) and an audio stream (1), its
/// header written.
fn open_output(
    path: &Path,
    muxer: &str,
    video: &VideoTrack,
    audio: &EncodedTrack,
) -> Result<ff::format::context::Output, ff::Error> {
    let mut octx = ff::format::output_as(&path, muxer)?;
    crate::glue::set_bitexact(&mut octx);
    for (params, time_base) in [
        (&video.params, video.time_base),
        (&audio.params, audio.time_base),
    ] {
        let mut st = octx.add_stream(ff::encoder::find(params.id()))?;
        st.set_parameters(params.clone());
        st.set_time_base(time_base);
    }
    octx.write_header_with(crate::container::mux_options(
        muxer,
        audio.time_base.denominator(),
    ))?;
    Ok(octx)
}

/// A segment's packet on the output timeline: timestamps offset by the
/// segment's first frame, decode timestamps rising strictly across joins.
fn restamp(
    sp: &packet::Packet,
    offset: i64,
    last_dts: &mut Option<i64>,
    segment: &Path,
) -> Result<ff::Packet> {
    let pts = sp.pts.map(|t| t + offset);
    let mut dts = sp.dts.map(|t| t + offset);
    if let (Some(d), Some(last)) = (dts, *last_dts) {
        if d <= last {
            dts = Some(last + 1);
        }
    }
    if let (Some(d), Some(p)) = (dts, pts) {
        if d > p {
            return Err(Error::entry(
                Content::Segment.name(),
                segment,
                EntryProblem::DecodeAfterPresentation,
            ));
        }
    }
    *last_dts = dts.or(*last_dts);
    let mut packet = crate::glue::read_packet(sp);
    packet.set_pts(pts);
    packet.set_dts(dts);
    Ok(packet)
}
