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
        tool: Tool { name: "socready", version: &report.tool_version },
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
            })
            .collect(),
        verdicts: report.workspaces.iter().map(|w| (w.id.as_str(), w.verdict.as_str())).collect(),
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
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
