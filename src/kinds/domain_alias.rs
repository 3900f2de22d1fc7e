//! The stack's domain as an alias record to the public load balancer, in the hosted zone that
//! validated its certificate. Route 53 records carry no tags: an `A` alias at the domain is the
//! stack's when it points at one of the stack's load balancers; one that points elsewhere (or
//! holds addresses) is someone else's, and is never overwritten.

use super::*;
use crate::providers::{ARecord, AliasRecord, same_dns_name};

pub const NAME: Field = Field::force_new("name");
pub const HOSTED_ZONE: Field = Field::force_new("hostedZone");
/// The load balancer it resolves to.
pub const TARGET: Field = Field::updatable("target");

pub const DEF: KindDef = KindDef {
    kind: Kind::DomainAlias,
    scope: Scope::Regional,
    tagging: Tagging::Untaggable,
    after_region: false,
    fields: &[NAME, HOSTED_ZONE, TARGET],
    desired,
    index: None,
    discovery: Discovery::InRegion(observe),
    ops: &DomainAlias,
};

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for c in &snap.certificates {
        let (Some(certificate), Some(zone)) = (tag_id(&c.tags), c.zone()) else {
            continue;
        };
        let Some(ARecord::Alias(alias)) = &c.a_record else {
            continue;
        };
        let lbs = snap.load_balancing.load_balancers.iter();
        let Some(lb) = lbs
            .filter(|l| tag_id(&l.tags).is_some())
            .find(|l| same_dns_name(&l.dns_name, &alias.target))
        else {
            continue;
        };
        let region = certificate.split('/').next().unwrap_or_default();
        let target = m.name(&lb.arn);
        let f = fields([
            (NAME, c.domain.clone()),
            (HOSTED_ZONE, zone.to_string()),
            (TARGET, target.clone()),
        ]);
        let handle = Handle::Alias {
            zone: zone.to_string(),
            record: alias.clone(),
        };
        let id = crate::model::ids::domain_alias(region);
        // Deleted before its load balancer and the certificate it is found through.
        let refs = vec![target, certificate.clone()];
        m.put(id, Kind::DomainAlias, handle, f, None, refs);
    }
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::DomainAlias {
        name,
        hosted_zone,
        load_balancer,
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([
        (NAME, name.clone()),
        (HOSTED_ZONE, hosted_zone.clone()),
        (TARGET, load_balancer.clone()),
    ])
}

struct DomainAlias;

impl DomainAlias {
    /// The record as it should be: the domain resolving as the load balancer's DNS name.
    fn wanted(cx: &Applier<'_>, r: &Resource) -> StepResult<(String, AliasRecord)> {
        let ResourceSpec::DomainAlias {
            name,
            hosted_zone,
            load_balancer,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let Handle::LoadBalancer { dns_name, zone, .. } = cx.handle(load_balancer)? else {
            return Err(not_a(r));
        };
        let record = AliasRecord {
            name: name.clone(),
            target: dns_name,
            target_zone: zone,
        };
        Ok((hosted_zone.clone(), record))
    }
}

#[async_trait]
impl Ops for DomainAlias {
    /// Refused where the name already has an `A` record that is not this one.
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let (zone, wanted) = Self::wanted(cx, r)?;
        let certificates = &cx.target(&r.region)?.clients.certificates;
        let there = retry::change(|| certificates.a_record(&zone, &wanted.name)).await?;
        match there {
            None => retry::change(|| certificates.upsert_alias(&zone, &wanted)).await?,
            Some(ARecord::Alias(a)) if same_dns_name(&a.target, &wanted.target) => {}
            Some(other) => {
                let what = match other {
                    ARecord::Alias(a) => format!("an alias to {}", a.target),
                    ARecord::Addresses(ips) => format!("the addresses {}", ips.join(", ")),
                };
                return Err(StepError::precondition(format!(
                    "{} already has an A record in hosted zone {zone} ({what}) that this stack did not write; delete it to have the tool point the name at the load balancer, or choose another `domain`",
                    wanted.name
                )));
            }
        }
        let what = format!("{} -> {}", wanted.name, wanted.target);
        Ok((
            Handle::Alias {
                zone,
                record: wanted,
            },
            what,
        ))
    }

    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, _, _) = u;
        let (zone, wanted) = Self::wanted(cx, r)?;
        let certificates = &cx.target(&r.region)?.clients.certificates;
        retry::change(|| certificates.upsert_alias(&zone, &wanted)).await?;
        cx.remember(
            &r.id,
            Handle::Alias {
                zone,
                record: wanted,
            },
        );
        Ok(())
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let Handle::Alias { zone, record } = &o.handle else {
            return Err(StepError::precondition(format!(
                "{} is no alias record",
                o.id
            )));
        };
        let certificates = &cx.target(&o.region)?.clients.certificates;
        Ok(retry::delete(|| certificates.delete_alias(zone, record)).await?)
    }
}
