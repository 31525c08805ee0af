//! Baselines: a previous JSON report (`socready.report/v1`) read back, and each open finding of
//! this scan classified against it by fingerprint as `new` or `unchanged`; open findings of the
//! baseline that are no longer open are `fixed`.
//!
//! "Open" means `fail` or `unknown`, judged on the original status for waived findings, so
//! waiving a finding does not make it new or fixed. The same reader serves `socready diff`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::finding::{Finding, Status};

/// Why a previous report could not be read. Every variant maps to exit code 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BaselineError {
    #[error("cannot read {path}: {source}")]
    #[diagnostic(code(socready::baseline::io))]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: not a socready JSON report: {message}")]
    #[diagnostic(
        code(socready::baseline::invalid),
        help(
            "pass a socready.json written by `socready scan --format json` (schema socready.report/v1)"
        )
    )]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: unsupported report schema {found:?}; expected \"socready.report/v1\"")]
    #[diagnostic(
        code(socready::baseline::schema),
        help("pass a socready.json written by `socready scan --format json`")
    )]
    Schema { path: String, found: String },
}

/// A previous JSON report, as much of it as baselines and diffs need.
#[derive(Clone, Debug)]
pub struct PreviousReport {
    /// Path the report was read from.
    pub path: String,
    pub generated_at: Option<String>,
    pub tenant_id: String,
    pub tenant_name: Option<String>,
    pub snapshot_path: Option<String>,
    pub collected_at: Option<String>,
    pub findings: Vec<PreviousFinding>,
    /// Lower-cased workspace id → verdict (`ready`, `not_ready`, `incomplete`).
    pub verdicts: BTreeMap<String, String>,
    /// Lower-cased workspace id → name, when the report lists workspaces.
    pub workspace_names: BTreeMap<String, String>,
}

/// One finding of a previous report.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviousFinding {
    pub rule: String,
    pub scope: String,
    #[serde(deserialize_with = "status")]
    pub status: Status,
    #[serde(default, deserialize_with = "opt_status")]
    pub original_status: Option<Status>,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub message: String,
    pub fingerprint: String,
}

impl PreviousFinding {
    /// The status that decides whether the finding is open (the original one when waived).
    pub fn effective_status(&self) -> Status {
        self.original_status.unwrap_or(self.status)
    }
}

/// Whether a status is open (needs action).
pub fn is_open(status: Status) -> bool {
    matches!(status, Status::Fail | Status::Unknown)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReportFile {
    #[serde(default)]
    generated_at: Option<String>,
    snapshot: SnapshotPart,
    findings: Vec<PreviousFinding>,
    #[serde(default)]
    verdicts: BTreeMap<String, String>,
    #[serde(default)]
    workspaces: Vec<WorkspacePart>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SnapshotPart {
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    collected_at: Option<String>,
    tenant_id: String,
    #[serde(default)]
    tenant_name: Option<String>,
}

#[derive(Deserialize)]
struct WorkspacePart {
    id: String,
    #[serde(default)]
    name: String,
}

fn parse_status(s: &str) -> Option<Status> {
    Status::ALL.into_iter().find(|st| st.as_str() == s)
}

fn status<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Status, D::Error> {
    let s = String::deserialize(d)?;
    parse_status(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown status {s:?}")))
}

fn opt_status<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Status>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) => parse_status(&s)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown status {s:?}"))),
    }
}

/// Reads a previous report from a file.
pub fn load_file(path: &std::path::Path) -> Result<PreviousReport, BaselineError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Io {
        path: name.clone(),
        source,
    })?;
    parse(&name, &text)
}

/// Parses a previous report; `path` names it in errors.
pub fn parse(path: &str, text: &str) -> Result<PreviousReport, BaselineError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let invalid = |e: serde_json::Error| BaselineError::Invalid {
        path: path.to_string(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    };
    // Check the schema first, so a snapshot or another JSON file gets the clearer message.
    let value: serde_json::Value = serde_json::from_str(text).map_err(invalid)?;
    let found = value.get("schema").and_then(|s| s.as_str()).unwrap_or("");
    if found != crate::report::json::SCHEMA {
        return Err(BaselineError::Schema {
            path: path.to_string(),
            found: found.to_string(),
        });
    }
    let file: ReportFile = serde_json::from_str(text).map_err(invalid)?;
    Ok(PreviousReport {
        path: path.to_string(),
        generated_at: file.generated_at,
        tenant_id: file.snapshot.tenant_id,
        tenant_name: file.snapshot.tenant_name,
        snapshot_path: file.snapshot.path,
        collected_at: file.snapshot.collected_at,
        findings: file.findings,
        verdicts: file.verdicts,
        workspace_names: file
            .workspaces
            .into_iter()
            .map(|w| (w.id, w.name))
            .collect(),
    })
}

/// How an open finding of this scan relates to the baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// Open now, not open in the baseline.
    New,
    /// Open now and in the baseline.
    Unchanged,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::New => "new",
            Change::Unchanged => "unchanged",
        }
    }
}

/// A finding open in the baseline that is not open any more.
#[derive(Clone, Debug)]
pub struct FixedFinding {
    pub rule: String,
    pub scope: String,
    /// Status in the baseline (the original one when it was waived).
    pub was: Status,
    pub severity: String,
    pub label: String,
    pub message: String,
    pub fingerprint: String,
    /// Status now, or `None` when this scan has no such finding (scope gone, rule disabled).
    pub now: Option<Status>,
}

/// The baseline comparison of one scan.
#[derive(Clone, Debug)]
pub struct BaselineSummary {
    pub path: String,
    pub generated_at: Option<String>,
    pub tenant_id: String,
    /// Whether the baseline was taken from another tenant (then everything looks new).
    pub other_tenant: bool,
    /// Fingerprint → change, for every open finding of this scan.
    pub changes: BTreeMap<String, Change>,
    pub new: usize,
    pub unchanged: usize,
    pub fixed: Vec<FixedFinding>,
    /// `--fail-on-new`: only new findings gate the exit code.
    pub fail_on_new: bool,
}

impl BaselineSummary {
    /// The change of one finding; `None` for findings that are not open.
    pub fn change_of(&self, f: &Finding) -> Option<Change> {
        self.changes.get(&f.fingerprint).copied()
    }
}

/// Classifies the open findings of this scan against `prev`.
pub fn classify(
    findings: &[Finding],
    tenant_id: &str,
    prev: &PreviousReport,
    fail_on_new: bool,
) -> BaselineSummary {
    let before: BTreeSet<&str> = prev
        .findings
        .iter()
        .filter(|f| is_open(f.effective_status()))
        .map(|f| f.fingerprint.as_str())
        .collect();
    let mut changes = BTreeMap::new();
    let (mut new, mut unchanged) = (0, 0);
    for f in findings.iter().filter(|f| is_open(f.effective_status())) {
        let change = if before.contains(f.fingerprint.as_str()) {
            unchanged += 1;
            Change::Unchanged
        } else {
            new += 1;
            Change::New
        };
        changes.insert(f.fingerprint.clone(), change);
    }
    let fixed = prev
        .findings
        .iter()
        .filter(|p| is_open(p.effective_status()) && !changes.contains_key(&p.fingerprint))
        .map(|p| FixedFinding {
            rule: p.rule.clone(),
            scope: p.scope.clone(),
            was: p.effective_status(),
            severity: p.severity.clone(),
            label: p.label.clone(),
            message: p.message.clone(),
            fingerprint: p.fingerprint.clone(),
            now: findings
                .iter()
                .find(|f| f.fingerprint == p.fingerprint)
                .map(|f| f.status),
        })
        .collect();
    BaselineSummary {
        path: prev.path.clone(),
        generated_at: prev.generated_at.clone(),
        tenant_id: prev.tenant_id.clone(),
        other_tenant: !prev.tenant_id.eq_ignore_ascii_case(tenant_id),
        changes,
        new,
        unchanged,
        fixed,
        fail_on_new,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_snapshots_and_garbage_with_locations() {
        let e = parse("x.json", r#"{"schema": "socready.snapshot/v1"}"#).unwrap_err();
        assert!(matches!(e, BaselineError::Schema { .. }));
        let e = parse("x.json", "{\n  \"schema\": ").unwrap_err();
        assert!(e.to_string().starts_with("x.json:2:"), "{e}");
        let e = parse(
            "x.json",
            r#"{"schema": "socready.report/v1", "snapshot": {"tenantId": "t"},
                "findings": [{"rule": "SOC001", "scope": "tenant", "status": "bogus", "fingerprint": "f"}]}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown status"), "{e}");
    }
}
