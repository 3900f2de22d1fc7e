//! Values from input files as messages quote them: at most [`SHOWN_CHARS`] characters, and
//! with every character that cannot be seen written as its code point, so that a megabyte
//! value cannot flood a report and a zero-width space or a terminal escape cannot hide in one.

use std::fmt;

/// How much of a value a message quotes; the rest is cut, marked by `…`.
pub const SHOWN_CHARS: usize = 80;

/// `` `value` `` for messages: bounded and with invisible characters made visible.
pub fn quoted(value: &str) -> Quoted<'_> {
    Quoted(value)
}

pub struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`")?;
        for (i, c) in self.0.chars().enumerate() {
            if i == SHOWN_CHARS {
                f.write_str("…")?;
                break;
            }
            if is_invisible(c) {
                write!(f, "\\u{{{:x}}}", u32::from(c))?;
            } else {
                write!(f, "{c}")?;
            }
        }
        f.write_str("`")
    }
}

/// The first character that cannot be seen, with its 1-based place among the value's characters.
pub fn first_invisible(value: &str) -> Option<(usize, char)> {
    value
        .chars()
        .enumerate()
        .find(|(_, c)| is_invisible(*c))
        .map(|(i, c)| (i + 1, c))
}

/// Controls (C0, DEL, C1), format characters (Unicode category Cf), line and paragraph
/// separators, and the fillers and selectors that render as nothing.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            u32::from(c),
            0x00AD
                | 0x034F
                | 0x0600..=0x0605
                | 0x061C
                | 0x06DD
                | 0x070F
                | 0x0890..=0x0891
                | 0x08E2
                | 0x115F..=0x1160
                | 0x17B4..=0x17B5
                | 0x180B..=0x180F
                | 0x200B..=0x200F
                | 0x2028..=0x202E
                | 0x2060..=0x2064
                | 0x2066..=0x206F
                | 0x3164
                | 0xFE00..=0xFE0F
                | 0xFEFF
                | 0xFFA0
                | 0xFFF9..=0xFFFB
                | 0x110BD
                | 0x110CD
                | 0x13430..=0x1343F
                | 0x1BCA0..=0x1BCA3
                | 0x1D173..=0x1D17A
                | 0xE0001
                | 0xE0020..=0xE007F
                | 0xE0100..=0xE01EF
        )
}

/// `U+200B (zero width space)`, naming the characters people meet most.
pub fn describe(c: char) -> String {
    let name = match c {
        '\0' => Some("null"),
        '\t' => Some("tab"),
        '\n' => Some("line feed"),
        '\r' => Some("carriage return"),
        '\u{1b}' => Some("escape"),
        '\u{7f}' => Some("delete"),
        '\u{ad}' => Some("soft hyphen"),
        '\u{200b}' => Some("zero width space"),
        '\u{200c}' => Some("zero width non-joiner"),
        '\u{200d}' => Some("zero width joiner"),
        '\u{200e}' => Some("left-to-right mark"),
        '\u{200f}' => Some("right-to-left mark"),
        '\u{202e}' => Some("right-to-left override"),
        '\u{2060}' => Some("word joiner"),
        '\u{feff}' => Some("zero width no-break space"),
        _ => None,
    };
    match name {
        Some(name) => format!("U+{:04X} ({name})", u32::from(c)),
        None if c.is_control() => format!("U+{:04X} (a control character)", u32::from(c)),
        None => format!("U+{:04X} (an invisible character)", u32::from(c)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_at_eighty_characters() {
        let long = "A".repeat(1_000_000);
        let shown = quoted(&long).to_string();
        assert_eq!(shown, format!("`{}…`", "A".repeat(SHOWN_CHARS)));
        assert_eq!(quoted("short").to_string(), "`short`");
        assert_eq!(
            quoted(&"é".repeat(SHOWN_CHARS)).to_string(),
            format!("`{}`", "é".repeat(SHOWN_CHARS))
        );
    }

    #[test]
    fn invisible_characters_are_shown_by_code_point() {
        assert_eq!(
            quoted("ghcr.io/stefan\u{200b}prodan").to_string(),
            "`ghcr.io/stefan\\u{200b}prodan`"
        );
        assert_eq!(quoted("a\u{1b}[2Jb").to_string(), "`a\\u{1b}[2Jb`");
    }

    #[test]
    fn finds_controls_format_characters_and_fillers() {
        assert_eq!(first_invisible("podinfo"), None);
        assert_eq!(first_invisible("pod\u{200b}info"), Some((4, '\u{200b}')));
        assert_eq!(first_invisible("é\u{85}"), Some((2, '\u{85}')));
        for c in [
            '\t', '\n', '\u{7f}', '\u{9f}', '\u{ad}', '\u{202e}', '\u{2066}', '\u{feff}',
        ] {
            assert!(is_invisible(c), "{c:?}");
        }
        for c in ['a', 'é', ' ', '…', '中', '\u{1f600}'] {
            assert!(!is_invisible(c), "{c:?}");
        }
        assert_eq!(describe('\u{200b}'), "U+200B (zero width space)");
        assert_eq!(describe('\u{1}'), "U+0001 (a control character)");
        assert_eq!(describe('\u{2063}'), "U+2063 (an invisible character)");
    }
}
