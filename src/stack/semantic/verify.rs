//! `spec.verify`: every skipped check names a real check id and gives a reason.

use super::Checker;
use crate::quote::quoted;
use crate::stack::diagnostic::Finding;
use crate::stack::suggest::did_you_mean;
use crate::stack::types::*;

impl Checker {
    pub(super) fn verify(&mut self, verify: &VerifySpec) {
        let ids = crate::check_ids::CHECK_IDS;
        for (i, skip) in verify.skip.iter().enumerate() {
            let path = format!("spec.verify.skip[{i}]");
            if !crate::check_ids::is_check(&skip.id)
                && crate::check_ids::retired(&skip.id).is_none()
            {
                self.push(
                    Finding::new(
                        format!("{path}.id"),
                        format!("{} is not a check id", quoted(&skip.id)),
                    )
                    .maybe_hint(did_you_mean(&skip.id, ids.iter().copied()))
                    .hint_or(format!("check ids: {}", ids.join(", "))),
                );
            }
            if skip.reason.trim().is_empty() {
                self.push(
                    Finding::new(format!("{path}.reason"), "a skipped check needs a reason")
                        .hint("the reason appears in every report, for whoever reads it later"),
                );
            }
        }
        self.unique(
            verify.skip.iter().map(|s| s.id.as_str()),
            |i| format!("spec.verify.skip[{i}].id"),
            "skipped check",
        );
    }
}
