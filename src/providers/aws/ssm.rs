//! SSM Parameter Store on `aws-sdk-ssm`: the record of the stack's last successful `up`.

use async_trait::async_trait;
use aws_sdk_ssm::Client;
use aws_sdk_ssm::types::ParameterType;

use super::{classify, done, sdk_tags};
use crate::providers::*;

/// GetParametersByPath answers at most this many parameters a page.
const PAGE: i32 = 10;

pub struct SsmParameters {
    client: Client,
}

impl SsmParameters {
    pub fn new(client: Client) -> Self {
        SsmParameters { client }
    }
}

#[async_trait]
impl Parameters for SsmParameters {
    async fn snapshot(&self, stack: &str) -> Result<Vec<ParameterInfo>> {
        let pages: Vec<_> = self
            .client
            .get_parameters_by_path()
            .path(parameter_path(stack))
            .recursive(true)
            .max_results(PAGE)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(classify)?;
        Ok(pages
            .iter()
            .flat_map(|page| page.parameters())
            .filter_map(|p| {
                Some(ParameterInfo {
                    name: p.name()?.to_string(),
                    value: p.value().unwrap_or_default().to_string(),
                })
            })
            .collect())
    }

    async fn parameter(&self, name: &str) -> Result<Option<String>> {
        match self.client.get_parameter().name(name).send().await {
            Ok(out) => Ok(out.parameter().and_then(|p| p.value()).map(str::to_string)),
            Err(e) => match classify(e) {
                e if e.kind == ErrorKind::NotFound => Ok(None),
                e => Err(e),
            },
        }
    }

    async fn create_parameter(&self, name: &str, value: &str, tags: &Tags) -> Result<()> {
        done(
            self.client
                .put_parameter()
                .name(name)
                .value(value)
                .r#type(ParameterType::String)
                .overwrite(false)
                .set_tags(Some(sdk_tags(tags)?))
                .send(),
        )
        .await
    }

    async fn set_parameter(&self, name: &str, value: &str) -> Result<()> {
        // No type: an overwrite keeps the parameter's, and without one AWS refuses to make a
        // parameter that is not there (with one it would, untagged).
        let answer = done(
            self.client
                .put_parameter()
                .name(name)
                .value(value)
                .overwrite(true)
                .send(),
        )
        .await;
        match answer {
            Err(e) if e.message.contains("type is required") => Err(ProviderError::new(
                ErrorKind::NotFound,
                e.operation,
                e.message,
            )),
            answer => answer,
        }
    }

    async fn delete_parameter(&self, name: &str) -> Result<()> {
        done(self.client.delete_parameter().name(name).send()).await
    }
}
