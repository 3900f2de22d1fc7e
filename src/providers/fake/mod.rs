//! An in-memory AWS for fast, deterministic tests of discovery, diff and executor: any number of
//! regions, resources that move from pending to available over (tokio) time, dependency checks
//! on delete like AWS's, injected failures, throttling and read-after-write lag. Time is tokio's,
//! so tests under `tokio::time::pause()` run minutes of waiting in no time.

mod ec2;
mod eks;
mod elb;
mod iam;
mod logs;
mod scaling;
mod ssm;
mod waf;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::time::Instant;

use super::{ErrorKind, ProviderError, RegionClients, Result, Tags};
use crate::stats::CallStats;

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

/// One resource's life: when it was made (for lag) and when it is ready (for pending states).
#[derive(Debug, Clone)]
pub(crate) struct Life {
    created: Instant,
    ready: Instant,
}

#[derive(Debug, Clone)]
pub(crate) struct Vpc {
    pub cidr: String,
    pub dns_support: bool,
    pub dns_hostnames: bool,
    pub tags: Tags,
    pub default_group: String,
    pub main_table: String,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct Subnet {
    pub vpc: String,
    pub cidr: String,
    pub az: String,
    pub map_public_ip: bool,
    pub tags: Tags,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct Gateway {
    pub vpc: Option<String>,
    pub tags: Tags,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct Address {
    pub nat: Option<String>,
    pub tags: Tags,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct Nat {
    pub subnet: String,
    pub allocation: String,
    /// Set when deletion started; the gateway is gone once `deleted_at` passes.
    pub deleted_at: Option<Instant>,
    pub tags: Tags,
    pub life: Life,
    /// `failed` once ready (see [`FakeWorld::break_resource`]).
    pub broken: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub vpc: String,
    pub routes: BTreeMap<String, super::RouteTargetId>,
    /// Association id -> subnet.
    pub associations: BTreeMap<String, String>,
    pub tags: Tags,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub vpc: String,
    pub name: String,
    pub description: String,
    pub rules: Vec<super::RuleSpec>,
    pub tags: Tags,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct Peering {
    pub requester_region: String,
    pub requester_vpc: String,
    pub accepter_region: String,
    pub accepter_vpc: String,
    pub accepted_at: Option<Instant>,
    pub deleted: bool,
    pub requester_dns: bool,
    pub accepter_dns: bool,
    pub requester_tags: Tags,
    pub accepter_tags: Tags,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct LoadBalancer {
    pub name: String,
    pub lb_type: String,
    pub scheme: String,
    pub subnets: Vec<String>,
    pub groups: Vec<String>,
    pub tags: Tags,
    pub life: Life,
    /// `failed` once ready (see [`FakeWorld::break_resource`]).
    pub broken: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct TargetGroup {
    pub name: String,
    pub protocol: String,
    pub port: u16,
    pub vpc: String,
    pub target_type: String,
    pub health_check_path: Option<String>,
    /// Registered instance ids.
    pub targets: std::collections::BTreeSet<String>,
    pub tags: Tags,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct Listener {
    pub lb: String,
    pub protocol: String,
    pub port: u16,
    pub target_group: String,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct Acl {
    pub name: String,
    pub id: String,
    pub rules: super::WebAclRules,
    pub tags: Tags,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct Role {
    pub arn: String,
    pub path: String,
    pub service: String,
    pub policies: Vec<String>,
    /// Inline policies by name.
    pub inline: BTreeMap<String, String>,
    pub tags: Tags,
}

#[derive(Debug, Clone)]
pub(crate) struct Cluster {
    pub info: super::ClusterInfo,
    pub deleted_at: Option<Instant>,
    pub life: Life,
    /// Failed once ready, as EKS says `FAILED` (see [`FakeWorld::break_resource`]).
    pub broken: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct NodeGroup {
    pub info: super::NodeGroupInfo,
    pub deleted_at: Option<Instant>,
    pub life: Life,
    /// `CREATE_FAILED` or `DEGRADED` once ready, as when its nodes cannot join.
    pub broken: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Template {
    pub name: String,
    pub groups: Vec<String>,
    pub imdsv2_required: bool,
    pub hop_limit: u8,
    pub tags: Tags,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct FlowLog {
    pub vpc: String,
    pub log_group: String,
    pub traffic_type: String,
    pub tags: Tags,
    pub life: Life,
}

#[derive(Debug, Clone)]
pub(crate) struct LogGroup {
    pub retention_days: u32,
    pub tags: Tags,
}

/// An SSM parameter (always a String one).
#[derive(Debug, Clone)]
pub(crate) struct Parameter {
    pub value: String,
    pub tags: Tags,
}

#[derive(Debug, Clone)]
pub(crate) struct Interface {
    pub subnet: String,
    pub vpc: String,
    pub groups: Vec<String>,
    pub description: String,
}

/// One region's resources, by id or ARN.
#[derive(Debug, Default)]
pub(crate) struct Region {
    pub azs: Vec<String>,
    pub vpcs: BTreeMap<String, Vpc>,
    pub subnets: BTreeMap<String, Subnet>,
    pub gateways: BTreeMap<String, Gateway>,
    pub addresses: BTreeMap<String, Address>,
    pub nats: BTreeMap<String, Nat>,
    pub tables: BTreeMap<String, Table>,
    pub groups: BTreeMap<String, Group>,
    pub lbs: BTreeMap<String, LoadBalancer>,
    pub tgs: BTreeMap<String, TargetGroup>,
    pub listeners: BTreeMap<String, Listener>,
    pub acls: BTreeMap<String, Acl>,
    /// Resource ARN -> web ACL ARN.
    pub acl_of: BTreeMap<String, String>,
    pub clusters: BTreeMap<String, Cluster>,
    pub node_groups: BTreeMap<(String, String), NodeGroup>,
    pub access_entries: std::collections::BTreeSet<(String, String)>,
    pub templates: BTreeMap<String, Template>,
    pub interfaces: BTreeMap<String, Interface>,
    pub flow_logs: BTreeMap<String, FlowLog>,
    pub log_groups: BTreeMap<String, LogGroup>,
    /// SSM parameters by name.
    pub parameters: BTreeMap<String, Parameter>,
    /// Auto Scaling group name -> its target group ARNs.
    pub asg_targets: BTreeMap<String, std::collections::BTreeSet<String>>,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub regions: BTreeMap<String, Region>,
    /// Peerings span regions, so they live beside them.
    pub peerings: BTreeMap<String, Peering>,
    /// IAM is global.
    pub roles: BTreeMap<String, Role>,
    next_id: u64,
    /// Operation -> (kind, how many more times to fail).
    failures: HashMap<String, Vec<(ErrorKind, u32)>>,
    rng: u64,
}

/// The shared world; one [`RegionClients`] per region talks to it.
#[derive(Clone)]
pub struct FakeWorld {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    state: Mutex<State>,
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
        let ours = |t: &Tags| t.get(crate::model::TAG_STACK).map(String::as_str) == Some(stack);
        let mut out = BTreeMap::new();
        let mut add = |kind: &'static str, n: usize| {
            if n > 0 {
                *out.entry(kind).or_default() += n;
            }
        };
        for r in s.regions.values() {
            add("Vpc", r.vpcs.values().filter(|x| ours(&x.tags)).count());
            add(
                "Subnet",
                r.subnets.values().filter(|x| ours(&x.tags)).count(),
            );
            add(
                "InternetGateway",
                r.gateways.values().filter(|x| ours(&x.tags)).count(),
            );
            add(
                "ElasticIp",
                r.addresses.values().filter(|x| ours(&x.tags)).count(),
            );
            add(
                "NatGateway",
                r.nats
                    .values()
                    .filter(|x| ours(&x.tags) && x.deleted_at.is_none_or(|d| d > now))
                    .count(),
            );
            let main = |id: &String| r.vpcs.values().any(|v| v.main_table == *id);
            let (mains, tables): (Vec<_>, Vec<_>) = r
                .tables
                .iter()
                .filter(|(_, x)| ours(&x.tags))
                .partition(|(id, _)| main(id));
            add("RouteTable", tables.len());
            add("MainRouteTable", mains.len());
            add(
                "FlowLog",
                r.flow_logs.values().filter(|x| ours(&x.tags)).count(),
            );
            add(
                "LogGroup",
                r.log_groups.values().filter(|x| ours(&x.tags)).count(),
            );
            let (defaults, groups): (Vec<&Group>, Vec<&Group>) = r
                .groups
                .values()
                .filter(|x| ours(&x.tags))
                .partition(|x| x.name == "default");
            add("SecurityGroup", groups.len());
            add("DefaultSecurityGroup", defaults.len());
            add(
                "LoadBalancer",
                r.lbs.values().filter(|x| ours(&x.tags)).count(),
            );
            add(
                "TargetGroup",
                r.tgs.values().filter(|x| ours(&x.tags)).count(),
            );
            add("WebAcl", r.acls.values().filter(|x| ours(&x.tags)).count());
            add(
                "EksCluster",
                r.clusters
                    .values()
                    .filter(|x| ours(&x.info.tags) && x.deleted_at.is_none_or(|d| d > now))
                    .count(),
            );
            add(
                "NodeGroup",
                r.node_groups
                    .values()
                    .filter(|x| ours(&x.info.tags) && x.deleted_at.is_none_or(|d| d > now))
                    .count(),
            );
            add(
                "LaunchTemplate",
                r.templates.values().filter(|x| ours(&x.tags)).count(),
            );
            add(
                "Parameter",
                r.parameters.values().filter(|x| ours(&x.tags)).count(),
            );
        }
        add(
            "IamRole",
            s.roles.values().filter(|x| ours(&x.tags)).count(),
        );
        add(
            "VpcPeering",
            s.peerings
                .values()
                .filter(|p| !p.deleted && ours(&p.requester_tags))
                .count(),
        );
        out
    }
}

impl Inner {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere cannot leave the state half-written: every change is one assignment.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn behaviour(&self) -> Behaviour {
        self.behaviour.lock().map(|b| b.clone()).unwrap_or_default()
    }
}

impl FakeRegion {
    /// Every call: counted, delayed by the latency, maybe failed or throttled. Throttling is
    /// retried here up to three attempts with backoff, as the SDK's standard retry mode does
    /// for the real adapter, before the error reaches the engine.
    pub(crate) async fn call(&self, service: &str, operation: &'static str) -> Result<Op> {
        const SDK_ATTEMPTS: u32 = 3;
        self.world.stats.record(service, operation);
        let behaviour = self.world.behaviour();
        for attempt in 1..=SDK_ATTEMPTS {
            tokio::time::sleep(behaviour.latency).await;
            // The lock is held only inside this block, never across an await.
            let throttled = {
                let mut s = self.world.lock();
                if let Some(queue) = s.failures.get_mut(operation)
                    && let Some((kind, left)) = queue.first_mut()
                {
                    let kind = *kind;
                    *left -= 1;
                    if *left == 0 {
                        queue.remove(0);
                    }
                    return Err(ProviderError::new(kind, operation, "injected failure"));
                }
                // xorshift: deterministic, so a throttled test run is repeatable.
                s.rng ^= s.rng << 13;
                s.rng ^= s.rng >> 7;
                s.rng ^= s.rng << 17;
                ((s.rng % 10_000) as f64 / 10_000.0) < behaviour.throttle
            };
            if !throttled {
                return Ok(Op(operation));
            }
            if attempt < SDK_ATTEMPTS {
                tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
            }
        }
        Err(ProviderError::new(
            ErrorKind::Throttled,
            operation,
            "Rate exceeded",
        ))
    }

    /// Runs `f` on the locked state with the current lag, once this region is known to it.
    pub(crate) fn with<R>(
        &self,
        op: Op,
        f: impl FnOnce(&mut State, Duration) -> Result<R>,
    ) -> Result<R> {
        let lag = self.world.behaviour().lag;
        let mut s = self.world.lock();
        if !s.regions.contains_key(&self.region) {
            return Err(op.refused(format!("unknown region {}", self.region)));
        }
        f(&mut s, lag)
    }

    /// Runs `f` on this region's resources with the current lag.
    pub(crate) fn in_region<R>(
        &self,
        op: Op,
        f: impl FnOnce(&mut Region, Duration) -> Result<R>,
    ) -> Result<R> {
        self.with(op, |s, lag| f(self.here(s), lag))
    }

    /// This region in the state (which [`FakeRegion::with`] has checked).
    pub(crate) fn here<'s>(&self, s: &'s mut State) -> &'s mut Region {
        s.regions.get_mut(&self.region).expect("checked by `with`")
    }

    pub(crate) fn life(&self, ready_after: Duration) -> Life {
        let now = Instant::now();
        Life {
            created: now,
            ready: now + ready_after,
        }
    }

    pub(crate) fn new_id(&self, s: &mut State, prefix: &str) -> String {
        s.next_id += 1;
        format!("{prefix}-{:08x}", s.next_id)
    }

    pub(crate) fn arn(&self, s: &mut State, service: &str, kind: &str) -> String {
        s.next_id += 1;
        format!(
            "arn:aws:{service}:{}:123456789012:{kind}/{:08x}",
            self.region, s.next_id
        )
    }
}

/// Whether a resource is visible yet (read-after-write lag).
pub(crate) fn visible(life: &Life, lag: Duration) -> bool {
    Instant::now() >= life.created + lag
}

/// The operation a call plays, as [`FakeRegion::call`] answers it: what names the errors of
/// that call, so that each method names its operation once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Op(pub &'static str);

impl Op {
    pub(crate) fn error(self, kind: ErrorKind, message: impl Into<String>) -> ProviderError {
        ProviderError::new(kind, self.0, message)
    }

    pub(crate) fn not_found(self, what: &str) -> ProviderError {
        self.error(ErrorKind::NotFound, format!("{what} does not exist"))
    }

    /// Something still depends on the resource.
    pub(crate) fn in_use(self, why: impl Into<String>) -> ProviderError {
        self.error(ErrorKind::DependencyViolation, why)
    }

    pub(crate) fn exists(self, why: impl Into<String>) -> ProviderError {
        self.error(ErrorKind::AlreadyExists, why)
    }

    pub(crate) fn invalid_state(self, why: impl Into<String>) -> ProviderError {
        self.error(ErrorKind::InvalidState, why)
    }

    pub(crate) fn refused(self, why: impl Into<String>) -> ProviderError {
        self.error(ErrorKind::Other, why)
    }
}

pub(crate) fn owned(tags: &Tags, stack: &str) -> bool {
    tags.get(crate::model::TAG_STACK).map(String::as_str) == Some(stack)
}

/// Polls `ready` once a second (virtual time under test) until it says yes, at most `max`.
pub(crate) async fn poll(
    operation: &'static str,
    max: Duration,
    mut ready: impl FnMut() -> Result<bool>,
) -> Result<()> {
    let started = Instant::now();
    loop {
        if ready()? {
            return Ok(());
        }
        if started.elapsed() >= max {
            return Err(ProviderError::new(
                ErrorKind::Other,
                operation,
                format!("not ready after {}s", max.as_secs()),
            ));
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
