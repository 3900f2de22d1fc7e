//! `completions SHELL` and `man`: the command line described for shells and for `man`, from
//! the same definition clap parses with. Their output is text whatever `--output` says: a
//! script or a page is not a result document.

use std::path::Path;

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, ManArgs, Output};
use crate::errors::CliError;
use crate::exit::Exit;
use crate::printer::Printer;

const NAME: &str = "multiregion";

pub fn completions(args: &CompletionsArgs) -> Result<Exit, CliError> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), NAME, &mut script);
    write_stdout(&script)
}

pub fn man(args: &ManArgs, printer: &Printer) -> Result<Exit, CliError> {
    let Some(dir) = &args.dir else {
        let mut page = Vec::new();
        page_of(Cli::command())
            .render(&mut page)
            .map_err(|e| CliError::new(format!("cannot render the man page: {e}")))?;
        return write_stdout(&page);
    };
    let written = man_pages(dir).map_err(|e| {
        CliError::new(format!(
            "cannot write the man pages to {}: {e}",
            dir.display()
        ))
    })?;
    let files: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    match printer.output {
        Output::Json => printer.json(&serde_json::json!({ "dir": dir, "files": files })),
        Output::Text => printer.data(&files.join("\n")),
    }
    Ok(Exit::Ok)
}

/// `multiregion.1` and a `multiregion-COMMAND.1` per command (the hidden `help` left out).
fn man_pages(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut written = vec![page_of(cmd.clone()).generate_to(dir)?];
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        written.push(page_of(sub.clone()).generate_to(dir)?);
    }
    Ok(written)
}

/// A page whose footer names the tool and its version (a command's own page included).
fn page_of(cmd: clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(cmd).source(format!("{NAME} {}", env!("CARGO_PKG_VERSION")))
}

/// The script or page as generated (a closed pipe, as with `| head`, is no error).
fn write_stdout(bytes: &[u8]) -> Result<Exit, CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::new(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(Exit::Ok),
    }
}
