//! `unlock`: removes the stack's run lock when its holder died (like `terraform force-unlock`),
//! naming who held it; a lock still being refreshed only with `--force`.

use std::sync::Arc;

use super::live;
use crate::cli::UnlockArgs;
use crate::exit::Exit;
use crate::lock::{self, LockError};
use crate::printer::Printer;
use crate::stats::CallStats;

pub fn run(args: &UnlockArgs, printer: &Printer) -> Exit {
    let (valid, runtime) = match live::prepare(&args.stack.stack, printer) {
        Ok(ready) => ready,
        Err(exit) => return exit,
    };
    let stats = Arc::new(CallStats::default());
    let result = runtime.block_on(async {
        let config = live::aws_config(&args.aws).await;
        let progress = crate::progress::Silent;
        let engine = live::connect(&valid, &config, &stats, &progress);
        lock::unlock(engine.lock_store().as_ref(), valid.name(), args.force).await
    });
    live::report_stats(printer, &args.aws, &stats);
    match result {
        Ok(Some(holder)) => {
            printer.info(&format!(
                "Removed the lock of stack `{}`, held by {}.",
                valid.name(),
                holder.describe()
            ));
            Exit::Ok
        }
        Ok(None) => {
            printer.info(&format!("Stack `{}` holds no lock.", valid.name()));
            Exit::Ok
        }
        Err(LockError::Held { holder }) => {
            printer.error(&format!(
                "error: the lock of stack `{}` is held and alive: {}; it is removed only when \
                 its heartbeat is older than {} min, or with --force once you are sure that \
                 run has stopped",
                valid.name(),
                holder.describe(),
                lock::STALE_AFTER.as_secs() / 60
            ));
            Exit::Error
        }
        Err(e) => {
            printer.error(&format!("error: {e}"));
            Exit::Error
        }
    }
}
