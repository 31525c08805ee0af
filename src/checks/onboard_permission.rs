//! SOC005 `onboard_permission`: someone (or the `--operator`) holds an Entra role that can
//! onboard the tenant to the unified platform (Global Administrator or Security Administrator).

use std::sync::Arc;

use serde::Deserialize;

use super::permission_outcome;
use crate::engine::context::{Context, ScopeRef};
use crate::engine::registry::{Check, params};
use crate::finding::{Evidence, Outcome};
use crate::rbac::{AccessTask, EntraTask};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// Entra role template ids that can onboard.
    directory_roles: Vec<String>,
}

struct OnboardPermission(EntraTask);

pub fn prepare(table: &toml::Table) -> Result<Arc<dyn Check>, String> {
    let p: Params = params(table)?;
    if p.directory_roles.is_empty() {
        return Err("directory_roles must not be empty".into());
    }
    Ok(Arc::new(OnboardPermission(EntraTask {
        roles: p.directory_roles,
    })))
}

impl Check for OnboardPermission {
    fn access_tasks(&self) -> Vec<AccessTask> {
        vec![AccessTask::Entra {
            name: "onboard the tenant".into(),
            task: self.0.clone(),
        }]
    }

    fn evaluate(&self, cx: &Context<'_>, _scope: &ScopeRef<'_>) -> Outcome {
        let op = cx.opts.operator.as_deref();
        let res = cx.rbac.entra(&self.0, op);
        let who = match op {
            Some(o) => format!("operator {o}"),
            None => "principal".to_string(),
        };
        let roles = self
            .0
            .roles
            .iter()
            .map(|r| crate::rbac::entra_role_name(r).unwrap_or(r).to_string())
            .collect::<Vec<_>>()
            .join(" or ");
        let fail = Evidence::new(
            "/graph/directoryRoleAssignments",
            format!("tenant/{}", cx.index.tenant_id),
            format!("no active or eligible {roles} assignment at directory scope / for {who}"),
        );
        permission_outcome(&res, &format!("onboard the tenant ({roles})"), &who, fail)
    }
}
