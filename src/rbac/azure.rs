//! Azure RBAC tasks: can a principal do every part of a task at its scopes?
//!
//! A part is met by a listed role (matched by GUID at a covering scope) or by the union of the
//! principal's grants covering all of the part's actions; a deny assignment matching one of the
//! part's actions removes it, whatever granted it.

use std::collections::HashMap;
use std::sync::Arc;

use super::actions::any_grants;
use super::{Assignment, Deny, Holder, Level, Rbac, TaskResult, assignments, covers};
use crate::engine::context::{Avail, Index, SubscriptionView, norm_id};
use crate::finding::Evidence;
use crate::rbac::actions::PermissionBlock;
use crate::snapshot::str_at;

/// One part of a task, evaluated at one target scope.
#[derive(Clone, Debug)]
pub struct Part {
    /// What the part is, for messages ("User Access Administrator on the subscription").
    pub label: String,
    /// Lower-cased ARM id the grant must cover.
    pub target: String,
    /// Role definition GUIDs that satisfy the part on their own.
    pub roles: Vec<String>,
    /// Actions that, granted together (by any roles), satisfy the part.
    pub actions: Vec<String>,
}

/// A task: every part must be met by the same principal.
#[derive(Clone, Debug)]
pub struct AzureTask {
    pub parts: Vec<Part>,
}

/// One subscription's assignments, eligibilities and deny assignments, normalised once per scan.
#[derive(Debug, Default)]
pub(crate) struct SubRbac {
    pub(crate) assignments: Vec<Assignment>,
    /// Principal (lower-cased) → positions in `assignments`.
    pub(crate) by_principal: HashMap<String, Vec<usize>>,
    pub(crate) denies: Vec<Deny>,
    /// Why the assignment lists may be incomplete.
    pub(crate) gaps: Vec<String>,
    /// Why the deny list may be incomplete.
    pub(crate) deny_gap: Option<String>,
}

impl SubRbac {
    pub(crate) fn build(ix: &Index<'_>, sub: &SubscriptionView<'_>) -> Self {
        let base = format!("/azure/subscriptions/{}", sub.index);
        let ra = ix.sub_collection(sub, "roleAssignments", |s| s.role_assignments.as_ref());
        let re = ix.sub_collection(sub, "roleEligibilities", |s| s.role_eligibilities.as_ref());
        let da = ix.sub_collection(sub, "denyAssignments", |s| s.deny_assignments.as_ref());
        let mut gaps = Vec::new();
        if !ra.is_complete() {
            gaps.push(ra.reason(&format!("role assignments of subscription {}", sub.id)));
        }
        if !re.is_complete() {
            gaps.push(re.reason(&format!(
                "PIM role eligibilities of subscription {}",
                sub.id
            )));
        }
        let unreadable = da.items().iter().position(|d| !readable_deny(d));
        let deny_gap = (!da.is_complete())
            .then(|| da.reason(&format!("deny assignments of subscription {}", sub.id)))
            .or_else(|| {
                unreadable.map(|j| {
                    format!("deny assignment {base}/denyAssignments/{j} cannot be read (its permissions or principals are missing or of the wrong type)")
                })
            });
        let mut assignments = assignments(&ra, &format!("{base}/roleAssignments"), false);
        assignments.extend(crate::rbac::assignments(
            &re,
            &format!("{base}/roleEligibilities"),
            true,
        ));
        let mut by_principal: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, a) in assignments.iter().enumerate() {
            by_principal.entry(a.principal.clone()).or_default().push(i);
        }
        SubRbac {
            assignments,
            by_principal,
            denies: denies(&da, &format!("{base}/denyAssignments")),
            gaps,
            deny_gap,
        }
    }
}

/// One part's covering assignments and, per assignment, the part's actions its role grants
/// (bit k = `part.actions[k]`; `None` = role definition unknown) and those its ABAC condition
/// could restrict.
pub(crate) struct PartIndex<'d> {
    by_principal: HashMap<&'d str, Vec<usize>>,
    masks: Vec<Option<u64>>,
    cond_masks: Vec<u64>,
}

/// The best way the `relevant` assignments meet one part, with the assignments that do it.
fn part_level<'t>(
    data: &SubRbac,
    part: &'t Part,
    px: &PartIndex<'_>,
    relevant: &[usize],
) -> Option<(Level, Vec<(usize, &'t str)>)> {
    let level_of = |i: usize, restricted: bool| -> Level {
        let a = &data.assignments[i];
        match &a.condition {
            Some(c) if restricted => Level::Conditional(c.clone()),
            _ if a.eligible => Level::Eligible,
            _ => Level::Active,
        }
    };
    let mut best: Option<(Level, Vec<(usize, &'t str)>)> = None;
    let mut consider = |l: Level, r: Vec<(usize, &'t str)>| {
        if best.as_ref().is_none_or(|(cur, _)| l.rank() < cur.rank()) {
            best = Some((l, r));
        }
    };
    // A listed role on its own.
    for &i in relevant {
        if part.roles.contains(&data.assignments[i].role) {
            consider(
                level_of(i, px.cond_masks[i] != 0),
                vec![(i, part.label.as_str())],
            );
        }
    }
    // The union of grants covering every action.
    if !part.actions.is_empty() {
        let mut route = Some(Level::Active);
        let mut refs = Vec::with_capacity(part.actions.len());
        for (k, action) in part.actions.iter().enumerate() {
            let bit = 1u64 << k;
            let mut action_best: Option<(Level, usize)> = None;
            for &i in relevant {
                if px.masks[i].is_some_and(|m| m & bit != 0) {
                    let l = level_of(i, px.cond_masks[i] & bit != 0);
                    if action_best
                        .as_ref()
                        .is_none_or(|(cur, _)| l.rank() < cur.rank())
                    {
                        action_best = Some((l, i));
                    }
                }
            }
            match action_best {
                Some((l, i)) => {
                    route = route.map(|r| Level::worst(r, l));
                    refs.push((i, action.as_str()));
                }
                None => {
                    route = None;
                    break;
                }
            }
        }
        if let Some(l) = route {
            consider(l, refs);
        }
    }
    best
}

/// Evidence is formatted only for the holders a report shows.
const EVIDENCE_HOLDERS: usize = 25;

impl Rbac<'_> {
    /// Who can do `task` in `sub` (all principals, or only `operator` and its groups).
    ///
    /// Memoised per (subscription, task, operator): the checks and the access matrix ask the
    /// same questions.
    pub fn azure(
        &self,
        sub: &SubscriptionView<'_>,
        task: &AzureTask,
        operator: Option<&str>,
    ) -> Arc<TaskResult> {
        let mut key = format!(
            "azure\u{1f}{}\u{1f}{}",
            sub.index,
            operator.unwrap_or("").to_ascii_lowercase()
        );
        for p in &task.parts {
            key.push_str(&format!(
                "\u{1f}{}\u{1e}{}\u{1e}{}\u{1e}{}",
                p.label,
                p.target,
                p.roles.join(","),
                p.actions.join(",")
            ));
        }
        self.memo(key, || self.azure_uncached(sub, task, operator))
    }

    fn azure_uncached(
        &self,
        sub: &SubscriptionView<'_>,
        task: &AzureTask,
        operator: Option<&str>,
    ) -> TaskResult {
        let data = &self.subs[sub.index];
        let mut result = TaskResult {
            gaps: data.gaps.clone(),
            grants_unverifiable: data.deny_gap.clone(),
            ..TaskResult::default()
        };
        // Everything that depends only on the part, computed once: which assignments cover its
        // target, and what each one's role grants (memoised per role definition).
        let mut unknown_roles: Vec<&str> = Vec::new();
        let parts: Vec<PartIndex<'_>> = task
            .parts
            .iter()
            .map(|part| self.part_index(data, part, &mut unknown_roles))
            .collect();
        unknown_roles.sort_unstable();
        unknown_roles.dedup();
        // Candidates: holders of an assignment that covers the first part, and members of
        // groups that hold one (a user may hold the parts through different groups).
        let operator = operator.map(str::to_ascii_lowercase);
        let principals: Vec<&str> = match (operator.as_deref(), parts.first()) {
            (Some(op), _) => vec![op],
            (None, None) => Vec::new(),
            (None, Some(first)) => {
                let mut p: Vec<&str> = Vec::new();
                for holder in first.by_principal.keys() {
                    p.push(holder);
                    p.extend(self.members(holder).iter().map(String::as_str));
                }
                p.sort_unstable();
                p.dedup();
                p
            }
        };
        let mut found: Vec<(Holder, Vec<(usize, &str)>)> = Vec::new();
        for principal in principals {
            let (ids, groups_known) = self.identities(principal);
            if operator.is_some() && !groups_known {
                result.gaps.push(format!(
                    "group membership of {principal} was not collected, so roles held through groups are not seen"
                ));
            }
            let mut level = Some(Level::Active);
            let mut refs = Vec::new();
            for (part, px) in task.parts.iter().zip(&parts) {
                let relevant: Vec<usize> = ids
                    .iter()
                    .filter_map(|id| px.by_principal.get(id))
                    .flatten()
                    .copied()
                    .collect();
                let Some((l, r)) = part_level(data, part, px, &relevant) else {
                    level = None;
                    break;
                };
                let mut l = l;
                match deny_effect(&data.denies, part, principal, &ids, groups_known) {
                    DenyEffect::Denied(d) => {
                        result.denied.push(Evidence::new(
                            d.pointer.clone(),
                            d.name.clone(),
                            format!(
                                "deny assignment at {} removes {} from {principal}",
                                d.scope, part.label
                            ),
                        ));
                        level = None;
                        break;
                    }
                    DenyEffect::Uncertain(d) => {
                        l = Level::Unverified(format!(
                            "deny assignment {} names or excludes groups, and the group membership of {principal} was not (fully) collected",
                            d.name
                        ));
                    }
                    DenyEffect::None => {}
                }
                level = level.map(|cur| Level::worst(cur, l));
                refs.extend(r);
            }
            if let Some(level) = level {
                let principal_type = data
                    .by_principal
                    .get(principal)
                    .and_then(|v| v.first())
                    .and_then(|&i| data.assignments[i].principal_type.clone());
                found.push((
                    Holder {
                        principal: principal.to_string(),
                        principal_type,
                        level,
                        evidence: Vec::new(),
                    },
                    refs,
                ));
            }
        }
        for r in unknown_roles {
            result.gaps.push(format!(
                "role definition {r} is not in the snapshot, so its actions are unknown"
            ));
        }
        found.sort_by(|a, b| {
            a.0.level
                .rank()
                .cmp(&b.0.level.rank())
                .then(a.0.principal.cmp(&b.0.principal))
        });
        for (n, (mut holder, refs)) in found.into_iter().enumerate() {
            if n < EVIDENCE_HOLDERS {
                for (i, what) in refs {
                    let e = self.assignment_evidence(&data.assignments[i], what);
                    if !holder.evidence.contains(&e) {
                        holder.evidence.push(e);
                    }
                }
            }
            result.holders.push(holder);
        }
        result
    }

    /// Precomputes, for one part, the covering assignments and what their roles grant.
    fn part_index<'d>(
        &self,
        data: &'d SubRbac,
        part: &Part,
        unknown_roles: &mut Vec<&'d str>,
    ) -> PartIndex<'d> {
        let mut by_principal: HashMap<&'d str, Vec<usize>> = HashMap::new();
        let mut grants: HashMap<&'d str, Option<u64>> = HashMap::new();
        let mut masks = vec![None; data.assignments.len()];
        let mut cond_masks = vec![0u64; data.assignments.len()];
        for (i, a) in data.assignments.iter().enumerate() {
            if !covers(&a.scope, &part.target) {
                continue;
            }
            by_principal
                .entry(a.principal.as_str())
                .or_default()
                .push(i);
            let mask = *grants.entry(a.role.as_str()).or_insert_with(|| {
                self.role(&a.role).map(|def| {
                    part.actions
                        .iter()
                        .enumerate()
                        .filter(|(_, act)| any_grants(&def.blocks, act))
                        .fold(0u64, |m, (k, _)| m | (1 << k))
                })
            });
            if mask.is_none() && !part.actions.is_empty() {
                unknown_roles.push(a.role.as_str());
            }
            masks[i] = mask;
            if let Some(c) = &a.condition {
                cond_masks[i] = part
                    .actions
                    .iter()
                    .enumerate()
                    .filter(|(_, act)| condition_restricts(c, std::slice::from_ref(act)))
                    .fold(0u64, |m, (k, _)| m | (1 << k));
            }
        }
        PartIndex {
            by_principal,
            masks,
            cond_masks,
        }
    }

    fn assignment_evidence(&self, a: &Assignment, what: &str) -> Evidence {
        let def = self.role(&a.role);
        let mut detail = format!(
            "{} {} holds {} at {}",
            a.principal_type.as_deref().unwrap_or("principal"),
            a.principal,
            def.map(|d| d.name.clone())
                .unwrap_or_else(|| format!("role {}", a.role)),
            a.scope
        );
        if a.eligible {
            detail.push_str(" (PIM eligible: requires activation)");
        }
        if let Some(c) = &a.condition {
            detail.push_str(&format!(" with condition `{c}`"));
        }
        if def.is_some_and(|d| d.fallback) {
            detail
                .push_str(" (role definition from socready's built-in list: not in the snapshot)");
        }
        detail.push_str(&format!(" — {what}"));
        Evidence::new(
            a.pointer.clone(),
            if a.id.is_empty() {
                a.scope.clone()
            } else {
                a.id.clone()
            },
            detail,
        )
    }
}

pub(super) fn assignment_level(a: &Assignment, actions: &[String]) -> Level {
    match &a.condition {
        Some(c) if condition_restricts(c, actions) => Level::Conditional(c.clone()),
        _ if a.eligible => Level::Eligible,
        _ => Level::Active,
    }
}

/// Whether an ABAC condition could restrict any of `actions`.
///
/// Conditions name the resource provider they constrain (`Microsoft.Storage/...`,
/// `Microsoft.Authorization/roleAssignments`); one that names none of the actions' providers
/// cannot restrict them. A condition we cannot read is assumed to restrict.
pub fn condition_restricts(condition: &str, actions: &[String]) -> bool {
    let c = condition.to_ascii_lowercase();
    if !c.contains("microsoft.") {
        return true;
    }
    actions.iter().any(|a| {
        let ns = a.split('/').next().unwrap_or(a).to_ascii_lowercase();
        c.contains(&ns)
    })
}

/// Whether a deny assignment says what it denies and to whom. One that does not could remove
/// any grant, so it makes grants unverifiable rather than being skipped.
fn readable_deny(d: &serde_json::Value) -> bool {
    fn list(v: Option<&serde_json::Value>) -> Option<&Vec<serde_json::Value>> {
        v.and_then(serde_json::Value::as_array)
    }
    let Some(p) = d.get("properties").filter(|p| p.is_object()) else {
        return false;
    };
    list(p.get("permissions")).is_some_and(|b| b.iter().all(|b| list(b.get("actions")).is_some()))
        && list(p.get("principals")).is_some_and(|ps| {
            ps.iter().all(|x| {
                x.get("id")
                    .and_then(|i| i.as_str())
                    .is_some_and(|i| !i.trim().is_empty())
            })
        })
}

fn denies(list: &Avail<'_>, base: &str) -> Vec<Deny> {
    let ids = |v: Option<&serde_json::Value>| -> Vec<String> {
        v.and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|p| {
                        p.get("id")
                            .and_then(|i| i.as_str())
                            .map(str::to_ascii_lowercase)
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    list.items()
        .iter()
        .enumerate()
        .filter_map(|(j, d)| {
            let p = d.get("properties")?;
            Some(Deny {
                scope: norm_id(p.get("scope").and_then(|s| s.as_str()).unwrap_or("/")),
                blocks: PermissionBlock::list_from(Some(p)),
                principals: ids(p.get("principals")),
                excluded: ids(p.get("excludePrincipals")),
                no_children: p
                    .get("doNotApplyToChildScopes")
                    .and_then(|b| b.as_bool())
                    .unwrap_or(false),
                pointer: format!("{base}/{j}"),
                name: str_at(d, "properties.denyAssignmentName")
                    .or_else(|| str_at(d, "id"))
                    .unwrap_or("deny assignment")
                    .to_string(),
            })
        })
        .collect()
}

/// What the deny assignments do to one part for one principal.
pub(super) enum DenyEffect<'d> {
    None,
    Denied(&'d Deny),
    /// Whether the deny applies depends on group membership that was not fully collected.
    Uncertain(&'d Deny),
}

/// Applies the deny assignments covering `part` to `principal` (whose identities are `ids`).
pub(super) fn deny_effect<'d>(
    denies: &'d [Deny],
    part: &Part,
    principal: &str,
    ids: &[&str],
    groups_known: bool,
) -> DenyEffect<'d> {
    let mut uncertain = None;
    for d in denies {
        let scope_ok = d.scope == part.target || (!d.no_children && covers(&d.scope, &part.target));
        if !scope_ok || !part.actions.iter().any(|a| any_grants(&d.blocks, a)) {
            continue;
        }
        let named = d
            .principals
            .iter()
            .any(|p| p == super::EVERYONE || ids.contains(&p.as_str()));
        let excluded = d.excluded.iter().any(|p| ids.contains(&p.as_str()));
        if named && !excluded {
            // An exclusion naming someone else could be one of the principal's unseen groups.
            if !groups_known && d.excluded.iter().any(|p| p != principal) {
                uncertain.get_or_insert(d);
                continue;
            }
            return DenyEffect::Denied(d);
        }
        if !named && !groups_known && d.principals.iter().any(|p| p != principal) {
            uncertain.get_or_insert(d);
        }
    }
    uncertain.map_or(DenyEffect::None, DenyEffect::Uncertain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_on_other_providers_do_not_restrict() {
        let acts = vec!["Microsoft.Authorization/roleAssignments/write".to_string()];
        assert!(condition_restricts(
            "@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {x}",
            &acts
        ));
        assert!(!condition_restricts(
            "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:ContainerName] StringEquals 'x'",
            &acts
        ));
        assert!(condition_restricts("something odd", &acts));
    }
}
