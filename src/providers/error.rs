//! How a provider call fails: its kind (what the engine can do about it), the operation, the
//! service's message, and what the user can do.

/// Why a provider call failed, sorted by what the engine can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Rate limited; try again later.
    Throttled,
    /// The resource (or one it refers to) is not there — possibly not *yet*, right after a create.
    NotFound,
    /// Something still depends on the resource (an ENI, an attachment); usually clears with time.
    DependencyViolation,
    /// The operation does not apply in the resource's current state.
    InvalidState,
    /// What the call would create is already there (a rule, a route, an association).
    AlreadyExists,
    /// The call may or may not have taken effect: a 5xx answer, a timeout, a connection cut
    /// after the request went out. Repeating a create blindly could make a second one.
    Ambiguous,
    /// No credentials, or ones AWS refuses (expired, invalid, wrongly signed): final, and the
    /// same for every call, so never retried.
    Credentials,
    /// The caller's policies do not allow the call: final until someone grants it.
    AccessDenied,
    /// Anything else: bad request, a refused connection, service failure.
    Other,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{operation}: {message}")]
pub struct ProviderError {
    pub kind: ErrorKind,
    /// The API operation, such as `CreateSubnet`.
    pub operation: &'static str,
    /// The service's code and message, or the whole cause chain of an SDK error.
    pub message: String,
    /// What to do, when the error says more than its kind (the action to grant, the endpoint
    /// to check).
    pub advice: Option<String>,
}

impl ProviderError {
    pub fn new(kind: ErrorKind, operation: &'static str, message: impl Into<String>) -> Self {
        ProviderError {
            kind,
            operation,
            message: message.into(),
            advice: None,
        }
    }

    pub fn with_advice(mut self, advice: impl Into<String>) -> Self {
        self.advice = Some(advice.into());
        self
    }

    /// What the user can do about it: its own advice, else what its kind says.
    pub fn hint(&self) -> Option<String> {
        if let Some(advice) = &self.advice {
            return Some(advice.clone());
        }
        match self.kind {
            ErrorKind::Throttled => Some(format!(
                "AWS kept throttling `{}` past every retry; run again in a few minutes",
                self.operation
            )),
            ErrorKind::Credentials => Some(super::aws::CREDENTIALS_HINT.to_string()),
            ErrorKind::AccessDenied => Some(format!(
                "the credentials in use may not call `{}`: grant it in IAM, or use other \
                 credentials (--profile)",
                self.operation
            )),
            _ => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, ProviderError>;
