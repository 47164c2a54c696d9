//! What reel knows of each video encoder beyond what FFmpeg's option
//! tables say: its named profiles (the pixel formats each takes, the first
//! one the default), the settings it gets when the EDL gives none, its
//! presets, and the smallest picture it encodes. Plain data: the EDL reads
//! it to pick a default pixel format, the renderer to set the encoder up.

/// A named profile: the EDL's name, the value given to the encoder's
/// `profile` option, and the pixel formats it takes (the first is the
/// default when the EDL names none). An empty list takes any.
pub struct Profile {
    pub name: &'static str,
    pub value: &'static str,
    pub pix_fmts: &'static [&'static str],
}

/// What an encoder's `preset` may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presets {
    /// One of these names.
    Names(&'static [&'static str]),
    /// A whole number in this range.
    Numbers(i64, i64),
}

/// An encoder reel sets up knowingly.
pub struct Encoder {
    pub name: &'static str,
    pub profiles: &'static [Profile],
    /// The profile used when the EDL names none.
    pub default_profile: Option<&'static str>,
    /// The pixel format without a profile or a `pix_fmt`.
    pub pix_fmt: &'static str,
    /// `crf` and `preset` when the EDL gives none (and no bitrate).
    pub crf: Option<u32>,
    pub preset: Option<&'static str>,
    pub presets: Option<Presets>,
    /// Options set unless the EDL's `options` set them. Those marked
    /// `true` are rate control, left out when the EDL gives a bitrate.
    pub options: &'static [(&'static str, &'static str, bool)],
    /// The smallest width and height it encodes.
    pub min_size: (u32, u32),
}

/// x264's and x265's presets.
const X26X_PRESETS: &[&str] = &[
    "ultrafast",
    "superfast",
    "veryfast",
    "faster",
    "fast",
    "medium",
    "slow",
    "slower",
    "veryslow",
    "placebo",
];

const P422_10: &[&str] = &["yuv422p10le"];
const P444_10: &[&str] = &["yuv444p10le", "yuva444p10le"];

const PRORES: &[Profile] = &[
    p("proxy", "proxy", P422_10),
    p("lt", "lt", P422_10),
    p("standard", "standard", P422_10),
    p("hq", "hq", P422_10),
    p("4444", "4444", P444_10),
    p("4444xq", "4444xq", P444_10),
];

/// DNxHR (resolution independent); classic DNxHD needs one of a table of
/// sizes, rates and bit rates, and is not offered.
const DNXHR: &[Profile] = &[
    p("lb", "dnxhr_lb", &["yuv422p"]),
    p("sq", "dnxhr_sq", &["yuv422p"]),
    p("hq", "dnxhr_hq", &["yuv422p"]),
    p("hqx", "dnxhr_hqx", &["yuv422p10le"]),
    p("444", "dnxhr_444", &["yuv444p10le", "gbrp10le"]),
];

const X264: &[Profile] = &[
    p("baseline", "baseline", &["yuv420p"]),
    p("main", "main", &["yuv420p"]),
    p("high", "high", &["yuv420p"]),
    p("high10", "high10", &["yuv420p10le", "yuv420p"]),
    p(
        "high422",
        "high422",
        &["yuv422p", "yuv422p10le", "yuv420p", "yuv420p10le"],
    ),
    p("high444", "high444", &[]),
];

const X265: &[Profile] = &[
    p("main", "main", &["yuv420p"]),
    p("main10", "main10", &["yuv420p10le", "yuv420p"]),
    p(
        "main12",
        "main12",
        &["yuv420p12le", "yuv420p10le", "yuv420p"],
    ),
    p(
        "main422-10",
        "main422-10",
        &["yuv422p10le", "yuv422p", "yuv420p10le", "yuv420p"],
    ),
    p("main444-8", "main444-8", &["yuv444p", "yuv422p", "yuv420p"]),
    p("main444-10", "main444-10", &[]),
];

const VP9: &[Profile] = &[
    p("0", "0", &["yuv420p"]),
    p("1", "1", &["yuv422p", "yuv444p", "yuv440p"]),
    p("2", "2", &["yuv420p10le", "yuv420p12le"]),
    p(
        "3",
        "3",
        &["yuv422p10le", "yuv444p10le", "yuv422p12le", "yuv444p12le"],
    ),
];

const AV1: &[Profile] = &[
    p("main", "0", &["yuv420p", "yuv420p10le"]),
    p("high", "1", &["yuv444p", "yuv444p10le"]),
    p(
        "professional",
        "2",
        &["yuv422p", "yuv422p10le", "yuv420p12le"],
    ),
];

/// SVT-AV1 encodes 4:2:0 only.
const AV1_MAIN: &[Profile] = &[p("main", "0", &["yuv420p", "yuv420p10le"])];

const fn p(name: &'static str, value: &'static str, pix_fmts: &'static [&'static str]) -> Profile {
    Profile {
        name,
        value,
        pix_fmts,
    }
}

const fn plain(name: &'static str) -> Encoder {
    Encoder {
        name,
        profiles: &[],
        default_profile: None,
        pix_fmt: "yuv420p",
        crf: None,
        preset: None,
        presets: None,
        options: &[],
        min_size: (2, 2),
    }
}

const ENCODERS: &[Encoder] = &[
    Encoder {
        profiles: X264,
        crf: Some(20),
        preset: Some("veryfast"),
        presets: Some(Presets::Names(X26X_PRESETS)),
        ..plain("libx264")
    },
    Encoder {
        profiles: X265,
        crf: Some(20),
        preset: Some("veryfast"),
        presets: Some(Presets::Names(X26X_PRESETS)),
        ..plain("libx265")
    },
    Encoder {
        profiles: AV1_MAIN,
        crf: Some(35),
        preset: Some("8"),
        presets: Some(Presets::Numbers(-1, 13)),
        ..plain("libsvtav1")
    },
    Encoder {
        profiles: AV1,
        options: &[
            ("cpu-used", "6", false),
            ("row-mt", "1", false),
            ("crf", "32", true),
            ("b", "0", true),
        ],
        ..plain("libaom-av1")
    },
    Encoder {
        options: &[("speed", "8", false), ("qp", "100", true)],
        ..plain("librav1e")
    },
    Encoder {
        profiles: VP9,
        options: &[
            ("deadline", "good", false),
            ("cpu-used", "4", false),
            ("row-mt", "1", false),
            ("crf", "32", true),
            ("b", "0", true),
        ],
        ..plain("libvpx-vp9")
    },
    Encoder {
        profiles: PRORES,
        default_profile: Some("hq"),
        pix_fmt: "yuv422p10le",
        ..plain("prores_ks")
    },
    Encoder {
        profiles: DNXHR,
        default_profile: Some("hq"),
        pix_fmt: "yuv422p",
        min_size: (256, 120),
        ..plain("dnxhd")
    },
];

/// What reel knows of encoder `name`, if anything.
pub fn encoder(name: &str) -> Option<&'static Encoder> {
    ENCODERS.iter().find(|e| e.name == name)
}

impl Encoder {
    /// The named profile.
    pub fn profile(&self, name: &str) -> Option<&'static Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    /// The profile in effect: the one named, else (for an encoder with a
    /// default profile) the default if it takes `pix_fmt`, else the first
    /// that does, else the default.
    pub fn profile_for(&self, named: Option<&str>, pix_fmt: &str) -> Option<&'static Profile> {
        if let Some(name) = named {
            return self.profile(name);
        }
        // An encoder without a default profile is left to pick its own.
        let default = self.default_profile.and_then(|d| self.profile(d))?;
        let takes = |p: &&Profile| p.pix_fmts.contains(&pix_fmt);
        Some(default)
            .filter(takes)
            .or_else(|| self.profiles.iter().find(takes))
            .or(Some(default))
    }

    /// The profile names in words: "proxy, lt, standard".
    pub fn profile_names(&self) -> String {
        let names: Vec<&str> = self.profiles.iter().map(|p| p.name).collect();
        names.join(", ")
    }
}

/// The pixel format with alpha `codec` takes, for a transparent output
/// that names none.
pub fn alpha_pix_fmt(codec: &str) -> Option<&'static str> {
    match codec {
        "prores_ks" => Some("yuva444p10le"),
        "libvpx-vp9" | "libvpx" => Some("yuva420p"),
        "png" | "libwebp" | "qtrle" => Some("rgba"),
        "tiff" => Some("rgba"),
        "dpx" => Some("rgba64le"),
        _ => None,
    }
}

/// The pixel format for `codec` with `profile` (or its default profile)
/// when the EDL names none.
pub fn default_pix_fmt(codec: &str, profile: Option<&str>) -> &'static str {
    let Some(e) = encoder(codec) else {
        return "yuv420p";
    };
    profile
        .or(e.default_profile)
        .and_then(|name| e.profile(name))
        .and_then(|p| p.pix_fmts.first().copied())
        .unwrap_or(e.pix_fmt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pixel_format_given_without_a_profile_picks_one_that_takes_it() {
        let prores = encoder("prores_ks").unwrap();
        let name = |named, pix| prores.profile_for(named, pix).map(|p| p.name);
        assert_eq!(name(None, "yuv422p10le"), Some("hq"));
        assert_eq!(name(None, "yuva444p10le"), Some("4444"));
        assert_eq!(name(Some("lt"), "yuva444p10le"), Some("lt"));
        let x264 = encoder("libx264").unwrap();
        assert!(x264.profile_for(None, "yuv420p").is_none());
    }

    #[test]
    fn a_profile_picks_its_pixel_format() {
        assert_eq!(default_pix_fmt("prores_ks", None), "yuv422p10le");
        assert_eq!(default_pix_fmt("prores_ks", Some("4444")), "yuv444p10le");
        assert_eq!(default_pix_fmt("dnxhd", Some("hqx")), "yuv422p10le");
        assert_eq!(default_pix_fmt("dnxhd", None), "yuv422p");
        assert_eq!(default_pix_fmt("libx264", None), "yuv420p");
        assert_eq!(default_pix_fmt("libx265", Some("main10")), "yuv420p10le");
        assert_eq!(default_pix_fmt("mpeg4", None), "yuv420p");
    }
}
