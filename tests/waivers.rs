//! Waivers end to end: every state (active, expiring, expired, stale; exact and pattern scopes)
//! in the terminal table, JSON, SARIF (`suppressions`), Markdown and HTML, and the exit codes of
//! DESIGN §4 (a waived finding never gates). "Today" is pinned with `SOCREADY_TODAY`, a testing
//! aid, so nothing depends on the real date. Inputs: `fixtures/config/` (see its README).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const TODAY: &str = "2026-11-25";
const WS: &str = "/subscriptions/ea6d7170-f8ec-5fe1-ba52-15ec2e5e6ef3/resourcegroups/rg-sentinel-prod/providers/microsoft.operationalinsights/workspaces/law-sentinel-prod";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join("config")
        .join(name)
}

fn socready(args: &[&str], today: &str) -> Output {
    let cwd = tempfile::tempdir().expect("temp dir");
    Command::new(env!("CARGO_BIN_EXE_socready"))
        .current_dir(cwd.path())
        .args(args)
        .env("NO_COLOR", "1")
        .env("SOCREADY_TODAY", today)
        .output()
        .expect("run socready")
}

struct Scan {
    exit: i32,
    table: String,
    stderr: String,
    json: Value,
    sarif: Value,
    markdown: String,
    html: String,
}

/// Scans `tenant.json` with a config into every format (plus the table on stdout).
fn scan(config: &str, extra: &[&str]) -> Scan {
    let out = tempfile::tempdir().expect("temp dir");
    let snapshot = fixture("tenant.json");
    let config = fixture(config);
    let mut args = vec![
        "scan",
        "--snapshot",
        snapshot.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "--out-dir",
        out.path().to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = socready(&args, TODAY);
    let read = |name: &str| {
        std::fs::read_to_string(out.path().join(name)).unwrap_or_else(|e| {
            panic!(
                "{name}: {e}; stderr: {}",
                String::from_utf8_lossy(&o.stderr)
            )
        })
    };
    Scan {
        exit: o.status.code().expect("exit code"),
        table: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        json: serde_json::from_str(&read("socready.json")).expect("json"),
        sarif: serde_json::from_str(&read("socready.sarif")).expect("sarif"),
        markdown: read("socready.md"),
        html: read("socready.html"),
    }
}

fn finding<'a>(report: &'a Value, rule: &str, scope: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule && f["scope"] == scope)
        .unwrap_or_else(|| panic!("no {rule} at {scope}"))
}

fn waiver_state<'a>(report: &'a Value, rule: &str) -> &'a Value {
    report["waivers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["rule"] == rule)
        .unwrap_or_else(|| panic!("no waiver note for {rule}"))
}

/// SARIF results of a rule.
fn results<'a>(sarif: &'a Value, rule: &str) -> Vec<&'a Value> {
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == rule)
        .collect()
}

#[test]
fn every_state_in_json() {
    let s = scan("waivers.toml", &[]);
    let j = &s.json;
    // active: exact tenant scope, with ticket
    let active = waiver_state(j, "SOC005");
    assert_eq!(active["state"], "active");
    assert_eq!(active["ticket"], "CHG-2041");
    assert_eq!(active["findings"], serde_json::json!(["tenant"]));
    assert_eq!(active["daysLeft"], 217);
    // expiring: pattern scope, 6 days left (inside the default 14-day window)
    let expiring = waiver_state(j, "SOC006");
    assert_eq!(expiring["state"], "expiring");
    assert_eq!(expiring["daysLeft"], 6);
    assert_eq!(expiring["findings"], serde_json::json!([WS]));
    assert!(
        expiring["location"]
            .as_str()
            .unwrap()
            .ends_with("waivers.toml:12:1")
    );
    // expired: not applied, the finding fails again
    let expired = waiver_state(j, "SOC004");
    assert_eq!(expired["state"], "expired");
    assert_eq!(expired["daysLeft"], -24);
    assert!(
        expired["message"]
            .as_str()
            .unwrap()
            .contains("no longer applied")
    );
    // stale: SOC001 passes
    let stale = waiver_state(j, "SOC001");
    assert_eq!(stale["state"], "stale");
    assert!(
        stale["message"]
            .as_str()
            .unwrap()
            .contains("SOC001 is pass")
    );

    let soc005 = finding(j, "SOC005", "tenant");
    assert_eq!(soc005["status"], "waived");
    assert_eq!(soc005["originalStatus"], "fail");
    assert_eq!(soc005["waiver"]["owner"], "identity-team@proseware.com");
    assert_eq!(soc005["waiver"]["expires"], "2027-06-30");
    assert!(
        !soc005["evidence"].as_array().unwrap().is_empty(),
        "evidence is kept"
    );
    assert_eq!(finding(j, "SOC006", WS)["status"], "waived");
    let soc004 = finding(j, "SOC004", WS);
    assert_eq!(soc004["status"], "fail");
    assert!(soc004.get("waiver").is_none());
    assert!(soc004.get("originalStatus").is_none());
    // The expired waiver lets SOC004 gate: exit 1, verdict not ready.
    assert_eq!(s.exit, 1);
    assert_eq!(j["exitCode"], 1);
    assert_eq!(j["verdicts"][WS], "not_ready");
    assert_eq!(j["summary"]["byStatus"]["waived"], 2);
}

#[test]
fn every_state_in_the_terminal() {
    let s = scan("waivers.toml", &[]);
    let t = &s.table;
    assert!(t.contains("Waivers"), "{t}");
    for state in ["active", "expiring", "expired", "stale"] {
        assert!(t.contains(state), "{state} missing in:\n{t}");
    }
    assert!(t.contains("waived (fail)"), "{t}");
    assert!(t.contains("warning: waiver SOC006"), "{t}");
    assert!(t.contains("expires in 6 days"), "{t}");
    assert!(
        t.contains("warning: waiver SOC004") && t.contains("is expired"),
        "{t}"
    );
    assert!(
        t.contains("warning: waiver SOC001") && t.contains("is stale"),
        "{t}"
    );
    assert!(
        !t.contains("warning: waiver SOC005"),
        "active is not a warning:\n{t}"
    );
    // The table was printed, so the warnings are not repeated on stderr.
    assert!(!s.stderr.contains("warning: waiver"), "{}", s.stderr);
}

#[test]
fn warnings_go_to_stderr_when_no_table_is_printed() {
    let snapshot = fixture("tenant.json");
    let config = fixture("waivers.toml");
    let o = socready(
        &[
            "scan",
            "--snapshot",
            snapshot.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "--format",
            "json",
        ],
        TODAY,
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("warning: waiver SOC006"), "{err}");
    assert!(err.contains("warning: waiver SOC004"), "{err}");
    assert!(err.contains("warning: waiver SOC001"), "{err}");
    assert!(!err.contains("warning: waiver SOC005"), "{err}");
    let _: Value = serde_json::from_slice(&o.stdout).expect("stdout stays pure JSON");
}

#[test]
fn sarif_suppresses_waived_results_only() {
    let s = scan("waivers.toml", &[]);
    for rule in ["SOC005", "SOC006"] {
        let r = results(&s.sarif, rule);
        assert_eq!(r.len(), 1, "{rule}");
        let sup = &r[0]["suppressions"];
        assert_eq!(sup.as_array().unwrap().len(), 1, "{rule}: {sup}");
        assert_eq!(sup[0]["kind"], "external");
        assert_eq!(sup[0]["status"], "accepted");
    }
    let soc005 = &results(&s.sarif, "SOC005")[0]["suppressions"][0];
    assert_eq!(
        soc005["justification"],
        "Global Administrator is assigned through the change board on onboarding day"
    );
    // Expired: an open result without suppression.
    let soc004 = results(&s.sarif, "SOC004");
    assert_eq!(soc004.len(), 1);
    assert!(
        soc004[0]
            .get("suppressions")
            .is_none_or(|v| v.as_array().is_some_and(|a| a.is_empty())),
        "{}",
        soc004[0]
    );
}

#[test]
fn markdown_and_html_show_waived_findings_and_waiver_warnings() {
    let s = scan("waivers.toml", &[]);
    for (name, text) in [("markdown", &s.markdown), ("html", &s.html)] {
        assert!(
            text.contains("identity-team@proseware.com"),
            "{name}: active waiver owner"
        );
        assert!(
            text.contains("platform@proseware.com"),
            "{name}: pattern waiver owner"
        );
        let lower = text.to_lowercase();
        for state in ["expiring", "expired", "stale"] {
            assert!(lower.contains(state), "{name}: {state} missing");
        }
    }
}

#[test]
fn waived_blocking_failures_exit_0_with_the_default_fail_on() {
    let s = scan("all-waived.toml", &[]);
    let open_blocking: Vec<String> = s.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["label"] == "blocking" && (f["status"] == "fail" || f["status"] == "unknown"))
        .map(|f| format!("{} {}", f["rule"], f["scope"]))
        .collect();
    assert!(
        open_blocking.is_empty(),
        "fixtures/config/all-waived.toml no longer covers every blocking failure: {open_blocking:?}"
    );
    assert_eq!(s.exit, 0, "{}", s.stderr);
    assert_eq!(s.json["exitCode"], 0);
    assert_eq!(s.json["verdicts"][WS], "ready");
    for (rule, scope) in [("SOC004", WS), ("SOC005", "tenant"), ("SOC006", WS)] {
        let f = finding(&s.json, rule, scope);
        assert_eq!(f["status"], "waived", "{rule}");
        assert_eq!(f["originalStatus"], "fail", "{rule}");
    }
    assert!(
        s.json["waivers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["state"] == "active")
    );
    // A threshold below the waived rules still sees the other, non-waived failures.
    let low = scan("all-waived.toml", &["--fail-on", "low"]);
    let open_low = low.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["status"] == "fail");
    assert_eq!(low.exit, if open_low { 1 } else { 0 });
}

#[test]
fn the_warning_window_is_configurable() {
    // 3 days: the SOC006 waiver (6 days left) is simply active.
    let s = scan("waivers.toml", &["--expiry-warning-days", "3"]);
    assert_eq!(waiver_state(&s.json, "SOC006")["state"], "active");
    // 0 turns the warning off.
    let s = scan("waivers.toml", &["--expiry-warning-days", "0"]);
    assert_eq!(waiver_state(&s.json, "SOC006")["state"], "active");
    // 30 days: still expiring.
    let s = scan("waivers.toml", &["--expiry-warning-days", "30"]);
    assert_eq!(waiver_state(&s.json, "SOC006")["state"], "expiring");
}

#[test]
fn expiry_day_is_inclusive_and_the_day_after_is_expired() {
    let snapshot = fixture("tenant.json");
    let config = fixture("waivers.toml");
    let run = |today: &str| -> Value {
        let o = socready(
            &[
                "scan",
                "--snapshot",
                snapshot.to_str().unwrap(),
                "--config",
                config.to_str().unwrap(),
                "--format",
                "json",
            ],
            today,
        );
        serde_json::from_slice(&o.stdout).expect("json")
    };
    // SOC006 expires 2026-12-01.
    let on = run("2026-12-01");
    assert_eq!(waiver_state(&on, "SOC006")["state"], "expiring");
    assert_eq!(finding(&on, "SOC006", WS)["status"], "waived");
    let after = run("2026-12-02");
    assert_eq!(waiver_state(&after, "SOC006")["state"], "expired");
    assert_eq!(finding(&after, "SOC006", WS)["status"], "fail");
}

#[test]
fn a_bad_socready_today_is_bad_usage() {
    let snapshot = fixture("tenant.json");
    let config = fixture("waivers.toml");
    let o = socready(
        &[
            "scan",
            "--snapshot",
            snapshot.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ],
        "25/11/2026",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("SOCREADY_TODAY"));
}
