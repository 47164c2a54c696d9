//! Which audio streams of its source a clip or sound plays, and on which
//! output channels: `audio_streams` (1-based among the source's audio
//! streams; the default is the stream FFmpeg picks, the first as a rule),
//! `audio_map`, else where `[output.audio] layout` puts its kind of sound.

use crate::edl::channels::{self, Kind, KindLayout, StreamChoice};
use crate::probe::Probe;

/// One audio stream a region plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Played {
    /// The stream's index in the file.
    pub(super) stream: usize,
    /// The output channels it goes to; None is all of them, the stream
    /// converted to the output's layout.
    pub(super) place: Option<u64>,
}

/// The streams `choice` picks from `probe`'s, each with its channels in an
/// output of `channels` channels; or the key at fault and why.
pub(super) fn played(
    choice: &StreamChoice,
    probe: &Probe,
    kind: Kind,
    layout: &KindLayout,
    channels: u32,
) -> Result<Vec<Played>, (&'static str, String)> {
    let picked = if choice.streams.is_empty() {
        probe.audio.iter().cloned().collect()
    } else {
        let count = probe.audio_streams.len();
        choice
            .streams
            .iter()
            .map(|&n| {
                probe.audio_streams.get(n - 1).cloned().ok_or_else(|| {
                    (
                        "audio_streams",
                        format!(
                            "source {} has {count} audio stream{}: there is no audio stream {n} \
                             (streams are counted from 1)",
                            probe.path.display(),
                            if count == 1 { "" } else { "s" }
                        ),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    let (_, full) = channels::layout(channels);
    picked
        .iter()
        .enumerate()
        .map(|(i, info)| {
            let place = match choice.map.get(i) {
                Some(text) => {
                    let mask = channels::parse(text, channels)
                        .map_err(|m| ("audio_map", format!("`audio_map`: {m}")))?;
                    Some(mask).filter(|m| *m != full)
                }
                None => layout.place(kind, info.channels, channels),
            };
            Ok(Played {
                stream: info.stream,
                place,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(streams: &[usize], map: &[&str]) -> StreamChoice {
        StreamChoice {
            streams: streams.to_vec(),
            map: map.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn listed_streams_are_found_and_mapped_or_placed_by_kind() {
        let probe = Probe::builder("a.mxf", 2)
            .audio(48_000, 1)
            .more_audio(48_000, 1)
            .build();
        let l = KindLayout::default();
        let got = played(&choice(&[1, 2], &["FL", "FR"]), &probe, Kind::Clips, &l, 2).unwrap();
        assert_eq!(
            got,
            vec![
                Played {
                    stream: 1,
                    place: Some(0x1)
                },
                Played {
                    stream: 2,
                    place: Some(0x2)
                }
            ]
        );
        let got = played(&choice(&[2], &[]), &probe, Kind::Voiceover, &l, 6).unwrap();
        assert_eq!(got[0].place, Some(0x4));
        let (key, m) = played(&choice(&[3], &[]), &probe, Kind::Clips, &l, 2).unwrap_err();
        assert_eq!(key, "audio_streams");
        assert!(m.contains("a.mxf has 2 audio streams"), "{m}");
        let (key, _) = played(&choice(&[1], &["FC"]), &probe, Kind::Clips, &l, 2).unwrap_err();
        assert_eq!(key, "audio_map");
    }
}
