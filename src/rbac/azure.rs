//! Azure RBAC tasks: can a principal do every part of a task at its scopes?
//!
//! A part is met by a listed role (matched by GUID at a covering scope) or by the union of the
//! principal's grants covering all of the part's actions; a deny assignment matching one of the
//! part's actions removes it, whatever granted it.

use std::collections::HashMap;
use std::sync::Arc;

use super::assignment::assignments;
use super::deny::{DenyEffect, denies, readable_deny};
use super::index::Tables;
use super::part::{PartIndex, Scratch, part_level};
use super::{Assignment, DETAILED_HOLDERS, Deny, Holder, Level, Rbac, TaskResult};
use crate::engine::context::{Index, SubscriptionView};
use crate::finding::Evidence;

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
pub(crate) struct SubRbac<'a> {
    /// `/azure/subscriptions/<n>`, the JSON Pointer the evidence starts from.
    base: String,
    pub(crate) assignments: Vec<Assignment<'a>>,
    /// Principal id → positions in `assignments`.
    pub(crate) by_principal: HashMap<u32, Vec<u32>>,
    /// The distinct scope ids the assignments use.
    pub(super) scopes: Vec<u32>,
    pub(crate) denies: Vec<Deny>,
    /// Why the assignment lists may be incomplete.
    pub(crate) gaps: Vec<String>,
    /// Whether `roleAssignments` (active assignments) was collected in full.
    pub(crate) active_complete: bool,
    /// Why the deny list may be incomplete.
    pub(crate) deny_gap: Option<String>,
}

impl<'a> SubRbac<'a> {
    pub(crate) fn build(ix: &Index<'a>, sub: &SubscriptionView<'a>, t: &mut Tables) -> Self {
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
        let mut assignments = assignments(&ra, false, t);
        assignments.extend(super::assignment::assignments(&re, true, t));
        let mut by_principal: HashMap<u32, Vec<u32>> = HashMap::new();
        for (i, a) in assignments.iter().enumerate() {
            by_principal.entry(a.principal).or_default().push(i as u32);
        }
        let mut scopes: Vec<u32> = assignments.iter().map(|a| a.scope).collect();
        scopes.sort_unstable();
        scopes.dedup();
        SubRbac {
            denies: denies(&da, &format!("{base}/denyAssignments"), &mut t.principals),
            base,
            assignments,
            by_principal,
            scopes,
            gaps,
            active_complete: ra.is_complete(),
            deny_gap,
        }
    }

    /// JSON Pointer of an assignment.
    fn pointer(&self, a: &Assignment<'_>) -> String {
        let list = if a.eligible {
            "roleEligibilities"
        } else {
            "roleAssignments"
        };
        format!("{}/{list}/{}", self.base, a.position)
    }

    /// Assignment positions of one principal.
    pub(crate) fn of(&self, principal: u32) -> &[u32] {
        self.by_principal.get(&principal).map_or(&[], Vec::as_slice)
    }
}

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
        let mut unknown_roles: Vec<u32> = Vec::new();
        let parts: Vec<PartIndex> = task
            .parts
            .iter()
            .map(|part| self.part_index(data, part, &mut unknown_roles))
            .collect();
        unknown_roles.sort_unstable();
        unknown_roles.dedup();
        // Candidates: holders of an assignment that covers the first part, and members of
        // groups that hold one (a user may hold the parts through different groups).
        let operator = operator.map(str::to_ascii_lowercase);
        let candidates: Vec<Option<u32>> = match (operator.as_deref(), parts.first()) {
            (Some(op), _) => vec![self.principals.get(op)],
            (None, None) => Vec::new(),
            (None, Some(first)) => {
                let mut seen = vec![false; self.principals.len()];
                let mut mark = |p: u32| {
                    if let Some(s) = seen.get_mut(p as usize) {
                        *s = true;
                    }
                };
                for (holder, w) in first.starts.windows(2).enumerate() {
                    if w[0] != w[1] {
                        mark(holder as u32);
                        self.memberships
                            .members(holder as u32)
                            .iter()
                            .for_each(|&m| mark(m));
                    }
                }
                (0..seen.len() as u32)
                    .filter(|&p| seen[p as usize])
                    .map(Some)
                    .collect()
            }
        };
        let name_of = |p: Option<u32>| -> Arc<str> {
            match p {
                Some(p) => self.principals.shared(p),
                None => Arc::from(operator.as_deref().unwrap_or("")),
            }
        };
        // Every candidate's level first; evidence only for the holders a report shows.
        let mut found: Vec<(Option<u32>, Level)> = Vec::new();
        let mut scratch = Scratch {
            operator: operator.as_deref().unwrap_or(""),
            ..Scratch::default()
        };
        for principal in candidates {
            let (ids, groups_known) = self.identities(principal);
            if operator.is_some() && !groups_known {
                result.gaps.push(format!(
                    "group membership of {} was not collected, so roles held through groups are not seen",
                    name_of(principal)
                ));
            }
            scratch.refs.clear();
            let level = self.principal_level(
                data,
                task,
                &parts,
                (principal, &ids, groups_known),
                &mut scratch,
                Some(&mut result.denied),
            );
            if let Some(level) = level {
                found.push((principal, level));
            }
        }
        for r in unknown_roles {
            result.gaps.push(format!(
                "role definition {} is not in the snapshot, so its actions are unknown",
                self.roles.name(r)
            ));
        }
        let order = |p: Option<u32>| p.and_then(|p| self.order.get(p as usize).copied());
        found.sort_by_key(|(p, level)| (level.rank(), order(*p)));
        result.all = found
            .iter()
            .filter_map(|(p, level)| Some(((*p)?, level.kind())))
            .collect();
        found.truncate(DETAILED_HOLDERS);
        for (principal, level) in found {
            let mut holder = Holder {
                principal: name_of(principal),
                principal_type: principal
                    .and_then(|p| data.of(p).first())
                    .and_then(|&i| data.assignments[i as usize].principal_type.clone()),
                level,
                evidence: Vec::new(),
            };
            {
                let (ids, groups_known) = self.identities(principal);
                scratch.refs.clear();
                self.principal_level(
                    data,
                    task,
                    &parts,
                    (principal, &ids, groups_known),
                    &mut scratch,
                    None,
                );
                for &(i, what) in &scratch.refs {
                    let e = self.assignment_evidence(data, &data.assignments[i as usize], what);
                    if !holder.evidence.contains(&e) {
                        holder.evidence.push(e);
                    }
                }
            }
            result.holders.push(holder);
        }
        result
    }

    /// How one principal (with its identities and whether its groups are known) meets every
    /// part, or `None`. The assignments that do it go to `scratch.refs`; grants removed by a
    /// deny assignment are recorded in `denied` when given.
    fn principal_level<'t>(
        &self,
        data: &SubRbac<'_>,
        task: &'t AzureTask,
        parts: &[PartIndex],
        (principal, ids, groups_known): (Option<u32>, &[u32], bool),
        scratch: &mut Scratch<'t>,
        denied: Option<&mut Vec<Evidence>>,
    ) -> Option<Level> {
        let who = || principal.map_or(scratch.operator, |p| self.principals.name(p));
        let mut level = Level::Active;
        for (part, px) in task.parts.iter().zip(parts) {
            scratch.relevant.clear();
            for &id in ids {
                scratch.relevant.extend_from_slice(px.held(id));
            }
            let mut l = part_level(data, part, px, &scratch.relevant, &mut scratch.refs)?;
            let denies = px.denies.iter().map(|&d| &data.denies[d]);
            match self.deny_effect(denies, principal, ids, groups_known) {
                DenyEffect::Denied(d) => {
                    if let Some(denied) = denied {
                        denied.push(Evidence::new(
                            d.pointer.clone(),
                            d.name.clone(),
                            format!(
                                "deny assignment at {} removes {} from {}",
                                d.scope,
                                part.label,
                                who()
                            ),
                        ));
                    }
                    return None;
                }
                DenyEffect::Uncertain(d) => {
                    l = Level::Unverified(format!(
                        "deny assignment {} names or excludes groups, and the group membership of {} was not (fully) collected",
                        d.name,
                        who()
                    ));
                }
                DenyEffect::None => {}
            }
            level = Level::worst(level, l);
        }
        Some(level)
    }

    fn assignment_evidence(&self, data: &SubRbac<'_>, a: &Assignment<'_>, what: &str) -> Evidence {
        let role = self.roles.name(a.role);
        let scope = self.scopes.name(a.scope);
        let def = self.role(role);
        let mut detail = format!(
            "{} {} holds {} at {}",
            a.principal_type.as_deref().unwrap_or("principal"),
            self.principals.name(a.principal),
            def.map(|d| d.name.clone())
                .unwrap_or_else(|| format!("role {role}")),
            scope
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
            data.pointer(a),
            if a.id.is_empty() {
                scope.to_string()
            } else {
                a.id.to_string()
            },
            detail,
        )
    }

    /// Whether `principal` holds role `role_guid` through an active assignment of its own at a
    /// scope that is the workspace or one of its parents (`None` when the subscription's role
    /// assignments were not collected in full and no such assignment was seen).
    pub(crate) fn holds_directly(
        &self,
        sub: &SubscriptionView<'_>,
        principal: &str,
        role_guid: &str,
        target: &str,
    ) -> Option<bool> {
        let data = &self.subs[sub.index];
        let role = self.roles.get(&role_guid.to_ascii_lowercase());
        let holds = match (self.principals.get(&principal.to_ascii_lowercase()), role) {
            (Some(p), Some(role)) => data.of(p).iter().any(|&i| {
                let a = &data.assignments[i as usize];
                let scope = self.scopes.name(a.scope);
                !a.eligible
                    && a.role == role
                    && (scope.is_empty()
                        || target == scope
                        || target
                            .strip_prefix(scope)
                            .is_some_and(|rest| rest.starts_with('/')))
            }),
            _ => false,
        };
        match data.active_complete {
            true => Some(holds),
            false if holds => Some(true),
            false => None,
        }
    }
}

pub(super) fn assignment_level(a: &Assignment<'_>, actions: &[String]) -> Level {
    match &a.condition {
        Some(c) if condition_restricts(c, actions) => Level::Conditional(c.to_string()),
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
