//! `[output]`: the frame, its rate and fit, the encoders' settings, the
//! fades and the output path.

use crate::container;
use crate::edl::model::{AudioSettings, Loudness, Output, VideoSettings};
use crate::edl::raw::{RawAudio, RawLoudness, RawOutput, RawVideo};
use crate::edl::syntax::{
    self, number, parse_bitrate, parse_colour, seconds, SourceText, Spans, Value,
};
use crate::error::Diagnostics;
use crate::time::{self, Ratio};
use std::path::{Path, PathBuf};
use toml::Spanned;

/// `[output]`: size, rate, fit, background, encoders, fades and path.
pub(super) fn output(src: &SourceText, raw: Spanned<RawOutput>, errs: &mut Diagnostics) -> Output {
    let mut spans = Spans::new(raw.span());
    let out = raw.into_inner();
    spans.add(src, "lut", &out.lut);
    spans.add(src, "background", &out.background);
    spans.add(src, "timecode", &out.timecode);
    let width = dimension(src, &out.width, "width", errs);
    let height = dimension(src, &out.height, "height", errs);
    let fps = frame_rate(src, &out.fps, errs);
    spans.add(src, "fps", &Some(out.fps.clone()));
    let transparent = out
        .background
        .as_ref()
        .is_some_and(|b| b.get_ref() == "transparent");
    let background = match transparent {
        true => [0, 0, 0],
        false => background(src, &out.background, errs),
    };
    // A container's own codecs where the EDL names none.
    let (video_codec, audio_codec) = out
        .path
        .as_ref()
        .and_then(|p| container::muxer_for(Path::new(p.get_ref())))
        .map_or((None, None), container::default_codecs);
    let mut video = video_settings(
        src,
        out.video.unwrap_or_default(),
        video_codec,
        &mut spans,
        errs,
    );
    if transparent && spans.get("video.pix_fmt").is_none() {
        if let Some(p) = crate::video_codec::alpha_pix_fmt(&video.codec) {
            video.pix_fmt = p.to_string();
        }
    }
    let mut audio = out
        .audio
        .map(|a| audio_settings(src, a, &mut spans, errs))
        .unwrap_or_default();
    if let Some(codec) = audio_codec.filter(|_| spans.get("audio.codec").is_none()) {
        audio.codec = codec.into();
    }
    let color = out
        .color
        .map(|c| super::colour::output_colour(src, c, &mut spans, errs))
        .unwrap_or_default();
    let fade_in = seconds(src, &out.fade_in, "fade_in", errs);
    let fade_out = seconds(src, &out.fade_out, "fade_out", errs);
    spans.add(src, "fade_in", &out.fade_in);
    spans.add(src, "fade_out", &out.fade_out);
    spans.add(src, "path", &out.path);
    spans.add(src, "poster", &out.poster);
    let poster = out.poster.as_ref().map(|v| poster(src, v, fps, errs));
    let path = output_path(src, out.path, errs);
    // An audio-only file's own encoder, unless the EDL names one.
    if let Some((codec, _)) = container::audio_only(&path) {
        if spans.get("audio.codec").is_none() {
            audio.codec = codec.to_string();
        }
    }
    Output {
        path,
        width,
        height,
        fps,
        fit: out.fit,
        background,
        transparent,
        video,
        audio,
        color,
        fade_in,
        fade_out,
        draft: out.draft.unwrap_or(false),
        lut: out
            .lut
            .as_ref()
            .map(|l| syntax::resolve(src.file, l.get_ref())),
        timecode: out.timecode.map(|t| t.into_inner().trim().to_string()),
        poster,
        spans,
    }
}

/// `poster`: a still's timeline time, in seconds or a timecode at the
/// output's rate (whether it is past the end is known once planned).
fn poster(src: &SourceText, v: &Spanned<Value>, fps: Ratio, errs: &mut Diagnostics) -> Ratio {
    syntax::time_spec(src, v, "poster", errs)
        .resolve(fps)
        .unwrap_or_else(|e| {
            errs.push(src.at(&v.span(), format!("`poster`: {e}")).key("poster"));
            Ratio::from_integer(0)
        })
}

/// `width` or `height`: an even number of pixels.
fn dimension(src: &SourceText, v: &Spanned<i64>, name: &str, errs: &mut Diagnostics) -> u32 {
    let n = *v.get_ref();
    if !(2..=16384).contains(&n) || n % 2 != 0 {
        errs.push(
            src.at(
                &v.span(),
                format!("invalid output {name} {n} (expected an even number from 2 to 16384)"),
            )
            .key(name),
        );
        2
    } else {
        n as u32
    }
}

/// `fps`: 30, 29.97 or "30000/1001".
fn frame_rate(src: &SourceText, v: &Spanned<Value>, errs: &mut Diagnostics) -> Ratio {
    let fps_text = match v.get_ref() {
        Value::Number(n) => format!("{n}"),
        Value::Text(t) | Value::SourceTc(t) => t.clone(),
    };
    time::parse_rate(&fps_text).unwrap_or_else(|m| {
        errs.push(src.at(&v.span(), m.to_string()).key("fps"));
        Ratio::from_integer(30)
    })
}

/// `background`: the colour around a contained picture, black if absent.
fn background(src: &SourceText, v: &Option<Spanned<String>>, errs: &mut Diagnostics) -> [u8; 3] {
    match v {
        None => [0, 0, 0],
        Some(s) => parse_colour(s.get_ref()).unwrap_or_else(|| {
            errs.push(
                src.at(
                    &s.span(),
                    format!(
                        "invalid background colour \"{}\" (expected \"#rrggbb\" or \"transparent\")",
                        s.get_ref()
                    ),
                )
                .key("background"),
            );
            [0, 0, 0]
        }),
    }
}

/// `path`, whose extension must name a container reel writes; else the
/// default beside the EDL. Resolved against the EDL.
fn output_path(src: &SourceText, v: Option<Spanned<String>>, errs: &mut Diagnostics) -> PathBuf {
    if let Some(p) = &v {
        let path = Path::new(p.get_ref());
        if container::muxer_for(path).is_none() && crate::pictures::kind(path).is_none() {
            errs.push(
                src.at(
                    &p.span(),
                    format!(
                        "unsupported output extension in \"{}\" (expected {}; or {})",
                        p.get_ref(),
                        container::accepted(),
                        crate::pictures::accepted()
                    ),
                )
                .key("path"),
            );
        }
    }
    let path = v
        .map(|p| p.into_inner())
        .unwrap_or_else(|| default_output(src.file).to_string_lossy().into_owned());
    syntax::resolve(src.file, &path)
}

/// `[output.video]`. Encoder names are checked against FFmpeg later (see
/// [`Output::spans`]: `video.codec`, `video.preset`, `video.pix_fmt`...);
/// without a `pix_fmt`, the encoder's profile picks one.
fn video_settings(
    src: &SourceText,
    v: RawVideo,
    default_codec: Option<&str>,
    spans: &mut Spans,
    errs: &mut Diagnostics,
) -> VideoSettings {
    let mut video = VideoSettings::default();
    if let Some(c) = default_codec {
        video.codec = c.into();
    }
    spans.add(src, "video.codec", &v.codec);
    spans.add(src, "video.preset", &v.preset);
    spans.add(src, "video.pix_fmt", &v.pix_fmt);
    spans.add(src, "video.crf", &v.crf);
    spans.add(src, "video.profile", &v.profile);
    spans.add(src, "video.bitrate", &v.bitrate);
    spans.add(src, "video.maxrate", &v.maxrate);
    spans.add(src, "video.bufsize", &v.bufsize);
    spans.add(src, "video.tag", &v.tag);
    spans.add(src, "video.options", &v.options);
    if let Some(c) = v.codec {
        video.codec = c.into_inner();
    }
    video.preset = v.preset.map(Spanned::into_inner);
    video.profile = v.profile.map(Spanned::into_inner);
    video.pix_fmt = match v.pix_fmt {
        Some(p) => p.into_inner(),
        None => crate::video_codec::default_pix_fmt(&video.codec, video.profile.as_deref()).into(),
    };
    if let Some(crf) = v.crf {
        match u32::try_from(*crf.get_ref()) {
            Ok(c) if c <= 63 => video.crf = Some(c),
            _ => errs.push(
                src.at(
                    &crf.span(),
                    format!("invalid crf {} (expected 0 to 63)", crf.get_ref()),
                )
                .key("crf"),
            ),
        }
    }
    video.bitrate = video_bits(src, &v.bitrate, "bitrate", errs);
    video.maxrate = video_bits(src, &v.maxrate, "maxrate", errs);
    video.bufsize = video_bits(src, &v.bufsize, "bufsize", errs);
    if let (Some(b), Some(c)) = (&v.bitrate, video.crf) {
        errs.push(
            src.at(
                &b.span(),
                format!(
                    "bitrate and crf {c} both set: give one (a bit rate or a constant quality)"
                ),
            )
            .key("bitrate"),
        );
    }
    if video.bitrate.is_none() {
        for (name, given) in [("maxrate", &v.maxrate), ("bufsize", &v.bufsize)] {
            if let Some(g) = given {
                errs.push(
                    src.at(&g.span(), format!("{name} needs a bitrate"))
                        .key(name),
                );
            }
        }
    }
    video.gop = v
        .gop
        .as_ref()
        .and_then(|g| super::keys::whole(src, g, "gop", 1..=100_000, errs));
    if let Some(t) = v.tag {
        let tag = t.get_ref();
        if tag.len() == 4 && tag.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
            video.tag = Some(tag.clone());
        } else {
            errs.push(
                src.at(
                    &t.span(),
                    format!("invalid tag \"{tag}\" (expected four characters, e.g. \"hvc1\")"),
                )
                .key("tag"),
            );
        }
    }
    if let Some(o) = v.options {
        video.options = o.into_inner().into_iter().map(|(k, v)| (k, v.0)).collect();
    }
    video
}

/// A video bit rate: bits per second (`36M`, `8000k` or a number).
fn video_bits(
    src: &SourceText,
    v: &Option<Spanned<Value>>,
    name: &str,
    errs: &mut Diagnostics,
) -> Option<u64> {
    let v = v.as_ref()?;
    let bits = syntax::parse_bits(v.get_ref(), 10_000.0..=10_000_000_000.0);
    if bits.is_none() {
        errs.push(
            src.at(
                &v.span(),
                format!(
                    "invalid {name} (expected bits per second, e.g. \"36M\", \"8000k\" or 8000000)"
                ),
            )
            .key(name),
        );
    }
    bits
}

/// `[output.audio]` and its loudness target.
fn audio_settings(
    src: &SourceText,
    a: RawAudio,
    spans: &mut Spans,
    errs: &mut Diagnostics,
) -> AudioSettings {
    let mut audio = AudioSettings::default();
    spans.add(src, "audio.codec", &a.codec);
    if let Some(c) = a.codec {
        audio.codec = c.into_inner();
    }
    if let Some(b) = a.bitrate {
        match parse_bitrate(b.get_ref()) {
            Some(v) => audio.bitrate = v,
            None => errs.push(
                src.at(
                    &b.span(),
                    "invalid bitrate (expected bits per second, e.g. 192000 or \"192k\")",
                )
                .key("bitrate"),
            ),
        }
    }
    spans.add(src, "audio.quality", &a.quality);
    if let Some(q) = a.quality {
        match *q.get_ref() {
            v if v.is_finite() && (0.0..=100.0).contains(&v) => audio.quality = Some(v),
            v => errs.push(
                src.at(
                    &q.span(),
                    format!("invalid quality {v} (expected 0 to 100)"),
                )
                .key("quality"),
            ),
        }
    }
    spans.add(src, "audio.options", &a.options);
    if let Some(o) = a.options {
        audio.options = o.into_inner().into_iter().map(|(k, v)| (k, v.0)).collect();
    }
    spans.add(src, "audio.sample_rate", &a.sample_rate);
    spans.add(src, "audio.channels", &a.channels);
    if let Some(r) = a
        .sample_rate
        .as_ref()
        .and_then(|r| super::keys::whole(src, r, "sample_rate", 8000..=192_000, errs))
    {
        audio.sample_rate = r;
    }
    if let Some(c) = a
        .channels
        .as_ref()
        .and_then(|c| super::keys::whole(src, c, "channels", 1..=8, errs))
    {
        audio.channels = c;
    }
    if let Some(l) = a.loudness {
        audio.loudness = Some(loudness(src, l, errs));
    }
    if let Some(l) = a.layout {
        audio.layout = kind_layout(src, l.get_ref(), audio.channels, errs);
    }
    audio
}

/// `[output.audio] layout`: each kind's channels, within the output's.
fn kind_layout(
    src: &SourceText,
    l: &crate::edl::raw::RawKindLayout,
    channels: u32,
    errs: &mut Diagnostics,
) -> crate::edl::channels::KindLayout {
    let mut set = |v: &Option<toml::Spanned<String>>| {
        let v = v.as_ref()?;
        crate::edl::channels::parse(v.get_ref(), channels)
            .map_err(|m| errs.push(src.at(&v.span(), format!("`layout`: {m}")).key("layout")))
            .ok()
    };
    crate::edl::channels::KindLayout {
        voiceover: set(&l.voiceover),
        clips: set(&l.clips),
        music: set(&l.music),
    }
}

/// Default output path when the EDL gives none: `<edl stem>.mp4` beside it.
fn default_output(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "montage".into());
    PathBuf::from(format!("{stem}.mp4"))
}

/// `[output.audio.loudness]`: the mix's loudness target.
fn loudness(src: &SourceText, l: RawLoudness, errs: &mut Diagnostics) -> Loudness {
    Loudness {
        integrated_lufs: number(
            src,
            &l.integrated_lufs,
            "integrated_lufs",
            -16.0,
            -50.0..=-5.0,
            errs,
        ),
        true_peak_db: number(
            src,
            &l.true_peak_db,
            "true_peak_db",
            -1.0,
            -20.0..=0.0,
            errs,
        ),
    }
}
