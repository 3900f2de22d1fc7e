//! An in-memory AWS for fast, deterministic tests of discovery, diff and executor: any number of
//! regions, resources that move from pending to available over (tokio) time, dependency checks
//! on delete like AWS's, injected failures, throttling and read-after-write lag. Time is tokio's,
//! so tests under `tokio::time::pause()` run minutes of waiting in no time.

mod addons;
mod alerting;
mod calls;
mod certificates;
mod ec2;
mod eks;
mod elb;
mod iam;
mod keys;
mod logs;
mod pod_identity;
mod scaling;
mod ssm;
mod state;
mod waf;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use super::{ErrorKind, RegionClients, Tags};
use crate::stats::CallStats;
pub(crate) use calls::*;
pub(crate) use state::*;

/// How the fake behaves; AWS-like durations by default.
#[derive(Debug, Clone)]
pub struct Behaviour {
    /// Added to every call.
    pub latency: Duration,
    /// How long a new resource stays invisible to other calls.
    pub lag: Duration,
    /// Share of calls answered with a throttling error (0.0 to 1.0).
    pub throttle: f64,
    pub nat_gateway: Duration,
    pub nat_gateway_delete: Duration,
    pub load_balancer: Duration,
    pub peering: Duration,
    pub cluster: Duration,
    pub cluster_delete: Duration,
    pub node_group: Duration,
    pub node_group_delete: Duration,
    /// Node groups name Auto Scaling groups that do not exist (as on moto).
    pub node_groups_without_asgs: bool,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            latency: Duration::from_millis(50),
            lag: Duration::ZERO,
            throttle: 0.0,
            nat_gateway: Duration::from_secs(120),
            nat_gateway_delete: Duration::from_secs(60),
            load_balancer: Duration::from_secs(90),
            peering: Duration::from_secs(5),
            cluster: Duration::from_secs(10 * 60),
            cluster_delete: Duration::from_secs(5 * 60),
            node_group: Duration::from_secs(4 * 60),
            node_group_delete: Duration::from_secs(3 * 60),
            node_groups_without_asgs: false,
        }
    }
}

/// The shared world; one [`RegionClients`] per region talks to it.
#[derive(Clone)]
pub struct FakeWorld {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    state: Mutex<State>,
    /// Throttling answers given, each one a retry by the SDK or by the engine.
    pub throttled: std::sync::atomic::AtomicU64,
    pub behaviour: Mutex<Behaviour>,
    pub stats: Arc<CallStats>,
}

/// The clients of one region of the fake world.
pub(crate) struct FakeRegion {
    pub world: Arc<Inner>,
    pub region: String,
}

impl FakeWorld {
    /// A world with these regions, each with three availability zones.
    pub fn new(regions: &[&str], behaviour: Behaviour) -> Self {
        let mut state = State {
            rng: 0x2545_f491_4f6c_dd1d,
            ..Default::default()
        };
        for r in regions {
            let azs = ["a", "b", "c"].iter().map(|z| format!("{r}{z}")).collect();
            state.regions.insert(
                r.to_string(),
                Region {
                    azs,
                    ..Default::default()
                },
            );
        }
        FakeWorld {
            inner: Arc::new(Inner {
                state: Mutex::new(state),
                throttled: Default::default(),
                behaviour: Mutex::new(behaviour),
                stats: Arc::new(CallStats::default()),
            }),
        }
    }

    pub fn clients(&self, region: &str) -> RegionClients {
        let make = || {
            Arc::new(FakeRegion {
                world: self.inner.clone(),
                region: region.to_string(),
            })
        };
        RegionClients {
            network: make(),
            load_balancing: make(),
            waf: make(),
            eks: make(),
            logs: make(),
            scaling: make(),
            parameters: make(),
            alerting: make(),
            keys: make(),
            certificates: make(),
            addons: make(),
            pod_identities: make(),
        }
    }

    /// The global IAM of this world.
    pub fn iam(&self) -> Arc<dyn super::Iam> {
        Arc::new(FakeRegion {
            world: self.inner.clone(),
            region: "global".to_string(),
        })
    }

    /// Network interfaces and security groups that no stack owns (what EKS and Kubernetes
    /// leave behind), over all regions.
    pub fn leftovers(&self) -> (usize, usize) {
        let s = self.inner.lock();
        let interfaces = s.regions.values().map(|r| r.interfaces.len()).sum();
        let groups = s
            .regions
            .values()
            .map(|r| {
                r.groups
                    .values()
                    .filter(|g| {
                        g.name != "default" && !g.tags.contains_key(crate::model::TAG_STACK)
                    })
                    .count()
            })
            .sum();
        (interfaces, groups)
    }

    /// How many calls were answered with throttling so far.
    pub fn throttled(&self) -> u64 {
        self.inner
            .throttled
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn stats(&self) -> Arc<CallStats> {
        self.inner.stats.clone()
    }

    pub fn set_behaviour(&self, change: impl FnOnce(&mut Behaviour)) {
        if let Ok(mut b) = self.inner.behaviour.lock() {
            change(&mut b);
        }
    }

    /// The next `times` calls of `operation` (such as `CreateNatGateway`) fail with `kind`.
    pub fn fail(&self, operation: &str, kind: ErrorKind, times: u32) {
        self.inner
            .lock()
            .failures
            .entry(operation.to_string())
            .or_default()
            .push((kind, times));
    }

    /// The next `times` calls of `operation` take effect, then answer with an ambiguous
    /// failure (a 500 after the change), as when the answer is lost on its way back.
    pub fn lose(&self, operation: &str, times: u32) {
        *self
            .inner
            .lock()
            .lost
            .entry(operation.to_string())
            .or_default() += times;
    }

    /// Makes the resource tagged with the logical id `id` in `region` fail as its service
    /// reports it: an EKS cluster `FAILED`, a node group `CREATE_FAILED` or `DEGRADED` (its
    /// nodes cannot join), a NAT gateway or load balancer `failed`. Whatever replaces it is
    /// sound again. Whether there was such a resource.
    pub fn break_resource(&self, region: &str, id: &str) -> bool {
        let mut s = self.inner.lock();
        let Some(r) = s.regions.get_mut(region) else {
            return false;
        };
        let is = |tags: &Tags| tags.get(crate::model::TAG_ID).map(String::as_str) == Some(id);
        let flags = r
            .clusters
            .values_mut()
            .filter(|c| is(&c.info.tags))
            .map(|c| &mut c.broken)
            .chain(
                r.node_groups
                    .values_mut()
                    .filter(|g| is(&g.info.tags))
                    .map(|g| &mut g.broken),
            )
            .chain(
                r.nats
                    .values_mut()
                    .filter(|n| is(&n.tags))
                    .map(|n| &mut n.broken),
            )
            .chain(
                r.lbs
                    .values_mut()
                    .filter(|l| is(&l.tags))
                    .map(|l| &mut l.broken),
            );
        let mut found = false;
        for flag in flags {
            *flag = true;
            found = true;
        }
        found
    }

    /// How many live resources carry `multiregion:stack=<stack>`, per kind, over all regions.
    pub fn tagged(&self, stack: &str) -> BTreeMap<&'static str, usize> {
        let s = self.inner.lock();
        let now = Instant::now();
        let ours = |t: &Tags| owned(t, stack);
        let mut out = BTreeMap::new();
        let mut add = |kind: &'static str, n: usize| {
            if n > 0 {
                *out.entry(kind).or_default() += n;
            }
        };
        fn count<'m, V: Tagged + 'm>(
            resources: impl IntoIterator<Item = &'m V>,
            ours: impl Fn(&Tags) -> bool,
        ) -> usize {
            resources.into_iter().filter(|x| ours(x.tags())).count()
        }
        let live = |deleted_at: Option<Instant>| deleted_at.is_none_or(|d| d > now);
        for r in s.regions.values() {
            add("Vpc", count(r.vpcs.values(), ours));
            add("Subnet", count(r.subnets.values(), ours));
            add("InternetGateway", count(r.gateways.values(), ours));
            add("ElasticIp", count(r.addresses.values(), ours));
            let nats = r.nats.values().filter(|x| live(x.deleted_at));
            add("NatGateway", count(nats, ours));
            let main = |id: &String| r.vpcs.values().any(|v| v.main_table == *id);
            let (mains, tables): (Vec<_>, Vec<_>) = r
                .tables
                .iter()
                .filter(|(_, x)| ours(&x.tags))
                .partition(|(id, _)| main(id));
            add("RouteTable", tables.len());
            add("MainRouteTable", mains.len());
            add("FlowLog", count(r.flow_logs.values(), ours));
            add("LogGroup", count(r.log_groups.values(), ours));
            let (defaults, groups): (Vec<&Group>, Vec<&Group>) =
                r.groups.values().partition(|x| x.name == "default");
            add("SecurityGroup", count(groups, ours));
            add("DefaultSecurityGroup", count(defaults, ours));
            add("LoadBalancer", count(r.lbs.values(), ours));
            add("TargetGroup", count(r.tgs.values(), ours));
            add("WebAcl", count(r.acls.values(), ours));
            let clusters = r.clusters.values().filter(|x| live(x.deleted_at));
            add(
                "EksCluster",
                clusters.filter(|x| ours(&x.info.tags)).count(),
            );
            let groups = r.node_groups.values().filter(|x| live(x.deleted_at));
            add("NodeGroup", groups.filter(|x| ours(&x.info.tags)).count());
            add("LaunchTemplate", count(r.templates.values(), ours));
            add("Parameter", count(r.parameters.values(), ours));
            // A key pending deletion is gone: KMS deletes it at the end of its window.
            let keys: Vec<_> = r
                .keys
                .values()
                .filter(|k| !k.pending_deletion && ours(&k.tags))
                .collect();
            let alerts = |k: &&&keys::Key| {
                crate::kinds::tag_id(&k.tags)
                    .is_some_and(|id| crate::model::ids::is_alerts_key(&id))
            };
            add("AlertsKey", keys.iter().filter(alerts).count());
            add("SecretsKey", keys.iter().filter(|k| !alerts(k)).count());
            let certificates = r.certificates.values().filter(|c| ours(&c.tags));
            add("Certificate", certificates.count());
            let addons = r.addons.values().filter(|a| ours(&a.tags));
            add("ClusterAddon", addons.count());
            let associations = r.pod_identities.values().filter(|a| ours(&a.info.tags));
            add("PodIdentity", associations.count());
            add(
                "AlertTopic",
                r.topics.values().filter(|t| ours(&t.tags)).count(),
            );
            add(
                "MetricAlarm",
                r.alarms.values().filter(|a| ours(&a.tags)).count(),
            );
        }
        add("IamRole", count(s.roles.values(), ours));
        let peerings = s.peerings.values().filter(|p| !p.deleted);
        add(
            "VpcPeering",
            peerings.filter(|p| ours(&p.requester_tags)).count(),
        );
        out
    }
}
