//! SOC002 `single_tenant`: the workspace's subscription belongs to the scanned tenant.
//!
//! The Defender portal connects workspaces of its own Entra tenant only; a subscription reached
//! through Azure Lighthouse delegation (`managedByTenants`) is listed but does not qualify.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use crate::engine::context::{Context, ScopeRef};
use crate::engine::registry::{Check, params};
use crate::finding::{Evidence, Outcome};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {}

struct SingleTenant;

pub fn prepare(table: &toml::Table) -> Result<Arc<dyn Check>, String> {
    let _: Params = params(table)?;
    Ok(Arc::new(SingleTenant))
}

impl Check for SingleTenant {
    fn evaluate(&self, cx: &Context<'_>, scope: &ScopeRef<'_>) -> Outcome {
        let ScopeRef::Workspace(ws) = scope else {
            return Outcome::not_applicable("workspace rule");
        };
        let sub = match super::lookup::workspace_subscription(cx, ws) {
            Ok(sub) => sub,
            Err(unknown) => return unknown,
        };
        let pointer = format!("/azure/subscriptions/{}/subscription", sub.index);
        let managed_by: Vec<String> = sub
            .data
            .subscription
            .get("managedByTenants")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|t| {
                        t.get("tenantId")
                            .and_then(Value::as_str)
                            .map(str::to_string)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let lighthouse = if managed_by.is_empty() {
            String::new()
        } else {
            format!(
                "; managed through Azure Lighthouse by tenant(s) {}",
                managed_by.join(", ")
            )
        };
        let resource = format!("/subscriptions/{}", sub.id);
        match &sub.tenant_id {
            None => Outcome::unknown(format!("subscription {} has no tenantId in the snapshot", sub.id)),
            Some(t) if *t == cx.index.tenant_id => Outcome::pass(format!(
                "subscription {} belongs to the scanned tenant {}",
                sub.id, cx.index.tenant_id
            ))
            .with(Evidence::new(pointer, resource, format!("tenantId {t}{lighthouse}"))),
            Some(t) => Outcome::fail(format!(
                "subscription {} belongs to tenant {t}, not the scanned tenant {}: the Defender portal connects workspaces of its own tenant only",
                sub.id, cx.index.tenant_id
            ))
            .with(Evidence::new(pointer, resource, format!("tenantId {t}{lighthouse}"))),
        }
    }
}
