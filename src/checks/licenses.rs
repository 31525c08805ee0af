//! SOC001 `xdr_license`: the tenant holds an enabled subscription that includes Microsoft
//! Defender XDR (DESIGN §3.3).
//!
//! A subscribed SKU counts when it is `Enabled` with enabled units, or in its `Warning` grace
//! period with enabled + warning units, and it carries a qualifying service plan that is not
//! `Disabled`. The qualifying plans are the rule's parameter.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use crate::engine::context::{Avail, Context, Index, ScopeRef};
use crate::engine::registry::{Check, params};
use crate::finding::{Evidence, Outcome};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// Service plan names (`servicePlanName`); `_GOV` variants of these count too.
    qualifying_service_plans: Vec<String>,
    /// Service plan ids (`servicePlanId`) that count whatever their name.
    #[serde(default)]
    qualifying_service_plan_ids: Vec<String>,
}

struct XdrLicense(Params);

pub fn prepare(table: &toml::Table) -> Result<Arc<dyn Check>, String> {
    let p: Params = params(table)?;
    if p.qualifying_service_plans.is_empty() && p.qualifying_service_plan_ids.is_empty() {
        return Err("qualifying_service_plans must name at least one service plan".into());
    }
    Ok(Arc::new(XdrLicense(p)))
}

/// How one SKU fares.
enum SkuVerdict {
    Counts { grace: bool, plans: Vec<String> },
    DoesNot(String),
    Unreadable(String),
}

impl XdrLicense {
    fn qualifies(&self, plan: &Value) -> Option<String> {
        super::service_plan_match(
            plan,
            &self.0.qualifying_service_plans,
            &self.0.qualifying_service_plan_ids,
        )
    }

    fn judge(&self, sku: &Value) -> SkuVerdict {
        let plans: Vec<&Value> = sku
            .get("servicePlans")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        let mut qualifying = Vec::new();
        let mut disabled = Vec::new();
        for p in plans {
            if let Some(name) = self.qualifies(p) {
                match p.get("provisioningStatus").and_then(Value::as_str) {
                    Some(s) if s.eq_ignore_ascii_case("Disabled") => disabled.push(name),
                    _ => qualifying.push(name),
                }
            }
        }
        if qualifying.is_empty() {
            return SkuVerdict::DoesNot(if disabled.is_empty() {
                "no Defender XDR service plan".to_string()
            } else {
                format!("Defender XDR plan(s) {} are Disabled", disabled.join(", "))
            });
        }
        let status = sku.get("capabilityStatus").and_then(Value::as_str);
        let units = |k: &str| {
            sku.pointer(&format!("/prepaidUnits/{k}"))
                .and_then(Value::as_f64)
        };
        let (Some(status), Some(enabled)) = (status, units("enabled")) else {
            return SkuVerdict::Unreadable(
                "capabilityStatus or prepaidUnits.enabled is missing or not of the expected type"
                    .into(),
            );
        };
        match status {
            s if s.eq_ignore_ascii_case("Enabled") && enabled > 0.0 => SkuVerdict::Counts {
                grace: false,
                plans: qualifying,
            },
            s if s.eq_ignore_ascii_case("Warning")
                && enabled + units("warning").unwrap_or(0.0) > 0.0 =>
            {
                SkuVerdict::Counts {
                    grace: true,
                    plans: qualifying,
                }
            }
            s if s.eq_ignore_ascii_case("Enabled") || s.eq_ignore_ascii_case("Warning") => {
                SkuVerdict::DoesNot(format!("{s} but has no enabled units"))
            }
            s => SkuVerdict::DoesNot(format!("capabilityStatus is {s}")),
        }
    }
}

impl Check for XdrLicense {
    fn evaluate(&self, cx: &Context<'_>, _scope: &ScopeRef<'_>) -> Outcome {
        let skus = cx
            .index
            .graph("subscribedSkus", |g| g.subscribed_skus.as_ref());
        if let Avail::Missing(_) = skus {
            return Outcome::unknown(skus.reason("subscribed SKUs (graph.subscribedSkus)"));
        }
        let mut counting = Vec::new();
        let mut grace_only = true;
        let mut others = Vec::new();
        let mut unreadable = Vec::new();
        for (i, sku) in skus.items().iter().enumerate() {
            let part = sku
                .get("skuPartNumber")
                .and_then(Value::as_str)
                .unwrap_or("(no skuPartNumber)");
            let pointer = Index::graph_pointer("subscribedSkus", i);
            let units = sku
                .get("prepaidUnits")
                .map(|u| u.to_string())
                .unwrap_or_else(|| "no prepaidUnits".into());
            let resource = sku
                .get("skuId")
                .and_then(Value::as_str)
                .unwrap_or(part)
                .to_string();
            match self.judge(sku) {
                SkuVerdict::Counts { grace, plans } => {
                    grace_only &= grace;
                    let mut detail = format!(
                        "{part}: {} units {units}, plans {}",
                        if grace {
                            "Warning (grace period),"
                        } else {
                            "Enabled,"
                        },
                        plans.join(", ")
                    );
                    if grace {
                        detail.push_str(" — warning: the subscription is in its grace period and will be suspended unless renewed");
                    }
                    counting.push(Evidence::new(pointer, resource, detail));
                }
                SkuVerdict::DoesNot(why) => others.push(Evidence::new(
                    pointer,
                    resource,
                    format!("{part}: does not count ({why})"),
                )),
                SkuVerdict::Unreadable(why) => unreadable.push(Evidence::new(
                    pointer,
                    resource,
                    format!("{part}: cannot be judged ({why})"),
                )),
            }
        }
        if !counting.is_empty() {
            let msg = if grace_only {
                "warning: Defender XDR licensing is present only in a grace-period (Warning) subscription; renew it before it is suspended"
            } else {
                "the tenant holds an enabled subscription that includes Microsoft Defender XDR"
            };
            return Outcome::pass(msg).with_all(counting);
        }
        if !unreadable.is_empty() {
            return Outcome::unknown(
                "a subscribed SKU with a Defender XDR plan could not be judged",
            )
            .with_all(unreadable)
            .with_all(others);
        }
        if let Avail::Partial(..) = skus {
            return Outcome::unknown(skus.reason("subscribed SKUs (graph.subscribedSkus)"))
                .with_all(others);
        }
        let mut ev = others;
        if ev.is_empty() {
            ev.push(Evidence::new(
                "/graph/subscribedSkus",
                "graph.subscribedSkus",
                "the tenant has no subscribed SKUs",
            ));
        }
        Outcome::fail("no enabled subscription in the tenant includes Microsoft Defender XDR")
            .with_all(ev)
    }
}
