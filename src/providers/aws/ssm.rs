//! SSM Parameter Store on `aws-sdk-ssm`: the record of the stack's last successful `up`.

use async_trait::async_trait;
use aws_sdk_ssm::Client;
use aws_sdk_ssm::types::{ParameterType, Tag};

use super::classify;
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

fn sdk_tags(tags: &Tags) -> Result<Vec<Tag>> {
    tags.iter()
        .map(|(k, v)| {
            Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| ProviderError::new(ErrorKind::Other, "build Tag", e.to_string()))
        })
        .collect()
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

    async fn create_parameter(&self, name: &str, value: &str, tags: &Tags) -> Result<()> {
        self.client
            .put_parameter()
            .name(name)
            .value(value)
            .r#type(ParameterType::String)
            .overwrite(false)
            .set_tags(Some(sdk_tags(tags)?))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn set_parameter(&self, name: &str, value: &str) -> Result<()> {
        // No type: an overwrite keeps the parameter's, and without one AWS refuses to make a
        // parameter that is not there (with one it would, untagged).
        let result = self
            .client
            .put_parameter()
            .name(name)
            .value(value)
            .overwrite(true)
            .send()
            .await;
        match result.map_err(classify) {
            Ok(_) => Ok(()),
            Err(e) if e.message.contains("type is required") => Err(ProviderError::new(
                ErrorKind::NotFound,
                e.operation,
                e.message,
            )),
            Err(e) => Err(e),
        }
    }

    async fn delete_parameter(&self, name: &str) -> Result<()> {
        self.client
            .delete_parameter()
            .name(name)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }
}
