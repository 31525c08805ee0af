//! SOC008 `duplicate_incident_rules`: enabled Microsoft incident creation rules for products that
//! Defender XDR already raises incidents for. They would duplicate incidents, and connecting
//! deactivates every active Microsoft incident creation rule anyway.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use super::sentinel_gate;
use crate::engine::context::{Avail, Context, ScopeRef};
use crate::engine::registry::{Check, params};
use crate::finding::{Evidence, Outcome};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// Alert rule `kind` of Microsoft incident creation rules.
    kind: String,
    /// `productFilter` value → product name, for the products that duplicate Defender XDR.
    duplicate_products: BTreeMap<String, String>,
}

struct DuplicateRules(Params);

pub fn prepare(table: &toml::Table) -> Result<Arc<dyn Check>, String> {
    let p: Params = params(table)?;
    if p.duplicate_products.is_empty() {
        return Err("duplicate_products must not be empty".into());
    }
    Ok(Arc::new(DuplicateRules(p)))
}

impl Check for DuplicateRules {
    fn evaluate(&self, cx: &Context<'_>, scope: &ScopeRef<'_>) -> Outcome {
        let ScopeRef::Workspace(ws) = scope else {
            return Outcome::not_applicable("workspace rule");
        };
        if let Some(na) = sentinel_gate(ws) {
            return na;
        }
        let rules = cx
            .index
            .ws_collection(ws, "alertRules", |w| w.alert_rules.as_ref());
        if rules.is_missing() {
            return Outcome::unknown(rules.reason("the workspace's analytics rules"));
        }
        let mut duplicates: BTreeMap<&str, Vec<Evidence>> = BTreeMap::new();
        let mut others = Vec::new();
        let mut unreadable = Vec::new();
        for (i, r) in rules.items().iter().enumerate() {
            // A rule without a readable kind counts when its product filter names a duplicate
            // product (only incident creation rules have one).
            let kind = r.get("kind").and_then(Value::as_str).unwrap_or("");
            let kind_unreadable = kind.trim().is_empty()
                && r.pointer("/properties/productFilter")
                    .and_then(Value::as_str)
                    .is_some_and(|p| {
                        self.0
                            .duplicate_products
                            .keys()
                            .any(|f| f.eq_ignore_ascii_case(p))
                    });
            if !kind.eq_ignore_ascii_case(&self.0.kind) && !kind_unreadable {
                continue;
            }
            // An unreadable product filter could be any product, including a duplicate.
            let readable = r
                .pointer("/properties/productFilter")
                .and_then(Value::as_str)
                .filter(|p| !p.trim().is_empty());
            let product = readable.unwrap_or("(no productFilter)");
            let name = r
                .pointer("/properties/displayName")
                .and_then(Value::as_str)
                .or_else(|| r.get("name").and_then(Value::as_str))
                .unwrap_or("(unnamed rule)");
            let id = r
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or(name)
                .to_string();
            let pointer = format!("{}/alertRules/{i}", ws.pointer());
            let dup = self
                .0
                .duplicate_products
                .iter()
                .find(|(filter, _)| filter.eq_ignore_ascii_case(product))
                .map(|(_, p)| p.as_str());
            match r.pointer("/properties/enabled").and_then(Value::as_bool) {
                Some(false) => {}
                _ if readable.is_none() => unreadable.push(Evidence::new(
                    pointer,
                    id,
                    format!("\"{name}\": properties.productFilter is missing or not a string"),
                )),
                Some(true) => match dup {
                    Some(p) => duplicates.entry(p).or_default().push(Evidence::new(
                        pointer,
                        id,
                        format!("\"{name}\" creates incidents from {p} alerts ({product})"),
                    )),
                    None => others.push(Evidence::new(
                        pointer,
                        id,
                        format!("\"{name}\" ({product}) is not a duplicate, but connecting deactivates it too"),
                    )),
                },
                None if dup.is_some() => unreadable.push(Evidence::new(
                    pointer,
                    id,
                    format!("\"{name}\" ({product}): properties.enabled is missing or not a boolean"),
                )),
                None => {}
            }
        }
        if !duplicates.is_empty() {
            let summary = duplicates
                .iter()
                .map(|(p, v)| format!("{p}: {}", v.len()))
                .collect::<Vec<_>>()
                .join(", ");
            let count: usize = duplicates.values().map(Vec::len).sum();
            return Outcome::fail(format!(
                "{count} enabled Microsoft incident creation rule(s) duplicate Defender XDR incidents ({summary}); connecting deactivates them"
            ))
            .with_all(duplicates.into_values().flatten())
            .with_all(others);
        }
        if !unreadable.is_empty() {
            return Outcome::unknown("a Microsoft incident creation rule has no readable `enabled` state or product filter")
                .with_all(unreadable)
                .with_all(others);
        }
        if let Avail::Partial(..) = rules {
            return Outcome::unknown(rules.reason("the workspace's analytics rules"))
                .with_all(others);
        }
        let msg = if others.is_empty() {
            "no enabled Microsoft incident creation rule duplicates Defender XDR incidents"
                .to_string()
        } else {
            format!(
                "no duplicate rules; {} other enabled Microsoft incident creation rule(s) will also be deactivated on connect",
                others.len()
            )
        };
        Outcome::pass(msg).with_all(others)
    }
}
