//! Effective permissions: who can do an onboarding task, and why (DESIGN §3.6).
//!
//! Pure computation over the indexed snapshot: Azure role assignments (active and PIM-eligible),
//! role definitions (custom by actions, built-in by GUID), deny assignments, ABAC conditions,
//! Entra directory roles and transitive group membership. No I/O.

pub mod actions;
mod azure;
mod entra;
mod explain;
pub mod tasks;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

use crate::engine::context::{Avail, Index, last_segment, norm_id};
use crate::finding::Evidence;
use actions::PermissionBlock;

pub use azure::{AzureTask, Part};
pub use entra::{EntraTask, entra_role_name};
pub use tasks::{AccessMatrix, AccessTask, PartScope, PartTemplate};

/// The principal that stands for "everyone" in deny assignments.
pub const EVERYONE: &str = "00000000-0000-0000-0000-000000000000";

/// How a principal holds a grant, best first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Level {
    /// Active assignment.
    Active,
    /// Only through a PIM eligibility that must be activated first.
    Eligible,
    /// Only through an assignment whose ABAC condition could restrict it.
    Conditional(String),
    /// A grant exists but cannot be confirmed (e.g. a deny assignment may apply through a group
    /// whose membership was not collected).
    Unverified(String),
}

impl Level {
    fn rank(&self) -> u8 {
        match self {
            Level::Active => 0,
            Level::Eligible => 1,
            Level::Conditional(_) => 2,
            Level::Unverified(_) => 3,
        }
    }
    /// The better of two levels.
    pub fn best(a: Level, b: Level) -> Level {
        if b.rank() < a.rank() { b } else { a }
    }
    /// The worse of two levels (for requirements that need every part).
    pub fn worst(a: Level, b: Level) -> Level {
        if b.rank() > a.rank() { b } else { a }
    }
}

/// One principal that can do a task.
#[derive(Clone, Debug)]
pub struct Holder {
    pub principal: String,
    pub principal_type: Option<String>,
    pub level: Level,
    pub evidence: Vec<Evidence>,
}

/// The answer for one task.
#[derive(Clone, Debug, Default)]
pub struct TaskResult {
    /// Principals that can do the task (any level), sorted: active first.
    pub holders: Vec<Holder>,
    /// Why the answer may be incomplete (inputs missing or partial). Non-empty + no active
    /// holder = `unknown`.
    pub gaps: Vec<String>,
    /// Grants removed by deny assignments, for the evidence.
    pub denied: Vec<Evidence>,
    /// When grants exist but a deny list that could overturn them is incomplete.
    pub grants_unverifiable: Option<String>,
}

/// A role definition's grants.
#[derive(Clone, Debug)]
pub struct RoleDef {
    pub name: String,
    pub blocks: Vec<PermissionBlock>,
    /// Taken from the shipped built-in definitions because the snapshot lacked it.
    pub fallback: bool,
}

/// A role assignment or eligibility, normalised.
#[derive(Clone, Debug)]
pub struct Assignment {
    pub principal: String,
    pub principal_type: Option<String>,
    pub role: String,
    pub scope: String,
    pub condition: Option<String>,
    pub eligible: bool,
    pub pointer: String,
    pub id: String,
}

/// A deny assignment, normalised.
#[derive(Clone, Debug)]
pub struct Deny {
    pub scope: String,
    pub blocks: Vec<PermissionBlock>,
    pub principals: Vec<String>,
    pub excluded: Vec<String>,
    pub no_children: bool,
    pub pointer: String,
    pub name: String,
}

/// Built-in Azure role definitions shipped with socready (Microsoft's published definitions).
fn builtin_roles() -> &'static HashMap<String, RoleDef> {
    static ROLES: OnceLock<HashMap<String, RoleDef>> = OnceLock::new();
    ROLES.get_or_init(|| {
        let raw: Vec<Value> =
            serde_json::from_str(include_str!("../../rules/data/azure-builtin-roles.json"))
                .unwrap_or_default();
        raw.iter().filter_map(|r| role_def(r, true)).collect()
    })
}

fn role_def(v: &Value, fallback: bool) -> Option<(String, RoleDef)> {
    let guid = v
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
        .or_else(|| v.get("id").and_then(Value::as_str).map(last_segment))?;
    let props = v.get("properties");
    let name = props
        .and_then(|p| p.get("roleName"))
        .and_then(Value::as_str)
        .unwrap_or(&guid)
        .to_string();
    Some((
        guid,
        RoleDef {
            name,
            blocks: PermissionBlock::list_from(props),
            fallback,
        },
    ))
}

/// Display name of a built-in role GUID, for messages.
pub fn builtin_role_name(guid: &str) -> Option<&'static str> {
    builtin_roles()
        .get(&guid.to_ascii_lowercase())
        .map(|r| r.name.as_str())
}

/// Per-snapshot RBAC indexes.
#[derive(Debug)]
pub struct Rbac<'a> {
    index: &'a Index<'a>,
    defs: HashMap<String, RoleDef>,
    /// Transitive group membership, lower-cased, with what is known to be incomplete.
    memberships: Memberships,
    /// Per subscription (same order as `Index::subscriptions`).
    subs: Vec<azure::SubRbac>,
    /// Answers already computed, by task key.
    cache: Mutex<HashMap<String, Arc<TaskResult>>>,
}

impl<'a> Rbac<'a> {
    pub fn build(index: &'a Index<'a>) -> Self {
        let mut defs = HashMap::new();
        for sub in &index.subscriptions {
            for d in sub.data.role_definitions.iter().flatten() {
                if let Some((guid, def)) = role_def(d, false) {
                    defs.entry(guid).or_insert(def);
                }
            }
        }
        Rbac {
            index,
            defs,
            memberships: Memberships::build(index),
            subs: index
                .subscriptions
                .iter()
                .map(|s| azure::SubRbac::build(index, s))
                .collect(),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Returns the cached answer for `key`, computing it once. The lock is not held while
    /// computing, so two threads may race to compute the same answer; both get equal results.
    fn memo(&self, key: String, compute: impl FnOnce() -> TaskResult) -> Arc<TaskResult> {
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return hit;
        }
        let value = Arc::new(compute());
        if let Ok(mut c) = self.cache.lock() {
            c.entry(key).or_insert_with(|| value.clone());
        }
        value
    }

    /// A role definition by GUID: the snapshot's, else the shipped built-in one.
    pub fn role(&self, guid: &str) -> Option<&RoleDef> {
        self.defs.get(guid).or_else(|| builtin_roles().get(guid))
    }

    pub fn role_name(&self, guid: &str) -> String {
        self.role(guid)
            .map(|d| d.name.clone())
            .unwrap_or_else(|| format!("role {guid}"))
    }

    /// Transitive groups of a principal: `None` when membership was not collected for it
    /// (or only partly: then the groups found are not proof of absence).
    pub fn groups(&self, principal: &str) -> Option<&[String]> {
        let (groups, known) = self.memberships.of(principal);
        known.then_some(groups)
    }

    /// Principals that belong to `group` (reverse of memberships).
    pub(crate) fn members(&self, group: &str) -> &[String] {
        self.memberships
            .members
            .get(group)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The principal (lower-cased by the caller) plus its groups, and whether the groups are complete.
    fn identities<'s>(&'s self, principal: &'s str) -> (Vec<&'s str>, bool) {
        let (groups, known) = self.memberships.of(principal);
        let mut ids: Vec<&str> = Vec::with_capacity(groups.len() + 1);
        ids.push(principal);
        ids.extend(groups.iter().map(String::as_str));
        (ids, known)
    }
}

/// Group membership as collected: lower-cased, indexed both ways, with partial entries marked.
#[derive(Debug, Default)]
struct Memberships {
    /// `None` when `graph.memberships` was not collected at all.
    map: Option<HashMap<String, Vec<String>>>,
    /// Group → members.
    members: HashMap<String, Vec<String>>,
    /// Principals whose membership listing failed part-way (`errors` target
    /// `graph.memberships[<id>]`).
    partial: HashSet<String>,
    /// The whole membership collection is partial.
    all_partial: bool,
}

impl Memberships {
    fn build(index: &Index<'_>) -> Self {
        let raw = index
            .snapshot
            .graph
            .as_ref()
            .and_then(|g| g.memberships.as_ref());
        let mut m = Memberships::default();
        for e in &index.snapshot.errors {
            let Some(t) = e.target.as_deref() else {
                continue;
            };
            let t = t.trim().to_ascii_lowercase();
            if t == "graph" || t == "graph.memberships" {
                m.all_partial = true;
            } else if let Some(rest) = t.strip_prefix("graph.memberships[") {
                m.partial.insert(rest.trim_end_matches(']').to_string());
            }
        }
        if let Some(raw) = raw {
            let mut map: HashMap<String, Vec<String>> = HashMap::with_capacity(raw.len());
            for (p, groups) in raw {
                let p = p.to_ascii_lowercase();
                let groups: Vec<String> = groups.iter().map(|g| g.to_ascii_lowercase()).collect();
                for g in &groups {
                    m.members.entry(g.clone()).or_default().push(p.clone());
                }
                map.entry(p).or_default().extend(groups);
            }
            m.map = Some(map);
        }
        m
    }

    /// A principal's groups and whether that list is complete.
    fn of(&self, principal: &str) -> (&[String], bool) {
        let Some(map) = &self.map else {
            return (&[], false);
        };
        match map.get(principal) {
            Some(g) => (g, !self.all_partial && !self.partial.contains(principal)),
            None => (&[], false),
        }
    }
}

/// Normalises a list of raw assignments (role assignments or eligibility instances).
fn assignments(list: &Avail<'_>, base: &str, eligible: bool) -> Vec<Assignment> {
    list.items()
        .iter()
        .enumerate()
        .filter_map(|(j, a)| {
            let p = a.get("properties")?;
            let s = |k: &str| p.get(k).and_then(Value::as_str);
            let non_empty = |k: &str| s(k).filter(|v| !v.trim().is_empty());
            Some(Assignment {
                principal: non_empty("principalId")?.to_ascii_lowercase(),
                principal_type: s("principalType").map(str::to_string),
                role: last_segment(non_empty("roleDefinitionId")?),
                scope: norm_id(non_empty("scope").or_else(|| a.get("id").and_then(Value::as_str))?),
                // A condition that is not a string cannot be read: keep it, so it restricts.
                condition: match p.get("condition") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(c)) => Some(c.clone()).filter(|c| !c.trim().is_empty()),
                    Some(other) => Some(other.to_string()),
                },
                eligible,
                pointer: format!("{base}/{j}"),
                id: a
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            })
        })
        .collect()
}

/// Whether an assignment at `scope` (listed under a subscription) covers `target`.
///
/// `/` and management-group scopes listed under a subscription cover everything in it;
/// otherwise the scope must be a prefix of the target on a `/` boundary.
pub fn covers(scope: &str, target: &str) -> bool {
    let scope = scope.trim_end_matches('/');
    if scope.is_empty() || scope.starts_with("/providers/microsoft.management/managementgroups") {
        return true;
    }
    let target = target.trim_end_matches('/');
    target.len() >= scope.len()
        && target[..scope.len()].eq_ignore_ascii_case(scope)
        && (target.len() == scope.len() || target.as_bytes()[scope.len()] == b'/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_coverage_respects_segment_boundaries() {
        assert!(covers("/", "/subscriptions/a/resourcegroups/rg"));
        assert!(covers(
            "/subscriptions/A",
            "/subscriptions/a/resourcegroups/rg"
        ));
        assert!(covers("/subscriptions/a/", "/subscriptions/a"));
        assert!(!covers("/subscriptions/a", "/subscriptions/ab"));
        assert!(!covers(
            "/subscriptions/a/resourcegroups/rg",
            "/subscriptions/a"
        ));
        assert!(covers(
            "/providers/microsoft.management/managementgroups/root",
            "/subscriptions/a"
        ));
    }

    #[test]
    fn builtins_are_shipped() {
        assert_eq!(
            builtin_role_name("8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
            Some("Owner")
        );
        assert_eq!(builtin_roles().len(), 14);
    }
}
