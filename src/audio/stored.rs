//! Measurements as the store keeps them: f32 values as the little-endian
//! bytes of one packet, and what a listener hears of an encoded chunk
//! ([`Heard`]). The layouts are part of the cache's entries.

use ffmpeg_next as ff;

/// Values as little-endian bytes, and back.
pub(super) fn to_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

pub(super) fn from_bytes(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
        .collect()
}

/// The values of a measurement, as the bytes of one stored packet.
pub(super) fn pack(values: &[f32]) -> Vec<ff::Packet> {
    vec![ff::Packet::copy(&to_bytes(values))]
}

pub(super) fn unpack(packets: &[ff::Packet], len: usize) -> Option<Vec<f32>> {
    let data = packets.first()?.data()?;
    (data.len() == len * 4).then(|| from_bytes(data))
}

/// What a listener hears of one encoded chunk, as kept in the store: its
/// blocks' K-weighted energies summed per tenth of a second (100 blocks)
/// of the whole timeline, from the tenth the chunk starts in (the chunks'
/// blocks tile the timeline from its first packet's samples on); how many
/// blocks there are; and the true peak.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Heard {
    pub(super) tenths: Vec<f32>,
    pub(super) blocks: usize,
    pub(super) peak: f32,
}

impl Heard {
    /// `energies`, one per block, the first `offset` blocks into its tenth.
    pub(super) fn new(energies: &[f32], offset: usize, peak: f32) -> Heard {
        let mut tenths = vec![0f32; (offset + energies.len()).div_ceil(100)];
        for (j, e) in energies.iter().enumerate() {
            tenths[(offset + j) / 100] += e;
        }
        Heard {
            tenths,
            blocks: energies.len(),
            peak,
        }
    }

    /// As stored: the tenths, then the count of blocks and the peak, every
    /// value an f32 (the layout the store's entries and keys were made with).
    pub(super) fn pack(&self) -> Vec<ff::Packet> {
        let mut values = self.tenths.clone();
        values.push(self.blocks as f32);
        values.push(self.peak);
        pack(&values)
    }

    /// Back from [`Heard::pack`]; `None` unless the stored bytes are whole
    /// values, at least the count and the peak.
    pub(super) fn unpack(packets: &[ff::Packet]) -> Option<Heard> {
        let data = packets.first()?.data()?;
        let mut values = unpack(packets, data.len() / 4)?;
        let peak = values.pop()?;
        let blocks = values.pop()? as usize;
        Some(Heard {
            tenths: values,
            blocks,
            peak,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heard_is_stored_as_its_tenths_then_count_and_peak() {
        // 150 blocks from the 60th block of a tenth: 40 in the first, 100
        // in the next, 10 in the last.
        let energies: Vec<f32> = (0..150).map(|i| i as f32 * 0.5).collect();
        let h = Heard::new(&energies, 60, 0.75);
        let first: f32 = energies[..40].iter().sum();
        let second: f32 = energies[40..140].iter().sum();
        let third: f32 = energies[140..].iter().sum();
        assert_eq!(h.tenths, vec![first, second, third]);
        let packets = h.pack();
        assert_eq!(
            packets[0].data().unwrap(),
            to_bytes(&[first, second, third, 150.0, 0.75]).as_slice()
        );
        assert_eq!(Heard::unpack(&packets), Some(h));
        // Too short, or not whole values: not trusted.
        assert_eq!(Heard::unpack(&pack(&[1.0])), None);
        assert_eq!(Heard::unpack(&[ff::Packet::copy(&[0u8; 9])]), None);
    }
}
