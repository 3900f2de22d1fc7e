//! Workloads: names, target region, image and pinned tag, replicas and autoscaling, faults.

use super::{Checker, is_dns_label};
use crate::quote::quoted;
use crate::stack::diagnostic::Finding;
use crate::stack::image;
use crate::stack::limits;
use crate::stack::suggest::did_you_mean;
use crate::stack::types::*;

/// The workload name (and namespace) of the Cluster Autoscaler's objects.
const RESERVED_WORKLOAD: &str = "cluster-autoscaler";

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
                    .hint(format!(
                        "it names a Kubernetes namespace, a DNS-1123 label: 1-{} lowercase letters, digits and hyphens, starting with a letter (so that `<name>-allow` is one too)",
                        limits::WORKLOAD_NAME
                    )),
                );
            }
            if w.name == RESERVED_WORKLOAD {
                self.push(
                    Finding::new(
                        format!("{path}.name"),
                        format!(
                            "{} is the name of the Cluster Autoscaler the tool runs itself",
                            quoted(&w.name)
                        ),
                    )
                    .hint("choose another name; `cluster.autoscaler` configures the tool's own"),
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
            self.image(w, &path);
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

    /// The image and tag as the OCI distribution grammar has them, and the tag pinned.
    fn image(&mut self, w: &WorkloadSpec, path: &str) {
        match image::parse(&w.image) {
            Err(problem) => self.push(
                Finding::new(
                    format!("{path}.image"),
                    format!(
                        "{} is not an image reference (character {}: {})",
                        quoted(&w.image),
                        problem.at,
                        problem.reason
                    ),
                )
                .hint("for example ghcr.io/stefanprodan/podinfo, or with a digest pinned, ghcr.io/stefanprodan/podinfo@sha256:<64 hex digits>"),
            ),
            Ok(reference) => {
                if let Some(tag) = reference.tag {
                    self.push(
                        Finding::new(
                            format!("{path}.image"),
                            format!("{} names a tag; the stack keeps it in `tag`", quoted(&w.image)),
                        )
                        .hint(format!("remove `:{tag}` here and write `tag: {tag}`")),
                    );
                }
            }
        }
        let pin = "pin a release such as 6.7.1, so that both clusters run what was reviewed";
        match image::check_tag(&w.tag) {
            Err((bad, reason)) => self.push(
                Finding::new(
                    format!("{path}.tag"),
                    format!(
                        "{} is not an image tag (character {}: {reason})",
                        quoted(&w.tag),
                        w.tag[..bad].chars().count() + 1
                    ),
                )
                .hint(pin),
            ),
            Ok(()) if w.tag == "latest" => self.push(
                Finding::new(format!("{path}.tag"), "`latest` is not a pinned image tag").hint(pin),
            ),
            Ok(()) => {}
        }
    }
}
