//! What keeps a large tenant fast and small, tested for behaviour: role assignments are read
//! without being parsed into `Value` trees, and their odd shapes read the same either way.
//! (Thousands of holders counted in full but listed capped: tests/access.rs.)

#[path = "support/rbac_fixture.rs"]
mod rbac_fixture;

use std::path::Path;

use rbac_fixture::*;
use serde_json::json;
use socready::engine::options::EvalOptions;
use socready::engine::{rules, scan};
use socready::finding::Status;
use socready::report::SnapshotInfo;

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
