//! Checks: one file per check kind. Each turns its rule's `[params]` into a prepared check and
//! evaluates it on one scope, reading only the indexed snapshot.
//!
//! Checks never do I/O and never gate: they say pass/fail/unknown/not_applicable with evidence.
//! Input that was not collected (or errored) yields `unknown`, never `pass`.

pub mod automation_rules;
pub mod connect_effects;
pub mod connect_permission;
pub mod connector;
pub mod defender_for_cloud;
pub mod health_audit;
pub mod incident_rules;
pub mod licenses;
pub(crate) mod lookup;
pub mod onboard_permission;
pub mod resource_group;
pub mod retention;
pub mod service_plans;
pub mod soc_access;
pub mod tenant;
pub mod ueba;
pub mod workspace;

use crate::engine::context::{Context, WorkspaceView};
use crate::finding::{Evidence, Outcome};
use crate::rbac::{Level, LevelKind, TaskResult};

/// Rules that read Sentinel data do not apply to a workspace without Sentinel.
pub(crate) fn sentinel_gate(ws: &WorkspaceView<'_>) -> Option<Outcome> {
    (ws.sentinel == Some(false)).then(|| {
        Outcome::not_applicable("Microsoft Sentinel is not enabled on this workspace (SOC003), so there is nothing to check here")
    })
}

/// Whether a workspace's subscription is known to belong to another tenant.
pub(crate) fn foreign_tenant(cx: &Context<'_>, ws: &WorkspaceView<'_>) -> Option<String> {
    let sub = cx.index.subscription(&ws.subscription_id)?;
    let t = sub.tenant_id.as_ref()?;
    (t != &cx.index.tenant_id).then(|| t.clone())
}

/// Turns the answer to "who can do this task" into a finding outcome.
///
/// Active holder → pass; only PIM-eligible → pass that says activation is needed; only through
/// an ABAC condition, or nobody while inputs are missing → unknown; nobody → fail.
pub(crate) fn permission_outcome(
    res: &TaskResult,
    task: &str,
    who: &str,
    fail_evidence: Evidence,
) -> Outcome {
    let unverifiable = res.grants_unverifiable.as_ref();
    // `holders` has the first principals in full (best level first); `all` counts everyone.
    let of_kind = |k: LevelKind| -> Vec<&crate::rbac::Holder> {
        res.holders.iter().filter(|h| h.level.kind() == k).collect()
    };
    let (active, eligible, conditional) = (
        of_kind(LevelKind::Active),
        of_kind(LevelKind::Eligible),
        of_kind(LevelKind::Conditional),
    );
    let evidence = |hs: &[&crate::rbac::Holder]| -> Vec<Evidence> {
        hs.iter()
            .take(20)
            .flat_map(|h| h.evidence.iter().cloned())
            .collect()
    };
    let names = |hs: &[&crate::rbac::Holder], total: usize| -> String {
        let mut v: Vec<String> = hs.iter().take(5).map(|h| h.principal.to_string()).collect();
        if total > v.len() {
            v.push(format!("and {} more", total - v.len()));
        }
        v.join(", ")
    };
    if !res.holders.is_empty()
        && let Some(why) = unverifiable
    {
        return Outcome::unknown(format!(
            "{who} can {task} by role, but {why}, and a deny assignment could remove the grant"
        ))
        .with_all(evidence(&res.holders.iter().collect::<Vec<_>>()));
    }
    if !active.is_empty() {
        let total = res.count(LevelKind::Active);
        return Outcome::pass(format!(
            "{total} principal(s) can {task}: {}",
            names(&active, total)
        ))
        .with_all(evidence(&active));
    }
    if !eligible.is_empty() {
        return Outcome::pass(format!(
            "warning: only PIM-eligible assignments can {task} ({}): the role requires activation before onboarding",
            names(&eligible, res.count(LevelKind::Eligible))
        ))
        .with_all(evidence(&eligible));
    }
    if let Some(why) = res.holders.iter().find_map(|h| match &h.level {
        Level::Unverified(why) => Some(why),
        _ => None,
    }) && conditional.is_empty()
    {
        return Outcome::unknown(format!(
            "a grant to {task} exists but cannot be confirmed: {why}"
        ))
        .with_all(evidence(&res.holders.iter().collect::<Vec<_>>()));
    }
    if let Some(Level::Conditional(cond)) = conditional.first().map(|h| &h.level) {
        return Outcome::unknown(format!(
            "the only way to {task} is an assignment with an ABAC condition that could restrict it: {cond}"
        ))
        .with_all(evidence(&conditional));
    }
    let mut denied = res.denied.clone();
    if !res.gaps.is_empty() {
        return Outcome::unknown(format!(
            "no principal found who can {task}, but the data is incomplete: {}",
            res.gaps.join("; ")
        ))
        .with_all(denied);
    }
    let msg = if denied.is_empty() {
        format!("no {who} can {task}")
    } else {
        format!("no {who} can {task}: deny assignments remove the grants that exist")
    };
    denied.insert(0, fail_evidence);
    Outcome::fail(msg).with_all(denied)
}

/// Whether a subscribed SKU's service plan is one of `names` (a `_GOV` variant counts too) or
/// `ids`; returns the plan's name (or id) for messages. Comparisons ignore case and spaces
/// around values, which the licensing data carries.
pub(crate) fn service_plan_match(
    plan: &serde_json::Value,
    names: &[String],
    ids: &[String],
) -> Option<String> {
    let field = |k: &str| {
        plan.get(k)
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
            .trim()
    };
    let (name, id) = (field("servicePlanName"), field("servicePlanId"));
    let base = name
        .strip_suffix("_GOV")
        .or_else(|| name.strip_suffix("_gov"))
        .unwrap_or(name);
    let by_name = !name.is_empty()
        && names
            .iter()
            .any(|q| q.eq_ignore_ascii_case(name) || q.eq_ignore_ascii_case(base));
    let by_id = !id.is_empty() && ids.iter().any(|q| q.eq_ignore_ascii_case(id));
    (by_name || by_id).then(|| if name.is_empty() { id } else { name }.to_string())
}
