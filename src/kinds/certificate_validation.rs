//! A requested certificate's DNS validation: the records ACM asks for, written to the stack's
//! Route 53 hosted zone, and the wait until ACM has issued the certificate (Terraform's
//! `aws_acm_certificate_validation`). Route 53 records carry no tags: it is found through the
//! certificate, whose tag names the zone, and `down` deletes the records before it.

use super::*;
use crate::providers::{DnsRecord, ErrorKind, ISSUED, ProviderError, in_zone, not_issued};

pub const CERTIFICATE: Field = Field::force_new("certificate");
pub const HOSTED_ZONE: Field = Field::force_new("hostedZone");
/// `written` when every record ACM asks for is in the zone with its value.
pub const RECORDS: Field = Field::updatable("records");
/// ACM's status of the certificate; `ISSUED` is what the validation is for.
pub const STATUS: Field = Field::updatable("status");

const WRITTEN: &str = "written";

pub const DEF: KindDef = KindDef {
    kind: Kind::CertificateValidation,
    scope: Scope::Regional,
    tagging: Tagging::Untaggable,
    after_region: false,
    fields: &[CERTIFICATE, HOSTED_ZONE, RECORDS, STATUS],
    desired,
    index: None,
    discovery: Discovery::InRegion(observe),
    ops: &CertificateValidation,
};

/// The validation's id beside its certificate's (`c1/certificate` -> `c1/certificate-validation`).
fn id_of(certificate: &str) -> String {
    format!("{certificate}-validation")
}

fn observe(m: &mut Mapper<'_>, snap: &Snapshot) {
    for c in &snap.certificates {
        let (Some(certificate), Some(zone)) = (tag_id(&c.tags), c.zone()) else {
            continue;
        };
        let complete = !c.validation.is_empty() && c.validation_found.len() == c.validation.len();
        let records = if complete {
            WRITTEN.to_string()
        } else {
            format!(
                "{} of {} missing",
                c.validation.len() - c.validation_found.len(),
                c.validation.len()
            )
        };
        let f = fields([
            (CERTIFICATE, m.name(&c.arn)),
            (HOSTED_ZONE, zone.to_string()),
            (RECORDS, records),
            (STATUS, c.status.clone()),
        ]);
        let handle = Handle::Validation {
            certificate: c.arn.clone(),
            zone: zone.to_string(),
            records: c.validation_found.clone(),
        };
        let refs = vec![certificate.clone()];
        m.put(
            id_of(&certificate),
            Kind::CertificateValidation,
            handle,
            f,
            None,
            refs,
        );
    }
}

fn desired(r: &Resource, _: &DesiredContext<'_>) -> Fields {
    let ResourceSpec::CertificateValidation {
        certificate,
        hosted_zone,
    } = &r.spec
    else {
        return Fields::new();
    };
    fields([
        (CERTIFICATE, certificate.clone()),
        (HOSTED_ZONE, hosted_zone.clone()),
        (RECORDS, WRITTEN.to_string()),
        (STATUS, ISSUED.to_string()),
    ])
}

struct CertificateValidation;

impl CertificateValidation {
    /// Writes the records ACM asks for and waits for the certificate to be issued; says how
    /// many records and how long.
    async fn validate(cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        let ResourceSpec::CertificateValidation {
            certificate,
            hosted_zone,
        } = &r.spec
        else {
            return Err(not_a(r));
        };
        let certificates = &cx.target(&r.region)?.clients.certificates;
        let arn = cx.aws(certificate)?;
        let zone_name = retry::change(|| certificates.zone_name(hosted_zone)).await?;
        // ACM makes the records up a few seconds after the request: until then, not yet there.
        let c = retry::change(|| async {
            let c = certificates.describe(&arn).await?;
            if c.validation.is_empty() && !c.failed() {
                let why = "ACM has not given the DNS validation records yet";
                return Err(ProviderError::new(
                    ErrorKind::NotFound,
                    "DescribeCertificate",
                    why,
                ));
            }
            Ok(c)
        })
        .await?;
        if c.failed() {
            return Err(not_issued(&c).into());
        }
        if !in_zone(&c.domain, &zone_name) {
            return Err(StepError::precondition(format!(
                "{} is not in hosted zone {hosted_zone} ({zone_name}): ACM could never see its validation records there; name the zone the domain is in",
                c.domain
            )));
        }
        retry::change(|| certificates.upsert_records(hosted_zone, &c.validation)).await?;
        let started = std::time::Instant::now();
        let issued = retry::wait(|| certificates.wait_issued(&arn, cx.limits.certificate)).await?;
        if issued.status != ISSUED {
            return Err(match issued.failed() {
                true => not_issued(&issued).into(),
                false => StepError::precondition(format!(
                    "{arn} is still {} after {:.0?}; the records are in {zone_name}: check that the domain's registrar delegates to this zone's name servers, then run `up` again",
                    issued.status,
                    started.elapsed()
                )),
            });
        }
        let handle = Handle::Validation {
            certificate: arn,
            zone: hosted_zone.clone(),
            records: c.validation.clone(),
        };
        let what = match c.validation.as_slice() {
            [one] => format!("{} written, issued", one.name),
            many => format!("{} records written, issued", many.len()),
        };
        Ok((handle, what))
    }
}

#[async_trait]
impl Ops for CertificateValidation {
    async fn create(&self, cx: &Applier<'_>, r: &Resource) -> StepResult<(Handle, String)> {
        Self::validate(cx, r).await
    }

    /// Records missing or the certificate not issued yet: written again, and waited for.
    async fn update(&self, u: InPlace<'_>) -> StepResult<()> {
        let InPlace(cx, r, _, _) = u;
        let (handle, _) = Self::validate(cx, r).await?;
        cx.remember(&r.id, handle);
        Ok(())
    }

    async fn delete(&self, cx: &Applier<'_>, o: &ObservedResource) -> StepResult<()> {
        let Handle::Validation { zone, records, .. } = &o.handle else {
            return Err(StepError::precondition(format!(
                "{} has no records to delete",
                o.id
            )));
        };
        // ACM asks every certificate of the account for the same domain for the same record:
        // one another validation of the stack (in either region) that stays still uses is kept.
        let mut going: Vec<DnsRecord> = records
            .iter()
            .filter(|record| !still_used(cx, o, record))
            .cloned()
            .collect();
        // So does a certificate outside the stack, in either of its regions: an issued one
        // would fail to renew without it.
        let ours = stack_certificates(cx);
        for target in cx.regions.values() {
            if going.is_empty() {
                break;
            }
            let certificates = &target.clients.certificates;
            let asked = retry::discover(|| certificates.asked_by_others(&going, &ours)).await?;
            going.retain(|r| !asked.contains(r));
        }
        if going.is_empty() {
            return Ok(());
        }
        let certificates = &cx.target(&o.region)?.clients.certificates;
        Ok(retry::delete(|| certificates.delete_records(zone, &going)).await?)
    }
}

/// The ARNs of the stack's certificates, in both regions, whatever becomes of them.
fn stack_certificates(cx: &Applier<'_>) -> Vec<String> {
    let certificates = cx.observed.resources.values();
    let certificates = certificates.filter(|c| c.kind == Kind::Certificate);
    certificates
        .filter_map(|c| match &c.handle {
            Handle::Id(arn) => Some(arn.clone()),
            _ => None,
        })
        .collect()
}

/// Whether a validation other than `o`, not being deleted, lists `record`.
fn still_used(cx: &Applier<'_>, o: &ObservedResource, record: &DnsRecord) -> bool {
    cx.observed.resources.values().any(|v| {
        let Handle::Validation { records, .. } = &v.handle else {
            return false;
        };
        v.id != o.id && cx.handle(&v.id).is_ok() && records.contains(record)
    })
}
