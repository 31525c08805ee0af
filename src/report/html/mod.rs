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

mod access;
mod charts;
mod sections;

use super::Report;
use crate::finding::{Finding, Label, Scope, Status};
use access::access_matrix;
use charts::charts;
use sections::*;

const TEMPLATE: &str = include_str!("../../../reports/report.html");
const MACROS: &str = include_str!("../../../reports/macros.html");
const CSS: &str = include_str!("../../../reports/report.css");
const JS: &str = include_str!("../../../reports/report.js");

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
