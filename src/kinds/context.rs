//! What a kind's create, update and delete have at hand: the regions' clients, IAM, the
//! observed model, and the handles of what exists, logical ids resolved to AWS ids as the run
//! goes. Errors keep the provider's error and its kind, and the logical id they concern.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use super::{Handle, Observed, ObservedResource, TagService, Tagging};
use crate::model::Resource;
use crate::providers::{ErrorKind, Iam, Network, ProviderError, RegionClients, Tags};
use crate::retry;

/// One region of the stack and the clients that reach it.
#[derive(Clone)]
pub struct RegionTarget {
    /// The stack's name for it (`c1`).
    pub name: String,
    pub aws_region: String,
    pub clients: RegionClients,
}

/// How long the slow parts may take before the run gives up on them.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub nat_gateway: Duration,
    pub load_balancer: Duration,
    pub peering: Duration,
    pub cluster: Duration,
    pub node_group: Duration,
    pub addon: Duration,
    /// From the validation records written to the certificate issued (Terraform waits 75
    /// minutes; ACM usually takes a few).
    pub certificate: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            nat_gateway: Duration::from_secs(15 * 60),
            load_balancer: Duration::from_secs(15 * 60),
            peering: Duration::from_secs(10 * 60),
            cluster: Duration::from_secs(25 * 60),
            node_group: Duration::from_secs(20 * 60),
            addon: Duration::from_secs(20 * 60),
            certificate: Duration::from_secs(45 * 60),
        }
    }
}

/// Why a step failed.
#[derive(Debug, Clone)]
pub enum Cause {
    /// A provider call failed, for good or after the retry policy gave up.
    Provider(ProviderError),
    /// What the step needs is not there or not what it should be (a reference not made yet,
    /// a zone the region lacks).
    Precondition(String),
}

/// A failed step: the logical id it concerns and why.
#[derive(Debug, Clone)]
pub struct StepError {
    /// Empty until the engine, which knows the step, says it.
    pub id: String,
    pub cause: Cause,
}

impl StepError {
    pub fn precondition(message: impl Into<String>) -> Self {
        StepError {
            id: String::new(),
            cause: Cause::Precondition(message.into()),
        }
    }

    /// The error's kind, as the retry policy sorts provider errors.
    pub fn kind(&self) -> ErrorKind {
        match &self.cause {
            Cause::Provider(e) => e.kind,
            Cause::Precondition(_) => ErrorKind::Other,
        }
    }

    pub fn for_id(mut self, id: &str) -> Self {
        self.id = id.to_string();
        self
    }

    /// The error with a note after it (`(tags wanted: …)`).
    pub fn noting(mut self, note: String) -> Self {
        match &mut self.cause {
            Cause::Provider(e) => e.message = format!("{} {note}", e.message),
            Cause::Precondition(m) => *m = format!("{m} {note}"),
        }
        self
    }
}

impl std::fmt::Display for StepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.cause {
            Cause::Provider(e) => write!(f, "{e}"),
            Cause::Precondition(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for StepError {}

impl From<ProviderError> for StepError {
    fn from(e: ProviderError) -> Self {
        StepError {
            id: String::new(),
            cause: Cause::Provider(e),
        }
    }
}

/// What a step did, said in a few words (`vpc-0abc`, `3 nodes`), or why it failed.
pub type StepResult<T = String> = Result<T, StepError>;

/// Reads the world again for one logical id: what a create whose answer was lost may have
/// made, or whether a change already took effect.
#[async_trait::async_trait]
pub trait Finder: Sync {
    async fn find(&self, id: &str) -> Result<Option<ObservedResource>, ProviderError>;
}

pub struct Applier<'a> {
    pub regions: BTreeMap<String, &'a RegionTarget>,
    /// A fresh discovery, for what the run's own calls may have done unseen.
    pub finder: &'a dyn Finder,
    /// This run, in the client tokens of creates that take one.
    run: String,
    pub iam: &'a dyn Iam,
    pub observed: &'a Observed,
    pub desired: HashMap<&'a str, &'a Resource>,
    pub limits: Limits,
    /// Logical id -> handle: what discovery found, plus what this run made.
    handles: Mutex<HashMap<String, Handle>>,
}

impl<'a> Applier<'a> {
    pub fn new(
        regions: &'a [RegionTarget],
        iam: &'a dyn Iam,
        finder: &'a dyn Finder,
        observed: &'a Observed,
        desired: &'a [Resource],
        limits: Limits,
    ) -> Self {
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Applier {
            regions: regions.iter().map(|r| (r.name.clone(), r)).collect(),
            finder,
            run: format!("{}-{}", std::process::id(), started.as_nanos()),
            iam,
            observed,
            desired: desired.iter().map(|r| (r.id.as_str(), r)).collect(),
            limits,
            handles: Mutex::new(
                observed
                    .resources
                    .iter()
                    .map(|(id, o)| (id.clone(), o.handle.clone()))
                    .collect(),
            ),
        }
    }

    /// The clients of a stack region.
    pub fn target(&self, region: &Option<String>) -> StepResult<&'a RegionTarget> {
        region
            .as_ref()
            .and_then(|r| self.regions.get(r).copied())
            .ok_or_else(|| StepError::precondition(format!("no clients for region {region:?}")))
    }

    pub fn handle(&self, logical: &str) -> StepResult<Handle> {
        self.handles
            .lock()
            .map_err(|_| StepError::precondition("internal: handle table poisoned"))?
            .get(logical)
            .cloned()
            .ok_or_else(|| StepError::precondition(format!("{logical} does not exist (yet)")))
    }

    /// The AWS id a logical reference stands for.
    pub fn aws(&self, logical: &str) -> StepResult<String> {
        Ok(self.handle(logical)?.aws_id().to_string())
    }

    /// The AWS ids of several references, in their order.
    pub fn aws_all(&self, logical: &[String]) -> StepResult<Vec<String>> {
        logical.iter().map(|l| self.aws(l)).collect()
    }

    /// A reference (to a role, a certificate): the ARN of an existing one, or the logical id
    /// of one the stack makes.
    pub fn role_arn(&self, reference: &str) -> StepResult<String> {
        if reference.starts_with("arn:") {
            Ok(reference.to_string())
        } else {
            self.aws(reference)
        }
    }

    pub fn remember(&self, logical: &str, handle: Handle) {
        if let Ok(mut h) = self.handles.lock() {
            h.insert(logical.to_string(), handle);
        }
    }

    pub fn forget(&self, logical: &str) {
        if let Ok(mut h) = self.handles.lock() {
            h.remove(logical);
        }
    }

    /// The client token of `logical`'s create in this run: a repeated call with it returns the
    /// first call's resource (EC2 `ClientToken`, EKS `clientRequestToken`; at most 64
    /// characters). Another run makes another token, as it first looks for what exists.
    pub fn token(&self, logical: &str) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(format!("{}/{logical}", self.run));
        digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
    }

    /// Makes `r` with its kind's create call `make`, at most once: see [`retry::create`].
    /// `found` turns what a fresh discovery finds under `r`'s logical id into the call's
    /// answer.
    pub async fn create_once<T, F, Fut>(
        &self,
        r: &Resource,
        make: F,
        found: impl Fn(ObservedResource) -> Option<T>,
    ) -> Result<T, ProviderError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, ProviderError>>,
    {
        let find = || async { Ok(self.finder.find(&r.id).await?.and_then(&found)) };
        retry::create(make, find).await
    }

    /// [`Applier::create_once`] for a call that answers with the new resource's AWS id.
    pub async fn create_id<F, Fut>(&self, r: &Resource, make: F) -> Result<String, ProviderError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<String, ProviderError>>,
    {
        let id = |o: ObservedResource| Some(o.handle.aws_id().to_string());
        self.create_once(r, make, id).await
    }

    /// Whether discovery now finds `logical`: a change that makes it visible (an accepted
    /// peering, an authorized rule) has taken effect.
    pub async fn exists(&self, logical: &str) -> Result<bool, ProviderError> {
        Ok(self.finder.find(logical).await?.is_some())
    }

    /// The usable availability zones of a stack region.
    pub fn azs(&self, region: &Option<String>) -> &[String] {
        region
            .as_ref()
            .and_then(|r| self.observed.azs.get(r))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Brings a resource's tags to the stack's, through the service its kind says tags it.
    pub async fn retag(&self, r: &Resource, observed: &ObservedResource) -> StepResult<()> {
        let (add, remove) = tag_changes(&r.tags, observed.tags.as_ref().unwrap_or(&Tags::new()));
        let Tagging::Kept(service) = r.spec.kind().def().tagging else {
            return Err(StepError::precondition(format!(
                "{} keeps no tags in step",
                r.spec.kind()
            )));
        };
        let result = match service {
            TagService::Iam => {
                let Handle::Role { name, .. } = &observed.handle else {
                    return Err(StepError::precondition("not a role"));
                };
                retry::change(|| self.iam.set_tags(name, &add, &remove)).await
            }
            TagService::Eks => {
                let (Handle::Cluster { arn, .. }
                | Handle::NodeGroup { arn, .. }
                | Handle::Addon { arn, .. }
                | Handle::PodIdentity { arn, .. }) = &observed.handle
                else {
                    return Err(StepError::precondition("not an EKS resource"));
                };
                let eks = &self.target(&r.region)?.clients.eks;
                retry::change(|| eks.set_tags(arn, &add, &remove)).await
            }
            TagService::Elbv2 => {
                let (id, clients) = (self.aws(&r.id)?, &self.target(&r.region)?.clients);
                retry::change(|| clients.load_balancing.set_tags(&id, &add, &remove)).await
            }
            TagService::Wafv2 => {
                let (id, clients) = (self.aws(&r.id)?, &self.target(&r.region)?.clients);
                retry::change(|| clients.waf.set_tags(&id, &add, &remove)).await
            }
            TagService::Ec2 => {
                let (id, clients) = (self.aws(&r.id)?, &self.target(&r.region)?.clients);
                retry::change(|| clients.network.set_tags(&id, &add, &remove)).await
            }
            TagService::Alerts => {
                let (arn, clients) = (observed.handle.aws_id(), &self.target(&r.region)?.clients);
                retry::change(|| clients.alerting.set_tags(arn, &add, &remove)).await
            }
            TagService::Kms => {
                let (arn, clients) = (observed.handle.aws_id(), &self.target(&r.region)?.clients);
                retry::change(|| clients.keys.set_tags(arn, &add, &remove)).await
            }
            TagService::Acm => {
                let (arn, clients) = (observed.handle.aws_id(), &self.target(&r.region)?.clients);
                retry::change(|| clients.certificates.set_tags(arn, &add, &remove)).await
            }
            TagService::Logs | TagService::Ssm => {
                return Err(StepError::precondition(format!(
                    "{} tags are set at creation only",
                    r.spec.kind()
                )));
            }
        };
        result.map_err(|e| {
            StepError::from(e).noting(format!("(tags wanted: {})", tags_text(&r.tags)))
        })
    }
}

/// The tags to add (or change) and the keys to remove to turn `have` into `want`; `aws:` tags
/// are AWS's own.
pub fn tag_changes(want: &Tags, have: &Tags) -> (Tags, Vec<String>) {
    let add = want
        .iter()
        .filter(|(k, v)| have.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let remove = have
        .keys()
        .filter(|k| !k.starts_with("aws:") && !want.contains_key(*k))
        .cloned()
        .collect();
    (add, remove)
}

/// Tags as `key=value,…`, for messages and plans.
pub fn tags_text(tags: &Tags) -> String {
    tags.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// A resource handed to a kind it is not of, or with a handle of another kind: a bug.
pub fn not_a(r: &Resource) -> StepError {
    StepError::precondition(format!(
        "internal: {} is not handled as a {}",
        r.id,
        r.spec.kind()
    ))
}

/// A field the kind cannot change in place.
pub fn cannot_change(r: &Resource, field: &str) -> StepError {
    StepError::precondition(format!(
        "{} cannot change `{field}` in place",
        r.spec.kind()
    ))
}

/// Gives something AWS made with a VPC (its default group, its main route table) exactly the
/// stack's tags, so that discovery sees it as the stack's: the adoption rule.
pub async fn adopt_tags(net: &dyn Network, id: &str, want: &Tags, have: &Tags) -> StepResult<()> {
    let (add, remove) = tag_changes(want, have);
    Ok(retry::change(|| net.set_tags(id, &add, &remove)).await?)
}
