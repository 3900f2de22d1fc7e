//! The trait and domain type for SSM Parameter Store, where a region keeps the record of the
//! stack's last successful `up`, and the frontend region the stack's run lock.

use async_trait::async_trait;

use super::{Result, Tags};

/// A parameter of the stack's, as SSM Parameter Store reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterInfo {
    pub name: String,
    pub value: String,
}

/// The parameter path that scopes a stack's parameters, so one listing finds them.
pub fn parameter_path(stack: &str) -> String {
    format!("/multiregion/{stack}/")
}

/// SSM Parameter Store in one region (the record of the last successful `up`).
#[async_trait]
pub trait Parameters: Send + Sync {
    /// The parameters under the stack's path: one `GetParametersByPath` listing (recursive, paginated).
    async fn snapshot(&self, stack: &str) -> Result<Vec<ParameterInfo>>;
    /// One parameter's value (`GetParameter`), `None` where there is none.
    async fn parameter(&self, name: &str) -> Result<Option<String>>;
    /// Creates a String parameter with its tags (`PutParameter` without overwrite; AlreadyExists if it is there).
    async fn create_parameter(&self, name: &str, value: &str, tags: &Tags) -> Result<()>;
    /// Replaces the value of an existing parameter (`PutParameter` with overwrite; its tags stay).
    async fn set_parameter(&self, name: &str, value: &str) -> Result<()>;
    async fn delete_parameter(&self, name: &str) -> Result<()>;
}
