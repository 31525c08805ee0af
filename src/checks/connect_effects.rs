//! SOC016 `connect_side_effects`: what connecting the workspace to the Defender portal changes,
//! and whether the service principals that Connect grants a role to exist.
//!
//! Connecting (seed "Connect Microsoft Sentinel to the Microsoft Defender portal") assigns
//! Microsoft Sentinel Contributor on the subscription to the Microsoft Threat Protection and
//! WindowsDefenderATP apps, deactivates every enabled Microsoft incident creation rule, and takes
//! Defender XDR alerts from the Defender XDR connector. The check fails when one of the service
//! principals is missing (or disabled) from `graph.servicePrincipals`, matched by `appId`;
//! otherwise it passes with the list of changes. Without the service principals or the analytics
//! rules it cannot give that list and says `unknown`. Workspaces of another tenant cannot be
//! connected from this tenant (SOC002), so the rule does not apply to them.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use super::lookup::{display_name, list, resource_id};
use super::{foreign_tenant, sentinel_gate};
use crate::engine::context::{Context, Index, ScopeRef, WorkspaceView};
use crate::engine::registry::{Check, params};
use crate::finding::{Evidence, Outcome};
use crate::snapshot::Resource;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// Role definition GUID that Connect assigns (Microsoft Sentinel Contributor).
    granted_role_id: String,
    /// Display name of that role, for messages.
    granted_role_name: String,
    /// App display name → `appId` of the service principals that receive the role.
    service_principals: BTreeMap<String, String>,
    /// Alert rule `kind` of Microsoft incident creation rules.
    incident_rule_kind: String,
    /// Data connector `kind` of the Defender XDR connector.
    xdr_connector_kind: String,
}

struct ConnectSideEffects(Params);

pub fn prepare(table: &toml::Table) -> Result<Arc<dyn Check>, String> {
    let p: Params = params(table)?;
    if p.service_principals.is_empty() {
        return Err("service_principals must name at least one app".into());
    }
    if p.granted_role_id.trim().is_empty() || p.incident_rule_kind.trim().is_empty() {
        return Err("granted_role_id and incident_rule_kind must not be empty".into());
    }
    Ok(Arc::new(ConnectSideEffects(p)))
}

/// What the snapshot says about one service principal.
enum Sp {
    Present {
        object_id: String,
        evidence: Evidence,
    },
    Disabled(Evidence),
    /// `accountEnabled` is missing or not a boolean.
    Unreadable(Evidence),
    Absent,
}

impl ConnectSideEffects {
    fn service_principal(&self, items: &[Resource], app_id: &str) -> Sp {
        let Some((i, sp)) = items.iter().enumerate().find(|(_, sp)| {
            sp.get("appId")
                .and_then(Value::as_str)
                .is_some_and(|a| a.trim().eq_ignore_ascii_case(app_id))
        }) else {
            return Sp::Absent;
        };
        let object_id = sp
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or(app_id)
            .to_string();
        let name = sp
            .get("displayName")
            .and_then(Value::as_str)
            .unwrap_or(app_id);
        let pointer = Index::graph_pointer("servicePrincipals", i);
        match sp.get("accountEnabled").and_then(Value::as_bool) {
            Some(true) => {}
            Some(false) => {
                return Sp::Disabled(Evidence::new(
                    pointer,
                    object_id,
                    format!("{name} (appId {app_id}) is disabled (accountEnabled false)"),
                ));
            }
            None => {
                return Sp::Unreadable(Evidence::new(
                    pointer,
                    object_id,
                    format!("{name} (appId {app_id}): accountEnabled is missing or not a boolean"),
                ));
            }
        }
        let evidence = Evidence::new(
            pointer,
            object_id.clone(),
            format!("{name} (appId {app_id}) is present"),
        );
        Sp::Present {
            object_id,
            evidence,
        }
    }

    /// Whether `principal` already holds the granted role at a scope covering the workspace;
    /// `None` when the subscription's role assignments are not available.
    fn already_holds(
        &self,
        cx: &Context<'_>,
        ws: &WorkspaceView<'_>,
        principal: &str,
    ) -> Option<bool> {
        let sub = cx.index.subscription(&ws.subscription_id)?;
        cx.rbac
            .holds_directly(sub, principal, &self.0.granted_role_id, &ws.id)
    }

    /// "the Microsoft Defender XDR connector streams alerts (alerts Enabled)" or what is known.
    fn connector_note(
        &self,
        cx: &Context<'_>,
        ws: &WorkspaceView<'_>,
    ) -> (String, Option<Evidence>) {
        let connectors = cx
            .index
            .ws_collection(ws, "dataConnectors", |w| w.data_connectors.as_ref());
        if connectors.is_missing() {
            return ("its current state was not collected".into(), None);
        }
        let found = connectors.items().iter().enumerate().find(|(_, c)| {
            c.get("kind")
                .and_then(Value::as_str)
                .is_some_and(|k| k.eq_ignore_ascii_case(&self.0.xdr_connector_kind))
        });
        match found {
            Some((i, c)) => {
                let state = c
                    .pointer("/properties/dataTypes/alerts/state")
                    .and_then(Value::as_str)
                    .unwrap_or("(missing)");
                let ev = Evidence::new(
                    format!("{}/dataConnectors/{i}", ws.pointer()),
                    resource_id(c, &self.0.xdr_connector_kind),
                    format!("{} connector: alerts {state}", self.0.xdr_connector_kind),
                );
                (format!("its alerts are {state} today"), Some(ev))
            }
            None => (
                "the connector is not on this workspace yet (SOC004)".into(),
                None,
            ),
        }
    }
}

impl Check for ConnectSideEffects {
    fn evaluate(&self, cx: &Context<'_>, scope: &ScopeRef<'_>) -> Outcome {
        let ScopeRef::Workspace(ws) = scope else {
            return Outcome::not_applicable("workspace rule");
        };
        if let Some(na) = sentinel_gate(ws) {
            return na;
        }
        if let Some(t) = foreign_tenant(cx, ws) {
            return Outcome::not_applicable(format!(
                "the workspace belongs to tenant {t} (SOC002): it cannot be connected from this tenant's Defender portal"
            ));
        }
        let p = &self.0;
        let sps = cx
            .index
            .graph("servicePrincipals", |g| g.service_principals.as_ref());
        let (mut present, mut broken, mut unknown_sps, mut sp_evidence) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut unreadable_sps = Vec::new();
        for (name, app_id) in &p.service_principals {
            match self.service_principal(sps.items(), app_id) {
                Sp::Present {
                    object_id,
                    evidence,
                } => {
                    let held = match self.already_holds(cx, ws, &object_id) {
                        Some(true) => " (already holds it)",
                        _ => "",
                    };
                    present.push(format!("{name}{held}"));
                    sp_evidence.push(evidence);
                }
                Sp::Disabled(e) => {
                    broken.push(format!("{name} is disabled"));
                    sp_evidence.push(e);
                }
                Sp::Absent if sps.is_complete() => {
                    broken.push(format!(
                        "{name} (appId {app_id}) is missing from the tenant"
                    ));
                    sp_evidence.push(Evidence::new(
                        "/graph/servicePrincipals",
                        format!("appId {app_id}"),
                        format!("no service principal with appId {app_id} ({name}) in the tenant"),
                    ));
                }
                Sp::Unreadable(e) => {
                    unreadable_sps.push(name.clone());
                    sp_evidence.push(e);
                }
                Sp::Absent => unknown_sps.push(name.clone()),
            }
        }
        if !broken.is_empty() {
            return Outcome::fail(format!(
                "connecting assigns {} to the Defender service principals and cannot succeed: {}",
                p.granted_role_name,
                list(&broken, 5)
            ))
            .with_all(sp_evidence);
        }

        let rules = cx
            .index
            .ws_collection(ws, "alertRules", |w| w.alert_rules.as_ref());
        let mut deactivated = Vec::new();
        let mut rule_evidence = Vec::new();
        for (i, r) in rules.items().iter().enumerate() {
            let kind = r.get("kind").and_then(Value::as_str).unwrap_or("");
            if !kind.eq_ignore_ascii_case(&p.incident_rule_kind)
                || r.pointer("/properties/enabled").and_then(Value::as_bool) == Some(false)
            {
                continue;
            }
            let name = display_name(r);
            let product = r
                .pointer("/properties/productFilter")
                .and_then(Value::as_str)
                .unwrap_or("?");
            deactivated.push(format!("\"{name}\""));
            rule_evidence.push(Evidence::new(
                format!("{}/alertRules/{i}", ws.pointer()),
                resource_id(r, name),
                format!("\"{name}\" ({product}) is enabled and will be deactivated"),
            ));
        }
        let (connector, connector_ev) = self.connector_note(cx, ws);

        let mut gaps = Vec::new();
        let sp_what = "the Defender service principals (graph.servicePrincipals)";
        if sps.is_missing() {
            gaps.push(sps.reason(sp_what));
        } else if !unknown_sps.is_empty() {
            gaps.push(format!(
                "{} not found, and {}",
                list(&unknown_sps, 5),
                sps.reason(sp_what)
            ));
        }
        if !unreadable_sps.is_empty() {
            gaps.push(format!(
                "whether {} is enabled cannot be read (accountEnabled)",
                list(&unreadable_sps, 5)
            ));
        }
        if !rules.is_complete() {
            gaps.push(rules.reason("the workspace's analytics rules"));
        }
        let rules_text = if deactivated.is_empty() {
            "no enabled Microsoft incident creation rule to deactivate".to_string()
        } else {
            format!(
                "deactivates {} Microsoft incident creation rule(s): {}",
                deactivated.len(),
                list(&deactivated, 5)
            )
        };
        let grant = format!(
            "assigns {} on subscription {} to {}",
            p.granted_role_name,
            ws.subscription_id,
            list(&present, 5)
        );
        let alerts = format!(
            "takes Defender XDR alerts from the Microsoft Defender XDR connector ({}; {connector})",
            p.xdr_connector_kind
        );
        let evidence = sp_evidence
            .into_iter()
            .chain(rule_evidence)
            .chain(connector_ev);
        if !gaps.is_empty() {
            return Outcome::unknown(format!(
                "cannot list every change connecting makes: {}",
                gaps.join("; ")
            ))
            .with_all(evidence);
        }
        Outcome::pass(format!(
            "connecting {grant}; {rules_text}; {alerts}; and makes the workspace's tables available in advanced hunting"
        ))
        .with_all(evidence)
    }
}
