//! Property: removing any collection from a snapshot never turns a `fail` or `unknown` into a
//! `pass` (absent ≠ empty; missing input must never read as "nothing wrong").

use std::collections::BTreeMap;
use std::path::Path;

use proptest::prelude::*;
use serde_json::Value;
use socready::engine::options::{EvalOptions, FailOn, Target, WorkspaceMode};
use socready::engine::{rules, scan};
use socready::report::SnapshotInfo;

/// Scenario snapshots with the CLI arguments their expectations use.
fn scenarios() -> Vec<(String, Value, EvalOptions)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios");
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/scenarios")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        if !name.ends_with(".json") || name.ends_with(".expected.json") || name.starts_with("large")
        {
            continue;
        }
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        let exp = p.with_file_name(name.replace(".json", ".expected.json"));
        let args: Vec<String> = std::fs::read_to_string(&exp)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .and_then(|e| e.get("args").cloned())
            .and_then(|a| serde_json::from_value(a).ok())
            .unwrap_or_default();
        out.push((name, v, options(&args)));
    }
    out
}

fn options(args: &[String]) -> EvalOptions {
    let mut o = EvalOptions::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = || it.next().cloned().unwrap_or_default();
        match a.as_str() {
            "--workspace-mode" => {
                o.workspace_mode = if val() == "multi" {
                    WorkspaceMode::Multi
                } else {
                    WorkspaceMode::Single
                }
            }
            "--primary" => o.primary = Some(val()),
            "--workspace" => o.workspaces.push(val()),
            "--operator" => o.operator = Some(val()),
            "--target" => {
                o.target = if val() == "sentinel" {
                    Target::Sentinel
                } else {
                    Target::Unified
                }
            }
            "--fail-on" => {
                let _ = val();
                o.fail_on = FailOn::Blocking;
            }
            other => panic!("test does not know argument {other}"),
        }
    }
    o
}

/// Every removable collection in a snapshot, as a JSON Pointer to the key.
fn collection_pointers(v: &Value) -> Vec<String> {
    let mut p = vec![
        "/graph".to_string(),
        "/azure/subscriptions".into(),
        "/azure/workspaces".into(),
        "/tenant/organization".into(),
    ];
    if let Some(g) = v.get("graph").and_then(Value::as_object) {
        p.extend(g.keys().map(|k| format!("/graph/{k}")));
    }
    for (list, inner) in [
        ("subscriptions", "subscription"),
        ("workspaces", "workspace"),
    ] {
        for (i, item) in v
            .pointer(&format!("/azure/{list}"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if let Some(o) = item.as_object() {
                p.extend(
                    o.keys()
                        .filter(|k| *k != inner)
                        .map(|k| format!("/azure/{list}/{i}/{k}")),
                );
            }
        }
    }
    p
}

fn remove(v: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    if let Some(Value::Object(o)) = v.pointer_mut(if parent.is_empty() { "" } else { parent }) {
        o.remove(key);
    }
}

/// Statuses by (rule, scope). A `--workspace` that no longer resolves (its workspace list was
/// removed) is a usage error, not an evaluation: then there is nothing to compare.
fn statuses(v: &Value, opts: &EvalOptions) -> BTreeMap<(String, String), String> {
    let snap =
        socready::snapshot::load_str("prop.json", &v.to_string()).expect("still a valid snapshot");
    let info = SnapshotInfo {
        tenant_id: snap.tenant.id.clone(),
        ..Default::default()
    };
    let Ok(report) = scan(&snap, info, rules::load_embedded().unwrap(), opts) else {
        return BTreeMap::new();
    };
    report
        .findings
        .iter()
        .map(|f| {
            (
                (f.rule.clone(), f.scope.key().to_string()),
                f.status.as_str().to_string(),
            )
        })
        .collect()
}

fn assert_no_new_pass(
    name: &str,
    removed: &[String],
    before: &BTreeMap<(String, String), String>,
    after: &BTreeMap<(String, String), String>,
) {
    for (k, was) in before {
        if (was == "fail" || was == "unknown")
            && let Some(now) = after.get(k)
        {
            assert_ne!(
                now, "pass",
                "{name}: removing {removed:?} turned {k:?} from {was} into pass"
            );
        }
    }
}

#[test]
fn removing_any_single_collection_never_creates_a_pass() {
    let all = scenarios();
    assert!(all.len() >= 8, "expected the scenario fixtures");
    for (name, v, opts) in &all {
        let before = statuses(v, opts);
        for p in collection_pointers(v) {
            let mut cut = v.clone();
            remove(&mut cut, &p);
            let after = statuses(&cut, opts);
            assert_no_new_pass(name, std::slice::from_ref(&p), &before, &after);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Several collections removed at once, chosen at random.
    #[test]
    fn removing_random_sets_of_collections_never_creates_a_pass(pick in 0usize..1000, mask in proptest::collection::vec(any::<bool>(), 64)) {
        let all = scenarios();
        let (name, v, opts) = &all[pick % all.len()];
        let pointers = collection_pointers(v);
        let chosen: Vec<String> = pointers.iter().zip(mask.iter().cycle()).filter(|(_, m)| **m).map(|(p, _)| p.clone()).collect();
        let before = statuses(v, opts);
        let mut cut = v.clone();
        // Remove deepest first so array indexes stay valid.
        let mut sorted = chosen.clone();
        sorted.sort_by_key(|p| std::cmp::Reverse(p.matches('/').count()));
        for p in &sorted {
            remove(&mut cut, p);
        }
        let after = statuses(&cut, opts);
        assert_no_new_pass(name, &chosen, &before, &after);
    }
}
