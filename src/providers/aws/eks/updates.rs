//! Updates of running clusters and node groups, which EKS starts and then reports on.

use std::time::Duration;

use aws_sdk_eks::operation::describe_update::DescribeUpdateOutput;
use aws_sdk_eks::types::{
    EncryptionConfig, LogSetup, LogType, Logging, NodegroupScalingConfig, Provider, Update,
    UpdateLabelsPayload, UpdateStatus, VpcConfigRequest,
};

use super::EksClusters;
use crate::providers::aws::{operation_of, sent, tag_map};
use crate::providers::*;

/// The idempotency token of associating `key_arn` with cluster `name`.
fn encryption_token(name: &str, key_arn: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("{name}/{key_arn}"));
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

impl EksClusters {
    /// Starts a cluster update: the update EKS reports, if any.
    pub(super) async fn start_update(
        &self,
        name: &str,
        update: &ClusterUpdate,
    ) -> Result<Option<Update>> {
        let c = &self.client;
        let started = match update {
            ClusterUpdate::Version(version) => {
                sent(
                    c.update_cluster_version()
                        .name(name)
                        .version(version)
                        .send(),
                )
                .await?
                .update
            }
            ClusterUpdate::Logging { enabled, disabled } => {
                let changed = [(enabled, true), (disabled, false)]
                    .into_iter()
                    .filter(|(types, _)| !types.is_empty())
                    .map(|(types, on)| log_setup(types, on));
                let update = c.update_cluster_config().name(name);
                sent(update.logging(logging(changed)).send()).await?.update
            }
            ClusterUpdate::Endpoint {
                private,
                public,
                public_cidrs,
            } => {
                let vpc = VpcConfigRequest::builder()
                    .endpoint_private_access(*private)
                    .endpoint_public_access(*public)
                    .set_public_access_cidrs(public.then(|| public_cidrs.clone()))
                    .build();
                let update = c.update_cluster_config().name(name);
                sent(update.resources_vpc_config(vpc).send()).await?.update
            }
            ClusterUpdate::Encryption { key_arn } => {
                // A cluster is associated with one key once, ever: a token of the two makes a
                // repeat after a lost answer the same request, not a second one EKS refuses.
                let token = encryption_token(name, key_arn);
                let associate = c
                    .associate_encryption_config()
                    .cluster_name(name)
                    .client_request_token(token);
                let config = secrets_encryption(key_arn);
                sent(associate.encryption_config(config).send())
                    .await?
                    .update
            }
        };
        Ok(started)
    }

    /// Starts a node group update: the update EKS reports, if any.
    pub(super) async fn start_group_update(
        &self,
        cluster: &str,
        name: &str,
        update: &NodeGroupUpdate,
    ) -> Result<Option<Update>> {
        let mut call = self
            .client
            .update_nodegroup_config()
            .cluster_name(cluster)
            .nodegroup_name(name);
        if let Some((min, desired, max_size)) = update.scaling {
            call = call.scaling_config(scaling(min, desired, max_size));
        }
        if !update.add_labels.is_empty() || !update.remove_labels.is_empty() {
            call = call.labels(
                UpdateLabelsPayload::builder()
                    .set_add_or_update_labels(
                        (!update.add_labels.is_empty()).then(|| tag_map(&update.add_labels)),
                    )
                    .set_remove_labels(
                        (!update.remove_labels.is_empty()).then(|| update.remove_labels.clone()),
                    )
                    .build(),
            );
        }
        Ok(sent(call.send()).await?.update)
    }

    /// Waits for an update EKS has started to end, polling it (EKS has no waiter for updates);
    /// one already reported as ended (as emulators do) is not polled. No update at all (an
    /// emulator that applies the change at once) has nothing to wait for.
    pub(super) async fn wait_update(
        &self,
        cluster: &str,
        node_group: Option<&str>,
        update: Option<&Update>,
        max: Duration,
    ) -> Result<()> {
        let Some(update) = update else {
            return Ok(());
        };
        let id = update.id().unwrap_or_default();
        if let Some(ended) = update_outcome(update) {
            return ended;
        }
        let started = tokio::time::Instant::now();
        let mut delay = Duration::from_secs(5);
        loop {
            if started.elapsed() + delay > max {
                return Err(ProviderError::new(
                    ErrorKind::Other,
                    operation_of::<DescribeUpdateOutput>(),
                    format!("update {id} not done after {}s", max.as_secs()),
                ));
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(30));
            let out = sent(
                self.client
                    .describe_update()
                    .name(cluster)
                    .set_nodegroup_name(node_group.map(str::to_string))
                    .update_id(id)
                    .send(),
            )
            .await?;
            if let Some(ended) = out.update().and_then(update_outcome) {
                return ended;
            }
        }
    }
}

/// How an update ended, or `None` while it runs.
fn update_outcome(update: &Update) -> Option<Result<()>> {
    match update.status()? {
        UpdateStatus::Successful => Some(Ok(())),
        s @ (UpdateStatus::Failed | UpdateStatus::Cancelled) => {
            let why: Vec<&str> = update
                .errors()
                .iter()
                .filter_map(|e| e.error_message())
                .collect();
            Some(Err(ProviderError::new(
                ErrorKind::Other,
                operation_of::<DescribeUpdateOutput>(),
                format!(
                    "update {} {}: {}",
                    update.id().unwrap_or_default(),
                    s.as_str(),
                    why.join("; ")
                ),
            )))
        }
        _ => None,
    }
}

/// Envelope encryption of Kubernetes secrets with this KMS key.
pub(super) fn secrets_encryption(key_arn: &str) -> EncryptionConfig {
    EncryptionConfig::builder()
        .resources("secrets")
        .provider(Provider::builder().key_arn(key_arn).build())
        .build()
}

/// One kind of change to the control plane's logs: these types on, or off.
pub(super) fn log_setup(types: &[String], on: bool) -> LogSetup {
    LogSetup::builder()
        .set_types(Some(
            types.iter().map(|t| LogType::from(t.as_str())).collect(),
        ))
        .enabled(on)
        .build()
}

pub(super) fn logging(setups: impl IntoIterator<Item = LogSetup>) -> Logging {
    setups
        .into_iter()
        .fold(Logging::builder(), |logging, setup| {
            logging.cluster_logging(setup)
        })
        .build()
}

/// A node group's sizes as EKS takes them.
pub(super) fn scaling(min: u32, desired: u32, max: u32) -> NodegroupScalingConfig {
    let size = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    NodegroupScalingConfig::builder()
        .min_size(size(min))
        .desired_size(size(desired))
        .max_size(size(max))
        .build()
}
