//! AWS-side errors as a user meets them: each says what is wrong by name and ends with what to
//! do, on stderr and, under `--output json`, as the one JSON document on stdout. Only 127.0.0.1
//! is ever contacted: each run has no AWS settings but its own, an empty home folder, and
//! instance metadata off, and either fails before any call or is sent to a closed local port.

use super::{Run, multiregion, reference_stack_edited};

const STACK: &str = "stacks/local.yaml";

/// `plan` of the local stack with `args` and `env` only: no AWS_* variable of the test's own
/// environment, an empty HOME (no ~/.aws files), no instance metadata.
fn plan(args: &[&str], env: &[(&str, &str)]) -> (Run, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = multiregion();
    for (name, _) in std::env::vars() {
        if name.starts_with("AWS_") {
            cmd.env_remove(name);
        }
    }
    cmd.env("HOME", home.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(["plan", "--stack", STACK])
        .args(args);
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = cmd.output().unwrap();
    let run = Run {
        code: out.status.code().expect("exited normally, not by a signal"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    (run, home)
}

/// A local port nothing listens on: bound, then let go.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

const TEST_KEYS: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
];

/// Exit 1, each of `said` on stderr, nothing on stdout, no panic.
fn assert_failed(r: &Run, said: &[&str]) {
    assert_eq!(r.code, 1, "stderr: {}", r.stderr);
    for s in said {
        assert!(r.stderr.contains(s), "`{s}` not in:\n{}", r.stderr);
    }
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "stdout: {}", r.stdout);
}

/// Under `--output json`: exit 1 and one JSON document, `{"error": {...}}`.
fn json_error(r: &Run) -> serde_json::Value {
    assert_eq!(r.code, 1, "stderr: {}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not one JSON document ({e}): {}", r.stdout));
    doc["error"].clone()
}

/// The message and causes of an error document, as one text.
fn said(error: &serde_json::Value) -> String {
    let mut text = error["message"].as_str().unwrap().to_string();
    for cause in error["causes"].as_array().unwrap() {
        text.push('\n');
        text.push_str(cause.as_str().unwrap());
    }
    text
}

#[test]
fn an_endpoint_without_a_scheme_is_refused_before_any_call() {
    let (r, _home) = plan(&["--endpoint-url", "localhost:5000"], &TEST_KEYS);
    assert_failed(
        &r,
        &[
            "error: the endpoint URL `localhost:5000` has no scheme; write it as \
             http://localhost:5000\n",
            "hint: --endpoint-url (or AWS_ENDPOINT_URL) takes a whole URL",
        ],
    );
    let (r, _home) = plan(
        &["--endpoint-url", "localhost:5000", "--output", "json"],
        &TEST_KEYS,
    );
    let error = json_error(&r);
    assert_eq!(
        error["message"],
        "the endpoint URL `localhost:5000` has no scheme; write it as http://localhost:5000"
    );
    assert!(
        error["hint"]
            .as_str()
            .unwrap()
            .contains("http://127.0.0.1:5000")
    );
}

#[test]
fn an_endpoint_from_the_environment_is_checked_too() {
    let env = [
        TEST_KEYS[0],
        TEST_KEYS[1],
        ("AWS_ENDPOINT_URL", "ftp://127.0.0.1:5000"),
    ];
    let (r, _home) = plan(&[], &env);
    assert_failed(
        &r,
        &[
            "error: the endpoint URL `ftp://127.0.0.1:5000` (from AWS_ENDPOINT_URL) has the \
           scheme `ftp`; only http and https work",
        ],
    );
}

#[test]
fn a_closed_port_names_the_url_and_the_region() {
    let url = closed_port_url();
    let (r, _home) = plan(&["--endpoint-url", &url], &TEST_KEYS);
    assert_failed(
        &r,
        &[
            "error: discovery failed in us-",
            "caused by: ",
            &format!(": cannot reach {url} (us-"),
            "): connection refused",
            &format!("hint: is the emulator running and listening at {url}?"),
        ],
    );
    let (r, _home) = plan(&["--endpoint-url", &url, "--output", "json"], &TEST_KEYS);
    let error = json_error(&r);
    let text = said(&error);
    assert!(text.contains(&format!("cannot reach {url} (us-")), "{text}");
    assert!(text.contains("): connection refused"), "{text}");
    assert!(
        error["hint"]
            .as_str()
            .unwrap()
            .starts_with(&format!("is the emulator running and listening at {url}?")),
        "{error}"
    );
}

#[test]
fn a_profile_that_is_not_there_names_the_files_looked_in() {
    let url = closed_port_url();
    let env = [("AWS_PROFILE", "nosuch")];
    let (r, home) = plan(&["--endpoint-url", &url], &env);
    let home = home.path().display();
    assert_failed(
        &r,
        &[
            &format!(
                "error: the AWS profile `nosuch` (from AWS_PROFILE) is in neither \
                 {home}/.aws/config (not there) nor {home}/.aws/credentials (not there)\n"
            ),
            "hint: name a profile that is there (--profile NAME or AWS_PROFILE), or make this \
             one: `aws configure --profile nosuch`",
        ],
    );
    // --profile, and files named by the environment.
    let files = tempfile::tempdir().unwrap();
    let config = files.path().join("config");
    std::fs::write(&config, "[default]\n[profile dev]\nregion = us-east-1\n").unwrap();
    let config = config.to_str().unwrap();
    let env = [("AWS_CONFIG_FILE", config)];
    let (r, _home) = plan(
        &[
            "--endpoint-url",
            &url,
            "--profile",
            "prod",
            "--output",
            "json",
        ],
        &env,
    );
    let error = json_error(&r);
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!(
            "the AWS profile `prod` (from --profile) is in neither {config} (profiles default, \
             dev) nor "
        )),
        "{message}"
    );
    assert!(
        error["hint"]
            .as_str()
            .unwrap()
            .contains("AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE")
    );
}

#[test]
fn no_credentials_says_every_way_to_give_them() {
    let url = closed_port_url();
    let (r, _home) = plan(&["--endpoint-url", &url], &[]);
    assert_failed(
        &r,
        &[
            "error: discovery failed in us-",
            ": no AWS credentials found: ",
            "hint: set AWS_PROFILE or pass --profile NAME",
            "`aws sso login --profile NAME`",
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
            "for an emulator pass --endpoint-url with any test credentials",
        ],
    );
    let (r, _home) = plan(&["--endpoint-url", &url, "--output", "json"], &[]);
    let error = json_error(&r);
    assert!(said(&error).contains("no AWS credentials found"), "{error}");
    let hint = error["hint"].as_str().unwrap();
    assert!(
        hint.starts_with("set AWS_PROFILE or pass --profile NAME"),
        "{hint}"
    );
    assert!(hint.contains("aws sso login"), "{hint}");
}

#[test]
fn every_aws_command_takes_a_profile() {
    for command in [
        "plan",
        "up",
        "down",
        "verify",
        "status",
        "output",
        "unlock",
        "kubeconfig",
    ] {
        let r = super::run(&[command, "--help"]);
        assert!(
            r.stdout.contains("--profile <NAME>"),
            "{command}: {}",
            r.stdout
        );
    }
}

#[test]
fn a_plain_http_webhook_is_refused_on_aws_before_any_call() {
    let (_dir, stack) = reference_stack_edited(|t| {
        t.replacen(
            "    webhooks: []",
            "    webhooks: [http://hooks.internal.test/sns]",
            1,
        )
    });
    let out = multiregion()
        .args(["plan", "--stack", &stack])
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("spec.alerts.webhooks: http://hooks.internal.test/sns is plain HTTP"),
        "{stderr}"
    );
    assert!(stderr.contains("--endpoint-url"), "{stderr}");
}
