//! Caption files: SRT and WebVTT read with file:line errors, linted, and
//! written back out timed to the output timeline.

use crate::time::Ratio;
use std::path::Path;

/// One cue: [start, end) in seconds, exact (milliseconds as `Ratio::new(ms, 1000)`).
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    pub start: Ratio,
    pub end: Ratio,
    /// Plain text: lines joined by '\n', markup removed, entities decoded,
    /// each line trimmed, empty lines dropped.
    pub text: String,
    /// 1-based line of the cue's timing line.
    pub line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Srt,
    Vtt,
}

impl Format {
    /// From a file name's extension: .srt or .vtt (any case), else `None`.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?;
        if ext.eq_ignore_ascii_case("srt") {
            Some(Format::Srt)
        } else if ext.eq_ignore_ascii_case("vtt") {
            Some(Format::Vtt)
        } else {
            None
        }
    }

    fn timing_example(self) -> &'static str {
        match self {
            Format::Srt => "00:00:01,000 --> 00:00:03,500",
            Format::Vtt => "00:00:01.000 --> 00:00:03.500",
        }
    }

    fn time_example(self) -> &'static str {
        match self {
            Format::Srt => "00:00:01,000",
            Format::Vtt => "00:00:01.000 or 00:01.000",
        }
    }

    fn ms_separator(self) -> char {
        match self {
            Format::Srt => ',',
            Format::Vtt => '.',
        }
    }
}

/// A problem in a caption file, at a 1-based line (and column when known,
/// 1-based, in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub column: Option<usize>,
    pub message: String,
}

fn error(line: usize, column: Option<usize>, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        column,
        message: message.into(),
    }
}

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

/// Milliseconds as `HH:MM:SS,mmm` (SRT) or `HH:MM:SS.mmm` (WebVTT).
fn fmt_time(ms: i64, format: Format) -> String {
    let ms = ms.max(0);
    format!(
        "{:02}:{:02}:{:02}{}{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        format.ms_separator(),
        ms % 1000
    )
}

/// Cue text lines as plain text.
fn clean_text(lines: &[&str]) -> String {
    lines
        .iter()
        .map(|l| decode_entities(&strip_markup(l)))
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Removes tags (`<i>`, `</font>`, `<v Name>`, `<00:01.000>`) and ASS
/// override blocks (`{\an8}`). A '<' or '{' that starts neither is kept.
fn strip_markup(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(pos) = rest.find(['<', '{']) {
        out.push_str(&rest[..pos]);
        let from = &rest[pos..];
        let mut chars = from.chars();
        let open = chars.next();
        let close = match open {
            Some('<') => {
                let c = chars.next();
                let c = if c == Some('/') { chars.next() } else { c };
                c.filter(char::is_ascii_alphanumeric).map(|_| '>')
            }
            _ => (chars.next() == Some('\\')).then_some('}'),
        };
        match close.and_then(|c| from.find(c)) {
            Some(end) => rest = &from[end + 1..],
            None => {
                // '<' and '{' are one byte long.
                out.push_str(&from[..1]);
                rest = &from[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes `&amp; &lt; &gt; &nbsp; &lrm; &rlm; &quot; &apos;` and numeric
/// references; anything else is left as written.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        match entity(after) {
            Some((c, len)) => {
                out.push(c);
                rest = &after[len..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character named at the start of `text` ("amp;...") and the length
/// of the name with its ';'.
fn entity(text: &str) -> Option<(char, usize)> {
    let semi = text.find(';')?;
    let c = match &text[..semi] {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "nbsp" => '\u{a0}',
        "lrm" => '\u{200e}',
        "rlm" => '\u{200f}',
        "quot" => '"',
        "apos" => '\'',
        name => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) if hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    u32::from_str_radix(hex, 16).ok()?
                }
                None if number.bytes().all(|b| b.is_ascii_digit()) => number.parse().ok()?,
                _ => return None,
            };
            char::from_u32(code)?
        }
    };
    Some((c, semi + 1))
}

/// Caption lint: a warning at a cue's timing line.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    pub line: usize,
    pub message: String,
}

const MAX_LINE_CHARS: usize = 42;
const MAX_LINES: usize = 2;
const MIN_GAP_FRAMES: i128 = 2;

/// Most characters per second a viewer can read: 22 for Hindi ("hin",
/// "hi", "hi-IN"), 20 otherwise.
pub fn max_cps(language: &str) -> f64 {
    let primary = language.split(['-', '_']).next().unwrap_or("");
    if primary.eq_ignore_ascii_case("hin") || primary.eq_ignore_ascii_case("hi") {
        22.0
    } else {
        20.0
    }
}

/// Lints cues (in file order), counting characters, not bytes: lines over
/// 42 characters, more than 2 lines, on screen under 5/6 s or over 7 s,
/// under 2 frames between cues, overlapping cues, and reading speed over
/// `max_cps`. Times are taken on the frame grid: a cue shows frames
/// `round(start*fps)..round(end*fps)`. A non-positive `fps` skips the
/// timing rules. Warnings come sorted by line.
pub fn lint(cues: &[Cue], fps: Ratio, max_cps: f64) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let mut warn = |line: usize, message: String| warnings.push(Warning { line, message });
    let timed = *fps.numer() > 0 && *fps.denom() > 0;
    let (fps_num, fps_den) = (*fps.numer() as i128, *fps.denom() as i128);
    // Frames as seconds, for messages.
    let seconds = |frames: i128| frames as f64 * fps_den as f64 / fps_num as f64;

    for cue in cues {
        let lines: Vec<&str> = cue.text.split('\n').collect();
        for (n, text) in lines.iter().enumerate() {
            let count = text.chars().count();
            if count > MAX_LINE_CHARS {
                warn(
                    cue.line,
                    format!(
                        "line {} of the cue has {count} characters (at most {MAX_LINE_CHARS})",
                        n + 1
                    ),
                );
            }
        }
        if lines.len() > MAX_LINES {
            warn(
                cue.line,
                format!("has {} lines (at most {MAX_LINES})", lines.len()),
            );
        }
        if !timed {
            continue;
        }
        let frames = frame(cue.end, fps).saturating_sub(frame(cue.start, fps));
        // frames / fps < 5/6  <=>  6 * frames * den < 5 * num
        if frames.saturating_mul(6).saturating_mul(fps_den) < fps_num.saturating_mul(5) {
            warn(
                cue.line,
                format!(
                    "is on screen for {:.2} s, {} (at least 0.83 s)",
                    seconds(frames),
                    plural(frames, "frame")
                ),
            );
        } else if frames.saturating_mul(fps_den) > fps_num.saturating_mul(7) {
            warn(
                cue.line,
                format!(
                    "is on screen for {:.2} s, {} (at most 7 s)",
                    seconds(frames),
                    plural(frames, "frame")
                ),
            );
        }
        let chars = cue.text.chars().filter(|&c| c != '\n').count();
        if frames > 0 && chars > 0 {
            let cps = chars as f64 / seconds(frames);
            if cps > max_cps {
                warn(
                    cue.line,
                    format!(
                        "reads at {cps:.1} characters per second (at most {})",
                        fmt_number(max_cps)
                    ),
                );
            }
        }
    }

    if timed {
        // Each cue against the earlier-starting cue that ends last.
        let mut order: Vec<&Cue> = cues.iter().collect();
        order.sort_by_key(|c| c.start);
        let mut before: Option<(&Cue, i128)> = None;
        for cue in order {
            let start = frame(cue.start, fps);
            let end = frame(cue.end, fps);
            if let Some((prev, prev_end)) = before {
                let gap = start.saturating_sub(prev_end);
                if gap < 0 {
                    warn(
                        cue.line,
                        format!(
                            "overlaps the cue at line {} by {}; both are shown at once, stacked",
                            prev.line,
                            plural(-gap, "frame")
                        ),
                    );
                } else if gap < MIN_GAP_FRAMES {
                    warn(
                        cue.line,
                        format!(
                            "starts {} after the cue at line {} ends (at least {MIN_GAP_FRAMES})",
                            plural(gap, "frame"),
                            prev.line
                        ),
                    );
                }
            }
            if before.is_none_or(|(_, prev_end)| end > prev_end) {
                before = Some((cue, end));
            }
        }
    }
    warnings.sort_by_key(|w| w.line);
    warnings
}

/// `round(t * fps)`, half away from zero, exact.
fn frame(t: Ratio, fps: Ratio) -> i128 {
    let n = *t.numer() as i128 * *fps.numer() as i128;
    let d = *t.denom() as i128 * *fps.denom() as i128;
    round_div(n, d)
}

/// `n / d` rounded half away from zero; 0 when `d` is 0.
fn round_div(n: i128, d: i128) -> i128 {
    if d == 0 {
        return 0;
    }
    let (n, d) = if d < 0 { (-n, -d) } else { (n, d) };
    let (q, r) = (n / d, n % d);
    if 2 * r.abs() >= d {
        q + n.signum()
    } else {
        q
    }
}

/// "1 frame", "2 frames".
fn plural(n: i128, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// "20" for 20.0, "22.5" for 22.5.
fn fmt_number(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(ms: i64) -> Ratio {
        Ratio::new(ms, 1000)
    }

    fn cue(start_ms: i64, end_ms: i64, text: &str, line: usize) -> Cue {
        Cue {
            start: ms(start_ms),
            end: ms(end_ms),
            text: text.to_string(),
            line,
        }
    }

    fn parse_err(text: &[u8], format: Format) -> ParseError {
        parse(text, format).expect_err("should not parse")
    }

    #[test]
    fn format_from_extension() {
        assert_eq!(Format::from_path(Path::new("a/b.SRT")), Some(Format::Srt));
        assert_eq!(Format::from_path(Path::new("b.vtt")), Some(Format::Vtt));
        assert_eq!(Format::from_path(Path::new("b.txt")), None);
        assert_eq!(Format::from_path(Path::new("srt")), None);
    }

    #[test]
    fn srt_with_crlf_bom_and_tags() {
        let text = "\u{feff}1\r\n00:00:01,000 --> 00:00:03,500\r\n<i>Hello</i> &amp; <font color=\"red\">welcome</font>  \r\n{\\an8}<b>there</b>\r\n\r\n\r\n\r\n7\r\n00:01:02.250 --> 01:00:00,001  \r\n  a &lt;3 b  \r\n\r\n";
        let cues = parse(text.as_bytes(), Format::Srt).unwrap();
        assert_eq!(
            cues,
            vec![
                cue(1000, 3500, "Hello & welcome\nthere", 2),
                cue(62_250, 3_600_001, "a <3 b", 9),
            ]
        );
    }

    #[test]
    fn srt_without_index_or_final_newline() {
        let cues = parse(
            b"00:00:01,000 --> 00:00:02,000\nA\n\n123:00:00,000 --> 123:00:01,000\nB",
            Format::Srt,
        )
        .unwrap();
        assert_eq!(cues.len(), 2);
        assert_eq!(cues[1].start, Ratio::from_integer(123 * 3600));
        assert_eq!(cues[1].text, "B");
        assert_eq!(cues[1].line, 4);
    }

    #[test]
    fn devanagari_survives() {
        let text = "1\n00:00:01,000 --> 00:00:02,000\nहिंदी क्षत्रिय\n";
        let cues = parse(text.as_bytes(), Format::Srt).unwrap();
        assert_eq!(cues[0].text, "हिंदी क्षत्रिय");
    }

    #[test]
    fn vtt_with_header_note_identifiers_and_settings() {
        let text = "WEBVTT - a title\nKind: captions\nLanguage: en\n\nNOTE this is\na comment\n\nSTYLE\n::cue { color: red }\n\nintro\n00:01.000 --> 00:03.500 align:start line:90%\n<v Roger Bingham><c.loud>We</c> are <00:02.000>here &nbsp;\n<ruby>漢<rt>kan</rt></ruby> <lang en>x</lang>\n\n2\n01:00:00.000 --> 01:00:01.000\nsecond\n";
        let cues = parse(text.as_bytes(), Format::Vtt).unwrap();
        assert_eq!(
            cues,
            vec![
                cue(1000, 3500, "We are here\n漢kan x", 12),
                cue(3_600_000, 3_601_000, "second", 17),
            ]
        );
    }

    #[test]
    fn vtt_signature_alone_and_tab() {
        assert!(parse(b"WEBVTT\n\n00:01.000 --> 00:02.000\nx", Format::Vtt).is_ok());
        assert!(parse(b"WEBVTT\tx\n\n00:01.000 --> 00:02.000\nx", Format::Vtt).is_ok());
        let e = parse_err(b"WEBVTTX\n\n00:01.000 --> 00:02.000\nx", Format::Vtt);
        assert_eq!(e.line, 1);
    }

    #[test]
    fn invalid_utf8_on_line_5() {
        let mut bytes = b"1\n00:00:01,000 --> 00:00:02,000\nok\n\nab".to_vec();
        bytes.push(0xC3);
        bytes.extend_from_slice(b"(\n");
        let e = parse_err(&bytes, Format::Srt);
        assert_eq!(e.line, 5);
        assert_eq!(e.column, Some(3));
        assert!(
            e.message.contains("is not UTF-8 text (invalid byte 0xC3)"),
            "{e:?}"
        );
    }

    #[test]
    fn utf16_is_named() {
        let e = parse_err(&[0xFF, 0xFE, b'1', 0], Format::Srt);
        assert!(e.message.contains("UTF-16"), "{e:?}");
    }

    #[test]
    fn bad_timing_on_line_6() {
        let text = "1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:03,000 --> 00:00:04;000\nx\n";
        let e = parse_err(text.as_bytes(), Format::Srt);
        assert_eq!(e.line, 6);
        assert_eq!(e.column, Some(24));
        assert!(e.message.contains("00:00:04;000"), "{e:?}");

        let text = "1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:03,000 -> 00:00:04,000\n";
        let e = parse_err(text.as_bytes(), Format::Srt);
        assert_eq!(e.line, 6);
        assert!(e
            .message
            .starts_with("expected a timing line like 00:00:01,000 --> 00:00:03,500"));
    }

    #[test]
    fn minutes_over_59_point_at_the_field() {
        let e = parse_err(b"00:00:01,000 --> 00:60:02,000\nx", Format::Srt);
        assert_eq!((e.line, e.column), (1, Some(21)));
        assert!(e.message.contains("minutes 60"), "{e:?}");
    }

    #[test]
    fn text_where_an_index_belongs() {
        let e = parse_err(b"\n\nHello\n00:00:01,000 --> 00:00:02,000\nx", Format::Srt);
        assert_eq!(e.line, 3);
    }

    #[test]
    fn missing_blank_line_between_cues() {
        let text = "00:00:01,000 --> 00:00:02,000\nx\n00:00:03,000 --> 00:00:04,000\ny\n";
        assert_eq!(parse_err(text.as_bytes(), Format::Srt).line, 3);
    }

    #[test]
    fn end_before_start() {
        let text = "WEBVTT\n\n00:03.000 --> 00:02.000\nx\n";
        let e = parse_err(text.as_bytes(), Format::Vtt);
        assert_eq!((e.line, e.column), (3, Some(15)));
        assert_eq!(
            e.message,
            "cue ends (00:00:02.000) before it starts (00:00:03.000)"
        );
        let e = parse_err(b"1\n00:00:03,000 --> 00:00:03,000\nx", Format::Srt);
        assert_eq!(e.line, 2);
    }

    #[test]
    fn missing_webvtt() {
        let e = parse_err(b"\n00:01.000 --> 00:02.000\nx\n", Format::Vtt);
        assert_eq!(e.line, 1);
        assert!(e.message.contains("WEBVTT"));
    }

    #[test]
    fn vtt_wants_a_dot() {
        let e = parse_err(b"WEBVTT\n\n00:01,000 --> 00:02.000\nx\n", Format::Vtt);
        assert_eq!((e.line, e.column), (3, Some(6)));
    }

    #[test]
    fn no_cues() {
        for (text, format) in [
            (&b""[..], Format::Srt),
            (b"\r\n\n  \n", Format::Srt),
            (b"", Format::Vtt),
            (b"WEBVTT\n\nNOTE nothing here\n", Format::Vtt),
        ] {
            let e = parse_err(text, format);
            assert_eq!(e.message, "has no cues");
        }
    }

    #[test]
    fn odd_input_does_not_panic() {
        for text in [
            "-->",
            "1\n-->\n",
            "99999999999999999999:00:00,000 --> 1:00:00,000",
            "9223372036854:00:00,000 --> 9223372036855:00:00,000",
            "WEBVTT\n\nid",
            "WEBVTT\n\nid\nx",
            "1",
            "00:00:01,000 --> ",
            "\u{feff}",
            "é:é:é,é --> ü",
            "00:00:01,000 --> 00:00:02,000\n<",
            "00:00:01,000 --> 00:00:02,000\n&#xFFFFFFFFF; &#55296; {\\",
        ] {
            let _ = parse(text.as_bytes(), Format::Srt);
            let _ = parse(text.as_bytes(), Format::Vtt);
        }
    }

    #[test]
    fn shuffled_fragments_do_not_panic() {
        let pieces = [
            "WEBVTT",
            "\n",
            "\r\n",
            "1",
            "-->",
            " ",
            ":",
            ",",
            ".",
            "00",
            "59",
            "60",
            "999",
            "99999999999",
            "00:00:01,000",
            "00:02.000",
            "<",
            ">",
            "{\\",
            "}",
            "&",
            ";",
            "#x",
            "NOTE",
            "क्ष",
            "\u{feff}",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(seed % 40) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            for format in [Format::Srt, Format::Vtt] {
                if let Ok(cues) = parse(text.as_bytes(), format) {
                    lint(&cues, Ratio::new(30000, 1001), 20.0);
                }
            }
        }
    }

    fn messages(cues: &[Cue]) -> Vec<String> {
        lint(cues, Ratio::from_integer(25), 20.0)
            .into_iter()
            .map(|w| w.message)
            .collect()
    }

    #[test]
    fn clean_cue_has_no_warnings() {
        let line = "a".repeat(30);
        let cues = [
            cue(0, 3000, &format!("{line}\n{line}"), 1),
            cue(3080, 5000, "ok", 5),
        ];
        assert_eq!(messages(&cues), Vec::<String>::new());
    }

    #[test]
    fn long_line_and_too_many_lines() {
        let w = lint(&[cue(0, 5000, "a\nb\nc", 3)], Ratio::from_integer(25), 20.0);
        assert_eq!(
            w,
            vec![Warning {
                line: 3,
                message: "has 3 lines (at most 2)".to_string()
            }]
        );
        let text = format!("ok\n{}", "x".repeat(47));
        assert_eq!(
            messages(&[cue(0, 5000, &text, 1)]),
            vec!["line 2 of the cue has 47 characters (at most 42)"]
        );
    }

    #[test]
    fn hindi_counts_chars_not_bytes() {
        // 40 characters, 112 bytes: fine for line length.
        let line = "हिंदी क्षत्रिय ".repeat(3);
        let line = line.chars().take(40).collect::<String>();
        assert!(line.len() > 42);
        assert_eq!(messages(&[cue(0, 3000, &line, 1)]), Vec::<String>::new());
        // 60 characters over 3 s is 20 cps: fine at 22, and at 20.
        let text = format!("{line}\n{}", "क".repeat(20));
        assert!(lint(
            &[cue(0, 3000, &text, 1)],
            Ratio::from_integer(25),
            max_cps("hin")
        )
        .is_empty());
        // 66 characters over 3 s is 22 cps: too fast for 20.
        let text = format!("{line}\n{}", "क".repeat(26));
        let w = messages(&[cue(0, 3000, &text, 1)]);
        assert_eq!(w, vec!["reads at 22.0 characters per second (at most 20)"]);
        assert!(lint(
            &[cue(0, 3000, &text, 1)],
            Ratio::from_integer(25),
            max_cps("hi")
        )
        .is_empty());
    }

    #[test]
    fn max_cps_by_language() {
        assert_eq!(max_cps("hin"), 22.0);
        assert_eq!(max_cps("hi-IN"), 22.0);
        assert_eq!(max_cps("eng"), 20.0);
        assert_eq!(max_cps(""), 20.0);
    }

    #[test]
    fn durations_on_the_frame_grid() {
        // 0.82 s is 20.5 frames at 25 fps: round(0.02*25)=1 (0.5 up), round(0.84*25)=21, 20 frames = 0.8 s.
        assert_eq!(
            messages(&[cue(20, 840, "hi", 1)]),
            vec!["is on screen for 0.80 s, 20 frames (at least 0.83 s)"]
        );
        // 21 frames = 0.84 s is enough.
        assert!(messages(&[cue(0, 840, "hi", 1)]).is_empty());
        assert_eq!(
            messages(&[cue(0, 7040, "hi", 1)]),
            vec!["is on screen for 7.04 s, 176 frames (at most 7 s)"]
        );
        assert!(messages(&[cue(0, 7000, "hi", 1)]).is_empty());
    }

    #[test]
    fn gaps_and_overlaps() {
        // In file order out of time order: sorting finds the 1-frame gap.
        let cues = [cue(3040, 5000, "b", 5), cue(0, 3000, "a", 1)];
        assert_eq!(
            lint(&cues, Ratio::from_integer(25), 20.0),
            vec![Warning {
                line: 5,
                message: "starts 1 frame after the cue at line 1 ends (at least 2)".to_string()
            }]
        );
        let cues = [cue(0, 3000, "a", 1), cue(2000, 5000, "b", 5)];
        assert_eq!(
            messages(&cues),
            vec!["overlaps the cue at line 1 by 25 frames; both are shown at once, stacked"]
        );
    }

    #[test]
    fn lint_at_ntsc_rate_and_zero_fps() {
        let fps = Ratio::new(30000, 1001);
        assert!(lint(&[cue(0, 3000, "ok", 1)], fps, 20.0).is_empty());
        assert!(lint(&[cue(0, 100, "ok", 1)], Ratio::from_integer(0), 20.0).is_empty());
    }

    #[test]
    fn srt_round_trip() {
        let cues = vec![
            (Ratio::new(1, 3), Ratio::new(5, 2), "one\nहिंदी".to_string()),
            (
                Ratio::from_integer(3661),
                Ratio::new(36_615_006, 10_000),
                "a & b <c>".to_string(),
            ),
        ];
        let text = write_srt(&cues);
        assert_eq!(
            text,
            "1\n00:00:00,333 --> 00:00:02,500\none\nहिंदी\n\n2\n01:01:01,000 --> 01:01:01,501\na & b <c>\n"
        );
        let back = parse(text.as_bytes(), Format::Srt).unwrap();
        assert_eq!(back[0].start, ms(333));
        assert_eq!(back[0].end, ms(2500));
        assert_eq!(back[1].end, ms(3_661_501));
        assert_eq!(back[0].text, "one\nहिंदी");
    }

    #[test]
    fn vtt_round_trip() {
        let cues = vec![
            (ms(1500), ms(4000), "x < y & z\n\n>".to_string()),
            (Ratio::new(7, 3), Ratio::from_integer(5), "<i>".to_string()),
        ];
        let text = write_vtt(&cues);
        assert!(
            text.starts_with("WEBVTT\n\n00:00:01.500 --> 00:00:04.000\nx &lt; y &amp; z\n&gt;\n\n")
        );
        let back = parse(text.as_bytes(), Format::Vtt).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!((back[0].start, back[0].end), (ms(1500), ms(4000)));
        assert_eq!(back[0].text, "x < y & z\n>");
        assert_eq!((back[1].start, back[1].end), (ms(2333), ms(5000)));
        assert_eq!(back[1].text, "<i>");
    }
}
