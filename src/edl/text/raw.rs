//! The graphics tables as the file says them (serde types with spans).

use crate::edl::syntax::Value;
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFonts {
    pub(super) dir: Option<Spanned<String>>,
    pub(super) default: Option<Spanned<String>>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStyle {
    pub(super) font: Option<Spanned<String>>,
    pub(super) bold: Option<bool>,
    pub(super) size: Option<Spanned<f64>>,
    pub(super) color: Option<Spanned<String>>,
    pub(super) opacity: Option<Spanned<f64>>,
    pub(super) outline: Option<Spanned<f64>>,
    pub(super) outline_color: Option<Spanned<String>>,
    pub(super) shadow: Option<Spanned<f64>>,
    #[serde(rename = "box")]
    pub(super) backing: Option<Spanned<RawBox>>,
    pub(super) align: Option<Spanned<String>>,
    pub(super) margin: Option<Spanned<f64>>,
    pub(super) fade_in: Option<Spanned<Value>>,
    pub(super) fade_out: Option<Spanned<Value>>,
    pub(super) slide: Option<Spanned<String>>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBox {
    pub(super) color: Option<Spanned<String>>,
    pub(super) opacity: Option<Spanned<f64>>,
    pub(super) padding: Option<Spanned<f64>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCard {
    pub(super) text: Option<Spanned<String>>,
    pub(super) style: Option<Spanned<String>>,
    pub(super) background: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawText {
    pub(super) text: Spanned<String>,
    pub(super) style: Option<Spanned<String>>,
    pub(super) clip: Option<Spanned<i64>>,
    pub(super) at: Option<Spanned<Value>>,
    pub(super) duration: Option<Spanned<Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCaptions {
    pub(super) source: Spanned<String>,
    pub(super) voiceover: Option<Spanned<i64>>,
    pub(super) language: Option<Spanned<String>>,
    pub(super) style: Option<Spanned<String>>,
    pub(super) burn: Option<bool>,
    pub(super) embed: Option<bool>,
    pub(super) sidecar: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOverlay {
    pub(super) source: Spanned<String>,
    pub(super) clip: Option<Spanned<i64>>,
    pub(super) at: Option<Spanned<Value>>,
    pub(super) duration: Option<Spanned<Value>>,
    pub(super) width: Option<Spanned<f64>>,
    pub(super) align: Option<Spanned<String>>,
    pub(super) margin: Option<Spanned<f64>>,
    pub(super) opacity: Option<Spanned<f64>>,
    pub(super) fade_in: Option<Spanned<Value>>,
    pub(super) fade_out: Option<Spanned<Value>>,
}
