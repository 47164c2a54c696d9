//! What the cache keys of a render cover: everything the bytes of an
//! encoded segment or of the encoded audio depend on. Computed from the
//! plan (no FFmpeg calls). A segment's key covers what each of its frames
//! shows, relative to the segment's start, so a segment that moves on the
//! timeline is still found.

use crate::cache::Fingerprints;
use crate::digest;
use crate::edl::{AudioSettings, Output};
use crate::layers::Draw;
use crate::plan::{AudioPlan, AudioRegion, Compose, Plan, Segment};
use std::fmt::Write as _;

/// The video encoding settings a segment's bytes depend on.
fn video_settings(out: &Output) -> String {
    format!(
        "{}x{} fps {} fit {:?} background {:?}{} video {:?} colour {:?} draft {} threads {}",
        out.width,
        out.height,
        out.fps,
        out.fit,
        out.background,
        if out.transparent { " transparent" } else { "" },
        out.video,
        out.color,
        out.draft,
        super::encode::ENCODER_THREADS,
    )
}

/// The key of a segment's encoded bytes. `sources` gives the fingerprint of
/// the file each clip is decoded from (the source, or its proxy media).
pub fn segment_key(
    plan: &Plan,
    seg: &Segment,
    sources: &[&str],
    images: &Fingerprints,
    version: &str,
) -> String {
    let mut d = format!(
        "segment\n{version}\n{}\nframes {}\n",
        video_settings(&plan.output),
        seg.frames.end - seg.frames.start
    );
    // Each clip's source start (frames are read relative to it); where it
    // ends shows in the frames listed below.
    let range = plan.clips_in(seg);
    for i in range.clone() {
        let c = &plan.clips[i];
        let _ = writeln!(
            d,
            "clip {} {} card {:?} eq {:?} colour {:?} lut {} stream {} start {} container {} geometry {:?} sar {} size {}x{} \
             speed {} reverse {} played {} freeze {:?} motion {:?}",
            i - range.start,
            sources[i],
            c.source.card(),
            c.eq,
            c.conversion,
            c.lut
                .as_ref()
                .map_or("none", |l| images.get(l).map_or("?", String::as_str)),
            c.video.stream,
            c.start,
            c.container_start,
            c.geometry,
            c.video.sar,
            c.video.width,
            c.video.height,
            c.speed,
            c.reverse,
            // Which picture a frame shows depends on the clip's length only
            // when it plays backwards or moves.
            if c.reverse || c.motion.is_some() {
                format!("{} {}", c.played, c.frames())
            } else {
                "-".to_string()
            },
            c.freeze,
            c.motion,
        );
    }
    for k in seg.frames.clone() {
        let fade = plan.fade(k);
        let _ = match plan.compose(k) {
            Compose::One { clip, local } => {
                writeln!(d, "{} {local} {fade:?}", clip - range.start)
            }
            Compose::Blend {
                from,
                from_local,
                to,
                to_local,
                step,
                steps,
            } => writeln!(
                d,
                "{} {from_local} {} {to_local} {step}/{steps} {:?} {fade:?}",
                from - range.start,
                to - range.start,
                plan.clips[from].transition
            ),
        };
    }
    graphics(&mut d, plan, seg, images);
    digest::key(&d)
}

/// What the layers drawn in a segment add to its key: each text pass's
/// script (times count from the segment's start), each image's content,
/// place and weights, and the fonts and libass that draw the text.
fn graphics(d: &mut String, plan: &Plan, seg: &Segment, images: &Fingerprints) {
    let layers = &plan.layers;
    let range = plan.clips_in(seg);
    let (w, h) = (plan.output.width, plan.output.height);
    let mut text = false;
    for owner in std::iter::once(None).chain(range.clone().map(Some)) {
        let who = owner.map_or("over".to_string(), |c| format!("clip {}", c - range.start));
        for (i, pass) in layers.passes(owner, &seg.frames).iter().enumerate() {
            match &pass[0].draw {
                Draw::Text(_) => {
                    text = true;
                    let script =
                        crate::layers::script(pass, &seg.frames, (w, h), &plan.output.color);
                    let _ = writeln!(d, "{who} pass {i} text {}", digest::key(&script));
                }
                Draw::Image(img) => {
                    let l = pass[0];
                    let weights: Vec<(u64, String)> = seg
                        .frames
                        .clone()
                        .filter(|k| l.frames.contains(k))
                        .map(|k| (k - seg.frames.start, l.weight(k).to_string()))
                        .collect();
                    let _ = writeln!(
                        d,
                        "{who} pass {i} image {} {}x{} at {},{} opacity {} weights {weights:?}",
                        images.get(&img.source).map_or("?", String::as_str),
                        img.width,
                        img.height,
                        img.x,
                        img.y,
                        img.opacity
                    );
                }
            }
        }
    }
    if text {
        let _ = writeln!(
            d,
            "fonts {} libass {:?}",
            layers.fonts_print,
            crate::ffmpeg::libass_version()
        );
    }
}

fn region(d: &mut String, r: &AudioRegion, prints: &Fingerprints) {
    let source = prints.get(&r.source).map_or("?", String::as_str);
    let _ = writeln!(d, "{}", r.describe(source));
}

/// The key of the encoded audio of `samples` of the mix.
pub fn audio_key(
    plan: &AudioPlan,
    settings: &AudioSettings,
    samples: &std::ops::Range<u64>,
    prints: &Fingerprints,
    version: &str,
) -> String {
    let mut d = format!(
        "audio\n{version}\n{settings:?}\nrate {} channels {} samples {} span {samples:?}\n\
         ducking {:?}\nloudness {:?}\nfades {} {}\n",
        plan.sample_rate,
        plan.channels,
        plan.samples,
        plan.ducking,
        plan.loudness,
        plan.fade_in,
        plan.fade_out
    );
    for (name, regions) in [
        ("voiceovers", &plan.voiceovers),
        ("clips", &plan.clips),
        ("music", &plan.music),
    ] {
        let _ = writeln!(d, "{name}");
        for r in regions {
            region(&mut d, r, prints);
        }
    }
    digest::key(&d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::version;

    fn keys(p: &Plan, prints: [&str; 2], version: &str) -> Vec<String> {
        p.segments
            .iter()
            .map(|s| segment_key(p, s, &prints, &Default::default(), version))
            .collect()
    }

    #[test]
    fn segment_keys_change_with_what_the_segment_shows_only() {
        use crate::plan::testing::{edl, graphics, probe};
        let body = |out_a: &str, crf: &str| {
            format!(
                "[output.video]\ncrf = {crf}\n\
                 [[clip]]\nsource = \"a\"\nin = 0\nout = {out_a}\n\
                 [[clip]]\nsource = \"b\"\nin = 1\nout = 9\n"
            )
        };
        let probes = [probe("a", 20, 30, false), probe("b", 20, 30, false)];
        let make =
            |text: String| crate::plan::plan(&edl(&text), &probes, &[], &[], &graphics()).unwrap();
        let base = make(body("8", "20"));
        assert_eq!(base.segments.len(), 2, "one segment per 8 s clip");
        let v = version();
        let k = keys(&base, ["A", "B"], &v);
        assert_ne!(k[0], k[1]);
        assert_eq!(k, keys(&base, ["A", "B"], &v), "keys are stable");
        // Another reel version: nothing is reused.
        let other = keys(&base, ["A", "B"], "reel 0.0.0 cache 0");
        assert!(k.iter().zip(&other).all(|(a, b)| a != b));
        // Another source content for clip 2: only its segment changes.
        let edited = keys(&base, ["A", "B2"], &v);
        assert_eq!((edited[0] == k[0], edited[1] == k[1]), (true, false));
        // Clip 1 shorter: clip 2 moves on the timeline but shows the same
        // frames, so its segment is found again.
        let shorter = keys(&make(body("7", "20")), ["A", "B"], &v);
        assert_eq!((shorter[0] == k[0], shorter[1] == k[1]), (false, true));
        // An encoder setting: everything changes.
        let crf = keys(&make(body("8", "23")), ["A", "B"], &v);
        assert!(k.iter().zip(&crf).all(|(a, b)| a != b));
    }
}
