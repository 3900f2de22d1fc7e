//! A web ACL on an application load balancer, known by the load balancer.

use super::*;

pub const WEB_ACL: Field = Field::updatable("webAcl");
pub const LOAD_BALANCER: Field = Field::force_new("loadBalancer");

pub const DEF: KindDef = KindDef {
    kind: Kind::WebAclAssociation,
    scope: Scope::Regional,
    tagging: Tagging::Untaggable,
    fields: &[WEB_ACL, LOAD_BALANCER],
    desired,
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
