//! `audio_streams` and `audio_map` on a clip, voiceover or music bed: which
//! of the source's audio streams play, and on which channels. Whether the
//! source has those streams and the output those channels is checked when
//! planning, with the source probed and the output's layout known.

use crate::edl::channels::StreamChoice;
use crate::edl::syntax::SourceText;
use crate::error::Diagnostics;
use toml::Spanned;

pub(super) fn stream_choice(
    src: &SourceText,
    streams: &Option<Spanned<Vec<i64>>>,
    map: &Option<Spanned<Vec<String>>>,
    errs: &mut Diagnostics,
) -> StreamChoice {
    let mut choice = StreamChoice::default();
    if let Some(s) = streams {
        let list = s.get_ref();
        let bad = |m: String| src.at(&s.span(), m).key("audio_streams");
        if list.is_empty() {
            errs.push(bad(
                "`audio_streams` is empty: list at least one stream (1 is the first audio stream)"
                    .into(),
            ));
        }
        for (i, n) in list.iter().enumerate() {
            if *n < 1 {
                errs.push(bad(format!(
                    "invalid audio stream {n}: streams are counted from 1 (the source's first audio stream)"
                )));
            } else if list[..i].contains(n) {
                errs.push(bad(format!("audio stream {n} is listed twice")));
            } else {
                choice.streams.push(*n as usize);
            }
        }
    }
    if let Some(m) = map {
        let wanted = streams.as_ref().map_or(1, |s| s.get_ref().len());
        if m.get_ref().len() != wanted {
            errs.push(
                src.at(
                    &m.span(),
                    format!(
                        "`audio_map` has {} entries for {wanted} audio stream(s): give one channel \
                         (or channels joined with \"+\") per stream of `audio_streams`",
                        m.get_ref().len()
                    ),
                )
                .key("audio_map"),
            );
        }
        choice.map = m.get_ref().clone();
    }
    choice
}
