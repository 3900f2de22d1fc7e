//! `spec.alerts`: the alarms of the source documents, where their notifications go, and the
//! thresholds each watches (the documents' values by default).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where alarm notifications go, and the alarms themselves. Without `alerts` the stack has no
/// alarms (and `verify` says so).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AlertsSpec {
    /// URLs the alarms are POSTed to as SNS notifications, such as a `multiregion webhook
    /// serve` receiver. HTTPS, except on an emulator (`--endpoint-url`).
    #[serde(default)]
    #[schemars(length(max = 10), inner(length(max = 2048)))]
    pub webhooks: Vec<String>,
    /// Addresses that get each alarm by e-mail (AWS asks each to confirm first).
    #[serde(default)]
    #[schemars(length(max = 10), inner(length(max = 254)))]
    pub emails: Vec<String>,
    /// The alarms and their thresholds.
    #[serde(default)]
    pub alarms: AlarmsSpec,
}

/// One alarm's switch and threshold; what the threshold counts is said per alarm, and each
/// unset value is the alarm's default.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AlarmSpec {
    /// `false` leaves this alarm out.
    #[serde(default = "on")]
    pub enabled: bool,
    /// The value the alarm compares with (its unit is the alarm's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0, max = 1_000_000.0))]
    pub threshold: Option<f64>,
    /// How many minutes the condition must hold (CloudWatch's finest period for these
    /// metrics is one minute). At most 1440.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1440))]
    pub minutes: Option<u32>,
}

fn on() -> bool {
    true
}

impl Default for AlarmSpec {
    fn default() -> Self {
        AlarmSpec {
            enabled: true,
            threshold: None,
            minutes: None,
        }
    }
}

/// The documents' alarms. Defaults: errorRate 40 % for 1 minute, backendHealthyHosts and
/// backendPods below 2 for 1 minute, nodeCpu 80 % and nodeMemory 85 % for 10 minutes,
/// nodeNotReady above 0 for 1 minute, podRestarts above 5 in 5 minutes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AlarmsSpec {
    /// Percent of the public load balancer's requests its targets answer with a 5xx, above
    /// which it fires (default 40 for 1 minute).
    #[serde(default)]
    pub error_rate: AlarmSpec,
    /// Healthy targets behind the backend's load balancer, below which it fires (default 2
    /// for 1 minute: the documents' 30 s is below the metric's one-minute resolution).
    #[serde(default)]
    pub backend_healthy_hosts: AlarmSpec,
    /// Running pods of the backend workload (Container Insights), below which it fires
    /// (default 2 for 1 minute).
    #[serde(default)]
    pub backend_pods: AlarmSpec,
    /// Average node CPU utilisation of a cluster, percent (default 80 for 10 minutes).
    #[serde(default)]
    pub node_cpu: AlarmSpec,
    /// Average node memory utilisation of a cluster, percent (default 85 for 10 minutes).
    #[serde(default)]
    pub node_memory: AlarmSpec,
    /// Nodes of a cluster not ready, above which it fires (default 0 for 1 minute).
    #[serde(default)]
    pub node_not_ready: AlarmSpec,
    /// Container restarts in a cluster within the period, above which it fires (default 5
    /// in 5 minutes).
    #[serde(default)]
    pub pod_restarts: AlarmSpec,
}

/// Which of the documents' alarms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AlarmName {
    ErrorRate,
    BackendHealthyHosts,
    BackendPods,
    NodeCpu,
    NodeMemory,
    NodeNotReady,
    PodRestarts,
}

impl AlarmName {
    pub const ALL: [AlarmName; 7] = [
        AlarmName::ErrorRate,
        AlarmName::BackendHealthyHosts,
        AlarmName::BackendPods,
        AlarmName::NodeCpu,
        AlarmName::NodeMemory,
        AlarmName::NodeNotReady,
        AlarmName::PodRestarts,
    ];

    /// Its key under `spec.alerts.alarms` (`errorRate`).
    pub fn key(self) -> &'static str {
        match self {
            AlarmName::ErrorRate => "errorRate",
            AlarmName::BackendHealthyHosts => "backendHealthyHosts",
            AlarmName::BackendPods => "backendPods",
            AlarmName::NodeCpu => "nodeCpu",
            AlarmName::NodeMemory => "nodeMemory",
            AlarmName::NodeNotReady => "nodeNotReady",
            AlarmName::PodRestarts => "podRestarts",
        }
    }

    /// Whether it reads a Container Insights metric, which only the CloudWatch Observability
    /// add-on publishes.
    pub fn reads_container_insights(self) -> bool {
        !matches!(self, AlarmName::ErrorRate | AlarmName::BackendHealthyHosts)
    }

    /// The documents' threshold and minutes.
    pub fn default_setting(self) -> (f64, u32) {
        match self {
            AlarmName::ErrorRate => (40.0, 1),
            AlarmName::BackendHealthyHosts | AlarmName::BackendPods => (2.0, 1),
            AlarmName::NodeCpu => (80.0, 10),
            AlarmName::NodeMemory => (85.0, 10),
            AlarmName::NodeNotReady => (0.0, 1),
            AlarmName::PodRestarts => (5.0, 5),
        }
    }
}

/// An alarm the stack asks for, its defaults filled in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlarmSetting {
    pub name: AlarmName,
    pub threshold: f64,
    pub minutes: u32,
}

impl AlertsSpec {
    /// The keys of the alarms turned on that read Container Insights metrics.
    pub fn container_insights(&self) -> Vec<&'static str> {
        let on = self.alarms.enabled().into_iter().map(|s| s.name);
        on.filter(|n| n.reads_container_insights())
            .map(AlarmName::key)
            .collect()
    }
}

impl AlarmsSpec {
    /// The spec of one alarm.
    pub fn get(&self, name: AlarmName) -> &AlarmSpec {
        match name {
            AlarmName::ErrorRate => &self.error_rate,
            AlarmName::BackendHealthyHosts => &self.backend_healthy_hosts,
            AlarmName::BackendPods => &self.backend_pods,
            AlarmName::NodeCpu => &self.node_cpu,
            AlarmName::NodeMemory => &self.node_memory,
            AlarmName::NodeNotReady => &self.node_not_ready,
            AlarmName::PodRestarts => &self.pod_restarts,
        }
    }

    /// The alarms turned on, with their settings.
    pub fn enabled(&self) -> Vec<AlarmSetting> {
        AlarmName::ALL
            .into_iter()
            .filter(|n| self.get(*n).enabled)
            .map(|name| {
                let spec = self.get(name);
                let (threshold, minutes) = name.default_setting();
                AlarmSetting {
                    name,
                    threshold: spec.threshold.unwrap_or(threshold),
                    minutes: spec.minutes.unwrap_or(minutes),
                }
            })
            .collect()
    }
}
