//! Hostile tenant data in every field that reaches a report: markup, template syntax, control
//! characters, a right-to-left override, CDATA ends, entities, Markdown and 10,000-character
//! strings. Every format is rendered from one scan; each must keep the data inert and valid.
//!
//! Fields: organisation displayName, workspace name, workspace id path segments (resource group
//! and name), resource group names, alert and automation rule displayNames, SKU partNumbers,
//! data connector ids, directory role assignment principals (id, displayName, type), collection
//! errors, and a waiver's reason, owner and ticket from `socready.toml`. Each field gets its own
//! marker (`F07:`) so the JSON report can be checked to carry every string exactly.
//!
//! Validators as in `tests/reports.rs` (`../shared/tools`, `SOCREADY_TOOLS_DIR`,
//! `SOCREADY_SKIP_VALIDATORS=1`); JUnit is parsed by python3's expat when python3 exists.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
#[path = "support/validators.rs"]
mod validators;

use std::process::Command;

use serde_json::{Value, json};
use validators::validate;

const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = "\"><img src=x onerror=alert(1)>";
const TEMPLATE: &str = "X{{ 7*7 }}Y";
const RAW: &str = "{% raw %}";
const CDATA: &str = "]]>";
const AMP: &str = "&amp;";
const MARKDOWN: &str = "|a|b| `tick` [x](javascript:alert(1))";
const RLO: char = '\u{202E}';
const FORMATS: [&str; 5] = ["json", "sarif", "html", "junit", "markdown"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every payload after a field marker, ending in all C0 controls and DEL.
fn payload(marker: &str) -> String {
    let controls: String = (0u32..0x20)
        .chain([0x7f])
        .filter_map(char::from_u32)
        .collect();
    format!("{marker}:{SCRIPT}{IMG}{TEMPLATE}{RAW}{CDATA}{AMP}{MARKDOWN}{RLO}{controls}:end")
}

/// The payload without `/`, for ARM id path segments.
fn segment(marker: &str) -> String {
    payload(marker).replace('/', "\\")
}

/// The duplicate-incident-rules scenario (failing SOC008 and SOC015 name rules in evidence) with
/// a payload in every tenant-controlled field. Returns the snapshot and (marker, payload) pairs.
fn hostile_snapshot() -> (Value, BTreeMap<String, String>) {
    let path = root().join("fixtures/scenarios/duplicate-incident-rules.json");
    let mut s: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let mut marks = BTreeMap::new();
    let long = "L".repeat(10_000);
    // (list pointer, field pointer inside each item, marker prefix, items to skip, suffix)
    let lists: [(&str, &str, &str, usize, &str); 8] = [
        ("/tenant", "/organization/displayName", "F01", 0, &long),
        ("/azure/workspaces/0", "/workspace/name", "F04", 0, ""),
        (
            "/azure/workspaces/0/alertRules",
            "/properties/displayName",
            "F05",
            0,
            "",
        ),
        (
            "/azure/workspaces/0/automationRules",
            "/properties/displayName",
            "F06",
            0,
            &long,
        ),
        ("/azure/workspaces/0/dataConnectors", "/id", "F07", 0, ""),
        (
            "/azure/subscriptions/0/resourceGroups",
            "/name",
            "F08",
            1,
            "",
        ),
        ("/graph/subscribedSkus", "/skuPartNumber", "F09", 0, ""),
        (
            "/graph/directoryRoleAssignments",
            "/principal",
            "F10",
            0,
            "",
        ),
    ];
    for (list, field, prefix, skip, suffix) in lists {
        let items: Vec<&mut Value> = match s.pointer_mut(list).unwrap() {
            Value::Array(a) => a.iter_mut().skip(skip).collect(),
            other => vec![other],
        };
        for (i, item) in items.into_iter().enumerate() {
            let m = format!("{prefix}-{i}");
            let text = payload(&m) + suffix;
            let value = if field == "/principal" {
                json!({"@odata.type": payload("F11"), "id": payload("F11"), "displayName": text})
            } else {
                Value::from(text.clone())
            };
            let (parent, key) = field.rsplit_once('/').unwrap();
            item.pointer_mut(parent).unwrap()[key] = value;
            marks.insert(m, text);
        }
    }
    // The workspace's id path segments, and its resource group listed under that name.
    let (rg, name) = (segment("F02"), segment("F03"));
    let ws_id = &mut s["azure"]["workspaces"][0]["workspace"]["id"];
    let sub = ws_id
        .as_str()
        .unwrap()
        .split('/')
        .nth(2)
        .unwrap()
        .to_string();
    *ws_id = Value::from(format!(
        "/subscriptions/{sub}/resourcegroups/{rg}/providers/microsoft.operationalinsights/workspaces/{name}"
    ));
    s["azure"]["subscriptions"][0]["resourceGroups"][0]["name"] = Value::from(rg.clone());
    s["graph"]["directoryRoleAssignments"][0]["principalId"] = Value::from(payload("F12"));
    s["errors"] = json!([{"request": payload("F13"), "status": 403, "code": payload("F14"),
        "message": payload("F15"), "target": payload("F16")}]);
    for (m, text) in [("F02", rg), ("F03", name)] {
        marks.insert(m.into(), text);
    }
    for m in ["F13", "F14", "F15", "F16"] {
        marks.insert(m.into(), payload(m));
    }
    (s, marks)
}

/// A config whose waiver (on SOC008, everywhere) carries payloads; written by the toml crate so
/// control characters are escaped as TOML requires.
fn hostile_config(marks: &mut BTreeMap<String, String>) -> String {
    let mut waiver = toml::Table::new();
    waiver.insert("rule".into(), "SOC008".into());
    waiver.insert("scope".into(), "*".into());
    for (key, m) in [("reason", "F17"), ("owner", "F18"), ("ticket", "F19")] {
        waiver.insert(key.into(), payload(m).into());
        marks.insert(m.into(), payload(m));
    }
    let expires: toml::value::Datetime = "2099-12-31".parse().unwrap();
    waiver.insert("expires".into(), toml::Value::Datetime(expires));
    let file = toml::Table::from_iter([("waiver".to_string(), vec![waiver].into())]);
    toml::to_string(&file).unwrap()
}

/// Runs a scan writing every format into `dir`; returns the terminal table (stdout).
fn scan(snapshot: &Path, config: Option<&Path>, dir: &Path) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_socready"));
    cmd.args(["scan", "--snapshot"])
        .arg(snapshot)
        .arg("--out-dir")
        .arg(dir)
        .args(["--format", "table"])
        .env("NO_COLOR", "1")
        .env("SOCREADY_TODAY", "2026-11-25");
    for f in FORMATS {
        cmd.args(["--format", f]);
    }
    match config {
        Some(c) => cmd.arg("--config").arg(c),
        None => cmd.arg("--no-config"),
    };
    let o = cmd.output().unwrap();
    assert!(
        matches!(o.status.code(), Some(0 | 1 | 3)),
        "exit {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("the table is UTF-8")
}

fn read(p: PathBuf) -> String {
    fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Characters that must not reach a terminal or document raw: C0 controls other than tab and
/// newline, DEL, and the bidirectional overrides and isolates.
fn raw_control(text: &str) -> Option<char> {
    text.chars().find(|c| {
        (c.is_control() && !matches!(c, '\n' | '\t'))
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    })
}

/// Every string in a JSON document.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k.clone());
            strings(x, out)
        }),
        _ => {}
    }
}

/// Each Markdown table row has as many unescaped `|` as its header (outside code spans too:
/// GitHub splits cells on `|` even inside backticks unless it is escaped).
fn assert_markdown_tables_intact(md: &str) {
    let pipes = |line: &str| {
        let (mut n, mut escaped) = (0, false);
        for c in line.chars() {
            if c == '|' && !escaped {
                n += 1;
            }
            escaped = c == '\\' && !escaped;
        }
        n
    };
    let mut header = None;
    for line in md.lines() {
        match (line.starts_with('|'), header) {
            (false, _) => header = None,
            (true, None) => header = Some(pipes(line)),
            (true, Some(h)) => assert_eq!(pipes(line), h, "row breaks its table: {line}"),
        }
    }
}

#[test]
fn hostile_tenant_strings_stay_inert_in_every_format() {
    // Kept for inspection, like tests/reports.rs.
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hostile");
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp).unwrap();
    let (snap, mut marks) = hostile_snapshot();
    let snapshot = tmp.join("hostile.json");
    fs::write(&snapshot, serde_json::to_string_pretty(&snap).unwrap()).unwrap();
    let config = tmp.join("socready.toml");
    fs::write(&config, hostile_config(&mut marks)).unwrap();
    let out = tmp.join("out");
    let table = scan(&snapshot, Some(&config), &out);
    let clean = tmp.join("clean");
    scan(
        &root().join("fixtures/scenarios/duplicate-incident-rules.json"),
        None,
        &clean,
    );

    // JSON: every string exactly as the tenant wrote it.
    let report: Value = serde_json::from_str(&read(out.join("socready.json"))).unwrap();
    let mut all = Vec::new();
    strings(&report, &mut all);
    let mut carried = 0;
    for (marker, text) in &marks {
        let found: Vec<&String> = all
            .iter()
            .filter(|s| s.contains(&format!("{marker}:")))
            .collect();
        if !found.is_empty() {
            carried += 1;
            assert!(
                found.iter().any(|s| s.contains(text.as_str())),
                "{marker} altered in JSON"
            );
        }
    }
    for must in [
        "F01-0", "F04-0", "F05-3", "F06-1", "F09-0", "F10-0", "F15", "F17", "F18",
    ] {
        assert!(
            all.iter().any(|s| s.contains(&format!("{must}:"))),
            "{must} not in the JSON report"
        );
    }
    assert!(carried >= 12, "only {carried} fields reach the JSON report");

    // HTML: nothing from the tenant becomes markup or a template expression.
    let html = read(out.join("socready.html"));
    let clean_html = read(clean.join("socready.html"));
    assert!(
        html.contains("F05-3:"),
        "the alert rule names reach the HTML"
    );
    for bad in [
        SCRIPT,
        "<img",
        "onerror=alert(1)>",
        "X49Y",
        "href=\"javascript",
    ] {
        assert!(!html.contains(bad), "HTML contains {bad:?}");
    }
    assert_eq!(
        html.matches("<script").count(),
        clean_html.matches("<script").count()
    );
    assert!(html.contains("&amp;amp;"), "& of the data is escaped");
    assert!(
        html.contains(&format!("{TEMPLATE}{RAW}")),
        "template syntax stays text"
    );
    assert_eq!(raw_control(&html), None, "raw control character in HTML");
    validate("validate-html", &[out.join("socready.html")]);

    // SARIF: JSON, valid, and the payload survives as data.
    let sarif: Value =
        serde_json::from_str(&read(out.join("socready.sarif"))).expect("SARIF is JSON");
    assert!(
        sarif["runs"][0]["results"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );
    validate("validate-sarif", &[out.join("socready.sarif")]);

    // JUnit: well-formed XML 1.0 (no control characters, even as references).
    let junit = read(out.join("socready.junit.xml"));
    assert!(!junit.contains(SCRIPT) && !junit.contains("<img"));
    assert_eq!(raw_control(&junit), None, "raw control character in JUnit");
    for r in (0u32..0x20).filter(|c| ![9, 10, 13].contains(c)) {
        assert!(!junit.contains(&format!("&#{r};")) && !junit.contains(&format!("&#x{r:x};")));
    }
    match Command::new("python3")
        .args([
            "-c",
            "import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])",
        ])
        .arg(out.join("socready.junit.xml"))
        .output()
    {
        Ok(o) => assert!(
            o.status.success(),
            "JUnit is not XML: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => eprintln!("note: python3 not available ({e}); JUnit checked without a parser"),
    }

    // Markdown: tables keep their shape, no raw HTML or live javascript: links.
    let md = read(out.join("socready.md"));
    assert!(
        md.contains("F04-0:") && md.contains("F06-"),
        "tenant names reach the Markdown"
    );
    assert_markdown_tables_intact(&md);
    // socready writes no HTML into Markdown: every `<` and `](` from data is escaped.
    for bad in ["<", "](javascript:"] {
        let raw = md
            .match_indices(bad)
            .find(|(i, _)| !md[..*i].ends_with('\\'));
        assert!(raw.is_none(), "unescaped {bad:?} in Markdown");
    }
    assert!(!md.contains("X49Y"));
    assert_eq!(raw_control(&md), None, "raw control character in Markdown");

    // Terminal: no escape sequences or bidi overrides from the data.
    assert!(table.contains("F0"), "tenant names reach the table");
    assert_eq!(
        raw_control(&table),
        None,
        "raw control character in the table"
    );
}
