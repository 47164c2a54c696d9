//! A cue's text lines as plain text: markup removed, entities decoded.

/// Cue text lines as plain text.
pub(super) fn clean_text(lines: &[&str]) -> String {
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
