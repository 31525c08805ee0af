//! `socready.toml` end to end: discovery (working directory, `--config`, `--no-config`), strict
//! parsing with file:line:column (DESIGN §4: exit 2), every setting reaching the engine, and
//! command-line flags overriding the file. Inputs: `fixtures/config/` (see its README).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    root().join("fixtures").join("config").join(name)
}

/// The Sentinel workspace of `ready.json`.
const WS_READY: &str = "/subscriptions/68dc7a16-cfcc-5cab-ae16-4e6dd476155b/resourcegroups/rg-sentinel-prod/providers/microsoft.operationalinsights/workspaces/law-sentinel-prod";

/// Runs `socready` in `cwd` with a fixed "today" and no colour.
fn run(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_socready"))
        .current_dir(cwd)
        .args(args)
        .env("NO_COLOR", "1")
        .env("SOCREADY_TODAY", "2026-11-25")
        .env_remove("SOCREADY_LOG")
        .output()
        .expect("run socready")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes `text` as `socready.toml` in a new temp dir; returns the dir.
fn config_dir(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("socready.toml"), text).expect("write config");
    dir
}

/// Scans `snapshot` as JSON from `cwd` with extra args; returns (exit code, report).
fn scan_json(cwd: &Path, snapshot: &Path, extra: &[&str]) -> (i32, Value) {
    let out = cwd.join("report.json");
    let mut args = vec![
        "scan",
        "--snapshot",
        snapshot.to_str().unwrap(),
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = run(cwd, &args);
    assert!(code(&o) != 2, "scan failed: {}", stderr(&o));
    let text = std::fs::read_to_string(&out).expect("report written");
    (
        code(&o),
        serde_json::from_str(&text).expect("report is JSON"),
    )
}

fn status_of(report: &Value, rule: &str, scope: &str) -> String {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule && f["scope"] == scope)
        .unwrap_or_else(|| panic!("no {rule} finding at {scope}"))["status"]
        .as_str()
        .unwrap()
        .to_string()
}

fn message_of(report: &Value, rule: &str, scope: &str) -> String {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule && f["scope"] == scope)
        .unwrap_or_else(|| panic!("no {rule} finding at {scope}"))["message"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A config with a mistake → exit 2, and the message names socready.toml:line:column.
fn assert_config_error(text: &str, location: &str, words: &str) {
    let dir = config_dir(text);
    let o = run(
        dir.path(),
        &[
            "scan",
            "--snapshot",
            fixture("tenant.json").to_str().unwrap(),
        ],
    );
    let err = stderr(&o);
    assert_eq!(
        code(&o),
        2,
        "config {text:?} should be rejected; stderr:\n{err}"
    );
    assert!(
        err.contains(&format!("socready.toml:{location}: ")),
        "expected socready.toml:{location} in:\n{err}"
    );
    assert!(err.contains(words), "expected {words:?} in:\n{err}");
    assert!(o.stdout.is_empty(), "nothing is written on bad input");
}

#[test]
fn unknown_key_is_exit_2_with_location() {
    assert_config_error(
        "fail-on = \"blocking\"\n\n[workspaces]\nmode = \"multi\"\nprimry = \"law\"\n",
        "5:1",
        "unknown field `primry`",
    );
    assert_config_error(
        "[[waiver]]\nrule = \"SOC004\"\nscope = \"*\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2027-01-01\nexpiry = 2027-01-01\n",
        "7:1",
        "unknown field `expiry`",
    );
}

#[test]
fn wrong_type_is_exit_2_with_location() {
    assert_config_error(
        "expiry-warning-days = \"two weeks\"\n",
        "1:23",
        "invalid type",
    );
    assert_config_error("[soc-groups]\n\"Tier 1\" = 42\n", "2:12", "invalid type");
    assert_config_error("fail-on = \"sometimes\"\n", "1:11", "is not one of");
}

#[test]
fn bad_date_is_exit_2_with_location() {
    let waiver = |expires: &str| {
        format!(
            "# waivers\n[[waiver]]\nrule = \"SOC004\"\nscope = \"*\"\nreason = \"r\"\nowner = \"o\"\nexpires = {expires}\n"
        )
    };
    assert_config_error(&waiver("2026-13-01"), "7:11", "month");
    assert_config_error(&waiver("\"2026-02-30\""), "7:11", "not a valid date");
    assert_config_error(&waiver("\"next year\""), "7:11", "not a valid date");
    assert_config_error(&waiver("2026-12-31T10:00:00"), "7:11", "without a time");
    // `expires` is required.
    assert_config_error(
        "[[waiver]]\nrule = \"SOC004\"\nscope = \"*\"\nreason = \"r\"\nowner = \"o\"\n",
        "1:1",
        "missing field `expires`",
    );
}

#[test]
fn every_semantic_problem_is_reported_at_once() {
    let dir = config_dir(
        "[rules.SOC099]\nseverity = \"high\"\n\n[rules.SOC008]\ndisabled = true\n\n[[waiver]]\nrule = \"SOC404\"\nscope = \"tenant\"\nreason = \"\"\nowner = \"o\"\nexpires = 2027-01-01\n",
    );
    let o = run(
        dir.path(),
        &[
            "scan",
            "--snapshot",
            fixture("tenant.json").to_str().unwrap(),
        ],
    );
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    for (loc, words) in [
        ("1:8", "unknown rule \"SOC099\""),
        ("4:8", "rule SOC008 is disabled without a reason"),
        ("8:8", "waiver for unknown rule \"SOC404\""),
        ("10:10", "waiver reason is empty"),
    ] {
        assert!(
            err.contains(&format!("socready.toml:{loc}: {words}")),
            "expected {loc} {words} in:\n{err}"
        );
    }
}

#[test]
fn missing_explicit_config_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        dir.path(),
        &[
            "scan",
            "--snapshot",
            fixture("tenant.json").to_str().unwrap(),
            "--config",
            "nope.toml",
        ],
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("nope.toml"), "{}", stderr(&o));
}

#[test]
fn found_in_working_directory_and_overridden_by_flags() {
    let snap = fixture("tenant.json");
    // fail-on = never in the config: the blocking failures do not gate.
    let dir = config_dir("fail-on = \"never\"\n");
    let (exit, report) = scan_json(dir.path(), &snap, &[]);
    assert_eq!(exit, 0);
    assert_eq!(report["failOn"], "never");
    assert_eq!(report["config"]["path"], "socready.toml");
    // The flag wins over the file.
    let (exit, report) = scan_json(dir.path(), &snap, &["--fail-on", "blocking"]);
    assert_eq!(exit, 1);
    assert_eq!(report["failOn"], "blocking");
    // --no-config ignores ./socready.toml.
    let (exit, report) = scan_json(dir.path(), &snap, &["--no-config"]);
    assert_eq!(exit, 1);
    assert!(report.get("config").is_none());
}

#[test]
fn severity_overrides_and_disabled_rules_reach_every_finding() {
    let dir = config_dir(
        r#"
[rules.SOC007]
severity = "critical"
reason = "the SOC must investigate from day one"

[rules.duplicate-incident-rules]
disabled = true
reason = "no Microsoft incident creation rules in this tenant by policy"
"#,
    );
    let (_, report) = scan_json(dir.path(), &fixture("tenant.json"), &[]);
    let findings = report["findings"].as_array().unwrap();
    assert!(
        findings.iter().all(|f| f["rule"] != "SOC008"),
        "SOC008 is disabled"
    );
    assert!(
        report["rules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["id"] != "SOC008")
    );
    let soc007: Vec<_> = findings.iter().filter(|f| f["rule"] == "SOC007").collect();
    assert!(!soc007.is_empty());
    assert!(soc007.iter().all(|f| f["severity"] == "critical"));
    let rule = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "SOC007")
        .unwrap();
    assert_eq!(rule["severity"], "critical");
    assert_eq!(
        report["config"]["disabledRules"],
        serde_json::json!([{"rule": "SOC008", "reason": "no Microsoft incident creation rules in this tenant by policy"}])
    );
    assert_eq!(report["config"]["severityOverrides"][0]["from"], "medium");
    assert_eq!(report["config"]["severityOverrides"][0]["to"], "critical");

    let o = run(
        dir.path(),
        &[
            "scan",
            "--snapshot",
            fixture("tenant.json").to_str().unwrap(),
        ],
    );
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.contains("config socready.toml"), "{table}");
    assert!(
        table.contains("Disabled by socready.toml: SOC008") && table.contains("by policy"),
        "{table}"
    );
    assert!(
        table.contains("Severity of SOC007 set to critical (default medium)"),
        "{table}"
    );
}

#[test]
fn soc_groups_feed_soc007() {
    let snap = fixture("ready.json");
    let dir = tempfile::tempdir().unwrap();
    let (_, without) = scan_json(dir.path(), &snap, &[]);
    assert_eq!(status_of(&without, "SOC007", WS_READY), "pass");
    // A group that holds no role on the workspace: SOC007 now fails and names it.
    let dir = config_dir(
        "[soc-groups]\n\"Tier 1 analysts\" = \"0b7c3e1a-5d2f-4e8a-9c61-3f2d7a9b8e10\"\n",
    );
    let (_, with) = scan_json(dir.path(), &snap, &[]);
    assert_eq!(status_of(&with, "SOC007", WS_READY), "fail");
    assert!(
        message_of(&with, "SOC007", WS_READY).contains("Tier 1 analysts"),
        "{}",
        message_of(&with, "SOC007", WS_READY)
    );
}

#[test]
fn operator_from_config_narrows_soc005_and_the_flag_overrides_it() {
    let snap = fixture("ready.json");
    let dir = tempfile::tempdir().unwrap();
    let (_, plain) = scan_json(dir.path(), &snap, &[]);
    assert_eq!(status_of(&plain, "SOC005", "tenant"), "pass");
    let dir = config_dir("operator = \"0b7c3e1a-5d2f-4e8a-9c61-3f2d7a9b8e10\"\n");
    let (_, narrowed) = scan_json(dir.path(), &snap, &[]);
    assert_eq!(status_of(&narrowed, "SOC005", "tenant"), "fail");
    // An operator who is Global Administrator (from the snapshot) passes again via the flag.
    let ga = "3cca25bc-e357-545b-9a2e-bf8162c3a6fa";
    let (_, flag) = scan_json(dir.path(), &snap, &["--operator", ga]);
    assert_eq!(status_of(&flag, "SOC005", "tenant"), "pass");
}

#[test]
fn workspace_policy_from_config() {
    let snap = fixture("two-workspaces.json");
    let prod = "/subscriptions/9fcb1bbd-9c3d-5a97-b722-293d7bf622ef/resourcegroups/rg-sentinel-prod/providers/microsoft.operationalinsights/workspaces/law-sentinel-prod";
    let emea = "/subscriptions/9fcb1bbd-9c3d-5a97-b722-293d7bf622ef/resourcegroups/rg-sentinel-emea/providers/microsoft.operationalinsights/workspaces/law-sentinel-emea";
    // Multi mode with a primary and a secondary: both pass SOC003.
    let dir = config_dir(
        "[workspaces]\nmode = \"multi\"\nprimary = \"law-sentinel-prod\"\nsecondaries = [\"law-sentinel-emea\"]\n",
    );
    let (_, report) = scan_json(dir.path(), &snap, &[]);
    assert_eq!(report["workspaceMode"], "multi");
    assert_eq!(status_of(&report, "SOC003", prod), "pass");
    assert_eq!(status_of(&report, "SOC003", emea), "pass");
    let primary: Vec<_> = report["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["primary"] == true)
        .collect();
    assert_eq!(primary.len(), 1);
    assert_eq!(primary[0]["id"], prod);
    // Single mode naming one workspace: only that one is a scope.
    let dir = config_dir("[workspaces]\nmode = \"single\"\nprimary = \"law-sentinel-emea\"\n");
    let (_, report) = scan_json(dir.path(), &snap, &[]);
    assert_eq!(status_of(&report, "SOC003", emea), "pass");
    assert!(report["verdicts"].get(prod).is_none());
    assert!(
        report["notConsidered"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w == prod)
    );
    // --workspace on the command line replaces the config's set.
    let (_, report) = scan_json(dir.path(), &snap, &["--workspace", "law-sentinel-prod"]);
    assert!(report["verdicts"].get(prod).is_some());
    assert!(report["verdicts"].get(emea).is_none());
    // A primary that matches no workspace is bad input.
    let dir = config_dir("[workspaces]\nmode = \"multi\"\nprimary = \"law-nowhere\"\n");
    let o = run(dir.path(), &["scan", "--snapshot", snap.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    // Secondaries need multi mode.
    assert_config_error(
        "[workspaces]\nmode = \"single\"\nprimary = \"a\"\nsecondaries = [\"b\"]\n",
        "4:15",
        "secondaries need mode = \"multi\"",
    );
}

#[test]
fn shipped_example_config_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let example = root().join("examples").join("socready.toml");
    let o = run(
        dir.path(),
        &[
            "scan",
            "--snapshot",
            fixture("tenant.json").to_str().unwrap(),
            "--config",
            example.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_ne!(
        code(&o),
        2,
        "examples/socready.toml is rejected:\n{}",
        stderr(&o)
    );
    let report: Value = serde_json::from_slice(&o.stdout).expect("JSON report");
    assert!(!report["waivers"].as_array().unwrap().is_empty());
}
