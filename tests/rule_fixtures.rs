//! Table test over the minimal per-rule fixtures: `fixtures/rules/SOC0NN/<status>.json` is scanned
//! by the built binary (extra arguments from `<status>.args.json`, a JSON array of strings) and
//! every finding of rule SOC0NN in the JSON report must have status `<status>`; at least one must
//! exist. Other rules' findings are ignored. All mismatches are reported together.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

#[path = "support/scan_json.rs"]
mod scan_json;
use scan_json::scan;

const STATUSES: [&str; 4] = ["pass", "fail", "unknown", "not_applicable"];

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join("rules")
}

/// (rule id, status, snapshot path), sorted.
fn fixtures() -> Vec<(String, String, PathBuf)> {
    let mut out = Vec::new();
    for dir in fs::read_dir(rules_dir()).expect("fixtures/rules exists") {
        let dir = dir.expect("readable dir entry").path();
        let Some(rule) = dir.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
            continue;
        };
        if !dir.is_dir() || !rule.starts_with("SOC") {
            continue;
        }
        for file in fs::read_dir(&dir).expect("readable rule dir") {
            let path = file.expect("readable dir entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if let Some(status) = name.strip_suffix(".json") {
                if !status.ends_with(".args") {
                    out.push((rule.clone(), status.to_owned(), path.clone()));
                }
            }
        }
    }
    out.sort();
    out
}

fn sidecar_args(snapshot: &Path) -> Result<Vec<String>, String> {
    let stem = snapshot
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let sidecar = snapshot.with_file_name(format!("{stem}.args.json"));
    if !sidecar.exists() {
        return Ok(Vec::new());
    }
    let text =
        fs::read_to_string(&sidecar).map_err(|e| format!("read {}: {e}", sidecar.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a JSON string array: {e}", sidecar.display()))
}

/// Problems with one fixture's run, empty when the rule's findings all have the named status.
fn check(rule: &str, status: &str, snapshot: &Path) -> Vec<String> {
    let args = match sidecar_args(snapshot) {
        Ok(a) => a,
        Err(e) => return vec![e],
    };
    let (exit, report, stderr) = scan(snapshot, &args);
    let mut problems = Vec::new();
    if !matches!(exit, Some(0 | 1 | 3)) {
        problems.push(format!(
            "exit code {exit:?} (scan did not complete); stderr: {stderr}"
        ));
    }
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            problems.push(e);
            return problems;
        }
    };
    let mine: Vec<&Value> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"].as_str() == Some(rule))
        .collect();
    if mine.is_empty() {
        problems.push(format!("no {rule} finding in the report"));
    }
    for f in mine {
        let got = f["status"].as_str().unwrap_or("<missing>");
        if got != status {
            let scope = f["scope"].as_str().unwrap_or("<missing>");
            let msg = f["message"].as_str().unwrap_or("");
            problems.push(format!(
                "{rule} @ {scope}: expected {status}, got {got} ({msg})"
            ));
        }
    }
    problems
}

#[test]
fn every_rule_has_pass_fail_and_unknown_fixtures() {
    let all = fixtures();
    let mut missing = Vec::new();
    // Every shipped rule (rules/SOC0NN-<name>.toml) needs its three fixtures.
    let rules_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut ids: Vec<String> = fs::read_dir(&rules_dir)
        .expect("rules/ exists")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("SOC") && n.ends_with(".toml"))
        .filter_map(|n| n.get(..6).map(str::to_owned))
        .collect();
    ids.sort();
    assert!(
        ids.len() >= 8,
        "expected at least the eight seed rules in rules/"
    );
    for rule in ids {
        for status in ["pass", "fail", "unknown"] {
            if !all.iter().any(|(r, s, _)| *r == rule && s == status) {
                missing.push(format!("{rule}/{status}.json"));
            }
        }
    }
    let bad: Vec<String> = all
        .iter()
        .filter(|(_, s, _)| !STATUSES.contains(&s.as_str()))
        .map(|(r, s, _)| format!("{r}/{s}.json"))
        .collect();
    assert!(missing.is_empty(), "missing rule fixtures: {missing:?}");
    assert!(
        bad.is_empty(),
        "fixture names must be a status ({STATUSES:?}): {bad:?}"
    );
}

#[test]
fn rule_fixtures_give_their_status() {
    let all = fixtures();
    let mut message = String::new();
    let mut failed = 0;
    for (rule, status, path) in &all {
        let problems = check(rule, status, path);
        if problems.is_empty() {
            continue;
        }
        failed += 1;
        let _ = writeln!(message, "\n== {rule}/{status}.json");
        for p in problems {
            let _ = writeln!(message, "   - {p}");
        }
    }
    assert!(
        failed == 0,
        "{failed} of {} rule fixtures failed:{message}",
        all.len()
    );
}
