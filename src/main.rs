//! multiregion: one stack file, two AWS regions, one EKS cluster in each.

mod cli;
mod commands;
mod eks_token;
mod engine;
mod exit;
mod files;
mod kubeconfig;
mod model;
mod plan;
mod printer;
mod providers;
mod spec;
mod stats;
mod verify;
mod workloads;
mod yaml;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use exit::Exit;
use printer::Printer;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and version are successes; usage errors are errors (exit 1, not clap's 2,
            // which `plan` reserves for "changes").
            return if e.use_stderr() {
                Exit::Error
            } else {
                Exit::Ok
            }
            .into();
        }
    };
    let printer = Printer {
        output: cli.output,
        verbosity: if cli.quiet { -1 } else { cli.verbose as i8 },
    };
    let exit = match &cli.command {
        Command::Validate(args) => commands::validate::run(args, &printer),
        Command::Schema => commands::schema::run(&printer),
        Command::Plan(args) => commands::plan::run(args, &printer),
        Command::Up(args) => commands::up::run(args, &printer),
        Command::Down(args) => commands::down::run(args, &printer),
        Command::Verify(args) => commands::verify::run(args, &printer),
        Command::Kubeconfig(args) => commands::kubeconfig::run(args, &printer),
        Command::Token(args) => commands::token::run(args, &printer),
    };
    exit.into()
}

/// `error: outer` followed by each cause on its own line.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    format!("error: {}", cause_chain(error))
}

/// The error and its causes, one per line, without the `error:` lead (for reports and
/// warnings that say their own lead).
pub fn cause_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!("\n  caused by: {cause}"));
        source = cause.source();
    }
    text
}
