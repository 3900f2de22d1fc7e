//! Exit codes, as SPEC.md fixes them for every command.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    /// Invalid input, usage error, or a failure talking to AWS.
    Error = 1,
    /// `plan`: there are changes or drift.
    Changes = 2,
    /// `verify`: a check at or above `--fail-on` failed; `probe` and `chaos`: a threshold or
    /// the steady state was missed.
    ChecksFailed = 3,
    /// Stopped by Ctrl-C (128 + SIGINT, as shells report it).
    Interrupted = 130,
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit as u8)
    }
}
