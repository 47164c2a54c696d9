//! FFmpeg glue: the small pieces every stage needs from FFmpeg's libraries
//! that `ffmpeg-next` does not wrap, or wraps in a way that is easy to get
//! wrong. Encoder drain loops, filter-graph building and push/pull, time
//! bases, seek timestamps, colour matrices, and every `unsafe` access to
//! FFmpeg's structures, each with the reason it is sound.

mod colour;
mod decode;
mod encode;
mod filter;
mod picture;
mod probe;
mod subtitle;

pub use colour::*;
pub use decode::*;
pub use encode::*;
pub use filter::*;
pub use picture::*;
pub use probe::*;
pub use subtitle::*;

use crate::error::{Context, Result};
use crate::time::Ratio;
use ffmpeg_next as ff;

/// `Ratio` as FFmpeg's rational.
pub fn rational(r: Ratio) -> ff::Rational {
    ff::Rational::new(*r.numer() as i32, *r.denom() as i32)
}

/// FFmpeg's rational as a `Ratio`, if it is a positive number.
pub fn ratio(r: ff::Rational) -> Option<Ratio> {
    (r.denominator() != 0 && r.numerator() > 0)
        .then(|| Ratio::new(r.numerator() as i64, r.denominator() as i64))
}

/// Seconds as a seek timestamp (`AV_TIME_BASE` units, rounded down).
pub fn seek_ts(seconds: Ratio) -> i64 {
    (seconds * Ratio::from_integer(ff::ffi::AV_TIME_BASE as i64))
        .floor()
        .to_integer()
}

/// Initialises FFmpeg once, quiet unless `REEL_FFMPEG_LOG` is set: reel's
/// own messages say what went wrong, with the clip and the time.
pub fn init() -> Result<()> {
    ff::init().context(|| "initialising FFmpeg")?;
    ff::log::set_level(if std::env::var_os("REEL_FFMPEG_LOG").is_some() {
        ff::log::Level::Warning
    } else {
        ff::log::Level::Quiet
    });
    Ok(())
}
