//! multiregion: one stack file, two AWS regions, one EKS cluster in each.

mod alerts;
mod chaos;
mod check_ids;
mod cli;
mod commands;
mod cost;
mod eks_token;
mod engine;
mod errors;
mod exit;
mod files;
mod kinds;
mod kubeconfig;
mod lock;
mod model;
mod outputs;
mod paint;
mod plan;
mod printer;
mod probe;
mod progress;
mod providers;
mod quote;
mod retry;
mod stack;
mod stats;
mod status;
mod stop;
mod verify;
mod webhook;
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
            if e.use_stderr() && json_asked() {
                // A script that asked for JSON gets its one document, even for a usage error.
                let message = e.kind().to_string();
                let error = errors::CliError::new(message).with_hint("see `multiregion --help`");
                Printer {
                    output: cli::Output::Json,
                    verbosity: 0,
                    paint_out: paint::Paint::none(),
                    paint_err: paint::Paint::none(),
                }
                .json(&error.to_json());
            }
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
    use std::io::IsTerminal;
    let printer = Printer {
        output: cli.output,
        verbosity: if cli.quiet { -1 } else { cli.verbose as i8 },
        paint_out: paint::Paint::choose(cli.color, std::io::stdout().is_terminal()),
        paint_err: paint::Paint::choose(cli.color, std::io::stderr().is_terminal()),
    };
    let result = match &cli.command {
        Command::Validate(args) => commands::validate::run(args, &printer),
        Command::Render(args) => commands::render::run(args, &printer),
        Command::Cost(args) => commands::cost::run(args, &printer),
        Command::Schema => commands::schema::run(&printer),
        Command::Plan(args) => commands::plan::run(args, &printer),
        Command::Up(args) => commands::up::run(args, &printer),
        Command::Down(args) => commands::down::run(args, &printer),
        Command::Verify(args) => commands::verify::run(args, &printer),
        Command::Kubeconfig(args) => commands::kubeconfig::run(args, &printer),
        Command::Token(args) => commands::token::run(args, &printer),
        Command::Unlock(args) => commands::unlock::run(args, &printer),
        Command::Output(args) => commands::output::run(args, &printer),
        Command::Status(args) => commands::status::run(args, &printer),
        Command::Probe(args) => commands::probe::run(args, &printer),
        Command::Chaos(args) => commands::chaos::run(args, &printer),
        Command::Webhook(args) => commands::webhook::run(args, &printer),
        Command::Alarms(args) => commands::alarms::run(args, &printer),
        Command::Completions(args) => commands::completions::completions(args),
        Command::Man(args) => commands::completions::man(args, &printer),
    };
    match result {
        Ok(exit) => exit,
        Err(error) => {
            printer.fail(&error);
            error.exit()
        }
    }
    .into()
}

/// Whether the command line asks for `--output json` (read by hand when clap could not parse
/// it).
fn json_asked() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--output=json")
        || args
            .windows(2)
            .any(|w| w[0] == "--output" && w[1] == "json")
}
