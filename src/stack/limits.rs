//! Every bound on what a stack file may hold, in one place. The types put them in the JSON
//! Schema (`maxLength`, `maxItems`, `maxProperties`, `propertyNames`, `maximum`), so an editor
//! shows them, and the structural walk enforces them before any other check reads a value: no
//! stack can make validation slow or its report long. README's "Limits" table lists them.

/// The stack file, refused before it is parsed.
pub const FILE_BYTES: u64 = 1024 * 1024;
/// YAML nodes in the stack, aliases expanded: the reference stack has about 230, and this
/// bound keeps the worst file under the size limit to a few tens of milliseconds.
pub const NODES: usize = 50_000;

// ---- strings, in characters ----------------------------------------------------------------

/// A string whose field names no bound of its own (the walk's fallback).
pub const TEXT: usize = 1024;
/// Stack names: load balancer names derived from them have 32 characters at most.
pub const STACK_NAME: usize = 20;
/// Region names (`c1`): they prefix every logical id.
pub const REGION_NAME: usize = 8;
/// Codes, identifiers and CIDR blocks: AWS regions, versions, instance types, allow entries,
/// check ids.
pub const WORD: usize = 64;
/// EKS cluster names.
pub const CLUSTER_NAME: usize = 100;
/// Node group names.
pub const NODE_GROUP_NAME: usize = 40;
/// Workload names: a namespace, and `<name>-allow` still a DNS-1123 label (63).
pub const WORKLOAD_NAME: usize = 40;
/// WAF web ACL names.
pub const WAF_ACL_NAME: usize = 100;
/// IAM ARNs.
pub const ARN: usize = 2048;
/// A DNS name.
pub const DOMAIN: usize = 253;
/// A kubeconfig context's name.
pub const CONTEXT: usize = 253;
/// An image name with its registry (the OCI distribution's 255) and an optional
/// `@sha256:` digest (71 more).
pub const IMAGE: usize = 255 + 71;
/// An image tag (the OCI distribution's).
pub const IMAGE_TAG: usize = 128;
/// A manifests folder.
pub const PATH: usize = 1024;
/// AWS tag keys and values.
pub const TAG_KEY: usize = 128;
pub const TAG_VALUE: usize = 256;
/// Kubernetes label keys (a 253-character prefix, `/`, a 63-character name) and values.
pub const LABEL_KEY: usize = 317;
pub const LABEL_VALUE: usize = 63;

// ---- lists and maps, in entries -------------------------------------------------------------

/// The product is two regions: one frontend, one backend.
pub const REGIONS: usize = 2;
/// Subnets per tier: one per AZ, and no region this tool knows has more than 6 AZs.
pub const SUBNETS: usize = 8;
/// Each of the five control-plane log types once.
pub const LOG_TYPES: usize = 5;
/// Cluster admins (access entries).
pub const ADMINS: usize = 50;
/// Managed node groups per cluster (EKS's default quota).
pub const NODE_GROUPS: usize = 30;
/// EKS add-ons per cluster.
pub const ADDONS: usize = 20;
/// Instance types per node group.
pub const INSTANCE_TYPES: usize = 20;
/// Labels per node group.
pub const LABELS: usize = 50;
/// CIDR blocks that may reach a public EKS endpoint.
pub const PUBLIC_CIDRS: usize = 40;
/// Listeners per load balancer (ELB's quota).
pub const LISTENERS: usize = 50;
/// Allow entries per load balancer: each becomes a security group rule per listener.
pub const ALLOW: usize = 20;
/// WAF web ACLs.
pub const WAF_ACLS: usize = 10;
/// Managed rule groups per web ACL: each AWS managed group this tool knows, once.
pub const MANAGED_RULE_GROUPS: usize = super::semantic::MANAGED_RULE_GROUPS.len();
/// Workloads.
pub const WORKLOADS: usize = 20;
/// Skipped checks: each check once.
pub const SKIPS: usize = crate::check_ids::CHECK_IDS.len();
/// User tags: AWS allows 50 per resource and the tool sets 3 itself (`Name`,
/// `multiregion:stack`, `multiregion:id`).
pub const TAGS: usize = 50 - 3;

// ---- numbers -------------------------------------------------------------------------------

/// Replicas and autoscaling bounds reach Kubernetes as int32; node group sizes reach EKS as
/// Integer.
pub const INT32: i64 = i32::MAX as i64;

#[cfg(test)]
mod tests {
    use serde_json::Value as Json;

    /// Every string, list and map the stack takes has its bound in the schema, so a field
    /// added later cannot take a megabyte, or a million entries, unnoticed.
    #[test]
    fn every_string_list_and_map_of_the_schema_is_bounded() {
        let schema = serde_json::to_value(schemars::schema_for!(super::super::types::Stack));
        let mut unbounded = Vec::new();
        visit(&schema.unwrap(), "#", &mut unbounded);
        assert_eq!(unbounded, Vec::<String>::new());
    }

    fn visit(node: &Json, at: &str, unbounded: &mut Vec<String>) {
        let Json::Object(map) = node else {
            if let Json::Array(items) = node {
                for (i, item) in items.iter().enumerate() {
                    visit(item, &format!("{at}/{i}"), unbounded);
                }
            }
            return;
        };
        let has_type = |t: &str| match map.get("type") {
            Some(Json::String(s)) => s == t,
            Some(Json::Array(ts)) => ts.iter().any(|x| x == t),
            _ => false,
        };
        let closed = map.contains_key("enum") || map.contains_key("const");
        if has_type("string") && !closed && !map.contains_key("maxLength") {
            unbounded.push(format!("{at}: maxLength"));
        }
        if has_type("array") && !map.contains_key("maxItems") {
            unbounded.push(format!("{at}: maxItems"));
        }
        if has_type("object") && map.get("additionalProperties").is_some_and(Json::is_object) {
            if !map.contains_key("maxProperties") {
                unbounded.push(format!("{at}: maxProperties"));
            }
            if map
                .get("propertyNames")
                .and_then(|p| p.get("maxLength"))
                .is_none()
            {
                unbounded.push(format!("{at}: propertyNames.maxLength"));
            }
        }
        for (key, child) in map {
            if key != "default" && key != "enum" && key != "const" {
                visit(child, &format!("{at}/{key}"), unbounded);
            }
        }
    }

    #[test]
    fn the_counted_lists_match_what_they_count() {
        assert_eq!(super::LOG_TYPES, super::super::types::LogType::all().len());
        assert_eq!(super::MANAGED_RULE_GROUPS, 14);
        assert_eq!(super::SKIPS, 23);
    }
}
