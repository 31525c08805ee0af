//! SOC004 `xdr_connector`: the Microsoft Defender XDR data connector is present with incidents
//! and alerts enabled (DESIGN §3.5).

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
    /// Data connector `kind` of the Defender XDR connector.
    kind: String,
    /// `properties.dataTypes.<name>.state` must be `Enabled` for each of these.
    required_data_types: Vec<String>,
    /// Content hub `contentId`s of the Microsoft Defender XDR solution (evidence only).
    #[serde(default)]
    solution_content_ids: Vec<String>,
}

struct XdrConnector(Params);

pub fn prepare(table: &toml::Table) -> Result<Arc<dyn Check>, String> {
    let p: Params = params(table)?;
    if p.required_data_types.is_empty() {
        return Err("required_data_types must not be empty".into());
    }
    Ok(Arc::new(XdrConnector(p)))
}

impl Check for XdrConnector {
    fn evaluate(&self, cx: &Context<'_>, scope: &ScopeRef<'_>) -> Outcome {
        let ScopeRef::Workspace(ws) = scope else {
            return Outcome::not_applicable("workspace rule");
        };
        if let Some(na) = sentinel_gate(ws) {
            return na;
        }
        let connectors = cx
            .index
            .ws_collection(ws, "dataConnectors", |w| w.data_connectors.as_ref());
        if connectors.is_missing() {
            return Outcome::unknown(connectors.reason("the workspace's data connectors"));
        }
        let solution = self.solution_note(cx, ws);
        let mut found = Vec::new();
        for (i, c) in connectors.items().iter().enumerate() {
            let kind = c.get("kind").and_then(Value::as_str).unwrap_or("");
            if !kind.eq_ignore_ascii_case(&self.0.kind) {
                continue;
            }
            let states: Vec<(String, Option<&str>)> = self
                .0
                .required_data_types
                .iter()
                .map(|t| {
                    let s = c
                        .pointer(&format!("/properties/dataTypes/{t}/state"))
                        .and_then(Value::as_str);
                    (t.clone(), s)
                })
                .collect();
            let ok = states
                .iter()
                .all(|(_, s)| s.is_some_and(|s| s.eq_ignore_ascii_case("Enabled")));
            let detail = states
                .iter()
                .map(|(t, s)| format!("{t}: {}", s.unwrap_or("(missing)")))
                .collect::<Vec<_>>()
                .join(", ");
            let id = c
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or(kind)
                .to_string();
            found.push((
                ok,
                Evidence::new(
                    format!("{}/dataConnectors/{i}", ws.pointer()),
                    id,
                    format!("{} connector — {detail}", self.0.kind),
                ),
            ));
        }
        if let Some((_, e)) = found.iter().find(|(ok, _)| *ok) {
            return Outcome::pass(format!(
                "the Microsoft Defender XDR connector is connected with {} enabled{solution}",
                self.0.required_data_types.join(" and ")
            ))
            .with(e.clone());
        }
        if !found.is_empty() {
            return Outcome::fail(format!(
                "the Microsoft Defender XDR connector exists but not all of {} are Enabled{solution}",
                self.0.required_data_types.join(", ")
            ))
            .with_all(found.into_iter().map(|(_, e)| e));
        }
        if let Avail::Partial(..) = connectors {
            return Outcome::unknown(connectors.reason("the workspace's data connectors"));
        }
        Outcome::fail(format!(
            "no Microsoft Defender XDR ({}) data connector on this workspace{solution}",
            self.0.kind
        ))
        .with(Evidence::new(
            format!("{}/dataConnectors", ws.pointer()),
            ws.arm_id,
            format!(
                "{} data connector(s), none of kind {}",
                connectors.items().len(),
                self.0.kind
            ),
        ))
    }
}

impl XdrConnector {
    /// "; the Microsoft Defender XDR solution is (not) installed from the Content hub", when known.
    fn solution_note(
        &self,
        cx: &Context<'_>,
        ws: &crate::engine::context::WorkspaceView<'_>,
    ) -> String {
        let packages = cx
            .index
            .ws_collection(ws, "contentPackages", |w| w.content_packages.as_ref());
        if packages.is_missing() || self.0.solution_content_ids.is_empty() {
            return String::new();
        }
        let installed = packages.items().iter().any(|p| {
            p.pointer("/properties/contentId")
                .and_then(Value::as_str)
                .is_some_and(|id| {
                    self.0
                        .solution_content_ids
                        .iter()
                        .any(|s| s.eq_ignore_ascii_case(id))
                })
        });
        if installed {
            "; the Microsoft Defender XDR solution is installed from the Content hub".into()
        } else {
            "; the Microsoft Defender XDR solution is not installed from the Content hub".into()
        }
    }
}
