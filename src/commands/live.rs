//! What the commands that talk to AWS share: the runtime, the engine, and their reports.

use std::io::IsTerminal;
use std::sync::Arc;

use crate::cli::AwsArgs;
use crate::engine::{Engine, Limits, RegionTarget};
use crate::errors::CliError;
use crate::exit::Exit;
use crate::lock;
use crate::printer::Printer;
use crate::progress::{Lines, Live, Progress, Silent};
use crate::providers::aws;
use crate::stack::ValidStack;
use crate::stats::CallStats;

/// The runtime the AWS and Kubernetes clients run on.
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::new(format!("cannot start the async runtime: {e}")))
}

/// What a command that talks to AWS starts from: its valid stack and the runtime.
pub fn prepare(
    stack: &crate::cli::StackArg,
) -> Result<(ValidStack, tokio::runtime::Runtime), CliError> {
    let valid = super::load_stack(stack)?;
    Ok((valid, runtime()?))
}

/// Progress of a read-only command: a live view only for a person watching (a terminal, not
/// `-q`).
pub fn progress(printer: &Printer) -> Box<dyn Progress> {
    if printer.verbosity >= 0 && std::io::stderr().is_terminal() {
        Box::new(Live::new(printer.paint_err))
    } else {
        Box::new(Silent)
    }
}

/// Progress of a run that changes the account: the live view on a terminal, else one line per
/// finished step (what CI logs keep); nothing with `-q`.
pub fn run_progress(printer: &Printer) -> Box<dyn Progress> {
    if printer.verbosity < 0 {
        Box::new(Silent)
    } else if std::io::stderr().is_terminal() {
        Box::new(Live::new(printer.paint_err))
    } else {
        Box::new(Lines::new(printer.paint_err))
    }
}

/// The one SDK config every client and token comes from; a bad endpoint URL or a profile that
/// is not there stops the command before any call.
pub async fn aws_config(aws_args: &AwsArgs) -> Result<aws_config::SdkConfig, CliError> {
    let settings = aws::Settings {
        endpoint_url: aws_args.endpoint_url.clone(),
        profile: aws_args.profile.clone(),
    };
    aws::load_config(&settings)
        .await
        .map_err(|e| CliError::new(e.message).with_hint(e.hint))
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
    // An endpoint URL names an emulator (the rule of `emulated`): moto has neither the EKS
    // add-on nor the Pod Identity API, so both are left out there rather than fail every run.
    let skipped_kinds = match config.endpoint_url() {
        Some(_) => vec![
            crate::kinds::Kind::ClusterAddon,
            crate::kinds::Kind::PodIdentity,
        ],
        None => Vec::new(),
    };
    Engine {
        stack,
        regions,
        iam,
        limits: Limits::default(),
        progress,
        stop: Default::default(),
        skipped_kinds,
    }
}

/// How a run holding the stack's lock ended, when it did not end with its own answer.
pub enum Stopped {
    /// The lock was not to be had, or the run failed: what to say.
    Failed(CliError),
    /// A second Ctrl-C stopped it at once, running steps and all.
    Interrupted,
}

/// Runs `work` holding the stack's run lock: taken before it, given back after it whatever
/// happens. The first Ctrl-C asks the engine to stop (no new step starts, the running ones
/// finish, `work` returns its report); a second one ends it at once (what was made stays made
/// and tagged, and the next run finds it).
pub async fn locked<T>(
    engine: &Engine<'_>,
    config: &aws_config::SdkConfig,
    command: &str,
    wait: std::time::Duration,
    printer: &Printer,
    work: impl std::future::Future<Output = Result<T, CliError>>,
) -> Result<T, Stopped> {
    let holder = lock::Holder::this_process(command, &principal(config).await);
    let store = engine.lock_store();
    if !wait.is_zero() {
        printer.info(&format!(
            "Taking the stack's lock (waiting up to {} s for another run)...",
            wait.as_secs()
        ));
    }
    // Ctrl-C while the lock is being taken (or waited for) ends the run before any change,
    // saying so, instead of SIGINT's default end without a word.
    let acquire = lock::RunLock::acquire(store, engine.stack.name(), holder, wait);
    let held = tokio::select! {
        held = acquire => held.map_err(|e| Stopped::Failed(CliError::from_error(&e)))?,
        _ = tokio::signal::ctrl_c() => {
            let stopped = CliError::new(format!(
                "interrupted while taking the stack's lock: `{command}` changed nothing"
            ))
            .with_hint("if `multiregion status` shows this run holding the lock, `multiregion unlock` removes it")
            .with_exit(Exit::Interrupted);
            return Err(Stopped::Failed(stopped));
        }
    };
    let interrupts = async {
        let _ = tokio::signal::ctrl_c().await;
        engine.stop.request();
        printer.error(&format!(
            "\ninterrupted: `{command}` starts no new step; the running ones finish (press \
             Ctrl-C again to stop at once)"
        ));
        let _ = tokio::signal::ctrl_c().await;
    };
    let outcome = tokio::select! {
        answer = work => Some(answer),
        _ = interrupts => None,
    };
    // Given back within a bound: a second Ctrl-C means now.
    let bound = match outcome {
        Some(_) => std::time::Duration::from_secs(60),
        None => std::time::Duration::from_secs(3),
    };
    match tokio::time::timeout(bound, held.release()).await {
        Ok(Ok(true)) => printer.error(
            "warning: the stack's lock was taken away from this run while it ran (`unlock --force`)",
        ),
        Ok(Ok(false)) => {}
        Ok(Err(e)) => printer.error(&format!(
            "warning: the stack's lock could not be given back ({e}); `multiregion unlock` removes it"
        )),
        Err(_) => printer.error(
            "warning: the stack's lock was not given back in time; `multiregion unlock` removes it",
        ),
    }
    match outcome {
        Some(Ok(done)) => Ok(done),
        Some(Err(e)) => Err(Stopped::Failed(e)),
        None => Err(Stopped::Interrupted),
    }
}

/// The error a locked run that did not finish ends with.
pub fn stopped(command: &str, how: Stopped) -> CliError {
    match how {
        Stopped::Failed(e) => e,
        Stopped::Interrupted => CliError::new(format!(
            "interrupted twice: `{command}` stopped at once; what it made or deleted so far stays \
             so (tagged, found by the next run)"
        ))
        .with_hint(format!("run `{command}` again to finish"))
        .with_exit(Exit::Interrupted),
    }
}

/// Who is running, for the lock: the local user and the access key of the AWS credentials.
async fn principal(config: &aws_config::SdkConfig) -> String {
    use aws_credential_types::provider::ProvideCredentials;
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown user".into());
    let key = match config.credentials_provider() {
        Some(p) => p.provide_credentials().await.ok(),
        None => None,
    };
    match key {
        Some(c) => format!("{user} (AWS access key {})", c.access_key_id()),
        None => user,
    }
}

/// A note when another run holds the stack's lock, from what discovery read: `plan` and
/// `verify` take no lock, and what that run is changing may not show yet.
pub fn note_lock(printer: &Printer, stack: &ValidStack, snapshots: &[crate::engine::Snapshot]) {
    let parameters: Vec<_> = snapshots
        .iter()
        .flat_map(|s| s.parameters.clone())
        .collect();
    if let Some(held) = lock::held_in(stack.name(), &parameters) {
        printer.info(&format!(
            "note: another run holds the stack's lock: {held}; what it is changing may not show yet"
        ));
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

/// Whether AWS calls go to an emulator: `--endpoint-url`, or AWS_ENDPOINT_URL unless the SDK
/// is told to ignore it.
pub fn emulated(aws_args: &AwsArgs) -> bool {
    let set = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let ignored =
        set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    aws_args.endpoint_url.is_some() || (!ignored && set("AWS_ENDPOINT_URL").is_some())
}

/// Alarms carry what broke: on AWS they go to webhooks over HTTPS only. An emulator on this
/// machine may be sent to a plain-HTTP receiver beside it.
pub fn refuse_plain_webhooks(valid: &ValidStack, aws_args: &AwsArgs) -> Result<(), CliError> {
    let Some(alerts) = &valid.stack.spec.alerts else {
        return Ok(());
    };
    let plain = crate::stack::semantic::plain_http_webhooks(alerts);
    match plain.first() {
        Some(url) if !emulated(aws_args) => Err(CliError::new(format!(
            "spec.alerts.webhooks: {url} is plain HTTP; SNS would send the stack's alarms to it unencrypted"
        ))
        .with_hint(
            "use an https:// URL (a receiver behind TLS); plain http is taken only with \
             --endpoint-url, for an emulator",
        )),
        _ => Ok(()),
    }
}
