//! SOC013 `ueba`: User and Entity Behavior Analytics is on for the workspace.
//!
//! UEBA needs two Sentinel settings (`settings`, facts §4): `EntityAnalytics` with at least one
//! `properties.entityProviders` entry (the directory it syncs entities from) and `Ueba` with at
//! least one `properties.dataSources` entry (the logs it analyses), including any
//! `required_data_sources`. A setting that is found but empty proves UEBA off even on a partial
//! list; a setting that is not found proves it only on a complete list.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use super::lookup::{list, resource_id};
use super::sentinel_gate;
use crate::engine::context::{Context, ScopeRef, WorkspaceView};
use crate::engine::registry::{Check, params};
use crate::finding::{Evidence, Outcome};
use crate::snapshot::Resource;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// `kind` of the entity analytics setting and its list property.
    entity_analytics_kind: String,
    /// `kind` of the UEBA setting.
    ueba_kind: String,
    /// Data sources that must be among `Ueba.properties.dataSources` (none = any one will do).
    #[serde(default)]
    required_data_sources: Vec<String>,
}

struct Ueba(Params);

pub fn prepare(table: &toml::Table) -> Result<Arc<dyn Check>, String> {
    let p: Params = params(table)?;
    if p.entity_analytics_kind.trim().is_empty() || p.ueba_kind.trim().is_empty() {
        return Err("entity_analytics_kind and ueba_kind must not be empty".into());
    }
    Ok(Arc::new(Ueba(p)))
}

/// One of the two settings: found with a good list, found but lacking, or not found.
enum Part {
    On(Evidence),
    Lacking(Evidence),
    NotFound,
}

fn strings(v: &Value, pointer: &str) -> Vec<String> {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

impl Ueba {
    fn part(
        &self,
        ws: &WorkspaceView<'_>,
        items: &[Resource],
        kind: &str,
        list_key: &str,
        required: &[String],
    ) -> Part {
        let Some((i, s)) = items.iter().enumerate().find(|(_, s)| {
            s.get("kind")
                .and_then(Value::as_str)
                .or_else(|| s.get("name").and_then(Value::as_str))
                .is_some_and(|k| k.eq_ignore_ascii_case(kind))
        }) else {
            return Part::NotFound;
        };
        let values = strings(s, &format!("/properties/{list_key}"));
        let absent: Vec<String> = required
            .iter()
            .filter(|r| !values.iter().any(|v| v.eq_ignore_ascii_case(r)))
            .cloned()
            .collect();
        let ev = |detail: String| {
            Evidence::new(
                format!("{}/settings/{i}", ws.pointer()),
                resource_id(s, kind),
                detail,
            )
        };
        if values.is_empty() {
            Part::Lacking(ev(format!("{kind}: {list_key} is empty")))
        } else if !absent.is_empty() {
            Part::Lacking(ev(format!(
                "{kind}: {list_key} {} lacks {}",
                values.join(", "),
                absent.join(", ")
            )))
        } else {
            Part::On(ev(format!("{kind}: {list_key} {}", values.join(", "))))
        }
    }
}

impl Check for Ueba {
    fn evaluate(&self, cx: &Context<'_>, scope: &ScopeRef<'_>) -> Outcome {
        let ScopeRef::Workspace(ws) = scope else {
            return Outcome::not_applicable("workspace rule");
        };
        if let Some(na) = sentinel_gate(ws) {
            return na;
        }
        let what = "the workspace's Microsoft Sentinel settings";
        let settings = cx
            .index
            .ws_collection(ws, "settings", |w| w.settings.as_ref());
        if settings.is_missing() {
            return Outcome::unknown(settings.reason(what));
        }
        let p = &self.0;
        let parts = [
            (
                p.entity_analytics_kind.as_str(),
                self.part(
                    ws,
                    settings.items(),
                    &p.entity_analytics_kind,
                    "entityProviders",
                    &[],
                ),
            ),
            (
                p.ueba_kind.as_str(),
                self.part(
                    ws,
                    settings.items(),
                    &p.ueba_kind,
                    "dataSources",
                    &p.required_data_sources,
                ),
            ),
        ];
        let (mut on, mut lacking, mut not_found) = (Vec::new(), Vec::new(), Vec::new());
        for (kind, part) in parts {
            match part {
                Part::On(e) => on.push(e),
                Part::Lacking(e) => lacking.push(e),
                Part::NotFound => not_found.push(kind.to_string()),
            }
        }
        if lacking.is_empty() && not_found.is_empty() {
            return Outcome::pass(
                "UEBA is on: entities are synchronised and data sources are analysed",
            )
            .with_all(on);
        }
        if !lacking.is_empty() || settings.is_complete() {
            let mut why: Vec<String> = lacking.iter().map(|e| e.detail.clone()).collect();
            if !not_found.is_empty() {
                why.push(format!("no {} setting", list(&not_found, 2)));
            }
            let mut evidence = lacking;
            if !not_found.is_empty() {
                evidence.push(Evidence::new(
                    format!("{}/settings", ws.pointer()),
                    ws.arm_id,
                    format!(
                        "{} setting(s), none of kind {}",
                        settings.items().len(),
                        not_found.join(" or ")
                    ),
                ));
            }
            return Outcome::fail(format!("UEBA is not fully on: {}", why.join("; ")))
                .with_all(evidence)
                .with_all(on);
        }
        Outcome::unknown(format!(
            "no {} setting found, and {}",
            list(&not_found, 2),
            settings.reason(what)
        ))
        .with_all(on)
    }
}
