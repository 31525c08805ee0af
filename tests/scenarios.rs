//! Acceptance tests over realistic tenants: every `fixtures/scenarios/X.json` that has an
//! `X.expected.json` is scanned by the built binary (`socready scan --snapshot X.json --format json
//! -o FILE <args>`) and the JSON report (DESIGN.md §3 "JSON report — contract") is compared with
//! the expectation: exit code (§4), verdicts, `notConsidered` and the exact set of
//! (rule, scope, status) findings. All differences of all scenarios are reported together.
//!
//! The expectations were written from the contract alone (see `fixtures/README.md`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

#[path = "support/scan_json.rs"]
mod scan_json;

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join("scenarios")
}

/// Scenario snapshots (`X.json`, not `X.expected.json`), sorted by name.
fn scenario_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(scenarios_dir())
        .expect("fixtures/scenarios exists")
        .map(|e| e.expect("readable dir entry").path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            name.ends_with(".json") && !name.ends_with(".expected.json")
        })
        .collect();
    files.sort();
    files
}

fn expected_path(snapshot: &Path) -> PathBuf {
    let stem = snapshot
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("utf-8 file name");
    snapshot.with_file_name(format!("{stem}.expected.json"))
}

fn read_json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

struct Run {
    exit: Option<i32>,
    report: Result<Value, String>,
    stderr: String,
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn str_map(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("<not a string>").to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

type Key = (String, String); // (rule, scope)

/// (rule, scope) -> status; repeated (rule, scope) pairs are returned separately.
fn findings(v: &Value) -> (BTreeMap<Key, String>, Vec<Key>) {
    let mut map = BTreeMap::new();
    let mut dupes = Vec::new();
    for f in v.as_array().into_iter().flatten() {
        let field = |k: &str| {
            f.get(k)
                .and_then(Value::as_str)
                .unwrap_or("<missing>")
                .to_owned()
        };
        let key = (field("rule"), field("scope"));
        if map.insert(key.clone(), field("status")).is_some() {
            dupes.push(key);
        }
    }
    (map, dupes)
}

/// Compares one report with its expectation; returns one line per difference.
fn differences(expected: &Value, run: &Run) -> Vec<String> {
    let mut diffs = Vec::new();
    let want_exit = expected["exitCode"].as_i64();
    if run.exit.map(i64::from) != want_exit {
        diffs.push(format!(
            "exit code: expected {}, got {}",
            want_exit.map_or("none".to_owned(), |c| c.to_string()),
            run.exit
                .map_or("none (killed by a signal)".to_owned(), |c| c.to_string())
        ));
    }
    let report = match &run.report {
        Ok(r) => r,
        Err(e) => {
            diffs.push(e.clone());
            return diffs;
        }
    };
    if let (Some(code), Some(exit)) = (report["exitCode"].as_i64(), run.exit) {
        if code != i64::from(exit) {
            diffs.push(format!(
                "report says exitCode {code} but the process exited {exit}"
            ));
        }
    }

    let (want_v, got_v) = (str_map(&expected["verdicts"]), str_map(&report["verdicts"]));
    for scope in want_v.keys().chain(got_v.keys()).collect::<BTreeSet<_>>() {
        match (want_v.get(scope), got_v.get(scope)) {
            (Some(w), Some(g)) if w == g => {}
            (w, g) => diffs.push(format!(
                "verdict {scope}: expected {}, got {}",
                w.map_or("none", String::as_str),
                g.map_or("none", String::as_str)
            )),
        }
    }

    let want_nc: BTreeSet<String> = strings(&expected["notConsidered"]).into_iter().collect();
    let got_nc: BTreeSet<String> = strings(&report["notConsidered"]).into_iter().collect();
    for s in want_nc.difference(&got_nc) {
        diffs.push(format!("notConsidered is missing {s}"));
    }
    for s in got_nc.difference(&want_nc) {
        diffs.push(format!("notConsidered has unexpected {s}"));
    }

    let (want_f, _) = findings(&expected["findings"]);
    let (got_f, dupes) = findings(&report["findings"]);
    for (rule, scope) in dupes {
        diffs.push(format!("finding {rule} @ {scope} reported more than once"));
    }
    for key in want_f.keys().chain(got_f.keys()).collect::<BTreeSet<_>>() {
        let (rule, scope) = key;
        match (want_f.get(key), got_f.get(key)) {
            (Some(w), Some(g)) if w == g => {}
            (Some(w), Some(g)) => diffs.push(format!("{rule} @ {scope}: expected {w}, got {g}")),
            (Some(w), None) => diffs.push(format!("{rule} @ {scope}: expected {w}, not reported")),
            (None, Some(g)) => diffs.push(format!("{rule} @ {scope}: unexpected finding ({g})")),
            (None, None) => {}
        }
    }
    diffs
}

#[test]
fn every_scenario_has_an_expectation() {
    let files = scenario_files();
    assert!(
        files.len() >= 10,
        "expected at least 10 scenarios, found {}",
        files.len()
    );
    let missing: Vec<String> = files
        .iter()
        .filter(|p| !expected_path(p).exists())
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "scenarios without .expected.json: {missing:?}"
    );
}

#[test]
fn scenarios_match_expectations() {
    let mut message = String::new();
    let mut failed = 0;
    let files = scenario_files();
    for snapshot in &files {
        let expected_file = expected_path(snapshot);
        if !expected_file.exists() {
            continue;
        }
        let expected = read_json(&expected_file);
        let args = strings(&expected["args"]);
        let (exit, report, stderr) = scan_json::scan(snapshot, &args);
        let run = Run {
            exit,
            report,
            stderr,
        };
        let diffs = differences(&expected, &run);
        if diffs.is_empty() {
            continue;
        }
        failed += 1;
        let name = snapshot.file_stem().and_then(|s| s.to_str()).unwrap_or("?");
        let _ = writeln!(message, "\n== {name} (args: {})", args.join(" "));
        for d in &diffs {
            let _ = writeln!(message, "   - {d}");
        }
        let stderr = run.stderr.trim();
        if !stderr.is_empty() {
            let tail: String = stderr.lines().take(8).collect::<Vec<_>>().join("\n     ");
            let _ = writeln!(message, "   stderr: {tail}");
        }
    }
    assert!(
        failed == 0,
        "{failed} of {} scenarios differ from their expectation:{message}",
        files.len()
    );
}
