//! Pictures: YUV matrices, bit depth and plane layout.

use ffmpeg_next as ff;

/// Bits per component of a pixel format.
pub fn depth(format: ff::format::Pixel) -> Option<u8> {
    // SAFETY: the descriptor table is static; a valid format has one.
    unsafe {
        let desc = ff::ffi::av_pix_fmt_desc_get(format.into());
        (!desc.is_null()).then(|| (*desc).comp[0].depth as u8)
    }
}

/// Whether a pixel format carries alpha.
pub fn has_alpha(format: ff::format::Pixel) -> bool {
    // SAFETY: as in `depth`.
    unsafe {
        let desc = ff::ffi::av_pix_fmt_desc_get(format.into());
        !desc.is_null() && (*desc).flags & ff::ffi::AV_PIX_FMT_FLAG_ALPHA as u64 != 0
    }
}

/// The chroma subsampling of a pixel format: log2 of its horizontal and
/// vertical factors.
pub fn chroma_shift(format: ff::format::Pixel) -> Option<(u8, u8)> {
    // SAFETY: as in `depth`.
    unsafe {
        let desc = ff::ffi::av_pix_fmt_desc_get(format.into());
        (!desc.is_null()).then(|| ((*desc).log2_chroma_w, (*desc).log2_chroma_h))
    }
}

/// Bytes of one row of `plane` of a picture `width` wide.
pub fn row_bytes(format: ff::format::Pixel, width: u32, plane: usize) -> Option<usize> {
    // SAFETY: asks libavutil for the byte width of one row of this plane.
    let row = unsafe { ff::ffi::av_image_get_linesize(format.into(), width as i32, plane as i32) };
    (row > 0).then_some(row as usize)
}
