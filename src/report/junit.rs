//! JUnit XML output for test dashboards (GitLab, Azure DevOps, Jenkins).
//!
//! One `<testsuite>` per scope (the tenant first, then each workspace), one `<testcase>` per
//! rule evaluated for that scope. Status mapping:
//!
//! | finding          | JUnit                                                        |
//! |------------------|--------------------------------------------------------------|
//! | `pass`           | a plain testcase                                             |
//! | `fail`           | `<failure>`                                                  |
//! | `unknown`        | `<error>`: the check could not run to a verdict (no data, access denied); dashboards keep it red, unlike `<skipped>` |
//! | `not_applicable` | `<skipped>`                                                  |
//! | `waived`         | `<skipped>` whose message gives the original status and the waiver |
//!
//! Text is XML-escaped; characters XML 1.0 cannot carry (most C0 controls) and bidi controls
//! are replaced by a visible `[U+XXXX]`.

use std::fmt::Write as _;

use super::Report;
use crate::finding::{Finding, Scope, Status};

/// Evidence items written per testcase.
const MAX_EVIDENCE: usize = 50;

/// Writes the JUnit XML document for `report`.
pub fn render(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(build(report).as_bytes())
}

struct Suite<'a> {
    name: String,
    scope: &'a str,
    verdict: Option<&'static str>,
    findings: Vec<&'a Finding>,
}

fn suites(report: &Report) -> Vec<Suite<'_>> {
    let tenant_name = match &report.snapshot.tenant_name {
        Some(n) => format!("tenant {n} ({})", report.snapshot.tenant_id),
        None => format!("tenant {}", report.snapshot.tenant_id),
    };
    let mut suites = vec![Suite {
        name: tenant_name,
        scope: "tenant",
        verdict: None,
        findings: Vec::new(),
    }];
    for w in &report.workspaces {
        suites.push(Suite {
            name: format!("workspace {}", w.name),
            scope: &w.id,
            verdict: Some(w.verdict.as_str()),
            findings: Vec::new(),
        });
    }
    for f in &report.findings {
        let key = f.scope.key();
        match suites.iter_mut().find(|s| s.scope == key) {
            Some(s) => s.findings.push(f),
            None => suites.push(Suite {
                name: format!("workspace {key}"),
                scope: key,
                verdict: None,
                findings: vec![f],
            }),
        }
    }
    suites.retain(|s| !s.findings.is_empty());
    suites
}

/// Seconds spent on one finding: the rule's time spread over its scopes.
fn seconds(report: &Report, f: &Finding) -> f64 {
    let n = report
        .findings
        .iter()
        .filter(|g| g.rule == f.rule)
        .count()
        .max(1);
    report.timings.get(&f.rule).copied().unwrap_or(0.0) / 1000.0 / n as f64
}

fn build(report: &Report) -> String {
    let suites = suites(report);
    let count =
        |pred: &dyn Fn(&Finding) -> bool| report.findings.iter().filter(|f| pred(f)).count();
    let skipped = |f: &Finding| matches!(f.status, Status::NotApplicable | Status::Waived);
    let total_time: f64 = report.findings.iter().map(|f| seconds(report, f)).sum();
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"socready\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
        report.findings.len(),
        count(&|f| f.status == Status::Fail),
        count(&|f| f.status == Status::Unknown),
        count(&skipped),
        total_time
    );
    for (i, s) in suites.iter().enumerate() {
        let c = |pred: &dyn Fn(&Finding) -> bool| s.findings.iter().filter(|f| pred(f)).count();
        let time: f64 = s.findings.iter().map(|f| seconds(report, f)).sum();
        let _ = writeln!(
            x,
            "  <testsuite id=\"{i}\" name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3}\" timestamp=\"{}\">",
            esc(&s.name),
            s.findings.len(),
            c(&|f| f.status == Status::Fail),
            c(&|f| f.status == Status::Unknown),
            c(&skipped),
            time,
            esc(report.generated_at.trim_end_matches('Z'))
        );
        x.push_str("    <properties>\n");
        let mut props = vec![
            ("scope", s.scope.to_string()),
            ("tenant", report.snapshot.tenant_id.clone()),
            ("target", report.target.as_str().to_string()),
            ("snapshot.sha256", report.snapshot.sha256.clone()),
        ];
        if let Some(v) = s.verdict {
            props.push(("verdict", v.to_string()));
        }
        for (k, v) in props {
            let _ = writeln!(x, "      <property name=\"{k}\" value=\"{}\"/>", esc(&v));
        }
        x.push_str("    </properties>\n");
        for f in &s.findings {
            testcase(&mut x, report, f, s);
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

fn testcase(x: &mut String, report: &Report, f: &Finding, suite: &Suite<'_>) {
    let rule = report.rule(&f.rule);
    let name = match rule {
        Some(r) => format!("{} {}: {}", r.id, r.name, r.title),
        None => f.rule.clone(),
    };
    let classname = match &f.scope {
        Scope::Tenant => "socready.tenant".to_string(),
        Scope::Workspace(_) => format!(
            "socready.workspace.{}",
            suite.name.trim_start_matches("workspace ")
        ),
    };
    let _ = write!(
        x,
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\"",
        esc(&name),
        esc(&classname),
        seconds(report, f)
    );
    let body = details(report, f);
    let kind = format!("{}/{}", f.severity, f.label);
    match f.status {
        Status::Pass => {
            x.push_str(">\n");
            let _ = writeln!(x, "      <system-out>{}</system-out>", esc(&body));
        }
        Status::Fail => {
            let _ = writeln!(
                x,
                ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>",
                esc(&f.message),
                esc(&kind),
                esc(&body)
            );
        }
        Status::Unknown => {
            let _ = writeln!(
                x,
                ">\n      <error message=\"{}\" type=\"unknown\">{}</error>",
                esc(&format!("could not be evaluated: {}", f.message)),
                esc(&body)
            );
        }
        Status::NotApplicable => {
            let _ = writeln!(
                x,
                ">\n      <skipped message=\"{}\"/>",
                esc(&format!("not applicable: {}", f.message))
            );
        }
        Status::Waived => {
            let was = f.original_status.map(Status::as_str).unwrap_or("fail");
            let msg = match &f.waiver {
                Some(w) => format!(
                    "waived ({was}) until {} by {}: {}",
                    w.expires, w.owner, w.reason
                ),
                None => format!("waived ({was})"),
            };
            let _ = writeln!(x, ">\n      <skipped message=\"{}\"/>", esc(&msg));
            let _ = writeln!(x, "      <system-out>{}</system-out>", esc(&body));
        }
    }
    x.push_str("    </testcase>\n");
}

/// The long text of a testcase: message, evidence and how to fix.
fn details(report: &Report, f: &Finding) -> String {
    let mut s = format!("{}\n", f.message);
    // Passing and not-applicable testcases carry the message only: their evidence is in the
    // JSON report, and large tenants would otherwise produce megabytes of XML.
    let quiet = matches!(f.status, Status::Pass | Status::NotApplicable);
    if !f.evidence.is_empty() && !quiet {
        s.push_str("\nEvidence:\n");
        for e in f.evidence.iter().take(MAX_EVIDENCE) {
            let _ = write!(s, "- {}", e.resource);
            if !e.detail.is_empty() {
                let _ = write!(s, ": {}", e.detail);
            }
            if !e.pointer.is_empty() {
                let _ = write!(s, " [{}]", e.pointer);
            }
            s.push('\n');
        }
        if f.evidence.len() > MAX_EVIDENCE {
            let _ = writeln!(
                s,
                "- ... and {} more (see socready.json)",
                f.evidence.len() - MAX_EVIDENCE
            );
        }
    }
    if matches!(f.effective_status(), Status::Fail | Status::Unknown)
        && let Some(r) = report.rule(&f.rule)
    {
        s.push_str("\nHow to fix:\n");
        s.push_str(&r.remediation_markdown());
        if let Some(u) = r.help_uri() {
            let _ = writeln!(s, "\nMore: {u}");
        }
    }
    if let Some(c) = report.change_of(f) {
        let _ = writeln!(s, "\nAgainst the baseline: {}", c.as_str());
    }
    let _ = write!(s, "\nFingerprint: {}", f.fingerprint);
    s
}

/// XML text/attribute escaping; characters XML 1.0 cannot carry become `[U+XXXX]`.
fn esc(s: &str) -> String {
    let s = super::html::neutralize(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push('\n'),
            '\t' => out.push('\t'),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {
                let _ = write!(out, "[U+{:04X}]", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            esc("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;"
        );
        assert_eq!(esc("bell\u{7}"), "bell[U+0007]");
        assert_eq!(esc("rlo\u{202E}x"), "rlo[U+202E]x");
    }
}
