//! Colour: the four facts that say what a picture's numbers mean
//! (transfer, primaries, matrix, range), a source's HDR metadata, the
//! output's colour space, and the conversion between the two. Plain data:
//! the probe fills it in, the planner decides the conversion, the renderer
//! hands it to libavfilter's `zscale` and `tonemap`.

use std::fmt;

/// How code values relate to light (the transfer characteristic).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transfer {
    /// ITU-R BT.709 (and BT.601, BT.2020 SDR: the same curve).
    Bt709,
    /// IEC 61966-2-1, the curve of image files.
    Srgb,
    /// SMPTE ST 2084, BT.2100 PQ (HDR10): absolute, up to 10 000 cd/m².
    Pq,
    /// ARIB STD-B67, BT.2100 HLG: relative, 75% is reference white.
    Hlg,
    Linear,
}

/// Where the red, green and blue of a picture are (its gamut).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Primaries {
    Bt709,
    /// BT.601 525-line (SMPTE 170M); 625-line (BT.470BG) is close enough
    /// to be treated alike, as players do.
    Bt601,
    Bt2020,
    /// Display P3 (SMPTE EG 432, D65 white).
    P3,
}

/// The Y'CbCr matrix a picture was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Matrix {
    Bt709,
    Bt601,
    Smpte240m,
    Fcc,
    Bt2020,
}

/// Code value range: limited ("TV", 16–235 in 8 bits) or full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Range {
    Limited,
    Full,
}

/// The four facts of a picture's colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Colour {
    pub transfer: Transfer,
    pub primaries: Primaries,
    pub matrix: Matrix,
    pub range: Range,
}

impl Colour {
    /// SDR BT.709, limited range: reel's default output.
    pub const SDR: Colour = Colour {
        transfer: Transfer::Bt709,
        primaries: Primaries::Bt709,
        matrix: Matrix::Bt709,
        range: Range::Limited,
    };

    /// HDR: PQ or HLG.
    pub fn is_hdr(&self) -> bool {
        matches!(self.transfer, Transfer::Pq | Transfer::Hlg)
    }

    /// SDR in BT.709 or BT.601 colours (gamma, sRGB or BT.709 curve): what
    /// swscale's matrix-only conversion renders right into an SDR output.
    pub fn is_plain_sdr(&self) -> bool {
        matches!(self.transfer, Transfer::Bt709 | Transfer::Srgb)
            && matches!(self.primaries, Primaries::Bt709 | Primaries::Bt601)
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            self.transfer.name(),
            self.primaries.name(),
            self.matrix.name(),
            self.range.name()
        )
    }
}

/// Which of a source's four facts were not tagged and had to be guessed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Guessed {
    pub transfer: bool,
    pub primaries: bool,
    pub matrix: bool,
    pub range: bool,
}

impl Guessed {
    /// The names of the guessed facts, for messages.
    pub fn names(&self) -> Vec<&'static str> {
        [
            (self.transfer, "transfer"),
            (self.primaries, "primaries"),
            (self.matrix, "matrix"),
            (self.range, "range"),
        ]
        .into_iter()
        .filter_map(|(g, n)| g.then_some(n))
        .collect()
    }
}

/// A mastering display (SMPTE ST 2086), as HDR10 carries it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mastering {
    /// CIE 1931 xy of red, green, blue.
    pub primaries: [(f64, f64); 3],
    pub white: (f64, f64),
    /// cd/m².
    pub max_luminance: f64,
    pub min_luminance: f64,
}

impl Mastering {
    /// A BT.2020 / D65 mastering display of `max` cd/m² down to 0.0001.
    pub fn bt2020(max: f64) -> Mastering {
        Mastering {
            primaries: [(0.708, 0.292), (0.170, 0.797), (0.131, 0.046)],
            white: (0.3127, 0.3290),
            max_luminance: max,
            min_luminance: 0.0001,
        }
    }
}

/// HDR10 static metadata.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Hdr10 {
    pub mastering: Option<Mastering>,
    /// Content light level (CTA-861.3): brightest pixel and brightest
    /// frame average, cd/m².
    pub max_cll: Option<u32>,
    pub max_fall: Option<u32>,
}

impl Hdr10 {
    /// The brightest the content is said to be: MaxCLL, else the mastering
    /// display's peak.
    pub fn peak(&self) -> Option<f64> {
        self.max_cll
            .filter(|&c| c > 0)
            .map(f64::from)
            .or(self.mastering.map(|m| m.max_luminance).filter(|&m| m > 0.0))
    }
}

/// A Dolby Vision configuration record: the profile, and the base layer's
/// signal compatibility (what it is as plain video).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DolbyVision {
    pub profile: u8,
    pub level: u8,
    pub compatibility: u8,
}

impl DolbyVision {
    /// What the base layer is as plain video, or None where it cannot be
    /// shown without a Dolby Vision decoder (profile 5: IPT-PQ-c2).
    pub fn base_layer(&self) -> Option<Transfer> {
        match (self.profile, self.compatibility) {
            (5, _) => None,
            (8, 4) | (9, 4) => Some(Transfer::Hlg),
            (8, 2) | (9, 2) => Some(Transfer::Bt709),
            _ => Some(Transfer::Pq),
        }
    }
}

impl fmt::Display for DolbyVision {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "Dolby Vision {}.{}", self.profile, self.compatibility)
    }
}

/// What the probe found of a video source's colour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SourceColour {
    pub colour: Colour,
    pub guessed: Guessed,
    /// Bits per component.
    pub depth: u8,
    pub hdr10: Hdr10,
    pub dolby_vision: Option<DolbyVision>,
}

impl SourceColour {
    /// The brightest the source is said to be: its HDR10 metadata's peak,
    /// else the 1000 cd/m² assumed for HDR that does not say.
    pub fn peak(&self) -> f64 {
        self.hdr10.peak().unwrap_or(DEFAULT_PEAK)
    }

    /// An untagged 8-bit picture of this size, guessed as players do.
    pub fn untagged(width: u32, height: u32) -> SourceColour {
        SourceColour {
            colour: Colour {
                matrix: Matrix::guess(width, height),
                ..Colour::SDR
            },
            guessed: Guessed {
                transfer: true,
                primaries: true,
                matrix: true,
                range: true,
            },
            depth: 8,
            hdr10: Hdr10::default(),
            dolby_vision: None,
        }
    }
}

/// A clip's `color = { ... }`: tags that replace the source's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Override {
    pub transfer: Option<Transfer>,
    pub primaries: Option<Primaries>,
    pub matrix: Option<Matrix>,
    pub range: Option<Range>,
}

impl Override {
    pub fn apply(&self, mut c: Colour) -> Colour {
        c.transfer = self.transfer.unwrap_or(c.transfer);
        c.primaries = self.primaries.unwrap_or(c.primaries);
        c.matrix = self.matrix.unwrap_or(c.matrix);
        c.range = self.range.unwrap_or(c.range);
        c
    }

    pub fn is_empty(&self) -> bool {
        *self == Override::default()
    }
}

/// The output's colour space.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Space {
    /// BT.709 SDR.
    #[default]
    Sdr,
    /// BT.2100 PQ (HDR10).
    Pq,
    /// BT.2100 HLG.
    Hlg,
}

impl Space {
    pub const NAMES: &'static str = "sdr, pq, hlg";

    pub fn parse(s: &str) -> Option<Space> {
        Some(match s {
            "sdr" => Space::Sdr,
            "pq" => Space::Pq,
            "hlg" => Space::Hlg,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Space::Sdr => "sdr",
            Space::Pq => "pq",
            Space::Hlg => "hlg",
        }
    }

    /// The colour of the output's pictures.
    pub fn colour(self) -> Colour {
        let hdr = |transfer| Colour {
            transfer,
            primaries: Primaries::Bt2020,
            matrix: Matrix::Bt2020,
            range: Range::Limited,
        };
        match self {
            Space::Sdr => Colour::SDR,
            Space::Pq => hdr(Transfer::Pq),
            Space::Hlg => hdr(Transfer::Hlg),
        }
    }
}

/// libavfilter `tonemap`'s operators, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ToneMap {
    None,
    Clip,
    Linear,
    Gamma,
    Reinhard,
    Hable,
    Mobius,
}

impl ToneMap {
    pub const NAMES: &'static str = "hable, mobius, reinhard, clip, linear, gamma, none";

    pub fn parse(s: &str) -> Option<ToneMap> {
        Some(match s {
            "none" => ToneMap::None,
            "clip" => ToneMap::Clip,
            "linear" => ToneMap::Linear,
            "gamma" => ToneMap::Gamma,
            "reinhard" => ToneMap::Reinhard,
            "hable" => ToneMap::Hable,
            "mobius" => ToneMap::Mobius,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            ToneMap::None => "none",
            ToneMap::Clip => "clip",
            ToneMap::Linear => "linear",
            ToneMap::Gamma => "gamma",
            ToneMap::Reinhard => "reinhard",
            ToneMap::Hable => "hable",
            ToneMap::Mobius => "mobius",
        }
    }
}

/// HDR10 content light level of a PQ output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ContentLight {
    /// Measured from the rendered frames.
    #[default]
    Measure,
    /// MaxCLL and MaxFALL as given, cd/m².
    Given { max_cll: u32, max_fall: u32 },
}

/// `[output.color]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OutputColour {
    pub space: Space,
    pub tone_map: ToneMap,
    /// cd/m² that SDR white and HDR reference white are placed at.
    pub reference_white: u32,
    /// PQ: the mastering display's peak, cd/m².
    pub max_luminance: u32,
    pub content_light: ContentLight,
}

/// BT.2408's HDR reference white, cd/m².
pub const REFERENCE_WHITE: u32 = 203;

/// The peak assumed for HDR content that does not say its own.
pub const DEFAULT_PEAK: f64 = 1000.0;

impl Default for OutputColour {
    fn default() -> Self {
        OutputColour {
            space: Space::Sdr,
            tone_map: ToneMap::Mobius,
            reference_white: REFERENCE_WHITE,
            max_luminance: 1000,
            content_light: ContentLight::Measure,
        }
    }
}

impl OutputColour {
    pub fn colour(&self) -> Colour {
        self.space.colour()
    }

    /// A PQ output's mastering display: BT.2020, D65, `max_luminance`.
    pub fn mastering(&self) -> Mastering {
        Mastering::bt2020(self.max_luminance as f64)
    }

    /// Whether HDR content of colour `c` peaking at `peak` cd/m² is
    /// brighter than this output shows (and is tone mapped into it).
    pub fn exceeded_by(&self, c: Colour, peak: f64) -> bool {
        c.is_hdr() && peak > self.peak() + 0.5
    }

    /// The brightest the output can show, cd/m².
    pub fn peak(&self) -> f64 {
        match self.space {
            Space::Sdr => self.reference_white as f64,
            Space::Pq => self.max_luminance as f64,
            // HLG's nominal display: 75% at reference white, 100% at
            // about 1000 cd/m² for a 203 cd/m² reference.
            Space::Hlg => 1000.0 * self.reference_white as f64 / REFERENCE_WHITE as f64,
        }
    }
}

/// How a clip's pictures are brought to the output's colour.
#[derive(Debug, Clone, Copy, PartialEq, Hash)]
pub enum Conversion {
    /// SDR into SDR in BT.709/BT.601 colours: only the matrix and range
    /// change (swscale).
    Matrix { from: Matrix, full_range: bool },
    /// Any other: zscale converts transfer, primaries, matrix and range,
    /// tone mapping on the way where `tone_map` is set.
    Zscale(Zscale),
}

/// A conversion through zscale: the source's colour, the output's, what
/// linear 1.0 means between the steps, and the tone curve, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Zscale {
    pub from: Colour,
    pub to: Colour,
    /// cd/m² of linear 1.0 (zscale's `npl`): the reference white, so that
    /// SDR white and HDR reference white meet; the output's peak where a
    /// tone curve maps the source's peak to it.
    pub npl: u32,
    pub tone_map: Option<Tone>,
}

/// A tone curve: the operator and the source's peak in cd/m².
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tone {
    pub op: ToneMap,
    pub peak: u32,
    /// Into an SDR output (which desaturates the brightest highlights).
    pub to_sdr: bool,
}

impl Conversion {
    /// The conversion of a source of colour `from` (peak `peak` cd/m²,
    /// for HDR) into `out`.
    pub fn decide(from: Colour, peak: f64, out: &OutputColour) -> Conversion {
        let to = out.colour();
        if out.space == Space::Sdr && from.is_plain_sdr() {
            return Conversion::Matrix {
                from: from.matrix,
                full_range: from.range == Range::Full,
            };
        }
        let tone = (out.exceeded_by(from, peak) && out.tone_map != ToneMap::None).then(|| Tone {
            op: out.tone_map,
            peak: peak.round() as u32,
            to_sdr: out.space == Space::Sdr,
        });
        Conversion::Zscale(Zscale {
            from,
            to,
            npl: match tone {
                Some(_) => out.peak().round() as u32,
                None => out.reference_white,
            },
            tone_map: tone,
        })
    }

    /// What the conversion does, for `reel check`.
    pub fn describe(&self) -> String {
        match self {
            Conversion::Matrix { from, full_range } => {
                let range = if *full_range { " full range" } else { "" };
                if *from == Matrix::Bt709 && !full_range {
                    "none".to_string()
                } else {
                    format!("matrix {}{range} to bt709 limited (swscale)", from.name())
                }
            }
            Conversion::Zscale(z) => {
                let tone = z.tone_map.map_or(String::new(), |t| {
                    format!(", tone map {} from {} cd/m²", t.op.name(), t.peak)
                });
                format!("zscale to {}{tone}", z.to)
            }
        }
    }
}

impl Transfer {
    pub const NAMES: &'static str = "bt709, srgb, pq, hlg, linear";

    /// EDL names (also FFmpeg's where it has one).
    pub fn parse(s: &str) -> Option<Transfer> {
        Some(match s {
            "bt709" | "bt601" | "smpte170m" | "bt2020" | "bt2020-10" | "bt2020-12" => {
                Transfer::Bt709
            }
            "srgb" | "iec61966-2-1" => Transfer::Srgb,
            "pq" | "smpte2084" => Transfer::Pq,
            "hlg" | "arib-std-b67" => Transfer::Hlg,
            "linear" => Transfer::Linear,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Transfer::Bt709 => "bt709",
            Transfer::Srgb => "srgb",
            Transfer::Pq => "pq",
            Transfer::Hlg => "hlg",
            Transfer::Linear => "linear",
        }
    }

    /// zscale's name.
    pub fn zscale(self) -> &'static str {
        match self {
            Transfer::Bt709 => "bt709",
            Transfer::Srgb => "iec61966-2-1",
            Transfer::Pq => "smpte2084",
            Transfer::Hlg => "arib-std-b67",
            Transfer::Linear => "linear",
        }
    }
}

impl Primaries {
    pub const NAMES: &'static str = "bt709, bt601, bt2020, p3";

    pub fn parse(s: &str) -> Option<Primaries> {
        Some(match s {
            "bt709" => Primaries::Bt709,
            "bt601" | "smpte170m" | "bt470bg" => Primaries::Bt601,
            "bt2020" => Primaries::Bt2020,
            "p3" | "display-p3" | "smpte432" => Primaries::P3,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Primaries::Bt709 => "bt709",
            Primaries::Bt601 => "bt601",
            Primaries::Bt2020 => "bt2020",
            Primaries::P3 => "p3",
        }
    }

    /// zscale's name.
    pub fn zscale(self) -> &'static str {
        match self {
            Primaries::Bt709 => "bt709",
            Primaries::Bt601 => "smpte170m",
            Primaries::Bt2020 => "bt2020",
            Primaries::P3 => "smpte432",
        }
    }
}

impl Matrix {
    pub const NAMES: &'static str = "bt709, bt601, bt2020nc";

    /// What players assume for untagged video: BT.709 from 720 lines or
    /// 1280 columns up, BT.601 below.
    pub fn guess(width: u32, height: u32) -> Matrix {
        if width >= 1280 || height >= 720 {
            Matrix::Bt709
        } else {
            Matrix::Bt601
        }
    }

    pub fn parse(s: &str) -> Option<Matrix> {
        Some(match s {
            "bt709" => Matrix::Bt709,
            "bt601" | "smpte170m" | "bt470bg" => Matrix::Bt601,
            "bt2020nc" | "bt2020" | "bt2020ncl" => Matrix::Bt2020,
            _ => return None,
        })
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

    /// zscale's name.
    pub fn zscale(self) -> &'static str {
        match self {
            Matrix::Bt709 => "709",
            Matrix::Bt601 => "470bg",
            // zimg has no SMPTE 240M nor FCC matrix; 240M is close to
            // BT.709, FCC to BT.601.
            Matrix::Smpte240m => "709",
            Matrix::Fcc => "470bg",
            Matrix::Bt2020 => "2020_ncl",
        }
    }
}

impl Range {
    pub const NAMES: &'static str = "limited, full";

    pub fn parse(s: &str) -> Option<Range> {
        Some(match s {
            "limited" | "tv" | "mpeg" => Range::Limited,
            "full" | "pc" | "jpeg" => Range::Full,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Range::Limited => "limited",
            Range::Full => "full",
        }
    }

    /// zscale's name.
    pub fn zscale(self) -> &'static str {
        match self {
            Range::Limited => "limited",
            Range::Full => "full",
        }
    }
}

/// An sRGB / BT.709 colour (`#rrggbb` in the EDL) in the output's
/// non-linear RGB: unchanged in SDR; in HDR placed with its white at
/// reference white and converted to BT.2020, then PQ or HLG encoded.
pub fn encode_rgb(rgb: [u8; 3], out: &OutputColour) -> [u8; 3] {
    if out.space == Space::Sdr {
        return rgb;
    }
    // BT.709 non-linear to linear, as zscale takes an SDR clip's pictures
    // (the inverse of the BT.709 curve), so that a card's white and a
    // clip's white meet.
    let linear = rgb.map(|c| {
        let v = c as f64 / 255.0;
        if v < 0.081 {
            v / 4.5
        } else {
            ((v + 0.099) / 1.099).powf(1.0 / 0.45)
        }
    });
    // BT.709 to BT.2020 primaries (ITU-R BT.2087).
    const M: [[f64; 3]; 3] = [
        [0.6274, 0.3293, 0.0433],
        [0.0691, 0.9195, 0.0114],
        [0.0164, 0.0880, 0.8956],
    ];
    let wide = M.map(|row| row.iter().zip(&linear).map(|(m, c)| m * c).sum::<f64>());
    let nits = wide.map(|c| c.max(0.0) * out.reference_white as f64);
    let code = match out.space {
        Space::Pq => nits.map(pq_oetf),
        _ => hlg_from_display(nits),
    };
    code.map(|e| (e * 255.0).round().clamp(0.0, 255.0) as u8)
}

/// SMPTE ST 2084: cd/m² to signal (0..1).
pub fn pq_oetf(nits: f64) -> f64 {
    let (m1, m2) = (0.1593017578125, 78.84375);
    let (c1, c2, c3) = (0.8359375, 18.8515625, 18.6875);
    let y = (nits / 10_000.0).clamp(0.0, 1.0).powf(m1);
    ((c1 + c2 * y) / (1.0 + c3 * y)).powf(m2)
}

/// SMPTE ST 2084: signal (0..1) to cd/m².
pub fn pq_eotf(e: f64) -> f64 {
    let (m1, m2) = (0.1593017578125, 78.84375);
    let (c1, c2, c3) = (0.8359375, 18.8515625, 18.6875);
    let p = e.clamp(0.0, 1.0).powf(1.0 / m2);
    10_000.0 * ((p - c1).max(0.0) / (c2 - c3 * p)).powf(1.0 / m1)
}

/// BT.2100 HLG signal of display light (cd/m², BT.2020 RGB) on the
/// nominal 1000 cd/m² display (system gamma 1.2): the inverse OOTF, then
/// the OETF.
fn hlg_from_display(nits: [f64; 3]) -> [f64; 3] {
    const PEAK: f64 = 1000.0;
    const GAMMA: f64 = 1.2;
    let y_d = 0.2627 * nits[0] + 0.6780 * nits[1] + 0.0593 * nits[2];
    if y_d <= 0.0 {
        return [0.0; 3];
    }
    let y_s = (y_d / PEAK).powf(1.0 / GAMMA);
    let scale = y_s.powf(GAMMA - 1.0) * PEAK;
    nits.map(|f| {
        let e = (f / scale).clamp(0.0, 1.0);
        let (a, b, c) = (0.17883277, 0.28466892, 0.55991073);
        if e <= 1.0 / 12.0 {
            (3.0 * e).sqrt()
        } else {
            a * (12.0 * e - b).ln() + c
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hlg() -> Colour {
        Space::Hlg.colour()
    }

    #[test]
    fn plain_sdr_into_sdr_changes_only_the_matrix() {
        let out = OutputColour::default();
        let from = Colour {
            matrix: Matrix::Bt601,
            ..Colour::SDR
        };
        assert_eq!(
            Conversion::decide(from, 100.0, &out),
            Conversion::Matrix {
                from: Matrix::Bt601,
                full_range: false
            }
        );
    }

    #[test]
    fn hdr_into_sdr_is_tone_mapped_from_its_peak() {
        let out = OutputColour::default();
        let Conversion::Zscale(z) = Conversion::decide(hlg(), 1000.0, &out) else {
            panic!("HLG into SDR must go through zscale");
        };
        assert_eq!(
            z.tone_map,
            Some(Tone {
                op: ToneMap::Mobius,
                peak: 1000,
                to_sdr: true,
            })
        );
        assert_eq!((z.to, z.npl), (Colour::SDR, REFERENCE_WHITE));
    }

    #[test]
    fn hdr_within_the_outputs_peak_is_not_tone_mapped() {
        let out = OutputColour {
            space: Space::Pq,
            ..Default::default()
        };
        let Conversion::Zscale(z) = Conversion::decide(hlg(), 1000.0, &out) else {
            panic!("HLG into PQ must go through zscale");
        };
        assert_eq!(z.tone_map, None);
        let Conversion::Zscale(z) = Conversion::decide(hlg(), 4000.0, &out) else {
            panic!()
        };
        assert_eq!(z.tone_map.map(|t| t.peak), Some(4000));
    }

    #[test]
    fn wide_gamut_sdr_is_converted() {
        let from = Colour {
            primaries: Primaries::Bt2020,
            ..Colour::SDR
        };
        assert!(matches!(
            Conversion::decide(from, 100.0, &OutputColour::default()),
            Conversion::Zscale(Zscale { tone_map: None, .. })
        ));
    }

    #[test]
    fn sdr_white_lands_at_reference_white_in_hdr() {
        let out = |space| OutputColour {
            space,
            ..Default::default()
        };
        // BT.2408: 203 cd/m² is PQ 58%, HLG 75%.
        assert_eq!(encode_rgb([255; 3], &out(Space::Pq)), [148; 3]);
        assert_eq!(encode_rgb([255; 3], &out(Space::Hlg)), [191; 3]);
        assert_eq!(encode_rgb([0; 3], &out(Space::Pq)), [0; 3]);
        assert_eq!(encode_rgb([10, 200, 30], &out(Space::Sdr)), [10, 200, 30]);
        assert!((pq_eotf(pq_oetf(203.0)) - 203.0).abs() < 1e-6);
    }

    #[test]
    fn dolby_vision_profiles_name_their_base_layer() {
        let dv = |profile, compatibility| DolbyVision {
            profile,
            level: 6,
            compatibility,
        };
        assert_eq!(dv(8, 4).base_layer(), Some(Transfer::Hlg));
        assert_eq!(dv(8, 1).base_layer(), Some(Transfer::Pq));
        assert_eq!(dv(7, 6).base_layer(), Some(Transfer::Pq));
        assert_eq!(dv(5, 0).base_layer(), None);
    }

    #[test]
    fn names_parse_back() {
        for t in [
            Transfer::Bt709,
            Transfer::Srgb,
            Transfer::Pq,
            Transfer::Hlg,
            Transfer::Linear,
        ] {
            assert_eq!(Transfer::parse(t.name()), Some(t));
            assert_eq!(Transfer::parse(t.zscale()), Some(t));
        }
        for p in [
            Primaries::Bt709,
            Primaries::Bt601,
            Primaries::Bt2020,
            Primaries::P3,
        ] {
            assert_eq!(Primaries::parse(p.name()), Some(p));
        }
        for s in [Space::Sdr, Space::Pq, Space::Hlg] {
            assert_eq!(Space::parse(s.name()), Some(s));
        }
    }
}
