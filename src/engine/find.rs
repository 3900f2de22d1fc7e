//! A fresh discovery for one logical id, for what the run's own calls may have done unseen: a
//! create whose answer was lost, a change that took effect before its error came back. And
//! where the stack's run lock lives.

use async_trait::async_trait;

use std::sync::Arc;

use super::{Engine, EngineError};
use crate::kinds::{Finder, ObservedResource};
use crate::providers::{Parameters, ProviderError};
use crate::stack::types::Role;

impl Engine<'_> {
    /// Where the stack's run lock lives: the frontend region's Parameter Store.
    pub fn lock_store(&self) -> Arc<dyn Parameters> {
        let regions = &self.stack.stack.spec.regions;
        let frontend = regions.iter().find(|r| r.role == Role::Frontend);
        let name = frontend.or(regions.first()).map(|r| r.name.as_str());
        let target = self.regions.iter().find(|t| Some(t.name.as_str()) == name);
        target
            .or(self.regions.first())
            .map(|t| t.clients.parameters.clone())
            .expect("a valid stack has regions")
    }
}

#[async_trait]
impl Finder for Engine<'_> {
    async fn find(&self, id: &str) -> Result<Option<ObservedResource>, ProviderError> {
        let desired = self.desired();
        match self.observe(&desired).await {
            Ok(mut observed) => Ok(observed.resources.remove(id)),
            Err(EngineError::Discovery { source, .. }) => Err(source),
            Err(e) => Err(ProviderError::new(
                crate::providers::ErrorKind::Other,
                "discovery",
                e.to_string(),
            )),
        }
    }
}
