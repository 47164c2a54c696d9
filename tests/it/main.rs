//! reel's integration tests, one binary with a module per area:
//! `cargo test --release --test it` runs them all, and
//! `cargo test --release --test it render::` one area. Paths such as
//! `tests/corpus/` are relative to the package root, where `cargo test` runs
//! test binaries.

mod common;

mod architecture;
mod audio;
mod batch;
mod cache;
mod colour;
mod errors;
mod farm;
mod formats;
mod graphics;
mod interchange;
mod media;
mod motion;
mod profiles;
mod properties;
mod render;
mod timing;
mod transitions;
