//! Property tests: the planner's invariants for any valid EDL, and the EDL,
//! timecode and span parsers never panicking on any input (mutations of
//! the EDLs in `tests/corpus/` and of the demo, and arbitrary text).
//!
//! `PROPTEST_CASES=200000 cargo test --release --test it properties::` runs
//! a longer search.

use crate::common::edl;
use proptest::prelude::*;
use reel::edl::Edl;
use reel::error::{Diagnostic, Diagnostics, Span};
use reel::fonts::FontSet;
use reel::plan::{plan, Compose, Graphics};
use reel::probe::{Probe, ProbeError};
use reel::time::Ratio;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// `PROPTEST_CASES` if set, else `default`.
fn cases(default: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig::with_cases(n)
}

const RATES: [(i64, i64); 5] = [(24000, 1001), (25, 1), (30000, 1001), (30, 1), (60, 1)];

fn probe(name: &str, secs: i64, rate: (i64, i64), audio: bool) -> Result<Probe, ProbeError> {
    let p = Probe::builder(name, secs)
        .fps(Ratio::new(rate.0, rate.1))
        .size(1920, 1080)
        .keyframes((0..secs).map(Ratio::from_integer).collect());
    Ok(if audio { p.audio(48000, 2) } else { p }.build())
}

/// The graphics of an EDL that reads no files for them: the shipped fonts.
fn graphics() -> &'static Graphics {
    static SHIPPED: OnceLock<Graphics> = OnceLock::new();
    SHIPPED.get_or_init(|| Graphics {
        fonts: Arc::new(FontSet::load(None).unwrap()),
        ..Graphics::default()
    })
}

/// One clip: source length (s), source rate, in (ms), length (ms), whether
/// it has audio, crossfade into the next (ms, 0 = cut).
type ClipSpec = (i64, usize, u32, u32, bool, u32);

fn clip_spec() -> impl Strategy<Value = ClipSpec> {
    (
        5i64..40,
        0usize..RATES.len(),
        0u32..4000,
        300u32..5000,
        any::<bool>(),
        prop_oneof![Just(0u32), 40u32..1000],
    )
}

proptest! {
    #![proptest_config(cases(300))]

    #[test]
    fn plans_tile_the_timeline_exactly(
        clips in prop::collection::vec(clip_spec(), 1..14),
        out_rate in 0usize..RATES.len(),
    ) {
        let (num, den) = RATES[out_rate];
        let mut text = edl!(r#"
            [output]
            width = 640
            height = 360
            fps = "{num}/{den}"
            "#
        );
        let mut probes = Vec::new();
        for (i, &(secs, rate, inn, len, audio, xfade)) in clips.iter().enumerate() {
            // A crossfade lasts at most a third of either clip it joins.
            let next_len = clips.get(i + 1).map_or(0, |c| c.3);
            let xfade = if i + 1 < clips.len() { xfade.min(len / 3).min(next_len / 3) } else { 0 };
            text.push_str(&edl!(r#"
                [[clip]]
                source = "s{i}"
                in = {}
                duration = {}
                "#,
                f64::from(inn) / 1000.0,
                f64::from(len) / 1000.0
            ));
            if xfade >= 40 {
                text.push_str(&format!(
                    "transition = {{ kind = \"crossfade\", duration = {} }}\n",
                    f64::from(xfade) / 1000.0
                ));
            }
            let secs = secs.max(i64::from(inn + len) / 1000 + 1);
            probes.push(probe(&format!("s{i}"), secs, RATES[rate], audio));
        }
        let edl = Edl::parse(Path::new("t.toml"), &text).unwrap();
        let p = match plan(&edl, &probes, &[], &[], graphics()) {
            Ok(p) => p,
            // A crossfade rounded to more frames than a short clip has is
            // a documented error, not a bug.
            Err(e) => {
                prop_assert!(e.to_string().contains("transition"), "{e}\n{text}");
                return Ok(());
            }
        };

        // Frame totals: clip frames minus the overlaps.
        let total: u64 = p.clips.iter().map(|c| c.frames()).sum::<u64>()
            - p.clips.iter().map(|c| c.fade_out).sum::<u64>();
        prop_assert_eq!(p.frames, total);
        prop_assert_eq!(p.range.clone(), 0..p.frames);

        // Clips follow each other, overlapping by their transition only, and
        // every transition lies within both clips.
        prop_assert_eq!(p.clips[0].timeline.start, 0);
        prop_assert_eq!(p.clips.last().unwrap().timeline.end, p.frames);
        for w in p.clips.windows(2) {
            prop_assert_eq!(w[0].fade_out, w[1].fade_in);
            prop_assert_eq!(w[1].timeline.start, w[0].timeline.end - w[0].fade_out);
        }
        for c in &p.clips {
            prop_assert!(c.frames() >= 1);
            prop_assert!(c.fade_in + c.fade_out <= c.frames(), "transitions overlap in clip {}", c.number);
        }

        // Segments tile the timeline: no gap, no overlap, none empty.
        let mut at = 0;
        for (i, s) in p.segments.iter().enumerate() {
            prop_assert_eq!(s.index, i);
            prop_assert_eq!(s.frames.start, at);
            prop_assert!(s.frames.end > s.frames.start);
            at = s.frames.end;
        }
        prop_assert_eq!(at, p.frames);

        // Every frame shows frames of clips that are on screen then.
        for k in 0..p.frames {
            match p.compose(k) {
                Compose::One { clip, local } => {
                    let c = &p.clips[clip];
                    prop_assert!(c.timeline.contains(&k));
                    prop_assert_eq!(local, k - c.timeline.start);
                }
                Compose::Blend { from, from_local, to, to_local, step, steps } => {
                    prop_assert_eq!(to, from + 1);
                    prop_assert!(p.clips[from].timeline.contains(&k));
                    prop_assert!(p.clips[to].timeline.contains(&k));
                    prop_assert!(from_local < p.clips[from].frames());
                    prop_assert!(to_local < p.clips[to].fade_in);
                    prop_assert!(step >= 1 && step <= steps);
                }
            }
        }

        // Audio: S(frames) samples, regions inside the timeline.
        let s = |k: u64| (k as u128 * 48000 * den as u128 * 2 + num as u128) / (2 * num as u128);
        prop_assert_eq!(u128::from(p.audio.samples), s(p.frames));
        for r in &p.audio.clips {
            prop_assert!(r.timeline.end <= p.audio.samples);
        }
    }
}

/// One retimed clip: source rate, in (ms), timeline length (ms), speed
/// (hundredths), reverse, freeze (share of the clip in percent, ms; 0 ms =
/// none), crossfade into the next (ms, 0 = cut).
type TimedSpec = (usize, u32, u32, u32, bool, (u32, u32), u32);

fn timed_spec() -> impl Strategy<Value = TimedSpec> {
    (
        0usize..RATES.len(),
        0u32..3000,
        200u32..3000,
        prop_oneof![10u32..100, 100u32..400, 400u32..1601],
        any::<bool>(),
        (0u32..100, prop_oneof![Just(0u32), 1u32..2000]),
        prop_oneof![Just(0u32), 40u32..400],
    )
}

proptest! {
    #![proptest_config(cases(300))]

    #[test]
    fn retimed_clips_stay_exact_and_inside_their_sources(
        clips in prop::collection::vec(timed_spec(), 1..8),
        out_rate in 0usize..RATES.len(),
    ) {
        let (num, den) = RATES[out_rate];
        let fps = Ratio::new(num, den);
        let mut text = edl!(r#"
            [output]
            width = 640
            height = 360
            fps = "{num}/{den}"
            "#);
        let mut probes = Vec::new();
        for (i, &(rate, inn, len, speed, reverse, (at, hold), xfade)) in clips.iter().enumerate() {
            let next_len = clips.get(i + 1).map_or(0, |c| c.2);
            let xfade = if i + 1 < clips.len() { xfade.min(len / 3).min(next_len / 3) } else { 0 };
            text.push_str(&edl!(r#"
                [[clip]]
                source = "s{i}"
                in = {}
                duration = {}
                speed = {}
                reverse = {reverse}
                "#,
                f64::from(inn) / 1000.0,
                f64::from(len) / 1000.0,
                f64::from(speed) / 100.0,
            ));
            if hold > 0 {
                text.push_str(&format!(
                    "freeze = {{ at = {}, duration = {} }}\n",
                    f64::from(len * at / 100) / 1000.0,
                    f64::from(hold) / 1000.0
                ));
            }
            if xfade >= 40 {
                text.push_str(&format!(
                    "transition = {{ kind = \"wipeleft\", duration = {} }}\n",
                    f64::from(xfade) / 1000.0
                ));
            }
            let need = i64::from(inn) + i64::from(len) * i64::from(speed) / 100;
            probes.push(probe(&format!("s{i}"), need / 1000 + 2, RATES[rate], true));
        }
        let edl = Edl::parse(Path::new("t.toml"), &text).unwrap();
        let p = match plan(&edl, &probes, &[], &[], graphics()) {
            Ok(p) => p,
            // Transitions longer than a short clip, a hold shorter than a
            // frame and a freeze past a clip's last frame are refused.
            Err(e) => {
                let e = e.to_string();
                prop_assert!(e.contains("transition") || e.contains("freeze"), "{e}\n{text}");
                return Ok(());
            }
        };
        let total: u64 = p.clips.iter().map(|c| c.frames()).sum::<u64>()
            - p.clips.iter().map(|c| c.fade_out).sum::<u64>();
        prop_assert_eq!(p.frames, total);
        for (c, spec) in p.clips.iter().zip(&clips) {
            let held = c.freeze.map_or(0, |h| h.frames);
            prop_assert_eq!(c.frames(), c.played + held);
            // `duration` is timeline time whatever the speed.
            let played = (Ratio::new(i64::from(spec.2), 1000) * fps).round().to_integer() as u64;
            prop_assert_eq!(c.played, played);
            let mut last = None;
            for k in 0..c.frames() {
                let m = c.played_frame(k);
                prop_assert!(m < c.played);
                let t = c.start + c.nominal_source_time(m, fps);
                prop_assert!(t >= c.start && t < c.end, "clip {} frame {k}: {t} outside {}..{}", c.number, c.start, c.end);
                if let (Some(prev), false) = (last, c.freeze.is_some_and(|h| k > h.at && k <= h.at + h.frames)) {
                    // Outside a hold, frames go one way at one step.
                    let step = if c.reverse { prev as i64 - m as i64 } else { m as i64 - prev as i64 };
                    prop_assert_eq!(step, 1, "clip {} frame {}", c.number, k);
                } else if let Some(prev) = last {
                    prop_assert_eq!(prev, m, "a hold repeats its frame");
                }
                last = Some(m);
            }
        }
        // Audio: S(frames) samples; each clip's region is its picture's
        // length, and reads the source span its pictures come from.
        let s = |k: u64| (k as u128 * 48000 * den as u128 * 2 + num as u128) / (2 * num as u128);
        prop_assert_eq!(u128::from(p.audio.samples), s(p.frames));
        for (r, c) in p.audio.clips.iter().zip(&p.clips) {
            prop_assert_eq!(u128::from(r.timeline.start), s(c.timeline.start));
            prop_assert_eq!(u128::from(r.timeline.end), s(c.timeline.end));
            let read = Ratio::new(r.source_len as i64, 48000);
            // Half a frame of rounding, plus the rounding of the sample
            // boundaries (around a hold too), each stretched by the speed.
            let slack = Ratio::new(1, 2) / fps * c.speed
                + Ratio::new(4, 48000) * c.speed.max(Ratio::from_integer(1));
            let diff = read - (c.end - c.start);
            prop_assert!(diff <= slack && -diff <= slack, "clip {}: reads {read}, span {}", c.number, c.end - c.start);
        }
    }
}

/// The EDLs mutations start from.
fn corpus() -> Vec<String> {
    let mut out = vec![std::fs::read_to_string("edl/demo.toml").unwrap()];
    for e in std::fs::read_dir("tests/corpus").unwrap() {
        out.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
    }
    out
}

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    Replace(usize, char),
    Duplicate(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let text = prop_oneof![
        "[\\[\\]=\"{},.:#\\n -]{1,4}",
        "(in|out|duration|transition|kind|crossfade|fps|width|at|volume|loop|until|depth_db|integrated_lufs|profile|-1|0|1e9|NaN|inf|\"00:00:01:99\"|\"1:2:3:4:5\"|99999999999999999999)",
        any::<String>(),
    ];
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(a, n)| Edit::Delete(a, n)),
        (any::<usize>(), text).prop_map(|(a, t)| Edit::Insert(a, t)),
        (any::<usize>(), any::<char>()).prop_map(|(a, c)| Edit::Replace(a, c)),
        (any::<usize>(), 1usize..200).prop_map(|(a, n)| Edit::Duplicate(a, n)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        let at = |a: usize, len: usize| if len == 0 { 0 } else { a % (len + 1) };
        match e {
            Edit::Delete(a, n) => {
                let s = at(*a, chars.len());
                let end = (s + n).min(chars.len());
                chars.drain(s..end);
            }
            Edit::Insert(a, t) => {
                let s = at(*a, chars.len());
                chars.splice(s..s, t.chars());
            }
            Edit::Replace(a, c) => {
                if !chars.is_empty() {
                    let s = a % chars.len();
                    chars[s] = *c;
                }
            }
            Edit::Duplicate(a, n) => {
                let s = at(*a, chars.len());
                let end = (s + n).min(chars.len());
                let piece: Vec<char> = chars[s..end].to_vec();
                chars.splice(end..end, piece);
            }
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(cases(2000))]

    #[test]
    fn edl_parsing_never_panics(
        pick in any::<usize>(),
        edits in prop::collection::vec(edit(), 1..8),
        profile in prop_oneof![Just(None), Just(Some("proxy")), Just(Some("review"))],
    ) {
        let corpus = corpus();
        let text = apply(&corpus[pick % corpus.len()], &edits);
        // Every problem found renders with its snippet.
        let shown = |d: Diagnostics| d.render(false, |_| Some(text.clone()));
        if let Err(d) = Edl::parse(Path::new("t.toml"), &text) {
            prop_assert!(shown(d).starts_with("error: t.toml"));
        }
        if let Err(d) = Edl::parse_profile(Path::new("t.toml"), &text, profile) {
            prop_assert!(shown(d).starts_with("error: "));
        }
        // Plans from any EDL that parses, against made-up probes.
        if let Ok(edl) = Edl::parse(Path::new("t.toml"), &text) {
            let clips: Vec<_> = edl.clips.iter().map(|_| probe("s", 20, (25, 1), true)).collect();
            let voices: Vec<_> = edl.voiceovers.iter().map(|_| probe("v", 60, (25, 1), true)).collect();
            let music: Vec<_> = edl.music.iter().map(|_| probe("m", 30, (25, 1), true)).collect();
            if let Err(d) = plan(&edl, &clips, &voices, &music, graphics()) {
                prop_assert!(shown(d.into()).starts_with("error: t.toml"));
            }
        }
    }

    #[test]
    fn diagnostics_render_for_any_text_and_place(
        text in any::<String>(),
        start in 0usize..400,
        len in 0usize..40,
        table in prop::option::of(0usize..400),
    ) {
        let mut d = Diagnostic::new(Path::new("t.toml"), "m")
            .at(1, 1)
            .span(Span { start, end: start + len })
            .key("k");
        if let Some(t) = table {
            d = d.table(Span { start: t, end: t + 8 });
        }
        let shown = d.render(Some(&text), false);
        prop_assert!(shown.starts_with("error: t.toml:1:1: m"));
    }

    #[test]
    fn time_parsers_never_panic(text in any::<String>(), digits in "[0-9:.;,+-eE ]{0,24}") {
        for t in [&text, &digits] {
            let _ = reel::time::parse_timecode(t);
            let _ = reel::time::parse_rate(t);
            let _ = reel::time::parse_span(t);
        }
    }

    #[test]
    fn seconds_parse_exactly(ms in 0u64..100_000_000) {
        let text = format!("{}.{:03}", ms / 1000, ms % 1000);
        match reel::time::parse_timecode(&text) {
            Ok(reel::time::TimeSpec::Seconds(r)) => {
                prop_assert_eq!(r, Ratio::new(ms as i64, 1000));
            }
            other => prop_assert!(false, "{text}: {other:?}"),
        }
    }
}
