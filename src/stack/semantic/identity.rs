//! The stack as a whole: its name, the tags every resource carries and the IAM roles it names.

use std::collections::BTreeMap;

use super::{Checker, is_dns_label};
use crate::quote::quoted;
use crate::stack::diagnostic::Finding;
use crate::stack::limits;
use crate::stack::types::*;

impl Checker {
    pub(super) fn metadata(&mut self, metadata: &Metadata) {
        if !is_dns_label(&metadata.name, limits::STACK_NAME) {
            self.push(
                Finding::new("metadata.name", format!("{} is not a valid stack name", quoted(&metadata.name)))
                    .hint("use 1-20 lowercase letters, digits and hyphens, starting with a letter (load balancer names derived from it are limited to 32 characters)"),
            );
        }
    }

    pub(super) fn tags(&mut self, tags: &BTreeMap<String, String>) {
        for key in tags.keys() {
            let path = format!("spec.tags[{key:?}]");
            let lowered = key.to_ascii_lowercase();
            if lowered.starts_with("aws:") || lowered.starts_with("multiregion:") {
                self.push(
                    Finding::new(
                        &path,
                        format!("tag key {} uses a reserved prefix", quoted(key)),
                    )
                    .hint("`aws:` belongs to AWS and `multiregion:` to this tool"),
                );
            }
            // Longer keys and values never get here: the schema bounds them.
            if key.is_empty() {
                self.push(Finding::new(
                    &path,
                    format!("tag keys are 1 to {} characters", limits::TAG_KEY),
                ));
            }
        }
    }

    pub(super) fn iam(&mut self, iam: &IamSpec) {
        let roles = [
            ("spec.iam.clusterRoleArn", &iam.cluster_role_arn),
            ("spec.iam.nodeRoleArn", &iam.node_role_arn),
        ];
        for (path, arn) in roles {
            if let Some(arn) = arn
                && !is_role_arn(arn)
            {
                self.push(
                    Finding::new(path, format!("{} is not an IAM role ARN", quoted(arn)))
                        .hint("expected arn:aws:iam::<12-digit account>:role/<name>"),
                );
            }
        }
    }
}

fn is_role_arn(arn: &str) -> bool {
    iam_arn_resource(arn).is_some_and(|r| r.strip_prefix("role/").is_some_and(|n| !n.is_empty()))
}

pub(super) fn is_principal_arn(arn: &str) -> bool {
    iam_arn_resource(arn).is_some_and(|r| {
        ["role/", "user/"]
            .iter()
            .any(|p| r.strip_prefix(p).is_some_and(|n| !n.is_empty()))
    })
}

/// The resource part of `arn:<partition>:iam::<account>:<resource>`.
fn iam_arn_resource(arn: &str) -> Option<&str> {
    let a = crate::stack::arn::parse(arn)?;
    (a.service == "iam" && a.region.is_empty()).then_some(a.resource)
}
