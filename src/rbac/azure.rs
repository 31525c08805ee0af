//! Azure RBAC tasks: can a principal do every part of a task at its scopes?
//!
//! A part is met by a listed role (matched by GUID at a covering scope) or by the union of the
//! principal's grants covering all of the part's actions; a deny assignment matching one of the
//! part's actions removes it, whatever granted it.

use std::collections::{HashMap, HashSet};

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
        let deny_gap = (!da.is_complete())
            .then(|| da.reason(&format!("deny assignments of subscription {}", sub.id)));
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

/// Evidence is formatted only for the holders a report shows.
const EVIDENCE_HOLDERS: usize = 25;

impl Rbac<'_> {
    /// Who can do `task` in `sub` (all principals, or only `operator` and its groups).
    pub fn azure(
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
        // Everyone holding an assignment here, plus the members of groups that do: a user may
        // hold the parts of a task through different groups.
        let principals: Vec<String> = match operator {
            Some(op) => vec![op.to_ascii_lowercase()],
            None => {
                let mut p: Vec<String> = data.by_principal.keys().cloned().collect();
                for holder in data.by_principal.keys() {
                    p.extend(self.members(holder).iter().cloned());
                }
                p.sort_unstable();
                p.dedup();
                p
            }
        };
        let mut unknown_roles: HashSet<String> = HashSet::new();
        // (holder, assignment refs) — refs become Evidence only for the holders shown.
        let mut found: Vec<(Holder, Vec<(usize, &str)>)> = Vec::new();
        for principal in principals {
            let (ids, groups_known) = self.identities(&principal);
            if operator.is_some() && !groups_known {
                result.gaps.push(format!(
                    "group membership of {principal} was not collected, so roles held through groups are not seen"
                ));
            }
            let held: Vec<usize> = ids
                .iter()
                .filter_map(|id| data.by_principal.get(id))
                .flatten()
                .copied()
                .collect();
            let mut level = Some(Level::Active);
            let mut refs = Vec::new();
            for part in &task.parts {
                let relevant: Vec<usize> = held
                    .iter()
                    .copied()
                    .filter(|&i| covers(&data.assignments[i].scope, &part.target))
                    .collect();
                let Some((l, r)) = self.part_level(data, part, &relevant, &mut unknown_roles)
                else {
                    level = None;
                    break;
                };
                let mut l = l;
                match deny_effect(&data.denies, part, &principal, &ids, groups_known) {
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
                let principal_type = held
                    .iter()
                    .map(|&i| &data.assignments[i])
                    .find(|a| a.principal == principal)
                    .and_then(|a| a.principal_type.clone());
                found.push((
                    Holder {
                        principal,
                        principal_type,
                        level,
                        evidence: Vec::new(),
                    },
                    refs,
                ));
            }
        }
        let mut unknown_roles: Vec<String> = unknown_roles.into_iter().collect();
        unknown_roles.sort();
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

    /// The best way `relevant` assignments meet one part, with the assignments that do it.
    fn part_level<'t>(
        &self,
        data: &SubRbac,
        part: &'t Part,
        relevant: &[usize],
        unknown_roles: &mut HashSet<String>,
    ) -> Option<(Level, Vec<(usize, &'t str)>)> {
        let mut best: Option<(Level, Vec<(usize, &'t str)>)> = None;
        let consider = |l: Level,
                        r: Vec<(usize, &'t str)>,
                        best: &mut Option<(Level, Vec<(usize, &'t str)>)>| {
            if best.as_ref().is_none_or(|(cur, _)| l.rank() < cur.rank()) {
                *best = Some((l, r));
            }
        };
        // A listed role on its own.
        for &i in relevant {
            let a = &data.assignments[i];
            if part.roles.contains(&a.role) {
                consider(
                    assignment_level(a, &part.actions),
                    vec![(i, part.label.as_str())],
                    &mut best,
                );
            }
        }
        // The union of grants covering every action.
        if !part.actions.is_empty() {
            let mut route: Option<Level> = Some(Level::Active);
            let mut refs = Vec::new();
            for action in &part.actions {
                let mut action_best: Option<(Level, usize)> = None;
                for &i in relevant {
                    let a = &data.assignments[i];
                    let Some(def) = self.role(&a.role) else {
                        unknown_roles.insert(a.role.clone());
                        continue;
                    };
                    if any_grants(&def.blocks, action) {
                        let l = assignment_level(a, std::slice::from_ref(action));
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
                consider(l, refs, &mut best);
            }
        }
        best
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
    ids: &HashSet<String>,
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
            .any(|p| p == super::EVERYONE || ids.contains(p));
        let excluded = d.excluded.iter().any(|p| ids.contains(p));
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
