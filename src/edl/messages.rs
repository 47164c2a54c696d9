//! TOML and serde messages reworded for people: which key, what it takes
//! and what was found, in words rather than Rust type names.

use super::syntax::SourceText;
use crate::error::Diagnostics;

/// A TOML parse or type error as a diagnostic at its place, naming the key
/// when one is found before it.
pub(super) fn toml_error(src: &SourceText, e: &toml::de::Error) -> Diagnostics {
    let span = e.span().unwrap_or(0..0);
    let key = key_before(src.text, span.start);
    let message = describe(e.message().trim(), key);
    let d = src.at(&span, message);
    Diagnostics::from(match key {
        Some(k) => d.key(k),
        None => d,
    })
}

/// The key whose value starts at byte `at`: the name before the `=` that
/// comes before it on its line (`width = "wide"`, or inside an inline
/// table, `{ kind = "x" }`).
fn key_before(text: &str, at: usize) -> Option<&str> {
    let line_start = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let before = text[line_start..at.min(text.len())].trim_end();
    let before = before.strip_suffix('=')?.trim_end();
    let start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'))
        .map_or(0, |i| i + 1);
    let key = &before[start..];
    (!key.is_empty()).then_some(key)
}

/// A TOML or serde message in words, naming the key: `invalid type:
/// string "wide", expected i64` for `width` becomes "`width` must be a
/// whole number of pixels, found the text "wide"".
fn describe(message: &str, key: Option<&str>) -> String {
    let Some(key) = key else {
        return message.to_string();
    };
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!(
            "`{key}` must be {}, found {}",
            expected_in_words(key, expected),
            found_in_words(found)
        );
    }
    if message.contains(&format!("`{key}`")) {
        message.to_string()
    } else {
        format!("{message} for `{key}`")
    }
}

/// What a key takes, in words.
fn expected_in_words(key: &str, serde: &str) -> String {
    let key = key.rsplit('.').next().unwrap_or(key);
    match key {
        "width" | "height" => "a whole number of pixels".into(),
        "crf" | "channels" => "a whole number".into(),
        "sample_rate" => "a whole number of samples per second".into(),
        "fps" => "a frame rate such as 30, 29.97 or \"30000/1001\"".into(),
        "bitrate" => "bits per second, such as 192000 or \"192k\"".into(),
        "volume" => "a number (a gain from 0 to 16)".into(),
        "in" | "out" | "duration" | "at" | "until" | "fade_in" | "fade_out" | "attack"
        | "release" | "hold" => {
            "seconds (a number) or a timecode string such as \"01:02.500\"".into()
        }
        "depth_db" | "threshold_db" | "integrated_lufs" | "true_peak_db" => {
            "a number of decibels".into()
        }
        _ => match serde {
            "i64" | "u64" | "u32" | "i32" => "a whole number".into(),
            "f64" | "f32" => "a number".into(),
            "a boolean" => "true or false".into(),
            "a string" => "text in quotes".into(),
            "a sequence" => "a list".into(),
            other => other.to_string(),
        },
    }
}

/// serde's name for a value found, in words.
fn found_in_words(found: &str) -> String {
    let unquote = |s: &str| s.trim_matches('`').to_string();
    if let Some(t) = found.strip_prefix("string ") {
        format!("the text {t}")
    } else if let Some(n) = found.strip_prefix("integer ") {
        format!("the whole number {}", unquote(n))
    } else if let Some(n) = found.strip_prefix("floating point ") {
        format!("the number {}", unquote(n))
    } else if let Some(b) = found.strip_prefix("boolean ") {
        unquote(b)
    } else {
        match found {
            "sequence" => "a list".into(),
            "map" => "a table".into(),
            other => other.to_string(),
        }
    }
}
