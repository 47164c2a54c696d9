//! Reading SRT and WebVTT files into cues, with the first problem found
//! named at its line and column.

use super::cue::{error, fmt_time, Cue, Format, ParseError};
use super::text::clean_text;
use crate::time::Ratio;

/// Parses a whole caption file; cues come back in file order. The first
/// problem found is returned: text that is not UTF-8, a bad timing line, a
/// cue ending before it starts, a missing WEBVTT signature, no cues at all.
pub fn parse(bytes: &[u8], format: Format) -> Result<Vec<Cue>, ParseError> {
    let text = decode(bytes)?;
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let cues = match format {
        Format::Srt => parse_srt(&lines)?,
        Format::Vtt => parse_vtt(&lines)?,
    };
    if cues.is_empty() {
        return Err(error(1, None, "has no cues"));
    }
    Ok(cues)
}

/// The file as UTF-8 text without its byte order mark.
fn decode(bytes: &[u8]) -> Result<&str, ParseError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(error(1, None, "is UTF-16; save it as UTF-8"));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        let line = 1 + good.iter().filter(|&&b| b == b'\n').count();
        let column = std::str::from_utf8(&good[line_start..]).map_or(0, |s| s.chars().count()) + 1;
        let byte = bytes.get(e.valid_up_to()).copied().unwrap_or(0);
        error(
            line,
            Some(column),
            format!("is not UTF-8 text (invalid byte 0x{byte:02X})"),
        )
    })
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// 1-based column, in characters, of byte offset `byte` in `line`.
fn column(line: &str, byte: usize) -> usize {
    line.get(..byte).map_or(0, |s| s.chars().count()) + 1
}

/// Column of the first non-blank character.
fn first_column(line: &str) -> usize {
    column(line, line.len() - line.trim_start().len())
}

/// A line quoted in a message, cut short if long.
fn quote(line: &str) -> String {
    let line = line.trim();
    if line.chars().count() > 40 {
        format!("\"{}...\"", line.chars().take(40).collect::<String>())
    } else {
        format!("\"{line}\"")
    }
}

fn parse_srt(lines: &[&str]) -> Result<Vec<Cue>, ParseError> {
    let example = Format::Srt.timing_example();
    let mut cues = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if is_blank(line) {
            i += 1;
            continue;
        }
        if !line.contains("-->") {
            let number = line.trim();
            if !number.bytes().all(|b| b.is_ascii_digit()) {
                return Err(error(
                    i + 1,
                    Some(first_column(line)),
                    format!(
                        "expected a cue number or a timing line like {example}, found {}",
                        quote(line)
                    ),
                ));
            }
            i = timing_after(lines, i, example, || {
                error(
                    i + 1,
                    None,
                    format!("cue number {number} is not followed by a timing line like {example}"),
                )
            })?;
        }
        let (cue, next) = read_cue(lines, i, Format::Srt)?;
        cues.push(cue);
        i = next;
    }
    Ok(cues)
}

/// The index of the timing line that must follow line `i` (a cue number
/// or identifier); `missing` is the error when the cue ends there.
fn timing_after(
    lines: &[&str],
    i: usize,
    example: &str,
    missing: impl FnOnce() -> ParseError,
) -> Result<usize, ParseError> {
    match lines.get(i + 1) {
        Some(next) if next.contains("-->") => Ok(i + 1),
        Some(next) if !is_blank(next) => Err(error(
            i + 2,
            Some(first_column(next)),
            format!(
                "expected a timing line like {example}, found {}",
                quote(next)
            ),
        )),
        _ => Err(missing()),
    }
}

fn parse_vtt(lines: &[&str]) -> Result<Vec<Cue>, ParseError> {
    if lines.iter().all(|l| is_blank(l)) {
        return Ok(Vec::new());
    }
    let signed = lines[0]
        .strip_prefix("WEBVTT")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']));
    if !signed {
        return Err(error(
            1,
            Some(1),
            format!(
                "expected \"WEBVTT\" on the first line of a WebVTT file, found {}",
                quote(lines[0])
            ),
        ));
    }
    // The header block runs to the first blank line.
    let mut i = 1;
    while i < lines.len() && !is_blank(lines[i]) && !lines[i].contains("-->") {
        i += 1;
    }
    let example = Format::Vtt.timing_example();
    let mut cues = Vec::new();
    while i < lines.len() {
        let line = lines[i];
        if is_blank(line) {
            i += 1;
            continue;
        }
        if !line.contains("-->") {
            let first = line.trim();
            if ["NOTE", "STYLE", "REGION"]
                .iter()
                .any(|kw| starts_block(first, kw))
            {
                while i < lines.len() && !is_blank(lines[i]) {
                    i += 1;
                }
                continue;
            }
            // A cue identifier, then the timing line.
            i = timing_after(lines, i, example, || {
                error(
                    i + 1,
                    Some(first_column(line)),
                    format!(
                        "expected a timing line like {example} after the cue identifier {}",
                        quote(line)
                    ),
                )
            })?;
        }
        let (cue, next) = read_cue(lines, i, Format::Vtt)?;
        cues.push(cue);
        i = next;
    }
    Ok(cues)
}

/// Whether `line` opens a block named `keyword` ("NOTE", "NOTE text").
fn starts_block(line: &str, keyword: &str) -> bool {
    line.strip_prefix(keyword)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

/// Reads the cue whose timing line is `lines[at]`; returns it and the index
/// of the line after its text.
fn read_cue(lines: &[&str], at: usize, format: Format) -> Result<(Cue, usize), ParseError> {
    let (start, end) = parse_timing(lines[at], at + 1, format)?;
    let mut next = at + 1;
    while next < lines.len() && !is_blank(lines[next]) {
        let line = lines[next];
        if line.contains("-->") && parse_timing(line, next + 1, format).is_ok() {
            return Err(error(
                next + 1,
                Some(first_column(line)),
                "expected a blank line between the previous cue's text and this timing line",
            ));
        }
        next += 1;
    }
    let cue = Cue {
        start: Ratio::new(start, 1000),
        end: Ratio::new(end, 1000),
        text: clean_text(&lines[at + 1..next]),
        line: at + 1,
    };
    Ok((cue, next))
}

/// Parses "START --> END [settings]" into milliseconds.
fn parse_timing(line: &str, number: usize, format: Format) -> Result<(i64, i64), ParseError> {
    let example = format.timing_example();
    let Some(arrow) = line.find("-->") else {
        return Err(error(
            number,
            Some(first_column(line)),
            format!(
                "expected a timing line like {example}, found {}",
                quote(line)
            ),
        ));
    };
    let head = &line[..arrow];
    let start_at = head.len() - head.trim_start().len();
    let start_text = head.trim();
    let tail = &line[arrow + 3..];
    let end_at = arrow + 3 + tail.len() - tail.trim_start().len();
    let rest = &line[end_at..];
    let end_text = &rest[..rest.find(char::is_whitespace).unwrap_or(rest.len())];

    if start_text.is_empty() {
        return Err(error(
            number,
            Some(column(line, arrow)),
            format!("expected a start time before \"-->\", as in {example}"),
        ));
    }
    if end_text.is_empty() {
        return Err(error(
            number,
            Some(column(line, arrow + 3)),
            format!("expected an end time after \"-->\", as in {example}"),
        ));
    }
    let time = |text: &str, at: usize, which: &str| {
        parse_time(text, format).map_err(|(offset, problem)| {
            error(
                number,
                Some(column(line, at + offset)),
                format!("{which} time \"{text}\" {problem}"),
            )
        })
    };
    let start = time(start_text, start_at, "start")?;
    let end = time(end_text, end_at, "end")?;
    if end <= start {
        let (s, e) = (fmt_time(start, format), fmt_time(end, format));
        let message = if end == start {
            format!("cue ends ({e}) at the moment it starts, so it is never shown")
        } else {
            format!("cue ends ({e}) before it starts ({s})")
        };
        return Err(error(number, Some(column(line, end_at)), message));
    }
    Ok((start, end))
}

/// Parses one timestamp into milliseconds: SRT `H+:MM:SS,mmm` (or '.'),
/// WebVTT `[H+:]MM:SS.mmm`. Errors give a byte offset into `text` and the
/// problem, phrased to follow the quoted time.
fn parse_time(text: &str, format: Format) -> Result<i64, (usize, String)> {
    let unlike = || format!("is not a time like {}", format.time_example());
    let fields: Vec<&str> = text.split(':').collect();
    let (hours, minutes, last) = match (format, fields.as_slice()) {
        (_, [h, m, s]) => (Some(*h), *m, *s),
        (Format::Vtt, [m, s]) => (None, *m, *s),
        _ => return Err((0, unlike())),
    };
    // Byte offsets of the fields in `text`.
    let minutes_at = hours.map_or(0, |h| h.len() + 1);
    let seconds_at = minutes_at + minutes.len() + 1;

    let Some(split) = last.find([',', '.']) else {
        return Err((seconds_at, unlike()));
    };
    let (seconds, millis) = (&last[..split], &last[split + 1..]);
    if format == Format::Vtt && last[split..].starts_with(',') {
        return Err((
            seconds_at + split,
            "has a ',' where WebVTT needs a '.' before the milliseconds".to_string(),
        ));
    }
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let mut ms: i64 = 0;
    if let Some(h) = hours {
        if h.is_empty() || !h.bytes().all(|b| b.is_ascii_digit()) {
            return Err((0, unlike()));
        }
        ms = h
            .parse::<i64>()
            .ok()
            .and_then(|h| h.checked_mul(3_600_000))
            .ok_or((0, "is too large".to_string()))?;
    }
    for (field, at, name, scale) in [
        (minutes, minutes_at, "minutes", 60_000),
        (seconds, seconds_at, "seconds", 1000),
    ] {
        if !digits(field, 2) {
            return Err((at, unlike()));
        }
        let value: i64 = field.parse().unwrap_or(0);
        if value >= 60 {
            return Err((at, format!("has {name} {value} (at most 59)")));
        }
        ms = ms
            .checked_add(value * scale)
            .ok_or((0, "is too large".to_string()))?;
    }
    if !digits(millis, 3) {
        return Err((seconds_at + split + 1, unlike()));
    }
    ms.checked_add(millis.parse::<i64>().unwrap_or(0))
        .ok_or((0, "is too large".to_string()))
}
