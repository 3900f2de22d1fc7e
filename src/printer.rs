//! The one place that decides what is said: data on stdout, talk on stderr, quiet or verbose.

use std::io::Write;

use crate::cli::Output;
use crate::paint::Paint;

#[derive(Debug, Clone, Copy)]
pub struct Printer {
    pub output: Output,
    pub verbosity: i8,
    /// Colour for stdout and for stderr, each decided for its own stream.
    pub paint_out: Paint,
    pub paint_err: Paint,
}

impl Printer {
    /// The command's result: stdout, whatever the verbosity.
    pub fn data(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        // A closed pipe (`| head`) is not an error worth a panic.
        let _ = out.write_all(text.as_bytes());
        if !text.ends_with('\n') {
            let _ = out.write_all(b"\n");
        }
        let _ = out.flush();
    }

    /// A plan or report on stdout, painted by what each line does.
    pub fn painted(&self, text: &str) {
        self.data(&self.paint_out.lines(text));
    }

    /// Talk painted by what each line does (a plan shown for review).
    pub fn info_painted(&self, text: &str) {
        self.info(&self.paint_err.lines(text));
    }

    pub fn json(&self, value: &impl serde::Serialize) {
        match serde_json::to_string_pretty(value) {
            Ok(text) => self.data(&text),
            Err(e) => self.error(&format!("cannot encode the JSON output: {e}")),
        }
    }

    /// Normal talk: hidden by `-q`.
    pub fn info(&self, text: &str) {
        if self.verbosity >= 0 {
            eprintln!("{text}");
        }
    }

    /// Details: shown only with `-v`.
    pub fn detail(&self, text: &str) {
        if self.verbosity > 0 {
            eprintln!("{text}");
        }
    }

    /// A failed command: the text on stderr and, under `--output json`, its one JSON document
    /// on stdout.
    pub fn fail(&self, error: &crate::errors::CliError) {
        if self.output == Output::Json {
            self.json(&error.to_json());
        }
        self.error(&error.to_text());
    }

    /// Errors are always said.
    pub fn error(&self, text: &str) {
        eprintln!("{}", self.paint_err.lines(text));
    }
}
