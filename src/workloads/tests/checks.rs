//! Offline checks of rendered manifests: placeholders, strict schema, scope and duplicates.

use std::collections::BTreeMap;

use super::{STACK, reference};
use crate::workloads::render;
use crate::workloads::*;

#[test]
fn placeholders_are_filled_and_unknown_ones_are_errors_with_their_place() {
    let values = BTreeMap::from([("replicas", "3".to_string())]);
    assert_eq!(
        render::substitute("a: ${replicas}\nb: $${literal}\nc: $5", &values).unwrap(),
        "a: 3\nb: ${literal}\nc: $5"
    );
    let (pos, message, hint) = render::substitute("a: 1\n  b: ${replica}", &values).unwrap_err();
    assert_eq!((pos.line, pos.column), (2, 6));
    assert_eq!(message, "unknown placeholder `${replica}`");
    assert_eq!(hint.as_deref(), Some("did you mean `replicas`?"));
    let (pos, message, _) = render::substitute("x: ${replicas\n}", &values).unwrap_err();
    assert_eq!(
        (pos.line, message.as_str()),
        (1, "`${` without its closing `}`")
    );
}

fn problems_in(text: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.yaml"), text).unwrap();
    let mut workload = reference().stack.spec.workloads[0].clone();
    workload.source = ".".into();
    let files = crate::workloads::source::manifest_files(dir.path(), &workload).unwrap();
    let manifests = match render::render(STACK, &workload, &files, &BTreeMap::new()) {
        Ok(m) => m,
        Err(problems) => return problems.iter().map(|p| strip(p, dir.path())).collect(),
    };
    strict::check_all(&manifests)
        .iter()
        .chain(&duplicates(&manifests))
        .map(|p| strip(p, dir.path()))
        .collect()
}

fn strip(p: &crate::stack::diagnostic::Diagnostic, dir: &std::path::Path) -> String {
    p.to_string().replace(&format!("{}/", dir.display()), "")
}

#[test]
fn a_misspelt_field_is_an_error_with_file_document_and_path() {
    let text = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n          imagePullPolcy: Always\n";
    assert_eq!(
        problems_in(text),
        vec![
            "app.yaml:17:11: spec.template.spec.containers[0].imagePullPolcy: document 2 (Deployment web): unknown field `imagePullPolcy`\n  hint: check its spelling and where it sits against the Kubernetes API reference"
        ]
    );
}

#[test]
fn wrong_types_missing_names_unknown_kinds_and_duplicates_are_errors() {
    let wrong_type = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: two\n  selector: {}\n  template: {}\n";
    let found = problems_in(wrong_type);
    assert_eq!(found.len(), 1);
    assert!(found[0].starts_with("app.yaml:5:13: spec.replicas: document 1 (Deployment web): invalid type: string \"two\""), "{}", found[0]);

    let no_name = "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n";
    assert_eq!(
        problems_in(no_name),
        vec!["app.yaml:3:11: metadata.name: document 1: `metadata.name` is required"]
    );

    let unknown = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n";
    assert!(
        problems_in(unknown)[0]
            .contains("`example.com/v1` `Widget` is not a kind that can be checked offline")
    );

    let with_crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions: [{name: v1, served: true, storage: true}]\n---\n" .to_string() + unknown;
    assert_eq!(problems_in(&with_crd), Vec::<String>::new());

    let twice = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
    assert_eq!(
        problems_in(twice),
        vec!["app.yaml:5:1: document 2: ConfigMap a is already defined in app.yaml document 1"]
    );
}

#[test]
fn a_namespace_on_a_cluster_scoped_object_is_an_error() {
    let role = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader, namespace: shop}\nrules: []\n";
    assert_eq!(
        problems_in(role),
        vec![
            "app.yaml:3:37: metadata.namespace: document 1 (ClusterRole shop/reader): a ClusterRole is cluster-scoped and cannot be in namespace `shop`\n  hint: remove `metadata.namespace`"
        ]
    );
    let custom = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: gadgets.example.com}\nspec:\n  group: example.com\n  names: {kind: Gadget, plural: gadgets}\n  scope: Cluster\n  versions: [{name: v1, served: true, storage: true}]\n---\napiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g, namespace: shop}\n";
    let found = problems_in(custom);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("a Gadget is cluster-scoped"),
        "{}",
        found[0]
    );
}
