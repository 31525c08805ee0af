//! SARIF 2.1.0 output for GitHub code scanning and other SARIF consumers (DESIGN §5).
//!
//! A small serde model of the SARIF objects socready needs, nothing more. Every evaluated rule
//! is declared (sorted by id) so a rule that passes today keeps its metadata in the tool; one
//! result is written per `fail` and per `unknown` finding (waived ones included, with a
//! suppression), and per `pass` with `--sarif-include-pass`. Results carry no line numbers or
//! times: their identity is `partialFingerprints["socready/v1"]` = hash(rule id + resource).
//! The renderer never evaluates anything; it maps a finished [`Report`].
//!
//! No `automationDetails` is written: GitHub would take the code-scanning category from it and
//! ignore the `category` input of `upload-sarif`, so users choose the category (one per tenant
//! and option set) in their workflow.

use std::collections::BTreeMap;

mod model;

use super::Report;
use crate::engine::rules::Rule;
use crate::finding::{Finding, Scope, Severity, Status};
use model::*;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// Key of our fingerprint in `partialFingerprints`; bump the suffix if the hash input changes.
const FINGERPRINT_KEY: &str = "socready/v1";
/// Evidence items copied into a result's property bag; the JSON report has them all.
const MAX_EVIDENCE: usize = 25;
/// Used when the snapshot path is unknown (live scan without `--save-snapshot`).
const DEFAULT_ARTIFACT: &str = "socready-snapshot.json";

/// `defaultConfiguration.level` / `result.level` for a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub maps ≥ 9.0 to critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// SARIF `kind` for the status that decides the finding (the original one when waived).
fn kind(status: Status) -> Option<&'static str> {
    match status {
        Status::Fail => Some("fail"),
        Status::Unknown => Some("open"),
        Status::Pass => Some("pass"),
        Status::NotApplicable | Status::Waived => None,
    }
}

/// Writes the SARIF log for `report`.
pub fn render(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let log = build(report);
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")
}

fn build(report: &Report) -> Log<'_> {
    let mut rules: Vec<&Rule> = report.rules.iter().collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let index: BTreeMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let uri = artifact_uri(&report.snapshot.artifact_uri);
    let results = report
        .findings
        .iter()
        .filter_map(|f| {
            let k = kind(f.effective_status())?;
            if k == "pass" && !report.sarif_include_pass {
                return None;
            }
            let rule_index = *index.get(f.rule.as_str())?;
            Some(result(report, f, rules[rule_index], rule_index, k, &uri))
        })
        .collect();
    Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "socready",
                    version: &report.tool_version,
                    semantic_version: &report.tool_version,
                    rules: rules.iter().map(|r| descriptor(r)).collect(),
                },
            },
            invocations: vec![Invocation {
                execution_successful: true,
                tool_configuration_notifications: notifications(report),
            }],
            artifacts: vec![Artifact {
                location: ArtifactLocation {
                    uri: uri.clone(),
                    index: None,
                },
                mime_type: "application/json",
            }],
            results,
            column_kind: "unicodeCodePoints",
            properties: RunProperties {
                tenant_id: &report.snapshot.tenant_id,
                snapshot_sha256: &report.snapshot.sha256,
                target: report.target.as_str(),
                workspace_mode: report.workspace_mode.as_str(),
                verdicts: report
                    .workspaces
                    .iter()
                    .map(|w| (w.id.clone(), w.verdict.as_str()))
                    .collect(),
            },
        }],
    }
}

fn notifications(report: &Report) -> Vec<Notification> {
    let mut out: Vec<Notification> = report
        .waiver_warnings()
        .map(|n| Notification {
            level: "warning",
            message: Message {
                text: super::html::neutralize(&format!(
                    "waiver at {} ({}): {}",
                    n.location,
                    n.state.as_str(),
                    n.message
                ))
                .into_owned(),
            },
            associated_rule: Some(DescriptorReference { id: n.rule.clone() }),
        })
        .collect();
    if let Some(cfg) = &report.config {
        out.extend(cfg.disabled_rules.iter().map(|d| {
            Notification {
                level: "note",
                message: Message {
                    text: super::html::neutralize(&format!(
                        "{} {} is disabled by {}: {}",
                        d.rule, d.title, cfg.path, d.reason
                    ))
                    .into_owned(),
                },
                associated_rule: None,
            }
        }));
    }
    out
}

fn descriptor(rule: &Rule) -> ReportingDescriptor<'_> {
    let mut text = format!("{}\n\nHow to fix:\n", rule.title);
    for (i, step) in rule.remediation.steps.iter().enumerate() {
        text.push_str(&format!("{}. {}\n", i + 1, step));
    }
    if !rule.remediation.who.is_empty() {
        text.push_str(&format!("\nWho: {}\n", rule.remediation.who.join(", ")));
    }
    let mut markdown = format!(
        "**{}**\n\n{}\n\n### How to fix\n\n{}",
        rule.title,
        rule.rationale.trim(),
        rule.remediation_markdown()
    );
    if !rule.references.is_empty() {
        text.push_str("\nReferences:\n");
        markdown.push_str("\n### References\n\n");
        for r in &rule.references {
            text.push_str(&format!("- {}: {}\n", r.title, r.url));
            markdown.push_str(&format!("- [{}]({})\n", r.title, r.url));
        }
    }
    ReportingDescriptor {
        id: &rule.id,
        name: &rule.name,
        short_description: Message {
            text: rule.summary.trim().to_string(),
        },
        full_description: Message {
            text: unwrap(&rule.rationale),
        },
        help: MultiformatMessage { text, markdown },
        help_uri: rule.help_uri(),
        default_configuration: Configuration {
            level: level(rule.severity),
        },
        properties: RuleProperties {
            tags: vec![rule.label.as_str(), "security", rule.scope.as_str()],
            security_severity: security_severity(rule.severity),
            precision: "high",
            severity: rule.severity.as_str(),
            label: rule.label.as_str(),
            scope: rule.scope.as_str(),
        },
    }
}

fn result<'a>(
    report: &'a Report,
    f: &'a Finding,
    rule: &'a Rule,
    rule_index: usize,
    kind: &'static str,
    uri: &str,
) -> SarifResult<'a> {
    let scope_name = match &f.scope {
        Scope::Tenant => match &report.snapshot.tenant_name {
            Some(n) => format!("tenant {n} ({})", report.snapshot.tenant_id),
            None => format!("tenant {}", report.snapshot.tenant_id),
        },
        Scope::Workspace(id) => match report.workspaces.iter().find(|w| &w.id == id) {
            Some(w) => format!("workspace {} ({})", w.name, w.arm_id),
            None => format!("workspace {id}"),
        },
    };
    let mut text = format!("{}: {} — {}", rule.title, scope_name, f.message);
    if let Some(w) = &f.waiver {
        text.push_str(&format!(" (waived until {}: {})", w.expires, w.reason));
    }
    let suppressions = f
        .waiver
        .iter()
        .map(|w| Suppression {
            kind: "external",
            status: "accepted",
            justification: &w.reason,
            properties: SuppressionProperties {
                owner: &w.owner,
                expires: &w.expires,
                ticket: w.ticket.as_deref(),
            },
        })
        .collect();
    let omitted = f.evidence.len().saturating_sub(MAX_EVIDENCE);
    SarifResult {
        rule_id: &f.rule,
        rule_index,
        kind,
        // SARIF §3.27.10: a result whose kind is not `fail` must have level `none`; the rule's
        // `security-severity` still ranks it.
        level: if kind == "fail" {
            level(f.severity)
        } else {
            "none"
        },
        message: Message {
            text: super::html::neutralize(&text).into_owned(),
        },
        locations: vec![Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: uri.to_string(),
                    index: Some(0),
                },
                region: Region { start_line: 1 },
            },
            logical_locations: vec![LogicalLocation {
                fully_qualified_name: f.resource(&report.snapshot.tenant_id),
                kind: "resource",
            }],
        }],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, f.fingerprint.as_str())]),
        baseline_state: report.baseline.as_ref().map(|b| match b.change_of(f) {
            Some(c) => c.as_str(),
            // Not open (a pass included with --sarif-include-pass): nothing to compare.
            None => "unchanged",
        }),
        suppressions,
        properties: ResultProperties {
            status: f.status.as_str(),
            original_status: f.original_status.map(Status::as_str),
            severity: f.severity.as_str(),
            label: f.label.as_str(),
            scope: f.scope.key(),
            evidence: f
                .evidence
                .iter()
                .take(MAX_EVIDENCE)
                .map(|e| EvidenceProperty {
                    resource: &e.resource,
                    pointer: &e.pointer,
                    detail: &e.detail,
                })
                .collect(),
            evidence_omitted: (omitted > 0).then_some(omitted),
        },
    }
}

/// Rule text is hard-wrapped in its TOML file: join the lines of each paragraph.
fn unwrap(text: &str) -> String {
    text.trim()
        .split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The snapshot path as a relative URI reference: forward slashes, percent-encoded, never
/// absolute (GitHub rejects absolute paths and schemes).
fn artifact_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.trim_start_matches("./");
    let relative = !path.is_empty()
        && !path.starts_with('/')
        && !path.starts_with('~')
        && !path.split('/').any(|s| s == "..")
        && !path.contains(':');
    let path = if relative {
        path
    } else {
        path.rsplit('/').find(|s| !s.is_empty()).unwrap_or("")
    };
    let path = if path.is_empty() || path.contains(':') || path == ".." || path.starts_with('~') {
        DEFAULT_ARTIFACT
    } else {
        path
    };
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::artifact_uri;

    #[test]
    fn artifact_uri_is_relative_and_encoded() {
        assert_eq!(
            artifact_uri("fixtures/scenarios/a.json"),
            "fixtures/scenarios/a.json"
        );
        assert_eq!(artifact_uri("./snap shot.json"), "snap%20shot.json");
        assert_eq!(artifact_uri("/abs/dir/snap.json"), "snap.json");
        assert_eq!(artifact_uri("C:\\dir\\snap.json"), "snap.json");
        assert_eq!(artifact_uri("../up/snap.json"), "snap.json");
        assert_eq!(artifact_uri(""), "socready-snapshot.json");
        assert_eq!(artifact_uri("C:"), "socready-snapshot.json");
    }
}
