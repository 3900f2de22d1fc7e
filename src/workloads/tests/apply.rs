//! Planning and converging: server-side apply, discovery, no-op re-applies, drift repaired
//! and pruned, and a cluster that does not exist yet.

use std::time::Duration;

use serde_json::json;

use super::mock::{Cluster, Seen, mock_cluster, seen};
use super::{manifests, owner, up, work};
use crate::progress::Silent;
use crate::workloads::sync::Action;
use crate::workloads::*;

#[tokio::test(start_paused = true)]
async fn first_apply_discovers_applies_server_side_and_waits_for_rollout() {
    let cluster = Cluster::default();
    let changes = up(&cluster, manifests()).await.unwrap();
    assert_eq!(changes.len(), 7);
    assert!(changes.iter().all(|c| c.action == Action::Create));
    let seen = seen(&cluster);
    assert_eq!(seen[0].path, "/version", "reachability is checked first");
    // One discovery call per group version, however many objects use it.
    for gv in ["/api/v1", "/apis/apps/v1", "/apis/networking.k8s.io/v1"] {
        assert_eq!(seen.iter().filter(|r| r.path == gv).count(), 1, "{gv}");
    }
    let applies: Vec<&Seen> = seen
        .iter()
        .filter(|r| r.method == "PATCH" && r.is_write())
        .collect();
    assert_eq!(applies.len(), 7);
    let dry_runs = seen.iter().filter(|r| r.method == "PATCH" && !r.is_write());
    assert_eq!(dry_runs.count(), 7, "new objects are dry-run first too");
    assert_eq!(
        applies[0].path, "/api/v1/namespaces/frontend",
        "the namespace goes first"
    );
    for a in &applies {
        assert_eq!(
            a.content_type.as_deref(),
            Some("application/apply-patch+yaml")
        );
        assert!(a.query.contains("fieldManager=multiregion"), "{}", a.query);
        assert!(a.query.contains("force=true"), "{}", a.query);
        assert_eq!(
            a.body["metadata"]["labels"]["multiregion.dev/stack"],
            "petclinic"
        );
    }
    let deployment = applies
        .iter()
        .find(|a| a.path == "/apis/apps/v1/namespaces/frontend/deployments/frontend")
        .unwrap();
    assert_eq!(deployment.body["spec"]["replicas"], 2);
    assert_eq!(
        deployment.body["spec"]["template"]["spec"]["containers"][0]["image"],
        "ghcr.io/stefanprodan/podinfo:6.7.1"
    );
    // The rollout wait read the Deployment after applying it.
    let last = seen.last().unwrap();
    assert_eq!(
        (last.method.as_str(), last.path.as_str()),
        (
            "GET",
            "/apis/apps/v1/namespaces/frontend/deployments/frontend"
        )
    );
    assert_eq!(cluster.lock().unwrap().objects.len(), 7);
}

#[tokio::test(start_paused = true)]
async fn a_second_apply_with_no_change_writes_nothing() {
    let cluster = Cluster::default();
    up(&cluster, manifests()).await.unwrap();
    seen(&cluster);
    let changes = up(&cluster, manifests()).await.unwrap();
    assert!(changes.is_empty(), "{changes:?}");
    let writes: Vec<String> = seen(&cluster)
        .iter()
        .filter(|r| r.is_write())
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
}

#[tokio::test(start_paused = true)]
async fn drift_is_planned_field_by_field_and_repaired() {
    let cluster = Cluster::default();
    up(&cluster, manifests()).await.unwrap();
    seen(&cluster);
    {
        let mut s = cluster.lock().unwrap();
        let key = "apps/v1/deployments/frontend/frontend";
        let deployment = s.objects.get_mut(key).unwrap();
        // The autoscaler scaled out: not drift. Someone changed the image: drift.
        deployment["spec"]["replicas"] = json!(5);
        deployment["spec"]["template"]["spec"]["containers"][0]["image"] = json!("podinfo:evil");
        s.objects.remove("v1/services/frontend/frontend");
        s.objects.insert(
            "v1/configmaps/frontend/old-settings".into(),
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "old-settings", "namespace": "frontend",
                    "labels": {"multiregion.dev/stack": "petclinic", "multiregion.dev/region": "c1"}}}),
        );
        s.objects.insert(
            "v1/configmaps/frontend/someone-elses".into(),
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "someone-elses", "namespace": "frontend"}}),
        );
    }
    let api = mock_cluster(cluster.clone());
    let planned = plan(&work(api, manifests())).await.unwrap();
    let summary: Vec<(Action, &str, Vec<String>)> = planned
        .iter()
        .map(|c| (c.action, c.object.as_str(), c.fields.clone()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                Action::Update,
                "Deployment frontend/frontend",
                vec!["spec.template.spec.containers[0].image".to_string()]
            ),
            (Action::Create, "Service frontend/frontend", vec![]),
            (Action::Delete, "ConfigMap frontend/old-settings", vec![]),
        ]
    );
    let writes: Vec<String> = seen(&cluster)
        .iter()
        .filter(|r| r.is_write())
        .map(|r| format!("{} {}?{}", r.method, r.path, r.query))
        .collect();
    assert!(writes.is_empty(), "plan only reads: {writes:?}");

    up(&cluster, manifests()).await.unwrap();
    let s = cluster.lock().unwrap();
    assert_eq!(
        s.objects["apps/v1/deployments/frontend/frontend"]["spec"]["replicas"], 5,
        "an apply made for another reason leaves the autoscaler its replicas"
    );
    assert!(s.objects.contains_key("v1/services/frontend/frontend"));
    assert!(
        !s.objects
            .contains_key("v1/configmaps/frontend/old-settings"),
        "pruned"
    );
    assert!(
        s.objects
            .contains_key("v1/configmaps/frontend/someone-elses"),
        "not ours: kept"
    );
}

#[tokio::test(start_paused = true)]
async fn a_cluster_that_does_not_exist_yet_plans_every_object_as_new() {
    let work = vec![ClusterWork {
        cluster: "petclinic-c2".into(),
        owner: owner(),
        api: None,
        manifests: manifests(),
    }];
    let planned = plan(&work).await.unwrap();
    assert_eq!(planned.len(), 7);
    assert!(
        planned
            .iter()
            .all(|c| c.action == Action::Create && c.cluster == "petclinic-c2")
    );
    let converged = converge(&work, Duration::from_secs(1), &Silent).await;
    let error = converged[0].as_ref().unwrap_err().to_string();
    assert!(
        error.contains("petclinic-c2: the cluster is not ACTIVE"),
        "{error}"
    );
}
