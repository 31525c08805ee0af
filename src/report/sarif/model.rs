//! The subset of the SARIF 2.1.0 object model socready writes, as serde types.

use std::collections::BTreeMap;

use serde::Serialize;

#[derive(Serialize)]
pub(super) struct Log<'a> {
    #[serde(rename = "$schema")]
    pub(super) schema: &'static str,
    pub(super) version: &'static str,
    pub(super) runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Run<'a> {
    pub(super) tool: Tool<'a>,
    pub(super) invocations: Vec<Invocation>,
    pub(super) artifacts: Vec<Artifact>,
    pub(super) results: Vec<SarifResult<'a>>,
    pub(super) column_kind: &'static str,
    pub(super) properties: RunProperties<'a>,
}

/// SARIF §3.20 invocation: configuration problems (waivers expiring, expired or matching
/// nothing; rules the config disabled) as notifications.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Invocation {
    pub(super) execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) tool_configuration_notifications: Vec<Notification>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Notification {
    pub(super) level: &'static str,
    pub(super) message: Message,
    /// The rule the notification is about (SARIF §3.58.4), not a notification descriptor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) associated_rule: Option<DescriptorReference>,
}

#[derive(Serialize)]
pub(super) struct DescriptorReference {
    pub(super) id: String,
}

#[derive(Serialize)]
pub(super) struct Tool<'a> {
    pub(super) driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Driver<'a> {
    pub(super) name: &'static str,
    pub(super) version: &'a str,
    pub(super) semantic_version: &'a str,
    pub(super) rules: Vec<ReportingDescriptor<'a>>,
}

/// SARIF §3.49 reportingDescriptor.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ReportingDescriptor<'a> {
    pub(super) id: &'a str,
    pub(super) name: &'a str,
    pub(super) short_description: Message,
    pub(super) full_description: Message,
    pub(super) help: MultiformatMessage,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) help_uri: Option<&'a str>,
    pub(super) default_configuration: Configuration,
    pub(super) properties: RuleProperties<'a>,
}

#[derive(Serialize)]
pub(super) struct Message {
    pub(super) text: String,
}

#[derive(Serialize)]
pub(super) struct MultiformatMessage {
    pub(super) text: String,
    pub(super) markdown: String,
}

#[derive(Serialize)]
pub(super) struct Configuration {
    pub(super) level: &'static str,
}

#[derive(Serialize)]
pub(super) struct RuleProperties<'a> {
    pub(super) tags: Vec<&'a str>,
    /// GitHub reads this numeric string to rank security alerts (0.0–10.0).
    #[serde(rename = "security-severity")]
    pub(super) security_severity: &'static str,
    pub(super) precision: &'static str,
    pub(super) severity: &'static str,
    pub(super) label: &'static str,
    pub(super) scope: &'static str,
}

#[derive(Serialize)]
pub(super) struct Artifact {
    pub(super) location: ArtifactLocation,
    #[serde(rename = "mimeType")]
    pub(super) mime_type: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RunProperties<'a> {
    pub(super) tenant_id: &'a str,
    pub(super) snapshot_sha256: &'a str,
    pub(super) target: &'static str,
    pub(super) workspace_mode: &'static str,
    pub(super) verdicts: BTreeMap<String, &'static str>,
}

/// SARIF §3.27 result.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SarifResult<'a> {
    pub(super) rule_id: &'a str,
    pub(super) rule_index: usize,
    pub(super) kind: &'static str,
    pub(super) level: &'static str,
    pub(super) message: Message,
    pub(super) locations: Vec<Location>,
    pub(super) partial_fingerprints: BTreeMap<&'static str, &'a str>,
    /// `new`/`unchanged` against `--baseline` (SARIF §3.27.24); absent without a baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) baseline_state: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) suppressions: Vec<Suppression<'a>>,
    pub(super) properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Location {
    pub(super) physical_location: PhysicalLocation,
    pub(super) logical_locations: Vec<LogicalLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PhysicalLocation {
    pub(super) artifact_location: ArtifactLocation,
    pub(super) region: Region,
}

#[derive(Serialize)]
pub(super) struct ArtifactLocation {
    pub(super) uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) index: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Region {
    /// SARIF lines are 1-based; a snapshot finding has no line of its own, so it points at the
    /// start of the file.
    pub(super) start_line: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct LogicalLocation {
    pub(super) fully_qualified_name: String,
    pub(super) kind: &'static str,
}

/// SARIF §3.35 suppression.
#[derive(Serialize)]
pub(super) struct Suppression<'a> {
    pub(super) kind: &'static str,
    pub(super) status: &'static str,
    pub(super) justification: &'a str,
    pub(super) properties: SuppressionProperties<'a>,
}

#[derive(Serialize)]
pub(super) struct SuppressionProperties<'a> {
    pub(super) owner: &'a str,
    pub(super) expires: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) ticket: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ResultProperties<'a> {
    pub(super) status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) original_status: Option<&'static str>,
    pub(super) severity: &'static str,
    pub(super) label: &'static str,
    pub(super) scope: &'a str,
    pub(super) evidence: Vec<EvidenceProperty<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) evidence_omitted: Option<usize>,
}

#[derive(Serialize)]
pub(super) struct EvidenceProperty<'a> {
    pub(super) resource: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub(super) pointer: &'a str,
    pub(super) detail: &'a str,
}
