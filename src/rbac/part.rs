//! One part of an Azure task over one subscription's assignments: which assignments cover the
//! part's target (decided once per distinct scope), what each one's role grants of the part's
//! actions (once per role), and the best way a principal's assignments meet the part.

use super::actions::any_grants;
use super::azure::{Part, SubRbac, condition_restricts};
use super::deny::deny_applies;
use super::{Level, Rbac, covers};

/// One part's covering assignments, by principal (compressed rows over principal ids), and per
/// assignment the part's actions its role grants (bit k = `part.actions[k]`; `None` = role
/// definition unknown) and those its ABAC condition could restrict.
pub(super) struct PartIndex {
    /// Deny assignments (positions) that cover the part's target and deny one of its actions.
    pub(super) denies: Vec<usize>,
    pub(super) starts: Vec<u32>,
    rows: Vec<u32>,
    /// Role ids that satisfy the part on their own.
    roles: Vec<u32>,
    masks: Vec<Option<u64>>,
    cond_masks: Vec<u64>,
}

impl PartIndex {
    /// Covering assignments held directly by `principal`.
    pub(super) fn held(&self, principal: u32) -> &[u32] {
        let p = principal as usize;
        match (self.starts.get(p), self.starts.get(p + 1)) {
            (Some(&a), Some(&b)) => &self.rows[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// The best way the `relevant` assignments meet one part; the assignments that do it are
/// appended to `refs` (with what each one is for).
pub(super) fn part_level<'t>(
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
pub(super) struct Scratch<'t> {
    /// The operator's name, for messages about an operator the snapshot does not mention.
    pub(super) operator: &'t str,
    pub(super) relevant: Vec<u32>,
    pub(super) refs: Vec<(u32, &'t str)>,
}

impl Rbac<'_> {
    /// Precomputes, for one part, the covering assignments and what their roles grant.
    pub(super) fn part_index(
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
}
