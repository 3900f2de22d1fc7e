//! A region's alerting: its topic, who is subscribed to it, and the stack's alarms on what the
//! region runs (the public entry's error rate, the backend's healthy targets and pods, the
//! cluster's nodes and restarts), each notifying the topic.

use super::*;
use crate::providers::{AlarmQuery, DimensionValue, MetricStat};
use crate::stack::alerts::{AlarmName, AlarmSetting, AlertsSpec};
use crate::stack::types::Role;

const ABOVE: &str = "GreaterThanThreshold";
const BELOW: &str = "LessThanThreshold";

/// What a region's alarms watch: its load balancer, target group, cluster and workloads.
pub(super) struct Watched<'a> {
    pub region: &'a RegionSpec,
    pub load_balancer: &'a str,
    pub target_group: &'a str,
    pub workloads: Vec<&'a str>,
}

pub(super) fn add(b: &mut Builder, alerts: &AlertsSpec, w: &Watched<'_>) {
    let r = &w.region.name;
    let key = b.add(
        ids::alerts_key(r),
        vec![],
        ResourceSpec::AlertsKey {
            description: format!(
                "multiregion {}: encryption at rest of region {r}'s alert topic",
                b.stack
            ),
        },
    );
    let topic = b.add(
        ids::alert_topic(r),
        vec![key.clone()],
        ResourceSpec::AlertTopic {
            name: crate::alerts::topic_name(&b.stack, r),
            key,
        },
    );
    let hooks = alerts.webhooks.iter().map(|h| {
        // Validation took only http and https, in any case.
        let plain = url::Url::parse(h).is_ok_and(|u| u.scheme() == "http");
        let protocol = if plain { "http" } else { "https" };
        ("webhook", protocol, h)
    });
    let mails = alerts.emails.iter().map(|m| ("email", "email", m));
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (what, protocol, endpoint) in hooks.chain(mails) {
        let n = counts.entry(what).or_default();
        *n += 1;
        b.add(
            ids::alert_subscription(r, what, *n),
            vec![topic.clone()],
            ResourceSpec::AlertSubscription {
                topic: topic.clone(),
                protocol: protocol.to_string(),
                endpoint: endpoint.clone(),
            },
        );
    }
    for setting in alerts.alarms.enabled() {
        for alarm in alarms_of(&b.stack, &setting, w) {
            let mut deps = vec![topic.clone()];
            deps.extend(alarm.watches.iter().cloned());
            b.add(
                ids::alarm(r, &alarm.key),
                deps,
                ResourceSpec::MetricAlarm {
                    name: format!("{}-{r}-{}", b.stack, alarm.key),
                    description: alarm.description,
                    query: alarm.query,
                    comparison: alarm.comparison.to_string(),
                    threshold: setting.threshold,
                    period: alarm.period,
                    evaluation_periods: alarm.evaluations,
                    treat_missing: alarm.treat_missing.to_string(),
                    topic: topic.clone(),
                },
            );
        }
    }
}

struct Alarm {
    /// `errorRate`, or `backendPods-backend` for one of a workload.
    key: String,
    description: String,
    query: AlarmQuery,
    comparison: &'static str,
    period: u32,
    evaluations: u32,
    treat_missing: &'static str,
    /// The stack's resources it names (made first).
    watches: Vec<String>,
}

fn stat(
    namespace: &str,
    name: &str,
    statistic: &str,
    dims: &[(&str, DimensionValue)],
) -> MetricStat {
    MetricStat {
        namespace: namespace.to_string(),
        name: name.to_string(),
        statistic: statistic.to_string(),
        dimensions: dims
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    }
}

fn text(value: &str) -> DimensionValue {
    DimensionValue::Text(value.to_string())
}

/// The alarms one setting makes in a region: none, one, or one per workload.
fn alarms_of(stack: &str, s: &AlarmSetting, w: &Watched<'_>) -> Vec<Alarm> {
    let region = w.region;
    let place = format!("stack {stack}, region {} ({})", region.name, region.region);
    let cluster = region.cluster.name.as_str();
    let (t, minutes) = (s.threshold, s.minutes);
    let during = if minutes == 1 {
        "1 minute".to_string()
    } else {
        format!("{minutes} minutes")
    };
    let lb = DimensionValue::ArnSuffixOf(w.load_balancer.to_string());
    let tg = DimensionValue::ArnSuffixOf(w.target_group.to_string());
    let lb_namespace = match region.load_balancer.kind {
        LoadBalancerType::Application => "AWS/ApplicationELB",
        LoadBalancerType::Network => "AWS/NetworkELB",
    };
    let per_minute = |key: String, description: String, query, comparison, treat_missing| Alarm {
        key,
        description: format!("{place}: {description}"),
        query,
        comparison,
        period: 60,
        evaluations: minutes,
        treat_missing,
        watches: vec![],
    };
    let insights = |name: &str, statistic: &str| AlarmQuery::Metric {
        metric: stat(
            "ContainerInsights",
            name,
            statistic,
            &[("ClusterName", text(cluster))],
        ),
    };
    // A workload's metric: its namespace and its Service (or pods) share its name.
    let of_workload = |name: &str, statistic: &str, by: &str, workload: &str| {
        let dims = [
            ("ClusterName", text(cluster)),
            ("Namespace", text(workload)),
            (by, text(workload)),
        ];
        stat("ContainerInsights", name, statistic, &dims)
    };
    let key = s.name.key();
    let backend = region.role == Role::Backend;
    match s.name {
        AlarmName::ErrorRate if region.load_balancer.kind == LoadBalancerType::Application => {
            let count = |name| stat(lb_namespace, name, "Sum", &[("LoadBalancer", lb.clone())]);
            let query = AlarmQuery::Expression {
                expression: "IF(m2 > 0, 100 * m1 / m2, 0)".into(),
                label: "target 5xx, % of requests".into(),
                metrics: vec![
                    ("m1".into(), count("HTTPCode_Target_5XX_Count")),
                    ("m2".into(), count("RequestCount")),
                ],
            };
            let what = format!("more than {t}% of the load balancer's requests answered 5xx by its targets for {during}");
            let mut a = per_minute(key.into(), what, query, ABOVE, "notBreaching");
            a.watches.push(w.load_balancer.to_string());
            vec![a]
        }
        AlarmName::ErrorRate => vec![],
        AlarmName::BackendHealthyHosts if backend => {
            let dims = [("TargetGroup", tg), ("LoadBalancer", lb)];
            let query = AlarmQuery::Metric {
                metric: stat(lb_namespace, "HealthyHostCount", "Minimum", &dims),
            };
            let what = format!("fewer than {t} healthy backend targets for {during}");
            let mut a = per_minute(key.into(), what, query, BELOW, "breaching");
            a.watches.extend([w.load_balancer.to_string(), w.target_group.to_string()]);
            vec![a]
        }
        AlarmName::BackendHealthyHosts => vec![],
        AlarmName::BackendPods if backend => w
            .workloads
            .iter()
            .map(|workload| {
                let pods = "service_number_of_running_pods";
                let query = AlarmQuery::Metric {
                    metric: of_workload(pods, "Minimum", "Service", workload),
                };
                let what = format!("fewer than {t} running pods of workload {workload} for {during}");
                // No data is not taken for no pods: without Container Insights in the cluster
                // there is none, and the alarm says INSUFFICIENT_DATA rather than cry wolf.
                per_minute(format!("{key}-{workload}"), what, query, BELOW, "missing")
            })
            .collect(),
        AlarmName::BackendPods => vec![],
        AlarmName::NodeCpu => {
            let what = format!("nodes of cluster {cluster} above {t}% CPU on average for {during}");
            let query = insights("node_cpu_utilization", "Average");
            vec![per_minute(key.into(), what, query, ABOVE, "notBreaching")]
        }
        AlarmName::NodeMemory => {
            let what = format!("nodes of cluster {cluster} above {t}% memory on average for {during}");
            let query = insights("node_memory_utilization", "Average");
            vec![per_minute(key.into(), what, query, ABOVE, "notBreaching")]
        }
        AlarmName::NodeNotReady => {
            let what = format!("more than {t} nodes of cluster {cluster} not ready for {during}");
            let query = insights("cluster_failed_node_count", "Maximum");
            vec![per_minute(key.into(), what, query, ABOVE, "notBreaching")]
        }
        AlarmName::PodRestarts => w
            .workloads
            .iter()
            .map(|workload| {
                // Container Insights counts restarts since each pod started; the rise from one
                // window to the next is the restarts within it.
                let restarts = "pod_number_of_container_restarts";
                let restarts = of_workload(restarts, "Maximum", "PodName", workload);
                let query = AlarmQuery::Expression {
                    expression: "DIFF(m1)".into(),
                    label: "container restarts in the period".into(),
                    metrics: vec![("m1".into(), restarts)],
                };
                Alarm {
                    key: format!("{key}-{workload}"),
                    description: format!(
                        "{place}: more than {t} container restarts of workload {workload} in {during}"
                    ),
                    query,
                    comparison: ABOVE,
                    period: minutes * 60,
                    evaluations: 1,
                    treat_missing: "notBreaching",
                    watches: vec![],
                }
            })
            .collect(),
    }
}
