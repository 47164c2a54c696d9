//! Errors: diagnostics about the EDL (exit code 2) and render failures
//! (exit code 1). Every message names what it is about: the file and line,
//! the clip and its source, the time.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem with the EDL or its sources, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// "clip 3 (../assets/a.mp4, [[clip]] at line 12)", when about one.
    pub subject: Option<String>,
    pub message: String,
}

impl Diagnostic {
    pub fn new(file: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_path_buf(),
            line: None,
            column: None,
            subject: None,
            message: message.into(),
        }
    }

    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
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

    fn about(mut self, what: &str, number: usize, source: &str, line: usize) -> Self {
        self.subject = Some(format!(
            "{what} {number} ({source}, [[{what}]] at line {line})"
        ));
        if self.line.is_none() {
            self.line = Some(line);
        }
        self
    }
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

/// Why a render stopped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The EDL or its sources are not renderable (exit code 2).
    #[error("{0}")]
    Invalid(#[from] Diagnostics),
    /// Something failed while rendering (exit code 1).
    #[error("{0}")]
    Render(String),
    /// Stopped by a signal (exit code 128 + the signal).
    #[error("interrupted by {}; nothing was written to the output", signal_name(*.0))]
    Interrupted(i32),
}

fn signal_name(signal: i32) -> String {
    match signal {
        2 => "SIGINT".into(),
        15 => "SIGTERM".into(),
        s => format!("signal {s}"),
    }
}

impl Error {
    pub fn render(message: impl Into<String>) -> Self {
        Error::Render(message.into())
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Invalid(_) => 2,
            Error::Render(_) => 1,
            Error::Interrupted(s) => 128 + s,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Adds context to FFmpeg errors: `ctx(result, || "decoding clip 3 ...")`.
pub trait Context<T> {
    fn context<F: FnOnce() -> String>(self, what: F) -> Result<T>;
}

impl<T, E: fmt::Display> Context<T> for std::result::Result<T, E> {
    fn context<F: FnOnce() -> String>(self, what: F) -> Result<T> {
        self.map_err(|e| Error::Render(format!("{}: {e}", what())))
    }
}
