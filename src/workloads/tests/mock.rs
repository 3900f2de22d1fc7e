//! The apply logic against a mock API server (`tower-test`): a small in-memory cluster that
//! serves discovery, get, list, server-side apply (dry run too), delete and a Deployment's
//! status, records every request, and can be told to answer 409 or to crash pods.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use http::{Request, Response};
use kube::client::Body;
use serde_json::{Value as Json, json};

use crate::workloads::connect::{Access, ClusterApi};

#[derive(Debug, Clone)]
pub(super) struct Seen {
    pub(super) method: String,
    pub(super) path: String,
    pub(super) query: String,
    pub(super) content_type: Option<String>,
    pub(super) body: Json,
}

impl Seen {
    pub(super) fn is_write(&self) -> bool {
        self.method != "GET" && !self.query.contains("dryRun=All")
    }
}

#[derive(Default)]
pub(super) struct State {
    /// Stored objects by their URL path.
    pub(super) objects: BTreeMap<String, Json>,
    pub(super) seen: Vec<Seen>,
    /// Pods of every Deployment crash instead of becoming available.
    pub(super) crashing: bool,
    /// `/version` fails: an API server that does not answer.
    pub(super) down: bool,
    pub(super) revision: u64,
}

pub(super) type Cluster = Arc<Mutex<State>>;

/// A client whose requests the fake cluster answers, for as long as the test runs.
pub(super) fn mock_cluster(state: Cluster) -> ClusterApi {
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

pub(super) fn seen(cluster: &Cluster) -> Vec<Seen> {
    std::mem::take(&mut cluster.lock().unwrap().seen)
}
