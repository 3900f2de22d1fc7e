//! Whether a delivery really comes from SNS: the signing certificate's URL must be SNS's own in
//! the topic's region, the certificate must be current, and its key must have signed the
//! string to sign (SignatureVersion 2: RSA PKCS#1 v1.5 with SHA-256).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::SystemTime;

use base64::Engine as _;
use reqwest::Url;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use super::message::SnsMessage;

/// A signing certificate is a couple of KiB; anything much larger is not one.
pub const MAX_CERT_BYTES: usize = 64 * 1024;
/// Certificates kept; SNS rotates them rarely, so a handful covers every region's.
const CACHE_SIZE: usize = 32;

/// SNS's own host in `region` of `partition` (`aws`, `aws-cn`, `aws-us-gov`).
pub fn sns_host(partition: &str, region: &str) -> String {
    let suffix = if partition == "aws-cn" {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("sns.{region}.{suffix}")
}

/// A URL SNS gives (SigningCertURL, SubscribeURL), refused unless it is https on exactly SNS's
/// host of the topic's region: anything else could point the receiver at a certificate (or a
/// request) of an attacker's choosing.
pub fn check_sns_url(url: &str, host: &str, what: &str) -> Result<Url, String> {
    let shown: String = url.chars().take(200).collect();
    let parsed = Url::parse(url).map_err(|e| format!("{what} `{shown}` is not a URL: {e}"))?;
    if parsed.scheme() != "https" {
        return Err(format!("{what} `{shown}` is not https"));
    }
    if parsed.host_str() != Some(host)
        || parsed.port().is_some()
        || !parsed.username().is_empty()
        || parsed.password().is_some()
    {
        return Err(format!("{what} `{shown}` is not on {host}"));
    }
    Ok(parsed)
}

/// The checks that need no network, made before any fetch: SignatureVersion 2, a signature,
/// and a certificate URL of SNS's in the topic's region ending in `.pem`.
pub fn precheck(message: &SnsMessage, host: &str) -> Result<Url, String> {
    match message.signature_version.as_deref() {
        Some("2") => {}
        Some("1") => {
            return Err(
                "SignatureVersion 1 (SHA1) refused: the stack's topics sign with \
                        SHA256 (SignatureVersion 2)"
                    .to_string(),
            );
        }
        other => {
            return Err(format!(
                "SignatureVersion {:?} is not 2",
                other.map(|v| v.chars().take(20).collect::<String>())
            ));
        }
    }
    if message.signature.as_deref().unwrap_or_default().is_empty() {
        return Err("the message has no Signature".to_string());
    }
    let url = message
        .signing_cert_url
        .as_deref()
        .ok_or("the message has no SigningCertURL")?;
    let parsed = check_sns_url(url, host, "SigningCertURL")?;
    if !parsed.path().ends_with(".pem") {
        return Err(format!("SigningCertURL `{parsed}` does not end in .pem"));
    }
    Ok(parsed)
}

/// Where a checked SNS URL is fetched: itself, or with an emulator's endpoint, the same path
/// and query on that endpoint (moto serves its certificate and confirmations there).
pub fn fetch_target(url: &Url, endpoint: Option<&str>) -> String {
    match endpoint {
        None => url.to_string(),
        Some(endpoint) => {
            let mut target = format!("{}{}", endpoint.trim_end_matches('/'), url.path());
            if let Some(query) = url.query() {
                target.push('?');
                target.push_str(query);
            }
            target
        }
    }
}

/// The first certificate of a PEM file, as DER.
pub fn pem_to_der(pem: &[u8]) -> Result<Vec<u8>, String> {
    CertificateDer::from_pem_slice(pem)
        .map(|c| c.as_ref().to_vec())
        .map_err(|e| format!("the signing certificate is not PEM: {e}"))
}

/// Certificates (DER) by SigningCertURL, so each is fetched once.
#[derive(Default)]
pub struct CertCache(Mutex<HashMap<String, Vec<u8>>>);

impl CertCache {
    pub fn get(&self, url: &str) -> Option<Vec<u8>> {
        self.0.lock().ok()?.get(url).cloned()
    }

    pub fn put(&self, url: &str, der: Vec<u8>) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= CACHE_SIZE {
                map.clear();
            }
            map.insert(url.to_string(), der);
        }
    }
}

/// The message's signature checked with the certificate `der` at time `now`.
pub fn verify(message: &SnsMessage, der: &[u8], now: SystemTime) -> Result<(), String> {
    let (not_before, not_after) =
        validity(der).ok_or("the signing certificate's validity period cannot be read")?;
    if now < not_before || now > not_after {
        return Err("the signing certificate is not valid now (expired or not yet valid)".into());
    }
    let cert_der = CertificateDer::from(der);
    let cert = webpki::EndEntityCert::try_from(&cert_der)
        .map_err(|e| format!("the signing certificate cannot be read: {e}"))?;
    let signature = base64::engine::general_purpose::STANDARD
        .decode(message.signature.as_deref().unwrap_or_default())
        .map_err(|e| format!("the Signature is not base64: {e}"))?;
    let signed = message.string_to_sign()?;
    cert.verify_signature(
        webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256,
        signed.as_bytes(),
        &signature,
    )
    .map_err(|_| "the signature does not match the message".to_string())
}

/// (notBefore, notAfter) read from the certificate's DER (webpki keeps them private): the
/// Validity that follows version, serial, algorithm and issuer in the TBSCertificate.
fn validity(der: &[u8]) -> Option<(SystemTime, SystemTime)> {
    let (certificate, _) = expect(der, 0x30)?;
    let (tbs, _) = expect(certificate, 0x30)?;
    let mut rest = tbs;
    if rest.first() == Some(&0xa0) {
        rest = element(rest)?.2;
    }
    for _ in 0..3 {
        rest = element(rest)?.2;
    }
    let (validity, _) = expect(rest, 0x30)?;
    let (tag, before, rest) = element(validity)?;
    let (tag_after, after, _) = element(rest)?;
    Some((time(tag, before)?, time(tag_after, after)?))
}

/// One DER element: (tag, content, what follows).
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *input.first()?;
    let first = *input.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*input.get(2 + i)?);
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    Some((tag, input.get(header..end)?, input.get(end..)?))
}

fn expect(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (t, content, rest) = element(input)?;
    (t == tag).then_some((content, rest))
}

/// UTCTime (`YYMMDDHHMMSSZ`) or GeneralizedTime (`YYYYMMDDHHMMSSZ`).
fn time(tag: u8, text: &[u8]) -> Option<SystemTime> {
    let text = std::str::from_utf8(text).ok()?;
    let full = match tag {
        0x17 => {
            let yy: u32 = text.get(0..2)?.parse().ok()?;
            format!("{}{text}", if yy >= 50 { 19 } else { 20 })
        }
        0x18 => text.to_string(),
        _ => return None,
    };
    if full.len() != 15 || !full.is_ascii() || !full.ends_with('Z') {
        return None;
    }
    let rfc3339 = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &full[0..4],
        &full[4..6],
        &full[6..8],
        &full[8..10],
        &full[10..12],
        &full[12..14]
    );
    let at = aws_smithy_types::DateTime::from_str(
        &rfc3339,
        aws_smithy_types::date_time::Format::DateTime,
    )
    .ok()?;
    SystemTime::try_from(at).ok()
}

#[cfg(test)]
#[path = "signature_tests.rs"]
pub(super) mod tests;
