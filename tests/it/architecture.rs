//! The layering of `src/`. Every file's references to other modules
//! (`crate::` paths, `super::` paths, a module's own submodules, and
//! `reel::` in the binary) are checked, in its code before any inline
//! `#[cfg(test)] mod tests { ... }`:
//! - Between top-level modules they point down [`LAYERS`] or sideways,
//!   never up.
//! - Inside a folder of [`FOLDERS`] (`edl/`, `plan/`, `interchange/`,
//!   `render/`, ...) they point down that folder's layers: e.g. `model` below
//!   the planner's phases below `plan/mod.rs`.
//! - No chain of them comes back to where it started: not between files,
//!   not between top-level modules, not between a folder's parts.
//! - The modules of [`PURE`] (the EDL, the planner, layers, interchange,
//!   captions, time, ...), every file under them included, make no FFmpeg
//!   calls, directly or through `crate::ffmpeg`.
//! - FFmpeg's `unsafe` lives in `src/ffmpeg/`: elsewhere no `unsafe` block
//!   or `unsafe fn` names FFmpeg (`unsafe` libc calls are fine).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Layers from the bottom. A file may use its own layer and those below,
/// as long as no cycle forms.
const LAYERS: &[&[&str]] = &[
    &["time", "error", "digest", "colour"],
    &[
        "container",
        "packet",
        "ffmpeg",
        "demux",
        "signal",
        "progress",
        "captions",
        "fonts",
        "cube",
        "resample",
        "video_codec",
        "pictures",
        "sequence",
    ],
    &["edl"],
    &["probe", "interchange"],
    &["layers"],
    &["plan"],
    &[
        "render", "audio", "proxy", "cache", "report", "import", "export",
    ],
    &["batch", "storyboard", "prepare"],
    &["", "main", "cli"],
];

/// Inside a folder module, the layers of its parts from the bottom, as in
/// [`LAYERS`]. A part is the file or subfolder right under the folder
/// (`validate` stands for all of `edl/validate/`); `""` is the folder's own
/// `mod.rs`. Modules declared `#[cfg(test)]` (`tests.rs`, `plan::testing`)
/// sit above every part. Within a folder, a file names the module that
/// defines an item (`super::model::Edl`), not a re-export in `mod.rs`
/// (`crate::edl::Edl`), or its reference points at `mod.rs`.
const FOLDERS: &[(&str, &[&[&str]])] = &[
    (
        "edl",
        &[
            // Source text, spans and values, which every part reads.
            &["syntax"],
            &["timing", "extends", "text", "messages", "channels"],
            // The resolved EDL. Its value enums (`Fit`, `AudioCurve`) are
            // also the serde types' fields, so `raw` sits above it.
            &["model"],
            // serde's view of the file, and the built-in proxy profile in it.
            &["raw", "profile"],
            &["validate"],
            &[""],
        ],
    ),
    // `text/mod.rs` holds the resolved text types the others build.
    ("edl::text", &[&["", "raw"], &["styles"], &["layers"]]),
    (
        "edl::validate",
        &[
            &["keys", "streams"],
            &["colour"],
            &["clip", "output", "sound"],
            &[""],
        ],
    ),
    (
        "plan",
        &[
            // Crop, focus and fit: the plan's types carry a `Geometry`.
            &["geometry"],
            &["model"],
            // What each source's colour is and how it is converted.
            &["colour", "streams"],
            // The planner's phases; `timecode` turns source timecodes
            // into times for `clips` and `audio`.
            &["timecode"],
            &["clips", "audio", "segments", "units", "range"],
            &[""],
        ],
    ),
    ("layers", &[&["model"], &["place", "script"], &[""]]),
    (
        "interchange",
        &[
            // `mod.rs` holds `Timeline` and `Event`, which every part uses.
            &[""],
            &["timecode", "place"],
            // The readers, then the writers (the CMX writer reuses the
            // reader's wipe codes).
            &["cmx", "otio", "fcpxml"],
            &["write"],
        ],
    ),
    (
        "interchange::cmx",
        &[&["lex"], &["read"], &["place"], &[""]],
    ),
    (
        "interchange::write",
        &[&["layout"], &["cmx", "otio", "fcpxml"], &[""]],
    ),
    (
        "captions",
        &[&["cue", "text"], &["parse", "lint", "write"], &[""]],
    ),
    (
        "audio",
        &[
            &[
                "duck",
                "loudness",
                "read",
                "retime",
                "sample_format",
                "stored",
            ],
            &["encode", "mix"],
            &["clipping"],
            &[""],
        ],
    ),
    (
        "render",
        &[
            &[
                "colour",
                "grade",
                "light",
                "alpha",
                "overlay",
                "constraints",
                "convert",
            ],
            &["stats", "blend", "motion", "encode", "join", "graphics"],
            &["gif"],
            // `settings` names `decode::OnDecodeError`, so it sits beside
            // `decode` rather than at the bottom.
            &["settings", "decode", "key", "pictures", "place"],
            &["lookup", "segment"],
            &["shard", "many"],
            &[""],
        ],
    ),
    (
        "render::many",
        &[&["targets"], &["board"], &["joins", "workers"], &[""]],
    ),
    (
        "batch",
        &[
            &["config"],
            &["say", "report"],
            &["shard", "prepare"],
            &["run"],
            &[""],
        ],
    ),
];

/// Modules that must not touch FFmpeg, with every file under them
/// (`plan::clips`, `edl::validate::clip`): no `ffmpeg_next`, `ff::` or
/// `ffi::`, and no reference to the FFmpeg glue in `crate::ffmpeg`.
const PURE: &[&str] = &[
    "time",
    "colour",
    "digest",
    "edl",
    "plan",
    "packet",
    "captions",
    "fonts",
    "layers",
    "cube",
    "resample",
    "interchange",
];

/// How code names FFmpeg: the crate, its usual `ff` alias, its C bindings.
const FFMPEG_NAMES: &[&str] = &["ffmpeg_next", "ffmpeg_sys", "ff::", "ffi::"];

/// Whether `module` is, or is a file under, a module of [`PURE`].
fn is_pure(module: &str) -> bool {
    PURE.contains(&module.split("::").next().unwrap_or(""))
}

/// Whether `code` names FFmpeg at byte `i` (as a whole name: `diff::` is
/// not `ff::`).
fn ffmpeg_at(code: &str, i: usize) -> bool {
    !code[..i].chars().next_back().is_some_and(is_ident)
        && FFMPEG_NAMES.iter().any(|n| code[i..].starts_with(n))
}

fn names_ffmpeg(code: &str) -> bool {
    code.char_indices().any(|(i, _)| ffmpeg_at(code, i))
}

/// Whether `code` has the keyword `word` at byte `i`.
fn word_at(code: &str, i: usize, word: &str) -> bool {
    code[i..].starts_with(word)
        && !code[..i].chars().next_back().is_some_and(is_ident)
        && !code[i + word.len()..].chars().next().is_some_and(is_ident)
}

/// The lines that name FFmpeg inside `unsafe`: from the keyword (of a
/// block, an `fn` or an `impl`, so an `unsafe fn`'s signature counts) to
/// the brace that closes its body. Other `unsafe` (libc calls) is fine.
fn ffmpeg_in_unsafe(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    // After `unsafe`, before its body's `{`.
    let mut waiting = false;
    // Braces open in the body.
    let mut depth = 0usize;
    for (line, code) in code_lines(text) {
        let mut hit = false;
        for (i, c) in code.char_indices() {
            // `#[unsafe(no_mangle)]` is an attribute, not a block.
            if depth == 0
                && word_at(code, i, "unsafe")
                && !code[i + "unsafe".len()..].trim_start().starts_with('(')
            {
                waiting = true;
            }
            match c {
                '{' if waiting => {
                    waiting = false;
                    depth = 1;
                }
                '{' if depth > 0 => depth += 1,
                '}' if depth > 0 => depth -= 1,
                // `unsafe fn f();` in a trait or `extern` block has no body.
                ';' if waiting => waiting = false,
                _ => {}
            }
            hit |= (waiting || depth > 0) && ffmpeg_at(code, i);
        }
        if hit {
            out.push((line, code.trim().to_string()));
        }
    }
    out
}

/// A reference from one file to another module.
struct Edge {
    to: String,
    line: usize,
    text: String,
}

/// Module path of a file under `src/`: `render/decode.rs` is
/// `render::decode`, `render/mod.rs` is `render`, `lib.rs` is the root ("").
fn module_of(rel: &Path) -> String {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
        parts.pop();
    }
    parts.join("::")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src/ is readable") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The lines of a file before its inline unit tests (`#[cfg(test)] mod
/// tests { ... }`, last in a file), without comments. A `#[cfg(test)]` on
/// anything else (`mod tests;` naming a sibling file, a test-only helper)
/// does not end the code.
fn code_lines(text: &str) -> Vec<(usize, &str)> {
    let lines: Vec<&str> = text.lines().collect();
    let inline_tests = |i: usize| {
        lines[i].trim_start().starts_with("#[cfg(test)]")
            && lines[i + 1..]
                .iter()
                .map(|l| l.trim_start())
                .find(|l| !l.starts_with("#[") && !l.starts_with("//"))
                .is_some_and(|item| {
                    let item = item
                        .trim_start_matches("pub(crate) ")
                        .trim_start_matches("pub ");
                    item.starts_with("mod ") && item.contains('{')
                })
    };
    (0..lines.len())
        .take_while(|&i| !inline_tests(i))
        .map(|i| (i + 1, lines[i].split("//").next().unwrap_or("")))
        .collect()
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The module paths a line names after `prefix` (e.g. `crate::`): each
/// `a::b::c`, and each item of a `{a, b::c}` group.
fn paths_after(line: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().next_back();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(is_ident) {
            continue;
        }
        let path: String = rest
            .chars()
            .take_while(|c| is_ident(*c) || *c == ':')
            .collect();
        let path = path.trim_end_matches(':').to_string();
        let after = &rest[path.len()..].trim_start_matches(':');
        if after.starts_with('{') {
            let group = &after[1..after.find('}').unwrap_or(after.len())];
            for item in group.split(',') {
                let item: String = item
                    .trim()
                    .chars()
                    .take_while(|c| is_ident(*c) || *c == ':')
                    .collect();
                if !item.is_empty() {
                    let joined = if path.is_empty() {
                        item
                    } else {
                        format!("{path}::{item}")
                    };
                    out.push(joined);
                }
            }
        }
        if !path.is_empty() {
            out.push(path);
        }
    }
    out
}

/// The longest known module that `path` (relative to the crate root)
/// starts with.
fn resolve(path: &str, modules: &BTreeSet<String>) -> Option<String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find(|m| modules.contains(m))
}

fn layer(module: &str) -> Option<usize> {
    let top = module.split("::").next().unwrap_or("");
    LAYERS.iter().position(|l| l.contains(&top))
}

fn edges(module: &str, text: &str, in_binary: bool, modules: &BTreeSet<String>) -> Vec<Edge> {
    let parent = module.rsplit_once("::").map_or("", |(p, _)| p);
    let mut out = Vec::new();
    for (line, code) in code_lines(text) {
        let mut found: Vec<String> = Vec::new();
        let root = if in_binary { "reel::" } else { "crate::" };
        found.extend(
            paths_after(code, root)
                .iter()
                .filter_map(|p| resolve(p, modules)),
        );
        found.extend(
            paths_after(code, "super::")
                .iter()
                .filter_map(|p| resolve(format!("{parent}::{p}").trim_start_matches(':'), modules)),
        );
        // A module's own submodules, named without `self::`.
        for word in code.split(|c: char| !is_ident(c) && c != ':') {
            if let Some((first, _)) = word.split_once("::") {
                let child = if module.is_empty() {
                    first.to_string()
                } else {
                    format!("{module}::{first}")
                };
                if !module.is_empty() && modules.contains(&child) {
                    found.push(child);
                }
            }
        }
        for to in found {
            if to != module {
                out.push(Edge {
                    to,
                    line,
                    text: code.trim().to_string(),
                });
            }
        }
    }
    out
}

/// The modules a file declares under `#[cfg(test)]` (`mod tests;`).
fn test_modules(module: &str, text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    lines
        .windows(2)
        .filter(|w| w[0].starts_with("#[cfg(test)]"))
        .filter_map(|w| {
            let item = w[1].strip_prefix("pub(crate) ").unwrap_or(w[1]);
            let name = item.strip_prefix("mod ")?.strip_suffix(';')?;
            Some(if module.is_empty() {
                name.to_string()
            } else {
                format!("{module}::{name}")
            })
        })
        .collect()
}

/// The part of `folder` that `module` is in: `validate` for
/// `edl::validate::clip` in `edl`, `""` for the folder itself, `None` outside.
fn part_in<'a>(folder: &str, module: &'a str) -> Option<&'a str> {
    if module == folder {
        return Some("");
    }
    let rest = module.strip_prefix(folder)?.strip_prefix("::")?;
    rest.split("::").next()
}

/// The module a part of `folder` stands for.
fn part_path(folder: &str, part: &str) -> String {
    if part.is_empty() {
        folder.to_string()
    } else {
        format!("{folder}::{part}")
    }
}

/// The layer of `part` among a folder's `layers`; test-only modules sit on
/// top.
fn folder_layer(
    folder: &str,
    layers: &[&[&str]],
    part: &str,
    test_only: &BTreeSet<String>,
) -> Option<usize> {
    if test_only.contains(&part_path(folder, part)) {
        return Some(layers.len());
    }
    layers.iter().position(|l| l.contains(&part))
}

/// References that point up a layer inside a folder of [`FOLDERS`], and
/// files in no layer of their folder. `file_of` names each module's file.
fn folder_problems(
    graph: &BTreeMap<String, Vec<Edge>>,
    file_of: &BTreeMap<String, String>,
    test_only: &BTreeSet<String>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (folder, layers) in FOLDERS {
        let mut unplaced = BTreeSet::new();
        for (from, edges) in graph {
            let Some(part) = part_in(folder, from) else {
                continue;
            };
            let file = file_of.get(from).map_or(from.as_str(), String::as_str);
            let Some(from_layer) = folder_layer(folder, layers, part, test_only) else {
                if unplaced.insert(part) {
                    out.push(format!(
                        "{file}: `{from}` is in no layer of `{folder}`; add `{part}` to its row in FOLDERS"
                    ));
                }
                continue;
            };
            for e in edges {
                let Some(to_part) = part_in(folder, &e.to) else {
                    continue;
                };
                let to_layer =
                    folder_layer(folder, layers, to_part, test_only).unwrap_or(usize::MAX);
                if to_layer > from_layer {
                    out.push(format!(
                        "{file}:{}: `{}` points up a layer inside `{folder}`, from `{from}` (`{part}`, layer {from_layer}) to `{}` (`{to_part}`, layer {to_layer})",
                        e.line, e.text, e.to
                    ));
                }
            }
        }
    }
    out
}

/// The graph between the groups `node` puts modules in (a folder's parts,
/// the top-level modules): references inside a group, or from or to a
/// module in none, are left out. A reference from a file of a larger group
/// is told with the file's module.
fn collapse(
    graph: &BTreeMap<String, Vec<Edge>>,
    node: impl Fn(&str) -> Option<String>,
) -> BTreeMap<String, Vec<Edge>> {
    let mut out: BTreeMap<String, Vec<Edge>> = BTreeMap::new();
    for (from, edges) in graph {
        let Some(from_node) = node(from) else {
            continue;
        };
        let list = out.entry(from_node.clone()).or_default();
        for e in edges {
            match node(&e.to) {
                Some(to) if to != from_node => list.push(Edge {
                    to,
                    line: e.line,
                    text: if *from == from_node {
                        e.text.clone()
                    } else {
                        format!("{from}: {}", e.text)
                    },
                }),
                _ => {}
            }
        }
    }
    out
}

#[test]
fn modules_depend_one_way_without_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    files(&src, &mut paths);
    let rel = |p: &Path| p.strip_prefix(&src).expect("under src").to_path_buf();
    let modules: BTreeSet<String> = paths.iter().map(|p| module_of(&rel(p))).collect();
    let mut graph: BTreeMap<String, Vec<Edge>> = BTreeMap::new();
    let mut file_of: BTreeMap<String, String> = BTreeMap::new();
    let mut test_only: BTreeSet<String> = BTreeSet::new();
    let mut problems = Vec::new();
    for (folder, layers) in FOLDERS {
        for part in layers.iter().flat_map(|l| l.iter()) {
            if !modules.contains(&part_path(folder, part)) {
                problems.push(format!(
                    "FOLDERS: the row of `{folder}` lists `{part}`, but there is no module `{}`",
                    part_path(folder, part)
                ));
            }
        }
    }
    for p in &paths {
        let r = rel(p);
        let module = module_of(&r);
        let text = std::fs::read_to_string(p).expect("readable");
        file_of.insert(module.clone(), format!("src/{}", r.display()));
        test_only.extend(test_modules(&module, &text));
        let in_binary = module == "main" || module == "cli";
        let Some(from_layer) = layer(&module) else {
            problems.push(format!(
                "src/{}: module `{module}` is in no layer; add it to LAYERS",
                r.display()
            ));
            continue;
        };
        let found = edges(&module, &text, in_binary, &modules);
        for e in &found {
            let to_layer = layer(&e.to).unwrap_or(usize::MAX);
            if to_layer > from_layer {
                problems.push(format!(
                    "src/{}:{}: `{}` points up a layer, from `{module}` (layer {from_layer}) to `{}` (layer {to_layer})",
                    r.display(),
                    e.line,
                    e.text,
                    e.to
                ));
            }
        }
        if is_pure(&module) {
            for (line, code) in code_lines(&text) {
                if names_ffmpeg(code) {
                    problems.push(format!(
                        "src/{}:{line}: `{module}` must make no FFmpeg calls: `{}`",
                        r.display(),
                        code.trim()
                    ));
                }
            }
            for e in found
                .iter()
                .filter(|e| e.to.split("::").next() == Some("ffmpeg"))
            {
                problems.push(format!(
                    "src/{}:{}: `{module}` must make no FFmpeg calls, not even through `{}`: `{}`",
                    r.display(),
                    e.line,
                    e.to,
                    e.text
                ));
            }
        }
        if module.split("::").next() != Some("ffmpeg") {
            for (line, code) in ffmpeg_in_unsafe(&text) {
                problems.push(format!(
                    "src/{}:{line}: FFmpeg's `unsafe` belongs in src/ffmpeg/: `{code}`",
                    r.display()
                ));
            }
        }
        graph.insert(module, found);
    }
    problems.extend(folder_problems(&graph, &file_of, &test_only));
    problems.extend(cycles(&graph));
    // Directory modules (render/, audio/) count as one: a cycle through
    // any of their files is a cycle between modules. Likewise a folder's
    // subfolders (edl/validate/) among its parts.
    let top = |m: &str| Some(m.split("::").next().unwrap_or("").to_string());
    problems.extend(cycles(&collapse(&graph, top)));
    for (folder, _) in FOLDERS {
        let part = |m: &str| part_in(folder, m).map(|p| part_path(folder, p));
        problems.extend(cycles(&collapse(&graph, part)));
    }
    // A cycle among single files shows in the collapsed graphs too.
    let mut seen = BTreeSet::new();
    problems.retain(|p| seen.insert(p.clone()));
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

/// Every group of modules that reach each other (a cycle), with the
/// references that close it.
fn cycles(graph: &BTreeMap<String, Vec<Edge>>) -> Vec<String> {
    let reach = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(n) = todo.pop() {
            for e in graph.get(&n).into_iter().flatten() {
                if seen.insert(e.to.clone()) {
                    todo.push(e.to.clone());
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|k| (k, reach(k))).collect();
    let mut reported = BTreeSet::new();
    let mut out = Vec::new();
    for (node, from_node) in &reached {
        if reported.contains(*node) || !from_node.contains(*node) {
            continue;
        }
        let group: BTreeSet<&String> = reached
            .iter()
            .filter(|(other, r)| from_node.contains(**other) && r.contains(*node))
            .map(|(other, _)| *other)
            .collect();
        let mut closing: Vec<String> = Vec::new();
        for from in &group {
            let mut seen = BTreeSet::new();
            for e in graph[*from].iter().filter(|e| group.contains(&e.to)) {
                if seen.insert(&e.to) {
                    closing.push(format!(
                        "{from} -> {} (line {}: `{}`)",
                        e.to, e.line, e.text
                    ));
                }
            }
        }
        out.push(format!("cycle among {group:?}: {}", closing.join("; ")));
        reported.extend(group.into_iter().cloned());
    }
    out
}

#[test]
fn the_checker_finds_references() {
    let modules: BTreeSet<String> = ["render", "render::join", "time", "error", "audio"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let text = "use crate::{time::Ratio, error};\nfn f() { crate::render::join::x(); }\n\
                // crate::audio in a comment\nuse super::join;\n";
    let found: Vec<(String, usize)> = edges("render::key", text, false, &modules)
        .into_iter()
        .map(|e| (e.to, e.line))
        .collect();
    assert_eq!(
        found,
        vec![
            ("time".to_string(), 1),
            ("error".to_string(), 1),
            ("render::join".to_string(), 2),
            ("render::join".to_string(), 4),
        ]
    );
    // Purity covers every file under a pure module, and names FFmpeg only
    // as a whole name.
    assert!(is_pure("plan::clips") && is_pure("edl::validate::clip") && is_pure("interchange"));
    assert!(!is_pure("render::decode") && !is_pure("ffmpeg"));
    assert!(names_ffmpeg("let f = ff::frame::Video::empty();"));
    assert!(names_ffmpeg("use ffmpeg_next as ff;") && names_ffmpeg("(ffi::AV_NOPTS_VALUE)"));
    assert!(!names_ffmpeg("let d = diff::lines(a, b);") && !names_ffmpeg("buff::x"));
    // Inside a folder: `model` may not use `validate`, which may use
    // `model`; test-only modules may use anything in their folder.
    let mut graph = BTreeMap::new();
    let at = |to: &str, line| Edge {
        to: to.into(),
        line,
        text: String::new(),
    };
    graph.insert("edl::model".to_string(), vec![at("edl::validate::clip", 7)]);
    graph.insert("edl::validate::clip".to_string(), vec![at("edl::model", 3)]);
    graph.insert(
        "edl::tests".to_string(),
        vec![at("edl", 1), at("edl::validate", 2)],
    );
    graph.insert("render::stats".to_string(), vec![at("render::shard", 4)]);
    let test_only = test_modules("edl", "#[cfg(test)]\nmod tests;\nmod model;\n");
    assert_eq!(test_only, vec!["edl::tests".to_string()]);
    let found = folder_problems(&graph, &BTreeMap::new(), &test_only.into_iter().collect());
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].starts_with("edl::model:7:") && found[0].contains("(`validate`, layer 4)"));
    assert!(found[1].starts_with("render::stats:4:"), "{found:#?}");
    assert_eq!(
        part_in("interchange", "interchange::cmx::read"),
        Some("cmx")
    );
    assert_eq!(part_in("edl", "edlx::a"), None);
    // FFmpeg named inside `unsafe`: in a block, in an `unsafe fn` (its
    // signature too), but not after the block closes, nor in libc's.
    let text = "fn a() {\n    let r = unsafe { libc::kill(1, 0) };\n    let f = ff::frame::Video::empty();\n}\n\
                unsafe fn b(p: *mut ff::ffi::AVFrame) {\n    if p.is_null() {\n        return;\n    }\n    \
                ff::ffi::av_frame_free(&mut p);\n}\nfn c() {\n    unsafe {\n        ffi::av_log_set_level(0)\n    }\n    \
                let s = ff::format::input(&p);\n}\n#![forbid(unsafe_code)]\nfn d() { ff::init(); }\n";
    let lines: Vec<usize> = ffmpeg_in_unsafe(text).into_iter().map(|(l, _)| l).collect();
    assert_eq!(lines, vec![5, 9, 13], "{text}");
    // A `mod tests;` naming a sibling file does not end the code; an inline
    // `mod tests { ... }` does.
    let text = "#[cfg(test)]\nmod tests;\nuse crate::time;\n#[cfg(test)]\nmod tests {\n    use crate::audio;\n}\n";
    let found: Vec<(String, usize)> = edges("render::key", text, false, &modules)
        .into_iter()
        .map(|e| (e.to, e.line))
        .collect();
    assert_eq!(found, vec![("time".to_string(), 3)]);
    let mut graph = BTreeMap::new();
    let edge = |to: &str| Edge {
        to: to.into(),
        line: 1,
        text: String::new(),
    };
    graph.insert("a".to_string(), vec![edge("b")]);
    graph.insert("b".to_string(), vec![edge("a")]);
    assert_eq!(cycles(&graph).len(), 1, "{:?}", cycles(&graph));
}
