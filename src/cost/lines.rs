//! One region's bill: its billable resources and the stack's usage assumptions, priced line
//! by line from the table.

use serde::Serialize;

use super::billable::Billable;
use super::prices::{self, HOURS_PER_MONTH as HOURS, RegionPrices};
use crate::stack::eks_versions;
use crate::stack::usage::UsageSpec;

/// Every node's root volume: the EKS AMIs' default size, in GiB.
pub const ROOT_VOLUME_GB: f64 = 20.0;
/// Months of logs a group that never expires is priced with (a year's accumulation).
const UNLIMITED_MONTHS: f64 = 12.0;

/// One priced line of a region's bill.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Line {
    /// What is charged: `NAT gateways`, `Nodes c1/nodegroup-default`.
    pub item: String,
    /// How many of `unit`.
    pub quantity: f64,
    pub unit: &'static str,
    /// The arithmetic: `2 × 730 h × $0.045`.
    pub detail: String,
    /// USD per month.
    pub monthly: f64,
    /// USD per month with every node group at its `max` (node lines only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_max: Option<f64>,
}

/// What could not be priced, and why.
pub type Unpriced = String;

/// A price as the table has it: cents at least, up to four decimals (`$0.0416`, `$0.10`).
fn money(x: f64) -> String {
    let text = format!("{x:.4}");
    let text = text.trim_end_matches('0');
    let decimals = text.split_once('.').map_or(0, |(_, d)| d.len());
    if decimals < 2 {
        format!("${x:.2}")
    } else {
        format!("${text}")
    }
}

fn line(
    item: impl Into<String>,
    quantity: f64,
    unit: &'static str,
    detail: String,
    monthly: f64,
) -> Line {
    Line {
        item: item.into(),
        quantity,
        unit,
        detail,
        monthly,
        at_max: None,
    }
}

/// `count` things billed by the hour all month.
fn hourly(item: &str, count: f64, unit: &'static str, hour: f64) -> Line {
    line(
        item,
        count,
        unit,
        format!("{count} × {HOURS} h × {}", money(hour)),
        count * HOURS * hour,
    )
}

/// Requests per second on average, and GB per hour they carry.
fn traffic(usage: &UsageSpec) -> (f64, f64) {
    let per_second = usage.requests_per_month as f64 / (HOURS * 3600.0);
    let gb_per_hour = per_second * 3600.0 * f64::from(usage.response_kb) / 1e6;
    (per_second, gb_per_hour)
}

/// The lines of a region in `aws_region` holding `billables`; what the table cannot price is
/// returned apart, never guessed.
pub fn region(
    aws_region: &str,
    billables: &[Billable],
    usage: &UsageSpec,
) -> (Vec<Line>, Vec<Unpriced>) {
    let Some(p) = prices::region(aws_region) else {
        let unpriced = if billables.is_empty() {
            Vec::new()
        } else {
            vec![format!(
                "{aws_region}: the price table ({}) has no prices for this region",
                prices::TABLE_DATE
            )]
        };
        return (Vec::new(), unpriced);
    };
    let mut lines = Vec::new();
    let mut unpriced = Vec::new();
    let count = |f: fn(&Billable) -> bool| billables.iter().filter(|b| f(b)).count() as f64;

    let today = eks_versions::today();
    let extended = |b: &Billable| match b {
        Billable::ControlPlane { version, .. } => Some(
            crate::model::minor(version)
                .is_some_and(|m| eks_versions::support(m, today).billed_extended()),
        ),
        _ => None,
    };
    for (past_standard, item, hour) in [
        (false, "EKS control plane", p.eks_hour),
        (
            true,
            "EKS control plane, extended support",
            p.eks_extended_hour,
        ),
    ] {
        let clusters = billables
            .iter()
            .filter(|b| extended(b) == Some(past_standard))
            .count() as f64;
        if clusters > 0.0 {
            lines.push(hourly(item, clusters, "EKS cluster", hour));
        }
    }
    for b in billables {
        if let Billable::Nodes { .. } = b {
            match nodes(p, b) {
                Ok(l) => lines.push(l),
                Err(e) => unpriced.push(e),
            }
        }
    }
    let nats = count(|b| matches!(b, Billable::NatGateway));
    if nats > 0.0 {
        lines.push(hourly("NAT gateways", nats, "NAT gateway", p.nat_hour));
        let gb = f64::from(usage.nat_gb_per_month);
        lines.push(line(
            "NAT data processed",
            gb,
            "GB",
            format!("{gb} GB × {} (usage.natGbPerMonth)", money(p.nat_gb)),
            gb * p.nat_gb,
        ));
    }
    let addresses: f64 = billables
        .iter()
        .map(|b| match b {
            Billable::ElasticIp => 1.0,
            Billable::LoadBalancer {
                internet_facing: true,
                azs,
                ..
            } => *azs as f64,
            _ => 0.0,
        })
        .sum();
    if addresses > 0.0 {
        lines.push(hourly(
            "Public IPv4 addresses",
            addresses,
            "public IPv4 address",
            p.ipv4_hour,
        ));
    }
    let (per_second, gb_per_hour) = traffic(usage);
    for b in billables {
        match b {
            Billable::LoadBalancer { id, network, .. } => {
                let (what, hour, lcu_hour, lcus) = if *network {
                    // NLCU: 800 new flows a second, or 1 GB an hour.
                    (
                        "NLB",
                        p.nlb_hour,
                        p.nlb_lcu_hour,
                        (per_second / 800.0).max(gb_per_hour),
                    )
                } else {
                    // LCU: 25 new connections a second, or 1 GB an hour.
                    (
                        "ALB",
                        p.alb_hour,
                        p.alb_lcu_hour,
                        (per_second / 25.0).max(gb_per_hour),
                    )
                };
                lines.push(line(
                    format!("{what} {id}"),
                    1.0,
                    "load balancer",
                    format!("{HOURS} h × {} + {lcus:.3} capacity units × {HOURS} h × {} (usage.requestsPerMonth, usage.responseKb)", money(hour), money(lcu_hour)),
                    HOURS * hour + lcus * HOURS * lcu_hour,
                ));
            }
            Billable::WebAcl { id, rules } => {
                let millions = usage.requests_per_month as f64 / 1e6;
                let rules = *rules as f64;
                lines.push(line(
                    format!("WAF {id}"),
                    1.0,
                    "web ACL",
                    format!(
                        "{} + {rules} rules × {} + {millions} M requests × {}",
                        money(prices::WAF_ACL_MONTH),
                        money(prices::WAF_RULE_MONTH),
                        money(prices::WAF_MILLION_REQUESTS)
                    ),
                    prices::WAF_ACL_MONTH
                        + rules * prices::WAF_RULE_MONTH
                        + millions * prices::WAF_MILLION_REQUESTS,
                ));
            }
            Billable::FlowLogs { retention_days } => {
                let gb = f64::from(usage.flow_log_gb_per_month);
                lines.push(logs(
                    p,
                    "Flow logs",
                    gb,
                    Some(*retention_days),
                    "usage.flowLogGbPerMonth",
                ));
            }
            Billable::ControlPlane { log_types, .. } if *log_types > 0 => {
                // EKS makes the group itself, kept forever unless someone sets a retention.
                let gb = f64::from(usage.control_plane_log_gb_per_month) * *log_types as f64 / 5.0;
                lines.push(logs(
                    p,
                    "Control-plane logs",
                    gb,
                    None,
                    "usage.controlPlaneLogGbPerMonth",
                ));
            }
            _ => {}
        }
    }
    let alarm_metrics: usize = billables
        .iter()
        .map(|b| match b {
            Billable::Alarm { metrics } => *metrics,
            _ => 0,
        })
        .sum();
    if alarm_metrics > 0 {
        let n = alarm_metrics as f64;
        lines.push(line(
            "CloudWatch alarms",
            n,
            "alarm metric",
            format!("{n} metrics × {}", money(prices::ALARM_METRIC_MONTH)),
            n * prices::ALARM_METRIC_MONTH,
        ));
    }
    let keys = billables
        .iter()
        .filter(|b| matches!(b, Billable::KmsKey))
        .count();
    if keys > 0 {
        let n = keys as f64;
        lines.push(line(
            "KMS keys",
            n,
            "KMS key",
            format!("{n} × {} a month", money(prices::KMS_KEY_MONTH)),
            n * prices::KMS_KEY_MONTH,
        ));
    }
    if billables.contains(&Billable::ContainerInsights) {
        // Observations depend on how many pods and containers run, which no stack says.
        unpriced.push(insights_unpriced());
    }
    if billables.iter().any(|b| matches!(b, Billable::Peering)) {
        let gb = f64::from(usage.cross_region_gb_per_month);
        lines.push(line(
            "Cross-region transfer out",
            gb,
            "GB",
            format!(
                "{gb} GB × {} (usage.crossRegionGbPerMonth)",
                money(p.inter_region_gb)
            ),
            gb * p.inter_region_gb,
        ));
    }
    (lines, unpriced)
}

/// What `cost` says of Container Insights, which it cannot price.
pub fn insights_unpriced() -> Unpriced {
    format!(
        "Container Insights ({}), billed per observation of each cluster's nodes, pods and containers",
        crate::model::INSIGHTS_ADDON
    )
}

/// A node group at its desired size, and at its max; several instance types are priced at the
/// dearest, since which one EC2 launches is not known ahead.
fn nodes(p: &RegionPrices, b: &Billable) -> Result<Line, Unpriced> {
    let Billable::Nodes {
        group,
        instance_types,
        desired,
        max,
        ..
    } = b
    else {
        return Err(String::new());
    };
    let mut dearest: Option<(&str, f64)> = None;
    for t in instance_types {
        let Some(hour) = p.instance_hour(t) else {
            return Err(format!(
                "{group}: the price table ({}) has no price for {t} in {}",
                prices::TABLE_DATE,
                p.region
            ));
        };
        if dearest.is_none_or(|(_, h)| hour > h) {
            dearest = Some((t, hour));
        }
    }
    let Some((instance, hour)) = dearest else {
        return Err(format!("{group}: no instance type"));
    };
    let per_node = HOURS * hour + ROOT_VOLUME_GB * p.ebs_gp3_gb_month;
    let n = f64::from(*desired);
    Ok(Line {
        item: format!("Nodes {group}"),
        quantity: n,
        unit: "node",
        detail: format!(
            "{n} × ({HOURS} h × {} {instance} + {ROOT_VOLUME_GB} GB gp3 × {})",
            money(hour),
            money(p.ebs_gp3_gb_month)
        ),
        monthly: n * per_node,
        at_max: Some(f64::from(*max) * per_node),
    })
}

/// Logs ingested per month and their storage: the months they are kept, or a year's worth
/// when they never expire.
fn logs(
    p: &RegionPrices,
    what: &str,
    gb: f64,
    retention_days: Option<u32>,
    assumption: &str,
) -> Line {
    let (months, kept) = match retention_days {
        Some(days) if days > 0 => (f64::from(days) / 30.0, format!("kept {days} days")),
        _ => (
            UNLIMITED_MONTHS,
            "never expire: a year's worth stored".to_string(),
        ),
    };
    let stored = gb * months;
    line(
        what,
        gb,
        "GB",
        format!(
            "{gb} GB × {} ingested + {stored:.1} GB stored × {} ({kept}; {assumption})",
            money(p.logs_ingest_gb),
            money(p.logs_store_gb_month)
        ),
        gb * p.logs_ingest_gb + stored * p.logs_store_gb_month,
    )
}
