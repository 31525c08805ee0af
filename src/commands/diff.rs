//! `socready diff OLD NEW`: what changed between two scans of a tenant — findings opened,
//! closed or changed, workspaces whose verdict changed, and (for two snapshots) role
//! assignments, data connectors and analytics rules added, removed or changed.
//!
//! Each side is a socready JSON report or a snapshot; a snapshot is scanned first with default
//! options and the built-in (or `--rules`) rule set, without any `socready.toml`. Findings are
//! matched by fingerprint (rule + resource). Resources are compared only when both sides are
//! snapshots, and only for collections present on both sides (absent ≠ empty).

mod render;
mod resources;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::AppError;
use super::output::write_atomic;
use crate::cli::{DiffArgs, DiffFormat};
use crate::engine::baseline::{self, PreviousFinding, PreviousReport, is_open};
use crate::engine::options::EvalOptions;
use crate::engine::rules::Rule;
use crate::finding::Status;
use crate::snapshot::Snapshot;

pub(crate) use resources::ResourceChange;

/// One side of the comparison.
pub(crate) struct Side {
    pub path: String,
    /// `report` or `snapshot`.
    pub kind: &'static str,
    pub report: PreviousReport,
    pub snapshot: Option<Snapshot>,
}

/// How a finding changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum FindingChangeKind {
    /// Not open before (or absent), open now.
    Opened,
    /// Open before, not open now (or absent).
    Closed,
    /// Open on both sides with another status (e.g. fail → unknown, fail → waived).
    Changed,
}

impl FindingChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingChangeKind::Opened => "opened",
            FindingChangeKind::Closed => "closed",
            FindingChangeKind::Changed => "changed",
        }
    }
}

pub(crate) struct FindingChange {
    pub kind: FindingChangeKind,
    pub rule: String,
    pub scope: String,
    /// Workspace name (or `tenant`) for people.
    pub scope_name: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub severity: String,
    pub label: String,
    /// The message of the later side when present, else the earlier one.
    pub message: String,
    pub fingerprint: String,
}

pub(crate) struct VerdictChange {
    pub workspace: String,
    pub name: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

pub(crate) struct Diff {
    pub findings: Vec<FindingChange>,
    pub verdicts: Vec<VerdictChange>,
    /// `None` when resources could not be compared (a side is a report).
    pub resources: Option<Vec<ResourceChange>>,
    /// Things the reader should know (collections not compared, different tenants).
    pub notes: Vec<String>,
}

pub fn run(args: DiffArgs) -> Result<i32, AppError> {
    let rules = super::rules::load(args.rules.as_deref())?;
    let old = load_side(&args.old, &rules)?;
    let new = load_side(&args.new, &rules)?;
    let diff = compute(&old, &new);
    let text = match args.format {
        DiffFormat::Table => render::table(&old, &new, &diff),
        DiffFormat::Markdown => render::markdown(&old, &new, &diff),
        DiffFormat::Json => render::json(&old, &new, &diff),
    };
    let out = args.output.unwrap_or_else(|| "-".into());
    write_atomic(&out, text.as_bytes())?;
    Ok(0)
}

/// Reads a report, or scans a snapshot and reads its report.
fn load_side(path: &Path, rules: &[Rule]) -> Result<Side, AppError> {
    #[derive(serde::Deserialize)]
    struct Peek {
        #[serde(default)]
        schema: Option<String>,
    }
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| AppError::Usage(format!("cannot read {name}: {e}")))?;
    let schema = serde_json::from_str::<Peek>(text.trim_start_matches('\u{feff}'))
        .ok()
        .and_then(|p| p.schema)
        .unwrap_or_default();
    if schema == crate::report::json::SCHEMA {
        let report = baseline::parse(&name, &text)?;
        return Ok(Side {
            path: name,
            kind: "report",
            report,
            snapshot: None,
        });
    }
    if !schema.is_empty() && !schema.starts_with("socready.snapshot/") {
        return Err(AppError::Usage(format!(
            "{name}: schema {schema:?} is neither a socready report ({}) nor a snapshot",
            crate::report::json::SCHEMA
        )));
    }
    // A snapshot (or something broken: the snapshot loader says exactly what).
    let (snap, info) = super::scan::load_snapshot(path)?;
    let report = crate::engine::scan(&snap, info, rules.to_vec(), &EvalOptions::default())?;
    let mut json = Vec::new();
    crate::report::json::render(&report, &mut json).map_err(|e| AppError::Write {
        path: name.clone(),
        source: e,
    })?;
    let report = baseline::parse(&name, &String::from_utf8_lossy(&json))?;
    Ok(Side {
        path: name,
        kind: "snapshot",
        report,
        snapshot: Some(snap),
    })
}

fn status_text(f: &PreviousFinding) -> String {
    match f.original_status {
        Some(o) if f.status == Status::Waived => format!("waived ({o})"),
        _ => f.status.as_str().to_string(),
    }
}

pub(crate) fn compute(old: &Side, new: &Side) -> Diff {
    let by_fp = |r: &PreviousReport| -> BTreeMap<String, PreviousFinding> {
        r.findings
            .iter()
            .map(|f| (f.fingerprint.clone(), f.clone()))
            .collect()
    };
    let (before, after) = (by_fp(&old.report), by_fp(&new.report));
    let names: BTreeMap<&str, &str> = old
        .report
        .workspace_names
        .iter()
        .chain(&new.report.workspace_names)
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let name_of = |scope: &str| {
        names
            .get(scope)
            .map(|s| s.to_string())
            .unwrap_or_else(|| scope.to_string())
    };

    let mut findings = Vec::new();
    let fps: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for fp in fps {
        let (b, a) = (before.get(fp), after.get(fp));
        let same = match (b, a) {
            (Some(b), Some(a)) => b.status == a.status && b.original_status == a.original_status,
            _ => false,
        };
        if same {
            continue;
        }
        let open_b = b.is_some_and(|f| is_open(f.effective_status()));
        let open_a = a.is_some_and(|f| is_open(f.effective_status()));
        let kind = match (open_b, open_a) {
            (false, true) => FindingChangeKind::Opened,
            (true, false) => FindingChangeKind::Closed,
            (true, true) => FindingChangeKind::Changed,
            // pass ↔ not_applicable ↔ absent: nothing to act on.
            (false, false) => continue,
        };
        let Some(latest) = a.or(b) else { continue };
        findings.push(FindingChange {
            kind,
            rule: latest.rule.clone(),
            scope: latest.scope.clone(),
            scope_name: name_of(&latest.scope),
            before: b.map(status_text),
            after: a.map(status_text),
            severity: latest.severity.clone(),
            label: latest.label.clone(),
            message: latest.message.clone(),
            fingerprint: fp.clone(),
        });
    }
    findings.sort_by(|x, y| (x.kind, &x.rule, &x.scope).cmp(&(y.kind, &y.rule, &y.scope)));

    let ws: BTreeSet<&String> = old
        .report
        .verdicts
        .keys()
        .chain(new.report.verdicts.keys())
        .collect();
    let verdicts = ws
        .into_iter()
        .filter_map(|w| {
            let (b, a) = (old.report.verdicts.get(w), new.report.verdicts.get(w));
            (b != a).then(|| VerdictChange {
                workspace: w.clone(),
                name: name_of(w),
                before: b.cloned(),
                after: a.cloned(),
            })
        })
        .collect();

    let mut notes = Vec::new();
    if !old
        .report
        .tenant_id
        .eq_ignore_ascii_case(&new.report.tenant_id)
    {
        notes.push(format!(
            "the two scans are of different tenants ({} and {})",
            old.report.tenant_id, new.report.tenant_id
        ));
    }
    let resources = match (&old.snapshot, &new.snapshot) {
        (Some(o), Some(n)) => Some(resources::compare(o, n, &mut notes)),
        _ => {
            notes.push(
                "role assignments, data connectors and analytics rules are compared only between two snapshots"
                    .to_string(),
            );
            None
        }
    };
    Diff {
        findings,
        verdicts,
        resources,
        notes,
    }
}
