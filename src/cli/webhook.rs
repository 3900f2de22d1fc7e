//! The arguments of `webhook serve`, the receiver of the alarm topics' SNS deliveries.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::StackArg;

#[derive(Debug, Args)]
pub struct WebhookArgs {
    #[command(subcommand)]
    pub command: WebhookCommand,
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Listen for the SNS HTTP(S) deliveries of the stack's alarm topics: check each (topic,
    /// signature), confirm subscriptions, and print one line per event — an alarm's state
    /// change, a test notification of `alarms test` — until Ctrl-C (exit 130) or --max-events
    /// (exit 0); 1 error.
    Serve(WebhookServeArgs),
}

#[derive(Debug, Args)]
pub struct WebhookServeArgs {
    #[command(flatten)]
    pub stack: StackArg,
    /// The TCP port to listen on (0: any free port, said in the `listening on` line).
    #[arg(long)]
    pub port: u16,
    /// The address to listen on; SNS must be able to reach it (behind a TLS proxy for https).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Also append each event to FILE as a JSON line.
    #[arg(long, value_name = "PATH", value_hint = clap::ValueHint::FilePath)]
    pub forward_file: Option<PathBuf>,
    /// Also run `sh -c CMD` for each event, with the event as a JSON line on its stdin.
    #[arg(long, value_name = "CMD")]
    pub forward_command: Option<String>,
    /// Accept deliveries without checking their SNS signature: only with an emulator
    /// (--endpoint-url or AWS_ENDPOINT_URL), which may not sign.
    #[arg(long)]
    pub insecure_skip_signature: bool,
    /// An emulator such as moto: signing certificates and subscription confirmations are
    /// fetched from it (same path and query) instead of SNS; also AWS_ENDPOINT_URL.
    #[arg(long, value_name = "URL", env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// The AWS account whose topics are the stack's (12 digits); without it, the account of
    /// the credentials in use (STS GetCallerIdentity). A delivery from another account's
    /// topic of the same name is refused.
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// Stop (exit 0) after this many events.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_events: Option<u64>,
}
