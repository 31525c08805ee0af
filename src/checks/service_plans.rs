//! `licensed_services` (SOC009 xdr-services, SOC011 entra-id-protection): each service the rule
//! lists is licensed *and* provisioned in the tenant.
//!
//! A service counts when a subscribed SKU that is in force (as for SOC001: `Enabled` with units,
//! or `Warning` in its grace period) carries one of the service's plans (by `servicePlanName`,
//! `_GOV` variants included, or by `servicePlanId`) whose `provisioningStatus` is one of the
//! `provisioned_states`. Services are reported in the rule's order, which for SOC009 is the
//! recommended deployment order. A partial SKU list can prove a service present but never absent.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use super::lookup::{SkuState, list, sku_state};
use crate::engine::context::{Avail, Context, Index, ScopeRef};
use crate::engine::registry::{Check, params};
use crate::finding::{Evidence, Outcome};
use crate::snapshot::Resource;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Service {
    /// Product name used in messages.
    name: String,
    /// `servicePlanName`s that provide it (`_GOV` variants count too).
    service_plans: Vec<String>,
    /// `servicePlanId`s that provide it, whatever their name.
    #[serde(default)]
    service_plan_ids: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// The services, in the order they should be deployed.
    services: Vec<Service>,
    /// `provisioningStatus` values that mean "provisioned".
    provisioned_states: Vec<String>,
}

struct LicensedServices(Params);

pub fn prepare(table: &toml::Table) -> Result<Arc<dyn Check>, String> {
    let p: Params = params(table)?;
    if p.services.is_empty() {
        return Err("services must list at least one service".into());
    }
    if let Some(s) = p
        .services
        .iter()
        .find(|s| s.service_plans.is_empty() && s.service_plan_ids.is_empty())
    {
        return Err(format!("service {:?} names no service plan", s.name));
    }
    if p.provisioned_states.is_empty() {
        return Err("provisioned_states must not be empty".into());
    }
    Ok(Arc::new(LicensedServices(p)))
}

/// What the SKUs say about one service.
enum Found {
    /// Licensed and provisioned; evidence of one SKU that provides it.
    Ready(Evidence),
    /// Only in SKUs whose state cannot be read.
    Unreadable(Vec<Evidence>),
    /// Not usable; evidence of where the plan was seen (empty = in no SKU).
    Missing(Vec<Evidence>),
}

impl Service {
    fn matches(&self, plan: &Value) -> bool {
        super::service_plan_match(plan, &self.service_plans, &self.service_plan_ids).is_some()
    }
}

impl LicensedServices {
    fn find(&self, service: &Service, skus: &[Resource]) -> Found {
        let mut unreadable = Vec::new();
        let mut seen = Vec::new();
        for (i, sku) in skus.iter().enumerate() {
            let part = sku
                .get("skuPartNumber")
                .and_then(Value::as_str)
                .unwrap_or("(no skuPartNumber)");
            let resource = sku
                .get("skuId")
                .and_then(Value::as_str)
                .unwrap_or(part)
                .to_string();
            let plans = sku.get("servicePlans").and_then(Value::as_array);
            for plan in plans.into_iter().flatten().filter(|p| service.matches(p)) {
                let plan_name = plan
                    .get("servicePlanName")
                    .and_then(Value::as_str)
                    .or_else(|| plan.get("servicePlanId").and_then(Value::as_str))
                    .unwrap_or("(unnamed plan)");
                let prov = plan
                    .get("provisioningStatus")
                    .and_then(Value::as_str)
                    .unwrap_or("(no provisioningStatus)");
                let provisioned = self
                    .0
                    .provisioned_states
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(prov));
                let pointer = Index::graph_pointer("subscribedSkus", i);
                let ev = |detail: String| Evidence::new(pointer.clone(), resource.clone(), detail);
                match sku_state(sku) {
                    SkuState::InForce { grace } if provisioned => {
                        let note = if grace {
                            " — warning: the SKU is in its grace period and will be suspended unless renewed"
                        } else {
                            ""
                        };
                        return Found::Ready(ev(format!(
                            "{}: {part} provides {plan_name} ({prov}){note}",
                            service.name
                        )));
                    }
                    SkuState::InForce { .. } => seen.push(ev(format!(
                        "{}: {part} includes {plan_name}, but it is not provisioned ({prov})",
                        service.name
                    ))),
                    SkuState::Lapsed(why) => seen.push(ev(format!(
                        "{}: {part} includes {plan_name}, but the SKU is not in force ({why})",
                        service.name
                    ))),
                    SkuState::Unreadable => unreadable.push(ev(format!(
                        "{}: {part} includes {plan_name}, but capabilityStatus or prepaidUnits cannot be read",
                        service.name
                    ))),
                }
            }
        }
        if unreadable.is_empty() {
            Found::Missing(seen)
        } else {
            unreadable.extend(seen);
            Found::Unreadable(unreadable)
        }
    }
}

impl Check for LicensedServices {
    fn evaluate(&self, cx: &Context<'_>, _scope: &ScopeRef<'_>) -> Outcome {
        let skus = cx
            .index
            .graph("subscribedSkus", |g| g.subscribed_skus.as_ref());
        if skus.is_missing() {
            return Outcome::unknown(skus.reason("subscribed SKUs (graph.subscribedSkus)"));
        }
        let mut ready = Vec::new();
        let mut missing: Vec<(&str, Vec<Evidence>)> = Vec::new();
        let mut unreadable: Vec<(&str, Vec<Evidence>)> = Vec::new();
        for service in &self.0.services {
            match self.find(service, skus.items()) {
                Found::Ready(e) => ready.push(e),
                Found::Unreadable(e) => unreadable.push((&service.name, e)),
                Found::Missing(e) => missing.push((&service.name, e)),
            }
        }
        let ordered = if self.0.services.len() > 1 {
            " (in the recommended deployment order)"
        } else {
            ""
        };
        let names = |v: &[(&str, Vec<Evidence>)]| -> Vec<String> {
            v.iter().map(|(n, _)| n.to_string()).collect()
        };
        if missing.is_empty() && unreadable.is_empty() {
            let all: Vec<String> = self.0.services.iter().map(|s| s.name.clone()).collect();
            return Outcome::pass(format!(
                "licensed and provisioned: {}",
                list(&all, all.len())
            ))
            .with_all(ready);
        }
        if !missing.is_empty() && skus.is_complete() {
            let mut evidence = Vec::new();
            for (name, ev) in &missing {
                if ev.is_empty() {
                    evidence.push(Evidence::new(
                        "/graph/subscribedSkus",
                        "graph.subscribedSkus",
                        format!("{name}: no subscribed SKU includes it"),
                    ));
                }
                evidence.extend(ev.iter().cloned());
            }
            let mut msg = format!(
                "not licensed and provisioned{ordered}: {}",
                list(&names(&missing), missing.len())
            );
            if !unreadable.is_empty() {
                msg.push_str(&format!(
                    "; cannot be judged: {}",
                    list(&names(&unreadable), unreadable.len())
                ));
            }
            return Outcome::fail(msg)
                .with_all(evidence)
                .with_all(unreadable.into_iter().flat_map(|(_, e)| e))
                .with_all(ready);
        }
        let mut why = Vec::new();
        if !unreadable.is_empty() {
            why.push(format!(
                "the SKUs that include {} cannot be judged",
                list(&names(&unreadable), unreadable.len())
            ));
        }
        if !missing.is_empty() {
            why.push(format!(
                "{} not found, and {}",
                list(&names(&missing), missing.len()),
                skus.reason("the SKU list")
            ));
        }
        if let Avail::Partial(..) = skus
            && missing.is_empty()
        {
            why.push(skus.reason("the SKU list"));
        }
        Outcome::unknown(why.join("; "))
            .with_all(unreadable.into_iter().flat_map(|(_, e)| e))
            .with_all(missing.into_iter().flat_map(|(_, e)| e))
            .with_all(ready)
    }
}
