//! Log Analytics workspaces and, for Sentinel workspaces, their Sentinel collections.
//!
//! Every workspace of every collected subscription is kept in `azure.workspaces` with its
//! `onboardingStates`. The other Sentinel lists (data connectors, alert rules, automation rules,
//! settings, content packages, diagnostic settings) are read only for workspaces with Sentinel
//! enabled (non-empty onboarding states), named with `--workspace`, or whose onboarding states
//! could not be read (so that a denied call does not hide a Sentinel workspace).

use futures::future::join_all;
use serde_json::{Map, Value};

use super::api::{self, versioned};
use super::client::Api;
use super::record::Ctx;

/// Workspaces named with `--workspace`: ARM ids or names, compared case-insensitively.
#[derive(Debug, Default)]
pub(crate) struct Named {
    ids: Vec<String>,
    names: Vec<String>,
}

/// Lower-cased ARM id without a trailing `/` (the form used in targets and comparisons).
pub(crate) fn normalize_id(id: &str) -> String {
    id.trim().trim_end_matches('/').to_ascii_lowercase()
}

impl Named {
    pub(crate) fn new(values: &[String]) -> Self {
        let (ids, names): (Vec<_>, Vec<_>) = values.iter().partition(|v| v.contains('/'));
        Self {
            ids: ids.iter().map(|v| normalize_id(v)).collect(),
            names: names
                .iter()
                .map(|v| v.trim().to_ascii_lowercase())
                .collect(),
        }
    }

    fn matches(&self, workspace: &Value) -> bool {
        let field = |k: &str| workspace.get(k).and_then(Value::as_str).unwrap_or_default();
        self.ids.contains(&normalize_id(field("id")))
            || self.names.contains(&field("name").to_ascii_lowercase())
    }
}

/// The workspace entries of one subscription (`None` when they could not be listed).
pub(crate) async fn for_subscription(
    ctx: &Ctx,
    subscription_id: &str,
    named: &Named,
) -> Option<Vec<Value>> {
    let path = versioned(
        &format!(
            "/subscriptions/{subscription_id}/providers/Microsoft.OperationalInsights/workspaces"
        ),
        api::WORKSPACES,
    );
    let workspaces = ctx.list(Api::Arm, &path, "azure.workspaces").await?;
    Some(join_all(workspaces.into_iter().map(|ws| workspace(ctx, ws, named))).await)
}

/// The snapshot entry of one workspace.
async fn workspace(ctx: &Ctx, workspace: Value, named: &Named) -> Value {
    let mut entry = Map::new();
    let Some(id) = workspace
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        entry.insert("workspace".into(), workspace);
        return Value::Object(entry);
    };
    let id = id.trim_end_matches('/');
    let prefix = format!("azure.workspaces[{}]", normalize_id(id));
    let onboarding = ctx
        .list(
            Api::Arm,
            &versioned(&format!("{id}{}", api::ONBOARDING_STATES), api::SENTINEL),
            &format!("{prefix}.onboardingStates"),
        )
        .await;
    let wanted =
        onboarding.as_ref().is_none_or(|states| !states.is_empty()) || named.matches(&workspace);
    entry.insert("workspace".into(), workspace);
    if let Some(states) = onboarding {
        entry.insert("onboardingStates".into(), Value::Array(states));
    }
    if !wanted {
        return Value::Object(entry);
    }
    let lists = join_all(api::WORKSPACE_LISTS.iter().map(|(key, suffix, version)| {
        let path = versioned(&format!("{id}{suffix}"), version);
        let target = format!("{prefix}.{key}");
        async move { (*key, ctx.list(Api::Arm, &path, &target).await) }
    }))
    .await;
    for (key, items) in lists {
        if let Some(items) = items {
            entry.insert(key.into(), Value::Array(items));
        }
    }
    // Sentinel's health and audit diagnostics hang off the SentinelHealth settings resource,
    // not the workspace; they share the `diagnosticSettings` key (SOC012 tells them apart by
    // id). The resource exists only once health monitoring was set up, so a 404 means none; any
    // other failure is recorded under the same target, so the list counts as partial.
    let health = ctx
        .list_optional(
            Api::Arm,
            &versioned(
                &format!("{id}{}", api::SENTINEL_HEALTH_DIAGNOSTICS),
                api::DIAGNOSTIC_SETTINGS,
            ),
            &format!("{prefix}.diagnosticSettings"),
        )
        .await;
    if let (Some(mut more), Some(Value::Array(list))) =
        (health, entry.get_mut("diagnosticSettings"))
    {
        list.append(&mut more);
    }
    Value::Object(entry)
}
