//! The rig and each test's stack: starting (or finding) the local control plane, a client of
//! each cluster, the audit logs, and the whole-process runs of the tool.

use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::Value as Json;

pub struct Rig {
    pub dir: PathBuf,
    pub _watchdog: Option<std::process::Child>,
}

impl Rig {
    pub fn kubeconfig(&self) -> PathBuf {
        self.dir.join("kubeconfig")
    }

    pub fn audit_log(&self, region: &str) -> PathBuf {
        self.dir.join("logs").join(format!("audit-{region}.log"))
    }
}

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn rig() -> &'static Rig {
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
pub struct Case {
    pub _turn: std::sync::MutexGuard<'static, ()>,
    pub n: u16,
    pub dir: tempfile::TempDir,
    pub kubeconfig: PathBuf,
}

impl Case {
    pub fn new(n: u16) -> Case {
        Case::with_contexts(n, "rig-c1", "rig-c2")
    }

    pub fn with_contexts(n: u16, c1: &str, c2: &str) -> Case {
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

    pub fn frontend(&self) -> String {
        format!("fe{}", self.n)
    }

    pub fn backend(&self) -> String {
        format!("be{}", self.n)
    }

    pub fn manifest(&self, side: &str) -> PathBuf {
        self.dir
            .path()
            .join("manifests")
            .join(side)
            .join("app.yaml")
    }

    pub fn edit_manifest(&self, side: &str, edit: impl Fn(String) -> String) {
        let path = self.manifest(side);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, edit(text)).unwrap();
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let started = Instant::now();
        let mut approved: Vec<&str> = args.to_vec();
        approved.extend(approve(args));
        let out = Command::from_std(self.command(&approved))
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

    pub fn up(&self) -> Run {
        let run = self.run(&["up"]);
        assert_eq!(run.code, 0, "up failed:\n{}", run.stderr);
        run
    }

    pub fn down(&self) {
        let run = self.run(&["down", "--yes"]);
        assert_eq!(run.code, 0, "down failed:\n{}", run.stderr);
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// A client of the rig's cluster `context`, as an operator with kubectl would have.
pub async fn client(context: &str) -> kube::Client {
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
pub fn audit_mark() -> [usize; 2] {
    ["c1", "c2"].map(|r| audit_events(r).len())
}

pub fn audit_events(region: &str) -> Vec<Json> {
    let text = std::fs::read_to_string(rig().audit_log(region)).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// The requests this tool made of each cluster since `mark`: (reads, dry runs, writes).
pub fn tool_requests(mark: [usize; 2]) -> [Vec<String>; 2] {
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
pub fn tool_span(mark: [usize; 2]) -> Duration {
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

pub fn is_write(request: &str) -> bool {
    let verb = request.split(' ').next().unwrap_or_default();
    matches!(
        verb,
        "create" | "update" | "patch" | "delete" | "deletecollection"
    ) && !request.contains("dryRun=All")
}

pub fn say_calls(what: &str, requests: &[Vec<String>; 2]) {
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

pub async fn deployment(context: &str, name: &str) -> Option<Deployment> {
    let api: Api<Deployment> = Api::namespaced(client(context).await, name);
    api.get_opt(name).await.unwrap()
}

/// What an earlier, failed run of the same test left on a rig that is used again (one that
/// `MULTIREGION_RIG_DIR` names): its namespaces and CRDs, which hold everything else.
pub async fn clean_leftovers(stack: &str) {
    let owned = ListParams::default().labels(&format!("multiregion.dev/stack={stack}"));
    for context in ["rig-c1", "rig-c2"] {
        let client = client(context).await;
        let namespaces: Api<Namespace> = Api::all(client.clone());
        for ns in namespaces.list(&owned).await.unwrap().items {
            let name = ns.metadata.name.unwrap_or_default();
            let _ = namespaces.delete(&name, &Default::default()).await;
            namespace_gone(context, &name).await.unwrap();
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
/// Whether the namespace is gone within a bound: the namespace controller rechecks a namespace
/// whose pods are terminating only after their grace period (30 s by default), and under a
/// loaded machine it may take that twice; past the bound, its status says what holds it.
pub async fn namespace_gone(context: &str, name: &str) -> Result<(), String> {
    let api: Api<Namespace> = Api::all(client(context).await);
    let started = Instant::now();
    let mut last = None;
    while started.elapsed() < Duration::from_secs(150) {
        match api.get_opt(name).await.unwrap() {
            None => return Ok(()),
            Some(ns) => last = ns.status,
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Err(format!(
        "namespace {name} in {context} is still there after {:.0?}: {last:?}",
        started.elapsed()
    ))
}

/// `up` changes the account only when told to: the tests say so, as CI would.
pub fn approve(args: &[&str]) -> Option<&'static str> {
    (args.first() == Some(&"up") && !args.contains(&"--yes")).then_some("--yes")
}

impl Case {
    /// The tool with this test's stack, the emulator and the rig's kubeconfig.
    pub fn command(&self, args: &[&str]) -> Process {
        let bin = std::env::var("CARGO_BIN_EXE_multiregion")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_multiregion").to_string());
        let mut command = Process::new(bin);
        command
            .current_dir(root())
            .args(args)
            .arg("--stack")
            .arg(self.dir.path().join("stack.yaml"))
            .args(["--endpoint-url", &crate::common::moto().url])
            .env("KUBECONFIG", &self.kubeconfig)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .env_remove("MULTIREGION_STACK");
        command
    }

    /// The tool started in the background with this test's stack, to be stopped or killed.
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        self.command(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("cannot start multiregion")
    }
}

/// The names of listed objects, to say what is left.
pub fn names<K: kube::Resource>(items: &[K]) -> Vec<String> {
    items.iter().filter_map(|o| o.meta().name.clone()).collect()
}
