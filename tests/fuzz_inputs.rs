//! Fuzzing the three input files: the snapshot, rule files and `socready.toml`.
//!
//! Properties (proptest, bounded sizes): byte mutations, truncations and random JSON/TOML values
//! spliced into a valid file never panic or hang; every invalid input is an `Err` whose message
//! names the file; a snapshot that still loads scans and renders without a check panic. Then
//! pathological inputs, one named test each, and a handful of CLI runs (exit 2, one message
//! naming the file). Each library call runs under a watchdog, so a hang fails instead of
//! stalling the suite.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value, json};

#[path = "support/mutate.rs"]
mod mutate;
use mutate::{arb_json, arb_toml, byte_edits, json_pointers, mutate, toml_paths, toml_set};
use socready::engine::options::EvalOptions;
use socready::engine::rules::{self, Rule};
use socready::engine::scan;
use socready::finding::Status;
use socready::report::{Format, SnapshotInfo};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A small snapshot with every collection present (the SOC004 pass fixture).
fn base_snapshot() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        std::fs::read_to_string(root().join("fixtures/rules/SOC004/pass.json")).unwrap()
    })
}

fn embedded_rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| rules::load_embedded().expect("embedded rules"))
}

fn config_text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| std::fs::read_to_string(root().join("examples/socready.toml")).unwrap())
}

/// Runs `f` on another thread and fails if it takes longer than `secs` (a hang).
fn within<T: Send + 'static>(what: &str, secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || tx.send(f()));
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(v) => v,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("{what}: no answer in {secs} s"),
        Err(_) => std::panic::resume_unwind(worker.join().unwrap_err()),
    }
}

/// Loads snapshot bytes from a file named `fuzz.json`; on success scans with the embedded rules
/// and renders every format. Returns the load error, if any. Panics on a check panic.
fn load_and_scan(bytes: Vec<u8>) -> Result<Vec<(String, Status)>, String> {
    within("snapshot", 30, move || {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fuzz.json");
        std::fs::write(&path, &bytes).unwrap();
        let snap = socready::snapshot::load_file(&path)
            .map_err(|e| e.to_string())?
            .snapshot;
        let info = SnapshotInfo {
            tenant_id: snap.tenant.id.clone(),
            ..Default::default()
        };
        let Ok(report) = scan(
            &snap,
            info,
            embedded_rules().to_vec(),
            &EvalOptions::default(),
        ) else {
            return Ok(Vec::new());
        };
        assert_no_check_panic(&report);
        for format in FORMATS {
            format.render(&report, &mut std::io::sink()).unwrap();
        }
        Ok(report
            .findings
            .iter()
            .map(|f| (f.rule.clone(), f.status))
            .collect())
    })
}

const FORMATS: [Format; 6] = [
    Format::Table,
    Format::Json,
    Format::Sarif,
    Format::Html,
    Format::Junit,
    Format::Markdown,
];

/// A check that panics is reported as `unknown` with "internal error" (engine/eval.rs).
fn assert_no_check_panic(report: &socready::report::Report) {
    let panics: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.message.contains("internal error"))
        .map(|f| format!("{}: {}", f.rule, f.message))
        .collect();
    assert!(panics.is_empty(), "{panics:#?}");
}

fn assert_names_file(err: &str, file: &str) {
    assert!(err.contains(file), "error does not name {file}: {err}");
    assert!(
        err.len() < 2000,
        "error is {} bytes: {}…",
        err.len(),
        &err[..200]
    );
}

/// Parses one rule file; if it still parses, scans the SOC004 fixture with it in place of the
/// shipped rule. The error, returned, must name the file.
fn check_rule(index: usize, text: String) -> Option<String> {
    let (path, _) = rules::EMBEDDED[index];
    let outcome = within("rule file", 30, move || {
        let rule = match rules::parse_rule(path, &text) {
            Ok(r) => r,
            Err(e) => return Err(e.to_string()),
        };
        let mut set: Vec<Rule> = embedded_rules()
            .iter()
            .filter(|r| r.id != rule.id)
            .cloned()
            .collect();
        set.push(rule);
        set.sort_by(|a, b| a.id.cmp(&b.id));
        let snap = socready::snapshot::load_str("s.json", base_snapshot()).unwrap();
        let info = SnapshotInfo {
            tenant_id: snap.tenant.id.clone(),
            ..Default::default()
        };
        if let Ok(report) = scan(&snap, info, set, &EvalOptions::default()) {
            assert_no_check_panic(&report);
        }
        Ok(())
    });
    let e = outcome.err()?;
    assert_names_file(&e, path);
    Some(e)
}

/// Parses a config against the embedded rules; the error, returned, must name the file.
fn check_config(text: String) -> Option<String> {
    let outcome = within("config", 30, move || {
        socready::config::parse("fuzz.toml", &text, embedded_rules())
            .map(|c| drop(c.apply_to_rules(embedded_rules().to_vec())))
            .map_err(|e| e.to_string())
    });
    let e = outcome.err()?;
    assert_names_file(&e, "fuzz.toml");
    Some(e)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn snapshot_byte_mutations(edits in byte_edits()) {
        let bytes = mutate(base_snapshot().as_bytes().to_vec(), &edits);
        if let Err(e) = load_and_scan(bytes) {
            assert_names_file(&e, "fuzz.json");
        }
    }

    #[test]
    fn snapshot_random_values(at in any::<Index>(), value in arb_json()) {
        let mut v: Value = serde_json::from_str(base_snapshot()).unwrap();
        let mut pointers = Vec::new();
        json_pointers(&v, String::new(), &mut pointers);
        let p = at.get(&pointers);
        *v.pointer_mut(p).unwrap() = value;
        if let Err(e) = load_and_scan(v.to_string().into_bytes()) {
            assert_names_file(&e, "fuzz.json");
        }
    }

    #[test]
    fn rule_file_byte_mutations(rule in 0..rules::EMBEDDED.len(), edits in byte_edits()) {
        let bytes = mutate(rules::EMBEDDED[rule].1.as_bytes().to_vec(), &edits);
        check_rule(rule, String::from_utf8_lossy(&bytes).into_owned());
    }

    #[test]
    fn rule_file_random_values(rule in 0..rules::EMBEDDED.len(), at in any::<Index>(), value in proptest::option::of(arb_toml())) {
        let mut t: toml::Table = toml::from_str(rules::EMBEDDED[rule].1).unwrap();
        let mut paths = Vec::new();
        toml_paths(&t, &[], &mut paths);
        let path = at.get(&paths).clone();
        toml_set(&mut t, &path, value);
        check_rule(rule, toml::to_string(&t).unwrap_or_default());
    }

    #[test]
    fn config_byte_mutations(edits in byte_edits()) {
        let bytes = mutate(config_text().as_bytes().to_vec(), &edits);
        check_config(String::from_utf8_lossy(&bytes).into_owned());
    }

    #[test]
    fn config_random_values(at in any::<Index>(), value in proptest::option::of(arb_toml())) {
        let mut t: toml::Table = toml::from_str(config_text()).unwrap();
        let mut paths = Vec::new();
        toml_paths(&t, &[], &mut paths);
        let path = at.get(&paths).clone();
        toml_set(&mut t, &path, value);
        check_config(toml::to_string(&t).unwrap_or_default());
    }
}

// ---- pathological inputs -------------------------------------------------------------------

const HEAD: &str = r#"{"schema":"socready.snapshot/v1","tenant":{"id":"t"}"#;

fn doc(rest: &str) -> Vec<u8> {
    format!("{HEAD}{rest}}}").into_bytes()
}

fn load_err(bytes: Vec<u8>) -> String {
    load_and_scan(bytes).expect_err("must not load")
}

#[test]
fn nesting_10000_deep_is_an_error() {
    let arrays = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let objects = format!("{}1{}", r#"{"a":"#.repeat(10_000), "}".repeat(10_000));
    for value in [&arrays, &objects] {
        let e = load_err(doc(&format!(r#","tenant2":{value}"#)));
        assert!(e.contains("recursion limit"), "{e}");
        let e = load_err(doc(&format!(r#","graph":{{"subscribedSkus":[{value}]}}"#)));
        assert!(e.contains("recursion limit"), "{e}");
        load_err(value.clone().into_bytes());
    }
    let toml_deep = format!("x = {}{}", "[".repeat(10_000), "]".repeat(10_000));
    for e in [check_rule(0, toml_deep.clone()), check_config(toml_deep)] {
        assert!(e.is_some_and(|e| e.contains("recurs")));
    }
}

#[test]
fn string_of_100_mb() {
    let big = "A".repeat(100 << 20);
    // As the organisation name, which reaches every report.
    let org = format!(
        r#"{{"schema":"socready.snapshot/v1","tenant":{{"id":"t","organization":{{"displayName":"{big}"}}}}}}"#
    );
    assert!(load_and_scan(org.into_bytes()).is_ok());
    // Unterminated: the error quotes a bounded excerpt, not the line.
    let e = load_err(format!(r#"{HEAD},"note":"{big}"#).into_bytes());
    assert!(e.contains("EOF"), "{}", &e[..e.len().min(300)]);
    // Rule files and configs are small by nature: 10 MB keeps the debug-build TOML parser quick.
    let big = &big[..10 << 20];
    assert!(check_rule(0, format!("{}\nsummary = \"{big}", rules::EMBEDDED[0].1)).is_some());
    let e = check_config(format!("operator = \"{big}\"\nfail-on = \"{big}"));
    assert!(e.is_some_and(|e| e.contains("fuzz.toml:2:")));
}

/// SOC001's status on the SOC001 pass fixture with `prepaidUnits.enabled` replaced by `raw`.
fn soc001_with_units(raw: &str) -> Result<Status, String> {
    let text = std::fs::read_to_string(root().join("fixtures/rules/SOC001/pass.json")).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["graph"]["subscribedSkus"][0]["prepaidUnits"]["enabled"] = json!("@UNITS@");
    let text = v.to_string().replace("\"@UNITS@\"", raw);
    let findings = load_and_scan(text.into_bytes())?;
    Ok(findings.into_iter().find(|(r, _)| r == "SOC001").unwrap().1)
}

#[test]
fn numbers_out_of_range_or_odd_where_counts_are_expected() {
    for raw in ["1e400", "-1e400"] {
        let e = soc001_with_units(raw).unwrap_err();
        assert!(
            e.contains("fuzz.json") && e.contains("out of range"),
            "{raw}: {e}"
        );
    }
    for raw in [
        "-0",
        "-0.0",
        "0e10",
        "-99999999999999999999999999999",
        "1e-400",
        "NaN",
    ] {
        assert_ne!(soc001_with_units(raw).ok(), Some(Status::Pass), "{raw}");
    }
    for raw in [
        "99999999999999999999999999999",
        "1e308",
        "18446744073709551616",
    ] {
        assert_eq!(soc001_with_units(raw), Ok(Status::Pass), "{raw}");
    }
}

#[test]
fn duplicate_keys() {
    // In the typed envelope: an error naming the key.
    for text in [
        format!(r#"{HEAD},"tenant":{{"id":"u"}}}}"#),
        format!(r#"{HEAD},"graph":{{"subscribedSkus":[],"subscribedSkus":[]}}}}"#),
        r#"{"schema":"socready.snapshot/v1","schema":"socready.snapshot/v1","tenant":{"id":"t"}}"#
            .to_string(),
    ] {
        let e = load_err(text.into_bytes());
        assert!(e.contains("duplicate"), "{e}");
    }
    // Inside a raw resource the last value wins, as in serde_json and jq: no panic, one reading.
    let sku = |first: &str, second: &str| {
        let text = std::fs::read_to_string(root().join("fixtures/rules/SOC001/pass.json")).unwrap();
        let text = text.replacen(
            r#""capabilityStatus": "Enabled""#,
            &format!(r#""capabilityStatus": "{first}", "capabilityStatus": "{second}""#),
            1,
        );
        let findings = load_and_scan(text.into_bytes()).unwrap();
        findings.into_iter().find(|(r, _)| r == "SOC001").unwrap().1
    };
    assert_eq!(sku("Enabled", "Suspended"), Status::Fail);
    assert_eq!(sku("Suspended", "Enabled"), Status::Pass);
}

#[test]
fn invalid_utf8_bom_nul_and_empty() {
    let e = load_err(
        doc(",\"x\":\"\u{1}\"")
            .into_iter()
            .map(|b| if b == 1 { 0xff } else { b })
            .collect(),
    );
    assert!(e.contains("UTF-8"), "{e}");
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(doc(""));
    assert!(load_and_scan(bom).is_ok(), "a UTF-8 BOM is accepted");
    let e = load_err(doc(",\"x\":\"a\0b\""));
    assert!(e.contains("control character"), "{e}");
    load_err(doc(",\0\"x\":1"));
    assert!(
        load_and_scan(doc(r#","x":"a\u0000b""#)).is_ok(),
        "escaped NUL is data"
    );
    for empty in ["", "   \n", "\u{feff}"] {
        load_err(empty.as_bytes().to_vec());
    }
}

#[test]
fn whole_document_not_an_object_or_schema_not_a_string() {
    for text in ["null", "[]", "\"socready.snapshot/v1\"", "42", "true"] {
        let e = load_err(text.as_bytes().to_vec());
        assert!(e.contains("JSON object"), "{text}: {e}");
        assert!(!e.contains("struct"), "{text}: internal type name in {e}");
    }
    for schema in ["1", "null", "[\"socready.snapshot/v1\"]", "{}"] {
        let e = load_err(format!(r#"{{"schema":{schema},"tenant":{{"id":"t"}}}}"#).into_bytes());
        assert!(e.contains("schema"), "{schema}: {e}");
    }
}

#[test]
fn thousands_of_config_problems_are_reported_in_linear_time() {
    let waiver = "[[waiver]]\nrule = \"SOC004\"\nscope = \"tenant\"\nreason = \"\"\nowner = \"x\"\nexpires = 2099-01-01\n\n";
    let text = waiver.repeat(20_000);
    let e = within("config", 20, move || {
        socready::config::parse("many.toml", &text, embedded_rules()).unwrap_err()
    });
    let shown = format!("{e:?}");
    assert!(
        shown.contains("more problem(s) not shown"),
        "{}",
        &shown[..500]
    );
}

// ---- the CLI: exit 2 and one message naming the file ----------------------------------------

fn socready(args: &[&str]) -> (Option<i32>, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_socready"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("SOCREADY_LOG", "off")
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn assert_one_error(code: Option<i32>, err: &str, file: &str) {
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(file), "{err}");
    assert_eq!(err.matches("× ").count(), 1, "one message: {err}");
    assert!(err.len() < 3000, "{} bytes of error", err.len());
}

#[test]
fn cli_bad_snapshots_rule_files_and_configs_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).display().to_string();
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    for (name, bytes) in [
        ("utf8.json", b"{\"schema\":\"\xff\"}".to_vec()),
        ("null.json", b"null".to_vec()),
        ("deep.json", doc(&format!(r#","x":{deep}"#))),
        ("empty.json", Vec::new()),
    ] {
        std::fs::write(p(name), bytes).unwrap();
        let (code, err) = socready(&["scan", "--snapshot", &p(name)]);
        assert_one_error(code, &err, name);
    }
    let snapshot = root()
        .join("fixtures/rules/SOC004/pass.json")
        .display()
        .to_string();
    // A rule file on one 100 kB line: the message, not the line.
    let rules_dir = dir.path().join("rules");
    std::fs::create_dir(&rules_dir).unwrap();
    for (name, text) in rules::EMBEDDED {
        let file = Path::new(name).file_name().unwrap();
        std::fs::write(rules_dir.join(file), text).unwrap();
    }
    std::fs::write(
        rules_dir.join("SOC001-xdr-license.toml"),
        format!("x = \"{}\" y", "z".repeat(100_000)),
    )
    .unwrap();
    let (code, err) = socready(&[
        "scan",
        "--snapshot",
        &snapshot,
        "--rules",
        &rules_dir.display().to_string(),
    ]);
    assert_one_error(code, &err, "SOC001-xdr-license.toml");
    for (name, text) in [
        ("bad.toml", &b"fail-on = \"sometimes\"\n[[waiver]\n"[..]),
        ("latin1.toml", &b"operator = \"caf\xe9\"\n"[..]),
    ] {
        std::fs::write(p(name), text).unwrap();
        let (code, err) = socready(&["scan", "--snapshot", &snapshot, "--config", &p(name)]);
        assert_one_error(code, &err, name);
    }
}
