//! GitHub-flavoured Markdown summary for pull-request comments and `$GITHUB_STEP_SUMMARY`.
//!
//! Compact (kept under 60 KB; GitHub allows 64 KiB in a comment) and readable as plain text:
//! the verdict per workspace, the blocking items with who must act, counts, baseline changes
//! and waivers that need attention, then a table of the findings that fail, are unknown or are
//! waived (passing and not-applicable rules are listed by id). Every string from the tenant goes
//! through `cell`, which escapes the characters Markdown would act on (`|`, `<`, backticks,
//! `*`, `_`, `[`, `$`, ...) and makes control and bidi characters visible.

use std::borrow::Cow;
use std::fmt::Write as _;

use super::{Report, Verdict};
use crate::finding::{Finding, Label, Scope, Status};

/// Output budget in bytes; rows past it are summarised in one line.
const MAX_BYTES: usize = 60_000;
/// Above this many workspaces, the verdict table lists only those that are not ready.
const MAX_WORKSPACE_ROWS: usize = 50;
/// Scopes named per blocking item.
const MAX_LISTED: usize = 10;
/// Characters of a finding message shown; the HTML and JSON reports have it whole.
const MAX_MESSAGE: usize = 280;

/// Writes the Markdown summary for `report`.
pub fn render(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(build(report).as_bytes())
}

fn verdict_mark(v: Verdict) -> &'static str {
    match v {
        Verdict::Ready => "✅",
        Verdict::NotReady => "❌",
        Verdict::Incomplete => "⚠️",
    }
}

fn status_text(s: Status) -> &'static str {
    match s {
        Status::Pass => "✅ pass",
        Status::Fail => "❌ fail",
        Status::Unknown => "❔ unknown",
        Status::NotApplicable => "➖ n/a",
        Status::Waived => "💤 waived",
    }
}

fn scope_name(report: &Report, scope: &Scope) -> String {
    match scope {
        Scope::Tenant => "tenant".to_string(),
        Scope::Workspace(id) => report
            .workspaces
            .iter()
            .find(|w| &w.id == id)
            .map(|w| w.name.clone())
            .unwrap_or_else(|| id.rsplit('/').next().unwrap_or(id).to_string()),
    }
}

fn build(report: &Report) -> String {
    let mut md = String::new();
    let overall = report
        .workspaces
        .iter()
        .map(|w| w.verdict)
        .max_by_key(|v| match v {
            Verdict::Ready => 0,
            Verdict::Incomplete => 1,
            Verdict::NotReady => 2,
        });
    let blocking_open = |f: &&Finding| {
        f.label == Label::Blocking && matches!(f.status, Status::Fail | Status::Unknown)
    };
    let overall = overall.unwrap_or_else(|| {
        let tenant: Vec<&Finding> = report.findings.iter().filter(blocking_open).collect();
        if tenant.iter().any(|f| f.status == Status::Fail) {
            Verdict::NotReady
        } else if tenant.is_empty() {
            Verdict::Ready
        } else {
            Verdict::Incomplete
        }
    });
    let _ = writeln!(
        md,
        "## {} {}: Microsoft Sentinel → Defender portal readiness\n",
        verdict_mark(overall),
        overall.title()
    );
    let s = &report.snapshot;
    let tenant = match &s.tenant_name {
        Some(n) => format!("**{}** (`{}`)", cell(n), code(&s.tenant_id)),
        None => format!("`{}`", code(&s.tenant_id)),
    };
    let _ = writeln!(
        md,
        "Tenant {tenant} · snapshot collected {} · target `{}` · workspace mode `{}` · socready {}\n",
        cell(s.collected_at.as_deref().unwrap_or("at an unknown time")),
        report.target.as_str(),
        report.workspace_mode.as_str(),
        cell(&report.tool_version)
    );

    // Verdict per workspace.
    if report.workspaces.is_empty() {
        md.push_str("No workspace with Microsoft Sentinel is in scope.\n\n");
    } else {
        md.push_str("| Workspace | Verdict | Blocking items |\n|---|---|---|\n");
        // Many workspaces: list those that are not ready, count the others.
        let many = report.workspaces.len() > MAX_WORKSPACE_ROWS;
        for w in &report.workspaces {
            if many && w.verdict == Verdict::Ready {
                continue;
            }
            let scope = Scope::Workspace(w.id.clone());
            let blockers: Vec<String> = report
                .findings
                .iter()
                .filter(blocking_open)
                .filter(|f| f.scope == Scope::Tenant || f.scope == scope)
                .map(|f| format!("{} ({})", f.rule, f.status))
                .collect();
            let _ = writeln!(
                md,
                "| {}{} | {} {} | {} |",
                cell(&w.name),
                if w.primary { " (primary)" } else { "" },
                verdict_mark(w.verdict),
                w.verdict.title(),
                if blockers.is_empty() {
                    "none".to_string()
                } else {
                    blockers.join(", ")
                }
            );
        }
        if many {
            let ready = report
                .workspaces
                .iter()
                .filter(|w| w.verdict == Verdict::Ready)
                .count();
            let _ = writeln!(md, "\n{ready} ready workspace(s) are not listed.");
        }
        md.push('\n');
    }

    // Blocking items with who must act: one bullet per rule and status, listing the scopes.
    let blockers: Vec<&Finding> = report
        .actionable()
        .into_iter()
        .filter(|f| f.label == Label::Blocking && f.status != Status::Waived)
        .collect();
    if !blockers.is_empty() {
        md.push_str("### Blocking items\n\n");
        let mut groups: Vec<(&str, Status, Vec<&Finding>)> = Vec::new();
        for f in &blockers {
            match groups
                .iter_mut()
                .find(|(r, s, _)| *r == f.rule && *s == f.status)
            {
                Some(g) => g.2.push(f),
                None => groups.push((&f.rule, f.status, vec![f])),
            }
        }
        for (rule_id, status, fs) in groups {
            let rule = report.rule(rule_id);
            let scopes: Vec<String> = fs
                .iter()
                .take(MAX_LISTED)
                .map(|f| cell(&scope_name(report, &f.scope)))
                .collect();
            let more = fs.len().saturating_sub(MAX_LISTED);
            let mut message = cell(&short(&fs[0].message));
            if !message.ends_with(['.', '!', '?', '…']) {
                message.push('.');
            }
            let example = if fs.len() > 1 {
                format!("; for example {}: ", scopes[0])
            } else {
                ": ".to_string()
            };
            let _ = write!(
                md,
                "- {} **{}** {}, {}{}{example}{message}",
                status_text(status),
                rule_id,
                rule.map(|r| cell(&r.title)).unwrap_or_default(),
                scopes.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                },
            );
            if let Some(r) = rule {
                if !r.remediation.who.is_empty() {
                    let _ = write!(md, " Who: {}.", cell(&r.remediation.who.join(", ")));
                }
                if let Some(u) = r.help_uri() {
                    let _ = write!(md, " [Learn]({})", url(u));
                }
            }
            md.push('\n');
        }
        md.push('\n');
    }

    // Counts.
    let counts: Vec<String> = [
        Status::Fail,
        Status::Unknown,
        Status::Waived,
        Status::Pass,
        Status::NotApplicable,
    ]
    .iter()
    .map(|st| {
        let n = report.findings.iter().filter(|f| f.status == *st).count();
        format!("{n} {}", st.as_str())
    })
    .collect();
    let _ = writeln!(
        md,
        "**{} findings:** {} · exit code {} (`--fail-on {}`)\n",
        report.findings.len(),
        counts.join(" · "),
        report.exit_code,
        report.fail_on.as_str()
    );

    if let Some(b) = &report.baseline {
        let _ = writeln!(
            md,
            "**Against the baseline** `{}`: {} new, {} unchanged, {} fixed{}.\n",
            code(&b.path),
            b.new,
            b.unchanged,
            b.fixed.len(),
            if b.other_tenant {
                " (the baseline is from another tenant)"
            } else {
                ""
            }
        );
    }
    let warnings: Vec<_> = report.waiver_warnings().collect();
    if !warnings.is_empty() {
        md.push_str("### Waivers needing attention\n\n");
        for n in warnings {
            let _ = writeln!(
                md,
                "- ⚠️ {} waiver for **{}** ({}), owner {}, expires {}: {}",
                n.state.as_str(),
                cell(&n.rule),
                cell(&n.location),
                cell(&n.owner),
                cell(&n.expires),
                cell(&n.message)
            );
        }
        md.push('\n');
    }
    if let Some(cfg) = &report.config
        && !cfg.disabled_rules.is_empty()
    {
        let list: Vec<String> = cfg
            .disabled_rules
            .iter()
            .map(|d| format!("{} ({})", cell(&d.rule), cell(&d.reason)))
            .collect();
        let _ = writeln!(
            md,
            "Disabled by `{}`: {}.\n",
            code(&cfg.path),
            list.join(", ")
        );
    }

    // Findings that need attention, most important first, within the budget; passing and
    // not-applicable rules are listed by id only.
    let mut rows: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| !matches!(f.status, Status::Pass | Status::NotApplicable))
        .collect();
    rows.sort_by_key(|f| {
        let rank = match f.status {
            Status::Fail => 0,
            Status::Unknown => 1,
            Status::Waived => 2,
            Status::Pass => 3,
            Status::NotApplicable => 4,
        };
        (
            rank,
            f.label != Label::Blocking,
            std::cmp::Reverse(f.severity),
            f.rule.clone(),
            f.scope.clone(),
        )
    });
    if rows.is_empty() {
        md.push_str("### Findings\n\nNothing fails, is unknown or is waived.\n");
    } else {
        md.push_str("### Findings\n\n| Rule | Scope | Status | Severity | Label | Message |\n|---|---|---|---|---|---|\n");
    }
    let mut omitted = 0;
    for f in rows {
        let mut message = cell(&short(&f.message));
        if let Some(w) = &f.waiver {
            let _ = write!(
                message,
                " (waived until {} by {}: {})",
                cell(&w.expires),
                cell(&w.owner),
                cell(&w.reason)
            );
        }
        let new = match report.change_of(f) {
            Some(crate::engine::baseline::Change::New) => " (new)",
            _ => "",
        };
        let row = format!(
            "| {} | {} | {}{new} | {} | {} | {} |\n",
            f.rule,
            cell(&scope_name(report, &f.scope)),
            status_text(f.status),
            f.severity,
            f.label,
            message
        );
        if omitted > 0 || md.len() + row.len() > MAX_BYTES {
            omitted += 1;
        } else {
            md.push_str(&row);
        }
    }
    for (status, what) in [
        (Status::Pass, "Passed"),
        (Status::NotApplicable, "Not applicable"),
    ] {
        let mut ids: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.status == status)
            .map(|f| f.rule.as_str())
            .collect();
        ids.dedup();
        if !ids.is_empty() {
            let n = report
                .findings
                .iter()
                .filter(|f| f.status == status)
                .count();
            let _ = writeln!(md, "\n{what} ({n}): {}.", ids.join(", "));
        }
    }
    if omitted > 0 {
        let _ = writeln!(
            md,
            "\n{omitted} more findings are not shown here; see the HTML or JSON report."
        );
    }
    if !report.not_collected.is_empty() {
        let _ = writeln!(
            md,
            "\n{} collection(s) failed; rules that need them are unknown.",
            report.not_collected.len()
        );
    }
    md
}

/// A message cut to [`MAX_MESSAGE`] characters (before escaping, so no escape is cut).
fn short(s: &str) -> Cow<'_, str> {
    match s.char_indices().nth(MAX_MESSAGE) {
        Some((i, _)) => Cow::Owned(format!("{}…", &s[..i])),
        None => Cow::Borrowed(s),
    }
}

/// Escapes text for inline Markdown and table cells: backslash before every character that
/// GitHub-flavoured Markdown could act on, newlines folded, controls made visible.
pub(crate) fn cell(s: &str) -> String {
    let s = super::html::neutralize(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text inside a code span: backticks cannot be escaped there, so they are replaced.
fn code(s: &str) -> String {
    super::html::neutralize(s)
        .replace('`', "'")
        .replace(['\n', '\r'], " ")
        .replace('|', "\\|")
}

/// A link target: only our rule references (https URLs) reach here; parentheses and spaces
/// are encoded so the link cannot break.
fn url(u: &str) -> String {
    u.replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
        .replace('<', "%3C")
        .replace('>', "%3E")
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cell_escapes_markdown_and_html() {
        assert_eq!(cell("a|b"), "a\\|b");
        assert_eq!(
            cell("<script>alert(1)</script>"),
            "\\<script\\>alert(1)\\</script\\>"
        );
        assert_eq!(cell("`x` *y* _z_"), "\\`x\\` \\*y\\* \\_z\\_");
        assert_eq!(cell("{{ 7*7 }}"), "{{ 7\\*7 }}");
        assert_eq!(cell("line\nbreak"), "line break");
        assert_eq!(cell("rlo\u{202E}"), "rlo\\[U+202E\\]");
    }
}
