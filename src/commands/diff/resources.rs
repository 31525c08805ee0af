//! Resource drift between two snapshots: Azure and Entra role assignments (active and
//! eligible), Sentinel data connectors and analytics rules, matched by lower-cased id.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::snapshot::{Resource, Snapshot, str_at};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ResourceKind {
    DirectoryRoleAssignment,
    DirectoryRoleEligibility,
    RoleAssignment,
    RoleEligibility,
    DataConnector,
    AlertRule,
}

impl ResourceKind {
    /// For people.
    pub fn title(self) -> &'static str {
        match self {
            ResourceKind::DirectoryRoleAssignment => "Entra role assignment",
            ResourceKind::DirectoryRoleEligibility => "Entra role eligibility",
            ResourceKind::RoleAssignment => "Azure role assignment",
            ResourceKind::RoleEligibility => "Azure role eligibility",
            ResourceKind::DataConnector => "data connector",
            ResourceKind::AlertRule => "analytics rule",
        }
    }
    /// For JSON.
    pub fn key(self) -> &'static str {
        match self {
            ResourceKind::DirectoryRoleAssignment => "directoryRoleAssignment",
            ResourceKind::DirectoryRoleEligibility => "directoryRoleEligibility",
            ResourceKind::RoleAssignment => "roleAssignment",
            ResourceKind::RoleEligibility => "roleEligibility",
            ResourceKind::DataConnector => "dataConnector",
            ResourceKind::AlertRule => "alertRule",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Change {
    Added,
    Removed,
    Changed,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Changed => "changed",
        }
    }
}

pub(crate) struct ResourceChange {
    pub kind: ResourceKind,
    pub change: Change,
    /// The resource id as the snapshot spells it.
    pub id: String,
    /// What it is (role, principal, scope; connector kind; rule name and state), and for a
    /// change, which fields changed.
    pub detail: String,
    /// Where it lives: `tenant`, a subscription id or a workspace name.
    pub container: String,
}

/// One collection of one container (the tenant, a subscription, a workspace) in one snapshot.
struct Collection<'a> {
    kind: ResourceKind,
    container: String,
    items: Option<&'a Vec<Resource>>,
    /// Role definition id (lower-cased GUID) → name, for details.
    roles: BTreeMap<String, String>,
}

fn collections<'a>(s: &'a Snapshot) -> BTreeMap<(ResourceKind, String), Collection<'a>> {
    let mut out: BTreeMap<(ResourceKind, String), Collection<'a>> = BTreeMap::new();
    let mut add = |c: Collection<'a>| {
        out.insert((c.kind, c.container.clone()), c);
    };
    if let Some(g) = &s.graph {
        let roles: BTreeMap<String, String> = g
            .directory_role_definitions
            .iter()
            .flatten()
            .flat_map(|d| {
                let name = str_at(d, "displayName").unwrap_or_default().to_string();
                ["id", "templateId"]
                    .into_iter()
                    .filter_map(|k| str_at(d, k))
                    .map(move |id| (id.to_ascii_lowercase(), name.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        for (kind, items) in [
            (
                ResourceKind::DirectoryRoleAssignment,
                g.directory_role_assignments.as_ref(),
            ),
            (
                ResourceKind::DirectoryRoleEligibility,
                g.directory_role_eligibilities.as_ref(),
            ),
        ] {
            add(Collection {
                kind,
                container: "tenant".into(),
                items,
                roles: roles.clone(),
            });
        }
    }
    if let Some(a) = &s.azure {
        for sub in a.subscriptions.iter().flatten() {
            let id = str_at(&sub.subscription, "subscriptionId")
                .or_else(|| str_at(&sub.subscription, "id"))
                .unwrap_or_default()
                .to_ascii_lowercase();
            let roles: BTreeMap<String, String> = sub
                .role_definitions
                .iter()
                .flatten()
                .filter_map(|d| {
                    let guid = crate::engine::context::last_segment(str_at(d, "id")?);
                    Some((guid, str_at(d, "properties.roleName")?.to_string()))
                })
                .collect();
            for (kind, items) in [
                (ResourceKind::RoleAssignment, sub.role_assignments.as_ref()),
                (
                    ResourceKind::RoleEligibility,
                    sub.role_eligibilities.as_ref(),
                ),
            ] {
                add(Collection {
                    kind,
                    container: format!("subscription {id}"),
                    items,
                    roles: roles.clone(),
                });
            }
        }
        for ws in a.workspaces.iter().flatten() {
            let name = str_at(&ws.workspace, "name").unwrap_or_default();
            let id = str_at(&ws.workspace, "id").unwrap_or_default();
            // Names can repeat across resource groups; the id keeps containers apart.
            let container = format!(
                "workspace {name} ({})",
                id.trim_end_matches('/').to_ascii_lowercase()
            );
            for (kind, items) in [
                (ResourceKind::DataConnector, ws.data_connectors.as_ref()),
                (ResourceKind::AlertRule, ws.alert_rules.as_ref()),
            ] {
                add(Collection {
                    kind,
                    container: container.clone(),
                    items,
                    roles: BTreeMap::new(),
                });
            }
        }
    }
    out
}

/// Compares the resources of two snapshots; what cannot be compared goes to `notes`.
pub(crate) fn compare(
    old: &Snapshot,
    new: &Snapshot,
    notes: &mut Vec<String>,
) -> Vec<ResourceChange> {
    let (before, after) = (collections(old), collections(new));
    let keys: BTreeSet<&(ResourceKind, String)> = before.keys().chain(after.keys()).collect();
    let mut out = Vec::new();
    let mut only: BTreeMap<(String, &str), ()> = BTreeMap::new();
    for key in keys {
        let (kind, container) = key;
        let (b, a) = match (before.get(key), after.get(key)) {
            (Some(b), Some(a)) => (b, a),
            (b, _) => {
                let side = if b.is_some() {
                    "the earlier"
                } else {
                    "the later"
                };
                only.insert((short(container), side), ());
                continue;
            }
        };
        let (Some(bi), Some(ai)) = (b.items, a.items) else {
            let side = if b.items.is_none() {
                "the earlier"
            } else {
                "the later"
            };
            notes.push(format!(
                "{}s of {} were not collected in {side} snapshot: not compared",
                kind.title(),
                short(container)
            ));
            continue;
        };
        let (bm, am) = (by_id(bi), by_id(ai));
        for id in bm.keys().chain(am.keys()).collect::<BTreeSet<_>>() {
            let change = match (bm.get(id), am.get(id)) {
                (Some(x), None) => Some((Change::Removed, describe(*kind, x, &b.roles), *x)),
                (None, Some(y)) => Some((Change::Added, describe(*kind, y, &a.roles), *y)),
                (Some(x), Some(y)) => {
                    let mut leaves = Vec::new();
                    changed_leaves(x, y, "", &mut leaves);
                    (!leaves.is_empty()).then(|| {
                        let more = if leaves.len() > 3 {
                            format!(" and {} more", leaves.len() - 3)
                        } else {
                            String::new()
                        };
                        leaves.truncate(3);
                        let what = format!(
                            "{}: {}{more}",
                            describe(*kind, y, &a.roles),
                            leaves.join("; ")
                        );
                        (Change::Changed, what, *y)
                    })
                }
                (None, None) => None,
            };
            if let Some((change, detail, v)) = change {
                out.push(ResourceChange {
                    kind: *kind,
                    change,
                    id: str_at(v, "id").unwrap_or(id).to_string(),
                    detail,
                    container: short(container),
                });
            }
        }
    }
    for ((container, side), ()) in only {
        let note =
            format!("{container} is only in {side} snapshot: its resources are not compared");
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
    out.sort_by(|x, y| {
        (x.change, x.kind, &x.container, &x.id).cmp(&(y.change, y.kind, &y.container, &y.id))
    });
    out
}

fn by_id(items: &[Resource]) -> BTreeMap<String, &Value> {
    items
        .iter()
        .filter_map(|x| {
            let x: &Value = x;
            Some((
                str_at(x, "id")?.trim_end_matches('/').to_ascii_lowercase(),
                x,
            ))
        })
        .collect()
}

/// `workspace law-x (/subscriptions/...)` → `workspace law-x` for display.
fn short(container: &str) -> String {
    match container.find(" (/") {
        Some(at) => container[..at].to_string(),
        None => container.to_string(),
    }
}

fn role_name(roles: &BTreeMap<String, String>, def_id: &str) -> String {
    let guid = crate::engine::context::last_segment(def_id);
    roles.get(&guid).cloned().unwrap_or(guid)
}

fn describe(kind: ResourceKind, v: &Value, roles: &BTreeMap<String, String>) -> String {
    let s = |p: &str| str_at(v, p).unwrap_or("?").to_string();
    match kind {
        ResourceKind::DirectoryRoleAssignment | ResourceKind::DirectoryRoleEligibility => format!(
            "{} for {} at {}",
            role_name(roles, &s("roleDefinitionId")),
            s("principalId"),
            s("directoryScopeId")
        ),
        ResourceKind::RoleAssignment | ResourceKind::RoleEligibility => format!(
            "{} for {} {} at {}",
            role_name(roles, &s("properties.roleDefinitionId")),
            str_at(v, "properties.principalType").unwrap_or("principal"),
            s("properties.principalId"),
            s("properties.scope")
        ),
        ResourceKind::DataConnector => format!("{} connector {}", s("kind"), s("name")),
        ResourceKind::AlertRule => {
            let state =
                match crate::snapshot::value_at(v, "properties.enabled").and_then(Value::as_bool) {
                    Some(true) => "enabled",
                    Some(false) => "disabled",
                    None => "state unknown",
                };
            let name = str_at(v, "properties.displayName")
                .unwrap_or_else(|| str_at(v, "name").unwrap_or("?"));
            format!("{} rule \"{name}\" ({state})", s("kind"))
        }
    }
}

/// Keys that change without meaning anything for readiness.
fn noise(key: &str) -> bool {
    key == "etag" || key.starts_with("lastModified") || key == "updatedOn" || key == "createdOn"
}

/// Paths of leaves that differ, as `path: before → after`.
fn changed_leaves(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys.into_iter().filter(|k| !noise(k)) {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                changed_leaves(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    &p,
                    out,
                );
            }
        }
        _ if a == b => {}
        _ => out.push(format!("{path}: {} → {}", brief(a), brief(b))),
    }
}

fn brief(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.chars().count() > 60 {
        s.chars().take(57).collect::<String>() + "..."
    } else {
        s
    }
}
