//! Container image references by the OCI distribution grammar (`distribution/reference`), so
//! that an image a kubelet could never pull is refused at the stack's line, not found by a
//! rollout that never ends:
//!
//! ```text
//! reference        := name [ ":" tag ] [ "@" digest ]
//! name             := [ domain "/" ] path-component [ "/" path-component ]*
//! domain           := host [ ":" port ]      host: DNS labels joined by ".", or [IPv6]
//! path-component   := alnum [ separator alnum ]*   alnum: [a-z0-9]+   separator: . _ __ -+
//! tag              := [\w][\w.-]{0,127}
//! digest           := "sha256:" 64 lowercase hex digits
//! ```
//!
//! The first component is the registry when it has a `.` or a `:`, is `localhost`, or has
//! capitals, as Docker and containerd decide it.

/// The OCI distribution's bound on a name, registry included.
pub const NAME_MAX: usize = 255;
const TAG_MAX: usize = 128;

/// A reference taken apart; each part as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference<'a> {
    pub domain: Option<&'a str>,
    pub path: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

/// Why a text is not a reference, and the 1-based character where it stops being one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub at: usize,
    pub reason: String,
}

pub fn parse(text: &str) -> Result<Reference<'_>, Problem> {
    let problem = |offset: usize, reason: &str| Problem {
        at: text[..offset].chars().count() + 1,
        reason: reason.to_string(),
    };
    if text.is_empty() {
        return Err(problem(0, "the reference is empty"));
    }
    let (rest, digest) = match text.split_once('@') {
        Some((rest, digest)) => (rest, Some((rest.len() + 1, digest))),
        None => (text, None),
    };
    if let Some((offset, digest)) = digest {
        let hex = digest
            .strip_prefix("sha256:")
            .ok_or_else(|| problem(offset, "a digest is `sha256:` and 64 hexadecimal digits"))?;
        if let Some(bad) = hex.find(|c: char| !matches!(c, '0'..='9' | 'a'..='f')) {
            let at = offset + "sha256:".len() + bad;
            return Err(problem(at, "a digest is lowercase hexadecimal digits"));
        }
        if hex.len() != 64 {
            return Err(problem(offset, "a sha256 digest has 64 hexadecimal digits"));
        }
    }
    // A `:` after the last `/` starts the tag; one before it is the registry's port.
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].find(':') {
        Some(i) => (
            &rest[..last_slash + i],
            Some((last_slash + i + 1, &rest[last_slash + i + 1..])),
        ),
        None => (rest, None),
    };
    if let Some((offset, tag)) = tag {
        check_tag(tag).map_err(|(bad, reason)| problem(offset + bad, reason))?;
    }
    let (domain, path, path_offset) = match name.split_once('/') {
        Some((first, after))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            check_domain(first).map_err(|(bad, reason)| problem(bad, reason))?;
            (Some(first), after, first.len() + 1)
        }
        _ => (None, name, 0),
    };
    let mut offset = path_offset;
    for component in path.split('/') {
        check_component(component).map_err(|(bad, reason)| problem(offset + bad, reason))?;
        offset += component.len() + 1;
    }
    // Only ASCII is left, so a byte offset is a character's.
    if name.len() > NAME_MAX {
        return Err(problem(
            NAME_MAX,
            "a name, registry included, has at most 255 characters",
        ));
    }
    Ok(Reference {
        domain,
        path,
        tag: tag.map(|(_, t)| t),
        digest: digest.map(|(_, d)| d),
    })
}

type Bad = (usize, &'static str);

/// `[\w][\w.-]{0,127}`.
pub fn check_tag(tag: &str) -> Result<(), Bad> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    match tag.chars().next() {
        None => return Err((0, "a tag is not empty")),
        Some(c) if !word(c) => {
            return Err((0, "a tag starts with a letter, a digit or `_`"));
        }
        Some(_) => {}
    }
    if let Some(bad) = tag.find(|c: char| !(word(c) || c == '.' || c == '-')) {
        return Err((bad, "a tag holds letters, digits, `_`, `.` and `-` only"));
    }
    if tag.len() > TAG_MAX {
        return Err((TAG_MAX, "a tag has at most 128 characters"));
    }
    Ok(())
}

/// `[a-z0-9]+` runs joined by `.`, `_`, `__` or a run of `-`.
fn check_component(component: &str) -> Result<(), Bad> {
    if component.is_empty() {
        return Err((
            0,
            "a path component is not empty (no `//`, no `/` at either end)",
        ));
    }
    let bytes = component.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let run = bytes[i..]
            .iter()
            .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            .count();
        if run == 0 {
            let reason = if bytes[i].is_ascii_uppercase() {
                "repository paths are lowercase"
            } else if matches!(bytes[i], b'.' | b'_' | b'-') {
                "a separator (`.`, `_`, `__`, `-`) stands between letters or digits"
            } else {
                "a repository path holds lowercase letters, digits and the separators `.`, `_`, `__`, `-`"
            };
            return Err((i, reason));
        }
        i += run;
        if i == bytes.len() {
            break;
        }
        let separator = match bytes[i] {
            b'.' => 1,
            b'_' if bytes.get(i + 1) == Some(&b'_') => 2,
            b'_' => 1,
            b'-' => bytes[i..].iter().take_while(|b| **b == b'-').count(),
            b if b.is_ascii_uppercase() => return Err((i, "repository paths are lowercase")),
            _ => {
                return Err((
                    i,
                    "a repository path holds lowercase letters, digits and the separators `.`, `_`, `__`, `-`",
                ));
            }
        };
        i += separator;
        if i == bytes.len() {
            return Err((
                i - 1,
                "a separator (`.`, `_`, `__`, `-`) stands between letters or digits",
            ));
        }
    }
    Ok(())
}

/// `host[:port]`: DNS labels of letters, digits and inner `-`, joined by `.`; or `[IPv6]`.
fn check_domain(domain: &str) -> Result<(), Bad> {
    let (host, port) = if domain.starts_with('[') {
        let end = domain
            .find(']')
            .ok_or((0, "an IPv6 registry address ends with `]`"))?;
        let inside = &domain[1..end];
        if inside.is_empty() || !inside.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
            return Err((
                1,
                "an IPv6 registry address holds hexadecimal digits and `:`",
            ));
        }
        (
            &domain[..=end],
            domain[end + 1..].strip_prefix(':').map(|p| (end + 2, p)),
        )
    } else {
        match domain.split_once(':') {
            Some((host, port)) => (host, Some((host.len() + 1, port))),
            None => (domain, None),
        }
    };
    if !host.starts_with('[') {
        let mut offset = 0;
        for label in host.split('.') {
            let inner_ok = label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if label.is_empty() || label.starts_with('-') || label.ends_with('-') || !inner_ok {
                let bad = label
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                    .unwrap_or(0);
                return Err((
                    offset + bad,
                    "a registry name is DNS labels (letters, digits, inner `-`) joined by `.`",
                ));
            }
            offset += label.len() + 1;
        }
    }
    if let Some((offset, port)) = port
        && (port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err((offset, "a registry port is digits"));
    }
    Ok(())
}

/// `name:tag`, or `name:tag@digest` when the image names a digest: the reference both clusters
/// pull, the tag kept for people and the digest pinning the bytes.
pub fn with_tag(image: &str, tag: &str) -> String {
    match image.split_once('@') {
        Some((name, digest)) => format!("{name}:{tag}@{digest}"),
        None => format!("{image}:{tag}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn takes_references_apart() {
        let r = parse("ghcr.io/stefanprodan/podinfo").unwrap();
        assert_eq!(r.domain, Some("ghcr.io"));
        assert_eq!(r.path, "stefanprodan/podinfo");
        let r = parse("localhost:5000/a/b__c.d-e---f:6.7.1_rc.1").unwrap();
        assert_eq!(
            (r.domain, r.tag),
            (Some("localhost:5000"), Some("6.7.1_rc.1"))
        );
        let text = format!("nginx@{DIGEST}");
        let r = parse(&text).unwrap();
        assert_eq!((r.domain, r.path, r.digest), (None, "nginx", Some(DIGEST)));
        let text = format!("[fe80::1]:5000/x/y:1@{DIGEST}");
        let r = parse(&text).unwrap();
        assert_eq!((r.domain, r.tag), (Some("[fe80::1]:5000"), Some("1")));
        assert!(parse("Registry.Example/app").is_ok());
    }

    #[test]
    fn says_where_a_reference_goes_wrong() {
        let at = |text: &str| parse(text).map(|_| ()).map_err(|p| (p.at, p.reason));
        assert_eq!(
            at("ghcr.io/stefan\u{200b}prodan/podinfo").unwrap_err().0,
            15
        );
        assert_eq!(
            at("ghcr.io/Stefan/podinfo").unwrap_err(),
            (9, "repository paths are lowercase".into())
        );
        assert_eq!(at("ghcr.io//podinfo").unwrap_err().0, 9);
        assert_eq!(at("ghcr.io/podinfo/").unwrap_err().0, 17);
        assert_eq!(at("a..b").unwrap_err().0, 3);
        assert_eq!(at("a_").unwrap_err().0, 2);
        assert_eq!(at("my registry/app").unwrap_err().0, 3);
        assert_eq!(at("exa_mple.com/app").unwrap_err().0, 4);
        assert_eq!(at("host:port/app").unwrap_err().0, 6);
        assert_eq!(at("app:.bad").unwrap_err().0, 5);
        assert_eq!(at("app:ba$").unwrap_err().0, 7);
        assert_eq!(at(&format!("app:{}", "t".repeat(129))).unwrap_err().0, 133);
        assert_eq!(
            at("app@sha256:abc").unwrap_err(),
            (5, "a sha256 digest has 64 hexadecimal digits".into())
        );
        assert_eq!(at("app@md5:abc").unwrap_err().0, 5);
        assert_eq!(
            at(&format!(
                "app@{}",
                DIGEST.to_uppercase().replace("SHA", "sha")
            ))
            .unwrap_err()
            .0,
            22
        );
        assert_eq!(at(&format!("{}/app", "a".repeat(300))).unwrap_err().0, 256);
        assert!(at("").is_err());
    }

    #[test]
    fn the_tag_goes_before_a_digest() {
        assert_eq!(with_tag("ghcr.io/x/y", "1.0"), "ghcr.io/x/y:1.0");
        assert_eq!(
            with_tag(&format!("x@{DIGEST}"), "1.0"),
            format!("x:1.0@{DIGEST}")
        );
        assert!(parse(&with_tag(&format!("ghcr.io/x@{DIGEST}"), "1.0")).is_ok());
    }
}
