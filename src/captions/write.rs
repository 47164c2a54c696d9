//! Writing cues out as SRT or WebVTT.

use super::cue::{fmt_time, round_div, Format};
use crate::time::Ratio;

/// Writes cues as SRT, numbered from 1, times rounded to the millisecond.
pub fn write_srt(cues: &[(Ratio, Ratio, String)]) -> String {
    let blocks: Vec<String> = cues
        .iter()
        .enumerate()
        .map(|(i, cue)| format!("{}\n{}", i + 1, cue_block(cue, Format::Srt)))
        .collect();
    blocks.join("\n")
}

/// Writes cues as WebVTT, times rounded to the millisecond, `& < >` escaped.
pub fn write_vtt(cues: &[(Ratio, Ratio, String)]) -> String {
    let mut out = String::from("WEBVTT\n");
    for cue in cues {
        out.push('\n');
        out.push_str(&cue_block(cue, Format::Vtt));
    }
    out
}

/// Timing line and text lines, each ending in '\n'. Blank text lines are
/// dropped: they would end the cue.
fn cue_block((start, end, text): &(Ratio, Ratio, String), format: Format) -> String {
    let ms = |t: &Ratio| {
        let n = *t.numer() as i128 * 1000;
        i64::try_from(round_div(n, *t.denom() as i128)).unwrap_or(i64::MAX)
    };
    let mut out = format!(
        "{} --> {}\n",
        fmt_time(ms(start), format),
        fmt_time(ms(end), format)
    );
    for line in text.split('\n').map(str::trim).filter(|l| !l.is_empty()) {
        if format == Format::Vtt {
            let escaped = line
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            out.push_str(&escaped);
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}
