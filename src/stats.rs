//! Counts of cloud API calls, per service and operation, for `--stats` and the call budget.

use std::collections::BTreeMap;
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct CallStats {
    calls: Mutex<BTreeMap<(String, String), u64>>,
}

impl CallStats {
    pub fn record(&self, service: &str, operation: &str) {
        if let Ok(mut calls) = self.calls.lock() {
            *calls
                .entry((service.to_string(), operation.to_string()))
                .or_default() += 1;
        }
    }

    pub fn total(&self) -> u64 {
        self.calls.lock().map(|c| c.values().sum()).unwrap_or(0)
    }

    /// Calls per service, services in name order.
    pub fn per_service(&self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        if let Ok(calls) = self.calls.lock() {
            for ((service, _), n) in calls.iter() {
                *out.entry(service.clone()).or_default() += n;
            }
        }
        out
    }

    /// Calls per `service:Operation`.
    pub fn per_operation(&self) -> BTreeMap<String, u64> {
        self.calls
            .lock()
            .map(|c| {
                c.iter()
                    .map(|((s, o), n)| (format!("{s}:{o}"), *n))
                    .collect()
            })
            .unwrap_or_default()
    }
}
