//! The packet-file format, shared by encoded video segments, encoded audio
//! and the cache: exact timestamps, no container quirks, and a checksum so
//! that an incomplete or damaged file is recognised. No FFmpeg here.
//!
//! Layout (little-endian):
//! - `MAGIC`;
//! - the header: a kind byte, then for video the codec extradata (`u32`
//!   length and bytes), for audio a flag byte and, when set, the measured
//!   integrated loudness and true peak (two `f64`);
//! - packet records: `pts dts duration` (`i64`, `i64::MIN` for none),
//!   `flags` (`u32`, 1 = key frame), `size` (`u32`) and the data;
//! - an end record (flags `u32::MAX`);
//! - the BLAKE3 hash of everything before it.

use crate::error::{EntryProblem, Error, Result};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"REELPKT3";
const NO_TS: i64 = i64::MIN;
/// The flags word of the end record.
const END: u32 = u32::MAX;
const HASH: usize = 32;
const RECORD: usize = 32;

/// What a packet file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// An encoded video segment.
    Segment,
    /// An encoded audio track.
    Audio,
}

impl Content {
    /// How messages name such a file.
    pub fn name(self) -> &'static str {
        match self {
            Content::Segment => "segment file",
            Content::Audio => "audio file",
        }
    }
}

/// The header: what a reader needs before the packets.
#[derive(Debug, Clone, PartialEq)]
pub enum Header {
    /// A video segment: the codec extradata it was encoded with.
    Video { extradata: Vec<u8> },
    /// An audio track, with the loudness measured on it when known.
    Audio { loudness: Option<Loudness> },
}

/// Integrated loudness (LUFS) and true peak (dBTP) of an encoded track.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Loudness {
    pub integrated_lufs: f64,
    pub true_peak_db: f64,
}

impl Header {
    fn content(&self) -> Content {
        match self {
            Header::Video { .. } => Content::Segment,
            Header::Audio { .. } => Content::Audio,
        }
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Header::Video { extradata } => {
                out.push(0);
                out.extend_from_slice(&(extradata.len() as u32).to_le_bytes());
                out.extend_from_slice(extradata);
            }
            Header::Audio { loudness } => {
                out.push(1);
                match loudness {
                    None => out.push(0),
                    Some(l) => {
                        out.push(1);
                        out.extend_from_slice(&l.integrated_lufs.to_le_bytes());
                        out.extend_from_slice(&l.true_peak_db.to_le_bytes());
                    }
                }
            }
        }
        out
    }

    fn decode(input: &mut impl Read) -> std::io::Result<Option<Header>> {
        let mut byte = [0u8; 1];
        input.read_exact(&mut byte)?;
        Ok(match byte[0] {
            0 => {
                let mut len = [0u8; 4];
                input.read_exact(&mut len)?;
                let mut extradata = vec![0u8; u32::from_le_bytes(len) as usize];
                input.read_exact(&mut extradata)?;
                Some(Header::Video { extradata })
            }
            1 => {
                input.read_exact(&mut byte)?;
                let loudness = if byte[0] == 1 {
                    let mut v = [0u8; 16];
                    input.read_exact(&mut v)?;
                    let f = |i: usize| f64::from_le_bytes(v[i..i + 8].try_into().expect("8 bytes"));
                    Some(Loudness {
                        integrated_lufs: f(0),
                        true_peak_db: f(8),
                    })
                } else {
                    None
                };
                Some(Header::Audio { loudness })
            }
            _ => None,
        })
    }
}

/// One packet; timestamps in the encoder's time base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    pub pts: Option<i64>,
    pub dts: Option<i64>,
    pub duration: i64,
    pub key: bool,
    pub data: Vec<u8>,
}

/// Writes a packet file: the header, then one record per packet.
pub struct Writer {
    out: BufWriter<File>,
    hash: blake3::Hasher,
    path: PathBuf,
}

impl Writer {
    pub fn create(path: &Path, header: &Header) -> Result<Self> {
        let out = File::create(path).map_err(|e| Error::io("writing", path, e))?;
        let mut w = Writer {
            out: BufWriter::new(out),
            hash: blake3::Hasher::new(),
            path: path.to_path_buf(),
        };
        w.put(MAGIC)?;
        w.put(&header.encode())?;
        Ok(w)
    }

    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.hash.update(bytes);
        self.out
            .write_all(bytes)
            .map_err(|e| Error::io("writing", &self.path, e))
    }

    /// Appends a packet.
    pub fn write(
        &mut self,
        pts: Option<i64>,
        dts: Option<i64>,
        duration: i64,
        key: bool,
        data: &[u8],
    ) -> Result<()> {
        let mut head = [0u8; RECORD];
        head[0..8].copy_from_slice(&pts.unwrap_or(NO_TS).to_le_bytes());
        head[8..16].copy_from_slice(&dts.unwrap_or(NO_TS).to_le_bytes());
        head[16..24].copy_from_slice(&duration.to_le_bytes());
        head[24..28].copy_from_slice(&(key as u32).to_le_bytes());
        head[28..32].copy_from_slice(&(data.len() as u32).to_le_bytes());
        self.put(&head)?;
        self.put(data)
    }

    /// Writes the end record and the hash, and flushes.
    pub fn finish(mut self) -> Result<()> {
        let mut head = [0u8; RECORD];
        head[24..28].copy_from_slice(&END.to_le_bytes());
        self.put(&head)?;
        let hash = *self.hash.finalize().as_bytes();
        self.out
            .write_all(&hash)
            .and_then(|_| self.out.flush())
            .map_err(|e| Error::io("writing", &self.path, e))
    }
}

/// Whether `file` is a complete, undamaged packet file (reads it whole).
pub fn verify(file: &mut File) -> bool {
    let Ok(len) = file.seek(SeekFrom::End(0)) else {
        return false;
    };
    if len < (MAGIC.len() + 1 + RECORD + HASH) as u64 || file.seek(SeekFrom::Start(0)).is_err() {
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
pub struct Reader {
    input: BufReader<File>,
    name: PathBuf,
    content: Content,
    pub header: Header,
}

impl Reader {
    /// Reads an open packet file from its start; it must hold `content`.
    /// `name` is for messages.
    pub fn open(file: File, name: &Path, content: Content) -> Result<Self> {
        let damaged = || Error::entry(content.name(), name, EntryProblem::Damaged);
        let mut input = BufReader::new(file);
        let mut magic = [0u8; 8];
        input.read_exact(&mut magic).map_err(|_| damaged())?;
        if &magic != MAGIC {
            return Err(damaged());
        }
        let header = Header::decode(&mut input)
            .ok()
            .flatten()
            .filter(|h| h.content() == content)
            .ok_or_else(damaged)?;
        Ok(Reader {
            input,
            name: name.to_path_buf(),
            content,
            header,
        })
    }

    /// The next packet, or None after the last.
    pub fn read(&mut self) -> Result<Option<Packet>> {
        let mut head = [0u8; RECORD];
        match self.input.read_exact(&mut head) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(Error::entry(
                    self.content.name(),
                    &self.name,
                    EntryProblem::Incomplete,
                ))
            }
            Err(e) => return Err(Error::io("reading", &self.name, e)),
        }
        if u32::from_le_bytes(head[24..28].try_into().expect("4 bytes")) == END {
            return Ok(None);
        }
        let i64_at = |i: usize| i64::from_le_bytes(head[i..i + 8].try_into().expect("8 bytes"));
        let ts = |v: i64| (v != NO_TS).then_some(v);
        let size = u32::from_le_bytes(head[28..32].try_into().expect("4 bytes")) as usize;
        let mut data = vec![0u8; size];
        self.input
            .read_exact(&mut data)
            .map_err(|e| Error::io("reading", &self.name, e))?;
        Ok(Some(Packet {
            pts: ts(i64_at(0)),
            dts: ts(i64_at(8)),
            duration: i64_at(16),
            key: head[24] != 0,
            data,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packets() -> Vec<Packet> {
        vec![
            Packet {
                pts: Some(0),
                dts: Some(-1),
                duration: 1,
                key: true,
                data: vec![1, 2, 3],
            },
            Packet {
                pts: None,
                dts: None,
                duration: 0,
                key: false,
                data: Vec::new(),
            },
        ]
    }

    fn write(path: &Path, header: &Header) {
        let mut w = Writer::create(path, header).unwrap();
        for p in packets() {
            w.write(p.pts, p.dts, p.duration, p.key, &p.data).unwrap();
        }
        w.finish().unwrap();
    }

    fn read_all(path: &Path, content: Content) -> Result<(Header, Vec<Packet>)> {
        let mut r = Reader::open(File::open(path).unwrap(), path, content)?;
        let mut out = Vec::new();
        while let Some(p) = r.read()? {
            out.push(p);
        }
        Ok((r.header, out))
    }

    #[test]
    fn packets_and_headers_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let video = dir.path().join("v.pkt");
        let header = Header::Video {
            extradata: vec![9, 8, 7],
        };
        write(&video, &header);
        assert!(verify(&mut File::open(&video).unwrap()));
        assert_eq!(
            read_all(&video, Content::Segment).unwrap(),
            (header, packets())
        );
        let audio = dir.path().join("a.pkt");
        let header = Header::Audio {
            loudness: Some(Loudness {
                integrated_lufs: -16.25,
                true_peak_db: -1.5,
            }),
        };
        write(&audio, &header);
        assert_eq!(read_all(&audio, Content::Audio).unwrap().0, header);
        // A file read as the other content is refused.
        let err = read_all(&audio, Content::Segment).unwrap_err();
        assert!(matches!(
            err,
            Error::CacheEntry {
                problem: EntryProblem::Damaged,
                ..
            }
        ));
    }

    #[test]
    fn a_file_cut_short_fails_verification_and_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.pkt");
        write(&path, &Header::Video { extradata: vec![] });
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - HASH - RECORD]).unwrap();
        assert!(!verify(&mut File::open(&path).unwrap()));
        let err = read_all(&path, Content::Segment).unwrap_err();
        assert!(matches!(
            err,
            Error::CacheEntry {
                what: "segment file",
                problem: EntryProblem::Incomplete,
                ..
            }
        ));
    }

    #[test]
    fn a_flipped_byte_fails_verification() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pkt");
        write(&path, &Header::Audio { loudness: None });
        let mut bytes = std::fs::read(&path).unwrap();
        for i in [0, 9, bytes.len() / 2, bytes.len() - 1] {
            bytes[i] ^= 0x10;
            std::fs::write(&path, &bytes).unwrap();
            assert!(!verify(&mut File::open(&path).unwrap()), "byte {i}");
            bytes[i] ^= 0x10;
        }
        std::fs::write(&path, &bytes).unwrap();
        assert!(verify(&mut File::open(&path).unwrap()));
    }
}
