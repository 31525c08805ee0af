//! Deny assignments: read once per subscription, matched to a part once, applied per principal.

use super::actions::{PermissionBlock, any_grants};
use super::azure::Part;
use super::index::{Interner, intern_lower};
use super::{Rbac, covers};
use crate::engine::context::{Avail, norm_id};
use crate::snapshot::str_at;

/// Whether a deny assignment says what it denies and to whom. One that does not could remove
/// any grant, so it makes grants unverifiable rather than being skipped.
pub(super) fn readable_deny(d: &serde_json::Value) -> bool {
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

pub(super) fn denies(list: &Avail<'_>, base: &str, principals: &mut Interner) -> Vec<Deny> {
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

/// A deny assignment, normalised.
#[derive(Clone, Debug)]
pub struct Deny {
    pub scope: String,
    pub blocks: Vec<PermissionBlock>,
    /// Principal ids (see [`Rbac`]'s principal table).
    pub principals: Vec<u32>,
    pub excluded: Vec<u32>,
    pub no_children: bool,
    pub pointer: String,
    pub name: String,
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
