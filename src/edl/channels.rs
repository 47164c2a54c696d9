//! Channels as FFmpeg names them: the output layouts reel writes, channel
//! sets such as `"FL+FR"` within them, and which of a source's audio
//! streams a clip or sound plays and where (`audio_streams`, `audio_map`,
//! `[output.audio] layout`). Channel sets are bit masks in FFmpeg's
//! channel order, so that a set's channels fall in the layout's order.

/// FFmpeg's channel names and bits, in its channel order.
const NAMES: &[(&str, u64)] = &[
    ("FL", 0x1),
    ("FR", 0x2),
    ("FC", 0x4),
    ("LFE", 0x8),
    ("BL", 0x10),
    ("BR", 0x20),
    ("FLC", 0x40),
    ("FRC", 0x80),
    ("BC", 0x100),
    ("SL", 0x200),
    ("SR", 0x400),
];

/// The output layout of `channels` channels: FFmpeg's name and mask.
pub fn layout(channels: u32) -> (&'static str, u64) {
    match channels {
        1 => ("mono", 0x4),
        2 => ("stereo", 0x3),
        3 => ("2.1", 0xb),
        4 => ("quad", 0x33),
        5 => ("5.0", 0x607),
        6 => ("5.1", 0x60f),
        7 => ("6.1", 0x70f),
        _ => ("7.1", 0x63f),
    }
}

/// The channel set `text` names (`"FC"`, `"FL+FR"`) within the output
/// layout of `channels` channels, or why it names none.
pub fn parse(text: &str, channels: u32) -> Result<u64, String> {
    let (name, within) = layout(channels);
    let mut mask = 0;
    for part in text.split('+').map(str::trim) {
        let bit = NAMES
            .iter()
            .find(|(n, _)| *n == part)
            .map(|(_, b)| *b)
            .filter(|b| within & b != 0)
            .ok_or_else(|| {
                format!(
                    "\"{part}\" is not a channel of the output's {name} layout ({}); \
                     channels are named as FFmpeg names them, joined with \"+\"",
                    names(within).replace('+', ", ")
                )
            })?;
        mask |= bit;
    }
    Ok(mask)
}

/// The names of `mask`'s channels, joined with `+`.
pub fn names(mask: u64) -> String {
    NAMES
        .iter()
        .filter(|(_, b)| mask & b != 0)
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join("+")
}

/// The layout a sound is converted to before its channels are placed on
/// those of `mask`, one for one: mono for one channel, stereo for two
/// (so that a stream on `"SL+SR"` keeps its left and right), else the set.
pub fn read_layout(mask: u64) -> String {
    match mask.count_ones() {
        1 => "mono".into(),
        2 => "stereo".into(),
        _ => names(mask),
    }
}

/// The index in the output layout of `channels` channels of each channel
/// of `mask`, in order.
pub fn indices(mask: u64, channels: u32) -> Vec<usize> {
    let (_, within) = layout(channels);
    NAMES
        .iter()
        .filter(|(_, b)| mask & b != 0)
        .map(|(_, b)| (within & (b - 1)).count_ones() as usize)
        .collect()
}

/// Which of a source's audio streams a clip or sound plays, and where.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamChoice {
    /// 1-based among the source's audio streams; empty is the default
    /// stream.
    pub streams: Vec<usize>,
    /// The channels each listed stream goes to, as written (`"FL"`,
    /// `"FL+FR"`); empty places them as their kind of sound is placed.
    pub map: Vec<String>,
}

/// Where each kind of sound goes in the output (`[output.audio] layout`),
/// as channel sets; None is the default for the kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindLayout {
    pub voiceover: Option<u64>,
    pub clips: Option<u64>,
    pub music: Option<u64>,
}

/// The kinds of sound a layout places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Voiceover,
    Clips,
    Music,
}

impl KindLayout {
    /// The channels a stream of `kind` with `stream_channels` channels goes
    /// to in an output of `channels` channels; None is the whole layout.
    /// Unless set, in an output of more than two channels voiceovers go to
    /// the centre and clips and music to the front left and right, except
    /// a stream of more than two channels, which keeps its own layout.
    pub fn place(&self, kind: Kind, stream_channels: u32, channels: u32) -> Option<u64> {
        let (_, full) = layout(channels);
        let set = match kind {
            Kind::Voiceover => self.voiceover,
            Kind::Clips => self.clips,
            Kind::Music => self.music,
        };
        let default = (channels > 2 && stream_channels <= 2).then_some(match kind {
            Kind::Voiceover if full & 0x4 != 0 => 0x4,
            Kind::Voiceover => full,
            Kind::Clips | Kind::Music => 0x3,
        });
        set.or(default).filter(|m| *m != full)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_sets_are_parsed_within_the_layout_and_indexed_in_its_order() {
        assert_eq!(parse("FL+FR", 6), Ok(0x3));
        assert_eq!(parse("FC", 6), Ok(0x4));
        assert!(parse("FC", 2)
            .unwrap_err()
            .contains("stereo layout (FL, FR)"));
        assert!(parse("XX", 6).is_err());
        assert_eq!(indices(0x4, 6), vec![2]);
        assert_eq!(indices(0x600, 6), vec![4, 5]);
        assert_eq!(indices(0x630, 8), vec![4, 5, 6, 7]);
        assert_eq!(names(layout(8).1), "FL+FR+FC+LFE+BL+BR+SL+SR");
        assert_eq!(read_layout(0x600), "stereo");
        assert_eq!(read_layout(0x7), "FL+FR+FC");
    }

    #[test]
    fn kinds_go_where_the_layout_says_and_stereo_outputs_keep_their_layout() {
        let d = KindLayout::default();
        assert_eq!(d.place(Kind::Voiceover, 1, 2), None);
        assert_eq!(d.place(Kind::Clips, 2, 2), None);
        assert_eq!(d.place(Kind::Voiceover, 2, 6), Some(0x4));
        assert_eq!(d.place(Kind::Clips, 1, 6), Some(0x3));
        assert_eq!(d.place(Kind::Music, 6, 6), None, "5.1 music stays 5.1");
        let set = KindLayout {
            voiceover: Some(0x3),
            ..d
        };
        assert_eq!(set.place(Kind::Voiceover, 6, 6), Some(0x3));
        assert_eq!(set.place(Kind::Voiceover, 1, 2), None, "the whole layout");
    }
}
