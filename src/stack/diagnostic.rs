//! A problem found in a stack file, told with its place: file, line, column and field path;
//! and the cap that tells the many problems of one kind as a count.

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use crate::yaml::Pos;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Field path such as `spec.regions[0].network.cidr`; empty for the whole document.
    pub path: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    #[serde(skip)]
    pub kind: Kind,
    /// On the line that stands for problems left out by [`cap`]: how many. (A `u32` keeps a
    /// diagnostic small; a 1 MiB file holds far fewer problems.)
    #[serde(skip_serializing_if = "is_zero")]
    pub omitted: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Diagnostic {
    pub fn new(file: &str, pos: Pos, path: &str, message: String, hint: Option<String>) -> Self {
        Diagnostic {
            file: file.to_string(),
            line: pos.line,
            column: pos.column,
            path: path.to_string(),
            message,
            hint,
            kind: Kind::Other,
            omitted: 0,
        }
    }

    pub fn of_kind(mut self, kind: Kind) -> Self {
        self.kind = kind;
        self
    }

    /// A finding of a check, placed at `pos` in `file`.
    pub fn of_finding(file: &str, pos: Pos, finding: Finding) -> Self {
        Diagnostic {
            file: file.to_string(),
            line: pos.line,
            column: pos.column,
            path: finding.path,
            message: finding.message,
            hint: finding.hint,
            kind: finding.kind,
            omitted: 0,
        }
    }
}

/// What a problem is about, so that a flood of one kind can be told as a count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Kind {
    #[default]
    Other,
    UnknownField,
    MissingField,
    WrongType,
    NotAllowed,
    OutOfRange,
    TooLong,
    TooMany,
    Invisible,
    Overlap,
    Duplicate,
}

impl Kind {
    /// How the line that stands for the left-out ones names them: `… and 9 more overlaps`.
    fn plural(self) -> &'static str {
        match self {
            Kind::Other => "problems",
            Kind::UnknownField => "unknown fields",
            Kind::MissingField => "missing fields",
            Kind::WrongType => "values of the wrong type",
            Kind::NotAllowed => "values that are not allowed",
            Kind::OutOfRange => "numbers out of range",
            Kind::TooLong => "values that are too long",
            Kind::TooMany => "lists that are too long",
            Kind::Invisible => "values with invisible characters",
            Kind::Overlap => "overlaps",
            Kind::Duplicate => "duplicates",
        }
    }
}

/// Problems of one kind told one by one; the rest of that kind become one line.
pub const PER_KIND: usize = 20;
/// Problems told in all; the rest become one line.
pub const IN_ALL: usize = 100;

/// Keeps the first [`PER_KIND`] problems of each kind, in order, each kind's rest told as one
/// line where the first of them was (`… and 249,490 more overlaps`); then the first [`IN_ALL`]
/// lines, the rest told as one. Problems are of one kind when their kind and their message's
/// wording (what is left once quoted values and numbers are taken out) are the same.
pub fn cap(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    // Per kind: how many so far, and where the first is.
    let mut seen: HashMap<(Kind, u64), (usize, String, usize)> = HashMap::new();
    let mut summary_at: HashMap<(Kind, u64), usize> = HashMap::new();
    let mut kept: Vec<Diagnostic> = Vec::new();
    for d in diagnostics {
        let key = (d.kind, wording(&d.message));
        let (count, first_file, first_line) = seen
            .entry(key)
            .or_insert_with(|| (0, d.file.clone(), d.line));
        *count += 1;
        if *count <= PER_KIND {
            kept.push(d);
            continue;
        }
        match summary_at.get(&key) {
            Some(&at) => kept[at].omitted += 1,
            None => {
                summary_at.insert(key, kept.len());
                let like = match d.kind {
                    Kind::Other if *first_file == d.file => {
                        format!("like the one at line {first_line}")
                    }
                    Kind::Other => format!("like the one at {first_file}:{first_line}"),
                    kind => kind.plural().to_string(),
                };
                kept.push(Diagnostic {
                    path: String::new(),
                    message: like,
                    hint: None,
                    omitted: 1,
                    ..d
                });
            }
        }
    }
    for line in kept.iter_mut().filter(|d| d.omitted > 0) {
        let omitted = line.omitted as usize;
        line.message = format!("… and {} more {}", thousands(omitted), line.message);
    }
    if kept.len() > IN_ALL {
        let rest = kept.split_off(IN_ALL);
        let omitted = count(&rest);
        let first = &rest[0];
        kept.push(Diagnostic {
            path: String::new(),
            message: format!("… and {} more problems", thousands(omitted)),
            hint: None,
            kind: Kind::Other,
            omitted: u32::try_from(omitted).unwrap_or(u32::MAX),
            ..first.clone()
        });
    }
    kept
}

/// How many problems `diagnostics` tell of, the left-out ones included.
pub fn count(diagnostics: &[Diagnostic]) -> usize {
    diagnostics.iter().map(|d| d.omitted.max(1) as usize).sum()
}

/// The message without what differs between problems of one kind (quoted values and
/// numbers), hashed: a report of a hundred thousand problems needs no copy of each.
fn wording(message: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher, Hasher};
    let mut hasher = BuildHasherDefault::<DefaultHasher>::default().build_hasher();
    let mut quoted = false;
    let mut in_number = false;
    for c in message.chars() {
        let digit = c.is_ascii_digit();
        match c {
            '`' => {
                quoted = !quoted;
                if quoted {
                    hasher.write_u32('`'.into());
                }
            }
            _ if quoted => {}
            _ if digit && in_number => {}
            _ if digit => hasher.write_u32('#'.into()),
            c => hasher.write_u32(c.into()),
        }
        in_number = digit && !quoted;
    }
    hasher.finish()
}

/// `249,490`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// A finding of a check that knows the field path but not yet the place in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub path: String,
    pub message: String,
    pub hint: Option<String>,
    pub kind: Kind,
}

impl Finding {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            path: path.into(),
            message: message.into(),
            hint: None,
            kind: Kind::Other,
        }
    }

    pub fn kind(mut self, kind: Kind) -> Self {
        self.kind = kind;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn maybe_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }

    /// A hint unless one is already there.
    pub fn hint_or(mut self, hint: impl Into<String>) -> Self {
        if self.hint.is_none() {
            self.hint = Some(hint.into());
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(line: usize, kind: Kind, message: &str) -> Diagnostic {
        Diagnostic::new("s.yaml", Pos { line, column: 3 }, "p", message.into(), None).of_kind(kind)
    }

    #[test]
    fn many_of_one_kind_become_one_line_with_the_count() {
        let mut all: Vec<Diagnostic> = (0..249_510)
            .map(|i| {
                let message = format!("10.0.{i}.0/24 overlaps 10.0.0.0/16 of spec.regions[{i}]");
                problem(10 + i, Kind::Overlap, &message)
            })
            .collect();
        all.insert(5, problem(12, Kind::Other, "`x` is not a valid name"));
        let capped = cap(all);
        assert_eq!(capped.len(), PER_KIND + 2);
        assert_eq!(count(&capped), 249_511);
        let last = capped.last().unwrap();
        assert_eq!(last.to_string(), "s.yaml:30:3: … and 249,490 more overlaps");
        assert_eq!(last.omitted, 249_490);
    }

    #[test]
    fn different_wordings_are_different_kinds_and_the_whole_is_capped_too() {
        let mut all = Vec::new();
        for i in 0..30 {
            all.push(problem(
                i,
                Kind::Other,
                &format!("`v{i}` is not a valid tag"),
            ));
            all.push(problem(
                i,
                Kind::Other,
                &format!("`v{i}` is not an image reference"),
            ));
        }
        let capped = cap(all.clone());
        assert_eq!(capped.len(), 2 * PER_KIND + 2);
        let lines: Vec<String> = capped.iter().map(ToString::to_string).collect();
        assert!(
            lines.contains(&"s.yaml:20:3: … and 10 more like the one at line 0".to_string()),
            "{lines:#?}"
        );
        let many: Vec<Diagnostic> = (0..500)
            .map(|i| problem(i, Kind::Other, &format!("object {i} of kind K{i} is wrong")))
            .map(|mut d| {
                d.message = d.message.replace(char::is_numeric, "x") + &"y".repeat(d.line);
                d
            })
            .collect();
        let capped = cap(many);
        assert_eq!(capped.len(), IN_ALL + 1);
        assert_eq!(capped[IN_ALL].message, "… and 400 more problems");
        assert_eq!(count(&capped), 500);
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(249_490), "249,490");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
