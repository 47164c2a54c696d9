//! Pictures as outputs: which output paths are a still (`.png`, `.jpg`,
//! `.webp`), an image sequence (a file name with `%0Nd`: `.png`, `.tiff`,
//! `.dpx`, `.jpg`) or an animated GIF, the image encoder and pixel format
//! each is written with; and the file-name pattern of a sequence, which
//! image-sequence sources share.

use ffmpeg_next as ff;
use std::path::{Path, PathBuf};

/// What an output path that is not a movie asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// One picture, written as one image file.
    Still(Image),
    /// Every picture, each as its own numbered image file.
    Sequence(Image, Pattern),
    /// Every picture in one animated GIF.
    Gif,
}

/// An image format: its encoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Image {
    /// The FFmpeg encoder, also the segments' codec.
    pub codec: &'static str,
}

/// Extensions of image files reel writes, their encoder, and whether a
/// still (one file) and a sequence may take them.
const IMAGES: [(&str, &str, bool, bool); 8] = [
    ("png", "png", true, true),
    ("jpg", "mjpeg", true, true),
    ("jpeg", "mjpeg", true, true),
    ("webp", "libwebp", true, false),
    ("tif", "tiff", false, true),
    ("tiff", "tiff", false, true),
    ("dpx", "dpx", false, true),
    ("gif", "gif", false, false),
];

/// The encoder the segments of a GIF are kept in before the palette is
/// made: lossless and intra-only, so that they can be decoded twice.
pub const GIF_INTERMEDIATE: &str = "png";

/// What `path` asks for, if it is not a movie: a still, a sequence (its
/// file name has `%0Nd` or `%d`), a GIF. None for any other extension.
pub fn kind(path: &Path) -> Option<Kind> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    let &(_, codec, still, sequence) = IMAGES.iter().find(|(e, ..)| *e == ext)?;
    match Pattern::parse(path) {
        Some(p) if sequence => Some(Kind::Sequence(Image { codec }, p)),
        Some(_) => None,
        None if codec == "gif" => Some(Kind::Gif),
        None if still => Some(Kind::Still(Image { codec })),
        None => None,
    }
}

/// The picture outputs in words, for the message about an unknown
/// extension.
pub fn accepted() -> &'static str {
    ".gif, .png, .jpg, .webp, or a sequence such as frames/f_%06d.png (.png, .tiff, .dpx, .jpg)"
}

impl Kind {
    /// The codec the segments are encoded with.
    pub fn segment_codec(&self) -> &'static str {
        match self {
            Kind::Still(i) | Kind::Sequence(i, _) => i.codec,
            Kind::Gif => GIF_INTERMEDIATE,
        }
    }
}

/// The pixel format an image encoder is fed, for pictures composed in
/// `composed` (deeper than 8 bits: 16-bit RGB where the format has it).
/// None for an encoder that is not an image one.
pub fn encoder_format(codec: &str, composed: ff::format::Pixel) -> Option<ff::format::Pixel> {
    use ff::format::Pixel;
    let deep = crate::ffmpeg::depth(composed).unwrap_or(8) > 8;
    if crate::ffmpeg::has_alpha(composed) {
        return Some(match (codec, deep) {
            ("png", false) | ("tiff", false) => Pixel::RGBA,
            ("png", true) => Pixel::RGBA64BE,
            ("tiff", true) | ("dpx", _) => Pixel::RGBA64LE,
            ("libwebp", _) => Pixel::YUVA420P,
            _ => return None,
        });
    }
    Some(match (codec, deep) {
        ("png", false) | ("tiff", false) | ("dpx", false) => Pixel::RGB24,
        ("png", true) => Pixel::RGB48BE,
        ("tiff", true) | ("dpx", true) => Pixel::RGB48LE,
        // Full-range Y'CbCr without chroma subsampling: what JPEG files
        // hold, converted once from the output's limited range.
        ("mjpeg", _) => Pixel::YUVJ444P,
        ("libwebp", _) => Pixel::YUV420P,
        _ => return None,
    })
}

/// Whether `codec` is one of the image encoders a picture output is
/// written with (each picture a whole file, no GOP, no crf or preset).
pub fn is_image_codec(codec: &str) -> bool {
    IMAGES.iter().any(|(_, c, ..)| *c == codec && *c != "gif")
}

/// A numbered file name: `dir/prefix%0Nd suffix` (N digits, zero-padded;
/// `%d` for no padding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub dir: PathBuf,
    pub prefix: String,
    pub digits: usize,
    pub suffix: String,
}

impl Pattern {
    /// The pattern of `path`, when its file name holds exactly one `%d` or
    /// `%0Nd` (N from 1 to 9) and no other `%`.
    pub fn parse(path: &Path) -> Option<Pattern> {
        let name = path.file_name()?.to_str()?;
        let at = name.find('%')?;
        let (prefix, rest) = name.split_at(at);
        let rest = &rest[1..];
        let digits_end = rest.find('d')?;
        let spec = &rest[..digits_end];
        let digits = match spec {
            "" => 0,
            s if s.len() == 2 && s.starts_with('0') => s[1..].parse().ok()?,
            _ => return None,
        };
        let suffix = &rest[digits_end + 1..];
        if suffix.contains('%') || (spec.len() == 2 && digits == 0) {
            return None;
        }
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        Some(Pattern {
            dir,
            prefix: prefix.to_string(),
            digits,
            suffix: suffix.to_string(),
        })
    }

    /// The file name of number `n`.
    pub fn name(&self, n: u64) -> String {
        format!("{}{n:0w$}{}", self.prefix, self.suffix, w = self.digits)
    }

    /// The number a file name stands for, if it matches the pattern
    /// (digits only, as many as the padding asks or more).
    pub fn number(&self, name: &str) -> Option<u64> {
        let digits = name
            .strip_prefix(&self.prefix)?
            .strip_suffix(&self.suffix)?;
        // As `image2` prints a number: padded to the width, wider only
        // without a leading zero.
        let ok = !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (digits.len() == self.digits.max(1)
                || (digits.len() > self.digits && !digits.starts_with('0')));
        ok.then(|| digits.parse().ok()).flatten()
    }

    /// The files of the pattern in `dir`, by number (none when the
    /// directory cannot be read).
    pub fn files_in(&self, dir: &Path) -> Vec<(u64, PathBuf)> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut files: Vec<(u64, PathBuf)> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| {
                let n = self.number(e.file_name().to_str()?)?;
                Some((n, e.path()))
            })
            .collect();
        files.sort();
        files
    }

    /// The pattern's files, by number.
    pub fn files(&self) -> Vec<(u64, PathBuf)> {
        self.files_in(&self.dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_their_kind() {
        let k = |p: &str| kind(Path::new(p));
        assert_eq!(k("a/poster.PNG"), Some(Kind::Still(Image { codec: "png" })));
        assert_eq!(k("a.jpg"), Some(Kind::Still(Image { codec: "mjpeg" })));
        assert_eq!(k("a.webp"), Some(Kind::Still(Image { codec: "libwebp" })));
        assert_eq!(k("a.gif"), Some(Kind::Gif));
        assert!(matches!(
            k("out/f_%06d.dpx"),
            Some(Kind::Sequence(Image { codec: "dpx" }, _))
        ));
        assert_eq!(k("a.tiff"), None, "a single TIFF is not offered");
        assert_eq!(k("f_%04d.webp"), None);
        assert_eq!(k("a.mp4"), None);
        assert_eq!(k("f_%04d.gif"), None);
    }

    #[test]
    fn patterns_number_files() {
        let p = Pattern::parse(Path::new("plates/shot_%04d.exr")).unwrap();
        assert_eq!(p.dir, PathBuf::from("plates"));
        assert_eq!(p.name(7), "shot_0007.exr");
        assert_eq!(p.number("shot_0007.exr"), Some(7));
        assert_eq!(p.number("shot_12345.exr"), Some(12345));
        assert_eq!(p.number("shot_007.exr"), None);
        assert_eq!(p.number("shot_00a7.exr"), None);
        assert_eq!(p.number("take_0007.exr"), None);
        let p = Pattern::parse(Path::new("f%d.png")).unwrap();
        assert_eq!(p.dir, PathBuf::from("."));
        assert_eq!(
            (p.number("f12.png"), p.number("f012.png")),
            (Some(12), None)
        );
        for bad in [
            "f_%4d.png",
            "f_%00d.png",
            "f_%06x.png",
            "a%d_%d.png",
            "plain.png",
        ] {
            assert_eq!(Pattern::parse(Path::new(bad)), None, "{bad}");
        }
    }
}
