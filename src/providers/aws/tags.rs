//! Tags between the domain's map and each SDK's own `Tag` type.

use std::collections::HashMap;

use crate::providers::{ErrorKind, ProviderError, Result, Tags};

/// A tag as an SDK answers it.
pub(crate) trait TagPair {
    fn pair(&self) -> Option<(&str, &str)>;
}

/// A tag as an SDK takes it.
pub(crate) trait SdkTag: TagPair + Sized {
    fn of(key: &str, value: &str) -> Result<Self>;
}

/// Types whose key and value are optional, and whose builders cannot fail.
macro_rules! optional_fields {
    ($($tag:ty),*) => {$(
        impl TagPair for $tag {
            fn pair(&self) -> Option<(&str, &str)> {
                Some((self.key()?, self.value().unwrap_or_default()))
            }
        }
    )*};
}

/// Builders that cannot fail.
macro_rules! infallible {
    ($($tag:ty),*) => {$(
        impl SdkTag for $tag {
            fn of(key: &str, value: &str) -> Result<Self> {
                Ok(<$tag>::builder().key(key).value(value).build())
            }
        }
    )*};
}

/// Types whose key and value are required, checked when built.
macro_rules! required_fields {
    ($($tag:ty),*) => {$(
        impl TagPair for $tag {
            fn pair(&self) -> Option<(&str, &str)> {
                Some((self.key(), self.value()))
            }
        }
        impl SdkTag for $tag {
            fn of(key: &str, value: &str) -> Result<Self> {
                <$tag>::builder()
                    .key(key)
                    .value(value)
                    .build()
                    .map_err(|e| ProviderError::new(ErrorKind::Other, "build Tag", e.to_string()))
            }
        }
    )*};
}

optional_fields!(
    aws_sdk_ec2::types::Tag,
    aws_sdk_elasticloadbalancingv2::types::Tag,
    aws_sdk_autoscaling::types::TagDescription
);
infallible!(
    aws_sdk_ec2::types::Tag,
    aws_sdk_elasticloadbalancingv2::types::Tag
);
required_fields!(
    aws_sdk_wafv2::types::Tag,
    aws_sdk_iam::types::Tag,
    aws_sdk_ssm::types::Tag
);

/// The tags of an SDK's list.
pub(crate) fn tags_of<T: TagPair>(list: &[T]) -> Tags {
    list.iter()
        .filter_map(|t| {
            let (k, v) = t.pair()?;
            Some((k.to_string(), v.to_string()))
        })
        .collect()
}

/// The value of one tag in an SDK's list.
pub(crate) fn tag_value<'a, T: TagPair>(list: &'a [T], key: &str) -> Option<&'a str> {
    list.iter()
        .filter_map(|t| t.pair())
        .find_map(|(k, v)| (k == key).then_some(v))
}

/// The tags as an SDK's list.
pub(crate) fn sdk_tags<T: SdkTag>(tags: &Tags) -> Result<Vec<T>> {
    tags.iter().map(|(k, v)| T::of(k, v)).collect()
}

/// The tags as the map that EKS and CloudWatch Logs take (and EKS answers).
pub(crate) fn tag_map(tags: &Tags) -> HashMap<String, String> {
    tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// A map EKS answers (tags, labels), in the domain's order.
pub(crate) fn from_map(map: Option<&HashMap<String, String>>) -> Tags {
    map.map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}
