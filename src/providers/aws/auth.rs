//! Who is calling and what they may do: credentials that are missing or refused, and calls the
//! account's policies deny. Both are told with what to do, since neither passes with time.

use aws_credential_types::provider::error::CredentialsError;

/// Said after every credential problem, whichever way the credentials were meant to come.
pub const CREDENTIALS_HINT: &str = "set AWS_PROFILE or pass --profile NAME (a profile in \
    ~/.aws/config or ~/.aws/credentials); for SSO run `aws sso login --profile NAME` first; or \
    set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys); \
    for an emulator pass --endpoint-url with any test credentials \
    (AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing)";

/// Service codes that say the credentials are missing, wrong or expired.
pub fn is_credentials_code(code: &str) -> bool {
    matches!(
        code,
        "ExpiredToken"
            | "ExpiredTokenException"
            | "InvalidClientTokenId"
            | "UnrecognizedClientException"
            | "SignatureDoesNotMatch"
            | "InvalidSignatureException"
            | "IncompleteSignature"
            | "MissingAuthenticationToken"
            | "MissingAuthenticationTokenException"
            | "AuthFailure"
            | "InvalidAccessKeyId"
            | "InvalidToken"
            | "TokenRefreshRequired"
    )
}

/// Service codes that say the caller may not make the call.
pub fn is_denied_code(code: &str) -> bool {
    matches!(
        code,
        "AccessDenied"
            | "AccessDeniedException"
            | "UnauthorizedOperation"
            | "UnauthorizedAccess"
            | "UnauthorizedException"
            | "AuthorizationError"
            | "Forbidden"
    )
}

/// What went wrong loading credentials, when an error's chain says it did: the SDK's own
/// wording ("the credential provider was not enabled: no providers in chain provided
/// credentials"), led by what it means.
pub fn credentials_failure(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(c) = e.downcast_ref::<CredentialsError>() {
            let lead = match c {
                CredentialsError::CredentialsNotLoaded(_) => "no AWS credentials found",
                _ => "cannot load the AWS credentials",
            };
            return Some(format!("{lead}: {}", super::display_chain(c)));
        }
        next = e.source();
    }
    None
}

/// An access-denied message read for who was refused what: AWS writes "User: ARN is not
/// authorized to perform: ACTION on resource: ARN because …" (or "with an explicit deny in …").
#[derive(Debug, Default, PartialEq)]
pub struct Denial {
    pub principal: Option<String>,
    pub action: Option<String>,
    pub resource: Option<String>,
    /// `with an explicit deny in a service control policy`: granting more does not help.
    pub explicit: Option<String>,
}

pub fn parse_denial(message: &str) -> Denial {
    let word_after = |marker: &str| {
        let rest = &message[message.find(marker)? + marker.len()..];
        let word = rest.split_whitespace().next()?;
        Some(word.trim_end_matches([',', '.', ';']).to_string())
    };
    let principal = message.find("User: ").and_then(|i| {
        let rest = &message[i + "User: ".len()..];
        let end = rest.find(" is not authorized").unwrap_or(rest.len());
        Some(rest[..end].trim().to_string()).filter(|p| !p.is_empty() && !p.contains(' '))
    });
    let explicit = message.find("with an explicit deny").map(|i| {
        let rest = &message[i + "with an ".len()..];
        rest.split(['.', ';'])
            .next()
            .unwrap_or(rest)
            .trim()
            .to_string()
    });
    Denial {
        principal,
        action: word_after("to perform: ").filter(|a| a.contains(':')),
        resource: word_after("on resource: "),
        explicit,
    }
}

/// What to grant, to whom: the action AWS named, else the one the call is (`ec2:CreateVpc`).
pub fn denied_hint(denial: &Denial, call_action: &str) -> String {
    let action = denial.action.as_deref().unwrap_or(call_action);
    let who = match &denial.principal {
        Some(p) => format!("`{p}`"),
        None => "the identity of these credentials (`aws sts get-caller-identity` names it)".into(),
    };
    let on = match &denial.resource {
        Some(r) => format!(" on `{r}`"),
        None => String::new(),
    };
    match &denial.explicit {
        Some(deny) => format!(
            "`{action}` is refused to {who}{on} by an {deny}: granting it does not help; ask \
             whoever owns that policy, or use other credentials (--profile)"
        ),
        None => format!(
            "grant `{action}` to {who}{on} (an IAM policy that allows it), or use credentials \
             that have it (--profile)"
        ),
    }
}

/// The IAM action prefix of the SDK crate an error type comes from (`aws_sdk_ec2::…` → `ec2`).
pub fn action_prefix<T>() -> &'static str {
    let path = std::any::type_name::<T>();
    match path.split("::").next().unwrap_or(path) {
        "aws_sdk_ec2" => "ec2",
        "aws_sdk_elasticloadbalancingv2" => "elasticloadbalancing",
        "aws_sdk_wafv2" => "wafv2",
        "aws_sdk_eks" => "eks",
        "aws_sdk_cloudwatchlogs" => "logs",
        "aws_sdk_autoscaling" => "autoscaling",
        "aws_sdk_ssm" => "ssm",
        "aws_sdk_iam" => "iam",
        "aws_sdk_sts" => "sts",
        other => other.strip_prefix("aws_sdk_").unwrap_or(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_who_was_refused_what() {
        let m = "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: \
                 ec2:CreateVpc on resource: arn:aws:ec2:us-east-1:123456789012:vpc/* because \
                 no identity-based policy allows the ec2:CreateVpc action";
        let d = parse_denial(m);
        assert_eq!(
            d.principal.as_deref(),
            Some("arn:aws:iam::123456789012:user/ci")
        );
        assert_eq!(d.action.as_deref(), Some("ec2:CreateVpc"));
        assert_eq!(
            d.resource.as_deref(),
            Some("arn:aws:ec2:us-east-1:123456789012:vpc/*")
        );
        assert_eq!(d.explicit, None);
        let hint = denied_hint(&d, "ec2:CreateVpc");
        assert!(
            hint.starts_with("grant `ec2:CreateVpc` to `arn:aws:iam::123456789012:user/ci`"),
            "{hint}"
        );
    }

    #[test]
    fn an_explicit_deny_is_not_fixed_by_granting() {
        let m = "User: arn:aws:sts::1:assumed-role/dev/me is not authorized to perform: \
                 iam:CreateRole on resource: arn:aws:iam::1:role/x with an explicit deny in a \
                 service control policy";
        let d = parse_denial(m);
        assert_eq!(
            d.explicit.as_deref(),
            Some("explicit deny in a service control policy")
        );
        let hint = denied_hint(&d, "iam:CreateRole");
        assert!(hint.contains("granting it does not help"), "{hint}");
    }

    #[test]
    fn without_names_in_the_message_the_call_is_the_action() {
        let d = parse_denial("You are not authorized to perform this operation.");
        assert_eq!(d, Denial::default());
        let hint = denied_hint(&d, "ec2:DescribeVpcs");
        assert!(
            hint.starts_with("grant `ec2:DescribeVpcs` to the identity"),
            "{hint}"
        );
        assert_eq!(
            action_prefix::<aws_sdk_elasticloadbalancingv2::operation::describe_load_balancers::DescribeLoadBalancersError>(),
            "elasticloadbalancing"
        );
    }

    #[test]
    fn sorts_credential_and_denial_codes() {
        assert!(is_credentials_code("ExpiredToken"));
        assert!(is_credentials_code("UnrecognizedClientException"));
        assert!(is_denied_code("UnauthorizedOperation"));
        assert!(!is_denied_code("InvalidParameterValue"));
    }
}
