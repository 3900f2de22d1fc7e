//! The reports: a text table for people, JUnit XML that CI systems render as tests, and SARIF
//! 2.1.0 that code-scanning tools accept. (`--output json` is the [`Report`] itself.)

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use super::{Check, Report, Severity, Verdict};

/// `verify --list`: each check's id, severity and title, in the order reports list them.
pub fn catalog_text(checks: &[Check]) -> String {
    let mut out = format!("  {:<11} {:<8} title\n", "id", "severity");
    for c in checks {
        let _ = writeln!(out, "  {:<11} {:<8} {}", c.id, c.severity.as_str(), c.title);
    }
    out
}

/// `verify --list --output json`: an array, each check with its remediation too.
pub fn catalog_json(checks: &[Check]) -> Json {
    checks
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "severity": c.severity,
                "title": c.title,
                "remediation": c.remediation,
            })
        })
        .collect()
}

pub fn text(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Security checks for stack `{}` ({}):\n",
        report.stack, report.mode
    );
    let _ = writeln!(
        out,
        "  {:<11} {:<8} {:<8} title",
        "id", "severity", "result"
    );
    for r in &report.results {
        let _ = writeln!(
            out,
            "  {:<11} {:<8} {:<8} {}",
            r.id,
            r.severity.as_str(),
            r.verdict.label(),
            r.title
        );
        match &r.verdict {
            Verdict::Fail => {
                for e in &r.evidence {
                    let _ = writeln!(out, "      - {e}");
                }
                let _ = writeln!(out, "      fix: {}", r.remediation);
                for s in &r.settings {
                    let _ = writeln!(out, "      see: {} (line {})", s.path, s.line);
                }
            }
            Verdict::NotApplicable(why) | Verdict::Skipped(why) | Verdict::Error(why) => {
                let _ = writeln!(out, "      {why}");
            }
            Verdict::Pass => {}
        }
    }
    let s = &report.summary;
    let _ = writeln!(
        out,
        "\n{} passed, {} failed ({} at or above {}), {} not applicable, {} skipped, {} errors.",
        s.passed,
        s.failed,
        s.blocking,
        report.fail_on.as_str(),
        s.not_applicable,
        s.skipped,
        s.errors
    );
    out
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 has no place for other control characters.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// One test case per check: failures and errors as such, not-applicable and skipped as skipped.
pub fn junit(report: &Report) -> String {
    let s = &report.summary;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let suite = format!("multiregion verify {} ({})", report.stack, report.mode);
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        xml_escape(&suite),
        report.results.len(),
        s.failed,
        s.errors,
        s.skipped + s.not_applicable
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        xml_escape(&suite),
        report.results.len(),
        s.failed,
        s.errors,
        s.skipped + s.not_applicable
    );
    for r in &report.results {
        let _ = write!(
            out,
            "    <testcase classname=\"multiregion.{}\" name=\"{} {}\">",
            r.id,
            r.id,
            xml_escape(r.title)
        );
        let body = r.evidence.join("\n");
        match &r.verdict {
            Verdict::Pass => {}
            Verdict::Fail => {
                let _ = write!(
                    out,
                    "\n      <failure type=\"{}\" message=\"{}\">{}\nfix: {}</failure>\n    ",
                    r.severity.as_str(),
                    xml_escape(r.evidence.first().map_or("", String::as_str)),
                    xml_escape(&body),
                    xml_escape(r.remediation)
                );
            }
            Verdict::Error(why) => {
                let _ = write!(
                    out,
                    "\n      <error message=\"{}\"/>\n    ",
                    xml_escape(why)
                );
            }
            Verdict::NotApplicable(why) | Verdict::Skipped(why) => {
                let _ = write!(
                    out,
                    "\n      <skipped message=\"{}\"/>\n    ",
                    xml_escape(why)
                );
            }
        }
        out.push_str("</testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// GitHub code scanning ranks security results by this 0-10 score.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

/// SARIF 2.1.0: one rule per check, one result per check that ran; results point at the stack
/// file, the source of every setting.
/// A SARIF location: a line (and column) of a file, and the named thing written there.
fn location(uri: &str, line: usize, column: Option<usize>, what: Option<(&str, &str)>) -> Json {
    let mut region = json!({ "startLine": line });
    if let Some(column) = column {
        region["startColumn"] = json!(column);
    }
    let mut location = json!({
        "physicalLocation": { "artifactLocation": { "uri": uri }, "region": region }
    });
    if let Some((name, kind)) = what {
        location["logicalLocations"] = json!([{ "fullyQualifiedName": name, "kind": kind }]);
    }
    location
}

/// Where a Kubernetes object (`Deployment backend/backend`, as the checks name it) is written:
/// its manifest file and line.
pub type ObjectPlaces = BTreeMap<String, (String, usize)>;

/// SARIF 2.1.0. A result's locations are, first, the manifests of the Kubernetes objects its
/// evidence names, then the stack settings behind its check.
pub fn sarif(report: &Report, stack_file: &str, objects: &ObjectPlaces) -> Json {
    let rules: Vec<Json> = report
        .results
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.id.replace('-', ""),
                "shortDescription": { "text": r.title },
                "fullDescription": { "text": r.title },
                "help": { "text": r.remediation },
                "defaultConfiguration": { "level": level(r.severity) },
                "properties": {
                    "security-severity": security_severity(r.severity),
                    "tags": ["security"],
                    "severity": r.severity.as_str()
                }
            })
        })
        .collect();
    let results: Vec<Json> = report
        .results
        .iter()
        .enumerate()
        .filter_map(|(index, r)| {
            let (kind, text) = match &r.verdict {
                Verdict::Pass => ("pass", format!("{}: passed", r.title)),
                Verdict::Fail => ("fail", format!("{}: {}", r.title, r.evidence.join("; "))),
                Verdict::Error(why) => {
                    ("open", format!("{}: could not be checked: {why}", r.title))
                }
                Verdict::NotApplicable(why) => ("notApplicable", format!("{}: {why}", r.title)),
                // Skipped checks did not run: no result.
                Verdict::Skipped(_) => return None,
            };
            // The objects the evidence blames, then the stack settings behind the check; the
            // stack file's start when there is neither.
            let blamed = r
                .resources
                .iter()
                .filter(|o| kind != "pass" && r.evidence.iter().any(|e| e.contains(o.as_str())));
            let mut locations: Vec<Json> = blamed
                .filter_map(|o| objects.get(o).map(|place| (o, place)))
                .map(|(o, (file, line))| location(file, *line, None, Some((o, "resource"))))
                .collect();
            locations.extend(r.settings.iter().map(|s| {
                location(
                    stack_file,
                    s.line,
                    Some(s.column),
                    Some((&s.path, "member")),
                )
            }));
            if locations.is_empty() {
                locations.push(location(stack_file, 1, None, None));
            }
            let mut result = json!({
                "ruleId": r.id,
                "ruleIndex": index,
                "kind": kind,
                "message": { "text": text },
                "locations": locations,
                "properties": { "resources": r.resources }
            });
            if kind == "fail" {
                result["level"] = json!(level(r.severity));
            } else {
                result["level"] = json!("none");
            }
            Some(result)
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "multiregion",
                    "informationUri": "https://github.com/multiregion/multiregion",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules
                }
            },
            "results": results
        }]
    })
}
