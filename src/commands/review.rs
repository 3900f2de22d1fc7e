//! Review before a change: the plan is shown and a person on the terminal agrees to it; with
//! no terminal, only `--yes` (or a saved, reviewed plan) lets a change go ahead.

use std::io::{BufRead, IsTerminal, Write};

use crate::errors::CliError;
use crate::exit::Exit;
use crate::stop::Stop;

/// Whether to ask before changing anything: not when told not to; refused (before any AWS
/// call) when there is no terminal to ask on.
pub fn will_ask(approved: bool, command: &str, what: &str) -> Result<bool, CliError> {
    if approved {
        return Ok(false);
    }
    if !std::io::stdin().is_terminal() {
        let extra = if command == "up" {
            ", or save a plan with `plan --out FILE` and carry it out with `up --plan FILE`"
        } else {
            ""
        };
        return Err(CliError::new(format!(
            "`{command}` {what} and there is no terminal to ask on"
        ))
        .with_hint(format!("pass --yes to go ahead without a question{extra}")));
    }
    Ok(true)
}

/// Asks `question` on the terminal and goes on only on `expected`. A stop (Ctrl-C) while
/// asking ends the command with nothing changed.
pub async fn confirm(question: &str, expected: &str, stop: &Stop) -> Result<(), CliError> {
    eprint!("{question} ");
    let _ = std::io::stderr().flush();
    // A thread of its own, not the runtime's blocking pool: a read left waiting after Ctrl-C
    // must not hold the runtime's shutdown.
    let (send, read) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut answer = String::new();
        let _ = send.send(
            std::io::stdin()
                .lock()
                .read_line(&mut answer)
                .map(|_| answer),
        );
    });
    let answer = tokio::select! {
        answer = read => answer,
        _ = stop.wait() => {
            return Err(CliError::new("interrupted while asking; nothing was changed")
                .with_exit(Exit::Interrupted));
        }
    };
    let answer = answer
        .map_err(|e| CliError::new(format!("cannot read the answer: {e}")))?
        .map_err(|e| CliError::new(format!("cannot read the answer: {e}")))?;
    if answer.trim() == expected {
        Ok(())
    } else {
        Err(CliError::new("not confirmed; nothing was changed")
            .with_hint(format!("type `{expected}` to go ahead, or pass --yes")))
    }
}
