//! Rule metadata: parsing `rules/*.toml` strictly, resolving each rule's check, and validating
//! the set (unique ids and names, known check kinds, typed parameters).
//!
//! Rules are data: everything a reviewer needs to judge a check (text, severity, parameters)
//! lives in its TOML file, and the same text feeds every report.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::options::Target;
use super::registry::{self, Check};
use crate::finding::{Label, Severity};

/// Where a rule is evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleScope {
    Tenant,
    Workspace,
}

impl RuleScope {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleScope::Tenant => "tenant",
            RuleScope::Workspace => "workspace",
        }
    }
}

/// Remediation: numbered steps and the roles that can carry them out.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remediation {
    /// Roles that must act (e.g. "Global Administrator").
    pub who: Vec<String>,
    pub steps: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    pub title: String,
    pub url: String,
}

/// The on-disk shape of a rule file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    id: String,
    name: String,
    title: String,
    summary: String,
    severity: Severity,
    label: Label,
    scope: RuleScope,
    check: toml::Spanned<String>,
    since: String,
    rationale: String,
    remediation: Remediation,
    references: Vec<Reference>,
    /// Targets the rule applies to (`unified`, `sentinel`); all when absent.
    #[serde(default)]
    targets: Option<Vec<Target>>,
    #[serde(default)]
    params: Option<toml::Spanned<toml::Table>>,
}

/// A validated rule, ready to evaluate.
#[derive(Clone)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub title: String,
    pub summary: String,
    pub severity: Severity,
    pub label: Label,
    pub scope: RuleScope,
    pub check: String,
    pub since: String,
    pub rationale: String,
    pub remediation: Remediation,
    pub references: Vec<Reference>,
    pub params: toml::Table,
    /// Targets the rule applies to; empty means every target.
    pub targets: Vec<Target>,
    /// File the rule came from (`rules/SOC001-xdr-license.toml` or a path under `--rules`).
    pub source: String,
    pub(crate) checker: Arc<dyn Check>,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("id", &self.id)
            .field("check", &self.check)
            .finish_non_exhaustive()
    }
}

impl Rule {
    /// Markdown list of remediation steps, numbered, with who must act.
    pub fn remediation_markdown(&self) -> String {
        let mut s = String::new();
        for (i, step) in self.remediation.steps.iter().enumerate() {
            s.push_str(&format!("{}. {}\n", i + 1, step));
        }
        if !self.remediation.who.is_empty() {
            s.push_str(&format!("\nWho: {}\n", self.remediation.who.join(", ")));
        }
        s
    }
    /// First reference URL: the rule's help page.
    pub fn help_uri(&self) -> Option<&str> {
        self.references.first().map(|r| r.url.as_str())
    }
}

/// A problem in a rule file or the rule set. Every variant maps to exit code 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RuleFileError {
    #[error("cannot read rules from {path}: {message}")]
    #[diagnostic(code(socready::rules::io))]
    Io { path: String, message: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Parse(Box<RuleParseError>),
    #[error("duplicate rule {what} {value:?} in {first} and {second}")]
    #[diagnostic(
        code(socready::rules::duplicate),
        help("rule ids and names must be unique")
    )]
    Duplicate {
        what: &'static str,
        value: String,
        first: String,
        second: String,
    },
    #[error("no rules found in {path}")]
    #[diagnostic(
        code(socready::rules::empty),
        help("a rules directory holds SOC0NN-<name>.toml files")
    )]
    Empty { path: String },
}

/// A rule file that does not parse or validate, pointing at the place.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{path}:{line}:{column}: {message}")]
#[diagnostic(code(socready::rules::parse), help("{help}"))]
pub struct RuleParseError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: String,
    /// `None` when the line is too long to quote (`diag::MAX_QUOTED_LINE`).
    #[source_code]
    pub src: Option<miette::NamedSource<String>>,
    #[label("here")]
    pub span: Option<miette::SourceSpan>,
}

const EXPECTED_KEYS: &str = "id, name, title, summary, severity, label, scope, check, since, rationale, remediation, references, targets, params";

/// The rules shipped with this binary.
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "rules/SOC001-xdr-license.toml",
        include_str!("../../rules/SOC001-xdr-license.toml"),
    ),
    (
        "rules/SOC002-single-tenant.toml",
        include_str!("../../rules/SOC002-single-tenant.toml"),
    ),
    (
        "rules/SOC003-connected-workspace.toml",
        include_str!("../../rules/SOC003-connected-workspace.toml"),
    ),
    (
        "rules/SOC004-xdr-connector.toml",
        include_str!("../../rules/SOC004-xdr-connector.toml"),
    ),
    (
        "rules/SOC005-onboard-permission.toml",
        include_str!("../../rules/SOC005-onboard-permission.toml"),
    ),
    (
        "rules/SOC006-connect-permission.toml",
        include_str!("../../rules/SOC006-connect-permission.toml"),
    ),
    (
        "rules/SOC007-soc-access.toml",
        include_str!("../../rules/SOC007-soc-access.toml"),
    ),
    (
        "rules/SOC008-duplicate-incident-rules.toml",
        include_str!("../../rules/SOC008-duplicate-incident-rules.toml"),
    ),
    (
        "rules/SOC009-xdr-services.toml",
        include_str!("../../rules/SOC009-xdr-services.toml"),
    ),
    (
        "rules/SOC010-defender-for-cloud.toml",
        include_str!("../../rules/SOC010-defender-for-cloud.toml"),
    ),
    (
        "rules/SOC011-entra-id-protection.toml",
        include_str!("../../rules/SOC011-entra-id-protection.toml"),
    ),
    (
        "rules/SOC012-health-and-audit.toml",
        include_str!("../../rules/SOC012-health-and-audit.toml"),
    ),
    (
        "rules/SOC013-ueba.toml",
        include_str!("../../rules/SOC013-ueba.toml"),
    ),
    (
        "rules/SOC014-retention.toml",
        include_str!("../../rules/SOC014-retention.toml"),
    ),
    (
        "rules/SOC015-automation-rule-impact.toml",
        include_str!("../../rules/SOC015-automation-rule-impact.toml"),
    ),
    (
        "rules/SOC016-connect-side-effects.toml",
        include_str!("../../rules/SOC016-connect-side-effects.toml"),
    ),
    (
        "rules/SOC017-security-resource-group.toml",
        include_str!("../../rules/SOC017-security-resource-group.toml"),
    ),
];

/// Loads the embedded rule set.
pub fn load_embedded() -> Result<Vec<Rule>, RuleFileError> {
    load_sources(EMBEDDED.iter().map(|(p, t)| (p.to_string(), t.to_string())))
}

/// Loads every `*.toml` file in `dir` (the `--rules` override).
pub fn load_dir(dir: &Path) -> Result<Vec<Rule>, RuleFileError> {
    let io = |e: std::io::Error| RuleFileError::Io {
        path: dir.display().to_string(),
        message: e.to_string(),
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(RuleFileError::Empty {
            path: dir.display().to_string(),
        });
    }
    let mut sources = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| RuleFileError::Io {
            path: f.display().to_string(),
            message: e.to_string(),
        })?;
        sources.push((f.display().to_string(), text));
    }
    load_sources(sources.into_iter())
}

fn load_sources(
    sources: impl Iterator<Item = (String, String)>,
) -> Result<Vec<Rule>, RuleFileError> {
    let mut rules: Vec<Rule> = Vec::new();
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for (path, text) in sources {
        let rule = parse_rule(&path, &text)?;
        for (what, key, seen) in [("id", &rule.id, &mut ids), ("name", &rule.name, &mut names)] {
            if let Some(first) = seen.insert(key.clone(), path.clone()) {
                return Err(RuleFileError::Duplicate {
                    what,
                    value: key.clone(),
                    first,
                    second: path,
                });
            }
        }
        rules.push(rule);
    }
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(rules)
}

fn parse_error(
    path: &str,
    text: &str,
    span: std::ops::Range<usize>,
    message: String,
    help: String,
) -> RuleFileError {
    let (line, column) = crate::diag::line_col(text, span.start);
    let quote = crate::diag::quotable(text, span.start);
    RuleFileError::Parse(Box::new(RuleParseError {
        path: path.to_string(),
        line,
        column,
        message,
        help,
        src: quote.then(|| miette::NamedSource::new(path, text.to_string())),
        span: quote.then(|| (span.start, span.end.saturating_sub(span.start)).into()),
    }))
}

/// Parses and validates one rule file.
pub fn parse_rule(path: &str, text: &str) -> Result<Rule, RuleFileError> {
    let file: RuleFile = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let msg = e.message().trim().to_string();
        parse_error(
            path,
            text,
            span,
            msg,
            format!("a rule file has the keys: {EXPECTED_KEYS}"),
        )
    })?;
    let id_ok = file.id.len() == 6
        && file.id.starts_with("SOC")
        && file.id[3..].chars().all(|c| c.is_ascii_digit());
    if !id_ok {
        let at = text.find(&file.id).unwrap_or(0);
        return Err(parse_error(
            path,
            text,
            at..at + file.id.len(),
            format!("rule id {:?} is not of the form SOC0NN", file.id),
            "ids are SOC followed by three digits and are never reused".into(),
        ));
    }
    let check_name = file.check.get_ref().clone();
    let Some(kind) = registry::lookup(&check_name) else {
        return Err(parse_error(
            path,
            text,
            file.check.span(),
            format!("unknown check kind {check_name:?}"),
            format!("registered check kinds: {}", registry::names().join(", ")),
        ));
    };
    if kind.scope != file.scope {
        return Err(parse_error(
            path,
            text,
            file.check.span(),
            format!(
                "check {check_name:?} evaluates at {} scope, but the rule says scope = {:?}",
                kind.scope.as_str(),
                file.scope.as_str()
            ),
            "set `scope` to the check's scope".into(),
        ));
    }
    let (params, params_span) = match file.params {
        Some(p) => {
            let span = p.span();
            (p.into_inner(), span)
        }
        None => (toml::Table::new(), 0..0),
    };
    let checker = (kind.prepare)(&params).map_err(|msg| {
        parse_error(
            path,
            text,
            params_span,
            format!("invalid [params] for check {check_name:?}: {msg}"),
            format!("see `socready rules explain` for the parameters of {check_name}"),
        )
    })?;
    let mut empty = Vec::new();
    for (field, value) in [
        ("name", &file.name),
        ("title", &file.title),
        ("summary", &file.summary),
        ("rationale", &file.rationale),
    ] {
        if value.trim().is_empty() {
            empty.push(field);
        }
    }
    if file.remediation.steps.is_empty() {
        empty.push("remediation.steps");
    }
    if file.references.is_empty() {
        empty.push("references");
    }
    if !empty.is_empty() {
        return Err(parse_error(
            path,
            text,
            0..0,
            format!("empty field(s): {}", empty.join(", ")),
            "every rule needs text for users and at least one Microsoft Learn reference".into(),
        ));
    }
    Ok(Rule {
        id: file.id,
        name: file.name,
        title: file.title,
        summary: file.summary,
        severity: file.severity,
        label: file.label,
        scope: file.scope,
        check: check_name,
        since: file.since,
        rationale: file.rationale,
        remediation: file.remediation,
        references: file.references,
        params,
        targets: file.targets.unwrap_or_default(),
        source: path.to_string(),
        checker,
    })
}
