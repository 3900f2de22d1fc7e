//! Colour, decided once: on a terminal (or `--color always`), never with `NO_COLOR`,
//! `--color never` or when the stream is not a terminal. Plans and step lines are painted by
//! what a line does: `+` green, `~` yellow, `-` red, errors red.

use console::Style;

/// What a piece of text says.
#[derive(Debug, Clone, Copy)]
pub enum Tone {
    Add,
    Change,
    Remove,
    Error,
    Plain,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Paint {
    on: bool,
}

impl Paint {
    pub fn none() -> Self {
        Paint { on: false }
    }

    #[cfg(test)]
    pub fn ansi() -> Self {
        Paint { on: true }
    }

    /// For a stream: `--color`, `NO_COLOR`, and whether it is a terminal.
    pub fn choose(choice: crate::cli::Color, terminal: bool) -> Self {
        use crate::cli::Color;
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let on = match choice {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => terminal && !no_color && std::env::var("TERM").as_deref() != Ok("dumb"),
        };
        Paint { on }
    }

    pub fn tone(self, tone: Tone, text: &str) -> String {
        if !self.on {
            return text.to_string();
        }
        let style = match tone {
            Tone::Add => Style::new().green(),
            Tone::Change => Style::new().yellow(),
            Tone::Remove | Tone::Error => Style::new().red(),
            Tone::Plain => return text.to_string(),
        };
        style.force_styling(true).apply_to(text).to_string()
    }

    /// A plan's lines painted by their lead symbol, and `error:` leads red.
    pub fn lines(self, text: &str) -> String {
        if !self.on {
            return text.to_string();
        }
        let mut out: Vec<String> = Vec::new();
        for line in text.split('\n') {
            let lead = line.trim_start();
            let tone = if lead.starts_with("-/+") || lead.starts_with("! ") {
                Tone::Change
            } else if lead.starts_with("+ ") {
                Tone::Add
            } else if lead.starts_with("~ ") {
                Tone::Change
            } else if lead.starts_with("- ") {
                Tone::Remove
            } else if lead.starts_with("error:") || lead.starts_with("failed:") {
                Tone::Error
            } else {
                Tone::Plain
            };
            out.push(self.tone(tone, line));
        }
        out.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_painted_by_what_they_do_and_only_when_on() {
        let plan = "  +   c1/vpc  Vpc\n  -   c1/old  Subnet\nPlan: 1 to create";
        assert_eq!(Paint::none().lines(plan), plan);
        let painted = Paint::ansi().lines(plan);
        let lines: Vec<&str> = painted.lines().collect();
        assert!(lines[0].starts_with("\u{1b}[32m"), "{painted:?}");
        assert!(lines[1].starts_with("\u{1b}[31m"), "{painted:?}");
        assert_eq!(lines[2], "Plan: 1 to create");
        assert!(!Paint::choose(crate::cli::Color::Never, true).on);
        assert!(Paint::choose(crate::cli::Color::Always, false).on);
        assert!(!Paint::choose(crate::cli::Color::Auto, false).on);
    }
}
