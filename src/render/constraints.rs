//! What an output's encoders and container must agree on, checked before
//! anything is decoded, each problem as (key, message) at the EDL key
//! that caused it: the settings an encoder has no use for (`crf` for
//! ProRes), a profile's pixel formats and smallest size, presets, options,
//! the codecs a container can carry and what MXF requires of rates.

use crate::container;
use crate::edl::Output;
use crate::ffmpeg;
use crate::time::Ratio;
use crate::video_codec::{self, Presets};
use ffmpeg_next as ff;

/// A problem at an EDL key (named as in [`Output::spans`]).
pub type Problem = (&'static str, String);

/// The video encoder's settings against what the encoder has: `crf`,
/// `preset`, `profile`, `pix_fmt`, the picture size and `options`.
pub fn video(out: &Output) -> Vec<Problem> {
    let v = &out.video;
    let mut problems = Vec::new();
    let given = |key: &str| out.spans.get(key).is_some();
    for (key, name, value) in [
        ("video.crf", "crf", v.crf.map(|c| c.to_string())),
        ("video.preset", "preset", v.preset.clone()),
    ] {
        if value.is_some() && given(key) && !ffmpeg::encoder_has_option(&v.codec, name) {
            problems.push((
                key,
                format!(
                    "the {} encoder has no {name}{}",
                    v.codec,
                    if name == "crf" {
                        " (give a bitrate, a profile or options instead)"
                    } else {
                        ""
                    }
                ),
            ));
        }
    }
    let known = video_codec::encoder(&v.codec);
    if let (Some(p), Some(Some(presets))) = (&v.preset, known.map(|e| e.presets)) {
        if let Some(m) = bad_preset(&v.codec, p, presets) {
            problems.push(("video.preset", m));
        }
    }
    problems.extend(profile(out));
    if let Some((w, h)) = known.map(|e| e.min_size) {
        if out.width < w || out.height < h {
            problems.push((
                "width",
                format!(
                    "{} encodes pictures of at least {w}x{h}; the output is {}x{}",
                    v.codec, out.width, out.height
                ),
            ));
        }
    }
    let names: Vec<&str> = v.options.keys().map(String::as_str).collect();
    let unknown: Vec<&str> = names
        .into_iter()
        .filter(|n| !ffmpeg::encoder_has_option(&v.codec, n))
        .collect();
    if !unknown.is_empty() {
        problems.push((
            "video.options",
            format!(
                "the {} encoder has no option {}",
                v.codec,
                unknown
                    .iter()
                    .map(|n| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    problems
}

/// A preset the encoder would refuse, as a message.
fn bad_preset(codec: &str, preset: &str, presets: Presets) -> Option<String> {
    match presets {
        Presets::Names(names) => (!names.contains(&preset)).then(|| {
            let short = codec.trim_start_matches("lib");
            format!(
                "unknown {short} preset \"{preset}\" (one of {})",
                names.join(", ")
            )
        }),
        Presets::Numbers(lo, hi) => match preset.parse::<i64>() {
            Ok(n) if (lo..=hi).contains(&n) => None,
            _ => Some(format!(
                "invalid {codec} preset \"{preset}\" (expected a number from {lo} (slowest) to {hi} (fastest))"
            )),
        },
    }
}

/// The profile's name and the pixel formats it takes.
fn profile(out: &Output) -> Vec<Problem> {
    let v = &out.video;
    let Some(e) = video_codec::encoder(&v.codec) else {
        return match &v.profile {
            Some(p) => vec![(
                "video.profile",
                format!(
                    "reel knows no profiles of the {} encoder (\"{p}\"); set its options instead",
                    v.codec
                ),
            )],
            None => Vec::new(),
        };
    };
    let Some(name) = v.profile.as_deref().or(e.default_profile) else {
        return Vec::new();
    };
    let Some(p) = e.profile_for(v.profile.as_deref(), &v.pix_fmt) else {
        let names = if e.profiles.is_empty() {
            "none".to_string()
        } else {
            e.profile_names()
        };
        return vec![(
            "video.profile",
            format!("unknown {} profile \"{name}\" (one of {names})", v.codec),
        )];
    };
    if p.pix_fmts.is_empty() || p.pix_fmts.contains(&v.pix_fmt.as_str()) {
        return Vec::new();
    }
    let key = if out.spans.get("video.pix_fmt").is_some() {
        "video.pix_fmt"
    } else {
        "video.profile"
    };
    vec![(
        key,
        format!(
            "the {} profile \"{}\" takes pix_fmt {}, not {}",
            v.codec,
            p.name,
            p.pix_fmts.join(" or "),
            v.pix_fmt
        ),
    )]
}

/// The container against the codecs, the frame rate, the sample rate and
/// the codec tag.
pub fn container(out: &Output) -> Vec<Problem> {
    let Some(muxer) = container::muxer_for(&out.path) else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    let ext = out
        .path
        .extension()
        .map_or(String::new(), |e| e.to_string_lossy().to_ascii_lowercase());
    let allowed = container::codecs(muxer);
    // An audio-only file has no video to carry (its audio is checked
    // with the audio encoder).
    let audio_only = container::audio_only(&out.path).is_some();
    for (key, codec, list) in [
        ("video.codec", &out.video.codec, allowed.map(|a| a.0)),
        ("audio.codec", &out.audio.codec, allowed.map(|a| a.1)),
    ] {
        if audio_only && key == "video.codec" {
            continue;
        }
        let Some(enc) = ff::encoder::find_by_name(codec) else {
            continue;
        };
        let id = enc.id();
        let fits = match list {
            Some(names) => names.contains(&id.name()),
            None => ffmpeg::muxer_takes(muxer, id) != Some(false),
        };
        if !fits {
            let key = if out.spans.get(key).is_some() {
                key
            } else {
                "path"
            };
            problems.push((
                key,
                format!(
                    ".{ext} cannot carry {} ({codec}){}",
                    id.name(),
                    list.map_or(String::new(), |l| format!("; it takes {}", l.join(", ")))
                ),
            ));
        }
    }
    if muxer == "mxf" {
        problems.extend(mxf(out));
    }
    problems.extend(tag(out, muxer, &ext));
    problems
}

/// What FFmpeg's MXF muxer takes: a content-package frame rate and 48 kHz
/// sound.
fn mxf(out: &Output) -> Vec<Problem> {
    let mut problems = Vec::new();
    let rates = container::MXF_RATES.map(|(n, d)| Ratio::new(n, d));
    if !rates.contains(&out.fps) {
        let names: Vec<String> = rates.iter().map(|r| crate::time::fmt_rate(*r)).collect();
        problems.push((
            "fps",
            format!(
                "MXF takes the frame rates {}; not {}",
                names.join(", "),
                crate::time::fmt_rate(out.fps)
            ),
        ));
    }
    if out.audio.sample_rate != 48_000 {
        problems.push((
            "audio.sample_rate",
            format!(
                "MXF (as FFmpeg writes it) takes 48000 Hz sound, not {}",
                out.audio.sample_rate
            ),
        ));
    }
    problems
}

/// The codec tag: for MP4 and MOV only, and one the muxer knows for the
/// codec.
fn tag(out: &Output, muxer: &str, ext: &str) -> Option<Problem> {
    let tag = out.video.tag.as_ref()?;
    if !matches!(muxer, "mp4" | "mov") {
        return Some((
            "video.tag",
            format!("a codec tag is for .mp4, .m4v and .mov outputs, not .{ext}"),
        ));
    }
    let id = ff::encoder::find_by_name(&out.video.codec)?.id();
    (!ffmpeg::tag_fits(muxer, id, tag)).then(|| {
        (
            "video.tag",
            format!("the {muxer} muxer has no tag \"{tag}\" for {}", id.name()),
        )
    })
}
