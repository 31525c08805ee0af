//! Access tasks as the rule files define them (onboard, connect, view, query, investigate,
//! support), and the who-can-do-what matrix built from them.

use serde::Serialize;

use super::{AzureTask, EntraTask, Level, Part, Rbac};
use crate::engine::context::{Index, WorkspaceView};

/// Where a part of a task must be granted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartScope {
    Subscription,
    Workspace,
}

/// A part of an Azure task before it is placed on a workspace.
#[derive(Clone, Debug)]
pub struct PartTemplate {
    pub label: String,
    pub at: PartScope,
    /// Role GUIDs, least privileged first (the first is suggested to close a gap).
    pub roles: Vec<String>,
    pub actions: Vec<String>,
}

/// An access task (a column of the matrix).
#[derive(Clone, Debug)]
pub enum AccessTask {
    /// Tenant-wide Entra directory roles.
    Entra { name: String, task: EntraTask },
    /// Azure RBAC at the workspace's subscription / workspace.
    Azure {
        name: String,
        parts: Vec<PartTemplate>,
    },
}

impl AccessTask {
    pub fn name(&self) -> &str {
        match self {
            AccessTask::Entra { name, .. } | AccessTask::Azure { name, .. } => name,
        }
    }
}

/// Places a task's parts on one workspace.
pub fn place(parts: &[PartTemplate], subscription: &str, ws: &WorkspaceView<'_>) -> AzureTask {
    AzureTask {
        parts: parts
            .iter()
            .map(|p| Part {
                label: p.label.clone(),
                target: match p.at {
                    PartScope::Subscription => format!("/subscriptions/{subscription}"),
                    PartScope::Workspace => ws.id.clone(),
                },
                roles: p.roles.clone(),
                actions: p.actions.clone(),
            })
            .collect(),
    }
}

/// One principal's access in one workspace, task by task.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessRow {
    pub principal: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_type: Option<String>,
    /// Per task (same order as `AccessMatrix::tasks`): `active`, `eligible`, `conditional`,
    /// `unverified`, or null when the principal cannot do it.
    pub cells: Vec<Option<&'static str>>,
}

/// The who-can-do-what matrix for one workspace.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceAccess {
    pub workspace: String,
    pub rows: Vec<AccessRow>,
    /// Why the matrix may be incomplete (inputs missing or partial).
    pub gaps: Vec<String>,
}

/// Principals × tasks for every scope workspace.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessMatrix {
    pub tasks: Vec<String>,
    pub workspaces: Vec<WorkspaceAccess>,
}

fn cell(level: &Level) -> &'static str {
    match level {
        Level::Active => "active",
        Level::Eligible => "eligible",
        Level::Conditional(_) => "conditional",
        Level::Unverified(_) => "unverified",
    }
}

impl Rbac<'_> {
    /// Builds the matrix over `workspaces` (positions in the index), optionally for one principal.
    pub fn matrix(
        &self,
        index: &Index<'_>,
        tasks: &[AccessTask],
        workspaces: &[usize],
        principal: Option<&str>,
    ) -> AccessMatrix {
        let mut m = AccessMatrix {
            tasks: tasks.iter().map(|t| t.name().to_string()).collect(),
            workspaces: Vec::new(),
        };
        for &w in workspaces {
            let ws = &index.workspaces[w];
            let mut rows: std::collections::BTreeMap<String, AccessRow> = Default::default();
            let mut gaps: Vec<String> = Vec::new();
            let sub = index.subscription(&ws.subscription_id);
            for (t, task) in tasks.iter().enumerate() {
                let res = match task {
                    AccessTask::Entra { task, .. } => self.entra(task, principal),
                    AccessTask::Azure { parts, .. } => match sub {
                        Some(sub) => self.azure(sub, &place(parts, &sub.id, ws), principal),
                        None => {
                            let g = format!(
                                "subscription {} is not in the snapshot",
                                ws.subscription_id
                            );
                            if !gaps.contains(&g) {
                                gaps.push(g);
                            }
                            continue;
                        }
                    },
                };
                for g in res.gaps.iter().chain(res.grants_unverifiable.iter()) {
                    if !gaps.contains(g) {
                        gaps.push(g.clone());
                    }
                }
                for h in &res.holders {
                    let row = rows
                        .entry(h.principal.clone())
                        .or_insert_with(|| AccessRow {
                            principal: h.principal.clone(),
                            principal_type: h.principal_type.clone(),
                            cells: vec![None; tasks.len()],
                        });
                    if row.principal_type.is_none() {
                        row.principal_type = h.principal_type.clone();
                    }
                    row.cells[t] = Some(cell(&h.level));
                }
            }
            m.workspaces.push(WorkspaceAccess {
                workspace: ws.id.clone(),
                rows: rows.into_values().collect(),
                gaps,
            });
        }
        m
    }
}
