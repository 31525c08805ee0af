//! `socready.toml`: the settings a team keeps next to its pipeline — workspace policy, operator,
//! SOC groups, per-rule severity overrides and disabled rules (each with a reason), the default
//! `--fail-on`, and `[[waiver]]`s with owners and expiry dates.
//!
//! Parsing is strict (unknown keys, wrong types and bad dates are errors with file:line:col), and
//! every problem in the file is reported at once. Command-line flags override the file. This
//! module only reads and validates; waivers are applied by `engine::waivers` after evaluation.
//! See `examples/socready.toml` for a commented example.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use crate::engine::options::{FailOn, Target, WorkspaceMode};
use crate::engine::rules::{Rule, RuleScope};
use crate::engine::waivers::Waiver;
use crate::finding::Severity;
use crate::report::{ConfigSummary, DisabledRule, SeverityOverride};

/// File name looked for in the working directory when `--config` is not given.
pub const FILE_NAME: &str = "socready.toml";

const DOCS: &str = "see examples/socready.toml for every key, with comments";

/// On-disk shape of `socready.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigFile {
    #[serde(default)]
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    target: Option<Spanned<String>>,
    #[serde(default)]
    operator: Option<Spanned<String>>,
    #[serde(default)]
    expiry_warning_days: Option<u32>,
    #[serde(default)]
    workspaces: Option<WorkspacesFile>,
    #[serde(default)]
    soc_groups: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    rules: BTreeMap<String, Spanned<RuleFile>>,
    #[serde(default, rename = "waiver")]
    waivers: Vec<Spanned<WaiverFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct WorkspacesFile {
    #[serde(default)]
    mode: Option<Spanned<String>>,
    #[serde(default)]
    primary: Option<Spanned<String>>,
    #[serde(default)]
    secondaries: Option<Spanned<Vec<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RuleFile {
    #[serde(default)]
    severity: Option<Spanned<String>>,
    #[serde(default)]
    disabled: Option<bool>,
    #[serde(default)]
    reason: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct WaiverFile {
    rule: Spanned<String>,
    scope: Spanned<String>,
    reason: Spanned<String>,
    owner: Spanned<String>,
    #[serde(default)]
    ticket: Option<Spanned<String>>,
    expires: Spanned<toml::Value>,
}

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

/// One problem in a config file, pointing at the place.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{path}:{line}:{column}: {message}")]
#[diagnostic(code(socready::config::invalid), help("{help}"))]
pub struct ConfigProblem {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: String,
    #[source_code]
    src: miette::NamedSource<String>,
    #[label("here")]
    span: miette::SourceSpan,
    /// The other problems of the same file.
    #[related]
    more: Vec<ConfigProblem>,
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

/// Collects problems so the whole file is reported at once.
struct Problems<'a> {
    path: &'a str,
    text: &'a str,
    list: Vec<ConfigProblem>,
}

impl Problems<'_> {
    fn push(&mut self, span: Range<usize>, message: impl Into<String>, help: impl Into<String>) {
        let (line, column) = crate::diag::line_col(self.text, span.start);
        self.list.push(ConfigProblem {
            path: self.path.to_string(),
            line,
            column,
            message: message.into(),
            help: help.into(),
            src: miette::NamedSource::new(self.path, self.text.to_string()),
            span: (span.start, span.end.saturating_sub(span.start)).into(),
            more: Vec::new(),
        });
    }

    fn location(&self, span: &Range<usize>) -> String {
        let (line, column) = crate::diag::line_col(self.text, span.start);
        format!("{}:{line}:{column}", self.path)
    }

    /// A required, non-empty string; records a problem when blank.
    fn text_of(&mut self, s: &Spanned<String>, what: &str) -> String {
        let v = s.get_ref().trim().to_string();
        if v.is_empty() {
            self.push(
                s.span(),
                format!("{what} is empty"),
                format!("give the {what}"),
            );
        }
        v
    }

    fn finish<T>(mut self, value: T) -> Result<T, ConfigError> {
        if self.list.is_empty() {
            return Ok(value);
        }
        self.list.sort_by_key(|p| (p.line, p.column));
        let mut first = self.list.remove(0);
        first.more = self.list;
        Err(ConfigError::Invalid(Box::new(first)))
    }
}

/// Parses and validates config text; `path` names the file in messages.
pub fn parse(path: &str, text: &str, rules: &[Rule]) -> Result<Config, ConfigError> {
    let mut p = Problems {
        path,
        text,
        list: Vec::new(),
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
    for (key, entry) in &file.rules {
        let span = key_span(text, key).unwrap_or_else(|| entry.span());
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

/// A keyword value (`fail-on`, `target`, `mode`), with the accepted values in the message.
fn choice<T: clap::ValueEnum>(p: &mut Problems<'_>, v: &Spanned<String>, key: &str) -> Option<T> {
    let found = T::from_str(v.get_ref().trim(), true).ok();
    if found.is_none() {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|x| {
                x.to_possible_value()
                    .map(|pv| format!("\"{}\"", pv.get_name()))
            })
            .collect();
        p.push(
            v.span(),
            format!(
                "{key} = {:?} is not one of {}",
                v.get_ref(),
                names.join(", ")
            ),
            DOCS,
        );
    }
    found
}

fn severity(p: &mut Problems<'_>, v: &Spanned<String>) -> Option<Severity> {
    const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];
    let found = ALL
        .into_iter()
        .find(|s| s.as_str().eq_ignore_ascii_case(v.get_ref().trim()));
    if found.is_none() {
        p.push(
            v.span(),
            format!(
                "severity = {:?} is not one of critical, high, medium, low, info",
                v.get_ref()
            ),
            DOCS,
        );
    }
    found
}

/// `expires`: a TOML local date (`2026-12-31`) or a string of that form.
fn date(p: &mut Problems<'_>, v: &Spanned<toml::Value>) -> Option<NaiveDate> {
    const HELP: &str = "write the last day the waiver holds as a date: expires = 2026-12-31";
    let parsed = match v.get_ref() {
        toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
            dt.date.and_then(|d| {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
            })
        }
        toml::Value::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok(),
        toml::Value::Datetime(_) => {
            p.push(v.span(), "expires must be a date without a time", HELP);
            return None;
        }
        other => {
            p.push(
                v.span(),
                format!("expires must be a date, found a {}", other.type_str()),
                HELP,
            );
            return None;
        }
    };
    if parsed.is_none() {
        p.push(v.span(), "expires is not a valid date (YYYY-MM-DD)", HELP);
    }
    parsed
}

/// Entra object ids are GUIDs; a typo here would silently match nobody.
fn principal_id(p: &mut Problems<'_>, s: &Spanned<String>, what: &str) -> String {
    let v = s.get_ref().trim().to_ascii_lowercase();
    if !is_guid(&v) {
        p.push(
            s.span(),
            format!("{what} {:?} is not an object id (GUID)", s.get_ref()),
            "use the Entra object id, e.g. 3f2a6a4e-0c1d-4e8b-9a57-2b1f6d0e9c11",
        );
    }
    v
}

fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

fn find_rule<'r>(rules: &'r [Rule], key: &str) -> Option<&'r Rule> {
    rules
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(key) || r.name.eq_ignore_ascii_case(key))
}

fn known_rules(rules: &[Rule]) -> String {
    let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    format!("known rules: {} (`socready rules list`)", ids.join(", "))
}

/// Span of `[rules.KEY]` (or `KEY` inside `[rules]`) in the text, for a clearer pointer.
fn key_span(text: &str, key: &str) -> Option<Range<usize>> {
    for needle in [format!("rules.{key}"), format!("rules.\"{key}\"")] {
        if let Some(at) = text.find(&needle) {
            let start = at + "rules.".len();
            return Some(start..at + needle.len());
        }
    }
    None
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Vec<Rule> {
        crate::engine::rules::load_embedded().expect("embedded rules")
    }

    fn problems(text: &str) -> Vec<String> {
        match parse("socready.toml", text, &rules()) {
            Ok(_) => Vec::new(),
            Err(ConfigError::Invalid(p)) => {
                let mut v = vec![p.to_string()];
                v.extend(p.more.iter().map(|m| m.to_string()));
                v
            }
            Err(e) => vec![e.to_string()],
        }
    }

    #[test]
    fn full_config_parses() {
        let text = r#"
fail-on = "high"
target = "sentinel"
operator = "3F2A6A4E-0C1D-4E8B-9A57-2B1F6D0E9C11"
expiry-warning-days = 30

[workspaces]
mode = "multi"
primary = "law-prod"
secondaries = ["law-eu"]

[soc-groups]
"Tier 1" = "11111111-2222-3333-4444-555555555555"

[rules.SOC007]
severity = "high"

[rules.duplicate-incident-rules]
disabled = true
reason = "we accept this"

[[waiver]]
rule = "SOC004"
scope = "*/workspaces/law-eu"
reason = "connector is enabled by the EU team"
owner = "secops@contoso.com"
ticket = "SEC-1"
expires = 2026-12-31

[[waiver]]
rule = "xdr-license"
scope = "tenant"
reason = "licence ordered"
owner = "it"
expires = "2027-01-15"
"#;
        let cfg = parse("socready.toml", text, &rules()).unwrap();
        assert_eq!(cfg.fail_on, Some(FailOn::High));
        assert_eq!(
            cfg.operator.as_deref(),
            Some("3f2a6a4e-0c1d-4e8b-9a57-2b1f6d0e9c11")
        );
        assert_eq!(cfg.secondaries, ["law-eu"]);
        assert_eq!(cfg.waivers.len(), 2);
        assert_eq!(cfg.waivers[1].rule, "SOC001");
        assert_eq!(cfg.waivers[0].location, "socready.toml:22:1");
        let (kept, summary) = cfg.apply_to_rules(rules());
        assert!(kept.iter().all(|r| r.id != "SOC008"));
        assert_eq!(
            kept.iter().find(|r| r.id == "SOC007").unwrap().severity,
            Severity::High
        );
        assert_eq!(summary.disabled_rules[0].reason, "we accept this");
        assert_eq!(summary.severity_overrides[0].from, Severity::Medium);
    }

    #[test]
    fn typos_point_at_the_place() {
        let p = problems("fail-on = \"blocking\"\nfial-on = 1\n");
        assert!(
            p[0].starts_with("socready.toml:2:1: unknown field `fial-on`"),
            "{p:?}"
        );
        let p = problems("[workspaces]\nmode = 3\n");
        assert!(p[0].starts_with("socready.toml:2:8:"), "{p:?}");
        let p = problems("fail-on = \"sometimes\"\n");
        assert!(
            p[0].contains("1:11: fail-on = \"sometimes\" is not one of \"blocking\""),
            "{p:?}"
        );
        let p = problems("expiry-warning-days = -1\n");
        assert!(p[0].starts_with("socready.toml:1:23:"), "{p:?}");
    }

    #[test]
    fn all_semantic_problems_come_out_together() {
        let text = r#"
[rules.SOC099]
severity = "high"

[rules.SOC008]
disabled = true

[[waiver]]
rule = "SOC004"
scope = "x"
reason = ""
owner = "me"
expires = "2026-02-30"

[[waiver]]
rule = "SOC001"
scope = "/subscriptions/x"
reason = "r"
owner = "me"
expires = 2026-12-31T10:00:00
"#;
        let p = problems(text);
        assert_eq!(p.len(), 6, "{p:#?}");
        assert!(
            p[0].starts_with("socready.toml:2:8: unknown rule \"SOC099\""),
            "{p:?}"
        );
        assert!(p[1].contains("disabled without a reason"), "{p:?}");
        assert!(
            p[2].starts_with("socready.toml:11:10: waiver reason is empty"),
            "{p:?}"
        );
        assert!(p[3].contains("not a valid date"), "{p:?}");
        assert!(p[4].contains("evaluated for the tenant"), "{p:?}");
        assert!(p[5].contains("without a time"), "{p:?}");
    }

    #[test]
    fn guid_shape() {
        assert!(is_guid("3f2a6a4e-0c1d-4e8b-9a57-2b1f6d0e9c11"));
        assert!(!is_guid("3f2a6a4e-0c1d-4e8b-9a57-2b1f6d0e9c1"));
        assert!(!is_guid("soc-analysts"));
    }
}
