//! Findings: what one rule concluded about one scope, with the evidence behind it.
//!
//! A finding is produced by a check and then adjusted only by the engine (waivers, `--target`).
//! Reports read findings; they never change them.

use serde::Serialize;
use std::fmt;

/// Outcome of evaluating one rule for one scope (DESIGN §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Requirement met; the evidence says why.
    Pass,
    /// Requirement not met; the evidence names the resources.
    Fail,
    /// Could not be evaluated: input not collected, access denied or an unsupported condition.
    Unknown,
    /// The rule does not apply to this scope.
    NotApplicable,
    /// A `fail` or `unknown` covered by an unexpired waiver.
    Waived,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Unknown => "unknown",
            Status::NotApplicable => "not_applicable",
            Status::Waived => "waived",
        }
    }
    pub const ALL: [Status; 5] = [
        Status::Pass,
        Status::Fail,
        Status::Unknown,
        Status::NotApplicable,
        Status::Waived,
    ];
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Rule severity, ordered from least to most severe so `>=` means "at least as severe".
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of requirement a rule expresses (DESIGN §3).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// Onboarding fails or is unsupported without it.
    Blocking,
    /// Documented deployment guidance.
    Recommended,
    /// Something that changes when the workspace is connected.
    Impact,
}

impl Label {
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Blocking => "blocking",
            Label::Recommended => "recommended",
            Label::Impact => "impact",
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a rule is evaluated.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Tenant,
    /// A workspace, by lower-cased ARM id without a trailing `/`.
    Workspace(String),
}

impl Scope {
    /// The scope as the JSON report writes it: `tenant` or the lower-cased workspace id.
    pub fn key(&self) -> &str {
        match self {
            Scope::Tenant => "tenant",
            Scope::Workspace(id) => id,
        }
    }
}

impl Serialize for Scope {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

/// One piece of evidence: a resource and where it sits in the snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// JSON Pointer into the snapshot (RFC 6901), or empty when the evidence is an absence.
    pub pointer: String,
    /// ARM id, Graph object id, or a short name of what the evidence is about.
    pub resource: String,
    /// Human-readable detail.
    pub detail: String,
}

impl Evidence {
    pub fn new(
        pointer: impl Into<String>,
        resource: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Evidence {
            pointer: pointer.into(),
            resource: resource.into(),
            detail: detail.into(),
        }
    }
}

/// The waiver that covered a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppliedWaiver {
    pub reason: String,
    pub owner: String,
    pub expires: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
}

/// What a check returns: status, message and evidence. The engine adds rule metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    pub message: String,
    pub evidence: Vec<Evidence>,
}

impl Outcome {
    pub fn new(status: Status, message: impl Into<String>) -> Self {
        Outcome {
            status,
            message: message.into(),
            evidence: Vec::new(),
        }
    }
    pub fn pass(message: impl Into<String>) -> Self {
        Self::new(Status::Pass, message)
    }
    pub fn fail(message: impl Into<String>) -> Self {
        Self::new(Status::Fail, message)
    }
    pub fn unknown(message: impl Into<String>) -> Self {
        Self::new(Status::Unknown, message)
    }
    pub fn not_applicable(message: impl Into<String>) -> Self {
        Self::new(Status::NotApplicable, message)
    }
    pub fn with(mut self, evidence: Evidence) -> Self {
        self.evidence.push(evidence);
        self
    }
    pub fn with_all(mut self, evidence: impl IntoIterator<Item = Evidence>) -> Self {
        self.evidence.extend(evidence);
        self
    }
}

/// One evaluated (rule, scope) pair, as every report sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: String,
    pub scope: Scope,
    pub status: Status,
    /// Set when `status` is `Waived`: what the check said before the waiver.
    pub original_status: Option<Status>,
    pub severity: Severity,
    pub label: Label,
    pub message: String,
    pub evidence: Vec<Evidence>,
    /// Stable identity of (rule, resource) across runs; see [`fingerprint`].
    pub fingerprint: String,
    pub waiver: Option<AppliedWaiver>,
}

impl Finding {
    /// The status that decides gating: the original one for waived findings.
    pub fn effective_status(&self) -> Status {
        self.original_status.unwrap_or(self.status)
    }
    /// Fully qualified resource of the finding: the workspace ARM id or `tenant/<id>`.
    pub fn resource(&self, tenant_id: &str) -> String {
        match &self.scope {
            Scope::Tenant => format!("tenant/{}", tenant_id.to_ascii_lowercase()),
            Scope::Workspace(id) => id.clone(),
        }
    }
}

/// Fingerprint of a (rule, resource) pair: the first 128 bits of SHA-256, hex.
///
/// No lines or times go in, so the same rule on the same resource keeps its identity across
/// runs and re-collections (SARIF `partialFingerprints`, baselines).
pub fn fingerprint(rule: &str, resource: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(rule.as_bytes());
    h.update(b"\0");
    h.update(resource.to_ascii_lowercase().as_bytes());
    let digest = h.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}
