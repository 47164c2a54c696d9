//! Joining: encoded segments, stored as packet files ([`crate::packet`]),
//! are copied in order, without re-encoding, into the output muxer
//! together with the audio packets and the caption tracks, encoded here as
//! subtitle streams.

use crate::colour::Hdr10;
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
    /// HDR10 metadata for the container (PQ outputs).
    pub hdr10: Option<Hdr10>,
    /// Measure MaxCLL and MaxFALL from the segments for `hdr10`.
    pub measure_light: bool,
    /// The output's start timecode ("01:00:00:00", "00:59:59;28").
    pub timecode: Option<String>,
}

/// A caption track to embed: cues on the output timeline.
pub struct SubtitleTrack {
    /// ISO 639-2 code, written as the stream's `language` tag (mp4/mov
    /// write it into the track's mdhd).
    pub language: String,
    /// (start, end) in milliseconds from the output's start, and the cue
    /// text (lines separated by '\n').
    pub cues: Vec<(i64, i64, String)>,
}

/// A caption track encoded for the muxer.
struct EncodedSubtitles {
    params: ff::codec::Parameters,
    language: String,
    /// Timestamps in milliseconds, in order.
    packets: Vec<ff::Packet>,
}

/// Milliseconds: the time base of subtitle encoders and packets.
const MS: ff::Rational = ff::Rational(1, 1000);

/// The encoded audio, its packets read as they are muxed.
pub struct AudioIn<'a> {
    pub params: ff::codec::Parameters,
    pub time_base: ff::Rational,
    pub packets: Box<dyn Iterator<Item = Result<ff::Packet>> + 'a>,
}

/// Muxes the segments, the audio and the subtitle tracks into `path`
/// (written in place; the caller makes it atomic). Audio and subtitle
/// packets are interleaved by time; the segments' timestamps are offset by
/// their first frame. The subtitle streams follow the video (0) and the
/// audio (1) in the order given.
pub fn join(
    path: &Path,
    muxer: &str,
    video: VideoTrack,
    audio: AudioIn,
    subtitles: Vec<SubtitleTrack>,
) -> Result<()> {
    let what = || format!("writing {}", path.display());
    let subtitles = subtitles
        .iter()
        .map(|t| encode_subtitles(t, muxer))
        .collect::<Result<Vec<_>>>()?;
    let mut video = video;
    if video.measure_light {
        measure_light(&mut video)?;
    }
    if video.extradata.is_empty() && video.params.id() == ff::codec::Id::AV1 {
        av1_parameters(&mut video)?;
    }
    let mut octx = open_output(path, muxer, &video, &audio, &subtitles).context(what)?;
    let vtb = octx.stream(0).expect("added").time_base();
    let atb = octx.stream(1).expect("added").time_base();
    let stbs: Vec<ff::Rational> = (0..subtitles.len())
        .map(|i| octx.stream(2 + i).expect("added").time_base())
        .collect();
    // Every subtitle packet with its stream, by time (stream order for
    // equal times).
    let mut sub_packets: Vec<(usize, ff::Packet)> = subtitles
        .into_iter()
        .enumerate()
        .flat_map(|(i, s)| s.packets.into_iter().map(move |p| (2 + i, p)))
        .collect();
    sub_packets.sort_by_key(|(stream, p)| (p.pts().unwrap_or(0), *stream));
    let mut sub_packets = sub_packets.into_iter().peekable();
    let mut write = |mut p: ff::Packet, stream: usize, from: ff::Rational, to: ff::Rational| {
        p.set_stream(stream);
        p.rescale_ts(from, to);

        p.write_interleaved(&mut octx).context(what)
    };

    // The audio's next packet, read ahead by one.
    let ends = AudioEnds::new(muxer, &audio.params);
    let mut audio_packets = audio.packets;
    let mut next_audio = audio_packets.next().transpose()?;
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
            while let Some(ap) = next_audio
                .take_if(|ap| secs(ap.dts().or(ap.pts()).unwrap_or(0), audio.time_base) <= at)
            {
                next_audio = audio_packets.next().transpose()?;
                let ap = ends.mark(ap, next_audio.is_none())?;
                write(ap, 1, audio.time_base, atb)?;
            }
            while let Some((stream, sp)) =
                sub_packets.next_if(|(_, sp)| secs(sp.pts().unwrap_or(0), MS) <= at)
            {
                write(sp, stream, MS, stbs[stream - 2])?;
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
    while let Some(ap) = next_audio {
        next_audio = audio_packets.next().transpose()?;
        let ap = ends.mark(ap, next_audio.is_none())?;
        write(ap, 1, audio.time_base, atb)?;
    }
    for (stream, sp) in sub_packets {
        write(sp, stream, MS, stbs[stream - 2])?;
    }
    octx.write_trailer().context(what)
}

/// Muxes the audio alone into `path`, an audio-only file (written in
/// place; the caller makes it atomic).
pub fn join_audio(path: &Path, muxer: &str, audio: AudioIn) -> Result<()> {
    let what = || format!("writing {}", path.display());
    let mut octx = ff::format::output_as(&path, muxer).context(what)?;
    crate::ffmpeg::set_bitexact(&mut octx);
    let mut st = octx
        .add_stream(ff::encoder::find(audio.params.id()))
        .context(what)?;
    st.set_parameters(audio.params.clone());
    st.set_time_base(audio.time_base);
    octx.write_header_with(crate::container::mux_options(
        muxer,
        audio.time_base.denominator(),
    ))
    .context(what)?;
    let tb = octx.stream(0).expect("added").time_base();
    let ends = AudioEnds::new(muxer, &audio.params);
    let mut packets = audio.packets.peekable();
    while let Some(p) = packets.next() {
        let mut p = ends.mark(p?, packets.peek().is_none())?;
        p.set_stream(0);
        p.rescale_ts(audio.time_base, tb);
        p.write_interleaved(&mut octx).context(what)?;
    }
    octx.write_trailer().context(what)
}

/// How the audio's priming and padding are told to a Matroska muxer
/// (MP4 and MOV need nothing: their edit list starts at the priming's
/// negative timestamps and ends at the last packet's duration).
struct AudioEnds {
    /// Added to every timestamp: FFmpeg 5.1's Matroska muxer writes an
    /// Opus track's priming as `CodecDelay`, which players subtract, but
    /// leaves the packets' negative timestamps, which would then move
    /// every track later.
    shift: i64,
    /// Samples every frame decodes to (0 when unknown or not Matroska):
    /// a last packet lasting less has the rest marked as `DiscardPadding`.
    frame: i64,
}

impl AudioEnds {
    fn new(muxer: &str, params: &ff::codec::Parameters) -> AudioEnds {
        use ff::codec::Id;
        let (frame, priming) = crate::ffmpeg::audio_framing(params);
        let mkv = muxer == "matroska" || muxer == "webm";
        // Codecs whose every frame decodes to `frame` samples, the last
        // one padded (FLAC, ALAC, PCM and Vorbis end on a short frame).
        let whole_frames = matches!(
            params.id(),
            Id::AAC | Id::OPUS | Id::AC3 | Id::EAC3 | Id::MP3 | Id::MP2
        );
        AudioEnds {
            shift: if mkv && params.id() == Id::OPUS {
                priming
            } else {
                0
            },
            frame: if mkv && whole_frames { frame } else { 0 },
        }
    }

    /// `p`, shifted, with its padding marked when it is the `last`.
    fn mark(&self, mut p: ff::Packet, last: bool) -> Result<ff::Packet> {
        if self.shift != 0 {
            p.set_pts(p.pts().map(|t| t + self.shift));
            p.set_dts(p.dts().map(|t| t + self.shift));
        }
        let padding = self.frame - p.duration();
        if last && self.frame > 0 && p.duration() > 0 && padding > 0 {
            crate::ffmpeg::set_end_discard(&mut p, padding as u32)?;
        }
        Ok(p)
    }
}

/// The subtitle encoder for a muxer: 3GPP timed text in mp4 and mov,
/// SubRip ("text" in Matroska) in Matroska.
pub(super) fn subtitle_codec(muxer: &str) -> Result<&'static str> {
    match muxer {
        "mp4" | "mov" | "ipod" => Ok("mov_text"),
        "matroska" => Ok("subrip"),
        "webm" => Ok("webvtt"),
        _ => Err(Error::Unexpected("no subtitle codec for this muxer")),
    }
}

/// Encodes a caption track for `muxer`, one packet per cue; overlapping
/// cues are first merged ([`flatten`]).
fn encode_subtitles(track: &SubtitleTrack, muxer: &str) -> Result<EncodedSubtitles> {
    let codec = subtitle_codec(muxer)?;
    let what = || format!("encoding the {} captions as {codec}", track.language);
    let mut encoder = crate::ffmpeg::subtitle_encoder(codec).context(what)?;
    let mut packets = Vec::new();
    for (i, (start, end, text)) in flatten(&track.cues).into_iter().enumerate() {
        let event = format!("{i},0,Default,,0,0,0,,{}", ass_text(&text));
        packets.push(
            crate::ffmpeg::encode_cue(&mut encoder, &event, start, end - start).context(what)?,
        );
    }
    Ok(EncodedSubtitles {
        params: ff::codec::Parameters::from(&encoder),
        language: track.language.clone(),
        packets,
    })
}

/// Cues made into pieces that do not overlap, each showing the text of
/// every cue on at its time (in the cues' order), with pieces that meet
/// and say the same joined again; cues that do not overlap come out as
/// they are. An mp4 text track shows one sample at a time, until the next
/// one starts, so cues that overlap would cut each other short. Empty cues
/// are dropped.
fn flatten(cues: &[(i64, i64, String)]) -> Vec<(i64, i64, String)> {
    let mut order: Vec<usize> = (0..cues.len())
        .filter(|&i| cues[i].0 < cues[i].1 && !cues[i].2.trim().is_empty())
        .collect();
    order.sort_by_key(|&i| (cues[i].0, i));
    let mut edges: Vec<i64> = order.iter().flat_map(|&i| [cues[i].0, cues[i].1]).collect();
    edges.sort_unstable();
    edges.dedup();
    let mut out: Vec<(i64, i64, String)> = Vec::new();
    let mut next = order.into_iter().peekable();
    let mut on: Vec<usize> = Vec::new();
    for w in edges.windows(2) {
        let (a, b) = (w[0], w[1]);
        on.retain(|&i| cues[i].1 > a);
        while let Some(i) = next.next_if(|&i| cues[i].0 <= a) {
            on.push(i);
        }
        if on.is_empty() {
            continue;
        }
        on.sort_unstable();
        let text = on
            .iter()
            .map(|&i| cues[i].2.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        match out.last_mut() {
            Some(last) if last.1 == a && last.2 == text => last.1 = b,
            _ => out.push((a, b, text)),
        }
    }
    out
}

/// Cue text as the text of an ASS event for libavcodec's text subtitle
/// encoders: line breaks as `\N`. Their ASS reader has no escapes, so a
/// `\n`, `\N` or `{\` in the text itself is kept from being read as a line
/// break or an override block by a word joiner (U+2060) after its first
/// character.
fn ass_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push_str("\\N"),
            '\r' | '\0' => {}
            '\\' => {
                out.push(c);
                if matches!(chars.peek(), Some('n' | 'N')) {
                    out.push('\u{2060}');
                }
            }
            '{' => {
                out.push(c);
                if chars.peek() == Some(&'\\') {
                    out.push('\u{2060}');
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// MaxCLL and MaxFALL of the encoded segments, into `video.hdr10`.
fn measure_light(video: &mut VideoTrack) -> Result<()> {
    let table = super::light::table();
    let mut meter = super::light::Meter::default();
    for seg in &mut video.segments {
        super::light::measure_segment(&mut seg.file, &seg.name, &video.params, &mut meter, &table)?;
    }
    let (cll, fall) = meter.result();
    let hdr10 = video.hdr10.get_or_insert_with(Hdr10::default);
    (hdr10.max_cll, hdr10.max_fall) = (Some(cll), Some(fall));
    Ok(())
}

/// AV1 parameters from the first segment's first packet, for an encoder
/// that opens without them (librav1e): Matroska needs them in its header.
fn av1_parameters(video: &mut VideoTrack) -> Result<()> {
    use std::io::{Seek, SeekFrom};
    let Some(seg) = video.segments.first_mut() else {
        return Ok(());
    };
    let rewind = |f: &mut File| {
        f.seek(SeekFrom::Start(0))
            .map_err(|e| Error::io("reading", &seg.name, e))
    };
    let mut file = seg
        .file
        .try_clone()
        .map_err(|e| Error::io("reading", &seg.name, e))?;
    rewind(&mut file)?;
    let first = packet::Reader::open(file, &seg.name, Content::Segment)?.read()?;
    rewind(&mut seg.file)?;
    if let Some(header) = first.and_then(|p| crate::ffmpeg::av1_sequence_header(&p.data)) {
        crate::ffmpeg::set_extradata(&mut video.params, &header);
    }
    Ok(())
}

/// The output file with a video stream (0), an audio stream (1) and the
/// subtitle streams (2, 3, …), its header written.
fn open_output(
    path: &Path,
    muxer: &str,
    video: &VideoTrack,
    audio: &AudioIn,
    subtitles: &[EncodedSubtitles],
) -> Result<ff::format::context::Output, ff::Error> {
    let mut octx = ff::format::output_as(&path, muxer)?;
    crate::ffmpeg::set_bitexact(&mut octx);
    for (params, time_base) in [
        (&video.params, video.time_base),
        (&audio.params, audio.time_base),
    ] {
        let mut st = octx.add_stream(ff::encoder::find(params.id()))?;
        st.set_parameters(params.clone());
        st.set_time_base(time_base);
    }
    let mut stream = octx.stream_mut(0).expect("added");
    crate::ffmpeg::tag_hevc_for_apple(&mut stream, muxer);
    if let Some(h) = &video.hdr10 {
        crate::ffmpeg::add_hdr10(&mut stream, h);
    }
    if let Some(tc) = &video.timecode {
        // The muxers write a start timecode from the output's `timecode`
        // metadata: mov/mp4 a tmcd track (counted at the video stream's
        // average frame rate, set only here so that outputs without a
        // timecode keep their bytes), Matroska a tag, MXF its timecode
        // component.
        let tb = video.time_base;
        stream.set_avg_frame_rate(ff::Rational::new(tb.denominator(), tb.numerator()));
        let mut metadata = ff::Dictionary::new();
        metadata.set("timecode", tc);
        octx.set_metadata(metadata);
    }
    for s in subtitles {
        let mut st = octx.add_stream(ff::encoder::find(s.params.id()))?;
        st.set_parameters(s.params.clone());
        st.set_time_base(MS);
        let mut metadata = ff::Dictionary::new();
        metadata.set("language", &s.language);
        st.set_metadata(metadata);
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
    let mut packet = crate::ffmpeg::read_packet(sp);
    packet.set_pts(pts);
    packet.set_dts(dts);
    Ok(packet)
}
