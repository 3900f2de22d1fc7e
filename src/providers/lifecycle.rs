//! The one small set of states every adapter maps its service's own states to.

/// Where a resource that goes through states (EKS clusters and node groups, NAT gateways, load
/// balancers) stands in its life, mapped once from the service's own states in each adapter
/// (EKS `CREATE_FAILED`, `DELETE_FAILED`, `DEGRADED`, `FAILED`, EC2 and ELB `failed` are all
/// `Failed`), so that nothing downstream compares state text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    /// Being created (or waiting to be).
    Pending,
    Ready,
    Updating,
    /// Failed to be created or deleted, or degraded: only a replacement mends it.
    Failed,
    Deleting,
}

impl Lifecycle {
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Pending => "pending",
            Lifecycle::Ready => "active",
            Lifecycle::Updating => "updating",
            Lifecycle::Failed => "failed",
            Lifecycle::Deleting => "deleting",
        }
    }
}
