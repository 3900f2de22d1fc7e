//! The reconcile engine: discover what the stack owns (by tags), diff it against the desired
//! model, and carry out the changes as a dependency graph across both regions.

mod conflicts;
pub mod diff;
pub mod duplicates;
pub mod executor;
mod find;
mod matching;
pub mod observe;
mod peering;
pub mod report;
pub mod rules;
mod steps;
mod sweep;
pub mod target;

use std::collections::HashMap;
use std::sync::Arc;

use crate::kinds::{self, Applier, StepError};
pub use crate::kinds::{Limits, RegionTarget, Snapshot};
use crate::progress::Progress;
use crate::retry;
use diff::{Action, Change};
use executor::{Outcome, Step};
use observe::Observed;
pub use report::{RunReport, StepOutcome, StepReport};
use steps::{Work, add_sweeps, steps};

use crate::kinds::Kind;
use crate::model::{self, LoadBalancerType, Resource};
use crate::providers::*;
use crate::stack::ValidStack;
use std::result::Result;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("discovery failed in {region}")]
    Discovery {
        region: String,
        #[source]
        source: ProviderError,
    },
    #[error("{} replacement(s) planned ({}); run again with --allow-replace to carry them out", .0.len(), .0.join(", "))]
    ReplacementsNeedConsent(Vec<String>),
    #[error(
        "region {region}: cluster.secretsEncryption.keyArn names {arn}, which is {key}, {what}"
    )]
    OwnKeyNamedByArn {
        region: String,
        arn: String,
        key: String,
        /// Whose key it is, and what to do instead.
        what: &'static str,
    },
}

/// Steps per region that may run at once.
pub const PER_REGION: usize = 8;

pub struct Engine<'a> {
    pub stack: &'a ValidStack,
    pub regions: Vec<RegionTarget>,
    /// IAM is global: one client for the stack.
    pub iam: Arc<dyn Iam>,
    pub limits: Limits,
    pub progress: &'a dyn Progress,
    /// Asked once (the first Ctrl-C): no new step starts.
    pub stop: crate::stop::Stop,
    /// Kinds the account's API lacks (an emulator without EKS add-ons): left out of the
    /// desired model and not read.
    pub skipped_kinds: Vec<Kind>,
}

impl<'a> Engine<'a> {
    /// The desired model, as the engine builds it.
    pub fn desired(&self) -> Vec<Resource> {
        let mut all = model::desired(self.stack);
        all.retain(|r| !self.skipped_kinds.contains(&r.spec.kind()));
        all
    }

    /// Reads both regions and IAM concurrently: EC2, ELB, WAF and EKS at once; the web ACL of
    /// each application load balancer as soon as the balancers are known. Every chain is at
    /// most three dependent rounds (EKS: clusters; their details with their node group names;
    /// the node groups' details).
    pub async fn observe(&self, desired: &[Resource]) -> Result<Observed, EngineError> {
        Ok(self.observe_reading(desired).await?.1)
    }

    /// `observe`, keeping the region snapshots it was made from.
    async fn observe_reading(
        &self,
        desired: &[Resource],
    ) -> Result<(Vec<Snapshot>, Observed), EngineError> {
        let stack = self.stack.name();
        let roles = async {
            retry::discover(|| self.iam.snapshot(stack))
                .await
                .map_err(|source| EngineError::Discovery {
                    region: "IAM (global)".into(),
                    source,
                })
        };
        // Both at once; a region's failure is told before IAM's.
        let (snapshots, roles) = futures::join!(self.read(), roles);
        let (snapshots, roles) = (snapshots?, roles?);
        let observed = observe::map(&self.regions, &snapshots, &roles, desired);
        Ok((snapshots, observed))
    }

    /// The observed model of the regions' snapshots alone, without IAM (what `verify` looks at).
    pub fn map_regions(&self, snapshots: &[Snapshot]) -> Observed {
        observe::map(&self.regions, snapshots, &[], &self.desired())
    }

    /// Everything the stack owns in its regions, as AWS reports it: one snapshot per region,
    /// in `regions` order. The discovery pass `observe` (with IAM) and `verify` build on.
    pub async fn read(&self) -> Result<Vec<Snapshot>, EngineError> {
        let label = format!("discover {}", self.region_names());
        self.progress.started(&label);
        let started = std::time::Instant::now();
        let read = self.read_regions().await;
        let said = read.as_ref().map(|_| "").map_err(|e| e.to_string());
        self.progress
            .finished(&label, said.as_ref().copied(), started.elapsed());
        read
    }

    fn region_names(&self) -> String {
        let names: Vec<&str> = self.regions.iter().map(|r| r.aws_region.as_str()).collect();
        names.join(", ")
    }

    async fn read_regions(&self) -> Result<Vec<Snapshot>, EngineError> {
        let stack = self.stack.name();
        // Access entries are listed only where the stack asks for some: it owns no others.
        let with_entries: Vec<String> = self
            .desired()
            .into_iter()
            .filter(|r| r.spec.kind() == Kind::AccessEntry)
            .filter_map(|r| r.region)
            .collect();
        let with_entries = &with_entries;
        let read_addons = !self.skipped_kinds.contains(&Kind::ClusterAddon);
        let read_identities = !self.skipped_kinds.contains(&Kind::PodIdentity);
        let reads = self.regions.iter().map(|t| async move {
            let c = &t.clients;
            let access_entries = with_entries.contains(&t.name);
            let cluster = self
                .stack
                .stack
                .spec
                .regions
                .iter()
                .find(|r| r.name == t.name)
                .map(|r| r.cluster.name.as_str())
                .unwrap_or_default();
            // The load balancers and the node groups' Auto Scaling groups first; then, in
            // one more round beside the slower EKS reads, which web ACL each application
            // load balancer has and, only where the nodes have no Auto Scaling group (as
            // on emulators) and so are registered one by one, the nodes and the targets.
            let balancers = async {
                let (load_balancing, asgs) = futures::try_join!(
                    retry::discover(|| c.load_balancing.snapshot(stack)),
                    retry::discover(|| c.scaling.node_group_asgs(cluster)),
                )?;
                let albs = load_balancing.load_balancers.iter().filter(|l| {
                    LoadBalancerType::parse(&l.lb_type) == Some(LoadBalancerType::Application)
                });
                let acl_of = futures::future::try_join_all(albs.map(|l| async move {
                    let acl = retry::discover(|| c.waf.web_acl_for(&l.arn)).await?;
                    Ok::<_, ProviderError>(acl.map(|a| (l.arn.clone(), a)))
                }));
                let one_by_one = asgs.is_empty();
                let targets = futures::future::try_join_all(
                    load_balancing
                        .target_groups
                        .iter()
                        .filter(|_| one_by_one)
                        .map(|g| async move {
                            let ids =
                                retry::discover(|| c.load_balancing.registered_targets(&g.arn))
                                    .await?;
                            Ok::<_, ProviderError>((g.arn.clone(), ids))
                        }),
                );
                let nodes = async {
                    if one_by_one {
                        retry::discover(|| c.network.node_instances(cluster)).await
                    } else {
                        Ok(Vec::new())
                    }
                };
                let (acl_of, targets, nodes) = futures::try_join!(acl_of, targets, nodes)?;
                Ok::<_, ProviderError>((load_balancing, asgs, acl_of, targets, nodes))
            };
            let (
                network,
                (load_balancing, asgs, acl_of, targets, node_instances),
                web_acls,
                eks,
                log_groups,
                parameters,
                alerting,
                keys,
                certificates,
                addons,
                pod_identities,
            ) = futures::try_join!(
                retry::discover(|| c.network.snapshot(stack)),
                balancers,
                retry::discover(|| c.waf.snapshot(stack)),
                retry::discover(|| c.eks.snapshot(stack, cluster, access_entries)),
                retry::discover(|| c.logs.snapshot(stack)),
                retry::discover(|| c.parameters.snapshot(stack)),
                retry::discover(|| c.alerting.snapshot(stack)),
                retry::discover(|| c.keys.snapshot(stack)),
                retry::discover(|| c.certificates.snapshot(stack)),
                async {
                    if read_addons {
                        retry::discover(|| c.addons.snapshot(cluster)).await
                    } else {
                        Ok(Vec::new())
                    }
                },
                async {
                    if read_identities {
                        retry::discover(|| c.pod_identities.snapshot(cluster)).await
                    } else {
                        Ok(Vec::new())
                    }
                },
            )?;
            Ok(Snapshot {
                network,
                load_balancing,
                web_acls,
                web_acl_of: acl_of.into_iter().flatten().collect(),
                eks,
                log_groups,
                targets: targets.into_iter().collect(),
                node_instances,
                asgs,
                parameters,
                alerting,
                keys,
                certificates,
                addons,
                pod_identities,
            })
        });
        let snapshots = futures::future::join_all(reads).await;
        let mut ok = Vec::new();
        for (t, s) in self.regions.iter().zip(snapshots) {
            ok.push(s.map_err(|source| EngineError::Discovery {
                region: t.aws_region.clone(),
                source,
            })?);
        }
        Ok(ok)
    }

    /// Discovery and diff: the changes `up` would make (the tests' shorthand for
    /// `plan_reading`).
    #[cfg(test)]
    pub async fn plan(&self) -> Result<(Observed, Vec<Change>), EngineError> {
        let (_, observed, changes) = self.plan_reading().await?;
        self.refuse_conflicts(&self.desired(), &observed, &changes)?;
        Ok((observed, changes))
    }

    /// What the stack asks for that contradicts what it owns, where `changes` (the plan, or the
    /// part of it a `--target` run makes) would touch it: no run could ever carry those out.
    /// `plan` and `up` stop on it before any change; `status` and `down` do not.
    pub fn refuse_conflicts(
        &self,
        desired: &[Resource],
        observed: &Observed,
        changes: &[Change],
    ) -> Result<(), EngineError> {
        conflicts::own_key_named_by_arn(desired, observed, changes)
    }

    /// `plan`, also giving the region snapshots it read (the clusters' endpoints, the load
    /// balancers' names), so nothing has to be read twice.
    pub async fn plan_reading(
        &self,
    ) -> Result<(Vec<Snapshot>, Observed, Vec<Change>), EngineError> {
        let desired = self.desired();
        let (snapshots, observed) = self.observe_reading(&desired).await?;
        let changes = diff::diff(&desired, &observed);
        Ok((snapshots, observed, changes))
    }

    /// Converges both regions. Replacements happen only with `allow_replace`, but for those of
    /// failed resources (and what depends on them), which lose nothing that works.
    #[cfg(test)]
    pub async fn up(&self, allow_replace: bool) -> Result<(Vec<Change>, RunReport), EngineError> {
        let desired = self.desired();
        let observed = self.observe(&desired).await?;
        let changes = diff::diff(&desired, &observed);
        self.refuse_conflicts(&desired, &observed, &changes)?;
        consented(&changes, allow_replace)?;
        let report = self.apply(&desired, &observed, &changes).await;
        Ok((changes, report))
    }

    /// Deletes everything the stack owns, in reverse dependency order.
    #[cfg(test)]
    pub async fn down(&self) -> Result<(Vec<Change>, RunReport), EngineError> {
        let desired = self.desired();
        let observed = self.observe(&desired).await?;
        let changes = teardown_changes(&observed);
        let report = self.teardown(&desired, &observed, &changes).await;
        Ok((changes, report))
    }

    /// Carries out `changes` (from `diff` of `observed`), each after what it needs.
    pub async fn apply(
        &self,
        desired: &[Resource],
        observed: &Observed,
        changes: &[Change],
    ) -> RunReport {
        let steps = steps(desired, observed, changes);
        self.run(&steps, desired, observed).await
    }

    /// Carries out the deletions `changes` (from `teardown_changes`), each before what it
    /// needs, with a sweep of the leftovers in each region whose VPC goes.
    pub async fn teardown(
        &self,
        desired: &[Resource],
        observed: &Observed,
        changes: &[Change],
    ) -> RunReport {
        let mut steps = steps(desired, observed, changes);
        add_sweeps(&mut steps, changes);
        self.run(&steps, desired, observed).await
    }

    async fn run(
        &self,
        steps: &[Step<Work<'_>>],
        desired: &[Resource],
        observed: &Observed,
    ) -> RunReport {
        let applier = Applier::new(
            &self.regions,
            self.iam.as_ref(),
            self,
            observed,
            desired,
            self.limits,
        );
        let by_id: HashMap<&str, &Resource> = desired.iter().map(|r| (r.id.as_str(), r)).collect();
        let outcomes = executor::run_timed(steps, PER_REGION, self.progress, &self.stop, |step| {
            let applier = &applier;
            let by_id = &by_id;
            async move {
                match &step.work {
                    Work::Apply(c) => {
                        let r = by_id.get(c.id.as_str()).ok_or_else(|| {
                            StepError::precondition(format!("{} is not in the stack", c.id))
                        })?;
                        let result = match c.action {
                            Action::Update => {
                                let fields: Vec<&str> =
                                    c.fields.iter().map(|f| f.field.as_str()).collect();
                                kinds::update(applier, r, &fields).await
                            }
                            _ => kinds::create(applier, r).await,
                        };
                        result.map_err(|e| e.for_id(&c.id))
                    }
                    Work::Delete(c) => {
                        let o = observed.resources.get(&c.id).ok_or_else(|| {
                            StepError::precondition(format!("{} was not observed", c.id))
                        })?;
                        kinds::delete(applier, o).await.map_err(|e| e.for_id(&c.id))
                    }
                    Work::Sweep(region) => {
                        let vpcs: Vec<String> = observed
                            .resources
                            .values()
                            .filter(|o| {
                                o.kind == Kind::Vpc && o.region.as_deref() == Some(region.as_str())
                            })
                            .map(|o| o.handle.aws_id().to_string())
                            .collect();
                        sweep::sweep(applier, self.stack.name(), region, &vpcs).await
                    }
                }
            }
        })
        .await;
        RunReport {
            steps: steps
                .iter()
                .zip(outcomes)
                .map(|(s, (o, took))| {
                    let (outcome, detail, error) = match o {
                        Outcome::Done(d) => (StepOutcome::Done, d, None),
                        Outcome::Failed(e) => (StepOutcome::Failed, e.to_string(), Some(e.kind())),
                        Outcome::Skipped { because } => (
                            StepOutcome::Skipped,
                            format!("after {because} failed"),
                            None,
                        ),
                        Outcome::NotStarted => {
                            (StepOutcome::NotStarted, "interrupted first".into(), None)
                        }
                    };
                    StepReport {
                        error,
                        ..StepReport::new(&s.label, outcome, detail, took)
                    }
                })
                .collect(),
        }
    }
}

/// Replacements that would lose something working need `--allow-replace`.
pub fn consented(changes: &[Change], allow_replace: bool) -> Result<(), EngineError> {
    let replacements: Vec<String> = changes
        .iter()
        .filter(|c| c.action == Action::Replace && !c.mends_failure)
        .map(|c| c.id.clone())
        .collect();
    if replacements.is_empty() || allow_replace {
        Ok(())
    } else {
        Err(EngineError::ReplacementsNeedConsent(replacements))
    }
}

/// The deletion of everything the stack owns.
pub fn teardown_changes(observed: &Observed) -> Vec<Change> {
    observed
        .resources
        .values()
        .map(|o| Change {
            id: o.id.clone(),
            kind: o.kind,
            region: o.region.clone(),
            action: Action::Delete,
            fields: vec![],
            reason: None,
            mends_failure: false,
            duplicate_of: o.duplicate_of.clone(),
            summary: None,
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests;
