//! SOC010 `defender_for_cloud`: Microsoft Defender for Cloud plans are on (pricing tier
//! `Standard`) on the subscription that holds the workspace.
//!
//! Reads `defenderPricings` (`Microsoft.Security/pricings`) of the workspace's subscription. The
//! plans judged are `required_plans` when given, else every plan the subscription lists, less
//! deprecated plans (`deprecated: true`, replaced by another plan) and `ignored_plans`. Plans off
//! (`Free`) are named; a partial list can prove a plan off, never all plans on.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use super::lookup::{list, workspace_subscription};
use crate::engine::context::{Context, ScopeRef};
use crate::engine::registry::{Check, params};
use crate::finding::{Evidence, Outcome};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// `properties.pricingTier` value that means "on".
    enabled_tier: String,
    /// Plans (pricing `name`) that must be on; empty = every non-deprecated plan listed.
    #[serde(default)]
    required_plans: Vec<String>,
    /// Plans never judged.
    #[serde(default)]
    ignored_plans: Vec<String>,
}

struct DefenderForCloud(Params);

pub fn prepare(table: &toml::Table) -> Result<Arc<dyn Check>, String> {
    let p: Params = params(table)?;
    if p.enabled_tier.trim().is_empty() {
        return Err("enabled_tier must not be empty".into());
    }
    Ok(Arc::new(DefenderForCloud(p)))
}

fn has(names: &[String], name: &str) -> bool {
    names.iter().any(|n| n.eq_ignore_ascii_case(name))
}

impl Check for DefenderForCloud {
    fn evaluate(&self, cx: &Context<'_>, scope: &ScopeRef<'_>) -> Outcome {
        let ScopeRef::Workspace(ws) = scope else {
            return Outcome::not_applicable("workspace rule");
        };
        let sub = match workspace_subscription(cx, ws) {
            Ok(s) => s,
            Err(unknown) => return unknown,
        };
        let what = format!("Defender for Cloud plans of subscription {}", sub.id);
        let pricings = cx
            .index
            .sub_collection(sub, "defenderPricings", |s| s.defender_pricings.as_ref());
        if pricings.is_missing() {
            return Outcome::unknown(pricings.reason(&what));
        }
        let (mut on, mut off, mut seen) = (Vec::new(), Vec::new(), Vec::new());
        for (i, p) in pricings.items().iter().enumerate() {
            let name = p.get("name").and_then(Value::as_str).unwrap_or("");
            let deprecated =
                p.pointer("/properties/deprecated").and_then(Value::as_bool) == Some(true);
            let judged = if self.0.required_plans.is_empty() {
                !deprecated && !has(&self.0.ignored_plans, name)
            } else {
                has(&self.0.required_plans, name) && !has(&self.0.ignored_plans, name)
            };
            if name.is_empty() || !judged {
                continue;
            }
            seen.push(name.to_string());
            let tier = p
                .pointer("/properties/pricingTier")
                .and_then(Value::as_str)
                .unwrap_or("(no pricingTier)");
            let sub_plan = p
                .pointer("/properties/subPlan")
                .and_then(Value::as_str)
                .map(|s| format!(", plan {s}"))
                .unwrap_or_default();
            let ev = Evidence::new(
                format!("/azure/subscriptions/{}/defenderPricings/{i}", sub.index),
                p.get("id")
                    .and_then(Value::as_str)
                    .unwrap_or(name)
                    .to_string(),
                format!("{name}: {tier}{sub_plan}"),
            );
            if tier.eq_ignore_ascii_case(&self.0.enabled_tier) {
                on.push((name.to_string(), ev));
            } else {
                off.push((name.to_string(), ev));
            }
        }
        let names = |v: &[(String, Evidence)]| -> Vec<String> {
            v.iter().map(|(n, _)| n.clone()).collect()
        };
        let absent: Vec<String> = self
            .0
            .required_plans
            .iter()
            .filter(|r| !has(&seen, r) && !has(&self.0.ignored_plans, r))
            .cloned()
            .collect();
        if !off.is_empty() || (!absent.is_empty() && pricings.is_complete()) {
            let mut msg = String::new();
            if !off.is_empty() {
                msg.push_str(&format!(
                    "{} Defender for Cloud plan(s) off on subscription {}: {}",
                    off.len(),
                    sub.id,
                    list(&names(&off), 20)
                ));
            }
            if !absent.is_empty() && pricings.is_complete() {
                if !msg.is_empty() {
                    msg.push_str("; ");
                }
                msg.push_str(&format!(
                    "required plan(s) not listed: {}",
                    list(&absent, 20)
                ));
            }
            if !on.is_empty() {
                msg.push_str(&format!(" (on: {})", list(&names(&on), 20)));
            }
            let mut evidence: Vec<Evidence> = off.into_iter().map(|(_, e)| e).collect();
            if evidence.is_empty() {
                evidence.push(Evidence::new(
                    format!("/azure/subscriptions/{}/defenderPricings", sub.index),
                    format!("/subscriptions/{}", sub.id),
                    format!("not listed: {}", absent.join(", ")),
                ));
            }
            return Outcome::fail(msg).with_all(evidence);
        }
        if !pricings.is_complete() {
            return Outcome::unknown(pricings.reason(&what))
                .with_all(on.into_iter().map(|(_, e)| e));
        }
        if on.is_empty() {
            return Outcome::fail(format!(
                "no Defender for Cloud plan is listed on subscription {}",
                sub.id
            ))
            .with(Evidence::new(
                format!("/azure/subscriptions/{}/defenderPricings", sub.index),
                format!("/subscriptions/{}", sub.id),
                "no Microsoft.Security/pricings to judge",
            ));
        }
        Outcome::pass(format!(
            "all {} judged Defender for Cloud plan(s) are on for subscription {}: {}",
            on.len(),
            sub.id,
            list(&names(&on), 20)
        ))
        .with_all(on.into_iter().map(|(_, e)| e))
    }
}
