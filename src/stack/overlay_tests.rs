//! Environments: each kind of field merged, and every overlay problem placed in the overlay.

use super::read::Source;
use super::{ValidStack, parse_layers};
use crate::stack::types::NatMode;

const REFERENCE: &str = include_str!("../../stacks/two-region.yaml");
const DEV: &str = include_str!("../../stacks/envs/dev.yaml");
const PROD: &str = include_str!("../../stacks/envs/prod.yaml");

fn source(label: &str, text: &str) -> Source {
    Source {
        label: label.to_string(),
        bytes: text.as_bytes().to_vec(),
    }
}

fn merged(overlay: &str) -> Result<ValidStack, Vec<String>> {
    parse_layers(
        &source("base.yaml", REFERENCE),
        Some(&source("envs/x.yaml", overlay)),
    )
    .map_err(|ds| {
        ds.iter()
            .map(|d| {
                format!(
                    "{}:{}:{} {}: {}",
                    d.file, d.line, d.column, d.path, d.message
                )
            })
            .collect()
    })
}

#[test]
fn the_shipped_environments_are_valid_and_change_what_they_say() {
    let dev = merged(DEV).expect("dev is valid");
    assert_eq!(dev.name(), "petclinic-dev");
    for region in &dev.stack.spec.regions {
        assert_eq!(region.network.nat, NatMode::Single);
        assert!(!region.cluster.endpoint.public);
        let group = &region.cluster.node_groups[0];
        assert_eq!((group.min, group.desired, group.max), (1, 1, 3));
        assert_eq!(group.instance_types, ["t3.small"]);
    }
    let prod = merged(PROD).expect("prod is valid");
    assert_eq!(prod.name(), "petclinic-prod");
    for (region, network) in prod.stack.spec.regions.iter().zip(&prod.networks) {
        assert_eq!(region.network.azs, 3);
        assert_eq!(network.private.len(), 3);
        assert_eq!(region.cluster.node_groups[0].desired, 3);
    }
    // What the overlays leave alone is the base's.
    assert_eq!(dev.stack.spec.workloads.len(), 2);
    assert_eq!(dev.stack.spec.tags["team"], "platform");
    assert_ne!(dev.digest, prod.digest);
}

#[test]
fn maps_merge_and_scalars_replace() {
    let valid = merged("spec:\n  tags:\n    team: payments\n    owner: me\n").unwrap();
    let tags = &valid.stack.spec.tags;
    assert_eq!(tags["team"], "payments");
    assert_eq!(
        tags["cost-center"], "demo",
        "a key the overlay leaves is kept"
    );
    assert_eq!(tags["owner"], "me", "a tag map takes new keys");
}

#[test]
fn plain_lists_replace_and_named_items_merge_by_name() {
    let overlay = "spec:
  regions:
    - name: c2
      loadBalancer:
        listeners: [8080]
  workloads:
    - name: backend
      replicas: 4
    - name: worker
      region: c2
      source: ../manifests/backend
      image: ghcr.io/stefanprodan/podinfo
      tag: 6.7.1
  wafAcls:
    - name: edge
      managedRuleGroups: [AWSManagedRulesCommonRuleSet]
";
    let valid = merged(overlay).unwrap();
    let spec = &valid.stack.spec;
    assert_eq!(spec.regions[0].name, "c1", "order is the base's");
    assert_eq!(spec.regions[1].load_balancer.listeners, [8080]);
    assert_eq!(spec.regions[1].load_balancer.target_port, 30081);
    let names: Vec<&str> = spec.workloads.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["frontend", "backend", "worker"]);
    assert_eq!(spec.workloads[1].replicas, 4);
    assert_eq!(
        spec.workloads[1].tag, "6.7.1",
        "the rest of the item is the base's"
    );
    assert_eq!(spec.waf_acls[0].managed_rule_groups.len(), 1);
    assert_eq!(spec.waf_acls[0].rate_limit, 2000);
}

#[test]
fn a_misspelt_key_is_told_in_the_overlay_with_did_you_mean() {
    let overlay = "spec:\n  regions:\n    - name: c1\n      cluster:\n        verison: \"1.32\"\n";
    let problems = merged(overlay).unwrap_err();
    assert_eq!(
        problems,
        ["envs/x.yaml:5:9 spec.regions[0].cluster.verison: unknown field `verison`"]
    );
}

#[test]
fn a_field_the_base_leaves_out_is_refused_where_the_overlay_writes_it() {
    let overlay = "spec:\n  regions:\n    - name: c1\n      cluster:\n        logging: [api]\n";
    let problems = merged(overlay).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(
            "envs/x.yaml:5:9 spec.regions[0].cluster.logging: the base stack does not declare"
        ),
        "{problems:?}"
    );
}

#[test]
fn bad_values_are_placed_in_the_file_that_wrote_them() {
    // The overlay's bad value is in the overlay (a check of the node group's sizes points at
    // the size the overlay changed); a check on a base value stays in the base.
    let overlay = "spec:\n  regions:\n    - name: c1\n      network:\n        cidr: 10.1.0.0/16\n      cluster:\n        nodeGroups:\n          - name: default\n            desired: 9\n";
    let problems = merged(overlay).unwrap_err();
    assert!(
        problems.iter().any(|p| p.starts_with(
            "envs/x.yaml:9:22 spec.regions[0].cluster.nodeGroups[0]: node group sizes"
        )),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("base.yaml:25:20 spec.regions[0].network.subnets.public[0]")),
        "a subnet the base writes is told in the base: {problems:?}"
    );
}

#[test]
fn an_overlay_that_is_not_a_mapping_is_refused() {
    let problems = merged("- name: c1\n").unwrap_err();
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].starts_with("envs/x.yaml:1:1 : an overlay is a mapping"),
        "{problems:?}"
    );
}

#[test]
fn an_overlay_renames_the_stack() {
    let valid = merged("metadata:\n  name: petclinic-qa\n").unwrap();
    assert_eq!(valid.name(), "petclinic-qa");
    assert_eq!(valid.origins.files(), ["base.yaml", "envs/x.yaml"]);
}

#[test]
fn an_overlay_of_comments_only_is_the_base_as_it_is() {
    let valid = merged("# nothing differs in this environment\n").unwrap();
    assert_eq!(valid.name(), "petclinic");
    assert_eq!(valid.origins.files(), ["base.yaml", "envs/x.yaml"]);
}

#[test]
fn an_empty_list_replaces_a_list_of_named_items() {
    let valid = merged("spec:\n  workloads: []\n").unwrap();
    assert!(valid.stack.spec.workloads.is_empty());
}

#[test]
fn a_problem_all_the_base_s_stays_in_the_base_though_the_overlay_touched_its_item() {
    let base = REFERENCE.replacen("desired: 2", "desired: 1", 1);
    let overlay = "spec:\n  regions:\n    - name: c1\n      cluster:\n        nodeGroups:\n          - name: default\n            instanceTypes: [t3.large]\n";
    let problems = parse_layers(
        &source("base.yaml", &base),
        Some(&source("envs/x.yaml", overlay)),
    )
    .unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].file, "base.yaml", "{problems:?}");
    assert!(problems[0].message.contains("min <= desired <= max"));
}
