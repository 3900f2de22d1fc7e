//! Removing a stack's objects: load balancers first, only this owner's, namespaces last.

use serde_json::json;

use super::mock::{Cluster, mock_cluster, seen};
use super::{STACK, manifests, owner, up};
use crate::progress::Silent;
use crate::workloads::*;

#[tokio::test(start_paused = true)]
async fn removal_takes_load_balancers_first_then_the_stacks_objects() {
    let cluster = Cluster::default();
    up(&cluster, manifests()).await.unwrap();
    let ours = json!({"multiregion.dev/stack": STACK, "multiregion.dev/region": "c1"});
    {
        let mut s = cluster.lock().unwrap();
        s.objects.insert(
            "v1/services/shop/public".into(),
            json!({"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "public", "namespace": "shop", "labels": ours},
                "spec": {"type": "LoadBalancer"}}),
        );
        s.objects.insert(
            "networking.k8s.io/v1/ingresses/shop/web".into(),
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                "metadata": {"name": "web", "namespace": "shop", "labels": ours}, "spec": {}}),
        );
        // Someone else's load balancer, and the stack's other region's objects (one local
        // cluster for both regions): not this owner's to delete.
        s.objects.insert(
            "v1/services/shop/theirs".into(),
            json!({"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "theirs", "namespace": "shop"},
                "spec": {"type": "LoadBalancer"}}),
        );
        s.objects.insert(
            "v1/configmaps/backend/settings".into(),
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "settings", "namespace": "backend",
                    "labels": {"multiregion.dev/stack": STACK, "multiregion.dev/region": "c2"}}}),
        );
    }
    seen(&cluster);
    let api = mock_cluster(cluster.clone());
    let removed = remove(&api, &owner(), &Silent).await.unwrap();
    assert_eq!(removed, 9);
    let deletes: Vec<String> = seen(&cluster)
        .iter()
        .filter(|r| r.method == "DELETE")
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(deletes[0], "/api/v1/namespaces/shop/services/public");
    assert_eq!(
        deletes[1],
        "/apis/networking.k8s.io/v1/namespaces/shop/ingresses/web"
    );
    assert_eq!(
        deletes.last().unwrap(),
        "/api/v1/namespaces/frontend",
        "namespaces last"
    );
    let left: Vec<String> = cluster.lock().unwrap().objects.keys().cloned().collect();
    assert_eq!(
        left,
        ["v1/configmaps/backend/settings", "v1/services/shop/theirs"]
    );
    // Nothing left: a second removal deletes nothing and succeeds.
    assert_eq!(remove(&api, &owner(), &Silent).await.unwrap(), 0);
}
