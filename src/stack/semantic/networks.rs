//! Networks: VPC and subnet CIDR blocks (parsing, containment, overlap) and the peering between
//! the two regions.

use ipnet::Ipv4Net;

use super::{Checker, ResolvedNetwork};
use crate::quote::quoted;
use crate::stack::diagnostic::{Finding, Kind};
use crate::stack::network::{self, SMALLEST_SUBNET_PREFIX};
use crate::stack::suggest::did_you_mean;
use crate::stack::types::*;

impl Checker {
    /// Parses every block and checks containment and overlap; returns what resolved cleanly.
    pub(super) fn networks(&mut self, regions: &[RegionSpec]) -> Vec<Option<ResolvedNetwork>> {
        let mut resolved = Vec::with_capacity(regions.len());
        let mut vpcs: Vec<(usize, Ipv4Net)> = Vec::new();
        for (i, region) in regions.iter().enumerate() {
            let path = format!("spec.regions[{i}].network");
            let Some(vpc) = self.block(&region.network.cidr, &format!("{path}.cidr")) else {
                resolved.push(None);
                continue;
            };
            if !(16..=SMALLEST_SUBNET_PREFIX).contains(&vpc.prefix_len()) {
                self.push(Finding::new(
                    format!("{path}.cidr"),
                    format!("a VPC block is /16 to /28, found /{}", vpc.prefix_len()),
                ));
                resolved.push(None);
                continue;
            }
            for &(j, other) in &vpcs {
                if network::overlaps(vpc, other) {
                    self.push(
                        Finding::new(
                            format!("{path}.cidr"),
                            format!("{vpc} overlaps {other} of spec.regions[{j}]; VPC peering needs disjoint blocks"),
                        )
                        .hint("give each region its own block, for example 10.0.0.0/16 and 10.1.0.0/16")
                        .kind(Kind::Overlap),
                    );
                }
            }
            vpcs.push((i, vpc));
            resolved.push(self.subnets(region, vpc, &path));
        }
        resolved
    }

    pub(super) fn block(&mut self, text: &str, path: &str) -> Option<Ipv4Net> {
        match network::parse_block(text) {
            Ok(net) => Some(net),
            Err((message, hint)) => {
                self.push(Finding::new(path, message).maybe_hint(hint));
                None
            }
        }
    }

    fn subnets(
        &mut self,
        region: &RegionSpec,
        vpc: Ipv4Net,
        path: &str,
    ) -> Option<ResolvedNetwork> {
        let azs = region.network.azs;
        let Some(given) = &region.network.subnets else {
            let Some((public, private)) = network::derive_subnets(vpc, azs) else {
                self.push(
                    Finding::new(
                        format!("{path}.cidr"),
                        format!("cannot derive {azs} public and {azs} private subnets from {vpc}"),
                    )
                    .hint("use a VPC block of /24 or larger, or list `subnets` explicitly"),
                );
                return None;
            };
            return Some(ResolvedNetwork {
                vpc,
                public,
                private,
            });
        };
        let mut all: Vec<(String, Ipv4Net)> = Vec::new();
        let mut tiers: Vec<Vec<Ipv4Net>> = Vec::new();
        let mut complete = true;
        for (tier, blocks) in [("public", &given.public), ("private", &given.private)] {
            let tier_path = format!("{path}.subnets.{tier}");
            if blocks.len() != usize::from(azs) {
                self.push(Finding::new(
                    &tier_path,
                    format!(
                        "{} {tier} subnets given for {azs} availability zones; give one per AZ",
                        blocks.len()
                    ),
                ));
                complete = false;
            }
            let mut parsed = Vec::new();
            for (k, text) in blocks.iter().enumerate() {
                let item = format!("{tier_path}[{k}]");
                let Some(net) = self.block(text, &item) else {
                    complete = false;
                    continue;
                };
                if !vpc.contains(&net) {
                    self.push(Finding::new(
                        &item,
                        format!("{net} is outside the VPC block {vpc}"),
                    ));
                    complete = false;
                } else if net.prefix_len() > SMALLEST_SUBNET_PREFIX {
                    self.push(Finding::new(
                        &item,
                        format!("{net} is smaller than AWS's smallest subnet, a /28"),
                    ));
                    complete = false;
                }
                if let Some((other_path, other)) =
                    all.iter().find(|(_, o)| network::overlaps(net, *o))
                {
                    self.push(
                        Finding::new(&item, format!("{net} overlaps {other} at {other_path}"))
                            .kind(Kind::Overlap),
                    );
                    complete = false;
                }
                all.push((item, net));
                parsed.push(net);
            }
            tiers.push(parsed);
        }
        let private = tiers.pop()?;
        let public = tiers.pop()?;
        complete.then_some(ResolvedNetwork {
            vpc,
            public,
            private,
        })
    }

    pub(super) fn peering(&mut self, peering: &PeeringSpec, regions: &[&str]) {
        let ends = [
            (
                "spec.peering.requester",
                &peering.requester,
                &peering.accepter,
            ),
            (
                "spec.peering.accepter",
                &peering.accepter,
                &peering.requester,
            ),
        ];
        for (path, end, other_end) in ends {
            if let Some(name) = end
                && !regions.contains(&name.as_str())
            {
                // The other end is taken, so it is never the likely meaning.
                let candidates = regions
                    .iter()
                    .copied()
                    .filter(|r| Some(*r) != other_end.as_deref());
                self.push(
                    Finding::new(path, format!("no region named {}", quoted(name))).maybe_hint(
                        did_you_mean(name, candidates)
                            .or_else(|| Some(format!("regions: {}", regions.join(", ")))),
                    ),
                );
            }
        }
        if let (Some(a), Some(b)) = (&peering.requester, &peering.accepter)
            && a == b
        {
            self.push(Finding::new(
                "spec.peering",
                format!("{} cannot peer with itself", quoted(a)),
            ));
        }
    }
}
