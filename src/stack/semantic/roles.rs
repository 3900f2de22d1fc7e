//! The two regions: one frontend and one backend, with unique names, in AWS regions this tool
//! knows, each with enough availability zones.

use super::{Checker, is_dns_label};
use crate::quote::quoted;
use crate::stack::diagnostic::Finding;
use crate::stack::limits;
use crate::stack::regions;
use crate::stack::suggest::did_you_mean;
use crate::stack::types::*;

impl Checker {
    pub(super) fn regions(&mut self, regions: &[RegionSpec]) {
        if regions.len() != 2 {
            self.push(
                Finding::new(
                    "spec.regions",
                    format!("a stack has exactly two regions, found {}", regions.len()),
                )
                .hint("one with `role: frontend` and one with `role: backend`"),
            );
        }
        for role in [Role::Frontend, Role::Backend] {
            let with_role: Vec<usize> = (0..regions.len())
                .filter(|&i| regions[i].role == role)
                .collect();
            match with_role.as_slice() {
                [_] => {}
                [] if !regions.is_empty() => self.push(Finding::new(
                    "spec.regions",
                    format!("no region has `role: {}`; exactly one must", role.as_str()),
                )),
                [] => {}
                [_, more @ ..] => {
                    for &i in more {
                        self.push(Finding::new(
                            format!("spec.regions[{i}].role"),
                            format!(
                                "role `{}` is already taken; exactly one region has each role",
                                role.as_str()
                            ),
                        ));
                    }
                }
            }
        }
        self.unique(
            regions.iter().map(|r| r.name.as_str()),
            |i| format!("spec.regions[{i}].name"),
            "region name",
        );
        self.unique(
            regions.iter().map(|r| r.region.as_str()),
            |i| format!("spec.regions[{i}].region"),
            "AWS region",
        );
        for (i, region) in regions.iter().enumerate() {
            if !is_dns_label(&region.name, limits::REGION_NAME) {
                self.push(
                    Finding::new(format!("spec.regions[{i}].name"), format!("{} is not a valid region name", quoted(&region.name)))
                        .hint("use 1-8 lowercase letters, digits and hyphens, starting with a letter (for example `c1`)"),
                );
            }
            let path = format!("spec.regions[{i}].region");
            match regions::az_count(&region.region) {
                None => self.push(
                    Finding::new(
                        &path,
                        format!(
                            "{} is not an AWS region this tool knows",
                            quoted(&region.region)
                        ),
                    )
                    .maybe_hint(did_you_mean(&region.region, regions::names())),
                ),
                Some(available) if region.network.azs > available => self.push(Finding::new(
                    format!("spec.regions[{i}].network.azs"),
                    format!(
                        "{} has {available} availability zones, the stack asks for {}",
                        region.region, region.network.azs
                    ),
                )),
                Some(_) => {}
            }
            if region.network.azs < 2 {
                self.push(Finding::new(
                    format!("spec.regions[{i}].network.azs"),
                    format!(
                        "EKS needs subnets in at least 2 availability zones, found {}",
                        region.network.azs
                    ),
                ));
            }
        }
    }
}
