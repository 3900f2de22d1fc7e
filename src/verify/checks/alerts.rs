//! Alarms that reach someone: the documents' alarms exist, notify the region's topic, and
//! the topic has a subscriber who confirmed.

use super::*;

/// The alarms without which nobody hears of an outage: the public entry's error rate and the
/// backend's running pods.
const ESSENTIAL: [(&str, Role); 2] = [
    ("errorRate", Role::Frontend),
    ("backendPods", Role::Backend),
];

pub(super) fn alarms_reach_someone(world: &World) -> Finding {
    let mut look = Look::default();
    if world.regions.iter().all(|r| r.alarms_wanted.is_empty()) {
        look.problem(
            "the stack asks for no alarms (no spec.alerts): nobody hears of an outage".into(),
        );
        return look.finish();
    }
    for (key, role) in ESSENTIAL {
        let Some(r) = region(world, role) else {
            continue;
        };
        let asked = r.alarms_wanted.iter().any(|id| {
            let name = id.rsplit('/').next().unwrap_or_default();
            name == key || name.starts_with(&format!("{key}-"))
        });
        if !asked {
            look.problem(format!(
                "{}: the stack does not ask for the {key} alarm (spec.alerts.alarms.{key}.enabled)",
                r.name
            ));
        }
    }
    for r in &world.regions {
        if r.alarms_wanted.is_empty() {
            continue;
        }
        let Some(topic) = &r.alert_topic else {
            look.problem(format!(
                "{}: no alert topic for its alarms to notify",
                r.name
            ));
            continue;
        };
        look.saw(&topic.name.label);
        match (topic.subscriptions, topic.confirmed) {
            (0, _) => look.problem(format!(
                "{}: {} has no subscriber (spec.alerts.webhooks, spec.alerts.emails)",
                r.name, topic.name.label
            )),
            (n, 0) => look.problem(format!(
                "{}: none of the {n} subscription(s) of {} is confirmed yet",
                r.name, topic.name.label
            )),
            (n, c) => look.ok(format!(
                "{}: {} has {c} of {n} subscription(s) confirmed",
                r.name, topic.name.label
            )),
        }
        for wanted in &r.alarms_wanted {
            match r.alarms.iter().find(|a| a.id == *wanted) {
                None => look.problem(format!("{}: alarm {wanted} does not exist", r.name)),
                Some(a) => {
                    look.saw(&a.name.label);
                    if a.actions.contains(&topic.id) {
                        look.ok(format!(
                            "{}: {} notifies {}",
                            r.name, a.name.label, topic.id
                        ));
                    } else {
                        look.problem(format!(
                            "{}: {} does not notify {} (its actions: {})",
                            r.name,
                            a.name.label,
                            topic.id,
                            if a.actions.is_empty() {
                                "none".to_string()
                            } else {
                                a.actions.join(", ")
                            }
                        ));
                    }
                }
            }
        }
    }
    look.finish()
}
