//! Errors: diagnostics about the EDL (exit code 2) and render failures
//! (exit code 1). Every message names what it is about: the file and line,
//! the clip and its source, the time.

use crate::time::{Clock, Ratio};
use ffmpeg_next as ff;
use std::fmt;
use std::path::{Path, PathBuf};

/// A byte range of a file: where a value is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Span {
        Span {
            start: r.start,
            end: r.end,
        }
    }
}

/// One problem with the EDL or its sources, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// "clip 3 (../assets/a.mp4, [[clip]] at line 12)", when about one.
    pub subject: Option<String>,
    pub message: String,
    /// The value the problem is about, shown under a caret.
    pub span: Option<Span>,
    /// What the caret is labelled: the key, when the message does not
    /// name it.
    pub label: Option<String>,
    /// The table the problem is in (`[[clip]]`), shown too when it is not
    /// on the value's line.
    pub table: Option<Span>,
}

impl Diagnostic {
    pub fn new(file: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_path_buf(),
            line: None,
            column: None,
            subject: None,
            message: message.into(),
            span: None,
            label: None,
            table: None,
        }
    }

    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Shows this value of the file under a caret.
    pub fn span(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    /// Names the key the problem is about, when the message does not.
    pub fn key(mut self, key: &str) -> Self {
        if !self.message.contains(&format!("`{key}`")) {
            self.label = Some(format!("`{key}`"));
        }
        self
    }

    /// The table the problem is in.
    pub fn table(mut self, span: Span) -> Self {
        self.table = Some(span);
        self
    }

    /// Says which clip this is about; the line defaults to its `[[clip]]`.
    pub fn clip(self, number: usize, source: &str, line: usize) -> Self {
        self.about("clip", number, source, line)
    }

    pub fn voiceover(self, number: usize, source: &str, line: usize) -> Self {
        self.about("voiceover", number, source, line)
    }

    pub fn music(self, number: usize, source: &str, line: usize) -> Self {
        self.about("music", number, source, line)
    }

    /// Says which `[[what]]` table this is about.
    pub fn about(mut self, what: &str, number: usize, source: &str, line: usize) -> Self {
        self.subject = Some(format!(
            "{what} {number} ({source}, [[{what}]] at line {line})"
        ));
        if self.line.is_none() {
            self.line = Some(line);
        }
        self
    }

    /// The message as a person reads it: the one-line form, then, when
    /// `text` (the file's contents) is given and the problem has a place
    /// in it, the line with a caret under the value, as rustc shows code.
    /// `color` adds terminal colours.
    pub fn render(&self, text: Option<&str>, color: bool) -> String {
        use annotate_snippets::{Level, Snippet};
        let title = self.to_string();
        let renderer = renderer(color);
        let place = text.zip(self.span).and_then(|(t, s)| caret(t, s));
        let (Some(text), Some(place)) = (text, place) else {
            return renderer.render(Level::Error.title(&title)).to_string();
        };
        let (start, end) = (place.start, place.end);
        let mut snippet = Snippet::source(text).line_start(1).fold(true).annotation(
            Level::Error
                .span(start..end)
                .label(self.label.as_deref().unwrap_or("")),
        );
        if let Some(table) = self.table.and_then(|t| caret(text, t)) {
            if table.end < start {
                snippet = snippet.annotation(Level::Info.span(table));
            }
        }
        let out = renderer
            .render(Level::Error.title(&title).snippet(snippet))
            .to_string();
        out
    }
}

/// Renders messages with terminal colours, or as plain text.
fn renderer(color: bool) -> annotate_snippets::Renderer {
    if color {
        annotate_snippets::Renderer::styled()
    } else {
        annotate_snippets::Renderer::plain()
    }
}

/// Where to put a caret for `span` in `text`: at least one character,
/// within one line, on character boundaries; at the end of the file, just
/// after the last character. None for an empty file.
fn caret(text: &str, span: Span) -> Option<std::ops::Range<usize>> {
    let floor = |mut i: usize| {
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let content = text.trim_end_matches(['\n', '\r']).len();
    if content == 0 {
        return None;
    }
    if span.start >= content {
        // At the end of the file: just after its last character.
        return Some(content..content);
    }
    let start = floor(span.start);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let next = text[start..].chars().next()?.len_utf8();
    let end = floor(span.end.min(line_end)).max(start + next);
    Some(start..end)
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": ")?;
        if let Some(s) = &self.subject {
            write!(f, "{s}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

/// All the problems found in one EDL, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was found, else the problems sorted by line.
    pub fn into_result<T>(mut self, value: T) -> Result<T, Diagnostics> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            self.0.sort_by_key(|d| (d.line, d.column));
            Err(self)
        }
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl Diagnostics {
    /// Every diagnostic rendered with its snippet ([`Diagnostic::render`]);
    /// `text_of` gives a file's contents.
    pub fn render(&self, color: bool, mut text_of: impl FnMut(&Path) -> Option<String>) -> String {
        let mut texts: std::collections::HashMap<PathBuf, Option<String>> = Default::default();
        let mut out = String::new();
        for d in &self.0 {
            let text = texts
                .entry(d.file.clone())
                .or_insert_with(|| d.span.and_then(|_| text_of(&d.file)));
            out.push_str(&d.render(text.as_deref(), color));
            out.push('\n');
        }
        out
    }
}

/// Why a command failed. Each variant carries what it is about and, where
/// there is one, the error that caused it ([`std::error::Error::source`]);
/// [`Report`] prints the whole chain on one line.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The EDL or its sources are not renderable (exit code 2).
    #[error("{0}")]
    Invalid(#[from] Diagnostics),
    /// A command-line value is wrong (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// A file could not be read, written, made or moved.
    #[error("{action} {}", path.display())]
    Io {
        /// "reading", "writing", "cannot create output directory"...
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An FFmpeg call failed while doing `what`.
    #[error("{what}")]
    Ffmpeg {
        what: String,
        #[source]
        source: ff::Error,
    },
    /// The decoder failed inside a clip or sound (`subject`) near source
    /// time `at`.
    #[error("{subject}: decoding failed near {}", Clock(*at))]
    Decode {
        subject: String,
        at: Ratio,
        #[source]
        source: ff::Error,
    },
    /// A clip's video is damaged, or ends early, near source time `at`.
    #[error("{clip}: {}", damage_message(*at, problem))]
    Damaged {
        clip: String,
        at: Ratio,
        problem: Damage,
    },
    /// A packet file (cached or just written) cannot be used.
    #[error("{what} {} {problem}", path.display())]
    CacheEntry {
        /// "segment file", "audio file".
        what: &'static str,
        path: PathBuf,
        problem: EntryProblem,
    },
    /// A file could not be probed.
    #[error(transparent)]
    Probe(#[from] ProbeError),
    /// Measuring loudness failed.
    #[error("loudness meter")]
    Meter(#[source] ebur128::Error),
    /// The worker threads could not be started.
    #[error("cannot start workers")]
    Workers(#[source] rayon::ThreadPoolBuildError),
    /// A segment several outputs of a run need failed, and its error is
    /// shared by them. The first output to report it reports it as its
    /// own (its message and exit code); the later ones (`earlier`) as a
    /// segment shared with an earlier output that failed there (exit code
    /// 1).
    #[error("{}", shared_message(.error, *.earlier))]
    Shared {
        error: std::sync::Arc<Error>,
        earlier: bool,
    },
    /// The fonts to draw with cannot be loaded (the message).
    #[error("{0}")]
    Fonts(String),
    /// Something that the checks before rendering rule out happened anyway.
    #[error("{0}")]
    Unexpected(&'static str),
    /// Stopped by a signal (exit code 128 + the signal).
    #[error("interrupted by {}; nothing was written to the output", signal_name(*.0))]
    Interrupted(i32),
}

/// Why a source cannot be used. The message can follow the source's name.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("source not found: {}", .0.display())]
    NotFound(PathBuf),
    #[error("cannot read source {}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("source {} is a directory", .0.display())]
    Directory(PathBuf),
    #[error("cannot open source {} as media: {source}", path.display())]
    NotMedia { path: PathBuf, source: ff::Error },
    #[error("source {} has a video stream of unknown size", .0.display())]
    UnknownSize(PathBuf),
}

/// What is wrong with a clip's video.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    /// A damaged picture or packet (the decoder's words).
    Picture(&'static str),
    /// The video stops at `at` but the clip goes on to `end`.
    EndsEarly { end: Ratio },
    /// No picture at all from the clip's `in` on.
    NoFrames,
}

fn damage_message(at: Ratio, problem: &Damage) -> String {
    match problem {
        Damage::Picture(what) => format!(
            "damaged video near {}: {what}; render with --on-decode-error conceal \
             to show the last good picture instead",
            Clock(at)
        ),
        Damage::EndsEarly { end } => format!(
            "the video ends near {}, before the clip does ({}); the file may be cut short; \
             render with --on-decode-error conceal to hold the last picture instead",
            Clock(at),
            Clock(*end)
        ),
        Damage::NoFrames => format!("no video frames from {} on", Clock(at)),
    }
}

/// Why a packet file cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EntryProblem {
    #[error("is damaged")]
    Damaged,
    #[error("is incomplete")]
    Incomplete,
    #[error("was encoded with different codec parameters; cannot join")]
    OtherParameters,
    #[error("cannot be joined: decode time after presentation time")]
    DecodeAfterPresentation,
}

/// A shared failure's message: the error with its chain of causes (printed
/// here, as the variant has no source of its own), after what it is to a
/// later output.
fn shared_message(error: &Error, earlier: bool) -> String {
    if earlier {
        format!(
            "a segment shared with an earlier output failed: {}",
            Report(error)
        )
    } else {
        Report(error).to_string()
    }
}

fn signal_name(signal: i32) -> String {
    match signal {
        2 => "SIGINT".into(),
        15 => "SIGTERM".into(),
        s => format!("signal {s}"),
    }
}

impl Error {
    pub fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    pub fn ffmpeg(what: impl Into<String>, source: ff::Error) -> Self {
        Error::Ffmpeg {
            what: what.into(),
            source,
        }
    }

    pub fn entry(what: &'static str, path: &Path, problem: EntryProblem) -> Self {
        Error::CacheEntry {
            what,
            path: path.to_path_buf(),
            problem,
        }
    }

    /// The error as a person reads it: EDL problems with their snippets
    /// (`text_of` reads a file), anything else with its chain of causes.
    pub fn render(&self, color: bool, text_of: impl FnMut(&Path) -> Option<String>) -> String {
        match self {
            Error::Invalid(d) => d.render(color, text_of),
            Error::Shared {
                error,
                earlier: false,
            } => error.render(color, text_of),
            other => {
                let text = Report(other).to_string();
                let title = annotate_snippets::Level::Error.title(&text);
                format!("{}\n", renderer(color).render(title))
            }
        }
    }

    /// Whether a signal stopped the work, also when the error is shared
    /// by several outputs.
    pub fn is_interrupted(&self) -> bool {
        match self {
            Error::Interrupted(_) => true,
            Error::Shared { error, .. } => error.is_interrupted(),
            _ => false,
        }
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Invalid(_) | Error::Usage(_) => 2,
            Error::Interrupted(s) => 128 + s,
            Error::Shared {
                error,
                earlier: false,
            } => error.exit_code(),
            _ => 1,
        }
    }
}

/// Prints an error with its chain of causes: `writing out.mp4: No space
/// left on device`.
pub struct Report<'a>(pub &'a (dyn std::error::Error + 'static));

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        while let Some(c) = cause {
            write!(f, ": {c}")?;
            cause = c.source();
        }
        Ok(())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Names what an FFmpeg call was doing: `result.context(|| "decoding clip 3")`.
pub trait Context<T> {
    fn context<S: Into<String>, F: FnOnce() -> S>(self, what: F) -> Result<T>;
}

impl<T> Context<T> for std::result::Result<T, ff::Error> {
    fn context<S: Into<String>, F: FnOnce() -> S>(self, what: F) -> Result<T> {
        self.map_err(|e| Error::ffmpeg(what(), e))
    }
}
