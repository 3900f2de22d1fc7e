//! `alarms`: each region's alert topic and alarms with their states; `alarms test`: a test
//! notification through the topics, and its delivery confirmed where the receiver can say.

use std::sync::Arc;

use serde::Serialize;

use super::live;
use crate::alerts::test::{self, Delivery};
use crate::cli::{AlarmsArgs, AlarmsCommand, AlarmsTestArgs, AwsArgs, Output};
use crate::errors::CliError;
use crate::exit::Exit;
use crate::model::ResourceSpec;
use crate::printer::Printer;
use crate::providers::{AlertingSnapshot, ProviderError};
use crate::retry;
use crate::stats::CallStats;

pub fn run(args: &AlarmsArgs, printer: &Printer) -> Result<Exit, CliError> {
    match &args.command {
        None => list(args, printer),
        Some(AlarmsCommand::Test(t)) => send_test(args, t, printer),
    }
}

/// The command's AWS arguments, written before or after `test`.
fn aws_of(args: &AlarmsArgs, test: Option<&AlarmsTestArgs>) -> AwsArgs {
    let later = test.map(|t| &t.aws);
    AwsArgs {
        endpoint_url: later
            .and_then(|a| a.endpoint_url.clone())
            .or_else(|| args.aws.endpoint_url.clone()),
        profile: later
            .and_then(|a| a.profile.clone())
            .or_else(|| args.aws.profile.clone()),
        stats: args.aws.stats || later.is_some_and(|a| a.stats),
    }
}

/// Each region's alerting snapshot, both regions at once.
async fn snapshots(
    engine: &crate::engine::Engine<'_>,
) -> Result<Vec<AlertingSnapshot>, ProviderError> {
    let stack = engine.stack.name();
    let reads = engine
        .regions
        .iter()
        .map(|t| async move { retry::discover(|| t.clients.alerting.snapshot(stack)).await });
    futures::future::try_join_all(reads).await
}

fn list(args: &AlarmsArgs, printer: &Printer) -> Result<Exit, CliError> {
    let (valid, runtime) = live::prepare(&args.stack)?;
    let aws = aws_of(args, None);
    let stats = Arc::new(CallStats::default());
    let progress = live::progress(printer);
    let config = runtime.block_on(live::aws_config(&aws))?;
    let engine = live::connect(&valid, &config, &stats, progress.as_ref());
    let read = runtime.block_on(snapshots(&engine));
    live::report_stats(printer, &aws, &stats);
    let snaps = read.map_err(|e| CliError::from_error(&e))?;
    let regions: Vec<(String, String)> = engine
        .regions
        .iter()
        .map(|t| (t.name.clone(), t.aws_region.clone()))
        .collect();
    let report = crate::alerts::report(valid.name(), &regions, &engine.desired(), &snaps);
    match printer.output {
        Output::Json => printer.json(&report),
        Output::Text => printer.data(&report.to_text()),
    }
    Ok(Exit::Ok)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct TestReport {
    stack: String,
    regions: Vec<RegionTest>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RegionTest {
    region: String,
    topic: String,
    nonce: String,
    message_id: String,
    webhooks: Vec<WebhookDelivery>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct WebhookDelivery {
    url: String,
    #[serde(flatten)]
    delivery: Delivery,
}

/// The regions whose topics the test goes through, and the alarm it names (if any).
fn chosen(
    valid: &crate::stack::ValidStack,
    desired: &[crate::model::Resource],
    name: Option<&str>,
) -> Result<Vec<String>, CliError> {
    let regions = valid.stack.spec.regions.iter().map(|r| r.name.clone());
    let Some(name) = name else {
        return Ok(regions.collect());
    };
    let alarms: Vec<(&str, &str, &str)> = desired
        .iter()
        .filter_map(|r| match &r.spec {
            ResourceSpec::MetricAlarm { name, .. } => {
                let key = r.id.rsplit('/').next().unwrap_or_default();
                Some((r.region.as_deref().unwrap_or_default(), key, name.as_str()))
            }
            _ => None,
        })
        .collect();
    let matches = |(_, key, aws): &&(&str, &str, &str)| {
        *key == name || *aws == name || key.split('-').next() == Some(name)
    };
    let mut found: Vec<String> = alarms
        .iter()
        .filter(matches)
        .map(|(r, _, _)| r.to_string())
        .collect();
    found.dedup();
    if found.is_empty() {
        let mut keys: Vec<&str> = alarms.iter().map(|(_, k, _)| *k).collect();
        keys.sort();
        keys.dedup();
        return Err(
            CliError::new(format!("the stack has no alarm {name}")).with_hint(if keys.is_empty() {
                "the stack asks for no alarms: add spec.alerts".to_string()
            } else {
                format!("its alarms: {}", keys.join(", "))
            }),
        );
    }
    Ok(found)
}

fn send_test(args: &AlarmsArgs, t: &AlarmsTestArgs, printer: &Printer) -> Result<Exit, CliError> {
    let (valid, runtime) = live::prepare(&args.stack)?;
    if valid.stack.spec.alerts.is_none() {
        return Err(
            CliError::new("the stack asks for no alarms: it has no alert topics to test")
                .with_hint("add `spec.alerts` with a webhook or an e-mail address, then run `up`"),
        );
    }
    let aws = aws_of(args, Some(t));
    let stats = Arc::new(CallStats::default());
    let progress = live::progress(printer);
    let config = runtime.block_on(live::aws_config(&aws))?;
    let engine = live::connect(&valid, &config, &stats, progress.as_ref());
    let desired = engine.desired();
    let regions = chosen(&valid, &desired, t.name.as_deref())?;
    let webhooks: Vec<String> = valid
        .stack
        .spec
        .alerts
        .as_ref()
        .map(|a| a.webhooks.clone())
        .unwrap_or_default();
    let stack = valid.name();
    let result = runtime.block_on(async {
        let snaps = snapshots(&engine).await?;
        let mut out = Vec::new();
        for (target, snap) in engine.regions.iter().zip(&snaps) {
            if !regions.contains(&target.name) {
                continue;
            }
            let name = crate::alerts::topic_name(stack, &target.name);
            let Some(topic) = snap.topics.iter().find(|x| x.name == name) else {
                return Ok(Err(CliError::new(format!(
                    "{} has no alert topic {name}",
                    target.name
                ))
                .with_hint("run `multiregion up` to make it")));
            };
            let nonce = test::nonce(&target.name);
            let message = test::message(stack, &target.name, &nonce, t.name.as_deref());
            let alerting = &target.clients.alerting;
            let message_id = retry::change(|| alerting.publish(&topic.arn, &message)).await?;
            printer.info(&format!(
                "{}: test notification {nonce} published to {} (message {message_id})",
                target.name, topic.arn
            ));
            out.push(RegionTest {
                region: target.name.clone(),
                topic: topic.arn.clone(),
                nonce,
                message_id,
                webhooks: vec![],
            });
        }
        // Every receiver asked at once: each region's message goes to each webhook.
        let asks = out.iter().flat_map(|r| {
            webhooks
                .iter()
                .map(move |w| async move { (w.clone(), test::wait_for(w, &r.nonce, t.wait).await) })
        });
        let answers = futures::future::join_all(asks).await;
        let mut answers = answers.into_iter();
        for r in &mut out {
            for _ in &webhooks {
                if let Some((url, delivery)) = answers.next() {
                    r.webhooks.push(WebhookDelivery { url, delivery });
                }
            }
        }
        Ok::<_, ProviderError>(Ok(out))
    });
    live::report_stats(printer, &aws, &stats);
    let out = result.map_err(|e| CliError::from_error(&e))??;
    let missed = out
        .iter()
        .flat_map(|r| &r.webhooks)
        .any(|w| w.delivery == Delivery::NotSeen);
    let report = TestReport {
        stack: stack.to_string(),
        regions: out,
    };
    match printer.output {
        Output::Json => printer.json(&report),
        Output::Text => printer.data(&text(&report, t.wait)),
    }
    Ok(if missed { Exit::ChecksFailed } else { Exit::Ok })
}

fn text(report: &TestReport, wait: std::time::Duration) -> String {
    let mut out = String::new();
    for r in &report.regions {
        out.push_str(&format!(
            "{}: sent through {} ({})\n",
            r.region, r.topic, r.message_id
        ));
        if r.webhooks.is_empty() {
            out.push_str("  no webhooks to confirm delivery with (spec.alerts.webhooks)\n");
        }
        for w in &r.webhooks {
            let said = match &w.delivery {
                Delivery::Received { verified: true } => "received, signature verified".to_string(),
                Delivery::Received { verified: false } => {
                    "received, signature NOT verified (the receiver skips the check)".to_string()
                }
                Delivery::NotSeen => format!("NOT received within {}s", wait.as_secs()),
                Delivery::CannotSee { why } => format!("delivery not confirmable: {why}"),
            };
            out.push_str(&format!("  {}: {said}\n", w.url));
        }
    }
    out
}
