//! Requested certificates on `aws-sdk-acm`, their DNS validation records on
//! `aws-sdk-route53`.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use aws_sdk_acm::types::{CertificateStatus, Filters, KeyAlgorithm, Tag, ValidationMethod};
use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType,
};

use super::{done, every, retag, sent};
use crate::providers::*;

/// How many certificates' tags discovery reads at once.
const TAG_READS_AT_ONCE: usize = 5;

/// How long Route 53 resolvers may keep a validation record.
const VALIDATION_TTL: i64 = 300;

pub struct AcmCertificates {
    acm: aws_sdk_acm::Client,
    route53: aws_sdk_route53::Client,
}

impl AcmCertificates {
    pub fn new(acm: aws_sdk_acm::Client, route53: aws_sdk_route53::Client) -> Self {
        AcmCertificates { acm, route53 }
    }

    async fn tags(&self, arn: &str) -> Result<Tags> {
        let out = sent(
            self.acm
                .list_tags_for_certificate()
                .certificate_arn(arn)
                .send(),
        )
        .await?;
        Ok(out
            .tags()
            .iter()
            .map(|t| {
                (
                    t.key().to_string(),
                    t.value().unwrap_or_default().to_string(),
                )
            })
            .collect())
    }

    async fn certificate(&self, arn: &str, tags: Tags) -> Result<CertificateInfo> {
        let out = sent(self.acm.describe_certificate().certificate_arn(arn).send()).await?;
        let Some(c) = out.certificate() else {
            let e = ProviderError::new(ErrorKind::NotFound, "DescribeCertificate", arn);
            return Err(e);
        };
        let mut validation: Vec<DnsRecord> = c
            .domain_validation_options()
            .iter()
            .filter_map(|v| v.resource_record())
            .map(|r| DnsRecord {
                name: dotted(r.name()),
                kind: r.r#type().as_str().to_string(),
                value: dotted(r.value()),
            })
            .collect();
        validation.sort();
        validation.dedup();
        Ok(CertificateInfo {
            arn: arn.to_string(),
            domain: c.domain_name().unwrap_or_default().to_string(),
            status: c
                .status()
                .map(CertificateStatus::as_str)
                .unwrap_or_default()
                .to_string(),
            validation,
            validation_found: Vec::new(),
            a_record: None,
            tags,
        })
    }

    /// Which of `records` the zone has, with their values.
    async fn found(&self, zone: &str, records: &[DnsRecord]) -> Result<Vec<DnsRecord>> {
        let each = records.iter().map(|want| async move {
            let listed = sent(
                self.route53
                    .list_resource_record_sets()
                    .hosted_zone_id(zone)
                    .start_record_name(&want.name)
                    .start_record_type(RrType::from(want.kind.as_str()))
                    .max_items(1)
                    .send(),
            )
            .await?;
            let have = listed.resource_record_sets().iter().any(|set| {
                dotted(set.name()).eq_ignore_ascii_case(&want.name)
                    && set.r#type().as_str() == want.kind
                    && set
                        .resource_records()
                        .iter()
                        .any(|r| dotted(r.value()).eq_ignore_ascii_case(&want.value))
            });
            Ok::<_, ProviderError>(have.then(|| want.clone()))
        });
        Ok(futures::future::try_join_all(each)
            .await?
            .into_iter()
            .flatten()
            .collect())
    }

    /// The `A` record set at `name` (with its trailing dot), as Route 53 keeps it.
    async fn a_set(&self, zone: &str, name: &str) -> Result<Option<ResourceRecordSet>> {
        let listed = sent(
            self.route53
                .list_resource_record_sets()
                .hosted_zone_id(zone)
                .start_record_name(name)
                .start_record_type(RrType::A)
                .max_items(1)
                .send(),
        )
        .await?;
        let mut sets = listed.resource_record_sets().iter();
        let set = sets.find(|set| {
            dotted(set.name()).eq_ignore_ascii_case(name) && set.r#type() == &RrType::A
        });
        Ok(set.cloned())
    }

    async fn alias_change(&self, zone: &str, action: ChangeAction, a: &AliasRecord) -> Result<()> {
        let invalid = |e: aws_smithy_types::error::operation::BuildError| {
            ProviderError::new(ErrorKind::Other, "ChangeResourceRecordSets", e.to_string())
        };
        let target = AliasTarget::builder()
            .dns_name(&a.target)
            .hosted_zone_id(&a.target_zone)
            .evaluate_target_health(true)
            .build()
            .map_err(invalid)?;
        let set = ResourceRecordSet::builder()
            .name(dotted(&a.name))
            .r#type(RrType::A)
            .alias_target(target)
            .build()
            .map_err(invalid)?;
        let change = Change::builder().action(action).resource_record_set(set);
        let batch = ChangeBatch::builder()
            .comment("multiregion: the public entry's domain")
            .changes(change.build().map_err(invalid)?)
            .build()
            .map_err(invalid)?;
        let call = self
            .route53
            .change_resource_record_sets()
            .hosted_zone_id(zone);
        done(call.change_batch(batch).send()).await
    }

    async fn change(&self, zone: &str, action: ChangeAction, records: &[DnsRecord]) -> Result<()> {
        let invalid = |e: aws_smithy_types::error::operation::BuildError| {
            ProviderError::new(ErrorKind::Other, "ChangeResourceRecordSets", e.to_string())
        };
        let mut changes = Vec::new();
        for r in records {
            let set = ResourceRecordSet::builder()
                .name(&r.name)
                .r#type(RrType::from(r.kind.as_str()))
                .ttl(VALIDATION_TTL)
                .resource_records(
                    ResourceRecord::builder()
                        .value(&r.value)
                        .build()
                        .map_err(invalid)?,
                )
                .build()
                .map_err(invalid)?;
            let change = Change::builder()
                .action(action.clone())
                .resource_record_set(set);
            changes.push(change.build().map_err(invalid)?);
        }
        let batch = ChangeBatch::builder()
            .comment("multiregion: ACM DNS validation")
            .set_changes(Some(changes))
            .build()
            .map_err(invalid)?;
        let call = self
            .route53
            .change_resource_record_sets()
            .hosted_zone_id(zone);
        done(call.change_batch(batch).send()).await
    }
}

/// A deletion of a record that another run deleted a moment before: done.
fn gone_is_not_found(mut e: ProviderError) -> ProviderError {
    if e.message.contains("InvalidChangeBatch") && e.message.contains("not found") {
        e.kind = ErrorKind::NotFound;
    }
    e
}

/// Records compared as DNS compares names: without regard to case.
fn same_record(a: &DnsRecord, b: &DnsRecord) -> bool {
    a.name.eq_ignore_ascii_case(&b.name)
        && a.kind == b.kind
        && a.value.eq_ignore_ascii_case(&b.value)
}

/// A DNS name as Route 53 writes it, with its trailing dot.
fn dotted(name: &str) -> String {
    if name.ends_with('.') {
        name.to_string()
    } else {
        format!("{name}.")
    }
}

fn acm_tags(tags: &Tags) -> Result<Vec<Tag>> {
    tags.iter()
        .map(|(k, v)| {
            Tag::builder().key(k).value(v).build().map_err(|e| {
                ProviderError::new(ErrorKind::Other, "AddTagsToCertificate", e.to_string())
            })
        })
        .collect()
}

#[async_trait]
impl Certificates for AcmCertificates {
    async fn snapshot(&self, stack: &str) -> Result<Vec<CertificateInfo>> {
        let listed: Vec<aws_sdk_acm::types::CertificateSummary> =
            every!(self.acm.list_certificates()).await?;
        let arns: Vec<String> = listed
            .iter()
            .filter_map(|c| c.certificate_arn().map(str::to_string))
            .collect();
        let each: Vec<_> = arns
            .iter()
            .map(|arn| async move {
                let tags = self.tags(arn).await?;
                if tags.get(crate::model::TAG_STACK).map(String::as_str) != Some(stack) {
                    return Ok(None);
                }
                let mut c = self.certificate(arn, tags).await?;
                if let Some(zone) = c.zone().map(str::to_string) {
                    let (found, a_record) = futures::try_join!(
                        self.found(&zone, &c.validation),
                        self.a_record(&zone, &c.domain),
                    )?;
                    (c.validation_found, c.a_record) = (found, a_record);
                }
                Ok::<_, ProviderError>(Some(c))
            })
            .collect();
        // An account may hold many certificates: a few tag reads at a time, not all at once.
        use futures::{StreamExt, TryStreamExt};
        let ours: Vec<Option<CertificateInfo>> = futures::stream::iter(each)
            .buffer_unordered(TAG_READS_AT_ONCE)
            .try_collect()
            .await?;
        Ok(ours.into_iter().flatten().collect())
    }

    async fn request(&self, domain: &str, token: &str, tags: &Tags) -> Result<String> {
        let out = sent(
            self.acm
                .request_certificate()
                .domain_name(domain)
                .validation_method(ValidationMethod::Dns)
                .idempotency_token(token)
                .set_tags(Some(acm_tags(tags)?))
                .send(),
        )
        .await?;
        out.certificate_arn().map(str::to_string).ok_or_else(|| {
            ProviderError::new(
                ErrorKind::Other,
                "RequestCertificate",
                "no ARN in the answer",
            )
        })
    }

    async fn describe(&self, arn: &str) -> Result<CertificateInfo> {
        let tags = self.tags(arn).await?;
        self.certificate(arn, tags).await
    }

    async fn delete(&self, arn: &str) -> Result<()> {
        done(self.acm.delete_certificate().certificate_arn(arn).send()).await
    }

    async fn set_tags(&self, arn: &str, add: &Tags, remove: &[String]) -> Result<()> {
        let untag = async {
            let gone: Vec<Tag> = remove
                .iter()
                .map(|k| Tag::builder().key(k).build())
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| {
                    ProviderError::new(ErrorKind::Other, "RemoveTagsFromCertificate", e.to_string())
                })?;
            let call = self.acm.remove_tags_from_certificate().certificate_arn(arn);
            done(call.set_tags(Some(gone)).send()).await
        };
        let tag = async {
            let call = self.acm.add_tags_to_certificate().certificate_arn(arn);
            done(call.set_tags(Some(acm_tags(add)?)).send()).await
        };
        retag(remove, untag, add, tag).await
    }

    async fn zone_name(&self, zone: &str) -> Result<String> {
        let out = sent(self.route53.get_hosted_zone().id(zone).send()).await?;
        let name = out.hosted_zone().map(|z| z.name()).unwrap_or_default();
        Ok(dotted(name))
    }

    async fn upsert_records(&self, zone: &str, records: &[DnsRecord]) -> Result<()> {
        self.change(zone, ChangeAction::Upsert, records).await
    }

    async fn delete_records(&self, zone: &str, records: &[DnsRecord]) -> Result<()> {
        // A batch fails whole when one record is not there: delete only those that are.
        let there = self.found(zone, records).await?;
        if there.is_empty() {
            return Ok(());
        }
        let deleted = self.change(zone, ChangeAction::Delete, &there).await;
        deleted.map_err(gone_is_not_found)
    }

    async fn a_record(&self, zone: &str, name: &str) -> Result<Option<ARecord>> {
        let name = dotted(name);
        let set = self.a_set(zone, &name).await?;
        Ok(set.map(|set| match set.alias_target() {
            Some(t) => ARecord::Alias(AliasRecord {
                name: name.clone(),
                target: t.dns_name().trim_end_matches('.').to_string(),
                target_zone: t.hosted_zone_id().to_string(),
            }),
            None => {
                let values = set.resource_records().iter();
                ARecord::Addresses(values.map(|r| r.value().to_string()).collect())
            }
        }))
    }

    async fn upsert_alias(&self, zone: &str, alias: &AliasRecord) -> Result<()> {
        self.alias_change(zone, ChangeAction::Upsert, alias).await
    }

    /// Only an alias that still resolves as the stack's load balancer, deleted exactly as it
    /// is (Route 53 deletes a record only with all its values).
    async fn delete_alias(&self, zone: &str, alias: &AliasRecord) -> Result<()> {
        let Some(set) = self.a_set(zone, &dotted(&alias.name)).await? else {
            return Ok(());
        };
        let ours = set
            .alias_target()
            .is_some_and(|t| same_dns_name(t.dns_name(), &alias.target));
        if !ours {
            return Ok(());
        }
        let invalid = |e: aws_smithy_types::error::operation::BuildError| {
            ProviderError::new(ErrorKind::Other, "ChangeResourceRecordSets", e.to_string())
        };
        let change = Change::builder()
            .action(ChangeAction::Delete)
            .resource_record_set(set);
        let batch = ChangeBatch::builder()
            .changes(change.build().map_err(invalid)?)
            .build()
            .map_err(invalid)?;
        let call = self
            .route53
            .change_resource_record_sets()
            .hosted_zone_id(zone);
        done(call.change_batch(batch).send())
            .await
            .map_err(gone_is_not_found)
    }

    async fn asked_by_others(
        &self,
        records: &[DnsRecord],
        except: &[String],
    ) -> Result<Vec<DnsRecord>> {
        // Every key type: ListCertificates alone lists only RSA-2048 certificates.
        let every_key = KeyAlgorithm::values()
            .iter()
            .map(|k| KeyAlgorithm::from(*k));
        let filters = Filters::builder()
            .set_key_types(Some(every_key.collect()))
            .build();
        // Those that need the record: issued (to renew), pending, or inactive (renewable once
        // put to use); not the expired, revoked or failed.
        let request = [
            CertificateStatus::Issued,
            CertificateStatus::PendingValidation,
            CertificateStatus::Inactive,
        ]
        .into_iter()
        .fold(self.acm.list_certificates().includes(filters), |r, s| {
            r.certificate_statuses(s)
        });
        let listed: Vec<aws_sdk_acm::types::CertificateSummary> = every!(request).await?;
        // A summary lists a few alternative names at most: one with more is described.
        let asks = |c: &aws_sdk_acm::types::CertificateSummary| {
            let names = c.domain_name().into_iter().chain(
                c.subject_alternative_name_summaries()
                    .iter()
                    .map(String::as_str),
            );
            let names: Vec<&str> = names.collect();
            let arn = c.certificate_arn().unwrap_or_default();
            !except.iter().any(|e| e == arn)
                && (c.has_additional_subject_alternative_names() == Some(true)
                    || records
                        .iter()
                        .any(|r| names_domain(names.iter().copied(), record_domain(r))))
        };
        let candidates: Vec<String> = listed
            .iter()
            .filter(|c| asks(c))
            .filter_map(|c| c.certificate_arn().map(str::to_string))
            .collect();
        let each: Vec<_> = candidates
            .iter()
            .map(|arn| async move {
                // Deleted since it was listed: it asks for nothing.
                match self.certificate(arn, Tags::new()).await {
                    Ok(c) => Ok(c.validation),
                    Err(e) if e.kind == ErrorKind::NotFound => Ok(Vec::new()),
                    Err(e) => Err(e),
                }
            })
            .collect();
        use futures::{StreamExt, TryStreamExt};
        let asked: Vec<Vec<DnsRecord>> = futures::stream::iter(each)
            .buffer_unordered(TAG_READS_AT_ONCE)
            .try_collect()
            .await?;
        let asked: Vec<DnsRecord> = asked.into_iter().flatten().collect();
        Ok(records
            .iter()
            .filter(|r| asked.iter().any(|a| same_record(a, r)))
            .cloned()
            .collect())
    }

    async fn wait_issued(&self, arn: &str, max: Duration) -> Result<CertificateInfo> {
        let started = Instant::now();
        let mut pause = Duration::from_secs(2);
        loop {
            let c = self.describe(arn).await?;
            if c.status == ISSUED || c.failed() || started.elapsed() >= max {
                return Ok(c);
            }
            tokio::time::sleep(pause.min(max.saturating_sub(started.elapsed()))).await;
            pause = (pause * 2).min(Duration::from_secs(15));
        }
    }
}
