//! The workloads on the rig: apply, drift, prune, rollout failures, authentication, removal.

use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Service};
use k8s_openapi::api::rbac::v1::ClusterRole;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube::config::Kubeconfig;
use serde_json::{Value as Json, json};

use crate::rig::*;

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
            // The Cluster Autoscaler beside them (the node groups can grow), rolled out too.
            let client = client(context).await;
            let autoscaler = Api::<Deployment>::namespaced(client, "cluster-autoscaler")
                .get("cluster-autoscaler")
                .await
                .expect("the Cluster Autoscaler is applied");
            let image = autoscaler.spec.unwrap().template.spec.unwrap().containers[0]
                .image
                .clone()
                .unwrap();
            assert!(image.ends_with("/cluster-autoscaler:v1.35.1"), "{image}");
            assert_eq!(autoscaler.status.unwrap().available_replicas, Some(1));
            let labels = autoscaler.metadata.labels.unwrap();
            assert_eq!(labels["multiregion.dev/workload"], "cluster-autoscaler");
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
            // `down` deletes the namespaces and goes; the namespace controller ends them once
            // their pods are gone.
            for namespace in [name.as_str(), "cluster-autoscaler"] {
                namespace_gone(context, namespace).await.unwrap();
            }
            let client = client(context).await;
            let owned = ListParams::default().labels("multiregion.dev/stack=t1");
            let left = Api::<Service>::all(client.clone())
                .list(&owned)
                .await
                .unwrap();
            assert!(
                left.items.is_empty(),
                "Services are deleted: {:?}",
                names(&left.items)
            );
            let left = Api::<Deployment>::all(client.clone())
                .list(&owned)
                .await
                .unwrap();
            assert!(
                left.items.is_empty(),
                "Deployments are deleted: {:?}",
                names(&left.items)
            );
            let left = Api::<ClusterRole>::all(client.clone())
                .list(&owned)
                .await
                .unwrap();
            assert!(
                left.items.is_empty(),
                "the autoscaler's ClusterRole is deleted: {:?}",
                names(&left.items)
            );
            let left = Api::<Namespace>::all(client).list(&owned).await.unwrap();
            assert!(
                left.items.is_empty(),
                "namespaces are deleted: {:?}",
                names(&left.items)
            );
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
