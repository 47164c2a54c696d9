//! `extends = "base.toml"`: an EDL that inherits everything from another.
//!
//! Tables merge key by key (the child's keys win); an array of tables
//! (`[[clip]]`, `[[voiceover]]`, `[[captions]]` ...) given in the child
//! replaces the parent's whole array; paths stay relative to the file that
//! wrote them; chains are allowed and cycles are an error. The merged EDL
//! is written out as text with a note of which file each line came from,
//! so that every error names the file and line that hold the bad value.

use crate::error::{Diagnostic, Diagnostics, Span};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::{Table, Value};

/// The keys whose values are paths, relative to the file that wrote them:
/// (table, key); `*` is any profile name, `[]` an array of tables.
const PATHS: &[(&str, &str)] = &[
    ("output", "path"),
    ("output", "lut"),
    ("profile.*", "path"),
    ("fonts", "dir"),
    ("clip[]", "source"),
    ("clip[]", "lut"),
    ("voiceover[]", "source"),
    ("music[]", "source"),
    ("captions[]", "source"),
    ("overlay[]", "source"),
];

/// A merged EDL: its text, and for each of its lines the file and the
/// dotted key (`output.fps`, `clip#2.source`) it came from.
#[derive(Debug)]
pub struct Merged {
    pub text: String,
    origins: Vec<Option<(PathBuf, String)>>,
    /// Each file of the chain and its text, child first.
    files: Vec<(PathBuf, String)>,
}

/// The EDL `text` of `file` with its `extends` chain merged in, or None
/// when it extends nothing.
pub fn resolve(file: &Path, text: &str) -> Result<Option<Merged>, Diagnostics> {
    let Ok(table) = toml::from_str::<Table>(text) else {
        // Syntax errors are reported by the EDL parser, at their place.
        return Ok(None);
    };
    if !table.contains_key("extends") {
        return Ok(None);
    }
    let mut files = vec![(file.to_path_buf(), text.to_string())];
    let mut tables = vec![table];
    loop {
        let (child_path, child_text) = files.last().expect("one file").clone();
        let Some(parent) = tables.last().expect("one table").get("extends").cloned() else {
            break;
        };
        let at_key = |message: String| {
            let d = Diagnostic::new(&child_path, message);
            match find_key(&child_text, "", "extends") {
                Some((line, col, span)) => d.at(line, col).span(span).key("extends"),
                None => d,
            }
        };
        let Value::String(parent) = parent else {
            return Err(at_key("`extends` is the path of another EDL".into()).into());
        };
        let parent_path = super::syntax::resolve(&child_path, &parent);
        let chain = |last: &Path| {
            files
                .iter()
                .map(|(p, _)| p.display().to_string())
                .chain(std::iter::once(last.display().to_string()))
                .collect::<Vec<_>>()
                .join(" extends ")
        };
        let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        if files
            .iter()
            .any(|(p, _)| canonical(p) == canonical(&parent_path))
        {
            return Err(at_key(format!("`extends` makes a cycle: {}", chain(&parent_path))).into());
        }
        let parent_text = std::fs::read_to_string(&parent_path).map_err(|e| {
            Diagnostics::from(at_key(format!(
                "cannot read {} ({e}): {}",
                parent_path.display(),
                chain(&parent_path)
            )))
        })?;
        let parent_table = toml::from_str::<Table>(&parent_text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            let src = super::syntax::SourceText::new(&parent_path, &parent_text);
            Diagnostics::from(src.at(&span, e.message().trim().to_string()))
        })?;
        files.push((parent_path, parent_text));
        tables.push(parent_table);
        if files.len() > 64 {
            return Err(at_key("`extends` chains more than 64 files".into()).into());
        }
    }
    // Merge from the furthest ancestor down, each file's paths made
    // absolute first.
    let mut merged = Table::new();
    let mut origin: BTreeMap<String, PathBuf> = BTreeMap::new();
    for ((path, _), mut table) in files.iter().zip(tables).rev() {
        table.remove("extends");
        absolute_paths(&mut table, path);
        merge(&mut merged, table, "", path, &mut origin);
    }
    let (text, origins) = write(&merged, &origin);
    Ok(Some(Merged {
        text,
        origins,
        files,
    }))
}

/// Makes the relative paths of `table` (written in `file`) absolute.
fn absolute_paths(table: &mut Table, file: &Path) {
    let fix = |v: &mut Value| {
        if let Value::String(s) = v {
            let p = super::syntax::resolve(file, s);
            *s = std::path::absolute(&p).unwrap_or(p).display().to_string();
        }
    };
    for (where_, key) in PATHS {
        if let Some(array) = where_.strip_suffix("[]") {
            if let Some(Value::Array(items)) = table.get_mut(array) {
                for item in items {
                    if let Some(v) = item.as_table_mut().and_then(|t| t.get_mut(*key)) {
                        fix(v);
                    }
                }
            }
        } else if let Some(group) = where_.strip_suffix(".*") {
            if let Some(Value::Table(profiles)) = table.get_mut(group) {
                for (_, p) in profiles.iter_mut() {
                    if let Some(v) = p.as_table_mut().and_then(|t| t.get_mut(*key)) {
                        fix(v);
                    }
                }
            }
        } else if let Some(v) = table
            .get_mut(*where_)
            .and_then(Value::as_table_mut)
            .and_then(|t| t.get_mut(*key))
        {
            fix(v);
        }
    }
}

/// Merges `child` over `into`: tables key by key, anything else (arrays
/// of tables included) replaced. Notes where each key came from.
fn merge(
    into: &mut Table,
    child: Table,
    prefix: &str,
    file: &Path,
    origin: &mut BTreeMap<String, PathBuf>,
) {
    for (k, v) in child {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match (into.get_mut(&k), v) {
            (Some(Value::Table(old)), Value::Table(new)) => merge(old, new, &path, file, origin),
            (_, v) => {
                origin.retain(|p, _| p != &path && !p.starts_with(&format!("{path}.")));
                origin.insert(path, file.to_path_buf());
                into.insert(k, v);
            }
        }
    }
}

/// The file a dotted key came from: its own entry or its nearest parent's.
fn origin_of(origin: &BTreeMap<String, PathBuf>, path: &str) -> Option<PathBuf> {
    // An array item's keys (`clip#2.source`) come with their array.
    let mut p = path.split('#').next().unwrap_or(path);
    loop {
        if let Some(f) = origin.get(p) {
            return Some(f.clone());
        }
        p = p.rsplit_once('.')?.0;
    }
}

/// Writes `table` as TOML, one key per line, with the origin of each line.
fn write(
    table: &Table,
    origin: &BTreeMap<String, PathBuf>,
) -> (String, Vec<Option<(PathBuf, String)>>) {
    let mut w = Writer {
        text: String::new(),
        origins: Vec::new(),
        origin,
    };
    w.table(table, "", None);
    (w.text, w.origins)
}

struct Writer<'a> {
    text: String,
    origins: Vec<Option<(PathBuf, String)>>,
    origin: &'a BTreeMap<String, PathBuf>,
}

impl Writer<'_> {
    fn line(&mut self, line: String, key: Option<String>) {
        let o = key.and_then(|k| origin_of(self.origin, &k).map(|f| (f, k)));
        self.text.push_str(&line);
        self.text.push('\n');
        self.origins.push(o);
    }

    /// Writes the plain keys of `t`, then its sub-tables and arrays of
    /// tables under headers. `header` is its own header, if it needs one.
    fn table(&mut self, t: &Table, prefix: &str, header: Option<String>) {
        let dotted = |k: &str| {
            if prefix.is_empty() {
                k.to_string()
            } else {
                format!("{prefix}.{k}")
            }
        };
        if let Some(h) = header {
            self.line(h, Some(prefix.to_string()));
        }
        let is_tables = |v: &Value| matches!(v, Value::Array(a) if !a.is_empty() && a.iter().all(Value::is_table));
        for (k, v) in t {
            if !v.is_table() && !is_tables(v) {
                self.line(format!("{} = {v}", key_text(k)), Some(dotted(k)));
            }
        }
        for (k, v) in t {
            let path = dotted(k);
            match v {
                Value::Table(sub) => {
                    let h = format!("[{}]", header_text(&path));
                    self.table(sub, &path, Some(h));
                }
                Value::Array(items) if is_tables(v) => {
                    for (i, item) in items.iter().enumerate() {
                        let h = format!("[[{}]]", header_text(&path));
                        let sub = item.as_table().expect("checked");
                        // Array items keep the array's origin, and their index.
                        self.line(h, Some(format!("{path}#{i}")));
                        let inner = path.clone();
                        for (ik, iv) in sub {
                            self.line(
                                format!("{} = {iv}", key_text(ik)),
                                Some(format!("{inner}#{i}.{ik}")),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

fn key_text(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        Value::String(k.to_string()).to_string()
    }
}

fn header_text(path: &str) -> String {
    path.split('.').map(key_text).collect::<Vec<_>>().join(".")
}

impl Merged {
    /// Points diagnostics about the merged text at the file and line that
    /// hold the value.
    pub fn relocate(&self, diags: Diagnostics, merged_file: &Path) -> Diagnostics {
        Diagnostics(
            diags
                .0
                .into_iter()
                .map(|d| self.relocate_one(d, merged_file))
                .collect(),
        )
    }

    fn relocate_one(&self, mut d: Diagnostic, merged_file: &Path) -> Diagnostic {
        if d.file != merged_file {
            return d;
        }
        let Some(line) = d.line else { return d };
        // The key line at or above the error's line.
        let found = (0..line.min(self.origins.len()))
            .rev()
            .find_map(|i| self.origins[i].clone());
        let Some((file, key)) = found else { return d };
        let Some((_, text)) = self.files.iter().find(|(p, _)| *p == file) else {
            return d;
        };
        // `clip#2.source`: the third [[clip]] table's `source`.
        let (table, leaf) = match key.split_once('#') {
            Some((array, rest)) => {
                let (index, leaf) = rest.split_once('.').unwrap_or((rest, ""));
                (format!("{array}#{index}"), leaf.to_string())
            }
            None => match key.rsplit_once('.') {
                Some((t, k)) => (t.to_string(), k.to_string()),
                None => (String::new(), key.clone()),
            },
        };
        // "[[clip]] at line N" in the subject: the table's own line.
        if let Some(subject) = &d.subject {
            if let Some((head, tail)) = subject.rsplit_once("at line ") {
                let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
                let rest = &tail[digits.len()..];
                let header = digits
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| self.origins.get(n.checked_sub(1)?).cloned().flatten())
                    .filter(|(f, _)| *f == file)
                    .and_then(|(_, k)| find_key(text, &k, ""));
                if let Some((l, ..)) = header {
                    d.subject = Some(format!("{head}at line {l}{rest}"));
                }
            }
        }
        d.file = file;
        d.table = None;
        match find_key(text, &table, &leaf) {
            Some((l, c, span)) => {
                d.line = Some(l);
                d.column = Some(c);
                d.span = Some(span);
            }
            None => {
                d.column = None;
                d.span = None;
            }
        }
        d
    }
}

/// Line, column and value span of `key` in `table` (`""` for the top,
/// `output`, `profile.vertical`, `clip#2` for the third `[[clip]]`) of a
/// TOML text, found by reading its lines.
fn find_key(text: &str, table: &str, key: &str) -> Option<(usize, usize, Span)> {
    let (want, index) = match table.split_once('#') {
        Some((t, i)) => (t.to_string(), i.parse::<usize>().ok()),
        None => (table.to_string(), None),
    };
    let mut current = String::new();
    let mut seen = 0usize;
    let mut in_target = want.is_empty();
    let mut offset = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let t = line.trim();
        if let Some(h) = t.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
            current = h.trim().to_string();
            if current == want {
                in_target = index.is_none_or(|i| i == seen);
                seen += 1;
            } else {
                in_target = false;
            }
            if in_target && key.is_empty() {
                let end = offset + line.trim_end().len();
                return Some((n + 1, 1, Span { start: offset, end }));
            }
        } else if let Some(h) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
            current = h.trim().to_string();
            in_target = index.is_none() && current == want;
        } else if in_target && !key.is_empty() {
            if let Some((k, _)) = t.split_once('=') {
                if k.trim().trim_matches('"') == key {
                    let start = line.find('=').map_or(0, |i| i + 1);
                    let lead = line[start..].len() - line[start..].trim_start().len();
                    let begin = offset + start + lead;
                    let end = offset + line.trim_end().len();
                    return Some((n + 1, start + lead + 1, Span { start: begin, end }));
                }
            }
        }
        offset += line.len();
    }
    let _ = current;
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_in_their_table() {
        let text = "extends = \"b.toml\"\n[output]\nfps = 25\n[[clip]]\nsource = \"a\"\n[[clip]]\nsource = \"b\"\n";
        assert_eq!(
            find_key(text, "", "extends").map(|f| (f.0, f.1)),
            Some((1, 11))
        );
        assert_eq!(find_key(text, "output", "fps").map(|f| f.0), Some(3));
        assert_eq!(find_key(text, "clip#1", "source").map(|f| f.0), Some(7));
        assert_eq!(find_key(text, "clip#0", "source").map(|f| f.0), Some(5));
    }
}
