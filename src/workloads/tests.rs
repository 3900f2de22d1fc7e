//! The apply logic against a mock API server (`tower-test`): a small in-memory cluster that
//! serves discovery, get, list, server-side apply (dry run too), delete and a Deployment's
//! status, records every request, and can be told to answer 409 or to crash pods.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::{Request, Response};
use kube::client::Body;
use serde_json::{Value as Json, json};

use super::connect::{Access, ClusterApi};
use super::render::{self, Manifest, Outputs};
use super::sync::Action;
use super::*;
use crate::progress::Silent;

const STACK: &str = "petclinic";

#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: String,
    content_type: Option<String>,
    body: Json,
}

impl Seen {
    fn is_write(&self) -> bool {
        self.method != "GET" && !self.query.contains("dryRun=All")
    }
}

#[derive(Default)]
struct State {
    /// Stored objects by their URL path.
    objects: BTreeMap<String, Json>,
    seen: Vec<Seen>,
    /// Pods of every Deployment crash instead of becoming available.
    crashing: bool,
    /// `/version` fails: an API server that does not answer.
    down: bool,
    revision: u64,
}

type Cluster = Arc<Mutex<State>>;

/// A client whose requests the fake cluster answers, for as long as the test runs.
fn mock_cluster(state: Cluster) -> ClusterApi {
    let (service, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
    tokio::spawn(async move {
        let mut handle = std::pin::pin!(handle);
        while let Some((request, reply)) = handle.next_request().await {
            let (parts, body) = request.into_parts();
            let bytes = body.collect_bytes().await.unwrap_or_default();
            let seen = Seen {
                method: parts.method.to_string(),
                path: parts.uri.path().to_string(),
                query: parts.uri.query().unwrap_or_default().to_string(),
                content_type: parts
                    .headers
                    .get(http::header::CONTENT_TYPE)
                    .map(|v| v.to_str().unwrap_or_default().to_string()),
                body: serde_json::from_slice(&bytes).unwrap_or(Json::Null),
            };
            let (status, answer) = {
                let mut s = state.lock().unwrap();
                s.seen.push(seen.clone());
                serve(&mut s, &seen)
            };
            let response = Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(Body::from(serde_json::to_vec(&answer).unwrap()))
                .unwrap();
            reply.send_response(response);
        }
    });
    let client = kube::Client::new(service, "default");
    ClusterApi::new("petclinic-c1", Access::Client(client))
}

/// (group version, plural, kind, namespaced)
const RESOURCES: &[(&str, &str, &str, bool)] = &[
    ("v1", "namespaces", "Namespace", false),
    ("v1", "services", "Service", true),
    ("v1", "configmaps", "ConfigMap", true),
    ("v1", "serviceaccounts", "ServiceAccount", true),
    ("v1", "pods", "Pod", true),
    ("apps/v1", "deployments", "Deployment", true),
    (
        "policy/v1",
        "poddisruptionbudgets",
        "PodDisruptionBudget",
        true,
    ),
    (
        "autoscaling/v2",
        "horizontalpodautoscalers",
        "HorizontalPodAutoscaler",
        true,
    ),
    (
        "networking.k8s.io/v1",
        "networkpolicies",
        "NetworkPolicy",
        true,
    ),
];

fn status(code: u16, reason: &str) -> (u16, Json) {
    let body = json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
        "message": format!("{reason} (mock)"), "reason": reason, "code": code});
    (code, body)
}

fn serve(s: &mut State, seen: &Seen) -> (u16, Json) {
    let path = seen.path.as_str();
    if path == "/version" {
        return if s.down {
            status(503, "ServiceUnavailable")
        } else {
            (
                200,
                json!({"major": "1", "minor": "31", "gitVersion": "v1.31.0"}),
            )
        };
    }
    // Discovery: the resource list of one group version.
    let gv = path
        .strip_prefix("/api/")
        .or_else(|| path.strip_prefix("/apis/"))
        .unwrap_or_default();
    if RESOURCES.iter().any(|r| r.0 == gv) {
        let resources: Vec<Json> = RESOURCES
            .iter()
            .filter(|r| r.0 == gv)
            .map(|(_, plural, kind, namespaced)| {
                json!({"name": plural, "singularName": "", "namespaced": namespaced, "kind": kind,
                    "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]})
            })
            .collect();
        return (
            200,
            json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}),
        );
    }
    if path.starts_with("/apis/") && path.split('/').count() == 4 {
        return status(404, "NotFound");
    }
    let Some((gv, plural, namespace, name)) = parse_path(path) else {
        return status(404, "NotFound");
    };
    match (seen.method.as_str(), name) {
        ("GET", None) => list(s, &gv, &plural, namespace.as_deref(), &seen.query),
        ("GET", Some(name)) => {
            let key = object_key(&gv, &plural, namespace.as_deref(), &name);
            match s.objects.get(&key).cloned() {
                Some(mut object) => {
                    if plural == "deployments" {
                        object["status"] = deployment_status(&object, s.crashing);
                    }
                    (200, object)
                }
                None => status(404, "NotFound"),
            }
        }
        ("PATCH", Some(name)) => {
            let key = object_key(&gv, &plural, namespace.as_deref(), &name);
            let dry_run = seen.query.contains("dryRun=All");
            let old = s.objects.get(&key).cloned();
            let mut merged = old.clone().unwrap_or_else(|| json!({}));
            merge(&mut merged, &seen.body);
            if let Some(ns) = &namespace {
                merged["metadata"]["namespace"] = json!(ns);
            }
            if old.as_ref() == Some(&merged) {
                return (200, merged);
            }
            s.revision += 1;
            merged["metadata"]["resourceVersion"] = json!(s.revision.to_string());
            let generation = old
                .as_ref()
                .and_then(|o| o["metadata"]["generation"].as_i64())
                .unwrap_or(0);
            merged["metadata"]["generation"] = json!(generation + 1);
            if !dry_run {
                s.objects.insert(key, merged.clone());
            }
            (200, merged)
        }
        ("DELETE", Some(name)) => {
            let key = object_key(&gv, &plural, namespace.as_deref(), &name);
            match s.objects.remove(&key) {
                Some(_) => (
                    200,
                    json!({"kind": "Status", "apiVersion": "v1", "status": "Success"}),
                ),
                None => status(404, "NotFound"),
            }
        }
        _ => status(405, "MethodNotAllowed"),
    }
}

/// `/apis/apps/v1/namespaces/ns/deployments/name` into its parts.
fn parse_path(path: &str) -> Option<(String, String, Option<String>, Option<String>)> {
    let (gv, rest) = if let Some(rest) = path.strip_prefix("/api/v1/") {
        ("v1".to_string(), rest)
    } else {
        let rest = path.strip_prefix("/apis/")?;
        let mut parts = rest.splitn(3, '/');
        let (g, v, rest) = (parts.next()?, parts.next()?, parts.next()?);
        (format!("{g}/{v}"), rest)
    };
    let parts: Vec<&str> = rest.split('/').collect();
    let own = |s: &&str| s.to_string();
    Some(match parts.as_slice() {
        ["namespaces", ns, plural] => (gv, plural.to_string(), Some(own(ns)), None),
        ["namespaces", ns, plural, name] => {
            (gv, plural.to_string(), Some(own(ns)), Some(own(name)))
        }
        [plural] => (gv, plural.to_string(), None, None),
        [plural, name] => (gv, plural.to_string(), None, Some(own(name))),
        _ => return None,
    })
}

fn object_key(gv: &str, plural: &str, namespace: Option<&str>, name: &str) -> String {
    format!("{gv}/{plural}/{}/{name}", namespace.unwrap_or("-"))
}

fn list(s: &State, gv: &str, plural: &str, namespace: Option<&str>, query: &str) -> (u16, Json) {
    let selector: Vec<(String, String)> = query
        .split('&')
        .filter_map(|q| q.strip_prefix("labelSelector="))
        .flat_map(|q| q.split("%2C").map(str::to_string).collect::<Vec<_>>())
        .filter_map(|pair| {
            let pair = pair.replace("%3D", "=").replace("%2F", "/");
            pair.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect();
    let prefix = format!("{gv}/{plural}/");
    let mut items: Vec<Json> = s
        .objects
        .iter()
        .filter(|(k, _)| k.starts_with(&prefix))
        .map(|(_, o)| o.clone())
        .filter(|o| namespace.is_none_or(|ns| o["metadata"]["namespace"] == json!(ns)))
        .filter(|o| {
            selector
                .iter()
                .all(|(k, v)| o["metadata"]["labels"][k] == json!(v))
        })
        .collect();
    if plural == "pods" && s.crashing {
        items.push(json!({"metadata": {"name": "frontend-abc", "namespace": namespace},
            "status": {"containerStatuses": [{"name": "podinfo", "ready": false, "restartCount": 4,
                "image": "podinfo", "imageID": "",
                "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s restarting"}}}]}}));
    }
    (
        200,
        json!({"kind": "List", "apiVersion": gv, "metadata": {}, "items": items}),
    )
}

fn deployment_status(object: &Json, crashing: bool) -> Json {
    let want = object["spec"]["replicas"].as_i64().unwrap_or(1);
    let available = if crashing { 0 } else { want };
    json!({"observedGeneration": object["metadata"]["generation"], "replicas": want,
        "updatedReplicas": want, "availableReplicas": available, "readyReplicas": available})
}

/// Server-side apply, roughly: the applied fields over what is there, lists replaced.
fn merge(into: &mut Json, from: &Json) {
    match (into, from) {
        (Json::Object(a), Json::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k.clone()).or_insert(Json::Null), v);
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

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
    render::render(STACK, &workload, dir.path(), &values).unwrap()
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

fn seen(cluster: &Cluster) -> Vec<Seen> {
    std::mem::take(&mut cluster.lock().unwrap().seen)
}

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
async fn a_failed_rollout_is_reported_with_the_pods_reasons() {
    let cluster = Cluster::default();
    cluster.lock().unwrap().crashing = true;
    let error = up(&cluster, manifests()).await.unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("Deployment frontend/frontend did not roll out"),
        "{text}"
    );
    assert!(text.contains("not done after 120s"), "{text}");
    assert!(
        text.contains("frontend-abc/podinfo: CrashLoopBackOff: back-off 40s restarting"),
        "{text}"
    );
}

#[tokio::test(start_paused = true)]
async fn an_api_that_does_not_answer_is_an_error_naming_the_cluster() {
    let cluster = Cluster::default();
    cluster.lock().unwrap().down = true;
    let error = up(&cluster, manifests()).await.unwrap_err();
    assert!(matches!(error, WorkloadError::Unreachable { .. }));
    assert!(
        error
            .to_string()
            .starts_with("cluster petclinic-c1: its API at the mock API server cannot be reached"),
        "{error}"
    );
    assert!(seen(&cluster).iter().all(|r| !r.is_write()));
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

// ---- rendering and offline checks ------------------------------------------------------------

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
    let manifests = match render::render(STACK, &workload, dir.path(), &BTreeMap::new()) {
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

#[test]
fn a_plain_text_404_is_not_found() {
    // What a real API server answers for a group version it does not serve (yet).
    let status = kube::core::Status::failure("404 page not found", "Failed to parse error data")
        .with_code(404);
    let error = kube::Error::Api(status.boxed());
    assert!(discovery::is_not_found(&error));
    let kube::Error::Api(s) = &error else {
        unreachable!()
    };
    assert!(!s.is_not_found(), "kube's own test misses it");
}
