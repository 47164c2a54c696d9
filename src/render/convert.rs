//! Pictures brought from the format they are composed in (the output's
//! Y'CbCr, limited range) to the one an image encoder takes, through
//! libavfilter's `scale` with both matrices and ranges named, so that
//! nothing is guessed: full-range RGB (PNG, TIFF, DPX); BT.601 full range
//! for JPEG and BT.601 limited range for WebP, as their decoders read
//! them whatever a file says.

use crate::colour::{Colour, Matrix, Range};
use crate::error::{Context, Result};
use crate::ffmpeg;
use ffmpeg_next as ff;

/// A conversion to `to`, its graph made for the first picture.
pub struct Convert {
    to: ff::format::Pixel,
    colour: Colour,
    graph: Option<ff::filter::Graph>,
}

impl Convert {
    pub fn new(to: ff::format::Pixel, colour: Colour) -> Convert {
        Convert {
            to,
            colour,
            graph: None,
        }
    }

    /// `frame` in the encoder's format, with its timestamp and full range.
    pub fn frame(&mut self, frame: &ff::frame::Video) -> Result<ff::frame::Video> {
        let what = || "converting a picture for the image encoder";
        if self.graph.is_none() {
            let spec = spec(self.colour, self.to);
            self.graph = Some(ffmpeg::video_chain(frame, ff::Rational(1, 1), &spec).context(what)?);
        }
        let graph = self.graph.as_mut().expect("made above");
        let mut input = ffmpeg::new_ref(frame).context(what)?;
        input.set_pts(Some(0));
        ffmpeg::push(graph, Some(&input)).context(what)?;
        let mut out = ff::frame::Video::empty();
        if !ffmpeg::pull(graph, &mut out) {
            return Err(crate::error::Error::Unexpected(
                "the conversion gave no picture",
            ));
        }
        out.set_pts(frame.pts());
        let (_, range) = target(self.to);
        out.set_color_range(match range {
            "pc" => ff::color::Range::JPEG,
            _ => ff::color::Range::MPEG,
        });
        if !is_rgb(self.to) {
            out.set_color_space(ff::color::Space::BT470BG);
        }
        Ok(out)
    }
}

/// Whether `p` is an RGB format.
fn is_rgb(p: ff::format::Pixel) -> bool {
    use ff::format::Pixel;
    matches!(
        p,
        Pixel::RGB24 | Pixel::RGB48BE | Pixel::RGB48LE | Pixel::GBRP | Pixel::RGBA
    )
}

/// The matrix and range (`scale`'s names) a format is written in.
fn target(to: ff::format::Pixel) -> (&'static str, &'static str) {
    match to {
        ff::format::Pixel::YUV420P => ("bt601", "tv"),
        p if is_rgb(p) => ("bt709", "pc"),
        _ => ("bt601", "pc"),
    }
}

/// The `scale` filter's description: from the output's matrix and range
/// to the target's, chroma interpolated at full resolution and rounded
/// accurately.
fn spec(c: Colour, to: ff::format::Pixel) -> String {
    let matrix = match c.matrix {
        Matrix::Bt709 => "bt709",
        Matrix::Bt601 => "bt601",
        Matrix::Smpte240m => "smpte240m",
        Matrix::Fcc => "fcc",
        Matrix::Bt2020 => "bt2020",
    };
    let range = match c.range {
        Range::Limited => "tv",
        Range::Full => "pc",
    };
    let name = to.descriptor().map_or("rgb24", |d| d.name());
    let (out_matrix, out_range) = target(to);
    format!(
        "scale=in_color_matrix={matrix}:out_color_matrix={out_matrix}:in_range={range}:\
         out_range={out_range}:flags=bicubic+accurate_rnd+full_chroma_int+full_chroma_inp,\
         format={name}"
    )
}
