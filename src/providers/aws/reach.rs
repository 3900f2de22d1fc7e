//! Where a call that got no answer was going. The SDK's connection errors say only "dispatch
//! failure: io error: … Connection refused", without the URL or the region; an interceptor on
//! every client notes the URL each request is sent to and, when the operation ends without an
//! answer, wraps the error in [`Unreachable`], which names both. The error keeps its kind (io,
//! timeout) and its whole chain, so the SDK and [`super::classify`] treat it as before.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextMut,
};
use aws_smithy_runtime_api::client::orchestrator::OrchestratorError;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

/// The interceptor: one per client, knowing the client's region.
#[derive(Debug, Clone)]
pub(crate) struct Reach {
    pub region: String,
}

/// The scheme and authority the operation's last request went to.
#[derive(Debug, Clone)]
struct Target(String);

impl Storable for Target {
    type Storer = StoreReplace<Self>;
}

impl Intercept for Reach {
    fn name(&self) -> &'static str {
        "multiregion-reach"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let origin = origin(context.request().uri()).to_string();
        cfg.interceptor_state().store_put(Target(origin));
        Ok(())
    }

    // Once per operation, after the SDK's retries: its retry decisions saw the error as it was.
    fn modify_before_completion(
        &self,
        context: &mut FinalizerInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(Target(url)) = cfg.load::<Target>().cloned() else {
            return Ok(());
        };
        let Some(Err(error)) = context.output_or_error_mut() else {
            return Ok(());
        };
        let remake: fn(BoxError) -> OrchestratorError<_> = match error.as_connector_error() {
            Some(c) if c.is_timeout() => {
                |e| OrchestratorError::connector(ConnectorError::timeout(e))
            }
            Some(c) if c.is_io() => |e| OrchestratorError::connector(ConnectorError::io(e)),
            None if error.is_timeout_error() => OrchestratorError::timeout,
            _ => return Ok(()),
        };
        let original = std::mem::replace(error, OrchestratorError::other("(moved)"));
        *error = remake(Box::new(Unreachable::new(
            url,
            &self.region,
            Box::new(original),
        )));
        Ok(())
    }
}

/// `http://127.0.0.1:5000` of `http://127.0.0.1:5000/path?query`.
fn origin(uri: &str) -> &str {
    let start = uri.find("://").map_or(0, |i| i + 3);
    match uri[start..].find(['/', '?']) {
        Some(end) => &uri[..start + end],
        None => uri,
    }
}

/// A call that got no answer from `url`, the endpoint of `region`'s client.
#[derive(Debug)]
pub(crate) struct Unreachable {
    pub url: String,
    pub region: String,
    how: How,
    /// What the innermost error said.
    root: String,
    source: BoxError,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum How {
    Refused,
    NoSuchHost,
    TimedOut,
    Broken,
}

impl Unreachable {
    pub(crate) fn new(url: String, region: &str, source: BoxError) -> Self {
        let mut root = source.to_string();
        let mut how = How::Broken;
        let mut texts = String::new();
        let mut next: Option<&(dyn std::error::Error + 'static)> = Some(source.as_ref());
        while let Some(e) = next {
            root = e.to_string();
            texts.push_str(&root.to_lowercase());
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                match io.kind() {
                    std::io::ErrorKind::ConnectionRefused => how = How::Refused,
                    std::io::ErrorKind::TimedOut => how = How::TimedOut,
                    _ => {}
                }
            }
            next = e.source();
        }
        if how == How::Broken {
            if texts.contains("dns error") || texts.contains("failed to lookup address") {
                how = How::NoSuchHost;
            } else if texts.contains("timeout") || texts.contains("timed out") {
                how = How::TimedOut;
            }
        }
        Unreachable {
            url,
            region: region.to_string(),
            how,
            root,
            source,
        }
    }

    /// Whether the URL is AWS's own (else an emulator or a proxy the user named).
    fn is_aws(&self) -> bool {
        let host = self.url.split("://").nth(1).unwrap_or(&self.url);
        let host = host.split(':').next().unwrap_or(host);
        host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn")
    }

    /// What to check: the emulator, or the network between here and AWS.
    pub fn hint(&self) -> String {
        if self.is_aws() {
            format!(
                "check this machine's network to {}: DNS, a proxy (HTTPS_PROXY), a VPN or a \
                 firewall; `curl -sI {}` tries the same connection",
                self.url, self.url
            )
        } else {
            let authority = self.url.split("://").nth(1).unwrap_or(&self.url);
            let port = authority.rsplit_once(':').map_or("PORT", |(_, p)| p);
            format!(
                "is the emulator running and listening at {}? Start it (moto: `moto_server -H \
                 127.0.0.1 -p {port}`), or correct --endpoint-url / AWS_ENDPOINT_URL",
                self.url
            )
        }
    }
}

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (url, region, root) = (&self.url, &self.region, &self.root);
        match self.how {
            How::Refused => write!(f, "cannot reach {url} ({region}): connection refused"),
            How::NoSuchHost => write!(
                f,
                "cannot reach {url} ({region}): its host name does not resolve ({root})"
            ),
            How::TimedOut => write!(f, "cannot reach {url} ({region}): timed out ({root})"),
            How::Broken => write!(f, "the connection to {url} ({region}) failed: {root}"),
        }
    }
}

impl std::error::Error for Unreachable {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// The [`Unreachable`] in an error's chain, if the call got no answer.
pub(crate) fn unreachable_in<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a Unreachable> {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(u) = e.downcast_ref::<Unreachable>() {
            return Some(u);
        }
        next = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn io(kind: std::io::ErrorKind, text: &str) -> BoxError {
        Box::new(std::io::Error::new(kind, text.to_string()))
    }

    #[test]
    fn the_origin_is_the_scheme_and_authority() {
        assert_eq!(origin("http://127.0.0.1:5000/"), "http://127.0.0.1:5000");
        assert_eq!(
            origin("https://ec2.us-east-1.amazonaws.com/?Action=X"),
            "https://ec2.us-east-1.amazonaws.com"
        );
        assert_eq!(origin("http://h:1"), "http://h:1");
    }

    #[test]
    fn names_the_url_the_region_and_what_happened() {
        let refused = Unreachable::new(
            "http://127.0.0.1:1".into(),
            "us-east-1",
            io(std::io::ErrorKind::ConnectionRefused, "Connection refused"),
        );
        assert_eq!(
            refused.to_string(),
            "cannot reach http://127.0.0.1:1 (us-east-1): connection refused"
        );
        assert!(refused.hint().contains("emulator running"));
        assert!(refused.hint().contains("-p 1`"), "{}", refused.hint());
        let aws = Unreachable::new(
            "https://ec2.us-west-2.amazonaws.com".into(),
            "us-west-2",
            "HTTP connect timeout occurred after 3.1s".into(),
        );
        assert_eq!(
            aws.to_string(),
            "cannot reach https://ec2.us-west-2.amazonaws.com (us-west-2): timed out \
             (HTTP connect timeout occurred after 3.1s)"
        );
        assert!(aws.hint().contains("HTTPS_PROXY"));
        let dns = Unreachable::new(
            "http://moto:5000".into(),
            "us-east-1",
            "dns error: failed to lookup address information".into(),
        );
        assert!(dns.to_string().contains("does not resolve"), "{dns}");
        let cut = Unreachable::new(
            "http://h:1".into(),
            "us-east-1",
            io(std::io::ErrorKind::ConnectionReset, "reset by peer"),
        );
        assert_eq!(
            cut.to_string(),
            "the connection to http://h:1 (us-east-1) failed: reset by peer"
        );
        // The chain is kept: what looks for the io error still finds it.
        let wrapped: &(dyn std::error::Error + 'static) = &refused;
        assert!(unreachable_in(wrapped).is_some());
        assert!(wrapped.source().unwrap().is::<std::io::Error>());
    }
}
