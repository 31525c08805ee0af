//! Azure RBAC tasks: can a principal do every part of a task at its scopes?
//!
//! A part is met by a listed role (matched by GUID at a covering scope) or by the union of the
//! principal's grants covering all of the part's actions; a deny assignment matching one of the
//! part's actions removes it, whatever granted it.

use std::collections::HashMap;
use std::sync::Arc;

use super::actions::any_grants;
use super::{
    Assignment, DETAILED_HOLDERS, Deny, Holder, Interner, Level, Rbac, Tables, TaskResult,
    assignments, covers, intern_lower,
};
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
pub(crate) struct SubRbac<'a> {
    /// `/azure/subscriptions/<n>`, the JSON Pointer the evidence starts from.
    base: String,
    pub(crate) assignments: Vec<Assignment<'a>>,
    /// Principal id → positions in `assignments`.
    pub(crate) by_principal: HashMap<u32, Vec<u32>>,
    /// The distinct scope ids the assignments use.
    scopes: Vec<u32>,
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
        assignments.extend(crate::rbac::assignments(&re, true, t));
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

/// One part's covering assignments, by principal (compressed rows over principal ids), and per
/// assignment the part's actions its role grants (bit k = `part.actions[k]`; `None` = role
/// definition unknown) and those its ABAC condition could restrict.
pub(crate) struct PartIndex {
    /// Deny assignments (positions) that cover the part's target and deny one of its actions.
    denies: Vec<usize>,
    starts: Vec<u32>,
    rows: Vec<u32>,
    /// Role ids that satisfy the part on their own.
    roles: Vec<u32>,
    masks: Vec<Option<u64>>,
    cond_masks: Vec<u64>,
}

impl PartIndex {
    /// Covering assignments held directly by `principal`.
    fn held(&self, principal: u32) -> &[u32] {
        let p = principal as usize;
        match (self.starts.get(p), self.starts.get(p + 1)) {
            (Some(&a), Some(&b)) => &self.rows[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// The best way the `relevant` assignments meet one part; the assignments that do it are
/// appended to `refs` (with what each one is for).
fn part_level<'t>(
    data: &SubRbac<'_>,
    part: &'t Part,
    px: &PartIndex,
    relevant: &[u32],
    refs: &mut Vec<(u32, &'t str)>,
) -> Option<Level> {
    let rank_of = |i: u32, restricted: bool| -> u8 {
        let a = &data.assignments[i as usize];
        match &a.condition {
            Some(_) if restricted => 2,
            _ if a.eligible => 1,
            _ => 0,
        }
    };
    let level_of = |i: u32, restricted: bool| -> Level {
        let a = &data.assignments[i as usize];
        match &a.condition {
            Some(c) if restricted => Level::Conditional(c.to_string()),
            _ if a.eligible => Level::Eligible,
            _ => Level::Active,
        }
    };
    // A listed role on its own: (rank, assignment, restricted).
    let mut by_role: Option<(u8, u32, bool)> = None;
    for &i in relevant {
        if px.roles.contains(&data.assignments[i as usize].role) {
            let restricted = px.cond_masks[i as usize] != 0;
            let r = rank_of(i, restricted);
            if by_role.is_none_or(|(cur, _, _)| r < cur) {
                by_role = Some((r, i, restricted));
            }
        }
    }
    // The union of grants covering every action: its rank is its worst action's.
    let start = refs.len();
    let mut by_actions: Option<(u8, Option<(u32, bool)>)> = None;
    if !part.actions.is_empty() {
        let mut route: (u8, Option<(u32, bool)>) = (0, None);
        for (k, action) in part.actions.iter().enumerate() {
            let bit = 1u64 << k;
            let mut action_best: Option<(u8, u32, bool)> = None;
            for &i in relevant {
                if px.masks[i as usize].is_some_and(|m| m & bit != 0) {
                    let restricted = px.cond_masks[i as usize] & bit != 0;
                    let r = rank_of(i, restricted);
                    if action_best.is_none_or(|(cur, _, _)| r < cur) {
                        action_best = Some((r, i, restricted));
                    }
                }
            }
            let Some((r, i, restricted)) = action_best else {
                refs.truncate(start);
                route = (u8::MAX, None);
                break;
            };
            if r > route.0 {
                route = (r, Some((i, restricted)));
            }
            refs.push((i, action.as_str()));
        }
        if route.0 != u8::MAX {
            by_actions = Some(route);
        }
    }
    match (by_role, by_actions) {
        (Some((r, i, restricted)), actions) if actions.as_ref().is_none_or(|(ar, _)| r <= *ar) => {
            refs.truncate(start);
            refs.push((i, part.label.as_str()));
            Some(level_of(i, restricted))
        }
        (_, Some((_, worst))) => Some(match worst {
            Some((i, restricted)) => level_of(i, restricted),
            None => Level::Active,
        }),
        _ => None,
    }
}

/// Buffers reused from one principal to the next.
#[derive(Default)]
struct Scratch<'t> {
    /// The operator's name, for messages about an operator the snapshot does not mention.
    operator: &'t str,
    relevant: Vec<u32>,
    refs: Vec<(u32, &'t str)>,
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

    /// Precomputes, for one part, the covering assignments and what their roles grant.
    fn part_index(
        &self,
        data: &SubRbac<'_>,
        part: &Part,
        unknown_roles: &mut Vec<u32>,
    ) -> PartIndex {
        // Coverage is decided once per distinct scope, not once per assignment.
        let mut covering = vec![false; self.scopes.len()];
        for &s in &data.scopes {
            covering[s as usize] = covers(self.scopes.name(s), &part.target);
        }
        let mut grants: Vec<Option<Option<u64>>> = vec![None; self.roles.len()];
        let mut masks = vec![None; data.assignments.len()];
        let mut cond_masks = vec![0u64; data.assignments.len()];
        let mut counts = vec![0u32; self.principals.len() + 1];
        for (i, a) in data.assignments.iter().enumerate() {
            if !covering[a.scope as usize] {
                continue;
            }
            counts[a.principal as usize + 1] += 1;
            let mask = *grants[a.role as usize].get_or_insert_with(|| {
                self.role(self.roles.name(a.role)).map(|def| {
                    part.actions
                        .iter()
                        .enumerate()
                        .filter(|(_, act)| any_grants(&def.blocks, act))
                        .fold(0u64, |m, (k, _)| m | (1 << k))
                })
            });
            if mask.is_none() && !part.actions.is_empty() {
                unknown_roles.push(a.role);
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
        // Compressed rows: starts[p]..starts[p + 1] are principal p's covering assignments.
        for p in 1..counts.len() {
            counts[p] += counts[p - 1];
        }
        let starts = counts;
        let mut next = starts.clone();
        let mut rows = vec![0u32; *starts.last().unwrap_or(&0) as usize];
        for (i, a) in data.assignments.iter().enumerate() {
            if covering[a.scope as usize] {
                let slot = &mut next[a.principal as usize];
                rows[*slot as usize] = i as u32;
                *slot += 1;
            }
        }
        PartIndex {
            denies: (0..data.denies.len())
                .filter(|&d| deny_applies(&data.denies[d], part))
                .collect(),
            starts,
            rows,
            roles: part
                .roles
                .iter()
                .filter_map(|r| self.roles.get(r))
                .collect(),
            masks,
            cond_masks,
        }
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

fn denies(list: &Avail<'_>, base: &str, principals: &mut Interner) -> Vec<Deny> {
    let mut ids = |v: Option<&serde_json::Value>| -> Vec<u32> {
        v.and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|p| p.get("id").and_then(|i| i.as_str()))
                    .map(|id| intern_lower(principals, id))
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

/// Whether a deny assignment covers the part's target and denies one of its actions.
pub(super) fn deny_applies(d: &Deny, part: &Part) -> bool {
    let scope_ok = d.scope == part.target || (!d.no_children && covers(&d.scope, &part.target));
    scope_ok && part.actions.iter().any(|a| any_grants(&d.blocks, a))
}

impl Rbac<'_> {
    /// Applies deny assignments (those [`deny_applies`] to a part) to `principal`, whose
    /// identities are `ids` (`principal` is `None` for one the snapshot never mentions).
    pub(super) fn deny_effect<'d>(
        &self,
        denies: impl IntoIterator<Item = &'d Deny>,
        principal: Option<u32>,
        ids: &[u32],
        groups_known: bool,
    ) -> DenyEffect<'d> {
        let everyone = self.principals.get(super::EVERYONE);
        let mut uncertain = None;
        for d in denies {
            let named = d
                .principals
                .iter()
                .any(|p| Some(*p) == everyone || ids.contains(p));
            let excluded = d.excluded.iter().any(|p| ids.contains(p));
            if named && !excluded {
                // An exclusion naming someone else could be one of the principal's unseen groups.
                if !groups_known && d.excluded.iter().any(|p| Some(*p) != principal) {
                    uncertain.get_or_insert(d);
                    continue;
                }
                return DenyEffect::Denied(d);
            }
            if !named && !groups_known && d.principals.iter().any(|p| Some(*p) != principal) {
                uncertain.get_or_insert(d);
            }
        }
        uncertain.map_or(DenyEffect::None, DenyEffect::Uncertain)
    }
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
