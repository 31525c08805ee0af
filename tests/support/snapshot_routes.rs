//! Serves a snapshot file as the ARM and Graph APIs would (for round-trip tests and the
//! collection benchmark).
//!
//! Every collection present in the snapshot becomes a route (paged by the fake server); a
//! collection that is absent becomes a 403; a collection that is present but named by an
//! `errors` entry (a partial list) is served in full and then fails with 500 on the next page.
#![allow(dead_code)]

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::fake_tenant::{Builder, Fault, Flavor};

const SUBSCRIPTION_LISTS: [(&str, &str); 6] = [
    ("resourceGroups", "/resourcegroups"),
    (
        "roleDefinitions",
        "/providers/Microsoft.Authorization/roleDefinitions",
    ),
    (
        "roleAssignments",
        "/providers/Microsoft.Authorization/roleAssignments",
    ),
    (
        "denyAssignments",
        "/providers/Microsoft.Authorization/denyAssignments",
    ),
    (
        "roleEligibilities",
        "/providers/Microsoft.Authorization/roleEligibilityScheduleInstances",
    ),
    ("defenderPricings", "/providers/Microsoft.Security/pricings"),
];

const WORKSPACE_LISTS: [(&str, &str); 7] = [
    (
        "onboardingStates",
        "/providers/Microsoft.SecurityInsights/onboardingStates",
    ),
    (
        "dataConnectors",
        "/providers/Microsoft.SecurityInsights/dataConnectors",
    ),
    (
        "alertRules",
        "/providers/Microsoft.SecurityInsights/alertRules",
    ),
    (
        "automationRules",
        "/providers/Microsoft.SecurityInsights/automationRules",
    ),
    ("settings", "/providers/Microsoft.SecurityInsights/settings"),
    (
        "contentPackages",
        "/providers/Microsoft.SecurityInsights/contentPackages",
    ),
    (
        "diagnosticSettings",
        "/providers/Microsoft.Insights/diagnosticSettings",
    ),
];

const GRAPH_LISTS: [(&str, &str); 5] = [
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
    ("servicePrincipals", "/v1.0/servicePrincipals"),
];

/// Lower-cased id without a trailing `/`.
pub fn norm(id: &str) -> String {
    id.trim().trim_end_matches('/').to_ascii_lowercase()
}

/// Whether an `errors` entry names `target` (ids compared case-insensitively; the snapshot may
/// write a subscription as `<id>` or `/subscriptions/<id>`).
fn has_error(snapshot: &Value, target: &str) -> bool {
    let canonical = |t: &str| {
        norm(&t.replace(
            "azure.subscriptions[/subscriptions/",
            "azure.subscriptions[",
        ))
    };
    snapshot["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|e| {
            e["target"]
                .as_str()
                .is_some_and(|t| canonical(t) == canonical(target))
        })
}

fn serve(
    builder: Builder,
    snapshot: &Value,
    path: &str,
    list: Option<&Value>,
    target: &str,
) -> Builder {
    match list {
        None => builder.fault(path, Fault::Forbidden),
        Some(items) => {
            let builder = builder.route(path, items.clone());
            if has_error(snapshot, target) {
                let pages = items.as_array().map_or(0, Vec::len).div_ceil(2).max(1);
                builder.fault(path, Fault::FailPage { page: pages })
            } else {
                builder
            }
        }
    }
}

/// The fake ARM and Graph servers (not started) for `snapshot`.
pub fn builders(snapshot: &Value) -> (Builder, Builder) {
    let mut arm = Builder::new(Flavor::Arm);
    let subscriptions = snapshot
        .pointer("/azure/subscriptions")
        .and_then(Value::as_array);
    let subs: Vec<Value> = subscriptions
        .into_iter()
        .flatten()
        .map(|s| s["subscription"].clone())
        .collect();
    arm = match subscriptions {
        Some(_) => arm.route("/subscriptions", Value::Array(subs)),
        None => arm.fault("/subscriptions", Fault::Forbidden),
    };
    let mut workspaces_by_sub: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for sub in subscriptions.into_iter().flatten() {
        let Some(id) = sub["subscription"]["subscriptionId"].as_str() else {
            continue;
        };
        arm = arm.route(&format!("/subscriptions/{id}"), sub["subscription"].clone());
        for (key, suffix) in SUBSCRIPTION_LISTS {
            let path = format!("/subscriptions/{id}{suffix}");
            arm = serve(
                arm,
                snapshot,
                &path,
                sub.get(key),
                &format!("azure.subscriptions[{id}].{key}"),
            );
        }
        workspaces_by_sub.insert(id.to_ascii_lowercase(), Vec::new());
    }
    let workspaces = snapshot
        .pointer("/azure/workspaces")
        .and_then(Value::as_array);
    for ws in workspaces.into_iter().flatten() {
        let id = ws["workspace"]["id"].as_str().unwrap_or_default();
        let sub = id
            .split('/')
            .nth(2)
            .unwrap_or_default()
            .to_ascii_lowercase();
        workspaces_by_sub
            .entry(sub)
            .or_default()
            .push(ws["workspace"].clone());
        for (key, suffix) in WORKSPACE_LISTS {
            let path = format!("{}{suffix}", id.trim_end_matches('/'));
            arm = serve(
                arm,
                snapshot,
                &path,
                ws.get(key),
                &format!("azure.workspaces[{id}].{key}"),
            );
        }
    }
    for (sub, list) in workspaces_by_sub {
        let path =
            format!("/subscriptions/{sub}/providers/Microsoft.OperationalInsights/workspaces");
        arm = match workspaces {
            Some(_) => arm.route(&path, Value::Array(list)),
            None => arm.fault(&path, Fault::Forbidden),
        };
    }

    let mut graph = Builder::new(Flavor::Graph);
    graph = match snapshot.pointer("/tenant/organization") {
        Some(org) if org.is_object() => graph.route("/v1.0/organization", json!([org])),
        _ => graph.fault("/v1.0/organization", Fault::Forbidden),
    };
    for (key, path) in GRAPH_LISTS {
        let list = snapshot
            .pointer(&format!("/graph/{key}"))
            .filter(|v| v.is_array());
        graph = serve(graph, snapshot, path, list, &format!("graph.{key}"));
    }
    // Graph answers "which groups is p in" through each group's transitive members.
    let memberships = snapshot
        .pointer("/graph/memberships")
        .and_then(Value::as_object);
    let mut members: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (principal, groups) in memberships.into_iter().flatten() {
        for group in groups
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            members
                .entry(group.to_owned())
                .or_default()
                .push(json!({"id": principal}));
        }
    }
    for (group, list) in members {
        graph = graph.route(
            &format!("/v1.0/groups/{group}/transitiveMembers"),
            Value::Array(list),
        );
    }
    (arm, graph)
}
