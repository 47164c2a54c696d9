//! OpenTimelineIO `.otio` files (the JSON schema).
