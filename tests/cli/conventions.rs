//! The command line's conventions: shell completions and man pages, `--stack`/`-f` on either
//! side of the command, the `apply`/`destroy` aliases, `verify --list`, and what a missing
//! stack file says.

use std::io::Write;
use std::process::Stdio;

use super::{REFERENCE, Run, assert_refused, multiregion, run};

/// The commands a completion script or man page must know, aliases included.
const COMMANDS: &[&str] = &[
    "validate",
    "render",
    "cost",
    "schema",
    "plan",
    "up",
    "apply",
    "down",
    "destroy",
    "verify",
    "kubeconfig",
    "token",
    "output",
    "status",
    "unlock",
    "probe",
    "chaos",
    "webhook",
    "alarms",
    "completions",
    "man",
];

/// The commands that read a stack file.
const STACK_COMMANDS: &[&str] = &[
    "validate",
    "render",
    "cost",
    "plan",
    "up",
    "down",
    "verify",
    "kubeconfig",
    "output",
    "status",
    "unlock",
    "probe",
    "chaos",
    "alarms",
];

const CHECK_IDS: &[&str] = &[
    "MR-WAF-001",
    "MR-LB-001",
    "MR-LB-002",
    "MR-NET-001",
    "MR-NET-002",
    "MR-NET-003",
    "MR-NET-004",
    "MR-NET-005",
    "MR-NET-006",
    "MR-NET-007",
    "MR-NET-008",
    "MR-EKS-001",
    "MR-EKS-002",
    "MR-EKS-003",
    "MR-EKS-004",
    "MR-EKS-005",
    "MR-EKS-006",
    "MR-K8S-001",
    "MR-K8S-002",
    "MR-STK-001",
    "MR-COST-001",
    "MR-COST-003",
    "MR-OBS-001",
];

/// The binary run in `dir` (a folder with no stack in it), with `env` set.
fn run_in(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = multiregion();
    cmd.current_dir(dir).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn completions_for_each_shell_know_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let r = run(&["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        assert!(r.stdout.len() > 1000, "{shell}: {} bytes", r.stdout.len());
        for command in COMMANDS {
            assert!(
                r.stdout.contains(command),
                "{shell} script lacks `{command}`"
            );
        }
        let flag = if shell == "fish" {
            "-l stack"
        } else {
            "--stack"
        };
        assert!(r.stdout.contains(flag), "{shell} script lacks --stack");
        // A script, not a result: the same text under --output json.
        let json = run(&["completions", shell, "--output", "json"]);
        assert_eq!(json.code, 0);
        assert_eq!(
            json.stdout, r.stdout,
            "{shell}: --output json changed the script"
        );
    }
}

/// `shell -n` on `script` (read, not run); None when that shell is not installed.
fn syntax_check(shell: &str, script: &str) -> Option<std::process::Output> {
    let mut child = std::process::Command::new(shell)
        .arg("-n")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    Some(child.wait_with_output().unwrap())
}

#[test]
fn the_scripts_pass_their_shells_syntax_check() {
    // bash is always there; zsh and fish are checked where installed.
    for shell in ["bash", "zsh", "fish"] {
        let script = run(&["completions", shell]).stdout;
        match syntax_check(shell, &script) {
            Some(out) => assert!(
                out.status.success(),
                "{shell} -n: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            None if shell == "bash" => panic!("bash is not installed"),
            None => eprintln!("{shell} is not installed: its script's syntax is not checked"),
        }
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let r = run(&["completions", "tcsh"]);
    assert_refused(&r, "invalid value 'tcsh'");
}

#[test]
fn the_man_page_is_roff_whatever_the_output() {
    let r = run(&["man"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(".TH multiregion 1"), "{}", r.stdout);
    assert!(r.stdout.contains(".SH SYNOPSIS"));
    assert!(
        r.stdout.contains("\\-\\-stack"),
        "the global --stack is on the page"
    );
    for command in ["validate", "plan", "verify", "completions"] {
        assert!(r.stdout.contains(command), "the page lacks `{command}`");
    }
    assert_eq!(run(&["man", "--output", "json"]).stdout, r.stdout);
}

#[test]
fn man_dir_writes_a_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("man1");
    let r = run(&["man", "--dir", pages.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for name in [
        "multiregion",
        "multiregion-validate",
        "multiregion-up",
        "multiregion-man",
    ] {
        let page = pages.join(format!("{name}.1"));
        let text = std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{page:?}: {e}"));
        assert!(text.contains(".TH"), "{name}");
        assert!(r.stdout.contains(page.to_str().unwrap()), "{}", r.stdout);
    }
    assert!(!pages.join("multiregion-help.1").exists());
    // Under --output json the files written are the result.
    let json = run(&["man", "--dir", pages.to_str().unwrap(), "--output", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        doc["files"].as_array().unwrap().len(),
        COMMANDS.len() - 2 + 1
    );
}

#[test]
fn the_stack_is_named_before_or_after_the_command() {
    let minimal = "stacks/minimal.yaml";
    for args in [
        vec!["validate", "-f", minimal],
        vec!["validate", "--stack", minimal],
        vec!["-f", minimal, "validate"],
        vec!["--stack", minimal, "validate"],
        vec![&format!("--stack={minimal}"), "validate"],
        // The last one written wins.
        vec!["-f", REFERENCE, "validate", "-f", minimal],
    ] {
        let args: Vec<&str> = args.iter().map(|a| a.as_ref()).collect();
        let r = run(&args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("valid stack `mini`"),
            "{args:?}: {}",
            r.stderr
        );
    }
    let env = multiregion()
        .args(["validate"])
        .env("MULTIREGION_STACK", minimal)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&env.stderr).contains("valid stack `mini`"));
    // A flag on either side beats the environment.
    for args in [["-f", minimal, "validate"], ["validate", "-f", minimal]] {
        let out = multiregion()
            .args(args)
            .env("MULTIREGION_STACK", REFERENCE)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("valid stack `mini`"), "{args:?}: {stderr}");
    }
    // The default, from the current directory.
    let default = run(&["validate"]);
    assert!(
        default.stderr.contains("valid stack `petclinic`"),
        "{}",
        default.stderr
    );
    // Offline plan reads it too, written first.
    let plan = run(&["-f", minimal, "plan", "--offline", "--output", "json"]);
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    let doc: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    assert_eq!(doc["stack"], "mini");
}

#[test]
fn every_command_that_reads_a_stack_shows_it_in_its_help() {
    for command in STACK_COMMANDS {
        let r = run(&[command, "--help"]);
        assert_eq!(r.code, 0, "{command}: {}", r.stderr);
        assert!(
            r.stdout.contains("-f, --stack <FILE>"),
            "{command} --help:\n{}",
            r.stdout
        );
        assert!(r.stdout.contains("MULTIREGION_STACK"), "{command}");
    }
}

#[test]
fn apply_and_destroy_are_up_and_down() {
    let help = run(&["--help"]);
    assert!(help.stdout.contains("[alias: apply]"), "{}", help.stdout);
    assert!(help.stdout.contains("[alias: destroy]"), "{}", help.stdout);
    for (alias, command) in [("apply", "up"), ("destroy", "down")] {
        let by_alias = run(&[alias, "--help"]);
        assert_eq!(by_alias.code, 0, "{alias}: {}", by_alias.stderr);
        let by_name = run(&[command, "--help"]);
        assert_eq!(by_alias.stdout, by_name.stdout, "{alias} is {command}");
    }
    // And they run as their command: `destroy` asks first, as `down` does.
    let r = run(&["destroy", "-f", REFERENCE]);
    assert_refused(&r, "there is no terminal to ask on");
}

#[test]
fn verify_list_names_every_check_without_a_stack() {
    // No stack file where it runs, and no AWS: the list needs neither.
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(dir.path(), &["verify", "--list"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 1 + CHECK_IDS.len(), "{}", r.stdout);
    assert!(lines[0].contains("id") && lines[0].contains("severity"));
    for (line, id) in lines[1..].iter().zip(CHECK_IDS) {
        assert!(line.trim_start().starts_with(id), "{line}");
    }
    assert!(
        r.stdout
            .contains("MR-LB-001   critical The backend load balancer is internal")
    );

    let json = run_in(dir.path(), &["verify", "--list", "--output", "json"], &[]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let checks: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let checks = checks.as_array().expect("a JSON array");
    let ids: Vec<&str> = checks.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, CHECK_IDS);
    for c in checks {
        assert!(
            ["low", "medium", "high", "critical"].contains(&c["severity"].as_str().unwrap()),
            "{c}"
        );
        assert!(!c["title"].as_str().unwrap().is_empty());
    }
    assert_refused(
        &run(&["verify", "--list", "--static"]),
        "cannot be used with",
    );
}

#[test]
fn a_missing_stack_says_where_it_looked_and_how_to_name_another() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path().canonicalize().unwrap();
    let cwd = cwd.to_str().unwrap();
    // The default, from a folder that has none.
    let r = run_in(std::path::Path::new(cwd), &["plan"], &[]);
    assert_refused(
        &r,
        &format!(
            "error: cannot read stack file stacks/two-region.yaml (looked for {cwd}/stacks/two-region.yaml)"
        ),
    );
    assert!(r.stderr.contains("caused by: No such file or directory"));
    for said in ["--stack FILE", "-f FILE", "MULTIREGION_STACK", cwd] {
        assert!(r.stderr.contains(said), "hint lacks `{said}`: {}", r.stderr);
    }
    assert!(r.stdout.is_empty());

    // From MULTIREGION_STACK, in JSON: the one document says it too.
    let r = run_in(
        std::path::Path::new(cwd),
        &["status", "--output", "json"],
        &[("MULTIREGION_STACK", "nope.yaml")],
    );
    assert_eq!(r.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let error = &doc["error"];
    assert_eq!(
        error["message"],
        format!("cannot read stack file nope.yaml (looked for {cwd}/nope.yaml)")
    );
    let hint = error["hint"].as_str().unwrap();
    assert!(
        hint.starts_with("MULTIREGION_STACK is set to this path"),
        "{hint}"
    );
    assert!(hint.contains("`-f FILE`"), "{hint}");

    // An absolute path is said once.
    let absolute = format!("{cwd}/gone.yaml");
    let r = run(&["validate", "-f", &absolute]);
    assert_refused(&r, &format!("error: cannot read stack file {absolute}\n"));
}
