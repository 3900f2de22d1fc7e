//! What the nodes run from and report to: launch templates, VPC flow logs, and the instances
//! EKS runs as nodes.

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{
    FlowLogsResourceType, LaunchTemplate, LaunchTemplateHttpTokensState,
    LaunchTemplateInstanceMetadataEndpointState, LaunchTemplateInstanceMetadataOptionsRequest,
    LogDestinationType, RequestLaunchTemplateData, ResourceType,
};

use super::{filter, tag_spec};
use crate::providers::aws::{answered, carried, done, every, sent, tag_value, tags_of};
use crate::providers::*;

pub(super) async fn create_launch_template(
    c: &Client,
    name: &str,
    groups: &[String],
    imdsv2_required: bool,
    hop_limit: u8,
    tags: &Tags,
) -> Result<String> {
    let tokens = if imdsv2_required {
        LaunchTemplateHttpTokensState::Required
    } else {
        LaunchTemplateHttpTokensState::Optional
    };
    let data = RequestLaunchTemplateData::builder()
        .set_security_group_ids(Some(groups.to_vec()))
        .metadata_options(
            LaunchTemplateInstanceMetadataOptionsRequest::builder()
                .http_endpoint(LaunchTemplateInstanceMetadataEndpointState::Enabled)
                .http_tokens(tokens)
                .http_put_response_hop_limit(i32::from(hop_limit))
                .build(),
        )
        .build();
    let out = sent(
        c.create_launch_template()
            .launch_template_name(name)
            .launch_template_data(data)
            .tag_specifications(tag_spec(ResourceType::LaunchTemplate, tags)?)
            .send(),
    )
    .await?;
    carried(&out, "id", |o| o.launch_template()?.launch_template_id())
}

/// A template with what its latest version says: one call a template.
pub(super) async fn launch_template(c: &Client, t: &LaunchTemplate) -> Result<LaunchTemplateInfo> {
    let id = t.launch_template_id().unwrap_or_default();
    let out = sent(
        c.describe_launch_template_versions()
            .launch_template_id(id)
            .versions("$Latest")
            .send(),
    )
    .await?;
    let data = out
        .launch_template_versions()
        .first()
        .and_then(|v| v.launch_template_data());
    let metadata = data.and_then(|d| d.metadata_options());
    Ok(LaunchTemplateInfo {
        id: id.to_string(),
        name: t.launch_template_name().unwrap_or_default().to_string(),
        security_groups: data
            .map(|d| d.security_group_ids().to_vec())
            .unwrap_or_default(),
        imdsv2_required: metadata.and_then(|m| m.http_tokens())
            == Some(&LaunchTemplateHttpTokensState::Required),
        hop_limit: metadata
            .and_then(|m| m.http_put_response_hop_limit())
            .unwrap_or(1)
            .clamp(0, 64) as u8,
        tags: tags_of(t.tags()),
    })
}

pub(super) async fn delete_launch_template(c: &Client, id: &str) -> Result<()> {
    done(c.delete_launch_template().launch_template_id(id).send()).await
}

pub(super) async fn create_flow_log(
    c: &Client,
    vpc: &str,
    log_group: &str,
    role_arn: &str,
    traffic_type: &str,
    tags: &Tags,
) -> Result<String> {
    let out = sent(
        c.create_flow_logs()
            .resource_type(FlowLogsResourceType::Vpc)
            .resource_ids(vpc)
            .traffic_type(traffic_type.into())
            .log_destination_type(LogDestinationType::CloudWatchLogs)
            .log_group_name(log_group)
            .deliver_logs_permission_arn(role_arn)
            .tag_specifications(tag_spec(ResourceType::VpcFlowLog, tags)?)
            .customize()
            .config_override(super::once())
            .send(),
    )
    .await?;
    // The call succeeds as a whole and reports failures per resource.
    if let Some(failed) = out.unsuccessful().first() {
        let message = failed
            .error()
            .and_then(|e| e.message())
            .unwrap_or("refused");
        // A role made a moment ago cannot be assumed yet: the same as not there yet.
        let kind = if message.contains("assume") {
            ErrorKind::NotFound
        } else {
            ErrorKind::Other
        };
        return Err(answered(&out, kind, format!("{vpc}: {message}")));
    }
    out.flow_log_ids()
        .first()
        .cloned()
        .ok_or_else(|| answered(&out, ErrorKind::Other, "no flow log id returned"))
}

pub(super) async fn delete_flow_log(c: &Client, id: &str) -> Result<()> {
    let out = sent(c.delete_flow_logs().flow_log_ids(id).send()).await?;
    let Some(failed) = out.unsuccessful().first() else {
        return Ok(());
    };
    let code = failed.error().and_then(|e| e.code()).unwrap_or_default();
    let kind = if code.contains("NotFound") {
        ErrorKind::NotFound
    } else {
        ErrorKind::Other
    };
    let message = failed.error().and_then(|e| e.message()).unwrap_or(code);
    Err(answered(&out, kind, format!("{id}: {message}")))
}

/// Every flow log on the stack's VPCs, whoever made it: one filtered call.
pub(super) async fn flow_logs(c: &Client, vpc_ids: &[String]) -> Result<Vec<FlowLogInfo>> {
    if vpc_ids.is_empty() {
        return Ok(Vec::new());
    }
    let logs = every!(
        c.describe_flow_logs()
            .filter(filter("resource-id", vpc_ids.iter().cloned()))
    )
    .await?;
    Ok(logs
        .into_iter()
        .map(|f| FlowLogInfo {
            id: f.flow_log_id().unwrap_or_default().to_string(),
            resource_id: f.resource_id().unwrap_or_default().to_string(),
            log_group: f.log_group_name().map(str::to_string),
            traffic_type: f
                .traffic_type()
                .map(|t| t.as_str().to_string())
                .unwrap_or_default(),
            tags: tags_of(f.tags()),
        })
        .collect())
}

pub(super) async fn node_instances(c: &Client, cluster: &str) -> Result<Vec<NodeInstance>> {
    let reservations: Vec<_> = every!(
        c.describe_instances()
            .filters(filter("tag:eks:cluster-name", [cluster]))
            .filters(filter("instance-state-name", ["pending", "running"]))
    )
    .await?;
    Ok(reservations
        .iter()
        .flat_map(|r| r.instances())
        .filter_map(|i| {
            Some(NodeInstance {
                id: i.instance_id()?.to_string(),
                node_group: tag_value(i.tags(), "eks:nodegroup-name")?.to_string(),
            })
        })
        .collect())
}
