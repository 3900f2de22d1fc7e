//! IAM on `aws-sdk-iam`. The stack's roles live under the path `/multiregion/<stack>/`, so one
//! listing finds them; the tag then confirms ownership.

use async_trait::async_trait;
use aws_sdk_iam::Client;

use super::{carried, done, every, retag, sdk_tags, sent, tags_of};
use crate::model::TAG_STACK;
use crate::providers::*;

pub struct IamRoles {
    client: Client,
}

impl IamRoles {
    pub fn new(client: Client) -> Self {
        IamRoles { client }
    }
}

fn trust_policy(service: &str) -> String {
    // EKS Pod Identity tags the sessions it opens (with the cluster, namespace and service
    // account), which the trust policy must allow.
    let action = if service == "pods.eks.amazonaws.com" {
        serde_json::json!(["sts:AssumeRole", "sts:TagSession"])
    } else {
        serde_json::json!("sts:AssumeRole")
    };
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": action}]
    })
    .to_string()
}

/// The service principal of a trust policy; IAM returns it URL-encoded.
fn trusted_service(document: &str) -> String {
    let decoded = percent_decode(document);
    let json: serde_json::Value = serde_json::from_str(&decoded).unwrap_or_default();
    let principal = &json["Statement"][0]["Principal"]["Service"];
    principal
        .as_str()
        .map(str::to_string)
        .or_else(|| principal[0].as_str().map(str::to_string))
        .unwrap_or_default()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[async_trait]
impl Iam for IamRoles {
    async fn snapshot(&self, stack: &str) -> Result<Vec<RoleInfo>> {
        let roles: Vec<aws_sdk_iam::types::Role> =
            every!(self.client.list_roles().path_prefix(role_path(stack))).await?;
        let c = &self.client;
        let reads = roles.iter().map(|r| async move {
            let name = r.role_name();
            let (tags, policies, inline) = futures::try_join!(
                sent(c.list_role_tags().role_name(name).send()),
                sent(c.list_attached_role_policies().role_name(name).send()),
                sent(c.list_role_policies().role_name(name).send()),
            )?;
            Ok::<_, ProviderError>(RoleInfo {
                name: name.to_string(),
                arn: r.arn().to_string(),
                trusted_service: trusted_service(
                    r.assume_role_policy_document().unwrap_or_default(),
                ),
                managed_policies: policies
                    .attached_policies()
                    .iter()
                    .filter_map(|p| p.policy_arn())
                    .map(str::to_string)
                    .collect(),
                inline_policies: inline.policy_names().to_vec(),
                tags: tags_of(tags.tags()),
            })
        });
        let roles = futures::future::try_join_all(reads).await?;
        Ok(roles
            .into_iter()
            .filter(|r| r.tags.get(TAG_STACK).map(String::as_str) == Some(stack))
            .collect())
    }

    async fn create_role(
        &self,
        name: &str,
        path: &str,
        trusted_service: &str,
        tags: &Tags,
    ) -> Result<String> {
        let out = sent(
            self.client
                .create_role()
                .role_name(name)
                .path(path)
                .assume_role_policy_document(trust_policy(trusted_service))
                .set_tags(Some(sdk_tags(tags)?))
                .send(),
        )
        .await?;
        carried(&out, "role", |o| o.role().map(|r| r.arn()))
    }

    async fn attach_policy(&self, role: &str, policy_arn: &str) -> Result<()> {
        done(
            self.client
                .attach_role_policy()
                .role_name(role)
                .policy_arn(policy_arn)
                .send(),
        )
        .await
    }

    async fn detach_policy(&self, role: &str, policy_arn: &str) -> Result<()> {
        done(
            self.client
                .detach_role_policy()
                .role_name(role)
                .policy_arn(policy_arn)
                .send(),
        )
        .await
    }

    async fn put_inline_policy(&self, role: &str, name: &str, document: &str) -> Result<()> {
        done(
            self.client
                .put_role_policy()
                .role_name(role)
                .policy_name(name)
                .policy_document(document)
                .send(),
        )
        .await
    }

    async fn delete_inline_policy(&self, role: &str, name: &str) -> Result<()> {
        done(
            self.client
                .delete_role_policy()
                .role_name(role)
                .policy_name(name)
                .send(),
        )
        .await
    }

    async fn delete_role(&self, role: &str) -> Result<()> {
        done(self.client.delete_role().role_name(role).send()).await
    }

    async fn set_tags(&self, role: &str, add: &Tags, remove: &[String]) -> Result<()> {
        let c = &self.client;
        retag(
            remove,
            done(
                c.untag_role()
                    .role_name(role)
                    .set_tag_keys(Some(remove.to_vec()))
                    .send(),
            ),
            add,
            async {
                done(
                    c.tag_role()
                        .role_name(role)
                        .set_tags(Some(sdk_tags(add)?))
                        .send(),
                )
                .await
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_service_of_an_encoded_trust_policy() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22eks.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D";
        assert_eq!(trusted_service(encoded), "eks.amazonaws.com");
        assert_eq!(
            trusted_service(&trust_policy("ec2.amazonaws.com")),
            "ec2.amazonaws.com"
        );
    }
}
