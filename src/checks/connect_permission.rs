//! SOC006 `connect_permission`: someone (or the `--operator`) can connect the workspace: Owner on
//! the subscription, or User Access Administrator (or RBAC Administrator) on the subscription plus
//! Microsoft Sentinel Contributor (or Contributor/Owner) on the subscription, resource group or
//! workspace — or other roles granting the same actions (DESIGN §3.6).

use std::sync::Arc;

use serde::Deserialize;

use super::permission_outcome;
use crate::engine::context::{Context, ScopeRef};
use crate::engine::registry::{Check, params};
use crate::finding::{Evidence, Outcome};
use crate::rbac::tasks::place;
use crate::rbac::{AccessTask, PartScope, PartTemplate};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// Built-in roles (GUIDs) that satisfy the subscription part: Owner, UAA, RBAC Administrator.
    subscription_roles: Vec<String>,
    /// Actions that satisfy the subscription part when granted by other roles.
    subscription_actions: Vec<String>,
    /// Built-in roles (GUIDs) that satisfy the workspace part at subscription, group or workspace.
    workspace_roles: Vec<String>,
    /// Actions that satisfy the workspace part when granted by other roles.
    workspace_actions: Vec<String>,
}

struct ConnectPermission(Params);

pub fn prepare(table: &toml::Table) -> Result<Arc<dyn Check>, String> {
    let mut p: Params = params(table)?;
    for list in [&mut p.subscription_roles, &mut p.workspace_roles] {
        list.iter_mut().for_each(|g| *g = g.to_ascii_lowercase());
    }
    if [&p.subscription_actions, &p.workspace_actions]
        .iter()
        .any(|a| a.len() > 64)
    {
        return Err("at most 64 actions per part".into());
    }
    Ok(Arc::new(ConnectPermission(p)))
}

impl ConnectPermission {
    /// The two parts of connecting, labelled with the built-in role names.
    fn parts(&self) -> Vec<PartTemplate> {
        let names = |roles: &[String]| {
            roles
                .iter()
                .map(|g| crate::rbac::builtin_role_name(g).unwrap_or(g).to_string())
                .collect::<Vec<_>>()
                .join(" or ")
        };
        vec![
            PartTemplate {
                label: format!("{} on the subscription", names(&self.0.subscription_roles)),
                at: PartScope::Subscription,
                roles: self.0.subscription_roles.clone(),
                actions: self.0.subscription_actions.clone(),
            },
            PartTemplate {
                label: format!("{} on the workspace", names(&self.0.workspace_roles)),
                at: PartScope::Workspace,
                roles: self.0.workspace_roles.clone(),
                actions: self.0.workspace_actions.clone(),
            },
        ]
    }
}

impl Check for ConnectPermission {
    fn access_tasks(&self) -> Vec<AccessTask> {
        vec![AccessTask::Azure {
            name: "connect the workspace".into(),
            parts: self.parts(),
        }]
    }

    fn evaluate(&self, cx: &Context<'_>, scope: &ScopeRef<'_>) -> Outcome {
        let ScopeRef::Workspace(ws) = scope else {
            return Outcome::not_applicable("workspace rule");
        };
        let sub = match super::lookup::workspace_subscription(cx, ws) {
            Ok(sub) => sub,
            Err(unknown) => return unknown,
        };
        let task = place(&self.parts(), &sub.id, ws);
        let op = cx.opts.operator.as_deref();
        let res = cx.rbac.azure(sub, &task, op);
        let who = match op {
            Some(o) => format!("operator {o}"),
            None => "principal".to_string(),
        };
        let fail = Evidence::new(
            format!("/azure/subscriptions/{}/roleAssignments", sub.index),
            ws.arm_id,
            format!(
                "needs Owner on subscription {}, or User Access Administrator on it plus Microsoft Sentinel Contributor on the subscription, resource group or workspace",
                sub.id
            ),
        );
        permission_outcome(
            &res,
            "connect this workspace to the Defender portal",
            &who,
            fail,
        )
    }
}
