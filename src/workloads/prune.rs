//! The stack's objects in a cluster that its manifests no longer name: found by the owner's
//! labels among every kind the strict check accepts, the kinds the manifests use and the kinds
//! of the stack's own CRDs, and deleted (namespaces and CRDs last, as deleting them deletes
//! what they hold).

use std::collections::BTreeSet;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, PropagationPolicy};
use kube::discovery::Scope;

use super::WorkloadError;
use super::api_error;
use super::discovery;
use super::render::Manifest;
use super::strict::KNOWN;
use super::sync::{Action, LiveObject, Session, Target, WorkloadChange};

type ObjectKey = (String, String, Option<String>, String);

impl Session<'_> {
    /// Objects with the owner's labels that no manifest names, in the order they can go.
    pub(super) async fn extras(
        &mut self,
        manifests: &[Manifest],
    ) -> Result<Vec<WorkloadChange>, WorkloadError> {
        let wanted: BTreeSet<ObjectKey> = manifests
            .iter()
            .map(|m| {
                (
                    m.api_version().to_string(),
                    m.kind().to_string(),
                    m.namespace().map(str::to_string),
                    m.name().to_string(),
                )
            })
            .collect();
        let selector = ListParams::default().labels(&self.owner.selector());
        let mut kinds: Vec<(String, String)> = Vec::new();
        let known = KNOWN.iter().map(|(v, k)| (v.to_string(), k.to_string()));
        let used = manifests
            .iter()
            .map(|m| (m.api_version().to_string(), m.kind().to_string()));
        let custom = self.custom_kinds(&selector).await?;
        for kind in known.chain(used).chain(custom) {
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        // Deleting a CRD deletes its custom resources, and a namespace everything in it.
        kinds.sort_by_key(|(_, k)| match k.as_str() {
            "Namespace" => 2,
            "CustomResourceDefinition" => 1,
            _ => 0,
        });
        let mut extras = Vec::new();
        for (api_version, kind_name) in kinds {
            let Some(kind) = self
                .discovery
                .resolve(self.api, &api_version, &kind_name)
                .await?
            else {
                continue;
            };
            let namespaced = kind.1.scope == Scope::Namespaced;
            let api: Api<DynamicObject> = Api::all_with(self.api.client().await?, &kind.0);
            let listed = api
                .list(&selector)
                .await
                .map_err(|e| api_error(self.api, format!("listing {kind_name} objects"), e))?;
            for object in listed.items {
                let name = object.metadata.name.clone().unwrap_or_default();
                let namespace = object.metadata.namespace.clone();
                // A manifest without a namespace lands in `default`.
                let as_written = if namespaced && namespace.as_deref() == Some("default") {
                    vec![namespace.clone(), None]
                } else {
                    vec![namespace.clone()]
                };
                let named = as_written.into_iter().any(|ns| {
                    wanted.contains(&(api_version.clone(), kind_name.clone(), ns, name.clone()))
                });
                if named || object.metadata.deletion_timestamp.is_some() {
                    continue;
                }
                let object_text = match &namespace {
                    Some(ns) => format!("{kind_name} {ns}/{name}"),
                    None => format!("{kind_name} {name}"),
                };
                extras.push(WorkloadChange {
                    cluster: self.cluster(),
                    action: Action::Delete,
                    object: object_text,
                    fields: Vec::new(),
                    note: None,
                    target: Target::Live(LiveObject {
                        kind: kind.clone(),
                        namespace,
                        name,
                    }),
                });
            }
        }
        Ok(extras)
    }

    /// The kinds the owner's CRDs define (each served version), so that custom resources are
    /// found even once their manifests are gone.
    async fn custom_kinds(
        &self,
        selector: &ListParams,
    ) -> Result<Vec<(String, String)>, WorkloadError> {
        let crds: Api<CustomResourceDefinition> = Api::all(self.api.client().await?);
        let listed = match crds.list(selector).await {
            Ok(listed) => listed,
            Err(e) if discovery::is_not_found(&e) => return Ok(Vec::new()),
            Err(e) => {
                return Err(api_error(
                    self.api,
                    "listing CustomResourceDefinitions".into(),
                    e,
                ));
            }
        };
        Ok(listed
            .items
            .iter()
            .flat_map(|crd| {
                crd.spec.versions.iter().filter(|v| v.served).map(|v| {
                    (
                        format!("{}/{}", crd.spec.group, v.name),
                        crd.spec.names.kind.clone(),
                    )
                })
            })
            .collect())
    }

    pub(super) async fn delete(
        &self,
        object: &LiveObject,
        text: &str,
    ) -> Result<(), WorkloadError> {
        let client = self.api.client().await?;
        let (resource, caps) = &object.kind;
        let api: Api<DynamicObject> = match (&object.namespace, caps.scope == Scope::Namespaced) {
            (Some(ns), true) => Api::namespaced_with(client, ns, resource),
            _ => Api::all_with(client, resource),
        };
        let params = DeleteParams {
            propagation_policy: Some(PropagationPolicy::Background),
            ..Default::default()
        };
        match api.delete(&object.name, &params).await {
            Ok(_) => Ok(()),
            Err(e) if discovery::is_not_found(&e) => Ok(()),
            Err(e) => Err(api_error(self.api, format!("pruning {text}"), e)),
        }
    }
}
