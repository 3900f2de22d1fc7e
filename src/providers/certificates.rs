//! ACM certificates the stack requests for the public load balancer's domain, and the DNS
//! records in the stack's Route 53 hosted zone that prove the domain is ours to ACM.

use std::time::Duration;

use async_trait::async_trait;

use super::{ErrorKind, ProviderError, Result, Tags};

/// The tag a requested certificate carries its hosted zone in: discovery finds the
/// validation records through it even after the stack stopped naming the zone.
pub const TAG_ZONE: &str = "multiregion:hosted-zone";

/// ACM's answer once the domain is validated.
pub const ISSUED: &str = "ISSUED";
/// ACM's answer while it waits for the DNS records.
pub const PENDING: &str = "PENDING_VALIDATION";

/// A DNS record as Route 53 takes it; names end with a dot, as Route 53 writes them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DnsRecord {
    pub name: String,
    /// `CNAME` for a validation record.
    pub kind: String,
    pub value: String,
}

/// An `A` alias record: the name, and the DNS name (with its hosted zone) it resolves as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasRecord {
    pub name: String,
    pub target: String,
    pub target_zone: String,
}

/// What an `A` record at a name holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ARecord {
    Alias(AliasRecord),
    /// Addresses, written by someone else.
    Addresses(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CertificateInfo {
    pub arn: String,
    pub domain: String,
    /// ACM's status: `PENDING_VALIDATION`, `ISSUED`, `FAILED`, `VALIDATION_TIMED_OUT`, ...
    pub status: String,
    /// The records ACM asks for, one per name; empty until ACM has made them up (seconds).
    pub validation: Vec<DnsRecord>,
    /// Of `validation`, those found in the zone the certificate's tag names, with that value.
    pub validation_found: Vec<DnsRecord>,
    /// The `A` record at the domain in that zone.
    pub a_record: Option<ARecord>,
    pub tags: Tags,
}

impl CertificateInfo {
    /// The hosted zone the certificate is validated in.
    pub fn zone(&self) -> Option<&str> {
        self.tags.get(TAG_ZONE).map(String::as_str)
    }

    /// A status from which ACM never issues the certificate.
    pub fn failed(&self) -> bool {
        !matches!(self.status.as_str(), ISSUED | PENDING)
    }
}

/// ACM in one region, and Route 53 (global) for the validation records.
#[async_trait]
pub trait Certificates: Send + Sync {
    /// The stack's certificates, each with its validation records looked up in its zone.
    async fn snapshot(&self, stack: &str) -> Result<Vec<CertificateInfo>>;
    /// Requests a DNS-validated certificate for `domain`; `token` makes a repeated request
    /// answer the first one's ARN.
    async fn request(&self, domain: &str, token: &str, tags: &Tags) -> Result<String>;
    async fn describe(&self, arn: &str) -> Result<CertificateInfo>;
    /// Deletes the certificate; one in use (by a listener going away) is a dependency.
    async fn delete(&self, arn: &str) -> Result<()>;
    async fn set_tags(&self, arn: &str, add: &Tags, remove: &[String]) -> Result<()>;
    /// The hosted zone's name, with its trailing dot.
    async fn zone_name(&self, zone: &str) -> Result<String>;
    /// Writes the records (`UPSERT`: a validation record's name is the certificate's own).
    async fn upsert_records(&self, zone: &str, records: &[DnsRecord]) -> Result<()>;
    /// Deletes the records; ones not there are done.
    async fn delete_records(&self, zone: &str, records: &[DnsRecord]) -> Result<()>;
    /// The `A` record at `name` in the zone.
    async fn a_record(&self, zone: &str, name: &str) -> Result<Option<ARecord>>;
    /// Writes (`UPSERT`) an alias record.
    async fn upsert_alias(&self, zone: &str, alias: &AliasRecord) -> Result<()>;
    /// Deletes the alias record as it is; one not there is done.
    async fn delete_alias(&self, zone: &str, alias: &AliasRecord) -> Result<()>;
    /// Waits until ACM has issued the certificate or said it never will, up to `max`;
    /// answers what it last saw.
    async fn wait_issued(&self, arn: &str, max: Duration) -> Result<CertificateInfo>;
    /// Of `records`, those a certificate of this region other than `except` asks for too: ACM
    /// asks every certificate of the account for a domain for the same record, and an issued
    /// one needs it to renew.
    async fn asked_by_others(
        &self,
        records: &[DnsRecord],
        except: &[String],
    ) -> Result<Vec<DnsRecord>>;
}

/// The domain a validation record proves (`_x1.shop.example.com.` -> `shop.example.com`).
pub fn record_domain(record: &DnsRecord) -> &str {
    let name = record.name.trim_end_matches('.');
    name.split_once('.').map_or(name, |(_, domain)| domain)
}

/// Whether a certificate for `names` (its domain and alternative names) is asked for the
/// record of `domain`: a wildcard's record is its base domain's.
pub fn names_domain<'n>(names: impl IntoIterator<Item = &'n str>, domain: &str) -> bool {
    names.into_iter().any(|n| {
        let n = n.trim_end_matches('.');
        n.strip_prefix("*.")
            .unwrap_or(n)
            .eq_ignore_ascii_case(domain)
    })
}

/// The error for a certificate ACM gave up on: it is never issued, whatever the records.
pub fn not_issued(c: &CertificateInfo) -> ProviderError {
    ProviderError::new(
        ErrorKind::Other,
        "DescribeCertificate",
        format!(
            "ACM reports certificate {} for {} as {}: it will not be issued",
            c.arn, c.domain, c.status
        ),
    )
    .with_advice(
        "check that the hosted zone is the one the domain's registrar delegates to; then \
         `multiregion up --replace` requests a new certificate",
    )
}

/// A DNS name compared as Route 53 and ELB write it: lowercase, no trailing dot, and without the
/// `dualstack.` prefix Route 53 shows for an alias to a load balancer.
pub fn same_dns_name(a: &str, b: &str) -> bool {
    let plain = |n: &str| {
        let n = n.trim_end_matches('.').to_ascii_lowercase();
        n.strip_prefix("dualstack.")
            .map(str::to_string)
            .unwrap_or(n)
    };
    plain(a) == plain(b)
}

/// Whether `domain` is `zone` (with or without its trailing dot) or a name under it.
pub fn in_zone(domain: &str, zone: &str) -> bool {
    let (domain, zone) = (domain.trim_end_matches('.'), zone.trim_end_matches('.'));
    let domain = domain.strip_prefix("*.").unwrap_or(domain);
    domain.eq_ignore_ascii_case(zone)
        || domain
            .to_ascii_lowercase()
            .ends_with(&format!(".{}", zone.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_is_in_its_zone_and_under_it_but_not_beside_it() {
        assert!(in_zone("shop.example.com", "example.com."));
        assert!(in_zone("example.com", "example.com."));
        assert!(in_zone("*.example.com", "example.com"));
        assert!(in_zone("Shop.Example.com", "example.COM."));
        assert!(!in_zone("shopexample.com", "example.com."));
        assert!(!in_zone("example.org", "example.com."));
    }

    #[test]
    fn a_validation_record_proves_the_domain_under_its_first_label_and_its_wildcard() {
        let record = DnsRecord {
            name: "_a1b2.Shop.example.com.".into(),
            kind: "CNAME".into(),
            value: "_c3.acm-validations.aws.".into(),
        };
        let domain = record_domain(&record);
        assert_eq!(domain, "Shop.example.com");
        assert!(names_domain(["other.org", "shop.example.com"], domain));
        assert!(names_domain(["*.shop.example.com."], domain));
        assert!(!names_domain(["example.com", "*.example.com"], domain));
    }
}
