//! The fonts text may be drawn with: the ones shipped in `assets/fonts`
//! (compiled into the binary) plus an EDL's own font directory, never the
//! machine's. Pure: reads font files with `ttf-parser`, no FFmpeg.
//!
//! Text is split into runs by coverage, so that a line mixing Devanagari and
//! Latin gets Noto Sans Devanagari for the one and Noto Sans for the other.

use std::path::{Path, PathBuf};

/// The fonts shipped with reel: (file name, contents).
pub const SHIPPED: &[(&str, &[u8])] = &[
    (
        "NotoSans-Regular.ttf",
        include_bytes!("../assets/fonts/NotoSans-Regular.ttf"),
    ),
    (
        "NotoSans-Bold.ttf",
        include_bytes!("../assets/fonts/NotoSans-Bold.ttf"),
    ),
    (
        "NotoSansDevanagari-Regular.ttf",
        include_bytes!("../assets/fonts/NotoSansDevanagari-Regular.ttf"),
    ),
    (
        "NotoSansDevanagari-Bold.ttf",
        include_bytes!("../assets/fonts/NotoSansDevanagari-Bold.ttf"),
    ),
];

/// One font file.
#[derive(Debug, Clone)]
pub struct Font {
    /// The file's name, unique in the set (an EDL font that has a shipped
    /// font's name replaces it).
    pub name: String,
    /// Where it came from: `None` for a shipped font.
    pub path: Option<PathBuf>,
    pub family: String,
    pub bold: bool,
    pub data: std::sync::Arc<Vec<u8>>,
}

/// A font file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct FontError {
    pub path: PathBuf,
    pub message: String,
}

/// The fonts available to a render.
#[derive(Debug, Clone, Default)]
pub struct FontSet {
    pub fonts: Vec<Font>,
}

impl FontSet {
    /// The shipped fonts plus the `.ttf`/`.otf` files in `dir` (not
    /// recursive), in file-name order.
    pub fn load(dir: Option<&Path>) -> Result<FontSet, FontError> {
        let mut fonts = Vec::new();
        for (name, data) in SHIPPED {
            fonts.push(font(name, None, data.to_vec())?);
        }
        if let Some(dir) = dir {
            let read_err = |e: std::io::Error| FontError {
                path: dir.to_path_buf(),
                message: format!("cannot read the font directory: {e}"),
            };
            let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
                .map_err(read_err)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension().is_some_and(|e| {
                        let e = e.to_ascii_lowercase();
                        e == "ttf" || e == "otf"
                    })
                })
                .collect();
            files.sort();
            for path in files {
                let data = std::fs::read(&path).map_err(|e| FontError {
                    path: path.clone(),
                    message: format!("cannot read the font: {e}"),
                })?;
                let name = path
                    .file_name()
                    .map_or(String::new(), |n| n.to_string_lossy().into_owned());
                let f = font(&name, Some(&path), data)?;
                fonts.retain(|g: &Font| g.name != f.name);
                fonts.push(f);
            }
        }
        Ok(FontSet { fonts })
    }

    /// The family names, sorted, each once.
    pub fn families(&self) -> Vec<&str> {
        let mut f: Vec<&str> = self.fonts.iter().map(|f| f.family.as_str()).collect();
        f.sort_unstable();
        f.dedup();
        f
    }

    pub fn has_family(&self, family: &str) -> bool {
        self.fonts
            .iter()
            .any(|f| f.family.eq_ignore_ascii_case(family))
    }

    /// Whether the regular (or any) face of `family` has a glyph for `c`.
    pub fn covers(&self, family: &str, c: char) -> bool {
        self.faces(family)
            .iter()
            .any(|f| f.glyph_index(c).is_some())
    }

    /// The readable faces of `family`.
    fn faces(&self, family: &str) -> Vec<ttf_parser::Face<'_>> {
        self.fonts
            .iter()
            .filter(|f| f.family.eq_ignore_ascii_case(family))
            .filter_map(|f| ttf_parser::Face::parse(&f.data, 0).ok())
            .collect()
    }

    /// Splits one line of text into runs, each with the family that draws
    /// it. `chain` is the families to try, in order (the style's font
    /// first). A letter takes the first family that covers it; any other
    /// character (space, punctuation, a combining mark, a joiner) stays in
    /// the current run when its font covers it, so clusters never split.
    /// Returns the first character no family covers.
    pub fn runs(&self, line: &str, chain: &[&str]) -> Result<Vec<(String, String)>, char> {
        let faces: Vec<(&str, Vec<ttf_parser::Face>)> =
            chain.iter().map(|fam| (*fam, self.faces(fam))).collect();
        let covers = |i: usize, c: char| faces[i].1.iter().any(|f| f.glyph_index(c).is_some());
        let mut runs: Vec<(usize, String)> = Vec::new();
        for c in line.chars() {
            let current = runs.last().map(|r| r.0);
            let stay = current.filter(|&i| !c.is_alphabetic() && covers(i, c));
            let pick = match stay {
                Some(i) => i,
                None => (0..faces.len()).find(|&i| covers(i, c)).ok_or(c)?,
            };
            match runs.last_mut() {
                Some((i, text)) if *i == pick => text.push(c),
                _ => runs.push((pick, c.to_string())),
            }
        }
        Ok(runs
            .into_iter()
            .map(|(i, t)| (faces[i].0.to_string(), t))
            .collect())
    }

    /// About how wide `text` is drawn in `family` (bold or not) at a line
    /// height of `size` pixels: the glyphs' advances, scaled as libass
    /// scales a font (its ascent plus descent is the line height). No
    /// shaping, so a close estimate for scripts whose shaping moves marks.
    pub fn width(&self, family: &str, bold: bool, text: &str, size: f64) -> f64 {
        let mut faces = self
            .fonts
            .iter()
            .filter(|f| f.family.eq_ignore_ascii_case(family));
        let Some(font) = faces
            .clone()
            .find(|f| f.bold == bold)
            .or_else(|| faces.next())
        else {
            return 0.0;
        };
        let Ok(face) = ttf_parser::Face::parse(&font.data, 0) else {
            return 0.0;
        };
        let line = face
            .tables()
            .os2
            .map(|t| t.windows_ascender() as f64 + (t.windows_descender() as f64).abs())
            .filter(|l| *l > 0.0)
            .unwrap_or((face.ascender() as f64 - face.descender() as f64).max(1.0));
        let units: f64 = text
            .chars()
            .filter_map(|c| face.glyph_index(c))
            .filter_map(|g| face.glyph_hor_advance(g))
            .map(f64::from)
            .sum();
        units * size / line
    }

    /// What the pixels of drawn text depend on: every font's name, family
    /// and contents.
    pub fn fingerprint(&self) -> String {
        let mut h = blake3::Hasher::new();
        for f in &self.fonts {
            h.update(f.name.as_bytes());
            h.update(b"\0");
            h.update(f.family.as_bytes());
            h.update(b"\0");
            h.update(blake3::hash(&f.data).as_bytes());
        }
        h.finalize().to_hex()[..32].to_string()
    }
}

/// Reads a font's family name (typographic family, else family) and weight.
fn font(name: &str, path: Option<&Path>, data: Vec<u8>) -> Result<Font, FontError> {
    let err = |message: String| FontError {
        path: path.map_or_else(|| PathBuf::from(name), Path::to_path_buf),
        message,
    };
    let face = ttf_parser::Face::parse(&data, 0)
        .map_err(|e| err(format!("is not a font reel can read ({e})")))?;
    let name_of = |id: u16| {
        face.names()
            .into_iter()
            .filter(|n| n.name_id == id && n.is_unicode())
            .find_map(|n| n.to_string())
    };
    let family = name_of(ttf_parser::name_id::TYPOGRAPHIC_FAMILY)
        .or_else(|| name_of(ttf_parser::name_id::FAMILY))
        .ok_or_else(|| err("has no family name".into()))?;
    let bold = face.is_bold();
    Ok(Font {
        name: name.to_string(),
        path: path.map(Path::to_path_buf),
        family,
        bold,
        data: std::sync::Arc::new(data),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_families() {
        let set = FontSet::load(None).unwrap();
        assert_eq!(set.families(), vec!["Noto Sans", "Noto Sans Devanagari"]);
        assert!(set.fonts.iter().any(|f| f.bold));
        assert!(set.covers("Noto Sans", 'A'));
        assert!(!set.covers("Noto Sans", 'क'));
        assert!(set.covers("Noto Sans Devanagari", 'क'));
        assert!(!set.covers("Noto Sans Devanagari", 'A'));
    }

    #[test]
    fn mixed_text_splits_by_script_and_keeps_clusters() {
        let set = FontSet::load(None).unwrap();
        let chain = ["Noto Sans", "Noto Sans Devanagari"];
        let runs = set.runs("Hello हिंदी क्षत्रिय, OK", &chain).unwrap();
        let got: Vec<(&str, &str)> = runs.iter().map(|(f, t)| (f.as_str(), t.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("Noto Sans", "Hello "),
                ("Noto Sans Devanagari", "हिंदी क्षत्रिय, "),
                ("Noto Sans", "OK"),
            ]
        );
        // Starting from the Devanagari font, Latin letters still switch.
        let runs = set
            .runs("पीछे Behind", &["Noto Sans Devanagari", "Noto Sans"])
            .unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[1], ("Noto Sans".to_string(), "Behind".to_string()));
    }

    #[test]
    fn uncovered_character_is_named() {
        let set = FontSet::load(None).unwrap();
        assert_eq!(set.runs("ok 你", &["Noto Sans"]), Err('你'));
    }

    #[test]
    fn an_unreadable_font_names_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broken.ttf");
        std::fs::write(&path, b"not a font").unwrap();
        let e = FontSet::load(Some(dir.path())).unwrap_err();
        assert_eq!(e.path, path);
        assert!(
            e.to_string().starts_with(&format!(
                "{}: is not a font reel can read (",
                path.display()
            )),
            "{e}"
        );
    }

    #[test]
    fn fingerprint_follows_font_bytes() {
        let a = FontSet::load(None).unwrap();
        let mut b = a.clone();
        let mut data = (*b.fonts[0].data).clone();
        let last = data.len() - 1;
        data[last] ^= 1;
        b.fonts[0].data = std::sync::Arc::new(data);
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint(), FontSet::load(None).unwrap().fingerprint());
    }
}
