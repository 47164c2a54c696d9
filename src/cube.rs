//! `.cube` colour lookup tables (Adobe/Resolve format), checked before a
//! render so that a bad file is reported with its own line; libavfilter's
//! `lut3d` applies them. Pure: no FFmpeg.

/// A problem in a `.cube` file, at a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct CubeError {
    pub line: usize,
    pub message: String,
}

/// Checks that `text` is a 3D `.cube` table `lut3d` can read: an
/// `LUT_3D_SIZE` of 2..=256 and exactly size³ rows of three numbers, with
/// optional `TITLE`, `DOMAIN_MIN`/`DOMAIN_MAX` and `#` comments. Returns
/// the table's size.
pub fn check(bytes: &[u8]) -> Result<usize, CubeError> {
    let text = std::str::from_utf8(bytes).map_err(|e| CubeError {
        line: bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1,
        message: "is not a text file".into(),
    })?;
    let err = |line: usize, message: String| CubeError { line, message };
    let mut size: Option<usize> = None;
    let mut rows = 0usize;
    let mut last = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        last = line;
        let mut words = l.split_whitespace();
        let first = words.next().unwrap_or("");
        let numbers = |words: std::str::SplitWhitespace, want: usize| -> Result<(), CubeError> {
            let parsed: Vec<f64> = words
                .map(|w| w.parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|_| err(line, format!("expected {want} numbers, found \"{l}\"")))?;
            if parsed.len() != want || parsed.iter().any(|x| !x.is_finite()) {
                return Err(err(line, format!("expected {want} numbers, found \"{l}\"")));
            }
            Ok(())
        };
        match first {
            "TITLE" => {}
            "LUT_1D_SIZE" => {
                return Err(err(line, "is a 1D table; lut3d needs LUT_3D_SIZE".into()));
            }
            "LUT_3D_SIZE" => {
                let n = words
                    .next()
                    .and_then(|w| w.parse::<usize>().ok())
                    .filter(|n| (2..=256).contains(n))
                    .ok_or_else(|| {
                        err(line, format!("expected LUT_3D_SIZE 2..256, found \"{l}\""))
                    })?;
                if rows > 0 {
                    return Err(err(line, "LUT_3D_SIZE comes after the table's rows".into()));
                }
                size = Some(n);
            }
            "DOMAIN_MIN" | "DOMAIN_MAX" => numbers(words, 3)?,
            w if w.parse::<f64>().is_ok() => {
                let Some(n) = size else {
                    return Err(err(line, "a table row before LUT_3D_SIZE".into()));
                };
                numbers(l.split_whitespace(), 3)?;
                rows += 1;
                if rows > n * n * n {
                    return Err(err(line, format!("more than {n}³ = {} rows", n * n * n)));
                }
            }
            other => return Err(err(line, format!("unknown keyword \"{other}\""))),
        }
    }
    let n = size.ok_or_else(|| err(last.max(1), "has no LUT_3D_SIZE".into()))?;
    if rows != n * n * n {
        return Err(err(
            last.max(1),
            format!("has {rows} rows; LUT_3D_SIZE {n} needs {}", n * n * n),
        ));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(n: usize) -> String {
        let mut s = format!("TITLE \"t\"\n# a comment\nLUT_3D_SIZE {n}\n");
        for b in 0..n {
            for g in 0..n {
                for r in 0..n {
                    let f = |x: usize| x as f64 / (n - 1) as f64;
                    s += &format!("{} {} {}\n", f(r), f(g), f(b));
                }
            }
        }
        s
    }

    #[test]
    fn a_table_passes_and_problems_name_their_line() {
        assert_eq!(check(table(3).as_bytes()), Ok(3));
        let short = table(3).lines().take(20).collect::<Vec<_>>().join("\n");
        assert_eq!(check(short.as_bytes()).unwrap_err().line, 20);
        let bad = table(3).replacen("0.5 0 0", "0.5 zero 0", 1);
        let e = check(bad.as_bytes()).unwrap_err();
        assert_eq!(e.line, 5, "{e:?}");
        assert!(check(b"LUT_1D_SIZE 4\n")
            .unwrap_err()
            .message
            .contains("1D"));
        assert_eq!(check(b"0 0 0\n").unwrap_err().line, 1);
        assert!(check(b"FOO 1\n").unwrap_err().message.contains("FOO"));
        assert_eq!(
            check(b"FOO 1\n").unwrap_err().to_string(),
            "line 1: unknown keyword \"FOO\""
        );
    }
}
