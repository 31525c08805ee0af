//! Baselines (`--baseline`, `--fail-on-new`), `socready diff` and `socready portfolio`, end to
//! end through the built binary. Inputs: `fixtures/diff/` (a before/after pair, see its README)
//! and copies of a few `fixtures/scenarios/` snapshots.
//!
//! The portfolio HTML goes through the shared `validate-html` (Nu Html Checker, axe, no network)
//! like the reports do (`tests/reports.rs`): a missing validator fails; `SOCREADY_SKIP_VALIDATORS=1`
//! skips it with a note; `SOCREADY_TOOLS_DIR` points at another tools directory.

use std::path::{Path, PathBuf};
#[path = "support/validators.rs"]
mod validators;

use std::process::{Command, Output};

use serde_json::Value;

const WS: &str = "/subscriptions/68dc7a16-cfcc-5cab-ae16-4e6dd476155b/resourcegroups/rg-sentinel-prod/providers/microsoft.operationalinsights/workspaces/law-sentinel-prod";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn diff_fixture(name: &str) -> PathBuf {
    root().join("fixtures").join("diff").join(name)
}

fn socready(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_socready"))
        .current_dir(cwd)
        .args(args)
        .env("NO_COLOR", "1")
        .env("SOCREADY_TODAY", "2026-11-25")
        .output()
        .expect("run socready")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// Scans a snapshot into `out` (JSON) with extra args; returns the exit code.
fn scan_to(dir: &Path, snapshot: &Path, out: &Path, extra: &[&str]) -> i32 {
    let mut args = vec![
        "scan",
        "--snapshot",
        p(snapshot),
        "--format",
        "json",
        "-o",
        p(out),
    ];
    args.extend_from_slice(extra);
    let o = socready(dir, &args);
    assert_ne!(code(&o), 2, "{}", err(&o));
    code(&o)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json")
}

fn finding<'a>(report: &'a Value, rule: &str, scope: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule && f["scope"] == scope)
        .unwrap_or_else(|| panic!("no {rule} at {scope}"))
}

// ── baseline ──────────────────────────────────────────────────────────────────────────────────

#[test]
fn baseline_classifies_new_unchanged_and_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.json");
    let new = dir.path().join("new.json");
    scan_to(dir.path(), &diff_fixture("before.json"), &old, &[]);
    scan_to(
        dir.path(),
        &diff_fixture("after.json"),
        &new,
        &["--baseline", p(&old)],
    );
    let report = read_json(&new);
    let before = read_json(&old);
    // SOC008 opened between the scans: new. SOC004 was fixed.
    assert_eq!(finding(&report, "SOC008", WS)["baseline"], "new");
    let fixed = report["baseline"]["fixed"].as_array().unwrap();
    assert!(
        fixed
            .iter()
            .any(|f| f["rule"] == "SOC004" && f["was"] == "fail" && f["now"] == "pass"),
        "{fixed:?}"
    );
    // Every other open finding was open before: unchanged. Passes carry no classification.
    let open = |f: &&Value| f["status"] == "fail" || f["status"] == "unknown";
    for f in report["findings"].as_array().unwrap().iter().filter(open) {
        let was_open = before["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["fingerprint"] == f["fingerprint"] && open(&b));
        let expected = if was_open { "unchanged" } else { "new" };
        assert_eq!(f["baseline"], expected, "{}", f["rule"]);
    }
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["status"] == "pass")
            .all(|f| f.get("baseline").is_none())
    );
    let counts = &report["baseline"]["counts"];
    assert_eq!(counts["new"], 1);
    assert_eq!(counts["fixed"], fixed.len());
    assert_eq!(report["baseline"]["failOnNew"], false);

    // The terminal says the same.
    let o = socready(
        dir.path(),
        &[
            "scan",
            "--snapshot",
            p(&diff_fixture("after.json")),
            "--baseline",
            p(&old),
        ],
    );
    let t = text(&o);
    assert!(t.contains("Change"), "{t}");
    assert!(
        t.contains(&format!(
            "1 new, {} unchanged, {} fixed",
            counts["unchanged"],
            fixed.len()
        )),
        "{t}"
    );
    assert!(t.contains("fixed  SOC004"), "{t}");
}

#[test]
fn fail_on_new_gates_only_on_new_findings() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.json");
    let same = dir.path().join("same.json");
    let out = dir.path().join("out.json");
    let after = diff_fixture("after.json");
    scan_to(dir.path(), &diff_fixture("before.json"), &old, &[]);
    scan_to(dir.path(), &after, &same, &[]);
    // SOC008 (medium) fails in after.json: --fail-on medium gates on it...
    assert_eq!(
        scan_to(dir.path(), &after, &out, &["--fail-on", "medium"]),
        1
    );
    // ...also with a baseline in which it was already open, unless --fail-on-new.
    assert_eq!(
        scan_to(
            dir.path(),
            &after,
            &out,
            &["--fail-on", "medium", "--baseline", p(&same)]
        ),
        1
    );
    assert_eq!(
        scan_to(
            dir.path(),
            &after,
            &out,
            &[
                "--fail-on",
                "medium",
                "--baseline",
                p(&same),
                "--fail-on-new"
            ]
        ),
        0
    );
    assert_eq!(read_json(&out)["baseline"]["failOnNew"], true);
    // Against the older scan SOC008 is new: it gates.
    assert_eq!(
        scan_to(
            dir.path(),
            &after,
            &out,
            &[
                "--fail-on",
                "medium",
                "--baseline",
                p(&old),
                "--fail-on-new"
            ]
        ),
        1
    );
}

#[test]
fn baseline_input_errors_are_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    // --fail-on-new needs --baseline.
    let o = socready(
        dir.path(),
        &[
            "scan",
            "--snapshot",
            p(&diff_fixture("after.json")),
            "--fail-on-new",
        ],
    );
    assert_eq!(code(&o), 2);
    // A snapshot is not a report.
    let o = socready(
        dir.path(),
        &[
            "scan",
            "--snapshot",
            p(&diff_fixture("after.json")),
            "--baseline",
            p(&diff_fixture("before.json")),
        ],
    );
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("socready.report/v1"), "{}", err(&o));
    // Broken JSON names the line and column.
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        "{\n  \"schema\": \"socready.report/v1\",\n  \"findings\": [\n",
    )
    .unwrap();
    let o = socready(
        dir.path(),
        &[
            "scan",
            "--snapshot",
            p(&diff_fixture("after.json")),
            "--baseline",
            p(&broken),
        ],
    );
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("broken.json:4:"), "{}", err(&o));
}

// ── diff ──────────────────────────────────────────────────────────────────────────────────────

fn diff(dir: &Path, old: &Path, new: &Path, format: &str) -> Output {
    socready(dir, &["diff", p(old), p(new), "--format", format])
}

#[test]
fn diff_of_two_snapshots_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let o = diff(
        dir.path(),
        &diff_fixture("before.json"),
        &diff_fixture("after.json"),
        "json",
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let d: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(d["schema"], "socready.diff/v1");
    assert_eq!(d["before"]["kind"], "snapshot");
    let findings = d["findings"].as_array().unwrap();
    let change = |rule: &str| {
        findings
            .iter()
            .find(|f| f["rule"] == rule)
            .unwrap_or_else(|| panic!("{rule} not in {findings:?}"))
    };
    assert_eq!(change("SOC008")["change"], "opened");
    assert_eq!(change("SOC008")["before"], "pass");
    assert_eq!(change("SOC008")["after"], "fail");
    assert_eq!(change("SOC004")["change"], "closed");
    assert_eq!(d["summary"]["opened"], 1);
    assert_eq!(d["summary"]["closed"], 1);
    assert_eq!(
        d["verdicts"],
        serde_json::json!([{"workspace": WS, "name": "law-sentinel-prod", "before": "not_ready", "after": "ready"}])
    );
    let resources = d["resources"].as_array().unwrap();
    let has = |change: &str, kind: &str, detail: &str| {
        resources.iter().any(|r| {
            r["change"] == change
                && r["kind"] == kind
                && r["detail"].as_str().unwrap().contains(detail)
        })
    };
    assert!(
        has("added", "alertRule", "MicrosoftSecurityIncidentCreation"),
        "{resources:#?}"
    );
    assert!(
        has("changed", "alertRule", "properties.enabled: true → false"),
        "{resources:#?}"
    );
    assert!(
        has(
            "changed",
            "dataConnector",
            "incidents.state: Disabled → Enabled"
        ),
        "{resources:#?}"
    );
    assert!(
        has("removed", "roleAssignment", "Contributor"),
        "{resources:#?}"
    );
    assert!(
        has("added", "directoryRoleAssignment", "Security Administrator"),
        "{resources:#?}"
    );
    assert_eq!(resources.len(), 5, "{resources:#?}");
    assert_eq!(d["summary"]["resourcesAdded"], 2);
    assert_eq!(d["summary"]["resourcesRemoved"], 1);
    assert_eq!(d["summary"]["resourcesChanged"], 2);
}

#[test]
fn diff_as_table_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let (b, a) = (diff_fixture("before.json"), diff_fixture("after.json"));
    let t = text(&diff(dir.path(), &b, &a, "table"));
    for needle in [
        "Findings: 1 opened, 1 closed, 0 changed",
        "opened",
        "SOC008",
        "closed",
        "SOC004",
        "Verdicts: 1 changed",
        "not_ready",
        "Resources: 2 added, 1 removed, 2 changed",
        "Azure role assignment",
        "Entra role assignment",
        "analytics rule",
        "data connector",
    ] {
        assert!(t.contains(needle), "{needle:?} missing in:\n{t}");
    }
    let m = text(&diff(dir.path(), &b, &a, "markdown"));
    assert!(m.starts_with("## socready diff"), "{m}");
    assert!(
        m.contains("### Findings: 1 opened, 1 closed, 0 changed"),
        "{m}"
    );
    assert!(m.contains("| opened | SOC008 |"), "{m}");
    assert!(
        m.contains("| law\\-sentinel\\-prod | not\\_ready | ready |")
            || m.contains("| law-sentinel-prod | not\\_ready | ready |"),
        "{m}"
    );
    assert!(
        m.contains("### Resources: 2 added, 1 removed, 2 changed"),
        "{m}"
    );
    // Nothing changed: said plainly.
    let same = text(&diff(dir.path(), &a, &a, "table"));
    assert!(
        same.contains("Findings: 0 opened, 0 closed, 0 changed"),
        "{same}"
    );
    assert!(
        same.contains("Resources: 0 added, 0 removed, 0 changed"),
        "{same}"
    );
}

#[test]
fn diff_of_two_reports_and_of_mixed_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.json");
    let new = dir.path().join("new.json");
    scan_to(dir.path(), &diff_fixture("before.json"), &old, &[]);
    scan_to(dir.path(), &diff_fixture("after.json"), &new, &[]);
    let o = diff(dir.path(), &old, &new, "json");
    assert_eq!(code(&o), 0, "{}", err(&o));
    let d: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(d["before"]["kind"], "report");
    assert_eq!(d["summary"]["opened"], 1);
    assert_eq!(d["summary"]["closed"], 1);
    assert_eq!(d["verdicts"][0]["after"], "ready");
    assert!(d["resources"].is_null(), "resources need two snapshots");
    assert!(
        d["notes"][0]
            .as_str()
            .unwrap()
            .contains("only between two snapshots")
    );
    // A report and a snapshot: findings still compare.
    let o = diff(dir.path(), &old, &diff_fixture("after.json"), "json");
    let d: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(d["summary"]["opened"], 1);
    assert_eq!(d["after"]["kind"], "snapshot");
}

#[test]
fn diff_rejects_other_json_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.json");
    std::fs::write(&other, r#"{"schema": "something/v1"}"#).unwrap();
    let o = diff(dir.path(), &other, &diff_fixture("after.json"), "table");
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("other.json"), "{}", err(&o));
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"schema\": \"socready.snapshot/v1\",").unwrap();
    let o = diff(dir.path(), &broken, &diff_fixture("after.json"), "table");
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("broken.json:1:"), "{}", err(&o));
}

// ── portfolio ─────────────────────────────────────────────────────────────────────────────────

/// Scenarios scanned with default options (their expectation files give no extra arguments).
const SCENARIOS: [&str; 3] = [
    "ready-single-workspace",
    "no-xdr-license",
    "xdr-connector-incidents-disabled",
];

#[test]
fn portfolio_over_a_directory_of_snapshots() {
    let input = tempfile::tempdir().unwrap();
    let scenarios = root().join("fixtures").join("scenarios");
    for s in SCENARIOS {
        for suffix in [".json", ".expected.json"] {
            std::fs::copy(
                scenarios.join(format!("{s}{suffix}")),
                input.path().join(format!("{s}{suffix}")),
            )
            .unwrap();
        }
    }
    // Not snapshots: a report, a non-JSON file (ignored), and a JSON file of another kind.
    let report = input.path().join("last-scan.json");
    scan_to(
        input.path(),
        &scenarios.join("no-xdr-license.json"),
        &report,
        &[],
    );
    std::fs::write(input.path().join("notes.txt"), "not json").unwrap();
    std::fs::write(input.path().join("package.json"), "{\"name\": \"x\"}").unwrap();

    let out = tempfile::tempdir().unwrap();
    let o = socready(
        input.path(),
        &["portfolio", p(input.path()), "--out-dir", p(out.path())],
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let summary = read_json(&out.path().join("portfolio.json"));
    assert_eq!(summary["schema"], "socready.portfolio/v1");
    let tenants = summary["tenants"].as_array().unwrap();
    assert_eq!(tenants.len(), SCENARIOS.len(), "{tenants:#?}");
    for s in SCENARIOS {
        let row = tenants
            .iter()
            .find(|t| t["file"] == format!("{s}.json"))
            .unwrap_or_else(|| panic!("{s} missing"));
        let expected = read_json(&scenarios.join(format!("{s}.expected.json")));
        let verdicts: serde_json::Map<String, Value> = row["workspaces"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| (w["id"].as_str().unwrap().to_string(), w["verdict"].clone()))
            .collect();
        assert_eq!(Value::Object(verdicts), expected["verdicts"], "{s}");
        assert_eq!(row["exitCode"], expected["exitCode"], "{s}");
        // The tenant's full reports are there, linked from the summary.
        for (key, file) in [
            ("html", "socready.html"),
            ("json", "socready.json"),
            ("markdown", "socready.md"),
            ("sarif", "socready.sarif"),
            ("junit", "socready.junit.xml"),
        ] {
            assert_eq!(row["reports"][key], format!("{s}/{file}"));
            assert!(out.path().join(s).join(file).is_file(), "{s}/{file}");
        }
        let full = read_json(&out.path().join(s).join("socready.json"));
        assert_eq!(full["snapshot"]["tenantId"], row["tenantId"]);
    }
    let not_ready = tenants
        .iter()
        .find(|t| t["file"] == "no-xdr-license.json")
        .unwrap();
    assert_eq!(not_ready["verdict"], "not_ready");
    assert!(not_ready["counts"]["blockingFail"].as_u64().unwrap() >= 1);

    let skipped = summary["skipped"].as_array().unwrap();
    let reason = |file: &str| {
        skipped
            .iter()
            .find(|s| s["file"] == file)
            .unwrap_or_else(|| panic!("{file} not skipped: {skipped:?}"))["reason"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(reason("last-scan.json").contains("a socready report"));
    assert!(reason("package.json").contains("not a socready snapshot"));
    assert!(reason("ready-single-workspace.expected.json").contains("not a socready snapshot"));
    assert!(skipped.iter().all(|s| s["file"] != "notes.txt"));

    validators::validate("validate-html", &[&out.path().join("portfolio.html")]);
    let html = std::fs::read_to_string(out.path().join("portfolio.html")).unwrap();
    assert!(html.contains("href=\"ready-single-workspace/socready.html\""));
    assert!(html.contains("Content-Security-Policy"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "self-contained"
    );
    let md = std::fs::read_to_string(out.path().join("portfolio.md")).unwrap();
    assert!(md.contains("[HTML](no-xdr-license/socready.html)"), "{md}");
    assert!(md.contains("Not ready"), "{md}");
    let t = text(&o);
    assert!(t.contains("skipped last-scan.json"), "{t}");
}

#[test]
fn portfolio_escapes_tenant_text() {
    let input = tempfile::tempdir().unwrap();
    let mut snap = read_json(
        &root()
            .join("fixtures")
            .join("scenarios")
            .join("ready-single-workspace.json"),
    );
    snap["tenant"]["organization"]["displayName"] =
        Value::from("<script>alert(1)</script> {{ 7*7 }} | `x`");
    std::fs::write(
        input.path().join("hostile tenant.json"),
        serde_json::to_string(&snap).unwrap(),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = socready(
        input.path(),
        &["portfolio", p(input.path()), "--out-dir", p(out.path())],
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    validators::validate("validate-html", &[&out.path().join("portfolio.html")]);
    let html = std::fs::read_to_string(out.path().join("portfolio.html")).unwrap();
    assert!(!html.contains("<script>"), "raw tag in HTML");
    assert!(html.contains("&lt;script&gt;"));
    assert!(
        html.contains("{{ 7*7 }}"),
        "template syntax from data is not evaluated"
    );
    // The report directory name is reduced to safe characters.
    assert!(html.contains("href=\"hostile-tenant/socready.html\""));
    assert!(
        out.path()
            .join("hostile-tenant")
            .join("socready.html")
            .is_file()
    );
    let md = std::fs::read_to_string(out.path().join("portfolio.md")).unwrap();
    assert!(md.contains("\\<script\\>"), "{md}");
}

#[test]
fn portfolio_without_snapshots_is_exit_2() {
    let input = tempfile::tempdir().unwrap();
    std::fs::write(input.path().join("package.json"), "{}").unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = socready(
        input.path(),
        &["portfolio", p(input.path()), "--out-dir", p(out.path())],
    );
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("no snapshot"), "{}", err(&o));
    assert!(
        !out.path().join("portfolio.html").exists(),
        "nothing written"
    );
    let o = socready(
        input.path(),
        &["portfolio", "does-not-exist", "--out-dir", p(out.path())],
    );
    assert_eq!(code(&o), 2);
}
