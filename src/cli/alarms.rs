//! The arguments of `alarms`: the stack's alarms and their states, and `alarms test`.

use clap::{Args, Subcommand};

use super::{AwsArgs, StackArg, parse_duration};

#[derive(Debug, Args)]
pub struct AlarmsArgs {
    #[command(flatten)]
    pub stack: StackArg,
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(subcommand)]
    pub command: Option<AlarmsCommand>,
}

#[derive(Debug, Subcommand)]
pub enum AlarmsCommand {
    /// Send a clearly marked test notification through each region's alert topic (or only
    /// those of the alarm NAME) and, for each webhook that is a `multiregion webhook serve`
    /// receiver the tool can reach, wait until it has the message (exit 0 sent and seen where
    /// it can be seen, 3 a receiver did not get it within --wait, 1 error).
    Test(AlarmsTestArgs),
}

#[derive(Debug, Args)]
pub struct AlarmsTestArgs {
    /// An alarm by its key (`errorRate`, `backendPods`) or its AWS name: only its region's
    /// topic is tested.
    pub name: Option<String>,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// How long to wait for each receiver to report the delivery.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub wait: std::time::Duration,
}
