//! `unlock`: removes the stack's run lock when its holder died (like `terraform force-unlock`),
//! naming who held it; a lock still being refreshed only with `--force`.

use std::sync::Arc;

use super::live;
use crate::cli::Output;
use crate::cli::UnlockArgs;
use crate::errors::CliError;
use crate::exit::Exit;
use crate::lock::{self, LockError};
use crate::printer::Printer;
use crate::stats::CallStats;

pub fn run(args: &UnlockArgs, printer: &Printer) -> Result<Exit, CliError> {
    let (valid, runtime) = live::prepare(&args.stack)?;
    let stats = Arc::new(CallStats::default());
    let config = runtime.block_on(live::aws_config(&args.aws))?;
    let result = runtime.block_on(async {
        let progress = crate::progress::Silent;
        let engine = live::connect(&valid, &config, &stats, &progress);
        lock::unlock(engine.lock_store().as_ref(), valid.name(), args.force).await
    });
    live::report_stats(printer, &args.aws, &stats);
    let removed = match result {
        Ok(removed) => removed,
        Err(LockError::Held { holder }) => {
            return Err(CliError::new(format!(
                "the lock of stack `{}` is held and alive: {}",
                valid.name(),
                holder.describe(),
            ))
            .with_hint(format!(
                "it is removed only when its heartbeat is older than {} min, or with --force \
                 once you are sure that run has stopped",
                lock::STALE_AFTER.as_secs() / 60
            )));
        }
        Err(e) => return Err(CliError::from_error(&e)),
    };
    let message = match &removed {
        Some(holder) => format!(
            "Removed the lock of stack `{}`, held by {}.",
            valid.name(),
            holder.describe()
        ),
        None => format!("Stack `{}` holds no lock.", valid.name()),
    };
    match printer.output {
        Output::Json => printer.json(&serde_json::json!({
            "stack": valid.name(),
            "removed": removed.is_some(),
            "holder": removed.as_ref().map(|h| h.describe()),
        })),
        Output::Text => printer.info(&message),
    }
    Ok(Exit::Ok)
}
