//! Command-line arguments (clap types only). `main` turns them into the
//! settings the library takes; nothing else sees clap.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "reel",
    version,
    about = "Render a TOML edit decision list into a finished video montage",
    after_help = "Examples:\n  reel check edl/demo.toml\n  reel render edl/demo.toml\n  reel render edl/demo.toml -o /tmp/cut.mp4 --jobs 2\n\n\
Exit codes: 0 success, 1 render failure, 2 invalid EDL or usage."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render the montage an EDL describes.
    #[command(
        after_help = "Examples:\n  reel render edl/demo.toml\n  reel render cut.toml -o out/cut.mkv --jobs 4"
    )]
    Render {
        /// The EDL (TOML) file.
        edl: PathBuf,
        /// Output file (overrides [output] path); .mp4, .mov or .mkv.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Segments rendered in parallel (default: the number of cores).
        #[arg(short, long, value_parser = clap::value_parser!(u16).range(1..=256))]
        jobs: Option<u16>,
        /// Print nothing but errors.
        #[arg(short, long)]
        quiet: bool,
    },
    /// Validate an EDL, probe its sources and print the planned timeline.
    #[command(after_help = "Example:\n  reel check edl/demo.toml")]
    Check {
        /// The EDL (TOML) file.
        edl: PathBuf,
    },
}
