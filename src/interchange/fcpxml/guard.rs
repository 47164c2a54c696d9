//! The checks made before a file is parsed, so that a hostile file
//! cannot make the parser expand entities without bound, recurse too
//! deeply or build too many nodes.

use roxmltree::{Document, ParsingOptions};

use crate::interchange::ImportError;

/// At most this many XML nodes: far more than any real project.
const NODES_LIMIT: u32 = 1_000_000;

/// At most this many elements nested in each other. roxmltree parses
/// nested elements recursively, so a deeply nested file would overflow the
/// stack; FCPXML nests a few dozen levels at most.
pub(super) const MAX_DEPTH: usize = 256;

/// Parses `text` into a document, once it has passed the checks.
pub(super) fn document(text: &str) -> Result<Document<'_>, ImportError> {
    if let Some(at) = text.find("<!ENTITY") {
        let line = text[..at].matches('\n').count() + 1;
        return Err(ImportError::new(
            line,
            "",
            "the file declares XML entities (<!ENTITY ...>), which reel does not read \
             (FCPXML files declare none)",
        ));
    }
    check_depth(text)?;
    let options = ParsingOptions {
        allow_dtd: true,
        nodes_limit: NODES_LIMIT,
    };
    Document::parse_with_options(text, options).map_err(|e| xml_error(&e))
}

/// Refuses elements nested deeper than [`MAX_DEPTH`], before roxmltree
/// parses them. In well-formed XML only markup contains `<`, so a scan
/// that skips comments, CDATA, processing instructions and declarations,
/// and reads quoted attribute values whole, finds every start and end tag.
/// Anything malformed is left for roxmltree to report.
fn check_depth(text: &str) -> Result<(), ImportError> {
    let mut depth: usize = 0;
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let skip_to = [("!--", "-->"), ("![CDATA[", "]]>"), ("?", "?>"), ("!", ">")]
            .into_iter()
            .find(|(start, _)| rest.starts_with(start))
            .map(|(_, end)| end);
        if let Some(end) = skip_to {
            match rest.find(end) {
                Some(at) => rest = &rest[at + end.len()..],
                None => return Ok(()),
            }
            continue;
        }
        if let Some(after) = rest.strip_prefix('/') {
            depth = depth.saturating_sub(1);
            rest = after;
            continue;
        }
        // A start tag: it ends at the first `>` outside a quoted value.
        let mut quote = None;
        let Some(end) = rest.bytes().position(|b| match quote {
            Some(q) => {
                if b == q {
                    quote = None;
                }
                false
            }
            None if b == b'"' || b == b'\'' => {
                quote = Some(b);
                false
            }
            None => b == b'>',
        }) else {
            return Ok(());
        };
        if !rest[..end].ends_with('/') {
            depth += 1;
            if depth > MAX_DEPTH {
                let offset = text.len() - rest.len();
                let line = text[..offset].matches('\n').count() + 1;
                return Err(ImportError::new(
                    line,
                    "",
                    format!("elements are nested more than {MAX_DEPTH} deep"),
                ));
            }
        }
        rest = &rest[end + 1..];
    }
    Ok(())
}

fn xml_error(e: &roxmltree::Error) -> ImportError {
    let pos = e.pos();
    // The message without roxmltree's " at L:C".
    let message = e.to_string().replace(&format!(" at {pos}"), "");
    ImportError::at(
        pos.row as usize,
        pos.col as usize,
        format!("not valid XML: {message}"),
    )
}
