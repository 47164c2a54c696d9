//! What every EDL table's validation shares: values that are a number or
//! text, where keys are in the file, reading times, numbers, colours and
//! bit rates, and resolving paths against the EDL.

use crate::container;
use crate::error::{Diagnostic, Diagnostics, Span};
use crate::time::{self, Ratio, TimeSpec};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// Resolves a path written in the EDL against the EDL's directory,
/// lexically ("edl/../assets/a.mp4" becomes "assets/a.mp4").
pub fn resolve(file: &Path, path: &str) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in container::parent_dir(file).join(path).components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// A key that takes a number or text: a time (seconds or a timecode
/// string), a frame rate (30, 29.97 or "30000/1001") or a bitrate (192000
/// or "192k").
#[derive(Debug, Clone)]
pub enum Value {
    Number(f64),
    Text(String),
    /// `{ tc = "01:00:00:12" }`: a source's own timecode (for `in` and
    /// `out`; refused elsewhere).
    SourceTc(String),
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'v> Visitor<'v> for V {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or text")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
                Ok(Value::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
                Ok(Value::Number(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
                Ok(Value::Number(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
                Ok(Value::Text(v.to_string()))
            }
            fn visit_map<A: de::MapAccess<'v>>(self, mut map: A) -> Result<Value, A::Error> {
                let mut tc = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key != "tc" || tc.is_some() {
                        return Err(de::Error::custom(format!(
                            "unknown key `{key}`: a source timecode is {{ tc = \"HH:MM:SS:FF\" }}"
                        )));
                    }
                    tc = Some(map.next_value::<String>()?);
                }
                tc.map(Value::SourceTc).ok_or_else(|| {
                    de::Error::custom("a source timecode is { tc = \"HH:MM:SS:FF\" }")
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// An encoder option's value as FFmpeg takes it: text, whatever TOML type
/// (number, boolean or string) the EDL wrote it as.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionText(pub String);

impl<'de> Deserialize<'de> for OptionText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = OptionText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number, a boolean or text")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<OptionText, E> {
                Ok(OptionText(u8::from(v).to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<OptionText, E> {
                Ok(OptionText(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<OptionText, E> {
                Ok(OptionText(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<OptionText, E> {
                Ok(OptionText(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OptionText, E> {
                Ok(OptionText(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Where a table and its keys' values are in the EDL file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Spans {
    /// The table (`[[clip]]` and its keys).
    pub table: Span,
    /// Each key given: its value's place, line and column.
    keys: Vec<(&'static str, Span, (usize, usize))>,
}

impl Spans {
    pub fn new(table: Range<usize>) -> Spans {
        Spans {
            table: table.into(),
            keys: Vec::new(),
        }
    }

    /// Notes where `key`'s value is, if the key is given.
    pub fn add<T>(&mut self, src: &SourceText, key: &'static str, value: &Option<Spanned<T>>) {
        if let Some(v) = value {
            let span = v.span();
            self.keys
                .push((key, span.clone().into(), src.line_col(span.start)));
        }
    }

    /// Where `key`'s value is, if it was given.
    pub fn get(&self, key: &str) -> Option<Span> {
        self.keys
            .iter()
            .find(|(k, ..)| *k == key)
            .map(|(_, s, _)| *s)
    }

    /// A diagnostic at `key`'s value (its line and column, and a caret
    /// under it), or about the file when the key was not given.
    pub fn diagnostic(&self, file: &Path, key: &str, message: String) -> Diagnostic {
        match self.keys.iter().find(|(k, ..)| *k == key) {
            Some((_, span, (line, col))) => Diagnostic::new(file, message)
                .at(*line, *col)
                .span(*span)
                .key(key.rsplit('.').next().unwrap_or(key)),
            None => Diagnostic::new(file, message),
        }
    }

    /// Points `d` at `key`'s value, or at the table when the key was not
    /// given (its default is what is wrong).
    pub fn point(&self, d: Diagnostic, key: &str) -> Diagnostic {
        match self.keys.iter().find(|(k, ..)| *k == key) {
            Some((_, span, (line, col))) => d.at(*line, *col).span(*span).key(key),
            None => d.span(self.table).key(key),
        }
    }
}

/// Maps byte offsets of the EDL text to 1-based lines and columns.
pub struct SourceText<'a> {
    pub file: &'a Path,
    pub text: &'a str,
}

impl<'a> SourceText<'a> {
    pub fn new(file: &'a Path, text: &'a str) -> Self {
        SourceText { file, text }
    }

    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let col = before.rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
        (line, col)
    }

    pub fn at(&self, span: &Range<usize>, message: impl Into<String>) -> Diagnostic {
        let (line, col) = self.line_col(span.start);
        Diagnostic::new(self.file, message)
            .at(line, col)
            .span(span.clone().into())
    }
}

/// An optional number key within `range`, or `default`.
pub fn number(
    src: &SourceText,
    v: &Option<Spanned<f64>>,
    key: &str,
    default: f64,
    range: std::ops::RangeInclusive<f64>,
    errs: &mut Diagnostics,
) -> f64 {
    let Some(v) = v else { return default };
    let x = *v.get_ref();
    if x.is_finite() && range.contains(&x) {
        x
    } else {
        errs.push(
            src.at(
                &v.span(),
                format!(
                    "invalid value {x} (expected {} to {}) for `{key}`",
                    range.start(),
                    range.end()
                ),
            )
            .key(key),
        );
        default
    }
}

/// An optional key in seconds (or a clock form), never frames; 0 if absent.
pub fn seconds(
    src: &SourceText,
    v: &Option<Spanned<Value>>,
    key: &str,
    errs: &mut Diagnostics,
) -> Ratio {
    match v.as_ref().map(|t| (t, time_spec(src, t, key, errs))) {
        None => Ratio::from_integer(0),
        Some((_, TimeSpec::Seconds(s))) => s,
        Some((t, TimeSpec::Frames { .. } | TimeSpec::SourceTc(_))) => {
            errs.push(src.at(
                &t.span(),
                format!("`{key}` is in seconds: write seconds or HH:MM:SS.mmm, not frames"),
            ));
            Ratio::from_integer(0)
        }
    }
}

pub fn time_spec(
    src: &SourceText,
    v: &Spanned<Value>,
    key: &str,
    errs: &mut Diagnostics,
) -> TimeSpec {
    let parsed = match v.get_ref() {
        Value::Number(n) => time::ratio_from_f64(*n)
            .map(TimeSpec::Seconds)
            .ok_or_else(|| format!("invalid `{key}` {n}")),
        Value::Text(t) => time::parse_timecode(t).map_err(|e| e.to_string()),
        Value::SourceTc(t) if key == "in" || key == "out" => time::SourceTc::parse(t)
            .map(TimeSpec::SourceTc)
            .ok_or_else(|| {
                format!(
                    "malformed timecode \"{t}\" (expected {{ tc = \"HH:MM:SS:FF\" }}, or \
                     HH:MM:SS;FF for drop frame)"
                )
            }),
        Value::SourceTc(_) => Err(
            "only `in` and `out` take a source timecode { tc = ... }; give seconds or a time string"
                .to_string(),
        ),
    };
    match parsed {
        Ok(TimeSpec::Seconds(s)) if s < Ratio::from_integer(0) => {
            errs.push(src.at(&v.span(), format!("`{key}` must not be negative")));
            TimeSpec::Seconds(Ratio::from_integer(0))
        }
        Ok(t) => t,
        Err(m) => {
            errs.push(src.at(&v.span(), format!("`{key}`: {m}")));
            TimeSpec::Seconds(Ratio::from_integer(0))
        }
    }
}

pub fn parse_colour(s: &str) -> Option<[u8; 3]> {
    let hex = s.strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let v = u32::from_str_radix(hex, 16).ok()?;
    Some([(v >> 16) as u8, (v >> 8) as u8, v as u8])
}

/// A bit rate: bits per second, or text such as "192k" or "1.5M".
pub fn parse_bitrate(v: &Value) -> Option<u64> {
    parse_bits(v, 8_000.0..=10_000_000.0)
}

/// Bits per second as `parse_bitrate` reads them, within `range`.
pub fn parse_bits(v: &Value, range: std::ops::RangeInclusive<f64>) -> Option<u64> {
    let value = match v {
        Value::Number(n) => *n,
        Value::SourceTc(_) => return None,
        Value::Text(t) => {
            let t = t.trim();
            let (num, mult) = match t.chars().last()? {
                'k' | 'K' => (&t[..t.len() - 1], 1e3),
                'm' | 'M' => (&t[..t.len() - 1], 1e6),
                _ => (t, 1.0),
            };
            num.parse::<f64>().ok()? * mult
        }
    };
    (value.is_finite() && range.contains(&value)).then_some(value as u64)
}
