//! Bad input gives exit 2, one clear message naming the place, and no output files.

use std::path::Path;
use std::process::Command;

fn socready() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_socready"));
    c.env_remove("NO_COLOR").env("SOCREADY_LOG", "off");
    c
}

fn fixture(p: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(p)
        .display()
        .to_string()
}

fn ready() -> String {
    fixture("fixtures/scenarios/ready-single-workspace.json")
}

#[test]
fn truncated_snapshot_is_exit_2_with_line_and_column_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(ready()).unwrap();
    let cut = dir.path().join("cut.json");
    std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
    let out_dir = dir.path().join("out");
    let o = socready()
        .args(["scan", "--snapshot"])
        .arg(&cut)
        .arg("--out-dir")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cut.json:") && err.contains("invalid JSON"),
        "{err}"
    );
    assert!(!out_dir.exists(), "no report may be written for bad input");
}

#[test]
fn wrong_schema_version_is_exit_2_listing_supported_versions() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(ready())
        .unwrap()
        .replace("socready.snapshot/v1", "socready.snapshot/v7");
    let f = dir.path().join("v7.json");
    std::fs::write(&f, text).unwrap();
    let o = socready()
        .args(["scan", "--snapshot"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("socready.snapshot/v7") && err.contains("supported: socready.snapshot/v1"),
        "{err}"
    );
}

#[test]
fn wrong_type_names_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ready()).unwrap()).unwrap();
    v["graph"]["subscribedSkus"] = serde_json::json!({"oops": true});
    let f = dir.path().join("wrong.json");
    std::fs::write(&f, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let o = socready()
        .args(["snapshot", "validate"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("graph.subscribedSkus"), "{err}");
}

fn rules_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(fixture("rules")).unwrap().flatten() {
        if e.path().extension().is_some_and(|x| x == "toml") {
            std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
        }
    }
    dir
}

fn edit(dir: &Path, file_prefix: &str, from: &str, to: &str) {
    let f = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with(file_prefix))
        .unwrap()
        .path();
    let text = std::fs::read_to_string(&f).unwrap();
    assert!(text.contains(from));
    std::fs::write(&f, text.replacen(from, to, 1)).unwrap();
}

fn scan_with_rules(dir: &Path) -> (Option<i32>, String) {
    let o = socready()
        .args(["scan", "--snapshot", &ready(), "--rules"])
        .arg(dir)
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn typo_in_rule_file_is_exit_2_with_location_and_expected_keys() {
    let dir = rules_copy();
    edit(dir.path(), "SOC004", "\nseverity = ", "\nseverty = ");
    let (code, err) = scan_with_rules(dir.path());
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("SOC004-xdr-connector.toml:5:1"), "{err}");
    assert!(err.contains("severty") && err.contains("severity"), "{err}");
}

#[test]
fn unknown_check_kind_and_wrong_param_type_and_duplicate_id_are_exit_2() {
    let dir = rules_copy();
    edit(
        dir.path(),
        "SOC002",
        "check = \"single_tenant\"",
        "check = \"single_tennant\"",
    );
    let (code, err) = scan_with_rules(dir.path());
    assert_eq!(code, Some(2));
    assert!(
        err.contains("unknown check kind \"single_tennant\"") && err.contains("single_tenant"),
        "{err}"
    );

    let dir = rules_copy();
    edit(
        dir.path(),
        "SOC004",
        "required_data_types = [\"incidents\", \"alerts\"]",
        "required_data_types = \"incidents\"",
    );
    let (code, err) = scan_with_rules(dir.path());
    assert_eq!(code, Some(2));
    assert!(
        err.contains("SOC004-xdr-connector.toml:") && err.contains("invalid [params]"),
        "{err}"
    );

    let dir = rules_copy();
    edit(dir.path(), "SOC008", "id = \"SOC008\"", "id = \"SOC007\"");
    let (code, err) = scan_with_rules(dir.path());
    assert_eq!(code, Some(2));
    assert!(err.contains("duplicate rule id \"SOC007\""), "{err}");
}

#[test]
fn unknown_workspace_is_a_usage_error() {
    let o = socready()
        .args(["scan", "--snapshot", &ready(), "--workspace", "no-such-ws"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no-such-ws"));
}

#[test]
fn missing_file_is_exit_2() {
    let o = socready()
        .args(["scan", "--snapshot", "/nonexistent/snap.json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/snap.json"));
}
