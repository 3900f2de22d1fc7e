//! The workloads against real Kubernetes API servers: the local control plane of
//! `scripts/kube-rig` (etcd, kube-apiserver, controller-manager, scheduler and kwok, one per
//! region, on 127.0.0.1), reached through kubeconfig contexts as kind or k3d would be, with
//! the AWS side on moto. The rig is started here unless `MULTIREGION_RIG_DIR` names a running
//! one (`bash scripts/test` builds it first, so its progress shows). Every request the tool
//! makes is read back from the API servers' audit logs.
//!
//! Each test has a stack of its own (name, workloads, NodePorts), so tests can share the
//! emulator and the clusters; they take turns, so that an audit log holds one test's requests
//! at a time.

use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Service};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::{Value as Json, json};

mod common;

struct Rig {
    dir: PathBuf,
    _watchdog: Option<std::process::Child>,
}

impl Rig {
    fn kubeconfig(&self) -> PathBuf {
        self.dir.join("kubeconfig")
    }

    fn audit_log(&self, region: &str) -> PathBuf {
        self.dir.join("logs").join(format!("audit-{region}.log"))
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn rig() -> &'static Rig {
    static RIG: OnceLock<Rig> = OnceLock::new();
    RIG.get_or_init(|| {
        if let Ok(dir) = std::env::var("MULTIREGION_RIG_DIR") {
            let dir = PathBuf::from(dir);
            assert!(
                dir.join("kubeconfig").is_file(),
                "MULTIREGION_RIG_DIR={} has no kubeconfig: start it with `bash scripts/kube-rig start {}`",
                dir.display(),
                dir.display()
            );
            return Rig {
                dir,
                _watchdog: None,
            };
        }
        let dir = std::env::temp_dir().join(format!("multiregion-rig-{}", std::process::id()));
        let script = root().join("scripts/kube-rig");
        let status = Process::new("bash")
            .arg(&script)
            .arg("start")
            .arg(&dir)
            .status()
            .expect("cannot run bash scripts/kube-rig");
        assert!(status.success(), "scripts/kube-rig start failed ({status}); see {}/logs", dir.display());
        // Statics are never dropped: a watchdog stops the rig once this test process is gone.
        let watchdog = format!(
            "while kill -0 {} 2>/dev/null; do sleep 1; done; bash '{}' stop '{}'",
            std::process::id(),
            script.display(),
            dir.display()
        );
        let watchdog = Process::new("sh")
            .args(["-c", &watchdog])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("cannot start the rig's watchdog");
        Rig {
            dir,
            _watchdog: Some(watchdog),
        }
    })
}

/// One test's stack: the reference stack with its own name, workloads and NodePorts, both
/// regions on the rig's clusters (or both on c1's, when `one_cluster`), and its manifests in
/// a folder of its own, to edit.
struct Case {
    _turn: std::sync::MutexGuard<'static, ()>,
    n: u16,
    dir: tempfile::TempDir,
    kubeconfig: PathBuf,
}

impl Case {
    fn new(n: u16) -> Case {
        Case::with_contexts(n, "rig-c1", "rig-c2")
    }

    fn with_contexts(n: u16, c1: &str, c2: &str) -> Case {
        static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
        let dir = tempfile::tempdir().unwrap();
        for side in ["frontend", "backend"] {
            let to = dir.path().join("manifests").join(side);
            std::fs::create_dir_all(&to).unwrap();
            let from = root().join("manifests").join(side).join("app.yaml");
            std::fs::copy(from, to.join("app.yaml")).unwrap();
        }
        let name = format!("t{n}");
        let text = std::fs::read_to_string(root().join("stacks/two-region.yaml"))
            .unwrap()
            .replace("petclinic", &name)
            .replace(
                "../manifests",
                dir.path().join("manifests").to_str().unwrap(),
            )
            .replace(
                &format!("        name: {name}-c1\n"),
                &format!("        name: {name}-c1\n        kubeconfigContext: {c1}\n"),
            )
            .replace(
                &format!("        name: {name}-c2\n"),
                &format!("        name: {name}-c2\n        kubeconfigContext: {c2}\n"),
            )
            .replace("    - name: frontend\n", &format!("    - name: fe{n}\n"))
            .replace("    - name: backend\n", &format!("    - name: be{n}\n"))
            .replace(
                "targetPort: 30080",
                &format!("targetPort: {}", 30100 + 2 * n),
            )
            .replace(
                "targetPort: 30081",
                &format!("targetPort: {}", 30101 + 2 * n),
            );
        std::fs::write(dir.path().join("stack.yaml"), text).unwrap();
        block_on(clean_leftovers(&name));
        Case {
            _turn: turn,
            n,
            dir,
            kubeconfig: rig().kubeconfig(),
        }
    }

    fn frontend(&self) -> String {
        format!("fe{}", self.n)
    }

    fn backend(&self) -> String {
        format!("be{}", self.n)
    }

    fn manifest(&self, side: &str) -> PathBuf {
        self.dir
            .path()
            .join("manifests")
            .join(side)
            .join("app.yaml")
    }

    fn edit_manifest(&self, side: &str, edit: impl Fn(String) -> String) {
        let path = self.manifest(side);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, edit(text)).unwrap();
    }

    fn run(&self, args: &[&str]) -> Run {
        let started = Instant::now();
        let out = Command::cargo_bin("multiregion")
            .unwrap()
            .current_dir(root())
            .args(args)
            .args(approve(args))
            .arg("--stack")
            .arg(self.dir.path().join("stack.yaml"))
            .args(["--endpoint-url", &common::moto().url])
            .env("KUBECONFIG", &self.kubeconfig)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .env_remove("MULTIREGION_STACK")
            .timeout(Duration::from_secs(600))
            .output()
            .unwrap();
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            took: started.elapsed(),
        };
        eprintln!(
            "t{} {}: exit {} in {:.1}s\n{}{}",
            self.n,
            args.join(" "),
            run.code,
            run.took.as_secs_f64(),
            run.stdout,
            run.stderr
        );
        run
    }

    fn up(&self) -> Run {
        let run = self.run(&["up"]);
        assert_eq!(run.code, 0, "up failed:\n{}", run.stderr);
        run
    }

    fn down(&self) {
        let run = self.run(&["down", "--yes"]);
        assert_eq!(run.code, 0, "down failed:\n{}", run.stderr);
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    took: Duration,
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// A client of the rig's cluster `context`, as an operator with kubectl would have.
async fn client(context: &str) -> kube::Client {
    let kubeconfig = Kubeconfig::read_from(rig().kubeconfig()).unwrap();
    let options = KubeConfigOptions {
        context: Some(context.into()),
        ..Default::default()
    };
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .unwrap();
    kube::Client::try_from(config).unwrap()
}

/// Where each region's audit log stands, to read what a command asked from there on.
fn audit_mark() -> [usize; 2] {
    ["c1", "c2"].map(|r| audit_events(r).len())
}

fn audit_events(region: &str) -> Vec<Json> {
    let text = std::fs::read_to_string(rig().audit_log(region)).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The requests this tool made of each cluster since `mark`: (reads, dry runs, writes).
fn tool_requests(mark: [usize; 2]) -> [Vec<String>; 2] {
    let regions = ["c1", "c2"];
    [0, 1].map(|i| {
        audit_events(regions[i])
            .into_iter()
            .skip(mark[i])
            .filter(|e| {
                e["userAgent"]
                    .as_str()
                    .is_some_and(|a| a.starts_with("multiregion/"))
            })
            .map(|e| {
                format!(
                    "{} {}",
                    e["verb"].as_str().unwrap_or_default(),
                    e["requestURI"].as_str().unwrap_or_default()
                )
            })
            .collect()
    })
}

/// From the first request this tool made of either cluster since `mark` to the last answer.
fn tool_span(mark: [usize; 2]) -> Duration {
    let at = |e: &Json, field: &str| -> Option<k8s_openapi::jiff::Timestamp> {
        e[field].as_str()?.parse().ok()
    };
    let events: Vec<Json> = ["c1", "c2"]
        .iter()
        .zip(mark)
        .flat_map(|(r, m)| audit_events(r).into_iter().skip(m))
        .filter(|e| {
            e["userAgent"]
                .as_str()
                .is_some_and(|a| a.starts_with("multiregion/"))
        })
        .collect();
    let first = events
        .iter()
        .filter_map(|e| at(e, "requestReceivedTimestamp"))
        .min();
    let last = events.iter().filter_map(|e| at(e, "stageTimestamp")).max();
    match (first, last) {
        (Some(a), Some(b)) => Duration::try_from(b - a).unwrap_or_default(),
        _ => Duration::ZERO,
    }
}

fn is_write(request: &str) -> bool {
    let verb = request.split(' ').next().unwrap_or_default();
    matches!(
        verb,
        "create" | "update" | "patch" | "delete" | "deletecollection"
    ) && !request.contains("dryRun=All")
}

fn say_calls(what: &str, requests: &[Vec<String>; 2]) {
    for (region, r) in ["c1", "c2"].iter().zip(requests) {
        let writes = r.iter().filter(|x| is_write(x)).count();
        let dry = r.iter().filter(|x| x.contains("dryRun=All")).count();
        eprintln!(
            "{what} on {region}: {} Kubernetes call(s): {} read(s), {dry} dry run(s), {writes} write(s)",
            r.len(),
            r.len() - writes - dry
        );
    }
}

async fn deployment(context: &str, name: &str) -> Option<Deployment> {
    let api: Api<Deployment> = Api::namespaced(client(context).await, name);
    api.get_opt(name).await.unwrap()
}

/// What an earlier, failed run of the same test left on a rig that is used again (one that
/// `MULTIREGION_RIG_DIR` names): its namespaces and CRDs, which hold everything else.
async fn clean_leftovers(stack: &str) {
    let owned = ListParams::default().labels(&format!("multiregion.dev/stack={stack}"));
    for context in ["rig-c1", "rig-c2"] {
        let client = client(context).await;
        let namespaces: Api<Namespace> = Api::all(client.clone());
        for ns in namespaces.list(&owned).await.unwrap().items {
            let name = ns.metadata.name.unwrap_or_default();
            let _ = namespaces.delete(&name, &Default::default()).await;
            assert!(
                namespace_gone(context, &name).await,
                "leftover {name} deleted"
            );
        }
        let crds: Api<CustomResourceDefinition> = Api::all(client);
        for crd in crds.list(&owned).await.unwrap().items {
            let _ = crds
                .delete(&crd.metadata.name.unwrap_or_default(), &Default::default())
                .await;
        }
    }
}

/// Waits (up to a minute) until the namespace is gone; whether it went.
async fn namespace_gone(context: &str, name: &str) -> bool {
    let api: Api<Namespace> = Api::all(client(context).await);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if api.get_opt(name).await.unwrap().is_none() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    false
}

#[test]
fn up_from_empty_then_a_second_up_writes_nothing_and_down_leaves_nothing() {
    let case = Case::new(1);
    let mark = audit_mark();
    let up = case.up();
    say_calls("up from empty", &tool_requests(mark));
    eprintln!(
        "measured: both clusters from the first Kubernetes call to both rollouts available: {:.1}s",
        tool_span(mark).as_secs_f64()
    );
    eprintln!(
        "measured: up from empty (moto infrastructure, then both rollouts available) took {:.1}s",
        up.took.as_secs_f64()
    );
    block_on(async {
        for (context, name) in [("rig-c1", case.frontend()), ("rig-c2", case.backend())] {
            let d = deployment(context, &name).await.expect("applied");
            let status = d.status.unwrap();
            assert_eq!(
                status.available_replicas,
                Some(2),
                "{name} rolled out on kwok's nodes"
            );
            let labels = d.metadata.labels.unwrap();
            assert_eq!(labels["multiregion.dev/stack"], "t1");
        }
    });

    let mark = audit_mark();
    let again = case.up();
    assert!(again.stderr.contains("already in sync"), "{}", again.stderr);
    let requests = tool_requests(mark);
    say_calls("second up", &requests);
    for r in &requests {
        assert!(!r.is_empty(), "the audit log shows the tool's requests");
        let writes: Vec<&String> = r.iter().filter(|x| is_write(x)).collect();
        assert!(writes.is_empty(), "a second up writes nothing: {writes:?}");
    }

    let mark = audit_mark();
    let plan = case.run(&["plan"]);
    assert_eq!(plan.code, 0, "in sync: {}{}", plan.stdout, plan.stderr);
    say_calls("plan", &tool_requests(mark));

    // `status` reads each cluster's Deployments: rolled out on both.
    let status = case.run(&["status", "--output", "json"]);
    assert_eq!(status.code, 0, "{}", status.stderr);
    let status: Json = serde_json::from_str(&status.stdout).unwrap();
    let clusters = status["workloads"].as_array().unwrap();
    assert_eq!(clusters.len(), 2, "{status}");
    for c in clusters {
        let deployments = c["deployments"].as_array().unwrap();
        assert!(!deployments.is_empty(), "{status}");
        assert!(
            deployments.iter().all(|d| d["rolledOut"] == true),
            "{status}"
        );
    }

    let mark = audit_mark();
    case.down();
    say_calls("down", &tool_requests(mark));
    block_on(async {
        for (context, name) in [("rig-c1", case.frontend()), ("rig-c2", case.backend())] {
            assert!(
                namespace_gone(context, &name).await,
                "namespace {name} is deleted"
            );
            let client = client(context).await;
            let owned = ListParams::default().labels("multiregion.dev/stack=t1");
            let left = Api::<Service>::all(client.clone())
                .list(&owned)
                .await
                .unwrap();
            assert!(left.items.is_empty());
            let left = Api::<Deployment>::all(client.clone())
                .list(&owned)
                .await
                .unwrap();
            assert!(left.items.is_empty());
            let left = Api::<Namespace>::all(client).list(&owned).await.unwrap();
            assert!(left.items.is_empty());
        }
    });
}

#[test]
fn an_edit_made_behind_the_tools_back_is_planned_field_by_field_and_repaired() {
    let case = Case::new(2);
    case.up();
    let name = case.frontend();
    let set_image = |image: &str| {
        let edit = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "podinfo", "image": image}]}}}});
        block_on(async {
            let deployments: Api<Deployment> = Api::namespaced(client("rig-c1").await, &name);
            deployments
                .patch(&name, &PatchParams::default(), &Patch::Strategic(&edit))
                .await
                .unwrap();
        });
    };
    // The tool's apply still holds the replicas it created the Deployment with: its repair,
    // which leaves them to the autoscaler, must hand them over, or the server resets them to 1.
    set_image("ghcr.io/stefanprodan/podinfo:5.0.0");
    case.up();
    block_on(async {
        let d = deployment("rig-c1", &name).await.unwrap();
        assert_eq!(
            d.spec.unwrap().replicas,
            Some(2),
            "kept through the handover"
        );
    });
    block_on(async {
        let client = client("rig-c1").await;
        let deployments: Api<Deployment> = Api::namespaced(client.clone(), &name);
        // As `kubectl set image` and `kubectl scale` (the autoscaler's way) would.
        let edit = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "podinfo", "image": "ghcr.io/stefanprodan/podinfo:6.0.0"}]}}}});
        deployments
            .patch(&name, &PatchParams::default(), &Patch::Strategic(&edit))
            .await
            .unwrap();
        deployments
            .patch_scale(
                &name,
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"replicas": 4}})),
            )
            .await
            .unwrap();
    });
    let plan = case.run(&["plan", "--output", "json"]);
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    let planned: Json = serde_json::from_str(&plan.stdout).unwrap();
    let workloads = planned["workloads"].as_array().unwrap();
    assert_eq!(workloads.len(), 1, "{workloads:?}");
    assert_eq!(workloads[0]["action"], "update");
    assert_eq!(workloads[0]["object"], format!("Deployment {name}/{name}"));
    assert_eq!(
        workloads[0]["fields"],
        json!(["spec.template.spec.containers[0].image"]),
        "the replicas the autoscaler's way moved are not drift"
    );

    let mark = audit_mark();
    case.up();
    let writes: Vec<String> = tool_requests(mark)[0]
        .iter()
        .filter(|r| is_write(r))
        .cloned()
        .collect();
    assert!(
        writes
            .iter()
            .all(|w| w.contains(&format!("/deployments/{name}"))),
        "only the drifted Deployment is written: {writes:?}"
    );
    block_on(async {
        let d = deployment("rig-c1", &name).await.unwrap();
        let spec = d.spec.unwrap();
        let image = spec.template.spec.unwrap().containers[0].image.clone();
        assert_eq!(image.as_deref(), Some("ghcr.io/stefanprodan/podinfo:6.7.1"));
        assert_eq!(
            spec.replicas,
            Some(4),
            "an apply never takes replicas back from the autoscaler"
        );
    });
    assert_eq!(case.run(&["plan"]).code, 0);
    case.down();
}

#[test]
fn a_crd_and_its_resources_in_one_set_of_manifests_apply_and_removed_ones_are_pruned() {
    let case = Case::new(3);
    let extra = case.manifest("frontend").with_file_name("extra.yaml");
    let group = "widgets3.example.com";
    std::fs::write(
        &extra,
        format!(
            "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.{group}
spec:
  group: {group}
  scope: Namespaced
  names: {{ plural: widgets, singular: widget, kind: Widget }}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {{ type: object, properties: {{ size: {{ type: integer }} }} }}
---
apiVersion: {group}/v1
kind: Widget
metadata:
  name: first
  namespace: ${{workload}}
spec:
  size: 3
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ${{workload}}
data:
  colour: blue
"
        ),
    )
    .unwrap();
    case.up();
    let ns = case.frontend();
    block_on(async {
        let client = client("rig-c1").await;
        let maps: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
        assert!(maps.get_opt("settings").await.unwrap().is_some());
        let crds: Api<CustomResourceDefinition> = Api::all(client);
        assert!(
            crds.get_opt(&format!("widgets.{group}"))
                .await
                .unwrap()
                .is_some()
        );
    });
    assert_eq!(
        case.run(&["plan"]).code,
        0,
        "custom resources compare in sync too"
    );

    std::fs::remove_file(&extra).unwrap();
    let plan = case.run(&["plan"]);
    assert_eq!(plan.code, 2);
    for pruned in [
        format!("-   ConfigMap {ns}/settings"),
        format!("-   Widget {ns}/first"),
        format!("-   CustomResourceDefinition widgets.{group}"),
    ] {
        assert!(plan.stdout.contains(&pruned), "{pruned}:\n{}", plan.stdout);
    }
    case.up();
    block_on(async {
        let client = client("rig-c1").await;
        let maps: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
        assert!(maps.get_opt("settings").await.unwrap().is_none(), "pruned");
        let crds: Api<CustomResourceDefinition> = Api::all(client);
        let started = Instant::now();
        while crds
            .get_opt(&format!("widgets.{group}"))
            .await
            .unwrap()
            .is_some()
        {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the CRD is pruned"
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
    assert_eq!(case.run(&["plan"]).code, 0);
    case.down();
}

#[test]
fn a_rollout_that_never_becomes_ready_fails_with_the_pods_reasons() {
    let case = Case::new(4);
    case.edit_manifest("backend", |t| {
        t.replacen(
            "      automountServiceAccountToken: false\n",
            "      automountServiceAccountToken: false\n      nodeSelector: { multiregion.dev/pool: none-such }\n",
            1,
        )
    });
    let up = case.run(&["up", "--rollout-timeout", "15"]);
    assert_eq!(up.code, 1, "{}", up.stderr);
    let name = case.backend();
    assert!(
        up.stderr.contains(&format!(
            "Deployment {name}/{name} did not roll out: not done after 15s"
        )),
        "{}",
        up.stderr
    );
    assert!(
        up.stderr.contains("Unschedulable") || up.stderr.contains("FailedScheduling"),
        "the scheduler's reason: {}",
        up.stderr
    );
    assert!(up.stderr.contains("node(s) didn't match"), "{}", up.stderr);
    case.down();
}

#[test]
fn a_wrong_token_is_refused_authentication_in_bounded_time() {
    let mut case = Case::with_contexts(5, "rig-c1-wrong-token", "rig-c2");
    let mut kubeconfig: Json =
        serde_json::to_value(Kubeconfig::read_from(rig().kubeconfig()).unwrap()).unwrap();
    let cluster = kubeconfig["contexts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "rig-c1")
        .expect("the rig's kubeconfig has a context rig-c1")["context"]["cluster"]
        .clone();
    kubeconfig["users"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "wrong", "user": {"token": "not-a-token-the-server-knows"}}));
    kubeconfig["contexts"].as_array_mut().unwrap().push(
        json!({"name": "rig-c1-wrong-token", "context": {"cluster": cluster, "user": "wrong"}}),
    );
    let path = case.dir.path().join("kubeconfig");
    std::fs::write(&path, serde_json::to_string(&kubeconfig).unwrap()).unwrap();
    case.kubeconfig = path;
    let plan = case.run(&["plan"]);
    assert_eq!(plan.code, 1);
    assert!(
        plan.stderr.contains("cluster t5-c1: the API at kubeconfig context rig-c1-wrong-token refused the credentials"),
        "{}",
        plan.stderr
    );
    assert!(
        !plan.stderr.contains("cannot be reached"),
        "{}",
        plan.stderr
    );
    assert!(
        plan.took < Duration::from_secs(30),
        "refused at once, not retried: {:?}",
        plan.took
    );
}

#[test]
fn an_object_the_server_refuses_is_named_with_its_file_and_an_invalid_one_before_anything_is_applied()
 {
    let case = Case::new(6);
    case.up();
    let ns = case.frontend();
    let file = case.manifest("frontend").with_file_name("more.yaml");
    let more = |port: &str| {
        format!(
            "apiVersion: v1
kind: ConfigMap
metadata: {{ name: more, namespace: ${{workload}} }}
data: {{ a: b }}
---
apiVersion: v1
kind: Service
metadata: {{ name: outside, namespace: ${{workload}} }}
spec:
  type: NodePort
  selector: {{ app: none }}
  ports: [{{ {port} }}]
"
        )
    };
    // What validation refuses, a dry run finds: `plan` says so, and `up` applies nothing.
    std::fs::write(&file, more("port: 70000")).unwrap();
    for command in ["plan", "up"] {
        let run = case.run(&[command]);
        assert_eq!(run.code, 1, "{command}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!(
                "dry-run applying Service {ns}/outside ({} document 2)",
                file.display()
            )),
            "{command} names the file and object: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("between 1 and 65535"),
            "{command}: the server's reason: {}",
            run.stderr
        );
    }
    block_on(async {
        let maps: Api<ConfigMap> = Api::namespaced(client("rig-c1").await, &ns);
        assert!(
            maps.get_opt("more").await.unwrap().is_none(),
            "nothing was applied"
        );
    });
    // A node port out of range is refused only by the real apply (a dry run allocates no
    // port): the 422 still names the file and object.
    std::fs::write(&file, more("port: 80, nodePort: 40000")).unwrap();
    let up = case.run(&["up"]);
    assert_eq!(up.code, 1, "{}", up.stderr);
    assert!(
        up.stderr.contains(&format!(
            "applying Service {ns}/outside ({} document 2)",
            file.display()
        )),
        "{}",
        up.stderr
    );
    assert!(up.stderr.contains("valid range"), "{}", up.stderr);
    std::fs::remove_file(&file).unwrap();
    case.down();
}

#[test]
fn down_then_up_waits_for_the_terminating_namespaces() {
    let case = Case::new(7);
    case.up();
    let ns = case.frontend();
    // Someone else's object with a finalizer keeps the namespace terminating after `down`.
    let held = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "held", "namespace": ns, "finalizers": ["example.com/hold"]}});
    block_on(async {
        let maps: Api<ConfigMap> = Api::namespaced(client("rig-c1").await, &ns);
        maps.create(&Default::default(), &serde_json::from_value(held).unwrap())
            .await
            .unwrap();
    });
    case.down();
    let plan = case.run(&["plan"]);
    assert_eq!(plan.code, 2);
    assert!(
        plan.stdout
            .contains(&format!("+   Namespace {ns}\n        (still terminating")),
        "{}",
        plan.stdout
    );
    let release = {
        let ns = ns.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(8));
            block_on(async {
                let maps: Api<ConfigMap> = Api::namespaced(client("rig-c1").await, &ns);
                let clear = json!({"metadata": {"finalizers": null}});
                maps.patch("held", &PatchParams::default(), &Patch::Merge(clear))
                    .await
                    .unwrap();
            });
            Instant::now()
        })
    };
    let up = case.up();
    let released = release.join().unwrap();
    assert!(
        Instant::now() > released,
        "up ended only once the namespace could go"
    );
    assert!(!up.stderr.contains("being terminated"), "{}", up.stderr);
    block_on(async {
        let d = deployment("rig-c1", &ns).await.expect("made again");
        assert_eq!(d.status.unwrap().available_replicas, Some(2));
    });
    assert_eq!(case.run(&["plan"]).code, 0);
    case.down();
}

#[test]
fn a_changed_selector_is_a_planned_replacement() {
    let case = Case::new(8);
    case.up();
    case.edit_manifest("frontend", |t| {
        t.replace(
            "    matchLabels:\n      app.kubernetes.io/name: ${workload}\n",
            "    matchLabels:\n      app.kubernetes.io/name: ${workload}\n      tier: web\n",
        )
        .replace(
            "      labels:\n        app.kubernetes.io/name: ${workload}\n    spec:",
            "      labels:\n        app.kubernetes.io/name: ${workload}\n        tier: web\n    spec:",
        )
    });
    let name = case.frontend();
    let plan = case.run(&["plan"]);
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    assert!(
        plan.stdout
            .contains(&format!("-/+ Deployment {name}/{name}")),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("spec.selector"), "{}", plan.stdout);
    case.up();
    block_on(async {
        let d = deployment("rig-c1", &name).await.unwrap();
        let selector = d.spec.unwrap().selector.match_labels.unwrap();
        assert_eq!(selector["tier"], "web");
    });
    assert_eq!(case.run(&["plan"]).code, 0);
    case.down();
}

#[test]
fn two_regions_on_one_cluster_keep_each_others_objects() {
    let case = Case::with_contexts(9, "rig-c1", "rig-c1");
    case.up();
    let plan = case.run(&["plan"]);
    assert_eq!(
        plan.code, 0,
        "neither region prunes the other's: {}",
        plan.stdout
    );
    block_on(async {
        assert!(deployment("rig-c1", &case.frontend()).await.is_some());
        assert!(deployment("rig-c1", &case.backend()).await.is_some());
    });
    case.down();
}

#[test]
fn an_api_server_that_stays_unavailable_is_reported_within_seconds() {
    // A server that answers every request 503, as an overloaded or starting API server does.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let _ = stream.write_all(
                b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
        }
    });
    let mut case = Case::with_contexts(10, "busy", "rig-c2");
    let kubeconfig = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: busy\n\
         clusters: [{{name: busy, cluster: {{server: 'http://127.0.0.1:{port}'}}}}]\n\
         users: [{{name: someone, user: {{token: abc}}}}]\n\
         contexts: [{{name: busy, context: {{cluster: busy, user: someone}}}}]\n"
    );
    let path = case.dir.path().join("kubeconfig");
    std::fs::write(&path, kubeconfig).unwrap();
    case.kubeconfig = path;
    let plan = case.run(&["plan"]);
    assert_eq!(plan.code, 1);
    assert!(
        plan.stderr
            .contains("cluster t10-c1: its API at kubeconfig context busy cannot be reached"),
        "{}",
        plan.stderr
    );
    assert!(plan.stderr.contains("503"), "{}", plan.stderr);
    // 3 retries 0.2 s to 1 s apart, after the AWS reads: seconds, where kube's default keeps
    // on for minutes.
    assert!(
        plan.took < Duration::from_secs(30),
        "given up in bounded time: {:?}",
        plan.took
    );
}

/// `up` changes the account only when told to: the tests say so, as CI would.
fn approve(args: &[&str]) -> Option<&'static str> {
    (args.first() == Some(&"up") && !args.contains(&"--yes")).then_some("--yes")
}
