//! The reconcile engine: discover what the stack owns (by tags), diff it against the desired
//! model, and carry out the changes as a dependency graph across both regions.

mod apply;
pub mod diff;
pub mod executor;
pub mod fields;
pub mod observe;
pub mod progress;
pub mod retry;

use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

use apply::Applier;
pub use apply::Limits;
use diff::{Action, Change};
use executor::{Outcome, Step};
use observe::Observed;
use progress::Progress;

use crate::model::{self, Resource};
use crate::providers::*;
use crate::spec::ValidStack;
use std::result::Result;

/// One region of the stack and the clients that reach it.
#[derive(Clone)]
pub struct RegionTarget {
    /// The stack's name for it (`c1`).
    pub name: String,
    pub aws_region: String,
    pub clients: RegionClients,
}

/// Everything read from one region in one discovery pass.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub network: NetworkSnapshot,
    pub load_balancing: LoadBalancingSnapshot,
    pub web_acls: Vec<WebAclInfo>,
    /// Application load balancer ARN -> web ACL ARN.
    pub web_acl_of: BTreeMap<String, String>,
}

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
}

/// Steps per region that may run at once.
pub const PER_REGION: usize = 8;

pub struct Engine<'a> {
    pub stack: &'a ValidStack,
    pub regions: Vec<RegionTarget>,
    pub limits: Limits,
    pub progress: &'a dyn Progress,
}

/// What a run did, step by step.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    pub steps: Vec<StepReport>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepReport {
    pub step: String,
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

impl RunReport {
    pub fn failed(&self) -> usize {
        self.steps.iter().filter(|s| s.outcome == "failed").count()
    }

    pub fn skipped(&self) -> usize {
        self.steps.iter().filter(|s| s.outcome == "skipped").count()
    }
}

/// The work of one step.
enum Work<'c> {
    Apply(&'c Change),
    Delete(&'c Change),
}

impl<'a> Engine<'a> {
    /// The desired model, as the engine builds it.
    pub fn desired(&self) -> Vec<Resource> {
        model::desired(self.stack)
    }

    /// Reads both regions concurrently: EC2, ELB and WAF at once, then the web ACL of each
    /// application load balancer — three dependent rounds at most.
    pub async fn observe(&self, desired: &[Resource]) -> Result<Observed, EngineError> {
        let stack = self.stack.name();
        let reads = self.regions.iter().map(|t| async move {
            let c = &t.clients;
            let (network, load_balancing, web_acls) = futures::try_join!(
                retry::call(Default::default(), || c.network.snapshot(stack)),
                retry::call(Default::default(), || c.load_balancing.snapshot(stack)),
                retry::call(Default::default(), || c.waf.snapshot(stack)),
            )?;
            let albs = load_balancing
                .load_balancers
                .iter()
                .filter(|l| l.lb_type == "application");
            let acl_of = futures::future::try_join_all(albs.map(|l| async move {
                let acl = retry::call(Default::default(), || c.waf.web_acl_for(&l.arn)).await?;
                Ok::<_, ProviderError>(acl.map(|a| (l.arn.clone(), a)))
            }))
            .await?;
            Ok(Snapshot {
                network,
                load_balancing,
                web_acls,
                web_acl_of: acl_of.into_iter().flatten().collect(),
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
        Ok(observe::map(&self.regions, &ok, desired))
    }

    /// Discovery and diff: the changes `up` would make.
    pub async fn plan(&self) -> Result<(Observed, Vec<Change>), EngineError> {
        let desired = self.desired();
        let observed = self.observe(&desired).await?;
        let changes = diff::diff(&desired, &observed);
        Ok((observed, changes))
    }

    /// Converges both regions. Replacements happen only with `allow_replace`.
    pub async fn up(&self, allow_replace: bool) -> Result<(Vec<Change>, RunReport), EngineError> {
        let desired = self.desired();
        let observed = self.observe(&desired).await?;
        let changes = diff::diff(&desired, &observed);
        let replacements: Vec<String> = changes
            .iter()
            .filter(|c| c.action == Action::Replace)
            .map(|c| c.id.clone())
            .collect();
        if !replacements.is_empty() && !allow_replace {
            return Err(EngineError::ReplacementsNeedConsent(replacements));
        }
        let report = self.execute(&desired, &observed, &changes).await;
        Ok((changes, report))
    }

    /// Deletes everything the stack owns, in reverse dependency order.
    pub async fn down(&self) -> Result<(Vec<Change>, RunReport), EngineError> {
        let desired = self.desired();
        let observed = self.observe(&desired).await?;
        let changes: Vec<Change> = observed
            .resources
            .values()
            .map(|o| Change {
                id: o.id.clone(),
                kind: o.kind,
                region: o.region.clone(),
                action: Action::Delete,
                fields: vec![],
                reason: None,
            })
            .collect();
        let report = self.execute(&desired, &observed, &changes).await;
        Ok((changes, report))
    }

    async fn execute(
        &self,
        desired: &[Resource],
        observed: &Observed,
        changes: &[Change],
    ) -> RunReport {
        let steps = steps(desired, observed, changes);
        let applier = Applier::new(&self.regions, observed, desired, self.limits);
        let by_id: HashMap<&str, &Resource> = desired.iter().map(|r| (r.id.as_str(), r)).collect();
        let outcomes = executor::run(&steps, PER_REGION, self.progress, |step| {
            let applier = &applier;
            let by_id = &by_id;
            async move {
                match step.work {
                    Work::Apply(c) => {
                        let r = by_id
                            .get(c.id.as_str())
                            .ok_or_else(|| format!("{} is not in the stack", c.id))?;
                        match c.action {
                            Action::Update => applier.update(r, c).await,
                            _ => applier.create(r).await,
                        }
                    }
                    Work::Delete(c) => {
                        let o = observed
                            .resources
                            .get(&c.id)
                            .ok_or_else(|| format!("{} was not observed", c.id))?;
                        applier.delete(o).await
                    }
                }
            }
        })
        .await;
        RunReport {
            steps: steps
                .iter()
                .zip(outcomes)
                .map(|(s, o)| {
                    let (outcome, detail) = match o {
                        Outcome::Done(d) => ("done", d),
                        Outcome::Failed(e) => ("failed", e),
                        Outcome::Skipped { because } => {
                            ("skipped", format!("after {because} failed"))
                        }
                    };
                    StepReport {
                        step: s.label.clone(),
                        outcome,
                        detail,
                    }
                })
                .collect(),
        }
    }
}

/// Steps for `changes`: creates and updates after what they depend on, deletes before what
/// they depend on (the create edges reversed), and a replacement's create after its delete.
fn steps<'c>(
    desired: &[Resource],
    observed: &Observed,
    changes: &'c [Change],
) -> Vec<Step<Work<'c>>> {
    let mut steps: Vec<Step<Work<'c>>> = Vec::new();
    let mut apply_of: HashMap<&str, usize> = HashMap::new();
    let mut delete_of: HashMap<&str, usize> = HashMap::new();
    for c in changes {
        let lane = c.region.clone().unwrap_or_else(|| "global".to_string());
        if matches!(c.action, Action::Delete | Action::Replace) {
            delete_of.insert(&c.id, steps.len());
            steps.push(Step {
                label: format!("delete {}", c.id),
                lane: lane.clone(),
                after: vec![],
                work: Work::Delete(c),
            });
        }
        if c.action != Action::Delete {
            apply_of.insert(&c.id, steps.len());
            let verb = match c.action {
                Action::Update => "update",
                Action::Replace => "recreate",
                _ => "create",
            };
            steps.push(Step {
                label: format!("{verb} {}", c.id),
                lane,
                after: vec![],
                work: Work::Apply(c),
            });
        }
    }
    let deps: HashMap<&str, &[String]> = desired
        .iter()
        .map(|r| (r.id.as_str(), r.depends_on.as_slice()))
        .collect();
    for c in changes {
        if let Some(&i) = apply_of.get(c.id.as_str()) {
            let mut after: Vec<usize> = deps
                .get(c.id.as_str())
                .into_iter()
                .flat_map(|d| d.iter())
                .filter_map(|d| apply_of.get(d.as_str()).copied())
                .collect();
            if let Some(&d) = delete_of.get(c.id.as_str()) {
                after.push(d);
            }
            steps[i].after = after;
        }
    }
    // Deleting X waits for the deletion of everything that refers to X.
    for o in observed.resources.values() {
        let Some(&mine) = delete_of.get(o.id.as_str()) else {
            continue;
        };
        for dep in &o.depends_on {
            if let Some(&theirs) = delete_of.get(dep.as_str())
                && theirs != mine
                && !steps[theirs].after.contains(&mine)
            {
                steps[theirs].after.push(mine);
            }
        }
    }
    steps
}

#[cfg(test)]
mod tests;
