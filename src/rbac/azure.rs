//! Azure RBAC tasks: can a principal do every part of a task at its scopes?
//!
//! A part is met by a listed role (matched by GUID at a covering scope) or by the union of the
//! principal's grants covering all of the part's actions; a deny assignment matching one of the
//! part's actions removes it, whatever granted it.

use std::collections::HashSet;

use super::actions::any_grants;
use super::{Assignment, Deny, Holder, Level, Rbac, TaskResult, assignments, covers};
use crate::engine::context::{Avail, SubscriptionView, norm_id};
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

impl Rbac<'_> {
    /// Who can do `task` in `sub` (all principals, or only `operator` and its groups).
    pub fn azure(
        &self,
        sub: &SubscriptionView<'_>,
        task: &AzureTask,
        operator: Option<&str>,
    ) -> TaskResult {
        let ix = self.index;
        let base = format!("/azure/subscriptions/{}", sub.index);
        let ra = ix.sub_collection(sub, "roleAssignments", |s| s.role_assignments.as_ref());
        let re = ix.sub_collection(sub, "roleEligibilities", |s| s.role_eligibilities.as_ref());
        let da = ix.sub_collection(sub, "denyAssignments", |s| s.deny_assignments.as_ref());
        let mut result = TaskResult::default();
        if !ra.is_complete() {
            result
                .gaps
                .push(ra.reason(&format!("role assignments of subscription {}", sub.id)));
        }
        if !re.is_complete() {
            result.gaps.push(re.reason(&format!(
                "PIM role eligibilities of subscription {}",
                sub.id
            )));
        }
        if !da.is_complete() {
            result.grants_unverifiable =
                Some(da.reason(&format!("deny assignments of subscription {}", sub.id)));
        }
        let mut all = assignments(&ra, &format!("{base}/roleAssignments"), false);
        all.extend(assignments(&re, &format!("{base}/roleEligibilities"), true));
        let denies = denies(&da, &format!("{base}/denyAssignments"));

        let principals: Vec<String> = match operator {
            Some(op) => vec![op.to_ascii_lowercase()],
            None => {
                let mut p: Vec<String> = all.iter().map(|a| a.principal.clone()).collect();
                p.sort();
                p.dedup();
                p
            }
        };
        let mut unknown_roles: HashSet<String> = HashSet::new();
        for principal in principals {
            let (ids, groups_known) = self.identities(&principal);
            if operator.is_some() && !groups_known {
                result.gaps.push(format!(
                    "group membership of {principal} was not collected, so roles held through groups are not seen"
                ));
            }
            let mut level = Some(Level::Active);
            let mut evidence = Vec::new();
            let mut principal_type = None;
            for part in &task.parts {
                let relevant: Vec<&Assignment> = all
                    .iter()
                    .filter(|a| ids.contains(&a.principal) && covers(&a.scope, &part.target))
                    .collect();
                if principal_type.is_none() {
                    principal_type = relevant
                        .iter()
                        .find(|a| a.principal == principal)
                        .and_then(|a| a.principal_type.clone());
                }
                let Some((l, ev)) = self.part_level(part, &relevant, &mut unknown_roles) else {
                    level = None;
                    break;
                };
                if let Some(d) = denied(&denies, part, &ids) {
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
                let mut l = l;
                if !groups_known && let Some(d) = group_deny(&denies, part, &principal) {
                    l = Level::Unverified(format!(
                        "deny assignment {} names groups, and the group membership of {principal} was not collected",
                        d.name
                    ));
                }
                level = level.map(|cur| Level::worst(cur, l));
                evidence.extend(ev);
            }
            if let Some(level) = level {
                result.holders.push(Holder {
                    principal,
                    principal_type,
                    level,
                    evidence,
                });
            }
        }
        let mut unknown_roles: Vec<String> = unknown_roles.into_iter().collect();
        unknown_roles.sort();
        for r in unknown_roles {
            result.gaps.push(format!(
                "role definition {r} is not in the snapshot, so its actions are unknown"
            ));
        }
        result.holders.sort_by(|a, b| {
            a.level
                .rank()
                .cmp(&b.level.rank())
                .then(a.principal.cmp(&b.principal))
        });
        result
    }

    fn part_level(
        &self,
        part: &Part,
        relevant: &[&Assignment],
        unknown_roles: &mut HashSet<String>,
    ) -> Option<(Level, Vec<Evidence>)> {
        let mut best: Option<(Level, Vec<Evidence>)> = None;
        let consider = |l: Level, ev: Vec<Evidence>, best: &mut Option<(Level, Vec<Evidence>)>| {
            let better = match best {
                None => true,
                Some((cur, _)) => l.rank() < cur.rank(),
            };
            if better {
                *best = Some((l, ev));
            }
        };
        // A listed role on its own.
        for a in relevant.iter().filter(|a| part.roles.contains(&a.role)) {
            let ev = vec![self.assignment_evidence(a, &part.label)];
            consider(assignment_level(a, &part.actions), ev, &mut best);
        }
        // The union of grants covering every action.
        if !part.actions.is_empty() {
            let mut route: Option<Level> = Some(Level::Active);
            let mut ev = Vec::new();
            for action in &part.actions {
                let mut action_best: Option<(Level, &Assignment)> = None;
                for a in relevant {
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
                            action_best = Some((l, a));
                        }
                    }
                }
                match action_best {
                    Some((l, a)) => {
                        route = route.map(|r| Level::worst(r, l));
                        let e = self.assignment_evidence(a, action);
                        if !ev.contains(&e) {
                            ev.push(e);
                        }
                    }
                    None => {
                        route = None;
                        break;
                    }
                }
            }
            if let Some(l) = route {
                consider(l, ev, &mut best);
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

fn assignment_level(a: &Assignment, actions: &[String]) -> Level {
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

/// A deny assignment that would apply to `principal` if it were in one of the deny's groups.
fn group_deny<'d>(denies: &'d [Deny], part: &Part, principal: &str) -> Option<&'d Deny> {
    denies.iter().find(|d| {
        let scope_ok = d.scope == part.target || (!d.no_children && covers(&d.scope, &part.target));
        let names_others = d
            .principals
            .iter()
            .any(|p| p != super::EVERYONE && p != principal);
        scope_ok && names_others && part.actions.iter().any(|a| any_grants(&d.blocks, a))
    })
}

fn denied<'d>(denies: &'d [Deny], part: &Part, ids: &HashSet<String>) -> Option<&'d Deny> {
    denies.iter().find(|d| {
        let scope_ok = d.scope == part.target || (!d.no_children && covers(&d.scope, &part.target));
        let principal_ok = d
            .principals
            .iter()
            .any(|p| p == super::EVERYONE || ids.contains(p))
            && !d.excluded.iter().any(|p| ids.contains(p));
        scope_ok && principal_ok && part.actions.iter().any(|a| any_grants(&d.blocks, a))
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
