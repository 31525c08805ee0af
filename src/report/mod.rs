//! Reports: the evaluated result ([`Report`]) and one renderer per output format.
//!
//! Renderers read a finished `Report`; they never evaluate rules or change findings. Each
//! format module exposes `render(&Report, &mut dyn Write)` and owns its own status/severity
//! mapping.

pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod terminal;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::baseline::{BaselineSummary, Change};
use crate::engine::options::{FailOn, Target, WorkspaceMode};
use crate::engine::rules::Rule;
use crate::engine::waivers::WaiverNote;
use crate::finding::{Finding, Label, Severity, Status};
use crate::snapshot::CollectionError;

/// A workspace's readiness (DESIGN §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No blocking `fail` or `unknown`.
    Ready,
    /// At least one blocking `fail`.
    NotReady,
    /// Blocking `unknown`, no blocking `fail`.
    Incomplete,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::NotReady => "not_ready",
            Verdict::Incomplete => "incomplete",
        }
    }
    /// How people say it: "Ready", "Not ready", "Incomplete".
    pub fn title(self) -> &'static str {
        match self {
            Verdict::Ready => "Ready",
            Verdict::NotReady => "Not ready",
            Verdict::Incomplete => "Incomplete",
        }
    }
}

/// The snapshot a report was computed from.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SnapshotInfo {
    /// Path as given on the command line.
    pub path: String,
    /// The path SARIF uses: relative to the working directory when under it, else the file name.
    pub artifact_uri: String,
    pub sha256: String,
    pub collected_at: Option<String>,
    pub tenant_id: String,
    /// `organization.displayName`, when collected.
    pub tenant_name: Option<String>,
    pub redacted: bool,
}

/// A workspace that is a scope of this scan.
#[derive(Clone, Debug, Serialize)]
pub struct WorkspaceInfo {
    /// Lower-cased ARM id (the scope key).
    pub id: String,
    /// ARM id as the snapshot spells it.
    pub arm_id: String,
    pub name: String,
    pub subscription_id: String,
    pub resource_group: String,
    pub location: Option<String>,
    /// In `multi` mode, whether this is the designated primary.
    pub primary: bool,
    pub verdict: Verdict,
}

/// Counts for summaries.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub by_status: BTreeMap<&'static str, usize>,
    pub by_label: BTreeMap<&'static str, BTreeMap<&'static str, usize>>,
    pub by_severity: BTreeMap<&'static str, BTreeMap<&'static str, usize>>,
}

/// What `socready.toml` changed about the rule set, so every report can say so.
#[derive(Clone, Debug, Default)]
pub struct ConfigSummary {
    /// Path of the config file.
    pub path: String,
    /// Rules not evaluated, with the reason the config gives.
    pub disabled_rules: Vec<DisabledRule>,
    /// Rules whose severity the config changed.
    pub severity_overrides: Vec<SeverityOverride>,
}

/// A rule the config disabled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisabledRule {
    pub rule: String,
    pub title: String,
    pub reason: String,
}

/// A severity the config changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeverityOverride {
    pub rule: String,
    pub from: Severity,
    pub to: Severity,
    pub reason: Option<String>,
}

/// Everything a renderer needs.
#[derive(Clone, Debug)]
pub struct Report {
    pub tool_version: String,
    pub generated_at: String,
    pub snapshot: SnapshotInfo,
    pub target: Target,
    pub workspace_mode: WorkspaceMode,
    pub fail_on: FailOn,
    /// Every evaluated rule, sorted by id.
    pub rules: Vec<Rule>,
    /// Findings in deterministic order: rule id, then tenant before workspaces, then workspace id.
    pub findings: Vec<Finding>,
    /// Scope workspaces, sorted by id.
    pub workspaces: Vec<WorkspaceInfo>,
    /// Workspaces in the snapshot that are not scopes (lower-cased ids).
    pub not_considered: Vec<String>,
    /// Collection failures recorded in the snapshot.
    pub not_collected: Vec<CollectionError>,
    pub summary: Summary,
    pub exit_code: i32,
    /// Milliseconds spent per rule (sum over its scopes).
    pub timings: BTreeMap<String, f64>,
    /// Whether `--sarif-include-pass` was given.
    pub sarif_include_pass: bool,
    /// Who can onboard, connect, view, query, investigate (when computed).
    pub access: Option<crate::rbac::AccessMatrix>,
    /// The config file used, and what it changed about the rules (`None`: no config).
    pub config: Option<ConfigSummary>,
    /// One note per configured waiver, in file order: active, expiring, expired or stale.
    pub waiver_notes: Vec<WaiverNote>,
    /// The `--baseline` comparison, when one was given.
    pub baseline: Option<BaselineSummary>,
}

impl Report {
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
    /// Verdict for one workspace id (lower-cased).
    pub fn verdicts(&self) -> BTreeMap<String, Verdict> {
        self.workspaces
            .iter()
            .map(|w| (w.id.clone(), w.verdict))
            .collect()
    }
    /// How an open finding relates to the baseline (`None` without `--baseline` or when the
    /// finding is not open).
    pub fn change_of(&self, f: &Finding) -> Option<Change> {
        self.baseline.as_ref().and_then(|b| b.change_of(f))
    }
    /// Waiver notes that deserve a warning (expiring, expired, stale).
    pub fn waiver_warnings(&self) -> impl Iterator<Item = &WaiverNote> {
        self.waiver_notes.iter().filter(|n| n.state.is_warning())
    }
    /// Findings that need action (`fail`/`unknown`, waived or not), blocking first, then by severity.
    pub fn actionable(&self) -> Vec<&Finding> {
        let mut v: Vec<&Finding> = self
            .findings
            .iter()
            .filter(|f| matches!(f.effective_status(), Status::Fail | Status::Unknown))
            .collect();
        v.sort_by_key(|f| {
            (
                f.label != Label::Blocking,
                std::cmp::Reverse(f.severity),
                f.effective_status() != Status::Fail,
                f.rule.clone(),
                f.scope.clone(),
            )
        });
        v
    }
}

/// An output format (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Sarif,
    Html,
    Junit,
    Markdown,
}

impl Format {
    /// File name inside `--out-dir` (DESIGN §4).
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Table => "socready.txt",
            Format::Json => "socready.json",
            Format::Sarif => "socready.sarif",
            Format::Html => "socready.html",
            Format::Junit => "socready.junit.xml",
            Format::Markdown => "socready.md",
        }
    }

    pub fn render(self, report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        match self {
            Format::Table => terminal::render(report, out, false),
            Format::Json => json::render(report, out),
            Format::Sarif => sarif::render(report, out),
            Format::Html => html::render(report, out),
            Format::Junit => junit::render(report, out),
            Format::Markdown => markdown::render(report, out),
        }
    }
}
