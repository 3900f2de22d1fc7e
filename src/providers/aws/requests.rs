//! Sending a request: what every adapter method does around the SDK's fluent builders.

use std::future::Future;

use aws_sdk_ec2::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;

use super::classify;
use crate::providers::{Result, Tags};

/// The answer to a request (a builder's `send()`), its error sorted by [`classify`].
pub(crate) async fn sent<T, E>(
    request: impl Future<Output = std::result::Result<T, SdkError<E, HttpResponse>>>,
) -> Result<T>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    request.await.map_err(classify)
}

/// A request whose answer carries nothing the caller needs.
pub(crate) async fn done<T, E>(
    request: impl Future<Output = std::result::Result<T, SdkError<E, HttpResponse>>>,
) -> Result<()>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    sent(request).await.map(drop)
}

/// Changes a resource's tags the way every service takes it: the keys to remove, then the tags
/// to add, each request only when it has something to do (an unneeded one is never sent: a
/// request does nothing until awaited).
pub(crate) async fn retag(
    remove: &[String],
    untag: impl Future<Output = Result<()>>,
    add: &Tags,
    tag: impl Future<Output = Result<()>>,
) -> Result<()> {
    if !remove.is_empty() {
        untag.await?;
    }
    if !add.is_empty() {
        tag.await?;
    }
    Ok(())
}

/// Every item of a paginated listing (a builder with a paginator), its error sorted by
/// [`classify`]: a future, to await or to join with others.
macro_rules! every {
    ($request:expr) => {
        async move {
            $request
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err($crate::providers::aws::classify)
        }
    };
}
pub(crate) use every;
