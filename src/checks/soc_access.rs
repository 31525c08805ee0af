//! SOC007 `soc_access`: the SOC can view, query incidents and investigate in this workspace —
//! each task judged on its own, by role or by the exact actions (DESIGN §3.6).

use std::sync::Arc;

use serde::Deserialize;

use crate::engine::context::{Context, ScopeRef};
use crate::engine::registry::{Check, params};
use crate::finding::{Evidence, Outcome, Status};
use crate::rbac::tasks::place;
use crate::rbac::{AccessTask, PartScope, PartTemplate};

#[derive(Deserialize, Clone, Copy, Default)]
#[serde(rename_all = "snake_case")]
enum At {
    Subscription,
    #[default]
    Workspace,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskParams {
    name: String,
    /// Built-in role GUIDs, least privileged first.
    roles: Vec<String>,
    actions: Vec<String>,
    #[serde(default)]
    at: At,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// Tasks this rule judges.
    tasks: Vec<TaskParams>,
    /// Tasks shown in the access matrix only (not judged by this rule).
    #[serde(default)]
    matrix_tasks: Vec<TaskParams>,
}

impl TaskParams {
    fn template(&self) -> PartTemplate {
        PartTemplate {
            label: self.name.clone(),
            at: match self.at {
                At::Subscription => PartScope::Subscription,
                At::Workspace => PartScope::Workspace,
            },
            roles: self.roles.clone(),
            actions: self.actions.clone(),
        }
    }
}

struct SocAccess(Params);

pub fn prepare(table: &toml::Table) -> Result<Arc<dyn Check>, String> {
    let mut p: Params = params(table)?;
    if p.tasks.is_empty() {
        return Err("tasks must not be empty".into());
    }
    for t in p.tasks.iter_mut().chain(p.matrix_tasks.iter_mut()) {
        t.roles.iter_mut().for_each(|g| *g = g.to_ascii_lowercase());
    }
    if p.tasks
        .iter()
        .chain(p.matrix_tasks.iter())
        .any(|t| t.actions.len() > 64)
    {
        return Err("at most 64 actions per task".into());
    }
    Ok(Arc::new(SocAccess(p)))
}

impl Check for SocAccess {
    fn access_tasks(&self) -> Vec<AccessTask> {
        self.0
            .tasks
            .iter()
            .chain(self.0.matrix_tasks.iter())
            .map(|t| AccessTask::Azure {
                name: t.name.clone(),
                parts: vec![t.template()],
            })
            .collect()
    }

    fn evaluate(&self, cx: &Context<'_>, scope: &ScopeRef<'_>) -> Outcome {
        let ScopeRef::Workspace(ws) = scope else {
            return Outcome::not_applicable("workspace rule");
        };
        if let Some(na) = super::sentinel_gate(ws) {
            return na;
        }
        let sub = match super::lookup::workspace_subscription(cx, ws) {
            Ok(sub) => sub,
            Err(unknown) => return unknown,
        };
        // (principal label, principal id) pairs to judge: the named SOC groups, or anyone.
        let groups: Vec<(String, Option<String>)> = if cx.opts.soc_groups.is_empty() {
            vec![("principal".to_string(), None)]
        } else {
            cx.opts
                .soc_groups
                .iter()
                .map(|(n, id)| (format!("SOC group {n} ({id})"), Some(id.clone())))
                .collect()
        };
        let mut per_task = Vec::new();
        for t in &self.0.tasks {
            let task = place(&[t.template()], &sub.id, ws);
            for (who, id) in &groups {
                let res = cx.rbac.azure(sub, &task, id.as_deref());
                let fail = Evidence::new(
                    format!("/azure/subscriptions/{}/roleAssignments", sub.index),
                    ws.arm_id,
                    format!("no {who} can {}", t.name),
                );
                per_task.push((
                    t.name.clone(),
                    super::permission_outcome(&res, &t.name, who, fail),
                ));
            }
        }
        combine(per_task)
    }
}

/// Worst status wins (fail > unknown > pass); the message lists each task's answer.
fn combine(per_task: Vec<(String, Outcome)>) -> Outcome {
    let rank = |s: Status| match s {
        Status::Fail => 2,
        Status::Unknown => 1,
        _ => 0,
    };
    let worst = per_task
        .iter()
        .map(|(_, o)| o.status)
        .max_by_key(|s| rank(*s))
        .unwrap_or(Status::Unknown);
    let message = per_task
        .iter()
        .map(|(t, o)| format!("{t}: {} — {}", o.status, o.message))
        .collect::<Vec<_>>()
        .join("; ");
    let mut out = Outcome::new(worst, message);
    for (_, o) in per_task {
        if o.status == worst || worst == Status::Pass {
            out.evidence.extend(o.evidence);
        }
    }
    out
}
