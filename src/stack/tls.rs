//! Which ELB security policies allow TLS 1.2 and newer only. AWS names its policies by the
//! oldest protocol they accept (`ELBSecurityPolicy-TLS13-1-2-2021-06`: TLS 1.3 and 1.2), so the
//! families below are those whose floor is 1.2 or 1.3; the older ones (`ELBSecurityPolicy-2016-08`,
//! `-TLS-1-1-2017-01`, `-TLS13-1-0-2021-06`, `-FS-1-1-2019-08`) still accept TLS 1.0 or 1.1.

const TLS12_FAMILIES: &[&str] = &[
    "ELBSecurityPolicy-TLS13-1-2-",
    "ELBSecurityPolicy-TLS13-1-3-",
    "ELBSecurityPolicy-TLS-1-2-",
    "ELBSecurityPolicy-FS-1-2-",
];

/// Whether `policy` accepts only TLS 1.2 and newer.
pub fn tls12_or_newer(policy: &str) -> bool {
    TLS12_FAMILIES
        .iter()
        .any(|f| policy.strip_prefix(f).is_some_and(|rest| !rest.is_empty()))
}

/// Whether `name` is a DNS name to request the entry's certificate for: two labels or more of
/// lowercase letters, digits and inner hyphens (no wildcard: the name is also pointed at the
/// load balancer).
pub fn domain_name(name: &str) -> Result<(), String> {
    if name.len() > 253 {
        return Err("longer than DNS's 253 characters".to_string());
    }
    if name.starts_with("*.") {
        return Err(
            "a wildcard is no name clients use: the entry needs one to point at the load balancer"
                .to_string(),
        );
    }
    let labels: Vec<&str> = name.split('.').collect();
    if labels.len() < 2 {
        return Err("not a fully qualified name".to_string());
    }
    for label in labels {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return Err(format!(
                "label {label:?} is not 1 to 63 lowercase letters, digits and inner hyphens"
            ));
        }
    }
    Ok(())
}

/// Whether `id` looks like a Route 53 hosted zone id.
pub fn hosted_zone_id(id: &str) -> bool {
    (1..=32).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_policies_with_a_tls_1_2_floor_pass() {
        for good in [
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
            "ELBSecurityPolicy-TLS13-1-3-2021-06",
            "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
            "ELBSecurityPolicy-FS-1-2-Res-2020-10",
        ] {
            assert!(tls12_or_newer(good), "{good}");
        }
        for bad in [
            "ELBSecurityPolicy-2016-08",
            "ELBSecurityPolicy-TLS-1-1-2017-01",
            "ELBSecurityPolicy-TLS13-1-0-2021-06",
            "ELBSecurityPolicy-TLS13-1-1-2021-06",
            "ELBSecurityPolicy-FS-1-1-2019-08",
            "ELBSecurityPolicy-TLS13-1-2-",
            "",
        ] {
            assert!(!tls12_or_newer(bad), "{bad}");
        }
    }

    #[test]
    fn domain_names_are_fully_qualified_and_lowercase() {
        assert!(domain_name("shop.example.com").is_ok());
        assert!(
            domain_name("*.example.com")
                .unwrap_err()
                .contains("wildcard")
        );
        assert!(domain_name("a-1.example.com").is_ok());
        for bad in [
            "example",
            "Shop.example.com",
            "shop..example.com",
            "-a.example.com",
            "shop.example.com.",
            "a.*.example.com",
        ] {
            assert!(domain_name(bad).is_err(), "{bad}");
        }
        assert!(hosted_zone_id("Z0123456789ABCDEFGHIJ"));
        assert!(!hosted_zone_id("/hostedzone/Z0123"));
        assert!(!hosted_zone_id(""));
    }
}
