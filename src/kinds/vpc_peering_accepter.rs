//! The accepter's side of a peering: part of the peering, found through it.

use super::*;
use crate::model::TAG_STACK;
use crate::providers::Tags;

pub const DEF: KindDef = KindDef {
    kind: Kind::VpcPeeringAccepter,
    scope: Scope::Regional,
    tagging: Tagging::Untaggable,
    after_region: false,
    fields: &[],
    desired: |_, _| Fields::new(),
    index: None,
    discovery: Discovery::ByRule("peering: the accepter side of an active peering"),
    ops: &VpcPeeringAccepter,
};

struct VpcPeeringAccepter;

#[async_trait]
impl Ops for VpcPeeringAccepter {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::VpcPeeringAccepter { peering } = &r.spec else {
            return Err(not_a(r));
        };
        let net = &cx.target(&r.region)?.clients.network;
        let id = cx.aws(peering)?;
        let requester = cx
            .desired
            .get(peering.as_str())
            .and_then(|p| p.region.clone());
        let requester = cx.target(&requester)?;
        // The request takes a moment to reach the accepter's region.
        // "Already accepted" (after a lost answer) is success once the peering is seen active.
        retry::checked(|| net.accept_peering(&id), || cx.exists(&r.id)).await?;
        retry::wait(|| {
            requester
                .clients
                .network
                .wait_peering_active(&id, cx.limits.peering)
        })
        .await?;
        // The accepter's copy carries its own tags; the stack tag lets this side find it.
        let own = Tags::from([(
            TAG_STACK.to_string(),
            r.tags.get(TAG_STACK).cloned().unwrap_or_default(),
        )]);
        retry::change(|| net.set_tags(&id, &own, &[])).await?;
        Ok((Handle::Peering { id: id.clone() }, format!("{id} active")))
    }

    /// It goes with the peering.
    async fn delete(&self, _: &Applier<'_>, _: &ObservedResource) -> StepResult<()> {
        Ok(())
    }
}
