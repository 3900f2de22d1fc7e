//! A fresh discovery for one logical id, for what the run's own calls may have done unseen: a
//! create whose answer was lost, a change that took effect before its error came back.

use async_trait::async_trait;

use super::{Engine, EngineError};
use crate::kinds::{Finder, ObservedResource};
use crate::providers::ProviderError;

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
