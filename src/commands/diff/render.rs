//! The three renderings of a diff: terminal table, Markdown (for PR comments and job
//! summaries) and JSON (`socready.diff/v1`).

use comfy_table::{ContentArrangement, Table, presets};
use serde_json::json;

use super::resources::Change;
use super::{Diff, FindingChangeKind, Side};
use crate::report::markdown::cell;
use crate::report::terminal::clean;

pub(crate) const SCHEMA: &str = "socready.diff/v1";

fn describe(s: &Side) -> String {
    let tenant = match &s.report.tenant_name {
        Some(n) => format!("{n} ({})", s.report.tenant_id),
        None => s.report.tenant_id.clone(),
    };
    let collected = s
        .report
        .collected_at
        .as_deref()
        .map(|c| format!(", collected {c}"))
        .unwrap_or_default();
    format!("{} ({}, tenant {tenant}{collected})", s.path, s.kind)
}

fn count(diff: &Diff, kind: FindingChangeKind) -> usize {
    diff.findings.iter().filter(|f| f.kind == kind).count()
}

fn res_count(diff: &Diff, change: Change) -> usize {
    diff.resources
        .iter()
        .flatten()
        .filter(|r| r.change == change)
        .count()
}

fn findings_line(diff: &Diff) -> String {
    format!(
        "{} opened, {} closed, {} changed",
        count(diff, FindingChangeKind::Opened),
        count(diff, FindingChangeKind::Closed),
        count(diff, FindingChangeKind::Changed)
    )
}

fn resources_line(diff: &Diff) -> String {
    format!(
        "{} added, {} removed, {} changed",
        res_count(diff, Change::Added),
        res_count(diff, Change::Removed),
        res_count(diff, Change::Changed)
    )
}

fn or_dash(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("—")
}

fn new_table(header: Vec<&str>) -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(160)
        .force_no_tty()
        .set_header(header);
    t
}

pub(crate) fn table(old: &Side, new: &Side, diff: &Diff) -> String {
    let mut s = format!(
        "socready diff\n  before: {}\n  after:  {}\n\n",
        clean(&describe(old)),
        clean(&describe(new))
    );
    s.push_str(&format!("Findings: {}\n", findings_line(diff)));
    if !diff.findings.is_empty() {
        let mut t = new_table(vec![
            "Change", "Rule", "Scope", "Before", "After", "Severity", "Why",
        ]);
        for f in &diff.findings {
            t.add_row(vec![
                f.kind.as_str().to_string(),
                f.rule.clone(),
                clean(&f.scope_name),
                or_dash(&f.before).to_string(),
                or_dash(&f.after).to_string(),
                format!("{} {}", f.severity, f.label),
                clean(&f.message),
            ]);
        }
        s.push_str(&format!("{t}\n"));
    }
    s.push_str(&format!("\nVerdicts: {} changed\n", diff.verdicts.len()));
    if !diff.verdicts.is_empty() {
        let mut t = new_table(vec!["Workspace", "Before", "After"]);
        for v in &diff.verdicts {
            t.add_row(vec![
                clean(&v.name),
                or_dash(&v.before).to_string(),
                or_dash(&v.after).to_string(),
            ]);
        }
        s.push_str(&format!("{t}\n"));
    }
    if let Some(resources) = &diff.resources {
        s.push_str(&format!("\nResources: {}\n", resources_line(diff)));
        if !resources.is_empty() {
            let mut t = new_table(vec!["Change", "Kind", "Where", "Resource"]);
            for r in resources {
                t.add_row(vec![
                    r.change.as_str().to_string(),
                    r.kind.title().to_string(),
                    clean(&r.container),
                    clean(&r.detail),
                ]);
            }
            s.push_str(&format!("{t}\n"));
        }
    }
    for n in &diff.notes {
        s.push_str(&format!("note: {}\n", clean(n)));
    }
    s
}

pub(crate) fn markdown(old: &Side, new: &Side, diff: &Diff) -> String {
    let mut s = format!(
        "## socready diff\n\n- Before: {}\n- After: {}\n\n",
        cell(&describe(old)),
        cell(&describe(new))
    );
    s.push_str(&format!("### Findings: {}\n\n", findings_line(diff)));
    if !diff.findings.is_empty() {
        s.push_str("| Change | Rule | Scope | Before | After | Severity | Why |\n|---|---|---|---|---|---|---|\n");
        for f in &diff.findings {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} {} | {} |\n",
                f.kind.as_str(),
                cell(&f.rule),
                cell(&f.scope_name),
                cell(or_dash(&f.before)),
                cell(or_dash(&f.after)),
                cell(&f.severity),
                cell(&f.label),
                cell(&f.message)
            ));
        }
        s.push('\n');
    }
    s.push_str(&format!(
        "### Verdicts: {} changed\n\n",
        diff.verdicts.len()
    ));
    if !diff.verdicts.is_empty() {
        s.push_str("| Workspace | Before | After |\n|---|---|---|\n");
        for v in &diff.verdicts {
            s.push_str(&format!(
                "| {} | {} | {} |\n",
                cell(&v.name),
                cell(or_dash(&v.before)),
                cell(or_dash(&v.after))
            ));
        }
        s.push('\n');
    }
    if let Some(resources) = &diff.resources {
        s.push_str(&format!("### Resources: {}\n\n", resources_line(diff)));
        if !resources.is_empty() {
            s.push_str("| Change | Kind | Where | Resource | Id |\n|---|---|---|---|---|\n");
            for r in resources {
                s.push_str(&format!(
                    "| {} | {} | {} | {} | {} |\n",
                    r.change.as_str(),
                    r.kind.title(),
                    cell(&r.container),
                    cell(&r.detail),
                    cell(&r.id)
                ));
            }
            s.push('\n');
        }
    }
    for n in &diff.notes {
        s.push_str(&format!("> {}\n", cell(n)));
    }
    s
}

fn side_json(s: &Side) -> serde_json::Value {
    json!({
        "path": s.path,
        "kind": s.kind,
        "tenantId": s.report.tenant_id,
        "tenantName": s.report.tenant_name,
        "collectedAt": s.report.collected_at,
        "generatedAt": s.report.generated_at,
    })
}

pub(crate) fn json(old: &Side, new: &Side, diff: &Diff) -> String {
    let doc = json!({
        "schema": SCHEMA,
        "before": side_json(old),
        "after": side_json(new),
        "summary": {
            "opened": count(diff, FindingChangeKind::Opened),
            "closed": count(diff, FindingChangeKind::Closed),
            "changed": count(diff, FindingChangeKind::Changed),
            "verdictChanges": diff.verdicts.len(),
            "resourcesAdded": diff.resources.as_ref().map(|_| res_count(diff, Change::Added)),
            "resourcesRemoved": diff.resources.as_ref().map(|_| res_count(diff, Change::Removed)),
            "resourcesChanged": diff.resources.as_ref().map(|_| res_count(diff, Change::Changed)),
        },
        "findings": diff.findings.iter().map(|f| json!({
            "change": f.kind.as_str(),
            "rule": f.rule,
            "scope": f.scope,
            "before": f.before,
            "after": f.after,
            "severity": f.severity,
            "label": f.label,
            "message": f.message,
            "fingerprint": f.fingerprint,
        })).collect::<Vec<_>>(),
        "verdicts": diff.verdicts.iter().map(|v| json!({
            "workspace": v.workspace,
            "name": v.name,
            "before": v.before,
            "after": v.after,
        })).collect::<Vec<_>>(),
        "resources": diff.resources.as_ref().map(|rs| rs.iter().map(|r| json!({
            "change": r.change.as_str(),
            "kind": r.kind.key(),
            "id": r.id,
            "where": r.container,
            "detail": r.detail,
        })).collect::<Vec<_>>()),
        "notes": diff.notes,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
