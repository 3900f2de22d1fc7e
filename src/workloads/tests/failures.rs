//! What goes wrong talking to a cluster: a rollout that fails, an API that does not answer, a
//! plain-text 404.

use super::mock::{Cluster, seen};
use super::{manifests, up};
use crate::workloads::*;

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
