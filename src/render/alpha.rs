//! Pictures with an alpha channel: a source's transparent parts show the
//! output's `background` (composited by libavfilter's `overlay` onto a
//! picture of that colour), or stay transparent where the output keeps
//! alpha (`background = "transparent"`).

use ffmpeg_next as ff;

/// Whether libavutil's pixel format `name` carries alpha.
pub fn has_alpha(name: &str) -> bool {
    name.parse::<ff::format::Pixel>()
        .is_ok_and(crate::ffmpeg::has_alpha)
}

/// The filters that lay a picture with alpha over `rgb` (already encoded
/// in the output's colour): the picture is split, one copy filled with the
/// colour, the other overlaid on it by its alpha. At the output's depth
/// and subsampling, so nothing is lost on the way.
pub fn over_colour(rgb: [u8; 3], out_pix_fmt: &str) -> String {
    let [r, g, b] = rgb;
    let (with_alpha, overlay) = overlay_formats(out_pix_fmt);
    format!(
        "format=pix_fmts={with_alpha},split[fg][under];\
         [under]drawbox=x=0:y=0:w=iw:h=ih:color=0x{r:02x}{g:02x}{b:02x}@1:t=fill[bg];\
         [bg][fg]overlay=format={overlay}:eof_action=pass"
    )
}

/// The format the overlaid picture is brought to, and `overlay`'s working
/// format, for an output pixel format: 10 bits where the output has more
/// than 8, chroma subsampled as the output's.
fn overlay_formats(out_pix_fmt: &str) -> (&'static str, &'static str) {
    let format = out_pix_fmt.parse::<ff::format::Pixel>().ok();
    let deep = format.and_then(crate::ffmpeg::depth).is_some_and(|d| d > 8);
    let sub = format
        .and_then(crate::ffmpeg::chroma_shift)
        .unwrap_or((1, 1));
    match (deep, sub) {
        (true, (_, 1)) => ("yuva420p10le", "yuv420p10"),
        (true, _) => ("yuva422p10le", "yuv422p10"),
        (false, (1, 1)) => ("yuva420p", "yuv420"),
        (false, (1, 0)) => ("yuva422p", "yuv422"),
        (false, _) => ("yuva444p", "yuv444"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpha_formats_are_told_apart() {
        assert!(has_alpha("yuva444p10le"));
        assert!(has_alpha("rgba"));
        assert!(!has_alpha("yuv420p"));
        assert!(!has_alpha("no such format"));
    }

    #[test]
    fn the_overlay_works_at_the_output_depth_and_subsampling() {
        assert_eq!(overlay_formats("yuv420p"), ("yuva420p", "yuv420"));
        assert_eq!(overlay_formats("yuv444p"), ("yuva444p", "yuv444"));
        assert_eq!(
            overlay_formats("yuv422p10le"),
            ("yuva422p10le", "yuv422p10")
        );
        assert_eq!(
            overlay_formats("yuv420p10le"),
            ("yuva420p10le", "yuv420p10")
        );
        let s = over_colour([1, 2, 255], "yuv420p");
        assert!(s.contains("color=0x0102ff@1"), "{s}");
    }
}
