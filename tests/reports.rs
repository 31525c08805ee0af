//! Report formats end to end: the built binary renders every scenario in every format, and the
//! results are checked by the project's validators (`../shared/tools/validate-sarif` and
//! `validate-html`: OASIS schema + GitHub ingestion rules; Nu Html Checker, axe, no network).
//!
//! A missing validator is a failure (CI installs them with `shared/tools/install.sh`); set
//! `SOCREADY_SKIP_VALIDATORS=1` to skip only the external validators, with a printed note.
//! `SOCREADY_TOOLS_DIR` points at another tools directory.
//!
//! Also here: tenant strings that try HTML/template/Markdown injection, SARIF fingerprint
//! stability across re-collections, and an insta snapshot of one SARIF log.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/validators.rs"]
mod validators;
use validators::validate;

use serde_json::Value;

const FORMATS: [&str; 5] = ["json", "sarif", "html", "junit", "markdown"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Where rendered reports are kept for inspection (`target/tmp/reports/<scenario>/`).
fn out_root() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reports")
}

/// Scenario snapshots with the extra CLI arguments their expectation file names.
fn scenarios() -> Vec<(String, Vec<String>)> {
    let dir = root().join("fixtures").join("scenarios");
    let mut out = Vec::new();
    for entry in fs::read_dir(&dir).expect("fixtures/scenarios exists") {
        let path = entry.expect("dir entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".json") || name.ends_with(".expected.json") {
            continue;
        }
        let stem = name.trim_end_matches(".json").to_string();
        let expected = dir.join(format!("{stem}.expected.json"));
        let args = fs::read_to_string(&expected)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .and_then(|v| v.get("args").cloned())
            .and_then(|a| serde_json::from_value::<Vec<String>>(a).ok())
            .unwrap_or_default();
        out.push((stem, args));
    }
    out.sort();
    assert!(!out.is_empty(), "no scenarios in {}", dir.display());
    out
}

/// Runs `socready scan` from the crate root (so the SARIF artifact URI is relative) and
/// returns the output directory.
fn scan(snapshot: &Path, out_dir: &Path, extra: &[&str]) -> PathBuf {
    let _ = fs::remove_dir_all(out_dir);
    fs::create_dir_all(out_dir).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_socready"));
    cmd.current_dir(root())
        .arg("scan")
        .arg("--snapshot")
        .arg(snapshot)
        .arg("--out-dir")
        .arg(out_dir)
        .args(extra)
        .env("NO_COLOR", "1");
    for f in FORMATS {
        cmd.args(["--format", f]);
    }
    let output = cmd.output().expect("run socready");
    let code = output.status.code();
    assert!(
        matches!(code, Some(0 | 1 | 3)),
        "socready scan {} exited {code:?}\nstderr:\n{}",
        snapshot.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    out_dir.to_path_buf()
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Checks that `text` is well-formed XML 1.0 (enough of it for JUnit: elements, attributes,
/// character and entity references, comments, the declaration).
fn assert_well_formed_xml(text: &str) {
    fn valid_char(c: char) -> bool {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
    }
    fn check_refs(s: &str, at: usize) {
        assert!(!s.contains('<'), "raw '<' at byte {at}: {s:?}");
        let mut rest = s;
        while let Some(i) = rest.find('&') {
            let after = &rest[i + 1..];
            let end = after
                .find(';')
                .unwrap_or_else(|| panic!("bare '&' at byte {at}"));
            let name = &after[..end];
            let ok = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                || name
                    .strip_prefix("#x")
                    .is_some_and(|h| u32::from_str_radix(h, 16).is_ok())
                || name
                    .strip_prefix('#')
                    .is_some_and(|d| d.parse::<u32>().is_ok());
            assert!(ok, "bad reference &{name}; at byte {at}");
            rest = &after[end + 1..];
        }
    }
    if let Some(c) = text.chars().find(|c| !valid_char(*c)) {
        panic!("character U+{:04X} is not allowed in XML", c as u32);
    }
    let mut stack: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        if let Some(r) = rest.strip_prefix("<?") {
            i += 2 + r.find("?>").expect("unterminated <?") + 2;
        } else if let Some(r) = rest.strip_prefix("<!--") {
            i += 4 + r.find("-->").expect("unterminated comment") + 3;
        } else if let Some(r) = rest.strip_prefix("</") {
            let end = r.find('>').expect("unterminated end tag");
            let name = r[..end].trim();
            assert_eq!(stack.pop(), Some(name), "mismatched </{name}> at byte {i}");
            i += 2 + end + 1;
        } else if let Some(r) = rest.strip_prefix('<') {
            // Find the end of the tag outside quoted attribute values.
            let mut quote = None;
            let mut end = None;
            for (j, c) in r.char_indices() {
                match (quote, c) {
                    (None, '"' | '\'') => quote = Some(c),
                    (Some(q), c) if c == q => quote = None,
                    (None, '>') => {
                        end = Some(j);
                        break;
                    }
                    _ => {}
                }
            }
            let end = end.expect("unterminated start tag");
            let mut tag = &r[..end];
            let empty = tag.ends_with('/');
            if empty {
                tag = &tag[..tag.len() - 1];
            }
            let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
            let name = &tag[..name_end];
            assert!(
                !name.is_empty() && !name.contains(['"', '\'', '=', '&']),
                "bad element name {name:?} at byte {i}"
            );
            // Attributes: name="value" pairs.
            let mut attrs = tag[name_end..].trim();
            while !attrs.is_empty() {
                let eq = attrs
                    .find('=')
                    .unwrap_or_else(|| panic!("attribute without value in <{name}> at byte {i}"));
                let q = attrs[eq + 1..].chars().next().expect("attribute value");
                assert!(
                    q == '"' || q == '\'',
                    "unquoted attribute in <{name}> at byte {i}"
                );
                let val_start = eq + 2;
                let val_end = val_start + attrs[val_start..].find(q).expect("closing quote");
                check_refs(&attrs[val_start..val_end], i);
                attrs = attrs[val_end + 1..].trim_start();
            }
            if stack.is_empty() {
                roots += 1;
            }
            if !empty {
                stack.push(name);
            }
            i += 1 + end + 1;
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let chunk = &rest[..end];
            if stack.is_empty() {
                assert!(
                    chunk.trim().is_empty(),
                    "text outside the root element at byte {i}"
                );
            }
            check_refs(chunk, i);
            i += end;
        }
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    assert_eq!(roots, 1, "exactly one root element");
}

/// Every Markdown table keeps its shape: each row has as many unescaped `|` as its header.
fn assert_markdown_tables_intact(md: &str) {
    fn pipes(line: &str) -> usize {
        let mut n = 0;
        let mut escaped = false;
        for c in line.chars() {
            match c {
                '\\' if !escaped => escaped = true,
                '|' if !escaped => n += 1,
                _ => escaped = false,
            }
            if c != '\\' {
                escaped = false;
            }
        }
        n
    }
    let mut header: Option<usize> = None;
    for line in md.lines() {
        if line.starts_with('|') {
            let n = pipes(line);
            match header {
                None => header = Some(n),
                Some(h) => assert_eq!(
                    n, h,
                    "table row has {n} cells separators, header {h}: {line}"
                ),
            }
        } else {
            header = None;
        }
    }
}

#[test]
fn every_scenario_renders_valid_reports() {
    let mut sarif = Vec::new();
    let mut html = Vec::new();
    let mut largest = (0, String::new());
    for (name, args) in scenarios() {
        let snapshot = PathBuf::from("fixtures/scenarios").join(format!("{name}.json"));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let dir = scan(&snapshot, &out_root().join(&name), &args);
        for f in [
            "socready.json",
            "socready.sarif",
            "socready.html",
            "socready.junit.xml",
            "socready.md",
        ] {
            assert!(dir.join(f).is_file(), "{name}: {f} not written");
        }
        let log: Value = serde_json::from_str(&read(&dir.join("socready.sarif")))
            .unwrap_or_else(|e| panic!("{name}: SARIF is not JSON: {e}"));
        assert_eq!(log["version"], "2.1.0");
        let uri = log["runs"][0]["artifacts"][0]["location"]["uri"]
            .as_str()
            .unwrap();
        assert_eq!(
            uri,
            format!("fixtures/scenarios/{name}.json"),
            "{name}: artifact URI"
        );
        assert_well_formed_xml(&read(&dir.join("socready.junit.xml")));
        let md = read(&dir.join("socready.md"));
        assert!(
            md.len() < 64 * 1024,
            "{name}: Markdown is {} bytes",
            md.len()
        );
        assert_markdown_tables_intact(&md);
        let size = fs::metadata(dir.join("socready.html")).unwrap().len();
        if size > largest.0 {
            largest = (size, name.clone());
        }
        if name != "large-tenant" {
            assert!(size < 300 * 1024, "{name}: HTML is {size} bytes");
        }
        sarif.push(dir.join("socready.sarif"));
        html.push(dir.join("socready.html"));
    }
    eprintln!("largest HTML: {} ({} bytes)", largest.1, largest.0);
    validate("validate-sarif", &sarif);
    validate("validate-html", &html);
}

const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = "\"><img src=x onerror=alert(1)>";
const TEMPLATE: &str = "X{{ 7*7 }}Y";
const RLO: char = '\u{202E}';

/// A scenario whose tenant-controlled names carry injection payloads.
fn hostile_snapshot(dir: &Path) -> PathBuf {
    let path = root().join("fixtures/scenarios/duplicate-incident-rules.json");
    let mut snap: Value = serde_json::from_str(&read(&path)).unwrap();
    let all = format!("{SCRIPT}{IMG}{TEMPLATE}{RLO}|`tick`*star*_u_[l](x)");
    snap["tenant"]["organization"]["displayName"] = Value::from(format!("Org {all}"));
    for sku in snap["graph"]["subscribedSkus"].as_array_mut().unwrap() {
        let part = sku["skuPartNumber"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        sku["skuPartNumber"] = Value::from(format!("{part}{SCRIPT}{TEMPLATE}"));
    }
    for ws in snap["azure"]["workspaces"].as_array_mut().unwrap() {
        ws["workspace"]["name"] = Value::from(format!("ws {all}"));
        for rule in ws["alertRules"].as_array_mut().into_iter().flatten() {
            let name = rule["properties"]["displayName"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            rule["properties"]["displayName"] =
                Value::from(format!("{name} {IMG}{TEMPLATE}{RLO}|"));
        }
    }
    let out = dir.join("hostile.json");
    fs::write(&out, serde_json::to_string_pretty(&snap).unwrap()).unwrap();
    out
}

#[test]
fn tenant_strings_cannot_inject_markup() {
    let tmp = tempfile::tempdir().unwrap();
    let snapshot = hostile_snapshot(tmp.path());
    let dir = scan(&snapshot, &out_root().join("hostile"), &[]);

    let html = read(&dir.join("socready.html"));
    assert!(!html.contains(SCRIPT), "raw <script> payload in HTML");
    assert!(!html.contains("<img"), "raw <img> payload in HTML");
    assert!(
        !html.contains("onerror=alert(1)>"),
        "unescaped attribute payload"
    );
    assert!(!html.contains(RLO), "raw U+202E in HTML");
    assert!(
        !html.contains("X49Y"),
        "template expression from the tenant was evaluated"
    );
    assert!(
        html.contains(TEMPLATE),
        "template payload should appear literally"
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)"),
        "payload should appear escaped"
    );
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only our own script element"
    );
    validate("validate-html", &[dir.join("socready.html")]);

    let sarif: Value = serde_json::from_str(&read(&dir.join("socready.sarif"))).unwrap();
    assert!(sarif["runs"][0]["results"].as_array().is_some());
    validate("validate-sarif", &[dir.join("socready.sarif")]);

    let junit = read(&dir.join("socready.junit.xml"));
    assert_well_formed_xml(&junit);
    assert!(!junit.contains(SCRIPT) && !junit.contains(RLO));

    let md = read(&dir.join("socready.md"));
    assert_markdown_tables_intact(&md);
    assert!(!md.contains(RLO), "raw U+202E in Markdown");
    // socready's Markdown contains no HTML of its own: every '<' comes from data, escaped.
    for (i, _) in md.match_indices('<') {
        assert!(
            md[..i].ends_with('\\'),
            "unescaped '<' in Markdown: {}",
            md.get(i.saturating_sub(20)..).unwrap_or(&md[i..])
        );
    }
    assert!(
        md.contains("\\<script\\>"),
        "Markdown keeps the name, escaped"
    );
}

/// Fingerprints (and logical locations) of every result, sorted.
fn fingerprints(sarif: &Path) -> Vec<(String, String, String)> {
    let log: Value = serde_json::from_str(&read(sarif)).unwrap();
    let mut v: Vec<(String, String, String)> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r["partialFingerprints"]["socready/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn sarif_fingerprints_survive_recollection() {
    let tmp = tempfile::tempdir().unwrap();
    let name = "two-workspaces-multi-no-primary";
    let original = root().join(format!("fixtures/scenarios/{name}.json"));
    let args = scenarios()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, a)| a)
        .unwrap_or_default();
    // The same tenant collected again later: new time, ids in other case, unrelated changes.
    let mut snap: Value = serde_json::from_str(&read(&original)).unwrap();
    snap["collectedAt"] = Value::from("2027-03-01T08:30:00Z");
    snap["tenant"]["organization"]["displayName"] = Value::from("Renamed organisation");
    for ws in snap["azure"]["workspaces"].as_array_mut().unwrap() {
        ws["workspace"]["etag"] = Value::from("\"0a00-new\"");
        ws["workspace"]["tags"] = serde_json::json!({"costCenter": "42"});
    }
    for sub in snap["azure"]["subscriptions"].as_array_mut().unwrap() {
        if let Some(rgs) = sub["resourceGroups"].as_array_mut() {
            rgs.reverse();
        }
    }
    let again = tmp.path().join("recollected.json");
    fs::write(&again, serde_json::to_string(&snap).unwrap()).unwrap();

    let mut extra: Vec<&str> = args.iter().map(String::as_str).collect();
    extra.push("--sarif-include-pass");
    let a = scan(&original, &out_root().join("fp-a"), &extra);
    let b = scan(&again, &out_root().join("fp-b"), &extra);
    let fa = fingerprints(&a.join("socready.sarif"));
    let fb = fingerprints(&b.join("socready.sarif"));
    assert!(!fa.is_empty());
    assert_eq!(
        fa, fb,
        "fingerprints changed between collections of the same tenant"
    );
    let mut unique: Vec<&String> = fa.iter().map(|(_, _, f)| f).collect();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        fa.len(),
        "each (rule, resource) has its own fingerprint"
    );
    // Passes are results of kind `pass` (SARIF requires level `none` for them).
    let log: Value = serde_json::from_str(&read(&a.join("socready.sarif"))).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["kind"] == "pass" && r["level"] == "none")
    );
    validate("validate-sarif", &[a.join("socready.sarif")]);
}

#[test]
fn sarif_snapshot() {
    let dir = scan(
        Path::new("fixtures/scenarios/xdr-connector-incidents-disabled.json"),
        &out_root().join("insta-sarif"),
        &[],
    );
    let log: Value = serde_json::from_str(&read(&dir.join("socready.sarif"))).unwrap();
    insta::assert_json_snapshot!("sarif_xdr_connector_incidents_disabled", log, {
        ".runs[0].tool.driver.version" => "[version]",
        ".runs[0].tool.driver.semanticVersion" => "[version]",
        ".runs[0].properties.snapshotSha256" => "[sha256]",
        // Rule prose lives in rules/*.toml and is reviewed there.
        ".runs[0].tool.driver.rules[].shortDescription.text" => "[rule summary]",
        ".runs[0].tool.driver.rules[].fullDescription.text" => "[rule rationale]",
        ".runs[0].tool.driver.rules[].help.text" => "[rule help]",
        ".runs[0].tool.driver.rules[].help.markdown" => "[rule help]",
    });
}

#[test]
fn waivers_and_baseline_reach_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let snapshot = Path::new("fixtures/scenarios/xdr-connector-incidents-disabled.json");
    let config = tmp.path().join("socready.toml");
    fs::write(
        &config,
        r#"
[[waiver]]
rule = "SOC004"
scope = "*/workspaces/law-sentinel-prod"
reason = "EU team enables the connector <b>next week</b>"
owner = "secops@contoso.com"
ticket = "SEC-1"
expires = 2099-12-31

[[waiver]]
rule = "SOC001"
scope = "tenant"
reason = "licence renewal, no longer needed"
owner = "it"
expires = 2099-01-15
"#,
    )
    .unwrap();
    // The baseline: the same tenant scanned before, without waivers.
    let before = scan(snapshot, &out_root().join("baseline-before"), &[]);
    let baseline = before.join("socready.json");
    let dir = scan(
        snapshot,
        &out_root().join("waived"),
        &[
            "--config",
            config.to_str().unwrap(),
            "--baseline",
            baseline.to_str().unwrap(),
        ],
    );

    let log: Value = serde_json::from_str(&read(&dir.join("socready.sarif"))).unwrap();
    let run = &log["runs"][0];
    let waived: Vec<&Value> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "SOC004")
        .collect();
    assert_eq!(waived.len(), 1, "the waived failure is still a result");
    let suppression = &waived[0]["suppressions"][0];
    assert_eq!(suppression["kind"], "external");
    assert_eq!(suppression["status"], "accepted");
    assert_eq!(
        suppression["justification"],
        "EU team enables the connector <b>next week</b>"
    );
    assert_eq!(waived[0]["kind"], "fail");
    assert_eq!(waived[0]["baselineState"], "unchanged");
    let notes = run["invocations"][0]["toolConfigurationNotifications"]
        .as_array()
        .expect("the stale waiver is reported");
    assert!(notes.iter().any(|n| n["associatedRule"]["id"] == "SOC001"));
    validate("validate-sarif", &[dir.join("socready.sarif")]);

    let html = read(&dir.join("socready.html"));
    assert!(html.contains("EU team enables the connector &lt;b&gt;next week&lt;&#x2f;b&gt;"));
    assert!(html.contains("Waivers in the configuration"));
    validate("validate-html", &[dir.join("socready.html")]);

    let junit = read(&dir.join("socready.junit.xml"));
    assert_well_formed_xml(&junit);
    assert!(junit.contains("<skipped message=\"waived (fail) until 2099-12-31"));

    let md = read(&dir.join("socready.md"));
    assert!(md.contains("Waivers needing attention"), "{md}");
    assert!(md.contains("💤 waived"));
    assert_markdown_tables_intact(&md);
}
