//! Workloads: names, target region, image and pinned tag, replicas and autoscaling, faults.

use super::{Checker, is_dns_label};
use crate::quote::quoted;
use crate::stack::diagnostic::Finding;
use crate::stack::limits;
use crate::stack::suggest::did_you_mean;
use crate::stack::types::*;

impl Checker {
    pub(super) fn workloads(&mut self, workloads: &[WorkloadSpec], regions: &[&str]) {
        self.unique(
            workloads.iter().map(|w| w.name.as_str()),
            |k| format!("spec.workloads[{k}].name"),
            "workload name",
        );
        for (k, w) in workloads.iter().enumerate() {
            let path = format!("spec.workloads[{k}]");
            if !is_dns_label(&w.name, limits::WORKLOAD_NAME) {
                self.push(
                    Finding::new(
                        format!("{path}.name"),
                        format!("{} is not a valid workload name", quoted(&w.name)),
                    )
                    .hint("it names a Kubernetes namespace: lowercase letters, digits and hyphens"),
                );
            }
            if !regions.contains(&w.region.as_str()) {
                self.push(
                    Finding::new(
                        format!("{path}.region"),
                        format!("no region named {}", quoted(&w.region)),
                    )
                    .maybe_hint(did_you_mean(&w.region, regions.iter().copied())),
                );
            }
            if w.source.trim().is_empty() {
                self.push(Finding::new(
                    format!("{path}.source"),
                    "the manifests folder is empty",
                ));
            }
            if w.image.trim().is_empty() || w.image.contains(char::is_whitespace) {
                self.push(Finding::new(
                    format!("{path}.image"),
                    format!("{} is not an image reference", quoted(&w.image)),
                ));
            }
            if w.tag.is_empty()
                || w.tag == "latest"
                || !w
                    .tag
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            {
                self.push(
                    Finding::new(
                        format!("{path}.tag"),
                        format!("{} is not a pinned image tag", quoted(&w.tag)),
                    )
                    .hint(
                        "pin a release such as 6.7.1, so that both clusters run what was reviewed",
                    ),
                );
            }
            if w.replicas == 0 {
                self.push(Finding::new(
                    format!("{path}.replicas"),
                    "at least 1 replica is needed",
                ));
            }
            let hpa = &w.autoscaling;
            if hpa.min == 0 || hpa.min > hpa.max {
                self.push(Finding::new(
                    format!("{path}.autoscaling"),
                    format!(
                        "autoscaling needs 1 <= min <= max, found min {} / max {}",
                        hpa.min, hpa.max
                    ),
                ));
            } else if !(hpa.min..=hpa.max).contains(&w.replicas) {
                self.push(Finding::new(
                    format!("{path}.replicas"),
                    format!(
                        "{} replicas is outside the autoscaling range {}-{}",
                        w.replicas, hpa.min, hpa.max
                    ),
                ));
            }
            if !(1..=100).contains(&hpa.cpu_percent) {
                self.push(Finding::new(
                    format!("{path}.autoscaling.cpuPercent"),
                    "a CPU target is 1 to 100 percent",
                ));
            }
            if let Some(delay) = &w.faults.delay
                && delay.min_ms > delay.max_ms
            {
                self.push(Finding::new(
                    format!("{path}.faults.delay"),
                    format!("minMs {} is above maxMs {}", delay.min_ms, delay.max_ms),
                ));
            }
        }
    }
}
