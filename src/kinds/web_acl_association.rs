//! A web ACL on an application load balancer, known by the load balancer.

use super::*;

pub const WEB_ACL: Field = Field::updatable("webAcl");
pub const LOAD_BALANCER: Field = Field::force_new("loadBalancer");

pub const DEF: KindDef = KindDef {
    kind: Kind::WebAclAssociation,
    scope: Scope::Regional,
    tagging: Tagging::Untaggable,
    after_region: false,
    fields: &[WEB_ACL, LOAD_BALANCER],
    desired,
    index: None,
    discovery: Discovery::ByRule("matching: an association by its load balancer"),
    ops: &WebAclAssociation,
};

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::WebAclAssociation {
        web_acl,
        load_balancer,
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([
        (WEB_ACL, web_acl.clone()),
        (LOAD_BALANCER, load_balancer.clone()),
    ])
}

struct WebAclAssociation;

impl WebAclAssociation {
    /// A new load balancer takes a while before WAF accepts it: the change policy waits.
    async fn associate(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<String> {
        let ResourceSpec::WebAclAssociation {
            web_acl,
            load_balancer,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let waf = &cx.target(&r.region)?.clients.waf;
        let (acl, lb) = (cx.aws(web_acl)?, cx.aws(load_balancer)?);
        retry::change(|| waf.associate(&acl, &lb)).await?;
        Ok(lb)
    }
}

#[async_trait]
impl Ops for WebAclAssociation {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let resource_arn = self.associate(cx, r).await?;
        Ok((Handle::WebAclAssociation { resource_arn }, String::new()))
    }

    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, changed, _) = u;
        if changed != [WEB_ACL.name] {
            return Err(cannot_change(r, &changed.join(", ")));
        }
        self.associate(cx, r).await.map(|_| ())
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let waf = &cx.target(&o.region)?.clients.waf;
        Ok(retry::delete(|| waf.disassociate(o.handle.aws_id())).await?)
    }
}
