//! `chaos`: fault experiments on the running setup — a steady state, the fault, observation
//! until recovery, the rollback always, and the measured figures of each phase.

pub mod kube;
pub mod network;
pub mod run;
#[cfg(test)]
mod tests;

use serde::Serialize;

pub use run::{Outcome, Verdict};

/// One experiment's report, with what was cleaned up before it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChaosReport {
    pub stack: String,
    pub experiment: String,
    /// What the experiment acts on: `namespace/deployment on cluster`.
    pub target: String,
    /// Leftovers of earlier experiments undone first.
    pub cleaned: Vec<String>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

impl ChaosReport {
    pub fn to_text(&self) -> String {
        let o = &self.outcome;
        let t = &o.timeline;
        let verdict = match o.verdict {
            Verdict::Recovered => format!(
                "recovered in {:.1} s",
                t.recovery_seconds.unwrap_or_default()
            ),
            Verdict::NotRecovered => "NOT recovered within the timeout".into(),
            Verdict::SteadyStateMissed => "steady state missed: no fault was put in".into(),
            Verdict::Interrupted => "interrupted".into(),
            Verdict::Failed => "failed".into(),
        };
        let mut out = format!("chaos {} on {}: {verdict}\n", self.experiment, self.target);
        for c in &self.cleaned {
            out.push_str(&format!("  cleaned    {c}\n"));
        }
        let line = |out: &mut String, what: &str, at: Option<f64>, text: Option<&str>| {
            if let Some(at) = at {
                let text = text.map(|t| format!(": {t}")).unwrap_or_default();
                out.push_str(&format!("  {what:<10} at {at:.1} s{text}\n"));
            }
        };
        line(&mut out, "injected", t.injected, o.injection.as_deref());
        line(&mut out, "degraded", t.degraded, None);
        line(
            &mut out,
            "rolled back",
            t.rolled_back,
            o.rollback.as_deref(),
        );
        line(&mut out, "recovered", t.recovered, None);
        if let Some(e) = &o.error {
            out.push_str(&format!("  error      {e}\n"));
        }
        if o.phases.iter().any(|p| p.probe.is_some()) {
            out.push_str("  phase      from      to  requests  success     p50     p99 (ms)\n");
            for p in &o.phases {
                let Some(s) = &p.probe else { continue };
                let (p50, p99) = s.latency_ms.as_ref().map_or(("-".into(), "-".into()), |l| {
                    (l.p50.to_string(), l.p99.to_string())
                });
                out.push_str(&format!(
                    "  {:<8} {:>6.1} {:>7.1} {:>9} {:>7.1}% {:>7} {:>7}\n",
                    p.name,
                    p.from,
                    p.to,
                    s.requests,
                    s.success_rate * 100.0,
                    p50,
                    p99
                ));
            }
        }
        out
    }
}
