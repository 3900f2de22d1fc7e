use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

use super::{live, workloads};
use crate::cli::{DownArgs, Output};
use crate::errors::CliError;
use crate::exit::Exit;
use crate::printer::Printer;
use crate::stack::ValidStack;
use crate::stats::CallStats;

pub fn run(args: &DownArgs, printer: &Printer) -> Result<Exit, CliError> {
    let (valid, runtime) = live::prepare(&args.stack.stack)?;
    if !args.yes {
        confirm(&valid)?;
    }
    let stats = Arc::new(CallStats::default());
    let progress = live::progress(printer);
    let started = std::time::Instant::now();
    let result = runtime.block_on(async {
        let config = live::aws_config(&args.aws).await;
        let engine = live::connect(&valid, &config, &stats, progress.as_ref());
        let work = async {
            if !args.skip_workloads {
                remove_workloads(&valid, &engine, &config, printer).await?;
            }
            let (changes, report) = engine.down().await?;
            // Deletes are confirmed by reading again: only an empty answer means gone.
            let left = if report.failed() == 0 {
                engine.observe(&engine.desired()).await?.resources.len()
            } else {
                0
            };
            Ok::<_, crate::engine::EngineError>((changes, report, left))
        };
        let work = async { work.await.map_err(|e| CliError::from_error(&e)) };
        let wait = args.lock.lock_timeout;
        live::locked(&engine, &config, "down", wait, printer, work).await
    });
    live::report_stats(printer, &args.aws, &stats);
    let (changes, report, left) = match result {
        Ok(done) => done,
        Err(how) => return Err(live::stopped("down", how)),
    };
    if printer.output == Output::Json {
        printer.json(&report);
    }
    let exit = super::up::summarize(printer, &report, "down", started.elapsed());
    if exit != Exit::Ok {
        return Ok(exit);
    }
    if left > 0 {
        return Err(CliError::new(format!(
            "{left} resource(s) tagged multiregion:stack={} are still there",
            valid.name()
        ))
        .with_hint("run `down` again"));
    }
    let regions: Vec<&str> = valid
        .stack
        .spec
        .regions
        .iter()
        .map(|r| r.region.as_str())
        .collect();
    printer.info(&format!(
        "{} resource(s) deleted; nothing tagged multiregion:stack={} remains in {}.",
        changes.len(),
        valid.name(),
        regions.join(" or ")
    ));
    Ok(Exit::Ok)
}

/// Kubernetes first: LoadBalancer Services (and so their load balancers), then the stack's
/// objects, in every cluster that answers. A cluster that does not is said plainly and left to
/// the infrastructure teardown, whose sweep removes what Kubernetes left in the VPCs.
async fn remove_workloads(
    valid: &ValidStack,
    engine: &crate::engine::Engine<'_>,
    config: &aws_config::SdkConfig,
    printer: &Printer,
) -> Result<(), crate::engine::EngineError> {
    let facts =
        workloads::facts(engine)
            .await
            .map_err(|source| crate::engine::EngineError::Discovery {
                region: "the clusters".into(),
                source,
            })?;
    let none = vec![Vec::new(); valid.stack.spec.regions.len()];
    let work = workloads::work(valid, &facts, workloads::credentials(config), none);
    let removals = work
        .iter()
        .filter_map(|w| Some((w.api.as_ref()?, &w.owner)))
        .map(|(api, owner)| async move {
            let result = crate::workloads::remove(api, owner, engine.progress).await;
            (api, result)
        });
    for (api, result) in futures::future::join_all(removals).await {
        match result {
            Ok(n) => printer.info(&format!(
                "{}: {n} Kubernetes object(s) removed",
                api.cluster
            )),
            Err(e) => printer.error(&format!(
                "warning: {}\n  note: going on with the teardown; what Kubernetes left in the VPCs is swept",
                crate::errors::cause_chain(&e)
            )),
        }
    }
    Ok(())
}

/// Asks for the stack's name on the terminal; without a terminal, refuses.
fn confirm(stack: &ValidStack) -> Result<(), CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::new(
            "`down` deletes everything the stack owns and there is no terminal to ask on",
        )
        .with_hint("pass --yes to confirm"));
    }
    let regions: Vec<&str> = stack
        .stack
        .spec
        .regions
        .iter()
        .map(|r| r.region.as_str())
        .collect();
    eprint!(
        "This deletes everything tagged multiregion:stack={} in {}.\nType the stack name to go on: ",
        stack.name(),
        regions.join(" and ")
    );
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::new(format!("cannot read the answer: {e}")))?;
    if answer.trim() == stack.name() {
        Ok(())
    } else {
        Err(CliError::new("not confirmed; nothing was deleted"))
    }
}
