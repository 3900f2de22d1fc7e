//! DNS resolution of the remote VPC's private names, one side of a peering.

use super::*;
use crate::model::PeeringSide;
use crate::providers::PeeringSideRef;

pub const REMOTE_DNS: Field = Field::updatable("remoteDnsResolution");

pub const DEF: KindDef = KindDef {
    kind: Kind::VpcPeeringDns,
    scope: Scope::Regional,
    tagging: Tagging::Untaggable,
    after_region: false,
    fields: &[REMOTE_DNS],
    desired: |_, _| fields([(REMOTE_DNS, "true".to_string())]),
    index: None,
    discovery: Discovery::ByRule("peering: each side's DNS option of an active peering"),
    ops: &VpcPeeringDns,
};

struct VpcPeeringDns;

impl VpcPeeringDns {
    async fn resolve_remote(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<String> {
        let ResourceSpec::VpcPeeringDns { peering, side } = &r.spec else {
            return Err(not_a(r));
        };
        let net = &cx.target(&r.region)?.clients.network;
        let id = cx.aws(peering)?;
        let side = match side {
            PeeringSide::Requester => PeeringSideRef::Requester,
            PeeringSide::Accepter => PeeringSideRef::Accepter,
        };
        retry::change(|| net.set_peering_dns(&id, side, true)).await?;
        Ok(id)
    }
}

#[async_trait]
impl Ops for VpcPeeringDns {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let id = self.resolve_remote(cx, r).await?;
        let what = "remote DNS resolution on".to_string();
        Ok((Handle::Peering { id }, what))
    }

    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, changed, _) = u;
        if changed != [REMOTE_DNS.name] {
            return Err(cannot_change(r, &changed.join(", ")));
        }
        self.resolve_remote(cx, r).await.map(|_| ())
    }

    /// It goes with the peering.
    async fn delete(&self, _: &Applier<'_>, _: &ObservedResource) -> StepResult<()> {
        Ok(())
    }
}
