//! EKS authentication without the aws CLI: a bearer token that is `k8s-aws-v1.` followed by the
//! unpadded base64url of a SigV4-presigned STS `GetCallerIdentity` URL whose signature covers
//! the header `x-k8s-aws-id: <cluster>`. EKS accepts it for 15 minutes.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;

/// How long a presigned URL is good for; EKS caps tokens at 15 minutes anyway.
const PRESIGNED_FOR: Duration = Duration::from_secs(60);
/// Clients are told to refresh a minute before EKS stops accepting the token.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(14 * 60);

pub fn token(
    cluster: &str,
    region: &str,
    credentials: &Credentials,
    at: SystemTime,
) -> Result<String, String> {
    let url =
        format!("https://sts.{region}.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15");
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(PRESIGNED_FOR);
    let identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("sts")
        .time(at)
        .settings(settings)
        .build()
        .map_err(|e| format!("cannot build the signing parameters: {e}"))?
        .into();
    let host = format!("sts.{region}.amazonaws.com");
    let headers = [("host", host.as_str()), ("x-k8s-aws-id", cluster)];
    let signable = SignableRequest::new(
        "GET",
        url.as_str(),
        headers.into_iter(),
        SignableBody::Bytes(&[]),
    )
    .map_err(|e| format!("cannot sign the STS request: {e}"))?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| format!("cannot sign the STS request: {e}"))?
        .into_parts();
    let mut request = http::Request::builder()
        .uri(url.as_str())
        .body(())
        .map_err(|e| format!("cannot build the STS request: {e}"))?;
    instructions.apply_to_request_http1x(&mut request);
    Ok(format!(
        "k8s-aws-v1.{}",
        URL_SAFE_NO_PAD.encode(request.uri().to_string())
    ))
}

/// What kubectl expects from an exec credential plugin.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecCredential {
    kind: &'static str,
    api_version: &'static str,
    spec: serde_json::Value,
    status: ExecStatus,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ExecStatus {
    expiration_timestamp: String,
    token: String,
}

pub fn exec_credential(token: String, at: SystemTime) -> ExecCredential {
    ExecCredential {
        kind: "ExecCredential",
        api_version: "client.authentication.k8s.io/v1beta1",
        spec: serde_json::json!({}),
        status: ExecStatus {
            expiration_timestamp: rfc3339(at + TOKEN_LIFETIME),
            token,
        },
    }
}

/// `2026-11-22T01:02:03Z`, from the civil-from-days algorithm (no calendar crate needed).
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0) as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed() -> (Credentials, SystemTime) {
        let credentials = Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "test",
        );
        (credentials, UNIX_EPOCH + Duration::from_secs(1_767_225_600)) // 2026-01-01T00:00:00Z
    }

    #[test]
    fn token_is_a_presigned_sts_url_signing_the_cluster_header() {
        let (credentials, at) = fixed();
        let token = token("petclinic-c1", "us-east-1", &credentials, at).unwrap();
        let encoded = token
            .strip_prefix("k8s-aws-v1.")
            .expect("the EKS token prefix");
        assert!(!encoded.contains('='), "unpadded");
        let url = String::from_utf8(URL_SAFE_NO_PAD.decode(encoded).unwrap()).unwrap();
        assert!(
            url.starts_with(
                "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&"
            ),
            "{url}"
        );
        for part in [
            "X-Amz-Algorithm=AWS4-HMAC-SHA256",
            "X-Amz-Credential=AKIDEXAMPLE%2F20260101%2Fus-east-1%2Fsts%2Faws4_request",
            "X-Amz-Date=20260101T000000Z",
            "X-Amz-Expires=60",
            "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id",
        ] {
            assert!(url.contains(part), "{part} missing from {url}");
        }
        // The fixed vector, cross-checked with botocore's SigV4QueryAuth (what `aws eks
        // get-token` uses) for the same credentials, time, region and cluster header.
        let signature = url.rsplit("X-Amz-Signature=").next().unwrap();
        assert_eq!(
            signature,
            "a966ce1c758bcb4040bed0a6ab34326db7fe80829d1103368d18ea5921ee7749"
        );
        assert_eq!(
            token,
            super::token("petclinic-c1", "us-east-1", &credentials, at).unwrap()
        );
        assert_ne!(
            token,
            super::token("petclinic-c2", "us-east-1", &credentials, at).unwrap(),
            "the cluster is signed"
        );
    }

    #[test]
    fn expiry_is_written_in_rfc3339() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(1_767_225_600 + 3_723)),
            "2026-01-01T01:02:03Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
        let (credentials, at) = fixed();
        let cred = exec_credential(token("c", "us-west-2", &credentials, at).unwrap(), at);
        let json = serde_json::to_value(&cred).unwrap();
        assert_eq!(
            json["status"]["expirationTimestamp"],
            "2026-01-01T00:14:00Z"
        );
        assert_eq!(json["apiVersion"], "client.authentication.k8s.io/v1beta1");
    }
}
