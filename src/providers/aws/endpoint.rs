//! The endpoint URL every client is sent to (`--endpoint-url`, `AWS_ENDPOINT_URL`), checked
//! before any call: the SDK takes any text and only fails at the first request, with its whole
//! HTTP request in the message ("failed to apply endpoint `localhost:5000` to request …").

/// What is wrong with `url` as an endpoint, said as the end of "the endpoint URL `…` …"; `None`
/// when it is an `http` or `https` URL with a host.
pub fn problem(url: &str) -> Option<String> {
    if url.is_empty() {
        return Some("is empty; write it as http://HOST:PORT".into());
    }
    if url.chars().any(char::is_whitespace) {
        return Some("contains a space or line break; write it without".into());
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Some(format!("has no scheme; write it as {}", with_scheme(url)));
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Some(format!(
            "has the scheme `{scheme}`; only http and https work (http://{rest})"
        ));
    }
    // The authority ends where the path, query or fragment starts; a user part is not the host.
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let (host, port) = split_port(host_port);
    if host.is_empty() {
        return Some(format!(
            "has no host; write it as {scheme}://HOST:PORT, such as http://127.0.0.1:5000"
        ));
    }
    if !valid_host(host) {
        return Some(format!(
            "has `{host}` as its host, which is neither a host name nor an IP address"
        ));
    }
    match port {
        Some(p) if !matches!(p.parse::<u16>(), Ok(1..)) => Some(format!(
            "has `{p}` as its port, which is not a number from 1 to 65535"
        )),
        _ => None,
    }
}

/// `localhost:5000` → `http://localhost:5000`; a half-written scheme (`http:/x`, `http:x`) is
/// replaced, not repeated.
fn with_scheme(url: &str) -> String {
    let lower = url.to_ascii_lowercase();
    let (scheme, rest) = if lower.starts_with("https:") {
        ("https", &url[6..])
    } else if lower.starts_with("http:") {
        ("http", &url[5..])
    } else {
        ("http", url)
    };
    format!("{scheme}://{}", rest.trim_start_matches('/'))
}

/// `host:port` → (`host`, `Some(port)`); an IPv6 address keeps its brackets.
fn split_port(host_port: &str) -> (&str, Option<&str>) {
    if host_port.starts_with('[') {
        return match host_port.find(']') {
            Some(end) => {
                let (host, after) = host_port.split_at(end + 1);
                (host, after.strip_prefix(':'))
            }
            None => (host_port, None),
        };
    }
    match host_port.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (host_port, None),
    }
}

/// A DNS name, an IPv4 address, or a bracketed IPv6 address.
fn valid_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[') {
        return inner
            .strip_suffix(']')
            .is_some_and(|ip| ip.parse::<std::net::Ipv6Addr>().is_ok());
    }
    host.split('.').all(|label| {
        !label.is_empty()
            && label
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_urls_pass() {
        for url in [
            "http://127.0.0.1:5000",
            "http://localhost:5000/",
            "https://ec2.us-east-1.amazonaws.com",
            "HTTP://moto:5000/prefix?x=1",
            "http://[::1]:4566",
            "http://user@host",
        ] {
            assert_eq!(problem(url), None, "{url}");
        }
    }

    #[test]
    fn each_fault_is_named_with_the_fix() {
        let said = |url| problem(url).unwrap();
        assert_eq!(
            said("localhost:5000"),
            "has no scheme; write it as http://localhost:5000"
        );
        assert_eq!(
            said("http:/localhost:5000"),
            "has no scheme; write it as http://localhost:5000"
        );
        assert_eq!(
            said("127.0.0.1"),
            "has no scheme; write it as http://127.0.0.1"
        );
        assert!(said("ftp://host").starts_with("has the scheme `ftp`"));
        assert!(said("http://").starts_with("has no host"));
        assert!(said("http://:5000").starts_with("has no host"));
        assert!(said("http://host:50000000").contains("`50000000` as its port"));
        assert!(said("http://host:0").contains("`0` as its port"));
        assert!(said("http://host:").contains("`` as its port"));
        assert!(said("http://a..b").contains("`a..b` as its host"));
        assert!(said("http://[::1").contains("as its host"));
        assert!(said("http://local host").contains("space"));
        assert!(said("").starts_with("is empty"));
    }
}
