//! Reaching a cluster's API: EKS with a bearer token made here (no aws CLI) and the cluster's CA
//! from DescribeCluster, renewed before EKS stops accepting it; or a named kubeconfig context
//! (kind, k3d, any cluster).

use std::time::{Duration, SystemTime};

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use kube::client::retry::RetryPolicy;
use kube::config::{AuthInfo, KubeConfigOptions};
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::{KubeError, WorkloadError};
use crate::eks_token;

/// EKS accepts a token for 15 minutes; a client older than this gets a new one first.
pub const RENEW_AFTER: Duration = Duration::from_secs(10 * 60);
/// A cluster that does not answer within this is reported, not waited on.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Throttling (429) and an API server that is starting or overloaded (503, 504) are asked
/// again this often, 0.2 s to 1 s apart: under 3 s in all, where kube's default keeps on for
/// minutes.
const RETRIES: u32 = 3;
const RETRY_FIRST: Duration = Duration::from_millis(200);
const RETRY_MAX: Duration = Duration::from_secs(1);
/// How the API server's audit log names this tool's requests.
pub const USER_AGENT: &str = concat!("multiregion/", env!("CARGO_PKG_VERSION"));
/// The first call, which tells whether the cluster answers at all, is given this long in all
/// (connecting, TLS, its retries).
pub const REACHABLE_WITHIN: Duration = Duration::from_secs(15);

pub enum Access {
    Eks {
        region: String,
        endpoint: String,
        /// Base64 PEM, as DescribeCluster gives it.
        certificate_authority: String,
        credentials: SharedCredentialsProvider,
    },
    Context(String),
    /// A ready client: the tests' mock API server.
    #[cfg(test)]
    Client(kube::Client),
}

/// One cluster's API, for as long as a command runs.
pub struct ClusterApi {
    /// The cluster's name, for messages.
    pub cluster: String,
    access: Access,
    current: Mutex<Option<(kube::Client, Instant)>>,
}

impl ClusterApi {
    pub fn new(cluster: impl Into<String>, access: Access) -> Self {
        ClusterApi {
            cluster: cluster.into(),
            access,
            current: Mutex::new(None),
        }
    }

    /// Where the API is, for messages: the endpoint or the context.
    pub fn endpoint(&self) -> String {
        match &self.access {
            Access::Eks { endpoint, .. } => endpoint.clone(),
            Access::Context(name) => format!("kubeconfig context {name}"),
            #[cfg(test)]
            Access::Client(_) => "the mock API server".into(),
        }
    }

    /// A client whose credentials are good for several more minutes.
    pub async fn client(&self) -> Result<kube::Client, WorkloadError> {
        let mut current = self.current.lock().await;
        let renewable = matches!(self.access, Access::Eks { .. });
        if let Some((client, made)) = current.as_ref()
            && !stale(*made, renewable)
        {
            return Ok(client.clone());
        }
        let client = self.build().await?;
        *current = Some((client.clone(), Instant::now()));
        Ok(client)
    }

    async fn build(&self) -> Result<kube::Client, WorkloadError> {
        let config = match &self.access {
            #[cfg(test)]
            Access::Client(client) => return Ok(client.clone()),
            Access::Context(context) => {
                let options = KubeConfigOptions {
                    context: Some(context.clone()),
                    ..Default::default()
                };
                kube::Config::from_kubeconfig(&options)
                    .await
                    .map_err(|e| self.setup(format!("kubeconfig context `{context}`: {e}")))?
            }
            Access::Eks {
                region,
                endpoint,
                certificate_authority,
                credentials,
            } => {
                let uri = endpoint
                    .parse()
                    .map_err(|e| self.setup(format!("endpoint `{endpoint}` is not a URL: {e}")))?;
                let mut config = kube::Config::new(uri);
                config.root_cert =
                    Some(vec![certificate_der(certificate_authority).map_err(
                        |e| self.setup(format!("its certificate authority from EKS {e}")),
                    )?]);
                let credentials = credentials
                    .provide_credentials()
                    .await
                    .map_err(|e| self.setup(format!("cannot load AWS credentials: {e}")))?;
                let token =
                    eks_token::token(&self.cluster, region, &credentials, SystemTime::now())
                        .map_err(|e| self.setup(e))?;
                config.auth_info = bearer(token);
                config
            }
        };
        let mut config = config;
        config.connect_timeout = Some(CONNECT_TIMEOUT);
        config.read_timeout = Some(READ_TIMEOUT);
        config.default_retry = false;
        // Named in the API server's audit log and metrics as what it is.
        config.headers.push((
            http::header::USER_AGENT,
            http::HeaderValue::from_static(USER_AGENT),
        ));
        let retry = RetryPolicy::new(RETRY_FIRST, RETRY_MAX, RETRIES, true)
            .map_err(|e| self.setup(e.to_string()))?;
        let builder =
            kube::client::ClientBuilder::try_from(config).map_err(|e| self.setup(e.to_string()))?;
        // Retrying needs a service it can clone: the buffer gives one.
        let layers = tower::ServiceBuilder::new()
            .layer(tower::retry::RetryLayer::new(retry))
            .layer(tower::buffer::BufferLayer::new(64));
        Ok(builder.with_layer(&layers).build())
    }

    fn setup(&self, message: String) -> WorkloadError {
        WorkloadError::Setup {
            cluster: self.cluster.clone(),
            endpoint: self.endpoint(),
            message,
        }
    }

    /// Asks the API server its version: the first call, so that a cluster that does not
    /// answer (within [`REACHABLE_WITHIN`]) or refuses the credentials is named as such.
    pub async fn check_reachable(&self) -> Result<(), WorkloadError> {
        let client = self.client().await?;
        let answer = tokio::time::timeout(REACHABLE_WITHIN, client.apiserver_version()).await;
        let source = match answer {
            Ok(Ok(_)) => return Ok(()),
            Ok(Err(source)) => source,
            Err(_) => {
                return Err(self.setup(format!("no answer within {}s", REACHABLE_WITHIN.as_secs())));
            }
        };
        Err(match &source {
            kube::Error::Api(s) if s.code == 401 || s.code == 403 => WorkloadError::Refused {
                cluster: self.cluster.clone(),
                endpoint: self.endpoint(),
                source: KubeError(source),
            },
            _ => WorkloadError::Unreachable {
                cluster: self.cluster.clone(),
                endpoint: self.endpoint(),
                source: KubeError(source),
            },
        })
    }
}

/// Whether a client made at `made` must be made again: EKS tokens run out, other credentials
/// are kube's to refresh.
fn stale(made: Instant, renewable: bool) -> bool {
    renewable && made.elapsed() >= RENEW_AFTER
}

/// kube keeps the token as a secret; its serde form is the way in from a plain string.
fn bearer(token: String) -> AuthInfo {
    serde_json::from_value(serde_json::json!({ "token": token })).unwrap_or_default()
}

/// DescribeCluster gives base64 of a PEM certificate; rustls wants its DER bytes.
fn certificate_der(base64_pem: &str) -> Result<Vec<u8>, String> {
    let pem = STANDARD
        .decode(base64_pem.trim())
        .map_err(|_| "is not base64".to_string())?;
    let pem = String::from_utf8(pem).map_err(|_| "is not a PEM certificate".to_string())?;
    let body: String = pem
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE-----"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END CERTIFICATE-----"))
        .collect();
    if body.is_empty() {
        return Err("is not a PEM certificate".into());
    }
    STANDARD
        .decode(body)
        .map_err(|_| "is a PEM certificate with a broken body".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_authority_data_must_be_a_pem_certificate() {
        let pem = "-----BEGIN CERTIFICATE-----\nAAEC\nAwQ=\n-----END CERTIFICATE-----\n";
        assert_eq!(
            certificate_der(&STANDARD.encode(pem)),
            Ok(vec![0, 1, 2, 3, 4])
        );
        assert_eq!(
            certificate_der(&STANDARD.encode("not a certificate")),
            Err("is not a PEM certificate".into())
        );
        assert_eq!(certificate_der("%%%"), Err("is not base64".into()));
    }

    #[tokio::test(start_paused = true)]
    async fn an_eks_client_is_renewed_well_before_its_token_runs_out() {
        let made = Instant::now();
        tokio::time::advance(Duration::from_secs(9 * 60 + 59)).await;
        assert!(!stale(made, true));
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(
            stale(made, true),
            "renewed at 10 minutes, 5 before EKS refuses the token"
        );
        assert!(RENEW_AFTER < Duration::from_secs(15 * 60));
        tokio::time::advance(Duration::from_secs(3600)).await;
        assert!(
            !stale(made, false),
            "kubeconfig contexts refresh their own credentials"
        );
    }

    #[test]
    fn the_token_goes_in_as_a_bearer_token() {
        let auth = bearer("k8s-aws-v1.abc".into());
        assert!(auth.token.is_some());
    }
}
