//! `chaos az-outage` on moto: the blocking network ACL made, associated with the AZ's private
//! subnet and denying everything, checked through the SDK while it is in; the subnet's own
//! ACL back and the blocking one gone afterwards; and one a killed run left removed by
//! `down`, which would otherwise stop at the VPC.

use std::time::{Duration, Instant};

use aws_sdk_ec2::types::Filter;

mod common;

use common::aws::{STACK, fresh_moto, multiregion_with, runtime, sdk_config, spawn, vpcs};

/// The backend region's blocking ACLs: (id, subnets associated, deny-all entries).
fn blocking(url: &str) -> Vec<(String, Vec<String>, usize)> {
    runtime().block_on(async {
        let ec2 = aws_sdk_ec2::Client::new(&sdk_config(url, "us-west-2").await);
        let tagged = Filter::builder()
            .name("tag-key")
            .values("multiregion:chaos")
            .build();
        let out = ec2
            .describe_network_acls()
            .filters(tagged)
            .send()
            .await
            .unwrap();
        out.network_acls()
            .iter()
            .map(|a| {
                let subnets = a
                    .associations()
                    .iter()
                    .filter_map(|s| s.subnet_id().map(str::to_string))
                    .collect();
                let denies = a
                    .entries()
                    .iter()
                    .filter(|e| {
                        e.rule_number() == Some(1)
                            && e.rule_action().map(|r| r.as_str()) == Some("deny")
                            && e.cidr_block() == Some("0.0.0.0/0")
                    })
                    .count();
                (a.network_acl_id().unwrap().to_string(), subnets, denies)
            })
            .collect()
    })
}

/// The network ACL the stack's first private subnet in us-west-2 is associated with.
fn acl_of_private_subnet(url: &str) -> (String, String) {
    runtime().block_on(async {
        let ec2 = aws_sdk_ec2::Client::new(&sdk_config(url, "us-west-2").await);
        let id = Filter::builder()
            .name("tag:multiregion:id")
            .values("c2/subnet/private-1")
            .build();
        let subnets = ec2.describe_subnets().filters(id).send().await.unwrap();
        let subnet = subnets.subnets()[0].subnet_id().unwrap().to_string();
        let by = Filter::builder()
            .name("association.subnet-id")
            .values(&subnet)
            .build();
        let acls = ec2
            .describe_network_acls()
            .filters(by)
            .send()
            .await
            .unwrap();
        (
            subnet,
            acls.network_acls()[0].network_acl_id().unwrap().to_string(),
        )
    })
}

#[test]
fn an_az_outage_blocks_the_subnet_for_its_time_and_puts_its_acl_back() {
    let (_guard, url) = fresh_moto();
    assert_eq!(multiregion_with(url, STACK, &["up"]).code, 0);
    let (subnet, own) = acl_of_private_subnet(url);
    let child = spawn(
        url,
        &["chaos", "az-outage", "--for", "4s", "--output", "json"],
    );
    let started = Instant::now();
    let seen = loop {
        let found = blocking(url);
        if let Some(b) = found.into_iter().find(|b| !b.1.is_empty()) {
            break b;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "never blocked");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(seen.1, vec![subnet.clone()], "only the AZ's private subnet");
    assert_eq!(seen.2, 2, "deny-all in and out");
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schemas/chaos.schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let problems: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(problems.is_empty(), "{problems:?}\n{doc:#}");
    assert_eq!(doc["verdict"], "recovered");
    let t = &doc["timeline"];
    let lasted = t["rolledBack"].as_f64().unwrap() - t["injected"].as_f64().unwrap();
    assert!((4.0..15.0).contains(&lasted), "{t}");
    assert!(blocking(url).is_empty(), "the blocking ACL is deleted");
    assert_eq!(
        acl_of_private_subnet(url),
        (subnet, own),
        "its own ACL is back"
    );
    let down = multiregion_with(url, STACK, &["down", "--yes"]);
    assert_eq!(down.code, 0, "{}", down.stderr);
}

#[test]
fn an_acl_a_killed_run_left_is_removed_by_down() {
    let (_guard, url) = fresh_moto();
    assert_eq!(multiregion_with(url, STACK, &["up"]).code, 0);
    let mut child = spawn(url, &["chaos", "az-outage", "--for", "10m"]);
    let started = Instant::now();
    while !blocking(url).iter().any(|b| !b.1.is_empty()) {
        assert!(started.elapsed() < Duration::from_secs(30), "never blocked");
        std::thread::sleep(Duration::from_millis(200));
    }
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(blocking(url).len(), 1, "left behind");
    let unlock = multiregion_with(url, STACK, &["unlock", "--force"]);
    assert_eq!(unlock.code, 0, "{}", unlock.stderr);
    let down = multiregion_with(url, STACK, &["down", "--yes"]);
    assert_eq!(down.code, 0, "{}", down.stderr);
    assert!(
        down.stderr.contains("removed network ACL"),
        "{}",
        down.stderr
    );
    assert!(blocking(url).is_empty());
    assert_eq!(vpcs(url), vec![0, 0]);
}
