//! Round trip: every scenario snapshot, served by the fake tenant, collected again.
//!
//! The collected snapshot must hold the same data as the scenario (what the collector is meant to
//! read), and `socready scan` must give the same findings, verdicts and exit code for both files.

#[path = "support/fake_tenant.rs"]
mod fake_tenant;
#[path = "support/snapshot_routes.rs"]
mod snapshot_routes;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{Map, Value, json};
use snapshot_routes::norm;
use socready::collect::{AuthMethod, CollectOptions, StaticTokens, collect};

const DEFENDER_APPS: [&str; 2] = [
    "8ee8fdad-f234-4243-8f3b-15c294843740",
    "fc780465-2017-40d4-a0c5-307022471b92",
];

fn scenarios() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("scenarios")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && !p.to_string_lossy().ends_with(".expected.json")
        })
        .collect();
    files.sort();
    files
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json")
}

/// Values following `flag` in the scenario's scan arguments.
fn flag_values(args: &[String], flag: &str) -> Vec<String> {
    args.windows(2)
        .filter(|w| w[0] == flag)
        .map(|w| w[1].clone())
        .collect()
}

/// Principals the collector gives a membership entry (holders of a collected Azure or Entra
/// role assignment or eligibility, and the operators), and the principals whose groups matter
/// (those, plus the principals deny assignments name).
fn principals(snapshot: &Value, operators: &[String]) -> (Vec<String>, Vec<String>) {
    let ids = |list: Option<&Value>, pointer: &str| -> Vec<String> {
        let items = list.and_then(Value::as_array).into_iter().flatten();
        items
            .filter_map(|a| a.pointer(pointer).and_then(Value::as_str))
            .map(str::to_ascii_lowercase)
            .collect()
    };
    let mut holders: Vec<String> = operators.iter().map(|o| o.to_ascii_lowercase()).collect();
    for key in ["directoryRoleAssignments", "directoryRoleEligibilities"] {
        holders.extend(ids(
            snapshot.pointer(&format!("/graph/{key}")),
            "/principalId",
        ));
    }
    let mut denied = Vec::new();
    for sub in snapshot
        .pointer("/azure/subscriptions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for key in ["roleAssignments", "roleEligibilities"] {
            holders.extend(ids(sub.get(key), "/properties/principalId"));
        }
        for deny in sub
            .get("denyAssignments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for list in ["principals", "excludePrincipals"] {
                denied.extend(ids(deny.pointer(&format!("/properties/{list}")), "/id"));
            }
        }
    }
    let relevant = holders.iter().cloned().chain(denied).collect();
    (holders, relevant)
}

/// The data a collection is expected to reproduce, in a comparable order. Memberships are
/// restricted to the groups that matter (a hand-made scenario may list more).
fn comparable(
    snapshot: &Value,
    named: &[String],
    holders: &[String],
    relevant: &[String],
) -> Value {
    let mut workspaces: Vec<Value> = snapshot
        .pointer("/azure/workspaces")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for ws in &mut workspaces {
        let id = norm(ws["workspace"]["id"].as_str().unwrap_or_default());
        let name = ws["workspace"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let sentinel = ws
            .get("onboardingStates")
            .and_then(Value::as_array)
            .is_none_or(|s| !s.is_empty());
        let is_named = named
            .iter()
            .any(|n| norm(n) == id || n.to_ascii_lowercase() == name);
        if !sentinel && !is_named {
            // Not read for a workspace without Sentinel (and not a scope of any check).
            if let Value::Object(map) = ws {
                map.retain(|k, _| k == "workspace" || k == "onboardingStates");
            }
        }
    }
    workspaces.sort_by_key(|w| norm(w["workspace"]["id"].as_str().unwrap_or_default()));
    let mut graph = snapshot["graph"].clone();
    if let Some(Value::Array(sps)) = graph.get_mut("servicePrincipals") {
        sps.retain(|sp| DEFENDER_APPS.contains(&sp["appId"].as_str().unwrap_or_default()));
    }
    if let Some(Value::Object(memberships)) = graph.get_mut("memberships") {
        for groups in memberships.values_mut() {
            if let Value::Array(list) = groups {
                list.retain(|g| {
                    g.as_str()
                        .is_some_and(|g| relevant.contains(&g.to_ascii_lowercase()))
                });
                list.sort_by_key(|g| g.as_str().unwrap_or_default().to_ascii_lowercase());
            }
        }
        // Entries: holders and operators, and every member of a group that matters.
        memberships.retain(|principal, groups| {
            holders.contains(&principal.to_ascii_lowercase())
                || groups.as_array().is_some_and(|g| !g.is_empty())
        });
    }
    let mut azure = Map::new();
    if let Some(subs) = snapshot.pointer("/azure/subscriptions") {
        azure.insert("subscriptions".into(), subs.clone());
    }
    if snapshot.pointer("/azure/workspaces").is_some() {
        azure.insert("workspaces".into(), Value::Array(workspaces));
    }
    json!({ "tenant": snapshot["tenant"], "graph": graph, "azure": azure })
}

/// JSON Pointer of the first difference, for readable failures.
fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                let here = format!("{path}/{key}");
                match (x.get(key), y.get(key)) {
                    (Some(p), Some(q)) => {
                        if let Some(d) = first_difference(p, q, &here) {
                            return Some(d);
                        }
                    }
                    (p, q) => return Some(format!("{here}: {p:?} vs {q:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, &format!("{path}/{i}"))),
        _ => (a != b).then(|| format!("{path}: {a} vs {b}")),
    }
}

/// `socready scan --snapshot <file> --format json -o -` with the scenario's arguments.
fn scan(snapshot: &Path, args: &[String]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_socready"))
        .args(["scan", "--snapshot"])
        .arg(snapshot)
        .args(["--format", "json", "-o", "-"])
        .args(args)
        .env_remove("SOCREADY_LOG")
        .output()
        .expect("run socready");
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "scan of {} printed no JSON ({e}): {}",
            snapshot.display(),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn findings(report: &Value, with_messages: bool) -> Vec<Value> {
    let mut list: Vec<Value> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            let mut key = json!({ "rule": f["rule"], "scope": f["scope"], "status": f["status"] });
            if with_messages {
                key["message"] = f["message"].clone();
            }
            key
        })
        .collect();
    list.sort_by_key(|v| v.to_string());
    list
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_scenario_survives_a_round_trip_through_the_fake_tenant() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut checked = 0;
    for path in scenarios() {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let original = read(&path);
        let expected = read(&path.with_file_name(format!("{name}.expected.json")));
        let args: Vec<String> = expected["args"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a.as_str().map(str::to_owned))
            .collect();
        let named = flag_values(&args, "--workspace");

        let (arm, graph) = snapshot_routes::builders(&original);
        let (arm, graph) = (arm.start().await, graph.start().await);
        let opts = CollectOptions {
            tenant: original["tenant"]["id"].as_str().map(str::to_owned),
            workspaces: named.clone(),
            operators: flag_values(&args, "--operator"),
            auth: AuthMethod::EnvToken,
            static_tokens: Some(StaticTokens {
                arm: "arm".into(),
                graph: "graph".into(),
            }),
            arm_endpoint: arm.base().into(),
            graph_endpoint: graph.base().into(),
            concurrency: 16,
            max_attempts: 2,
            backoff_base: Duration::from_millis(5),
            ..CollectOptions::default()
        };
        let collected = tokio::time::timeout(Duration::from_secs(60), collect(&opts))
            .await
            .unwrap_or_else(|_| panic!("{name}: collection finished in time"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));

        let (holders, relevant) = principals(&original, &opts.operators);
        let want = comparable(&original, &named, &holders, &relevant);
        let got = comparable(&collected, &named, &holders, &relevant);
        if let Some(diff) = first_difference(&want, &got, "") {
            panic!("{name}: collected data differs at {diff}");
        }
        assert!(
            arm.requests()
                .iter()
                .chain(graph.requests().iter())
                .all(|r| r.method == "GET")
        );

        let collected_path = tmp.path().join(format!("{name}.collected.json"));
        std::fs::write(
            &collected_path,
            serde_json::to_vec_pretty(&collected).expect("serialize"),
        )
        .expect("write");
        let (before, after) = (scan(&path, &args), scan(&collected_path, &args));
        let complete = original["errors"].as_array().is_none_or(Vec::is_empty);
        let (want, got) = (findings(&before, complete), findings(&after, complete));
        let missing: Vec<_> = want.iter().filter(|f| !got.contains(f)).collect();
        let extra: Vec<_> = got.iter().filter(|f| !want.contains(f)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{name}: findings differ\nonly in the scenario: {missing:#?}\nonly after collection: {extra:#?}"
        );
        assert_eq!(
            before["verdicts"], after["verdicts"],
            "{name}: verdicts differ"
        );
        assert_eq!(
            before["exitCode"], after["exitCode"],
            "{name}: exit code differs"
        );
        checked += 1;
    }
    assert!(checked > 10, "scenarios found: {checked}");
}
