//! The stack's alerting on moto, end to end: `up` makes each region's topic, subscribes a
//! `webhook serve` receiver on 127.0.0.1 and puts the alarms, whose actions notify the topic;
//! an alarm set to ALARM shows in `alarms`; `alarms test` publishes through SNS, moto posts
//! to the receiver, which checks the SNS signature against the emulator's certificate and
//! tells `alarms test` it has the message. (moto runs no alarm actions on a state change.)

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

mod common;

use common::aws::{bare, fresh_moto, multiregion_with, runtime, sdk_config, stack_copy};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The receiver, stopped whatever the test's end: a failed assertion leaves no process.
struct Receiver(Option<Child>);

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `webhook serve` on `port`, once it says it listens.
fn receiver(url: &str, stack: &str, port: u16) -> Receiver {
    let port = port.to_string();
    let args = ["webhook", "serve", "--port", &port, "--output", "json"];
    let mut child = bare(url, stack, &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let started = Instant::now();
    let (mut line, mut said) = (String::new(), String::new());
    while started.elapsed() < Duration::from_secs(30) {
        said.push_str(&line);
        line.clear();
        if err.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if line.contains("listening on") {
            // Keep draining stderr, so the receiver never blocks on a full pipe.
            std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
            return Receiver(Some(child));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the receiver did not start: {said}");
}

#[test]
fn alarms_notify_their_topic_and_a_test_notification_reaches_the_receiver_verified() {
    let (_guard, url) = fresh_moto();
    let port = free_port();
    let (_dir, stack) = stack_copy();
    let text = std::fs::read_to_string(&stack).unwrap();
    let hook = format!("http://127.0.0.1:{port}/sns");
    let text = text.replacen("    webhooks: []", &format!("    webhooks: [{hook}]"), 1);
    std::fs::write(&stack, text).unwrap();
    let mut serve = receiver(url, &stack, port);

    let up = multiregion_with(url, &stack, &["up"]);
    assert_eq!(up.code, 0, "{}", up.stderr);

    // Every alarm exists and notifies its region's topic, which the receiver is subscribed to.
    let listed = multiregion_with(url, &stack, &["alarms", "--output", "json"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let report: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    for region in report["regions"].as_array().unwrap() {
        let topic = region["topic"]["arn"].as_str().expect("a topic");
        let subs = region["topic"]["subscriptions"].as_array().unwrap();
        assert!(
            subs.iter().any(|s| s["endpoint"] == hook.as_str()),
            "{region}"
        );
        let alarms = region["alarms"].as_array().unwrap();
        assert!(alarms.len() >= 5, "{region}");
        for a in alarms {
            assert_ne!(a["state"], "MISSING", "{a}");
            assert_eq!(a["actions"], serde_json::json!([topic]), "{a}");
        }
    }

    // Each topic encrypted with a key of the stack's whose policy lets CloudWatch use it.
    for (n, region) in ["us-east-1", "us-west-2"].iter().enumerate() {
        let topic = report["regions"][n]["topic"]["arn"]
            .as_str()
            .unwrap()
            .to_string();
        runtime().block_on(async {
            let config = sdk_config(url, region).await;
            let attributes = aws_sdk_sns::Client::new(&config)
                .get_topic_attributes()
                .topic_arn(&topic)
                .send()
                .await
                .unwrap();
            let key = attributes.attributes().unwrap()["KmsMasterKeyId"].clone();
            assert!(key.starts_with(&format!("arn:aws:kms:{region}:")), "{key}");
            let kms = aws_sdk_kms::Client::new(&config);
            let policy = kms.get_key_policy().key_id(&key).policy_name("default");
            let policy = policy.send().await.unwrap();
            let policy = policy.policy().unwrap_or_default();
            assert!(policy.contains("\"cloudwatch.amazonaws.com\""), "{policy}");
            let rotation = kms.get_key_rotation_status().key_id(&key).send().await;
            assert!(rotation.unwrap().key_rotation_enabled(), "{key}");
        });
    }

    // An alarm's state set from outside (as CloudWatch would on 5xx) is what `alarms` shows.
    runtime().block_on(async {
        let config = sdk_config(url, "us-east-1").await;
        aws_sdk_cloudwatch::Client::new(&config)
            .set_alarm_state()
            .alarm_name("petclinic-c1-errorRate")
            .state_value(aws_sdk_cloudwatch::types::StateValue::Alarm)
            .state_reason("test: 5xx above 40%")
            .send()
            .await
            .unwrap();
    });
    let listed = multiregion_with(url, &stack, &["alarms", "--output", "json"]);
    let report: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    let error_rate = report["regions"][0]["alarms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "petclinic-c1-errorRate")
        .unwrap()
        .clone();
    assert_eq!(error_rate["state"], "ALARM", "{error_rate}");
    assert_eq!(error_rate["reason"], "test: 5xx above 40%");
    assert_eq!(
        error_rate["actions"],
        report["regions"][0]["topic"]["arn"].clone().into_array()
    );

    // Through SNS to the receiver, signature checked, and confirmed back to `alarms test`.
    let test = multiregion_with(url, &stack, &["alarms", "test", "--wait", "20s"]);
    assert_eq!(test.code, 0, "{}{}", test.stdout, test.stderr);
    assert_eq!(
        test.stdout.matches("received, signature verified").count(),
        2,
        "{}",
        test.stdout
    );
    // Stopped as a person would stop it, once `alarms test` has had its answers.
    let child = serve.0.take().unwrap();
    let pid = child.id().to_string();
    std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "Ctrl-C ends the receiver with 130"
    );
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 2, "{events:?}");
    for e in &events {
        assert_eq!(
            (e["kind"].as_str(), e["verified"].as_bool()),
            (Some("test"), Some(true)),
            "{e}"
        );
        assert_eq!(e["stack"], "petclinic");
    }

    let down = multiregion_with(url, &stack, &["down", "--yes"]);
    assert_eq!(down.code, 0, "{}", down.stderr);
    let after = multiregion_with(url, &stack, &["alarms", "--output", "json"]);
    let report: serde_json::Value = serde_json::from_str(&after.stdout).unwrap();
    assert!(
        report["regions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["topic"].is_null())
    );
}

trait IntoArray {
    fn into_array(self) -> serde_json::Value;
}

impl IntoArray for serde_json::Value {
    fn into_array(self) -> serde_json::Value {
        serde_json::Value::Array(vec![self])
    }
}
