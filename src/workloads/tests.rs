//! Workload tests. This file holds the fixtures the tests share and the rendering tests, whose
//! insta snapshots are named after this module (`snapshots/multiregion__workloads__tests__*`);
//! the fake API server is in `mock`, the other tests by subject in the modules below.

mod apply;
mod checks;
mod failures;
mod mock;
mod removal;

use std::collections::BTreeMap;
use std::time::Duration;

use super::connect::ClusterApi;
use super::render::{self, Manifest, Outputs};
use super::*;
use crate::progress::Silent;
use mock::{Cluster, mock_cluster};

const STACK: &str = "petclinic";

fn manifests() -> Vec<Manifest> {
    let text = std::fs::read_to_string("manifests/frontend/app.yaml").unwrap();
    let workload = crate::stack::load(std::path::Path::new("stacks/two-region.yaml"))
        .unwrap()
        .stack
        .spec
        .workloads[0]
        .clone();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.yaml"), text).unwrap();
    let mut workload = workload;
    workload.source = ".".into();
    let values = BTreeMap::from([
        ("workload", "frontend".to_string()),
        ("image", "ghcr.io/stefanprodan/podinfo:6.7.1".to_string()),
        ("replicas", "2".to_string()),
        ("minReplicas", "2".to_string()),
        ("maxReplicas", "10".to_string()),
        ("cpuPercent", "70".to_string()),
        ("nodePort", "30080".to_string()),
        ("vpcCidr", "10.0.0.0/16".to_string()),
        ("peerCidr", "10.1.0.0/16".to_string()),
        ("backendUrl", "http://backend.example:80".to_string()),
        ("backendPort", "80".to_string()),
    ]);
    let files = super::source::manifest_files(dir.path(), &workload).unwrap();
    render::render(STACK, &workload, &files, &values).unwrap()
}

fn owner() -> sync::Owner {
    sync::Owner {
        stack: STACK.into(),
        region: "c1".into(),
    }
}

fn work(api: ClusterApi, manifests: Vec<Manifest>) -> Vec<ClusterWork> {
    vec![ClusterWork {
        cluster: api.cluster.clone(),
        owner: owner(),
        api: Some(api),
        manifests,
    }]
}

async fn up(
    cluster: &Cluster,
    manifests: Vec<Manifest>,
) -> Result<Vec<sync::WorkloadChange>, WorkloadError> {
    let work = work(mock_cluster(cluster.clone()), manifests);
    converge(&work, Duration::from_secs(120), &Silent)
        .await
        .remove(0)
}

// ---- rendering ------------------------------------------------------------------------------

fn reference() -> crate::stack::ValidStack {
    crate::stack::load(std::path::Path::new("stacks/two-region.yaml")).unwrap()
}

fn outputs() -> Outputs {
    Outputs {
        backend_dns: Some("petclinic-c2-lb-0123456789.elb.us-west-2.amazonaws.com".into()),
    }
}

#[test]
fn the_reference_manifests_render_for_both_clusters() {
    let stack = reference();
    let per_region = prepare(
        &stack,
        std::path::Path::new("stacks/two-region.yaml"),
        &outputs(),
    )
    .unwrap();
    for (region, manifests) in stack.stack.spec.regions.iter().zip(per_region) {
        let documents: Vec<String> = manifests
            .iter()
            .map(|m| crate::yaml::to_yaml(&m.object))
            .collect();
        insta::assert_snapshot!(format!("rendered_{}", region.name), documents.join("---\n"));
    }
}

#[test]
fn the_backend_url_is_the_backend_load_balancer_never_a_cluster_local_name() {
    let stack = reference();
    let per_region = prepare(
        &stack,
        std::path::Path::new("stacks/two-region.yaml"),
        &outputs(),
    )
    .unwrap();
    let frontend = per_region[0]
        .iter()
        .find(|m| m.kind() == "Deployment")
        .unwrap();
    let args = frontend.object["spec"]["template"]["spec"]["containers"][0]["args"].to_string();
    assert!(
        args.contains(
            "--backend-url=http://petclinic-c2-lb-0123456789.elb.us-west-2.amazonaws.com:80/echo"
        ),
        "{args}"
    );
    assert!(!args.contains("cluster.local"));
    let backend = &per_region[1];
    assert!(
        backend
            .iter()
            .all(|m| m.object["spec"]["type"] != "LoadBalancer")
    );
}

#[test]
fn an_image_pinned_by_digest_renders_with_its_tag_before_the_digest() {
    let digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let text = include_str!("../../stacks/two-region.yaml").replacen(
        "image: ghcr.io/stefanprodan/podinfo",
        &format!("image: ghcr.io/stefanprodan/podinfo@{digest}"),
        1,
    );
    let stack = crate::stack::parse("s.yaml", text.as_bytes()).unwrap();
    let values = render::values(&stack, &stack.stack.spec.workloads[0], &outputs());
    let image = &values["image"];
    assert_eq!(
        image,
        &format!("ghcr.io/stefanprodan/podinfo:6.7.1@{digest}")
    );
    assert!(crate::stack::image::parse(image).is_ok());
}

/// `prepare`'s problems for the reference stack with the frontend's `source` made `source`.
fn source_problems(source: &str) -> Vec<String> {
    let text = include_str!("../../stacks/two-region.yaml").replacen(
        "source: ../manifests/frontend",
        &format!("source: \"{source}\""),
        1,
    );
    let stack = crate::stack::parse("stacks/two-region.yaml", text.as_bytes()).unwrap();
    let problems = prepare(
        &stack,
        std::path::Path::new("stacks/two-region.yaml"),
        &outputs(),
    );
    problems
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_source_that_is_no_folder_of_manifests_is_told_at_the_source_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.yaml");
    std::fs::write(&file, "a: 1\n").unwrap();
    let line = 1 + include_str!("../../stacks/two-region.yaml")
        .lines()
        .position(|l| l.trim_start().starts_with("source: ../manifests/frontend"))
        .unwrap();
    let at = format!("stacks/two-region.yaml:{line}:15: spec.workloads[0].source:");
    assert_eq!(
        source_problems(&file.display().to_string()),
        [format!(
            "{at} `{}` is a file, not a folder of manifests\n  hint: `source` is a folder of *.yaml manifests, relative to the stack file",
            file.display()
        )]
    );
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert_eq!(
        source_problems(&empty.display().to_string()),
        [format!(
            "{at} `{}` holds no *.yaml or *.yml file\n  hint: only *.yaml and *.yml files in the folder itself are read",
            empty.display()
        )]
    );
    assert_eq!(
        source_problems("../no/such/folder"),
        [format!(
            "{at} there is no folder `no/such/folder`\n  hint: `source` is a folder of *.yaml manifests, relative to the stack file"
        )]
    );
    let many = dir.path().join("many");
    std::fs::create_dir(&many).unwrap();
    for i in 0..=super::source::MAX_FILES {
        std::fs::write(many.join(format!("{i:03}.yaml")), "").unwrap();
    }
    assert_eq!(
        source_problems(&many.display().to_string()),
        [format!(
            "{at} `{}` holds more than 100 *.yaml and *.yml files\n  hint: split the workload, or point `source` at the right folder",
            many.display()
        )]
    );
}

#[test]
fn a_flood_of_broken_manifests_is_capped() {
    let dir = tempfile::tempdir().unwrap();
    let documents: Vec<String> = (0..500)
        .map(|i| format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}, namespace: frontend}}\ndata: {{a: b}}\nbogus{i}: 1\n"))
        .collect();
    std::fs::write(dir.path().join("app.yaml"), documents.join("---\n")).unwrap();
    let problems = source_problems(&dir.path().display().to_string());
    assert_eq!(problems.len(), crate::stack::diagnostic::PER_KIND + 1);
    assert!(
        problems[0].contains("unknown field `bogus0`"),
        "{problems:#?}"
    );
    assert!(
        problems[20].ends_with("app.yaml:125:1: … and 480 more unknown fields"),
        "{problems:#?}"
    );
}
