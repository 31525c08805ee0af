//! JSON report `socready.report/v1` (DESIGN §3, contract).
//!
//! Written from its own frozen types, not from `Finding`, so internal refactors cannot change
//! the contract by accident.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use super::Report;
use crate::finding::Evidence;

pub const SCHEMA: &str = "socready.report/v1";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct V1<'a> {
    schema: &'static str,
    tool: Tool<'a>,
    generated_at: &'a str,
    snapshot: SnapshotV1<'a>,
    target: &'static str,
    workspace_mode: &'static str,
    fail_on: &'static str,
    rules: Vec<RuleV1<'a>>,
    findings: Vec<FindingV1<'a>>,
    verdicts: BTreeMap<&'a str, &'static str>,
    workspaces: Vec<WorkspaceV1<'a>>,
    not_considered: &'a [String],
    not_collected: &'a [crate::snapshot::CollectionError],
    summary: &'a super::Summary,
    exit_code: i32,
    timings: &'a BTreeMap<String, f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    access: Option<AccessV1<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    config: Option<ConfigV1<'a>>,
    waivers: Vec<WaiverV1<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<BaselineV1<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConfigV1<'a> {
    path: &'a str,
    disabled_rules: Vec<DisabledV1<'a>>,
    severity_overrides: Vec<OverrideV1<'a>>,
}

#[derive(Serialize)]
struct DisabledV1<'a> {
    rule: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct OverrideV1<'a> {
    rule: &'a str,
    from: &'static str,
    to: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

/// One configured waiver and what became of it (`active`, `expiring`, `expired`, `stale`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WaiverV1<'a> {
    rule: &'a str,
    scope: &'a str,
    reason: &'a str,
    owner: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ticket: Option<&'a str>,
    expires: &'a str,
    state: &'static str,
    days_left: i64,
    /// Scopes of the findings it waived (or, expired, would have waived).
    findings: &'a [String],
    location: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BaselineV1<'a> {
    path: &'a str,
    generated_at: Option<&'a str>,
    tenant_id: &'a str,
    fail_on_new: bool,
    counts: BTreeMap<&'static str, usize>,
    fixed: Vec<FixedV1<'a>>,
}

#[derive(Serialize)]
struct FixedV1<'a> {
    rule: &'a str,
    scope: &'a str,
    was: &'static str,
    /// Status now, `null` when this scan has no such finding.
    now: Option<&'static str>,
    severity: &'a str,
    label: &'a str,
    message: &'a str,
    fingerprint: &'a str,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SnapshotV1<'a> {
    path: &'a str,
    sha256: &'a str,
    collected_at: Option<&'a str>,
    tenant_id: &'a str,
    tenant_name: Option<&'a str>,
    redacted: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleV1<'a> {
    id: &'a str,
    name: &'a str,
    title: &'a str,
    severity: &'static str,
    label: &'static str,
    scope: &'static str,
    help_uri: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FindingV1<'a> {
    rule: &'a str,
    scope: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_status: Option<&'static str>,
    severity: &'static str,
    label: &'static str,
    message: &'a str,
    evidence: &'a [Evidence],
    fingerprint: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    waiver: Option<&'a crate::finding::AppliedWaiver>,
    /// With `--baseline`, for open findings: `new` or `unchanged`.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WorkspaceV1<'a> {
    id: &'a str,
    name: &'a str,
    subscription_id: &'a str,
    resource_group: &'a str,
    primary: bool,
    verdict: &'static str,
}

pub fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let doc = V1 {
        schema: SCHEMA,
        tool: Tool {
            name: "socready",
            version: &report.tool_version,
        },
        generated_at: &report.generated_at,
        snapshot: SnapshotV1 {
            path: &report.snapshot.path,
            sha256: &report.snapshot.sha256,
            collected_at: report.snapshot.collected_at.as_deref(),
            tenant_id: &report.snapshot.tenant_id,
            tenant_name: report.snapshot.tenant_name.as_deref(),
            redacted: report.snapshot.redacted,
        },
        target: report.target.as_str(),
        workspace_mode: report.workspace_mode.as_str(),
        fail_on: report.fail_on.as_str(),
        rules: report
            .rules
            .iter()
            .map(|r| RuleV1 {
                id: &r.id,
                name: &r.name,
                title: &r.title,
                severity: r.severity.as_str(),
                label: r.label.as_str(),
                scope: r.scope.as_str(),
                help_uri: r.help_uri(),
            })
            .collect(),
        findings: report
            .findings
            .iter()
            .map(|f| FindingV1 {
                rule: &f.rule,
                scope: f.scope.key(),
                status: f.status.as_str(),
                original_status: f.original_status.map(|s| s.as_str()),
                severity: f.severity.as_str(),
                label: f.label.as_str(),
                message: &f.message,
                evidence: &f.evidence,
                fingerprint: &f.fingerprint,
                waiver: f.waiver.as_ref(),
                baseline: report.change_of(f).map(|c| c.as_str()),
            })
            .collect(),
        verdicts: report
            .workspaces
            .iter()
            .map(|w| (w.id.as_str(), w.verdict.as_str()))
            .collect(),
        workspaces: report
            .workspaces
            .iter()
            .map(|w| WorkspaceV1 {
                id: &w.id,
                name: &w.name,
                subscription_id: &w.subscription_id,
                resource_group: &w.resource_group,
                primary: w.primary,
                verdict: w.verdict.as_str(),
            })
            .collect(),
        not_considered: &report.not_considered,
        not_collected: &report.not_collected,
        summary: &report.summary,
        exit_code: report.exit_code,
        timings: &report.timings,
        access: report.access.as_ref().map(access_v1),
        config: report.config.as_ref().map(|c| ConfigV1 {
            path: &c.path,
            disabled_rules: c
                .disabled_rules
                .iter()
                .map(|d| DisabledV1 {
                    rule: &d.rule,
                    reason: &d.reason,
                })
                .collect(),
            severity_overrides: c
                .severity_overrides
                .iter()
                .map(|o| OverrideV1 {
                    rule: &o.rule,
                    from: o.from.as_str(),
                    to: o.to.as_str(),
                    reason: o.reason.as_deref(),
                })
                .collect(),
        }),
        waivers: report
            .waiver_notes
            .iter()
            .map(|n| WaiverV1 {
                rule: &n.rule,
                scope: &n.scope,
                reason: &n.reason,
                owner: &n.owner,
                ticket: n.ticket.as_deref(),
                expires: &n.expires,
                state: n.state.as_str(),
                days_left: n.days_left,
                findings: &n.findings,
                location: &n.location,
                message: &n.message,
            })
            .collect(),
        baseline: report.baseline.as_ref().map(|b| BaselineV1 {
            path: &b.path,
            generated_at: b.generated_at.as_deref(),
            tenant_id: &b.tenant_id,
            fail_on_new: b.fail_on_new,
            counts: BTreeMap::from([
                ("new", b.new),
                ("unchanged", b.unchanged),
                ("fixed", b.fixed.len()),
            ]),
            fixed: b
                .fixed
                .iter()
                .map(|f| FixedV1 {
                    rule: &f.rule,
                    scope: &f.scope,
                    was: f.was.as_str(),
                    now: f.now.map(|s| s.as_str()),
                    severity: &f.severity,
                    label: &f.label,
                    message: &f.message,
                    fingerprint: &f.fingerprint,
                })
                .collect(),
        }),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AccessV1<'a> {
    tasks: &'a [String],
    workspaces: Vec<WorkspaceAccessV1<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WorkspaceAccessV1<'a> {
    workspace: &'a str,
    /// Principals with at least one task, in all.
    principal_count: usize,
    /// Principals per task (same order as `tasks`) that can do it, at any level.
    task_counts: Vec<usize>,
    /// The first principals, those with the most tasks first.
    rows: Vec<&'a crate::rbac::tasks::AccessRow>,
    truncated: bool,
    gaps: &'a [String],
}

/// The access matrix as the engine kept it: at most [`crate::engine::ACCESS_ROWS`] principals
/// per workspace (those with the most tasks first), so a tenant with thousands of readers does
/// not turn the report into hundreds of megabytes; the counts are of everyone.
fn access_v1(m: &crate::rbac::AccessMatrix) -> AccessV1<'_> {
    AccessV1 {
        tasks: &m.tasks,
        workspaces: m
            .workspaces
            .iter()
            .map(|w| {
                let mut rows: Vec<&crate::rbac::tasks::AccessRow> = w.rows.iter().collect();
                rows.sort_by_key(|r| {
                    std::cmp::Reverse(r.cells.iter().filter(|c| c.is_some()).count())
                });
                WorkspaceAccessV1 {
                    workspace: &w.workspace,
                    principal_count: w.principal_count,
                    task_counts: w.task_counts.clone(),
                    rows,
                    truncated: w.truncated(),
                    gaps: &w.gaps,
                }
            })
            .collect(),
    }
}
