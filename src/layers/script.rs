//! The ASS script libass draws a segment's texts from: one centisecond of
//! script time per frame, counted from the segment's first frame.

use super::model::{Draw, Layer, TextDraw};
use crate::colour::{encode_rgb, OutputColour};
use crate::time::{self, Ratio};
use std::fmt::Write as _;
use std::ops::Range;

/// The ASS script that draws `layers` (texts) over timeline frames
/// `frames`: script time is one centisecond per frame from `frames.start`.
/// Colours are given in the output's colour (`#rrggbb` is sRGB/BT.709,
/// placed at reference white in an HDR output).
pub fn script(
    layers: &[&Layer],
    frames: &Range<u64>,
    (width, height): (u32, u32),
    colour: &OutputColour,
) -> String {
    let mut s = format!(
        "[Script Info]\nScriptType: v4.00+\nPlayResX: {width}\nPlayResY: {height}\n\
         ScaledBorderAndShadow: yes\nWrapStyle: 2\nYCbCr Matrix: None\n\n\
         [V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, \
         OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, \
         Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, \
         Encoding\n\
         Style: Text,Noto Sans,40,&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,0,0,1,0,0,0,1\n\
         Style: Boxed,Noto Sans,40,&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,4,0,0,1,0,0,0,1\n\n\
         [Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
    );
    for (z, layer) in layers.iter().enumerate() {
        let Draw::Text(d) = &layer.draw else { continue };
        let a = layer.frames.start.max(frames.start);
        let b = layer.frames.end.min(frames.end);
        let mut k = a;
        while k < b {
            // Fade frames are one event each; the steady middle is one event.
            let steady_end = (layer.frames.end - layer.fade_out).min(b);
            let in_fade = k < layer.frames.start + layer.fade_in || k >= steady_end;
            let next = if in_fade { k + 1 } else { steady_end };
            let span = (k - frames.start, next - frames.start);
            event(&mut s, z, d, layer.weight(k), span, (height as f64, colour));
            k = next;
        }
    }
    s
}

/// One `Dialogue` line drawn at weight `w` over script frames `a..b`, in a
/// script `h` pixels high, in the output's `colour`.
fn event(
    s: &mut String,
    z: usize,
    d: &TextDraw,
    w: Ratio,
    (a, b): (u64, u64),
    (h, colour): (f64, &OutputColour),
) {
    let st = &d.style;
    let w = time::secs_f64(w);
    let alpha = |opacity: f64| ((1.0 - opacity * w) * 255.0).round().clamp(0.0, 255.0) as u8;
    let bgr = |c: [u8; 3]| {
        let c = encode_rgb(c, colour);
        format!("{:02X}{:02X}{:02X}", c[2], c[1], c[0])
    };
    let px = |fraction: f64| format!("{:.2}", fraction * h);
    let (dx, dy) = (
        ((1.0 - w) * d.slide.0 as f64).round() as i64,
        ((1.0 - w) * d.slide.1 as f64).round() as i64,
    );
    let an = match (st.align.vertical(), st.align.horizontal()) {
        (1, -1) => 1,
        (1, 0) => 2,
        (1, _) => 3,
        (0, -1) => 4,
        (0, 0) => 5,
        (0, _) => 6,
        (_, -1) => 7,
        (_, 0) => 8,
        _ => 9,
    };
    let mut tags = format!(
        "\\an{an}\\pos({},{})\\b{}\\1c&H{}&\\1a&H{:02X}&",
        d.x + dx,
        d.y + dy,
        u8::from(st.bold),
        bgr(st.color),
        alpha(st.opacity)
    );
    let style = match st.backing {
        Some(b) => {
            let _ = write!(
                tags,
                "\\bord{}\\shad0\\3a&HFF&\\4c&H{}&\\4a&H{:02X}&",
                px(b.padding),
                bgr(b.color),
                alpha(b.opacity * st.opacity)
            );
            "Boxed"
        }
        None => {
            let _ = write!(
                tags,
                "\\bord{}\\shad{}\\3c&H{}&\\3a&H{:02X}&\\4c&H000000&\\4a&H{:02X}&",
                px(st.outline),
                px(st.shadow),
                bgr(st.outline_color),
                alpha(st.opacity),
                alpha(st.opacity * 0.6),
            );
            "Text"
        }
    };
    let _ = write!(
        s,
        "Dialogue: {z},{},{},{style},,0,0,0,,{{{tags}}}",
        cs(a),
        cs(b)
    );
    for (i, line) in d.lines.iter().enumerate() {
        if i > 0 {
            s.push_str("\\N");
        }
        for (family, text) in line {
            let _ = write!(s, "{{\\fn{family}\\fs{}}}{}", px(st.size), escape(text));
        }
    }
    s.push('\n');
}

/// Script time of frame `n`: one centisecond per frame.
fn cs(n: u64) -> String {
    format!(
        "{}:{:02}:{:02}.{:02}",
        n / 360_000,
        n / 6000 % 60,
        n / 100 % 60,
        n % 100
    )
}

/// Text as ASS shows it literally: braces escaped, a backslash kept from
/// starting an escape.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' => out.push_str("\\{"),
            '}' => out.push_str("\\}"),
            '\\' => {
                out.push('\\');
                if matches!(chars.peek(), Some('n' | 'N' | 'h' | '{' | '}')) {
                    out.push('\u{2060}');
                }
            }
            c => out.push(c),
        }
    }
    out
}
