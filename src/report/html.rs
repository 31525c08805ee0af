//! Self-contained HTML readiness report for people: a consultant's hand-over, printable.
//!
//! The page is rendered on the server from minijinja templates in `reports/` (embedded at build
//! time): inline CSS, a little vanilla JS for the findings filters, inline SVG charts with text
//! equivalents, no request to anything outside the file (a strict Content-Security-Policy says
//! so). Every string from the tenant goes through minijinja's HTML auto-escaping and
//! `neutralize`; nothing from the tenant is ever marked safe. Only our own CSS and JS are.
//!
//! This module prepares plain data (the context) and leaves the layout to the templates; it
//! never evaluates rules.

use std::borrow::Cow;
use std::collections::BTreeMap;

use minijinja::{AutoEscape, Environment, Value};
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};

use super::{Report, Verdict};
use crate::finding::{Finding, Label, Scope, Severity, Status};

const TEMPLATE: &str = include_str!("../../reports/report.html");
const MACROS: &str = include_str!("../../reports/macros.html");
const CSS: &str = include_str!("../../reports/report.css");
const JS: &str = include_str!("../../reports/report.js");

/// Evidence items shown per finding that needs action; the JSON report keeps them all.
const MAX_EVIDENCE: usize = 30;
/// Evidence items shown per `pass`/`not_applicable` finding (keeps large tenants' reports small).
const MAX_EVIDENCE_QUIET: usize = 5;

/// Writes the HTML report for `report`.
pub fn render(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let env = environment().map_err(std::io::Error::other)?;
    let mut ctx = to_value(context(report));
    let assets = Value::from_object(BTreeMap::from([
        ("css".to_string(), Value::from_safe_string(CSS.to_string())),
        ("js".to_string(), Value::from_safe_string(JS.to_string())),
        (
            "csp".to_string(),
            Value::from(format!(
                "default-src 'none'; style-src 'sha256-{}'; script-src 'sha256-{}'; img-src data:; base-uri 'none'; form-action 'none'",
                sha256_base64(CSS),
                sha256_base64(JS)
            )),
        ),
    ]));
    ctx = minijinja::context! { assets => assets, ..ctx };
    let tmpl = env
        .get_template("report.html")
        .map_err(std::io::Error::other)?;
    let html = tmpl.render(ctx).map_err(std::io::Error::other)?;
    out.write_all(html.as_bytes())
}

fn environment() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = escaping_environment();
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()?,
    );
    env.add_template("macros.html", MACROS)?;
    env.add_template("report.html", TEMPLATE)?;
    Ok(env)
}

/// A template environment for HTML that escapes every printed value: `.html` templates are
/// auto-escaped, undefined values are errors, and control and bidi characters from the tenant
/// are made visible before escaping. Shared by the report and the portfolio summary.
pub(crate) fn escaping_environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_formatter(|out, state, value| {
        if !value.is_safe()
            && let Some(s) = value.as_str()
            && let Cow::Owned(clean) = neutralize(s)
        {
            return minijinja::escape_formatter(out, state, &Value::from(clean));
        }
        minijinja::escape_formatter(out, state, value)
    });
    env
}

/// Makes text from the tenant safe to show: C0/C1 control characters (except tab and newline)
/// and Unicode bidirectional controls (which can make text read differently from what it is,
/// "Trojan Source") become a visible `[U+XXXX]`. Escaping for the output format is separate.
pub(crate) fn neutralize(s: &str) -> Cow<'_, str> {
    fn bad(c: char) -> bool {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
            || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    }
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            out.push_str(&format!("[U+{:04X}]", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn sha256_base64(s: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let digest = Sha256::digest(s.as_bytes());
    let mut out = String::new();
    for chunk in digest.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// JSON (built with `serde_json`) to a template value; minijinja's serde support is not
/// enabled in this crate and the context is small.
fn to_value(v: Json) -> Value {
    match v {
        Json::Null => Value::from(()),
        Json::Bool(b) => Value::from(b),
        Json::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Value::from(i),
            (None, Some(f)) => Value::from(f),
            _ => Value::from(n.to_string()),
        },
        Json::String(s) => Value::from(s),
        Json::Array(a) => a.into_iter().map(to_value).collect(),
        Json::Object(o) => Value::from_object(
            o.into_iter()
                .map(|(k, v)| (k, to_value(v)))
                .collect::<BTreeMap<String, Value>>(),
        ),
    }
}

const STATUS_ORDER: [Status; 5] = [
    Status::Fail,
    Status::Unknown,
    Status::Waived,
    Status::Pass,
    Status::NotApplicable,
];
const SEVERITY_ORDER: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];
const LABEL_ORDER: [Label; 3] = [Label::Blocking, Label::Recommended, Label::Impact];

fn status_title(s: Status) -> &'static str {
    match s {
        Status::Pass => "Pass",
        Status::Fail => "Fail",
        Status::Unknown => "Unknown",
        Status::NotApplicable => "Not applicable",
        Status::Waived => "Waived",
    }
}

fn label_title(l: Label) -> &'static str {
    match l {
        Label::Blocking => "Blocking",
        Label::Recommended => "Recommended",
        Label::Impact => "Impact",
    }
}

/// Display name of a scope: "Tenant" or the workspace name.
fn scope_name(report: &Report, scope: &Scope) -> String {
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

fn last_segment(id: &str) -> &str {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or(id)
}

fn finding_json(report: &Report, f: &Finding) -> Json {
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
const SHORT_MESSAGE: usize = 300;

fn short(s: &str) -> String {
    match s.char_indices().nth(SHORT_MESSAGE) {
        Some((i, _)) => format!("{}… (full text under Findings)", &s[..i]),
        None => s.to_string(),
    }
}

/// A blocking `fail`/`unknown` that is not waived: what decides a verdict.
fn is_blocker(f: &Finding) -> bool {
    f.label == Label::Blocking && matches!(f.status, Status::Fail | Status::Unknown)
}

fn overall(report: &Report) -> Json {
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

fn workspaces(report: &Report) -> Vec<Json> {
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
const TRANSPOSE_AFTER: usize = 6;

/// Rules × scopes. Tenant-scope rules have one cell spanning every column.
fn matrix(report: &Report) -> Json {
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
fn plan(report: &Report) -> Vec<Json> {
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

/// Bars for the two charts, with coordinates computed here so the template only draws.
fn charts(report: &Report) -> Json {
    const WIDTH: f64 = 320.0;
    let count =
        |pred: &dyn Fn(&Finding) -> bool| report.findings.iter().filter(|f| pred(f)).count();
    let by_label: Vec<(Label, Vec<(Status, usize)>)> = LABEL_ORDER
        .iter()
        .map(|&l| {
            let counts = STATUS_ORDER
                .iter()
                .map(|&s| (s, count(&|f| f.label == l && f.status == s)))
                .collect();
            (l, counts)
        })
        .collect();
    let max = by_label
        .iter()
        .map(|(_, c)| c.iter().map(|(_, n)| n).sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let label_rows: Vec<Json> = by_label
        .iter()
        .enumerate()
        .map(|(i, (l, counts))| {
            let mut x = 0.0;
            let total: usize = counts.iter().map(|(_, n)| n).sum();
            let segments: Vec<Json> = counts
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(s, n)| {
                    let w = (*n as f64) * WIDTH / max;
                    let seg = json!({"status": s.as_str(), "title": status_title(*s), "count": n,
                                     "x": round1(x), "width": round1(w), "mid": round1(x + w / 2.0),
                                     "show": w >= 22.0});
                    x += w;
                    seg
                })
                .collect();
            let counts: Vec<Json> = counts
                .iter()
                .map(|(s, n)| json!({"status": s.as_str(), "title": status_title(*s), "count": n}))
                .collect();
            json!({"label": l.as_str(), "title": label_title(*l), "y": i * 40, "total": total,
                   "end": round1(x), "segments": segments, "counts": counts})
        })
        .collect();
    let sev: Vec<(Severity, usize, usize)> = SEVERITY_ORDER
        .iter()
        .map(|&s| {
            (
                s,
                count(&|f| f.severity == s && f.status == Status::Fail),
                count(&|f| f.severity == s && f.status == Status::Unknown),
            )
        })
        .collect();
    let smax = sev.iter().map(|(_, a, b)| a + b).max().unwrap_or(0).max(1) as f64;
    let severity_rows: Vec<Json> = sev
        .iter()
        .enumerate()
        .map(|(i, (s, fail, unknown))| {
            let wf = (*fail as f64) * WIDTH / smax;
            let wu = (*unknown as f64) * WIDTH / smax;
            json!({"severity": s.as_str(), "y": i * 32, "fail": fail, "unknown": unknown,
                   "fail_width": round1(wf), "unknown_width": round1(wu),
                   "fail_mid": round1(wf / 2.0), "unknown_mid": round1(wf + wu / 2.0),
                   "show_fail": wf >= 22.0, "show_unknown": wu >= 22.0,
                   "end": round1(wf + wu), "total": fail + unknown})
        })
        .collect();
    json!({"by_label": label_rows, "by_severity": severity_rows, "width": WIDTH})
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Above this many findings, passes and not-applicable findings are summarised per rule.
const SUMMARIZE_QUIET_AFTER: usize = 300;

/// One row per (rule, status) for passing and not-applicable findings of large reports.
fn quiet_summary<'a>(report: &Report, quiet: impl Iterator<Item = &'a Finding>) -> Vec<Json> {
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

/// Principals shown per workspace in the access matrix; the JSON report and `socready access`
/// have every one.
const ACCESS_ROWS: usize = 40;

/// The who-can-do-what matrix, per workspace: principals (most tasks first) × tasks.
fn access_matrix(report: &Report) -> Option<Json> {
    let m = report.access.as_ref()?;
    let cell = |c: Option<&str>| match c {
        Some("active") => json!({"status": "pass", "title": "Yes"}),
        Some("eligible") => json!({"status": "pass", "title": "After PIM activation"}),
        Some("conditional") => json!({"status": "unknown", "title": "Conditional (ABAC)"}),
        Some(_) => json!({"status": "unknown", "title": "Unverified"}),
        None => json!({"status": "fail", "title": "No"}),
    };
    let workspaces: Vec<Json> = m
        .workspaces
        .iter()
        .map(|w| {
            let mut rows: Vec<_> = w.rows.iter().collect();
            rows.sort_by_key(|r| std::cmp::Reverse(r.cells.iter().filter(|c| c.is_some()).count()));
            let shown: Vec<Json> = rows
                .iter()
                .take(ACCESS_ROWS)
                .map(|r| {
                    json!({
                        "principal": neutralize(&r.principal),
                        "kind": r.principal_type.as_deref().map(neutralize),
                        "cells": r.cells.iter().map(|c| cell(*c)).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let name = report
                .workspaces
                .iter()
                .find(|x| x.id == w.workspace)
                .map(|x| x.name.clone())
                .unwrap_or_else(|| last_segment(&w.workspace).to_string());
            json!({
                "id": neutralize(&w.workspace),
                "name": neutralize(&name),
                "rows": shown,
                "more": w.principal_count.saturating_sub(rows.len().min(ACCESS_ROWS)),
                "gaps": w.gaps.iter().map(|g| neutralize(g)).collect::<Vec<_>>(),
            })
        })
        .collect();
    Some(json!({
        "tasks": m.tasks.iter().map(|t| json!({"title": t})).collect::<Vec<_>>(),
        "workspaces": workspaces,
    }))
}

fn context(report: &Report) -> Json {
    // Findings table: what needs action first, then rule order. In large reports, passes and
    // not-applicable findings become one row per rule and status.
    let mut ordered: Vec<&Finding> = report.findings.iter().collect();
    ordered.sort_by_key(|f| STATUS_ORDER.iter().position(|s| *s == f.status));
    let summarize = report.findings.len() > SUMMARIZE_QUIET_AFTER;
    let quiet = |f: &&&Finding| matches!(f.status, Status::Pass | Status::NotApplicable);
    let findings: Vec<Json> = ordered
        .iter()
        .filter(|f| !(summarize && quiet(f)))
        .map(|f| finding_json(report, f))
        .collect();
    let quiet_groups: Vec<Json> = if summarize {
        quiet_summary(report, ordered.iter().filter(quiet).copied())
    } else {
        Vec::new()
    };
    let impact: Vec<Json> = report
        .findings
        .iter()
        .filter(|f| f.label == Label::Impact)
        .map(|f| finding_json(report, f))
        .collect();
    let waived: Vec<Json> = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Waived)
        .map(|f| finding_json(report, f))
        .collect();
    let rules: Vec<Json> = report
        .rules
        .iter()
        .map(|r| {
            json!({"id": r.id, "name": r.name, "title": r.title, "summary": r.summary,
                   "rationale": r.rationale,
                   "severity": r.severity.as_str(), "label": r.label.as_str(),
                   "label_title": label_title(r.label), "scope": r.scope.as_str(),
                   "help_uri": r.help_uri()})
        })
        .collect();
    let not_collected: Vec<Json> = report
        .not_collected
        .iter()
        .map(|e| {
            json!({"request": e.request, "status": e.status, "code": e.code,
                   "message": e.message, "target": e.target, "describe": e.describe()})
        })
        .collect();
    let mut status_counts = BTreeMap::new();
    for s in Status::ALL {
        status_counts.insert(
            s.as_str(),
            report.findings.iter().filter(|f| f.status == s).count(),
        );
    }
    let config = report.config.as_ref().map(|c| {
        json!({
            "path": c.path,
            "disabled_rules": c.disabled_rules.iter().map(|d| json!({"rule": d.rule, "title": d.title, "reason": d.reason})).collect::<Vec<_>>(),
            "severity_overrides": c.severity_overrides.iter().map(|o| json!({"rule": o.rule, "from": o.from.as_str(), "to": o.to.as_str(), "reason": o.reason})).collect::<Vec<_>>(),
        })
    });
    let waiver_notes: Vec<Json> = report
        .waiver_notes
        .iter()
        .map(|n| {
            json!({"rule": n.rule, "scope": n.scope, "reason": n.reason, "owner": n.owner,
                   "ticket": n.ticket, "expires": n.expires, "state": n.state.as_str(),
                   "warning": n.state.is_warning(), "days_left": n.days_left,
                   "location": n.location, "message": n.message, "findings": n.findings.len()})
        })
        .collect();
    let baseline = report.baseline.as_ref().map(|b| {
        let fixed: Vec<Json> = b
            .fixed
            .iter()
            .map(|x| {
                let scope = if x.scope == "tenant" {
                    Scope::Tenant
                } else {
                    Scope::Workspace(x.scope.clone())
                };
                json!({"rule": x.rule, "scope_name": scope_name(report, &scope),
                       "was": x.was.as_str(), "was_title": status_title(x.was),
                       "now": x.now.map(Status::as_str), "now_title": x.now.map(status_title),
                       "severity": x.severity, "label": x.label, "message": x.message})
            })
            .collect();
        json!({"path": b.path, "generated_at": b.generated_at, "other_tenant": b.other_tenant,
               "new": b.new, "unchanged": b.unchanged, "fixed": fixed})
    });
    let s = &report.snapshot;
    json!({
        "config": config,
        "waiver_notes": waiver_notes,
        "baseline": baseline,
        "tool_version": report.tool_version,
        "generated_at": report.generated_at,
        "tenant": {
            "id": s.tenant_id, "name": s.tenant_name, "collected_at": s.collected_at,
            "sha256": s.sha256, "path": s.path, "redacted": s.redacted,
        },
        "target": report.target.as_str(),
        "workspace_mode": report.workspace_mode.as_str(),
        "fail_on": report.fail_on.as_str(),
        "exit_code": report.exit_code,
        "overall": overall(report),
        "workspaces": workspaces(report),
        "matrix": matrix(report),
        "plan": plan(report),
        "charts": charts(report),
        "findings": findings,
        "quiet_groups": quiet_groups,
        "status_counts": status_counts,
        "access": access_matrix(report),
        "impact": impact,
        "waived": waived,
        "rules": rules,
        "not_considered": report.not_considered.iter().map(|id| json!({"id": id, "name": last_segment(id)})).collect::<Vec<_>>(),
        "not_collected": not_collected,
        "statuses": STATUS_ORDER.iter().map(|s| json!({"key": s.as_str(), "title": status_title(*s)})).collect::<Vec<_>>(),
        "severities": SEVERITY_ORDER.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "labels": LABEL_ORDER.iter().map(|l| json!({"key": l.as_str(), "title": label_title(*l)})).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::{neutralize, sha256_base64};

    #[test]
    fn neutralize_makes_controls_visible() {
        assert_eq!(neutralize("plain <b>"), "plain <b>");
        assert_eq!(neutralize("a\u{202E}b"), "a[U+202E]b");
        assert_eq!(neutralize("x\u{1b}[31m"), "x[U+001B][31m");
        assert_eq!(neutralize("tab\tnew\nline"), "tab\tnew\nline");
    }

    #[test]
    fn base64_of_sha256() {
        // printf '' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            sha256_base64(""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }
}
