//! The rule set is well-formed: unique ids and names, every check resolves, text and references
//! present, and `rules explain` prints every section in order.

use std::process::Command;

#[test]
fn embedded_rules_are_unique_and_complete() {
    let rules = socready::engine::rules::load_embedded().expect("embedded rules load");
    assert!(rules.len() >= 8);
    let mut ids: Vec<_> = rules.iter().map(|r| r.id.clone()).collect();
    let mut names: Vec<_> = rules.iter().map(|r| r.name.clone()).collect();
    ids.dedup();
    names.sort();
    names.dedup();
    assert_eq!(ids.len(), rules.len());
    assert_eq!(names.len(), rules.len());
    for r in &rules {
        assert!(
            !r.summary.trim().is_empty() && !r.rationale.trim().is_empty(),
            "{}",
            r.id
        );
        assert!(
            !r.remediation.steps.is_empty() && !r.remediation.who.is_empty(),
            "{}",
            r.id
        );
        assert!(
            r.references
                .iter()
                .all(|x| x.url.starts_with("https://learn.microsoft.com/")),
            "{}",
            r.id
        );
    }
}

#[test]
fn embedded_list_matches_the_rules_directory() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".toml"))
        .map(|n| format!("rules/{n}"))
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = socready::engine::rules::EMBEDDED
        .iter()
        .map(|(p, _)| p.to_string())
        .collect();
    embedded.sort();
    assert_eq!(
        on_disk, embedded,
        "add new rule files to EMBEDDED in src/engine/rules.rs"
    );
}

#[test]
fn seed_rules_keep_their_contract_ids_severities_and_labels() {
    let rules = socready::engine::rules::load_embedded().unwrap();
    let want = [
        ("SOC001", "xdr-license", "critical", "blocking", "tenant"),
        (
            "SOC002",
            "single-tenant",
            "critical",
            "blocking",
            "workspace",
        ),
        (
            "SOC003",
            "connected-workspace",
            "critical",
            "blocking",
            "workspace",
        ),
        ("SOC004", "xdr-connector", "high", "blocking", "workspace"),
        ("SOC005", "onboard-permission", "high", "blocking", "tenant"),
        (
            "SOC006",
            "connect-permission",
            "high",
            "blocking",
            "workspace",
        ),
        ("SOC007", "soc-access", "medium", "recommended", "workspace"),
        (
            "SOC008",
            "duplicate-incident-rules",
            "medium",
            "impact",
            "workspace",
        ),
    ];
    for (id, name, sev, label, scope) in want {
        let r = rules.iter().find(|r| r.id == id).unwrap();
        assert_eq!(
            (
                r.name.as_str(),
                r.severity.as_str(),
                r.label.as_str(),
                r.scope.as_str()
            ),
            (name, sev, label, scope)
        );
    }
}

#[test]
fn explain_prints_sections_in_order() {
    let o = Command::new(env!("CARGO_BIN_EXE_socready"))
        .args(["rules", "explain", "SOC006"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    let pos = |s: &str| {
        text.find(s)
            .unwrap_or_else(|| panic!("missing {s:?} in\n{text}"))
    };
    assert!(pos("SOC006 connect-permission") < pos("Why it matters"));
    assert!(pos("Why it matters") < pos("How to fix it"));
    assert!(pos("How to fix it") < pos("Parameters"));
    assert!(pos("Parameters") < pos("References"));
    assert!(pos("References") < pos("Rule file: rules/SOC006-connect-permission.toml"));
    let by_name = Command::new(env!("CARGO_BIN_EXE_socready"))
        .args(["rules", "explain", "connect-permission", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&by_name.stdout).unwrap();
    assert_eq!(v["id"], "SOC006");
    let unknown = Command::new(env!("CARGO_BIN_EXE_socready"))
        .args(["rules", "explain", "SOC999"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
}

fn rules_docs(args: &[&str]) -> (Option<i32>, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_socready"))
        .arg("rules")
        .arg("docs")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn rule_pages_in_docs_are_current() {
    let (code, err) = rules_docs(&["docs/rules", "--check"]);
    assert_eq!(
        code,
        Some(0),
        "{err}\n(run `cargo run -- rules docs docs/rules` and commit the pages)"
    );
    let page = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules/SOC006.md"),
    )
    .unwrap();
    let at = |s: &str| page.find(s).unwrap_or_else(|| panic!("{s} missing"));
    assert!(
        at("# SOC006 `connect-permission`") < at("## Why it matters")
            && at("## Why it matters") < at("## How to fix it")
            && at("## How to fix it") < at("## Parameters")
            && at("## Parameters") < at("## References")
            && at("## References") < at("](https://learn.microsoft.com/")
    );
}

#[test]
fn rule_docs_check_names_stale_pages_and_writing_replaces_only_generated_ones() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let (code, err) = rules_docs(&[&d, "--check"]);
    assert_eq!(code, Some(1), "an empty directory is out of date");
    assert!(
        err.contains("SOC001.md") && err.contains("README.md"),
        "{err}"
    );
    assert_eq!(rules_docs(&[&d]).0, Some(0));
    assert_eq!(rules_docs(&[&d, "--check"]).0, Some(0));

    // A hand edit, a page left from a rule that no longer exists, and a file of the user's.
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("SOC004.md"), "edited\n").unwrap();
    let generated = std::fs::read_to_string(p("SOC001.md")).unwrap();
    std::fs::write(p("SOC099.md"), &generated).unwrap();
    std::fs::write(p("notes.md"), "mine\n").unwrap();
    let (code, err) = rules_docs(&[&d, "--check"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("SOC004.md") && err.contains("SOC099.md") && !err.contains("notes.md"),
        "{err}"
    );
    assert_eq!(rules_docs(&[&d]).0, Some(0));
    assert_eq!(rules_docs(&[&d, "--check"]).0, Some(0));
    assert!(!p("SOC099.md").exists() && p("notes.md").exists());
    assert_ne!(std::fs::read_to_string(p("SOC004.md")).unwrap(), "edited\n");
}
