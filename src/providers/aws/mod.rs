//! The AWS adapter: one shared `SdkConfig`, one client per service and region, errors sorted
//! into [`ErrorKind`]s, and every call counted.

mod acm;
mod alerting;
mod auth;
mod ec2;
mod eks;
mod elb;
mod endpoint;
mod errors;
mod iam;
mod kms;
mod logs;
mod profiles;
mod reach;
mod requests;
mod scaling;
mod setup;
mod ssm;
mod tags;
mod waf;

use std::sync::Arc;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use super::RegionClients;
use crate::stats::CallStats;
pub use auth::CREDENTIALS_HINT;
pub(crate) use errors::*;
pub(crate) use requests::*;
pub use setup::{Settings, load_config};
pub(crate) use tags::*;

/// One service's client for a region, every call counted, and a call that got no answer
/// told with the URL and region it was for.
macro_rules! client {
    ($sdk:ident, $config:expr, $region:expr, $counter:expr) => {
        $sdk::Client::from_conf(
            $sdk::config::Builder::from($config)
                .region($region.clone())
                .interceptor($counter)
                .interceptor(reach::Reach {
                    region: $region.to_string(),
                })
                .build(),
        )
    };
}

/// The clients of one region, derived from the shared config.
pub fn region_clients(
    config: &aws_config::SdkConfig,
    region: &str,
    stats: &Arc<CallStats>,
) -> RegionClients {
    let region = aws_config::Region::new(region.to_string());
    let counter = CallCounter {
        stats: stats.clone(),
    };
    macro_rules! here {
        ($sdk:ident) => {
            client!($sdk, config, region.clone(), counter.clone())
        };
    }
    RegionClients {
        network: Arc::new(ec2::Ec2Network::new(here!(aws_sdk_ec2))),
        load_balancing: Arc::new(elb::ElbLoadBalancing::new(here!(
            aws_sdk_elasticloadbalancingv2
        ))),
        waf: Arc::new(waf::WafV2::new(here!(aws_sdk_wafv2), region.to_string())),
        eks: Arc::new(eks::EksClusters::new(here!(aws_sdk_eks))),
        logs: Arc::new(logs::CloudWatchLogs::new(here!(aws_sdk_cloudwatchlogs))),
        scaling: Arc::new(scaling::AutoScaling::new(here!(aws_sdk_autoscaling))),
        parameters: Arc::new(ssm::SsmParameters::new(here!(aws_sdk_ssm))),
        alerting: Arc::new(alerting::AwsAlerting::new(
            here!(aws_sdk_sns),
            here!(aws_sdk_cloudwatch),
        )),
        keys: Arc::new(kms::KmsKeys::new(here!(aws_sdk_kms))),
        certificates: Arc::new(acm::AcmCertificates::new(
            here!(aws_sdk_acm),
            here!(aws_sdk_route53),
        )),
        addons: Arc::new(eks::EksAddons::new(here!(aws_sdk_eks))),
        pod_identities: Arc::new(eks::EksPodIdentities::new(here!(aws_sdk_eks))),
    }
}

/// IAM is global; its client is made once.
pub fn iam_client(config: &aws_config::SdkConfig, stats: &Arc<CallStats>) -> Arc<dyn super::Iam> {
    let counter = CallCounter {
        stats: stats.clone(),
    };
    let region = aws_config::Region::new("us-east-1");
    Arc::new(iam::IamRoles::new(client!(
        aws_sdk_iam,
        config,
        region,
        counter
    )))
}

/// Counts each operation once, however many attempts its retries take (serialization happens
/// once per operation, after the operation's metadata is known).
#[derive(Debug, Clone)]
struct CallCounter {
    stats: Arc<CallStats>,
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "multiregion-call-counter"
    }

    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(metadata) = cfg.load::<Metadata>() {
            self.stats.record(metadata.service(), metadata.name());
        }
        Ok(())
    }
}

/// A bare EC2 client of `region`, counted like the others: for what is not a kind of the
/// stack (a chaos experiment's network ACL).
pub fn ec2_client(
    config: &aws_config::SdkConfig,
    region: &str,
    stats: &Arc<CallStats>,
) -> aws_sdk_ec2::Client {
    let region = aws_config::Region::new(region.to_string());
    let counter = CallCounter {
        stats: stats.clone(),
    };
    client!(aws_sdk_ec2, config, region, counter)
}
