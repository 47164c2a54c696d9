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
/// caller makes it atomic).
pub fn join(path: &Path, muxer: &str, video: VideoTrack, audio: EncodedTrack) -> Result<()> {
    let what = || format!("writing {}", path.display());
    let mut octx = ff::format::output_as(&path, muxer).context(what)?;
    crate::glue::set_bitexact(&mut octx);
    {
        let mut vs = octx
            .add_stream(ff::encoder::find(video.params.id()))
            .context(what)?;
        vs.set_parameters(video.params);
        vs.set_time_base(video.time_base);
    }
    {
        let mut st = octx
            .add_stream(ff::encoder::find(audio.params.id()))
            .context(what)?;
        st.set_parameters(audio.params.clone());
        st.set_time_base(audio.time_base);
    }
    let opts = crate::container::mux_options(muxer, audio.time_base.denominator());
    octx.write_header_with(opts).context(what)?;
    let vtb = octx.stream(0).expect("added").time_base();
    let atb = octx.stream(1).expect("added").time_base();

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
        let seg_path = &seg.name;
        let first_frame = &seg.first_frame;
        let mut reader = packet::Reader::open(seg.file, seg_path, Content::Segment)?;
        if !matches!(&reader.header, Header::Video { extradata } if *extradata == video.extradata) {
            return Err(Error::entry(
                Content::Segment.name(),
                seg_path,
                EntryProblem::OtherParameters,
            ));
        }
        let offset = *first_frame as i64;
        while let Some(sp) = reader.read()? {
            let pts = sp.pts.map(|t| t + offset);
            let mut dts = sp.dts.map(|t| t + offset);
            // Decode timestamps must rise strictly across segment joins.
            if let (Some(d), Some(last)) = (dts, last_dts) {
                if d <= last {
                    dts = Some(last + 1);
                }
            }
            if let (Some(d), Some(p)) = (dts, pts) {
                if d > p {
                    return Err(Error::entry(
                        Content::Segment.name(),
                        seg_path,
                        EntryProblem::DecodeAfterPresentation,
                    ));
                }
            }
            last_dts = dts.or(last_dts);
            let at = secs(dts.or(pts).unwrap_or(0), video.time_base);
            while let Some(ap) = audio_packets.peek() {
                if secs(ap.dts().or(ap.pts()).unwrap_or(0), audio.time_base) > at {
                    break;
                }
                let mut ap = audio_packets.next().expect("peeked");
                ap.set_stream(1);
                ap.rescale_ts(audio.time_base, atb);
                ap.write_interleaved(&mut octx).context(what)?;
            }
            let mut packet = ff::Packet::copy(&sp.data);
            packet.set_pts(pts);
            packet.set_dts(dts);
            packet.set_duration(sp.duration);
            end_pts = end_pts.max(pts.unwrap_or(0) + sp.duration.max(1));
            if sp.key {
                packet.set_flags(ff::packet::Flags::KEY);
            }
            packet.set_stream(0);
            if let Some(mut prev) = held.replace(packet) {
                prev.rescale_ts(video.time_base, vtb);
                prev.write_interleaved(&mut octx).context(what)?;
            }
        }
    }
    if let Some(mut last) = held {
        if let Some(p) = last.pts() {
            last.set_duration((end_pts - p).max(1));
        }
        last.rescale_ts(video.time_base, vtb);
        last.write_interleaved(&mut octx).context(what)?;
    }
    for mut ap in audio_packets {
        ap.set_stream(1);
        ap.rescale_ts(audio.time_base, atb);
        ap.write_interleaved(&mut octx).context(what)?;
    }
    octx.write_trailer().context(what)?;
    Ok(())
}
