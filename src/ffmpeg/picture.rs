//! Pictures: YUV matrices, bit depth and plane layout.

use ffmpeg_next as ff;

/// The YUV matrix a picture was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matrix {
    Bt709,
    Bt601,
    Smpte240m,
    Fcc,
    Bt2020,
}

impl Matrix {
    /// A picture's tag, else what players assume for untagged video
    /// (BT.709 from 720 lines or 1280 columns up, BT.601 below). swscale
    /// alone would take every untagged source as BT.601 and shift the
    /// colours of untagged HD footage.
    pub fn of(frame: &ff::frame::Video) -> Matrix {
        use ff::color::Space;
        match frame.color_space() {
            Space::BT709 => Matrix::Bt709,
            Space::BT470BG | Space::SMPTE170M => Matrix::Bt601,
            Space::SMPTE240M => Matrix::Smpte240m,
            Space::FCC => Matrix::Fcc,
            Space::BT2020NCL | Space::BT2020CL => Matrix::Bt2020,
            _ if frame.width() >= 1280 || frame.height() >= 720 => Matrix::Bt709,
            _ => Matrix::Bt601,
        }
    }

    /// The name swscale's `in_color_matrix` takes.
    pub fn name(self) -> &'static str {
        match self {
            Matrix::Bt709 => "bt709",
            Matrix::Bt601 => "bt601",
            Matrix::Smpte240m => "smpte240m",
            Matrix::Fcc => "fcc",
            Matrix::Bt2020 => "bt2020",
        }
    }

    /// The colour-space tag an encoder writes for it.
    pub fn space(self) -> ff::color::Space {
        match self {
            Matrix::Bt709 => ff::color::Space::BT709,
            Matrix::Bt601 => ff::color::Space::BT470BG,
            Matrix::Smpte240m => ff::color::Space::SMPTE240M,
            Matrix::Fcc => ff::color::Space::FCC,
            Matrix::Bt2020 => ff::color::Space::BT2020NCL,
        }
    }
}

/// Bits per component of a pixel format.
pub fn depth(format: ff::format::Pixel) -> Option<u8> {
    // SAFETY: the descriptor table is static; a valid format has one.
    unsafe {
        let desc = ff::ffi::av_pix_fmt_desc_get(format.into());
        (!desc.is_null()).then(|| (*desc).comp[0].depth as u8)
    }
}

/// Bytes of one row of `plane` of a picture `width` wide.
pub fn row_bytes(format: ff::format::Pixel, width: u32, plane: usize) -> Option<usize> {
    // SAFETY: asks libavutil for the byte width of one row of this plane.
    let row = unsafe { ff::ffi::av_image_get_linesize(format.into(), width as i32, plane as i32) };
    (row > 0).then_some(row as usize)
}
