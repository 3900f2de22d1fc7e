//! Reading a stack or overlay file: bounded, UTF-8, exactly one YAML document.

use std::io::Read;
use std::path::Path;

use super::diagnostic::Diagnostic;
use super::{LoadError, MAX_STACK_BYTES, invalid, limits};
use crate::yaml::{self, Node, Pos};

/// A file's label (as diagnostics name it) and bytes.
pub struct Source {
    pub label: String,
    pub bytes: Vec<u8>,
}

/// The bytes of the file at `path`, refused when larger than a stack file may be.
pub fn read(path: &Path) -> Result<Source, LoadError> {
    let label = path.display().to_string();
    let read_error = |source| LoadError::Read {
        path: label.clone(),
        absolute: std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut bytes = Vec::new();
    // `take` bounds the read even for endless inputs such as /dev/zero.
    file.take(MAX_STACK_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_STACK_BYTES {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let size = if size > MAX_STACK_BYTES {
            format!("{:.1} MiB", size as f64 / (1024.0 * 1024.0))
        } else {
            "more than 1 MiB".to_string()
        };
        return Err(invalid(
            &label,
            vec![Diagnostic::new(
                &label,
                Pos { line: 1, column: 1 },
                "",
                format!("the file is {size}; stack files are limited to 1 MiB"),
                Some("is this really the stack file?".into()),
            )],
        ));
    }
    Ok(Source { label, bytes })
}

/// The one YAML document in `bytes`; `file` labels the diagnostics.
pub fn document(file: &str, bytes: &[u8]) -> Result<Node, Vec<Diagnostic>> {
    optional_document(file, bytes)?.ok_or_else(|| {
        vec![Diagnostic::new(
            file,
            Pos { line: 1, column: 1 },
            "",
            "the file is empty; expected a Stack document".into(),
            Some("start from stacks/minimal.yaml".into()),
        )]
    })
}

/// The one YAML document in `bytes`, or none when it holds only comments (an overlay that
/// changes nothing).
pub fn optional_document(file: &str, bytes: &[u8]) -> Result<Option<Node>, Vec<Diagnostic>> {
    let at = |pos: Pos, path: &str, message: String, hint: Option<String>| {
        vec![Diagnostic::new(file, pos, path, message, hint)]
    };
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.strip_prefix('\u{feff}').unwrap_or(text),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|b| **b == b'\n').count() + 1;
            let line_start = good.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
            return Err(at(
                Pos { line, column },
                "",
                format!(
                    "the file is not UTF-8 text (invalid byte at offset {})",
                    e.valid_up_to()
                ),
                Some("save the stack as UTF-8".into()),
            ));
        }
    };
    let documents = yaml::parse_documents_within(text, limits::NODES)
        .map_err(|e| at(e.pos, "", e.message, None))?;
    match documents.as_slice() {
        [] => Ok(None),
        [_] => Ok(documents.into_iter().next()),
        [_, second, ..] => Err(at(
            second.pos,
            "",
            "a stack file holds one YAML document, found more".into(),
            Some("remove the `---` separator and what follows, or split the file".into()),
        )),
    }
}
