//! `socready access`: the who-can-do-what matrix and per-principal explanations.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

#[path = "support/rbac_fixture.rs"]
mod rbac_fixture;
use rbac_fixture::{Fact, OWNER, READER, U, assign, build, sub};

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_socready"))
        .args(args)
        .env("SOCREADY_LOG", "off")
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn scenario(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/scenarios")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn matrix_lists_tasks_from_the_rule_files_and_nobody_can_connect() {
    let snap = scenario("no-onboard-or-connect-roles.json");
    let (code, out, err) = run(&["access", "--snapshot", &snap, "--format", "json"]);
    assert_eq!(code, Some(0), "{err}");
    let m: serde_json::Value = serde_json::from_str(&out).unwrap();
    let tasks: Vec<&str> = m["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(
        tasks,
        [
            "onboard the tenant",
            "connect the workspace",
            "view the workspace",
            "query incidents",
            "investigate incidents",
            "open a support request"
        ]
    );
    let ws = &m["workspaces"][0];
    let rows = ws["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    // Column 1 is "connect": this scenario has nobody who can connect (SOC006 fails).
    assert!(rows.iter().all(|r| r["cells"][1].is_null()), "{rows:?}");
    // Somebody can view (SOC007 passes).
    assert!(rows.iter().any(|r| r["cells"][2] == "active"));
}

#[test]
fn explanation_names_the_missing_action_and_the_least_privileged_role() {
    let snap = scenario("no-onboard-or-connect-roles.json");
    let (_, out, _) = run(&["access", "--snapshot", &snap, "--format", "json"]);
    let m: serde_json::Value = serde_json::from_str(&out).unwrap();
    // A principal that can investigate but not connect.
    let p = m["workspaces"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cells"][4] == "active")
        .map(|r| r["principal"].as_str().unwrap().to_string())
        .unwrap();
    let (code, text, err) = run(&[
        "access",
        "--snapshot",
        &snap,
        "--principal",
        &p,
        "--task",
        "connect",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(text.contains("answer: no"), "{text}");
    assert!(text.contains("missing at /subscriptions/"), "{text}");
    assert!(
        text.contains("Microsoft.Authorization/roleAssignments/write"),
        "{text}"
    );
    assert!(
        text.contains("least privilege: assign Role Based Access Control Administrator"),
        "{text}"
    );
}

#[test]
fn explanation_for_a_holder_shows_the_chain() {
    let snap = scenario("ready-single-workspace.json");
    let (_, out, _) = run(&["access", "--snapshot", &snap, "--format", "json"]);
    let m: serde_json::Value = serde_json::from_str(&out).unwrap();
    let p = m["workspaces"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cells"][1] == "active")
        .map(|r| r["principal"].as_str().unwrap().to_string())
        .expect("someone can connect in the ready tenant");
    let (_, text, _) = run(&[
        "access",
        "--snapshot",
        &snap,
        "--principal",
        &p,
        "--task",
        "connect",
    ]);
    assert!(text.contains("answer: yes (active)"), "{text}");
    assert!(text.contains("via assignment /subscriptions/"), "{text}");
}

#[test]
fn ambiguous_or_unknown_task_is_a_usage_error() {
    let snap = scenario("ready-single-workspace.json");
    let (code, _, err) = run(&[
        "access",
        "--snapshot",
        &snap,
        "--principal",
        "x",
        "--task",
        "nope",
    ]);
    assert_eq!(code, Some(2));
    assert!(err.contains("connect the workspace"), "{err}");
}

#[test]
fn thousands_of_holders_are_counted_but_reports_list_the_first() {
    const READERS: usize = 260;
    let users: Vec<String> = (0..READERS)
        .map(|i| format!("d0000000-0000-0000-0000-{i:012}"))
        .collect();
    let mut facts: Vec<Fact> = users.iter().map(|u| assign(u, READER, &sub())).collect();
    facts.push(assign(U, OWNER, &sub()));
    let (snap, _) = build(&facts);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("many.json");
    std::fs::write(&file, snap.to_string()).unwrap();
    let file = file.display().to_string();

    let out = dir.path().join("out");
    let (code, _, err) = run(&[
        "scan",
        "--snapshot",
        &file,
        "--format",
        "json",
        "--out-dir",
        &out.display().to_string(),
    ]);
    assert!(matches!(code, Some(0 | 1)), "{err}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("socready.json")).unwrap()).unwrap();
    let ws = &report["access"]["workspaces"][0];
    let tasks: Vec<&str> = report["access"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    let view = tasks
        .iter()
        .position(|t| *t == "view the workspace")
        .unwrap();
    assert_eq!(ws["principalCount"], READERS + 1);
    assert_eq!(ws["taskCounts"][view], READERS + 1);
    assert_eq!(ws["truncated"], true);
    let rows = ws["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 200);
    // The owner can do the most tasks, so it is among those kept.
    assert!(rows.iter().any(|r| r["principal"] == U), "owner kept");

    // The finding counts everyone and names the first five.
    let soc007 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "SOC007" && f["status"] == "pass")
        .unwrap_or_else(|| panic!("SOC007 passes: {:#}", report["findings"]));
    let message = soc007["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("{} principal(s)", READERS + 1))
            && message.contains(&format!("and {} more", READERS + 1 - 5)),
        "{message}"
    );

    // `socready access` lists every principal.
    let (code, out, err) = run(&["access", "--snapshot", &file, "--format", "json"]);
    assert_eq!(code, Some(0), "{err}");
    let m: Value = serde_json::from_str(&out).unwrap();
    let all = m["workspaces"][0]["rows"].as_array().unwrap();
    assert_eq!(all.len(), READERS + 1);
    let names: Vec<&str> = all
        .iter()
        .map(|r| r["principal"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "rows are in name order");
}
