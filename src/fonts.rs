//! Font files the renderer may use.
