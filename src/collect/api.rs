//! Paths and api-versions of every request the collector sends.
//!
//! The api-versions are those of the reference payloads in `shared/reference/api-examples` (see
//! its README); Sentinel settings exist only in preview versions, hence `2025-10-01-preview`.
//! Resource groups have no reference example; `2021-04-01` is the current stable version.

/// `GET /subscriptions` and `GET /subscriptions/{id}` (`resources/GetSubscriptions.json`).
pub(crate) const SUBSCRIPTIONS: &str = "2022-12-01";
/// `GET .../resourcegroups`.
pub(crate) const RESOURCE_GROUPS: &str = "2021-04-01";
/// Role definitions, role assignments and deny assignments (`authorization/*.json`).
pub(crate) const AUTHORIZATION: &str = "2022-04-01";
/// PIM for Azure resources: `roleEligibilityScheduleInstances` (`authorization/2020-10-01`).
pub(crate) const ROLE_ELIGIBILITY: &str = "2020-10-01";
/// Defender for Cloud plans (`security/2024-01-01/ListPricings_example.json`).
pub(crate) const PRICINGS: &str = "2024-01-01";
/// Log Analytics workspaces (`operationalinsights/WorkspacesSubscriptionList.json`).
pub(crate) const WORKSPACES: &str = "2025-07-01";
/// Sentinel onboarding states, data connectors, alert rules, automation rules, content packages
/// (`sentinel/2025-09-01`).
pub(crate) const SENTINEL: &str = "2025-09-01";
/// Sentinel settings (`sentinel/2025-10-01-preview/GetAllSettings.json`).
pub(crate) const SENTINEL_SETTINGS: &str = "2025-10-01-preview";
/// Diagnostic settings of a resource (`insights/2021-05-01-preview/listDiagnosticSettings.json`).
pub(crate) const DIAGNOSTIC_SETTINGS: &str = "2021-05-01-preview";

/// App ids of the Defender service principals the checks name (facts §5): Microsoft Threat
/// Protection and WindowsDefenderATP.
pub(crate) const DEFENDER_APP_IDS: [&str; 2] = [
    "8ee8fdad-f234-4243-8f3b-15c294843740",
    "fc780465-2017-40d4-a0c5-307022471b92",
];

/// Per-subscription lists: snapshot key, path below `/subscriptions/{id}`, api-version.
pub(crate) const SUBSCRIPTION_LISTS: [(&str, &str, &str); 6] = [
    ("resourceGroups", "/resourcegroups", RESOURCE_GROUPS),
    (
        "roleDefinitions",
        "/providers/Microsoft.Authorization/roleDefinitions",
        AUTHORIZATION,
    ),
    // No `$filter=atScope()`: the unfiltered list includes assignments inherited from management
    // groups and those below the subscription, all of which the permission checks need.
    (
        "roleAssignments",
        "/providers/Microsoft.Authorization/roleAssignments",
        AUTHORIZATION,
    ),
    (
        "denyAssignments",
        "/providers/Microsoft.Authorization/denyAssignments",
        AUTHORIZATION,
    ),
    (
        "roleEligibilities",
        "/providers/Microsoft.Authorization/roleEligibilityScheduleInstances",
        ROLE_ELIGIBILITY,
    ),
    (
        "defenderPricings",
        "/providers/Microsoft.Security/pricings",
        PRICINGS,
    ),
];

/// Per-workspace Sentinel lists (beyond `onboardingStates`): snapshot key, path below the
/// workspace id, api-version.
pub(crate) const WORKSPACE_LISTS: [(&str, &str, &str); 6] = [
    (
        "dataConnectors",
        "/providers/Microsoft.SecurityInsights/dataConnectors",
        SENTINEL,
    ),
    (
        "alertRules",
        "/providers/Microsoft.SecurityInsights/alertRules",
        SENTINEL,
    ),
    (
        "automationRules",
        "/providers/Microsoft.SecurityInsights/automationRules",
        SENTINEL,
    ),
    (
        "settings",
        "/providers/Microsoft.SecurityInsights/settings",
        SENTINEL_SETTINGS,
    ),
    (
        "contentPackages",
        "/providers/Microsoft.SecurityInsights/contentPackages",
        SENTINEL,
    ),
    (
        "diagnosticSettings",
        "/providers/Microsoft.Insights/diagnosticSettings",
        DIAGNOSTIC_SETTINGS,
    ),
];

/// Diagnostic settings of Sentinel's health and audit resource, below the workspace id.
pub(crate) const SENTINEL_HEALTH_DIAGNOSTICS: &str = "/providers/Microsoft.SecurityInsights/settings/SentinelHealth/providers/Microsoft.Insights/diagnosticSettings";

/// Sentinel onboarding states of a workspace (non-empty = Sentinel enabled).
pub(crate) const ONBOARDING_STATES: &str = "/providers/Microsoft.SecurityInsights/onboardingStates";

/// Graph directory lists: snapshot key under `graph`, path.
pub(crate) const GRAPH_LISTS: [(&str, &str); 4] = [
    ("subscribedSkus", "/v1.0/subscribedSkus"),
    (
        "directoryRoleDefinitions",
        "/v1.0/roleManagement/directory/roleDefinitions",
    ),
    (
        "directoryRoleAssignments",
        "/v1.0/roleManagement/directory/roleAssignments",
    ),
    (
        "directoryRoleEligibilities",
        "/v1.0/roleManagement/directory/roleEligibilityScheduleInstances",
    ),
];

/// `path?api-version=version`.
pub(crate) fn versioned(path: &str, version: &str) -> String {
    format!("{path}?api-version={version}")
}
