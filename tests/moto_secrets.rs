//! Secrets envelope encryption on moto, read back with the AWS SDK: `up` makes a key per
//! region (rotation on, the cluster role in its policy) and creates each cluster with it;
//! rotation turned off by hand is drift that `up` repairs; `verify` passes MR-EKS-004; `down`
//! schedules both keys' deletion.

mod common;

use common::aws::{STACK, fresh_moto, multiregion_with, runtime, sdk_config};

const CLUSTER_ROLE: &str =
    "arn:aws:iam::123456789012:role/multiregion/petclinic/petclinic-eks-cluster";

/// The key tagged `multiregion:id=<id>` in `region`, with its state.
async fn key(url: &str, region: &str, id: &str) -> Option<(String, String)> {
    let kms = aws_sdk_kms::Client::new(&sdk_config(url, region).await);
    for k in kms.list_keys().send().await.unwrap().keys() {
        let arn = k.key_arn().unwrap();
        let tags = kms.list_resource_tags().key_id(arn).send().await.unwrap();
        let ours = tags
            .tags()
            .iter()
            .any(|t| t.tag_key() == "multiregion:id" && t.tag_value() == id);
        let described = kms.describe_key().key_id(arn).send().await.unwrap();
        let state = described.key_metadata().unwrap().key_state().unwrap();
        if ours && state.as_str() != "PendingDeletion" {
            return Some((arn.to_string(), state.as_str().to_string()));
        }
        if ours {
            return Some((arn.to_string(), "PendingDeletion".to_string()));
        }
    }
    None
}

#[test]
fn clusters_are_made_with_their_regions_key_and_down_schedules_its_deletion() {
    let (_guard, url) = fresh_moto();
    let up = multiregion_with(url, STACK, &["up"]);
    assert_eq!(up.code, 0, "{}", up.stderr);

    let east_key = runtime().block_on(async {
        let (arn, state) = key(url, "us-east-1", "c1/kms/secrets")
            .await
            .expect("c1's key");
        assert_eq!(state, "Enabled");
        let config = sdk_config(url, "us-east-1").await;
        let kms = aws_sdk_kms::Client::new(&config);
        let rotation = kms.get_key_rotation_status().key_id(&arn).send().await;
        assert!(rotation.unwrap().key_rotation_enabled());
        let policy = kms
            .get_key_policy()
            .key_id(&arn)
            .policy_name("default")
            .send()
            .await
            .unwrap();
        let policy = policy.policy().unwrap_or_default();
        assert!(policy.contains(CLUSTER_ROLE), "{policy}");
        assert!(
            policy.contains("arn:aws:iam::123456789012:root"),
            "{policy}"
        );

        let eks = aws_sdk_eks::Client::new(&config);
        let cluster = eks
            .describe_cluster()
            .name("petclinic-c1")
            .send()
            .await
            .unwrap();
        let encryption = cluster.cluster().unwrap().encryption_config();
        assert_eq!(encryption.len(), 1, "{encryption:?}");
        assert_eq!(encryption[0].resources(), ["secrets"]);
        let used = encryption[0].provider().and_then(|p| p.key_arn());
        assert_eq!(used, Some(arn.as_str()));

        // Rotation turned off by hand.
        kms.disable_key_rotation()
            .key_id(&arn)
            .send()
            .await
            .unwrap();
        arn
    });

    let plan = multiregion_with(url, STACK, &["plan"]);
    assert_eq!(plan.code, 2, "{}{}", plan.stdout, plan.stderr);
    assert!(
        plan.stdout.contains("~   c1/kms/secrets  SecretsKey"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("rotation: false -> true"),
        "{}",
        plan.stdout
    );
    let repair = multiregion_with(url, STACK, &["up"]);
    assert_eq!(repair.code, 0, "{}", repair.stderr);
    assert_eq!(multiregion_with(url, STACK, &["plan"]).code, 0);

    let skip = ["--skip", "MR-K8S-001", "--skip", "MR-K8S-002"];
    let verify = multiregion_with(url, STACK, &[&["verify"][..], &skip].concat());
    let line = verify.stdout.lines().find(|l| l.contains("MR-EKS-004"));
    assert!(
        line.is_some_and(|l| l.contains(" pass ")),
        "{}",
        verify.stdout
    );

    let down = multiregion_with(url, STACK, &["down", "--yes"]);
    assert_eq!(down.code, 0, "{}", down.stderr);
    runtime().block_on(async {
        let (arn, state) = key(url, "us-east-1", "c1/kms/secrets").await.unwrap();
        assert_eq!((arn, state.as_str()), (east_key, "PendingDeletion"));
        let (_, state) = key(url, "us-west-2", "c2/kms/secrets").await.unwrap();
        assert_eq!(state, "PendingDeletion");
    });
    // Gone for the stack: the next plan makes new keys.
    let plan = multiregion_with(url, STACK, &["plan"]);
    assert!(
        plan.stdout.contains("+   c1/kms/secrets"),
        "{}",
        plan.stdout
    );
}
