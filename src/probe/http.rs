//! The probe's requests over HTTP(S), with reqwest: a POST to the frontend's echo endpoint,
//! which the frontend forwards to the backend across the regions.

use std::time::Duration;

use async_trait::async_trait;

use super::run::Target;
use super::stats::{Answer, Failure};

/// The path the frontend forwards to its `--backend-url` (podinfo's `POST /api/echo`).
pub const ECHO_PATH: &str = "/api/echo";

pub struct Http {
    client: reqwest::Client,
    url: reqwest::Url,
}

impl Http {
    /// A client with one timeout for the whole request (connect, send, read the answer).
    /// Proxies from the environment are not used: the probe measures the direct path.
    pub fn new(url: reqwest::Url, timeout: Duration) -> Result<Http, String> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .no_proxy()
            .user_agent(concat!("multiregion-probe/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot make the HTTP client: {e}"))?;
        Ok(Http { client, url })
    }
}

#[async_trait]
impl Target for Http {
    async fn send(&self) -> Answer {
        let request = self
            .client
            .post(self.url.clone())
            .header("content-type", "text/plain")
            .body("multiregion probe");
        match request.send().await {
            // The answer counts once its body is read: the latency is the whole exchange.
            Ok(response) => {
                let status = response.status().as_u16();
                match response.bytes().await {
                    Ok(body) if (200..300).contains(&status) => {
                        backend_answer(&body).unwrap_or(Answer::Status(status))
                    }
                    Ok(_) => Answer::Status(status),
                    Err(e) => Answer::Failed(failure(&e)),
                }
            }
            Err(e) => Answer::Failed(failure(&e)),
        }
    }
}

/// podinfo's frontend answers its echo with 200 whatever the backend did, and says in the
/// body (a JSON array, one string per backend) when the call across failed:
/// `backend <url> response status code <N>` or `backend <url> call failed <error>`. Such an
/// answer counts as the backend's status, or as a failed backend call.
fn backend_answer(body: &[u8]) -> Option<Answer> {
    let said: Vec<serde_json::Value> = serde_json::from_slice(body).ok()?;
    said.iter().filter_map(|s| s.as_str()).find_map(|s| {
        let rest = s.strip_prefix("backend ")?;
        if let Some((_, code)) = rest.split_once(" response status code ") {
            let code = code.trim().parse().ok()?;
            return Some(Answer::Status(code));
        }
        rest.contains(" call failed")
            .then_some(Answer::Failed(Failure::Backend))
    })
}

fn failure(e: &reqwest::Error) -> Failure {
    if e.is_timeout() {
        return Failure::Timeout;
    }
    if e.is_connect() {
        let mut source = std::error::Error::source(e);
        while let Some(cause) = source {
            if let Some(io) = cause.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::ConnectionRefused
            {
                return Failure::Refused;
            }
            source = cause.source();
        }
        return Failure::Connect;
    }
    Failure::Other
}

/// The URL to probe: `url` as given when it names a path, else its echo endpoint.
pub fn probe_url(url: &str) -> Result<reqwest::Url, String> {
    let shown: String = url.chars().take(80).collect();
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("`{shown}` is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("`{shown}`: the probe speaks http or https only"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{shown}` names no host"));
    }
    if parsed.path() == "/" {
        return parsed
            .join(ECHO_PATH)
            .map_err(|e| format!("`{shown}`: {e}"));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_call_across_is_read_from_the_frontends_answer() {
        let said = |s: &str| backend_answer(s.as_bytes());
        assert_eq!(
            said(r#"["backend http://b:9898/echo response status code 500"]"#),
            Some(Answer::Status(500))
        );
        assert_eq!(
            said(r#"["backend http://b/echo call failed Post \"http://b\": refused"]"#),
            Some(Answer::Failed(Failure::Backend))
        );
        assert_eq!(said(r#"["multiregion probe"]"#), None);
        assert_eq!(said("multiregion probe"), None);
    }

    #[test]
    fn a_bare_url_gets_the_echo_path_and_a_path_is_kept() {
        assert_eq!(
            probe_url("http://lb.example:8080").unwrap().as_str(),
            "http://lb.example:8080/api/echo"
        );
        assert_eq!(
            probe_url("https://lb.example/healthz").unwrap().as_str(),
            "https://lb.example/healthz"
        );
        assert!(probe_url("ftp://x").unwrap_err().contains("http or https"));
        assert!(probe_url("not a url").unwrap_err().contains("not a URL"));
    }

    #[tokio::test]
    async fn nothing_listening_is_refused() {
        // Bind and drop a port so it is (very likely) closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = probe_url(&format!("http://127.0.0.1:{port}")).unwrap();
        let http = Http::new(url, Duration::from_secs(2)).unwrap();
        assert_eq!(http.send().await, Answer::Failed(Failure::Refused));
    }

    #[tokio::test]
    async fn an_answer_that_never_comes_is_a_timeout() {
        // A listener that accepts and never answers.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let keep = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        let url = probe_url(&format!("http://127.0.0.1:{port}")).unwrap();
        let http = Http::new(url, Duration::from_millis(300)).unwrap();
        assert_eq!(http.send().await, Answer::Failed(Failure::Timeout));
        keep.abort();
    }
}
