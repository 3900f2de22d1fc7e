//! The HorizontalPodAutoscalers the tool applies, scaling on real metrics: the rig runs
//! metrics-server as EKS's add-on does (registered as the metrics.k8s.io API), scraping kwok's
//! simulated kubelet metrics, where each pod's CPU is what its `kwok.x-k8s.io/usage-cpu`
//! annotation says. The controller-manager's HPA controller does the rest, as on EKS.

use std::time::{Duration, Instant};

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, Patch, PatchParams};
use serde_json::{Value as Json, json};

use crate::rig::*;

/// The backend's pods ask for 100m CPU each (manifests/backend/app.yaml); the reference
/// stack's autoscaler targets 70 % of it, between 2 and 10 pods.
const REQUEST_MILLICORES: u64 = 100;
const TARGET_PERCENT: u64 = 70;
const MAX_PODS: i32 = 10;

#[test]
fn the_backends_autoscaler_reads_cpu_from_metrics_server_and_scales_out_within_its_bounds() {
    let case = Case::new(11);
    case.up();
    let name = case.backend();
    let context = "rig-c2";
    block_on(async {
        let client = &client(context).await;
        let name = &name;
        // The metrics API answers for the backend's pods, as `kubectl top pods` would read it.
        let listed = wait_until(Duration::from_secs(90), || async move {
            let url = format!("/apis/metrics.k8s.io/v1beta1/namespaces/{name}/pods");
            let request = http::Request::get(url).body(Vec::new()).unwrap();
            let pods: Json = client.request(request).await.ok()?;
            let count = pods["items"].as_array()?.len();
            (count == 2).then_some(pods)
        })
        .await
        .expect("metrics-server lists the backend's two pods within 90 s");
        eprintln!("metrics API: {listed}");

        // Load: every running pod at 5x its request, a utilisation of 500 % against 70 %.
        let load_millicores = 5 * REQUEST_MILLICORES;
        let loaded = Instant::now();
        let pods: Api<Pod> = Api::namespaced(client.clone(), name);
        for pod in pods.list(&ListParams::default()).await.unwrap().items {
            let edit = json!({"metadata": {"annotations": {
                "kwok.x-k8s.io/usage-cpu": format!("{load_millicores}m")}}});
            let pod_name = pod.metadata.name.unwrap();
            pods.patch(&pod_name, &PatchParams::default(), &Patch::Merge(&edit))
                .await
                .unwrap();
        }

        let hpas = &Api::<HorizontalPodAutoscaler>::namespaced(client.clone(), name);
        let status = wait_until(Duration::from_secs(240), || async move {
            let status = hpas.get(name).await.ok()?.status?;
            (status.desired_replicas > 2).then_some(status)
        })
        .await
        .unwrap_or_else(|| {
            panic!("the autoscaler never asked for more than 2 pods within 240 s of the load")
        });
        eprintln!(
            "measured: the autoscaler asked for {} pods {:.1}s after the load",
            status.desired_replicas,
            loaded.elapsed().as_secs_f64()
        );
        // Utilisation read back as the autoscaler saw it: at least the target (new pods run at
        // the 1m kwok gives an unannotated pod, which only lowers the average).
        let seen = status
            .current_metrics
            .unwrap_or_default()
            .into_iter()
            .find_map(|m| m.resource?.current.average_utilization)
            .expect("the autoscaler reports the CPU utilisation it read");
        assert!(
            seen as u64 > TARGET_PERCENT,
            "utilisation {seen} % above the {TARGET_PERCENT} % target"
        );
        assert!(
            status.desired_replicas <= MAX_PODS,
            "{} pods within the maximum of {MAX_PODS}",
            status.desired_replicas
        );
        // Two pods at 5x their request need 2 * 500 / 70 = 15 pods' worth: the maximum, which
        // the autoscaler reaches in steps (at most 4 pods or double per 15 s).
        let at_max = wait_until(Duration::from_secs(240), || async move {
            let d = deployment(context, name).await?;
            let available = d.status?.available_replicas?;
            (available == MAX_PODS).then_some(available)
        })
        .await;
        assert_eq!(
            at_max,
            Some(MAX_PODS),
            "the Deployment grows to the autoscaler's maximum and its pods run"
        );
    });

    // What the autoscaler chose is not drift: plan is empty and up leaves the replicas alone.
    let plan = case.run(&["plan"]);
    assert_eq!(plan.code, 0, "no changes planned:\n{}", plan.stdout);
    case.up();
    block_on(async {
        let d = deployment(context, &name).await.unwrap();
        assert_eq!(d.spec.unwrap().replicas, Some(MAX_PODS));
    });
    case.down();
}

/// Polls `probe` every second until it gives a value or `limit` has passed.
async fn wait_until<T, F, Fut>(limit: Duration, mut probe: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = probe().await {
            return Some(value);
        }
        if started.elapsed() >= limit {
            return None;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
