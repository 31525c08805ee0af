//! Terminal output: one verdict line per workspace, a findings table, counts.
//!
//! Colour is decided by the caller (TTY and no `NO_COLOR`); this module only applies it.

use std::io::Write;

use comfy_table::{Cell, Color, ContentArrangement, Table, presets};

use super::{Report, Verdict};
use crate::finding::Status;

fn status_color(s: Status) -> Color {
    match s {
        Status::Pass => Color::Green,
        Status::Fail => Color::Red,
        Status::Unknown => Color::Yellow,
        Status::NotApplicable | Status::Waived => Color::DarkGrey,
    }
}

fn verdict_color(v: Verdict) -> Color {
    match v {
        Verdict::Ready => Color::Green,
        Verdict::NotReady => Color::Red,
        Verdict::Incomplete => Color::Yellow,
    }
}

/// Strips control characters (including bidi overrides) from tenant text before it reaches a
/// terminal, so data cannot move the cursor or reorder what the user reads.
pub(crate) fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control()
                || ('\u{202A}'..='\u{202E}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
            {
                ' '
            } else {
                c
            }
        })
        .collect()
}

pub fn render(report: &Report, out: &mut dyn Write, color: bool) -> std::io::Result<()> {
    let paint = |text: String, c: Color| -> String {
        if color {
            let code = match c {
                Color::Green => "32",
                Color::Red => "31",
                Color::Yellow => "33",
                _ => "90",
            };
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text
        }
    };
    let tenant = report
        .snapshot
        .tenant_name
        .as_deref()
        .map(|n| format!("{} ({})", clean(n), report.snapshot.tenant_id))
        .unwrap_or_else(|| report.snapshot.tenant_id.clone());
    writeln!(out, "socready {} — tenant {tenant}", report.tool_version)?;
    writeln!(
        out,
        "target {}, workspace mode {}, fail-on {}",
        report.target.as_str(),
        report.workspace_mode.as_str(),
        report.fail_on.as_str()
    )?;
    if let Some(c) = &report.config {
        writeln!(out, "config {}", clean(&c.path))?;
    }
    writeln!(out)?;
    if report.workspaces.is_empty() {
        writeln!(
            out,
            "No workspace to evaluate (no Microsoft Sentinel workspace in scope)."
        )?;
    }
    for w in &report.workspaces {
        let role = if w.primary { " (primary)" } else { "" };
        writeln!(
            out,
            "{:<11} {}{role}  {}",
            paint(w.verdict.title().to_string(), verdict_color(w.verdict)),
            clean(&w.name),
            clean(&w.arm_id)
        )?;
    }
    writeln!(out)?;

    let mut table = Table::new();
    let mut header = vec!["Status", "Rule", "Title", "Scope", "Why"];
    if report.baseline.is_some() {
        header.insert(1, "Change");
    }
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(160)
        .force_no_tty()
        .set_header(header);
    for f in &report.findings {
        let rule = report.rule(&f.rule);
        let title = rule.map(|r| r.title.as_str()).unwrap_or("");
        let scope = match &f.scope {
            crate::finding::Scope::Tenant => "tenant".to_string(),
            crate::finding::Scope::Workspace(id) => report
                .workspaces
                .iter()
                .find(|w| &w.id == id)
                .map(|w| w.name.clone())
                .unwrap_or_else(|| id.clone()),
        };
        let mut status = f.status.as_str().to_string();
        if let Some(o) = f.original_status {
            status = format!("waived ({o})");
        }
        let mut why = clean(&f.message);
        if why.chars().count() > 300 {
            why = why.chars().take(297).collect::<String>() + "...";
        }
        let status_cell = if color {
            Cell::new(status).fg(status_color(f.status))
        } else {
            Cell::new(status)
        };
        let mut row = vec![
            status_cell,
            Cell::new(&f.rule),
            Cell::new(title),
            Cell::new(clean(&scope)),
            Cell::new(why),
        ];
        if report.baseline.is_some() {
            let change = report.change_of(f).map(|c| c.as_str()).unwrap_or("");
            row.insert(1, Cell::new(change));
        }
        table.add_row(row);
    }
    if color {
        table.enforce_styling();
    }
    writeln!(out, "{table}")?;
    let counts = Status::ALL
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                report
                    .summary
                    .by_status
                    .get(s.as_str())
                    .copied()
                    .unwrap_or(0),
                s.as_str()
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    writeln!(out, "{} findings: {counts}", report.findings.len())?;
    if !report.not_considered.is_empty() {
        writeln!(
            out,
            "Not considered: {} workspace(s) without Microsoft Sentinel or outside --workspace.",
            report.not_considered.len()
        )?;
    }
    if !report.not_collected.is_empty() {
        writeln!(
            out,
            "Not collected: {} request(s) failed during collection (see the report appendix).",
            report.not_collected.len()
        )?;
    }
    render_gating(report, out)?;
    writeln!(
        out,
        "Run `socready rules explain <ID>` for why a rule matters and how to fix it."
    )?;
    Ok(())
}

/// Config changes, the baseline comparison and the waivers, after the findings.
fn render_gating(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    if let Some(c) = &report.config {
        for d in &c.disabled_rules {
            writeln!(
                out,
                "Disabled by {}: {} {} — {}",
                clean(&c.path),
                d.rule,
                d.title,
                clean(&d.reason)
            )?;
        }
        for o in &c.severity_overrides {
            let why = o
                .reason
                .as_deref()
                .map(|r| format!(" — {}", clean(r)))
                .unwrap_or_default();
            writeln!(
                out,
                "Severity of {} set to {} (default {}) by {}{why}",
                o.rule,
                o.to,
                o.from,
                clean(&c.path)
            )?;
        }
    }
    if let Some(b) = &report.baseline {
        writeln!(out)?;
        let gate = if b.fail_on_new {
            "; only new findings gate the exit code (--fail-on-new)"
        } else {
            ""
        };
        writeln!(
            out,
            "Baseline {}: {} new, {} unchanged, {} fixed{gate}",
            clean(&b.path),
            b.new,
            b.unchanged,
            b.fixed.len()
        )?;
        for f in &b.fixed {
            let now = f.now.map(|s| s.as_str()).unwrap_or("no longer evaluated");
            // Workspaces by name when this scan still has them, else by id.
            let scope = report
                .workspaces
                .iter()
                .find(|w| w.id == f.scope)
                .map(|w| w.name.as_str())
                .unwrap_or(&f.scope);
            writeln!(
                out,
                "  fixed  {} {} (was {}, now {now})",
                f.rule,
                clean(scope),
                f.was
            )?;
        }
    }
    if !report.waiver_notes.is_empty() {
        writeln!(out)?;
        let mut table = Table::new();
        table
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(160)
            .force_no_tty()
            .set_header(vec![
                "Waiver", "Rule", "Scope", "Expires", "Owner", "Reason", "Note",
            ]);
        for n in &report.waiver_notes {
            let owner = match &n.ticket {
                Some(t) => format!("{} ({})", clean(&n.owner), clean(t)),
                None => clean(&n.owner),
            };
            table.add_row(vec![
                n.state.as_str().to_string(),
                n.rule.clone(),
                clean(&n.scope),
                n.expires.clone(),
                owner,
                clean(&n.reason),
                clean(&n.message),
            ]);
        }
        writeln!(out, "Waivers\n{table}")?;
    }
    for w in warnings(report) {
        writeln!(out, "warning: {w}")?;
    }
    Ok(())
}

/// One line per thing a pipeline log should show even when the table is not printed: waivers
/// expiring, expired or stale, and a baseline taken from another tenant.
pub fn warnings(report: &Report) -> Vec<String> {
    let mut v: Vec<String> = report
        .waiver_warnings()
        .map(|n| {
            format!(
                "waiver {} {} ({}) is {}: {}",
                n.rule,
                clean(&n.scope),
                clean(&n.location),
                n.state.as_str(),
                clean(&n.message)
            )
        })
        .collect();
    if let Some(b) = report.baseline.as_ref().filter(|b| b.other_tenant) {
        v.push(format!(
            "baseline {} is from tenant {}, this scan is tenant {}: every open finding counts as new",
            clean(&b.path),
            clean(&b.tenant_id),
            report.snapshot.tenant_id
        ));
    }
    v
}
