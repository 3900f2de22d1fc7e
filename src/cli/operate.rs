//! The arguments of the commands that operate the running setup: `probe` and `chaos`.

use clap::{Args, ValueEnum};

use super::{AwsArgs, LockArgs, StackArg, parse_duration};

#[derive(Debug, Args)]
pub struct ProbeArgs {
    #[command(flatten)]
    pub stack: StackArg,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Probe this URL instead of the stack's `frontendUrl` output; a URL without a path gets
    /// the echo endpoint (`/api/echo`), one with a path is used as it is.
    #[arg(long)]
    pub url: Option<String>,
    /// Send this many requests (default 100, or unbounded up to 1000000 with --duration).
    #[arg(short = 'n', long, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub requests: Option<u64>,
    /// Keep sending for this long (`30s`, `5m`), at --rate.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<std::time::Duration>,
    /// Requests started per second (default with --duration: 10; without: as fast as
    /// --concurrency allows).
    #[arg(long, value_name = "PER_SECOND", value_parser = parse_rate)]
    pub rate: Option<f64>,
    /// Requests in flight at once, at most.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub concurrency: u16,
    /// Give up on one request after this long (`500ms`, `5s`).
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
    /// Exit 3 unless at least this percentage of requests succeed (2xx), such as `99.5`.
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
    pub min_success: Option<f64>,
    /// Exit 3 unless the p99 latency is at most this many milliseconds.
    #[arg(long, value_name = "MS", value_parser = parse_positive)]
    pub max_p99: Option<f64>,
}

/// The experiments `chaos` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Experiment {
    /// Delete one (or --count) pods of the workload; recovered once it has every replica
    /// available again.
    PodKill,
    /// Turn on the workload's injected delay (podinfo `--random-delay`) for --for, then
    /// restore the stack's setting.
    Latency,
    /// Turn on the workload's injected errors (podinfo `--random-error`) for --for, then
    /// restore the stack's setting.
    Errors,
    /// Cordon the node running most of the workload's pods and evict them (a drain);
    /// recovered once every replica is available elsewhere; the node is uncordoned after.
    NodeLoss,
    /// Cut one AZ's private subnets of a region off with a network ACL that denies
    /// everything, for --for, then put their own ACLs back (the traffic effect shows on AWS,
    /// through --url; on an emulator only the ACL).
    AzOutage,
}

#[derive(Debug, Args)]
pub struct ChaosArgs {
    #[command(flatten)]
    pub stack: StackArg,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// The experiment.
    #[arg(value_enum, required_unless_present = "cleanup")]
    pub experiment: Option<Experiment>,
    /// Only undo what killed experiments left (cordoned nodes, faults still set).
    #[arg(long, conflicts_with = "experiment")]
    pub cleanup: bool,
    /// The workload to act on (default: the backend region's first workload).
    #[arg(long, value_name = "NAME")]
    pub workload: Option<String>,
    /// pod-kill: how many pods to delete.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub count: u16,
    /// latency, errors: how long the fault stays in.
    #[arg(long = "for", value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub lasts: std::time::Duration,
    /// latency: the injected delay's range, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 50, value_parser = clap::value_parser!(u32).range(0..=60_000))]
    pub delay_min: u32,
    #[arg(long, value_name = "MS", default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=60_000))]
    pub delay_max: u32,
    /// az-outage: the AZ, counted from 1 in the region's order.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=6))]
    pub az: u16,
    /// az-outage: the stack's region (by `name`) whose AZ goes out (default: the backend's).
    #[arg(long, value_name = "NAME")]
    pub region: Option<String>,
    /// Probe this URL through the experiment (as `probe --url`): the steady state and the
    /// recovery then also need its success rate.
    #[arg(long)]
    pub url: Option<String>,
    /// The probe's requests per second.
    #[arg(long, value_name = "PER_SECOND", default_value = "10", value_parser = parse_rate)]
    pub rate: f64,
    /// The probe's success rate the steady state and the recovery need, percent.
    #[arg(long, value_name = "PERCENT", default_value = "95", value_parser = parse_percent)]
    pub min_success: f64,
    /// How long the probe measures the steady state before the fault.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub steady: std::time::Duration,
    /// From the fault, how long to wait for recovery.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
    #[command(flatten)]
    pub lock: LockArgs,
}

fn parse_number(text: &str) -> Result<f64, String> {
    let shown: String = text.chars().take(40).collect();
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(|| format!("`{shown}` is not a number"))
}

fn parse_rate(text: &str) -> Result<f64, String> {
    let n = parse_number(text)?;
    if n > 0.0 && n <= 10_000.0 {
        Ok(n)
    } else {
        Err(format!(
            "{n}: a rate from above 0 to 10000 requests a second"
        ))
    }
}

fn parse_percent(text: &str) -> Result<f64, String> {
    let n = parse_number(text)?;
    if (0.0..=100.0).contains(&n) {
        Ok(n)
    } else {
        Err(format!("{n}: a percentage from 0 to 100"))
    }
}

fn parse_positive(text: &str) -> Result<f64, String> {
    let n = parse_number(text)?;
    if n > 0.0 {
        Ok(n)
    } else {
        Err(format!("{n}: must be above 0"))
    }
}
