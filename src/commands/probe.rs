//! `probe`: the probe's load from the command line, its URL from `--url` or the stack's
//! outputs, Ctrl-C reporting what was measured so far, and the exit code from the thresholds.

use std::sync::Arc;

use super::live;
use crate::cli::{Output, ProbeArgs};
use crate::errors::CliError;
use crate::exit::Exit;
use crate::printer::Printer;
use crate::probe::{self, Load, ProbeReport, Thresholds, http};
use crate::stats::CallStats;
use crate::stop::Stop;

/// Without --requests and --duration.
const DEFAULT_REQUESTS: u64 = 100;
/// With --duration and no --requests: the bound that still holds.
const MOST_REQUESTS: u64 = 1_000_000;
/// With --duration and no --rate.
const DEFAULT_RATE: f64 = 10.0;

pub fn run(args: &ProbeArgs, printer: &Printer) -> Result<Exit, CliError> {
    let (url, source, runtime) = match &args.url {
        Some(url) => (url.clone(), "--url".to_string(), live::runtime()?),
        None => {
            let (valid, runtime) = live::prepare(&args.stack)?;
            let url = frontend_url(&valid, args, printer, &runtime)?;
            (url, "the stack's frontendUrl output".to_string(), runtime)
        }
    };
    let url = http::probe_url(&url).map_err(CliError::new)?;
    let target = http::Http::new(url.clone(), args.timeout).map_err(CliError::new)?;
    let load = load_of(args);
    let thresholds = Thresholds {
        min_success: args.min_success,
        max_p99_ms: args.max_p99,
    };
    printer.info(&format!("Probing {url}: {}...", describe(&load)));
    let report = runtime.block_on(async {
        let stop = Stop::default();
        let interrupt = tokio::spawn({
            let stop = stop.clone();
            async move {
                let _ = tokio::signal::ctrl_c().await;
                stop.request();
            }
        });
        let report = probe::probe(
            Arc::new(target),
            load,
            thresholds,
            &stop,
            url.to_string(),
            source,
        )
        .await;
        interrupt.abort();
        report
    });
    print(printer, &report);
    Ok(exit_of(&report))
}

pub fn load_of(args: &ProbeArgs) -> Load {
    let requests = match (args.requests, args.duration) {
        (Some(n), _) => n,
        (None, Some(_)) => MOST_REQUESTS,
        (None, None) => DEFAULT_REQUESTS,
    };
    let rate = args.rate.or(args.duration.map(|_| DEFAULT_RATE));
    Load {
        requests,
        duration: args.duration,
        rate,
        concurrency: usize::from(args.concurrency),
    }
}

fn describe(load: &Load) -> String {
    let mut parts = Vec::new();
    match load.duration {
        Some(d) => parts.push(format!("for {} s", d.as_secs_f64())),
        None => parts.push(format!("{} requests", load.requests)),
    }
    if let Some(rate) = load.rate {
        parts.push(format!("{rate}/s"));
    }
    parts.push(format!("at most {} at once", load.concurrency));
    parts.join(", ")
}

pub fn print(printer: &Printer, report: &ProbeReport) {
    match printer.output {
        Output::Json => printer.json(report),
        Output::Text => printer.data(&report.to_text()),
    }
}

/// 130 when interrupted (what was measured is still printed), 3 when a threshold is missed.
pub fn exit_of(report: &ProbeReport) -> Exit {
    if report.interrupted {
        Exit::Interrupted
    } else if !report.passed {
        Exit::ChecksFailed
    } else {
        Exit::Ok
    }
}

/// The stack's public URL, from one discovery pass.
fn frontend_url(
    valid: &crate::stack::ValidStack,
    args: &ProbeArgs,
    printer: &Printer,
    runtime: &tokio::runtime::Runtime,
) -> Result<String, CliError> {
    let stats = Arc::new(CallStats::default());
    let progress = live::progress(printer);
    let config = runtime.block_on(live::aws_config(&args.aws))?;
    let snapshots = runtime
        .block_on(async {
            let engine = live::connect(valid, &config, &stats, progress.as_ref());
            engine.read().await
        })
        .map_err(|e| CliError::from_error(&e))?;
    live::report_stats(printer, &args.aws, &stats);
    crate::outputs::from_snapshots(valid, &snapshots)
        .frontend_url
        .ok_or_else(|| {
            CliError::new("the stack has no public load balancer yet, so no URL to probe")
                .with_hint("run `multiregion up` first, or give the URL with --url")
        })
}
