//! How the adapter reports what went wrong: SDK errors sorted into [`ErrorKind`]s and named
//! after the operation their type belongs to, and the few answers that lack what they should
//! carry.

use aws_sdk_ec2::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;

use super::{auth, reach};
use crate::providers::{ErrorKind, ProviderError, Result};

/// The API operation an SDK type belongs to: every operation's error and output types are named
/// after it (`aws_sdk_ec2::operation::create_vpc::CreateVpcError`, `...::CreateVpcOutput`), so
/// the type says which operation failed, however the call was written.
pub(crate) fn operation_of<T>() -> &'static str {
    let path = std::any::type_name::<T>();
    let name = path.rsplit("::").next().unwrap_or(path);
    name.strip_suffix("Error")
        .or_else(|| name.strip_suffix("Output"))
        .unwrap_or(name)
}

/// Sorts an SDK error by its service code, keeping the whole cause chain as the message; the
/// operation is the one the error's type belongs to. Credentials that did not load, a call that
/// got no answer, and a call refused by policy are said in their own words, with advice.
pub(crate) fn classify<E>(error: SdkError<E, HttpResponse>) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let code = error.code().unwrap_or_default().to_string();
    let mut kind = kind_of(&code);
    // No answer, or one cut short: the request may have been carried out.
    let unanswered = match &error {
        SdkError::TimeoutError(_) | SdkError::ResponseError(_) => true,
        // A refused connection sent nothing.
        SdkError::DispatchFailure(f) => (f.is_timeout() || f.is_io()) && !refused(&error),
        SdkError::ServiceError(e) => {
            e.raw().status().is_server_error() && kind != ErrorKind::Throttled
        }
        _ => false,
    };
    if unanswered {
        kind = ErrorKind::Ambiguous;
    }
    // EKS refuses a role made a moment ago ("could not be assumed"): IAM has not caught up yet.
    if code == "InvalidParameterException" && error.message().is_some_and(|m| m.contains("assume"))
    {
        kind = ErrorKind::NotFound;
    }
    let operation = operation_of::<E>();
    // Credentials are resolved before the request is sent: no code, the reason deep in the chain.
    if let Some(why) = auth::credentials_failure(&error) {
        return ProviderError::new(ErrorKind::Credentials, operation, why);
    }
    if let Some(u) = reach::unreachable_in(&error) {
        return ProviderError::new(kind, operation, u.to_string()).with_advice(u.hint());
    }
    let message = match error.message() {
        Some(m) if !code.is_empty() => format!("{code}: {m}"),
        _ => display_chain(&error),
    };
    let plain = ProviderError::new(kind, operation, message);
    if kind != ErrorKind::AccessDenied {
        return plain;
    }
    // The action to grant: the one AWS named, else the one this call is.
    let call = format!("{}:{operation}", auth::action_prefix::<E>());
    let denial = auth::parse_denial(error.message().unwrap_or_default());
    plain.with_advice(auth::denied_hint(&denial, &call))
}

/// Whether the connection was refused: the request never left.
fn refused(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return true;
        }
        next = e.source();
    }
    false
}

/// An error of the operation that gave `answer`: what it answered lacks something or says no.
pub(crate) fn answered<T>(
    _answer: &T,
    kind: ErrorKind,
    message: impl Into<String>,
) -> ProviderError {
    ProviderError::new(kind, operation_of::<T>(), message)
}

/// The id (or ARN, `what`) that an answer always carries.
pub(crate) fn carried<'a, T>(
    answer: &'a T,
    what: &str,
    field: impl FnOnce(&'a T) -> Option<&'a str>,
) -> Result<String> {
    field(answer).map(str::to_string).ok_or_else(|| {
        answered(
            answer,
            ErrorKind::Other,
            format!("the response carried no {what}"),
        )
    })
}

/// A waiter that gave up (or failed), under the name of what it waited for; credentials that
/// ran out, or an endpoint gone, while it waited are said as such.
pub(crate) fn waited(
    operation: &'static str,
    error: impl std::error::Error + 'static,
) -> ProviderError {
    if let Some(why) = auth::credentials_failure(&error) {
        return ProviderError::new(ErrorKind::Credentials, operation, why);
    }
    if let Some(u) = reach::unreachable_in(&error) {
        return ProviderError::new(ErrorKind::Other, operation, u.to_string())
            .with_advice(u.hint());
    }
    ProviderError::new(ErrorKind::Other, operation, display_chain(&error))
}

/// `outer: cause: root cause`, each level's Display once (SDK errors repeat their sources).
pub(crate) fn display_chain(error: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(error);
    while let Some(e) = next {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

fn kind_of(code: &str) -> ErrorKind {
    if auth::is_credentials_code(code) {
        return ErrorKind::Credentials;
    }
    if auth::is_denied_code(code) {
        return ErrorKind::AccessDenied;
    }
    match code {
        "Throttling"
        | "ThrottlingException"
        | "RequestLimitExceeded"
        | "TooManyRequestsException"
        | "RequestThrottled"
        | "SlowDown" => ErrorKind::Throttled,
        "DependencyViolation"
        | "ResourceInUse"
        | "WAFAssociatedItemException"
        | "ResourceInUseException"
        | "DeleteConflict"
        | "InvalidIPAddress.InUse"
        | "InvalidNetworkInterface.InUse" => ErrorKind::DependencyViolation,
        // Just created and not yet usable by WAF: the same as not there yet.
        "WAFNonexistentItemException" | "WAFUnavailableEntityException" => ErrorKind::NotFound,
        "InvalidPermission.Duplicate"
        | "RouteAlreadyExists"
        | "Resource.AlreadyAssociated"
        | "DuplicateListener"
        | "DuplicateTargetGroupName"
        | "DuplicateLoadBalancerName"
        | "WAFDuplicateItemException"
        | "InvalidGroup.Duplicate"
        | "ResourceAlreadyExistsException"
        | "FlowLogAlreadyExists"
        | "ParameterAlreadyExists"
        | "InvalidLaunchTemplateName.AlreadyExistsException"
        | "EntityAlreadyExists" => ErrorKind::AlreadyExists,
        "IncorrectState"
        | "IncorrectInstanceState"
        | "InvalidStateTransition"
        | "WAFOptimisticLockException"
        | "OperationNotPermitted" => ErrorKind::InvalidState,
        // The service failed while handling the request, maybe after carrying it out.
        "InternalError"
        | "InternalFailure"
        | "InternalServerError"
        | "ServiceUnavailable"
        | "ServiceUnavailableException"
        | "Unavailable"
        | "ServerException"
        | "ServiceFailure"
        | "WAFInternalErrorException" => ErrorKind::Ambiguous,
        c if c.ends_with("NotFound") || c == "NoSuchEntity" || c == "ResourceNotFoundException" => {
            ErrorKind::NotFound
        }
        c if c.starts_with("InvalidVpcPeeringConnectionID")
            || c.starts_with("InvalidAllocationID") =>
        {
            ErrorKind::NotFound
        }
        _ => ErrorKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_operation_after_the_error_type() {
        let vpc: SdkError<aws_sdk_ec2::operation::create_vpc::CreateVpcError, HttpResponse> =
            SdkError::construction_failure("no region");
        assert_eq!(classify(vpc).operation, "CreateVpc");
        type LbError = aws_sdk_elasticloadbalancingv2::operation::describe_load_balancers::DescribeLoadBalancersError;
        let unhandled = LbError::unhandled("boom");
        let lbs: SdkError<LbError, HttpResponse> = SdkError::service_error(
            unhandled,
            HttpResponse::new(
                500.try_into().unwrap(),
                aws_smithy_types::body::SdkBody::empty(),
            ),
        );
        let e = classify(lbs);
        assert_eq!(e.operation, "DescribeLoadBalancers");
        assert_eq!(
            e.kind,
            ErrorKind::Ambiguous,
            "a 500 may come after the change"
        );
        let acl: SdkError<aws_sdk_wafv2::operation::get_web_acl::GetWebACLError, HttpResponse> =
            SdkError::timeout_error("slow");
        let acl = classify(acl);
        assert_eq!(acl.operation, "GetWebACL");
        assert_eq!(
            acl.kind,
            ErrorKind::Ambiguous,
            "a timeout may have been carried out"
        );
        assert_eq!(
            operation_of::<aws_sdk_ssm::operation::put_parameter::PutParameterOutput>(),
            "PutParameter"
        );
    }

    #[test]
    fn sorts_service_codes() {
        assert_eq!(kind_of("RequestLimitExceeded"), ErrorKind::Throttled);
        assert_eq!(kind_of("InvalidVpcID.NotFound"), ErrorKind::NotFound);
        assert_eq!(kind_of("LoadBalancerNotFound"), ErrorKind::NotFound);
        assert_eq!(kind_of("ParameterNotFound"), ErrorKind::NotFound);
        assert_eq!(kind_of("ParameterAlreadyExists"), ErrorKind::AlreadyExists);
        assert_eq!(
            kind_of("DependencyViolation"),
            ErrorKind::DependencyViolation
        );
        assert_eq!(kind_of("InvalidParameterValue"), ErrorKind::Other);
        assert_eq!(kind_of("InternalError"), ErrorKind::Ambiguous);
    }

    type VpcError = aws_sdk_ec2::operation::create_vpc::CreateVpcError;

    /// A service's answer with `code` and `message`, as the SDK makes it.
    fn answer(status: u16, code: &str, message: &str) -> SdkError<VpcError, HttpResponse> {
        let meta = aws_smithy_types::error::ErrorMetadata::builder()
            .code(code)
            .message(message)
            .build();
        SdkError::service_error(
            VpcError::generic(meta),
            HttpResponse::new(
                status.try_into().unwrap(),
                aws_smithy_types::body::SdkBody::empty(),
            ),
        )
    }

    #[test]
    fn refused_credentials_are_final_and_say_what_to_do() {
        for code in [
            "ExpiredToken",
            "InvalidClientTokenId",
            "SignatureDoesNotMatch",
            "UnrecognizedClientException",
            "AuthFailure",
        ] {
            let e = classify(answer(403, code, "the token is bad"));
            assert_eq!(e.kind, ErrorKind::Credentials, "{code}");
            assert_eq!(e.message, format!("{code}: the token is bad"));
            assert!(e.hint().unwrap().contains("aws sso login"), "{code}");
        }
        // None found: the SDK fails before sending, the reason deep in the chain.
        use aws_credential_types::provider::error::CredentialsError;
        use aws_smithy_runtime_api::client::result::ConnectorError;
        let none = CredentialsError::not_loaded("no providers in chain provided credentials");
        let e = classify::<VpcError>(SdkError::dispatch_failure(ConnectorError::other(
            Box::new(none),
            None,
        )));
        assert_eq!(e.kind, ErrorKind::Credentials);
        assert_eq!(
            e.message,
            "no AWS credentials found: the credential provider was not enabled: no providers in \
             chain provided credentials"
        );
        assert!(e.hint().unwrap().contains("AWS_ACCESS_KEY_ID"));
    }

    #[test]
    fn a_denied_call_names_the_action_to_grant_and_to_whom() {
        let said = "User: arn:aws:iam::123:user/x is not authorized to perform: ec2:CreateVpc \
                    because no identity-based policy allows the ec2:CreateVpc action";
        let e = classify(answer(403, "UnauthorizedOperation", said));
        assert_eq!(e.kind, ErrorKind::AccessDenied);
        assert_eq!(e.message, format!("UnauthorizedOperation: {said}"));
        assert!(
            e.hint()
                .unwrap()
                .starts_with("grant `ec2:CreateVpc` to `arn:aws:iam::123:user/x`"),
            "{:?}",
            e.hint()
        );
        // AWS does not always say who or what: the call is the action.
        let e = classify(answer(403, "AccessDenied", "Access Denied"));
        assert_eq!(e.kind, ErrorKind::AccessDenied);
        assert!(
            e.hint()
                .unwrap()
                .starts_with("grant `ec2:CreateVpc` to the identity"),
            "{:?}",
            e.hint()
        );
    }

    #[test]
    fn a_call_without_an_answer_names_the_url_and_region() {
        use aws_smithy_runtime_api::client::result::ConnectorError;
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let gone = super::reach::Unreachable::new(
            "http://127.0.0.1:1".into(),
            "us-west-2",
            Box::new(refused),
        );
        let e = classify::<VpcError>(SdkError::dispatch_failure(ConnectorError::io(Box::new(
            gone,
        ))));
        assert_eq!(e.kind, ErrorKind::Other, "refused: nothing was sent");
        assert_eq!(
            e.message,
            "cannot reach http://127.0.0.1:1 (us-west-2): connection refused"
        );
        assert!(e.hint().unwrap().contains("emulator"));
        let late = super::reach::Unreachable::new(
            "https://ec2.us-west-2.amazonaws.com".into(),
            "us-west-2",
            "HTTP connect timeout occurred after 3.1s".into(),
        );
        let e = classify::<VpcError>(SdkError::dispatch_failure(ConnectorError::timeout(
            Box::new(late),
        )));
        assert_eq!(e.kind, ErrorKind::Ambiguous, "a timeout may have been sent");
        assert!(
            e.message
                .starts_with("cannot reach https://ec2.us-west-2.amazonaws.com")
        );
    }
}
