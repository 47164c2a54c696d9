//! Parsing and checking whole EDLs.

use super::syntax::{parse_bitrate, parse_colour, Value};
use super::*;
use crate::time::{Ratio, TimeSpec};
use std::path::PathBuf;

fn parse(text: &str) -> Result<Edl, Diagnostics> {
    Edl::parse(Path::new("t.toml"), text)
}

const HEAD: &str = "[output]\nwidth = 64\nheight = 32\nfps = 25\n";

#[test]
fn minimal_edl_gets_defaults() {
    let edl = parse(&format!("{HEAD}[[clip]]\nsource = \"a.mp4\"\n")).unwrap();
    assert_eq!(edl.output.video, VideoSettings::default());
    assert_eq!(edl.output.audio, AudioSettings::default());
    assert_eq!(edl.output.fit, Fit::Contain);
    assert_eq!(
        edl.clips[0].start,
        TimeSpec::Seconds(Ratio::from_integer(0))
    );
    assert_eq!(edl.clips[0].end, End::SourceEnd);
    assert_eq!(edl.clips[0].line, 5);
    assert_eq!(edl.output.path, PathBuf::from("t.mp4"));
    assert_eq!(
        Edl::resolve(Path::new("edl/x.toml"), "../a/b.mp4"),
        PathBuf::from("a/b.mp4")
    );
    assert_eq!(
        Edl::resolve(Path::new("x.toml"), "../b.mp4"),
        PathBuf::from("../b.mp4")
    );
    assert_eq!(
        Edl::resolve(Path::new("/e/x.toml"), "/abs/b.mp4"),
        PathBuf::from("/abs/b.mp4")
    );
}

#[test]
fn defaults_apply_and_last_transition_is_a_cut() {
    let text = format!(
        "{HEAD}[defaults]\nvolume = 0.3\ntransition = {{ kind = \"crossfade\", duration = 0.5 }}\n\
         [[clip]]\nsource = \"a.mp4\"\n[[clip]]\nsource = \"b.mp4\"\nvolume = 1.0\n"
    );
    let edl = parse(&text).unwrap();
    assert_eq!(edl.clips[0].volume, 0.3);
    assert_eq!(edl.clips[1].volume, 1.0);
    assert_eq!(edl.clips[0].transition.kind, TransitionKind::Crossfade);
    assert_eq!(edl.clips[0].transition.duration, Ratio::new(1, 2));
    assert_eq!(edl.clips[1].transition.kind, TransitionKind::Cut);
}

#[test]
fn unknown_key_names_line_and_column() {
    let err = parse(&format!("{HEAD}[[clip]]\nsource = \"a.mp4\"\nvolum = 1\n")).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("t.toml:7:1: "), "{msg}");
    assert!(msg.contains("unknown field `volum`"), "{msg}");
}

#[test]
fn all_problems_are_reported() {
    let text = "[output]\nwidth = 63\nheight = 32\nfps = \"x\"\n\
                [[clip]]\nsource = \"a.mp4\"\nin = \"aa\"\n\
                [[clip]]\nsource = \"b.mp4\"\nin = 5\nout = 4\n";
    let err = parse(text).unwrap_err();
    let msg = err.to_string();
    assert_eq!(err.0.len(), 4, "{msg}");
    assert!(msg.contains("t.toml:2:9: invalid output width 63"), "{msg}");
    assert!(msg.contains("t.toml:4:7: invalid frame rate"), "{msg}");
    assert!(msg.contains("clip 1 (a.mp4, [[clip]] at line 5)"), "{msg}");
    assert!(msg.contains("clip 2 (b.mp4, [[clip]] at line 8)"), "{msg}");
    assert!(msg.contains("is not before `out`"), "{msg}");
}

#[test]
fn colours_and_bitrates() {
    assert_eq!(parse_colour("#ff8000"), Some([255, 128, 0]));
    assert_eq!(parse_colour("ff8000"), None);
    assert_eq!(parse_bitrate(&Value::Text("192k".into())), Some(192_000));
    assert_eq!(parse_bitrate(&Value::Number(96000.0)), Some(96_000));
    assert_eq!(parse_bitrate(&Value::Text("fast".into())), None);
}
