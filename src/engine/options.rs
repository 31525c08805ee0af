//! Evaluation options shared by the CLI, config and reports: target, workspace mode, gating.

use serde::{Deserialize, Serialize};

use crate::finding::{Label, Severity};

/// What onboarding is being assessed (DESIGN §3 "Target").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Unified security operations: Sentinel in the Defender portal with Defender XDR.
    #[default]
    Unified,
    /// Sentinel in the Defender portal without Defender XDR licensing.
    Sentinel,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Unified => "unified",
            Target::Sentinel => "sentinel",
        }
    }
}

/// How many workspaces may be connected (DESIGN §3, SOC003).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum WorkspaceMode {
    /// Exactly one workspace is designated for connection.
    #[default]
    Single,
    /// One primary workspace and any number of secondaries.
    Multi,
}

impl WorkspaceMode {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkspaceMode::Single => "single",
            WorkspaceMode::Multi => "multi",
        }
    }
}

/// The `--fail-on` threshold (DESIGN §3.8).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum FailOn {
    /// Any failure of a rule labelled blocking.
    #[default]
    Blocking,
    Critical,
    High,
    Medium,
    Low,
    /// Exit 0 whatever was found.
    Never,
}

impl FailOn {
    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Blocking => "blocking",
            FailOn::Critical => "critical",
            FailOn::High => "high",
            FailOn::Medium => "medium",
            FailOn::Low => "low",
            FailOn::Never => "never",
        }
    }

    /// Whether a finding of this severity and label is at or above the threshold.
    pub fn gates(self, severity: Severity, label: Label) -> bool {
        let min = match self {
            FailOn::Blocking => return label == Label::Blocking,
            FailOn::Never => return false,
            FailOn::Critical => Severity::Critical,
            FailOn::High => Severity::High,
            FailOn::Medium => Severity::Medium,
            FailOn::Low => Severity::Low,
        };
        severity >= min
    }
}

/// Everything the engine needs besides the snapshot and the rules.
#[derive(Clone, Debug, Default)]
pub struct EvalOptions {
    pub target: Target,
    pub workspace_mode: WorkspaceMode,
    /// `--workspace`: ARM ids or unique names; when non-empty, only these are scopes.
    pub workspaces: Vec<String>,
    /// `--primary` (multi mode).
    pub primary: Option<String>,
    /// `--operator`: narrows SOC005 and SOC006 to this principal.
    pub operator: Option<String>,
    /// Named SOC groups for SOC007: (name, principal id).
    pub soc_groups: Vec<(String, String)>,
    pub fail_on: FailOn,
    /// Compute the who-can-do-what matrix for the report (JSON and HTML show it).
    pub access_matrix: bool,
}
