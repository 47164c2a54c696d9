//! Profiles: an EDL's `[profile.NAME]`, whose keys replace `[output]`'s,
//! and the built-in `proxy` profile for fast previews.

use super::model::Output;
use super::raw::{RawAudio, RawColor, RawEdl, RawOutput, RawProfile, RawVideo};
use crate::error::{Diagnostic, Diagnostics};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The profile a parse applies: chosen before validation, finished after.
pub(super) struct Profile<'a> {
    name: &'a str,
    /// The EDL has no `[profile.proxy]`: the built-in one applies.
    builtin_proxy: bool,
    /// The profile names its own output `path`.
    sets_path: bool,
}

impl<'a> Profile<'a> {
    /// Takes `[profile.NAME]` out of `raw` and lays its keys over
    /// `[output]`. A name the EDL does not define is an error, except
    /// `proxy`.
    pub(super) fn select(
        file: &Path,
        mut raw: RawEdl,
        name: &'a str,
    ) -> Result<(Profile<'a>, RawEdl), Diagnostics> {
        let own = raw.profile.remove(name);
        if own.is_none() && name != "proxy" {
            let known: Vec<&str> = raw.profile.keys().map(|k| k.as_str()).collect();
            return Err(Diagnostic::new(
                file,
                format!(
                    "no [profile.{name}] in the EDL (it defines: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            )
            .into());
        }
        let sets_path = own.as_ref().is_some_and(|p| p.path.is_some());
        let builtin_proxy = own.is_none();
        let mut out = raw.output.into_inner();
        if let Some(p) = own {
            out.overlay(p);
        }
        raw.output = Spanned::new(0..0, out);
        let profile = Profile {
            name,
            builtin_proxy,
            sets_path,
        };
        Ok((profile, raw))
    }

    /// The validated output with the built-in proxy's settings and the
    /// profile's own output path.
    pub(super) fn finish(&self, output: &mut Output) {
        if self.builtin_proxy {
            proxy(output);
        }
        if !self.sets_path {
            output.path = profile_path(&output.path, self.name);
        }
    }
}

/// The built-in `proxy` profile: 640 pixels wide at the output's aspect
/// ratio, x264 ultrafast crf 28, AAC 96k, draft decoding.
fn proxy(o: &mut Output) {
    let height = (640.0 * o.height as f64 / o.width as f64 / 2.0)
        .round()
        .max(1.0) as u32
        * 2;
    o.width = 640;
    o.height = height;
    // x264's and x265's fastest preset; other encoders keep their own.
    if matches!(o.video.codec.as_str(), "libx264" | "libx265") && o.video.bitrate.is_none() {
        o.video.preset = Some("ultrafast".into());
        o.video.crf = Some(28);
    }
    o.audio.bitrate = 96_000;
    if o.audio.codec == "aac" {
        // FFmpeg's faster quantiser search at a constant quality:
        // about a third of the CPU of its default (two-loop search
        // at a constant bit rate), which would otherwise cost a
        // preview more than its pictures.
        o.audio.quality = Some(2.0);
        o.audio.options = BTreeMap::from([("aac_coder".into(), "fast".into())]);
    }
    o.draft = true;
}

/// `<name>.<profile>.<ext>` beside `path`.
fn profile_path(path: &Path, profile: &str) -> PathBuf {
    let stem = path
        .file_stem()
        .map_or("montage".into(), |s| s.to_string_lossy().into_owned());
    let ext = path
        .extension()
        .map_or("mp4".into(), |e| e.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}.{profile}.{ext}"))
}

impl RawOutput {
    /// The profile's keys replace the output's.
    fn overlay(&mut self, p: RawProfile) {
        fn set<T>(dst: &mut Option<T>, src: Option<T>) {
            if src.is_some() {
                *dst = src;
            }
        }
        /// For the keys `[output]` requires (not optional there).
        fn put<T>(dst: &mut T, src: Option<T>) {
            if let Some(v) = src {
                *dst = v;
            }
        }
        set(&mut self.path, p.path);
        put(&mut self.width, p.width);
        put(&mut self.height, p.height);
        put(&mut self.fps, p.fps);
        put(&mut self.fit, p.fit);
        set(&mut self.background, p.background);
        set(&mut self.fade_in, p.fade_in);
        set(&mut self.fade_out, p.fade_out);
        set(&mut self.draft, p.draft);
        if let Some(v) = p.video {
            let dst = self.video.get_or_insert_with(RawVideo::default);
            set(&mut dst.codec, v.codec);
            set(&mut dst.crf, v.crf);
            set(&mut dst.preset, v.preset);
            set(&mut dst.pix_fmt, v.pix_fmt);
            set(&mut dst.profile, v.profile);
            set(&mut dst.bitrate, v.bitrate);
            set(&mut dst.maxrate, v.maxrate);
            set(&mut dst.bufsize, v.bufsize);
            set(&mut dst.gop, v.gop);
            set(&mut dst.tag, v.tag);
            set(&mut dst.options, v.options);
        }
        if let Some(c) = p.color {
            let dst = self.color.get_or_insert_with(RawColor::default);
            set(&mut dst.space, c.space);
            set(&mut dst.tone_map, c.tone_map);
            set(&mut dst.reference_white, c.reference_white);
            set(&mut dst.max_luminance, c.max_luminance);
            set(&mut dst.max_cll, c.max_cll);
        }
        if let Some(a) = p.audio {
            let dst = self.audio.get_or_insert_with(RawAudio::default);
            set(&mut dst.codec, a.codec);
            set(&mut dst.bitrate, a.bitrate);
            set(&mut dst.quality, a.quality);
            set(&mut dst.options, a.options);
            set(&mut dst.sample_rate, a.sample_rate);
            set(&mut dst.channels, a.channels);
            set(&mut dst.loudness, a.loudness);
            set(&mut dst.layout, a.layout);
        }
    }
}
