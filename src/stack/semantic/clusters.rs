//! EKS clusters: name, version, API endpoint, admins and node groups.

use super::identity::is_principal_arn;
use super::{Checker, is_dns_label};
use crate::quote::quoted;
use crate::stack::autoscaler;
use crate::stack::diagnostic::Finding;
use crate::stack::image;
use crate::stack::limits;
use crate::stack::types::*;

/// The add-on whose agent hands pods the credentials of their Pod Identity association.
pub const POD_IDENTITY_AGENT: &str = "eks-pod-identity-agent";

impl Checker {
    /// An existing key must be a KMS key ARN in the cluster's own region (EKS takes no other).
    pub(super) fn secrets_encryption(
        &mut self,
        encryption: &SecretsEncryptionSpec,
        aws_region: &str,
        path: &str,
    ) {
        let Some(arn) = &encryption.key_arn else {
            return;
        };
        if !encryption.enabled {
            self.push(Finding::new(
                format!("{path}.keyArn"),
                "keyArn has no effect while `enabled` is false",
            ));
            return;
        }
        let key_region = crate::stack::arn::region_of(arn, "kms", "key/");
        if key_region.is_none() {
            self.push(
                Finding::new(
                    format!("{path}.keyArn"),
                    format!("{} is not a KMS key ARN", quoted(arn)),
                )
                .hint(
                    "arn:aws:kms:<region>:<account>:key/<key id>; an alias is not accepted by EKS",
                ),
            );
        } else if let Some(region) = key_region.filter(|r| *r != aws_region) {
            self.push(Finding::new(
                format!("{path}.keyArn"),
                format!(
                    "the key is in {region}, but the cluster is in {aws_region}; EKS takes only a key of its own region"
                ),
            ));
        }
    }

    pub(super) fn cluster(&mut self, cluster: &ClusterSpec, path: &str) {
        let name_ok = !cluster.name.is_empty()
            && cluster.name.len() <= limits::CLUSTER_NAME
            && cluster
                .name
                .starts_with(|c: char| c.is_ascii_alphanumeric())
            && cluster
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !name_ok {
            self.push(
                Finding::new(format!("{path}.name"), format!("{} is not a valid EKS cluster name", quoted(&cluster.name)))
                    .hint("1-100 letters, digits, hyphens and underscores, starting with a letter or digit"),
            );
        }
        let version_ok = cluster
            .version
            .split_once('.')
            .is_some_and(|(major, minor)| {
                major == "1"
                    && !minor.is_empty()
                    && minor.len() <= 2
                    && minor.bytes().all(|b| b.is_ascii_digit())
            });
        if !version_ok {
            self.push(
                Finding::new(
                    format!("{path}.version"),
                    format!(
                        "{} is not a Kubernetes minor version",
                        quoted(&cluster.version)
                    ),
                )
                .hint("write it quoted, like \"1.35\""),
            );
        }
        let endpoint = &cluster.endpoint;
        if !endpoint.private && !endpoint.public {
            self.push(Finding::new(
                format!("{path}.endpoint"),
                "both the private and the public endpoint are off; nothing could reach the cluster API",
            ));
        }
        if endpoint.public && endpoint.public_cidrs.is_empty() {
            self.push(
                Finding::new(format!("{path}.endpoint.publicCidrs"), "the public endpoint is on but no CIDRs are given; EKS would open it to 0.0.0.0/0")
                    .hint("list the networks that may reach the API, for example your office or CI egress"),
            );
        }
        if !endpoint.public && !endpoint.public_cidrs.is_empty() {
            self.push(Finding::new(
                format!("{path}.endpoint.publicCidrs"),
                "publicCidrs has no effect while `public` is false",
            ));
        }
        for (k, cidr) in endpoint.public_cidrs.iter().enumerate() {
            self.block(cidr, &format!("{path}.endpoint.publicCidrs[{k}]"));
        }
        for (name, addon) in &cluster.addons {
            let name_ok = !name.is_empty()
                && name.len() <= 100
                && name.starts_with(|c: char| c.is_ascii_lowercase())
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !name_ok {
                self.push(
                    Finding::new(format!("{path}.addons.{name}"), format!("{} is not an EKS add-on name", quoted(name)))
                        .hint("lowercase letters, digits and hyphens, as `aws eks describe-addon-versions` lists them (vpc-cni, coredns, ...)"),
                );
            }
            if addon
                .version
                .as_deref()
                .is_some_and(|v| v.trim().is_empty())
            {
                self.push(Finding::new(
                    format!("{path}.addons.{name}.version"),
                    "an empty version; leave it out for EKS's default",
                ));
            }
        }
        self.unique(
            cluster.logging.iter().map(|l| l.as_str()),
            |k| format!("{path}.logging[{k}]"),
            "log type",
        );
        for (k, arn) in cluster.admins.iter().enumerate() {
            if !is_principal_arn(arn) {
                self.push(
                    Finding::new(
                        format!("{path}.admins[{k}]"),
                        format!("{} is not an IAM user or role ARN", quoted(arn)),
                    )
                    .hint("expected arn:aws:iam::<12-digit account>:role/<name> or :user/<name>"),
                );
            }
        }
        self.unique(
            cluster.admins.iter().map(String::as_str),
            |k| format!("{path}.admins[{k}]"),
            "admin",
        );
        if cluster.node_groups.is_empty() {
            self.push(Finding::new(
                format!("{path}.nodeGroups"),
                "at least one node group is needed to run workloads",
            ));
        }
        self.unique(
            cluster.node_groups.iter().map(|g| g.name.as_str()),
            |k| format!("{path}.nodeGroups[{k}].name"),
            "node group name",
        );
        for (k, group) in cluster.node_groups.iter().enumerate() {
            self.node_group(group, &format!("{path}.nodeGroups[{k}]"));
        }
        if version_ok {
            self.autoscaler(cluster, path);
        }
        if let Some(context) = &cluster.kubeconfig_context
            && context.trim().is_empty()
        {
            self.push(Finding::new(
                format!("{path}.kubeconfigContext"),
                "the context name is empty",
            ));
        }
    }

    /// The autoscaler's image is pinned and known, and its credentials can reach it.
    fn autoscaler(&mut self, cluster: &ClusterSpec, cluster_path: &str) {
        let path = format!("{cluster_path}.autoscaler");
        if let Some(text) = &cluster.autoscaler.image {
            match image::parse(text) {
                Err(problem) => self.push(Finding::new(
                    format!("{path}.image"),
                    format!(
                        "{} is not an image reference (character {}: {})",
                        quoted(text),
                        problem.at,
                        problem.reason
                    ),
                )),
                Ok(r) if r.digest.is_none() && r.tag.is_none_or(|t| t == "latest") => self.push(
                    Finding::new(
                        format!("{path}.image"),
                        format!("{} is not pinned", quoted(text)),
                    )
                    .hint("name a release tag (`:v1.35.1`) or a digest (`@sha256:...`)"),
                ),
                Ok(_) => {}
            }
        }
        if !autoscaler::wanted(cluster) {
            return;
        }
        if autoscaler::image(cluster).is_none() {
            self.push(
                Finding::new(
                    format!("{cluster_path}.version"),
                    format!(
                        "no Cluster Autoscaler release is known for Kubernetes {} (the tool knows {})",
                        cluster.version,
                        autoscaler::known_minors()
                    ),
                )
                .hint(format!(
                    "set `autoscaler.image` to the release for {} (registry.k8s.io/autoscaling/cluster-autoscaler:v{}.N), or `autoscaler.enabled: false`",
                    cluster.version, cluster.version
                )),
            );
        }
        if cluster
            .addons
            .get(POD_IDENTITY_AGENT)
            .is_some_and(|a| !a.enabled)
        {
            self.push(
                Finding::new(
                    format!("{cluster_path}.addons.{POD_IDENTITY_AGENT}.enabled"),
                    format!("the Cluster Autoscaler gets its AWS credentials through Pod Identity, but the {POD_IDENTITY_AGENT} add-on is left out"),
                )
                .hint("leave the add-on on, or set `autoscaler.enabled: false`"),
            );
        }
    }

    fn node_group(&mut self, group: &NodeGroupSpec, path: &str) {
        if !is_dns_label(&group.name, limits::NODE_GROUP_NAME) {
            self.push(
                Finding::new(
                    format!("{path}.name"),
                    format!("{} is not a valid node group name", quoted(&group.name)),
                )
                .hint("use 1-40 lowercase letters, digits and hyphens, starting with a letter"),
            );
        }
        if !(group.min <= group.desired && group.desired <= group.max) {
            self.push(
                Finding::new(
                    path,
                    format!("node group sizes must satisfy min <= desired <= max, found min {} / desired {} / max {}", group.min, group.desired, group.max),
                ),
            );
        }
        if group.max == 0 {
            self.push(Finding::new(
                format!("{path}.max"),
                "max must be at least 1 (EKS refuses an empty node group)",
            ));
        }
        if group.instance_types.is_empty() {
            self.push(Finding::new(
                format!("{path}.instanceTypes"),
                "at least one instance type is needed",
            ));
        }
        for (k, instance_type) in group.instance_types.iter().enumerate() {
            let ok = instance_type.split_once('.').is_some_and(|(family, size)| {
                family.starts_with(|c: char| c.is_ascii_lowercase())
                    && family
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !size.is_empty()
                    && size
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            });
            if !ok {
                self.push(
                    Finding::new(
                        format!("{path}.instanceTypes[{k}]"),
                        format!("{} is not an EC2 instance type", quoted(instance_type)),
                    )
                    .hint("for example t3.medium or m6i.large"),
                );
            }
        }
        self.unique(
            group.instance_types.iter().map(String::as_str),
            |k| format!("{path}.instanceTypes[{k}]"),
            "instance type",
        );
        for key in group.labels.keys() {
            if !is_label_key(key) {
                self.push(Finding::new(
                    format!("{path}.labels[{key:?}]"),
                    format!("{} is not a valid Kubernetes label key", quoted(key)),
                ));
            }
        }
    }
}

/// `[prefix/]name`, the name 1-63 alphanumerics with `-_.` inside.
fn is_label_key(key: &str) -> bool {
    let name = key.rsplit_once('/').map_or(key, |(prefix, name)| {
        if prefix.is_empty() || prefix.len() > 253 {
            ""
        } else {
            name
        }
    });
    !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}
