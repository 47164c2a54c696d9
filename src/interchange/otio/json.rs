//! Reading OpenTimelineIO's JSON: where an object is in the file, fields,
//! schema names and versions, and times as exact fractions.

use std::collections::HashMap;

use serde_json::Value;

use crate::interchange::place::zero;
use crate::interchange::{At, ImportError};
use crate::time::{ratio_from_f64, Ratio};

/// The versions of each OpenTimelineIO schema reel reads. Objects of other
/// schemas are refused where an item or a media reference is expected, and
/// noted where an effect is.
const SCHEMAS: &[(&str, &[u32])] = &[
    ("Timeline", &[1]),
    ("Stack", &[1]),
    ("Track", &[1]),
    ("Clip", &[1, 2]),
    ("Gap", &[1]),
    ("Transition", &[1]),
    ("ExternalReference", &[1]),
    ("MissingReference", &[1]),
    ("GeneratorReference", &[1]),
    ("ImageSequenceReference", &[1]),
    ("LinearTimeWarp", &[1]),
    ("FreezeFrame", &[1]),
    ("Effect", &[1]),
    ("Marker", &[1, 2]),
    ("RationalTime", &[1]),
    ("TimeRange", &[1]),
];

/// Rates written as floats that stand for an NTSC fraction.
const NTSC_RATES: &[(i64, i64)] = &[
    (24000, 1001),
    (30000, 1001),
    (48000, 1001),
    (60000, 1001),
    (120000, 1001),
];

pub(super) fn json_error(e: &serde_json::Error) -> ImportError {
    // The message without serde_json's " at line L column C".
    let full = e.to_string();
    let message = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(m, _)| m);
    ImportError::at(e.line(), e.column(), format!("not valid JSON: {message}"))
}

/// A field, with `null` read as absent.
pub(super) fn field<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.get(key).filter(|f| !f.is_null())
}

pub(super) fn str_field<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

/// An array field; empty when absent.
pub(super) fn array<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

pub(super) fn enabled(v: &Value) -> bool {
    v.get("enabled").and_then(Value::as_bool).unwrap_or(true)
}

/// An object's schema name and version (`Clip.2` is `("Clip", 2)`). Refuses
/// a version reel does not read of a schema it knows.
pub(super) fn schema_of<'v>(v: &'v Value, at: &At) -> Result<(&'v str, u32), ImportError> {
    let text = str_field(v, "OTIO_SCHEMA")
        .ok_or_else(|| at.error("expected an OpenTimelineIO object (with an OTIO_SCHEMA)"))?;
    let (name, version) = text
        .rsplit_once('.')
        .and_then(|(n, v)| Some((n, v.parse::<u32>().ok()?)))
        .ok_or_else(|| at.error(format!("malformed OTIO_SCHEMA \"{text}\"")))?;
    if let Some((_, versions)) = SCHEMAS.iter().find(|(n, _)| *n == name) {
        if !versions.contains(&version) {
            let known: Vec<String> = versions.iter().map(|v| format!("{name}.{v}")).collect();
            return Err(at.error(format!(
                "schema {text} is not one reel reads (it reads {}); \
                 the file may come from a newer OpenTimelineIO",
                known.join(" and ")
            )));
        }
    }
    Ok((name, version))
}

pub(super) fn expect_schema(v: &Value, expected: &str, at: &At) -> Result<(), ImportError> {
    let (name, _) = schema_of(v, at)?;
    if name != expected {
        return Err(at.error(format!("expected a {expected}, found {name}")));
    }
    Ok(())
}

/// A rate as an exact fraction: floats near an NTSC rate are that fraction.
pub(super) fn exact_rate(rate: f64) -> Option<Ratio> {
    for &(n, d) in NTSC_RATES {
        if (rate - n as f64 / d as f64).abs() < 1e-6 {
            return Some(Ratio::new(n, d));
        }
    }
    ratio_from_f64(rate)
}

/// A frame count as an exact fraction: floats within rounding of a whole
/// number are that number.
pub(super) fn exact_value(value: f64) -> Option<Ratio> {
    let whole = value.round();
    if (value - whole).abs() < 1e-6 && whole.abs() <= 1e12 {
        return Some(Ratio::from_integer(whole as i64));
    }
    ratio_from_f64(value)
}

/// A `RationalTime` as seconds, and its rate.
pub(super) fn rational_time(v: &Value, at: &At) -> Result<(Ratio, Ratio), ImportError> {
    if v.get("OTIO_SCHEMA").is_some() {
        expect_schema(v, "RationalTime", at)?;
    }
    let rate = v
        .get("rate")
        .and_then(Value::as_f64)
        .and_then(exact_rate)
        .filter(|r| *r > zero())
        .ok_or_else(|| at.error("a time has no valid rate (a number above 0)"))?;
    let value = v
        .get("value")
        .and_then(Value::as_f64)
        .and_then(exact_value)
        .ok_or_else(|| at.error("a time has no valid value"))?;
    Ok((value / rate, rate))
}

/// A `TimeRange` as start and duration in seconds, and the duration's rate.
pub(super) fn time_range(v: &Value, at: &At) -> Result<(Ratio, Ratio, Ratio), ImportError> {
    expect_schema(v, "TimeRange", at)?;
    let part = |key: &str| {
        field(v, key)
            .ok_or_else(|| at.error(format!("a time range has no {key}")))
            .and_then(|t| rational_time(t, at))
    };
    let (start, _) = part("start_time")?;
    let (duration, rate) = part("duration")?;
    if duration < zero() {
        return Err(at.error("a time range has a negative duration"));
    }
    Ok((start, duration, rate))
}

/// The media reference a clip uses: `media_reference` (`Clip.1`) or the
/// active one of `media_references` (`Clip.2`).
pub(super) fn media_reference(clip: &Value, version: u32) -> Option<&Value> {
    if version >= 2 {
        let key = str_field(clip, "active_media_reference_key").unwrap_or("DEFAULT_MEDIA");
        field(clip, "media_references").and_then(|refs| field(refs, key))
    } else {
        field(clip, "media_reference")
    }
}

/// The name an effect is known by.
pub(super) fn effect_name(effect: &Value) -> &str {
    [str_field(effect, "effect_name"), str_field(effect, "name")]
        .into_iter()
        .flatten()
        .find(|n| !n.is_empty())
        .or_else(|| str_field(effect, "OTIO_SCHEMA"))
        .unwrap_or("")
}

/// The line on which each JSON object starts, by its path from the root
/// (`""`, `/tracks`, `/tracks/children/0/children/3`), for objects at most
/// `max_depth` levels down. Keys are taken as written, escapes and all: the
/// keys looked up here have none. Run on text serde_json has accepted.
pub(super) fn object_lines(text: &str, max_depth: usize) -> HashMap<String, usize> {
    /// An open object or array: its path and where in it the scan is.
    enum Open {
        Object {
            path: String,
            key: String,
            expect_key: bool,
        },
        Array {
            path: String,
            index: usize,
        },
    }
    fn child_path(stack: &[Open]) -> String {
        match stack.last() {
            None => String::new(),
            Some(Open::Object { path, key, .. }) => format!("{path}/{key}"),
            Some(Open::Array { path, index }) => format!("{path}/{index}"),
        }
    }
    let bytes = text.as_bytes();
    let mut lines = HashMap::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => line += 1,
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if let Some(Open::Object {
                    key, expect_key, ..
                }) = stack.last_mut()
                {
                    if *expect_key {
                        *key = text.get(start..i).unwrap_or("").to_string();
                        *expect_key = false;
                    }
                }
            }
            b'{' => {
                let path = child_path(&stack);
                if stack.len() <= max_depth {
                    lines.insert(path.clone(), line);
                }
                stack.push(Open::Object {
                    path,
                    key: String::new(),
                    expect_key: true,
                });
            }
            b'[' => {
                let path = child_path(&stack);
                stack.push(Open::Array { path, index: 0 });
            }
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Open::Array { index, .. }) => *index += 1,
                Some(Open::Object { expect_key, .. }) => *expect_key = true,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    lines
}
