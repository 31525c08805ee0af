//! SOC015 `automation_rule_impact`: enabled automation rules whose conditions read incident or
//! alert properties that change once Defender XDR creates the incidents.
//!
//! After the workspace is connected, Defender XDR correlates alerts into incidents and names them
//! itself, so conditions on the incident title, the incident provider or the alert product names
//! can stop matching (or match differently). Every condition of `triggeringLogic.conditions` is
//! read, including those nested in `Boolean` (`innerConditions`) and `PropertyArray`
//! (`itemConditions`) conditions. Disabled rules are ignored.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use super::lookup::{display_name, list, resource_id};
use super::sentinel_gate;
use crate::engine::context::{Avail, Context, ScopeRef};
use crate::engine::registry::{Check, params};
use crate::finding::{Evidence, Outcome};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// `conditionProperties.propertyName` values whose meaning changes after connecting.
    watched_properties: Vec<String>,
}

struct AutomationRuleImpact(Params);

pub fn prepare(table: &toml::Table) -> Result<Arc<dyn Check>, String> {
    let p: Params = params(table)?;
    if p.watched_properties.is_empty() {
        return Err("watched_properties must not be empty".into());
    }
    Ok(Arc::new(AutomationRuleImpact(p)))
}

/// Nested conditions deeper than this are not followed (the API allows far less).
const MAX_DEPTH: usize = 8;

impl AutomationRuleImpact {
    /// Collects `propertyName (operator values)` of every watched condition, recursively.
    /// Returns `false` when a condition cannot be read (a watched property could hide in it).
    fn watched(&self, conditions: &[Value], depth: usize, out: &mut BTreeSet<String>) -> bool {
        if depth > MAX_DEPTH {
            return true;
        }
        let mut readable = true;
        for c in conditions {
            let Some(props) = c.get("conditionProperties").filter(|p| p.is_object()) else {
                readable = false;
                continue;
            };
            // Boolean, PropertyArray and PropertyArrayChanged conditions name no property.
            let mut compound = props.get("arrayType").is_some();
            for nested in ["innerConditions", "itemConditions"] {
                match props.get(nested) {
                    None | Some(Value::Null) => {}
                    Some(Value::Array(inner)) => {
                        compound = true;
                        readable &= self.watched(inner, depth + 1, out);
                    }
                    Some(_) => readable = false,
                }
            }
            let name = props.get("propertyName");
            let Some(name) = name
                .and_then(Value::as_str)
                .filter(|n| !n.trim().is_empty())
            else {
                readable &= compound && name.is_none_or(Value::is_null);
                continue;
            };
            if !self
                .0
                .watched_properties
                .iter()
                .any(|w| w.eq_ignore_ascii_case(name))
            {
                continue;
            }
            let op = props.get("operator").and_then(Value::as_str).unwrap_or("?");
            let values: Vec<&str> = props
                .get("propertyValues")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            out.insert(
                format!("{name} {op} {}", values.join(" | "))
                    .trim_end()
                    .to_string(),
            );
        }
        readable
    }
}

impl Check for AutomationRuleImpact {
    fn evaluate(&self, cx: &Context<'_>, scope: &ScopeRef<'_>) -> Outcome {
        let ScopeRef::Workspace(ws) = scope else {
            return Outcome::not_applicable("workspace rule");
        };
        if let Some(na) = sentinel_gate(ws) {
            return na;
        }
        let what = "the workspace's automation rules";
        let rules = cx
            .index
            .ws_collection(ws, "automationRules", |w| w.automation_rules.as_ref());
        if rules.is_missing() {
            return Outcome::unknown(rules.reason(what));
        }
        let (mut affected, mut unreadable, mut names) = (Vec::new(), Vec::new(), Vec::new());
        let mut enabled = 0;
        for (i, r) in rules.items().iter().enumerate() {
            let name = display_name(r);
            let pointer = format!("{}/automationRules/{i}", ws.pointer());
            let logic = r.pointer("/properties/triggeringLogic");
            if logic
                .and_then(|l| l.get("isEnabled"))
                .and_then(Value::as_bool)
                == Some(false)
            {
                continue;
            }
            enabled += 1;
            // No conditions (absent or null) = runs on everything: no watched property.
            let conditions = match logic.filter(|l| l.is_object()).map(|l| l.get("conditions")) {
                Some(None | Some(Value::Null)) => Some(&[][..]),
                Some(Some(Value::Array(c))) => Some(c.as_slice()),
                _ => None,
            };
            let logic = logic.unwrap_or(&Value::Null);
            let mut found = BTreeSet::new();
            if !conditions.is_some_and(|c| self.watched(c, 0, &mut found)) && found.is_empty() {
                unreadable.push(Evidence::new(
                    pointer,
                    resource_id(r, name),
                    format!("\"{name}\": its triggering logic or a condition cannot be read"),
                ));
                continue;
            }
            if found.is_empty() {
                continue;
            }
            names.push(format!("\"{name}\""));
            affected.push(Evidence::new(
                pointer,
                resource_id(r, name),
                format!(
                    "\"{name}\" ({} on {}) matches on {}",
                    logic
                        .get("triggersWhen")
                        .and_then(Value::as_str)
                        .unwrap_or("?"),
                    logic
                        .get("triggersOn")
                        .and_then(Value::as_str)
                        .unwrap_or("?"),
                    found.into_iter().collect::<Vec<_>>().join("; ")
                ),
            ));
        }
        if !affected.is_empty() {
            return Outcome::fail(format!(
                "{} enabled automation rule(s) match on properties that change when Defender XDR creates the incidents: {}",
                affected.len(),
                list(&names, 5)
            ))
            .with_all(affected);
        }
        if !unreadable.is_empty() {
            return Outcome::unknown("an enabled automation rule's conditions cannot be read")
                .with_all(unreadable);
        }
        if let Avail::Partial(..) = rules {
            return Outcome::unknown(rules.reason(what));
        }
        Outcome::pass(format!(
            "none of the {enabled} enabled automation rule(s) match on {}",
            self.0.watched_properties.join(", ")
        ))
    }
}
