//! The sections of the HTML report, each built as the JSON its template block renders: the
//! overall verdict, workspaces, the rule × scope matrix, the remediation plan, charts, and the
//! who-can-do-what matrix.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use crate::finding::{Finding, Label, Scope, Severity, Status};
use crate::report::{Report, Verdict};

/// Evidence items shown per finding that needs action; the JSON report keeps them all.
const MAX_EVIDENCE: usize = 30;
/// Evidence items shown per `pass`/`not_applicable` finding (keeps large tenants' reports small).
const MAX_EVIDENCE_QUIET: usize = 5;

pub(super) const STATUS_ORDER: [Status; 5] = [
    Status::Fail,
    Status::Unknown,
    Status::Waived,
    Status::Pass,
    Status::NotApplicable,
];
pub(super) const SEVERITY_ORDER: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];
pub(super) const LABEL_ORDER: [Label; 3] = [Label::Blocking, Label::Recommended, Label::Impact];

pub(super) fn status_title(s: Status) -> &'static str {
    match s {
        Status::Pass => "Pass",
        Status::Fail => "Fail",
        Status::Unknown => "Unknown",
        Status::NotApplicable => "Not applicable",
        Status::Waived => "Waived",
    }
}

pub(super) fn label_title(l: Label) -> &'static str {
    match l {
        Label::Blocking => "Blocking",
        Label::Recommended => "Recommended",
        Label::Impact => "Impact",
    }
}

/// Display name of a scope: "Tenant" or the workspace name.
pub(super) fn scope_name(report: &Report, scope: &Scope) -> String {
    match scope {
        Scope::Tenant => "Tenant".to_string(),
        Scope::Workspace(id) => report
            .workspaces
            .iter()
            .find(|w| &w.id == id)
            .map(|w| w.name.clone())
            .unwrap_or_else(|| last_segment(id).to_string()),
    }
}

pub(super) fn last_segment(id: &str) -> &str {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or(id)
}

pub(super) fn finding_json(report: &Report, f: &Finding) -> Json {
    let rule = report.rule(&f.rule);
    let max = match f.status {
        Status::Pass | Status::NotApplicable => MAX_EVIDENCE_QUIET,
        _ => MAX_EVIDENCE,
    };
    let shown: Vec<Json> = f
        .evidence
        .iter()
        .take(max)
        .map(|e| json!({"pointer": e.pointer, "resource": e.resource, "detail": e.detail}))
        .collect();
    json!({
        "rule": f.rule,
        "title": rule.map(|r| r.title.as_str()).unwrap_or(""),
        "scope": f.scope.key(),
        "scope_name": scope_name(report, &f.scope),
        "status": f.status.as_str(),
        "status_title": status_title(f.status),
        "original_status": f.original_status.map(Status::as_str),
        "original_status_title": f.original_status.map(status_title),
        "effective_status": f.effective_status().as_str(),
        "severity": f.severity.as_str(),
        "label": f.label.as_str(),
        "label_title": label_title(f.label),
        "message": f.message,
        "message_short": short(&f.message),
        "evidence": shown,
        "evidence_omitted": f.evidence.len().saturating_sub(max),
        "fingerprint": f.fingerprint,
        "change": report.change_of(f).map(|c| c.as_str()),
        "waiver": f.waiver.as_ref().map(|w| json!({
            "reason": w.reason, "owner": w.owner, "expires": w.expires, "ticket": w.ticket,
        })),
    })
}

/// Characters of a message shown in cards and the plan; the findings table has it whole.
pub(super) const SHORT_MESSAGE: usize = 300;

pub(super) fn short(s: &str) -> String {
    match s.char_indices().nth(SHORT_MESSAGE) {
        Some((i, _)) => format!("{}… (full text under Findings)", &s[..i]),
        None => s.to_string(),
    }
}

/// A blocking `fail`/`unknown` that is not waived: what decides a verdict.
pub(super) fn is_blocker(f: &Finding) -> bool {
    f.label == Label::Blocking && matches!(f.status, Status::Fail | Status::Unknown)
}

pub(super) fn overall(report: &Report) -> Json {
    let ws = &report.workspaces;
    let tenant_blockers: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.scope == Scope::Tenant && is_blocker(f))
        .collect();
    let verdict = if ws.is_empty() {
        if tenant_blockers.iter().any(|f| f.status == Status::Fail) {
            Verdict::NotReady
        } else if tenant_blockers.is_empty() {
            Verdict::Ready
        } else {
            Verdict::Incomplete
        }
    } else {
        ws.iter()
            .map(|w| w.verdict)
            .max_by_key(|v| match v {
                Verdict::Ready => 0,
                Verdict::Incomplete => 1,
                Verdict::NotReady => 2,
            })
            .unwrap_or(Verdict::Ready)
    };
    let count = |v: Verdict| ws.iter().filter(|w| w.verdict == v).count();
    let n = ws.len();
    let text = match (n, verdict) {
        (0, _) => "No workspace in this tenant is a candidate for connection.".to_string(),
        (1, Verdict::Ready) => "The workspace in scope can be connected to the Defender portal.".to_string(),
        (1, Verdict::NotReady) => {
            "The workspace cannot be connected yet: blocking requirements are not met.".to_string()
        }
        (1, Verdict::Incomplete) => "The workspace could not be fully assessed: some blocking requirements could not be evaluated.".to_string(),
        (_, Verdict::Ready) => {
            format!("All {n} workspaces in scope can be connected to the Defender portal.")
        }
        (_, Verdict::NotReady) => format!(
            "{} of {n} workspaces cannot be connected yet: blocking requirements are not met.",
            count(Verdict::NotReady)
        ),
        (_, Verdict::Incomplete) => format!(
            "{} of {n} workspaces could not be fully assessed: some blocking requirements could not be evaluated.",
            count(Verdict::Incomplete)
        ),
    };
    json!({"verdict": verdict.as_str(), "title": verdict.title(), "text": text})
}

pub(super) fn workspaces(report: &Report) -> Vec<Json> {
    report
        .workspaces
        .iter()
        .map(|w| {
            let scope = Scope::Workspace(w.id.clone());
            let blockers: Vec<Json> = report
                .findings
                .iter()
                .filter(|f| (f.scope == Scope::Tenant || f.scope == scope) && is_blocker(f))
                .map(|f| finding_json(report, f))
                .collect();
            json!({
                "id": w.id, "arm_id": w.arm_id, "name": w.name,
                "subscription_id": w.subscription_id, "resource_group": w.resource_group,
                "location": w.location, "primary": w.primary,
                "verdict": w.verdict.as_str(), "verdict_title": w.verdict.title(),
                "blockers": blockers,
            })
        })
        .collect()
}

/// Above this many workspaces the matrix has one row per workspace.
pub(super) const TRANSPOSE_AFTER: usize = 6;

/// Rules × scopes. Tenant-scope rules have one cell spanning every column.
pub(super) fn matrix(report: &Report) -> Json {
    let mut columns: Vec<Json> = report
        .workspaces
        .iter()
        .map(|w| json!({"key": w.id, "name": w.name}))
        .collect();
    if columns.is_empty() {
        columns.push(json!({"key": "tenant", "name": "Tenant"}));
    }
    let rows: Vec<Json> = report
        .rules
        .iter()
        .map(|r| {
            let cell = |scope: &Scope| {
                report
                    .findings
                    .iter()
                    .find(|f| f.rule == r.id && &f.scope == scope)
                    .map(|f| json!({"status": f.status.as_str(), "title": status_title(f.status)}))
                    .unwrap_or(json!({"status": "none", "title": "Not evaluated"}))
            };
            let tenant = report
                .findings
                .iter()
                .any(|f| f.rule == r.id && f.scope == Scope::Tenant);
            let cells: Vec<Json> = if tenant {
                vec![cell(&Scope::Tenant)]
            } else if report.workspaces.is_empty() {
                vec![json!({"status": "none", "title": "No workspace in scope"})]
            } else {
                report
                    .workspaces
                    .iter()
                    .map(|w| cell(&Scope::Workspace(w.id.clone())))
                    .collect()
            };
            json!({
                "id": r.id, "title": r.title, "severity": r.severity.as_str(),
                "label": r.label.as_str(), "label_title": label_title(r.label),
                "tenant": tenant, "cells": cells,
            })
        })
        .collect();
    // Many workspaces: one row per workspace instead of one column each.
    let by_workspace: Vec<Json> = report
        .workspaces
        .iter()
        .map(|w| {
            let scope = Scope::Workspace(w.id.clone());
            let cells: Vec<Json> = report
                .rules
                .iter()
                .map(|r| {
                    report
                        .findings
                        .iter()
                        .find(|f| f.rule == r.id && (f.scope == scope || f.scope == Scope::Tenant))
                        .map(|f| json!({"status": f.status.as_str(), "title": status_title(f.status)}))
                        .unwrap_or(json!({"status": "none", "title": "Not evaluated"}))
                })
                .collect();
            json!({"name": w.name, "verdict": w.verdict.as_str(), "cells": cells})
        })
        .collect();
    json!({
        "columns": columns, "rows": rows, "span": report.workspaces.len().max(1),
        "transpose": report.workspaces.len() > TRANSPOSE_AFTER, "by_workspace": by_workspace,
    })
}

/// Actionable, non-waived findings grouped by rule, blocking first then by severity.
pub(super) fn plan(report: &Report) -> Vec<Json> {
    let mut order: Vec<&str> = Vec::new();
    let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in report.actionable() {
        if f.status == Status::Waived {
            continue;
        }
        if !by_rule.contains_key(f.rule.as_str()) {
            order.push(&f.rule);
        }
        by_rule.entry(&f.rule).or_default().push(f);
    }
    order
        .iter()
        .filter_map(|id| {
            let rule = report.rule(id)?;
            let items: Vec<Json> = by_rule[id]
                .iter()
                .map(|f| {
                    json!({"scope_name": scope_name(report, &f.scope), "scope": f.scope.key(),
                           "status": f.status.as_str(), "status_title": status_title(f.status),
                           "message": short(&f.message)})
                })
                .collect();
            let references: Vec<Json> = rule
                .references
                .iter()
                .map(|r| json!({"title": r.title, "url": r.url}))
                .collect();
            Some(json!({
                "rule": rule.id, "title": rule.title, "summary": rule.summary,
                "severity": rule.severity.as_str(), "label": rule.label.as_str(),
                "label_title": label_title(rule.label),
                "who": rule.remediation.who, "steps": rule.remediation.steps,
                "references": references, "items": items,
            }))
        })
        .collect()
}

/// Above this many findings, passes and not-applicable findings are summarised per rule.
pub(super) const SUMMARIZE_QUIET_AFTER: usize = 300;

/// One row per (rule, status) for passing and not-applicable findings of large reports.
pub(super) fn quiet_summary<'a>(
    report: &Report,
    quiet: impl Iterator<Item = &'a Finding>,
) -> Vec<Json> {
    let mut groups: BTreeMap<(String, usize), (&Finding, Vec<String>)> = BTreeMap::new();
    for f in quiet {
        let key = (
            f.rule.clone(),
            STATUS_ORDER
                .iter()
                .position(|s| *s == f.status)
                .unwrap_or(0),
        );
        groups
            .entry(key)
            .or_insert_with(|| (f, Vec::new()))
            .1
            .push(scope_name(report, &f.scope));
    }
    groups
        .into_values()
        .map(|(f, scopes)| {
            let rule = report.rule(&f.rule);
            json!({
                "rule": f.rule, "title": rule.map(|r| r.title.as_str()).unwrap_or(""),
                "status": f.status.as_str(), "status_title": status_title(f.status),
                "severity": f.severity.as_str(), "label": f.label.as_str(),
                "label_title": label_title(f.label), "count": scopes.len(), "scopes": scopes,
            })
        })
        .collect()
}
