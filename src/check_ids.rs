//! The security checks' ids, where both the stack format (which lets a stack skip a check by
//! id) and the checks themselves (`verify::checks::CATALOG`, whose ids a test holds to this
//! list) can read them.

pub const CHECK_IDS: &[&str] = &[
    "MR-WAF-001",
    "MR-LB-001",
    "MR-LB-002",
    "MR-NET-001",
    "MR-NET-002",
    "MR-NET-003",
    "MR-NET-004",
    "MR-NET-005",
    "MR-NET-006",
    "MR-NET-007",
    "MR-NET-008",
    "MR-EKS-001",
    "MR-EKS-002",
    "MR-EKS-003",
    "MR-EKS-004",
    "MR-EKS-005",
    "MR-EKS-006",
    "MR-K8S-001",
    "MR-K8S-002",
    "MR-STK-001",
    "MR-COST-001",
    "MR-COST-003",
    "MR-OBS-001",
];

/// Checks that were, with what took their place: a stack or a command line that still skips
/// one is told so (a warning), not refused.
pub const RETIRED: &[(&str, &str)] = &[(
    "MR-COST-002",
    "MR-COST-002 is retired: MR-EKS-006 checks that node groups which can grow have an autoscaler",
)];

/// Why a check id is no longer a check, if it is a retired one.
pub fn retired(id: &str) -> Option<&'static str> {
    RETIRED.iter().find(|r| r.0 == id).map(|r| r.1)
}

pub fn is_check(id: &str) -> bool {
    CHECK_IDS.contains(&id)
}
