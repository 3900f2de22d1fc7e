//! The fake world's ACM certificates (per region) and Route 53 hosted zones (global). As in
//! ACM, a requested certificate is issued only once its validation record is in a zone the
//! domain is in; a test can make ACM give up on one instead.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use async_trait::async_trait;

use super::*;
use crate::providers::*;

const ACM: &str = "ACM";
const ROUTE53: &str = "Route 53";

#[derive(Debug, Clone)]
pub(crate) struct Certificate {
    pub domain: String,
    pub status: String,
    pub tags: Tags,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Zone {
    pub name: String,
    pub records: BTreeSet<DnsRecord>,
    /// `A` records by name (with its trailing dot).
    pub a_records: BTreeMap<String, ARecord>,
}

fn dotted(name: &str) -> String {
    format!("{}.", name.trim_end_matches('.'))
}

/// The record ACM asks for: as in ACM, the same for every certificate of the account for the
/// same domain, in whichever region.
fn validation_record(_arn: &str, domain: &str) -> DnsRecord {
    let domain = domain.strip_prefix("*.").unwrap_or(domain);
    let token: String = domain.bytes().map(|b| format!("{b:02x}")).take(8).collect();
    DnsRecord {
        name: format!("_{token}.{domain}."),
        kind: "CNAME".to_string(),
        value: format!("_{token}.acm-validations.aws."),
    }
}

/// Issues a pending certificate whose record some zone holding its domain has.
fn validate(s: &mut State, region: &str, arn: &str) {
    let Some(c) = s.regions.get(region).and_then(|r| r.certificates.get(arn)) else {
        return;
    };
    let want = validation_record(arn, &c.domain);
    let proven = s
        .zones
        .values()
        .any(|z| in_zone(&c.domain, &z.name) && z.records.contains(&want));
    if let Some(c) = s
        .regions
        .get_mut(region)
        .and_then(|r| r.certificates.get_mut(arn))
        && c.status == PENDING
        && proven
    {
        c.status = ISSUED.to_string();
    }
}

fn info(s: &State, arn: &str, c: &Certificate) -> CertificateInfo {
    let record = validation_record(arn, &c.domain);
    let zone = c.tags.get(TAG_ZONE).and_then(|z| s.zones.get(z));
    let found = zone.is_some_and(|z| z.records.contains(&record));
    let a_record = zone.and_then(|z| z.a_records.get(&dotted(&c.domain)).cloned());
    CertificateInfo {
        arn: arn.to_string(),
        domain: c.domain.clone(),
        status: c.status.clone(),
        validation: vec![record.clone()],
        validation_found: if found { vec![record] } else { Vec::new() },
        a_record,
        tags: c.tags.clone(),
    }
}

impl FakeRegion {
    fn describe_now(&self, op: Op, arn: &str) -> Result<CertificateInfo> {
        self.with(op, |s, _| {
            validate(s, &self.region, arn);
            let c = self.here(s).certificates.get(arn).cloned();
            let c = c.ok_or_else(|| op.not_found(arn))?;
            Ok(info(s, arn, &c))
        })
    }

    fn zone<'s>(s: &'s mut State, op: Op, zone: &str) -> Result<&'s mut Zone> {
        s.zones
            .get_mut(zone)
            .ok_or_else(|| op.error(ErrorKind::NotFound, format!("NoSuchHostedZone: {zone}")))
    }
}

#[async_trait]
impl Certificates for FakeRegion {
    async fn snapshot(&self, stack: &str) -> Result<Vec<CertificateInfo>> {
        let op = self.call(ACM, "ListCertificates").await?;
        self.with(op, |s, _| {
            let arns: Vec<String> = self.here(s).certificates.keys().cloned().collect();
            for arn in &arns {
                validate(s, &self.region, arn);
            }
            let r = s.regions.get(&self.region).expect("checked by `with`");
            Ok(r.certificates
                .iter()
                .filter(|(_, c)| owned(&c.tags, stack))
                .map(|(arn, c)| info(s, arn, c))
                .collect())
        })
    }

    async fn request(&self, domain: &str, token: &str, tags: &Tags) -> Result<String> {
        let op = self.call(ACM, "RequestCertificate").await?;
        self.with(op, |s, _| {
            self.once(token, s, |s| {
                let arn = self.arn(s, "acm", "certificate");
                let c = Certificate {
                    domain: domain.to_string(),
                    status: PENDING.to_string(),
                    tags: tags.clone(),
                };
                self.here(s).certificates.insert(arn.clone(), c);
                Ok(arn)
            })
        })
    }

    async fn describe(&self, arn: &str) -> Result<CertificateInfo> {
        let op = self.call(ACM, "DescribeCertificate").await?;
        self.describe_now(op, arn)
    }

    async fn delete(&self, arn: &str) -> Result<()> {
        let op = self.call(ACM, "DeleteCertificate").await?;
        self.with(op, |s, _| {
            let in_use = s.regions[&self.region]
                .listeners
                .values()
                .any(|l| l.certificate.as_deref() == Some(arn));
            if in_use {
                let why = format!("ResourceInUseException: {arn} is in use by a listener");
                return Err(op.error(ErrorKind::DependencyViolation, why));
            }
            let gone = self.here(s).certificates.remove(arn);
            gone.map(drop).ok_or_else(|| op.not_found(arn))
        })
    }

    async fn set_tags(&self, arn: &str, add: &Tags, remove: &[String]) -> Result<()> {
        let op = self.call(ACM, "AddTagsToCertificate").await?;
        self.in_region(op, |r, _| {
            let c = r
                .certificates
                .get_mut(arn)
                .ok_or_else(|| op.not_found(arn))?;
            retag(&mut c.tags, add, remove);
            Ok(())
        })
    }

    async fn zone_name(&self, zone: &str) -> Result<String> {
        let op = self.call(ROUTE53, "GetHostedZone").await?;
        self.with(op, |s, _| Ok(Self::zone(s, op, zone)?.name.clone()))
    }

    async fn upsert_records(&self, zone: &str, records: &[DnsRecord]) -> Result<()> {
        let op = self.call(ROUTE53, "ChangeResourceRecordSets").await?;
        self.with(op, |s, _| {
            let z = Self::zone(s, op, zone)?;
            for r in records {
                z.records
                    .retain(|have| (&have.name, &have.kind) != (&r.name, &r.kind));
                z.records.insert(r.clone());
            }
            Ok(())
        })
    }

    async fn delete_records(&self, zone: &str, records: &[DnsRecord]) -> Result<()> {
        let op = self.call(ROUTE53, "ChangeResourceRecordSets").await?;
        self.with(op, |s, _| {
            let z = Self::zone(s, op, zone)?;
            for r in records {
                z.records.remove(r);
            }
            Ok(())
        })
    }

    async fn a_record(&self, zone: &str, name: &str) -> Result<Option<ARecord>> {
        let op = self.call(ROUTE53, "ListResourceRecordSets").await?;
        self.with(op, |s, _| {
            Ok(Self::zone(s, op, zone)?
                .a_records
                .get(&dotted(name))
                .cloned())
        })
    }

    async fn upsert_alias(&self, zone: &str, alias: &AliasRecord) -> Result<()> {
        let op = self.call(ROUTE53, "ChangeResourceRecordSets").await?;
        self.with(op, |s, _| {
            let record = ARecord::Alias(AliasRecord {
                name: dotted(&alias.name),
                ..alias.clone()
            });
            Self::zone(s, op, zone)?
                .a_records
                .insert(dotted(&alias.name), record);
            Ok(())
        })
    }

    async fn delete_alias(&self, zone: &str, alias: &AliasRecord) -> Result<()> {
        let op = self.call(ROUTE53, "ChangeResourceRecordSets").await?;
        self.with(op, |s, _| {
            let z = Self::zone(s, op, zone)?;
            let there = z.a_records.get(&dotted(&alias.name));
            if matches!(there, Some(ARecord::Alias(a)) if same_dns_name(&a.target, &alias.target)) {
                z.a_records.remove(&dotted(&alias.name));
            }
            Ok(())
        })
    }

    async fn wait_issued(&self, arn: &str, _max: Duration) -> Result<CertificateInfo> {
        let op = self.call(ACM, "DescribeCertificate").await?;
        self.describe_now(op, arn)
    }

    async fn asked_by_others(
        &self,
        records: &[DnsRecord],
        except: &[String],
    ) -> Result<Vec<DnsRecord>> {
        let op = self.call(ACM, "ListCertificates").await?;
        self.with(op, |s, _| {
            let others = self.here(s).certificates.iter();
            let others = others.filter(|(arn, _)| !except.contains(arn));
            let others = others.filter(|(_, c)| [ISSUED, PENDING].contains(&c.status.as_str()));
            let asked: Vec<DnsRecord> = others
                .map(|(arn, c)| validation_record(arn, &c.domain))
                .collect();
            Ok(records
                .iter()
                .filter(|r| asked.contains(r))
                .cloned()
                .collect())
        })
    }
}

impl FakeWorld {
    /// A certificate someone requested outside any stack, for `domain`; its ARN.
    pub fn request_certificate_elsewhere(&self, region: &str, domain: &str) -> String {
        let region = FakeRegion {
            world: self.inner.clone(),
            region: region.to_string(),
        };
        let mut s = self.inner.lock();
        let arn = region.arn(&mut s, "acm", "certificate");
        let c = Certificate {
            domain: domain.to_string(),
            status: ISSUED.to_string(),
            tags: Tags::new(),
        };
        region.here(&mut s).certificates.insert(arn.clone(), c);
        arn
    }

    /// A hosted zone for `name` (`example.com.`); its id.
    pub fn add_zone(&self, name: &str) -> String {
        let mut s = self.inner.lock();
        s.next_id += 1;
        let id = format!("Z{:012X}", s.next_id);
        let zone = Zone {
            name: name.to_string(),
            ..Default::default()
        };
        s.zones.insert(id.clone(), zone);
        id
    }

    /// The records of a zone, as `name TYPE value`.
    pub fn zone_records(&self, zone: &str) -> Vec<String> {
        let s = self.inner.lock();
        let records = s.zones.get(zone).map(|z| &z.records);
        let text = |r: &DnsRecord| format!("{} {} {}", r.name, r.kind, r.value);
        records.into_iter().flatten().map(text).collect()
    }

    /// The `A` record at `name` (`shop.example.com.`) in a zone.
    pub fn zone_a_record(&self, zone: &str, name: &str) -> Option<ARecord> {
        let s = self.inner.lock();
        s.zones
            .get(zone)
            .and_then(|z| z.a_records.get(name).cloned())
    }

    /// An `A` record someone else wrote.
    pub fn put_a_record(&self, zone: &str, name: &str, address: &str) {
        let mut s = self.inner.lock();
        if let Some(z) = s.zones.get_mut(zone) {
            let record = ARecord::Addresses(vec![address.to_string()]);
            z.a_records.insert(name.to_string(), record);
        }
    }

    /// Removes a record someone deleted by hand.
    pub fn remove_zone_records(&self, zone: &str) {
        let mut s = self.inner.lock();
        if let Some(z) = s.zones.get_mut(zone) {
            z.records.clear();
        }
    }

    /// The region's certificates: (ARN, domain, status).
    pub fn certificates(&self, region: &str) -> Vec<(String, String, String)> {
        let s = self.inner.lock();
        let certificates = s.regions.get(region).map(|r| &r.certificates);
        let all = certificates.into_iter().flatten();
        all.map(|(arn, c)| (arn.clone(), c.domain.clone(), c.status.clone()))
            .collect()
    }

    /// ACM gives up on a certificate (`FAILED`, `VALIDATION_TIMED_OUT`).
    pub fn fail_certificate(&self, region: &str, arn: &str, status: &str) {
        let mut s = self.inner.lock();
        let r = s.regions.get_mut(region);
        if let Some(c) = r.and_then(|r| r.certificates.get_mut(arn)) {
            c.status = status.to_string();
        }
    }
}
