//! Which Cluster Autoscaler a cluster runs. Its releases follow Kubernetes minors one to one (a
//! release is tested against its own minor only), so the default image is chosen from the
//! cluster's version; a table dated like the EKS calendar, with a test that says when it needs
//! refreshing.

use super::types::ClusterSpec;

/// When the table was compiled (`YYYY-MM-DD`).
pub const RELEASES_DATE: &str = "2026-12-03";

const REPOSITORY: &str = "registry.k8s.io/autoscaling/cluster-autoscaler";

/// The release per Kubernetes minor: the newest patch for the minors EKS still supports, the
/// first release for the older ones (which no new patches will reach).
const RELEASES: &[(u32, &str)] = &[
    (28, "v1.28.0"),
    (29, "v1.29.0"),
    (30, "v1.30.0"),
    (31, "v1.31.0"),
    (32, "v1.32.5"),
    (33, "v1.33.5"),
    (34, "v1.34.4"),
    (35, "v1.35.1"),
];

/// Whether the cluster runs the autoscaler: it is on and some node group can grow.
pub fn wanted(cluster: &ClusterSpec) -> bool {
    cluster.autoscaler.enabled && cluster.node_groups.iter().any(|g| g.max > g.min)
}

/// The minor of a `1.35` version.
fn minor(version: &str) -> Option<u32> {
    version.strip_prefix("1.")?.parse().ok()
}

/// The release for a Kubernetes version, if the table has one.
pub fn release_for(version: &str) -> Option<&'static str> {
    let minor = minor(version)?;
    RELEASES.iter().find(|r| r.0 == minor).map(|r| r.1)
}

/// The image the cluster runs: the stack's, or the release for its version.
pub fn image(cluster: &ClusterSpec) -> Option<String> {
    match &cluster.autoscaler.image {
        Some(image) => Some(image.clone()),
        None => release_for(&cluster.version).map(|tag| format!("{REPOSITORY}:{tag}")),
    }
}

/// The minors the table knows, for messages (`1.28–1.35, as of 2026-12-03`).
pub fn known_minors() -> String {
    let first = RELEASES.first().map_or(0, |r| r.0);
    let last = RELEASES.last().map_or(0, |r| r.0);
    format!("1.{first}–1.{last}, as of {RELEASES_DATE}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::prices::days_since_epoch;
    use crate::stack::eks_versions;

    /// A new Kubernetes minor comes about every four months, its autoscaler soon after.
    const MAX_AGE_DAYS: i64 = 120;

    #[test]
    fn every_minor_eks_knows_has_a_release() {
        for minor in 28..=eks_versions::newest() {
            let tag = release_for(&format!("1.{minor}"))
                .unwrap_or_else(|| panic!("no Cluster Autoscaler release for 1.{minor}"));
            assert!(
                tag.starts_with(&format!("v1.{minor}.")),
                "1.{minor} -> {tag}"
            );
        }
    }

    #[test]
    fn images_are_chosen_by_minor_and_the_stack_can_pin_its_own() {
        let mut cluster: ClusterSpec =
            serde_json::from_str(r#"{"name": "c", "version": "1.34"}"#).unwrap();
        assert_eq!(
            image(&cluster).as_deref(),
            Some("registry.k8s.io/autoscaling/cluster-autoscaler:v1.34.4")
        );
        cluster.version = "1.99".into();
        assert_eq!(image(&cluster), None);
        cluster.autoscaler.image = Some("example.com/ca:v9".into());
        assert_eq!(image(&cluster).as_deref(), Some("example.com/ca:v9"));
    }

    #[test]
    fn only_a_group_that_can_grow_wants_it() {
        let mut cluster: ClusterSpec = serde_json::from_str(
            r#"{"name": "c", "nodeGroups": [{"name": "a", "min": 2, "desired": 2, "max": 2}]}"#,
        )
        .unwrap();
        assert!(!wanted(&cluster));
        cluster.node_groups[0].max = 3;
        assert!(wanted(&cluster));
        cluster.autoscaler.enabled = false;
        assert!(!wanted(&cluster));
    }

    #[test]
    fn the_release_table_is_fresh() {
        let age = eks_versions::today() - days_since_epoch(RELEASES_DATE).unwrap();
        assert!(
            age >= 0,
            "the table is dated in the future: {RELEASES_DATE}"
        );
        assert!(
            age <= MAX_AGE_DAYS,
            "the Cluster Autoscaler release table of {RELEASES_DATE} is {age} days old: add \
             the releases since to src/stack/autoscaler.rs and set RELEASES_DATE"
        );
    }
}
