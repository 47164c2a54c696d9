use super::*;
use crate::time::Ratio;
use std::path::Path;

fn ms(ms: i64) -> Ratio {
    Ratio::new(ms, 1000)
}

fn cue(start_ms: i64, end_ms: i64, text: &str, line: usize) -> Cue {
    Cue {
        start: ms(start_ms),
        end: ms(end_ms),
        text: text.to_string(),
        line,
    }
}

fn parse_err(text: &[u8], format: Format) -> ParseError {
    parse(text, format).expect_err("should not parse")
}

#[test]
fn format_from_extension() {
    assert_eq!(Format::from_path(Path::new("a/b.SRT")), Some(Format::Srt));
    assert_eq!(Format::from_path(Path::new("b.vtt")), Some(Format::Vtt));
    assert_eq!(Format::from_path(Path::new("b.txt")), None);
    assert_eq!(Format::from_path(Path::new("srt")), None);
}

#[test]
fn srt_with_crlf_bom_and_tags() {
    let text = "\u{feff}1\r\n00:00:01,000 --> 00:00:03,500\r\n<i>Hello</i> &amp; <font color=\"red\">welcome</font>  \r\n{\\an8}<b>there</b>\r\n\r\n\r\n\r\n7\r\n00:01:02.250 --> 01:00:00,001  \r\n  a &lt;3 b  \r\n\r\n";
    let cues = parse(text.as_bytes(), Format::Srt).unwrap();
    assert_eq!(
        cues,
        vec![
            cue(1000, 3500, "Hello & welcome\nthere", 2),
            cue(62_250, 3_600_001, "a <3 b", 9),
        ]
    );
}

#[test]
fn srt_without_index_or_final_newline() {
    let cues = parse(
        b"00:00:01,000 --> 00:00:02,000\nA\n\n123:00:00,000 --> 123:00:01,000\nB",
        Format::Srt,
    )
    .unwrap();
    assert_eq!(cues.len(), 2);
    assert_eq!(cues[1].start, Ratio::from_integer(123 * 3600));
    assert_eq!(cues[1].text, "B");
    assert_eq!(cues[1].line, 4);
}

#[test]
fn devanagari_survives() {
    let text = "1\n00:00:01,000 --> 00:00:02,000\nहिंदी क्षत्रिय\n";
    let cues = parse(text.as_bytes(), Format::Srt).unwrap();
    assert_eq!(cues[0].text, "हिंदी क्षत्रिय");
}

#[test]
fn vtt_with_header_note_identifiers_and_settings() {
    let text = "WEBVTT - a title\nKind: captions\nLanguage: en\n\nNOTE this is\na comment\n\nSTYLE\n::cue { color: red }\n\nintro\n00:01.000 --> 00:03.500 align:start line:90%\n<v Roger Bingham><c.loud>We</c> are <00:02.000>here &nbsp;\n<ruby>漢<rt>kan</rt></ruby> <lang en>x</lang>\n\n2\n01:00:00.000 --> 01:00:01.000\nsecond\n";
    let cues = parse(text.as_bytes(), Format::Vtt).unwrap();
    assert_eq!(
        cues,
        vec![
            cue(1000, 3500, "We are here\n漢kan x", 12),
            cue(3_600_000, 3_601_000, "second", 17),
        ]
    );
}

#[test]
fn vtt_signature_alone_and_tab() {
    assert!(parse(b"WEBVTT\n\n00:01.000 --> 00:02.000\nx", Format::Vtt).is_ok());
    assert!(parse(b"WEBVTT\tx\n\n00:01.000 --> 00:02.000\nx", Format::Vtt).is_ok());
    let e = parse_err(b"WEBVTTX\n\n00:01.000 --> 00:02.000\nx", Format::Vtt);
    assert_eq!(e.line, 1);
}

#[test]
fn invalid_utf8_on_line_5() {
    let mut bytes = b"1\n00:00:01,000 --> 00:00:02,000\nok\n\nab".to_vec();
    bytes.push(0xC3);
    bytes.extend_from_slice(b"(\n");
    let e = parse_err(&bytes, Format::Srt);
    assert_eq!(e.line, 5);
    assert_eq!(e.column, Some(3));
    assert!(
        e.message.contains("is not UTF-8 text (invalid byte 0xC3)"),
        "{e:?}"
    );
}

#[test]
fn utf16_is_named() {
    let e = parse_err(&[0xFF, 0xFE, b'1', 0], Format::Srt);
    assert!(e.message.contains("UTF-16"), "{e:?}");
}

#[test]
fn bad_timing_on_line_6() {
    let text = "1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:03,000 --> 00:00:04;000\nx\n";
    let e = parse_err(text.as_bytes(), Format::Srt);
    assert_eq!(e.line, 6);
    assert_eq!(e.column, Some(24));
    assert!(e.message.contains("00:00:04;000"), "{e:?}");

    let text = "1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:03,000 -> 00:00:04,000\n";
    let e = parse_err(text.as_bytes(), Format::Srt);
    assert_eq!(e.line, 6);
    assert!(e
        .message
        .starts_with("expected a timing line like 00:00:01,000 --> 00:00:03,500"));
}

#[test]
fn minutes_over_59_point_at_the_field() {
    let e = parse_err(b"00:00:01,000 --> 00:60:02,000\nx", Format::Srt);
    assert_eq!((e.line, e.column), (1, Some(21)));
    assert!(e.message.contains("minutes 60"), "{e:?}");
}

#[test]
fn text_where_an_index_belongs() {
    let e = parse_err(b"\n\nHello\n00:00:01,000 --> 00:00:02,000\nx", Format::Srt);
    assert_eq!(e.line, 3);
}

#[test]
fn missing_blank_line_between_cues() {
    let text = "00:00:01,000 --> 00:00:02,000\nx\n00:00:03,000 --> 00:00:04,000\ny\n";
    assert_eq!(parse_err(text.as_bytes(), Format::Srt).line, 3);
}

#[test]
fn end_before_start() {
    let text = "WEBVTT\n\n00:03.000 --> 00:02.000\nx\n";
    let e = parse_err(text.as_bytes(), Format::Vtt);
    assert_eq!((e.line, e.column), (3, Some(15)));
    assert_eq!(
        e.message,
        "cue ends (00:00:02.000) before it starts (00:00:03.000)"
    );
    assert_eq!(
        e.to_string(),
        "line 3, column 15: cue ends (00:00:02.000) before it starts (00:00:03.000)"
    );
    let e = parse_err(b"1\n00:00:03,000 --> 00:00:03,000\nx", Format::Srt);
    assert_eq!(e.line, 2);
}

#[test]
fn missing_webvtt() {
    let e = parse_err(b"\n00:01.000 --> 00:02.000\nx\n", Format::Vtt);
    assert_eq!(e.line, 1);
    assert!(e.message.contains("WEBVTT"));
}

#[test]
fn vtt_wants_a_dot() {
    let e = parse_err(b"WEBVTT\n\n00:01,000 --> 00:02.000\nx\n", Format::Vtt);
    assert_eq!((e.line, e.column), (3, Some(6)));
}

#[test]
fn no_cues() {
    for (text, format) in [
        (&b""[..], Format::Srt),
        (b"\r\n\n  \n", Format::Srt),
        (b"", Format::Vtt),
        (b"WEBVTT\n\nNOTE nothing here\n", Format::Vtt),
    ] {
        let e = parse_err(text, format);
        assert_eq!(e.message, "has no cues");
        assert_eq!(e.to_string(), "line 1: has no cues");
    }
}

#[test]
fn odd_input_does_not_panic() {
    for text in [
        "-->",
        "1\n-->\n",
        "99999999999999999999:00:00,000 --> 1:00:00,000",
        "9223372036854:00:00,000 --> 9223372036855:00:00,000",
        "WEBVTT\n\nid",
        "WEBVTT\n\nid\nx",
        "1",
        "00:00:01,000 --> ",
        "\u{feff}",
        "é:é:é,é --> ü",
        "00:00:01,000 --> 00:00:02,000\n<",
        "00:00:01,000 --> 00:00:02,000\n&#xFFFFFFFFF; &#55296; {\\",
    ] {
        let _ = parse(text.as_bytes(), Format::Srt);
        let _ = parse(text.as_bytes(), Format::Vtt);
    }
}

#[test]
fn shuffled_fragments_do_not_panic() {
    let pieces = [
        "WEBVTT",
        "\n",
        "\r\n",
        "1",
        "-->",
        " ",
        ":",
        ",",
        ".",
        "00",
        "59",
        "60",
        "999",
        "99999999999",
        "00:00:01,000",
        "00:02.000",
        "<",
        ">",
        "{\\",
        "}",
        "&",
        ";",
        "#x",
        "NOTE",
        "क्ष",
        "\u{feff}",
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..20_000 {
        let mut text = String::new();
        for _ in 0..(seed % 40) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
        }
        for format in [Format::Srt, Format::Vtt] {
            if let Ok(cues) = parse(text.as_bytes(), format) {
                lint(&cues, Ratio::new(30000, 1001), 20.0);
            }
        }
    }
}

fn messages(cues: &[Cue]) -> Vec<String> {
    lint(cues, Ratio::from_integer(25), 20.0)
        .into_iter()
        .map(|w| w.message)
        .collect()
}

#[test]
fn clean_cue_has_no_warnings() {
    let line = "a".repeat(30);
    let cues = [
        cue(0, 3000, &format!("{line}\n{line}"), 1),
        cue(3080, 5000, "ok", 5),
    ];
    assert_eq!(messages(&cues), Vec::<String>::new());
}

#[test]
fn long_line_and_too_many_lines() {
    let w = lint(&[cue(0, 5000, "a\nb\nc", 3)], Ratio::from_integer(25), 20.0);
    assert_eq!(
        w,
        vec![Warning {
            line: 3,
            message: "has 3 lines (at most 2)".to_string()
        }]
    );
    let text = format!("ok\n{}", "x".repeat(47));
    assert_eq!(
        messages(&[cue(0, 5000, &text, 1)]),
        vec!["line 2 of the cue has 47 characters (at most 42)"]
    );
}

#[test]
fn hindi_counts_chars_not_bytes() {
    // 40 characters, 112 bytes: fine for line length.
    let line = "हिंदी क्षत्रिय ".repeat(3);
    let line = line.chars().take(40).collect::<String>();
    assert!(line.len() > 42);
    assert_eq!(messages(&[cue(0, 3000, &line, 1)]), Vec::<String>::new());
    // 60 characters over 3 s is 20 cps: fine at 22, and at 20.
    let text = format!("{line}\n{}", "क".repeat(20));
    assert!(lint(
        &[cue(0, 3000, &text, 1)],
        Ratio::from_integer(25),
        max_cps("hin")
    )
    .is_empty());
    // 66 characters over 3 s is 22 cps: too fast for 20.
    let text = format!("{line}\n{}", "क".repeat(26));
    let w = messages(&[cue(0, 3000, &text, 1)]);
    assert_eq!(w, vec!["reads at 22.0 characters per second (at most 20)"]);
    assert!(lint(
        &[cue(0, 3000, &text, 1)],
        Ratio::from_integer(25),
        max_cps("hi")
    )
    .is_empty());
}

#[test]
fn max_cps_by_language() {
    assert_eq!(max_cps("hin"), 22.0);
    assert_eq!(max_cps("hi-IN"), 22.0);
    assert_eq!(max_cps("eng"), 20.0);
    assert_eq!(max_cps(""), 20.0);
}

#[test]
fn durations_on_the_frame_grid() {
    // 0.82 s is 20.5 frames at 25 fps: round(0.02*25)=1 (0.5 up), round(0.84*25)=21, 20 frames = 0.8 s.
    assert_eq!(
        messages(&[cue(20, 840, "hi", 1)]),
        vec!["is on screen for 0.80 s, 20 frames (at least 0.83 s)"]
    );
    // 21 frames = 0.84 s is enough.
    assert!(messages(&[cue(0, 840, "hi", 1)]).is_empty());
    assert_eq!(
        messages(&[cue(0, 7040, "hi", 1)]),
        vec!["is on screen for 7.04 s, 176 frames (at most 7 s)"]
    );
    assert!(messages(&[cue(0, 7000, "hi", 1)]).is_empty());
}

#[test]
fn gaps_and_overlaps() {
    // In file order out of time order: sorting finds the 1-frame gap.
    let cues = [cue(3040, 5000, "b", 5), cue(0, 3000, "a", 1)];
    assert_eq!(
        lint(&cues, Ratio::from_integer(25), 20.0),
        vec![Warning {
            line: 5,
            message: "starts 1 frame after the cue at line 1 ends (at least 2)".to_string()
        }]
    );
    let cues = [cue(0, 3000, "a", 1), cue(2000, 5000, "b", 5)];
    assert_eq!(
        messages(&cues),
        vec!["overlaps the cue at line 1 by 25 frames; both are shown at once, stacked"]
    );
}

#[test]
fn lint_at_ntsc_rate_and_zero_fps() {
    let fps = Ratio::new(30000, 1001);
    assert!(lint(&[cue(0, 3000, "ok", 1)], fps, 20.0).is_empty());
    assert!(lint(&[cue(0, 100, "ok", 1)], Ratio::from_integer(0), 20.0).is_empty());
}

#[test]
fn srt_round_trip() {
    let cues = vec![
        (Ratio::new(1, 3), Ratio::new(5, 2), "one\nहिंदी".to_string()),
        (
            Ratio::from_integer(3661),
            Ratio::new(36_615_006, 10_000),
            "a & b <c>".to_string(),
        ),
    ];
    let text = write_srt(&cues);
    assert_eq!(
        text,
        "1\n00:00:00,333 --> 00:00:02,500\none\nहिंदी\n\n2\n01:01:01,000 --> 01:01:01,501\na & b <c>\n"
    );
    let back = parse(text.as_bytes(), Format::Srt).unwrap();
    assert_eq!(back[0].start, ms(333));
    assert_eq!(back[0].end, ms(2500));
    assert_eq!(back[1].end, ms(3_661_501));
    assert_eq!(back[0].text, "one\nहिंदी");
}

#[test]
fn vtt_round_trip() {
    let cues = vec![
        (ms(1500), ms(4000), "x < y & z\n\n>".to_string()),
        (Ratio::new(7, 3), Ratio::from_integer(5), "<i>".to_string()),
    ];
    let text = write_vtt(&cues);
    assert!(text.starts_with("WEBVTT\n\n00:00:01.500 --> 00:00:04.000\nx &lt; y &amp; z\n&gt;\n\n"));
    let back = parse(text.as_bytes(), Format::Vtt).unwrap();
    assert_eq!(back.len(), 2);
    assert_eq!((back[0].start, back[0].end), (ms(1500), ms(4000)));
    assert_eq!(back[0].text, "x < y & z\n>");
    assert_eq!((back[1].start, back[1].end), (ms(2333), ms(5000)));
    assert_eq!(back[1].text, "<i>");
}
