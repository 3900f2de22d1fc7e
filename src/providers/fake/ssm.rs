//! The fake world's SSM Parameter Store: String parameters by name, with their tags, per
//! region.

use async_trait::async_trait;

use super::*;
use crate::providers::*;

const SSM: &str = "SSM";

impl FakeRegion {
    fn parameters<R>(
        &self,
        op: Op,
        f: impl FnOnce(&mut BTreeMap<String, super::Parameter>) -> Result<R>,
    ) -> Result<R> {
        self.in_region(op, |r, _| f(&mut r.parameters))
    }
}

#[async_trait]
impl Parameters for FakeRegion {
    async fn snapshot(&self, stack: &str) -> Result<Vec<ParameterInfo>> {
        let op = self.call(SSM, "GetParametersByPath").await?;
        let path = parameter_path(stack);
        self.parameters(op, |parameters| {
            Ok(parameters
                .iter()
                .filter(|(name, _)| name.starts_with(&path))
                .map(|(name, p)| ParameterInfo {
                    name: name.clone(),
                    value: p.value.clone(),
                })
                .collect())
        })
    }

    async fn parameter(&self, name: &str) -> Result<Option<String>> {
        let op = self.call(SSM, "GetParameter").await?;
        self.parameters(op, |parameters| {
            Ok(parameters.get(name).map(|p| p.value.clone()))
        })
    }

    async fn create_parameter(&self, name: &str, value: &str, tags: &Tags) -> Result<()> {
        let op = self.call(SSM, "PutParameter").await?;
        self.parameters(op, |parameters| {
            if parameters.contains_key(name) {
                return Err(op.exists(format!("{name} exists")));
            }
            parameters.insert(
                name.into(),
                super::Parameter {
                    value: value.into(),
                    tags: tags.clone(),
                },
            );
            Ok(())
        })
    }

    async fn set_parameter(&self, name: &str, value: &str) -> Result<()> {
        let op = self.call(SSM, "PutParameter").await?;
        self.parameters(op, |parameters| {
            let p = parameters.get_mut(name).ok_or_else(|| op.not_found(name))?;
            p.value = value.into();
            Ok(())
        })
    }

    async fn delete_parameter(&self, name: &str) -> Result<()> {
        let op = self.call(SSM, "DeleteParameter").await?;
        self.parameters(op, |parameters| {
            parameters
                .remove(name)
                .map(|_| ())
                .ok_or_else(|| op.not_found(name))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> (FakeWorld, Arc<dyn Parameters>) {
        let world = FakeWorld::new(&["us-east-1", "us-west-2"], Behaviour::default());
        let parameters = world.clients("us-east-1").parameters;
        (world, parameters)
    }

    fn tags(stack: &str) -> Tags {
        Tags::from([(crate::model::TAG_STACK.to_string(), stack.to_string())])
    }

    #[tokio::test(start_paused = true)]
    async fn creates_once_then_sets_the_value_and_keeps_the_tags() {
        let (world, ssm) = world();
        let name = "/multiregion/demo/last-up";
        ssm.create_parameter(name, "v1", &tags("demo"))
            .await
            .unwrap();
        let again = ssm.create_parameter(name, "v2", &tags("demo")).await;
        let e = again.unwrap_err();
        assert_eq!(
            (e.kind, e.operation),
            (ErrorKind::AlreadyExists, "PutParameter")
        );
        ssm.set_parameter(name, "v2").await.unwrap();
        let snap = ssm.snapshot("demo").await.unwrap();
        assert_eq!(
            snap,
            vec![ParameterInfo {
                name: name.into(),
                value: "v2".into()
            }]
        );
        assert_eq!(world.tagged("demo").get("Parameter"), Some(&1));
        let calls = world.stats().per_operation();
        assert_eq!(calls.get("SSM:PutParameter"), Some(&3));
        assert_eq!(calls.get("SSM:GetParametersByPath"), Some(&1));
    }

    #[tokio::test(start_paused = true)]
    async fn deletes_and_reports_what_is_not_there() {
        let (world, ssm) = world();
        let name = "/multiregion/demo/last-up";
        ssm.create_parameter(name, "v1", &tags("demo"))
            .await
            .unwrap();
        ssm.delete_parameter(name).await.unwrap();
        for e in [
            ssm.delete_parameter(name).await.unwrap_err(),
            ssm.set_parameter(name, "v2").await.unwrap_err(),
        ] {
            assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
        }
        assert!(ssm.snapshot("demo").await.unwrap().is_empty());
        assert!(world.tagged("demo").is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn a_snapshot_reads_the_stacks_path_in_its_own_region() {
        let (world, ssm) = world();
        for name in [
            "/multiregion/demo/last-up",
            "/multiregion/demo/nested/value",
            "/multiregion/demo-2/last-up",
            "/elsewhere/demo/last-up",
        ] {
            ssm.create_parameter(name, "v", &Tags::new()).await.unwrap();
        }
        let west = world.clients("us-west-2").parameters;
        west.create_parameter("/multiregion/demo/west", "v", &Tags::new())
            .await
            .unwrap();
        let names: Vec<String> = ssm
            .snapshot("demo")
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(
            names,
            [
                "/multiregion/demo/last-up",
                "/multiregion/demo/nested/value"
            ]
        );
    }
}
