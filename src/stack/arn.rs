//! ARNs the stack names (`arn:<partition>:<service>:<region>:<account>:<resource>`), read in
//! one place: an existing certificate, a secrets key, an IAM role or user.

/// An ARN's parts, its account twelve digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    pub service: &'a str,
    /// Empty for global services (IAM).
    pub region: &'a str,
    pub resource: &'a str,
    pub partition: &'a str,
    pub account: &'a str,
}

pub fn parse(arn: &str) -> Option<Arn<'_>> {
    let mut parts = arn.splitn(6, ':');
    let (word, partition, service, region, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let ok = word == "arn"
        && partition.starts_with("aws")
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(Arn {
        partition,
        account,
        service,
        region,
        resource,
    })
}

/// The region of an ARN of `service` whose resource is `<prefix><something>`.
pub fn region_of<'a>(arn: &'a str, service: &str, prefix: &str) -> Option<&'a str> {
    let a = parse(arn)?;
    let named = a
        .resource
        .strip_prefix(prefix)
        .is_some_and(|n| !n.is_empty());
    (a.service == service && !a.region.is_empty() && named).then_some(a.region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_arn_names_its_service_region_and_resource() {
        let arn = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b";
        assert_eq!(region_of(arn, "acm", "certificate/"), Some("us-east-1"));
        assert_eq!(region_of(arn, "kms", "key/"), None);
        let short_account = "arn:aws:acm:us-east-1:123:certificate/x";
        assert_eq!(region_of(short_account, "acm", "certificate/"), None);
        let unnamed = "arn:aws:kms:us-east-1:123456789012:key/";
        assert_eq!(region_of(unnamed, "kms", "key/"), None);
        let role = parse("arn:aws:iam::123456789012:role/ops").unwrap();
        assert_eq!(
            (role.service, role.region, role.resource),
            ("iam", "", "role/ops")
        );
        assert_eq!(parse("arn:aws:iam:123456789012:role/ops"), None);
    }
}
