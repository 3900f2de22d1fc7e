//! A node group's link to a target group: its Auto Scaling groups attached to it, or where it
//! has none, its instances registered with it.

use super::*;

/// Nodes come and go; what matters is that none is left out.
pub const UNREGISTERED: Field = Field::updatable("unregistered");

pub const DEF: KindDef = KindDef {
    kind: Kind::TargetGroupAttachment,
    scope: Scope::Regional,
    tagging: Tagging::Untaggable,
    after_region: false,
    fields: &[UNREGISTERED],
    desired: |_, _| fields([(UNREGISTERED, String::new())]),
    index: None,
    discovery: Discovery::ByRule("matching: a node group's link to its target group"),
    ops: &TargetGroupAttachment,
};

struct TargetGroupAttachment;

impl TargetGroupAttachment {
    /// Its Auto Scaling groups are attached to the target group, so every node, now and
    /// later, is a target. A node group without Auto Scaling groups (an emulator's) has its
    /// current instances registered instead; `plan` then shows nodes that come later as
    /// unregistered, and the next `up` registers them.
    async fn register(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::TargetGroupAttachment {
            target_group,
            node_group,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let clients = &cx.target(&r.region)?.clients;
        let arn = cx.aws(target_group)?;
        let Handle::NodeGroup { cluster, name, .. } = cx.handle(node_group)? else {
            return Err(StepError::precondition(format!(
                "{node_group} is not a node group"
            )));
        };
        let asgs: Vec<String> = retry::change(|| clients.scaling.node_group_asgs(&cluster))
            .await?
            .into_iter()
            .filter(|a| a.node_group == name)
            .map(|a| a.name)
            .collect();
        if !asgs.is_empty() {
            for asg in &asgs {
                retry::change(|| clients.scaling.attach_target_group(asg, &arn)).await?;
            }
            let said = format!("Auto Scaling group(s) {} of {name}", asgs.join(", "));
            let handle = Handle::Targets {
                target_group: arn,
                asgs,
                instances: Vec::new(),
            };
            return Ok((handle, said));
        }
        let port = match cx.desired.get(target_group.as_str()).map(|r| &r.spec) {
            Some(ResourceSpec::TargetGroup { port, .. }) => *port,
            _ => {
                return Err(StepError::precondition(format!(
                    "{target_group} is not a target group of the stack"
                )));
            }
        };
        let nodes: Vec<String> = retry::change(|| clients.network.node_instances(&cluster))
            .await?
            .into_iter()
            .filter(|i| i.node_group == name)
            .map(|i| i.id)
            .collect();
        if !nodes.is_empty() {
            let lbs = &clients.load_balancing;
            retry::change(|| lbs.register_targets(&arn, &nodes, port)).await?;
        }
        let said = format!(
            "{} node(s) of {name} registered on port {port} ({name} has no Auto Scaling group)",
            nodes.len()
        );
        let handle = Handle::Targets {
            target_group: arn,
            asgs: Vec::new(),
            instances: nodes,
        };
        Ok((handle, said))
    }
}

#[async_trait]
impl Ops for TargetGroupAttachment {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        self.register(cx, r).await
    }

    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, changed, _) = u;
        if changed != [UNREGISTERED.name] {
            return Err(cannot_change(r, &changed.join(", ")));
        }
        self.register(cx, r).await.map(|_| ())
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let Handle::Targets {
            target_group,
            asgs,
            instances,
        } = &o.handle
        else {
            return Err(StepError::precondition("not a target group attachment"));
        };
        let clients = &cx.target(&o.region)?.clients;
        for asg in asgs {
            retry::delete(|| clients.scaling.detach_target_group(asg, target_group)).await?;
        }
        if !instances.is_empty() {
            let lbs = &clients.load_balancing;
            retry::delete(|| lbs.deregister_targets(target_group, instances)).await?;
        }
        Ok(())
    }
}
