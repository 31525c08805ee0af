//! What keeps a large tenant fast and small, tested for behaviour: role assignments are read
//! without being parsed into `Value` trees, their odd shapes read the same either way, and
//! thousands of holders are counted in full while reports list only the first.

#[path = "support/rbac_fixture.rs"]
mod rbac_fixture;

use std::path::Path;
use std::process::Command;

use rbac_fixture::*;
use serde_json::{Value, json};
use socready::engine::options::EvalOptions;
use socready::engine::{rules, scan};
use socready::finding::Status;
use socready::report::SnapshotInfo;

fn socready(args: &[&str]) -> (Option<i32>, String, String) {
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

#[test]
fn a_scan_reads_role_assignments_without_parsing_them() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios/large-tenant.json");
    let snap = socready::snapshot::load_file(&path).unwrap().snapshot;
    let rules = rules::load_embedded().unwrap();
    let report = scan(
        &snap,
        SnapshotInfo::default(),
        rules,
        &EvalOptions::default(),
    )
    .unwrap();
    // The permission rules did real work on these assignments.
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule == "SOC007" && f.status == Status::Pass)
    );
    let assignments: Vec<_> = snap
        .azure
        .iter()
        .flat_map(|a| a.subscriptions.iter().flatten())
        .flat_map(|s| s.role_assignments.iter().flatten())
        .collect();
    assert!(assignments.len() > 100, "{}", assignments.len());
    let parsed = assignments.iter().filter(|r| r.is_parsed()).count();
    assert_eq!(parsed, 0, "role assignments parsed into Value trees");
}

/// The SOC006 status for a tenant where `assignment` is the only connect grant.
fn soc006_with(assignment: &str) -> Status {
    let (mut snap, opts) = build(&[role(C1, &["*/read"])]);
    snap["azure"]["subscriptions"][0]["roleAssignments"] = json!(["@A@"]);
    let text = snap.to_string().replace("\"@A@\"", assignment);
    let loaded = socready::snapshot::load_str("odd.json", &text).unwrap();
    let rules: Vec<_> = rules::load_embedded()
        .unwrap()
        .into_iter()
        .filter(|r| r.id == "SOC006")
        .collect();
    let info = SnapshotInfo {
        tenant_id: TENANT.to_string(),
        ..Default::default()
    };
    let findings = scan(&loaded, info, rules, &opts).unwrap().findings;
    findings[0].status
}

#[test]
fn odd_assignment_shapes_read_as_their_parsed_value_would() {
    let owner = format!("/providers/Microsoft.Authorization/roleDefinitions/{OWNER}");
    let sub = sub();
    // Plain, escaped text, and a duplicate key (the last one counts, as in a parsed value).
    let plain = format!(
        r#"{{"id":"x","properties":{{"principalId":"{U}","roleDefinitionId":"{owner}","scope":"{sub}"}}}}"#
    );
    let escaped = plain.replace(&owner, &owner.replace('/', "\\/"));
    let duplicate_last_wins = format!(
        r#"{{"properties":{{"principalId":"{U}","roleDefinitionId":"{owner}","scope":"/nowhere","scope":"{sub}"}}}}"#
    );
    for a in [&plain, &escaped, &duplicate_last_wins] {
        assert_eq!(soc006_with(a), Status::Pass, "{a}");
    }
    // Unreadable fields: no principal, a principal that is not a string, properties not an
    // object, the whole assignment not an object. None of these may grant anything.
    for a in [
        format!(r#"{{"properties":{{"roleDefinitionId":"{owner}","scope":"{sub}"}}}}"#),
        format!(
            r#"{{"properties":{{"principalId":7,"roleDefinitionId":"{owner}","scope":"{sub}"}}}}"#
        ),
        r#"{"properties":"owner"}"#.to_string(),
        format!(r#"["{U}","{owner}","{sub}"]"#),
    ] {
        assert_ne!(soc006_with(&a), Status::Pass, "{a}");
    }
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
    let (code, _, err) = socready(&[
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
    let (code, out, err) = socready(&["access", "--snapshot", &file, "--format", "json"]);
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
