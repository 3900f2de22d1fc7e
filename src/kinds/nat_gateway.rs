//! A NAT gateway in a public subnet, with its Elastic IP.

use super::*;

pub const SUBNET: Field = Field::force_new("subnet");
pub const ELASTIC_IP: Field = Field::force_new("elasticIp");

pub const DEF: KindDef = KindDef {
    kind: Kind::NatGateway,
    scope: Scope::Regional,
    tagging: Tagging::Kept(TagService::Ec2),
    fields: &[SUBNET, ELASTIC_IP],
    desired,
};

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::NatGateway { subnet, elastic_ip } = &r.spec else {
        return Fields::new();
    };
    fields([(SUBNET, subnet.clone()), (ELASTIC_IP, elastic_ip.clone())])
}
