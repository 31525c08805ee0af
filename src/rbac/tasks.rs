//! Access tasks as the rule files define them (onboard, connect, view, query, investigate,
//! support), and the who-can-do-what matrix built from them.

use std::sync::Arc;

use serde::Serialize;

use super::{AzureTask, EntraTask, LevelKind, Part, Rbac};
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
    pub principal: Arc<str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_type: Option<Arc<str>>,
    /// Per task (same order as `AccessMatrix::tasks`): `active`, `eligible`, `conditional`,
    /// `unverified`, or null when the principal cannot do it.
    pub cells: Vec<Option<&'static str>>,
}

/// The who-can-do-what matrix for one workspace.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceAccess {
    pub workspace: String,
    /// Principals with at least one task, by name (possibly only the first of them: see
    /// `principal_count`).
    pub rows: Vec<AccessRow>,
    /// Principals with at least one task, in all.
    pub principal_count: usize,
    /// Principals per task (same order as `AccessMatrix::tasks`) that can do it, at any level.
    pub task_counts: Vec<usize>,
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

impl WorkspaceAccess {
    /// Whether rows were left out (`rows` holds the principals with the most tasks).
    pub fn truncated(&self) -> bool {
        self.rows.len() < self.principal_count
    }
}

impl Rbac<'_> {
    /// Builds the matrix over `workspaces` (positions in the index), optionally for one
    /// principal. With `limit`, each workspace keeps only the `limit` principals with the most
    /// tasks (ties by name), still listed by name, so a tenant with thousands of readers stays
    /// small in memory and in reports; the counts are of everyone.
    pub fn matrix(
        &self,
        index: &Index<'_>,
        tasks: &[AccessTask],
        workspaces: &[usize],
        principal: Option<&str>,
        limit: Option<usize>,
    ) -> AccessMatrix {
        let mut m = AccessMatrix {
            tasks: tasks.iter().map(|t| t.name().to_string()).collect(),
            workspaces: Vec::new(),
        };
        for &w in workspaces {
            let ws = &index.workspaces[w];
            // Per principal id: the level kind per task.
            let mut at: std::collections::HashMap<u32, usize> = Default::default();
            let mut cells: Vec<(u32, Vec<Option<LevelKind>>)> = Vec::new();
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
                for &(p, kind) in &res.all {
                    let n = *at.entry(p).or_insert_with(|| {
                        cells.push((p, vec![None; tasks.len()]));
                        cells.len() - 1
                    });
                    cells[n].1[t].get_or_insert(kind);
                }
            }
            let task_counts = (0..tasks.len())
                .map(|t| cells.iter().filter(|(_, c)| c[t].is_some()).count())
                .collect();
            let principal_count = cells.len();
            cells.sort_unstable_by_key(|(p, _)| self.order.get(*p as usize).copied());
            if let Some(limit) = limit.filter(|&l| l < cells.len()) {
                // Stable: among equal task counts, the name order stays.
                cells.sort_by_key(|(_, c)| std::cmp::Reverse(c.iter().flatten().count()));
                cells.truncate(limit);
                cells.sort_unstable_by_key(|(p, _)| self.order.get(*p as usize).copied());
            }
            m.workspaces.push(WorkspaceAccess {
                workspace: ws.id.clone(),
                rows: cells
                    .into_iter()
                    .map(|(p, c)| AccessRow {
                        principal: self.principals.shared(p),
                        principal_type: self.types.get(p as usize).cloned().flatten(),
                        cells: c.into_iter().map(|k| k.map(LevelKind::cell)).collect(),
                    })
                    .collect(),
                principal_count,
                task_counts,
                gaps,
            });
        }
        m
    }
}
