//! What the commands that talk to AWS share: the runtime, the engine, and their reports.

use std::io::IsTerminal;
use std::sync::Arc;

use crate::cli::AwsArgs;
use crate::engine::{Engine, Limits, RegionTarget};
use crate::exit::Exit;
use crate::printer::Printer;
use crate::progress::{Lines, Progress, Silent};
use crate::providers::aws;
use crate::stack::ValidStack;
use crate::stats::CallStats;

/// The runtime, or the exit status after saying why there is none.
pub fn start(printer: &Printer) -> Result<tokio::runtime::Runtime, Exit> {
    runtime().map_err(|e| {
        printer.error(&e);
        Exit::Error
    })
}

pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("error: cannot start the async runtime: {e}"))
}

/// Progress lines on stderr only for a person watching: a terminal, and not `-q`.
pub fn progress(printer: &Printer) -> Box<dyn Progress> {
    if printer.verbosity >= 0 && std::io::stderr().is_terminal() {
        Box::new(Lines::new())
    } else {
        Box::new(Silent)
    }
}

/// The one SDK config every client and token comes from.
pub async fn aws_config(aws_args: &AwsArgs) -> aws_config::SdkConfig {
    aws::load_config(aws_args.endpoint_url.as_deref()).await
}

/// Clients for both regions from one SDK config.
pub fn connect<'a>(
    stack: &'a ValidStack,
    config: &aws_config::SdkConfig,
    stats: &Arc<CallStats>,
    progress: &'a dyn Progress,
) -> Engine<'a> {
    let iam = aws::iam_client(config, stats);
    let regions = stack
        .stack
        .spec
        .regions
        .iter()
        .map(|r| RegionTarget {
            name: r.name.clone(),
            aws_region: r.region.clone(),
            clients: aws::region_clients(config, &r.region, stats),
        })
        .collect();
    Engine {
        stack,
        regions,
        iam,
        limits: Limits::default(),
        progress,
    }
}

/// `AWS API calls: 33 (ec2 22, elasticloadbalancingv2 8, wafv2 3)` under `--stats` or `-v`.
pub fn report_stats(printer: &Printer, aws_args: &AwsArgs, stats: &CallStats) {
    if !aws_args.stats && printer.verbosity < 1 {
        return;
    }
    let per: Vec<String> = stats
        .per_service()
        .iter()
        .map(|(s, n)| format!("{s} {n}"))
        .collect();
    printer.error(&format!(
        "AWS API calls: {} ({})",
        stats.total(),
        per.join(", ")
    ));
    if printer.verbosity > 1 {
        for (op, n) in stats.per_operation() {
            printer.error(&format!("  {op}: {n}"));
        }
    }
}
