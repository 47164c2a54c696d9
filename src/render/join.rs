//! Joining: encoded segments are stored as packet files (exact timestamps,
//! no container quirks) and copied in order, without re-encoding, into the
//! output muxer together with the audio packets.
//!
//! A packet file is `MAGIC`, a header (the codec extradata), packet records,
//! an end record and the BLAKE3 hash of everything before it, so that an
//! incomplete or damaged file is recognised ([`verify`]).

use crate::audio::AudioTrack;
use crate::error::{Context, Error, Result};
use ffmpeg_next as ff;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"REELPKT2";
const NO_TS: i64 = i64::MIN;
/// The flags word of the end record.
const END: u32 = u32::MAX;
const HASH: usize = 32;

/// Writes one segment's packets: a header with the codec extradata, then
/// records `pts dts duration flags size data`.
pub struct PacketWriter {
    out: BufWriter<File>,
    hash: blake3::Hasher,
    path: PathBuf,
}

impl PacketWriter {
    pub fn create(path: &Path, extradata: Vec<u8>) -> Result<Self> {
        let io = |e: std::io::Error| Error::render(format!("writing {}: {e}", path.display()));
        let out = BufWriter::new(File::create(path).map_err(io)?);
        let mut w = PacketWriter {
            out,
            hash: blake3::Hasher::new(),
            path: path.to_path_buf(),
        };
        w.put(MAGIC)?;
        w.put(&(extradata.len() as u32).to_le_bytes())?;
        w.put(&extradata)?;
        Ok(w)
    }

    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.hash.update(bytes);
        self.out
            .write_all(bytes)
            .map_err(|e| Error::render(format!("writing {}: {e}", self.path.display())))
    }

    pub fn write(&mut self, p: &ff::Packet) -> Result<()> {
        let data = p.data().unwrap_or(&[]);
        let mut head = [0u8; 32];
        head[0..8].copy_from_slice(&p.pts().unwrap_or(NO_TS).to_le_bytes());
        head[8..16].copy_from_slice(&p.dts().unwrap_or(NO_TS).to_le_bytes());
        head[16..24].copy_from_slice(&p.duration().to_le_bytes());
        head[24..28].copy_from_slice(&(p.is_key() as u32).to_le_bytes());
        head[28..32].copy_from_slice(&(data.len() as u32).to_le_bytes());
        self.put(&head)?;
        self.put(data)
    }

    /// Writes the end record and the hash, and flushes.
    pub fn finish(mut self) -> Result<()> {
        let mut head = [0u8; 32];
        head[24..28].copy_from_slice(&END.to_le_bytes());
        self.put(&head)?;
        let hash = *self.hash.finalize().as_bytes();
        self.out
            .write_all(&hash)
            .and_then(|_| self.out.flush())
            .map_err(|e| Error::render(format!("writing {}: {e}", self.path.display())))
    }
}

/// Whether `file` is a complete, undamaged packet file (reads it whole).
pub fn verify(file: &mut File) -> bool {
    let Ok(len) = file.seek(SeekFrom::End(0)) else {
        return false;
    };
    if len < (MAGIC.len() + 4 + 32 + HASH) as u64 || file.seek(SeekFrom::Start(0)).is_err() {
        return false;
    }
    let mut h = blake3::Hasher::new();
    let mut body = (&mut *file).take(len - HASH as u64);
    if std::io::copy(&mut body, &mut h).is_err() {
        return false;
    }
    let mut stored = [0u8; HASH];
    file.read_exact(&mut stored).is_ok() && h.finalize().as_bytes() == &stored
}

/// Reads a packet file back.
pub struct PacketReader {
    input: BufReader<File>,
    name: PathBuf,
    pub extradata: Vec<u8>,
}

/// A stored packet; timestamps in the encoder's time base.
pub struct StoredPacket {
    pub pts: Option<i64>,
    pub dts: Option<i64>,
    pub duration: i64,
    pub key: bool,
    pub data: Vec<u8>,
}

impl PacketReader {
    /// Reads an open packet file from its start; `name` is for messages.
    pub fn from_file(file: File, name: &Path) -> Result<Self> {
        let bad = || Error::render(format!("segment file {} is damaged", name.display()));
        let mut input = BufReader::new(file);
        let mut magic = [0u8; 8];
        input.read_exact(&mut magic).map_err(|_| bad())?;
        if &magic != MAGIC {
            return Err(bad());
        }
        let mut len = [0u8; 4];
        input.read_exact(&mut len).map_err(|_| bad())?;
        let mut extradata = vec![0u8; u32::from_le_bytes(len) as usize];
        input.read_exact(&mut extradata).map_err(|_| bad())?;
        Ok(PacketReader {
            input,
            name: name.to_path_buf(),
            extradata,
        })
    }

    pub fn read(&mut self) -> Result<Option<StoredPacket>> {
        let mut head = [0u8; 32];
        let what =
            |e: std::io::Error| Error::render(format!("reading {}: {e}", self.name.display()));
        match self.input.read_exact(&mut head) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(Error::render(format!(
                    "segment file {} is incomplete",
                    self.name.display()
                )))
            }
            Err(e) => return Err(what(e)),
        }
        if u32::from_le_bytes(head[24..28].try_into().expect("4 bytes")) == END {
            return Ok(None);
        }
        let i64_at = |i: usize| i64::from_le_bytes(head[i..i + 8].try_into().expect("8 bytes"));
        let ts = |v: i64| (v != NO_TS).then_some(v);
        let size = u32::from_le_bytes(head[28..32].try_into().expect("4 bytes")) as usize;
        let mut data = vec![0u8; size];
        self.input.read_exact(&mut data).map_err(what)?;
        Ok(Some(StoredPacket {
            pts: ts(i64_at(0)),
            dts: ts(i64_at(8)),
            duration: i64_at(16),
            key: head[24] != 0,
            data,
        }))
    }
}

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
pub fn join(path: &Path, muxer: &str, video: VideoTrack, audio: AudioTrack) -> Result<()> {
    let what = || format!("writing {}", path.display());
    let mut octx = ff::format::output_as(&path, muxer).context(what)?;
    // SAFETY: setting a flag on the output context before the header.
    unsafe {
        (*octx.as_mut_ptr()).flags |= ff::ffi::AVFMT_FLAG_BITEXACT;
    }
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
        let mut reader = PacketReader::from_file(seg.file, seg_path)?;
        if reader.extradata != video.extradata {
            return Err(Error::render(format!(
                "segment {} was encoded with different codec parameters; cannot join",
                seg_path.display()
            )));
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
                    return Err(Error::render(format!(
                        "segment {} cannot be joined: decode time after presentation time",
                        seg_path.display()
                    )));
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
