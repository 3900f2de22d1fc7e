//! Alarms that reach someone: the documents' alarms exist, notify the region's topic, and
//! the topic has a subscriber who confirmed.

use super::*;

/// The alarms without which nobody hears of an outage: the public entry's error rate and the
/// backend's running pods.
const ESSENTIAL: [&str; 2] = ["errorRate", "backendPods"];

pub(super) fn alarms_reach_someone(world: &World) -> Finding {
    let mut look = Look::default();
    if !world.alerts || world.regions.iter().all(|r| r.alarms_wanted.is_empty()) {
        look.problem(
            "the stack asks for no alarms (no spec.alerts): nobody hears of an outage".into(),
        );
        return look.finish();
    }
    // Turned off by the stack. Where the setup has nothing for one to watch (a network load
    // balancer in front, a backend without workloads) there is none to ask for.
    for key in ESSENTIAL.iter().filter(|k| world.alarms_off.contains(k)) {
        look.problem(format!(
            "the stack turns the {key} alarm off (spec.alerts.alarms.{key}.enabled)"
        ));
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
                    if !a.actions_enabled {
                        look.problem(format!(
                            "{}: {} has its actions turned off: it notifies nobody",
                            r.name, a.name.label
                        ));
                    } else if a.actions.contains(&topic.id) {
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
