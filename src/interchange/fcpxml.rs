//! Final Cut Pro XML (`.fcpxml`, versions 1.8 to 1.11).
