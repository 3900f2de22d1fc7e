//! A security group of the stack's.

use super::*;
use crate::providers::Tags;
use crate::providers::{RulePeerId, RuleSpec};

pub const VPC: Field = Field::force_new("vpc");
pub const NAME: Field = Field::force_new("name");
pub const DESCRIPTION: Field = Field::force_new("description");

pub const DEF: KindDef = KindDef {
    kind: Kind::SecurityGroup,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    after_region: false,
    fields: &[VPC, NAME, DESCRIPTION],
    desired,
    index: Some(index),
    discovery: Discovery::InRegion(observe),
    ops: &SecurityGroup,
};
/// Its AWS ids and tags, for the index that resolves references to logical ids.
fn index(snap: &Snapshot) -> Vec<(&str, &Tags)> {
    let all = snap.network.security_groups.iter();
    all.map(|g| (g.id.as_str(), &g.tags)).collect()
}

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for g in &snap.network.security_groups {
        let Some(id) = tag_id(&g.tags) else { continue };
        let vpc = m.name(&g.vpc_id);
        let f = fields([
            (VPC, vpc.clone()),
            (NAME, g.name.clone()),
            (DESCRIPTION, g.description.clone()),
        ]);
        let (handle, tags) = (Handle::Id(g.id.clone()), Some(g.tags.clone()));
        m.put(id, Kind::SecurityGroup, handle, f, tags, vec![vpc]);
    }
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::SecurityGroup {
        vpc,
        name,
        description,
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([
        (VPC, vpc.clone()),
        (NAME, name.clone()),
        (DESCRIPTION, description.clone()),
    ])
}

struct SecurityGroup;

const ANYWHERE: &str = "0.0.0.0/0";

#[async_trait]
impl Ops for SecurityGroup {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::SecurityGroup {
            vpc,
            name,
            description,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let net = &cx.target(&r.region)?.clients.network;
        let vpc = cx.aws(vpc)?;
        let id = cx
            .create_id(r, || {
                net.create_security_group(&vpc, name, description, &r.tags)
            })
            .await?;
        // AWS opens egress on every new group, untagged. Where the stack wants it, its own
        // rule step adds it back, tagged like every rule of the stack.
        let open = RuleSpec {
            egress: true,
            protocol: "-1".into(),
            from_port: None,
            to_port: None,
            peer: RulePeerId::Cidr(ANYWHERE.into()),
            description: None,
        };
        retry::delete(|| net.revoke(&id, &open)).await?;
        Ok((Handle::Id(id.clone()), id))
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let net = &cx.target(&o.region)?.clients.network;
        Ok(retry::delete(|| net.delete_security_group(o.handle.aws_id())).await?)
    }
}
