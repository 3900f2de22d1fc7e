//! Environments (`--env`, `MULTIREGION_ENV`), `render` and `cost` as a user runs them.

use super::{REFERENCE, assert_refused, multiregion, run};

#[test]
fn an_environment_is_chosen_by_flag_or_variable() {
    let by_flag = run(&["validate", "--env", "dev", "--stack", REFERENCE]);
    assert_eq!(by_flag.code, 0, "{}", by_flag.stderr);
    assert!(
        by_flag
            .stderr
            .contains("with stacks/envs/dev.yaml: valid stack `petclinic-dev`"),
        "{}",
        by_flag.stderr
    );
    let out = multiregion()
        .args(["validate", "--stack", REFERENCE])
        .env("MULTIREGION_ENV", "prod")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("valid stack `petclinic-prod`"), "{stderr}");
}

#[test]
fn a_missing_environment_names_where_it_looked_and_what_there_is() {
    let r = run(&[
        "plan",
        "--offline",
        "--env",
        "staging",
        "--stack",
        REFERENCE,
    ]);
    assert_refused(
        &r,
        "there is no environment `staging`: no overlay file stacks/envs/staging.yaml",
    );
    assert!(
        r.stderr
            .contains("environments beside the stack: dev, prod"),
        "{}",
        r.stderr
    );
}

#[test]
fn overlay_mistakes_are_told_in_the_overlay_file_with_did_you_mean() {
    let dir = tempfile::tempdir().unwrap();
    let overlay = dir.path().join("qa.yaml");
    std::fs::write(
        &overlay,
        "spec:\n  regions:\n    - name: c1\n      network:\n        nat: singel\n      cluster:\n        logging: [api]\n",
    )
    .unwrap();
    let path = overlay.to_str().unwrap();
    let r = run(&["validate", "--env", path, "--stack", REFERENCE]);
    assert_refused(
        &r,
        &format!("{path}:5:14: spec.regions[0].network.nat: `singel` is not one of"),
    );
    assert!(r.stderr.contains("did you mean `single`?"), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "{path}:7:9: spec.regions[0].cluster.logging: the base stack does not declare"
        )),
        "{}",
        r.stderr
    );
}

#[test]
fn render_prints_the_merged_stack_which_validates_as_it_is() {
    let r = run(&["render", "--env", "dev", "--stack", REFERENCE]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("# The stack `petclinic-dev` as merged from"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("nat: single"), "{}", r.stdout);
    // Rendered beside the base (its workloads' sources are relative to it), it is the same stack.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("stacks");
    let rendered = tempfile::Builder::new()
        .suffix(".yaml")
        .tempfile_in(&dir)
        .unwrap();
    std::fs::write(rendered.path(), &r.stdout).unwrap();
    let again = run(&["validate", "--stack", rendered.path().to_str().unwrap()]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stderr.contains("valid stack `petclinic-dev`"),
        "{}",
        again.stderr
    );
}

#[test]
fn cost_itemises_each_region_and_says_how_old_its_prices_are() {
    let r = run(&["cost", "--stack", REFERENCE]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for line in [
        "Prices: AWS on-demand list prices",
        "c1 (us-east-1)",
        "c2 (us-west-2)",
        "EKS control plane",
        "Nodes c1/nodegroup/default",
        "NAT gateways",
        "Public IPv4 addresses",
        "WAF c1/waf/edge",
        "Cross-region transfer out",
        "Total: $",
    ] {
        assert!(r.stdout.contains(line), "`{line}` not in:\n{}", r.stdout);
    }
    let compared = run(&[
        "cost",
        "--env",
        "dev",
        "--compare-env",
        "prod",
        "--stack",
        REFERENCE,
    ]);
    assert_eq!(compared.code, 0, "{}", compared.stderr);
    assert!(
        compared
            .stdout
            .contains("(dev) and `petclinic-prod` (prod)"),
        "{}",
        compared.stdout
    );
}

#[test]
fn the_offline_plan_ends_with_the_cost_it_adds() {
    let r = run(&["plan", "--offline", "--env", "dev", "--stack", REFERENCE]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let last = r.stdout.lines().last().unwrap_or_default();
    assert!(last.starts_with("Cost: +$"), "{last}");
    assert!(
        last.contains("2 NAT gateways") && last.contains("2 EKS clusters"),
        "{last}"
    );
}
