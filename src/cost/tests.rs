//! The estimate against arithmetic done by hand from the table, the plan's cost change, and
//! the table's age.

use super::prices::{self, HOURS_PER_MONTH as H};
use super::{Priced, estimate, estimate_of, offline_delta};
use crate::kinds::{Fields, Kind};
use crate::stack::{ValidStack, parse};

const REFERENCE: &str = include_str!("../../stacks/two-region.yaml");

fn reference() -> ValidStack {
    parse("stacks/two-region.yaml", REFERENCE.as_bytes()).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.005
}

#[test]
fn the_reference_stack_costs_what_the_table_says_line_by_line() {
    let e = estimate(&reference());
    // c1, us-east-1, by hand from the table and the stack's usage (10 M requests of 20 KB:
    // 200 GB through each load balancer a month; 50 GB through NAT; 20 GB to the other region;
    // 10 GB of flow logs kept 30 days; 5 GB of control-plane logs, kept forever: a year's 60 GB).
    let eks = H * 0.10; // 73.00
    let nodes = 2.0 * (H * 0.0416 + 20.0 * 0.08); // 63.936: two t3.medium and their 20 GB gp3
    let nat = 2.0 * H * 0.045 + 50.0 * 0.045; // 65.70 + 2.25: per-az NAT in two AZs
    let ipv4 = |n: f64| n * H * 0.005; // 3.65 each
    let flow_logs = 10.0 * 0.50 + 10.0 * 0.03; // 5.30
    let alb = H * 0.0225 + 200.0 * 0.008; // 18.025: 200 GB = 200 LCU-hours
    let waf = 5.0 + 3.0 * 1.0 + 10.0 * 0.60; // 14.00: two managed groups and the rate rule
    let control_plane_logs = 5.0 * 0.50 + 60.0 * 0.03; // 4.30
    let transfer = 20.0 * 0.02; // 0.40
    // Six alarm metrics a region: c1's error rate reads two, its node and restart alarms one
    // each; c2's healthy targets, backend pods, nodes and restarts one each.
    let alarms = 6.0 * 0.10; // 0.60
    let keys = 2.0; // two KMS keys a region: the secrets key and the alert topic's
    let c1 = eks
        + nodes
        + nat
        + ipv4(4.0)
        + flow_logs
        + alb
        + waf
        + control_plane_logs
        + transfer
        + alarms
        + keys;
    let nlb = H * 0.0225 + 200.0 * 0.006; // 17.625
    let c2 = eks
        + nodes
        + nat
        + ipv4(2.0)
        + flow_logs
        + nlb
        + control_plane_logs
        + transfer
        + alarms
        + keys;
    assert!(
        close(c1, 264.111) && close(c2, 242.411),
        "the arithmetic itself: {c1} {c2}"
    );
    assert!(
        close(e.regions[0].monthly, c1),
        "c1: {} != {c1}",
        e.regions[0].monthly
    );
    assert!(
        close(e.regions[1].monthly, c2),
        "c2: {} != {c2}",
        e.regions[1].monthly
    );
    assert!(close(e.monthly, c1 + c2));
    // At max every node group runs 5 nodes.
    let at_max = e.at_max - e.monthly;
    assert!(
        close(at_max, 2.0 * 3.0 * (H * 0.0416 + 20.0 * 0.08)),
        "{at_max}"
    );
    // Container Insights is on for the alarms that read it: said, not guessed.
    let insights = |u: &String| u.contains("Container Insights") && u.contains("observation");
    assert_eq!(
        e.unpriced.len(),
        1,
        "once for both regions: {:?}",
        e.unpriced
    );
    assert!(e.unpriced.iter().all(insights), "{:?}", e.unpriced);
    let line = |item: &str| {
        e.regions[0]
            .lines
            .iter()
            .find(|l| l.item == item)
            .unwrap_or_else(|| panic!("no line {item}"))
    };
    assert_eq!(line("NAT gateways").quantity, 2.0);
    assert_eq!(line("Public IPv4 addresses").quantity, 4.0);
    assert!(
        line("Nodes c1/nodegroup/default")
            .detail
            .contains("t3.medium")
    );
}

#[test]
fn container_insights_left_out_is_not_said_to_be_unpriced() {
    let off =
        "      cluster:\n        addons: {amazon-cloudwatch-observability: {enabled: false}}\n";
    assert!(REFERENCE.contains("      cluster:\n"));
    let valid = parse(
        "s.yaml",
        REFERENCE.replace("      cluster:\n", off).as_bytes(),
    )
    .unwrap();
    let e = estimate(&valid);
    assert!(e.unpriced.is_empty(), "{:?}", e.unpriced);
}

#[test]
fn what_the_table_cannot_price_is_said_and_left_out() {
    let text = REFERENCE
        .replacen("region: us-west-2", "region: ap-south-2", 1)
        .replacen("instanceTypes: [t3.medium]", "instanceTypes: [x9.huge]", 1);
    let valid = parse("s.yaml", text.as_bytes()).unwrap();
    let e = estimate(&valid);
    assert!(e.regions[1].lines.is_empty());
    assert!(
        e.unpriced.iter().any(|u| u.contains("ap-south-2")),
        "{:?}",
        e.unpriced
    );
    assert!(
        e.unpriced.iter().any(|u| u.contains("x9.huge")),
        "{:?}",
        e.unpriced
    );
    assert!(
        !e.regions[0]
            .lines
            .iter()
            .any(|l| l.item.starts_with("Nodes"))
    );
}

fn priced<'a>(
    id: &'a str,
    kind: Kind,
    region: &'a str,
    pairs: &[(&'static str, &str)],
) -> Priced<'a> {
    let fields: Fields = pairs.iter().map(|(k, v)| (*k, v.to_string())).collect();
    Priced {
        id,
        kind,
        region: Some(region),
        fields,
    }
}

#[test]
fn a_plan_that_adds_a_nat_gateway_costs_its_hours_and_address() {
    let valid = reference();
    let before = [
        priced("c1/nat-1", Kind::NatGateway, "c1", &[]),
        priced("c1/eip-1", Kind::ElasticIp, "c1", &[]),
    ];
    let after = [
        priced("c1/nat-1", Kind::NatGateway, "c1", &[]),
        priced("c1/eip-1", Kind::ElasticIp, "c1", &[]),
        priced("c1/nat-2", Kind::NatGateway, "c1", &[]),
        priced("c1/eip-2", Kind::ElasticIp, "c1", &[]),
    ];
    let added = super::delta(&estimate_of(&valid, &before), &estimate_of(&valid, &after));
    let expected = H * 0.045 + H * 0.005; // the NAT data was already paid for
    assert!(
        close(added.monthly, expected),
        "{} != {expected}",
        added.monthly
    );
    assert_eq!(
        super::delta_text(&added),
        format!(
            "Cost: +$36.50/month: 1 NAT gateway, 1 public IPv4 address (prices of {}).",
            prices::TABLE_DATE
        )
    );
    let removed = super::delta(&estimate_of(&valid, &after), &estimate_of(&valid, &before));
    assert!(close(removed.monthly, -expected));
    assert!(
        super::delta_text(&removed)
            .starts_with("Cost: -$36.50/month: -1 NAT gateway, -1 public IPv4 address")
    );
}

#[test]
fn container_insights_is_said_unpriced_by_a_plan_only_when_it_turns_it_on_or_off() {
    let valid = reference();
    let insights = format!("c1/addon/{}", crate::model::INSIGHTS_ADDON);
    let nat = || priced("c1/nat-1", Kind::NatGateway, "c1", &[]);
    let with = [nat(), priced(&insights, Kind::ClusterAddon, "c1", &[])];
    let (with, without) = (estimate_of(&valid, &with), estimate_of(&valid, &[nat()]));
    let said = |d: &super::CostDelta| d.unpriced.iter().any(|u| u.contains("Container Insights"));
    assert!(!said(&super::delta(&with, &with)), "unchanged by the plan");
    assert!(said(&super::delta(&without, &with)), "turned on");
    assert!(said(&super::delta(&with, &without)), "turned off");
}

#[test]
fn resizing_a_node_group_costs_the_nodes_it_adds() {
    let valid = reference();
    let group = |desired: &str| {
        [priced(
            "c2/nodegroup/default",
            Kind::NodeGroup,
            "c2",
            &[
                ("instanceTypes", "t3.medium"),
                ("min", "2"),
                ("desired", desired),
                ("max", "5"),
            ],
        )]
    };
    let d = super::delta(
        &estimate_of(&valid, &group("2")),
        &estimate_of(&valid, &group("4")),
    );
    assert!(
        close(d.monthly, 2.0 * (H * 0.0416 + 20.0 * 0.08)),
        "{}",
        d.monthly
    );
    assert_eq!(d.changes.len(), 1);
    assert_eq!(d.changes[0].quantity, 2.0);
}

#[test]
fn an_offline_plan_adds_the_whole_estimate() {
    let valid = reference();
    let d = offline_delta(&valid);
    assert!(close(d.monthly, estimate(&valid).monthly));
}

#[test]
fn the_price_table_is_not_too_old() {
    let age = prices::table_age_days().expect("the table's date is a date");
    assert!(
        age >= 0,
        "the table is dated in the future: {}",
        prices::TABLE_DATE
    );
    assert!(
        age <= prices::MAX_AGE_DAYS,
        "the price table of {} is {age} days old (more than {}): refresh src/cost/prices.rs from \
         the AWS price pages and set TABLE_DATE",
        prices::TABLE_DATE,
        prices::MAX_AGE_DAYS
    );
}

#[test]
fn dates_count_days_like_the_calendar() {
    assert_eq!(prices::days_since_epoch("1970-01-01"), Some(0));
    assert_eq!(prices::days_since_epoch("2000-03-01"), Some(11_017));
    assert_eq!(prices::days_since_epoch("2026-12-02"), Some(20_789));
    assert_eq!(prices::days_since_epoch("2026-13-01"), None);
    assert_eq!(prices::days_since_epoch("yesterday"), None);
}

#[test]
fn a_version_past_standard_support_is_priced_at_the_extended_rate() {
    // 1.31 left standard support on 2025-11-26: $0.60 a cluster-hour instead of $0.10.
    let text = REFERENCE.replace("version: \"1.35\"", "version: \"1.31\"");
    let old = estimate(&parse("s.yaml", text.as_bytes()).unwrap());
    let current = estimate(&reference());
    for (old, current) in old.regions.iter().zip(&current.regions) {
        let item = |r: &super::RegionCost| r.lines[0].clone();
        assert_eq!(item(old).item, "EKS control plane, extended support");
        assert!(close(item(old).monthly, H * 0.60), "{:?}", item(old));
        assert_eq!(item(current).item, "EKS control plane");
        assert!(close(old.monthly - current.monthly, H * 0.50));
    }
}

#[test]
fn a_change_of_price_but_not_of_count_is_told_by_name() {
    let valid = reference();
    let group = |types: &str| {
        [priced(
            "c2/nodegroup/default",
            Kind::NodeGroup,
            "c2",
            &[
                ("instanceTypes", types),
                ("min", "2"),
                ("desired", "2"),
                ("max", "5"),
            ],
        )]
    };
    let d = super::delta(
        &estimate_of(&valid, &group("t3.medium")),
        &estimate_of(&valid, &group("t3.large")),
    );
    assert!(
        close(d.monthly, 2.0 * H * (0.0832 - 0.0416)),
        "{}",
        d.monthly
    );
    let text = super::delta_text(&d);
    assert!(
        text.starts_with("Cost: +$60.74/month: Nodes c2/nodegroup/default (c2) +$60.74"),
        "{text}"
    );
}
