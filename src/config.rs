//! `socready.toml`: the settings a team keeps next to its pipeline — workspace policy, operator,
//! SOC groups, per-rule severity overrides and disabled rules (each with a reason), the default
//! `--fail-on`, and `[[waiver]]`s with owners and expiry dates.
//!
//! Parsing is strict (unknown keys, wrong types and bad dates are errors with file:line:col), and
//! every problem in the file is reported at once. Command-line flags override the file. This
//! module only reads and validates; waivers are applied by `engine::waivers` after evaluation.
//! See `examples/socready.toml` for a commented example.

mod file;
mod problems;
#[cfg(test)]
mod tests;
mod values;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::engine::options::{FailOn, Target, WorkspaceMode};
use crate::engine::rules::{Rule, RuleScope};
use crate::engine::waivers::Waiver;
use crate::finding::Severity;
use crate::report::{ConfigSummary, DisabledRule, SeverityOverride};
use file::{ConfigFile, WaiverFile};
pub use problems::ConfigProblem;
use problems::Problems;
use values::{choice, date, find_rule, key_span, known_rules, principal_id, severity};

/// File name looked for in the working directory when `--config` is not given.
pub const FILE_NAME: &str = "socready.toml";

const DOCS: &str = "see examples/socready.toml for every key, with comments";

/// A validated `socready.toml`.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Path the config was read from.
    pub path: String,
    pub fail_on: Option<FailOn>,
    pub target: Option<Target>,
    pub operator: Option<String>,
    pub workspace_mode: Option<WorkspaceMode>,
    pub primary: Option<String>,
    pub secondaries: Vec<String>,
    /// (name, principal id), sorted by name.
    pub soc_groups: Vec<(String, String)>,
    pub expiry_warning_days: Option<u32>,
    pub overrides: Vec<RuleOverride>,
    pub waivers: Vec<Waiver>,
}

/// `[rules.<ID>]`: a severity override and/or disabling, by rule id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleOverride {
    pub rule: String,
    pub severity: Option<Severity>,
    /// `Some(reason)` when the rule is disabled.
    pub disabled: Option<String>,
    pub reason: Option<String>,
}

/// Why a config could not be used. Every variant maps to exit code 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    #[diagnostic(
        code(socready::config::io),
        help("--config names a socready.toml; without it, ./socready.toml is used when present")
    )]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<ConfigProblem>),
}

/// The config file to use: `--config`, else `./socready.toml` when it exists.
pub fn discover(explicit: Option<&Path>) -> Option<PathBuf> {
    match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => Some(PathBuf::from(FILE_NAME)).filter(|p| p.is_file()),
    }
}

/// Reads and validates a config file against the rule set in use.
pub fn load(path: &Path, rules: &[Rule]) -> Result<Config, ConfigError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: name.clone(),
        source,
    })?;
    parse(&name, &text, rules)
}

/// Parses and validates config text; `path` names the file in messages.
pub fn parse(path: &str, text: &str, rules: &[Rule]) -> Result<Config, ConfigError> {
    let mut p = Problems {
        path,
        text,
        list: Vec::new(),
        shared: None,
        lines: None,
        cursor: (0, 0),
    };
    let file: ConfigFile = match toml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            let help = if e.message().contains("unknown field") {
                format!("a key is misspelled or not supported; {DOCS}")
            } else {
                DOCS.to_string()
            };
            p.push(e.span().unwrap_or(0..0), e.message().trim(), help);
            return p.finish(Config::default());
        }
    };
    let mut cfg = Config {
        path: path.to_string(),
        fail_on: file
            .fail_on
            .as_ref()
            .and_then(|v| choice(&mut p, v, "fail-on")),
        target: file
            .target
            .as_ref()
            .and_then(|v| choice(&mut p, v, "target")),
        expiry_warning_days: file.expiry_warning_days,
        ..Config::default()
    };
    if let Some(op) = &file.operator {
        cfg.operator = Some(principal_id(&mut p, op, "operator"));
    }
    if let Some(ws) = file.workspaces {
        cfg.workspace_mode = ws.mode.as_ref().and_then(|v| choice(&mut p, v, "mode"));
        cfg.primary = ws
            .primary
            .as_ref()
            .map(|s| p.text_of(s, "primary workspace"));
        if let Some(sec) = &ws.secondaries {
            cfg.secondaries = sec.get_ref().iter().map(|s| s.trim().to_string()).collect();
            if cfg.secondaries.iter().any(String::is_empty) {
                p.push(
                    sec.span(),
                    "empty workspace in secondaries",
                    "give ARM ids or unique names",
                );
            }
            if cfg.workspace_mode != Some(WorkspaceMode::Multi) && !cfg.secondaries.is_empty() {
                p.push(
                    sec.span(),
                    "secondaries need mode = \"multi\"",
                    "in single mode exactly one workspace is connected: name it as `primary`",
                );
            }
            if cfg.primary.is_none() && !cfg.secondaries.is_empty() {
                p.push(
                    sec.span(),
                    "secondaries without a primary",
                    "add `primary` to [workspaces]",
                );
            }
        }
    }
    for (name, id) in &file.soc_groups {
        if name.trim().is_empty() {
            p.push(
                id.span(),
                "SOC group with an empty name",
                "name each group: \"Tier 1\" = \"<object id>\"",
            );
        }
        let id = principal_id(&mut p, id, "SOC group principal id");
        cfg.soc_groups.push((name.trim().to_string(), id));
    }
    let mut seen: BTreeMap<String, Range<usize>> = BTreeMap::new();
    for (i, (key, entry)) in file.rules.iter().enumerate() {
        // Searching the text per key is quadratic; a real config has a handful of keys.
        let span = (i < 100)
            .then(|| key_span(text, key))
            .flatten()
            .unwrap_or_else(|| entry.span());
        let Some(rule) = find_rule(rules, key) else {
            p.push(
                span,
                format!("unknown rule {key:?} in [rules]"),
                known_rules(rules),
            );
            continue;
        };
        if seen.insert(rule.id.clone(), span.clone()).is_some() {
            p.push(
                span.clone(),
                format!("rule {} is configured twice", rule.id),
                "keep one [rules.<ID>] table per rule",
            );
        }
        let r = entry.get_ref();
        let severity = r.severity.as_ref().and_then(|v| severity(&mut p, v));
        let reason = r.reason.as_ref().map(|s| p.text_of(s, "reason"));
        let disabled = r.disabled == Some(true);
        if disabled && reason.is_none() {
            p.push(
                span.clone(),
                format!("rule {} is disabled without a reason", rule.id),
                "add reason = \"why this rule does not apply here\"",
            );
        }
        if r.severity.is_none() && r.disabled.is_none() {
            p.push(
                span,
                format!("[rules.{key}] changes nothing"),
                "set `severity = \"...\"` or `disabled = true` (with a reason)",
            );
        }
        cfg.overrides.push(RuleOverride {
            rule: rule.id.clone(),
            severity,
            disabled: if disabled {
                Some(reason.clone().unwrap_or_default())
            } else {
                None
            },
            reason,
        });
    }
    for w in &file.waivers {
        if let Some(waiver) = waiver(&mut p, w.span(), w.get_ref(), rules) {
            cfg.waivers.push(waiver);
        }
    }
    p.finish(cfg)
}

fn waiver(
    p: &mut Problems<'_>,
    span: Range<usize>,
    w: &WaiverFile,
    rules: &[Rule],
) -> Option<Waiver> {
    let rule = find_rule(rules, w.rule.get_ref().trim());
    if rule.is_none() {
        p.push(
            w.rule.span(),
            format!("waiver for unknown rule {:?}", w.rule.get_ref()),
            known_rules(rules),
        );
    }
    let scope = p.text_of(&w.scope, "waiver scope");
    if let Some(r) = rule
        && r.scope == RuleScope::Tenant
        && !scope.contains('*')
        && !scope.eq_ignore_ascii_case("tenant")
        && !scope.to_ascii_lowercase().starts_with("tenant/")
    {
        p.push(
            w.scope.span(),
            format!(
                "{} is evaluated for the tenant, but this scope names a resource",
                r.id
            ),
            "use scope = \"tenant\" for tenant rules",
        );
    }
    let reason = p.text_of(&w.reason, "waiver reason");
    let owner = p.text_of(&w.owner, "waiver owner");
    let ticket = w.ticket.as_ref().map(|t| p.text_of(t, "waiver ticket"));
    let expires = date(p, &w.expires);
    // Point at the `rule = ...` line when the table's own span is empty.
    let at = if span.is_empty() { w.rule.span() } else { span };
    let location = p.location(&at);
    Some(Waiver {
        rule: rule?.id.clone(),
        scope,
        reason,
        owner,
        ticket,
        expires: expires?,
        location,
    })
}

impl Config {
    /// Applies severity overrides and removes disabled rules. Returns the rules to evaluate and
    /// the summary the reports show.
    pub fn apply_to_rules(&self, rules: Vec<Rule>) -> (Vec<Rule>, ConfigSummary) {
        let mut summary = ConfigSummary {
            path: self.path.clone(),
            ..ConfigSummary::default()
        };
        let mut kept = Vec::with_capacity(rules.len());
        for mut rule in rules {
            let Some(o) = self.overrides.iter().find(|o| o.rule == rule.id) else {
                kept.push(rule);
                continue;
            };
            if let Some(reason) = &o.disabled {
                summary.disabled_rules.push(DisabledRule {
                    rule: rule.id.clone(),
                    title: rule.title.clone(),
                    reason: reason.clone(),
                });
                continue;
            }
            if let Some(sev) = o.severity
                && sev != rule.severity
            {
                summary.severity_overrides.push(SeverityOverride {
                    rule: rule.id.clone(),
                    from: rule.severity,
                    to: sev,
                    reason: o.reason.clone(),
                });
                rule.severity = sev;
            }
            kept.push(rule);
        }
        (kept, summary)
    }
}
