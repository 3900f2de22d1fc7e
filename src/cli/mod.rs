//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod alarms;
mod operate;
pub use alarms::{AlarmsArgs, AlarmsCommand, AlarmsTestArgs};
pub use operate::{ChaosArgs, Experiment, ProbeArgs};
mod webhook;
pub use webhook::{WebhookArgs, WebhookCommand, WebhookServeArgs};

#[derive(Debug, Parser)]
#[command(
    name = "multiregion",
    version,
    about = "Provision, check and tear down a two-region AWS EKS setup from one stack file"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// The stack file (before or after the command: `multiregion -f FILE plan` or
    /// `multiregion plan -f FILE`).
    #[arg(
        short = 'f',
        long,
        global = true,
        value_name = "FILE",
        env = "MULTIREGION_STACK",
        default_value = DEFAULT_STACK,
        value_hint = clap::ValueHint::FilePath
    )]
    pub stack: PathBuf,
    /// The environment: lays `envs/NAME.yaml` beside the stack file (or the overlay file at
    /// a path given) over the stack, field by field.
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        env = "MULTIREGION_ENV",
        value_hint = clap::ValueHint::FilePath
    )]
    pub env: Option<String>,
    /// Output format of the command's result on stdout.
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// Say more on stderr (repeatable).
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Say nothing on stderr but errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Colour on a terminal (`auto`; none when NO_COLOR is set), always, or never.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// `--target ID`: limit a run to some resources.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Limit the run to this logical id (repeatable), such as `c1/vpc`: with what it depends
    /// on for `plan` and `up`, with what depends on it for `down`. Workloads are left alone.
    #[arg(long = "target", value_name = "ID")]
    pub targets: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and check a stack file offline (exit 0 valid, 1 invalid).
    Validate(StackArg),
    /// Print the stack as merged from its file and the environment's overlay (`--env`),
    /// once it is valid, before defaults are filled in (exit 0 valid, 1 invalid).
    Render(StackArg),
    /// Estimate what the stack costs per month, itemised per region, from the project's dated
    /// price table and the stack's usage assumptions; no AWS access (exit 0, 1 error).
    Cost(CostArgs),
    /// Print the stack format as a JSON Schema (for editors and yaml-language-server).
    Schema,
    /// Show what `up` would change (exit 0 in sync, 2 changes or drift, 1 error).
    Plan(PlanArgs),
    /// Converge both regions to the stack (exit 0 ok, 1 error).
    #[command(visible_alias = "apply")]
    Up(UpArgs),
    /// Delete everything the stack owns in both regions (exit 0 ok, 1 error).
    #[command(visible_alias = "destroy")]
    Down(DownArgs),
    /// Run the security checks on the live setup, or with --static on the stack file alone
    /// (exit 0 all pass, 3 a check at or above --fail-on failed, 1 error).
    Verify(VerifyArgs),
    /// Write or merge a kubeconfig with one context per cluster of the stack.
    Kubeconfig(KubeconfigArgs),
    /// Print an EKS token as an exec credential (used by the kubeconfig entries).
    Token(TokenArgs),
    /// Print the stack's outputs after `up` (the public URL, the backend's DNS name, the
    /// clusters' endpoints and contexts, ids), or one of them by name.
    #[command(alias = "outputs")]
    Output(OutputArgs),
    /// Per region and kind what exists, is missing, drifted or extra, and the last `up` that
    /// converged each region (exit 0, 1 error).
    Status(StatusArgs),
    /// Remove the stack's run lock: a stale one (its holder stopped refreshing it), or with
    /// --force one that is still held (exit 0 removed or none, 1 refused or error).
    Unlock(UnlockArgs),
    /// Send requests through the public entry to the frontend's echo endpoint (which calls the
    /// backend across the regions) and report success rate, statuses and latency (exit 0 the
    /// thresholds are met, 3 one is missed, 130 interrupted, 1 error).
    Probe(ProbeArgs),
    /// Run a fault experiment on the running setup: steady state, the fault, observation until
    /// recovery, the rollback always, and the measured recovery time (exit 0 recovered, 3 not
    /// recovered or steady state missed, 130 interrupted, 1 error). `--cleanup` undoes what a
    /// killed experiment left.
    Chaos(ChaosArgs),
    /// Receive the SNS deliveries of the stack's alarm topics over HTTP (`webhook serve`):
    /// alarm state changes and test notifications, checked and printed one line each.
    Webhook(WebhookArgs),
    /// List the stack's alarms per region: state, last change, and where they notify (exit 0,
    /// 1 error); `alarms test` sends a test notification through the alert topics.
    Alarms(AlarmsArgs),
    /// Print a shell completion script: bash, zsh, fish, powershell or elvish.
    ///
    /// Text whatever --output says (a script is not a result document). For example
    /// `multiregion completions bash > ~/.local/share/bash-completion/completions/multiregion`,
    /// `multiregion completions zsh > ~/.zfunc/_multiregion`,
    /// `multiregion completions fish > ~/.config/fish/completions/multiregion.fish`.
    Completions(CompletionsArgs),
    /// Print the man page (roff), or with --dir write one page per command.
    ///
    /// The page is text whatever --output says (a page is not a result document); with --dir,
    /// the files written are the result, a JSON document under --output json. For example
    /// `multiregion man | man -l -`, `multiregion man --dir /usr/local/share/man/man1`.
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct CostArgs {
    #[command(flatten)]
    pub stack: StackArg,
    /// Show this environment (a name or an overlay's path) beside the one `--env` chooses.
    #[arg(long, value_name = "NAME")]
    pub compare_env: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write multiregion.1 and multiregion-COMMAND.1 for each command into DIR (made if
    /// missing) instead of printing the top page.
    #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub dir: Option<PathBuf>,
}

/// How long a run waits for the stack's lock: `0` (refuse at once), `90`, `90s`, `5m`, `1h`.
#[derive(Debug, Args)]
pub struct LockArgs {
    /// Wait up to this long while another run holds the stack's lock, then refuse (default:
    /// refuse at once, naming the holder).
    #[arg(long, value_name = "DURATION", default_value = "0", value_parser = parse_duration)]
    pub lock_timeout: std::time::Duration,
}

/// `90`, `90s`, `5m`, `1h`, `500ms`: a whole number of seconds, minutes, hours or
/// milliseconds.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let shown: String = text.chars().take(40).collect();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let millis = match unit {
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => {
            return Err(format!(
                "`{shown}`: expected a number of seconds, or a number with ms, s, m or h"
            ));
        }
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{shown}`: expected a whole number, such as 30s or 5m"))?;
    n.checked_mul(millis)
        .filter(|ms| *ms <= 24 * 3_600_000)
        .map(std::time::Duration::from_millis)
        .ok_or_else(|| format!("`{shown}`: at most 24h"))
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    #[command(flatten)]
    pub stack: StackArg,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// One output by name (`frontendUrl`, `backendDns`, `c1.clusterEndpoint`, …): its value
    /// alone.
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub stack: StackArg,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Args)]
pub struct UnlockArgs {
    #[command(flatten)]
    pub stack: StackArg,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Remove the lock even though its holder is still refreshing it (that run may still be
    /// changing the account: make sure it is not).
    #[arg(long)]
    pub force: bool,
}

/// The stack file when neither `--stack` nor `MULTIREGION_STACK` names one.
pub const DEFAULT_STACK: &str = "stacks/two-region.yaml";

/// The stack file a command reads: the global `--stack`/`-f` of [`Cli`]. It adds no argument
/// of its own (clap copies a global argument's value into every subcommand's matches, where
/// this reads it), so a command's arguments keep `stack: StackArg` whichever side of the
/// command's name the flag is written.
#[derive(Debug, Clone)]
pub struct StackArg {
    pub stack: PathBuf,
    /// `--env`: an environment's name, or the path of an overlay file.
    pub env: Option<String>,
}

impl clap::FromArgMatches for StackArg {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let stack = matches
            .try_get_one::<PathBuf>("stack")
            .ok()
            .flatten()
            .cloned()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_STACK));
        let env = matches.try_get_one::<String>("env").ok().flatten().cloned();
        Ok(StackArg { stack, env })
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Args for StackArg {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd
    }
}

/// How to reach AWS.
#[derive(Debug, Args)]
pub struct AwsArgs {
    /// Send every AWS call to this endpoint (an emulator such as moto); also AWS_ENDPOINT_URL.
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// The AWS profile every client uses (from ~/.aws/config or ~/.aws/credentials); also
    /// AWS_PROFILE.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Print the number of AWS API calls per service (also shown with -v).
    #[arg(long)]
    pub stats: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub stack: StackArg,
    /// Save the plan to FILE, for `up --plan FILE` to carry out exactly.
    #[arg(long, value_name = "FILE", conflicts_with = "offline")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Plan against an empty account without calling AWS.
    #[arg(long)]
    pub offline: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Leave the clusters' Kubernetes objects out of the comparison.
    #[arg(long)]
    pub skip_workloads: bool,
}

#[derive(Debug, Args)]
pub struct UpArgs {
    #[command(flatten)]
    pub stack: StackArg,
    /// Carry out without asking (required when there is no terminal to ask on).
    #[arg(long, visible_alias = "auto-approve")]
    pub yes: bool,
    /// Carry out exactly the plan saved by `plan --out FILE`; refused if the stack or the
    /// account changed since.
    #[arg(long, value_name = "FILE", conflicts_with = "targets")]
    pub plan: Option<PathBuf>,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Carry out replacements (delete and create again) that AWS cannot do in place.
    #[arg(long)]
    pub allow_replace: bool,
    /// Build the infrastructure only; apply no Kubernetes objects.
    #[arg(long)]
    pub skip_workloads: bool,
    /// How long to wait for each Deployment to roll out.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub rollout_timeout: u64,
    #[command(flatten)]
    pub lock: LockArgs,
}

#[derive(Debug, Args)]
pub struct DownArgs {
    #[command(flatten)]
    pub stack: StackArg,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Delete without asking (required when there is no terminal to ask on).
    #[arg(long, visible_alias = "auto-approve")]
    pub yes: bool,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Do not ask the clusters to remove their Kubernetes objects (and the load balancers of
    /// their LoadBalancer Services) first; leftovers are still swept from the VPCs.
    #[arg(long)]
    pub skip_workloads: bool,
    #[command(flatten)]
    pub lock: LockArgs,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub stack: StackArg,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Check the stack file (and its manifests) alone, with no AWS access: for pull requests.
    #[arg(long = "static")]
    pub static_only: bool,
    /// List the checks (id, severity, title) and stop: no stack is read, no AWS call made.
    #[arg(long, conflicts_with_all = ["static_only", "skip", "junit", "sarif", "AwsArgs"])]
    pub list: bool,
    /// The lowest severity whose failure makes the exit status 3.
    #[arg(long, value_enum, default_value_t = FailOn::High)]
    pub fail_on: FailOn,
    /// Leave out a check (repeatable), such as `--skip MR-NET-007`.
    #[arg(long, value_name = "ID")]
    pub skip: Vec<String>,
    /// Also write the report as JUnit XML to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Also write the report as SARIF 2.1.0 to FILE.
    #[arg(long, value_name = "FILE")]
    pub sarif: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct KubeconfigArgs {
    #[command(flatten)]
    pub stack: StackArg,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// The file to write or merge into (default: the first file of $KUBECONFIG, else ~/.kube/config).
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// EKS cluster name.
    #[arg(long)]
    pub cluster: String,
    /// The cluster's AWS region.
    #[arg(long)]
    pub region: String,
}

/// `--fail-on`: the check severities, as the command line spells them (the checks themselves
/// know nothing of clap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Low,
    Medium,
    High,
    Critical,
}

impl From<FailOn> for crate::verify::Severity {
    fn from(f: FailOn) -> Self {
        use crate::verify::Severity;
        match f {
            FailOn::Low => Severity::Low,
            FailOn::Medium => Severity::Medium,
            FailOn::High => Severity::High,
            FailOn::Critical => Severity::Critical,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;

    fn stack_of(args: &[&str]) -> PathBuf {
        let cli = Cli::try_parse_from(args).unwrap();
        match cli.command {
            Command::Validate(a) => a.stack,
            Command::Plan(a) => a.stack.stack,
            Command::Down(a) => a.stack.stack,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_stack_is_read_before_or_after_the_command() {
        assert_eq!(
            stack_of(&["mr", "-f", "a.yaml", "validate"]),
            PathBuf::from("a.yaml")
        );
        assert_eq!(
            stack_of(&["mr", "validate", "-f", "a.yaml"]),
            PathBuf::from("a.yaml")
        );
        assert_eq!(
            stack_of(&["mr", "--stack", "b.yaml", "plan"]),
            PathBuf::from("b.yaml")
        );
        assert_eq!(
            stack_of(&["mr", "down", "--stack=c.yaml"]),
            PathBuf::from("c.yaml")
        );
        // The last one written wins, as for any flag.
        assert_eq!(
            stack_of(&["mr", "-f", "a.yaml", "plan", "-f", "b.yaml"]),
            PathBuf::from("b.yaml")
        );
    }
}
