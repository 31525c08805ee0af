//! SOC003 `sentinel_workspace`: Sentinel is enabled on the workspace and the set of workspaces
//! fits the policy (`single`: exactly one designated; `multi`: one primary plus secondaries).
//!
//! Workspaces of other tenants fail SOC002 and do not count toward the policy (DESIGN §3.4).

use std::sync::Arc;

use serde::Deserialize;

use super::foreign_tenant;
use crate::engine::context::{Context, ScopeRef, WorkspaceView};
use crate::engine::options::WorkspaceMode;
use crate::engine::registry::{Check, params};
use crate::finding::{Evidence, Outcome};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {}

struct SentinelWorkspace;

pub fn prepare(table: &toml::Table) -> Result<Arc<dyn Check>, String> {
    let _: Params = params(table)?;
    Ok(Arc::new(SentinelWorkspace))
}

fn ev(ws: &WorkspaceView<'_>, detail: impl Into<String>) -> Evidence {
    Evidence::new(ws.pointer(), ws.arm_id, detail)
}

impl Check for SentinelWorkspace {
    fn evaluate_without_workspaces(&self, cx: &Context<'_>) -> Option<Outcome> {
        let listed = cx
            .index
            .snapshot
            .azure
            .as_ref()
            .and_then(|a| a.workspaces.as_ref());
        if listed.is_none() {
            let errs = cx.index.errors_for("azure.workspaces");
            let mut why =
                "Log Analytics workspaces (azure.workspaces) were not collected".to_string();
            if let Some(e) = errs.first() {
                why.push_str(&format!(" ({})", e.describe()));
            }
            return Some(Outcome::unknown(why));
        }
        let evidence: Vec<Evidence> = cx
            .index
            .workspaces
            .iter()
            .map(|w| ev(w, "Microsoft Sentinel is not enabled (no onboarding state)"))
            .collect();
        let msg = if evidence.is_empty() {
            "no Log Analytics workspace in the snapshot, so no workspace with Microsoft Sentinel enabled"
        } else {
            "no workspace with Microsoft Sentinel enabled"
        };
        let mut out = Outcome::fail(msg).with_all(evidence);
        if out.evidence.is_empty() {
            out.evidence.push(Evidence::new(
                "/azure/workspaces",
                "azure.workspaces",
                "empty list",
            ));
        }
        Some(out)
    }

    fn evaluate(&self, cx: &Context<'_>, scope: &ScopeRef<'_>) -> Outcome {
        let ScopeRef::Workspace(ws) = scope else {
            return Outcome::not_applicable("workspace rule");
        };
        if let Some(t) = foreign_tenant(cx, ws) {
            return Outcome::not_applicable(format!(
                "the workspace's subscription belongs to tenant {t} (SOC002), so it cannot be connected and does not count toward the workspace policy"
            ));
        }
        match ws.sentinel {
            Some(false) => {
                return Outcome::fail(format!(
                    "Microsoft Sentinel is not enabled on workspace {}",
                    ws.name
                ))
                .with(ev(
                    ws,
                    "onboardingStates is empty: add Microsoft Sentinel to the workspace first",
                ));
            }
            None => {
                let a = cx
                    .index
                    .ws_collection(ws, "onboardingStates", |w| w.onboarding_states.as_ref());
                return Outcome::unknown(
                    a.reason("the Sentinel onboarding state of this workspace"),
                );
            }
            Some(true) => {}
        }
        // The workspaces that count toward the policy: scopes in this tenant with Sentinel.
        let counted: Vec<&WorkspaceView<'_>> = cx
            .plan
            .scopes
            .iter()
            .map(|&i| &cx.index.workspaces[i])
            .filter(|w| w.sentinel == Some(true) && foreign_tenant(cx, w).is_none())
            .collect();
        let uncertain = cx
            .plan
            .scopes
            .iter()
            .map(|&i| &cx.index.workspaces[i])
            .filter(|w| w.sentinel.is_none())
            .count();
        let names = counted
            .iter()
            .map(|w| w.arm_id)
            .collect::<Vec<_>>()
            .join(", ");
        let here = ev(
            ws,
            "Microsoft Sentinel is enabled (onboarding state present)",
        );
        match cx.opts.workspace_mode {
            WorkspaceMode::Single if counted.len() > 1 => {
                let how = if cx.plan.named.is_empty() {
                    "choose the one to connect with --workspace, or use --workspace-mode multi with a --primary"
                } else {
                    "name exactly one workspace with --workspace in single mode"
                };
                Outcome::fail(format!(
                    "{} Sentinel workspaces are candidates but single-workspace mode connects exactly one: {how}",
                    counted.len()
                ))
                .with_all(counted.iter().map(|w| ev(w, "Sentinel-enabled candidate")))
            }
            WorkspaceMode::Single if uncertain > 0 && cx.plan.named.is_empty() => Outcome::unknown(format!(
                "this is the only confirmed Sentinel workspace, but the onboarding state of {uncertain} other workspace(s) could not be read"
            ))
            .with(here),
            WorkspaceMode::Single => Outcome::pass("Microsoft Sentinel is enabled and this is the single workspace designated for connection").with(here),
            WorkspaceMode::Multi => {
                let primary = cx.plan.primary.map(|i| &cx.index.workspaces[i]);
                match primary {
                    Some(p) if p.id == ws.id => Outcome::pass("Microsoft Sentinel is enabled; this is the designated primary workspace").with(here),
                    Some(p) => Outcome::pass(format!("Microsoft Sentinel is enabled; secondary workspace (primary: {})", p.arm_id)).with(here),
                    None if counted.len() <= 1 && uncertain > 0 => Outcome::unknown(format!(
                        "no primary is designated and the onboarding state of {uncertain} other workspace(s) could not be read, so this may not be the only candidate"
                    ))
                    .with(here),
                    None if counted.len() <= 1 => Outcome::pass("Microsoft Sentinel is enabled; the only candidate is the primary workspace by default").with(here),
                    None => Outcome::fail(format!(
                        "{} Sentinel workspaces are candidates in multi-workspace mode but no primary is designated (use --primary or `primary` in socready.toml): {names}",
                        counted.len()
                    ))
                    .with_all(counted.iter().map(|w| ev(w, "Sentinel-enabled candidate"))),
                }
            }
        }
    }
}
