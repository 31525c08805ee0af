//! SOC012 `health_and_audit`: Microsoft Sentinel auditing and health monitoring is on for the
//! workspace.
//!
//! Sentinel's "Auditing and health monitoring" setting is a diagnostic setting on the Sentinel
//! resource `<workspace>/providers/Microsoft.SecurityInsights/settings/SentinelHealth`, not on the
//! workspace itself. Among the workspace's `diagnosticSettings`, only settings whose `id` lies
//! under `health_resource` count; the workspace's own diagnostic settings (its query audit log)
//! are listed as evidence but do not count. A counting setting needs a destination and, for each
//! entry of `required_logs`, an enabled `logs[]` entry whose `category` or `categoryGroup` is one
//! of that entry's names.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use super::lookup::{list, resource_id};
use super::sentinel_gate;
use crate::engine::context::{Context, ScopeRef};
use crate::engine::registry::{Check, params};
use crate::finding::{Evidence, Outcome};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// Path segment that marks a setting of the Sentinel health resource (compared ignoring case).
    health_resource: String,
    /// What must be logged → log `category` / `categoryGroup` names that cover it.
    required_logs: BTreeMap<String, Vec<String>>,
}

struct HealthAndAudit(Params);

pub fn prepare(table: &toml::Table) -> Result<Arc<dyn Check>, String> {
    let p: Params = params(table)?;
    if p.health_resource.trim().is_empty() {
        return Err("health_resource must not be empty".into());
    }
    if p.required_logs.is_empty() || p.required_logs.values().any(Vec::is_empty) {
        return Err(
            "required_logs must name at least one log, each with at least one category".into(),
        );
    }
    Ok(Arc::new(HealthAndAudit(p)))
}

const DESTINATIONS: [&str; 4] = [
    "workspaceId",
    "storageAccountId",
    "eventHubAuthorizationRuleId",
    "marketplacePartnerId",
];

impl HealthAndAudit {
    fn is_health_setting(&self, setting: &Value) -> bool {
        let id = setting.get("id").and_then(Value::as_str).unwrap_or("");
        id.to_ascii_lowercase().contains(
            &self
                .0
                .health_resource
                .trim_end_matches('/')
                .to_ascii_lowercase(),
        )
    }

    /// The required logs this setting does not cover (empty = covers all), plus its destination.
    fn judge(&self, setting: &Value) -> (Vec<String>, Option<String>) {
        let enabled: Vec<&str> = setting
            .pointer("/properties/logs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|l| l.get("enabled").and_then(Value::as_bool) == Some(true))
            .flat_map(|l| {
                ["category", "categoryGroup"]
                    .into_iter()
                    .filter_map(|k| l.get(k).and_then(Value::as_str))
            })
            .collect();
        let uncovered = self
            .0
            .required_logs
            .iter()
            .filter(|(_, names)| {
                !names
                    .iter()
                    .any(|n| enabled.iter().any(|e| e.eq_ignore_ascii_case(n)))
            })
            .map(|(what, _)| what.clone())
            .collect();
        let destination = DESTINATIONS.iter().find_map(|k| {
            setting
                .pointer(&format!("/properties/{k}"))
                .and_then(Value::as_str)
                .filter(|v| !v.trim().is_empty())
                .map(|v| format!("{k} {v}"))
        });
        (uncovered, destination)
    }
}

impl Check for HealthAndAudit {
    fn evaluate(&self, cx: &Context<'_>, scope: &ScopeRef<'_>) -> Outcome {
        let ScopeRef::Workspace(ws) = scope else {
            return Outcome::not_applicable("workspace rule");
        };
        if let Some(na) = sentinel_gate(ws) {
            return na;
        }
        let what = "the workspace's diagnostic settings (incl. the Sentinel health resource)";
        let settings = cx
            .index
            .ws_collection(ws, "diagnosticSettings", |w| w.diagnostic_settings.as_ref());
        if settings.is_missing() {
            return Outcome::unknown(settings.reason(what));
        }
        let (mut good, mut lacking, mut other) = (Vec::new(), Vec::new(), Vec::new());
        for (i, s) in settings.items().iter().enumerate() {
            let pointer = format!("{}/diagnosticSettings/{i}", ws.pointer());
            let name = s.get("name").and_then(Value::as_str).unwrap_or("(unnamed)");
            let resource = resource_id(s, name);
            if !self.is_health_setting(s) {
                other.push(Evidence::new(
                    pointer,
                    resource,
                    format!("\"{name}\" is a diagnostic setting of the workspace itself, not Sentinel auditing and health monitoring"),
                ));
                continue;
            }
            match self.judge(s) {
                (uncovered, Some(dest)) if uncovered.is_empty() => good.push(Evidence::new(
                    pointer,
                    resource,
                    format!(
                        "\"{name}\" sends {} to {dest}",
                        list(
                            &self.0.required_logs.keys().cloned().collect::<Vec<_>>(),
                            10
                        )
                    ),
                )),
                (uncovered, dest) => {
                    let mut gaps = Vec::new();
                    if !uncovered.is_empty() {
                        gaps.push(format!("not enabled: {}", list(&uncovered, 10)));
                    }
                    if dest.is_none() {
                        gaps.push("no destination".to_string());
                    }
                    lacking.push(Evidence::new(
                        pointer,
                        resource,
                        format!("\"{name}\": {}", gaps.join("; ")),
                    ));
                }
            }
        }
        if !good.is_empty() {
            return Outcome::pass(
                "Microsoft Sentinel auditing and health monitoring is on for this workspace",
            )
            .with_all(good);
        }
        if !settings.is_complete() {
            return Outcome::unknown(settings.reason(what))
                .with_all(lacking)
                .with_all(other);
        }
        let msg = if lacking.is_empty() {
            "Microsoft Sentinel auditing and health monitoring is off: the Sentinel health resource has no diagnostic setting"
        } else {
            "Microsoft Sentinel auditing and health monitoring is only partly on"
        };
        let mut evidence = lacking;
        if evidence.is_empty() {
            evidence.push(Evidence::new(
                format!("{}/diagnosticSettings", ws.pointer()),
                ws.arm_id,
                format!("no diagnostic setting under {}", self.0.health_resource),
            ));
        }
        Outcome::fail(msg).with_all(evidence).with_all(other)
    }
}
