//! `socready access`: the who-can-do-what matrix and per-principal explanations.

use std::path::Path;
use std::process::Command;

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
